"""notes.units: what a note is, shape by shape (realnotes/README.md's rules), on small notes.

Each case is a hand-written note in one shape; what it asserts is what the user gets: which
units there are (kind, first line, title, the arXiv ids each is about) and each unit's note.
"""

from __future__ import annotations

import pytest

from note2bib.model import Unit
from note2bib.notes.sources import NotesText, parse_source
from note2bib.notes.units import parse_notes

A = "https://arxiv.org/abs/2301.00001"
B = "https://arxiv.org/abs/2301.00002"
C = "https://arxiv.org/abs/2301.00003"


def md(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def units(text: str, name: str = "n.md") -> list[Unit]:
    """Units as a notes file gives them (front matter read)."""
    found, _ = parse_source(NotesText(name, text))
    return found


def shape(found: list[Unit]) -> list[tuple[str, int, str, str]]:
    """Kind, line, title and ids (comma-separated, `-` for none) of each unit."""
    return [
        (u.kind, u.line, u.title, ",".join(dict.fromkeys(m.id.base for m in u.ids)) or "-")
        for u in found
    ]


def notes_of(found: list[Unit]) -> dict[str, list[str]]:
    """Every paper's notes: arXiv id (or title) → each unit's note, as the formats write it."""
    out: dict[str, list[str]] = {}
    for unit in found:
        for key in dict.fromkeys(m.id.base for m in unit.ids) or [unit.title]:
            out.setdefault(key, []).append(unit.note)
    return out


# --- a heading per paper -------------------------------------------------------------------


def test_a_heading_per_paper_keeps_each_section_as_its_note() -> None:
    text = md(
        "# Reading notes",
        "## Segment Anything",
        f"{A} promptable segmentation.",
        "Works well with LEDITS (2301.00002).",
        "",
        "## LEDITS",
        "demo was fun",
        f"paper: {B}",
        "",
        "## A blog post",
        "- https://openai.com/blog/better-language-models",
    )
    found = parse_notes(text, "n.md")
    assert shape(found) == [
        ("section", 2, "Segment Anything", "2301.00001"),
        ("mention", 3, "promptable segmentation.", "2301.00002"),
        ("section", 6, "LEDITS", "2301.00002"),
        ("section", 10, "A blog post", "-"),
    ]
    notes = notes_of(found)
    assert notes["2301.00001"] == [
        f"## Segment Anything\n{A} promptable segmentation.\nWorks well with LEDITS (2301.00002)."
    ]
    # LEDITS: its own section, and the paragraph of the SAM note that cites it, under the
    # heading it was filed under.
    assert notes["2301.00002"] == [
        f"Segment Anything\n{A} promptable segmentation.\nWorks well with LEDITS (2301.00002).",
        f"## LEDITS\ndemo was fun\npaper: {B}",
    ]


def test_a_comparison_on_one_line_is_about_both_papers() -> None:
    found = parse_notes(md("## Editing versus generating", f"{A} vs {B}"), "n.md")
    assert shape(found) == [("section", 1, "Editing versus generating", "2301.00001,2301.00002")]


# --- one paper per document -------------------------------------------------------------------


@pytest.mark.parametrize(
    "front",
    [
        pytest.param("arxiv: 2301.00001", id="arxiv"),
        pytest.param(f"source: {A}", id="source-link"),
        pytest.param(f"url: {A}v2", id="url-link"),
        pytest.param(f"permalink: {A}", id="permalink"),
    ],
)
def test_front_matter_naming_the_paper_makes_the_file_one_note(front: str) -> None:
    text = md("---", "title: My SAM notes", front, "---", "## Summary", "text", "## Method", "m")
    (unit,) = units(text)
    assert shape([unit]) == [("file", 5, "My SAM notes", "2301.00001")]
    assert unit.text == "## Summary\ntext\n## Method\nm"


def test_toml_front_matter_titles_a_one_paper_note_without_a_link() -> None:
    text = md(
        "+++",
        'title = "Machine Learning for Precipitation Nowcasting"',
        "year = 2019",
        "+++",
        "",
        "- notes on radar",
        "## Data Setup",
        "- MRMS",
    )
    (unit,) = units(text)
    assert shape([unit]) == [("file", 6, "Machine Learning for Precipitation Nowcasting", "-")]
    assert unit.text == "- notes on radar\n## Data Setup\n- MRMS"


def test_a_title_heading_over_the_parts_of_a_review_is_one_note_citing_others() -> None:
    text = md(
        '# 논문 리뷰: "Attention Is All You Need"',
        "## 1. 논문 기본 정보",
        "- **DOI/URL**: https://doi.org/10.48550/arXiv.1706.03762",
        "## 2. 논문 요약",
        "- self-attention만으로 번역",
        "## 8. 참고 문헌",
        "1. Ba, J. L., Kiros, J. R., & Hinton, G. E. (2016). Layer normalization. arXiv preprint"
        " arXiv:1607.06450.",
        "2. He, K., Zhang, X., Ren, S., & Sun, J. (2016). Deep residual learning for image "
        "recognition. CVPR 2016.",
    )
    found = parse_notes(text, "review.md")
    assert shape(found) == [
        ("file", 1, '논문 리뷰: "Attention Is All You Need"', "1706.03762"),
        ("mention", 7, "Layer normalization", "1607.06450"),
        ("mention", 8, "Deep residual learning for image recognition", "-"),
    ]
    assert found[0].text == text.rstrip("\n")
    assert found[1].note.startswith("8. 참고 문헌\n1. Ba, J. L.")


def test_one_paper_with_all_headings_at_one_level() -> None:
    text = md(
        '<!-- {"url": "https://arxiv.org/abs/2301.00009"} -->',
        "### Rich feature hierarchies for accurate object detection",
        f"Link to pdf: {A}",
        "### Abstract",
        "What questions?",
        "### Materials and Methods",
        "Three modules.",
        "### Additional notes or thoughts",
    )
    (unit,) = parse_notes(text, "rcnn.md")
    assert shape([unit]) == [
        ("file", 2, "Rich feature hierarchies for accurate object detection", "2301.00001")
    ]
    assert unit.text.startswith("### Rich feature") and "2301.00009" not in unit.text


def test_a_logseq_page_is_one_note_without_its_properties() -> None:
    text = md(
        "logseq-entity:: [[Article]]",
        "",
        f"- # [Word Salad Chopper]({A})",
        "\t- ## Summary",
        "\t\t- repetitions waste budget",
    )
    (unit,) = units(text)
    assert shape([unit]) == [("file", 3, "Word Salad Chopper", "2301.00001")]
    assert unit.text == text.split("\n", 2)[2].rstrip("\n")


# --- a block per paper ------------------------------------------------------------------------


def test_a_list_item_per_paper_with_its_nested_notes_and_heading_path() -> None:
    text = md(
        "# Awesome detection",
        "## 2019",
        "### One-stage",
        f"- [Paper A]({A}) - [code](https://github.com/a/a)",
        "  - fast",
        f"- [Paper B]({B})",
        "## License",
        "MIT",
    )
    found = parse_notes(text, "awesome.md")
    assert shape(found) == [
        ("item", 4, "Paper A", "2301.00001"),
        ("item", 6, "Paper B", "2301.00002"),
    ]
    assert (
        found[0].note
        == f"2019 \u203a One-stage\n- [Paper A]({A}) - [code](https://github.com/a/a)\n  - fast"
    )
    assert found[0].path == ("2019", "One-stage")


def test_a_topic_item_whose_notes_cite_one_paper_is_that_papers_note() -> None:
    text = md(
        "## Learning circuits",
        "- Example: reinforcement learning in the brain",
        "\t- [\u201cA hypothesis for basal ganglia learning in the songbird\u201d](https://pubmed.ncbi.nlm.nih.gov/1/)",
        "\t- songbirds copy a tutor song",
        "- Backpropagation in the brain?",
        "\t- dendrites store errors",
        "- Other models \u2013 [\u201cTheories of Error Back-Propagation in the Brain\u201d](https://pubmed.ncbi.nlm.nih.gov/2/)",
    )
    found = parse_notes(text, "lecture.md")
    assert shape(found) == [
        ("item", 2, "A hypothesis for basal ganglia learning in the songbird", "-"),
        ("item", 7, "Theories of Error Back-Propagation in the Brain", "-"),
    ]
    assert found[0].text.endswith("songbirds copy a tutor song")  # the topic item, whole


def test_a_table_row_per_paper_keeps_its_column_names() -> None:
    text = md(
        "# arxiv-daily",
        "## NeRF",
        "|Date|Title|PDF|Code|",
        "|---|---|---|---|",
        "|2023-12-05|**ReconFusion: 3D Reconstruction with Diffusion Priors**|"
        f"[2301.00001v1]({A}v1)|null|",
        "|2023-12-04|**Genetic Algorithms: Concepts and Applications**|[Paper](https://ieeexplore.ieee.org/document/1)|[link](https://github.com/g/g)|",
        "---",
        "after the table",
    )
    found = parse_notes(text, "daily.md")
    assert shape(found) == [
        ("row", 5, "ReconFusion: 3D Reconstruction with Diffusion Priors", "2301.00001"),
        ("row", 6, "Genetic Algorithms: Concepts and Applications", "-"),
    ]
    assert found[1].note == (
        "NeRF\nDate: 2023-12-04\nTitle: **Genetic Algorithms: Concepts and Applications**\n"
        "PDF: [Paper](https://ieeexplore.ieee.org/document/1)\nCode: [link](https://github.com/g/g)"
    )


def test_a_details_group_per_week_and_an_item_per_paper_in_it() -> None:
    text = md(
        "# 2024",
        "## February",
        "<details>",
        "  <summary>1st week</summary>",
        "",
        f"- 📜 [Cohere] [Aya Model: An Open-Access Multilingual Model]({A})",
        "    - 119 countries",
        "- 🗞️ [Sora: Creating video from text](https://openai.com/sora)",
        "- 🧑🏻‍💻 OpenAI API's change on log probabilities",
        "</details>",
    )
    found = parse_notes(text, "news.md")
    assert shape(found) == [
        ("item", 6, "Aya Model: An Open-Access Multilingual Model", "2301.00001"),
        ("item", 8, "Sora: Creating video from text", "-"),
    ]
    # "2024" is the file's title (its first heading, all others under it): not repeated.
    assert found[0].path == ("February", "1st week")


def test_paragraphs_naming_different_papers_are_a_note_each() -> None:
    text = md("## Week 3", f"DDPM {A} is the base.", "", f"LDM {B} made it fast.")
    assert shape(parse_notes(text, "n.md")) == [
        ("paragraph", 2, "DDPM is the base.", "2301.00001"),
        ("paragraph", 4, "LDM made it fast.", "2301.00002"),
    ]


def test_a_bold_title_with_its_links_below_is_one_block() -> None:
    text = md(
        "## Fast R-CNN",
        "**Fast R-CNN**",
        "",
        f"- arxiv: <{A}>",
        "- github: <https://github.com/rbgirshick/fast-rcnn>",
        "",
        "**Contextual Priming and Feedback for Faster R-CNN**",
        "",
        "- paper: <http://abhinavsh.info/context_priming_feedback.pdf>",
    )
    found = parse_notes(text, "awesome.md")
    assert shape(found) == [
        ("paragraph", 2, "Fast R-CNN", "2301.00001"),
        ("paragraph", 7, "Contextual Priming and Feedback for Faster R-CNN", "-"),
    ]
    assert found[0].text.endswith("fast-rcnn>")


# --- papers named by title only ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "title"),
    [
        pytest.param(
            "- [Mean teachers are better role models](https://papers.nips.cc/paper/6719)",
            "Mean teachers are better role models",
            id="linked-title",
        ),
        pytest.param(
            "- Deep Image Prior [[note](./dip.md)][[paper](https://dmitryulyanov.github.io/dip)]",
            "Deep Image Prior",
            id="title-before-its-links",
        ),
        pytest.param(
            "- Attention Is All You Need (NeurIPS 2017)",
            "Attention Is All You Need",
            id="title-venue-year",
        ),
        pytest.param(
            "- **[MR-CNN]** Object detection via a multi-region CNN model | **[ICCV' 15]** | "
            "[`[pdf]`](https://www.cv-foundation.org/mr-cnn.pdf)",
            "Object detection via a multi-region CNN model",
            id="tag-title-venue-pdf",
        ),
        pytest.param(
            "- **[C-MIDN]** C-MIDN: Coupled Multiple Instance Detection Network | "
            "**[ICCV' 19]** |[`[pdf]`]()",
            "C-MIDN: Coupled Multiple Instance Detection Network",
            id="tag-title-venue-and-an-empty-link",
        ),
    ],
)
def test_a_block_naming_a_paper_by_title_is_an_entry_titled_by_the_block(
    line: str, title: str
) -> None:
    text = md("# Papers", "## Semi-supervised learning", f"1. [Temporal Ensembling]({A})", line)
    found = parse_notes(text, "n.md")
    assert shape(found)[1] == ("item", 4, title, "-")
    assert found[1].note == f"Semi-supervised learning\n{line}"


