"""Real TeX Live: BibTeX output compiles with pdflatex + bibtex (natbib) and biber, biblatex
output with biber, including styles that print the notes (chicago-annote, biblatex `reading`).

Skipped when pdflatex, bibtex, biber, chicago-annote.bst or reading.bbx are missing, unless
NOTE2BIB_REQUIRE_TEX=1 (then it fails). Records come from the fixture entries; notes are
either the seed's Korean notes (styles that do not print notes) or a Latin-script note with
every character that troubles BibTeX or LaTeX (pdflatex cannot print Hangul).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import pytest

from note2bib.formats import RenderOptions, format_for
from note2bib.latex import decode
from note2bib.model import ArxivId, Record, Unit
from note2bib.names import parse_name

from bbl import braced_after, read_back
from fixture_papers import fixture_paper

pytestmark = pytest.mark.tex


# Titles with `%` (0704.0312), `&` (2302.03287), `$…$` (2306.03845, 1411.4413); names with
# accents, ß, ø, å, particles and hyphens; an organisation; journal-refs and publisher DOIs.
FIXTURE_IDS = [
    "2304.02643",
    "2302.13971",
    "2307.04725",
    "0704.0001",
    "0704.0312",
    "0704.0943",
    "1607.08199",
    "1702.00249",
    "1707.08567",
    "2302.03287",
    "2306.03845",
    "2602.15552",
    "hep-th/9901001",
]
# 2,833 authors: bibtex takes it in a second, biber needs about 40 s, so only bibtex gets it.
BIG = "1411.4413"

LATIN_NOTE = (
    "## Every troublesome character -- in one note\n"
    "Braces { unbalanced } } and a backslash \\ with \\input{/etc/passwd} and \\end{document}\n"
    "100% #1 & $5 a_b ~ ^ `` '' !` ?` !! ?! << >> ,, \"quoted\"\n"
    "~$0.40 / ~$1.10\t#2, {paired {braces}} and $x^2$\n"
    "  indented = value\n"
    "key = value, as in pasted code\n"
    "@misc{x,\n"
    "@(y) and @  z\n"
    "\ttab, two  spaces and a trailing space \n"
    "\n"
    "last line }"
)
KOREAN_NOTE = (
    "## Do We Still Need Clinical Language Models?\n"
    "작은 언어 모델을 특정 도메인(의료 분야)의 텍스트 데이터만으로 바닥부터 학습한 게 가장 "
    "성능이 좋다는 연구입니다.\n\n"
    "  - 논문 https://arxiv.org/abs/2302.08091\n"
    "python -m scripts.animate --config configs/prompts/1-ToonYou.yaml\n"
    "curl -o- https://x/llama.sh | $(brew --prefix)/bin/bash"
)


# A title typed by the user (an arXiv id arXiv did not answer for): `#`, `%`, `&`, `$…$`.
SPECIAL_TITLE = "Issue #42: 100% & $x^2$ of it"


@pytest.fixture(scope="module")
def tex() -> None:
    """TeX Live with bibtex, biber, chicago-annote and biblatex's reading style, or a skip."""
    missing = [t for t in ("pdflatex", "bibtex", "biber", "kpsewhich") if not shutil.which(t)]
    if not missing:
        files = ("chicago-annote.bst", "reading.bbx")
        found = subprocess.run(["kpsewhich", *files], capture_output=True, text=True, check=False)
        missing = [f for f in files if f not in found.stdout]
    if missing:
        message = f"TeX Live incomplete: {', '.join(missing)} not found"
        if os.environ.get("NOTE2BIB_REQUIRE_TEX") == "1":
            pytest.fail(message)
        pytest.skip(message)


def records(names: Sequence[str], note: str) -> list[Record]:
    out = []
    for i, name in enumerate(names):
        paper = fixture_paper(name)
        out.append(
            Record(
                key=f"k{i}",
                units=(Unit("notes.md", 1, note.split("\n", 1)[0], note),),
                arxiv_id=paper.id,
                paper=paper,
                authors=tuple(parse_name(a) for a in paper.authors),
            )
        )
    # An unresolved entry, titled by the user's heading, with every special in it.
    out.append(
        Record(
            key="unresolved",
            units=(Unit("notes.md", 1, SPECIAL_TITLE, note),),
            arxiv_id=ArxivId("2306.99999"),
        )
    )
    return out


