"""Brede-welvaart analysis of runs: scorecard, feedback loops, stability, causal tracing, trade-offs.

Every function here takes specs and arrays and returns plain dataclasses or
pandas tables with stable column names; nothing prints or reads files.

The names in ``__init__.pyi`` are imported on first use (``lazy_loader``), so that threads importing
different submodules at once cannot deadlock on this package.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
