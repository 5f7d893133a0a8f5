"""notes.markdown: Markdown notes → sections, and the links in them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from note2bib.model import Unit
from note2bib.notes.markdown import find_links
from note2bib.notes.units import parse_notes

SEED = Path(__file__).parent / "fixtures" / "seed-notes.md"

A = "https://arxiv.org/abs/2301.00001"
B = "https://arxiv.org/abs/2301.00002"
C = "https://arxiv.org/abs/2301.00003"


def md(*lines: str) -> str:
    """A Markdown file from its lines, LF-terminated."""
    return "\n".join(lines) + "\n"


def summary(sections: list[Unit]) -> list[tuple[int, str, str]]:
    """What a user sees of each section: where it starts, its title, its text."""
    return [(s.line, s.title, s.text) for s in sections]


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


# --- the real notes --------------------------------------------------------------------------

SEED_HEADINGS = [
    "Do We Still Need Clinical Language Models?",
    "Unleashing Cognitive Synergy in Large Language Models: A Task-Solving Agent through "
    "Multi-Persona Self-Collaboration",
    "AnimateDiff: Animate Your Personalized Text-to-Image Diffusion Models without Specific "
    "Tuning (23.7, Shanghai AI Laboratory외)",
    "Thought Cloning: Learning to Think while Acting by Imitating Human Thinking "
    "(University of British Columbia, June 2023)",
    "LEDITS: Real Image Editing with DDPM Inversion and Semantic Guidance (23.7, HuggingFace)",
    "Towards Healthy AI: Large Language Models Need Therapists Too",
    "Segment Anything:",
    "OpenAi's GPT-2",
    "Download LLaMA from meta.",
]


def test_seed_notes_give_one_section_per_paper() -> None:
    sections = parse_notes(seed_text(), "seed-notes.md")
    assert [s.title for s in sections] == SEED_HEADINGS
    assert [s.line for s in sections] == [2, 8, 14, 33, 40, 52, 57, 60, 65]
    assert {s.source for s in sections} == {"seed-notes.md"}


def test_seed_section_text_is_the_file_slice() -> None:
    seed = seed_text()
    animatediff = parse_notes(seed, "seed-notes.md")[2]
    start = seed.index("## AnimateDiff")
    end = seed.index("\n\n## Thought Cloning")
    assert animatediff.text.encode() == seed[start:end].encode()


def test_seed_sections_cover_every_line_of_notes() -> None:
    seed = seed_text()
    joined = "\n".join(s.text for s in parse_notes(seed, "seed-notes.md"))
    kept = [line for line in joined.split("\n") if line.strip()]
    assert kept == [line for line in seed.split("\n") if line.strip()]


def test_seed_links() -> None:
    sections = parse_notes(seed_text(), "seed-notes.md")
    assert sections[0].links == ("https://arxiv.org/abs/2302.08091",)
    assert sections[2].links == (
        "https://arxiv.org/abs/2307.04725",
        "https://animatediff.github.io",
        "https://github.com/guoyww/animatediff/",
    )
    assert sections[5].links == ("https://arxiv.org/pdf/2304.00416.pdf",)


def test_seed_code_block_stays_in_its_section() -> None:
    llama = parse_notes(seed_text(), "seed-notes.md")[-1]
    assert llama.text.startswith("## Download LLaMA from meta.\n")
    assert llama.text.endswith("$(brew --prefix)/bin/bash\n```")
    assert len(llama.links) == 2


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda s: s.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda s: s.replace("\n", "\r"), id="cr-only"),
        pytest.param(lambda s: "\ufeff" + s, id="bom"),
        pytest.param(lambda s: "\ufeff" + s.replace("\n", "\r\n"), id="bom-crlf"),
    ],
)
def test_seed_line_ends_and_bom_change_nothing(encode: Callable[[str], str]) -> None:
    expected = parse_notes(seed_text(), "seed-notes.md")
    assert parse_notes(encode(seed_text()), "seed-notes.md") == expected


# --- structure -------------------------------------------------------------------------------

STRUCTURE = [
    pytest.param(
        md("## Paper A ##", A, "## Paper B #", "body"),
        [(1, "Paper A", f"## Paper A ##\n{A}"), (3, "Paper B", "## Paper B #\nbody")],
        id="atx-closing-hashes",
    ),
    pytest.param(
        md("Paper A", "=======", A, "", "Paper B", "=======", "notes"),
        [(1, "Paper A", f"Paper A\n=======\n{A}"), (5, "Paper B", "Paper B\n=======\nnotes")],
        id="setext-equals",
    ),
    pytest.param(
        md("Paper A", "---", A, "", "Paper B", "---", "notes"),
        [(1, "Paper A", f"Paper A\n---\n{A}"), (5, "Paper B", "Paper B\n---\nnotes")],
        id="setext-dashes",
    ),
    pytest.param(
        md("Deep", "Learning", "===", A),
        [(1, "Deep Learning", f"Deep\nLearning\n===\n{A}")],
        id="setext-two-line-heading",
    ),
    pytest.param(
        md("## A", "```sh", "# comment", "x " + A, "```", "## B", "body"),
        [(1, "A", f"## A\n```sh\n# comment\nx {A}\n```"), (6, "B", "## B\nbody")],
        id="hash-in-backtick-fence",
    ),
    pytest.param(
        md("## A", "~~~", "# comment", "## also not", "~~~", "## B", "body"),
        [(1, "A", "## A\n~~~\n# comment\n## also not\n~~~"), (6, "B", "## B\nbody")],
        id="hash-in-tilde-fence",
    ),
    pytest.param(
        md("## A", "", "    # not a heading", "## B", "body"),
        [(1, "A", "## A\n\n    # not a heading"), (4, "B", "## B\nbody")],
        id="hash-in-indented-code",
    ),
    pytest.param(
        md("## A", "<div>", "# not a heading", "</div>", "", "## B", "body"),
        [(1, "A", "## A\n<div>\n# not a heading\n</div>"), (6, "B", "## B\nbody")],
        id="hash-in-html-block",
    ),
    pytest.param(
        md("## A", "> ## quoted", "- ## listed", "## B", "body"),
        [(1, "A", "## A\n> ## quoted\n- ## listed"), (4, "B", "## B\nbody")],
        id="headings-in-quotes-and-lists-are-body",
    ),
    pytest.param(
        md("---", "title: Reading", "list: https://x.org/list", "---", "## A", A),
        [(5, "A", f"## A\n{A}")],
        id="front-matter",
    ),
    pytest.param(
        md("---", "title: Reading", "# a YAML comment " + C, "...", "## A", A),
        [(5, "A", f"## A\n{A}")],
        id="front-matter-dots-with-comment",
    ),
    pytest.param(
        md("---", "", "## A", "x " + A, "", "---", "", "## B", "body"),
        [(3, "A", f"## A\nx {A}\n\n---"), (8, "B", "## B\nbody")],
        id="leading-rule-is-not-front-matter",
    ),
    pytest.param(
        md("## A", "\tindented\t", "  lead  ", "한국어 ", "", " ", "\t", ""),
        [(1, "A", "## A\n\tindented\t\n  lead  \n한국어 ")],
        id="body-verbatim-trailing-blanks-dropped",
    ),
    pytest.param(
        md("## [Title](https://x.org/t) **bold** `code` _em_ \\* &amp; ##", "body"),
        [
            (
                1,
                "Title bold code em * &",
                "## [Title](https://x.org/t) **bold** `code` _em_ \\* &amp; ##\nbody",
            )
        ],
        id="heading-inline-markup-removed",
    ),
]


@pytest.mark.parametrize(("text", "expected"), STRUCTURE)
def test_structure(text: str, expected: list[tuple[int, str, str]]) -> None:
    assert summary(parse_notes(text, "notes.md")) == expected


def test_heading_link_counts_as_the_section_link() -> None:
    [section] = parse_notes(md(f"## [Paper]({A})"), "notes.md")
    assert section.title == "Paper"
    assert section.links == (A,)


# --- which level holds the papers ------------------------------------------------------------

LEVELS = [
    pytest.param(
        md(
            "# Paper A",
            "## Summary",
            "text",
            "## Links",
            A,
            "# Paper B",
            "## Summary",
            "t",
            "## Links",
            B,
        ),
        [(1, "Paper A"), (6, "Paper B")],
        id="h1-papers-with-h2-subsections",
    ),
    pytest.param(
        md(
            "# Paper A",
            "## Paper",
            A,
            "## Code",
            "https://github.com/a/a",
            "# Paper B",
            "## Paper",
            B,
            "## Code",
            "https://github.com/b/b",
        ),
        [(1, "Paper A"), (6, "Paper B")],
        id="repeated-subsection-names-do-not-outvote-papers",
    ),
    pytest.param(
        md(
            "# Reading list",
            "intro",
            "## Vision",
            "### Paper A",
            A,
            "### Paper B",
            B,
            "## NLP",
            "### Paper C",
            C,
        ),
        [(4, "Paper A"), (6, "Paper B"), (9, "Paper C")],
        id="h3-papers-under-h1-title-and-h2-groups",
    ),
    pytest.param(
        md("# My reading list", "", "## Paper A", A, "## Paper B", B),
        [(3, "Paper A"), (5, "Paper B")],
        id="document-title-skipped",
    ),
    pytest.param(
        md("# My reading list", "", "## Paper A", A),
        [(3, "Paper A")],
        id="document-title-skipped-with-one-paper",
    ),
    pytest.param(
        md("# Title", "## A", "x", "## B", "y"),
        [(2, "A"), (4, "B")],
        id="no-links-title-still-skipped",
    ),
    pytest.param(
        md("# A", "x", "# B", "y"),
        [(1, "A"), (3, "B")],
        id="no-links-one-level",
    ),
    pytest.param(
        md("## Paper A", A, "### Notes", "deep", "## Paper B", "doi 10.1145/3442188.3445922"),
        [(1, "Paper A"), (5, "Paper B")],
        id="deeper-headings-stay-in-section",
    ),
]


@pytest.mark.parametrize(("text", "expected"), LEVELS)
def test_paper_level_is_found(text: str, expected: list[tuple[int, str]]) -> None:
    assert [(s.line, s.title) for s in parse_notes(text, "n.md")] == expected


def test_subsections_are_part_of_the_paper_text() -> None:
    text = md("# Paper A", "## Summary", "text", "## Links", A, "", "# Paper B", "## Links", B)
    first = parse_notes(text, "n.md")[0]
    assert first.text == f"# Paper A\n## Summary\ntext\n## Links\n{A}"
    assert first.links == (A,)


# --- text outside paper sections ---------------------------------------------------------------

OUTSIDE = [
    pytest.param(
        md("# Reading list", "See also https://x.org/list", "## Paper A", A, "## Paper B", B),
        [
            (1, "Reading list", "# Reading list\nSee also https://x.org/list"),
            (3, "Paper A", f"## Paper A\n{A}"),
            (5, "Paper B", f"## Paper B\n{B}"),
        ],
        id="title-intro-mentioning-a-paper-kept",
    ),
    pytest.param(
        md("", "Notes from arXiv browsing", "", "## A", "body"),
        [(2, "Notes from arXiv browsing", "Notes from arXiv browsing"), (4, "A", "## A\nbody")],
        id="preamble-mentioning-arxiv-kept",
    ),
    pytest.param(
        md("Some intro", "", "## A", A),
        [(3, "A", f"## A\n{A}")],
        id="preamble-without-paper-dropped",
    ),
    pytest.param(
        md(
            "# T",
            "## G1",
            "### A",
            A,
            "### A2",
            B,
            "## G2",
            "survey https://x.org/s",
            "### B",
            C,
            "## G3",
            "no links",
            "### C",
            C,
        ),
        [
            (3, "A", f"### A\n{A}"),
            (5, "A2", f"### A2\n{B}"),
            (7, "G2", "## G2\nsurvey https://x.org/s"),
            (9, "B", f"### B\n{C}"),
            (13, "C", f"### C\n{C}"),
        ],
        id="group-heading-kept-only-when-it-mentions-a-paper",
    ),
]


@pytest.mark.parametrize(("text", "expected"), OUTSIDE)
def test_text_outside_paper_sections(text: str, expected: list[tuple[int, str, str]]) -> None:
    assert summary(parse_notes(text, "n.md")) == expected


# --- empty, blank and heading-less files -----------------------------------------------------

EDGES = [
    pytest.param(
        md("## A", "", "## B", "body", "##", "## C", "   "),
        [(3, "B", "## B\nbody")],
        id="empty-sections-dropped",
    ),
    pytest.param(
        md("", "", f"Just a note {A}", "more", "", ""),
        [(3, f"Just a note {A}", f"Just a note {A}\nmore")],
        id="no-headings-one-section",
    ),
    pytest.param(
        md("  plain words  "), [(1, "plain words", "  plain words  ")], id="no-headings-no-links"
    ),
    pytest.param(
        md("```", "# not a heading", "```"),
        [(1, "```", "```\n# not a heading\n```")],
        id="only-code-no-headings",
    ),
    pytest.param("", [], id="empty-file"),
    pytest.param(" \n\n\t\n", [], id="blank-file"),
    pytest.param("\ufeff", [], id="bom-only"),
    pytest.param(md("---", "title: x", "---", ""), [], id="front-matter-only"),
]


@pytest.mark.parametrize(("text", "expected"), EDGES)
def test_edges(text: str, expected: list[tuple[int, str, str]]) -> None:
    assert summary(parse_notes(text, "n.md")) == expected


LINE_ENDS = [
    pytest.param("\ufeff## A\r\nx\r\n\r\n## B\r\ny\r\n", id="bom-crlf"),
    pytest.param("## A\rx\r\r## B\ry\r", id="cr-only"),
    pytest.param("## A\r\nx\r\r## B\ny", id="mixed"),
]


@pytest.mark.parametrize("text", LINE_ENDS)
def test_line_ends_normalised_and_lines_counted(text: str) -> None:
    assert summary(parse_notes(text, "n.md")) == [(1, "A", "## A\nx"), (4, "B", "## B\ny")]


def test_unicode_line_separators_are_not_line_ends() -> None:
    text = "## A\nx\u2028y\x0cz\n## B\nb\n"
    assert summary(parse_notes(text, "n.md")) == [
        (1, "A", "## A\nx\u2028y\x0cz"),
        (3, "B", "## B\nb"),
    ]


# --- links -----------------------------------------------------------------------------------

LINKS = [
    pytest.param(
        "see https://arxiv.org/abs/2302.08091.",
        ["https://arxiv.org/abs/2302.08091"],
        id="trailing-period",
    ),
    pytest.param(
        "https://a.org/x, https://b.org/y; https://c.org/z: https://d.org/w! https://e.org?",
        [
            "https://a.org/x",
            "https://b.org/y",
            "https://c.org/z",
            "https://d.org/w",
            "https://e.org",
        ],
        id="trailing-punctuation",
    ),
    pytest.param("(see https://x.org/a_(b))", ["https://x.org/a_(b)"], id="balanced-parens-kept"),
    pytest.param("(https://x.org/a)", ["https://x.org/a"], id="wrapping-parens-dropped"),
    pytest.param("[https://x.org/a]", ["https://x.org/a"], id="wrapping-brackets-dropped"),
    pytest.param(
        "논문 https://arxiv.org/abs/2302.08091에서 봤다",
        ["https://arxiv.org/abs/2302.08091"],
        id="korean-after-url",
    ),
    pytest.param(
        "논문https://arxiv.org/abs/2302.08091",
        ["https://arxiv.org/abs/2302.08091"],
        id="korean-before-url",
    ),
    pytest.param(
        '[paper](https://arxiv.org/abs/2302.08091 "the title")',
        ["https://arxiv.org/abs/2302.08091"],
        id="markdown-link-with-title",
    ),
    pytest.param(
        "[paper](https://arxiv.org/abs/2302.08091).",
        ["https://arxiv.org/abs/2302.08091"],
        id="markdown-link",
    ),
    pytest.param(
        "[https://a.org](https://a.org)", ["https://a.org", "https://a.org"], id="link-text-is-url"
    ),
    pytest.param("<https://x.org/a>", ["https://x.org/a"], id="autolink"),
    pytest.param(
        "'https://x.org/a' \"https://x.org/b\"", ["https://x.org/a", "https://x.org/b"], id="quoted"
    ),
    pytest.param('<a href="https://x.org/a">x</a>', ["https://x.org/a"], id="html-attribute"),
    pytest.param(
        "**https://x.org/a** `https://x.org/b`",
        ["https://x.org/a", "https://x.org/b"],
        id="emphasis-and-code",
    ),
    pytest.param(
        "https://x.org/a?b=1&c=2#frag.", ["https://x.org/a?b=1&c=2#frag"], id="query-and-fragment"
    ),
    pytest.param(
        "https://b.org https://a.org https://b.org",
        ["https://b.org", "https://a.org", "https://b.org"],
        id="duplicates-kept-in-order",
    ),
    pytest.param(
        "http://x.org/a HTTPS://X.ORG/B",
        ["http://x.org/a", "HTTPS://X.ORG/B"],
        id="http-and-upper-case",
    ),
    pytest.param("ftp://x.org mailto:a@b.org file:///x www.x.org", [], id="only-http-and-https"),
    pytest.param("https:// nothing", [], id="scheme-alone"),
    pytest.param("", [], id="empty"),
]


@pytest.mark.parametrize(("text", "expected"), LINKS)
def test_find_links(text: str, expected: list[str]) -> None:
    assert find_links(text) == expected


# --- property: bodies round-trip ---------------------------------------------------------------

_SETEXT_OR_RULE = ("=", "-")


def _could_be_structure(line: str) -> bool:
    """Lines that could start a heading, a fence or an HTML block (which could hide a heading)."""
    stripped = line.lstrip()
    if stripped.startswith(("#", "```", "~~~", "<")):
        return True
    return bool(stripped) and set(stripped.rstrip()) <= set(_SETEXT_OR_RULE)


body_lines = st.lists(
    st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=30).filter(
        lambda line: not _could_be_structure(line)
    ),
    max_size=6,
)


@given(st.lists(body_lines, min_size=1, max_size=5))
def test_bodies_round_trip(bodies: list[list[str]]) -> None:
    text = "".join(
        f"## Title {i}\n" + "".join(line + "\n" for line in body) for i, body in enumerate(bodies)
    )
    expected = []
    for i, body in enumerate(bodies):
        while body and not body[-1].strip():
            body = body[:-1]
        if body:
            expected.append((f"Title {i}", "\n".join([f"## Title {i}", *body])))
    assert [(s.title, s.text) for s in parse_notes(text, "n.md")] == expected


markdownish = st.lists(
    st.sampled_from(["## A", "# T", "### x", "```", "~~~", "---", "===", "<div>", "", "  ", A])
    | st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=12),
    max_size=20,
)


@given(markdownish, st.sampled_from(["\n", "\r\n", "\r"]))
def test_every_unit_is_the_files_lines_in_order_from_its_line(lines: list[str], end: str) -> None:
    # A unit is verbatim by line spans: a parent section's note leaves out a child that is
    # its own unit, so its lines are in file order but need not be one slice.
    text = end.join(lines)
    file_lines = text.removeprefix("\ufeff").split(end)
    for section in parse_notes(text, "n.md"):
        note = section.text.split("\n")
        rest = iter(file_lines[section.line - 1 :])
        assert all(line in rest for line in note)
        assert note[0] == file_lines[section.line - 1]
        assert note[0].strip() and note[-1].strip()
        assert section.links == tuple(find_links(section.text))