def compile_document(
    workdir: Path,
    recs: Sequence[Record],
    preamble: str,
    bibliography: str,
    backend: str,
    fmt: str = "bibtex",
) -> tuple[str, str, str]:
    """Write refs.bib and doc.tex, run pdflatex, the backend, pdflatex twice: (log, blg, bbl)."""
    bib = format_for(fmt).render(recs, RenderOptions(abstract=True))
    (workdir / "refs.bib").write_text(bib, encoding="utf-8")
    cites = ",".join(r.key for r in recs)
    (workdir / "doc.tex").write_text(
        f"\\documentclass{{article}}\n{preamble}\n\\begin{{document}}\n"
        f"\\cite{{{cites}}}\n{bibliography}\n\\end{{document}}\n",
        encoding="utf-8",
    )
    latex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "doc"]
    for command in (latex, [*backend.split(), "doc"], latex, latex):
        done = subprocess.run(command, cwd=workdir, capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"{command[0]} failed:\n{done.stdout[-3000:]}"

    def read(suffix: str) -> str:
        return (workdir / f"doc.{suffix}").read_text(encoding="utf-8", errors="replace")

    return read("log"), read("blg"), read("bbl")


def assert_clean_latex(log: str) -> None:
    assert not re.search(r"^!", log, re.M), log
    assert "undefined" not in log.lower(), re.findall(r".*undefined.*", log, re.I)
    assert "/etc/passwd" not in log  # the note's \input was never run
    assert "Output written on doc.pdf" in log


def assert_clean_bibtex(blg: str, allowed: frozenset[str] = frozenset()) -> None:
    assert set(re.findall(r"^Warning--(.*)$", blg, re.M)) <= allowed, blg
    assert not re.search(r"error message|I couldn't|I was expecting", blg), blg


def test_plainnat_with_bibtex(tex: None, tmp_path: Path) -> None:
    recs = records([*FIXTURE_IDS, BIG], KOREAN_NOTE)
    log, blg, bbl = compile_document(
        tmp_path,
        recs,
        "\\usepackage{natbib}\n\\usepackage{url}",
        "\\bibliographystyle{plainnat}\n\\bibliography{refs}",
        "bibtex",
    )
    assert_clean_bibtex(blg)
    assert_clean_latex(log)
    assert bbl.count("\\bibitem") == len(recs)


def test_notes_print_as_inert_text_with_chicago_annote(tex: None, tmp_path: Path) -> None:
    recs = records(FIXTURE_IDS, LATIN_NOTE)
    log, blg, bbl = compile_document(
        tmp_path,
        recs,
        "\\usepackage{natbib}\n\\usepackage{url}",
        "\\bibliographystyle{chicago-annote}\n\\bibliography{refs}",
        "bibtex",
    )
    # The one entry without authors (an id arXiv did not answer for) is all it may warn about.
    assert_clean_bibtex(blg, frozenset({"no author, editor, or organization in unresolved"}))
    assert_clean_latex(log)
    printed = re.findall(r"\\begin\{quotation\}\\noindent (.*?) \\end\{quotation\}", bbl, re.S)
    assert len(printed) == len(recs)
    assert all(read_back(p) == LATIN_NOTE for p in printed)


@pytest.mark.parametrize("note", [KOREAN_NOTE, LATIN_NOTE], ids=["korean", "latin"])
def test_biblatex_with_biber(tex: None, tmp_path: Path, note: str) -> None:
    recs = records(FIXTURE_IDS, note)
    log, blg, bbl = compile_document(
        tmp_path,
        recs,
        "\\usepackage[backend=biber]{biblatex}\n\\addbibresource{refs.bib}",
        "\\printbibliography",
        "biber",
    )
    assert not re.search(r"\b(WARN|ERROR)\b", blg), blg
    assert_clean_latex(log)
    # biber copies every field into the .bbl, notes included: they must come back whole.
    annotations = braced_after(bbl, "\\field{annotation}{")
    assert len(annotations) == len(recs)
    assert all(read_back(a) == note for a in annotations)


BIBLATEX = "\\usepackage[backend=biber{style}]{{biblatex}}\n\\addbibresource{{refs.bib}}"


def assert_clean_biber(blg: str) -> None:
    assert not re.search(r"\b(WARN|ERROR)\b", blg), blg


@pytest.mark.parametrize(
    ("note", "style"),
    [(KOREAN_NOTE, ""), (LATIN_NOTE, ""), (LATIN_NOTE, ",style=reading")],
    ids=["korean", "latin", "latin-reading"],
)
def test_biblatex_output_with_biber(tex: None, tmp_path: Path, note: str, style: str) -> None:
    recs = records(FIXTURE_IDS, note)
    log, blg, bbl = compile_document(
        tmp_path, recs, BIBLATEX.format(style=style), "\\printbibliography", "biber", "biblatex"
    )
    assert_clean_biber(blg)
    assert_clean_latex(log)  # with `reading`, LaTeX typeset every note
    annotations = braced_after(bbl, "\\field{annotation}{")
    assert len(annotations) == len(recs)
    assert all(read_back(a) == note for a in annotations)
    # Names and titles reach biber as UTF-8, not as LaTeX accents.
    assert "family={Dollár}" in bbl and "Épijournal de Géométrie Algébrique" in bbl
    title = braced_after(bbl, "\\field{title}{")
    assert any(decode(t) == SPECIAL_TITLE for t in title), title


def test_biber_gives_notes_back_in_nfc(tex: None, tmp_path: Path) -> None:
    # Decomposed text (as macOS file names paste it) comes back composed: biber normalises
    # every field to NFC. The text is canonically equivalent; the code points differ.
    note = "## Cafe\u0301 \u1112\u1161\u11ab\u1100\u1173\u11af"
    recs = records(["2304.02643"], note)
    _, blg, bbl = compile_document(
        tmp_path, recs, BIBLATEX.format(style=""), "\\printbibliography", "biber", "biblatex"
    )
    assert_clean_biber(blg)
    annotations = braced_after(bbl, "\\field{annotation}{")
    assert [read_back(a) for a in annotations] == [unicodedata.normalize("NFC", note)] * len(recs)
    assert unicodedata.normalize("NFC", note) == "## Café 한글" != note
