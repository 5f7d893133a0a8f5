"""What each command does, as plain functions: typed requests in, results and diagnostics out.

Nothing here prints or exits: `cli.py` turns a request's options into these calls and shows
what they return; a `Note2BibError` raised here is the one sentence the user reads. The rules
of the tool that are not steps of the pipeline live here: which option combinations make
sense, never writing over the notes or the library by accident, merging into the library in
place with a backup, and the `--unresolved` policy.

Each command imports the steps it runs when it runs: `--version`, `--help` and `init` load
no notes reader, no library parser and no HTTP code, and `dedupe` reads no Markdown.

The requests and results are named tuples, not dataclasses: each is built once a run and
only read, and a frozen dataclass costs about 0.8 ms at start-up (Python 3.11 compiles its
generated methods) against 0.1 ms for a named tuple.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

from note2bib.arxiv.api import DEFAULT_API, check_api_url
from note2bib.errors import Incomplete, MissingArgument, Note2BibError, UsageError
from note2bib.files import FileChanged, check_output, locked, write_atomic
from note2bib.formats import FORMATS, format_for, format_for_suffix
from note2bib.model import Diagnostic, LibraryEntry, Record, counted

if TYPE_CHECKING:
    from note2bib.library.duplicates import DuplicateGroup
    from note2bib.library.read import Library
    from note2bib.notes.mentions import UnitIds
    from note2bib.pipeline import Export, ExportOptions, OnNotice, OnRequest, OnSearch, Planned
    from note2bib.project import Project
    from note2bib.tex_citations import Citation

Unresolved = Literal["keep", "skip", "error"]
"""What `export` does with a note that names no paper arXiv could give: write it without
arXiv's metadata, leave it out, or write nothing at all."""

FORMAT_NAMES = tuple(sorted(FORMATS))


def format_name(name: str) -> str:
    """The format called `name` (any case); a usage error naming the known ones otherwise."""
    return format_for(name).name


class Environment(NamedTuple):
    """The settings that come from the environment, read here and nowhere else: the arXiv API
    address, the delay between requests, and the cache directory when none is given (click
    reads `--cache-dir` from NOTE2BIB_CACHE_DIR, so that it wins over note2bib.toml)."""

    cache_dir: Path
    api_url: str = DEFAULT_API
    delay: float = 3.0

    @classmethod
    def read(cls, cache_dir: Path | None = None) -> Environment:
        """`NOTE2BIB_ARXIV_API`, `NOTE2BIB_ARXIV_DELAY` (a bad value is a usage error) and
        `cache_dir`, else the default cache directory."""
        url = os.environ.get("NOTE2BIB_ARXIV_API") or DEFAULT_API
        try:
            check_api_url(url)
        except ValueError as err:
            raise UsageError(f"NOTE2BIB_ARXIV_API: {err}") from None
        delay = _seconds("NOTE2BIB_ARXIV_DELAY", 3.0)
        if cache_dir is None:
            from note2bib.arxiv.cache import default_cache_dir

            cache_dir = default_cache_dir()
        return cls(cache_dir, url, delay)


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name) or ""
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise UsageError(f"{name}={raw!r} is not a number of seconds") from None
    if value < 0:
        raise UsageError(f"{name}={raw!r} must not be negative")
    return value


def project_here() -> Project | None:
    """The nearest note2bib.toml (here or in a parent folder), read; None when there is none."""
    from note2bib.project import find_project, read_project

    found = find_project()
    return None if found is None else read_project(found)


# export


class ExportRequest(NamedTuple):
    """`note2bib export`: the notes, where the bibliography goes, and how it is made."""

    notes: tuple[str, ...]
    output: Path | None = None
    format: str | None = None
    """None: from the output's suffix, else bibtex."""
    offline: bool = False
    refresh: bool = False
    cache_dir: Path | None = None
    unresolved: Unresolved = "keep"
    abstract: bool = False
    search: bool = True
    encoding: str | None = None
    libraries: tuple[str, ...] = ()
    merge: bool = False
    annotate_existing: bool = False
    cited: str | None = None
    """A LaTeX document (.tex or .aux): only the papers it cites are written."""


