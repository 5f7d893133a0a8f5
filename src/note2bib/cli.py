"""Command line: options → pipeline; errors → one sentence on stderr and an exit code."""

from __future__ import annotations

import codecs
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click
from click.core import ParameterSource

from note2bib import __version__, app
from note2bib.errors import MissingArgument, Note2BibError, UsageError
from note2bib.formats import FORMATS
from note2bib.model import Report
from note2bib.project import Project, find_project, read_project

EXIT_OK, EXIT_FATAL, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3


def _say(message: str) -> None:
    click.echo(message, err=True)


def _notice(message: str) -> None:
    _say(f"note2bib: {message}")


def _fail(err: Note2BibError) -> NoReturn:
    if isinstance(err, MissingArgument):
        raise click.UsageError(str(err))
    _say(f"note2bib: {err}")
    sys.exit(err.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="note2bib")
def main() -> None:
    """Turn Markdown reading notes into a bibliography with arXiv metadata and your notes."""


@main.command("export")
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
    type=click.Choice(sorted(FORMATS), case_sensitive=False),
    help="Output format [default: from the -o suffix, else bibtex].",
)
@click.option("--offline", is_flag=True, help="Use only the cache; never connect to arXiv.")
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
@click.option(
    "--encoding",
    callback=lambda _ctx, _param, value: _encoding(value),
    metavar="NAME",
    help="Read the notes in this encoding (e.g. cp949, latin-1) [default: UTF-8].",
)
@click.option(
    "--library",
    "libraries",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Your existing library (.bib or CSL-JSON .json; repeatable): papers in it are not "
    "exported again and keep its keys.",
)
@click.option(
    "--merge",
    is_flag=True,
    help="Write the whole (first) library with the new papers appended; with -o onto the "
    "library itself, it is updated in place and the old file kept as FILE.bak.",
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
def export_command(
    notes: tuple[str, ...],
    output: Path | None,
    fmt: str | None,
    offline: bool,
    refresh: bool,
    cache_dir: Path | None,
    unresolved: str,
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
    options given here win. Exit codes: 0 complete, 1 fatal (nothing written), 2 usage,
    3 written but something unresolved.
    """
    try:
        given = {
            "notes": notes,
            "output": output,
            "fmt": fmt,
            "offline": offline,
            "cache_dir": cache_dir,
            "unresolved": unresolved,
            "abstract": abstract,
            "libraries": libraries,
            "merge": merge,
            "annotate_existing": annotate_existing,
            "cited": cited,
        }
        a = _with_project(click.get_current_context(), given, verbose=verbose and not quiet)
        request = app.ExportRequest(
            notes=a["notes"],
            output=a["output"],
            format=a["fmt"],
            offline=a["offline"],
            refresh=refresh,
            cache_dir=a["cache_dir"],
            unresolved=a["unresolved"],
            abstract=a["abstract"],
            search=not no_search,
            encoding=encoding,
            libraries=a["libraries"],
            merge=a["merge"],
            annotate_existing=a["annotate_existing"],
            cited=a["cited"],
        )
        prepared = app.prepare_export(request)
        if not quiet:
            for d in prepared.diagnostics:
                _say(str(d))
        with _progress(enabled=not quiet) as on_request:
            result = app.run_export(prepared, on_request, None if quiet else _notice)
        _tell(result.report, quiet=quiet, verbose=verbose)
        saved = app.write_export(prepared, result)
        if saved.stdout is not None:
            sys.stdout.write(saved.stdout)
            sys.stdout.flush()
        if saved.notice is not None and not quiet:
            _notice(saved.notice)
    except Note2BibError as err:
        _fail(err)
    sys.exit(EXIT_OK if result.complete else EXIT_INCOMPLETE)


# toml key → export parameter; the toml's value is used where the command line gave none.
_PROJECT_OPTIONS = {
    "format": "fmt",
    "merge": "merge",
    "annotate-existing": "annotate_existing",
    "unresolved": "unresolved",
    "abstract": "abstract",
    "offline": "offline",
}


def _with_project(ctx: click.Context, given: dict[str, Any], verbose: bool) -> dict[str, Any]:
    """The command's arguments, completed from the nearest note2bib.toml (if any)."""
    found = find_project()
    if found is None:
        return given
    project = read_project(found)
    if verbose:
        _say(f"note2bib: settings from {found}")
    out = dict(given)

    def explicit(name: str) -> bool:
        return ctx.get_parameter_source(name) in (
            ParameterSource.COMMANDLINE,
            ParameterSource.ENVIRONMENT,
        )

    for key, name in _PROJECT_OPTIONS.items():
        if project.get(key) is not None and not explicit(name):
            out[name] = project.get(key)
    if not given["notes"] and project.get("notes") is not None:
        out["notes"] = tuple(project.notes())
    if not given["libraries"]:
        out["libraries"] = tuple(project.paths_of("library"))
    if project.get("output") is not None and not explicit("output"):
        out["output"] = Path(project.path_of("output") or "")
    if project.get("cache-dir") is not None and not explicit("cache_dir"):
        out["cache_dir"] = Path(project.path_of("cache-dir") or "")
    if given.get("cited") is None and project.get("cited"):
        out["cited"] = _project_main(project)
    return out


def _project_main(project: Project) -> str:
    main_file = project.path_of("main")
    if main_file is None:
        raise UsageError(f'{project.path}: cited = true needs main = "your-document.tex"')
    return main_file


def _tell(report: Report, *, quiet: bool, verbose: bool) -> None:
    if quiet:
        return
    for d in report.diagnostics:
        if d.level == "warning" or verbose:
            _say(str(d))
    _say(f"note2bib: {report.summary()}")


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr, only on a terminal and only when more than one request is due."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    bar: Any = None

    def on_request(done: int, total: int) -> None:
        nonlocal bar
        if total <= 1:
            return
        if bar is None:
            bar = click.progressbar(length=total, label="asking arXiv", file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        yield on_request
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def _encoding(name: str | None) -> str | None:
    if name is None:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise click.BadParameter(f"{name!r} is not an encoding Python knows") from None


@main.command("ids")
@click.argument("notes", nargs=-1, required=True, metavar="NOTES...")
@click.option(
    "--encoding",
    callback=lambda _ctx, _param, value: _encoding(value),
    metavar="NAME",
    help="Read the notes in this encoding [default: UTF-8].",
)
def ids_command(notes: tuple[str, ...], encoding: str | None) -> None:
    """List the arXiv ids found in NOTES (file:line, heading, id), with no network."""
    try:
        found = app.ids(notes, encoding)
    except Note2BibError as err:
        _fail(err)
    for line in found.lines():
        click.echo(line)
    _notice(found.summary())


@main.command("dedupe")
@click.argument("libraries", nargs=-1, type=click.Path(dir_okay=False), metavar="[LIBRARY]...")
def dedupe_command(libraries: tuple[str, ...]) -> None:
    """List entries of LIBRARY that are the same paper under different keys, one group a line.

    Same arXiv id (in any field guise), same DOI, or same title and first author. Nothing is
    rewritten. Without LIBRARY, the library named in note2bib.toml.
    """
    try:
        project = None if libraries else app.project_here()
        deduped = app.dedupe(libraries or (project.paths_of("library") if project else []))
    except Note2BibError as err:
        _fail(err)
    for d in deduped.diagnostics:
        _say(str(d))
    for line in deduped.lines():
        click.echo(line)
    _notice(deduped.summary())


@main.command("init")
def init_command() -> None:
    """Write a commented note2bib.toml starter file into the current folder."""
    try:
        path = app.init(Path.cwd())
    except Note2BibError as err:
        _fail(err)
    _say(f"note2bib: wrote {path.name}; set notes = … and library = … in it")


@main.command("check")
@click.argument("document", required=False, type=click.Path(dir_okay=False), metavar="[TEX]")
@click.option(
    "--library",
    "libraries",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="The library the document uses (repeatable) [default: from note2bib.toml].",
)
@click.option(
    "--notes",
    "notes",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Notes that may supply missing keys (repeatable) [default: from note2bib.toml].",
)
@click.option("--offline", is_flag=True, help="Use only the cache; never connect to arXiv.")
def check_command(
    document: str | None, libraries: tuple[str, ...], notes: tuple[str, ...], offline: bool
) -> None:
    """List the keys TEX (a .tex or .aux) cites that the library lacks, and which of them
    the notes would supply; library entries never cited are listed too, for information.

    Exit codes: 0 every cited key is in the library, 1 some are missing, 2 usage.
    """
    try:
        project = app.project_here()
        request = app.CheckRequest(
            document=document or (project.path_of("main") if project else None),
            libraries=libraries or tuple(project.paths_of("library") if project else ()),
            notes=notes or tuple(project.notes() if project and project.get("notes") else ()),
            offline=offline,
        )
        checked = app.check(request, _notice)
    except Note2BibError as err:
        _fail(err)
    for d in checked.diagnostics:
        _say(str(d))
    for line in checked.lines():
        click.echo(line)
    _notice(checked.summary())
    sys.exit(EXIT_OK if checked.complete else EXIT_FATAL)
