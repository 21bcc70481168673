"""``bwsim import FILE --out MODEL.yaml``: a model made elsewhere as a bwsim model.

Two families of formats: system-dynamics models (Vensim ``.mdl``, XMILE) and
participatory causal maps (Kumu, Mental Modeler, LOOPY, an FCM matrix or edge
list), whose weights become expert-scored links. The format comes from
``--format`` or the file's suffix (:data:`SUFFIXES`); each format is one entry
of :data:`IMPORTERS`, a function that reads the file and returns an
:class:`Imported` (the model file's text, its size, what to print). Nothing is written when the import is
refused; the output is written atomically and never replaces a file without
``--force``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from simulator.cli.common import Lang, atomic_file, fail, language_option, reports_errors, say, warn
from simulator.errors import InputError, Problem
from simulator.io.input_file import read_input_bytes
from simulator.io.output_paths import check_outputs
from simulator.io.yaml_writer import dump_yaml
from simulator.messages import msg, translate

MAX_IMPORT_BYTES = 20_000_000
"""Largest file ``bwsim import`` reads."""


@dataclass
class Imported:
    """What an importer gives: the model file's data (or its text, when the importer wrote it) and lines
    to print after writing it (``warnings`` on stderr before)."""

    data: dict[str, Any]
    lines: list[Any] = field(default_factory=list)
    text: str | None = None
    warnings: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class ImportOptions:
    """What the command line may set: ``approximate`` (system-dynamics models), ``lag`` in years (maps:
    the lag of each link the file gives none)."""

    approximate: bool = False
    lag: float = 1.0


Importer = Callable[[Path, ImportOptions, str], Imported]
"""An importer: (file, options, language) -> :class:`Imported`; raises :class:`InputError` on bad input."""


def _system_dynamics(fmt: str) -> Importer:
    def run(path: Path, options: ImportOptions, language: str) -> Imported:
        from simulator.io.import_check import import_system_dynamics

        return import_system_dynamics(path, fmt, options.approximate, language)

    return run


def _causal_map(fmt: str) -> Importer:
    def run(path: Path, options: ImportOptions, language: str) -> Imported:
        from simulator.io.maps import FORMAT_NAMES, READERS, map_model

        model = map_model(READERS[fmt](path), options.lag, language, lag_name="--lag")
        line = msg(
            "from the {format} map {file}: every link is an expert score; the model's description lists "
            "every choice the import made",
            format=FORMAT_NAMES[fmt],
            file=path.name,
        )
        return Imported(
            {"nodes": model.spec.nodes, "links": model.spec.links}, [line], model.text, list(model.warnings)
        )

    return run


SD_FORMATS = ("vensim", "xmile")
MAP_FORMATS = ("kumu", "mentalmodeler", "loopy", "fcm")
IMPORTERS: dict[str, Importer] = {
    **{f: _system_dynamics(f) for f in SD_FORMATS},
    **{f: _causal_map(f) for f in MAP_FORMATS},
}
"""Each format's importer (another format adds one entry)."""

SUFFIXES: dict[str, str] = {
    ".mdl": "vensim",
    ".xmile": "xmile",
    ".stmx": "xmile",
    ".xml": "xmile",
    ".mmp": "mentalmodeler",
}
"""The format a file's suffix implies when ``--format`` is not given."""


def _format(path: Path, given: str | None) -> str:
    if given:
        fmt = given.lower()
        if fmt not in IMPORTERS:
            fail(
                msg("unknown --format {format}; use one of {formats}", format=repr(given), formats=", ".join(IMPORTERS))
            )
        return fmt
    fmt_found = SUFFIXES.get(path.suffix.lower())
    if fmt_found is None:
        raise InputError(
            Problem(
                str(path),
                "",
                msg("the suffix {suffix} names no format bwsim imports", suffix=repr(path.suffix)),
                msg("give --format, one of {formats}", formats=", ".join(IMPORTERS)),
            )
        )
    return fmt_found


@reports_errors
def import_command(
    path: Path = typer.Argument(
        ...,
        help="The model to import: .mdl, .xmile, .stmx, .xml; or a "
        "participatory map: a Kumu JSON or CSV export, a Mental "
        "Modeler .mmp or CSV, a LOOPY link or its JSON, an FCM "
        "matrix or edge list (CSV).",
    ),
    out: Path = typer.Option(..., "--out", help="The bwsim model file to write (YAML)."),
    format: str | None = typer.Option(
        None,
        "--format",
        help="vensim, xmile, kumu, mentalmodeler, loopy or fcm "
        "(default: from the suffix, for .mdl, .xmile, .stmx, "
        ".xml, .mmp).",
    ),
    approximate: bool = typer.Option(
        False,
        "--approximate",
        help="Vensim/XMILE: linearise what is not linear, around the start values, and print the measured error.",
    ),
    lag: float = typer.Option(1.0, "--lag", help="Maps: years, the lag of each link the file gives none."),
    force: bool = typer.Option(False, "--force", help="Replace --out if it exists."),
    language: Lang = language_option(),
) -> None:
    """Import a Vensim or XMILE model, or a participatory causal map, as a bwsim model file."""
    fmt = _format(path, format)
    if fmt in MAP_FORMATS and approximate:
        fail(msg("--approximate is for Vensim and XMILE models; a map's links are scores, nothing to linearise"))
    if not math.isfinite(lag) or lag < 0:
        fail(msg("--lag must be 0 or more years, not {lag:g}", lag=lag))
    read_input_bytes(path, MAX_IMPORT_BYTES, msg("model file"))  # missing, a folder, too large: refused here
    inputs = {path: msg("the model to import")}
    check_outputs([out], inputs)
    if out.is_dir():
        raise InputError(
            Problem(
                str(out),
                "--out",
                msg("is a folder, not a file"),
                msg("give the path of a file, e.g. one inside this folder"),
            )
        )
    if out.exists() and not force:
        raise InputError(
            Problem(str(out), "--out", msg("exists already"), msg("choose another file, or give --force to replace it"))
        )
    imported = IMPORTERS[fmt](path, ImportOptions(approximate, lag), language)
    for warning in imported.warnings:
        warn(warning, language)
    text = (
        imported.text
        if imported.text is not None
        else dump_yaml(
            imported.data, header=translate(msg("Imported from {file} by bwsim import", file=path.name), "en")
        )
    )
    with atomic_file(out, inputs) as staging:
        staging.write_text(text, encoding="utf-8")
    say(
        msg(
            "wrote {out}: {nodes} nodes, {links} links",
            out=str(out),
            nodes=len(imported.data["nodes"]),
            links=len(imported.data.get("links", [])),
        ),
        language,
    )
    for line in imported.lines:
        say(line, language)
