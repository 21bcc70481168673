"""An :class:`~simulator.io.maps.imported.ImportedMap` as a bwsim model document, every choice in its notes.

What a map lacks, and what is chosen for it (each written into the model's
``description``, the nodes' ``indicator.note`` and the links' ``evidence.note``):

- **nodes**: an id made from the label (lower case, accents and punctuation
  removed, unique: :func:`node_ids`); an index (``unit: index_point``, ``baseline:
  100``, ``quantified: false``), since a map gives no units or levels; a theme
  found from the map's own group or type when it names a CBS theme
  (:func:`theme_of`), else :data:`DEFAULT_THEME` under its CBS dimension.
- **links**: ``form: elasticity`` with the reader's score on -3..+3 (the score's
  band is the weight's range: ``docs/engine.md``, "Expert-scored links"); the
  file's lag, or ``default_lag`` years (an exponential delay) with a warning naming
  each link that got it.

The model is then read back as ``bwsim validate`` reads a file, and checked. A
loop of links without lag (an algebraic loop) and every other problem bwsim's check
finds are reported in the map's terms: its file, the links' places, their labels.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from simulator.checked import check
from simulator.errors import InputError, Problem
from simulator.io.maps.imported import FORMAT_NAMES, ImportedMap, MapLink, MapNode, where
from simulator.io.spec_files import spec_from_document
from simulator.io.yaml_file import parse_yaml
from simulator.io.yaml_writer import dump_yaml
from simulator.messages import joined, msg, translate
from simulator.network import algebraic_loops
from simulator.spec import ModelSpec
from simulator.themes import THEMES

DEFAULT_THEME = "samenleving"
"""The theme of a node whose map names none (CBS's "samenleving", society, under hier en nu)."""

INDEX_BASELINE = 100.0
"""Every imported node's baseline, in index points: a map gives no levels."""

MAX_ID = 60
"""Longest id made from a label (bwsim's limit is 64; room for a number that makes it unique)."""


@dataclass(frozen=True)
class ImportedModel:
    """A map made into a model.

    Attributes
    ----------
    text : str
        The model file's YAML, as written (read back and checked).
    spec : ModelSpec
        The model it holds.
    ids : dict
        Each map node's key -> its node id.
    warnings : tuple of str
        What the person importing must know (the links that got the default lag), as messages.
    """

    text: str
    spec: ModelSpec
    ids: dict[str, str]
    warnings: tuple[str, ...]


def slug(label: str) -> str:
    """An id from a label: ``"Woningvraag (Parkstad)!"`` -> ``woningvraag_parkstad`` ([a-z][a-z0-9_]*)."""
    text = unicodedata.normalize("NFKD", label)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    if not text or not text[0].isalpha():
        text = "n_" + text if text else "node"
    return text[:MAX_ID].rstrip("_")


def node_ids(nodes: tuple[MapNode, ...]) -> dict[str, str]:
    """Each node's key -> a unique id from its label (a second ``wonen`` is ``wonen_2``)."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for node in nodes:
        base = slug(node.label)
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}_{n}"
        taken.add(candidate)
        ids[node.key] = candidate
    return ids


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).casefold()
    return re.sub(r"[^a-z0-9]+", "_", "".join(c for c in text if not unicodedata.combining(c))).strip("_")


def theme_of(group: str) -> str | None:
    """The CBS theme a map's group or type names (its id, Dutch or English name, in any case), else None."""
    wanted = _plain(group)
    if not wanted:
        return None
    for theme in THEMES:
        if wanted in (theme.id, _plain(theme.nl), _plain(theme.en)):
            return theme.id
    return None


def _dimension(theme_id: str) -> str:
    return next(theme.dimensions[0] for theme in THEMES if theme.id == theme_id)


def map_model(
    imported: ImportedMap, default_lag: float = 1.0, language: str = "nl", lag_name: str | None = None
) -> ImportedModel:
    """The bwsim model of ``imported``, checked as ``bwsim validate`` checks a file.

    Parameters
    ----------
    imported : ImportedMap
        The map, from one of the readers.
    default_lag : float
        Years: the lag of every link the file gives none (an exponential delay; 0: no lag).
    language : str
        The language of the notes written into nodes and links ("nl" or "en"); the
        description is written in both.
    lag_name : str, optional
        How a message names ``default_lag`` (a command's option); "the default lag" when not given.

    Raises
    ------
    InputError
        The model bwsim would refuse, in the map's terms (file, the links' places): a
        loop of links without lag, a lag shorter than ``dt`` allows.
    """
    ids = node_ids(imported.nodes)
    source = Path(imported.file).name
    defaulted = [link for link in imported.links if link.lag is None]
    nodes = [_node(node, ids[node.key], source, language) for node in imported.nodes]
    links = [_link(link, ids, source, default_lag, language) for link in imported.links]
    notes = _notes(imported, ids, default_lag, defaulted, nodes)
    title = imported.title or Path(imported.file).stem
    document: dict[str, Any] = {
        "name": _model_name(Path(imported.file).stem),
        "title": {lang: translate(msg("Participatory map: {title}", title=title), lang) for lang in ("nl", "en")},
        "description": {lang: " ".join(translate(note, lang) for note in notes) for lang in ("nl", "en")},
        "time": {"start": 2025, "end": 2040, "dt": 0.25},
        "nodes": nodes,
        "links": links,
    }
    header = "\n".join(
        translate(text, language)
        for text in (
            msg("Imported from the {format} map {file} (bwsim).", format=FORMAT_NAMES[imported.format], file=source),
            msg(
                "Every choice the import made is in the description, the nodes' indicator notes and the links' "
                "evidence notes."
            ),
        )
    )
    text = dump_yaml(document, header=header)
    name = str(Path(imported.file).with_suffix(".yaml").name)
    doc = parse_yaml(text, name)
    spec = spec_from_document(doc, ModelSpec)
    _refuse_loops(imported, spec, ids, default_lag, lag_name)
    problems = check(spec, doc=None).problems
    if problems:
        raise InputError([_in_map(p, imported) for p in problems])
    warnings = []
    if defaulted:
        warnings.append(
            msg(
                "{n} links have no lag in {file}; each gets the default of {lag:g} years: {links}",
                n=len(defaulted),
                file=source,
                lag=default_lag,
                links=", ".join(_named(link, imported) for link in defaulted),
            )
        )
    return ImportedModel(text, spec, ids, tuple(warnings))


def _model_name(stem: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-._")[:100]
    return name if name and name[0].isalnum() else "imported-map"


def _theme(node: MapNode) -> tuple[str, str, str]:
    """A node's theme, how it was found ("group", "label" or "default"), and why, as a message."""
    theme = theme_of(node.group)
    if theme:
        return theme, "group", msg("theme {theme} from the map's group '{group}'", theme=theme, group=node.group)
    theme = theme_of(node.label)
    if theme:
        return theme, "label", msg("theme {theme}: the label names it", theme=theme)
    return (
        DEFAULT_THEME,
        "default",
        msg("theme {theme} by default (the map names no CBS theme for it)", theme=DEFAULT_THEME),
    )


def _node(node: MapNode, node_id: str, source: str, language: str) -> dict[str, Any]:
    theme, _, why = _theme(node)
    note = msg(
        "From {place} of the map: '{label}'; {why}; an index (baseline 100, index points) since the map "
        "gives no unit or level.",
        place=where(node),
        label=node.label,
        why=why,
    )
    indicator = {
        "source": f"{source}: {translate(where(node), language)}",
        "note": translate(note, language) + (f" {node.note}" if node.note else ""),
    }
    return {
        "id": node_id,
        "label": {"nl": node.label, "en": node.label},
        "theme": theme,
        "dimension": _dimension(theme),
        "unit": "index_point",
        "baseline": INDEX_BASELINE,
        "direction": "neutral",
        "quantified": False,
        "indicator": indicator,
    }


def _link(link: MapLink, ids: dict[str, str], source: str, default_lag: float, language: str) -> dict[str, Any]:
    lag = default_lag if link.lag is None else link.lag
    out: dict[str, Any] = {
        "from": ids[link.source],
        "to": ids[link.target],
        "score": link.score,
        "form": "elasticity",
        "lag": float(lag),
    }
    out["delay"] = "none" if lag == 0 else "exponential"
    lag_note = (
        msg("lag {lag:g} years from the file", lag=lag)
        if link.lag is not None
        else msg("no lag in the file: the default {lag:g} years", lag=lag)
    )
    note = translate(msg("{rule}; {lag}.", rule=link.rule, lag=lag_note), language)
    out["evidence"] = {
        "strength": "expert",
        "source": f"{source}: {translate(where(link), language)}",
        "note": note + (f" {link.note}" if link.note else ""),
    }
    return out


def _named(link: MapLink, imported: ImportedMap) -> str:
    labels = {node.key: node.label for node in imported.nodes}
    return f"{labels.get(link.source, link.source)} -> {labels.get(link.target, link.target)}"


def _notes(
    imported: ImportedMap,
    ids: dict[str, str],
    default_lag: float,
    defaulted: list[MapLink],
    nodes: list[dict[str, Any]],
) -> list[str]:
    notes: list[str] = [
        msg(
            "Imported from the {format} map {file}.",
            format=FORMAT_NAMES[imported.format],
            file=Path(imported.file).name,
        ),
        *imported.notes,
    ]
    notes.append(
        msg(
            "Each link is form: elasticity with its score on -3..+3 (1 % more of the source gives the "
            "score's elasticity band in % of the target; its range is the weight's range)."
        )
    )
    notes.append(
        msg(
            "Each node is an index (unit index_point, baseline 100, quantified: false): a map gives no units "
            "or levels; give a node its indicator's unit and baseline where one is measured."
        )
    )
    given = len(imported.links) - len(defaulted)
    notes.append(
        msg(
            "Lags: {given} of {total} links have one in the file; {n} get the default of {lag:g} years "
            "(an exponential delay).",
            given=given,
            total=len(imported.links),
            n=len(defaulted),
            lag=default_lag,
        )
    )
    renamed = [f"'{node.label}' -> {ids[node.key]}" for node in imported.nodes if ids[node.key] != node.label]
    if renamed:
        notes.append(
            msg(
                "Node ids are made from the labels (lower case, accents and punctuation removed, made "
                "unique): {pairs}.",
                pairs=", ".join(renamed),
            )
        )
    themes = [(n["id"], n["theme"], _theme(node)[1]) for n, node in zip(nodes, imported.nodes, strict=True)]
    defaulted_themes = [node_id for node_id, _, how in themes if how == "default"]
    found = [f"{node_id}: {theme}" for node_id, theme, how in themes if how != "default"]
    if found:
        notes.append(msg("Themes found from the map's groups or labels: {pairs}.", pairs=", ".join(found)))
    if defaulted_themes:
        notes.append(
            msg(
                "{n} nodes have no CBS theme in the map and get {theme} ({dimension}) by default: {ids}; set "
                "each node's theme and dimension.",
                n=len(defaulted_themes),
                theme=DEFAULT_THEME,
                dimension=_dimension(DEFAULT_THEME),
                ids=", ".join(defaulted_themes),
            )
        )
    return notes


def _refuse_loops(
    imported: ImportedMap, spec: ModelSpec, ids: dict[str, str], default_lag: float, lag_name: str | None
) -> None:
    """Refuse each loop of links without lag, naming its links by the map's labels and places."""
    loops = algebraic_loops(spec)
    if not loops:
        return
    by_ends = {(ids[link.source], ids[link.target]): link for link in imported.links}
    labels = {ids[node.key]: node.label for node in imported.nodes}
    problems = []
    order = {node_id: k for k, node_id in enumerate(ids.values())}
    for found in loops:
        first = min(range(len(found)), key=lambda k: order[found[k]])
        loop = found[first:] + found[:first]  # from the map's first node of it, whatever order networkx found
        steps = [by_ends[(a, b)] for a, b in zip(loop, [*loop[1:], loop[0]], strict=True)]
        cycle = " -> ".join(labels[n] for n in [*loop, loop[0]])
        places = joined(", ", list(dict.fromkeys(where(link) for link in steps)))
        if any(link.lag is None for link in steps):
            hint = msg(
                "give one of these links a lag in the file, or set {lag} above 0 for links without one",
                lag=lag_name or msg("the default lag"),
            )
        else:
            hint = msg("give one of these links a lag above 0 in the file (each has lag 0 there)")
        problems.append(
            Problem(
                imported.file,
                places,
                msg(
                    "a loop of links without lag: {cycle}; every link of it acts in the same step, "
                    "so bwsim cannot order them (an algebraic loop)",
                    cycle=cycle,
                ),
                hint,
                steps[0].line,
            )
        )
    raise InputError(problems)


def _in_map(problem: Problem, imported: ImportedMap) -> Problem:
    """A problem bwsim's check found in the generated model, placed in the map (file, the link's or node's place)."""
    path = problem.path or ()
    if len(path) >= 2 and path[0] in ("links", "nodes") and isinstance(path[1], int):
        items = imported.links if path[0] == "links" else imported.nodes
        item = items[path[1]]
        return replace(problem, file=imported.file, place=item.place, line=item.line)
    return replace(problem, file=imported.file)