@pytest.mark.parametrize(
    ("line", "title"),
    [
        pytest.param(
            '- "Scaling Monosemanticity: Extracting Interpretable Features"',
            "Scaling Monosemanticity: Extracting Interpretable Features",
            id="quoted",
        ),
        pytest.param(
            "- *Not All Language Model Features Are Linear*",
            "Not All Language Model Features Are Linear",
            id="italic",
        ),
    ],
)
def test_a_title_alone_on_an_item_among_listed_papers_is_one_more_paper(
    line: str, title: str
) -> None:
    text = md("## To read", f"- [Temporal Ensembling]({A})", f"- [Mean Teachers]({B})", line)
    assert shape(parse_notes(text, "n.md"))[2] == ("item", 4, title, "-")


def test_an_emphasised_line_is_a_paper_only_alone_in_a_list_of_papers() -> None:
    text = md(
        "## Reading",
        f"- [Temporal Ensembling]({A})",
        f"- [Mean Teachers]({B})",
        "- **Key idea**: ensembling predictions over epochs as targets",
        "## Method",
        "- **Consistency Regularization Across Augmented Views**",
        "  - two views of each image, one target",
    )
    # A bold label starting a sentence is text; a bold line in a list naming no paper is a
    # note's own sub-heading: neither is a paper.
    assert shape(parse_notes(text, "n.md")) == [
        ("item", 2, "Temporal Ensembling", "2301.00001"),
        ("item", 3, "Mean Teachers", "2301.00002"),
    ]


