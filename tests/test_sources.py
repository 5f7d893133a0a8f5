"""Note sources: folders (a vault), YAML front matter, plain text, encodings, stdin."""

from __future__ import annotations

import json
import os
from pathlib import Path

import bibtexparser
import pytest
from click.testing import CliRunner, Result

from note2bib.cli import main
from note2bib.errors import InputError
from note2bib.latex import decode
from note2bib.model import ArxivId
from note2bib.notes.sources import NotesText, find_note_files, parse_front_matter, parse_source

from arxiv_standin import ArxivStandin


def run(*args: str, stdin: str | bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def entries(bibtex: str) -> dict[str, dict[str, str]]:
    library = bibtexparser.parse_string(bibtex)
    assert not library.failed_blocks
    return {e.key: {f.key: decode(f.value) for f in e.fields} for e in library.entries}


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


# --- folders ---------------------------------------------------------------------------------


def test_a_folder_gives_its_notes_files_in_sorted_order_without_hidden_ones(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "b.md": "",
            "a/z.markdown": "",
            "a/c.txt": "",
            "A.MD": "",
            "image.png": "",
            "notes.md.bak": "",
            ".hidden.md": "",
            ".obsidian/workspace.md": "",
            ".git/HEAD.md": "",
            "sub/.trash/old.md": "",
        },
    )
    names = [Path(f).relative_to(tmp_path).as_posix() for f in find_note_files([str(tmp_path)])]
    assert names == ["A.MD", "a/c.txt", "a/z.markdown", "b.md"]


def test_symlink_loops_do_not_hang_and_linked_notes_come_once(tmp_path: Path) -> None:
    write(tmp_path, {"vault/p/n.md": "x"})
    os.symlink(tmp_path / "vault", tmp_path / "vault" / "p" / "loop")
    os.symlink(tmp_path / "vault" / "p" / "n.md", tmp_path / "vault" / "same.md")
    found = find_note_files([str(tmp_path / "vault")])
    assert [Path(f).name for f in found] == ["n.md"]


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no \.md, \.markdown or \.txt files in this folder"):
        find_note_files([str(tmp_path)])


VAULT = {
    "2023/segment anything.md": "# Segment Anything\nhttps://arxiv.org/abs/2304.02643\n"
    "프롬프트 분할.\n",
    "2023/ledits.md": "# LEDITS\npaper: https://huggingface.co/papers/2307.00522\n"
    "demo: https://huggingface.co/spaces/editing-images/ledits\n",
    "blog.md": "# OpenAI's GPT-2\n- https://openai.com/blog/better-language-models\n",
    "clinical.md": "# Do We Still Need Clinical Language Models?\n"
    "arXiv:2302.08091 — 작은 모델이 낫다.\n",
}


