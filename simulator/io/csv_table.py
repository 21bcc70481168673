"""Writing a long results table (``results.csv``, ``ensemble.csv``) as pandas' ``to_csv`` writes it, faster.

``frame.to_csv(path, index=False, float_format="%.17g")`` formats every float
through a Python call per value: 5.5 s CPU for the 1.59 million rows of the
342-gemeente model's ``results.csv`` (benchmarks/README.md). A long table
repeats its values (the times, the baselines, deviations of 0 before an
intervention, gemeenten alike), so :func:`write_csv` formats each distinct value
once (``%.17g``, as pandas' ``float_format``; NaN as an empty field, as pandas'
``na_rep``) and hands the rows to the standard library's :mod:`csv` writer,
which pandas itself writes with (minimal quoting, ``\\n`` line ends): the same
bytes, in about half the time.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from simulator.results import format_floats

FLOAT_FORMAT = "%.17g"
"""pandas' ``float_format`` the files match (:func:`simulator.results.format_floats` writes it)."""


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write ``frame`` without its index to ``path``, byte for byte as
    ``frame.to_csv(path, index=False, float_format=FLOAT_FORMAT)``."""
    columns = [_column(frame[name]) for name in frame.columns]
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([str(name) for name in frame.columns])
        writer.writerows(zip(*columns, strict=True))


def _column(column: pd.Series) -> list[object]:
    """A column's fields: floats formatted (each distinct value once), anything else as pandas writes it."""
    if column.dtype.kind != "f":
        if column.isna().any():
            return ["" if pd.isna(v) else v for v in column.tolist()]
        return column.tolist()
    return list(format_floats(column.to_numpy(dtype="float64")))
