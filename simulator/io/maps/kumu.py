"""Kumu maps: the JSON export (``elements`` and ``connections``) and the connections table as CSV.

Kumu's JSON (its "blueprint", docs.kumu.io/guides/import/blueprints) holds
``elements`` (each a ``label``, optionally ``_id``, ``type``, ``description``, and
more fields, directly or under ``attributes``) and ``connections`` (``from`` and
``to`` naming an element by ``_id`` or label, ``direction``, ``type`` and fields).
The CSV is Kumu's connections sheet: columns ``From``, ``To`` and any of ``Type``,
``Direction``, ``Strength``, ``Description``, ``Lag``; its nodes are the labels named.

Kumu has no fixed strength: a map keeps it in a field it names itself. The first of
:data:`STRENGTH_FIELDS` found is read: numbers on -1..1 (every value of the file within
it) as FCM weights, whole numbers on -3..+3 as scores, or the words weak / medium /
strong; the sign comes from the number or from a type field such as ``Connection
Type: negative`` (:data:`SIGN_FIELDS`). A connection with no strength gets the score
+-2 (medium), noted. ``direction: mutual`` is two links; ``undirected`` is refused (a
causal link has a direction). A ``lag`` field (years) gives the lag.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from simulator.errors import Problem
from simulator.io.maps.imported import (
    SCORE_RANGE,
    ImportedMap,
    MapLink,
    MapNode,
    finish,
    load_json,
    not_the_format,
    number,
    read_map_text,
    unit_weight_rule,
    unit_weight_score,
    weight_problem,
)
from simulator.io.maps.table import read_table
from simulator.messages import joined, msg
from simulator.scores import STRENGTHS

WHAT_JSON = msg("a Kumu JSON export")
WHAT_CSV = msg("a Kumu connections table (CSV)")

STRENGTH_FIELDS = ("strength", "weight", "influence", "sterkte", "gewicht")
SIGN_FIELDS = ("connection type", "type", "influence type", "polarity", "sign", "effect", "soort", "richting")
LAG_FIELDS = ("lag", "delay", "vertraging")
TYPE_FIELDS = ("element type", "type", "group", "theme", "thema")
DEFAULT_SCORE = 2
"""The score size of a connection without a strength (medium)."""

_WORDS = {**STRENGTHS, "moderate": 2, "zwak": 1, "gemiddeld": 2, "matig": 2, "sterk": 3}
_NEGATIVE = ("neg", "minus", "opposite", "tegen", "-")
_POSITIVE = ("pos", "plus", "same", "mee", "+")


def read_kumu(path: str | Path) -> ImportedMap:
    """The map of a Kumu JSON export or connections CSV, told apart by the content."""
    file = str(path)
    text = read_map_text(path)
    if text.lstrip()[:1] in ("{", "["):
        return _from_json(file, load_json(text, file, WHAT_JSON))
    return _from_csv(file, text)


def _fields(item: dict[str, Any]) -> dict[str, Any]:
    """An element's or connection's fields, top level and ``attributes``, keys in lower case."""
    fields = {str(k).casefold(): v for k, v in item.items() if k != "attributes"}
    attributes = item.get("attributes")
    if isinstance(attributes, dict):
        fields.update({str(k).casefold(): v for k, v in attributes.items()})
    return fields


def _first(fields: dict[str, Any], names: tuple[str, ...]) -> tuple[str, Any] | None:
    for name in names:
        value = fields.get(name)
        if value not in (None, "", []):
            return name, value
    return None


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _from_json(file: str, data: Any) -> ImportedMap:
    if not isinstance(data, dict) or not isinstance(data.get("connections"), list):
        raise not_the_format(file, WHAT_JSON, msg("it has no list 'connections' (and 'elements')"))
    problems: list[Problem] = []
    nodes: list[MapNode] = []
    by_label: dict[str, str] = {}
    for i, element in enumerate(data.get("elements") or []):
        if not isinstance(element, dict):
            problems.append(
                Problem(
                    file,
                    f"elements[{i}]",
                    msg("an element is a mapping with a label"),
                    msg("check that this is a Kumu export"),
                )
            )
            continue
        fields = _fields(element)
        label = _text(fields.get("label")).strip()
        key = _text(fields.get("_id")) or label
        group = _first(fields, TYPE_FIELDS)
        nodes.append(
            MapNode(
                key, label, f"elements[{i}]", None, _text(group[1]) if group else "", _text(fields.get("description"))
            )
        )
        by_label.setdefault(label, key)
    rows = []
    for k, connection in enumerate(data["connections"]):
        if not isinstance(connection, dict):
            problems.append(
                Problem(
                    file,
                    f"connections[{k}]",
                    msg("a connection is a mapping with from and to"),
                    msg("check that this is a Kumu export"),
                )
            )
            continue
        rows.append((_fields(connection), f"connections[{k}]", None))
    ends = [(_text(f.get("from")), _text(f.get("to"))) for f, _, _ in rows]
    if not data.get("elements"):  # a blueprint may name its elements in the connections only
        for label in dict.fromkeys(end for pair in ends for end in pair if end):
            nodes.append(MapNode(label, label, msg("the connections"), None))
            by_label[label] = label
    ids = {node.key for node in nodes}
    ends = [(by_label.get(a, a) if a not in ids else a, by_label.get(b, b) if b not in ids else b) for a, b in ends]
    links, notes = _links(file, rows, ends, problems)
    return finish(
        file,
        "kumu",
        _text(data.get("name") or data.get("title")),
        nodes,
        links,
        [msg("Read as a Kumu JSON export: connections name their elements by id or label.")] + notes,
        problems,
    )


def _from_csv(file: str, text: str) -> ImportedMap:
    header, table = read_table(text, file, WHAT_CSV)
    columns = [cell.casefold() for cell in header.cells]
    if "from" not in columns or "to" not in columns:
        raise not_the_format(file, WHAT_CSV, msg("its header has no columns From and To"), header.line)
    rows = [
        ({name: value for name, value in zip(columns, row.cells, strict=False) if name}, "", row.line) for row in table
    ]
    ends = [(f.get("from", ""), f.get("to", "")) for f, _, _ in rows]
    nodes: dict[str, MapNode] = {}
    for (_, _, line), pair in zip(rows, ends, strict=True):
        for end in pair:
            if end and end not in nodes:
                nodes[end] = MapNode(end, end, "", line)
    problems: list[Problem] = []
    for (_, _, line), pair in zip(rows, ends, strict=True):
        for column, end in zip(("From", "To"), pair, strict=True):
            if not end:
                problems.append(
                    Problem(
                        file, column, msg("no node named"), msg("name the link's {column} node", column=column), line
                    )
                )
    rows = [row for row, pair in zip(rows, ends, strict=True) if all(pair)]
    ends = [pair for pair in ends if all(pair)]
    links, notes = _links(file, rows, ends, problems)
    return finish(
        file,
        "kumu",
        "",
        list(nodes.values()),
        links,
        [msg("Read as Kumu's connections table: its nodes are the labels in From and To.")] + notes,
        problems,
    )


def _links(
    file: str,
    rows: Sequence[tuple[dict[str, Any], str, int | None]],
    ends: Sequence[tuple[str, str]],
    problems: list[Problem],
) -> tuple[list[MapLink], list[str]]:
    """The links of Kumu's connections (``rows``: fields, place, line; ``ends``: source and target keys)."""
    strengths = [_first(f, STRENGTH_FIELDS) for f, _, _ in rows]
    numbers = [value for found in strengths if found and (value := number(found[1])) is not None]
    unit_scale = bool(numbers) and max(abs(v) for v in numbers) <= 1.0
    links: list[MapLink] = []
    defaulted = []
    for (fields, place, line), (source, target), found in zip(rows, ends, strengths, strict=True):
        direction = _text(fields.get("direction")).casefold() or "directed"
        if direction == "undirected":
            problems.append(
                Problem(
                    file,
                    f"{place}.direction" if line is None else "direction",
                    msg("an undirected connection has no cause and effect"),
                    msg("give it a direction (directed or mutual)"),
                    line,
                )
            )
            continue
        scored = _score(file, place, line, found, fields, unit_scale, problems)
        if scored is None:
            continue
        weight, score, rule = scored
        if found is None:
            defaulted.append(place)
        lag_field = _first(fields, LAG_FIELDS)
        lag = number(lag_field[1]) if lag_field else None
        if lag_field and (lag is None or lag < 0):
            problems.append(
                Problem(
                    file,
                    lag_field[0] if line else f"{place}.{lag_field[0]}",
                    msg("'{cell}' is not a lag (years, 0 or more)", cell=_text(lag_field[1])),
                    msg("give the lag in years, or leave it out for the default"),
                    line,
                )
            )
            continue
        note = _text(fields.get("description") or fields.get("label"))
        links.append(MapLink(source, target, weight, score, rule, lag, place, line, note))
        if direction == "mutual":
            links.append(MapLink(target, source, weight, score, rule, lag, place, line, note))
    notes: list[str]
    notes = [
        msg(
            "Strengths are read from the first of the fields {fields} that a connection has; the sign from "
            "the number, or from {signs}.",
            fields=", ".join(STRENGTH_FIELDS),
            signs=", ".join(SIGN_FIELDS[:4]),
        )
    ]
    if numbers:
        notes.append(
            msg("Every numeric strength lies within -1..1, so they are read as FCM weights: 3 x weight, rounded.")
            if unit_scale
            else msg("Numeric strengths are read as scores on {scale} (whole numbers).", scale=SCORE_RANGE)
        )
    if defaulted:
        notes.append(
            msg(
                "{n} connections have no strength and get the score {score:+g} (medium, with their "
                "type's sign): {places}.",
                n=len(defaulted),
                score=DEFAULT_SCORE,
                places=joined(", ", defaulted),
            )
        )
    if any(_text(f.get("direction")).casefold() == "mutual" for f, _, _ in rows):
        notes.append(msg("A mutual connection is two links, one each way, with the same strength."))
    return links, notes


