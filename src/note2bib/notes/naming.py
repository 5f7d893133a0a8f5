"""What each block of a notes file names: the arXiv ids on its lines, and the paper it leads
with — a titled reference (`[Title](…)`, a citation, a table's title column) or its first id.

Pure readings of a `Document`, each computed once (`Naming` caches them per block); what a
note *is*, given these, is decided in `units`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote

from note2bib.arxiv.ids import find_arxiv_ids
from note2bib.model import ArxivId
from note2bib.notes.markdown import (
    Block,
    Document,
    Inline,
    find_links,
    inline_tokens,
    plain_text,
    without_comments,
)
from note2bib.notes.parts import is_label
from note2bib.notes.references import (
    Titled,
    clean_title,
    is_cited_paper,
    is_title_like,
    link_title,
    may_name_a_title,
    plain_lead,
    quoted_link,
    read_lead,
    title_column,
)
from note2bib.title_match import names_within
from note2bib.titles import heading_title, normalize_title

_WIKILINK = re.compile(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]")
_URLS = re.compile(r"\(?https?://[^\s()]+\)?")
# Characters of inline Markdown: a heading without any is its own plain text.
_MARKUP = re.compile(r"[\[\]*_`\\<>&$!~%]")
_QUOTE_MARKS = "\"'\u201c\u201d\u2018\u2019\u300c\u300d\u300e\u300f"
_TAGS = re.compile(r"<[^<>]*>")
_CELL_BREAK = re.compile(r"\s*<br\s*/?>\s*|\s{2,}|\s+[-\u2013\u2014]\s+", re.IGNORECASE)
_NUMBER = re.compile(r"^\d+[.)]\s+")
# A metadata line naming the paper's title: "* **Title**: …", "- 제목: …", "标题: …".
_TITLE_FIELD = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?(?:paper\s+)?(?:title|제목|논문\s?제목|标题|题目|タイトル)"
    r"(?:\*\*|__)?\s*[:\uff1a]\s*(?:\*\*|__)?\s*(\S.*)$",
    re.IGNORECASE,
)
# A picture shows the paper's figure; it is not a link to a paper (`![image](https://…png)`).
_IMAGES = re.compile(r"!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>", re.IGNORECASE)
_BRACKETED = re.compile(r"\[([^\[\]]+)\]")
_SHORT_NAME_WORDS = 3
"""A paper's short name (`(3) DDPG`, `Vanilla PG (Sutton)`) is a few words."""
# A line that is only a title in brackets (a link without its target) or in quotes.
_TITLE_LINE = re.compile(r"\[([^\[\]]+)\]|[\"\u201c]([^\"\u201c\u201d]+)[\"\u201d]")


@dataclass(frozen=True)
class Hit:
    """An arXiv id as written in the file (1-based line)."""

    id: ArxivId
    line: int
    written: str


@dataclass(eq=False)
class Ref:
    """A paper a block names: by arXiv id (`key` "arxiv:ID") or by title only ("title:…")."""

    key: str
    title: str
    block: Block
    hits: list[Hit] = field(default_factory=list)
    titled: bool = False
    citation: bool = False
    together: list[Ref] = field(default_factory=list)
    """Papers named by id on the same line as this one, with no title for either: a
    comparison ("arXiv:2307.00522 vs arXiv:2307.04725") is about both."""
    given: Titled | None = None
    """How a paper named by title only is given (a link, bold, a citation…)."""


