"""``bwsim export PATH --format xmile|mdl --out FILE``: the model for Vensim, Stella or PySD."""

from __future__ import annotations

from pathlib import Path

import typer

from simulator.cli.common import Lang, atomic_file, fail, language_option, reports_errors, say
from simulator.io.export_equations import build_equations
from simulator.io.export_mdl import write_mdl
from simulator.io.export_xmile import write_xmile
from simulator.io.output_paths import check_outputs
from simulator.io.spec_files import is_scenario_document, load_model, load_scenario
from simulator.io.yaml_file import read_yaml
from simulator.messages import msg
from simulator.scenario_run import PreparedScenario, baseline_scenario, prepare_scenario

WRITERS = {"mdl": write_mdl, "xmile": write_xmile}


def _prepared_and_inputs(path: Path) -> tuple[PreparedScenario, dict[str, str]]:
    """The prepared run and the files read for it (path -> what it is)."""
    doc, _ = read_yaml(path)
    if is_scenario_document(doc):
        loaded = load_scenario(path)
        inputs: dict[str, str] = {loaded.model.path: msg("the model"), loaded.path: msg("the scenario")}
        return prepare_scenario(loaded.spec, loaded.model.spec, loaded.path), inputs
    model = load_model(path)
    prepared = prepare_scenario(baseline_scenario(model.spec, name=model.spec.name), model.spec, str(path))
    return prepared, {model.path: msg("the model")}


@reports_errors
def export(
    path: Path = typer.Argument(
        ..., help="A model file, or a scenario file (its interventions, overrides and time are exported too)."
    ),
    format: str = typer.Option(..., "--format", help="mdl (Vensim, PySD) or xmile (Stella, PySD)."),
    out: Path = typer.Option(..., "--out", help="File to write."),
    flat: bool = typer.Option(
        False, "--flat", help="A model with dimensions as its expanded network (jobs__heerlen), not subscripted."
    ),
    language: Lang = language_option(),
) -> None:
    """Write the model (at its central values) as Vensim .mdl or XMILE."""
    writer = WRITERS.get(format.lower())
    if writer is None:
        fail(msg("unknown --format {format}; use mdl or xmile", format=repr(format)))
    prepared, inputs = _prepared_and_inputs(path)
    check_outputs([out], inputs)
    text = writer(build_equations(prepared, flat=flat))
    with atomic_file(out, inputs) as staging:
        staging.write_text(text, encoding="utf-8")
    say(
        msg(
            "wrote {out} ({format}); each node x has x_baseline, x_input, x_delta and x",
            out=str(out),
            format=format.lower(),
        ),
        language,
    )
