"""What a block says its paper is called, by its shape: a linked, bold or quoted title, a
title leading its line, a citation, a paper table's title column.

Pure functions of inline tokens and text. Whether the block is about that paper, and what
its note is, is `units`'s decision; this module only reads the title off the block.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from note2bib.notes.links import is_commentary_link, is_paper_link
from note2bib.notes.markdown import Inline as Token
from note2bib.notes.markdown import plain_text
from note2bib.notes.parts import is_appeal, is_label, is_social_link

Shape = Literal["link", "bold", "quoted", "leading", "citation", "row"]


@dataclass(frozen=True)
class Titled:
    """A title a block gives its paper, how it gives it, and the links it puts on it."""

    title: str
    shape: Shape
    href: str = ""
    """The link on the title itself (a linked title), else empty."""
    venue: bool = False
    """Followed by `(Venue Year)`, as references are."""


# Bullets, task boxes and chapter numbers before an entry (emoji are dropped by category).
_DECORATION = re.compile(r"^(?:[\s·•|\-\u2013—>:,*]|\[[ xX]\]|\d+(?:\.\d+)*[.)]\s)*")
# "[Cohere] ", "[CVPR 2023] ", "【NeurIPS】": tags before the title (not links).
_TAG = re.compile(r"^\s*(?:\[[^\[\]]{1,40}\](?!\()|【[^】]{1,40}】)\s*")
_QUOTES = {'"': '"', "“": "”", "\u2018": "\u2019", "「": "」", "『": "』", "'": "'"}
# "(NeurIPS 2017)", "(CVPR'23)", "(ICML 2019, oral)", "(Nature, 2015)", "(2019)", "| [ICCV' 19]"
# after a title: a venue's name (words that are not lower case, but for "arXiv"-like words and
# small joining words), its year, then only a remark after a comma ("oral") or a capitalised
# word ("Workshop"). "(ILSVRC 2012 val set, 144 crops/image)", "(as of march 2016)",
# "(2003-2014)", "(2000 total)" say something about a sentence, not where a paper appeared.
_VENUE_WORD = (
    r"(?:(?![a-z])(?=[^\s,;()\[\]]*[^\W\d_])[^\s,;()\[\]]+"
    r"|(?i:arxiv|preprint)|of|on|in|the|and|for|at)"
)
_VENUE = re.compile(
    rf"^\s*(?:[|\u2013\u2014-]\s*)?[(\[]\s*(?:{_VENUE_WORD}(?:\s+{_VENUE_WORD}){{0,5}}?,?\s*)?"
    r"(?:(?<!\w)(?:19|20)\d{2}[a-z]?|['\u2019]\s?\d{2})(?!\w)"
    r"(?:\s+(?![a-z])[^\s,;()\[\]]+){0,2}(?:\s*[,;]\s*[^()\[\]]{0,30})?\s*[)\]]",
)
# A short label before a link: "URL: ", "Paper - ", "논문: ".
_LABEL = re.compile(r"\s*[^\s:\uff1a]{1,20}(?:\s[^\s:\uff1a]{1,20}){0,2}\s*[:\uff1a\-\u2013|]\s*")
_LEADING_STOP = re.compile(r"\s+[-\u2013—|·]\s+|\s*[(\[]|https?://")
_URL_ONLY = re.compile(r"^\s*(?:https?://|www\.)\S*\s*$", re.IGNORECASE)
# Citation forms: "Bahdanau, D., Cho, K., & Bengio, Y. (2014). Title. Venue." and
# "van den Oord, A., Kalchbrenner, N., and Kavukcuoglu, K. Title. Venue, 2016.".
_UPPER = r"[^\W\d_a-z]"
_NAME = rf"{_UPPER}[\w'\u2019\-]*"
_SURNAME = rf"(?:(?:van|von|de|der|den|da|del|di|la|le)\s+){{0,3}}{_NAME}(?:\s{_NAME})?"
_INITIALS = rf"(?:{_UPPER}\.(?:\s?-?{_UPPER}\.)*)"
_AUTHOR = rf"{_SURNAME},\s{_INITIALS}"
_CITATION_SPAN = 600
_CITATION = re.compile(
    rf"^\s*{_AUTHOR}(?:,?\s(?:&|and)\s{_AUTHOR}|,\s{_AUTHOR})*(?:,?\s(?:&\s)?et\s+al\.)?,?"
    rf"(?:\s\((?:19|20)\d{{2}}[a-z]?\)\.?)?\s+(?P<title>.+)$",
)
# Authors instead of a title, before a year: "Qiu & Yuille", "Menze and Geiger", "… scenes by
# Menze & Geiger" (not "Learning by Doing and Seeing").
_CREDIT = re.compile(rf"^{_NAME}\s(?:&|and)\s{_NAME}$|\sby\s{_NAME}\s&\s{_NAME}$")
_TRAILING_ID = re.compile(r"\s*\((?:arxiv|doi|preprint)[^()]*\)$", re.IGNORECASE)
_TITLE_END = re.compile(r"(?<=[^\s.])(?:\?|\.)(?=\s|$)")
# Words of a title: two or more (any script), or one long word ("minbpe" comes linked).
_MIN_TITLE_WORDS = 2


def may_name_a_title(source: str, leading: bool = True) -> bool:
    """Whether a leaf's Markdown could give a title at all: a bracket (a link, a tag), a bold
    or quoted start, a citation's `Surname, X.`, or (`leading`) a title before a link or a
    `(Venue Year)`. Most lines of notes cannot, and are never inline-parsed."""
    if "[" in source or _STARTS_TITLED.search(source[:_START]):
        return True
    if leading and ("(" in source or "http" in source):
        return True
    return _CITED.search(source[:_CITATION_SPAN]) is not None


_START = 40
"""How far into a line emoji, bullets and tags may push a bold or quoted title."""
_STARTS_TITLED = re.compile("[*_\"'\u201c\u2018\u300c\u300e\u3010]")
_CITED = re.compile(r"[^\W\d_]{2},\s+[^\W\d_a-z]\.")


def read_lead(children: Sequence[Token], leading: bool = True) -> Titled | None:
    """The title a paragraph, list item or heading gives first, if it gives one.

    `leading`: plain text before a link may be the title (`Deep Residual Learning
    [[paper](…)]`), as in a list item; in running prose it is the start of a sentence.
    """
    children = _without_decorations(children)
    if not children:
        return None
    token, i = children[0], 0
    if token.type == "link_open":
        return _linked(children, i)
    if token.type in ("strong_open", "em_open"):
        return _emphasised(children, i)
    if token.type == "text":
        plain = plain_text(children)
        cited = quoted_citation(plain) or citation(plain)
        if cited is not None:
            return cited
        text = token.content
        if (
            len(children) > 1
            and children[1].type == "link_open"
            and _LABEL.fullmatch(text)
            and is_label(text)
        ):
            return _linked(children, 1)  # "URL: [Mamba: Linear-Time …](…)", not "License: […]"
        quote = _QUOTES.get(text[:1])
        if quote is not None:
            end = text.find(quote, 1)
            if end > 1:
                title = text[1:end].strip()
                if _title_words(title):
                    return Titled(title, "quoted", venue=bool(_VENUE.match(text[end + 1 :])))
        return _leading(children, i) if leading else None
    return None


def link_title(children: Sequence[Token], written: str) -> str:
    """The text of the link whose target holds `written` (an id), when it is a title."""
    for i, token in enumerate(children):
        if token.type == "link_open" and written in str(token.attrs.get("href", "")):
            found = _linked(children, i)
            return found.title if found is not None else ""
    return ""


def quoted_link(children: Sequence[Token]) -> Titled | None:
    """A link anywhere whose text is a quoted title: `Other models - [“Title”](url)`."""
    for i, token in enumerate(children):
        if token.type == "link_open":
            found = _linked(children, i)
            if found is not None and found.shape == "quoted":
                return found
    return None


def is_cited_paper(titled: Titled, links: Sequence[str]) -> bool:
    """Whether a title given inside another paper's note, with no arXiv id, names a paper:
    it is a reference's (a citation, a title followed by its `(Venue Year)`), or it is linked
    (`links`: those on its own line) to the paper itself — a PDF, a DOI, a publisher's or
    proceedings' page — or, linked to a page of its own, it is in Title Case. Stricter than in
    a list of papers: an emphasised phrase over nested lines is a sub-heading, and a link to a
    summary, a blog post or code is an aside."""
    if titled.shape in ("citation", "row") or titled.venue:
        return True
    if any(is_paper_link(url) for url in [titled.href, *links] if url):
        return True
    # "[GPT: Improving Language Understanding](https://openai.com/research/gpt)": a title in
    # Title Case, linked to a page of its own that is not code, a post or a video.
    return bool(titled.href) and _title_cased(titled.title) and not is_commentary_link(titled.href)


def _title_cased(text: str) -> bool:
    """Every word of four letters or more capitalised (`Improving Language Understanding`,
    not `Explanation for all the math`)."""
    significant = [w for w in text.split() if len(w) > 3 and w[:1].isalpha()]
    return bool(significant) and all(w[:1].isupper() for w in significant)


def citation(text: str) -> Titled | None:
    """The title of a reference written in citation form ("Authors (Year). Title. Venue.")."""
    match = _CITATION.match(text[:_CITATION_SPAN])
    if not match:
        return None
    rest = match.group("title").strip()
    end = _TITLE_END.search(rest)
    title = (rest[: end.start() + (1 if rest[end.start()] == "?" else 0)] if end else rest).strip()
    title = _TRAILING_ID.sub("", title).strip("_*\"“”' ")
    return Titled(title, "citation") if _title_words(title) else None


# 'Surname, Given, and Given Surname. "Title." Venue.' (MLA, Chicago, IEEE): the authors, then
# the title in quotes (straight or curly, the title sometimes bold inside them).
_QUOTED_REFERENCE = re.compile(
    r"^(?P<authors>[^\"\u201c\u201d\n]{2,400}?)\s*[\"\u201c]\s*(?P<title>[^\"\u201d]{2,400}?)[\"\u201d]"
)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b)\s*")
_ET_AL_END = re.compile(r"\s*\bet\.?\s*al\b\.?", re.IGNORECASE)
_CAPITAL = r"[^\W\d_a-z]"
# "Geoffrey", "Abdel-rahman", "E.", "P.O.", "L.-C.".
_NAME_WORD = re.compile(rf"{_CAPITAL}(?:[\w'\u2019\-]*|(?:\.-?{_CAPITAL})*)\.?")
_ASIDE = re.compile(r"\([^()]{1,40}\)")
"""An affiliation or a year among the names: "(NVIDIA)", "(2014)"."""
_QUOTED_SPAN = 410
"""How far into a line the quote opening a reference's title may be (after its authors)."""
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_PARTICLES = frozenset(("van", "von", "de", "der", "den", "da", "del", "di", "la", "le", "du"))
_MAX_NAME_WORDS = 4


