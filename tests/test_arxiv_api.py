"""arxiv.api against the loopback stand-in: batching, manners, failures, and what comes back."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import socket
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any

import pytest

from note2bib import __version__
from note2bib.arxiv.api import (
    DEFAULT_API,
    NO_SUCH_PAPER,
    REFUSED_ID,
    TRIES,
    ArxivClient,
    Fetched,
    SearchFailed,
    check_api_url,
    query_url,
)
from note2bib.model import ArxivId

from arxiv_standin import FIXTURES, ArxivStandin, load_entries

SEED = json.loads((FIXTURES / "seed" / "papers.json").read_text(encoding="utf-8"))
SEED_IDS: list[str] = SEED["order"]


def ids(*texts: str) -> list[ArxivId]:
    """`2302.08091v2` → ArxivId('2302.08091', 2); no version → versionless."""
    result = []
    for text in texts:
        match = re.fullmatch(r"(.+?)v(\d+)", text)
        result.append(ArxivId(match[1], int(match[2])) if match else ArxivId(text))
    return result


def fetch(server: ArxivStandin, arxiv_ids: list[ArxivId], **options: Any) -> Fetched:
    """One fetch through a fresh client pointed at the stand-in (no pause unless asked)."""
    options.setdefault("delay", 0.0)
    with ArxivClient(server.url, **options) as client:
        return client.fetch(arxiv_ids)


def unknown_ids(count: int) -> list[str]:
    """Well-formed new-style ids that no fixture holds."""
    made = [f"2401.{90000 + n}" for n in range(count)]
    assert not set(made) & set(load_entries())
    return made


def dead_url() -> str:
    """An API address on a loopback port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/query"


def recorded_body(pattern: str) -> bytes:
    (path,) = (FIXTURES / "seed" / "feeds").glob(pattern)
    recording = json.loads(path.read_text(encoding="utf-8"))
    body: str = recording["body"]
    return body.encode("latin-1")


# --- the stand-in answers like arXiv ------------------------------------------------------

RECORDED_ANSWERS = {
    "unknown id: empty feed": ("2307.99999", 200, "id_2307.99999_*.json"),
    "malformed id: HTTP 400": ("abc", 400, "id_abc_*.json"),
}


@pytest.mark.parametrize(
    ("id_list", "status", "recording"), RECORDED_ANSWERS.values(), ids=RECORDED_ANSWERS.keys()
)
def test_standin_reproduces_recorded_answers(
    arxiv_standin: ArxivStandin, id_list: str, status: int, recording: str
) -> None:
    url = (
        f"{arxiv_standin.url}?search_query=&id_list={id_list}"
        "&sortBy=relevance&sortOrder=descending&start=0&max_results=100"
    )
    try:
        with urllib.request.urlopen(url) as response:
            got_status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        got_status, body = error.code, error.read()
    assert (got_status, body) == (status, recorded_body(recording))


# --- batching -----------------------------------------------------------------------------


def test_eight_seed_ids_go_in_one_request(arxiv_standin: ArxivStandin) -> None:
    fetched = fetch(arxiv_standin, ids(*SEED_IDS))
    assert fetched.requests == 1
    assert [r.id_list for r in arxiv_standin.requests] == [SEED_IDS]
    assert list(fetched.papers) == SEED_IDS
    assert fetched.missing == {}


def test_250_ids_go_in_three_requests_of_at_most_100(arxiv_standin: ArxivStandin) -> None:
    known = sorted(load_entries())
    unknown = unknown_ids(250 - len(known))
    fetched = fetch(arxiv_standin, ids(*known, *unknown))
    sent = [r.id_list for r in arxiv_standin.requests]
    first, again = sent[:3], sent[3:]
    assert all(len(batch) <= 100 for batch in sent)
    assert sorted(i for batch in first for i in batch) == sorted(known + unknown)
    # The ids arXiv left out are asked once more, together, before they are believed unknown.
    assert [i for batch in again for i in batch] == unknown
    assert fetched.requests == len(sent) == 3 + 2
    assert set(fetched.papers) == set(known)
    assert fetched.missing == dict.fromkeys(unknown, NO_SUCH_PAPER)


def test_versioned_ids_are_sent_versionless_and_once(arxiv_standin: ArxivStandin) -> None:
    asked = ids("2302.08091v1", "2302.08091", "2307.05300v2", "hep-th/9901001v1", "2307.05300v4")
    fetched = fetch(arxiv_standin, asked)
    assert [r.id_list for r in arxiv_standin.requests] == [
        ["2302.08091", "2307.05300", "hep-th/9901001"]
    ]
    assert list(fetched.papers) == ["2302.08091", "2307.05300", "hep-th/9901001"]
    # The answer is the latest version, whatever version the note linked.
    assert fetched.papers["2307.05300"].version == 4


