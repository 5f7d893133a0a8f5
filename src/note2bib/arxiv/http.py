"""HTTP to the arXiv API: one kept-alive connection, our User-Agent, pacing, the retry
policy, a cap on each answer's size, and what it means when `arxiv.atom` cannot read an answer.

HTTP is the standard library's `http.client`, doing for one GET what requests did: the proxy
the environment names, TLS checked against certifi's certificates (or `REQUESTS_CA_BUNDLE`),
redirects followed, gzip and deflate answers inflated (within the cap). Loading requests and
urllib3 took 70 ms of a cold run that waits half a second for arXiv; this takes 10 ms.
`arxiv.api` loads this module with the first request.
"""

from __future__ import annotations

import email.utils
import http.client
import math
import os
import random
import re
import socket
import ssl
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from urllib.parse import SplitResult, unquote, urljoin, urlsplit

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
MAX_REDIRECTS = 30
"""Redirects followed for one request (requests' limit)."""

# Overload and gateway answers: worth another try after a pause.
_TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# arXiv's HTTP 400 feed names the id it refused: `<summary>incorrect id format for abc</summary>`.
_REFUSED_ID = re.compile(rb"incorrect id format for ([^<\s]+)")
_CHUNK = 64 * 1024


class _BrokeOff(Exception):
    """The answer's body stopped before its end (a reset, a short read, a broken chunk)."""


class _Failed(Exception):
    """A failure requests named by its exception's class (a bad redirect, an undecodable body)."""


