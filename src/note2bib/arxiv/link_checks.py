"""Checks of the notes against what arXiv says: a link to the wrong paper, an older version.

Pure functions of records and the mentions they came from; the messages are diagnostics.
"""

from __future__ import annotations

from collections.abc import Sequence

from note2bib.model import Diagnostic, Record, Unit
from note2bib.notes.mentions import UnitIds
from note2bib.title_match import heading_matches
from note2bib.titles import heading_title, looks_like_title, quoted

MIN_TITLE_WORDS = 3
"""A heading with fewer significant words is a name (`GFPGAN`, `Thought Cloning`), not a title."""


def check_links(records: Sequence[Record], found: Sequence[UnitIds]) -> list[Diagnostic]:
    """A warning for each note whose heading is a paper title clearly unlike its link's paper."""
    linked: dict[Unit, set[str]] = {}
    for item in found:
        # Notes found by their title match it by construction; a note naming several papers
        # (a comparison) cannot have one title.
        if item.mentions and all(m.written for m in item.mentions):
            linked[item.unit] = {m.id.base for m in item.mentions}
    out = []
    for record in records:
        paper = record.paper
        if paper is None:
            continue
        for unit in record.units:
            # A passage citing the paper inside another's note has no title of its own.
            if unit.kind == "mention" or linked.get(unit) != {paper.id.base}:
                continue
            title = heading_title(unit.title).title
            if looks_like_title(title, MIN_TITLE_WORDS) and not heading_matches(title, paper):
                out.append(
                    Diagnostic(
                        f"the note's title {quoted(unit.title)} does not match arXiv "
                        f"{paper.id} {quoted(paper.title)}",
                        unit.source,
                        unit.line,
                    )
                )
    return out


def older_versions(records: Sequence[Record], found: Sequence[UnitIds]) -> list[Diagnostic]:
    """An info line for each entry whose notes link a version older than arXiv's latest."""
    first: dict[tuple[str, int], tuple[str, int]] = {}
    for item in found:
        for m in item.mentions:
            if m.id.version is not None:
                first.setdefault((m.id.base, m.id.version), (m.source, m.line))
    out = []
    for record in records:
        paper, pinned = record.paper, record.pinned_version
        if paper is None or pinned is None or pinned >= paper.version:
            continue
        source, line = first[(paper.id.base, pinned)]
        out.append(
            Diagnostic(
                f"{paper.id}v{pinned} is not the latest version (arXiv has v{paper.version}); "
                f"the entry cites the paper, its url keeps v{pinned}",
                source,
                line,
                level="info",
            )
        )
    return out
