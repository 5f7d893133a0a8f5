"""Notes that name their paper only by title, as a user runs `note2bib export` on them."""

from __future__ import annotations

from pathlib import Path

import bibtexparser
from click.testing import CliRunner, Result

from note2bib.arxiv.api import TRIES, ArxivClient
from note2bib.cli import main
from note2bib.latex import decode

from arxiv_standin import ArxivStandin


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def entries(bibtex: str) -> dict[str, dict[str, str]]:
    library = bibtexparser.parse_string(bibtex)
    assert not library.failed_blocks
    return {e.key: {f.key: decode(f.value) for f in e.fields} for e in library.entries}


def notes(tmp_path: Path, text: str) -> str:
    path = tmp_path / "notes.md"
    path.write_text(text, encoding="utf-8")
    return str(path)


def searches(server: ArxivStandin) -> list[str]:
    return [r.query["search_query"][0] for r in server.requests if not r.id_list]


def test_a_title_arxiv_has_is_found_even_when_not_ranked_first(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    with ArxivClient(arxiv_standin.url, delay=0) as client:
        ranked = client.search("ti:brief OR ti:history OR ti:of OR ti:the OR ti:internet").papers
    assert ranked[0].id.base != "cs/9901011"  # the stand-in ranks another paper first
    path = notes(tmp_path, "## A Brief History of the Internet (99.1)\n읽어볼 것.\n")
    result = run("export", "-v", path)
    assert result.exit_code == 0, result.stderr
    (entry,) = entries(result.stdout).values()
    assert entry["eprint"] == "cs/9901011"
    assert entry["title"] == "A Brief History of the Internet"
    assert entry["annote"] == "## A Brief History of the Internet (99.1)\n읽어볼 것."
    assert f'{path}:1: "A Brief History of the Internet" found on arXiv by its title: ' in (
        result.stderr
    )
    assert "1 of 1 found by title, 1 search request" in result.stderr


def test_near_misses_stay_unresolved_and_verbose_shows_the_best_candidate(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    path = notes(
        tmp_path,
        "## DNA Screening: Efficient Two-Stage Group Testing Algorithms\nreordered\n\n"
        "## Efficient Two-Stage Group Testing Algorithms\nsubtitle missing\n\n"
        "## Efficient Two-Stage Group Testing Algorithms for RNA Screening\none word\n\n"
        "## Computable Integrability. Chapter 3: Riccati equation\nanother chapter\n",
    )
    result = run("export", "-v", path)
    assert result.exit_code == 0  # searched and not found: kept by design
    assert all("eprint" not in e for e in entries(result.stdout).values())
    assert len(entries(result.stdout)) == 4
    assert (
        f'{path}:7: no certain arXiv match for "Efficient Two-Stage Group Testing Algorithms '
        'for RNA Screening"; best candidate 1106.3680 "Efficient Two-Stage Group Testing '
        'Algorithms for DNA Screening" (similarity 98.4: the titles differ in "rna" / "dna")'
    ) in result.stderr
    assert "best candidate math-ph/0509024" in result.stderr
    assert "0 of 4 found by title" in result.stderr
    quiet = run("export", path)
    assert "best candidate" not in quiet.stderr  # only with -v


def test_a_second_run_sends_no_request_and_decides_the_same(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    path = notes(
        tmp_path,
        "## Fairness Testing: Testing Software for Discrimination\n공정성 테스트\n\n"
        "## Efficient Two-Stage Group Testing Algorithms\n(어느 쪽인지 모름)\n",
    )
    first = run("export", path)
    asked = len(arxiv_standin.requests)
    assert asked == 2
    second = run("export", path)
    assert len(arxiv_standin.requests) == asked
    assert second.stdout == first.stdout
    assert "1 of 2 found by title, 0 search requests" in second.stderr
    offline = run("export", "--offline", path)
    assert offline.stdout == first.stdout  # cached searches count offline too


def test_offline_with_a_cold_cache_does_not_search(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    path = notes(tmp_path, "## Fairness Testing: Testing Software for Discrimination\nx\n")
    result = run("export", "--offline", "-v", path)
    assert arxiv_standin.requests == []
    assert result.exit_code == 3  # the next run, online, may find it
    assert "was not searched on arXiv (--offline, and not in the cache)" in result.stderr
    assert (
        f'{path}:1: "Fairness Testing: Testing Software for Discrimination" could not be '
        "looked up on arXiv by its title (--offline, and not in the cache); kept as"
    ) in result.stderr
    assert result.stderr.endswith(", 1 unresolved\n")


def test_no_search_turns_title_search_off(arxiv_standin: ArxivStandin, tmp_path: Path) -> None:
    path = notes(tmp_path, "## Fairness Testing: Testing Software for Discrimination\nx\n")
    result = run("export", "--no-search", path)
    assert arxiv_standin.requests == []
    assert result.exit_code == 0
    (entry,) = entries(result.stdout).values()
    assert "eprint" not in entry


def test_a_paper_found_by_title_and_linked_elsewhere_is_one_entry(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    path = notes(
        tmp_path,
        "## Fairness Testing: Testing Software for Discrimination\n제목만\n\n"
        "## Themis\nhttps://arxiv.org/abs/1709.03221 와 같은 논문\n",
    )
    result = run("export", path)
    assert result.exit_code == 0, result.stderr
    (entry,) = entries(result.stdout).values()
    assert entry["eprint"] == "1709.03221"
    assert entry["annote"].startswith("## Fairness Testing")
    assert entry["annote"].endswith("와 같은 논문")


def test_authors_or_year_the_note_gives_must_agree(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    path = notes(
        tmp_path,
        "## Fairness Testing: Testing Software for Discrimination (2017)\n"
        "Authors: Sainyam Galhotra, Yuriy Brun, Alexandra Meliou\n\n"
        "## Segment Anything (2019)\nthe year is wrong\n",
    )
    found = entries(run("export", path).stdout)
    assert [e.get("eprint") for e in found.values()] == ["1709.03221", None]


def test_search_failure_is_reported_once_and_the_notes_are_kept(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    path = notes(tmp_path, "## Fairness Testing: Testing Software for Discrimination\nx\n")
    arxiv_standin.fail_next(TRIES, status=503)
    result = run("export", path)
    assert result.exit_code == 3
    assert (
        f"title search stopped: arXiv was unavailable (HTTP 503); gave up after {TRIES} tries"
        in result.stderr
    )
    assert f'{path}:1: "Fairness Testing: Testing Software for Discrimination" could not be ' in (
        result.stderr
    )
    skipped = run("export", "--unresolved", "skip", "--offline", path)
    assert skipped.exit_code == 3  # left out, but still missing
    assert skipped.stdout == ""
    assert len(entries(result.stdout)) == 1
    assert "Traceback" not in result.stderr
