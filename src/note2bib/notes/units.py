"""What a note is: a parsed document → units, each the text about one paper.

Pure decisions over a `Document` (see `realnotes/README.md` for the rules):

- **One paper per file**: front matter that names a paper, or a file whose parts (Summary,
  "2. 방법론", References…) all serve the one paper it names, is one unit.
- **A heading per paper**: a section whose heading names a paper, or whose blocks name one
  paper (a `paper: https://arxiv…` line under a title), is that paper's unit.
- **A block per paper**: where a section's blocks name different papers, each list item (with
  its nested items), table row, paragraph or `<details>` group is the unit of its paper. A
  block shaped as a reference (a linked, bold or quoted title, a citation, a paper table's
  row) names a paper even without an arXiv id.
- **Mentions**: a paper named inside another paper's unit gets the paragraph or item naming it.
- **Context**: a unit carries the headings above it (not the document's title).
- **Not notes**: comments, and sections naming no paper where the papers are blocks.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote

from note2bib.arxiv.ids import find_arxiv_ids
from note2bib.model import ArxivId, Diagnostic, FrontMatter, Mention, Unit, UnitKind
from note2bib.notes.markdown import (
    Block,
    Document,
    Inline,
    find_links,
    inline_tokens,
    parse_document,
    plain_text,
    without_comments,
)
from note2bib.notes.parts import is_boilerplate, is_label, is_numbered, is_part_heading
from note2bib.notes.references import (
    Titled,
    clean_title,
    is_title_like,
    link_title,
    may_name_a_title,
    plain_lead,
    quoted_link,
    read_lead,
    title_column,
)
from note2bib.title_match import names_within
from note2bib.titles import heading_title, looks_like_title, normalize_title

_PART_SHARE = 0.6
"""Share of a section's subsections that must be parts for it to be one note about a paper."""
_WIKILINK = re.compile(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]")
_URLS = re.compile(r"\(?https?://[^\s()]+\)?")
_DOI = re.compile(r"(?<!\d)10\.\d{4,9}/")
# Characters of inline Markdown: a heading without any is its own plain text.
_MARKUP = re.compile(r"[\[\]*_`\\<>&$!~%]")


@dataclass(frozen=True)
class _Hit:
    """An arXiv id as written in the file (1-based line)."""

    id: ArxivId
    line: int
    written: str


@dataclass(eq=False)
class _Ref:
    """A paper a block names: by arXiv id (`key` "arxiv:ID") or by title only ("title:…")."""

    key: str
    title: str
    block: Block
    hits: list[_Hit] = field(default_factory=list)
    titled: bool = False
    citation: bool = False
    together: list[_Ref] = field(default_factory=list)
    """Papers named by id on the same line as this one, with no title for either: a
    comparison ("arXiv:2307.00522 vs arXiv:2307.04725") is about both."""


@dataclass(eq=False)
class _Draft:
    """A unit decided but not yet cut: the blocks it spans and the papers it is about."""

    kind: UnitKind
    blocks: list[Block]
    subjects: list[_Ref]
    path: list[str]
    title: str
    skip: list[Block] = field(default_factory=list)
    """Blocks inside `blocks` that are not part of it (subsections that are notes of their own)."""


@dataclass
class Reading:
    """The units of one file, and what reading it found worth saying."""

    units: list[Unit]
    diagnostics: list[Diagnostic] = field(default_factory=list)


def find_units(
    document: Document,
    source: str,
    front: FrontMatter | None = None,
    paragraphs: bool = False,
) -> Reading:
    """Every unit of a document, in the order of the file.

    `paragraphs` (a plain-text file): without headings, each paragraph is a note.
    """
    return _Reader(document, source, front, paragraphs).read()


