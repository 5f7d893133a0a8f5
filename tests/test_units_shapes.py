"""notes.units on more shapes of real notes: each rule on a small hand-written note.

As in test_units.py, what is asserted is what the user gets: which units there are (kind,
line, title, arXiv ids) and what each note holds.
"""

from __future__ import annotations

from test_units import A, B, md, shape, units

from note2bib.notes.sources import NotesText, parse_source

# --- links that invite the reader somewhere are not papers ----------------------------------


def test_social_and_newsletter_links_give_no_entry() -> None:
    text = md(
        "# Top papers of the week",
        "",
        "[Subscribe to our newsletter](https://news.substack.com/) to get the list by mail.",
        "",
        "## This week",
        "",
        f"- [Mamba: Linear-Time Sequence Modeling]({A})",
        "- [Scaling Data-Constrained Language Models](https://openreview.net/forum?id=1)",
        "",
        "[Follow us on Twitter](https://twitter.com/someone)",
        "",
        "[Join our Discord](https://discord.gg/AbCd)",
        "",
        "[Our community chat](https://t.me/somegroup)",
    )
    assert shape(units(text)) == [
        ("item", 7, "Mamba: Linear-Time Sequence Modeling", "2301.00001"),
        ("item", 8, "Scaling Data-Constrained Language Models", "-"),
    ]


def test_a_paper_linked_to_a_post_on_a_social_site_is_still_a_paper() -> None:
    text = md(
        "## Papers",
        "",
        f"- [Mamba: Linear-Time Sequence Modeling]({A})",
        "- [Follow Your Pose: Pose-Guided Text-to-Video](https://x.com/someone/status/123)",
    )
    assert [u.title for u in units(text)] == [
        "Mamba: Linear-Time Sequence Modeling",
        "Follow Your Pose: Pose-Guided Text-to-Video",
    ]


# --- references written 'Authors. "Title." Venue.' ------------------------------------------


def test_each_quoted_reference_is_an_entry_titled_by_its_quoted_title() -> None:
    text = md(
        "# Reading roadmap",
        "",
        "## 1.1 Survey",
        "",
        '**[1]** LeCun, Yann, and Geoffrey Hinton. "**Deep learning**." Nature 521 (2015).'
        " [[pdf]](http://example.org/survey.pdf) **(Three Giants)** :star::star:",
        "",
        "## 1.2 Models",
        "",
        '**[2]** Hinton, Geoffrey E., et al. "**A fast learning algorithm for deep belief'
        ' nets**." Neural computation 18.7 (2006). [[pdf]](http://example.org/dbn.pdf)',
        "",
        '**[3]** W. Xiong, J. Droppo, G. Zweig "**Achieving Human Parity in Speech'
        f' Recognition**." arXiv preprint (2016). [[pdf]]({A})',
        "",
        "**[4]** Pinheiro, P.O., Collobert, R., Dollar, P. \u201c**Learning to segment object"
        " candidates.**\u201d In: NIPS. 2015. [[pdf]](http://example.org/seg.pdf)",
        "",
        '**[5]** Farhadi,Ali,etal. "**Every picture tells a story**". In ECCV, 2010.'
        " [[pdf]](http://example.org/story.pdf)",
    )
    assert shape(units(text)) == [
        ("section", 3, "Deep learning", "-"),
        ("paragraph", 9, "A fast learning algorithm for deep belief nets", "-"),
        ("paragraph", 11, "Achieving Human Parity in Speech Recognition", "2301.00001"),
        ("paragraph", 13, "Learning to segment object candidates", "-"),
        ("paragraph", 15, "Every picture tells a story", "-"),
    ]
    assert units(text)[1].note == "1.2 Models\n" + text.split("\n")[8]


def test_quoted_words_in_a_sentence_are_not_a_reference() -> None:
    text = md(
        "# Notes",
        "",
        "## Heads",
        "",
        f"Paper: {A}",
        "",
        '- Defines "word salad" as token bloat, see [the taxonomy](http://example.org/t).',
        '- 여러 "헤드"로 나누어 병렬 계산하는 방식',
    )
    assert shape(units(text)) == [("section", 3, "Heads", "2301.00001")]


# --- a paper's block of paragraphs: its short name, its full title, authors, links -----------


