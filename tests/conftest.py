"""Shared test setup: no test may reach beyond the loopback interface."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from arxiv_standin import ArxivStandin

settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by mark
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every TeX compile is slow: a `tex` test is left out of the quick loop without a 2nd mark."""
    for item in items:
        if item.get_closest_marker("tex") is not None:
            item.add_marker(pytest.mark.slow)


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _is_loopback(address: Any) -> bool:
    if isinstance(address, str | bytes):  # AF_UNIX path
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if not _is_loopback(address):
        raise AssertionError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    if not _is_loopback(address):
        raise AssertionError(f"test tried to reach the network: {address!r}")
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else host
    if name not in (None, "localhost") and not _is_loopback((name, 0)):
        raise AssertionError(f"test tried to resolve a network host: {name!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any test that opens a non-loopback connection (or even looks up a host)."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)
    yield


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep every test away from the user's real cache and from a real arXiv address."""
    monkeypatch.setenv("NOTE2BIB_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("NOTE2BIB_ARXIV_API", "http://127.0.0.1:9/api/query")
    monkeypatch.setenv("NOTE2BIB_ARXIV_DELAY", "0")


@pytest.fixture
def arxiv_standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[ArxivStandin]:
    """A loopback arXiv answering from the recorded fixtures; `NOTE2BIB_ARXIV_API` points at it."""
    with ArxivStandin() as server:
        monkeypatch.setenv("NOTE2BIB_ARXIV_API", server.url)
        yield server
