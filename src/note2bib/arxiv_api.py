"""arXiv API access: batches of ids through the `arxiv` package, each result as a `Paper`.

The only module that imports `arxiv` (and `requests`, which `arxiv` brings along).
"""

from __future__ import annotations

import email.utils
import math
import random
import re
import socket
import ssl
import time
import xml.parsers.expat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import arxiv
import requests

# Private, but pinned by `arxiv>=4,<5`: we fetch ourselves (arxiv.py sends no timeout, a fixed
# `arxiv.py/x` User-Agent and its own retries) and hand the bytes to its Atom parser.
from arxiv import _feed

from note2bib import __version__
from note2bib.errors import ArxivUnavailable
from note2bib.model import ArxivId, Paper
from note2bib.pacing import Pacer

DEFAULT_API = "https://export.arxiv.org/api/query"
USER_AGENT = f"note2bib/{__version__} (+https://pypi.org/project/note2bib)"
BATCH_SIZE = 100
"""arXiv asks for no more than 100 ids per `id_list` request."""

TRIES = 4
"""Tries per request when arXiv is overloaded, unreachable or sends a broken answer."""
RETRY_AFTER_CAP = 60.0
"""The longest wait a `Retry-After` gets: a longer one is cut to this (and said so)."""
BACKOFF_CAP = 60.0
"""The longest wait between tries when arXiv gives no `Retry-After`."""
MAX_BODY = 32 * 1024 * 1024
"""The largest answer read. A page of 100 entries as large as the 2,833-author 1411.4413
(165 kB) is 16.5 MB, and parsing it takes about 20 times that in memory (lxml's tree, then
the results), so 32 MiB leaves room twice over while a hostile feed stays well under 1 GB."""

NO_SUCH_PAPER = "arXiv has no paper with this id"
REFUSED_ID = "arXiv refused this id as malformed (HTTP 400)"

# Overload and gateway answers: worth another try after a pause.
_TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
# `Result.entry_id` is `http://arxiv.org/abs/<id>v<N>`, old-style ids keep their slash.
_ENTRY_ID = re.compile(r"/abs/(?P<base>.+?)v(?P<version>\d+)$")
# arXiv's HTTP 400 feed names the id it refused: `<summary>incorrect id format for abc</summary>`.
_REFUSED_ID = re.compile(rb"incorrect id format for ([^<\s]+)")
_ATOM_FEED = "http://www.w3.org/2005/Atom feed"
_CHUNK = 64 * 1024

OnRequest = Callable[[int, int], None]
"""Called before each batch's request with (batch number from 1, number of batches)."""
Notice = Callable[[str], None]
"""Told, as it happens, what the user waits for (a `Retry-After`, a backoff before a retry)."""


@dataclass
class Fetched:
    """What one `fetch` got: papers and reasons, both keyed by versionless id."""

    papers: dict[str, Paper] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    """Versionless id → one sentence saying why there is no paper."""
    requests: int = 0
    """HTTP requests sent (retries included)."""


class _BatchFailed(Exception):
    """A batch got no usable answer; `str()` is the reason given for each of its ids."""


class _Transient(_BatchFailed):
    """A failure that may pass (overload, no connection, a broken answer): worth a retry."""

    def __init__(self, reason: str, retry_after: float | None = None, status: int = 0) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        """Seconds the answer's `Retry-After` asked for, if it gave one."""
        self.status = status


class _GaveUp(_BatchFailed):
    """Every try of a request failed transiently: asking again now would fail too."""


class _Refused(_BatchFailed):
    """HTTP 400: arXiv refused an id of the batch (the one it names, when it names one)."""

    def __init__(self, reason: str, named: str | None) -> None:
        super().__init__(reason)
        self.named = named


class _TooLong(_BatchFailed):
    """HTTP 414: the request's URL (the id list) is longer than the server takes."""


