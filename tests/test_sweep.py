"""pv.sweep: grid and random search, trials trained side by side with the same numbers as separate Runs."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import paramviz as pv
import paramviz.sweeps as sweep_module

SMALL = pv.TrainConfig(dataset="moons", n_samples=80, hidden_layers=(4,), batch_size=16)
RTOL = 1e-10


def runs_for(result: pv.SweepResult, steps: int) -> list[pv.Run]:
    return [pv.Run(cfg).step(steps) for cfg in result.configs]


def assert_table_matches_runs(result: pv.SweepResult, runs: list[pv.Run]) -> None:
    """Every summary column equals what the same trial's Run recorded."""
    for i, run in enumerate(runs):
        row, h = result.table.iloc[i], run.history
        m = run.model.metric_name
        assert row["final_train_loss"] == pytest.approx(h["train_loss"].iloc[-1], rel=RTOL)
        assert row["final_test_loss"] == pytest.approx(h["test_loss"].iloc[-1], rel=RTOL)
        assert row["best_test_loss"] == pytest.approx(h["test_loss"].min(), rel=RTOL)
        assert row["best_step"] == h["step"].iloc[int(h["test_loss"].to_numpy().argmin())]
        assert row[f"final_train_{m}"] == pytest.approx(h[f"train_{m}"].iloc[-1], rel=RTOL)
        assert row[f"final_test_{m}"] == pytest.approx(h[f"test_{m}"].iloc[-1], rel=RTOL)
        assert bool(row["diverged"]) == run.diverged
        assert (pd.isna(row["diverged_at"]) and run.diverged_at is None) or row["diverged_at"] == run.diverged_at


# ---- enumerating the space ------------------------------------------------------------------------------------

def test_grid_enumerates_the_full_product_once_each_last_key_fastest():
    lrs, lams = [1e-3, 1e-2, 1e-1], [0.0, 1e-3, 1e-2]
    table = pv.sweep(SMALL, {"learning_rate": lrs, "reg_strength": lams}, steps=3)
    assert len(table) == 9
    assert list(table["trial"]) == list(range(9)) == list(table.index)
    assert list(zip(table["learning_rate"], table["reg_strength"])) == list(itertools.product(lrs, lams))
    assert list(table.columns) == ["trial", "learning_rate", "reg_strength", "final_train_loss", "final_test_loss",
                                   "best_test_loss", "best_step", "final_train_accuracy", "final_test_accuracy",
                                   "diverged", "diverged_at"]
    assert table["diverged"].dtype == bool and str(table["diverged_at"].dtype) == "Int64"


def test_grid_of_ranges_uses_points_log_spaced_for_loguniform():
    table = pv.sweep(SMALL, {"learning_rate": pv.LogUniform(1e-4, 1e-1, points=4),
                             "batch_size": pv.IntUniform(8, 32, points=3), "noise": pv.Uniform(0.0, 0.2, points=2)},
                     steps=2)
    assert len(table) == 4 * 3 * 2
    assert np.allclose(sorted(set(table["learning_rate"])), [1e-4, 1e-3, 1e-2, 1e-1], rtol=1e-12)
    assert sorted(set(table["batch_size"])) == [8, 20, 32]
    assert sorted(set(table["noise"])) == [0.0, 0.2]


def test_random_search_is_reproducible_by_seed_and_differs_for_another_seed():
    space = {"learning_rate": pv.LogUniform(1e-4, 1e-1), "batch_size": [8, 16, 32], "momentum": pv.Uniform(0.5, 0.99)}
    a = pv.sweep(SMALL, space, method="random", n_trials=6, seed=3, steps=2)
    b = pv.sweep(SMALL, space, method="random", n_trials=6, seed=3, steps=2)
    c = pv.sweep(SMALL, space, method="random", n_trials=6, seed=4, steps=2)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["learning_rate"], c["learning_rate"])


def test_random_samples_stay_in_their_ranges_and_lists():
    settings = sweep_module._random({"learning_rate": pv.Uniform(0.01, 0.02), "hidden_width": pv.IntUniform(2, 5),
                                     "activation": ["relu", "tanh"]}, 500, seed=0)
    lr = np.array([s["learning_rate"] for s in settings])
    widths = [s["hidden_width"] for s in settings]
    assert lr.min() >= 0.01 and lr.max() < 0.02
    assert set(widths) == {2, 3, 4, 5} and all(type(w) is int for w in widths)  # both ends included
    assert {s["activation"] for s in settings} == {"relu", "tanh"}


