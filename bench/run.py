"""Issues 6 and 11's benchmarks in one run: figures printed next to their goals, met or missed.

    python bench/run.py                      # from the repository root, in its virtualenv

0. Start-up: a bare `python -c pass`, `note2bib --version` and a warm export of one note.
1. arXiv: requests and wall time for N = 10, 100, 1,000 cold ids, then the same notes warm,
   against the loopback stand-in with a per-request latency and arXiv's 3 s pacing.
2. Export: whole-process time and peak memory for 1,000 and 10,000 notes from a warm cache,
   next to the f-string floor (`floor.py`: the same notes and papers, f-string BibTeX).
3. Citation keys: 2,000, 4,000 and 8,000 notes all headed "Meeting notes" (every key collides).
4. Libraries: deduplicating 1,000 notes against each real corpus and the synthetic 100k-entry
   library, first without the library index (cold), then with it (warm), next to bibtexparser
   just parsing the same file.

Every process is timed whole (spawn to exit), so a ratio to a bare `python -c pass` or to
the floor, both measured in the same run, carries the interpreter's start on both sides.

SYNTHETIC LOAD. The stand-in holds ~150 real recorded arXiv entries; 1,000 or 10,000 distinct
ids need more. Here every id is answered with a recorded entry's bytes, that entry's own id
swapped for the requested one. These answers exist only in this process while it runs: they
are never written to the fixtures, and no figure below depends on what the papers say. The
100k-entry library is built at run time by the corpora's own `make_synthetic.py`.

Peak memory is `ru_maxrss` of each measured child process alone (`os.wait4`). Each measure
runs `--runs` times and the median is shown (the cold N=1,000 case `--pacing-runs` times).
No figure here is asserted by a test.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from note2bib.arxiv.ids import find_arxiv_ids  # noqa: E402

from arxiv_standin import ArxivStandin, load_entries  # noqa: E402

CHILD = Path(__file__).resolve().parent / "library_child.py"
FLOOR = Path(__file__).resolve().parent / "floor.py"
PACING = 3.0
"""arXiv's terms: one request every three seconds."""
CORPORA = [
    "ml_uwsbel_refsML-AI.bib",
    "messy_iridia_all.bib",
    "lab_uwsbel_all.bib",
    "ml_neurips2020_bvitamins.bib",
    "lab_cdl.bib",
]
SYNTHETIC_SHA256 = "f69c9538fd5fbfa0ab039122d1d4e03faad87fe9068a0175ee653c0396b90db2"
LIBRARY_NOTES = 1000
LIBRARY_IDS = 100
"""Of the 1,000 notes deduplicated against a library, up to this many name its own arXiv ids."""
STARTUP_GOAL = 10.0
"""Issue 11: `--version` and a warm one-note export within this many bare Python starts."""
ONE_NOTE_GOAL_S = 0.15
COLD_GOAL = 1.3
"""Issue 11: a cold run of 10 ids within this many times the pacing limit (latency)."""
EXPORT_GOALS = {1000: 15.0, 10000: 20.0}
"""Issue 11: notes exported from a warm cache → most times the f-string floor."""
MEMORY_GOAL_MIB = 150
KEY_NOTES = (2000, 4000, 8000)
COLLIDING_HEADING = "Meeting notes"


# --- synthetic load ------------------------------------------------------------------------


def synthetic_ids(count: int, month: str = "2501") -> list[str]:
    """`count` distinct well-formed new-style ids (2501.10000, 2501.10001, …)."""
    return [f"{month}.{10000 + n:05d}" for n in range(count)]


def synthetic_entries(ids: Sequence[str]) -> dict[str, str]:
    """SYNTHETIC: each id answered with a real recorded entry's bytes under that id."""
    recorded = sorted((b, f) for b, f in load_entries().items() if "/" not in b)
    out = {}
    for n, new in enumerate(ids):
        base, fragment = recorded[n % len(recorded)]
        out[new] = fragment.replace(f"/abs/{base}", f"/abs/{new}").replace(
            f"/pdf/{base}", f"/pdf/{new}"
        )
    return out


