"""Merging into a library: what was there stays byte for byte, new entries go at the end, a
second merge changes nothing, new keys never collide, and an unsafe file is refused; entries
note2bib wrote are brought in step with the notes, every byte outside them kept."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from note2bib.errors import InputError
from note2bib.latex import decode
from note2bib.library.bib import parse_bib
from note2bib.library.merge import add_note, check_appendable
from note2bib.library.plan import plan_against_libraries
from note2bib.library.provenance import NoteId, find_markers, marker_of
from note2bib.library.read import Library
from note2bib.library.update import Existing, Note, update_entries
from note2bib.model import ArxivId, LibraryEntry, Record, Unit
from note2bib.names import parse_name
from note2bib.pipeline import ExportOptions, merge_records

from fixture_papers import fixture_paper

CORPORA = Path(__file__).parent / "fixtures" / "corpora"
PAPERS = ["2302.08091", "2304.02643", "2307.04725", "2306.00323", "1709.03221", "2302.13971"]


def library_of(data: bytes, path: str = "refs.bib") -> Library:
    entries, diagnostics = parse_bib(data.decode("utf-8"), path)
    return Library(path, data, tuple(entries), tuple(diagnostics))


def record(base: str, line: int = 1, note: str = "") -> Record:
    paper = fixture_paper(base)
    text = f"## {paper.title}\n{note}\narXiv:{base}" if note else f"## {paper.title}\narXiv:{base}"
    section = Unit("notes.md", line, paper.title, text)
    return Record(
        "", (section,), ArxivId(base), paper, authors=tuple(map(parse_name, paper.authors))
    )


def merge(data: bytes, records: Sequence[Record], annotate: bool = False) -> bytes:
    """What `export --library --merge [--annotate-existing]` writes, from the pure steps."""
    library = library_of(data)
    plan = plan_against_libraries(records, [library], [])
    options = ExportOptions(Path("unused"), merge=True, annotate_existing=annotate)
    merged, _ = merge_records(library, plan.new, plan, options)
    return merged.encode("utf-8")


def note(text: str, name: str = "a") -> Note:
    """A note of `text` (its identity named after `name`)."""
    return Note(NoteId(name, None), text, "notes.md:1")


def test_new_entries_are_appended_after_the_untouched_file() -> None:
    data = b"% my refs\n@string{x = {y}}\n@misc{a, title={A}}\n"
    merged = merge(data, [record("2304.02643")])
    # Each appended entry after the line that says note2bib wrote it (BibTeX skips it).
    assert merged.startswith(data + b"\n% note2bib: key=kirillov2023segment made=paper ")
    assert merged[len(data) :].split(b"\n")[2] == b"@misc{kirillov2023segment,"
    assert [e.key for e in library_of(merged).entries] == ["a", "kirillov2023segment"]


def test_appended_text_follows_the_files_line_ends() -> None:
    data = b"@misc{a,\r\n  title={A}\r\n}"
    merged = merge(data, [record("2304.02643")])
    assert merged.startswith(data + b"\r\n\r\n% note2bib: key=kirillov2023segment made=paper ")
    assert b"\r\n@misc{kirillov2023segment,\r\n" in merged
    assert b"\n" not in merged.replace(b"\r\n", b"")


@pytest.mark.slow  # the 3,305-entry corpus
def test_the_messy_library_merges_byte_exactly() -> None:
    data = (CORPORA / "messy_iridia_all.bib").read_bytes()
    merged = merge(data, [record(b) for b in PAPERS])
    assert merged[: len(data)] == data
    appended = parse_bib(merged[len(data) :].decode("utf-8"), "tail")[0]
    assert {e.get("eprint") for e in appended} == set(PAPERS)
    assert merge(merged, [record(b) for b in PAPERS]) == merged


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        pytest.param(
            "@misc{ok, title={x}}\n\n@article{open,\n  title = {Never {closed}\n",
            3,
            "the @article entry open is never closed (2 more { than }",
            id="unterminated",
        ),
        pytest.param(
            "@misc{a, title={x}}\n@misc{b, title = {Unbalanced {brace}, year = 2020}\n"
            "@misc{c, title={z}}\n",
            2,
            "the @misc entry b is never closed",
            id="unbalanced",
        ),
    ],
)
def test_a_library_that_would_swallow_appended_text_is_refused(
    text: str, line: int, what: str
) -> None:
    with pytest.raises(InputError) as err:
        check_appendable(text, "refs.bib")
    assert str(err.value).startswith(f"refs.bib:{line}: {what}")
    assert str(err.value).endswith("nothing was merged")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("@misc{a, title = {x}} trailing text } with a stray brace\n", id="stray"),
        pytest.param(
            "@comment{anything}\n@preamble{ {\\x} }\n@misc(a, title = {)})\n", id="parens"
        ),
        pytest.param("% an address: someone@example.org\n@misc{a, title={x}}", id="at-sign"),
    ],
)
def test_a_library_with_balanced_entries_is_appendable(text: str) -> None:
    check_appendable(text, "refs.bib")


def test_a_note_is_added_to_an_existing_annote_only_by_adding() -> None:
    raw = "@misc{a,\n  title = {A},\n  annote = {my earlier note}\n}"
    new = add_note(raw, "## SAM\nmasks & prompts")
    assert new is not None
    assert new.startswith("@misc{a,\n  title = {A},\n  annote = {my earlier note")
    annote = parse_bib(new, "x")[0][0].get("annote") or ""
    assert decode(annote) == "my earlier note\n\n## SAM\nmasks & prompts"
    assert add_note(new, "## SAM\nmasks & prompts") is None  # already there: nothing to add


def test_a_bare_quote_in_two_quoted_values_leaves_the_entry_as_it_is() -> None:
    # Read as BibTeX reads it, the annote's value ran on to the end of the title's, and the
    # note was joined onto the title.
    data = b'@misc{a,\n  annote = "\\"o",\n  eprint = {2304.02643},\n  title = "\\"o"\n}\n'
    assert library_of(data).entries[0].get("title") == '\\"o'
    assert merge(data, [record("2304.02643", 1, "my note")], annotate=True) == data


@pytest.mark.parametrize("field", ["title", "annote"])
def test_an_entry_whose_fields_cannot_be_told_apart_is_left_as_it_is(field: str) -> None:
    # BibTeX ends a quoted value at the first bare `"`; bibtexparser reads on.
    data = f'@misc{{a,\n  {field} = "\\"o",\n  eprint = {{2304.02643}}\n}}\n'.encode()
    assert library_of(data).entries[0].get("eprint") == "2304.02643"
    assert merge(data, [record("2304.02643", 1, "my note")], annotate=True) == data
    entry = library_of(data).entries[0]
    updated = update_entries(data, [Existing(entry, (note("my note"),))], annotate=True)
    assert updated.data == data
    assert (updated.changed, updated.unreadable) == ([], [entry])  # reported, not lost


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("@misc{a,\n  title = {A}\n}", "@misc{a,\n  title = {A},\n  annote = {n}\n}"),
        ("@misc{a,\n  title = {A},\n}", "@misc{a,\n  title = {A},\n  annote = {n}\n}"),
        ("@misc{a}", "@misc{a,\n  annote = {n}\n}"),
        ('@misc{a, annote = "q"}', '@misc{a, annote = "q" # {$ $\n$ $\nn}}'),
    ],
)
def test_an_annote_is_added_where_there_is_none(raw: str, expected: str) -> None:
    assert add_note(raw, "n") == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("@misc{a, annote = {}}", "@misc{a, annote = {n$ $\nm}}"),
        ('@misc{a, annote = ""}', "@misc{a, annote = {n$ $\nm}}"),
        ("@misc{a,\n  annote = { \n },\n}", "@misc{a,\n  annote = {n$ $\nm},\n}"),
    ],
)
def test_an_empty_annote_just_holds_the_note(raw: str, expected: str) -> None:
    assert add_note(raw, "n\nm") == expected
    assert decode(library_of(expected.encode()).entries[0].get("annote") or "") == "n\nm"


def test_annotating_changes_only_the_matched_entry() -> None:
    data = (
        b"@misc{before, title={B}}\n\n"
        b"@article{sam, title={Segment Anything}, eprint={2304.02643}}\n\n"
        b"@misc{after, title={C}}\n"
    )
    merged = merge(data, [record("2304.02643")], annotate=True)
    old, new = library_of(data).entries, library_of(merged).entries
    assert [e.key for e in new] == ["before", "sam", "after"]
    assert new[0] == old[0]
    assert merged.endswith(b"@misc{after, title={C}}\n")
    assert is_subsequence(data, merged)
    assert "Segment Anything" in decode(new[1].get("annote") or "")


def test_two_notes_for_one_entry_are_both_added() -> None:
    data = b"@misc{sam, title={Segment Anything}}\n@misc{z, title={Z}}\n"
    entry = library_of(data).entries[0]
    notes = [Existing(entry, (note("first", "a"),)), Existing(entry, (note("second", "b"),))]
    updated = update_entries(data, notes, annotate=True)
    assert updated.changed == ["sam"]
    annote = library_of(updated.data).entries[0].get("annote") or ""
    assert decode(annote) == "first\n\nsecond"
    assert updated.data.endswith(b"\n@misc{z, title={Z}}\n")


def is_subsequence(old: bytes, new: bytes) -> bool:
    """Whether `new` is `old` with bytes inserted and none removed or changed."""
    it = iter(new)
    return all(byte in it for byte in old)


# --- properties: random libraries, random notes ---------------------------------------------

_KEYS = st.sampled_from(
    [
        "kirillov2023segment",
        "Kirillov2023Segment",
        "lehman2023still",
        "guo2023animatediff",
        "a",
        "b",
    ]
)
# Field values as real libraries write them: braces balanced and nested (`{BERT}`,
# `{\"o}`), quoted, a macro or a `#` concatenation, LaTeX, Korean, an address with `@`.
# A bare `\"o` in a quoted value is not BibTeX (it ends the value) yet bibtexparser reads it.
_PLAIN = st.text(st.characters(codec="utf-8", exclude_characters='{}@\\\r"'), max_size=12) | (
    st.sampled_from(['{\\"o}', '\\"o', "\\&", "$\\mu$", "작은 모델", "a@b.org", "100\\%", "\\url"])
)
_BALANCED = st.recursive(
    _PLAIN,
    lambda inner: st.builds(lambda a, b, c: f"{a}{{{b}}}{c}", _PLAIN, inner, _PLAIN),
    max_leaves=4,
)
_VALUE = st.one_of(
    _BALANCED.map(lambda v: "{" + v + "}"),
    _BALANCED.map(lambda v: '"' + v + '"'),
    st.sampled_from(["conf", 'conf # " 2023"', "2023"]),
)
_FIELD = st.one_of(
    st.tuples(st.sampled_from(["title", "author", "annote", "note", "journal", "year"]), _VALUE),
    st.tuples(st.just("eprint"), st.sampled_from(PAPERS).map(lambda b: "{" + b + "}")),
)
_ENTRY = st.builds(
    lambda kind, parens, key, fields, nl, comma: (
        f"@{kind}{'(' if parens else '{'}{key},"
        + ",".join(f"{nl}  {name} = {value}" for name, value in fields)
        + ("," if comma and fields else "")
        + f"{nl}{')' if parens else '}'}"
    ),
    st.sampled_from(["misc", "article", "InProceedings", "online"]),
    st.booleans(),
    _KEYS,
    st.lists(_FIELD, max_size=4),  # a field twice, or a key twice, as real libraries have
    st.sampled_from(["\n", "\r\n", " "]),
    st.booleans(),
)
_OTHER = st.sampled_from(
    [
        "% a comment line",
        "% an address: someone@example.org",
        "@string{ conf = {Conference} }",
        '@preamble{ "\\newcommand{\\noop}[1]{}" }',
        "@comment{ jabref-meta: databaseType:bibtex; }",
        "@comment{ {nested} braces }",
        "free text between entries",
    ]
)
_BLOCKS = st.lists(st.one_of(_ENTRY, _OTHER), max_size=8)
_SEPARATOR = st.sampled_from(["\n", "\n\n", "\r\n", " \n\t\n"])
# Papers the notes name, each with a note of any text (the one `--annotate-existing` adds).
_NOTES = st.lists(
    st.tuples(st.sampled_from(PAPERS), st.text(max_size=30)), max_size=6, unique_by=lambda t: t[0]
).map(lambda notes: [record(base, i + 1, note) for i, (base, note) in enumerate(notes)])


@given(_BLOCKS, _SEPARATOR, st.booleans(), _NOTES)
def test_merge_keeps_every_block_and_appends_only(
    blocks: list[str], separator: str, final_newline: bool, notes: list[Record]
) -> None:
    data = (separator.join(blocks) + (separator if final_newline else "")).encode()
    merged = merge(data, notes)
    assert merged[: len(data)] == data
    old = library_of(data).entries
    merged_library = library_of(merged)
    assert merged_library.entries[: len(old)] == old
    # Every new entry is read back as an entry of its own, not swallowed by an older one.
    new_keys = [r.key for r in plan_against_libraries(notes, [library_of(data)], []).new]
    assert [e.key for e in merged_library.entries[len(old) :]] == new_keys


@given(_BLOCKS, _NOTES, st.booleans())
def test_merging_twice_is_merging_once(
    blocks: list[str], notes: list[Record], annotate: bool
) -> None:
    data = "\n\n".join(blocks).encode()
    once = merge(data, notes, annotate)
    assert merge(once, notes, annotate) == once


@given(_BLOCKS, _NOTES)
def test_new_keys_never_collide_with_the_library(blocks: list[str], notes: list[Record]) -> None:
    library = library_of("\n".join(blocks).encode())
    plan = plan_against_libraries(notes, [library], [])
    taken = {e.key.lower() for e in library.entries}
    new_keys = [r.key.lower() for r in plan.new]
    assert not taken & set(new_keys)
    assert len(set(new_keys)) == len(new_keys)
    for r, m in plan.existing:
        assert r.key == m.entry.key  # a paper already there keeps the library's key


# An annote that holds nothing (`""`, `{ }`) is replaced by the note rather than added to
# (docs/library.md): its quotes or spaces are the only bytes a merge may drop.
_EMPTY_ANNOTE = re.compile(rb'(?i)(\bannote\s*=\s*)(?:"[\s{}]*"|\{[\s{}]*\})')


@given(_BLOCKS, _NOTES)
@example(
    blocks=[
        '@misc{kirillov2023segment,\n  title = conf # " 2023",\n  eprint = {2302.08091},\n'
        '  title = conf,\n  annote = ""\n}'
    ],
    notes=[record("2302.08091", 1, "")],
)
@example(
    blocks=[
        "@misc{kirillov2023segment,\n  annote = {{}},\n  eprint = {2304.02643},\n  title = conf\n}"
    ],
    notes=[record("2304.02643", 1, "")],
)
# `"\"o"`: BibTeX and bibtexparser end the value at different quotes; the note went into the
# title. Such an entry is left as it is.
@example(
    blocks=[
        '@misc{kirillov2023segment,\n  annote = "\\"o",\n  eprint = {2304.02643},\n'
        '  title = "\\"o"\n}'
    ],
    notes=[record("2304.02643", 1, "")],
)
def test_annotating_only_adds(blocks: list[str], notes: list[Record]) -> None:
    data = "\n".join(blocks).encode()
    merged = merge(data, notes, annotate=True)
    assert is_subsequence(_EMPTY_ANNOTE.sub(rb"\1{}", data), _EMPTY_ANNOTE.sub(rb"\1{}", merged))
    old, new = library_of(data).entries, library_of(merged).entries
    # Entries keep their place, key and fields; only an `annote` may have grown.
    assert [(e.key, without_annote(e)) for e in new[: len(old)]] == [
        (e.key, without_annote(e)) for e in old
    ]


def without_annote(entry: LibraryEntry) -> list[tuple[str, str]]:
    return [(name, value) for name, value in entry.fields if name != "annote"]


# --- properties: entries note2bib wrote, brought in step -------------------------------------


def stub(base: str, line: int = 1, note: str = "") -> Record:
    """`record(base, line, note)` as written while arXiv did not answer: no metadata."""
    resolved = record(base, line, note)
    return Record("", resolved.units, ArxivId(base))


def regions(data: bytes) -> list[tuple[int, int, str]]:
    """Each entry's bytes [start, end) with its `% note2bib:` line, and its key, in file order."""
    markers = find_markers(data)
    out = []
    for e in library_of(data).entries:
        found = marker_of(markers, e.span[0], e.key)
        out.append((e.span[0] if found is None else found.start, e.span[1], e.key))
    return sorted(out)


