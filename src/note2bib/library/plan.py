"""The dedupe step: records against the user's libraries → new ones and those already there.

A record already in a library takes the library's key (everywhere note2bib names it); a new
record gets its natural key unless a library holds that key (case-insensitively, as BibTeX
compares), in which case it takes the next suffix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from note2bib.keys import assign_keys
from note2bib.model import Diagnostic, Record
from note2bib.notes.mentions import UnitIds
from note2bib.titles import quoted

if TYPE_CHECKING:
    from note2bib.library.match_memo import MatchMemo
    from note2bib.library.matching import Match, Matcher
    from note2bib.library.read import Library


class LibraryPlan(NamedTuple):
    """Every record with its final key (in note order), and the library entry of each record
    whose paper a library already has (None for a new one)."""

    records: tuple[Record, ...]
    matches: tuple[Match | None, ...]
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def new(self) -> tuple[Record, ...]:
        return tuple(r for r, m in zip(self.records, self.matches, strict=True) if m is None)

    @property
    def existing(self) -> tuple[tuple[Record, Match], ...]:
        pairs = zip(self.records, self.matches, strict=True)
        return tuple((r, m) for r, m in pairs if m is not None)


def plan_against_libraries(
    records: Sequence[Record],
    libraries: Sequence[Library],
    found: Sequence[UnitIds],
    memo_dir: Path | None = None,
) -> LibraryPlan:
    """Which records the libraries already have; keys for the others that never collide.

    With `memo_dir` (the cache directory), matches found before for the same records and
    the same library bytes are taken from there (see `match_memo`).
    """
    if not libraries:
        return LibraryPlan(tuple(records), (None,) * len(records))
    # Matching loads with the first library: a run without one reads none of it.
    from note2bib.library.match_memo import MatchMemo
    from note2bib.library.matching import Matcher
    from note2bib.library.read import all_keys, entries_of, lookup_of

    index = Matcher(entries_of(libraries), lookup_of(libraries))
    marked = _marked(libraries)
    earlier = [_made_from(r, marked, index) if marked else None for r in records]
    rest = [r for r, m in zip(records, earlier, strict=True) if m is None]
    if memo_dir is None:
        by_rules = [index.match(r) for r in rest]
    else:
        memo = MatchMemo(memo_dir, [(lib.path, lib.data) for lib in libraries])
        by_rules = _remembered_matches(index, rest, memo)
    matched = iter(by_rules)
    matches = [m if m is not None else next(matched) for m in earlier]
    new = [r for r, m in zip(records, matches, strict=True) if m is None]
    new_keys = iter(r.key for r in assign_keys(new, all_keys(libraries)))
    final = [
        _keyed(r, next(new_keys) if m is None else m.entry.key)
        for r, m in zip(records, matches, strict=True)
    ]
    first = first_mentions(found)
    diagnostics = [
        Diagnostic(
            f"{r.arxiv_id or quoted(r.title)} is already in {m.entry.file} as {m.entry.key} "
            f"({m.how})",
            *first.get(r.arxiv_id.base if r.arxiv_id else "", _first_unit(r)),
        )
        for r, m in zip(final, matches, strict=True)
        if m is not None
    ]
    return LibraryPlan(tuple(final), tuple(matches), tuple(diagnostics))


def _made_from(record: Record, marked: Sequence[_Marked], index: Matcher) -> Match | None:
    """The entry note2bib made from this record's note before, by the note's identity (its
    `% note2bib:` line): a note that names no paper keeps its entry when its heading or its
    body changes. A paper keeps it only while that entry still carries the paper's id, and
    then ahead of any other entry with the id: merging again must not move its note to an
    entry of the user's that also names the id."""
    from note2bib.library.matching import Match
    from note2bib.library.provenance import marker_of, note_identity

    for library, positions in marked:
        key = library.notes_index.entry_for([note_identity(s, library.path) for s in record.units])
        at = None if key is None else positions.get(key)
        if key is None or at is None:
            continue
        if marker_of(library.markers, index.entries[at].span[0], key) is None:
            continue
        if record.arxiv_id is None:
            return Match(index.entries[at], "the note it was made from")
        field = _id_field(index, at, record.arxiv_id.base)
        if field is not None:
            return Match(index.entries[at], f"arXiv id in {field}")
    return None


_Marked = tuple["Library", dict[str, int]]
"""A library with `% note2bib:` lines, and where each of its keys is among all entries."""


def _marked(libraries: Sequence[Library]) -> list[_Marked]:
    """The libraries note2bib wrote entries into, each with its keys' places (the first of a
    repeated key): only their notes can have made an entry before."""
    marked: list[_Marked] = []
    offset = 0
    for library in libraries:
        if library.markers:
            positions: dict[str, int] = {}
            for i, key in enumerate(library.lookup.keys):
                positions.setdefault(key, offset + i)
            marked.append((library, positions))
        offset += len(library.lookup.keys)
    return marked


def _id_field(index: Matcher, at: int, base: str) -> str | None:
    """The field of entry `at` that carries the arXiv id `base`, if it carries it."""
    return next((field for i, field in index.by_arxiv.get(base, ()) if i == at), None)


def _keyed(record: Record, key: str) -> Record:
    return record if record.key == key else replace(record, key=key)


def _remembered_matches(
    index: Matcher, records: Sequence[Record], memo: MatchMemo
) -> list[Match | None]:
    """Each record's match, from the memo where it has one, else found (and remembered)."""
    from note2bib.library.match_memo import record_key
    from note2bib.library.matching import Match

    keys = [record_key(r) for r in records]
    known = memo.get(keys)
    matches: list[Match | None] = []
    learned: dict[str, tuple[int, str]] = {}
    for record, key in zip(records, keys, strict=True):
        entry, how = known.get(key, (None, ""))
        if entry is not None and -1 <= entry < len(index.entries):
            matches.append(None if entry < 0 else Match(index.entries[entry], how))
            continue
        at = index.match_at(record)
        matches.append(None if at is None else Match(index.entries[at[0]], at[1]))
        learned[key] = (-1, "") if at is None else at
    memo.put(learned)
    return matches


def first_mentions(found: Sequence[UnitIds]) -> dict[str, tuple[str, int]]:
    """Where each versionless id is first named in the notes (file, line)."""
    first: dict[str, tuple[str, int]] = {}
    for item in found:
        for m in item.mentions:
            first.setdefault(m.id.base, (m.source, m.line))
    return first


def _first_unit(record: Record) -> tuple[str, int]:
    return record.units[0].source, record.units[0].line