class PreparedExport(NamedTuple):
    """An export whose options were checked and whose libraries were read, before arXiv is
    asked anything."""

    request: ExportRequest
    options: ExportOptions
    libraries: tuple[Library, ...]
    diagnostics: tuple[Diagnostic, ...]
    """What reading the cited document found (a file it inputs that is missing)."""


class Saved(NamedTuple):
    """Where the bibliography went."""

    stdout: str | None
    """The bibliography, when it goes to stdout (no output file)."""
    notice: str | None = None
    """What happened to a library merged in place."""


def prepare_export(request: ExportRequest) -> PreparedExport:
    """Everything that can be refused before arXiv is asked anything."""
    if not request.notes:
        raise MissingArgument(
            "Missing argument 'NOTES...' (and no note2bib.toml naming notes was found "
            "here or in a parent folder)."
        )
    from note2bib.pipeline import ExportOptions

    output = request.output
    environment = Environment.read(request.cache_dir)
    options = ExportOptions(
        cache_dir=environment.cache_dir,
        format=request.format or (format_for_suffix(output) if output else None) or "bibtex",
        api_url=environment.api_url,
        delay=environment.delay,
        offline=request.offline,
        refresh=request.refresh,
        abstract=request.abstract,
        search=request.search,
        merge=request.merge,
        annotate_existing=request.annotate_existing,
    )
    _check_library_options(options, request.libraries, output)
    if output is not None:
        check_output(output)
        _refuse_writing_over_inputs(output, request)
    libraries: tuple[Library, ...] = ()
    if request.libraries:
        from note2bib.library.read import read_library

        libraries = tuple(read_library(path, options.cache_dir) for path in request.libraries)
    _refuse_stdout_onto_library(output, libraries)
    if options.merge:
        from note2bib.library.merge import check_appendable

        check_appendable(libraries[0].data.decode("utf-8"), libraries[0].path)
    diagnostics: list[Diagnostic] = []
    if request.cited:
        from note2bib.tex_citations import find_citations

        citations, diagnostics = find_citations(request.cited)
        keys = frozenset(c.key for c in citations)
        options = replace(options, cited=None if "*" in keys else keys)
    return PreparedExport(request, options, libraries, tuple(diagnostics))


def run_export(
    prepared: PreparedExport,
    on_request: OnRequest | None = None,
    on_notice: OnNotice | None = None,
    on_search: OnSearch | None = None,
) -> Export:
    """The notes read and exported (arXiv asked as needed); nothing is written yet."""
    from note2bib.notes.sources import read_sources
    from note2bib.pipeline import plan_export

    texts = read_sources(prepared.request.notes, prepared.request.encoding)
    options = prepared.options
    planned = plan_export(texts, options, on_request, prepared.libraries, on_notice, on_search)
    return _render(prepared, planned, prepared.libraries)


def _render(prepared: PreparedExport, planned: Planned, libraries: Sequence[Library]) -> Export:
    """The planned records rendered (merged into the first library with --merge), the
    `--unresolved` policy applied."""
    from note2bib.pipeline import render

    options = prepared.options
    written = planned.new(options.cited)
    left_out: list[Record] = []
    if prepared.request.unresolved == "skip":  # render warns of each and counts the ids
        left_out = [r for r in written if r.paper is None]
        written = [r for r in written if r.paper is not None]
    return render(planned, written, options, libraries, left_out)


def write_export(
    prepared: PreparedExport, result: Export, on_notice: OnNotice | None = None
) -> Saved:
    """The bibliography written where it was asked for, unless the `--unresolved` policy
    refuses it (then nothing is written). `on_notice` hears it when another note2bib is
    writing the library and this one waits for it."""
    report = result.report
    if prepared.request.unresolved == "error" and (report.unresolved or report.no_paper):
        raise Incomplete(
            f"{report.unresolved + report.no_paper} entries have no arXiv paper and "
            "--unresolved error was given; nothing was written"
        )
    output = prepared.request.output
    if output is None:
        return Saved(result.text)
    if prepared.options.merge:  # -o is the first library (`_refuse_writing_over_inputs`)
        return Saved(None, _merge_in_place(prepared, result, on_notice))
    write_atomic(output, result.text)
    return Saved(None)


