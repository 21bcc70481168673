"""``bwsim report``: the page renders (every section, images embedded as PNG), its numbers are the CLI
scorecard's, user text is escaped, outputs are never overwritten without --force, bad input exits 2."""

from __future__ import annotations

import base64
import json
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from simulator.analysis.text import format_number
from simulator.cli.main import app
from simulator.io.report_html import SECTIONS

MODEL = """
name: two-links
title: two links
description: {nl: "Een klein model voor de test.", en: "A small model for the test."}
time: {start: 2025, end: 2035, dt: 0.5}
nodes:
  - {id: push, label: Push, theme: arbeid_en_vrije_tijd, dimension: hier_en_nu, region: heerlen, baseline: 0}
  - id: jobless
    label: {nl: "Werkloosheid <script>alert(1)</script>", en: "Unemployment <script>alert(1)</script>"}
    theme: arbeid_en_vrije_tijd
    dimension: hier_en_nu
    region: heerlen
    unit: "%"
    baseline: 10
    direction: down
    indicator: {source: "CBS <b>StatLine</b> 80590ned"}
  - id: nature
    label: {nl: Natuur, en: Nature}
    theme: milieu
    dimension: later
    region: heerlen
    unit: index_point
    baseline: 100
    direction: up
    quantified: false
    indicator: {note: "Assumption: expert score <img src=x onerror=alert(2)>"}
links:
  - from: push
    to: jobless
    weight: {dist: uniform, low: -1.2, high: -0.2}
    evidence: {strength: literature, source: "Study & co 2021"}
  - from: push
    to: nature
    weight: {dist: triangular, low: -3, mode: -2, high: -1}
"""
SCENARIO = """
name: step
model: two-links.yaml
title: {nl: "Een stap <script>x()</script>", en: "A step <script>x()</script>"}
description: {nl: "Een blijvende duw vanaf 2025.", en: "A lasting push from 2025."}
interventions:
  - {node: push, shape: step, height: 1, start: 2025}
"""
AMBITIONS = """
model: two-links
ambitions:
  - {indicator: jobless, place: heerlen, below: 9.8, year: 2030}
"""


def bwsim(*args):
    args = [str(a) for a in args]
    return CliRunner().invoke(app, args if "--lang" in args else [*args, "--lang", "en"])


@pytest.fixture()
def files(tmp_path):
    (tmp_path / "two-links.yaml").write_text(MODEL, encoding="utf-8")
    (tmp_path / "step.yaml").write_text(SCENARIO, encoding="utf-8")
    (tmp_path / "two-links.ambitions.yaml").write_text(AMBITIONS, encoding="utf-8")
    return tmp_path


