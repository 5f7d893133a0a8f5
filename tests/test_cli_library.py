"""The library commands as a user runs them: export --library / --merge / --annotate-existing,
dedupe, init, project mode (note2bib.toml), check and --cited."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import bibtexparser
import pytest
from click.testing import CliRunner, Result

from note2bib.cli import main
from note2bib.latex import decode

from arxiv_standin import ArxivStandin

SAMPLE = Path(__file__).parent.parent / "samples" / "notes.md"
CORPORA = Path(__file__).parent / "fixtures" / "corpora"

# The user's library: three of the sample notes' papers, each in another tool's guise, and
# entries the notes do not name (one of them holding a key the notes would take).
REFS = """\
% refs.bib of a paper in progress
@string{arxiv = {arXiv preprint arXiv:}}

@article{lehman2023clinical,
  title={Do we still need clinical language models?},
  author={Lehman, Eric and Hernandez, Evan},
  journal=arxiv # {2302.08091},
  year={2023}
}

@article{DBLP:journals/corr/abs-2307-04725,
  author = {Yuwei Guo and Ceyuan Yang},
  title = {AnimateDiff},
  journal = {CoRR},
  volume = {abs/2307.04725},
  year = {2023}
}

@inproceedings{Hu2023Thought,
  title = {Thought Cloning: Learning to Think While Acting by Imitating Human Thinking},
  author = {Hu, Shengran and Clune, Jeff},
  booktitle = {NeurIPS},
  year = {2023}
}

@book{Kirillov2023Segment,
  title = {A Different Book by Someone Else},
  author = {Nobody, Anne},
  year = {1999}
}
"""


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def entries(bibtex: str) -> dict[str, dict[str, str]]:
    library = bibtexparser.parse_string(bibtex)
    return {e.key: {f.key: f.value for f in e.fields} for e in library.entries}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A LaTeX project folder with notes and refs.bib; the current directory."""
    (tmp_path / "notes.md").write_bytes(SAMPLE.read_bytes())
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_export_writes_only_the_papers_the_library_lacks(
    arxiv_standin: ArxivStandin, project: Path
) -> None:
    result = run("export", "--library", "refs.bib", "notes.md")
    assert result.exit_code == 0, result.stderr  # two notes name no paper: kept
    found = entries(result.stdout)
    eprints = sorted(f["eprint"] for f in found.values() if "eprint" in f)
    assert eprints == ["2304.00416", "2304.02643", "2307.00522", "2307.05300"]
    # The natural key kirillov2023segment is taken (case-insensitively) by another work.
    assert "kirillov2023segmenta" in found
    assert not {k.lower() for k in found} & {
        "lehman2023clinical",
        "dblp:journals/corr/abs-2307-04725",
        "hu2023thought",
        "kirillov2023segment",
    }
    assert "notes.md:7: 2302.08091 is already in refs.bib as lehman2023clinical " in result.stderr
    assert "(arXiv id in journal)" in result.stderr
    assert (
        "2307.04725 is already in refs.bib as DBLP:journals/corr/abs-2307-04725 "
        "(arXiv id in volume)" in result.stderr
    )
    assert (
        "2306.00323 is already in refs.bib as Hu2023Thought (title and first author)"
        in result.stderr
    )
    assert "3 already in the library" in result.stderr.splitlines()[-1]


def test_merge_appends_to_the_library_and_keeps_a_backup(
    arxiv_standin: ArxivStandin, project: Path
) -> None:
    before = (project / "refs.bib").read_bytes()
    result = run("export", "--library", "refs.bib", "--merge", "-o", "refs.bib", "notes.md")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    after = (project / "refs.bib").read_bytes()
    # Each new entry follows a `% note2bib:` line that says note2bib wrote it.
    assert after.startswith(before + b"\n% note2bib: key=")
    assert (project / "refs.bib.bak").read_bytes() == before
    assert "refs.bib updated; its previous version is in refs.bib.bak" in result.stderr
    found = entries(after.decode())
    assert len(found) == 4 + 6  # the library's four, four new papers, two notes without one

    again = run("export", "--library", "refs.bib", "--merge", "-o", "refs.bib", "notes.md")
    assert (project / "refs.bib").read_bytes() == after  # idempotent
    assert (project / "refs.bib.bak").read_bytes() == before  # and the backup untouched
    assert "nothing to add; the file was not touched" in again.stderr


