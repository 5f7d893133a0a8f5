"""Which arXiv ids are taken from note text, and which look-alikes are left alone."""

from __future__ import annotations

import doctest

import pytest
from _pytest.mark import ParameterSet
from hypothesis import example, given
from hypothesis import strategies as st

from note2bib.arxiv import ids
from note2bib.arxiv.ids import IdMatch, find_arxiv_ids, parse_arxiv_id
from note2bib.model import ArxivId
from note2bib.notes.mentions import unique_ids
from note2bib.notes.sources import NotesText
from note2bib.pipeline import read_units


def found(text: str) -> list[tuple[str, ArxivId]]:
    """What a user would see: the written form picked out of the text, and the id it names."""
    return [(text[m.start : m.end], m.id) for m in find_arxiv_ids(text)]


def case(
    text: str,
    base: str = "2302.08091",
    version: int | None = None,
    *,
    written: str | None = None,
    id: str,
) -> ParameterSet:
    """A text holding one id; `written` (the whole text unless given) is the form picked out."""
    return pytest.param(text, text if written is None else written, base, version, id=id)


ONE_ID = [
    # arxiv.org itself
    case("https://arxiv.org/abs/2302.08091", id="abs"),
    case("https://arxiv.org/abs/2302.08091v2", "2302.08091", 2, id="abs-version"),
    case("https://arxiv.org/pdf/2304.00416", "2304.00416", id="pdf"),
    case("https://arxiv.org/pdf/2304.00416.pdf", "2304.00416", id="pdf-suffix"),
    case("https://arxiv.org/pdf/2304.00416v1", "2304.00416", 1, id="pdf-version"),
    case("https://arxiv.org/pdf/2304.00416v3.pdf", "2304.00416", 3, id="pdf-version-suffix"),
    case("https://arxiv.org/html/2302.08091v2", "2302.08091", 2, id="html-version"),
    case("http://arxiv.org/abs/2302.08091", id="http"),
    case("https://export.arxiv.org/abs/2302.08091", id="export-host"),
    case("https://www.arxiv.org/abs/2302.08091", id="www-host"),
    case("논문: arxiv.org/abs/2302.08091 참고", written="arxiv.org/abs/2302.08091", id="no-scheme"),
    case("https://ArXiv.org/ABS/2302.08091", id="host-any-case"),
    # arXiv:ID labels
    case("arXiv:2302.08091", id="label"),
    case("(arXiv: 2302.08091)", written="arXiv: 2302.08091", id="label-space"),
    case("ARXIV:2302.08091", id="label-upper"),
    case("arxiv:2302.08091", id="label-lower"),
    case("arXiv:2302.08091v2", "2302.08091", 2, id="label-version"),
    # the DataCite DOI arXiv registers for every paper
    case("https://doi.org/10.48550/arXiv.2302.08091", id="doi-url"),
    case("https://dx.doi.org/10.48550/arXiv.2302.08091", id="dx-doi-url"),
    case("doi: 10.48550/arXiv.2302.08091", written="10.48550/arXiv.2302.08091", id="bare-doi"),
    case("DOI 10.48550/ARXIV.2302.08091", written="10.48550/ARXIV.2302.08091", id="bare-doi-upper"),
    case("10.48550/arXiv.math/0703055", "math/0703055", id="bare-doi-old-style"),
    # mirrors and readers
    case("https://huggingface.co/papers/2302.08091", id="huggingface"),
    case("https://www.alphaxiv.org/abs/2302.08091", id="alphaxiv-abs"),
    case("https://www.alphaxiv.org/overview/2302.08091v1", "2302.08091", 1, id="alphaxiv-overview"),
    case("https://ar5iv.labs.arxiv.org/html/2302.08091", id="ar5iv-labs"),
    case("https://ar5iv.org/abs/2302.08091", id="ar5iv-abs"),
    case("ar5iv.org/html/2302.08091", id="ar5iv-html"),
    # what follows the id
    case("https://arxiv.org/abs/2302.08091?context=cs", id="query"),
    case("https://arxiv.org/html/2302.08091v2#S3", "2302.08091", 2, id="fragment"),
    case(
        "see https://arxiv.org/html/2302.08091v2#S3.",
        "2302.08091",
        2,
        written="https://arxiv.org/html/2302.08091v2#S3",
        id="fragment-full-stop",
    ),
    case(
        "https://arxiv.org/html/2302.08091v2#S3에서",
        "2302.08091",
        2,
        written="https://arxiv.org/html/2302.08091v2#S3",
        id="fragment-korean",
    ),
    case("2302.08091에서 제안한", written="2302.08091", id="korean-after"),
    case("2302.08091논문", written="2302.08091", id="korean-after-no-space"),
    case(
        "https://arxiv.org/abs/2302.08091에서",
        written="https://arxiv.org/abs/2302.08091",
        id="url-korean-after",
    ),
    case("논문2302.08091", written="2302.08091", id="korean-before"),
    case(
        "[paper](https://arxiv.org/abs/2302.08091)",
        written="https://arxiv.org/abs/2302.08091",
        id="markdown-link",
    ),
    case(
        "[p](https://arxiv.org/abs/2302.08091#S2)",
        written="https://arxiv.org/abs/2302.08091#S2",
        id="markdown-link-fragment",
    ),
    case(
        "<https://arxiv.org/abs/2302.08091>",
        written="https://arxiv.org/abs/2302.08091",
        id="autolink",
    ),
    # old-style ids: the subject class is dropped, as arXiv does
    case("hep-th/9901001", "hep-th/9901001", id="old"),
    case("math.GT/0309136", "math/0309136", id="old-subject-class"),
    case("physics.optics/0401001", "physics/0401001", id="old-long-subject-class"),
    case("cs/9901011v2", "cs/9901011", 2, id="old-version"),
    case("https://arxiv.org/abs/hep-th/9901001", "hep-th/9901001", id="old-abs-url"),
    case("https://arxiv.org/pdf/math.GT/0309136v1.pdf", "math/0309136", 1, id="old-pdf-url"),
    case("arXiv:hep-th/9901001v3", "hep-th/9901001", 3, id="old-label"),
    case("alg-geom/9201001", "alg-geom/9201001", id="old-retired-archive"),
    case("hep-lat/9107001", "hep-lat/9107001", id="old-first-month"),
    case("astro-ph/0703999", "astro-ph/0703999", id="old-last-month"),
    # new-style ids: four digits until 1412, five from 1501
    case("0704.0001", "0704.0001", id="new-first-month"),
    case("1412.8765", "1412.8765", id="new-four-digits-last-month"),
    case("1501.00001", "1501.00001", id="new-five-digits-first-month"),
    case("see 2302.08091 for details", written="2302.08091", id="bare-in-prose"),
    case(
        "saved as 2302.08091v2.pdf",
        "2302.08091",
        2,
        written="2302.08091v2.pdf",
        id="bare-pdf-file-name",
    ),
    # explicit forms are taken even inside someone else's URL
    case(
        "https://scholar.google.com/scholar?q=arXiv:2302.08091",
        written="arXiv:2302.08091",
        id="label-inside-other-url",
    ),
    case(
        "https://web.archive.org/web/2023/https://arxiv.org/abs/2302.08091",
        written="https://arxiv.org/abs/2302.08091",
        id="arxiv-url-inside-other-url",
    ),
]


