"""Two note2bib processes at once, sharing one cache folder and one (stand-in) arXiv; and
several merging into one library, with a program editing it meanwhile."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
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


# --- merges into one library at once --------------------------------------------------------

LIBRARY = b"% refs.bib\n@misc{mine, title = {Mine}}\n"

# Loaded by every note2bib process of a test (PYTHONPATH): it makes a race that real runs hit
# now and then (issue 12: 11 lost updates in 20 pairs of runs) happen every time, and can
# switch off one safeguard to show that the tests need it.
_SITECUSTOMIZE = """
import fcntl, os, time
from pathlib import Path

SYNC = Path(os.environ["N2B_TEST_SYNC"])
RUNS = int(os.environ["N2B_TEST_RUNS"])
SABOTAGE = os.environ.get("N2B_TEST_SABOTAGE", "")

def wait_for(done, what):
    deadline = time.monotonic() + 60
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit(f"test hook: gave up waiting for {what}")
        time.sleep(0.01)

_flock = fcntl.flock
def flock(fd, operation):
    if SABOTAGE == "lock" and not operation & fcntl.LOCK_UN:
        return None  # the lock switched off: every run goes ahead at once
    if operation & (fcntl.LOCK_UN | fcntl.LOCK_NB):
        return _flock(fd, operation)
    waiting = SYNC / f"waiting-{os.getpid()}"
    waiting.touch()
    try:
        return _flock(fd, operation)
    finally:
        waiting.unlink()
fcntl.flock = flock

# The library is replaced only once every run has come this far or waits for the lock:
# without the lock, every run has then checked the library before any replaces it.
_replace = os.replace
def replace(src, dst, *args, **kwargs):
    if str(dst).endswith(".bib"):
        (SYNC / f"replacing-{os.getpid()}").touch()
        wait_for(lambda: len(list(SYNC.iterdir())) >= RUNS, "the other runs")
    return _replace(src, dst, *args, **kwargs)
os.replace = replace

# With N2B_TEST_PAUSE, the first fsync (the new library's, once merged) waits until the
# test has edited the library, as another program would in the middle of a merge.
if os.environ.get("N2B_TEST_PAUSE"):
    _fsync = os.fsync
    paused = []
    def fsync(fd):
        if not paused:
            paused.append(True)
            (SYNC / "paused").touch()
            wait_for((SYNC / "edited").exists, "the edit")
        return _fsync(fd)
    os.fsync = fsync

if SABOTAGE == "compare":
    import note2bib.files
    note2bib.files.holds = lambda path, expected: True  # the check before the rename, off
