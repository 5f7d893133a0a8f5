"""Issue 9's score: how each paper's note is read from real notes, against hand-checked truth.

    python bench/realnotes.py [-v] [--notes DIR]     # from the repository root, in its virtualenv

Exports every `NAME.md` of the real-notes folder (default `../shared/realnotes`, the
workplace's copy; see its README.md and PROVENANCE.md) with `--offline --no-search -f
csl-json` into a temporary folder, with an empty temporary cache, then runs that folder's
`check_units.py --all` on the exports and prints its per-file table and summary line:
arXiv papers found, title-only papers found, mean own recall, mean precision, junk entries.
No network is used and nothing is written outside the temporary folder.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_NOTES = ROOT.parent.parent / "shared" / "realnotes"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", type=Path, default=_default_notes(), help="realnotes folder")
    parser.add_argument("-v", action="store_true", help="list each paper below the targets")
    args = parser.parse_args(argv)
    folder: Path = args.notes
    with tempfile.TemporaryDirectory(prefix="note2bib-realnotes-") as tmp:
        out = Path(tmp, "out")
        out.mkdir()
        env = {**os.environ, "NOTE2BIB_CACHE_DIR": str(Path(tmp, "cache"))}
        for notes in sorted((folder / "notes").glob("*.md")):
            target = out / f"{notes.stem}.json"
            command = [sys.executable, "-m", "note2bib", "export", str(notes), "--offline"]
            command += ["--no-search", "-f", "csl-json", "-q", "-o", str(target)]
            done = subprocess.run(command, env=env, capture_output=True, text=True)
            if done.returncode not in (0, 3):
                print(f"{notes.name}: exit {done.returncode}: {done.stderr.strip()}")
        check = [sys.executable, str(folder / "check_units.py"), "--all", str(out)]
        check += [str(folder / "truth"), str(folder / "notes")] + (["-v"] if args.v else [])
        return subprocess.run(check).returncode


def _default_notes() -> Path:
    """`../shared/realnotes` beside the checkout (a worktree sits one level deeper)."""
    for parent in ROOT.parents:
        candidate = parent / "shared" / "realnotes"
        if candidate.is_dir():
            return candidate
    return DEFAULT_NOTES


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
