"""TrainConfig validation: every bad value raises ValueError naming the field and its allowed range."""

from __future__ import annotations

import math

import numpy as np
import pytest

import paramviz as pv
from paramviz.config import FIELDS, field_names


def raises_naming(field: str, range_text: str | None = None, **kwargs):
    with pytest.raises(ValueError) as info:
        pv.TrainConfig(**kwargs)
    msg = str(info.value)
    assert field in msg
    if range_text is not None:
        assert range_text in msg
    return msg


def test_defaults_are_valid_and_normalised():
    cfg = pv.TrainConfig()
    assert cfg.dataset == "moons"
    assert cfg.hidden_layers == (8, 8)
    assert cfg.learning_rate == 0.01 and isinstance(cfg.learning_rate, float)
    assert cfg.n_train + cfg.n_test == cfg.n_samples == 200
    assert cfg.n_test == 60


def test_numpy_scalars_and_lists_are_converted_to_plain_values():
    cfg = pv.TrainConfig(n_samples=np.int64(50), learning_rate=np.float32(0.5), hidden_layers=[3, np.int64(2)])
    assert type(cfg.n_samples) is int and cfg.n_samples == 50
    assert type(cfg.learning_rate) is float and cfg.learning_rate == 0.5
    assert cfg.hidden_layers == (3, 2) and all(type(w) is int for w in cfg.hidden_layers)


def test_whole_float_is_accepted_for_integer_field():
    assert pv.TrainConfig(batch_size=16.0).batch_size == 16


@pytest.mark.parametrize("field", ["learning_rate", "noise", "reg_strength", "momentum", "n_samples", "seed",
                                   "batch_size", "test_fraction", "l1_ratio", "beta1", "weight_decay", "eps"])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_rejected(field, bad):
    msg = raises_naming(field, **{field: bad})
    assert FIELDS[field].describe() in msg


@pytest.mark.parametrize("lr", [0, 0.0, -0.1, -5])
def test_learning_rate_must_be_positive(lr):
    raises_naming("learning_rate", "(0, 100]", learning_rate=lr)


def test_learning_rate_upper_bound():
    raises_naming("learning_rate", "(0, 100]", learning_rate=100.5)
    assert pv.TrainConfig(learning_rate=100).learning_rate == 100.0


@pytest.mark.parametrize("bs", [0, -1, 2.5])
def test_batch_size_must_be_a_whole_number_at_least_one(bs):
    raises_naming("batch_size", "[1, 100000]", batch_size=bs)


@pytest.mark.parametrize("field", ["dataset", "optimizer", "activation", "regularizer", "init", "schedule"])
def test_unknown_choice_names_field_and_options(field):
    msg = raises_naming(field, **{field: "nope"})
    assert "'nope'" in msg
    for option in FIELDS[field].options:
        assert option in msg


def test_choice_must_be_a_string():
    raises_naming("optimizer", "sgd", optimizer=3)


def test_negative_noise_rejected():
    raises_naming("noise", "[0, 10]", noise=-0.01)


@pytest.mark.parametrize("tf", [0, 0.0, 1, 1.0, -0.2, 1.5])
def test_test_fraction_must_be_strictly_between_0_and_1(tf):
    raises_naming("test_fraction", "(0, 1)", test_fraction=tf)


@pytest.mark.parametrize("n", [9, 0, -10, 100_001])
def test_n_samples_range(n):
    raises_naming("n_samples", "[10, 100000]", n_samples=n)


def test_n_samples_bounds_are_inclusive():
    assert pv.TrainConfig(n_samples=10).n_samples == 10
    assert pv.TrainConfig(n_samples=100_000).n_samples == 100_000


@pytest.mark.parametrize("width", [0, -1, 257, 3.5, "8", None, True])
def test_layer_width_range(width):
    msg = raises_naming("hidden_layers[1]", "[1, 256]", hidden_layers=(4, width))
    assert "whole number" in msg


def test_at_most_six_hidden_layers():
    assert pv.TrainConfig(hidden_layers=(2,) * 6).hidden_layers == (2,) * 6
    raises_naming("hidden_layers", "0 to 6", hidden_layers=(2,) * 7)


@pytest.mark.parametrize("layers", ["8,8", 8, None, b"\x08", {4: 1}, {4, 8}, (w for w in (4, 4))])
def test_hidden_layers_must_be_a_list(layers):
    msg = raises_naming("hidden_layers", "a list of 0 to 6 widths", hidden_layers=layers)
    assert f"got {type(layers).__name__} " in msg


@pytest.mark.parametrize("layers", [[4, 2], (4, 2), np.array([4, 2]), range(4, 1, -2)])
def test_hidden_layers_may_be_any_sequence(layers):
    assert pv.TrainConfig(hidden_layers=layers).hidden_layers == (4, 2)


def test_no_hidden_layers_is_a_valid_linear_model():
    assert pv.TrainConfig(hidden_layers=()).hidden_layers == ()


