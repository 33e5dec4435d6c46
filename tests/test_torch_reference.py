"""paramviz against torch.optim: the same tiny MLP from the same initial weights, trained on the same minibatches,
ends at the same parameters (to ~1e-10 relative) for every optimizer, loss and regularizer."""

from __future__ import annotations

import numpy as np
import pytest

import paramviz as pv

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # tiny tensors: threads only add overhead on a shared 2-core machine

STEPS = 40
TORCH_ACT = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid, "elu": torch.nn.functional.elu,
             "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.01), "linear": lambda z: z}


def make_run(optimizer="sgd", batch_size=10, dataset="moons", **kw):
    cfg = dict(dataset=dataset, n_samples=60, noise=0.2, hidden_layers=(5, 3), activation="tanh", init="glorot",
               optimizer=optimizer, learning_rate=0.05, batch_size=batch_size, n_classes=3, seed=7)
    cfg.update(kw)
    return pv.Run(pv.TrainConfig(**cfg))


def record_batches(run):
    """Wrap Run._next_batch so the exact minibatch index sequence can be fed to torch."""
    seen, original = [], run._next_batch

    def spy():
        idx = original()
        seen.append((idx.copy(), run.epoch))
        return idx
    run._next_batch = spy
    return seen


def torch_params(run):
    """One leaf tensor per paramviz array, torch layout: Linear weights are (out, in) = Wᵀ."""
    out = {}
    for name, value in run.layout.unflatten(run.initial_theta).items():
        t = torch.tensor(value.T.copy() if name[0] == "W" else value.copy(), dtype=torch.float64)
        out[name] = t.requires_grad_(True)
    return out


def torch_forward(P, X, act, n_layers):
    A = X
    for layer in range(1, n_layers + 1):
        A = A @ P[f"W{layer}"].T + P[f"b{layer}"]
        if layer < n_layers:
            A = TORCH_ACT[act](A)
    return A


def torch_loss(task, Z, y):
    if task == "regression":
        return torch.nn.functional.mse_loss(Z[:, 0], y)
    if task == "binary":
        return torch.nn.functional.binary_cross_entropy_with_logits(Z[:, 0], y)
    return torch.nn.functional.cross_entropy(Z, y)


def torch_optimizer(cfg, weights, biases):
    name, lr = cfg.optimizer, cfg.learning_rate
    params = weights + biases
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=cfg.momentum)
    if name == "nesterov":
        return torch.optim.SGD(params, lr=lr, momentum=cfg.momentum, nesterov=True)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=cfg.rho)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(cfg.beta1, cfg.beta2))
    if name == "adamw":
        return torch.optim.AdamW([{"params": weights, "weight_decay": cfg.weight_decay},
                                  {"params": biases, "weight_decay": 0.0}], lr=lr, betas=(cfg.beta1, cfg.beta2))
    raise AssertionError(name)


def torch_scheduler(cfg, opt):
    if cfg.schedule == "step":
        return torch.optim.lr_scheduler.StepLR(opt, step_size=cfg.schedule_epochs, gamma=cfg.schedule_gamma)
    if cfg.schedule == "exponential":
        return torch.optim.lr_scheduler.ExponentialLR(opt, gamma=cfg.schedule_gamma)
    if cfg.schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg.schedule_epochs)
    return None


def train_in_torch(run, batches):
    cfg, data = run.cfg, run.data
    X = torch.tensor(data.X_train, dtype=torch.float64)
    y = torch.tensor(data.y_train, dtype=torch.float64 if data.task != "multiclass" else torch.int64)
    P = torch_params(run)
    weights = [P[n] for n in run.layout.names if n[0] == "W"]
    biases = [P[n] for n in run.layout.names if n[0] == "b"]
    opt = torch_optimizer(cfg, weights, biases)
    sched = torch_scheduler(cfg, opt)
    c1, c2 = pv.REGULARIZERS[cfg.regularizer](cfg.reg_strength, cfg.l1_ratio)
    epoch = 0
    for idx, epoch_after in batches:
        rows = torch.as_tensor(idx) if len(idx) < len(data.y_train) else torch.arange(len(data.y_train))
        opt.zero_grad()
        loss = torch_loss(data.task, torch_forward(P, X[rows], cfg.activation, run.layout.n_layers), y[rows])
        loss = loss + c1 * sum(w.abs().sum() for w in weights) + c2 * sum((w * w).sum() for w in weights)
        loss.backward()
        opt.step()
        if epoch_after > epoch and sched is not None:
            sched.step()
        epoch = epoch_after
    return {n: (t.detach().numpy().T if n[0] == "W" else t.detach().numpy()) for n, t in P.items()}


def assert_same_as_torch(run, steps=STEPS):
    batches = record_batches(run)
    run.step(steps)
    assert len(batches) == steps and not run.diverged
    expected = train_in_torch(run, batches)
    moved = 0.0
    for name, value in run.params.items():
        np.testing.assert_allclose(value, expected[name], rtol=1e-10, atol=1e-12, err_msg=name)
        moved = max(moved, np.abs(value - run.layout.unflatten(run.initial_theta)[name]).max())
    assert moved > 1e-3  # the parameters really trained


OPTIMIZERS = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("batch_size", [1000, 11])
def test_optimizer_matches_torch(optimizer, batch_size):
    assert_same_as_torch(make_run(optimizer, batch_size, weight_decay=0.1))


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("regularizer", ["l2", "l1", "elasticnet"])
def test_regularized_training_matches_torch(optimizer, regularizer):
    assert_same_as_torch(make_run(optimizer, 16, regularizer=regularizer, reg_strength=0.02, l1_ratio=0.3))


@pytest.mark.parametrize("dataset", ["ripple", "blobs"])
@pytest.mark.parametrize("optimizer", ["momentum", "adam", "rmsprop"])
def test_regression_and_multiclass_losses_match_torch(dataset, optimizer):
    assert_same_as_torch(make_run(optimizer, 12, dataset=dataset, regularizer="l2", reg_strength=0.01))


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "elu", "leaky_relu", "linear"])
def test_activations_match_torch(activation):
    assert_same_as_torch(make_run("adam", 9, activation=activation))


@pytest.mark.parametrize("schedule", ["step", "exponential", "cosine"])
def test_learning_rate_schedules_match_torch(schedule):
    # cosine: paramviz anneals to 0 over schedule_epochs and stays there, while torch's CosineAnnealingLR rises
    # again after T_max, so compare it over one annealing period (10 epochs of a 10-epoch schedule)
    period = 10 if schedule == "cosine" else 3
    run = make_run("momentum", 14, learning_rate=0.1, schedule=schedule, schedule_gamma=0.7, schedule_epochs=period)
    assert run.steps_per_epoch == 3  # 42 training points
    assert_same_as_torch(run, steps=30)
    assert run.epoch == 10


def test_adam_with_custom_betas_and_eps_matches_torch():
    run = make_run("adam", 1000, beta1=0.5, beta2=0.9, eps=1e-3)
    batches = record_batches(run)
    run.step(STEPS)
    cfg = run.cfg
    P = torch_params(run)
    opt = torch.optim.Adam(list(P.values()), lr=cfg.learning_rate, betas=(0.5, 0.9), eps=1e-3)
    X = torch.tensor(run.data.X_train)
    y = torch.tensor(run.data.y_train, dtype=torch.float64)
    for _ in batches:
        opt.zero_grad()
        torch_loss("binary", torch_forward(P, X, cfg.activation, run.layout.n_layers), y).backward()
        opt.step()
    np.testing.assert_allclose(run.params["W2"], P["W2"].detach().numpy().T, rtol=1e-10)
