"""arxiv.api when arXiv (or a mirror) misbehaves: what is retried, waited for, split, refused."""

from __future__ import annotations

import email.utils
import json
import time
from dataclasses import dataclass, field
from typing import Any

import pytest

from note2bib.arxiv.api import (
    NO_SUCH_PAPER,
    REFUSED_ID,
    ArxivClient,
    Fetched,
    SearchFailed,
)
from note2bib.arxiv.http import BACKOFF_CAP, RETRY_AFTER_CAP, TRIES
from note2bib.errors import ArxivUnavailable
from note2bib.model import ArxivId

from arxiv_standin import FIXTURES, ArxivStandin, load_entries

SEED = json.loads((FIXTURES / "seed" / "papers.json").read_text(encoding="utf-8"))
SEED_IDS: list[str] = SEED["order"]


@dataclass
class Told:
    """What a client waited for and said, instead of sleeping."""

    waits: list[float] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def fetch(
    server: ArxivStandin, bases: list[str], told: Told | None = None, **options: Any
) -> Fetched:
    """One fetch through a fresh client; waits are recorded in `told`, not slept."""
    told = told if told is not None else Told()
    options.setdefault("delay", 0.0)
    with ArxivClient(
        server.url, sleep=told.waits.append, notice=told.notices.append, **options
    ) as client:
        return client.fetch([ArxivId(base) for base in bases])


def asked(server: ArxivStandin) -> list[list[str]]:
    return [r.id_list for r in server.requests]


# --- 429 and 503: wait as told, else back off --------------------------------------------


def http_date(seconds_from_now: float) -> str:
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


RETRY_AFTER = {
    "seconds": (429, "5", 5.0, "arXiv asked to wait 5 s (HTTP 429); waiting"),
    "503 with seconds": (503, "2", 2.0, "arXiv asked to wait 2 s (HTTP 503); waiting"),
    "past the cap": (
        429,
        "3600",
        RETRY_AFTER_CAP,
        f"arXiv asked to wait 3600 s (HTTP 429); waiting {RETRY_AFTER_CAP:g} s, "
        "the longest note2bib waits",
    ),
    "a date in the past": (429, "Wed, 21 Oct 2015 07:28:00 GMT", 0.0, None),
}


@pytest.mark.parametrize(
    ("status", "header", "wait", "notice"), RETRY_AFTER.values(), ids=RETRY_AFTER.keys()
)
def test_retry_after_is_waited_for_and_said(
    arxiv_standin: ArxivStandin, status: int, header: str, wait: float, notice: str | None
) -> None:
    arxiv_standin.fail_next(1, status, retry_after=header)
    told = Told()
    fetched = fetch(arxiv_standin, SEED_IDS, told)
    assert list(fetched.papers) == SEED_IDS
    assert asked(arxiv_standin) == [SEED_IDS, SEED_IDS]
    assert told.waits == [wait]
    if notice is not None:
        assert told.notices == [notice]


def test_retry_after_as_an_http_date(arxiv_standin: ArxivStandin) -> None:
    arxiv_standin.fail_next(1, 429, retry_after=http_date(5))
    told = Told()
    fetched = fetch(arxiv_standin, SEED_IDS, told)
    assert list(fetched.papers) == SEED_IDS
    (wait,) = told.waits
    assert 3 <= wait <= 6  # whole seconds, rounded up, from a clock that has moved on a little
    assert told.notices == [f"arXiv asked to wait {wait:g} s (HTTP 429); waiting"]


@pytest.mark.parametrize(
    ("status", "why"),
    [
        (429, "arXiv asked to slow down and gave no answer (HTTP 429)"),
        (503, "arXiv was unavailable (HTTP 503)"),
    ],
)
def test_without_retry_after_the_waits_double_with_jitter(
    arxiv_standin: ArxivStandin, status: int, why: str
) -> None:
    arxiv_standin.fail_next(TRIES - 1, status)
    told = Told()
    fetched = fetch(arxiv_standin, SEED_IDS, told, backoff=3.0)
    assert list(fetched.papers) == SEED_IDS
    assert len(arxiv_standin.requests) == TRIES
    steps = [3.0 * 2**n for n in range(TRIES - 1)]
    assert len(told.waits) == len(steps)
    for wait, step in zip(told.waits, steps, strict=True):
        assert step <= wait <= min(1.5 * step, BACKOFF_CAP)
    assert told.notices[0] == f"{why}; trying again in {told.waits[0]:.1f} s (try 2 of {TRIES})"


