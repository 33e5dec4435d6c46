"""Hyperparameter search: grid or random search over a few hyperparameters, trained side by side by pv.sweep;
the results as a sortable table, a heatmap, parallel coordinates and studio links; and grid vs random search at
the same budget. A search runs in a background thread the page polls, so Cancel always answers at once."""

from __future__ import annotations

import threading
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import streamlit as st

import paramviz as pv
from paramviz.charts import search as charts
from paramviz.config import ACTIVATION_NAMES, FIELDS, OPTIMIZER_NAMES, REGULARIZER_NAMES
from paramviz.sweeps import ARCHITECTURE_KEYS, DEFAULT_REG_STRENGTH, regularizer_strength
from paramviz.ui.guard import guarded
from paramviz.ui.urls import FULL_BATCH, counted, parse_layers, studio_url

CHART_CONFIG = {"displayModeBar": False, "scrollZoom": False}
MAX_UI_TRIALS = 400  # the page's budget: a class's laptops share the server
MAX_UI_WORK = 2_000_000  # trials × steps
POLL_S = 0.5  # seconds between progress updates while a search runs
BIND = "query-params"


class Dimension(NamedTuple):
    """A hyperparameter the search can vary: how its values are entered for a grid and drawn at random."""

    label: str
    kind: str  # "log" (numbers, log-spaced), "int" (whole numbers) or "choice" (names)
    grid: str | tuple[str, ...]  # default grid values: "0.001, 0.01" or the default choices
    low: float = 0.0  # default random range
    high: float = 1.0
    options: tuple[str, ...] = ()


DIMENSIONS: dict[str, Dimension] = {
    "learning_rate": Dimension("learning rate", "log", "0.001, 0.01, 0.1, 1", 1e-4, 1.0),
    "batch_size": Dimension("batch size", "int", "8, 32, 128", 4, 256),
    "reg_strength": Dimension("regularization strength λ", "log", "0.0001, 0.001, 0.01, 0.1", 1e-5, 1.0),
    "regularizer": Dimension("regularizer", "choice", ("none", "l1", "l2"), options=REGULARIZER_NAMES),
    "optimizer": Dimension("optimizer", "choice", ("sgd", "momentum", "adam"), options=OPTIMIZER_NAMES),
    "activation": Dimension("activation", "choice", ("relu", "tanh"), options=ACTIVATION_NAMES),
    "hidden_width": Dimension("neurons per hidden layer", "int", "2, 8, 32", 1, 64),
    "hidden_depth": Dimension("hidden layers", "int", "1, 2, 3", 0, 4),
    "poly_degree": Dimension("polynomial degree", "int", "1, 3, 5, 9", 1, 15),
}
LIMITS = {**FIELDS, **ARCHITECTURE_KEYS}  # the values the sweep accepts for each dimension
DATASETS = ("moons", "circles", "xor", "spiral", "gaussians", "blobs", "sine", "linear", "ripple")


class Search(NamedTuple):
    """What the user asked for: a base config, the space over it and the budget."""

    base: pv.TrainConfig
    space: dict[str, Any]
    method: str  # "grid" | "random"
    steps: int
    n_trials: int | None
    seed: int

    @property
    def dims(self) -> list[str]:
        return list(self.space)

    def planned(self) -> int:
        if self.method == "random":
            return int(self.n_trials)
        return int(np.prod([len(v) for v in self.space.values()]))


def page() -> None:
    st.title("Hyperparameter search")
    st.caption("Hyperparameters are the settings you choose before training. A search trains many models with "
               "different settings — side by side, all at once — and compares them on the test data.")
    tabs = st.tabs(["Search", "Grid vs random"], key="search_view", bind=BIND)
    with tabs[0]:
        if tabs[0].open:
            guarded(search_view)
    with tabs[1]:
        if tabs[1].open:
            guarded(grid_vs_random_view)


# ---- the search ----------------------------------------------------------------------------------------------

def search_view() -> None:
    collect_finished_job()
    left, right = st.columns([1.4, 2], gap="large")  # the settings column fits its labels on a 1280 screen
    with left:
        search, problems = search_ui()
        for problem in problems:
            st.error(problem)
        launch_ui(search if not problems else None)
    with right:
        if "search_error" in st.session_state:
            st.error(f"The search stopped: {st.session_state['search_error']}")
        job = st.session_state.get("search_job")
        if job is not None:
            st.fragment(job_panel, run_every=POLL_S)()
        results = st.session_state.get("search_results")
        if results is not None:
            results_ui(results)
        elif job is None:
            st.info("Choose what to vary on the left and press **Run search**. Results stay here while you "
                    "change settings or visit other pages.")


