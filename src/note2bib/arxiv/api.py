"""arXiv API access: batches of ids through the `arxiv` package, each result as a `Paper`.

The only module that imports `arxiv`; the HTTP under it (pacing, retries, checks on each
answer) is `arxiv.http`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import arxiv

# Private, but pinned by `arxiv>=4,<5`: we fetch ourselves (arxiv.py sends no timeout, a fixed
# `arxiv.py/x` User-Agent and its own retries) and hand the bytes to its Atom parser.
from arxiv import _feed

from note2bib import __version__
from note2bib.arxiv.http import (
    MAX_BODY,
    TRIES,
    BatchFailed,
    GaveUp,
    Notice,
    Refused,
    TooLong,
    Transport,
)
from note2bib.arxiv.pacing import Pacer
from note2bib.model import ArxivId, Paper

DEFAULT_API = "https://export.arxiv.org/api/query"
USER_AGENT = f"note2bib/{__version__} (+https://pypi.org/project/note2bib)"
BATCH_SIZE = 100
"""arXiv asks for no more than 100 ids per `id_list` request."""

NO_SUCH_PAPER = "arXiv has no paper with this id"
REFUSED_ID = "arXiv refused this id as malformed (HTTP 400)"

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
        self._transport = Transport(
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
        except GaveUp as failure:
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
        except Refused as refusal:
            self._isolate(batch, refusal, into, absent)
            return
        except TooLong as failure:
            self._split(batch, str(failure), into, absent)
            return
        except GaveUp:
            raise
        except BatchFailed as failure:
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
        self, batch: list[str], refusal: Refused, into: Fetched, absent: list[str] | None
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
        except BatchFailed as failure:
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


class _PackageClient(arxiv.Client):  # type: ignore[misc]  # arxiv ships no type hints
    """`arxiv.Client` with its fetching replaced: our transport, one page per batch."""

    def __init__(self, api_url: str, transport: Transport) -> None:
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
            raise BatchFailed("arXiv sent an answer that is not a readable feed")
        return feed


@dataclass(frozen=True)
class Searched:
    """What one title search got: candidate papers in arXiv's order, and requests sent."""

    papers: list[Paper]
    requests: int


class SearchFailed(Exception):
    """A search got no usable answer; `str()` says why in a few words."""