def test_a_vault_exports_the_same_entries_as_its_files_concatenated(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    write(tmp_path / "vault", dict(VAULT))
    files = find_note_files([str(tmp_path / "vault")])
    joined = tmp_path / "all.md"
    joined.write_text("\n".join(Path(f).read_text(encoding="utf-8") for f in files))
    from_folder = run("export", "--no-search", str(tmp_path / "vault"))
    from_file = run("export", "--no-search", str(joined))
    assert from_folder.exit_code == from_file.exit_code == 0  # the blog post: kept
    assert from_folder.stdout == from_file.stdout
    assert len(entries(from_folder.stdout)) == 4


# --- front matter and files without headings ----------------------------------------------


def test_front_matter_names_the_paper_and_its_tags_become_keywords(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    write(
        tmp_path,
        {
            "sam.md": "---\ntitle: Segment Anything\narxiv: 2304.02643\ntags: [vision, 분할]\n---\n"
            "## Summary\n프롬프트로 무엇이든 분할.\n\n## Method\nViT encoder + mask decoder.\n",
            "two.md": "---\narxiv:\n  - 2302.10000\n  - arXiv:2307.00522v1\n---\nboth of them\n",
        },
    )
    result = run("export", "-q", str(tmp_path))
    found = {e["eprint"]: e for e in entries(result.stdout).values() if "eprint" in e}
    assert set(found) == {"2304.02643", "2307.00522", "2302.10000"}
    sam = found["2304.02643"]
    assert sam["keywords"] == "vision, 분할, cs.CV"
    # The file is one note about its paper: its headings are the note's own structure.
    assert sam["annote"] == (
        "## Summary\n프롬프트로 무엇이든 분할.\n\n## Method\nViT encoder + mask decoder."
    )
    assert found["2307.00522"]["url"] == "https://arxiv.org/abs/2307.00522v1"
    assert found["2302.10000"]["annote"] == "both of them"  # an id YAML must not make a float


def test_a_file_without_headings_is_one_note_titled_by_its_first_line_or_front_matter(
    tmp_path: Path,
) -> None:
    plain = NotesText("n.md", "Notes on something\nno links here\n\nsecond paragraph\n")
    (note,) = parse_source(plain)[0]
    assert note.title == "Notes on something"
    assert note.text == "Notes on something\nno links here\n\nsecond paragraph"
    titled = NotesText("t.md", "---\ntitle: Thought Cloning\ntags: rl, agents\n---\n\nbody\n")
    (note,) = parse_source(titled)[0]
    assert (note.title, note.text, note.line) == ("Thought Cloning", "body", 6)
    assert note.front is not None and note.front.tags == ("rl", "agents")


def test_a_reading_list_with_a_title_keeps_its_sections(tmp_path: Path) -> None:
    text = (
        "---\ntitle: Summer reading\n---\n## SAM\narXiv:2304.02643\n\n## LEDITS\narXiv:2307.00522\n"
    )
    sections, _ = parse_source(NotesText("list.md", text))
    assert [s.title for s in sections] == ["SAM", "LEDITS"]


def test_plain_text_paragraphs_are_notes(tmp_path: Path) -> None:
    text = "Segment Anything\nhttps://arxiv.org/abs/2304.02643\n\n\nLEDITS\narXiv:2307.00522\n"
    units, _ = parse_source(NotesText("n.txt", text))
    assert [(s.title, s.line) for s in units] == [("Segment Anything", 1), ("LEDITS", 5)]
    # The same text as Markdown: paragraphs naming different papers are a note each too.
    markdown, _ = parse_source(NotesText("n.md", text))
    assert [(u.kind, u.line, u.text) for u in markdown] == [
        ("paragraph", 1, "Segment Anything\nhttps://arxiv.org/abs/2304.02643"),
        ("paragraph", 5, "LEDITS\narXiv:2307.00522"),
    ]
    one, _ = parse_source(
        NotesText("n.md", "Segment Anything\nhttps://arxiv.org/abs/2304.02643\n\nmore")
    )
    assert [(u.kind, u.text) for u in one] == [
        ("file", "Segment Anything\nhttps://arxiv.org/abs/2304.02643\n\nmore")
    ]


def test_front_matter_values_are_read_as_written() -> None:
    front, problems = parse_front_matter(
        "Title:  Attention   Is All You Need\narXiv: 2302.10000\ndoi: https://doi.org/10.48550/arXiv.1706.03762\n"
        "tags: '#nlp #transformer'\nauthors:\n  - Vaswani, Ashish\nyear: 2017\nextra: {a: 1}",
        "n.md",
        1,
    )
    assert problems == []
    assert front.title == "Attention Is All You Need"
    assert [m.id for m in front.arxiv] == [ArxivId("2302.10000"), ArxivId("1706.03762")]
    assert [m.line for m in front.arxiv] == [3, 4]
    assert front.doi is None  # arXiv's own DOI is an id
    assert front.tags == ("nlp", "transformer")
    assert (front.authors, front.year) == (("Vaswani, Ashish",), 2017)


def test_a_bad_id_in_front_matter_is_a_warning_with_its_line() -> None:
    front, problems = parse_front_matter("title: X\narxiv: 2313.01234", "n.md", 1)
    assert front.arxiv == ()
    assert [str(p) for p in problems] == [
        "n.md:3: front matter arxiv: '2313.01234' is not a valid arXiv id: month 13 does not exist."
    ]


def test_invalid_yaml_is_a_warning_naming_the_line_and_the_file_is_still_read(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    # Logseq writes page properties YAML cannot read; the notes under them are still notes.
    path = tmp_path / "n.md"
    path.write_text(
        "---\ntitle: TransTrack\nauthors: [[Peize Sun]], [[Yi Jiang]]\n---\n"
        "- TransTrack notes\n\t- https://arxiv.org/abs/2304.02643\n",
        encoding="utf-8",
    )
    result = run("export", "-f", "csl-json", str(path))
    assert result.exit_code == 0, result.stderr
    assert f"{path}:3: the front matter is not valid YAML" in result.stderr
    (entry,) = json.loads(result.stdout)
    assert entry["annote"] == "- TransTrack notes\n\t- https://arxiv.org/abs/2304.02643"


# --- encodings and stdin -----------------------------------------------------------------------


def test_a_file_that_is_not_utf8_in_a_folder_names_file_and_offset(tmp_path: Path) -> None:
    write(tmp_path, {"a.md": "## A\nok\n", "b.md": "## Café\narXiv:2304.02643\n".encode("cp1252")})
    result = run("export", str(tmp_path))
    assert result.exit_code == 1
    assert f"{tmp_path / 'b.md'}:1: not UTF-8 (byte 0xe9 at offset 6)" in result.stderr
    assert "--encoding" in result.stderr
    assert result.stdout == ""


def test_encoding_reads_other_encodings(arxiv_standin: ArxivStandin, tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    path.write_bytes("## 세그먼트 애니씽\narXiv:2304.02643\n".encode("cp949"))
    result = run("export", "--encoding", "cp949", str(path))
    assert result.exit_code == 0, result.stderr
    (entry,) = entries(result.stdout).values()
    assert entry["annote"] == "## 세그먼트 애니씽\narXiv:2304.02643"
    wrong = run("export", "--encoding", "ascii", str(path))
    assert wrong.exit_code == 1
    assert f"{path}:1: not ascii (byte 0xbc at offset 3)" in wrong.stderr


def test_an_unknown_encoding_is_a_usage_error(tmp_path: Path) -> None:
    result = run("export", "--encoding", "klingon", str(tmp_path))
    assert result.exit_code == 2
    assert "'klingon' is not an encoding Python knows" in result.stderr


def test_stdin_with_front_matter(arxiv_standin: ArxivStandin) -> None:
    result = run("export", "-", stdin="---\narxiv: 2304.02643\ntags: sam\n---\nnote\n")
    assert result.exit_code == 0, result.stderr
    (entry,) = entries(result.stdout).values()
    assert (entry["eprint"], entry["annote"], entry["keywords"]) == (
        "2304.02643",
        "note",
        "sam, cs.CV",
    )


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        pytest.param("biblatex", "keywords = {vision, cs.CV}", id="biblatex"),
        pytest.param("ris", "KW  - vision\nKW  - cs.CV\n", id="ris"),
    ],
)
def test_tags_become_keywords_in_other_formats_too(
    arxiv_standin: ArxivStandin, fmt: str, expected: str
) -> None:
    result = run(
        "export", "-f", fmt, "-", stdin="---\narxiv: 2304.02643\ntags: vision\n---\nnote\n"
    )
    assert result.exit_code == 0, result.stderr
    assert expected in result.stdout


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        pytest.param("bibtex", "keywords = {machine learning, NLP, cs.CV}", id="bibtex"),
        pytest.param("biblatex", "keywords = {machine learning, NLP, cs.CV}", id="biblatex"),
        pytest.param("ris", "KW  - machine learning\nKW  - NLP\nKW  - cs.CV\n", id="ris"),
        pytest.param("csl-json", '"keyword": "machine learning, NLP"', id="csl-json"),
    ],
)
def test_a_yaml_list_item_is_one_tag_in_every_format(
    arxiv_standin: ArxivStandin, fmt: str, expected: str
) -> None:
    notes = "---\narxiv: 2304.02643\ntags: [machine learning, NLP]\n---\nnote\n"
    result = run("export", "-f", fmt, "-", stdin=notes)
    assert result.exit_code == 0, result.stderr
    assert expected in result.stdout