def search_ui() -> tuple[Search | None, list[str]]:
    """The search's settings; returns (search, []) or (None, the problems, each naming its field)."""
    problems: list[str] = []
    base = base_ui(problems)
    method = st.segmented_control("Method", ["grid", "random"], default="grid", key="search_method", bind=BIND)
    method = method or "grid"
    dims = st.multiselect("Hyperparameters to vary", list(DIMENSIONS), default=["learning_rate", "hidden_width"],
                          format_func=lambda d: DIMENSIONS[d].label, key="search_dims", bind=BIND, max_selections=4,
                          wrap=True)
    if not dims:
        problems.append("hyperparameters to vary: choose at least one.")
    space = {d: dimension_ui(d, method, problems) for d in dims}
    c = st.columns(3)
    steps = c[0].number_input("Steps per trial", 10, 20_000, 300, step=100, key="search_steps", bind=BIND)
    n_trials = c[1].number_input("Trials (random)", 1, MAX_UI_TRIALS, 20, key="search_trials", bind=BIND,
                                 disabled=method == "grid")
    seed = c[2].number_input("Seed", 0, 2**31 - 1, 0, key="search_seed", bind=BIND,
                             help="Seeds the random draws of a random search.")
    if base is None or problems:
        return None, problems
    if "reg_strength" in space and base.regularizer == "none" and "regularizer" not in space:
        base = base.replace(regularizer="l2")
        st.caption("λ needs a regularizer: the base model uses L2.")
    if "regularizer" in space and "reg_strength" not in space:
        regularized_caption(space["regularizer"], base)
    search = Search(base, space, method, int(steps), int(n_trials) if method == "random" else None, int(seed))
    problems += budget_problems(search)
    return (search, []) if not problems else (None, problems)


def base_ui(problems: list[str]) -> pv.TrainConfig | None:
    """The model every trial starts from, in a compact expander; its one-line summary is always visible."""
    with st.expander("Base model (what the trials share)", expanded=False):
        c = st.columns(2)
        dataset = c[0].selectbox("Dataset", DATASETS, key="search_dataset", bind=BIND)
        n = c[1].number_input("Samples", 20, 5000, 200, step=20, key="search_n", bind=BIND)
        noise = c[0].number_input("Noise", 0.0, 2.0, 0.2, step=0.05, key="search_noise", bind=BIND)
        layers = c[1].text_input("hidden layers", "8", key="search_layers", bind=BIND,
                                 help="Widths separated by commas, e.g. 8,8; none for a linear model.")
        activation = c[0].selectbox("Activation", ACTIVATION_NAMES, index=1, key="search_act", bind=BIND)
        optimizer = c[1].selectbox("Optimizer", OPTIMIZER_NAMES, index=OPTIMIZER_NAMES.index("adam"),
                                   key="search_opt", bind=BIND)
        lr = c[0].number_input("Learning rate", 1e-6, 10.0, 0.03, format="%g", key="search_lr", bind=BIND)
        batch = c[1].number_input("Batch size (0 = full batch)", 0, 5000, 32, key="search_batch", bind=BIND)
        degree = c[0].number_input("Polynomial degree", 1, 15, 1, key="search_degree", bind=BIND)
        regularizer = c[1].selectbox("Regularizer", REGULARIZER_NAMES, key="search_reg", bind=BIND)
    try:
        base = pv.TrainConfig(dataset=dataset, n_samples=int(n), noise=float(noise), hidden_layers=parse_layers(layers),
                              activation=activation, optimizer=optimizer, learning_rate=float(lr),
                              batch_size=FULL_BATCH if batch == 0 else int(batch), poly_degree=int(degree),
                              regularizer=regularizer,
                              reg_strength=DEFAULT_REG_STRENGTH if regularizer != "none" else 0.0)
    except ValueError as e:
        problems.append(f"Base model: {e}")
        return None
    st.caption(f"Base: {describe(base)}")
    return base


def describe(cfg: pv.TrainConfig) -> str:
    layers = ",".join(map(str, cfg.hidden_layers)) or "no hidden layer"
    batch = "full batch" if cfg.batch_size >= FULL_BATCH else f"batch {cfg.batch_size}"
    penalty = f"{cfg.regularizer} λ {cfg.reg_strength:g}" if cfg.regularizer != "none" else "no regularizer"
    return (f"{cfg.dataset} · {cfg.n_samples} samples · {layers} {cfg.activation} · degree {cfg.poly_degree} · "
            f"{cfg.optimizer} lr {cfg.learning_rate:g} · {batch} · {penalty}")