def write_notes(path: Path, ids: Sequence[str]) -> None:
    """One Markdown note per id: a heading, the abstract link, a line of the reader's own."""
    path.write_text(
        "".join(
            f"## Paper {n}\n\nhttps://arxiv.org/abs/{i}\n\nWhat I made of paper {n}.\n\n"
            for n, i in enumerate(ids)
        ),
        encoding="utf-8",
    )


class TimedStandin(ArxivStandin):
    """The stand-in, slowed by `latency` per request, noting when each answer was ready."""

    def __init__(self, entries: Mapping[str, str], latency: float) -> None:
        super().__init__(entries)
        self.delay = latency
        self.answered: list[float] = []

    def answer(self, path: str, query: dict[str, list[str]]) -> Any:
        result = super().answer(path, query)
        self.answered.append(time.monotonic())
        return result


# --- measuring a child process -------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    wall: float
    """Seconds from spawn to exit."""
    peak_mb: float
    """`ru_maxrss` of this child alone, in MiB."""
    code: int
    stdout: str
    stderr: str


def measure(command: Sequence[str], env: Mapping[str, str], cwd: Path) -> Measured:
    """Run `command` to its end: its wall time and its own peak resident memory."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile(suffix=".json") as result,
    ):
        spawner = [sys.executable, "-S", str(CHILD), "spawn", result.name, *command]
        done = subprocess.run(spawner, stdout=out, stderr=err, env=dict(env), cwd=cwd)
        if done.returncode != 0:
            raise RuntimeError(f"the spawner failed on {command}")
        figures = json.loads(Path(result.name).read_text(encoding="utf-8"))
        out.seek(0)
        err.seek(0)
        return Measured(
            figures["wall"],
            figures["peak_mb"],
            figures["code"],
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


def note2bib(*args: str) -> list[str]:
    """The `note2bib` command as a user runs it: the virtualenv's console script."""
    script = Path(sys.executable).with_name("note2bib")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "note2bib", *args]


def environment(
    cache: Path, api: str = "http://127.0.0.1:9/api/query", delay: float = 0.0
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        NOTE2BIB_CACHE_DIR=str(cache), NOTE2BIB_ARXIV_API=api, NOTE2BIB_ARXIV_DELAY=f"{delay:g}"
    )
    return env


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [list(map(str, header))] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    for n, row in enumerate(cells):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print()


# --- 0. start-up ---------------------------------------------------------------------------


def bench_startup(work: Path, runs: int) -> None:
    print("## 0. Start-up\n")
    cache = work / "cache-startup"
    ids = synthetic_ids(1, month="2505")
    warm_cache(work, cache, ids)
    notes = work / "one.md"
    write_notes(notes, ids)
    env = environment(cache)
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "note2bib --version": note2bib("--version"),
        "warm export of one note": note2bib("export", str(notes), "-o", str(work / "one.bib")),
    }
    walls: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):  # each run measures every command, so all share the same load
        for name, command in commands.items():
            m = measure(command, env, work)
            assert m.code == 0, m.stderr
            walls[name].append(m.wall)
    bare = median(walls["python -c pass"])
    rows = [["python -c pass", f"{bare * 1000:.1f} ms", "1.0x", ""]]
    for name in ("note2bib --version", "warm export of one note"):
        wall = median(walls[name])
        goal = f"<= {STARTUP_GOAL:g}x {verdict(wall <= STARTUP_GOAL * bare)}"
        if name == "warm export of one note":
            goal += f"; < {ONE_NOTE_GOAL_S} s {verdict(wall < ONE_NOTE_GOAL_S)}"
        rows.append([name, f"{wall * 1000:.0f} ms", f"{wall / bare:.1f}x", goal])
    table(["command", "whole process", "vs python -c pass", "goal"], rows)


