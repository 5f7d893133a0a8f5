"""Author strings exactly as arXiv sends them (taken from tests/fixtures/arxiv) → names."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

from note2bib import names
from note2bib.model import Name
from note2bib.names import parse_name

FIXTURES = Path(__file__).parent / "fixtures" / "arxiv"

# (name, arXiv author string, where it comes from, expected)
NAMES = [
    ("plain", "Alexander Kirillov", "seed/2304.02643", Name("Kirillov", "Alexander")),
    ("accent", "Piotr Dollár", "seed/2304.02643", Name("Dollár", "Piotr")),
    ("middle initial", "Alexander C. Berg", "seed/2304.02643", Name("Berg", "Alexander C.")),
    ("hyphenated given", "Wan-Yen Lo", "seed/2304.02643", Name("Lo", "Wan-Yen")),
    ("accented given", "Timothée Lacroix", "seed/2302.13971", Name("Lacroix", "Timothée")),
    ("grave", "Baptiste Rozière", "seed/2302.13971", Name("Rozière", "Baptiste")),
    ("korean hyphenated", "Bon-Chul Koo", "more/0704.0706", Name("Koo", "Bon-Chul")),
    ("korean two given", "Myung Gyoon Lee", "more/0704.0706", Name("Lee", "Myung Gyoon")),
    ("initials", "E. L. Berger", "more/0704.0001", Name("Berger", "E. L.")),
    # arXiv's tidying writes "C.-P." as "C. -P."; BibTeX abbreviates "C.-P." correctly.
    ("split hyphenated initials", "C. -P. Yuan", "more/0704.0001", Name("Yuan", "C.-P.")),
    ("initial without dot", "Elaine J Weyuker", "recorded/2005.06826", Name("Weyuker", "Elaine J")),
    ("sharp s", "Oliver Weißl", "more/2602.15552", Name("Weißl", "Oliver")),
    ("slashed o", "P. M. Bjørnstad", "more/1411.4413", Name("Bjørnstad", "P. M.")),
    ("ring", "Martin Ekerå", "more/1702.00249", Name("Ekerå", "Martin")),
    (
        "von part",
        "Fons van der Sommen",
        "more/1707.08567",
        Name("Sommen", "Fons", prefix="van der"),
    ),
    (
        "von after initials",
        "Peter H. N. de With",
        "more/1707.08567",
        Name("With", "Peter H. N.", prefix="de"),
    ),
    ("lower-case family", "D. d'Enterria", "more/1411.4413", Name("d'Enterria", "D.")),
    # Capitalised particles belong to the family name, as in arXiv's own author parser.
    ("capital particle", "A. De Roeck", "more/1411.4413", Name("De Roeck", "A.")),
    (
        "two capital particles",
        "M. Van De Klundert",
        "more/1411.4413",
        Name("Van De Klundert", "M."),
    ),
    ("french particle", "Pascale Le Gall", "recorded/0804.0970", Name("Le Gall", "Pascale")),
    (
        "long given part",
        "C. Beirão Da Cruz E Silva",
        "more/1411.4413",
        Name("Silva", "C. Beirão Da Cruz E"),
    ),
    (
        "compound family after von",
        "Vânia de Oliveira Neves",
        "recorded/2509.05540",
        Name("Oliveira Neves", "Vânia", prefix="de"),
    ),
    ("abbreviated given", "Yu. Guz", "more/1411.4413", Name("Guz", "Yu.")),
    (
        "organisation",
        "LIGO Scientific Collaboration",
        "more/0704.0943",
        Name("LIGO Scientific Collaboration", literal=True),
    ),
    # "The CMS and LHCb Collaborations: …" as arXiv's author-line splitter leaves it.
    ("collaboration head", "The CMS", "more/1411.4413", Name("The CMS", literal=True)),
    (
        "plural collaboration",
        "LHCb Collaborations",
        "more/1411.4413",
        Name("LHCb Collaborations", literal=True),
    ),
    ("punctuation only", ":", "more/1411.4413", Name(":", literal=True)),
]


@pytest.mark.parametrize(("name", "raw", "source", "expected"), NAMES, ids=[n[0] for n in NAMES])
def test_parse_name(name: str, raw: str, source: str, expected: Name) -> None:
    assert parse_name(raw) == expected


@pytest.mark.parametrize(("name", "raw", "source", "expected"), NAMES, ids=[n[0] for n in NAMES])
def test_table_strings_are_real_arxiv_authors(
    name: str, raw: str, source: str, expected: Name
) -> None:
    entry = (FIXTURES / f"{source}.xml").read_text(encoding="utf-8")
    assert f"<name>{raw}</name>" in entry


# (name, author string not in the fixtures, expected): shapes arXiv's splitter produces.
OTHER_SHAPES = [
    ("suffix", "Martin Luther King Jr.", Name("King", "Martin Luther", suffix="Jr.")),
    ("suffix after comma", "John Smith, Jr.", Name("Smith", "John", suffix="Jr.")),
    ("roman suffix", "John Smith III", Name("Smith", "John", suffix="III")),
    ("single name", "Plato", Name("Plato")),
    ("extra white space", "  Piotr   Dollár ", Name("Dollár", "Piotr")),
    ("consortium", "Planck Consortium", Name("Planck Consortium", literal=True)),
    (
        "team",
        "The Event Horizon Telescope Team",
        Name("The Event Horizon Telescope Team", literal=True),
    ),
    ("university", "Stanford University", Name("Stanford University", literal=True)),
    (
        "many words",
        "Alpha Beta Gamma Delta Epsilon Zeta",
        Name("Alpha Beta Gamma Delta Epsilon Zeta", literal=True),
    ),
    ("the as a given name", "The Anh Nguyen", Name("Nguyen", "The Anh")),
]


@pytest.mark.parametrize(
    ("name", "raw", "expected"), OTHER_SHAPES, ids=[n[0] for n in OTHER_SHAPES]
)
def test_other_shapes(name: str, raw: str, expected: Name) -> None:
    assert parse_name(raw) == expected


def test_every_fixture_author_parses() -> None:
    # 1411.4413 alone has 2,833 authors: no string may crash the parser or lose its letters.
    for path in sorted(FIXTURES.glob("*/*.xml")):
        for raw in re.findall(r"<name>(.*?)</name>", path.read_text(encoding="utf-8")):
            name = parse_name(raw)
            assert name.family
            kept = f"{name.given} {name.prefix} {name.family} {name.suffix}"
            assert sorted(c for c in kept if c.isalpha()) == sorted(c for c in raw if c.isalpha())


def test_doctests() -> None:
    assert doctest.testmod(names).failed == 0
