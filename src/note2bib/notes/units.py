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
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate
from pathlib import PurePath
from urllib.parse import unquote

from note2bib.arxiv.ids import find_arxiv_ids
from note2bib.files import STDIN, STDIN_NAME
from note2bib.model import ArxivId, Diagnostic, FrontMatter, Mention, Unit, UnitKind
from note2bib.notes.markdown import Block, Document, find_links, parse_document, without_comments
from note2bib.notes.naming import (
    Hit,
    Naming,
    Ref,
    arxiv_key,
    distinct,
    list_items,
    title_key,
    walk,
)
from note2bib.notes.parts import (
    is_boilerplate,
    is_label,
    is_numbered,
    is_part_heading,
    without_numbering,
    words,
)
from note2bib.title_match import names_within
from note2bib.titles import heading_title, looks_like_title, normalize_title

_PART_SHARE = 0.6
"""Share of a section's subsections that must be parts for it to be one note about a paper."""
_DOI = re.compile(r"(?<!\d)10\.\d{4,9}/")
_LONE_LINK = re.compile(r"\[[^\]\n]+\]\(\S+\)")


@dataclass(eq=False)
class _Draft:
    """A unit decided but not yet cut: the blocks it spans and the papers it is about."""

    kind: UnitKind
    blocks: list[Block]
    subjects: list[Ref]
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
        self._by_ids_only = 0
        """Inside a README section about the repository (Contents, Contact, a file titled
        "Contributing Guide"): only papers named by an arXiv id are entries, never its links
        by their text, nor its sections naming no paper."""
        self.names = Naming(document)
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

    def _front_subjects(self) -> tuple[list[Ref], str] | None:
        """A file whose front matter names its paper: the papers, and the file's title."""
        front = self.front
        if front is None:
            return None
        root = self.doc.root
        named = front.title or self._page_name()
        title = named or self._first_title(root)
        if front.arxiv:
            refs = []
            for mention in front.arxiv:
                ref = Ref(arxiv_key(mention.id), title, root)
                ref.hits.append(Hit(mention.id, mention.line, mention.written))
                refs.append(ref)
            return distinct(refs), title
        leads = self.names.distinct_leads(root, [named] if named else [])
        titled = bool(named) and looks_like_title(heading_title(named).title)
        if front.doi or (titled and len(leads) <= 1):
            if leads:
                return leads, title
            return [Ref(title_key(title), title, root, titled=True)], title
        if titled and self._named_after_its_paper():
            # A page named by ZotFile after its paper (`2018_Burnell_Anyon condensation…`):
            # one note, whatever it cites in its bullets.
            own = next((r for r in leads if r.titled and names_within(named, r.title)), None)
            return [own or Ref(title_key(named), named, root, titled=True)], title
        if titled and self._one_paper_note(root):
            # The front matter's title over parts ("## Summary", "## References"): a review.
            return [self._own_paper(root, leads, named)], title
        return None

    def _named_after_its_paper(self) -> bool:
        stem = _page_stem(self.source)
        return bool(self._page_name()) and _ZOTFILE_NAME.fullmatch(stem) is not None

    def _page_name(self) -> str:
        """A Logseq page's name, when its properties give no `title::` and it does not open
        with its paper: Logseq calls a page what its file is called, so that is its title."""
        found = self.doc.front
        if found is None or found.kind != "logseq":
            return ""
        first = next((c for c in self.doc.root.children if c.kind not in ("comment", "rule")), None)
        if first is None or self.names.lead(first) is not None:
            return ""
        return _page_name_of_file(self.source)

    def _paragraph_notes(self, root: Block) -> None:
        """A plain-text file without headings: each paragraph is a note of its own."""
        for block in root.children:
            if block.kind in ("comment", "rule") or not self._has_content(block):
                continue
            lead = self.names.lead(block)
            subjects = [lead] if lead else []
            title = lead.title if lead and lead.title else self.names.first_line(block)
            self.drafts.append(_Draft("paragraph", [block], subjects, [], title))

    # --- sections -----------------------------------------------------------------------

    def _decide_section(self, section: Block, path: list[str]) -> None:
        heading = section.heading
        strong = self.names.strong(section)
        if strong is not None:
            self._section_unit(section, [strong], path)
            return
        if section is self.doc.root and self._only_section(section) is not None:
            self._decide_section(self._only_section(section), path)  # type: ignore[arg-type]
            return
        own_titles = [self.names.heading_text(section)] if heading else []
        leads = self.names.distinct_leads(section, own_titles)
        if heading is not None and is_boilerplate(self.names.heading_text(section)):
            leads = [ref for ref in leads if ref.key.startswith("arxiv:")]
        if len(leads) == 1 and self._one_note(section, leads[0]):
            self._section_unit(section, [self._cited_or_own(section, leads[0])], path)
            return
        if len(leads) > 1 and heading is not None and self._one_paper_note(section):
            self._section_unit(section, [self._own_paper(section, leads)], path)
            return
        if len(leads) > 1 and heading is None and self._flat_note(section, leads[0]):
            self._section_unit(section, leads[:1], path)
            return
        if len(leads) > 1 and self._opens_with_its_paper(section, leads):
            self._section_unit(section, leads[:1], path)
            return
        cited = self._preamble_paper(section) if heading is None else None
        if cited is not None:
            # A file that opens by citing its paper (a Zotero note's "[!Cite]" callout) over
            # the parts of a note about it ("## Annotations"): one note, whatever it cites.
            self._section_unit(section, [cited], path)
            return
        if not leads and not self._papers_below(section) and self._note_like(section):
            if not self._by_ids_only:
                self.candidates.append((section, path, True))
            return
        inner = path + self._label(section)
        before = len(self.drafts)
        own = self.names.own_blocks(section)
        boilerplate = heading is not None and is_boilerplate(self.names.heading_text(section))
        self._by_ids_only += boilerplate
        for block in own:
            self._decide_block(block, inner)
        if len(self.drafts) == before and own and not self._by_ids_only:
            self.candidates.append((section, path, False))
        for child in section.children:
            if child.kind == "section":
                self._decide_section(child, inner)
        self._by_ids_only -= boilerplate

    def _section_unit(self, section: Block, subjects: list[Ref], path: list[str]) -> None:
        kind: UnitKind = "section"
        if section.heading is None or (section is self.title_block and self._has_sections(section)):
            kind = "file"
        skip = [c for c in section.children if c.kind == "section" and self.names.strong(c)]
        title = self.names.heading_text(section) if section.heading else self._first_title(section)
        given = next((s.title for s in subjects if s.titled and s.title), "")
        if kind == "file" and (self._is_part_title(title) or not self._has_sections(section)):
            # "Meta Information", "- # [Title](…)": the title the note gives its paper says more,
            # and a metadata field "**Title**: …" under a "# Paper" heading says it outright.
            fielded = self._field_title(section)
            title = fielded or given or next((s.title for s in subjects if s.title), title)
        elif given and not is_label(given) and not names_within(heading_title(title).title, given):
            # A topic heading over its one paper ("## 1.1 Survey" over `"Deep learning." …`):
            # the paper is called what its reference calls it.
            title = given
        self.drafts.append(_Draft(kind, [section], _together(subjects), path, title, skip))
        self.section_units += 1
        for child in skip:
            self._decide_section(child, path + self._label(section))

    def _cited_or_own(self, section: Block, lead: Ref) -> Ref:
        """The paper a one-paper note is about, given the one paper it links: that one, unless
        the note's title heading is another paper's full title and the link is cited inside a
        chapter (`# MoCo v3: An Empirical Study…`, then `## 1. Introduction` citing `[An Image
        is Worth 16x16 Words](…)`): the note is then its title's, the link a mention."""
        subsections = [c for c in section.children if c.kind == "section"]
        if section.heading is None or not lead.title or is_label(lead.title) or not subsections:
            return lead
        own = heading_title(self.names.heading_text(section)).title
        if lead.block.start < subsections[0].start or names_within(own, lead.title):
            return lead
        if self._closing_link(section, lead):
            return replace(lead, titled=False)  # its label says where it goes, not what it is
        if self._is_part_title(own) or not looks_like_title(own, 4):
            return lead
        if not self._one_paper_note(section):
            return lead
        return Ref(title_key(own), own, section, titled=True)

    def _closing_link(self, section: Block, lead: Ref) -> bool:
        """Whether the paper's link stands alone on the note's last line: a digest's "see the
        paper's page" footer (`[到 Huggingface 论文主页查看详情](…/papers/2309.12499)`) gives the
        note's own paper, where a citation sits inside a chapter's prose."""
        block = lead.block
        if block.kind != "paragraph" or not _LONE_LINK.fullmatch(block.source.strip()):
            return False
        rest = self.doc.lines[self.names.end(block) : self.names.end(section)]
        return not any(line.strip() for line in rest)

    def _is_part_title(self, title: str) -> bool:
        return is_part_heading(title) or not looks_like_title(heading_title(title).title, 2)

    def _only_section(self, root: Block) -> Block | None:
        """The one section a file is made of (nothing but comments around it), if so."""
        body = [c for c in root.children if c.kind not in ("comment", "rule")]
        return body[0] if len(body) == 1 and body[0].kind == "section" else None

    def _one_note(self, section: Block, lead: Ref) -> bool:
        """Whether a section naming one paper is that paper's note, rather than a topic or a
        group whose one block or subsection is about a paper."""
        subsections = [c for c in section.children if c.kind == "section"]
        home = next((c for c in subsections if self.names.names(c, lead.key)), None)
        if section.heading is not None:
            if home is not None:
                return self._is_part(home)  # "#### Resources" of a paper, not "### Paper"
            if lead.titled and section is not self.title_block:
                # A topic whose notes cite a paper by title ("Backpropagation … - [“Title”]"),
                # unless the paper is what the section starts with or is titled after.
                own = heading_title(self.names.heading_text(section)).title
                first = next(iter(self.names.own_blocks(section)), None)
                starts = first is not None and self._first_lead_block(first) is lead.block
                return starts or names_within(own, lead.title)
            return True
        if home is None:
            return all(self._is_part(c) for c in subsections)
        return self._flat_note(section, lead)

    def _flat_note(self, root: Block, lead: Ref) -> bool:
        """A file without a title heading is one note about `lead` when its first section names
        it and is the paper's title or a part ("Meta Information"), and the others are parts
        (a one-paper note with its headings all at one level); they may cite other papers."""
        subsections = [c for c in root.children if c.kind == "section"]
        content = [
            c
            for c in self.names.own_blocks(root)
            if c.kind not in ("comment", "rule") and not self._is_navigation(c)
        ]
        if content or len(subsections) < 2 or not self.names.names(subsections[0], lead.key):
            return False
        home, rest = subsections[0], subsections[1:]
        if len(self.names.distinct_leads(home, [])) > 1:
            return False  # it lists papers: the file is a list, not one paper's note
        if self._is_card(home, lead) and not any(self._about_a_paper(c) for c in rest):
            # "### PPO", its full title, authors and link, then "### [Scheme]", "### [Clipped
            # Surrogate Objective]"…: sections about no paper of their own are its parts.
            return True
        title = self.names.heading_text(home)
        # Not an empty or one-word heading, which may be a paper's name in a list of them.
        if not (self._is_part(home) or len(title.split()) >= 2):
            return False
        return all(self._is_part(c) and not self._lists_papers(c) for c in rest)

    def _is_card(self, section: Block, lead: Ref) -> bool:
        """A section that opens by giving its paper in full: its title under the heading's
        short name, then (or with) its link (`### PPO`, `[Proximal policy optimization
        algorithms]`, the authors, `[PAPER](…)`), or a list of its metadata (`# Paper`, then
        `* **Title**: …`, `* **Link**: https://arxiv…`)."""
        first = next(iter(self.names.own_blocks(section)), None)
        if first is None:
            return False
        heading = heading_title(self.names.heading_text(section)).title
        if lead.titled and not lead.citation and self._first_lead_block(first) is lead.block:
            full = lead.title
        elif first.start <= lead.block.start < self.names.end(first):
            full = self.names.field_title(section)
        else:
            return False
        return len(full.split()) > len(heading.split())

    def _field_title(self, section: Block) -> str:
        """The metadata title field of a file's (or its first section's) opening block."""
        if section.heading is None:
            first = next((c for c in section.children if c.kind == "section"), None)
            if first is None or self.names.own_blocks(section):
                return ""
            section = first
        return self.names.field_title(section)

    def _about_a_paper(self, section: Block) -> bool:
        """Whether a section (or one below it) is about a paper of its own, rather than a part
        of a note that cites papers in passing: its heading names one, it opens with one, or it
        lists papers by title."""
        if self.names.strong(section) is not None or self._lists_papers(section):
            return True
        if is_part_heading(self.names.heading_text(section)):
            return False  # "# See also", "## References": a part's links are not its subject
        own = heading_title(self.names.heading_text(section)).title
        first = next(iter(self.names.own_blocks(section)), None)
        opening = self._first_lead_block(first) if first is not None else None
        for ref in self.names.distinct_leads(section, []):
            if ref.block is opening or (ref.title and names_within(own, ref.title)):
                return True
        return any(self._about_a_paper(c) for c in section.children if c.kind == "section")

    def _is_navigation(self, block: Block) -> bool:
        """A paragraph of links to the notes' other pages only (`[HOME](../README.md)`,
        `[← Back](index.md)`): how to move around the notes, not what they say."""
        if block.kind != "paragraph" or "](" not in block.source:
            return False
        depth, linked = 0, False
        for token in self.names.tokens(block):
            if token.type == "link_open":
                href = str(token.attrs.get("href", ""))
                if "://" in href or href.startswith(("#", "mailto:", "www.")):
                    return False
                depth, linked = depth + 1, True
            elif token.type == "link_close":
                depth -= 1
            elif depth == 0 and token.type == "text" and any(c.isalnum() for c in token.content):
                return False
        return linked

    def _opens_with_its_paper(self, section: Block, leads: list[Ref]) -> bool:
        """A section that names its paper by a bare link first (`## Title` then `https://arxiv…`
        or `- paper: …`) and other papers only by title after it (its related work): one note
        about the first, citing the others."""
        heading = section.heading
        if heading is None or self._is_part(section):
            return False
        if is_boilerplate(self.names.heading_text(section)):
            return False
        # Bare: a paper given a title first is one block of a list of papers (an awesome
        # list's "**Fast R-CNN**" under "## Fast R-CNN"), not the section's own.
        if leads[0].titled or not all(ref.title for ref in leads[1:]):
            return False
        # Not bare: an item naming its paper before its link ("Transformer (2017): [[Paper]](…)")
        # beside items each naming another, as a list of papers is written.
        first = leads[0].block
        siblings = self.names.table_of(first)
        return not (
            first.kind == "item"
            and siblings is not None
            and any(ref.block is c for ref in leads[1:] for c in siblings.children)
            and self._named_before_link(first)
        )

    def _named_before_link(self, item: Block) -> bool:
        """Whether an item says something other than a label before its first link or id
        (`Transformer (2017): [[Paper]](…)`, not `paper: https://…`)."""
        head = self.names.head(item)
        if head is None:
            return False
        said = []
        for token in self.names.tokens(head):
            if token.type in ("link_open", "softbreak", "hardbreak"):
                break
            said.append(token.content)
        text = "".join(said).split("http", 1)[0]
        ids = find_arxiv_ids(text)
        text = text[: ids[0].start] if ids else text
        return bool(words(text)) and not is_label(text)

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
        text = self.names.heading_text(section)
        if is_part_heading(text):
            return True
        if not is_numbered(text):
            return False
        if not looks_like_title(text, min_words=4):
            return True
        if self.names.strong(section) is not None:
            return False
        # A chapter may cite papers in its text ("HiPPO Matrix from [Title](…)"); it is about
        # one when it opens with it or is titled after it ("## 3. ResNet" over a link to it).
        leads = self.names.distinct_leads(section, [])
        first = next(iter(self.names.own_blocks(section)), None)
        opening = self._first_lead_block(first) if first is not None else None
        own = heading_title(text).title
        return not any(
            ref.block is opening or (ref.title and names_within(own, ref.title)) for ref in leads
        )

    def _lists_papers(self, section: Block) -> bool:
        """A subsection that is a list of papers by title (not of references cited)."""
        if self.names.strong(section) is not None:
            return True
        titled = {ref.key for ref in self.names.leads(section) if ref.titled and not ref.citation}
        if len(titled) >= 2 and not is_part_heading(self.names.heading_text(section)):
            return True
        return any(self._lists_papers(c) for c in section.children if c.kind == "section")

    def _preamble_paper(self, root: Block) -> Ref | None:
        """The one paper a file's text before its first heading names (a citation counts:
        it is the file's own), when the headings after it are the parts of a note."""
        preamble = [b for b in self.names.own_blocks(root) if b.kind not in ("comment", "rule")]
        leads = {ref.key: ref for block in preamble for ref in self.names.leads(block)}
        if len(leads) != 1 or not self._has_sections(root) or not self._one_paper_note(root):
            return None
        return next(iter(leads.values()))

    def _own_paper(self, section: Block, leads: list[Ref], title: str = "") -> Ref:
        """The paper a one-paper note is about: one whose title is the note's, else the first
        named by its id alone (the `arXiv:` line of its metadata), else the first."""
        own = heading_title(title or self.names.heading_text(section)).title
        for ref in leads:
            if ref.titled and names_within(own, ref.title):
                return ref
        bare = next((ref for ref in leads if not ref.titled), None)
        if bare is not None:
            return bare
        # Every paper it names is someone else's, by title: the note's paper is its own title.
        return Ref(title_key(own), own, section, titled=True)

    def _note_like(self, section: Block) -> bool:
        """A section with no subsections, or only parts: one note, whatever it is about.
        Chapters titled like papers (`## 2. Deep Residual Learning for Image Recognition`)
        are parts only beside a reading note's own (Abstract, Introduction, 요약…): alone they
        may be a numbered list of papers named by title."""
        subsections = [c for c in section.children if c.kind == "section"]
        if all(self._is_part(c) for c in subsections) and not any(
            self._titled_chapter(c) for c in subsections
        ):
            return True
        if section.heading is None and self._titled_first(section, subsections):
            # "## Algorithm Unrolling: …", "## Abstract", "## 1. Introduction": every heading
            # at one level, the first the paper's title.
            subsections = subsections[1:]
        return self._chapters(subsections) and self._has_parts(subsections)

    def _titled_first(self, root: Block, subsections: list[Block]) -> bool:
        """Whether a file without a title heading opens with its paper's title as a section,
        nothing before it but navigation."""
        before = [
            c
            for c in self.names.own_blocks(root)
            if c.kind not in ("comment", "rule") and not self._is_navigation(c)
        ]
        if before or len(subsections) < 2:
            return False
        first = subsections[0]
        title = heading_title(self.names.heading_text(first)).title
        return (
            not self._is_part(first)
            and looks_like_title(title, 2)
            and not self._about_a_paper(first)
        )

    def _chapters(self, sections: list[Block]) -> bool:
        """Whether sections are the chapters of one note: parts, and after a numbered one
        the sub-topics a review writes at its level (`## 2. Related Work`, then `##
        Longformer`), about no paper of their own (none linked, none listed)."""
        numbered = False
        for section in sections:
            text = self.names.heading_text(section)
            if self._is_part(section):
                numbered = numbered or is_numbered(text)
            elif not numbered or is_numbered(text) or self._about_a_paper(section):
                return False
        return True

    def _titled_chapter(self, section: Block) -> bool:
        text = self.names.heading_text(section)
        return is_numbered(text) and not is_part_heading(text) and looks_like_title(text, 4)

    def _has_parts(self, sections: list[Block]) -> bool:
        """Whether some of the sections are a reading note's parts by their words."""
        return any(is_part_heading(self.names.heading_text(c)) for c in sections)

    def _papers_below(self, section: Block) -> bool:
        """Whether any paper is named anywhere in a section (strong subsections included)."""
        return any(
            b.kind == "section" and self.names.strong(b) is not None for b in walk(section)
        ) or bool(self.names.distinct_leads(section, []))

    # --- blocks -------------------------------------------------------------------------

    def _decide_block(self, block: Block, path: list[str]) -> None:
        kind = block.kind
        if kind == "list":
            for item in block.children:
                self._decide_item(item, path)
        elif kind == "table":
            for row in block.children[1:]:
                lead = self.names.lead(row)
                if lead is not None:
                    self._block_unit("row", row, [lead], path)
        elif kind == "details":
            leads = self.names.distinct_leads(block, [])
            if len(leads) == 1:
                self._block_unit("details", block, leads, path)
            elif leads:
                inner = path + ([block.label] if block.label else [])
                for child in block.children:
                    self._decide_block(child, inner)
        elif kind in ("paragraph", "code", "math", "html", "quote", "callout", "group"):
            lead = self.names.lead(block)
            if lead is not None:
                self._block_unit("paragraph", block, [lead], path)

    def _decide_item(self, item: Block, path: list[str]) -> None:
        lead = self.names.lead(item)
        if lead is not None:
            self._block_unit("item", item, [lead], path)
            return
        leads = self.names.distinct_leads(item, [])
        if len(leads) == 1:
            # A topic item whose notes cite one paper: the item is that paper's note.
            self._block_unit("item", item, leads, path)
            return
        if not leads:
            return
        head = self.names.head(item)
        inner = path + ([self.names.first_line(head)] if head is not None else [])
        for child in item.children:
            if child is not head:
                self._decide_block(child, inner)

    def _block_unit(
        self, kind: UnitKind, block: Block, subjects: list[Ref], path: list[str]
    ) -> None:
        if self._by_ids_only and not any(s.key.startswith("arxiv:") for s in subjects):
            return
        title = next((s.title for s in subjects if s.title), "") or self.names.block_title(block)
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
            text = self.names.heading_text(section) if heading is not None else ""
            if text and (is_boilerplate(text) or (whole and is_part_heading(text))):
                continue  # "## License", "## About", "## Introduction": about no paper
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
                        heading_title(self.names.heading_text(section)).title, min_words=3
                    )
                ):
                    whole_file = section is self.title_block and self._has_sections(section)
                    self._candidate(section, [section], path, "file" if whole_file else "section")
                continue
            # A group's or the file's own text before its subsections: kept when it points at
            # something citable.
            own = self.names.own_blocks(section)
            if own and self._points_at(own):
                blocks = [heading, *own] if heading is not None else own
                self._candidate(section, blocks, path, "section" if heading else "paragraph")

    def _candidate(
        self, section: Block, blocks: list[Block], path: list[str], kind: UnitKind
    ) -> None:
        if section.heading is not None:
            title = self.names.heading_text(section)
        else:
            title = self._field_title(section) or next(
                (self.names.first_line(b) for b in blocks if self.names.first_line(b)), ""
            )
        self.drafts.append(_Draft(kind, blocks, [], path, title))

    def _warn_titles(self) -> None:
        """Lines of a list that look like paper titles but name no paper, outside every
        unit (a "TODO" list of titles with no link), are said, never silently lost."""
        covered = sorted((b.start, self.names.end(b)) for d in self.drafts for b in d.blocks)
        starts = [a for a, _ in covered]
        reach = list(accumulate((b for _, b in covered), max))  # the furthest end so far

        def is_covered(block: Block) -> bool:
            i = bisect_right(starts, block.start) - 1
            return i >= 0 and reach[i] > block.start

        stack = [self.doc.root]
        while stack:
            section = stack.pop()
            stack += reversed([c for c in section.children if c.kind == "section"])
            items = [
                item
                for block in self.names.own_blocks(section)
                if block.kind == "list"
                for item in block.children
                if self.names.lead(item) is None
                and _looks_like_listed_title(self.names.first_line(item))
                and not is_covered(item)
                and not self._links_here(item)
            ]
            if items:
                self.diagnostics.append(
                    Diagnostic(
                        _unlinked_titles(
                            [self.names.first_line(item) for item in items],
                            self.names.heading_text(section) or self.names.first_line(section),
                        ),
                        self.source,
                        items[0].start + 1,
                    )
                )

    def _links_here(self, item: Block) -> bool:
        """Whether an item's first line links to one of the file's own headings (a table of
        contents' `[Part](#part)`): a way around the file, not a title left without a link."""
        head = self.names.head(item)
        hrefs = [
            str(t.attrs.get("href", ""))
            for t in (self.names.tokens(head) if head is not None else [])
            if t.type == "link_open"
        ]
        return any(h.startswith("#") or self.names.internal(h) for h in hrefs)

    # --- mentions -----------------------------------------------------------------------

    def _add_mentions(self) -> None:
        """Every paper named inside a unit that is not about it gets the passage naming it."""
        seen: set[tuple[str, int]] = set()
        mentions: list[_Draft] = []
        for draft in self.drafts:
            keys = {s.key for s in draft.subjects}
            for ref, block, path in self._refs_in(draft, draft.path):
                if ref.key in keys or (ref.key, id(block)) in seen or not self.names.cited(ref):
                    continue
                seen.add((ref.key, id(block)))
                title = ref.title or self.names.block_title(block)
                mentions.append(_Draft("mention", [block], [ref], path, title))
        self.drafts += mentions

    def _refs_in(self, draft: _Draft, path: list[str]) -> Iterator[tuple[Ref, Block, list[str]]]:
        """The papers a unit names, each with the innermost paragraph or item naming it."""
        for block in draft.blocks:
            yield from self._refs_below(block, draft.skip, path, top=True)

    def _refs_below(
        self, block: Block, skip: list[Block], path: list[str], top: bool = False
    ) -> Iterator[tuple[Ref, Block, list[str]]]:
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
            head = self.names.head(block) if block.kind == "item" else block
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
    ) -> Iterator[tuple[Ref, Block, list[str]]]:
        for ref in self.names.named_in(leaf, owner):
            yield ref, owner, path

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
            hits = [h for h in subject.hits if arxiv_key(h.id) == key]
            hits += [
                h
                for a, b in spans
                for h in self.names.hits_in_lines(a, b)
                if arxiv_key(h.id) == key and h not in hits
            ]
            if not hits:
                hits = [Hit(ArxivId(key.removeprefix("arxiv:")), line, "")]
            ids += [
                Mention(h.id, self.source, h.line, h.written)
                for h in sorted(hits, key=lambda h: h.line)
            ]
        front = self.front
        return Unit(
            self.source,
            line,
            self._unit_title(draft) or self._first_line_of(spans),
            text,
            tuple(find_links(text)),
            front,
            draft.kind,
            tuple(p for p in draft.path if p),
            tuple((a + 1, b) for a, b in spans),
            tuple(_distinct_mentions(ids)),
        )

    def _unit_title(self, draft: _Draft) -> str:
        """A draft's title; a whole file called only by a part of it ("Abstract": a review
        with no title heading) is called by its file's name."""
        title = draft.title
        # Only a bare part ("Abstract", "1. Introduction"): "Thought Cloning" is a title.
        said = words(without_numbering(title))
        bare = bool(said) and all(is_part_heading(word) for word in said)
        if draft.kind == "file" and bare:
            return _title_of_file(self.source) or title
        return title

    def _spans(self, draft: _Draft) -> list[tuple[int, int]]:
        """The draft's lines as [start, end) ranges: comments, skipped blocks and blank
        lines at the ends left out."""
        start = draft.blocks[0].start
        end = max(self.names.end(block) for block in draft.blocks)
        skipped = ((b.start, b.end) for b in draft.skip)
        holes = sorted([*self.names.comments_in(start, end), *skipped])
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
        table = self.names.table_of(row)
        header = table.children[0].cells if table is not None and table.children else []
        lines = []
        for i, cell in enumerate(row.cells):
            if not cell.strip():
                continue
            name = header[i].strip() if i < len(header) else ""
            lines.append(f"{name}: {cell.strip()}" if name else cell.strip())
        return "\n".join(lines)

    # --- what blocks name ---------------------------------------------------------------

    def _table_of_contents(self, section: Block) -> bool:
        """A section whose own text is only lists of links to the file's own headings."""
        own = [b for b in self.names.own_blocks(section) if b.kind not in ("comment", "rule")]
        items = [item for b in own if b.kind == "list" for item in list_items(b)]
        if not items or any(b.kind != "list" for b in own):
            return False
        for item in items:
            head = self.names.head(item)
            tokens = self.names.tokens(head) if head is not None else []
            hrefs = [str(t.attrs.get("href", "")) for t in tokens if t.type == "link_open"]
            if not hrefs or not all(h.startswith("#") or self.names.internal(h) for h in hrefs):
                return False
        return True

    def _points_at_something(self, section: Block) -> bool:
        return self._points_at(
            [c for c in section.children if c.kind != "heading"]
            + ([section.heading] if section.heading else [])
        )

    def _points_at(self, blocks: Sequence[Block]) -> bool:
        """Whether blocks point at something citable: a web link, a DOI, the word arXiv."""
        for block in blocks:
            text = without_comments("\n".join(self.lines[block.start : self.names.end(block)]))
            if find_links(text) or "arxiv" in text.lower() or _DOI.search(text):
                return True
        return False

    # --- small readers ------------------------------------------------------------------

    def _has_sections(self, section: Block) -> bool:
        return any(c.kind == "section" for c in section.children)

    def _label(self, section: Block) -> list[str]:
        if section.heading is None or section is self.title_block:
            return []
        return [self.names.heading_text(section)]

    def _first_line_of(self, spans: list[tuple[int, int]]) -> str:
        return self.lines[spans[0][0]].strip() if spans else ""

    def _first_title(self, section: Block) -> str:
        """A heading-less text's title: its first heading, else its first line."""
        for block in walk(section):
            if block.kind == "section" and block.heading is not None:
                return self.names.heading_text(block)
        body = [c for c in section.children if c.kind not in ("comment", "rule")]
        return self.names.first_line(body[0]) if body else ""

    def _has_content(self, block: Block) -> bool:
        return (
            any(self.lines[i].strip() for i in range(block.start, self.names.end(block)))
            and any(c.kind != "comment" for c in walk(block) if c is not block)
        ) or (
            not block.children
            and any(self.lines[i].strip() for i in range(block.start, self.names.end(block)))
        )

    def _has_body(self, section: Block) -> bool:
        heading = section.heading
        start = heading.end if heading is not None else section.start
        return any(self.lines[i].strip() for i in range(start, self.names.end(section)))

    def _is_whole_file(self, section: Block) -> bool:
        root = self.doc.root
        return all(c is section or c.kind == "comment" for c in root.children)

    def _document_title(self) -> Block | None:
        """The file's title: a first heading alone at the top, every other heading below it."""
        body = [c for c in self.doc.root.children if c.kind != "comment"]
        if len(body) == 1 and body[0].kind == "section" and body[0].heading is not None:
            return body[0]
        return None


