"""Spread chunks of work over an executor: in-process, a local Dask cluster, or a remote one.

The one generic piece is :func:`map_chunks`: call ``fn(task)`` for every task
and yield results as they finish, with a bounded number in flight so memory
stays flat. ``executor`` is any :class:`concurrent.futures.Executor`; a Dask
cluster is used through ``Client.get_executor()``, which is one. Without an
executor the tasks run one after the other in this process.

:func:`dask_executor` opens such an executor: a ``LocalCluster`` of ``workers``
processes (one thread each, no dashboard, the scheduler's HTTP server on a free
local port), or a client of an existing scheduler. Workers get
``OPENBLAS_NUM_THREADS=1`` (and the OpenMP/MKL twins) and no
``MALLOC_TRIM_THRESHOLD_``, which made allocation-heavy numpy loops about 3x
slower on workers (STACK.md).

Results do not depend on where a task runs: tasks are pure functions of their
arguments, and callers combine results in a fixed order (see
:mod:`simulator.ensemble`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from typing import Any, TypeVar

from simulator.errors import InputError, Problem
from simulator.messages import msg

T = TypeVar("T")
R = TypeVar("R")

_WORKER_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def map_chunks(
    fn: Callable[[T], R],
    tasks: Iterable[T],
    executor: Executor | None = None,
    max_pending: int | None = None,
) -> Iterator[tuple[int, R]]:
    """Run ``fn`` on every task; yield ``(task index, result)`` as each finishes.

    Parameters
    ----------
    fn : callable
        A module-level function (it is pickled for process and Dask workers).
    tasks : iterable
        Arguments, one per call; consumed lazily, so tasks can be built on demand.
    executor : concurrent.futures.Executor, optional
        Where to run; None runs in this process, in task order.
    max_pending : int, optional
        Tasks in flight at once (default 2 per worker, at least 2): bounds the
        memory held by unfinished results.

    Notes
    -----
    With an executor, results arrive in completion order; combine them in an
    order-independent way or sort by the index. Closing the generator early
    cancels the tasks not yet started.
    """
    if executor is None:
        for index, task in enumerate(tasks):
            yield index, fn(task)
        return
    limit = max_pending or max(2, 2 * _worker_count(executor))
    pending: dict[Future, int] = {}
    iterator = enumerate(tasks)
    try:
        for index, task in iterator:
            pending[executor.submit(fn, task)] = index
            while len(pending) >= limit:
                yield from _collect(pending)
        while pending:
            yield from _collect(pending)
    finally:
        for future in pending:
            future.cancel()


def _collect(pending: dict[Future, int]) -> Iterator[tuple[int, Any]]:
    done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
    for future in done:
        index = pending.pop(future)
        yield index, future.result()


def parallel_blocks(executor: Executor | None, threads: int = 1) -> int:
    """How many blocks' results can be held at once: 1 in-process, else those :func:`map_chunks` keeps
    in flight (2 per worker or thread)."""
    if executor is None:
        return 1 if threads <= 1 else 2 * threads
    return max(2, 2 * _worker_count(executor))


def _worker_count(executor: Executor) -> int:
    client = getattr(executor, "_client", None)
    if client is not None:
        with contextlib.suppress(Exception):
            return max(1, len(client.scheduler_info().get("workers", {})))
    return int(getattr(executor, "_max_workers", 1) or 1)


def check_workers(workers: int | None, scheduler: str | None) -> None:
    """Raise :class:`InputError` for a worker count or scheduler option that cannot work."""
    problems = []
    if workers is not None and workers < 1:
        problems.append(
            Problem(
                msg("command line"),
                "--workers",
                msg("needs 1 or more workers, got {workers}", workers=workers),
                msg("e.g. --workers 2, or leave it out to run in this process"),
            )
        )
    if workers is not None and scheduler is not None:
        problems.append(
            Problem(
                msg("command line"),
                "--scheduler",
                msg("give either --workers (a local cluster) or --scheduler (an existing cluster), not both"),
            )
        )
    if problems:
        raise InputError(problems)


@contextlib.contextmanager
def dask_executor(
    workers: int | None = None, scheduler: str | None = None, timeout: float = 10.0
) -> Iterator[Executor | None]:
    """An executor on Dask, or None (run in-process) when neither option is given.

    Parameters
    ----------
    workers : int, optional
        Start a local cluster of this many single-threaded worker processes.
    scheduler : str, optional
        Address of a running scheduler, e.g. ``tcp://10.0.0.5:8786``.
    timeout : float
        Seconds to wait for the scheduler.

    Raises
    ------
    InputError
        For bad options, or a scheduler that cannot be reached (before any work starts).
    """
    check_workers(workers, scheduler)
    if workers is None and scheduler is None:
        yield None
        return
    import dask
    from distributed import Client, LocalCluster

    settings: dict[str, str | None] = {f"distributed.nanny.pre-spawn-environ.{k}": v for k, v in _WORKER_ENV.items()}
    settings["distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"] = None
    with dask.config.set(settings), contextlib.ExitStack() as stack:
        if scheduler is not None:
            client = stack.enter_context(_connect(Client, scheduler, timeout))
        else:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    # without a dashboard the scheduler still serves HTTP (health, metrics),
                    # by default on port 8787, and warns when that port is taken: any free port
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                    silence_logs=40,
                    env=dict(_WORKER_ENV),
                )
            )
            client = stack.enter_context(Client(cluster))
        yield client.get_executor(pure=False)


@contextlib.contextmanager
def _connect(client_class: Any, address: str, timeout: float) -> Iterator[Any]:
    try:
        client = client_class(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(
            Problem(
                msg("command line"),
                "--scheduler",
                msg("cannot reach the Dask scheduler at {address}: {reason}", address=repr(address), reason=str(exc)),
                msg("check the address (tcp://host:8786) and that the scheduler runs"),
            )
        ) from None
    try:
        yield client
    finally:
        client.close()
