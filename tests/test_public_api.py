"""The public namespace of ``simulator`` is pinned: changing it takes a deliberate edit of this list.

The names come from ``simulator/__init__.pyi`` (lazy_loader reads the stub), so
the stub, ``simulator.__all__`` and what ``import simulator`` gives must agree.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import simulator

PUBLIC = [
    "CompiledModel",
    "InputError",
    "ModelSpec",
    "NumericalError",
    "PreparedScenario",
    "Problem",
    "RunResult",
    "ScenarioSpec",
    "SimulatorError",
    "Uncertainty",
    "__version__",
    "compile_model",
    "load_model",
    "load_scenario",
    "prepare_scenario",
    "run_deterministic",
    "run_scenario",
    "run_scenarios",
    "simulate",
]
"""Every public name. Adding, renaming or removing one changes the API: edit this list on purpose, and the README."""

STUB = Path(simulator.__file__).with_name("__init__.pyi")


def test_the_public_namespace_is_the_pinned_list():
    assert sorted(simulator.__all__) == sorted(PUBLIC)
    assert len(simulator.__all__) == len(set(simulator.__all__))


def test_the_stub_lists_what_it_imports_and_nothing_else():
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    imported = {
        alias.asname or alias.name for node in tree.body if isinstance(node, ast.ImportFrom) for alias in node.names
    }
    declared = {
        node.target.id for node in tree.body if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }
    listed = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
    )
    assert sorted(listed) == sorted(PUBLIC)
    assert imported | declared == set(PUBLIC)


def test_every_public_name_is_the_object_of_the_module_it_comes_from():
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            module = importlib.import_module(f"simulator.{node.module}")
            for alias in node.names:
                assert getattr(simulator, alias.asname or alias.name) is getattr(module, alias.name)
    assert isinstance(simulator.__version__, str) and simulator.__version__
    assert set(dir(simulator)) >= set(PUBLIC) - {"__version__"}