def test_a_title_only_copy_of_a_listed_paper_takes_its_id() -> None:
    text = md(
        "### CNN Visualization",
        "1. Deep Inside Convolutional Networks [[note](./x.md",
        "### Total",
        f"1. Deep Inside Convolutional Networks [[note](./x.md)][[paper]({A})]",
        f"2. Network in Network [[paper]({B})]",
    )
    assert [u.ids[0].id.base if u.ids else None for u in parse_notes(text, "n.md")] == [
        "2301.00001",
        "2301.00001",
        "2301.00002",
    ]


# --- not notes ------------------------------------------------------------------------------------


def test_comments_give_no_entry() -> None:
    text = md(
        "## Papers",
        f"- [Paper A]({A})",
        "<!-- [Paper C](https://arxiv.org/abs/2301.00003) -->",
        "%% arXiv:2301.00004 %%",
        f"- [Paper B]({B}) <!-- arXiv:2301.00005 -->",
        "%%",
        "arXiv:2301.00006",
        "%%",
    )
    ids = {m.id.base for u in parse_notes(text, "n.md") for m in u.ids}
    assert ids == {"2301.00001", "2301.00002"}


def test_readme_sections_about_the_repository_give_no_entry() -> None:
    text = md(
        "# Awesome papers",
        "## Table of Contents",
        "- [Vision](#vision)",
        "- [Performance table](https://github.com/u/r/blob/master/README.md#performance-table)",
        "## Vision",
        f"- [Paper A]({A})",
        f"- [Paper B]({B})",
        "## Performance table",
        "| Model | mAP |",
        "|---|---|",
        "| R-CNN | 58.5 |",
        "## Contact",
        "- [pull request](https://github.com/u/r/pulls)",
        "## License",
        "MIT, see https://opensource.org/licenses/MIT",
    )
    assert [u.title for u in parse_notes(text, "n.md")] == ["Paper A", "Paper B"]


