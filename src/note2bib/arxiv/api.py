"""arXiv API access: batches of ids and title searches, each answer as `Paper`s.

The queries are built here; the HTTP under them (pacing, retries, checks on each answer) is
`arxiv.http`, and the reading of arXiv's Atom answers `arxiv.atom`. Those two (and
`http.client`) load with the first request a client sends: a run the cache answers sends none.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urlencode, urlsplit

from note2bib import __version__
from note2bib.arxiv.failures import (
    MAX_BODY,
    TRIES,
    BatchFailed,
    GaveUp,
    Notice,
    Refused,
    TooLong,
)
from note2bib.arxiv.pacing import Pacer
from note2bib.closing import Closing
from note2bib.model import ArxivId, Paper

if TYPE_CHECKING:
    from note2bib.arxiv.http import Transport

DEFAULT_API = "https://export.arxiv.org/api/query"
USER_AGENT = f"note2bib/{__version__} (+https://pypi.org/project/note2bib)"
BATCH_SIZE = 100
"""arXiv asks for no more than 100 ids per `id_list` request."""

NO_SUCH_PAPER = "arXiv has no paper with this id"
REFUSED_ID = "arXiv refused this id as malformed (HTTP 400)"

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


class ArxivClient(Closing):
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
        on_sent: Callable[[], None] | None = None,
    ) -> None:
        """`delay` paces requests; `backoff` (default: `delay`) is the first wait before a retry
        when arXiv gives no `Retry-After`; `sleep` does the waiting between tries; `on_sent` is
        called each time a request has gone out and its answer is awaited."""
        check_api_url(api_url)
        self.api_url = api_url
        self._user_agent = user_agent
        self._timeout = timeout
        self._delay = delay
        self._backoff = delay if backoff is None else backoff
        self._tries = tries
        self._notice = notice
        self._sleep = sleep
        self._max_body = max_body
        self._pace_dir = pace_dir
        self._on_sent = on_sent
        self._made: Transport | None = None

    @property
    def _transport(self) -> Transport:
        """The HTTP session, made (and the HTTP code loaded) when the first request is due."""
        if self._made is None:
            from note2bib.arxiv.http import Transport

            self._made = Transport(
                user_agent=self._user_agent,
                timeout=self._timeout,
                delay=self._delay,
                backoff=self._backoff,
                tries=self._tries,
                notice=self._notice,
                sleep=self._sleep,
                max_body=self._max_body,
                pacer=Pacer(self._delay, self._pace_dir),
                on_sent=self._on_sent,
            )
        return self._made

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
            papers = self._transport.get(query_url(self.api_url, id_list=batch))
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
        # No more entries than ids asked for, whatever a mirror sends.
        found = {paper.id.base: paper for paper in papers[: len(batch)]}
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
        """Close the connection to arXiv (if one was made)."""
        if self._made is not None:
            self._made.close()

    def search(self, query: str, max_results: int = 10) -> Searched:
        """One `search_query` request (paced like the id batches); results in arXiv's order.

        Raises `SearchFailed` (with the reason as its message) when arXiv gives no answer,
        `QueryTooLong` (a `SearchFailed`) for HTTP 414, `ArxivUnavailable` when the answer is
        hostile (as `fetch` does).
        """
        sent_before = self._transport.requests
        url = query_url(self.api_url, query=query, max_results=max_results)
        try:
            papers = self._transport.get(url)  # one page of `max_results`, never a second
        except TooLong as failure:
            raise QueryTooLong(str(failure), self._transport.requests - sent_before) from None
        except BatchFailed as failure:
            raise SearchFailed(str(failure), self._transport.requests - sent_before) from None
        return Searched(papers[:max_results], self._transport.requests - sent_before)


def check_api_url(api_url: str) -> None:
    """Refuse an API address that is not an http(s) URL (ValueError)."""
    parts = urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the arXiv API address must be an http(s) URL, not {api_url!r}")


def query_url(
    api_url: str, *, id_list: Sequence[str] = (), query: str = "", max_results: int = BATCH_SIZE
) -> str:
    """The request for one page of answers: an `id_list`, or a `search_query`, from the start.

    The parameters, their order and their encoding are arxiv.py's (`Client._format_url`), the
    client note2bib used to send them through: arXiv's recorded answers are for these URLs.
    """
    parameters = {
        "search_query": query,
        "id_list": ",".join(id_list),
        "sortBy": "relevance",
        "sortOrder": "descending",
        "start": "0",
        "max_results": str(max_results),
    }
    joiner = "&" if "?" in api_url else "?"
    return api_url + joiner + urlencode(parameters)


def _batches(ids: Sequence[ArxivId]) -> Iterator[list[str]]:
    """Versionless, deduplicated ids in first-seen order, ≤100 at a time."""
    # Asking versionless makes arXiv answer with the latest version, which is what a Paper holds.
    bases = list(dict.fromkeys(arxiv_id.base for arxiv_id in ids))
    for start in range(0, len(bases), BATCH_SIZE):
        yield bases[start : start + BATCH_SIZE]


class Searched(NamedTuple):
    """What one title search got: candidate papers in arXiv's order, and requests sent."""

    papers: list[Paper]
    requests: int


class SearchFailed(Exception):
    """A search got no usable answer; `str()` says why in a few words."""

    def __init__(self, reason: str, requests: int = 1) -> None:
        super().__init__(reason)
        self.requests = requests
        """HTTP requests sent for it (retries included)."""


class QueryTooLong(SearchFailed):
    """HTTP 414: the search's URL is longer than the server takes (ask for fewer titles)."""