# How often a merge starts again when the library keeps changing under it.
_MERGE_ATTEMPTS = 5


def _merge_in_place(prepared: PreparedExport, result: Export, on_notice: OnNotice | None) -> str:
    """Replace the library atomically, its previous version kept as FILE.bak, without losing
    what anyone else wrote to it meanwhile.

    Runs of note2bib take turns through a lock beside the library. Under it the file is read
    again: when it is not what the merge was computed from (another run, an editor's save),
    the notes' papers are merged again onto what it holds now. The file is replaced only if
    it still holds those bytes at the last moment; else the merge starts again.
    """
    from note2bib.library.read import library_from

    library = prepared.libraries[0]
    path = library.path
    meanwhile = ""
    with locked(path, on_notice):
        for _ in range(_MERGE_ATTEMPTS):
            current = _read_again(path)
            if current != library.data:
                library = library_from(path, current, prepared.options.cache_dir)
                result = _merge_again(prepared, result, library)
                meanwhile = " (it had changed while note2bib ran; merged onto its new contents)"
            new = result.text.encode("utf-8")
            if new == current:
                return f"{path}: nothing to add; the file was not touched{meanwhile}"
            backup = backup_path(path)
            try:
                write_atomic(path, new, expected=current, backup=backup)
            except FileChanged:
                continue
            return f"{path} updated; its previous version is in {backup}{meanwhile}"
    raise Note2BibError(
        f"{path} kept changing while note2bib merged into it ({_MERGE_ATTEMPTS} times), so "
        "nothing was merged; run the merge again when nothing else is writing it"
    )


