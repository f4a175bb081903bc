"""The package layout shows the path data takes, and nothing imports against it.

Every ``import innometrics...`` statement is read with :mod:`ast`, at module level and
inside functions alike, so a deferred import cannot hide a circle or a layering breach.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "innometrics"

#: Stages of a record's path, lowest first: a stage may import only stages before it.
RECORD_PATH = ("records", "entities", "rankings", "views")
FORBIDDEN = {
    "records": {"entities", "rankings", "views", "composite", "panel", "report", "cli"},
    "entities": {"rankings", "views", "composite", "panel", "report", "cli"},
    "rankings": {"views", "composite", "panel", "report", "cli"},
    "views": {"composite", "panel", "report", "cli"},
    "composite": {"records", "entities", "rankings", "views", "report", "cli"},
    "panel": {"records", "entities", "rankings", "views", "report", "cli"},
    "io": {"records", "entities", "rankings", "views", "composite", "panel", "report", "cli"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_imports(path: Path) -> set[str]:
    """Modules of innometrics that ``path`` imports, wherever the import statement is."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("innometrics"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("innometrics"):
                continue
            # "from package import module" is an import of the module (as import-linter
            # counts it); "from module import name" an import of the module.
            modules = {f"{target}.{a.name}" for a in node.names if _exists(f"{target}.{a.name}")}
            found.update(modules if len(modules) == len(node.names) else modules | {target})
    return found


def _exists(module: str) -> bool:
    rel = Path(*module.split(".")[1:])
    return (PACKAGE / rel).with_suffix(".py").exists() or (PACKAGE / rel / "__init__.py").exists()


@lru_cache(maxsize=1)  # the tree does not change during a test run: parse it once
def import_graph() -> dict[str, set[str]]:
    graph = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        graph[module_name(path)] = {m for m in project_imports(path) if _exists(m)}
    return graph


def stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_every_stage_is_a_documented_package():
    for name in (*RECORD_PATH, "composite", "panel", "io", "report", "cli"):
        init = PACKAGE / name / "__init__.py"
        assert init.exists(), f"{name}/ has no __init__.py"
    for name in RECORD_PATH:
        doc = ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "import" in doc, f"{name}/__init__.py must say what it holds and may import"


@pytest.mark.parametrize("lower", sorted(FORBIDDEN))
def test_no_stage_imports_a_later_one(lower):
    breaches = [
        f"{mod} imports {dep}"
        for mod, deps in import_graph().items() if stage(mod) == lower
        for dep in deps if stage(dep) in FORBIDDEN[lower]
    ]
    assert not breaches, "\n".join(breaches)


def test_no_import_circles():
    graph = import_graph()
    # Every edge counts, including imports inside functions; only a module naming itself
    # (a package __init__ importing its submodules "from" itself) is not an edge.
    edges = {m: deps - {m} for m, deps in graph.items()}
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(edges.get(node, ())):
            if state.get(dep) == 1:
                cycles.append(" -> ".join(stack[stack.index(dep):] + [dep]))
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert not cycles, "import circles:\n" + "\n".join(cycles)


def test_the_graph_sees_deferred_imports():
    # guard against a parser that silently finds nothing: read_records imports the patent
    # family helper inside the function
    assert "innometrics.records.patent_fields" in import_graph()["innometrics.records.read"]
