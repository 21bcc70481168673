"""Behaviour tests (a model's ``checks``): every form holds where built to hold and fails where built to fail.

The paths are written by hand (analytic), so each verdict is known without running a model;
``tests/core/test_checks.py`` runs checks through the runner and the command line.
"""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from simulator.analysis.behaviour import detail, evaluate, share, share_text, statement
from simulator.messages import translate
from simulator.spec import BehaviourCheck, ModelSpec

TIMES = np.arange(2020.0, 2030.25, 0.25)  # 41 reported times
BASE = np.full(TIMES.size, 100.0)
STEP = {"node": "x", "shape": "step", "height": 1.0, "start": 2022}


def check(**data) -> BehaviourCheck:
    return BehaviourCheck.model_validate({"node": "y", **data})


def path(values: dict[float, float]) -> np.ndarray:
    """A deviation path that is 0 except at the given years."""
    d = np.zeros(TIMES.size)
    for year, value in values.items():
        d[int(np.argmin(np.abs(TIMES - year)))] = value
    return d


@pytest.mark.parametrize(
    ("form", "d", "holds"),
    [
        ("falls", path({2024: -0.1}), True),
        ("falls", path({2022: -0.1}), True),  # the window starts at the interventions' start
        ("falls", path({2027: -0.1}), True),  # and ends `within` years later, that time included
        ("falls", path({2027.25: -0.1}), False),  # after the window
        ("falls", path({2021.75: -0.1}), False),  # before the interventions start
        ("falls", path({2024: 0.1}), False),
        ("falls", np.zeros(TIMES.size), False),  # no change is no fall
        ("rises", path({2024: 0.1}), True),
        ("rises", path({2024: -0.1}), False),
    ],
)
def test_rises_and_falls_look_in_the_window_after_the_start(form, d, holds):
    verdict = evaluate(check(expect=form, within=5, **{"with": STEP}), TIMES, BASE, d)
    assert verdict.holds.tolist() == [holds]


def test_a_fall_names_the_first_year_it_is_seen():
    verdict = evaluate(check(expect="falls", within=5, **{"with": STEP}), TIMES, BASE, path({2023: -2, 2024: -5}))
    assert verdict.year[0] == 2023 and verdict.value[0] == -2


def test_the_window_starts_at_the_earliest_intervention():
    late = {**STEP, "start": 2026}
    series = {"node": "x", "shape": "series", "values": {2021: 0, 2023: 1}}
    c = check(expect="falls", within=1, **{"with": [late, series]})
    assert c.start == 2021
    assert evaluate(c, TIMES, BASE, path({2021.5: -1})).holds.tolist() == [True]
    assert evaluate(c, TIMES, BASE, path({2026.5: -1})).holds.tolist() == [False]


@pytest.mark.parametrize(
    ("form", "value", "holds"),
    [
        ("higher", 0.5, True),
        ("higher", -0.5, False),
        ("higher", 0.0, False),
        ("lower", -0.5, True),
        ("lower", 0.5, False),
        ("lower", 0.0, False),
    ],
)
def test_higher_and_lower_read_the_sign_in_their_year(form, value, holds):
    c = check(expect=form, year=2025, **{"with": STEP})
    assert evaluate(c, TIMES, BASE, path({2025: value})).holds.tolist() == [holds]
    assert evaluate(c, TIMES, BASE, path({2025.25: value})).holds.tolist() == [False]  # another year


@pytest.mark.parametrize(
    ("form", "bounds", "d", "holds"),
    [
        ("never_below", {"value": 90}, path({2025: -10}), True),  # 90 is not below 90
        ("never_below", {"value": 90}, path({2025: -10.001}), False),
        ("never_above", {"value": 110}, path({2025: 10}), True),
        ("never_above", {"value": 110}, path({2025: 10.001}), False),
        ("between", {"low": 95, "high": 105}, path({2021: -5, 2029: 5}), True),
        ("between", {"low": 95, "high": 105}, path({2029: 5.5}), False),
        ("between", {"low": 95, "high": 105}, path({2021: -5.5}), False),
        ("between", {"low": 101, "high": 105}, np.zeros(TIMES.size), False),  # the baseline itself is outside
    ],
)
def test_bounds_and_ranges_hold_at_every_time(form, bounds, d, holds):
    assert evaluate(check(expect=form, **bounds), TIMES, BASE, d).holds.tolist() == [holds]


