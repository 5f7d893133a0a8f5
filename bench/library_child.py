"""Measured steps in fresh processes, for `run.py`.

    python bench/library_child.py parse LIBRARY              # bibtexparser alone
    python bench/library_child.py dedupe NOTES LIBRARY CACHE memo|no-memo  # note2bib
    python bench/library_child.py spawn RESULT.json COMMAND… # run COMMAND, measure it

`parse` and `dedupe` print JSON: the clock and the memory reading start after the imports
(and, for `dedupe`, after the notes' records are built from the warm cache; the packages
note2bib loads lazily for a library are imported first), so both sides are measured on the
same step: what a library costs.

`spawn` exists because Linux carries a process's peak RSS across `exec`: a child forked from
the benchmark (which holds the stand-in and its answers) would report the benchmark's peak as
its own. Forked from this small process instead, a command's `ru_maxrss` is its own.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path


def peak_mb() -> float:
    """The peak resident size of this process since its `exec` (VmHWM), in MiB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def spawn(result: str, *command: str) -> None:
    """Run `command` (stdout and stderr are this process's); its wall time and peak RSS."""
    start = time.perf_counter()
    child = subprocess.Popen(command)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    Path(result).write_text(
        json.dumps({"wall": wall, "peak_mb": usage.ru_maxrss / 1024, "code": child.returncode}),
        encoding="utf-8",
    )


def parse(library: str) -> dict[str, object]:
    import bibtexparser

    before = peak_mb()
    start = time.perf_counter()
    parsed = bibtexparser.parse_file(library)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "entries": len(parsed.entries),
        "peak_before_mb": before,
        "peak_after_mb": peak_mb(),
    }


def dedupe(notes: str, library: str, cache_dir: str, memo: str) -> dict[str, object]:
    # What the step uses, loaded before the clock as `parse` loads bibtexparser before its:
    # note2bib imports these only when a library is first parsed and matched.
    import bibtexparser  # noqa: F401
    import pybtex.database  # noqa: F401
    import rapidfuzz.process  # noqa: F401

    from note2bib.files import read_text
    from note2bib.library.plan import plan_against_libraries
    from note2bib.library.read import read_library
    from note2bib.notes.sources import NotesText
    from note2bib.pipeline import ExportOptions, read_notes, resolve_papers
    from note2bib.records import build_records

    found, _ = read_notes([NotesText(notes, read_text(notes))])
    options = ExportOptions(Path(cache_dir), offline=True, search=False)
    papers = resolve_papers(found, options)
    if papers.resolution.missing:
        raise SystemExit(f"{len(papers.resolution.missing)} papers missing from the warm cache")
    records, _ = build_records(papers.found, papers.papers)
    before = peak_mb()
    start = time.perf_counter()
    read = read_library(library, Path(cache_dir))
    plan = plan_against_libraries(
        records, [read], papers.found, Path(cache_dir) if memo == "memo" else None
    )
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "entries": len(read.entries),
        "records": len(records),
        "in_library": len(plan.existing),
        "peak_before_mb": before,
        "peak_after_mb": peak_mb(),
    }


def main() -> None:
    mode, *args = sys.argv[1:]
    if mode == "spawn":
        spawn(*args)
        return
    result = parse(*args) if mode == "parse" else dedupe(*args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
