"""biblatex output: `@online` entries for biber, UTF-8 kept, notes read back exactly.

biber itself reads these files in test_tex.py; here bibtexparser and pybtex check the syntax
and every field a user would look for.
"""

from __future__ import annotations

import bibtexparser
from hypothesis import example, given
from hypothesis import strategies as st
from pybtex.database.input.bibtex import Parser

from note2bib.formats import RenderOptions, format_for
from note2bib.latex import decode
from note2bib.model import ArxivId, Record

from fixture_papers import fixture_record, note_unit

NOTE = "## Segment Anything\n작은 메모 -- 100% & $5\n\n  indented = value"


def render(records: list[Record], abstract: bool = False) -> str:
    return format_for("biblatex").render(records, RenderOptions(abstract=abstract))


def fields_of(text: str) -> dict[str, dict[str, str]]:
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    return {e.key: {f.key: f.value for f in e.fields} for e in library.entries}


def test_segment_anything_entry_exactly() -> None:
    text = render([fixture_record("kirillov2023segment", "2304.02643", "## SAM")])
    assert text == (
        "@online{kirillov2023segment,\n"
        "  title = {Segment Anything},\n"
        "  author = {Kirillov, Alexander and Mintun, Eric and Ravi, Nikhila and Mao, Hanzi and "
        "Rolland, Chloe and Gustafson, Laura and Xiao, Tete and Whitehead, Spencer and "
        "Berg, Alexander C. and Lo, Wan-Yen and Dollár, Piotr and Girshick, Ross},\n"
        "  date = {2023-04-05},\n"
        "  eprint = {2304.02643},\n"
        "  eprinttype = {arxiv},\n"
        "  eprintclass = {cs.CV},\n"
        "  doi = {10.48550/arXiv.2304.02643},\n"
        "  url = {https://arxiv.org/abs/2304.02643},\n"
        "  pubstate = {prepublished},\n"
        "  keywords = {cs.CV},\n"
        "  annote = {\\#\\# SAM}\n"
        "}\n"
    )


def test_names_and_titles_stay_utf8() -> None:
    fields = fields_of(render([fixture_record("k", "1607.08199", "x")]))["k"]
    assert "\\" not in fields["author"]  # no `{\'e}`: biber handles UTF-8 itself
    assert decode(fields["addendum"]) == (
        "Épijournal de Géométrie Algébrique, Volume 1 (September 1, 2017) epiga:3255"
    )


def test_date_is_version_1s() -> None:
    # 2307.05300 is at v4 (2024); v1 was submitted on 2023-07-11.
    assert fields_of(render([fixture_record("k", "2307.05300", "x")]))["k"]["date"] == "2023-07-11"


def test_published_paper_keeps_its_arxiv_identity() -> None:
    fields = fields_of(render([fixture_record("k", "0704.0001", "x")]))["k"]
    assert fields["doi"] == "10.1103/PhysRevD.76.013009"
    assert fields["addendum"] == "Phys.Rev.D76:013009,2007"
    assert "pubstate" not in fields
    assert (fields["eprint"], fields["eprinttype"], fields["eprintclass"]) == (
        "0704.0001",
        "arxiv",
        "hep-ph",
    )


def test_publisher_doi_alone_is_not_prepublished() -> None:
    fields = fields_of(render([fixture_record("k", "1009.3186", "x")]))["k"]
    assert fields["doi"] != "10.48550/arXiv.1009.3186"
    assert "pubstate" not in fields and "addendum" not in fields


def test_particles_and_organisations() -> None:
    text = render([fixture_record("p", "1707.08567", "x"), fixture_record("o", "0704.0943", "x")])
    persons = Parser().parse_string(text).entries
    names = [str(p) for p in persons["p"].persons["author"]]
    assert "van der Sommen, Fons" in names and "de With, Peter H. N." in names
    assert [str(p) for p in persons["o"].persons["author"]] == ["{LIGO Scientific Collaboration}"]


def test_abstract_only_when_asked() -> None:
    rec = fixture_record("k", "2304.02643", "x")
    assert "abstract" not in fields_of(render([rec]))["k"]
    abstract = fields_of(render([rec], abstract=True))["k"]["abstract"]
    assert decode(abstract).startswith("We introduce the Segment Anything (SA) project")


def test_unresolved_notes() -> None:
    no_id = Record(
        key="downloadllama",
        units=(note_unit("## Download LLaMA weights", ("https://example.org/llama.sh",)),),
    )
    unknown_id = Record(
        key="arxiv230699999",
        units=(note_unit("## Thought Cloning\narXiv:2306.99999"),),
        arxiv_id=ArxivId("2306.99999"),
    )
    found = fields_of(render([no_id, unknown_id]))
    assert found["downloadllama"] == {
        "title": "Download {LLaMA} weights",
        "url": "https://example.org/llama.sh",
        "annote": "\\#\\# Download LLaMA weights",
    }
    assert found["arxiv230699999"]["date"] == "2023-06"  # from the id's YYMM
    assert found["arxiv230699999"]["eprint"] == "2306.99999"
    assert found["arxiv230699999"]["doi"] == "10.48550/arXiv.2306.99999"


def test_entries_are_online_and_one_blank_line_apart() -> None:
    text = render([fixture_record("a", "2304.02643", NOTE), fixture_record("b", "0704.0001", NOTE)])
    assert text.startswith("@online{a,\n") and text.count("\n}\n\n@online{b,\n") == 1
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert render([]) == ""


@given(st.text())
@example("작은 언어 모델 -- $(brew --prefix) 100% #1 ~ ^ _ & TEL !?\r\n\t  \n")
@example("x\n@misc{y,\n  title = {z}}\n@comment{")
def test_any_note_survives_bibtexparser_and_pybtex(note: str) -> None:
    text = render([fixture_record("a", "2304.02643", note)])
    assert decode(fields_of(text)["a"]["annote"]) == note
    assert decode(Parser().parse_string(text).entries["a"].fields["annote"]) == note
