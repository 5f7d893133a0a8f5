"""A loopback stand-in for the arXiv API that answers from the recorded `<entry>` fixtures.

The feeds it builds copy the real API byte for byte (see tests/fixtures/arxiv/seed/README.md,
"How the XML copies the real API"): the same declaration, namespaces on `<feed>`, feed id,
title and link, opensearch header, and the recorded entry fragments spliced in request order.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import re
import socket
import struct
import sys
import threading
import time
import unicodedata
import zlib
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

FIXTURES = Path(__file__).parent / "fixtures" / "arxiv"
# When an id is recorded in several folders the first one here wins.
ENTRY_FOLDERS = ("seed", "more", "recorded")
API_PATH = "/api/query"
# The feed-level <updated> is when the API answered, not paper metadata; fixed for byte equality.
FEED_UPDATED = "2026-11-28T13:00:00Z"

# What arXiv accepts as an id in `id_list`; anything else makes it answer 400 for the whole list.
_WELL_FORMED = re.compile(r"(\d{4}\.\d{4,5}|[a-z]+(-[a-z]+)*(\.[A-Z]{2})?/\d{7})(v\d+)?")
_VERSION = re.compile(r"v\d+$")

_FEED_HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"'
    ' xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
    "  <id>https://arxiv.org/api/{feed_id}</id>\n"
    "  <title>arXiv Query: search_query={search}&amp;id_list={ids}"
    "&amp;start={start}&amp;max_results={max_results}</title>\n"
    "  <updated>{updated}</updated>\n"
    '  <link href="https://arxiv.org/api/query?search_query={search_attr}&amp;start={start}'
    '&amp;max_results={max_results}&amp;id_list={ids}" type="application/atom+xml"/>\n'
    "  <opensearch:itemsPerPage>{max_results}</opensearch:itemsPerPage>\n"
    "  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
    "  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
)
_FEED_TAIL = "</feed>\n"


@cache
def load_entries() -> Mapping[str, str]:
    """Every recorded entry fragment, keyed by versionless id (seed over more over recorded)."""
    entries: dict[str, str] = {}
    for folder in reversed(ENTRY_FOLDERS):
        for path in sorted((FIXTURES / folder).glob("*.xml")):
            entries[path.stem.replace("_", "/", 1)] = path.read_text(encoding="utf-8")
    return entries


@cache
def recorded_400_body() -> str:
    """The real HTTP 400 answer arXiv gave for `id_list=abc` (latin-1-decoded, as recorded)."""
    (path,) = (FIXTURES / "seed" / "feeds").glob("id_abc_*.json")
    recording = json.loads(path.read_text(encoding="utf-8"))
    body: str = recording["body"]
    return body


def is_well_formed(arxiv_id: str) -> bool:
    """True when arXiv would accept this id in `id_list` (whether or not the paper exists)."""
    return _WELL_FORMED.fullmatch(arxiv_id) is not None


def feed_id(query: str) -> str:
    """arXiv's feed `<id>` suffix: unpadded base64 of the SHA-1 of the canonical query."""
    digest = hashlib.sha1(query.encode("utf-8")).digest()
    return base64.b64encode(digest).decode("ascii").rstrip("=")


def build_feed(
    id_list: str, fragments: list[str], start: int, max_results: int, total: int
) -> bytes:
    """An Atom feed exactly as arXiv writes one for an `id_list` query."""
    canonical = f"search_query=&id_list={id_list}&start={start}&max_results={max_results}"
    head = _FEED_HEAD.format(
        feed_id=feed_id(canonical),
        search="",
        search_attr="",
        ids=escape(id_list),
        start=start,
        max_results=max_results,
        updated=FEED_UPDATED,
        total=total,
    )
    return (head + "".join(fragments) + _FEED_TAIL).encode("utf-8")


