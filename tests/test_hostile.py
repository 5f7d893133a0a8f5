"""Note text written to attack LaTeX, BibTeX or a reader of the output (`\\input{/etc/passwd}`,
`\\write18`, `\\catcode`, `\\def`, `\\end{document}`, unbalanced and 10,000 nested braces, a
`@misc{` of its own) is inert text in every format: it comes back exactly from the readers,
and a note-printing style typesets it as text with nothing executed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import bibtexparser
import pytest
from click.testing import CliRunner
from pybtex.database import parse_string as pybtex_parse
from test_ris import note_text, read
from test_tex import (
    BIBLATEX,
    assert_clean_biber,
    compile_document,
    records,
    tex,  # noqa: F401  (the fixture that skips without TeX Live)
)

from note2bib.cli import main
from note2bib.latex import decode

from arxiv_standin import ArxivStandin
from bbl import braced_after, read_back

# ASCII only, so pdflatex can print it. Each line is one attack; the heading is one too.
HOSTILE = (
    "## Hostile \\input{/etc/passwd} \\end{document} heading }{\n"
    "https://arxiv.org/abs/2304.02643\n"
    "\\input{/etc/passwd} \\include{/etc/passwd} \\InputIfFileExists{/etc/passwd}{}{}\n"
    "\\immediate\\write18{touch pwned-write18} \\write18{touch pwned}\n"
    "\\catcode`\\{=12 \\catcode`\\%=11 \\makeatletter\n"
    "\\def\\x{DEFINED}\\x \\gdef\\y#1{#1} \\let\\section\\relax\n"
    "\\end{document}\n"
    "unbalanced } and { and }}} {{{ \\{ \\}\n"
    "@comment{ this is not a comment\n"
    "@misc{evil, title = {Injected entry}}\n"
    "}, annote = {injected field}, title = {x\n"
    "% not a comment # $ & _ ^ ~ \\\\\n" + "{" * 10_000 + "deep" + "}" * 10_000
)
MARKER = "MARKER-AFTER-THE-BIBLIOGRAPHY"
# Lines of the note as the PDF shows them when they are typeset as text (and not run).
PRINTED = (
    "\\input{/etc/passwd}",
    "\\immediate\\write18{touch pwned-write18}",
    "\\def\\x{DEFINED}\\x",
    "\\end{document}",
    "unbalanced } and { and }}} {{{ \\{ \\}",
    "@misc{evil, title = {Injected entry}}",
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def export(fmt: str, notes: Path) -> str:
    result = CliRunner().invoke(main, ["export", "-f", fmt, str(notes)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture
def notes(arxiv_standin: ArxivStandin, tmp_path: Path) -> Path:
    path = tmp_path / "notes.md"
    path.write_text(HOSTILE, encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_bibtexparser_and_pybtex_read_back_exactly_the_note_and_one_entry(
    notes: Path, fmt: str
) -> None:
    text = export(fmt, notes)
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    assert [e.key for e in library.entries] == ["kirillov2023segment"]
    assert decode(library.entries[0].fields_dict["annote"].value) == HOSTILE
    # pybtex collapses white space, as bibtex does; the note has no runs of it.
    (entry,) = pybtex_parse(text, "bibtex").entries.values()
    assert decode(entry.fields["annote"]) == HOSTILE


def test_csl_json_and_ris_give_back_exactly_the_note(notes: Path) -> None:
    (item,) = json.loads(export("csl-json", notes))
    assert item["annote"] == HOSTILE
    (record,) = read(export("ris", notes))
    assert [note_text(n) for n in record["N1"]] == [HOSTILE]


def test_a_hostile_heading_is_a_plain_title(arxiv_standin: ArxivStandin, tmp_path: Path) -> None:
    # A note arXiv cannot resolve: its heading becomes the entry's title and key field.
    path = tmp_path / "notes.md"
    path.write_text(HOSTILE.replace("https://arxiv.org/abs/2304.02643", "no link"))
    result = CliRunner().invoke(main, ["export", "--no-search", str(path)])
    assert result.exit_code == 0, result.stderr
    library = bibtexparser.parse_string(result.stdout)
    assert library.failed_blocks == []
    (entry,) = library.entries
    title = "Hostile \\input{/etc/passwd} \\end{document} heading }{"
    assert decode(entry.fields_dict["title"].value) == title
    assert decode(entry.fields_dict["key"].value) == title


def assert_nothing_ran(workdir: Path, log: str, entries: int) -> None:
    assert "(/etc/passwd" not in log  # TeX logs every file it opens as `(path`
    assert not list(workdir.glob("pwned*"))  # no \write18 ran
    if not shutil.which("pdftotext"):  # poppler-utils; .ci/run installs it
        if os.environ.get("NOTE2BIB_REQUIRE_TEX") == "1":
            pytest.fail("pdftotext (poppler-utils) not found")
        assert "Output written on doc.pdf" in log
        return
    # The notes print as one paragraph, so a run of 10,000 braces shares lines with the text
    # around it and runs off the page; pdftotext's layout order would put it between two
    # words. -raw reads the text in the order the PDF draws it.
    subprocess.run(["pdftotext", "-raw", "doc.pdf"], cwd=workdir, check=True)
    text = " ".join((workdir / "doc.txt").read_text(encoding="utf-8").split())
    assert "root:" not in text  # /etc/passwd was not read into the document
    for line in PRINTED:  # every note printed these as text, none was executed
        assert text.count(line) == HOSTILE.count(line) * entries, line
    # \end{document} in the notes did not end the document: what follows it was typeset.
    assert re.search(rf"{MARKER} \d+$", text)  # then only the page number


@pytest.mark.tex
@pytest.mark.usefixtures("tex")
def test_chicago_annote_prints_the_note_as_text_and_runs_nothing(tmp_path: Path) -> None:
    recs = records(["2304.02643"], HOSTILE)
    log, blg, bbl = compile_document(
        tmp_path,
        recs,
        "\\usepackage{natbib}\n\\usepackage{url}",
        f"\\bibliographystyle{{chicago-annote}}\n\\bibliography{{refs}}\n{MARKER}",
        "bibtex",
    )
    assert not re.search(r"error message|I couldn't|I was expecting", blg), blg
    assert not re.search(r"^!", log, re.M), log
    printed = re.findall(r"\\begin\{quotation\}\\noindent (.*?) \\end\{quotation\}", bbl, re.S)
    assert [read_back(p) for p in printed] == [HOSTILE] * len(recs)
    assert_nothing_ran(tmp_path, log, len(recs))


@pytest.mark.tex
@pytest.mark.usefixtures("tex")
def test_biblatex_reading_prints_the_note_as_text_and_runs_nothing(tmp_path: Path) -> None:
    recs = records(["2304.02643"], HOSTILE)
    log, blg, bbl = compile_document(
        tmp_path,
        recs,
        BIBLATEX.format(style=",style=reading"),
        f"\\printbibliography\n{MARKER}",
        # biber writes each field on one .bbl line: this note's is 311,715 characters, and
        # pdflatex reads lines up to 200,000 ("Unable to read an entire line") unless
        # biber wraps them.
        "biber --wraplines",
        "biblatex",
    )
    assert_clean_biber(blg)
    assert not re.search(r"^!", log, re.M), log
    annotations = braced_after(bbl, "\\field{annotation}{%\n")  # as --wraplines writes it
    assert [read_back(a) for a in annotations] == [HOSTILE] * len(recs)
    assert_nothing_ran(tmp_path, log, len(recs))
