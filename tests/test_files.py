"""Reading notes and writing results: one-sentence errors, nothing half-written, nothing
written over a change made meanwhile, and runs that take turns."""

from __future__ import annotations

import errno
import io
import os
import threading
import time
from pathlib import Path

import pytest

from note2bib.errors import InputError, OutputError
from note2bib.files import FileChanged, lock_path, locked, read_text, write_atomic


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


def test_a_file_changed_since_it_was_read_is_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    target.write_text("changed by someone else\n")
    with pytest.raises(FileChanged, match="changed while note2bib was writing it"):
        write_atomic(target, "merged\n", expected=b"old\n", backup=tmp_path / "refs.bib.bak")
    assert target.read_text() == "changed by someone else\n"
    # The backup was the file as read; no temporary file is left.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refs.bib", "refs.bib.bak"]


def test_a_file_unchanged_since_it_was_read_is_replaced_and_backed_up(tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    target.write_text("old\n")
    write_atomic(target, "merged\n", expected=b"old\n", backup=tmp_path / "refs.bib.bak")
    assert target.read_text() == "merged\n"
    assert (tmp_path / "refs.bib.bak").read_text() == "old\n"


def test_a_second_holder_of_the_lock_waits_and_says_so(tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    target.write_text("x\n")
    told: list[str] = []
    order: list[str] = []
    with locked(target):
        assert lock_path(target).exists()

        def second() -> None:
            with locked(target, told.append):
                order.append("second")

        thread = threading.Thread(target=second)
        thread.start()
        deadline = time.monotonic() + 10
        while not told and time.monotonic() < deadline:
            time.sleep(0.01)
        order.append("first")
    thread.join(timeout=10)
    assert order == ["first", "second"]
    assert told == [
        f"waiting for another note2bib that is writing {target} (its lock: {lock_path(target)})"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refs.bib"]  # the lock file removed


def test_the_lock_of_a_link_is_beside_the_file_it_points_at(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "refs.bib").write_text("x\n")
    (tmp_path / "refs.bib").symlink_to("shared/refs.bib")
    assert lock_path(tmp_path / "refs.bib") == tmp_path / "shared" / ".refs.bib.note2bib-lock"


def test_a_file_system_without_locks_is_written_without_one_and_said_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fcntl

    def no_locks(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(fcntl, "flock", no_locks)
    target = tmp_path / "refs.bib"
    told: list[str] = []
    with locked(target, told.append):
        write_atomic(target, "merged\n")
    assert target.read_text() == "merged\n"
    assert told == [
        f"{lock_path(target)}: cannot be locked (No locks available); writing without it"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refs.bib"]
