"""A `.bib` library → entries: bibtexparser splits it, we resolve macros, `#` and `crossref`.

bibtexparser v2 keeps entries with a duplicate key or a repeated field out of
`library.entries` and puts them in `failed_blocks` without a word; they are real entries of
the user's library, so they are read from there too (and named in one warning). Its
middlewares are not used: its `@string` resolution does not handle `#` concatenation, and
removing enclosings costs time; values are resolved here, without decoding LaTeX.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from note2bib.bibtex_syntax import closing_brace, closing_quote
from note2bib.errors import InputError
from note2bib.model import Diagnostic, LibraryEntry

if TYPE_CHECKING:
    from bibtexparser import model as bib

# bibtexparser logs each block it cannot read (with Python's last-resort handler, on stderr,
# in two lines); `parse_bib` reports those blocks itself, one sentence each with file:line.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

# BibTeX's predefined macros (plain.bst and every standard style define these).
_MONTH_NAMES = (
    "January February March April May June July August September October November December"
)
MONTHS = {name[:3].lower(): name for name in _MONTH_NAMES.split()}


def parse_bib(text: str, path: str) -> tuple[list[LibraryEntry], list[Diagnostic]]:
    """Every entry of the file (those bibtexparser set aside included) and what was odd."""
    # Loaded here, not with the module: a library read from its index is never parsed.
    import bibtexparser
    from bibtexparser import model as bib

    try:
        parsed = bibtexparser.parse_string(text, parse_stack=[])  # type: ignore[attr-defined]
    except Exception as err:  # bibtexparser raises on states it calls its own bugs
        raise InputError(f"{path}: bibtexparser could not read this library ({err})") from None
    locate = _Locator(text)
    strings: dict[str, str] = dict(MONTHS)
    entries: list[LibraryEntry] = []
    duplicate_keys: list[str] = []
    repeated: list[str] = []
    diagnostics: list[Diagnostic] = []
    for found in parsed.blocks:
        block: bib.Block | None = found
        if isinstance(found, bib.DuplicateBlockKeyBlock):
            block = found.ignore_error_block
            if isinstance(block, bib.Entry):
                duplicate_keys.append(found.key)
        elif isinstance(found, bib.DuplicateFieldKeyBlock):
            block = found.ignore_error_block
            if isinstance(block, bib.Entry):
                repeated.append(f"{block.key} ({', '.join(sorted(found.duplicate_keys))})")
        if isinstance(block, bib.String):
            strings[block.key.lower()] = expand_value(block.value, strings)
        elif isinstance(block, bib.Entry):
            entries.append(_entry(block, strings, path, locate))
        elif isinstance(block, bib.ParsingFailedBlock):
            line = (block.start_line or 0) + 1
            diagnostics.append(
                Diagnostic(
                    f"this block could not be read ({_reason(block.error)}); "
                    "papers in it are not recognised",
                    path,
                    line,
                )
            )
    if duplicate_keys:
        # A key used three times is set aside twice: the count is of keys, as the list is.
        keys = list(dict.fromkeys(duplicate_keys))
        diagnostics.append(
            Diagnostic(
                f"{len(keys)} keys are used by more than one entry (BibTeX uses the "
                f"first): {', '.join(keys)}",
                path,
            )
        )
    if repeated:
        diagnostics.append(
            Diagnostic(
                f"{len(repeated)} entries repeat a field (BibTeX uses the first): "
                + ", ".join(repeated),
                path,
            )
        )
    return inherit_crossrefs(entries), diagnostics


def _reason(error: Exception) -> str:
    reason = getattr(error, "abort_reason", None) or str(error)
    return " ".join(str(reason).split()).rstrip(".")


def _entry(
    block: bib.Entry, strings: Mapping[str, str], path: str, locate: _Locator
) -> LibraryEntry:
    return LibraryEntry(
        key=block.key,
        type=block.entry_type.lower(),
        fields=tuple((f.key.lower(), expand_value(f.value, strings)) for f in block.fields),
        file=path,
        line=(block.start_line or 0) + 1,
        span=locate.span(block.start_line or 0, block.raw or ""),
    )


class _Locator:
    """Byte spans of blocks: bibtexparser gives a block's first line and raw text only."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0]
        pos = text.find("\n")
        while pos != -1:
            self.line_starts.append(pos + 1)
            pos = text.find("\n", pos + 1)
        self.ascii = text.isascii()
        self._char, self._byte = 0, 0  # the last converted offset, for incremental counting
        self._end = 0  # where the block before ends: two equal blocks on one line are two

    def span(self, line: int, raw: str) -> tuple[int, int]:
        line_start = self.line_starts[min(line, len(self.line_starts) - 1)]
        start = self.text.find(raw, max(line_start, self._end))
        if start < 0:  # cannot happen for text bibtexparser split; never guess a span
            raise ValueError(f"block at line {line + 1} not found in its own file")
        self._end = start + len(raw)
        begin = self._to_byte(start)
        return begin, begin + len(raw.encode("utf-8"))

    def _to_byte(self, char: int) -> int:
        if self.ascii:
            return char
        if char < self._char:
            self._char, self._byte = 0, 0
        self._byte += len(self.text[self._char : char].encode("utf-8"))
        self._char = char
        return self._byte


