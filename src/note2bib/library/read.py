"""The user's existing library (`.bib` or CSL-JSON `.json`): where it is read, as entries.

A library entry keeps what matching and merging need: its key, where it is (file, 1-based line,
the exact byte span of its block), and its fields as written — `@string` macros and `#`
concatenations resolved, `crossref` parents' fields inherited, LaTeX *not* decoded (matching
decodes the few values it compares).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from pathlib import Path

from note2bib.errors import InputError
from note2bib.files import binary_kind, decode_utf8
from note2bib.library import stored
from note2bib.library.bib import parse_bib
from note2bib.library.csl import parse_csl_json
from note2bib.library.identity import Lookup, entry_keys
from note2bib.library.lazy import LazyEntries
from note2bib.library.provenance import Found, NoteIndex, find_markers
from note2bib.model import Diagnostic, LibraryEntry


@dataclass(frozen=True)
class Library:
    """One library file: its bytes as read, its entries, and what was odd about it."""

    path: str
    data: bytes
    entries: Sequence[LibraryEntry]
    """Read from the library index lazily when it had this file (see `library.stored`)."""
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    kind: str = "bibtex"
    """`bibtex` or `csl-json`."""
    indexed_lookup: Lookup | None = None
    """The entries by key, arXiv id, DOI and rough title, when the library index gave them."""

    @cached_property
    def lookup(self) -> Lookup:
        """The entries by what they are searched with."""
        if self.indexed_lookup is not None:
            return self.indexed_lookup
        return Lookup.of(entry_keys(e) for e in self.entries)

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(self.lookup.keys)

    @cached_property
    def markers(self) -> dict[int, Found]:
        """The `% note2bib:` lines of a .bib library, by the byte offset of their entry."""
        return find_markers(self.data) if self.kind == "bibtex" else {}

    @cached_property
    def notes_index(self) -> NoteIndex:
        """The entries note2bib put notes in, by the notes' identities."""
        return NoteIndex.of(self.markers.values())


def read_library(path: str, index_dir: Path | None = None) -> Library:
    """Read a `.bib` or CSL-JSON `.json` library; a file that cannot be read is one sentence.

    With `index_dir` (the cache directory), an unchanged library comes from its index there,
    and a parsed one is indexed for the next run.
    """
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such library file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a library file") from None
    except OSError as err:
        raise InputError(f"{path}: cannot be read ({err.strerror or err})") from None
    return library_from(path, data, index_dir)


def library_from(path: str, data: bytes, index_dir: Path | None = None) -> Library:
    """The library at `path` from `data`, its bytes as just read (see `read_library`)."""
    binary = binary_kind(data)
    if binary is not None:
        raise InputError(f"{path}: is {binary}, not a library")
    kind = "csl-json" if Path(path).suffix.lower() == ".json" else "bibtex"
    if index_dir is not None:
        found = stored.load(
            index_dir, path, data, kind, lambda: parse_library(path, data, kind).entries
        )
        if found is not None:
            return Library(path, data, found.entries, found.diagnostics, kind, found.lookup)
    library = parse_library(path, data, kind)
    if index_dir is not None:
        stored.save(
            index_dir,
            path,
            data,
            kind,
            library.entries,
            library.lookup,
            library.diagnostics,
        )
    return library


def parse_library(path: str, data: bytes, kind: str) -> Library:
    """A library's bytes, parsed (`kind` is `bibtex` or `csl-json`)."""
    # Libraries are read as UTF-8 only: they are rewritten byte for byte, never re-encoded.
    text = decode_utf8(data, path, "convert it (iconv -f ITS-ENCODING -t UTF-8)")
    if kind == "csl-json":
        entries, diagnostics = parse_csl_json(text, path)
        return Library(path, data, tuple(entries), tuple(diagnostics), kind="csl-json")
    entries, diagnostics = parse_bib(text, path)
    return Library(path, data, tuple(entries), tuple(diagnostics))


def all_keys(libraries: Sequence[Library]) -> frozenset[str]:
    """Every key of every library: a new key must equal none of them (case-insensitively)."""
    return frozenset(k for lib in libraries for k in lib.keys)


def entries_of(libraries: Sequence[Library]) -> Sequence[LibraryEntry]:
    """The entries of all `libraries` in order, without reading any stored entry yet."""
    if len(libraries) == 1:
        return libraries[0].entries
    return _Chained([lib.entries for lib in libraries])


def lookup_of(libraries: Sequence[Library]) -> Lookup:
    """The lookup of all `libraries`, entries numbered as `entries_of` does."""
    return Lookup.joined([lib.lookup for lib in libraries])


class _Chained(LazyEntries):
    """Several entry sequences as one, each item taken from its own sequence when asked."""

    def __init__(self, parts: list[Sequence[LibraryEntry]]) -> None:
        self._parts = parts

    def __len__(self) -> int:
        return sum(len(p) for p in self._parts)

    def __iter__(self) -> Iterator[LibraryEntry]:
        return chain.from_iterable(self._parts)

    def _entry(self, n: int) -> LibraryEntry:
        for part in self._parts:
            if n < len(part):
                return part[n]
            n -= len(part)
        raise IndexError(n)  # unreachable: `LazyEntries` checked the bounds
