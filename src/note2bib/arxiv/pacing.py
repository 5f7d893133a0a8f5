"""Pacing shared by every note2bib run on the machine, so two runs never double arXiv's rate.

The last request's wall-clock time is kept in `<cache dir>/arxiv-pace`; a run takes an
exclusive `flock` on that file, sleeps until `delay` has passed since the time it holds,
writes the current time and lets go. The lock dies with its process, so a killed run never
leaves the others waiting.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

FILE_NAME = "arxiv-pace"


class Pacer:
    """Waits before each request until `delay` seconds have passed since any run's last one."""

    def __init__(self, delay: float, directory: Path | None = None) -> None:
        self.delay = delay
        self.path = None if directory is None else directory / FILE_NAME
        self._last: float | None = None
        """This process's last request (`time.monotonic()`): the pacing when the file fails."""

    def wait(self) -> None:
        """Sleep as long as pacing asks, then count the request as sent now."""
        if self.delay <= 0:
            return
        if self.path is None or not self._wait_shared(self.path):
            # No usable cache folder (read-only, a platform without flock): the run still
            # keeps its own pace; the cache's own error, if any, already tells the user.
            self._wait_local()
        self._last = time.monotonic()

    def _wait_local(self) -> None:
        if self._last is not None:
            _sleep(self._last + self.delay - time.monotonic(), self.delay)

    def _wait_shared(self, path: Path) -> bool:
        """Pace through the shared file; False when it cannot be used."""
        if sys.platform == "win32":
            return False
        import fcntl

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            last = _read_time(fd)
            if last is not None:
                _sleep(last + self.delay - time.time(), self.delay)
            elif self._last is not None:
                self._wait_local()
            stamp = f"{time.time():.6f}\n".encode("ascii")
            os.ftruncate(fd, 0)
            os.pwrite(fd, stamp, 0)
        except OSError:
            return False
        finally:
            # Closing the descriptor releases the lock.
            with contextlib.suppress(OSError):
                os.close(fd)
        return True


def _read_time(fd: int) -> float | None:
    """The time stored in the file, or None when it holds none (new, emptied, garbage)."""
    try:
        return float(os.pread(fd, 64, 0).decode("ascii"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def _sleep(seconds: float, at_most: float) -> None:
    # A time in the future (a clock set back, a garbled file) must not stall every run:
    # never wait longer than one full delay.
    if seconds > 0:
        time.sleep(min(seconds, at_most))