def test_merge_appends_biblatex_entries_to_a_biblatex_library(
    arxiv_standin: ArxivStandin, project: Path
) -> None:
    args = ["--library", "refs.bib", "--merge", "-f", "biblatex", "-o", "refs.bib"]
    result = run("export", *args, "notes.md")
    assert result.exit_code == 0, result.stderr
    after = (project / "refs.bib").read_text(encoding="utf-8")
    # Each new entry follows the `% note2bib:` line that says note2bib wrote it.
    assert after.startswith(REFS + "\n% note2bib: key=")
    assert after[len(REFS) :].split("\n")[2].startswith("@online{")
    assert (project / "refs.bib.bak").read_text(encoding="utf-8") == REFS
    found = entries(after)
    assert len(found) == 4 + 6  # the library's four, four new papers, two notes without one
    assert found["tsaban2023ledits"]["eprinttype"] == "arxiv"
    assert "lehman2023clinical" in found and "lehman2023still" not in found


def test_merge_to_stdout_writes_the_whole_library(
    arxiv_standin: ArxivStandin, project: Path
) -> None:
    result = run("export", "--library", "refs.bib", "--merge", "notes.md")
    assert result.stdout.startswith(REFS)
    assert (project / "refs.bib").read_text(encoding="utf-8") == REFS


def test_annotate_existing_adds_the_note_to_the_existing_entry_only(
    arxiv_standin: ArxivStandin, project: Path
) -> None:
    run(
        "export",
        "--library",
        "refs.bib",
        "--merge",
        "--annotate-existing",
        "-o",
        "refs.bib",
        "notes.md",
    )
    text = (project / "refs.bib").read_text(encoding="utf-8")
    found = entries(text)
    lehman = found["lehman2023clinical"]
    sample = SAMPLE.read_text(encoding="utf-8")
    note = sample[sample.index("## Do We Still") : sample.index("\n\n## Solo")]
    assert decode(lehman["annote"]) == note
    assert text.startswith("% refs.bib of a paper in progress\n")
    assert "@book{Kirillov2023Segment,\n  title = {A Different Book by Someone Else}," in text


def test_annotate_existing_says_which_entry_it_could_not_add_the_note_to(
    arxiv_standin: ArxivStandin, project: Path
) -> None:
    # BibTeX ends a quoted value at the bare `"`; bibtexparser reads on and finds the eprint.
    odd = '@misc{odd,\n  title = "\\"o",\n  eprint = {2302.08091}\n}\n'
    (project / "refs.bib").write_text(odd, encoding="utf-8")
    result = run(
        "export",
        "--library",
        "refs.bib",
        "--merge",
        "--annotate-existing",
        "-o",
        "refs.bib",
        "notes.md",
    )
    assert result.exit_code in (0, 3), result.stderr
    text = (project / "refs.bib").read_text(encoding="utf-8")
    # As it was; the other papers appended after it.
    assert text.startswith(odd + "\n% note2bib: key=")
    assert "refs.bib:1: the note was not added to odd: its fields cannot be told apart" in (
        result.stderr
    )


def test_a_library_that_would_swallow_appended_entries_is_refused_untouched(
    arxiv_standin: ArxivStandin, project: Path
) -> None:
    broken = REFS + "\n@misc{unfinished,\n  title = {Open {brace}\n"
    (project / "refs.bib").write_text(broken, encoding="utf-8")
    result = run("export", "--library", "refs.bib", "--merge", "-o", "refs.bib", "notes.md")
    assert result.exit_code == 1
    line = broken[: broken.index("@misc{unfinished")].count("\n") + 1
    assert f"refs.bib:{line}: the @misc entry unfinished is never closed" in result.stderr
    assert (project / "refs.bib").read_text(encoding="utf-8") == broken
    assert not (project / "refs.bib.bak").exists()


