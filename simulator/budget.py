"""The work and memory budget of a run, checked before anything is allocated.

A model of a few kilobytes can ask for a run that does not fit in memory: at
``dt = 1e-6`` over a year, 61 nodes and 200 links the compiled model alone
holds 1,000,001 x (61 + 2 x 200) numbers. Every run is therefore sized first,
from the numbers of times, nodes, links and members, and refused with a clear
message when it is above :data:`MAX_BYTES` of memory or :data:`MAX_WORK` of
work. The estimate follows what the engine and the summaries really hold
(float64, 8 bytes a number; ``T`` reported times, ``N`` nodes, ``L`` links):

- the compiled model: baselines and interventions ``T x N`` each, the
  elasticity scales of the links ``T x L`` twice, and the temporaries of
  building them: ``8 T (2N + 3L)`` bytes;
- a run at the modes: its deviations ``T x N`` and the long results table built
  from them (``results.csv``, about :data:`TABLE_BYTES` a node and time);
- an engine call of ``M`` members: its deviations ``T x N x M``;
- an ensemble streams its members in blocks of ``BLOCK_SIZE`` (1,000), each run as
  engine calls of at most :func:`call_members` members (an engine call's deviations,
  weights and lags within :data:`CALL_BYTES`); it holds, per block running at once,
  one engine call's deviations, the block's eight running sums and its extremes
  (``10 x T x N``), and, in histogram mode, one histogram of ``n_bins + 2`` int32
  counts per node and time (and one more for the running total; the quantiles are read
  off :data:`QUANTILE_ROWS` node-times at a time); in exact mode every member's path
  (``samples x T x N``, at most the exact limit); per block a sum ``T x N``;
  the paths of the nodes kept, for every member; every node's deviation at the times
  the scorecard reads, for its first members (``kept_times x N x kept_members``, and
  their concatenation); and its summary table. What does not fit is shrunk, in this
  order (:func:`ensemble_shape`): the histogram's bins, to at least :data:`MIN_BINS`
  (at most 1,000); the members kept for the scorecard, to at least :data:`MIN_KEPT`;
  the engine call, to at least one member. Only a run that does not fit even then is
  refused. Runs
  of explicit parameter sets (sensitivity, monitor) hold every member's weights
  and lags, ``L x M`` each, the design they come from (at most as large again),
  and the paths of their output nodes.

The work is ``steps x (nodes + links) x members``: one unit is one node or link
advanced by one step for one member (about 3e8 a second on one core of this
project's machines, see benchmarks/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.errors import InputError, Problem
from simulator.messages import msg

MAX_BYTES = 1_000_000_000
"""Largest memory a run may ask for, in bytes (1 GB; the process itself adds about 0.4 GB)."""

MAX_WORK = 20_000_000_000
"""Largest work of a run: steps x (nodes + links) x members (2e10, about a minute on one core)."""

TABLE_BYTES = 120
"""Bytes a long results table (``results.csv``, ``ensemble.csv``) holds per node and time, in memory."""

CALL_BYTES = 300_000_000
"""Largest memory of one engine call of an ensemble: its members' deviations, weights and lags (300 MB)."""

QUANTILE_ROWS = 8192
"""Node-times whose histogram quantiles are read off at once (bounds the temporaries of the cumulated counts)."""

MIN_BINS = 20
"""Fewest histogram bins an ensemble is run with when 1,000 do not fit (a resolution of 7.5 % of the pilot range)."""

MIN_KEPT = 200
"""Fewest members whose every node is kept at the scorecard's times (its agreement shares) when more do not fit."""

_FLOAT = 8
_COUNT = 4  # an int32 histogram count


@dataclass(frozen=True)
class Need:
    """What a run asks for.

    Attributes
    ----------
    times, nodes, links : int
        Reported times ``T`` (steps + 1), nodes ``N`` and links ``L``.
    members : int
        Parameter sets run (1 for a run at the modes).
    bytes : int
        Memory the run holds at its peak, estimated as in the module docstring (bytes).
    """

    times: int
    nodes: int
    links: int
    members: int
    bytes: int

    @property
    def work(self) -> int:
        """Steps x (nodes + links) x members."""
        return max(self.times - 1, 1) * (self.nodes + self.links) * self.members


def compiled_bytes(times: int, nodes: int, links: int) -> int:
    """Memory of a compiled model and its interventions, in bytes."""
    return _FLOAT * times * (2 * nodes + 3 * links)


def deterministic_need(times: int, nodes: int, links: int) -> Need:
    """A run at the modes and its results table (what ``prepare_scenario`` guards)."""
    held = compiled_bytes(times, nodes, links) + times * nodes * (_FLOAT + TABLE_BYTES)
    return Need(times, nodes, links, 1, held)


def engine_need(times: int, nodes: int, links: int, members: int) -> Need:
    """One engine call of ``members`` parameter sets: the compiled model and every member's path."""
    held = compiled_bytes(times, nodes, links) + _FLOAT * (times * nodes + 2 * links) * members
    return Need(times, nodes, links, members, held)


