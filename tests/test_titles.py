"""Title normalisation: what two spellings of one title have in common, and nothing more."""

from __future__ import annotations

import doctest

import pytest

from note2bib import titles
from note2bib.title_match import title_similarity
from note2bib.titles import HeadingTitle, heading_title, looks_like_title, normalize_title


@pytest.mark.parametrize(
    ("title", "normal"),
    [
        pytest.param("{BERT}: Pre-training of Deep", "bert pre training of deep", id="braces"),
        pytest.param("Doll{\\'a}r and Rozi\\`ere", "dollar and roziere", id="latex-accents"),
        pytest.param("Dollár and Rozière", "dollar and roziere", id="utf8-accents"),
        pytest.param("Promises \\& Perils", "promises perils", id="escaped-ampersand"),
        pytest.param("  Segment\tAnything ", "segment anything", id="whitespace"),
        pytest.param("STRASSE straße", "strasse strasse", id="casefold"),
        pytest.param("작은 언어 모델", "작은 언어 모델", id="korean-kept"),
        pytest.param("$\\omega$Test", "ωtest", id="math-decoded"),
    ],
)
def test_normalize_title(title: str, normal: str) -> None:
    assert normalize_title(title) == normal


def test_korean_titles_do_not_all_look_alike() -> None:
    assert normalize_title("작은 언어 모델") != normalize_title("큰 언어 모델")
    assert title_similarity("작은 언어 모델의 학습", "의료 영상 분할 연구") < 50


def test_similarity_ignores_markup_but_not_word_order() -> None:
    assert title_similarity("{LLaMA}: Open and Efficient", "LLaMA: open and efficient") == 100
    assert title_similarity("Open and Efficient LLaMA", "LLaMA: Open and Efficient") < 90


@pytest.mark.parametrize(
    ("heading", "title", "year"),
    [
        pytest.param(
            "AnimateDiff: Animate Your Personalized Text-to-Image Diffusion Models without "
            "Specific Tuning (23.7, Shanghai AI Laboratory외)",
            "AnimateDiff: Animate Your Personalized Text-to-Image Diffusion Models without "
            "Specific Tuning",
            2023,
            id="seed-affiliation",
        ),
        pytest.param(
            "Thought Cloning: Learning to Think while Acting by Imitating Human Thinking "
            "(University of British Columbia, June 2023)",
            "Thought Cloning: Learning to Think while Acting by Imitating Human Thinking",
            2023,
            id="seed-month-year",
        ),
        pytest.param(
            "Solo Performance Prompting (SPP) — 한 모델이 여러 페르소나로 협업",
            "Solo Performance Prompting",
            None,
            id="acronym-and-korean-tail",
        ),
        pytest.param("📄 Paper: Segment Anything 🔥", "Segment Anything", None, id="emoji-label"),
        pytest.param("[CVPR 2023] Segment Anything", "Segment Anything", 2023, id="venue-tag"),
        pytest.param("2023-04-05 Segment Anything", "Segment Anything", None, id="leading-date"),
        pytest.param("Segment Anything, April 2023", "Segment Anything", 2023, id="trailing-date"),
        pytest.param("Gamma-Ray Bursts (92.4)", "Gamma-Ray Bursts", 1992, id="last-century"),
        pytest.param(
            "Drawing (Complete) Binary Tanglegrams: Hardness",
            "Drawing (Complete) Binary Tanglegrams: Hardness",
            None,
            id="parentheses-inside-kept",
        ),
        pytest.param("BERT — Pre-training", "BERT — Pre-training", None, id="latin-tail-kept"),
        pytest.param("(2023)", "(2023)", None, id="nothing-but-decoration"),
    ],
)
def test_heading_title_takes_decorations_off(heading: str, title: str, year: int | None) -> None:
    assert heading_title(heading) == HeadingTitle(title, year)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        pytest.param("Segment Anything", True, id="two-words"),
        pytest.param("GFPGAN", False, id="one-name"),
        pytest.param("Segment Anything 정리", False, id="mixed-korean"),
        pytest.param("The 2nd of 3", False, id="small-words-and-numbers"),
    ],
)
def test_looks_like_title(title: str, expected: bool) -> None:
    assert looks_like_title(title) is expected


def test_doctests() -> None:
    assert doctest.testmod(titles).failed == 0
