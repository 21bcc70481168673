"""CSV tables of maps (Kumu's, Mental Modeler's, FCM matrices and edge lists): rows with their line numbers.

The separator is found from the header line (``,``, ``;`` or a tab, as Excel saves it);
blank lines and lines starting with ``#`` are skipped. A number may have a decimal
comma where the separator is not a comma (:func:`simulator.io.maps.imported.number`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from simulator.io.maps.imported import not_the_format
from simulator.messages import msg

SEPARATORS = (",", ";", "\t")


@dataclass(frozen=True)
class Row:
    """One row of a table: its cells (spaces around them removed) and its 1-based line."""

    cells: tuple[str, ...]
    line: int


def read_table(text: str, file: str, what: str) -> tuple[Row, list[Row]]:
    """The header row and the other rows of a CSV ``text``.

    Raises :class:`~simulator.errors.InputError` (the file is not a ``what``) when the
    text is empty, looks like JSON or XML, or is not a table.
    """
    stripped = text.lstrip()
    if not stripped:
        raise not_the_format(file, what, msg("the file is empty"))
    if stripped[0] in "{[<":
        reason = (
            msg("it starts like an XML file, not a table")
            if stripped[0] == "<"
            else msg("it starts like a JSON file, not a table")
        )
        raise not_the_format(file, what, reason, 1)
    first = next(
        (
            (n, line)
            for n, line in enumerate(text.splitlines(), start=1)
            if line.strip() and not line.lstrip().startswith("#")
        ),
        None,
    )
    if first is None:
        raise not_the_format(file, what, msg("it has only comments and blank lines"))
    separator = max(SEPARATORS, key=first[1].count)
    if first[1].count(separator) == 0:
        raise not_the_format(file, what, msg("its first line has no columns (no comma, semicolon or tab)"), first[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    rows = []
    line = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells) and not cells[0].lstrip().startswith("#"):
                rows.append(Row(tuple(cell.strip() for cell in cells), line))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise not_the_format(
            file, what, msg("line {line} is not a row of a table ({reason})", line=line, reason=str(exc)), line
        ) from None
    return rows[0], rows[1:]
