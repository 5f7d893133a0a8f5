"""Notes that name no arXiv id, looked up by title: `find_by_title`, and what it found.

How titles are asked is `title_searcher`'s (with `search`'s decisions under it), loaded only
when a note has no id to resolve: a run whose notes all name their ids does without it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from note2bib.model import Diagnostic, Paper
from note2bib.notes.mentions import UnitIds

if TYPE_CHECKING:
    from note2bib.arxiv.api import ArxivClient
    from note2bib.arxiv.cache import Cache
    from note2bib.arxiv.search import Batching

OnProgress = Callable[[int, int], None]
"""Told (notes done, notes to search) as title searches settle notes."""


@dataclass(frozen=True)
class TitleSearch:
    """Notes with the papers their titles found, and what the search did."""

    found: list[UnitIds]
    """The input, with a mention added to each note whose title was found with certainty."""
    papers: dict[str, Paper] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    searched: int = 0
    """Notes whose title was looked up (in the cache or on arXiv)."""
    accepted: int = 0
    requests: int = 0
    asked: int = 0
    """Titles asked of arXiv (the others came from the cache)."""
    combined: int = 0
    """Requests that asked for several titles at once."""
    unsearched: dict[tuple[str, int], str] = field(default_factory=dict)
    """Notes (source, line) left without a paper because a title of theirs could not be
    looked up (--offline and not cached, or arXiv failed), with why: a later run may find it."""


def find_by_title(
    found: Sequence[UnitIds],
    cache: Cache,
    client: ArxivClient | None,
    refresh: bool = False,
    on_progress: OnProgress | None = None,
    batching: Batching | None = None,
) -> TitleSearch:
    """Search arXiv by title for every note that names no arXiv id; accept only certainties.

    `client=None` is offline: cached searches only. `refresh` asks arXiv again for every title.
    `batching` is `search.BATCHING` unless given.
    """
    if all(item.mentions for item in found):
        return TitleSearch(list(found))
    from note2bib.arxiv.title_searcher import Searcher

    searcher = Searcher(cache, client, refresh, batching, on_progress)
    out = searcher.find(found)
    return TitleSearch(
        out,
        searcher.papers,
        searcher.diagnostics,
        searcher.searched,
        searcher.accepted,
        searcher.requests,
        len(searcher.asked),
        searcher.combined,
        searcher.unsearched,
    )
