"""Units as data: the model language's units (pint, with the domain's own units) and what a weight's unit must be.

A node's ``unit`` and a link's ``weight_unit`` are unit expressions that :func:`parse_unit` reads with
one pint registry built from :data:`DEFINITIONS` (no other units: a typo is an error, not a new unit).
Products are written with a space or ``*``, quotients with ``/`` or the word ``per``; ``per`` splits the
whole expression (``mln vkm/yr per job`` is ``(mln vkm/yr) / job``), while ``/`` binds to the next unit
only, as in pint. Plurals (``jobs``, ``persons``) and the Dutch unit words (``banen``, ``woningen``,
``procentpunt``) are the same units. ``%`` and ``pp`` (percentage point) are one unit of shares, so a
level in ``%`` changes by ``pp``; ``mln`` and ``thousand`` are named scales.

The rules (docs/formats.md, "Units"), with ``T`` the target's unit and ``S`` the source's:

- a linear weight is in ``T per S``; into a stock, whose links are flows, ``T/yr per S``;
- an elasticity's weight is dimensionless (``%/%``); into a stock ``1/yr`` (a relative rate);
- a declared ``weight_unit`` must be that unit in dimension *and* size: ``pp per thousand jobs`` for a
  weight into ``pp`` from ``jobs`` is refused (the engine never converts, so the weight would be 1,000
  times too large).

pint is imported when the first unit is parsed (``bwsim --help`` does not load it), without its
optional scipy and dask integrations (:func:`_import_pint`). A model whose units were found sound
once is not parsed again by later processes (:func:`known_sound`): importing pint and building its
registry is about 0.2 s of every ``bwsim run``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
import tempfile
import tokenize
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, cast

from simulator.messages import msg

if TYPE_CHECKING:
    import pint

DEFINITIONS = """
# time: years, the model's time unit
year = [time] = yr = _ = jaar = jaren
month = year / 12 = _ = _ = maand = maanden
minute = year / 525960 = min = _ = minuut = minuten
# scales
million = 1e6 = mln = _ = miljoen
thousand = 1e3 = _ = _ = duizend
kilo- = 1e3 = k-
mega- = 1e6 = M-
milli- = 1e-3 = m-
micro- = 1e-6 = µ- = u- = μ-
# SI units the models use: distance, area, volume, mass
meter = [length] = m = metre
hectare = 1e4 m ** 2 = ha
gram = [mass] = g
tonne = 1e6 g = t
mole = [substance] = mol
# counts of the domain
person = [person] = _ = persoon = personen
job = [job] = _ = baan = banen
dwelling = [dwelling] = _ = woning = woningen
household = [household] = _ = huishouden = huishoudens
package = [package] = _ = pakket = pakketten
move = [move] = _ = verhuizing = verhuizingen
offence = [offence] = _ = offense = delict = delicten
vehicle_kilometre = [vehicle_distance] = vkm = vehicle_km = voertuigkilometer = voertuigkilometers
# CO2 as a marker: kt CO2 is a mass of CO2
CO2 = [CO2] = _ = co2
# money: constant euros
euro = [money] = EUR = eur
# shares and scores: a level in % changes by percentage points (pp)
percent = [share] = % = procent
percentage_point = percent = pp = procentpunt = procentpunten
fraction = 100 * percent = _ = fractie
index_point = [index] = _ = indexpunt = indexpunten
"""
"""The model language's units, in pint's definition syntax (``name = definition = symbol = aliases``)."""

_REPLACE = (("€", " euro "), ("²", "**2"), ("³", "**3"), ("·", "*"), ("−", "-"))
_PER = re.compile(r"(?<![A-Za-z_])per(?![A-Za-z_0-9])")


class UnitError(ValueError):
    """A unit that does not parse; ``args[0]`` is the message for people."""


_OPTIONAL = ("scipy", "dask")
"""Packages pint's ``compat`` module imports when they are installed; units need neither."""