def test_a_block_of_paragraphs_per_paper_is_its_note_titled_by_its_full_title() -> None:
    text = md(
        "# rl papers",
        "",
        "### Policy Gradient",
        "",
        "**(1) Vanilla PG**",
        "",
        "[Policy gradient methods for reinforcement learning]",
        "",
        "Richard S. Sutton, David McAllester, 1999",
        "",
        "[`REVIEW`](./reviews/pg.md)\t|\t[`PAPER`](http://papers.example.org/pg.pdf)",
        "",
        "<br/>",
        "",
        "**(2) DDPG**",
        "",
        "[Continuous control with deep reinforcement learning]",
        "",
        "Timothy P. Lillicrap, Daan Wierstra (2016)",
        "",
        f"[`REVIEW`](./reviews/ddpg.md)\t|\t[`PAPER`]({A})",
        "",
        "<br/>",
    )
    found = units(text)
    assert shape(found) == [
        ("paragraph", 5, "Policy gradient methods for reinforcement learning", "-"),
        ("paragraph", 15, "Continuous control with deep reinforcement learning", "2301.00001"),
    ]
    assert [u.spans for u in found] == [((5, 11),), ((15, 21),)]


# --- one paper per file: its card first, then sections about no paper of their own ----------

_CARD = (
    "[HOME](../README.md)",
    "",
    "### PPO",
    "",
    "[Proximal policy optimization algorithms]",
    "",
    "John Schulman, Filip Wolski, Oleg Klimov",
    "",
    f"[`PAPER`]({A})",
    "",
    "<br/>",
    "",
)


def test_a_paper_card_then_sections_about_no_other_paper_is_one_note() -> None:
    text = md(
        *_CARD,
        "### [Scheme]",
        "",
        "TRPO에 이은 새로운 알고리즘이며, 기존의 [TRPO](./TRPO.md)는 복잡하다.",
        "",
        "### [Clipped Surrogate Objective]",
        "",
        '1. 충분히 작은 error <img src="https://latex.codecogs.com/gif.latex?\\epsilon" />이 존재',
        '2. 마찬가지로 작은 error <img src="https://latex.codecogs.com/gif.latex?\\alpha" />',
        "",
        "### [Experiments]",
        "",
        "MuJoCo에서 실험.",
    )
    found = units(text)
    assert shape(found) == [("file", 1, "Proximal policy optimization algorithms", "2301.00001")]
    assert found[0].note.endswith("MuJoCo에서 실험.")


def test_a_card_then_sections_about_other_papers_stays_a_note_per_paper() -> None:
    text = md(
        *_CARD,
        "### TRPO",
        "",
        f"[Trust region policy optimization]({B})",
        "",
        "Monotonic improvement.",
    )
    assert shape(units(text)) == [
        ("section", 3, "Proximal policy optimization algorithms", "2301.00001"),
        ("section", 13, "Trust region policy optimization", "2301.00002"),
    ]


# --- one paper per file: a "# Paper" metadata list with its Title field ---------------------

_META = (
    "# Paper",
    "",
    "* **Title**: BEGAN: Boundary Equilibrium Generative Adversarial Networks",
    "* **Authors**: David Berthelot, Thomas Schumm, Luke Metz",
    "* **Link**: {link}",
    "* **Year**: 2017",
    "",
)


def test_a_metadata_list_then_parts_is_one_note_titled_by_its_title_field() -> None:
    text = md(
        *(line.format(link=A) for line in _META),
        "# See also",
        "",
        "* [Detailed Summary](https://blog.example.org/2017/04/11/began/)",
        "* [Tensorflow implementation](https://github.com/someone/BEGAN-tensorflow)",
        "* [Video explanation by authors](https://www.youtube.com/watch?v=abc)",
        "",
        "# Summary",
        "",
        "* What",
        "  * A GAN based on an autoencoder with Wasserstein distance.",
        "",
        "# Rough chapter-wise notes",
        "",
        "* (1) Introduction",
        "  * Hard to train.",
    )
    found = units(text)
    assert shape(found) == [
        ("file", 1, "BEGAN: Boundary Equilibrium Generative Adversarial Networks", "2301.00001")
    ]
    assert found[0].note.endswith("Hard to train.")


