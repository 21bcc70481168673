"""The one YAML writer: new documents from plain data, and edits of existing documents that keep comments.

Built on ruamel.yaml's round-trip mode, which keeps comments, key order,
quoting and the layout of values it does not touch. Two uses:

- :func:`dump_yaml` writes plain data (e.g. a spec's ``model_dump``) as a new
  document, keys in the order given;
- :func:`rewrite_yaml` sets values at key paths (``("links", 3, "weight")``) in
  an existing document's text and returns the new text: everything else,
  comments included, stays as it was.

What is written is read back by :mod:`simulator.io.yaml_file` (PyYAML, YAML
1.1) as the same values: text that YAML 1.1 would read as something else
(``yes``, ``on``, ``1e3``, ``2030-01-01``) is quoted, and floats are written
with a decimal point (``1.0e-05``), as YAML 1.1 needs to read them as numbers.
The text to rewrite is expected to be a document that
:func:`~simulator.io.yaml_file.parse_yaml` accepted (size, depth, aliases and
tags are checked there, not here).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Hashable, Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.representer import RoundTripRepresenter, SafeRepresenter
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarfloat import ScalarFloat
from ruamel.yaml.util import load_yaml_guess_indent

from simulator.io.yaml_file import PathKey, format_place

WIDTH = 100
"""Line width the writer aims for (long text is folded, as before)."""

_EXPONENT = re.compile(r"^[-+]?([0-9][0-9_]*\.?[0-9_]*|\.[0-9_]+)[eE][-+]?[0-9]+$")


def _pyyaml_resolvers() -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    """PyYAML's implicit scalar resolvers (first character -> (tag, pattern)), and plain ``1e3`` as a float."""
    import yaml

    table = {first: list(pairs) for first, pairs in yaml.resolver.Resolver.yaml_implicit_resolvers.items()}
    for first in "-+0123456789.":
        table.setdefault(first, []).insert(0, ("tag:yaml.org,2002:float", _EXPONENT))
    return table


class _PyYamlResolver(VersionedResolver):
    """Resolves plain scalars exactly as the project's reader does (PyYAML's YAML 1.1 rules).

    Used both to read the text to rewrite (so ``y`` stays text, ``yes`` a boolean,
    as :mod:`simulator.io.yaml_file` reads them) and to decide what to quote when
    writing. Text such as ``1e3`` (no decimal point) counts as a number, since
    :func:`~simulator.io.yaml_file.parse_yaml` reads it plain as one.
    """

    _table = _pyyaml_resolvers()

    @property
    def versioned_resolver(self) -> Any:
        return self._table  # no entry for None: ruamel's resolve() then never extends a list in place


def _represent_read_float(representer: Any, value: ScalarFloat) -> Any:
    """A float read from the document: as it was written when ruamel's rendering reads back as the same
    number, else as a new float (ruamel re-renders from width and precision, which can change the last digit)."""
    node = RoundTripRepresenter.represent_scalar_float(representer, value)
    try:
        same = float(node.value.replace("_", "")) == float(value)
    except ValueError:  # .inf, .nan
        same = True
    return node if same else _represent_float(representer, float(value))


def _represent_float(representer: Any, value: float) -> Any:
    """A new float as PyYAML writes it: ``1.0e-05`` (a YAML 1.1 float needs the dot), ``.inf``, ``.nan``."""
    if math.isnan(value):
        text = ".nan"
    elif math.isinf(value):
        text = ".inf" if value > 0 else "-.inf"
    else:
        text = repr(value).lower()
        if "." not in text and "e" in text:
            text = text.replace("e", ".0e", 1)
    return representer.represent_scalar("tag:yaml.org,2002:float", text)


_LINE_BREAKS_AND_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
"""Characters a YAML reader folds or refuses in plain or single-quoted text (NEL, LS, PS, controls)."""


def _represent_str(representer: Any, value: str) -> Any:
    """Text as ruamel writes it, except text with such characters: double-quoted, where they are escaped."""
    if _LINE_BREAKS_AND_CONTROLS.search(value):
        return representer.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return SafeRepresenter.represent_str(representer, value)


def _represent_text(representer: Any, value: str) -> Any:
    """A subclass of str (a message that can be translated) written as its plain text."""
    return _represent_str(representer, str(value))


def _writer() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.Resolver = _PyYamlResolver
    yaml.width = WIDTH
    yaml.allow_unicode = True
    yaml.default_flow_style = False
    yaml.preserve_quotes = True
    yaml.representer.add_representer(float, _represent_float)
    yaml.representer.add_representer(str, _represent_str)
    yaml.representer.add_multi_representer(str, _represent_text)  # str subclasses, e.g. translatable messages
    yaml.representer.add_representer(ScalarFloat, _represent_read_float)
    return yaml