def test_loguniform_samples_spread_evenly_over_decades():
    settings = sweep_module._random({"learning_rate": pv.LogUniform(1e-5, 1e-1)}, 2000, seed=0)
    decades = np.floor(np.log10([s["learning_rate"] for s in settings])).astype(int)
    counts = np.bincount(decades + 5, minlength=4)
    assert counts.sum() == 2000 and len(counts) == 4
    assert counts.min() > 400 and counts.max() < 600  # 500 expected in each of the 4 decades
    uniform = sweep_module._random({"learning_rate": pv.Uniform(1e-5, 1e-1)}, 2000, seed=0)
    assert np.mean([s["learning_rate"] >= 1e-2 for s in uniform]) > 0.85  # what log spacing avoids


def test_regularizer_searched_without_strength_gives_the_regularized_trials_a_nonzero_strength():
    result = pv.sweep(SMALL, {"regularizer": ["none", "l1", "l2"]}, steps=60, details=True)
    table = result.table
    assert list(table.columns[:3]) == ["trial", "regularizer", "reg_strength"]
    assert table["reg_strength"].tolist() == [0.0, 0.01, 0.01]  # none has no penalty; l1 and l2 get the default
    assert [c.reg_strength for c in result.configs] == [0.0, 0.01, 0.01]
    assert [h["penalty"].iloc[-1] > 0.04 for h in result.histories] == [False, True, True]
    none, l1, l2 = table["final_train_loss"]
    assert l1 > none and l2 > none  # the penalty pulls the fit away from the training data
    assert_table_matches_runs(result, runs_for(result, 60))


def test_regularizer_searched_without_strength_keeps_a_base_strength_and_works_for_random_search():
    table = pv.sweep(SMALL.replace(reg_strength=0.003), {"regularizer": ["none", "l2"], "learning_rate": [0.01, 0.1]},
                     method="random", n_trials=8, seed=1, steps=2)
    assert list(table.columns[:4]) == ["trial", "regularizer", "reg_strength", "learning_rate"]
    assert set(table["regularizer"]) == {"none", "l2"}
    assert (table["reg_strength"] == np.where(table["regularizer"] == "none", 0.0, 0.003)).all()


def test_regularizer_searched_with_strength_keeps_the_searched_strengths():
    table = pv.sweep(SMALL, {"regularizer": ["none", "l2"], "reg_strength": [0.1]}, steps=2)
    assert list(table.columns[:3]) == ["trial", "regularizer", "reg_strength"]
    assert table["reg_strength"].tolist() == [0.1, 0.1]


# ---- the numbers equal separate Runs ---------------------------------------------------------------------------

EQUAL_CASES = {
    "momentum": (pv.TrainConfig(optimizer="momentum", n_samples=100),
                 {"learning_rate": [0.01, 0.3], "momentum": [0.5, 0.9]}),
    "adam_with_l2": (pv.TrainConfig(optimizer="adam", regularizer="l2", n_samples=100),
                     {"learning_rate": [0.003, 0.03], "reg_strength": [0.0, 0.01]}),
    "adam_betas_as_columns": (pv.TrainConfig(optimizer="adam", n_samples=100),
                              {"beta1": [0.8, 0.9], "beta2": [0.99, 0.999]}),
    "adamw": (pv.TrainConfig(optimizer="adamw", n_samples=100),
              {"weight_decay": [0.0, 0.1], "learning_rate": [0.01, 0.1]}),
    "l1_proximal": (pv.TrainConfig(optimizer="sgd", learning_rate=0.3, proximal=True, n_samples=100),
                    {"regularizer": ["none", "l1", "elasticnet"], "reg_strength": [1e-3, 3e-2]}),
    "elasticnet_subgradient": (pv.TrainConfig(optimizer="rmsprop", regularizer="elasticnet", reg_strength=0.01,
                                              n_samples=100), {"l1_ratio": [0.0, 0.5, 1.0]}),
    "schedules": (pv.TrainConfig(optimizer="sgd", learning_rate=0.5, schedule_epochs=2, n_samples=100),
                  {"schedule": ["constant", "step", "exponential", "cosine"], "schedule_gamma": [0.5, 0.9]}),
    "multiclass": (pv.TrainConfig(dataset="blobs", n_classes=4, optimizer="adagrad", n_samples=120),
                   {"learning_rate": [0.01, 0.1, 1.0]}),
    "regression": (pv.TrainConfig(dataset="sine", optimizer="nesterov", hidden_layers=(16,), n_samples=100),
                   {"learning_rate": [0.01, 0.1], "momentum": [0.0, 0.9]}),
    "full_batch": (pv.TrainConfig(dataset="xor", batch_size=1000, n_samples=100), {"learning_rate": [0.01, 0.1]}),
}


