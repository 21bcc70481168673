"""The Heerlen model counts net effects elsewhere (issue 17 item 4; docs/heerlen-model.md, "Net effects").

Dutch MKBA practice (CPB/PBL) counts the additional effect: what the scenario adds
minus what would have happened anyway elsewhere. The model's gross jobs located in
Parkstad (``jobs_total``) and its gross deliveries to hospitals
(``medical_deliveries_abroad``) get net companions: ``jobs_net_additional`` (minus
the medtech jobs relocated from elsewhere and the local jobs the induced ones crowd
out elsewhere) and ``medical_deliveries_additional`` (minus the deliveries the
relocated jobs brought along). Checked: the identities per time step, the net
smaller than the gross by the displaced shares, the gross numbers back when nothing
is displaced, every other node untouched by the new nodes, and an "elders" score
that is no longer neutral.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from simulator.analysis.report import scenario_scorecard
from simulator.analysis.scorecard import summary
from simulator.engine import simulate
from simulator.io.spec_files import ScenarioFile, load_model, load_scenario, load_scenario_text
from simulator.sampling import draw
from simulator.scenario_run import PreparedScenario, prepare_scenario

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "medtech-heerlen.yaml"
GROWTH = ROOT / "scenarios" / "medtech-growth.yaml"
RELOCATION = ROOT / "scenarios" / "medtech-relocation.yaml"
SCENARIOS = sorted(
    p for p in (ROOT / "scenarios").glob("*.yaml") if "medtech-heerlen.yaml" in p.read_text(encoding="utf-8")
)
NET_NODES = ("local_jobs_displaced", "jobs_net_additional", "medical_deliveries_additional")
TOL = 1e-9


def prepared(loaded: ScenarioFile) -> PreparedScenario:
    return prepare_scenario(loaded.spec, loaded.model.spec, loaded.path)


def run(p: PreparedScenario) -> tuple[np.ndarray, dict[str, int]]:
    """Deviations (K + 1, N) at the modes and each node's column."""
    return simulate(p.compiled, p.inputs)[:, :, 0], {n: i for i, n in enumerate(p.compiled.node_ids)}


def at(p: PreparedScenario, year: float) -> int:
    return int(np.argmin(np.abs(p.compiled.times - year)))


def weight(p: PreparedScenario, source: str, target: str) -> float:
    return next(lk.weight.central for lk in p.model.links if (lk.source, lk.target) == (source, target))


def assert_identities(d: np.ndarray, col: dict[str, int], packages_per_job: np.ndarray | float) -> None:
    """``d``: deviations (K + 1, N, ...)."""
    net = d[:, col["jobs_total"]] - d[:, col["jobs_displaced_elsewhere"]] - d[:, col["local_jobs_displaced"]]
    np.testing.assert_allclose(d[:, col["jobs_net_additional"]], net, rtol=0, atol=TOL)
    deliveries = d[:, col["medical_deliveries_abroad"]] - packages_per_job * d[:, col["jobs_displaced_elsewhere"]]
    np.testing.assert_allclose(d[:, col["medical_deliveries_additional"]], deliveries, rtol=0, atol=TOL)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_net_is_gross_minus_what_is_displaced_at_the_modes(path):
    p = prepared(load_scenario(path))
    d, col = run(p)
    assert_identities(d, col, -weight(p, "jobs_displaced_elsewhere", "medical_deliveries_additional"))


def test_net_is_gross_minus_what_is_displaced_in_every_member_of_an_ensemble():
    p = prepared(load_scenario(GROWTH))
    sample = draw(p.model, 200, seed=23)
    weights, lags = sample.block(0)
    d = simulate(p.compiled, p.inputs, weights, lags, shape_parameters=sample.shape_values(sample.uniforms(0)))
    col = {n: i for i, n in enumerate(p.compiled.node_ids)}
    keys = [(lk.source, lk.target) for lk in p.model.links]  # the rows of ``weights``, in model order
    assert weights.shape == (len(keys), 200)
    per_member = -weights[keys.index(("jobs_displaced_elsewhere", "medical_deliveries_additional"))]
    assert np.ptp(per_member) > 0  # the weight is uncertain, so members differ
    assert_identities(d, col, per_member[None, :])
    assert np.all(d[at(p, 2050), col["jobs_net_additional"]] < d[at(p, 2050), col["jobs_total"]])


@pytest.mark.parametrize("path", [GROWTH, RELOCATION], ids=lambda p: p.stem)
def test_the_net_effect_is_smaller_than_the_gross_by_the_displaced_shares(path):
    """In 2050 the lags have all but settled (the jobs ramp ends in 2030), so the shares show directly."""
    p = prepared(load_scenario(path))
    d, col = run(p)
    k = at(p, 2050)
    relocated = weight(p, "medtech_jobs", "jobs_displaced_elsewhere")  # 0.25, in medtech-relocation 0.8
    crowded_out = weight(p, "local_service_jobs", "local_jobs_displaced")  # 0.5
    medtech, local, gross = (d[k, col[n]] for n in ("medtech_jobs", "local_service_jobs", "jobs_total"))
    assert medtech == pytest.approx(3000.0)
    assert d[k, col["jobs_displaced_elsewhere"]] == pytest.approx(relocated * medtech, rel=1e-6)
    # induced jobs still grow a little in 2050 (through population), so the one-year lag leaves 0.05 %
    assert d[k, col["local_jobs_displaced"]] == pytest.approx(crowded_out * local, rel=2e-3)
    net = d[k, col["jobs_net_additional"]]
    assert net == pytest.approx(gross - relocated * medtech - crowded_out * local, rel=2e-3)
    assert 0 < net < gross
    deliveries = d[k, col["medical_deliveries_abroad"]]
    assert d[k, col["medical_deliveries_additional"]] == pytest.approx((1 - relocated) * deliveries, rel=1e-6)


