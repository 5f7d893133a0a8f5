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

from note2bib.closing import Closing
from note2bib.errors import InputError
from note2bib.model import ArxivId, Name, Paper
from note2bib.sqlite_store import StoreError, open_store

FILE_NAME = "papers.sqlite3"
SCHEMA_VERSION = 2
"""Bump when the table or the Paper JSON changes; an older cache is then migrated (when a
migration from its version is written) or rebuilt, never read as it is.

1: the paper as arXiv gives it. 2: its authors also parsed (`Paper.names`), so that no run
parses them again; a version 1 cache is migrated, each paper's names parsed once."""

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
    import platformdirs  # only when no cache folder is named

    return Path(platformdirs.user_cache_dir("note2bib"))


class Cache(Closing):
    """Papers arXiv already gave us, in `<directory>/papers.sqlite3`.

    Any failure of the file stops the run with one sentence naming it (`sqlite_store`'s
    policy, this store's cost): failing in silence would ask arXiv for every paper again.
    """

    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE_NAME
        # A cache of another schema is rebuilt: that loses nothing arXiv cannot resend.
        with _or_stop():
            self._store = open_store(
                self.path, SCHEMA_VERSION, (_CREATE, _CREATE_SEARCHES), {1: _names_parsed}
            )

    def get_many(self, bases: Iterable[str]) -> dict[str, Paper]:
        """The cached papers among `bases` (versionless ids), in the order asked."""
        wanted = list(dict.fromkeys(bases))
        rows: dict[str, Paper] = {}
        shared = _Shared()
        for chunk in _chunks(wanted):
            marks = ",".join("?" * len(chunk))
            query = f"SELECT base, paper FROM papers WHERE schema = ? AND base IN ({marks})"
            with _or_stop():
                found = self._store.rows(query, [SCHEMA_VERSION, *chunk])
            for base, text in found:
                paper = _load(text, shared)
                if paper is not None and paper.id.base == base:
                    rows[base] = paper
        return {base: rows[base] for base in wanted if base in rows}

    def put_many(self, papers: Iterable[Paper]) -> None:
        """Store (or replace) these papers, all in one transaction."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        rows = [(p.id.base, SCHEMA_VERSION, now, paper_to_json(p)) for p in papers]
        with _or_stop(), self._store.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO papers (base, schema, fetched_at, paper) "
                "VALUES (?, ?, ?, ?)",
                rows,
            )

    def get_search(self, query: str) -> list[str] | None:
        """The ids a cached search answered (maybe none), or None when it was never asked."""
        with _or_stop():
            rows = self._store.rows("SELECT ids FROM searches WHERE query = ?", [query])
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
        with _or_stop(), self._store.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO searches (query, fetched_at, ids) VALUES (?, ?, ?)",
                (query, now, json.dumps(list(ids))),
            )

    def close(self) -> None:
        """Close the database."""
        self._store.close()


@contextmanager
def _or_stop() -> Iterator[None]:
    """A failure of the cache file as the sentence that stops the run."""
    try:
        yield
    except StoreError as err:
        advice = "; delete it and run again" if err.damaged else ""
        raise InputError(f"{err}{advice}.") from err


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _names_parsed(db: sqlite3.Connection) -> None:
    """Version 1 → 2: each paper's authors parsed and stored with it; a row that cannot be
    read is dropped (arXiv sends it again)."""
    rows = db.execute("SELECT base, schema, paper FROM papers").fetchall()
    for base, schema, text in rows:
        upgraded = _v1_upgraded(text) if schema == 1 else None
        if upgraded is None:
            db.execute("DELETE FROM papers WHERE base = ?", (base,))
        else:
            db.execute(
                "UPDATE papers SET schema = ?, paper = ? WHERE base = ?",
                (SCHEMA_VERSION, upgraded, base),
            )


def _v1_upgraded(text: str) -> str | None:
    """A version 1 paper's JSON as version 2 writes it; None when it cannot be read."""
    from note2bib.names import parse_name

    try:
        data = _object(text)
        names = tuple(parse_name(_str(a)) for a in data["authors"])
        return paper_to_json(_paper(data, names))
    except (ValueError, TypeError, KeyError):
        return None


class _Shared:
    """One copy of each author (as written and as parsed) among the papers one read loads.

    Authors recur across papers (co-authors; a collaboration's 3,000 names on each of its
    papers), and each row's JSON makes new strings of them. Kept once, the export benchmark's
    10,000 papers hold the 226,640 authors of 80 copies of one collaboration's paper as
    2,833: its peak memory went from 175 to 100 MiB.
    """

    def __init__(self) -> None:
        self._author: dict[str, str] = {}
        self._name: dict[Name, Name] = {}
        self._authors: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._names: dict[tuple[Name, ...], tuple[Name, ...]] = {}

    def authors(self, authors: tuple[str, ...]) -> tuple[str, ...]:
        one = self._author.setdefault
        return self._authors.setdefault(authors, tuple([one(a, a) for a in authors]))

    def names(self, names: tuple[Name, ...]) -> tuple[Name, ...]:
        one = self._name.setdefault
        return self._names.setdefault(names, tuple([one(n, n) for n in names]))


def _load(text: str, shared: _Shared | None = None) -> Paper | None:
    """A stored paper, or None when the row cannot be read back (then it is fetched again)."""
    try:
        return paper_from_json(text, shared)
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
            "names": [[n.family, n.given, n.prefix, n.suffix, n.literal] for n in paper.names],
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


def paper_from_json(text: str, shared: _Shared | None = None) -> Paper:
    """The Paper `paper_to_json` wrote (ValueError, TypeError or KeyError when it is not one);
    with `shared`, its authors' names are the ones already loaded where equal."""
    data = _object(text)
    return _paper(data, tuple(_name(n) for n in data["names"]), shared)


def _object(text: str) -> dict[str, Any]:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise TypeError("a stored paper must be a JSON object")
    return data


def _paper(data: dict[str, Any], names: tuple[Name, ...], shared: _Shared | None = None) -> Paper:
    authors = tuple(_str(a) for a in data["authors"])
    if len(names) != len(authors):
        raise ValueError("a stored paper must have one parsed name per author")
    if shared is not None:
        authors, names = shared.authors(authors), shared.names(names)
    return Paper(
        id=ArxivId(_str(data["id"])),
        version=_int(data["version"]),
        title=_str(data["title"]),
        authors=authors,
        names=names,
        summary=_str(data["summary"]),
        published=_datetime_from_text(_str(data["published"])),
        updated=_datetime_from_text(_str(data["updated"])),
        primary_category=_str(data["primary_category"]),
        categories=tuple(_str(c) for c in data["categories"]),
        doi=_optional_str(data["doi"]),
        journal_ref=_optional_str(data["journal_ref"]),
        comment=_optional_str(data["comment"]),
    )


def _name(value: object) -> Name:
    """A parsed name as `paper_to_json` writes it: `[family, given, prefix, suffix, literal]`."""
    if type(value) is not list or len(value) != 5:
        raise TypeError(f"expected a stored name, got {value!r}")
    family, given, prefix, suffix, literal = value
    # One test for the five (this runs for every author of every paper a run reads).
    if not (
        type(family) is str
        and type(given) is str
        and type(prefix) is str
        and type(suffix) is str
        and type(literal) is bool
    ):
        raise TypeError(f"expected four strings and true or false, got {value!r}")
    return Name(family, given, prefix, suffix, literal)


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
