"""Real TeX Live: the .bib compiles with pdflatex + bibtex (natbib) and biber (biblatex).

Skipped when pdflatex, bibtex, biber or chicago-annote.bst are missing, unless
NOTE2BIB_REQUIRE_TEX=1 (then it fails). Records come from the fixture entries; notes are
either the seed's Korean notes (styles that do not print notes) or a Latin-script note with
every character that troubles BibTeX or LaTeX (pdflatex cannot print Hangul).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from note2bib.formats import RenderOptions, format_for
from note2bib.latex import decode
from note2bib.model import Record, Section
from note2bib.names import parse_name

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


@pytest.fixture(scope="module")
def tex() -> None:
    """TeX Live with bibtex, biber and chicago-annote.bst, or a skip (a failure if required)."""
    missing = [t for t in ("pdflatex", "bibtex", "biber", "kpsewhich") if not shutil.which(t)]
    if not missing:
        found = subprocess.run(
            ["kpsewhich", "chicago-annote.bst"], capture_output=True, text=True, check=False
        )
        missing = [] if found.stdout.strip() else ["chicago-annote.bst"]
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
                sections=(Section("notes.md", 1, note.split("\n", 1)[0], note),),
                arxiv_id=paper.id,
                paper=paper,
                authors=tuple(parse_name(a) for a in paper.authors),
            )
        )
    return out


def compile_document(
    workdir: Path, recs: Sequence[Record], preamble: str, bibliography: str, backend: str
) -> tuple[str, str, str]:
    """Write refs.bib and doc.tex, run pdflatex, the backend, pdflatex twice: (log, blg, bbl)."""
    bib = format_for("bibtex").render(recs, RenderOptions(abstract=True))
    (workdir / "refs.bib").write_text(bib, encoding="utf-8")
    cites = ",".join(r.key for r in recs)
    (workdir / "doc.tex").write_text(
        f"\\documentclass{{article}}\n{preamble}\n\\begin{{document}}\n"
        f"\\cite{{{cites}}}\n{bibliography}\n\\end{{document}}\n",
        encoding="utf-8",
    )
    latex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "doc"]
    for command in (latex, [backend, "doc"], latex, latex):
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


def assert_clean_bibtex(blg: str) -> None:
    assert "Warning--" not in blg, blg
    assert not re.search(r"error message|I couldn't|I was expecting", blg), blg


def braced_after(text: str, opener: str) -> list[str]:
    """Every balanced `{…}` value that follows `opener` in `text`."""
    values = []
    for m in re.finditer(re.escape(opener), text):
        depth, start = 1, m.end()
        for i in range(start, len(text)):
            depth += (text[i] == "{") - (text[i] == "}")
            if depth == 0:
                values.append(text[start:i])
                break
    return values


def read_back(value: str) -> str:
    # bibtex and biber collapse white space (and bibtex re-wraps lines): so does pybtex.
    return decode(" ".join(value.split()))


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
    assert_clean_bibtex(blg)
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