@pytest.mark.parametrize("field", ["momentum", "beta1", "beta2", "rho"])
@pytest.mark.parametrize("bad", [1.0, 1, 1.2, -0.1])
def test_decay_rates_must_be_in_zero_one_half_open(field, bad):
    raises_naming(field, "[0, 1)", **{field: bad})


@pytest.mark.parametrize("field", ["momentum", "beta1", "beta2", "rho"])
def test_decay_rate_zero_is_allowed(field):
    assert getattr(pv.TrainConfig(**{field: 0.0}), field) == 0.0


@pytest.mark.parametrize("field", ["reg_strength", "seed", "init_seed", "weight_decay"])
def test_negative_values_rejected(field):
    raises_naming(field, "[0, ", **{field: -1})


def test_seed_range_states_the_exact_upper_bound():
    top = 2**32 - 1
    assert pv.TrainConfig(seed=top).seed == top
    raises_naming("seed", f"[0, {top}]", seed=top + 1)


@pytest.mark.parametrize("ratio", [-0.01, 1.01, 2])
def test_l1_ratio_must_be_in_unit_interval(ratio):
    raises_naming("l1_ratio", "[0, 1]", l1_ratio=ratio)


def test_l1_ratio_endpoints_allowed():
    assert pv.TrainConfig(l1_ratio=0).l1_ratio == 0.0
    assert pv.TrainConfig(l1_ratio=1).l1_ratio == 1.0


@pytest.mark.parametrize("field", ["learning_rate", "batch_size", "noise", "seed", "momentum"])
@pytest.mark.parametrize("bad", ["0.1", "3", b"1", [0.1], None])
def test_string_or_container_where_a_number_belongs(field, bad):
    raises_naming(field, FIELDS[field].describe(), **{field: bad})


@pytest.mark.parametrize("field", ["learning_rate", "batch_size", "n_samples", "seed", "l1_ratio"])
@pytest.mark.parametrize("bad", [True, False, np.bool_(True)])
def test_bool_where_a_number_belongs(field, bad):
    raises_naming(field, **{field: bad})


@pytest.mark.parametrize("field", ["scale_inputs", "proximal"])
@pytest.mark.parametrize("bad", [1, 0, "yes", None])
def test_flags_must_be_booleans(field, bad):
    raises_naming(field, "true or false", **{field: bad})


@pytest.mark.parametrize("field", ["seed", "learning_rate", "n_samples", "batch_size"])
def test_huge_integer_is_a_value_error_not_an_overflow(field):
    raises_naming(field, FIELDS[field].describe(), **{field: 10**400})


def test_huge_integer_layer_width_is_a_value_error():
    raises_naming("hidden_layers[0]", "[1, 256]", hidden_layers=[10**400])


def test_complex_number_rejected():
    raises_naming("learning_rate", learning_rate=1j)


def test_from_dict_round_trips_to_dict():
    cfg = pv.TrainConfig(dataset="xor", hidden_layers=(4, 3), optimizer="rmsprop", init_seed=7, eps=1e-6)
    d = cfg.to_dict()
    assert d["hidden_layers"] == [4, 3]
    assert set(d) == set(field_names())
    assert pv.TrainConfig.from_dict(d) == cfg


def test_from_dict_rejects_unknown_field():
    with pytest.raises(ValueError, match="unknown config field.*learnin_rate"):
        pv.TrainConfig.from_dict({"learnin_rate": 0.1})


def test_from_dict_rejects_non_dict():
    with pytest.raises(ValueError, match="JSON object"):
        pv.TrainConfig.from_dict([("learning_rate", 0.1)])


def test_from_dict_validates_values():
    with pytest.raises(ValueError, match=r"learning_rate must be a number in \(0, 100\]"):
        pv.TrainConfig.from_dict({"learning_rate": "0.1"})


def test_replace_rejects_unknown_field_and_validates():
    cfg = pv.TrainConfig()
    with pytest.raises(ValueError, match="unknown config field.*bogus"):
        cfg.replace(bogus=1)
    with pytest.raises(ValueError, match=r"batch_size must be a whole number in \[1, 100000\]"):
        cfg.replace(batch_size=0)
    new = cfg.replace(learning_rate=0.5)
    assert new.learning_rate == 0.5 and cfg.learning_rate == 0.01


def test_run_overrides_go_through_validation():
    with pytest.raises(ValueError, match="unknown config field.*nope"):
        pv.Run(pv.TrainConfig(dataset="linear", n_samples=20), nope=1)
    with pytest.raises(ValueError, match="learning_rate"):
        pv.Run(pv.TrainConfig(dataset="linear", n_samples=20), learning_rate=-1)


def test_config_is_frozen():
    cfg = pv.TrainConfig()
    with pytest.raises(AttributeError):
        cfg.learning_rate = 1.0


def test_every_field_in_table_is_a_config_field():
    assert set(FIELDS) <= set(field_names())