# --- 1. arXiv requests and pacing ----------------------------------------------------------


def bench_arxiv(work: Path, latency: float, runs: int, pacing_runs: int) -> None:
    print(f"## 1. arXiv: cold and warm ids (stand-in latency {latency:g} s, pacing {PACING:g} s)\n")
    rows = []
    for n in (10, 100, 1000):
        ids = synthetic_ids(n, month="2502")
        notes = work / f"arxiv{n}.md"
        write_notes(notes, ids)
        batches = math.ceil(n / 100)
        limit = (batches - 1) * PACING + latency
        colds, phases, cold_requests, warms, warm_requests = [], [], [], [], []
        with TimedStandin(synthetic_entries(ids), latency) as standin:
            for _ in range(pacing_runs if n >= 1000 else runs):
                cache = work / f"cache-arxiv{n}"
                shutil.rmtree(cache, ignore_errors=True)
                env = environment(cache, standin.url, PACING)
                seen = len(standin.requests)
                cold = measure(
                    note2bib("export", str(notes), "-o", str(work / "out.bib")), env, work
                )
                assert cold.code == 0, cold.stderr
                sent = standin.requests[seen:]
                cold_requests.append(len(sent))
                phases.append(standin.answered[-1] - sent[0].time)
                colds.append(cold.wall)
                seen = len(standin.requests)
                warm = measure(
                    note2bib("export", str(notes), "-o", str(work / "out.bib")), env, work
                )
                assert warm.code == 0, warm.stderr
                warm_requests.append(len(standin.requests) - seen)
                warms.append(warm.wall)
        phase = median(phases)
        off = (phase - limit) / limit
        cold_ratio = median(colds) / limit
        cold_goal = f" (goal <= {COLD_GOAL})" if n == 10 else ""
        cold_verdict = f" {verdict(cold_ratio <= COLD_GOAL)}" if n == 10 else ""
        rows.append(
            [
                f"{n:,}",
                f"{max(cold_requests)} (goal {batches}) {verdict(max(cold_requests) == batches)}",
                f"{phase:.2f} s",
                f"{limit:.2f} s",
                f"{off:+.1%} {verdict(abs(off) <= 0.10)}",
                f"{median(colds):.2f} s",
                f"{cold_ratio:.2f}x{cold_goal}{cold_verdict}",
                f"{max(warm_requests)} (goal 0) {verdict(max(warm_requests) == 0)}",
                f"{median(warms):.2f} s",
            ]
        )
    table(
        [
            "ids",
            "cold requests",
            "arXiv phase",
            "pacing limit",
            "vs limit (goal ±10%)",
            "cold process",
            "cold process / limit",
            "warm requests",
            "warm process",
        ],
        rows,
    )
    print(
        "arXiv phase: from the first request the stand-in saw to its last answer; pacing "
        "limit: (ceil(N/100) - 1) * 3 s + latency; process: the whole `note2bib export` run.\n"
    )


# --- 2. export scale -----------------------------------------------------------------------


def warm_cache(work: Path, cache: Path, ids: Sequence[str]) -> None:
    """Put the papers of `ids` in `cache` (SYNTHETIC answers, no pacing: not measured)."""
    notes = work / "warmup.md"
    write_notes(notes, ids)
    with TimedStandin(synthetic_entries(ids), 0.0) as standin:
        done = measure(note2bib("export", str(notes)), environment(cache, standin.url), work)
    assert done.code == 0, done.stderr