def quoted_citation(text: str) -> Titled | None:
    """The title of a reference written 'Authors. "Title." Venue.': a list of names (with
    `et al.`), then the title in quotes."""
    head = text[:_QUOTED_SPAN]
    if '"' not in head and "\u201c" not in head:
        return None
    match = _QUOTED_REFERENCE.match(text)
    if match is None or not _is_author_list(match.group("authors")):
        return None
    title = " ".join(match.group("title").split()).strip("*_ \u201c\u201d\"'")
    title = title.rstrip(",.;").strip("*_ ")
    if not title or not any(c.isalpha() for c in title) or _SENTENCE.search(title):
        return None
    # A reference gives its year after the title ("Nature 521 (2015)", "In ICLR, 2015").
    dated = _YEAR.search(text, match.end(), match.end() + _CITATION_SPAN) is not None
    return Titled(title, "quoted", venue=dated)


def _is_author_list(text: str) -> bool:
    """Whether text is only people's names: `Hinton, Geoffrey E., et al.`, `W. Xiong, J.
    Droppo`, `Bengio, Yoshua, and Aaron Courville.`."""
    text = _ASIDE.sub(",", text.strip())
    cut = _ET_AL_END.sub(",", text)
    names = [n for n in _AUTHOR_SPLIT.split(cut.strip(" .,")) if n]
    # One word alone is a sentence's start ('Defines "word salad"'), not an author list.
    if len(names) < 2 and cut == text:
        return False
    for name in names:
        parts = name.split()
        if not 1 <= len(parts) <= _MAX_NAME_WORDS:
            return False
        if not all((w[0].isupper() and _NAME_WORD.fullmatch(w)) or w in _PARTICLES for w in parts):
            return False
        if all(w in _PARTICLES for w in parts):
            return False
    return True


