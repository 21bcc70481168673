"""Scale-out: the same ensemble on a local 2-worker Dask cluster as in-process, bit for bit."""

from __future__ import annotations

import contextlib
import socket
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from simulator.distributed import dask_executor, map_chunks
from simulator.ensemble import ensemble_summary, run_members
from simulator.errors import InputError
from simulator.sampling import BLOCK_SIZE, draw
from simulator.scenario_run import prepare_scenario
from simulator.spec import ModelSpec, ScenarioSpec


def _square(x: int) -> int:
    time.sleep(0.01 * (x % 3))
    return x * x


@pytest.fixture(scope="module")
def prepared():
    nodes = [{"id": n, "label": n, "theme": "t", "dimension": "hier_en_nu", "baseline": 10.0} for n in ("a", "b", "c")]
    links = [
        {"from": "a", "to": "b", "weight": {"low": 0.5, "mode": 1.0, "high": 2.0}},
        {
            "from": "b",
            "to": "c",
            "weight": {"dist": "normal", "mean": 0.3, "sd": 0.1},
            "delay": "exponential",
            "lag": {"dist": "uniform", "low": 0.5, "high": 2.0},
        },
        {
            "from": "c",
            "to": "a",
            "weight": -0.2,
            "delay": "fixed",
            "lag": {"low": 0.5, "mode": 1, "high": 2},
        },
    ]
    model = ModelSpec.model_validate(
        {
            "name": "m",
            "title": "m",
            "nodes": nodes,
            "links": links,
            "time": {"start": 2020, "end": 2030, "dt": 0.25},
        }
    )
    scenario = ScenarioSpec.model_validate(
        {
            "name": "s",
            "model": "m.yaml",
            "interventions": [{"node": "a", "shape": "step", "height": 1.0, "start": 2021}],
        }
    )
    return prepare_scenario(scenario, model)


def test_map_chunks_yields_every_result_with_its_index_in_process_and_in_threads():
    assert list(map_chunks(_square, range(5))) == [(i, i * i) for i in range(5)]
    with ThreadPoolExecutor(2) as pool:
        got = dict(map_chunks(_square, range(9), pool, max_pending=3))
    assert got == {i: i * i for i in range(9)}


def test_no_options_means_in_process():
    with dask_executor() as executor:
        assert executor is None


@pytest.mark.parametrize("workers, scheduler", [(0, None), (2, "tcp://127.0.0.1:8786")])
def test_bad_worker_options_are_input_errors(workers, scheduler):
    with pytest.raises(InputError), dask_executor(workers, scheduler):
        pass


def test_an_unreachable_scheduler_is_an_input_error_before_any_work():
    with pytest.raises(InputError, match="cannot reach the Dask scheduler"):
        with dask_executor(scheduler="tcp://127.0.0.1:9", timeout=1.0):
            pytest.fail("no work may start")


@pytest.mark.slow
def test_two_local_workers_give_the_in_process_results_bit_for_bit(prepared):
    n = 3 * BLOCK_SIZE + 17
    local = {
        exact: ensemble_summary(prepared, n, seed=5, exact_limit=limit, keep_nodes=["c"])
        for exact, limit in ((True, 10**9), (False, 0))
    }
    sample = draw(prepared.model, 1500, seed=2, method="mc")
    weights = np.concatenate([sample.block(b)[0] for b in range(sample.n_blocks)], axis=1)
    members_local = run_members(prepared, weights)
    with dask_executor(workers=2) as executor:
        remote = {
            exact: ensemble_summary(
                prepared,
                n,
                seed=5,
                exact_limit=limit,
                keep_nodes=["c"],
                chunk_size=BLOCK_SIZE,
                executor=executor,
            )
            for exact, limit in ((True, 10**9), (False, 0))
        }
        members_remote = run_members(prepared, weights, chunk_size=BLOCK_SIZE, executor=executor)
    for exact in (True, False):
        for stat in ("mean", "p05", "p50", "p95", "resolution"):
            assert np.array_equal(getattr(local[exact], stat), getattr(remote[exact], stat)), (
                exact,
                stat,
            )
        assert np.array_equal(local[exact].paths["c"], remote[exact].paths["c"])
    assert np.array_equal(members_local, members_remote)


@pytest.mark.slow
def test_an_existing_scheduler_is_used_by_address(prepared):
    from distributed import LocalCluster

    local = ensemble_summary(prepared, 1200, seed=3)
    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},  # not 8787 (see the test below)
        silence_logs=40,
    ) as cluster:
        with dask_executor(scheduler=cluster.scheduler_address) as executor:
            remote = ensemble_summary(prepared, 1200, seed=3, executor=executor, chunk_size=BLOCK_SIZE)
    assert np.array_equal(local.p50, remote.p50) and np.array_equal(local.mean, remote.mean)


@pytest.mark.slow
def test_a_local_cluster_starts_when_port_8787_is_taken():
    """Without a dashboard the scheduler still served HTTP on 8787 and warned when that port was
    busy (another cluster, another test run): under pytest's warnings=error the cluster failed."""
    holder = socket.socket()
    with contextlib.suppress(OSError):  # taken by something else already: the same situation
        holder.bind(("0.0.0.0", 8787))
        holder.listen(1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with dask_executor(workers=1) as executor:
                assert executor.submit(_square, 3).result() == 9
    finally:
        holder.close()
