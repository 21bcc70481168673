"""Files a user takes away: Excel workbooks, PNG charts, share links. No Streamlit."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

CHROMIUM = Path("/usr/bin/chromium")


def excel_bytes(
    sheets: dict[str, pd.DataFrame], summary: tuple[str, list[tuple[str, pd.DataFrame]]] | None = None
) -> bytes:
    """An .xlsx workbook (openpyxl) with one sheet per table; names cut to Excel's 31 characters.

    ``summary`` = (sheet name, [(heading, table), ...]) puts a first sheet with those tables one
    under the other, each under its heading in bold, columns widened to their text.
    """
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        if summary is not None:
            _summary_sheet(writer, *summary)
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()


def _summary_sheet(writer: pd.ExcelWriter, name: str, blocks: list[tuple[str, pd.DataFrame]]) -> None:
    from openpyxl.styles import Font

    row = 0
    widths: dict[int, int] = {}
    for heading, frame in blocks:
        if frame.empty:
            continue
        frame.to_excel(writer, sheet_name=name[:31], index=False, startrow=row + 1)
        sheet = writer.sheets[name[:31]]
        sheet.cell(row=row + 1, column=1, value=heading).font = Font(bold=True, size=12)
        for j, column in enumerate(frame.columns, start=1):
            longest = max([len(str(column)), *(len(str(v)) for v in frame[column])])
            widths[j] = max(widths.get(j, 0), min(longest, 90))
        row += len(frame) + 3
    sheet = writer.sheets.get(name[:31])
    if sheet is not None:
        from openpyxl.utils import get_column_letter

        for j, width in widths.items():
            sheet.column_dimensions[get_column_letter(j)].width = width + 2


def png_bytes(fig: go.Figure, width: int = 1000, height: int = 600) -> bytes:
    """The figure as PNG through kaleido, which drives a Chrome: Debian's chromium when there is one.

    Raises whatever kaleido raises when no browser can be started; the page then
    points at the chart toolbar's own PNG download.
    """
    from simulator.io.report_html import figure_png  # the council report's PNGs, one way

    return figure_png(fig, width, height)


def share_link(page_url: str, code: str) -> str:
    """The app's home address with the future in its query: ``http://host:port/?f=<code>``.

    ``page_url`` is the address of the page the user is on ("" when unknown: a relative link).
    """
    base = (page_url or "").split("?")[0].split("#")[0]
    if "://" not in base:
        return f"/?f={code}"
    scheme, rest = base.split("://", 1)
    return f"{scheme}://{rest.split('/', 1)[0]}/?f={code}"
