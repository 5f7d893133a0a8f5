"""Titles compared as a reader would: LaTeX decoded, accents, case and punctuation ignored."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

from note2bib.latex import decode

_LATEX = re.compile(r"[\\{}$]")


def normalize_title(title: str) -> str:
    """A title reduced to lower-case words: `{BERT}: Pre-training` → `bert pre training`.

    LaTeX is decoded first (`Doll{\\'a}r` → `Dollár`), then accents are folded (`á` → `a`).
    Letters of every script are kept, so Korean titles stay distinct from one another.
    """
    text = decode(title) if _LATEX.search(title) else title
    # NFKD splits `á` into `a` + a combining accent; NFC afterwards puts Hangul syllables back
    # together (NFKD had split them into jamo, which are letters, not marks).
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    folded = unicodedata.normalize("NFC", folded).casefold()
    words = "".join(c if c.isalnum() else " " for c in folded)
    return " ".join(words.split())


def title_similarity(a: str, b: str) -> float:
    """0 to 100: how alike two titles are after normalisation, word order mattering."""
    return float(fuzz.ratio(normalize_title(a), normalize_title(b)))
