"""The shape of the package: stage packages whose imports point down the pipeline,
no import cycles, small modules, a light import, a typed façade, and one Workspace
that threads can share."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from plangraph.workspace import Workspace

SRC = Path(__file__).resolve().parents[1] / "src" / "plangraph"

# Lower layers never import higher ones. The base (errors, model, text, resources) is
# below every stage; interfaces (cli, app pages) sit on top of the façade.
LAYERS = ("base", "ingest", "extract", "graph", "search", "analysis", "workspace", "interfaces")
BASE_MODULES = {"errors", "model", "text", "resources", "durable", "extensions", "__init__"}
MAX_LINES = 400


def layer_of(module: str) -> str:
    """``plangraph.graph.build`` → ``graph``; base modules → ``base``."""
    parts = module.split(".")
    assert parts[0] == "plangraph", module
    if len(parts) == 1 or parts[1] in BASE_MODULES:
        return "base"
    if parts[1] == "__main__":
        return "interfaces"
    assert parts[1] in LAYERS, f"{module} is in no known stage package"
    return parts[1]


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every ``plangraph`` module that ``path`` imports, at any depth (lazy imports too)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "plangraph":
                out.append((node.lineno, node.module))
        elif isinstance(node, ast.ImportFrom) and node.level:
            out.append((node.lineno, "RELATIVE"))
        elif isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "plangraph")
    return out


def modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


KNOWN_CYCLES: list[list[str]] = []
"""Import cycles allowed for now, each a sorted list of modules (none)."""


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def import_graph(src: Path) -> dict[str, set[str]]:
    """Module → the modules of the package at ``src`` it imports: at module level or inside
    functions (a function's import runs too, later), but not under ``if TYPE_CHECKING:``,
    which never runs. ``from pkg import name`` is an import of ``pkg.name`` when that is a
    module. A package's ``__init__`` run on the way to a submodule is not counted."""
    def name_of(path: Path) -> str:
        parts = list(path.relative_to(src.parent).with_suffix("").parts)
        return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)

    names = {name_of(p): p for p in sorted(src.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for here, path in names.items():
        tree = ast.parse(path.read_text("utf-8"))
        typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and _is_type_checking(node.test)
                       for stmt in node.body for n in ast.walk(stmt)}
        targets: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets.update(f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in names else node.module
                               for a in node.names)
        graph[here] = {t for t in targets if t in names and t != here}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm,
    without recursion), each sorted, in sorted order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            nxt = next(edges, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def test_no_import_cycles() -> None:
    """Modules import one another one way: a cycle, even through an import hidden in a
    function, means two modules are one thing or a third is missing."""
    assert import_cycles(import_graph(SRC)) == KNOWN_CYCLES


def test_the_cycle_check_catches_a_cycle(tmp_path: Path) -> None:
    """The check above can fail: a, b and c import each other in a ring (one import inside a
    function); d imports a back only under TYPE_CHECKING, which is not a cycle."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", "utf-8")
    (pkg / "a.py").write_text("from pkg import b\nimport pkg.d\n", "utf-8")
    (pkg / "b.py").write_text("from pkg.c import thing\n", "utf-8")
    (pkg / "c.py").write_text("thing = 1\n\ndef later():\n    import pkg.a\n", "utf-8")
    (pkg / "d.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import x\n", "utf-8")
    graph = import_graph(pkg)
    assert graph["pkg.a"] == {"pkg.b", "pkg.d"} and graph["pkg.d"] == set()
    assert import_cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]
    (pkg / "c.py").write_text("thing = 1\n", "utf-8")
    assert import_cycles(import_graph(pkg)) == []


def test_no_facade_method_returns_any() -> None:
    """Callers of the façade get the types that exist (dataclasses, protocols), never Any."""
    from plangraph.workspace.comparisons import ComparisonStore

    untyped = []
    for cls in (Workspace, ComparisonStore):
        for name, member in inspect.getmembers(cls):
            func = member.fget if isinstance(member, property) else member
            if name.startswith("_") or not callable(func):
                continue
            returns = inspect.signature(func).return_annotation
            if returns is inspect.Signature.empty or str(returns).strip() in ("Any", "typing.Any"):
                untyped.append(f"{cls.__name__}.{name} -> {returns}")
    assert not untyped, untyped


def test_no_function_of_workspace_or_interfaces_returns_any() -> None:
    """Not only the façade: every function of the two outer layers says what it returns
    (``object`` where any value goes through, as a spreadsheet cell)."""
    found = []
    for stage in ("workspace", "interfaces"):
        for path in sorted((SRC / stage).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns is not None:
                    if ast.unparse(node.returns) in ("Any", "typing.Any"):
                        found.append(f"{path.relative_to(SRC)}:{node.lineno} {node.name}")
    assert not found, found


def test_every_stage_package_exists_with_a_door() -> None:
    for stage in LAYERS[1:]:
        assert (SRC / stage / "__init__.py").is_file(), stage


def test_imports_point_down_the_pipeline() -> None:
    upward = []
    for path in modules():
        here = module_name(path)
        rank = LAYERS.index(layer_of(here))
        for line, target in imports_of(path):
            if target == "RELATIVE":
                upward.append(f"{here}:{line} uses a relative import; write plangraph.…")
                continue
            if LAYERS.index(layer_of(target)) > rank:
                upward.append(f"{here}:{line} imports {target} ({layer_of(target)} is above {layer_of(here)})")
    assert not upward, "\n".join(upward)


def test_the_layer_check_catches_an_upward_import(tmp_path: Path) -> None:
    """The check above can fail: a graph module importing the workspace is flagged."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from plangraph.workspace import Workspace\n", "utf-8")
    ((_, target),) = imports_of(bad)
    assert LAYERS.index(layer_of(target)) > LAYERS.index(layer_of("plangraph.graph.build"))


