from note2bib.cli import main

main()
