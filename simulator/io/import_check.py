"""Import a Vensim or XMILE model and measure how the import agrees with PySD on the original.

Joins :mod:`simulator.io.import_sd` (the mapping, no numerics) and
:mod:`simulator.io.import_run` (PySD's and bwsim's runs): reads the file, runs
the original once without change (the nodes' baselines), maps it, validates
the result exactly as ``bwsim validate`` reads a file, and changes each input
by +1 % and +10 % in both engines to measure the difference. Approximations
and the measured errors are written into the model's description.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulator.errors import InputError, Problem
from simulator.io.import_run import ChangeAgreement, input_errors, original_run
from simulator.io.import_sd import map_model, read_sd_file
from simulator.io.spec_files import load_model_text
from simulator.io.yaml_writer import dump_yaml
from simulator.messages import msg, translate

EXACT = 1e-9
"""Largest relative difference from PySD that counts as agreement (ENGINE.md)."""


def _validated(data: dict[str, Any], source: str) -> Any:
    """The model as ``bwsim validate`` reads the file that would be written; problems name the source."""
    try:
        return load_model_text(dump_yaml(data), "import.yaml").spec
    except InputError as error:
        raise InputError(
            [
                Problem(source, p.place, msg("the imported model is not valid: {why}", why=p.message), p.hint)
                for p in error.problems
            ]
        ) from error


def error_table(rows: list[ChangeAgreement], language: str = "nl") -> list[Any]:
    """Lines of the table of measured errors: input, change, largest difference, where."""
    lines: list[Any] = [
        msg(
            "difference from PySD on the original (largest over all variables and times, "
            "relative to each variable's largest value):"
        )
    ]
    width = max([len(r.input) for r in rows] + [5])
    head = [translate(text, language) for text in (msg("input"), msg("change"), msg("difference"), msg("largest in"))]
    lines.append(f"  {head[0]:<{width}}  {head[1]:>6}  {head[2]:>10}  {head[3]}")
    for r in rows:
        lines.append(f"  {r.input:<{width}}  {f'+{r.fraction * 100:g} %':>6}  {r.error:>10.2e}  {r.variable}")
    return lines


def import_system_dynamics(path: str | Path, fmt: str, approximate: bool = False, language: str = "nl") -> Any:
    """The :class:`~simulator.cli.import_model.Imported` of a ``.mdl`` or XMILE file.

    Raises
    ------
    InputError
        The file is not the format, PySD cannot run it, a variable is outside the
        subset (without ``approximate``), or the result does not validate.
    """
    from simulator.cli.import_model import Imported

    sd = read_sd_file(path, fmt)
    run = original_run(sd)
    result = map_model(sd, run, approximate)
    model = _validated(result.data, str(path))
    rows = input_errors(sd, model, result.ids, result.inputs, run)
    worst = max((r.error for r in rows), default=0.0)
    lines: list[Any] = []
    if approximate:
        lines.append(msg("{n} approximations (written in the model's description):", n=len(result.approximations)))
        lines += [msg("- {what}", what=a) for a in result.approximations]
        lines += error_table(rows, language)
        measured = "; ".join(f"{r.input} +{r.fraction * 100:g} %: {r.error:.2e} ({r.variable})" for r in rows)
        said = msg("Measured difference from PySD on the original: {measured}.", measured=measured)
        description = result.data["description"]
        result.data["description"] = {lang: f"{description[lang]} {translate(said, lang)}" for lang in ("nl", "en")}
    elif rows:
        lines.append(
            msg(
                "agrees with PySD on the original: largest difference {worst:.1e} at +1 % and +10 % of "
                "each of {n} inputs",
                worst=worst,
                n=len(result.inputs),
            )
        )
        if worst > EXACT:  # the mapping claims exactness: a larger difference is a bug, said plainly
            lines.append(msg("warning: the difference is above {limit:g}; please report this model", limit=EXACT))
    return Imported(result.data, lines)
