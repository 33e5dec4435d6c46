"""The Streamlit pages. Only app.py imports this package; the engine and charts never import it."""
