"""The policy-cycle page (issue #18): each phase's answer, in both languages, with the numbers the command line
prints on the same inputs (``bwsim scorecard``, ``bwsim monitor``, ``bwsim evaluate``), and the council report
from the app worded in the app's terms."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from simulator.analysis.text import format_number, node_labels
from simulator.cli.main import app as cli
from simulator.io.spec_files import load_model

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "simulator" / "app" / "app.py"
SCENARIO = ROOT / "scenarios" / "medtech-growth.yaml"
EVALUATION = ROOT / "scenarios" / "examples" / "medtech-growth-evaluation.yaml"
EVALUATION_DATA = ROOT / "data" / "heerlen-evaluation-illustrative.csv"
PLACE_DATA = ROOT / "data" / "parkstad-observed.csv"
PAGE = "views/cycle.py"


def _clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _bwsim(*args: object) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def heerlen() -> Iterator[AppTest]:
    """The app on the Heerlen model, the future medtech-growth, on the policy-cycle page (one app for the module:
    the page's runs are cached)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("BWSIM_MODEL", raising=False)
        at = AppTest.from_file(str(APP), default_timeout=240)
        at.run()
        at.selectbox(key="scenario_pick").set_value("medtech-growth").run()
        at.switch_page(PAGE).run()
        _clean(at)
        yield at


def _in_language(at: AppTest, lang: str) -> AppTest:
    if at.session_state["lang"] != lang:
        at.segmented_control(key="lang").set_value(lang).run()
    _clean(at)
    return at


def _phase_texts(at: AppTest) -> str:
    """Every text of the page: answers (success, warning, info), bullet lines and captions."""
    parts = [e.value for e in (*at.success, *at.warning, *at.info)]
    parts += [m.value for m in at.markdown] + [c.value for c in at.caption]
    return "\n".join(parts)


def _bullets(at: AppTest) -> list[str]:
    """The answers' lines (one per ambition or indicator), unescaped."""
    lines = [line for m in at.markdown for line in m.value.splitlines() if re.match(r"(- |\d+\. )", line)]
    return [re.sub(r"\\(.)", r"\1", re.sub(r"^(- |\d+\. )", "", line)) for line in lines]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_page_opens_with_three_phases_in_either_language(heerlen: AppTest, lang: str):
    at = _in_language(heerlen, lang)
    titles = {"nl": "Beleidscyclus", "en": "Policy cycle"}
    assert at.title[0].value == titles[lang]
    heads = [h.value for h in at.subheader]
    assert [h.split(" ")[1] for h in heads[:3]] == ["Voorbereiding", "Uitvoering", "Evaluatie"]  # domain words
    assert len(at.success) + len(at.warning) == 3  # one answer per phase, first
    links = [link.proto.page for link in at.get("page_link")]
    assert links == ["", "vergelijken", "monitor"]  # where each answer is worked out: home, compare, monitor
    _in_language(heerlen, "nl")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_voorbereiding_says_what_bwsim_scorecard_says_of_the_ambitions(heerlen: AppTest, lang: str):
    at = _in_language(heerlen, lang)
    printed = _bwsim("scorecard", SCENARIO, "--samples", 200, "--lang", lang)
    card = json.loads(_bwsim("scorecard", SCENARIO, "--samples", 200, "--json", "--lang", lang))
    record = card["scenarios"][0]["ambitions"]
    reached = sum(a["reached"] for a in record)
    total = {"nl": f"{reached} van {len(record)} ambitie(s) gehaald", "en": f"{reached} of {len(record)} ambition(s)"}
    assert total[lang] in printed
    assert total[lang] in [w.value for w in at.warning][0]  # not all reached: a warning, the answer first
    lines = _bullets(at)[: len(record)]
    words = {"nl": ("gehaald", "niet gehaald"), "en": ("reached", "not reached")}[lang]
    for line, ambition in zip(lines, record, strict=True):
        word, rest = line.split(": ", 1)
        assert word == words[0 if ambition["reached"] else 1]
        statement, detail = rest.split("; ", 1)
        assert statement == ambition["label"] or ambition["label"] is None
        assert detail in printed  # value, baseline, distance and chance over 200 runs, as printed
        assert f"{100 * ambition['chance']:.0f} %" in detail


def test_voorbereiding_sets_every_scenario_against_the_ambitions(heerlen: AppTest):
    at = _in_language(heerlen, "nl")
    frame = next(d.value for d in at.dataframe if "Gehaald" in d.value.columns)
    record = json.loads(_bwsim("scorecard", ROOT / "scenarios" / "medtech-relocation.yaml", "--json"))
    reached = [a["reached"] for a in record["scenarios"][0]["ambitions"]]
    row = frame.set_index("Scenario").loc["Medtech-groei door verplaatsing"]
    assert row["Gehaald"] == f"{sum(reached)} van {len(reached)}"
    assert [row[str(i)] for i in range(1, len(reached) + 1)] == ["ja" if r else "nee" for r in reached]
    assert len(frame) == 4  # every shipped scenario


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_uitvoering_gives_the_monitors_signal_on_the_observations(heerlen: AppTest, lang: str):
    at = _in_language(heerlen, lang)
    printed = _bwsim("monitor", SCENARIO, PLACE_DATA, "--samples", 500, "--lang", lang)  # the real snapshot
    table = json.loads(_bwsim("monitor", SCENARIO, PLACE_DATA, "--samples", 500, "--json"))["observations"]
    outside = sum(row["status"] != "inside" for row in table)
    count = next(line for line in printed.splitlines() if line.endswith(("buiten de band", "outside the band")))
    assert count.startswith(str(outside))  # "1 van 2 waarneming(en) buiten de band"
    answer = next(w.value for w in at.warning if count in w.value)
    words = {"nl": "van", "en": "of"}[lang]
    assert answer.startswith({"nl": "niet op koers", "en": "not on track"}[lang])
    labels = node_labels(load_model(ROOT / "models" / "medtech-heerlen.yaml").spec, lang)
    for node in dict.fromkeys(row["node"] for row in table):
        rows = [row for row in table if row["node"] == node]
        latest = max(rows, key=lambda r: r["time"])
        line = next(b for b in _bullets(at) if b.startswith(labels[node] + ": "))
        assert "(2025)" in line and f"{sum(r['status'] != 'inside' for r in rows)} {words} {len(rows)}" in line
        if latest["status"] == "inside":
            continue
        by = format_number(abs(latest["outside_by"]), lang)
        assert by in line and by in printed
        assert format_number(abs(latest["outside_pct"]), lang, 2) in line


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_uitvoering_compares_the_place_with_nederland_other_places_and_its_past(heerlen: AppTest, lang: str):
    """#18 item 3 in the app: the real CBS snapshot, as ``bwsim compare-places`` prints it for the place."""
    at = _in_language(heerlen, lang)
    assert at.selectbox(key="cycle_place").value == "Heerlen"  # the model's own place
    shown = [t.value for t in at.text]
    printed = _bwsim(
        "compare-places", ROOT / "models" / "medtech-heerlen.yaml", PLACE_DATA, "--place", "heerlen", "--lang", lang
    )
    assert printed.replace(str(PLACE_DATA), "data/parkstad-observed.csv").rstrip("\n") in shown
    assert {"nl": "slechter dan gemiddeld in Nederland", "en": "worse than the Dutch average"}[lang] in printed
    at.selectbox(key="cycle_place").set_value("Kerkrade").run()
    _clean(at)
    assert any(t.value.startswith("Kerkrade") for t in at.text)
    at.selectbox(key="cycle_place").set_value("Heerlen").run()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_evaluatie_gives_bwsim_evaluates_latest_verdict_per_indicator(heerlen: AppTest, lang: str):
    at = _in_language(heerlen, lang)
    args = (EVALUATION, EVALUATION_DATA, "--since", 2025, "--samples", 200)
    printed = _bwsim("evaluate", *args, "--lang", lang)
    summary = json.loads(_bwsim("evaluate", *args, "--json"))["summary"]
    expected = {"nl": "zoals verwacht", "en": "as expected"}[lang]
    pattern = {
        "nl": r"^(.+) in 2030: waargenomen effect (.+ \(.+\)) .+, verwacht (.+ \(.+\)): (.+)$",
        "en": r"^(.+) in 2030: observed impact (.+ \(.+\)) .+, expected (.+ \(.+\)): (.+)$",
    }[lang]
    found = [m for m in (re.match(pattern, b) for b in _bullets(at)) if m]
    assert len(found) == len(summary) == 3
    rows = [line for line in printed.splitlines() if re.match(r"^\s+\S.*\s2030\s", line)]
    for match in found:
        name, impact, expect, verdict = match.groups()
        row = next(r for r in rows if r.strip().startswith(name))
        assert impact in row and expect in row and row.rstrip().endswith(verdict)  # the same numbers and word
    as_expected = sum(s["latest"] == "as_expected" for s in summary)
    assert sum(m.group(4) == expected for m in found) == as_expected
    head = {"nl": f"{as_expected} van 3 indicator(en)", "en": f"{as_expected} of 3 indicator(s)"}[lang]
    assert any(head in e.value for e in (*at.success, *at.warning))
    worked_out = next(d.value for d in at.dataframe if len(d.value) == 18)  # every evaluated observation
    assert len(worked_out) == sum(s["n_after"] for s in summary)


def test_on_a_model_without_ambitions_or_observations_each_phase_says_so(small_model: Path):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page(PAGE).run()
    _clean(at)
    infos = [i.value for i in at.info]
    assert any("geen ambitiebestand" in i for i in infos)
    assert any("Geen waarnemingen" in i for i in infos)
    assert any("geen evaluatie achteraf" in i for i in infos)


def test_an_upload_on_the_monitor_page_is_what_uitvoering_reads(small_model: Path):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page("views/monitor.py").run()
    csv = b"node,time,value\nincome,2030,30100\nincome,2035,31000\n"
    at.file_uploader(key="monitor_upload").set_value(("metingen.csv", csv, "text/csv")).run()
    at.switch_page(PAGE).run()
    _clean(at)
    assert any("metingen.csv" in c.value for c in at.caption)
    assert any("Inkomen: laatste waarneming (2035)" in b for b in _bullets(at))


@pytest.mark.parametrize("page", [PAGE, "views/export.py"])
def test_the_apps_report_says_what_is_missing_in_the_apps_terms(small_model: Path, page: str):
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.selectbox(key="scenario_pick").set_value("grow").run()
    at.switch_page(page).run()
    prefix = "cycle_" if page == PAGE else ""
    at.number_input(key=f"{prefix}report_runs").set_value(0).run()
    at.button(key=f"{prefix}make_report").click().run()
    _clean(at)
    (_, runs), html = at.session_state["council_report"]
    assert runs == 0
    assert "--samples" not in html and "--sensitivity-runs" not in html and "--" not in html.split("<body>")[1]
    assert "zet 'Aantal runs voor de banden' op 2 of meer" in unescape(html)  # the control's own label
    assert at.get("download_button")  # the download is offered


def test_the_command_line_report_keeps_its_flags(small_model: Path, tmp_path: Path):
    out = tmp_path / "r.html"
    _bwsim("report", small_model.parent.parent / "scenarios" / "grow.yaml", "--out", out, "--sensitivity-runs", 0)
    html = out.read_text(encoding="utf-8")
    assert "draai met --samples" in html and "--sensitivity-runs 0" in html
