"""How often title search takes a wrong paper: hard near-misses built from the recorded fixtures.

Every query goes through the real client to the loopback stand-in, which ranks all recorded
entries by word overlap, and the decision is note2bib's. The near-misses are titles that are
*not* on the stand-in's arXiv but come close to one that is:

- reordered: the same words in another order (`Sub: Main` for `Main: Sub`, or rotated);
- subtitle missing: the part before the colon, or the title without its last word;
- one word changed: a significant word swapped for another (`… for RNA Screening`);
- number changed: `Chapter 3` where arXiv has `Chapter 2` and `Chapter 5`;
- sibling only: a recorded pair of almost equal titles with the named paper taken away
  (1106.3680 "… for DNA Screening" / 1306.4664 "… for Genetic Screening", math-ph/0509005
  "Computable Integrability. Chapter 5" / math-ph/0509024 "… Chapter 2").

Any acceptance among them is a false accept; the rate must stay 0. The exact titles (and
decorated headings) of the same papers are the control: they must be found.

The same cases are measured twice: each title searched on its own (`measure`), and every
title of a list asked of arXiv ten at a time as note2bib does (`measure_batched`, the notes
through `find_by_title`), where each title's candidates are a whole combined answer.

Run it as a script to print the measurement: `python tests/test_search_accuracy.py`.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

if __name__ == "__main__":  # as a script: make the test helpers importable
    sys.path.insert(0, str(Path(__file__).parent))

import pytest

from note2bib.arxiv.api import ArxivClient
from note2bib.arxiv.cache import Cache
from note2bib.arxiv.search import SEARCH_RESULTS, Clues, decide, title_query
from note2bib.arxiv.title_search import find_by_title
from note2bib.model import Unit
from note2bib.notes.mentions import UnitIds
from note2bib.titles import heading_title, looks_like_title, normalize_title, significant_words

from arxiv_standin import ArxivStandin, load_entries
from fixture_papers import fixture_paper

SIBLINGS = [("1106.3680", "1306.4664"), ("math-ph/0509005", "math-ph/0509024")]


@dataclass(frozen=True)
class Case:
    kind: str
    title: str
    expected: str | None
    """The paper that must be accepted, or None for a near-miss (nothing may be)."""
    without: str | None = None
    """A recorded paper the stand-in leaves out for this case."""
    year: int | None = None


def _titles() -> dict[str, str]:
    return {base: fixture_paper(base).title for base in sorted(load_entries())}


def cases() -> Iterator[Case]:
    titles = _titles()
    known = {normalize_title(t) for t in titles.values()}
    vocabulary = sorted({w for t in titles.values() for w in significant_words(t) if len(w) > 4})
    for base, title in titles.items():
        if not looks_like_title(title):
            continue
        paper = fixture_paper(base)
        yield Case("exact title", title, base)
        decorated = f"{title} ({paper.published.year % 100}.{paper.published.month}, a lab)"
        yield Case("decorated heading", decorated, base, year=paper.published.year)
        for kind, near in _near_misses(title, vocabulary):
            if normalize_title(near) not in known and looks_like_title(near):
                yield Case(kind, near, None)
    for named, sibling in SIBLINGS:
        yield Case("sibling only", titles[named], None, without=named)
        yield Case("sibling only", titles[sibling], None, without=sibling)


def _near_misses(title: str, vocabulary: list[str]) -> Iterator[tuple[str, str]]:
    words = title.split()
    if ": " in title:
        main, sub = title.split(": ", 1)
        yield "reordered", f"{sub}: {main}"
        yield "subtitle missing", main
    if len(words) >= 3:
        yield "reordered", " ".join(words[1:] + words[:1])
        yield "subtitle missing", " ".join(words[:-1])
    significant = [w for w in significant_words(title) if len(w) > 4]
    if significant:
        target = significant[-1]
        replacement = next(w for w in vocabulary if w not in significant_words(title))
        changed = [replacement if normalize_title(w) == target else w for w in words]
        yield "one word changed", " ".join(changed)
    numbers = [w for w in words if w.rstrip(":.,").isdigit()]
    if numbers:
        n = numbers[0].rstrip(":.,")
        yield "number changed", title.replace(n, str(int(n) + 1), 1)


@dataclass(frozen=True)
class Measurement:
    false_accepts: list[Case]
    near_misses: int
    found: int
    controls: int
    missed: list[Case]
    requests: int = 0


def measure() -> Measurement:
    """Run every case through a stand-in and note2bib's client and decision."""
    false_accepts, missed = [], []
    near_misses = found = controls = 0
    entries = dict(load_entries())
    with ArxivStandin() as server, ArxivClient(server.url, delay=0.0) as client:
        answers = []
        for case in cases():
            server.entries = {b: e for b, e in entries.items() if b != case.without}
            title = heading_title(case.title)
            answer = client.search(title_query(title.title), max_results=SEARCH_RESULTS)
            answers.append((case, title, answer))
    for case, title, answer in answers:
        decision = decide(Clues((title.title,), (case.title,), (), title.year), answer.papers)
        accepted = decision.paper.id.base if decision.paper else None
        if case.expected is None:
            near_misses += 1
            if accepted is not None:
                false_accepts.append(case)
        else:
            controls += 1
            if accepted == case.expected:
                found += 1
            else:
                missed.append(case)
    return Measurement(false_accepts, near_misses, found, controls, missed)


