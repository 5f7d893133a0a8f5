"""The cache and the resolver: a warm cache asks arXiv nothing, offline never connects."""

from __future__ import annotations

import json
import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from note2bib import sqlite_store
from note2bib.arxiv.api import NO_SUCH_PAPER, TRIES, ArxivClient
from note2bib.arxiv.cache import (
    FILE_NAME,
    SCHEMA_VERSION,
    Cache,
    default_cache_dir,
    paper_from_json,
    paper_to_json,
)
from note2bib.arxiv.resolve import OFFLINE, Resolution, resolve
from note2bib.errors import InputError
from note2bib.model import ArxivId, Name, Paper

from arxiv_standin import FIXTURES, ArxivStandin, load_entries

SEED_IDS: list[str] = json.loads((FIXTURES / "seed" / "papers.json").read_text(encoding="utf-8"))[
    "order"
]


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with Cache(tmp_path / "cache") as opened:
        yield opened


@pytest.fixture
def client(arxiv_standin: ArxivStandin) -> Iterator[ArxivClient]:
    with ArxivClient(arxiv_standin.url, delay=0) as opened:
        yield opened


def seed_ids() -> list[ArxivId]:
    return [ArxivId(base) for base in SEED_IDS]


# --- round trip ---------------------------------------------------------------------------


def test_every_fixture_paper_survives_the_cache(
    tmp_path: Path, client: ArxivClient, arxiv_standin: ArxivStandin
) -> None:
    papers = client.fetch([ArxivId(base) for base in load_entries()]).papers
    assert set(papers) == set(load_entries())
    with Cache(tmp_path) as first:
        first.put_many(papers.values())
    with Cache(tmp_path) as second:  # a later run
        back = second.get_many(papers)
    for base, paper in papers.items():
        assert back[base] == paper, base
        assert paper_from_json(paper_to_json(paper)) == paper, base
        assert back[base].published.tzinfo is not None, base


HAND_MADE = {
    "every optional field, non-UTC offset, Korean": Paper(
        id=ArxivId("2401.00001"),
        version=3,
        title="한국어 제목: Attention {Is} All $x^2$ You Need",
        authors=(
            "김철수",
            "Dirk Wübben",
            "Fons van der Sommen Jr.",
            "LIGO Scientific Collaboration",
        ),
        names=(
            Name("김철수"),
            Name("Wübben", "Dirk"),
            Name("Sommen", "Fons", "van der", "Jr."),
            Name("LIGO Scientific Collaboration", literal=True),
        ),
        summary='첫 문단.\n  Second paragraph with "quotes" and \\backslash.',
        published=datetime(2024, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=9))),
        updated=datetime(2024, 2, 1, 0, 0, 1, tzinfo=UTC),
        primary_category="cs.CL",
        categories=("cs.CL", "cs.AI"),
        doi="10.1000/xyz",
        journal_ref="J. Test 1 (2024)",
        comment="12 pages",
    ),
    "old-style id, nothing optional": Paper(
        id=ArxivId("math.GT/0309136"),
        version=1,
        title="0",
        authors=(),
        names=(),
        summary="",
        published=datetime(2003, 9, 8, tzinfo=UTC),
        updated=datetime(2003, 9, 8, tzinfo=UTC),
        primary_category="math.GT",
    ),
}


@pytest.mark.parametrize("paper", HAND_MADE.values(), ids=HAND_MADE.keys())
def test_json_round_trip_is_exact(paper: Paper) -> None:
    back = paper_from_json(paper_to_json(paper))
    assert back == paper
    assert back.published.utcoffset() == paper.published.utcoffset()


# --- resolve: cache first -----------------------------------------------------------------


def test_second_resolve_sends_no_request(
    tmp_path: Path, client: ArxivClient, arxiv_standin: ArxivStandin
) -> None:
    with Cache(tmp_path) as cache:
        first = resolve(seed_ids(), cache, client)
    with Cache(tmp_path) as cache:
        second = resolve(seed_ids(), cache, client)
    assert (first.fetched, first.from_cache, first.requests) == (8, 0, 1)
    assert (second.fetched, second.from_cache, second.requests) == (0, 8, 0)
    assert len(arxiv_standin.requests) == 1
    assert second.papers == first.papers
    assert list(second.papers) == SEED_IDS


