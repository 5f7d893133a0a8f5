"""Notes that name their paper only by title, as a user runs `note2bib export` on them."""

from __future__ import annotations

import os
from pathlib import Path

import bibtexparser
from click.testing import CliRunner, Result

from note2bib.arxiv.api import TRIES, ArxivClient, query_url
from note2bib.arxiv.cache import Cache
from note2bib.arxiv.search import Batching, batch_query, title_query
from note2bib.arxiv.title_search import find_by_title
from note2bib.cli import main
from note2bib.latex import decode
from note2bib.model import Paper, Unit
from note2bib.notes.mentions import UnitIds
from note2bib.titles import looks_like_title

from arxiv_standin import ArxivStandin, load_entries
from fixture_papers import fixture_paper
from terminal import stderr_on_a_terminal


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
    # One request for both titles: the second one's phrase is in two recorded titles, so
    # arXiv gave every title holding it, and a search of its own could add nothing.
    assert searches(arxiv_standin) == [
        'ti:"fairness testing testing software for discrimination"'
        ' OR ti:"efficient two stage group testing algorithms"'
    ]
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


# --- Many titles: several in one request ---------------------------------------------------


def recorded(count: int) -> list[Paper]:
    """The first `count` recorded papers whose title a note could be headed with."""
    papers = [fixture_paper(base) for base in sorted(load_entries())]
    return [p for p in papers if looks_like_title(p.title) and "$" not in p.title][:count]


def test_many_titles_are_asked_ten_at_a_time(arxiv_standin: ArxivStandin, tmp_path: Path) -> None:
    papers = recorded(12)
    path = notes(tmp_path, "".join(f"## {p.title}\n메모\n\n" for p in papers))
    result = run("export", "-v", path)
    assert result.exit_code == 0, result.stderr
    assert sorted(e["eprint"] for e in entries(result.stdout).values()) == sorted(
        p.id.base for p in papers
    )
    asked = [r for r in arxiv_standin.requests if not r.id_list]
    assert [r.query["search_query"][0].count(" OR ti:") + 1 for r in asked] == [10, 2]
    assert [r.query["max_results"][0] for r in asked] == ["100", "100"]
    assert "12 of 12 found by title, 2 search requests" in result.stderr
    assert (
        "title search: 12 titles asked of arXiv in 2 requests (0.17 per title): "
        "2 for several titles at once, 0 for one"
    ) in result.stderr


# arXiv's title is "$ω$Test: …": no title there holds the phrase "ωtest webview …".
OMEGA_AND_FAIRNESS = (
    "## ωTest: WebView-Oriented Testing for Android Applications\nx\n\n"
    "## Fairness Testing: Testing Software for Discrimination\ny\n"
)


def test_a_title_arxiv_writes_otherwise_is_then_searched_alone(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    path = notes(tmp_path, OMEGA_AND_FAIRNESS)
    result = run("export", path)
    assert result.exit_code == 0, result.stderr
    assert sorted(e["eprint"] for e in entries(result.stdout).values()) == [
        "1709.03221",
        "2306.03845",
    ]
    assert searches(arxiv_standin) == [
        'ti:"ωtest webview oriented testing for android applications"'
        ' OR ti:"fairness testing testing software for discrimination"',
        "ti:ωtest OR ti:webview OR ti:oriented OR ti:testing OR ti:for OR ti:android"
        " OR ti:applications",
    ]


def test_a_title_a_full_answer_may_have_left_out_is_searched_alone(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    genetic = fixture_paper("1306.4664")  # … Group Testing Algorithms for Genetic Screening
    short = "Efficient Two-Stage Group Testing Algorithms"  # held by 1306.4664 and 1106.3680
    found = [
        UnitIds(Unit("n.md", 1, genetic.title, f"## {genetic.title}"), ()),
        UnitIds(Unit("n.md", 3, short, f"## {short}"), ()),
    ]
    with Cache(tmp_path / "cache") as cache, ArxivClient(arxiv_standin.url, delay=0) as client:
        # One answer of one paper for two titles: 1306.4664, which holds both phrases.
        result = find_by_title(found, cache, client, batching=Batching(titles=2, results=1))
    assert [item.mentions[0].id.base if item.mentions else None for item in result.found] == [
        "1306.4664",
        None,  # alone, arXiv has two papers with those words and neither is that title
    ]
    assert searches(arxiv_standin) == [batch_query([genetic.title, short]), title_query(short)]
    assert (result.requests, result.combined, result.asked) == (2, 1, 2)


def test_a_title_whose_own_search_failed_is_asked_again_next_run(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    path = notes(tmp_path, OMEGA_AND_FAIRNESS)
    arxiv_standin.fault_next("pass")  # the combined request is answered, its sequel is not
    arxiv_standin.fail_next(TRIES, status=503)
    first = run("export", path)
    assert [e.get("eprint") for e in entries(first.stdout).values()] == [None, "1709.03221"]
    assert "title search stopped: arXiv was unavailable (HTTP 503)" in first.stderr
    before = len(arxiv_standin.requests)
    second = run("export", path)
    assert second.exit_code == 0, second.stderr
    # Only the unfinished title is asked, alone; the settled one comes from the cache.
    assert len(arxiv_standin.requests) == before + 1
    assert searches(arxiv_standin)[-1].startswith("ti:ωtest OR ti:webview")
    assert "2 of 2 found by title, 1 search request" in second.stderr


def test_a_combined_request_too_long_for_the_server_is_split(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    papers = recorded(4)
    path = notes(tmp_path, "".join(f"## {p.title}\n\n" for p in papers))
    full_url = len(query_url("/api/query", query=batch_query([p.title for p in papers])))
    arxiv_standin.max_url_length = full_url - 1  # the four together are refused (HTTP 414)
    result = run("export", path)
    assert result.exit_code == 0, result.stderr
    assert len(entries(result.stdout)) == 4
    asked = searches(arxiv_standin)
    assert [q.count(" OR ti:") + 1 for q in asked] == [4, 2, 2]
    assert "4 of 4 found by title, 3 search requests" in result.stderr


def test_a_progress_line_on_a_terminal_only_when_several_titles_are_searched(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    many = notes(tmp_path, "".join(f"## {p.title}\n\n" for p in recorded(30)))
    one = tmp_path / "one.md"
    one.write_text("## Fairness Testing: Testing Software for Discrimination\n")
    env = {**os.environ, "NOTE2BIB_CACHE_DIR": str(tmp_path / "cache")}
    shown = stderr_on_a_terminal(["export", many], tmp_path / "out.bib", env)
    assert "searching arXiv by title" in shown
    assert "30/30" in shown
    assert "searching arXiv by title" not in stderr_on_a_terminal(
        ["export", str(one)], tmp_path / "out.bib", env
    )
    # Not a terminal: nothing but the messages and the summary.
    piped = run("export", "--refresh", many)
    assert "searching arXiv by title" not in piped.stderr
    assert "30 of 30 found by title" in piped.stderr
