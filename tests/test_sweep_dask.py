"""pv.sweep on Dask workers (backend="dask") gives the same table as in one process."""

from __future__ import annotations

import pandas as pd
import pytest

import paramviz as pv

distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def dask_client():
    # threads, not processes: starts in about a second, and the workers still get each chunk through the
    # scheduler exactly as remote ones would (the chunks and results are plain picklable data)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def test_dask_backend_without_a_client_raises_value_error_saying_how_to_start_one():
    with pytest.raises(ValueError, match=r"backend 'dask' .*dask.distributed.Client"):
        pv.sweep(pv.TrainConfig(), {"learning_rate": [0.1]}, steps=2, backend="dask")


def test_dask_backend_gives_the_same_table_as_one_process(dask_client):
    cfg = pv.TrainConfig(n_samples=80, hidden_layers=(4,), batch_size=16)
    space = {"learning_rate": [0.01, 0.1, 0.3], "hidden_width": [2, 4]}
    one = pv.sweep(cfg, space, steps=25)
    with distributed.get_task_stream(dask_client) as tasks:
        on_dask = pv.sweep(cfg, space, steps=25, backend="dask", n_jobs=-1)
    assert len(tasks.data) >= 2  # the chunks went through the scheduler (two architectures: two groups at least)
    pd.testing.assert_frame_equal(on_dask, one)


def test_dask_backend_returns_details_and_reports_progress(dask_client):
    calls = []
    result = pv.sweep(pv.TrainConfig(n_samples=60, hidden_layers=(3,)), {"learning_rate": [0.05, 0.5]}, steps=10,
                      backend="dask", details=True, progress=lambda *a: calls.append(a))
    run = pv.Run(result.configs[1]).step(10)
    assert (result.final_params[1] == run.theta).all()
    assert calls[0][0] == 0.0 and calls[-1][:3] == (1.0, 2, 2)
