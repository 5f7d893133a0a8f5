"""What identifies a library entry: its arXiv id in any field guise, its DOI, its title facts.

Ids are searched in the raw values (no LaTeX decoding): `eprint` (bare, `arXiv:`, versioned;
with `archivePrefix`/`eprinttype` absent or arXiv), Mendeley's `arxivid`, an `arxiv` field,
arXiv URLs in `url`/`howpublished`/`html`/`epub` and BibDesk's `bdsk-url-N` (also
inside `\\url{…}`), `doi = 10.48550/arXiv.ID`, Google Scholar's `journal = {arXiv preprint
arXiv:ID}`, DBLP's `journal = {CoRR}` (Semantic Scholar's `{ArXiv}`) + `volume = {abs/ID}`,
ADS's `pages`/`eid = {arXiv:ID}`, and old-style ids. A bare id outside `eprint`/`arxivid`
counts only when its field mentions arXiv: a bare `2101.00001` in `pages` is a page range.

Free text (`note`, `annote`, `abstract`, `comment`) may name *another* paper ("see also
arXiv:…"): an id there is the entry's own only when the field is nothing but the identifier
(`arXiv:ID`, `arXiv preprint arXiv:ID`, `Preprint: \\url{…}`, a URL alone). Any other id
in free text is only *mentioned* (`entry_mentioned_ids`): matching takes it when the entry's
title or first author agree with the paper's.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from itertools import chain

from note2bib.arxiv.ids import IdMatch, find_arxiv_ids, parse_arxiv_id
from note2bib.bibtex_syntax import first_name, is_braced_whole
from note2bib.doi import is_arxiv_doi, normalize_doi
from note2bib.model import ArxivId, LibraryEntry, Name
from note2bib.title_match import LIBRARY_MAX_YEAR_GAP
from note2bib.titles import normalize_title

# Fields whose whole value is an arXiv id (perhaps with `arXiv:` or a URL).
_ID_FIELDS = ("arxivid", "arxiv", "arxiv_id", "eprint")
# Fields where an id is written among other text, the entry's own wherever it is written.
_TEXT_FIELDS = (
    "url",
    "html",
    "pdf",
    "epub",
    "link",
    "howpublished",
    "doi",
    "journal",
    "journaltitle",
    "pages",
    "eid",
    "number",
    "volume",
    "booktitle",
    "publisher",
    "institution",
)
# Every id form has `YYMM.NNNN` or `/YYMMNNN` (see `ids._PATTERN`): without one, no id.
_MAYBE_ID = re.compile(r"\d{4}\.\d{4}|/\d{7}")
_URL_FIELD = re.compile(r"bdsk-url-\d+|.*url")  # BibDesk's `bdsk-url-1`, `pdfurl`, `arxivurl`
# Free text: the id is the entry's only when the field is the identifier alone.
_FREE_TEXT_FIELDS = frozenset(
    {"note", "annote", "annotation", "abstract", "comment", "comments", "addendum"}
)
# What may stand around an identifier written alone: `Preprint: \url{…}`, `arXiv: ID [cs.CL]`,
# `Available at arXiv:ID`, `cs.CE preprint, \url{…}`, `e-print cond-mat/0308541`, a year.
_IDENTIFIER_WORDS = frozenset(
    {"arxiv", "preprint", "pre-print", "e-print", "eprint", "available", "at", "on", "as"}
    | {"online", "url", "version"}
)
_IDENTIFIER_TOKEN = re.compile(
    r"[a-z]+(?:-[a-z]+)?\.[a-z]{2}(?:-[a-z]+)?"  # a category: cs.CL, physics.comp-ph
    r"|(?:19|20)\d\d"  # a year
)
_MACRO = re.compile(r"\\[A-Za-z]+")
_WORD_SPLIT = re.compile(r"[^a-z0-9.\-]+")
# Entry types (BibTeX, biblatex, CSL) → the sort of work (`work_kind`). A journal article,
# its conference version and a reprint as a chapter are one work in different libraries; a
# thesis, or a whole book, is never the same work as any of them.
_KINDS = {
    **dict.fromkeys(("phdthesis", "mastersthesis", "thesis"), "thesis"),
    **dict.fromkeys(
        ("book", "mvbook", "collection", "mvcollection", "proceedings", "mvproceedings"), "book"
    ),
    **dict.fromkeys(
        (
            "article",
            "inproceedings",
            "conference",
            "incollection",
            "inbook",
            "bookinbook",
            "techreport",
            "report",
            "chapter",
            "article-journal",
            "article-magazine",
            "paper-conference",
        ),
        "paper",
    ),
}
_DBLP_VOLUME = re.compile(r"\s*abs/(\S+?)\s*")
_NOT_WORD = re.compile(r"[\W_]+")
_PAGES_DASH = re.compile(r"\s*[-\u2013\u2014]+\s*")


def entry_arxiv_ids(entry: LibraryEntry) -> dict[ArxivId, str]:
    """Every versionless arXiv id the entry carries as its own, with the field it was first
    found in."""
    return entry_ids(entry)[0]


def entry_mentioned_ids(entry: LibraryEntry) -> dict[ArxivId, str]:
    """The versionless arXiv ids the entry's free text only mentions ("see also arXiv:…"),
    with the field: the entry may be that paper or cite it."""
    return entry_ids(entry)[1]


def entry_ids(entry: LibraryEntry) -> tuple[dict[ArxivId, str], dict[ArxivId, str]]:
    """The ids the entry carries as its own, and those its free text only mentions (each
    with the field it was first found in): `entry_arxiv_ids` and `entry_mentioned_ids`."""
    found: dict[ArxivId, str] = {}
    mentioned: dict[ArxivId, str] = {}
    # Most values (and most entries) hold nothing like an id: one search of the fields that
    # are read below finds those that may (numbered by the NULs before each hit; none can
    # match across one), rather than a search of each value.
    fields = [(name, value) for name, value in entry.fields if _may_hold_id(name)]
    joined = "\0".join(value for _, value in fields)
    candidates = {joined.count("\0", 0, m.start()) for m in _MAYBE_ID.finditer(joined)}
    if not candidates:
        return found, mentioned
    prefix = _bare(entry.get("archiveprefix") or entry.get("eprinttype") or "").lower()
    # DBLP writes `journal = {CoRR}`, Semantic Scholar `journal = {ArXiv}`; both `abs/ID`.
    is_corr = _bare(entry.get("journal") or "").lower() in ("corr", "arxiv")
    for number, (name, value) in enumerate(fields):
        ids: list[ArxivId] = []
        if number not in candidates:
            continue
        if name == "eprint" and prefix not in ("", "arxiv"):
            continue  # a JSTOR, PubMed or HAL eprint
        if name in _ID_FIELDS:
            ids = [m.id for m in find_arxiv_ids(value)]
        elif name == "volume" and is_corr and (m := _DBLP_VOLUME.fullmatch(value)):
            ids = _parsed(m[1])
        elif name in _FREE_TEXT_FIELDS:
            matches = _written_ids(value)
            if not _identifier_alone(value, matches):
                for hit in matches:
                    mentioned.setdefault(hit.id.versionless, name)
                continue
            ids = [hit.id for hit in matches]
        elif name in _TEXT_FIELDS or _URL_FIELD.fullmatch(name):
            ids = [m.id for m in _written_ids(value)]
        for arxiv_id in ids:
            found.setdefault(arxiv_id.versionless, name)
    return found, {i: name for i, name in mentioned.items() if i not in found}


@cache
def _may_hold_id(name: str) -> bool:
    """Whether `entry_ids` reads field `name` (the others never give an id)."""
    return (
        name in _ID_FIELDS
        or name == "volume"
        or name in _FREE_TEXT_FIELDS
        or name in _TEXT_FIELDS
        or _URL_FIELD.fullmatch(name) is not None
    )


def _written_ids(value: str) -> list[IdMatch]:
    """The ids written in a field's text; a bare number only where the field mentions arXiv."""
    mentions_arxiv = "arxiv" in value.lower()
    return [
        m
        for m in find_arxiv_ids(value)
        if mentions_arxiv or not _is_bare(value[m.start : m.end], m.id)
    ]


