"""Run a scenario's export in other system-dynamics engines and compare their numbers with bwsim's.

An engine run is one engine reading one export format: PySD (Vensim ``.mdl`` and XMILE, through
its translators) and Simlin (``pysimlin``, both formats). Each run gives the deviations
``x_delta`` of every node at every ``t_k``; the difference of a node is the largest, over time,
of ``|ours - theirs| / max(|ours|, 1)`` (relative above 1, absolute below), dimensionless. The
bar is :data:`TOLERANCE`.

SDEverywhere (``@sdeverywhere/compile``, C or JS) is known by name but not wired in: see the
README, "Checking the export in other engines". Naming it gives the reason, as for an engine that
is not installed.

No printing and no exit codes here (``simulator/cli/crosscheck.py`` does that).
"""

from __future__ import annotations

import importlib.util
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.errors import InputError, Problem
from simulator.io.export_equations import build_equations
from simulator.io.export_mdl import write_mdl
from simulator.io.export_subscripts import delta_columns
from simulator.io.export_xmile import write_xmile
from simulator.messages import Text, msg
from simulator.scenario_run import PreparedScenario, run_deterministic

TOLERANCE = 1e-9
"""The largest difference (relative above 1, absolute below) an engine may show and agree."""

ENGINES: tuple[str, ...] = ("pysd", "simlin", "sdeverywhere")
"""Every engine ``crosscheck`` knows, in the order it reports them."""

FORMATS: dict[str, tuple[str, ...]] = {"pysd": ("mdl", "xmile"), "simlin": ("mdl", "xmile"), "sdeverywhere": ("mdl",)}
"""The export formats each engine is run on."""

_MODULES = {"pysd": "pysd", "simlin": "simlin"}  # engine -> the Python package that runs it


@dataclass(frozen=True)
class EngineRun:
    """One engine on one export format: the difference per node (node id -> number), or why it failed."""

    engine: str
    format: str
    differences: dict[str, float]
    error: str = ""

    @property
    def label(self) -> str:
        """``pysd (mdl)``: the engine and the format it read."""
        return f"{self.engine} ({self.format})"

    @property
    def worst(self) -> float:
        """The largest difference over all nodes (infinite when the run failed)."""
        if self.error or not self.differences:
            return float("inf")
        return max(self.differences.values())

    @property
    def worst_node(self) -> str:
        """The node with the largest difference ("" when the run failed)."""
        return "" if self.error else max(self.differences, key=lambda n: self.differences[n])

    @property
    def agrees(self) -> bool:
        """Whether every node is within :data:`TOLERANCE`."""
        return self.worst <= TOLERANCE


def missing_reason(engine: str) -> Text | None:
    """Why ``engine`` cannot run here (a message for people), or None when it can."""
    if engine == "sdeverywhere":
        return msg(
            'SDEverywhere is not wired into bwsim crosscheck (see the README, "Checking the export in other engines")'
        )
    module = _MODULES[engine]
    if importlib.util.find_spec(module) is None:
        return msg(
            "the engine {engine} is not installed (pip install {package})",
            engine=engine,
            package={"pysd": "pysd", "simlin": "pysimlin"}[engine],
        )
    return None


def installed_engines() -> list[str]:
    """The engines of :data:`ENGINES` that can run here."""
    return [engine for engine in ENGINES if missing_reason(engine) is None]


def engine_problems(names: list[str]) -> list[Problem]:
    """A problem for each engine in ``names`` that is unknown or cannot run here (place ``--engine``)."""
    problems = []
    for name in names:
        if name not in ENGINES:
            problems.append(
                Problem(
                    "",
                    "--engine",
                    msg("unknown engine {engine}", engine=repr(name)),
                    msg("use one or more of {engines}, separated by commas", engines=", ".join(ENGINES)),
                )
            )
            continue
        reason = missing_reason(name)
        if reason is not None:
            problems.append(Problem("", "--engine", reason, msg("leave it out of --engine")))
    return problems


def _write(prepared: PreparedScenario, fmt: str, folder: Path) -> tuple[Path, list[str]]:
    """The export (subscripted for a model with dimensions), and the names each node's deviation has in it."""
    writer = write_mdl if fmt == "mdl" else write_xmile
    path = folder / f"{prepared.name or 'model'}.{fmt}"
    equations = build_equations(prepared)
    path.write_text(writer(equations), encoding="utf-8")
    return path, delta_columns(equations, list(prepared.compiled.node_ids))


def engine_deltas(prepared: PreparedScenario, engine: str, fmt: str, folder: Path) -> np.ndarray:
    """The deviations of every node (shape ``(K + 1, N)``) as ``engine`` computes them from the ``fmt`` export.

    Raises
    ------
    RuntimeError
        When the engine cannot read or run the file, or reports other times or variables.
    """
    path, columns = _write(prepared, fmt, folder)
    with warnings.catch_warnings():  # the engines' own deprecation, casting and unit chatter
        warnings.simplefilter("ignore")
        if engine == "pysd":
            import pysd

            reader = pysd.read_vensim if fmt == "mdl" else pysd.read_xmile
            frame = reader(str(path)).run(return_columns=columns)
        elif engine == "simlin":
            import simlin

            frame = simlin.load(path).run(analyze_loops=False).results
        else:
            raise RuntimeError(f"{engine} cannot run here")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise RuntimeError(f"{engine} reports no {', '.join(missing[:3])}")
    times = frame.index.to_numpy(dtype=float)
    if times.shape != prepared.compiled.times.shape or not np.allclose(
        times, prepared.compiled.times, rtol=0, atol=1e-9
    ):
        raise RuntimeError(f"{engine} reports {len(times)} times, bwsim {len(prepared.compiled.times)}")
    return frame[columns].to_numpy(dtype=float)


def differences(ours: np.ndarray, theirs: np.ndarray, node_ids: list[str]) -> dict[str, float]:
    """Per node, the largest ``|ours - theirs| / max(|ours|, 1)`` over time (NaN counts as infinite)."""
    gap = np.abs(ours - theirs) / np.maximum(np.abs(ours), 1.0)
    gap = np.where(np.isnan(gap), np.inf, gap)
    return {node: float(gap[:, i].max()) for i, node in enumerate(node_ids)}


def crosscheck(prepared: PreparedScenario, engines: list[str], folder: Path) -> list[EngineRun]:
    """Run the export of ``prepared`` in each engine on each of its formats (files written to ``folder``).

    Raises
    ------
    InputError
        When an engine is unknown or cannot run here (:func:`engine_problems`); nothing runs then.
    """
    problems = engine_problems(engines)
    if problems:
        raise InputError(problems)
    ours = run_deterministic(prepared).delta
    node_ids = list(prepared.compiled.node_ids)
    runs = []
    for engine in engines:
        for fmt in FORMATS[engine]:
            try:
                theirs = engine_deltas(prepared, engine, fmt, folder)
            except Exception as exc:  # noqa: BLE001 - an engine that fails is a disagreement, with its reason
                runs.append(EngineRun(engine, fmt, {}, error=str(exc).strip().splitlines()[0][:300] or repr(exc)))
                continue
            runs.append(EngineRun(engine, fmt, differences(ours, theirs, node_ids)))
    return runs
