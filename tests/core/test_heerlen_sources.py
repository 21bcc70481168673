"""The Heerlen model says where every baseline, link and lag comes from (issue 17, items 1 and 7).

Every node's ``indicator.note`` starts with one of five markers (the model's
header comment and docs/heerlen-model.md explain them):

- ``Sourced:`` the value was read at the node's own geography; ``indicator.source``
  names the publication with a table id, DOI or URL, and ``indicator.year`` its period;
- ``Derived: from [a, b]`` the value is computed from the baselines of the nodes
  listed, with no assumed constant; it counts as sourced only when every input does
  (recursively);
- ``Assumption: proxy`` an assumption built on a figure read for a wider, narrower or
  older region or period, with the same source and period requirements;
- ``Assumption:`` no figure was read; the note gives the reasoning;
- ``Deviation only:`` a zero baseline by the model's convention.

The goal of 90 % is over the measurable baselines: all nodes but the deviation-only
ones and the expert-scored indices (``quantified: false``), which have no measured
value to source. The counts are floors, so that a later edit cannot silently lose a
source; raise them when a refresh (cbsodata, online) sources more baselines.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from simulator.io.spec_files import load_model
from simulator.spec import GrowthBaseline, ModelSpec, NodeSpec, SeriesBaseline
from simulator.themes import BY_ID

MODEL = Path(__file__).resolve().parents[2] / "models" / "medtech-heerlen.yaml"

SOURCED_FLOOR = 15
"""Baselines read at their own geography (docs/heerlen-model.md, "Counts")."""
PROXY_FLOOR = 10
"""Baselines that are assumptions on a figure read for a wider, narrower or older region or period."""
CITED_LINKS_FLOOR = 49
"""Links whose evidence cites a reference a reader can find."""
GOAL = 0.90
"""Issue 17's goal for the share of sourced baselines (not reached offline)."""

REFERENCE = re.compile(
    r"\b\d{5}(NED|ned)\b|\b\d{5}ned\b|doi:\s*10\.|https?://\S+|\bISBN\b|\bDP \d+|\bWP \d+", re.IGNORECASE
)
MARKERS = ("Sourced:", "Derived:", "Assumption: proxy", "Assumption:", "Deviation only:")
DERIVED = re.compile(r"^Derived: from \[([a-z0-9_]+(?:, [a-z0-9_]+)*)\]")
MIN_REASONING = 80
"""Characters of reasoning an assumption's note must have after its marker."""


@pytest.fixture(scope="module")
def model() -> ModelSpec:
    return load_model(MODEL).spec


def kind_of(node: NodeSpec) -> str:
    """The marker a node's indicator note starts with, or '' when it has none."""
    note = node.indicator.note.strip()
    return next((m for m in MARKERS if note.startswith(m)), "")


def is_zero(node: NodeSpec) -> bool:
    b = node.baseline
    if isinstance(b, GrowthBaseline):
        return b.value == 0
    if isinstance(b, SeriesBaseline):
        return all(v == 0 for v in b.series.values())
    return b == 0


def counts(model: ModelSpec) -> Counter:
    return Counter(kind_of(n) for n in model.nodes)


def derived_inputs(node: NodeSpec) -> list[str]:
    """The node ids a ``Derived:`` note names as its inputs ([] when the note has no list)."""
    match = DERIVED.match(node.indicator.note.strip())
    return match.group(1).split(", ") if match else []


def sourced_ids(model: ModelSpec) -> set[str]:
    """Nodes that count as sourced: read at their own geography, or derived from such nodes only."""
    by_id = {n.id: n for n in model.nodes}
    done: dict[str, bool] = {}

    def sourced(node_id: str, seen: frozenset[str]) -> bool:
        if node_id not in done:
            node = by_id[node_id]
            kind = kind_of(node)
            if kind == "Derived:" and node_id not in seen:
                inputs = derived_inputs(node)
                done[node_id] = bool(inputs) and all(i in by_id and sourced(i, seen | {node_id}) for i in inputs)
            else:
                done[node_id] = kind == "Sourced:"
        return done[node_id]

    return {n.id for n in model.nodes if sourced(n.id, frozenset())}


def measurable(model: ModelSpec) -> list[NodeSpec]:
    """The baselines the 90 % goal is over: not deviation-only, not an expert-scored index."""
    return [n for n in model.nodes if n.quantified and kind_of(n) != "Deviation only:"]


def test_every_node_states_a_source_with_a_period_or_an_explicit_assumption(model):
    problems = []
    for node in model.nodes:
        kind, ind = kind_of(node), node.indicator
        if not kind:
            problems.append(f"{node.id}: the note starts with none of {MARKERS}")
        elif kind in ("Sourced:", "Assumption: proxy"):
            if not REFERENCE.search(ind.source):
                problems.append(f"{node.id}: the source names no table id, DOI or URL: {ind.source!r}")
            if ind.year is None or not str(ind.year).strip():
                problems.append(f"{node.id}: a sourced value needs its period in indicator.year")
        elif kind == "Assumption:" and len(ind.note.strip()) - len(kind) < MIN_REASONING:
            problems.append(f"{node.id}: an assumption needs its reasoning in the note")
        elif kind == "Deviation only:" and not is_zero(node):
            problems.append(f"{node.id}: a deviation-only node must have baseline 0")
        elif kind == "Derived:":
            inputs = derived_inputs(node)
            if not inputs:
                problems.append(f"{node.id}: a derived note must start 'Derived: from [node_a, node_b]'")
            for name in inputs:
                if name == node.id or name not in {n.id for n in model.nodes}:
                    problems.append(f"{node.id}: derived from {name!r}, which is not another node of the model")
    assert not problems, "\n".join(problems)