def _import_pint() -> None:
    """Import pint without importing :data:`_OPTIONAL` (unless already imported).

    ``bwsim validate`` parses units and must load no numerics (``tests/test_startup.py``); pint's
    integrations with scipy and dask arrays are unused here. Each package not yet imported is marked
    absent while pint is imported, then the mark is removed, so a later ``import scipy`` works as
    usual. The app imports pint once, in ``simulator/app/preload.py``, before its sessions' threads start.
    """
    from simulator.import_guard import packages_hidden

    with packages_hidden(_OPTIONAL):
        import pint  # noqa: F401


@functools.cache
def registry() -> pint.UnitRegistry:
    """The registry of :data:`DEFINITIONS` only (pint's own thousands of units are not loaded)."""
    _import_pint()
    import pint

    units: pint.UnitRegistry = pint.UnitRegistry(None, autoconvert_offset_to_baseunit=False, cache_folder=None)
    for line in DEFINITIONS.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            units.define(line.strip())
    return units


def _split_per(text: str) -> str:
    """``per`` at the top level (outside parentheses) as a division of the whole expression before it."""
    parts, depth, start = [], 0, 0
    for match in re.finditer(r"[()]|" + _PER.pattern, text):
        token = match.group(0)
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
        elif depth == 0:
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    parts = [_inner_per(p.strip()) for p in parts]
    if len(parts) == 1:
        return parts[0]
    return "/".join(f"({p or '1'})" for p in parts)


def _inner_per(text: str) -> str:
    """``per`` inside parentheses, each group on its own."""
    out, depth, start = [], 0, None
    last = 0
    for i, char in enumerate(text):
        if char == "(":
            if depth == 0:
                start = i
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if depth == 0 and start is not None:
                out.append(text[last:start] + "(" + _split_per(text[start + 1 : i]) + ")")
                last = i + 1
    out.append(text[last:])
    return "".join(out)


def pint_text(text: str) -> str:
    """``text`` as pint reads it: ``€`` as ``euro``, superscripts as powers, ``per`` as a division."""
    for old, new in _REPLACE:
        text = text.replace(old, new)
    return _split_per(text.strip()) if text.strip() else ""


@functools.cache
def parse_unit(text: str) -> pint.Unit:
    """The unit ``text`` means (``""`` and ``"1"``: dimensionless).

    Raises
    ------
    UnitError
        When ``text`` is not a unit of :data:`DEFINITIONS`, with what is wrong.
    """
    units = registry()  # first: it imports pint as bwsim needs it
    import pint

    source = pint_text(text)
    if not source:
        return units.dimensionless
    if source.count("(") != source.count(")"):
        raise UnitError(msg("its parentheses do not match"))
    try:
        quantity = units.parse_expression(source)
    except pint.UndefinedUnitError as exc:
        names = ", ".join(
            f"'{name}'"
            for name in sorted(set(exc.unit_names if isinstance(exc.unit_names, (list, tuple)) else [exc.unit_names]))
        )
        raise UnitError(msg("{names} is not a unit bwsim knows", names=names)) from None
    except (
        pint.PintError,
        SyntaxError,
        TypeError,
        ValueError,
        AttributeError,
        KeyError,
        IndexError,
        ZeroDivisionError,
        AssertionError,
        tokenize.TokenError,
    ):  # pint's parser fails in many ways
        raise UnitError(msg("it is not a unit expression")) from None
    if not isinstance(quantity, units.Quantity):  # a bare number such as "1000"
        quantity = units.Quantity(quantity, units.dimensionless)
    magnitude = float(quantity.magnitude)
    if not (math.isfinite(magnitude) and magnitude == 1.0):
        raise UnitError(msg("it has a number ({number:g}) in it; use a named scale (thousand, mln)", number=magnitude))
    return cast("pint.Unit", quantity.units)


COUNT_DIMENSIONS = ("[person]", "[job]", "[dwelling]", "[household]", "[package]", "[move]", "[offence]")
"""The domain's counts: a level in one of them is a total, which grows with the size of a place."""


