"""The ``bwsim`` application: global options and the list of commands."""

from __future__ import annotations

import typer

from simulator.cli import calibrate as calibrate_command
from simulator.cli import explain as explain_command
from simulator.cli import export as export_command
from simulator.cli import loops as loops_command
from simulator.cli import monitor as monitor_command
from simulator.cli import run as run_command
from simulator.cli import scorecard as scorecard_command
from simulator.cli import sensitivity as sensitivity_command
from simulator.cli import ui as ui_command
from simulator.cli import validate as validate_command
from simulator.cli import workshop as workshop_command
from simulator.cli.common import State

app = typer.Typer(name="bwsim", add_completion=False, no_args_is_help=True,
                  help="Brede-welvaart scenario simulator: causal networks of bouwblokken.")


@app.callback()
def _options(debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks.")) -> None:
    State.debug = debug


app.command("validate")(validate_command.validate)
app.command("run")(run_command.run)
app.command("export")(export_command.export)
app.command("ui")(ui_command.ui)
app.add_typer(workshop_command.app, name="workshop")
app.command("calibrate")(calibrate_command.calibrate_command)
app.command("sensitivity")(sensitivity_command.sensitivity_command)
app.command("monitor")(monitor_command.monitor_command)
app.command("loops")(loops_command.loops)
app.command("explain")(explain_command.explain)
app.command("scorecard")(scorecard_command.scorecard)


def main() -> None:
    """Entry point of the ``bwsim`` script."""
    app()
