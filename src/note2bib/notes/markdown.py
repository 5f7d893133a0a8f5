"""Markdown notes → a `Document`: the blocks a reader sees, each with the lines it spans.

markdown-it-py (with mdit-py-plugins for display math) finds the structure as CommonMark and
GitHub render it: GFM tables, `$$…$$`, `\\[…\\]` and `\\begin{…}` math, HTML and Obsidian
`%% … %%` comments, Obsidian callouts, `<details>` groups. Nothing here decides what a note
is (that is `units`): a document is only where its headings, paragraphs, list items, table
rows and comments are, so every note can be cut from the file verbatim by line spans.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from markdown_it import MarkdownIt
from markdown_it.ruler import RuleOptionsType
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from mdit_py_plugins.amsmath import amsmath_block, amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.dollarmath.index import math_block_dollar
from mdit_py_plugins.texmath import texmath_plugin

# Deeper than this, blocks are read as plain lines (see `_flat_when_deep`).
_MAX_DEPTH = 40
# What a display-math or comment block may interrupt, as a fence can: Obsidian and Typora
# start `$$` right under a line of text, and a `=` line inside it must not make that a heading.
_INTERRUPTS: RuleOptionsType = {"alt": ["paragraph", "reference", "blockquote", "list"]}


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


def _obsidian_comment(state: StateBlock, line: int, end: int, silent: bool) -> bool:
    """`%% … %%` on lines of its own: an Obsidian comment, which its reader never shows."""
    start = state.bMarks[line] + state.tShift[line]
    if state.sCount[line] - state.blkIndent >= 4 or not state.src.startswith("%%", start):
        return False
    first = state.src[start : state.eMarks[line]].rstrip()
    last = line
    if not (len(first) >= 4 and first.endswith("%%")):
        last = line + 1
        while last < end and not state.src[: state.eMarks[last]].rstrip().endswith("%%"):
            last += 1
        if last >= end:
            return False  # never closed: Obsidian shows it as text
    if not silent:
        token = state.push("obsidian_comment", "", 0)
        token.map = [line, last + 1]
    state.line = last + 1
    return True


def _bracket_math(texmath_rule: object) -> object:
    """texmath's `\\[ … \\]` block rule, with the lines it spans recorded (it leaves none)."""

    def rule(state: StateBlock, line: int, end: int, silent: bool) -> bool:
        found = texmath_rule(state, line, end, silent)  # type: ignore[operator]
        if found and not silent:
            state.tokens[-1].map = [line, state.line]
        return bool(found)

    return rule


def _quiet_when_silent(rule: object) -> object:
    """dollarmath's block rule pushes its token even when only asked whether a block starts
    there (as a paragraph asks of the rules that may interrupt it): undo that."""

    def quiet(state: StateBlock, line: int, end: int, silent: bool) -> bool:
        count, at = len(state.tokens), state.line
        found = bool(rule(state, line, end, silent))  # type: ignore[operator]
        if silent:
            del state.tokens[count:]
            state.line = at
        return found

    return quiet


class _LinksAsWritten(MarkdownIt):
    """Links kept as written: nothing here renders HTML, and percent-encoding and punycode
    (most of the inline time on a long list of links) would only hide an id in a link."""

    def normalizeLink(self, url: str) -> str:
        return url

    def normalizeLinkText(self, link: str) -> str:
        return link

    def validateLink(self, url: str) -> bool:
        return True


def _markdown(kind: type[MarkdownIt] = MarkdownIt) -> MarkdownIt:
    md = kind("commonmark", {"maxNesting": 10 * _MAX_DEPTH})
    md.enable(["table", "strikethrough"])
    md.use(dollarmath_plugin, allow_blank_lines=False)
    md.use(amsmath_plugin)
    brackets = MarkdownIt("commonmark").use(texmath_plugin, delimiters="brackets")
    texmath_rule = next(
        rule for rule in brackets.block.ruler.__rules__ if rule.name == "math_block"
    ).fn
    # dollarmath's rule registered again so `$$` interrupts a paragraph (as in Obsidian and
    # Typora), with amsmath's, `\[ … \]` and `%% … %%`, all behind one look at the line's
    # first character: each of them tried on every line took a fifth of a long list's parse.
    by_first_character = {
        "$": [_quiet_when_silent(math_block_dollar(allow_blank_lines=False))],
        "\\": [_bracket_math(texmath_rule), amsmath_block],
        "%": [_obsidian_comment],
    }
    md.block.ruler.at("math_block", _dispatch(by_first_character), _INTERRUPTS)  # type: ignore[arg-type]
    md.block.ruler.disable("amsmath")
    md.block.ruler.before("table", "note2bib_flat_when_deep", _flat_when_deep)
    return md


