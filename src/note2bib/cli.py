"""Command line: options → pipeline; errors → one sentence on stderr and an exit code."""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

import click
from click.core import ParameterSource

from note2bib import __version__
from note2bib.arxiv.api import DEFAULT_API, check_api_url
from note2bib.arxiv.cache import default_cache_dir
from note2bib.errors import Note2BibError, UsageError
from note2bib.files import check_output, write_atomic
from note2bib.formats import FORMATS, format_for, format_for_suffix
from note2bib.library.duplicates import find_duplicates
from note2bib.library.merge import check_appendable
from note2bib.library.read import Library, read_library
from note2bib.model import Report
from note2bib.notes.sources import NotesText, find_note_files, read_sources
from note2bib.pipeline import Export, ExportOptions, export, read_units
from note2bib.project import Project, find_project, read_project, write_starter
from note2bib.tex_citations import find_citations

EXIT_OK, EXIT_FATAL, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3


def _say(message: str) -> None:
    click.echo(message, err=True)


def _notice(message: str) -> None:
    _say(f"note2bib: {message}")


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
        if not a["notes"]:
            raise click.UsageError(
                "Missing argument 'NOTES...' (and no note2bib.toml naming notes was found "
                "here or in a parent folder)."
            )
        output = a["output"]
        options = ExportOptions(
            cache_dir=a["cache_dir"] or default_cache_dir(),
            format=a["fmt"] or (format_for_suffix(output) if output else None) or "bibtex",
            api_url=_api_url(),
            delay=_env_float("NOTE2BIB_ARXIV_DELAY", 3.0),
            offline=a["offline"],
            refresh=refresh,
            abstract=a["abstract"],
            search=not no_search,
            unresolved=a["unresolved"],
            merge=a["merge"],
            annotate_existing=a["annotate_existing"],
        )
        _check_library_options(options, a["libraries"], output)
        if output is not None:  # before arXiv is asked anything
            check_output(output)
            _refuse_overwriting_notes(output, a["notes"])
        libs = [read_library(path, options.cache_dir) for path in a["libraries"]]
        _refuse_stdout_onto_library(output, libs)
        if options.merge:  # before asking arXiv anything
            check_appendable(libs[0].data.decode("utf-8"), libs[0].path)
        if a["cited"]:
            options = replace(options, cited=_cited_keys(a["cited"], quiet))
        texts = _read_notes(a["notes"], encoding)
        with _progress(enabled=not quiet) as on_request:
            result = export(texts, options, on_request, libs, None if quiet else _notice)
        _tell(result.report, quiet=quiet, verbose=verbose)
        if options.unresolved == "error" and not result.complete:
            raise Note2BibError(
                f"{result.report.unresolved} entries are unresolved and --unresolved=error "
                "was given; nothing was written"
            )
        _emit(result, output, libs[0] if options.merge else None, quiet)
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
        if ".bib" not in format_for(options.format).suffixes:
            raise UsageError(
                f"--merge appends BibTeX entries to a .bib library; it cannot be combined "
                f"with -f {options.format}"
            )
    elif output is not None and output.exists():
        for library in libraries:
            if Path(library).exists() and output.samefile(library):
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


def _cited_keys(document: str, quiet: bool) -> frozenset[str] | None:
    """The keys `document` cites; None when it cites everything (`\\nocite{*}`)."""
    citations, diagnostics = find_citations(document)
    if not quiet:
        for d in diagnostics:
            _say(str(d))
    keys = frozenset(c.key for c in citations)
    return None if "*" in keys else keys


def _refuse_overwriting_notes(output: Path, notes: Sequence[str]) -> None:
    if not output.exists():
        return
    # Folders expanded: `export vault -o vault/list.md` must not replace a note in the vault.
    for note in find_note_files([n for n in notes if n != "-"]):
        if Path(note).exists() and output.samefile(note):
            raise UsageError(f"-o {output} is one of the notes files; it would be overwritten")


def _emit(result: Export, output: Path | None, merged: Library | None, quiet: bool) -> None:
    if output is None:
        sys.stdout.write(result.text)
        sys.stdout.flush()
    elif merged is not None and output.exists() and output.samefile(merged.path):
        _merge_in_place(merged, result.text.encode("utf-8"), quiet)
    else:
        write_atomic(output, result.text)


def _merge_in_place(library: Library, new: bytes, quiet: bool) -> None:
    """Replace the library atomically, its previous version kept as FILE.bak."""
    if new == library.data:
        if not quiet:
            _say(f"note2bib: {library.path}: nothing to add; the file was not touched")
        return
    backup = backup_path(library.path)
    write_atomic(backup, library.data)
    write_atomic(library.path, new)
    if not quiet:
        _say(f"note2bib: {library.path} updated; its previous version is in {backup}")


def backup_path(path: str) -> str:
    """Where the library's previous version goes: `refs.bib` → `refs.bib.bak`."""
    return path + ".bak"


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
        # One line, as for a bad notes file: click's usage banner says nothing about this.
        raise UsageError(f"NOTE2BIB_ARXIV_API: {err}") from None
    return url