def error_400_body(bad_id: str) -> bytes:
    """The recorded 400 body, naming the offending id the way arXiv does."""
    # The recording is arXiv's UTF-8 bytes decoded as latin-1: encode back to get the bytes.
    body = recorded_400_body().encode("latin-1")
    named = escape(bad_id).encode("utf-8")
    body = body.replace(b"incorrect_id_format_for_abc", b"incorrect_id_format_for_" + named)
    return body.replace(b"incorrect id format for abc", b"incorrect id format for " + named)


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the stand-in saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    """`parse_qs` of the query string, blank values kept."""
    headers: dict[str, str]
    """Header names lower-cased."""
    time: float
    """`time.monotonic()` when the request line was read."""
    client: tuple[str, int]
    """The client's address: one port for every request on one connection."""

    @property
    def user_agent(self) -> str:
        return self.headers.get("user-agent", "")

    @property
    def id_list(self) -> list[str]:
        raw = self.query.get("id_list", [""])[0]
        return [part for part in raw.split(",") if part]


@dataclass(frozen=True)
class Failure:
    """A canned failure for one request.

    `kind` "status" answers `status` with `body`; the others answer the real feed for the
    request, spoiled: "stall" waits `seconds` first, "reset" sends half of it and resets the
    connection, "truncate" sends its first half as a complete answer, "empty" leaves out every
    entry (as arXiv sometimes does for ids it has), "omit" leaves out the entries of `ids`,
    "doctype" puts `body` (a DOCTYPE) after the XML declaration, "huge" sends `size` bytes of
    feed made of copies of the largest recorded entry, generated as they are sent; "pass"
    answers normally (to let some requests through before the failures queued after it).
    """

    status: int
    retry_after: str | None = None
    body: bytes = b""
    kind: str = "status"
    seconds: float = 0.0
    ids: frozenset[str] = frozenset()
    size: int = 0
    declare_length: bool = True
    """For "huge": send a Content-Length (else the body ends when the connection closes)."""
    gzip: bool = False
    """For "huge": send it gzip-compressed (a small download that inflates to `size`)."""


@dataclass
class _Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    stream: Iterator[bytes] | None = None
    """Sent after `body`, chunk by chunk, until a write fails (the client hung up)."""
    length: int | None = None
    """Content-Length when `stream` is set (None: close-delimited)."""
    reset_after: int | None = None
    """Send only this many bytes of `body`, then reset the connection."""


