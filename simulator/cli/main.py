"""The ``bwsim`` application: global options and the list of commands.

Each command's module is imported only when that command runs (or shows its own
``--help``): see :mod:`simulator.cli.lazy`. ``bwsim --help`` and ``bwsim
validate`` therefore start without scipy, numba, pandas or the calibration code.
"""

from __future__ import annotations

from typing import Any

import typer

from simulator.cli.common import Lang, State
from simulator.cli.lazy import COMMANDS, LazyCommand, LazyGroup

app = typer.Typer(
    name="bwsim",
    add_completion=False,
    no_args_is_help=True,
    cls=LazyGroup,
    help="Brede-welvaart scenario simulator: causal networks of bouwblokken.",
)


@app.callback()
def _options(
    ctx: typer.Context,
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks."),
    language: Lang = typer.Option("nl", "--lang", help="Language of this help and of every command: nl or en."),
) -> None:
    State.debug = debug
    name = ctx.invoked_subcommand or ""
    command = getattr(ctx.command, "commands", {}).get(name)
    if language != "nl" and command is not None:  # bwsim --lang en run ...: the command's --lang defaults to it
        ctx.default_map = {name: _language_defaults(command, language)}


def _language_defaults(command: Any, language: str) -> dict[str, Any]:
    """``command``'s default map with ``language`` as the default of its ``--lang``, its subcommands' too."""
    return {"language": language} | {
        name: _language_defaults(sub, language) for name, sub in getattr(command, "commands", {}).items()
    }


COMMANDS.update(
    {
        "validate": LazyCommand("simulator.cli.validate", "validate"),
        "check": LazyCommand("simulator.cli.check", "check"),
        "run": LazyCommand("simulator.cli.run", "run"),
        "export": LazyCommand("simulator.cli.export", "export"),
        "import": LazyCommand("simulator.cli.import_model", "import_command"),
        "ui": LazyCommand("simulator.cli.ui", "ui"),
        "calibrate": LazyCommand("simulator.cli.calibrate", "calibrate_command"),
        "sensitivity": LazyCommand("simulator.cli.sensitivity", "sensitivity_command"),
        "monitor": LazyCommand("simulator.cli.monitor", "monitor_command"),
        "evaluate": LazyCommand("simulator.cli.evaluate", "evaluate_command"),
        "compare-places": LazyCommand("simulator.cli.compare_places", "compare_places_command"),
        "loops": LazyCommand("simulator.cli.loops", "loops"),
        "explain": LazyCommand("simulator.cli.explain", "explain"),
        "scorecard": LazyCommand("simulator.cli.scorecard", "scorecard"),
        "crosscheck": LazyCommand("simulator.cli.crosscheck", "crosscheck_command"),
        "diff": LazyCommand("simulator.cli.diff", "diff"),
        "report": LazyCommand("simulator.cli.report", "report_command"),
        "workshop": LazyCommand("simulator.cli.workshop", "app"),  # a command group: listed last, as Typer lists groups
    }
)


def main() -> None:
    """Entry point of the ``bwsim`` script."""
    app()
