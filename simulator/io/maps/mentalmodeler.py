"""Mental Modeler maps: its CSV export (a weight matrix) and its project file ``.mmp``.

The ``.mmp`` structure is that of Mental Modeler's own files and code
(github.com/mentalmodeler: the XML of ``mentalmodeler-scenario/mmp/*.mmp`` and the
JSON of ``mentalmodeler-js/src/models/*.mmp.json``). Both hold ``info`` (``name``,
``author``, ...), ``groupNames`` and a list of ``concepts``, each with ``id``,
``name``, ``notes``, ``units``, ``group`` and ``relationships``; a relationship names
its *target* concept by ``id`` and gives its ``influence`` (a weight in [-1, 1]) and
``confidence``. The XML root is ``<mentalmodeler>`` (values in CDATA); the JSON is the
same tree. The CSV export is the concepts' adjacency matrix (row influences column),
read as an FCM matrix (:mod:`simulator.io.maps.fcm`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulator.errors import Problem
from simulator.io.maps.fcm import UNIT_SCALE, read_matrix, scale_note
from simulator.io.maps.imported import (
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
from simulator.messages import msg

WHAT = msg("a Mental Modeler file (.mmp or its CSV export)")


def read_mentalmodeler(path: str | Path) -> ImportedMap:
    """The map of a Mental Modeler ``.mmp`` (XML or JSON) or CSV matrix export, told apart by the content."""
    file = str(path)
    text = read_map_text(path)
    start = text.lstrip()[:1]
    if start == "<":
        return _from_tree(file, _xml_tree(text, file))
    if start == "{":
        data = load_json(text, file, WHAT)
        if not isinstance(data, dict) or not isinstance(data.get("concepts"), list):
            raise not_the_format(file, WHAT, msg("its JSON has no list 'concepts'"))
        return _from_tree(file, data)
    header, rows = read_table(text, file, WHAT)
    return read_matrix(file, header, rows, "mentalmodeler", WHAT)


def _xml_tree(text: str, file: str) -> dict[str, Any]:
    """The ``.mmp`` XML as the JSON form's tree (concepts and their relationships as lists)."""
    import xml.etree.ElementTree as ElementTree

    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise not_the_format(file, WHAT, msg("it declares a DTD or entities, which a Mental Modeler file never does"))
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise not_the_format(
            file, WHAT, msg("it is not valid XML ({reason})", reason=str(exc)), exc.position[0]
        ) from None
    if root.tag.casefold() != "mentalmodeler":
        raise not_the_format(file, WHAT, msg("its XML root is <{tag}>, not <mentalmodeler>", tag=root.tag))

    def text_of(element: Any, name: str) -> str:
        child = element.find(name)
        return (child.text or "").strip() if child is not None else ""

    concepts = []
    for concept in root.iterfind("concepts/concept"):
        relationships = [
            {key: text_of(rel, key) for key in ("id", "name", "notes", "confidence", "influence")}
            for rel in concept.iterfind("relationships/relationship")
        ]
        concepts.append(
            {
                **{key: text_of(concept, key) for key in ("id", "name", "notes", "units", "group")},
                "relationships": relationships,
            }
        )
    groups = {str(k): (child.text or "").strip() for k, child in enumerate(root.iterfind("groupNames/*"))}
    return {"info": {"name": text_of(root, "info/name")}, "groupNames": groups, "concepts": concepts}


def _from_tree(file: str, data: dict[str, Any]) -> ImportedMap:
    """The map of a ``.mmp`` tree (from XML or JSON)."""
    groups: dict[str, Any] = data["groupNames"] if isinstance(data.get("groupNames"), dict) else {}
    info: dict[str, Any] = data["info"] if isinstance(data.get("info"), dict) else {}
    problems: list[Problem] = []
    nodes: list[MapNode] = []
    links: list[MapLink] = []
    for i, concept in enumerate(data.get("concepts") or []):
        place = f"concepts[{i}]"
        if not isinstance(concept, dict) or "id" not in concept:
            problems.append(Problem(file, place, msg("a concept without an id"), msg("check the file")))
            continue
        group = str(groups.get(str(concept.get("group", "")), "") or "")
        nodes.append(
            MapNode(
                str(concept["id"]),
                str(concept.get("name", "")),
                place,
                None,
                group,
                str(concept.get("notes", "") or ""),
            )
        )
        for j, rel in enumerate(concept.get("relationships") or []):
            rel_place = f"{place}.relationships[{j}]"
            weight = number(rel.get("influence")) if isinstance(rel, dict) else None
            if weight is None:
                problems.append(
                    Problem(
                        file,
                        f"{rel_place}.influence",
                        msg("the influence is not a number"),
                        msg("give an influence from {scale}", scale=UNIT_SCALE),
                    )
                )
                continue
            if not -1.0 <= weight <= 1.0:
                problems.append(weight_problem(file, f"{rel_place}.influence", weight, UNIT_SCALE))
                continue
            if weight == 0.0:
                continue
            score = unit_weight_score(weight)
            note = str(rel.get("notes", "") or "")
            confidence = str(rel.get("confidence", "") or "")
            if confidence not in ("", "0"):
                note = (note + "; " if note else "") + msg(
                    "Mental Modeler confidence {confidence}", confidence=confidence
                )
            links.append(
                MapLink(
                    str(concept["id"]),
                    str(rel.get("id", "")),
                    weight,
                    score,
                    unit_weight_rule(weight, score),
                    None,
                    rel_place,
                    None,
                    note,
                )
            )
    notes = [
        msg(
            "Read as a Mental Modeler project: each concept's relationships name their target by id; an "
            "influence of 0 is no link."
        ),
        scale_note(),
        msg("Mental Modeler gives no lags."),
    ]
    return finish(file, "mentalmodeler", str(info.get("name", "") or ""), nodes, links, notes, problems)