class ArxivClient:
    """Asks arXiv for papers by id: ≤100 ids per request, paced, one connection, our name."""

    def __init__(
        self,
        api_url: str = DEFAULT_API,
        delay: float = 3.0,
        timeout: float = 30.0,
        user_agent: str = USER_AGENT,
        *,
        tries: int = TRIES,
        backoff: float | None = None,
        notice: Notice | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_body: int = MAX_BODY,
        pace_dir: Path | None = None,
    ) -> None:
        """`delay` paces requests; `backoff` (default: `delay`) is the first wait before a retry
        when arXiv gives no `Retry-After`; `sleep` does the waiting between tries."""
        check_api_url(api_url)
        self.api_url = api_url
        self._transport = _Transport(
            user_agent=user_agent,
            timeout=timeout,
            delay=delay,
            backoff=delay if backoff is None else backoff,
            tries=tries,
            notice=notice,
            sleep=sleep,
            max_body=max_body,
            pacer=Pacer(delay, pace_dir),
        )
        self._client = _PackageClient(api_url, self._transport)

    def fetch(self, ids: Sequence[ArxivId], on_request: OnRequest | None = None) -> Fetched:
        """Every paper arXiv has for `ids` (latest version); the rest in `missing` with a reason.

        Raises `ArxivUnavailable` when the server's answer is hostile (a DOCTYPE declaring
        entities, a body past `max_body`): such a server is not arXiv, so nothing is taken from it.
        """
        batches = list(_batches(ids))
        fetched = Fetched()
        sent_before = self._transport.requests
        absent: list[str] = []
        try:
            for number, batch in enumerate(batches, start=1):
                if on_request is not None:
                    on_request(number, len(batches))
                self._ask(batch, fetched, absent)
            # arXiv sometimes leaves entries it has out of an answer, even all of them (an empty
            # page): ask once more for just those before believing it has no such paper.
            for start in range(0, len(absent), BATCH_SIZE):
                self._ask(absent[start : start + BATCH_SIZE], fetched, None)
        except _GaveUp as failure:
            # The tries are spent: what is resolved stays, nothing more is asked this run.
            asked = fetched.papers.keys() | fetched.missing.keys()
            for base in dict.fromkeys(i.base for i in ids):
                if base not in asked:
                    fetched.missing[base] = str(failure)
        fetched.requests = self._transport.requests - sent_before
        return fetched

    def _ask(self, batch: list[str], into: Fetched, absent: list[str] | None) -> None:
        """Ask for `batch`; each id ends in `papers`, `missing`, or `absent` (left out)."""
        try:
            results = self._client.results(arxiv.Search(id_list=batch, max_results=len(batch)))
            found = {}
            for result in list(results):
                entry = parse_entry_id(result.entry_id)
                if entry is not None:
                    found[entry.base] = paper_from_result(result)
        except _Refused as refusal:
            self._isolate(batch, refusal, into, absent)
            return
        except _TooLong as failure:
            self._split(batch, str(failure), into, absent)
            return
        except _GaveUp:
            raise
        except _BatchFailed as failure:
            into.missing.update(dict.fromkeys(batch, str(failure)))
            return
        for base in batch:
            if base in found:
                into.papers[base] = found[base]
            elif absent is not None:
                absent.append(base)
            else:
                into.missing[base] = NO_SUCH_PAPER

    def _isolate(
        self, batch: list[str], refusal: _Refused, into: Fetched, absent: list[str] | None
    ) -> None:
        """After HTTP 400: drop the id arXiv names (or halve until one id is left) and go on."""
        # One refused id costs the whole batch its answer; the others deserve theirs.
        if refusal.named in batch or len(batch) == 1:
            bad = refusal.named if refusal.named in batch else batch[0]
            into.missing[bad] = REFUSED_ID
            rest = [base for base in batch if base != bad]
            if rest:
                self._ask(rest, into, absent)
            return
        self._split(batch, str(refusal), into, absent)

    def _split(
        self, batch: list[str], reason: str, into: Fetched, absent: list[str] | None
    ) -> None:
        """Ask for each half of `batch` (an id alone that still fails is missing for `reason`)."""
        if len(batch) == 1:
            into.missing[batch[0]] = reason
            return
        middle = len(batch) // 2
        self._ask(batch[:middle], into, absent)
        self._ask(batch[middle:], into, absent)

    def close(self) -> None:
        """Close the connection to arXiv."""
        self._transport.close()

    def __enter__(self) -> ArxivClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def search(self, query: str, max_results: int = 10) -> Searched:
        """One `search_query` request (paced like the id batches); results in arXiv's order.

        Raises `SearchFailed` (with the reason as its message) when arXiv gives no answer,
        `ArxivUnavailable` when the answer is hostile (as `fetch` does).
        """
        sent_before = self._transport.requests
        client = _PackageClient(self.api_url, self._transport)
        client.page_size = max_results  # one page of `max_results`, never a second
        try:
            results = list(client.results(arxiv.Search(query=query, max_results=max_results)))
        except _BatchFailed as failure:
            raise SearchFailed(str(failure)) from None
        papers = []
        for result in results:
            try:
                papers.append(paper_from_result(result))
            except ValueError:
                continue  # not an arXiv entry: nothing to cite
        return Searched(papers, self._transport.requests - sent_before)


