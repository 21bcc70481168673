"""Parameter sets for ensembles: draws of every uncertain link weight and lag.

Draws are made in the unit hypercube (Latin hypercube by default, plain Monte
Carlo as an option) and mapped through each distribution's inverse CDF (the
closed forms of ``scipy.stats`` ``triang`` / ``norm`` / ``uniform`` ``ppf``).

Reproducibility: the numbers depend only on the seed, the method, the number
of samples and the list of uncertain parameters (link order of the model file,
weight before lag). Members are produced in fixed blocks of
:data:`BLOCK_SIZE`; a block's numbers never depend on how blocks are grouped
into chunks or spread over workers, so any chunking gives the same numbers,
bit for bit.

Memory: Monte Carlo draws each block from its own stream (flat memory). A Latin
hypercube needs its whole design, ``samples x D`` floats (8 bytes each, ``D``
the number of uncertain parameters), held once by the driver: 100,000 samples
of 130 parameters take 104 MB.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from simulator.errors import InputError, Problem
from simulator.messages import msg
from simulator.spec import Distribution, ModelSpec

Method = Literal["lhs", "mc"]
METHODS = ("lhs", "mc")
BLOCK_SIZE = 1000
"""Members per engine call. Fixed, so that results never depend on chunking."""

LHS_MEMORY_LIMIT = 2 * 2**30
"""Largest Latin hypercube design, bytes (the whole design is held in memory)."""

_EPS = 2.0**-53  # keeps u inside (0, 1): a normal's ppf is infinite at 0 and 1


@dataclass(frozen=True)
class Parameter:
    """One uncertain quantity: the weight or the lag of one link.

    Attributes
    ----------
    link : int
        Index of the link in the model's file order.
    field : {"weight", "lag"}
    name : str
        ``from->to weight`` or ``from->to lag``.
    dist : Distribution
    """

    link: int
    field: Literal["weight", "lag"]
    name: str
    dist: Distribution


def uncertain_parameters(model: ModelSpec) -> tuple[Parameter, ...]:
    """Every weight and lag with spread, in link order (weight before lag)."""
    found = []
    for j, link in enumerate(model.links):
        for field in ("weight", "lag"):
            dist = getattr(link, field)
            if dist.is_uncertain:
                found.append(Parameter(j, field, f"{link.key} {field}", dist))
    return tuple(found)


def inverse_cdf(dist: Distribution, u: np.ndarray) -> np.ndarray:
    """Map uniforms ``u`` in (0, 1) to draws of ``dist`` (same shape as ``u``).

    Closed forms of ``scipy.stats`` ``triang`` / ``norm`` / ``uniform`` ``ppf``
    (the tests check them against scipy): the same numbers without scipy's
    per-call argument handling, which cost more than the model runs of a block.
    Every value depends on its own ``u`` only, so any cut into blocks gives the
    same draws.
    """
    u = np.clip(np.asarray(u, dtype=float), _EPS, 1.0 - _EPS)
    if dist.dist == "fixed" or not dist.is_uncertain:
        return np.full(u.shape, dist.central)
    if dist.dist == "triangular":
        low, mode, high = dist.low, dist.mode, dist.high
        split = (mode - low) / (high - low)
        left = low + np.sqrt(u * (high - low) * (mode - low))
        right = high - np.sqrt((1.0 - u) * (high - low) * (high - mode))
        return np.where(u < split, left, right)
    if dist.dist == "normal":
        from scipy import special  # here: a deterministic run never draws, and scipy costs it 0.5 s to import

        return dist.mean + dist.sd * special.ndtri(u)
    return dist.low + u * (dist.high - dist.low)


def check_sampling(samples: int, seed: int, method: str, where: str = "") -> None:
    """Raise :class:`InputError` for a sample size, seed or method that cannot be used."""
    problems = []
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples < 1:
        problems.append(
            Problem(
                where,
                "samples",
                msg("the number of samples must be 1 or more, got {samples}", samples=repr(samples)),
                msg("e.g. --samples 1000"),
            )
        )
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        problems.append(
            Problem(
                where,
                "seed",
                msg("the seed must be a whole number, 0 or more, got {seed}", seed=repr(seed)),
                msg("e.g. --seed 7"),
            )
        )
    if method not in METHODS:
        problems.append(
            Problem(
                where,
                "method",
                msg("unknown sampling method {method}", method=repr(method)),
                msg("use lhs (Latin hypercube) or mc (Monte Carlo)"),
            )
        )
    if problems:
        raise InputError(problems)


@dataclass(frozen=True)
class ParameterSample:
    """A reproducible set of ``samples`` parameter draws for one model.

    Build it with :func:`draw`. Uniforms of any block of members come from
    :meth:`uniforms`; :meth:`values` maps them to link weights and lags.

    Attributes
    ----------
    parameters : tuple of Parameter
    samples : int
    seed : int
    method : {"lhs", "mc"}
    central_weight, central_lag : ndarray (L,)
        Values of links without spread (and the deterministic run's values).
    design : ndarray (samples, D) or None
        The Latin hypercube in (0, 1); None for Monte Carlo (drawn per block).
    """

    parameters: tuple[Parameter, ...]
    samples: int
    seed: int
    method: str
    central_weight: np.ndarray
    central_lag: np.ndarray
    design: np.ndarray | None

    @property
    def n_blocks(self) -> int:
        """Number of engine blocks of :data:`BLOCK_SIZE` members (the last may be shorter)."""
        return -(-self.samples // BLOCK_SIZE)

    def block_range(self, block: int) -> tuple[int, int]:
        """First and one-past-last member of ``block``."""
        return block * BLOCK_SIZE, min(self.samples, (block + 1) * BLOCK_SIZE)

    def uniforms(self, block: int) -> np.ndarray:
        """Uniform draws of one block, shape (members in block, D)."""
        start, stop = self.block_range(block)
        if self.design is not None:
            return self.design[start:stop]
        rng = np.random.default_rng([self.seed, block])
        return rng.random((stop - start, len(self.parameters)))

    def values(self, uniforms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Weights and lags (years) for draws ``uniforms`` of shape (M, D).

        Returns
        -------
        weights, lags : ndarray, shape (L, M)
            Ensemble members on the last axis, as :func:`simulator.engine.simulate` takes them.
        """
        n_members = uniforms.shape[0]
        weights = np.repeat(self.central_weight[:, None], n_members, axis=1)
        lags = np.repeat(self.central_lag[:, None], n_members, axis=1)
        for column, par in enumerate(self.parameters):
            target = weights if par.field == "weight" else lags
            target[par.link] = inverse_cdf(par.dist, uniforms[:, column])
        return weights, lags

    def block(self, block: int) -> tuple[np.ndarray, np.ndarray]:
        """Weights and lags of one block, each shape (L, members in block)."""
        return self.values(self.uniforms(block))

    def member_values(self, member: int) -> dict[str, float]:
        """The uncertain parameter values of one member, by parameter name."""
        block, offset = divmod(member, BLOCK_SIZE)
        row = self.uniforms(block)[offset : offset + 1]
        weights, lags = self.values(row)
        return {
            p.name: float((weights if p.field == "weight" else lags)[p.link, 0])
            for p in self.parameters
        }


def design_problems(model: ModelSpec, samples: int, method: str, file: str = "") -> list[Problem]:
    """A Latin hypercube too large to hold in memory (see :data:`LHS_MEMORY_LIMIT`)."""
    n_parameters = len(uncertain_parameters(model))
    design_bytes = 8 * samples * n_parameters
    if method != "lhs" or design_bytes <= LHS_MEMORY_LIMIT:
        return []
    return [
        Problem(
            file,
            "samples",
            msg("a Latin hypercube of {samples:,} samples over {parameters} uncertain parameters needs {gb:.1f} GB "
                "of memory", samples=samples, parameters=n_parameters, gb=design_bytes / 2**30),
            msg("use method mc (Monte Carlo, flat memory) or fewer samples"),
        )
    ]


def draw(model: ModelSpec, samples: int, seed: int = 0, method: str = "lhs") -> ParameterSample:
    """Draw ``samples`` parameter sets for every uncertain weight and lag of ``model``.

    Parameters
    ----------
    model : ModelSpec
        The model as it runs (a scenario's overrides applied).
    samples : int
        Number of ensemble members, at least 1.
    seed : int
        Seed of ``np.random.default_rng``; 0 or more.
    method : {"lhs", "mc"}
        Latin hypercube (``scipy.stats.qmc.LatinHypercube``) or plain Monte Carlo.

    Raises
    ------
    InputError
        For a bad sample size, seed or method, or a Latin hypercube too large for memory.
    """
    check_sampling(samples, seed, method)
    problems = design_problems(model, samples, method)
    if problems:
        raise InputError(problems)
    parameters = uncertain_parameters(model)
    design = None
    if method == "lhs" and parameters:
        from scipy.stats import qmc

        rng = np.random.default_rng(seed)
        design = qmc.LatinHypercube(d=len(parameters), rng=rng).random(samples)
    elif method == "lhs":
        design = np.zeros((samples, 0))
    return ParameterSample(
        parameters=parameters,
        samples=int(samples),
        seed=int(seed),
        method=method,
        central_weight=np.array([lk.weight.central for lk in model.links], dtype=float),
        central_lag=np.array([lk.lag.central for lk in model.links], dtype=float),
        design=design,
    )
