"""A note as written in a notes file comes back exactly from every output format."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import bibtexparser
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from test_markdown import body_lines
from test_ris import note_text
from test_ris import read as read_ris

from note2bib.arxiv.cache import Cache
from note2bib.arxiv.ids import find_arxiv_ids
from note2bib.latex import decode
from note2bib.notes.parts import is_part_heading
from note2bib.notes.sources import NotesText
from note2bib.pipeline import ExportOptions, export

from fixture_papers import fixture_paper

PAPER = "2304.02643"
FORMATS = ("bibtex", "biblatex", "ris", "csl-json")


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache holding the one recorded paper the notes name, so export runs offline."""
    folder = tmp_path_factory.mktemp("cache")
    with Cache(folder) as cache:
        cache.put_many([fixture_paper(PAPER)])
    return folder


def annotes(text: str, format: str) -> list[str]:
    """Each entry's note, in order, read back as each format's own readers read it."""
    if format in ("bibtex", "biblatex"):
        library = bibtexparser.parse_string(text)
        assert library.failed_blocks == []
        return [decode(e.fields_dict["annote"].value) for e in library.entries]
    if format == "ris":
        return [note_text(record["N1"][0]) for record in read_ris(text)]
    return [item["annote"] for item in json.loads(text)]


_line = st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=40)
# Notes that name no paper of their own (an id or a link would make another entry).
_body = body_lines.filter(lambda lines: not any(find_arxiv_ids(line) for line in lines))


@given(
    headings=st.tuples(_line, _line),
    bodies=st.tuples(_body, _body),
    end=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
)
@example(
    headings=("SAM: \\input{/etc/passwd} }{", "@misc{x, title={y}}"),
    bodies=(["\\def\\x{1} \\catcode`\\{=12 %", "see <p>&amp;</p> <br/>"], ["\\end{document}"]),
    end="\r\n",
    bom=True,
)
def test_a_note_comes_back_exactly_from_every_format(
    warm_cache: Path,
    headings: tuple[str, str],
    bodies: tuple[list[str], list[str]],
    end: str,
    bom: bool,
) -> None:
    # One note about the cached paper, one that names no paper (kept with its note). A part's
    # heading ("Summary", "Code") under a paper's would make the file one note about it.
    assume(not is_part_heading(headings[1]))
    notes = [
        [f"## {headings[0]}", *bodies[0], f"arXiv:{PAPER}"],
        [f"## {headings[1]}", *bodies[1], "메모 끝"],
    ]
    text = ("\ufeff" if bom else "") + end.join(line for note in notes for line in note) + end
    options = ExportOptions(cache_dir=warm_cache, offline=True, search=False)
    for format in FORMATS:
        result = export([NotesText("notes.md", text)], replace(options, format=format))
        assert [r.arxiv_id is not None for r in result.records] == [True, False]
        assert annotes(result.text, format) == ["\n".join(note) for note in notes], format


@pytest.mark.parametrize("format", FORMATS)
def test_each_note_of_a_paper_comes_back_with_its_heading_path_in_every_format(
    warm_cache: Path, format: str
) -> None:
    # SAM: an item of a list under "2023 > Segmentation", and the paragraph of another note
    # that cites it; a paper known by its title only, its item under the same path.
    text = (
        "# Reading list\n## 2023\n### Segmentation\n"
        f"- [Segment Anything](https://arxiv.org/abs/{PAPER})\n  - promptable, SA-1B\n"
        "- [Mean teachers are better role models](https://papers.nips.cc/paper/6719)\n"
        "### Editing\n"
        "#### LEDITS\n"
        "paper: https://arxiv.org/abs/2307.00522\n"
        f"Masks from SAM ({PAPER}) would help.\n"
    )
    options = ExportOptions(cache_dir=warm_cache, offline=True, search=False, format=format)
    result = export([NotesText("notes.md", text)], options)
    sam = next(r for r in result.records if r.arxiv_id is not None and r.arxiv_id.base == PAPER)
    assert [u.kind for u in sam.units] == ["item", "mention"]
    expected = [
        "2023 \u203a Segmentation\n"
        f"- [Segment Anything](https://arxiv.org/abs/{PAPER})\n  - promptable, SA-1B",
        "2023 \u203a Editing \u203a LEDITS\n"
        f"paper: https://arxiv.org/abs/2307.00522\nMasks from SAM ({PAPER}) would help.",
    ]
    if format == "ris":  # one N1 per note
        (record,) = [r for r in read_ris(result.text) if r["TI"][0].startswith("Segment")]
        assert [note_text(n) for n in record["N1"]] == expected
    else:
        assert annotes(result.text, format)[0] == "\n\n".join(expected)
    titled = next(r for r in result.records if r.arxiv_id is None)
    assert (titled.title, titled.url) == (
        "Mean teachers are better role models",
        "https://papers.nips.cc/paper/6719",
    )
