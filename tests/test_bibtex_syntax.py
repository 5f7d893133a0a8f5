"""BibTeX's own reading of values, where note2bib does it itself rather than through pybtex."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from pybtex.bibtex.utils import split_name_list

from note2bib.bibtex_syntax import first_name

# Name lists as libraries write them: separators in any case and spacing, braces, near-misses.
_NAME_PIECES = st.sampled_from(
    [
        *"ABab {},.~\\",
        " and ",
        " AND ",
        " And ",
        "\tand\n",
        "and",
        "anderson",
        "  ",
        "\xa0",
        "\n",
        "Doe, J.",
        "{Barnes and Noble}",
        "van der",
        "\u2028",
        "Ł",
    ]
)
_NAME_LISTS = st.one_of(st.text(), st.lists(_NAME_PIECES, max_size=12).map("".join))


@settings(max_examples=1000)
@given(_NAME_LISTS)
@example("{Barnes and Noble} and\n  Smith, J.")
@example("Doe, Jane  AND Roe, R.")
@example(" and Smith")
def test_the_first_name_is_the_one_pybtex_splits_off(names: str) -> None:
    found = split_name_list(" ".join(names.split()))
    assert first_name(names) == (found[0] if found else "")