@pytest.mark.parametrize("case", list(EQUAL_CASES))
def test_sweep_losses_equal_separate_runs(case):
    cfg, space = EQUAL_CASES[case]
    result = pv.sweep(cfg, space, steps=120, record_every=7, details=True)  # 120 is off the stride: last row added
    assert_table_matches_runs(result, runs_for(result, 120))


def test_details_histories_params_and_predictions_match_run():
    result = pv.sweep(pv.TrainConfig(n_samples=100, regularizer="l2"), {"learning_rate": [0.01, 0.1],
                      "reg_strength": [0.0, 0.01]}, steps=90, details=True)
    assert result.configs[0].record_every == 1  # the default: about steps / 200 rows
    points = np.array([[0.0, 0.0], [1.0, 0.5], [-1.0, 1.0]])
    for i, run in enumerate(runs_for(result, 90)):
        expected = run.history[["step", "train_loss", "test_loss", "train_accuracy", "test_accuracy", "penalty"]]
        pd.testing.assert_frame_equal(result.histories[i], expected, rtol=RTOL)
        np.testing.assert_array_equal(result.final_params[i], run.theta)
        assert result.param_names[i] == run.param_names
        np.testing.assert_allclose(result.predict(i, points), run.predict(points), rtol=RTOL)
        assert result.data[i].X_train.shape == run.data.X_train.shape


def test_history_is_recorded_every_record_every_steps_with_first_and_last_step():
    result = pv.sweep(SMALL, {"learning_rate": [0.01]}, steps=1000, details=True)
    steps = result.histories[0]["step"].tolist()
    assert steps[:3] == [0, 5, 10] and steps[-1] == 1000 and len(steps) == 201


def test_multiclass_predict_gives_class_probabilities():
    result = pv.sweep(pv.TrainConfig(dataset="blobs", n_classes=3, n_samples=90), {"learning_rate": [0.05]},
                      steps=30, details=True)
    probs = result.predict(0, np.zeros((4, 2)))
    assert probs.shape == (4, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="trial"):
        result.predict(1, np.zeros((1, 2)))


# ---- divergence ----------------------------------------------------------------------------------------------

def test_divergent_trials_are_marked_and_frozen_while_the_others_finish():
    cfg = pv.TrainConfig(dataset="linear", optimizer="sgd", hidden_layers=(), n_samples=100)
    result = pv.sweep(cfg, {"learning_rate": [0.01, 2.0, 30.0], "batch_size": [1, 16]}, steps=400, record_every=5,
                      details=True)
    runs = runs_for(result, 400)
    table = result.table
    assert list(table["diverged"]) == [False, False, True, True, True, True]
    assert table.loc[~table["diverged"], "final_test_loss"].lt(1.0).all()  # the slow trials learned the line
    assert_table_matches_runs(result, runs)
    at_step_time = {run.divergence_reason.startswith("the loss became") for run in runs if run.diverged}
    assert at_step_time == {True, False}  # both ways a Run stops: the batch loss, or a recorded full-data row
    for i, run in enumerate(runs):
        np.testing.assert_array_equal(result.final_params[i], run.theta)
        if run.diverged:
            assert np.isfinite(result.final_params[i]).all()
            last = result.histories[i]["step"].iloc[-1]  # the last finite step, if its full-data loss was finite
            assert last == run.history["step"].iloc[-1] and run.diverged_at - 5 <= last <= run.diverged_at - 1


