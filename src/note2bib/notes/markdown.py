"""Markdown notes → `Section`s: markdown-it-py finds the structure, the text stays verbatim."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

from note2bib.arxiv.ids import find_arxiv_ids
from note2bib.model import Section
from note2bib.titles import heading_title, looks_like_title

_MD = MarkdownIt("commonmark")
# Deeper than this, blocks are read as plain lines (see `_flat_when_deep`).
_MAX_DEPTH = 40


def _flat_when_deep(state: StateBlock, line: int, end: int, silent: bool) -> bool:
    """Beyond `_MAX_DEPTH` nested lists and quotes, take the line as text inside them.

    markdown-it stops at its nesting limit by skipping to the end of the document, so one
    list nested too deep swallowed every heading after it; without a limit it recurses
    until Python's stack overflows. Taking one line at a time keeps its check that a less
    indented line (a heading at the margin) ends the nested block.
    """
    if silent or state.level < _MAX_DEPTH:
        return False
    state.line = line + 1
    return True


# Block structure only: inline-parsing every paragraph of a large file (tens of MB) doubled
# the time and memory, and only the headings' inline text is needed.
_BLOCKS = MarkdownIt("commonmark", {"maxNesting": 10 * _MAX_DEPTH}).disable("inline")
_BLOCKS.block.ruler.before("table", "note2bib_flat_when_deep", _flat_when_deep)

# ASCII only, so a URL stops where Korean (or any non-ASCII) text runs straight on from it;
# `"<>[]{}|` and backtick never belong to a URL but often delimit one in Markdown, HTML or LaTeX.
_URL = re.compile(r"https?://[!#-;=?-Z\\^_a-z~]+", re.IGNORECASE)
# Sentence punctuation and emphasis marks that end a sentence rather than the URL (as GFM does).
_TRAILING = frozenset(".,;:!?'*_~")
_OPENER = {")": "(", "]": "["}
_DOI = re.compile(r"(?<!\d)10\.\d{4,9}/")

_FRONT_OPEN = re.compile(r"---[ \t]*")
_FRONT_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")
# A YAML mapping's first key: what tells front matter from a `---` rule over Markdown.
_YAML_KEY = re.compile(r"[^\s#:\-][^:]*:(?:\s|$)")


@dataclass(frozen=True)
class _Heading:
    """A top-level heading: its level, its 0-based lines [start, end), its plain text."""

    level: int
    start: int
    end: int
    title: str


# "paper": at the paper level; "whole": a file without headings; "other": preamble, a title or
# a group heading above the paper level, kept only when it mentions a paper itself.
_Kind = Literal["paper", "whole", "other"]


@dataclass(frozen=True)
class _Chunk:
    """A run of lines [start, end) that may become a section, and how to decide whether."""

    start: int
    end: int
    heading: _Heading | None
    kind: _Kind


def find_links(text: str) -> list[str]:
    """Every http(s) URL in a piece of Markdown, in order, duplicates kept."""
    links = []
    for match in _URL.finditer(text):
        url = _trim_url(match.group())
        if len(url) > url.index("://") + 3:
            links.append(url)
    return links


def _trim_url(url: str) -> str:
    """Drop trailing punctuation and closing brackets that the URL did not open."""
    while url:
        last = url[-1]
        unopened = last in _OPENER and url.count(last) > url.count(_OPENER[last])
        if last not in _TRAILING and not unopened:
            break
        url = url[:-1]
    return url


def parse_notes(text: str, source: str, paragraphs: bool = False) -> list[Section]:
    """Split a notes file into one section per paper, each note's text kept verbatim.

    A file without headings is one note; with `paragraphs` (plain text), each paragraph is.
    """
    lines = _split_lines(text)
    first = _front_matter_end(lines)
    headings = _find_headings(lines, first)
    chunks = _chunks(lines, first, headings)
    if paragraphs and not headings:
        chunks = _paragraphs(lines, first)
    sections = []
    for chunk in chunks:
        section = _build_section(lines, chunk, source)
        if section is not None:
            sections.append(section)
    return sections


def split_front_matter(text: str) -> tuple[str, int] | None:
    """The YAML front matter at the top of a notes file and the 1-based line it starts on.

    None when the file has none (the same rule `parse_notes` uses to skip it).
    """
    lines = _split_lines(text)
    end = _front_matter_end(lines)
    if end == 0:
        return None
    return "\n".join(lines[1 : end - 1]), 2


def body_of(text: str) -> tuple[str, int]:
    """The file after its front matter, blank lines at both ends dropped, and its first line."""
    lines = _split_lines(text)
    start = _front_matter_end(lines)
    while start < len(lines) and not lines[start].strip():
        start += 1
    end = _trimmed_end(lines, start, len(lines))
    return "\n".join(lines[start:end]), start + 1


def _paragraphs(lines: Sequence[str], first: int) -> list[_Chunk]:
    """Runs of non-blank lines: the notes of a plain-text file without headings."""
    chunks = []
    start = None
    for i in range(first, len(lines) + 1):
        blank = i == len(lines) or not lines[i].strip()
        if blank and start is not None:
            chunks.append(_Chunk(start, i, None, "whole"))
            start = None
        elif not blank and start is None:
            start = i
    return chunks


def _split_lines(text: str) -> list[str]:
    """Lines as the user's editor shows them: BOM gone, CRLF and lone CR read as line ends."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    # Only LF ends a line: str.splitlines() would also split at U+2028, FF, ... and shift lines.
    return text.split("\n")