def test_only_misses_are_asked_for(
    cache: Cache, client: ArxivClient, arxiv_standin: ArxivStandin
) -> None:
    resolve(seed_ids()[:3], cache, client)
    result = resolve([*seed_ids(), ArxivId("2307.99999")], cache, client)
    # The unknown id is asked for twice: arXiv sometimes leaves out an entry it has.
    assert [r.id_list for r in arxiv_standin.requests[-2:]] == [
        [*SEED_IDS[3:], "2307.99999"],
        ["2307.99999"],
    ]
    assert (result.from_cache, result.fetched) == (3, 5)
    assert result.missing == {"2307.99999": NO_SUCH_PAPER}
    assert list(result.papers) == SEED_IDS


def test_versions_and_repeats_resolve_to_one_paper(cache: Cache, client: ArxivClient) -> None:
    result = resolve([ArxivId("2307.05300", 1), ArxivId("2307.05300")], cache, client)
    assert list(result.papers) == ["2307.05300"]
    assert result.papers["2307.05300"].version == 4


def test_refresh_asks_again(cache: Cache, client: ArxivClient, arxiv_standin: ArxivStandin) -> None:
    resolve(seed_ids(), cache, client)
    again = resolve(seed_ids(), cache, client, refresh=True)
    assert len(arxiv_standin.requests) == 2
    assert (again.fetched, again.from_cache, again.requests) == (8, 0, 1)


def test_refresh_while_arxiv_is_down_keeps_the_cached_papers(
    cache: Cache, client: ArxivClient, arxiv_standin: ArxivStandin
) -> None:
    before = resolve(seed_ids(), cache, client)
    arxiv_standin.fail_next(TRIES, 503)
    again = resolve(seed_ids(), cache, client, refresh=True)
    assert again.papers == before.papers
    assert (again.missing, again.from_cache, again.fetched) == ({}, 8, 0)


def test_unknown_ids_are_not_cached(
    cache: Cache, client: ArxivClient, arxiv_standin: ArxivStandin
) -> None:
    resolve([ArxivId("2307.99999")], cache, client)
    again = resolve([ArxivId("2307.99999")], cache, client)
    assert again.missing == {"2307.99999": NO_SUCH_PAPER}
    # Each run asks for it again (twice: an entry arXiv left out is asked for once more).
    assert [r.id_list for r in arxiv_standin.requests] == [["2307.99999"]] * 4


def test_progress_callback_reaches_the_client(cache: Cache, client: ArxivClient) -> None:
    calls: list[tuple[int, int]] = []
    resolve(seed_ids(), cache, client, on_request=lambda n, total: calls.append((n, total)))
    assert calls == [(1, 1)]


# --- offline ------------------------------------------------------------------------------


@pytest.fixture
def no_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any connection at all, loopback included, fail the test."""

    def refuse(self: socket.socket, address: Any) -> None:
        raise AssertionError(f"offline run opened a connection to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


def test_offline_with_a_cold_cache_reports_missing_and_connects_nowhere(
    cache: Cache, arxiv_standin: ArxivStandin, no_connections: None
) -> None:
    result = resolve(seed_ids(), cache, client=None)
    assert result == Resolution(papers={}, missing=dict.fromkeys(SEED_IDS, OFFLINE))
    assert arxiv_standin.requests == []


def test_offline_with_a_warm_cache_uses_it(
    cache: Cache, client: ArxivClient, arxiv_standin: ArxivStandin
) -> None:
    resolve(seed_ids()[:5], cache, client)
    result = resolve(seed_ids(), cache, client=None)
    assert list(result.papers) == SEED_IDS[:5]
    assert result.missing == dict.fromkeys(SEED_IDS[5:], OFFLINE)
    assert (result.from_cache, result.fetched, result.requests) == (5, 0, 0)
    assert len(arxiv_standin.requests) == 1


# --- a cache file we did not write --------------------------------------------------------

NOT_SQLITE = {
    "text": b"this is not a database\n" * 10,
    "a bibliography saved in the wrong place": b"@misc{key, title={T}}\n" * 20,
    "zeros after a fake header": b"SQLite format 3\x00" + b"\xff" * 4096,
}


@pytest.mark.parametrize("content", NOT_SQLITE.values(), ids=NOT_SQLITE.keys())
def test_a_file_that_is_not_sqlite_is_refused_by_name(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / FILE_NAME
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        Cache(tmp_path)
    message = str(caught.value)
    assert str(path) in message
    assert "delete it" in message
    assert path.read_bytes() == content  # left as it was


def old_cache(path: Path) -> None:
    """A cache as an earlier note2bib might have laid it out."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE papers (id TEXT PRIMARY KEY, data BLOB)")
        db.execute("INSERT INTO papers VALUES ('2302.08091', x'00ff')")
    db.close()


