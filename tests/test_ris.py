"""RIS output for Zotero: every line `TAG  - value`, rispy reads every tag back, notes exact.

What Zotero does with each tag is written down in src/note2bib/formats/ris.py; the checks
here read the file the way Zotero's RIS import does: `N1` as note HTML, `AB` raw, every
other value through an HTML unescape.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import rispy
from hypothesis import example, given
from hypothesis import strategies as st

from note2bib.formats import RenderOptions, format_for
from note2bib.model import ArxivId, Record

from fixture_papers import fixture_record, note_unit

SAMPLE = Path(__file__).parent.parent / "samples" / "notes.ris"
LINE = re.compile(r"[A-Z][A-Z0-9]  - .*")
# Zotero's RIS.js (ProCiteCleaner.cleanTags) matches every N1 against this and, for keys
# like `Language` or `Notes`, turns the note into a field or cuts it.
ZOTERO_PROCITE_NOTE = re.compile(r"([A-Za-z,\s]+)\s*:\s*([\s\S]*)")
NBSP = "\N{NO-BREAK SPACE}"


def render(records: list[Record], abstract: bool = False) -> str:
    return format_for("ris").render(records, RenderOptions(abstract=abstract))


def read(text: str) -> list[dict[str, list[str]]]:
    """Every record as tag → values, by rispy, after checking that each line is `TAG  - value`."""
    lines = text.split("\n")
    assert lines.pop() == ""  # one final newline
    assert [line for line in lines if not LINE.fullmatch(line)] == []
    every_tag = {tag: tag for tag in {line[:2] for line in lines}}
    parsed = rispy.loads(text, mapping=every_tag, list_tags=list(every_tag))
    assert len(parsed) == sum(line == "ER  - " for line in lines)
    # rispy gives the start tag as a string, every other tag as a list.
    return [{tag: v if isinstance(v, list) else [v] for tag, v in r.items()} for r in parsed]


class _NoteText(HTMLParser):
    """Zotero note HTML → the text a reader sees: paragraphs a blank line apart, `<br/>` a break."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.paragraphs = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p":
            self.parts.append("\n\n" if self.paragraphs else "")
            self.paragraphs += 1
        elif tag == "br":
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def note_text(value: str) -> str:
    reader = _NoteText()
    reader.feed(value)
    reader.close()
    return "".join(reader.parts)


def zotero(value: str) -> str:
    """A non-note, non-abstract value as Zotero stores it (RIS.js runs unescapeHTML on it)."""
    return html.unescape(value)


def test_segment_anything_record_exactly() -> None:
    text = render([fixture_record("kirillov2023segment", "2304.02643", "## SAM\n메모 & <b>")])
    authors = [
        *("Kirillov, Alexander", "Mintun, Eric", "Ravi, Nikhila", "Mao, Hanzi"),
        *("Rolland, Chloe", "Gustafson, Laura", "Xiao, Tete", "Whitehead, Spencer"),
        *("Berg, Alexander C.", "Lo, Wan-Yen", "Dollár, Piotr", "Girshick, Ross"),
    ]
    assert text == (
        "TY  - MANSCPT\n"
        "TI  - Segment Anything\n" + "".join(f"AU  - {a}\n" for a in authors) + "PY  - 2023\n"
        "DA  - 2023/04/05/\n"
        "DO  - 10.48550/arXiv.2304.02643\n"
        "UR  - https://arxiv.org/abs/2304.02643\n"
        "PB  - arXiv\n"
        "DP  - arXiv.org\n"
        "KW  - cs.CV\n"
        "M2  - Type: preprint\n"
        f"M2  - Archive ID:{NBSP}arXiv:2304.02643\n"
        "M2  - Citation Key: kirillov2023segment\n"
        "M2  - arXiv:2304.02643 [cs.CV]\n"
        "N1  - <p>## SAM<br/>메모 &amp; &lt;b&gt;</p>\n"
        "ER  - \n"
    )


def test_one_n1_per_note_unit_each_exact() -> None:
    sections = ("## SAM\nline one\n\nparagraph two\n\n\nafter two blank lines", "## again\nx")
    (record,) = read(render([fixture_record("k", "2307.04725", *sections)]))
    assert [note_text(n) for n in record["N1"]] == list(sections)


