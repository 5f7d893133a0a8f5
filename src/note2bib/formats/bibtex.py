"""BibTeX: one `@misc` per record, fields in a fixed order, the notes in one `annote`."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
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
    return render_entries("misc", records, options, _paper_fields, _note_fields)


def render_entries(
    kind: str,
    records: Sequence[Record],
    options: RenderOptions,
    paper_fields: Callable[[Record, Paper, RenderOptions], list[Field]],
    note_fields: Callable[[Record], list[Field]],
) -> str:
    """One `@kind` entry per record, a blank line between, one final newline: a resolved
    paper's fields from `paper_fields`, an unresolved note's from `note_fields`."""
    return "\n".join(
        entry(kind, r.key, paper_fields(r, r.paper, options) if r.paper else note_fields(r))
        for r in records
    )


def entry(kind: str, key: str, fields: Sequence[Field]) -> str:
    """One `@kind{key, …}` block, a field a line, ending with a newline."""
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@{kind}{{{key},\n{body}\n}}\n"


def _paper_fields(record: Record, paper: Paper, options: RenderOptions) -> list[Field]:
    """Every field of a resolved paper, in the documented order."""
    fields: list[Field] = [("title", braced(encode_title(paper.title)))]
    if record.authors:  # an empty author field only earns a bibtex warning
        fields.append(("author", braced(render_authors(record.authors))))
    fields += [
        # Version 1's date, so the year never moves when arXiv gets a new version.
        ("year", braced(str(paper.published.year))),
        # A bare month macro: every .bst, biber, pybtex and bibtexparser know jan…dec.
        ("month", _MONTHS[paper.published.month - 1]),
        *_arxiv_fields(paper.id.base),
        ("primaryClass", braced(paper.primary_category)),
        ("doi", braced(verbatim(paper.doi or record.doi or paper.id.doi))),
    ]
    if paper.journal_ref:
        fields.append(("howpublished", braced(encode_title(paper.journal_ref, protect=False))))
    if record.url:
        fields.append(("url", braced(verbatim(record.url))))
    fields.append(("publisher", "{arXiv}"))
    keywords = list(dict.fromkeys([*record.keywords, *paper.categories]))
    if keywords:
        fields.append(("keywords", braced(encode_text(", ".join(keywords)))))
    if options.abstract and paper.summary.strip():
        fields.append(("abstract", braced(encode_title(paper.summary, protect=False))))
    fields.append(("annote", braced(encode_text(record.note))))
    return fields


def _note_fields(record: Record) -> list[Field]:
    """An unresolved note: its heading as title, what is known of the id, its link, the note."""
    fields: list[Field] = [("title", braced(encode_title(record.title, math=False)))]
    if record.authors:  # from the note's front matter
        fields.append(("author", braced(render_authors(record.authors))))
    if record.arxiv_id is None:
        # With no author, `key` is what styles sort by and natbib shows as the label.
        fields.append(("key", braced(encode_title(record.title, protect=False, math=False))))
        if record.year is not None:  # from the note's front matter
            fields.append(("year", braced(str(record.year))))
        if record.doi:  # from the note's front matter
            fields.append(("doi", braced(verbatim(record.doi))))
    else:
        base = record.arxiv_id.base
        fields += [
            ("key", braced(f"arXiv:{base}")),
            # The id's YYMM is when version 1 was submitted: the year is known without arXiv.
            ("year", braced(str(record.arxiv_id.submitted[0]))),
            *_arxiv_fields(base),
            ("doi", braced(record.arxiv_id.doi)),
        ]
    return fields + note_end(record)


def note_end(record: Record) -> list[Field]:
    """The last fields of an unresolved note's entry: its link, its tags, the note."""
    fields: list[Field] = []
    if record.url:
        fields.append(("url", braced(verbatim(record.url))))
    if record.keywords:
        fields.append(("keywords", braced(encode_text(", ".join(record.keywords)))))
    fields.append(("annote", braced(encode_text(record.note))))
    return fields


def _arxiv_fields(base: str) -> list[Field]:
    # `eprinttype` as well as `archivePrefix`: stock Zotero and pandoc read `eprint` only with it.
    return [("eprint", braced(base)), ("archivePrefix", "{arXiv}"), ("eprinttype", "{arxiv}")]


def render_authors(names: Sequence[Name], *, ascii: bool = True) -> str:
    """`Last, First and …` as BibTeX reads it; an organisation braced whole."""
    return " and ".join(_name(n, ascii) for n in names)


def _name(name: Name, ascii: bool) -> str:
    """`von Last, Jr, First`, the form BibTeX parses without guessing."""
    if name.literal:
        return "{" + encode_name_part(name.family, ascii=ascii) + "}"
    last = " ".join(p for p in (name.prefix, name.family) if p)
    parts = [encode_name_part(last, ascii=ascii)]
    if name.suffix:
        parts.append(encode_name_part(name.suffix, ascii=ascii))
    if name.given or name.suffix:
        parts.append(encode_name_part(name.given, ascii=ascii))
    return ", ".join(parts)


def verbatim(value: str) -> str:
    """A URL or DOI as written, except the few characters BibTeX cannot carry (percent-encoded)."""
    return _UNSAFE_IN_VERBATIM.sub(lambda m: "".join(f"%{b:02X}" for b in m[0].encode()), value)


def braced(value: str) -> str:
    return "{" + value + "}"