def _env_float(name: str, default: float) -> float:
    raw = _env(name, "")
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise UsageError(f"{name}={raw!r} is not a number of seconds") from None
    if value < 0:
        raise UsageError(f"{name}={raw!r} must not be negative")
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
    """Show how NOTES were read, with no network: each unit (the text about one paper) as
    file:line, its kind (section, file, item, row, paragraph, details, mention), its title
    and the arXiv ids it is about (- for a paper named by its title only)."""
    try:
        found = read_units(_read_notes(notes, encoding))
    except Note2BibError as err:
        _fail(err)
    for item in found:
        unit = item.unit
        ids = ", ".join(dict.fromkeys(str(m.id) for m in item.mentions)) or "-"
        click.echo(f"{unit.source}:{unit.line}\t{unit.kind}\t{unit.title}\t{ids}")
    count = len({m.id.base for item in found for m in item.mentions})
    _say(f"note2bib: {count} arXiv ids in {len(found)} units")


@main.command("dedupe")
@click.argument("libraries", nargs=-1, type=click.Path(dir_okay=False), metavar="[LIBRARY]...")
def dedupe_command(libraries: tuple[str, ...]) -> None:
    """List entries of LIBRARY that are the same paper under different keys, one group a line.

    Same arXiv id (in any field guise), same DOI, or same title and first author. Nothing is
    rewritten. Without LIBRARY, the library named in note2bib.toml.
    """
    try:
        paths = list(libraries) or _project_libraries()
        libs = [read_library(path) for path in paths]
    except Note2BibError as err:
        _fail(err)
    for d in (d for lib in libs for d in lib.diagnostics):
        _say(str(d))
    entries = [e for lib in libs for e in lib.entries]
    groups = find_duplicates(entries)
    for group in groups:
        members = ", ".join(f"{e.key} ({e.file}:{e.line})" for e in group.entries)
        click.echo(f"{members}: {group.how}")
    _say(
        f"note2bib: {len(groups)} groups of entries that are one paper, "
        f"among {len(entries)} entries"
    )


def _project_libraries() -> list[str]:
    found = find_project()
    paths = read_project(found).paths_of("library") if found else []
    if not paths:
        raise click.UsageError("Missing argument 'LIBRARY' (and no note2bib.toml names one).")
    return paths


@main.command("init")
def init_command() -> None:
    """Write a commented note2bib.toml starter file into the current folder."""
    try:
        path = write_starter(Path.cwd())
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
        found = find_project()
        project = read_project(found) if found else None
        document = document or (project.path_of("main") if project else None)
        if document is None:
            raise click.UsageError("Missing argument 'TEX' (and no main = … in note2bib.toml).")
        paths = list(libraries) or (project.paths_of("library") if project else [])
        note_files = list(notes) or (project.notes() if project and project.get("notes") else [])
        citations, diagnostics = find_citations(document)
        libs = [read_library(path) for path in paths]
        supplied = _keys_from_notes(note_files, libs, offline) if note_files else {}
    except Note2BibError as err:
        _fail(err)
    for d in [*diagnostics, *(d for lib in libs for d in lib.diagnostics)]:
        _say(str(d))
    have = {e.key for lib in libs for e in lib.entries}
    where = " or ".join(paths) or "the library (none given)"
    missing = [c for c in citations if c.key != "*" and c.key not in have]
    for c in missing:
        source = supplied.get(c.key)
        found_in = f"{source[0]} would supply it{source[1]}" if source else "no note supplies it"
        click.echo(f"{c.source}:{c.line}: {c.key} is cited but not in {where}; {found_in}")
    cited = {c.key for c in citations}
    never = [] if "*" in cited else [e for lib in libs for e in lib.entries if e.key not in cited]
    for e in never:
        click.echo(f"{e.file}:{e.line}: {e.key} is never cited (information)")
    from_notes = sum(c.key in supplied for c in missing)
    _say(
        f"note2bib: {len(cited)} keys cited, {len(missing)} missing ({from_notes} in the "
        f"notes), {len(never)} library entries never cited"
    )
    sys.exit(EXIT_FATAL if missing else EXIT_OK)


def _keys_from_notes(
    paths: Sequence[str], libs: Sequence[Library], offline: bool
) -> dict[str, tuple[str, str]]:
    """The key each paper of the notes would have against `libs` → its note (file:line) and
    ` (arXiv id)`."""
    options = ExportOptions(
        cache_dir=default_cache_dir(),
        api_url=_api_url(),
        delay=_env_float("NOTE2BIB_ARXIV_DELAY", 3.0),
        offline=offline,
    )
    result = export(_read_notes(paths), options, None, libs, _notice)
    out: dict[str, tuple[str, str]] = {}
    for record in result.records:
        s = record.units[0]
        label = f" ({record.arxiv_id})" if record.arxiv_id else ""
        out[record.key] = (f"{s.source}:{s.line}", label)
    return out
