"""Reading notes and writing results: one-sentence errors, and nothing half-written."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from note2bib.errors import InputError, OutputError
from note2bib.files import read_text, write_atomic


def test_utf8_with_bom_and_crlf_is_read_as_is(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    path.write_bytes("\ufeff## 제목\r\n본문\r\n".encode())
    assert read_text(str(path)) == "\ufeff## 제목\r\n본문\r\n"


def test_stdin_is_read_for_dash() -> None:
    assert read_text("-", stdin=io.BytesIO("## a\n메모\n".encode())) == "## a\n메모\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            b"ok\nok\n\xff\xfe", r"n\.md:3: not UTF-8 \(byte 0xff at offset 6\)", id="latin1"
        ),
        pytest.param(b"caf\xe9\n", r"n\.md:1: not UTF-8 \(byte 0xe9 at offset 3\)", id="cp1252"),
    ],
)
def test_not_utf8_names_file_line_and_byte(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "n.md"
    path.write_bytes(content)
    os.chdir(tmp_path)
    with pytest.raises(InputError, match=message):
        read_text("n.md")


def test_missing_file_and_directory_are_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_text(str(tmp_path / "absent.md"))
    with pytest.raises(InputError, match="is a directory"):
        read_text(str(tmp_path))


def test_atomic_write_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    target.write_text("old\n")
    write_atomic(target, "new 한글\n")
    assert target.read_text(encoding="utf-8") == "new 한글\n"
    assert [p.name for p in tmp_path.iterdir()] == ["refs.bib"]


def test_atomic_write_keeps_the_file_mode(tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    target.write_text("old\n")
    target.chmod(0o640)
    write_atomic(target, "new\n")
    assert target.stat().st_mode & 0o777 == 0o640


def test_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        write_atomic(tmp_path / "nope" / "refs.bib", "x")


def test_failure_while_writing_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "refs.bib"
    target.write_text("old\n")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OutputError, match="No space left on device"):
        write_atomic(target, "new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["refs.bib"]
