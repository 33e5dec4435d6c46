"""The studio's session state: the Run (one per browser session), its shadow runs, whether it is playing,
and the cached loss-landscape grid. Everything here reads or writes st.session_state; nothing draws."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import numpy as np
import streamlit as st

import paramviz as pv
from paramviz.charts.training import landscape_window
from paramviz.ui import widgets

DATA_FIELDS = frozenset({"dataset", "n_samples", "noise", "test_fraction", "seed", "n_classes", "scale_inputs"})
MODEL_FIELDS = frozenset({"hidden_layers", "activation", "poly_degree", "init"})
BOOKKEEPING = frozenset({"record_every", "max_history"})
LANDSCAPE_EVERY = 20  # frames between landscape recomputations while playing (models with > 2 parameters)


def init() -> None:
    ss = st.session_state
    ss.setdefault("lock", threading.RLock())
    ss.setdefault("playing", False)
    ss.setdefault("frame", 0)
    ss.setdefault("shadows", {})
    ss.setdefault("notice", "")


def session_lock() -> threading.RLock:
    """The session's lock, held by each script run while it reads or moves the Run. A click while playing can
    start a rerun before the previous frame's run has stopped, and two threads stepping one Run at once mix
    their updates (a healthy run once "diverged" that way)."""
    return st.session_state["lock"]


def run() -> pv.Run | None:
    return st.session_state.get("run")


def record_every_for(speed: int) -> int:
    """Evaluate the full loss every step when watching slowly, every speed/20 steps when running fast (the
    evaluation costs more than the step itself); the latest step is always shown."""
    return 1 if speed < 50 else max(1, speed // 20)


# ---- keeping the Run in step with the controls -------------------------------------------------------------

def why_new_run(old: pv.TrainConfig, new: pv.TrainConfig, same_data: bool = True) -> str | None:
    """Why a config change needs a new Run ("the data changed"), or None when training can continue."""
    changed = {k for k, v in new.to_dict().items() if v != old.to_dict()[k]} - BOOKKEEPING
    if not same_data or changed & DATA_FIELDS:
        return "the data changed"
    if changed & MODEL_FIELDS:
        return "the architecture changed"
    if "init_seed" in changed:
        return "new initial weights were drawn"
    if changed - pv.HOT_FIELDS:
        return f"{', '.join(sorted(changed - pv.HOT_FIELDS))} changed"
    return None


def sync_run(cfg: pv.TrainConfig, speed: int) -> str:
    """Make the session's Run match cfg: a new Run when data or architecture changed, else update_config
    (training continues from the current weights). Returns what happened, for the page to say."""
    ss = st.session_state
    data = widgets.csv_raw() if cfg.dataset == "csv" else None
    if cfg.dataset == "csv" and data is None:
        raise ValueError("upload a CSV file (Data → Your own data) to train on it")
    current = run()
    if current is None:
        new_run(cfg, speed, data)
        return ""
    reason = why_new_run(current.cfg, cfg, ss.get("run_data") is data)
    if reason:
        new_run(cfg, speed, data)
        return f"New run: {reason}."
    hot = cfg.replace(record_every=record_every_for(speed), max_history=current.cfg.max_history)
    if hot != current.cfg:
        changed = sorted(k for k, v in hot.to_dict().items() if v != current.cfg.to_dict()[k] and k not in BOOKKEEPING)
        update_config(hot)
        if not changed:  # a new speed: only how often steps are recorded changed
            return ""
        return (f"Changed {widgets.label_list(changed)} at step {current.step_count}: training continues from the "
                "current weights.")
    return ""


def update_config(cfg: pv.TrainConfig) -> None:
    """The run and its shadows (each with its own optimizer) take cfg, from the current weights on."""
    run().update_config(cfg)
    for name, shadow in st.session_state["shadows"].items():
        shadow.update_config(cfg.replace(optimizer=name))


def record_every_step() -> None:
    """Record each of the next steps (Step pressed): the next rerun sets the pace back from the speed."""
    r = run()
    if r is not None and r.cfg.record_every != 1:
        update_config(r.cfg.replace(record_every=1))


def new_run(cfg: pv.TrainConfig, speed: int, data: Any = None) -> pv.Run:
    ss = st.session_state
    r = pv.Run(cfg.replace(record_every=record_every_for(speed)), data=data)
    ss["run"], ss["run_data"] = r, data
    ss["run_id"] = ss.get("run_id", 0) + 1
    ss["shadows"] = {}
    ss.pop("landscape", None)
    return r


# ---- moving the run (and its shadows) ------------------------------------------------------------------------

def advance(n: int | None = None) -> None:
    """n optimizer steps, or to the end of the epoch when n is None; shadow runs follow in lockstep. Holds the
    session's lock: the Step button's callback runs before the page takes it."""
    with session_lock():
        r = run()
        if r is None:
            return
        r.step_epoch() if n is None else r.step(n)
        catch_up_shadows()


def catch_up_shadows() -> None:
    r = run()
    for shadow in st.session_state["shadows"].values():
        behind = r.step_count - shadow.step_count
        if behind > 0:
            shadow.step(behind)


def reset() -> None:
    """Back to step 0 with the same initial weights (run.reset), shadows too; under the session's lock."""
    r = run()
    if r is not None:
        with session_lock():
            r.reset()
            for shadow in st.session_state["shadows"].values():
                shadow.reset()
    st.session_state.pop("landscape", None)
    st.session_state["playing"] = False


