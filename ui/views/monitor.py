"""Page: the monitor, observed values against the expected band of the future built on the home page."""

from __future__ import annotations

from simulator.errors import NumericalError
from ui import state
from ui.monitor_view import monitor_section


def page() -> None:
    """The page."""
    cur = state.current()
    try:
        monitor_section(cur)
    except NumericalError as exc:
        state.show_error(exc)


page()