def _read_again(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as err:
        raise Note2BibError(
            f"{path}: cannot be read again to merge into it ({err.strerror or err}); "
            "nothing was merged"
        ) from None


def _merge_again(prepared: PreparedExport, result: Export, library: Library) -> Export:
    """The same notes merged onto the library as it is now (arXiv is not asked again)."""
    from note2bib.pipeline import plan_again

    assert result.planned is not None  # every export `run_export` makes carries its plan
    libraries = (library, *prepared.libraries[1:])
    return _render(prepared, plan_again(result.planned, prepared.options, libraries), libraries)


def _check_library_options(
    options: ExportOptions, libraries: Sequence[str], output: Path | None
) -> None:
    """The combinations of --library, --merge, --annotate-existing and -o that make sense."""
    if options.annotate_existing and not options.merge:
        raise UsageError("--annotate-existing changes the library: it needs --merge")
    if options.merge:
        if not libraries:
            raise UsageError("--merge needs --library FILE (the library to merge into)")
        if Path(libraries[0]).suffix.lower() == ".json":
            raise UsageError(f"--merge writes .bib libraries; {libraries[0]} is CSL-JSON")
        if not format_for(options.format).bib_syntax:
            raise UsageError(
                f"--merge appends BibTeX or biblatex entries to a .bib library; it cannot be "
                f"combined with -f {options.format}"
            )
    elif output is not None and output.exists():
        for library in libraries:
            if Path(library).exists() and _same_file(output, library):
                raise UsageError(
                    f"-o {output} is the library itself and would be replaced by the new "
                    "papers only; add --merge to append them to it"
                )


def _refuse_stdout_onto_library(output: Path | None, libraries: Sequence[Library]) -> None:
    """`note2bib export --library refs.bib > refs.bib`: the shell emptied it before we ran."""
    if output is not None:
        return
    try:
        out = os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        return  # not a real file (a test runner, a closed stream)
    for library in libraries:
        st = os.stat(library.path)
        if (st.st_dev, st.st_ino) == (out.st_dev, out.st_ino):
            raise Note2BibError(
                f"stdout is {library.path}, the library itself: the shell emptied it before "
                "note2bib started (restore it from a backup or version control); to add to "
                f"a library use --merge -o {library.path}"
            )


def _refuse_writing_over_inputs(output: Path, request: ExportRequest) -> None:
    """-o must not name anything the run reads (with --merge it must name the first
    library); each refusal is one sentence, before any work."""
    libraries = request.libraries
    if request.merge and libraries and not _same_file(output, libraries[0]):
        raise UsageError(
            f"--merge -o writes the merged library over the first --library, {libraries[0]}; "
            f"-o {output} is another file (leave out -o for the merged library on stdout)"
        )
    if not output.exists():
        return
    from note2bib.notes.sources import find_note_files
    from note2bib.project import find_project

    # Folders expanded: `export vault -o vault/list.md` must not replace a note in the vault.
    for note in find_note_files([n for n in request.notes if n != "-"]):
        if _same_file(output, note):
            raise UsageError(f"-o {output} is one of the notes files; it would be overwritten")
    if request.cited and _same_file(output, request.cited):
        raise UsageError(f"-o {output} is the document --cited reads; it would be overwritten")
    project = find_project()
    if project is not None and _same_file(output, project):
        raise UsageError(f"-o {output} is the note2bib.toml in effect; it would be overwritten")


def _same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name one file (links followed; when one is missing, the same path)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def backup_path(path: str) -> str:
    """Where the library's previous version goes: `refs.bib` → `refs.bib.bak`."""
    return path + ".bak"


# check


class CheckRequest(NamedTuple):
    """`note2bib check`: a LaTeX document against its libraries (and the notes)."""

    document: str | None
    libraries: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    offline: bool = False


class Supplied(NamedTuple):
    """A key the notes would give a paper the library lacks."""

    note: str
    """file:line of the paper's first note."""
    arxiv_id: str | None


class Checked(NamedTuple):
    """The keys a document cites that its libraries lack, and the entries it never cites."""

    libraries: tuple[str, ...]
    cited: frozenset[str]
    missing: tuple[Citation, ...]
    supplied: dict[str, Supplied]
    never_cited: tuple[LibraryEntry, ...]
    diagnostics: tuple[Diagnostic, ...]
    notes_given: bool = True
    """Whether any notes were read: without them, no key can come from one."""

    @property
    def complete(self) -> bool:
        return not self.missing

    def lines(self) -> list[str]:
        where = " or ".join(self.libraries) or "the library (none given)"
        nobody = "no note supplies it" if self.notes_given else "no notes were given (--notes)"
        out = []
        for c in self.missing:
            s = self.supplied.get(c.key)
            label = f" ({s.arxiv_id})" if s and s.arxiv_id else ""
            found_in = f"{s.note} would supply it{label}" if s else nobody
            out.append(f"{c.source}:{c.line}: {c.key} is cited but not in {where}; {found_in}")
        out += [
            f"{e.file}:{e.line}: {e.key} is never cited (information)" for e in self.never_cited
        ]
        return out

    def summary(self) -> str:
        from_notes = sum(c.key in self.supplied for c in self.missing)
        return (
            f"{len(self.cited)} keys cited, {len(self.missing)} missing ({from_notes} in the "
            f"notes), {len(self.never_cited)} library entries never cited"
        )


def check(request: CheckRequest, on_notice: OnNotice | None = None) -> Checked:
    """The document's citations against the libraries; the notes say which keys they would
    supply (looked up as `export` would, so arXiv may be asked unless offline)."""
    if request.document is None:
        raise MissingArgument("Missing argument 'TEX' (and no main = … in note2bib.toml).")
    from note2bib.library.read import read_library
    from note2bib.tex_citations import find_citations

    citations, diagnostics = find_citations(request.document)
    libs = [read_library(path) for path in request.libraries]
    supplied = _keys_from_notes(request, libs, on_notice) if request.notes else {}
    have = {e.key for lib in libs for e in lib.entries}
    cited = frozenset(c.key for c in citations)
    entries = [e for lib in libs for e in lib.entries]
    return Checked(
        libraries=request.libraries,
        cited=cited,
        missing=tuple(c for c in citations if c.key != "*" and c.key not in have),
        supplied=supplied,
        never_cited=() if "*" in cited else tuple(e for e in entries if e.key not in cited),
        diagnostics=(*diagnostics, *(d for lib in libs for d in lib.diagnostics)),
        notes_given=bool(request.notes),
    )


def _keys_from_notes(
    request: CheckRequest, libs: Sequence[Library], on_notice: OnNotice | None
) -> dict[str, Supplied]:
    """The key each paper of the notes would have against `libs` → its first note: the steps
    up to the plan, nothing rendered."""
    from note2bib.notes.sources import read_sources
    from note2bib.pipeline import ExportOptions, plan_export

    environment = Environment.read()
    options = ExportOptions(
        cache_dir=environment.cache_dir,
        api_url=environment.api_url,
        delay=environment.delay,
        offline=request.offline,
    )
    planned = plan_export(read_sources(request.notes), options, None, libs, on_notice)
    out: dict[str, Supplied] = {}
    for record in planned.plan.records:
        s = record.units[0]
        arxiv_id = str(record.arxiv_id) if record.arxiv_id else None
        out[record.key] = Supplied(f"{s.source}:{s.line}", arxiv_id)
    return out


# dedupe


class Deduped(NamedTuple):
    """The groups of entries that are one paper under different keys."""

    groups: tuple[DuplicateGroup, ...]
    entries: int
    diagnostics: tuple[Diagnostic, ...]

    def lines(self) -> list[str]:
        return [
            ", ".join(f"{e.key} ({e.file}:{e.line})" for e in group.entries) + f": {group.how}"
            for group in self.groups
        ]

    def summary(self) -> str:
        return (
            f"{len(self.groups)} groups of entries that are one paper, among {self.entries} entries"
        )


def dedupe(libraries: Sequence[str]) -> Deduped:
    """A library's own duplicates (several libraries: across them too); nothing is rewritten."""
    if not libraries:
        raise MissingArgument("Missing argument 'LIBRARY' (and no note2bib.toml names one).")
    from note2bib.library.duplicates import find_duplicates
    from note2bib.library.read import read_library

    libs = [read_library(path) for path in libraries]
    entries = [e for lib in libs for e in lib.entries]
    return Deduped(
        tuple(find_duplicates(entries)),
        len(entries),
        tuple(d for lib in libs for d in lib.diagnostics),
    )


# ids


class FoundIds(NamedTuple):
    """Every unit of the notes with the arXiv ids it is about."""

    notes: tuple[UnitIds, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    """What reading said: front matter that does not parse, title-like lines left out."""

    def lines(self) -> list[str]:
        """One line per unit: file:line, kind, title, its ids (`-` for a title only)."""
        out = []
        for item in self.notes:
            unit = item.unit
            ids = ", ".join(dict.fromkeys(str(m.id) for m in item.mentions)) or "-"
            out.append(f"{unit.source}:{unit.line}\t{unit.kind}\t{unit.title}\t{ids}")
        return out

    def summary(self) -> str:
        count = len({m.id.base for item in self.notes for m in item.mentions})
        return f"{counted(count, 'arXiv id')} in {counted(len(self.notes), 'unit')}"


def ids(notes: Sequence[str], encoding: str | None = None) -> FoundIds:
    """How the notes were read: their units and the ids each is about; no network."""
    from note2bib.notes.sources import read_sources
    from note2bib.pipeline import read_notes

    found, diagnostics = read_notes(read_sources(notes, encoding))
    return FoundIds(tuple(found), tuple(diagnostics))


# init


def init(folder: Path) -> Path:
    """A commented note2bib.toml starter written into `folder` (never over an existing one)."""
    from note2bib.project import write_starter

    return write_starter(folder)