def _sign(fields: dict[str, Any]) -> tuple[int, str] | None:
    """The sign a connection's type field gives (-1 or +1, and the field), None when none says one."""
    for name in SIGN_FIELDS:
        text = _text(fields.get(name)).strip().casefold()
        if not text:
            continue
        if text.startswith(_NEGATIVE) or text in ("-", "−"):
            return -1, name
        if text.startswith(_POSITIVE):
            return 1, name
    return None


def _score(
    file: str,
    place: str,
    line: int | None,
    found: tuple[str, Any] | None,
    fields: dict[str, Any],
    unit_scale: bool,
    problems: list[Problem],
) -> tuple[float, int, str] | None:
    """A connection's weight as found, its score and how it was made; None (a problem added) when unusable."""
    where = (found[0] if line else f"{place}.{found[0]}") if found else place
    sign = _sign(fields)
    if found is None:
        score = DEFAULT_SCORE * (sign[0] if sign else 1)
        why = (
            msg("no strength; {field} gives the sign: score {score:+g}", field=sign[1], score=score)
            if sign
            else msg("no strength or sign: score {score:+g} (medium, positive)", score=score)
        )
        return float(score), score, why
    value = number(found[1])
    if value is None:
        word = _text(found[1]).strip().casefold()
        size = _WORDS.get(word.lstrip("+-").strip())
        if size is None:
            problems.append(
                Problem(
                    file,
                    where,
                    msg("strength '{value}' is neither a number nor weak, medium or strong", value=_text(found[1])),
                    msg("give a number on {scale} or -1..1, or a word", scale=SCORE_RANGE),
                    line,
                )
            )
            return None
        negative = word.startswith("-") or (sign is not None and sign[0] < 0)
        score = -size if negative else size
        return float(score), score, msg("strength '{value}': score {score:+g}", value=_text(found[1]), score=score)
    if unit_scale:
        score = unit_weight_score(value)
        rule = unit_weight_rule(value, score)
    elif value == int(value) and abs(value) <= 3:
        score = int(value)
        rule = msg("strength {value:g} on {scale}: score {score:+g}", value=value, scale=SCORE_RANGE, score=score)
    else:
        scale = msg("{scores} (whole numbers) or -1..1", scores=SCORE_RANGE)
        problems.append(weight_problem(file, where, value, scale, line))
        return None
    if sign is not None and sign[0] < 0 < score:
        score = -score
        rule = msg("{rule}; {field} gives the sign: {score:+g}", rule=rule, field=sign[1], score=score)
    elif sign is not None and sign[0] > 0 > score:
        problems.append(
            Problem(
                file,
                where,
                msg("strength {value:g} is negative but {field} says positive", value=value, field=sign[1]),
                msg("make the strength and the type agree"),
                line,
            )
        )
        return None
    return value, score, rule