class Naming:
    """What the blocks of one document name, each read once."""

    def __init__(self, document: Document) -> None:
        self.doc = document
        self.lines = document.lines
        self._every_hit: tuple[list[int], list[Hit]] | None = None
        self._hits: dict[int, list[Hit]] = {}
        self._lead_lists: dict[int, list[Ref]] = {}
        self._strongs: dict[int, Ref | None] = {}
        self._comment_ranges: list[tuple[int, int]] | None = None
        self._lead: dict[int, Ref | None] = {}
        self._titles: dict[tuple[int, bool], Titled | None] = {}
        self._groups: dict[int, list[Block]] = {}
        self._anchors: set[str] | None = None
        self._id_titles: set[str] | None = None
        self._inline: dict[int, list[Inline]] = {}
        self._parent_map: dict[int, Block] | None = None

    def end(self, block: Block) -> int:
        return min(block.end, len(self.lines))

    def comments_in(self, start: int, end: int) -> list[tuple[int, int]]:
        """The comment blocks on lines [start, end), as line ranges."""
        if self._comment_ranges is None:
            self._comment_ranges = sorted(
                (b.start, b.end) for b in walk(self.doc.root) if b.kind == "comment"
            )
        ranges = self._comment_ranges
        first = bisect_left(ranges, (start, -1))
        return [r for r in ranges[first : bisect_left(ranges, (end, -1))] if r[1] <= end]

    def hits(self, block: Block) -> list[Hit]:
        """The arXiv ids a block names (comments left out), in order, with their lines."""
        found = self._hits.get(id(block))
        if found is None:
            if block.kind in ("comment", "rule"):
                found = []
            else:
                found = self.hits_in_lines(block.start, self.end(block))
            self._hits[id(block)] = found
        return found

    def hits_in_lines(self, start: int, end: int) -> list[Hit]:
        """The ids on lines [start, end) (0-based)."""
        lines, hits = self._all_hits()
        return hits[bisect_left(lines, start + 1) : bisect_left(lines, end + 1)]

    def _all_hits(self) -> tuple[list[int], list[Hit]]:
        """Every arXiv id of the file outside its front matter and comments, found in one scan
        (a scan per block made a file of 10,000 notes twice as slow to read)."""
        if self._every_hit is None:
            masked = list(self.lines)
            front = self.doc.front
            for i in range(front.end if front else 0):
                masked[i] = ""
            for block in walk(self.doc.root):
                if block.kind == "comment":
                    masked[block.start : self.end(block)] = [""] * (self.end(block) - block.start)
            text = "\n".join(without_comments(line) for line in masked)
            hits, line, at = [], 1, 0
            for match in find_arxiv_ids(text):
                line += text.count("\n", at, match.start)
                at = match.start
                hits.append(Hit(match.id, line, text[match.start : match.end]))
            self._every_hit = ([h.line for h in hits], hits)
        return self._every_hit

    def named_in(self, leaf: Block, owner: Block) -> Iterator[Ref]:
        """The papers a leaf names (`owner`: its item or row): its lead (titled, or its first
        id), then every other id, titled by the link holding it, then a quoted linked title."""
        lead = self.lead(owner if owner.kind in ("item", "row") else leaf)
        if lead is not None:
            yield lead
        for hit in self.hits(leaf):
            if lead is None or arxiv_key(hit.id) != lead.key:
                title = link_title(self.tokens(leaf), hit.written) if "[" in leaf.source else ""
                yield Ref(arxiv_key(hit.id), title, owner, [hit], bool(title))
        if lead is None and leaf.kind in ("paragraph", "heading"):
            quoted = quoted_link(self.tokens(leaf)) if "[" in leaf.source else None
            if quoted is not None and quoted.href.startswith("http"):
                yield Ref(title_key(quoted.title), quoted.title, owner, titled=True, given=quoted)

    def cited(self, ref: Ref) -> bool:
        """Whether a paper named inside another paper's note is one (see `is_cited_paper`):
        by an id always; by title only when given as a reference, or linked to the paper, or
        as the title of a paper the file names by an id elsewhere."""
        given = ref.given
        if ref.key.startswith("arxiv:") or given is None:
            return True
        if normalize_title(ref.title) in self._titles_with_ids():
            return True
        block = ref.block
        leaf = self.head(block) if block.kind == "item" else block
        return is_cited_paper(given, find_links(leaf.source) if leaf is not None else [])

    def lead(self, block: Block) -> Ref | None:
        """The paper a block is about by its first words: a titled reference, or the first id
        its first paragraph names."""
        key = id(block)
        if key not in self._lead:
            self._lead[key] = self._read_lead(block)
        return self._lead[key]

    def _read_lead(self, block: Block) -> Ref | None:
        if block.kind == "row":
            return self._row_lead(block)
        if block.kind == "group":
            # The title paragraph's paper, by the first id of the group when it gives none.
            title = self._full_title(block) or self.titled(block.children[0], False)
            hits = self.hits(block)
            return self._ref(block, title, hits)
        if block.kind in ("code", "math", "html"):
            hits = self.hits(block)
            return Ref(arxiv_key(hits[0].id), "", block, hits[:1]) if hits else None
        if block.kind in ("quote", "callout", "details"):
            first = next((c for c in block.children if c.kind not in ("comment", "html")), None)
            return self.lead(first) if first is not None else None
        head = self.head(block) if block.kind == "item" else block
        if head is None or head.kind not in ("paragraph", "heading"):
            return None
        titled = self.titled(head, leading=block.kind == "item")
        hits = self.hits(head)
        if titled is not None and not hits and block.kind == "item":
            hits = self._bare_hits_below(block, head)
        lead = self._ref(block, titled, hits)
        if lead is None and block.kind == "item" and titled is not None and not hits:
            lead = self._listed_by_title(block, head, titled)
        if lead is not None and not lead.title and "[" in head.source:
            # Named by id only, yet its link may have a title for the reader: kept to show.
            lead.title = link_title(self.tokens(head), lead.hits[0].written)
        return lead

    def _ref(self, block: Block, titled: Titled | None, hits: list[Hit]) -> Ref | None:
        if titled is not None:
            linked = [h for h in hits if titled.href and h.written in titled.href]
            first = (linked or hits)[:1]
            if first:
                return Ref(
                    arxiv_key(first[0].id),
                    titled.title,
                    block,
                    first,
                    True,
                    titled.shape == "citation",
                )
            if self._names_by_title(block, titled):
                return Ref(
                    title_key(titled.title),
                    titled.title,
                    block,
                    [],
                    True,
                    titled.shape == "citation",
                    given=titled,
                )
            return None
        if hits:
            lead = Ref(arxiv_key(hits[0].id), "", block, hits[:1])
            for hit in hits[1:]:
                key = arxiv_key(hit.id)
                new = all(key != other.key for other in lead.together)
                if hit.line == hits[0].line and key != lead.key and new:
                    lead.together.append(Ref(key, "", block, [hit]))
            return lead
        return None

    def _full_title(self, group: Block) -> Titled | None:
        """The full title on the line after a group's short name (`**(3) DDPG**`, then
        `[Continuous control with deep reinforcement learning]` or the title in quotes)."""
        if len(group.children) < 2:
            return None
        second = group.children[1]
        if second.kind != "paragraph" or second.end - second.start != 1:
            return None
        found = _TITLE_LINE.fullmatch(second.source.strip())
        title = " ".join((found.group(1) or found.group(2)).split()) if found else ""
        if not is_title_like(title):
            return None
        short = self.titled(group.children[0], False)
        if short is not None and len(short.title.split()) >= len(title.split()):
            return None
        return Titled(title, "bold")

    def _listed_by_title(self, item: Block, head: Block, titled: Titled) -> Ref | None:
        """An item that is nothing but a quoted or emphasised title (`- "Title"`, `- *Title*`)
        in a list whose other items name papers: one more paper of the list."""
        if titled.shape not in ("quoted", "bold") or not is_title_like(titled.title):
            return None
        written = plain_text(self.tokens(head)).strip(_QUOTE_MARKS + " \t*_")
        if normalize_title(written) != normalize_title(titled.title):
            return None  # "**Idea**: …", a bold word starting a sentence
        parent = self._parents().get(id(item))
        siblings = [c for c in parent.children if c is not item] if parent is not None else []
        if not any(self._sibling_lead(c) is not None for c in siblings):
            return None
        return Ref(title_key(titled.title), titled.title, item, [], True, given=titled)

    def _sibling_lead(self, item: Block) -> Ref | None:
        """An item's lead by the other rules (no item leads by its siblings' alone)."""
        if item.kind != "item":
            return None
        head = self.head(item)
        if head is None:
            return None
        titled = self.titled(head, leading=True)
        hits = self.hits(head) or (self._bare_hits_below(item, head) if titled else [])
        return self._ref(item, titled, hits)

    def _names_by_title(self, block: Block, titled: Titled) -> bool:
        """Whether a title without an arXiv id is a paper's: a citation, a title linked to a
        web page, or a bold, quoted or leading title with a link or `(Venue Year)` by it."""
        if titled.shape in ("citation", "row"):
            return True
        if titled.shape in ("link", "quoted") and titled.href:
            if titled.href.startswith(("http://", "https://")):
                return not self.internal(titled.href)
            if not _is_own_file(titled.href) or self.internal(titled.href):
                return False
            # `[Title](notes/moe.md) [[OpenReview](https://…)]`: a title linked to the
            # notes' own page about it, then the paper's link, as a leading title is.
            head = self.head(block) if block.kind == "item" else block
            return head is not None and bool(find_links(head.source))
        text = "\n".join(self.lines[block.start : self.end(block)])
        if titled.venue or find_links(
            _IMAGES.sub(" ", text) if "](" in text or "<" in text else text
        ):
            return True
        # A copy of a paper the file lists with its id ("Deep Inside … [[note](./x.md" with
        # its link lost, the same title with an arXiv link further down).
        return normalize_title(titled.title) in self._titles_with_ids()

    def _titles_with_ids(self) -> set[str]:
        """The titles the file gives papers it names by an arXiv id on the same line."""
        if self._id_titles is None:
            self._id_titles = set()
            for block in walk(self.doc.root):
                if block.kind in ("paragraph", "heading") and may_name_a_title(block.source, True):
                    titled = self.titled(block, True)
                    if titled is not None and self.hits(block):
                        self._id_titles.add(normalize_title(titled.title))
        return self._id_titles

    def internal(self, href: str) -> bool:
        """A link to one of this file's own headings (a table of contents), even written as
        the file's full URL: `https://github.com/…/README.md#performance-table`."""
        fragment = unquote(href.rpartition("#")[2]) if "#" in href else ""
        return bool(fragment) and fragment.casefold() in self._slugs()

    def _slugs(self) -> set[str]:
        """The anchors GitHub gives this file's headings."""
        if self._anchors is None:
            self._anchors = {_slug(self.heading_text(b)) for b in walk(self.doc.root) if b.heading}
        return self._anchors

    def _row_lead(self, row: Block) -> Ref | None:
        table = self.table_of(row)
        header = table.children[0].cells if table is not None and table.children else []
        column = title_column(header)
        hits = self.hits(row)
        titled = None
        if column is not None and column < len(row.cells):
            cell = row.cells[column].strip()
            # "6) AlphaGenome  Google DeepMind introduces …", "**DeepSeek-V3** - a 671B …": a
            # title, then its summary after a break, a wide space or a dash.
            head = _CELL_BREAK.split(_NUMBER.sub("", cell), maxsplit=1)[0]
            tokens = inline_tokens(head, self.doc)
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
            # In a "Paper" column a name alone is a title too ("AlphaGenome").
            named = column is not None and len(titled.title.split()) == 1
            if not find_links("\n".join(row.cells)) or not (named or is_title_like(titled.title)):
                return None
            titled = Titled(titled.title, "row")
        return self._ref(row, titled, hits)

    def table_of(self, row: Block) -> Block | None:
        return self._parents().get(id(row))

    def _parents(self) -> dict[int, Block]:
        if self._parent_map is None:
            parents: dict[int, Block] = {}
            stack = [self.doc.root]
            while stack:
                block = stack.pop()
                for child in block.children:
                    parents[id(child)] = block
                    stack.append(child)
            self._parent_map = parents
        return self._parent_map

    def _bare_hits_below(self, item: Block, head: Block) -> list[Hit]:
        """Ids in an item's nested lines that carry no title of their own (`- arXiv: …`)."""
        for child in item.children:
            if child is head:
                continue
            for leaf in leaves(child):
                if leaf.kind == "paragraph" and self.titled(leaf, False) is not None:
                    continue
                hits = self.hits(leaf)
                if hits:
                    return hits[:1]
        return []

    def leads(self, block: Block) -> list[Ref]:
        """The papers a block's top-level parts are each about, in order (with repeats)."""
        found = self._lead_lists.get(id(block))
        if found is None:
            found = self._lead_lists[id(block)] = self._find_leads(block)
        return found

    def _find_leads(self, block: Block) -> list[Ref]:
        kind = block.kind
        if kind in ("comment", "rule", "heading"):
            return []
        if kind == "section":
            out = [r for child in self.own_blocks(block) for r in self.leads(child)]
            for child in block.children:
                if child.kind == "section" and self.strong(child) is None:
                    out += self.leads(child)
            return out
        if kind == "item":
            lead = self.lead(block)
            if lead is not None:
                return [lead]
            head = self.head(block)
            return [r for c in block.children if c is not head for r in self.leads(c)]
        if kind == "table":
            return [r for row in block.children[1:] for r in [self.lead(row)] if r]
        if kind in ("list", "details"):
            return [r for c in block.children for r in self.leads(c)]
        if kind == "group":
            lead = self.lead(block)
            return [lead] if lead is not None else []
        lead = self.lead(block)
        return [lead] if lead is not None else []

    def distinct_leads(self, block: Block, own_titles: list[str]) -> list[Ref]:
        """The different papers a block's parts are about; citations count only when they
        cite the note's own paper (its title is the heading's)."""
        out: dict[str, Ref] = {}
        for ref in self.leads(block):
            if ref.citation and not any(
                names_within(heading_title(t).title, ref.title) for t in own_titles
            ):
                continue
            out.setdefault(ref.key, ref)
        return list(out.values())

    def strong(self, section: Block) -> Ref | None:
        """The paper a section's heading names by an id or a linked title, if it does."""
        if id(section) not in self._strongs:
            self._strongs[id(section)] = self._read_strong(section)
        return self._strongs[id(section)]

    def _read_strong(self, section: Block) -> Ref | None:
        heading = section.heading
        if heading is None:
            return None
        hits = self.hits(heading)
        titled = self.titled(heading, True)
        if hits:
            title = titled.title if titled else self.heading_text(section)
            return Ref(arxiv_key(hits[0].id), title, heading, hits[:1], titled is not None)
        if (
            titled is not None
            and titled.shape in ("link", "quoted")
            and titled.href.startswith("http")
        ):
            return Ref(title_key(titled.title), titled.title, heading, [], True)
        return None

    def names(self, block: Block, key: str) -> bool:
        return any(arxiv_key(h.id) == key for h in self.hits(block)) or any(
            r.key == key for r in self.leads(block)
        )

    def titled(self, leaf: Block, leading: bool) -> Titled | None:
        """The title a paragraph, item head or heading gives its paper by its shape."""
        key = (id(leaf), leading)
        if key not in self._titles:
            found = None
            if may_name_a_title(leaf.source, leading or leaf.kind == "heading"):
                plain, found = plain_lead(leaf.source)
                if not plain or self._is_callout_marker(leaf):
                    tokens = self.tokens(leaf)
                    found = quoted_link(tokens) or read_lead(tokens, leading)
                if found is None and leaf.kind == "paragraph":
                    found = _bracketed_title(leaf)
            self._titles[key] = found
        return self._titles[key]

    def tokens(self, leaf: Block) -> list[Inline]:
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

    def head(self, item: Block) -> Block | None:
        """An item's first paragraph (or heading, as Logseq writes them)."""
        for child in item.children:
            if child.kind in ("paragraph", "heading"):
                return child
            if child.kind not in ("comment",):
                return None
        return None

    def own_blocks(self, section: Block) -> list[Block]:
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
            if self._is_title_paragraph(block) and not self._names_in_full(group, block):
                group = Block("group", block.start, block.end, [block])
                out.append(group)
                continue
            if (
                group is not None
                and block.kind != "rule"
                and not _is_spacer(block)
                and not self._titled_inside(block)
            ):
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
        titled = self.titled(block, False)
        if titled is None or titled.shape not in ("bold", "link", "quoted"):
            return False
        rest = normalize_title(plain_text(self.tokens(block))).replace(
            normalize_title(titled.title), "", 1
        )
        return len(rest.split()) <= 3  # a venue or a year may follow: "(CVPR 2019)"

    def _names_in_full(self, group: Block | None, block: Block) -> bool:
        """Whether a title line gives in full the paper a group has only named so far
        (`**(3) DDPG**`, then `[Continuous control with deep reinforcement learning]`)."""
        if group is None or len(group.children) != 1:
            return False
        short = self.titled(group.children[0], False)
        full = _TITLE_LINE.fullmatch(block.source.strip())
        return (
            short is not None
            and full is not None
            and len(short.title.split()) <= _SHORT_NAME_WORDS
            and len(short.title.split()) < len((full.group(1) or full.group(2)).split())
        )

    def _titled_inside(self, block: Block) -> bool:
        """Whether a block (a list) names papers by title: a list of papers, not of links."""
        return any(ref.titled and not ref.citation for ref in self.leads(block))

    def field_title(self, section: Block) -> str:
        """The title a section's metadata gives its paper: a `Title: …` field (`* **Title**:
        BEGAN: …`, `제목: …`) among the lines of its first block."""
        first = next(iter(self.own_blocks(section)), None)
        if first is None or first.kind not in ("list", "paragraph"):
            return ""
        for i in range(first.start, self.end(first)):
            found = _TITLE_FIELD.match(self.lines[i])
            if found is not None:
                title = clean_title(plain_text(inline_tokens(found.group(1), self.doc)))
                return title if is_title_like(title) else ""
        return ""

    def heading_text(self, section: Block) -> str:
        heading = section.heading
        if heading is None:
            return ""
        if not heading.label:
            source = heading.source
            plain = _MARKUP.search(source) is None
            heading.label = " ".join(source.split()) if plain else plain_text(self.tokens(heading))
        return heading.label

    def first_line(self, block: Block) -> str:
        for i in range(block.start, self.end(block)):
            line = self.lines[i].strip()
            if line:
                text = plain_text(inline_tokens(line.lstrip("-*+># \t").strip(), self.doc))
                # An Obsidian or Logseq page link reads as its text: [[Page|shown]] → shown.
                return _WIKILINK.sub(lambda m: m.group(1), text) or line
        return ""

    def block_title(self, block: Block) -> str:
        """A block's first line as its title, its bare links left out: a link says nothing a
        title would ("paper: https://arxiv.org/abs/…")."""
        line = self.first_line(block)
        return " ".join(_URLS.sub(" ", line).split()) or line


