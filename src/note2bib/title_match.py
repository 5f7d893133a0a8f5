"""Every "same title" decision, with its numbers: three questions, three rules.

Titles are first normalised by `titles.normalize_title` (LaTeX decoded; accents, case and
punctuation set aside); the ratios are rapidfuzz's `fuzz.ratio` (0-100) of such titles. The
rules differ because a mistake costs differently in each place:

- **Library matching** (`similar_titles`): is a library entry's title this paper's? A false
  yes hides a paper from the bibliography, so only a typo may differ: equal but for spaces,
  or a ratio of at least `LIBRARY_RATIO` *and* at most `LIBRARY_MAX_EDITS` characters apart
  *and* the same numbers (`Part I`/`Part II`, `GPT-3`/`GPT-4`). A leading article is ignored.
  (Matching also asks the first authors to agree, the years to be within
  `LIBRARY_MAX_YEAR_GAP`, and the entry types to allow one work: `library.matching.same_title`.)
- **Title search** (`title_similarity`, `same_words`): is an arXiv search result the
  paper a note names? A wrong paper is worse than none, so a result must have the same
  words in the same order (`pre-training` = `pretraining`; a leading article may be missing)
  *and* a ratio of at least `SEARCH_RATIO`.
- **Link checks** (`heading_matches`): does a note's heading name the paper its link points
  at? Only a heading clearly unlike the paper earns a warning, so this rule is lenient: a
  ratio of `HEADING_RATIO` to the whole title (a title edited in a later version), of
  `HEADING_PART_RATIO` to a part of it, the heading inside the title or the abstract, or a
  `HEADING_SHARED_WORDS` share of its significant words in the title.
- **Reading the notes** (`names_within`): is a section titled after the paper its block
  titles ("### Deep Residual Learning" over `[Deep Residual Learning for Image
  Recognition](…)`)? A yes makes the section, not the block, the paper's note, so only
  whole words count: equal titles, or one's words a run of the other's.
"""

from __future__ import annotations

from note2bib.model import Paper
from note2bib.titles import normalize_title, significant_words

LIBRARY_RATIO = 95.0
"""Library matching: the least ratio of two titles that are one; chosen on the corpora
(README, bench/measure_titles.py)."""
LIBRARY_MAX_EDITS = 2
"""Library matching: characters that may differ (spaces ignored): a word swapped for
another is a new paper."""
LIBRARY_MAX_YEAR_GAP = 1
"""Library matching: entries dated further apart than this (in years) are different works
whatever their titles (a 1974 chapter and a 1986 book, both `Working memory` by Baddeley)."""
ROUGH_MARGIN = 15.0
"""Library matching: how much lower the undecoded rough titles (`identity.fold`) may score
and still be decoded and compared."""
SEARCH_RATIO = 95.0
"""Title search: out of 100; below it two titles are not taken as one, even with the same
words."""
HEADING_RATIO = 80.0
"""Link checks: whole-title ratio from which a heading is the paper's title (a title edited
in v4)."""
HEADING_PART_RATIO = 85.0
"""Link checks: ratio to a part of the title (before or after a colon) that counts as
naming it."""
HEADING_SHARED_WORDS = 0.5
"""Link checks: share of the heading's significant words found in arXiv's title that counts
as a match."""

ARTICLES = frozenset({"a", "an", "the"})
"""A leading one of these is ignored by the library and the search rules."""
_ROMAN = frozenset(["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"])
_PART_SEPARATORS = (":", " - ", " \u2014 ", " \u2013 ", "? ")


# --- Library matching --------------------------------------------------------------------


def similar_titles(a: str, b: str) -> bool:
    """Normalised titles that are one title: equal but for spaces, or a typo apart."""
    if a == b:
        return True
    a, b = _without_article(a), _without_article(b)
    joined_a, joined_b = a.replace(" ", ""), b.replace(" ", "")
    if joined_a == joined_b:
        return True
    from rapidfuzz import fuzz
    from rapidfuzz.distance import Levenshtein

    return (
        _numbers(a) == _numbers(b)
        and fuzz.ratio(joined_a, joined_b) >= LIBRARY_RATIO
        and Levenshtein.distance(joined_a, joined_b, score_cutoff=LIBRARY_MAX_EDITS)
        <= LIBRARY_MAX_EDITS
    )


def _without_article(title: str) -> str:
    """`the x y` → `x y` (a title that is only an article keeps it)."""
    words = title.split()
    if len(words) > 1 and words[0] in ARTICLES:
        words = words[1:]
    return " ".join(words)


def _numbers(title: str) -> list[str]:
    return sorted(w for w in title.split() if w.isdigit() or w in _ROMAN)


# --- Title search ------------------------------------------------------------------------


def title_similarity(a: str, b: str) -> float:
    """0 to 100: how alike two titles are after normalisation, word order mattering."""
    from rapidfuzz import fuzz

    return float(fuzz.ratio(normalize_title(a), normalize_title(b)))


def same_words(a: str, b: str) -> bool:
    """Every word the same, in the same order; `pre-training` = `pretraining`, and a leading
    article may be missing (`A Survey of …` = `Survey of …`)."""
    return "".join(title_words(a)) == "".join(title_words(b))


def title_words(title: str) -> list[str]:
    """The normalised words `same_words` compares, a leading article left out."""
    words = normalize_title(title).split()
    return words[1:] if words and words[0] in ARTICLES else words


# --- Link checks -------------------------------------------------------------------------


def heading_matches(title: str, paper: Paper) -> bool:
    """Whether a heading plausibly names this paper: its title (any version's, near enough),
    a part of it, a name its abstract uses, or most of the title's words."""
    mine = normalize_title(title)
    theirs = normalize_title(paper.title)
    padded = f" {mine} "
    # The word checks first: a heading that names its paper mostly passes one of them, and
    # rapidfuzz then never loads (any passing check is the same answer).
    if padded in f" {theirs} ":
        return True
    words = significant_words(title)
    shared = set(words) & set(significant_words(paper.title))
    if len(shared) >= HEADING_SHARED_WORDS * len(words):
        return True
    from rapidfuzz import fuzz

    if fuzz.ratio(mine, theirs) >= HEADING_RATIO:
        return True
    if any(
        fuzz.ratio(mine, normalize_title(part)) >= HEADING_PART_RATIO
        for part in _parts(paper.title)
    ):
        return True
    return padded in f" {normalize_title(paper.summary)} "


def _parts(title: str) -> list[str]:
    parts = [title]
    for separator in _PART_SEPARATORS:
        parts = [piece for part in parts for piece in part.split(separator)]
    return [p for p in parts if p.strip()]


# --- Reading the notes -------------------------------------------------------------------


def names_within(heading: str, title: str) -> bool:
    """Whether a heading and a title name one paper: the same words, or one's words a run of
    the other's ("ResNet" in "ResNet: Deep Residual Learning")."""
    mine, theirs = normalize_title(heading), normalize_title(title)
    if not mine or not theirs:
        return False
    return mine == theirs or f" {mine} " in f" {theirs} " or f" {theirs} " in f" {mine} "
