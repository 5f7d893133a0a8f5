"""Merging into a `.bib` library: existing bytes kept exactly, new entries appended.

Nothing that is already in the file is re-serialised: the merged file is the old bytes, with
the entries `update` brings in step changed in place, then the new entries. Appending is
refused when the file's structure would let BibTeX read the appended text as part of an
earlier entry (an entry never closed: more `{` than `}`). `add_note` adds a note to one
entry's `annote`.
"""

from __future__ import annotations

from note2bib.bibtex_syntax import (
    BLOCK_START,
    block_end,
    find_field,
    is_braced_whole,
)
from note2bib.errors import InputError
from note2bib.latex import decode, encode_text
from note2bib.library.bib import expand_value, parse_bib
from note2bib.library.read import Library

_NOTE_SEPARATOR = encode_text("\n\n")  # a blank line between two notes, as encode_text writes one


def merge_into(library: Library, entries_text: str, updated: bytes | None = None) -> bytes:
    """The library's bytes (`updated`: with some of its entries changed in place) with
    `entries_text` appended. Refused (InputError) when appending is unsafe."""
    check_appendable(library.data.decode("utf-8"), library.path)
    merged = append_entries(library.data if updated is None else updated, entries_text)
    _verify(library, merged, entries_text)
    return merged


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
