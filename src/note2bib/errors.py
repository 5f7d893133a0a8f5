"""Errors that reach the user as one sentence and an exit code, never as a traceback."""

from __future__ import annotations


class Note2BibError(Exception):
    """A failure the user can act on; `str()` is the whole message."""

    exit_code = 1


class UsageError(Note2BibError):
    """The command line or configuration asks for something impossible."""

    exit_code = 2


class MissingArgument(UsageError):
    """A command's argument is missing and no note2bib.toml gives it; told as click tells its
    own usage errors, under the command's usage line."""


class InputError(Note2BibError):
    """A notes file or library cannot be read; the message names the file (and line)."""


class BinaryFileError(InputError):
    """A file that should hold text is an image, an archive or other binary data."""


class OutputError(Note2BibError):
    """The result could not be written; whatever was there before is untouched."""


class Incomplete(Note2BibError):
    """Something the user asked for is missing (`--unresolved error`); nothing was written."""

    exit_code = 3


class ArxivUnavailable(Note2BibError):
    """arXiv (or the configured mirror) could not be asked or gave no usable answer."""
