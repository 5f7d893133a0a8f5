"""Where arXiv ids are written in text: every surface form people paste, validated strictly.

A malformed id must never reach arXiv: one bad id in `id_list` makes arXiv answer HTTP 400 for
the whole batch. So an id is only taken when its YYMM and number fit arXiv's scheme for that
month, and an old-style id only when its archive really existed.
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from note2bib.model import ArxivId

__all__ = ["IdMatch", "find_arxiv_ids", "parse_arxiv_id"]


class IdMatch(NamedTuple):
    """One id found in a text; `text[start:end]` is the whole written form (URL, `arXiv:ID`)."""

    id: ArxivId
    start: int
    end: int


# Archives of the old (pre-April 2007) scheme, the retired ones included: papers keep their ids.
# fmt: off
OLD_ARCHIVES = frozenset(
    {
        "hep-th", "hep-ph", "hep-ex", "hep-lat", "astro-ph", "cond-mat", "gr-qc", "math",
        "math-ph", "nlin", "nucl-ex", "nucl-th", "physics", "quant-ph", "cs", "q-bio",
        "acc-phys", "adap-org", "alg-geom", "ao-sci", "atom-ph", "bayes-an", "chao-dyn",
        "chem-ph", "cmp-lg", "comp-gas", "dg-ga", "funct-an", "mtrl-th", "patt-sol",
        "plasm-ph", "q-alg", "solv-int", "supr-con",
    }
)
# fmt: on

# Characters that make a preceding/following run part of another token (a word, a dotted
# number, a path). ASCII only: Korean written right against an id ("2302.08091에서") is prose.
_TOKEN = r"A-Za-z0-9_"

_PATTERN = re.compile(
    rf"""
    (?P<prefix>
        (?P<url>
            (?<![{_TOKEN}.\-])              # "notarxiv.org" is not arXiv
            (?:https?://)?
            (?:
                # browse.arxiv.org served the HTML versions in 2023; format/src/ps are the
                # other per-paper pages a "download" menu links to.
                (?:www\.|export\.|browse\.)?arxiv\.org/(?:abs|pdf|html|format|src|ps)/
              | ar5iv\.labs\.arxiv\.org/(?:abs|html)/
              | ar5iv\.org/(?:abs|html)/
              | (?:www\.)?(?:huggingface|hf)\.co/papers/
              | (?:www\.)?alphaxiv\.org/(?:abs|overview)/
              | (?:dx\.)?doi\.org/10\.48550/arxiv\.
            )
        )
      | (?P<doi> (?<![{_TOKEN}.]) 10\.48550/arxiv\. )
      | (?P<label> (?<![{_TOKEN}]) arxiv: [ \t]* )
    )?
    # A bare id must stand alone: not the tail of a longer number, dotted run or path.
    (?(prefix)|(?<![{_TOKEN}.\-/]))
    (?:
        (?P<new> (?P<new_yymm>\d{{4}}) \. (?P<new_num>\d{{4,5}}) )
      | (?P<old>
            (?P<archive>[a-z]+(?:-[a-z]+)?)
            (?:\.(?P<subject>[a-z]+(?:-[a-z]+)?))?
            / (?P<old_yymm>\d{{4}}) (?P<old_num>\d{{3}})
        )
    )
    (?:v(?P<version>[1-9][0-9]*))?
    (?:\.pdf)?                              # /pdf/ URLs, and the file name arXiv gives
    (?(url)(?P<rest>[/?#][!-~]*)?)
    (?![{_TOKEN}]|[.\-][{_TOKEN}])          # "2302.080912", "2302.08091.5"
    """,
    # ASCII: fullwidth or other Unicode digits, and case folds like KELVIN SIGN for "k",
    # are not arXiv's and would be sent to it malformed.
    re.VERBOSE | re.IGNORECASE | re.ASCII,
)

# A query or fragment is ASCII; what follows it in prose (Korean, closing brackets, a full
# stop) is not part of the URL.
_REST_STOP = re.compile(r"""[<>()\[\]{}"'`\\|^]""")
_REST_TRAILING = ".,;:!?*_~"

# Spans of URLs that are not one of the arXiv forms: a bare id inside one ("?id=2302.08091",
# "/releases/2302.08091") is someone else's number, not a citation. An explicit form (an arXiv
# host, `arXiv:`, a 10.48550 DOI) is still taken there. Scheme-less hosts are not detected:
# "math.GT/0309136" would look like one; a bare id after "/" is refused anyway.
_URL = re.compile(r"""(?:\b[a-z][a-z0-9+.\-]*://|\bwww\.)[^\s<>"'`]+""", re.IGNORECASE | re.ASCII)


def _problem(m: re.Match[str]) -> str | None:
    """Why a syntactically matched id is not a real arXiv id, or None when it is."""
    if m.group("new"):
        yymm, num = m.group("new_yymm"), m.group("new_num")
        month = int(yymm[2:])
        if not 1 <= month <= 12:
            return f"month {yymm[2:]} does not exist"
        if yymm < "0704":
            return "new-style ids begin with 0704 (April 2007)"
        digits = 4 if yymm <= "1412" else 5
        if len(num) != digits:
            return f"ids from {yymm} have {digits} digits after the dot"
    else:
        archive, yymm, num = m.group("archive").lower(), m.group("old_yymm"), m.group("old_num")
        if archive not in OLD_ARCHIVES:
            return f"there is no arXiv archive {archive!r}"
        month = int(yymm[2:])
        if not 1 <= month <= 12:
            return f"month {yymm[2:]} does not exist"
        # Old-style YY runs 91..99 then 00..07; shift so that the comparison is chronological.
        year = int(yymm[:2]) + (1900 if yymm[0] == "9" else 2000)
        if not (1991, 7) <= (year, month) <= (2007, 3):
            return "old-style ids run from 9107 to 0703"
    if int(num) == 0:
        return "arXiv numbers papers from 1"
    return None


def _arxiv_id(m: re.Match[str]) -> ArxivId:
    """The canonical id: arXiv drops an old-style subject class (`math.GT/…` is `math/…`)."""
    version = int(m.group("version")) if m.group("version") else None
    if m.group("new"):
        return ArxivId(m.group("new"), version)
    archive = m.group("archive").lower()
    return ArxivId(f"{archive}/{m.group('old_yymm')}{m.group('old_num')}", version)


def _end(m: re.Match[str]) -> int:
    """Where the written form ends: a URL's query/fragment, minus prose stuck to it."""
    rest = m.group("rest")
    if rest is None:
        return m.end()
    stop = _REST_STOP.search(rest)
    if stop is not None:
        rest = rest[: stop.start()]
    return m.start("rest") + len(rest.rstrip(_REST_TRAILING))


def find_arxiv_ids(text: str) -> list[IdMatch]:
    """Every arXiv id written in `text`, in order of appearance (the same id twice is two).

    >>> [str(m.id) for m in find_arxiv_ids("see arXiv:2302.08091v2 and hep-th/9901001.")]
    ['2302.08091v2', 'hep-th/9901001']
    >>> m = find_arxiv_ids("[SAM](https://arxiv.org/pdf/2304.02643.pdf)")[0]
    >>> (m.id.base, m.start, m.end)
    ('2304.02643', 6, 42)
    >>> find_arxiv_ids("Python 3.11.7, 010-1234-5678, 10.1145/3106237.3106277")
    []
    """
    urls = [u.span() for u in _URL.finditer(text)]
    url_starts = [start for start, _ in urls]
    found: list[IdMatch] = []
    pos = 0
    while (m := _PATTERN.search(text, pos)) is not None:
        if _problem(m) is not None or (m.group("prefix") is None and _inside(urls, url_starts, m)):
            # An invalid form may still hide a valid one further on; step past its start only.
            pos = m.start() + 1
            continue
        found.append(IdMatch(_arxiv_id(m), m.start(), _end(m)))
        pos = m.end()
    return found


def _inside(urls: list[tuple[int, int]], url_starts: list[int], m: re.Match[str]) -> bool:
    """Whether the match lies within one of the (sorted, disjoint) URL spans."""
    i = bisect.bisect_right(url_starts, m.start()) - 1
    return i >= 0 and m.start() < urls[i][1]


def parse_arxiv_id(s: str) -> ArxivId:
    """The arXiv id written on its own in `s` (a bare id, `arXiv:ID`, an arXiv URL or DOI).

    >>> parse_arxiv_id("arXiv:2302.08091v2")
    ArxivId(base='2302.08091', version=2)
    >>> parse_arxiv_id("https://arxiv.org/abs/math.GT/0309136")
    ArxivId(base='math/0309136', version=None)
    >>> parse_arxiv_id("2313.01234")
    Traceback (most recent call last):
    ...
    ValueError: '2313.01234' is not a valid arXiv id: month 13 does not exist.
    """
    written = s.strip()
    m = _PATTERN.fullmatch(written)
    if m is None or _end(m) != len(written):
        raise ValueError(f"{s!r} is not an arXiv id.")
    problem = _problem(m)
    if problem is not None:
        raise ValueError(f"{s!r} is not a valid arXiv id: {problem}.")
    return _arxiv_id(m)
