"""What the HTTP under the arXiv client does besides asking (issue 11 replaced requests with
the standard library's http.client): redirects followed, compressed answers read, the proxy
the environment names used, one connection kept for the run, told when a request is out."""

from __future__ import annotations

import gzip
import http.client
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

from note2bib.arxiv.api import ArxivClient
from note2bib.model import ArxivId

from arxiv_standin import ArxivStandin

PAPER = "2304.02643"


class Front:
    """A loopback server in front of the stand-in: redirects, compresses or proxies to it."""

    def __init__(self, standin: ArxivStandin, mode: str) -> None:
        self.standin, self.mode = standin, mode
        self.lines: list[str] = []
        self.connections: set[tuple[str, int]] = set()
        front = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                front.lines.append(self.requestline)
                front.connections.add(self.client_address)
                status, headers, body = front.answer(self.path)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, path: str) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(path)
        target = f"{parts.path}?{parts.query}"
        if self.mode == "redirect" and parts.path.startswith("/old"):
            new = target.replace("/old", "", 1)
            return 301, {"Location": new}, b"moved"
        if self.mode == "redirect-away":
            return 302, {"Location": "ftp://example.org/feed"}, b""
        status, body = self.relay(target)
        if self.mode == "gzip":
            return status, {"Content-Encoding": "gzip"}, gzip.compress(body)
        if self.mode == "deflate":
            return status, {"Content-Encoding": "deflate"}, zlib.compress(body)
        return status, {}, body

    def relay(self, target: str) -> tuple[int, bytes]:
        standin = urlsplit(self.standin.url)
        connection = http.client.HTTPConnection(standin.hostname or "", standin.port)
        try:
            connection.request("GET", standin.path + target[target.index("?") :])
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def front(arxiv_standin: ArxivStandin, request: pytest.FixtureRequest) -> Iterator[Front]:
    made = Front(arxiv_standin, request.param)
    yield made
    made.close()


def fetch_title(url: str, **options: Any) -> str:
    with ArxivClient(url, delay=0, **options) as client:
        fetched = client.fetch([ArxivId(PAPER)])
    assert fetched.missing == {}
    return fetched.papers[PAPER].title


@pytest.mark.parametrize("front", ["redirect"], indirect=True)
def test_a_redirect_is_followed(front: Front) -> None:
    assert fetch_title(f"{front.url}/old/api/query") == "Segment Anything"
    assert [line.split("?")[0] for line in front.lines] == ["GET /old/api/query", "GET /api/query"]


@pytest.mark.parametrize("front", ["redirect-away"], indirect=True)
def test_a_redirect_off_the_web_is_not_followed(front: Front) -> None:
    with ArxivClient(f"{front.url}/api/query", delay=0) as client:
        fetched = client.fetch([ArxivId(PAPER)])
    assert fetched.missing == {PAPER: "arXiv could not be reached (InvalidSchema)"}


@pytest.mark.parametrize("front", ["gzip", "deflate"], indirect=True)
def test_a_compressed_answer_is_read(front: Front) -> None:
    assert fetch_title(f"{front.url}/api/query") == "Segment Anything"


@pytest.mark.parametrize("front", ["plain"], indirect=True)
def test_the_proxy_the_environment_names_is_asked_for_the_whole_url(
    front: Front, arxiv_standin: ArxivStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", front.url)
    monkeypatch.setenv("http_proxy", front.url)
    assert fetch_title(arxiv_standin.url) == "Segment Anything"
    assert len(front.lines) == 1
    assert front.lines[0].startswith(f"GET {arxiv_standin.url}?")


@pytest.mark.parametrize("front", ["plain"], indirect=True)
def test_one_connection_serves_the_run_and_each_request_is_told_once_sent(
    front: Front,
) -> None:
    told: list[int] = []
    with ArxivClient(f"{front.url}/api/query", delay=0, on_sent=lambda: told.append(1)) as client:
        for base in (PAPER, "2302.08091", "2307.05300"):
            assert base in client.fetch([ArxivId(base)]).papers
            assert len(told) == len(front.lines)  # told after the request went out
    assert len(front.lines) == 3
    assert len(front.connections) == 1