def test_a_metadata_list_without_an_arxiv_link_is_titled_by_its_title_field() -> None:
    text = md(
        *(line.format(link="http://openaccess.example.org/began.pdf") for line in _META),
        "# Summary",
        "",
        "* They suggest a GAN algorithm.",
    )
    assert shape(units(text)) == [
        ("file", 1, "BEGAN: Boundary Equilibrium Generative Adversarial Networks", "-")
    ]


# --- a one-paper file with no title heading is called by its file's name ------------------

_REVIEW = md(
    "## Abstract",
    "",
    "GPT-2는 supervision 없이 언어 모델만으로 태스크를 푼다.",
    "",
    "## 1. Introduction",
    "",
    "머신러닝 시스템은 대규모의 데이터셋으로 학습해왔다.",
    "",
    "## 2. Approach",
    "",
    "Language modeling.",
)


def test_a_review_without_a_title_heading_is_called_by_its_file_name() -> None:
    assert shape(units(_REVIEW, "notes/GPT-2 리뷰.md")) == [("file", 1, "GPT-2", "-")]
    assert shape(units(_REVIEW, "2019-02-14-language_models_review.md")) == [
        ("file", 1, "language models", "-")
    ]


def test_a_file_name_that_is_no_title_leaves_the_heading() -> None:
    assert shape(units(_REVIEW, "README.md")) == [("file", 1, "Abstract", "-")]
    assert shape(units(_REVIEW, "<stdin>")) == [("file", 1, "Abstract", "-")]


# --- a paper table's title cell: the title, then its summary --------------------------------


def test_a_title_cell_followed_by_its_summary_is_titled_by_its_first_phrase() -> None:
    text = md(
        "## Top papers of the week",
        "| **Paper** | **Links** |",
        "| ------------- | ------------- |",
        "| 1) AlphaGenome  DeepMind introduces a model that predicts gene regulation. "
        "| [Paper](https://storage.example.org/alphagenome.pdf) |",
        "| 2)  **Large Concept Models** - presents an approach on sentence-level semantics. "
        "| [Paper](https://ai.example.org/lcm.pdf) |",
        "| 3) Cosmos World Foundation Model <br> a framework for Physical AI. "
        "| [Paper](https://research.example.org/cosmos.pdf) |",
        f"| 4) MEM1  learns to keep a constant memory. | [Paper]({A}) |",
    )
    assert shape(units(text)) == [
        ("row", 4, "AlphaGenome", "-"),
        ("row", 5, "Large Concept Models", "-"),
        ("row", 6, "Cosmos World Foundation Model", "-"),
        ("row", 7, "MEM1", "2301.00001"),
    ]


# --- the warning for title-like lines with no link ------------------------------------------


def test_a_table_of_contents_is_not_warned_about_as_titles_without_links() -> None:
    text = md(
        "## Contents",
        "",
        "* [Understanding / Generalization / Transfer](#understanding--generalization--transfer)",
        "* [Optimization / Training Techniques](#optimization--training-techniques)",
        "",
        "*(More than Top 100)*",
        "",
        "## Understanding / Generalization / Transfer",
        "",
        f"- [Paper A]({A})",
        f"- [Paper B]({B})",
        "",
        "## Optimization / Training Techniques",
        "",
        "- Deep Residual Learning for Image Recognition",
    )
    found, problems = parse_source(NotesText("n.md", text))
    assert [u.title for u in found] == ["Paper A", "Paper B"]
    assert [str(p) for p in problems] == [
        'n.md:15: 1 line under "Optimization / Training Techniques" looks like a paper title '
        "but names no paper (no link or id), so it is not in the bibliography: "
        '"Deep Residual Learning for Image Recognition"'
    ]


# --- a title that wraps onto the next line -------------------------------------------------


