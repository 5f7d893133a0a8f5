"""`-o` where it cannot or must not write: a missing or read-only folder, a full disk, a notes
file. Each is one sentence, and a file already at `-o` keeps its bytes."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from note2bib.cli import main

from arxiv_standin import ArxivStandin

NOTES = "## Segment Anything\nhttps://arxiv.org/abs/2304.02643\n"
OLD = b"% my old bibliography\n@misc{old, title = {Old}}\n"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    path = tmp_path / "notes.md"
    path.write_text(NOTES, encoding="utf-8")
    return path


def assert_one_sentence(result: Result, message: str, code: int = 1) -> None:
    assert result.exit_code == code
    assert result.stdout == ""
    assert result.stderr == f"note2bib: {message}\n"


def test_a_missing_folder_is_refused_before_arxiv_is_asked(
    arxiv_standin: ArxivStandin, notes: Path, tmp_path: Path
) -> None:
    out = tmp_path / "missing" / "refs.bib"
    result = run("export", str(notes), "-o", str(out))
    assert_one_sentence(result, f"{out}: the directory {out.parent} does not exist")
    assert arxiv_standin.requests == []
    assert not out.parent.exists()


def test_a_folder_that_is_a_file_is_refused(notes: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(OLD)
    out = tmp_path / "file" / "refs.bib"
    assert_one_sentence(
        run("export", str(notes), "-o", str(out)), f"{out}: {out.parent} is not a directory"
    )
    assert (tmp_path / "file").read_bytes() == OLD


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0,
    reason="root writes into read-only folders; the other variants still run",
)
def test_a_read_only_folder_is_refused_and_its_file_kept(notes: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "refs.bib").write_bytes(OLD)
    folder.chmod(0o555)
    try:
        result = run("export", str(notes), "-o", str(folder / "refs.bib"))
    finally:
        folder.chmod(0o755)
    assert_one_sentence(result, f"{folder / 'refs.bib'}: the directory {folder} is not writable")
    assert (folder / "refs.bib").read_bytes() == OLD


def disk_full(_fd: int) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_leaves_the_old_file_and_no_temporary_file(
    arxiv_standin: ArxivStandin, notes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "refs.bib"
    out.write_bytes(OLD)
    monkeypatch.setattr(os, "fsync", disk_full)
    result = run("export", str(notes), "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr.endswith(
        f"note2bib: {out}: could not be written (No space left on device); nothing was changed\n"
    )
    assert out.read_bytes() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.md", "refs.bib"]


def test_a_full_disk_during_a_merge_leaves_the_library_as_it_was(
    arxiv_standin: ArxivStandin, notes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = tmp_path / "refs.bib"
    library.write_bytes(OLD)
    monkeypatch.setattr(os, "fsync", disk_full)
    lib = str(library)
    result = run("export", str(notes), "--library", lib, "--merge", "-o", lib)
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr
    assert library.read_bytes() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.md", "refs.bib"]


def test_output_onto_a_note_inside_a_notes_folder_is_refused(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "papers.md").write_text(NOTES, encoding="utf-8")
    result = run("export", str(vault), "-o", str(vault / "papers.md"))
    assert_one_sentence(
        result, f"-o {vault / 'papers.md'} is one of the notes files; it would be overwritten", 2
    )
    assert (vault / "papers.md").read_text(encoding="utf-8") == NOTES


def test_output_onto_a_link_to_the_notes_is_refused(notes: Path, tmp_path: Path) -> None:
    link = tmp_path / "refs.bib"
    os.symlink(notes, link)
    result = run("export", str(notes), "-o", str(link))
    assert_one_sentence(result, f"-o {link} is one of the notes files; it would be overwritten", 2)
    assert notes.read_text(encoding="utf-8") == NOTES
