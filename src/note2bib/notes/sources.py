"""Where notes come from: files, folders of them (a vault), stdin; front matter; plain text.

The only module that imports PyYAML (and tomllib), each only for a file with front matter.
`find_note_files` and `read_sources` touch the disk; `parse_source` and `parse_front_matter`
are pure.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from note2bib.arxiv.ids import find_arxiv_ids, parse_arxiv_id
from note2bib.doi import without_doi_prefix
from note2bib.errors import BinaryFileError, InputError
from note2bib.files import STDIN, display_name, read_text, special_kind
from note2bib.model import Diagnostic, FrontMatter, Mention, Unit
from note2bib.notes.markdown import FrontKind, FrontMatterText, parse_document
from note2bib.notes.units import find_units

NOTE_SUFFIXES = (".md", ".markdown", ".txt")
PLAIN_TEXT_SUFFIXES = (".txt",)

_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.", re.IGNORECASE)
_TAG_SEPARATORS = re.compile(r"[,\s]+")
# Keys that hold the paper's own page (`url:`, `source:`, `paper_url:`, `permalink:`…): an
# arXiv link there names the paper of the file.
_URL_KEY = re.compile(r"url|source|link|href|pdf|paper|arxiv")
_LOGSEQ_PROPERTY = re.compile(r"([A-Za-z][\w\-]*)::[ \t]*(.*)$")


@dataclass(frozen=True)
class NotesText:
    """One notes source as read: its display name and its decoded text."""

    source: str
    text: str
    diagnostics: tuple[Diagnostic, ...] = ()
    """What reading it found odd (NUL bytes dropped; a binary file in a folder skipped)."""


def find_note_files(paths: Sequence[str]) -> list[str]:
    """The notes to read, in order: each file as given, each folder's notes files below it."""
    return [path for path, _ in _note_files(paths)]


def _note_files(paths: Sequence[str]) -> list[tuple[str, bool]]:
    """Each notes file to read, and whether it was found in a folder (not named)."""
    found: list[tuple[str, bool]] = []
    for path in paths:
        if path != STDIN and Path(path).is_dir():
            files = _walk(Path(path))
            if not files:
                raise InputError(f"{path}: no .md, .markdown or .txt files in this folder")
            found += [(str(f), True) for f in files]
        else:
            found.append((path, False))
    return found


def _walk(root: Path) -> list[Path]:
    """Notes files below `root`, sorted by path; hidden entries skipped; links followed once."""
    seen: set[tuple[int, int]] = set()
    files: list[Path] = []

    def visit(directory: Path) -> None:
        try:
            status = directory.stat()
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as err:
            raise InputError(f"{directory}: cannot be read ({err.strerror or err})") from None
        key = (status.st_dev, status.st_ino)
        if key in seen:  # a symlink back up the tree, or a second link to one folder
            return
        seen.add(key)
        for entry in entries:
            if entry.name.startswith("."):  # .git, .obsidian, .trash, editor files
                continue
            try:
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.is_file()
            except OSError:  # a link to itself or in a ring (ELOOP): it leads to nothing
                continue
            if is_dir:
                visit(Path(entry.path))
            elif entry.name.lower().endswith(NOTE_SUFFIXES) and not is_file:
                # A FIFO or a device (a link to /dev/zero): `read_sources` says it skips it.
                if special_kind(entry.path) is not None:
                    files.append(Path(entry.path))
            elif is_file and entry.name.lower().endswith(NOTE_SUFFIXES):
                file_key = (entry.stat().st_dev, entry.stat().st_ino)
                if file_key not in seen:
                    seen.add(file_key)
                    files.append(Path(entry.path))

    visit(root)
    return files


