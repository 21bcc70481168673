"""Import a package while some of its optional companions are marked absent.

pint would import scipy and dask for integrations bwsim never uses, and numba would import
``scipy.linalg`` and cffi for features no kernel here uses; each costs start-up time a command
does not need (``tests/test_startup.py``). During the import each named package not yet imported
is marked absent in ``sys.modules`` (``import`` and ``find_spec`` then say "not installed"), and
the mark is removed afterwards, so a later ``import scipy`` works as usual.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager


@contextmanager
def packages_hidden(names: Iterable[str]) -> Iterator[None]:
    """Within the block, each of ``names`` not imported yet reads as not installed."""
    hidden = [name for name in names if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in hidden:
            if sys.modules.get(name, ...) is None:
                del sys.modules[name]
