"""The facilitator's projector view in AppTest: Dutch headings, no internal names, rounded numbers,
disputed assumptions as sentences, and another outcome or year read from cached runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import simulator.workshop.compare as compare_module
import simulator.workshop.futures as futures_module
from simulator.workshop.codes import format_code
from simulator.workshop.store import WorkshopStore

from .helpers import MODEL_YAML, future_yaml

UI = Path(__file__).resolve().parents[2] / "simulator" / "app"
INTERNAL = re.compile(
    r"outcome_made_with|outcome_current|hier_en_nu|weight_low|weight_high|low_future|high_future|"
    r"model_changed|n_values|\bshared\b|\bdelta\b|\bjudgement\b"
)
GROUPS = (("Noord", 0.8, 10.0), ("Zuid", 1.6, 12.345678), ("Oost", 1.2, -8.0))


@pytest.fixture
def opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The facilitator's page with a workshop of three groups' futures open."""
    db = str(tmp_path / "workshop.sqlite")
    monkeypatch.setenv("BWSIM_WORKSHOP_DB", db)
    with WorkshopStore(db) as store:
        code = store.create_workshop("Proef", MODEL_YAML, [future_yaml(10, name="start")]).code
        for group, weight, height in GROUPS:
            store.join(code, group)
            store.save_future(code, group, "plan", future_yaml(height, weight=weight))
    at = AppTest.from_file(str(UI / "views" / "workshop_facilitator.py"), default_timeout=60)
    at.run()
    at.text_input[-1].input(format_code(code))
    next(b for b in at.button if b.label == "Openen").click()
    at.run()
    assert not at.exception and not at.error
    return at


def _texts(at: AppTest) -> list[str]:
    """Everything the page writes: headings, Markdown, captions, table headings and cells, widget labels."""
    out = [e.value for e in [*at.title, *at.header, *at.subheader, *at.markdown, *at.caption, *at.info]]
    for table in at.table:
        frame = table.value
        out += [str(c) for c in frame.columns] + [str(i) for i in frame.index] + [str(frame.index.name)]
        out += [str(v) for v in frame.to_numpy().ravel()]
    out += [w.label for w in [*at.selectbox, *at.multiselect, *at.select_slider]]
    return out


def test_the_headings_are_dutch_and_no_internal_name_shows(opened: AppTest):
    headings = [s.value for s in opened.subheader]
    assert headings[:2] == ["Scorekaarten naast elkaar (2030)", "De uitkomst per toekomst (laatste versie)"]
    assert "De toekomsten over de tijd" in headings and "Aannames waarover groepen het oneens zijn" in headings
    leaked = [t for t in _texts(opened) if INTERNAL.search(t)]
    assert leaked == []
    assert not opened.dataframe  # static tables only: a data grid cuts columns off on a projector


def test_numbers_are_rounded_and_dutch(opened: AppTest):
    futures = next(t.value for t in opened.table if "Toekomst" in t.value.columns)
    assert list(futures.index) == ["Noord", "Zuid", "Oost"]
    shown = [v.replace("\\", "") for v in futures["Verandering X in 2030"]]  # cells are escaped for Markdown
    assert shown == ["10", "12,3", "-8"]  # 12.345678 to 3 digits


def test_the_disputed_assumptions_are_sentences(opened: AppTest):
    opened.selectbox(key="ws_outcome").set_value("z")
    opened.run()
    text = " ".join(m.value for m in opened.markdown).replace("\\", "")
    # The reference (Noord, height 10) re-run with each group's weight: z moves 0.5 * w * 10.
    assert (
        "Noord / plan en Zuid / plan verschillen het meest over het effect van X op Y "
        "(gewicht 0,8 tegenover 1,6); dat verschuift Z in 2030 met 4." in text
    )


def test_each_future_has_a_scorecard_and_the_differences_are_framed(opened: AppTest):
    specs = [json.loads(c.proto.spec) for c in opened.get("plotly_chart")]
    cards = [s for s in specs if s["data"][0]["type"] == "heatmap"]
    assert [c["layout"]["title"]["text"] for c in cards] == ["Noord / plan", "Zuid / plan", "Oost / plan"]
    # Noord and Zuid step x up (x better, y worse, z better), Oost steps it down: every cell differs.
    assert [len(c["layout"]["shapes"]) for c in cards] == [3, 3, 3]


def test_another_outcome_or_year_runs_nothing_again(opened: AppTest, monkeypatch: pytest.MonkeyPatch):
    """The runs are cached by the futures' checksums: the outcome and year only read them."""
    calls = []
    runners = [
        (m, n) for m in (compare_module, futures_module) for n in ("run_deterministic", "run_prepared") if hasattr(m, n)
    ]
    assert len(runners) >= 2  # the re-runs of the disputes and the futures' own runs are both counted
    for module, name in runners:
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _real=real, **k: calls.append(1) or _real(*a, **k))
    stamp = opened.caption[-1].value
    for outcome in ("z", "y", "x"):
        opened.selectbox(key="ws_outcome").set_value(outcome)
        opened.run()
        assert not opened.exception
    opened.select_slider(key="ws_year").set_value(2027.0)
    opened.run()
    assert calls == [] and opened.caption[-1].value == stamp
