"""The bwsim Streamlit app: navigation and the shared sidebar (language, model).

Run with ``bwsim ui`` (or ``streamlit run simulator/app/app.py``). To add a page, add one
file under ``simulator/app/views/`` and one line to :data:`PAGES`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

if str(Path(__file__).resolve().parents[2]) not in sys.path:  # run as a script: make `simulator` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

# First, and alone: sessions starting together must not import packages in parallel (see simulator/app/preload.py).
import simulator.app.preload  # noqa: E402, F401

# isort: split
from streamlit.navigation.page import StreamlitPage  # noqa: E402
from streamlit.runtime.scriptrunner import RerunException, StopException  # noqa: E402

from simulator.app import chart_preload, plain_text, state  # noqa: E402
from simulator.app.future import LinkError, decode_link  # noqa: E402
from simulator.errors import InputError  # noqa: E402

# (file under simulator/app/, title key in simulator.app.i18n, icon, url path); the first is the home page.
PAGES = [
    ("views/builder.py", "page_builder", ":material/tune:", "toekomst"),
    ("views/network.py", "page_network", ":material/hub:", "netwerk"),
    ("views/compare.py", "page_compare", ":material/compare_arrows:", "vergelijken"),
    ("views/assumptions.py", "page_assumptions", ":material/edit_note:", "aannames"),
    ("views/export.py", "page_export", ":material/download:", "exporteren"),
    ("views/monitor.py", "page_monitor", ":material/monitoring:", "monitor"),
    ("views/cycle.py", "page_cycle", ":material/autorenew:", "beleidscyclus"),
    ("views/calibration.py", "page_calibration", ":material/query_stats:", "kalibreren"),
    ("views/workshop_group.py", "page_workshop_group", ":material/groups:", "workshop"),
    (
        "views/workshop_facilitator.py",
        "page_workshop_facilitator",
        ":material/co_present:",
        "begeleider",
    ),
]


# The answer must fit above the fold at 1366x768: less empty space above the title, metrics that wrap.
STYLE = """<style>
.block-container, [data-testid="stMainBlockContainer"] {padding-top: 2.2rem;}
h1 {padding-top: 0.2rem; padding-bottom: 0.4rem;}
[data-testid="stMetricValue"] {font-size: 1.35rem;}
[data-testid="stMetricValue"] div {white-space: normal; overflow: visible;}
[data-testid="stMetricLabel"] p, [data-testid="stMetricLabel"] div {white-space: normal; overflow: visible;}
[data-testid="stMetricDelta"] div {white-space: normal; overflow: visible;}
</style>"""
# Streamlit's file uploader has fixed English texts ("Drag and drop file here", "Upload"; no option in
# Streamlit 1.67): on a Dutch page the instructions are hidden (the Dutch label says what to upload) and the
# button says "Bestand kiezen".
DUTCH_UPLOADER = """<style>
[data-testid="stFileUploaderDropzoneInstructions"] {visibility: hidden; width: 0; overflow: hidden;}
[data-testid="stFileUploaderDropzone"] button > * {display: none;}
[data-testid="stFileUploaderDropzone"] button::after {content: "Bestand kiezen"; font-size: 0.875rem;}
</style>"""


def _sidebar() -> None:
    with st.sidebar:
        chart_preload.preload_charts()  # first: the browser loads the chart code while the page is computed
        st.segmented_control(
            "Taal / Language",
            ["nl", "en"],
            key="lang",
            default="nl",
            required=True,
            format_func=lambda x: {"nl": "Nederlands", "en": "English"}[x],
        )
        options = [str(p) for p in state.model_paths()]
        if st.session_state.get("own_model"):
            options.append(state.OWN_MODEL)
        pending = st.session_state.pop("model_pending", None)
        if pending in options:
            st.session_state["model_choice"] = pending
        if st.session_state.get("model_choice") not in options:
            st.session_state["model_choice"] = options[-1] if state.OWN_MODEL in options else options[0]
        st.selectbox(
            state.tr("model"),
            options,
            key="model_choice",
            format_func=lambda x: state.tr("own_model") if x == state.OWN_MODEL else Path(x).stem,
            placeholder=state.tr("choose"),
        )


def _shared_link() -> None:
    """Open the future in the URL (``?f=...``) once per link; a link that does not open says why
    (in the reader's language) and the app opens as without a link."""
    code = st.query_params.get("f")
    if not code or st.session_state.get("applied_link") == code:
        return
    st.session_state["applied_link"] = code
    try:
        state.open_link(decode_link(code))
    except LinkError as exc:
        st.session_state["link_error"] = ("link_" + exc.reason, exc.values)
    except InputError as exc:
        st.session_state["link_error"] = ("link_bad_scenario", {"problems": "; ".join(map(str, exc.problems))})
    except Exception as exc:  # noqa: BLE001 - a crafted link must never stop the app
        state.error_text(exc)  # logs the traceback on the server
        st.session_state["link_error"] = ("link_damaged", {})


def _link_warning() -> None:
    """The warning about a shared link that did not open, once."""
    if "link_error" not in st.session_state:
        return
    key, values = st.session_state.pop("link_error")
    reason = state.tr(key, **{k: plain_text.markdown(v) for k, v in values.items()})
    st.warning(state.tr("bad_link", reason=reason))  # plain-text: an app text, its values escaped above


def _own_model_notice(page: StreamlitPage) -> None:
    """On every page while an own model (edited or uploaded) is in use, say so ('Eigen aannames' says it itself)."""
    if st.session_state.get("model_choice") == state.OWN_MODEL and st.session_state.get("own_model"):
        if page.url_path != "aannames":
            st.info(state.tr("own_model_notice"), icon=":material/edit_note:")


def main() -> None:
    """Build the navigation and run the chosen page; errors become messages, never tracebacks."""
    st.set_page_config(page_title="bwsim", page_icon=":material/eco:", layout="wide")
    st.html(STYLE)  # the app's own constant style, no user text
    if st.session_state.get("lang", "nl") == "nl":
        st.html(DUTCH_UPLOADER)
    _shared_link()
    state.carry_language_widgets()
    _sidebar()
    here = Path(__file__).parent
    pages = [
        st.Page(str(here / path), title=state.tr(key), icon=icon, url_path=url, default=i == 0)
        for i, (path, key, icon, url) in enumerate(PAGES)
    ]
    page = st.navigation(pages)
    _own_model_notice(page)
    _link_warning()
    try:
        page.run()
    except (RerunException, StopException):
        raise
    except Exception as exc:  # a page must never show a traceback
        state.show_error(exc)


main()