class Transport:
    """HTTP to arXiv's API: one connection, our User-Agent, a timeout, pacing, retries."""

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
        on_sent: Callable[[], None] | None = None,
    ) -> None:
        self._user_agent = user_agent
        self._timeout = timeout
        self._backoff = backoff
        self._pacer = pacer or Pacer(delay)
        self._tries = max(1, tries)
        self._notice = notice
        self._sleep = sleep
        self._max_body = max_body
        self._on_sent = on_sent
        self._gave_up: str | None = None
        self._connection: http.client.HTTPConnection | None = None
        self._connected_to: tuple[str, str, int, str | None] | None = None
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
            response = self._answer(url)
            _check_status(response, self._max_body)
            body = b"".join(_body(response, self._max_body, url))
        except TimeoutError as exc:
            self._disconnect()
            raise Transient(
                f"arXiv could not be reached (no answer within {self._timeout:g} s)"
            ) from exc
        except _BrokeOff as exc:
            self._disconnect()
            raise Transient(f"arXiv's answer broke off ({_connection_detail(exc)})") from exc
        except (OSError, http.client.HTTPException) as exc:
            self._disconnect()
            detail = _connection_detail(exc)
            if detail == "timed out":
                detail = f"no answer within {self._timeout:g} s"
            raise Transient(f"arXiv could not be reached ({detail})") from exc
        except _Failed as exc:
            self._disconnect()
            raise BatchFailed(f"arXiv could not be reached ({exc})") from exc
        except BaseException:
            self._disconnect()  # the answer was not read to its end: the connection is spent
            raise
        return _read_feed(body, url)

    def _answer(self, url: str) -> http.client.HTTPResponse:
        """The response to a GET of `url` once its headers are in, redirects followed."""
        for _ in range(MAX_REDIRECTS + 1):
            response = self._send(url)
            location = response.getheader("Location")
            if response.status not in _REDIRECTS or location is None:
                return response
            for _chunk in _body(response, self._max_body, url):
                pass  # read to its end, so that the connection can be used again
            url = urljoin(url, location)
            if urlsplit(url).scheme not in ("http", "https"):
                raise _Failed("InvalidSchema")
        raise _Failed("TooManyRedirects")

    def _send(self, url: str) -> http.client.HTTPResponse:
        """The request sent on the kept-alive connection (a fresh one when the server had
        closed it meanwhile), and its answer's status and headers."""
        parts = urlsplit(url)
        for fresh in (False, True):
            connection, target = self._connect(parts, fresh)
            reused = connection.sock is not None
            try:
                connection.request("GET", target, headers=self._headers(parts))
                if self._on_sent is not None:
                    self._on_sent()
                return connection.getresponse()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the server closed while we were pacing: the
                # request never reached it, so it is sent once more on a new connection.
                self._disconnect()
                if fresh or not reused:
                    raise
        raise AssertionError("unreachable: the second send returns or raises")

    def _headers(self, parts: SplitResult) -> dict[str, str]:
        headers = {
            "User-Agent": self._user_agent,
            "Accept-Encoding": "gzip, deflate",
            "Accept": "*/*",
            "Connection": "keep-alive",
        }
        proxy = _proxy_for(parts)
        if proxy is not None and parts.scheme == "http" and proxy.username is not None:
            headers["Proxy-Authorization"] = _basic(proxy)
        return headers

    def _connect(self, parts: SplitResult, fresh: bool) -> tuple[http.client.HTTPConnection, str]:
        """The connection for `parts`' host (through the environment's proxy, if any) and the
        request target to send on it."""
        host = (parts.hostname or "").encode("idna").decode("ascii")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        path = parts.path or "/"
        target = f"{path}?{parts.query}" if parts.query else path
        proxy = _proxy_for(parts)
        key = (parts.scheme, host, port, proxy.geturl() if proxy else None)
        if fresh or key != self._connected_to:
            self._disconnect()
        if self._connection is None:
            self._connection = _connection(parts.scheme, host, port, proxy, self._timeout)
            self._connected_to = key
        if proxy is not None and parts.scheme == "http":
            target = parts._replace(fragment="").geturl()  # a proxy is asked for the whole URL
        return self._connection, target

    def _disconnect(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None
        self._connected_to = None

    def _pace(self) -> None:
        """Sleep until `delay` seconds have passed since any note2bib run sent a request."""
        # Counted from request to request, as arXiv's "one request every three seconds" and
        # the arxiv.py client count it: waiting after each answer too would add every
        # answer's latency to the pause.
        self._pacer.wait()

    def close(self) -> None:
        """Close the kept-alive connection."""
        self._disconnect()


def _connection(
    scheme: str, host: str, port: int, proxy: SplitResult | None, timeout: float
) -> http.client.HTTPConnection:
    """A new connection to `host` (not yet opened), or to the proxy that tunnels to it."""
    if proxy is None:
        if scheme == "https":
            return http.client.HTTPSConnection(host, port, timeout=timeout, context=_tls())
        return http.client.HTTPConnection(host, port, timeout=timeout)
    proxy_host, proxy_port = proxy.hostname or "", proxy.port or 80
    if scheme == "http":
        return http.client.HTTPConnection(proxy_host, proxy_port, timeout=timeout)
    tunnel = http.client.HTTPSConnection(proxy_host, proxy_port, timeout=timeout, context=_tls())
    headers = {"Proxy-Authorization": _basic(proxy)} if proxy.username is not None else None
    tunnel.set_tunnel(host, port, headers)
    return tunnel


def _tls() -> ssl.SSLContext:
    """Certificates checked as requests checked them: `REQUESTS_CA_BUNDLE` or
    `CURL_CA_BUNDLE` when set, else certifi's bundle."""
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if not bundle:
        import certifi

        bundle = certifi.where()
    if os.path.isdir(bundle):
        return ssl.create_default_context(capath=bundle)
    return ssl.create_default_context(cafile=bundle)


def _proxy_for(parts: SplitResult) -> SplitResult | None:
    """The proxy the environment names for this URL (as requests read it), or None."""
    if sys.platform not in ("darwin", "win32") and not any(
        name.lower().endswith("_proxy") for name in os.environ
    ):
        return None  # nothing names one: no need to load urllib.request to ask
    import urllib.request

    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(parts.netloc):
        return None
    return urlsplit(proxy if "://" in proxy else f"http://{proxy}")


def _basic(proxy: SplitResult) -> str:
    import base64

    pair = f"{unquote(proxy.username or '')}:{unquote(proxy.password or '')}"
    return "Basic " + base64.b64encode(pair.encode("latin-1")).decode("ascii")


def _body(response: http.client.HTTPResponse, cap: int, url: str) -> Iterator[bytes]:
    """The answer's body as it arrives, inflated when it is compressed, and given up on as
    soon as it passes `cap` bytes (inflated: a small gzip answer can inflate to a gigabyte)."""
    declared = response.getheader("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > cap:
        raise _too_big(url, cap)
    coding = (response.getheader("Content-Encoding") or "").strip().lower()
    # wbits 32 + 15: a gzip or a zlib header, whichever comes (servers send both as deflate).
    inflate = zlib.decompressobj(32 + zlib.MAX_WBITS) if coding in ("gzip", "deflate") else None
    size = received = 0
    while True:
        try:
            raw = response.read(_CHUNK)
        except http.client.IncompleteRead as exc:
            raise _BrokeOff("connection failed") from exc
        except (ConnectionResetError, BrokenPipeError) as exc:
            raise _BrokeOff("connection reset") from exc
        if not raw:
            break
        received += len(raw)
        pending = raw
        while pending:
            if inflate is None:
                data, pending = pending, b""
            else:
                try:
                    data = inflate.decompress(pending, cap + 1 - size)
                except zlib.error as exc:
                    raise _Failed("ContentDecodingError") from exc
                pending = inflate.unconsumed_tail
            size += len(data)
            if size > cap:
                raise _too_big(url, cap)
            yield data
    if declared.isdigit() and received < int(declared):
        raise _BrokeOff("connection failed")  # closed before the length it declared
    if inflate is not None:
        rest = inflate.flush()
        if size + len(rest) > cap:
            raise _too_big(url, cap)
        yield rest


def _check_status(response: http.client.HTTPResponse, cap: int) -> None:
    """Nothing for a 200 answer; else the failure its status means."""
    status = response.status
    if status == 200:
        return
    if status == 400:
        # arXiv refuses the whole batch for one id it does not accept, and names that id.
        head = next(_body(response, cap, ""), b"")
        named = _REFUSED_ID.search(head)
        raise Refused(
            "arXiv refused the request (HTTP 400)",
            named[1].decode("utf-8", "replace") if named else None,
        )
    if status == 414:
        raise TooLong("arXiv refused the request as too long (HTTP 414)")
    retry_after = _retry_after(response.getheader("Retry-After"))
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
    # Loaded with the first answer (or by `on_sent`'s caller while it is awaited).
    from note2bib.arxiv.atom import BrokenFeed, HostileFeed, NotAFeed, UnreadableEntry, read_feed

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
    """A few words on why a connection failed, from the exception and what caused it."""
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
    """Every exception reachable from `exc` (causes, contexts, `reason`s, args)."""
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
