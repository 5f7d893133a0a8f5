"""RIS for Zotero: the one format whose notes arrive in Zotero as notes, paragraphs intact.

The shape follows what Zotero's RIS import (translator `RIS.js`) does with each tag:

- `TY  - MANSCPT` is a safe type; `M2` lines go to Extra, where `Type: preprint` re-types the
  item, `Archive ID:` + U+00A0 + `arXiv:ID` fills Archive ID (with a normal space Zotero
  leaves the line in Extra, because the value has a colon) and `Citation Key:` the key.
- Each `N1` becomes a child note and is kept as HTML: one physical line of `<p>…</p>`
  paragraphs (a blank line in the note starts a paragraph, a line break is `<br/>`).
  `& < >` are escaped, and so is every `:` (`&#58;`): Zotero's ProCite clean-up reads the
  first `Words: value` in an `N1` as a field (`Language: Python` would become the item's
  language, `Notes: …` would lose what precedes it). Line separators that would split the
  line (CR, U+2028, U+2029) are written as character references too.
- Every other value except `AB` is read as HTML by Zotero (`unescapeHTML`), so a `<` or an
  `&` that could start a character reference is escaped there; `AB` is taken raw.

Lines end in LF, like every note2bib output (the RIS spec says CRLF; Zotero's reader, which
imports its own CRLF exports, takes both, and a text-mode stdout on Windows adds the CR).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from note2bib.model import Name, Paper, Record

if TYPE_CHECKING:
    from note2bib.formats import RenderOptions

Tag = tuple[str, str]

_NBSP = "\N{NO-BREAK SPACE}"
_NOTE_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        ":": "&#58;",
        "\r": "&#13;",
        "\u2028": "&#8232;",
        "\u2029": "&#8233;",
    }
)
# In a value Zotero unescapes as HTML: `<` opens a tag, `&` + name/`#` a character reference.
_HTML_SIGNIFICANT = re.compile(r"<|&(?=[#A-Za-z0-9])")


def render(records: Sequence[Record], options: RenderOptions) -> str:
    """Every record as `TY … ER`, one `TAG  - value` a line, no blank lines."""
    tags = [t for r in records for t in _record(r, options)]
    return "".join(f"{tag}  - {value}\n" for tag, value in tags)


def _record(record: Record, options: RenderOptions) -> list[Tag]:
    """One record: its fields, then one `N1` per unit of its notes, then `ER`."""
    body = _paper_tags(record, record.paper, options) if record.paper else _note_tags(record)
    notes = [("N1", _note_html(u.note)) for u in record.units]
    return [*body, *notes, ("ER", "")]


def _paper_tags(record: Record, paper: Paper, options: RenderOptions) -> list[Tag]:
    """A resolved paper as a Zotero preprint with its full arXiv identity."""
    published = paper.published
    tags = [
        ("TY", "MANSCPT"),
        ("TI", _text(paper.title)),
        *[("AU", _text(_author(n))) for n in record.authors],
        # Version 1's date, so the year never moves when arXiv gets a new version.
        ("PY", f"{published.year:04d}"),
        ("DA", f"{published.year:04d}/{published.month:02d}/{published.day:02d}/"),
    ]
    if options.abstract and paper.summary.strip():
        tags.append(("AB", " ".join(paper.summary.split())))  # Zotero takes AB raw
    tags.append(("DO", _text(paper.doi or record.doi or paper.id.doi)))
    if record.url:
        tags.append(("UR", _text(record.url)))
    tags += [("PB", "arXiv"), ("DP", "arXiv.org")]
    keywords = dict.fromkeys([*record.keywords, *paper.categories])  # front-matter tags first
    tags += [("KW", _text(k)) for k in keywords]
    tags += [
        ("M2", "Type: preprint"),
        ("M2", f"Archive ID:{_NBSP}arXiv:{paper.id.base}"),
        ("M2", f"Citation Key: {record.key}"),
        ("M2", f"arXiv:{paper.id.base} [{_text(paper.primary_category)}]"),
    ]
    if paper.journal_ref:
        tags.append(("M2", f"Journal reference: {_text(paper.journal_ref)}"))
    return tags


def _note_tags(record: Record) -> list[Tag]:
    """An unresolved note: a generic item titled by its heading, with what an arXiv id tells."""
    tags = [("TY", "GEN"), ("TI", _text(record.title))]
    tags += [("AU", _text(_author(a))) for a in record.authors]  # from the front matter
    if record.arxiv_id is None and record.year is not None:
        tags.append(("PY", f"{record.year:04d}"))
    if record.arxiv_id is not None:
        tags += [
            # The id's YYMM is when version 1 was submitted: the year is known without arXiv.
            ("PY", f"{record.arxiv_id.submitted[0]:04d}"),
            ("DO", record.arxiv_id.doi),
        ]
    elif record.doi:  # from the note's front matter
        tags.append(("DO", _text(record.doi)))
    if record.url:
        tags.append(("UR", _text(record.url)))
    tags += [("KW", _text(k)) for k in record.keywords]
    tags.append(("M2", f"Citation Key: {record.key}"))
    if record.arxiv_id is not None:
        tags.append(("M2", f"arXiv:{record.arxiv_id.base}"))
    return tags


def _note_html(text: str) -> str:
    """A note as one line of Zotero note HTML: blank lines → `<p>`, line breaks → `<br/>`."""
    return "".join(
        "<p>"
        + "<br/>".join(line.translate(_NOTE_ESCAPES) for line in paragraph.split("\n"))
        + "</p>"
        for paragraph in text.split("\n\n")
    )


def _author(name: Name) -> str:
    """`Last, First` (`van der Sommen, Fons`; `Last, First, Jr.`); an organisation whole."""
    if name.literal:
        return name.family
    last = " ".join(p for p in (name.prefix, name.family) if p)
    return ", ".join(p for p in (last, name.given, name.suffix) if p)


def _text(value: str) -> str:
    """A one-line value Zotero reads as HTML: white space runs as one space, markup escaped."""
    one_line = " ".join(value.split())
    return _HTML_SIGNIFICANT.sub(lambda m: "&lt;" if m[0] == "<" else "&amp;", one_line)
