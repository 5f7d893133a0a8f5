"""BibTeX output: entry shape, and every note read back exactly by bibtexparser and pybtex.

Papers are the recorded arXiv entries (tests/fixtures/arxiv/), parsed as a live answer is;
notes are sections of the seed notes.
"""

from __future__ import annotations

import bibtexparser
from hypothesis import example, given
from hypothesis import strategies as st
from pybtex.database import BibliographyData
from pybtex.database.input.bibtex import Parser

from note2bib.formats import RenderOptions, format_for
from note2bib.latex import decode
from note2bib.model import ArxivId, Paper, Record, Unit

from fixture_papers import fixture_paper, fixture_record, note_unit

SEGMENT_ANYTHING = fixture_paper("2304.02643")
# v4, first submitted in 2023, last revised in 2024.
COGNITIVE_SYNERGY = fixture_paper("2307.05300")
# A publisher DOI and a journal-ref.
DIPHOTON = fixture_paper("0704.0001")
# An organisation as the only author, two DOIs (the first is kept).
LIGO = fixture_paper("0704.0943")
# `&` in the title, two categories.
CHATGPT_TESTING = fixture_paper("2302.03287")

SEGMENT_NOTE = "## Segment Anything: \nhttps://arxiv.org/abs/2304.02643"
ANIMATEDIFF_NOTE = (
    "소스에서 확인한 내용\n1) 준비 사항\n- 인퍼런스에 약 60GB 필요, NVIDIA A100 추천 "
    "(개인용 GPU로는 불가....)\n- Motion 체크포인트 다운 : mm_sd_v15.ckpt , mm_sd_v14.ckpt "
    "(이게 이 논문에서 학습된 핵심 체크포인트 인 듯)\n2) 실행(인퍼런스) 명령\n"
    "- python -m scripts.animate --config "
    "configs/prompts/1-ToonYou.yaml"
)
LLAMA_DOWNLOAD_NOTE = (
    "## Download LLaMA from meta.\nTo download all model weights, then run this:\n\nLinux:\n"
    "```sh\ncurl -o- https://raw.githubusercontent.com/shawwn/llama-dl/"
    "56f50b96072f42fb2520b1ad5a1d6ef30351f23c/llama.sh | bash\n```\nMac:\n```sh\n"
    "brew install bash\ncurl -o- https://raw.githubusercontent.com/shawwn/llama-dl/"
    "56f50b96072f42fb2520b1ad5a1d6ef30351f23c/llama.sh | $(brew --prefix)/bin/bash\n```"
)
LLAMA_DOWNLOAD_LINK = (
    "https://raw.githubusercontent.com/shawwn/llama-dl/"
    "56f50b96072f42fb2520b1ad5a1d6ef30351f23c/llama.sh"
)
THOUGHT_CLONING_NOTE = (
    "## Thought Cloning: Learning to Think while Acting by Imitating Human Thinking "
    "(University of British Columbia, June 2023)\nPaper: https://arxiv.org/abs/2306.00323\n"
    'Abstract:\n"Language is often considered a key aspect of human thinking, providing us '
    "with exceptional abilities to generalize, explore, plan, replan, and adapt to new "
    'situations."\n- GitHub: https://github.com/ShengranHu/Thought-Cloning'
)


section = note_unit


def record(key: str, paper: Paper, *notes: str, pinned: int | None = None) -> Record:
    return fixture_record(key, paper.id.base, *notes, pinned=pinned)


def render(records: list[Record], abstract: bool = False) -> str:
    return format_for("bibtex").render(records, RenderOptions(abstract=abstract))


def parse_bibtexparser(text: str) -> dict[str, dict[str, str]]:
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    return {e.key: {f.key: f.value for f in e.fields} for e in library.entries}


def parse_pybtex(text: str) -> BibliographyData:
    # pybtex.errors is strict by default: a syntax error or duplicate field raises.
    return Parser().parse_string(text)


