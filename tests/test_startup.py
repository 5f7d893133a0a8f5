"""What a run loads: each command imports what it needs and nothing more (issue 11).

Start-up was 0.3 s because every run imported every package: the HTTP stack for runs that
send nothing, the library parser for runs without a library, `importlib.metadata` for the
version. Each probe below runs note2bib in a fresh interpreter and reads `sys.modules` as the
run ends.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

from arxiv_standin import ArxivStandin

# What each of these costs at start-up, roughly: requests with urllib3 70 ms (note2bib no longer
# uses them; a cold run sends its requests with http.client, 10 ms with ssl), markdown-it
# 50 ms, pybtex 40 ms, importlib.metadata 40 ms, bibtexparser 30 ms, PyYAML 25 ms,
# pylatexenc 20 ms, rapidfuzz 15 ms.
HEAVY = frozenset(
    {
        "requests",
        "urllib3",
        "http.client",
        "bibtexparser",
        "rapidfuzz",
        "markdown_it",
        "yaml",
        "pylatexenc",
        "pybtex",
        "platformdirs",
        "importlib.metadata",
    }
)

TITLE_SEARCH = frozenset({"note2bib.arxiv.title_searcher", "note2bib.arxiv.search"})
"""What looks notes up by title (5 ms at start-up): only for a note that names no arXiv id."""

_PROBE = """\
import atexit, json, sys
out = sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
if sys.argv[1:] != ["--import-only"]:
    from note2bib.cli import main
    main(sys.argv[1:], prog_name="note2bib")
else:
    import note2bib.cli
"""

# A recorded paper whose title, authors and categories are plain ASCII.
PLAIN = "1009.3186"
PLAIN_TITLE = "Group Testing with Probabilistic Tests: Theory, Design and Application"
# A recorded paper whose first author's family name is accented (Balázs).
ACCENTED = "0704.0001"


def run(tmp_path: Path, *args: str) -> tuple[frozenset[str], subprocess.CompletedProcess[str]]:
    """note2bib with `args` in a fresh interpreter: the packages it loaded, and how it ended."""
    out = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(out), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    modules = frozenset(json.loads(out.read_text(encoding="utf-8")))
    return frozenset(m.split(".")[0] for m in modules) | modules, done


def test_importing_the_command_line_loads_no_heavy_package(tmp_path: Path) -> None:
    loaded, done = run(tmp_path, "--import-only")
    assert done.returncode == 0, done.stderr
    assert loaded & HEAVY == set()


def test_version_is_the_installed_one_and_loads_no_heavy_package(tmp_path: Path) -> None:
    loaded, done = run(tmp_path, "--version")
    assert (done.returncode, done.stdout) == (
        0,
        f"note2bib, version {importlib.metadata.version('note2bib')}\n",
    )
    assert loaded & HEAVY == set()


def test_help_and_init_load_no_heavy_package(tmp_path: Path) -> None:
    for args in (["--help"], ["export", "--help"], ["init"]):
        loaded, done = run(tmp_path, *args)
        assert done.returncode == 0, done.stderr
        assert loaded & HEAVY == set(), args


def test_a_warm_export_loads_no_http_no_library_parser_and_no_name_parser(
    tmp_path: Path, arxiv_standin: ArxivStandin
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(f"## {PLAIN_TITLE}\n\nhttps://arxiv.org/abs/{PLAIN}\n\nMy note.\n")
    cold, done = run(tmp_path, "export", "notes.md", "-o", "cold.bib")
    assert done.returncode == 0, done.stderr
    assert {"http.client", "markdown_it"} <= cold  # the probe sees what a run loads
    assert cold & {"requests", "urllib3"} == set()
    warm, done = run(tmp_path, "export", "notes.md", "-o", "warm.bib")
    assert done.returncode == 0, done.stderr
    assert len(arxiv_standin.requests) == 1
    assert (tmp_path / "warm.bib").read_text() == (tmp_path / "cold.bib").read_text()
    # Names were parsed when arXiv's answer was read, and the cache keeps them parsed.
    assert warm & HEAVY == {"markdown_it"}
    # Every note names its id: there is no title to look up.
    assert warm & TITLE_SEARCH == set()
    assert "tempfile" not in warm  # 3 ms (shutil, bz2, lzma) for one call of mkstemp
    assert "note2bib.names" not in warm  # the names come parsed from the cache


def test_dedupe_reads_no_markdown_and_an_indexed_library_is_not_parsed(
    tmp_path: Path, arxiv_standin: ArxivStandin
) -> None:
    library = tmp_path / "refs.bib"
    library.write_text(
        "@article{a, title={Segment Anything}, author={Kirillov, Alexander}, year={2023}}\n"
        "@misc{b, title={Segment anything}, author={Kirillov, A.}, year={2023}}\n"
    )
    loaded, done = run(tmp_path, "dedupe", "refs.bib")
    assert done.returncode == 0, done.stderr
    assert "a (refs.bib:1), b (refs.bib:2)" in done.stdout
    assert loaded & {"markdown_it", "yaml", "requests"} == set()
    assert "bibtexparser" in loaded
    notes = tmp_path / "notes.md"
    notes.write_text(f"## {PLAIN_TITLE}\n\nhttps://arxiv.org/abs/{PLAIN}\n")
    first, done = run(tmp_path, "export", "notes.md", "--library", "refs.bib", "-o", "1.bib")
    assert done.returncode == 0, done.stderr
    assert "bibtexparser" in first
    again, done = run(tmp_path, "export", "notes.md", "--library", "refs.bib", "-o", "2.bib")
    assert done.returncode == 0, done.stderr
    assert again & {"bibtexparser", "requests", "pybtex"} == set()
    assert (tmp_path / "2.bib").read_text() == (tmp_path / "1.bib").read_text()


def test_the_title_search_loads_for_a_note_that_names_no_id(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text(f"## {PLAIN_TITLE}\n\nMy note.\n")
    loaded, done = run(tmp_path, "export", "notes.md", "--offline", "-o", "out.bib")
    assert "could not be looked up on arXiv by its title (--offline" in done.stderr
    assert loaded >= TITLE_SEARCH


def test_a_key_from_an_accented_latin_name_loads_no_transliteration_tables(
    tmp_path: Path, arxiv_standin: ArxivStandin
) -> None:
    (tmp_path / "notes.md").write_text(f"## Diphotons\n\nhttps://arxiv.org/abs/{ACCENTED}\n")
    loaded, done = run(tmp_path, "export", "notes.md", "-o", "out.bib")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.bib").read_text().startswith("@misc{balazs2007calculation,")
    assert "anyascii" not in loaded  # 6 ms of start-up, with importlib.resources
