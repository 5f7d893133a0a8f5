"""The command line as a user runs it: what lands on stdout, stderr, disk, and what arXiv saw."""

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
from terminal import stderr_on_a_terminal as on_a_terminal

SEED = Path(__file__).parent / "fixtures" / "seed-notes.md"
SAMPLE = Path(__file__).parent.parent / "samples" / "notes.md"
SEED_IDS = [
    "2302.08091",
    "2307.05300",
    "2307.04725",
    "2306.00323",
    "2307.00522",
    "2304.00416",
    "2304.02643",
]


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def entries(bibtex: str) -> dict[str, dict[str, str]]:
    library = bibtexparser.parse_string(bibtex)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    return {e.key: {f.key: f.value for f in e.fields} for e in library.entries}


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    path = tmp_path / "notes.md"
    path.write_bytes(SAMPLE.read_bytes())
    return path


def test_export_writes_one_entry_per_paper_and_only_bibtex_to_stdout(
    arxiv_standin: ArxivStandin, notes: Path
) -> None:
    result = run("export", str(notes))
    assert result.exit_code == 0, result.stderr  # two notes name no paper: kept, warned
    found = entries(result.stdout)
    eprints = sorted(f["eprint"] for f in found.values() if "eprint" in f)
    assert eprints == sorted(SEED_IDS)
    assert len(found) == len(SEED_IDS) + 2
    # One request for the ids; the two notes without an id are asked for together, then,
    # arXiv having no title that holds either, each on its own by any of its words.
    id_requests = [r for r in arxiv_standin.requests if r.id_list]
    searches = [r.query["search_query"][0] for r in arxiv_standin.requests if not r.id_list]
    assert len(id_requests) == 1
    assert sorted(id_requests[0].id_list) == sorted(SEED_IDS)
    assert searches == [
        'ti:"openai\'s gpt 2" OR ti:"download llama weights"',
        "ti:openai OR ti:gpt OR ti:2",
        "ti:download OR ti:llama OR ti:weights",
    ]
    assert "@" not in result.stderr.replace("note2bib:", "")
    assert result.stderr.strip().splitlines()[-1] == (
        # 11: the paragraph of the Segment Anything note that mentions LEDITS is LEDITS's too.
        "note2bib: 11 notes, 7 papers (0 from cache, 7 fetched in 1 request; "
        "0 of 2 found by title, 3 search requests), 2 notes name no arXiv paper (kept as "
        "entries of their own), 0 unresolved"
    )