def test_growth_in_2050_net_of_displacement():
    """The figures docs/heerlen-model.md ("Net effects") quotes."""
    p = prepared(load_scenario(GROWTH))
    d, col = run(p)
    k = at(p, 2050)
    assert round(d[k, col["jobs_total"]]) == 4679
    assert round(d[k, col["jobs_net_additional"]]) == 3090
    assert round(d[k, col["medical_deliveries_abroad"]], 1) == 26.4
    assert round(d[k, col["medical_deliveries_additional"]], 1) == 19.8


def test_with_full_additionality_and_no_crowding_out_the_gross_numbers_come_back():
    model = load_model(MODEL)
    text = GROWTH.read_text(encoding="utf-8").replace("model: ../models/", "model: ") + (
        "overrides:\n  links:\n"
        "    - {from: medtech_jobs, to: jobs_displaced_elsewhere, weight: 0}\n"
        "    - {from: local_service_jobs, to: local_jobs_displaced, weight: 0}\n"
    )
    p = prepared(load_scenario_text(text, "additional.yaml", model))
    d, col = run(p)
    assert np.all(d[:, col["jobs_displaced_elsewhere"]] == 0) and np.all(d[:, col["local_jobs_displaced"]] == 0)
    np.testing.assert_array_equal(d[:, col["jobs_net_additional"]], d[:, col["jobs_total"]])
    np.testing.assert_array_equal(d[:, col["medical_deliveries_additional"]], d[:, col["medical_deliveries_abroad"]])


def test_the_net_nodes_feed_nothing_so_every_other_node_is_bit_identical(tmp_path):
    """The model file without the three nodes and their six links gives the very same numbers for the rest."""
    loaded = load_scenario(GROWTH)
    spec = loaded.model.spec
    assert not {lk.source for lk in spec.links if lk.target not in NET_NODES} & set(NET_NODES)
    data = yaml.safe_load(MODEL.read_text(encoding="utf-8"))
    data["nodes"] = [n for n in data["nodes"] if n["id"] not in NET_NODES]
    data["links"] = [lk for lk in data["links"] if lk["to"] not in NET_NODES]
    (tmp_path / "medtech-heerlen.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    (tmp_path / "s.yaml").write_text(GROWTH.read_text(encoding="utf-8").replace("../models/", ""), encoding="utf-8")
    without = load_scenario(tmp_path / "s.yaml")
    assert len(without.model.spec.nodes) == len(spec.nodes) - 3
    assert len(without.model.spec.links) == len(spec.links) - 6
    p, q = prepared(loaded), prepared(without)
    d, col = run(p)
    e, col_q = run(q)
    for node, j in col_q.items():
        np.testing.assert_array_equal(d[:, col[node]], e[:, j], err_msg=node)


def test_the_elders_score_counts_the_losses_elsewhere_and_the_net_deliveries():
    p = prepared(load_scenario(GROWTH))
    card = scenario_scorecard(p, years=[2050])
    rows = card.set_index("node")
    assert rows.loc["local_jobs_displaced", "verdict"] == "worsens"
    assert rows.loc["jobs_net_additional", "verdict"] == "improves"
    assert rows.loc["medical_deliveries_additional", "verdict"] == "improves"
    assert rows.loc["medical_deliveries_abroad", "verdict"] == "neutral"  # the gross, shown, not counted twice
    groups = summary(card).set_index(["dimension", "theme"])
    work = groups.loc[("elders", "arbeid_en_vrije_tijd")]
    assert work["verdict"] != "neutral"  # before: in- and cross-border commuters only, both unscored
    assert (work["n_improves"], work["n_worsens"]) == (1, 1)
    trade = groups.loc[("elders", "handel_en_hulp")]
    assert (trade["n_improves"], trade["n_worsens"], trade["n_neutral"]) == (1, 1, 1)


def test_the_scorecard_prints_gross_and_net_side_by_side_in_dutch_and_english():
    from simulator.analysis.report import scorecard_text

    p = prepared(load_scenario(GROWTH))
    card = scenario_scorecard(p)
    dutch = scorecard_text(card, p, "nl").splitlines()
    at_head = dutch.index("  Bruto en netto in 2050 (netto: na verdringing elders):")
    assert dutch[at_head + 1 : at_head + 3] == [
        "    Banen in Parkstad: +4.679 banen bruto, +3.090 netto (66 % additioneel)",
        "    Medische leveringen aan ziekenhuizen: +26 mln pakketten/jaar bruto, +20 netto (75 % additioneel)",
    ]
    english = scorecard_text(scenario_scorecard(p, language="en"), p, "en")
    assert "Jobs located in Parkstad: +4,679 jobs gross, +3,090 net (66 % additional)" in english
