"""The user's existing library (`.bib` or CSL-JSON `.json`): where it is read, as entries.

A library entry keeps what matching and merging need: its key, where it is (file, 1-based line,
the exact byte span of its block), and its fields as written — `@string` macros and `#`
concatenations resolved, `crossref` parents' fields inherited, LaTeX *not* decoded (matching
decodes the few values it compares).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from note2bib.errors import InputError
from note2bib.files import binary_kind, decode_utf8
from note2bib.library_bib import parse_bib
from note2bib.library_csl import parse_csl_json
from note2bib.model import Diagnostic, LibraryEntry


@dataclass(frozen=True)
class Library:
    """One library file: its bytes as read, its entries, and what was odd about it."""

    path: str
    data: bytes
    entries: tuple[LibraryEntry, ...]
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    kind: str = "bibtex"
    """`bibtex` or `csl-json`."""

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(e.key for e in self.entries)


def read_library(path: str) -> Library:
    """Read a `.bib` or CSL-JSON `.json` library; a file that cannot be read is one sentence."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such library file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a library file") from None
    except OSError as err:
        raise InputError(f"{path}: cannot be read ({err.strerror or err})") from None
    kind = binary_kind(data)
    if kind is not None:
        raise InputError(f"{path}: is {kind}, not a library")
    # Libraries are read as UTF-8 only: they are rewritten byte for byte, never re-encoded.
    text = decode_utf8(data, path, "convert it (iconv -f ITS-ENCODING -t UTF-8)")
    if Path(path).suffix.lower() == ".json":
        entries, diagnostics = parse_csl_json(text, path)
        return Library(path, data, tuple(entries), tuple(diagnostics), kind="csl-json")
    entries, diagnostics = parse_bib(text, path)
    return Library(path, data, tuple(entries), tuple(diagnostics))


def all_keys(libraries: Sequence[Library]) -> frozenset[str]:
    """Every key of every library: a new key must equal none of them (case-insensitively)."""
    return frozenset(k for lib in libraries for k in lib.keys)