def test_an_overflowing_gradient_norm_ends_a_trial_while_its_loss_is_still_finite():
    cfg = pv.TrainConfig(n_samples=80, activation="relu", optimizer="sgd", hidden_layers=(16, 16, 16), init="he",
                         batch_size=8)
    result = pv.sweep(cfg, {"learning_rate": [10.0, 100.0]}, steps=100, record_every=1, details=True)
    runs = runs_for(result, 100)
    assert runs[1].divergence_reason.startswith("the loss, penalty or gradient became infinite at step 9")
    assert list(result.table["diverged"]) == [False, True] and result.table["diverged_at"].iloc[1] == 9
    assert result.histories[1]["train_loss"].iloc[-1] > 1e150  # huge, but finite: the gradient overflowed first
    assert_table_matches_runs(result, runs)
    np.testing.assert_array_equal(result.final_params[1], runs[1].theta)


# ---- validation ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("space, kwargs, words", [
    ({"learning_rte": [0.1]}, {}, ["learning_rte", "unknown"]),
    ({"learning_rate": []}, {}, ["learning_rate", "empty"]),
    ({"learning_rate": 0.1}, {}, ["learning_rate", "list"]),
    ({"learning_rate": [0.1, -1.0]}, {}, ["learning_rate", "trial 1", "(0, 100]"]),
    ({"batch_size": [16], "hidden_width": [0]}, {}, ["hidden_width", "trial 0", "batch_size=16"]),
    ({"learning_rate": pv.Uniform(0.1, 0.1)}, {}, ["learning_rate", "low < high"]),
    ({"learning_rate": pv.LogUniform(0.0, 0.1)}, {}, ["learning_rate", "low > 0"]),
    ({"reg_strength": pv.LogUniform(1e-3, 1.0, points=0)}, {}, ["reg_strength", "points"]),
    ({"optimizer": pv.Uniform(0.0, 1.0)}, {}, ["optimizer", "list of values"]),
    ({"hidden_layers": [(4,)], "hidden_width": [8]}, {}, ["hidden_layers", "hidden_width"]),
    ({"record_every": [1, 2]}, {}, ["record_every"]),
    ({"seed": list(range(50)), "learning_rate": list(range(1, 51))}, {}, ["MAX_TRIALS = 2000", "2500"]),
    ({"learning_rate": [0.1]}, {"method": "random", "n_trials": 2001},
     ["n_trials must be a whole number in [1, 2000]; got 2001"]),
    ({"learning_rate": [0.1]}, {"method": "random"}, ["n_trials", "random"]),
    ({"learning_rate": [0.1]}, {"n_trials": 5}, ["n_trials", "random", "grid"]),
    ({"learning_rate": [0.1]}, {"method": "random", "n_trials": 0}, ["n_trials", "got 0"]),
    ({"learning_rate": [0.1]}, {"method": "bayes"}, ["method", "grid, random"]),
    ({"learning_rate": [0.1]}, {"steps": 0}, ["steps", "got 0"]),
    ({"learning_rate": [0.1]}, {"steps": 1_000_001}, ["steps", "got 1000001"]),
    ({"learning_rate": [0.1]}, {"record_every": 0}, ["record_every"]),
    ({"learning_rate": [0.1]}, {"n_jobs": 0}, ["n_jobs"]),
    ({"learning_rate": [0.1]}, {"backend": "nonsense"}, ["backend", "nonsense", "threading"]),
    ({"dataset": ["csv"]}, {}, ["trial 0", "dataset='csv'", "csv"]),
])
def test_bad_sweeps_raise_value_error_naming_the_field(space, kwargs, words):
    with pytest.raises(ValueError) as info:
        pv.sweep(SMALL, space, **{"steps": 2, **kwargs})
    for word in words:
        assert word in str(info.value)


# ---- progress and cancel -------------------------------------------------------------------------------------

def test_progress_reports_rising_fractions_and_ends_at_one(monkeypatch):
    monkeypatch.setattr(sweep_module, "PROGRESS_EVERY", 0.0)
    calls = []
    pv.sweep(SMALL, {"hidden_width": [2, 3]}, steps=20, progress=lambda *a: calls.append(a))
    fractions = [c[0] for c in calls]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0 and fractions == sorted(fractions)
    assert calls[-1][1:3] == (2, 2) and calls[-1][3] >= 0.0
    assert 0.5 in fractions  # the first of two equal groups finished
    assert len(calls) >= 40  # with no throttle, one report per step of each group


