"""The one place that makes a fitted model file: the original model with the fitted values and their provenance.

``bwsim calibrate --out`` and the app's download both write what
:func:`fitted_model_text` returns: the original model's text, comments and key
order kept, with each fitted link's weight (and lag) replaced by the fit and
``evidence.calibration`` recording the estimate, its interval, the prior, the
data and the fit statistics. The text is checked to load as a model before it
is returned.
"""

from __future__ import annotations

import math
import re
from typing import Any

from simulator.calibrate import CalibrationResult, ParameterEstimate
from simulator.errors import InputError
from simulator.io.spec_files import ModelFile, load_model_text
from simulator.io.yaml_file import PathKey
from simulator.io.yaml_writer import REMOVE, SharedValueError, dump_yaml, rewrite_yaml
from simulator.messages import msg

METHOD = "weighted least squares (bwsim calibrate)"


def _plain(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"(^|[\s,]){re.escape(name)}([\s,:]|$)", text) is not None


def _fitted_distribution(e: ParameterEstimate, prior: Any) -> Any:
    """The file form of a fitted parameter: triangular interval-low / estimate / interval-high.

    The interval is clipped to the prior range; an unidentified parameter keeps its prior.
    """
    if not e.identified or not (math.isfinite(e.low) and math.isfinite(e.high)):
        return prior
    low = max(e.low, e.parameter.low)
    high = min(e.high, e.parameter.high)
    return {"low": float(min(low, e.estimate)), "mode": float(e.estimate), "high": float(max(high, e.estimate))}


def _link_index(data: dict[str, Any], key: str) -> int:
    """Index in the document's ``links`` of the link ``from->to``."""
    for i, link in enumerate(data.get("links") or []):
        if isinstance(link, dict) and f"{link.get('from')}->{link.get('to')}" == key:
            return i
    raise KeyError(f"the model document has no link {key}")


def fitted_model_changes(
    data: dict[str, Any], result: CalibrationResult, model_file: str, when: str
) -> dict[PathKey, Any]:
    """What calibration changes in the model document, as key path -> new value.

    Parameters
    ----------
    data : dict
        The original model document (plain data, as read); not changed.
    result : CalibrationResult
    model_file : str
        Path of the original model (recorded as provenance).
    when : str
        Date and time of the fit (ISO 8601).

    Returns
    -------
    dict
        Each fitted link gets the estimate as its mode (interval as its range),
        ``evidence.strength: data`` when every one of its parameters is
        identified, and ``evidence.calibration`` with the estimate, standard
        error, interval, prior, data file, date and fit statistics.
    """
    fit = {s.node: {"n": s.n, "rmse": _plain(s.rmse), "r2": _plain(s.r2)} for s in result.series}
    by_link: dict[str, list[ParameterEstimate]] = {}
    for e in result.estimates:
        by_link.setdefault(e.parameter.key, []).append(e)
    changes: dict[PathKey, Any] = {}
    for key, estimates in by_link.items():
        index = _link_index(data, key)
        link = data["links"][index]
        calibration: dict[str, Any] = {
            "method": METHOD,
            "date": when,
            "data": result.data_file,
            "data_sha256": result.data_sha256,
            "scenario": result.scenario,
            "model": model_file,
            "n_obs": result.n_obs,
            "fit": fit,
        }
        scored = next((k for k in ("score", "scores") if k in link), None)  # expert scores make the weight
        for e in estimates:
            from_scores = e.parameter.kind == "weight" and scored is not None
            prior = {scored: link[scored]} if from_scores else link.get(e.parameter.kind, 0.0)
            calibration[e.parameter.kind] = {
                "estimate": float(e.estimate),
                "se": _plain(e.se),
                "low": _plain(e.low),
                "high": _plain(e.high),
                "interval": e.interval,
                "identified": e.identified,
                "at_bound": e.at_bound,
                "cut_to_range": e.cut_to_range,
                "prior": prior,
            }
            fitted = _fitted_distribution(e, prior)
            if fitted is prior and from_scores:
                continue  # not identified: the scores stay
            changes[("links", index, e.parameter.kind)] = fitted
            if from_scores:  # the fitted weight replaces the scores (kept in evidence.calibration's prior)
                changes[("links", index, scored)] = REMOVE
        names = {e.parameter.name for e in estimates}
        related = [w for w in result.warnings if any(_mentions(w, n) for n in names)]
        if related:
            calibration["warnings"] = related
        if all(e.identified for e in estimates):
            changes[("links", index, "evidence", "strength")] = "data"
        changes[("links", index, "evidence", "calibration")] = calibration
    return changes


def fitted_model_text(
    model: ModelFile, result: CalibrationResult, scenario_file: str, when: str, name: str = "fitted model"
) -> str:
    """The fitted model as the text of a model file, with a header saying where it came from.

    The original's comments, key order and layout are kept (see
    :func:`fitted_model_changes` for what changes). ``name`` is used in
    messages should the result not load.

    Raises
    ------
    InputError
        A fitted value lies in a part of the model shared through a YAML anchor
        (the fit would change other links too), located at it; or the fitted
        model does not load as a model (a bug: a fit stays inside the links'
        ranges). Nothing should be written then.
    """
    header = (
        f"Calibrated by bwsim calibrate on {when}\nfrom model {model.path}, data {result.data_file}, "
        f"scenario {scenario_file}.\nFitted values and their provenance are in each fitted link's "
        "evidence.calibration; the original model is unchanged."
    )
    data = model.document.data
    changes = fitted_model_changes(data, result, model.path, when)
    try:
        text = rewrite_yaml(model.document.text or dump_yaml(data), changes, header)  # no text: built in code
    except SharedValueError as exc:
        raise InputError(
            model.document.problem(
                exc.path,
                msg(
                    "a fitted value lies in a part of the model shared through a YAML anchor (&name / *name): "
                    "writing the fit there would change every link that refers to it"
                ),
                msg("write this link's values out in full instead of referring to an anchor, then calibrate again"),
            )
        ) from None
    load_model_text(text, name)  # raises InputError should it not load
    return text


__all__ = ["fitted_model_changes", "fitted_model_text"]