class _Reader:
    """One document's decisions, with what it learns of each block cached."""

    def __init__(
        self, document: Document, source: str, front: FrontMatter | None, paragraphs: bool
    ) -> None:
        self.doc = document
        self.lines = document.lines
        self.source = source
        self.front = front
        self.paragraphs = paragraphs
        self.drafts: list[_Draft] = []
        self.candidates: list[tuple[Block, list[str], bool]] = []
        """Sections naming no paper, kept only where papers have sections of their own
        (with whether the whole section or only its own blocks)."""
        self.section_units = 0
        self.block_units = 0
        self.diagnostics: list[Diagnostic] = []
        self._every_hit: tuple[list[int], list[_Hit]] | None = None
        self._hits: dict[int, list[_Hit]] = {}
        self._lead_lists: dict[int, list[_Ref]] = {}
        self._strongs: dict[int, _Ref | None] = {}
        self._comment_ranges: list[tuple[int, int]] | None = None
        self._lead: dict[int, _Ref | None] = {}
        self._titles: dict[tuple[int, bool], Titled | None] = {}
        self._groups: dict[int, list[Block]] = {}
        self._anchors: set[str] | None = None
        self._id_titles: set[str] | None = None
        self._by_ids_only = 0
        """Inside a README section about the repository (Contents, Contact): only papers
        named by an arXiv id are entries, never its links by their text."""
        self._inline: dict[int, list[Inline]] = {}
        self.title_block = self._document_title()

    # --- reading ------------------------------------------------------------------------

    def read(self) -> Reading:
        root = self.doc.root
        if not self._has_content(root):
            return Reading([])
        front_subjects = self._front_subjects()
        if front_subjects is not None:
            subjects, title = front_subjects
            self.drafts.append(_Draft("file", [root], subjects, [], title))
        elif self.paragraphs and not any(b.kind == "section" for b in root.children):
            self._paragraph_notes(root)
        else:
            self._decide_section(root, [])
            self._keep_candidates()
        self._add_mentions()
        units = self._units()
        return Reading(units, self.diagnostics)

    def _front_subjects(self) -> tuple[list[_Ref], str] | None:
        """A file whose front matter names its paper: the papers, and the file's title."""
        front = self.front
        if front is None:
            return None
        root = self.doc.root
        title = front.title or self._first_title(root)
        if front.arxiv:
            refs = []
            for mention in front.arxiv:
                ref = _Ref(_arxiv_key(mention.id), title, root)
                ref.hits.append(_Hit(mention.id, mention.line, mention.written))
                refs.append(ref)
            return _distinct(refs), title
        leads = self._distinct_leads(root, [front.title] if front.title else [])
        titled = bool(front.title) and looks_like_title(heading_title(front.title or "").title)
        if front.doi or (titled and len(leads) <= 1):
            if leads:
                return leads, title
            return [_Ref(_title_key(title), title, root, titled=True)], title
        if titled and self._one_paper_note(root):
            # The front matter's title over parts ("## Summary", "## References"): a review.
            return [self._own_paper(root, leads, front.title or "")], title
        return None

    def _paragraph_notes(self, root: Block) -> None:
        """A plain-text file without headings: each paragraph is a note of its own."""
        for block in root.children:
            if block.kind in ("comment", "rule") or not self._has_content(block):
                continue
            lead = self._lead_of(block)
            subjects = [lead] if lead else []
            title = lead.title if lead and lead.title else self._first_line(block)
            self.drafts.append(_Draft("paragraph", [block], subjects, [], title))

    # --- sections -----------------------------------------------------------------------

    def _decide_section(self, section: Block, path: list[str]) -> None:
        heading = section.heading
        strong = self._strong(section)
        if strong is not None:
            self._section_unit(section, [strong], path)
            return
        if section is self.doc.root and self._only_section(section) is not None:
            self._decide_section(self._only_section(section), path)  # type: ignore[arg-type]
            return
        own_titles = [self._heading_text(section)] if heading else []
        leads = self._distinct_leads(section, own_titles)
        if heading is not None and is_boilerplate(self._heading_text(section)):
            leads = [ref for ref in leads if ref.key.startswith("arxiv:")]
        if len(leads) == 1 and self._one_note(section, leads[0]):
            self._section_unit(section, leads, path)
            return
        if len(leads) > 1 and heading is not None and self._one_paper_note(section):
            self._section_unit(section, [self._own_paper(section, leads)], path)
            return
        cited = self._preamble_paper(section) if heading is None else None
        if cited is not None:
            # A file that opens by citing its paper (a Zotero note's "[!Cite]" callout) over
            # the parts of a note about it ("## Annotations"): one note, whatever it cites.
            self._section_unit(section, [cited], path)
            return
        if not leads and not self._papers_below(section) and self._note_like(section):
            self.candidates.append((section, path, True))
            return
        inner = path + self._label(section)
        before = len(self.drafts)
        own = self._own_blocks(section)
        boilerplate = heading is not None and is_boilerplate(self._heading_text(section))
        self._by_ids_only += boilerplate
        for block in own:
            self._decide_block(block, inner)
        if len(self.drafts) == before and own:
            self.candidates.append((section, path, False))
        for child in section.children:
            if child.kind == "section":
                self._decide_section(child, inner)
        self._by_ids_only -= boilerplate

    def _section_unit(self, section: Block, subjects: list[_Ref], path: list[str]) -> None:
        kind: UnitKind = "section"
        if section.heading is None or (section is self.title_block and self._has_sections(section)):
            kind = "file"
        skip = [c for c in section.children if c.kind == "section" and self._strong(c)]
        title = self._heading_text(section) if section.heading else self._first_title(section)
        given = next((s.title for s in subjects if s.titled and s.title), "")
        if kind == "file" and (self._is_part_title(title) or not self._has_sections(section)):
            # "Meta Information", "- # [Title](…)": the title the note gives its paper says more.
            title = given or next((s.title for s in subjects if s.title), title)
        self.drafts.append(_Draft(kind, [section], _together(subjects), path, title, skip))
        self.section_units += 1
        for child in skip:
            self._decide_section(child, path + self._label(section))

    def _is_part_title(self, title: str) -> bool:
        return is_part_heading(title) or not looks_like_title(heading_title(title).title, 2)

    def _only_section(self, root: Block) -> Block | None:
        """The one section a file is made of (nothing but comments around it), if so."""
        body = [c for c in root.children if c.kind not in ("comment", "rule")]
        return body[0] if len(body) == 1 and body[0].kind == "section" else None

    def _one_note(self, section: Block, lead: _Ref) -> bool:
        """Whether a section naming one paper is that paper's note, rather than a topic or a
        group whose one block or subsection is about a paper."""
        subsections = [c for c in section.children if c.kind == "section"]
        home = next((c for c in subsections if self._names(c, lead.key)), None)
        if section.heading is not None:
            if home is not None:
                return self._is_part(home)  # "#### Resources" of a paper, not "### Paper"
            if lead.titled and section is not self.title_block:
                # A topic whose notes cite a paper by title ("Backpropagation … - [“Title”]"),
                # unless the paper is what the section starts with or is titled after.
                own = heading_title(self._heading_text(section)).title
                first = next(iter(self._own_blocks(section)), None)
                starts = first is not None and self._first_lead_block(first) is lead.block
                return starts or names_within(own, lead.title)
            return True
        # No heading (the file itself): one note when its first section is the paper's title
        # and the others are its parts (a one-paper note with headings all at one level).
        if home is None:
            return all(self._is_part(c) for c in subsections)
        content = [c for c in self._own_blocks(section) if c.kind not in ("comment", "rule")]
        title = self._heading_text(home)
        return (
            not content
            and home is subsections[0]
            and len(subsections) > 1
            and not self._is_part(home)
            and len(title.split()) >= 2
            and all(self._is_part(c) for c in subsections[1:])
        )

    def _first_lead_block(self, block: Block) -> Block | None:
        """The block a section's first block makes its lead: the paragraph, or a list's first
        item."""
        if block.kind == "list" and block.children:
            return block.children[0]
        if block.kind == "table" and len(block.children) > 1:
            return block.children[1]
        return block

    def _one_paper_note(self, section: Block) -> bool:
        """A section (the file's title) whose subsections are the parts of one reading note:
        "Abstract", "1. Introduction", "참고 문헌" (and no list of papers among them)."""
        subsections = [c for c in section.children if c.kind == "section"]
        if not subsections:
            return False
        parts = [c for c in subsections if self._is_part(c)]
        if len(parts) < _PART_SHARE * len(subsections):
            return False
        return not any(self._lists_papers(c) for c in subsections)

    def _is_part(self, section: Block) -> bool:
        """A subsection that is a part of a note: "Summary", "참고 문헌", or a numbered
        chapter ("3. Selective State Space Models") that is not itself about a paper."""
        text = self._heading_text(section)
        if is_part_heading(text):
            return True
        if not is_numbered(text):
            return False
        return not looks_like_title(text, min_words=4) or (
            self._strong(section) is None and not self._distinct_leads(section, [])
        )

    def _lists_papers(self, section: Block) -> bool:
        """A subsection that is a list of papers by title (not of references cited)."""
        if self._strong(section) is not None:
            return True
        titled = {ref.key for ref in self._leads(section) if ref.titled and not ref.citation}
        if len(titled) >= 2 and not is_part_heading(self._heading_text(section)):
            return True
        return any(self._lists_papers(c) for c in section.children if c.kind == "section")

    def _preamble_paper(self, root: Block) -> _Ref | None:
        """The one paper a file's text before its first heading names (a citation counts:
        it is the file's own), when the headings after it are the parts of a note."""
        preamble = [b for b in self._own_blocks(root) if b.kind not in ("comment", "rule")]
        leads = {ref.key: ref for block in preamble for ref in self._leads(block)}
        if len(leads) != 1 or not self._has_sections(root) or not self._one_paper_note(root):
            return None
        return next(iter(leads.values()))

    def _own_paper(self, section: Block, leads: list[_Ref], title: str = "") -> _Ref:
        """The paper a one-paper note is about: one whose title is the note's, else the first
        named by its id alone (the `arXiv:` line of its metadata), else the first."""
        own = heading_title(title or self._heading_text(section)).title
        for ref in leads:
            if ref.titled and names_within(own, ref.title):
                return ref
        bare = next((ref for ref in leads if not ref.titled), None)
        if bare is not None:
            return bare
        # Every paper it names is someone else's, by title: the note's paper is its own title.
        return _Ref(_title_key(own), own, section, titled=True)

    def _note_like(self, section: Block) -> bool:
        """A section with no subsections, or only parts: one note, whatever it is about."""
        return all(self._is_part(c) for c in section.children if c.kind == "section")

    def _papers_below(self, section: Block) -> bool:
        """Whether any paper is named anywhere in a section (strong subsections included)."""
        return any(
            b.kind == "section" and self._strong(b) is not None for b in _walk(section)
        ) or bool(self._distinct_leads(section, []))

    # --- blocks -------------------------------------------------------------------------

    def _decide_block(self, block: Block, path: list[str]) -> None:
        kind = block.kind
        if kind == "list":
            for item in block.children:
                self._decide_item(item, path)
        elif kind == "table":
            for row in block.children[1:]:
                lead = self._lead_of(row)
                if lead is not None:
                    self._block_unit("row", row, [lead], path)
        elif kind == "details":
            leads = self._distinct_leads(block, [])
            if len(leads) == 1:
                self._block_unit("details", block, leads, path)
            elif leads:
                inner = path + ([block.label] if block.label else [])
                for child in block.children:
                    self._decide_block(child, inner)
        elif kind in ("paragraph", "code", "math", "html", "quote", "callout", "group"):
            lead = self._lead_of(block)
            if lead is not None:
                self._block_unit("paragraph", block, [lead], path)

    def _decide_item(self, item: Block, path: list[str]) -> None:
        lead = self._lead_of(item)
        if lead is not None:
            self._block_unit("item", item, [lead], path)
            return
        leads = self._distinct_leads(item, [])
        if len(leads) == 1:
            # A topic item whose notes cite one paper: the item is that paper's note.
            self._block_unit("item", item, leads, path)
            return
        if not leads:
            return
        head = self._head(item)
        inner = path + ([self._first_line(head)] if head is not None else [])
        for child in item.children:
            if child is not head:
                self._decide_block(child, inner)

    def _block_unit(
        self, kind: UnitKind, block: Block, subjects: list[_Ref], path: list[str]
    ) -> None:
        if self._by_ids_only and not any(s.key.startswith("arxiv:") for s in subjects):
            return
        title = next((s.title for s in subjects if s.title), "") or self._block_title(block)
        self.drafts.append(_Draft(kind, [block], _together(subjects), path, title))
        self.block_units += 1

    # --- sections that name no paper -----------------------------------------------------

    def _keep_candidates(self) -> None:
        """Where papers have sections of their own, a section about something else is a note
        too (a blog post, a model card, a paper by its title): one with a body or a link.
        Where papers are blocks, sections naming none are not notes (License, Contents, …)."""
        if self.block_units > self.section_units:
            self._warn_titles()
            return
        for section, path, whole in self.candidates:
            heading = section.heading
            if heading is not None and is_boilerplate(self._heading_text(section)):
                continue
            if self._table_of_contents(section):
                continue
            if whole:
                if section is self.doc.root:
                    blocks = [c for c in section.children if c.kind not in ("comment",)]
                    if blocks:
                        self._candidate(section, blocks, path, "file")
                elif (
                    self._has_body(section)
                    or self._points_at_something(section)
                    or looks_like_title(
                        heading_title(self._heading_text(section)).title, min_words=3
                    )
                ):
                    self._candidate(section, [section], path, "section")
                continue
            # A group's or the file's own text before its subsections: kept when it points at
            # something citable.
            own = self._own_blocks(section)
            if own and self._points_at(own):
                blocks = [heading, *own] if heading is not None else own
                self._candidate(section, blocks, path, "section" if heading else "paragraph")

    def _candidate(
        self, section: Block, blocks: list[Block], path: list[str], kind: UnitKind
    ) -> None:
        if section.heading is not None:
            title = self._heading_text(section)
        else:
            title = next((self._first_line(b) for b in blocks if self._first_line(b)), "")
        self.drafts.append(_Draft(kind, blocks, [], path, title))

    def _warn_titles(self) -> None:
        """Lines that look like paper titles but name no paper are said, never silently lost."""
        for section, _, _ in self.candidates:
            titles = [
                self._first_line(item)
                for block in self._own_blocks(section)
                if block.kind == "list"
                for item in block.children
                if _looks_like_listed_title(self._first_line(item))
            ]
            if titles:
                where = self._heading_text(section) or self._first_line(section)
                self.diagnostics.append(
                    Diagnostic(
                        f'{len(titles)} line{"s" if len(titles) > 1 else ""} under "{where}" '
                        f"look{'' if len(titles) > 1 else 's'} like paper titles but name no "
                        f'paper (no link or id), so they are not in the bibliography: "{titles[0]}"'
                        + (" …" if len(titles) > 1 else ""),
                        self.source,
                        section.start + 1,
                    )
                )

    # --- mentions -----------------------------------------------------------------------

    def _add_mentions(self) -> None:
        """Every paper named inside a unit that is not about it gets the passage naming it."""
        seen: set[tuple[str, int]] = set()
        mentions: list[_Draft] = []
        for draft in self.drafts:
            keys = {s.key for s in draft.subjects}
            for ref, block, path in self._refs_in(draft, draft.path):
                if ref.key in keys or (ref.key, id(block)) in seen:
                    continue
                seen.add((ref.key, id(block)))
                title = ref.title or self._block_title(block)
                mentions.append(_Draft("mention", [block], [ref], path, title))
        self.drafts += mentions

    def _refs_in(self, draft: _Draft, path: list[str]) -> Iterator[tuple[_Ref, Block, list[str]]]:
        """The papers a unit names, each with the innermost paragraph or item naming it."""
        for block in draft.blocks:
            yield from self._refs_below(block, draft.skip, path, top=True)

    def _refs_below(
        self, block: Block, skip: list[Block], path: list[str], top: bool = False
    ) -> Iterator[tuple[_Ref, Block, list[str]]]:
        if any(block is s for s in skip) or block.kind in ("comment", "rule"):
            return
        if block.kind == "section":
            inner = path + self._label(block)
            for child in block.children:
                if child.kind == "heading":
                    yield from self._refs_here(child, child, inner)
                else:
                    yield from self._refs_below(child, skip, inner)
            return
        if block.kind in ("item", "paragraph", "row", "code", "math", "html", "heading"):
            head = self._head(block) if block.kind == "item" else block
            if head is not None:
                yield from self._refs_here(head, block, path)
            for child in block.children:
                if child is not head:
                    yield from self._refs_below(child, skip, path)
            return
        inner = path + ([block.label] if block.kind == "details" and block.label else [])
        for child in block.children:
            yield from self._refs_below(child, skip, inner)

    def _refs_here(
        self, leaf: Block, owner: Block, path: list[str]
    ) -> Iterator[tuple[_Ref, Block, list[str]]]:
        """The papers a leaf names: its lead (titled, or its first id), then any other id."""
        lead = self._lead_of(owner if owner.kind in ("item", "row") else leaf)
        if lead is not None:
            yield lead, owner, path
        for hit in self.hits(leaf):
            if lead is None or _arxiv_key(hit.id) != lead.key:
                title = link_title(self._tokens(leaf), hit.written) if "[" in leaf.source else ""
                yield _Ref(_arxiv_key(hit.id), title, owner, [hit], bool(title)), owner, path
        if lead is None and leaf.kind in ("paragraph", "heading"):
            quoted = quoted_link(self._tokens(leaf)) if "[" in leaf.source else None
            if quoted is not None and quoted.href.startswith("http"):
                yield _Ref(_title_key(quoted.title), quoted.title, owner, titled=True), owner, path

    # --- units --------------------------------------------------------------------------

    def _units(self) -> list[Unit]:
        """The drafts cut from the file, in its order; a paper listed twice by one title is
        one paper, and a title-only copy of a paper listed with its id takes the id."""
        by_title = {
            normalize_title(ref.title): ref.key
            for draft in self.drafts
            for ref in draft.subjects
            if ref.key.startswith("arxiv:") and ref.titled and ref.title
        }
        units = []
        for draft in sorted(self.drafts, key=lambda d: (d.blocks[0].start, d.kind == "mention")):
            unit = self._cut(draft, by_title)
            if unit is not None:
                units.append(unit)
        return units

    def _cut(self, draft: _Draft, by_title: dict[str, str]) -> Unit | None:
        spans = self._spans(draft)
        if not spans:
            return None
        text = "\n".join("\n".join(self.lines[a:b]) for a, b in spans)
        if draft.blocks[0].kind == "row":
            text = self._row_text(draft.blocks[0]) or text
        ids: list[Mention] = []
        line = spans[0][0] + 1
        for subject in draft.subjects:
            key = subject.key
            if not key.startswith("arxiv:"):
                key = by_title.get(normalize_title(subject.title), key)
            if not key.startswith("arxiv:"):
                continue
            hits = [h for h in subject.hits if _arxiv_key(h.id) == key]
            hits += [
                h
                for a, b in spans
                for h in self._hits_in_lines(a, b)
                if _arxiv_key(h.id) == key and h not in hits
            ]
            if not hits:
                hits = [_Hit(ArxivId(key.removeprefix("arxiv:")), line, "")]
            ids += [
                Mention(h.id, self.source, h.line, h.written)
                for h in sorted(hits, key=lambda h: h.line)
            ]
        front = self.front
        return Unit(
            self.source,
            line,
            draft.title or self._first_line_of(spans),
            text,
            tuple(find_links(text)),
            front,
            draft.kind,
            tuple(p for p in draft.path if p),
            tuple((a + 1, b) for a, b in spans),
            tuple(_distinct_mentions(ids)),
        )

    def _spans(self, draft: _Draft) -> list[tuple[int, int]]:
        """The draft's lines as [start, end) ranges: comments, skipped blocks and blank
        lines at the ends left out."""
        start = draft.blocks[0].start
        end = max(self._end(block) for block in draft.blocks)
        holes = sorted([*self._comments_in(start, end), *((b.start, b.end) for b in draft.skip)])
        # A draft's blocks are consecutive (a heading and the blocks after it): one range.
        spans = []
        for a, b in holes:
            if b <= start or a >= end:
                continue
            if a > start:
                spans.append((start, a))
            start = max(start, b)
        if start < end:
            spans.append((start, end))
        trimmed = []
        for a, b in spans:
            while a < b and not self.lines[a].strip():
                a += 1
            while b > a and not self.lines[b - 1].strip():
                b -= 1
            if a < b:
                trimmed.append((a, b))
        return _merged(trimmed)

    def _row_text(self, row: Block) -> str:
        """A table row as its note: one `Column: cell` line per filled cell, so the note still
        says what each value is (`Code: https://…`)."""
        table = self._table_of(row)
        header = table.children[0].cells if table is not None and table.children else []
        lines = []
        for i, cell in enumerate(row.cells):
            if not cell.strip():
                continue
            name = header[i].strip() if i < len(header) else ""
            lines.append(f"{name}: {cell.strip()}" if name else cell.strip())
        return "\n".join(lines)

    def _end(self, block: Block) -> int:
        return min(block.end, len(self.lines))

    def _comments_in(self, start: int, end: int) -> list[tuple[int, int]]:
        """The comment blocks on lines [start, end), as line ranges."""
        if self._comment_ranges is None:
            self._comment_ranges = sorted(
                (b.start, b.end) for b in _walk(self.doc.root) if b.kind == "comment"
            )
        ranges = self._comment_ranges
        first = bisect_left(ranges, (start, -1))
        return [r for r in ranges[first : bisect_left(ranges, (end, -1))] if r[1] <= end]

    # --- what blocks name ---------------------------------------------------------------

    def hits(self, block: Block) -> list[_Hit]:
        """The arXiv ids a block names (comments left out), in order, with their lines."""
        found = self._hits.get(id(block))
        if found is None:
            if block.kind in ("comment", "rule"):
                found = []
            else:
                found = self._hits_in_lines(block.start, self._end(block))
            self._hits[id(block)] = found
        return found

    def _hits_in_lines(self, start: int, end: int) -> list[_Hit]:
        """The ids on lines [start, end) (0-based)."""
        lines, hits = self._all_hits()
        return hits[bisect_left(lines, start + 1) : bisect_left(lines, end + 1)]

    def _all_hits(self) -> tuple[list[int], list[_Hit]]:
        """Every arXiv id of the file outside its front matter and comments, found in one scan
        (a scan per block made a file of 10,000 notes twice as slow to read)."""
        if self._every_hit is None:
            masked = list(self.lines)
            front = self.doc.front
            for i in range(front.end if front else 0):
                masked[i] = ""
            for block in _walk(self.doc.root):
                if block.kind == "comment":
                    masked[block.start : self._end(block)] = [""] * (self._end(block) - block.start)
            text = "\n".join(without_comments(line) for line in masked)
            hits, line, at = [], 1, 0
            for match in find_arxiv_ids(text):
                line += text.count("\n", at, match.start)
                at = match.start
                hits.append(_Hit(match.id, line, text[match.start : match.end]))
            self._every_hit = ([h.line for h in hits], hits)
        return self._every_hit

    def _lead_of(self, block: Block) -> _Ref | None:
        """The paper a block is about by its first words: a titled reference, or the first id
        its first paragraph names."""
        key = id(block)
        if key not in self._lead:
            self._lead[key] = self._read_lead(block)
        return self._lead[key]

    def _read_lead(self, block: Block) -> _Ref | None:
        if block.kind == "row":
            return self._row_lead(block)
        if block.kind == "group":
            # The title paragraph's paper, by the first id of the group when it gives none.
            title = self._titled(block.children[0], False)
            hits = self.hits(block)
            return self._ref(block, title, hits)
        if block.kind in ("code", "math", "html"):
            hits = self.hits(block)
            return _Ref(_arxiv_key(hits[0].id), "", block, hits[:1]) if hits else None
        if block.kind in ("quote", "callout", "details"):
            first = next((c for c in block.children if c.kind not in ("comment", "html")), None)
            return self._lead_of(first) if first is not None else None
        head = self._head(block) if block.kind == "item" else block
        if head is None or head.kind not in ("paragraph", "heading"):
            return None
        titled = self._titled(head, leading=block.kind == "item")
        hits = self.hits(head)
        if titled is not None and not hits and block.kind == "item":
            hits = self._bare_hits_below(block, head)
        lead = self._ref(block, titled, hits)
        if lead is not None and not lead.title and "[" in head.source:
            # Named by id only, yet its link may have a title for the reader: kept to show.
            lead.title = link_title(self._tokens(head), lead.hits[0].written)
        return lead

    def _ref(self, block: Block, titled: Titled | None, hits: list[_Hit]) -> _Ref | None:
        if titled is not None:
            linked = [h for h in hits if titled.href and h.written in titled.href]
            first = (linked or hits)[:1]
            if first:
                return _Ref(
                    _arxiv_key(first[0].id),
                    titled.title,
                    block,
                    first,
                    True,
                    titled.shape == "citation",
                )
            if self._names_by_title(block, titled):
                return _Ref(
                    _title_key(titled.title),
                    titled.title,
                    block,
                    [],
                    True,
                    titled.shape == "citation",
                )
            return None
        if hits:
            lead = _Ref(_arxiv_key(hits[0].id), "", block, hits[:1])
            for hit in hits[1:]:
                key = _arxiv_key(hit.id)
                new = all(key != other.key for other in lead.together)
                if hit.line == hits[0].line and key != lead.key and new:
                    lead.together.append(_Ref(key, "", block, [hit]))
            return lead
        return None

    def _names_by_title(self, block: Block, titled: Titled) -> bool:
        """Whether a title without an arXiv id is a paper's: a citation, a title linked to a
        web page, or a bold, quoted or leading title with a link or `(Venue Year)` by it."""
        if titled.shape in ("citation", "row"):
            return True
        if titled.shape in ("link", "quoted") and titled.href:
            return titled.href.startswith(("http://", "https://")) and not self._internal(
                titled.href
            )
        if titled.venue or find_links("\n".join(self.lines[block.start : self._end(block)])):
            return True
        # A copy of a paper the file lists with its id ("Deep Inside … [[note](./x.md" with
        # its link lost, the same title with an arXiv link further down).
        return normalize_title(titled.title) in self._titles_with_ids()

    def _titles_with_ids(self) -> set[str]:
        """The titles the file gives papers it names by an arXiv id on the same line."""
        if self._id_titles is None:
            self._id_titles = set()
            for block in _walk(self.doc.root):
                if block.kind in ("paragraph", "heading") and may_name_a_title(block.source, True):
                    titled = self._titled(block, True)
                    if titled is not None and self.hits(block):
                        self._id_titles.add(normalize_title(titled.title))
        return self._id_titles

    def _table_of_contents(self, section: Block) -> bool:
        """A section whose own text is only lists of links to the file's own headings."""
        own = [b for b in self._own_blocks(section) if b.kind not in ("comment", "rule")]
        items = [item for b in own if b.kind == "list" for item in _items(b)]
        if not items or any(b.kind != "list" for b in own):
            return False
        for item in items:
            head = self._head(item)
            tokens = self._tokens(head) if head is not None else []
            hrefs = [str(t.attrs.get("href", "")) for t in tokens if t.type == "link_open"]
            if not hrefs or not all(h.startswith("#") or self._internal(h) for h in hrefs):
                return False
        return True

    def _internal(self, href: str) -> bool:
        """A link to one of this file's own headings (a table of contents), even written as
        the file's full URL: `https://github.com/…/README.md#performance-table`."""
        fragment = unquote(href.rpartition("#")[2]) if "#" in href else ""
        return bool(fragment) and fragment.casefold() in self._slugs()

    def _slugs(self) -> set[str]:
        """The anchors GitHub gives this file's headings."""
        if self._anchors is None:
            self._anchors = {
                _slug(self._heading_text(b)) for b in _walk(self.doc.root) if b.heading
            }
        return self._anchors

    def _row_lead(self, row: Block) -> _Ref | None:
        table = self._table_of(row)
        header = table.children[0].cells if table is not None and table.children else []
        column = title_column(header)
        hits = self.hits(row)
        titled = None
        if column is not None and column < len(row.cells):
            tokens = inline_tokens(row.cells[column], self.doc)
            titled = read_lead(tokens) or _cell_title(tokens)
        elif column is None:
            # No "Title" column: the first cell holding a linked or bold title.
            for cell in row.cells:
                found = read_lead(inline_tokens(cell, self.doc)) if may_name_a_title(cell) else None
                if found is not None and found.shape in ("link", "bold", "quoted"):
                    titled = found
                    break
        if titled is None and not hits:
            return None
        if titled is not None and not hits:
            if not find_links("\n".join(row.cells)) or not is_title_like(titled.title):
                return None
            titled = Titled(titled.title, "row")
        return self._ref(row, titled, hits)

    def _table_of(self, row: Block) -> Block | None:
        return self._parents().get(id(row))

    def _parents(self) -> dict[int, Block]:
        if not hasattr(self, "_parent_map"):
            parents: dict[int, Block] = {}
            stack = [self.doc.root]
            while stack:
                block = stack.pop()
                for child in block.children:
                    parents[id(child)] = block
                    stack.append(child)
            self._parent_map = parents
        return self._parent_map

    def _bare_hits_below(self, item: Block, head: Block) -> list[_Hit]:
        """Ids in an item's nested lines that carry no title of their own (`- arXiv: …`)."""
        for child in item.children:
            if child is head:
                continue
            for leaf in _leaves(child):
                if leaf.kind == "paragraph" and self._titled(leaf, False) is not None:
                    continue
                hits = self.hits(leaf)
                if hits:
                    return hits[:1]
        return []

    def _leads(self, block: Block) -> list[_Ref]:
        """The papers a block's top-level parts are each about, in order (with repeats)."""
        found = self._lead_lists.get(id(block))
        if found is None:
            found = self._lead_lists[id(block)] = self._find_leads(block)
        return found

    def _find_leads(self, block: Block) -> list[_Ref]:
        kind = block.kind
        if kind in ("comment", "rule", "heading"):
            return []
        if kind == "section":
            out = [r for child in self._own_blocks(block) for r in self._leads(child)]
            for child in block.children:
                if child.kind == "section" and self._strong(child) is None:
                    out += self._leads(child)
            return out
        if kind == "item":
            lead = self._lead_of(block)
            if lead is not None:
                return [lead]
            head = self._head(block)
            return [r for c in block.children if c is not head for r in self._leads(c)]
        if kind == "table":
            return [r for row in block.children[1:] for r in [self._lead_of(row)] if r]
        if kind in ("list", "details"):
            return [r for c in block.children for r in self._leads(c)]
        if kind == "group":
            lead = self._lead_of(block)
            return [lead] if lead is not None else []
        lead = self._lead_of(block)
        return [lead] if lead is not None else []

    def _distinct_leads(self, block: Block, own_titles: list[str]) -> list[_Ref]:
        """The different papers a block's parts are about; citations count only when they
        cite the note's own paper (its title is the heading's)."""
        out: dict[str, _Ref] = {}
        for ref in self._leads(block):
            if ref.citation and not any(
                names_within(heading_title(t).title, ref.title) for t in own_titles
            ):
                continue
            out.setdefault(ref.key, ref)
        return list(out.values())

    def _strong(self, section: Block) -> _Ref | None:
        """The paper a section's heading names by an id or a linked title, if it does."""
        if id(section) not in self._strongs:
            self._strongs[id(section)] = self._read_strong(section)
        return self._strongs[id(section)]

    def _read_strong(self, section: Block) -> _Ref | None:
        heading = section.heading
        if heading is None:
            return None
        hits = self.hits(heading)
        titled = self._titled(heading, True)
        if hits:
            title = titled.title if titled else self._heading_text(section)
            return _Ref(_arxiv_key(hits[0].id), title, heading, hits[:1], titled is not None)
        if (
            titled is not None
            and titled.shape in ("link", "quoted")
            and titled.href.startswith("http")
        ):
            return _Ref(_title_key(titled.title), titled.title, heading, [], True)
        return None

    def _names(self, block: Block, key: str) -> bool:
        return any(_arxiv_key(h.id) == key for h in self.hits(block)) or any(
            r.key == key for r in self._leads(block)
        )

    def _points_at_something(self, section: Block) -> bool:
        return self._points_at(
            [c for c in section.children if c.kind != "heading"]
            + ([section.heading] if section.heading else [])
        )

    def _points_at(self, blocks: Sequence[Block]) -> bool:
        """Whether blocks point at something citable: a web link, a DOI, the word arXiv."""
        for block in blocks:
            text = without_comments("\n".join(self.lines[block.start : self._end(block)]))
            if find_links(text) or "arxiv" in text.lower() or _DOI.search(text):
                return True
        return False

    # --- small readers ------------------------------------------------------------------

    def _titled(self, leaf: Block, leading: bool) -> Titled | None:
        """The title a paragraph, item head or heading gives its paper by its shape."""
        key = (id(leaf), leading)
        if key not in self._titles:
            found = None
            if may_name_a_title(leaf.source, leading or leaf.kind == "heading"):
                plain, found = plain_lead(leaf.source)
                if not plain or self._is_callout_marker(leaf):
                    tokens = self._tokens(leaf)
                    found = quoted_link(tokens) or read_lead(tokens, leading)
            self._titles[key] = found
        return self._titles[key]

    def _tokens(self, leaf: Block) -> list[Inline]:
        tokens = self._inline.get(id(leaf))
        if tokens is None:
            source = leaf.source
            if leaf.kind == "paragraph" and self._is_callout_marker(leaf):
                source = source.split("\n", 1)[1] if "\n" in source else ""
            tokens = self._inline[id(leaf)] = inline_tokens(source, self.doc)
        return tokens

    def _is_callout_marker(self, leaf: Block) -> bool:
        parent = self._parents().get(id(leaf))
        return parent is not None and parent.kind == "callout" and parent.children[0] is leaf

    def _head(self, item: Block) -> Block | None:
        """An item's first paragraph (or heading, as Logseq writes them)."""
        for child in item.children:
            if child.kind in ("paragraph", "heading"):
                return child
            if child.kind not in ("comment",):
                return None
        return None

    def _own_blocks(self, section: Block) -> list[Block]:
        """A section's blocks before its subsections, a title paragraph grouped with the
        blocks that follow it (see `_grouped`)."""
        found = self._groups.get(id(section))
        if found is None:
            own = [c for c in section.children if c.kind not in ("section", "heading")]
            found = self._groups[id(section)] = self._grouped(own)
        return found

    def _grouped(self, blocks: list[Block]) -> list[Block]:
        """A paragraph that is only a title (`**Fast R-CNN**`) with the blocks after it that
        name no titled paper (`- arxiv: …`, `- github: …`), as one block: awesome lists
        write a paper so, under a topic heading."""
        out: list[Block] = []
        group: Block | None = None
        for block in blocks:
            if self._is_title_paragraph(block):
                group = Block("group", block.start, block.end, [block])
                out.append(group)
                continue
            if group is not None and block.kind not in ("rule",) and not self._titled_inside(block):
                group.children.append(block)
                group.end = block.end
                continue
            group = None
            out.append(block)
        # A title paragraph followed by nothing of its own stays a paragraph.
        return [g.children[0] if g.kind == "group" and len(g.children) == 1 else g for g in out]

    def _is_title_paragraph(self, block: Block) -> bool:
        """A one-line paragraph that is a bold, linked or quoted title and nothing else."""
        if block.kind != "paragraph" or block.end - block.start != 1:
            return False
        titled = self._titled(block, False)
        if titled is None or titled.shape not in ("bold", "link", "quoted"):
            return False
        rest = normalize_title(plain_text(self._tokens(block))).replace(
            normalize_title(titled.title), "", 1
        )
        return len(rest.split()) <= 3  # a venue or a year may follow: "(CVPR 2019)"

    def _titled_inside(self, block: Block) -> bool:
        """Whether a block (a list) names papers by title: a list of papers, not of links."""
        return any(ref.titled and not ref.citation for ref in self._leads(block))

    def _has_sections(self, section: Block) -> bool:
        return any(c.kind == "section" for c in section.children)

    def _label(self, section: Block) -> list[str]:
        if section.heading is None or section is self.title_block:
            return []
        return [self._heading_text(section)]

    def _heading_text(self, section: Block) -> str:
        heading = section.heading
        if heading is None:
            return ""
        if not heading.label:
            source = heading.source
            plain = _MARKUP.search(source) is None
            heading.label = " ".join(source.split()) if plain else plain_text(self._tokens(heading))
        return heading.label

    def _first_line(self, block: Block) -> str:
        for i in range(block.start, self._end(block)):
            line = self.lines[i].strip()
            if line:
                text = plain_text(inline_tokens(line.lstrip("-*+># \t").strip(), self.doc))
                # An Obsidian or Logseq page link reads as its text: [[Page|shown]] → shown.
                return _WIKILINK.sub(lambda m: m.group(1), text) or line
        return ""

    def _block_title(self, block: Block) -> str:
        """A block's first line as its title, its bare links left out: a link says nothing a
        title would ("paper: https://arxiv.org/abs/…")."""
        line = self._first_line(block)
        return " ".join(_URLS.sub(" ", line).split()) or line

    def _first_line_of(self, spans: list[tuple[int, int]]) -> str:
        return self.lines[spans[0][0]].strip() if spans else ""

    def _first_title(self, section: Block) -> str:
        """A heading-less text's title: its first heading, else its first line."""
        for block in _walk(section):
            if block.kind == "section" and block.heading is not None:
                return self._heading_text(block)
        body = [c for c in section.children if c.kind not in ("comment", "rule")]
        return self._first_line(body[0]) if body else ""

    def _has_content(self, block: Block) -> bool:
        return (
            any(self.lines[i].strip() for i in range(block.start, self._end(block)))
            and any(c.kind != "comment" for c in _walk(block) if c is not block)
        ) or (
            not block.children
            and any(self.lines[i].strip() for i in range(block.start, self._end(block)))
        )

    def _has_body(self, section: Block) -> bool:
        heading = section.heading
        start = heading.end if heading is not None else section.start
        return any(self.lines[i].strip() for i in range(start, self._end(section)))

    def _is_whole_file(self, section: Block) -> bool:
        root = self.doc.root
        return all(c is section or c.kind == "comment" for c in root.children)

    def _document_title(self) -> Block | None:
        """The file's title: a first heading alone at the top, every other heading below it."""
        body = [c for c in self.doc.root.children if c.kind != "comment"]
        if len(body) == 1 and body[0].kind == "section" and body[0].heading is not None:
            return body[0]
        return None


