"""note2bib: Markdown reading notes to a bibliography with arXiv metadata and the notes attached."""

__version__ = "0.1.0"
"""The one place the version is written: pyproject.toml reads it (setuptools' dynamic
version), so the installed metadata, `--version` and the User-Agent agree, and start-up
needs no `importlib.metadata` (40 ms of a 150 ms budget)."""