def set_compare(optimizers: list[str]) -> None:
    """Shadow runs: the same model, data and initial weights, trained by other optimizers in lockstep."""
    r = run()
    if r is None:
        return
    shadows = st.session_state["shadows"]
    wanted = [o for o in optimizers if o != r.cfg.optimizer]
    for name in list(shadows):
        if name not in wanted:
            del shadows[name]
    for name in wanted:
        if name not in shadows:
            shadows[name] = pv.Run(r.cfg.replace(optimizer=name), data=r.data)
    catch_up_shadows()


# ---- the loss landscape, cached ------------------------------------------------------------------------------

def path_of(r: pv.Run, p1: str, p2: str) -> tuple[np.ndarray, np.ndarray]:
    t = r.trajectory
    return t[p1].to_numpy(), t[p2].to_numpy()


def landscape(r: pv.Run, p1: str, p2: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """(xs, ys, Z, paths): the loss grid over p1, p2 and every run's path. The grid, the costliest thing on
    the page, is recomputed only when the parameters or the objective change, when the paths outgrow it, or
    (models with more than two parameters, whose other weights move) every LANDSCAPE_EVERY frames."""
    ss = st.session_state
    paths = {f"{r.cfg.optimizer} (this run)": path_of(r, p1, p2)}
    paths.update({name: path_of(s, p1, p2) for name, s in ss["shadows"].items()})
    objective = (ss.get("run_id"), p1, p2, r.cfg.regularizer, r.cfg.reg_strength, r.cfg.l1_ratio)
    own = paths[next(iter(paths))]
    center, span = landscape_window(list(paths.values()), (float(own[0][-1]), float(own[1][-1])))
    cached = ss.get("landscape")
    stale = (cached is None or cached["objective"] != objective or _outgrown(cached, center, span)
             or (r.layout.n_params > 2 and cached["step"] != r.step_count
                 and (not ss["playing"] or ss["frame"] - cached["frame"] >= LANDSCAPE_EVERY)))
    if stale:
        n = grid_size(r.layout.n_params)
        xs, ys, Z = r.loss_grid(p1, p2, center=center, span=span, n=n)
        cached = {"objective": objective, "xs": xs, "ys": ys, "Z": Z, "step": r.step_count, "frame": ss["frame"],
                  "center": center, "span": span}
        ss["landscape"] = cached
    return cached["xs"], cached["ys"], cached["Z"], paths


GRID_BUDGET = 21 * 21 * 1200  # landscape points × parameters: 21 × 21 for a 2-32-32-1 network (~1,200)


def grid_size(n_params: int) -> int:
    """Points along each side of the landscape grid: fine for a line's 2 parameters, coarser as each point's
    loss (a forward pass with every parameter) costs more, so that a wide network's landscape takes about as
    long as a small one's rather than most of a minute."""
    if n_params <= 2:
        return 61
    return int(np.clip(np.sqrt(GRID_BUDGET / n_params), 9, 31))


def _outgrown(cached: dict, center: tuple[float, float], span: float) -> bool:
    """The window the paths need now is not (roughly) the cached one: bigger, or shifted by a quarter."""
    old_center, old_span = cached["center"], cached["span"]
    shift = max(abs(center[0] - old_center[0]), abs(center[1] - old_center[1]))
    return span > old_span * 1.05 or span < old_span * 0.5 or shift > 0.25 * old_span


# ---- sessions playing at once: one server, a classroom of browsers ------------------------------------------

_frames: dict[str, float] = {}  # session → time of its latest frame, for every session of this server process
_frames_lock = threading.Lock()
PLAYING_WINDOW_S = 1.0  # a session that drew a frame this recently is playing


def others_playing(now: float) -> int:
    """Record this session's frame at `now`; return how many other sessions of this server are playing."""
    me = st.session_state.setdefault("session_key", uuid.uuid4().hex)
    with _frames_lock:
        _frames[me] = now
        for key, t in list(_frames.items()):
            if now - t > PLAYING_WINDOW_S:
                del _frames[key]
        return len(_frames) - 1
