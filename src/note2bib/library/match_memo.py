"""The match memo: which library entry each record matched, remembered for libraries with
exactly these bytes, so a second run over the same notes and libraries matches nothing again.

Matching a record is a function of the record's facts (`record_key`), the libraries' bytes
and the code. The memo lives in the library index's file (`stored.FILE_NAME`, its FORMAT) and
follows its failure policy: it never fails, since without it the records are matched again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path

from note2bib.library.stored import FILE_NAME, FORMAT, code_fingerprint, content_hash
from note2bib.model import Record
from note2bib.sqlite_store import StoreError, open_existing, open_store

# Which entry (its place in the libraries read together, -1 for none) a record matched, for
# one set of library contents and this code: matching is a function of the two.
_CREATE = (
    """
    CREATE TABLE IF NOT EXISTS library_matches (
        libraries TEXT NOT NULL,
        paths TEXT NOT NULL,
        record TEXT NOT NULL,
        entry INTEGER NOT NULL,
        how TEXT NOT NULL,
        PRIMARY KEY (libraries, record)
    )
    """,
)
# Stay well under SQLite's limit on `?` parameters in one statement.
_CHUNK = 500


class MatchMemo:
    """The remembered matches of records against libraries with exactly these bytes."""

    def __init__(self, directory: Path, libraries: Sequence[tuple[str, bytes]]) -> None:
        self._file = directory / FILE_NAME
        self._paths = json.dumps([os.path.realpath(path) for path, _ in libraries])
        self._libraries = hashlib.sha256(
            json.dumps([code_fingerprint(), [content_hash(d) for _, d in libraries]]).encode()
        ).hexdigest()

    def get(self, keys: Sequence[str]) -> dict[str, tuple[int, str]]:
        """The known matches among `keys`: record key → (entry number or -1, how)."""
        found: dict[str, tuple[int, str]] = {}
        try:
            with open_existing(self._file, FORMAT) as store:
                for start in range(0, len(keys), _CHUNK):
                    chunk = keys[start : start + _CHUNK]
                    rows = store.rows(
                        "SELECT record, entry, how FROM library_matches WHERE libraries = ? "
                        f"AND record IN ({','.join('?' * len(chunk))})",
                        [self._libraries, *chunk],
                    )
                    for record, entry, how in rows:
                        if isinstance(entry, int) and isinstance(how, str):
                            found[record] = (entry, how)
        except StoreError:
            return {}
        return found

    def put(self, matches: Mapping[str, tuple[int, str]]) -> None:
        """Remember these matches (and forget those of these files' older contents, and of
        library files that no longer exist)."""
        if not matches:
            return
        try:
            with open_store(self._file, FORMAT, _CREATE) as store, store.transaction() as db:
                _forget_vanished(db)
                db.execute(
                    "DELETE FROM library_matches WHERE paths = ? AND libraries != ?",
                    (self._paths, self._libraries),
                )
                db.executemany(
                    "INSERT OR REPLACE INTO library_matches VALUES (?, ?, ?, ?, ?)",
                    [(self._libraries, self._paths, k, e, h) for k, (e, h) in matches.items()],
                )
        except (StoreError, ValueError, TypeError):  # a garbled `paths`: nothing remembered
            return


def _forget_vanished(db: sqlite3.Connection) -> None:
    """Drop the matches against library files that no longer exist, so the cache does not
    keep every library ever read."""
    for (paths,) in db.execute("SELECT DISTINCT paths FROM library_matches").fetchall():
        if not all(os.path.exists(p) for p in json.loads(paths)):
            db.execute("DELETE FROM library_matches WHERE paths = ?", (paths,))


def record_key(record: Record) -> str:
    """What matching looks at in a record, as text: equal keys match the same entry."""
    paper = record.paper
    first = record.authors[0] if record.authors else None
    return json.dumps(
        [
            record.arxiv_id.base if record.arxiv_id else None,
            [paper.doi, paper.title, paper.published.year, paper.updated.year] if paper else None,
            [first.family, first.given, first.prefix] if first else None,
            record.title,
            record.url,
        ],
        ensure_ascii=False,
    )