def test_a_title_wrapped_onto_the_next_line_is_read_whole() -> None:
    text = md(
        "#### 2017-09",
        "",
        "- ChestX-ray8: Hospital-scale Chest X-ray Database and Benchmarks on",
        "Weakly-Supervised Classification of Thorax Diseases"
        " [[CVF](http://openaccess.example.org/chestx.pdf)] [[article](https://nih.example.org/x)]",
        "- Human-level control through deep reinforcement",
        "learning [[Nature](https://web.example.org/dqn.pdf)]",
        f"- Neural Color Transfer between Images [[arXiv]({A})]",
        "- Deep Image Prior",
        "  Another look at priors [[code](https://github.com/someone/dip)]",
    )
    found, problems = parse_source(NotesText("n.md", text))
    assert shape(found) == [
        (
            "item",
            3,
            "ChestX-ray8: Hospital-scale Chest X-ray Database and Benchmarks on"
            " Weakly-Supervised Classification of Thorax Diseases",
            "-",
        ),
        ("item", 5, "Human-level control through deep reinforcement learning", "-"),
        ("item", 7, "Neural Color Transfer between Images", "2301.00001"),
    ]
    assert found[0].spans == ((3, 4),)
    # A title, then a line about it: not one title (and said, not lost).
    assert [p.line for p in problems] == [8]


# --- a title linked to the notes' own page about it, then the paper's link ------------------


def test_a_title_linked_to_its_note_file_then_a_paper_link_is_a_paper() -> None:
    text = md(
        "#### 2016-11",
        "",
        f"- Learning to reinforcement learn [[arXiv]({A})]",
        "- [Outrageously Large Neural Networks: The Sparsely-Gated Mixture-of-Experts Layer]"
        "(notes/mixture-experts.md) [[OpenReview](https://openreview.net/forum?id=B1ckMDqlg)]",
        f"- [Deep Networks with Stochastic Depth](notes/stochastic-depth.md) [[arXiv]({B})]",
        "- [Reading guide for this list](docs/guide.md)",
    )
    found, problems = parse_source(NotesText("n.md", text))
    assert shape(found) == [
        ("item", 3, "Learning to reinforcement learn", "2301.00001"),
        (
            "item",
            4,
            "Outrageously Large Neural Networks: The Sparsely-Gated Mixture-of-Experts Layer",
            "-",
        ),
        ("item", 5, "Deep Networks with Stochastic Depth", "2301.00002"),
    ]
    assert problems == []


def test_a_parenthesis_inside_a_leading_title_does_not_end_it() -> None:
    text = md(
        "## ICLR",
        "",
        "- Multi-Agent Cooperation and the Emergence of (Natural) Language"
        " [[OpenReview](https://openreview.net/forum?id=Hk8N3Sclg)]",
        f"- Deep Residual Learning (CVPR 2016) [[arXiv]({A})]",
    )
    assert shape(units(text)) == [
        ("item", 3, "Multi-Agent Cooperation and the Emergence of (Natural) Language", "-"),
        ("item", 4, "Deep Residual Learning", "2301.00001"),
    ]


# --- sentences and appeals to the reader are not papers -------------------------------------


def test_a_sentence_with_a_year_in_an_aside_is_not_a_paper() -> None:
    text = md(
        "## Awesome list criteria",
        "",
        "1. A list of **top 100 deep learning papers** published from 2012 to 2016 is suggested.",
        "2. If a paper is added to the list, another paper (usually from *More Papers from 2016"
        '" section) should be removed to keep top 100 papers.',
        "",
        "## Papers",
        "",
        "- **Deep Learning for Image Recognition** (2016), K. He [[pdf]](http://example.org/r.pdf)",
        "- Deep Residual Networks (CVPR 2016)",
        f"- Distilling the knowledge in a neural network (2015) [[pdf]]({A})",
    )
    assert shape(units(text)) == [
        ("item", 8, "Deep Learning for Image Recognition", "-"),
        ("item", 9, "Deep Residual Networks", "-"),
        ("item", 10, "Distilling the knowledge in a neural network", "2301.00001"),
    ]


def test_an_appeal_to_the_reader_in_bold_is_not_a_paper() -> None:
    text = md(
        "# Awesome papers",
        "",
        "*(Citation criteria)*",
        "- **2016** :  +60 citations",
        "",
        "**We need your contributions!**",
        "",
        "If you have any suggestions, please feel free to edit and pull a request.",
        "(Please read the [contributing guide](https://github.com/u/r/blob/master/Contributing.md)"
        " for further instructions.)",
        "",
        "## Models",
        "",
        f"- **Paper A** [[pdf]]({A})",
        "- **Paper Bee Cee** [[pdf]](http://example.org/b.pdf)",
    )
    assert shape(units(text)) == [
        ("item", 13, "Paper A", "2301.00001"),
        ("item", 14, "Paper Bee Cee", "-"),
    ]


