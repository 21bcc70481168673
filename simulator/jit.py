"""The one numba decorator of bwsim's compiled kernels (a module of its own so that kernels in
several modules share it without importing one another)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numba


def jit(**options: Any) -> Callable[[Callable], Callable]:
    """``numba.njit(cache=True, nogil=True, **options)``; without a writable cache directory, no cache.

    numba caches in ``__pycache__`` beside the source, else in the user's cache
    directory (``NUMBA_CACHE_DIR``, ``~/.cache/numba``); when neither can be
    written it refuses ``cache=True`` at import: then every process compiles anew.
    """

    def decorate(function: Callable) -> Callable:
        try:
            return numba.njit(cache=True, nogil=True, **options)(function)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            return numba.njit(cache=False, nogil=True, **options)(function)

    return decorate
