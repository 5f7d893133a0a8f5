"""Notes change, arXiv comes back: entries note2bib wrote follow their notes on the next merge
(a stub completed, an edited note replaced, a renamed heading kept on its entry), each change
inside that entry only, and never over what the user changed by hand."""

from __future__ import annotations

from pathlib import Path

import bibtexparser
import pytest
from click.testing import CliRunner, Result
from pybtex.database import parse_string

from note2bib.cli import main
from note2bib.latex import decode

from arxiv_standin import ArxivStandin

MINE = "% my refs\n@misc{mine, title = {Mine}, note = {by hand}}\n"
SAM = "## SAM\narXiv:2304.02643\nPromptable segmentation.\n"
# A note that names no paper: kept as an entry of its own by design (a warning, exit 0).
LLAMA = "## Download LLaMA\nhttps://example.org/llama\nThe weights, on request.\n"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def merge(*extra: str, notes: str = "notes.md") -> Result:
    return run("export", notes, "--library", "refs.bib", "--merge", "-o", "refs.bib", *extra)


def entries(path: Path) -> dict[str, dict[str, str]]:
    library = bibtexparser.parse_string(path.read_text(encoding="utf-8"))
    assert not library.failed_blocks
    return {e.key: {f.key.lower(): f.value for f in e.fields} for e in library.entries}