def _identifier_alone(value: str, matches: Sequence[IdMatch]) -> bool:
    """Whether a free-text field is nothing but one paper's identifier (with words such as
    `arXiv preprint` or `Available at` around it), rather than prose that names a paper."""
    if len({m.id.versionless for m in matches}) != 1:
        return False
    rest = value
    for m in reversed(matches):
        rest = rest[: m.start] + " " + rest[m.end :]
    words = _WORD_SPLIT.split(_MACRO.sub(" ", rest).lower())
    return all(
        w in _IDENTIFIER_WORDS or _IDENTIFIER_TOKEN.fullmatch(w)
        for w in (w.strip(".-") for w in words)
        if w
    )


def _parsed(text: str) -> list[ArxivId]:
    try:
        return [parse_arxiv_id(text)]
    except ValueError:
        return []


def _is_bare(written: str, arxiv_id: ArxivId) -> bool:
    """A written id with no arXiv marker around it (no URL, `arXiv:` or 10.48550 DOI)."""
    return written.lower().startswith(arxiv_id.base.split("/")[0].lower())


def _bare(value: str) -> str:
    return value.replace("{", "").replace("}", "").strip()


@dataclass(frozen=True)
class TitleFacts:
    """What the title rule compares: the normalised title, first author, year, part of a book."""

    title: str
    family: str | None
    """The first author's family name, normalised; None when the entry names no author."""
    name_words: frozenset[str]
    """Every word of the first author's whole name, normalised (a swapped name still agrees)."""
    year: int | None
    chapter: str | None = None
    pages: str | None = None
    """Two parts of one book share a title and an author; `chapter` or `pages` tell them apart."""
    kind: str | None = None
    """What sort of work the entry type says it is (`work_kind`); None when it does not say."""
    last_year: int | None = None
    """For an arXiv paper, the year of its latest version (`year` is version 1's): a journal
    version of the preprint may be dated any year between."""

    def other_part_than(self, other: TitleFacts) -> bool:
        """Whether the two are different parts (chapters, page ranges) of one publication."""
        if self.chapter != other.chapter:
            return True
        return self.pages is not None and other.pages is not None and self.pages != other.pages

    def other_work_than(self, other: TitleFacts) -> bool:
        """Whether type or date say the two are different works, whatever their titles: a
        thesis and an article, a book and a chapter, or years more than one apart."""
        if self.kind is not None and other.kind is not None and self.kind != other.kind:
            return True
        if self.year is None or other.year is None:
            return False
        gap = max(self.year, other.year) - min(
            self.last_year or self.year, other.last_year or other.year
        )
        return gap > LIBRARY_MAX_YEAR_GAP


