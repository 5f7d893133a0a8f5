"""A CSL-JSON library (Zotero's, pandoc's) → entries, with BibTeX-like field names.

Each item is mapped to the fields matching reads in a `.bib` entry: `title`, `author`
(`Family, Given and …`), `year`, `doi`, `url`, `note`, `journal` (container-title), `number`
(where Zotero puts `arXiv:ID`), `pages`, `chapter`. Values are text, not LaTeX.
"""

from __future__ import annotations

import json
from typing import Any

from note2bib.errors import InputError
from note2bib.model import Diagnostic, LibraryEntry

_FIELDS = {
    "title": "title",
    "DOI": "doi",
    "URL": "url",
    "note": "note",
    "container-title": "journal",
    "number": "number",
    "page": "pages",
    "chapter-number": "chapter",
    "archive_location": "eprint",
}


def parse_csl_json(text: str, path: str) -> tuple[list[LibraryEntry], list[Diagnostic]]:
    """Every item of a CSL-JSON array, with its line and byte span in the file."""
    decoder = json.JSONDecoder()
    items: list[tuple[int, int, Any]] = []
    pos = _skip_space(text, 0)
    if text.startswith("\ufeff", pos):
        pos = _skip_space(text, pos + 1)
    if not text.startswith("[", pos):
        raise InputError(f"{path}:{_line(text, pos)}: a CSL-JSON library is a JSON array (`[`)")
    pos = _skip_space(text, pos + 1)
    while not text.startswith("]", pos):
        try:
            item, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as err:
            raise InputError(f"{path}:{err.lineno}: not valid JSON ({err.msg})") from None
        items.append((pos, end, item))
        pos = _skip_space(text, end)
        if text.startswith(",", pos):
            pos = _skip_space(text, pos + 1)
        elif not text.startswith("]", pos):
            raise InputError(f"{path}:{_line(text, pos)}: expected `,` or `]` in the JSON array")
    entries, diagnostics = [], []
    offsets = _Offsets(text)
    for start, end, item in items:
        line = offsets.line(start)
        if not isinstance(item, dict) or not isinstance(item.get("id"), str | int):
            diagnostics.append(Diagnostic("a CSL-JSON item without an `id`; skipped", path, line))
            continue
        entries.append(
            LibraryEntry(
                key=str(item["id"]),
                type=str(item.get("type", "")),
                fields=_fields(item),
                file=path,
                line=line,
                span=(offsets.byte(start), offsets.byte(end)),
            )
        )
    return entries, diagnostics


def _fields(item: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    fields = [(name, str(item[csl])) for csl, name in _FIELDS.items() if _present(item.get(csl))]
    authors = item.get("author")
    if isinstance(authors, list) and authors:
        fields.append(("author", " and ".join(_name(a) for a in authors if isinstance(a, dict))))
    year = _year(item.get("issued"))
    if year:
        fields.append(("year", year))
    return tuple(fields)


def _present(value: Any) -> bool:
    return isinstance(value, str | int) and str(value).strip() != ""


def _name(name: dict[str, Any]) -> str:
    if "literal" in name:
        return "{" + str(name["literal"]) + "}"
    family = " ".join(str(name.get(p, "")) for p in ("non-dropping-particle", "family")).strip()
    given = str(name.get("given", ""))
    return f"{family}, {given}" if given else family


def _year(issued: Any) -> str | None:
    if not isinstance(issued, dict):
        return None
    parts = issued.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        return str(parts[0][0])
    raw = issued.get("raw") or issued.get("literal")
    return str(raw)[:4] if isinstance(raw, str) and raw[:4].isdigit() else None


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


class _Offsets:
    """Lines and byte offsets of increasing character positions, counted incrementally."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._pos, self._line, self._byte = 0, 1, 0

    def _advance(self, pos: int) -> None:
        chunk = self.text[self._pos : pos]
        self._line += chunk.count("\n")
        self._byte += len(chunk.encode("utf-8"))
        self._pos = pos

    def line(self, pos: int) -> int:
        self._advance(pos)
        return self._line

    def byte(self, pos: int) -> int:
        self._advance(pos)
        return self._byte
