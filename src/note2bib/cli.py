"""Command line: options → pipeline; errors → one sentence on stderr and an exit code."""

from __future__ import annotations

import click

from note2bib import __version__


@click.group()
@click.version_option(__version__, prog_name="note2bib")
def main() -> None:
    """Turn Markdown reading notes into a bibliography."""
