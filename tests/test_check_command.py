"""`check` and `export --cited`: the keys a LaTeX document cites, those the library lacks and
which the notes would supply; and the round trip through pdflatex + bibtex after a merge."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import bibtexparser
import pytest
from click.testing import CliRunner, Result

from note2bib.cli import main
from note2bib.tex_citations import find_citations

from arxiv_standin import ArxivStandin

SAMPLE = Path(__file__).parent.parent / "samples" / "notes.md"
REFS = """\
@string{arxiv = {arXiv preprint arXiv:}}

@article{lehman2023clinical,
  title={Do we still need clinical language models?},
  author={Lehman, Eric and Hernandez, Evan},
  journal=arxiv # {2302.08091},
  year={2023}
}

@book{unused1999,
  title = {A Book Nobody Cites},
  author = {Nobody, Anne},
  publisher = {Press},
  year = {1999}
}
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cite_commands_optional_arguments_comma_lists_and_inputs(tmp_path: Path) -> None:
    (tmp_path / "main.tex").write_text(
        "\\documentclass{article}\n"
        "\\begin{document}\n"
        "See \\cite[p.~3]{a, b} and \\citep{c}; \\citet*{d}.\n"
        "% \\cite{commented}\n"
        "100\\% sure \\autocite{e} \\parencite[see][12]{f} \\textcite{g}\n"
        "\\input{chapters/one}\n"
        "\\include{two}\n"
        "\\nocite{h}\\cites[x]{i}[y]{j}\n"
        "\\end{document}\n"
    )
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "one.tex").write_text("\\Textcite{k} \\input{two}\n")
    (tmp_path / "two.tex").write_text("\\footcite{l,a}\n\\input{missing}\n")
    citations, diagnostics = find_citations(str(tmp_path / "main.tex"))
    assert [c.key for c in citations] == list("abcdefgklhij")
    k = next(c for c in citations if c.key == "k")
    assert (Path(k.source).name, k.line) == ("one.tex", 1)
    assert [d.message for d in diagnostics] == ["missing not found; its citations are not read"]


def test_citations_read_as_latex_reads_them_across_lines(tmp_path: Path) -> None:
    (tmp_path / "main.tex").write_text(
        "\\cite{alpha,\n"  # 1
        "  beta} \\citep{gamma, % why\n"  # 2
        "  delta}\n"  # 3
        "\\cite\n"  # 4
        "{eps} \\cite[p.~3]\n"  # 5
        " {zeta} \\cite % c\n"  # 6
        "% a whole comment line\n"  # 7
        "  {eta} \\cite[see {A}, p.~2]{theta} 100\\% \\cite{iota}\n"  # 8
        "\\cite{kappa,%\n"  # 9
        "lambda} \\\\% \\cite{not-cited}\n"  # 10: `\\` ends the line, `%` comments
        "\\cite\n"  # 11
        "\n"  # 12: a blank line is \par: \cite got no argument
        "{after-par} \\cite{mu,\n"  # 13
        "\n"  # 14
        "nu} \\cites{xi}\n"  # 15
        " [y]{omicron}\n"  # 16
    )
    citations, _ = find_citations(str(tmp_path / "main.tex"))
    assert [(c.key, c.line) for c in citations] == [
        ("alpha", 1),
        ("beta", 2),
        ("gamma", 2),
        ("delta", 3),
        ("eps", 5),
        ("zeta", 6),
        ("eta", 8),
        ("theta", 8),
        ("iota", 8),
        ("kappa", 9),
        ("lambda", 10),
        ("xi", 15),
        ("omicron", 16),
    ]


def test_citations_from_the_aux_file(tmp_path: Path) -> None:
    (tmp_path / "main.aux").write_text(
        "\\relax\n\\citation{a,b}\n\\@input{chap.aux}\n\\abx@aux@cite{0}{c}\n"
    )
    (tmp_path / "chap.aux").write_text("\\citation{d}\n")
    citations, _ = find_citations(str(tmp_path / "main.aux"))
    assert [c.key for c in citations] == ["a", "b", "d", "c"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "notes.md").write_bytes(SAMPLE.read_bytes())
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    (tmp_path / "main.tex").write_text(
        "\\documentclass{article}\n"
        "\\begin{document}\n"
        "Clinical models \\cite{lehman2023clinical}; editing \\cite{tsaban2023ledits};\n"
        "segmentation \\cite{kirillov2023segment} and \\cite{smith2020missing}.\n"
        "\\bibliographystyle{plain}\n"
        "\\bibliography{refs}\n"
        "\\end{document}\n"
    )
    (tmp_path / "note2bib.toml").write_text(
        'notes = ["notes.md"]\nlibrary = "refs.bib"\nmain = "main.tex"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_check_lists_missing_keys_and_which_notes_supply_them(
    arxiv_standin: ArxivStandin, project: Path
) -> None:
    result = run("check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "main.tex:3: tsaban2023ledits is cited but not in refs.bib; "
        "notes.md:33 would supply it (2307.00522)",
        "main.tex:4: kirillov2023segment is cited but not in refs.bib; "
        "notes.md:42 would supply it (2304.02643)",
        "main.tex:4: smith2020missing is cited but not in refs.bib; no note supplies it",
        "refs.bib:10: unused1999 is never cited (information)",
    ]
    assert "4 keys cited, 3 missing (2 in the notes), 1 library entries never cited" in (
        result.stderr
    )