def expand_value(raw: str, strings: Mapping[str, str]) -> str:
    """A raw BibTeX value → its text: pieces joined by `#`, macros replaced, delimiters gone.

    >>> expand_value('arxiv # {1912.11462 [cs.AI]}', {"arxiv": "arXiv preprint arXiv:"})
    'arXiv preprint arXiv:1912.11462 [cs.AI]'
    >>> expand_value('{Deep {BERT}}', {})
    'Deep {BERT}'
    >>> expand_value('"A {"}quote{"}" # jul', MONTHS)
    'A {"}quote{"}July'
    """
    if "#" not in raw and len(raw) >= 2 and (raw[0], raw[-1]) in (("{", "}"), ('"', '"')):
        return raw[1:-1]  # the common case: one braced or quoted value
    out: list[str] = []
    pos, n = 0, len(raw)
    while pos < n:
        c = raw[pos]
        if c.isspace() or c == "#":
            pos += 1
        elif c == "{":
            end = closing_brace(raw, pos)
            out.append(raw[pos + 1 : end])
            pos = end + 1
        elif c == '"':
            end = closing_quote(raw, pos)
            out.append(raw[pos + 1 : end])
            pos = end + 1
        else:
            end = pos
            while end < n and not raw[end].isspace() and raw[end] not in '#{"':
                end += 1
            word = raw[pos:end]
            # A number stands for itself; an undefined macro is kept as written (BibTeX
            # would warn and leave it empty, but its name is all there is to go on).
            out.append(word if word.isdigit() else strings.get(word.lower(), word))
            pos = end
    return "".join(out)


# What identifies the parent volume, not the child paper: a proceedings' DOI or URL on each of
# its papers would make them all "the same paper".
_NOT_INHERITED = frozenset(
    {"crossref", "key", "ids", "doi", "url", "eprint", "eprinttype", "archiveprefix", "isbn"}
    | {"issn", "arxivid", "arxiv", "pages", "chapter", "note", "annote", "abstract", "file"}
)


def inherit_crossrefs(entries: Sequence[LibraryEntry]) -> list[LibraryEntry]:
    """Children get the fields they lack from their `crossref` parent, as BibTeX does.

    The parent's `title` is the child's `booktitle` (a proceedings or book title); the
    child's own title is never replaced, and the parent's identifiers are not inherited.
    """
    by_key = {e.key.lower(): e for e in entries}
    out = []
    for entry in entries:
        ref = entry.get("crossref")
        parent = by_key.get(ref.strip().lower()) if ref else None
        if parent is None or parent is entry:
            out.append(entry)
            continue
        have = {name for name, _ in entry.fields}
        extra = []
        for name, value in parent.fields:
            target = "booktitle" if name == "title" else name
            if target not in have and name not in _NOT_INHERITED:
                extra.append((target, value))
                have.add(target)
        out.append(replace(entry, fields=entry.fields + tuple(extra)))
    return out
