"""The values that flow through the pipeline: frozen, comparable, free of I/O.

Those copied with a change (`dataclasses.replace`: a unit, a paper, a record, a library
entry) are frozen dataclasses; the others are named tuples: a frozen dataclass costs about
0.8 ms of start-up (Python 3.11 compiles its generated methods), a named tuple 0.1 ms, and two
of them compare, hash and print the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, NamedTuple

ARXIV_ABS = "https://arxiv.org/abs/"
ARXIV_DOI = "10.48550/arXiv."
"""arXiv's own DOIs are this prefix and the versionless id."""


class ArxivId(NamedTuple):
    """An arXiv identifier: `base` is versionless (`2302.08091`, `hep-th/9901001`)."""

    base: str
    version: int | None = None

    def __str__(self) -> str:
        return self.base if self.version is None else f"{self.base}v{self.version}"

    @property
    def versionless(self) -> ArxivId:
        return ArxivId(self.base) if self.version is not None else self

    @property
    def abs_url(self) -> str:
        return ARXIV_ABS + str(self)

    @property
    def doi(self) -> str:
        """arXiv's DOI for the paper (every version): `10.48550/arXiv.2302.08091`."""
        return ARXIV_DOI + self.base

    @property
    def submitted(self) -> tuple[int, int]:
        """Year and month of version 1, as the id's YYMM says (`2307.…` → (2023, 7))."""
        digits = self.base.rsplit("/", 1)[-1]
        yy = int(digits[:2])
        return (1900 if yy >= 91 else 2000) + yy, int(digits[2:4])


PATH_SEPARATOR = " \u203a "
"""Between the headings of a unit's path: `2019 > One-stage detectors` with a single guillemet."""

UnitKind = Literal["section", "file", "item", "row", "paragraph", "details", "mention"]
"""How a unit was cut from its file: a heading's section, the whole file (one paper per
file), a list item (with its nested items), a table row, a paragraph, a `<details>` group,
or the passage that mentions a paper inside another paper's unit."""


@dataclass(frozen=True)
class Unit:
    """The text of the notes about one paper (or a few discussed together), cut verbatim."""

    source: str
    """The file as the user named it (`-` is shown as `<stdin>`)."""
    line: int
    """1-based line where the unit starts (its heading, item, row, …)."""
    title: str
    """What the notes call the paper here: the heading's text without `#` marks, the linked,
    bold or quoted title of an item, a table's title column, a citation's title."""
    text: str
    """The unit, verbatim: its lines of the file (LF line ends), comments and trailing blank
    lines left out."""
    links: tuple[str, ...] = ()
    """Every URL in the unit, in order of appearance."""
    front: FrontMatter | None = None
    """What the front matter of the unit's file says, when the file has one."""
    kind: UnitKind = "section"
    path: tuple[str, ...] = ()
    """The headings above the unit (outermost first; not the document's title), which say
    where in the file it was filed: `("2019", "One-stage detectors")`."""
    spans: tuple[tuple[int, int], ...] = ()
    """The 1-based inclusive line ranges of the file that make up `text`."""
    ids: tuple[Mention, ...] = ()
    """The arXiv ids the unit is about, where it names them (none for a paper named by title)."""

    @property
    def note(self) -> str:
        """The unit as it goes into the bibliography: its heading path, then its text."""
        return f"{PATH_SEPARATOR.join(self.path)}\n{self.text}" if self.path else self.text


class FrontMatter(NamedTuple):
    """The keys of a file's front matter (YAML, TOML or Logseq) that note2bib reads; the rest
    is left alone."""

    line: int = 1
    """1-based line of the opening `---` or `+++` (of the first property in Logseq)."""
    title: str | None = None
    arxiv: tuple[Mention, ...] = ()
    """`arxiv:` (one id or a list) and arXiv links in `url:`, `source:`, `link:`…, each where
    it is written."""
    doi: str | None = None
    """`doi:` when it is not arXiv's own DOI (that one is an id in `arxiv`)."""
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    year: int | None = None


class Mention(NamedTuple):
    """An arXiv id found in a note, where it was found and the form it was written in."""

    id: ArxivId
    source: str
    line: int
    written: str


@dataclass(frozen=True)
class Paper:
    """arXiv's record of a paper (latest version), independent of the `arxiv` package."""

    id: ArxivId
    """Versionless."""
    version: int
    """The latest version arXiv lists."""
    title: str
    authors: tuple[str, ...]
    """As arXiv writes them (`Piotr Dollár`)."""
    names: tuple[Name, ...]
    """`authors` parsed (`names.parse_name`): once, when arXiv's answer is read; the cache
    keeps them parsed, so no run parses them again."""
    summary: str
    published: datetime
    """Version 1: the year a citation uses, stable across new versions."""
    updated: datetime
    primary_category: str
    categories: tuple[str, ...] = ()
    doi: str | None = None
    """The publisher DOI when arXiv lists one (never the 10.48550 arXiv DOI)."""
    journal_ref: str | None = None
    comment: str | None = None


class Name(NamedTuple):
    """One author. An organisation has `literal` set and its whole name in `family`.

    A named tuple, not a dataclass: a warm export of 10,000 papers builds 270,000 of them
    from the cache, and a tuple is built in a quarter of the time (and with no dict)."""

    family: str
    given: str = ""
    prefix: str = ""
    """The "von" part: `van`, `de la`."""
    suffix: str = ""
    """The "Jr" part."""
    literal: bool = False


