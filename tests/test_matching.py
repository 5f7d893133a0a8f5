"""Is a paper from the notes already in the library? Each rule on a hand-written library, and the
cases that must never be merged."""

from __future__ import annotations

from pathlib import Path

import pytest

from note2bib.library.duplicates import find_duplicates
from note2bib.library.identity import TitleFacts
from note2bib.library.matching import Matcher, same_title
from note2bib.library.read import read_library
from note2bib.model import ArxivId, LibraryEntry, Record, Unit
from note2bib.names import parse_name
from note2bib.title_match import similar_titles
from note2bib.titles import normalize_title

from fixture_papers import fixture_paper

CORPORA = Path(__file__).parent / "fixtures" / "corpora"


def record(base: str) -> Record:
    """A record of the real recorded paper `base`, as the notes would give it."""
    paper = fixture_paper(base)
    section = Unit("notes.md", 1, paper.title, f"## {paper.title}\narXiv:{base}")
    return Record(
        key="",
        units=(section,),
        arxiv_id=ArxivId(base),
        paper=paper,
        authors=tuple(parse_name(a) for a in paper.authors),
    )


def library(tmp_path: Path, text: str, name: str = "refs.bib") -> Matcher:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return Matcher(read_library(str(path)).entries)


# One library holding papers of the notes in the guises real tools write.
GUISES = """\
@article{lehman2023clinical,
  title={Do we still need clinical language models?},
  author={Lehman, Eric and Hernandez, Evan},
  journal={arXiv preprint arXiv:2302.08091},
  year={2023}
}
@misc{kirillov2023segment,
  title = {Segment Anything},
  author = {Alexander Kirillov and Eric Mintun},
  year = {2023},
  eprint = {2304.02643},
  archivePrefix = {arXiv},
  primaryClass = {cs.CV}
}
@article{Touvron2023,
  author = {Touvron, Hugo},
  title = {{LLaMA}: Open and Efficient Foundation Language Models},
  arxivId = {2302.13971},
  year = {2023}
}
@article{DBLP:journals/corr/abs-2307-04725,
  author = {Yuwei Guo and Ceyuan Yang},
  title = {AnimateDiff},
  journal = {CoRR},
  volume = {abs/2307.04725},
  year = {2023}
}
@inproceedings{galhotra2017fairness,
  title = {Fairness testing: testing software for discrimination},
  author = {Galhotra, Sainyam and Brun, Yuriy and Meliou, Alexandra},
  booktitle = {Proceedings of ESEC/FSE},
  doi = {https://doi.org/10.1145/3106237.3106277},
  year = {2017}
}
@article{hu2023thought,
  title = {Thought Cloning: Learning to Think While Acting by Imitating Human Thinking},
  author = {Hu, Shengran and Clune, Jeff},
  year = {2023}
}
"""


@pytest.mark.parametrize(
    ("base", "key", "how"),
    [
        pytest.param("2302.08091", "lehman2023clinical", "arXiv id in journal", id="scholar"),
        pytest.param("2304.02643", "kirillov2023segment", "arXiv id in eprint", id="arxiv-export"),
        pytest.param("2302.13971", "Touvron2023", "arXiv id in arxivid", id="mendeley"),
        pytest.param(
            "2307.04725", "DBLP:journals/corr/abs-2307-04725", "arXiv id in volume", id="dblp"
        ),
        pytest.param("1709.03221", "galhotra2017fairness", "DOI", id="doi-only"),
        pytest.param("2306.00323", "hu2023thought", "title and first author", id="title-only"),
    ],
)
def test_each_guise_is_recognised(tmp_path: Path, base: str, key: str, how: str) -> None:
    match = library(tmp_path, GUISES).match(record(base))
    assert match is not None
    assert (match.entry.key, match.how) == (key, how)


def test_a_paper_the_library_lacks_is_not_matched(tmp_path: Path) -> None:
    assert library(tmp_path, GUISES).match(record("2307.05300")) is None


def test_a_title_typo_is_still_the_same_paper(tmp_path: Path) -> None:
    index = library(
        tmp_path,
        "@misc{x, author={Lehman, E.}, year={2023},\n"
        "  title={Do We Stil Need Clinical Language Models}}\n",
    )
    match = index.match(record("2302.08091"))
    assert match is not None and match.how == "title and first author"


@pytest.mark.parametrize(
    ("author", "how"),
    [
        ("Lehman, Eric and Hernandez, Evan", "title and first author"),
        ("Eric Lehman", "title and first author"),
        ("Lehman, E.", "title and first author"),
        ("{L}ehman, Eric", "title and first author"),  # LaTeX in the name
        ("Lehm{\\'a}n, Eric", "title and first author"),  # accents are folded
        ("Leh{\\'a}n, Eric", None),  # another name once decoded
        ("Hernandez, Evan and Lehman, Eric", None),  # not the first author
        ("Jane .", "title and year"),  # no family name to compare: the year decides
        ("{OpenAI}", None),
    ],
)
def test_the_first_author_in_any_form_decides_a_title_match(
    tmp_path: Path, author: str, how: str | None
) -> None:
    # Many entries whose authors share no word with the paper's, as in a large library.
    others = "".join(
        f"@misc{{o{n}, author={{Smith{n}, Jane}}, year={{2023}},\n"
        f"  title={{Do We Still Need Clinical Language Models}}}}\n"
        for n in range(50)
    )
    index = library(
        tmp_path,
        others + f"@misc{{x, author={{{author}}}, year={{2023}},\n"
        "  title={Do We Still Need Clinical Language Models?}}\n",
    )
    match = index.match(record("2302.08091"))
    assert (match and (match.entry.key, match.how)) == (how and ("x", how))