def test_title_like_lines_that_name_no_paper_are_said_not_lost() -> None:
    text = md(
        "## Vision",
        f"- [Paper A]({A})",
        f"- [Paper B]({B})",
        "## TODO",
        "- Deep Residual Learning for Image Recognition",
        "- Masked Autoencoders Are Scalable Vision Learners",
    )
    found, problems = parse_source(NotesText("n.md", text))
    assert [u.title for u in found] == ["Paper A", "Paper B"]
    assert [str(p) for p in problems] == [
        'n.md:5: 2 lines under "TODO" look like paper titles but name no paper (no link or '
        'id), so they are not in the bibliography: "Deep Residual Learning for Image '
        'Recognition" …'
    ]


def test_title_like_lines_among_listed_papers_are_said_not_lost() -> None:
    text = md(
        "## To read",
        f"- [Paper A]({A})",
        f"- [Paper B]({B})",
        "- Mixture of Depths: Dynamically Allocating Compute in Language Models",
    )
    found, problems = parse_source(NotesText("n.md", text))
    assert [u.title for u in found] == ["Paper A", "Paper B"]
    assert [str(p) for p in problems] == [
        'n.md:4: 1 line under "To read" looks like a paper title but names no paper (no link '
        'or id), so it is not in the bibliography: "Mixture of Depths: Dynamically Allocating '
        'Compute in Language Models"'
    ]


