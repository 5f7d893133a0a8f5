"""Notes files that are not what they should be: binary, another encoding, NUL bytes, huge,
deeply nested, only headings, symbolic-link loops, devices and FIFOs. Each gives the
bibliography or one sentence on stderr, never a traceback."""

from __future__ import annotations

import gzip
import json
import os
import resource
import shlex
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import bibtexparser
import pytest
from click.testing import CliRunner, Result

from note2bib.cli import main
from note2bib.latex import decode

from arxiv_standin import ArxivStandin

SAM = "## Segment Anything\nhttps://arxiv.org/abs/2304.02643\n"
# The first bytes of a real PNG (signature and the start of its IHDR chunk).
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def annotes(bibtex: str) -> dict[str, str]:
    library = bibtexparser.parse_string(bibtex)
    assert not library.failed_blocks
    return {e.key: decode(e.fields_dict["annote"].value) for e in library.entries}


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        pytest.param(PNG, "a PNG image", id="png"),
        pytest.param(gzip.compress(SAM.encode()), "gzip-compressed", id="gzip"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF document", id="pdf"),
        pytest.param(b"\x00\x01\x02\xff\xfe binary", "binary data", id="no-signature"),
    ],
)
def test_a_binary_file_named_as_notes_is_one_sentence(
    tmp_path: Path, content: bytes, kind: str
) -> None:
    path = tmp_path / "notes.md"
    path.write_bytes(content)
    result = run("export", str(path))
    assert result.exit_code == 1
    assert result.stderr == f"note2bib: {path}: is {kind}, not a text file\n"
    assert result.stdout == ""


def test_a_binary_file_in_a_vault_is_skipped_with_a_warning(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "attachment.md").write_bytes(PNG)
    (vault / "sam.md").write_text(SAM, encoding="utf-8")
    result = run("export", str(vault))
    assert result.exit_code == 0, result.stderr
    assert f"{vault / 'attachment.md'}: is a PNG image, not a text file; skipped" in result.stderr
    assert "no notes found" not in result.stderr
    assert list(annotes(result.stdout).values()) == [SAM.rstrip("\n")]


def test_utf16_notes_are_named_as_such_and_read_with_encoding(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    path = tmp_path / "notes.md"
    path.write_bytes(SAM.encode("utf-16"))  # with its byte-order mark, as Windows saves it
    refused = run("export", str(path))
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"note2bib: {path}: is UTF-16 text (it starts with a UTF-16 byte-order mark), not "
        "UTF-8; save it as UTF-8, or read it with --encoding utf-16\n"
    )
    read = run("export", "--encoding", "utf-16", str(path))
    assert read.exit_code == 0, read.stderr
    assert list(annotes(read.stdout).values()) == [SAM.rstrip("\n")]


