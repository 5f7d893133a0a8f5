"""Title search at the scale of a list: requests per title, titles found, false accepts.

    python bench/title_search.py                 # from the repository root, in its virtualenv

Every list is a notes file of title-only notes (`## <title>`), looked up through note2bib's
title search (`find_by_title`, a fresh cache) against the loopback arXiv stand-in, which
answers from the ~150 recorded arXiv entries in tests/fixtures/arxiv/. The lists:

- on arXiv: the exact title of every recorded entry that looks like a title;
- decorated: the same as headings with a year and an affiliation (`… (23.7, a lab)`);
- near-misses: the hard near-misses of tests/test_search_accuracy.py (reordered, a subtitle
  or the last word missing, one word or number changed): none may be accepted;
- not on arXiv: the papers real notes name by title only (../shared/realnotes/truth, when
  present), which the stand-in mostly does not hold;
- a reading list: 135 titles, 100 on arXiv and 35 not, in a fixed shuffled order.

"before" searches each title on its own (as note2bib did); "after" is the default batching.
The other rows vary how many titles share a request, and when a title a combined answer did
not settle is searched again on its own (see docs/arxiv.md, "Finding a paper by its title").
A request is a request sent (retries included); arXiv's pace is 3 s a request.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from note2bib.arxiv import title_search  # noqa: E402
from note2bib.arxiv.api import ArxivClient  # noqa: E402
from note2bib.arxiv.cache import Cache  # noqa: E402
from note2bib.arxiv.search import BATCHING, Batching  # noqa: E402
from note2bib.model import Unit  # noqa: E402
from note2bib.notes.mentions import UnitIds  # noqa: E402
from note2bib.titles import normalize_title  # noqa: E402

from arxiv_standin import ArxivStandin  # noqa: E402
from test_search_accuracy import cases  # noqa: E402

PACING = 3.0
REALNOTES = ROOT.parent / "shared" / "realnotes" / "truth"


@dataclass(frozen=True)
class Title:
    heading: str
    expected: str | None
    """The recorded paper that must be found, or None: nothing may be accepted."""


@dataclass(frozen=True)
class Policy:
    name: str
    batching: Batching
    own_search: Callable[[str, Sequence[object], bool], bool] | None = None
    """Replaces `needs_own_search` (None: note2bib's rule)."""


POLICIES = [
    Policy("before: each title alone", Batching(titles=1)),
    Policy(f"after: {BATCHING.titles} a request (default)", BATCHING),
    Policy("5 a request", Batching(titles=5, results=50)),
    Policy("20 a request", Batching(titles=20, results=200)),
    Policy(
        f"{BATCHING.titles} a request, unsettled always alone too",
        BATCHING,
        lambda title, answer, full: True,
    ),
    Policy(
        f"{BATCHING.titles} a request, alone only after a full answer",
        BATCHING,
        lambda title, answer, full: full,
    ),
]


def lists(realnotes: Path) -> dict[str, list[Title]]:
    everything = list(cases())
    on_arxiv = [Title(c.title, c.expected) for c in everything if c.kind == "exact title"]
    decorated = [Title(c.title, c.expected) for c in everything if c.kind == "decorated heading"]
    near = [Title(c.title, None) for c in everything if c.expected is None and not c.without]
    known = {normalize_title(t.heading): t.expected for t in on_arxiv}
    elsewhere = [Title(t, known.get(normalize_title(t))) for t in _title_only(realnotes)]
    out = {
        "on arXiv": on_arxiv,
        "decorated": decorated,
        "near-misses": near,
    }
    if elsewhere:
        out["not on arXiv (real notes)"] = elsewhere
        mixed = random.Random(9).sample(on_arxiv, 100) + (elsewhere * 2)[:35]
        random.Random(135).shuffle(mixed)
        out["a reading list of 135"] = mixed
    return out


def _title_only(folder: Path) -> list[str]:
    titles: list[str] = []
    for path in sorted(folder.glob("*.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        papers = truth.get("papers", []) if isinstance(truth, dict) else []
        titles += [p["title"] for p in papers if p.get("id") is None and p.get("title")]
    return list(dict.fromkeys(titles))


@dataclass(frozen=True)
class Outcome:
    titles: int
    searched: int
    requests: int
    combined: int
    found: int
    expected: int
    false_accepts: int
    second_run: int


def measure(titles: list[Title], policy: Policy, server: ArxivStandin) -> Outcome:
    found = [
        UnitIds(Unit("list.md", 2 * n + 1, t.heading, f"## {t.heading}"), ())
        for n, t in enumerate(titles)
    ]
    with (
        tempfile.TemporaryDirectory() as cache_dir,
        _own_search(policy),
        Cache(Path(cache_dir)) as cache,
        ArxivClient(server.url, delay=0.0) as client,
    ):
        first = title_search.find_by_title(found, cache, client, batching=policy.batching)
        again = title_search.find_by_title(found, cache, client, batching=policy.batching)
    accepted = [item.mentions[0].id.base if item.mentions else None for item in first.found]
    right = sum(a is not None and a == t.expected for a, t in zip(accepted, titles, strict=True))
    wrong = sum(a is not None and a != t.expected for a, t in zip(accepted, titles, strict=True))
    return Outcome(
        titles=len(titles),
        searched=first.asked,
        requests=first.requests,
        combined=first.combined,
        found=right,
        expected=sum(t.expected is not None for t in titles),
        false_accepts=wrong,
        second_run=again.requests,
    )


@contextlib.contextmanager
def _own_search(policy: Policy) -> Iterator[None]:
    if policy.own_search is None:
        yield
        return
    with mock.patch.object(title_search, "needs_own_search", policy.own_search):
        yield


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--realnotes", type=Path, default=REALNOTES)
    args = parser.parse_args()
    rows = []
    with ArxivStandin() as server:
        for name, titles in lists(args.realnotes).items():
            for policy in POLICIES:
                rows.append((name, policy.name, measure(titles, policy, server)))
    header = (
        "| list | titles | how | requests | per title | at arXiv's pace | found | "
        "false accepts | 2nd run |"
    )
    print(header)
    print("|---" * 9 + "|")
    for name, how, o in rows:
        minutes = o.requests * PACING / 60
        found = f"{o.found} of {o.expected}" if o.expected else "-"
        print(
            f"| {name} | {o.titles} | {how} | {o.requests} ({o.combined} combined) | "
            f"{o.requests / o.titles:.2f} | {minutes:.1f} min | {found} | "
            f"{o.false_accepts} | {o.second_run} |"
        )


if __name__ == "__main__":
    main()
