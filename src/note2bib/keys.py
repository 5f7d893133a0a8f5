"""Citation keys: `family` + `year` + first significant title word, unique, ASCII."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import replace

from note2bib.model import Name, Record
from note2bib.titles import STOPWORDS


def natural_key(record: Record) -> str:
    """`family` + `year` + first significant title word, ASCII lower case (the README's rule)."""
    paper = record.paper
    if paper is not None:
        family = _family_token(record.authors[0]) if record.authors else "anon"
        return f"{family or 'anon'}{paper.published.year}{_first_word(paper.title, 1)}"
    if record.arxiv_id is not None:
        return "arxiv" + re.sub(r"[^a-z0-9]", "", record.arxiv_id.base.lower())
    return _first_word(record.units[0].title, 2) or "note"


def assign_keys(records: Sequence[Record], taken_keys: Collection[str] = ()) -> list[Record]:
    """Give each record a key unique among them and unlike every taken key (case-insensitive).

    Where natural keys collide, papers take suffixes in arXiv-id order (then notes in order of
    appearance), so reordering the notes never renames a paper.
    """
    used = {k.lower() for k in taken_keys}

    def collision_order(i: int) -> tuple[bool, str, int]:
        arxiv_id = records[i].arxiv_id
        return (arxiv_id is None, arxiv_id.base if arxiv_id else "", i)

    order = sorted(range(len(records)), key=collision_order)
    keys: dict[int, str] = {}
    # Each natural key's last suffix: every one before it is taken and stays taken (`used`
    # only grows), so the search resumes there. Starting from `a` each time made 8,000 notes
    # headed "Meeting notes" try 32 million keys.
    last: dict[str, int] = {}
    for i in order:
        base = natural_key(records[i])
        n = last.get(base, 0)
        key = base + _suffix(n)
        while key.lower() in used:
            n += 1
            key = base + _suffix(n)
        last[base] = n
        used.add(key.lower())
        keys[i] = key
    return [r if r.key == keys[i] else replace(r, key=keys[i]) for i, r in enumerate(records)]


def _suffix(n: int) -> str:
    """1 → a, 26 → z, 27 → aa: spreadsheet-column letters."""
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _ascii_words(text: str) -> list[str]:
    # Math spans (`$\omega$Test`) carry no word a reader would look for in a key.
    text = re.sub(r"\$[^$]*\$", " ", text)
    if not text.isascii():
        text = _transliterated(text)
    text = text.replace("'", "")
    return [w.lower() for w in re.findall(r"[A-Za-z0-9]+", text)]


def _transliterated(text: str) -> str:
    """`text` in ASCII, as anyascii writes it.

    Accented Latin letters (`Balázs`, `Dollár`) are their letters without the accents, as
    anyascii has them (a test checks every such letter), which spares loading anyascii: 6 ms
    of start-up (importlib.resources, zipfile) for a run whose keys need nothing else.
    """
    letters = []
    for char in text:
        letter = char if char.isascii() else _unaccented(char)
        if letter is None:
            from anyascii import anyascii

            return anyascii(text)
        letters.append(letter)
    return "".join(letters)


def _unaccented(char: str) -> str | None:
    """A letter without its accents (`á` → `a`) when that leaves ASCII letters, else None."""
    if not unicodedata.category(char).startswith("L"):
        return None
    bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return bare if bare.isascii() and bare.isalnum() else None


def _first_word(title: str, count: int) -> str:
    words = _ascii_words(title)
    significant = [w for w in words if w not in STOPWORDS]
    return "".join((significant or words)[:count])


def _family_token(name: Name) -> str:
    if name.literal:
        return _first_word(name.family, 1)
    return "".join(_ascii_words(name.family))
