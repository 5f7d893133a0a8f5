"""note2bib: Markdown reading notes to a bibliography with arXiv metadata and the notes attached."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("note2bib")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
