"""The Heerlen model's labour account closes (issue 17 item 3; docs/heerlen-model.md, "Labour account").

Jobs located in Parkstad are filled up to the workers available (``jobs_filled``, a
``kind: minimum`` node); filled jobs are held by residents, in-commuters, cross-border
commuters and labour migrants, and the unfilled rest shows as ``vacancies``. Checked per
time step (levels: filled <= available; changes: filled = the four groups, to 1e-9) on
every shipped scenario of the model, in an ensemble of 300 members, and in a scenario
with more jobs than workers, where the limit binds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulator.engine import simulate
from simulator.io.spec_files import ScenarioFile, load_model, load_scenario, load_scenario_text
from simulator.sampling import draw
from simulator.scenario_run import PreparedScenario, prepare_scenario

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "medtech-heerlen.yaml"
SCENARIOS = sorted(
    p for p in (ROOT / "scenarios").glob("*.yaml") if "medtech-heerlen.yaml" in p.read_text(encoding="utf-8")
)
GROUPS = ("residents_employed", "in_commuters", "cross_border_commuters", "labour_migrants")
MEMBERS = 300
TOL = 1e-9  # persons; the account is linear, so only rounding is left


def prepared(loaded: ScenarioFile) -> PreparedScenario:
    return prepare_scenario(loaded.spec, loaded.model.spec, loaded.path)


def assert_account_closes(p: PreparedScenario, d: np.ndarray) -> None:
    """``d``: deviations (K + 1, N, M). Levels are the model's baselines plus ``d``."""
    ids = list(p.compiled.node_ids)
    col = ids.index
    level = p.compiled.baselines[:, :, None] + d
    filled, available, jobs = (level[:, col(n)] for n in ("jobs_filled", "available_workers", "jobs_total"))
    assert np.all(filled <= available + TOL), "filled jobs exceed the workers available"
    assert np.all(filled <= jobs + TOL), "filled jobs exceed the jobs"
    held = sum(d[:, col(n)] for n in GROUPS)
    np.testing.assert_allclose(d[:, col("jobs_filled")], held, rtol=0, atol=TOL)
    np.testing.assert_allclose(level[:, col("vacancies")], jobs - filled, rtol=0, atol=TOL)
    assert np.all(level[:, col("vacancies")] >= -TOL)


def test_the_model_has_shipped_scenarios():
    assert len(SCENARIOS) >= 4


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_the_account_closes_at_the_modes(path):
    p = prepared(load_scenario(path))
    assert_account_closes(p, simulate(p.compiled, p.inputs))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_the_account_closes_in_every_member_of_an_ensemble(path):
    p = prepared(load_scenario(path))
    sample = draw(p.model, MEMBERS, seed=17)
    assert sample.n_blocks == 1
    weights, lags = sample.block(0)
    d = simulate(p.compiled, p.inputs, weights, lags, shape_parameters=sample.shape_values(sample.uniforms(0)))
    assert d.shape[2] == MEMBERS
    assert_account_closes(p, d)


def test_skills_add_workers_not_jobs():
    """Training reads into the workers available; no link from skills reaches a count of employment directly."""
    spec = load_model(MODEL).spec
    targets = {lk.target for lk in spec.links if lk.source == "skills"}
    assert targets == {"available_workers"}
    assert {lk.source for lk in spec.links if lk.target == "employment_rate"} >= {"residents_employed"}
    assert "jobs_total" not in {lk.source for lk in spec.links if lk.target in ("employment_rate", "unemployment_rate")}


def test_more_jobs_than_workers_leaves_vacancies_and_residents_at_their_reserve():
    """+30,000 medtech jobs from 2026: the limit binds, the rest is vacancies, the account still closes."""
    model = load_model(MODEL)
    text = (
        "name: labour-shortage\nmodel: medtech-heerlen.yaml\ntitle: {nl: Tekort, en: Shortage}\n"
        "interventions:\n  - {node: medtech_jobs, shape: step, height: 30000, start: 2026}\n"
    )
    p = prepared(load_scenario_text(text, "labour-shortage.yaml", model))
    d = simulate(p.compiled, p.inputs)
    assert_account_closes(p, d)
    ids = list(p.compiled.node_ids)
    vacancies = d[:, ids.index("vacancies"), 0]
    assert vacancies.max() > 1000.0  # the limit binds
    binding = vacancies > TOL
    filled = p.compiled.baselines[:, ids.index("jobs_filled")] + d[:, ids.index("jobs_filled"), 0]
    available = p.compiled.baselines[:, ids.index("available_workers")] + d[:, ids.index("available_workers"), 0]
    np.testing.assert_allclose(filled[binding], available[binding], rtol=0, atol=TOL)
