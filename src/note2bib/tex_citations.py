"""The keys a LaTeX document cites: `\\cite`-family commands in .tex (following `\\input` and
`\\include`), or `\\citation` lines in the .aux LaTeX wrote (following `\\@input`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from note2bib.files import read_text
from note2bib.model import Diagnostic

# \cite \citep \citet \citealp \citeauthor \citeyear \Citet \nocite \autocite \parencite
# \textcite \footcite \smartcite \supercite \fullcite \cites \parencites ... (starred too)
_CITE = re.compile(
    r"\\(?P<cmd>(?:no|auto|paren|text|foot|footfull|smart|super|full|Auto|Paren|Text|Foot|Smart)?"
    r"[cC]ite(?:p|t|alp|alt|author|year|yearpar|title|url|date|num)?(?P<multi>s)?)\*?"
    r"(?![A-Za-z@])"
)
_INPUT = re.compile(r"\\(?:input|include|subfile)\s*(?:\{([^{}]*)\}|([^\s{}\\%]+))")
_COMMENT = re.compile(r"(?<!\\)%.*")
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
    for number, line in enumerate(text.splitlines(), 1):
        code = line if aux else _COMMENT.sub("", line)
        for key in _keys_on_line(code, aux):
            found.setdefault(key, Citation(key, str(path), number))
        for included in _included(code, aux):
            target = _resolve(root, included, aux)
            if target is None:
                message = f"{included} not found; its citations are not read"
                diagnostics.append(Diagnostic(message, str(path), number))
            elif target.resolve() not in seen:
                _scan(target, root, aux, found, diagnostics, seen)


def _keys_on_line(line: str, aux: bool) -> list[str]:
    groups: list[str]
    if aux:
        groups = [re.findall(r"\{([^{}]*)\}", m[1])[-1] for m in _AUX_CITE.finditer(line)]
    else:
        groups = []
        for m in _CITE.finditer(line):
            groups += _argument_groups(line, m.end(), many=bool(m["multi"]))
    return [k.strip() for group in groups for k in group.split(",") if k.strip()]


def _argument_groups(line: str, pos: int, many: bool) -> list[str]:
    """The mandatory `{…}` arguments after a cite command, skipping `[…]` optional ones
    (`\\cite[p.~3]{a,b}`, `\\textcite[see][12]{a}`, `\\cites[x]{a}[y]{b}`)."""
    groups: list[str] = []
    while True:
        while pos < len(line) and line[pos].isspace():
            pos += 1
        if line.startswith("[", pos):
            end = line.find("]", pos)
            if end < 0:
                return groups
            pos = end + 1
        elif line.startswith("{", pos):
            end = line.find("}", pos)
            if end < 0:
                return groups
            groups.append(line[pos + 1 : end])
            pos = end + 1
            if not many:
                return groups
        else:
            return groups


def _included(line: str, aux: bool) -> list[str]:
    if aux:
        return _AUX_INPUT.findall(line)
    return [braced or bare for braced, bare in _INPUT.findall(line)]


def _resolve(folder: Path, name: str, aux: bool) -> Path | None:
    base = folder / name.strip()
    for candidate in (base, base.with_name(base.name + (".aux" if aux else ".tex"))):
        if candidate.is_file():
            return candidate
    return None
