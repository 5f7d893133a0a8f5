"""`-o` where it cannot or must not write: a missing or read-only folder, a full disk, a notes
file, another input of the run. Each is one sentence, and a file already at `-o` keeps its
bytes. And where it writes as the user pointed: through a symbolic link, into a FIFO."""

from __future__ import annotations

import errno
import os
import stat
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


def library_files(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a.bib", tmp_path / "b.bib"
    a.write_bytes(b"@misc{a1, title = {Only in a}}\n")
    b.write_bytes(b"@misc{b1, title = {Only in b}}\n")
    return a, b


def test_merge_onto_the_second_library_is_refused(notes: Path, tmp_path: Path) -> None:
    # It used to write a.bib's entries and the new one over b.bib, b.bib's own entries lost.
    a, b = library_files(tmp_path)
    before = b.read_bytes()
    result = run(
        "export", str(notes), "--library", str(a), "--library", str(b), "--merge", "-o", str(b)
    )
    assert_one_sentence(
        result,
        f"--merge -o writes the merged library over the first --library, {a}; -o {b} is "
        "another file (leave out -o for the merged library on stdout)",
        2,
    )
    assert b.read_bytes() == before
    assert not Path(f"{b}.bak").exists()


def test_merge_onto_a_new_file_is_refused_too(notes: Path, tmp_path: Path) -> None:
    a, _ = library_files(tmp_path)
    out = tmp_path / "merged.bib"
    result = run("export", str(notes), "--library", str(a), "--merge", "-o", str(out))
    assert result.exit_code == 2
    assert f"-o {out} is another file" in result.stderr
    assert not out.exists()


def test_output_onto_the_cited_document_is_refused(notes: Path, tmp_path: Path) -> None:
    doc = tmp_path / "doc.tex"
    doc.write_text("\\cite{kirillov2023segment}\n", encoding="utf-8")
    result = run("export", str(notes), "--cited", str(doc), "-o", str(doc))
    assert_one_sentence(
        result, f"-o {doc} is the document --cited reads; it would be overwritten", 2
    )
    assert doc.read_text(encoding="utf-8") == "\\cite{kirillov2023segment}\n"


def test_output_onto_the_project_file_is_refused(
    notes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = tmp_path / "note2bib.toml"
    toml.write_text('notes = "notes.md"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("export", "-o", "note2bib.toml")
    assert_one_sentence(
        result, "-o note2bib.toml is the note2bib.toml in effect; it would be overwritten", 2
    )
    assert toml.read_text(encoding="utf-8") == 'notes = "notes.md"\n'


def test_a_merge_through_a_symlinked_library_writes_the_shared_file(
    arxiv_standin: ArxivStandin, notes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "refs.bib").write_bytes(OLD)
    project = tmp_path / "paper"
    project.mkdir()
    (project / "refs.bib").symlink_to("../shared/refs.bib")
    monkeypatch.chdir(project)
    result = run("export", str(notes), "--library", "refs.bib", "--merge", "-o", "refs.bib")
    assert result.exit_code == 0, result.stderr
    assert (project / "refs.bib").is_symlink()
    assert os.readlink(project / "refs.bib") == "../shared/refs.bib"
    merged = (shared / "refs.bib").read_bytes()
    assert merged.startswith(OLD) and b"@misc{kirillov2023segment," in merged
    assert (project / "refs.bib.bak").read_bytes() == OLD  # beside the name the user gave
    assert sorted(p.name for p in shared.iterdir()) == ["refs.bib"]  # the lock was removed


def test_output_through_a_symlink_writes_its_target(
    arxiv_standin: ArxivStandin, notes: Path, tmp_path: Path
) -> None:
    target = tmp_path / "real.bib"
    target.write_bytes(OLD)
    link = tmp_path / "out.bib"
    link.symlink_to(target.name)
    result = run("export", str(notes), "-o", str(link))
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert target.read_bytes().startswith(b"@misc{kirillov2023segment,")


@pytest.mark.parametrize("through_a_link", [False, True], ids=["fifo", "link-to-fifo"])
def test_output_onto_a_fifo_is_written_into_it(
    arxiv_standin: ArxivStandin, notes: Path, tmp_path: Path, through_a_link: bool
) -> None:
    # As `-o /dev/stdout` is (a link to a pipe): written into, never replaced by a file.
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    out = fifo
    if through_a_link:
        out = tmp_path / "out.bib"
        out.symlink_to(fifo.name)
    # The reading end, open before note2bib runs (its open for writing waits for a reader).
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        result = run("export", str(notes), "-o", str(out))
        received = os.read(reader, 1 << 16)
    finally:
        os.close(reader)
    assert result.exit_code == 0, result.stderr
    assert received.startswith(b"@misc{kirillov2023segment,\n")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["notes.md", "out.fifo", *(["out.bib"] if through_a_link else [])]
    )