"""


@dataclass(frozen=True)
class Merging:
    folder: Path
    library: Path
    env: dict[str, str]
    bases: list[str]


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[str]]]:
    """A cache that holds the papers the merges name, so that they run offline."""
    folder = tmp_path_factory.mktemp("warm")
    bases = sorted(load_entries())[:4]
    notes = notes_file(folder / "all.md", bases, [])
    with ArxivStandin() as server:
        env = {
            **os.environ,
            "NOTE2BIB_ARXIV_API": server.url,
            "NOTE2BIB_ARXIV_DELAY": "0",
            "NOTE2BIB_CACHE_DIR": str(folder / "cache"),
        }
        assert finish(note2bib("export", str(notes), env=env)).returncode == 0
    yield folder / "cache", bases


def merging(tmp_path: Path, warm_cache: tuple[Path, list[str]], runs: int, **hooks: str) -> Merging:
    cache, bases = warm_cache
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(_SITECUSTOMIZE)
    (tmp_path / "sync").mkdir()
    library = tmp_path / "refs.bib"
    library.write_bytes(LIBRARY)
    env = {
        **os.environ,
        "NOTE2BIB_CACHE_DIR": str(cache),
        "NOTE2BIB_ARXIV_API": "http://127.0.0.1:9/api/query",
        "PYTHONPATH": str(hook),
        "N2B_TEST_SYNC": str(tmp_path / "sync"),
        "N2B_TEST_RUNS": str(runs),
        **hooks,
    }
    return Merging(tmp_path, library, env, bases)


def merge(m: Merging, base: str, name: str) -> subprocess.Popen[str]:
    """`export NOTES --library refs.bib --merge -o refs.bib`, NOTES naming one paper."""
    notes = notes_file(m.folder / f"{name}.md", [base], [])
    lib = str(m.library)
    return note2bib(
        "export", "--offline", str(notes), "--library", lib, "--merge", "-o", lib, env=m.env
    )


@pytest.mark.parametrize("runs", [2, 3])
def test_merges_at_once_each_add_their_entry(
    tmp_path: Path, warm_cache: tuple[Path, list[str]], runs: int
) -> None:
    m = merging(tmp_path, warm_cache, runs)
    done = [finish(p) for p in [merge(m, base, f"n{i}") for i, base in enumerate(m.bases[:runs])]]
    for run in done:
        assert run.returncode == 0, run.stderr
        assert "refs.bib updated" in run.stderr
    merged = m.library.read_bytes()
    assert merged.startswith(LIBRARY)
    assert eprints(merged.decode()[len(LIBRARY) :]) == set(m.bases[:runs])
    # Every run but the first waited for the one before, and said so.
    waited = [r for r in done if "waiting for another note2bib that is writing" in r.stderr]
    assert len(waited) == runs - 1
    # The backup is the library as the last run found it: every entry but its own.
    assert len(eprints(Path(f"{m.library}.bak").read_text()[len(LIBRARY) :])) == runs - 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "hook",
        *(f"n{i}.md" for i in range(runs)),
        "refs.bib",
        "refs.bib.bak",
        "sync",
    ]


def test_without_the_lock_merges_at_once_lose_entries(
    tmp_path: Path, warm_cache: tuple[Path, list[str]]
) -> None:
    # The check before the rename alone cannot close the race: each run checks, then renames.
    m = merging(tmp_path, warm_cache, 3, N2B_TEST_SABOTAGE="lock")
    done = [finish(p) for p in [merge(m, base, f"n{i}") for i, base in enumerate(m.bases[:3])]]
    assert all(run.returncode == 0 for run in done)
    assert len(eprints(m.library.read_text()[len(LIBRARY) :])) == 1  # two of three lost


HAND_WRITTEN = b"\n@book{byhand, title = {Added by hand during the merge}}\n"


@pytest.mark.parametrize("sabotage", ["", "compare"], ids=["as-shipped", "no-compare"])
def test_an_edit_made_during_a_merge_is_kept(
    tmp_path: Path, warm_cache: tuple[Path, list[str]], sabotage: str
) -> None:
    m = merging(tmp_path, warm_cache, 1, N2B_TEST_PAUSE="1", N2B_TEST_SABOTAGE=sabotage)
    process = merge(m, m.bases[0], "n0")
    sync = tmp_path / "sync"
    deadline = time.monotonic() + 60
    while not (sync / "paused").exists():
        assert process.poll() is None, finish(process).stderr
        assert time.monotonic() < deadline
        time.sleep(0.01)
    # An editor's save (or `cat >> refs.bib`) while note2bib is writing, without its lock.
    with m.library.open("ab") as out:
        out.write(HAND_WRITTEN)
    (sync / "edited").touch()
    run = finish(process)
    assert run.returncode == 0, run.stderr
    merged = m.library.read_bytes()
    if sabotage == "compare":  # without the check before the rename, the edit is lost
        assert HAND_WRITTEN not in merged
        return
    assert merged.startswith(LIBRARY + HAND_WRITTEN)
    assert eprints(merged.decode()[len(LIBRARY + HAND_WRITTEN) :]) == {m.bases[0]}
    assert Path(f"{m.library}.bak").read_bytes() == LIBRARY + HAND_WRITTEN
    assert "it had changed while note2bib ran; merged onto its new contents" in run.stderr
