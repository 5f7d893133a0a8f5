"""Careful reads (one-sentence errors naming the file) and atomic writes."""

from __future__ import annotations

import codecs
import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO

from note2bib.errors import InputError, OutputError

STDIN = "-"
STDIN_NAME = "<stdin>"


def display_name(path: str) -> str:
    """How a notes source is named in messages and in the records."""
    return STDIN_NAME if path == STDIN else path


def read_text(path: str, stdin: BinaryIO | None = None, encoding: str | None = None) -> str:
    """The whole file (or stdin for `-`) decoded as UTF-8 (or `encoding`); a failure is one
    sentence."""
    name = display_name(path)
    try:
        data = (stdin or sys.stdin.buffer).read() if path == STDIN else Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory, not a notes file") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except OSError as err:
        raise InputError(f"{name}: cannot be read ({err.strerror or err})") from None
    if encoding is None or codecs.lookup(encoding).name == "utf-8":
        return decode_utf8(data, name)
    return _decode(data, name, encoding)


def _decode(data: bytes, name: str, encoding: str) -> str:
    """`data` in the encoding the user named, or an error that says where it fails."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise InputError(
            f"{name}:{line}: not {encoding} (byte 0x{data[err.start]:02x} at offset {err.start})"
        ) from None


def decode_utf8(data: bytes, name: str) -> str:
    """UTF-8 (a BOM is allowed) or an error that says where the first bad byte is."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise InputError(
            f"{name}:{line}: not UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}); "
            "save the file as UTF-8, or name its encoding with --encoding"
        ) from None


def write_atomic(path: str | os.PathLike[str], text: str | bytes) -> None:
    """Write `text` (or bytes) to `path` so a failed or killed run leaves the old file as it was.

    The text goes to a temporary file in the same directory, is flushed to disk, and then
    renamed over the target (`os.replace` is atomic on POSIX and Windows).
    """
    target = Path(path)
    directory = target.parent
    if not directory.is_dir():
        raise OutputError(f"{target}: the directory {directory} does not exist")
    try:
        mode = target.stat().st_mode & 0o777 if target.exists() else None
        # A kill can leave this behind: named after the target and note2bib, and hidden, so
        # it is recognised and never taken for a notes file or a library.
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.note2bib-", suffix=".tmp", dir=directory)
    except OSError as err:
        raise OutputError(f"{target}: cannot write here ({err.strerror or err})") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(text.encode("utf-8") if isinstance(text, str) else text)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(
            f"{target}: could not be written ({err.strerror or err}); nothing was changed"
        ) from None
    _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    # The rename is durable only once the directory entry is on disk (not possible on Windows).
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
