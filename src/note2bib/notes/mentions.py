"""The arXiv ids each unit of the notes is about, with the line each is on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from note2bib.model import ArxivId, Mention, Unit


@dataclass(frozen=True)
class UnitIds:
    """A unit and the arXiv ids it is about (those it names, or the one found by its title)."""

    unit: Unit
    mentions: tuple[Mention, ...]


def find_mentions(units: Iterable[Unit]) -> list[UnitIds]:
    """Each unit with the arXiv ids it is about, each where it is written."""
    return [UnitIds(unit, unit.ids) for unit in units]


def unique_ids(found: Iterable[UnitIds]) -> list[ArxivId]:
    """Versionless ids in order of first appearance."""
    seen: dict[ArxivId, None] = {}
    for item in found:
        for mention in item.mentions:
            seen.setdefault(mention.id.versionless, None)
    return list(seen)
