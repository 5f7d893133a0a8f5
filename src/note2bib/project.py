"""Project mode: a `note2bib.toml` in the current directory or any parent names the notes, the
library, the format and options, so that `note2bib export` needs no arguments there.

Paths in the file are relative to the file. Options given on the command line win. Notes
named on the command line make a one-off run: only the settings of `ONE_OFF` still apply.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NamedTuple

from note2bib.errors import OutputError, UsageError

CONFIG_NAME = "note2bib.toml"

# key → (type, meaning); the README's table and `init`'s template say the same.
KEYS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "notes": ((str, list), "Markdown notes: files or glob patterns"),
    "library": ((str, list), "the existing library (.bib or CSL-JSON .json); one or a list"),
    "format": (str, "output format"),
    "output": (str, "where export writes (default: stdout)"),
    "merge": (bool, "append new papers to the (first) library"),
    "annotate-existing": (bool, "with merge: add notes to entries the library already has"),
    "main": (str, "the LaTeX document (.tex or .aux) that check reads"),
    "cited": (bool, "export only the papers `main` cites"),
    "unresolved": (str, "keep | skip | error"),
    "abstract": (bool, "include arXiv's abstract"),
    "offline": (bool, "use only the cache"),
    "cache-dir": (str, "where the cache lives"),
}

CHOICES = {"unresolved": ("keep", "skip", "error")}

ONE_OFF = ("format", "unresolved", "abstract", "offline", "cache-dir")
"""What still applies when `export` is given NOTES: how entries look and where the cache is.
Such a run is a one-off over other notes: what the project reads and writes (its notes,
library, output, merge, annotate-existing, main and cited) is left alone, and the
bibliography goes to stdout unless -o says otherwise."""

INIT_TEMPLATE = """\
# note2bib project file. `note2bib export` (and `check`) run in this folder or any folder
# below it read this file. Paths are relative to this file. Options given on the command
# line override what is written here. `note2bib export some-notes.md` (notes named on the
# command line) is a one-off run: only format, unresolved, abstract, offline and cache-dir
# apply; it writes to stdout and never merges.

# Your Markdown reading notes: files or glob patterns.
notes = ["notes/*.md"]

# Your existing library. Papers already in it are not exported again and keep its keys.
# One file or a list (the first is the one --merge writes to).
# library = "refs.bib"

# Output format (bibtex, ...).
# format = "bibtex"

# Where `note2bib export` writes; without it, the bibliography goes to stdout.
# output = "refs.bib"

# With merge = true, export writes the whole library with the new papers appended
# (set output to the library itself to update it in place; a backup goes to refs.bib.bak).
# merge = false
# annotate-existing = false   # with merge: add your notes to entries already there

# The LaTeX document `note2bib check` reads; with cited = true, export writes only the
# papers it cites.
# main = "main.tex"
# cited = false