def title_column(header: Sequence[str]) -> int | None:
    """Which column of a paper table holds the titles, from its header ("Title", "논문명")."""
    for i, name in enumerate(header):
        folded = unicodedata.normalize("NFKC", name).casefold()
        if any(word in folded for word in _TITLE_HEADERS):
            return i
    return None


# Quotes and the brackets Chinese and Japanese put around a title: "…", 《…》, 「…」.
_QUOTE_MARKS = '"\u201c\u201d\u2018\u2019\u300a\u300b\u300c\u300d\u300e\u300f\u3008\u3009 '
_TITLE_HEADERS = (
    "title",
    "paper",
    "name",
    "제목",
    "논문",
    "标题",
    "题目",
    "论文",
    "名称",
    "タイトル",
)


def clean_title(title: str) -> str:
    """A title without the tags and ids a digest puts in front: `[9.5] 2501.19196v1 RaySplats`."""
    text = title.strip()
    while True:
        tag = _TAG.match(text)
        if tag is None:
            break
        text = text[tag.end() :]
    text = re.sub(r"^(?:arxiv:\s*)?\d{4}\.\d{4,5}(?:v\d+)?\s+", "", text, flags=re.IGNORECASE)
    # "[1308.4673] Symmetry Enriched Phases … (arxiv.org)": a page's title as pasted from the
    # browser ends with the site it is on, which is no part of the paper's title.
    text = _SITE_AFTER.sub("", text)
    return text.strip().strip(_QUOTE_MARKS).strip()


