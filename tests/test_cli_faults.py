"""The command line when arXiv fails or a mirror is hostile: what is written, said and asked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import bibtexparser
import pytest
from click.testing import CliRunner, Result

from note2bib.arxiv.api import TRIES
from note2bib.cli import main

from arxiv_standin import ArxivStandin, load_entries

KNOWN = sorted(load_entries())


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write_notes(folder: Path, ids: list[str]) -> Path:
    path = folder / "notes.md"
    path.write_text("".join(f"## Paper {n}\narXiv:{i}\n\n" for n, i in enumerate(ids)))
    return path


def by_eprint(bibtex: str) -> dict[str, dict[str, str]]:
    library = bibtexparser.parse_string(bibtex)
    assert not library.failed_blocks
    return {
        fields["eprint"]: fields
        for fields in ({f.key: f.value for f in e.fields} for e in library.entries)
    }


def test_a_retry_after_is_honoured_and_said(arxiv_standin: ArxivStandin, tmp_path: Path) -> None:
    notes = write_notes(tmp_path, KNOWN[:3])
    arxiv_standin.fail_next(1, 429, retry_after=1)
    result = run("export", str(notes))
    assert result.exit_code == 0, result.stderr
    assert set(by_eprint(result.stdout)) == set(KNOWN[:3])
    assert "note2bib: arXiv asked to wait 1 s (HTTP 429); waiting\n" in result.stderr
    refused, answered = arxiv_standin.requests
    assert answered.time - refused.time >= 1.0


def test_quiet_waits_without_a_word(arxiv_standin: ArxivStandin, tmp_path: Path) -> None:
    notes = write_notes(tmp_path, KNOWN[:3])
    arxiv_standin.fail_next(1, 503, retry_after=0)
    result = run("export", "-q", str(notes))
    assert result.exit_code == 0
    assert result.stderr == ""
    assert len(arxiv_standin.requests) == 2


def test_tries_spent_write_what_was_resolved_and_the_next_run_asks_for_the_rest(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    ids = KNOWN[:120]
    notes = write_notes(tmp_path, ids)
    arxiv_standin.fault_next("pass")  # the first 100 ids are answered
    arxiv_standin.fail_next(TRIES, 503)  # the other 20 never are

    first = run("export", str(notes))
    assert first.exit_code == 3
    written = by_eprint(first.stdout)
    assert set(written) == set(ids)  # every paper is in the output, resolved or not
    assert {i for i, f in written.items() if "author" in f} == set(ids[:100])
    gave_up = [line for line in first.stderr.splitlines() if "gave up" in line]
    assert len(gave_up) == 20
    assert gave_up[0] == (
        f"{notes}:{2 + 3 * 100}: {ids[100]}: arXiv was unavailable (HTTP 503); gave up after "
        f"{TRIES} tries; written as arxiv{ids[100].replace('.', '')} without arXiv's metadata"
    )
    assert len(arxiv_standin.requests) == 1 + TRIES

    # The cache holds the 100 papers and nothing for the 20 failures.
    offline = run("export", "--offline", str(notes))
    assert offline.exit_code == 3
    assert offline.stdout == first.stdout
    assert offline.stderr.count("not in the cache and --offline was given") == 20
    assert len(arxiv_standin.requests) == 1 + TRIES

    again = run("export", str(notes))
    assert again.exit_code == 0, again.stderr
    assert [r.id_list for r in arxiv_standin.requests[1 + TRIES :]] == [ids[100:]]
    assert all("author" in f for f in by_eprint(again.stdout).values())


def test_offline_with_a_cold_cache_never_connects(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    notes = write_notes(tmp_path, KNOWN[:2])
    result = run("export", "--offline", str(notes))
    assert result.exit_code == 3
    assert arxiv_standin.connections == 0
    assert set(by_eprint(result.stdout)) == set(KNOWN[:2])
    assert result.stderr.count("not in the cache and --offline was given") == 2


HOSTILE = {
    "billion laughs": b'<!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
    "external entity": b'<!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
}


@pytest.mark.parametrize("doctype", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_mirror_is_refused_in_one_sentence(
    arxiv_standin: ArxivStandin, tmp_path: Path, doctype: bytes
) -> None:
    notes = write_notes(tmp_path, KNOWN[:2])
    output = tmp_path / "refs.bib"
    output.write_text("% the old file\n")
    arxiv_standin.fault_next("doctype", body=doctype)
    result = run("export", str(notes), "-o", str(output))
    assert result.exit_code == 1
    assert result.stderr == (
        f"note2bib: refused the answer of the arXiv API at {arxiv_standin.url}: it declares "
        "XML entities (a DOCTYPE), which arXiv never does\n"
    )
    assert result.stdout == ""
    assert output.read_text() == "% the old file\n"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://export.arxiv.org/api/query"])
def test_an_api_address_that_is_not_http_is_one_sentence(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str
) -> None:
    monkeypatch.setenv("NOTE2BIB_ARXIV_API", url)
    result = run("export", str(write_notes(tmp_path, KNOWN[:1])))
    assert result.exit_code == 2
    sentence = f"the arXiv API address must be an http(s) URL, not {url!r}"
    assert result.stderr == f"note2bib: NOTE2BIB_ARXIV_API: {sentence}\n"


# The child runs the command line and says its own peak memory on its last stderr line.
PEAK_MEMORY = """
import resource, sys
from note2bib.cli import main
try:
    main()
finally:
    print("peak kB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def test_a_1_gb_answer_is_refused_without_reading_it(
    arxiv_standin: ArxivStandin, tmp_path: Path
) -> None:
    notes = write_notes(tmp_path, KNOWN[:2])
    arxiv_standin.fault_next("huge", size=2**30, declare_length=False)
    proc = subprocess.run(
        [sys.executable, "-c", PEAK_MEMORY, "export", str(notes)],
        capture_output=True,
        text=True,
        env={**os.environ, "NOTE2BIB_ARXIV_API": arxiv_standin.url},
        timeout=120,
    )
    *lines, peak = proc.stderr.splitlines()
    assert proc.returncode == 1, proc.stderr
    assert lines == [
        f"note2bib: refused the answer of the arXiv API at {arxiv_standin.url}: it is larger "
        "than 32 MiB, far more than any arXiv page"
    ]
    assert proc.stdout == ""
    assert int(peak.split()[-1]) < 400 * 1024  # kB: the 32 MiB cap and Python, not 1 GB
    assert arxiv_standin.bytes_sent < 2**28