class Page(HTMLParser):
    """What the tests read from the page: section ids, image sources, element names, each scorecard row."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.images: list[str] = []
        self.tags: list[str] = []
        self.rows: dict[tuple[str, str], dict[str, str]] = {}
        self.text: list[str] = []
        self._row: tuple[str, str] | None = None
        self._cell: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "section":
            self.sections.append(a.get("id", ""))
        if tag == "img":
            self.images.append(a.get("src", ""))
        if tag == "tr" and "data-scenario" in a:
            self._row = (a["data-scenario"], a["data-node"])
            self.rows[self._row] = {}
        if tag == "td" and self._row is not None:
            self._cell = next((c for c in (a.get("class") or "").split() if c != "n"), None)

    def handle_endtag(self, tag):
        if tag == "tr":
            self._row = None
        if tag == "td":
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._row is not None and self._cell:
            self.rows[self._row][self._cell] = self.rows[self._row].get(self._cell, "") + data


def _read(path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture()
def made(files):
    out = files / "report.html"
    result = bwsim("report", files / "step.yaml", "--out", out, "--samples", 40, "--sensitivity-runs", 4)
    assert result.exit_code == 0, result.output
    return files, out, result


def test_the_report_has_every_section_and_embedded_png_images(made):
    _, out, result = made
    assert f"written: {out}" in result.output
    page = _read(out)
    assert page.sections == list(SECTIONS)
    assert page.images
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(b"\x89PNG\r\n\x1a\n")


def test_user_text_is_escaped(made):
    _, out, _ = made
    page = _read(out)
    assert "script" not in page.tags and page.tags.count("img") == len(page.images)
    text = "".join(page.tags and page.text)
    assert "Unemployment <script>alert(1)</script>" in text  # shown as text, not run
    assert "A step <script>x()</script>" in text
    assert "CBS <b>StatLine</b> 80590ned" in text
    assert "<img src=x onerror=alert(2)>" in text  # the unquantified node's note
    raw = out.read_text(encoding="utf-8")
    assert "<script>" not in raw and "&lt;script&gt;" in raw


def test_numbers_match_the_cli_scorecard(made):
    files, out, _ = made
    card = json.loads(bwsim("scorecard", files / "step.yaml", "--json", "--samples", 40).output)
    nodes = card["scenarios"][0]["nodes"]
    last = max(row["year"] for row in nodes)
    rows = _read(out).rows
    horizon = [row for row in nodes if row["year"] == last]
    assert {("step", row["node"]) for row in horizon} == set(rows)
    for row in horizon:
        cells = rows[("step", row["node"])]
        assert cells["delta"] == format_number(row["delta"], "en")
        relative = "n/a" if row["relative"] is None else format_number(100 * row["relative"], "en") + " %"
        assert cells["relative"].strip() == relative
    jobless = next(row for row in horizon if row["node"] == "jobless")
    assert jobless["delta"] == pytest.approx(-0.7, abs=0.2)  # -(weight) with weight ~ U(0.2, 1.2)


def test_the_report_reads_the_ambitions_and_names_the_screening(made):
    _, out, _ = made
    text = "".join(_read(out).text)
    assert "two-links.ambitions.yaml" in text
    assert "Morris" in text
    assert "Study & co 2021" in text


def test_dutch_by_default_with_dutch_numbers(files):
    out = files / "rapport.html"
    result = bwsim("report", files / "step.yaml", "--out", out, "--sensitivity-runs", 0, "--lang", "nl")
    assert result.exit_code == 0, result.output
    text = "".join(_read(out).text)
    assert "Wat het model niet dekt" in text and "hier en nu" in text
    assert "-0,7 " in text or "-0,7" in text  # the central weight's change, Dutch comma


def test_an_existing_report_is_not_replaced_without_force(made):
    files, out, _ = made
    out.write_text("mine", encoding="utf-8")
    again = bwsim("report", files / "step.yaml", "--out", out, "--sensitivity-runs", 0)
    assert again.exit_code == 2 and "--force" in again.output
    assert out.read_text(encoding="utf-8") == "mine"
    assert bwsim("report", files / "step.yaml", "--out", out, "--sensitivity-runs", 0, "--force").exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_the_report_never_replaces_an_input(files):
    result = bwsim("report", files / "step.yaml", "--out", files / "two-links.yaml", "--force")
    assert result.exit_code == 2 and "would overwrite" in result.output
    assert "nodes:" in (files / "two-links.yaml").read_text(encoding="utf-8")


def test_bad_input_exits_2_with_the_place(files):
    result = bwsim("report", files / "step.yaml", "--out", files / "r.html", "--samples", 1)
    assert result.exit_code == 2 and "--samples" in result.output
    (files / "two-links.ambitions.yaml").write_text(AMBITIONS.replace("jobless", "nobody"), encoding="utf-8")
    result = bwsim("report", files / "step.yaml", "--out", files / "r.html")
    assert result.exit_code == 2 and "two-links.ambitions.yaml" in result.output and "Traceback" not in result.output
    assert not (files / "r.html").exists()


class _FlakyFigure:
    """A figure whose first ``to_image`` fails as kaleido's tab does before its scripts have loaded."""

    def __init__(self, message: str):
        self.message, self.calls = message, 0

    def to_image(self, **_: object) -> bytes:
        from kaleido.errors import JavascriptError

        self.calls += 1
        if self.calls == 1:
            raise JavascriptError(self.message)
        return b"png"


def test_a_png_is_asked_once_more_when_kaleidos_tab_had_not_loaded():
    from kaleido.errors import JavascriptError

    from simulator.io.report_html import figure_png

    early = _FlakyFigure("{'description': 'ReferenceError: kaleido_scopes is not defined'}")
    assert figure_png(early, 300, 200) == b"png" and early.calls == 2
    other = _FlakyFigure("{'description': 'TypeError: x is undefined'}")
    with pytest.raises(JavascriptError):
        figure_png(other, 300, 200)
    assert other.calls == 1