def test_returning_false_cancels_with_the_finished_trials_as_partial(monkeypatch):
    monkeypatch.setattr(sweep_module, "PROGRESS_EVERY", 0.0)
    space = {"hidden_width": [2, 3, 4], "learning_rate": [0.01, 0.1]}
    full = pv.sweep(SMALL, space, steps=15)
    with pytest.raises(pv.SweepCancelled) as info:
        pv.sweep(SMALL, space, steps=15, progress=lambda frac, done, n, secs: done < 2)
    partial = info.value.partial
    assert list(partial["trial"]) == [0, 1]  # the first group (width 2) finished, then the sweep stopped
    pd.testing.assert_frame_equal(partial, full.iloc[:2])


def test_cancel_with_parallel_workers_keeps_the_chunks_that_came_back(monkeypatch):
    monkeypatch.setattr(sweep_module, "PROGRESS_EVERY", 0.0)
    space = {"hidden_width": [2, 3, 4, 5, 6, 7]}
    full = pv.sweep(SMALL, space, steps=30)
    with pytest.raises(pv.SweepCancelled) as info:
        pv.sweep(SMALL, space, steps=30, n_jobs=2, backend="threading", progress=lambda f, done, n, s: done < 1)
    partial = info.value.partial
    assert len(partial) == 1  # the first chunk to come back, whichever it was
    pd.testing.assert_frame_equal(partial, full.iloc[[partial["trial"].iloc[0]]])


def test_cancel_before_any_trial_finishes_gives_an_empty_partial_with_the_columns():
    with pytest.raises(pv.SweepCancelled) as info:
        pv.sweep(SMALL, {"learning_rate": [0.01, 0.1]}, steps=15, progress=lambda *a: False)
    partial = info.value.partial
    assert len(partial) == 0 and "final_test_loss" in partial.columns and "learning_rate" in partial.columns


# ---- architectures and groups ----------------------------------------------------------------------------------

def test_hidden_width_and_depth_build_layers_and_mixed_architectures_train_in_groups():
    space = {"hidden_width": [3, 5], "hidden_depth": [0, 1, 2], "learning_rate": [0.01, 0.1]}
    result = pv.sweep(SMALL, space, steps=40, details=True)
    layers = [cfg.hidden_layers for cfg in result.configs]
    assert layers[:4] == [(), (), (3,), (3,)] and layers[-1] == (5, 5)
    assert len(result.param_names[0]) == 3 and len(result.param_names[4]) == 3 * 2 + 3 + 3 * 3 + 3 + 3 + 1
    assert_table_matches_runs(result, runs_for(result, 40))
    chunks, metrics = sweep_module._chunks(sweep_module._plan(SMALL, space, "grid", 40, None, 0, None), None, 1)
    assert metrics == ["accuracy"]
    assert len(chunks) == 5  # depth 0 is one network whatever the width; 2 widths × depths 1, 2 are four more


def test_trials_train_together_unless_data_network_batches_or_optimizer_differ():
    assert set(sweep_module.GROUP_FIELDS) == {
        "dataset", "n_samples", "noise", "test_fraction", "seed", "n_classes", "scale_inputs", "poly_degree",
        "hidden_layers", "activation", "init", "init_seed", "batch_size", "optimizer", "proximal"}
    space = {"learning_rate": [0.01, 0.1], "schedule": ["constant", "cosine"], "regularizer": ["l1", "l2"],
             "eps": [1e-8, 1e-6], "weight_decay": [0.0, 0.1]}
    plan = sweep_module._plan(SMALL, space, "grid", 5, None, 0, None)
    assert [len(c.trials) for c in sweep_module._chunks(plan, None, 1)[0]] == [32]  # one stacked theta