@pytest.mark.parametrize(("text", "written", "base", "version"), ONE_ID)
def test_finds_the_id_and_its_written_form(
    text: str, written: str, base: str, version: int | None
) -> None:
    assert found(text) == [(written, ArxivId(base, version))]


@pytest.mark.parametrize("punctuation", [".", ",", ")", "]", ":", ";"])
@pytest.mark.parametrize(
    "form",
    ["2302.08091", "arXiv:2302.08091", "https://arxiv.org/abs/2302.08091", "hep-th/9901001"],
)
def test_punctuation_right_after_an_id_ends_it(form: str, punctuation: str) -> None:
    text = f"(see {form}{punctuation} next"
    base = "hep-th/9901001" if "hep-th" in form else "2302.08091"
    assert found(text) == [(form, ArxivId(base))]


NONE = [
    pytest.param("released v1.2.3 today", id="semver"),
    pytest.param("Python 3.11.7", id="python-version"),
    pytest.param("model 1.5b, api 2.0", id="short-decimals"),
    pytest.param("tel 042.1234.5678", id="dotted-phone"),
    pytest.param("010-1234-5678", id="dashed-phone"),
    pytest.param("2023.12345", id="month-23"),
    pytest.param("1234.5678", id="month-34"),
    pytest.param("1313.01234", id="month-13"),
    pytest.param("0703.1234", id="new-style-before-0704"),
    pytest.param("2101.1234", id="four-digits-after-1501"),
    pytest.param("1412.12345", id="five-digits-before-1501"),
    pytest.param("1201.56789", id="five-digits-in-2012"),
    pytest.param("0704.0000", id="paper-number-zero"),
    pytest.param("12302.08091", id="longer-yymm-run"),
    pytest.param("2302.080912", id="longer-number-run"),
    pytest.param("2302.08091.5", id="dotted-number-after"),
    pytest.param("192.168.2302.0809", id="ip-like-dotted"),
    pytest.param("2302.08091v0", id="version-zero"),
    pytest.param("2302.08091x", id="letter-glued-after"),
    pytest.param("doi 10.1145/3106237.3106277", id="acm-doi"),
    pytest.param("10.1109/ICST49551.2021.00026", id="ieee-doi"),
    pytest.param("https://github.com/user/repo/releases/2302.08091", id="github-url"),
    pytest.param("github.com/user/repo/releases/2302.08091", id="github-url-no-scheme"),
    pytest.param("https://example.com/paper?id=2302.08091", id="other-url-query"),
    pytest.param("notarxiv.org/abs/2302.08091", id="look-alike-host"),
    pytest.param("https://arxiv.org/abs/2313.01234", id="arxiv-url-invalid-month"),
    pytest.param("arXiv:abc", id="label-without-id"),
    pytest.param("arXiv:0703.1234", id="label-invalid-id"),
    pytest.param("hep-xx/9901001", id="no-such-archive"),
    pytest.param("hep-th/9106001", id="old-style-before-9107"),
    pytest.param("hep-th/0704001", id="old-style-after-0703"),
    pytest.param("hep-th/9913001", id="old-style-month-13"),
    pytest.param("hep-th/99010012", id="old-style-four-digit-number"),
    pytest.param("docs/cs/9901011", id="old-style-inside-path"),
    pytest.param("\uff12\uff13\uff10\uff12.\uff10\uff18\uff10\uff19\uff11", id="fullwidth-digits"),
]


