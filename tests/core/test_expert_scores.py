"""Expert-scored links (docs/engine.md, "Expert-scored links"): the rule that turns a score into a
weight range, the pool of several scores, sampling, bad input, and a scored model through the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError
from scipy import integrate, stats
from typer.testing import CliRunner

from simulator.checked import check
from simulator.cli.main import app
from simulator.errors import InputError
from simulator.io.spec_files import load_model, load_model_text
from simulator.network import apply_overrides
from simulator.sampling import draw, inverse_cdf
from simulator.scores import ELASTICITY_BANDS, elasticity_band, pool_cdf, pool_mean, pool_ppf, pool_variance
from simulator.spec import LinkSpec, ModelSpec, ScenarioSpec, ScoredWeight

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_MODEL = ROOT / "models" / "examples" / "expert-scores.yaml"
EXAMPLE_SCENARIO = ROOT / "scenarios" / "examples" / "expert-scores-growth.yaml"

MODEL = """\
name: m
title: t
time: {{start: 2025, end: 2030, dt: 0.25}}
nodes:
  - {{id: a, label: a, theme: gezondheid, dimension: hier_en_nu, baseline: 1000}}
  - {{id: b, label: b, theme: gezondheid, dimension: hier_en_nu, baseline: {{value: 50, growth: 0.1, year: 2020}}}}
  - {{id: c, label: c, theme: gezondheid, dimension: hier_en_nu, baseline: -20}}
links:
  - from: a
    to: b
{link}
  - {{from: a, to: c, weight: 0.1}}