# --- Markdown read as its reader sees it ---------------------------------------------------------


def test_a_rule_under_a_table_is_a_rule_not_a_heading() -> None:
    text = md(
        "## Papers",
        "| Title | PDF |",
        "| --- | --- |",
        f"| Paper A | [pdf]({A}) |",
        f"| Paper B | [pdf]({B}) |",
        "---",
        "",
        "## Next",
    )
    assert shape(parse_notes(text, "n.md")) == [
        ("row", 4, "Paper A", "2301.00001"),
        ("row", 5, "Paper B", "2301.00002"),
    ]


@pytest.mark.parametrize(
    "math",
    [
        pytest.param(["$$", "a", "=", "b", "$$"], id="dollars"),
        pytest.param(["\\[", "x", "===", "y", "\\]"], id="brackets"),
    ],
)
def test_a_line_of_equals_inside_display_math_is_not_a_heading(math: list[str]) -> None:
    text = md("## Flow++", f"paper {A}", "The loss is:", *math, "and more.")
    (unit,) = parse_notes(text, "n.md")
    assert shape([unit]) == [("section", 1, "Flow++", "2301.00001")]
    assert unit.text == text.rstrip("\n")


def test_invalid_front_matter_is_a_warning_and_the_file_is_still_read() -> None:
    text = md("---", "title: TransTrack", "authors: [[A]], [[B]]", "---", "", f"- notes {A}")
    found, problems = parse_source(NotesText("t.md", text))
    assert shape(found) == [("file", 6, f"notes {A}", "2301.00001")]
    assert [str(p) for p in problems] == [
        "t.md:3: the front matter is not valid YAML (expected <block end>, but found ','); "
        "its keys are not read, the rest of the file is read as notes"
    ]


def test_a_file_opening_with_its_papers_citation_is_one_note_about_it() -> None:
    text = md(
        "---",
        "citekey: vaswani2017",
        "---",
        "> [!Cite]",
        "> Vaswani, A., Shazeer, N., & Polosukhin, I. (2017). _Attention Is All You Need_ "
        "(arXiv:1706.03762). arXiv.",
        "",
        "## Annotations",
        "### Important",
        ">📌 We propose a new simple network architecture",
        "[Page 1](zotero://open-pdf/library/items/ABCD?page=1)",
        "",
        f"Compare with the ConvS2S paper ({A}).",
    )
    found = units(text)
    assert shape(found) == [
        ("file", 4, "Attention Is All You Need", "1706.03762"),
        ("mention", 12, "Compare with the ConvS2S paper .", "2301.00001"),
    ]