# unresolved = "keep"         # notes that name no arXiv paper: keep | skip | error
# abstract = false
# offline = false
"""


# Named tuples, as app.py's requests: read once a run, and a frozen dataclass would cost
# about 0.8 ms of start-up each (every run looks for a note2bib.toml).
class Options(NamedTuple):
    """The settings that stand for command-line options, typed: None (or empty) where the file
    says nothing; paths usable from cwd."""

    notes: tuple[str, ...] | None = None
    """Files or glob patterns, as written (`Project.notes` expands them)."""
    library: tuple[str, ...] = ()
    format: str | None = None
    output: str | None = None
    merge: bool | None = None
    annotate_existing: bool | None = None
    main: str | None = None
    cited: bool = False
    unresolved: str | None = None
    abstract: bool | None = None
    offline: bool | None = None
    cache_dir: str | None = None


class Project(NamedTuple):
    """A `note2bib.toml`, read: its location and its settings, paths made usable from cwd."""

    path: Path
    settings: dict[str, Any]
    """As the file has them (checked by `read_project`)."""

    @property
    def folder(self) -> Path:
        return self.path.parent

    def get(self, key: str) -> Any:
        return self.settings.get(key)

    @property
    def options(self) -> Options:
        s = self.settings
        notes = s.get("notes")
        return Options(
            notes=None if notes is None else tuple(_listed(notes)),
            library=tuple(self.paths_of("library")),
            format=s.get("format"),
            output=self.path_of("output"),
            merge=s.get("merge"),
            annotate_existing=s.get("annotate-existing"),
            main=self.path_of("main"),
            cited=bool(s.get("cited")),
            unresolved=s.get("unresolved"),
            abstract=s.get("abstract"),
            offline=s.get("offline"),
            cache_dir=self.path_of("cache-dir"),
        )

    def export_options(self, notes_given: bool) -> Options:
        """The settings `export` takes from the file: all of them, or those of `ONE_OFF`
        when notes are named on the command line."""
        options = self.options
        if not notes_given:
            return options
        kept = {key.replace("-", "_") for key in ONE_OFF}
        return Options(**{name: getattr(options, name) for name in kept})

    def describe(self, notes_given: bool) -> str:
        """Which settings a run takes from the file, for `export -v`."""
        if not notes_given:
            return f"settings from {self.path}"
        return f"notes named on the command line: only {', '.join(ONE_OFF)} from {self.path}"

    def path_of(self, key: str) -> str | None:
        """A single path setting, relative to the file, as a path usable from cwd."""
        value = self.settings.get(key)
        return None if value is None else _shown(self.folder / str(value))

    def paths_of(self, key: str) -> list[str]:
        """A path-or-list setting (`library`), each made usable from cwd."""
        return [_shown(self.folder / str(v)) for v in _listed(self.settings.get(key))]

    def notes(self) -> list[str]:
        """The notes files: each pattern expanded (sorted); a pattern matching nothing is an
        error naming it."""
        import glob  # only for a project that names its notes

        found: list[str] = []
        for pattern in _listed(self.settings.get("notes")):
            full = str(self.folder / str(pattern))
            matches = sorted(glob.glob(full, recursive=True)) if glob.has_magic(full) else [full]
            if not matches or not all(os.path.exists(m) for m in matches):
                raise UsageError(f"{self.path}: notes pattern {pattern!r} matches no file")
            found += [_shown(Path(m)) for m in matches if _shown(Path(m)) not in found]
        return found

    def cited_document(self) -> str:
        """`main`, for `cited = true`: an error naming the file when it is not set."""
        main_file = self.path_of("main")
        if main_file is None:
            raise UsageError(f'{self.path}: cited = true needs main = "your-document.tex"')
        return main_file


def _listed(value: Any) -> list[Any]:
    """A one-or-a-list setting as a list."""
    return [value] if isinstance(value, str) else list(value or [])


def _shown(path: Path) -> str:
    """A path as messages show it: relative to cwd (`../refs.bib`), as git shows paths."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)


def find_project(start: Path | None = None) -> Path | None:
    """The nearest `note2bib.toml` in `start` (default cwd) or any parent, like git's `.git`."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def read_project(path: Path) -> Project:
    """Read and check a `note2bib.toml`: unknown keys and wrong types are errors naming them."""
    import tomllib  # only when there is a file to read

    try:
        with path.open("rb") as f:
            settings = tomllib.load(f)
    except tomllib.TOMLDecodeError as err:
        raise UsageError(f"{path}: not valid TOML ({err})") from None
    except OSError as err:
        raise UsageError(f"{path}: cannot be read ({err.strerror or err})") from None
    for key, value in settings.items():
        if key not in KEYS:
            known = ", ".join(KEYS)
            raise UsageError(f"{path}: unknown key {key!r} (known keys: {known})")
        kind, _ = KEYS[key]
        if not isinstance(value, kind) or (
            isinstance(value, list) and not all(isinstance(v, str) for v in value)
        ):
            raise UsageError(f"{path}: {key} = {value!r} is not {_describe(kind)}")
        if key in CHOICES and value not in CHOICES[key]:
            raise UsageError(f"{path}: {key} = {value!r} is not one of {', '.join(CHOICES[key])}")
    return Project(path, settings)


def _describe(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", list: "a list of strings", bool: "true or false"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names[k] for k in kinds)


def write_starter(folder: Path) -> Path:
    """Write a commented `note2bib.toml` into `folder`; never over an existing one."""
    target = folder / CONFIG_NAME
    try:
        with target.open("x", encoding="utf-8") as f:
            f.write(INIT_TEMPLATE)
    except FileExistsError:
        raise OutputError(f"{target} already exists; not overwritten") from None
    return target