def _dispatch(rules: dict[str, list[Any]]) -> object:
    """One block rule that tries only the rules for the first character of its line."""

    def rule(state: StateBlock, line: int, end: int, silent: bool) -> bool:
        start = state.bMarks[line] + state.tShift[line]
        if start >= state.eMarks[line]:
            return False
        return any(fn(state, line, end, silent) for fn in rules.get(state.src[start], ()))

    return rule


# Block structure only: inline-parsing every paragraph of a large file (tens of MB) doubled
# the time and memory. Inline tokens keep their source text, parsed on demand (`inline`).
_BLOCKS = _markdown().disable("inline")
_INLINE = _markdown(_LinksAsWritten)
# Inline nesting (links in emphasis in links…) as CommonMark's preset allows: deeper, each
# level costs several Python frames, and 10,000 `[` overflowed the stack.
_INLINE.options["maxNesting"] = 20

# ASCII only, so a URL stops where Korean (or any non-ASCII) text runs straight on from it;
# `"<>[]{}|` and backtick never belong to a URL but often delimit one in Markdown, HTML or LaTeX.
_URL = re.compile(r"https?://[!#-;=?-Z\\^_a-z~]+", re.IGNORECASE)
# Sentence punctuation and emphasis marks that end a sentence rather than the URL (as GFM does).
_TRAILING = frozenset(".,;:!?'*_~")
_OPENER = {")": "(", "]": "["}

