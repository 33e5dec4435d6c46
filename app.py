"""paramviz: watch a model's weights and biases learn. Run with `streamlit run app.py`."""

from pathlib import Path

import streamlit as st

from paramviz.ui import lab, search, studio

ICON = Path(__file__).parent / "paramviz" / "ui" / "icon.png"


def main() -> None:
    # Our own favicon, served by the app: a page's Material icon would make the browser fetch one from outside.
    st.set_page_config(page_title="paramviz", page_icon=str(ICON), layout="wide")
    pages = [
        st.Page(studio.page, title="Training studio", icon=":material/tune:", url_path="studio", default=True),
        st.Page(lab.page, title="Overfitting lab", icon=":material/science:", url_path="lab"),
        st.Page(search.page, title="Hyperparameter search", icon=":material/travel_explore:", url_path="search"),
    ]
    st.navigation(pages).run()


main()
