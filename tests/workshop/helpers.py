"""Shared test data: a tiny model with known answers, and futures on it."""

from __future__ import annotations

import textwrap

MODEL_YAML = textwrap.dedent("""\
    name: tiny
    title: {nl: "Klein model", en: "Tiny model"}
    time: {start: 2025, end: 2030, dt: 0.5}
    nodes:
      - {id: x, label: X, theme: arbeid_en_vrije_tijd, dimension: hier_en_nu, baseline: 100, direction: up}
      - {id: y, label: Y, theme: wonen, dimension: hier_en_nu, baseline: 50, direction: down}
      - {id: z, label: Z, theme: milieu, dimension: later, baseline: 20, direction: up}
    links:
      - {from: x, to: y, weight: {low: 0.5, mode: 1, high: 2}}
      - {from: y, to: z, weight: 0.5}
    """)

MODEL_V2_YAML = MODEL_YAML.replace("weight: 0.5}", "weight: 0.25}")
"""The same model with a changed y->z weight."""

MODEL_NO_Y_LINK_YAML = MODEL_YAML.replace("  - {from: x, to: y, weight: {low: 0.5, mode: 1, high: 2}}\n", "")
"""A model version in which the link x->y is gone."""


def future_yaml(height: float = 10.0, weight: float | None = None, name: str = "f") -> str:
    """A future on the tiny model: a step on x, and optionally an own weight for x->y."""
    text = textwrap.dedent(f"""\
        name: {name}
        model: tiny.yaml
        interventions:
          - {{node: x, shape: step, height: {height!r}, start: 2026}}
        """)
    if weight is not None:
        text += f"overrides:\n  links:\n    - {{from: x, to: y, weight: {weight!r}}}\n"
    return text
