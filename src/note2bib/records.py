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
    Section,
)
from note2bib.names import parse_name, split_names
from note2bib.notes.links import other_links
from note2bib.notes.mentions import SectionIds


def build_records(
    found: Sequence[SectionIds], papers: Mapping[str, Paper]
) -> tuple[list[Record], list[Diagnostic]]:
    """One record per paper (in order of first mention) and per note that names none."""
    groups: dict[object, list[Section]] = {}
    versions: dict[str, list[Mention]] = {}
    for item in found:
        if not item.mentions:
            groups.setdefault(item.section, []).append(item.section)
            continue
        for mention in item.mentions:
            base = mention.id.base
            sections = groups.setdefault(base, [])
            if item.section not in sections:
                sections.append(item.section)
            versions.setdefault(base, []).append(mention)

    diagnostics: list[Diagnostic] = []
    records = []
    for group, sections in groups.items():
        if isinstance(group, str):
            paper = papers.get(group)
            pinned, notes = _pinned_version(versions[group])
            diagnostics.extend(notes)
            records.append(
                Record(
                    key="",
                    sections=tuple(sections),
                    arxiv_id=ArxivId(group),
                    paper=paper,
                    pinned_version=pinned,
                    authors=paper.names if paper else _front_authors(sections),
                    **_from_notes(sections),
                )
            )
        else:
            records.append(
                Record(
                    key="",
                    sections=tuple(sections),
                    authors=_front_authors(sections),
                    year=next((f.year for f in _paper_fronts(sections) if f.year), None),
                    **_from_notes(sections),
                )
            )
    return assign_keys(records), diagnostics


class _NoteFields(TypedDict):
    links: tuple[Link, ...]
    keywords: tuple[str, ...]
    doi: str | None


def _from_notes(sections: Sequence[Section]) -> _NoteFields:
    """What a record takes from its notes besides their text: other links, tags and DOI."""
    fronts = [s.front for s in sections if s.front is not None]
    tags = dict.fromkeys(tag for front in fronts for tag in front.tags)
    doi = next((front.doi for front in fronts if front.doi), None)
    return {"links": other_links(sections), "keywords": tuple(tags), "doi": doi}


def _front_authors(sections: Sequence[Section]) -> tuple[Name, ...]:
    """The authors the front matter names, for an entry arXiv gives none for."""
    written = next((f.authors for f in _paper_fronts(sections) if f.authors), ())
    return tuple(parse_name(name) for text in written for name in split_names(text))


def _paper_fronts(sections: Sequence[Section]) -> list[FrontMatter]:
    """Front matter that describes the paper its file is about (it names its title, id or
    DOI): its `authors:` and `year:` are the paper's, not (as in a reading list's, or a
    daily note's `author: me`) the notes' own."""
    fronts = [s.front for s in sections if s.front is not None]
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
