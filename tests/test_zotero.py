"""Zotero's BibTeX import: every note arrives as its text, white space collapsed, no markup.

Zotero reads an `annote` with BibTeX.js `unescapeBibTeX` (tests/zotero_bibtex.py, checked
against Zotero's own code): it collapses every white-space run into one space, so a note
always arrives as one paragraph, and it keeps any macro it does not know as text. What it
cannot be given, whatever the BibTeX says, is written out in `as_zotero_shows`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from note2bib.formats import RenderOptions, format_for
from note2bib.library.merge import add_note
from note2bib.model import Record, Unit

from zotero_bibtex import JS_SPACE, braced_values, note_text

SAMPLES = Path(__file__).parent.parent / "samples"


def as_zotero_shows(note: str) -> str:
    """The note as Zotero can show it at best: one paragraph, and these limits of its import.

    - `~` becomes U+223C (the tilde operator): Zotero's table turns `\\~` into it and every
      bare `~` into a space, so no BibTeX reaches Zotero as `~`.
    - `\\` stays `\\textbackslash`: LaTeX prints a backslash only from a macro with letters
      (`\\\\` is a line break), and Zotero keeps a macro that is not in its table as text.
    - A brace that pairs with no other stays `\\textbraceleft`/`\\textbraceright`: Zotero reads
      `\\{` as `{`, but BibTeX counts it as a brace where bibtexparser does not.
    - White space other than space, line end, tab and no-break space, and control characters,
      stay `\\symbolN` (N the code point).
    - A blank note makes no Zotero note; a value of one character is kept as written (so a
      note that is one no-break space arrives as `~`).
    """
    if note == "\xa0":
        return "~"
    paired = _paired(note)
    out = []
    for i, c in enumerate(note):
        space = "" if i == len(note) - 1 else " "  # a macro ends with a space, or `{}` at the end
        if c == "~":
            out.append("\u223c")
        elif c == "\\":
            out.append("\\textbackslash" + space)
        elif c in "{}" and i not in paired:
            out.append(("\\textbraceleft" if c == "{" else "\\textbraceright") + space)
        elif c not in " \n\t\xa0" and (c.isspace() or unicodedata.category(c) == "Cc"):
            out.append(f"\\symbol{ord(c)}")
        else:
            out.append(c)
    text = JS_SPACE.sub(" ", "".join(out))
    return "" if text == " " else text


def _paired(s: str) -> set[int]:
    """The braces of `s` that pair up, as TeX pairs them."""
    paired, opened = set(), []
    for i, c in enumerate(s):
        if c == "{":
            opened.append(i)
        elif c == "}" and opened:
            paired.update((opened.pop(), i))
    return paired


@pytest.mark.parametrize("name", ["notes.bib", "notes.biblatex.bib"])
def test_every_sample_note_arrives_as_its_text(name: str) -> None:
    # The CSL-JSON sample holds each note exactly; the BibTeX samples hold it encoded.
    notes = {
        item["id"]: item["annote"] for item in json.loads((SAMPLES / "notes.json").read_text())
    }
    bib = (SAMPLES / name).read_text(encoding="utf-8")
    keys = re.findall(r"(?m)^@\w+\{([^,]+),", bib)
    annotes = braced_values(bib, "annote")
    assert len(annotes) == len(keys) == len(notes)
    for key, annote in zip(keys, annotes, strict=True):
        assert note_text(annote) == as_zotero_shows(notes[key]), key
        assert "\\" not in note_text(annote)  # these notes have no backslash, `~` aside


# Pieces of real notes: Korean, code, LaTeX-looking text, braces, `%`, `$`, backticks,
# indentation, blank lines, tabs, and what Zotero's table maps (`--`, `''`, `TEL`, `$\#$` …).
PIECES = st.sampled_from(
    [
        "작은 언어 모델",
        "## 비교 메모: 편집 vs 생성",
        "\\mathcal{L}_{\\text{KL}}",
        "$x^2$",
        "$\\alpha$",
        "{",
        "}",
        "{x}",
        "%",
        "50% & 100%",
        "`",
        "```sh",
        "``q''",
        "~$0.40",
        "^",
        "a_b",
        "\\",
        "#",
        "$",
        "$(brew --prefix)",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\n  - ",
        "\t",
        "\xa0",
        "TEL",
        "!! ?! --- -- '''",
        "@misc{x,",
        "key = value",
        "\\input{/etc/passwd}",
        "\\textit{x}",
        "\\url{x}",
        "$_{2}$",
        "{\\'e}",
        "<b>&amp;",
        "\u3000",
    ]
)
NOTES = st.lists(st.one_of(PIECES, st.text(max_size=3)), max_size=25).map("".join)


@given(NOTES)
@example("## Segment Anything\n비용: 50% & 100% 각각 ~$0.40 / ~$1.10 (#추정).\n\n  - 코드")
@example("\t#\n$%<$\t")
@example("{\\textit{x}}\n{{}}\n$ $\n{~}")
def test_any_note_arrives_as_its_text(note: str) -> None:
    for fmt in ("bibtex", "biblatex"):
        record = Record(key="k", units=(Unit("notes.md", 1, "h", note),))
        (annote,) = braced_values(format_for(fmt).render([record], RenderOptions()), "annote")
        assert note_text(annote) == as_zotero_shows(note)


def test_notes_added_to_an_annote_arrive_as_one_text() -> None:
    entry = add_note(add_note("@misc{a}", "first\nnote") or "", "second\n\n  note") or ""
    (annote,) = braced_values(entry, "annote")
    assert note_text(annote) == "first note second note"