# --- a list of papers each named before its links -------------------------------------------


def test_a_one_word_name_dated_before_its_links_names_a_paper() -> None:
    text = md(
        "## Deep learning Methods & Models",
        f"- AutoAugment (2018): [[Paper]]({A}) [[Notes]](notes/41_autoaugment.pdf)",
        "- Stacked Hourglass (2017): [[Paper]](http://example.org/138_Paper.pdf)"
        " [[Notes]](notes/34_stacked_hourglass.pdf)",
        "",
        "## Regularization",
        "- GoogLeNet (2014): [[Paper]](http://example.org/googlenet.pdf)",
        "",
        "## Updates",
        "- Update (2019): [[blog]](http://example.org/news)",
    )
    found = units(text)
    assert shape(found) == [
        ("item", 2, "AutoAugment", "2301.00001"),
        ("item", 3, "Stacked Hourglass", "-"),
        ("section", 5, "GoogLeNet", "-"),
    ]
    # AutoAugment's note is its own line, not the other paper's too.
    assert found[0].note == "Deep learning Methods & Models\n" + text.split("\n")[1]


def test_items_each_naming_their_paper_before_its_link_are_a_note_each() -> None:
    text = md(
        "## Attention",
        f"- Transformer (2017): [[Paper]]({B})",
        "- Image Transformer (2018): [[Paper]](http://example.org/it.pdf)",
        "",
        "## Mamba",
        "- paper: https://arxiv.org/abs/2301.00003",
        "- related: [Efficiently Modeling Long Sequences](https://openreview.net/forum?id=1)",
    )
    assert shape(units(text)) == [
        ("item", 2, "Transformer (2017): [Paper]", "2301.00002"),
        ("item", 3, "Image Transformer", "-"),
        # A bare link first, then a paper by title: the section's paper and its related work.
        ("section", 5, "Mamba", "2301.00003"),
    ]


# --- a dash inside a title, or before a description ----------------------------------------

DASH = "\u2013"  # an en dash, as lists write "Title \u2013 description"


def test_a_title_case_subtitle_after_a_dash_is_part_of_the_title() -> None:
    text = md(
        "## 2018-02",
        "",
        f"- Behavior is Everything {DASH} Towards Representing Concepts with Sensorimotor"
        " Contingencies [[paper](http://example.org/behavior.pdf)]",
        f"- Attention Is All You Need {DASH} introduces the Transformer"
        " [[paper](http://example.org/a.pdf)]",
        f"- Deep Learning {DASH} Nature 2015 [[pdf](http://example.org/b.pdf)]",
        f"- Deep Residual Learning {DASH} Kaiming He, Xiangyu Zhang"
        " [[pdf](http://example.org/d.pdf)]",
    )
    assert [u.title for u in units(text)] == [
        f"Behavior is Everything {DASH} Towards Representing Concepts with Sensorimotor"
        " Contingencies",
        "Attention Is All You Need",
        "Deep Learning",
        "Deep Residual Learning",
    ]


# --- a file about the repository -----------------------------------------------------------


def test_sections_of_a_contributing_guide_that_name_no_paper_are_not_notes() -> None:
    text = md(
        "# Contributing Guide",
        "",
        "You can edit the [README.md](https://github.com/u/r/blob/master/README.md) file.",
        "",
        "## Awesome list criteria",
        "",
        "- **2016** :    +20 citations (:sparkles: +50)",
        "",
        "## Deletion",
        "If a paper seems to be out-of-date, you can suggest deletion.",
        "",
        "## Example",
        f"`Distilling the knowledge in a neural network (2015) [[pdf]]({A})`",
    )
    assert shape(units(text)) == [("section", 12, "Example", "2301.00001")]


# --- a review that mirrors its paper's numbered chapters, with no link --------------------


def _review(*chapters: str) -> str:
    return md(
        "# MoCo v3: An Empirical Study of Training Self-Supervised Vision Transformers",
        "",
        "## Abstract",
        "",
        "자기지도 학습을 ViT에 적용.",
        "",
        *chapters,
    )