class EntryFacts:
    """An entry's title facts, computed (and LaTeX decoded) only when first asked for."""

    def __init__(self, entry: LibraryEntry) -> None:
        self.entry = entry

    @cached_property
    def facts(self) -> TitleFacts | None:
        title = self.entry.get("title")
        if not title or not normalize_title(title):
            return None
        names = self.entry.get("author") or self.entry.get("editor") or ""
        family, words = first_author(names)
        chapter, pages = self.entry.get("chapter"), self.entry.get("pages")
        return TitleFacts(
            title=normalize_title(title),
            family=family,
            name_words=words,
            year=parse_year(self.entry.get("year") or self.entry.get("date") or ""),
            chapter=normalize_title(chapter) if chapter else None,
            pages=_PAGES_DASH.sub("-", pages.strip()) if pages else None,
            kind=work_kind(self.entry.type),
        )


def work_kind(entry_type: str) -> str | None:
    """`thesis`, `book` or `paper` (an article, a conference paper, a chapter, a report: one
    work may be each of these in different libraries), from a BibTeX, biblatex or CSL type;
    None for a type that says nothing (`misc`, `online`, `unpublished`, an unknown one)."""
    return _KINDS.get(entry_type.lower())


def first_author(names: str) -> tuple[str | None, frozenset[str]]:
    """The normalised family name and name words of the first of BibTeX `names`."""
    first = first_name(names)
    if not first:
        return None, frozenset()
    if is_braced_whole(first):
        family = first  # `{OpenAI}`: an organisation, braced whole
    else:
        from pybtex.database import Person  # loaded with the first entry that needs it

        try:
            person = Person(first)
            family = " ".join(person.last_names) or first
        except Exception:  # pybtex rejects some odd strings (unbalanced braces): use them whole
            family = first
    norm = normalize_title(family)
    return (norm or None), frozenset(normalize_title(first).split())


