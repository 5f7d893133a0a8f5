"""The paper cache: SQLite keyed by versionless arXiv id, so a second run asks arXiv nothing."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

from note2bib.closing import Closing
from note2bib.errors import InputError
from note2bib.model import ArxivId, Paper

FILE_NAME = "papers.sqlite3"
SCHEMA_VERSION = 1
"""Bump when the table or the Paper JSON changes; an older cache is then rebuilt, not read."""

# Another note2bib run may be writing; wait for its lock rather than fail.
_BUSY_TIMEOUT_MS = 5000
# Stay well under SQLite's limit on `?` parameters in one statement.
_CHUNK = 500

_CREATE = """
CREATE TABLE IF NOT EXISTS papers (
    base TEXT PRIMARY KEY,
    schema INTEGER NOT NULL,
    fetched_at TEXT NOT NULL,
    paper TEXT NOT NULL
)
"""


# Title searches: the normalised query → the versionless ids arXiv answered, in its order.
_CREATE_SEARCHES = """
CREATE TABLE IF NOT EXISTS searches (
    query TEXT PRIMARY KEY,
    fetched_at TEXT NOT NULL,
    ids TEXT NOT NULL
)
"""


def default_cache_dir() -> Path:
    """`NOTE2BIB_CACHE_DIR` when set, else the platform's user cache folder for note2bib."""
    configured = os.environ.get("NOTE2BIB_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(platformdirs.user_cache_dir("note2bib"))


class Cache(Closing):
    """Papers arXiv already gave us, in `<directory>/papers.sqlite3`."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE_NAME
        try:
            directory.mkdir(parents=True, exist_ok=True)
            # Autocommit: transactions are explicit (`_transaction`), DDL included.
            self._db = sqlite3.connect(
                self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None
            )
        except (OSError, sqlite3.Error) as exc:
            raise InputError(f"The cache file {self.path} cannot be opened ({exc}).") from exc
        try:
            self._prepare()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise InputError(
                f"The cache file {self.path} is not a SQLite database ({exc}); "
                "delete it and run again."
            ) from exc

    def _prepare(self) -> None:
        """WAL, a busy timeout, and a table of the current schema (an older one is dropped)."""
        self._db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        # WAL lets one run read while another writes.
        self._db.execute("PRAGMA journal_mode = WAL")
        with self._transaction():
            (version,) = self._db.execute("PRAGMA user_version").fetchone()
            if version != SCHEMA_VERSION:
                # A cache only saves requests: rebuilding loses nothing arXiv cannot resend.
                self._db.execute("DROP TABLE IF EXISTS papers")
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._db.execute(_CREATE)
            self._db.execute(_CREATE_SEARCHES)

    def get_many(self, bases: Iterable[str]) -> dict[str, Paper]:
        """The cached papers among `bases` (versionless ids), in the order asked."""
        wanted = list(dict.fromkeys(bases))
        rows: dict[str, Paper] = {}
        for chunk in _chunks(wanted):
            marks = ",".join("?" * len(chunk))
            query = f"SELECT base, paper FROM papers WHERE schema = ? AND base IN ({marks})"
            for base, text in self._query(query, [SCHEMA_VERSION, *chunk]):
                paper = _load(text)
                if paper is not None and paper.id.base == base:
                    rows[base] = paper
        return {base: rows[base] for base in wanted if base in rows}

    def put_many(self, papers: Iterable[Paper]) -> None:
        """Store (or replace) these papers, all in one transaction."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        rows = [(p.id.base, SCHEMA_VERSION, now, paper_to_json(p)) for p in papers]
        try:
            with self._transaction():
                self._db.executemany(
                    "INSERT OR REPLACE INTO papers (base, schema, fetched_at, paper) "
                    "VALUES (?, ?, ?, ?)",
                    rows,
                )
        except sqlite3.Error as exc:
            raise InputError(f"The cache file {self.path} cannot be written ({exc}).") from exc

    def get_search(self, query: str) -> list[str] | None:
        """The ids a cached search answered (maybe none), or None when it was never asked."""
        rows = self._query("SELECT ids, query FROM searches WHERE query = ?", [query])
        if not rows:
            return None
        try:
            ids = json.loads(rows[0][0])
        except ValueError:
            return None
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            return None
        return ids

    def put_search(self, query: str, ids: Iterable[str]) -> None:
        """Remember what a search answered (its papers go in with `put_many`)."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            with self._transaction():
                self._db.execute(
                    "INSERT OR REPLACE INTO searches (query, fetched_at, ids) VALUES (?, ?, ?)",
                    (query, now, json.dumps(list(ids))),
                )
        except sqlite3.Error as exc:
            raise InputError(f"The cache file {self.path} cannot be written ({exc}).") from exc

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction, taken at once so two runs never interleave their writes."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _query(self, sql: str, params: list[Any]) -> list[tuple[str, str]]:
        """Rows of a read, with SQLite's errors turned into one sentence naming the file."""
        try:
            return list(self._db.execute(sql, params))
        except sqlite3.Error as exc:
            raise InputError(f"The cache file {self.path} cannot be read ({exc}).") from exc

    def close(self) -> None:
        """Close the database."""
        self._db.close()


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _load(text: str) -> Paper | None:
    """A stored paper, or None when the row cannot be read back (then it is fetched again)."""
    try:
        return paper_from_json(text)
    except (ValueError, TypeError, KeyError):
        return None


def paper_to_json(paper: Paper) -> str:
    """A Paper as JSON text that `paper_from_json` turns back into an equal Paper."""
    return json.dumps(
        {
            "id": paper.id.base,
            "version": paper.version,
            "title": paper.title,
            "authors": list(paper.authors),
            "summary": paper.summary,
            "published": _datetime_to_text(paper.published),
            "updated": _datetime_to_text(paper.updated),
            "primary_category": paper.primary_category,
            "categories": list(paper.categories),
            "doi": paper.doi,
            "journal_ref": paper.journal_ref,
            "comment": paper.comment,
        },
        ensure_ascii=False,
    )


def paper_from_json(text: str) -> Paper:
    """The Paper `paper_to_json` wrote (ValueError, TypeError or KeyError when it is not one)."""
    data = json.loads(text)
    if not isinstance(data, dict):
        raise TypeError("a stored paper must be a JSON object")
    return Paper(
        id=ArxivId(_str(data["id"])),
        version=_int(data["version"]),
        title=_str(data["title"]),
        authors=tuple(_str(a) for a in data["authors"]),
        summary=_str(data["summary"]),
        published=_datetime_from_text(_str(data["published"])),
        updated=_datetime_from_text(_str(data["updated"])),
        primary_category=_str(data["primary_category"]),
        categories=tuple(_str(c) for c in data["categories"]),
        doi=_optional_str(data["doi"]),
        journal_ref=_optional_str(data["journal_ref"]),
        comment=_optional_str(data["comment"]),
    )


def _datetime_to_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("a paper's dates must carry a time zone")
    return moment.isoformat()


def _datetime_from_text(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"stored date without a time zone: {text!r}")
    return moment


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def _optional_str(value: object) -> str | None:
    return None if value is None else _str(value)
