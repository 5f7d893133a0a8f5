"""Command line: click options → `app` calls; what they return → stdout and stderr.

Options several commands take are declared once. In a folder with a note2bib.toml (here or in
a parent), its settings are the commands' defaults (click's `default_map`); options given on
the command line or in the environment win. `_told` is the one place a `Note2BibError` becomes
one sentence on stderr and its exit code.
"""

from __future__ import annotations

import codecs
import gc
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from note2bib import __version__, app
from note2bib.errors import MissingArgument, Note2BibError

if TYPE_CHECKING:
    from note2bib.app import Unresolved
    from note2bib.model import Diagnostic, Report
    from note2bib.project import Project

EXIT_OK, EXIT_FATAL, EXIT_INCOMPLETE = 0, 1, 3

_F = TypeVar("_F", bound=Callable[..., Any])
Defaults = Callable[["Project", Mapping[str, Any]], dict[str, object]]
"""A command's defaults from a note2bib.toml (None: the file does not say), given what the
command line gave."""


def _say(message: str) -> None:
    click.echo(message, err=True)


def _notice(message: str) -> None:
    _say(f"note2bib: {message}")


def _show(diagnostics: Iterable[Diagnostic]) -> None:
    for d in diagnostics:
        _say(str(d))


def _echo(lines: Iterable[str]) -> None:
    for line in lines:
        click.echo(line)


@contextmanager
def _told(ctx: click.Context) -> Iterator[None]:
    """The one place a `Note2BibError` reaches the user: one sentence on stderr, its exit code.

    A missing argument is told as click tells its own usage errors, under the usage line.
    """
    try:
        yield
    except Note2BibError as err:
        if isinstance(err, MissingArgument):
            raise click.UsageError(str(err), ctx) from None
        _notice(str(err))
        ctx.exit(err.exit_code)


def _project(ctx: click.Context) -> Project | None:
    """The nearest note2bib.toml, read once per run: the one way every command finds it."""
    meta = ctx.find_root().meta
    if "note2bib.project" not in meta:
        meta["note2bib.project"] = app.project_here()
    project: Project | None = meta["note2bib.project"]
    return project


class _ProjectDefaults(MutableMapping[str, Any]):
    """A command's `default_map`: its settings in note2bib.toml, read at the first look-up of
    one of its parameters (so `note2bib dedupe refs.bib` never reads the file)."""

    def __init__(self, ctx: click.Context, names: frozenset[str], defaults: Defaults) -> None:
        self._ctx = ctx
        self._names = names
        self._defaults = defaults
        self._values: dict[str, Any] | None = None

    def _read(self) -> dict[str, Any]:
        if self._values is None:
            # Click processes the parameters given on the command line before those it looks
            # up here, so `ctx.params` holds every one the user gave.
            project = _project(self._ctx)
            given = self._defaults(project, self._ctx.params) if project is not None else {}
            self._values = {name: v for name, v in given.items() if v is not None}
        return self._values

    def __contains__(self, name: object) -> bool:
        return name in self._names and name in self._read()

    def __getitem__(self, name: str) -> Any:
        if name not in self._names:
            raise KeyError(name)
        return self._read()[name]

    def __setitem__(self, name: str, value: Any) -> None:
        self._read()[name] = value

    def __delitem__(self, name: str) -> None:
        del self._read()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())


class _Command(click.Command):
    """A note2bib command: its defaults from note2bib.toml, its errors told by `_told`."""

    def __init__(self, *args: Any, project_defaults: Defaults | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.project_defaults = project_defaults

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if self.project_defaults is not None and ctx.default_map is None:
            names = frozenset(p.name for p in self.params if p.name)
            ctx.default_map = _ProjectDefaults(ctx, names, self.project_defaults)
        with _told(ctx):
            return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        with _told(ctx):
            return super().invoke(ctx)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Help shows the command's own defaults, whatever a note2bib.toml says (or gets wrong).
        ctx.default_map = None
        super().format_help(ctx, formatter)


class _Group(click.Group):
    command_class = _Command


def _encoding(_ctx: click.Context, _param: click.Parameter, name: str | None) -> str | None:
    if name is None:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise click.BadParameter(f"{name!r} is not an encoding Python knows") from None


def _encoding_option(help: str) -> Callable[[_F], _F]:
    return click.option("--encoding", callback=_encoding, metavar="NAME", help=help)


def _library_option(help: str) -> Callable[[_F], _F]:
    return click.option(
        "--library", "libraries", multiple=True, type=click.Path(dir_okay=False), help=help
    )


_offline_option = click.option(
    "--offline", is_flag=True, help="Use only the cache; never connect to arXiv."
)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="note2bib")
def main() -> None:
    """Turn Markdown reading notes into a bibliography with arXiv metadata and your notes."""