def test_segment_anything_entry_exactly() -> None:
    text = render([record("kirillov2023segment", SEGMENT_ANYTHING, SEGMENT_NOTE)])
    assert text == (
        "@misc{kirillov2023segment,\n"
        "  title = {Segment Anything},\n"
        "  author = {Kirillov, Alexander and Mintun, Eric and Ravi, Nikhila and Mao, Hanzi and "
        "Rolland, Chloe and Gustafson, Laura and Xiao, Tete and Whitehead, Spencer and "
        "Berg, Alexander C. and Lo, Wan-Yen and Doll{\\'a}r, Piotr and Girshick, Ross},\n"
        "  year = {2023},\n"
        "  month = apr,\n"
        "  eprint = {2304.02643},\n"
        "  archivePrefix = {arXiv},\n"
        "  eprinttype = {arxiv},\n"
        "  primaryClass = {cs.CV},\n"
        "  doi = {10.48550/arXiv.2304.02643},\n"
        "  url = {https://arxiv.org/abs/2304.02643},\n"
        "  publisher = {arXiv},\n"
        "  keywords = {cs.CV},\n"
        "  annote = {\\#\\# Segment Anything: $ $\nhttps://arxiv.org/abs/2304.02643}\n"
        "}\n"
    )


def test_field_order() -> None:
    fields = parse_bibtexparser(
        render([record("k", CHATGPT_TESTING, SEGMENT_NOTE)], abstract=True)
    )["k"]
    assert list(fields) == [
        "title",
        "author",
        "year",
        "month",
        "eprint",
        "archivePrefix",
        "eprinttype",
        "primaryClass",
        "doi",
        "howpublished",
        "url",
        "publisher",
        "keywords",
        "abstract",
        "annote",
    ]


def test_year_and_month_are_version_1s() -> None:
    fields = parse_pybtex(render([record("k", COGNITIVE_SYNERGY, SEGMENT_NOTE)])).entries["k"]
    assert fields.fields["year"] == "2023"  # v4 is from 2024
    assert fields.fields["month"] == "July"  # the `jul` macro, as every reader expands it


def test_publisher_doi_and_journal_ref() -> None:
    fields = parse_bibtexparser(render([record("k", DIPHOTON, SEGMENT_NOTE)]))["k"]
    assert fields["doi"] == "10.1103/PhysRevD.76.013009"
    assert fields["howpublished"] == "Phys.Rev.D76:013009,2007"
    assert fields["eprint"] == "0704.0001"
    assert fields["author"] == (
        "Bal{\\'a}zs, C. and Berger, E. L. and Nadolsky, P. M. and Yuan, C.-P."
    )


def test_arxiv_doi_when_no_publisher_doi() -> None:
    fields = parse_bibtexparser(render([record("k", SEGMENT_ANYTHING, SEGMENT_NOTE)]))["k"]
    assert fields["doi"] == "10.48550/arXiv.2304.02643"
    assert "howpublished" not in fields


def test_pinned_version_goes_to_url_only() -> None:
    fields = parse_bibtexparser(render([record("k", COGNITIVE_SYNERGY, SEGMENT_NOTE, pinned=2)]))[
        "k"
    ]
    assert fields["url"] == "https://arxiv.org/abs/2307.05300v2"
    assert fields["eprint"] == "2307.05300"
    assert fields["doi"] == "10.48550/arXiv.2307.05300"


def test_organisation_is_one_braced_author() -> None:
    text = render([record("k", LIGO, SEGMENT_NOTE)])
    assert "  author = {{LIGO Scientific Collaboration}},\n" in text
    persons = parse_pybtex(text).entries["k"].persons["author"]
    assert [str(p) for p in persons] == ["{LIGO Scientific Collaboration}"]


def test_title_protection_and_categories() -> None:
    fields = parse_bibtexparser(render([record("k", CHATGPT_TESTING, SEGMENT_NOTE)]))["k"]
    assert fields["title"] == "{ChatGPT} and Software Testing Education: Promises \\& Perils"
    assert fields["keywords"] == "cs.SE, cs.HC"
    assert fields["publisher"] == "arXiv"


def test_every_author_in_order_through_pybtex() -> None:
    for paper in (SEGMENT_ANYTHING, DIPHOTON, CHATGPT_TESTING):
        rec = record("k", paper, SEGMENT_NOTE)
        persons = parse_pybtex(render([rec])).entries["k"].persons["author"]
        assert len(persons) == len(paper.authors)
        for person, name in zip(persons, rec.authors, strict=True):
            assert decode(" ".join(person.prelast_names + person.last_names)) == " ".join(
                p for p in (name.prefix, name.family) if p
            )
            assert decode(" ".join(person.first_names + person.middle_names)) == name.given


def test_abstract_only_when_asked() -> None:
    rec = record("k", SEGMENT_ANYTHING, SEGMENT_NOTE)
    assert "abstract" not in parse_bibtexparser(render([rec]))["k"]
    abstract = parse_pybtex(render([rec], abstract=True)).entries["k"].fields["abstract"]
    assert decode(abstract).startswith("We introduce the Segment Anything (SA) project")


