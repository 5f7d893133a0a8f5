"""BibTeX: one `@misc` per record, fields in a fixed order, the notes in one `annote`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from note2bib.latex import encode_name_part, encode_text, encode_title
from note2bib.model import Name, Paper, Record

if TYPE_CHECKING:  # the registry imports this module; at run time nothing is needed back
    from note2bib.formats import RenderOptions

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Characters a verbatim field (url, doi) cannot hold raw: BibTeX counts every brace, a
# backslash or white space would end or change the value. Percent-encoding keeps the address.
_UNSAFE_IN_VERBATIM = re.compile(r"[{}\\\s\"]")

Field = tuple[str, str]


def render(records: Sequence[Record], options: RenderOptions) -> str:
    """The bibliography: entries in the given order, a blank line between, one final newline."""
    return "\n".join(_entry(r, options) for r in records)


def _entry(record: Record, options: RenderOptions) -> str:
    """One `@misc{key, …}` block ending with a newline."""
    fields = _paper_fields(record, record.paper, options) if record.paper else _note_fields(record)
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@misc{{{record.key},\n{body}\n}}\n"


def _paper_fields(record: Record, paper: Paper, options: RenderOptions) -> list[Field]:
    """Every field of a resolved paper, in the documented order."""
    fields: list[Field] = [("title", _braced(encode_title(paper.title)))]
    if record.authors:  # an empty author field only earns a bibtex warning
        fields.append(("author", _braced(render_authors(record.authors))))
    fields += [
        # Version 1's date, so the year never moves when arXiv gets a new version.
        ("year", _braced(str(paper.published.year))),
        # A bare month macro: every .bst, biber, pybtex and bibtexparser know jan…dec.
        ("month", _MONTHS[paper.published.month - 1]),
        *_arxiv_fields(paper.id.base),
        ("primaryClass", _braced(paper.primary_category)),
        ("doi", _braced(_verbatim(paper.doi or record.doi or paper.arxiv_doi))),
    ]
    if paper.journal_ref:
        fields.append(("howpublished", _braced(encode_title(paper.journal_ref, protect=False))))
    if record.url:
        fields.append(("url", _braced(_verbatim(record.url))))
    fields.append(("publisher", "{arXiv}"))
    keywords = list(dict.fromkeys([*record.keywords, *paper.categories]))
    if keywords:
        fields.append(("keywords", _braced(encode_text(", ".join(keywords)))))
    if options.abstract and paper.summary.strip():
        fields.append(("abstract", _braced(encode_title(paper.summary, protect=False))))
    fields.append(("annote", _braced(encode_text(record.note))))
    return fields


def _note_fields(record: Record) -> list[Field]:
    """An unresolved note: its heading as title, what is known of the id, its link, the note."""
    fields: list[Field] = [("title", _braced(encode_title(record.title, math=False)))]
    if record.arxiv_id is None:
        # With no author, `key` is what styles sort by and natbib shows as the label.
        fields.append(("key", _braced(encode_title(record.title, protect=False, math=False))))
        if record.doi:  # from the note's front matter
            fields.append(("doi", _braced(_verbatim(record.doi))))
    else:
        base = record.arxiv_id.base
        fields += [
            ("key", _braced(f"arXiv:{base}")),
            # The id's YYMM is when version 1 was submitted: the year is known without arXiv.
            ("year", _braced(str(id_year(base)))),
            *_arxiv_fields(base),
            ("doi", _braced(f"10.48550/arXiv.{base}")),
        ]
    if record.url:
        fields.append(("url", _braced(_verbatim(record.url))))
    if record.keywords:
        fields.append(("keywords", _braced(encode_text(", ".join(record.keywords)))))
    fields.append(("annote", _braced(encode_text(record.note))))
    return fields


def id_year(base: str) -> int:
    """The year in an arXiv id: `2307.99999` → 2023, `hep-th/9901001` → 1999."""
    yy = int(base.rsplit("/", 1)[-1][:2])
    return (1900 if yy >= 91 else 2000) + yy


def _arxiv_fields(base: str) -> list[Field]:
    # `eprinttype` as well as `archivePrefix`: stock Zotero and pandoc read `eprint` only with it.
    return [("eprint", _braced(base)), ("archivePrefix", "{arXiv}"), ("eprinttype", "{arxiv}")]


def render_authors(names: Sequence[Name]) -> str:
    """`Last, First and …` as BibTeX reads it; an organisation braced whole."""
    return " and ".join(_name(n) for n in names)


def _name(name: Name) -> str:
    """`von Last, Jr, First`, the form BibTeX parses without guessing."""
    if name.literal:
        return "{" + encode_name_part(name.family) + "}"
    last = " ".join(p for p in (name.prefix, name.family) if p)
    parts = [encode_name_part(last)]
    if name.suffix:
        parts.append(encode_name_part(name.suffix))
    if name.given or name.suffix:
        parts.append(encode_name_part(name.given))
    return ", ".join(parts)


def _verbatim(value: str) -> str:
    """A URL or DOI as written, except the few characters BibTeX cannot carry (percent-encoded)."""
    return _UNSAFE_IN_VERBATIM.sub(lambda m: "".join(f"%{b:02X}" for b in m[0].encode()), value)


def _braced(value: str) -> str:
    return "{" + value + "}"
