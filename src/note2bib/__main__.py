from note2bib.cli import run

run()