def test_the_summary_counts_one_note_and_one_paper_in_the_singular(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    one = tmp_path / "one.md"
    one.write_text("## Segment Anything\nhttps://arxiv.org/abs/2304.02643\n", encoding="utf-8")
    result = run("export", str(one))
    assert result.exit_code == 0
    assert result.stderr.strip().splitlines()[-1] == (
        "note2bib: 1 note, 1 paper (0 from cache, 1 fetched in 1 request), 0 unresolved"
    )


def test_second_run_sends_no_request_and_gives_the_same_bytes(
    arxiv_standin: ArxivStandin, notes: Path
) -> None:
    first = run("export", str(notes))
    asked = len(arxiv_standin.requests)
    second = run("export", str(notes))
    assert len(arxiv_standin.requests) == asked
    assert second.stdout == first.stdout
    assert "7 from cache, 0 fetched in 0 requests" in second.stderr


def test_notes_come_back_exactly_from_annote(arxiv_standin: ArxivStandin, notes: Path) -> None:
    found = entries(run("export", str(notes)).stdout)
    by_eprint = {f.get("eprint"): f for f in found.values()}
    text = notes.read_text(encoding="utf-8")
    sam_note = text[text.index("## Segment Anything") : text.index("\n\n## 비교 메모")]
    compare = text[text.index("## 비교 메모") : text.index("\n\n## OpenAI")]
    assert decode(by_eprint["2304.02643"]["annote"]) == sam_note
    # LEDITS, cited inside the Segment Anything note, gets the paragraph citing it, under the
    # heading it was filed under; not the whole note about another paper.
    citing = sam_note.split("\n", 1)[1]
    assert decode(by_eprint["2307.00522"]["annote"]).endswith("\n\nSegment Anything\n" + citing)
    assert decode(by_eprint["2307.04725"]["annote"]).endswith("\n\n" + compare)


def test_the_seed_notes_resolve_every_linked_paper(arxiv_standin: ArxivStandin) -> None:
    result = run("export", str(SEED))
    found = entries(result.stdout)
    assert sorted(f["eprint"] for f in found.values() if "eprint" in f) == sorted(SEED_IDS)
    unresolved = [f for f in found.values() if "eprint" not in f]
    assert sorted(decode(f["title"]) for f in unresolved) == [
        "Download LLaMA from meta.",
        "OpenAi's GPT-2",
    ]
    assert f"{SEED}:60: " in result.stderr  # the GPT-2 heading's line
    # Title search ran for both and took neither; their links are kept.
    by_title = {decode(f["title"]): f for f in unresolved}
    gpt2, llama = by_title["OpenAi's GPT-2"], by_title["Download LLaMA from meta."]
    assert gpt2["url"] == "https://openai.com/blog/better-language-models"
    assert "https://openai.com/blog/better-language-models" in decode(gpt2["annote"])
    assert llama["url"].startswith("https://raw.githubusercontent.com/shawwn/llama-dl/")
    assert decode(llama["annote"]).count("https://raw.githubusercontent.com/shawwn/") == 2
    assert "0 of 2 found by title" in result.stderr
    assert "does not match" not in result.stderr  # 2307.05300's v1 title is no false alarm


def test_offline_with_a_cold_cache_opens_no_connection(
    arxiv_standin: ArxivStandin, notes: Path
) -> None:
    result = run("export", "--offline", str(notes))
    assert arxiv_standin.requests == []
    assert result.exit_code == 3
    found = entries(result.stdout)
    assert len(found) == len(SEED_IDS) + 2
    assert "2304.02643: not in the cache and --offline was given" in result.stderr


def test_offline_after_a_run_uses_the_cache(arxiv_standin: ArxivStandin, notes: Path) -> None:
    online = run("export", str(notes))
    asked = len(arxiv_standin.requests)
    offline = run("export", "--offline", str(notes))
    assert len(arxiv_standin.requests) == asked
    assert offline.stdout == online.stdout


def test_refresh_asks_arxiv_again(arxiv_standin: ArxivStandin, notes: Path) -> None:
    run("export", str(notes))
    first = list(arxiv_standin.requests)
    run("export", "--refresh", str(notes))
    again = arxiv_standin.requests[len(first) :]
    assert [r.query for r in again] == [r.query for r in first]  # ids and title searches


def test_arxiv_unreachable_writes_what_the_notes_hold_and_exits_3(notes: Path) -> None:
    # conftest points NOTE2BIB_ARXIV_API at a loopback port where nothing listens.
    result = run("export", str(notes))
    assert result.exit_code == 3
    found = entries(result.stdout)
    assert len(found) == len(SEED_IDS) + 2
    sam = next(f for f in found.values() if f.get("eprint") == "2304.02643")
    assert sam["url"] == "https://arxiv.org/abs/2304.02643"
    assert "Traceback" not in result.stderr
    assert f"{notes}:43: 2304.02643: arXiv could not be reached" in result.stderr


def test_unknown_id_is_reported_not_fatal(arxiv_standin: ArxivStandin, tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    path.write_text("## Real\narXiv:2304.02643\n\n## Typo\nhttps://arxiv.org/abs/2307.99999\n")
    result = run("export", str(path))
    assert result.exit_code == 3
    assert f"{path}:5: 2307.99999: arXiv has no paper with this id" in result.stderr
    assert set(entries(result.stdout)) == {"kirillov2023segment", "arxiv230799999"}


def test_ids_are_batched_100_per_request(arxiv_standin: ArxivStandin, tmp_path: Path) -> None:
    ids = [f"2101.{n:05d}" for n in range(1, 151)]
    path = tmp_path / "many.md"
    path.write_text("".join(f"## Paper {i}\narXiv:{i}\n\n" for i in ids))
    run("export", "-q", str(path))
    # No fixture has these ids: the 150 arXiv left out are asked for once more, 100 at a time.
    assert [len(r.id_list) for r in arxiv_standin.requests] == [100, 50, 100, 50]


def test_unresolved_skip_leaves_out_notes_without_a_paper(
    arxiv_standin: ArxivStandin, notes: Path
) -> None:
    result = run("export", "--unresolved", "skip", str(notes))
    assert result.exit_code == 0
    assert len(entries(result.stdout)) == len(SEED_IDS)


def test_unresolved_skip_leaves_out_an_unknown_id_but_the_result_is_incomplete(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    path = tmp_path / "n.md"
    path.write_text("## Real\narXiv:2304.02643\n\n## Typo\nhttps://arxiv.org/abs/2307.99999\n")
    result = run("export", "--unresolved", "skip", str(path))
    assert result.exit_code == 3
    assert set(entries(result.stdout)) == {"kirillov2023segment"}
    assert f"{path}:5: 2307.99999: arXiv has no paper with this id; left out" in result.stderr
    assert result.stderr.endswith(", 1 unresolved\n")


def test_unresolved_error_writes_nothing_and_keeps_the_old_file(
    arxiv_standin: ArxivStandin, notes: Path, tmp_path: Path
) -> None:
    out = tmp_path / "refs.bib"
    out.write_text("% my old bibliography\n")
    result = run("export", "--unresolved", "error", "-o", str(out), str(notes))
    assert result.exit_code == 3  # what was asked for is missing; nothing written
    assert "2 entries have no arXiv paper and --unresolved error was given" in result.stderr
    assert out.read_text() == "% my old bibliography\n"
    assert result.stdout == ""


def test_output_file_gets_the_same_bibliography(
    arxiv_standin: ArxivStandin, notes: Path, tmp_path: Path
) -> None:
    out = tmp_path / "refs.bib"
    to_file = run("export", "-o", str(out), str(notes))
    assert to_file.stdout == ""
    assert out.read_text(encoding="utf-8") == run("export", str(notes)).stdout


@pytest.mark.parametrize(
    ("args", "name", "starts"),
    [
        pytest.param(["-o", "refs.json"], "refs.json", "[\n  {\n", id="json-suffix"),
        pytest.param(["-o", "zotero.RIS"], "zotero.RIS", "TY  - MANSCPT\n", id="ris-suffix"),
        pytest.param(["-o", "refs.bib"], "refs.bib", "@misc{", id="bib-suffix"),
        pytest.param(["-f", "biblatex", "-o", "refs.bib"], "refs.bib", "@online{", id="biblatex"),
        pytest.param(["-f", "RIS", "-o", "refs.txt"], "refs.txt", "TY  - ", id="name-wins"),
        pytest.param(["-o", "refs.txt"], "refs.txt", "@misc{", id="unknown-suffix"),
    ],
)
def test_format_by_name_or_by_output_suffix(
    arxiv_standin: ArxivStandin,
    notes: Path,
    tmp_path: Path,
    args: list[str],
    name: str,
    starts: str,
) -> None:
    args = [str(tmp_path / a) if a == name else a for a in args]
    result = run("export", *args, str(notes))
    assert result.exit_code == 0, result.stderr  # two notes name no paper: kept
    assert result.stdout == ""
    assert (tmp_path / name).read_text(encoding="utf-8").startswith(starts)


@pytest.mark.parametrize("fmt", ["biblatex", "csl-json", "ris"])
def test_every_format_goes_to_stdout_alone(
    arxiv_standin: ArxivStandin, notes: Path, fmt: str
) -> None:
    result = run("export", "-f", fmt, str(notes))
    assert result.exit_code == 0
    assert "note2bib:" not in result.stdout and "names no arXiv paper" in result.stderr
    assert "의료 텍스트만으로" in result.stdout  # the notes, UTF-8, in every format


def test_stdin_is_read_for_dash(arxiv_standin: ArxivStandin) -> None:
    result = run("export", "-", stdin="## SAM\nhttps://arxiv.org/abs/2304.02643\n")
    assert result.exit_code == 0
    assert set(entries(result.stdout)) == {"kirillov2023segment"}


def test_several_files_are_one_bibliography(arxiv_standin: ArxivStandin, tmp_path: Path) -> None:
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text("## SAM\narXiv:2304.02643\n")
    b.write_text("## SAM, again\nhttps://arxiv.org/pdf/2304.02643v1\n")
    found = entries(run("export", str(a), str(b)).stdout)
    (sam,) = found.values()
    assert decode(sam["annote"]) == (
        "## SAM\narXiv:2304.02643\n\n## SAM, again\nhttps://arxiv.org/pdf/2304.02643v1"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["export"], "Missing argument", id="no-notes"),
        pytest.param(["export", "-f", "docx", "n.md"], "Invalid value for '-f'", id="bad-format"),
        pytest.param(["export", "--unresolved", "maybe", "n.md"], "is not one of", id="bad-choice"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_unknown_format_lists_the_known_ones() -> None:
    result = CliRunner().invoke(main, ["export", "--format", "endnote", "n.md"])
    assert result.exit_code == 2
    assert all(f"'{name}'" in result.stderr for name in ("bibtex", "biblatex", "csl-json", "ris"))


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        pytest.param("NOTE2BIB_ARXIV_API", "ftp://mirror/api", "http(s) URL", id="api-scheme"),
        pytest.param("NOTE2BIB_ARXIV_DELAY", "soon", "not a number", id="delay-text"),
        pytest.param("NOTE2BIB_ARXIV_DELAY", "-1", "must not be negative", id="delay-negative"),
    ],
)
def test_bad_settings_are_one_sentence_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, notes: Path, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["export", str(notes)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_notes_that_are_not_utf8_are_one_sentence_and_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes("## Caf\xe9\narXiv:2304.02643\n".encode("latin-1"))
    result = run("export", str(path))
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"note2bib: {path}:1: not UTF-8 (byte 0xe9 at offset 6); save the file as UTF-8, "
        "or name its encoding with --encoding\n"
    )
    assert result.stdout == ""


def test_missing_notes_file_exits_1(tmp_path: Path) -> None:
    result = run("export", str(tmp_path / "absent.md"))
    assert result.exit_code == 1
    assert "absent.md: no such file" in result.stderr


def test_ids_lists_each_unit_with_its_line_kind_title_and_ids(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    path.write_text(
        "# Notes\n\n## SAM\nsee https://arxiv.org/abs/2304.02643v1\n\n"
        "## Reading list\n- [LEDITS](https://arxiv.org/abs/2307.00522)\n"
        "- [Attention Is All You Need](https://papers.nips.cc/paper/7181)\n"
    )
    result = run("ids", str(path))
    assert result.exit_code == 0
    assert result.stdout == (
        f"{path}:3\tsection\tSAM\t2304.02643v1\n"
        f"{path}:7\titem\tLEDITS\t2307.00522\n"
        f"{path}:8\titem\tAttention Is All You Need\t-\n"
    )
    assert result.stderr == "note2bib: 2 arXiv ids in 3 units\n"


def test_ids_counts_one_id_in_one_unit_in_the_singular(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    path.write_text("## SAM\nsee https://arxiv.org/abs/2304.02643\n")
    assert run("ids", str(path)).stderr == "note2bib: 1 arXiv id in 1 unit\n"


def test_ids_says_what_reading_left_out(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    path.write_text("---\nauthors: [[A]], [[B]]\n---\n## SAM\nhttps://arxiv.org/abs/2304.02643\n")
    result = run("ids", str(path))
    assert result.exit_code == 0
    assert result.stdout == f"{path}:4\tsection\tSAM\t2304.02643\n"
    assert result.stderr.startswith(f"{path}:2: the front matter is not valid YAML")


def test_quiet_keeps_stderr_empty_on_warnings(arxiv_standin: ArxivStandin, notes: Path) -> None:
    result = run("export", "-q", str(notes))
    assert result.stderr == ""
    assert result.exit_code == 0


def test_verbose_reports_conflicting_pinned_versions(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    path = tmp_path / "n.md"
    path.write_text("## SPP\narxiv.org/abs/2307.05300v1 and arxiv.org/abs/2307.05300v3\n")
    quiet = run("export", str(path))
    loud = run("export", "-v", str(path))
    message = "the notes link to versions v1, v3 of 2307.05300; the url keeps v3"
    assert message not in quiet.stderr
    assert message in loud.stderr


@pytest.mark.parametrize(
    "command",
    [
        pytest.param([sys.executable, "-m", "note2bib"], id="python-m"),
        pytest.param([str(Path(sys.executable).parent / "note2bib")], id="console-script"),
    ],
)
def test_installed_entry_points_run(command: list[str], tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    path.write_text("## SAM\nhttps://arxiv.org/abs/2304.02643\n")
    env = {**os.environ, "NOTE2BIB_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run(
        [*command, "export", "--offline", str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout.startswith("@misc{arxiv230402643,")
    assert "not in the cache and --offline was given" in proc.stderr


def test_output_onto_a_notes_file_is_refused(notes: Path) -> None:
    before = notes.read_bytes()
    result = run("export", "-o", str(notes), str(notes))
    assert result.exit_code == 2
    assert "is one of the notes files" in result.stderr
    assert notes.read_bytes() == before


def test_a_file_without_notes_is_reported(tmp_path: Path) -> None:
    empty = tmp_path / "empty.md"
    empty.write_text("")
    result = run("export", str(empty))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert f"{empty}: no notes found in this file" in result.stderr


def test_progress_bar_on_a_terminal_only_when_several_requests(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    many = tmp_path / "many.md"
    many.write_text("".join(f"## P{n}\narXiv:2101.{n:05d}\n\n" for n in range(1, 151)))
    one = tmp_path / "one.md"
    one.write_text("## SAM\narXiv:2304.02643\n")
    env = {**os.environ, "NOTE2BIB_CACHE_DIR": str(tmp_path / "cache")}

    def stderr_on_a_terminal(path: Path) -> str:
        stderr = on_a_terminal(["export", str(path)], tmp_path / "out.bib", env)
        assert (tmp_path / "out.bib").read_bytes().startswith(b"@misc{")
        return stderr

    assert "asking arXiv" in stderr_on_a_terminal(many)
    assert "asking arXiv" not in stderr_on_a_terminal(one)


def test_a_huge_heading_is_quoted_cut_to_a_readable_length(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    path = tmp_path / "n.md"
    path.write_text("## " + "a pasted paragraph " * 10_000 + "\nno link\n")  # 190 kB heading
    result = run("export", "--no-search", str(path))
    assert result.exit_code == 0, result.stderr
    # The file's path is as long as the test's temporary folder; the rest of a line is cut.
    assert all(len(line.replace(str(path), "")) < 300 for line in result.stderr.splitlines())
    assert f'{path}:1: "a pasted paragraph a pasted paragraph' in result.stderr
    assert '…" names no arXiv paper; kept as pastedparagraph with the note' in (result.stderr)


def test_skipped_notes_are_reported_as_left_out(arxiv_standin: ArxivStandin, notes: Path) -> None:
    result = run("export", "--unresolved", "skip", str(notes))
    assert f'{notes}:54: "Download LLaMA weights" names no arXiv paper; left out\n' in (
        result.stderr
    )
    assert "kept as" not in result.stderr
    assert result.stderr.endswith("2 notes name no arXiv paper (left out), 0 unresolved\n")
