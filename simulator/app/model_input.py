"""Uploaded files and edited tables into a validated model or scenario, or messages. No Streamlit.

Everything is checked as ``bwsim validate`` checks it
(:func:`simulator.io.spec_files.load_model_text` / ``load_scenario_text``), and
a model is also test-run: the given scenarios, and a probe that steps every node
by 1 % of its baseline (or 1 unit), so a model whose runs blow up is refused
before it replaces the one in use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.app import tables
from simulator.app.future_words import number
from simulator.app.i18n import t
from simulator.baselines import model_baselines
from simulator.errors import InputError, NumericalError, Problem
from simulator.io.spec_files import ModelFile, load_model_text, load_scenario_text
from simulator.io.yaml_file import parse_yaml
from simulator.io.yaml_writer import dump_yaml
from simulator.messages import msg
from simulator.observed import ObservedData, has_places, observed_from_text, own_rows
from simulator.scenario_run import prepare_scenario, run_deterministic
from simulator.spec import InterventionSpec, ModelSpec, ScenarioSpec, SeriesBaseline

MAX_UPLOAD_BYTES = 1_000_000
MAX_OBSERVED_BYTES = 2_000_000
"""Largest observed-data CSV the app accepts, in bytes."""


@dataclass(frozen=True)
class Outcome:
    """What became of an upload or an edit.

    Attributes
    ----------
    kind : str
        ``model``, ``scenario`` or ``refused``.
    text : str
        The file's text (empty when refused).
    model : ModelFile or None
    scenario : ScenarioSpec or None
    problems : list of str
        Messages for people (empty unless refused).
    """

    kind: str
    text: str = ""
    model: ModelFile | None = None
    scenario: ScenarioSpec | None = None
    problems: list[str] = field(default_factory=list)


def _refused(*problems: str) -> Outcome:
    return Outcome("refused", problems=list(problems))


def probe_scenario(model: ModelSpec) -> ScenarioSpec:
    """A step of 1 % of the start baseline (1 unit for a zero baseline) on every node, a year after the start."""
    start = model.time.start
    starts = model_baselines(model, np.array([start]), start)[0]
    items = []
    for node in model.nodes:
        base = node.baseline
        value = base if isinstance(base, float) else getattr(base, "value", None)
        if base is None:  # a capacity node: its baseline is derived from its inputs
            value = float(starts[model.node_ids.index(node.id)])
        elif value is None and isinstance(base, SeriesBaseline):
            value = next(iter(base.series.values()))
        if value is None:
            value = float(starts[model.node_ids.index(node.id)])
        items.append(
            InterventionSpec(
                node=node.id,
                shape="step",
                height=0.01 * abs(value) or 1.0,
                start=start + min(1.0, (model.time.end - start) / 2),
            )
        )
    return ScenarioSpec(name="probe", model="", interventions=items)


def run_problem(model: ModelSpec, scenarios: Iterable[ScenarioSpec]) -> str:
    """Why runs of ``model`` fail ("" when the probe and every scenario run)."""
    for scenario in [probe_scenario(model), *scenarios]:
        try:
            run_deterministic(prepare_scenario(scenario, model))
        except NumericalError as exc:
            name = "" if scenario.name == "probe" else f" ({scenario.name})"
            return f"{exc}{name}"
        except InputError as exc:
            return exc.describe()
    return ""


def fitting_scenarios(texts: dict[str, str], model: ModelFile) -> list[ScenarioSpec]:
    """The scenarios among ``texts`` (name -> YAML) that are valid on ``model``."""
    out = []
    for name, text in texts.items():
        try:
            out.append(load_scenario_text(text, name, model).spec)
        except InputError:
            continue
    return out


def check_model_text(text: str, name: str, scenario_texts: dict[str, str] | None = None) -> Outcome:
    """Validate a model and test-run it (probe + the scenarios in ``scenario_texts`` that fit)."""
    try:
        model = load_model_text(text, name)
    except InputError as exc:
        return _refused(*[str(p) for p in exc.problems])
    problem = run_problem(model.spec, fitting_scenarios(scenario_texts or {}, model))
    if problem:
        return _refused(f"{name}: {problem}")
    return Outcome("model", text, model=model)


def check_upload(
    raw: bytes,
    name: str,
    current: ModelFile,
    scenario_texts: dict[str, str] | None = None,
    limit: int = MAX_UPLOAD_BYTES,
) -> Outcome:
    """An uploaded file: a scenario (it names a model) checked against ``current``, or a model.

    Refuses files over ``limit`` bytes, non-UTF-8 bytes, bad YAML, and anything
    ``bwsim validate`` refuses; a model also has to run without blowing up.
    """
    if len(raw) > limit:
        return _refused(f"{name}: {len(raw) / 1e6:.1f} MB, more than the limit of {limit / 1e6:.1f} MB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _refused(f"{name}: not a UTF-8 text file; upload a YAML file")
    try:
        doc = parse_yaml(text, name)
    except InputError as exc:
        return _refused(*[str(p) for p in exc.problems])
    if isinstance(doc.data, dict) and "model" in doc.data:
        try:
            spec = load_scenario_text(text, name, current).spec
        except InputError as exc:
            return _refused(*[str(p) for p in exc.problems])
        problem = run_problem(current.spec, [spec])
        return _refused(f"{name}: {problem}") if problem else Outcome("scenario", text, scenario=spec)
    return check_model_text(text, name, scenario_texts)


def model_yaml(data: dict) -> str:
    """Model data (as from ``model_dump(by_alias=True)``) as YAML text."""
    return dump_yaml(data)


def read_observed(
    raw: bytes,
    name: str,
    node_ids: list[str],
    horizon: tuple[float, float],
    limit: int = MAX_OBSERVED_BYTES,
    regions: Mapping[str, str] | None = None,
) -> ObservedData:
    """An uploaded observed-data CSV (``node,time,value[,region,source]``), checked against a model.

    With ``regions`` (node id -> the node's region), data that name places (published statistics for
    several gemeenten, ``data/parkstad-observed.csv``) keep only each node's own place from the horizon's
    start on, as ``bwsim calibrate`` and ``bwsim monitor`` read them (:func:`simulator.observed.own_rows`):
    a fit or a band is never checked against another gemeente's or Nederland's rows.

    Parameters
    ----------
    raw : bytes
        The file as uploaded.
    name : str
        The file name used in messages.
    node_ids : list of str
        The model's nodes.
    horizon : (float, float)
        First and last year of the scenario's run.

    Raises
    ------
    InputError
        A file over ``limit`` bytes, not UTF-8, or anything :func:`simulator.observed.observed_from_text`
        refuses (every problem, each naming its row and line).
    """
    import hashlib

    if len(raw) > limit:
        raise InputError(
            Problem(
                name,
                "",
                msg("{size:.1f} MB, more than the limit of {limit:.1f} MB", size=len(raw) / 1e6, limit=limit / 1e6),
                msg("keep only the indicators you monitor"),
            )
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(Problem(name, "", msg("not a UTF-8 text file"), msg("save the table as UTF-8 CSV"))) from None
    observed = observed_from_text(
        text, name, node_ids, horizon, hashlib.sha256(raw).hexdigest(), past=regions is not None
    )
    if regions is not None and has_places(observed):
        return own_rows(observed, dict(regions), horizon[0])
    return observed


def read_real_sample(
    path: Path, node_ids: list[str], horizon: tuple[float, float], regions: Mapping[str, str]
) -> ObservedData | None:
    """The real CBS snapshot (``data/parkstad-observed.csv``) as the monitor's sample: each node's own place
    from the horizon's start on (:func:`read_observed` with ``regions``); None when it cannot be read or holds
    no row of a node's own place inside the horizon (another model, another horizon)."""
    try:
        return read_observed(path.read_bytes(), path.name, node_ids, horizon, regions=regions)
    except (InputError, OSError):
        return None