def bench_export(work: Path, runs: int) -> None:
    print("## 2. Export from a warm cache (no library)\n")
    cache = work / "cache-export"
    ids = synthetic_ids(10000, month="2503")
    warm_cache(work, cache, ids)
    rows = []
    for n, goal in EXPORT_GOALS.items():
        notes = work / f"export{n}.md"
        write_notes(notes, ids[:n])
        ours, floor = [], []
        for _ in range(runs):  # each run: note2bib, then the floor, under the same load
            m = measure(
                note2bib("export", str(notes), "-o", str(work / "out.bib")),
                environment(cache),
                work,
            )
            assert m.code == 0, m.stderr
            ours.append(m)
            f = measure(
                [sys.executable, str(FLOOR), str(notes), str(cache), str(work / "floor.bib")],
                environment(cache),
                work,
            )
            assert f.code == 0, f.stderr
            floor.append(f)
        wall, floor_wall = median([m.wall for m in ours]), median([f.wall for f in floor])
        peak = median([m.peak_mb for m in ours])
        memory_goal = f" (goal < {MEMORY_GOAL_MIB} MiB) {verdict(peak < MEMORY_GOAL_MIB)}"
        rows.append(
            [
                f"{n:,}",
                f"{wall:.2f} s",
                f"{floor_wall:.2f} s",
                f"{wall / floor_wall:.1f}x (goal <= {goal}x) {verdict(wall <= goal * floor_wall)}",
                f"{peak:.0f} MiB" + (memory_goal if n == 10000 else ""),
                f"{median([f.peak_mb for f in floor]):.0f} MiB",
            ]
        )
    table(
        [
            "notes",
            "whole process",
            "f-string floor",
            "vs floor",
            "peak memory",
            "floor peak memory",
        ],
        rows,
    )
    print(
        "f-string floor: `bench/floor.py`, a whole process that splits the same notes at their "
        "headings, finds each id with one regular expression, reads the same papers from "
        "note2bib's cache (one JSON row each) and writes f-string BibTeX with the notes "
        "attached: no Markdown, no LaTeX encoding, no key rules, no checks.\n"
    )


# --- 3. citation keys ----------------------------------------------------------------------


def bench_keys(work: Path, runs: int) -> None:
    print(f'## 3. Citation keys: every note headed "{COLLIDING_HEADING}"\n')
    rows = []
    walls: dict[int, float] = {}
    for n in KEY_NOTES:
        notes = work / f"keys{n}.md"
        notes.write_text(
            "".join(f"## {COLLIDING_HEADING}\n\nWhat we said, time {i}.\n\n" for i in range(n)),
            encoding="utf-8",
        )
        results = []
        for _ in range(runs):
            m = measure(
                note2bib(
                    "export", "--offline", "--no-search", str(notes), "-o", str(work / "k.bib")
                ),
                environment(work / "cache-keys"),
                work,
            )
            assert m.code == 0, m.stderr
            results.append(m.wall)
        walls[n] = median(results)
        growth = walls[n] / walls[KEY_NOTES[0]]
        linear = n / KEY_NOTES[0]
        rows.append(
            [
                f"{n:,}",
                f"{walls[n]:.2f} s",
                f"{walls[n] / n * 1000:.2f} ms",
                f"{growth:.2f}x (linear: <= {linear:g}x) {verdict(growth <= linear)}",
            ]
        )
    table(["notes", "whole process", "per note", f"vs {KEY_NOTES[0]:,} notes"], rows)
    print(
        "Every note is unresolved and its natural key is the same (`meetingnotes`): the keys "
        "are meetingnotes, meetingnotesa, … (`--offline --no-search`, nothing asked of arXiv). "
        "Time linear in the notes grows at most as their number (the start-up is shared).\n"
    )


# --- 4. libraries --------------------------------------------------------------------------


