"""Safe YAML reading that remembers where every value came from.

The document is composed with PyYAML's safe loader and converted to plain Python
by hand, so that

- no tag can build a Python object (only YAML's standard scalar tags resolve);
- a file built to explode through aliases is refused after a bounded amount of
  work instead of hanging: what is counted is alias expansion (values visited
  a second time), so a large file that uses no aliases is read whatever its size
  up to :data:`MAX_FILE_BYTES`;
- a key that is a list or mapping (YAML's ``? [a, b]``) and an integer of more
  than :data:`MAX_DIGITS` digits are refused with their line;
- duplicate keys are refused instead of silently overwritten;
- the document is composed by libyaml (PyYAML's C parser, about ten times
  faster than the pure-Python one) when it is installed;
- every key path (``("links", 3, "lag")``) maps to its 1-based line, so errors
  can point at the line.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from simulator.errors import InputError, Problem
from simulator.io.input_file import read_input_bytes, too_large
from simulator.messages import msg

MAX_FILE_BYTES = 5_000_000
"""Largest YAML file read, in bytes (a model of thousands of links fits easily)."""

MAX_ALIAS_VALUES = 200_000
"""Most values read through aliases (a value visited again: guards alias bombs); values written out are
not counted."""

MAX_DIGITS = 100
"""Most digits of an integer read (Python refuses to convert more than 4,300; a model needs about 10)."""

MAX_DEPTH = 100
"""Deepest nesting of mappings and lists read (model files need about 5)."""

PathKey = tuple[Hashable, ...]

_FAST_LOADER = getattr(yaml, "CSafeLoader", None)
"""libyaml's safe loader (about 10x faster than PyYAML's own), when PyYAML was built with it."""

_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_EXPONENT = re.compile(r"^[-+]?([0-9][0-9_]*\.?[0-9_]*|\.[0-9_]+)[eE][-+]?[0-9]+$")


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML document with the line of every key path.

    Attributes
    ----------
    data : Any
        The document as plain Python (dict, list, str, int, float, bool, None).
    file : str
        The name used in error messages.
    lines : dict
        Maps key paths such as ``("links", 3, "lag")`` to 1-based line numbers.
    text : str
        The text it was read from, comments included (what
        :func:`simulator.io.yaml_writer.rewrite_yaml` edits; "" when not known).
    """

    data: Any
    file: str
    lines: dict[PathKey, int] = field(default_factory=dict)
    text: str = field(default="", repr=False, compare=False)

    def line_of(self, path: PathKey) -> int | None:
        """Line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())

    def problem(self, path: PathKey, message: str, hint: str = "") -> Problem:
        """A :class:`Problem` located at ``path`` in this document."""
        return Problem(self.file, format_place(path), message, hint, self.line_of(path), tuple(path))

    def locate(self, problem: Problem) -> Problem:
        """``problem``, found without the file, with this document's file and the line of its path
        (unchanged when it has no path)."""
        if problem.path is None:
            return problem
        return self.problem(problem.path, problem.message, problem.hint)


def format_place(path: PathKey) -> str:
    """Render a key path as ``links[3].lag``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


class _Converter:
    """Turns a composed YAML node tree into plain Python, recording lines."""

    def __init__(self, file: str):
        self.file = file
        self.lines: dict[PathKey, int] = {}
        self.seen: set[int] = set()
        self.repeated = 0
        self.constructor = yaml.SafeLoader("")  # only used to resolve scalars safely

    def convert(self, node: yaml.Node, path: PathKey) -> Any:
        if id(node) in self.seen:  # reached again: through an alias (or a merge key)
            self.repeated += 1
            if self.repeated > MAX_ALIAS_VALUES:
                raise InputError(
                    Problem(
                        self.file,
                        "",
                        msg("the document expands to more than {n:,} values through aliases", n=MAX_ALIAS_VALUES),
                        msg("a file built with many nested aliases is refused; write values out"),
                        node.start_mark.line + 1,
                    )
                )
        else:
            self.seen.add(id(node))
        if len(path) > MAX_DEPTH:
            raise InputError(_too_deep(self.file, node.start_mark.line + 1))
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
            raise InputError(
                Problem(
                    self.file,
                    format_place(path),
                    msg("cannot read value with tag {tag}", tag=repr(node.tag)),
                    msg("only plain YAML values are allowed (no tags)"),
                    node.start_mark.line + 1,
                )
            )
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _scalar(self, node: yaml.Node, path: PathKey) -> Any:
        if not isinstance(node, yaml.ScalarNode):  # a complex key: ? [a, b]
            raise InputError(
                Problem(
                    self.file,
                    format_place(path),
                    msg("a key must be a plain value, not a list or mapping"),
                    msg("write keys as plain words such as id: or weight:"),
                    node.start_mark.line + 1,
                )
            )
        if node.tag == _INT_TAG and len(node.value) > MAX_DIGITS:
            raise InputError(
                Problem(
                    self.file,
                    format_place(path),
                    msg("number too large: more than {n} digits", n=MAX_DIGITS),
                    msg("check the value; model values need only a few digits"),
                    node.start_mark.line + 1,
                )
            )
        if not node.style and node.tag == _STR_TAG and _EXPONENT.match(node.value):  # plain: None, libyaml ""
            return float(node.value)  # YAML 1.1 reads 1e3 (no dot) as text; people mean a number
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise InputError(
                Problem(
                    self.file,
                    format_place(path),
                    msg("cannot read value with tag {tag}", tag=repr(node.tag)),
                    msg("only plain YAML values are allowed (no tags)"),
                    node.start_mark.line + 1,
                )
            ) from exc
        except (ValueError, OverflowError):  # e.g. a date such as 2025-13-45
            raise InputError(
                Problem(
                    self.file,
                    format_place(path),
                    msg("cannot read this value"),
                    msg("quote it to make it text, or write a plain number"),
                    node.start_mark.line + 1,
                )
            ) from None

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[Any, Any]:
        try:
            self.constructor.flatten_mapping(node)  # resolves merge keys (<<) safely
        except yaml.MarkedYAMLError as exc:
            raise InputError(
                Problem(
                    self.file,
                    format_place(path),
                    msg("cannot merge: {reason}", reason=exc.problem),
                    msg("<< takes a mapping or a list of mappings"),
                    node.start_mark.line + 1,
                )
            ) from None
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self._scalar(key_node, path)
            if not isinstance(key, Hashable) or isinstance(key, (list, dict)):
                raise InputError(
                    Problem(
                        self.file,
                        format_place(path),
                        msg("a key must be a plain value"),
                        line=key_node.start_mark.line + 1,
                    )
                )
            if key in result:
                raise InputError(
                    Problem(
                        self.file,
                        format_place((*path, key)),
                        msg("duplicate key {key}", key=repr(key)),
                        msg("each key may appear once in a mapping"),
                        key_node.start_mark.line + 1,
                    )
                )
            self.lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = self.convert(value_node, (*path, key))
        return result