def test_two_notes_in_one_annote() -> None:
    rec = record("k", SEGMENT_ANYTHING, SEGMENT_NOTE, ANIMATEDIFF_NOTE)
    text = render([rec])
    assert text.count("annote = ") == 1
    assert (
        decode(parse_bibtexparser(text)["k"]["annote"]) == SEGMENT_NOTE + "\n\n" + ANIMATEDIFF_NOTE
    )


def test_unresolved_note_without_id() -> None:
    rec = Record(
        key="download2023",
        units=(section(LLAMA_DOWNLOAD_NOTE, links=(LLAMA_DOWNLOAD_LINK,)),),
    )
    text = render([rec])
    fields = parse_bibtexparser(text)["download2023"]
    assert list(fields) == ["title", "key", "url", "annote"]
    assert fields["title"] == "Download {LLaMA} from meta."
    assert fields["key"] == "Download LLaMA from meta."  # natbib's label when there is no author
    assert fields["url"] == LLAMA_DOWNLOAD_LINK
    assert decode(fields["annote"]) == LLAMA_DOWNLOAD_NOTE
    assert text.startswith("@misc{download2023,\n")


def test_unresolved_note_with_an_id_arxiv_did_not_answer() -> None:
    rec = Record(
        key="hu2023thought",
        units=(section(THOUGHT_CLONING_NOTE),),
        arxiv_id=ArxivId("2306.00323"),
    )
    fields = parse_bibtexparser(render([rec]))["hu2023thought"]
    assert fields == {
        "title": (
            "Thought Cloning: Learning to Think while Acting by Imitating Human Thinking "
            "(University of British Columbia, June 2023)"
        ),
        "key": "arXiv:2306.00323",
        "year": "2023",  # from the id's YYMM
        "eprint": "2306.00323",
        "archivePrefix": "arXiv",
        "eprinttype": "arxiv",
        "doi": "10.48550/arXiv.2306.00323",
        "url": "https://arxiv.org/abs/2306.00323",
        "annote": fields["annote"],
    }
    assert decode(fields["annote"]) == THOUGHT_CLONING_NOTE


def test_unsafe_characters_in_a_link_are_percent_encoded() -> None:
    rec = Record(
        key="k",
        units=(section("## x", links=("https://example.org/a{b}c\\d",)),),
    )
    assert parse_bibtexparser(render([rec]))["k"]["url"] == "https://example.org/a%7Bb%7Dc%5Cd"


def test_layout_and_determinism() -> None:
    records = [
        record("a", SEGMENT_ANYTHING, SEGMENT_NOTE),
        record("b", DIPHOTON, ANIMATEDIFF_NOTE),
        record("c", LIGO, THOUGHT_CLONING_NOTE),
    ]
    text = render(records)
    assert text == render(records)
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text.count("\n}\n\n@misc{") == 2
    assert list(parse_bibtexparser(text)) == ["a", "b", "c"]
    assert render([]) == ""


def test_notes_read_back_exactly_by_both_parsers() -> None:
    records = [
        record("a", SEGMENT_ANYTHING, SEGMENT_NOTE),
        record("b", COGNITIVE_SYNERGY, ANIMATEDIFF_NOTE, LLAMA_DOWNLOAD_NOTE),
        record("c", LIGO, THOUGHT_CLONING_NOTE),
    ]
    text = render(records)
    raw = parse_bibtexparser(text)
    collapsed = parse_pybtex(text)
    for rec in records:
        assert decode(raw[rec.key]["annote"]) == rec.note
        assert decode(collapsed.entries[rec.key].fields["annote"]) == rec.note


@given(st.text())
@example("\\input{/etc/passwd} } {{ \\")
@example("x\n@misc{y,\n  title = {z}}\n@comment{")
@example("작은 언어 모델 -- $(brew --prefix) 100% #1 ~ ^ _ &\r\n\t  \n")
@example("annote = {x},\nnote = y")
@example("x\n@(y)\n@  z")
def test_any_note_survives_bibtexparser_and_pybtex(note: str) -> None:
    rec = Record(key="k", units=(Unit("notes.md", 1, "h", note),), arxiv_id=None)
    text = render([record("a", SEGMENT_ANYTHING, note), rec])
    raw = parse_bibtexparser(text)
    collapsed = parse_pybtex(text)
    for key in ("a", "k"):
        assert decode(raw[key]["annote"]) == note
        assert decode(collapsed.entries[key].fields.get("annote", "")) == note
