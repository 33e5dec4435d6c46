"""paramviz.ui.urls: studio links (ε only where an optimizer uses it, the lesson first, uneven layers), counts."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest

import paramviz as pv
from paramviz.config import OPTIMIZER_NAMES
from paramviz.optim import OptimizerSettings, make_optimizer
from paramviz.ui.urls import APPLIES_WHEN, NOT_IN_URL, applies, config_params, counted, studio_query, studio_url


def query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def test_eps_applies_to_exactly_the_optimizers_whose_step_depends_on_it():
    g, theta = np.array([[0.3, -2.0]]), np.zeros((1, 2))

    def direction(name: str, eps: float) -> np.ndarray:
        opt = make_optimizer(name, OptimizerSettings(0.9, 0.9, 0.999, 0.99, eps, 0.0, np.ones(2)))
        return opt.update(g, opt.init(theta), theta)[0]

    uses_eps = {name for name in OPTIMIZER_NAMES if not np.allclose(direction(name, 1e-8), direction(name, 1.0))}
    assert uses_eps == {"adagrad", "rmsprop", "adam", "adamw"}
    assert set(APPLIES_WHEN["eps"][1]) == uses_eps
    assert "eps" not in NOT_IN_URL


def test_eps_is_in_the_link_only_when_it_differs_from_that_optimizers_default():
    assert "eps" not in config_params(pv.TrainConfig(eps=None))
    assert "eps" not in config_params(pv.TrainConfig(eps=1e-8))  # adam's own default
    assert config_params(pv.TrainConfig(optimizer="adagrad", eps=1e-8))["eps"] == "1e-08"  # adagrad's is 1e-10
    assert "eps" not in config_params(pv.TrainConfig(optimizer="adagrad", eps=1e-10))
    assert query(studio_url(pv.TrainConfig(optimizer="rmsprop", eps=3e-7))) == {"optimizer": "rmsprop", "eps": "3e-07"}
    assert not applies("eps", pv.TrainConfig(optimizer="momentum", eps=1e-3))
    assert "eps" not in config_params(pv.TrainConfig(optimizer="momentum", eps=1e-3))


def test_lesson_comes_first_in_the_link_and_is_left_out_when_none():
    cfg = pv.TrainConfig(dataset="xor", hidden_layers=(), learning_rate=0.03)
    assert studio_query(cfg, lesson="xor-needs-hidden-layer", speed=10) == (
        "lesson=xor-needs-hidden-layer&dataset=xor&hidden_layers=none&learning_rate=0.03&speed=10")
    assert studio_url(cfg, lesson=None) == "/?dataset=xor&hidden_layers=none&learning_rate=0.03"
    assert studio_url(pv.TrainConfig(), lesson="lr-too-high") == "/?lesson=lr-too-high"


def test_uneven_layer_widths_are_kept_in_the_link():
    assert query(studio_url(pv.TrainConfig(hidden_layers=(8, 4, 2)))) == {"hidden_layers": "8,4,2"}


@pytest.mark.parametrize("n, words, text", [
    (1, ("weight",), "1 weight"), (88, ("weight",), "88 weights"), (0, ("trial",), "0 trials"),
    (1, ("bias", "biases"), "1 bias"), (17, ("bias", "biases"), "17 biases"), (1200, ("trial",), "1,200 trials"),
])
def test_counted_gives_the_noun_singular_or_plural(n, words, text):
    assert counted(n, *words) == text
