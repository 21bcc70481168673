"""The warnings given before a scenario runs, the same in every command that runs one (and in validate).

- the model is unstable at its central weights (:func:`report.stability_warning`);
- some ensemble members make it unstable though the central model is not
  (:func:`report.ensemble_stability_warning`), for a run with samples;
- an intervention starts after the horizon ends, so it changes nothing in the run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulator.analysis import stability
from simulator.analysis.stability import check_stability, map_bytes, too_large_to_check
from simulator.messages import msg
from simulator.scenario_run import PreparedScenario

if TYPE_CHECKING:
    from simulator.sampling import ParameterSample


def stability_warning(prepared: PreparedScenario) -> str:
    """A warning for an unstable scenario model ("" when it is stable); checked without running it.

    A model too large for the dense one-step map (:func:`~simulator.analysis.stability.too_large_to_check`)
    is not checked, and the warning says so; the run itself still stops at a non-finite value."""
    cm = prepared.compiled
    if too_large_to_check(cm):
        return msg(
            "{scenario}: not checked for stability: the one-step map of {nodes:,} nodes would need about "
            "{gb:.1f} GB, more than the limit of {limit:.1f} GB (a member that becomes non-finite still stops "
            "the run, naming the node and time)",
            scenario=prepared.name,
            nodes=cm.n_nodes,
            gb=map_bytes(cm) / 1e9,
            limit=stability.MAP_MAX_BYTES / 1e9,
        )
    report = check_stability(prepared.model, cm, prepared.time)
    return (
        ""
        if report.stable
        else msg("{scenario}: {message}", scenario=prepared.name, message=report.message(prepared.model))
    )


def horizon_warnings(prepared: PreparedScenario) -> list[str]:
    """One warning per intervention that starts after the horizon's end (it changes nothing in the run)."""
    end = float(prepared.compiled.times[-1])
    where = prepared.file or prepared.name
    out: list[str] = []
    for i, intervention in enumerate(prepared.interventions):
        if intervention.shape == "series":
            continue
        start = intervention.param("start")
        if start <= end:
            continue
        out.append(
            msg(
                "{where}: interventions[{index}]: the {shape} on '{node}' starts at {start:g}, after the "
                "horizon ends at {end:g}, so it changes nothing in this run (start it earlier, or set a later "
                "time: end:)",
                where=where,
                index=i,
                shape=intervention.shape,
                node=intervention.node,
                start=start,
                end=end,
            )
        )
    return out


def run_warnings(
    prepared: PreparedScenario,
    ensemble: dict | None = None,
    members: tuple[np.ndarray, np.ndarray] | None = None,
    sample: ParameterSample | None = None,
) -> list[str]:
    """Every warning for a run of ``prepared``, before it runs.

    Parameters
    ----------
    prepared : PreparedScenario
    ensemble : dict, optional
        ``{"samples", "seed", "method"}`` of the run's ensemble draws (run --samples,
        scorecard --samples, monitor): their first members are checked for stability.
    members : tuple of ndarray, optional
        Explicit ``(weights, lags)`` of the members, each (L, M) (sensitivity's runs).
    sample : ParameterSample, optional
        The run's drawn sample (:func:`simulator.sampling.draw`): its first members
        are checked, and nothing is drawn again.
    """
    found = [stability_warning(prepared), *horizon_warnings(prepared)]
    if ensemble is not None or members is not None or sample is not None:  # only then pandas and scipy load
        from simulator.analysis.report import ensemble_stability_warning
    if sample is not None:
        found.append(ensemble_stability_warning(prepared, sample.samples, sample=sample))
    elif ensemble is not None:
        found.append(
            ensemble_stability_warning(
                prepared, int(ensemble["samples"]), int(ensemble.get("seed", 0)), str(ensemble.get("method", "lhs"))
            )
        )
    elif members is not None:
        found.append(ensemble_stability_warning(prepared, members[0].shape[1], members=members))
    return [w for w in found if w]
