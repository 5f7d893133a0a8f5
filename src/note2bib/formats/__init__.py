"""Output formats: one module per format with one `render`, registered here and nowhere else.

A format's module is imported when it renders: listing the formats (for `--help` and option
checks) loads none of them, and an export loads only its own.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePath
from types import MappingProxyType
from typing import NamedTuple

from note2bib.errors import UsageError
from note2bib.model import Record


class RenderOptions(NamedTuple):
    """What the user asked of the output beyond the format itself."""

    abstract: bool = False
    """Include arXiv's abstract."""


Render = Callable[[Sequence[Record], RenderOptions], str]


class Format(NamedTuple):
    """A registered output format: its name, the file suffixes that imply it, its renderer."""

    name: str
    suffixes: tuple[str, ...]
    render: Render
    bib_syntax: bool = False
    """Entries in BibTeX's syntax (`@type{key, …}`): what `--merge` can append to a .bib."""


def _bibtex(records: Sequence[Record], options: RenderOptions) -> str:
    from note2bib.formats import bibtex

    return bibtex.render(records, options)


def _biblatex(records: Sequence[Record], options: RenderOptions) -> str:
    from note2bib.formats import biblatex

    return biblatex.render(records, options)


def _csl_json(records: Sequence[Record], options: RenderOptions) -> str:
    from note2bib.formats import csl_json

    return csl_json.render(records, options)


def _ris(records: Sequence[Record], options: RenderOptions) -> str:
    from note2bib.formats import ris

    return ris.render(records, options)


FORMATS: Mapping[str, Format] = MappingProxyType(
    {
        f.name: f
        for f in (
            Format("bibtex", (".bib",), _bibtex, bib_syntax=True),
            # `.bib` stays BibTeX, which every tool reads: biblatex is asked for by name.
            Format("biblatex", (), _biblatex, bib_syntax=True),
            Format("csl-json", (".json",), _csl_json),
            Format("ris", (".ris",), _ris),
        )
    }
)


def format_for(name: str) -> Format:
    """The format called `name` (any case); a usage error naming the known ones otherwise."""
    try:
        return FORMATS[name.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise UsageError(f"unknown format {name!r}; known formats: {known}") from None


def format_for_suffix(path: str | os.PathLike[str]) -> str | None:
    """The name of the format a file name implies (`refs.bib` → `bibtex`), if any."""
    suffix = PurePath(path).suffix.lower()
    return next((f.name for f in FORMATS.values() if suffix in f.suffixes), None)
