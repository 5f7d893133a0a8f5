"""Running note2bib with its stderr on a terminal (a pseudo-terminal), as a user sees it."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path


def stderr_on_a_terminal(args: list[str], stdout: Path, env: dict[str, str]) -> str:
    """What `python -m note2bib ARGS` writes to a terminal on stderr (stdout to a file)."""
    controller, terminal = pty.openpty()
    with stdout.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "note2bib", *args], stdout=out, stderr=terminal, env=env
        )
        os.close(terminal)
        chunks = []
        while True:  # read as it comes: a full terminal buffer would block the process
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the process closed its end
                break
            if not chunk:
                break
            chunks.append(chunk)
        proc.wait(timeout=60)
    os.close(controller)
    return b"".join(chunks).decode()