_YAML_OPEN = re.compile(r"---[ \t]*")
_YAML_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")
# A YAML mapping's first key: what tells front matter from a `---` rule over Markdown.
_YAML_KEY = re.compile(r"[^\s#:\-][^:]*:(?:\s|$)")
_TOML_FENCE = re.compile(r"\+\+\+[ \t]*")
_TOML_KEY = re.compile(r"""[A-Za-z0-9_"'.\- \t]+=|\[""")
# Logseq page properties: `key:: value` lines at the very top of a page.
_LOGSEQ_PROPERTY = re.compile(r"([A-Za-z][\w\-]*)::(?:[ \t]+(.*))?$")
_COMMENT = re.compile(r"\s*<!--.*-->\s*", re.DOTALL)
# Within one line: a comment over several lines is a block of its own (an HTML block, or an
# Obsidian comment block), and a stray `%%` must not hide everything up to the next one.
_INLINE_COMMENT = re.compile(r"<!--.*?-->|%%.*?%%")
_DETAILS_OPEN = re.compile(r"\s*<details\b", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
_SUMMARY = re.compile(r"<summary\b[^>]*>(.*?)</summary\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_CALLOUT = re.compile(r"\s*\[!([A-Za-z][\w-]*)\][+-]?[ \t]*(.*)")

FrontKind = Literal["yaml", "toml", "logseq"]
Inline = Token
"""An inline token (text, link_open, strong_open…), as `inline_tokens` gives them."""


@dataclass(frozen=True)
class FrontMatterText:
    """Front matter at the top of a file: its kind, its text and its 0-based lines [start, end)."""

    kind: FrontKind
    text: str
    start: int
    end: int

    @property
    def first_line(self) -> int:
        """1-based line of its first key (after the opening fence, when it has one)."""
        return self.start + (1 if self.kind == "logseq" else 2)


BlockKind = Literal[
    "section",
    "heading",
    "paragraph",
    "list",
    "item",
    "table",
    "row",
    "details",
    "quote",
    "callout",
    "code",
    "math",
    "html",
    "comment",
    "rule",
    "group",
]


@dataclass(eq=False, slots=True)
class Block:
    """One block of the document: its kind, its 0-based lines [start, end) and what it holds.

    `source` is the Markdown a leaf holds without container markers (a paragraph's, a
    heading's or a table cell's text, list bullets and `>` removed); `label` is a heading's,
    callout's or `<details>` summary's plain text.
    """

    kind: BlockKind
    start: int
    end: int
    children: list[Block] = field(default_factory=list)
    source: str = ""
    level: int = 0
    """A heading's level (1-6); a section's is its heading's (0 for the document)."""
    label: str = ""
    cells: list[str] = field(default_factory=list)
    """A table row's cells (their Markdown); the header row is a table's first child."""

    @property
    def heading(self) -> Block | None:
        """A section's heading (None for the part of the document before any)."""
        if self.kind == "section" and self.children and self.children[0].kind == "heading":
            return self.children[0]
        return None


@dataclass(frozen=True)
class Document:
    """A notes file as read: its lines (LF, BOM gone), its front matter, its sections.

    `root` is a section of level 0 holding everything after the front matter; a heading at
    the margin starts a section that holds what follows up to the next heading of its level
    or above, its deeper sections nested in it.
    """

    lines: tuple[str, ...]
    root: Block
    front: FrontMatterText | None = None
    references: dict[str, object] = field(default_factory=dict)
    """Link reference definitions (`[label]: url`), which inline links may use."""


def split_lines(text: str) -> list[str]:
    """Lines as the user's editor shows them: BOM gone, CRLF and lone CR read as line ends."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    # Only LF ends a line: str.splitlines() would also split at U+2028, FF, ... and shift lines.
    return text.split("\n")


def find_front_matter(lines: Sequence[str]) -> FrontMatterText | None:
    """YAML (`---`), TOML (`+++`) or Logseq (`key:: value`) front matter at the very top."""
    if not lines:
        return None
    if _YAML_OPEN.fullmatch(lines[0]) or _TOML_FENCE.fullmatch(lines[0]):
        yaml = lines[0].startswith("-")
        # Only a key right after the opening fence makes front matter; a blank line or
        # Markdown there means a thematic break, which must not swallow the notes up to the
        # next `---`.
        if len(lines) < 3 or not (_YAML_KEY if yaml else _TOML_KEY).match(lines[1]):
            return None
        close = _YAML_CLOSE if yaml else _TOML_FENCE
        for i in range(2, len(lines)):
            if close.fullmatch(lines[i]):
                body = "\n".join(lines[1:i])
                return FrontMatterText("yaml" if yaml else "toml", body, 0, i + 1)
        return None
    end = 0
    while end < len(lines) and _LOGSEQ_PROPERTY.match(lines[end]):
        end += 1
    if end == 0:
        return None
    return FrontMatterText("logseq", "\n".join(lines[:end]), 0, end)


def parse_document(text: str) -> Document:
    """The document's structure; front matter is left out, line numbers stay the file's."""
    lines = split_lines(text)
    front = find_front_matter(lines)
    first = front.end if front else 0
    env: dict[str, object] = {}
    # Front matter is blanked, not cut, so markdown-it's line numbers stay the file's.
    tokens = _BLOCKS.parse("\n".join([""] * first + lines[first:]), env)
    blocks = _blocks(tokens, lines)
    root = _sections(blocks, first, len(lines))
    references = env.get("references")
    return Document(
        tuple(lines), root, front, dict(references) if isinstance(references, dict) else {}
    )


def inline_tokens(source: str, document: Document) -> list[Inline]:
    """A leaf's Markdown as inline tokens (links, emphasis, text), the document's link
    definitions applied."""
    tokens: list[Inline] = []
    # The inline parser alone: `parseInline` also runs the core chain (normalize, block).
    _INLINE.inline.parse(source, _INLINE, {"references": document.references}, tokens)
    return _joined(tokens)


def _joined(tokens: list[Inline]) -> list[Inline]:
    """Runs of text (escapes and entities included) as one text token each, as the core's
    `text_join` leaves them."""
    out: list[Inline] = []
    run: list[str] = []
    for token in tokens:
        if token.type in ("text", "text_special"):
            if not run:
                out.append(Token("text", "", 0))
            run.append(token.content)
            continue
        if run:
            out[-1].content, run = "".join(run), []
        if token.children:
            token.children = _joined(token.children)
        out.append(token)
    if run:
        out[-1].content = "".join(run)
    return out


def plain_text(children: Sequence[Token]) -> str:
    """Inline tokens as plain text: markup dropped, whitespace collapsed."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline", "math_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(plain_text(child.children or []))
    return " ".join("".join(parts).split())


def without_comments(text: str) -> str:
    """Text with inline HTML and Obsidian comments blanked, so what is left stays in place."""
    if "<!--" not in text and "%%" not in text:
        return text
    return _INLINE_COMMENT.sub(lambda m: " " * len(m.group()), text)


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


# --- tokens → blocks ---------------------------------------------------------------------


_LEAVES: dict[str, BlockKind] = {
    "fence": "code",
    "code_block": "code",
    "math_block": "math",
    "math_block_label": "math",
    "amsmath": "math",
    "math_block_eqno": "math",
    "hr": "rule",
    "obsidian_comment": "comment",
}
_CONTAINERS: dict[str, BlockKind] = {
    "bullet_list_open": "list",
    "ordered_list_open": "list",
    "list_item_open": "item",
    "blockquote_open": "quote",
    "table_open": "table",
    "alert_open": "callout",
}


def _blocks(tokens: Sequence[Token], lines: Sequence[str]) -> list[Block]:
    """The document's blocks, containers holding their children, in one pass over the tokens
    (a pass per nesting level made a long list slow to read)."""
    root: list[Block] = []
    # Each open container: its opening token, its children, the inline text or cells it holds.
    stack: list[tuple[Token, list[Block], list[str]]] = []
    for token in tokens:
        if token.nesting == 1:
            stack.append((token, [], []))
        elif token.nesting == -1:
            opening, children, texts = stack.pop()
            block = _container(opening, children, texts, lines)
            if block is None:  # a table cell: its text goes to the row
                stack[-1][2].extend(texts)
                continue
            (stack[-1][1] if stack else root).append(block)
        elif token.type == "inline":
            if stack:
                stack[-1][2].append(token.content)
        elif token.map is not None:
            kind = _LEAVES.get(token.type)
            if token.type == "html_block":
                kind = "comment" if _COMMENT.fullmatch(token.content) else "html"
            if kind is not None:
                leaf = Block(kind, token.map[0], token.map[1], source=token.content)
                (stack[-1][1] if stack else root).append(leaf)
    return _details_groups(root, lines)


def _container(
    token: Token, children: list[Block], texts: list[str], lines: Sequence[str]
) -> Block | None:
    """The block an opening token and what was read up to its closing token make."""
    start, end = token.map if token.map else (0, 0)
    kind = token.type
    if kind == "paragraph_open":
        return Block("paragraph", start, end, source=texts[0] if texts else "")
    if kind == "heading_open":
        return Block(
            "heading", start, end, source=texts[0] if texts else "", level=int(token.tag[1:])
        )
    if kind == "tr_open":
        return Block("row", start, end, cells=texts)
    if kind in ("th_open", "td_open"):
        return None
    if kind in ("thead_open", "tbody_open"):
        # Rows sit straight in the table: the header row first.
        return Block("table", start, end, children)
    children = _details_groups(children, lines)
    block_kind = _CONTAINERS.get(kind, "quote")
    if block_kind == "table":
        children = [row for part in children for row in part.children]
        end = max([end, *(row.end for row in children)])
    block = Block(block_kind, start, end, children)
    if block_kind == "quote":
        callout = (
            _CALLOUT.match(lines[start].lstrip().removeprefix(">")) if start < len(lines) else None
        )
        if callout:
            block.kind = "callout"
            block.label = callout.group(2).strip() or callout.group(1)
    return block


def _details_groups(blocks: list[Block], lines: Sequence[str]) -> list[Block]:
    """Blocks between a `<details>` and its `</details>` as one group, labelled by its summary.

    CommonMark ends an HTML block at a blank line, so a `<details>` holding Markdown comes
    as an opening HTML block, the blocks inside, and a closing one.
    """
    if not any(b.kind == "html" for b in blocks):
        return blocks
    out: list[Block] = []
    stack: list[Block] = []
    for block in blocks:
        target = stack[-1].children if stack else out
        opens = block.kind == "html" and _DETAILS_OPEN.match(block.source)
        closes = block.kind == "html" and _DETAILS_CLOSE.search(block.source)
        if opens and not (closes and closes.start() > opens.end()):
            summary = _SUMMARY.search(block.source)
            label = " ".join(_TAG.sub(" ", summary.group(1)).split()) if summary else ""
            group = Block("details", block.start, block.end, [block], label=label)
            target.append(group)
            stack.append(group)
        elif closes and stack and not opens:
            group = stack.pop()
            group.children.append(block)
            group.end = block.end
        else:
            target.append(block)
            if stack:
                stack[-1].end = max(stack[-1].end, block.end)
    for group in stack:  # never closed: the group runs to its last block
        group.end = max([group.end, *(b.end for b in group.children)])
    return out


def _sections(blocks: list[Block], start: int, end: int) -> Block:
    """Top-level blocks nested into sections by their headings' levels."""
    root = Block("section", start, end)
    stack = [root]
    for block in blocks:
        if block.kind == "heading":
            while stack[-1].level >= block.level:
                stack.pop()
            section = Block("section", block.start, end, [block], level=block.level)
            stack[-1].children.append(section)
            stack.append(section)
        else:
            stack[-1].children.append(block)
    _close_sections(root, end)
    return root


def _close_sections(section: Block, end: int) -> None:
    """Each section ends where the next section of its level or above starts."""
    section.end = end
    subsections = [b for b in section.children if b.kind == "section"]
    for i, current in enumerate(subsections):
        _close_sections(current, subsections[i + 1].start if i + 1 < len(subsections) else end)
