"""arXiv's Atom answers, read in one expat pass: refused if they declare entities, checked to be
a whole Atom feed, and their entries turned into `Paper`s.

Entries are read as arxiv.py 4.0.2's parser (`arxiv/_feed.py`, on lxml) read them when
note2bib went through the `arxiv` package, so each Paper is the same: an element's text is
what comes before its first child, comment or processing instruction (None when there is
none), the first of a repeated element counts, and an entry without an id, an `<updated>` or
a `<published>` is left out.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from dataclasses import dataclass, field
from datetime import UTC, datetime

from note2bib.doi import without_doi_prefix
from note2bib.model import ArxivId, Paper
from note2bib.names import parse_name

# expat names a namespaced element "<namespace URI> <local name>".
_ATOM = "http://www.w3.org/2005/Atom "
_ARXIV = "http://arxiv.org/schemas/atom "
_FEED = _ATOM + "feed"
_ENTRY = _ATOM + "entry"
_AUTHOR = _ATOM + "author"
_NAME = _ATOM + "name"
_CATEGORY = _ATOM + "category"
_PRIMARY_CATEGORY = _ARXIV + "primary_category"
_ID, _TITLE, _SUMMARY = _ATOM + "id", _ATOM + "title", _ATOM + "summary"
_UPDATED, _PUBLISHED = _ATOM + "updated", _ATOM + "published"
_DOI, _JOURNAL_REF, _COMMENT = _ARXIV + "doi", _ARXIV + "journal_ref", _ARXIV + "comment"
_TEXTS = frozenset({_ID, _TITLE, _SUMMARY, _UPDATED, _PUBLISHED, _DOI, _JOURNAL_REF, _COMMENT})

# An entry id is `http://arxiv.org/abs/<id>v<N>`; old-style ids keep their slash.
_ENTRY_ID = re.compile(r"/abs/(?P<base>.+?)v(?P<version>\d+)$")
_WHITESPACE = re.compile(r"\s+")


class FeedError(Exception):
    """An answer that gives no papers; `str()` says why in a few words."""


class HostileFeed(FeedError):
    """The answer has a DOCTYPE that declares entities (inline, or in an external DTD)."""


class BrokenFeed(FeedError):
    """The answer breaks off or is not XML; `str()` is expat's reason."""


class NotAFeed(FeedError):
    """The answer is XML but not an Atom feed (an error page)."""


class UnreadableEntry(FeedError):
    """An entry holds a date that is not one."""


def read_feed(body: bytes) -> list[Paper]:
    """The papers of a feed's entries in its order, leaving out entries that are not papers
    (arXiv's error entry, one without an id, an `<updated>` or a `<published>`).

    Raises `HostileFeed`, `BrokenFeed` or `NotAFeed` before anything is taken from the answer,
    `UnreadableEntry` for a date that cannot be read.
    """
    reader = _Reader()
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True  # one call for an element's text, however expat splits it
    parser.StartDoctypeDeclHandler = _refuse_entities
    parser.EntityDeclHandler = _refuse_entity
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
    parser.StartCdataSectionHandler = reader.cdata
    parser.CommentHandler = reader.stop_text
    parser.ProcessingInstructionHandler = reader.stop_text
    try:
        parser.Parse(body, True)
    except xml.parsers.expat.ExpatError as err:
        raise BrokenFeed(str(err)) from None
    if reader.root != _FEED:
        raise NotAFeed("not an Atom feed")
    papers = []
    for entry in reader.entries:
        paper = entry.paper()
        if paper is not None:
            papers.append(paper)
    return papers


def parse_entry_id(entry_id: str) -> ArxivId | None:
    """`http://arxiv.org/abs/hep-th/9901001v2` → ArxivId('hep-th/9901001', 2); None if not one."""
    match = _ENTRY_ID.search(entry_id)
    if match is None:
        return None
    return ArxivId(match["base"], int(match["version"]))


def _refuse_entities(
    name: str, system_id: str | None, public_id: str | None, has_internal_subset: int
) -> None:
    # Entities come from an internal subset or an external DTD; a bare <!DOCTYPE html>
    # (an error page) declares none and is turned away as not being a feed.
    if has_internal_subset or system_id:
        raise HostileFeed("a DOCTYPE that declares entities")


def _refuse_entity(*_: object) -> None:
    raise HostileFeed("an entity declaration")


