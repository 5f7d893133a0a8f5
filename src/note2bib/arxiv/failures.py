"""How a request to arXiv fails, as `arxiv.http` tells `arxiv.api`, and the limits of one
request (its tries, the size of its answer).

Apart from `http` so that `api` can name them without loading the HTTP code, which loads
with the first request a run sends: a run the cache answers sends none.
"""

from __future__ import annotations

from collections.abc import Callable

TRIES = 4
"""Tries per request when arXiv is overloaded, unreachable or sends a broken answer."""
MAX_BODY = 32 * 1024 * 1024
"""The largest answer read. A page of 100 entries as large as the 2,833-author 1411.4413
(165 kB) is 16.5 MB, which `arxiv.atom` reads in one pass (no tree) into about 30 MB of
papers, so 32 MiB leaves room twice over while a hostile feed stays well under 1 GB."""

Notice = Callable[[str], None]
"""Told, as it happens, what the user waits for (a `Retry-After`, a backoff before a retry)."""


class BatchFailed(Exception):
    """A batch got no usable answer; `str()` is the reason given for each of its ids."""


class Transient(BatchFailed):
    """A failure that may pass (overload, no connection, a broken answer): worth a retry."""

    def __init__(self, reason: str, retry_after: float | None = None, status: int = 0) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        """Seconds the answer's `Retry-After` asked for, if it gave one."""
        self.status = status


class GaveUp(BatchFailed):
    """Every try of a request failed transiently: asking again now would fail too."""


class Refused(BatchFailed):
    """HTTP 400: arXiv refused an id of the batch (the one it names, when it names one)."""

    def __init__(self, reason: str, named: str | None) -> None:
        super().__init__(reason)
        self.named = named


class TooLong(BatchFailed):
    """HTTP 414: the request's URL (the id list) is longer than the server takes."""