def check_api_url(api_url: str) -> None:
    """Refuse an API address that is not an http(s) URL (ValueError)."""
    parts = urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the arXiv API address must be an http(s) URL, not {api_url!r}")


def _batches(ids: Sequence[ArxivId]) -> Iterator[list[str]]:
    """Versionless, deduplicated ids in first-seen order, ≤100 at a time."""
    # Asking versionless makes arXiv answer with the latest version, which is what a Paper holds.
    bases = list(dict.fromkeys(arxiv_id.base for arxiv_id in ids))
    for start in range(0, len(bases), BATCH_SIZE):
        yield bases[start : start + BATCH_SIZE]


def parse_entry_id(entry_id: str) -> ArxivId | None:
    """`http://arxiv.org/abs/hep-th/9901001v2` → ArxivId('hep-th/9901001', 2); None if not one."""
    match = _ENTRY_ID.search(entry_id)
    if match is None:
        return None
    return ArxivId(match["base"], int(match["version"]))


def paper_from_result(result: Any) -> Paper:
    """An `arxiv.Result` as a `Paper` (ValueError when its id is not an arXiv abs URL)."""
    entry = parse_entry_id(result.entry_id)
    if entry is None or entry.version is None:
        raise ValueError(f"not an arXiv entry id: {result.entry_id!r}")
    return Paper(
        id=entry.versionless,
        version=entry.version,
        title=result.title,
        authors=tuple(str(author.name) for author in result.authors),
        # Old records carry leading spaces and a trailing newline from arXiv's abs files.
        summary=result.summary.strip(),
        published=result.published,
        updated=result.updated,
        primary_category=result.primary_category,
        categories=tuple(result.categories),
        doi=_doi(result.doi),
        journal_ref=_text_or_none(result.journal_ref),
        comment=_text_or_none(result.comment),
    )


def _text_or_none(value: str | None) -> str | None:
    """arXiv's optional fields, with an empty element treated as absent."""
    if value is None or not value.strip():
        return None
    return value.strip()


def _doi(value: str | None) -> str | None:
    """The first publisher DOI arXiv lists, as a bare `10.…` string."""
    text = _text_or_none(value)
    if text is None:
        return None
    # A few records list several DOIs in one element; a Paper holds one.
    first = text.split()[0]
    for prefix in ("https://doi.org/", "http://doi.org/", "doi:"):
        if first.lower().startswith(prefix):
            first = first[len(prefix) :]
    return first or None


