"""The layers' arrows point down only: entrypoints (api, consumers) ->
service -> evaluators (projections) -> domain. Checked by parsing every
module's imports, so an arrow back up fails here before it ships."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
#: what each layer may not import
FORBIDDEN = {
    "domain": {"projections", "service", "api", "consumers"},
    "projections": {"service", "api", "consumers"},
    "service": {"api", "consumers"},
    "consumers": {"api"},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


MODULES = sorted(p for layer in FORBIDDEN for p in (ROOT / layer).rglob("*.py"))


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_imports_nothing_from_a_layer_above_it(module):
    layer = module.relative_to(ROOT).parts[0]
    assert not imported_packages(module) & FORBIDDEN[layer]


def test_the_layers_are_all_checked():
    assert {p.relative_to(ROOT).parts[0] for p in MODULES} == set(FORBIDDEN)
    assert len(MODULES) > 30
