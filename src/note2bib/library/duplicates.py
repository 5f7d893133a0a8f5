"""A library's own duplicates: entries that are one paper under several keys (`note2bib dedupe`).

The same rules as matching a note against a library (see `matching`): the same arXiv id in any
field guise (an id free text only mentions: with the title or first author of the entry that
carries it agreeing), the same publisher DOI, the same title with agreeing first authors.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from note2bib.doi import is_arxiv_doi, normalize_doi
from note2bib.library.identity import EntryFacts, TitleFacts, entry_ids, fold
from note2bib.library.matching import mention_agrees, same_title
from note2bib.model import LibraryEntry
from note2bib.title_match import LIBRARY_RATIO, ROUGH_MARGIN


@dataclass(frozen=True)
class DuplicateGroup:
    """Library entries that are one paper, and why."""

    entries: tuple[LibraryEntry, ...]
    how: str


def find_duplicates(entries: Sequence[LibraryEntry]) -> list[DuplicateGroup]:
    """Groups of entries that are the same paper under several keys, in order of appearance."""
    edges: list[tuple[int, int, str]] = []
    by_id: dict[str, list[int]] = defaultdict(list)
    by_mention: dict[str, list[int]] = defaultdict(list)
    by_doi: dict[str, list[int]] = defaultdict(list)
    for i, entry in enumerate(entries):
        own, mentioned = entry_ids(entry)
        for arxiv_id in own:
            by_id[arxiv_id.base].append(i)
        for arxiv_id in mentioned:
            by_mention[arxiv_id.base].append(i)
        doi = normalize_doi(entry.get("doi") or "")
        if doi is not None and not is_arxiv_doi(doi):
            by_doi[doi].append(i)
    edges += [(m[0], j, f"arXiv id {base}") for base, m in by_id.items() for j in m[1:]]
    facts = [EntryFacts(e) for e in entries]
    # An id free text only mentions joins the entry that carries it as its own, when their
    # titles or first authors agree (what that entry says is the mentioned paper's metadata).
    edges += [
        (min(i, j), max(i, j), f"arXiv id {base}")
        for base, mentioning in by_mention.items()
        for j in mentioning
        for i in by_id.get(base, ())[:1]
        if _mention_agrees(facts[i].facts, facts[j].facts)
    ]
    edges += [
        (m[0], j, f"DOI {doi}")
        for doi, m in by_doi.items()
        for j in m[1:]
        # A book's or a volume's DOI on two of its chapters does not make them one paper.
        if not _parts_differ(facts[m[0]].facts, facts[j].facts)
    ]
    edges += _title_pairs(entries, facts)

    parent = list(range(len(entries)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j, _ in edges:
        a, b = root(i), root(j)
        parent[max(a, b)] = min(a, b)
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(entries)):
        members[root(i)].append(i)
    reasons: dict[int, list[str]] = defaultdict(list)
    for i, _, how in edges:
        if how not in reasons[root(i)]:
            reasons[root(i)].append(how)
    return [
        DuplicateGroup(tuple(entries[i] for i in group), "; ".join(reasons[r]))
        for r, group in sorted(members.items())
        if len(group) > 1
    ]


def _mention_agrees(own: TitleFacts | None, mentioning: TitleFacts | None) -> bool:
    return own is not None and mentioning is not None and bool(mention_agrees(own, mentioning))


def _parts_differ(a: TitleFacts | None, b: TitleFacts | None) -> bool:
    return a is not None and b is not None and a.other_part_than(b)


def _title_pairs(
    entries: Sequence[LibraryEntry], facts: Sequence[EntryFacts]
) -> Iterable[tuple[int, int, str]]:
    """Pairs of entries with the same title and agreeing authors (or years, with no authors).

    Entries with authors are compared only with those sharing a word of the first author's
    name; entries without are compared with all. Titles are decoded only for pairs whose rough
    titles are already close.
    """
    rough = [fold(e.get("title") or "") for e in entries]
    blocks: dict[str, list[int]] = defaultdict(list)
    authorless = []
    for i, entry in enumerate(entries):
        if not rough[i]:
            continue
        names = fold(entry.get("author") or entry.get("editor") or "")
        words = {w for w in names.split(" and ")[0].split() if len(w) > 1}
        if not words:
            authorless.append(i)
        for word in words:
            blocks[word].append(i)
    cutoff = LIBRARY_RATIO - ROUGH_MARGIN
    candidates: set[tuple[int, int]] = set()
    for members in blocks.values():
        for n, i in enumerate(members):
            for j in members[n + 1 :]:
                if fuzz.ratio(rough[i], rough[j], score_cutoff=cutoff):
                    candidates.add((min(i, j), max(i, j)))
    for i in authorless:
        for _, _, j in process.extract(
            rough[i], rough, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
        ):
            if j != i:
                candidates.add((min(i, j), max(i, j)))
    for i, j in sorted(candidates):
        a, b = facts[i].facts, facts[j].facts
        if a is not None and b is not None and (how := same_title(a, b)):
            yield i, j, how
