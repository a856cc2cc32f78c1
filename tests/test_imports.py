"""The package's layout: every module imports on its own, and imports form no cycle.

The import graph is read from the source with :mod:`ast`: ``import geomap.x``
and ``from geomap.x import y`` (``y`` a module or a name of ``x``), leaving
out ``if TYPE_CHECKING:`` blocks.  A cycle of imports run when a module
loads breaks depending on which module is imported first; a cycle through
imports deferred into functions works but hides a knot in the flow.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "geomap"


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _statements(body: list[ast.stmt], *, deferred: bool) -> Iterator[ast.stmt]:
    """The statements of ``body``, into blocks; into functions and classes too when ``deferred``."""
    for node in body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue  # never run
        yield node
        if deferred or isinstance(node, (ast.If, ast.Try, ast.With)):
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, field, None)
                if isinstance(inner, list):
                    yield from _statements(inner, deferred=deferred)


def _imports(name: str, *, deferred: bool) -> set[str]:
    """The modules of geomap that module ``name`` imports (its own package left out: importing any module runs it)."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in _statements(tree.body, deferred=deferred):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [f"{node.module}.{alias.name}" for alias in node.names if f"{node.module}.{alias.name}" in MODULES]
            found.update(modules)
            if len(modules) < len(node.names):
                found.add(node.module)
    return {m for m in found if m in MODULES and m not in (name, "geomap")}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
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
                    cycles.append(sorted(component))
    return cycles


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_when_modules_load():
    graph = {name: _imports(name, deferred=False) for name in MODULES}
    assert _cycles(graph) == []


def test_no_import_cycles_even_through_deferred_imports():
    # an import inside a function still ties the two modules: each step may use
    # the steps before it, never one after it
    graph = {name: _imports(name, deferred=True) for name in MODULES}
    assert _cycles(graph) == []


def test_imports_inside_functions_and_methods_are_read_as_deferred():
    tree = ast.parse("def f():\n    import geomap.a\nclass C:\n    def m(self):\n        from geomap.b import c\n")

    def imported(deferred: bool) -> list[str]:
        found = _statements(tree.body, deferred=deferred)
        return [ast.unparse(node) for node in found if isinstance(node, (ast.Import, ast.ImportFrom))]

    assert imported(deferred=True) == ["import geomap.a", "from geomap.b import c"]
    assert imported(deferred=False) == []


def test_the_text_step_imports_no_later_step():
    # text -> places -> incidents/routes -> GeoDataFrames -> map/exports: the first step reads
    # files and words only
    shared = ("geomap.records", "geomap.normalize", "geomap._errors", "geomap._input", "geomap._io")
    allowed = ("geomap.text", "geomap.lang", *shared)
    later = {
        name: sorted(m for m in _imports(name, deferred=True) if not m.startswith(allowed))
        for name in MODULES
        if name.startswith("geomap.text")
    }
    assert {name: found for name, found in later.items() if found} == {}


def test_every_module_imports_on_its_own_in_a_fresh_interpreter():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def load(name: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-c", f"import {name}"]
        return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)

    names = [name for name in MODULES if not name.endswith("__main__")]  # __main__ runs the command line
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = dict(zip(names, pool.map(load, names)))
    failed = {name: run.stderr.strip().splitlines()[-1:] for name, run in done.items() if run.returncode != 0}
    assert failed == {}
