"""Libraries (`--library refs.bib`, with and without `--merge`) that are broken or strange:
each is read as BibTeX reads it, or refused with file:line and left exactly as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from note2bib.cli import main

from arxiv_standin import ArxivStandin

NOTES = "## Segment Anything\nhttps://arxiv.org/abs/2304.02643\n"
SAM = "@misc{sam,\n  title = {Segment Anything},\n  eprint = {2304.02643}\n}\n"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "notes.md").write_text(NOTES, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def library(project: Path, data: bytes) -> tuple[Path, bytes, int]:
    """refs.bib with `data`, its mtime set in the past (so any rewrite would show)."""
    path = project / "refs.bib"
    path.write_bytes(data)
    os.utime(path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    return path, data, path.stat().st_mtime_ns


def export(merge: bool) -> Result:
    extra = ["--merge", "-o", "refs.bib"] if merge else []
    return run("export", "--library", "refs.bib", *extra, "notes.md")


def assert_untouched(path: Path, data: bytes, mtime: int) -> None:
    assert path.read_bytes() == data
    assert path.stat().st_mtime_ns == mtime
    assert not Path(f"{path}.bak").exists()
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".refs.bib")] == []


def assert_one_sentence(result: Result, starts: str) -> None:
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"note2bib: {starts}")
    assert result.stderr.count("\n") == 1, result.stderr


@pytest.mark.parametrize("merge", [False, True], ids=["read", "merge"])
def test_invalid_utf8_is_refused_with_line_and_offset_untouched(project: Path, merge: bool) -> None:
    path, data, mtime = library(
        project, SAM.encode() + "@misc{b, title={Caf\xe9}}\n".encode("cp1252")
    )
    result = export(merge)
    assert_one_sentence(result, "refs.bib:5: not UTF-8 (byte 0xe9 at offset 86)")
    assert "--encoding" not in result.stderr  # that option is for the notes
    assert_untouched(path, data, mtime)


@pytest.mark.parametrize("merge", [False, True], ids=["read", "merge"])
def test_a_binary_library_is_refused_untouched(project: Path, merge: bool) -> None:
    path, data, mtime = library(project, b"SQLite format 3\x00" + bytes(200))
    assert_one_sentence(export(merge), "refs.bib: is an SQLite database, not a library")
    assert_untouched(path, data, mtime)


def test_an_entry_never_closed_is_named_and_the_merge_refused(
    arxiv_standin: ArxivStandin, project: Path
) -> None:
    path, data, mtime = library(
        project, (SAM + "\n@article{open,\n  title = {never {closed}\n").encode()
    )
    read = export(merge=False)
    # Read: the entries before it count, and the broken block is one warning with its line
    # (not bibtexparser's own two-line log message).
    assert read.exit_code == 0, read.stderr
    assert read.stdout == ""  # SAM is already in the library
    assert read.stderr.splitlines()[0] == (
        "refs.bib:6: this block could not be read (Unexpectedly reached end of file); "
        "papers in it are not recognised"
    )
    assert "aborted" not in read.stderr
    merged = export(merge=True)
    assert_one_sentence(merged, "refs.bib:6: the @article entry open is never closed")
    assert_untouched(path, data, mtime)


def test_an_extra_closing_brace_is_read_as_bibtex_reads_it(
    arxiv_standin: ArxivStandin, project: Path
) -> None:
    # BibTeX ends the entry at the first `}}` and skips the rest as text between entries.
    path, data, _ = library(project, b"@misc{other, title = {Other}}, year = {2020}\n}\n")
    result = export(merge=True)
    assert result.exit_code == 0, result.stderr
    after = path.read_bytes()
    assert after.startswith(data + b"\n% note2bib: key=kirillov2023segment made=paper ")
    assert b"\n@misc{kirillov2023segment," in after[len(data) :]
    assert Path(f"{path}.bak").read_bytes() == data


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        pytest.param(
            "@misc{sam, title = {Old}}\n" + SAM,
            "refs.bib: 1 keys are used by more than one entry (BibTeX uses the first): sam",
            id="duplicate-keys",
        ),
        pytest.param(
            "@misc{\n  title = {No key},\n  year = {2020}\n}\n\n" + SAM,
            "refs.bib:1: this block could not be read (Expected comma after entry key, but "
            "found =); papers in it are not recognised",
            id="entry-without-key",
        ),
        pytest.param(
            "@string{a = b}\n@string{b = a}\n@string{c = c # c}\n"
            "@misc{sam, title = a # b # c, eprint = {2304.02643}}\n",
            None,
            id="string-loops",
        ),
        pytest.param(
            "@misc{sam,\n  eprint = {2304.02643},\n  annote = {"
            + "A long note, with {braces} and \\emph{commands}. " * 90_000
            + "}\n}\n",
            None,
            id="4MB-entry",
            marks=pytest.mark.slow,
        ),
    ],
)
@pytest.mark.parametrize("merge", [False, True], ids=["read", "merge"])
def test_odd_but_readable_libraries_find_the_paper_and_are_not_touched(
    arxiv_standin: ArxivStandin, project: Path, text: str, warning: str | None, merge: bool
) -> None:
    path, data, mtime = library(project, text.encode())
    result = export(merge)
    assert result.exit_code == 0, result.stderr
    assert "already in refs.bib as sam" in result.stderr  # the paper was found in it
    if warning is not None:
        assert warning in result.stderr.splitlines()
    if merge:  # nothing to add: the file is not rewritten at all
        assert "refs.bib: nothing to add; the file was not touched" in result.stderr
        assert_untouched(path, data, mtime)
    else:
        assert result.stdout == ""
        assert path.read_bytes() == data
