"""Start loading the browser's chart code at once, not when the first chart arrives.

Streamlit's frontend loads the code behind ``st.plotly_chart`` (one chunk of about 4.7 MB,
``static/js/PlotlyChart.<hash>.js``) only when the first chart element arrives; on the home page
that is after the server's first run has computed the runs and scorecard, so the browser then
downloads, parses and runs the chunk before it can draw. A small constant script at the top of
every run imports that chunk while the server is still computing: the chunk is the same module
(the same URL) that Streamlit imports later, so by then it is loaded, and each browser fetches it
once (it is served as immutable and cached).
"""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

# Hidden: the element only runs its script; nothing shows and it takes no space.
STYLE = "<style>.st-key-chart_preload {display: none;}</style>"
SCRIPT = """<script>
(() => {
  const main = document.querySelector('script[src*="/static/js/index."]');
  const base = main ? main.src.replace(/[^/]*$/, "") : new URL("static/js/", document.baseURI).href;
  import(base + "%s").catch(() => {});  // a failed preload only means the chart loads as before
})();
</script>"""


@functools.cache
def chunk_name() -> str:
    """The file name of Streamlit's plotly chunk in this installation ("" when there is none)."""
    folder = Path(st.__file__).parent / "static" / "static" / "js"
    found = sorted(folder.glob("PlotlyChart.*.js"))
    return found[0].name if found else ""


def preload_charts() -> None:
    """Draw the hidden element whose script makes the browser import the chart code now."""
    name = chunk_name()
    if not name:
        return
    st.html(STYLE)  # the app's own constant style
    with st.container(key="chart_preload"):
        st.html(SCRIPT % name, unsafe_allow_javascript=True)  # a constant script: the chunk's file name only
