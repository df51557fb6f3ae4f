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
