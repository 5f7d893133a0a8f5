"""Papers (and records) from the recorded arXiv entries, parsed as note2bib parses a live answer."""

from __future__ import annotations

from functools import cache

from note2bib.arxiv.atom import read_feed
from note2bib.model import Paper, Record, Unit

from arxiv_standin import build_feed, load_entries


@cache
def fixture_paper(base: str) -> Paper:
    """The recorded paper `base` (versionless id), exactly as arXiv's feed gives it."""
    (paper,) = read_feed(build_feed(base, [load_entries()[base]], 0, 100, 1))
    return paper


def note_unit(text: str, links: tuple[str, ...] = (), line: int = 1) -> Unit:
    """A note as notes.markdown would give it: the heading is the first line without its `#`s."""
    heading = text.split("\n", 1)[0].lstrip("#").strip()
    return Unit("notes.md", line, heading, text, links)


def fixture_record(key: str, base: str, *notes: str, pinned: int | None = None) -> Record:
    """A resolved record for the recorded paper `base`, carrying `notes` as its units."""
    paper = fixture_paper(base)
    return Record(
        key=key,
        units=tuple(note_unit(n) for n in notes),
        arxiv_id=paper.id,
        paper=paper,
        pinned_version=pinned,
        authors=paper.names,
    )
