"""Entries already in the library, kept in step with the notes (the marks are `provenance`'s).

For each entry that a record's paper (or note) already is, a merge may change, inside that
entry and its `% note2bib:` line only:

- an edited note: its earlier text in the `annote` is replaced, found by its mark whatever
  encoding wrote it (a renamed heading or an edited body is the same note);
- a note not in the entry yet: added to the `annote` — in entries note2bib wrote; in the
  user's own only with `--annotate-existing`;
- a stub written while arXiv did not answer, or the entry of a note that names no paper:
  written anew from the record (arXiv's metadata, a renamed heading), its key and its notes
  kept — only while its digest says nobody changed it by hand.

What the user wrote is never changed: a note whose text is no longer where note2bib put it, a
stub changed by hand, an entry whose fields cannot be told apart are left as they are and
named. Entries appended by this merge get their marks here too (`appended`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from note2bib.bibtex_syntax import UnreadableEntry, find_field
from note2bib.latex import encode_text
from note2bib.library.merge import add_note, merge_into, newline_of
from note2bib.library.provenance import (
    Found,
    Marker,
    NoteId,
    NoteMark,
    digest,
    find_markers,
    locate,
    mark,
    marker_of,
    note_identity,
    pair_notes,
)
from note2bib.library.read import Library
from note2bib.model import Diagnostic, LibraryEntry, Record

# (what an untouched entry was, what the record makes now): written anew from the record.
# An entry with arXiv's metadata only ever has its notes updated.
_RENEWED = frozenset({("stub", "paper"), ("stub", "stub"), ("note", "note")})


@dataclass(frozen=True)
class Note:
    """One note of a record, as the merge sees it."""

    id: NoteId
    text: str
    where: str
    """file:line, for messages."""


@dataclass(frozen=True)
class Fresh:
    """The entry as note2bib would write it now for the record (LF line ends, the library's
    key), and what it is made of (`paper`, `stub` or `note`)."""

    text: str
    made: str


@dataclass(frozen=True)
class Existing:
    """A library entry a record's paper already is: the record's notes, and its fresh entry."""

    entry: LibraryEntry
    notes: tuple[Note, ...]
    fresh: Fresh | None = None


@dataclass(frozen=True)
class Updated:
    """The file with its entries brought in step, and what was done or left undone."""

    data: bytes
    changed: list[str] = field(default_factory=list)
    """Keys of the entries that changed, in file order."""
    unreadable: list[LibraryEntry] = field(default_factory=list)
    """Entries that would have changed but whose fields cannot be told apart."""
    diagnostics: list[Diagnostic] = field(default_factory=list)


def made_of(record: Record) -> str:
    """What note2bib writes for `record`: `paper`, `stub` (an id without arXiv's metadata) or
    `note` (a note that names no paper)."""
    if record.paper is not None:
        return "paper"
    return "stub" if record.arxiv_id is not None else "note"


def notes_of(record: Record, library: str) -> tuple[Note, ...]:
    """The record's notes, each with its identity as recorded beside entries of `library`."""
    return tuple(
        Note(note_identity(s, library), s.note, f"{s.source}:{s.line}") for s in record.units
    )


def appended(record: Record, rendered: str, library: str) -> str:
    """A new entry (`rendered`, one entry) with its `% note2bib:` line before it."""
    entry = rendered.rstrip("\n")
    marks = _marks(entry, notes_of(record, library))
    return f"{Marker(record.key, made_of(record), digest(entry), marks).render()}\n{rendered}"


def _marks(entry: str, notes: Sequence[Note]) -> tuple[NoteMark, ...]:
    """Where each note is in a new entry's `annote`: all of it for one note; for several, the
    notes encoded one by one and joined as the record joins them (a blank line between) must
    give the value the format wrote, or they are marked as not to be found (never replaced)."""
    value = _annote(entry)
    if value is None or not value.startswith("{"):
        return tuple(NoteMark(n.id, 0, "-") for n in notes)
    if len(notes) == 1:
        return (mark(notes[0].id, value[1:-1]),)
    parts = [encode_text(n.text) for n in notes]
    if value == "{" + encode_text("\n\n").join(parts) + "}":
        return tuple(mark(n.id, part) for n, part in zip(notes, parts, strict=True))
    return tuple(NoteMark(n.id, 0, "-") for n in notes)


def _annote(entry: str) -> str | None:
    try:
        found = find_field(entry, "annote")
    except UnreadableEntry:
        return None
    return None if found is None else entry[found[0] : found[1]]


def merge_library(
    library: Library, entries_text: str, existing: Sequence[Existing] = (), annotate: bool = False
) -> tuple[bytes, Updated]:
    """The library with the entries of `existing` brought in step and `entries_text` (new
    entries, each with its `% note2bib:` line) appended. Refused (InputError) when appending
    is unsafe."""
    updated = update_entries(library.data, existing, annotate)
    return merge_into(library, entries_text, updated.data), updated


def update_entries(data: bytes, existing: Sequence[Existing], annotate: bool) -> Updated:
    """`data` with each entry of `existing` brought in step with its notes (see the module
    doc); every byte outside those entries and their `% note2bib:` lines kept."""
    markers = find_markers(data)
    groups: dict[tuple[int, int], list[Existing]] = {}
    for item in existing:  # two records for one entry: both their notes, nothing renewed
        groups.setdefault(item.entry.span, []).append(item)
    nl = newline_of(data)
    out = data
    updated = Updated(data)
    # From the end of the file backwards, so that earlier spans stay valid.
    for (start, end), items in sorted(groups.items(), reverse=True):
        entry = items[0].entry
        found = marker_of(markers, start, entry.key)
        notes = [n for item in items for n in item.notes]
        fresh = items[0].fresh if len(items) == 1 else None
        raw = out[start:end].decode("utf-8")
        try:
            step = _update(entry.key, raw, found, notes, fresh, annotate, nl)
        except UnreadableEntry:
            updated.unreadable.insert(0, entry)
            continue
        updated.diagnostics[:0] = [Diagnostic(m, entry.file, entry.line) for m in step.messages]
        if step.text is None or step.marker is None:
            continue
        if found is not None:
            region, before = found.start, out[found.line_end : start].decode("utf-8")
            text = step.marker + before + step.text
        elif start == 0 or out[start - 1 : start] == b"\n":
            region, text = start, step.marker + nl + step.text
        else:
            # `} @misc{…`: a line of its own would change the text before the entry; the notes
            # are added unmarked (an edited one is then added again rather than replaced).
            region, text = start, step.text
        out = out[:region] + text.encode("utf-8") + out[end:]
        updated.changed.insert(0, entry.key)
    return Updated(out, updated.changed, updated.unreadable, updated.diagnostics)


@dataclass(frozen=True)
class _Step:
    marker: str | None
    """The new `% note2bib:` line (without its line end)."""
    text: str | None
    """The entry's new text; None when nothing changes."""
    messages: list[str]


def _update(
    key: str,
    raw: str,
    found: Found | None,
    notes: Sequence[Note],
    fresh: Fresh | None,
    annotate: bool,
    nl: str,
) -> _Step:
    """One entry brought in step: its new text and `% note2bib:` line, and what was done."""
    marker = found.marker if found is not None else None
    owned = marker is not None and marker.owned
    if not (owned or annotate):
        return _Step(None, None, [])
    untouched = marker is not None and marker.untouched(raw)
    messages: list[str] = []
    marks = list(marker.notes) if marker is not None else []
    text = raw
    value = find_field(raw, "annote")
    edits: list[tuple[int, int, str]] = []
    new: list[Note] = []
    for i, old in pair_notes([n.id for n in notes], marks):
        note, encoded = notes[i], encode_text(notes[i].text)
        if old is None:
            new.append(note)
            continue
        at = None if value is None else locate(raw[value[0] : value[1]], old)
        if value is None or at is None:
            messages.append(
                f"the note from {note.where} was changed by hand in {key} since note2bib "
                "wrote it, so it is left as it is"
            )
            continue
        marks[marks.index(old)] = mark(note.id, encoded)
        if (old.length, old.text) != (len(encoded), digest(encoded)):
            edits.append((value[0] + at[0], value[0] + at[1], encoded.replace("\n", nl)))
            messages.append(f"updated the note in the annote of {key} (the note at {note.where})")
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    for note in new:
        added = add_note(text, note.text, nl)
        if added is None:  # its text is there already (an older note2bib, or by hand)
            continue
        text = added
        marks.append(mark(note.id, encode_text(note.text)))
        messages.append(f"added the note to the annote of {key} (the note at {note.where})")
    made = marker.made if marker is not None else "annote"
    if fresh is not None and untouched and (made, fresh.made) in _RENEWED:
        renewed = _renewed(fresh.text.rstrip("\n").replace("\n", nl), text)
        if renewed != text and (made, fresh.made) == ("stub", "paper"):
            messages.append(f"completed {key} with arXiv's metadata")
        elif renewed != text:
            messages.append(f"wrote {key} anew from its note")
        text, made = renewed, fresh.made
    elif fresh is not None and owned and (made, fresh.made) == ("stub", "paper"):
        messages.append(
            f"{key} was changed by hand since note2bib wrote it without arXiv's metadata, so "
            "it is left as it is (arXiv's metadata not filled in)"
        )
    entry_digest = digest(text) if untouched else (marker.entry if marker is not None else None)
    renewed_marker = Marker(key, made, entry_digest, tuple(marks))
    if text == raw and renewed_marker == marker:
        return _Step(None, None, messages)
    return _Step(renewed_marker.render(), text, messages)


def _renewed(fresh: str, current: str) -> str:
    """The fresh entry with the notes of the current one (the `annote` as it is now, which
    holds notes of other files than this run's, too)."""
    old, new = find_field(current, "annote"), find_field(fresh, "annote")
    if old is None or new is None:
        return fresh
    return fresh[: new[0]] + current[old[0] : old[1]] + fresh[new[1] :]
