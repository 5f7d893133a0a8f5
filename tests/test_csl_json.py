"""CSL-JSON output: Zotero's shape for arXiv preprints, valid against the CSL schema, notes exact.

The schema (tests/fixtures/csl/csl-data.json) is CSL 1.0.2's input schema; citeproc-py renders
the sample with a standard style shipped in tests/fixtures/csl/.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from hypothesis import example, given
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from note2bib.formats import RenderOptions, format_for
from note2bib.model import ArxivId, Name, Record

from arxiv_standin import load_entries
from fixture_papers import fixture_record, note_unit

CSL = Path(__file__).parent / "fixtures" / "csl"
SAMPLE = Path(__file__).parent.parent / "samples" / "notes.json"
SCHEMA = Draft7Validator(json.loads((CSL / "csl-data.json").read_text(encoding="utf-8")))
# Every recorded paper but the 2,833-author one (slow to render a thousand times).
PAPERS = sorted(set(load_entries()) - {"1411.4413"})


def render(records: list[Record], abstract: bool = False) -> str:
    return format_for("csl-json").render(records, RenderOptions(abstract=abstract))


def items(records: list[Record], abstract: bool = False) -> list[dict[str, Any]]:
    data = json.loads(render(records, abstract))
    SCHEMA.validate(data)
    assert isinstance(data, list)
    return data


def test_segment_anything_item_exactly() -> None:
    (item,) = items([fixture_record("kirillov2023segment", "2304.02643", "## SAM\n메모")])
    assert item == {
        "id": "kirillov2023segment",
        "citation-key": "kirillov2023segment",
        "type": "article",
        "title": "Segment Anything",
        "author": [
            {"family": "Kirillov", "given": "Alexander"},
            {"family": "Mintun", "given": "Eric"},
            {"family": "Ravi", "given": "Nikhila"},
            {"family": "Mao", "given": "Hanzi"},
            {"family": "Rolland", "given": "Chloe"},
            {"family": "Gustafson", "given": "Laura"},
            {"family": "Xiao", "given": "Tete"},
            {"family": "Whitehead", "given": "Spencer"},
            {"family": "Berg", "given": "Alexander C."},
            {"family": "Lo", "given": "Wan-Yen"},
            {"family": "Dollár", "given": "Piotr"},
            {"family": "Girshick", "given": "Ross"},
        ],
        "issued": {"date-parts": [[2023, 4, 5]]},
        "publisher": "arXiv",
        "number": "arXiv:2304.02643",
        "DOI": "10.48550/arXiv.2304.02643",
        "URL": "https://arxiv.org/abs/2304.02643",
        "source": "arXiv.org",
        "note": "arXiv:2304.02643 [cs.CV]",
        "annote": "## SAM\n메모",
    }


def test_output_is_utf8_json_with_a_final_newline() -> None:
    text = render([fixture_record("k", "2304.02643", "작은 메모")])
    assert "작은 메모" in text and "\\u" not in text
    assert text.endswith("}\n]\n")
    assert render([]) == "[]\n"


def test_notes_go_to_annote_and_never_to_note() -> None:
    # Zotero parses `Key: value` lines of `note` into fields: a note saying `Type: book`
    # would re-type the item there.
    note = "## x\nType: book\nAbstract: mine"
    (item,) = items([fixture_record("k", "2307.05300", note, "## again")])
    assert item["annote"] == note + "\n\n## again"
    assert item["note"] == "arXiv:2307.05300 [cs.AI]"


def test_date_is_version_1s_and_url_keeps_the_pinned_version() -> None:
    (item,) = items([fixture_record("k", "2307.05300", "x", pinned=2)])
    assert item["issued"] == {"date-parts": [[2023, 7, 11]]}  # v4 is from 2024
    assert item["URL"] == "https://arxiv.org/abs/2307.05300v2"
    assert item["number"] == "arXiv:2307.05300"


def test_published_paper_keeps_its_arxiv_identity() -> None:
    (item,) = items([fixture_record("k", "0704.0001", "x")])
    assert item["DOI"] == "10.1103/PhysRevD.76.013009"
    assert item["note"] == "arXiv:0704.0001 [hep-ph]\nJournal reference: Phys.Rev.D76:013009,2007"
    assert (item["type"], item["number"], item["publisher"]) == (
        "article",
        "arXiv:0704.0001",
        "arXiv",
    )
    assert "container-title" not in item  # a free-text journal-ref is not a journal title


def test_particles_stay_in_family_and_organisations_are_literal() -> None:
    people, org = items(
        [fixture_record("p", "1707.08567", "x"), fixture_record("o", "0704.0943", "x")]
    )
    assert {"family": "van der Sommen", "given": "Fons"} in people["author"]
    assert {"family": "de With", "given": "Peter H. N."} in people["author"]
    assert org["author"] == [{"literal": "LIGO Scientific Collaboration"}]


def test_abstract_only_when_asked_and_on_one_line() -> None:
    rec = fixture_record("k", "2304.02643", "x")
    assert "abstract" not in items([rec])[0]
    abstract = items([rec], abstract=True)[0]["abstract"]
    assert abstract.startswith("We introduce the Segment Anything (SA) project")
    assert "\n" not in abstract and "  " not in abstract


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
    document, article = items([no_id, unknown_id])
    assert document == {
        "id": "downloadllama",
        "citation-key": "downloadllama",
        "type": "document",
        "title": "Download LLaMA weights",
        "URL": "https://example.org/llama.sh",
        "annote": "## Download LLaMA weights",
    }
    assert article["issued"] == {"date-parts": [[2023, 6]]}  # from the id's YYMM
    assert (article["number"], article["DOI"]) == ("arXiv:2306.99999", "10.48550/arXiv.2306.99999")


def test_tags_authors_and_year_from_front_matter_are_valid_csl() -> None:
    tagged = Record(
        key="doeworkshop",
        units=(note_unit("## A Workshop Paper"),),
        authors=(Name("Doe", "Jane"),),
        year=2021,
        keywords=("machine learning", "NLP"),
    )
    paper = fixture_record("k", "2304.02643", "x")
    (item, paper_item) = items([tagged, replace(paper, keywords=("vision",))])
    assert item["author"] == [{"family": "Doe", "given": "Jane"}]
    assert item["issued"] == {"date-parts": [[2021]]}
    assert item["keyword"] == "machine learning, NLP"  # one string, as the schema says
    assert paper_item["keyword"] == "vision"


def test_every_recorded_paper_validates_against_the_schema() -> None:
    records = [fixture_record(f"k{i}", base, "x") for i, base in enumerate([*PAPERS, "1411.4413"])]
    assert len(items(records, abstract=True)) == len(records)


@given(
    note=st.text(),
    base=st.sampled_from(PAPERS),
    abstract=st.booleans(),
    pinned=st.none() | st.integers(1, 9),
)
@example(
    note="Type: book\nAbstract: x\n\x00\u2028\ud7a3", base="0704.0943", abstract=True, pinned=None
)
def test_any_note_and_paper_is_valid_csl_and_the_note_comes_back(
    note: str, base: str, abstract: bool, pinned: int | None
) -> None:
    unresolved = Record(key="u", units=(note_unit(note),))
    (paper, note_only) = items(
        [fixture_record("k", base, note, pinned=pinned), unresolved], abstract
    )
    assert paper["annote"] == note
    assert note_only["annote"] == note


@pytest.mark.filterwarnings("ignore:The following arguments for Reference are unsupported")
def test_citeproc_renders_the_sample_with_a_standard_style() -> None:
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    SCHEMA.validate(data)
    style = CitationStylesStyle(str(CSL / "elsevier-harvard.csl"), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(data), formatter.plain)
    for item in data:
        bibliography.register(Citation([CitationItem(item["id"])]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a reference citeproc cannot find would only warn
        rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == len(data)
    text = "\n".join(rendered)
    for item in data:
        assert item["title"] in text
        first = item.get("author", [{}])[0]
        assert first.get("family", first.get("literal", item["title"])) in text
