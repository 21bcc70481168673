"""The command line's own words for the library's places: ``samples`` is ``--samples`` on the command line.

Library errors name what a value is (``samples``, ``year``, ``link``), never a
command-line flag, since the app's users type no flags; a command maps the
places of the problems it raised to its flags here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace

from simulator.errors import InputError


@contextlib.contextmanager
def as_flags(*names: str) -> Iterator[None]:
    """Re-raise an :class:`InputError` with each problem placed at ``names`` (and in no file) as ``--name``."""
    try:
        yield
    except InputError as exc:
        problems = [replace(p, place=f"--{p.place}") if not p.file and p.place in names else p for p in exc.problems]
        raise InputError(problems) from None
