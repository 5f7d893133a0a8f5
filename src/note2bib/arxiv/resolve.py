"""Ids to papers: the cache first, arXiv only for what the cache lacks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from note2bib.arxiv.api import ArxivClient, OnRequest
from note2bib.arxiv.cache import Cache
from note2bib.model import ArxivId, Paper

OFFLINE = "not in the cache and --offline was given"


class Resolution(NamedTuple):
    """Papers by versionless id, the ids without one (and why), and where the papers came from."""

    papers: dict[str, Paper]
    missing: dict[str, str]
    from_cache: int = 0
    fetched: int = 0
    requests: int = 0


def resolve(
    ids: Sequence[ArxivId],
    cache: Cache,
    client: ArxivClient | None,
    refresh: bool = False,
    on_request: OnRequest | None = None,
) -> Resolution:
    """Every paper for `ids`: cached ones as they are, the rest from arXiv (then cached).

    `client=None` is offline: nothing is asked, misses are missing. `refresh` asks arXiv for
    every id again; a paper arXiv then fails to send is still taken from the cache.
    """
    bases = list(dict.fromkeys(arxiv_id.base for arxiv_id in ids))
    cached = {} if refresh else cache.get_many(bases)
    wanted = [ArxivId(base) for base in bases if base not in cached]
    if not wanted:
        return _ordered(bases, cached, {}, {}, requests=0)
    if client is None:
        return _ordered(bases, cached, {}, dict.fromkeys((i.base for i in wanted), OFFLINE), 0)
    got = client.fetch(wanted, on_request=on_request)
    cache.put_many(got.papers.values())
    missing = dict(got.missing)
    if refresh and missing:
        # A refresh that arXiv could not serve keeps what we had rather than losing the paper.
        cached = cache.get_many(missing)
        missing = {base: why for base, why in missing.items() if base not in cached}
    return _ordered(bases, cached, got.papers, missing, got.requests)


def _ordered(
    bases: list[str],
    cached: dict[str, Paper],
    fetched: dict[str, Paper],
    missing: dict[str, str],
    requests: int,
) -> Resolution:
    """A Resolution whose dicts follow the order the ids were given in."""
    papers = {b: fetched.get(b) or cached[b] for b in bases if b in fetched or b in cached}
    return Resolution(
        papers=papers,
        missing={b: missing[b] for b in bases if b in missing},
        from_cache=sum(1 for b in papers if b not in fetched),
        fetched=len(fetched),
        requests=requests,
    )
