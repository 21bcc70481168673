"""Observed data: long-format tables ``node,time,value`` checked against a model.

A researcher's measurements of indicators (bouwblokken) over time, used to
calibrate link weights and lags (:mod:`simulator.calibrate`) and to monitor a
running policy against its expected band (:mod:`simulator.monitor`).

The table has the columns ``node`` (a node id), ``time`` (a year, decimals
allowed) and ``value`` (in the node's unit: the indicator's *level*, to be
compared with the model's ``baseline + delta``), and optionally ``region``,
``source`` and, for published statistics, ``place`` (the gemeente or country the
figure is for, e.g. ``Heerlen``, ``Nederland``), ``table`` (the statistics table,
e.g. CBS ``70072ned``), ``period`` (as the table writes it, e.g. ``1-1-2025``) and
``licence``. Lines starting with ``#`` are comments (e.g. a note that the data
are illustrative). Every problem is reported at once, naming the row and its
line in the file.

The separator (``,`` ``;`` or tab) and the decimal convention (a Dutch Excel's
decimal comma and thousands dots, or a decimal point) are found from the file
itself (:mod:`simulator.io.number_format`); a value that could be read two ways
with nothing in the file to tell which is refused, never guessed.
"""

from __future__ import annotations

import difflib
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.errors import InputError, Problem
from simulator.io.number_format import (
    Convention,
    NumberCell,
    decide_convention,
    detect_separator,
    normalised,
    separator_name,
)
from simulator.messages import msg

REQUIRED_COLUMNS = ("node", "time", "value")
OPTIONAL_COLUMNS = ("region", "source", "place", "table", "period", "licence")
TEXT_COLUMNS = OPTIONAL_COLUMNS
"""Optional text columns; each is "" in :attr:`ObservedData.table` when the file has none."""
MAX_BYTES = 20_000_000
"""Largest observed-data file read, in bytes."""


@dataclass(frozen=True)
class ObservedData:
    """Checked observations, sorted by node then time.

    Attributes
    ----------
    table : pandas.DataFrame
        Columns ``node`` (str), ``time`` (float, years), ``value`` (float, node
        units), ``region``, ``source``, ``place``, ``table``, ``period``,
        ``licence`` (str, "" when absent), ``line`` (int, line in the file).
    file : str
        The name used in messages and in the provenance of a calibration.
    sha256 : str
        Of the bytes as read ("" when built from a frame).
    """

    table: pd.DataFrame
    file: str
    sha256: str = ""

    @property
    def nodes(self) -> list[str]:
        """Observed node ids, in order of first appearance after sorting."""
        return list(dict.fromkeys(self.table["node"]))

    def series(self, node_id: str) -> tuple[np.ndarray, np.ndarray]:
        """``(times, values)`` of one node, each shape (n,), sorted by time."""
        rows = self.table[self.table["node"] == node_id]
        return rows["time"].to_numpy(float), rows["value"].to_numpy(float)

    def __len__(self) -> int:
        return len(self.table)