"""


def model(link: str) -> ModelSpec:
    return load_model_text(MODEL.format(link=link), "m.yaml").spec


def node(name: str, baseline: object) -> dict:
    return {"id": name, "label": name, "theme": "gezondheid", "dimension": "hier_en_nu", "baseline": baseline}


def spec(links: list[dict], baselines: tuple = (1000, 50)) -> ModelSpec:
    return ModelSpec.model_validate(
        {"name": "m", "title": "t", "nodes": [node("a", baselines[0]), node("b", baselines[1])], "links": links}
    )


# --- the rule ------------------------------------------------------------------------------------------------------


def test_a_score_sets_a_triangular_elasticity_band_mirrored_for_a_negative_score():
    assert elasticity_band(2) == (0.2, 0.3, 0.5)
    assert elasticity_band(-2) == (-0.5, -0.3, -0.2)
    assert elasticity_band(0) == (-0.05, 0.0, 0.05)
    bands = [ELASTICITY_BANDS[k] for k in (1, 2, 3)]
    assert [b[2] for b in bands[:-1]] == [b[0] for b in bands[1:]]  # adjacent bands, 0.05 to 1
    for low, mode, high in bands:  # each mode near the band's geometric centre
        assert abs(math.log(mode) - 0.5 * math.log(low * high)) < 0.06  # within 6 %


def test_an_elasticity_link_takes_the_band_as_its_weight():
    weight = spec([{"from": "a", "to": "b", "form": "elasticity", "score": 3}]).links[0].weight
    assert isinstance(weight, ScoredWeight)
    assert weight.scale == 1.0
    assert weight.support == (0.5, 1.0) and weight.central == 0.7


def test_a_linear_link_takes_the_band_at_the_baselines_of_the_model_start():
    weight = model("    score: 2").links[0].weight
    scale = 50 * 1.1**5 / 1000  # b's growth path at 2025, per unit of a
    assert weight.scale == pytest.approx(scale, rel=1e-14)
    assert weight.central == pytest.approx(0.3 * scale, rel=1e-14)
    assert weight.support == pytest.approx((0.2 * scale, 0.5 * scale), rel=1e-14)


def test_the_sign_of_a_score_is_the_direction_even_on_a_negative_baseline():
    weight = spec([{"from": "a", "to": "b", "score": 1}], baselines=(1000, -20)).links[0].weight
    assert weight.scale == pytest.approx(0.02)
    assert weight.central > 0


def test_words_and_numbers_give_the_same_score():
    words = spec([{"from": "a", "to": "b", "score": {"strength": "medium", "sign": "-"}}]).links[0].weight
    number = spec([{"from": "a", "to": "b", "score": -2}]).links[0].weight
    assert words == number


def test_a_scored_link_is_written_back_as_its_scores_and_read_again_alike():
    link = spec([{"from": "a", "to": "b", "scores": [{"by": "groep Noord", "score": 2}, -1]}]).links[0]
    data = link.model_dump(by_alias=True, exclude_none=True)
    assert "weight" not in data and data["scores"] == [{"by": "groep Noord", "score": 2}, -1]
    model_data = spec([{"from": "a", "to": "b", "scores": [{"by": "groep Noord", "score": 2}, -1]}]).model_dump(
        by_alias=True, exclude_none=True
    )
    assert ModelSpec.model_validate(model_data) == ModelSpec.model_validate(model_data)
    assert ModelSpec.model_validate(model_data).links[0].weight == link.weight


# --- the pool ------------------------------------------------------------------------------------------------------


def bands(*scores: int) -> list[tuple[float, float, float]]:
    return [elasticity_band(s) for s in scores]


def test_the_pool_is_the_equal_weight_mixture_its_inverse_cdf_inverts():
    pool = bands(2, -1, 3)
    u = np.linspace(1e-6, 1 - 1e-6, 2001)
    x = pool_ppf(u, pool)
    assert np.all(np.diff(x) >= 0)
    np.testing.assert_allclose(pool_cdf(x, pool), u, atol=1e-12)
    expected = np.mean([stats.triang.cdf(x, (m - lo) / (hi - lo), loc=lo, scale=hi - lo) for lo, m, hi in pool], 0)
    np.testing.assert_allclose(pool_cdf(x, pool), expected, atol=1e-14)


def test_quantiles_of_a_pool_are_those_of_the_expert_whose_band_holds_them():
    pool = bands(1, 3)  # disjoint bands: the lower half of the pool is the weak score's triangle
    low, mode, high = elasticity_band(1)
    weak_median = stats.triang.ppf(0.5, (mode - low) / (high - low), loc=low, scale=high - low)
    assert pool_ppf(np.array([0.25]), pool)[0] == pytest.approx(weak_median, abs=1e-15)
    # the smallest x with F(x) >= 0.5, the top of the weak band: where a triangle's density goes to 0 its CDF
    # is within rounding of 1 for x about 1e-9 below the top, so the quantile is that close
    assert pool_ppf(np.array([0.5]), pool)[0] == pytest.approx(0.2, abs=1e-8)


def test_pool_mean_and_variance_are_the_mixtures():
    pool = bands(2, -1, 0)
    density = [
        lambda x, b=b: stats.triang.pdf(x, (b[1] - b[0]) / (b[2] - b[0]), loc=b[0], scale=b[2] - b[0]) for b in pool
    ]
    pdf = lambda x: sum(f(x) for f in density) / len(density)  # noqa: E731
    mean = integrate.quad(lambda x: x * pdf(x), -1, 1, points=[-0.2, -0.05, 0, 0.05, 0.2, 0.3, 0.5], limit=200)[0]
    second = integrate.quad(lambda x: x * x * pdf(x), -1, 1, points=[-0.2, -0.05, 0, 0.05, 0.2, 0.3, 0.5], limit=200)[0]
    assert pool_mean(pool) == pytest.approx(mean, abs=1e-12)
    assert pool_variance(pool) == pytest.approx(second - mean**2, abs=1e-12)


def test_agreeing_experts_give_one_score_range_and_disagreeing_ones_a_wider_one():
    one = spec([{"from": "a", "to": "b", "form": "elasticity", "score": 2}]).links[0].weight
    agree = spec([{"from": "a", "to": "b", "form": "elasticity", "scores": [2, 2, 2]}]).links[0].weight
    disagree = spec([{"from": "a", "to": "b", "form": "elasticity", "scores": [1, 2, 3]}]).links[0].weight
    u = np.linspace(0.01, 0.99, 99)
    np.testing.assert_array_equal(inverse_cdf(agree, u), inverse_cdf(one, u))
    assert agree.central == one.central == 0.3
    assert disagree.central == pytest.approx((0.1 + 0.3 + 0.7) / 3)  # the mean of the experts' modes
    width = {name: w.quantile(0.95) - w.quantile(0.05) for name, w in (("agree", agree), ("disagree", disagree))}
    assert width["disagree"] > 2 * width["agree"]
    assert pool_variance(disagree.bands) > pool_variance(agree.bands)
    assert disagree.support == (0.05, 1.0)


def test_opposite_scores_pool_around_zero():
    weight = spec([{"from": "a", "to": "b", "form": "elasticity", "scores": [2, -2]}]).links[0].weight
    assert weight.central == 0.0 and pool_mean(weight.bands) == 0.0
    assert weight.quantile(0.25) < 0 < weight.quantile(0.75)


# --- sampling ------------------------------------------------------------------------------------------------------


def test_draws_of_a_scored_link_are_reproducible_and_follow_the_pool():
    m = spec([{"from": "a", "to": "b", "scores": [{"by": "N", "score": 2}, {"by": "Z", "score": -1}]}])
    weight = m.links[0].weight
    first, again = draw(m, 4000, seed=11), draw(m, 4000, seed=11)
    values = np.concatenate([first.block(b)[0][0] for b in range(first.n_blocks)])
    np.testing.assert_array_equal(values, np.concatenate([again.block(b)[0][0] for b in range(again.n_blocks)]))
    assert [p.name for p in first.parameters] == ["a->b:weight"]
    assert values.mean() == pytest.approx(pool_mean(weight.bands), rel=1e-3)
    assert values.var() == pytest.approx(pool_variance(weight.bands), rel=1e-2)
    assert values.min() >= weight.support[0] and values.max() <= weight.support[1]
    u = np.linspace(0.001, 0.999, 50)
    np.testing.assert_array_equal(inverse_cdf(weight, u, convention="scipy"), inverse_cdf(weight, u))
    block = inverse_cdf(weight, u)  # each draw depends on its own uniform only
    np.testing.assert_array_equal(np.concatenate([inverse_cdf(weight, u[:7]), inverse_cdf(weight, u[7:])]), block)


# --- bad input -----------------------------------------------------------------------------------------------------

BAD = [
    ("outside the scale", "    score: 4", "links[0].score", 11, "score 4 is outside the scale -3..+3"),
    ("not whole", "    score: 1.5", "links[0].score", 11, "a score is a whole number"),
    ("unknown word", "    score: {strength: huge, sign: +}", "links[0].score", 11, "unknown strength 'huge'"),
    ("no sign", "    score: {strength: weak}", "links[0].score", 11, "a strength needs sign"),
    ("with a weight", "    weight: 0.2\n    score: 2", "links[0].score", 12, "a link takes a weight or a score"),
    ("empty list", "    scores: []", "links[0].scores", 11, "scores is empty"),
    (
        "bad item",
        "    scores:\n      - {by: N, score: 1}\n      - {by: Z, score: -7}",
        "links[0].scores[1]",
        13,
        "score -7 is outside the scale",
    ),
    ("both forms", "    score: 1\n    scores: [2]", "links[0].scores", 12, "give score (one expert or group)"),
]


@pytest.mark.parametrize(("case", "link", "place", "line", "words"), BAD, ids=[c[0] for c in BAD])
def test_bad_scores_are_refused_with_place_line_and_fix(case, link, place, line, words):
    with pytest.raises(InputError) as caught:
        load_model_text(MODEL.format(link=link), "m.yaml")
    problem = caught.value.problems[0]
    assert (problem.file, problem.place, problem.line) == ("m.yaml", place, line), problem
    assert words in problem.message


def test_a_zero_baseline_refuses_a_scored_linear_link_in_a_file_and_in_code_alike():
    text = MODEL.format(link="    score: 2").replace("baseline: 1000", "baseline: 0")
    with pytest.raises(InputError) as caught:
        load_model_text(text, "m.yaml")
    problem = caught.value.problems[0]
    assert (problem.place, problem.line) == ("links[0].score", 11)
    assert "baseline of 'a' is 0 in 2025" in problem.message and "form: elasticity" in problem.hint
    in_code = check(spec([{"from": "a", "to": "b", "score": 2}], baselines=(0, 50)))
    assert [(p.place, p.message) for p in in_code.problems] == [("links[0].score", problem.message)]


def test_a_scored_link_built_in_code_is_the_one_a_file_gives():
    with pytest.raises(ValidationError):
        LinkSpec.model_validate({"from": "a", "to": "b", "weight": 1, "score": 2})
    in_code = ModelSpec(
        name="m", title="t", nodes=[node("a", 1000), node("b", 50)], links=[LinkSpec(source="a", target="b", score=2)]
    )
    assert in_code.links[0].weight == spec([{"from": "a", "to": "b", "score": 2}]).links[0].weight


@pytest.mark.parametrize("path", ["bad.yaml"])
def test_the_cli_refuses_a_bad_score_with_exit_2(tmp_path, path):
    file = tmp_path / path
    file.write_text(MODEL.format(link="    score: 9"), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(file), "--lang", "en"])
    assert result.exit_code == 2
    assert "bad.yaml:11: links[0].score: score 9 is outside the scale" in result.output
    assert "Traceback" not in result.output


# --- overrides -----------------------------------------------------------------------------------------------------


def test_an_override_weight_replaces_the_scores_and_an_override_form_rescales_them():
    m = spec([{"from": "a", "to": "b", "scores": [2, 3]}])
    numeric = ScenarioSpec.model_validate(
        {"name": "s", "model": "m.yaml", "overrides": {"links": [{"from": "a", "to": "b", "weight": 0.01}]}}
    )
    link = apply_overrides(m, numeric).links[0]
    assert not link.is_scored and link.weight.central == 0.01 and link.scores is None
    elastic = ScenarioSpec.model_validate(
        {"name": "s", "model": "m.yaml", "overrides": {"links": [{"from": "a", "to": "b", "form": "elasticity"}]}}
    )
    link = apply_overrides(m, elastic).links[0]
    assert link.weight.scale == 1.0 and link.weight.central == pytest.approx(0.5)
    lagged = ScenarioSpec.model_validate(
        {"name": "s", "model": "m.yaml", "overrides": {"links": [{"from": "a", "to": "b", "lag": 1}]}}
    )
    assert apply_overrides(m, lagged).links[0].weight == m.links[0].weight


# --- the example model through the CLI -----------------------------------------------------------------------------


def test_the_example_model_validates_and_runs_an_ensemble_through_the_cli(tmp_path):
    loaded = load_model(EXAMPLE_MODEL)
    scored = [lk for lk in loaded.spec.links if lk.is_scored]
    assert len(scored) == 4
    result = CliRunner().invoke(
        app, ["run", str(EXAMPLE_SCENARIO), "--out", str(tmp_path), "--samples", "300", "--seed", "3", "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    ensemble = (tmp_path / "ensemble.csv").read_text(encoding="utf-8").splitlines()
    header = ensemble[0].split(",")
    rows = [dict(zip(header, line.split(","), strict=True)) for line in ensemble[1:]]
    trust = [r for r in rows if r["node"] == "trust_in_region" and float(r["time"]) == 2040.0][0]
    assert float(trust["p05"]) < 0 < float(trust["p95"])  # the groups disagree on the sign: so does the ensemble
    again = CliRunner().invoke(
        app,
        [
            "run",
            str(EXAMPLE_SCENARIO),
            "--out",
            str(tmp_path / "again"),
            "--samples",
            "300",
            "--seed",
            "3",
            "--lang",
            "en",
        ],
    )
    assert again.exit_code == 0
    assert (tmp_path / "again" / "ensemble.csv").read_bytes() == (tmp_path / "ensemble.csv").read_bytes()


def test_explain_lists_the_scores_and_the_pooled_range():
    result = CliRunner().invoke(app, ["explain", str(EXAMPLE_SCENARIO), "--node", "trust_in_region", "--json"])
    assert result.exit_code == 0, result.output
    scored = json.loads(result.output)["scored"]
    assert [s["score"] for s in scored[0]["scores"]] == [2, -1, 1]
    weight = load_model(EXAMPLE_MODEL).spec.links[4].weight
    assert scored[0]["weight"] == pytest.approx(weight.central)
    assert scored[0]["p05"] < scored[0]["weight"] < scored[0]["p95"]
    text = CliRunner().invoke(app, ["explain", str(EXAMPLE_SCENARIO), "--node", "trust_in_region", "--lang", "en"])
    assert "scores groep Noord +2, groep Zuid -1, gemeente +1: weight 0.000217" in text.output


def test_an_export_writes_the_central_weight_and_the_scores_as_a_comment(tmp_path):
    out = tmp_path / "m.mdl"
    result = CliRunner().invoke(app, ["export", str(EXAMPLE_MODEL), "--format", "mdl", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "weight from expert scores groep Noord +2, groep Zuid -1, gemeente +1" in text
    central = load_model(EXAMPLE_MODEL).spec.links[4].weight.central
    assert f"{central:.6g}"[:6] in text


# --- calibration ---------------------------------------------------------------------------------------------------


def test_calibrating_a_scored_link_writes_the_fitted_weight_in_place_of_the_scores(tmp_path):
    runner = CliRunner()
    assert runner.invoke(app, ["run", str(EXAMPLE_SCENARIO), "--out", str(tmp_path / "run")]).exit_code == 0
    rows = (tmp_path / "run" / "results.csv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    observed = ["node,time,value"]
    for line in rows[1:]:
        row = dict(zip(header, line.split(","), strict=True))
        if (
            row["scenario"] == "expert-scores-growth"
            and row["node"] == "housing_demand"
            and float(row["time"]).is_integer()
        ):
            observed.append(f"housing_demand,{row['time']},{float(row['baseline']) + 1.3 * float(row['delta'])!r}")
    (tmp_path / "obs.csv").write_text("\n".join(observed) + "\n", encoding="utf-8")
    fitted = tmp_path / "fitted.yaml"
    result = runner.invoke(
        app,
        [
            "calibrate",
            str(EXAMPLE_SCENARIO),
            str(tmp_path / "obs.csv"),
            "--link",
            "employed_residents:housing_demand",
            "--out",
            str(fitted),
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 0, result.output
    link = load_model(fitted).spec.links[1]
    central = load_model(EXAMPLE_MODEL).spec.links[1].weight.central
    assert not link.is_scored and link.score is None
    assert link.weight.central == pytest.approx(1.3 * central, rel=1e-6)
    assert link.evidence.calibration["weight"]["prior"] == {"score": 2}