def test_a_table_without_a_title_column_takes_each_rows_linked_title() -> None:
    text = md(
        "# Reviews",
        "## 2021",
        "| Week | Reviewed | Slides |",
        "|---|---|---|",
        "| 3 | [Genetic Algorithms: Concepts and Applications](https://ieeexplore.ieee.org/1) "
        "| - |",
        f"| 4 | [An Analysis of Deep Neural Networks]({A}) | [pdf](/a.pdf) |",
    )
    assert shape(parse_notes(text, "n.md")) == [
        ("row", 5, "Genetic Algorithms: Concepts and Applications", "-"),
        ("row", 6, "An Analysis of Deep Neural Networks", "2301.00001"),
    ]


def test_page_links_read_as_their_text_in_titles() -> None:
    text = md(
        "- Read today", f"\t- [[Attention Is All You Need]] {A}", f"\t- [[BERT|BERT paper]] {B}"
    )
    assert [u.title for u in parse_notes(text, "journal.md")] == [
        "Attention Is All You Need",
        "BERT paper",
    ]


def test_a_paper_section_citing_related_papers_by_title_stays_its_note() -> None:
    text = md(
        "# Notes",
        "## Attention Is All You Need",
        "https://arxiv.org/abs/1706.03762",
        "Related:",
        f"- [BERT]({A})",
        "- [GPT: Improving Language Understanding](https://openai.com/research/gpt)",
        "## AnimateDiff",
        "- paper: https://arxiv.org/abs/2307.04725",
        f"- see also [LEDITS]({B})",
    )
    assert shape(parse_notes(text, "n.md")) == [
        ("section", 2, "Attention Is All You Need", "1706.03762"),
        ("mention", 5, "BERT", "2301.00001"),
        ("mention", 6, "GPT: Improving Language Understanding", "-"),
        ("section", 7, "AnimateDiff", "2307.04725"),
        ("mention", 9, "LEDITS", "2301.00002"),
    ]


def test_a_one_paper_note_with_chapters_at_the_top_level_is_one_note() -> None:
    text = md(
        "# Meta Information",
        "- URL: [[2312.00752] Mamba: Linear-Time Sequence Modeling](https://arxiv.org/abs/2312.00752)",
        "# 1. Introduction",
        "Transformers are quadratic.",
        "# 2. State Space Models",
        "## Overview",
        "S4 combines RNNs and CNNs.",
        "# 3. Selective State Space Models",
        "> HiPPO Matrix from [[2111.00396] Efficiently Modeling Long Sequences]"
        "(https://arxiv.org/abs/2111.00396)",
    )
    assert shape(parse_notes(text, "mamba.md")) == [
        ("file", 1, "Mamba: Linear-Time Sequence Modeling", "2312.00752"),
        ("mention", 9, "Efficiently Modeling Long Sequences", "2111.00396"),
    ]


def test_badges_and_a_readmes_own_sections_give_no_entry() -> None:
    text = md(
        "# Awesome Diffusion [![Awesome](https://awesome.re/badge.svg)](https://awesome.re)",
        "",
        "[![PRs Welcome](https://img.shields.io/badge/PRs-welcome.svg)](http://makeapullrequest.com)",
        "",
        "## About",
        "My notes, see https://myblog.example.org",
        "## Papers",
        f"- **Denoising Diffusion Probabilistic Models** (NeurIPS 2020) [[paper]({A})]",
        "- **Imagen Video** [[project](https://imagen.research.google/video/)]",
        "## Star History",
        "[![Star History Chart](https://api.star-history.com/svg?repos=x/y)](https://star-history.com)",
    )
    assert shape(parse_notes(text, "README.md")) == [
        ("item", 8, "Denoising Diffusion Probabilistic Models", "2301.00001"),
        ("item", 9, "Imagen Video", "-"),
    ]
