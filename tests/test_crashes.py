"""SIGKILL at random moments: the library is the old file or the new one, the cache stays a
sound database, and the next run works."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import bibtexparser
import pytest

from note2bib.arxiv.cache import FILE_NAME as CACHE_FILE
from note2bib.arxiv.cache import Cache
from note2bib.latex import decode

from arxiv_standin import ArxivStandin, load_entries
from fixture_papers import fixture_paper

TESTS = Path(__file__).parent
LIBRARY = TESTS / "fixtures" / "corpora" / "ml_uwsbel_refsML-AI.bib"
# What a killed atomic write may leave next to its target (docs/library.md, "Export against a
# library, merge into it").
STRAY = re.compile(r"\.refs\.bib(\.bak)?\.note2bib-[^/]+\.tmp")

# Each test starts and kills many processes: seconds apiece, so out of the quick loop.
pytestmark = pytest.mark.slow


def start(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """`python -m note2bib ARGS` in the background, its output discarded."""
    return subprocess.Popen(
        [sys.executable, "-m", "note2bib", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str


def run(*args: str, env: dict[str, str]) -> Finished:
    done = subprocess.run(
        [sys.executable, "-m", "note2bib", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return Finished(done.returncode, done.stdout, done.stderr)


def kill_after(process: subprocess.Popen[bytes], seconds: float) -> None:
    time.sleep(seconds)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)


FSYNC_SECONDS = 0.05
# The lock a killed merge held (released by the system; the next merge takes it and removes it).
KNOWN = {"refs.bib", "refs.bib.bak", "notes.md", "cache", "slow-disk", ".refs.bib.note2bib-lock"}
KNOWN |= {"outage-cache"}


def slow_disk(workspace: Workspace) -> dict[str, str]:
    """An environment where every `os.fsync` takes FSYNC_SECONDS, as on a slow disk, so
    that a write lasts long enough for random kills to land inside it."""
    folder = workspace.folder / "slow-disk"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(
        "import os, time\n"
        "_fsync = os.fsync\n"
        "def fsync(fd):\n"
        f"    time.sleep({FSYNC_SECONDS})\n"
        "    _fsync(fd)\n"
        "os.fsync = fsync\n"
    )
    return {**workspace.env, "PYTHONPATH": str(folder)}


def timed_run(args: tuple[str, ...], env: dict[str, str], watched: Path) -> tuple[float, float]:
    """Run to the end: how long it took, and how long until `watched` was replaced."""
    before = watched.stat()
    replaced_at = None
    began = time.monotonic()
    process = start(*args, env=env)
    while process.poll() is None:
        if replaced_at is None:
            now = watched.stat()
            if (now.st_ino, now.st_size) != (before.st_ino, before.st_size):
                replaced_at = time.monotonic() - began
        time.sleep(0.001)
    duration = time.monotonic() - began
    assert process.returncode == 0
    return duration, duration if replaced_at is None else replaced_at


def eprints(bibtex: str) -> set[str]:
    library = bibtexparser.parse_string(bibtex)
    assert not library.failed_blocks
    return {decode(e.fields_dict["eprint"].value) for e in library.entries}


def integrity(cache_dir: Path) -> str:
    db = sqlite3.connect(cache_dir / CACHE_FILE)
    try:
        (result,) = db.execute("PRAGMA integrity_check").fetchone()
        return str(result)
    finally:
        db.close()


@dataclass(frozen=True)
class Workspace:
    folder: Path
    notes: Path
    cache: Path
    bases: list[str]
    env: dict[str, str]


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """Notes naming every recorded paper, a cache folder, and a stand-in arXiv for them."""
    bases = sorted(load_entries())
    notes = tmp_path / "notes.md"
    notes.write_text("".join(f"## Paper {b}\narXiv:{b}\n\n" for b in bases), encoding="utf-8")
    with ArxivStandin() as server:
        env = {
            **os.environ,
            "NOTE2BIB_ARXIV_API": server.url,
            "NOTE2BIB_ARXIV_DELAY": "0",
            "NOTE2BIB_CACHE_DIR": str(tmp_path / "cache"),
        }
        yield Workspace(tmp_path, notes, tmp_path / "cache", bases, env)


@pytest.mark.parametrize("stubs", [False, True], ids=["append", "complete-stubs"])
def test_a_merge_killed_at_any_moment_leaves_the_old_library_or_the_new(
    workspace: Workspace, stubs: bool
) -> None:
    assert run("export", str(workspace.notes), env=workspace.env).returncode == 0  # warm cache
    refs = workspace.folder / "refs.bib"
    backup = workspace.folder / "refs.bib.bak"
    merge = ("export", "--offline", "--library", str(refs), "--merge", "-o", str(refs))
    merge += (str(workspace.notes),)

    shutil.copyfile(LIBRARY, refs)
    if stubs:
        # The library as a merge during an arXiv outage left it (every paper a stub), and the
        # notes edited since: the merge completes every stub and replaces every note.
        outage = {**workspace.env, "NOTE2BIB_CACHE_DIR": str(workspace.folder / "outage-cache")}
        assert run(*merge, env=outage).returncode == 3
        backup.unlink()
        notes = workspace.notes.read_text(encoding="utf-8")
        workspace.notes.write_text(notes.replace("\n\n", "\nread again\n\n"), encoding="utf-8")
    old = refs.read_bytes()
    env = slow_disk(workspace)
    timed_run(merge, env, refs)  # a first run is slower (files not yet in memory): not timed
    refs.write_bytes(old)
    duration, replaced_at = timed_run(merge, env, refs)
    new = refs.read_bytes()
    if stubs:
        assert new.startswith(LIBRARY.read_bytes()) and len(new) > len(old)
        assert new.count(b"made=paper") == old.count(b"made=stub") > 100
        assert b"made=stub" not in new
    else:
        assert new.startswith(old) and len(new) > len(old)

    outcomes = {"old": 0, "new": 0}
    for attempt in range(30):
        refs.write_bytes(old)
        # A third of the kills anywhere in the run, the rest around the writes: the backup's
        # and the library's, each two fsyncs, the library replaced at the end of the fourth.
        if attempt % 3 == 0:
            moment = random.uniform(0, duration)
        else:
            moment = max(0.0, replaced_at + random.uniform(-5, 3) * FSYNC_SECONDS)
        kill_after(start(*merge, env=env), moment)
        now = refs.read_bytes()
        assert now in (old, new), f"refs.bib is neither file after a kill at {moment:.3f} s"
        outcomes["old" if now == old else "new"] += 1
        if backup.exists():
            assert backup.read_bytes() == old, f"a partial backup after a kill at {moment:.3f} s"
        for path in workspace.folder.iterdir():
            assert path.name in KNOWN or STRAY.fullmatch(path.name), path.name

    # Whatever the kills left behind, the next run merges as if nothing had happened.
    refs.write_bytes(old)
    assert run(*merge, env=workspace.env).returncode == 0
    assert refs.read_bytes() == new
    assert backup.read_bytes() == old
    # The kills did land in the middle of writes (else this test proves little).
    assert any(STRAY.fullmatch(path.name) for path in workspace.folder.iterdir())
    assert outcomes["old"] > 0, outcomes


def test_an_export_killed_while_filling_the_cache_leaves_a_sound_cache(
    workspace: Workspace,
) -> None:
    everything = set(workspace.bases)
    first = run("export", str(workspace.notes), env=workspace.env)
    assert first.returncode == 0
    began = time.monotonic()
    assert run("export", "--refresh", str(workspace.notes), env=workspace.env).returncode == 0
    duration = time.monotonic() - began
    for _ in range(6):
        # `--refresh` fetches and writes every paper again.
        moment = duration * random.uniform(0.3, 1.05)
        kill_after(start("export", "--refresh", str(workspace.notes), env=workspace.env), moment)
        assert integrity(workspace.cache) == "ok", f"after a kill at {moment:.3f} s"
        after = run("export", str(workspace.notes), env=workspace.env)
        assert after.returncode == 0, after.stderr
        assert eprints(after.stdout) == everything


# Writes every recorded paper to the cache again and again, one transaction each time.
_WRITER = """
import sys
from pathlib import Path
from note2bib.arxiv.cache import Cache
from arxiv_standin import load_entries
from fixture_papers import fixture_paper
papers = [fixture_paper(base) for base in sorted(load_entries())]
with Cache(Path(sys.argv[1])) as cache:
    print("writing", flush=True)
    while True:
        cache.put_many(papers)
"""


def test_a_process_killed_mid_transaction_loses_nothing_already_cached(
    workspace: Workspace,
) -> None:
    assert run("export", str(workspace.notes), env=workspace.env).returncode == 0
    env = {**workspace.env, "PYTHONPATH": str(TESTS)}
    for _ in range(10):
        writer = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(workspace.cache)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
        kill_after(writer, random.uniform(0.0, 0.3))
        writer.stdout.close()
        assert integrity(workspace.cache) == "ok"
        with Cache(workspace.cache) as cache:
            cached = cache.get_many(workspace.bases)
        assert cached == {base: fixture_paper(base) for base in workspace.bases}

    offline = run("export", "--offline", str(workspace.notes), env=workspace.env)
    assert offline.returncode == 0, offline.stderr
    assert eprints(offline.stdout) == set(workspace.bases)