def _looks_like_listed_title(line: str) -> bool:
    """A plain line that reads as a paper title: Latin, three words or more, Title Case."""
    if not looks_like_title(line, min_words=3) or line.rstrip().endswith((".", ":", "?", "!")):
        return False
    significant = [w for w in line.split() if len(w) > 3]
    return bool(significant) and all(w[:1].isupper() or not w[:1].isalpha() for w in significant)


def _unlinked_titles(titles: list[str], where: str) -> str:
    """The warning for list lines that read as paper titles but name no paper."""
    many = len(titles) > 1
    said = (
        f'{len(titles)} lines under "{where}" look like paper titles but name no paper'
        if many
        else f'1 line under "{where}" looks like a paper title but names no paper'
    )
    more = " …" if many else ""
    return (
        f"{said} (no link or id), so {'they are' if many else 'it is'} not in the "
        f'bibliography: "{titles[0]}"{more}'
    )


def _title_of_file(source: str) -> str:
    """A notes file's name as a title: `GPT-2 리뷰.md` → `GPT-2`, `attention_is_all_you_need.md`
    → `attention is all you need`; a date in front and a word saying it is a review or notes
    (리뷰, review, summary, 정리) left out. Empty for stdin and names that are no title
    (`README.md`, `notes.md`)."""
    if source in (STDIN, STDIN_NAME, ""):
        return ""
    stem = PurePath(source).name
    stem = stem[: stem.rfind(".")] if "." in stem else stem
    stem = _FILE_DATE.sub("", stem.replace("_", " ")).strip()
    words = stem.split()
    while len(words) > 1 and is_part_heading(words[-1]):
        words.pop()
    while len(words) > 1 and is_part_heading(words[0]):
        words.pop(0)
    title = " ".join(words).strip(" -")
    if not any(c.isalpha() for c in title) or is_part_heading(title) or is_boilerplate(title):
        return ""
    return "" if title.casefold() in _NOT_TITLES else title


