"""No import cycles among the modules of ``replicate``: every import counts, those inside functions too, so that a
module can be read (and moved) with what it imports below it."""

import ast

from replicate import paths

# replicate.core.claims still offers the scorecard's names (scorecard_markdown, verdict_box...) to code that imported
# them from there, through a module __getattr__ that imports replicate.core.scorecard on first use
ALLOWED = {frozenset({"replicate.core.claims", "replicate.core.scorecard"})}


def import_graph() -> dict[str, set[str]]:
    package = paths.REPO / "replicate"
    modules = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(paths.REPO).with_suffix("").parts)
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                inner = [f"{node.module}.{alias.name}" for alias in node.names]
                targets = [t for t in inner if t in modules]
                targets += [node.module] if len(targets) < len(inner) else []
            else:
                continue
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, found = {}, {}, [], []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_cycles_are_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


def test_no_import_cycles():
    graph = import_graph()
    assert "replicate.core.runner" in graph and "replicate.paths" in graph
    assert [sorted(c) for c in cycles(graph) if frozenset(c) not in ALLOWED] == []


def test_paths_imports_nothing_of_replicate_but_errors():
    assert import_graph()["replicate.paths"] <= {"replicate.errors"}