_SITE_AFTER = re.compile(r"\s+\((?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\)$", re.IGNORECASE)


def is_title_like(text: str) -> bool:
    """Two words or more (any script), read as a title rather than a sentence or a label."""
    return _title_words(text) and not is_label(text)


def _without_decorations(children: Sequence[Token]) -> list[Token]:
    """The tokens from the first that says something: emoji, bullets, numbering, `[Tag]`s
    and line breaks before it dropped."""
    i = 0
    while i < len(children):
        token = children[i]
        if token.type in ("softbreak", "hardbreak"):
            i += 1
            continue
        if _is_bold_tag(children, i):  # "**[R-CNN]** Rich feature hierarchies …"
            i += 3
            continue
        if token.type != "text":
            return list(children[i:])
        rest = _strip_decorations(token.content)
        if rest:
            return [Token("text", "", 0, content=rest), *children[i + 1 :]]
        i += 1
    return []


def _is_bold_tag(children: Sequence[Token], i: int) -> bool:
    """`**[Tag]**`: emphasis holding only a bracketed tag."""
    return (
        children[i].type in ("strong_open", "em_open")
        and i + 2 < len(children)
        and children[i + 1].type == "text"
        and children[i + 2].type == children[i].type.replace("_open", "_close")
        and bool(_TAG.fullmatch(children[i + 1].content.strip()))
    )


