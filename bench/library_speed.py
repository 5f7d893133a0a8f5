"""How long reading, indexing and deduplicating real libraries takes (no test asserts time).

    python bench/library_speed.py [CORPORA_DIR] [EXTRA.bib ...]   # default ../shared/corpora

For scale, build the 100k-entry synthetic library with shared/corpora/make_synthetic.py and
pass it as EXTRA. "decode all" is what LaTeX-decoding every title and author would cost, which
note2bib does not do: it decodes only the titles matching needs.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from note2bib.latex import decode
from note2bib.library.duplicates import find_duplicates
from note2bib.library.matching import Matcher
from note2bib.library.read import read_library

NAMES = [
    "ml_uwsbel_refsML-AI.bib",
    "messy_iridia_all.bib",
    "lab_uwsbel_all.bib",
    "ml_neurips2020_bvitamins.bib",
    "lab_cdl.bib",
]


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpora")
    paths = [folder / n for n in NAMES] + [Path(p) for p in sys.argv[2:]]
    print(
        f"{'file':32} {'MB':>5} {'entries':>7} {'read':>6} {'index':>6} {'dedupe':>7} "
        f"{'decode all':>10}"
    )
    for path in paths:
        t0 = time.perf_counter()
        library = read_library(str(path))
        t1 = time.perf_counter()
        Matcher(library.entries)
        t2 = time.perf_counter()
        find_duplicates(library.entries)
        t3 = time.perf_counter()
        for e in library.entries[:2000]:
            decode(e.get("title") or "")
            decode(e.get("author") or "")
        per_entry = (time.perf_counter() - t3) / min(2000, len(library.entries) or 1)
        print(
            f"{path.name:32} {len(library.data) / 1e6:5.1f} {len(library.entries):7} "
            f"{t1 - t0:5.2f}s {t2 - t1:5.2f}s {t3 - t2:6.2f}s "
            f"{per_entry * len(library.entries):9.1f}s"
        )


if __name__ == "__main__":
    main()