def between(data: bytes) -> list[bytes]:
    """The bytes outside every entry and its `% note2bib:` line: before, between and after."""
    pieces, pos = [], 0
    for start, end, _ in regions(data):
        pieces.append(data[pos:start])
        pos = end
    return [*pieces, data[pos:]]


def entry_bytes(data: bytes) -> dict[str, list[bytes]]:
    out: dict[str, list[bytes]] = {}
    for start, end, key in regions(data):
        out.setdefault(key, []).append(data[start:end])
    return out


# Which papers a first merge wrote as stubs (arXiv did not answer), what the user then
# appended by hand, and which notes are edited before the next merge (arXiv answering).
_LIVING = st.tuples(
    st.lists(st.sampled_from(PAPERS), min_size=1, max_size=4, unique=True),
    _BLOCKS,
    st.lists(st.booleans(), min_size=4, max_size=4),
    st.text(max_size=20),
)


@given(_BLOCKS, _LIVING, st.booleans())
# Found by hypothesis: an entry of the user's carrying two ids, one of them a stub's; merging
# again moved that paper's note into the user's entry.
@example(
    blocks=[
        "@misc{kirillov2023segment,\n}",
        "@misc{kirillov2023segment,\n  annote = {{\x00}},\n  eprint = {2302.08091},\n"
        "  eprint = {2304.02643}\n}",
    ],
    living=(["2302.08091", "2304.02643"], [], [False] * 4, ""),
    annotate=True,
)
def test_completing_stubs_and_replacing_notes_keeps_every_byte_outside_those_entries(
    blocks: list[str], living: tuple[list[str], list[str], list[bool], str], annotate: bool
) -> None:
    bases, by_hand, edited, addition = living
    data = "\n\n".join(blocks).encode()
    first = [stub(b, i + 1, "first note") for i, b in enumerate(bases)]
    written = merge(data, first) + ("\n".join(by_hand) + "\n").encode()
    notes = [
        record(b, i + 1, "first note" + (addition if e else ""))
        for i, (b, e) in enumerate(zip(bases, edited, strict=False))
    ]
    merged = merge(written, notes, annotate)

    # Outside the entries (and their note2bib lines), every byte as it was, then the tail.
    old, new = between(written), between(merged)
    assert new[: len(old) - 1] == old[:-1]
    assert new[len(old) - 1].startswith(old[-1])
    # The entries no note names are byte for byte as they were.
    before, after = entry_bytes(written), entry_bytes(merged)
    plan = plan_against_libraries(notes, [library_of(written)], [])
    named = {m.entry.key for _, m in plan.existing}
    for key, texts in before.items():
        if key not in named:
            assert after[key] == texts
    # Each stub is now the paper with its metadata, under its own key, with its note as edited.
    for r in notes:
        key = "arxiv" + r.arxiv_id.base.replace(".", "")
        entry = next((e for e in library_of(merged).entries if e.key == key), None)
        if entry is None:  # the user's library had the paper: no stub was written
            continue
        assert entry.get("author") is not None
        assert decode(entry.get("annote") or "") == r.note
    assert merge(merged, notes, annotate) == merged  # and merging again changes nothing