def test_no_ids_no_request(arxiv_standin: ArxivStandin) -> None:
    assert fetch(arxiv_standin, []) == Fetched()
    assert arxiv_standin.requests == []


def test_progress_is_reported_per_batch(arxiv_standin: ArxivStandin) -> None:
    calls: list[tuple[int, int]] = []
    with ArxivClient(arxiv_standin.url, delay=0) as client:
        client.fetch(ids(*unknown_ids(201)), on_request=lambda n, total: calls.append((n, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


# --- manners ------------------------------------------------------------------------------


def test_user_agent_names_note2bib_and_its_version(arxiv_standin: ArxivStandin) -> None:
    fetch(arxiv_standin, ids("2302.08091"))
    (request,) = arxiv_standin.requests
    assert request.user_agent.startswith(f"note2bib/{__version__} ")
    assert "arxiv.py" not in request.user_agent


def test_requests_are_paced_by_the_delay(arxiv_standin: ArxivStandin) -> None:
    fetch(arxiv_standin, ids(*unknown_ids(250)), delay=0.2)
    times = [r.time for r in arxiv_standin.requests]
    assert len(times) == 3 + 3  # unknown ids are asked twice
    # Lower bound only: a slow machine may wait longer, never shorter. The stand-in stamps
    # arrivals, which trail the sends by a varying few milliseconds (the first request also
    # opens the connection); without pacing the gaps are about one millisecond.
    assert all(later - earlier >= 0.19 for earlier, later in itertools.pairwise(times))


def test_all_batches_share_one_connection(arxiv_standin: ArxivStandin) -> None:
    fetch(arxiv_standin, ids(*unknown_ids(250)))
    assert len({r.client for r in arxiv_standin.requests}) == 1


# --- what comes back ----------------------------------------------------------------------


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("base", SEED_IDS)
def test_seed_paper_fields_match_the_fixture(arxiv_standin: ArxivStandin, base: str) -> None:
    expected = SEED["papers"][base]
    paper = fetch(arxiv_standin, ids(base)).papers[base]
    assert paper.id == ArxivId(base)
    assert paper.version == expected["version"]
    assert paper.title == expected["title"]
    assert paper.authors == tuple(expected["authors"])
    assert paper.published == utc(expected["published"])  # v1: the year a citation uses
    assert paper.updated == utc(expected["updated"])
    assert paper.published.tzinfo is not None
    assert paper.primary_category == expected["primary_category"]
    assert paper.categories == tuple(expected["categories"])
    assert paper.summary == expected["summary"]
    assert (paper.doi, paper.journal_ref, paper.comment) == (None, None, None)


PUBLISHED_ELSEWHERE = {
    "new-style, doi and journal-ref": (
        "0704.0001",
        "10.1103/PhysRevD.76.013009",
        "Phys.Rev.D76:013009,2007",
        "37 pages, 15 figures; published version",
    ),
    "two DOIs listed: the first": (
        "0704.0943",
        "10.1088/0264-9381/24/22/002",
        "Class.Quant.Grav.24:5343-5370,2007; Erratum-ibid.25:039801,2008",
        None,
    ),
    "real recording": (
        "1706.08286",
        "10.1109/TIT.2018.2876280",
        "IEEE Transactions on Information Theory ( Volume: 65 , Issue: 4 , April 2019 )",
        None,
    ),
    "old-style": (
        "hep-th/9901001",
        "10.1143/PTP.101.1155",
        "Prog.Theor.Phys.101:1155-1164,1999",
        "13 pages + 4 eps figures, PTPTeX, typographical errors corrected",
    ),
}


@pytest.mark.parametrize(
    ("base", "doi", "journal_ref", "comment"),
    PUBLISHED_ELSEWHERE.values(),
    ids=PUBLISHED_ELSEWHERE.keys(),
)
def test_publisher_doi_and_journal_ref(
    arxiv_standin: ArxivStandin, base: str, doi: str, journal_ref: str, comment: str | None
) -> None:
    paper = fetch(arxiv_standin, ids(base)).papers[base]
    assert (paper.doi, paper.journal_ref) == (doi, journal_ref)
    if comment is not None:
        assert paper.comment == comment
    assert paper.id.doi == f"10.48550/arXiv.{base}"


OLD_STYLE = {
    "hep-th": ("hep-th/9901001", 3, "String Junctions and Their Duals in Heterotic String Theory"),
    "astro-ph": ("astro-ph/0601001", None, None),
    "cs": ("cs/9901011", None, None),
}


@pytest.mark.parametrize(("base", "version", "title"), OLD_STYLE.values(), ids=OLD_STYLE.keys())
def test_old_style_ids_resolve(
    arxiv_standin: ArxivStandin, base: str, version: int | None, title: str | None
) -> None:
    fetched = fetch(arxiv_standin, ids(base))
    paper = fetched.papers[base]
    assert paper.id == ArxivId(base)
    assert not paper.summary.startswith(" ")
    if version is not None:
        assert (paper.version, paper.title) == (version, title)


def test_unknown_id_is_missing_not_fatal(arxiv_standin: ArxivStandin) -> None:
    fetched = fetch(arxiv_standin, ids("2302.08091", "2307.99999"))
    assert list(fetched.papers) == ["2302.08091"]
    assert fetched.missing == {"2307.99999": NO_SUCH_PAPER}
    # Believed only when a second request, for it alone, leaves it out too.
    assert [r.id_list for r in arxiv_standin.requests] == [
        ["2302.08091", "2307.99999"],
        ["2307.99999"],
    ]


# --- failures -----------------------------------------------------------------------------


def test_dead_port_leaves_everything_missing_without_raising() -> None:
    with ArxivClient(dead_url(), delay=0) as client:
        fetched = client.fetch(ids("2302.08091", "2307.05300"))
    assert fetched.requests == TRIES
    assert fetched.papers == {}
    assert set(fetched.missing) == {"2302.08091", "2307.05300"}
    for reason in fetched.missing.values():
        assert reason == (
            f"arXiv could not be reached (connection refused); gave up after {TRIES} tries"
        )


RECOVERABLE = {
    "503 once": (503, None),
    "429 once, with Retry-After": (429, 1),
}


@pytest.mark.parametrize(("status", "retry_after"), RECOVERABLE.values(), ids=RECOVERABLE.keys())
def test_one_overload_answer_is_retried(
    arxiv_standin: ArxivStandin, status: int, retry_after: int | None
) -> None:
    arxiv_standin.fail_next(1, status, retry_after=retry_after)
    fetched = fetch(arxiv_standin, ids(*SEED_IDS))
    assert fetched.requests == 2
    assert list(fetched.papers) == SEED_IDS


UNRECOVERED = {
    "503 every try": (
        TRIES,
        503,
        f"arXiv was unavailable (HTTP 503); gave up after {TRIES} tries",
    ),
    "429 every try": (
        TRIES,
        429,
        f"arXiv asked to slow down and gave no answer (HTTP 429); gave up after {TRIES} tries",
    ),
    "500 is not retried": (1, 500, "arXiv answered with an error (HTTP 500)"),
}


@pytest.mark.parametrize(
    ("count", "status", "reason"), UNRECOVERED.values(), ids=UNRECOVERED.keys()
)
def test_a_failed_batch_is_missing_with_the_reason(
    arxiv_standin: ArxivStandin, count: int, status: int, reason: str
) -> None:
    arxiv_standin.fail_next(count, status)
    fetched = fetch(arxiv_standin, ids("2302.08091", "2307.05300"))
    assert fetched.requests == count
    assert fetched.missing == {"2302.08091": reason, "2307.05300": reason}


def test_http_400_isolates_the_id_arxiv_names(arxiv_standin: ArxivStandin) -> None:
    fetched = fetch(arxiv_standin, [ArxivId("2302.08091"), ArxivId("abc")])
    assert [r.id_list for r in arxiv_standin.requests] == [["2302.08091", "abc"], ["2302.08091"]]
    assert list(fetched.papers) == ["2302.08091"]
    assert fetched.missing == {"abc": REFUSED_ID}


def test_an_entry_with_a_date_that_is_not_one_fails_its_batch_with_the_reason() -> None:
    fragment = load_entries()["2302.08091"].replace(
        "<published>2023-02-16T00:00:00Z", "<published>16 Feb 2023"
    )
    assert "16 Feb 2023" in fragment
    with ArxivStandin({**load_entries(), "2302.08091": fragment}) as server:
        fetched = fetch(server, ids("2302.08091", "2307.05300"))
    assert fetched.papers == {}
    reason = "arXiv sent an entry that cannot be read (a date that is not one: '16 Feb 2023')"
    assert fetched.missing == {"2302.08091": reason, "2307.05300": reason}
    assert len(server.requests) == 1  # the same answer would come again


def test_a_silent_arxiv_times_out(arxiv_standin: ArxivStandin) -> None:
    arxiv_standin.delay = 1.0
    fetched = fetch(arxiv_standin, ids("2302.08091"), timeout=0.2, tries=2)
    assert fetched.missing == {
        "2302.08091": "arXiv could not be reached (no answer within 0.2 s); gave up after 2 tries"
    }


# --- small parts --------------------------------------------------------------------------


def test_a_request_is_the_url_of_arxivs_recorded_answer() -> None:
    (path,) = (FIXTURES / "seed" / "feeds").glob("id_2307.99999_*.json")
    recorded = json.loads(path.read_text(encoding="utf-8"))["url"]
    assert query_url(DEFAULT_API, id_list=["2307.99999"]) == recorded


# arxiv.py, whose recordings the fixtures come from, names each after the first 12 hex digits
# of the sha256 of the URL asked (tests/fixtures/arxiv/*/README.md).
RECORDED_REQUESTS = {
    "two ids": (["0808.05394", "1707.08567"], "", "42e5aa0ec3af"),
    "a versioned id": (["2104.12255v1"], "", "6ae69987ffe1"),
    "an old-style id": (["astro-ph/0601001"], "", "3150dca9dc76"),
    "eight ids": (SEED_IDS, "", "7b7f9a9f1c56"),
    "a search": ([], "testing", "cfe7536492ca"),
}


@pytest.mark.parametrize(
    ("id_list", "query", "digest"), RECORDED_REQUESTS.values(), ids=RECORDED_REQUESTS.keys()
)
def test_requests_are_the_urls_arxivs_answers_were_recorded_for(
    id_list: list[str], query: str, digest: str
) -> None:
    url = query_url(DEFAULT_API, id_list=id_list, query=query)
    assert hashlib.sha256(url.encode()).hexdigest()[:12] == digest


def test_an_api_address_with_a_query_keeps_it() -> None:
    url = query_url("http://127.0.0.1:8080/api/query?key=k", id_list=["2302.08091"])
    assert url.startswith("http://127.0.0.1:8080/api/query?key=k&search_query=&id_list=2302.08091&")


API_URLS = {
    "default": (DEFAULT_API, True),
    "loopback http": ("http://127.0.0.1:8080/api/query", True),
    "no scheme": ("export.arxiv.org/api/query", False),
    "ftp": ("ftp://export.arxiv.org/api/query", False),
    "file": ("file:///tmp/feed.xml", False),
    "empty": ("", False),
}


@pytest.mark.parametrize(("url", "accepted"), API_URLS.values(), ids=API_URLS.keys())
def test_api_url_must_be_http(url: str, accepted: bool) -> None:
    if accepted:
        check_api_url(url)
    else:
        with pytest.raises(ValueError, match="http"):
            ArxivClient(url)


def test_fixture_points_the_environment_at_the_standin(arxiv_standin: ArxivStandin) -> None:
    assert os.environ["NOTE2BIB_ARXIV_API"] == arxiv_standin.url


def test_standin_search_ranks_by_overlap_and_honours_paging(arxiv_standin: ArxivStandin) -> None:
    query = "ti:efficient OR ti:group OR ti:testing OR ti:dna OR ti:screening"
    with ArxivClient(arxiv_standin.url, delay=0.0) as client:
        top = client.search(query, max_results=3)
    assert [p.id.base for p in top.papers[:2]] == ["1106.3680", "1306.4664"]
    assert len(top.papers) == 3 and top.requests == 1
    asked = arxiv_standin.requests[-1]
    assert asked.query["search_query"] == [query]
    assert asked.query["max_results"] == ["3"]
    url = f"{arxiv_standin.url}?search_query=ti:testing&start=2&max_results=2"
    with urllib.request.urlopen(url) as answer:
        feed = answer.read().decode()
    assert len(re.findall("<entry>", feed)) == 2
    assert "<opensearch:startIndex>2</opensearch:startIndex>" in feed


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param('ti:"group testing" AND ti:dna', ["1106.3680"], id="phrase-and"),
        pytest.param(
            'ti:"efficient two stage group testing algorithms for dna screening"'
            ' OR ti:"fairness testing"',
            ["1709.03221", "1106.3680"],
            id="phrases-or",
        ),
        # arXiv drops English stop words from a quoted title phrase, keeping their places.
        pytest.param('ti:"brief history in the internet"', ["cs/9901011"], id="stop-word-gap"),
        pytest.param('ti:"history brief"', [], id="phrase-order"),
        pytest.param("ti:screening ANDNOT ti:dna", ["1306.4664"], id="andnot"),
        pytest.param("au:galhotra", ["1709.03221"], id="author"),
        pytest.param("ti:(screening", None, id="malformed"),
    ],
)
def test_standin_search_grammar(
    arxiv_standin: ArxivStandin, query: str, expected: list[str] | None
) -> None:
    with ArxivClient(arxiv_standin.url, delay=0.0) as client:
        if expected is None:
            with pytest.raises(SearchFailed, match="HTTP 400"):
                client.search(query)
        else:
            assert [p.id.base for p in client.search(query).papers] == expected
