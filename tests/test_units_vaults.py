"""notes.units on pages from note vaults (Logseq, Obsidian, Zotero exports): how a page with
no title of its own is called, and what in it is not a paper. Small hand-written pages."""

from __future__ import annotations

from test_units import A, B, md, shape, units


def test_a_logseq_page_without_a_title_property_is_called_by_its_file_name() -> None:
    text = md(
        "type:: paper_reading",
        "",
        "-",
        "- # Questions and Ideas",
        "\t- Would a check operator add a phase?",
        "\t\t- The checks commute with the loops.",
    )
    found = units(text, "pages/Measurement Only Codes%3A A Tour.md")
    assert shape(found) == [("file", 3, "Measurement Only Codes: A Tour", "-")]


def test_a_logseq_page_named_by_zotfile_is_its_papers_note_citing_others() -> None:
    text = md(
        "type:: paper_reading",
        "",
        "- # Intro",
        "\t- Different from vortex proliferation in a [[Superfluid]]",
        "- # Comments",
        "\t- Two papers of Wan #[[To Be Investigated]]",
        f"\t\t- [Symmetry Enriched Phases via Pseudo Anyon Condensation]({A})",
        f"\t\t- [A Unified Framework of Topological Phases with Symmetry]({B})",
    )
    found = units(text, "pages/2018_Burnell_Anyon condensation and its applications.md")
    assert shape(found) == [
        ("file", 3, "Anyon condensation and its applications", "-"),
        ("mention", 7, "Symmetry Enriched Phases via Pseudo Anyon Condensation", "2301.00001"),
        ("mention", 8, "A Unified Framework of Topological Phases with Symmetry", "2301.00002"),
    ]
    assert "vortex proliferation" in found[0].text and "Two papers of Wan" in found[0].text


def test_a_zotero_page_title_marked_with_an_at_sign_is_the_papers_title() -> None:
    text = md(
        "title:: @A ConvNet for the 2020s",
        f"url:: {A}",
        "- [[Abstract]]",
        "\t- The Roaring 20s of visual recognition began with ViTs.",
    )
    assert shape(units(text, "pages/@A ConvNet for the 2020s.md")) == [
        ("file", 3, "A ConvNet for the 2020s", "2301.00001")
    ]
    untitled = text.split("\n", 1)[1]
    assert shape(units(untitled, "pages/@A ConvNet for the 2020s.md")) == [
        ("file", 2, "A ConvNet for the 2020s", "2301.00001")
    ]


def test_a_title_pasted_with_its_site_in_parentheses_is_the_title_without_it() -> None:
    text = md(
        "- # Reading",
        "\t- Two papers of Wan",
        f"\t\t- [[2301.00001] Symmetry Enriched Phases via Anyon Condensation (arxiv.org)]({A})",
        "\t\t- [Feature Visualization of Deep Networks (distill.pub)](https://distill.pub/2017/fv/)",
    )
    assert [u.title for u in units(text, "notes.md")] == [
        "Symmetry Enriched Phases via Anyon Condensation",
        "Feature Visualization of Deep Networks",
    ]