def call_members(times: int, nodes: int, links: int, block: int) -> int:
    """Members per engine call of an ensemble block of ``block`` members: as many as fit in
    :data:`CALL_BYTES` (their deviations ``T x N`` and weights and lags ``L`` each), at least 1.
    :func:`ensemble_shape` makes the call narrower when the rest of the ensemble leaves less."""
    return int(max(1, min(block, CALL_BYTES // _call_member_bytes(times, nodes, links))))


def _call_member_bytes(times: int, nodes: int, links: int) -> int:
    """Memory of one member of an engine call: its deviations ``T x N``, its weights and lags ``L`` each."""
    return _FLOAT * (times * nodes + 2 * links)


def ensemble_need(
    times: int,
    nodes: int,
    links: int,
    members: int,
    *,
    block: int,
    exact: bool,
    histogram: bool,
    n_bins: int,
    kept_nodes: int = 0,
    parallel: int = 1,
    table: bool = True,
    call: int = 0,
    kept_times: int = 0,
    kept_members: int = 0,
) -> Need:
    """An ensemble of ``members`` run in blocks of ``block`` members, ``parallel`` blocks at once.

    ``exact``: every member's path is kept (exact quantiles); ``histogram``: a
    histogram of ``n_bins`` bins per node and time is counted (otherwise the
    members' weights and lags are given as arrays, ``L x members`` each, and only
    the kept paths are returned, as for sensitivity and monitor); ``kept_nodes``: nodes
    whose every member path is kept; ``table``: the summary becomes a long table;
    ``call``: members per engine call (0: :func:`call_members`); ``kept_times`` and
    ``kept_members``: every node's deviation is kept at that many times for the first
    ``kept_members`` members (the scorecard's agreement shares).
    """
    cells = times * nodes
    in_call = min(call or call_members(times, nodes, links, block), members)
    n_blocks = -(-members // block)
    running = max(1, min(parallel, n_blocks))
    held = compiled_bytes(times, nodes, links)
    held += running * _FLOAT * (cells + 2 * links) * in_call  # one engine call's deviations, weights and lags
    held += running * _FLOAT * cells * 10  # a block's eight running sums and its extremes
    held += _FLOAT * cells * (n_blocks + 8)  # per-block sums, extremes, mean, quantiles, bins
    if exact:
        held += 2 * _FLOAT * cells * members  # every path, and numpy.quantile's copy
    elif histogram:
        held += (running + 1) * _COUNT * cells * (n_bins + 2)  # counts per chunk and the total
        held += 9 * min(cells, QUANTILE_ROWS) * (n_bins + 2)  # cumulated counts and a comparison, per read
    if not histogram:
        held += 4 * _FLOAT * links * members  # explicit weights and lags of every member, and their design
    held += 2 * _FLOAT * times * kept_nodes * members  # kept paths, and their concatenation
    held += 2 * _FLOAT * kept_times * nodes * min(kept_members, members)  # the scorecard's members, concatenated
    if table:
        held += cells * TABLE_BYTES
    return Need(times, nodes, links, members, held)


def bins_that_fit(
    times: int,
    nodes: int,
    links: int,
    members: int,
    *,
    block: int,
    n_bins: int,
    kept_nodes: int = 0,
    parallel: int = 1,
    call: int = 0,
    kept_times: int = 0,
    kept_members: int = 0,
) -> int:
    """The most histogram bins, at most ``n_bins``, with which a histogram ensemble stays within
    :data:`MAX_BYTES` (see :func:`ensemble_need`); never fewer than :data:`MIN_BINS` (nor than
    ``n_bins``, when that is fewer), even when that does not fit (the budget then refuses the run)."""

    def need(bins: int) -> int:
        return ensemble_need(
            times,
            nodes,
            links,
            members,
            block=block,
            exact=False,
            histogram=True,
            n_bins=bins,
            kept_nodes=kept_nodes,
            parallel=parallel,
            call=call,
            kept_times=kept_times,
            kept_members=kept_members,
        ).bytes

    per_bin = need(1) - need(0)
    fitting = (MAX_BYTES - need(0)) // per_bin
    return int(min(n_bins, max(MIN_BINS, fitting)))


@dataclass(frozen=True)
class Shape:
    """How an ensemble runs within the budget (:func:`ensemble_shape`).

    Attributes
    ----------
    call : int
        Members per engine call.
    bins : int
        Histogram bins per node and time.
    kept_members : int
        First members whose every node is kept at the scorecard's times.
    need : Need
        What the ensemble asks for, so shaped (above :data:`MAX_BYTES` when nothing fits).
    """

    call: int
    bins: int
    kept_members: int
    need: Need


def ensemble_shape(
    times: int,
    nodes: int,
    links: int,
    members: int,
    *,
    block: int,
    exact: bool,
    histogram: bool,
    n_bins: int,
    kept_nodes: int = 0,
    parallel: int = 1,
    table: bool = True,
    kept_times: int = 0,
    kept_members: int = 0,
) -> Shape:
    """The widest engine call, the most bins and kept members with which an ensemble fits :data:`MAX_BYTES`.

    First the bins shrink (:func:`bins_that_fit`, with calls of :func:`call_members`
    members: what every run that fitted before this function existed runs with), then the
    members kept for the scorecard (to at least :data:`MIN_KEPT`), then the engine call
    (to at least 1 member: a block split into narrower calls gives the same sums, bit
    for bit; only the histogram's pilot, the block's first call, has fewer members).
    When even one member a call does not fit, ``need`` is above the limit and
    :func:`check_budget` refuses it.
    """
    call = min(call_members(times, nodes, links, block), max(members, 1))
    kept = min(kept_members, members) if kept_times else 0

    def bins_for(call: int, kept: int) -> int:
        if not histogram or exact:
            return n_bins
        return bins_that_fit(
            times,
            nodes,
            links,
            members,
            block=block,
            n_bins=n_bins,
            kept_nodes=kept_nodes,
            parallel=parallel,
            call=call,
            kept_times=kept_times,
            kept_members=kept,
        )

    def need(call: int, kept: int) -> Need:
        return ensemble_need(
            times,
            nodes,
            links,
            members,
            block=block,
            exact=exact,
            histogram=histogram,
            n_bins=bins_for(call, kept),
            kept_nodes=kept_nodes,
            parallel=parallel,
            table=table,
            call=call,
            kept_times=kept_times,
            kept_members=kept,
        )

    asked = need(call, kept)
    if asked.bytes > MAX_BYTES and kept > MIN_KEPT:  # fewer members kept for the scorecard
        per_kept = 2 * _FLOAT * kept_times * nodes
        kept = max(MIN_KEPT, kept - -(-(asked.bytes - MAX_BYTES) // per_kept))
        asked = need(call, kept)
    if asked.bytes > MAX_BYTES and call > 1:  # narrower engine calls
        per_member = max(1, min(parallel, -(-members // block))) * _call_member_bytes(times, nodes, links)
        call = max(1, call - -(-(asked.bytes - MAX_BYTES) // per_member))
        asked = need(call, kept)
    return Shape(call, bins_for(call, kept), kept, asked)


def check_tables(cells: int, runs: int, file: str = "") -> None:
    """Refuse results tables of ``cells`` node-times in all (``runs`` runs kept together, as ``bwsim run``
    keeps every scenario's and baseline's rows until it writes ``results.csv``) above :data:`MAX_BYTES`.

    Raises
    ------
    InputError
        Naming the size asked for and the limit.
    """
    held = cells * (TABLE_BYTES + _FLOAT)
    if held > MAX_BYTES:
        raise InputError(
            Problem(
                file,
                "",
                msg(
                    "the results are too large: {runs} runs of {cells:,} node-times in all "
                    "need about {size} of memory; the limit is {limit}",
                    runs=runs,
                    cells=cells,
                    size=_size(held),
                    limit=_size(MAX_BYTES),
                ),
                msg("run fewer scenarios at once, or use a larger dt"),
            )
        )


def _size(n_bytes: int) -> str:
    if n_bytes >= 1e9:
        return msg("{size:.3g} GB", size=n_bytes / 1e9)
    return msg("{size:.3g} MB", size=n_bytes / 1e6)


def fits(need: Need) -> bool:
    """Whether ``need`` is within :data:`MAX_BYTES` and :data:`MAX_WORK`."""
    return need.bytes <= MAX_BYTES and need.work <= MAX_WORK


def check_budget(need: Need, file: str = "", place: str = "time", fix: str = "") -> None:
    """Refuse a run above :data:`MAX_BYTES` or :data:`MAX_WORK`, before it starts.

    Parameters
    ----------
    need : Need
    file, place : str
        Where the run's size comes from (the scenario or model file; its ``time`` block).
    fix : str
        What would make it fit; default: a larger ``dt``, a shorter horizon (and fewer
        samples, for an ensemble).

    Raises
    ------
    InputError
        Naming the size asked for and the limit.
    """
    if fits(need):
        return
    sizes = {"steps": need.times - 1, "nodes": need.nodes, "links": need.links, "members": need.members}
    shape = (
        msg("{steps:,} steps x {nodes:,} nodes and {links:,} links x {members:,} members", **sizes)
        if need.members > 1
        else msg("{steps:,} steps x {nodes:,} nodes and {links:,} links", **sizes)
    )
    if need.bytes > MAX_BYTES:
        what = msg("needs about {size} of memory; the limit is {limit}", size=_size(need.bytes), limit=_size(MAX_BYTES))
    else:
        what = msg(
            "is {work:.3g} node-and-link steps of work; the limit is {limit:.3g} (steps x (nodes + links) x members)",
            work=need.work,
            limit=MAX_WORK,
        )
    fix = fix or (
        msg("use a larger dt or a shorter horizon, or fewer samples")
        if need.members > 1
        else msg("use a larger dt or a shorter horizon")
    )
    raise InputError(Problem(file, place, msg("the run is too large: {shape} {what}", shape=shape, what=what), fix))
