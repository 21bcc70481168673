"""The themes of the CBS Monitor Brede Welvaart: the one list every part of bwsim reads.

A node's ``theme`` is one of these ids. Validation refuses any other id (with
"did you mean"), the scorecard orders its rows by this list (CBS's order, not
the alphabet) and prints the Dutch names in CBS's spelling, and the app shows
them in the page's language.

Sources: CBS, Monitor Brede Welvaart en de SDG's 2023, dashboards "hier en nu"
(eight themes) and "later" (four capitals); "elders" after the monitor's two
lenses on other countries (trade and aid; environment and raw materials).
``dimensions`` says where CBS places a theme; a model may use a theme under
another dimension (the Heerlen model counts jobs displaced *elsewhere* under
``arbeid_en_vrije_tijd``), so it is information, not a rule.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    """One brede-welvaart theme.

    Attributes
    ----------
    id : str
        The id a model file uses (``materiele_welvaart``).
    nl : str
        CBS's Dutch name, lower case as in running text (``materiële welvaart``).
    en : str
        An English name (``material welfare``).
    dimensions : tuple of str
        The CBS dimension(s) the theme belongs to: ``hier_en_nu``, ``later``, ``elders``.
    """

    id: str
    nl: str
    en: str
    dimensions: tuple[str, ...]

    def name(self, language: str = "nl") -> str:
        """The name in ``language`` ("nl" or "en"; Dutch for any other)."""
        return self.en if language == "en" else self.nl


THEMES: tuple[Theme, ...] = (
    Theme("subjectief_welzijn", "subjectief welzijn", "subjective well-being", ("hier_en_nu",)),
    Theme("materiele_welvaart", "materiële welvaart", "material welfare", ("hier_en_nu",)),
    Theme("gezondheid", "gezondheid", "health", ("hier_en_nu",)),
    Theme("arbeid_en_vrije_tijd", "arbeid en vrije tijd", "work and leisure", ("hier_en_nu",)),
    Theme("wonen", "wonen", "housing", ("hier_en_nu",)),
    Theme("samenleving", "samenleving", "society", ("hier_en_nu",)),
    Theme("veiligheid", "veiligheid", "safety", ("hier_en_nu",)),
    Theme("milieu", "milieu", "environment", ("hier_en_nu",)),
    Theme("economisch_kapitaal", "economisch kapitaal", "economic capital", ("later",)),
    Theme("natuurlijk_kapitaal", "natuurlijk kapitaal", "natural capital", ("later",)),
    Theme("menselijk_kapitaal", "menselijk kapitaal", "human capital", ("later",)),
    Theme("sociaal_kapitaal", "sociaal kapitaal", "social capital", ("later",)),
    Theme("handel_en_hulp", "handel en hulp", "trade and aid", ("elders",)),
    Theme("milieu_en_grondstoffen", "milieu en grondstoffen", "environment and raw materials", ("elders",)),
)
"""Every theme, in CBS's order: hier en nu, then later, then elders."""

BY_ID: dict[str, Theme] = {theme.id: theme for theme in THEMES}
THEME_IDS: tuple[str, ...] = tuple(BY_ID)


def is_theme(theme_id: str) -> bool:
    """True when ``theme_id`` is a known theme id."""
    return theme_id in BY_ID


def theme_name(theme_id: str, language: str = "nl") -> str:
    """The theme's name (``materiele_welvaart`` -> ``materiële welvaart``); an unknown id with spaces for _."""
    theme = BY_ID.get(theme_id)
    return theme.name(language) if theme else theme_id.replace("_", " ")


def theme_order(theme_id: str, dimension: str | None = None) -> int:
    """Position in CBS's order (0 first); unknown ids after every known one.

    With ``dimension``, the themes CBS places in that dimension come first and
    the others (``wonen`` under ``later``) after them, each group in CBS's order.
    """
    n = len(THEME_IDS)
    if theme_id not in BY_ID:
        return 2 * n
    foreign = dimension is not None and dimension not in BY_ID[theme_id].dimensions
    return THEME_IDS.index(theme_id) + (n if foreign else 0)


def in_cbs_order(theme_ids: Iterable[str]) -> list[str]:
    """The distinct ids of ``theme_ids`` in CBS's order (unknown ids last, alphabetically)."""
    return sorted(set(theme_ids), key=lambda t: (theme_order(t), t))


def closest_theme(word: str) -> str | None:
    """The known theme id closest to ``word`` (``mileu`` -> ``milieu``), or None when none is close."""
    close = difflib.get_close_matches(word, THEME_IDS, n=1, cutoff=0.6)
    if not close:  # a short form such as "arbeid" or "welvaart": match against the id's words
        close = [t for t in THEME_IDS if word and word in t.split("_")][:1]
    return close[0] if close else None
