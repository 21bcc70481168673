"""Threads importing bwsim's modules at the same moment get whole modules, never half ones.

Streamlit runs each browser session's script in its own thread; a workshop room
opening the app together imports everything from several threads at once. A
package whose ``__init__`` imported its own submodules deadlocked there (Python
then hands one thread a partially initialised module: ``cannot import name
'load_model' from partially initialized module``), seen in the workshop browser
test about one run in five.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Third-party packages are imported first, in one thread: their own import-time
# races (pandas has one) are not ours to test; the app's simulator.app.preload covers them.
THREADS_IMPORT = r"""
import importlib, sys, threading
import numpy, pandas, scipy.optimize, scipy.stats, networkx, pydantic, yaml, sqlalchemy, plotly.graph_objects
names = sys.argv[1].split(",")
errors = []
start = threading.Barrier(len(names))
def load(name):
    start.wait()
    try:
        importlib.import_module(name)
    except BaseException as error:
        errors.append(f"{name}: {error!r}")
threads = [threading.Thread(target=load, args=(name,)) for name in names]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("\n".join(errors))
sys.exit(1 if errors else 0)
"""

# Modules that import the packages' __init__ from different submodules at once.
SUBMODULES = [
    "simulator.errors",
    "simulator.io.spec_files",
    "simulator.workshop.store",
    "simulator.workshop.exchange",
    "simulator.calibrate",
    "simulator.monitor",
    "simulator.analysis.report",
    "simulator.analysis.tracing",
    "simulator.scenario_run",
    "simulator.ensemble",
]


def _import_in_threads(names: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", THREADS_IMPORT, ",".join(names)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_threads_importing_different_submodules_at_once_all_get_whole_modules():
    # Before the package __init__ files became lazy this failed in 9 of 10 fresh processes.
    for _ in range(4):
        answer = _import_in_threads(SUBMODULES)
        assert answer.returncode == 0, answer.stdout + answer.stderr


def test_sessions_starting_together_wait_for_one_preload_then_import_freely():
    ui_modules = [
        "simulator.app.state",
        "simulator.app.charts",
        "simulator.app.tables",
        "simulator.app.model_input",
        "simulator.app.exporting",
        "simulator.app.sensitivity_charts",
    ]
    answer = _import_in_threads(["simulator.app.preload"] * 4 + ui_modules)
    assert answer.returncode == 0, answer.stdout + answer.stderr


def test_the_app_imports_the_preload_before_any_other_project_module():
    tree = ast.parse((ROOT / "simulator" / "app" / "app.py").read_text(encoding="utf-8"))
    project_imports = [
        node.names[0].name if isinstance(node, ast.Import) else node.module
        for node in tree.body
        if isinstance(node, ast.Import | ast.ImportFrom)
        and ((node.names[0].name if isinstance(node, ast.Import) else node.module) or "").split(".")[0] == "simulator"
    ]
    assert project_imports[0] == "simulator.app.preload"


def test_the_lazy_public_names_resolve_to_their_modules():
    import simulator
    import simulator.analysis
    import simulator.workshop
    from simulator.errors import InputError
    from simulator.workshop.store import WorkshopStore

    assert simulator.InputError is InputError
    assert simulator.workshop.WorkshopStore is WorkshopStore
    for package in (simulator, simulator.analysis, simulator.workshop):
        for name in package.__all__:
            if name != "__version__":
                assert getattr(package, name) is not None, f"{package.__name__}.{name}"
