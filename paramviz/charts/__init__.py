"""Plotly figures built from engine data (Run, history, trajectory, sweep results). No streamlit here."""
