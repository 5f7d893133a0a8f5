"""The library index in the cache: a second run over an unchanged library reads it instead of
parsing the file, and must then behave exactly as a fresh read would."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import note2bib.library.read
from note2bib import sqlite_store
from note2bib.cli import main
from note2bib.library.read import read_library
from note2bib.library.stored import FILE_NAME, FORMAT

from arxiv_standin import ArxivStandin

SAMPLE = Path(__file__).parent.parent / "samples" / "notes.md"

# Two of the sample notes' papers: one by its arXiv id (through a macro), one by its title.
REFS = """\
@string{arxiv = {arXiv preprint arXiv:}}

@article{lehman2023clinical,
  title={Do we still need clinical language models?},
  author={Lehman, Eric and Hernandez, Evan},
  journal=arxiv # {2302.08091},
  year={2023}
}

@inproceedings{Hu2023Thought,
  title = {Thought Cloning: Learning to Think While Acting by Imitating Human Thinking},
  author = {Hu, Shengran and Clune, Jeff},
  booktitle = {NeurIPS},
  year = {2023}
}
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def project(arxiv_standin: ArxivStandin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Notes and refs.bib in the current directory, a cache of its own holding their papers
    (so that runs differ only in how the library is read)."""
    (tmp_path / "notes.md").write_bytes(SAMPLE.read_bytes())
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NOTE2BIB_CACHE_DIR", str(tmp_path / "cache"))
    assert run("export", "notes.md").exit_code == 0
    assert not (tmp_path / "cache" / FILE_NAME).exists()
    return tmp_path


def export(*extra: str) -> Result:
    result = run("export", "--library", "refs.bib", *extra, "notes.md")
    assert result.exit_code == 0, result.stderr  # two notes name no paper: kept
    return result


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make parsing the library fail: a run that still works read the index."""

    def refuse(*args: object) -> object:
        raise AssertionError("the library was parsed, not read from its index")

    monkeypatch.setattr(note2bib.library.read, "parse_bib", refuse)


def index(project: Path) -> sqlite3.Connection:
    return sqlite3.connect(project / "cache" / FILE_NAME, isolation_level=None)


def test_a_second_run_reads_the_index_and_gives_the_same_output_and_messages(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = export()
    no_parsing(monkeypatch)
    indexed = export()
    assert indexed.stdout == fresh.stdout
    assert indexed.stderr == fresh.stderr
    assert "already in refs.bib as lehman2023clinical (arXiv id in journal)" in indexed.stderr
    assert "as Hu2023Thought (title and first author)" in indexed.stderr


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(project: Path) -> None:
    refs = project / "refs.bib"
    assert "2302.08091 is already in refs.bib as lehman2023clinical" in export().stderr
    before = refs.stat()
    # The same number of bytes, and the mtime put back: only the content says it changed.
    refs.write_text(REFS.replace("lehman2023clinical", "lehman2023clinicaX"), encoding="utf-8")
    os.utime(refs, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (refs.stat().st_size, refs.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    again = export()
    assert "as lehman2023clinicaX (arXiv id in journal)" in again.stderr
    assert "lehman2023clinical " not in again.stderr


def test_an_index_of_another_format_or_code_is_ignored(project: Path) -> None:
    fresh = export()
    with index(project) as db:
        # Stored rows that would now mislead: lehman2023clinical carrying another paper's id.
        db.execute("UPDATE libraries SET lookup = replace(lookup, '2302.08091', '2307.05300')")
        db.execute("UPDATE libraries SET code = 'an older note2bib'")
        db.execute("DELETE FROM library_matches")
    assert export().stdout == fresh.stdout
    with index(project) as db:
        db.execute("UPDATE libraries SET lookup = replace(lookup, '2302.08091', '2307.05300')")
        db.execute("DELETE FROM library_matches")
        db.execute(f"PRAGMA user_version = {FORMAT + 1}")
    assert export().stdout == fresh.stdout


def test_a_damaged_index_is_ignored_and_rebuilt(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = export()
    for name in (FILE_NAME, FILE_NAME + "-wal", FILE_NAME + "-shm"):
        if (project / "cache" / name).exists():
            (project / "cache" / name).write_bytes(b"\x00garbage, not SQLite" * 100)
    damaged = export()
    assert (damaged.stdout, damaged.stderr) == (fresh.stdout, fresh.stderr)
    no_parsing(monkeypatch)
    assert export().stdout == fresh.stdout  # the index was made anew


def test_a_garbled_entry_row_falls_back_to_the_file(project: Path) -> None:
    fresh = export()
    with index(project) as db:
        db.execute("UPDATE library_entries SET entry = '{not json'")
        db.execute("DELETE FROM library_matches")
    garbled = export()
    assert (garbled.stdout, garbled.stderr) == (fresh.stdout, fresh.stderr)


def test_an_index_another_run_is_writing_is_left_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT_S", 0.1)  # rather than wait 5 s
    library = tmp_path / "refs.bib"
    library.write_text(REFS, encoding="utf-8")
    read_library(str(library), tmp_path / "cache")
    library.write_text(REFS.replace("Thought Cloning", "Thought Cloned"), encoding="utf-8")
    other_run = sqlite3.connect(tmp_path / "cache" / FILE_NAME, isolation_level=None)
    other_run.execute("BEGIN IMMEDIATE")
    try:
        busy = read_library(str(library), tmp_path / "cache")  # cannot index: parsed only
    finally:
        other_run.execute("ROLLBACK")
        other_run.close()
    assert (
        busy.entries[1].get("title")
        == "Thought Cloned: Learning to Think While Acting by Imitating Human Thinking"
    )
    with index(tmp_path) as db:  # the other run's file, not deleted and made anew
        (sha,) = db.execute("SELECT sha256 FROM libraries").fetchone()
    assert sha == hashlib.sha256(REFS.encode("utf-8")).hexdigest()


@pytest.mark.slow  # the 3,305-entry corpus
def test_every_entry_read_from_the_index_is_the_entry_parsed(tmp_path: Path) -> None:
    corpus = Path(__file__).parent / "fixtures" / "corpora" / "messy_iridia_all.bib"
    library = tmp_path / "refs.bib"
    library.write_bytes(corpus.read_bytes())
    fresh = read_library(str(library), tmp_path / "cache")  # parsed, then indexed
    indexed = read_library(str(library), tmp_path / "cache")
    assert not isinstance(indexed.entries, tuple)  # it did come from the index
    assert [indexed.entries[n] for n in (0, 1000, -1)] == [fresh.entries[n] for n in (0, 1000, -1)]
    assert list(indexed.entries) == list(fresh.entries)
    assert indexed.diagnostics == fresh.diagnostics
    assert indexed.keys == fresh.keys


def test_remembered_matches_that_do_not_fit_the_library_are_found_again(project: Path) -> None:
    fresh = export()
    with index(project) as db:
        assert db.execute("SELECT count(*) FROM library_matches").fetchone()[0] == 9
        db.execute("UPDATE library_matches SET entry = 99")  # one of 9 records, no such entry
    again = export()
    assert (again.stdout, again.stderr) == (fresh.stdout, fresh.stderr)


def test_a_garbled_remembered_match_does_not_end_the_run(project: Path) -> None:
    fresh = export()
    with index(project) as db:
        db.execute("UPDATE library_matches SET paths = '[not json'")
    (project / "refs.bib").write_text(REFS + "\n", encoding="utf-8")  # matched anew
    again = export()
    assert (again.stdout, again.stderr) == (fresh.stdout, fresh.stderr)


def test_matches_are_remembered_per_library_content(project: Path) -> None:
    export()
    refs = project / "refs.bib"
    refs.write_text(REFS.replace("Thought Cloning", "Thought Cloned"), encoding="utf-8")
    assert "as Hu2023Thought (title and first author)" not in export().stderr
    with index(project) as db:  # the first content's matches are forgotten
        assert db.execute("SELECT count(DISTINCT libraries) FROM library_matches").fetchone() == (
            1,
        )


def test_merge_from_the_index_writes_what_a_fresh_read_writes(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refs = project / "refs.bib"
    fresh = run(
        "export", "--library", "refs.bib", "--merge", "--annotate-existing", "notes.md"
    ).stdout
    no_parsing(monkeypatch)
    merged = run(
        "export",
        "--library",
        "refs.bib",
        "--merge",
        "--annotate-existing",
        "-o",
        "refs.bib",
        "notes.md",
    )
    assert merged.exit_code == 0, merged.stderr
    assert refs.read_text(encoding="utf-8") == fresh
    assert fresh.startswith(REFS.split("@article")[0])
    assert "added the note to the annote of lehman2023clinical" in merged.stderr


def test_two_libraries_and_a_csl_json_one_read_from_the_index_as_fresh(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "more.json").write_text(
        '[{"id": "guo2023animatediff", "type": "article", "title": "AnimateDiff",'
        ' "author": [{"family": "Guo", "given": "Yuwei"}],'
        ' "URL": "https://arxiv.org/abs/2307.04725"}]',
        encoding="utf-8",
    )
    fresh = export("--library", "more.json")
    assert "2307.04725 is already in more.json as guo2023animatediff" in fresh.stderr
    assert "already in refs.bib as lehman2023clinical" in fresh.stderr
    no_parsing(monkeypatch)
    monkeypatch.setattr(
        note2bib.library.read, "parse_csl_json", lambda *a: pytest.fail("more.json was parsed")
    )
    indexed = export("--library", "more.json")
    assert (indexed.stdout, indexed.stderr) == (fresh.stdout, fresh.stderr)


def test_the_index_forgets_libraries_that_no_longer_exist(project: Path) -> None:
    export()
    old = project / "old.bib"
    old.write_text(REFS, encoding="utf-8")
    assert run("export", "--library", "old.bib", "notes.md").exit_code == 0
    old.unlink()
    export()  # a library indexed anew (refs.bib changed) cleans up
    (project / "refs.bib").write_text(REFS + "\n", encoding="utf-8")
    export()
    with index(project) as db:
        paths = [p for (p,) in db.execute("SELECT path FROM libraries")]
        kept = {
            p for (ps,) in db.execute("SELECT paths FROM library_matches") for p in json.loads(ps)
        }
    assert paths == [str((project / "refs.bib").resolve())]
    assert kept == {str((project / "refs.bib").resolve())}