def is_total(text: str) -> bool:
    """True when a level in unit ``text`` is a plain count (persons, jobs, dwellings, households, ...).

    Such a level says how large a place is, not how well it does: it is not compared across places.
    A unit that does not parse is no total.
    """
    try:
        dimensionality = dict(parse_unit(text).dimensionality)
    except UnitError:
        return False
    return (
        len(dimensionality) == 1
        and next(iter(dimensionality.items()))[0] in COUNT_DIMENSIONS
        and next(iter(dimensionality.values())) == 1
    )


def expected_weight_unit(target: str, source: str, form: str, into_stock: bool) -> pint.Unit:
    """The unit a link's weight must have: ``T per S`` (linear) or dimensionless (elasticity), per year into a stock.

    ``target`` and ``source`` are the nodes' units; both must parse (:func:`parse_unit`).
    """
    units = registry()
    unit = units.dimensionless if form == "elasticity" else parse_unit(target) / parse_unit(source)
    return unit / units.year if into_stock else unit


def expected_text(target: str, source: str, form: str, into_stock: bool) -> str:
    """:func:`expected_weight_unit` as people write it (``persons/yr per job``, ``%/%``)."""
    if form == "elasticity":
        return "1/yr" if into_stock else "%/%"

    def grouped(text: str) -> str:
        text = text.strip() or "1"
        return f"({text})" if _PER.search(text) else text

    top = grouped(target)
    source = _singular(source)
    if into_stock:
        top = f"({top})/yr" if "/" in top else f"{top}/yr"
    return f"{top} per {grouped(source)}"


def _singular(text: str) -> str:
    """``jobs`` as ``job`` (a single plural word), so that ``persons per job`` reads as people write it."""
    word = text.strip()
    if re.fullmatch(r"[A-Za-z_]+s", word) and word[:-1] in registry():
        return word[:-1]
    return text


@functools.cache
def weight_verdict(
    weight_unit: str, target: str, source: str, form: str, into_stock: bool
) -> tuple[pint.Unit, float | None]:
    """The unit a link's weight must have and how many of it one ``weight_unit`` is (None: another dimension).

    The units must parse (:func:`parse_unit`). Kept for the process: ``bwsim validate``
    checks a model once for each scenario on it, and the app at every change.
    """
    expected = expected_weight_unit(target, source, form, into_stock)
    return expected, size_factor(parse_unit(weight_unit), expected)


def size_factor(found: pint.Unit, expected: pint.Unit) -> float | None:
    """How many ``expected`` one ``found`` is (1: the same unit); None when their dimensions differ."""
    units = registry()
    if found.dimensionality != expected.dimensionality:
        return None
    return float(units.Quantity(1.0, found).to(expected).magnitude)


def same_size(factor: float) -> bool:
    """True when a :func:`size_factor` is 1 up to rounding."""
    return math.isclose(factor, 1.0, rel_tol=1e-9)


def written(unit: pint.Unit) -> str:
    """``unit`` in pint's compact form (``person / year`` as ``person/year``), for messages."""
    return "1" if unit.dimensionless and not unit._units else f"{unit:C}"


_EXPORT_NAMES = {"percent": "percent", "percentage_point": "percent", "euro": "EUR"}


