"""The notes' other links: kept on the entry with what they point at, never taken for the paper."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from note2bib.cli import main
from note2bib.latex import decode
from note2bib.model import Link, LinkKind
from note2bib.notes.links import link_kind
from note2bib.notes.sources import NotesText
from note2bib.pipeline import ExportOptions, export

from arxiv_standin import ArxivStandin

SEED = Path(__file__).parent / "fixtures" / "seed-notes.md"


@pytest.mark.parametrize(
    ("url", "before", "kind"),
    [
        pytest.param("https://github.com/guoyww/animatediff/", "소스 : ", "code", id="label-소스"),
        pytest.param("https://animatediff.github.io", "site : ", "project", id="label-site"),
        pytest.param("https://x.hf.space/index.html", "project: ", "project", id="label-wins"),
        pytest.param("https://github.com/a/b", "", "code", id="host-github"),
        pytest.param("https://huggingface.co/spaces/a/b", "", "demo", id="host-space"),
        pytest.param("https://huggingface.co/meta-llama/Llama-2-7b", "", "model", id="host-model"),
        pytest.param("https://huggingface.co/datasets/a/b", "", "data", id="host-dataset"),
        pytest.param("https://openreview.net/forum?id=x", "", "paper", id="host-openreview"),
        pytest.param("https://openai.com/blog/better-language-models", "", "article", id="blog"),
        pytest.param("https://youtu.be/abc", "", "video", id="video"),
        pytest.param("https://example.org/llama.sh", "", "other", id="other"),
    ],
)
def test_link_kind(url: str, before: str, kind: LinkKind) -> None:
    assert link_kind(url, before) == kind


def test_seed_entries_carry_their_other_links_and_never_arxiv_ones(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    notes = [NotesText(str(SEED), SEED.read_text(encoding="utf-8"))]
    options = ExportOptions(cache_dir=tmp_path, delay=0.0, api_url=arxiv_standin.url)
    result = export(notes, options)
    links = {r.arxiv_id.base if r.arxiv_id else r.title: r.links for r in result.records}
    assert links["2307.04725"] == (
        Link("https://animatediff.github.io", "project"),
        Link("https://github.com/guoyww/animatediff/", "code"),
    )
    assert links["2307.00522"] == (
        Link("https://editing-images-project.hf.space/index.html", "project"),
        Link("https://huggingface.co/spaces/editing-images/ledits", "demo"),
    )
    assert links["2306.00323"] == (
        Link("https://github.com/ShengranHu/Thought-Cloning", "code"),
        Link("https://bdtechtalks.com/2023/07/03/ai-thought-cloning/", "article"),
    )
    assert links["2304.02643"] == ()
    assert links["OpenAi's GPT-2"] == (
        Link("https://openai.com/blog/better-language-models", "article"),
    )
    assert all("arxiv.org" not in link.url for found in links.values() for link in found)


def test_a_note_with_only_code_and_pages_is_an_unresolved_note_not_an_error(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    path = tmp_path / "n.md"
    path.write_text(
        "## GFPGAN\n얼굴 복원.\n- code: https://github.com/TencentARC/GFPGAN\n"
        "- demo: https://huggingface.co/spaces/Xintao/GFPGAN\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["export", str(path)])
    assert result.exit_code == 0  # kept by design: a warning, not an incomplete run
    assert f'{path}:1: "GFPGAN" names no arXiv paper; kept as gfpgan with the note' in (
        result.stderr
    )
    assert "url = {https://github.com/TencentARC/GFPGAN}" in result.stdout
    assert "https://huggingface.co/spaces/Xintao/GFPGAN" in decode(result.stdout)
