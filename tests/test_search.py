"""Title search decisions: what a note calls its paper, and when a result is certain."""

from __future__ import annotations

import pytest

from note2bib.arxiv.search import (
    Clues,
    batch_query,
    decide,
    family_names,
    needs_own_search,
    note_clues,
    search_key,
    title_phrase,
    title_query,
)
from note2bib.model import FrontMatter, Paper, Unit

from fixture_papers import fixture_paper


def section(heading: str, body: str = "", front: FrontMatter | None = None) -> Unit:
    text = f"## {heading}\n{body}".rstrip("\n")
    return Unit("notes.md", 1, heading, text, (), front)


def clues(title: str, **kwargs: object) -> Clues:
    return Clues((title,), **kwargs)  # type: ignore[arg-type]


DNA = fixture_paper("1106.3680")  # Efficient Two-Stage Group Testing Algorithms for DNA Screening
GENETIC = fixture_paper("1306.4664")  # … for Genetic Screening
CHAPTER5 = fixture_paper("math-ph/0509005")  # Computable Integrability. Chapter 5: Factorization…
CHAPTER2 = fixture_paper("math-ph/0509024")  # Computable Integrability. Chapter 2: Riccati equation
SAM = fixture_paper("2304.02643")


@pytest.mark.parametrize(
    ("heading", "body", "titles", "year"),
    [
        pytest.param("Segment Anything", "", ("Segment Anything",), None, id="plain"),
        pytest.param(
            "LEDITS: Real Image Editing (23.7, HuggingFace)",
            "",
            ("LEDITS: Real Image Editing",),
            2023,
            id="affiliation-and-short-date",
        ),
        pytest.param(
            "📄 Paper: Thought Cloning: Learning to Think (UBC, June 2023)",
            "",
            ("Thought Cloning: Learning to Think",),
            2023,
            id="emoji-prefix-date",
        ),
        pytest.param(
            "오늘 읽은 논문",
            '제목은 "Do We Still Need Clinical Language Models?" 이다.',
            ("Do We Still Need Clinical Language Models?",),
            None,
            id="quoted-title-in-body",
        ),
        pytest.param("GFPGAN", "", None, None, id="one-word-name-is-no-title"),
        pytest.param("비교 메모", "", None, None, id="korean-heading"),
    ],
)
def test_note_clues_take_the_title_without_decorations(
    heading: str, body: str, titles: tuple[str, ...] | None, year: int | None
) -> None:
    found = note_clues(section(heading, body))
    if titles is None:
        assert found is None
    else:
        assert found is not None
        assert found.titles == titles
        assert found.year == year


def test_note_clues_read_authors_and_year_lines_and_front_matter() -> None:
    body = "Authors: Eric Lehman, Evan Hernandez et al.\nYear: 2023\n"
    found = note_clues(section("Do We Still Need Clinical Language Models?", body))
    assert found is not None
    assert found.authors == ("lehman", "hernandez")
    assert found.year == 2023
    front = FrontMatter(title="Segment Anything", authors=("Kirillov, Alexander",), year=2023)
    found = note_clues(section("My notes", "", front))
    assert found is not None
    assert found.titles[0] == "Segment Anything"
    assert found.authors == ("kirillov",)


def test_family_names_in_the_forms_notes_use() -> None:
    assert family_names(
        ["Hugo Touvron; Thibaut Lavril", "Dollár, Piotr", "Kirillov and Mintun"]
    ) == [
        "touvron",
        "lavril",
        "dollar",
        "kirillov",
        "mintun",
    ]


def test_query_asks_for_any_title_word_and_key_is_the_normalised_title() -> None:
    assert title_query("OpenAI's GPT-2") == "ti:openai OR ti:gpt OR ti:2"
    assert (
        search_key("Segment  Anything!") == search_key("segment anything") == "ti:segment anything"
    )


def test_several_titles_are_asked_as_phrases_any_of_which_may_match() -> None:
    assert batch_query(["Segment Anything!", "LEDITS: Real Image Editing"]) == (
        'ti:"segment anything" OR ti:"ledits real image editing"'
    )


