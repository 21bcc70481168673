"""A future is a scenario: interventions and a group's own link assumptions.

It is stored as scenario YAML (the format of FORMATS.md) so it can be read,
downloaded and run like any scenario file, and is always run against the
model version it was made with, kept in the database.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from simulator.errors import ErrorText, InputError, Problem, SimulatorError
from simulator.io.spec_files import ModelFile, ScenarioFile, load_model_text, load_scenario_text
from simulator.io.yaml_writer import dump_yaml
from simulator.messages import msg
from simulator.results import RunResult
from simulator.scenario_run import baseline_scenario, prepare_scenario, run_deterministic
from simulator.spec import ScenarioSpec
from simulator.workshop.records import FutureVersion, ModelVersion


def scenario_yaml(spec: ScenarioSpec) -> str:
    """A scenario as the text of a scenario file (distributions in their short form)."""
    data: dict[str, Any] = spec.model_dump(mode="python", by_alias=True, exclude_none=True, exclude_defaults=True)
    data.setdefault("model", spec.model)
    if spec.time is not None:  # written out whole, not as the fields that differ from the defaults
        data["time"] = spec.time.model_dump()
    links = spec.overrides.links
    for i, override in enumerate(links):
        for key in ("weight", "lag"):
            value = getattr(override, key)
            if value is not None:
                data["overrides"]["links"][i][key] = value.to_yaml()
    return dump_yaml(data)


@functools.lru_cache(maxsize=32)
def _cached_model(yaml_text: str, source: str) -> ModelFile:
    return load_model_text(yaml_text, source)


def model_file(version: ModelVersion) -> ModelFile:
    """The validated model of a stored model version (cached by content).

    Raises
    ------
    InputError
        The stored model no longer validates (e.g. under a newer bwsim).
    """
    return _cached_model(version.yaml, f"model {version.name} ({version.sha256[:8]})")


def check_future_yaml(text: str, model: ModelFile, future: str) -> ScenarioFile:
    """Validate a future's scenario text against ``model``; returns the scenario.

    Raises
    ------
    InputError
        Every problem, located in the future's scenario.
    """
    return load_scenario_text(text, f"future '{future}'", model)


@dataclass(frozen=True)
class FutureRun:
    """A future run on the model it was made with and, if that changed, on the current model.

    Attributes
    ----------
    version : FutureVersion
    result : RunResult or None
        On the model version it was made with (None when that cannot run).
    current : RunResult or None
        On the workshop's current model, when it differs (None when the future
        no longer validates there, or when the model did not change).
    model_changed : bool
        The workshop's model changed since this version was saved.
    problems : tuple of str
        Why a run is missing, as text for people.
    failure : str
        Why the run compared with the others (:attr:`latest_result`) is missing,
        e.g. the run blew up ("" when it ran).
    """

    version: FutureVersion
    result: RunResult | None
    current: RunResult | None
    model_changed: bool
    problems: tuple[str, ...] = ()
    failure: str = ""

    @property
    def latest_result(self) -> RunResult | None:
        """The result to compare with others: on the current model when possible."""
        if self.model_changed:
            return self.current
        return self.result


def run_version(version: FutureVersion, model: ModelFile, label: str | None = None) -> RunResult:
    """Run a saved future on ``model`` at the modes, named ``label`` (default: group / future).

    Raises
    ------
    InputError
        The future does not validate on ``model``.
    """
    scenario = check_future_yaml(version.scenario_yaml, model, version.future).spec
    result = run_deterministic(prepare_scenario(scenario, model.spec))
    return RunResult(label or version.label, result.node_ids, result.times, result.baseline, result.delta)


def run_future(version: FutureVersion, made_with: ModelVersion, current: ModelVersion) -> FutureRun:
    """Run a future on its own model, and on the current model if that changed since.

    Never raises for a future that cannot run: the reasons are in ``problems``.
    """
    changed = made_with.sha256 != current.sha256
    problems: list[str] = []
    own, own_failure = _try_run(version, made_with, problems, msg("with the model it was made with"))
    now, now_failure = _try_run(version, current, problems, msg("with the current model")) if changed else (None, "")
    return FutureRun(version, own, now, changed, tuple(problems), now_failure if changed else own_failure)


def _try_run(
    version: FutureVersion, model: ModelVersion, problems: list[str], what: str
) -> tuple[RunResult | None, str]:
    """The run, or None and why not (also appended to ``problems`` with the future's label)."""
    try:
        return run_version(version, model_file(model)), ""
    except SimulatorError as exc:
        reason = msg("cannot run {what}: {error}", what=what, error=ErrorText(exc))
    problems.append(msg("{future} {reason}", future=version.label, reason=reason))
    return None, reason


def baseline_run(model: ModelVersion, reference: ScenarioSpec | None = None) -> RunResult:
    """The model's baseline (no interventions) on the reference scenario's time grid."""
    loaded = model_file(model)
    time = reference.time if reference is not None else None
    return run_deterministic(prepare_scenario(baseline_scenario(loaded.spec, time), loaded.spec))


def problem_text(exc: InputError) -> list[str]:
    """The problems of an error, one line each (for the app)."""
    return [str(p) for p in exc.problems]


__all__ = [
    "FutureRun",
    "Problem",
    "baseline_run",
    "check_future_yaml",
    "model_file",
    "problem_text",
    "run_future",
    "run_version",
    "scenario_yaml",
]
