"""What a participatory map's reader returns: nodes, links scored on -3..+3, and the notes of its choices.

Every reader (:mod:`~simulator.io.maps.kumu`, :mod:`~simulator.io.maps.mentalmodeler`,
:mod:`~simulator.io.maps.loopy`, :mod:`~simulator.io.maps.fcm`) turns one file into an
:class:`ImportedMap`; :mod:`~simulator.io.maps.to_model` turns that into a bwsim model.
The rules all readers share live here: the mapping of a weight in [-1, 1] to a score,
the refusal of weights outside a scale, duplicate labels, unknown nodes and repeated links.
No numerics beyond that rounding, no files written, no command line.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from simulator.errors import InputError, Problem
from simulator.io.input_file import read_input_bytes
from simulator.messages import msg
from simulator.scores import SCALE

MAX_MAP_BYTES = 5_000_000
"""Largest map file read, in bytes (as a model file)."""


@dataclass(frozen=True)
class MapNode:
    """One concept of the map.

    Attributes
    ----------
    key : str
        How the file's links name it: its id in the file, or its label where links use labels.
    label : str
        Its text as the participants wrote it.
    place : str
        Where it is in the file (``elements[2]``, ``row 3``), for messages and notes.
    line : int | None
        1-based line in the file, where it can be known.
    group : str
        The file's own grouping of it (Kumu's element type, Mental Modeler's group name): a theme is looked for there.
    note : str
        The file's description or notes of it ("" when none).
    """

    key: str
    label: str
    place: str
    line: int | None = None
    group: str = ""
    note: str = ""


@dataclass(frozen=True)
class MapLink:
    """One causal link of the map, its strength as a score on -3..+3.

    Attributes
    ----------
    source, target : str
        The :attr:`MapNode.key` of its ends.
    weight : float
        Its strength as the file gives it, on the file's own scale.
    score : int
        That strength on bwsim's -3..+3 scale (:mod:`simulator.scores`).
    rule : str
        How ``score`` was made from ``weight`` (a message, e.g. "weight 0.6 on -1..1: round(3 x 0.6) = +2").
    lag : float | None
        Years, when the file gives one; None when it gives none (the importer's default is used).
    place, line :
        Where it is in the file.
    note : str
        The file's description of it ("" when none).
    """

    source: str
    target: str
    weight: float
    score: int
    rule: str
    lag: float | None
    place: str
    line: int | None = None
    note: str = ""


@dataclass(frozen=True)
class ImportedMap:
    """A participatory map as read from one file.

    Attributes
    ----------
    file : str
        The file, as the user named it.
    format : str
        ``kumu``, ``mentalmodeler``, ``loopy`` or ``fcm``.
    title : str
        The map's own title, "" when the file has none.
    nodes, links :
        Its concepts and causal links, in file order.
    notes : tuple of str
        Every choice the reader made (the scale mapping, what it left out), as messages.
    """

    file: str
    format: str
    title: str
    nodes: tuple[MapNode, ...]
    links: tuple[MapLink, ...]
    notes: tuple[str, ...] = ()


FORMAT_NAMES = {"kumu": "Kumu", "mentalmodeler": "Mental Modeler", "loopy": "LOOPY", "fcm": "FCM"}
"""Each format's name as people write it."""


def read_map_text(path: str | Path) -> str:
    """The text of the map file ``path`` (UTF-8, a BOM allowed), at most :data:`MAX_MAP_BYTES`.

    Raises :class:`InputError` when it is missing, not a regular file, too large or not UTF-8 text.
    """
    raw = read_input_bytes(path, MAX_MAP_BYTES, msg("map file"))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            Problem(
                str(path),
                "",
                msg("is not UTF-8 text (byte {position})", position=exc.start),
                msg("save the file as UTF-8 (CSV UTF-8 in Excel)"),
                line,
            )
        ) from None


def not_the_format(file: str, what: str, reason: str, line: int | None = None) -> InputError:
    """The error for a file that is not the format it was given as (``what`` with its article: "a Kumu JSON export")."""
    return InputError(
        Problem(
            file,
            "",
            msg("is not {what}: {reason}", what=what, reason=reason),
            msg("check that this is the file you meant, and the format it is in"),
            line,
        )
    )


def unit_weight_score(weight: float) -> int:
    """A weight in [-1, 1] (FCM, Mental Modeler) as a score: ``3 w`` rounded half away from zero.

    -1, -0.5, 0.5, 1 become -3, -2, +2, +3; 0.1 becomes 0 (no clear effect).
    """
    size = math.floor(abs(3.0 * weight) + 0.5)
    return int(math.copysign(size, weight)) if size else 0


def unit_weight_rule(weight: float, score: int) -> str:
    """How :func:`unit_weight_score` made ``score`` from ``weight``, for the link's note."""
    return msg("weight {weight:g} on -1..1: 3 x {weight:g} rounded = {score:+g}", weight=weight, score=score)