def _page_name_of_file(source: str) -> str:
    """A Logseq page's name from its file's: `%3A` is `:`, `A___B` is the page B in the
    namespace A, and a ZotFile name `2021_Hastings_Haah_Dynamically Generated Logical Qubits`
    is its title after the year and the authors."""
    name = _page_stem(source).rsplit("___", 1)[-1].strip().removeprefix("@")
    zotfile = _ZOTFILE_NAME.fullmatch(name)
    if zotfile is not None:
        name = zotfile.group("title").strip()
    return "" if name.casefold() in _NOT_TITLES else name


def _page_stem(source: str) -> str:
    if source in (STDIN, STDIN_NAME, ""):
        return ""
    name = PurePath(source).name
    return unquote(name[: name.rfind(".")] if "." in name else name)


# ZotFile's default renaming, `{year}_{authors}_{title}` (authors `A_B` or `A et al`).
_ZOTFILE_NAME = re.compile(r"(?:19|20)\d{2}_(?:[^_]+_)+(?P<title>[^_]* [^_]*)")
_FILE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}[-\s]*")
_NOT_TITLES = frozenset(("readme", "index", "untitled", "draft", "todo"))


def _together(subjects: list[Ref]) -> list[Ref]:
    """The subjects with the papers named alongside them (see `Ref.together`)."""
    return distinct([r for s in subjects for r in [s, *s.together]])


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
