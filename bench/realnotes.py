"""Issue 9's score: how each paper's note is read from real notes, against hand-checked truth.

    python bench/realnotes.py [-v] [--notes DIR]     # from the repository root, in its virtualenv

Exports every `NAME.md` of the real-notes folder (default: the workplace's
`shared/realnotes`; see its README.md and PROVENANCE.md) with `--offline --no-search -f
csl-json` into a temporary folder, with an empty temporary cache, scores each export with
that folder's own `check_units.py`, and prints a per-file table and check_units' summary:
arXiv papers found, title-only papers found, mean own recall, mean precision, junk entries.
`-v` also lists each paper below the targets. No network is used; nothing is written outside
the temporary folder.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--notes", type=Path, default=_default_notes(), help="realnotes folder")
    parser.add_argument("-v", action="store_true", help="list each paper below the targets")
    args = parser.parse_args(argv)
    folder: Path = args.notes
    checker = _load(folder / "check_units.py")
    results: list[tuple[str, dict[str, Any]]] = []
    with tempfile.TemporaryDirectory(prefix="note2bib-realnotes-") as tmp:
        env = {**os.environ, "NOTE2BIB_CACHE_DIR": str(Path(tmp, "cache"))}
        for truth_path in sorted((folder / "truth").glob("*.json")):
            notes = folder / "notes" / f"{truth_path.stem}.md"
            out = Path(tmp, f"{truth_path.stem}.json")
            command = [sys.executable, "-m", "note2bib", "export", str(notes), "--offline"]
            command += ["--no-search", "-f", "csl-json", "-q", "-o", str(out)]
            done = subprocess.run(command, env=env, capture_output=True, text=True)
            if done.returncode not in (0, 3):
                print(f"{notes.name}: exit {done.returncode}: {done.stderr.strip()}")
            export = json.loads(out.read_text(encoding="utf-8")) if out.exists() else []
            truth = json.loads(truth_path.read_text(encoding="utf-8"))
            text = notes.read_text(encoding="utf-8")
            results.append((truth_path.stem, checker.score_file(export, truth, text, args.v)))
    _table(results)
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        passed = checker.summarize(results)
    lines = report.getvalue().rstrip("\n").split("\n")
    if args.v:
        print("\n".join(lines[:-1]))
    print(lines[-1])
    return 0 if passed else 1


def _table(results: list[tuple[str, dict[str, Any]]]) -> None:
    """One Markdown row per file: papers found, mean own recall and precision, junk."""
    print("| file | arXiv found | title-only found | own recall | precision | junk |")
    print("|---|---|---|---|---|---|")
    for name, r in results:
        recall = f"{sum(r['recall']) / len(r['recall']):.2f}" if r["recall"] else "-"
        precision = f"{sum(r['precision']) / len(r['precision']):.2f}" if r["precision"] else "-"
        print(
            f"| {name} | {r['arxiv_found']}/{r['arxiv']} | {r['titled_found']}/{r['titled']} "
            f"| {recall} | {precision} | {r['junk']} |"
        )
    print()


def _load(path: Path) -> ModuleType:
    """The folder's own scorer, imported from its file."""
    spec = importlib.util.spec_from_file_location("check_units", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{path}: cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _default_notes() -> Path:
    """`shared/realnotes` beside the checkout (a worktree sits one level deeper)."""
    for parent in ROOT.parents:
        candidate = parent / "shared" / "realnotes"
        if candidate.is_dir():
            return candidate
    return ROOT.parent / "shared" / "realnotes"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
