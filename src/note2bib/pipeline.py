"""The one place the steps are wired in order: notes → ids → papers → records → text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from note2bib.arxiv.api import DEFAULT_API, ArxivClient
from note2bib.arxiv.cache import Cache
from note2bib.arxiv.link_checks import check_links, older_versions
from note2bib.arxiv.resolve import Resolution, TitleSearch, find_by_title, resolve
from note2bib.formats import RenderOptions, format_for
from note2bib.library.merge import Annotation, merge_into
from note2bib.library.plan import LibraryPlan, first_mentions, plan_against_libraries
from note2bib.library.read import Library
from note2bib.model import Diagnostic, Record, Report, Unit
from note2bib.notes.mentions import UnitIds, find_mentions, unique_ids
from note2bib.notes.sources import NotesText, parse_source
from note2bib.records import build_records

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
    merge: bool = False
    """Write the first library with the new entries appended (a .bib format only)."""
    annotate_existing: bool = False
    """With `merge`: add the notes to the `annote` of entries the library already has."""
    cited: frozenset[str] | None = None
    """Only these keys (the ones a LaTeX document cites); None for every paper."""


@dataclass(frozen=True)
class Export:
    """The bibliography text and what happened on the way."""

    text: str
    records: tuple[Record, ...]
    report: Report

    @property
    def complete(self) -> bool:
        return self.report.unresolved == 0


def read_units(notes: Sequence[NotesText]) -> list[UnitIds]:
    """Every unit of every source, with the arXiv ids it is about."""
    return read_notes(notes)[0]


def read_notes(notes: Sequence[NotesText]) -> tuple[list[UnitIds], list[Diagnostic]]:
    """Every note of every source with the ids it names, and what its front matter got wrong."""
    units: list[Unit] = []
    diagnostics: list[Diagnostic] = []
    for source in notes:
        diagnostics += source.diagnostics
        parsed, problems = parse_source(source)
        units += parsed
        diagnostics += problems
    return find_mentions(units), diagnostics


def empty_sources(notes: Sequence[NotesText], found: Sequence[UnitIds]) -> list[Diagnostic]:
    """A warning for each source that holds no note at all (an empty or wrong file?)."""
    used = {item.unit.source for item in found}
    return [
        Diagnostic("no notes found in this file", n.source)
        for n in notes
        if n.source not in used and not (n.diagnostics and not n.text)  # skipped: said why
    ]


def export(
    notes: Sequence[NotesText],
    options: ExportOptions,
    on_request: Callable[[int, int], None] | None = None,
    libraries: Sequence[Library] = (),
    on_notice: Callable[[str], None] | None = None,
) -> Export:
    """Notes in, bibliography out; only the resolver step touches disk and network.

    With `libraries`, papers they already hold keep the library's key and are not written
    again; with `options.merge` the text is the first library with the new entries appended.
    `on_notice` hears, as it happens, why the run waits (arXiv asked it to, or a retry).
    """
    found, problems = read_notes(notes)
    with Cache(options.cache_dir) as cache, _client(options, on_notice) as client:
        resolution = resolve(unique_ids(found), cache, client, options.refresh, on_request)
        by_title = (
            find_by_title(found, cache, client, options.refresh)
            if options.search
            else TitleSearch(list(found))
        )
    found = by_title.found
    records, built = build_records(found, {**resolution.papers, **by_title.papers})
    plan = plan_against_libraries(records, libraries, found, options.cache_dir)
    written = [r for r in plan.new if options.cited is None or r.key in options.cited]
    diagnostics = [
        *(d for lib in libraries for d in lib.diagnostics),
        *problems,
        *empty_sources(notes, found),
        *by_title.diagnostics,
        *built,
        *check_links(plan.records, found),
        *older_versions(plan.records, found),
        *plan.diagnostics,
        *unresolved_diagnostics(written, found, resolution, options.unresolved),
    ]
    unresolved = [r for r in written if r.paper is None]
    if options.unresolved == "skip":
        written = [r for r in written if r.paper is not None]
    text = format_for(options.format).render(written, RenderOptions(abstract=options.abstract))
    if options.merge:
        text, notes_added = _merge(libraries[0], text, plan, options)
        diagnostics += notes_added
    report = Report(
        notes=len(found),
        papers=sum(r.arxiv_id is not None for r in records),
        from_cache=resolution.from_cache,
        fetched=resolution.fetched,
        requests=resolution.requests,
        unresolved=_counted_unresolved(unresolved, options.unresolved),
        in_library=len(plan.existing),
        diagnostics=tuple(diagnostics),
        searched=by_title.searched,
        found_by_title=by_title.accepted,
        search_requests=by_title.requests,
    )
    return Export(text, plan.records, report)


def _merge(
    library: Library, new_text: str, plan: LibraryPlan, options: ExportOptions
) -> tuple[str, list[Diagnostic]]:
    """The library's text with `new_text` appended (and notes added, when asked)."""
    annotations = [
        Annotation(match.entry, record.note)
        for record, match in plan.existing
        if options.annotate_existing and match.entry.file == library.path
    ]
    merged, annotated = merge_into(library, new_text, annotations)
    return merged.decode("utf-8"), [
        *(
            Diagnostic(f"added the note to the annote of {key}", library.path)
            for key in annotated.changed
        ),
        *(
            Diagnostic(
                f"the note was not added to {e.key}: its fields cannot be told apart (a quoted "
                'value with a bare `"`?), so the entry is left as it is',
                e.file,
                e.line,
            )
            for e in annotated.unreadable
        ),
    ]


def _client(
    options: ExportOptions, on_notice: Callable[[str], None] | None
) -> AbstractContextManager[ArxivClient | None]:
    """The arXiv client for this run, or None (offline): closed when the run is done."""
    if options.offline:
        return nullcontext(None)
    return ArxivClient(
        options.api_url,
        delay=options.delay,
        timeout=options.timeout,
        notice=on_notice,
        pace_dir=options.cache_dir,
    )


def _counted_unresolved(unresolved: Sequence[Record], policy: Unresolved) -> int:
    # Skipping notes that name no paper is what the user asked for; an id arXiv did not
    # answer for is still an incomplete result, whatever the policy.
    if policy == "skip":
        return sum(r.arxiv_id is not None for r in unresolved)
    return len(unresolved)


def unresolved_diagnostics(
    records: Sequence[Record],
    found: Sequence[UnitIds],
    resolution: Resolution,
    policy: Unresolved = "keep",
) -> list[Diagnostic]:
    """One warning per entry that is not an arXiv paper with its metadata, at its first note."""
    first_line = first_mentions(found)
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
            unit = record.units[0]
            out.append(
                Diagnostic(
                    f'"{unit.title}" names no arXiv paper; kept as {record.key} with the note',
                    unit.source,
                    unit.line,
                )
            )
    return out
