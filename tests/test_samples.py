"""The samples: `note2bib export samples/notes.md` in each format gives exactly its golden file.

samples/notes.bib (BibTeX), notes.biblatex.bib, notes.json (CSL-JSON) and notes.ris are golden
files, reviewed by hand against the fixtures' metadata. After a deliberate change to the
output, regenerate them and read the diff:

    NOTE2BIB_REGENERATE=1 python -m pytest tests/test_samples.py
"""

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

from note2bib.cli import main
from note2bib.latex import decode

from arxiv_standin import ArxivStandin, load_entries
from bbl import braced_after, read_back

SAMPLES = Path(__file__).parent.parent / "samples"
NOTES = SAMPLES / "notes.md"
GOLDEN = SAMPLES / "notes.bib"
GOLDEN_FILES = {
    "bibtex": GOLDEN,
    "biblatex": SAMPLES / "notes.biblatex.bib",
    "csl-json": SAMPLES / "notes.json",
    "ris": SAMPLES / "notes.ris",
}


def export_samples(*args: str) -> str:
    # Run from the repository root so that the file names in messages are the README's.
    result = CliRunner().invoke(main, ["export", *args, "samples/notes.md"])
    assert result.exit_code == 0, result.stderr  # two notes name no arXiv paper: kept
    return result.stdout


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(SAMPLES.parent)


@pytest.mark.parametrize("fmt", GOLDEN_FILES)
def test_sample_output_is_the_golden_file(
    arxiv_standin: ArxivStandin, in_repo: None, fmt: str
) -> None:
    produced = export_samples("-f", fmt)
    golden = GOLDEN_FILES[fmt]
    if os.environ.get("NOTE2BIB_REGENERATE") == "1":
        golden.write_bytes(produced.encode("utf-8"))
    assert produced == golden.read_bytes().decode("utf-8")


def test_golden_file_matches_the_recorded_arxiv_metadata() -> None:
    """Each resolved entry against its fixture <entry>: title, every author, v1 year, class."""
    library = bibtexparser.parse_string(GOLDEN.read_text(encoding="utf-8"))
    assert library.failed_blocks == []
    resolved = [e for e in library.entries if "author" in e.fields_dict]
    assert len(resolved) == 7
    for entry in resolved:
        fields = {k: f.value for k, f in entry.fields_dict.items()}
        xml = load_entries()[fields["eprint"]]
        title = re.search(r"<title>(.*?)</title>", xml, re.S)
        assert title is not None
        assert _plain(decode(fields["title"])) == _plain(title[1])
        names = re.findall(r"<name>(.*?)</name>", xml)
        authors = [_first_last(a) for a in decode(fields["author"]).split(" and ")]
        assert authors == names
        published = re.search(r"<published>(\d{4})-", xml)
        assert published is not None and fields["year"] == published[1]
        primary = re.search(r'<arxiv:primary_category term="([^"]+)"', xml)
        assert primary is not None and fields["primaryClass"] == primary[1]
        assert fields["doi"] == f"10.48550/arXiv.{fields['eprint']}"


def test_csl_json_golden_file_matches_the_recorded_arxiv_metadata() -> None:
    """Each CSL item against its fixture <entry>: title, every author, v1 date, arXiv id."""
    items = json.loads(GOLDEN_FILES["csl-json"].read_text(encoding="utf-8"))
    resolved = [item for item in items if "author" in item]
    assert len(resolved) == 7
    for item in resolved:
        base = item["number"].removeprefix("arXiv:")
        xml = load_entries()[base]
        title = re.search(r"<title>(.*?)</title>", xml, re.S)
        assert title is not None and item["title"] == " ".join(title[1].split())
        names = re.findall(r"<name>(.*?)</name>", xml)
        assert [f"{a['given']} {a['family']}" for a in item["author"]] == names
        published = re.search(r"<published>(\d{4})-(\d\d)-(\d\d)", xml)
        assert published is not None
        assert item["issued"] == {"date-parts": [[int(p) for p in published.groups()]]}


def _plain(title: str) -> str:
    return title.replace("{", "").replace("}", "")


