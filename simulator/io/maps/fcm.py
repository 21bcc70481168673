"""Fuzzy cognitive maps as CSV: a square weight matrix, or an edge list ``from,to,weight[,lag]``.

- **Matrix**: the header row names the concepts (its first cell is empty or a title),
  each following row starts with a concept's name and gives the weights of its links
  *to* the header's concepts: row ``i``, column ``j`` is the link from ``i`` to ``j``
  (the FCM convention ``W[i, j]``, as Mental Modeler exports it). An empty cell or 0 is
  no link. The rows must name the same concepts as the header, in the same order.
- **Edge list**: a header with the columns ``from``, ``to``, ``weight`` and optionally
  ``lag`` (years); one link per row, nodes named by their labels.

Weights lie in [-1, 1] and become scores ``3 w`` rounded (:func:`unit_weight_score`).
"""

from __future__ import annotations

from pathlib import Path

from simulator.errors import Problem
from simulator.io.maps.imported import (
    ImportedMap,
    MapLink,
    MapNode,
    finish,
    not_the_format,
    number,
    read_map_text,
    unit_weight_rule,
    unit_weight_score,
    weight_problem,
)
from simulator.io.maps.table import Row, read_table
from simulator.messages import msg

WHAT = msg("an FCM weight matrix or edge list (CSV)")
EDGE_COLUMNS = ("from", "to", "weight")
UNIT_SCALE = "-1..1"


def read_fcm(path: str | Path) -> ImportedMap:
    """The map of an FCM CSV file: a weight matrix or an edge list (told apart by the header)."""
    file = str(path)
    header, rows = read_table(read_map_text(path), file, WHAT)
    names = [cell.casefold() for cell in header.cells]
    if all(column in names for column in EDGE_COLUMNS):
        return read_edge_list(file, header, rows)
    return read_matrix(file, header, rows, "fcm", WHAT)


def scale_note() -> str:
    """The note of the scale mapping of weights in [-1, 1]."""
    return msg(
        "Weights on -1..1 become scores on -3..+3: 3 x weight, rounded half away from zero (-1 -> -3, "
        "-0.5 -> -2, -0.1 -> 0, 0.2 -> +1, 0.5 -> +2, 1 -> +3); a score of 0 means no clear effect."
    )


def read_matrix(file: str, header: Row, rows: list[Row], format: str, what: str) -> ImportedMap:
    """The map of a square weight matrix (row = source, column = target), weights in [-1, 1]."""
    labels = list(header.cells[1:])
    while labels and not labels[-1]:
        labels.pop()  # a trailing separator
    problems: list[Problem] = []
    if not labels:
        raise not_the_format(
            file, what, msg("its header names no concepts (and has no columns from, to, weight)"), header.line
        )
    if len(rows) != len(labels):
        problems.append(
            Problem(
                file,
                "",
                msg(
                    "the matrix is not square: {columns} columns of concepts but {rows} rows",
                    columns=len(labels),
                    rows=len(rows),
                ),
                msg("give one row per concept of the header, in the header's order"),
                header.line,
            )
        )
    nodes = [MapNode(label, label, msg("column {column}", column=j + 2), header.line) for j, label in enumerate(labels)]
    links: list[MapLink] = []
    for i, row in enumerate(rows):
        cells = list(row.cells)
        while len(cells) > len(labels) + 1 and not cells[-1]:
            cells.pop()
        name = cells[0] if cells else ""
        if i < len(labels) and name != labels[i]:
            problems.append(
                Problem(
                    file,
                    msg("first column"),
                    msg(
                        "row {row} is '{name}' where the header's concept {row} is '{label}'",
                        row=i + 1,
                        name=name,
                        label=labels[i],
                    ),
                    msg("a square matrix has the same concepts in its rows as in its header, in the same order"),
                    row.line,
                )
            )
        if len(cells) != len(labels) + 1:
            problems.append(
                Problem(
                    file,
                    "",
                    msg(
                        "row '{name}' has {cells} weights where the header has {columns} concepts",
                        name=name,
                        cells=len(cells) - 1,
                        columns=len(labels),
                    ),
                    msg("give one cell per concept (empty for no link)"),
                    row.line,
                )
            )
            continue
        if i >= len(labels) or name != labels[i]:
            continue
        for j, cell in enumerate(cells[1:]):
            if cell:
                _matrix_cell(file, row, name, labels[j], cell, links, problems)
    notes = [
        msg("Read as a weight matrix: row = the link's source, column = its target; empty cells and 0 are no link."),
        scale_note(),
        msg("The matrix gives no lags."),
    ]
    return finish(file, format, "", nodes, links, notes, problems)