def link_head(model: ModelSpec, row: dict, language: str) -> str:
    """How a sentence about a row of the link table starts: ``"Verband Banen → Inkomen: "``."""
    return t(
        "edit_link",
        language,
        source=model.node(row["from"]).label.get(language),
        target=model.node(row["to"]).label.get(language),
    )


def node_head(model: ModelSpec, row: dict, language: str) -> str:
    """How a sentence about a row of the node table starts: ``"Bouwblok Inkomen: "``."""
    return t("edit_node", language, node=model.node(row["id"]).label.get(language))


def _link_problems(model: ModelSpec, row: dict, language: str, range_check: bool = True) -> list[str]:
    low, weight, high, lag = (tables.clean_number(row[k]) for k in ("low", "weight", "high", "lag"))
    head = link_head(model, row, language)
    out = []
    n = lambda x: number(x, language)  # noqa: E731
    if low is not None and high is not None and low > high:
        out.append(head + t("edit_low_high", language, low=n(low), high=n(high)))
    elif range_check and low is not None and high is not None and weight is not None and not low <= weight <= high:
        out.append(head + t("edit_weight_range", language, weight=n(weight), low=n(low), high=n(high)))
    if lag is not None and lag < 0:
        out.append(head + t("edit_lag", language, lag=n(lag)))
    return out


def _node_problems(model: ModelSpec, row: dict, language: str) -> list[str]:
    low, high = tables.clean_number(row["min"]), tables.clean_number(row["max"])
    if low is not None and high is not None and low > high:
        bounds = t("edit_min_max", language, low=number(low, language), high=number(high, language))
        return [node_head(model, row, language) + bounds]
    return []


def edit_problems(model: ModelSpec, links: pd.DataFrame, nodes: pd.DataFrame, language: str = "nl") -> list[str]:
    """Why the edited tables cannot make a model, one sentence per row, in ``language``.

    Checks what a row can get wrong by itself: a weight outside its low..high range
    (a fixed link whose weight alone changed stays fixed, see
    :func:`simulator.app.tables.edited_model_data`), low above high, a negative lag, a node's
    minimum above its maximum. Rows that did not change are not checked.
    """
    out: list[str] = []
    before = tables.links_table(model).to_dict("records")
    for row, original in zip(links.to_dict("records"), before, strict=False):
        if row != original:
            out += _link_problems(model, row, language, range_check=not tables.stays_fixed(row, original))
    before_nodes = tables.nodes_table(model).to_dict("records")
    for row, original in zip(nodes.to_dict("records"), before_nodes, strict=False):
        if any(tables.clean_number(row[k]) != tables.clean_number(original[k]) for k in ("min", "max")):
            out += _node_problems(model, row, language)
    return out


def unchanged(model: ModelSpec, data: dict) -> bool:
    """True when edited model data (:func:`simulator.app.tables.edited_model_data`) is the model as it is."""
    return data == model.model_dump(by_alias=True, exclude_none=True)