def record_author(name: Name) -> tuple[str, frozenset[str]]:
    """The same facts for an arXiv author."""
    family = normalize_title(name.family)
    whole = " ".join(p for p in (name.given, name.prefix, name.family) if p)
    return family, frozenset(normalize_title(whole).split())


def parse_year(value: str) -> int | None:
    m = re.search(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)", value)
    return int(m[1]) if m else None


def authors_agree(a: TitleFacts, b: TitleFacts) -> bool:
    """The first authors agree: one's family name is a word of the other's whole name."""
    if a.family is None or b.family is None:
        return False
    return last_word(a.family) in b.name_words or last_word(b.family) in a.name_words


def last_word(family: str) -> str:
    return family.split()[-1] if family.split() else family


def fold(text: str) -> str:
    """A cheap rough form of a raw title, no LaTeX decoding: for choosing candidates only."""
    text = re.sub(r"\\[A-Za-z]+|\\.|[{}$]", "", text)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        folded = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
        text = unicodedata.normalize("NFC", folded)
    return " ".join(_NOT_WORD.sub(" ", text).casefold().split())


@dataclass(frozen=True)
class EntryKeys:
    """What a library is searched by, for one entry: its key, arXiv ids, DOI and rough title."""

    key: str
    arxiv: tuple[tuple[str, str], ...]
    """(versionless id, the field it was first found in), in field order."""
    mentioned: tuple[tuple[str, str], ...]
    """The same for the ids its free text only mentions (`entry_mentioned_ids`)."""
    doi: str | None
    """The normalised DOI when it is a publisher's (arXiv's own 10.48550 DOIs are ids)."""
    rough_title: str
    """`fold` of the raw title: cheap, undecoded, for choosing title candidates."""
    author_words: frozenset[str] | None = None
    """`plain_author_words`: None when the first author must be decoded to be compared."""


def entry_keys(entry: LibraryEntry) -> EntryKeys:
    """An entry's search keys (what the library index keeps for it)."""
    doi = normalize_doi(entry.get("doi") or "")
    own, mentioned = entry_ids(entry)
    return EntryKeys(
        key=entry.key,
        arxiv=tuple((i.base, name) for i, name in own.items()),
        mentioned=tuple((i.base, name) for i, name in mentioned.items()),
        doi=None if doi is None or is_arxiv_doi(doi) else doi,
        rough_title=fold(entry.get("title") or ""),
        author_words=plain_author_words(entry),
    )


