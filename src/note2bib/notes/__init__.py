"""Reading notes: files and folders, front matter, Markdown structure, the links in a note."""