def measure_batched() -> Measurement:
    """Every case as a title-only note of one list (a list per paper left out), searched as
    note2bib searches a list: titles asked ten at a time, then alone where that could help."""
    accepted: dict[int, str | None] = {}
    requests = 0
    every = list(enumerate(cases()))
    entries = dict(load_entries())
    with ArxivStandin() as server, ArxivClient(server.url, delay=0.0) as client:
        for without, group in groupby(
            sorted(every, key=lambda c: c[1].without or ""), key=lambda c: c[1].without
        ):
            numbered = list(group)
            server.entries = {b: e for b, e in entries.items() if b != without}
            found = [
                UnitIds(Unit("list.md", n, case.title, f"## {case.title}"), ())
                for n, case in numbered
            ]
            with tempfile.TemporaryDirectory() as folder, Cache(Path(folder)) as cache:
                result = find_by_title(found, cache, client)
            requests += result.requests
            for (n, _), item in zip(numbered, result.found, strict=True):
                accepted[n] = item.mentions[0].id.base if item.mentions else None
    near = [case for n, case in every if case.expected is None]
    controls = [(n, case) for n, case in every if case.expected is not None]
    return Measurement(
        false_accepts=[case for n, case in every if case.expected is None and accepted[n]],
        near_misses=len(near),
        found=sum(accepted[n] == case.expected for n, case in controls),
        controls=len(controls),
        missed=[case for n, case in controls if accepted[n] != case.expected],
        requests=requests,
    )


@pytest.mark.slow
def test_no_near_miss_is_accepted_and_every_recorded_title_is_found() -> None:
    result = measure()
    print(
        f"\nfalse accepts: {len(result.false_accepts)} of {result.near_misses} near-misses; "
        f"found: {result.found} of {result.controls} exact or decorated titles"
    )
    assert result.near_misses >= 300  # the set is large enough to mean something
    assert result.false_accepts == []
    assert result.missed == []


@pytest.mark.slow
def test_asking_for_many_titles_at_once_accepts_no_near_miss_either() -> None:
    result = measure_batched()
    titles = result.near_misses + result.controls
    print(
        f"\nten titles a request: false accepts: {len(result.false_accepts)} of "
        f"{result.near_misses} near-misses; found: {result.found} of {result.controls}; "
        f"{result.requests} requests for {titles} titles"
    )
    assert result.near_misses >= 300
    assert result.false_accepts == []
    assert result.missed == []
    assert result.requests < titles  # fewer requests than one a title


if __name__ == "__main__":
    outcome = measure()
    kinds: dict[str, int] = {}
    for case in cases():
        kinds[case.kind] = kinds.get(case.kind, 0) + 1
    for kind, count in kinds.items():
        print(f"{kind:>18}: {count}")
    print(
        f"false accepts: {len(outcome.false_accepts)} of {outcome.near_misses} near-misses "
        f"({len(outcome.false_accepts) / outcome.near_misses:.1%}); "
        f"found {outcome.found} of {outcome.controls} exact or decorated titles"
    )
    for case in outcome.false_accepts + outcome.missed:
        print(f"  {case.kind}: {case.title!r} (expected {case.expected})")
    batched = measure_batched()
    titles = batched.near_misses + batched.controls
    print(
        f"ten titles a request: false accepts: {len(batched.false_accepts)} of "
        f"{batched.near_misses} near-misses; found {batched.found} of {batched.controls}; "
        f"{batched.requests} requests for {titles} titles ({batched.requests / titles:.2f} "
        "per title)"
    )
    for case in batched.false_accepts + batched.missed:
        print(f"  {case.kind}: {case.title!r} (expected {case.expected})")