@dataclass(frozen=True)
class Record:
    """One bibliography entry: a paper (or an unresolved note) with every note about it."""

    key: str
    units: tuple[Unit, ...]
    arxiv_id: ArxivId | None = None
    """Versionless; None for a note that names no arXiv paper."""
    paper: Paper | None = None
    """None when unresolved (unknown id, arXiv unreachable, or no id at all)."""
    pinned_version: int | None = None
    """The version a note linked to (`v2`), kept for `url`, never for the key or eprint."""
    authors: tuple[Name, ...] = ()
    """arXiv's authors; for an entry arXiv gave nothing for, those the front matter names."""
    year: int | None = None
    """For a note that names no arXiv paper, the year its front matter gives."""
    links: tuple[Link, ...] = ()
    """The notes' other links (code, project page, demo, article), first appearance first."""
    keywords: tuple[str, ...] = ()
    """The notes' front-matter tags."""
    doi: str | None = None
    """A DOI the notes give (front matter) when arXiv gives none."""

    @property
    def note(self) -> str:
        """Every unit about this entry, in order of appearance, a blank line between."""
        return "\n\n".join(u.note for u in self.units)

    @property
    def title(self) -> str:
        return self.paper.title if self.paper else self.units[0].title

    @property
    def url(self) -> str | None:
        if self.arxiv_id is not None:
            return ArxivId(self.arxiv_id.base, self.pinned_version).abs_url
        links = self.units[0].links
        return links[0] if links else None


LinkKind = Literal["code", "project", "demo", "model", "data", "article", "video", "paper", "other"]
"""`paper` is a paper page that is not arXiv's (OpenReview, ACL Anthology, a DOI)."""


class Link(NamedTuple):
    """A link in the notes that is not the paper itself, and what it points at."""

    url: str
    kind: LinkKind = "other"


@dataclass(frozen=True)
class LibraryEntry:
    """One entry of an existing library (.bib or CSL-JSON), as written there.

    Values have `@string` macros and `#` concatenations resolved, the outer braces or quotes
    removed and a `crossref` parent's fields inherited; LaTeX is *not* decoded.
    """

    key: str
    type: str
    """Lower case: `article`, `misc`; CSL-JSON items carry their CSL type."""
    fields: tuple[tuple[str, str], ...]
    """(lower-case name, value) in order; a repeated field appears as often as it is written."""
    file: str
    line: int
    """1-based line where the entry starts."""
    span: tuple[int, int]
    """Byte offsets [start, end) of the whole block in the file."""

    def get(self, name: str) -> str | None:
        """The first value of field `name` (lower case), as BibTeX takes it."""
        for key, value in self.fields:  # a loop, not next(…): called for every entry
            if key == name:
                return value
        return None

    def values(self, name: str) -> Iterator[str]:
        """Every value of field `name`, a repeated field included."""
        return (value for key, value in self.fields if key == name)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


Level = Literal["warning", "info"]


class Diagnostic(NamedTuple):
    """Something the user should hear about, tied to a place in their notes when there is one."""

    message: str
    source: str | None = None
    line: int | None = None
    level: Level = "warning"

    def __str__(self) -> str:
        if self.source is None:
            return self.message
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.message}"


class Report(NamedTuple):
    """What a run did, for the one-line summary on stderr and the exit code."""

    notes: int = 0
    papers: int = 0
    from_cache: int = 0
    fetched: int = 0
    requests: int = 0
    unresolved: int = 0
    """arXiv ids the notes name that arXiv did not give (written without its metadata, or
    left out): what makes a run incomplete."""
    no_paper: int = 0
    """Notes that name no arXiv paper (none found by title either): entries of their own,
    or left out with `--unresolved skip`."""
    no_paper_left_out: bool = False
    in_library: int = 0
    """Papers a library given with --library already holds (not written again)."""
    diagnostics: tuple[Diagnostic, ...] = ()
    searched: int = 0
    """Notes looked up by title (cache or arXiv)."""
    found_by_title: int = 0
    search_requests: int = 0

    def summary(self) -> str:
        searches = ""
        if self.searched:
            n = self.search_requests
            searches = (
                f"; {self.found_by_title} of {self.searched} found by title, "
                f"{n} search request{'s' if n != 1 else ''}"
            )
        already = f", {self.in_library} already in the library" if self.in_library else ""
        no_paper = ""
        if self.no_paper:
            fate = "left out" if self.no_paper_left_out else "kept as entries of their own"
            name = "note names" if self.no_paper == 1 else "notes name"
            no_paper = f", {self.no_paper} {name} no arXiv paper ({fate})"
        return (
            f"{counted(self.notes, 'note')}, {counted(self.papers, 'paper')} "
            f"({self.from_cache} from cache, {self.fetched} fetched in {self.requests} "
            f"request{'s' if self.requests != 1 else ''}{searches}){already}{no_paper}, "
            f"{self.unresolved} unresolved"
        )


def counted(n: int, noun: str) -> str:
    """`1 note`, `2 notes`: a count as messages say it (nouns with a plain -s plural)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
