"""The package's layout: imports run one way, cli -> pipeline -> stages -> records.

Read from the source (``ast``), so a deferred import inside a function counts
like one at the top: hiding a cycle in a function does not pass. The table
below is the one in ``docs/architecture.md``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "forensics"

# Each unit and the units it may import (besides itself). A unit is a subpackage
# or a top-level module; anything not listed may import nothing of the package.
ALLOWED: dict[str, set[str]] = {
    "version": set(),
    "errors": set(),
    "records": {"errors"},
    "knowledge": {"records"},
    "geo": {"knowledge", "records"},
    "read": {"records", "knowledge", "errors"},
    "pixels": {"read", "records", "errors"},
    "refs": {"read", "records", "errors"},
    "sensor": {"read", "records", "errors"},
    "documents": {"read", "records", "errors"},
    "sets": {"geo", "refs", "read", "knowledge", "records", "sensor"},
    "case": {"sets", "geo", "refs", "knowledge", "records", "errors"},
    "checks": {"case", "sets", "refs", "geo", "read", "knowledge", "records", "sensor"},
    "report": {"case", "sets", "refs", "records", "version"},
    "render": {"report", "pixels", "sets", "refs", "case", "read", "records", "version"},
    "pipeline": {"case", "checks", "sets", "refs", "pixels", "read", "records", "report", "errors", "sensor", "documents"},
    "cli": {"pipeline", "render", "report", "refs", "read", "records", "errors", "version"},
    "__main__": {"cli"},
    "__init__": {"pipeline", "report", "refs", "read", "records", "errors", "version", "sensor"},
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(["forensics", *parts])] = path
    return out


MODULES = _modules()


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(module: str, path: Path, *, typing_only: bool = True) -> set[str]:
    """The package's modules that ``module`` imports, anywhere in its source.

    With ``typing_only=False``, imports under ``if TYPE_CHECKING:`` (annotations,
    never run) are left out.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    skip: set[int] = set()
    if not typing_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skip.update(id(n) for child in node.body for n in ast.walk(child))
    out = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("forensics"):
                continue
            for alias in node.names:  # `from forensics.read import exif` imports a module
                sub = f"{target}.{alias.name}"
                out.add(sub if sub in MODULES else target)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("forensics"))
    out.discard(module)
    return {m for m in out if m in MODULES}


GRAPH = {m: _imports(m, p) for m, p in MODULES.items()}
RUNTIME = {m: _imports(m, p, typing_only=False) for m, p in MODULES.items()}


def test_every_unit_is_in_the_table():
    assert {_unit(m) for m in MODULES} <= set(ALLOWED), "a new subpackage or module needs its row in ALLOWED and docs/architecture.md"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_one_way(module):
    unit = _unit(module)
    wrong = sorted(t for t in GRAPH[module] if _unit(t) != unit and _unit(t) not in ALLOWED[unit])
    assert not wrong, f"{module} may not import {wrong} (allowed: {sorted(ALLOWED[unit])})"


def test_no_import_cycles():
    """No cycle among modules, counting imports made inside functions (not those for annotations only)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in sorted(RUNTIME[m]):
            if _skippable(m, t):
                continue
            if state.get(t) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*stack[stack.index(t) :], t]))
            if t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(RUNTIME):
        if m not in state:
            visit(m)


def _skippable(module: str, target: str) -> bool:
    # A package's __init__ re-exporting its own modules is not a cycle with them.
    return module == "forensics" or (target.startswith(module + ".") and MODULES[module].name == "__init__.py")


@pytest.mark.parametrize("package", sorted(m for m, p in MODULES.items() if p.name == "__init__.py" and m != "forensics"))
def test_each_stage_says_what_it_holds_and_may_import(package):
    doc = ast.get_docstring(ast.parse(MODULES[package].read_text(encoding="utf-8"))) or ""
    assert doc, f"{package} has no docstring"
    if _unit(package) in ("cli", "render", "knowledge"):
        return  # these say what they hold; their imports are the table's
    assert "May import" in doc, f"{package}'s docstring does not say what it may import"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_an_import_inside_a_function_says_why(module):
    """Imports of the package's own modules belong at the top; one kept inside a function
    (a heavy library loaded on first use, not on ``import forensics``) carries its reason."""
    path = MODULES[module]
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    top = {id(n) for n in tree.body}
    for node in tree.body:  # `if TYPE_CHECKING:` blocks at the top are annotations, not deferrals
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            top.update(id(n) for n in ast.walk(node))
    silent = [
        f"line {node.lineno}: {lines[node.lineno - 1].strip()}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and id(node) not in top and (node.module or "").startswith("forensics")
        and "#" not in lines[node.end_lineno - 1]
    ]  # fmt: skip
    assert not silent, f"{module}: imports inside functions without a reason: {silent}"
