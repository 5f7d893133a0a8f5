"""BibTeX's syntax, scanned by hand where a parser's output is not enough: where a brace or a
quote closes, where a block or a field ends, which name of an `and` list comes first.

bibtexparser splits a file into blocks but keeps no offsets inside them, and merging must
edit an entry's bytes in place; the LaTeX encoder must know whether BibTeX will see a span's
braces as balanced. Every such rule is here, once. `\\{` counts as a brace, as it does for
BibTeX. Nothing here imports the rest of note2bib, so any module may use it.
"""

from __future__ import annotations

import re

BLOCK_START = re.compile(r"@[ \t]*([A-Za-z][\w:-]*)[ \t\r\n]*([{(])")
"""`@type{` or `@type(`: group 1 is the type, group 2 the opening delimiter."""
_FIELD_NAME = re.compile(r"[\s,]*([^\s=,{}()\"#]+)\s*=\s*")
_BRACE = re.compile(r"[{}]")
_BRACE_OR_PAREN = re.compile(r"[{})]")


def closing_brace(s: str, start: int) -> int:
    """The index of the `}` matching the `{` at `start`; len(s) when there is none."""
    depth = 0
    for i in range(start, len(s)):
        if s[i] == "{":
            depth += 1
        elif s[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(s)


def closing_quote(s: str, start: int) -> int:
    """The index of the `"` closing the one at `start` (braces inside counted); len(s) if none."""
    depth = 0
    for i in range(start + 1, len(s)):
        if s[i] == "{":
            depth += 1
        elif s[i] == "}":
            depth -= 1
        elif s[i] == '"' and depth == 0:
            return i
    return len(s)


def is_braced_whole(s: str) -> bool:
    """Whether `s` is one `{…}` group from its first character to its last (`{OpenAI}`)."""
    return s.startswith("{") and closing_brace(s, 0) == len(s) - 1


def balanced(s: str) -> bool:
    """Whether BibTeX would see the braces in `s` as balanced."""
    depth = 0
    for c in s:
        depth += (c == "{") - (c == "}")
        if depth < 0:
            return False
    return depth == 0


def block_end(text: str, start: int, opener: str) -> int:
    """The offset just after the block whose `opener` (`{` or `(`) ends at `start`, or -1 if
    it never closes: BibTeX reads a block up to the brace that balances its opening one."""
    depth = 1 if opener == "{" else 0
    for m in (_BRACE if opener == "{" else _BRACE_OR_PAREN).finditer(text, start):
        c = m.group()
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0 and opener == "{":
                return m.end()
            depth = max(depth, 0)
        elif depth == 0:  # `)` closing a `@type( … )` block
            return m.end()
    return -1


class UnreadableEntry(Exception):
    """An entry whose fields cannot be told apart."""


def find_field(raw: str, name: str) -> tuple[int, int] | None:
    """Offsets of the (first) value of field `name` in one entry's text: `{…}`, `"…"`, a macro
    or a `#` concatenation, as written; None when it has no such field (`UnreadableEntry` when
    its fields cannot be read up to the entry's closing brace)."""
    opener = BLOCK_START.match(raw)
    if opener is None:
        raise UnreadableEntry
    pos = raw.find(",", opener.end())
    closer = "}" if opener[2] == "{" else ")"
    while pos != -1 and pos < len(raw):
        m = _FIELD_NAME.match(raw, pos)
        if m is None:
            if raw[pos:].lstrip(", \t\r\n") == closer:
                return None
            raise UnreadableEntry
        start = end = m.end()
        while end < len(raw):
            c = raw[end]
            if c == "{":
                end = closing_brace(raw, end) + 1
            elif c == '"':
                quote = closing_quote(raw, end)
                if raw[quote - 1] == "\\":
                    # `"\"o"`: BibTeX ends the value at the escaped-looking quote, bibtexparser
                    # does not; which field a byte belongs to is then anyone's guess.
                    raise UnreadableEntry
                end = quote + 1
            elif c in (",", closer):
                break
            else:
                end += 1
        if end >= len(raw):  # the value ran past the entry's closing brace
            raise UnreadableEntry
        value_end = start + len(raw[start:end].rstrip())
        if m[1].lower() == name:
            return start, value_end
        pos = end
        if pos < len(raw) and raw[pos] == closer:
            return None
    if pos == -1:  # `@misc{key}`: no fields at all
        return None
    raise UnreadableEntry


# pybtex's separator of names, ` and ` in any case outside braces, before white space runs
# are collapsed to one space.
_AND = re.compile(r"\s+[Aa][Nn][Dd]\s+")


def first_name(names: str) -> str:
    """The first name of a BibTeX name list (`A and B`), split as BibTeX does (pybtex's split:
    an `and` inside braces does not split); white space runs are read as one space.

    >>> first_name("{Barnes and Noble} and\\n  Smith, J.")
    '{Barnes and Noble}'
    """
    if "{" not in names:
        # Without braces pybtex splits at every separator: the first piece is the same, and
        # only its white space needs collapsing (every entry of a library comes here, and
        # pybtex's split of the whole list took as long as the rest of its lookup keys).
        return " ".join(_AND.split(names.strip(), maxsplit=1)[0].split())
    from pybtex.bibtex.utils import split_name_list  # pybtex loads only for braced names

    # pybtex's split expects BibTeX's own reading of a value, white space already collapsed.
    found = split_name_list(" ".join(names.split()))
    return found[0] if found else ""