def test_a_broken_bound_names_when_and_the_value():
    verdict = evaluate(check(expect="never_below", value=90), TIMES, BASE, path({2023: -11, 2026: -20}))
    assert verdict.year[0] == 2023 and verdict.value[0] == 89


def test_an_ensemble_is_judged_member_by_member():
    members = np.stack([path({2024: -1}), path({2024: 1}), path({2028: -1}), path({2025: -3})], axis=1)
    verdict = evaluate(check(expect="falls", within=5, **{"with": STEP}), TIMES, BASE, members)
    assert verdict.holds.tolist() == [True, False, False, True]
    assert share(verdict) == 0.5
    assert translate(share_text(share(verdict), 4, 0.9), "nl") == "geldt in 50 % van 4 runs (nodig: 90 %)"
    assert translate(share_text(0.97, 1000), "en") == "holds in 97 % of 1,000 runs"


def test_the_detail_says_what_decided():
    c = check(expect="never_below", value=0)
    held = evaluate(c, TIMES, BASE, path({2024: -60}))
    assert translate(detail(c, held), "en") == "closest in 2024: 40"
    broken = evaluate(c, TIMES, BASE, path({2024: -1500}))
    assert translate(detail(c, broken), "nl") == "voor het eerst erbuiten in 2024: -1.400"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"expect": "sometimes"}, "'sometimes'"),
        ({"expect": "falls", "within": 5}, "needs with:"),
        ({"expect": "falls", "with": STEP}, "needs within"),
        ({"expect": "never_below", "value": 0, "year": 2025}, "year is not a key of a 'never_below' check"),
        ({"expect": "between", "low": 5, "high": 1}, "low <= high"),
        ({"expect": "falls", "within": 0, "with": STEP}, "within must be above 0"),
        ({"expect": "never_below", "value": 0, "min_share": 1.5}, "less than or equal to 1"),
    ],
)
def test_malformed_checks_are_refused_with_the_fix(data, words):
    with pytest.raises(ValidationError) as info:
        check(**data)
    assert words in str(info.value)


def test_a_check_is_written_as_a_sentence_when_it_has_no_label():
    model = ModelSpec.model_validate(
        {
            "name": "m",
            "title": "m",
            "nodes": [
                {
                    "id": "x",
                    "label": {"nl": "Banen", "en": "Jobs"},
                    "theme": "samenleving",
                    "dimension": "hier_en_nu",
                    "unit": "jobs",
                },
                {
                    "id": "y",
                    "label": {"nl": "Werkloosheid", "en": "Unemployment"},
                    "theme": "samenleving",
                    "dimension": "hier_en_nu",
                    "unit": "%",
                },
            ],
        }
    )
    step = {**STEP, "height": 1000, "start": 2026}
    c = check(expect="falls", within=5, **{"with": step})
    assert translate(statement(c, model), "en") == "with Jobs +1,000 jobs from 2026: Unemployment falls within 5 years"
    assert translate(statement(c, model), "nl") == "met Banen +1.000 banen vanaf 2026: Werkloosheid daalt binnen 5 jaar"
    bounded = check(node="x", expect="between", low=80000, high=95000)
    assert translate(statement(bounded, model), "nl") == "Banen blijft tussen 80.000 banen en 95.000 banen"
    labelled = check(expect="never_below", value=0, label={"nl": "Nooit negatief", "en": "Never negative"})
    assert translate(statement(labelled, model), "en") == "Never negative"


def test_a_window_between_two_reported_times_reads_the_next_one():
    c = check(expect="falls", within=0.1, **{"with": {**STEP, "start": 2022.1}})
    assert evaluate(c, TIMES, BASE, path({2022.25: -1})).holds.tolist() == [True]
    assert evaluate(c, TIMES, BASE, path({2022.5: -1})).holds.tolist() == [False]
