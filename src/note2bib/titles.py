"""Titles normalised as a reader compares them (LaTeX decoded; accents, case, punctuation
ignored), and the title a note's heading holds once its decorations are taken off. Whether
two titles are one is `title_match`'s to say."""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from note2bib.latex import decode

# The small words of titles: articles, prepositions, conjunctions, pronouns, auxiliaries and
# question words. A citation key never starts with one ("Do We Still Need Clinical Language
# Models?" → lehman2023still), and they do not count as a title's significant words.
_STOPWORD_LINES = (
    "a an the and or but nor so yet of in on at by for to from with without into onto upon",
    "about above across after against along among around as before behind below beneath beside",
    "between beyond during except inside near off out outside over past since through",
    "throughout till toward towards under until up via within",
    "i me my we us our you your he him his she her it its they them their this that these those",
    "is are was were be been being am do does did doing have has had having can could shall",
    "should will would may might must",
    "what which who whom whose when where why how whether if than then there here not no",
)
STOPWORDS = frozenset(word for line in _STOPWORD_LINES for word in line.split())

_LATEX = re.compile(r"[\\{}$]")
_NOT_ALNUM = re.compile(r"[\W_]+")


def decoded(title: str) -> str:
    """A title with its LaTeX decoded (`$\\omega$Test` → `ωTest`), case and accents kept."""
    return decode(title) if _LATEX.search(title) else title


def normalize_title(title: str) -> str:
    """A title reduced to lower-case words: `{BERT}: Pre-training` → `bert pre training`.

    LaTeX is decoded first (`Doll{\\'a}r` → `Dollár`), then accents are folded (`á` → `a`).
    Letters of every script are kept, so Korean titles stay distinct from one another.
    """
    text = decoded(title)
    if text.isascii():
        folded = text.casefold()  # nothing to decompose or fold
    else:
        # NFKD splits `á` into `a` + a combining accent; NFC afterwards puts Hangul syllables
        # back together (NFKD had split them into jamo, which are letters, not marks).
        decomposed = unicodedata.normalize("NFKD", text)
        folded = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
        folded = unicodedata.normalize("NFC", folded).casefold()
    # `[\W_]` is exactly what `str.isalnum` rejects: every other character splits words.
    return " ".join(_NOT_ALNUM.sub(" ", folded).split())


# --- A heading as a paper title ----------------------------------------------------------