@pytest.mark.parametrize("text", NONE)
def test_look_alikes_are_not_ids(text: str) -> None:
    assert find_arxiv_ids(text) == []


def test_the_same_id_twice_gives_two_matches_in_order() -> None:
    text = "arXiv:2302.08091 요약. 원문 https://arxiv.org/abs/2302.08091v2 참고."
    assert find_arxiv_ids(text) == [
        IdMatch(ArxivId("2302.08091"), 0, 16),
        IdMatch(ArxivId("2302.08091", 2), 24, 58),
    ]


def test_ids_come_in_order_of_appearance_among_other_links() -> None:
    text = (
        "## SAM\n[code](https://github.com/facebookresearch/segment-anything) "
        "[paper](https://arxiv.org/pdf/2304.02643.pdf)\n"
        "비교: hep-th/9901001, 2302.08091; v1.2.3\n"
    )
    assert [str(m.id) for m in find_arxiv_ids(text)] == [
        "2304.02643",
        "hep-th/9901001",
        "2302.08091",
    ]


PARSED = [
    pytest.param("2302.08091v2", ArxivId("2302.08091", 2), id="bare-version"),
    pytest.param("arXiv:hep-th/9901001", ArxivId("hep-th/9901001"), id="old-label"),
    pytest.param("math.GT/0309136", ArxivId("math/0309136"), id="old-subject-class"),
    pytest.param("https://arxiv.org/abs/2302.08091", ArxivId("2302.08091"), id="abs-url"),
    pytest.param("https://arxiv.org/pdf/2304.00416v3.pdf", ArxivId("2304.00416", 3), id="pdf-url"),
    pytest.param("10.48550/arXiv.2302.08091", ArxivId("2302.08091"), id="doi"),
    pytest.param("  2302.08091\n", ArxivId("2302.08091"), id="surrounding-whitespace"),
]


