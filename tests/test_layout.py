"""The layers of docs/layout.md, checked on the source: which module may import which.

A newcomer (or a merge) that makes `cli.py` reach past the application layer, or a leaf
import a step, breaks the shape the docs promise; these tests say where.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src" / "note2bib"

PACKAGES = ("notes", "arxiv", "library", "formats")
LEAVES = frozenset(
    {
        "note2bib",
        "model",
        "errors",
        "files",
        "latex",
        "titles",
        "title_match",
        "names",
        "doi",
        "bibtex_syntax",
        "sqlite_store",
        "closing",
    }
)
# What every package may use of another: the id grammar and which ids a note names.
SHARED = frozenset({"arxiv.ids", "notes.mentions"})


def _name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or "note2bib"


def _module_of(imported: str) -> str:
    """`note2bib.library.read` → `library.read`; a name imported from a package stays the
    package unless it is a module of it."""
    short = imported.removeprefix("note2bib").lstrip(".") or "note2bib"
    return short


def _runtime_imports(path: Path) -> set[str]:
    """The note2bib modules `path` imports when it runs (not under `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("note2bib"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                relative = candidate.removeprefix("note2bib.").replace(".", "/")
                is_module = (SRC / f"{relative}.py").exists() or (SRC / relative).is_dir()
                found.add(_module_of(candidate if is_module else node.module))
        elif isinstance(node, ast.Import):
            found.update(_module_of(a.name) for a in node.names if a.name.startswith("note2bib"))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


MODULES = {
    _name(p): _runtime_imports(p) for p in sorted(SRC.rglob("*.py")) if _name(p) != "__main__"
}


def _layer(module: str) -> int:
    if module == "cli":
        return 0
    if module == "app":
        return 1
    if module == "pipeline":
        return 2
    if module in LEAVES:
        return 4
    return 3


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    upward = [m for m in MODULES[module] if _layer(m) < _layer(module)]
    assert not upward, f"{module} imports {upward}, which sit above it (docs/layout.md)"


def test_the_command_line_reaches_only_the_application_layer() -> None:
    assert MODULES["cli"] <= {"note2bib", "app", "errors"}


def test_the_command_line_opens_no_file_and_turns_errors_into_messages_once() -> None:
    text = (SRC / "cli.py").read_text(encoding="utf-8")
    for call in ("open(", "os.replace", "sqlite3", "bibtexparser", "write_atomic"):
        assert call not in text, f"cli.py calls {call}: that belongs in app.py"
    assert text.count("except Note2BibError") == 1


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.split(".")[0] in PACKAGES))
def test_a_package_uses_another_only_through_the_shared_vocabulary(module: str) -> None:
    own = module.split(".")[0]
    foreign = [
        m
        for m in MODULES[module]
        if m.split(".")[0] in PACKAGES and m.split(".")[0] != own and m not in SHARED
    ]
    assert not foreign, f"{module} reaches into {foreign} (docs/layout.md, rule 4)"


@pytest.mark.parametrize("module", sorted(LEAVES & MODULES.keys()))
def test_leaves_import_only_leaves(module: str) -> None:
    assert MODULES[module] <= LEAVES, f"{module} imports {MODULES[module] - LEAVES}"
