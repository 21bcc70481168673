"""Participatory causal maps (Kumu, Mental Modeler, LOOPY, FCM) read into bwsim models.

``read_map(path, format)`` gives an :class:`ImportedMap` (nodes, links scored on
-3..+3, the notes of each choice); :func:`map_model` turns it into a checked model
file's text. ``docs/formats.md``, "Participatory maps", says what each format holds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from simulator.io.maps.fcm import read_fcm
from simulator.io.maps.imported import FORMAT_NAMES, ImportedMap, MapLink, MapNode
from simulator.io.maps.kumu import read_kumu
from simulator.io.maps.loopy import read_loopy
from simulator.io.maps.mentalmodeler import read_mentalmodeler
from simulator.io.maps.to_model import ImportedModel, map_model

READERS: dict[str, Callable[[str | Path], ImportedMap]] = {
    "kumu": read_kumu,
    "mentalmodeler": read_mentalmodeler,
    "loopy": read_loopy,
    "fcm": read_fcm,
}
"""Each format's reader."""


def read_map(path: str | Path, format: str) -> ImportedMap:
    """The map in ``path``, read as ``format`` (a key of :data:`READERS`; KeyError otherwise)."""
    return READERS[format](path)


__all__ = [
    "FORMAT_NAMES",
    "READERS",
    "ImportedMap",
    "ImportedModel",
    "MapLink",
    "MapNode",
    "map_model",
    "read_fcm",
    "read_kumu",
    "read_loopy",
    "read_map",
    "read_mentalmodeler",
]