def list_items(block: Block) -> Iterator[Block]:
    """A list's items, nested items included."""
    for item in block.children:
        yield item
        for child in item.children:
            if child.kind == "list":
                yield from list_items(child)


def leaves(block: Block) -> Iterator[Block]:
    if not block.children:
        yield block
    for child in block.children:
        yield from leaves(child)


def walk(block: Block) -> Iterator[Block]:
    yield block
    for child in block.children:
        yield from walk(child)


def _bracketed_title(leaf: Block) -> Titled | None:
    """A one-line paragraph that is only a title in brackets (a link that lost its target):
    `[Proximal policy optimization algorithms]`."""
    if leaf.end - leaf.start != 1:
        return None
    found = _BRACKETED.fullmatch(leaf.source.strip())
    title = " ".join(found.group(1).split()) if found else ""
    return Titled(title, "quoted") if title and is_title_like(title) else None


def _is_own_file(href: str) -> bool:
    """A link to a file beside the notes (`notes/moe.md`, `../papers/x.pdf`): no scheme, no
    anchor of this file, no mail address."""
    return bool(href) and not href.startswith("#") and _SCHEME.match(href) is None


_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def _is_spacer(block: Block) -> bool:
    """An HTML block with nothing to read (`<br/>`, `<hr>`): a break between blocks."""
    return block.kind == "html" and not _TAGS.sub("", block.source).replace("&nbsp;", "").strip()


def _cell_title(tokens: Sequence[Inline]) -> Titled | None:
    text = clean_title(plain_text(tokens))
    if not text or is_label(text):
        return None
    return Titled(text, "row")


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes."""
    kept = "".join(c for c in heading.casefold() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def arxiv_key(arxiv_id: ArxivId) -> str:
    return "arxiv:" + arxiv_id.base


def title_key(title: str) -> str:
    return "title:" + normalize_title(title)


def distinct(refs: list[Ref]) -> list[Ref]:
    """One ref per paper, with every place the refs name it."""
    out: dict[str, Ref] = {}
    for ref in refs:
        if ref.key in out:
            first = out[ref.key]
            out[ref.key] = Ref(
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
