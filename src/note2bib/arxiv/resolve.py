"""Ids (and titles) to papers: the cache first, arXiv only for what the cache lacks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from note2bib.arxiv.api import ArxivClient, OnRequest, SearchFailed
from note2bib.arxiv.cache import Cache
from note2bib.arxiv.search import (
    SEARCH_RESULTS,
    Clues,
    Decision,
    decide,
    note_clues,
    search_key,
    title_query,
)
from note2bib.model import ArxivId, Diagnostic, Mention, Paper, Section
from note2bib.notes.mentions import SectionIds
from note2bib.titles import quoted

OFFLINE = "not in the cache and --offline was given"


@dataclass(frozen=True)
class Resolution:
    """Papers by versionless id, the ids without one (and why), and where the papers came from."""

    papers: dict[str, Paper] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
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


@dataclass(frozen=True)
class TitleSearch:
    """Notes with the papers their titles found, and what the search did."""

    found: list[SectionIds]
    """The input, with a mention added to each note whose title was found with certainty."""
    papers: dict[str, Paper] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    searched: int = 0
    """Notes whose title was looked up (in the cache or on arXiv)."""
    accepted: int = 0
    requests: int = 0
    unsearched: dict[tuple[str, int], str] = field(default_factory=dict)
    """Notes (source, line) left without a paper because a title of theirs could not be
    looked up (--offline and not cached, or arXiv failed), with why: a later run may find it."""


def find_by_title(
    found: Sequence[SectionIds],
    cache: Cache,
    client: ArxivClient | None,
    refresh: bool = False,
) -> TitleSearch:
    """Search arXiv by title for every note that names no arXiv id; accept only certainties.

    Searches are cached by their normalised title, their candidates with the papers, so a
    second run decides again from the cache and asks nothing. `client=None` is offline.
    """
    searcher = _Searcher(cache, client, refresh)
    out: list[SectionIds] = []
    for item in found:
        clues = None if item.mentions else note_clues(item.section)
        if clues is None:
            out.append(item)
            continue
        decision = searcher.decide(item.section, clues)
        if decision is not None and decision.paper is not None:
            mention = Mention(decision.paper.id, item.section.source, item.section.line, "")
            item = SectionIds(item.section, (mention,))
        out.append(item)
    return TitleSearch(
        out,
        searcher.papers,
        searcher.diagnostics,
        searcher.searched,
        searcher.accepted,
        searcher.requests,
        searcher.unsearched,
    )


class _Searcher:
    """One run's title searches: cache, then arXiv until it fails once."""

    def __init__(self, cache: Cache, client: ArxivClient | None, refresh: bool) -> None:
        self.cache, self.client, self.refresh = cache, client, refresh
        self.papers: dict[str, Paper] = {}
        self.diagnostics: list[Diagnostic] = []
        self.searched = self.accepted = self.requests = 0
        self.unsearched: dict[tuple[str, int], str] = {}

    def decide(self, section: Section, clues: Clues) -> Decision | None:
        """Search each title the note gives until one is found with certainty."""
        decisions = []
        for title in clues.titles:
            candidates = self._candidates(title)
            if candidates is None:
                self._info(section, f"{quoted(title)} was not searched on arXiv ({self._why_not})")
                self.unsearched[(section.source, section.line)] = self._why_not
                continue
            decision = decide(clues, candidates)
            decisions.append((title, decision))
            if decision.paper is not None:
                self.unsearched.pop((section.source, section.line), None)
                break
        if not decisions:
            return None
        self.searched += 1
        title, decision = decisions[-1]
        if decision.paper is not None:
            self.accepted += 1
            self.papers[decision.paper.id.base] = decision.paper
            score = decision.best.similarity if decision.best else 100.0
            self._info(
                section,
                f"{quoted(title)} found on arXiv by its title: {decision.paper.id} "
                f"(similarity {score:.1f})",
            )
            return decision
        title, decision = max(decisions, key=lambda d: d[1].best.similarity if d[1].best else -1.0)
        best = decision.best
        if best is None:
            self._info(section, f"no arXiv paper has a title like {quoted(title)}")
        else:
            self._info(
                section,
                f"no certain arXiv match for {quoted(title)}; best candidate {best.paper.id} "
                f"{quoted(best.paper.title)} (similarity {best.similarity:.1f}: {decision.reason})",
            )
        return decision

    _why_not = "--offline, and not in the cache"

    def _candidates(self, title: str) -> list[Paper] | None:
        """The papers a search for `title` answers: cached, else asked; None if neither."""
        key = search_key(title)
        if not self.refresh:
            ids = self.cache.get_search(key)
            if ids is not None:
                papers = self.cache.get_many(ids)
                if len(papers) == len(set(ids)):
                    return [papers[i] for i in ids]
        if self.client is None:
            return None
        try:
            answer = self.client.search(title_query(title), max_results=SEARCH_RESULTS)
        except SearchFailed as failure:
            self.requests += 1
            self.diagnostics.append(
                Diagnostic(f"title search stopped: {failure}; the rest is not searched")
            )
            self.client = None
            self._why_not = f"arXiv could not be searched: {failure}"
            return None
        self.requests += answer.requests
        self.cache.put_many(answer.papers)
        self.cache.put_search(key, [p.id.base for p in answer.papers])
        return answer.papers

    def _info(self, section: Section, message: str) -> None:
        self.diagnostics.append(Diagnostic(message, section.source, section.line, "info"))
