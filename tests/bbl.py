"""Reading what bibtex and biber wrote into a .bbl: field values and the notes in them."""

from __future__ import annotations

import re

from note2bib.latex import decode


def braced_after(text: str, opener: str) -> list[str]:
    """Every balanced `{…}` value that follows `opener` in `text`."""
    values = []
    for m in re.finditer(re.escape(opener), text):
        depth, start = 1, m.end()
        for i in range(start, len(text)):
            depth += (text[i] == "{") - (text[i] == "}")
            if depth == 0:
                values.append(text[start:i])
                break
    return values


def read_back(value: str) -> str:
    """A .bbl value as text: bibtex and biber collapse white space (bibtex re-wraps lines)."""
    return decode(" ".join(value.split()))
