"""Reading existing libraries: every entry (those bibtexparser sets aside too), where it is, and
its values with macros, `#` and `crossref` resolved; arXiv ids and DOIs in every guise."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import pytest

from note2bib import doi
from note2bib.doi import normalize_doi
from note2bib.errors import InputError
from note2bib.library import bib as library_bib
from note2bib.library import identity
from note2bib.library.identity import entry_arxiv_ids
from note2bib.library.read import read_library
from note2bib.model import ArxivId, LibraryEntry

CORPORA = Path(__file__).parent / "fixtures" / "corpora"

MESSY = """\
% a lab library
@string{ jmlr = "Journal of Machine Learning Research" }
@string{arxiv = {arXiv preprint arXiv:}}

@article{smith2020,
  author = {Smith, Jane},
  title = {A {BERT} Study},
  journal = jmlr,
  year = 2020,
  month = jul,
}

@article{smith2020,
  title = {Twice the same key},
  year = {2021},
}

@misc{rep,
  title = {Repeated},
  note = {first},
  note = {second},
}

@misc{concat,
  title = "Deep " # {Learning},
  journal = arxiv # {1912.11462 [cs.AI]},
}

@proceedings{conf2020,
  title = {Proceedings of Conf 2020},
  year = {2020},
  doi = {10.1000/the-volume},
}