def test_a_review_numbered_like_its_paper_is_one_note_of_its_file() -> None:
    text = _review(
        "## 1.Introduction",
        "",
        "instability 문제.",
        "",
        "## 3. MoCo v3",
        "",
        "### 3.1 Overview",
        "",
        "query encoder, key encoder.",
        "",
        "## 4.2 A Trick for Improving Stability",
        "",
        "### Batch size",
        "",
        "batch가 클수록 불안정.",
    )
    found = units(text)
    title = "MoCo v3: An Empirical Study of Training Self-Supervised Vision Transformers"
    assert shape(found) == [("file", 1, title, "-")]
    assert found[0].text.endswith("batch가 클수록 불안정.")


def test_a_bold_phrase_over_a_figure_is_a_part_not_a_paper() -> None:
    text = md(
        "# Feature Pyramid Networks for Object Detection",
        "",
        "## Abstract",
        "",
        "피라미드 구조.",
        "",
        "## 1. Introduction",
        "",
        "**Single feature map**",
        "",
        "![image](https://user-images.githubusercontent.com/1/fig1.png)",
        "",
        " - YOLO 같은 one stage detector",
        "",
        "**Featurized image pyramid**",
        "",
        '<img src="https://user-images.githubusercontent.com/1/fig2.png" width="400">',
        "",
        " - 연산량 증가",
    )
    assert shape(units(text)) == [
        ("file", 1, "Feature Pyramid Networks for Object Detection", "-"),
    ]


def test_numbered_sections_titled_by_papers_are_a_note_each() -> None:
    text = md(
        "# Papers I read",
        "",
        "## 1. Attention Is All You Need",
        "",
        "Transformers replace recurrence.",
        "",
        "## 2. Deep Residual Learning for Image Recognition",
        "",
        "Residual blocks.",
        "",
        "## 3. Adam: A Method for Stochastic Optimization",
        "",
        "Adaptive moments.",
    )
    assert [(u.kind, u.line) for u in units(text)] == [
        ("section", 3),
        ("section", 7),
        ("section", 11),
    ]


def test_a_sub_topic_at_a_numbered_chapters_level_is_part_of_the_review() -> None:
    text = md(
        "# Video Transformer Network",
        "",
        "## Abstract",
        "",
        "Transformer 기반 비디오 인식.",
        "",
        "## 2. Related Work",
        "",
        "### Applying Transformers on long sequences",
        "",
        "긴 시퀀스의 처리.",
        "",
        "## Longformer",
        "",
        "선형 복잡도의 attention.",
        "",
        "## 3. Video Transformer Network",
        "",
        "backbone, temporal attention encoder.",
    )
    assert shape(units(text)) == [("file", 1, "Video Transformer Network", "-")]


def test_an_unnumbered_section_before_any_chapter_is_not_a_sub_topic() -> None:
    text = md(
        "# Papers I read",
        "",
        "## Summary",
        "",
        "What I read this month.",
        "",
        "## Attention Is All You Need",
        "",
        "Transformers replace recurrence.",
        "",
        "## 1. Deep Residual Learning for Image Recognition",
        "",
        "Residual blocks.",
    )
    assert [(u.kind, u.line) for u in units(text)] == [("section", 7), ("section", 11)]


def test_a_review_with_every_heading_at_one_level_is_titled_by_the_first() -> None:
    text = md(
        "## Algorithm Unrolling: Interpretable, Efficient Deep Learning",
        "",
        "<br/>",
        "",
        "## Abstract",
        "",
        "black box 특성.",
        "",
        "## 2. Generating Interpretable Networks Through Algorithm Unrolling",
        "",
        "### A. Conventional Neural Networks",
        "",
        "### B. Unrolling Sparse Coding Algorithms into Deep Networks",
        "",
        "#### Learned ISTA",
        "",
        "ISTA의 iteration을 layer로.",
    )
    title = "Algorithm Unrolling: Interpretable, Efficient Deep Learning"
    assert shape(units(text)) == [("file", 1, title, "-")]


def test_paper_titles_at_one_level_with_a_summary_are_still_a_note_each() -> None:
    text = md(
        "## Attention Is All You Need",
        "",
        "Transformers replace recurrence.",
        "",
        "## Deep Residual Learning for Image Recognition",
        "",
        "Residual blocks.",
        "",
        "## Summary",
        "",
        "Both changed the field.",
    )
    assert [(u.kind, u.line) for u in units(text)][:2] == [("section", 1), ("section", 5)]


