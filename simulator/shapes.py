"""What a link's shape does: the one place that defines the nonlinear link shapes.

A link ``from -> to`` without a shape passes on the source's deviation ``d`` and
its effect is ``w * L[d]`` (ENGINE.md). A link with a ``shape`` passes on a
*signal* ``s = f(x) - f(b)`` instead, where ``x = b + d`` is the source's value
and ``b`` its baseline at the same time, so that no intervention (``d = 0``)
gives no signal. The lag ``L`` acts on that signal (the shape comes first), and:

``lookup`` (Vensim ``WITH LOOKUP``, an XMILE graphical function)
    ``f`` is the piecewise-linear table of the file's points ``[[x, y], ...]``
    (``x`` strictly increasing), flat beyond its first and last point (Vensim's
    rule); the effect is ``w * L[T(x) - T(b)]``: the weight scales the table.
``threshold``
    ``f(x) = max(0, x - level)`` (``side: above``, the default) or
    ``f(x) = max(0, level - x)`` (``side: below``): no effect while the value is on
    the quiet side of ``level``; the effect is ``w * L[f(x) - f(b)]``.
``saturation``
    ``s = max * (1 - exp(-w * d / max))``: as ``w * d`` for small changes (``w`` is
    the slope at the baseline), levelling off at ``max`` (target units, the sign of
    ``w``); the effect is ``L[s]`` (the weight is inside the shape). For a change
    the other way it grows faster than linearly; use a lookup for a limit both ways.

A shaped link is always ``form: linear`` (the shape works in the source's own
unit). The kernel (:mod:`simulator.engine`) writes these formulas inline
(compiled code); the equation export, tracing and the reference engine of the
tests follow this module. Codes are the integers of compiled models.
"""

from __future__ import annotations

import numpy as np

SHAPE_KINDS: tuple[str, ...] = ("lookup", "saturation", "threshold")
"""The link shapes of the file format."""

NONE, LOOKUP, SATURATION, ABOVE, BELOW = range(5)
"""Shape codes in compiled models: no shape, lookup, saturation, threshold above / below its level."""


def lookup(points_x: np.ndarray, points_y: np.ndarray, x: np.ndarray | float) -> np.ndarray:
    """The table's value at ``x``: linear between points, flat beyond the ends (``numpy.interp``)."""
    return np.interp(x, points_x, points_y)


def signal(
    code: int,
    d: np.ndarray | float,
    b: np.ndarray | float,
    weight: np.ndarray | float = 1.0,
    parameter: np.ndarray | float = 0.0,
    points_x: np.ndarray | None = None,
    points_y: np.ndarray | None = None,
) -> np.ndarray:
    """A shaped link's signal ``f(b + d) - f(b)`` (saturation: with its weight inside), source units.

    ``d`` is the source's deviation and ``b`` its baseline (source units);
    ``parameter`` is a saturation's ``max`` or a threshold's ``level``; ``weight``
    is used by a saturation only (the others' effect is ``weight * L[signal]``).
    Written as the kernel computes it, so the numbers agree to rounding.
    """
    d = np.asarray(d, dtype=float)
    if code == NONE:
        return d
    if code == SATURATION:
        return parameter * (1.0 - np.exp(-(weight * d) / parameter))
    x = b + d
    if code == LOOKUP:
        if points_x is None or points_y is None:
            raise ValueError("a lookup needs its points")
        return lookup(points_x, points_y, x) - lookup(points_x, points_y, b)
    if code == ABOVE:
        return np.maximum(0.0, x - parameter) - np.maximum(0.0, b - parameter)
    if code == BELOW:
        return np.maximum(0.0, parameter - x) - np.maximum(0.0, parameter - b)
    raise ValueError(f"unknown shape code {code}")


def slope(
    code: int,
    d: np.ndarray | float,
    b: np.ndarray | float,
    weight: np.ndarray | float = 1.0,
    parameter: np.ndarray | float = 0.0,
    points_x: np.ndarray | None = None,
    points_y: np.ndarray | None = None,
) -> np.ndarray:
    """``d signal / d d`` at the source's deviation ``d``: the link's local gain per unit of weight
    (saturation: including its weight). Used to linearise a shaped link around a run.

    At a lookup's or a threshold's kink the right-hand slope is taken.
    """
    d = np.asarray(d, dtype=float)
    if code == NONE:
        return np.ones_like(d)
    if code == SATURATION:
        return weight * np.exp(-(weight * d) / parameter)
    x = np.asarray(b + d, dtype=float)
    if code == LOOKUP:
        if points_x is None or points_y is None:
            raise ValueError("a lookup needs its points")
        steps = np.diff(points_y) / np.diff(points_x)
        segment = np.searchsorted(points_x, x, side="right") - 1
        inside = (segment >= 0) & (segment < steps.size)
        return np.where(inside, steps[np.clip(segment, 0, steps.size - 1)], 0.0)
    if code == ABOVE:
        return (x >= parameter).astype(float)
    if code == BELOW:
        return -(x < parameter).astype(float)
    raise ValueError(f"unknown shape code {code}")
