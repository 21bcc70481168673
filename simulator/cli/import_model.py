"""``bwsim import FILE --out MODEL.yaml``: a model made elsewhere as a bwsim model.

The format comes from ``--format`` or the file's suffix (:data:`SUFFIXES`);
each format is one entry of :data:`IMPORTERS`, a function that reads the file
and returns an :class:`Imported` (the model's data, what to print, and the
table of measured errors, if any). Nothing is written when the import is
refused; the output is written atomically and never replaces a file without
``--force``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from simulator.cli.common import Lang, atomic_file, fail, language_option, reports_errors, say
from simulator.errors import InputError, Problem
from simulator.io.input_file import read_input_bytes
from simulator.io.output_paths import check_outputs
from simulator.io.yaml_writer import dump_yaml
from simulator.messages import msg, translate

MAX_IMPORT_BYTES = 20_000_000
"""Largest file ``bwsim import`` reads."""


@dataclass
class Imported:
    """What an importer gives: the model file's data and lines to print after writing it."""

    data: dict[str, Any]
    lines: list[Any] = field(default_factory=list)


Importer = Callable[[Path, bool, str], Imported]
"""An importer: (file, approximate, language) -> :class:`Imported`; raises :class:`InputError` on bad input."""


def _system_dynamics(fmt: str) -> Importer:
    def run(path: Path, approximate: bool, language: str) -> Imported:
        from simulator.io.import_check import import_system_dynamics

        return import_system_dynamics(path, fmt, approximate, language)
    return run


IMPORTERS: dict[str, Importer] = {
    "vensim": _system_dynamics("vensim"),
    "xmile": _system_dynamics("xmile"),
}
"""Each format's importer (other formats add one entry each)."""

SUFFIXES: dict[str, str] = {".mdl": "vensim", ".xmile": "xmile", ".stmx": "xmile", ".xml": "xmile"}
"""The format a file's suffix implies when ``--format`` is not given."""


def _format(path: Path, given: str | None) -> str:
    if given:
        fmt = given.lower()
        if fmt not in IMPORTERS:
            fail(msg("unknown --format {format}; use one of {formats}", format=repr(given),
                     formats=", ".join(IMPORTERS)))
        return fmt
    fmt_found = SUFFIXES.get(path.suffix.lower())
    if fmt_found is None:
        raise InputError(Problem(str(path), "", msg("the suffix {suffix} names no format bwsim imports",
                                                    suffix=repr(path.suffix)),
                                 msg("give --format, one of {formats}", formats=", ".join(IMPORTERS))))
    return fmt_found


@reports_errors
def import_command(path: Path = typer.Argument(..., help="The model to import (.mdl, .xmile, .stmx, .xml)."),
                   out: Path = typer.Option(..., "--out", help="The bwsim model file to write (YAML)."),
                   format: str | None = typer.Option(None, "--format",
                                                     help="vensim or xmile (default: from the suffix)."),
                   approximate: bool = typer.Option(False, "--approximate",
                                                    help="Linearise what is not linear, around the start "
                                                         "values, and print the measured error."),
                   force: bool = typer.Option(False, "--force", help="Replace --out if it exists."),
                   language: Lang = language_option()) -> None:
    """Import a Vensim or XMILE model as a bwsim model file."""
    fmt = _format(path, format)
    read_input_bytes(path, MAX_IMPORT_BYTES, msg("model file"))  # missing, a folder, too large: refused here
    inputs = {path: msg("the model to import")}
    check_outputs([out], inputs)
    if out.is_dir():
        raise InputError(Problem(str(out), "--out", msg("is a folder, not a file"),
                                 msg("give the path of a file, e.g. one inside this folder")))
    if out.exists() and not force:
        raise InputError(Problem(str(out), "--out", msg("exists already"),
                                 msg("choose another file, or give --force to replace it")))
    imported = IMPORTERS[fmt](path, approximate, language)
    text = dump_yaml(imported.data, header=translate(msg("Imported from {file} by bwsim import",
                                                         file=path.name), "en"))
    with atomic_file(out, inputs) as staging:
        staging.write_text(text, encoding="utf-8")
    say(msg("wrote {out}: {nodes} nodes, {links} links", out=str(out), nodes=len(imported.data["nodes"]),
            links=len(imported.data.get("links", []))), language)
    for line in imported.lines:
        say(line, language)
