"""How a CSV table writes its numbers: the separator and the decimal convention.

A Dutch Excel saves "CSV" with ``;`` between fields, a decimal comma and,
when the cells are formatted so, thousands dots (``100.038`` for 100038). An
English one, or a program, writes ``,`` between fields and a decimal point.
This module finds out which from the text itself:

* the **separator** (``,``, ``;`` or tab) with :class:`csv.Sniffer`, checked
  against the header line that must name the required columns;
* the **decimal convention** from every number of the numeric columns over the
  whole file: ``5,41`` or ``1.234,5`` can only be a decimal comma, ``6150.5``
  or ``2025.25`` only a decimal point. A value such as ``1.234`` reads as 1234
  with thousands dots and as 1.234 with a decimal point; when nothing else in
  the file tells which, the table is refused rather than read as a guess.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from simulator.errors import InputError, Problem
from simulator.messages import msg

Convention = Literal["point", "comma"]
"""``point``: decimal point, optional thousands commas; ``comma``: decimal comma, optional thousands dots."""

SEPARATORS = (",", ";", "\t")
SEPARATOR_NAMES = {",": msg("comma"), ";": msg("semicolon"), "\t": msg("tab")}

_EXPONENT = r"(?:[eE][+-]?\d+)?"
_GROUPED = {
    "point": re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d*)?" + _EXPONENT),
    "comma": re.compile(r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+(?:,\d*)?" + _EXPONENT),
}
_PLAIN = {
    "point": re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)" + _EXPONENT),
    "comma": re.compile(r"[+-]?(?:\d+,?\d*|,\d+)" + _EXPONENT),
}
_GROUP_MARK = {"point": ",", "comma": "."}
_DECIMAL_MARK = {"point": ".", "comma": ","}
_DESCRIBED = {"point": msg("a decimal point"), "comma": msg("a decimal comma")}


def separator_name(separator: str) -> str:
    """``';'`` -> ``"semicolon (;)"``, for messages."""
    shown = "\\t" if separator == "\t" else separator
    return msg("{name} ({shown})", name=SEPARATOR_NAMES.get(separator, repr(separator)), shown=shown)


def _header_fields(header: str, separator: str) -> list[str]:
    try:
        row = next(csv.reader([header], delimiter=separator), [])
    except csv.Error:
        return []
    return [field.strip().lower() for field in row]


def detect_separator(lines: Sequence[str], required: Sequence[str]) -> str:
    """The field separator of a CSV table given as its lines (comments already dropped).

    :class:`csv.Sniffer` guesses among ``,`` ``;`` and tab from the first 50
    lines; when the header line split by its guess lacks a required column and
    another candidate gives all of them, that candidate wins. ``,`` when
    nothing can be told (e.g. a single column).
    """
    if not lines:
        return ","
    try:
        sniffed = csv.Sniffer().sniff("\n".join(lines[:50]), delimiters="".join(SEPARATORS)).delimiter
    except csv.Error:
        sniffed = max(SEPARATORS, key=lines[0].count) if any(s in lines[0] for s in SEPARATORS) else ","
    for separator in (sniffed, *SEPARATORS):
        if all(column in _header_fields(lines[0], separator) for column in required):
            return separator
    return sniffed


def reading(text: str, convention: Convention) -> float | None:
    """The number ``text`` stands for under ``convention``, or None when it is not written so.

    ``reading("1.234,5", "comma") == 1234.5``; ``reading("1.5", "comma") is None``.
    """
    if _GROUPED[convention].fullmatch(text):
        text = text.replace(_GROUP_MARK[convention], "")
    elif not _PLAIN[convention].fullmatch(text):
        return None
    return float(text.replace(_DECIMAL_MARK[convention], "."))


@dataclass(frozen=True)
class NumberCell:
    """One numeric field of the table: its text and where it is (for messages)."""

    text: str
    line: int
    place: str


def _evidence(cells: Sequence[NumberCell]) -> tuple[dict[Convention, NumberCell], list[NumberCell]]:
    """First cell that only one convention can read, per convention; and the cells both read differently."""
    only: dict[Convention, NumberCell] = {}
    ambiguous: list[NumberCell] = []
    for cell in cells:
        point, comma = reading(cell.text, "point"), reading(cell.text, "comma")
        if point is not None and comma is None:
            only.setdefault("point", cell)
        elif comma is not None and point is None:
            only.setdefault("comma", cell)
        elif point is not None and comma is not None and point != comma:
            ambiguous.append(cell)
    return only, ambiguous


def _mixed(file: str, only: dict[Convention, NumberCell]) -> InputError:
    first, second = sorted(only.values(), key=lambda cell: cell.line)
    kind = {cell.line: _DESCRIBED[c] for c, cell in only.items()}
    return InputError(
        Problem(
            file,
            second.place,
            msg(
                "{second} is written with {second_kind}, but line {line} has {first} with {first_kind}",
                second=repr(second.text),
                second_kind=kind[second.line],
                line=first.line,
                first=repr(first.text),
                first_kind=kind[first.line],
            ),
            msg(
                "write every number of the file the same way: either decimal commas (Dutch Excel) or decimal "
                "points, without thousands separators"
            ),
            second.line,
        )
    )


def _ambiguous(file: str, separator: str, ambiguous: list[NumberCell]) -> InputError:
    cell = ambiguous[0]
    mark = "." if "." in cell.text else ","
    grouping: Convention = "comma" if mark == "." else "point"  # the convention that reads the mark as grouping
    other: Convention = "point" if grouping == "comma" else "comma"
    thousands, decimal = reading(cell.text, grouping), reading(cell.text, other)
    values = {
        "text": repr(cell.text),
        "separator": SEPARATOR_NAMES[separator],
        "thousands": f"{thousands:.15g}",
        "decimal": f"{decimal:.15g}",
        "mark": mark,
        "more": len(ambiguous) - 1,
        "longer": f"{cell.text}0",
    }
    message = (
        msg(
            "{text} can be read two ways in this {separator}-separated table: {thousands} ('{mark}' as "
            "thousands separator) or {decimal} ('{mark}' as decimal mark), and no other number in the file "
            "tells which; {more} more value(s) like it",
            **values,
        )
        if len(ambiguous) > 1
        else msg(
            "{text} can be read two ways in this {separator}-separated table: {thousands} ('{mark}' as "
            "thousands separator) or {decimal} ('{mark}' as decimal mark), and no other number in the file "
            "tells which",
            **values,
        )
    )
    return InputError(
        Problem(
            file,
            cell.place,
            message,
            msg(
                "write numbers without thousands separators, e.g. {thousands} (in Excel: a number format without the "
                "1000 separator); if {decimal} is meant, write {longer}: a fourth decimal shows the decimal mark",
                **values,
            ),
            cell.line,
        )
    )


def decide_convention(cells: Sequence[NumberCell], file: str, separator: str) -> Convention:
    """The decimal convention of a table, decided from all its numeric cells at once.

    A cell only one convention can read (``5,41``, ``1.234,5``, ``6150.5``)
    decides; cells of both kinds refuse the table. With no deciding cell, a
    comma-separated table uses decimal points (the documented format) unless a
    value reads differently under the two conventions, and a ``;`` or
    tab-separated one is refused when such a value exists.

    Raises
    ------
    InputError
        Mixed conventions (naming both lines), or a value that could be read two
        ways with nothing to tell which (naming it and both readings).
    """
    only, ambiguous = _evidence(cells)
    if len(only) == 2:
        raise _mixed(file, only)
    if only:
        return next(iter(only))
    if ambiguous:
        raise _ambiguous(file, separator, ambiguous)
    return "point"


def normalised(text: str, convention: Convention) -> str:
    """``text`` rewritten with a decimal point and no grouping marks (unchanged when not a number)."""
    if reading(text, convention) is None:
        return text
    return text.replace(_GROUP_MARK[convention], "").replace(_DECIMAL_MARK[convention], ".")