def library_ids(path: Path, count: int) -> list[str]:
    """Up to `count` distinct new-style arXiv ids written in the library (in file order)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    found = dict.fromkeys(m.id.base for m in find_arxiv_ids(text) if "/" not in m.id.base)
    return list(found)[:count]


def child(
    mode: str, *args: str, env: Mapping[str, str], cwd: Path
) -> tuple[Measured, dict[str, Any]]:
    m = measure([sys.executable, str(CHILD), mode, *args], env, cwd)
    if m.code != 0:
        raise RuntimeError(f"{mode} {args}: {m.stderr}")
    return m, json.loads(m.stdout)


def bench_libraries(work: Path, libraries: Sequence[Path], runs: int) -> None:
    print(f"## 4. Deduplicating {LIBRARY_NOTES:,} notes against a library\n")
    times, memory = [], []
    for path in libraries:
        cache = work / f"cache-{path.stem}"
        own = library_ids(path, LIBRARY_IDS)
        ids = own + synthetic_ids(LIBRARY_NOTES - len(own), month="2504")
        notes = work / f"dedupe-{path.stem}.md"
        write_notes(notes, ids)
        warm_cache(work, cache, ids)
        env = environment(cache)
        step = (str(notes), str(path), str(cache))
        bare, cold, warm, fresh_notes = [], [], [], []
        for _ in range(runs):
            bare.append(child("parse", str(path), env=env, cwd=work))
            for name in os.listdir(cache):
                if name.startswith("libraries."):
                    (cache / name).unlink()
            cold.append(child("dedupe", *step, "memo", env=env, cwd=work))
            warm.append(child("dedupe", *step, "memo", env=env, cwd=work))
            fresh_notes.append(child("dedupe", *step, "no-memo", env=env, cwd=work))
        b, c, w, f = (_summary(r) for r in (bare, cold, warm, fresh_notes))
        found = {r[1]["in_library"] for r in cold + warm + fresh_notes}
        assert len(found) == 1, f"{path.name}: cold and warm runs disagree: {found}"
        times.append(
            [
                path.name,
                f"{path.stat().st_size / 1e6:.1f} MB",
                f"{cold[0][1]['entries']:,}",
                found.pop(),
                f"{b['seconds']:.2f} s",
                f"{c['seconds']:.2f} s",
                _ratio(c["seconds"], b["seconds"], 1.2),
                f"{w['seconds']:.3f} s",
                _ratio(w["seconds"], b["seconds"], 0.1),
                f"{f['seconds']:.3f} s",
                _ratio(f["seconds"], b["seconds"], 0.1),
            ]
        )
        memory.append(
            [
                path.name,
                f"{b['growth']:.0f} MiB",
                f"{c['growth']:.0f} MiB",
                _ratio(c["growth"], b["growth"], 1.2),
                f"{w['growth']:.0f} MiB",
                f"{b['peak']:.0f} / {c['peak']:.0f} / {w['peak']:.0f} MiB",
                f"{b['wall']:.2f} / {c['wall']:.2f} / {w['wall']:.2f} s",
            ]
        )
    table(
        [
            "library",
            "size",
            "entries",
            "notes found in it",
            "bibtexparser parse",
            "cold",
            "cold / parse (goal <= 1.2)",
            "warm",
            "warm / parse (goal <= 0.1)",
            "warm, new notes",
            "new notes / parse (goal <= 0.1)",
        ],
        times,
    )
    table(
        [
            "library",
            "parse: memory",
            "cold: memory",
            "cold / parse (goal <= 1.2)",
            "warm: memory",
            "peak RSS parse / cold / warm",
            "process parse / cold / warm",
        ],
        memory,
    )
    print(
        "parse: `bibtexparser.parse_file` (v2.1, default middlewares), timed in a fresh process "
        "after its import. cold: note2bib reads the library (parses it, writes its index) and "
        "matches the notes' 1,000 records against it, timed in a fresh process once the "
        "records are built (papers from a warm cache). warm: the same again, the library and "
        "the matches from the index. warm, new notes: the library from its index, every record "
        "matched anew (what a run with 1,000 notes never matched before costs). memory: growth "
        "of the process's peak resident size (VmHWM) during that step; peak RSS and process: "
        "the whole child processes (interpreter, imports and notes included).\n"
    )


def _ratio(value: float, base: float, goal: float) -> str:
    ratio = value / base if base > 0 else math.inf
    return f"{ratio:.3f} {verdict(ratio <= goal)}"


def _summary(results: list[tuple[Measured, dict[str, Any]]]) -> dict[str, float]:
    return {
        "seconds": median([r[1]["seconds"] for r in results]),
        "growth": median([r[1]["peak_after_mb"] - r[1]["peak_before_mb"] for r in results]),
        "wall": median([r[0].wall for r in results]),
        "peak": median([r[0].peak_mb for r in results]),
    }


def synthetic_library(work: Path, corpora: Path) -> Path:
    """The 100k-entry library, built by the corpora's own script (57 MB, never committed)."""
    out = work / "synth100k.bib"
    made = subprocess.run(
        [sys.executable, str(corpora / "make_synthetic.py"), "100000", str(out)],
        cwd=corpora,
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        raise RuntimeError(made.stderr)
    import hashlib

    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    if digest != SYNTHETIC_SHA256:
        print(f"note: {out.name} sha256 {digest} differs from PROVENANCE.md's\n")
    return out


# --- main ----------------------------------------------------------------------------------


def machine() -> str:
    mem = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            total_kib = int(f.readline().split()[1])
        mem = f", {total_kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load = ", load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    return (
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} cores (nproc)"
        f"{mem}{load}; Python {platform.python_version()} on {platform.system()} "
        f"{platform.release()}"
    )


