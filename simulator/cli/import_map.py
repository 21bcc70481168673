"""``bwsim import-map FILE --format kumu|mentalmodeler|loopy|fcm --out MODEL.yaml``: a participatory map as a model."""

from __future__ import annotations

import math
from pathlib import Path

import typer

from simulator.cli.common import Lang, atomic_file, fail, language_option, reports_errors, say, warn
from simulator.errors import InputError, Problem
from simulator.io.maps import FORMAT_NAMES, READERS, map_model
from simulator.io.output_paths import check_outputs
from simulator.messages import msg


@reports_errors
def import_map(path: Path = typer.Argument(..., help="The map: a Kumu JSON or CSV export, a Mental Modeler .mmp or "
                                                     "CSV, a LOOPY link or its JSON, an FCM matrix or edge list."),
               format: str = typer.Option(..., "--format", help="kumu, mentalmodeler, loopy or fcm."),
               out: Path = typer.Option(..., "--out", help="The model file to write."),
               lag: float = typer.Option(1.0, "--lag", help="Years: the lag of each link the file gives none."),
               force: bool = typer.Option(False, "--force", help="Replace --out when it exists."),
               language: Lang = language_option()) -> None:
    """Turn a participatory causal map into a bwsim model: expert-scored links, every choice in its notes."""
    reader = READERS.get(format.lower())
    if reader is None:
        fail(msg("unknown --format {format}; use kumu, mentalmodeler, loopy or fcm", format=repr(format)))
    if not math.isfinite(lag) or lag < 0:
        fail(msg("--lag must be 0 or more years, not {lag:g}", lag=lag))
    inputs = {path: msg("the map")}
    check_outputs([out], inputs)
    if out.exists() and not out.is_dir() and not force:
        raise InputError(Problem(str(out), "--out", msg("already exists"),
                                 msg("give --force to replace it, or choose another file")))
    model = map_model(reader(path), lag, language, lag_name="--lag")
    for text in model.warnings:
        warn(text, language)
    with atomic_file(out, inputs) as staging:
        staging.write_text(model.text, encoding="utf-8")
    say(msg("wrote {out}: {nodes} nodes and {links} expert-scored links from the {format} map {file}; its "
            "description lists every choice the import made", out=str(out), nodes=len(model.spec.nodes),
            links=len(model.spec.links), format=FORMAT_NAMES[format.lower()], file=path.name), language)