def regularized_caption(regularizers: list[str], base: pv.TrainConfig) -> None:
    """A regularizer searched without λ: say which λ the sweep gives the regularized trials."""
    regularized = [r for r in regularizers if r != "none"]
    if regularized:
        st.caption(f"No λ dimension: {', '.join(regularized)} train with λ = {regularizer_strength(base):g} "
                   "(the results' reg_strength column).")


def sentence(label: str) -> str:
    """A dimension's label as a widget label: 'learning rate' → 'Learning rate'."""
    return label[:1].upper() + label[1:]


def dimension_ui(name: str, method: str, problems: list[str]) -> Any:
    """One dimension's values: a list (grid), a range (random), or a choice of names (both)."""
    dim = DIMENSIONS[name]
    if dim.kind == "choice":
        chosen = st.multiselect(sentence(dim.label), dim.options, default=list(dim.grid), key=f"search_{name}",
                                bind=BIND)
        if not chosen:
            problems.append(f"{name}: choose at least one value.")
        return chosen
    if method == "grid":
        text = st.text_input(f"{sentence(dim.label)}: values", dim.grid, key=f"search_{name}_values", bind=BIND,
                             help="Numbers separated by commas.")
        try:
            return parse_values(name, text)
        except ValueError as e:
            problems.append(str(e))
            return []
    c = st.columns(2)
    if dim.kind == "int":  # whole numbers: an integer input (value, step and format all ints)
        lo = c[0].number_input(f"{sentence(dim.label)}: from", value=int(dim.low), step=1, key=f"search_{name}_low",
                               bind=BIND)
        hi = c[1].number_input("To", value=int(dim.high), step=1, key=f"search_{name}_high", bind=BIND)
    else:
        lo = c[0].number_input(f"{sentence(dim.label)}: from", value=float(dim.low), format="%g",
                               key=f"search_{name}_low", bind=BIND)
        hi = c[1].number_input("To", value=float(dim.high), format="%g", key=f"search_{name}_high", bind=BIND)
    return value_range(name, lo, hi, problems)


def parse_values(name: str, text: str) -> list:
    """ "0.001, 0.01" → [0.001, 0.01] (whole numbers for whole-number fields); ValueError naming the field."""
    kind = DIMENSIONS[name].kind
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    if not parts:
        raise ValueError(f"{name}: give at least one value, e.g. {DIMENSIONS[name].grid}")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ValueError(f"{name}: {text!r} is not a list of numbers separated by commas") from None
    if kind == "int":
        if any(v != int(v) for v in values):
            raise ValueError(f"{name} must be whole numbers; got {text!r}")
        values = [int(v) for v in values]
    if kind == "log" and any(v <= 0 for v in values):
        raise ValueError(f"{name} must be numbers above 0; got {text!r}")
    for v in values:
        LIMITS[name].check(name, v)  # the sweep's own limits, so a bad value never waits for Run to fail
    return list(dict.fromkeys(values))


def value_range(name: str, lo: float, hi: float, problems: list[str]):
    dim = DIMENSIONS[name]
    if not lo < hi:
        problems.append(f"{name}: 'from' must be below 'to'; got {lo:g} and {hi:g}.")
        return None
    try:
        for end in (lo, hi):
            LIMITS[name].check(name, end)
    except ValueError as e:
        problems.append(f"{e}.")
        return None
    if dim.kind == "log":
        if lo <= 0:
            problems.append(f"{name}: a log range needs 'from' above 0; got {lo:g}.")
            return None
        return pv.LogUniform(lo, hi)
    return pv.IntUniform(int(lo), int(hi))


def budget_problems(search: Search) -> list[str]:
    n = search.planned()
    if n > MAX_UI_TRIALS:
        return [f"trials: this search has {n} trials; at most {MAX_UI_TRIALS} are allowed here (use fewer values "
                "or a random search)."]
    if n * search.steps > MAX_UI_WORK:
        return [f"steps per trial: {n} trials × {search.steps} steps is more than {MAX_UI_WORK:,} steps in all; "
                "use fewer steps or trials."]
    return []


def launch_ui(search: Search | None) -> None:
    running = st.session_state.get("search_job") is not None
    if search is not None:
        st.caption(f"{search.method.capitalize()} search: **{search.planned()} trials** × {search.steps} steps")
    st.button("Run search", type="primary", key="search_run", disabled=search is None or running,
              on_click=start_job, args=(search,))


