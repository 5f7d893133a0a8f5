"""Papers from the recorded arXiv entries, parsed the way note2bib parses a live answer."""

from __future__ import annotations

from functools import cache

import arxiv._feed

from note2bib.arxiv_api import paper_from_result
from note2bib.model import Paper

from arxiv_standin import build_feed, load_entries


@cache
def fixture_paper(base: str) -> Paper:
    """The recorded paper `base` (versionless id), exactly as arXiv's feed gives it."""
    feed = arxiv._feed.parse(build_feed(base, [load_entries()[base]], 0, 100, 1))
    (result,) = feed.results
    return paper_from_result(result)
