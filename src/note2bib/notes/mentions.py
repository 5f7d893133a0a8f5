"""The arXiv ids each note names, with the line each is on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from note2bib.arxiv.ids import find_arxiv_ids
from note2bib.model import ArxivId, Mention, Section


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