@pytest.mark.parametrize(("given_id", "expected"), PARSED)
def test_parse_reads_one_id(given_id: str, expected: ArxivId) -> None:
    assert parse_arxiv_id(given_id) == expected


REFUSED = [
    pytest.param("", "is not an arXiv id", id="empty"),
    pytest.param("arXiv:abc", "is not an arXiv id", id="label-without-id"),
    pytest.param("2302.08091 2304.02643", "is not an arXiv id", id="two-ids"),
    pytest.param(
        "https://github.com/u/r/releases/2302.08091", "is not an arXiv id", id="other-url"
    ),
    pytest.param("2313.01234", "month 13 does not exist", id="month-13"),
    pytest.param("0703.1234", "begin with 0704", id="before-0704"),
    pytest.param("2101.1234", "have 5 digits", id="four-digits-after-1501"),
    pytest.param("1412.12345", "have 4 digits", id="five-digits-before-1501"),
    pytest.param("hep-xx/9901001", "no arXiv archive 'hep-xx'", id="no-such-archive"),
    pytest.param("hep-th/0704001", "run from 9107 to 0703", id="old-style-too-late"),
]


@pytest.mark.parametrize(("given_id", "reason"), REFUSED)
def test_parse_refuses_with_one_sentence(given_id: str, reason: str) -> None:
    with pytest.raises(ValueError, match=r"^[^\n]*\.$") as refused:
        parse_arxiv_id(given_id)
    assert reason in str(refused.value)
    assert repr(given_id) in str(refused.value)


def test_docstring_examples_hold() -> None:
    result = doctest.testmod(ids)
    assert result.attempted > 0
    assert result.failed == 0


# --- properties -------------------------------------------------------------------------------

_MONTHS = st.integers(1, 12)


@st.composite
def new_style_ids(draw: st.DrawFn) -> str:
    year = draw(st.integers(7, 99))
    month = draw(st.integers(4 if year == 7 else 1, 12))
    digits = 4 if year < 15 else 5
    number = draw(st.integers(1, 10**digits - 1))
    return f"{year:02d}{month:02d}.{number:0{digits}d}"


@st.composite
def old_style_ids(draw: st.DrawFn) -> tuple[str, str]:
    """(as written, canonical): the subject class, when written, is not part of the id."""
    archive = draw(st.sampled_from(sorted(ids.OLD_ARCHIVES)))
    year, month = draw(
        st.tuples(st.integers(1991, 2007), _MONTHS).filter(lambda ym: (1991, 7) <= ym <= (2007, 3))
    )
    number = draw(st.integers(1, 999))
    canonical = f"{archive}/{year % 100:02d}{month:02d}{number:03d}"
    subject = draw(st.sampled_from(["", ".GT", ".AI", ".optics", ".mes-hall"]))
    return f"{archive}{subject}/{canonical.split('/')[1]}", canonical


