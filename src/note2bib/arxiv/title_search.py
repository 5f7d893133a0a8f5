"""Notes that name no arXiv id, looked up by title: `find_by_title`, and what it found.

How titles are asked is `title_searcher`'s (with `search`'s decisions under it), loaded only
when a note has no id to resolve: a run whose notes all name their ids does without it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from note2bib.model import Diagnostic, Paper
from note2bib.notes.mentions import UnitIds

if TYPE_CHECKING:
    from note2bib.arxiv.api import ArxivClient
    from note2bib.arxiv.cache import Cache
    from note2bib.arxiv.search import Batching

OnProgress = Callable[[int, int], None]
"""Told (notes done, notes to search) as title searches settle notes."""


class TitleSearch(NamedTuple):
    """Notes with the papers their titles found, and what the search did."""

    found: list[UnitIds]
    """The input, with a mention added to each note whose title was found with certainty."""
    papers: dict[str, Paper]
    diagnostics: list[Diagnostic]
    unsearched: dict[tuple[str, int], str]
    """Notes (source, line) left without a paper because a title of theirs could not be
    looked up (--offline and not cached, or arXiv failed), with why: a later run may find it."""
    searched: int = 0
    """Notes whose title was looked up (in the cache or on arXiv)."""
    accepted: int = 0
    requests: int = 0
    asked: int = 0
    """Titles asked of arXiv (the others came from the cache)."""
    combined: int = 0
    """Requests that asked for several titles at once."""


def nothing_searched(found: Sequence[UnitIds]) -> TitleSearch:
    """The notes as they are: no title looked up."""
    return TitleSearch(list(found), {}, [], {})


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
        return nothing_searched(found)
    from note2bib.arxiv.title_searcher import Searcher

    searcher = Searcher(cache, client, refresh, batching, on_progress)
    return TitleSearch(
        found=searcher.find(found),
        papers=searcher.papers,
        diagnostics=searcher.diagnostics,
        unsearched=searcher.unsearched,
        searched=searcher.searched,
        accepted=searcher.accepted,
        requests=searcher.requests,
        asked=len(searcher.asked),
        combined=searcher.combined,
    )