def test_archive_id_uses_a_no_break_space() -> None:
    # With a normal space Zotero keeps the line in Extra (its value has a colon).
    (record,) = read(render([fixture_record("k", "2307.04725", "x")]))
    assert f"Archive ID:{NBSP}arXiv:2307.04725" in record["M2"]
    assert "Type: preprint" in record["M2"]


def test_published_paper_keeps_its_arxiv_identity() -> None:
    (record,) = read(render([fixture_record("k", "0704.0001", "x")]))
    assert record["DO"] == ["10.1103/PhysRevD.76.013009"]
    assert "Journal reference: Phys.Rev.D76:013009,2007" in record["M2"]
    assert f"Archive ID:{NBSP}arXiv:0704.0001" in record["M2"]
    assert record["TY"] == ["MANSCPT"]


def test_authors_one_per_line_last_name_first() -> None:
    people, org = read(
        render([fixture_record("p", "1707.08567", "x"), fixture_record("o", "0704.0943", "x")])
    )
    assert len(people["AU"]) == 34
    assert "van der Sommen, Fons" in people["AU"] and "de With, Peter H. N." in people["AU"]
    assert org["AU"] == ["LIGO Scientific Collaboration"]  # no comma: Zotero's single field


def test_categories_one_keyword_each_and_date_of_version_1() -> None:
    (record,) = read(render([fixture_record("k", "2307.05300", "x", pinned=2)]))
    assert record["KW"] == ["cs.AI"]
    assert (record["PY"], record["DA"]) == (["2023"], ["2023/07/11/"])  # v4 is from 2024
    assert record["UR"] == ["https://arxiv.org/abs/2307.05300v2"]


def test_abstract_only_when_asked_raw_and_on_one_line() -> None:
    rec = fixture_record("k", "2304.02643", "x")
    assert "AB" not in read(render([rec]))[0]
    (abstract,) = read(render([rec], abstract=True))[0]["AB"]
    assert abstract.startswith("We introduce the Segment Anything (SA) project")


def test_title_markup_reaches_zotero_as_text() -> None:
    heading = "## Issue #42: a <b>bold</b> & &amp; claim, 100% of $x<y$"
    (record,) = read(render([Record(key="k", units=(note_unit(heading),))]))
    assert zotero(record["TI"][0]) == heading.removeprefix("## ")
    (record,) = read(render([fixture_record("k", "2302.03287", "x")]))
    assert zotero(record["TI"][0]) == "ChatGPT and Software Testing Education: Promises & Perils"


def test_notes_are_never_read_as_procite_fields_by_zotero() -> None:
    notes = ("Language: Python", "Notes: keep this\nand this", "## x\n\nEdition: 2")
    (record,) = read(render([fixture_record("k", "2304.02643", *notes)]))
    assert all(ZOTERO_PROCITE_NOTE.search(n) is None for n in record["N1"])
    assert [note_text(n) for n in record["N1"]] == list(notes)


def test_unresolved_notes_are_generic_items() -> None:
    no_id = Record(
        key="downloadllama",
        units=(note_unit("## Download LLaMA weights", ("https://example.org/llama.sh",)),),
    )
    unknown_id = Record(
        key="arxiv230699999",
        units=(note_unit("## Thought Cloning\narXiv:2306.99999"),),
        arxiv_id=ArxivId("2306.99999"),
    )
    plain, with_id = read(render([no_id, unknown_id]))
    assert plain == {
        "TY": ["GEN"],
        "TI": ["Download LLaMA weights"],
        "UR": ["https://example.org/llama.sh"],
        "M2": ["Citation Key: downloadllama"],
        "N1": ["<p>## Download LLaMA weights</p>"],
    }
    assert with_id["PY"] == ["2023"] and with_id["DO"] == ["10.48550/arXiv.2306.99999"]


def test_every_tag_of_the_sample_reads_back() -> None:
    records = read(SAMPLE.read_text(encoding="utf-8"))
    assert len(records) == 9
    assert all({"TY", "TI", "N1"} <= set(r) for r in records)
    assert sum(r["TY"] == ["MANSCPT"] for r in records) == 7


@given(st.text())
@example("Language: Python\r\n\u2028\u2029\x85 <p>&amp;</p> &#58;\n\n\n  \t")
@example("")
def test_any_note_comes_back_exactly(note: str) -> None:
    (record,) = read(render([fixture_record("k", "2304.02643", note)]))
    (value,) = record["N1"]
    assert note_text(value) == note
    assert ZOTERO_PROCITE_NOTE.search(value) is None