@st.composite
def planted_ids(draw: st.DrawFn) -> tuple[str, ArxivId]:
    """An id written in one of the forms people paste, and the id it names."""
    if draw(st.booleans()):
        written = canonical = draw(new_style_ids())
    else:
        written, canonical = draw(old_style_ids())
    version = draw(st.none() | st.integers(1, 30))
    if version is not None:
        written += f"v{version}"
    form = draw(
        st.sampled_from(
            [
                "{}",
                "arXiv:{}",
                "ARXIV: {}",
                "https://arxiv.org/abs/{}",
                "http://export.arxiv.org/abs/{}",
                "arxiv.org/pdf/{}.pdf",
                "https://arxiv.org/html/{}#S3",
                "https://arxiv.org/abs/{}?context=cs",
                "https://doi.org/10.48550/arXiv.{}",
                "10.48550/arxiv.{}",
                "https://huggingface.co/papers/{}",
                "https://www.alphaxiv.org/overview/{}",
                "https://ar5iv.labs.arxiv.org/html/{}",
            ]
        )
    )
    return form.format(written), ArxivId(canonical, version)


# Text that cannot hold an id: digit runs of at most three (every form needs four or more),
# tokens always separated by whitespace so runs never join.
_token = (
    st.text(st.sampled_from("abcxyzAXivrhep-th"), min_size=1, max_size=8)
    | st.text(st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), min_size=1, max_size=5)
    | st.integers(0, 999).map(str)
    | st.sampled_from([".", ",", ";", ":", "(", ")", "[", "]", "/", "#", "?", "v1.2", "3.11.7"])
)
_idless_text = st.lists(_token, max_size=12).flatmap(
    lambda tokens: st.lists(
        st.sampled_from([" ", "\n", "  "]), min_size=len(tokens), max_size=len(tokens)
    ).map(lambda seps: "".join(t + s for t, s in zip(tokens, seps, strict=True)))
)


@given(
    before=_idless_text,
    opening=st.sampled_from([" ", "\n", "(", "<", "논문 ", "- "]),
    planted=planted_ids(),
    closing=st.sampled_from([" ", "\n", ". ", ", ", ") ", "] ", ": ", "; ", "에서 ", "논문"]),
    after=_idless_text,
)
def test_a_planted_id_is_found_in_any_surrounding_text(
    before: str, opening: str, planted: tuple[str, ArxivId], closing: str, after: str
) -> None:
    written, expected = planted
    text = before + opening + written + closing + after
    assert found(text) == [(written, expected)]
    assert parse_arxiv_id(written) == expected


@given(_idless_text)
def test_text_without_any_form_gives_no_id(text: str) -> None:
    assert find_arxiv_ids(text) == []


# --- whole notes files: every id planted anywhere is found, and nothing else ---------------

_heading = st.builds(
    lambda level, title: "#" * level + " " + title,
    st.integers(1, 3),
    _idless_text.map(lambda t: " ".join(t.split())),
)


@st.composite
def notes_with_planted_ids(draw: st.DrawFn) -> tuple[str, list[ArxivId]]:
    """A notes file (headings, text, ids planted in headings, bodies or before any heading)
    and the ids planted in it, in order."""
    lines: list[str] = []
    planted: list[ArxivId] = []
    for part in draw(st.lists(st.sampled_from(["heading", "text", "id", "blank"]), max_size=14)):
        if part == "heading":
            lines.append(draw(_heading))
        elif part == "text":
            lines.append(draw(_idless_text).replace("\n", " "))
        elif part == "blank":
            lines.append("")
        else:
            written, arxiv_id = draw(planted_ids())
            where = draw(st.sampled_from(["alone", "in text", "as heading"]))
            if where == "as heading":
                lines.append("## " + written)
            elif where == "in text":
                lines.append(draw(_idless_text).replace("\n", " ") + " " + written + " 참고")
            else:
                lines.append(written)
            planted.append(arxiv_id)
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return end.join(lines) + end, planted


@given(notes_with_planted_ids())
@example(("acc-phys/9107001\n# \n", [ArxivId("acc-phys/9107001")]))  # a bare id above a heading
@example(("## 2304.02643\n", [ArxivId("2304.02643")]))  # a heading that is only an id
def test_every_id_planted_in_a_notes_file_is_found_and_nothing_else(
    notes: tuple[str, list[ArxivId]],
) -> None:
    text, planted = notes
    found_ids = unique_ids(read_units([NotesText("notes.md", text)]))
    assert found_ids == list(dict.fromkeys(i.versionless for i in planted))