class ArxivStandin:
    """arXiv's `/api/query` on 127.0.0.1, from fixtures; logs requests and fails on demand."""

    def __init__(self, entries: Mapping[str, str] | None = None) -> None:
        self.entries = dict(load_entries() if entries is None else entries)
        self.requests: list[LoggedRequest] = []
        self.delay = 0.0
        """Seconds to wait before answering each request (a slow arXiv)."""
        self.refused_ids: set[str] = set()
        """Ids arXiv answers HTTP 400 for (its recorded error feed naming the id), as it does
        for an id whose form it does not accept."""
        self.max_url_length: int | None = None
        """Answer HTTP 414 to a request whose target is longer than this."""
        self.connections = 0
        """TCP connections accepted (a client that never connects leaves it at 0)."""
        self.bytes_sent = 0
        """Body bytes written for "huge" answers (how far a client read before hanging up)."""
        self._failures: deque[Failure] = deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The API base to configure a client with (`http://127.0.0.1:PORT/api/query`)."""
        if self._server is None:
            raise RuntimeError("the stand-in is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{API_PATH}"

    def start(self) -> ArxivStandin:
        """Listen on a free loopback port and serve from a daemon thread."""
        server = _CountingServer(("127.0.0.1", 0), _Handler)
        server.standin = self  # type: ignore[attr-defined]
        self._server = server
        # A short poll interval makes `stop()` (which waits for the next poll) near instant.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> ArxivStandin:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def fail_next(
        self, count: int = 1, status: int = 503, retry_after: int | str | None = None
    ) -> None:
        """Answer the next `count` requests with `status` (and `Retry-After` when given)."""
        after = None if retry_after is None else str(retry_after)
        body = f"HTTP {status} from the arXiv stand-in\n".encode("ascii")
        with self._lock:
            self._failures.extend(Failure(status, after, body) for _ in range(count))

    def fault_next(self, kind: str, count: int = 1, **details: object) -> None:
        """Spoil the next `count` answers the way `Failure.kind` says (see `Failure`)."""
        failure = Failure(200, kind=kind, **details)  # type: ignore[arg-type]
        with self._lock:
            self._failures.extend(failure for _ in range(count))

    def log(self, request: LoggedRequest) -> None:
        """Record a request (called from handler threads)."""
        with self._lock:
            self.requests.append(request)

    def next_failure(self) -> Failure | None:
        """The canned failure for this request, if one is queued."""
        with self._lock:
            return self._failures.popleft() if self._failures else None

    def answer(self, path: str, query: dict[str, list[str]]) -> _Answer:
        """What arXiv would answer to this GET."""
        if path != API_PATH:
            return _Answer(404, b"Not Found\n")
        failure = self.next_failure()
        if failure is not None and failure.kind == "status":
            headers = {} if failure.retry_after is None else {"Retry-After": failure.retry_after}
            return _Answer(failure.status, failure.body, headers)
        if failure is not None and failure.kind == "stall":
            time.sleep(failure.seconds)
        search = query.get("search_query", [""])[0]
        id_list = query.get("id_list", [""])[0]
        start, max_results = _int(query, "start", 0), _int(query, "max_results", 10)
        if failure is not None and failure.kind in ("empty", "omit"):
            # The same ids asked, some (or all) entries left out of an otherwise normal feed.
            leave_out = failure.ids if failure.kind == "omit" else None
            return self.answer_id_list(id_list, start, max_results, leave_out)
        if search:
            answer = self.answer_search(search, id_list, query)
        else:
            answer = self.answer_id_list(id_list, start, max_results)
        if failure is not None and answer.status == 200:
            return _spoil(answer, failure)
        return answer

    def answer_id_list(
        self,
        id_list: str,
        start: int,
        max_results: int,
        leave_out: frozenset[str] | None = frozenset(),
    ) -> _Answer:
        """Known ids → their entries in request order; unknown ones are simply absent.

        `leave_out` drops those ids' entries as if arXiv had none (None: drop every entry).
        """
        ids = [part for part in id_list.split(",") if part]
        for arxiv_id in ids:
            if not is_well_formed(arxiv_id) or arxiv_id in self.refused_ids:
                return _Answer(400, error_400_body(arxiv_id), _ATOM)
        # A versioned request gets the stored (latest) entry for its base; good enough here.
        bases = [_VERSION.sub("", i) for i in ids]
        found = [
            self.entries[b]
            for b in bases
            if b in self.entries and leave_out is not None and b not in leave_out
        ]
        page = found[start : start + max_results]
        body = build_feed(id_list, page, start, max_results, total=len(found))
        return _Answer(200, body, _ATOM)

    def answer_search(self, search: str, id_list: str, query: dict[str, list[str]]) -> _Answer:
        """`search_query` over the recorded entries, ranked by word overlap like a plain engine.

        The query grammar is arXiv's: `ti:`, `au:`, `abs:`, `all:`, `cat:` terms, quoted
        phrases, AND / OR / ANDNOT and parentheses. An entry matches as the boolean expression
        says; its relevance is how often the query's words occur in the fields searched
        (small words included, as a naive engine counts them), ties newest first. So the
        paper a title names is usually, not always, the first answer.

        Quoted title phrases joined by OR (`ti:"segment anything" OR ti:"…"`), as note2bib
        asks for several titles at once, are answered as arXiv answers them since December
        2025, when its API became arxiv-search's classic API (github.com/arXiv/arxiv-search,
        pull request #363, "keep quotes until es query is built"; before it a quoted phrase
        was its words ANDed): each phrase matches the titles that hold its words in order,
        English stop words in it being gaps any word fills (`_title_phrase`), and an entry
        matches when any phrase does. Where the stand-in differs: it does not stem (arXiv also
        searches an English-stemmed copy of the title, where `models` finds `model`), it
        folds accents (arXiv does not), and it ranks by counting where arXiv uses BM25 (short
        titles holding the phrase first), so which entries a full page keeps may differ.
        """
        start, max_results = _int(query, "start", 0), _int(query, "max_results", 10)
        try:
            expression = parse_search_query(search)
        except ValueError as err:
            return _Answer(400, f"arXiv stand-in: malformed search_query ({err})\n".encode())
        ranked = rank_entries(self.entries, expression)
        page = [self.entries[base] for base in ranked[start : start + max_results]]
        body = build_search_feed(search, page, start, max_results, total=len(ranked))
        return _Answer(200, body, _ATOM)


_ATOM = {"Content-Type": "application/atom+xml; charset=utf-8"}
# The biggest recorded entry (1411.4413, 2,833 authors, 165 kB): what a huge page is made of.
_BIG_ENTRY = "1411.4413"


def _spoil(answer: _Answer, failure: Failure) -> _Answer:
    """A good 200 answer, spoiled as `failure.kind` says."""
    half = len(answer.body) // 2
    if failure.kind == "reset":
        return _Answer(200, answer.body, answer.headers, reset_after=half)
    if failure.kind == "truncate":
        return _Answer(200, answer.body[:half], answer.headers)
    if failure.kind == "doctype":
        declaration, rest = answer.body.split(b"\n", 1)
        return _Answer(200, declaration + b"\n" + failure.body + b"\n" + rest, answer.headers)
    if failure.kind == "huge" and failure.gzip:
        headers = {**answer.headers, "Content-Encoding": "gzip"}
        return _Answer(200, b"", headers, stream=_gzipped(_huge_feed(failure.size)))
    if failure.kind == "huge":
        length = failure.size if failure.declare_length else None
        return _Answer(200, b"", answer.headers, stream=_huge_feed(failure.size), length=length)
    return answer


def _gzipped(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """`chunks` as one gzip stream, compressed as they are sent."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip header and trailer
    for chunk in chunks:
        packed = compressor.compress(chunk)
        if packed:
            yield packed
    yield compressor.flush()