def _text(yaml: YAML, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def dump_yaml(data: Any, header: str = "") -> str:
    """Plain data (dicts, lists, text, numbers, booleans, None) as a new YAML document.

    Parameters
    ----------
    data : Any
        The document; mappings keep their key order.
    header : str
        Comment lines put first (each line gets ``# `` when it has no ``#``).
    """
    return _comment(header) + _text(_writer(), data)


def rewrite_yaml(text: str, changes: Mapping[PathKey, Any], header: str = "") -> str:
    """``text`` with the value at each key path set, comments, order and layout kept.

    Parameters
    ----------
    text : str
        An existing YAML document (one that :func:`~simulator.io.yaml_file.parse_yaml` accepted).
    changes : mapping of key path to value
        ``("links", 3, "weight") -> {"low": 0.5, "mode": 1.0, "high": 2.0}``. A
        missing last key is added at the end of its mapping, a missing mapping on
        the way is made; list indexes must exist; the value :data:`REMOVE` removes
        the key. Applied in the given order.
    header : str
        Comment lines put before the document's own first lines.

    Raises
    ------
    KeyError
        A path leads through a value that is not a mapping or list, or to a list
        index that does not exist (a caller's bug: paths come from a document
        that was read).
    SharedValueError
        A change would land inside a mapping or list the document shares through
        an anchor (other places would change too), or in a mapping that merges
        one in (``<<: *name``: the reader refuses a key given twice); nothing is
        changed.
    """
    yaml = _writer()
    indent, offset = _list_indent(text)
    document = yaml.load(text)
    if indent is not None and offset is not None:
        yaml.indent(mapping=max(offset, 2), sequence=indent, offset=offset)
    yaml.width = max([WIDTH, *(len(line) + 1 for line in text.splitlines())])  # never fold the file's own long lines
    for path, value in changes.items():
        if not path:
            raise KeyError("an empty key path: the whole document cannot be replaced by rewrite_yaml")
        parent = _walk(document, path[:-1], create=True)
        last = path[-1]
        if isinstance(parent, CommentedSeq) and not (isinstance(last, int) and 0 <= last < len(parent)):
            raise KeyError(f"no item {last!r} at {format_place(path[:-1])}")
        if not isinstance(parent, (CommentedMap, CommentedSeq)):
            raise KeyError(f"cannot set {format_place(path)}: {format_place(path[:-1])} is not a mapping or list")
        if value is REMOVE:
            if isinstance(parent, CommentedMap):
                parent.pop(last, None)
            continue
        parent[last] = value
    return _comment(header) + _text(yaml, document)


REMOVE = object()
"""A change's value that removes the key at its path (:func:`rewrite_yaml`)."""


def _list_indent(text: str) -> tuple[int | None, int | None]:
    """How the document indents its lists (ruamel's guess), so they are written back the same way."""
    try:
        _, indent, offset = load_yaml_guess_indent(text)
    except IndexError:  # ruamel's guess runs off a line holding only "-" (a list item that is null)
        return None, None
    return indent, offset


class SharedValueError(ValueError):
    """A change would land in a value the document shares through a YAML anchor (``&name`` ... ``*name``),
    or in a mapping that takes keys from one (``<<: *name``).

    Attributes
    ----------
    path : tuple
        The key path of the shared value.
    """

    def __init__(self, path: PathKey):
        super().__init__(
            f"{format_place(path)} is shared through a YAML anchor: changing it would change "
            "every place that refers to it"
        )
        self.path = path


def _walk(node: Any, path: tuple[Hashable, ...], create: bool) -> Any:
    """The mapping or list at ``path``; refuses one that is anchored (shared), where a change would spread."""
    for depth, key in enumerate(path):
        if isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        elif isinstance(node, CommentedMap):
            if key not in node or node[key] is None:
                if not create:
                    raise KeyError(f"no key {key!r} at {format_place(path[:depth])}")
                node[key] = CommentedMap()
            node = node[key]
        else:
            raise KeyError(f"cannot go into {format_place(path[: depth + 1])}: not a mapping or list")
        if getattr(getattr(node, "anchor", None), "value", None) is not None or getattr(node, "merge", None):
            raise SharedValueError(path[: depth + 1])  # anchored, or takes keys from one (<<: *name)
    return node


def _comment(header: str) -> str:
    if not header:
        return ""
    lines = header.rstrip("\n").split("\n")
    return "".join((line if line.lstrip().startswith("#") else f"# {line}".rstrip()) + "\n" for line in lines)


__all__ = ["REMOVE", "WIDTH", "SharedValueError", "dump_yaml", "rewrite_yaml"]
