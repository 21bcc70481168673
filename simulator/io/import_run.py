"""Runs of an imported model's original in PySD, and their comparison with bwsim's runs of the import.

:func:`original_run` gives the original's run without change at every
reported time (the imported nodes' baselines, :mod:`simulator.io.import_sd`).
:func:`input_errors` changes each input (a constant) by a fraction from the
start, in the original (PySD) and in the import (bwsim, a relative step at the
start), and measures the largest difference. PySD translates the model into a
temporary folder, never beside the user's file.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulator.errors import InputError, Problem
from simulator.io.import_sd import SdModel
from simulator.messages import msg
from simulator.spec import ModelSpec, ScenarioSpec


@contextmanager
def pysd_model(sd: SdModel) -> Iterator[Any]:
    """The original, translated and loaded by PySD in a temporary folder."""
    import pysd

    folder = Path(tempfile.mkdtemp(prefix="bwsim-import-"))
    try:
        copy = folder / (Path(sd.path).stem + (".mdl" if sd.format == "vensim" else ".xmile"))
        shutil.copyfile(sd.path, copy)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                model = pysd.read_vensim(str(copy)) if sd.format == "vensim" else pysd.read_xmile(str(copy))
            except Exception as error:  # PySD's builder raises many kinds
                raise InputError(
                    Problem(
                        sd.path,
                        "",
                        msg("PySD cannot run this model: {reason}", reason=f"{type(error).__name__}: {error}"[:300]),
                        msg("bwsim imports what PySD runs; check the model in PySD"),
                    )
                ) from error
            yield model
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _times(sd: SdModel) -> np.ndarray:
    return sd.start + np.arange(sd.steps + 1) * sd.dt


def _columns(sd: SdModel) -> dict[str, str]:
    """Each variable's key and the column PySD reports it under (``Jobs[north]`` for an element)."""
    return {key: var.name for key, var in sd.variables.items() if var.kind != "lookup"}


def _asked(sd: SdModel) -> list[str]:
    """The names to ask PySD for: a subscripted family once, by its name (PySD reports each element)."""
    names = [var.family or var.name for var in sd.variables.values() if var.kind != "lookup"]
    return list(dict.fromkeys(names))


def _values(model: Any, sd: SdModel, values: dict[str, float]) -> dict[str, Any]:
    """``values`` (variable key -> number) as PySD takes them: a subscripted family's elements together,
    as an array over its ranges (the model's own value as the template, every element given)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        var = sd.variables[key]
        if not var.family:
            out[var.name] = value
            continue
        if var.family not in out:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out[var.family] = model[var.family].copy(deep=True)
        array = out[var.family]
        array.loc[dict(zip(array.dims, var.elements, strict=True))] = value
    return out


def _run(
    model: Any, sd: SdModel, params: dict[str, Any] | None = None, initial: dict[str, Any] | None = None
) -> dict[str, np.ndarray]:
    columns = _columns(sd)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            frame = model.run(
                params=params or {},
                return_timestamps=_times(sd),
                return_columns=_asked(sd),
                initial_condition=(sd.start, initial) if initial else "original",
            )
        except Exception as error:
            raise InputError(
                Problem(
                    sd.path,
                    "",
                    msg("PySD cannot run this model: {reason}", reason=f"{type(error).__name__}: {error}"[:300]),
                    msg("bwsim imports what PySD runs; check the model in PySD"),
                )
            ) from error
    return {key: frame[name].to_numpy(dtype=float) for key, name in columns.items() if name in frame}


def original_run(sd: SdModel) -> dict[str, np.ndarray]:
    """The original's run without change: each variable's values at ``start + k dt`` (key -> array)."""
    with pysd_model(sd) as model:
        return _run(model, sd)


@dataclass(frozen=True)
class ChangeAgreement:
    """The largest difference between bwsim and PySD when one input changes by ``fraction``."""

    input: str
    fraction: float
    error: float
    variable: str


def input_errors(
    sd: SdModel,
    model: ModelSpec,
    ids: dict[str, str],
    inputs: Sequence[str],
    baseline: dict[str, np.ndarray],
    fractions: Sequence[float] = (0.01, 0.10),
) -> list[ChangeAgreement]:
    """For each input (a constant's key) and fraction: the largest relative difference of any variable.

    The difference of a variable is ``max_t |x_bwsim - x_pysd|`` divided by
    ``max_t |x_pysd|`` (or by 1 when that is 0). The stocks start from their
    original values in both runs (bwsim's deviations start at 0).
    """
    from simulator.scenario_run import prepare_scenario, run_deterministic

    rows = []
    with pysd_model(sd) as original:
        stocks = _values(original, sd, {k: float(v[0]) for k, v in baseline.items() if sd.variables[k].kind == "stock"})
        for key in inputs:
            if float(baseline[key][0]) == 0:
                continue  # a fraction of 0 changes nothing
            for fraction in fractions:
                given = {k: float(baseline[k][0]) for k in inputs}  # PySD keeps params
                given[key] = float(baseline[key][0]) * (1.0 + fraction)
                theirs = _run(original, sd, _values(original, sd, given), stocks)
                scenario = ScenarioSpec.model_validate(
                    {
                        "name": "import-check",
                        "model": "",
                        "time": model.time.model_dump(),
                        "interventions": [
                            {
                                "node": ids[key],
                                "shape": "step",
                                "height": fraction,
                                "start": model.time.start,
                                "relative": True,
                            }
                        ],
                    }
                )
                ours = run_deterministic(prepare_scenario(scenario, model))
                values = ours.value
                worst, where = 0.0, ""
                for k, column in theirs.items():
                    j = ours.node_ids.index(ids[k])
                    scale = float(np.max(np.abs(column))) or 1.0
                    err = float(np.max(np.abs(values[:, j] - column))) / scale
                    if err > worst or not where:
                        worst, where = max(err, worst), sd.variables[k].name
                rows.append(ChangeAgreement(sd.variables[key].name, fraction, worst, where))
    return rows


def baseline_errors(sd: SdModel, model: ModelSpec, ids: dict[str, str], baseline: dict[str, np.ndarray]) -> float:
    """The largest relative difference between bwsim's baseline run of the import and the original's run."""
    from simulator.scenario_run import baseline_scenario, prepare_scenario, run_deterministic

    ours = run_deterministic(prepare_scenario(baseline_scenario(model), model))
    worst = 0.0
    for key, column in baseline.items():
        j = ours.node_ids.index(ids[key])
        scale = float(np.max(np.abs(column))) or 1.0
        worst = max(worst, float(np.max(np.abs(ours.value[:, j] - column))) / scale)
    return worst
