"""Number cells a person edits, as text in the reader's language: ``0,25`` in Dutch, ``0.25`` in English.

Streamlit's editable number columns know no locale (they show and accept ``0.25``
only), so the editable tables hold their numbers as text: shown exactly (the
shortest text that reads back to the same float, grouped as the locale groups:
``-0,00025``, ``1.234,5``) and read back with Babel's strict parser, which refuses
text that is ambiguous in the language (``0.25`` on a Dutch page) and suggests
what was meant. An unchanged cell reads back to exactly the number it showed.
Pure functions, no Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from decimal import Decimal

import pandas as pd
from babel.numbers import NumberFormatError, format_decimal, parse_decimal

from simulator.app.i18n import t
from simulator.app.numbers import locale


def cell_text(value: object, language: str = "nl") -> str:
    """``value`` as an editable cell: every digit of the float, the locale's separators; ``""`` when empty.

    ``-0.00025`` -> ``"-0,00025"``, ``1234.5`` -> ``"1.234,5"``, ``None``/NaN -> ``""``.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        return str(number)
    return format_decimal(Decimal(repr(number)), locale=locale(language), decimal_quantization=False)


def as_text_columns(frame: pd.DataFrame, columns: Iterable[str], language: str = "nl") -> pd.DataFrame:
    """A copy of ``frame`` whose ``columns`` hold :func:`cell_text` strings."""
    out = frame.copy()
    for column in columns:
        out[column] = [cell_text(v, language) for v in out[column]]
    return out


def parse_cell(text: object, language: str = "nl") -> float | None:
    """A cell's text as a float (``None`` when empty).

    Raises
    ------
    ValueError
        The text is no number in ``language``; its message is the suggestion (``0,25``) or empty.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    if isinstance(text, int | float):
        return float(text)
    stripped = str(text).strip()
    if not stripped:
        return None
    try:
        return float(parse_decimal(stripped, locale=locale(language), strict=True))
    except NumberFormatError as exc:
        suggestions = [s for s in (exc.suggestions or []) if s]
        raise ValueError(suggestions[-1] if suggestions else "") from None


def parse_columns(
    frame: pd.DataFrame, columns: Iterable[str], language: str, row_head: Callable[[dict], str]
) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with ``columns`` read back as numbers, and a sentence per cell that is no number.

    ``row_head(row)`` starts each sentence ("Verband Banen → Inkomen: "); a cell that is no
    number becomes NaN (empty), so the rest of the table can still be checked.
    """
    out = frame.copy()
    problems: list[str] = []
    for column in columns:
        values = []
        for row, text in zip(frame.to_dict("records"), frame[column], strict=True):
            try:
                value = parse_cell(text, language)
            except ValueError as exc:
                hint = t("not_a_number_hint", language, suggestion=str(exc)) if str(exc) else ""
                problems.append(
                    row_head(row)
                    + t(
                        "not_a_number", language, column=t(f"col_{column}", language), text=str(text).strip(), hint=hint
                    )
                )
                value = None
            values.append(math.nan if value is None else value)
        out[column] = pd.Series(values, index=frame.index, dtype=float)
    return out, problems
