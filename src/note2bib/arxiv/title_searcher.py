"""How `title_search.find_by_title` looks titles up: the cache first, then arXiv, titles asked
several at a time.

What to ask and what to accept is `search`'s to say; this module asks. For each note that
names no arXiv id, its titles (front matter, heading, a quoted one) are tried in turn until
one settles it. In each turn the titles not in the cache are asked of arXiv
`Batching.titles` at a time, as phrases ORed in one request (`search.batch_query`); a title
the combined answer leaves unsettled is searched again on its own when that could find more
(`search.needs_own_search`), and decided on both answers together. A title alone in its
turn is searched on its own from the start, as it always was.

Each title's answer is cached under its normalised title once it is final, so a second run
decides again from the cache and asks nothing; an answer that still wanted a search of its
own which arXiv did not give is not cached, so the next run asks again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from note2bib.arxiv.api import ArxivClient, QueryTooLong, SearchFailed
from note2bib.arxiv.cache import Cache
from note2bib.arxiv.search import (
    BATCHING,
    SEARCH_RESULTS,
    Batching,
    Clues,
    Decision,
    batch_query,
    decide,
    needs_own_search,
    note_clues,
    search_key,
    title_phrase,
    title_query,
)
from note2bib.model import Diagnostic, Mention, Paper, Unit
from note2bib.notes.mentions import UnitIds
from note2bib.titles import quoted

if TYPE_CHECKING:
    from note2bib.arxiv.title_search import OnProgress


@dataclass
class _Answer:
    """What arXiv answered for one title: the candidates, and whether more may be asked."""

    papers: list[Paper]
    final: bool
    """From the cache, or settled: no search of its own will be added."""
    full: bool = False
    """A combined answer with as many papers as it asked for (some were left out)."""


@dataclass
class _Note:
    """One note being searched: its titles tried so far, and what to tell about it."""

    unit: Unit
    clues: Clues
    tried: list[tuple[str, Decision]] = field(default_factory=list)
    told: list[str] = field(default_factory=list)

    @property
    def settled(self) -> bool:
        return bool(self.tried) and self.tried[-1][1].paper is not None


class Searcher:
    """One run's title searches: cache, then arXiv until it fails once."""

    def __init__(
        self,
        cache: Cache,
        client: ArxivClient | None,
        refresh: bool,
        batching: Batching | None,
        on_progress: OnProgress | None,
    ) -> None:
        self.cache, self.client, self.refresh = cache, client, refresh
        self.batching, self.on_progress = batching or BATCHING, on_progress
        self.answers: dict[str, _Answer] = {}
        self.papers: dict[str, Paper] = {}
        self.diagnostics: list[Diagnostic] = []
        self.searched = self.accepted = self.requests = self.combined = self.alone = 0
        self.asked: set[str] = set()
        self.unsearched: dict[tuple[str, int], str] = {}
        self.done = self.total = 0

    _why_not = "--offline, and not in the cache"

    def find(self, found: Sequence[UnitIds]) -> list[UnitIds]:
        """`found`, with a mention added to each note whose title was found with certainty."""
        wanted = [
            (index, clues)
            for index, item in enumerate(found)
            if not item.mentions and (clues := note_clues(item.unit)) is not None
        ]
        decisions = self.run([(found[index].unit, clues) for index, clues in wanted])
        out = list(found)
        for (index, _), decision in zip(wanted, decisions, strict=True):
            if decision is not None and decision.paper is not None:
                unit = found[index].unit
                out[index] = UnitIds(
                    unit, (Mention(decision.paper.id, unit.source, unit.line, ""),)
                )
        return out

    def run(self, wanted: Sequence[tuple[Unit, Clues]]) -> list[Decision | None]:
        """Each note's decision: its titles in turn, every note's n-th title asked together."""
        notes = [_Note(unit, clues) for unit, clues in wanted]
        self.total = len(notes)
        turn = 0
        pending = notes
        while pending:
            self._turn(turn, pending)
            turn += 1
            pending = [n for n in pending if not n.settled and turn < len(n.clues.titles)]
        decisions = [self._conclude(note) for note in notes]
        self._tell_cost()
        return decisions

    def _turn(self, turn: int, notes: list[_Note]) -> None:
        """Every note's title number `turn`: cached answers first, then arXiv's."""
        by_key: dict[str, list[_Note]] = {}
        titles: dict[str, str] = {}
        for note in notes:
            title = note.clues.titles[turn]
            key = search_key(title)
            by_key.setdefault(key, []).append(note)
            titles.setdefault(key, title)
        pending = []
        for key in by_key:
            if key not in self.answers:
                self._from_cache(key)
            if key in self.answers:
                self._decide(turn, by_key[key])
            else:
                pending.append(key)
        for group in self._groups(pending, titles):
            if len(group) > 1:
                self._ask_combined(group, titles)
            for key in group:
                self._complete(key, titles[key], [n.clues for n in by_key[key]])
                self._decide(turn, by_key[key])

    def _groups(self, keys: list[str], titles: dict[str, str]) -> Iterator[list[str]]:
        """The keys in request-sized groups, in order; a title with no phrase goes alone."""
        group: list[str] = []
        for key in keys:
            if self.client is None or not title_phrase(titles[key]):
                yield [key]
                continue
            group.append(key)
            if len(group) == self.batching.titles:
                yield group
                group = []
        if group:
            yield group

    def _decide(self, turn: int, notes: list[_Note]) -> None:
        """Each note's decision on its title number `turn`, from the answer arXiv gave."""
        for note in notes:
            title = note.clues.titles[turn]
            answer = self.answers.get(search_key(title))
            where = (note.unit.source, note.unit.line)
            if answer is None:
                note.told.append(f"{quoted(title)} was not searched on arXiv ({self._why_not})")
                self.unsearched[where] = self._why_not
            else:
                note.tried.append((title, decide(note.clues, answer.papers)))
                if note.settled:
                    self.unsearched.pop(where, None)
            if note.settled or turn == len(note.clues.titles) - 1:
                self.done += 1
                if self.on_progress is not None:
                    self.on_progress(self.done, self.total)

    def _from_cache(self, key: str) -> None:
        if self.refresh:
            return
        ids = self.cache.get_search(key)
        if ids is None:
            return
        papers = self.cache.get_many(ids)
        if len(papers) == len(set(ids)):
            self.answers[key] = _Answer([papers[i] for i in ids], final=True)

    def _ask_combined(self, keys: list[str], titles: dict[str, str]) -> None:
        """One request for several titles; each gets the whole answer as its candidates."""
        if self.client is None:
            return
        try:
            answer = self.client.search(
                batch_query([titles[k] for k in keys]), max_results=self.batching.results
            )
        except QueryTooLong as failure:
            # A server that takes shorter URLs: ask for half as many titles at a time.
            self.requests += failure.requests
            middle = len(keys) // 2
            for half in (keys[:middle], keys[middle:]):
                if len(half) > 1:
                    self._ask_combined(half, titles)
            return
        except SearchFailed as failure:
            self._stop(failure)
            return
        self.requests += answer.requests
        self.combined += 1
        self.asked.update(keys)
        self.cache.put_many(answer.papers)
        full = len(answer.papers) >= self.batching.results
        for key in keys:
            self.answers[key] = _Answer(answer.papers, final=False, full=full)

    def _complete(self, key: str, title: str, clues: list[Clues]) -> None:
        """Make the title's answer final: a search of its own when that could find more."""
        answer = self.answers.get(key)
        if answer is not None:
            if answer.final:
                return
            unsettled = any(decide(c, answer.papers).paper is None for c in clues)
            if not unsettled or not needs_own_search(title, answer.papers, answer.full):
                self._keep(key, answer.papers)
                return
        alone = self._ask_alone(key, title)
        if alone is None:
            return  # a combined answer, if any, still decides this run; it is not cached
        # Both answers together: another paper with the same title in either is seen.
        merged = {p.id.base: p for p in [*alone, *(answer.papers if answer else [])]}
        self._keep(key, list(merged.values()))

    def _ask_alone(self, key: str, title: str) -> list[Paper] | None:
        if self.client is None:
            return None
        try:
            answer = self.client.search(title_query(title), max_results=SEARCH_RESULTS)
        except SearchFailed as failure:
            self._stop(failure)
            return None
        self.requests += answer.requests
        self.alone += 1
        self.asked.add(key)
        self.cache.put_many(answer.papers)
        return answer.papers

    def _keep(self, key: str, papers: list[Paper]) -> None:
        self.answers[key] = _Answer(papers, final=True)
        self.cache.put_search(key, [p.id.base for p in papers])

    def _stop(self, failure: SearchFailed) -> None:
        self.requests += failure.requests
        self.diagnostics.append(
            Diagnostic(f"title search stopped: {failure}; the rest is not searched")
        )
        self.client = None
        self._why_not = f"arXiv could not be searched: {failure}"

    def _conclude(self, note: _Note) -> Decision | None:
        """The note's decision (the first certain title, else the best), told with `-v`."""
        for message in note.told:
            self._info(note.unit, message)
        if not note.tried:
            return None
        self.searched += 1
        title, decision = note.tried[-1]
        if decision.paper is not None:
            self.accepted += 1
            self.papers[decision.paper.id.base] = decision.paper
            score = decision.best.similarity if decision.best else 100.0
            self._info(
                note.unit,
                f"{quoted(title)} found on arXiv by its title: {decision.paper.id} "
                f"(similarity {score:.1f})",
            )
            return decision
        title, decision = max(note.tried, key=lambda d: d[1].best.similarity if d[1].best else -1.0)
        best = decision.best
        if best is None:
            self._info(note.unit, f"no arXiv paper has a title like {quoted(title)}")
        else:
            self._info(
                note.unit,
                f"no certain arXiv match for {quoted(title)}; best candidate {best.paper.id} "
                f"{quoted(best.paper.title)} (similarity {best.similarity:.1f}: {decision.reason})",
            )
        return decision

    def _tell_cost(self) -> None:
        """With `-v`: how many requests the titles asked of arXiv took."""
        if not self.asked:
            return
        titles = len(self.asked)
        self.diagnostics.append(
            Diagnostic(
                f"title search: {titles} title{'s' if titles != 1 else ''} asked of arXiv "
                f"in {self.requests} request{'s' if self.requests != 1 else ''} "
                f"({self.requests / titles:.2f} per title): {self.combined} for several "
                f"titles at once, {self.alone} for one",
                level="info",
            )
        )

    def _info(self, unit: Unit, message: str) -> None:
        self.diagnostics.append(Diagnostic(message, unit.source, unit.line, "info"))
