"""fazhi_lib's imports descend: no module imports one that (directly or through others) imports it
back. Read with `ast` from the source, every import counted, at the top of a module or inside a
function, so a late import cannot hide a circle."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "fazhi_lib"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """module → the fazhi_lib modules it imports (`from . import x` of a submodule x counts as x)."""
    files = {module_name(p): p for p in sorted(package.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        here = name if is_package else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                for alias in node.names:  # `from . import x` of a submodule x imports x, else a name of `module`
                    sub = f"{module}.{alias.name}"
                    targets.add(sub if sub in files else module)
        graph[name] = {t for t in targets if t in files and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_the_cycle_finder_finds_a_circle_and_its_members():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_relative_imports_are_resolved():
    graph = import_graph()
    assert "fazhi_lib.errors" in graph["fazhi_lib.corpus"]  # from .errors import FazhiError
    assert "fazhi_lib.pipeline.worker" in graph["fazhi_lib.pipeline.build"]  # from .worker import …
    assert "fazhi_lib.tokens" in graph["fazhi_lib.pipeline.worker"]  # from .. import tokens


def test_no_import_circle_in_fazhi_lib():
    # the package's __init__ imports its submodules to make the public surface; a submodule
    # importing the package itself would close a circle and is counted like any other import
    found = cycles(import_graph())
    assert not found, "import circles: " + "; ".join(" ↔ ".join(c) for c in found)
