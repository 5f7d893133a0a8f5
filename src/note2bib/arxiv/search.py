"""Title search decisions: what a note calls its paper, what to ask arXiv, what to accept.

Pure functions only; asking arXiv and the cache is `title_search.find_by_title`'s job. A wrong
paper is worse than none, so a search result is accepted only when it is certain:

- its title and the note's are one by `title_match`'s search rule (the same words in the same
  order, and a similarity of at least `title_match.SEARCH_RATIO`), and
- the authors and the year the note names, if any, agree with arXiv's record, and
- no other result passes as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from note2bib.model import Paper, Unit
from note2bib.names import split_names
from note2bib.title_match import SEARCH_RATIO, same_words, title_similarity, title_words
from note2bib.titles import decoded, heading_title, looks_like_title, normalize_title, quoted

SEARCH_RESULTS = 10
"""Candidates asked of arXiv per title search: the paper need not come first."""
MAX_QUERY_WORDS = 20
BATCH_TITLES = 10
"""Titles asked of arXiv in one combined request (`batch_query`)."""
BATCH_RESULTS = BATCH_TITLES * SEARCH_RESULTS
"""Candidates a combined request asks for: as many per title as a search of its own."""

# "Authors: Eric Lehman, Evan Hernandez" / "저자: …" / "by Lehman et al." on a line of its own.
_AUTHORS_LINE = re.compile(
    r"^[ \t]*(?:[-*+][ \t]*)?(?:authors?|저자|by)[ \t]*[:\uff1a][ \t]*(?P<names>.+)$",
    re.IGNORECASE | re.MULTILINE,
)
_YEAR_LINE = re.compile(
    r"^[ \t]*(?:[-*+][ \t]*)?(?:year|연도|발표)[ \t]*[:\uff1a][ \t]*(?P<year>(?:19|20)\d{2})\b",
    re.IGNORECASE | re.MULTILINE,
)
# A title quoted on one line: "…" or “…”, long enough to be more than a word or two.
_QUOTED = re.compile(r"[\"“](?P<title>[^\"“”\n]{12,300})[\"”]")


@dataclass(frozen=True)
class Batching:
    """How titles are grouped into one request: at most `titles` of them, `results` answers."""

    titles: int = BATCH_TITLES
    results: int = BATCH_RESULTS


BATCHING = Batching()


@dataclass(frozen=True)
class Clues:
    """What a note without an arXiv id says about its paper."""

    titles: tuple[str, ...]
    """Titles to search for, the likeliest first (front matter, heading, a quoted title)."""
    written: tuple[str, ...] = ()
    """The same titles as written (decorations kept), also compared when deciding."""
    authors: tuple[str, ...] = ()
    """Family names the note gives, normalised."""
    year: int | None = None


@dataclass(frozen=True)
class Verdict:
    """One search result weighed against the note."""

    paper: Paper
    similarity: float
    problem: str | None
    """Why it is not certain; None when it passes every test."""


@dataclass(frozen=True)
class Decision:
    """The paper a title search settles on (or None), and the best candidate for `-v`."""

    paper: Paper | None
    best: Verdict | None
    reason: str


def note_clues(unit: Unit) -> Clues | None:
    """The titles, authors and year a note gives for its paper; None when it names no title."""
    front = unit.front
    titles: list[str] = []
    written: list[str] = []
    year = None
    if front is not None and front.title and looks_like_title(front.title):
        titles.append(front.title)
    heading = heading_title(unit.title)
    if looks_like_title(heading.title):
        titles.append(heading.title)
        written.append(unit.title)
        year = heading.year
    for match in _QUOTED.finditer(unit.text):
        quoted = match.group("title").strip()
        if looks_like_title(quoted, min_words=3):
            titles.append(quoted)
            break
    titles = list(dict.fromkeys(titles))
    if not titles:
        return None
    authors = list(front.authors if front else ())
    authors += [m.group("names") for m in _AUTHORS_LINE.finditer(unit.text)]
    if front is not None and front.year is not None:
        year = front.year
    year_line = _YEAR_LINE.search(unit.text)
    if year_line:
        year = int(year_line.group("year"))
    return Clues(tuple(titles), tuple(written), tuple(family_names(authors)), year)


def family_names(names: Iterable[str]) -> list[str]:
    """Normalised family names from author strings (`Eric Lehman`, `Lehman, Eric`, `A and B`)."""
    families: list[str] = []
    for text in names:
        for name in split_names(text):
            families += normalize_title(name.split(",")[0]).split()[-1:]  # `Lehman, Eric`
    return list(dict.fromkeys(families))


def title_query(title: str) -> str:
    """The `search_query` for a title: each of its words in the title field, any of them.

    Any rather than all: a word spelled differently on arXiv (`ωTest`, a hyphenation) must
    not hide the paper; the decision, not the query, is what must be exact.

    >>> title_query("Segment Anything!")
    'ti:segment OR ti:anything'
    """
    # A lone letter ("OpenAI's" → "openai s") only adds noise; numbers ("GPT 2") stay.
    words = [w for w in normalize_title(title).split() if len(w) > 1 or w.isdigit()]
    words = list(dict.fromkeys(words))[:MAX_QUERY_WORDS]
    return " OR ".join(f"ti:{word}" for word in words)


# Where arXiv's tokenizer ends a word: anything but a letter or digit, except an apostrophe
# inside a word (`Rao's` is one word to it, as in Unicode's word rules).
_PHRASE_BREAK = re.compile(r"[^\w']+|_+|(?<!\w)'+|'+(?!\w)")


def title_phrase(title: str) -> str:
    r"""A title as a quoted phrase for arXiv's title field: its words in order, lower case.

    Only letters, digits and apostrophes inside words are kept, so nothing in it can close
    the quotes or read as query syntax. Accents stay: arXiv does not fold them in titles.

    >>> title_phrase('$\\omega$Test: WebView-Oriented Testing for Rao\u2019s "Android"')
    "ωtest webview oriented testing for rao's android"
    """
    text = decoded(title).replace("\u2019", "'").casefold()
    words = [word for word in _PHRASE_BREAK.split(text) if word]
    return " ".join(words[:MAX_QUERY_WORDS])


def batch_query(titles: Sequence[str]) -> str:
    """One `search_query` for several titles: each as a phrase in the title field, any of them.

    A phrase matches the titles that hold its words in that order, so one answer holds the
    candidates of every title; each is still decided alone (`decide`).

    >>> batch_query(["Segment Anything", "LEDITS: Real Image Editing"])
    'ti:"segment anything" OR ti:"ledits real image editing"'
    """
    phrases = [title_phrase(title) for title in titles]
    if not all(phrases):
        # `ti:""` is no phrase at all: arXiv would answer with any paper.
        raise ValueError("a title without words cannot be asked for in a combined search")
    return " OR ".join(f'ti:"{phrase}"' for phrase in phrases)


def needs_own_search(title: str, answer: Sequence[Paper], full: bool) -> bool:
    """Whether a title a combined answer did not settle is worth a search of its own.

    Yes when the answer was full (the title's paper may be among those left out), and when
    no paper in it holds the title's words in order: arXiv may write the title otherwise
    (`$\\omega$Test` for `ωTest`, `pretraining` for `pre-training`), and a search for any of
    its words still finds it. Otherwise arXiv was asked for exactly this phrase and gave every
    title holding it; another search could add only titles without the words in that order,
    which `decide` rejects unless they differ by a hyphen, a miss taken to save a request.
    """
    if full:
        return True
    words = f" {normalize_title(title)} "
    return not any(words in f" {normalize_title(paper.title)} " for paper in answer)


def search_key(title: str) -> str:
    """How a title search is cached: the normalised title, so spellings of it share one."""
    return "ti:" + normalize_title(title)


def decide(clues: Clues, candidates: Sequence[Paper]) -> Decision:
    """The one candidate certain to be the note's paper, or None and why not."""
    unique = list({p.id.base: p for p in candidates}.values())
    if not unique:
        return Decision(None, None, "arXiv has no paper with a title like it")
    verdicts = [weigh(clues, paper) for paper in unique]
    good = [v for v in verdicts if v.problem is None]
    best = max(verdicts, key=lambda v: (v.problem is None, v.similarity))
    if len(good) == 1:
        return Decision(good[0].paper, good[0], "certain")
    if len(good) > 1:
        ids = ", ".join(v.paper.id.base for v in good)
        return Decision(None, best, f"several arXiv papers have this title ({ids})")
    return Decision(None, best, best.problem or "not certain")


def weigh(clues: Clues, paper: Paper) -> Verdict:
    """How a candidate compares with what the note says, and what (if anything) is wrong."""
    titles = clues.titles + clues.written
    similarity = max(title_similarity(t, paper.title) for t in titles)
    same = [t for t in titles if same_words(t, paper.title)]
    problem = None
    if similarity < SEARCH_RATIO:
        problem = f"below {SEARCH_RATIO:g}"
    elif not same:
        problem = "the titles differ in " + _first_difference(clues.titles[0], paper.title)
    elif clues.year is not None and not _year_agrees(clues.year, paper):
        problem = (
            f"the note says {clues.year}, arXiv's first version is from {paper.published.year}"
        )
    else:
        missing = _missing_authors(clues.authors, paper)
        if missing:
            problem = f"the note names {', '.join(missing)}, not among arXiv's authors"
    return Verdict(paper, similarity, problem)


def _first_difference(a: str, b: str) -> str:
    """The first place two titles' words part: `"dna" / "rna"`."""
    import difflib  # only to say why a title was not taken

    left, right = title_words(a), title_words(b)
    matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            mine = " ".join(left[i1:i2]) or "(nothing)"
            theirs = " ".join(right[j1:j2]) or "(nothing)"
            return f"{quoted(mine)} / {quoted(theirs)}"
    return "word order"


def _year_agrees(year: int, paper: Paper) -> bool:
    """The note's year lies between version 1 and a year after the latest version."""
    first = paper.published.year
    return first <= year <= max(paper.updated.year, first) + 1


def _missing_authors(families: Sequence[str], paper: Paper) -> list[str]:
    """Family names the note gives that no arXiv author carries."""
    words = {w for author in paper.authors for w in normalize_title(author).split()}
    return [f for f in families if f not in words]