def export_units(text: str, dialect: str) -> str:
    """A node's or weight's unit as Vensim (``dialect="mdl"``) or XMILE/Simlin (``"xmile"``) write units.

    ASCII names joined by ``*``, ``/`` and ``^`` (``kilotonne*CO2/Year``); in Vensim's dialect a whole
    power is a product (``meter*meter*meter``: Simlin's ``.mdl`` reader refuses ``^``, Vensim and PySD read
    both), so each file parses in every engine; a dimensionless unit is
    ``Dmnl`` (Vensim) or ``dmnl`` (XMILE); the year is the time unit of each file (``Year``, ``Years``).
    An empty text gives ``""`` (no unit written).
    """
    if not text.strip():
        return ""
    unit = parse_unit(text)
    year = "Year" if dialect == "mdl" else "Years"
    names = {**_EXPORT_NAMES, "year": year}
    top: list[str] = []
    bottom: list[str] = []
    powers = {str(name): float(cast(float, power)) for name, power in unit._units.items()}
    for name, power in sorted(powers.items(), key=lambda item: (item[1] < 0, item[0])):
        name = names.get(name, name).replace("µ", "micro").replace("μ", "micro")
        exponent = abs(power)
        part = name if exponent == 1 else f"{name}^{exponent:g}"
        if dialect == "mdl" and exponent != 1 and exponent == int(exponent):  # Simlin's .mdl reader has no ^
            part = "*".join([name] * int(exponent))
        (top if power > 0 else bottom).append(part)
    if not top and not bottom:
        return "Dmnl" if dialect == "mdl" else "dmnl"
    head = "*".join(top) or "1"
    if not bottom:
        return head
    tail = bottom[0] if len(bottom) == 1 and "*" not in bottom[0] else "(" + "*".join(bottom) + ")"
    return f"{head}/{tail}"


SOUND_FILE = "bwsim-sound-units.json"
"""The file of unit verdicts kept between processes, in :func:`verdict_folder`."""

SOUND_KEPT = 256
"""How many sound models the file remembers (the most recent; an older one is simply checked again)."""

_SOUND: set[str] = set()
"""The sound keys this process has seen or read (the file is read once per process)."""

_READ: list[bool] = []


def verdict_folder() -> Path:
    """Where verdicts are kept: beside numba's cache (``NUMBA_CACHE_DIR``, else ``simulator/__pycache__``)."""
    return Path(os.environ.get("NUMBA_CACHE_DIR") or Path(__file__).parent / "__pycache__")


@functools.cache
def _rules_digest() -> bytes:
    """What a verdict depends on besides the model: the unit rules' code (this module and the checks in
    :mod:`simulator.network`) and pint's version."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()
    for name in ("units.py", "network.py"):
        digest.update((Path(__file__).parent / name).read_bytes())
    try:
        digest.update(version("pint").encode())
    except PackageNotFoundError:  # pragma: no cover (pint is a dependency)
        digest.update(b"no pint")
    return digest.digest()


def units_key(node_units: Iterable[str], links: Iterable[tuple[str, str, str, str, bool]]) -> str:
    """The key of a model's unit verdict: its nodes' units and its links' (weight_unit, target unit,
    source unit, form, into a stock), with :func:`_rules_digest`. Everything else in a model leaves the
    verdict unchanged, so a model edited elsewhere keeps its key and one whose units changed gets a new one."""
    text = json.dumps([list(node_units), [list(link) for link in links]], ensure_ascii=False)
    return hashlib.sha256(_rules_digest() + text.encode("utf-8")).hexdigest()


def _read_sound() -> list[str]:
    """The keys in the verdict file; [] when it is missing, unreadable or not what this module writes."""
    try:
        kept = json.loads((verdict_folder() / SOUND_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    sound = kept.get("sound") if isinstance(kept, dict) else None
    if isinstance(sound, list) and all(isinstance(k, str) for k in sound):
        return sound
    return []


def known_sound(key: str) -> bool:
    """True when the units of the model with :func:`units_key` ``key`` were found sound before."""
    if not _READ:
        _SOUND.update(_read_sound())
        _READ.append(True)
    return key in _SOUND


def remember_sound(key: str) -> None:
    """Keep ``key`` as sound, in this process and in the verdict file (written whole or not at all;
    a folder that cannot be written is skipped: the next process checks the units again)."""
    _SOUND.add(key)
    folder = verdict_folder()
    kept = [k for k in _read_sound() if k != key][-(SOUND_KEPT - 1) :] + [key]
    written: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, suffix=".tmp", delete=False) as out:
            written = out.name
            json.dump({"sound": kept}, out)
        os.replace(written, folder / SOUND_FILE)
    except OSError:
        if written is not None:
            Path(written).unlink(missing_ok=True)