def read_sources(paths: Sequence[str], encoding: str | None = None) -> list[NotesText]:
    """Every notes file the paths name (folders expanded, `-` for stdin), decoded.

    A binary file or a device named on the command line is an error; one in a folder (an
    attachment with a notes suffix, a link to a device) is skipped with a warning, so it does
    not stop the whole vault. A FIFO named on the command line (`<(…)`) is read as a stream;
    one in a folder is skipped (nobody may ever write to it).
    """
    out = []
    for path, in_folder in _note_files(paths):
        name = display_name(path)
        kind = special_kind(path) if in_folder else None
        if kind is not None:
            warning = Diagnostic(f"{name}: is {kind}, not a notes file; skipped", None)
            out.append(NotesText(name, "", (warning,)))
            continue
        try:
            text = read_text(path, encoding=encoding)
        except BinaryFileError as err:
            if not in_folder:
                raise
            out.append(NotesText(name, "", (Diagnostic(f"{err}; skipped", None),)))
            continue
        out.append(_without_nul(NotesText(name, text)))
    return out


def _without_nul(notes: NotesText) -> NotesText:
    """The notes with NUL bytes dropped (and a warning saying where the first was).

    A NUL is not text: markdown-it would turn it into U+FFFD, LaTeX prints font slot 0 and
    RIS readers written in C stop at it. UTF-8 notes with a few (an editor or a crash
    padded the file) are otherwise text worth reading.
    """
    first = notes.text.find("\0")
    if first < 0:
        return notes
    count = notes.text.count("\0")
    line = notes.text.count("\n", 0, first) + 1
    offset = len(notes.text[:first].encode("utf-8"))
    warning = Diagnostic(
        f"{count} NUL byte{'s' if count > 1 else ''} left out of the notes "
        f"(the first at byte offset {offset})",
        notes.source,
        line,
    )
    return NotesText(notes.source, notes.text.replace("\0", ""), (warning,))


