"""Messages for people, in English (the source) or Dutch, gettext style.

The English text is the message id: code writes ``msg("unknown node '{node}'", node=node_id)``,
which is an ordinary ``str`` holding the English sentence, and also remembers its
template and parameters. Where a person reads it (the command line, the app),
:func:`translate` looks the template up in the catalog of the reader's language
(``simulator/locale/<language>/LC_MESSAGES/bwsim.po``, read with Babel) and fills
in the parameters after translation, so numbers and names are never part of a
message id. A message without a translation stays English.

Numbers given as parameters are written with the reader's separators: English
``0.25``, Dutch ``0,25`` (the format spec of the template, such as ``{dt:g}``,
decides the digits in both languages).

A new message: write ``msg("English text with {field}", field=value)`` (never an
f-string: the id must be the literal template), then add its Dutch translation with
Babel's tools and fill in the new ``msgstr`` entries::

    pybabel extract -k msg -o /tmp/bwsim.pot simulator
    pybabel update -i /tmp/bwsim.pot -d simulator/locale -D bwsim -l nl -w 120 --no-fuzzy-matching

``tests/core/test_messages.py`` fails while an id has no translation, a
translation drops a ``{field}``, or text for people bypasses ``msg``.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import numbers
import os
import re
import string
import tempfile
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

LANGUAGES = ("nl", "en")
"""The languages people can read bwsim in; Dutch is the default."""

SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "bwsim"
BABEL_LOCALES = {"nl": "nl_NL", "en": "en_US"}


class Text(str):
    """A message: its English text as a ``str``, plus the template and parameters to translate it.

    Made by :func:`msg`; anything that treats it as a string sees the English sentence.
    """

    template: str | None
    params: dict[str, Any]

    def __new__(cls, template: str, params: dict[str, Any] | None = None) -> Text:
        params = dict(params or {})
        obj = super().__new__(cls, template.format(**params))
        obj.template, obj.params = template, params
        return obj

    def __reduce__(self) -> tuple:  # pickled as template and parameters (Dask sends errors between processes)
        return (Text, (self.template, self.params))

    def render(self, language: str) -> str:
        """The message in ``language`` (English when no translation exists)."""
        template = self.template
        if template is None:
            return str(self)
        translated = catalog(language).get(template) or template
        values = {name: _param(value, language) for name, value in self.params.items()}
        try:
            return translated.format(**values)
        except (KeyError, IndexError, ValueError):  # a broken translation never hides the message
            return template.format(**{name: _param(value, SOURCE_LANGUAGE) for name, value in self.params.items()})


class Joined(Text):
    """Several messages joined by a separator, each translated on its own."""

    items: tuple[str, ...]
    separator: str

    def __new__(cls, separator: str, items: Iterable[str]) -> Joined:
        items = tuple(items)
        obj = str.__new__(cls, separator.join(items))
        obj.template, obj.params, obj.items, obj.separator = None, {}, items, separator
        return obj

    def __reduce__(self) -> tuple:
        return (Joined, (self.separator, self.items))

    def render(self, language: str) -> str:
        return self.separator.join(translate(item, language) for item in self.items)


class Localized(Text):
    """A text given in each language already (a path of node labels): no catalog needed."""

    texts: dict[str, str]

    def __new__(cls, texts: dict[str, str]) -> Localized:
        obj = str.__new__(cls, texts.get(SOURCE_LANGUAGE, next(iter(texts.values()), "")))
        obj.template, obj.params, obj.texts = None, {}, dict(texts)
        return obj

    def __reduce__(self) -> tuple:
        return (Localized, (self.texts,))

    def render(self, language: str) -> str:
        return self.texts.get(language, str(self))


def msg(template: str, /, **params: Any) -> Text:
    """Mark ``template`` (English, ``str.format`` fields) as a message and fill in ``params``.

    The template must be a string literal: it is the message id that the Dutch
    catalog translates (``tests/core/test_messages.py`` checks that every one has
    a translation). Literal braces are doubled (``{{``), as in ``str.format``.
    """
    return Text(template, params)


def joined(separator: str, items: Iterable[str]) -> Joined:
    """``separator.join(items)`` that translates each item when rendered."""
    return Joined(separator, items)


def translate(text: object, language: str) -> str:
    """``text`` in ``language``: a :class:`Text` is translated, a plain string looked up as a message id.

    Anything that is not a string is turned into one with ``str``; an unknown
    language or message falls back to English.
    """
    if isinstance(text, Text):
        return text.render(language)
    text = "" if text is None else str(text)
    return catalog(language).get(text) or text


@functools.cache
def catalog(language: str) -> dict[str, str]:
    """Message id -> translation for ``language`` ({} for English and for languages without a catalog).

    Babel reads the ``.po`` file in about 0.07 s; what it read is kept as JSON in a
    ``__pycache__`` folder beside the file, named by the SHA-256 of the file's bytes, and
    read from there (about 1 ms) while the file is unchanged (:func:`_cached_catalog`).
    """
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == SOURCE_LANGUAGE or not path.is_file():
        return {}
    data = path.read_bytes()
    cache = path.parent / "__pycache__" / f"{path.name}.{hashlib.sha256(data).hexdigest()[:32]}.json"
    cached = _cached_catalog(cache)
    if cached is not None:
        return cached
    from babel.messages.pofile import read_po

    po = read_po(io.BytesIO(data), locale=BABEL_LOCALES.get(language, language))
    read = {
        m.id: m.string
        for m in po
        if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string and not m.fuzzy
    }
    _store_catalog(cache, read)
    return read


def _cached_catalog(cache: Path) -> dict[str, str] | None:
    """The catalog kept in ``cache``, or None when there is none (or it cannot be read)."""
    try:
        kept = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(kept, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in kept.items()):
        return kept
    return None


def _store_catalog(cache: Path, read: dict[str, str]) -> None:
    """Keep ``read`` in ``cache``, written whole or not at all, and drop the catalogs of earlier versions.

    A folder that cannot be written is skipped: the next run reads the ``.po`` file again.
    """
    written: str | None = None
    try:
        cache.parent.mkdir(exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=cache.parent, suffix=".tmp", delete=False) as out:
            written = out.name
            json.dump(read, out, ensure_ascii=False)
        os.replace(written, cache)
    except OSError:
        if written is not None:
            with contextlib.suppress(OSError):
                os.unlink(written)
        return
    stem = cache.name.split(".")[0]
    for old in cache.parent.glob(f"{stem}.po.*.json"):
        if old != cache:
            with contextlib.suppress(OSError):
                old.unlink()


def template_fields(template: str) -> set[str]:
    """The names of the ``str.format`` fields in ``template`` (to check that a translation keeps them)."""
    return {
        name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name is not None
    }


class _Number:
    """A number parameter whose ``format`` gives the reader's separators."""

    def __init__(self, value: numbers.Real, language: str):  # an int keeps its int formats ({n:d})
        self.value, self.language = value, language

    def __format__(self, spec: str) -> str:
        return localize_number(format(self.value, spec), self.language)

    def __str__(self) -> str:
        return localize_number(str(self.value) if isinstance(self.value, int) else f"{self.value:g}", self.language)


def _param(value: Any, language: str) -> Any:
    if isinstance(value, Text) or callable(getattr(value, "render", None)):  # a message, or a Problem
        return value.render(language)
    if language == SOURCE_LANGUAGE or isinstance(value, (bool, str)) or not isinstance(value, numbers.Real):
        return value
    return _Number(value, language)


_NUMBER = re.compile(r"([+-]?)(\d[\d,]*)(?:\.(\d+))?([eE][+-]?\d+)?(%?)")


def localize_number(text: str, language: str) -> str:
    """A number written the English way (``-1,234.50``, ``1.5e-06``, ``55.0%``) with ``language``'s separators.

    The digits stay as they are; Babel writes the separators (Dutch ``-1.234,50``).
    Text that is not one number is returned unchanged.
    """
    match = _NUMBER.fullmatch(text.strip())
    if language == SOURCE_LANGUAGE or match is None:
        return text
    from babel.numbers import format_decimal

    sign, whole, fraction, exponent, percent_sign = match.groups()
    pattern = ("#,##0" if "," in whole else "0") + ("." + "0" * len(fraction) if fraction else "")
    try:
        number = Decimal(whole.replace(",", "") + ("." + fraction if fraction else ""))
    except InvalidOperation:
        return text
    body = format_decimal(
        number, format=pattern, locale=BABEL_LOCALES.get(language, language), decimal_quantization=True
    )
    return f"{sign}{body}{exponent or ''}{percent_sign}"


def _dump_as_text() -> None:
    """Let YAML's safe dumper write a message as the plain string it is (fitted models hold notes)."""
    import yaml

    yaml.SafeDumper.add_multi_representer(Text, lambda dumper, value: dumper.represent_str(str(value)))


_dump_as_text()

__all__ = [
    "LANGUAGES",
    "Joined",
    "Localized",
    "Text",
    "catalog",
    "joined",
    "localize_number",
    "msg",
    "template_fields",
    "translate",
]