def _too_deep(file: str, line: int | None) -> Problem:
    return Problem(
        file,
        "",
        msg("values are nested more than {depth} levels deep", depth=MAX_DEPTH),
        msg("a model or scenario file needs only a few levels; check the brackets"),
        line,
    )


def _compose_fast(text: str) -> list[yaml.Node] | None:
    """The documents' node trees composed by libyaml, or None when PyYAML's own loader must do it.

    libyaml composes recursively in C, beyond Python's recursion guard, so the
    nesting depth is measured first from its (iterative) event stream; a deeper
    document, and any document libyaml refuses, go to the pure-Python loader,
    which gives the messages and limits :func:`parse_yaml` documents. Both build
    the same nodes (the tag resolver is PyYAML's in both).
    """
    if _FAST_LOADER is None:
        return None
    try:
        depth = 0
        for event in yaml.parse(text, Loader=_FAST_LOADER):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return None
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        return list(yaml.compose_all(text, Loader=_FAST_LOADER))
    except yaml.YAMLError:
        return None


def parse_yaml(text: str, file: str) -> YamlDocument:
    """Parse YAML text safely.

    Parameters
    ----------
    text : str
        The document.
    file : str
        Name used in error messages.

    Raises
    ------
    InputError
        Syntax errors (with line), an empty document, several documents, tags,
        duplicate keys, or a document that expands too far.
    """
    if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        raise too_large(file, MAX_FILE_BYTES, msg("model or scenario file"))
    try:
        nodes = _compose_fast(text)
        if nodes is None:
            nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        if "nesting depth" in (exc.problem or ""):  # libyaml stops at 1,000 levels
            raise InputError(_too_deep(file, line)) from None
        what = exc.problem or msg("the text cannot be read as YAML")  # not str(exc): it quotes the file
        raise InputError(
            Problem(
                file,
                "",
                msg("YAML syntax error: {reason}", reason=what),
                msg("check indentation, colons and quotes"),
                line,
            )
        ) from exc
    except yaml.YAMLError as exc:
        raise InputError(Problem(file, "", msg("YAML error: {reason}", reason=str(exc)))) from exc
    except RecursionError:  # PyYAML composes nested values recursively
        raise InputError(_too_deep(file, None)) from None
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        raise InputError(Problem(file, "", msg("the file is empty"), msg("a model or scenario file is a YAML mapping")))
    if len(nodes) > 1:
        raise InputError(
            Problem(
                file,
                "",
                msg("the file holds several YAML documents"),
                msg("keep one document per file"),
                nodes[1].start_mark.line + 1,
            )
        )
    converter = _Converter(file)
    data = converter.convert(nodes[0], ())
    return YamlDocument(data, file, converter.lines, text)


def read_yaml(path: str | Path) -> tuple[YamlDocument, bytes]:
    """Read and parse a YAML file; return the document and the raw bytes (for hashing).

    Raises
    ------
    InputError
        The file is missing, unreadable, not a regular file (a folder, device,
        FIFO or socket: refused by type before it is opened), larger than
        :data:`MAX_FILE_BYTES`, not UTF-8, or not valid YAML.
    """
    name = str(path)
    raw = read_input_bytes(path, MAX_FILE_BYTES, msg("model or scenario file"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(Problem(name, "", msg("the file is not UTF-8 text"), msg("save it as UTF-8 YAML"))) from exc
    return parse_yaml(text, name), raw