@pytest.mark.parametrize(
    ("title", "phrase"),
    [
        pytest.param("OpenAI's GPT-2", "openai's gpt 2", id="apostrophe-inside-a-word-stays"),
        pytest.param("Don\u2019t Stop Pretraining", "don't stop pretraining", id="typographic"),
        pytest.param('"Quoted" (and) OR ti:x', "quoted and or ti x", id="no-query-syntax"),
        pytest.param("Dollár's 'Focal' Loss", "dollár's focal loss", id="accents-stay"),
        pytest.param(r"$\omega$Test", "ωtest", id="latex-decoded"),
    ],
)
def test_a_phrase_holds_only_words_arxiv_can_match(title: str, phrase: str) -> None:
    assert title_phrase(title) == phrase


def test_a_title_without_words_is_never_a_phrase() -> None:
    # `ti:""` is no condition at all: arXiv would answer with any paper.
    with pytest.raises(ValueError, match="without words"):
        batch_query(["Segment Anything", "?!"])


@pytest.mark.parametrize(
    ("title", "answer", "full", "again"),
    [
        pytest.param(
            "Efficient Two-Stage Group Testing Algorithms", [DNA], True, True, id="full-answer"
        ),
        pytest.param(
            "Efficient Two-Stage Group Testing Algorithms",
            [DNA],
            False,
            False,
            id="phrase-held-answer-complete",
        ),
        pytest.param(
            "ωTest: WebView-Oriented Testing", [SAM], False, True, id="phrase-held-by-none"
        ),
        pytest.param("Anything Segment", [], False, True, id="empty-answer"),
    ],
)
def test_a_title_left_unsettled_is_searched_alone_only_when_that_could_find_more(
    title: str, answer: list[Paper], full: bool, again: bool
) -> None:
    assert needs_own_search(title, answer, full) is again


@pytest.mark.parametrize(
    ("title", "candidates", "accepted"),
    [
        pytest.param(DNA.title, [GENETIC, DNA], DNA, id="right-one-second"),
        pytest.param(
            "efficient two stage group testing algorithms for dna screening",
            [DNA],
            DNA,
            id="case-and-hyphens",
        ),
        pytest.param("Segment Anything", [SAM], SAM, id="short-exact"),
        pytest.param(
            "DNA Screening: Efficient Two-Stage Group Testing Algorithms",
            [DNA, GENETIC],
            None,
            id="reordered",
        ),
        pytest.param(
            "Efficient Two-Stage Group Testing Algorithms", [DNA, GENETIC], None, id="no-subtitle"
        ),
        pytest.param(
            "Efficient Two-Stage Group Testing Algorithms for Screening",
            [DNA, GENETIC],
            None,
            id="word-missing-between-two",
        ),
        pytest.param(
            "Efficient Two-Stage Group Testing Algorithms for RNA Screening",
            [DNA, GENETIC],
            None,
            id="one-word-changed",
        ),
        pytest.param(
            "Computable Integrability. Chapter 2: Factorization of LPDOs",
            [CHAPTER5, CHAPTER2],
            None,
            id="number-changed",
        ),
        pytest.param("Computable Integrability", [CHAPTER5, CHAPTER2], None, id="series-name"),
        pytest.param(DNA.title, [], None, id="no-candidates"),
    ],
)
def test_decide_accepts_only_a_certain_match(
    title: str, candidates: list[Paper], accepted: Paper | None
) -> None:
    decision = decide(clues(title), candidates)
    assert decision.paper == accepted
    if candidates and accepted is None:
        assert decision.best is not None  # -v shows the best candidate and its score


def test_year_and_authors_the_note_gives_must_agree() -> None:
    assert decide(clues(SAM.title, year=2023), [SAM]).paper == SAM
    assert decide(clues(SAM.title, year=2024), [SAM]).paper == SAM  # a venue a year later
    wrong_year = decide(clues(SAM.title, year=2019), [SAM])
    assert wrong_year.paper is None
    assert "2019" in wrong_year.reason
    assert decide(clues(SAM.title, authors=("kirillov", "girshick")), [SAM]).paper == SAM
    stranger = decide(clues(SAM.title, authors=("lehman",)), [SAM])
    assert stranger.paper is None
    assert "lehman" in stranger.reason