def number(text: object) -> float | None:
    """``text`` as a finite number (a decimal point or comma), None when it is not one."""
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        try:
            value = float(str(text).strip().replace(",", "."))
        except ValueError:
            return None
    return value if math.isfinite(value) else None


def weight_problem(file: str, place: str, weight: float, scale: str, line: int | None = None) -> Problem:
    """A weight outside its format's scale (``scale`` as people write it: ``-1..1``)."""
    return Problem(
        file,
        place,
        msg("weight {weight:g} is outside the scale {scale}", weight=weight, scale=scale),
        msg("give a weight from {scale}", scale=scale),
        line,
    )


def _same(label: str) -> str:
    """A label as compared for duplicates: spaces collapsed, case and accents ignored."""
    text = unicodedata.normalize("NFKD", " ".join(label.split())).casefold()
    return "".join(c for c in text if not unicodedata.combining(c))


def map_problems(file: str, nodes: list[MapNode], links: list[MapLink]) -> list[Problem]:
    """What makes a map unusable whatever its format: empty labels, duplicate labels or keys, links to
    unknown nodes, the same link twice."""
    problems = []
    seen: dict[str, MapNode] = {}
    keys: dict[str, MapNode] = {}
    for node in nodes:
        if not node.label.strip():
            problems.append(
                Problem(file, node.place, msg("a node without a label"), msg("give every node a label"), node.line)
            )
            continue
        first = seen.setdefault(_same(node.label), node)
        if first is not node:
            problems.append(
                Problem(
                    file,
                    node.place,
                    msg("the label '{label}' is also the label of {other}", label=node.label, other=where(first)),
                    msg("give each node its own label (rename one, or merge the two)"),
                    node.line,
                )
            )
        first_key = keys.setdefault(node.key, node)
        if first_key is not node and first is node:
            problems.append(
                Problem(
                    file,
                    node.place,
                    msg("the id '{key}' is also the id of {other}", key=node.key, other=where(first_key)),
                    msg("give each node its own id"),
                    node.line,
                )
            )
    pairs: dict[tuple[str, str], MapLink] = {}
    for link in links:
        for end in (link.source, link.target):
            if end not in keys:
                known = ", ".join(sorted({n.label for n in nodes})[:12])
                problems.append(
                    Problem(
                        file,
                        link.place,
                        msg("the link names the node '{node}', which the map does not have", node=end),
                        msg("use one of the map's nodes: {nodes}", nodes=known),
                        link.line,
                    )
                )
        first_link = pairs.setdefault((link.source, link.target), link)
        if first_link is not link:
            problems.append(
                Problem(
                    file,
                    link.place,
                    msg(
                        "a second link from '{source}' to '{target}' (the first is {other})",
                        source=_label(keys, link.source),
                        target=_label(keys, link.target),
                        other=where(first_link),
                    ),
                    msg("keep one link per pair of nodes: merge their strengths into one"),
                    link.line,
                )
            )
    return problems


def where(item: MapNode | MapLink) -> str:
    """Where a node or link is in its file, for notes and messages: its place, with its line when known."""
    if item.line is None:
        return item.place
    if item.place:
        return msg("line {line}, {place}", line=item.line, place=item.place)
    return msg("line {line}", line=item.line)


def _label(keys: dict[str, MapNode], key: str) -> str:
    node = keys.get(key)
    return node.label if node else key


def finish(
    file: str,
    format: str,
    title: str,
    nodes: list[MapNode],
    links: list[MapLink],
    notes: Sequence[str],
    problems: list[Problem],
) -> ImportedMap:
    """The map, or :class:`InputError` with every problem found (the reader's and :func:`map_problems`)."""
    problems = problems + map_problems(file, nodes, links)
    if problems:
        raise InputError(problems)
    if not nodes:
        raise InputError(Problem(file, "", msg("the map has no nodes"), msg("check that this is the right file")))
    return ImportedMap(file, format, title, tuple(nodes), tuple(links), tuple(notes))


SCORE_RANGE = f"{SCALE[0]:+g}..{SCALE[1]:+g}"
"""bwsim's scale as people write it: ``-3..+3``."""


def load_json(text: str, file: str, what: str) -> object:
    """``text`` parsed as JSON, or :class:`InputError`: the file is not a ``what`` (with the line of the mistake)."""
    import json

    stripped = text.lstrip()
    if not stripped:
        raise not_the_format(file, what, msg("the file is empty"))
    if stripped[0] not in "{[":
        raise not_the_format(file, what, msg("it does not start like a JSON file (an object or a list)"), 1)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise not_the_format(file, what, msg("it is not valid JSON ({reason})", reason=exc.msg), exc.lineno) from None
    except RecursionError:
        raise not_the_format(file, what, msg("it is nested too deeply")) from None
