"""Merging into a `.bib` library: existing bytes kept exactly, new entries appended.

Nothing that is already in the file is re-serialised: the merged file is the old bytes, with
(for `--annotate-existing`) a note added inside an existing entry's `annote`, then the new
entries. Appending is refused when the file's structure would let BibTeX read the appended
text as part of an earlier entry (an entry never closed: more `{` than `}`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from note2bib.bibtex_syntax import (
    BLOCK_START,
    UnreadableEntry,
    block_end,
    find_field,
    is_braced_whole,
)
from note2bib.errors import InputError
from note2bib.latex import decode, encode_text
from note2bib.library.bib import expand_value, parse_bib
from note2bib.library.read import Library
from note2bib.model import LibraryEntry

_NOTE_SEPARATOR = encode_text("\n\n")  # a blank line between two notes, as encode_text writes one


def merge_into(
    library: Library, entries_text: str, annotations: Sequence[Annotation] = ()
) -> tuple[bytes, Annotated]:
    """The library's bytes with notes added to `annotations`' entries and `entries_text`
    appended, and what became of the notes. Refused (InputError) when appending is unsafe."""
    check_appendable(library.data.decode("utf-8"), library.path)
    data, annotated = annotate(library.data, annotations)
    merged = append_entries(data, entries_text)
    _verify(library, merged, entries_text)
    return merged, annotated


def _verify(library: Library, merged: bytes, entries_text: str) -> None:
    """The appended text must read back as entries on its own: together with
    `check_appendable`, every reader then sees the old blocks and the new entries apart."""
    appended, problems = parse_bib(entries_text, "<new entries>")
    if problems or entries_text.count("\n@") + entries_text.startswith("@") != len(appended):
        raise InputError(f"{library.path}: the new entries would not read back; nothing was merged")


def check_appendable(text: str, path: str) -> None:
    """Refuse (file:line, what is wrong) a library where appended text would be swallowed.

    BibTeX reads an entry up to the brace that balances its opening one, across any number
    of lines and `@`s; an entry whose braces never balance runs to the end of the file and
    would take whatever is appended with it. `\\{` counts as a brace, as it does for BibTeX.
    """
    pos = 0
    while (m := BLOCK_START.search(text, pos)) is not None:
        end = block_end(text, m.end(), m[2])
        if end < 0:
            line = text.count("\n", 0, m.start()) + 1
            key = text[m.end() : m.end() + 80].split(",", 1)[0].strip()
            name = f"@{m[1]} entry" + (f" {key}" if key and "\n" not in key else "")
            opened = text.count("{", m.start()) - text.count("}", m.start())
            raise InputError(
                f"{path}:{line}: the {name} is never closed ({opened} more {{ than }} from "
                "there to the end of the file), so entries appended after it would become "
                "part of it; nothing was merged"
            )
        pos = end


def newline_of(data: bytes) -> str:
    """The line end the file uses (CRLF when its first line ends so), for appended text."""
    first = data.find(b"\n")
    return "\r\n" if first > 0 and data[first - 1 : first] == b"\r" else "\n"


def append_entries(data: bytes, entries_text: str) -> bytes:
    """`data` unchanged, a blank line, then `entries_text` in the file's own line ends."""
    if not entries_text:
        return data
    nl = newline_of(data)
    text = entries_text.replace("\n", nl) if nl != "\n" else entries_text
    if not data or data.endswith((nl + nl).encode()):
        separator = ""
    elif data.endswith(nl.encode()):
        separator = nl
    else:
        separator = nl + nl
    return data + (separator + text).encode("utf-8")


@dataclass(frozen=True)
class Annotation:
    """A note to add to an existing entry's `annote`."""

    entry: LibraryEntry
    note: str


@dataclass(frozen=True)
class Annotated:
    """What `annotate` did: the keys whose `annote` grew, the entries it could not add to."""

    changed: list[str]
    unreadable: list[LibraryEntry]


def annotate(data: bytes, annotations: Sequence[Annotation]) -> tuple[bytes, Annotated]:
    """The file with each note added to its entry's `annote` (only added, nothing else moves).

    A note already in the entry's `annote` is not added again; an entry whose fields cannot
    be told apart is left as it is and reported.
    """
    notes: dict[tuple[int, int], list[Annotation]] = {}
    for item in annotations:  # two notes for one entry are added to it one after the other
        notes.setdefault(item.entry.span, []).append(item)
    nl = newline_of(data)
    changed: list[str] = []
    unreadable: list[LibraryEntry] = []
    out = data
    # From the end of the file backwards, so that earlier spans stay valid.
    for (start, end), items in sorted(notes.items(), reverse=True):
        raw = original = out[start:end].decode("utf-8")
        try:
            for item in items:
                raw = add_note(raw, item.note, nl) or raw
        except UnreadableEntry:
            unreadable.append(items[0].entry)
            continue
        if raw != original:
            out = out[:start] + raw.encode("utf-8") + out[end:]
            changed.append(items[0].entry.key)
    return out, Annotated(changed[::-1], unreadable[::-1])


def add_note(raw: str, note: str, nl: str = "\n") -> str | None:
    """One entry's text with `note` added to its `annote` (or a new `annote` field); None when
    the note is already there. Raises `UnreadableEntry` when the entry cannot be read field by
    field: not knowing where its fields end (`title = "\"o"`, which BibTeX rejects too), a new
    `annote` could repeat one that is there, and would again on every run."""
    encoded = encode_text(note)
    field = find_field(raw, "annote")
    if field is None:
        body, closer = raw[:-1], raw[-1]
        stripped = body.rstrip()
        tail = body[len(stripped) :]
        comma = "" if stripped.endswith(",") else ","
        added = f"{comma}{nl}  annote = {{{encoded.replace(chr(10), nl)}}}"
        return stripped + added + (tail if "\n" in tail else nl) + closer
    value_start, value_end = field
    value = raw[value_start:value_end]
    existing = decode(expand_value(value, {}))
    if note.strip() in existing:
        return None
    if not existing.strip():  # `annote = {}`: the note is all it holds, with no blank line first
        return raw[:value_start] + f"{{{encoded.replace(chr(10), nl)}}}" + raw[value_end:]
    addition = (_NOTE_SEPARATOR + encoded).replace("\n", nl)
    if is_braced_whole(value):
        return raw[: value_end - 1] + addition + raw[value_end - 1 :]
    # A quoted value or a macro: BibTeX's `#` joins the note on without touching it.
    return raw[:value_end] + f" # {{{addition}}}" + raw[value_end:]
