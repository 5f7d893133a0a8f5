"""The format registry: names, the suffixes that imply a format, and unknown names."""

from __future__ import annotations

import pytest

from note2bib.errors import UsageError
from note2bib.formats import FORMATS, format_for, format_for_suffix

SUFFIXES = [
    ("refs.bib", "bibtex"),
    ("refs.BIB", "bibtex"),
    ("refs.json", "csl-json"),
    ("zotero.ris", "ris"),
    ("notes.txt", None),
    ("refs", None),
]


def test_every_format_is_registered_by_name() -> None:
    assert sorted(FORMATS) == ["biblatex", "bibtex", "csl-json", "ris"]
    assert format_for("BibTeX") is FORMATS["bibtex"]
    assert format_for("biblatex") is FORMATS["biblatex"]


@pytest.mark.parametrize(("path", "name"), SUFFIXES, ids=[s[0] for s in SUFFIXES])
def test_suffix_implies_a_format(path: str, name: str | None) -> None:
    assert format_for_suffix(path) == name


def test_unknown_format_is_a_usage_error_naming_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"known formats: biblatex, bibtex, csl-json, ris$"):
        format_for("endnote")
