"""The keys a LaTeX document cites: `\\cite`-family commands in .tex (following `\\input` and
`\\include`), or `\\citation` lines in the .aux LaTeX wrote (following `\\@input`).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from note2bib.files import read_text
from note2bib.model import Diagnostic

# cite citep citet citealp citeauthor citeyear Citet nocite autocite parencite textcite
# footcite smartcite supercite fullcite cites parencites ... (a `*` may follow)
_CITE = re.compile(
    r"(?:no|auto|paren|text|foot|footfull|smart|super|full|Auto|Paren|Text|Foot|Smart)?"
    r"[cC]ite(?:p|t|alp|alt|author|year|yearpar|title|url|date|num)?(?P<multi>s)?"
)
_LETTERS = re.compile(r"[A-Za-z]*")  # a control word's name
_BACKSLASH_OR_COMMENT = re.compile(r"[\\%]")
_INPUTS = frozenset({"input", "include", "subfile"})
_BARE_NAME = re.compile(r"[^\s{}\\%]+")
_AUX_CITE = re.compile(r"\\(?:citation|abx@aux@cite)((?:\{[^{}]*\})+)")
_AUX_INPUT = re.compile(r"\\@input\{([^{}]*)\}")


@dataclass(frozen=True)
class Citation:
    """A cited key and where it is first cited."""

    key: str
    source: str
    line: int


def find_citations(path: str) -> tuple[list[Citation], list[Diagnostic]]:
    """Every key `path` (a .tex or .aux) cites, first citation first; `*` (`\\nocite{*}`) too."""
    found: dict[str, Citation] = {}
    diagnostics: list[Diagnostic] = []
    aux = Path(path).suffix.lower() == ".aux"
    # LaTeX resolves \input against the folder it runs in: the main document's.
    _scan(Path(path), Path(path).parent, aux, found, diagnostics, set())
    return list(found.values()), diagnostics


def _scan(
    path: Path,
    root: Path,
    aux: bool,
    found: dict[str, Citation],
    diagnostics: list[Diagnostic],
    seen: set[Path],
) -> None:
    seen.add(path.resolve())
    text = read_text(str(path))
    mentions = _aux_mentions(text) if aux else _TexReader(text).mentions()
    for kind, value, number in mentions:
        if kind == "key":
            found.setdefault(value, Citation(value, str(path), number))
            continue
        target = _resolve(root, value, aux)
        if target is None:
            message = f"{value} not found; its citations are not read"
            diagnostics.append(Diagnostic(message, str(path), number))
        elif target.resolve() not in seen:
            _scan(target, root, aux, found, diagnostics, seen)


def _aux_mentions(text: str) -> list[tuple[str, str, int]]:
    """`("key", key, line)` for each `\\citation`, `("file", name, line)` for each `\\@input`."""
    out: list[tuple[str, str, int]] = []
    for number, line in enumerate(text.splitlines(), 1):
        for m in _AUX_CITE.finditer(line):
            group = re.findall(r"\{([^{}]*)\}", m[1])[-1]
            out += [("key", k.strip(), number) for k in group.split(",") if k.strip()]
        out += [("file", name, number) for name in _AUX_INPUT.findall(line)]
    return out


class _TexReader:
    """A .tex file read as TeX reads it, as far as citations go: comments (`%`, not `\\%`)
    dropped with their line end, one line end read as a space, a blank line a `\\par` that
    ends a command; so `\\cite[p.~3]⏎ {a, % why⏎ b}` cites `a` and `b`, each at its line."""

    def __init__(self, text: str) -> None:
        self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.starts = [0] + [m.end() for m in re.finditer("\n", self.text)]

    def line(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos)

    def mentions(self) -> list[tuple[str, str, int]]:
        """`("key", key, line)` for each cited key, `("file", name, line)` for each input."""
        out: list[tuple[str, str, int]] = []
        text, pos = self.text, 0
        while (pos := self._next_command(pos)) < len(text):
            start = pos
            letters = _LETTERS.match(text, pos + 1)
            pos = letters.end() if letters else pos + 1
            name = text[start + 1 : pos] or text[pos : pos + 1]
            if (m := _CITE.fullmatch(name)) is not None:
                keys, pos = self._cite_arguments(pos, many=bool(m["multi"]))
                out += [("key", key, line) for key, line in keys]
            elif name in _INPUTS:
                file, pos = self._input_argument(pos)
                if file:
                    out.append(("file", file, self.line(start)))
            else:
                pos = max(pos, start + 2)  # `\\%`, `\\\\`: a control symbol is two characters
        return out

    def _next_command(self, pos: int) -> int:
        """Where the next backslash outside a comment is (the end of the text if none)."""
        while m := _BACKSLASH_OR_COMMENT.search(self.text, pos):
            if m.group() == "\\":
                return m.start()
            pos = self.text.find("\n", m.start())
            if pos < 0:
                break
        return len(self.text)

    def _skip_space(self, pos: int) -> int | None:
        """Past spaces, comments and one line end; None at a blank line (TeX's `\\par`)."""
        text, new_line = self.text, False
        while pos < len(text):
            c = text[pos]
            if c == "%":
                end = text.find("\n", pos)
                pos, new_line = (len(text), True) if end < 0 else (end + 1, True)
            elif c == "\n":
                if new_line:
                    return None
                pos, new_line = pos + 1, True
            elif c in " \t":
                pos += 1
            else:
                break
        return pos

    def _cite_arguments(self, pos: int, many: bool) -> tuple[list[tuple[str, int]], int]:
        """The keys (with their lines) in the `{…}` arguments of a cite command, past `*` and
        `[…]` optional ones (`\\cite[p.~3]{a,b}`, `\\textcite[see][12]{a}`,
        `\\cites[x]{a}[y]{b}`); nothing from an argument a blank line cuts."""
        keys: list[tuple[str, int]] = []
        after = self._skip_space(pos)
        if after is not None and self.text.startswith("*", after):
            pos = after + 1
        while (after := self._skip_space(pos)) is not None and after < len(self.text):
            opener = self.text[after]
            if opener not in "[{":
                break
            group = self._group(after, "]" if opener == "[" else "}")
            if group is None:
                break
            pos, content = group
            if opener == "{":
                keys += self._keys(content)
                if not many:
                    break
        return keys, pos

    def _group(self, pos: int, closer: str) -> tuple[int, list[tuple[int, str]]] | None:
        """`[…]` or `{…}` from `pos`: where it ends, and its characters with their offsets
        (comments out, braces inside kept whole); None when a blank line or the end cuts it."""
        text, depth, out = self.text, 0, []
        pos += 1
        while pos < len(text):
            c = text[pos]
            if c == "%" or c == "\n":
                after = self._skip_space(pos)
                if after is None:
                    return None
                if c == "\n":  # a line end is a space; a comment takes its line end with it
                    out.append((pos, " "))
                pos = after
                continue
            if c == closer and depth == 0:
                return pos + 1, out
            if c == "\\":
                out += [(pos, c), (pos + 1, text[pos + 1 : pos + 2])]
                pos += 2
                continue
            depth += (c == "{") - (c == "}")
            out.append((pos, c))
            pos += 1
        return None

    def _keys(self, content: list[tuple[int, str]]) -> list[tuple[str, int]]:
        """The comma-separated keys of an argument, each with the line its first letter is on."""
        keys: list[tuple[str, int]] = []
        start = 0
        for i in range(len(content) + 1):
            if i == len(content) or content[i][1] == ",":
                chars = content[start:i]
                key = "".join(c for _, c in chars).strip()
                if key:
                    first = next(p for p, c in chars if not c.isspace())
                    keys.append((key, self.line(first)))
                start = i + 1
        return keys

    def _input_argument(self, pos: int) -> tuple[str, int]:
        """The file an `\\input`/`\\include`/`\\subfile` names (`{file}` or a bare `file`)."""
        after = self._skip_space(pos)
        if after is None:
            return "", pos
        if self.text.startswith("{", after):
            end = self.text.find("}", after)
            if end < 0:
                return "", after
            return self.text[after + 1 : end], end + 1
        m = _BARE_NAME.match(self.text, after)
        return (m.group(), m.end()) if m else ("", after)


def _resolve(folder: Path, name: str, aux: bool) -> Path | None:
    base = folder / name.strip()
    for candidate in (base, base.with_name(base.name + (".aux" if aux else ".tex"))):
        if candidate.is_file():
            return candidate
    return None
