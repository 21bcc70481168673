"""The app's one formatting layer for numbers: Dutch (nl_NL) or English (en_GB) through Babel.

Every number a page shows (sentences, metrics, slider values, table cells, chart
ticks and hover texts) goes through here, so a Dutch page never shows a dotted
decimal: ``0,77``, ``5.615``, ``12 %``. Pure functions, no Streamlit.
"""

from __future__ import annotations

import functools
import math

import pandas as pd
import plotly.graph_objects as go
from babel import Locale
from babel.numbers import NumberPattern, parse_pattern

LOCALES = {"nl": "nl_NL", "en": "en_GB"}
PLOTLY_SEPARATORS = {"nl": ",.", "en": ".,"}  # plotly's layout.separators: decimal mark, then thousands
MINUS = "-"  # Babel's minus for both locales; Streamlit's metric reads a leading "-" as a fall


def locale(language: str) -> str:
    """The Babel locale of an app language ("nl" -> "nl_NL", anything else -> "en_GB")."""
    return LOCALES.get(language, LOCALES["en"])


@functools.cache
def _pattern(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)


@functools.cache
def _locale(language: str) -> Locale:
    return Locale.parse(locale(language))


def format_decimal(value: float, format: str, language: str) -> str:  # noqa: A002 - Babel's name
    """Babel's ``format_decimal(value, format=format, locale=locale(language))``, with the pattern and the
    locale parsed once (Babel parses both on every call; a slider move formats about a hundred numbers)."""
    return _pattern(format).apply(value, _locale(language))


def _decimals_for(value: float, digits: int) -> int:
    """Decimals that keep ``digits`` significant digits of ``value`` (none for large numbers)."""
    if value == 0:
        return 0
    return max(0, digits - 1 - math.floor(math.log10(abs(value))))


def number(value: float | None, language: str = "nl", digits: int = 2, *, sign: bool = False) -> str:
    """``value`` to ``digits`` significant digits (at least its whole part), in the language's separators.

    ``number(0.765)`` -> ``"0,77"``; whole numbers are not rounded: ``number(5615.17)`` -> ``"5.615"``;
    ``number(-0.00025)`` -> ``"-0,00025"``;
    with ``sign=True`` a positive value gets a ``+``. Not a finite number: ``"–"``.
    """
    if value is None or not math.isfinite(value):
        return "–"
    decimals = min(_decimals_for(value, digits), 12)
    rounded = round(value, decimals)
    if rounded == 0:
        return "0"
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    text = format_decimal(rounded, pattern, language)
    return f"+{text}" if sign and rounded > 0 else text


def fixed(value: float | None, language: str = "nl", decimals: int = 1, *, sign: bool = False) -> str:
    """``value`` with exactly ``decimals`` decimals (thousands grouped): ``fixed(6.14)`` -> ``"6,1"``."""
    if value is None or not math.isfinite(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    text = format_decimal(round(value, decimals), pattern, language)
    return f"+{text}" if sign and round(value, decimals) > 0 else text


def percent(share: float | None, language: str = "nl", digits: int = 2, *, sign: bool = False) -> str:
    """A share (0.034) as a percentage with a space before the sign, as both locales' style guides write
    it in running text: ``"3,4 %"`` (nl), ``"3.4 %"`` (en)."""
    if share is None or not math.isfinite(share):
        return "–"
    return f"{number(100 * share, language, digits, sign=sign)} %"


def plain(value: float | None, language: str = "nl") -> str:
    """A value as exactly as a table shows it (up to 6 significant digits): ``-0,00025``, ``5.615,17``."""
    return number(value, language, digits=6)


def figure_locale(language: str = "nl") -> dict:
    """What :func:`localize_figure` sets on a figure with one x axis of years and one y axis, as layout
    entries that a figure's constructor takes at once (each ``update_*`` call validates the figure again)."""
    return {
        "separators": PLOTLY_SEPARATORS.get(language, PLOTLY_SEPARATORS["en"]),
        "yaxis": {"tickformat": ",~r", "hoverformat": ",.4~r"},
        "xaxis": {"tickformat": "d", "hoverformat": ".4~r"},
    }


def localize_figure(fig: go.Figure, language: str = "nl", *, time_axis: bool = True) -> go.Figure:
    """Set a figure's separators for ``language`` and its tick formats so that no axis shows SI suffixes
    (``20.5k``) or dotted decimals: values grouped (``20.500``), years ungrouped (``2030``).

    ``time_axis``: the x axis holds years; otherwise its numbers are grouped like the y axis's (a
    category axis ignores tick formats). Returns ``fig`` (changed in place).
    """
    fig.update_layout(separators=PLOTLY_SEPARATORS.get(language, PLOTLY_SEPARATORS["en"]))
    fig.update_yaxes(tickformat=",~r", hoverformat=",.4~r")
    if time_axis:
        fig.update_xaxes(tickformat="d", hoverformat=".4~r")
    else:
        fig.update_xaxes(tickformat=",~r", hoverformat=",.4~r")
    return fig


def text_table(frame: pd.DataFrame, language: str = "nl", digits: int = 4) -> pd.DataFrame:
    """A copy of ``frame`` whose number columns are text in the language's separators (``digits`` significant
    digits, the whole part kept), so a table cell reads ``5.615,2``, never ``5615.1712``; other columns as they are.

    A table that is only shown (not edited) goes through here: Streamlit's own number formats know no locale.
    """
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_numeric_dtype(out[column]) and not pd.api.types.is_bool_dtype(out[column]):
            out[column] = [number(None if pd.isna(v) else float(v), language, digits) for v in out[column]]
    return out