def test_when_the_tries_are_spent_nothing_more_is_asked(arxiv_standin: ArxivStandin) -> None:
    known = sorted(load_entries())[:150]
    arxiv_standin.fault_next("pass")
    arxiv_standin.fail_next(TRIES, 503)
    told = Told()
    fetched = fetch(arxiv_standin, known, told)
    # The first batch is kept; the second failed every try; no third request was sent.
    assert list(fetched.papers) == known[:100]
    reason = f"arXiv was unavailable (HTTP 503); gave up after {TRIES} tries"
    assert fetched.missing == dict.fromkeys(known[100:], reason)
    assert asked(arxiv_standin) == [known[:100]] + [known[100:]] * TRIES
    assert len(told.waits) == TRIES - 1


def test_after_the_tries_are_spent_searches_are_not_sent(arxiv_standin: ArxivStandin) -> None:
    arxiv_standin.fail_next(TRIES, 429)
    with ArxivClient(arxiv_standin.url, delay=0, sleep=lambda _: None) as client:
        fetched = client.fetch([ArxivId(SEED_IDS[0])])
        with pytest.raises(SearchFailed) as failed:
            client.search("ti:anything")
    reason = f"arXiv asked to slow down and gave no answer (HTTP 429); gave up after {TRIES} tries"
    assert fetched.missing == {SEED_IDS[0]: reason}
    assert str(failed.value) == reason
    assert len(arxiv_standin.requests) == TRIES


# --- broken connections and broken answers ------------------------------------------------

RECOVERED = {
    "stall past the timeout": ("stall", {"seconds": 1.0}, "no answer within 0.3 s"),
    "reset mid-body": ("reset", {}, "arXiv's answer broke off (connection reset)"),
    "truncated feed": ("truncate", {}, "arXiv sent a feed that breaks off or is not XML"),
}


@pytest.mark.parametrize(("kind", "details", "said"), RECOVERED.values(), ids=RECOVERED.keys())
def test_a_broken_answer_is_tried_again(
    arxiv_standin: ArxivStandin, kind: str, details: dict[str, Any], said: str
) -> None:
    arxiv_standin.fault_next(kind, **details)
    told = Told()
    fetched = fetch(arxiv_standin, SEED_IDS, told, timeout=0.3)
    assert list(fetched.papers) == SEED_IDS
    assert fetched.missing == {}
    assert asked(arxiv_standin) == [SEED_IDS, SEED_IDS]
    (notice,) = told.notices
    assert said in notice


def test_a_feed_truncated_every_time_is_reported_not_half_read(
    arxiv_standin: ArxivStandin,
) -> None:
    arxiv_standin.fault_next("truncate", TRIES)
    fetched = fetch(arxiv_standin, SEED_IDS)
    # A truncated feed still holds whole entries; none of them is taken from a broken answer.
    assert fetched.papers == {}
    assert set(fetched.missing) == set(SEED_IDS)
    reason = fetched.missing[SEED_IDS[0]]
    assert reason.startswith("arXiv sent a feed that breaks off or is not XML (")
    assert reason.endswith(f"; gave up after {TRIES} tries")


def test_an_empty_page_is_asked_again_before_it_is_believed(arxiv_standin: ArxivStandin) -> None:
    arxiv_standin.fault_next("empty")
    fetched = fetch(arxiv_standin, SEED_IDS)
    assert list(fetched.papers) == SEED_IDS
    assert asked(arxiv_standin) == [SEED_IDS, SEED_IDS]


def test_entries_left_out_are_asked_for_alone_then_reported(arxiv_standin: ArxivStandin) -> None:
    left_out = frozenset(SEED_IDS[2:4])
    arxiv_standin.fault_next("omit", 2, ids=left_out)
    fetched = fetch(arxiv_standin, SEED_IDS)
    assert asked(arxiv_standin) == [SEED_IDS, SEED_IDS[2:4]]
    assert fetched.missing == dict.fromkeys(SEED_IDS[2:4], NO_SUCH_PAPER)
    assert set(fetched.papers) == set(SEED_IDS) - left_out