def parse_source(notes: NotesText) -> tuple[list[Unit], list[Diagnostic]]:
    """A source's units, with what its front matter says attached to each."""
    plain = notes.source.lower().endswith(PLAIN_TEXT_SUFFIXES)
    with _collector_paused():
        document = parse_document(notes.text)
        front: FrontMatter | None = None
        diagnostics: list[Diagnostic] = []
        if document.front is not None:
            front, diagnostics = read_front_matter(document.front, notes.source)
        reading = find_units(document, notes.source, front, paragraphs=plain)
    return reading.units, [*diagnostics, *reading.diagnostics]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while one file is read: reading builds a tree of every
    block (and markdown-it's tokens) that only grows, and the collector's repeated passes
    over it took 40% of the time on a long reading list. Reading makes next to no cycles, and
    the collector runs again as soon as the file is read."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_front_matter(found: FrontMatterText, source: str) -> tuple[FrontMatter, list[Diagnostic]]:
    """The keys note2bib reads from a file's front matter, whatever its kind."""
    return parse_front_matter(found.text, source, found.first_line - 1, found.kind)


def parse_front_matter(
    text: str, source: str, first_line: int, kind: FrontKind = "yaml"
) -> tuple[FrontMatter, list[Diagnostic]]:
    """The keys note2bib reads from front matter (`first_line`: that of the `---`/`+++`).

    YAML scalars are read as written (BaseLoader): `arxiv: 2302.10000` stays that id, never
    the number 2302.1. Front matter that does not parse (Logseq writes `authors: [[A]],
    [[B]]`) is a warning naming its line; the file is still read as notes.
    """
    data, problem = _load(text, kind, source, first_line)
    if problem is not None:
        return FrontMatter(line=first_line), [problem]
    if not isinstance(data, dict):
        return FrontMatter(line=first_line), []
    values = {str(k).strip().lower(): v for k, v in data.items()}
    lines = text.split("\n")
    diagnostics: list[Diagnostic] = []
    first_key = first_line if kind == "logseq" else first_line + 1

    def line_of(value: str) -> int:
        index = next((i for i, row in enumerate(lines) if value in row), 0)
        return first_key + index

    mentions: list[Mention] = []
    for written in _strings(values.get("arxiv", values.get("eprint"))):
        try:
            arxiv_id = parse_arxiv_id(written)
        except ValueError as err:
            diagnostics.append(Diagnostic(f"front matter arxiv: {err}", source, line_of(written)))
            continue
        mentions.append(Mention(arxiv_id, source, line_of(written), written))
    doi = None
    for written in _strings(values.get("doi")):
        bare = without_doi_prefix(written.strip())
        if _ARXIV_DOI.match(bare):
            try:
                mentions.append(Mention(parse_arxiv_id(bare), source, line_of(written), written))
            except ValueError as err:
                diagnostics.append(Diagnostic(f"front matter doi: {err}", source, line_of(written)))
        elif doi is None:
            doi = bare
    for key in (k for k in values if _URL_KEY.search(k) and k not in ("arxiv", "eprint")):
        for written in _strings(values.get(key)):
            if "://" not in written and not written.lower().startswith("arxiv.org"):
                continue
            for match in find_arxiv_ids(written)[:1]:
                mentions.append(Mention(match.id, source, line_of(written), written))
    titles = _strings(values.get("title"))
    written_tags = values.get("tags", values.get("tag"))
    # A YAML list item is one tag (`[machine learning, NLP]`); a plain string is tags
    # separated by commas or spaces (`a, b`, `#a #b`), as Obsidian reads it.
    tags = [
        t.lstrip("#").strip()
        for v in _strings(written_tags)
        for t in ([v] if isinstance(written_tags, list) else _TAG_SEPARATORS.split(v))
    ]
    authors = _strings(values.get("authors", values.get("author")))
    years = [int(y) for y in _strings(values.get("year")) if re.fullmatch(r"(?:19|20)\d{2}", y)]
    front = FrontMatter(
        line=first_line,
        # "@A ConvNet for the 2020s": Zotero's export to Logseq marks a paper's page with an @.
        title=" ".join(titles[0].split()).removeprefix("@").strip() or None if titles else None,
        arxiv=tuple(dict.fromkeys(mentions)),
        doi=doi,
        tags=tuple(dict.fromkeys(t for t in tags if t)),
        authors=tuple(authors),
        year=years[0] if years else None,
    )
    return front, diagnostics


def _load(
    text: str, kind: FrontKind, source: str, first_line: int
) -> tuple[Any, Diagnostic | None]:
    """The front matter's values (strings, lists, mappings), or why they could not be read."""
    if kind == "logseq":
        found = (_LOGSEQ_PROPERTY.match(line) for line in text.split("\n"))
        return {m.group(1): m.group(2).strip() for m in found if m}, None
    if kind == "toml":
        import tomllib  # loaded only for a file that has TOML front matter

        try:
            return _as_strings(tomllib.loads(text)), None
        except tomllib.TOMLDecodeError as err:
            line = first_line + 1 + (getattr(err, "lineno", 1) or 1) - 1
            return None, _unreadable(source, line, "TOML", str(err).split(" (at")[0])
    import yaml  # loaded only for a file that has YAML front matter

    try:
        return yaml.load(text, Loader=yaml.BaseLoader), None  # BaseLoader builds no objects
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = first_line + 1 + (mark.line if mark is not None else 0)
        return None, _unreadable(source, line, "YAML", getattr(err, "problem", None))


def _unreadable(source: str, line: int, language: str, problem: str | None) -> Diagnostic:
    why = f" ({problem})" if problem else ""
    return Diagnostic(
        f"the front matter is not valid {language}{why}; its keys are not read, the rest of "
        "the file is read as notes",
        source,
        line,
    )


def _as_strings(value: Any) -> Any:
    """TOML's typed values as YAML's BaseLoader gives them: every scalar a string."""
    if isinstance(value, dict):
        return {k: _as_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_strings(v) for v in value]
    return value if isinstance(value, str) else str(value)


def _strings(value: Any) -> list[str]:
    """A front-matter value as a list of non-empty strings (one value or a list of them)."""
    items = value if isinstance(value, list) else [value]
    return [item.strip() for item in items if isinstance(item, str) and item.strip()]
