"""Sections + papers → records: one per paper, every note about it, and a citation key."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TypedDict

from anyascii import anyascii

from note2bib.ids import find_arxiv_ids
from note2bib.links import other_links
from note2bib.model import ArxivId, Diagnostic, Link, Mention, Name, Paper, Record, Section
from note2bib.names import parse_name
from note2bib.titles import STOPWORDS


@dataclass(frozen=True)
class SectionIds:
    """A section and the arXiv ids it names, each with its line in the file."""

    section: Section
    mentions: tuple[Mention, ...]


def find_mentions(sections: Iterable[Section]) -> list[SectionIds]:
    """Every arXiv id each section names, with the line it is on."""
    found = []
    for section in sections:
        declared = section.front.arxiv if section.front else ()
        mentions = declared + tuple(
            Mention(
                id=match.id,
                source=section.source,
                line=section.line + section.text.count("\n", 0, match.start),
                written=section.text[match.start : match.end],
            )
            for match in find_arxiv_ids(section.text)
        )
        found.append(SectionIds(section, mentions))
    return found


def unique_ids(found: Iterable[SectionIds]) -> list[ArxivId]:
    """Versionless ids in order of first appearance."""
    seen: dict[ArxivId, None] = {}
    for item in found:
        for mention in item.mentions:
            seen.setdefault(mention.id.versionless, None)
    return list(seen)


def build_records(
    found: Sequence[SectionIds],
    papers: Mapping[str, Paper],
    taken_keys: Collection[str] = (),
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
                    authors=tuple(parse_name(a) for a in paper.authors) if paper else (),
                    **_from_notes(sections),
                )
            )
        else:
            records.append(Record(key="", sections=tuple(sections), **_from_notes(sections)))
    return assign_keys(records, taken_keys), diagnostics


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


def natural_key(record: Record) -> str:
    """`family` + `year` + first significant title word, ASCII lower case (the README's rule)."""
    paper = record.paper
    if paper is not None:
        family = _family_token(record.authors[0]) if record.authors else "anon"
        return f"{family or 'anon'}{paper.published.year}{_first_word(paper.title, 1)}"
    if record.arxiv_id is not None:
        return "arxiv" + re.sub(r"[^a-z0-9]", "", record.arxiv_id.base.lower())
    return _first_word(record.sections[0].heading, 2) or "note"


def assign_keys(records: Sequence[Record], taken_keys: Collection[str] = ()) -> list[Record]:
    """Give each record a key unique among them and unlike every taken key (case-insensitive).

    Where natural keys collide, papers take suffixes in arXiv-id order (then notes in order of
    appearance), so reordering the notes never renames a paper.
    """
    used = {k.lower() for k in taken_keys}

    def collision_order(i: int) -> tuple[bool, str, int]:
        arxiv_id = records[i].arxiv_id
        return (arxiv_id is None, arxiv_id.base if arxiv_id else "", i)

    order = sorted(range(len(records)), key=collision_order)
    keys: dict[int, str] = {}
    for i in order:
        base = natural_key(records[i])
        key, n = base, 0
        while key.lower() in used:
            n += 1
            key = base + _suffix(n)
        used.add(key.lower())
        keys[i] = key
    return [r if r.key == keys[i] else replace(r, key=keys[i]) for i, r in enumerate(records)]


def _suffix(n: int) -> str:
    """1 → a, 26 → z, 27 → aa: spreadsheet-column letters."""
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _ascii_words(text: str) -> list[str]:
    # Math spans (`$\omega$Test`) carry no word a reader would look for in a key.
    text = re.sub(r"\$[^$]*\$", " ", text)
    text = anyascii(text).replace("'", "")
    return [w.lower() for w in re.findall(r"[A-Za-z0-9]+", text)]


def _first_word(title: str, count: int) -> str:
    words = _ascii_words(title)
    significant = [w for w in words if w not in STOPWORDS]
    return "".join((significant or words)[:count])


def _family_token(name: Name) -> str:
    if name.literal:
        return _first_word(name.family, 1)
    return "".join(_ascii_words(name.family))
