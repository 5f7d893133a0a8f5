"""Author names as arXiv sends them ("First Last") split into BibTeX's parts with pybtex.

arXiv's API gives one display string per author: `Piotr Dollár`, `Alexander C. Berg`,
`Fons van der Sommen`, `A. De Roeck`, `C. -P. Yuan` (its own tidying puts a space after
every dot), a suffix last (`… Jr.`), and for collaborations whatever its author-line splitter
made of them (`LIGO Scientific Collaboration`; `The CMS`, `LHCb Collaborations` and `:` from
"The CMS and LHCb Collaborations: …").
"""

from __future__ import annotations

import re

from note2bib.model import Name

# Words that make an author an organisation, not a person.
_ORGANISATION = re.compile(
    r"\b(collaborations?|consortium|consortia|teams?|groups?|projects?|initiatives?|"
    r"institutes?|university|universities|laborator(?:y|ies)|organi[sz]ations?|"
    r"societ(?:y|ies)|associations?)\b",
    re.IGNORECASE,
)
_MAX_PERSON_WORDS = 5
_SUFFIX = re.compile(r"^(?P<rest>.*?),?\s+(?P<suffix>Jr\.?|Sr\.?|II|III|IV)$")
# Surname particles as arXiv's own author parser knows them (arxiv-browse author_affil.py),
# plus a few it misses; written capitalised (`De Roeck`) they belong to the family name.
_PARTICLES = frozenset(
    {"van", "der", "den", "de", "del", "della", "da", "das", "dos", "du", "des"}
    | {"la", "le", "di", "ter", "ten", "von", "dem", "mac", "el"}
)
_MAX_PARTICLES = 2
_ET_AL = re.compile(r"\bet\.? al\.?|외\s*\d*\s*명?|\betc\.?", re.IGNORECASE)
_NAME_SEPARATORS = re.compile(r"\s*(?:;|&|\band\b|,)\s*", re.IGNORECASE)


def load_parser() -> None:
    """Load pybtex's name parser now: a run about to parse names loads it while it waits."""
    import pybtex.database  # noqa: F401


def parse_name(raw: str) -> Name:
    """One arXiv author string → `Name`; organisations become a literal, whole name."""
    text = re.sub(r"\.\s+-(?=\w)", ".-", " ".join(raw.split()))  # `C. -P.` → `C.-P.`
    if _is_organisation(text):
        return Name(family=text, literal=True)
    suffix = ""
    if m := _SUFFIX.match(text):
        text, suffix = m["rest"], m["suffix"]
    from pybtex.database import Person  # loaded with the first name to parse

    person = Person(text)
    given = [*person.first_names, *person.middle_names]
    family = list(person.last_names)
    prefix = list(person.prelast_names)
    if not prefix:
        given, family = _capitalised_particles(given, family)
    return Name(
        family=" ".join(family),
        given=" ".join(given),
        prefix=" ".join(prefix),
        suffix=suffix,
    )


def _is_organisation(text: str) -> bool:
    """A collaboration or institution, `The CMS`, a long name, or no letters at all (`:`)."""
    if not any(c.isalpha() for c in text):
        return True
    words = [w for w in text.split() if not w.endswith(".")]  # initials don't count
    return (
        bool(_ORGANISATION.search(text))
        or (text.startswith("The ") and any(len(w) > 1 and w.isupper() for w in words[1:]))
        or len(words) > _MAX_PERSON_WORDS
    )


def _capitalised_particles(given: list[str], family: list[str]) -> tuple[list[str], list[str]]:
    """Move `De`, `Van De`, `La` from the end of the given names into the family name."""
    moved = 0
    while (
        moved < _MAX_PARTICLES
        and len(given) > 1
        and given[-1].lower() in _PARTICLES
        and given[-1][:1].isupper()
    ):
        family.insert(0, given.pop())
        moved += 1
    return given, family


def split_names(text: str) -> list[str]:
    """The names a hand-written author list gives, each as written: `Eric Lehman, Evan
    Hernandez`, `A and B`, `A; B`; `Lehman, Eric` is one name, family first; `et al.` and
    `외 3명` are dropped.

    >>> split_names("Lehman, Eric")
    ['Lehman, Eric']
    >>> split_names("Sainyam Galhotra, Yuriy Brun and Alexandra Meliou et al.")
    ['Sainyam Galhotra', 'Yuriy Brun', 'Alexandra Meliou']
    """
    text = _ET_AL.sub(" ", text).strip()
    if _is_family_first(text):
        return [text]
    return [piece for piece in _NAME_SEPARATORS.split(text) if piece.strip()]


def _is_family_first(name: str) -> bool:
    """`Lehman, Eric` (one name, family first) rather than `Eric Lehman, Evan Hernandez`."""
    if name.count(",") != 1 or _NAME_SEPARATORS.sub(",", name).count(",") != 1:
        return False
    family, given = name.split(",")
    return len(family.split()) == 1 and 1 <= len(given.split()) <= 2