class _Transport:
    """HTTP for the `arxiv` package: one session, our User-Agent, a timeout, pacing, retries."""

    def __init__(
        self,
        user_agent: str,
        timeout: float,
        delay: float,
        backoff: float,
        tries: int = TRIES,
        notice: Notice | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_body: int = MAX_BODY,
        pacer: Pacer | None = None,
    ) -> None:
        self._session = requests.Session()
        self._session.headers["User-Agent"] = user_agent
        self._timeout = timeout
        self._backoff = backoff
        self._pacer = pacer or Pacer(delay)
        self._tries = max(1, tries)
        self._notice = notice
        self._sleep = sleep
        self._max_body = max_body
        self._gave_up: str | None = None
        self.requests = 0

    def get(self, url: str) -> bytes:
        """A checked Atom feed from a 200 answer, trying again while failures are transient.

        Raises `_GaveUp` when every try failed, another `_BatchFailed` for a failure no retry
        mends, `ArxivUnavailable` for a hostile answer.
        """
        # Once the tries are spent, asking again in the same run would only fail again slowly.
        if self._gave_up is not None:
            raise _GaveUp(self._gave_up)
        for attempt in range(1, self._tries + 1):
            try:
                return self._get_once(url)
            except _Transient as failure:
                if attempt == self._tries:
                    self._gave_up = f"{failure}; gave up after {attempt} tries"
                    raise _GaveUp(self._gave_up) from None
                self._wait(failure, attempt)
        raise AssertionError("unreachable: the last try returns or raises")

    def _wait(self, failure: _Transient, attempt: int) -> None:
        """Sleep before try `attempt + 1`: as `Retry-After` says (capped), else backing off."""
        if failure.retry_after is not None:
            asked = failure.retry_after
            wait = min(asked, RETRY_AFTER_CAP)
            told = f"arXiv asked to wait {asked:g} s (HTTP {failure.status}); waiting"
            if wait < asked:
                told += f" {wait:g} s, the longest note2bib waits"
        else:
            # Doubling from the first step, stretched at random by up to half so that
            # clients turned away together do not come back together.
            step = self._backoff * 2 ** (attempt - 1)
            wait = min(step * (1 + random.random() / 2), BACKOFF_CAP)
            told = f"{failure}; trying again in {wait:.1f} s (try {attempt + 1} of {self._tries})"
        if self._notice is not None:
            self._notice(told)
        self._sleep(wait)

    def _get_once(self, url: str) -> bytes:
        """One paced GET, its body read up to `max_body` and checked to be an Atom feed."""
        self._pace()
        self.requests += 1
        try:
            with self._session.get(url, timeout=self._timeout, stream=True) as response:
                _check_status(response)
                body = self._read(response, url)
        except requests.Timeout as exc:
            raise _Transient(
                f"arXiv could not be reached (no answer within {self._timeout:g} s)"
            ) from exc
        except requests.ConnectionError as exc:
            detail = _connection_detail(exc)
            if detail == "timed out":
                detail = f"no answer within {self._timeout:g} s"
            raise _Transient(f"arXiv could not be reached ({detail})") from exc
        except requests.exceptions.ChunkedEncodingError as exc:
            raise _Transient(f"arXiv's answer broke off ({_connection_detail(exc)})") from exc
        except requests.RequestException as exc:
            raise _BatchFailed(f"arXiv could not be reached ({type(exc).__name__})") from exc
        return _check_feed(body, url)

    def _read(self, response: requests.Response, url: str) -> bytes:
        """The body, read in chunks and given up on as soon as it passes `max_body`."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self._max_body:
            raise _too_big(url, self._max_body)
        body = bytearray()
        for chunk in response.iter_content(chunk_size=_CHUNK):
            body += chunk
            if len(body) > self._max_body:
                raise _too_big(url, self._max_body)
        return bytes(body)

    def _pace(self) -> None:
        """Sleep until `delay` seconds have passed since any note2bib run sent a request."""
        # Counted from request to request, as arXiv's "one request every three seconds" and
        # the `arxiv` package count it: waiting after each answer too would add every
        # answer's latency to the pause.
        self._pacer.wait()

    def close(self) -> None:
        """Close the pooled connection."""
        self._session.close()


def _check_status(response: requests.Response) -> None:
    """Nothing for a 200 answer; else the failure its status means."""
    status = response.status_code
    if status == 200:
        return
    if status == 400:
        # arXiv refuses the whole batch for one id it does not accept, and names that id.
        head = next(response.iter_content(chunk_size=_CHUNK), b"")
        named = _REFUSED_ID.search(head)
        raise _Refused(
            "arXiv refused the request (HTTP 400)",
            named[1].decode("utf-8", "replace") if named else None,
        )
    if status == 414:
        raise _TooLong("arXiv refused the request as too long (HTTP 414)")
    retry_after = _retry_after(response.headers.get("Retry-After"))
    if status == 429:
        raise _Transient(
            "arXiv asked to slow down and gave no answer (HTTP 429)", retry_after, status
        )
    if status in _TRANSIENT_STATUSES:
        raise _Transient(f"arXiv was unavailable (HTTP {status})", retry_after, status)
    raise _BatchFailed(f"arXiv answered with an error (HTTP {status})")


def _retry_after(value: str | None) -> float | None:
    """Seconds a `Retry-After` header asks for (delay-seconds or an HTTP-date); None if none."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None  # unreadable: back off as if none were given
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    # Whole seconds, rounded up: an HTTP-date has no finer grain.
    return float(max(0, math.ceil((when - datetime.now(UTC)).total_seconds())))