def _strip_decorations(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = _DECORATION.sub("", text)
        while text and (unicodedata.category(text[0]) in _SYMBOLS or text[0] in _JOINERS):
            text = text[1:]
        tag = _TAG.match(text)
        if tag:
            text = text[tag.end() :]
    return text


_SYMBOLS = frozenset(("So", "Sk", "Cs", "Co", "Zs", "Mn"))
_JOINERS = frozenset("\u200d\ufe0f\ufe0e")


def _linked(children: Sequence[Token], i: int) -> Titled | None:
    """A link's text as a title, unless it only labels the link (`[PDF](…)`) or is a URL."""
    href = str(children[i].attrs.get("href", ""))
    depth, j = 0, i
    inner: list[Token] = []
    while j < len(children):
        depth += children[j].nesting if children[j].type in ("link_open", "link_close") else 0
        if j > i and depth == 0:
            break
        if j > i:
            inner.append(children[j])
        j += 1
    if any(token.type == "image" for token in inner):
        return None  # a badge ([![PRs welcome](…)](…)) or a figure, not a title
    after = plain_text(children[j + 1 :]) if j + 1 < len(children) else ""
    return _link_title(plain_text(inner), href, after)


def _link_title(text: str, href: str, after: str) -> Titled | None:
    quote = _QUOTES.get(text[:1])
    shape: Shape = "link"
    if quote is not None and text.endswith(quote) and len(text) > 2:
        text, shape = text[1:-1].strip(), "quoted"
    text = clean_title(text)
    if not text or is_label(text) or _URL_ONLY.match(text) or _is_arxiv_id(text):
        return None
    if is_phrase(text):
        return None  # "They then use a [selective search …](…)": words of a sentence
    if is_social_link(text, href):
        return None  # "Follow us on Twitter", "Join our Discord": an invitation, not a title
    return Titled(text, shape, href, bool(_VENUE.match(after)))


# A line that starts with a link in its plainest form, `[Title](https://…)`, with no markup,
# escape, entity or quoted link anywhere: most items of a reading list, read without the
# inline parser (which takes most of the time on a long list).
_PLAIN_LINK = re.compile(r"\[([^\[\]]+)\]\(([^()\s]+)\)")
_NOT_PLAIN = re.compile("[\\\\`&<>*_\n]|\\[[\"'\u201c\u2018\u300c\u300e]")


def plain_lead(source: str) -> tuple[bool, Titled | None]:
    """The lead of a line that starts with a plain link, without parsing it as Markdown:
    (True, what `read_lead` would give), or (False, None) when the line needs the parser."""
    if _NOT_PLAIN.search(source):
        return False, None
    rest = _strip_decorations(source)
    match = _PLAIN_LINK.match(rest)
    if match is None:
        return False, None
    return True, _link_title(" ".join(match.group(1).split()), match.group(2), rest[match.end() :])


def _emphasised(children: Sequence[Token], i: int) -> Titled | None:
    """A bold or italic title; a link inside it makes it a linked title."""
    close = children[i].type.replace("_open", "_close")
    j = i + 1
    while j < len(children) and children[j].type != close:
        j += 1
    inner = list(children[i + 1 : j])
    for k, token in enumerate(inner):
        if token.type == "link_open":
            return _linked(inner, k)
    title = clean_title(plain_text(inner)).rstrip(":\uff1a").strip()
    if not _title_words(title) or is_label(title) or is_appeal(title):
        return None  # "**We need your contributions!**": said to the reader, not a paper
    if title.startswith("(") and title.endswith(")"):
        return None  # "*(Citation criteria)*": an aside, not a title
    after = plain_text(children[j + 1 :])
    if after.lstrip().startswith((":", "\uff1a", "=")):
        return None  # "**저자**: …", "**Term** = definition": a label or a definition
    return Titled(title, "bold", venue=bool(_VENUE.match(after)))


def _leading(children: Sequence[Token], i: int) -> Titled | None:
    """Plain text leading a line, up to a link, a bracket or a dash, when a link or a
    `(Venue Year)` follows it on its line: `Deep Residual Learning [[paper](…)]`, `Title |
    **[CVPR' 15]** | [pdf](…)`."""
    text = children[i].content.split("\n", 1)[0]
    stop = _LEADING_STOP.search(text)
    if stop is None and _wraps(children, i):
        # "ChestX-ray8: … Benchmarks on" ⏎ "Weakly-Supervised … Diseases [[CVF](…)]": the
        # title goes on over the line break, and its links are on the line it ends on.
        i += 2
        text = f"{text} {children[i].content.split(chr(10), 1)[0]}"
        stop = _LEADING_STOP.search(text)
    while stop is not None and stop.group().strip() == "(" and _joins(text[: stop.start()]):
        # "… the Emergence of (Natural) Language [[OpenReview](…)]": a title does not end
        # on "of", so the parenthesis is inside it.
        close = text.find(")", stop.end())
        if close < 0:
            break
        stop = _LEADING_STOP.search(text, close + 1)
    if stop is not None and stop.group().strip() in _DASHES:
        stop = _subtitle_end(text, stop)
    title = (text[: stop.start()] if stop else text).strip()
    rest = text[stop.start() :] if stop else ""
    # "AutoAugment (2018): [[Paper]](…)": a paper's one-word name, dated, then its links.
    named = _is_name(title) and _VENUE.match(rest) is not None
    if not title or title.endswith((":", "\uff1a")) or is_label(title):
        return None
    if not (_title_words(title) or named):
        return None
    if is_phrase(title):
        return None  # "Transformers are great, see https://…": a sentence, not a title
    if _CREDIT.search(title):
        return None  # "Qiu & Yuille (2016): …": who wrote it, not what it is called
    line = [rest]
    for token in children[i + 1 :]:
        if token.type in ("softbreak", "hardbreak") or "\n" in children[i].content:
            break
        if token.type == "html_inline":
            continue  # an <img src="https://…"> formula beside the words is not their link
        line.append("[link]" if token.type == "link_open" else token.content)
    after = "".join(line)
    venue = _VENUE.search(after)
    linked = "[" in after or "http" in after
    if not (venue or linked) or (named and not linked):
        return None
    if venue is not None and not linked and _goes_on(after[venue.end() :]):
        # "If a paper is added, another paper (usually from 2016) should be removed.": the
        # words run on past the parenthesis, so it is an aside inside a sentence.
        return None
    return Titled(clean_title(title), "leading", venue=venue is not None)


_DASHES = frozenset("-\u2013\u2014")


def _subtitle_end(text: str, dash: re.Match[str]) -> re.Match[str]:
    """Where a title cut at a dash ends: past the dash when what follows is a subtitle —
    Title Case words with a small word among them (`- Towards Representing Concepts with
    Sensorimotor Contingencies`), then the links; else at the dash (`- introduces …`)."""
    after = _LEADING_STOP.search(text, dash.end())
    if after is None or after.group().strip() not in ("(", "["):
        return dash
    said = text[dash.end() : after.start()].split()
    small = [w for w in said if w in _JOINING_WORDS]
    big = [w for w in said if w not in _JOINING_WORDS]
    if len(said) < 3 or not small or not all(w[:1].isupper() or w[:1].isdigit() for w in big):
        return dash
    return after


def _is_name(word: str) -> bool:
    """One word written as a model's name, not a dictionary word: a capital inside or a digit
    (`AutoAugment`, `BERT`, `word2vec`, `VGG16`; not `Update`)."""
    return (
        len(word.split()) == 1
        and any(c.isalpha() for c in word)
        and (any(c.isupper() for c in word[1:]) or any(c.isdigit() for c in word))
    )


def _goes_on(text: str) -> bool:
    """Whether text after a parenthesis carries on a sentence: a word in lower case (not
    `by`, which names a reference's authors)."""
    said = text.split(maxsplit=1)
    return bool(said) and said[0][:1].islower() and said[0] != "by"


def _wraps(children: Sequence[Token], i: int) -> bool:
    """Whether the plain text leading an item breaks inside a phrase and goes on on the next
    line: the line ends on a word no title ends with (`… Benchmarks on`), or the next line
    starts in lower case (`… for electronic health` ⏎ `records [[arXiv](…)]`)."""
    if i + 2 >= len(children) or children[i + 1].type != "softbreak":
        return False
    first, after = children[i].content, children[i + 2]
    if "\n" in first or after.type != "text" or not after.content.strip():
        return False
    return _joins(first) or after.content.lstrip()[:1].islower()


def _joins(text: str) -> bool:
    """Whether text ends on a word no title ends with (`of`, `the`, `on`): it goes on."""
    said = text.split()
    return bool(said) and said[-1].casefold() in _JOINING_WORDS


# Words a title may not end with, so a line ending on one goes on on the next.
_JOINING = """
a an the of on for with and or to in at by from via into onto between through towards toward
over under without as vs
"""
_JOINING_WORDS = frozenset(_JOINING.split())


def _title_words(title: str) -> bool:
    """Two words or more, and read as a title: not a sentence, not "Bahdanau et al."."""
    words = title.split()
    if not _MIN_TITLE_WORDS <= len(words) <= _MAX_TITLE_WORDS or not any(
        c.isalpha() for c in title
    ):
        return False
    return not (_SENTENCE.search(title) or _ET_AL.search(title) or title.endswith((",", ".", ";")))


_MAX_TITLE_WORDS = 40
# Words a sentence leads into a link with, and no title ends with.
_TRAILING_WORDS = frozenset(
    [
        "see",
        "also",
        "cf",
        "in",
        "at",
        "by",
        "from",
        "with",
        "of",
        "the",
        "and",
        "to",
        "for",
        "on",
        "via",
        "is",
        "are",
        "was",
        "this",
        "here",
        "our",
        "my",
    ]
)


def is_phrase(text: str) -> bool:
    """Whether words read as a piece of a sentence, not a title: they start with its subject
    (`They then use a`, `We propose`, `The authors`) or end on a word no title ends with
    (`a`, `of`, `see`)."""
    written = text.split()
    said = [w.casefold() for w in written]
    if not said:
        return False
    # "We Are Humor Beings" is a title; "They then use", "We propose" start a sentence.
    subject = said[0] in _SUBJECTS and len(said) > 1 and written[1][:1].islower()
    if subject or said[:2] == ["the", "authors"]:
        return True
    # Written in lower case: "Paper A", "Vitamin A" end on a letter, not on an article.
    last = said[-1] if written[-1].islower() else ""
    return last in _TRAILING_WORDS or last in _JOINING_WORDS


# Who a sentence in a note is about: the paper's authors, the note's writer.
_SUBJECTS = frozenset(("they", "we", "he", "she"))
# A sentence break inside: ". ", "! ", "。" — a title has none (a "?" may end one).
_SENTENCE = re.compile(r"(?<![A-Z])(?<!\bvs)(?<!\bal)(?<!\betc)[.!]\s+\S|。.")
_ET_AL = re.compile(r"\bet\.? al\b|\s외$", re.IGNORECASE)


def _is_arxiv_id(text: str) -> bool:
    return bool(re.fullmatch(r"(?:arxiv:\s*)?\d{4}\.\d{4,5}(?:v\d+)?", text.strip(), re.I))