# ---- running in the background ----------------------------------------------------------------------------------

class SearchJob:
    """A search running in a background thread. The thread never calls streamlit: it writes `progress` and the
    outcome, and the page polls them. Setting `cancel` makes the sweep's progress callback return False."""

    def __init__(self, search: Search):
        self.search = search
        self.progress = (0.0, 0, search.planned(), 0.0)  # fraction, trials done, trials, seconds
        self.cancel, self.done = threading.Event(), threading.Event()
        self.table: pd.DataFrame | None = None
        self.error: str | None = None
        self.cancelled = False
        self.thread = threading.Thread(target=self._run, name="paramviz-search", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        s = self.search
        try:
            self.table = pv.sweep(s.base, s.space, method=s.method, steps=s.steps, n_trials=s.n_trials, seed=s.seed,
                                  progress=self._report)
        except pv.SweepCancelled as e:
            self.table, self.cancelled = e.partial, True
        except Exception as e:  # shown on the page, not raised in a thread nobody watches
            self.error = f"{e}" if isinstance(e, ValueError) else f"{type(e).__name__}: {e}"
        finally:
            self.done.set()

    def _report(self, fraction: float, trials_done: int, n_trials: int, seconds: float) -> bool:
        self.progress = (fraction, trials_done, n_trials, seconds)
        return not self.cancel.is_set()


def start_job(search: Search | None) -> None:
    if search is not None and st.session_state.get("search_job") is None:
        st.session_state.pop("search_error", None)
        st.session_state["search_job"] = SearchJob(search)


def collect_finished_job() -> None:
    """Move a finished job's outcome into the session's results (they survive reruns and page changes)."""
    job = st.session_state.get("search_job")
    if job is None or not job.done.is_set():
        return
    del st.session_state["search_job"]
    if job.error is not None:
        st.session_state["search_error"] = job.error
        return
    st.session_state.pop("search_error", None)
    st.session_state["search_results"] = {"search": job.search, "table": job.table, "cancelled": job.cancelled,
                                          "seconds": job.progress[3], "planned": job.search.planned()}


def job_panel() -> None:
    """Progress and the Cancel button, redrawn every POLL_S seconds while the search runs."""
    job = st.session_state.get("search_job")
    if job is None:
        return
    if job.done.is_set():
        st.rerun(scope="app")
    fraction, done, n, seconds = job.progress
    st.progress(min(max(fraction, 0.0), 1.0), text=progress_text(fraction, done, n, seconds, job.cancel.is_set()))
    st.button("Cancel", key="search_cancel", on_click=job.cancel.set, disabled=job.cancel.is_set())


def progress_text(fraction: float, done: int, n: int, seconds: float, cancelling: bool) -> str:
    if cancelling:
        return "Cancelling…"
    left = seconds * (1 - fraction) / fraction if fraction > 0.02 else None
    eta = f" · about {left:.0f} s left" if left is not None else " · estimating time left…"
    return f"{fraction:.0%} · {done} of {n} trials finished · {seconds:.0f} s{eta}"


# ---- results -------------------------------------------------------------------------------------------------------

def results_ui(results: dict) -> None:
    search: Search = results["search"]
    table: pd.DataFrame = results["table"]
    st.subheader(f"{counted(len(table), 'trial')} · {search.method} search")
    st.caption(f"{search.steps} steps each · trained in {results['seconds']:.1f} s")
    if results["cancelled"]:
        st.warning(f"Cancelled: {len(table)} of {results['planned']} trials had finished; they are shown below.")
    if table.empty:
        return
    metric = metric_ui(table)
    best = charts.best_trial(table, metric)
    if best is None:
        st.warning("Every trial diverged: the learning rates were too large for these models. Lower them and "
                   "search again.")
    else:
        best_ui(table.iloc[best], search, metric)
    st.dataframe(display_table(table, search, metric, best), hide_index=True, key="search_table",
                 column_config={"studio": st.column_config.LinkColumn("studio", display_text="open ↗", width=64,
                                                                      help="Open this trial in the studio"),
                                "★": st.column_config.TextColumn("★", width=28, help="The best trial"),
                                "trial": st.column_config.NumberColumn("trial", width=44)})
    charts_ui(table, search, metric)
    open_trial_ui(table, search)


def metric_ui(table: pd.DataFrame) -> str:
    metrics = [m for m in ("final_test_loss", "final_test_accuracy", "final_test_r2", "best_test_loss")
               if m in table]
    return st.segmented_control("Compare trials by", metrics, default="final_test_loss", key="search_metric",
                                format_func=lambda m: charts.METRIC_LABELS.get(m, m), wrap=True) or "final_test_loss"


def setting_columns(columns: pd.Index) -> list[str]:
    """The results' columns that set a trial: the searched dimensions, and the reg_strength a sweep gives a
    regularizer searched without λ."""
    return [c for c in columns if c in LIMITS]


def best_ui(row: pd.Series, search: Search, metric: str) -> None:
    settings = ", ".join(f"{d} = {charts.fmt_value(row[d])}" for d in setting_columns(row.index))
    st.success(f"**Best trial {int(row['trial'])}**: {settings} → {charts.METRIC_LABELS.get(metric, metric)} "
               f"**{row[metric]:.4g}**")
    st.link_button("Open the best trial in the studio ↗", studio_url(trial_config(search.base, row, search.dims)),
                   key="search_best_link", type="primary")


def display_table(table: pd.DataFrame, search: Search, metric: str, best: int | None) -> pd.DataFrame:
    """The results with the best trial starred, a studio link per trial, sorted best first."""
    out = table.copy()
    out.insert(0, "★", ["★" if i == best else "" for i in range(len(out))])
    out["studio"] = [studio_url(trial_config(search.base, row, search.dims)) for _, row in table.iterrows()]
    settings = setting_columns(table.columns)
    for d in settings:
        out[d] = out[d].map(charts.fmt_value) if not charts.is_numeric(out[d]) else out[d]
    ascending = not metric.endswith(("accuracy", "r2"))
    first = ["★", "trial", *settings, metric, "studio"]
    out = out[first + [c for c in out.columns if c not in first]]
    return out.sort_values(["diverged", metric], ascending=[True, ascending], na_position="last")


def trial_config(base: pv.TrainConfig, row: pd.Series, dims: list[str]) -> pv.TrainConfig:
    """The config of one trial (as the sweep built it, from its row's settings): hidden_width/depth set
    hidden_layers = (width,) * depth."""
    changes = {c: _plain(row[c]) for c in row.index if c in FIELDS}
    if "hidden_width" in dims or "hidden_depth" in dims:
        width = int(row["hidden_width"]) if "hidden_width" in dims else (base.hidden_layers or (8,))[0]
        depth = int(row["hidden_depth"]) if "hidden_depth" in dims else max(1, len(base.hidden_layers))
        changes["hidden_layers"] = (width,) * depth
    return base.replace(**changes)


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v


def charts_ui(table: pd.DataFrame, search: Search, metric: str) -> None:
    dims = search.dims
    if len(dims) == 2 and search.method == "grid":
        st.markdown(f"**{charts.METRIC_LABELS.get(metric, metric)} over the grid** (best cell outlined)")
        st.plotly_chart(charts.results_heatmap(table, dims[0], dims[1], metric), config=CHART_CONFIG,
                        key="search_heatmap")
    if len(table) < 2:
        return
    st.markdown("**Parallel coordinates**: one line per trial, coloured by the result; drag along an axis to "
                "pick a range.")
    st.plotly_chart(charts.parallel_coordinates(table, dims, metric), config=CHART_CONFIG, key="search_parcoords")


def open_trial_ui(table: pd.DataFrame, search: Search) -> None:
    c = st.columns([1, 2])
    trials = [int(t) for t in table["trial"]]
    trial = c[0].selectbox("Trial to open", trials, key="search_open_trial")
    row = table[table["trial"] == trial].iloc[0]
    c[1].write("")
    c[1].link_button(f"Open trial {trial} in the studio ↗", studio_url(trial_config(search.base, row, search.dims)),
                     key="search_open_link")


# ---- grid vs random at the same budget -------------------------------------------------------------------------------

UNIMPORTANT = {
    "l1_ratio": ("l1_ratio — no effect at all here (λ = 0)", pv.Uniform(0.0, 1.0)),
    "init_seed": ("init_seed — the random starting weights (they matter mostly when the learning rate is too "
                  "small to move far from them)", pv.IntUniform(0, 1000)),
}
# One important knob: plain gradient descent on a degree-5 polynomial; too small a learning rate crawls, too large
# diverges, and the best is just below the cliff.
GVR_BASE = pv.TrainConfig(dataset="sine", n_samples=100, noise=0.2, hidden_layers=(), poly_degree=5, optimizer="sgd",
                          batch_size=FULL_BATCH, regularizer="elasticnet", reg_strength=0.0)
GVR_LR = pv.LogUniform(1e-4, 1.0)


def grid_vs_random_view() -> None:
    intro = st.empty()  # filled in once the budget is known
    c = st.columns(4)
    unimportant = c[0].selectbox("Second (unimportant) hyperparameter", list(UNIMPORTANT), key="search_gvr_dim",
                                 bind=BIND, help="\n".join(f"- {text}" for text, _ in UNIMPORTANT.values()))
    budget = c[1].select_slider("Trials each", [4, 9, 16, 25], value=9, key="search_gvr_budget", bind=BIND)
    seed = c[2].slider("Random seed", 0, 30, 0, key="search_gvr_seed", bind=BIND)
    steps = c[3].select_slider("Steps", [100, 200, 300, 500, 1000], value=300, key="search_gvr_steps", bind=BIND)
    intro.markdown(gvr_intro(int(budget)))
    st.caption(f"Important: learning_rate, from {GVR_LR.low:g} to {GVR_LR.high:g} (log scale). Unimportant: "
               f"{UNIMPORTANT[unimportant][0]}.")
    grid, rand = grid_vs_random(unimportant, int(budget), int(seed), int(steps))
    st.plotly_chart(charts.grid_vs_random_figure(grid, rand, "learning_rate", unimportant), config=CHART_CONFIG,
                    key="search_gvr_chart")
    c = st.columns(3)
    for col, name, t in ((c[0], "grid", grid), (c[1], "random", rand)):
        b = charts.best_trial(t)
        best = "all diverged" if b is None else f"{t.iloc[b]['final_test_loss']:.4g}"
        col.metric(f"best test loss, {name} search", best, f"{t['learning_rate'].nunique()} distinct learning rates",
                   delta_color="off", delta_arrow="off")
    wins, repeats = grid_vs_random_wins(unimportant, int(budget), int(steps))
    c[2].metric("random search beats the grid", f"{wins} of {repeats}", "repeated random searches",
                help=f"{repeats} more random searches of {budget} trials each, compared with the same grid.",
                delta_color="off", delta_arrow="off")


def grid_side(budget: int) -> int:
    """The grid's values per dimension: a budget of 9 trials is a 3 × 3 grid."""
    return int(round(budget**0.5))


def gvr_intro(budget: int) -> str:
    side = grid_side(budget)
    return (f"**Grid vs random search at the same budget** (Bergstra & Bengio, 2012). When one of two "
            f"hyperparameters matters much more than the other, a {side}×{side} grid tries just **{side} different "
            f"values** of the one that matters — its other {budget - side} trials repeat them. Drawn at random, the "
            f"same {budget} trials try **{budget} different values**, so they land closer to the best one.")


@st.cache_data(max_entries=32, show_spinner="Training both searches…")
def grid_vs_random(unimportant: str, budget: int, seed: int, steps: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    side = grid_side(budget)
    dim = UNIMPORTANT[unimportant][1]
    grid_dim = type(dim)(dim.low, dim.high, points=side)
    grid = pv.sweep(GVR_BASE, {"learning_rate": pv.LogUniform(GVR_LR.low, GVR_LR.high, points=side),
                               unimportant: grid_dim}, steps=steps)
    rand = pv.sweep(GVR_BASE, {"learning_rate": GVR_LR, unimportant: dim}, method="random", n_trials=budget,
                    seed=seed, steps=steps)
    return grid, rand


@st.cache_data(max_entries=32, show_spinner="Repeating the random search…")
def grid_vs_random_wins(unimportant: str, budget: int, steps: int, repeats: int = 20) -> tuple[int, int]:
    """How often a random search's best beats the grid's best: `repeats` random searches of `budget` trials,
    drawn as one sweep of repeats × budget trials (all train side by side) and cut into consecutive blocks."""
    grid, _ = grid_vs_random(unimportant, budget, 0, steps)
    g = charts.best_trial(grid)
    grid_best = grid.iloc[g]["final_test_loss"] if g is not None else np.inf
    many = pv.sweep(GVR_BASE, {"learning_rate": GVR_LR, unimportant: UNIMPORTANT[unimportant][1]}, method="random",
                    n_trials=repeats * budget, seed=12345, steps=steps)
    loss = many["final_test_loss"].where(~many["diverged"]).fillna(np.inf).to_numpy().reshape(repeats, budget)
    return int((loss.min(axis=1) < grid_best).sum()), repeats
