"""The Heerlen model's groups add up to its aggregates and make verdeling real (issue 17 item 5).

docs/heerlen-model.md, "Groups": four families over ``inkomensgroep`` (laag, midden, hoog: the national
lowest 40 %, middle 40 % and highest 20 % of incomes) and four over ``bewonersgroep`` (inwoners,
arbeidsmigranten) for income, housing-cost burden, perceived health and trust. Checked here:

- the income groups' changes, weighted by Heerlen's shares of households (income, housing burden) or
  persons (health, trust) in each group, are the aggregate's change, at the modes and in every member
  of an ensemble; the residents' element is the aggregate itself; the baselines' weighted means are
  the aggregates' levels;
- nothing feeds back: the model without its groups gives the other nodes' numbers bit for bit;
- scenarios that favour low incomes (more residents in work; more homes) narrow the gaps, and one that
  gives fewer of the jobs to residents (relocation) narrows the income gap less than growth does;
- the scorecard's verdeling lines show the groups in Dutch and English.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from simulator.analysis.report import scenario_scorecard, scorecard_text
from simulator.analysis.scorecard import distribution
from simulator.engine import simulate
from simulator.io.spec_files import ScenarioFile, load_model, load_scenario, load_scenario_text
from simulator.sampling import draw
from simulator.scenario_run import PreparedScenario, prepare_scenario

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "medtech-heerlen.yaml"
SCENARIOS = sorted(
    p for p in (ROOT / "scenarios").glob("*.yaml") if "medtech-heerlen.yaml" in p.read_text(encoding="utf-8")
)
HOUSEHOLDS = {"laag": 0.541, "midden": 0.362, "hoog": 0.097}
"""Heerlen's households in the national lowest 40 %, middle 40 % and highest 20 % of incomes (CBS KWB 2018)."""
PERSONS = {"laag": 0.446, "midden": 0.428, "hoog": 0.126}
"""The same for persons (CBS KWB 2018)."""
FAMILIES = {
    "income_by_group": ("disposable_income", HOUSEHOLDS),
    "housing_burden_by_group": ("housing_cost_burden", HOUSEHOLDS),
    "health_by_group": ("perceived_health", PERSONS),
    "trust_by_group": ("social_trust", PERSONS),
}
RESIDENTS = {
    "income_residents_migrants": "disposable_income",
    "housing_burden_residents_migrants": "housing_cost_burden",
    "health_residents_migrants": "perceived_health",
    "trust_residents_migrants": "social_trust",
}
MEMBERS = 200
TOL = 1e-9  # relative: the groups are linear in their sources, so only rounding is left


def prepared(loaded: ScenarioFile) -> PreparedScenario:
    return prepare_scenario(loaded.spec, loaded.model.spec, loaded.path)


def scenario_text(name: str, body: str) -> PreparedScenario:
    text = f"name: {name}\nmodel: medtech-heerlen.yaml\ntitle: {{nl: {name}, en: {name}}}\n" + body
    return prepared(load_scenario_text(text, f"{name}.yaml", load_model(MODEL)))


def assert_groups_add_up(p: PreparedScenario, d: np.ndarray, moving: bool = True) -> None:
    """``d``: deviations (K + 1, N, M); ``moving``: the aggregates must move (else the check is empty)."""
    col = list(p.compiled.node_ids).index
    for family, (aggregate, shares) in FAMILIES.items():
        total = d[:, col(aggregate)]
        parts = [share * d[:, col(f"{family}[{group}]")] for group, share in shares.items()]
        scale = max(float(np.abs(total).max()), *(float(np.abs(x).max()) for x in parts), 1e-12)
        np.testing.assert_allclose(sum(parts), total, rtol=0, atol=TOL * scale, err_msg=family)
        assert not moving or np.abs(total).max() > 0, f"{aggregate} does not move: the check would be empty"
    for family, aggregate in RESIDENTS.items():
        np.testing.assert_array_equal(d[:, col(f"{family}[inwoners]")], d[:, col(aggregate)], err_msg=family)


def gap_change(p: PreparedScenario, family: str, year: float = 2050) -> float:
    """The change of the family's gap (its ``gap`` measure) in ``year`` in the run at the modes."""
    cm = p.compiled
    table = distribution(p.model, cm.times, cm.baselines, simulate(cm, p.inputs)[:, :, 0], [year])
    row = table[table["indicator"] == family]
    assert len(row) == 1, family
    return float(row["change"].iloc[0])


def test_the_model_has_shipped_scenarios():
    assert len(SCENARIOS) >= 4


def test_the_group_baselines_average_to_the_aggregates():
    spec = load_model(MODEL).spec
    level = {n.id: n.baseline for n in spec.nodes}
    for family, (aggregate, shares) in FAMILIES.items():
        mean = sum(share * level[f"{family}[{group}]"] for group, share in shares.items())
        expected = 45700 if family == "income_by_group" else level[aggregate]  # income: Heerlen's mean, not median
        assert mean == pytest.approx(expected, rel=0.002), family
    for family, aggregate in RESIDENTS.items():
        assert level[f"{family}[inwoners]"] == level[aggregate], family
    assert sum(HOUSEHOLDS.values()) == pytest.approx(1) and sum(PERSONS.values()) == pytest.approx(1)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_the_groups_add_up_to_the_aggregates_at_the_modes(path):
    p = prepared(load_scenario(path))
    assert_groups_add_up(p, simulate(p.compiled, p.inputs))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_the_groups_add_up_to_the_aggregates_in_every_member_of_an_ensemble(path):
    p = prepared(load_scenario(path))
    sample = draw(p.model, MEMBERS, seed=23)
    weights, lags = sample.block(0)
    d = simulate(p.compiled, p.inputs, weights, lags, shape_parameters=sample.shape_values(sample.uniforms(0)))
    assert d.shape[2] == MEMBERS
    assert_groups_add_up(p, d)


