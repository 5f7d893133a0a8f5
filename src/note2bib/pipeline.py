"""The steps from notes to a bibliography, each callable alone, and `export`, their composition:

    read notes      `read_notes`: each note with the arXiv ids it names
    resolve         `resolve_papers`: cache first, arXiv for the rest; titles looked up
    build records   `records.build_records`: one record per paper, keyed
    plan            `library.plan.plan_against_libraries`: new records, and those a library has
    render          `render`: the records chosen in a format (merged into a library if asked)

`plan_export` runs every step before rendering, for a caller that needs the records and not
the text. Which records are written is the caller's choice: `export` writes every new one;
`app` applies `--unresolved` first.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, ParamSpec, TypeVar

from note2bib.arxiv.api import DEFAULT_API, ArxivClient
from note2bib.arxiv.cache import Cache
from note2bib.arxiv.resolve import Resolution, resolve
from note2bib.formats import RenderOptions, format_for
from note2bib.model import Diagnostic, Paper, Record, Report, Unit
from note2bib.notes.mentions import UnitIds, find_mentions, unique_ids
from note2bib.notes.sources import NotesText, parse_source
from note2bib.titles import quoted

if TYPE_CHECKING:
    from note2bib.arxiv.title_search import TitleSearch
    from note2bib.library.plan import LibraryPlan
    from note2bib.library.read import Library

# What the steps return is a named tuple: built once a run and only read, it needs nothing a
# frozen dataclass adds, which costs about 0.8 ms of start-up each (`ExportOptions` is copied
# with `dataclasses.replace`, and stays one).

# The steps after arXiv's answer (title search, records, keys, link checks, the library plan)
# are imported where they run: a cold run loads them while arXiv answers (`_load_meanwhile`).

OnRequest = Callable[[int, int], None]
"""Told (requests done, requests due) as arXiv is asked for ids."""
OnSearch = Callable[[int, int], None]
"""Told (notes done, notes to search) as notes are looked up by title."""
OnNotice = Callable[[str], None]
"""Told, as it happens, why the run waits (arXiv asked it to, or a retry)."""

_P = ParamSpec("_P")
_T = TypeVar("_T")
_YOUNG_OBJECTS = 10_000
"""Allocations between two collections of the youngest generation while the steps run
(Python's default: 700)."""


def _few_collections(step: Callable[_P, _T]) -> Callable[_P, _T]:
    """Run `step` with the cyclic garbage collector called less often.

    The steps build hundreds of thousands of objects that live to the end of the run and
    form no cycles (notes, papers, their authors, records); at Python's default the collector
    went through them again and again: a fifth of a warm export of 10,000 notes (3.5 s → 2.9 s
    with this, peak memory the same).
    """

    @functools.wraps(step)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        before = gc.get_threshold()
        gc.set_threshold(max(before[0], _YOUNG_OBJECTS), *before[1:])
        try:
            return step(*args, **kwargs)
        finally:
            gc.set_threshold(*before)

    return run


@dataclass(frozen=True)
class ExportOptions:
    """Everything the steps need to know besides the notes and the libraries."""

    cache_dir: Path
    format: str = "bibtex"
    api_url: str = DEFAULT_API
    delay: float = 3.0
    timeout: float = 30.0
    offline: bool = False
    refresh: bool = False
    abstract: bool = False
    search: bool = True
    """Look notes without an arXiv id up by title (cached searches even when offline)."""
    merge: bool = False
    """Write the first library with the new entries appended (a .bib format only)."""
    annotate_existing: bool = False
    """With `merge`: add the notes to the `annote` of entries the library already has."""
    cited: frozenset[str] | None = None
    """Only these keys (the ones a LaTeX document cites); None for every paper."""


class Export(NamedTuple):
    """The bibliography text and what happened on the way."""

    text: str
    records: tuple[Record, ...]
    report: Report
    planned: Planned | None = None
    """The steps before rendering, to merge again onto a library that changed meanwhile."""

    @property
    def complete(self) -> bool:
        """Every arXiv id the notes name came with arXiv's metadata (exit 0, not 3)."""
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


class Papers(NamedTuple):
    """What the cache and arXiv gave for the notes: papers by id, and by title for notes
    that name none."""

    found: list[UnitIds]
    """The notes, each one whose title was found with certainty now naming its paper."""
    resolution: Resolution
    by_title: TitleSearch

    @property
    def papers(self) -> dict[str, Paper]:
        return {**self.resolution.papers, **self.by_title.papers}


def resolve_papers(
    found: Sequence[UnitIds],
    options: ExportOptions,
    on_request: OnRequest | None = None,
    on_notice: OnNotice | None = None,
    on_search: OnSearch | None = None,
) -> Papers:
    """The only step that touches the cache and the network (none with `options.offline`)."""
    with Cache(options.cache_dir) as cache, _client(options, on_notice) as client:
        resolution = resolve(unique_ids(found), cache, client, options.refresh, on_request)
        if options.search:
            from note2bib.arxiv.title_search import find_by_title

            by_title = find_by_title(found, cache, client, options.refresh, on_search)
        else:
            from note2bib.arxiv.title_search import nothing_searched

            by_title = nothing_searched(found)
    return Papers(by_title.found, resolution, by_title)


class Planned(NamedTuple):
    """Every step but rendering done: each record with its final key, and what was seen."""

    papers: Papers
    plan: LibraryPlan
    diagnostics: tuple[Diagnostic, ...]
    read_diagnostics: tuple[Diagnostic, ...] = ()
    """What reading the notes found (kept for `plan_again`)."""

    def new(self, cited: frozenset[str] | None = None) -> list[Record]:
        """The records no library has; with `cited`, only those whose key is in it."""
        return [r for r in self.plan.new if cited is None or r.key in cited]


@_few_collections
def plan_export(
    notes: Sequence[NotesText],
    options: ExportOptions,
    on_request: OnRequest | None = None,
    libraries: Sequence[Library] = (),
    on_notice: OnNotice | None = None,
    on_search: OnSearch | None = None,
) -> Planned:
    """The notes read, their papers resolved, their records built and planned against
    `libraries` (papers they hold keep the library's key)."""
    found, problems = read_notes(notes)
    papers = resolve_papers(found, options, on_request, on_notice, on_search)
    return plan_papers(papers, options, libraries, (*problems, *empty_sources(notes, papers.found)))


def plan_again(planned: Planned, options: ExportOptions, libraries: Sequence[Library]) -> Planned:
    """The same notes and papers planned against `libraries` as they are now (another run
    or an editor changed one): no note read and no paper asked for again."""
    return plan_papers(planned.papers, options, libraries, planned.read_diagnostics)


def plan_papers(
    papers: Papers,
    options: ExportOptions,
    libraries: Sequence[Library],
    read_diagnostics: Sequence[Diagnostic] = (),
) -> Planned:
    """Records built from the notes' papers and planned against `libraries`."""
    from note2bib.arxiv.link_checks import check_links, older_versions
    from note2bib.library.plan import plan_against_libraries
    from note2bib.records import build_records

    records, built = build_records(papers.found, papers.papers)
    plan = plan_against_libraries(records, libraries, papers.found, options.cache_dir)
    diagnostics = (
        *(d for lib in libraries for d in lib.diagnostics),
        *read_diagnostics,
        *papers.by_title.diagnostics,
        *built,
        *check_links(plan.records, papers.found),
        *older_versions(plan.records, papers.found),
        *plan.diagnostics,
    )
    return Planned(papers, plan, diagnostics, tuple(read_diagnostics))


@_few_collections
def render(
    planned: Planned,
    written: Sequence[Record],
    options: ExportOptions,
    libraries: Sequence[Library] = (),
    left_out: Sequence[Record] = (),
) -> Export:
    """`written` in `options.format` (with `options.merge`, the first library with them
    appended), and the report; `left_out` are the unresolved records the caller chose not
    to write."""
    diagnostics = [*planned.diagnostics, *unresolved_diagnostics(written, left_out, planned)]
    if options.merge:
        text, merged = merge_records(libraries[0], written, planned.plan, options)
        diagnostics += merged
    else:
        text = format_for(options.format).render(written, RenderOptions(abstract=options.abstract))
    resolution, by_title = planned.papers.resolution, planned.papers.by_title
    # An id arXiv did not answer for, or a title it could not be asked about, is an
    # incomplete result, written or not; a note that names no paper is kept (or left out)
    # as asked.
    chosen = [r for r in [*written, *left_out] if r.paper is None]
    unresolved = [r for r in chosen if _unresolved_why(r, planned) is not None]
    report = Report(
        notes=len(planned.papers.found),
        papers=sum(r.arxiv_id is not None for r in planned.plan.records),
        from_cache=resolution.from_cache,
        fetched=resolution.fetched,
        requests=resolution.requests,
        unresolved=len(unresolved),
        no_paper=len(chosen) - len(unresolved),
        no_paper_left_out=any(r.paper is None for r in left_out),
        in_library=len(planned.plan.existing),
        diagnostics=tuple(diagnostics),
        searched=by_title.searched,
        found_by_title=by_title.accepted,
        search_requests=by_title.requests,
    )
    return Export(text, planned.plan.records, report, planned)


def export(
    notes: Sequence[NotesText],
    options: ExportOptions,
    on_request: OnRequest | None = None,
    libraries: Sequence[Library] = (),
    on_notice: OnNotice | None = None,
) -> Export:
    """Notes in, bibliography out: every step, every new record written.

    With `libraries`, papers they already hold keep the library's key and are not written
    again; with `options.merge` the text is the first library with the new entries appended.
    `on_notice` hears, as it happens, why the run waits (arXiv asked it to, or a retry).
    """
    planned = plan_export(notes, options, on_request, libraries, on_notice)
    return render(planned, planned.new(options.cited), options, libraries)


def merge_records(
    library: Library, written: Sequence[Record], plan: LibraryPlan, options: ExportOptions
) -> tuple[str, list[Diagnostic]]:
    """The library's text with the `written` records appended, each with its `% note2bib:`
    line, and the entries it already has brought in step with the notes (`library.update`)."""
    from note2bib.library.update import (
        Existing,
        Fresh,
        appended,
        made_of,
        merge_library,
        notes_of,
    )

    fmt, render_options = format_for(options.format), RenderOptions(abstract=options.abstract)
    new_text = "\n".join(
        appended(r, fmt.render([r], render_options), library.path) for r in written
    )
    existing = [
        Existing(
            match.entry,
            notes_of(record, library.path),
            Fresh(fmt.render([record], render_options), made_of(record)),
        )
        for record, match in plan.existing
        if match.entry.file == library.path
    ]
    merged, updated = merge_library(library, new_text, existing, options.annotate_existing)
    return merged.decode("utf-8"), [
        *updated.diagnostics,
        *(
            Diagnostic(
                f"the note was not added to {e.key}: its fields cannot be told apart (a quoted "
                'value with a bare `"`?), so the entry is left as it is',
                e.file,
                e.line,
            )
            for e in updated.unreadable
        ),
    ]


def _client(
    options: ExportOptions, on_notice: OnNotice | None
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
        on_sent=_load_meanwhile(options),
    )


def _load_meanwhile(options: ExportOptions) -> Callable[[], None]:
    """Told when a request is out: the first time, the modules the steps after arXiv's
    answer need start loading in a thread, while the run has nothing to do but wait.

    A cold run of 10 ids spent about 50 ms after arXiv's answer, most of it loading them.
    """
    started = threading.Event()

    def load() -> None:
        from note2bib import names
        from note2bib.arxiv import atom, link_checks, title_search, title_searcher  # noqa: F401
        from note2bib.library import plan  # noqa: F401

        names.load_parser()
        format_for(options.format).render([], RenderOptions(abstract=options.abstract))

    def loading() -> None:
        # A failure here is met again, and told, by the step that needs the module.
        with contextlib.suppress(Exception):
            load()

    def sent() -> None:
        if not started.is_set():
            started.set()
            threading.Thread(target=loading, name="note2bib-load").start()

    return sent


def unresolved_diagnostics(
    written: Sequence[Record], left_out: Sequence[Record], planned: Planned
) -> list[Diagnostic]:
    """One warning per record that is not an arXiv paper with its metadata, at its first note:
    those written without the metadata, then those left out."""
    from note2bib.library.plan import first_mentions

    first_line = first_mentions(planned.papers.found)
    out = []
    for record, was_left_out in [*((r, False) for r in written), *((r, True) for r in left_out)]:
        if record.paper is not None:
            continue
        why = _unresolved_why(record, planned)
        if record.arxiv_id is not None:
            source, line = first_line[record.arxiv_id.base]
            fate = (
                "left out" if was_left_out else f"written as {record.key} without arXiv's metadata"
            )
            out.append(Diagnostic(f"{record.arxiv_id}: {why}; {fate}", source, line))
        else:
            unit = record.units[0]
            what = (
                "names no arXiv paper"
                if why is None
                else f"could not be looked up on arXiv by its title ({why})"
            )
            fate = "left out" if was_left_out else f"kept as {record.key} with the note"
            out.append(Diagnostic(f"{quoted(unit.title)} {what}; {fate}", unit.source, unit.line))
    return out


def _unresolved_why(record: Record, planned: Planned) -> str | None:
    """Why a record without arXiv's metadata is incomplete (its id was not answered for, or
    its title could not be looked up), or None: a note that names no paper, as designed."""
    if record.paper is not None:
        return None
    if record.arxiv_id is not None:
        return planned.papers.resolution.missing.get(record.arxiv_id.base, "not resolved")
    first = record.units[0]
    return planned.papers.by_title.unsearched.get((first.source, first.line))