def test_same_title_different_authors_is_another_paper(tmp_path: Path) -> None:
    index = library(
        tmp_path, "@misc{other, title={Segment Anything}, author={Smith, Jane}, year={2023}}\n"
    )
    assert index.match(record("2304.02643")) is None


def test_same_author_and_year_different_title_is_another_paper(tmp_path: Path) -> None:
    index = library(
        tmp_path,
        "@misc{lehman2023other, title={Clinical Notes Are Long}, author={Lehman, Eric},"
        " year={2023}}\n",
    )
    assert index.match(record("2302.08091")) is None


def test_a_title_match_without_authors_needs_the_year_within_one(tmp_path: Path) -> None:
    near = library(tmp_path, "@misc{sam, title={Segment anything}, year={2024}}\n", "near.bib")
    far = library(tmp_path, "@misc{sam, title={Segment anything}, year={2019}}\n", "far.bib")
    match = near.match(record("2304.02643"))
    assert match is not None and match.how == "title and year"
    assert far.match(record("2304.02643")) is None


def facts(title: str, chapter: str | None = None, pages: str | None = None) -> TitleFacts:
    return TitleFacts(normalize_title(title), "smith", frozenset({"smith"}), 2016, chapter, pages)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param("Multiview Stereopsis", "Multi-View Stereopsis", id="joined-word"),
        pytest.param("Nonlinear Ring Tire Model", "Non-linear Ring Tyre Model", id="spelling"),
        pytest.param("The Finite Element Method", "Finite element method", id="article"),
        pytest.param(
            "Mechanics of Crack Propagation", "Mechanics of Croack Propagation", id="typo"
        ),
        pytest.param("{BERT}: Pre-training", "BERT: pre-training", id="markup"),
    ],
)
def test_near_identical_titles_are_one(a: str, b: str) -> None:
    assert similar_titles(normalize_title(a), normalize_title(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param("Tabu Search Part I", "Tabu Search Part II", id="part-numbers"),
        pytest.param("LLaMA: Open Models", "LLaMA 2: Open Models", id="version-number"),
        pytest.param(
            "Curiosity rover on low cohesion heap",
            "Curiosity rover on high cohesion heap",
            id="word-swapped",
        ),
        pytest.param("BERT", "BART", id="short"),
        pytest.param("Segment Anything", "Segment Anything: A Survey", id="subtitle"),
        pytest.param("작은 언어 모델의 학습", "큰 언어 모델의 학습", id="korean"),
    ],
)
def test_titles_a_word_or_number_apart_are_two(a: str, b: str) -> None:
    assert not similar_titles(normalize_title(a), normalize_title(b))


def test_two_chapters_of_one_book_are_never_one_paper() -> None:
    book = "Deep Learning"
    assert same_title(facts(book, chapter="5"), facts(book, chapter="6")) is None
    assert same_title(facts(book, chapter="5"), facts(book)) is None
    assert same_title(facts(book, pages="1--20"), facts(book, pages="21--40")) is None
    assert same_title(facts(book, chapter="5"), facts(book, chapter="5")) is not None
    assert same_title(facts(book, pages="1--20"), facts(book)) is not None


def test_dedupe_groups_one_paper_in_several_guises_and_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(
        GUISES
        + """
@misc{sam-again, title={Segment anything}, author={Kirillov, A.}, year={2023},
  url={https://arxiv.org/abs/2304.02643v4}}
@misc{fairness-journal, title={Fairness Testing}, author={Galhotra, S.},
  doi={10.1145/3106237.3106277}}
@inbook{dl5, title={Deep Learning}, author={Goodfellow, Ian}, chapter={5}, year={2016},
  doi={10.1000/the-book}}
@inbook{dl6, title={Deep Learning}, author={Goodfellow, Ian}, chapter={6}, year={2016},
  doi={10.1000/the-book}}
@misc{hu2023again, title={Thought cloning: learning to think while acting by imitating
  human thinking}, author={Shengran Hu}, year={2023}}
""",
        encoding="utf-8",
    )
    groups = find_duplicates(read_library(str(path)).entries)
    assert [([e.key for e in g.entries], g.how) for g in groups] == [
        (["kirillov2023segment", "sam-again"], "arXiv id 2304.02643; title and first author"),
        (["galhotra2017fairness", "fairness-journal"], "DOI 10.1145/3106237.3106277"),
        (["hu2023thought", "hu2023again"], "title and first author"),
    ]


def test_dedupe_reports_the_eleven_arxiv_ids_under_two_keys_in_the_uwsbel_library() -> None:
    entries = read_library(str(CORPORA / "ml_uwsbel_refsML-AI.bib")).entries
    groups = find_duplicates(entries)
    by_id = sorted(
        reason.removeprefix("arXiv id ")
        for g in groups
        for reason in g.how.split("; ")
        if reason.startswith("arXiv id")
    )
    assert by_id == [
        "1412.6980",
        "1509.02971",
        "1606.01540",
        "2001.08361",
        "2107.03374",
        "2211.11501",
        "2301.04104",
        "2305.06161",
        "2310.08864",
        "2312.13322",
        "2401.04088",
    ]


def test_entries_are_library_values() -> None:
    entry = LibraryEntry("k", "misc", (("title", "x"),), "refs.bib", 3, (10, 20))
    assert entry.where == "refs.bib:3"
