"""CSL-JSON for pandoc and citeproc: Zotero's own shape for an arXiv preprint, notes in `annote`.

Zotero's CSL-JSON import (`itemFromCSLJSON`) maps `type: "article"` to a preprint,
`publisher` to Repository, `number` to Archive ID, `source` to Library Catalog and `note` to
Extra, where it parses `Key: value` lines as fields. So the user's notes never go to `note`:
they go to `annote`, the CSL variable pandoc and citeproc keep for annotated bibliographies
(and which Zotero drops: CSL-JSON cannot carry notes into Zotero; RIS can).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from note2bib.model import Name, Paper, Record

if TYPE_CHECKING:
    from note2bib.formats import RenderOptions

Item = dict[str, Any]


def render(records: Sequence[Record], options: RenderOptions) -> str:
    """A JSON array of CSL items in the given order, UTF-8 kept, one final newline."""
    items = [_paper_item(r, r.paper, options) if r.paper else _note_item(r) for r in records]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def _paper_item(record: Record, paper: Paper, options: RenderOptions) -> Item:
    """A resolved paper with the fields Zotero itself exports for an arXiv preprint."""
    item: Item = _head(record, "article", _one_line(paper.title))
    if record.authors:
        item["author"] = [_name(n) for n in record.authors]
    published = paper.published
    # Version 1's date, so the year never moves when arXiv gets a new version.
    item["issued"] = {"date-parts": [[published.year, published.month, published.day]]}
    item |= _arxiv_identity(paper.id.base)
    item["DOI"] = paper.doi or paper.id.doi
    if record.url:
        item["URL"] = record.url
    item["source"] = "arXiv.org"
    # Zotero's Extra line for an arXiv paper. A journal-ref is free text (no honest
    # container-title); it goes on a line of its own, whose key Zotero does not know.
    lines = [f"arXiv:{paper.id.base} [{paper.primary_category}]"]
    if paper.journal_ref:
        lines.append(f"Journal reference: {_one_line(paper.journal_ref)}")
    item["note"] = "\n".join(lines)
    if options.abstract and paper.summary.strip():
        item["abstract"] = _one_line(paper.summary)
    item |= _keyword(record)
    item["annote"] = record.note
    return item


def _note_item(record: Record) -> Item:
    """An unresolved note: a document titled by its heading, or what an arXiv id tells."""
    if record.arxiv_id is None:
        item = _head(record, "document", record.title)
        if record.authors:  # from the note's front matter
            item["author"] = [_name(n) for n in record.authors]
        if record.year is not None:
            item["issued"] = {"date-parts": [[record.year]]}
    else:
        base = record.arxiv_id.base
        year, month = record.arxiv_id.submitted
        item = _head(record, "article", record.title)
        # The id's YYMM is when version 1 was submitted: known without arXiv.
        item["issued"] = {"date-parts": [[year, month]]}
        item |= _arxiv_identity(base)
        item["DOI"] = record.arxiv_id.doi
    if record.url:
        item["URL"] = record.url
    item |= _keyword(record)
    item["annote"] = record.note
    return item


def _keyword(record: Record) -> Item:
    """The front matter's tags: CSL's `keyword` is one string (the CSL 1.0.2 schema's type),
    the tags comma-separated."""
    return {"keyword": ", ".join(record.keywords)} if record.keywords else {}


def _head(record: Record, kind: str, title: str) -> Item:
    return {"id": record.key, "citation-key": record.key, "type": kind, "title": title}


def _arxiv_identity(base: str) -> Item:
    # Zotero: publisher → Repository, number → Archive ID.
    return {"publisher": "arXiv", "number": f"arXiv:{base}"}


def _name(name: Name) -> dict[str, str]:
    """A CSL name; the particle stays in `family` (`van der Sommen`).

    Zotero's import reads only `family`/`given` (a `non-dropping-particle` would be lost),
    while citeproc-js and pandoc split a lower-case particle off `family` themselves.
    """
    if name.literal:
        return {"literal": name.family}
    out = {"family": " ".join(p for p in (name.prefix, name.family) if p)}
    if name.given:
        out["given"] = name.given
    if name.suffix:
        out["suffix"] = name.suffix
    return out


def _one_line(text: str) -> str:
    """arXiv's line-wrapped titles and abstracts as one line."""
    return " ".join(text.split())
