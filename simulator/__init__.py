"""bwsim: a brede-welvaart scenario simulator.

The public namespace is small on purpose; see the README for a tour.

The names listed in ``__init__.pyi`` are imported on first use (scientific-python
SPEC 1, ``lazy_loader``), not when the package is: a package whose ``__init__`` imports its own submodules can
deadlock when two threads import it at once (one holding ``simulator.errors``
while waiting for ``simulator``, the other the reverse), and the Streamlit app
does exactly that when several sessions start together.
"""

from importlib.metadata import PackageNotFoundError, version

import lazy_loader

try:
    __version__ = version("bwsim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__getattr__, __dir__, _names = lazy_loader.attach_stub(__name__, __file__)
__all__ = [*_names, "__version__"]
