"""The last line of defence for a student's screen: a failing view becomes a message, never a traceback."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st


def guarded(view: Callable[[], None]) -> None:
    """Run a view; a bad setting or any failure becomes a message, never a traceback."""
    try:
        view()
    except ValueError as e:
        st.error(f"That setting can't be used: {e}")
    except Exception as e:
        st.error(f"Something went wrong in this view ({type(e).__name__}: {e}). Try other settings.")
