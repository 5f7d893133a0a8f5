"""The one place the steps are wired in order: notes → ids → papers → records → text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from note2bib.arxiv_api import DEFAULT_API, ArxivClient
from note2bib.cache import Cache
from note2bib.checks import check_links, older_versions
from note2bib.formats import RenderOptions, format_for
from note2bib.model import Diagnostic, Record, Report, Section
from note2bib.records import SectionIds, build_records, find_mentions, unique_ids
from note2bib.resolve import Resolution, TitleSearch, find_by_title, resolve
from note2bib.sources import NotesText, parse_source

Unresolved = Literal["keep", "skip", "error"]


@dataclass(frozen=True)
class ExportOptions:
    """Everything `export` needs to know besides the notes."""

    cache_dir: Path
    format: str = "bibtex"
    api_url: str = DEFAULT_API
    delay: float = 3.0
    timeout: float = 30.0
    offline: bool = False
    refresh: bool = False
    abstract: bool = False
    unresolved: Unresolved = "keep"
    search: bool = True
    """Look notes without an arXiv id up by title (cached searches even when offline)."""


@dataclass(frozen=True)
class Export:
    """The bibliography text and what happened on the way."""

    text: str
    records: tuple[Record, ...]
    report: Report

    @property
    def complete(self) -> bool:
        return self.report.unresolved == 0


def read_sections(notes: Sequence[NotesText]) -> list[SectionIds]:
    """Every note section of every source, with the arXiv ids it names."""
    return read_notes(notes)[0]


def read_notes(notes: Sequence[NotesText]) -> tuple[list[SectionIds], list[Diagnostic]]:
    """Every note of every source with the ids it names, and what its front matter got wrong."""
    sections: list[Section] = []
    diagnostics: list[Diagnostic] = []
    for source in notes:
        parsed, problems = parse_source(source)
        sections += parsed
        diagnostics += problems
    return find_mentions(sections), diagnostics


def empty_sources(notes: Sequence[NotesText], found: Sequence[SectionIds]) -> list[Diagnostic]:
    """A warning for each source that holds no note at all (an empty or wrong file?)."""
    used = {item.section.source for item in found}
    return [
        Diagnostic("no notes found in this file", n.source) for n in notes if n.source not in used
    ]


def export(
    notes: Sequence[NotesText],
    options: ExportOptions,
    on_request: Callable[[int, int], None] | None = None,
) -> Export:
    """Notes in, bibliography out; only the resolver step touches disk and network."""
    found, problems = read_notes(notes)
    with Cache(options.cache_dir) as cache, _client(options) as client:
        resolution = resolve(unique_ids(found), cache, client, options.refresh, on_request)
        by_title = (
            find_by_title(found, cache, client, options.refresh)
            if options.search
            else TitleSearch(list(found))
        )
    found = by_title.found
    records, built = build_records(found, {**resolution.papers, **by_title.papers})
    diagnostics = [
        *problems,
        *empty_sources(notes, found),
        *by_title.diagnostics,
        *built,
        *check_links(records, found),
        *older_versions(records, found),
        *unresolved_diagnostics(records, found, resolution, options.unresolved),
    ]
    unresolved = [r for r in records if r.paper is None]
    papers = sum(r.arxiv_id is not None for r in records)
    if options.unresolved == "skip":
        records = [r for r in records if r.paper is not None]
    text = format_for(options.format).render(records, RenderOptions(abstract=options.abstract))
    report = Report(
        notes=len(found),
        papers=papers,
        from_cache=resolution.from_cache,
        fetched=resolution.fetched,
        requests=resolution.requests,
        unresolved=_counted_unresolved(unresolved, options.unresolved),
        diagnostics=tuple(diagnostics),
        searched=by_title.searched,
        found_by_title=by_title.accepted,
        search_requests=by_title.requests,
    )
    return Export(text, tuple(records), report)


def _client(options: ExportOptions) -> AbstractContextManager[ArxivClient | None]:
    """The arXiv client for this run, or None (offline): closed when the run is done."""
    if options.offline:
        return nullcontext(None)
    return ArxivClient(options.api_url, delay=options.delay, timeout=options.timeout)


def _counted_unresolved(unresolved: Sequence[Record], policy: Unresolved) -> int:
    # Skipping notes that name no paper is what the user asked for; an id arXiv did not
    # answer for is still an incomplete result, whatever the policy.
    if policy == "skip":
        return sum(r.arxiv_id is not None for r in unresolved)
    return len(unresolved)


def unresolved_diagnostics(
    records: Sequence[Record],
    found: Sequence[SectionIds],
    resolution: Resolution,
    policy: Unresolved = "keep",
) -> list[Diagnostic]:
    """One warning per entry that is not an arXiv paper with its metadata, at its first note."""
    first_line: dict[str, tuple[str, int]] = {}
    for item in found:
        for m in item.mentions:
            first_line.setdefault(m.id.base, (m.source, m.line))
    out = []
    for record in records:
        if record.paper is not None:
            continue
        if record.arxiv_id is not None:
            source, line = first_line[record.arxiv_id.base]
            reason = resolution.missing.get(record.arxiv_id.base, "not resolved")
            out.append(
                Diagnostic(
                    f"{record.arxiv_id}: {reason}; "
                    + (
                        "left out"
                        if policy == "skip"
                        else f"written as {record.key} without arXiv's metadata"
                    ),
                    source,
                    line,
                )
            )
        else:
            section = record.sections[0]
            out.append(
                Diagnostic(
                    f'"{section.heading}" names no arXiv paper; kept as {record.key} with the note',
                    section.source,
                    section.line,
                )
            )
    return out
