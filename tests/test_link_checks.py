"""Checks a user sees on stderr: a link to another paper than the heading says, old versions."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from note2bib.cli import main
from note2bib.title_match import heading_matches

from arxiv_standin import ArxivStandin, load_entries
from fixture_papers import fixture_paper

SEED = Path(__file__).parent / "fixtures" / "seed-notes.md"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def notes(tmp_path: Path, text: str) -> str:
    path = tmp_path / "notes.md"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_seed_notes_raise_no_false_alarm(arxiv_standin: ArxivStandin) -> None:
    # 2307.05300's heading is its v1 title; arXiv lists the v4 one ("… the Emergent …").
    result = run("export", "-v", str(SEED))
    assert "does not match" not in result.stderr
    assert "2307.05300" not in result.stderr


def test_a_link_to_another_paper_is_reported_with_file_and_line(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    path = notes(
        tmp_path,
        "## Segment Anything\nhttps://arxiv.org/abs/2304.02643\n\n"
        "## Do We Still Need Clinical Language Models? (23.2)\n"
        "https://arxiv.org/abs/2307.05300\n",
    )
    result = run("export", path)
    assert (
        f'{path}:4: the note\'s title "Do We Still Need Clinical Language Models? (23.2)" does '
        'not match arXiv 2307.05300 "Unleashing the Emergent Cognitive Synergy in Large '
        'Language Models: A Task-Solving Agent through Multi-Persona Self-Collaboration"\n'
    ) in result.stderr
    assert result.stderr.count("does not match") == 1
    assert result.exit_code == 0  # a warning: the link is what the user wrote, it is kept


@pytest.mark.parametrize(
    "heading",
    [
        pytest.param("Solo Performance Prompting (SPP) — 한 모델이 협업", id="name-in-abstract"),
        pytest.param("SPP", id="acronym"),
        pytest.param("Cognitive Synergy", id="short-name"),
        pytest.param("솔로 퍼포먼스 프롬프팅", id="korean"),
        pytest.param("Unleashing Cognitive Synergy in Large Language Models", id="v1-main-title"),
        pytest.param(
            "A Task-Solving Agent through Multi-Persona Self-Collaboration", id="subtitle"
        ),
    ],
)
def test_names_parts_and_old_titles_are_no_mismatch(
    arxiv_standin: ArxivStandin, tmp_path: Path, heading: str
) -> None:
    path = notes(tmp_path, f"## {heading}\nhttps://arxiv.org/abs/2307.05300\n")
    assert "does not match" not in run("export", path).stderr


def test_a_note_comparing_two_papers_is_not_checked(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    path = notes(
        tmp_path, "## Editing versus generating images\narXiv:2307.00522 arXiv:2307.04725\n"
    )
    assert "does not match" not in run("export", path).stderr


def test_every_recorded_title_matches_its_paper_and_not_its_neighbour() -> None:
    papers = [fixture_paper(base) for base in sorted(load_entries())]
    assert all(heading_matches(p.title, p) for p in papers)
    wrong = sum(heading_matches(b.title, a) for a, b in itertools.pairwise(papers))
    assert wrong <= 2  # "Property-Based Mutation Testing" does sound like its neighbour


def test_an_older_linked_version_is_an_info_line_with_verbose(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    path = notes(tmp_path, "## SPP\n논문 https://arxiv.org/abs/2307.05300v2\n")
    message = (
        f"{path}:2: 2307.05300v2 is not the latest version (arXiv has v4); "
        "the entry cites the paper, its url keeps v2"
    )
    assert message not in run("export", path).stderr
    loud = run("export", "-v", path)
    assert message in loud.stderr
    assert "url = {https://arxiv.org/abs/2307.05300v2}" in loud.stdout
    latest = notes(tmp_path, "## SPP\nhttps://arxiv.org/abs/2307.05300v4\n")
    assert "not the latest version" not in run("export", "-v", latest).stderr
