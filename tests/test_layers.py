"""The import graph of the project's own modules: layers only point down, and no two modules import each other.

kernel (kernel/) → domain apps (orgs → rectification → inspections → scoring) → composition
(partybuild/). Each layer is its own top-level package. A module may import its own layer's earlier apps
and every layer below.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = ["orgs", "rectification", "inspections", "scoring"]


def layer_of(module: str) -> tuple[int, int]:
    """(layer, position): 0 kernel, 1 domain (position = order of the app), 2 composition."""
    top = module.split(".")[0]
    if top == "kernel":
        return (0, 0)
    if top in DOMAIN:
        return (1, DOMAIN.index(top))
    if top == "partybuild":
        return (2, 0)
    return (-1, 0)  # third-party or the standard library


def source_modules():
    for top in ["kernel", "partybuild", *DOMAIN]:
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            relative = path.relative_to(ROOT).with_suffix("")
            parts = list(relative.parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join(parts), path


def imports_of(module, path):
    """Every project module ``module`` imports, at the top of the file or inside a function."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.update(f"{base}.{alias.name}" if _is_module(f"{base}.{alias.name}") else base
                         for alias in node.names)
        elif isinstance(node, ast.Call):
            found.update(_reached_at_run_time(node))
    return {name for name in found if layer_of(name)[0] >= 0}


#: app labels of the project, and the package that holds each app's models
APP_PACKAGES = {"kernel": "kernel", "partybuild": "partybuild", **{app: app for app in DOMAIN}}


def _reached_at_run_time(call):
    """What a call reaches by name: ``importlib.import_module("orgs.models")``, ``__import__("orgs")``,
    ``apps.get_model("orgs", "Organization")`` or ``apps.get_model("orgs.Organization")`` (string literals)."""
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    texts = [arg.value for arg in call.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    if not texts:
        return set()
    if name in ("import_module", "__import__"):
        return {texts[0]}
    if name == "get_model":
        label = texts[0].partition(".")[0]
        return {f"{APP_PACKAGES[label]}.models"} if label in APP_PACKAGES else set()
    return set()


def _is_module(dotted):
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


GRAPH = {module: imports_of(module, path) for module, path in source_modules()}


@pytest.mark.parametrize("reaching_up", [
    "import importlib\nimportlib.import_module('orgs.models')",
    "from importlib import import_module\nimport_module('rectification.services')",
    "from django.apps import apps\napps.get_model('scoring', 'Assessment')",
    "from django.apps import apps\napps.get_model('orgs.Organization')",
    "__import__('partybuild.views')"])
def test_a_module_reaching_up_at_run_time_is_seen(tmp_path, reaching_up):
    path = tmp_path / "probe.py"
    path.write_text(reaching_up)
    kernel = layer_of("kernel.probe")
    assert any(layer_of(target) > kernel for target in imports_of("kernel.probe", path)), reaching_up


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_import_points_up(module):
    upward = sorted(target for target in GRAPH[module] if layer_of(target) > layer_of(module))
    assert not upward, f"{module} imports a higher layer: {upward}"


def test_no_two_modules_import_each_other():
    def resolve(name):  # "kernel.policy.can" is the module "kernel.policy"
        while name and name not in GRAPH:
            name = name.rpartition(".")[0]
        return name

    edges = {module: {resolve(t) for t in targets} - {module, ""} for module, targets in GRAPH.items()}
    cycles = set()

    def visit(node, path):
        for nxt in edges.get(node, ()):
            if nxt in path:
                cycles.add(" → ".join(path[path.index(nxt):] + [nxt]))
            elif len(path) < 12:
                visit(nxt, path + [nxt])

    for start in edges:
        visit(start, [start])
    assert not cycles, sorted(cycles)[:5]
