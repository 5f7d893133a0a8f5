"""The library index: a library's entries as parsed, kept in the cache directory, so a run over
an unchanged library does not parse it again (parsing a large `.bib` is most of a run). The
same file holds the match memo (`match_memo`), under the same FORMAT.

An index is served only for the very bytes it was made from, by code that parses alike:

- the file is read whole every run (merging needs its bytes anyway) and its SHA-256 decides.
  Size and mtime are kept with it but prove nothing: an edit that keeps the size within one
  mtime tick (coarse on some filesystems), `touch -r`, `git checkout` or `rsync -t` leave
  both as they were. A new mtime over the same bytes still gets the index: the bytes are what
  was parsed. Hashing 57 MB takes a few hundredths of a second;
- the fingerprint of the parsing and identity code is part of the key, so an upgrade (or a
  local change) to how entries are read never meets an index an older version made;
- an index that cannot be read (not a database, another format, rows missing or garbled) is
  ignored: the library is parsed as if there were none. It is a cache: losing it costs time,
  so no failure of its file reaches the user (`sqlite_store`'s policy, this store's cost),
  and a damaged file is deleted and made anew.

Entries are decoded from their rows only when asked for (a match, a title candidate), so a
run that finds every paper by its id touches a handful of the library's entries.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from note2bib.library.identity import Lookup
from note2bib.library.lazy import LazyEntries
from note2bib.model import Diagnostic, LibraryEntry
from note2bib.sqlite_store import Store, StoreError, delete_store, open_existing, open_store

FILE_NAME = "libraries.sqlite3"
FORMAT = 1
"""Bump when the tables or the rows' JSON change; an index of another format is dropped."""

# One encoder for every row: `json.dumps` with options builds a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False)

_CREATE = (
    """
    CREATE TABLE IF NOT EXISTS libraries (
        path TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        code TEXT NOT NULL,
        kind TEXT NOT NULL,
        diagnostics TEXT NOT NULL,
        count INTEGER NOT NULL,
        lookup TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS library_entries (
        path TEXT NOT NULL,
        n INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        entry TEXT NOT NULL,
        PRIMARY KEY (path, n)
    )
    """,
)


@dataclass(frozen=True)
class Indexed:
    """What the index gives back for a library: what parsing it would have given."""

    entries: Sequence[LibraryEntry]
    lookup: Lookup
    diagnostics: tuple[Diagnostic, ...]


@cache
def code_fingerprint() -> str:
    """A hash of note2bib's source: another version (or a local change) never reads this one's
    index, whichever module it changed."""
    digest = hashlib.sha256(f"format {FORMAT}".encode())
    package = Path(__file__).parent.parent  # every module of note2bib, not only library/
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def content_hash(data: bytes) -> str:
    """The SHA-256 of a library's bytes."""
    return hashlib.sha256(data).hexdigest()


def load(
    directory: Path,
    path: str,
    data: bytes,
    kind: str,
    reparse: Callable[[], Sequence[LibraryEntry]],
) -> Indexed | None:
    """The index of `path` when it was made from exactly `data`; None otherwise.

    `reparse` gives the entries should a stored one turn out unreadable later.
    """
    try:
        with open_existing(directory / FILE_NAME, FORMAT) as store:
            found = store.rows(
                "SELECT size, sha256, code, kind, diagnostics, count, lookup FROM libraries "
                "WHERE path = ?",
                (_real(path),),
            )
        if not found:
            return None
        size, sha, code, stored_kind, diagnostics, count, lookup = found[0]
        if (size, sha, code, stored_kind) != (
            len(data),
            content_hash(data),
            code_fingerprint(),
            kind,
        ):
            return None
        entries = _StoredEntries(directory / FILE_NAME, sha, count, path, reparse)
        return Indexed(entries, Lookup.from_json(lookup, count), _diagnostics(diagnostics, path))
    except (StoreError, ValueError, TypeError):
        return None


