"""HTTP to the arXiv API: one session, our User-Agent, pacing, the retry policy, a cap on
each answer's size, and what it means when `arxiv.atom` cannot read an answer.

The only module that imports `requests`; `arxiv.api` loads it with the first request.
"""

from __future__ import annotations

import email.utils
import math
import random
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import requests

from note2bib.arxiv.atom import BrokenFeed, HostileFeed, NotAFeed, UnreadableEntry, read_feed
from note2bib.arxiv.failures import (
    MAX_BODY,
    TRIES,
    BatchFailed,
    GaveUp,
    Notice,
    Refused,
    TooLong,
    Transient,
)
from note2bib.arxiv.pacing import Pacer
from note2bib.errors import ArxivUnavailable
from note2bib.model import Paper

RETRY_AFTER_CAP = 60.0
"""The longest wait a `Retry-After` gets: a longer one is cut to this (and said so)."""
BACKOFF_CAP = 60.0
"""The longest wait between tries when arXiv gives no `Retry-After`."""

# Overload and gateway answers: worth another try after a pause.
_TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
# arXiv's HTTP 400 feed names the id it refused: `<summary>incorrect id format for abc</summary>`.
_REFUSED_ID = re.compile(rb"incorrect id format for ([^<\s]+)")
_CHUNK = 64 * 1024


class Transport:
    """HTTP to arXiv's API: one session, our User-Agent, a timeout, pacing, retries."""

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

    def get(self, url: str) -> list[Paper]:
        """The papers of a 200 answer's Atom feed, trying again while failures are transient.

        Raises `GaveUp` when every try failed, another `BatchFailed` for a failure no retry
        mends, `ArxivUnavailable` for a hostile answer.
        """
        # Once the tries are spent, asking again in the same run would only fail again slowly.
        if self._gave_up is not None:
            raise GaveUp(self._gave_up)
        for attempt in range(1, self._tries + 1):
            try:
                return self._get_once(url)
            except Transient as failure:
                if attempt == self._tries:
                    self._gave_up = f"{failure}; gave up after {attempt} tries"
                    raise GaveUp(self._gave_up) from None
                self._wait(failure, attempt)
        raise AssertionError("unreachable: the last try returns or raises")

    def _wait(self, failure: Transient, attempt: int) -> None:
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

    def _get_once(self, url: str) -> list[Paper]:
        """One paced GET, its body read up to `max_body`, checked and read as an Atom feed."""
        self._pace()
        self.requests += 1
        try:
            with self._session.get(url, timeout=self._timeout, stream=True) as response:
                _check_status(response)
                body = self._read(response, url)
        except requests.Timeout as exc:
            raise Transient(
                f"arXiv could not be reached (no answer within {self._timeout:g} s)"
            ) from exc
        except requests.ConnectionError as exc:
            detail = _connection_detail(exc)
            if detail == "timed out":
                detail = f"no answer within {self._timeout:g} s"
            raise Transient(f"arXiv could not be reached ({detail})") from exc
        except requests.exceptions.ChunkedEncodingError as exc:
            raise Transient(f"arXiv's answer broke off ({_connection_detail(exc)})") from exc
        except requests.RequestException as exc:
            raise BatchFailed(f"arXiv could not be reached ({type(exc).__name__})") from exc
        return _read_feed(body, url)

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
        # the arxiv.py client count it: waiting after each answer too would add every
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
        raise Refused(
            "arXiv refused the request (HTTP 400)",
            named[1].decode("utf-8", "replace") if named else None,
        )
    if status == 414:
        raise TooLong("arXiv refused the request as too long (HTTP 414)")
    retry_after = _retry_after(response.headers.get("Retry-After"))
    if status == 429:
        raise Transient(
            "arXiv asked to slow down and gave no answer (HTTP 429)", retry_after, status
        )
    if status in _TRANSIENT_STATUSES:
        raise Transient(f"arXiv was unavailable (HTTP {status})", retry_after, status)
    raise BatchFailed(f"arXiv answered with an error (HTTP {status})")


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


def _read_feed(body: bytes, url: str) -> list[Paper]:
    """The papers of `body` if it is a whole Atom feed without entity declarations.

    Raises `ArxivUnavailable` for entity declarations (arXiv never sends a DOCTYPE; a server
    that does may be trying entity expansion or external entities), `Transient` for a feed
    that breaks off, is not XML, or is not an Atom feed (an error page, which may pass),
    `BatchFailed` for an entry that cannot be read (asking again would get it again).
    """
    try:
        return read_feed(body)
    except HostileFeed:
        raise ArxivUnavailable(
            f"refused the answer of the arXiv API at {_endpoint(url)}: it declares XML entities "
            "(a DOCTYPE), which arXiv never does"
        ) from None
    except BrokenFeed as err:
        raise Transient(f"arXiv sent a feed that breaks off or is not XML ({err})") from None
    except NotAFeed:
        raise Transient("arXiv sent a page that is not an Atom feed") from None
    except UnreadableEntry as err:
        raise BatchFailed(f"arXiv sent an entry that cannot be read ({err})") from None


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
