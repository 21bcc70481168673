"""``bwsim report SCENARIO... --out report.html``: a report for a council proposal, one self-contained HTML page.

The content comes from :func:`simulator.council_report.council_report`, the page
from :func:`simulator.io.report_html.render_html`; with ``--pdf`` also a PDF beside
it, printed by a headless Chromium when one is installed.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import typer

from simulator.cli.common import Lang, atomic_file, echo_warnings, fail, language_option, reports_errors, say, warn
from simulator.errors import InputError, Problem
from simulator.io.ambition_files import ambitions_beside
from simulator.io.output_paths import check_outputs
from simulator.messages import msg


def _inputs(scenarios: list[Path]) -> dict[str, str]:
    """The files the report reads (scenarios, their models and ambitions), none of which it may replace."""
    from simulator.io.spec_files import load_scenario

    found: dict[str, str] = {}
    for path in scenarios:
        found[str(path)] = msg("the scenario")
        try:
            model = load_scenario(path).model.path
        except InputError:
            continue  # the run reports it, with every other problem
        found[model] = msg("the model")
        found[str(ambitions_beside(model))] = msg("the ambitions file")
    return found


def _check(targets: list[Path], force: bool, inputs: dict[str, str]) -> None:
    check_outputs(targets, inputs)
    problems = [
        Problem(str(t), "--out", msg("exists already"), msg("add --force to replace it, or choose another file"))
        for t in targets
        if t.exists() and not force
    ]
    if problems:
        raise InputError(problems)


@reports_errors
def report_command(
    scenarios: list[Path] = typer.Argument(..., help="Scenario files (YAML)."),
    out: Path = typer.Option(..., "--out", help="The HTML file to write."),
    samples: int | None = typer.Option(
        None,
        "--samples",
        help="Ensemble members for bands, shares and the "
        "ambitions' chances (default: the scenario's uncertainty block, else "
        "none).",
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the ensemble and the sensitivity screening."),
    sensitivity_runs: int = typer.Option(
        8, "--sensitivity-runs", help="Morris trajectories of the screening of the assumptions (0: none)."
    ),
    pdf: bool = typer.Option(False, "--pdf", help="Also write a PDF beside the HTML (needs chromium)."),
    force: bool = typer.Option(False, "--force", help="Replace existing output files."),
    language: Lang = language_option(),
) -> None:
    """Write a report for a council proposal: the question, scenarios, effects per dimension with bands,
    scorecard, trade-offs, verdeling, assumptions, ambitions, sources and what the model leaves out."""
    if samples is not None and samples < 2:
        fail(msg("--samples must be at least 2 for a band, got {samples}", samples=samples))
    if sensitivity_runs < 0:
        fail(msg("--sensitivity-runs must be 0 or more, got {n}", n=sensitivity_runs))
    if seed < 0:
        fail(msg("--seed must be 0 or more, got {seed}", seed=seed))
    from simulator.council_report import council_report
    from simulator.io.report_html import chromium, pdf_from_html, render_html

    targets = [out] + ([out.with_suffix(".pdf")] if pdf else [])
    inputs = _inputs(scenarios)
    _check(targets, force, inputs)
    made = council_report(scenarios, samples, seed, language, sensitivity_runs)
    echo_warnings(made.runs.warnings, language)
    page = render_html(made)
    _check(targets, force, inputs)
    with atomic_file(out, inputs) as staging:
        staging.write_text(page, encoding="utf-8")
    say(msg("written: {path}", path=str(out)), language)
    if not pdf:
        return
    if chromium() is None:
        warn(msg("no PDF: no chromium is installed; print the HTML from a browser instead"), language)
        return
    try:
        with atomic_file(targets[1], inputs) as staging:
            pdf_from_html(page, staging)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        warn(msg("no PDF: chromium failed ({reason})", reason=type(exc).__name__), language)
        return
    say(msg("written: {path}", path=str(targets[1])), language)
