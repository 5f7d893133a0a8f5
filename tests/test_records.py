"""Records: one per paper with every note about it, and keys a user can rely on."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

import pytest
from anyascii import anyascii
from hypothesis import given
from hypothesis import strategies as st

from note2bib.keys import assign_keys, natural_key
from note2bib.model import ArxivId, Name, Record, Unit
from note2bib.names import parse_name
from note2bib.notes.mentions import find_mentions, unique_ids
from note2bib.notes.units import parse_notes
from note2bib.records import build_records

from fixture_papers import fixture_paper


def _records(markdown: str, papers: dict[str, object] | None = None) -> list[Record]:
    found = find_mentions(parse_notes(markdown, "notes.md"))
    if papers is None:
        papers = {i.base: fixture_paper(i.base) for i in unique_ids(found)}
    records, _ = build_records(found, papers)  # type: ignore[arg-type]
    return records


def test_one_record_per_paper_carrying_every_note_in_order() -> None:
    records = _records(
        "## Segment Anything\nhttps://arxiv.org/abs/2304.02643\n\n"
        "## LEDITS\nhttps://arxiv.org/abs/2307.00522v1\n\n"
        "## Compare\nSAM (arXiv:2304.02643) and LEDITS (2307.00522) together.\n"
    )
    assert [r.arxiv_id for r in records] == [ArxivId("2304.02643"), ArxivId("2307.00522")]
    sam, ledits = records
    assert [s.title for s in sam.units] == ["Segment Anything", "Compare"]
    assert [s.title for s in ledits.units] == ["LEDITS", "Compare"]
    assert sam.note == (
        "## Segment Anything\nhttps://arxiv.org/abs/2304.02643\n\n"
        "## Compare\nSAM (arXiv:2304.02643) and LEDITS (2307.00522) together."
    )


def test_a_pinned_version_is_kept_in_the_url_but_never_splits_the_paper() -> None:
    records = _records(
        "## SPP\nhttps://arxiv.org/abs/2307.05300v2\n\n## SPP again\narXiv:2307.05300\n"
    )
    (spp,) = records
    assert spp.arxiv_id == ArxivId("2307.05300")
    assert spp.pinned_version == 2
    assert spp.url == "https://arxiv.org/abs/2307.05300v2"
    assert spp.key == "wang2023unleashing"


def test_section_mentioning_the_same_paper_twice_is_attached_once() -> None:
    (record,) = _records(
        "## SAM\nabs: https://arxiv.org/abs/2304.02643 pdf: https://arxiv.org/pdf/2304.02643\n"
    )
    assert len(record.units) == 1


def test_notes_without_an_id_become_unresolved_records_in_place() -> None:
    records = _records(
        "## GPT-2\nblog: https://openai.com/blog/better-language-models\n\n"
        "## SAM\nhttps://arxiv.org/abs/2304.02643\n"
    )
    gpt2, sam = records
    assert gpt2.paper is None and gpt2.arxiv_id is None
    assert gpt2.url == "https://openai.com/blog/better-language-models"
    assert gpt2.title == "GPT-2"
    assert sam.paper is not None


def test_an_id_arxiv_did_not_answer_for_keeps_its_id_and_notes() -> None:
    (record,) = _records("## Missing\narXiv:2307.99999\n", papers={})
    assert record.paper is None
    assert record.arxiv_id == ArxivId("2307.99999")
    assert record.url == "https://arxiv.org/abs/2307.99999"
    assert record.key == "arxiv230799999"


def test_mentions_know_their_line_in_the_file() -> None:
    found = find_mentions(parse_notes("# Notes\n\n## A\ntext\n\nsee arXiv:2304.02643\n", "n.md"))
    (mention,) = [m for item in found for m in item.mentions]
    assert (mention.source, mention.line, mention.written) == ("n.md", 6, "arXiv:2304.02643")


@pytest.mark.parametrize(
    ("base", "key"),
    [
        # The key rule (docs/formats.md), checked by hand against each fixture's first author,
        # v1 year and title.
        pytest.param("2302.08091", "lehman2023still", id="stopwords-do-we-skipped"),
        pytest.param("2307.05300", "wang2023unleashing", id="current-title-v1-year"),
        pytest.param("2307.04725", "guo2023animatediff", id="mixed-case-word"),
        pytest.param("2304.02643", "kirillov2023segment", id="arxiv-style-key"),
        pytest.param("2302.13971", "touvron2023llama", id="acronym-lowercased"),
        pytest.param("2304.00416", "lin2023healthy", id="towards-is-a-stopword"),
        pytest.param("0704.0943", "ligo2007search", id="organisation-first-author"),
        pytest.param("2306.03845", "hu2023test", id="math-span-skipped"),
        pytest.param("2104.12255", "nguyen20210", id="title-is-just-0"),
        pytest.param("hep-th/9901001", "imamura1999string", id="old-style-id"),
    ],
)
def test_natural_key(base: str, key: str) -> None:
    (record,) = _records(f"## x\narXiv:{base}\n")
    assert natural_key(record) == key


def test_accented_family_names_are_transliterated() -> None:
    paper = fixture_paper("2304.02643")
    dollar_first = replace(
        paper,
        authors=("Piotr Dollár", *paper.authors),
        names=(parse_name("Piotr Dollár"), *paper.names),
    )
    (record,) = _records("## SAM\narXiv:2304.02643\n", papers={"2304.02643": dollar_first})
    assert record.key == "dollar2023segment"


def test_a_key_spells_every_letter_of_a_name_as_anyascii_does() -> None:
    # A run loads anyascii only for letters other than accented Latin ones (it costs 6 ms of
    # start-up): every letter must come out as anyascii would spell it.
    (record,) = _records("## SAM\narXiv:2304.02643\n")
    letters = (chr(c) for c in range(0x80, 0x110000) if unicodedata.category(chr(c))[0] == "L")
    for letter in letters:
        name = f"A{letter}b"
        spelled = natural_key(replace(record, authors=(Name(name),)))
        assert spelled == natural_key(replace(record, authors=(Name(anyascii(name)),))), letter


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        pytest.param("OpenAI's GPT-2", "openaisgpt", id="apostrophe-dropped"),
        pytest.param("Download LLaMA weights", "downloadllama", id="two-words"),
        pytest.param("작은 언어 모델", "jageuneoneo", id="korean-romanised"),
        pytest.param("The", "the", id="only-a-stopword"),
        pytest.param("!!!", "note", id="no-word-at-all"),
    ],
)
def test_unresolved_keys_are_ascii_and_usable(heading: str, key: str) -> None:
    record = Record(key="", units=(Unit("n.md", 1, heading, f"## {heading}\nx"),))
    assert natural_key(record) == key


def test_colliding_keys_take_suffixes_in_arxiv_id_order_whatever_the_note_order() -> None:
    sam = fixture_paper("2304.02643")
    twin = replace(sam, id=ArxivId("2304.09999"))
    papers = {"2304.02643": sam, "2304.09999": twin}
    forward = _records("## a\narXiv:2304.02643\n\n## b\narXiv:2304.09999\n", papers)
    backward = _records("## b\narXiv:2304.09999\n\n## a\narXiv:2304.02643\n", papers)
    keys = {r.arxiv_id.base: r.key for r in forward if r.arxiv_id}
    assert keys == {"2304.02643": "kirillov2023segment", "2304.09999": "kirillov2023segmenta"}
    assert {r.arxiv_id.base: r.key for r in backward if r.arxiv_id} == keys


def test_new_keys_never_equal_a_taken_key_case_insensitively() -> None:
    (record,) = _records("## SAM\narXiv:2304.02643\n")
    (renamed,) = assign_keys([record], taken_keys={"Kirillov2023Segment", "kirillov2023segmenta"})
    assert renamed.key == "kirillov2023segmentb"


_headings = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1
).map(lambda s: s.replace("#", "").strip() or "x")


@given(st.lists(_headings, min_size=1, max_size=30))
def test_keys_are_unique_ascii_and_deterministic(headings: list[str]) -> None:
    records = [
        Record(key="", units=(Unit("n.md", i, h, f"## {h}\nbody"),)) for i, h in enumerate(headings)
    ]
    keys = [r.key for r in assign_keys(records)]
    assert len({k.lower() for k in keys}) == len(keys)
    assert all(k.isascii() and k.isalnum() for k in keys)
    assert keys == [r.key for r in assign_keys(records)]


def _notes(headings: list[str]) -> list[Record]:
    return [
        Record(key="", units=(Unit("n.md", i, h, f"## {h}\nbody"),)) for i, h in enumerate(headings)
    ]


def test_colliding_notes_take_a_to_z_then_aa_in_order_of_appearance() -> None:
    keys = [r.key for r in assign_keys(_notes(["Meeting notes"] * 30))]
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    assert keys == ["meetingnotes"] + [f"meetingnotes{s}" for s in [*letters, "aa", "ab", "ac"]]


def test_a_natural_key_equal_to_a_suffixed_one_is_skipped_and_suffixed_itself() -> None:
    headings = ["Meeting notes"] * 3 + ["Meetingnotesb", "Meetingnotesc"] + ["Meeting notes"] * 2
    keys = [r.key for r in assign_keys(_notes(headings), taken_keys={"MeetingNotesD"})]
    assert keys == [
        "meetingnotes",
        "meetingnotesa",
        "meetingnotesb",
        "meetingnotesba",
        "meetingnotesc",
        "meetingnotese",
        "meetingnotesf",
    ]


def _keys_trying_every_suffix(records: list[Record], taken: set[str]) -> list[str]:
    """The keys as note2bib gave them before issue 11: each collision tried from `a` again."""
    used = {k.lower() for k in taken}
    order = sorted(
        range(len(records)),
        key=lambda i: (records[i].arxiv_id is None, str(records[i].arxiv_id or ""), i),
    )
    keys = [""] * len(records)
    for i in order:
        base, n, key = natural_key(records[i]), 0, natural_key(records[i])
        while key.lower() in used:
            n += 1
            letters, m = "", n
            while m > 0:
                m, rest = divmod(m - 1, 26)
                letters = chr(ord("a") + rest) + letters
            key = base + letters
        used.add(key.lower())
        keys[i] = key
    return keys


# Few words, so that natural keys collide and some equal another's suffixed key.
_colliding = st.lists(
    st.sampled_from(["Meeting notes", "Meetingnotes a", "Meetingnotesa", "Meetingnotesaa", "x"]),
    max_size=80,
)


@given(_colliding, st.sets(st.sampled_from(["meetingnotes", "MeetingNotesA", "meetingnotesb"])))
def test_keys_are_those_every_suffix_tried_from_a_would_give(
    headings: list[str], taken: set[str]
) -> None:
    records = _notes(headings)
    assert [r.key for r in assign_keys(records, taken)] == _keys_trying_every_suffix(records, taken)
