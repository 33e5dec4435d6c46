"""Placeholder page; replaced by the real one."""

import streamlit as st


def page() -> None:
    st.title("studio")
    st.info("This page is being built.")