def test_no_module_is_two_things() -> None:
    long = {module_name(p): n for p in modules() if (n := len(p.read_text("utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_no_grab_bag_modules() -> None:
    assert not [p for p in modules() if p.stem in {"utils", "helpers", "misc", "common_utils"}]


def test_importing_the_package_and_the_cli_loads_no_heavy_library() -> None:
    code = ("import sys, plangraph, plangraph.interfaces.cli, plangraph.workspace, plangraph.graph.sparql;"
            "print([m for m in ('torch', 'faiss', 'sentence_transformers', 'streamlit', 'openpyxl') "
            "if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_threads_mixing_sparql_browse_and_export_on_one_workspace(district_index: Path) -> None:
    """The app shares one Workspace between sessions: readers running at once must
    each see what they would see alone."""
    ws = Workspace(district_index)
    expected = {
        "sparql": len(ws.sparql(name="projects-by-place", params={"plan": "linan"}).rows),
        "browse": len(ws.entities("indicators", "linan")),
        "export": len(ws.export_rows("projects", "linan")),
        "sections": len(ws.sections("linping")),
    }
    assert expected["browse"] == 30 and expected["export"] == 39
    calls = {
        "sparql": lambda: len(ws.sparql(name="projects-by-place", params={"plan": "linan"}).rows),
        "browse": lambda: len(ws.entities("indicators", "linan")),
        "export": lambda: len(ws.export_rows("projects", "linan")),
        "sections": lambda: len(ws.sections("linping")),
    }
    seen: list[tuple[str, int]] = []
    errors: list[BaseException] = []

    def worker(kinds: list[str]) -> None:
        try:
            for kind in kinds:
                seen.append((kind, calls[kind]()))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    order = list(calls)
    threads = [threading.Thread(target=worker, args=(order[i:] + order[:i],)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert len(seen) == 6 * len(calls)
    assert all(n == expected[kind] for kind, n in seen), [s for s in seen if s[1] != expected[s[0]]]


@pytest.mark.parametrize("package", LAYERS[1:])
def test_each_stage_imports_on_its_own(package: str) -> None:
    out = subprocess.run([sys.executable, "-c", f"import plangraph.{package}"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_the_console_script_points_at_the_cli() -> None:
    """``.venv/bin/plangraph`` is generated from pyproject's entry point: it must name
    a function that exists after any move of the CLI module."""
    import importlib
    import tomllib

    scripts = tomllib.loads((SRC.parents[1] / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    module, _, func = scripts["plangraph"].partition(":")
    assert callable(getattr(importlib.import_module(module), func))