@inproceedings{child,
  title = {A Paper in the Proceedings},
  author = {Doe, John},
  crossref = {conf2020},
}
"""


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    path = tmp_path / "refs.bib"
    path.write_text(MESSY, encoding="utf-8")
    return path


def by_key(path: Path) -> dict[str, list[LibraryEntry]]:
    out: dict[str, list[LibraryEntry]] = {}
    for e in read_library(str(path)).entries:
        out.setdefault(e.key, []).append(e)
    return out


def test_duplicate_keys_and_repeated_fields_are_read_not_dropped(messy: Path) -> None:
    entries = by_key(messy)
    assert [e.get("year") for e in entries["smith2020"]] == ["2020", "2021"]
    assert list(entries["rep"][0].values("note")) == ["first", "second"]
    assert entries["rep"][0].get("note") == "first"  # BibTeX takes the first


def test_one_warning_names_the_duplicate_keys_another_the_repeated_fields(messy: Path) -> None:
    messages = [str(d) for d in read_library(str(messy)).diagnostics]
    assert messages == [
        f"{messy}: 1 keys are used by more than one entry (BibTeX uses the first): smith2020",
        f"{messy}: 1 entries repeat a field (BibTeX uses the first): rep (note)",
    ]


def test_macros_concatenation_and_crossref_are_resolved(messy: Path) -> None:
    entries = by_key(messy)
    smith = entries["smith2020"][0]
    assert smith.get("journal") == "Journal of Machine Learning Research"
    assert smith.get("month") == "July"
    assert smith.get("title") == "A {BERT} Study"  # LaTeX is left as written
    concat = entries["concat"][0]
    assert concat.get("title") == "Deep Learning"
    assert concat.get("journal") == "arXiv preprint arXiv:1912.11462 [cs.AI]"
    child = entries["child"][0]
    assert child.get("booktitle") == "Proceedings of Conf 2020"
    assert child.get("year") == "2020"
    assert child.get("doi") is None  # the volume's DOI is not the paper's


def test_each_entry_knows_its_line_and_exact_byte_span(tmp_path: Path) -> None:
    text = "% é comment\r\n@misc{a,\r\n  title = {Caf\u00e9}\r\n}\r\n\r\n  @misc{b, title={x}}\r\n"
    path = tmp_path / "crlf.bib"
    path.write_bytes(text.encode("utf-8"))
    library = read_library(str(path))
    a, b = library.entries
    assert (a.line, b.line) == (2, 6)
    assert library.data[slice(*a.span)] == "@misc{a,\r\n  title = {Caf\u00e9}\r\n}".encode()
    assert library.data[slice(*b.span)] == b"@misc{b, title={x}}"


def test_a_library_that_is_not_utf8_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "latin1.bib"
    path.write_bytes("@misc{a, title={Caf\xe9}}\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1.bib:1: not UTF-8"):
        read_library(str(path))


def test_a_missing_library_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such library file"):
        read_library(str(tmp_path / "absent.bib"))


def test_a_block_bibtexparser_cannot_read_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.bib"
    path.write_text("@misc{ok, title={x}}\n\n@misc{broken title={y}}\n\n@misc{b, title={z}}\n")
    library = read_library(str(path))
    assert [e.key for e in library.entries] == ["ok", "b"]
    (warning,) = library.diagnostics
    assert str(warning).startswith(f"{path}:3: this block could not be read")


def test_csl_json_items_are_entries_with_lines_and_spans(tmp_path: Path) -> None:
    items = [
        {
            "id": "lehman2023",
            "type": "article",
            "title": "Do We Still Need Clinical Language Models?",
            "author": [{"family": "Lehman", "given": "Eric"}],
            "issued": {"date-parts": [[2023, 2, 16]]},
            "number": "arXiv:2302.08091",
        },
        {"id": "org", "title": "Report", "author": [{"literal": "OpenAI"}], "DOI": "10.1/x"},
    ]
    text = "[\n" + ",\n".join(json.dumps(i, indent=2) for i in items) + "\n]\n"
    path = tmp_path / "zotero.json"
    path.write_text(text, encoding="utf-8")
    library = read_library(str(path))
    first, second = library.entries
    assert (first.key, first.line) == ("lehman2023", 2)
    assert second.line == text.count("\n", 0, text.index('{\n  "id": "org"')) + 1
    assert json.loads(library.data[slice(*first.span)]) == items[0]
    assert first.get("author") == "Lehman, Eric"
    assert first.get("year") == "2023"
    assert entry_arxiv_ids(first) == {ArxivId("2302.08091"): "number"}
    assert second.get("author") == "{OpenAI}"
    assert second.get("doi") == "10.1/x"


def test_csl_json_that_is_not_an_array_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"id": "x"}')
    with pytest.raises(InputError, match=r"bad.json:1: a CSL-JSON library is a JSON array"):
        read_library(str(path))


def entry(**fields: str) -> LibraryEntry:
    return LibraryEntry("e", "misc", tuple(fields.items()), "refs.bib", 1, (0, 0))


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"eprint": "2302.08091"}, "eprint", id="eprint-bare"),
        pytest.param(
            {"eprint": "2302.08091v3", "archiveprefix": "arXiv"}, "eprint", id="eprint-version"
        ),
        pytest.param({"eprint": "arXiv:2302.08091", "eprinttype": "arxiv"}, "eprint", id="label"),
        pytest.param({"arxivid": "2302.08091"}, "arxivid", id="mendeley"),
        pytest.param({"url": "https://arxiv.org/pdf/2302.08091v1.pdf"}, "url", id="url-pdf"),
        pytest.param(
            {"howpublished": "\\url{http://arxiv.org/abs/2302.08091}"},
            "howpublished",
            id="url-macro",
        ),
        pytest.param({"note": "arXiv:2302.08091 [cs.CL]"}, "note", id="note"),
        pytest.param({"doi": "10.48550/ARXIV.2302.08091"}, "doi", id="doi-any-case"),
        pytest.param(
            {"journal": "arXiv preprint arXiv:2302.08091"}, "journal", id="google-scholar"
        ),
        pytest.param({"journal": "CoRR", "volume": "abs/2302.08091"}, "volume", id="dblp"),
        pytest.param({"journal": "ArXiv", "volume": "abs/2302.08091"}, "volume", id="s2"),
        pytest.param({"pages": "arXiv:2302.08091"}, "pages", id="ads-pages"),
        pytest.param({"eid": "arXiv:2302.08091"}, "eid", id="ads-eid"),
        pytest.param(
            {"bdsk-url-1": "https://arxiv.org/abs/2302.08091"}, "bdsk-url-1", id="bibdesk"
        ),
        pytest.param(
            {"annote": "Preprint: \\url{https://arxiv.org/abs/2302.08091}"}, "annote", id="annote"
        ),
    ],
)
def test_the_arxiv_id_is_found_in_every_field_guise(fields: dict[str, str], field: str) -> None:
    assert entry_arxiv_ids(entry(**fields)) == {ArxivId("2302.08091"): field}


def test_old_style_ids_are_found() -> None:
    assert entry_arxiv_ids(entry(journal="arXiv preprint hep-th/9901001")) == {
        ArxivId("hep-th/9901001"): "journal"
    }


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"pages": "2101.1234"}, id="page-range"),
        pytest.param({"eprint": "2302.08091", "eprinttype": "jstor"}, id="other-eprint"),
        pytest.param(
            {"annote": "compare https://arxiv.org/abs/2302.08091"}, id="note-about-another"
        ),
        pytest.param({"abstract": "extends arXiv:2302.08091"}, id="abstract"),
    ],
)
def test_numbers_that_are_not_this_papers_arxiv_id_are_not_taken(fields: dict[str, str]) -> None:
    assert entry_arxiv_ids(entry(**fields)) == {}


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("10.1145/3106237.3106277", "10.1145/3106237.3106277"),
        ("https://doi.org/10.1145/3106237.3106277", "10.1145/3106237.3106277"),
        ("http://dx.doi.org/10.1145/ABC", "10.1145/abc"),
        ("doi:10.1000/a\\_b", "10.1000/a_b"),
        ("\\url{https://doi.org/10.1000/x}", "10.1000/x"),
        ("not a doi", None),
    ],
)
def test_dois_are_compared_normalised(written: str, normal: str | None) -> None:
    assert normalize_doi(written) == normal


def test_every_arxiv_entry_of_the_uwsbel_library_is_found_whatever_its_style() -> None:
    library = read_library(str(CORPORA / "ml_uwsbel_refsML-AI.bib"))
    assert len(library.entries) == 656
    with_id = [e for e in library.entries if entry_arxiv_ids(e)]
    # PROVENANCE.md counts 233, and 13 more among its "journal = {ArXiv} without id": those
    # carry the id in Semantic Scholar's `volume = {abs/ID}`.
    assert len(with_id) == 246
    fields = {f for e in with_id for f in entry_arxiv_ids(e).values()}
    assert fields == {"eprint", "journal", "volume", "url", "doi", "howpublished", "html", "note"}


@pytest.mark.slow  # the 3,305-entry corpus
def test_the_messy_library_reads_with_its_macros_and_crossrefs() -> None:
    library = read_library(str(CORPORA / "messy_iridia_all.bib"))
    assert len(library.entries) == 3305
    assert library.diagnostics == ()
    found = {e.key: e for e in library.entries}
    ids = {a.base for e in library.entries for a in entry_arxiv_ids(e)}
    assert "1912.11462" in ids  # journal = arxiv # {1912.11462 [cs.AI]}
    inherited = [e for e in library.entries if e.get("crossref") and e.get("booktitle")]
    assert len(inherited) > 800
    for e in found.values():  # every span is the whole block as written
        block = library.data[slice(*e.span)]
        assert block.startswith(b"@") and block.rstrip().endswith((b"}", b")"))


def test_doctests() -> None:
    for module in (library_bib, identity, doi):
        assert doctest.testmod(module).failed == 0
