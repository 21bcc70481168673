"""Small models for the app tests, with answers known by hand.

``SMALL``: jobs -> income (weight 2, range 1..3), jobs -> emissions (0.5, fixed
lag 1 year, direction down), jobs -> jobs elsewhere (-0.25). The scenario
``grow`` adds 100 jobs from 2026: by 2035 income is +200, emissions +50
(worse), jobs elsewhere -25 (worse).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np

SMALL = """\
name: small
title: {nl: "Klein model", en: "Small model"}
time: {start: 2025, end: 2040, dt: 0.25}
nodes:
  - {id: jobs, label: {nl: Banen, en: Jobs}, theme: arbeid_en_vrije_tijd, dimension: hier_en_nu, unit: jobs,
     baseline: 1000, direction: up}
  - {id: income, label: {nl: Inkomen, en: Income}, theme: materiele_welvaart, dimension: hier_en_nu, unit: eur,
     baseline: 30000, direction: up}
  - {id: emissions, label: {nl: Uitstoot, en: Emissions}, theme: milieu, dimension: later, unit: kt,
     baseline: 100, direction: down}
  - {id: elsewhere, label: {nl: Banen elders, en: Jobs elsewhere}, theme: arbeid_en_vrije_tijd, dimension: elders,
     unit: jobs, baseline: 5000, direction: up}
links:
  - {from: jobs, to: income, weight: {low: 1, mode: 2, high: 3}}
  - {from: jobs, to: emissions, weight: 0.5, lag: 1, delay: fixed}
  - {from: jobs, to: elsewhere, weight: {low: -0.5, mode: -0.25, high: 0}}
"""

GROW = """\
name: grow
model: ../models/small.yaml
title: {nl: "Groei", en: "Growth"}
interventions:
  - {node: jobs, shape: step, height: 100, start: 2026}
"""

UNSTABLE = """\
name: unstable
title: "Unstable"
time: {start: 2025, end: 2040, dt: 0.25}
nodes:
  - {id: x, label: X, theme: samenleving, dimension: hier_en_nu, kind: stock, baseline: 10, direction: up}
  - {id: y, label: Y, theme: samenleving, dimension: later, baseline: 10, direction: up}
links:
  - {from: x, to: x, weight: 1.0e+10}
  - {from: x, to: y, weight: 1}
"""

UNSTABLE_SCENARIO = """\
name: boom
model: ../models/unstable.yaml
interventions:
  - {node: x, shape: step, height: 1, start: 2026}
"""


def write_project(root: Path, model: str = SMALL, scenarios: dict[str, str] | None = None, name: str = "small") -> Path:
    """``root/models/<name>.yaml`` and ``root/scenarios/*.yaml``; returns the model path."""
    (root / "models").mkdir(parents=True, exist_ok=True)
    (root / "scenarios").mkdir(exist_ok=True)
    path = root / "models" / f"{name}.yaml"
    path.write_text(model, encoding="utf-8")
    for file, text in (scenarios if scenarios is not None else {"grow.yaml": GROW}).items():
        (root / "scenarios" / file).write_text(text, encoding="utf-8")
    return path


def decode_array(value: object) -> np.ndarray:
    """A plotly JSON array (a list, or plotly 7's ``{"dtype", "bdata"}``) as numpy."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    return np.asarray(value)


def chart_specs(at: object) -> list[dict]:
    """The plotly figures on an AppTest page, as dicts."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def popover_labels(at: object) -> list[str]:
    """The labels of every popover on an AppTest page (the scorecard's cells), in page order."""
    out, stack = [], [at._tree]
    while stack:
        block = stack.pop()
        if getattr(block, "type", "") == "popover":
            out.append(block.proto.popover.label)
        children = getattr(block, "children", {})
        stack.extend(children[k] for k in sorted(children, reverse=True))
    return out


def trace_values(spec: dict, name: str) -> np.ndarray:
    """The y values of the trace called ``name`` in a figure dict."""
    for trace in spec["data"]:
        if trace.get("name") == name:
            return decode_array(trace["y"])
    raise KeyError(name)