def block(path: Path, key: str) -> str:
    """An entry's text with the `% note2bib:` line before it (if any)."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"@misc{{{key},")
    line = text.rfind("\n", 0, start - 1) + 1
    if text.startswith("% note2bib:", line):
        start = line
    return text[start : text.index("\n}", start) + 2]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "refs.bib").write_text(MINE, encoding="utf-8")
    return tmp_path


def test_a_stub_written_during_an_outage_is_completed_when_arxiv_answers(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder / "notes.md").write_text(SAM + "\n" + LLAMA, encoding="utf-8")
    # arXiv unreachable (nothing listens there): the paper is written without its metadata.
    outage = merge()
    assert outage.exit_code == 3, outage.stderr
    stub = entries(folder / "refs.bib")["arxiv230402643"]
    assert "author" not in stub and decode(stub["title"]) == "SAM"
    llama_before = block(folder / "refs.bib", "downloadllama")

    with ArxivStandin() as server:
        monkeypatch.setenv("NOTE2BIB_ARXIV_API", server.url)
        back = merge()
    assert back.exit_code == 0, back.stderr
    assert "completed arxiv230402643 with arXiv's metadata" in back.stderr
    text = (folder / "refs.bib").read_text(encoding="utf-8")
    assert text.startswith(MINE)  # nothing else in the file touched
    assert block(folder / "refs.bib", "downloadllama") == llama_before
    completed = entries(folder / "refs.bib")["arxiv230402643"]  # the key kept
    assert decode(completed["title"]) == "Segment Anything"
    assert completed["author"].startswith("Kirillov, Alexander and")
    assert decode(completed["annote"]) == SAM.rstrip("\n")  # the note kept
    assert list(entries(folder / "refs.bib")) == ["mine", "arxiv230402643", "downloadllama"]
    assert text.count("@misc{") == 3

    again = merge()
    assert "nothing to add; the file was not touched" in again.stderr


def test_a_stub_changed_by_hand_is_left_as_it_is_and_said_so(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder / "notes.md").write_text(SAM, encoding="utf-8")
    assert merge().exit_code == 3
    refs = folder / "refs.bib"
    refs.write_text(
        refs.read_text(encoding="utf-8").replace("title = {{SAM}}", "title = {My own title}"),
        encoding="utf-8",
    )
    by_hand = refs.read_bytes()
    with ArxivStandin() as server:
        monkeypatch.setenv("NOTE2BIB_ARXIV_API", server.url)
        result = merge()
    assert result.exit_code == 0, result.stderr
    assert refs.read_bytes() == by_hand
    assert (
        "arxiv230402643 was changed by hand since note2bib wrote it without arXiv's metadata, "
        "so it is left as it is" in result.stderr
    )


@pytest.mark.parametrize("annotate", [False, True], ids=["merge", "annotate-existing"])
def test_an_edited_note_replaces_its_earlier_text(
    arxiv_standin: ArxivStandin, folder: Path, annotate: bool
) -> None:
    notes = folder / "notes.md"
    notes.write_text(SAM + "\n" + LLAMA, encoding="utf-8")
    flags = ("--annotate-existing",) if annotate else ()
    assert merge(*flags).exit_code == 0
    llama_before = block(folder / "refs.bib", "downloadllama")
    edited = SAM + "A line added after the first merge.\n"
    notes.write_text(edited + "\n" + LLAMA, encoding="utf-8")
    result = merge(*flags)
    assert result.exit_code == 0, result.stderr  # the note is in the library now
    annote = decode(entries(folder / "refs.bib")["kirillov2023segment"]["annote"])
    assert annote == edited.rstrip("\n")  # the new text only, not the old and the new
    assert "updated the note in the annote of kirillov2023segment (the note at notes.md:1)" in (
        result.stderr
    )
    assert block(folder / "refs.bib", "downloadllama") == llama_before
    assert (folder / "refs.bib").read_text(encoding="utf-8").startswith(MINE)


def test_a_note_added_to_the_users_entry_is_replaced_there_when_edited(
    arxiv_standin: ArxivStandin, folder: Path
) -> None:
    user_entry = (
        "@article{sam,\n  title = {Segment Anything},\n  eprint = {2304.02643},\n"
        "  annote = {What I wrote myself.}\n}\n"
    )
    (folder / "refs.bib").write_text(MINE + "\n" + user_entry, encoding="utf-8")
    notes = folder / "notes.md"
    notes.write_text(SAM, encoding="utf-8")
    assert merge("--annotate-existing").exit_code == 0
    edited = SAM.replace("Promptable", "Promptable, zero-shot")
    notes.write_text(edited, encoding="utf-8")
    assert merge("--annotate-existing").exit_code == 0
    found = entries(folder / "refs.bib")["sam"]
    assert decode(found["annote"]) == "What I wrote myself.\n\n" + edited.rstrip("\n")
    assert found["title"] == "Segment Anything"
    text = (folder / "refs.bib").read_text(encoding="utf-8")
    assert text.startswith(MINE + "\n% note2bib: key=sam made=annote ")
    # Without --annotate-existing, the user's entry is not touched, even for an edited note.
    notes.write_text(edited + "More.\n", encoding="utf-8")
    result = merge()
    assert (folder / "refs.bib").read_text(encoding="utf-8") == text
    assert "nothing to add" in result.stderr


def test_a_note_changed_by_hand_in_the_library_is_left_as_it_is(
    arxiv_standin: ArxivStandin, folder: Path
) -> None:
    notes = folder / "notes.md"
    notes.write_text(SAM, encoding="utf-8")
    assert merge().exit_code == 0
    refs = folder / "refs.bib"
    refs.write_text(
        refs.read_text(encoding="utf-8").replace("Promptable", "Promptable (my remark)"),
        encoding="utf-8",
    )
    by_hand = refs.read_bytes()
    notes.write_text(SAM + "Edited in the notes too.\n", encoding="utf-8")
    result = merge()
    assert refs.read_bytes() == by_hand
    assert (
        "refs.bib:5: the note from notes.md:1 was changed by hand in kirillov2023segment since "
        "note2bib wrote it, so it is left as it is" in result.stderr
    )


def test_a_renamed_heading_keeps_its_entry(arxiv_standin: ArxivStandin, folder: Path) -> None:
    notes = folder / "notes.md"
    notes.write_text(LLAMA, encoding="utf-8")
    assert merge("--no-search").exit_code == 0
    notes.write_text(LLAMA.replace("Download LLaMA", "Get the LLaMA weights"), encoding="utf-8")
    result = merge("--no-search")
    assert result.exit_code == 0, result.stderr  # the note is in the library now
    found = entries(folder / "refs.bib")
    assert list(found) == ["mine", "downloadllama"]  # no second entry, the key kept
    assert decode(found["downloadllama"]["title"]) == "Get the LLaMA weights"
    assert decode(found["downloadllama"]["annote"]).startswith("## Get the LLaMA weights\n")
    assert (
        '"Get the LLaMA weights" is already in refs.bib as downloadllama '
        "(the note it was made from)" in result.stderr
    )
    assert merge("--no-search").stderr.count("nothing to add") == 1


def test_notes_from_other_files_join_the_entry_and_stay(
    arxiv_standin: ArxivStandin, folder: Path
) -> None:
    (folder / "notes.md").write_text(SAM, encoding="utf-8")
    other = "## Segment Anything, again\nhttps://arxiv.org/abs/2304.02643\nMasks.\n"
    (folder / "other.md").write_text(other, encoding="utf-8")
    assert merge().exit_code == 0
    result = run(
        "export", "notes.md", "other.md", "--library", "refs.bib", "--merge", "-o", "refs.bib"
    )
    assert result.exit_code == 0, result.stderr
    assert "added the note to the annote of kirillov2023segment (the note at other.md:1)" in (
        result.stderr
    )
    # Edited, and merged from its own file only: the other file's note stays as it was.
    (folder / "notes.md").write_text(SAM + "Edited.\n", encoding="utf-8")
    assert merge().exit_code == 0
    annote = decode(entries(folder / "refs.bib")["kirillov2023segment"]["annote"])
    assert annote == SAM + "Edited.\n\n" + other.rstrip("\n")


def test_the_marker_lines_change_nothing_a_reader_sees(
    arxiv_standin: ArxivStandin, folder: Path
) -> None:
    (folder / "notes.md").write_text(SAM + "\n" + LLAMA, encoding="utf-8")
    assert merge().exit_code == 0
    text = (folder / "refs.bib").read_text(encoding="utf-8")
    assert text.count("\n% note2bib: ") == 2
    stripped = "".join(line for line in text.splitlines(True) if not line.startswith("% note2bib:"))
    assert entries(folder / "refs.bib") == {
        e.key: {f.key.lower(): f.value for f in e.fields}
        for e in bibtexparser.parse_string(stripped).entries
    }
    assert list(parse_string(text, "bibtex").entries) == [
        "mine",
        "kirillov2023segment",
        "downloadllama",
    ]


def test_a_paper_stays_with_the_entry_made_from_its_note_when_another_entry_has_its_id(
    arxiv_standin: ArxivStandin, folder: Path
) -> None:
    notes = folder / "notes.md"
    notes.write_text(SAM, encoding="utf-8")
    assert merge().exit_code == 0
    refs = folder / "refs.bib"
    # Later the user pastes their own entry for the same paper above everything else.
    pasted = "@article{samcopy,\n  title = {Segment Anything},\n  eprint = {2304.02643}\n}\n\n"
    refs.write_text(pasted + refs.read_text(encoding="utf-8"), encoding="utf-8")
    before = refs.read_bytes()
    result = merge("--annotate-existing")
    assert result.exit_code == 0, result.stderr
    assert refs.read_bytes() == before  # the note stays where it is, and only there
    assert "2304.02643 is already in refs.bib as kirillov2023segment" in result.stderr
