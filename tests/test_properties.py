"""Property-based: any valid config trains without raising and stays finite; any invalid number is refused."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import paramviz as pv
from paramviz.config import (
    ACTIVATION_NAMES,
    DATASET_NAMES,
    FIELDS,
    INIT_NAMES,
    OPTIMIZER_NAMES,
    REGULARIZER_NAMES,
    SCHEDULE_NAMES,
    Num,
)

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

valid_configs = st.builds(
    pv.TrainConfig,
    dataset=st.sampled_from([d for d in DATASET_NAMES if d != "csv"]),
    n_samples=st.integers(10, 300),
    noise=st.floats(0, 2),
    test_fraction=st.floats(0.1, 0.5),  # larger fractions of 10 points leave too few to train on (a ValueError)
    seed=st.integers(0, 2**32 - 1),
    n_classes=st.integers(3, 8),
    hidden_layers=st.lists(st.integers(1, 16), min_size=0, max_size=3).map(tuple),
    activation=st.sampled_from(ACTIVATION_NAMES),
    poly_degree=st.integers(1, 4),
    init=st.sampled_from(INIT_NAMES),
    optimizer=st.sampled_from(OPTIMIZER_NAMES),
    learning_rate=st.floats(-4, 1).map(lambda e: 10.0**e),
    batch_size=st.integers(1, 300),
    momentum=st.floats(0, 0.99),
    beta1=st.floats(0, 0.99),
    beta2=st.floats(0, 0.9999),
    rho=st.floats(0, 0.999),
    weight_decay=st.floats(0, 1),
    regularizer=st.sampled_from(REGULARIZER_NAMES),
    reg_strength=st.floats(0, 10),
    l1_ratio=st.floats(0, 1),
    proximal=st.booleans(),
    schedule=st.sampled_from(SCHEDULE_NAMES),
    schedule_gamma=st.floats(0.01, 1),
    schedule_epochs=st.integers(1, 20),
    record_every=st.integers(1, 5),
    max_history=st.integers(10, 50),
)


@SETTINGS
@given(cfg=valid_configs, steps=st.integers(1, 40))
def test_any_valid_config_trains_and_stays_finite(cfg, steps):
    run = pv.Run(cfg)
    run.step(steps)
    assert run.step_count == steps or run.diverged
    if run.diverged:
        assert run.step_count == run.diverged_at - 1 and str(run.diverged_at) in run.divergence_reason
    assert np.all(np.isfinite(run.theta))  # kept at the last finite step even when diverged
    h = run.history
    assert not np.isinf(h.to_numpy()).any()
    assert np.all(np.isfinite(h[["train_loss", "test_loss", "penalty"]].to_numpy()))
    assert h["step"].iloc[0] == 0
    # the current step is the last row unless its row is not finite: when not every step is recorded
    # (record_every > 1, or a thinned history) an overflow between records is only noticed by the next step
    assert h["step"].iloc[-1] == run.step_count or (h["step"].iloc[-1] < run.step_count and
                                                    (run.diverged or run._history.stride > 1))
    assert len(h) <= cfg.max_history + 1
    assert np.all(np.isfinite(run.trajectory.to_numpy()))
    out = run.predict(run.data.inputs_test)
    assert out.shape[0] == len(run.data.y_test)


def _invalid(rule: Num):
    lo, hi = rule.low, rule.high
    below = st.floats(max_value=lo, exclude_max=not rule.low_open, allow_nan=False)
    above = st.floats(min_value=hi, exclude_min=not rule.high_open, allow_nan=False)
    options = [below, above, st.just(math.nan), st.sampled_from([math.inf, -math.inf]),
               st.integers(max_value=math.ceil(lo) - 1), st.integers(min_value=math.floor(hi) + 1),
               st.integers(min_value=10**310), st.booleans(),
               st.floats(lo, hi).map(repr), st.floats(lo, hi).map(lambda x: [x])]
    if rule.integer:
        options.append(st.floats(lo, hi).filter(lambda x: not x.is_integer()))
    return st.one_of(*options)


NUMERIC = sorted(name for name, rule in FIELDS.items() if isinstance(rule, Num))
bad_values = st.sampled_from(NUMERIC).flatmap(lambda name: st.tuples(st.just(name), _invalid(FIELDS[name])))


@SETTINGS
@given(bad=bad_values)
def test_any_invalid_number_is_a_value_error_naming_the_field(bad):
    name, value = bad
    with pytest.raises(ValueError) as info:
        pv.TrainConfig(**{name: value})
    assert name in str(info.value)
    assert FIELDS[name].describe() in str(info.value)


@SETTINGS
@given(width=st.one_of(st.integers(max_value=0), st.integers(min_value=257),
                       st.floats(1.01, 255.99).filter(lambda w: not w.is_integer()), st.just(math.nan)),
       position=st.integers(0, 2))
def test_any_invalid_layer_width_is_a_value_error(width, position):
    layers = [4, 4, 4]
    layers[position] = width
    with pytest.raises(ValueError, match=rf"hidden_layers\[{position}\] must be a whole number in \[1, 256\]"):
        pv.TrainConfig(hidden_layers=layers)


@SETTINGS
@given(cfg=valid_configs, steps=st.integers(0, 15))
def test_reset_replays_any_run_exactly(cfg, steps):
    run = pv.Run(cfg).step(steps)
    theta, hist = run.theta, run.history
    run.reset().step(steps)
    np.testing.assert_array_equal(run.theta, theta)
    assert run.history.equals(hist)