def _hint(name: str, ids: list[str]) -> str:
    close = difflib.get_close_matches(name, ids, n=1, cutoff=0.5)
    return msg("did you mean '{name}'?", name=close[0]) if close else msg("no node of the model has that id")


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _column_problems(columns: list[str], file: str, line: int, separator: str) -> list[Problem]:
    problems = []
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        problems.append(
            Problem(
                file,
                "header",
                msg(
                    "missing column(s) {missing} (read with the {separator} as "
                    "separator, the header has {n} column(s): {columns})",
                    missing=", ".join(missing),
                    separator=separator_name(separator),
                    n=len(columns),
                    columns=", ".join(columns),
                ),
                msg(
                    "the first line must name the columns node,time,value (optionally "
                    "region,source,place,table,period,licence), separated by commas, semicolons or tabs"
                ),
                line,
            )
        )
    unknown = [c for c in columns if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        problems.append(
            Problem(
                file,
                "header",
                msg("unknown column(s) {columns}", columns=", ".join(unknown)),
                msg("allowed: node, time, value, region, source, place, table, period, licence"),
                line,
            )
        )
    return problems


def _row_problems(
    raw: pd.DataFrame,
    file: str,
    node_ids: list[str],
    horizon: tuple[float, float] | None,
    line_numbers: list[int],
    past: bool = False,
) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[tuple[str, float, str, str], int] = {}
    for i, row in enumerate(raw.itertuples(index=False)):
        line = line_numbers[i]
        place = msg("row {row}", row=i + 1)
        node, time_text, value_text = row.node.strip(), row.time.strip(), row.value.strip()
        region = row.region.strip() if "region" in raw.columns else ""
        where = row.place.strip() if "place" in raw.columns else ""
        if node not in node_ids:
            problems.append(Problem(file, place, msg("unknown node '{node}'", node=node), _hint(node, node_ids), line))
        time = _number(time_text)
        if time is None:
            problems.append(
                Problem(
                    file,
                    place,
                    msg("time {text} is not a number", text=repr(time_text)),
                    msg("give a year, e.g. 2027"),
                    line,
                )
            )
        elif (
            horizon is not None
            and not horizon[0] - 1e-9 <= time <= horizon[1] + 1e-9
            and not (past and where and time < horizon[0])
        ):
            problems.append(
                Problem(
                    file,
                    place,
                    msg(
                        "time {time:g} is outside the horizon {start:g}-{end:g}",
                        time=time,
                        start=horizon[0],
                        end=horizon[1],
                    ),
                    msg("drop the row, or extend the scenario's time: start/end"),
                    line,
                )
            )
        if _number(value_text) is None:
            problems.append(
                Problem(
                    file,
                    place,
                    msg("value {text} is not a finite number", text=repr(value_text)),
                    msg("use a plain number with a decimal point, e.g. 6150.5; leave missing observations out"),
                    line,
                )
            )
        if time is not None:
            key = (node, time, region, where)
            if key in seen:
                problems.append(
                    Problem(
                        file,
                        place,
                        msg(
                            "duplicate observation of '{node}' at {time:g} for place '{where}'",
                            node=node,
                            time=time,
                            where=where,
                        )
                        if where
                        else msg(
                            "duplicate observation of '{node}' at {time:g} in region '{region}'",
                            node=node,
                            time=time,
                            region=region,
                        )
                        if region
                        else msg("duplicate observation of '{node}' at {time:g}", node=node, time=time),
                        msg("line {line} already has it; keep one", line=seen[key]),
                        line,
                    )
                )
            seen.setdefault(key, line)
    return problems


def _with_point_decimals(
    raw: pd.DataFrame, file: str, separator: str, line_numbers: list[int], convention: Convention | None
) -> pd.DataFrame:
    """``raw`` with its time and value fields rewritten to decimal points (the convention decided from all)."""
    columns = ("time", "value")
    if convention is None:
        cells = [
            NumberCell(str(raw.at[i, column]).strip(), line_numbers[i], msg("row {row}", row=i + 1))
            for column in columns
            for i in range(len(raw))
        ]
        convention = decide_convention(cells, file, separator)
    raw = raw.copy()
    for column in columns:
        raw[column] = [normalised(str(text).strip(), convention) for text in raw[column]]
    return raw


def observed_from_text(
    text: str,
    file: str,
    node_ids: list[str],
    horizon: tuple[float, float] | None,
    sha256: str = "",
    convention: Convention | None = None,
    past: bool = False,
) -> ObservedData:
    """Parse and check an observed-data CSV given as text (a file or an upload).

    Parameters
    ----------
    text : str
        CSV with a header line.
    file : str
        Name used in messages.
    node_ids : list of str
        Nodes of the model the data are checked against.
    horizon : (float, float) or None
        First and last year of the run; observations must lie inside. None:
        any year (a comparison of places and of the past, which runs nothing).
    convention : "point", "comma" or None
        How the numbers are written; None (the default) decides it from the
        file (see :func:`simulator.io.number_format.decide_convention`).
    past : bool
        Keep rows with a ``place`` from before the horizon's start: the past a
        monitor compares with (:func:`own_rows` leaves them out of the band).

    Raises
    ------
    InputError
        Every problem found: missing or unknown columns, unknown nodes, times
        outside the horizon, non-numeric values, duplicates; each names its line.
        Also numbers written with both decimal conventions, or a value that
        reads two ways (``1.234``) with nothing in the file to tell which.
    """
    kept = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    line_numbers = [number for number, _ in kept[1:]]
    separator = detect_separator([line for _, line in kept], REQUIRED_COLUMNS)
    try:
        raw = pd.read_csv(
            io.StringIO("\n".join(line for _, line in kept)),
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
            sep=separator,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(
            Problem(
                file,
                "",
                msg(
                    "not a readable CSV table (read with the {separator} as separator): {reason}",
                    separator=separator_name(separator),
                    reason=str(exc),
                ),
                msg("fields separated by commas, semicolons or tabs, with a header line node,time,value"),
            )
        ) from None
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    header_line = kept[0][0] if kept else 1
    problems = _column_problems(list(raw.columns), file, header_line, separator)
    if problems:
        raise InputError(problems)
    if raw.empty:
        raise InputError(Problem(file, "", msg("the table has no rows"), msg("add observations below the header")))
    if len(line_numbers) != len(raw):  # a quoted field spans lines: fall back to row counting
        line_numbers = list(range(header_line + 1, header_line + 1 + len(raw)))
    raw = _with_point_decimals(raw, file, separator, line_numbers, convention)
    problems = _row_problems(raw, file, node_ids, horizon, line_numbers, past)
    if problems:
        raise InputError(problems)
    return ObservedData(_tidy(raw, line_numbers), file, sha256)


def _tidy(raw: pd.DataFrame, line_numbers: list[int]) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "node": raw["node"].str.strip(),
            "time": raw["time"].astype(float),
            "value": raw["value"].astype(float),
            **{column: raw[column].str.strip() if column in raw.columns else "" for column in TEXT_COLUMNS},
            "line": np.array(line_numbers, dtype=int),
        }
    )
    return table.sort_values(["node", "time"], kind="stable").reset_index(drop=True)


