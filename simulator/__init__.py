"""bwsim: a brede-welvaart scenario simulator.

The public namespace is small on purpose; see the README for a tour.

The names listed in ``__init__.pyi`` are imported on first use (scientific-python
SPEC 1, ``lazy_loader``), not when the package is: a package whose ``__init__`` imports its own submodules can
deadlock when two threads import it at once (one holding ``simulator.errors``
while waiting for ``simulator``, the other the reverse), and the Streamlit app
does exactly that when several sessions start together.
"""

from typing import Any

import lazy_loader

_lazy_getattr, __dir__, _names = lazy_loader.attach_stub(__name__, __file__)
__all__ = [*_names, "__version__"]


def __getattr__(name: str) -> Any:
    """``__version__`` read on first use (``importlib.metadata`` costs ``bwsim --help`` 0.04 s), else the stub."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("bwsim")
        except PackageNotFoundError:  # running from a source tree that is not installed
            value = "0.0.0+unknown"
        globals()["__version__"] = value
        return value
    return _lazy_getattr(name)
