"""Where the network's nodes go: one block per brede-welvaart dimension, one column per theme.

A hand-made, fixed layout (no randomness, no force simulation): the dimensions in their order
(hier en nu, later, elders), each a block of columns, one column per theme in CBS's order, its
nodes stacked in file order. Blocks are packed into bands of at most :data:`MAX_COLUMNS` columns,
so every column is wide enough for a label wrapped to :data:`LABEL_CHARS` characters, and every
node is a full row (:data:`ROW`) below the one above it, so labels written under their nodes never
reach the next node. :func:`label_boxes` computes the boxes the labels take on screen, for tests.

Coordinates are plot units: x is a column slot (0 .. MAX_COLUMNS - 1), y goes down from 0.
No Streamlit and no plotly here: the app draws it (``simulator/app/charts.py``) and the exports place their
diagrams with it (:func:`diagram_positions`), so it lives in ``simulator/``.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.spec import DIMENSIONS, ModelSpec
from simulator.themes import in_cbs_order

MAX_COLUMNS = 8
LABEL_CHARS = 16  # labels are wrapped at this many characters
HEADER = 0.9  # plot units above a band's first row: room for the theme names
ROW = 1.0  # plot units from one node to the next in a column
BAND_GAP = 0.75  # plot units below a band's last node: room for its label
SECTION_GAP = 0.4  # column slots between two dimensions in one band
PX_PER_UNIT = 84  # the figure's height per plot unit of y (pixels)
MIN_WIDTH_PX = 1000  # the plot width the layout is made for: the app's main area on a 1366-px screen
FONT_PX = 11
CHAR_PX = 0.6 * FONT_PX  # an upper estimate of a character's width in the app's sans-serif font
LINE_PX = 1.3 * FONT_PX
MARKER_PX = 16


@dataclass(frozen=True)
class Column:
    """One theme of one dimension: where its header goes, which nodes it holds."""

    dimension: str
    theme: str
    x: float
    y: float  # of the header
    nodes: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    """Node positions, the columns, and the plot's extent (x and y ranges in plot units)."""

    positions: dict[str, tuple[float, float]]
    columns: tuple[Column, ...]
    x_range: tuple[float, float]
    y_range: tuple[float, float]

    @property
    def height_px(self) -> int:
        """The figure height at which rows are :data:`PX_PER_UNIT` apart (without margins)."""
        return int(round((self.y_range[1] - self.y_range[0]) * PX_PER_UNIT))


def _blocks(model: ModelSpec) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """Per dimension (in order): its themes (CBS order) with their node ids (file order)."""
    out = []
    for dimension in DIMENSIONS:
        nodes = [n for n in model.nodes if n.dimension == dimension]
        themes = in_cbs_order(n.theme for n in nodes)
        if themes:
            out.append((dimension, [(t, [n.id for n in nodes if n.theme == t]) for t in themes]))
    return out


def _bands(blocks: list) -> list[list[tuple[str, str, list[str]]]]:
    """Columns (dimension, theme, nodes) packed into bands of at most MAX_COLUMNS; a dimension stays whole
    in one band when it fits, and a dimension with more themes than that starts bands of its own."""
    bands: list[list[tuple[str, str, list[str]]]] = [[]]
    for dimension, themes in blocks:
        columns = [(dimension, theme, nodes) for theme, nodes in themes]
        if bands[-1] and len(bands[-1]) + len(columns) > MAX_COLUMNS - 1:
            bands.append([])
        for column in columns:
            if len(bands[-1]) == MAX_COLUMNS:
                bands.append([])
            bands[-1].append(column)
    return [band for band in bands if band]


def layout(model: ModelSpec) -> Layout:
    """The fixed layout of the whole network (see the module's text)."""
    positions: dict[str, tuple[float, float]] = {}
    columns: list[Column] = []
    top = 0.0
    for band in _bands(_blocks(model)):
        x, previous = 0.0, band[0][0]
        for dimension, theme, nodes in band:
            if dimension != previous:
                x += SECTION_GAP
                previous = dimension
            columns.append(Column(dimension, theme, x, top, tuple(nodes)))
            for i, node in enumerate(nodes):
                positions[node] = (x, top - HEADER - i * ROW)
            x += 1.0
        rows = max(len(nodes) for _, _, nodes in band)
        top -= HEADER + (rows - 1) * ROW + BAND_GAP + HEADER * 0.5
    bottom = min((y for _, y in positions.values()), default=0.0) - BAND_GAP
    width = max(MAX_COLUMNS - 1.0, max((c.x for c in columns), default=0.0))
    return Layout(positions, tuple(columns), (-0.5, width + 0.5), (bottom, 0.45))


def wrap(text: str, width: int = LABEL_CHARS) -> list[str]:
    """``text`` broken at spaces into lines of at most about ``width`` characters (a longer word stays whole)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


Box = tuple[float, float, float, float]
"""left, top, right, bottom in pixels from the plot area's top left corner."""


def to_pixels(lay: Layout, x: float, y: float, width_px: int = MIN_WIDTH_PX) -> tuple[float, float]:
    """A plot point's pixel position in a plot area ``width_px`` wide and :attr:`Layout.height_px` high."""
    (x0, x1), (y0, y1) = lay.x_range, lay.y_range
    return (x - x0) / (x1 - x0) * width_px, (y1 - y) / (y1 - y0) * lay.height_px


def label_boxes(lay: Layout, labels: dict[str, str], width_px: int = MIN_WIDTH_PX) -> dict[str, Box]:
    """The box each node's label takes when written centred under its marker (``labels``: node -> text)."""
    boxes = {}
    for node, text in labels.items():
        lines = wrap(text)
        px, py = to_pixels(lay, *lay.positions[node], width_px)
        half = max((len(line) for line in lines), default=0) * CHAR_PX / 2
        top = py + MARKER_PX / 2 + 2
        boxes[node] = (px - half, top, px + half, top + len(lines) * LINE_PX)
    return boxes


def marker_boxes(lay: Layout, width_px: int = MIN_WIDTH_PX) -> dict[str, Box]:
    """The box of each node's marker."""
    half = MARKER_PX / 2
    return {
        node: (px - half, py - half, px + half, py + half)
        for node, (px, py) in ((n, to_pixels(lay, x, y, width_px)) for n, (x, y) in lay.positions.items())
    }


def overlap(a: Box, b: Box) -> bool:
    """Whether two boxes share some area."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


DIAGRAM_COLUMN = 160.0  # points between two columns on an exported diagram
DIAGRAM_ROW = 110.0  # points per plot unit of y on an exported diagram
DIAGRAM_MARGIN = 80.0  # points from the diagram's top left corner to the first column and header


def diagram_positions(model: ModelSpec) -> dict[str, tuple[float, float]]:
    """Each node's place on an exported diagram (points, x right, y down), from :func:`layout`."""
    lay = layout(model)
    return {
        node: (DIAGRAM_MARGIN + x * DIAGRAM_COLUMN, DIAGRAM_MARGIN - y * DIAGRAM_ROW)
        for node, (x, y) in lay.positions.items()
    }