def test_check_passes_once_the_library_has_every_key(project: Path) -> None:
    (project / "main.tex").write_text("\\cite{lehman2023clinical}\\nocite{unused1999}\n")
    result = run("check", "main.tex", "--library", "refs.bib")
    assert result.exit_code == 0
    assert result.stdout == ""


def test_export_cited_writes_only_what_the_document_cites(
    arxiv_standin: ArxivStandin, project: Path
) -> None:
    result = run("export", "--cited", "main.tex")
    found = {e.key for e in bibtexparser.parse_string(result.stdout).entries}
    assert found == {"tsaban2023ledits", "kirillov2023segment"}


# Each way of writing a citation across lines, as `main.tex` lines 3 and 4; the line each key
# is written on.
ACROSS_LINES = {
    "key list on two lines": (
        "\\cite{tsaban2023ledits,\n  kirillov2023segment}",
        {"tsaban2023ledits": 3, "kirillov2023segment": 4},
    ),
    "comment in the key list": (
        "\\citep{tsaban2023ledits, % editing\n  kirillov2023segment}",
        {"tsaban2023ledits": 3, "kirillov2023segment": 4},
    ),
    "braces on the next line": (
        "\\cite\n{tsaban2023ledits,kirillov2023segment}",
        {"tsaban2023ledits": 4, "kirillov2023segment": 4},
    ),
    "optional argument, then braces on the next line": (
        "\\cite[p.~3]\n {tsaban2023ledits, kirillov2023segment}",
        {"tsaban2023ledits": 4, "kirillov2023segment": 4},
    ),
    "braces inside the optional argument": (
        "\\cite[see {Fig.~2}]{tsaban2023ledits}\n\\cite[{p.~3}]{kirillov2023segment}",
        {"tsaban2023ledits": 3, "kirillov2023segment": 4},
    ),
}


@pytest.mark.parametrize("form", ACROSS_LINES)
def test_check_and_export_cited_see_citations_across_lines(
    arxiv_standin: ArxivStandin, project: Path, form: str
) -> None:
    citation, lines = ACROSS_LINES[form]
    (project / "main.tex").write_text(
        f"\\documentclass{{article}}\n\\begin{{document}}\n{citation}\n\\end{{document}}\n"
    )
    checked = run("check")
    assert checked.exit_code == 1
    assert [line.split(" is cited")[0] for line in checked.stdout.splitlines()[:2]] == [
        f"main.tex:{n}: {key}" for key, n in lines.items()
    ]
    exported = run("export", "--cited", "main.tex")
    assert {e.key for e in bibtexparser.parse_string(exported.stdout).entries} == set(lines)


def _tex_tools() -> None:
    missing = [t for t in ("pdflatex", "bibtex") if not shutil.which(t)]
    if missing:
        if os.environ.get("NOTE2BIB_REQUIRE_TEX") == "1":
            pytest.fail(f"TeX Live incomplete: {', '.join(missing)} not found")
        pytest.skip(f"{', '.join(missing)} not installed")


@pytest.mark.tex
def test_the_keys_read_from_the_tex_are_those_latex_writes_to_the_aux(tmp_path: Path) -> None:
    _tex_tools()
    body = "\n".join(citation for citation, _ in ACROSS_LINES.values())
    (tmp_path / "main.tex").write_text(
        "\\documentclass{article}\n\\usepackage{natbib}\n\\begin{document}\n"
        f"{body}\n\\cite{{alpha,%\nbeta}} 100\\% \\cite % c\n% c\n  {{gamma}}\n"
        "\\\\% \\cite{not-cited}\n\\end{document}\n"
    )
    latex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "main"]
    subprocess.run(latex, cwd=tmp_path, capture_output=True, check=True)
    from_tex, _ = find_citations(str(tmp_path / "main.tex"))
    from_aux, _ = find_citations(str(tmp_path / "main.aux"))
    assert [c.key for c in from_tex] == [c.key for c in from_aux]
    assert {"alpha", "beta", "gamma"} <= {c.key for c in from_tex}


@pytest.mark.tex
def test_after_a_merge_the_document_compiles_with_no_undefined_citation(
    arxiv_standin: ArxivStandin, project: Path
) -> None:
    _tex_tools()
    (project / "main.tex").write_text(
        (project / "main.tex").read_text().replace(" and \\cite{smith2020missing}", "")
    )
    merged = run("export", "--merge", "-o", "refs.bib")
    assert merged.exit_code == 0, merged.stderr  # two notes name no paper (kept as @misc)
    assert run("check").exit_code == 0
    latex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "main"]
    for command in (latex, ["bibtex", "main"], latex, latex):
        done = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout[-3000:]
    log = (project / "main.log").read_text(errors="replace")
    assert not re.search(r"Citation .* undefined|undefined citations", log)
    assert (project / "main.bbl").read_text().count("\\bibitem") == 3


def test_check_without_notes_says_none_were_given(tmp_path: Path) -> None:
    (tmp_path / "main.tex").write_text("\\cite{smith2020missing}\n")
    (tmp_path / "refs.bib").write_text(REFS)
    result = run("check", str(tmp_path / "main.tex"), "--library", str(tmp_path / "refs.bib"))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"{tmp_path / 'main.tex'}:1: smith2020missing is cited but not in "
        f"{tmp_path / 'refs.bib'}; no notes were given (--notes)"
    )
