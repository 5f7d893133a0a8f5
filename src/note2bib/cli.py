"""Command line: options → pipeline; errors → one sentence on stderr and an exit code."""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click

from note2bib import __version__
from note2bib.arxiv_api import DEFAULT_API, check_api_url
from note2bib.cache import default_cache_dir
from note2bib.errors import Note2BibError, UsageError
from note2bib.files import write_atomic
from note2bib.formats import FORMATS, format_for_suffix
from note2bib.model import Report
from note2bib.pipeline import Export, ExportOptions, export, read_sections
from note2bib.sources import NotesText, read_sources

EXIT_OK, EXIT_FATAL, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3


def _say(message: str) -> None:
    click.echo(message, err=True)


def _fail(err: Note2BibError) -> NoReturn:
    _say(f"note2bib: {err}")
    sys.exit(err.exit_code)


def _read_notes(paths: Sequence[str], encoding: str | None = None) -> list[NotesText]:
    return read_sources(paths, encoding)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="note2bib")
def main() -> None:
    """Turn Markdown reading notes into a bibliography with arXiv metadata and your notes."""


@main.command("export")
@click.argument("notes", nargs=-1, required=True, metavar="NOTES...")
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
    quiet: bool,
    verbose: bool,
) -> None:
    """Export the papers named in NOTES (Markdown or text files, folders of them; - for stdin)
    as a bibliography.

    The bibliography goes to stdout (or -o FILE); warnings and a one-line summary go to stderr.
    Exit codes: 0 complete, 1 fatal (nothing written), 2 usage, 3 written but something
    unresolved.
    """
    try:
        options = ExportOptions(
            cache_dir=cache_dir or default_cache_dir(),
            format=fmt or (format_for_suffix(output) if output else None) or "bibtex",
            api_url=_api_url(),
            delay=_env_float("NOTE2BIB_ARXIV_DELAY", 3.0),
            offline=offline,
            refresh=refresh,
            abstract=abstract,
            search=not no_search,
            unresolved=unresolved,  # type: ignore[arg-type]  # click.Choice guarantees it
        )
        if output is not None:
            _refuse_overwriting_notes(output, notes)
        texts = _read_notes(notes, encoding)
        with _progress(enabled=not quiet) as on_request:
            result = export(texts, options, on_request)
        _tell(result.report, quiet=quiet, verbose=verbose)
        if unresolved == "error" and not result.complete:
            raise Note2BibError(
                f"{result.report.unresolved} entries are unresolved and --unresolved=error "
                "was given; nothing was written"
            )
        _emit(result, output)
    except Note2BibError as err:
        _fail(err)
    sys.exit(EXIT_OK if result.complete else EXIT_INCOMPLETE)


def _refuse_overwriting_notes(output: Path, notes: Sequence[str]) -> None:
    for note in notes:
        if note != "-" and output.exists() and Path(note).exists() and output.samefile(note):
            raise UsageError(f"-o {output} is one of the notes files; it would be overwritten")


def _emit(result: Export, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(result.text)
        sys.stdout.flush()
    else:
        write_atomic(output, result.text)


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


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def _api_url() -> str:
    url = _env("NOTE2BIB_ARXIV_API", DEFAULT_API)
    try:
        check_api_url(url)
    except ValueError as err:
        raise click.UsageError(f"NOTE2BIB_ARXIV_API: {err}") from None
    return url


def _env_float(name: str, default: float) -> float:
    raw = _env(name, "")
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise click.UsageError(f"{name}={raw!r} is not a number of seconds") from None
    if value < 0:
        raise click.UsageError(f"{name}={raw!r} must not be negative")
    return value


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
        found = read_sections(_read_notes(notes, encoding))
    except Note2BibError as err:
        _fail(err)
    for item in found:
        for m in item.mentions:
            click.echo(f"{m.source}:{m.line}\t{item.section.heading}\t{m.id}")
    count = sum(len(item.mentions) for item in found)
    _say(f"note2bib: {count} arXiv ids in {len(found)} notes")
