"""The core's import rules of docs/architecture.md: each stage imports only the stages before it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# module -> simulator modules it must never import (anywhere in the file, lazily too)
FORBIDDEN = {
    "simulator/messages.py": {"simulator"},
    "simulator/errors.py": {"simulator"},
    "simulator/delays.py": {"simulator"},
    "simulator/units.py": {"simulator"},
    "simulator/import_guard.py": {"simulator"},
    "simulator/spec.py": {
        "simulator.network",
        "simulator.checked",
        "simulator.compiler",
        "simulator.engine",
        "simulator.io",
        "simulator.analysis",
        "simulator.cli",
    },
    "simulator/network.py": {
        "simulator.checked",
        "simulator.compiler",
        "simulator.plan",
        "simulator.engine",
        "simulator.scenario_run",
        "simulator.analysis",
        "simulator.cli",
    },
    "simulator/checked.py": {
        "simulator.compiler",
        "simulator.plan",
        "simulator.engine",
        "simulator.scenario_run",
        "simulator.analysis",
        "simulator.cli",
    },
    "simulator/io/spec_files.py": {
        "simulator.compiler",
        "simulator.engine",
        "simulator.scenario_run",
        "simulator.analysis",
        "simulator.cli",
    },
    "simulator/plan.py": {"simulator.engine", "simulator.scenario_run", "simulator.analysis", "simulator.cli"},
    "simulator/compiler.py": {"simulator.engine", "simulator.scenario_run", "simulator.analysis", "simulator.cli"},
    "simulator/engine.py": {
        "simulator.scenario_run",
        "simulator.io",
        "simulator.analysis",
        "simulator.cli",
        "simulator.network",
        "simulator.spec",
    },
    # judging behaviour tests is numbers only: no files, no runs, no printing
    "simulator/analysis/behaviour.py": {
        "simulator.io",
        "simulator.cli",
        "simulator.runner",
        "simulator.engine",
        "simulator.ensemble",
        "simulator.scenario_run",
        "simulator.reality_checks",
    },
    "simulator/reality_checks.py": {"simulator.cli", "simulator.io", "simulator.engine", "simulator.ensemble"},
    # ambitions: the spec reads no files and runs nothing; judging them is numbers only
    "simulator/ambitions.py": {
        "simulator.network",
        "simulator.checked",
        "simulator.compiler",
        "simulator.engine",
        "simulator.io.spec_files",
        "simulator.analysis",
        "simulator.cli",
        "simulator.runner",
    },
    "simulator/analysis/ambitions.py": {
        "simulator.io",
        "simulator.cli",
        "simulator.runner",
        "simulator.engine",
        "simulator.ensemble",
        "simulator.scenario_run",
    },
    # evaluation after the fact: numbers only, runs through the runner; no files, no printing
    "simulator/evaluate.py": {"simulator.cli", "simulator.io", "simulator.engine", "simulator.ensemble"},
    # the council report: its content runs through the runner and writes nothing; its page runs nothing
    "simulator/council_report.py": {
        "simulator.cli",
        "simulator.engine",
        "simulator.ensemble",
        "simulator.io.report_html",
    },
    "simulator/io/report_html.py": {
        "simulator.cli",
        "simulator.runner",
        "simulator.engine",
        "simulator.ensemble",
        "simulator.scenario_run",
    },
}


# module -> simulator modules it may import although FORBIDDEN's prefixes cover them
ALLOWED = {
    "simulator/errors.py": {"simulator.messages"},  # an error's text is a message for people
    "simulator/units.py": {"simulator.messages", "simulator.import_guard"},  # pint without scipy and dask
}


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside functions."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


@pytest.mark.parametrize("module", sorted(FORBIDDEN))
def test_a_stage_imports_only_the_stages_before_it(module):
    found = imported(ROOT / module)
    allowed = ALLOWED.get(module, set())
    wrong = sorted(
        n for n in found for bad in FORBIDDEN[module] if _under(n, bad) and not any(_under(n, ok) for ok in allowed)
    )
    assert not wrong, f"{module} imports {wrong} (docs/architecture.md)"


def test_the_library_never_imports_the_app():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "simulator").rglob("*.py")
        if not p.is_relative_to(ROOT / "simulator" / "app") and any(_under(n, "simulator.app") for n in imported(p))
    ]
    assert not offenders
