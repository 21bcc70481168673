"""LOOPY models (ncase.me/loopy): the saved link ``.../loopy/v1.1/?data=[...]`` or the JSON in it.

What LOOPY writes (its ``Model.serialize``, github.com/ncase/loopy, ``v1.1/js/Model.js``):
a JSON list ``[nodes, edges, labels, uid]``. A node is ``[id, x, y, init, label, hue, ...]``,
an edge ``[from, to, arc, strength, rotation, ...]`` with ``strength`` +1 or -1 (later
versions also write +-8 and +-9 for a sign with a behaviour), a label ``[x, y, text]``. In
the link the quotes are written ``%22`` and the last ``]`` as ``%5D``, and the texts are
URI-encoded once more (a space is ``%2520``): the link's value is decoded once, the texts
again. LOOPY gives a link's sign only, so each link gets the score +-2 (medium).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from simulator.errors import Problem
from simulator.io.maps.imported import (
    ImportedMap,
    MapLink,
    MapNode,
    finish,
    load_json,
    not_the_format,
    read_map_text,
    weight_problem,
)
from simulator.messages import msg

WHAT = msg("a LOOPY model (its saved link, or the JSON in it)")
SCORE = 2
"""The score of a LOOPY link of strength +1 (-1: minus it): LOOPY gives a sign only, no size."""

STRENGTHS = {1: 1, -1: -1, 8: 1, 9: 1, -8: -1, -9: -1}
"""LOOPY's edge strengths and their sign (+-8, +-9: a sign with a behaviour, newer versions)."""

_DATA = re.compile(r"[?&]data=([^&#\s]+)")


def read_loopy(path: str | Path) -> ImportedMap:
    """The map of a LOOPY link (a file holding the URL) or of the JSON list it carries."""
    file = str(path)
    text = read_map_text(path).strip()
    found = _DATA.search(text)
    if found:
        text = unquote(found.group(1))
    elif text.startswith("[") and "%22" in text:
        text = unquote(text)
    data = load_json(text, file, WHAT)
    if not (isinstance(data, list) and len(data) >= 2 and all(isinstance(part, list) for part in data[:2])):
        raise not_the_format(file, WHAT, msg("it is not LOOPY's list [nodes, edges, labels, uid]"))
    problems: list[Problem] = []
    nodes = []
    for i, node in enumerate(data[0]):
        if not (isinstance(node, list) and len(node) >= 5):
            problems.append(
                Problem(
                    file,
                    f"nodes[{i}]",
                    msg("a node is [id, x, y, init, label, hue]"),
                    msg("check that this is a LOOPY model"),
                )
            )
            continue
        nodes.append(MapNode(str(node[0]), unquote(str(node[4])), f"nodes[{i}]"))
    links = []
    for k, edge in enumerate(data[1]):
        place = f"edges[{k}]"
        if not (isinstance(edge, list) and len(edge) >= 4):
            problems.append(
                Problem(
                    file,
                    place,
                    msg("an edge is [from, to, arc, strength, rotation]"),
                    msg("check that this is a LOOPY model"),
                )
            )
            continue
        strength = edge[3]
        sign = STRENGTHS.get(strength) if isinstance(strength, int) and not isinstance(strength, bool) else None
        if sign is None:
            value = strength if isinstance(strength, (int, float)) and not isinstance(strength, bool) else float("nan")
            problems.append(weight_problem(file, f"{place}.strength", value, msg("+1 or -1")))
            continue
        rule = msg("LOOPY strength {strength:+g} (a sign only): score {score:+g}", strength=sign, score=sign * SCORE)
        links.append(MapLink(str(edge[0]), str(edge[1]), float(sign), sign * SCORE, rule, None, place))
    texts = [
        unquote(str(label[2]))
        for label in (data[2] if len(data) > 2 and isinstance(data[2], list) else [])
        if isinstance(label, list) and len(label) >= 3
    ]
    notes: list[str]
    notes = [
        msg(
            "Read as a LOOPY model: LOOPY gives each link a sign only (+1 or -1), so each becomes the score "
            "{plus:+g} or {minus:+g} (medium); change the scores where the workshop said more.",
            plus=SCORE,
            minus=-SCORE,
        ),
        msg("LOOPY gives no lags; its nodes' start amounts and colours are left out."),
    ]
    if texts:
        notes.append(msg("The map's text labels: {texts}", texts=" | ".join(" ".join(t.split()) for t in texts)))
    return finish(file, "loopy", "", nodes, links, notes, problems)