def test_a_review_citing_one_paper_by_its_title_is_its_own_titles_note() -> None:
    title = "MoCo v3: An Empirical Study of Training Self-Supervised Vision Transformers"
    text = md(
        f"# {title}",
        "",
        "## Abstract",
        "",
        "자기지도 학습을 ViT에 적용.",
        "",
        "## 1. Introduction",
        "",
        f"ViT [An Image is Worth 16x16 Words]({A}) 의 확장.",
        "",
        "## 3. MoCo v3",
        "",
        "batch가 클수록 불안정.",
    )
    assert shape(units(text)) == [
        ("file", 1, title, "-"),
        ("mention", 9, "An Image is Worth 16x16 Words", "2301.00001"),
    ]


def test_a_review_titled_by_a_short_name_is_the_note_of_the_paper_it_links() -> None:
    text = md(
        "# ViT 리뷰",
        "",
        "## Abstract",
        "",
        "이미지를 패치로.",
        "",
        "## Links",
        "",
        f"- [An Image is Worth 16x16 Words]({A})",
    )
    assert shape(units(text)) == [("file", 1, "An Image is Worth 16x16 Words", "2301.00001")]


# --- inside one paper's note: what names another paper by its title only -------------------


def _one_paper_note(*summary: str) -> str:
    """A one-paper summary as aleju/papers writes them: a metadata list, then the summary."""
    return md(
        "# Paper",
        "",
        "* **Title**: Generative Moment Matching Networks",
        f"* **Link**: {A}",
        "* **Year**: 2015",
        "",
        "# Summary",
        "",
        *summary,
    )


def test_a_parenthesis_that_is_no_venue_and_year_does_not_make_a_sentence_a_paper() -> None:
    text = _one_paper_note(
        "* Results",
        "  * Top-5 Error (ILSVRC 2012 val set, 144 crops/image):",
        "    * Inception-v4: 3.8%",
        "  * Google started their self-driving car project in 2009 and drove 1.5 million miles",
        "    autonomously (as of march 2016). They split the project off into Waymo in 2016.",
        "  * The models were developed over the course of ~10 years (2003-2014).",
        "  * They use minibatch sizes of 1000 (i.e. based on 2000 points total).",
    )
    assert shape(units(text)) == [("file", 1, "Generative Moment Matching Networks", "2301.00001")]


def test_a_title_then_its_venue_and_year_still_names_a_paper() -> None:
    text = md(
        "## Papers",
        "",
        "- Deep Residual Networks (CVPR 2016)",
        "- Scaling Laws for Language Models (arXiv 2020)",
        "- Mastering the Game of Go (Nature, 2016)",
        "- Dropout as Regularisation (ICML 2019, oral)",
        "- Spatial Transformer Networks (NIPS'15)",
    )
    assert [u.title for u in units(text)] == [
        "Deep Residual Networks",
        "Scaling Laws for Language Models",
        "Mastering the Game of Go",
        "Dropout as Regularisation",
        "Spatial Transformer Networks",
    ]


def test_words_of_a_sentence_before_or_in_a_link_are_not_a_title() -> None:
    text = _one_paper_note(
        "* How",
        "  * They then use a [selective search algorithm](http://example.org/sande.pdf) on it.",
        "  * They the German-English [WMT](http://www.statmt.org/wmt15/) dataset.",
        "  * [The authors propose a loss](http://example.org/loss.pdf) like ours.",
        "  * [We compare with the method of](http://example.org/boxes.pdf) earlier work.",
    )
    assert shape(units(text)) == [("file", 1, "Generative Moment Matching Networks", "2301.00001")]


def test_a_title_starting_with_a_pronoun_in_title_case_is_still_a_title() -> None:
    text = md(
        "## Papers",
        "",
        "- We Are Humor Beings: Understanding Humor [[pdf]](http://example.org/humor.pdf)",
        "- [They Might Be Giants: Scaling Laws](http://example.org/giants.pdf)",
    )
    assert [u.title for u in units(text)] == [
        "We Are Humor Beings: Understanding Humor",
        "They Might Be Giants: Scaling Laws",
    ]


