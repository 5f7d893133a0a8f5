"""Title normalisation: what two spellings of one title have in common, and nothing more."""

from __future__ import annotations

import pytest

from note2bib.titles import normalize_title, title_similarity


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
