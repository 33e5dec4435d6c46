"""Placeholder page; replaced by the real one."""

import streamlit as st


def page() -> None:
    st.title("lab")
    st.info("This page is being built.")