def test_a_messy_library_still_dedupes_with_one_warning(
    arxiv_standin: ArxivStandin, project: Path
) -> None:
    # Duplicate keys and a repeated field: bibtexparser sets such entries aside silently.
    (project / "refs.bib").write_text(
        REFS + "\n@misc{Hu2023Thought, title={Same key again}}\n"
        "@misc{sam, title={Segment Anything}, note={a}, note={b}, eprint={2304.02643}}\n",
        encoding="utf-8",
    )
    result = run("export", "--library", "refs.bib", "notes.md")
    assert "2304.02643 is already in refs.bib as sam (arXiv id in eprint)" in result.stderr
    assert (
        "1 keys are used by more than one entry (BibTeX uses the first): Hu2023Thought"
        in result.stderr
    )
    assert "1 entries repeat a field (BibTeX uses the first): sam (note)" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--merge"], "--merge needs --library"),
        (["--library", "refs.bib", "--annotate-existing"], "--annotate-existing changes"),
        (["--library", "refs.bib", "-o", "refs.bib"], "is the library itself"),
        (["--library", "lib.json", "--merge"], "--merge writes .bib libraries"),
        (
            ["--library", "refs.bib", "--merge", "-f", "ris"],
            "--merge appends BibTeX or biblatex entries to a .bib library; it cannot be "
            "combined with -f ris",
        ),
    ],
)
def test_library_option_misuse_is_a_usage_error(
    project: Path, args: list[str], message: str
) -> None:
    (project / "lib.json").write_text("[]")
    result = run("export", *args, "notes.md")
    assert result.exit_code == 2
    assert message in result.stderr
    assert (project / "refs.bib").read_text(encoding="utf-8") == REFS


def test_a_csl_json_library_dedupes_too(arxiv_standin: ArxivStandin, project: Path) -> None:
    (project / "zotero.json").write_text(
        '[{"id": "kirillovSegmentAnything2023", "type": "article", '
        '"title": "Segment Anything", "URL": "http://arxiv.org/abs/2304.02643"}]'
    )
    result = run("export", "--library", "zotero.json", "notes.md")
    assert "2304.02643 is already in zotero.json as kirillovSegmentAnything2023" in result.stderr
    assert "2304.02643" not in {f.get("eprint") for f in entries(result.stdout).values()}


def test_dedupe_lists_one_line_per_group_and_exits_0(project: Path) -> None:
    (project / "refs.bib").write_text(
        REFS + "\n@misc{lehman-again, url={https://arxiv.org/abs/2302.08091v2}}\n"
    )
    result = run("dedupe", "refs.bib")
    assert result.exit_code == 0
    assert result.stdout == (
        "lehman2023clinical (refs.bib:4), lehman-again (refs.bib:32): arXiv id 2302.08091\n"
    )


def test_dedupe_of_the_uwsbel_library_reports_its_duplicate_arxiv_ids() -> None:
    result = run("dedupe", str(CORPORA / "ml_uwsbel_refsML-AI.bib"))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert sum("arXiv id" in line for line in lines) == 11
    assert any(
        line.startswith("kingma2017adam (") and "arXiv id 1412.6980" in line for line in lines
    )


def test_stdout_redirected_onto_the_library_is_refused(
    arxiv_standin: ArxivStandin, project: Path
) -> None:
    env = {**os.environ, "NOTE2BIB_CACHE_DIR": str(project / "cache")}
    with (project / "refs.bib").open("wb") as out:  # what `> refs.bib` does before we run
        done = subprocess.run(
            [sys.executable, "-m", "note2bib", "export", "--library", "refs.bib", "notes.md"],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            check=False,
        )
    assert done.returncode == 1
    assert "stdout is refs.bib, the library itself: the shell emptied it" in done.stderr
    assert (project / "refs.bib").read_bytes() == b""  # nothing written over it


