"""The guard itself: a test that reaches for the internet fails instead of passing quietly."""

import socket

import pytest


def test_non_loopback_connect_is_refused() -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(AssertionError, match="reach the network"):
            s.connect(("93.184.216.34", 80))
    finally:
        s.close()


def test_host_lookup_is_refused() -> None:
    with pytest.raises(AssertionError, match="resolve a network host"):
        socket.getaddrinfo("export.arxiv.org", 443)


def test_loopback_is_allowed() -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        client.connect(server.getsockname())
    finally:
        client.close()
        server.close()
