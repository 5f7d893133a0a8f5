"""notes.units on more shapes of real notes: each rule on a small hand-written note.

As in test_units.py, what is asserted is what the user gets: which units there are (kind,
line, title, arXiv ids) and what each note holds.
"""

from __future__ import annotations

from test_units import A, md, shape, units

# --- links that invite the reader somewhere are not papers ----------------------------------


def test_social_and_newsletter_links_give_no_entry() -> None:
    text = md(
        "# Top papers of the week",
        "",
        "[Subscribe to our newsletter](https://news.substack.com/) to get the list by mail.",
        "",
        "## This week",
        "",
        f"- [Mamba: Linear-Time Sequence Modeling]({A})",
        "- [Scaling Data-Constrained Language Models](https://openreview.net/forum?id=1)",
        "",
        "[Follow us on Twitter](https://twitter.com/someone)",
        "",
        "[Join our Discord](https://discord.gg/AbCd)",
        "",
        "[Our community chat](https://t.me/somegroup)",
    )
    assert shape(units(text)) == [
        ("item", 7, "Mamba: Linear-Time Sequence Modeling", "2301.00001"),
        ("item", 8, "Scaling Data-Constrained Language Models", "-"),
    ]


def test_a_paper_linked_to_a_post_on_a_social_site_is_still_a_paper() -> None:
    text = md(
        "## Papers",
        "",
        f"- [Mamba: Linear-Time Sequence Modeling]({A})",
        "- [Follow Your Pose: Pose-Guided Text-to-Video](https://x.com/someone/status/123)",
    )
    assert [u.title for u in units(text)] == [
        "Mamba: Linear-Time Sequence Modeling",
        "Follow Your Pose: Pose-Guided Text-to-Video",
    ]