class _Hostile(Exception):
    """Raised from inside the XML parser to stop at a DOCTYPE that could declare entities."""


def _check_feed(body: bytes, url: str) -> bytes:
    """`body` if it is a whole Atom feed without entity declarations.

    Raises `ArxivUnavailable` for entity declarations (arXiv never sends a DOCTYPE; a server
    that does may be trying entity expansion or external entities), `_Transient` for a feed
    that breaks off, is not XML, or is not an Atom feed (an error page, which may pass).
    """
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    root: list[str] = []

    def doctype(name: str, system_id: str | None, public_id: str | None, internal: int) -> None:
        # Entities come from an internal subset or an external DTD; a bare <!DOCTYPE html>
        # (an error page) declares none and is turned away below as not being a feed.
        if internal or system_id:
            raise _Hostile

    def entity(*_: object) -> None:
        raise _Hostile

    def element(name: str, _attributes: object) -> None:
        if not root:
            root.append(name)

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.StartElementHandler = element
    try:
        parser.Parse(body, True)
    except _Hostile:
        raise ArxivUnavailable(
            f"refused the answer of the arXiv API at {_endpoint(url)}: it declares XML entities "
            "(a DOCTYPE), which arXiv never does"
        ) from None
    except xml.parsers.expat.ExpatError as err:
        raise _Transient(f"arXiv sent a feed that breaks off or is not XML ({err})") from None
    if root != [_ATOM_FEED]:
        raise _Transient("arXiv sent a page that is not an Atom feed")
    return body


def _too_big(url: str, cap: int) -> ArxivUnavailable:
    return ArxivUnavailable(
        f"refused the answer of the arXiv API at {_endpoint(url)}: it is larger than "
        f"{cap / 2**20:g} MiB, far more than any arXiv page"
    )


def _endpoint(url: str) -> str:
    """The request URL without its query: the API address the user configured."""
    return url.split("?", 1)[0]


def _connection_detail(exc: BaseException) -> str:
    """A few words on why a connection failed, from the exception chain requests builds."""
    for cause in _causes(exc):
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, socket.gaierror):
            return "host name not found"
        if isinstance(cause, ConnectionResetError):
            return "connection reset"
        if isinstance(cause, ssl.SSLError):
            return "TLS handshake failed"
        if isinstance(cause, TimeoutError):
            return "timed out"
    return "connection failed"


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """Every exception reachable from `exc` (causes, contexts, urllib3 `reason`s, args)."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        linked.extend(current.args)
        pending.extend(item for item in linked if isinstance(item, BaseException))


class _PackageClient(arxiv.Client):  # type: ignore[misc]  # arxiv ships no type hints
    """`arxiv.Client` with its fetching replaced: our transport, one page per batch."""

    def __init__(self, api_url: str, transport: _Transport) -> None:
        # Pacing and retry are the transport's; page_size 100 so each batch fits one page.
        super().__init__(page_size=BATCH_SIZE, delay_seconds=0.0, num_retries=0)
        joiner = "&" if "?" in api_url else "?"
        self.query_url_format = api_url.replace("{", "{{").replace("}", "}}") + joiner + "{}"
        self._transport = transport

    def _parse_feed(self, url: str, first_page: bool = True, _try_index: int = 0) -> Any:
        """Fetch and parse one page (the seam `arxiv.Client.results` calls for every page)."""
        if not first_page:
            # An id_list batch is one page; never follow arXiv's totalResults into a second.
            return _feed.ParsedFeed(header=_feed.FeedHeader())
        feed = _feed.parse(self._transport.get(url))
        if feed.malformed:
            raise _BatchFailed("arXiv sent an answer that is not a readable feed")
        return feed


@dataclass(frozen=True)
class Searched:
    """What one title search got: candidate papers in arXiv's order, and requests sent."""

    papers: list[Paper]
    requests: int


class SearchFailed(Exception):
    """A search got no usable answer; `str()` says why in a few words."""