@dataclass
class _Entry:
    """What one `<entry>` says, as read: element texts (None: empty), before any checking."""

    texts: dict[str, str | None] = field(default_factory=dict)
    """Tag → the text of its first occurrence."""
    authors: list[str | None] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    primary_category: str | None = None
    has_primary: bool = False

    def paper(self) -> Paper | None:
        """This entry as a Paper; None when it is not an arXiv paper."""
        entry_id = self.texts.get(_ID)
        if not entry_id:
            return None
        updated = _timestamp(self.texts.get(_UPDATED))
        published = _timestamp(self.texts.get(_PUBLISHED))
        arxiv_id = parse_entry_id(entry_id)
        if updated is None or published is None or arxiv_id is None or arxiv_id.version is None:
            return None
        authors = tuple(name or "" for name in self.authors)
        return Paper(
            id=arxiv_id.versionless,
            version=arxiv_id.version,
            # A title arXiv wraps over lines is one line.
            title=_WHITESPACE.sub(" ", self.texts.get(_TITLE) or ""),
            authors=authors,
            names=tuple(parse_name(a) for a in authors),
            # Old records carry leading spaces and a trailing newline from arXiv's abs files.
            summary=(self.texts.get(_SUMMARY) or "").strip(),
            published=published,
            updated=updated,
            primary_category=self.primary_category or "",
            categories=tuple(self.categories),
            doi=_doi(self.texts.get(_DOI)),
            journal_ref=_text_or_none(self.texts.get(_JOURNAL_REF)),
            comment=_text_or_none(self.texts.get(_COMMENT)),
        )


class _Reader:
    """expat's handlers: the feed's root element and what each `<entry>` under it says."""

    def __init__(self) -> None:
        self.root: str | None = None
        self.entries: list[_Entry] = []
        self._depth = 0
        self._entry: _Entry | None = None
        self._author_named = True
        """False inside an entry's `<author>` until its first `<name>`."""
        self._parts: list[str] | None = None
        """The text being read (of the innermost element, up to its first child), if wanted."""
        self._into = ""
        """Where that text goes: a tag of `_TEXTS`, or `_NAME` for the last author."""

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.stop_text()
        self._depth += 1
        entry = self._entry
        if self._depth == 1:
            self.root = name
        elif self._depth == 2:
            if name == _ENTRY and self.root == _FEED:
                self._entry = _Entry()
        elif entry is None:
            return
        elif self._depth == 3:
            self._author_named = True
            if name in _TEXTS and name not in entry.texts:
                entry.texts[name] = None
                self._read_text(name)
            elif name == _AUTHOR:
                entry.authors.append(None)
                self._author_named = False
            elif name == _CATEGORY:
                if (term := attributes.get("term")) is not None:
                    entry.categories.append(term)
            elif name == _PRIMARY_CATEGORY and not entry.has_primary:
                entry.has_primary = True
                entry.primary_category = attributes.get("term")
        elif self._depth == 4 and name == _NAME and not self._author_named:
            self._author_named = True
            self._read_text(_NAME)

    def end(self, name: str) -> None:
        self.stop_text()
        if self._depth == 2 and self._entry is not None:
            self.entries.append(self._entry)
            self._entry = None
        self._depth -= 1

    def text(self, data: str) -> None:
        if self._parts is not None:
            self._parts.append(data)

    def cdata(self) -> None:
        # lxml gives an element holding only an empty CDATA section the text "", not None.
        self.text("")

    def stop_text(self, *_: object) -> None:
        """The text being read ends here (a child, a comment, a processing instruction, the end)."""
        if self._parts is None or self._entry is None:
            return
        text = "".join(self._parts) if self._parts else None
        self._parts = None
        if self._into == _NAME:
            self._entry.authors[-1] = text
        else:
            self._entry.texts[self._into] = text

    def _read_text(self, into: str) -> None:
        self._parts = []
        self._into = into


def _timestamp(text: str | None) -> datetime | None:
    """An Atom timestamp (`2016-05-26T17:59:46Z`) as an aware UTC datetime; None if absent."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UnreadableEntry(f"a date that is not one: {text.strip()[:40]!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _text_or_none(value: str | None) -> str | None:
    """arXiv's optional fields, with an empty element treated as absent."""
    if value is None or not value.strip():
        return None
    return value.strip()


def _doi(value: str | None) -> str | None:
    """The first publisher DOI arXiv lists, as a bare `10.…` string."""
    text = _text_or_none(value)
    if text is None:
        return None
    # A few records list several DOIs in one element; a Paper holds one.
    first = text.split()[0]
    return without_doi_prefix(first) or None
