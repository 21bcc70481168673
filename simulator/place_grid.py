"""Where each place sits on a schematic tile map: a small table of grid positions, and a fallback grid.

The app's map of places (gemeenten, wijken) is a tile map that works offline: each place is one
tile at a fixed (row, column) of a grid, roughly where it lies (row 0 is the north). The seven
Parkstad gemeenten have their own positions; any other place gets one in a square grid below them
(in the order given), so a model over places this table does not know still gets a map.
No I/O, no UI.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

PARKSTAD_GRID: dict[str, tuple[int, int]] = {
    # (row, column); row 0 north, column 0 west. Schematic, not to scale.
    "beekdaelen": (0, 0),
    "brunssum": (0, 1),
    "landgraaf": (0, 2),
    "voerendaal": (1, 0),
    "heerlen": (1, 1),
    "kerkrade": (1, 2),
    "simpelveld": (2, 1),
}
"""Grid positions of the Parkstad gemeenten (element ids as in a model's ``gemeente`` dimension)."""


def grid_positions(places: Sequence[str]) -> dict[str, tuple[int, int]]:
    """The tile of each of ``places``: ``{place: (row, column)}``, rows counted from the north.

    A place in :data:`PARKSTAD_GRID` keeps its position there; the others fill a grid
    ``ceil(sqrt(n))`` tiles wide, row by row in the order given, starting one row below the
    known places (at row 0 when none is known). Every place gets its own tile.
    """
    known = {p: PARKSTAD_GRID[p] for p in places if p in PARKSTAD_GRID}
    others = [p for p in dict.fromkeys(places) if p not in known]
    if not others:
        return known
    width = max(1, math.ceil(math.sqrt(len(others))))
    first_row = max((row for row, _ in known.values()), default=-1) + 1
    fallback = {p: (first_row + i // width, i % width) for i, p in enumerate(others)}
    return {p: known.get(p) or fallback[p] for p in dict.fromkeys(places)}
