"""Project mode: a note2bib.toml found in the current folder or a parent names the notes, the
library and options, so `note2bib export` needs no arguments; `init` writes a starter file."""

from __future__ import annotations

from pathlib import Path

import bibtexparser
import pytest
from click.testing import CliRunner, Result

from note2bib.cli import main
from note2bib.project import INIT_TEMPLATE, find_project, read_project

from arxiv_standin import ArxivStandin

SAMPLE = Path(__file__).parent.parent / "samples" / "notes.md"
REFS = """\
@article{lehman2023clinical,
  title={Do we still need clinical language models?},
  author={Lehman, Eric},
  journal={arXiv preprint arXiv:2302.08091},
  year={2023}
}
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def keys(bibtex: str) -> set[str]:
    return {e.key for e in bibtexparser.parse_string(bibtex).entries}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A LaTeX project: notes/ with the sample notes, refs.bib, note2bib.toml; cwd is below."""
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "reading.md").write_bytes(SAMPLE.read_bytes())
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    (tmp_path / "note2bib.toml").write_text(
        'notes = ["notes/*.md"]\nlibrary = "refs.bib"\nunresolved = "skip"\n', encoding="utf-8"
    )
    (tmp_path / "chapters").mkdir()
    monkeypatch.chdir(tmp_path / "chapters")  # found in a parent, as git finds .git
    return tmp_path


def test_export_with_no_arguments_uses_the_project_file(
    arxiv_standin: ArxivStandin, project: Path
) -> None:
    result = run("export")
    assert result.exit_code == 0, result.stderr  # unresolved = "skip" from the file
    found = keys(result.stdout)
    assert "lehman2023clinical" not in found and "lehman2023still" not in found
    assert "kirillov2023segment" in found and "downloadllama" not in found
    assert "../notes/reading.md:7: 2302.08091 is already in ../refs.bib as lehman2023clinical" in (
        result.stderr
    )


def test_explicit_options_override_the_file(arxiv_standin: ArxivStandin, project: Path) -> None:
    result = run("export", "--unresolved", "keep")
    assert result.exit_code == 0
    assert "downloadllama" in keys(result.stdout)


def test_merge_updates_the_projects_library_in_place(
    arxiv_standin: ArxivStandin, project: Path
) -> None:
    result = run("export", "--merge", "-o", "../refs.bib")
    assert result.exit_code == 0, result.stderr
    text = (project / "refs.bib").read_text(encoding="utf-8")
    assert text.startswith(REFS)
    assert {"lehman2023clinical", "kirillov2023segment"} <= keys(text)
    assert (project / "refs.bib.bak").read_text(encoding="utf-8") == REFS


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('notes = ["notes/*.md"]\nlibary = "refs.bib"\n', "unknown key 'libary'"),
        ("notes = 3\n", "notes = 3 is not a string or a list of strings"),
        ('notes = ["nothing/*.md"]\n', "notes pattern 'nothing/*.md' matches no file"),
        ("notes = [\n", "not valid TOML"),
        ('notes = ["notes/*.md"]\nunresolved = "drop"\n', "is not one of keep, skip, error"),
    ],
)
def test_a_bad_project_file_is_one_sentence_naming_the_problem(
    project: Path, toml: str, message: str
) -> None:
    (project / "note2bib.toml").write_text(toml, encoding="utf-8")
    result = run("export")
    assert result.exit_code == 2
    assert f"{project / 'note2bib.toml'}" in result.stderr
    assert message in result.stderr
    assert result.stdout == ""


def test_init_writes_a_starter_that_works_and_never_overwrites(
    arxiv_standin: ArxivStandin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("init")
    assert result.exit_code == 0
    assert (tmp_path / "note2bib.toml").read_text(encoding="utf-8") == INIT_TEMPLATE
    assert read_project(tmp_path / "note2bib.toml").get("notes") == ["notes/*.md"]
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.md").write_text("## SAM\nhttps://arxiv.org/abs/2304.02643\n")
    assert keys(run("export").stdout) == {"kirillov2023segment"}

    (tmp_path / "note2bib.toml").write_text("notes = []\n")
    again = run("init")
    assert again.exit_code == 1
    assert "already exists; not overwritten" in again.stderr
    assert (tmp_path / "note2bib.toml").read_text() == "notes = []\n"


def test_no_project_file_means_notes_are_required(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_project(tmp_path) is None or find_project(tmp_path) != tmp_path
    result = CliRunner().invoke(main, ["export"])
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr


def test_a_broken_project_file_stops_only_the_commands_that_read_it(project: Path) -> None:
    (project / "note2bib.toml").write_text('libary = "refs.bib"\nunresolved = "skip"\n')
    helped = run("export", "--help")
    assert helped.exit_code == 0
    assert "[default: keep]" in helped.stdout  # the command's own default, not the file's
    assert run("dedupe", "../refs.bib").exit_code == 0  # LIBRARY given: the file is not read
    assert run("ids", "../notes/reading.md").exit_code == 0
    refused = run("dedupe")
    assert refused.exit_code == 2
    assert "unknown key 'libary'" in refused.stderr


def test_check_takes_the_notes_from_a_folder_the_project_file_names(
    arxiv_standin: ArxivStandin, project: Path
) -> None:
    (project / "main.tex").write_text("\\cite{kirillov2023segment}\n")
    (project / "note2bib.toml").write_text(
        'notes = "notes"\nlibrary = "refs.bib"\nmain = "main.tex"\n', encoding="utf-8"
    )
    result = run("check")
    assert result.exit_code == 1, result.stderr
    assert "kirillov2023segment is cited but not in ../refs.bib; ../notes/reading.md:42 would" in (
        result.stdout
    )


def test_notes_named_on_the_command_line_are_a_one_off_run(
    arxiv_standin: ArxivStandin, project: Path
) -> None:
    (project / "note2bib.toml").write_text(
        'notes = ["notes/*.md"]\nlibrary = "refs.bib"\noutput = "refs.bib"\nmerge = true\n'
        'annotate-existing = true\nabstract = true\nunresolved = "skip"\n',
        encoding="utf-8",
    )
    (project / "chapters" / "other.md").write_text(
        "## Do we still need clinical language models?\nhttps://arxiv.org/abs/2302.08091\n\n"
        "## A blog post\nhttps://example.org/post\n",
        encoding="utf-8",
    )
    result = run("export", "-v", "other.md")
    assert result.exit_code == 0, result.stderr
    assert (
        "note2bib: notes named on the command line: only format, unresolved, abstract, offline, "
        f"cache-dir from {project / 'note2bib.toml'}\n"
    ) in result.stderr
    # stdout, not the project's output; no merge; its library not consulted...
    assert (project / "refs.bib").read_text(encoding="utf-8") == REFS
    assert not (project / "refs.bib.bak").exists()
    entries = bibtexparser.parse_string(result.stdout).entries
    assert [e.key for e in entries] == ["lehman2023still"]
    assert "already in" not in result.stderr
    # ...while how entries look still comes from the file (abstract, unresolved = "skip").
    assert "abstract" in entries[0].fields_dict

    merged = run("export")  # the project's own run still merges into its library
    assert merged.exit_code == 0, merged.stderr
    assert (project / "refs.bib.bak").read_text(encoding="utf-8") == REFS
