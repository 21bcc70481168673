"""The vocabulary of uncertainty (EMA Workbench's terms) and the draws of ensembles.

- a **parameter** (:class:`Parameter`): what is uncertain, the weight or the lag
  of one link, with its distribution; named ``from->to:weight`` / ``from->to:lag``;
  and a shaped link's saturation ``max`` or threshold ``level``
  (``from->to:max`` / ``from->to:level``, :func:`shape_parameters`): ensembles
  draw them after every weight and lag; sensitivity and calibration keep them at
  their central values.
- a **sample** (:class:`ParameterSample`, made by :func:`draw`): the drawn design,
  one row of uniforms per member, mapped to values by the one inverse CDF
  (:func:`inverse_cdf`) and to the engine's weight and lag arrays by the one
  function that builds them (:func:`parameter_arrays`).
- an **experiment**: one member's run of the scenario (:mod:`simulator.ensemble`
  runs them; :mod:`simulator.runner` runs scenarios with their experiments).

Sampling, ensembles, sensitivity, calibration, monitoring and the stability
check all use these.

Draws are made in the unit hypercube (Latin hypercube by default, plain Monte
Carlo as an option) and mapped through each distribution's inverse CDF (the
closed forms of ``scipy.stats`` ``triang`` / ``norm`` / ``uniform`` ``ppf``; a pool of
expert scores through :func:`simulator.scores.pool_ppf`).

Reproducibility: the numbers depend only on the seed, the method, the number
of samples and the list of uncertain parameters (link order of the model file,
weight before lag). Members are produced in fixed blocks of
:data:`BLOCK_SIZE`; a block's numbers never depend on how blocks are grouped
into chunks or spread over workers, so any chunking gives the same numbers,
bit for bit.

Memory: Monte Carlo draws each block from its own stream (flat memory). A Latin
hypercube is held as its permutations (:class:`simulator.lhs.LatinDesign`),
``samples x D`` values of 2 or 3 bytes (:func:`simulator.lhs.permutation_bytes`, ``D``
the number of uncertain parameters), once by the driver, and each block's rows are
computed when it runs (the same numbers as scipy's whole design, bit for bit):
1,000,000 samples of 141 parameters take 423 MB, 100,000 of 141 take 42 MB. The
memory limit below counts 4 bytes a value (:data:`~simulator.lhs.PERMUTATION_BYTES`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from simulator.errors import InputError, Problem
from simulator.lhs import PERMUTATION_BYTES, LatinDesign
from simulator.messages import msg
from simulator.scores import pool_ppf
from simulator.spec import Distribution, ModelSpec, ScoredWeight

Method = Literal["lhs", "mc"]
METHODS = ("lhs", "mc")
BLOCK_SIZE = 1000
"""Members per engine call. Fixed, so that results never depend on chunking."""

LHS_MEMORY_LIMIT = 2 * 2**30
"""Largest Latin hypercube design, bytes (its permutations are held in memory: :data:`PERMUTATION_BYTES` a value)."""

_EPS = 2.0**-53  # keeps u inside (0, 1): a normal's ppf is infinite at 0 and 1


Field = Literal["weight", "lag", "max", "level"]
SHAPE_FIELDS: tuple[Field, ...] = ("max", "level")
Convention = Literal["closed", "scipy"]


@dataclass(frozen=True)
class Parameter:
    """One uncertain quantity: the weight or the lag of one link.

    Attributes
    ----------
    link : int
        Index of the link in the model's file order.
    key : str
        ``from->to``.
    field : {"weight", "lag", "max", "level"}
    dist : Distribution
        Weight units, or years for a lag; a saturation's ``max`` in target units, a
        threshold's ``level`` in source units.
    floor : float
        Smallest value the engine accepts (lags: ``dt`` for exponential, ``3 dt``
        for third-order delays; ``-inf`` when not set); see :func:`uncertain_parameters`.
    """

    link: int
    key: str
    field: Field
    dist: Distribution
    floor: float = -math.inf
    tied: tuple[int, ...] = ()
    """Other links that take the same value (a family's range given once, drawn once per member:
    the same elasticity in every gemeente; ``key`` is then the family's, ``jobs->unemployment``)."""

    @property
    def links(self) -> tuple[int, ...]:
        """Every link this parameter sets: ``link`` and the links tied to it."""
        return (self.link, *self.tied)

    @property
    def name(self) -> str:
        """``from->to:weight`` or ``from->to:lag``: the name people read."""
        return f"{self.key}:{self.field}"

    @property
    def kind(self) -> Field:
        """The same as :attr:`field` (sensitivity's and calibration's word)."""
        return self.field


def lag_floor(delay: str, dt: float) -> float:
    """Smallest lag (years) a delay of kind ``delay`` takes at step ``dt`` (0 for others)."""
    return {"exponential": dt, "third_order": 3 * dt}.get(delay, 0.0)


def parameter(model: ModelSpec, link: int, field: Field, dt: float | None = None) -> Parameter:
    """The parameter of one link's weight or lag (with the lag's floor when ``dt`` is given)."""
    spec = model.links[link]
    floor = lag_floor(spec.delay, dt) if field == "lag" and dt is not None else -math.inf
    return Parameter(link, spec.key, field, getattr(spec, field), floor)


def _ties(
    model: ModelSpec, field: Field, value: Callable[[int], Distribution | None]
) -> dict[int, tuple[str, tuple[int, ...]] | None]:
    """Links whose ``field`` is one parameter of their family (a range given once in a model with
    dimensions): the first such link -> (the family's key, the other links); the others -> None.
    Only links whose distribution is still the family's (a scenario's override unties a link)."""
    if model.expansion is None:
        return {}
    groups: dict[str, list[int]] = {}
    for j, origin in enumerate(model.expansion.links):
        if origin.family and field in origin.shared and j < len(model.links):
            groups.setdefault(f"{origin.family}#{origin.origin}", []).append(j)
    ties: dict[int, tuple[str, tuple[int, ...]] | None] = {}
    for members in groups.values():
        first = value(members[0])
        same = [j for j in members if _same(value(j), first)]
        if len(same) > 1 and first is not None and first.is_uncertain:
            ties[same[0]] = (model.expansion.links[same[0]].family, tuple(same[1:]))
            ties.update({j: None for j in same[1:]})
    return ties


def _same(a: Distribution | None, b: Distribution | None) -> bool:
    """``a == b`` for frozen specs without pydantic's ``__eq__`` (about 3x its cost, called once per
    element link of a family: some 100,000 times for the 342-gemeente model). A spec's fields are its
    ``__dict__`` (no private or extra attributes: ``extra="forbid"``), so this is the same test."""
    return a is b or (type(a) is type(b) and a.__dict__ == b.__dict__)


def _link_value(model: ModelSpec, field: Field) -> Callable[[int], Distribution | None]:
    return lambda j: getattr(model.links[j], field)


def _shape_value(model: ModelSpec, field: Field) -> Callable[[int], Distribution | None]:
    return lambda j: getattr(model.links[j].shape, field, None)


def uncertain_parameters(model: ModelSpec, dt: float | None = None) -> tuple[Parameter, ...]:
    """Every weight and lag with spread, in link order (weight before lag).

    With ``dt`` (years), each lag carries the floor the engine needs at that step. In a model
    with dimensions, a range given once for a family of links is one parameter (at its first
    link, named after the family, :attr:`Parameter.tied` naming the others).
    """
    fields: tuple[Field, ...] = ("weight", "lag")
    ties = {field: _ties(model, field, _link_value(model, field)) for field in fields}
    found = []
    for j, link in enumerate(model.links):
        for field in fields:
            if not getattr(link, field).is_uncertain:
                continue
            tie = ties[field].get(j, ())
            if tie is None:
                continue  # drawn with the family's first link
            par = parameter(model, j, field, dt)
            found.append(replace(par, key=tie[0], tied=tie[1]) if tie else par)
    return tuple(found)


def shape_parameters(model: ModelSpec) -> tuple[Parameter, ...]:
    """Every shaped link's uncertain ``max`` (saturation) or ``level`` (threshold), in link order
    (a family's range given once: one parameter, as in :func:`uncertain_parameters`)."""
    found = []
    ties = {field: _ties(model, field, _shape_value(model, field)) for field in SHAPE_FIELDS}
    for j, link in enumerate(model.links):
        for field in SHAPE_FIELDS:
            dist = getattr(link.shape, field, None)
            if isinstance(dist, Distribution) and dist.is_uncertain:
                tie = ties[field].get(j, ())
                if tie is None:
                    continue
                found.append(Parameter(j, tie[0] if tie else link.key, field, dist, tied=tie[1] if tie else ()))
    return tuple(found)


def shape_arrays(
    central: np.ndarray, parameters: tuple[Parameter, ...] | list[Parameter], values: np.ndarray
) -> np.ndarray | None:
    """The engine's shape-parameter array (L, M) for ``values`` (M, D), from the columns of
    ``parameters`` that are a ``max`` or a ``level``; None when there are none (central values)."""
    columns = [c for c, par in enumerate(parameters) if par.field in SHAPE_FIELDS]
    if not columns:
        return None
    out = np.repeat(np.asarray(central, dtype=float)[:, None], values.shape[0], axis=1)
    for column in columns:
        for link in parameters[column].links:
            out[link] = values[:, column]
    return out


def parameter_arrays(
    central_weight: np.ndarray,
    central_lag: np.ndarray,
    parameters: tuple[Parameter, ...] | list[Parameter],
    values: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The engine's weight and lag arrays for parameter ``values`` of shape (M, D), one row per member.

    Links without a parameter keep ``central_weight`` / ``central_lag`` (each (L,)).

    Returns
    -------
    weights, lags : ndarray, shape (L, M)
        Weight units and years, members on the last axis (as :func:`simulator.engine.simulate` takes them).
    """
    n_members = values.shape[0]
    weights = np.repeat(np.asarray(central_weight, dtype=float)[:, None], n_members, axis=1)
    lags = np.repeat(np.asarray(central_lag, dtype=float)[:, None], n_members, axis=1)
    for column, par in enumerate(parameters):
        target = weights if par.field == "weight" else lags if par.field == "lag" else None
        if target is not None:
            for link in par.links:
                target[link] = values[:, column]
    return weights, lags


def changed_values(
    keys: list[str] | tuple[str, ...],
    central_weight: np.ndarray,
    central_lag: np.ndarray,
    weights: np.ndarray,
    lags: np.ndarray,
) -> dict[str, float]:
    """One member's weights and lags (each (L,)) that differ from the central values, by parameter name."""
    out = {f"{key}:weight": float(weights[j]) for j, key in enumerate(keys) if weights[j] != central_weight[j]}
    out |= {f"{key}:lag": float(lags[j]) for j, key in enumerate(keys) if lags[j] != central_lag[j]}
    return out


def inverse_cdf(dist: Distribution, u: np.ndarray, eps: float = _EPS, convention: Convention = "closed") -> np.ndarray:
    """Map uniforms ``u`` to draws of ``dist`` (same shape as ``u``): the one inverse CDF.

    ``u`` is first kept inside ``[eps, 1 - eps]`` (a normal's inverse CDF is
    infinite at 0 and 1). Every value depends on its own ``u`` only, so any cut
    into blocks gives the same draws.

    ``convention`` fixes the order of the floating-point operations, so that
    published numbers stay bit-identical: ``"closed"`` (ensembles, monitoring,
    the stability check) uses the closed forms of ``scipy.stats`` ``triang`` /
    ``norm`` / ``uniform`` ``ppf`` without scipy's per-call argument handling,
    which cost more than the model runs of a block; ``"scipy"`` (sensitivity)
    calls ``scipy.stats`` itself. The two agree to rounding (the tests check it).
    A weight from expert scores (:class:`~simulator.spec.ScoredWeight`, a mixture of
    triangles that scipy has no inverse CDF for) is inverted by
    :func:`simulator.scores.pool_ppf` in both conventions.
    """
    u = np.clip(np.asarray(u, dtype=float), eps, 1.0 - eps)
    if dist.dist == "fixed" or not dist.is_uncertain:
        return np.full(u.shape, float(dist.central))
    if isinstance(dist, ScoredWeight):  # the pool of expert scores: one formula in both conventions
        return pool_ppf(u, dist.bands)
    if convention == "scipy":
        return _scipy_ppf(dist, u)
    if dist.dist == "triangular":
        low, mode, high = dist.param("low"), dist.param("mode"), dist.param("high")
        split = (mode - low) / (high - low)
        left = low + np.sqrt(u * (high - low) * (mode - low))
        right = high - np.sqrt((1.0 - u) * (high - low) * (high - mode))
        return np.where(u < split, left, right)
    if dist.dist == "normal":
        from scipy import special  # here: a deterministic run never draws, and scipy costs it 0.5 s to import

        return dist.param("mean") + dist.param("sd") * special.ndtri(u)
    return dist.param("low") + u * (dist.param("high") - dist.param("low"))


def draws(parameters: tuple[Parameter, ...] | list[Parameter], uniforms: np.ndarray) -> np.ndarray:
    """Every parameter's draws for ``uniforms`` (M, D): column ``c`` is ``inverse_cdf(parameters[c].dist,
    uniforms[:, c])``, bit for bit.

    The triangular columns (the common case) are mapped in one compiled pass
    (:func:`simulator.draw_kernels.triangular_columns`: the same operations on the same
    numbers as :func:`inverse_cdf`'s closed form, without its numpy calls per parameter,
    which cost more than the block's model runs). The others go through
    :func:`inverse_cdf` one by one.
    """
    u = np.require(uniforms, dtype=np.float64, requirements=["C"])
    values = np.empty(u.shape)
    triangular = [c for c, par in enumerate(parameters) if _closed_triangular(par.dist)]
    if triangular:
        from simulator.draw_kernels import triangular_columns  # numba: not imported at start-up

        dists = [parameters[c].dist for c in triangular]
        low, mode, high = (np.array([dist.param(key) for dist in dists]) for key in ("low", "mode", "high"))
        triangular_columns(u, np.array(triangular, dtype=np.int64), low, mode, high, _EPS, values)
    done = set(triangular)
    for column, par in enumerate(parameters):
        if column not in done:
            values[:, column] = inverse_cdf(par.dist, u[:, column])
    return values


def _closed_triangular(dist: Distribution) -> bool:
    """True when :func:`inverse_cdf` maps ``dist`` by its closed triangular form."""
    return dist.dist == "triangular" and dist.is_uncertain and not isinstance(dist, ScoredWeight)


def _scipy_ppf(dist: Distribution, u: np.ndarray) -> np.ndarray:
    """``scipy.stats`` ``ppf`` of an uncertain ``dist`` at ``u`` (see :func:`inverse_cdf`)."""
    if dist.dist == "uniform":
        return dist.param("low") + u * (dist.param("high") - dist.param("low"))
    from scipy import stats

    if dist.dist == "normal":
        return dist.param("mean") + dist.param("sd") * stats.norm.ppf(u)
    low, mode, high = dist.param("low"), dist.param("mode"), dist.param("high")
    width = high - low
    return stats.triang.ppf(u, (mode - low) / width, loc=low, scale=width)


def check_sampling(samples: int, seed: int, method: str, where: str = "") -> None:
    """Raise :class:`InputError` for a sample size, seed or method that cannot be used."""
    problems = []
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples < 1:
        problems.append(
            Problem(
                where,
                "samples",
                msg("the number of samples must be 1 or more, got {samples}", samples=repr(samples)),
                msg("e.g. 1000"),
            )
        )
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        problems.append(
            Problem(
                where,
                "seed",
                msg("the seed must be a whole number, 0 or more, got {seed}", seed=repr(seed)),
                msg("e.g. 7"),
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
    central_shape : ndarray (L,)
        Central saturation max or threshold level per link (0 without one).
    design : LatinDesign or ndarray (samples, D) or None
        The Latin hypercube in (0, 1) (its rows computed per block); None for Monte Carlo (drawn per block).
    """

    parameters: tuple[Parameter, ...]
    samples: int
    seed: int
    method: str
    central_weight: np.ndarray
    central_lag: np.ndarray
    design: LatinDesign | np.ndarray | None
    central_shape: np.ndarray | None = None

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
        if isinstance(self.design, LatinDesign):
            return self.design.rows(start, stop)
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
        values = draws(self.parameters, uniforms)
        return parameter_arrays(self.central_weight, self.central_lag, self.parameters, values)

    def shape_values(self, uniforms: np.ndarray) -> np.ndarray | None:
        """Shape parameters (L, M) for draws ``uniforms`` (M, D); None when none is uncertain."""
        if self.central_shape is None or not any(p.field in SHAPE_FIELDS for p in self.parameters):
            return None
        return shape_arrays(self.central_shape, self.parameters, draws(self.parameters, uniforms))

    def block(self, block: int) -> tuple[np.ndarray, np.ndarray]:
        """Weights and lags of one block, each shape (L, members in block)."""
        return self.values(self.uniforms(block))

    def member_values(self, member: int) -> dict[str, float]:
        """The uncertain parameter values of one member, by parameter name."""
        block, offset = divmod(member, BLOCK_SIZE)
        row = self.uniforms(block)[offset : offset + 1]
        weights, lags = self.values(row)
        shapes = self.shape_values(row)
        arrays = {"weight": weights, "lag": lags, "max": shapes, "level": shapes}
        return {p.name: float(arrays[p.field][p.link, 0]) for p in self.parameters}  # type: ignore[index]


_LAST_SAMPLED: list[tuple[ModelSpec, tuple[Parameter, ...]]] = []
"""The last model :func:`sampled_parameters` was asked about and its answer (one entry)."""


def sampled_parameters(model: ModelSpec) -> tuple[Parameter, ...]:
    """What an ensemble of ``model`` draws: :func:`uncertain_parameters` (no lag floor), then
    :func:`shape_parameters`. Kept for the last model asked about (specs are frozen; the model itself
    is the key, by identity): checking a design and drawing it ask 3 times, and for the 342-gemeente
    model each answer is a pass over 30,000 element links."""
    if _LAST_SAMPLED and _LAST_SAMPLED[0][0] is model:
        return _LAST_SAMPLED[0][1]
    parameters = uncertain_parameters(model) + shape_parameters(model)
    _LAST_SAMPLED[:] = [(model, parameters)]
    return parameters


def design_problems(model: ModelSpec, samples: int, method: str, file: str = "") -> list[Problem]:
    """A Latin hypercube too large to hold in memory (see :data:`LHS_MEMORY_LIMIT`)."""
    n_parameters = len(sampled_parameters(model))
    design_bytes = PERMUTATION_BYTES * samples * n_parameters
    if method != "lhs" or design_bytes <= LHS_MEMORY_LIMIT:
        return []
    return [
        Problem(
            file,
            "samples",
            msg(
                "a Latin hypercube of {samples:,} samples over {parameters} uncertain parameters needs {gb:.1f} GB "
                "of memory",
                samples=samples,
                parameters=n_parameters,
                gb=design_bytes / 2**30,
            ),
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
    parameters = sampled_parameters(model)  # shape parameters last: weights and
    design: LatinDesign | np.ndarray | None = None  # lags draw the same numbers as in a model without them
    if method == "lhs" and parameters:
        design = LatinDesign(len(parameters), samples, seed)  # qmc.LatinHypercube's, held as permutations
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
        central_shape=np.array([_central_shape(lk.shape) for lk in model.links], dtype=float),
    )


def _central_shape(shape: object) -> float:
    """A link shape's central max or level (0 for a lookup or no shape)."""
    for field in SHAPE_FIELDS:
        dist = getattr(shape, field, None)
        if isinstance(dist, Distribution):
            return dist.central
    return 0.0
