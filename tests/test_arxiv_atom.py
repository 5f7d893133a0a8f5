"""arxiv.atom: arXiv's Atom answers read into Papers (as arxiv.py 4.0.2's parser read them)."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from note2bib.arxiv.atom import (
    BrokenFeed,
    HostileFeed,
    NotAFeed,
    UnreadableEntry,
    parse_entry_id,
    read_feed,
)
from note2bib.model import ArxivId, Paper
from note2bib.names import parse_name

from arxiv_standin import ENTRY_FOLDERS, FIXTURES, build_feed, load_entries

# Every recorded entry, from every folder (an id recorded twice is read twice).
ENTRY_FILES = sorted(path for folder in ENTRY_FOLDERS for path in (FIXTURES / folder).glob("*.xml"))


def feed(*fragments: str) -> bytes:
    """An answer holding these entry fragments, as arXiv writes one."""
    return build_feed("x", list(fragments), 0, 100, len(fragments))


def first(fragment: str, tag: str) -> str | None:
    """The text of the first `<tag>…</tag>` in the XML text, entities decoded; None if none."""
    found = re.search(rf"<{tag}>(.*?)</{tag}>", fragment, re.DOTALL)
    return None if found is None else html.unescape(found[1])


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def paper_in(fragment: str) -> Paper:
    """The Paper an entry's XML text says, read with plain rules rather than an XML parser.

    The rules are arxiv.py's: whitespace runs in a title become one space; the summary loses
    the spaces around it; the first `arxiv:doi` (its first DOI) counts; categories in order.
    """
    entry_id = first(fragment, "id")
    assert entry_id is not None
    base, version = re.fullmatch(r"http://arxiv\.org/abs/(.+)v(\d+)", entry_id).groups()  # type: ignore[union-attr]
    doi = first(fragment, "arxiv:doi")
    optional = {tag: first(fragment, f"arxiv:{tag}") for tag in ("journal_ref", "comment")}
    authors = tuple(html.unescape(n) for n in re.findall(r"<name>(.*?)</name>", fragment))
    return Paper(
        id=ArxivId(base),
        version=int(version),
        title=re.sub(r"\s+", " ", first(fragment, "title") or ""),
        authors=authors,
        names=tuple(parse_name(a) for a in authors),
        summary=(first(fragment, "summary") or "").strip(),
        published=utc(first(fragment, "published") or ""),
        updated=utc(first(fragment, "updated") or ""),
        primary_category=re.findall(r'<arxiv:primary_category term="([^"]+)"', fragment)[0],
        categories=tuple(re.findall(r'<category term="([^"]+)"', fragment)),
        doi=None if doi is None else doi.split()[0],
        journal_ref=None if optional["journal_ref"] is None else optional["journal_ref"].strip(),
        comment=None if optional["comment"] is None else optional["comment"].strip(),
    )


@pytest.mark.parametrize("path", ENTRY_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_recorded_entry_gives_the_paper_its_xml_says(path: Path) -> None:
    fragment = path.read_text(encoding="utf-8")
    (paper,) = read_feed(feed(fragment))
    assert paper == paper_in(fragment)
    # Equal datetimes may differ in zone; a Paper's are UTC.
    assert paper.published.utcoffset() == paper.updated.utcoffset() == timedelta(0)


def test_a_page_of_every_recorded_entry_keeps_the_feed_order() -> None:
    entries = load_entries()
    papers = read_feed(feed(*entries.values()))
    assert [paper.id.base for paper in papers] == list(entries)


def recorded_answer(pattern: str) -> bytes:
    """A recorded feed body (stored as its UTF-8 bytes decoded as latin-1)."""
    (path,) = (FIXTURES / "seed" / "feeds").glob(pattern)
    body: str = json.loads(path.read_text(encoding="utf-8"))["body"]
    return body.encode("latin-1")


RECORDED_WITHOUT_PAPERS = {
    "no such paper: an empty feed": "id_2307.99999_*.json",
    # Its one entry is arXiv's error notice (no <published>, no abs id): not a paper.
    "HTTP 400: arXiv's error entry": "id_abc_*.json",
}


@pytest.mark.parametrize(
    "pattern", RECORDED_WITHOUT_PAPERS.values(), ids=RECORDED_WITHOUT_PAPERS.keys()
)
def test_recorded_answers_without_papers(pattern: str) -> None:
    assert read_feed(recorded_answer(pattern)) == []


# --- what arXiv could send, edited into a real entry --------------------------------------

REAL = load_entries()["0704.0001"]
TITLE = "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"


def edited(old: str, new: str) -> str:
    assert old in REAL
    return REAL.replace(old, new)


EDITS = {
    "a title wrapped over lines is one line": (
        edited(TITLE, TITLE.replace(" at ", "\n      at ")),
        "title",
        TITLE,
    ),
    "an empty comment is none": (
        edited(
            "<arxiv:comment>37 pages, 15 figures; published version</arxiv:comment>",
            "<arxiv:comment/>",
        ),
        "comment",
        None,
    ),
    "a comment of spaces is none": (
        edited("37 pages, 15 figures; published version", "\n   "),
        "comment",
        None,
    ),
    "a DOI written as a URL is bare": (
        edited("<arxiv:doi>10.", "<arxiv:doi>https://doi.org/10."),
        "doi",
        "10.1103/PhysRevD.76.013009",
    ),
    "a name's entities are decoded": (
        edited("<name>C. Balázs</name>", "<name>C. Bal&#225;zs &amp; co</name>"),
        "authors",
        ("C. Balázs & co", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan"),
    ),
    "an author without a name is kept, unnamed": (
        edited("<name>E. L. Berger</name>", ""),
        "authors",
        ("C. Balázs", "", "P. M. Nadolsky", "C. -P. Yuan"),
    ),
}


@pytest.mark.parametrize(("fragment", "field", "expected"), EDITS.values(), ids=EDITS.keys())
def test_what_an_entry_says_becomes_the_paper(fragment: str, field: str, expected: object) -> None:
    (paper,) = read_feed(feed(fragment))
    assert getattr(paper, field) == expected


def test_a_timestamp_with_an_offset_is_given_in_utc() -> None:
    fragment = edited("<published>2007-04-02T19:18:42Z", "<published>2007-04-02T21:18:42+02:00")
    (paper,) = read_feed(feed(fragment))
    assert paper.published.isoformat() == "2007-04-02T19:18:42+00:00"


LEFT_OUT = {
    "no <published>": edited("<published>2007-04-02T19:18:42Z</published>", ""),
    "an empty <updated>": edited("<updated>2007-07-24T20:10:27Z</updated>", "<updated/>"),
    "no <id>": edited("<id>http://arxiv.org/abs/0704.0001v2</id>", ""),
    "an id that is no abs page": edited("/abs/0704.0001v2</id>", "/abs/0704.0001</id>"),
}


@pytest.mark.parametrize("fragment", LEFT_OUT.values(), ids=LEFT_OUT.keys())
def test_an_entry_that_is_not_a_paper_is_left_out(fragment: str) -> None:
    other = load_entries()["2302.08091"]
    assert [paper.id.base for paper in read_feed(feed(fragment, other))] == ["2302.08091"]


def test_a_date_that_is_not_one_is_reported() -> None:
    fragment = edited("<updated>2007-07-24T20:10:27Z", "<updated>24 July 2007")
    with pytest.raises(UnreadableEntry, match="'24 July 2007'"):
        read_feed(feed(fragment))


# --- answers that give no papers ----------------------------------------------------------

WHOLE = feed(REAL)


@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE feed [<!ENTITY a "b">]>',
        b'<!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        b'<!DOCTYPE feed SYSTEM "http://127.0.0.1:9/evil.dtd">',
    ],
    ids=["inline entity", "external entity", "external DTD"],
)
def test_entity_declarations_are_refused_even_unused(doctype: bytes) -> None:
    declaration, rest = WHOLE.split(b"\n", 1)
    with pytest.raises(HostileFeed):
        read_feed(declaration + b"\n" + doctype + b"\n" + rest)


def test_a_feed_that_breaks_off_gives_no_papers_from_its_whole_entries() -> None:
    two = feed(REAL, load_entries()["2302.08091"])
    with pytest.raises(BrokenFeed, match="no element found"):
        read_feed(two[: two.rindex(b"</entry>") + len(b"</entry>")])


def test_an_xml_page_that_is_not_a_feed_is_refused() -> None:
    with pytest.raises(NotAFeed):
        read_feed(b"<!DOCTYPE html>\n<html><body><entry>busy</entry></body></html>")


# --- entry ids ----------------------------------------------------------------------------

ENTRY_IDS = {
    "new-style": ("http://arxiv.org/abs/2307.05300v4", ArxivId("2307.05300", 4)),
    "five digits": ("http://arxiv.org/abs/2409.05654v12", ArxivId("2409.05654", 12)),
    "old-style": ("http://arxiv.org/abs/hep-th/9901001v2", ArxivId("hep-th/9901001", 2)),
    "subject class": ("https://arxiv.org/abs/math.GT/0309136v1", ArxivId("math.GT/0309136", 1)),
    "arXiv error entry": ("https://arxiv.org/api/errors#incorrect_id_format_for_abc", None),
    "no version": ("http://arxiv.org/abs/2307.05300", None),
}


@pytest.mark.parametrize(("entry_id", "expected"), ENTRY_IDS.values(), ids=ENTRY_IDS.keys())
def test_parse_entry_id(entry_id: str, expected: ArxivId | None) -> None:
    assert parse_entry_id(entry_id) == expected
