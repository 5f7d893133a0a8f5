"""notes.units on tables of papers and daily digests: small hand-written notes in the shapes
found outside the development set (arXiv-daily bots, HF daily papers digests, study tables).

What each case asserts is what the user gets: the units (kind, line, title, ids) and notes.
"""

from __future__ import annotations

from test_units import md, shape, units


def test_a_digest_section_whose_paper_link_closes_it_is_that_papers_note() -> None:
    # An HF daily papers digest: a `##` per paper, its parts, then the paper page's link alone
    # on the last line, labelled by where it goes rather than by the paper's title.
    text = md(
        "# 【2023-09-25】Huggingface 每日论文速览",
        "",
        "## CodePlan: Repository-level Coding using LLMs and Planning",
        "",
        "### 1. 介绍本文的主要工作",
        "",
        "本文提出了 CodePlan。",
        "",
        "### 4. 打分",
        "",
        "- 实用性 4.5/5",
        "",
        "[到 Huggingface 论文主页查看详情](https://huggingface.co/papers/2309.12499)",
        "",
        "## Robotic Offline RL from Internet Videos via Value-Function Pre-Training",
        "",
        "### 1. 本文的主要工作",
        "",
        "此篇论文讨论了机器人强化学习。",
        "",
        "[到 Huggingface 论文主页查看详情](https://huggingface.co/papers/2309.13041)",
    )
    found = units(text)
    assert shape(found) == [
        ("section", 3, "CodePlan: Repository-level Coding using LLMs and Planning", "2309.12499"),
        (
            "section",
            15,
            "Robotic Offline RL from Internet Videos via Value-Function Pre-Training",
            "2309.13041",
        ),
    ]
    assert "本文提出了 CodePlan。" in found[0].text


def test_a_chinese_summary_heading_is_a_part_of_the_note_above_it() -> None:
    # "文章总结" (the article's summary) is a part like "总结": the paper's whole section is its
    # note, not only the summary with the paper's title as context.
    text = md(
        "## DualToken-ViT: Position-aware Efficient Vision Transformer with Dual Token Fusion",
        "",
        "### 文章总结",
        "",
        "1. **主要工作**",
        "",
        "   本文提出了一种轻量级且高效的视觉变压器模型。",
        "",
        "[到 Huggingface 论文主页查看详情](https://huggingface.co/papers/2309.12424)",
        "",
        "## MosaicFusion: Diffusion Models as Data Augmenters for Large Vocabulary Segmentation",
        "",
        "### 论文总结",
        "",
        "本文提出了一个名为MosaicFusion的数据增强方法。",
        "",
        "[到 Huggingface 论文主页查看详情](https://huggingface.co/papers/2309.13042)",
    )
    found = units(text)
    assert [(u.kind, u.line, u.title[:14], ",".join(m.id.base for m in u.ids)) for u in found] == [
        ("section", 1, "DualToken-ViT:", "2309.12424"),
        ("section", 11, "MosaicFusion: ", "2309.13042"),
    ]
    assert "本文提出了一种轻量级且高效的视觉变压器模型。" in found[0].text
