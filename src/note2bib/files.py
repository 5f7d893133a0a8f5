"""Careful reads (one-sentence errors naming the file) and atomic writes."""

from __future__ import annotations

import codecs
import contextlib
import os
import sys
from pathlib import Path
from typing import BinaryIO

from note2bib.errors import BinaryFileError, InputError, OutputError

# Files people name by mistake or keep beside their notes (attachments, exports, archives).
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx, .xlsx, .epub…)"),
    (b"\x1f\x8b", "gzip-compressed"),
    (b"\xfd7zXZ\x00", "xz-compressed"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x7fELF", "a program (ELF)"),
)
# How much of a file is looked at for NUL bytes, as git and grep do.
_SNIFF = 8192
_UTF16_32_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)

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
    kind = binary_kind(data, encoding)
    if kind is not None:
        raise BinaryFileError(f"{name}: is {kind}, not a text file")
    if encoding is None or codecs.lookup(encoding).name == "utf-8":
        return decode_utf8(data, name)
    return _decode(data, name, encoding)


def binary_kind(data: bytes, encoding: str | None = None) -> str | None:
    """What binary data `data` is (`a PNG image`), or None when it may be text.

    A known signature decides; otherwise a NUL byte near the start of a file that is not
    UTF-8 does (a UTF-8 file with a stray NUL is text; UTF-16 and UTF-32 are full of NULs).
    """
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    if b"\0" not in data[:_SNIFF] or _bom_encoding(data):
        return None
    if encoding is not None and codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "binary data"
    return None


def _bom_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32 when `data` starts with that encoding's byte-order mark."""
    return next((name for bom, name in _UTF16_32_BOMS if data.startswith(bom)), None)


def _decode(data: bytes, name: str, encoding: str) -> str:
    """`data` in the encoding the user named, or an error that says where it fails."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise InputError(
            f"{name}:{line}: not {encoding} (byte 0x{data[err.start]:02x} at offset {err.start})"
        ) from None


def decode_utf8(data: bytes, name: str, remedy: str | None = None) -> str:
    """UTF-8 (a BOM is allowed) or an error that says where the first bad byte is.

    `remedy` is what to do instead of `--encoding`, for files that option does not read.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        bom = _bom_encoding(data)
        if bom is not None:
            raise InputError(
                f"{name}: is {bom} text (it starts with a {bom} byte-order mark), not UTF-8; "
                f"save it as UTF-8, or {remedy or f'read it with --encoding {bom.lower()}'}"
            ) from None
        line = data.count(b"\n", 0, err.start) + 1
        raise InputError(
            f"{name}:{line}: not UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}); "
            f"save the file as UTF-8, or {remedy or 'name its encoding with --encoding'}"
        ) from None


def write_atomic(path: str | os.PathLike[str], text: str | bytes) -> None:
    """Write `text` (or bytes) to `path` so a failed or killed run leaves the old file as it was.

    The text goes to a temporary file in the same directory, is flushed to disk, and then
    renamed over the target (`os.replace` is atomic on POSIX and Windows).
    """
    import tempfile  # only a run that writes a file loads it

    target = Path(path)
    directory = target.parent
    check_output(target)
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


def check_output(path: str | os.PathLike[str]) -> None:
    """Refuse an output file whose folder is missing, not a folder, or not writable."""
    target = Path(path)
    directory = target.parent
    if not directory.exists():
        raise OutputError(f"{target}: the directory {directory} does not exist")
    if not directory.is_dir():
        raise OutputError(f"{target}: {directory} is not a directory")
    if not os.access(directory, os.W_OK | os.X_OK):
        # A new file is made there and renamed over the old one: the folder must be writable.
        raise OutputError(f"{target}: the directory {directory} is not writable")


def _fsync_directory(directory: Path) -> None:
    # The rename is durable only once the directory entry is on disk (not possible on Windows).
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