def _items(block: Block) -> Iterator[Block]:
    """A list's items, nested items included."""
    for item in block.children:
        yield item
        for child in item.children:
            if child.kind == "list":
                yield from _items(child)


def _leaves(block: Block) -> Iterator[Block]:
    if not block.children:
        yield block
    for child in block.children:
        yield from _leaves(child)


def _walk(block: Block) -> Iterator[Block]:
    yield block
    for child in block.children:
        yield from _walk(child)


def _cell_title(tokens: Sequence[Inline]) -> Titled | None:
    text = clean_title(plain_text(tokens))
    if not text or is_label(text):
        return None
    return Titled(text, "row")


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes."""
    kept = "".join(c for c in heading.casefold() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def _arxiv_key(arxiv_id: ArxivId) -> str:
    return "arxiv:" + arxiv_id.base


def _title_key(title: str) -> str:
    return "title:" + normalize_title(title)


def _looks_like_listed_title(line: str) -> bool:
    """A plain line that reads as a paper title: Latin, three words or more, Title Case."""
    if not looks_like_title(line, min_words=3) or line.rstrip().endswith((".", ":", "?", "!")):
        return False
    significant = [w for w in line.split() if len(w) > 3]
    return bool(significant) and all(w[:1].isupper() or not w[:1].isalpha() for w in significant)


def _together(subjects: list[_Ref]) -> list[_Ref]:
    """The subjects with the papers named alongside them (see `_Ref.together`)."""
    return _distinct([r for s in subjects for r in [s, *s.together]])


def _distinct(refs: list[_Ref]) -> list[_Ref]:
    """One ref per paper, with every place the refs name it."""
    out: dict[str, _Ref] = {}
    for ref in refs:
        if ref.key in out:
            first = out[ref.key]
            out[ref.key] = _Ref(
                first.key,
                first.title,
                first.block,
                [*first.hits, *ref.hits],
                first.titled,
                first.citation,
            )
        else:
            out[ref.key] = ref
    return list(out.values())


def _distinct_mentions(mentions: list[Mention]) -> list[Mention]:
    return list(dict.fromkeys(mentions))


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def parse_notes(text: str, source: str, paragraphs: bool = False) -> list[Unit]:
    """The units of a notes text read on its own (its front matter left unread)."""
    return find_units(parse_document(text), source, None, paragraphs).units