def test_a_plain_string_of_tags_still_splits() -> None:
    for written in ("a, b", "'#a #b'"):
        front, _ = parse_front_matter(f"tags: {written}", "n.md", 1)
        assert front.tags == ("a", "b")


NOT_ON_ARXIV = """\
---
title: A Workshop Paper Never Posted
authors: [Jane Doe, John Smith]
year: 2021
tags: [machine learning]
---
Read in the reading group.
"""


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        pytest.param(
            "bibtex",
            ["author = {Doe, Jane and Smith, John}", "year = {2021}"],
            id="bibtex",
        ),
        pytest.param(
            "biblatex",
            ["author = {Doe, Jane and Smith, John}", "date = {2021}"],
            id="biblatex",
        ),
        pytest.param("ris", ["AU  - Doe, Jane\nAU  - Smith, John\nPY  - 2021\n"], id="ris"),
        pytest.param(
            "csl-json",
            [
                '"author": [\n      {\n        "family": "Doe",\n        "given": "Jane"\n',
                '"issued": {\n      "date-parts": [\n        [\n          2021\n',
                '"keyword": "machine learning"',
            ],
            id="csl-json",
        ),
    ],
)
def test_front_matter_authors_and_year_reach_an_unresolved_entry(
    arxiv_standin: ArxivStandin, fmt: str, expected: list[str]
) -> None:
    result = run("export", "--no-search", "-f", fmt, "-", stdin=NOT_ON_ARXIV)
    assert result.exit_code == 0, result.stderr
    for text in expected:
        assert text in result.stdout


def test_a_merged_note_with_front_matter_authors_is_recognised_the_next_time(
    arxiv_standin: ArxivStandin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("paper.md").write_text(NOT_ON_ARXIV, encoding="utf-8")
    Path("refs.bib").write_text("", encoding="utf-8")
    args = ["export", "--no-search", "--library", "refs.bib", "--merge", "-o", "refs.bib"]
    assert run(*args, "paper.md").exit_code == 0
    once = Path("refs.bib").read_text(encoding="utf-8")
    assert "author = {Doe, Jane and Smith, John}" in once
    again = run(*args, "paper.md")
    assert "nothing to add" in again.stderr
    assert Path("refs.bib").read_text(encoding="utf-8") == once


def test_a_reading_lists_front_matter_authors_are_not_its_notes_authors(
    arxiv_standin: ArxivStandin,
) -> None:
    notes = "---\nauthor: Me Myself\ntags: reading\n---\n## A blog post\nhttps://example.org/a\n"
    result = run("export", "--no-search", "-", stdin=notes)
    assert "author" not in next(iter(entries(result.stdout).values()))