def _matrix_cell(
    file: str, row: Row, source: str, target: str, cell: str, links: list[MapLink], problems: list[Problem]
) -> None:
    """The link of one non-empty cell (row ``source``, column ``target``), or its problem; 0 is no link."""
    weight = number(cell)
    place = msg("column '{label}'", label=target)
    if weight is None:
        problems.append(
            Problem(
                file,
                place,
                msg("'{cell}' is not a number", cell=cell),
                msg("give a weight from {scale}, or leave the cell empty for no link", scale=UNIT_SCALE),
                row.line,
            )
        )
    elif not -1.0 <= weight <= 1.0:
        problems.append(weight_problem(file, place, weight, UNIT_SCALE, row.line))
    elif weight != 0.0:
        score = unit_weight_score(weight)
        links.append(MapLink(source, target, weight, score, unit_weight_rule(weight, score), None, place, row.line))


def read_edge_list(file: str, header: Row, rows: list[Row]) -> ImportedMap:
    """The map of an edge list ``from,to,weight[,lag]`` (any column order, names in any case)."""
    columns = {name.casefold(): k for k, name in enumerate(header.cells)}
    lag_column = columns.get("lag")
    problems: list[Problem] = []
    nodes: dict[str, MapNode] = {}
    links: list[MapLink] = []
    for row in rows:
        cells = dict(zip(range(len(row.cells)), row.cells, strict=True))
        source, target = cells.get(columns["from"], ""), cells.get(columns["to"], "")
        bad = False
        for column, label in (("from", source), ("to", target)):
            if not label:
                problems.append(
                    Problem(
                        file,
                        column,
                        msg("no node named"),
                        msg("name the link's {column} node", column=column),
                        row.line,
                    )
                )
                bad = True
            elif label not in nodes:
                nodes[label] = MapNode(label, label, "", row.line)
        text = cells.get(columns["weight"], "")
        weight = number(text)
        if weight is None:
            problems.append(
                Problem(
                    file,
                    "weight",
                    msg("'{cell}' is not a number", cell=text),
                    msg("give a weight from {scale}", scale=UNIT_SCALE),
                    row.line,
                )
            )
            bad = True
        elif not -1.0 <= weight <= 1.0:
            problems.append(weight_problem(file, "weight", weight, UNIT_SCALE, row.line))
            bad = True
        lag = None
        lag_text = cells.get(lag_column, "") if lag_column is not None else ""
        if lag_text:
            lag = number(lag_text)
            if lag is None or lag < 0:
                problems.append(
                    Problem(
                        file,
                        "lag",
                        msg("'{cell}' is not a lag (years, 0 or more)", cell=lag_text),
                        msg("give the lag in years, or leave the cell empty for the default"),
                        row.line,
                    )
                )
                bad = True
        if bad or weight is None:
            continue
        score = unit_weight_score(weight)
        links.append(MapLink(source, target, weight, score, unit_weight_rule(weight, score), lag, "", row.line))
    notes = [
        msg(
            "Read as an edge list (from, to, weight{lag}); nodes are named by their labels.",
            lag=", lag" if lag_column is not None else "",
        ),
        scale_note(),
    ]
    if lag_column is not None:
        notes.append(msg("Lags are read from the column lag (years); an empty cell gets the default."))
    return finish(file, "fcm", "", list(nodes.values()), links, notes, problems)
