"""The Overfitting lab: five views of when and why a model overfits, each a tab. Every setting is a widget bound
to the URL (keys prefixed lab_), so a view can be shared as a link. A click on the capacity curve picks a model
to open in the studio; the regularization path, early-stopping and bias-variance views link theirs too."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

import paramviz as pv
from paramviz import lab
from paramviz.charts import lab as charts
from paramviz.ui.guard import guarded
from paramviz.ui.urls import FULL_BATCH, studio_url

CHART_CONFIG = {"displayModeBar": False, "scrollZoom": False}
STEP_CHOICES = (250, 500, 1000, 1500, 2000, 3000, 4000, 6000)
LR_CHOICES = (0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0)
LAMBDAS = tuple(float(f"{v:.3g}") for v in np.logspace(-5, 1, 19))  # 1e-5 ... 10, three per decade
REGRESSION = ("sine", "linear")
CAPACITY_DATASETS = ("sine", "linear", "moons", "circles", "xor", "spiral")
CAPACITY_KNOBS = {"polynomial degree": "poly_degree", "hidden width": "hidden_width", "hidden layers": "hidden_depth"}
CAPACITY_VALUES = {"poly_degree": tuple(range(1, 16)), "hidden_width": (1, 2, 4, 8, 16, 32, 64),
                   "hidden_depth": (0, 1, 2, 3, 4)}
# The lab's running example: 20 noisy points of sin(πx), 12 for training and 8 for testing.
FEW_POINTS = pv.TrainConfig(dataset="sine", n_samples=20, noise=0.3, test_fraction=0.4, seed=0, hidden_layers=(),
                            optimizer="adam", learning_rate=0.1, batch_size=FULL_BATCH)


def page() -> None:
    st.title("Overfitting lab")
    st.caption("Twenty noisy points of sin(πx) are enough to see it: a model with too much freedom fits the noise "
               "of its training points and does worse on new ones. Each tab shows it from another side; every "
               "setting is in the page's URL, so you can share exactly what you see.")
    views = {"Capacity": capacity_view, "Regularization path": regularization_view,
             "Learning curve": learning_curve_view, "Early stopping": early_stopping_view,
             "Bias-variance": bias_variance_view}
    tabs = st.tabs(list(views), key="lab_view", bind="query-params")
    for tab, view in zip(tabs, views.values()):
        with tab:
            if tab.open:
                guarded(view)


# ---- shared widgets: each bound to the URL under its key ---------------------------------------------------------

def slider(label: str, key: str, lo, hi, value, **kw):
    return st.slider(label, lo, hi, value, key=key, bind="query-params", **kw)


def choice(label: str, key: str, options, value, **kw):
    return st.select_slider(label, options=options, value=value, key=key, bind="query-params", **kw)


def selectbox(label: str, key: str, options, value, **kw):
    return st.selectbox(label, options, index=list(options).index(value), key=key, bind="query-params", **kw)


def data_ui(prefix: str, datasets=REGRESSION, n_samples: int = 20, noise: float = 0.3) -> dict[str, Any]:
    """Dataset, number of points, noise and the seed that draws them: the data part of a config."""
    c = st.columns(4)
    with c[0]:
        dataset = selectbox("Dataset", f"{prefix}_dataset", datasets, datasets[0])
    with c[1]:
        n = slider("Samples (train + test)", f"{prefix}_n", 10, 300, n_samples, step=2)
    with c[2]:
        noise = slider("Noise σ", f"{prefix}_noise", 0.0, 1.0, noise, step=0.05)
    with c[3]:
        seed = slider("Data seed", f"{prefix}_seed", 0, 50, 0, help="Draws other points from the same curve.")
    return {"dataset": dataset, "n_samples": n, "noise": noise, "seed": seed}


def studio_link(label: str, cfg: pv.TrainConfig, key: str) -> None:
    st.link_button(f"{label} ↗", studio_url(cfg), key=key, help="Opens the training studio with this model's "
                   "settings in a new tab: press Play there to watch its weights learn.")


def show(fig, key: str | None = None, **kw):
    return st.plotly_chart(fig, key=key, config=CHART_CONFIG, **kw)


@st.cache_data(max_entries=64, show_spinner=False)
def cached(fn_name: str, cfg: dict, **kwargs):
    """One lab computation, cached on its config dict and arguments (each view re-renders in milliseconds)."""
    return getattr(lab, fn_name)(pv.TrainConfig.from_dict(cfg), **kwargs)


def compute(fn_name: str, cfg: pv.TrainConfig, **kwargs):
    with st.spinner("Training…"):
        return cached(fn_name, cfg.to_dict(), **kwargs)


# ---- capacity ---------------------------------------------------------------------------------------------------

def capacity_view() -> None:
    st.markdown("**Capacity curve.** Train the same data with more and more capacity. The training loss keeps "
                "falling; the test loss falls, bottoms out, then climbs — the U of overfitting.")
    c = st.columns([2, 1, 1])
    with c[0]:
        knob = st.segmented_control("Capacity", list(CAPACITY_KNOBS), default="polynomial degree",
                                    key="lab_cap_knob", bind="query-params", wrap=True) or "polynomial degree"
    with c[1]:
        steps = choice("Steps", "lab_cap_steps", STEP_CHOICES, 2000)
    with c[2]:
        seeds = slider("Draws of the data", "lab_cap_seeds", 1, 9, 1, help="Repeat with other draws of the points "
                       "(data seeds from the one below): the line is the median, the band the middle half.")
    param = CAPACITY_KNOBS[knob]
    base = capacity_base(param).replace(**data_ui("lab_cap", CAPACITY_DATASETS))
    curve = compute("capacity_curve", base, param=param, values=CAPACITY_VALUES[param], steps=steps,
                    seeds=tuple(range(base.seed, base.seed + seeds)))
    event = show(charts.capacity_figure(curve, param), key="lab_cap_chart", on_select=pick_from_chart,
                 selection_mode="points")
    capacity_summary(curve, param)
    open_ui(curve, param, base, event)


def capacity_base(param: str) -> pv.TrainConfig:
    """Polynomial degree: a linear model on x, x², ..., x^d. Width and depth: a tanh network on x alone."""
    if param == "poly_degree":
        return FEW_POINTS
    return FEW_POINTS.replace(hidden_layers=(8,), activation="tanh", learning_rate=0.03)


def capacity_summary(curve: pd.DataFrame, param: str) -> None:
    best = curve[curve["best"]]
    if best.empty:
        st.warning("Every model diverged: lower the learning rate or the number of steps.")
        return
    b, last = best.iloc[0], curve.iloc[-1]
    label = charts.CAPACITY_LABELS[param]
    c = st.columns(3)
    c[0].metric(f"best {label}", int(b[param]))
    c[1].metric("its test loss", f"{b['final_test_loss']:.3g}")
    c[2].metric(f"test loss at {label} {int(last[param])}", f"{last['final_test_loss']:.3g}",
                **compared_with_best(last, b, charts.diverged(curve)[0].iloc[-1]))


def compared_with_best(last: pd.Series, best: pd.Series, last_diverged: bool) -> dict[str, Any]:
    """The delta of the largest model's metric: how many times the best test loss it has, or that it is the best
    (no overfitting within the range tried), or that it diverged."""
    if last_diverged:
        return {"delta": "diverged", "delta_color": "off", "delta_arrow": "off"}
    if last["best"]:
        return {"delta": "the best: no overfitting yet", "delta_color": "off", "delta_arrow": "off"}
    ratio = last["final_test_loss"] / best["final_test_loss"]
    return {"delta": f"{ratio:.2f}× the best" if ratio < 1.1 else f"{ratio:.1f}× the best", "delta_color": "inverse"}


def pick_from_chart() -> None:
    """A click on a point of the capacity chart selects that model in the 'open in studio' box."""
    points = st.session_state["lab_cap_chart"].selection.points
    if points:
        st.session_state["lab_cap_open"] = int(round(points[0]["x"]))


def open_ui(curve: pd.DataFrame, param: str, base: pv.TrainConfig, event) -> None:
    values = [int(v) for v in curve[param]]
    best = int(curve.loc[curve["best"], param].iloc[0]) if curve["best"].any() else values[0]
    if st.session_state.get("lab_cap_open") not in values:
        st.session_state["lab_cap_open"] = best
    c = st.columns([1, 2])
    with c[0]:
        value = st.selectbox(f"Model to open ({charts.CAPACITY_LABELS[param]})", values, key="lab_cap_open",
                             help="Or click a point on the chart.")
    with c[1]:
        st.write("")
        studio_link(f"Open {charts.CAPACITY_LABELS[param]} {value} in the studio",
                    lab.with_capacity(base, param, value), key="lab_cap_link")


# ---- regularization path ------------------------------------------------------------------------------------------

def regularization_view() -> None:
    st.markdown("**Regularization path.** The same degree-d polynomial trained with a penalty λ on its weights. "
                "L1 (with the proximal step, as ISTA and lasso solvers do) sets weights to **exactly zero** one "
                "by one as λ grows; L2 only shrinks them toward zero — none ever reaches it.")
    c = st.columns(4)
    with c[0]:
        degree = slider("Polynomial degree", "lab_reg_degree", 2, 15, 9)
    with c[1]:
        lr = choice("Learning rate (plain gradient descent)", "lab_reg_lr", LR_CHOICES, 0.15)
    with c[2]:
        steps = choice("Steps", "lab_reg_steps", STEP_CHOICES, 2000)
    with c[3]:
        lam = choice("λ range", "lab_reg_lambda", LAMBDAS, (1e-4, 1.0))
    proximal = st.checkbox("Proximal L1 step (soft-thresholding after each step)", value=True, key="lab_reg_prox",
                           bind="query-params", help="Off: plain subgradient descent, whose weights jitter around "
                           "zero without landing on it.")
    base = FEW_POINTS.replace(**data_ui("lab_reg"), poly_degree=degree, optimizer="sgd", learning_rate=lr)
    strengths = tuple(v for v in LAMBDAS if lam[0] <= v <= lam[1])
    paths = [compute("regularization_path", base, regularizer=r, strengths=strengths, steps=steps,
                     proximal=proximal) for r in ("l1", "l2")]
    failed = charts.diverged(*paths)  # as the chart marks them: infinite, or a loss that blew up
    note = divergence_note(dict(zip(("L1", "L2"), failed)), paths[0]["reg_strength"], lr, degree)
    if note:  # above the chart, where the learning rate was just changed: the chart itself is tall
        st.warning(note)
    show(charts.regularization_path_figure(paths, weight_labels(base)), key="lab_reg_chart")
    c = st.columns(4)
    for col, path, bad, name in zip(c, paths, failed, ("L1", "L2")):
        trained = path[~bad]
        if trained.empty:
            col.metric(f"{name}: most weights exactly 0", "—", "every model diverged", delta_color="off",
                       delta_arrow="off")
            continue
        most = trained.loc[trained["n_zero_weights"].idxmax()]
        where = f"at λ = {most['reg_strength']:.3g}" if most["n_zero_weights"] else "at every λ"
        col.metric(f"{name}: most weights exactly 0", f"{int(most['n_zero_weights'])} of {int(most['n_weights'])}",
                   where, delta_color="off", delta_arrow="off")
    for col, path, bad, name in zip(c[2:], paths, failed, ("L1", "L2")):
        b = best_lambda(path, bad)
        if b is not None:
            col.metric(f"{name}: best λ", f"{path['reg_strength'][b]:.3g}",
                       f"test loss {path['final_test_loss'][b]:.3g}", delta_color="off", delta_arrow="off")
    reg_open_ui(paths, failed, base, proximal)


def divergence_note(failed: dict[str, pd.Series], lambdas: pd.Series, lr: float, degree: int) -> str | None:
    """What to tell the student when some or all of the models on the path diverged (None if none did)."""
    if all(f.all() for f in failed.values()):
        return (f"Every model diverged: a learning rate of {lr:g} is too large for plain gradient descent on "
                f"degree-{degree} features. Lower it — the largest stable step shrinks as the degree grows.")
    where = [f"{name} at {lambdas_text(lambdas[f], len(f))}" for name, f in failed.items() if f.any()]
    if not where:
        return None
    return (f"Some models diverged ({'; '.join(where)}): a learning rate of {lr:g} is too large for them. They "
            "are marked ✕ at the top of the loss chart and left out of the weights; lower the learning rate to "
            "see the whole path.")


def lambdas_text(lambdas: pd.Series, n: int) -> str:
    if len(lambdas) == n:
        return "every λ"
    if len(lambdas) > 4:
        return f"{len(lambdas)} of {n} values of λ"
    return "λ = " + ", ".join(f"{v:.3g}" for v in lambdas)


def best_lambda(path: pd.DataFrame, failed: pd.Series) -> int | None:
    """Row of the lowest final test loss among the models that did not diverge (None if all diverged)."""
    ok = path["final_test_loss"].where(~failed)
    return int(ok.idxmin()) if ok.notna().any() else None


def weight_labels(cfg: pv.TrainConfig) -> dict[str, str]:
    """For a linear model, W1[k,0] is the weight of the k-th polynomial feature: name it so."""
    data = pv.prepare(pv.make_raw(cfg), cfg)
    return {f"W1[{k},0]": f"weight of {name}" for k, name in enumerate(data.features.names)}


def reg_open_ui(paths: list[pd.DataFrame], failed: list[pd.Series], base: pv.TrainConfig, proximal: bool) -> None:
    c = st.columns([1, 1, 2])
    with c[0]:
        reg = st.selectbox("Regularizer to open", ["l1", "l2"], key="lab_reg_open_reg")
    path, bad = (paths[0], failed[0]) if reg == "l1" else (paths[1], failed[1])
    best = best_lambda(path, bad)
    lambdas = [float(v) for v in path["reg_strength"]]
    with c[1]:
        lam = st.selectbox("λ to open", lambdas, index=best or 0, key="lab_reg_open_lam",
                           format_func=lambda v: f"{v:.3g}")
    with c[2]:
        st.write("")
        studio_link(f"Open {reg.upper()} with λ = {lam:.3g} in the studio",
                    base.replace(regularizer=reg, reg_strength=lam, proximal=proximal and reg == "l1"),
                    key="lab_reg_link")


# ---- learning curve ----------------------------------------------------------------------------------------------

def learning_curve_view() -> None:
    st.markdown("**Learning curve.** The same model trained on more and more points (tested on the same 200 "
                "fresh points). With few points it memorises them: train loss near zero, test loss high. More "
                "data closes the gap.")
    c = st.columns(4)
    with c[0]:
        degree = slider("Polynomial degree", "lab_lc_degree", 1, 15, 5)
    with c[1]:
        steps = choice("Steps", "lab_lc_steps", STEP_CHOICES, 1000)
    with c[2]:
        seeds = slider("Data seeds (median)", "lab_lc_seeds", 1, 8, 5)
    with c[3]:
        noise = slider("Noise σ", "lab_lc_noise", 0.0, 1.0, 0.3, step=0.05)
    sizes = (6, 10, 20, 40, 80, 160)
    base = FEW_POINTS.replace(poly_degree=degree, noise=noise)
    curve = compute("learning_curve", base, sizes=sizes, steps=steps, seeds=tuple(range(seeds)))
    show(charts.learning_curve_figure(curve), key="lab_lc_chart")
    first, last = curve.iloc[0], curve.iloc[-1]
    c = st.columns(3)
    c[0].metric(f"gap with {int(first['n_train'])} points", f"{first['gap']:.3g}")
    c[1].metric(f"gap with {int(last['n_train'])} points", f"{last['gap']:.3g}",
                f"{last['gap'] - first['gap']:+.3g}", delta_color="inverse")
    c[2].metric("noise floor σ²", f"{noise**2:.3g}", help="No model can beat the noise: the test loss of the true "
                "function itself.")


# ---- early stopping ----------------------------------------------------------------------------------------------

def early_stopping_view() -> None:
    st.markdown("**Early stopping.** Watch the test loss while training and stop when it has not improved for "
                "*patience* evaluations in a row, keeping the best weights seen. A cheap regularizer: fewer steps "
                "means the weights have less time to fit the noise.")
    c = st.columns(5)
    with c[0]:
        degree = slider("Polynomial degree", "lab_es_degree", 1, 15, 12)
    with c[1]:
        lr = choice("Learning rate (Adam)", "lab_es_lr", LR_CHOICES, 0.05)
    with c[2]:
        steps = choice("Steps", "lab_es_steps", STEP_CHOICES, 3000)
    with c[3]:
        batch = selectbox("Batch size", "lab_es_batch", ("full batch", "8", "4", "1"), "full batch")
    every = lab.record_every_for(steps)
    with c[4]:
        patience = slider("Patience (evaluations)", "lab_es_patience", 1, 100, 20,
                          help=f"The test loss is evaluated every {every} steps.")
    cfg = FEW_POINTS.replace(**data_ui("lab_es"), poly_degree=degree, learning_rate=lr,
                             batch_size=FULL_BATCH if batch == "full batch" else int(batch))
    history = compute("training_history", cfg, steps=steps)
    stop = lab.early_stopping(history, patience)
    show(charts.early_stopping_figure(history, stop), key="lab_es_chart")
    c = st.columns(4)
    c[0].metric("lowest test loss", f"{stop.best_test_loss:.3g}", f"at step {stop.best_step}", delta_color="off",
                delta_arrow="off")
    c[1].metric("stops at step", stop.stop_step if stop.stopped else "never",
                None if stop.stopped else "patience never ran out", delta_color="off", delta_arrow="off")
    c[2].metric("test loss kept", f"{stop.restored_test_loss:.3g}", f"weights of step {stop.restored_step}",
                delta_color="off", delta_arrow="off")
    c[3].metric("training to the end", f"{stop.final_test_loss:.3g}", f"{stop.saved:+.3g} vs early stopping",
                delta_color="inverse")
    studio_link("Open this model in the studio", cfg, key="lab_es_link")


# ---- bias–variance -----------------------------------------------------------------------------------------------

def keep_degree_shown() -> None:
    """A new highest degree changes the "Degree shown" slider's range, which would reset it: keep the degree
    shown, lowered to the new highest degree if it is above it."""
    shown = st.session_state.get("lab_bv_degree", 3)
    st.session_state["lab_bv_degree"] = min(shown, st.session_state["lab_bv_max"])


def bias_variance_view() -> None:
    st.markdown("**Bias–variance.** Draw a fresh training set many times, train the same model on each, and "
                "compare the fits with the true function f on a fixed grid of test points. The expected test "
                "error splits exactly into **bias²** (how far the *average* fit is from f), **variance** (how much "
                "the fits disagree) and **noise σ²** (what no model can remove).")
    c = st.columns(4)
    with c[0]:
        resamples = slider("Training sets drawn", "lab_bv_resamples", 5, 50, 30)
    with c[1]:
        steps = choice("Steps", "lab_bv_steps", STEP_CHOICES, 1500)
    with c[2]:
        max_degree = slider("Highest degree", "lab_bv_max", 3, 15, 10, on_change=keep_degree_shown)
    with c[3]:  # up to the highest degree: a link asking for more shows the default degree instead
        shown = slider("Degree shown", "lab_bv_degree", 1, max_degree, 3)
    base = FEW_POINTS.replace(**data_ui("lab_bv", n_samples=20), test_fraction=0.25)
    values = tuple(range(1, max_degree + 1))
    bv = compute("bias_variance", base, n_resamples=resamples, steps=steps, values=values)
    row = bv.summary[bv.summary["poly_degree"] == shown].iloc[0]
    c = st.columns(2)
    with c[0]:
        first = pv.prepare(pv.make_raw(base.replace(poly_degree=shown)), base.replace(poly_degree=shown))
        show(charts.bias_variance_fits_figure(bv, "poly_degree", shown,
                                              (first.inputs_train[:, 0], first.y_train)), key="lab_bv_fits")
    with c[1]:
        show(charts.bias_variance_bars_figure(bv.summary), key="lab_bv_bars")
    c = st.columns(4)
    c[0].metric(f"bias² (degree {shown})", f"{row['bias2']:.3g}")
    c[1].metric("variance", f"{row['variance']:.3g}")
    c[2].metric("noise σ²", f"{row['noise']:.3g}")
    c[3].metric("expected test error", f"{row['expected_error']:.3g}",
                f"= {row['bias2']:.3g} + {row['variance']:.3g} + {row['noise']:.3g}", delta_color="off",
                delta_arrow="off")
    studio_link(f"Open degree {shown} in the studio", base.replace(poly_degree=shown), key="lab_bv_link")
