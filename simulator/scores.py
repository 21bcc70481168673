"""Expert scores of a link's strength: the scale, the rule that turns a score into a weight range,
and the linear opinion pool of several scores.

The one place these are defined (``docs/engine.md``, "Expert-scored links"):

- **scale**: a whole number from -3 to +3; the sign is the direction of the effect,
  the size its strength (1 weak, 2 medium, 3 strong; 0 no clear effect).
- **rule**: a score sets an *elasticity* ("1 % more of the source gives e % more of the
  target"), a triangular range :data:`ELASTICITY_BANDS`. An elasticity link takes it as
  its weight; a linear link takes it at the baselines, ``w = e * |b_target / b_source|``
  (both at the model's start year, :func:`linear_scale`), target units per source unit.
- **pool**: several scores of one link are an equal-weight mixture of their triangles
  (the linear opinion pool): its CDF is the mean of theirs (:func:`pool_cdf`), its
  inverse is found by bisection (:func:`pool_ppf`), its mean and variance are closed forms.

Numerics only: no files, no spec types (``simulator.spec`` builds on this module).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

SCALE = (-3, 3)
"""Lowest and highest score."""

STRENGTHS = {"weak": 1, "medium": 2, "strong": 3}
"""The words for a score's size; a sign (``+`` or ``-``) gives its direction."""

SIGNS = {"+": 1, "-": -1}

ELASTICITY_BANDS: dict[int, tuple[float, float, float]] = {
    0: (-0.05, 0.0, 0.05),
    1: (0.05, 0.1, 0.2),
    2: (0.2, 0.3, 0.5),
    3: (0.5, 0.7, 1.0),
}
"""Score size -> triangular elasticity ``(low, mode, high)`` (dimensionless, %/%).

Adjacent bands that together cover 0 to 1 (a proportional effect); each mode lies near the
band's geometric centre (0.1, 0.32, 0.71, rounded), since an elasticity's scale is
multiplicative. A negative score mirrors its band: -2 is ``(-0.5, -0.3, -0.2)``.
"""

TriangleT = tuple[float, float, float]


def elasticity_band(score: int) -> TriangleT:
    """The triangular elasticity ``(low, mode, high)`` of one score on the -3..+3 scale."""
    low, mode, high = ELASTICITY_BANDS[abs(int(score))]
    if score < 0:
        return -high, -mode, -low
    return low, mode, high


def weight_band(score: int, scale: float) -> TriangleT:
    """The triangular weight ``(low, mode, high)`` of one score: its elasticity band times ``scale``
    (1 for an elasticity link; ``|b_target / b_source|`` for a linear one, :func:`linear_scale`)."""
    low, mode, high = elasticity_band(score)
    return low * scale, mode * scale, high * scale


def linear_scale(source_baseline: float, target_baseline: float) -> float | None:
    """``|b_target / b_source|``, target units per source unit, so that a score's elasticity holds at
    the baselines; None when either baseline is 0 or the ratio is not a finite positive number."""
    if source_baseline == 0 or target_baseline == 0:
        return None
    ratio = abs(target_baseline / source_baseline)
    return ratio if math.isfinite(ratio) and ratio > 0 else None


def triangle_cdf(x: np.ndarray, low: float, mode: float, high: float) -> np.ndarray:
    """CDF of a triangular distribution at ``x`` (``low < high``; the closed form of ``scipy.stats.triang``)."""
    x = np.asarray(x, dtype=float)
    width = high - low
    with np.errstate(divide="ignore", invalid="ignore"):
        left = (x - low) ** 2 / (width * (mode - low)) if mode > low else np.zeros_like(x)
        right = 1.0 - (high - x) ** 2 / (width * (high - mode)) if high > mode else np.ones_like(x)
    out = np.where(x <= mode, left, right)
    return np.where(x <= low, 0.0, np.where(x >= high, 1.0, out))


def pool_cdf(x: np.ndarray, bands: Sequence[TriangleT]) -> np.ndarray:
    """CDF of the equal-weight mixture of triangles ``bands`` at ``x``: the mean of their CDFs."""
    x = np.asarray(x, dtype=float)
    total = np.zeros_like(x)
    for low, mode, high in bands:
        total = total + triangle_cdf(x, low, mode, high)
    return total / len(bands)


BISECTIONS = 64
"""Halvings of the support in :func:`pool_ppf`: ``2**-64`` of the range, below a float's resolution."""


def pool_ppf(u: np.ndarray, bands: Sequence[TriangleT]) -> np.ndarray:
    """Inverse CDF of the mixture of ``bands`` at uniforms ``u`` (each in (0, 1)), elementwise.

    One band (or identical ones) is a triangle, inverted in closed form; otherwise the
    mixture's CDF, continuous and increasing on its support, is inverted by
    :data:`BISECTIONS` halvings of ``[min low, max high]``. Each value depends on its own
    ``u`` only, so any cut into blocks gives the same draws, bit for bit.
    """
    u = np.asarray(u, dtype=float)
    distinct = list(dict.fromkeys(tuple(float(v) for v in band) for band in bands))
    if len(distinct) == 1:
        low, mode, high = distinct[0]
        split = (mode - low) / (high - low)
        left = low + np.sqrt(u * (high - low) * (mode - low))
        right = high - np.sqrt((1.0 - u) * (high - low) * (high - mode))
        return np.where(u < split, left, right)
    lo = np.full(u.shape, min(b[0] for b in distinct))
    hi = np.full(u.shape, max(b[2] for b in distinct))
    for _ in range(BISECTIONS):
        mid = lo + 0.5 * (hi - lo)
        below = pool_cdf(mid, bands) < u
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return lo + 0.5 * (hi - lo)


def pool_mean(bands: Sequence[TriangleT]) -> float:
    """Mean of the mixture: the mean of the triangles' means ``(low + mode + high) / 3``."""
    return sum(sum(band) / 3.0 for band in bands) / len(bands)


def pool_variance(bands: Sequence[TriangleT]) -> float:
    """Variance of the mixture: the mean of the triangles' variances plus the variance of their
    means (so disagreement widens the pool)."""
    means = [sum(band) / 3.0 for band in bands]
    variances = [(a * a + b * b + c * c - a * b - a * c - b * c) / 18.0 for a, b, c in bands]
    mean = sum(means) / len(bands)
    return sum(variances) / len(bands) + sum((m - mean) ** 2 for m in means) / len(bands)