def _huge_feed(size: int) -> Iterator[bytes]:
    """`size` bytes of an Atom feed: the real head, then the big entry again and again."""
    head = build_feed(_BIG_ENTRY, [], 0, 100, total=100).removesuffix(_FEED_TAIL.encode())
    entry = load_entries()[_BIG_ENTRY].encode("utf-8")
    chunk = entry * max(1, (1 << 20) // len(entry))
    sent = 0
    for whole in itertools.chain([head], itertools.repeat(chunk)):
        piece = whole[: size - sent]
        if not piece:
            return
        sent += len(piece)
        yield piece


# arXiv's own 414 page is not recorded; this is the shape of the Apache page its front ends give.
_URI_TOO_LONG = (
    b'<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n'
    b"<title>414 Request-URI Too Long</title>\n</head><body>\n<h1>Request-URI Too Long</h1>\n"
    b"<p>The requested URL's length exceeds the capacity\nlimit for this server.<br />\n</p>\n"
    b"</body></html>\n"
)


def _int(query: dict[str, list[str]], name: str, default: int) -> int:
    try:
        return int(query.get(name, [str(default)])[0])
    except ValueError:
        return default


class _CountingServer(ThreadingHTTPServer):
    """Counts accepted connections on the stand-in."""

    def verify_request(self, request: object, client_address: object) -> bool:
        standin: ArxivStandin = self.standin  # type: ignore[attr-defined]
        with standin._lock:
            standin.connections += 1
        return True

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that gives up (a timeout, a huge or broken answer) resets the connection:
        # expected, and a traceback printed from this thread would land in whatever test's
        # captured stderr is current.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    """Turns HTTP into `ArxivStandin.answer` calls."""

    # HTTP/1.1 keeps the connection open, so a test can see whether a client reuses one.
    protocol_version = "HTTP/1.1"
    # An idle kept-alive connection must not hold its thread forever.
    timeout = 10
    # Headers and body go out as two writes: without TCP_NODELAY each answer waits for the
    # client's delayed ACK (~40 ms), which hundreds of searches in one test would add up.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        """Log the request, wait if told to be slow, then answer."""
        standin: ArxivStandin = self.server.standin  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        standin.log(
            LoggedRequest(
                method="GET",
                path=parts.path,
                query=query,
                headers={k.lower(): v for k, v in self.headers.items()},
                time=time.monotonic(),
                client=(str(self.client_address[0]), int(self.client_address[1])),
            )
        )
        if standin.delay > 0:
            time.sleep(standin.delay)
        if standin.max_url_length is not None and len(self.path) > standin.max_url_length:
            answer = _Answer(414, _URI_TOO_LONG)
        else:
            answer = standin.answer(parts.path, query)
        try:
            self._send(standin, answer)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up waiting, as a timed-out one does

    def _send(self, standin: ArxivStandin, answer: _Answer) -> None:
        """Write `answer`: whole, streamed, or cut off by a reset."""
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if answer.stream is not None:
            self._send_stream(standin, answer)
            return
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if answer.reset_after is None:
            self.wfile.write(answer.body)
            return
        self.wfile.write(answer.body[: answer.reset_after])
        # SO_LINGER with a zero timeout makes close() send RST: a connection reset mid-body.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.rfile.close()
        self.connection.close()

    def _send_stream(self, standin: ArxivStandin, answer: _Answer) -> None:
        """Send a generated body until it ends or the client hangs up; then close."""
        if answer.length is not None:
            self.send_header("Content-Length", str(answer.length))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        assert answer.stream is not None
        try:
            for chunk in answer.stream:
                self.wfile.write(chunk)
                standin.bytes_sent += len(chunk)
        except OSError:
            pass  # the client stopped reading: that is what a capped client does

    def log_message(self, format: str, *args: object) -> None:
        """Keep pytest output clean: `ArxivStandin.requests` is the log."""


# --- search_query: a small boolean engine over the recorded entries -----------------------

_FIELDS = ("ti", "au", "abs", "all", "cat", "co", "jr")
# Lucene's English stop words (`EnglishAnalyzer.ENGLISH_STOP_WORDS_SET`, Elasticsearch's
# `_english_`), which arXiv's `simple` analyzer drops from a quoted title phrase.
_ENGLISH_STOP_WORDS = """a an and are as at be but by for if in into is it no not of on or
such that the their then there these they this to was will with"""
_ENGLISH_STOP = frozenset(_ENGLISH_STOP_WORDS.split())
_QUERY_TOKEN = re.compile(r'\s*(\(|\)|ANDNOT\b|AND\b|OR\b|[a-z]+:"[^"]*"|[a-z]+:[^\s()"]+)')


@dataclass(frozen=True)
class Term:
    """One `field:word` or `field:"a phrase"`; `words` as the tokenizer splits them."""

    field: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Operation:
    """`left OP right` with OP one of AND, OR, ANDNOT."""

    op: str
    left: Term | Operation
    right: Term | Operation


def tokenize(text: str) -> list[str]:
    """Lower-case words, accents folded: how the engine indexes and queries text."""
    folded = unicodedata.normalize("NFKD", html.unescape(text))
    folded = "".join(c for c in folded if unicodedata.category(c) != "Mn").casefold()
    return re.findall(r"[^\W_]+", folded)


def parse_search_query(search: str) -> Term | Operation:
    """arXiv's search grammar, left-associative like its Lucene parser (ValueError if malformed)."""
    tokens: list[str] = []
    pos = 0
    text = search.strip()
    while pos < len(text):
        match = _QUERY_TOKEN.match(text, pos)
        if match is None:
            raise ValueError(f"cannot read {text[pos:]!r}")
        tokens.append(match.group(1))
        pos = match.end()
    expression, rest = _parse_expression(tokens)
    if rest:
        raise ValueError(f"unexpected {rest[0]!r}")
    return expression


def _parse_expression(tokens: list[str]) -> tuple[Term | Operation, list[str]]:
    left, tokens = _parse_operand(tokens)
    while tokens and tokens[0] != ")":
        # A term straight after another is OR, as Lucene's default operator.
        op = tokens[0] if tokens[0] in ("AND", "OR", "ANDNOT") else "OR"
        if op == tokens[0]:
            tokens = tokens[1:]
        right, tokens = _parse_operand(tokens)
        left = Operation(op, left, right)
    return left, tokens


def _parse_operand(tokens: list[str]) -> tuple[Term | Operation, list[str]]:
    if not tokens:
        raise ValueError("the query ends too early")
    head, rest = tokens[0], tokens[1:]
    if head == "(":
        inner, rest = _parse_expression(rest)
        if not rest or rest[0] != ")":
            raise ValueError("unbalanced parenthesis")
        return inner, rest[1:]
    if head in ("AND", "OR", "ANDNOT", ")"):
        raise ValueError(f"unexpected {head!r}")
    field_name, _, value = head.partition(":")
    if field_name not in _FIELDS:
        raise ValueError(f"unknown field {field_name!r}")
    return Term(field_name, tuple(tokenize(value.strip('"').replace("_", " ")))), rest


@dataclass(frozen=True)
class _Indexed:
    fields: dict[str, list[str]]
    published: str


@cache
def _index(fragment: str) -> _Indexed:
    def texts(tag: str) -> list[str]:
        return re.findall(rf"<{tag}>(.*?)</{tag}>", fragment, re.S)

    title = tokenize(" ".join(texts("title")))
    authors = tokenize(" ".join(texts("name")))
    summary = tokenize(" ".join(texts("summary")))
    comment = tokenize(" ".join(texts("arxiv:comment")))
    journal = tokenize(" ".join(texts("arxiv:journal_ref")))
    cats = [c.lower() for c in re.findall(r'<category term="([^"]+)"', fragment)]
    fields = {
        "ti": title,
        "au": authors,
        "abs": summary,
        "co": comment,
        "jr": journal,
        "cat": cats,
        "all": title + authors + summary + comment + journal,
    }
    return _Indexed(fields, "".join(texts("published")))


def _occurrences(term: Term, entry: _Indexed) -> int:
    """How often the term's words (as a phrase when several) occur in its field."""
    if not term.words:
        return 0
    if term.field == "cat":
        wanted = ".".join(term.words)
        return sum(c == wanted or c.startswith(wanted + ".") for c in entry.fields["cat"])
    words = entry.fields[term.field]
    pattern = _title_phrase(term.words) if term.field == "ti" else term.words
    n = len(pattern)
    if n == 0:
        return 0
    return sum(
        all(
            want is None or want == word
            for want, word in zip(pattern, words[i : i + n], strict=True)
        )
        for i in range(len(words) - n + 1)
    )


def _title_phrase(words: tuple[str, ...]) -> tuple[str | None, ...]:
    """A quoted title phrase as arXiv matches it: English stop words are gaps any word fills.

    arXiv's title field is searched with the `simple` analyzer for quoted text (its
    `search_quote_analyzer`: standard tokenizer, lower case, Lucene's English stop words), so
    `ti:"attention is all you need"` asks for attention, any word, all, you, need. A gap at
    either end asks for nothing. (arxiv-search: mappings/DocumentMapping.json, `title`.)
    """
    if len(words) < 2:
        return words
    pattern = [None if word in _ENGLISH_STOP else word for word in words]
    while pattern and pattern[0] is None:
        pattern.pop(0)
    while pattern and pattern[-1] is None:
        pattern.pop()
    return tuple(pattern)


def _matches(expression: Term | Operation, entry: _Indexed) -> bool:
    if isinstance(expression, Term):
        return _occurrences(expression, entry) > 0
    left, right = _matches(expression.left, entry), _matches(expression.right, entry)
    if expression.op == "AND":
        return left and right
    if expression.op == "ANDNOT":
        return left and not right
    return left or right


def _relevance(expression: Term | Operation, entry: _Indexed) -> int:
    if isinstance(expression, Term):
        return _occurrences(expression, entry)
    left = _relevance(expression.left, entry)
    return left if expression.op == "ANDNOT" else left + _relevance(expression.right, entry)


def rank_entries(entries: Mapping[str, str], expression: Term | Operation) -> list[str]:
    """Versionless ids of the matching entries, most relevant first, ties newest first."""
    indexed = {base: _index(fragment) for base, fragment in entries.items()}
    hits = [base for base, entry in indexed.items() if _matches(expression, entry)]
    hits.sort(key=lambda b: indexed[b].published, reverse=True)
    hits.sort(key=lambda b: _relevance(expression, indexed[b]), reverse=True)
    return hits


def build_search_feed(
    search: str, fragments: list[str], start: int, max_results: int, total: int
) -> bytes:
    """An Atom feed as arXiv writes one for a `search_query`."""
    canonical = f"search_query={search}&id_list=&start={start}&max_results={max_results}"
    head = _FEED_HEAD.format(
        feed_id=feed_id(canonical),
        search=escape(search),
        # In the link's attribute a quote must be escaped too, or the feed is not XML.
        search_attr=escape(search, {'"': "&quot;"}),
        ids="",
        start=start,
        max_results=max_results,
        updated=FEED_UPDATED,
        total=total,
    )
    return (head + "".join(fragments) + _FEED_TAIL).encode("utf-8")