def test_nul_bytes_are_left_out_with_a_warning_naming_line_and_offset(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    path = tmp_path / "notes.md"
    path.write_bytes(b"## Segment\0 Anything\nhttps://arxiv.org/abs/2304.02643\n\0\0")
    result = run("export", str(path))
    assert result.exit_code == 0, result.stderr
    assert f"{path}:1: 3 NUL bytes left out of the notes (the first at byte offset 10)" in (
        result.stderr
    )
    assert list(annotes(result.stdout).values()) == [SAM.rstrip("\n")]


def test_headings_alone_give_entries_only_where_they_name_a_paper(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    path = tmp_path / "notes.md"
    path.write_text("## [SAM](https://arxiv.org/abs/2304.02643)\n## Another heading\n")
    result = run("export", str(path))
    assert result.exit_code == 0, result.stderr
    assert list(annotes(result.stdout).values()) == ["## [SAM](https://arxiv.org/abs/2304.02643)"]
    only = tmp_path / "only.md"
    only.write_text("# Reading list\n## One\n## Two\n")
    empty = run("export", str(only))
    assert (empty.exit_code, empty.stdout) == (0, "")
    assert f"{only}: no notes found in this file" in empty.stderr


def test_a_file_without_headings_is_one_note(arxiv_standin: ArxivStandin, tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    text = "Read this today: https://arxiv.org/abs/2304.02643\n\nIt segments anything."
    path.write_text(text)
    result = run("export", str(path))
    assert result.exit_code == 0, result.stderr
    assert list(annotes(result.stdout).values()) == [text]


@pytest.mark.parametrize(
    "nesting",
    [
        pytest.param("> " * 10_000, id="10000-quotes"),
        pytest.param("- " * 10_000, id="10000-list-items"),
        pytest.param("[" * 10_000 + "x" + "]" * 10_000, id="10000-brackets"),
        pytest.param("*" * 10_000 + "x" + "*" * 10_000, id="10000-emphasis"),
        pytest.param(
            "".join("  " * i + "- x\n" for i in range(1000)),
            id="1000-indented-lists",
            marks=pytest.mark.slow,
        ),
        pytest.param(
            "".join(">" * i + " x\n" for i in range(1000)),
            id="1000-quote-lines",
            marks=pytest.mark.slow,
        ),
    ],
)
def test_deeply_nested_markdown_is_kept_as_written(
    arxiv_standin: ArxivStandin, tmp_path: Path, nesting: str
) -> None:
    path = tmp_path / "notes.md"
    path.write_text(f"{SAM}{nesting}\n\n## Second\nhttps://example.org/x\n{nesting}")
    result = run("export", "--no-search", "-f", "csl-json", str(path))
    assert result.exit_code == 0, result.stderr  # "Second" names no paper: kept, reported
    # The heading after the nesting still starts a note of its own.
    notes = {item["id"]: item["annote"] for item in json.loads(result.stdout)}
    assert notes == {
        "kirillov2023segment": SAM + nesting.rstrip("\n"),
        "second": "## Second\nhttps://example.org/x\n" + nesting.rstrip("\n"),
    }


@pytest.mark.slow
def test_a_long_note_with_a_link_on_every_line_is_read_whole(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    # 5 MB in one note: each of its lines once made every line be searched for every link.
    line = "메모 and https://github.com/facebookresearch/segment-anything/blob/main/{}.py\n"
    body = "".join(line.format(i) for i in range(70_000))
    path = tmp_path / "notes.md"
    path.write_text(SAM + body, encoding="utf-8")
    assert path.stat().st_size > 5_000_000
    result = run("export", "-f", "csl-json", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("segment-anything/blob/main/") == 70_000
    assert "main/69999.py" in result.stdout


def test_a_vault_with_link_loops_and_broken_links_exports_each_note_once(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    vault = tmp_path / "vault"
    (vault / "papers").mkdir(parents=True)
    (vault / "papers" / "sam.md").write_text(SAM)
    os.symlink(vault, vault / "papers" / "up")  # a loop back to the top
    os.symlink(vault / "papers", vault / "again")  # the same folder a second time
    os.symlink(vault / "self.md", vault / "self.md")  # a link to itself
    os.symlink(tmp_path / "gone.md", vault / "gone.md")  # a link to nothing
    result = run("export", str(vault))
    assert result.exit_code == 0, result.stderr
    assert list(annotes(result.stdout).values()) == [SAM.rstrip("\n")]


def test_a_notes_file_that_is_a_link_to_itself_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "loop.md"
    os.symlink(path, path)
    result = run("export", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"note2bib: {path}: cannot be read (")
    assert result.stderr.count("\n") == 1


def test_a_device_named_as_notes_is_one_sentence_and_never_read(tmp_path: Path) -> None:
    # `ln -s /dev/zero zero.md`: reading it would never end (4.4 GB of memory in 8 s once).
    # A process of its own, with a memory cap and a timeout, so a regression fails instead of
    # eating the machine.
    (tmp_path / "zero.md").symlink_to("/dev/zero")
    cap = 1 << 30
    done = subprocess.run(
        [sys.executable, "-m", "note2bib", "export", "zero.md"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (cap, cap)),
    )
    assert done.returncode == 1
    assert done.stderr == "note2bib: zero.md: is a character device (/dev/zero), not a notes file\n"
    assert done.stdout == ""


def test_devices_and_fifos_in_a_vault_are_skipped_with_a_warning(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "sam.md").write_text(SAM, encoding="utf-8")
    (vault / "zero.md").symlink_to("/dev/zero")
    os.mkfifo(vault / "stream.md")  # nobody writes to it: reading would wait for ever
    result = run("export", str(vault))
    assert result.exit_code == 0, result.stderr
    assert list(annotes(result.stdout)) == ["kirillov2023segment"]
    assert f"{vault / 'stream.md'}: is a FIFO, not a notes file; skipped\n" in result.stderr
    assert (
        f"{vault / 'zero.md'}: is a character device (/dev/zero), not a notes file; skipped\n"
        in result.stderr
    )


def test_a_fifo_named_as_notes_is_read_as_a_stream(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    fifo = tmp_path / "notes.md"
    os.mkfifo(fifo)

    def feed() -> None:
        with fifo.open("w", encoding="utf-8") as out:
            out.write(SAM)

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        result = run("export", str(fifo))
    finally:
        writer.join(timeout=30)
    assert result.exit_code == 0, result.stderr
    assert annotes(result.stdout) == {"kirillov2023segment": SAM.rstrip("\n")}


def test_process_substitution_is_read_as_notes(arxiv_standin: ArxivStandin) -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash for <(…)")
    env = {**os.environ, "NOTE2BIB_ARXIV_API": arxiv_standin.url}
    done = subprocess.run(
        [bash, "-c", f'"$0" -m note2bib export <(printf %s {shlex.quote(SAM)})', sys.executable],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert annotes(done.stdout) == {"kirillov2023segment": SAM.rstrip("\n")}