def test_an_id_left_out_once_is_found_the_second_time(arxiv_standin: ArxivStandin) -> None:
    arxiv_standin.fault_next("omit", ids=frozenset(SEED_IDS[:1]))
    fetched = fetch(arxiv_standin, SEED_IDS)
    assert asked(arxiv_standin) == [SEED_IDS, SEED_IDS[:1]]
    assert list(fetched.papers) == [*SEED_IDS[1:], SEED_IDS[0]]
    assert fetched.missing == {}


# --- HTTP 400 and 414: split the batch ----------------------------------------------------


def test_an_id_arxiv_refuses_is_isolated_and_never_sent_again(
    arxiv_standin: ArxivStandin,
) -> None:
    bad = SEED_IDS[3]
    arxiv_standin.refused_ids = {bad}
    good = [i for i in SEED_IDS if i != bad]
    fetched = fetch(arxiv_standin, SEED_IDS)
    assert fetched.missing == {bad: REFUSED_ID}
    assert set(fetched.papers) == set(good)
    # arXiv's 400 names the id: one more request, without it.
    assert asked(arxiv_standin) == [SEED_IDS, good]


def test_a_400_naming_no_id_halves_the_batch(arxiv_standin: ArxivStandin) -> None:
    arxiv_standin.fail_next(1, 400)  # a mirror's plain 400, no arXiv error feed
    fetched = fetch(arxiv_standin, SEED_IDS)
    assert list(fetched.papers) == SEED_IDS
    assert asked(arxiv_standin) == [SEED_IDS, SEED_IDS[:4], SEED_IDS[4:]]


def test_a_url_too_long_halves_the_batch(arxiv_standin: ArxivStandin) -> None:
    known = sorted(load_entries())[:100]
    arxiv_standin.max_url_length = 1000  # 13 characters an id: 100 ids are too long, 50 fit
    fetched = fetch(arxiv_standin, known)
    assert list(fetched.papers) == known
    assert asked(arxiv_standin) == [known, known[:50], known[50:]]


# --- a hostile mirror ---------------------------------------------------------------------

BILLION_LAUGHS = b"".join(
    [
        b'<!DOCTYPE feed [<!ENTITY lol0 "lol">',
        *(b'<!ENTITY lol%d "%s">' % (n, b"&lol%d;" % (n - 1) * 10) for n in range(1, 10)),
        b"]>",
    ]
)
EXTERNAL_ENTITY = b'<!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
EXTERNAL_DTD = b'<!DOCTYPE feed SYSTEM "http://127.0.0.1:9/evil.dtd">'


@pytest.mark.parametrize(
    "doctype",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD],
    ids=["billion laughs", "external entity", "external DTD"],
)
def test_entity_declarations_are_refused(arxiv_standin: ArxivStandin, doctype: bytes) -> None:
    arxiv_standin.fault_next("doctype", body=doctype)
    with pytest.raises(ArxivUnavailable) as refused:
        fetch(arxiv_standin, SEED_IDS)
    assert str(refused.value) == (
        f"refused the answer of the arXiv API at {arxiv_standin.url}: it declares XML "
        "entities (a DOCTYPE), which arXiv never does"
    )
    assert len(arxiv_standin.requests) == 1  # not retried


def test_a_doctype_declaring_nothing_is_harmless(arxiv_standin: ArxivStandin) -> None:
    arxiv_standin.fault_next("doctype", body=b"<!DOCTYPE feed>")
    assert list(fetch(arxiv_standin, SEED_IDS).papers) == SEED_IDS


@pytest.mark.parametrize(
    "details",
    [{"declare_length": True}, {"declare_length": False}, {"gzip": True}],
    ids=["Content-Length", "no length", "gzip bomb"],
)
def test_a_body_past_the_cap_is_refused_while_streaming(
    arxiv_standin: ArxivStandin, details: dict[str, bool]
) -> None:
    cap = 2**20
    arxiv_standin.fault_next("huge", size=2**30, **details)
    with pytest.raises(ArxivUnavailable) as refused:
        fetch(arxiv_standin, SEED_IDS, max_body=cap)
    assert str(refused.value) == (
        f"refused the answer of the arXiv API at {arxiv_standin.url}: it is larger than "
        "1 MiB, far more than any arXiv page"
    )
    # Reading stopped at the cap (plus what the sockets buffered), not at 1 GiB.
    assert arxiv_standin.bytes_sent < 64 * cap
    assert len(arxiv_standin.requests) == 1
