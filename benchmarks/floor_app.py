"""The least a Streamlit page can do per live frame: a Play button and one "Step" metric, rerun ten times a
second by a fragment, as the studio's live view is. bench_ui.py --only floor measures it beside the studio,
so the studio's own cost per refresh is read against what Streamlit itself takes on the same machine."""

import streamlit as st

ss = st.session_state
ss.setdefault("playing", False)
ss.setdefault("step", 0)


def set_playing(playing: bool) -> None:
    ss.playing = playing


if ss.playing:
    st.button("Pause", on_click=set_playing, args=(False,))
else:
    st.button("Play", on_click=set_playing, args=(True,))


@st.fragment(run_every=0.1 if ss.playing else None)
def live() -> None:
    if ss.playing:
        ss.step += 200
    st.metric("Step", f"{ss.step:,}")


live()
