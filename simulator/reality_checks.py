"""Run a model's behaviour tests (its ``checks``, Vensim's Reality Checks) through the one way to run scenarios.

Each check's interventions (``with:``) become a scenario on the model's own horizon
(no interventions: the baseline run); checks with the same interventions share one
scenario, which :func:`simulator.runner.run_prepared` runs once, deterministically
and, with an :class:`~simulator.runner.Uncertainty`, as an ensemble whose members
are kept at every time. :mod:`simulator.analysis.behaviour` judges each check on
those runs. Nothing here prints: ``bwsim check`` and the app show the results.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.analysis.behaviour import Verdict, evaluate, share
from simulator.errors import InputError
from simulator.runner import ScenarioRun, Uncertainty, check_uncertainty, draw_sample, run_prepared
from simulator.scenario_run import PreparedScenario, prepare_scenario
from simulator.spec import BehaviourCheck, ModelSpec, ScenarioSpec


@dataclass(frozen=True)
class CheckResult:
    """One behaviour test, judged.

    Attributes
    ----------
    index : int
        Its place in the model's ``checks`` (0-based).
    check : BehaviourCheck
    central : Verdict
        On the run at the central values (one entry).
    ensemble : Verdict or None
        On each kept member of the ensemble (None: no ensemble).
    """

    index: int
    check: BehaviourCheck
    central: Verdict
    ensemble: Verdict | None = None

    @property
    def holds_at_modes(self) -> bool:
        """True when the statement is true in the run at the central values."""
        return bool(self.central.holds[0])

    @property
    def share(self) -> float | None:
        """The share of the ensemble's runs in which it holds (0-1; None: no ensemble)."""
        return None if self.ensemble is None else share(self.ensemble)

    @property
    def runs(self) -> int:
        """The number of ensemble runs the share is over (0: no ensemble)."""
        return 0 if self.ensemble is None else int(self.ensemble.holds.size)

    @property
    def passed(self) -> bool:
        """True when it holds at the central values and, with an ensemble and a ``min_share``, in at least
        that share of the runs."""
        minimum = self.check.min_share
        return self.holds_at_modes and (self.share is None or minimum is None or self.share >= minimum - 1e-12)


@dataclass(frozen=True)
class CheckRuns:
    """What :func:`run_checks` returns: every check in the model's order, and the runs' warnings."""

    results: tuple[CheckResult, ...]
    warnings: tuple[str, ...] = ()
    uncertainty: Uncertainty | None = None

    @property
    def failed(self) -> list[CheckResult]:
        """The checks that did not pass."""
        return [r for r in self.results if not r.passed]


def _judge(index: int, check: BehaviourCheck, run: ScenarioRun) -> CheckResult:
    """``check`` on the run of its scenario, and on the ensemble's kept members when it has one."""
    node = run.result.node_ids.index(check.node)
    times, baseline = run.result.times, run.result.baseline[:, node]
    central = evaluate(check, times, baseline, run.result.delta[:, node])
    ensemble = None
    if run.ensemble is not None and run.ensemble.members is not None:
        ensemble = evaluate(check, times, baseline, np.asarray(run.ensemble.members[:, node, :]))
    return CheckResult(index, check, central, ensemble)


def _scenario(model: ModelSpec, check: BehaviourCheck, index: int) -> ScenarioSpec:
    return ScenarioSpec(
        name=f"{model.name}-check-{index + 1}", model="", time=model.time, interventions=list(check.interventions)
    )


def _groups(model: ModelSpec) -> dict[str, list[int]]:
    """Check indices by their interventions: checks doing the same share one scenario."""
    groups: dict[str, list[int]] = {}
    for i, check in enumerate(model.checks):
        key = repr([item.model_dump() for item in check.interventions])
        groups.setdefault(key, []).append(i)
    return groups


def prepare_checks(model: ModelSpec, file: str = "") -> list[tuple[list[int], PreparedScenario]]:
    """Each distinct set of interventions of the model's checks as a prepared scenario, with the checks it serves.

    Raises
    ------
    InputError
        When the model (checks included) would be refused by ``bwsim validate``, or a run is above the budget.
    """
    return [
        (indices, prepare_scenario(_scenario(model, model.checks[indices[0]], indices[0]), model, file))
        for indices in _groups(model).values()
    ]


def run_checks(
    model: ModelSpec, uncertainty: Uncertainty | None = None, *, file: str = "", threads: int = 1
) -> CheckRuns:
    """Run and judge every behaviour test of ``model``.

    Parameters
    ----------
    uncertainty : Uncertainty, optional
        With ``samples``: each check's scenario also runs as an ensemble of that many
        members (``seed``, ``method``); the share of runs is over the members the
        ensemble keeps at every time (the first :data:`simulator.analysis.report.MAX_MEMBERS`).
    file : str
        The model's file, named in messages.
    threads : int
        Threads for the ensembles (as :func:`simulator.runner.run_prepared`).

    Raises
    ------
    InputError
        A model or ensemble settings ``bwsim validate`` or ``bwsim run`` would refuse (every
        problem, before anything runs).
    NumericalError
        When a run blows up.
    """
    groups = prepare_checks(model, file)
    settings = None
    if uncertainty is not None and uncertainty.samples is not None:
        settings = Uncertainty(*uncertainty.resolved())
        problems = {
            (p.file, p.place, str(p.message)): p
            for _, prep in groups  # the same model in each: once
            for p in check_uncertainty(prep, settings)
        }
        if problems:
            raise InputError(list(problems.values()))
    found: dict[int, CheckResult] = {}
    warnings: list[str] = []
    for indices, prep in groups:  # one scenario at a time: its kept members are let go before the next runs
        sample = None if settings is None else draw_sample(prep, settings)
        run = run_prepared(prep, settings, sample=sample, scorecard=False, member_times="all", threads=threads)
        warnings += [w for w in run.warnings if w not in warnings]
        found.update({i: _judge(i, model.checks[i], run) for i in indices})
    results = [found[i] for i in range(len(model.checks))]
    return CheckRuns(tuple(results), tuple(warnings), settings)
