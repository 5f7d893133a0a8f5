"""Measure title similarity on real libraries, to choose `title_match.LIBRARY_RATIO`.

    python bench/measure_titles.py [CORPORA_DIR]      # default: ../shared/corpora

Ground truth comes from arXiv ids, which name one paper each: entries of the corpora (pooled;
`ml_uwsbel_refsML-AI.bib` is inside `lab_uwsbel_all.bib` and not counted twice) that carry the
same arXiv id in any guise are one paper typed by different people or tools ("same"); entries
that carry different arXiv ids are different papers ("different"). For each "same" pair and
for each entry's most similar "different" entry, the normalised-title rapidfuzz ratio is
printed as a distribution, with and without the first-author guard.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from itertools import combinations
from pathlib import Path

from rapidfuzz import fuzz, process

from note2bib.library.identity import EntryFacts, authors_agree, entry_arxiv_ids
from note2bib.library.read import read_library

CORPORA = [
    "lab_uwsbel_all.bib",
    "messy_iridia_all.bib",
    "ml_neurips2020_bvitamins.bib",
    "lab_cdl.bib",
]
STEPS = (100, 97, 95, 93, 92, 90, 85, 80)


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpora")
    items = []  # (arXiv id, facts, file)
    for name in CORPORA:
        for entry in read_library(str(folder / name)).entries:
            ids = entry_arxiv_ids(entry)
            facts = EntryFacts(entry).facts
            if len(ids) == 1 and facts is not None:
                items.append((next(iter(ids)).base, facts, name))
    print(f"{len(items)} entries with one arXiv id and a title")
    by_id = defaultdict(list)
    for n, (base, _, _) in enumerate(items):
        by_id[base].append(n)
    same = [
        (fuzz.ratio(items[a][1].title, items[b][1].title), a, b)
        for members in by_id.values()
        for a, b in combinations(members, 2)
    ]
    titles = [f.title for _, f, _ in items]
    nearest, nearest_guarded = [], []
    for n, (base, facts, _) in enumerate(items):
        best = best_guarded = (0.0, -1)
        for _, score, m in process.extract(
            facts.title, titles, scorer=fuzz.ratio, score_cutoff=60, limit=None
        ):
            if items[m][0] == base:
                continue
            best = max(best, (score, m))
            if authors_agree(facts, items[m][1]):
                best_guarded = max(best_guarded, (score, m))
        nearest.append((*best, n))
        nearest_guarded.append((*best_guarded, n))

    def table(label: str, scores: list[float]) -> None:
        counts = ", ".join(f">={t}: {sum(s >= t for s in scores)}" for t in STEPS)
        print(f"{label} ({len(scores)}): {counts}")

    typo_tolerance(titles)
    table("same paper, pairs", [s for s, _, _ in same])
    table("nearest different paper, any author", [s for s, _, _ in nearest])
    table("nearest different paper, first author agrees", [s for s, _, _ in nearest_guarded])
    accepted_pairs(folder)
    print("lowest 'same' pairs:")
    for s, a, b in sorted(same)[:12]:
        print(f"  {s:5.1f} {items[a][1].title!r} / {items[b][1].title!r}")
    print("highest 'different' pairs whose first authors agree:")
    for s, m, n in sorted(nearest_guarded, reverse=True)[:12:]:
        if m >= 0:
            a, b = items[n], items[m]
            print(f"  {s:5.1f} {a[0]} {a[1].title!r} / {b[0]} {b[1].title!r}")


def typo_tolerance(titles: list[str]) -> None:
    """The ratio of each title against itself with one letter changed in the middle."""
    scores = []
    for t in titles:
        mid = len(t) // 2
        typo = t[:mid] + ("x" if t[mid] != "x" else "y") + t[mid + 1 :]
        scores.append(fuzz.ratio(t, typo))
    print(
        "one typo, ratio of the title with itself:",
        ", ".join(f">={s}: {sum(x >= s for x in scores) / len(scores):.0%}" for s in STEPS[1:]),
    )


def accepted_pairs(folder: Path) -> None:
    """Every pair of entries (distinct keys) of each corpus that the title rule calls one paper."""
    from note2bib.library.matching import same_title

    for name in CORPORA:
        entries = read_library(str(folder / name)).entries
        facts = [EntryFacts(e).facts for e in entries]
        blocks = defaultdict(list)
        for i, f in enumerate(facts):
            if f and f.family:
                blocks[f.family.split()[-1]].append(i)
        pairs = set()
        for members in blocks.values():
            for a, b in combinations(members, 2):
                if entries[a].key == entries[b].key or facts[a].title == facts[b].title:
                    continue
                if same_title(facts[a], facts[b]):
                    pairs.add((a, b))
        print(f"{name}: {len(pairs)} pairs with different normalised titles taken as one paper")
        for a, b in sorted(pairs):
            print(f"  {facts[a].title!r} ({facts[a].year}) / {facts[b].title!r} ({facts[b].year})")


if __name__ == "__main__":
    main()
