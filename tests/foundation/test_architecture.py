"""The shape of the code (issue 10): import-linter's layer contracts, no import cycles, no
optional imports of packages that always ship.

The contracts live in pyproject.toml ([tool.importlinter]); `./dev.sh test` (and so .ci/run)
runs them through this file.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("service", "parsers")

#: import cycles that remain until their owners land (issue 10); the set may only shrink.
#: service.batch: jobs <-> executors <-> celery_app (the batch engineer: resume_all into executors).
KNOWN_CYCLES: set[frozenset[str]] = set()


def test_import_contracts_hold():
    """`lint-imports`: delivery -> use cases -> domain -> infrastructure, parsers standalone,
    web not importing api, the stages' CLI modules imported by delivery only."""
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def _cycles(graph: grimp.ImportGraph) -> set[frozenset[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.add(frozenset(component))
    return found


def test_no_import_cycles():
    """No cycle among the project's modules, counting imports inside functions too (grimp reads
    every import statement of a module, wherever it stands)."""
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    cycles = _cycles(graph)
    new = cycles - KNOWN_CYCLES
    assert not new, "import cycles: " + "; ".join(" <-> ".join(sorted(c)) for c in new)
    gone = KNOWN_CYCLES - cycles
    assert not gone, "cycles broken, remove them from KNOWN_CYCLES: " + "; ".join(sorted(map(str, gone)))


def test_cycle_finder_finds_a_function_level_cycle():
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(module)
    graph.add_import(importer="pkg.a", imported="pkg.b", line_number=3, line_contents="from . import b")
    graph.add_import(importer="pkg.b", imported="pkg.a", line_number=9, line_contents="    from . import a")
    graph.add_import(importer="pkg.c", imported="pkg.a", line_number=1, line_contents="from . import a")
    assert _cycles(graph) == {frozenset({"pkg.a", "pkg.b"})}


def test_no_optional_imports():
    """Packages that always ship are imported plainly: no `except ImportError` switch, which
    turned a broken dependency into a silently different engine."""
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ExceptHandler) and node.type is not None and \
                        {"ImportError", "ModuleNotFoundError"} & {n.id for n in ast.walk(node.type)
                                                                  if isinstance(n, ast.Name)}:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if "optional_import" in path.read_text(encoding="utf-8"):
                offenders.append(f"{path.relative_to(ROOT)}: optional_import")
    assert not offenders, offenders


#: modules that still read the environment themselves; each moves to Settings (passed in) and
#: leaves this list, which may only shrink (issue 10: config.load is the one reader)
ENV_READERS_REMAINING = {
    "service/documents/contexts.py",   # documents engineer: data dir, doc prefix, public URL
    "service/documents/docx_render.py",
    "service/documents/fonts.py",
    "service/documents/harfbuzz.py",
    "service/documents/issue.py",
    "service/documents/printers.py",
    "service/documents/registry.py",
    "parsers/legacy.py",               # WUHAO_SOFFICE: parsers cannot import service.config
}
#: reads that are not configuration: the parse sandbox hands its environment to its workers
ENV_PASSED_ON = {"parsers/sandbox.py"}


def _reads_environment(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb") and \
                isinstance(node.value, ast.Name) and node.value.id == "os":
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "os" and \
                {a.name for a in node.names} & {"environ", "getenv"}:
            return True
    return False


def test_only_config_reads_the_environment():
    readers = set()
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if _reads_environment(ast.parse(path.read_text(encoding="utf-8"))):
                readers.add(path.relative_to(ROOT).as_posix())
    readers -= {"service/config.py"} | ENV_PASSED_ON
    assert readers <= ENV_READERS_REMAINING, f"new environment readers: {sorted(readers - ENV_READERS_REMAINING)}"
    gone = ENV_READERS_REMAINING - readers
    assert not gone, f"no longer read the environment, remove from ENV_READERS_REMAINING: {sorted(gone)}"