def test_nothing_feeds_back_the_other_nodes_are_bit_identical_without_the_groups(tmp_path):
    """The model with its group block removed gives every other node the same numbers, bit for bit, at the
    modes and in an ensemble: the groups add no uncertain parameter, so the draws are the same too."""
    data = yaml.safe_load(MODEL.read_text(encoding="utf-8"))
    grouped = {n["id"] for n in data["nodes"] if "over" in n}
    assert len(grouped) == 8
    data.pop("dimensions")
    data["nodes"] = [n for n in data["nodes"] if n["id"] not in grouped]
    data["links"] = [lk for lk in data["links"] if lk["to"].partition("[")[0] not in grouped]
    (tmp_path / "medtech-heerlen.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    scenario = (ROOT / "scenarios" / "medtech-relocation.yaml").read_text(encoding="utf-8")
    (tmp_path / "s.yaml").write_text(scenario.replace("../models/", ""), encoding="utf-8")
    with_groups, without = (
        prepared(load_scenario(ROOT / "scenarios" / "medtech-relocation.yaml")),
        prepared(load_scenario(tmp_path / "s.yaml")),
    )
    ids = list(with_groups.compiled.node_ids)
    keep = [ids.index(n) for n in without.compiled.node_ids]
    np.testing.assert_array_equal(
        simulate(with_groups.compiled, with_groups.inputs)[:, keep], simulate(without.compiled, without.inputs)
    )
    runs = []
    for p in (with_groups, without):
        sample = draw(p.model, 50, seed=5)
        weights, lags = sample.block(0)
        runs.append(
            simulate(p.compiled, p.inputs, weights, lags, shape_parameters=sample.shape_values(sample.uniforms(0)))
        )
    np.testing.assert_array_equal(runs[0][:, keep], runs[1])


def test_more_residents_in_work_narrows_the_health_and_trust_gaps_and_moves_income_between_groups():
    """A participation programme (+1 pp of residents in work from 2026) reaches the lowest incomes most: it
    narrows the health and trust gaps between the income groups. The aggregate income responds to jobs
    located, not to participation, so here income only moves between the groups (the lowest up, the others
    down, adding up to no change): a limit of the aggregate (docs/heerlen-model.md, "Groups")."""
    p = scenario_text(
        "participatie", "interventions:\n  - {node: employment_rate, shape: step, height: 1, start: 2026}\n"
    )
    for family in ("health_by_group", "trust_by_group"):
        assert gap_change(p, family) < 0, family
    d = simulate(p.compiled, p.inputs)
    assert_groups_add_up(p, d, moving=False)
    col = list(p.compiled.node_ids).index
    assert np.abs(d[:, col("disposable_income")]).max() == 0
    assert d[-1, col("income_by_group[laag]"), 0] > 0 > d[-1, col("income_by_group[hoog]"), 0]


def test_who_fills_the_jobs_decides_how_much_the_income_gap_narrows():
    """Growth narrows the income ratio; with the jobs filled by residents (no extra commuters or labour
    migrants) it narrows more; by relocation, which brings staff along, less."""
    growth = prepared(load_scenario(ROOT / "scenarios" / "medtech-growth.yaml"))
    relocation = prepared(load_scenario(ROOT / "scenarios" / "medtech-relocation.yaml"))
    local = scenario_text(
        "lokaal",
        "interventions:\n  - {node: medtech_jobs, shape: ramp, slope: 600, start: 2025, end: 2030}\n"
        "overrides:\n  links:\n"
        "    - {from: jobs_total, to: in_commuters, weight: 0}\n"
        "    - {from: jobs_total, to: cross_border_commuters, weight: 0}\n"
        "    - {from: medtech_jobs, to: labour_migrants, weight: 0}\n",
    )
    changes = [gap_change(p, "income_by_group") for p in (local, growth, relocation)]
    assert changes[0] < changes[1] < changes[2] < 0, changes


def test_more_homes_narrow_the_housing_burden_gap_that_growth_widens():
    growth = prepared(load_scenario(ROOT / "scenarios" / "medtech-growth.yaml"))
    homes = scenario_text(
        "woningbouw", "interventions:\n  - {node: housing_stock, shape: pulse, height: 150, start: 2026, width: 8}\n"
    )
    assert gap_change(growth, "housing_burden_by_group") > 0
    assert gap_change(homes, "housing_burden_by_group") < 0
    assert gap_change(homes, "housing_burden_residents_migrants") < 0


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_scorecard_shows_verdeling_by_group(language):
    p = prepared(load_scenario(ROOT / "scenarios" / "medtech-growth.yaml"))
    text = scorecard_text(scenario_scorecard(p, language=language), p, language)
    wanted = {
        "nl": (
            "Besteedbaar huishoudinkomen over inkomensgroep (hoogste gedeeld door laagste, hoog tegen laag): "
            "2030: 4,26 zonder",
            "Hoge woonlasten over inkomensgroep (hoogste min laagste, laag tegen hoog)",
            "Ervaren gezondheid goed over bewonersgroep (hoogste min laagste, arbeidsmigranten tegen inwoners)",
        ),
        "en": (
            "Disposable household income over inkomensgroep (highest divided by lowest, hoog against laag): "
            "2030: 4.26 without",
            "Housing-cost overburden over inkomensgroep (highest minus lowest, laag against hoog)",
            "Good perceived health over bewonersgroep (highest minus lowest, arbeidsmigranten against inwoners)",
        ),
    }[language]
    for line in wanted:
        assert line in text, line
