"""Notes + papers → records: one per paper with every note about it, keyed (see `keys`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypedDict

from note2bib.keys import assign_keys
from note2bib.model import (
    ArxivId,
    Diagnostic,
    FrontMatter,
    Link,
    Mention,
    Name,
    Paper,
    Record,
    Unit,
)
from note2bib.notes.links import other_links
from note2bib.notes.mentions import UnitIds
from note2bib.titles import looks_like_title, normalize_title


def build_records(
    found: Sequence[UnitIds], papers: Mapping[str, Paper]
) -> tuple[list[Record], list[Diagnostic]]:
    """One record per paper (in order of first mention) and per note that names none.

    Units that name no arXiv paper are one record per title when they give one (the same
    paper listed in two places), else one record each.
    """
    groups: dict[object, list[Unit]] = {}
    versions: dict[str, list[Mention]] = {}
    for item in found:
        if not item.mentions:
            groups.setdefault(_title_group(item.unit), []).append(item.unit)
            continue
        for mention in item.mentions:
            base = mention.id.base
            units = groups.setdefault(base, [])
            if item.unit not in units:
                units.append(item.unit)
            versions.setdefault(base, []).append(mention)

    diagnostics: list[Diagnostic] = []
    records = []
    for group, units in groups.items():
        if isinstance(group, str):
            paper = papers.get(group)
            pinned, notes = _pinned_version(versions[group])
            diagnostics.extend(notes)
            records.append(
                Record(
                    key="",
                    units=tuple(units),
                    arxiv_id=ArxivId(group),
                    paper=paper,
                    pinned_version=pinned,
                    authors=paper.names if paper else _front_authors(units),
                    **_from_notes(units),
                )
            )
        else:
            records.append(
                Record(
                    key="",
                    units=tuple(units),
                    authors=_front_authors(units),
                    year=next((f.year for f in _paper_fronts(units) if f.year), None),
                    **_from_notes(units),
                )
            )
    return assign_keys(records), diagnostics


def _title_group(unit: Unit) -> object:
    """What an id-less unit is grouped by: its paper's title, when it is titled by a
    reference (a section heading is a note of its own, whatever it says)."""
    if unit.kind in ("section", "file") or not looks_like_title(unit.title):
        return unit
    return ("title", normalize_title(unit.title))


class _NoteFields(TypedDict):
    links: tuple[Link, ...]
    keywords: tuple[str, ...]
    doi: str | None


def _from_notes(units: Sequence[Unit]) -> _NoteFields:
    """What a record takes from its notes besides their text: other links, tags and DOI."""
    fronts = [u.front for u in units if u.front is not None]
    tags = dict.fromkeys(tag for front in fronts for tag in front.tags)
    doi = next((front.doi for front in fronts if front.doi), None)
    return {"links": other_links(units), "keywords": tuple(tags), "doi": doi}


def _front_authors(units: Sequence[Unit]) -> tuple[Name, ...]:
    """The authors the front matter names, for an entry arXiv gives none for."""
    written = next((f.authors for f in _paper_fronts(units) if f.authors), ())
    if not written:
        return ()
    from note2bib.names import parse_name, split_names  # for front matter that names authors

    return tuple(parse_name(name) for text in written for name in split_names(text))


def _paper_fronts(units: Sequence[Unit]) -> list[FrontMatter]:
    """Front matter that describes the paper its file is about (it names its title, id or
    DOI, and the file is one note): its `authors:` and `year:` are the paper's, not (as in a
    reading list's, or a daily note's `author: me`) the notes' own."""
    fronts = [u.front for u in units if u.front is not None and u.kind == "file"]
    return [f for f in fronts if f.title or f.arxiv or f.doi]


def _pinned_version(mentions: Sequence[Mention]) -> tuple[int | None, list[Diagnostic]]:
    """The version the notes link to, if any; the newest when they link to several."""
    pinned = sorted({m.id.version for m in mentions if m.id.version is not None})
    if len(pinned) <= 1:
        return (pinned[0] if pinned else None), []
    first = mentions[0]
    note = Diagnostic(
        f"the notes link to versions {', '.join(f'v{v}' for v in pinned)} of "
        f"{first.id.base}; the url keeps v{pinned[-1]}",
        first.source,
        first.line,
        level="info",
    )
    return pinned[-1], [note]
