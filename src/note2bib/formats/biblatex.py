"""biblatex: one `@online` per record for biber, UTF-8 kept, the notes in `annote`.

biber reads `annote` as an alias of biblatex's `annotation` (so `style=reading` prints it),
and Zotero keeps `annote` where it drops `annotation`. Names and titles stay UTF-8: biber
sorts, initialises and abbreviates them itself, which bibtex cannot do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from note2bib.formats.bibtex import (
    Field,
    braced,
    note_end,
    render_authors,
    render_entries,
    verbatim,
)
from note2bib.latex import encode_text, encode_title
from note2bib.model import Paper, Record

if TYPE_CHECKING:
    from note2bib.formats import RenderOptions


def render(records: Sequence[Record], options: RenderOptions) -> str:
    """The bibliography: entries in the given order, a blank line between, one final newline."""
    return render_entries("online", records, options, _paper_fields, _note_fields)


def _paper_fields(record: Record, paper: Paper, options: RenderOptions) -> list[Field]:
    """Every field of a resolved paper, in the documented order."""
    fields: list[Field] = [("title", braced(encode_title(paper.title, ascii=False)))]
    if record.authors:
        fields.append(("author", braced(render_authors(record.authors, ascii=False))))
    fields += [
        # Version 1's date, so the year never moves when arXiv gets a new version.
        ("date", braced(paper.published.strftime("%Y-%m-%d"))),
        ("eprint", braced(paper.id.base)),
        ("eprinttype", "{arxiv}"),
        ("eprintclass", braced(paper.primary_category)),
        ("doi", braced(verbatim(paper.doi or record.doi or paper.id.doi))),
    ]
    if record.url:
        fields.append(("url", braced(verbatim(record.url))))
    if paper.journal_ref:
        # A free-text journal-ref cannot be split honestly into journaltitle/volume/pages;
        # `addendum` prints it as written at the end of the entry.
        fields.append(
            ("addendum", braced(encode_title(paper.journal_ref, ascii=False, protect=False)))
        )
    elif not paper.doi:
        fields.append(("pubstate", "{prepublished}"))
    keywords = list(dict.fromkeys([*record.keywords, *paper.categories]))  # tags first
    if keywords:
        fields.append(("keywords", braced(encode_text(", ".join(keywords)))))
    if options.abstract and paper.summary.strip():
        fields.append(("abstract", braced(encode_title(paper.summary, ascii=False, protect=False))))
    fields.append(("annote", braced(encode_text(record.note))))
    return fields


def _note_fields(record: Record) -> list[Field]:
    """An unresolved note: its heading as title, what the id tells, its link, the note."""
    fields: list[Field] = [("title", braced(encode_title(record.title, ascii=False, math=False)))]
    if record.authors:  # from the note's front matter
        fields.append(("author", braced(render_authors(record.authors, ascii=False))))
    if record.arxiv_id is None and record.year is not None:  # from the note's front matter
        fields.append(("date", braced(str(record.year))))
    if record.arxiv_id is not None:
        base = record.arxiv_id.base
        year, month = record.arxiv_id.submitted
        fields += [
            # The id's YYMM is when version 1 was submitted: known without arXiv.
            ("date", braced(f"{year:04d}-{month:02d}")),
            ("eprint", braced(base)),
            ("eprinttype", "{arxiv}"),
            ("doi", braced(record.arxiv_id.doi)),
        ]
    elif record.doi:  # from the note's front matter
        fields.append(("doi", braced(verbatim(record.doi))))
    return fields + note_end(record)