def test_a_link_labelled_with_whose_or_which_it_is_is_a_label_not_a_paper() -> None:
    text = md(
        "# Paper",
        "",
        "* **Title**: Wasserstein GAN",
        f"* **Link**: {A}",
        "",
        "# See also",
        "",
        "* [paper's github repository](https://github.com/someone/wgan)",
        "* [Other Summary](https://paper.dropbox.com/doc/Wasserstein-GAN-Gv)",
        "* [Official code](https://example.org/wgan/code)",
        "",
        "# Summary",
        "",
        "* They train a critic instead of a discriminator.",
    )
    assert shape(units(text)) == [("file", 1, "Wasserstein GAN", "2301.00001")]


def test_sub_headings_and_links_to_summaries_inside_a_paper_note_are_not_papers() -> None:
    text = _one_paper_note(
        "* How",
        "  * *Pretraining the base model*",
        "    * They start with a basic model following the architecture of AlexNet.",
        "  * *Locating bounding boxes of face candidates*",
        "    * A [selective search](https://example.org/~vgg/sande_iccv11.pdf) gives boxes.",
        "  * **Feature extraction per face candidate**",
        "    * They feed each bounding box through the network.",
        "* See also",
        "  * [Explanation for all the math](http://www.someblog.com/2017/02/22/gmmn.html)",
        "  * [A Gentle Walk Through the Proofs](https://someone.github.io/blog/gmmn/)",
        "  * [Another summary of the method](https://paper.dropbox.com/doc/GMMN-Gv)",
    )
    assert shape(units(text)) == [("file", 1, "Generative Moment Matching Networks", "2301.00001")]


def test_title_cased_links_to_shared_documents_and_blog_platforms_are_not_papers() -> None:
    text = _one_paper_note(
        "* See also",
        "  * [Attention Explained](https://docs.google.com/document/d/1abc/edit)",
        "  * [Moment Matching Notes](https://hackmd.io/@someone/gmmn)",
        "  * [Kernel Two Sample Tests Explained](https://someone.notion.site/MMD-0123)",
        "  * [트랜스포머 정리](https://someone.tistory.com/12)",
        "  * [Kernel Mean Embedding Primer](https://velog.io/@someone/mmd)",
    )
    assert shape(units(text)) == [("file", 1, "Generative Moment Matching Networks", "2301.00001")]


def test_a_paper_cited_inside_a_paper_note_by_reference_or_link_to_it_is_a_mention() -> None:
    text = _one_paper_note(
        "* Related",
        "  * They build on [Character-aware neural language models](https://arxiv.org/abs/2301.00002).",
        "  * Kim, Y., Jernite, Y., & Rush, A. M. (2016). Character-aware neural language models"
        " for everything. AAAI.",
        "  * [Deep Residual Learning for Image Recognition](https://openaccess.thecvf.com/r.pdf)",
        "  * [Attention Is All You Need](https://papers.nips.cc/paper/7181) is the other base.",
        "  * **Batch Normalization: Accelerating Training** (ICML 2015)",
        "  * [Sequence Level Training](https://doi.org/10.1000/182)",
    )
    assert shape(units(text)) == [
        ("file", 1, "Generative Moment Matching Networks", "2301.00001"),
        ("mention", 10, "Character-aware neural language models", "2301.00002"),
        ("mention", 11, "Character-aware neural language models for everything", "-"),
        ("mention", 12, "Deep Residual Learning for Image Recognition", "-"),
        ("mention", 13, "Attention Is All You Need", "-"),
        ("mention", 14, "Batch Normalization: Accelerating Training", "-"),
        ("mention", 15, "Sequence Level Training", "-"),
    ]


def test_authors_and_a_year_without_a_title_are_not_a_paper() -> None:
    text = md(
        "## Datasets",
        "",
        f"- [Paper A]({A})",
        "- Qiu & Yuille (2016): A method to create virtual worlds using Unreal Engine 4.",
        "- Extra annotations for 400 dynamic scenes by Menze & Geiger (2015).",
        "- Menze and Geiger (2015) [[pdf]](http://example.org/kitti.pdf)",
        "- Unsupervised Domain Adaptation by Backpropagation (ICML 2015)",
    )
    assert [u.title for u in units(text)] == [
        "Paper A",
        "Unsupervised Domain Adaptation by Backpropagation",
    ]
