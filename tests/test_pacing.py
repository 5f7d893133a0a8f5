"""Pacing shared through the cache folder: what two runs see, and what a broken file does."""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

from note2bib.arxiv.pacing import FILE_NAME, Pacer

DELAY = 0.2


def send_times(pacers: list[Pacer], rounds: int) -> list[float]:
    """When each request would go out, with the pacers taking turns as two runs would."""
    times = []
    for _ in range(rounds):
        for pacer in pacers:
            pacer.wait()
            times.append(time.time())
    return times


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]


def test_two_runs_on_one_cache_folder_keep_one_pace(tmp_path: Path) -> None:
    times = send_times([Pacer(DELAY, tmp_path), Pacer(DELAY, tmp_path)], rounds=3)
    assert min(gaps(times)) >= DELAY - 0.01
    assert (tmp_path / FILE_NAME).exists()


def test_runs_on_different_cache_folders_do_not_wait_for_each_other(tmp_path: Path) -> None:
    first, second = Pacer(DELAY, tmp_path / "a"), Pacer(DELAY, tmp_path / "b")
    first.wait()
    stamp = (tmp_path / "a" / FILE_NAME).read_text()
    second.wait()
    assert (tmp_path / "a" / FILE_NAME).read_text() == stamp
    assert (tmp_path / "b" / FILE_NAME).exists()


def test_an_unusable_cache_folder_still_paces_the_run(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    pacer = Pacer(DELAY, blocked / "cache")
    times = send_times([pacer], rounds=3)
    assert min(gaps(times)) >= DELAY - 0.01
    assert blocked.read_text() == "not a folder"


def finishes(pacer: Pacer) -> bool:
    """Whether `wait` returns (within a generous bound far above the delay)."""
    waiter = threading.Thread(target=pacer.wait, daemon=True)
    waiter.start()
    waiter.join(timeout=30 * DELAY)
    return not waiter.is_alive()


def test_a_time_in_the_future_does_not_block_the_run(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_text(f"{time.time() + 10**9}\n")
    assert finishes(Pacer(DELAY, tmp_path))
    # The next run is paced from now again, not from the far future.
    assert float((tmp_path / FILE_NAME).read_text()) <= time.time()
    assert finishes(Pacer(DELAY, tmp_path))


def test_a_garbled_file_is_written_over(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_bytes(b"\xff\x00 not a time")
    first = Pacer(DELAY, tmp_path)
    assert finishes(first)
    times = send_times([Pacer(DELAY, tmp_path), first], rounds=2)
    assert min(gaps(times)) >= DELAY - 0.01