def _front_matter_end(lines: Sequence[str]) -> int:
    """Index of the first line after YAML front matter at the very top (0 when there is none)."""
    if len(lines) < 3 or not _FRONT_OPEN.fullmatch(lines[0]):
        return 0
    # Only a `key:` right after the opening `---` makes front matter; a blank line or Markdown
    # there means a thematic break, which must not swallow the notes up to the next `---`.
    if not _YAML_KEY.match(lines[1]):
        return 0
    for i in range(2, len(lines)):
        if _FRONT_CLOSE.fullmatch(lines[i]):
            return i + 1
    return 0


def _find_headings(lines: Sequence[str], first: int) -> list[_Heading]:
    """Top-level ATX and setext headings, as CommonMark sees them (not in code or HTML)."""
    # Front matter is blanked, not cut, so markdown-it's line numbers stay the file's.
    env: dict[str, object] = {}  # link reference definitions, which heading text may use
    tokens = _BLOCKS.parse("\n".join([""] * first + list(lines[first:])), env)
    headings = []
    for i, token in enumerate(tokens):
        # Nested headings (in a list item or quote) are part of their block, not structure.
        if token.type == "heading_open" and token.level == 0 and token.map:
            inline = _MD.parseInline(tokens[i + 1].content, env)
            title = _plain_text(inline[0].children or [] if inline else [])
            headings.append(_Heading(int(token.tag[1:]), token.map[0], token.map[1], title))
    return headings


def _plain_text(children: Sequence[Token]) -> str:
    """A heading's inline tokens as plain text: markup dropped, whitespace collapsed."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_plain_text(child.children or []))
    return " ".join("".join(parts).split())


def _chunks(lines: Sequence[str], first: int, headings: Sequence[_Heading]) -> list[_Chunk]:
    """Cut the file at every heading at or above the paper level."""
    if not headings:
        return [_Chunk(first, len(lines), None, "whole")]
    level = _paper_level(headings, lines)
    cuts = [h for h in headings if h.level <= level]
    before = [h for h in headings if h.start < cuts[0].start]
    chunks = [_Chunk(first, cuts[0].start, before[0] if before else None, "other")]
    ends = [h.start for h in cuts[1:]] + [len(lines)]
    for heading, end in zip(cuts, ends, strict=True):
        kind: _Kind = "paper" if heading.level == level else "other"
        chunks.append(_Chunk(heading.start, end, heading, kind))
    return chunks


def _paper_level(headings: Sequence[_Heading], lines: Sequence[str]) -> int:
    """The heading level whose sections are the papers; ties go to the shallower level."""
    levels = sorted({h.level for h in headings})
    candidates = [lv for lv in levels if not _is_title_level(lv, headings)]
    return max(candidates, key=lambda lv: (_score(lv, headings, lines), -lv))


def _is_title_level(level: int, headings: Sequence[_Heading]) -> bool:
    """A lone first heading with deeper ones after it is the document's title, not a paper."""
    alone = sum(h.level == level for h in headings) == 1
    return alone and headings[0].level == level and any(h.level > level for h in headings)


def _score(level: int, headings: Sequence[_Heading], lines: Sequence[str]) -> int:
    """How many differently named sections at this level mention a paper."""
    # Distinct names, so `## Links` repeated under every `#` paper does not outvote the papers.
    names = set()
    for i, heading in enumerate(headings):
        if heading.level != level:
            continue
        end = next((h.start for h in headings[i + 1 :] if h.level <= level), len(lines))
        if _mentions_paper("\n".join(lines[heading.start : end])):
            names.add(heading.title.casefold())
    return len(names)


def _mentions_paper(text: str) -> bool:
    """Whether a piece of notes points at a paper: a URL, the word arXiv, a DOI, or a bare
    arXiv id (`2304.02643`, `hep-th/9901001`)."""
    return (
        bool(find_links(text))
        or "arxiv" in text.lower()
        or bool(_DOI.search(text))
        or bool(find_arxiv_ids(text))
    )


def _build_section(lines: Sequence[str], chunk: _Chunk, source: str) -> Section | None:
    """The chunk as a Section, or None when it is not a note worth keeping."""
    heading = chunk.heading
    start = chunk.start
    if heading is None or heading.start != start:
        # Text without a heading of its own (preamble, heading-less file) starts where it starts.
        start = next((i for i in range(start, chunk.end) if lines[i].strip()), chunk.end)
    end = _trimmed_end(lines, start, chunk.end)
    if start >= end:
        return None
    text = "\n".join(lines[start:end])
    links = tuple(find_links(text))
    if chunk.kind == "paper" and heading is not None:
        has_body = any(line.strip() for line in lines[heading.end : end])
        if not (has_body or links or find_arxiv_ids(text) or _is_reading_list_title(heading)):
            return None
    elif chunk.kind == "other" and not _mentions_paper(text):
        return None
    if heading is None:
        return Section(source, start + 1, lines[start].strip(), text, links)
    return Section(source, heading.start + 1, heading.title, text, links)


def _is_reading_list_title(heading: _Heading) -> bool:
    """A heading alone that is a paper's title (a reading list of titles): kept for search."""
    # Three significant words, as the link check asks of a title: a lone "Related work" or
    # "TODO" is structure, not a paper.
    return looks_like_title(heading_title(heading.title).title, min_words=3)


def _trimmed_end(lines: Sequence[str], start: int, end: int) -> int:
    """End of the range with trailing blank or whitespace-only lines dropped."""
    while end > start and not lines[end - 1].strip():
        end -= 1
    return end
