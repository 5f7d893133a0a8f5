"""Is this paper already in the library? And which library entries are one paper twice?

The rules, in order (the first that holds decides):

1. the same arXiv id, in whatever field guise the entry carries it (see `identity`); an id
   its free text only mentions ("see also arXiv:…") counts when the entry's title or first
   author agree with the paper's;
2. the same DOI, normalised, against the publisher DOI arXiv lists for the paper;
3. the same title *and* the first authors agree (one's family name is a word of the other's
   name; when an entry names no author, both must give a year). Titles are the same by
   `title_match.similar_titles`: equal but for spaces and a leading article, or a typo apart
   (`multi-view`/`multiview`, `tire`/`tyre`) with the same numbers. Different works are
   never the same paper, whatever their titles: two parts of one book (a different `chapter`
   or `pages`), a thesis and an article, a book and a chapter (`identity.work_kind`), or
   two years more than a year apart (an arXiv paper is dated from its first version to its
   latest: the journal version may come out then).

A note that names no arXiv paper (written as an `@misc` with its heading as title) is the
entry with the same title and the same link, or, when it has no link, the same title and no
author: so a merged note is recognised on the next merge.

Titles are decoded only for candidates whose rough, undecoded form is already close.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from note2bib.doi import normalize_doi
from note2bib.library.identity import (
    EntryFacts,
    Lookup,
    TitleFacts,
    authors_agree,
    entry_keys,
    fold,
    last_word,
    record_author,
)
from note2bib.model import LibraryEntry, Record
from note2bib.title_match import LIBRARY_RATIO, ROUGH_MARGIN, similar_titles
from note2bib.titles import normalize_title


@dataclass(frozen=True)
class Match:
    """A library entry that is the paper, and which rule said so."""

    entry: LibraryEntry
    how: str


def same_title(a: TitleFacts, b: TitleFacts) -> str | None:
    """How two title facts are one paper (`title and first author`), or None."""
    if a.other_part_than(b) or a.other_work_than(b):
        return None
    if not similar_titles(a.title, b.title):
        return None
    if a.family is not None and b.family is not None:
        return "title and first author" if authors_agree(a, b) else None
    if a.year is not None and b.year is not None:
        return "title and year"  # within a year of each other: `other_work_than`
    return None


def mention_agrees(paper: TitleFacts, entry: TitleFacts) -> str | None:
    """What makes an id an entry's free text mentions its own paper (`title`, `first
    author`), or None: an entry's note may cite another paper."""
    if similar_titles(paper.title, entry.title):
        return "title"
    if authors_agree(paper, entry):
        return "first author"
    return None


def record_facts(record: Record) -> TitleFacts | None:
    """The title facts of a resolved paper (None for a note arXiv gave no metadata for)."""
    if record.paper is None or not normalize_title(record.paper.title):
        return None
    family, words = record_author(record.authors[0]) if record.authors else (None, frozenset())
    return TitleFacts(
        title=normalize_title(record.paper.title),
        family=family or None,
        name_words=words,
        year=record.paper.published.year,
        last_year=record.paper.updated.year,
        # An arXiv paper is never taken for a library's thesis or book of the same title: a
        # paper hidden from the bibliography costs more than one written twice.
        kind="paper",
    )


class Matcher:
    """The entries of one or more libraries, indexed by arXiv id, DOI and rough title.

    `entries` may be lazy (read from the library index): only the entries a record matches
    and its title candidates are taken from it; `lookup`, when given, is their search keys.
    """

    def __init__(self, entries: Sequence[LibraryEntry], lookup: Lookup | None = None) -> None:
        self.entries = entries
        if lookup is None:
            lookup = Lookup.of(entry_keys(e) for e in entries)
        self.by_arxiv = lookup.by_arxiv
        self.by_mention = lookup.by_mention
        self.by_doi = lookup.by_doi
        # A title match needs the first authors to agree, which needs a word of one's name in
        # the other's: entries with a plain author name are looked up by its words, the others
        # (`unblocked`) compared with every record.
        self._by_author_word = lookup.by_author_word
        self._keys_rough = lookup.rough_titles
        # One title is often in a library several times (concatenated files, copies of one
        # export): each distinct rough title is compared once, then stands for all its entries.
        self._by_rough_title: dict[str, list[int]] = defaultdict(list)
        for i, rough in enumerate(lookup.rough_titles):
            self._by_rough_title[rough].append(i)
        self._unblocked_titles: dict[str, list[int]] = defaultdict(list)
        for i in lookup.unblocked:
            self._unblocked_titles[lookup.rough_titles[i]].append(i)
        self._facts: dict[int, TitleFacts | None] = {}

    def _facts_of(self, i: int) -> TitleFacts | None:
        if i not in self._facts:
            self._facts[i] = EntryFacts(self.entries[i]).facts
        return self._facts[i]

    def match(self, record: Record) -> Match | None:
        """The library entry that is this record's paper, by the first rule that holds."""
        found = self.match_at(record)
        return None if found is None else Match(self.entries[found[0]], found[1])

    def match_at(self, record: Record) -> tuple[int, str] | None:
        """Where in `entries` this record's paper is, and which rule said so."""
        if record.arxiv_id is not None and (hits := self.by_arxiv.get(record.arxiv_id.base)):
            first, field = hits[0]
            return first, f"arXiv id in {field}"
        if (mentioned := self._agreeing_mention(record)) is not None:
            return mentioned
        paper = record.paper
        doi = normalize_doi(paper.doi) if paper is not None and paper.doi else None
        if doi is not None and (hits_doi := self.by_doi.get(doi)):
            return hits_doi[0], "DOI"
        if record.paper is None and record.arxiv_id is None:
            return self._match_note(record)
        facts = record_facts(record)
        if facts is None:
            return None
        for i in self._title_candidates(facts.title, self._author_candidates(facts)):
            other = self._facts_of(i)
            if other is not None and (how := same_title(facts, other)):
                return i, how
        return None

    def _agreeing_mention(self, record: Record) -> tuple[int, str] | None:
        """The first entry whose free text mentions the record's id and whose title or first
        author agree with the paper's."""
        mentions = self.by_mention.get(record.arxiv_id.base) if record.arxiv_id else None
        facts = record_facts(record) if mentions else None
        if mentions is None or facts is None:
            return None
        for i, field in mentions:
            other = self._facts_of(i)
            if other is not None and (why := mention_agrees(facts, other)):
                return i, f"arXiv id in {field}, and the same {why}"
        return None

    def _match_note(self, record: Record) -> tuple[int, str] | None:
        """A note that names no paper (kept as `@misc` with its heading as title): the entry
        with the same title and the same link, or the same title and no author (the same
        first author, when the note's front matter names one)."""
        title = normalize_title(record.title)
        url = plain_url(record.url or "")
        family, words = record_author(record.authors[0]) if record.authors else (None, None)
        for i in self._title_candidates(title):
            entry = self.entries[i]
            if normalize_title(entry.get("title") or "") != title:
                continue
            if url and plain_url(entry.get("url") or "") == url:
                return i, "title and url"
            if url:
                continue
            if family is None and not entry.get("author"):
                return i, "title"
            other = self._facts_of(i)
            if family is not None and words is not None and other is not None:
                mine = TitleFacts(title, family, words, record.year)
                if authors_agree(mine, other):
                    return i, "title and first author"
        return None

    def _author_candidates(self, facts: TitleFacts) -> list[dict[str, list[int]]] | None:
        """The entries whose first author may agree with `facts`', grouped by rough title
        (None: any entry may).

        `authors_agree` needs the last word of one family name among the other's name words;
        a plain name's words hold its family name, so sharing no word rules the entry out.
        """
        if facts.family is None:
            return None  # then the title and year rule holds for any entry
        found: set[int] = set()
        for word in facts.name_words | {last_word(facts.family)}:
            found.update(self._by_author_word.get(word, ()))
        blocked: dict[str, list[int]] = defaultdict(list)
        for i in sorted(found):
            blocked[self._keys_rough[i]].append(i)
        return [self._unblocked_titles, blocked]

    def _title_candidates(
        self, title: str, among: list[dict[str, list[int]]] | None = None
    ) -> list[int]:
        """Entries (of `among`, or all) whose rough title is close to `title`, best first,
        then in library order."""
        from rapidfuzz import fuzz, process  # loaded only when a library is matched

        rough_title = fold(title)
        scored = []
        for by_title in [self._by_rough_title] if among is None else among:
            found = process.extract(
                rough_title,
                list(by_title),
                scorer=fuzz.ratio,
                score_cutoff=LIBRARY_RATIO - ROUGH_MARGIN,
                limit=None,
            )
            scored += [(-score, i) for rough, score, _ in found for i in by_title[rough]]
        return [i for _, i in sorted(scored)]


def plain_url(url: str) -> str:
    """`https://www.Example.org/a/` → `example.org/a`: one address however it is written."""
    text = re.sub(r"^\\url\{(.*)\}$", r"\1", url.strip())
    text = re.sub(r"^(?:https?://)?(?:www\.)?", "", text, flags=re.IGNORECASE)
    host, _, rest = text.partition("/")
    return (host.lower() + ("/" + rest if rest else "")).rstrip("/")
