"""``bwsim check MODEL``: run the model's behaviour tests (its ``checks``) and say which hold."""

from __future__ import annotations

from pathlib import Path

import typer

from simulator.analysis.behaviour import detail, share_text, statement
from simulator.cli.common import EXIT_FAILED, Lang, echo_warnings, fail, language_option, reports_errors, say
from simulator.cli.flags import as_flags
from simulator.errors import InputError
from simulator.io.spec_files import is_scenario_document, load_model
from simulator.io.yaml_file import read_yaml
from simulator.messages import msg, translate
from simulator.reality_checks import CheckRuns, run_checks
from simulator.runner import Uncertainty
from simulator.sampling import METHODS
from simulator.spec import ModelSpec


def report_text(model: ModelSpec, runs: CheckRuns, language: str) -> str:
    """The table ``bwsim check`` prints: two lines per check (its verdict and statement, then what decided and
    the share of runs), then a count."""
    lines = [translate(msg("behaviour tests of {model}", model=model.title.get(language)), language)]
    if runs.uncertainty is not None:
        samples, seed, method = runs.uncertainty.resolved()
        lines[0] += translate(
            msg(
                " (run at the central values, and {samples:,.0f} runs drawn with seed {seed}, {method})",
                samples=samples,
                seed=seed,
                method=method,
            ),
            language,
        )
    else:
        lines[0] += translate(msg(" (run at the central values)"), language)
    for result in runs.results:
        word = translate(msg("holds") if result.passed else msg("FAILS"), language)
        lines.append(f"  {result.index + 1:>2}  {word:<7} {translate(statement(result.check, model), language)}")
        text = translate(detail(result.check, result.central), language)
        if result.share is not None:
            text += "; " + translate(share_text(result.share, result.runs, result.check.min_share), language)
        lines.append(f"      {'':<7} {text}")
    failed = len(runs.failed)
    lines.append(
        translate(
            msg("{held} of {n} behaviour test(s) hold", held=len(runs.results) - failed, n=len(runs.results)), language
        )
    )
    return "\n".join(lines)


@reports_errors
def check(
    model: Path = typer.Argument(..., help="A model file (YAML) with checks."),
    samples: int | None = typer.Option(None, help="Also run each check over an ensemble of this many runs."),
    seed: int = typer.Option(0, help="Seed of the ensemble draws."),
    method: str = typer.Option("lhs", help="Ensemble sampling: lhs or mc."),
    language: Lang = language_option(),
) -> None:
    """Run the behaviour tests of a model (its checks). Exit 0 when all hold, 1 when one fails, 2 for bad input."""
    if samples is not None and samples < 1:
        fail(msg("--samples must be at least 1, got {samples}", samples=samples))
    if seed < 0:
        fail(msg("--seed must be 0 or more, got {seed}", seed=seed))
    if method not in METHODS:
        fail(msg("--method must be lhs or mc, got {method}", method=repr(method)))
    doc, _ = read_yaml(model)
    if is_scenario_document(doc):
        fail(
            msg(
                "{path} is a scenario file; bwsim check takes a model file, whose checks say what to run",
                path=str(model),
            )
        )
    loaded = load_model(model)
    spec = loaded.spec
    if not spec.checks:
        fail(msg("{path} has no behaviour tests; add a checks: list to the model (docs/formats.md)", path=str(model)))
    uncertainty = None if samples is None else Uncertainty(samples, seed, method)
    try:
        with as_flags("samples", "seed", "method"):
            runs = run_checks(spec, uncertainty, file=str(model))
    except InputError as exc:  # an ensemble's problem in the model (a lag drawn too short): with its line
        raise InputError(
            [loaded.document.locate(p) if p.file == str(model) and p.line is None else p for p in exc.problems]
        ) from None
    echo_warnings(list(runs.warnings), language)
    say(report_text(spec, runs, language), language)
    if runs.failed:
        raise typer.Exit(EXIT_FAILED)
