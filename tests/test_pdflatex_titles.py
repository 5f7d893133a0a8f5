"""Titles and names in the ASCII-safe BibTeX: what pdflatex cannot print arrives transliterated.

A note headed in Hangul that arXiv cannot resolve is titled by its heading; pdflatex with
natbib stopped on "Unicode character 비 (U+BE44) not set up for use with LaTeX". Letters
pdflatex prints from LaTeX (`{\\'a}`, `{\\L}`, `{$\\omega$}`) stay LaTeX; the rest
(Hangul, CJK, Cyrillic, ą: T1 fonts only) become ASCII, and the note keeps the original.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pylatexenc.latexencode import get_builtin_uni2latex_dict
from test_tex import (
    assert_clean_bibtex,
    assert_clean_latex,
    compile_document,
    tex,  # noqa: F401  (the fixture that skips without TeX Live)
)

from note2bib.formats import RenderOptions, format_for
from note2bib.latex import _encode_inline_char, decode, encode_name_part, encode_title
from note2bib.model import ArxivId, Record, Unit
from note2bib.names import parse_name

from fixture_papers import fixture_paper

TABLE = Path(__file__).parent.parent / "src" / "note2bib" / "pdflatex_prints.txt"
HEADING = "비교 메모: 편집 vs 생성"
NOTE = f"## {HEADING}\nAnimateDiff는 생성, LEDITS는 편집."


def unresolved(heading: str, key: str, arxiv_id: str | None = None) -> Record:
    section = Unit("notes.md", 1, heading, f"## {heading}\nAnimateDiff는 생성, LEDITS는 편집.")
    return Record(key=key, units=(section,), arxiv_id=ArxivId(arxiv_id) if arxiv_id else None)


def with_authors(key: str, *names: str) -> Record:
    """A recorded paper, its authors replaced by names as arXiv's feed could give them."""
    paper = fixture_paper("2304.02643")
    return Record(
        key=key,
        units=(Unit("notes.md", 1, paper.title, "A note."),),
        arxiv_id=paper.id,
        paper=paper,
        authors=tuple(parse_name(n) for n in names),
    )


def test_an_unresolved_hangul_heading_is_an_ascii_title() -> None:
    bib = format_for("bibtex").render([unresolved(HEADING, "k")], RenderOptions())
    title = re.search(r"title = \{(.*)\},", bib)
    assert title is not None and title.group(1) == "Bigyo Memo: Pyeonjib vs Saengseong"
    assert "key = {Bigyo Memo: Pyeonjib vs Saengseong}" in bib
    assert decode(re.search(r"annote = \{(.*)\}\n\}", bib, re.S).group(1)) == NOTE  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "ascii"),
    [
        ("비교 메모: 편집 vs 생성", "Bigyo Memo: Pyeonjib vs Saengseong"),
        ("注意力机制", "Zhuyilijizhi"),
        ("Внимание МГУ", "Vnimanie {MGU}"),
        ("Dąbrowski «x» þ", "Dabrowski <<x>> th"),
        ("Doll\u00e1r Łukasz ω", "Doll{\\'a}r {\\L}ukasz {$\\omega$}"),
    ],
)
def test_bibtex_titles_are_ascii_that_pdflatex_prints(text: str, ascii: str) -> None:
    assert encode_title(text, math=False) == ascii
    assert encode_title(text, ascii=False) != ascii  # biblatex keeps UTF-8


def test_names_pdflatex_cannot_print_are_transliterated() -> None:
    assert encode_name_part("김") == "Gim"
    assert encode_name_part("Дмитрий") == "Dmitriy"
    assert encode_name_part("Łukasz") == "{\\L}ukasz"
    assert encode_name_part("김", ascii=False) == "김"


@pytest.mark.tex
@pytest.mark.usefixtures("tex")
def test_pdflatex_and_bibtex_print_titles_and_names_in_any_script(tmp_path: Path) -> None:
    recs = [
        unresolved(HEADING, "hangul"),
        unresolved("注意力机制の研究", "cjk"),
        unresolved("Внимание", "cyrillic", "2306.99998"),
        with_authors("names", "김철수", "Дмитрий Иванов", "Łukasz Dąbrowski", "张伟"),
    ]
    log, blg, _ = compile_document(
        tmp_path,
        recs,
        "\\usepackage{natbib}\n\\usepackage{url}",
        "\\bibliographystyle{plainnat}\n\\bibliography{refs}",
        "bibtex",
    )
    assert (tmp_path / "refs.bib").read_text(encoding="utf-8").split("annote")[0].isascii()
    assert_clean_bibtex(blg, frozenset({"empty year in hangul", "empty year in cjk"}))
    assert_clean_latex(log)
    assert "not set up for use with LaTeX" not in log
    if shutil.which("pdftotext"):
        subprocess.run(["pdftotext", "-raw", "doc.pdf"], cwd=tmp_path, check=True)
        text = " ".join((tmp_path / "doc.txt").read_text(encoding="utf-8").split())
        assert "Bigyo Memo: Pyeonjib vs Saengseong" in text
        assert all(name in text for name in ("Gimcheolsu", "Ivanov", "Dabrowski", "Zhangwei"))


@pytest.mark.tex
@pytest.mark.usefixtures("tex")
def test_the_table_of_what_pdflatex_prints_is_measured(tmp_path: Path) -> None:
    # Every character pylatexenc has LaTeX for, typeset in a default document, in batches:
    # the table holds exactly those pdflatex printed without an error or a missing glyph.
    printed = []
    points = sorted(cp for cp in get_builtin_uni2latex_dict() if cp > 127)
    for start in range(0, len(points), 60):
        batch = points[start : start + 60]
        # The LaTeX the codec writes for the character before any transliteration.
        forms = [_encode_inline_char(chr(cp), True) for cp in batch]
        lines = [f"\\typeout{{@@{cp:05X}}}{f}\\par" for cp, f in zip(batch, forms, strict=True)]
        (tmp_path / "c.tex").write_text(
            "\\documentclass{article}\n\\begin{document}\n"
            + "\n".join(lines)
            + "\n\\end{document}\n"
        )
        pdflatex = ["pdflatex", "-interaction=nonstopmode", "-no-shell-escape", "c"]
        subprocess.run(pdflatex, cwd=tmp_path, capture_output=True, check=False)
        log = (tmp_path / "c.log").read_text(encoding="latin-1")
        parts = re.split(r"@@([0-9A-F]{5})\n", log)
        assert len(parts) == 2 * len(batch) + 1, "pdflatex stopped before the end of a batch"
        for number, after in zip(parts[1::2], parts[2::2], strict=True):
            if not re.search(r"^!|Missing character", after, re.M):
                printed.append(int(number, 16))
    ranges = _ranges(printed)
    if os.environ.get("NOTE2BIB_REGENERATE") == "1":
        header = "".join(
            line + "\n" for line in TABLE.read_text().splitlines() if line.startswith("#")
        )
        rows = [" ".join(ranges[i : i + 10]) for i in range(0, len(ranges), 10)]
        TABLE.write_text(header + "\n".join(rows) + "\n")
    table = [
        span
        for line in TABLE.read_text().splitlines()
        if not line.startswith("#")
        for span in line.split()
    ]
    assert table == ranges


def _ranges(points: list[int]) -> list[str]:
    spans: list[list[int]] = []
    for cp in sorted(points):
        if spans and spans[-1][1] == cp - 1:
            spans[-1][1] = cp
        else:
            spans.append([cp, cp])
    return [f"{a:04X}" if a == b else f"{a:04X}-{b:04X}" for a, b in spans]