def newer_rows(path: Path) -> None:
    """Our table, but rows written by another schema version or unreadable."""
    with Cache(path.parent):
        pass
    rows = [
        ("2302.08091", SCHEMA_VERSION + 1, "{}"),
        ("2307.05300", SCHEMA_VERSION, "not json"),
        ("2304.02643", SCHEMA_VERSION, '{"id": 1}'),
    ]
    with sqlite3.connect(path) as db:
        db.executemany("INSERT INTO papers VALUES (?, ?, '2030-01-01T00:00:00+00:00', ?)", rows)
    db.close()


def versioned_ahead(path: Path) -> None:
    """A cache stamped with a schema version we do not know."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE papers (base TEXT PRIMARY KEY, whatever TEXT)")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 7}")
    db.close()


OTHER_SCHEMAS = {
    "older table layout": old_cache,
    "rows of another version or unreadable": newer_rows,
    "user_version from the future": versioned_ahead,
}


@pytest.mark.parametrize("make", OTHER_SCHEMAS.values(), ids=OTHER_SCHEMAS.keys())
def test_a_cache_of_another_schema_is_ignored_not_fatal(
    tmp_path: Path, client: ArxivClient, arxiv_standin: ArxivStandin, make: Any
) -> None:
    make(tmp_path / FILE_NAME)
    with Cache(tmp_path) as cache:
        assert cache.get_many(SEED_IDS) == {}
        first = resolve(seed_ids(), cache, client)
    with Cache(tmp_path) as cache:
        second = resolve(seed_ids(), cache, client)
    assert first.fetched == 8
    assert second.from_cache == 8


def test_a_cache_of_another_schema_loses_its_searches_table_too(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        db.execute("CREATE TABLE searches (query TEXT PRIMARY KEY, answer BLOB)")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with Cache(tmp_path) as cache:
        assert cache.get_search("ti:segment anything") is None
        cache.put_search("ti:segment anything", ["2304.02643"])
        assert cache.get_search("ti:segment anything") == ["2304.02643"]


# --- a cache of schema version 1 (authors not stored parsed) ----------------------------------


def v1_json(paper: Paper) -> str:
    """A paper as schema version 1 stored it: the same JSON without the parsed names."""
    data = json.loads(paper_to_json(paper))
    del data["names"]
    return json.dumps(data, ensure_ascii=False)


def v1_cache(path: Path, rows: list[tuple[str, int, str]]) -> None:
    """A cache file as note2bib wrote it at schema version 1 (tables as they were then)."""
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE papers (base TEXT PRIMARY KEY, schema INTEGER NOT NULL, "
            "fetched_at TEXT NOT NULL, paper TEXT NOT NULL)"
        )
        db.execute(
            "CREATE TABLE searches (query TEXT PRIMARY KEY, fetched_at TEXT NOT NULL, "
            "ids TEXT NOT NULL)"
        )
        db.executemany("INSERT INTO papers VALUES (?, ?, '2026-01-01T00:00:00+00:00', ?)", rows)
        db.execute(
            "INSERT INTO searches VALUES "
            "('ti:segment anything', '2026-01-01T00:00:00+00:00', '[\"2304.02643\"]')"
        )
        db.execute("PRAGMA user_version = 1")
    db.close()


def test_a_version_1_cache_is_migrated_and_sends_nothing_to_arxiv(
    tmp_path: Path, client: ArxivClient, arxiv_standin: ArxivStandin
) -> None:
    papers = client.fetch(seed_ids()).papers
    arxiv_standin.requests.clear()
    v1_cache(tmp_path / FILE_NAME, [(base, 1, v1_json(p)) for base, p in papers.items()])
    with Cache(tmp_path) as cache:
        migrated = resolve(seed_ids(), cache, client)
        assert cache.get_search("ti:segment anything") == ["2304.02643"]
    assert (migrated.from_cache, migrated.fetched, arxiv_standin.requests) == (8, 0, [])
    assert migrated.papers == papers  # the names parsed as from arXiv's answer
    with Cache(tmp_path) as cache:  # the next run reads version 2 rows
        assert cache.get_many(SEED_IDS) == papers
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        stored = db.execute("SELECT DISTINCT schema FROM papers").fetchall()
    db.close()
    assert stored == [(SCHEMA_VERSION,)]


def test_version_1_rows_that_cannot_be_read_are_fetched_again_never_misread(
    tmp_path: Path, client: ArxivClient, arxiv_standin: ArxivStandin
) -> None:
    papers = client.fetch(seed_ids()).papers
    arxiv_standin.requests.clear()
    good, *bad = SEED_IDS[:4]
    no_names = json.loads(v1_json(papers[bad[2]]))
    no_names["authors"] = [1, 2]
    v1_cache(
        tmp_path / FILE_NAME,
        [
            (good, 1, v1_json(papers[good])),
            (bad[0], 1, "not json"),
            (bad[1], 7, v1_json(papers[bad[1]])),  # a row of another version
            (bad[2], 1, json.dumps(no_names)),  # authors that are not names
        ],
    )
    with Cache(tmp_path) as cache:
        result = resolve([ArxivId(b) for b in SEED_IDS[:4]], cache, client)
    assert (result.from_cache, result.fetched) == (1, 3)
    assert [r.id_list for r in arxiv_standin.requests] == [bad]
    assert result.papers == {b: papers[b] for b in SEED_IDS[:4]}


def test_a_current_row_without_its_parsed_names_is_fetched_again(
    tmp_path: Path, client: ArxivClient, arxiv_standin: ArxivStandin
) -> None:
    papers = client.fetch(seed_ids()[:2]).papers
    arxiv_standin.requests.clear()
    with Cache(tmp_path):
        pass
    first, second = SEED_IDS[:2]
    one_name_short = json.loads(paper_to_json(papers[second]))
    one_name_short["names"].pop()
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        db.executemany(
            "INSERT INTO papers VALUES (?, ?, '2026-01-01T00:00:00+00:00', ?)",
            [
                (first, SCHEMA_VERSION, v1_json(papers[first])),
                (second, SCHEMA_VERSION, json.dumps(one_name_short)),
            ],
        )
    db.close()
    with Cache(tmp_path) as cache:
        result = resolve([ArxivId(first), ArxivId(second)], cache, client)
    assert (result.from_cache, result.fetched) == (0, 2)
    assert result.papers == papers


def test_a_cache_another_run_is_writing_is_called_busy_not_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT_S", 0.1)  # rather than wait 5 s
    with Cache(tmp_path) as cache:
        cache.put_search("ti:segment anything", ["2304.02643"])
    other_run = sqlite3.connect(tmp_path / FILE_NAME, isolation_level=None)
    other_run.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(InputError) as caught:
            Cache(tmp_path)
    finally:
        other_run.execute("ROLLBACK")
        other_run.close()
    assert str(caught.value) == (
        f"The cache file {tmp_path / FILE_NAME} cannot be written (database is locked)."
    )
    with Cache(tmp_path) as cache:  # nothing was lost
        assert cache.get_search("ti:segment anything") == ["2304.02643"]


# --- where the cache lives ----------------------------------------------------------------


def test_cache_dir_is_created(tmp_path: Path) -> None:
    with Cache(tmp_path / "a" / "b"):
        pass
    assert (tmp_path / "a" / "b" / FILE_NAME).is_file()


def test_cache_dir_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTE2BIB_CACHE_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path
    monkeypatch.delenv("NOTE2BIB_CACHE_DIR")
    assert default_cache_dir().name == "note2bib"


def test_searches_are_cached_by_query_and_survive_reopening(tmp_path: Path) -> None:
    with Cache(tmp_path) as cache:
        assert cache.get_search("ti:segment anything") is None  # never asked
        cache.put_search("ti:segment anything", ["2304.02643", "2307.00522"])
        cache.put_search("ti:no such title", [])
    with Cache(tmp_path) as cache:
        assert cache.get_search("ti:segment anything") == ["2304.02643", "2307.00522"]
        assert cache.get_search("ti:no such title") == []  # asked, and arXiv had nothing


def test_papers_sharing_authors_come_back_each_with_its_own(cache: Cache) -> None:
    # The cache keeps one copy of an author its papers share: each must still get its own
    # list, in its order, with the name as it was parsed for it.
    base = HAND_MADE["every optional field, non-UTC offset, Korean"]
    papers = [
        replace(base, id=ArxivId("2401.00002"), authors=base.authors[:2], names=base.names[:2]),
        replace(
            base,
            id=ArxivId("2401.00003"),
            authors=(base.authors[1], "Dirk Wübben", base.authors[0]),
            names=(base.names[1], Name("Dirk Wübben", literal=True), base.names[0]),
        ),
        replace(base, id=ArxivId("2401.00004"), authors=base.authors[:2], names=base.names[:2]),
        base,
    ]
    cache.put_many(papers)
    back = cache.get_many([p.id.base for p in papers])
    assert list(back.values()) == papers
