"""The report for a council proposal in the app (export page and policy-cycle page): the number of runs
for its bands, a button that makes it (as ``bwsim report``, without the screening of the assumptions,
which takes minutes), and its download. Where a part is not made the report says so in the app's terms
(its number-of-runs control), not in the command line's flags."""

from __future__ import annotations

import streamlit as st

from simulator.app import state
from simulator.app.state import tr
from simulator.messages import msg

REPORT_SAMPLES = 200
"""Default ensemble members behind the report's bands (as the home page's uncertainty band)."""

MAX_REPORT_SAMPLES = 2000


def app_missing():
    """What the report says where a band or the screening is missing, in the app's words."""
    from simulator.io.report_html import Missing

    return Missing(
        band=msg("no ensemble: set 'Number of runs for the bands' to 2 or more, then make the report again"),
        sensitivity=msg("not made (no scored change, or made in the app, which leaves out this screening)"),
    )


def council_report_panel(cur: state.Current, scenario, key: str = "") -> None:
    """The runs control, the button and, once made, the download of the report of ``scenario``.

    ``key``: a prefix for the widgets' keys (the made report is kept per session under
    ``council_report``, with the scenario and the number of runs it was made with).
    """
    samples = int(
        st.number_input(
            tr("report_runs"),
            min_value=0,
            max_value=MAX_REPORT_SAMPLES,
            value=REPORT_SAMPLES,
            step=50,
            key=f"{key}report_runs",
            help=tr("report_runs_help"),
        )
    )
    made_for = (scenario.name, samples)
    if st.button(tr("make_report"), key=f"{key}make_report"):
        from simulator.council_report import council_report
        from simulator.io.report_html import render_html

        spec = scenario if samples >= 2 else scenario.model_copy(update={"uncertainty": None})
        try:
            content = council_report(
                [(spec, cur.model.spec)],
                samples=samples if samples >= 2 else None,
                language=state.language(),
                sensitivity_runs=0,
                ambitions=[state.ambitions_of(cur)],
            )
            st.session_state["council_report"] = (made_for, render_html(content, app_missing()))
        except Exception as exc:  # kaleido needs a Chrome for the charts
            st.warning(tr("report_unavailable", reason=state.error_text(exc)))
    ready = st.session_state.get("council_report")
    if ready is not None and ready[0] == made_for:
        st.download_button(
            tr("download_report"),
            ready[1].encode("utf-8"),
            file_name=f"{scenario.name}-rapport.html",
            mime="text/html",
            key=f"{key}dl_report",
        )