def save(
    directory: Path,
    path: str,
    data: bytes,
    kind: str,
    entries: Sequence[LibraryEntry],
    lookup: Lookup,
    diagnostics: Sequence[Diagnostic],
) -> None:
    """Keep this library's parse for the next run (replacing the file's older index).

    Never fails: without an index the next run parses again, as this one did.
    """
    try:
        sha = content_hash(data)
        head = (
            _real(path),
            len(data),
            os.stat(path).st_mtime_ns,
            sha,
            code_fingerprint(),
            kind,
            json.dumps([[d.message, d.line, d.level] for d in diagnostics], ensure_ascii=False),
            len(entries),
            lookup.to_json(),
        )
        rows = [
            (
                head[0],
                n,
                sha,
                _ENCODER.encode([e.key, e.type, e.fields, e.line, e.span[0], e.span[1]]),
            )
            for n, e in enumerate(entries)
        ]
    except (OSError, ValueError, TypeError):
        return
    file = directory / FILE_NAME
    for attempt in range(2):
        try:
            with open_store(file, FORMAT, _CREATE) as store, store.transaction() as db:
                _forget_vanished(db)
                db.execute("DELETE FROM library_entries WHERE path = ?", (head[0],))
                db.execute(
                    "INSERT OR REPLACE INTO libraries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", head
                )
                db.executemany("INSERT INTO library_entries VALUES (?, ?, ?, ?)", rows)
            return
        except StoreError as err:
            if not err.damaged or attempt > 0:
                return
            delete_store(file)  # not a database (any more): start it anew


def _forget_vanished(db: sqlite3.Connection) -> None:
    """Drop the indexes of library files that no longer exist, so the cache does not keep
    every library ever read."""
    gone = [p for (p,) in db.execute("SELECT path FROM libraries") if not os.path.exists(p)]
    for path in gone:
        db.execute("DELETE FROM library_entries WHERE path = ?", (path,))
        db.execute("DELETE FROM libraries WHERE path = ?", (path,))


def _real(path: str) -> str:
    return os.path.realpath(path)


def _diagnostics(text: str, path: str) -> tuple[Diagnostic, ...]:
    out = []
    for message, line, level in json.loads(text):
        if level not in ("warning", "info") or not (line is None or isinstance(line, int)):
            raise ValueError("a stored diagnostic is garbled")
        out.append(Diagnostic(_str(message), path, line, level))
    return tuple(out)


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _entry(text: str, path: str) -> LibraryEntry:
    key, kind, fields, line, start, end = json.loads(text)
    if not all(isinstance(x, int) for x in (line, start, end)):
        raise TypeError("a stored entry's place is garbled")
    return LibraryEntry(
        key=_str(key),
        type=_str(kind),
        fields=tuple((_str(name), _str(value)) for name, value in fields),
        file=path,
        line=line,
        span=(start, end),
    )


class _StoredEntries(LazyEntries):
    """A library's entries, each read from its stored row when first asked for."""

    def __init__(
        self,
        file: Path,
        sha: str,
        count: int,
        path: str,
        reparse: Callable[[], Sequence[LibraryEntry]],
    ) -> None:
        self._file = file
        self._sha = sha
        self._count = count
        self._path = path
        self._real = _real(path)
        self._reparse = reparse
        self._decoded: dict[int, LibraryEntry] = {}
        self._parsed: Sequence[LibraryEntry] | None = None
        self._store: Store | None = None

    def __len__(self) -> int:
        return self._count

    def _entry(self, n: int) -> LibraryEntry:
        if self._parsed is not None:
            return self._parsed[n]
        if n not in self._decoded:
            try:
                self._decoded[n] = self._read(n)
            except (StoreError, ValueError, TypeError):
                # A row gone, garbled, or of the file's newer content (indexed meanwhile by
                # another run): the bytes this run read still tell.
                self._close()
                self._parsed = self._reparse()
                return self._parsed[n]
        return self._decoded[n]

    def __iter__(self) -> Iterator[LibraryEntry]:
        """Every entry, read in one query (or from the file, should a row be amiss)."""
        if self._parsed is None and len(self._decoded) < self._count:
            try:
                self._read_all()
            except (StoreError, ValueError, TypeError):
                self._close()
                self._parsed = self._reparse()
        if self._parsed is not None:
            return iter(self._parsed)
        return (self._decoded[n] for n in range(self._count))

    def _read_all(self) -> None:
        with open_existing(self._file, FORMAT) as store:
            rows = store.rows(
                "SELECT n, sha256, entry FROM library_entries WHERE path = ? ORDER BY n",
                (self._real,),
            )
        if [n for n, _, _ in rows] != list(range(self._count)):
            raise ValueError("stored entries are missing")
        if any(sha != self._sha for _, sha, _ in rows):
            raise ValueError("the stored entries are not of these bytes")
        self._decoded = {n: _entry(text, self._path) for n, _, text in rows}

    def _read(self, n: int) -> LibraryEntry:
        if self._store is None:
            self._store = open_existing(self._file, FORMAT)
            weakref.finalize(self, self._store.close)
        found = self._store.rows(
            "SELECT sha256, entry FROM library_entries WHERE path = ? AND n = ?",
            (self._real, n),
        )
        if not found or found[0][0] != self._sha:
            raise ValueError("the stored entry is not of these bytes")
        return _entry(found[0][1], self._path)

    def _close(self) -> None:
        if self._store is not None:
            self._store.close()
