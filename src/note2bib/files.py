"""Careful reads (one-sentence errors naming the file), atomic writes, and the lock that
makes note2bib runs writing one file take turns."""

from __future__ import annotations

import codecs
import contextlib
import os
import stat
import sys
from collections.abc import Callable, Iterator
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
        if path != STDIN:
            refuse_device(path)
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


def special_kind(path: str) -> str | None:
    """What `path` is (links followed) when it is neither a regular file nor a folder: `a
    FIFO`, `a character device (/dev/zero)` (what a link leads to in brackets), `a block
    device`, `a socket`; None otherwise."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None  # the read that follows says why
    for test, kind in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            real = os.path.realpath(path)
            return kind + (f" ({real})" if real != os.path.abspath(path) else "")
    return None


def refuse_device(path: str) -> None:
    """A device named as a notes file is one sentence naming it: reading /dev/zero or a disk
    would never end. A FIFO is read, as a stream."""
    kind = special_kind(path)
    if kind is not None and not kind.startswith("a FIFO"):
        raise BinaryFileError(f"{path}: is {kind}, not a notes file")


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


class FileChanged(OutputError):
    """The file no longer holds the bytes a write over it was computed from."""


def write_atomic(
    path: str | os.PathLike[str],
    text: str | bytes,
    *,
    expected: bytes | None = None,
    backup: str | os.PathLike[str] | None = None,
) -> None:
    """Write `text` (or bytes) to `path` so a failed or killed run leaves the old file as it was.

    The text goes to a temporary file in the same directory, is flushed to disk, and then
    renamed over the target (`os.replace` is atomic on POSIX and Windows). A symbolic link is
    written through: its target is replaced and the link stays a link. A FIFO or a device
    (`/dev/stdout`, `/dev/null`) is written into as it is, never replaced by a file.

    With `expected`, the file must still hold exactly those bytes when the new ones are ready,
    or `FileChanged` is raised and nothing is written (someone else wrote it meanwhile); with
    `backup` as well, `expected` is first written there, atomically.
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    target, in_place = output_target(path)
    if in_place:
        _write_into(target, data)
        return
    directory = target.parent
    check_output(target)
    try:
        mode = target.stat().st_mode & 0o777 if target.exists() else None
        fd, tmp = _new_file_beside(target)
    except OSError as err:
        raise OutputError(f"{target}: cannot write here ({err.strerror or err})") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        if expected is not None:
            if backup is not None:
                write_atomic(backup, expected)
            # Last moment before the rename: an editor's save or another program's write
            # since `expected` was read must not be replaced unseen.
            if not holds(target, expected):
                raise FileChanged(f"{path}: changed while note2bib was writing it")
        os.replace(tmp, target)
    except OSError as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(
            f"{target}: could not be written ({err.strerror or err}); nothing was changed"
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)


def _new_file_beside(target: Path) -> tuple[int, str]:
    """A new file in `target`'s folder, open for writing and private to this user.

    What `tempfile.mkstemp` does, without importing tempfile: 3 ms of start-up (shutil, bz2,
    lzma, random) in a run whose whole budget is about 120 ms.
    """
    while True:
        # A kill can leave this behind: named after the target and note2bib, and hidden, so
        # it is recognised and never taken for a notes file or a library.
        tmp = str(target.parent / f".{target.name}.note2bib-{os.urandom(4).hex()}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o600), tmp
        except FileExistsError:
            continue  # another run's, left by a kill: 2**32 names to take another from


_O_BINARY = getattr(os, "O_BINARY", 0)
"""Windows: no line-end translation on the descriptor."""


def holds(path: str | os.PathLike[str], expected: bytes) -> bool:
    """Whether the file at `path` holds exactly `expected` (a missing file holds nothing)."""
    try:
        return Path(path).read_bytes() == expected
    except FileNotFoundError:
        return False
    except OSError as err:
        raise OutputError(f"{path}: cannot be read ({err.strerror or err})") from None


def output_target(path: str | os.PathLike[str]) -> tuple[Path, bool]:
    """Where a write to `path` lands, and whether it is written into in place.

    A FIFO or a device (links followed: `/dev/stdout`) is written into; anything else is the
    file at the end of `path`'s symbolic links (or `path` itself), replaced atomically.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = None
    if mode is not None and (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode)):
        return Path(path), True
    # Renaming over a link would replace the link, not the file it points at.
    return Path(os.path.realpath(path) if os.path.islink(path) else path), False


def _write_into(path: Path, data: bytes) -> None:
    """`data` written straight into a FIFO or a device (opening a FIFO waits for a reader)."""
    try:
        with open(path, "wb") as out:
            out.write(data)
    except OSError as err:
        raise OutputError(f"{path}: could not be written ({err.strerror or err})") from None


def check_output(path: str | os.PathLike[str]) -> None:
    """Refuse an output file whose folder is missing, not a folder, or not writable (the folder
    of the file a link points at; a FIFO or a device is written into, whatever its folder)."""
    target, in_place = output_target(path)
    if in_place:
        return
    directory = target.parent
    if not directory.exists():
        raise OutputError(f"{path}: the directory {directory} does not exist")
    if not directory.is_dir():
        raise OutputError(f"{path}: {directory} is not a directory")
    if not os.access(directory, os.W_OK | os.X_OK):
        # A new file is made there and renamed over the old one: the folder must be writable.
        raise OutputError(f"{path}: the directory {directory} is not writable")


LOCK_SUFFIX = ".note2bib-lock"


def lock_path(path: str | os.PathLike[str]) -> Path:
    """The lock file of `path`: beside the file its links lead to, hidden, named after it."""
    real = Path(os.path.realpath(path))
    return real.parent / f".{real.name}{LOCK_SUFFIX}"


@contextlib.contextmanager
def locked(
    path: str | os.PathLike[str], on_notice: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the advisory lock of `path` for the block: note2bib runs writing one file take
    turns (`on_notice` hears it once when another run holds it, or when the file system has
    no locks). The lock file is removed when done; a killed run's lock is released by the
    system and its file reused."""
    if sys.platform == "win32":  # no flock; runs on Windows do not take turns
        yield
        return
    lock = lock_path(path)
    fd = _take_lock(lock, path, on_notice)
    try:
        yield
    finally:
        if fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(lock)  # while still held: a run waiting on it then sees it gone
            os.close(fd)


def _take_lock(
    lock: Path, path: str | os.PathLike[str], on_notice: Callable[[str], None] | None
) -> int | None:
    """The lock taken (its file's descriptor), waiting for another run if need be; None on a
    file system without locks, where the check before the rename is the only guard, as it
    is against an editor."""
    import fcntl

    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as err:
            raise OutputError(f"{lock}: cannot be made ({err.strerror or err})") from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_notice is not None:
                    on_notice(
                        f"waiting for another note2bib that is writing {path} (its lock: {lock})"
                    )
                    on_notice = None
                fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as err:  # ENOLCK, EOPNOTSUPP
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(lock)
            if on_notice is not None:
                on_notice(f"{lock}: cannot be locked ({err.strerror or err}); writing without it")
            return None
        except BaseException:  # Ctrl-C while waiting
            os.close(fd)
            raise
        # The run before may have removed the lock file while this one waited on it: then
        # the lock is on a file no later run opens, and must be taken again on the new one.
        if _same_file(fd, lock):
            return fd
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        here, there = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _fsync_directory(directory: Path) -> None:
    # The rename is durable only once the directory entry is on disk (not possible on Windows).
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
