"""paramviz: watch a model's weights and biases learn. Run with `streamlit run app.py`."""

import streamlit as st

from paramviz.ui import lab, search, studio


def main() -> None:
    st.set_page_config(page_title="paramviz", layout="wide")  # the bundled favicon: nothing fetched from outside
    pages = [
        st.Page(studio.page, title="Training studio", icon=":material/tune:", url_path="studio", default=True),
        st.Page(lab.page, title="Overfitting lab", icon=":material/science:", url_path="lab"),
        st.Page(search.page, title="Hyperparameter search", icon=":material/travel_explore:", url_path="search"),
    ]
    st.navigation(pages).run()


main()
