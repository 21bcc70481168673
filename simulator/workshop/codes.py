"""Join codes: short, random, easy to read aloud and type.

A code is the only key to a workshop, so it is drawn with :mod:`secrets` from
an alphabet without look-alikes (none of 0/O/Q, 1/I/L, 5/S, 2/Z, 8/B, U/V,
6/G). Eight characters from 21 symbols give about 3.8e10 codes: guessing one
at workshop scale (a few workshops, minutes of guessing through a web page) is
hopeless.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "ACDEFHJKMNPRTWXY34679"
"""Symbols of a join code: capitals and digits that cannot be confused with each other."""

CODE_LENGTH = 8
"""Characters in a code (shown as two groups of four: ``HX4K-PR7T``)."""

_SEPARATORS = re.compile(r"[\s\-_.]+")


def new_code() -> str:
    """A fresh random join code, without separator (``HX4KPR7T``)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """The code as people see it: ``HX4K-PR7T``."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def normalize_code(text: str) -> str | None:
    """The canonical form of a typed code, or None when it cannot be a code.

    Case, spaces and dashes are forgiven (``hx4k pr7t`` -> ``HX4KPR7T``). Any letter or
    digit is accepted (codes drawn from an older alphabet keep working); only the lookup
    decides whether a code opens a workshop.
    """
    if not isinstance(text, str) or len(text) > 64:
        return None
    code = _SEPARATORS.sub("", text).upper()
    if len(code) != CODE_LENGTH or not code.isascii() or not code.isalnum():
        return None
    return code
