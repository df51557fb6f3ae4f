"""Each layer of the package imports only the layers before it: losses → theory → settings → engine → cli."""
import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1] / "theorylab"
ORDER = ["losses", "theory", "settings", "engine", "cli"]


def _layer(module: str):
    parts = module.split(".")
    if parts[0] != "theorylab" or len(parts) < 2:
        return None
    head = parts[1]
    return ORDER.index(head) if head in ORDER else None


def _imports(path: pathlib.Path, package: str):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                yield ".".join(base + ([node.module] if node.module else []))
            elif node.module:
                yield node.module


@pytest.mark.parametrize("path", sorted(p for p in ROOT.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_respect_layers(path):
    rel = path.relative_to(ROOT.parent).with_suffix("")
    module = ".".join(rel.parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    own = _layer(module)
    if own is None:
        return
    for target in _imports(path, package):
        other = _layer(target)
        assert other is None or other <= own, f"{module} (layer {ORDER[own]}) imports {target}"


def _module_name(path: pathlib.Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = rel.parts[:-1] if path.name == "__init__.py" else rel.parts
    return ".".join(parts)


def _import_graph():
    """Module → the theorylab modules it imports (module-level and inside functions; ``from p import m``
    counts as importing the module ``p.m`` when ``m`` is one, else as importing ``p``)."""
    files = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph = {}
    for module, path in files.items():
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
                else:
                    base = node.module
                for a in node.names:
                    sub = f"{base}.{a.name}"
                    targets.add(sub if sub in files else base)
        graph[module] = sorted(t for t in targets if t in files and t != module)
    return graph


def _find_cycle(graph):
    """One import cycle as a list of modules (first = last), or None."""
    state, stack = {}, []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for t in graph[m]:
            if state.get(t) == "open":
                return stack[stack.index(t):] + [t]
            if t not in state:
                found = visit(t)
                if found:
                    return found
        stack.pop()
        state[m] = "done"
        return None

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def test_import_graph_has_no_cycle():
    graph = _import_graph()
    assert "theorylab.settings.icl.training" in graph and graph["theorylab.settings.icl"]  # the graph is built
    cycle = _find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_cycle_finder_reports_a_cycle():
    assert _find_cycle({"a": ["b"], "b": ["c"], "c": ["a"], "d": []}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": ["b"], "b": [], "c": ["a"]}) is None