def run() -> None:
    """The `note2bib` program (`python -m note2bib` and the console script): `main`, then the
    process ends without the collector's last pass over what the run made."""
    try:
        main(prog_name="note2bib")
    finally:
        # Every object left (each module, the notes, the papers) dies with the process;
        # Python's last collection at exit went over them all: 15-35 ms of a 150 ms run.
        # Files, the cache and the connection are closed by then, each by its `with`.
        gc.freeze()


def _export_defaults(project: Project, given: Mapping[str, Any]) -> dict[str, object]:
    o = project.export_options(notes_given=bool(given.get("notes")))
    return {
        "notes": None if o.notes is None else project.notes,
        "libraries": o.library or None,
        "output": o.output,
        "fmt": None if o.format is None else partial(app.format_name, o.format),
        "cache_dir": o.cache_dir,
        "unresolved": o.unresolved,
        "abstract": o.abstract,
        "offline": o.offline,
        "merge": o.merge,
        "annotate_existing": o.annotate_existing,
        "cited": project.cited_document if o.cited else None,
    }


@main.command("export", project_defaults=_export_defaults)
@click.argument("notes", nargs=-1, metavar="[NOTES]...")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here (atomically) instead of stdout.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(app.FORMAT_NAMES, case_sensitive=False),
    help="Output format [default: from the -o suffix, else bibtex].",
)
@_offline_option
@click.option("--refresh", is_flag=True, help="Ask arXiv again even for cached papers.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="NOTE2BIB_CACHE_DIR",
    help="Where the cache lives [env NOTE2BIB_CACHE_DIR; default: the user cache directory].",
)
@click.option(
    "--unresolved",
    type=click.Choice(["keep", "skip", "error"]),
    default="keep",
    show_default=True,
    help="What to do with notes that name no paper arXiv could give.",
)
@click.option("--abstract", is_flag=True, help="Include arXiv's abstract.")
@click.option(
    "--no-search",
    is_flag=True,
    help="Do not look notes without an arXiv id up on arXiv by their title.",
)
@_encoding_option("Read the notes in this encoding (e.g. cp949, latin-1) [default: UTF-8].")
@_library_option(
    "Your existing library (.bib or CSL-JSON .json; repeatable): papers in it are not "
    "exported again and keep its keys."
)
@click.option(
    "--merge",
    is_flag=True,
    help="Write the whole (first) library with the new papers appended (entries note2bib "
    "wrote follow their notes); with -o (which must be that library) it is updated in place "
    "and the old file kept as FILE.bak.",
)
@click.option(
    "--annotate-existing",
    is_flag=True,
    help="With --merge: add the notes to the annote of papers the library already has.",
)
@click.option(
    "--cited",
    type=click.Path(dir_okay=False),
    metavar="TEX",
    help="Only the papers this LaTeX document (.tex or .aux) cites.",
)
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@click.option("-v", "--verbose", is_flag=True, help="Also informational messages on stderr.")
@click.pass_context
def export_command(
    ctx: click.Context,
    notes: tuple[str, ...],
    output: Path | None,
    fmt: str | None,
    offline: bool,
    refresh: bool,
    cache_dir: Path | None,
    unresolved: Unresolved,
    abstract: bool,
    no_search: bool,
    encoding: str | None,
    libraries: tuple[str, ...],
    merge: bool,
    annotate_existing: bool,
    cited: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Export the papers named in NOTES (Markdown or text files, folders of them; - for stdin)
    as a bibliography.

    The bibliography goes to stdout (or -o FILE); warnings and a one-line summary go to stderr.
    In a folder with a note2bib.toml (here or in a parent), NOTES and options come from it;
    options given here win. Given NOTES, a run is one-off: only format, unresolved, abstract,
    offline and cache-dir come from the file (never its output, library or merge).

    Exit codes: 0 complete (notes that name no paper are kept, with a warning), 1 fatal
    (nothing written), 2 usage, 3 something asked for is missing (an arXiv id arXiv did not
    give; with --unresolved error, any note without a paper).
    """
    if verbose and not quiet and (project := _project(ctx)) is not None:
        _notice(project.describe(notes_given=bool(notes)))
    request = app.ExportRequest(
        notes=notes,
        output=output,
        format=fmt,
        offline=offline,
        refresh=refresh,
        cache_dir=cache_dir,
        unresolved=unresolved,
        abstract=abstract,
        search=not no_search,
        encoding=encoding,
        libraries=libraries,
        merge=merge,
        annotate_existing=annotate_existing,
        cited=cited,
    )
    prepared = app.prepare_export(request)
    if not quiet:
        _show(prepared.diagnostics)
    with _progress(enabled=not quiet) as progress:
        result = app.run_export(
            prepared,
            progress.callback("asking arXiv") if progress else None,
            None if quiet else _notice,
            progress.callback("searching arXiv by title", show_pos=True) if progress else None,
        )
    _tell(result.report, quiet=quiet, verbose=verbose)
    saved = app.write_export(prepared, result, None if quiet else _notice)
    if saved.stdout is not None:
        sys.stdout.write(saved.stdout)
        sys.stdout.flush()
    if saved.notice is not None and not quiet:
        _notice(saved.notice)
    ctx.exit(EXIT_OK if result.complete else EXIT_INCOMPLETE)


def _tell(report: Report, *, quiet: bool, verbose: bool) -> None:
    if quiet:
        return
    _show(d for d in report.diagnostics if d.level == "warning" or verbose)
    _notice(report.summary())


@contextmanager
def _progress(enabled: bool) -> Iterator[_Progress | None]:
    """Progress bars on stderr, only on a terminal; closed however the run ends."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    progress = _Progress()
    try:
        yield progress
    finally:
        progress.close()


class _Progress:
    """One progress bar at a time on stderr, shown only when more than one step is due."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._label = ""

    def callback(self, label: str, show_pos: bool = False) -> Callable[[int, int], None]:
        """Told (done, total): draws the bar `label`, ending the one before it if another."""

        def on_progress(done: int, total: int) -> None:
            if total <= 1:
                return
            if self._bar is None or self._label != label:
                self.close()
                self._bar = click.progressbar(
                    length=total, label=label, file=sys.stderr, show_pos=show_pos
                )
                self._bar.__enter__()
                self._label = label
            self._bar.update(done - self._bar.pos)

        return on_progress

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


@main.command("ids")
@click.argument("notes", nargs=-1, required=True, metavar="NOTES...")
@_encoding_option("Read the notes in this encoding [default: UTF-8].")
def ids_command(notes: tuple[str, ...], encoding: str | None) -> None:
    """Show how NOTES were read, with no network: each unit (the text about one paper) as
    file:line, its kind (section, file, item, row, paragraph, details, mention), its title
    and the arXiv ids it is about (- for a paper named by its title only)."""
    found = app.ids(notes, encoding)
    _show(found.diagnostics)
    _echo(found.lines())
    _notice(found.summary())


def _dedupe_defaults(project: Project, _given: Mapping[str, Any]) -> dict[str, object]:
    return {"libraries": project.options.library or None}


@main.command("dedupe", project_defaults=_dedupe_defaults)
@click.argument("libraries", nargs=-1, type=click.Path(dir_okay=False), metavar="[LIBRARY]...")
def dedupe_command(libraries: tuple[str, ...]) -> None:
    """List entries of LIBRARY that are the same paper under different keys, one group a line.

    Same arXiv id (in any field guise), same DOI, or same title and first author. Nothing is
    rewritten. Without LIBRARY, the library named in note2bib.toml.
    """
    deduped = app.dedupe(libraries)
    _show(deduped.diagnostics)
    _echo(deduped.lines())
    _notice(deduped.summary())


@main.command("init")
def init_command() -> None:
    """Write a commented note2bib.toml starter file into the current folder."""
    path = app.init(Path.cwd())
    _notice(f"wrote {path.name}; set notes = … and library = … in it")


def _check_defaults(project: Project, _given: Mapping[str, Any]) -> dict[str, object]:
    o = project.options
    return {
        "document": o.main,
        "libraries": o.library or None,
        "notes": project.notes if o.notes else None,
    }


@main.command("check", project_defaults=_check_defaults)
@click.argument("document", required=False, type=click.Path(dir_okay=False), metavar="[TEX]")
@_library_option("The library the document uses (repeatable) [default: from note2bib.toml].")
@click.option(
    "--notes",
    "notes",
    multiple=True,
    # Files or folders: the note2bib.toml's notes may name a folder, as export's NOTES may.
    type=click.Path(),
    metavar="FILE",
    help="Notes that may supply missing keys (repeatable) [default: from note2bib.toml].",
)
@_offline_option
@click.pass_context
def check_command(
    ctx: click.Context,
    document: str | None,
    libraries: tuple[str, ...],
    notes: tuple[str, ...],
    offline: bool,
) -> None:
    """List the keys TEX (a .tex or .aux) cites that the library lacks, and which of them
    the notes would supply; library entries never cited are listed too, for information.

    Exit codes: 0 every cited key is in the library, 1 some are missing, 2 usage.
    """
    checked = app.check(app.CheckRequest(document, libraries, notes, offline), _notice)
    _show(checked.diagnostics)
    _echo(checked.lines())
    _notice(checked.summary())
    ctx.exit(EXIT_OK if checked.complete else EXIT_FATAL)