def test_every_guise_is_recognised_and_the_merge_only_appends(
    arxiv_standin: ArxivStandin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_matching import GUISES  # Scholar, arXiv export, Mendeley, DBLP, DOI, title only

    distinct = (
        "@misc{other-sam, title={Segment Anything}, author={Smith, Jane}, year={2023}}\n"
        "@misc{lehman2023notes, title={Clinical Notes Are Long}, author={Lehman, Eric},"
        " year={2023}}\n"
    )
    library = GUISES + distinct
    ids = ["2302.08091", "2304.02643", "2302.13971", "2307.04725", "1709.03221", "2306.00323"]
    notes = "".join(f"## Paper {i}\nhttps://arxiv.org/abs/{i}\n\n" for i in [*ids, "2307.05300"])
    (tmp_path / "notes.md").write_text(notes)
    (tmp_path / "refs.bib").write_text(library)
    monkeypatch.chdir(tmp_path)
    result = run("export", "--library", "refs.bib", "--merge", "-o", "refs.bib", "notes.md")
    assert result.exit_code == 0, result.stderr
    merged = (tmp_path / "refs.bib").read_text()
    assert merged.startswith(library)
    appended = entries(merged[len(library) :])
    assert list(appended) == ["wang2023unleashing"]
    for key in [
        "lehman2023clinical",
        "kirillov2023segment",
        "Touvron2023",
        "DBLP:journals/corr/abs-2307-04725",
        "galhotra2017fairness",
        "hu2023thought",
    ]:
        assert f"is already in refs.bib as {key} (" in result.stderr
    assert "other-sam" not in result.stderr and "lehman2023notes" not in result.stderr


# An arXiv id in a library entry's free text may name another paper.

LEDITS_NOTE = "## LEDITS\nDDPM inversion.\npaper: https://arxiv.org/abs/2307.00522\n"
DOE = (
    "@article{{doe2023,\n  title = {{Some paper on editing}},\n  author = {{Doe, Jane}},\n"
    "  {}\n}}\n"
)


@pytest.mark.parametrize(
    "field",
    [
        "note = {see also arXiv:2307.00522 for a related method}",
        "note = {Related: https://arxiv.org/abs/2307.00522}",
        "note = {cf. arXiv 2307.00522}",
        "annote = {We extend the preprint https://arxiv.org/abs/2307.00522 to video}",
        "abstract = {Unlike LEDITS (arXiv:2307.00522), we edit videos.}",
        "comment = {compare 10.48550/arXiv.2307.00522}",
    ],
)
def test_an_id_another_papers_note_mentions_does_not_make_it_that_paper(
    arxiv_standin: ArxivStandin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, field: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("notes.md").write_text(LEDITS_NOTE)
    library = DOE.format(field)
    Path("l2.bib").write_text(library)
    result = run("export", "--library", "l2.bib", "notes.md")
    assert result.exit_code == 0, result.stderr
    assert "already in" not in result.stderr
    assert [f.get("eprint") for f in entries(result.stdout).values()] == ["2307.00522"]

    args = ["--library", "l2.bib", "--merge", "--annotate-existing", "-o", "l2.bib"]
    result = run("export", *args, "notes.md")
    assert result.exit_code == 0, result.stderr
    merged = Path("l2.bib").read_text()
    # Doe's entry untouched; LEDITS appended after the `% note2bib:` line that says who wrote it
    assert merged.startswith(library + "\n% note2bib: key=tsaban2023ledits ")
    assert merged[len(library) :].split("\n")[2] == "@misc{tsaban2023ledits,"
    assert "DDPM inversion" not in merged[: len(library)]

    assert run("dedupe", "l2.bib").stdout == ""  # LEDITS appended; Doe's is not it


@pytest.mark.parametrize(
    ("entry", "how"),
    [
        (DOE.format("note = {arXiv:2307.00522}"), "arXiv id in note"),
        (DOE.format("note = {arXiv preprint arXiv:2307.00522}"), "arXiv id in note"),
        (DOE.format("annote = {\\url{https://arxiv.org/abs/2307.00522v2}}"), "arXiv id in annote"),
        # The journal version of the preprint, renamed: its first author says it is the paper.
        (
            "@article{tsaban2024,\n  title = {Editing Real Images with Semantic Guidance},\n"
            "  author = {Tsaban, Linoy},\n  note = {Extends arXiv:2307.00522 with videos}\n}\n",
            "arXiv id in note, and the same first author",
        ),
    ],
)
def test_an_id_that_is_the_entrys_own_still_makes_it_the_paper(
    arxiv_standin: ArxivStandin,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    entry: str,
    how: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("notes.md").write_text(LEDITS_NOTE)
    Path("l2.bib").write_text(entry)
    result = run("export", "--library", "l2.bib", "notes.md")
    assert result.exit_code == 0, result.stderr
    assert "2307.00522 is already in l2.bib as " in result.stderr
    assert f"({how})" in result.stderr
    assert result.stdout == ""


def test_dedupe_joins_an_entry_mentioning_an_id_only_when_title_or_author_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("l2.bib").write_text(
        "@misc{ledits, title={LEDITS: Real Image Editing with DDPM Inversion and Semantic "
        "Guidance}, author={Tsaban, Linoy}, eprint={2307.00522}}\n"
        + DOE.format("note = {see also arXiv:2307.00522 for a related method}")
        + "@article{tsaban2024, title={Editing Real Images}, author={Linoy Tsaban},"
        " note={Extends arXiv:2307.00522}}\n"
    )
    result = run("dedupe", "l2.bib")
    assert result.stdout == "ledits (l2.bib:1), tsaban2024 (l2.bib:7): arXiv id 2307.00522\n"


# Different works of one title and author: a thesis and an article, a book and a chapter,
# entries years apart. As lab_cdl.bib has them (Ekstrom's co-authors cut short).
WORKING_MEMORY = """\
@book{Badd86,
	Address = {Oxford, {UK}},
	Author = {A D Baddeley},
	Publisher = {Clarendon Press},
	Title = {Working memory},
	Year = {1986}}

@incollection{BaddHitc74,
	Address = {New York, {NY}},
	Author = {A D Baddeley and G J Hitch},
	Booktitle = {The Psychology of Learning and Motivation: Advances in Research and Theory},
	Editor = {Gordon H Bower},
	Pages = {47--90},
	Publisher = {Academic Press},
	Title = {Working memory},
	Volume = {8},
	Year = {1974}}

@article{EkstEtal03,
	Author = {A D Ekstrom and M J Kahana and J B Caplan and T A Fields},
	Journal = {Nature},
	Pages = {184--187},
	Title = {Cellular networks underlying human spatial navigation},
	Volume = {425},
	Year = {2003}}

@phdthesis{Ekst04,
	Author = {Arne D Ekstrom},
	School = {Brandeis University},
	Title = {The cellular networks underlying human spatial navigation},
	Year = {2004}}
"""


def test_dedupe_keeps_a_book_and_a_chapter_a_thesis_and_an_article_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("lab_cdl.bib").write_text(
        WORKING_MEMORY + "@misc{again, title={Working Memory},"
        " author={Baddeley, Alan}, year={1987}}\n"
    )
    result = run("dedupe", "lab_cdl.bib")
    assert result.exit_code == 0
    # The 1986 book typed twice is one work; the 1974 chapter and the thesis are others.
    assert (
        result.stdout == "Badd86 (lab_cdl.bib:1), again (lab_cdl.bib:32): title and first author\n"
    )


@pytest.mark.parametrize(
    ("entry", "is_the_paper"),
    [
        pytest.param("@inproceedings{hu, {}, year={2023}}", True, id="same-year"),
        # arXiv dates it 2023 (v1) to 2024 (latest): its journal version may be dated 2025.
        pytest.param("@article{hu, {}, year={2025}}", True, id="published-later"),
        pytest.param("@misc{hu, {}}", True, id="no-year"),
        pytest.param("@article{hu, {}, year={2026}}", False, id="years-later"),
        pytest.param("@article{hu, {}, year={2021}}", False, id="years-earlier"),
        pytest.param("@phdthesis{hu, {}, school={UBC}, year={2023}}", False, id="thesis"),
        pytest.param("@book{hu, {}, year={2024}}", False, id="book"),
    ],
)
def test_a_note_matches_a_library_title_only_with_compatible_years_and_types(
    arxiv_standin: ArxivStandin,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    entry: str,
    is_the_paper: bool,
) -> None:
    monkeypatch.chdir(tmp_path)
    fields = (
        "title={Thought Cloning: Learning to Think while Acting by Imitating Human Thinking},"
        " author={Hu, Shengran}"
    )
    Path("refs.bib").write_text(entry.replace("{}", fields) + "\n")
    Path("notes.md").write_text("## Thought Cloning\narXiv:2306.00323\n")
    result = run("export", "--library", "refs.bib", "notes.md")
    assert result.exit_code == 0, result.stderr
    if is_the_paper:
        assert "2306.00323 is already in refs.bib as hu (title and first author)" in result.stderr
        assert result.stdout == ""
    else:
        assert "already in" not in result.stderr
        assert "2306.00323" in {f.get("eprint") for f in entries(result.stdout).values()}


def test_a_key_used_three_times_counts_once_and_titles_are_quoted_one_way(
    arxiv_standin: ArxivStandin, project: Path
) -> None:
    (project / "refs.bib").write_text(
        REFS + "\n@misc{Hu2023Thought, title={Again}}\n@misc{Hu2023Thought, title={Thrice}}\n"
        "@misc{lehman2023clinical, title={Twice}}\n",
        encoding="utf-8",
    )
    args = ["export", "--library", "refs.bib", "--merge", "-o", "refs.bib", "notes.md"]
    run(*args)
    again = run(*args)
    assert (
        "refs.bib: 2 keys are used by more than one entry (BibTeX uses the first): "
        "Hu2023Thought, lehman2023clinical\n"
    ) in again.stderr
    # A note without a paper is named by its heading, quoted as every title is.
    assert '"Download LLaMA weights" is already in refs.bib as downloadllama (the note it was' in (
        again.stderr
    )
