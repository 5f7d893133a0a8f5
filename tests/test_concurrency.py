"""Two note2bib processes at once, sharing one cache folder and one (stand-in) arXiv."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import bibtexparser
import pytest

from note2bib.latex import decode

from arxiv_standin import ArxivStandin, LoggedRequest, load_entries
from fixture_papers import fixture_paper

DELAY = 0.3
# Arrival is logged here, some scheduling after the client took its turn (more on a loaded
# machine, or on a new connection); runs that do not share a pace come within ~0.01 s.
TOLERANCE = 0.1

# Two real processes sharing one pace: seconds of waiting, so out of the quick loop.
pytestmark = pytest.mark.slow


def note2bib(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """`python -m note2bib ARGS` started in the background, its streams captured."""
    return subprocess.Popen(
        [sys.executable, "-m", "note2bib", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def eprints(bibtex: str) -> set[str]:
    library = bibtexparser.parse_string(bibtex)
    assert not library.failed_blocks
    return {decode(e.fields_dict["eprint"].value) for e in library.entries}


def notes_file(path: Path, by_id: list[str], by_title: list[str]) -> Path:
    """Notes naming `by_id` papers by arXiv id and `by_title` papers only by their title."""
    sections = [f"## Paper {base}\nhttps://arxiv.org/abs/{base}\n" for base in by_id]
    sections += [f"## {fixture_paper(base).title}\n읽어볼 것.\n" for base in by_title]
    path.write_text("\n".join(sections), encoding="utf-8")
    return path


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str


def finish(process: subprocess.Popen[str]) -> Finished:
    # Read while waiting: a bibliography larger than the pipe's buffer would block the child.
    stdout, stderr = process.communicate(timeout=120)
    return Finished(process.returncode, stdout, stderr)


@dataclass(frozen=True)
class Scenario:
    """Two exports run at once against one cache; what each printed and what arXiv saw."""

    runs: list[Finished]
    expected: list[set[str]]
    requests: list[LoggedRequest]
    notes: list[Path]
    env: dict[str, str]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    folder = tmp_path_factory.mktemp("two-runs")
    bases = sorted(load_entries())
    # Each run: two id_list batches (105 ids) and five titles to search, different notes
    # with some papers in common.
    plans = [
        (bases[:105], bases[105:110]),
        (bases[-105:], bases[:5]),
    ]
    notes = [notes_file(folder / f"notes{i}.md", *plan) for i, plan in enumerate(plans)]
    with ArxivStandin() as server:
        env = {
            **os.environ,
            "NOTE2BIB_ARXIV_API": server.url,
            "NOTE2BIB_ARXIV_DELAY": str(DELAY),
            "NOTE2BIB_CACHE_DIR": str(folder / "cache"),
        }
        started = [note2bib("export", str(path), env=env) for path in notes]
        runs = [finish(p) for p in started]
        yield Scenario(
            runs,
            [set(ids) | set(titles) for ids, titles in plans],
            sorted(server.requests, key=lambda r: r.time),
            notes,
            env,
        )


def test_both_runs_finish_with_every_paper_of_their_notes(two_runs: Scenario) -> None:
    for run, expected in zip(two_runs.runs, two_runs.expected, strict=True):
        assert run.returncode == 0, run.stderr
        assert eprints(run.stdout) == expected
        assert "Traceback" not in run.stderr


def test_together_they_keep_one_runs_pace(two_runs: Scenario) -> None:
    times = [r.time for r in two_runs.requests]
    # 2 batches + 1 search for the 5 titles (asked together) each; one batch fewer when a
    # run finds the papers both want already cached by the other.
    assert len(times) in (5, 6)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= DELAY - TOLERANCE, gaps


def test_the_cache_then_holds_both_runs_papers(two_runs: Scenario) -> None:
    env = {**two_runs.env, "NOTE2BIB_ARXIV_API": "http://127.0.0.1:9/api/query"}
    run = finish(note2bib("export", "--offline", *map(str, two_runs.notes), env=env))
    assert run.returncode == 0, run.stderr
    assert eprints(run.stdout) == two_runs.expected[0] | two_runs.expected[1]