def test_hidden_width_alone_keeps_the_base_depth_and_depth_alone_the_base_width():
    result = pv.sweep(pv.TrainConfig(hidden_layers=(8, 8, 8)), {"hidden_width": [4]}, steps=1, details=True)
    assert result.configs[0].hidden_layers == (4, 4, 4)
    result = pv.sweep(pv.TrainConfig(hidden_layers=(5, 3)), {"hidden_depth": [1, 3]}, steps=1, details=True)
    assert [c.hidden_layers for c in result.configs] == [(5,), (5, 5, 5)]
    result = pv.sweep(pv.TrainConfig(hidden_layers=()), {"hidden_depth": [0, 2]}, steps=1, details=True)
    assert [c.hidden_layers for c in result.configs] == [(), (8, 8)]  # TrainConfig's default width


def test_hidden_layers_lists_become_tuples_in_the_table():
    table = pv.sweep(SMALL, {"hidden_layers": [[2], [2, 2]]}, steps=2)
    assert list(table["hidden_layers"]) == [(2,), (2, 2)]


def test_user_data_is_used_for_every_trial():
    raw = pv.make_raw(pv.TrainConfig(dataset="circles", n_samples=60))
    result = pv.sweep(SMALL.replace(dataset="csv"), {"learning_rate": [0.01, 0.1]}, steps=5, data=raw,
                      details=True)
    assert len(result.data[0].y_train) + len(result.data[0].y_test) == 60
    run = pv.Run(result.configs[1], data=raw).step(5)
    assert result.table["final_test_loss"].iloc[1] == pytest.approx(run.history["test_loss"].iloc[-1], rel=RTOL)


# ---- scale-out ----------------------------------------------------------------------------------------------

def test_joblib_workers_give_the_same_table_as_one_process():
    space = {"learning_rate": [0.01, 0.1, 0.3], "batch_size": [8, 16]}
    one = pv.sweep(SMALL, space, steps=30)
    for kwargs in ({"n_jobs": 2, "backend": "threading"}, {"n_jobs": 2}):
        pd.testing.assert_frame_equal(pv.sweep(SMALL, space, steps=30, **kwargs), one)


def test_big_groups_are_split_into_chunks_for_parallel_workers():
    plan = sweep_module._plan(SMALL, {"learning_rate": pv.LogUniform(1e-3, 1.0, points=16)}, "grid", 5, None, 0, None)
    assert [len(c.trials) for c in sweep_module._chunks(plan, None, 1)[0]] == [16]
    assert [len(c.trials) for c in sweep_module._chunks(plan, None, 2)[0]] == [4, 4, 4, 4]


def test_paramviz_sweeps_without_dask_installed():
    code = ("import sys\n"
            "class Block:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] in ('dask', 'distributed'):\n"
            "            raise ImportError('dask is blocked')\n"
            "sys.meta_path.insert(0, Block())\n"
            "import paramviz as pv\n"
            "t = pv.sweep(pv.TrainConfig(n_samples=40), {'learning_rate': [0.1, 0.2]}, steps=3, n_jobs=2,"
            " backend='threading')\n"
            "assert 'dask' not in sys.modules and len(t) == 2\n"
            "print('ok')\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1],
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "ok", out.stderr


def test_mixed_tasks_get_both_metric_columns_filled_where_they_apply():
    result = pv.sweep(SMALL, {"dataset": ["moons", "sine"]}, steps=20, details=True)
    table = result.table
    assert {"final_test_accuracy", "final_test_r2"} <= set(table.columns)
    assert table["final_test_accuracy"].notna().tolist() == [True, False]
    assert table["final_test_r2"].notna().tolist() == [False, True]
    assert list(result.histories[1].columns) == ["step", "train_loss", "test_loss", "train_r2", "test_r2", "penalty"]
    assert_table_matches_runs(result, runs_for(result, 20))


def test_bad_data_is_refused_once_before_any_trial_with_the_data_check_s_own_message():
    X = np.zeros((20, 2))
    with pytest.raises(ValueError, match=r"^data must be a RawData .*got ndarray$"):
        pv.sweep(pv.TrainConfig(dataset="csv"), {"learning_rate": [0.1, 0.01]}, steps=5, data=X)
    nan = pv.RawData(np.full((20, 2), np.nan), np.arange(20) % 2, "binary", 2, ("a", "b"))
    with pytest.raises(ValueError, match=r"^data\.X"):
        pv.sweep(pv.TrainConfig(dataset="csv"), {"learning_rate": [0.1, 0.01]}, steps=5, data=nan)
