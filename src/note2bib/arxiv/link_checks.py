"""Checks of the notes against what arXiv says: a link to the wrong paper, an older version.

Pure functions of records and the mentions they came from; the messages are diagnostics.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz

from note2bib.model import Diagnostic, Paper, Record, Unit
from note2bib.notes.mentions import UnitIds
from note2bib.titles import heading_title, looks_like_title, normalize_title, significant_words

MIN_TITLE_WORDS = 3
"""A heading with fewer significant words is a name (`GFPGAN`, `Thought Cloning`), not a title."""
SAME_TITLE = 80.0
"""Whole-title similarity from which a heading is the paper's title (a title edited in v4)."""
SAME_PART = 85.0
"""Similarity to a part of the title (before or after a colon) that counts as naming it."""
SHARED_WORDS = 0.5
"""Share of the heading's significant words found in arXiv's title that counts as a match."""

_PART_SEPARATORS = (":", " - ", " \u2014 ", " \u2013 ", "? ")


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
                        f'the note\'s title "{unit.title}" does not match arXiv '
                        f'{paper.id} "{paper.title}"',
                        unit.source,
                        unit.line,
                    )
                )
    return out


def heading_matches(title: str, paper: Paper) -> bool:
    """Whether a heading plausibly names this paper: its title (any version's, near enough),
    a part of it, a name its abstract uses, or most of the title's words."""
    mine = normalize_title(title)
    theirs = normalize_title(paper.title)
    if fuzz.ratio(mine, theirs) >= SAME_TITLE:
        return True
    if any(fuzz.ratio(mine, normalize_title(part)) >= SAME_PART for part in _parts(paper.title)):
        return True
    padded = f" {mine} "
    if padded in f" {theirs} " or padded in f" {normalize_title(paper.summary)} ":
        return True
    words = significant_words(title)
    shared = set(words) & set(significant_words(paper.title))
    return len(shared) >= SHARED_WORDS * len(words)


def _parts(title: str) -> list[str]:
    parts = [title]
    for separator in _PART_SEPARATORS:
        parts = [piece for part in parts for piece in part.split(separator)]
    return [p for p in parts if p.strip()]


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
