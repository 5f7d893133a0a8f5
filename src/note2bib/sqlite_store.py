"""The SQLite files of the cache directory: opening one, its schema version, its transactions,
and what a failure means.

One failure policy for every store. A store is a cache: all it holds can be fetched or
parsed again. So:

- a file stamped with another schema version is never read as it is; opened for writing,
  it is brought to this version by the store's migration from that version, when it has
  one, and otherwise emptied (every table dropped) and made anew;
- every failure of SQLite or of the file system leaves this module as one `StoreError`,
  whose `str()` names the file and what went wrong, `damaged` telling a file that is not
  (or no longer) a SQLite database from one that is only busy, full or unwritable;
- the caller says what a failure costs the user. The paper cache stops the run with the
  sentence: a paper cache that failed in silence would send every paper to arXiv again on
  every run, at 3 s a request, and its file may be one the user named. The library index
  carries on without it, since a failure costs one parse of the library, and deletes a
  damaged index to make it anew: that file is only ever note2bib's.

Every connection waits up to `BUSY_TIMEOUT_S` for another run's lock, and writes are taken
whole (`BEGIN IMMEDIATE`), so two runs never interleave their writes; WAL lets one run read
while another writes.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from note2bib.closing import Closing

BUSY_TIMEOUT_S = 5.0
"""How long to wait for another run's lock before failing."""

# SQLite's primary result codes for a file that is not, or no longer, a database.
_DAMAGED = frozenset({sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT})


class StoreError(Exception):
    """A store file could not be opened, read or written; `str()` says which file and why."""

    def __init__(self, file: Path, doing: str, cause: BaseException) -> None:
        code = getattr(cause, "sqlite_errorcode", None)
        self.file = file
        self.damaged = isinstance(code, int) and code & 0xFF in _DAMAGED
        """The file is not a SQLite database (any more): reading it again will not help."""
        problem = "is not a SQLite database" if self.damaged else f"cannot be {doing}"
        super().__init__(f"The cache file {file} {problem} ({cause})")


@contextlib.contextmanager
def _failures(file: Path, doing: str) -> Iterator[None]:
    """SQLite's and the file system's errors inside, as a `StoreError` (`doing`: `read`…)."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(file, doing, exc) from exc


class Store(Closing):
    """One open store file; its reads and writes raise `StoreError` and nothing else of SQLite."""

    def __init__(self, file: Path, db: sqlite3.Connection) -> None:
        self.file = file
        self._db = db

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Every row a read gives."""
        with _failures(self.file, "read"):
            return self._db.execute(sql, params).fetchall()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once; rolled back when the block fails."""
        with _failures(self.file, "written"):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        self._db.close()


def _connect(file: Path) -> sqlite3.Connection:
    """Autocommit: every transaction is explicit (`Store.transaction`), DDL included."""
    with _failures(file, "opened"):
        return sqlite3.connect(file, timeout=BUSY_TIMEOUT_S, isolation_level=None)


Migration = Callable[[sqlite3.Connection], None]
"""Rewrites a store of one older schema version as the current one, in the transaction that
opens it (the version stamp is the caller's to set: `open_store` does)."""


def open_store(
    file: Path,
    version: int,
    tables: Sequence[str],
    migrations: Mapping[int, Migration] | None = None,
) -> Store:
    """`file` for reading and writing: created (its folder too) if need be, in WAL mode, at
    schema `version`, holding `tables` (each a `CREATE TABLE IF NOT EXISTS` statement). A
    file stamped with another version is migrated by `migrations[that version]` when there
    is one, and emptied first otherwise."""
    with _failures(file, "opened"):
        file.parent.mkdir(parents=True, exist_ok=True)
    db = _connect(file)
    store = Store(file, db)
    try:
        with _failures(file, "opened"):
            db.execute("PRAGMA journal_mode = WAL")
        with store.transaction() as db:
            (found,) = db.execute("PRAGMA user_version").fetchone()
            if found != version:
                migrate = (migrations or {}).get(found)
                if migrate is not None:
                    migrate(db)
                else:
                    names = db.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table' "
                        "AND name NOT LIKE 'sqlite_%'"
                    ).fetchall()
                    for (name,) in names:
                        db.execute('DROP TABLE IF EXISTS "{}"'.format(name.replace('"', '""')))
                db.execute(f"PRAGMA user_version = {int(version)}")
            for statement in tables:
                db.execute(statement)
    except BaseException:
        store.close()
        raise
    return store


def open_existing(file: Path, version: int) -> Store:
    """`file` as it is, for reading: a `StoreError` when there is none, or it is of another
    schema version (nothing is created or changed)."""
    if not file.exists():
        raise StoreError(file, "read", FileNotFoundError("no such file"))
    store = Store(file, _connect(file))
    try:
        (found,) = store.rows("PRAGMA user_version")[0]
        if found != version:
            raise StoreError(file, "read", ValueError(f"schema version {found}, not {version}"))
    except BaseException:
        store.close()
        raise
    return store


def delete_store(file: Path) -> None:
    """The file gone, with its WAL companions (a damaged store, made anew by the next write)."""
    for name in (file.name, file.name + "-wal", file.name + "-shm"):
        with contextlib.suppress(OSError):
            (file.parent / name).unlink()