def load_observed(
    path: str | Path, node_ids: list[str], horizon: tuple[float, float] | None, past: bool = False
) -> ObservedData:
    """Read and check an observed-data CSV file (see :func:`observed_from_text`).

    Raises
    ------
    InputError
        When the file cannot be read, or has any problem.
    """
    import hashlib

    from simulator.io.input_file import read_input_bytes

    path = Path(path)
    raw = read_input_bytes(path, MAX_BYTES, msg("CSV file of observations"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            Problem(str(path), "", msg("not UTF-8 text"), msg("save the table as UTF-8 CSV (in Excel: CSV UTF-8)"))
        ) from None
    return observed_from_text(text, str(path), node_ids, horizon, hashlib.sha256(raw).hexdigest(), past=past)


def observed_from_frame(
    frame: pd.DataFrame, node_ids: list[str], horizon: tuple[float, float] | None, file: str = "<table>"
) -> ObservedData:
    """Check a table already in memory (tests, the app) as if it were read from CSV."""
    return observed_from_text(frame.to_csv(index=False), file, node_ids, horizon, convention="point")


def place_key(name: str) -> str:
    """How a place is matched: case and spaces ignored (``den helder`` and ``Den-Helder`` are ``Den Helder``)."""
    return "-".join(name.lower().replace("-", " ").split())


def has_places(observed: ObservedData) -> bool:
    """True when any row names a place (published statistics for several places)."""
    return bool((observed.table["place"] != "").any())


def own_rows(observed: ObservedData, regions: dict[str, str], start: float) -> ObservedData:
    """The rows a band is checked against: each node's own place (its ``region``, or no place) from ``start`` on.

    ``regions``: node id -> the node's region. Places match ignoring case and
    spaces (``heerlen`` is ``Heerlen``). The other rows (other places, Nederland,
    the past) are what a comparison reads.

    Raises
    ------
    InputError
        When no row is left: nothing to check against a band or fit.
    """
    table = observed.table
    own = [
        (not place or place_key(place) == place_key(regions.get(node, ""))) and time >= start - 1e-9
        for node, place, time in zip(table["node"], table["place"], table["time"], strict=True)
    ]
    if not any(own):
        raise InputError(
            Problem(
                observed.file,
                "",
                msg(
                    "no row is a node's own place (its region) from {start:g} on, so there is nothing to check "
                    "against the band",
                    start=start,
                ),
                msg("add this year's observations with the node's region as place, e.g. heerlen"),
            )
        )
    return ObservedData(table[own].reset_index(drop=True), observed.file, observed.sha256)