def test_sourced_baselines_do_not_fall_below_the_floor(model):
    c = counts(model)
    n = len(measurable(model))
    sourced = len(sourced_ids(model))
    print(
        f"\nHeerlen baselines: {sourced} of {n} measurable sourced ({sourced / n:.0%}; {c['Sourced:']} read at "
        f"their own geography, {sourced - c['Sourced:']} of {c['Derived:']} derived), {c['Assumption: proxy']} "
        f"by proxy ({(sourced + c['Assumption: proxy']) / n:.0%} with a figure read), {c['Assumption:']} assumptions, "
        f"{c['Deviation only:']} deviation-only, {len(model.nodes) - n - c['Deviation only:']} expert-scored"
    )
    assert c["Sourced:"] >= SOURCED_FLOOR, f"sourced baselines fell to {c['Sourced:']} (floor {SOURCED_FLOOR})"
    assert c["Sourced:"] + c["Assumption: proxy"] >= SOURCED_FLOOR + PROXY_FLOOR


def test_a_derived_baseline_counts_as_sourced_only_when_all_its_inputs_do(model):
    sourced = sourced_ids(model)
    for node in model.nodes:
        if kind_of(node) == "Derived:":
            assert (node.id in sourced) == all(i in sourced for i in derived_inputs(node)), node.id
    # the rule itself, on a copy of the model whose derived node's inputs are both sourced
    jobs_filled = next(n for n in model.nodes if n.id == "jobs_filled")
    assert kind_of(jobs_filled) == "Derived:"
    relabelled = model.model_copy(
        update={
            "nodes": [
                n.model_copy(
                    update={"indicator": n.indicator.model_copy(update={"note": "Sourced: (test) " + n.indicator.note})}
                )
                if n.id in derived_inputs(jobs_filled)
                else n
                for n in model.nodes
            ]
        }
    )
    assert "jobs_filled" in sourced_ids(relabelled)


@pytest.mark.xfail(
    strict=True,
    reason="issue 17's goal of 90 % sourced baselines is not reached offline "
    "(docs/heerlen-model.md, open questions); remove this mark when it is",
)
def test_the_goal_of_ninety_percent_sourced_baselines(model):
    over = measurable(model)
    sourced = sourced_ids(model)
    assert len([n for n in over if n.id in sourced]) / len(over) >= GOAL


def test_the_wijk_split_adds_up_to_the_heerlen_trust_baseline(model):
    by_id = {n.id: n for n in model.nodes}
    weight = {(lk.source, lk.target): lk.weight.central for lk in model.links}
    split = (
        weight["social_trust_noord", "social_trust"] * by_id["social_trust_noord"].baseline
        + weight["social_trust_zuid", "social_trust"] * by_id["social_trust_zuid"].baseline
    )
    assert split == pytest.approx(by_id["social_trust"].baseline, abs=0.5)


def test_every_link_cites_a_findable_source_or_says_expert_judgement(model):
    problems, cited = [], 0
    for link in model.links:
        text = link.evidence.source
        if "Citations:" in text:
            cited += 1
            if not REFERENCE.search(text.split("Citations:", 1)[1]):
                problems.append(f"{link.key}: its citations name no DOI, table id, report number or URL")
        elif "Definitional" not in text and "Expert judgement" not in text:
            problems.append(f"{link.key}: neither a citation, 'Definitional' nor 'Expert judgement'")
    assert not problems, "\n".join(problems)
    assert cited >= CITED_LINKS_FLOOR


def test_every_lag_is_a_range_with_its_reason(model):
    problems = []
    for link in model.links:
        if link.delay == "none":
            continue  # lag 0 by the format: an identity or a same-period conversion
        if not link.lag.is_uncertain:
            problems.append(f"{link.key}: a fixed lag of {link.lag.central:g} years")
        if not re.search(r"\blag [\d.]+–[\d.]+ years, mode", link.evidence.note):
            problems.append(f"{link.key}: evidence.note does not say where the lag's range comes from")
    assert not problems, "\n".join(problems)


NEW_THEMES = {
    "feeling_unsafe": "veiligheid",
    "pm25_concentration": "milieu",
    "nitrogen_deposition": "natuurlijk_kapitaal",
    "free_time_satisfaction": "arbeid_en_vrije_tijd",
    "commute_time": "arbeid_en_vrije_tijd",
    "logistics_capital": "economisch_kapitaal",
}
"""The CBS themes issue 17 item 6 asked for, by node (docs/heerlen-model.md, "New themes")."""


def test_the_new_themes_sit_in_their_cbs_dimension_and_carry_a_measurement_precision(model):
    by_id = {n.id: n for n in model.nodes}
    for node_id, theme in NEW_THEMES.items():
        node = by_id[node_id]
        assert node.theme == theme, node_id
        assert node.dimension in BY_ID[theme].dimensions, (node_id, node.dimension)
        if kind_of(node) != "Deviation only:":  # a measured indicator: a smaller change is 'level'
            assert node.indicator.precision and node.indicator.precision > 0, node_id