# "paper:", "논문 -", "[CVPR 2023]" … in front of the title; a label needs its separator.
_LEADING_LABEL = re.compile(
    r"^(?:paper|papers|논문|review|paper\s+review|리뷰|reading|read|summary|요약|notes?\s+on|"
    r"notes?|til)\s*[:\uff1a\-\u2013—|]\s*",
    re.IGNORECASE,
)
_LEADING_BRACKET = re.compile(r"^[\[【]([^\]】]*)[\]】]\s*[:\uff1a\-\u2013—|]?\s*")
_LEADING_DATE = re.compile(
    r"^(\d{4}[-./]\d{1,2}(?:[-./]\d{1,2})?|\d{2}\.\d{1,2})\.?\s*[:\uff1a\-\u2013—|]?\s+"
)
# A parenthesised or bracketed tail: "(23.7, Shanghai AI Laboratory외)", "[CVPR 2023]".
_TRAILING_GROUP = re.compile(r"\s*[(\[\uff08【]([^()\[\]\uff08\uff09【】]*)[)\]\uff09】]\s*$")
# A tail after a dash or bar: "— 한 모델이 여러 페르소나로 협업", "| 2023".
_TRAILING_SEGMENT = re.compile(r"\s+[-\u2013—|·]\s+([^-\u2013—|·]*)$|\s*[|·]\s*([^|·]*)$")
# ", June 2023" / " 2023-06" at the very end.
_TRAILING_DATE = re.compile(
    r"[,\s]\s*(?:[A-Za-z]{3,9}\.?\s+)?((?:19|20)\d{2})(?:[-./]\d{1,2})?\s*$"
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_SHORT_DATE = re.compile(r"^\s*(\d{2})\.(\d{1,2})(?!\d)")
_LATIN_WORD = re.compile(r"[A-Za-z]")


class HeadingTitle(NamedTuple):
    """What a heading says about a paper: its title without decorations, and any year."""

    title: str
    """The heading without emoji, labels, dates and parenthesised affiliations."""
    year: int | None = None
    """A year written among the decorations (`June 2023`, `23.7` → 2023)."""


def heading_title(heading: str) -> HeadingTitle:
    """The paper title a heading holds, its decorations taken off (and read for a year).

    >>> heading_title("AnimateDiff: Animate Your Models (23.7, Shanghai AI Laboratory외)")
    HeadingTitle(title='AnimateDiff: Animate Your Models', year=2023)
    >>> heading_title("📄 Paper: Segment Anything")
    HeadingTitle(title='Segment Anything', year=None)
    """
    text = " ".join(_without_symbols(heading).split())
    decorations: list[str] = []
    changed = True
    while changed and text:
        changed = False
        for pattern in (_LEADING_LABEL, _LEADING_BRACKET, _LEADING_DATE):
            match = pattern.match(text)
            if match and match.end() < len(text):
                # A date in front is when the note was written (a reading log), not the paper's.
                if pattern is not _LEADING_DATE:
                    decorations.extend(g for g in match.groups() if g)
                text, changed = text[match.end() :], True
        for pattern in (_TRAILING_GROUP, _TRAILING_DATE):
            match = pattern.search(text)
            if match and match.start() > 0:
                decorations.extend(g for g in match.groups() if g)
                text, changed = text[: match.start()], True
        match = _TRAILING_SEGMENT.search(text)
        if match and match.start() > 0:
            tail = match.group(1) or match.group(2) or ""
            # A tail in another script, or only a date, describes; a Latin tail may be title.
            if not _LATIN_WORD.search(tail) or _YEAR.fullmatch(tail.strip()):
                decorations.append(tail)
                text, changed = text[: match.start()], True
    text = text.strip().rstrip(":\uff1a-\u2013—|,;").strip()
    if not normalize_title(text):
        return HeadingTitle(heading.strip())
    return HeadingTitle(text, _year(decorations))


def _without_symbols(text: str) -> str:
    """Emoji and pictographs gone (with their joiners and variation selectors)."""
    return "".join(
        c
        for c in text
        if unicodedata.category(c) not in ("So", "Cs", "Co")
        and c not in "\u200d\ufe0f\ufe0e"
        and not 0x1F3FB <= ord(c) <= 0x1F3FF
    )


def _year(decorations: list[str]) -> int | None:
    for decoration in decorations:
        match = _YEAR.search(decoration)
        if match:
            return int(match.group(1))
        short = _SHORT_DATE.match(decoration)
        if short and 1 <= int(short.group(2)) <= 12:
            yy = int(short.group(1))
            return (1900 if yy >= 90 else 2000) + yy  # arXiv began in 1991
    return None


def significant_words(title: str) -> list[str]:
    """The normalised words that carry a title: small words (a, of, the, …) left out."""
    return [w for w in normalize_title(title).split() if w not in STOPWORDS]


def is_latin_title(title: str) -> bool:
    """Whether a title is written in Latin letters, as arXiv titles are (no Hangul, CJK…)."""
    return not any(_is_east_asian(c) for c in title) and bool(_LATIN_WORD.search(title))


def _is_east_asian(char: str) -> bool:
    code = ord(char)
    return (
        0x1100 <= code <= 0x11FF  # Hangul Jamo
        or 0x3040 <= code <= 0x30FF  # Hiragana, Katakana
        or 0x3130 <= code <= 0x318F  # Hangul compatibility jamo
        or 0x3400 <= code <= 0x9FFF  # CJK
        or 0xAC00 <= code <= 0xD7AF  # Hangul syllables
        or 0xF900 <= code <= 0xFAFF  # CJK compatibility
    )


def looks_like_title(title: str, min_words: int = 2) -> bool:
    """Latin script and at least `min_words` significant words of two letters or more."""
    words = [w for w in significant_words(title) if len(w) > 1 and not w.isdigit()]
    return is_latin_title(title) and len(words) >= min_words


QUOTED_LENGTH = 160
"""The most characters of a heading or title a message quotes (`quoted`): arXiv's titles
(the longest of the 153 recorded ones has 129) whole, a pasted paragraph cut."""


def quoted(title: str) -> str:
    """A heading or title as every message quotes it: in double quotes, on one line, cut to
    `QUOTED_LENGTH` characters with `…` (a 200 kB heading is not a 200 kB warning).

    >>> quoted("Segment  Anything")
    '"Segment Anything"'
    >>> len(quoted("word " * 1000))
    162
    """
    text = " ".join(title.split())
    if len(text) > QUOTED_LENGTH:
        text = text[: QUOTED_LENGTH - 1].rstrip() + "…"
    return f'"{text}"'
