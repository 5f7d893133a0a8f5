"""The f-string floor: what exporting the same notes from the same cache costs at the least.

    python bench/floor.py NOTES CACHE_DIR OUT

The notes are split at their `## ` headings, each note's arXiv id found with one regular
expression, the papers read from note2bib's own cache (its SQLite file, one JSON row per
paper) and written as f-string BibTeX with the note attached: no Markdown parsing, no LaTeX
encoding, no citation-key rules, no checks. `run.py` times it as a whole process, as it times
note2bib, so both pay for the interpreter's start and for reading the same papers.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys

_ID = re.compile(r"arxiv\.org/abs/(\d{4}\.\d{4,5})")


def main() -> None:
    notes_path, cache_dir, out_path = sys.argv[1:]
    with open(notes_path, encoding="utf-8") as f:
        notes = [n for n in f.read().split("\n## ") if n.strip()]
    found = [(m[1], note) for note in notes if (m := _ID.search(note))]
    db = sqlite3.connect(f"{cache_dir}/papers.sqlite3")
    papers = {}
    ids = [base for base, _ in found]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for base, text in db.execute(
            f"SELECT base, paper FROM papers WHERE base IN ({marks})", chunk
        ):
            papers[base] = json.loads(text)
    entries = []
    for n, (base, note) in enumerate(found):
        p = papers[base]
        entries.append(
            f"@misc{{key{n},\n  title = {{{p['title']}}},\n"
            f"  author = {{{' and '.join(p['authors'])}}},\n"
            f"  year = {{{p['published'][:4]}}},\n  eprint = {{{base}}},\n"
            f"  url = {{https://arxiv.org/abs/{base}}},\n  annote = {{{note.strip()}}}\n}}\n"
        )
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(entries))


if __name__ == "__main__":
    main()
