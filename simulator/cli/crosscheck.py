"""``bwsim crosscheck PATH [--engine pysd,simlin]``: the export run in other engines, compared with bwsim."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import pandas as pd
import typer

from simulator.analysis.text import table
from simulator.cli.common import EXIT_FAILED, Lang, language_option, reports_errors, say
from simulator.cli.export import _prepared_and_inputs
from simulator.errors import InputError
from simulator.io.crosscheck import TOLERANCE, EngineRun, crosscheck, engine_problems, installed_engines
from simulator.messages import localize_number, msg, translate

SHOWN_FLOOR = 1e-12
"""Differences below this are printed as ``< 1e-12`` (they are float noise; the bar is 1e-9)."""


def shown(value: float, language: str) -> str:
    """A difference for people: ``< 1e-12``, ``3.2e-10``, or "failed" when the run gave none."""
    if value != value or value == float("inf"):
        return translate(msg("failed"), language)
    if value < SHOWN_FLOOR:
        return "< " + localize_number("1e-12", language)
    return localize_number(f"{value:.1e}", language)


def _verdict(run: EngineRun, language: str) -> str:
    if run.error:
        return translate(
            msg("{engine}: could not run the export: {reason}", engine=run.label, reason=run.error), language
        )
    bar = localize_number(f"1e{round(math.log10(TOLERANCE))}", language)
    if run.worst < SHOWN_FLOOR:  # which node is "largest" among float noise is noise too
        return translate(
            msg(
                "{engine}: agrees (every difference {worst}; the bar is {bar})",
                engine=run.label,
                worst=shown(run.worst, language),
                bar=bar,
            ),
            language,
        )
    values = {"engine": run.label, "worst": shown(run.worst, language), "node": run.worst_node, "bar": bar}
    if run.agrees:
        return translate(
            msg("{engine}: agrees (largest difference {worst}, {node}; the bar is {bar})", **values), language
        )
    return translate(
        msg("{engine}: DISAGREES (largest difference {worst}, {node}; the bar is {bar})", **values), language
    )


@reports_errors
def crosscheck_command(
    path: Path = typer.Argument(..., help="A model file (run without interventions) or a scenario file."),
    engine: str = typer.Option(
        "",
        "--engine",
        help="Engines to run, separated by commas: pysd, simlin, sdeverywhere (default: every one installed).",
    ),
    language: Lang = language_option(),
) -> None:
    """Run the export in other SD engines and print the largest difference per node (exit 1 above 1e-9)."""
    engines = [name.strip().lower() for name in engine.split(",") if name.strip()] or installed_engines()
    problems = engine_problems(engines)
    if problems:  # before reading the model: the option is wrong whatever the file
        raise InputError(problems)
    prepared, _ = _prepared_and_inputs(path)
    with tempfile.TemporaryDirectory(prefix="bwsim-crosscheck-") as folder:
        runs = crosscheck(prepared, engines, Path(folder))
    say(
        msg(
            "{name}: the export run in {count} engine runs, compared with bwsim (largest difference per node over "
            "time: relative above 1, absolute below)",
            name=prepared.name,
            count=len(runs),
        ),
        language,
    )
    node = translate(msg("node"), language)
    frame = pd.DataFrame({node: list(prepared.compiled.node_ids)})
    for run in runs:
        frame[run.label] = [shown(run.differences.get(n, float("inf")), language) for n in frame[node]]
    columns = [node, *(run.label for run in runs)]
    typer.echo(table(frame, columns, [max(len(n) for n in frame[node]), *(14 for _ in runs)]))
    for run in runs:
        typer.echo(_verdict(run, language))
    if not all(run.agrees for run in runs):
        raise typer.Exit(EXIT_FAILED)