def compile_note2bib() -> str:
    """note2bib's modules compiled to bytecode, as `pip install` leaves them.

    An editable install has no bytecode until a run writes it, and with
    PYTHONDONTWRITEBYTECODE set (as on the machine below) no run ever does: each would
    compile all of note2bib's modules again, about 50 ms, which no installed copy pays.
    """
    import compileall

    import note2bib

    package = Path(note2bib.__file__).parent
    if not compileall.compile_dir(package, quiet=1):
        raise RuntimeError(f"could not compile {package}")
    flag = "set" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "not set"
    return (
        f"note2bib measured as installed: {package} compiled to bytecode first "
        f"(PYTHONDONTWRITEBYTECODE {flag} here)."
    )


SECTIONS = ("startup", "arxiv", "export", "keys", "libraries")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency", type=float, default=0.5, help="stand-in seconds per request")
    parser.add_argument("--runs", type=int, default=5, help="runs per measure (median shown)")
    parser.add_argument("--pacing-runs", type=int, default=1, help="runs of the cold N=1,000 case")
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--no-synthetic", action="store_true", help="skip the 100k library")
    parser.add_argument(
        "--only", choices=SECTIONS, action="append", help="one section (repeatable)"
    )
    args = parser.parse_args()
    sections = set(args.only or SECTIONS)
    print(f"# note2bib benchmarks\n\n{machine()}\n")
    print(f"{compile_note2bib()}\n")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="note2bib-bench-") as tmp:
        work = Path(tmp)
        steps: list[Callable[[], None]] = []
        if "startup" in sections:
            steps.append(lambda: bench_startup(work, args.runs))
        if "arxiv" in sections:
            steps.append(lambda: bench_arxiv(work, args.latency, args.runs, args.pacing_runs))
        if "export" in sections:
            steps.append(lambda: bench_export(work, args.runs))
        if "keys" in sections:
            steps.append(lambda: bench_keys(work, args.runs))
        if "libraries" in sections:
            libraries = [args.corpora / name for name in CORPORA]
            if not args.no_synthetic:
                libraries.append(synthetic_library(work, args.corpora))
            steps.append(lambda: bench_libraries(work, libraries, args.runs))
        for step in steps:
            step()
            sys.stdout.flush()
    print(
        f"(benchmarks took {time.perf_counter() - started:.0f} s; load average now "
        "{:.2f} {:.2f} {:.2f})".format(*os.getloadavg())
    )


if __name__ == "__main__":
    main()
