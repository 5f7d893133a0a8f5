"""arXiv API access: batches of ids through the `arxiv` package, each result as a `Paper`.

The only module that imports `arxiv` (and `requests`, which `arxiv` brings along).
"""

from __future__ import annotations

import re
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
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
from note2bib.model import ArxivId, Paper
from note2bib.pacing import Pacer

DEFAULT_API = "https://export.arxiv.org/api/query"
USER_AGENT = f"note2bib/{__version__} (+https://pypi.org/project/note2bib)"
BATCH_SIZE = 100
"""arXiv asks for no more than 100 ids per `id_list` request."""

NO_SUCH_PAPER = "arXiv has no paper with this id"

# arXiv's own overload answers: worth one more try after the pause.
_TRANSIENT_STATUSES = frozenset({429, 503})
# `Result.entry_id` is `http://arxiv.org/abs/<id>v<N>`, old-style ids keep their slash.
_ENTRY_ID = re.compile(r"/abs/(?P<base>.+?)v(?P<version>\d+)$")

OnRequest = Callable[[int, int], None]
"""Called before each batch's request with (batch number from 1, number of batches)."""


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
    """A failure that may pass (overload, no connection): worth one retry."""


class ArxivClient:
    """Asks arXiv for papers by id: ≤100 ids per request, paced, one connection, our name."""

    def __init__(
        self,
        api_url: str = DEFAULT_API,
        delay: float = 3.0,
        timeout: float = 30.0,
        user_agent: str = USER_AGENT,
        pace_dir: Path | None = None,
    ) -> None:
        check_api_url(api_url)
        self.api_url = api_url
        self._transport = _Transport(
            user_agent=user_agent, timeout=timeout, delay=delay, pacer=Pacer(delay, pace_dir)
        )
        self._client = _PackageClient(api_url, self._transport)

    def fetch(self, ids: Sequence[ArxivId], on_request: OnRequest | None = None) -> Fetched:
        """Every paper arXiv has for `ids` (latest version); the rest in `missing` with a reason."""
        batches = list(_batches(ids))
        fetched = Fetched()
        sent_before = self._transport.requests
        for number, batch in enumerate(batches, start=1):
            if on_request is not None:
                on_request(number, len(batches))
            self._fetch_batch(batch, fetched)
        fetched.requests = self._transport.requests - sent_before
        return fetched

    def _fetch_batch(self, batch: list[str], into: Fetched) -> None:
        """One `id_list` request; every id of the batch ends in `papers` or `missing`."""
        search = arxiv.Search(id_list=batch, max_results=len(batch))
        try:
            results = list(self._client.results(search))
        except _BatchFailed as failure:
            into.missing.update(dict.fromkeys(batch, str(failure)))
            return
        found = {}
        for result in results:
            entry = parse_entry_id(result.entry_id)
            if entry is not None:
                found[entry.base] = paper_from_result(result)
        for base in batch:
            if base in found:
                into.papers[base] = found[base]
            else:
                into.missing[base] = NO_SUCH_PAPER

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

        Raises `SearchFailed` (with the reason as its message) when arXiv gives no answer.
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
    """HTTP for the `arxiv` package: one session, our User-Agent, a timeout, pacing, one retry."""

    def __init__(
        self, user_agent: str, timeout: float, delay: float, pacer: Pacer | None = None
    ) -> None:
        self._session = requests.Session()
        self._session.headers["User-Agent"] = user_agent
        self._timeout = timeout
        self._delay = delay
        self._pacer = pacer or Pacer(delay)
        self._last: float | None = None
        self.requests = 0

    def get(self, url: str) -> bytes:
        """The body of a 200 answer; `_BatchFailed` otherwise, after one retry when transient."""
        try:
            return self._get_once(url)
        except _Transient:
            pass
        return self._get_once(url)

    def _get_once(self, url: str) -> bytes:
        """One paced GET."""
        self._pace()
        self.requests += 1
        try:
            response = self._session.get(url, timeout=self._timeout)
        except requests.Timeout as exc:
            raise _Transient(
                f"arXiv could not be reached (no answer within {self._timeout:g} s)"
            ) from exc
        except requests.ConnectionError as exc:
            raise _Transient(f"arXiv could not be reached ({_connection_detail(exc)})") from exc
        except requests.RequestException as exc:
            raise _BatchFailed(f"arXiv could not be reached ({type(exc).__name__})") from exc
        finally:
            self._last = time.monotonic()
        return _body(response)

    def _pace(self) -> None:
        """Sleep until `delay` seconds have passed since this run's last request ended and
        since any note2bib run on this machine sent one."""
        if self._last is not None:
            wait = self._last + self._delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self._pacer.wait()

    def close(self) -> None:
        """Close the pooled connection."""
        self._session.close()


def _body(response: requests.Response) -> bytes:
    """The body of a 200 answer, or the failure its status means."""
    status = response.status_code
    if status == 200:
        return response.content
    if status == 400:
        # One malformed id makes arXiv refuse the whole batch; ids are validated before this.
        raise _BatchFailed("arXiv refused the request (HTTP 400)")
    if status == 429:
        raise _Transient("arXiv asked to slow down and gave no answer (HTTP 429)")
    if status in _TRANSIENT_STATUSES:
        raise _Transient(f"arXiv was unavailable (HTTP {status})")
    raise _BatchFailed(f"arXiv answered with an error (HTTP {status})")


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