def _first_last(name: str) -> str:
    family, _, given = name.partition(", ")
    return f"{given} {family}" if given else family


def _tex_tools() -> None:
    missing = [t for t in ("pdflatex", "bibtex", "biber") if not shutil.which(t)]
    if missing:
        if os.environ.get("NOTE2BIB_REQUIRE_TEX") == "1":
            pytest.fail(f"TeX Live incomplete: {', '.join(missing)} not found")
        pytest.skip(f"{', '.join(missing)} not installed")


def _run(workdir: Path, *command: str) -> str:
    done = subprocess.run(command, cwd=workdir, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{command[0]} failed:\n{done.stdout[-3000:]}"
    return done.stdout


@pytest.mark.tex
def test_sample_output_compiles_with_bibtex_and_biber(tmp_path: Path) -> None:
    _tex_tools()
    bib = GOLDEN.read_text(encoding="utf-8")
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    keys = re.findall(r"^@misc\{([^,]+),", bib, re.M)
    latex = ("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "doc")

    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\\usepackage{natbib}\\usepackage{url}\\begin{document}"
        f"\\cite{{{','.join(keys)}}}\\bibliographystyle{{plainnat}}\\bibliography{{refs}}"
        "\\end{document}\n",
        encoding="utf-8",
    )
    _run(tmp_path, *latex)
    _run(tmp_path, "bibtex", "doc")
    _run(tmp_path, *latex)
    log = _run(tmp_path, *latex)
    warnings = re.findall(r"^Warning--(.*)$", (tmp_path / "doc.blg").read_text(), re.M)
    # A note that names no paper has no date, and plainnat says so; nothing else may warn.
    assert warnings == ["empty year in downloadllama", "empty year in openaisgpt"]
    assert "undefined" not in log
    assert (tmp_path / "doc.bbl").read_text().count("\\bibitem") == len(keys)

    (tmp_path / "bl.tex").write_text(
        "\\documentclass{article}\\usepackage[backend=biber]{biblatex}"
        "\\addbibresource{refs.bib}\\begin{document}"
        f"\\cite{{{','.join(keys)}}}\\printbibliography\\end{{document}}\n",
        encoding="utf-8",
    )
    _run(tmp_path, *latex[:-1], "bl")
    _run(tmp_path, "biber", "bl")
    _run(tmp_path, *latex[:-1], "bl")
    log = _run(tmp_path, *latex[:-1], "bl")
    assert not re.search(r"\b(WARN|ERROR)\b", (tmp_path / "bl.blg").read_text())
    assert "undefined" not in log


@pytest.mark.tex
def test_biblatex_sample_compiles_with_biber_and_its_notes_come_back(tmp_path: Path) -> None:
    _tex_tools()
    bib = GOLDEN_FILES["biblatex"].read_text(encoding="utf-8")
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    keys = re.findall(r"^@online\{([^,]+),", bib, re.M)
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\\usepackage[backend=biber]{biblatex}"
        "\\addbibresource{refs.bib}\\begin{document}"
        f"\\cite{{{','.join(keys)}}}\\printbibliography\\end{{document}}\n",
        encoding="utf-8",
    )
    latex = ("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "doc")
    _run(tmp_path, *latex)
    _run(tmp_path, "biber", "doc")
    _run(tmp_path, *latex)
    log = _run(tmp_path, *latex)
    assert not re.search(r"\b(WARN|ERROR)\b", (tmp_path / "doc.blg").read_text())
    assert "undefined" not in log
    # The notes as biber hands them to LaTeX, against the same notes in the CSL-JSON sample.
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    entries = dict(re.findall(r"\\entry\{([^}]+)\}(.*?)\\endentry", bbl, re.S))
    assert sorted(entries) == sorted(keys)
    notes = {i["id"]: i["annote"] for i in json.loads(GOLDEN_FILES["csl-json"].read_text("utf-8"))}
    for key, body in entries.items():
        (annotation,) = braced_after(body, "\\field{annotation}{")
        assert read_back(annotation) == notes[key]
