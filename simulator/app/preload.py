"""Every module the app's pages use, imported once, before any page runs.

Streamlit runs each browser session's script in its own thread. When several
sessions start at the same moment (a workshop room opening the link), their
threads import the same packages at once, and Python's per-module import locks
can then deadlock between packages; Python breaks the deadlock by handing one
thread a half-initialised module (``cannot import name ... from partially
initialized module``, seen with ``simulator`` and with ``pandas``). ``simulator/app/app.py``
imports this module first: a second thread waits on this one lock, holding no
other, until every import below is complete.
"""

from __future__ import annotations

import importlib
import pkgutil

import numpy  # noqa: F401
import pandas  # noqa: F401
import plotly.graph_objects  # noqa: F401
import yaml  # noqa: F401

import simulator
from simulator.app import (  # noqa: F401
    charts,
    exporting,
    future,
    i18n,
    model_input,
    sensitivity_charts,
    state,
    tables,
)
from simulator.app.views import workshop_common  # noqa: F401
from simulator.units import registry


def _import_simulator() -> list[str]:
    """Import every library module of ``simulator``; return their names.

    Not the command line, and not the app itself: a page module under
    ``simulator.app.views`` draws its page when imported, so importing it here
    would draw it on every page's run.
    """
    names = [
        found.name
        for found in pkgutil.walk_packages(simulator.__path__, "simulator.")
        if not found.name.startswith(("simulator.cli", "simulator.app"))
    ]
    for name in names:
        importlib.import_module(name)
    return names


SIMULATOR_MODULES = _import_simulator()
registry()  # pint, imported here once (simulator.units._import_pint), not by a session's thread
