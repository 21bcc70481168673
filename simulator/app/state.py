"""Everything the pages share: cached model loading and runs, session state, error display.

All calls into :mod:`simulator` that the pages make go through here, so that
caching lives in one place. Models are cached by the SHA-256 of their text
(``st.cache_resource``: specs and compiled arrays are immutable), runs by the
model's hash and the scenario's JSON. What the pages make from a cached run or
scorecard (sentences, scorecard cells, figures) can be cached with it by
:func:`memo`, so that a rerun rebuilds only what a slider changed.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import streamlit as st

from simulator import overrides as ov
from simulator.app import future as fut
from simulator.app import plain_text
from simulator.app.i18n import error_text as core_error_text
from simulator.app.i18n import problem_lines, t, unit_label
from simulator.errors import InputError, NumericalError, SimulatorError
from simulator.io.spec_files import (
    ModelFile,
    load_model,
    load_model_text,
    load_scenario,
    load_scenario_text,
)
from simulator.io.yaml_writer import dump_yaml
from simulator.results import RunResult
from simulator.scenario_run import (
    PreparedScenario,
    baseline_scenario,
    prepare_scenario,
)
from simulator.spec import ModelSpec, ScenarioSpec

T = TypeVar("T")

REPO = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = REPO / "models" / "medtech-heerlen.yaml"
MAX_UPLOAD_BYTES = 1_000_000
OWN_MODEL = "__own__"


def language() -> str:
    """The current language, "nl" (default) or "en"."""
    return "en" if st.session_state.get("lang") == "en" else "nl"


def tr(key: str, **values: object) -> str:
    """:func:`simulator.app.i18n.t` in the current language."""
    return t(key, language(), **values)


LANGUAGE_WIDGETS = (
    "scenario_pick",
    "assume_pick",
    "paths_pick",
    "place_family",
    "focus_pick",
    "compare_pick",
    "compare_node",
    "export_node",
    "preview_node",
    "monitor_source",
    "monitor_node",
    "obs_source",
    "cal_links",
    "sa_output",
    "mon_node",
    "ws_preview_node",
    "ws_outcome",
    "ws_nodes",
)


def wkey(name: str, lang: str | None = None) -> str:
    """The key of a widget whose option labels depend on the language: ``name`` in Dutch, ``name:en`` in English.

    A keyed widget keeps the labels it was first drawn with, so such widgets get a
    key per language; :func:`carry_language_widgets` carries their values across.
    Dutch, the default language, keeps the plain name.
    """
    lang = lang or language()
    return name if lang == "nl" else f"{name}:{lang}"


REDRAWN_PREFIXES = ("lever:", "assume:")
REDRAWN_KEYS = ("year", "band", "compare_year", "compare_band", "cal_starts", "sa_year", "mon_level")
"""Widgets keyed by one name in both languages whose label is translated (sliders, toggles)."""


def carry_language_widgets() -> None:
    """After a language switch, give each language-keyed widget the value it had (ids, not labels).

    A widget whose label is translated is drawn anew in the browser after a switch;
    when the switch interrupted a run, the browser would draw it at its default
    (a slider at its minimum) while the app kept the value. Setting the values of
    those widgets again sends them along, so both agree.
    """
    lang = language()
    other = "nl" if lang == "en" else "en"
    for name in LANGUAGE_WIDGETS:
        old, new = wkey(name, other), wkey(name)
        if old in st.session_state and new not in st.session_state:
            st.session_state[new] = st.session_state[old]
    if st.session_state.get("drawn_language", lang) != lang:
        for key in list(st.session_state):
            if str(key).startswith(REDRAWN_PREFIXES) or key in REDRAWN_KEYS:
                st.session_state[key] = st.session_state[key]
    st.session_state["drawn_language"] = lang


def default_model_path() -> Path:
    """``BWSIM_MODEL`` when set, else the built-in Heerlen model."""
    given = os.environ.get("BWSIM_MODEL")
    return Path(given) if given else DEFAULT_MODEL


def model_paths() -> list[Path]:
    """Models to choose from: the default one first, then ``models/*.yaml`` of the repository."""
    paths = [default_model_path().resolve()]
    folder = REPO / "models"
    if folder.is_dir():
        paths += [
            p.resolve()
            for p in sorted(folder.glob("*.yaml"))
            if p.resolve() not in paths and not p.name.endswith(".ambitions.yaml")
        ]  # a model's ambitions
    return paths


@st.cache_resource(max_entries=16, show_spinner=False)
def _model_from_file(path: str, mtime: float) -> ModelFile:
    return load_model(path)


@st.cache_resource(max_entries=16, show_spinner=False)
def model_from_text(text: str, name: str) -> ModelFile:
    """Validate model text (cached). Raises InputError like ``bwsim validate``."""
    return load_model_text(text, name)


@st.cache_resource(max_entries=16, show_spinner=False)
def _ambitions_file(path: str, mtime: float, model_key: str, _model: ModelSpec):
    from simulator.io.ambition_files import load_ambitions

    return load_ambitions(path, _model)


def ambitions_of(cur: Current):
    """The ambitions beside the model's file (``<model>.ambitions.yaml``, docs/formats.md), or None when
    there is none (an uploaded or edited model has none).

    Raises
    ------
    InputError
        When the file beside the model is invalid.
    """
    from simulator.io.ambition_files import ambitions_beside

    path = ambitions_beside(cur.model.path)
    if not path.is_file():
        return None
    return _ambitions_file(str(path), path.stat().st_mtime, cur.key, cur.model.spec)


def model_from_file(path: Path) -> ModelFile:
    """Read and validate a model file (cached until the file changes)."""
    return _model_from_file(str(path), path.stat().st_mtime if path.is_file() else 0.0)


def model_to_yaml(model: ModelSpec) -> str:
    """The model as YAML text that ``bwsim validate`` accepts."""
    data = model.model_dump(by_alias=True, exclude_none=True)
    return dump_yaml(data)


def scenario_to_yaml(scenario: ScenarioSpec, model_ref: str) -> str:
    """The scenario as YAML text, naming ``model_ref`` as its model file."""
    data = scenario.model_dump(by_alias=True, exclude_none=True)
    data["model"] = model_ref
    if not data.get("overrides", {}).get("links") and not data.get("overrides", {}).get("nodes"):
        data.pop("overrides", None)
    return dump_yaml(data)


@dataclass(frozen=True)
class Current:
    """The model in use and the scenarios that fit it.

    Attributes
    ----------
    model : ModelFile
    key : str
        The model's SHA-256 (cache key).
    scenarios : dict of str to ScenarioSpec
        Scenario name -> spec (shipped files that fit the model, then uploads).
    file_ref : str
        How a downloaded scenario names its model file.
    """

    model: ModelFile
    key: str
    scenarios: dict[str, ScenarioSpec]
    file_ref: str


def scenario_paths(model_path: Path) -> list[Path]:
    """Scenario files beside the repository's and the model's ``scenarios`` folders."""
    folders = {REPO / "scenarios", model_path.parent.parent / "scenarios", model_path.parent}
    out: list[Path] = []
    for folder in sorted(folders):
        if folder.is_dir():
            out += [p.resolve() for p in sorted(folder.glob("*.yaml")) if p.resolve() not in out]
    return out


@st.cache_resource(max_entries=16, show_spinner=False)
def _file_scenarios(
    model_key: str, mtimes: tuple[float, ...], _model: ModelFile, paths: tuple[str, ...]
) -> dict[str, ScenarioSpec]:
    """Scenarios among ``paths`` that name a model and are valid against the model in use."""
    found: dict[str, ScenarioSpec] = {}
    for path in paths:
        try:
            loaded = load_scenario(path, _model)
        except (InputError, OSError):
            continue
        found.setdefault(loaded.spec.name, loaded.spec)
    return found


def file_scenarios(model: ModelFile, paths: list[Path]) -> dict[str, ScenarioSpec]:
    """Scenarios among ``paths`` valid on ``model`` (cached until a file changes)."""
    mtimes = tuple(p.stat().st_mtime if p.is_file() else 0.0 for p in paths)
    return _file_scenarios(model.sha256, mtimes, model, tuple(str(p) for p in paths))


def _uploaded_scenarios(model: ModelFile) -> dict[str, ScenarioSpec]:
    found = {}
    for name, text in st.session_state.get("uploaded_scenarios", {}).items():
        try:
            spec = load_scenario_text(text, name, model).spec
        except InputError:
            continue
        found[spec.name] = spec
    return found


def current() -> Current:
    """The model in use (sidebar choice, or the own edited/uploaded one) and its scenarios.

    Raises
    ------
    InputError
        When the chosen model file is invalid.
    """
    choice = st.session_state.get("model_choice") or str(model_paths()[0])
    own = st.session_state.get("own_model")
    if choice == OWN_MODEL and own:
        model = model_from_text(own["text"], own["name"])
        ref = own["name"]
        paths = scenario_paths(default_model_path().resolve())
    else:
        path = Path(choice)
        model = model_from_file(path)
        ref = os.path.relpath(path, REPO / "scenarios") if path.is_relative_to(REPO) else str(path)
        paths = scenario_paths(path)
    scenarios = file_scenarios(model, paths) | _uploaded_scenarios(model)
    future = get_future()
    if future.scenario is None:
        future.scenario = fut.default_scenario(scenarios)
    return Current(model, model.sha256, scenarios, ref)


def _key(scenario: ScenarioSpec) -> str:
    """The cache key of a scenario: its full JSON."""
    return scenario.model_dump_json(by_alias=True)


def scenario_key(scenario: ScenarioSpec | None) -> str:
    """The cache key of a scenario (its full JSON; "" for none), for :func:`memo` keys."""
    return "" if scenario is None else _key(scenario)


@st.cache_resource(max_entries=2048, show_spinner=False)
def _memo(kind: str, key: Hashable, _make: Callable[[], object]) -> object:
    return _make()


def memo(kind: str, key: Hashable, make: Callable[[], T]) -> T:
    """``make()``, made once per ``kind`` and ``key`` for every session (cached; the value is shared, so
    it must not be changed by its users: return tuples, text, or figures only read).

    ``key`` must name everything ``make`` reads: the model (``Current.key``), the scenarios
    (:func:`scenario_key`), the year, the number of samples, the language. Used for what a page
    derives from a cached run or scorecard, so that a rerun after a slider move rebuilds only what
    the move changed and reuses the rest (the other runs' sentences, the same figures).
    """
    return _memo(kind, key, make)  # type: ignore[return-value]


def current_default() -> Current:
    """The default model (not the own one) with its scenarios."""
    path = model_paths()[0]
    model = model_from_file(path)
    scenarios = file_scenarios(model, scenario_paths(path))
    return Current(model, model.sha256, scenarios, str(path))


@st.cache_resource(max_entries=64, show_spinner=False)
def _prepared(model_key: str, _model: ModelSpec, scenario_json: str, _scenario: ScenarioSpec) -> PreparedScenario:
    return prepare_scenario(_scenario, _model)


def prepared(cur: Current, scenario: ScenarioSpec) -> PreparedScenario:
    """The scenario applied to the model in use and compiled (cached)."""
    return _prepared(cur.key, cur.model.spec, _key(scenario), scenario)


@st.cache_resource(max_entries=256, show_spinner=False)
def _run(model_key: str, _model: ModelSpec, scenario_json: str, _scenario: ScenarioSpec) -> RunResult:
    from simulator.runner import run_prepared

    prepared_ = _prepared(model_key, _model, scenario_json, _scenario)
    return run_prepared(prepared_, scorecard=False, warnings=()).result


def run(cur: Current, scenario: ScenarioSpec) -> RunResult:
    """A deterministic run (cached). Raises NumericalError when the run blows up."""
    return _run(cur.key, cur.model.spec, _key(scenario), scenario)


@st.cache_resource(max_entries=16, show_spinner=False)
def _checks(model_key: str, _model: ModelSpec, samples: int):
    from simulator.reality_checks import run_checks
    from simulator.runner import Uncertainty

    return run_checks(_model, Uncertainty(samples, 0, "lhs") if samples else None)


def checks_of(cur: Current, samples: int = 0):
    """The model's behaviour tests, run (:class:`simulator.reality_checks.CheckRuns`, cached); with
    ``samples``, also over an ensemble of that many runs (seed 0). Raises InputError, NumericalError."""
    return _checks(cur.key, cur.model.spec, int(samples))


def baseline_spec(cur: Current, time_from: ScenarioSpec | None = None) -> ScenarioSpec:
    """The no-intervention scenario on the model in use."""
    time = time_from.time if time_from is not None and time_from.time is not None else cur.model.spec.time
    return baseline_scenario(cur.model.spec, time)


@st.cache_resource(max_entries=32, show_spinner=False)
def _experiments(
    model_key: str,
    _model: ModelSpec,
    scenario_json: str,
    _scenario: ScenarioSpec,
    samples: int,
    seed: int,
):
    """The scenario with its ensemble, through the one runner: drawn once, simulated once, every member kept
    at every time (so the year slider scores any year from the same members)."""
    from simulator.runner import Uncertainty, run_prepared

    prepared_ = _prepared(model_key, _model, scenario_json, _scenario)
    return run_prepared(prepared_, Uncertainty(samples, seed, "lhs"), scorecard=False, member_times="all", warnings=())


def experiments(cur: Current, scenario: ScenarioSpec, samples: int, seed: int = 0):
    """The scenario run with ``samples`` ensemble members (:class:`simulator.runner.ScenarioRun`, cached)."""
    return _experiments(cur.key, cur.model.spec, _key(scenario), scenario, int(samples), int(seed))


def ensemble(cur: Current, scenario: ScenarioSpec, samples: int, seed: int = 0):
    """Ensemble summary (p05/p50/p95 of the deviations) of ``scenario`` (cached); None when unavailable."""
    try:
        import simulator.ensemble  # noqa: F401
    except ImportError:
        return None
    return experiments(cur, scenario, samples, seed).ensemble


@st.cache_resource(max_entries=128, show_spinner=False)
def _scorecard(
    model_key: str,
    _model: ModelSpec,
    scenario_json: str,
    _scenario: ScenarioSpec,
    year: float,
    samples: int,
    language: str,
):
    from simulator.runner import ScenarioRun

    if samples:
        return _experiments(model_key, _model, scenario_json, _scenario, samples, 0).scorecard_at([year], language)
    # From the cached deterministic run (the one the page shows), not a second simulation of it.
    prepared_ = _prepared(model_key, _model, scenario_json, _scenario)
    result = _run(model_key, _model, scenario_json, _scenario)
    return ScenarioRun(prepared_, result).scorecard_at([year], language)


def scorecard_of(cur: Current, scenario: ScenarioSpec, year: float, samples: int = 0):
    """The one-year scorecard of ``scenario`` (cached); with ``samples``, verdict shares over the ensemble's
    members (the same runs as its band)."""
    return _scorecard(cur.key, cur.model.spec, _key(scenario), scenario, float(year), int(samples), language())


@st.cache_resource(max_entries=64, show_spinner=False)
def _stability(model_key: str, _model: ModelSpec, scenario_json: str, _scenario: ScenarioSpec) -> str:
    from simulator.analysis.report import stability_warning

    return stability_warning(_prepared(model_key, _model, scenario_json, _scenario))


def stability_warning(cur: Current, scenario: ScenarioSpec) -> str:
    """A warning when the scenario's model is unstable ("" when stable), without running it (cached).

    Stability is of the model with the scenario's overrides on its horizon; the interventions play no
    part, so the cache key leaves them out: a lever move (a new intervention) finds the warning made."""
    bare = scenario.model_copy(update={"interventions": []})
    return _stability(cur.key, cur.model.spec, _key(bare), bare)


@st.cache_resource(max_entries=64, show_spinner=False)
def _ensemble_stability(
    model_key: str, _model: ModelSpec, scenario_json: str, _scenario: ScenarioSpec, samples: int
) -> str:
    from simulator.analysis.report import ensemble_stability_warning

    run_ = _experiments(model_key, _model, scenario_json, _scenario, samples, 0)
    return ensemble_stability_warning(run_.prepared, samples, sample=run_.sample)


def ensemble_stability_warning(cur: Current, scenario: ScenarioSpec, samples: int) -> str:
    """A warning when some members of the uncertainty band make the model unstable ("" when none do; cached)."""
    return _ensemble_stability(cur.key, cur.model.spec, _key(scenario), scenario, int(samples))


MONITOR_SAMPLES = 500
"""Ensemble members behind the monitor's expected band."""


@st.cache_resource(max_entries=32, show_spinner=False)
def _monitor(
    model_key: str,
    _model: ModelSpec,
    scenario_json: str,
    _scenario: ScenarioSpec,
    data_key: str,
    _observed,
    samples: int,
):
    from simulator.monitor import monitor

    return monitor(_prepared(model_key, _model, scenario_json, _scenario), _observed, samples, 0)


def monitor_of(cur: Current, scenario: ScenarioSpec, observed, samples: int = MONITOR_SAMPLES):
    """Observations against the scenario's expected 5-95 % band (:func:`simulator.monitor.monitor`, cached).

    ``observed`` (:class:`simulator.observed.ObservedData`) must carry its ``sha256``: it is the cache key.
    """
    key = observed.sha256 or observed.table.to_csv(index=False)
    return _monitor(cur.key, cur.model.spec, _key(scenario), scenario, key, observed, int(samples))


EVALUATION_SAMPLES = 200
"""Ensemble members behind the expected band of the evaluation after the fact (the policy-cycle page)."""


@st.cache_resource(max_entries=16, show_spinner=False)
def _evaluation(
    model_key: str,
    _model: ModelSpec,
    scenario_json: str,
    _scenario: ScenarioSpec,
    data_key: str,
    _observed,
    since: float,
    samples: int,
):
    from simulator.evaluate import evaluate
    from simulator.runner import Uncertainty

    prepared_ = _prepared(model_key, _model, scenario_json, _scenario)
    return evaluate(prepared_, _observed, since, Uncertainty(samples, 0, "lhs"))


def evaluation_of(cur: Current, scenario: ScenarioSpec, observed, since: float, samples: int = EVALUATION_SAMPLES):
    """The policy's observed impact against the scenario's expected impact (:func:`simulator.evaluate.evaluate`,
    seed 0, Latin hypercube, as ``bwsim evaluate --samples N``; cached). ``observed`` must carry its ``sha256``.

    Raises
    ------
    InputError
        When the observations do not fit ``since`` (too few before it, none from it on).
    """
    key = observed.sha256 or observed.table.to_csv(index=False)
    return _evaluation(cur.key, cur.model.spec, _key(scenario), scenario, key, observed, float(since), int(samples))


def get_future() -> fut.Future:
    """The future being built (kept across pages in the session)."""
    if "future" not in st.session_state:
        st.session_state["future"] = fut.Future()
    return st.session_state["future"]


def set_future(future: fut.Future) -> None:
    """Replace the future being built and forget the sliders' positions."""
    st.session_state["future"] = future
    for key in [k for k in st.session_state if str(k).startswith(("lever:", "assume:", "timing:"))]:
        del st.session_state[key]


def future_specs(
    cur: Current,
) -> tuple[ScenarioSpec | None, list[ov.Lever], ScenarioSpec, ScenarioSpec | None]:
    """(starting scenario, levers, future with default assumptions, future with own assumptions)."""
    future = get_future()
    base = cur.scenarios.get(future.scenario or "")
    levers = ov.levers(cur.model.spec, list(cur.scenarios.values()))
    defaults, own = fut.build_scenarios(cur.model.spec, base, levers, future)
    return base, levers, defaults, own


def error_text(exc: BaseException) -> str:
    """An error as Markdown for people, never a traceback; what it quotes (a label, a name, a file's
    text) is escaped, so it shows as text."""
    if isinstance(exc, InputError):
        return tr("input_error", message="") + "\n\n" + plain_text.markdown_lines(problem_lines(exc, language()))
    if isinstance(exc, NumericalError):
        return tr("numerical_error", message=plain_text.markdown(core_error_text(exc, language())))
    if isinstance(exc, SimulatorError):
        return plain_text.markdown(core_error_text(exc, language()))
    traceback.print_exc()  # for the server log only
    return tr("unexpected_error", kind=type(exc).__name__)


def show_error(exc: BaseException) -> None:
    """Show an error on the page as text for people, never a traceback."""
    st.error(error_text(exc))


def label_of(model: ModelSpec, node_id: str) -> str:
    """A node's label in the current language."""
    return model.node(node_id).label.get(language())


def unit_of(model: ModelSpec, node_id: str) -> str:
    """A node's unit in the current language (Dutch unit words in Dutch)."""
    return unit_label(model.node(node_id).shown_unit, language())


@dataclass(frozen=True)
class Share:
    """The share link's code for the current future, and what travels with it and what does not.

    Attributes
    ----------
    code : str
        The ``?f=`` value (:func:`simulator.app.future.encode_future`).
    carries : list of str
        Message keys (:mod:`simulator.app.i18n`) of what the link carries besides the sliders.
    lost : list of str
        What cannot travel in a URL (English technical words: a field of a link or node).
    """

    code: str
    carries: list[str]
    lost: list[str]


def share(cur: Current) -> Share:
    """The share link of the current future: the sliders, the model file's name when it is not the default,
    an uploaded starting scenario as text, and own model edits as that scenario's overrides.

    A link that would be longer than a link may be (:data:`simulator.app.future.MAX_SHARE_CHARS`) carries
    the sliders only, and says so.
    """
    link = _share(cur)
    if len(link.code) <= fut.MAX_SHARE_CHARS:
        return link
    return Share(fut.encode_future(get_future()), [], ["the link would be too long"])


def _share(cur: Current) -> Share:
    future = get_future()
    start = cur.scenarios.get(future.scenario or "")
    carries: list[str] = []
    lost: list[str] = []
    own = st.session_state.get("own_model")
    if st.session_state.get("model_choice") == OWN_MODEL and own:
        base = current_default()
        spec, lost = fut.shared_scenario(base.model.spec, cur.model.spec, start, base.file_ref)
        shared_text = scenario_to_yaml(spec, base.file_ref)
        try:
            load_scenario_text(shared_text, "link.yaml", base.model)
        except InputError:
            lost = ["the network itself (nodes or links added or removed)"]
            return Share(fut.encode_future(future), [], lost)
        carries.append("share_carries_edits")
        linked = fut.Future(spec.name, future.levers, future.timing, future.assumptions)
        return Share(fut.encode_future(linked, None, shared_text), carries, lost)
    choice = st.session_state.get("model_choice")
    model = Path(choice).stem if choice and choice != str(model_paths()[0]) else None
    if model:
        carries.append("share_carries_model")
    text: str | None = None
    if start is not None and future.scenario in _uploaded_scenarios(cur.model):
        text = scenario_to_yaml(start, cur.file_ref)
        carries.append("share_carries_scenario")
    return Share(fut.encode_future(future, model, text), carries, lost)


def open_link(link: fut.SharedLink) -> None:
    """Make the future of a share link the one being built: its model, its scenario, its sliders.

    Everything is checked first (the model is on this server, the scenario fits it, every value
    lies within its slider's or year field's range); nothing changes when a check fails.

    Raises
    ------
    simulator.app.future.LinkError
        When the link names a model file this server does not have, or a value out of range.
    InputError
        When the scenario the link carries does not fit the model.
    """
    paths = model_paths()
    path: Path | None = paths[0]
    if link.model:
        path = next((p for p in paths if p.stem == link.model), None)
    if path is None:
        raise fut.LinkError("unknown_model", f"the model '{link.model}' is not on this server", model=link.model)
    model = model_from_file(path)
    scenarios = file_scenarios(model, scenario_paths(path))
    spec = load_scenario_text(link.scenario, "link.yaml", model).spec if link.scenario else None
    if spec is not None:
        scenarios = scenarios | {spec.name: spec}
    fut.check_link(link.future, model.spec, list(scenarios.values()))
    if spec is not None:
        st.session_state.setdefault("uploaded_scenarios", {})[f"{spec.name}.yaml"] = link.scenario
    st.session_state["model_pending"] = str(path)
    set_future(link.future)