@dataclass(frozen=True)
class Lookup:
    """A library's entries by what they are searched with (entry numbers in entry order).

    This is what the library index keeps of a library besides its entries: one JSON value,
    read in one go, so an unchanged library costs no work per entry.
    """

    keys: list[str]
    """Every entry's citation key."""
    by_arxiv: dict[str, list[tuple[int, str]]]
    """Versionless arXiv id → (entry, the field it is in)."""
    by_mention: dict[str, list[tuple[int, str]]]
    """The same for ids an entry's free text only mentions."""
    by_doi: dict[str, list[int]]
    rough_titles: list[str]
    by_author_word: dict[str, list[int]]
    """A word of a plain first-author name → the entries whose first author has it."""
    unblocked: list[int]
    """Entries whose first author is not plain: compared with every record."""

    @classmethod
    def of(cls, entries: Iterable[EntryKeys]) -> Lookup:
        lookup = cls(
            [], defaultdict(list), defaultdict(list), defaultdict(list), [], defaultdict(list), []
        )
        for i, k in enumerate(entries):
            lookup.keys.append(k.key)
            for base, name in k.arxiv:
                lookup.by_arxiv[base].append((i, name))
            for base, name in k.mentioned:
                lookup.by_mention[base].append((i, name))
            if k.doi is not None:
                lookup.by_doi[k.doi].append(i)
            lookup.rough_titles.append(k.rough_title)
            if k.author_words is None:
                lookup.unblocked.append(i)
            else:
                for word in sorted(k.author_words):
                    lookup.by_author_word[word].append(i)
        return lookup

    @classmethod
    def joined(cls, parts: Sequence[Lookup]) -> Lookup:
        """Several libraries' lookups as one, their entries numbered one after the other."""
        if len(parts) == 1:
            return parts[0]
        out = cls(
            [], defaultdict(list), defaultdict(list), defaultdict(list), [], defaultdict(list), []
        )
        for part in parts:
            shift = len(out.keys)
            out.keys.extend(part.keys)
            for base, found in part.by_arxiv.items():
                out.by_arxiv[base] += [(i + shift, name) for i, name in found]
            for base, found in part.by_mention.items():
                out.by_mention[base] += [(i + shift, name) for i, name in found]
            for doi, entries in part.by_doi.items():
                out.by_doi[doi] += [i + shift for i in entries]
            out.rough_titles.extend(part.rough_titles)
            for word, entries in part.by_author_word.items():
                out.by_author_word[word] += [i + shift for i in entries]
            out.unblocked.extend(i + shift for i in part.unblocked)
        return out

    def to_json(self) -> str:
        return json.dumps(
            [
                self.keys,
                self.by_arxiv,
                self.by_mention,
                self.by_doi,
                self.rough_titles,
                self.by_author_word,
                self.unblocked,
            ],
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str, count: int) -> Lookup:
        """The lookup `to_json` wrote for `count` entries (ValueError if it is not one)."""
        keys, by_arxiv, by_mention, by_doi, rough, by_word, unblocked = json.loads(text)
        if not (len(keys) == len(rough) == count):
            raise ValueError("a stored lookup of another library")
        if not all(isinstance(s, str) for s in chain(keys, rough)):
            raise ValueError("a stored lookup is garbled")
        numbers = chain(
            (i for found in chain(by_arxiv.values(), by_mention.values()) for i, _ in found),
            chain.from_iterable(by_doi.values()),
            chain.from_iterable(by_word.values()),
            unblocked,
        )
        if not all(type(i) is int and 0 <= i < count for i in numbers):
            raise ValueError("a stored lookup is garbled")
        arxiv = {b: [(i, name) for i, name in found] for b, found in by_arxiv.items()}
        mention = {b: [(i, name) for i, name in found] for b, found in by_mention.items()}
        return cls(keys, arxiv, mention, by_doi, rough, by_word, unblocked)


_LATEX_MARK = re.compile(r"[\\{}$~]")
_NAME_TOKEN = re.compile(r"[\s,]+")


def plain_author_words(entry: LibraryEntry) -> frozenset[str] | None:
    """The words of the first author's name when it is plain, else None.

    Plain is ASCII without LaTeX, every token holding a letter or digit: then these words are
    exactly `TitleFacts.name_words` (no decoding needed), the family name is among them and
    is never empty, so a title match needs one of them in the other author's name. A name
    that is not plain (accents in LaTeX, `{OpenAI}`, none at all) gives None: such entries
    are compared with every record, as before.

    >>> entry = LibraryEntry("k", "misc", (("author", "Wang, Xiaolong and Li"),), "f", 1, (0, 9))
    >>> sorted(plain_author_words(entry) or ())
    ['wang', 'xiaolong']
    """
    first = first_name(entry.get("author") or entry.get("editor") or "")
    if not first or not first.isascii() or _LATEX_MARK.search(first):
        return None
    tokens = [t for t in _NAME_TOKEN.split(first) if t]
    if not tokens or not all(any(c.isalnum() for c in t) for t in tokens):
        return None
    return frozenset(normalize_title(first).split())
