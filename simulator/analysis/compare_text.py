"""Words for a comparison with other places and the past, phrased as the CBS brede-welvaart monitor does.

Pure functions from :class:`~simulator.analysis.compare_places.PlaceComparison`
to text in Dutch or English (no printing), shared by ``bwsim compare-places``, the
monitor and the app.
"""

from __future__ import annotations

from simulator.analysis.compare_places import NATIONAL, Comparison, PlaceComparison
from simulator.analysis.text import format_number
from simulator.messages import Text, localize_number, msg, translate


def versus_national_text(word: str) -> Text:
    """The place against the Dutch average, as a phrase."""
    return {
        "better": msg("better than the Dutch average"),
        "worse": msg("worse than the Dutch average"),
        "similar": msg("about the Dutch average"),
        "higher": msg("higher than the Dutch average"),
        "lower": msg("lower than the Dutch average"),
    }[word]


def versus_peers_text(word: str) -> Text:
    """The place against the comparable gemeenten' median, as a phrase."""
    return {
        "better": msg("better than the comparable gemeenten"),
        "worse": msg("worse than the comparable gemeenten"),
        "similar": msg("about the comparable gemeenten"),
        "higher": msg("higher than the comparable gemeenten"),
        "lower": msg("lower than the comparable gemeenten"),
    }[word]


def trend_text(word: str, year: str, value: str) -> Text:
    """The change since an earlier year, as a phrase (``year`` and ``value`` already written out)."""
    return {
        "improved": msg("improved compared with {year} ({value})", year=year, value=value),
        "worsened": msg("worsened compared with {year} ({value})", year=year, value=value),
        "unchanged": msg("unchanged compared with {year} ({value})", year=year, value=value),
        "rose": msg("risen compared with {year} ({value})", year=year, value=value),
        "fell": msg("fallen compared with {year} ({value})", year=year, value=value),
    }[word]


def _year(time: float, language: str) -> str:
    return localize_number(f"{time:g}", language)


def comparison_lines(
    item: PlaceComparison, label: str, unit: str = "", language: str = "nl", digits: int = 4
) -> list[str]:
    """One indicator: its heading, the place's level, Nederland, the comparable gemeenten, the trend."""

    def t(text: object) -> str:
        return translate(text, language)

    def n(value: float) -> str:
        return format_number(value, language, digits)

    heading = f"{label} ({unit})" if unit else label
    lines = [
        heading,
        "  "
        + t(
            msg(
                "{place} {year}: {value} ({table}, {period})",
                place=item.place,
                year=_year(item.time, language),
                value=n(item.value),
                table=item.table,
                period=item.period,
            )
            if item.table
            else msg("{place} {year}: {value}", place=item.place, year=_year(item.time, language), value=n(item.value))
        ),
    ]
    year = _year(item.time, language)
    if item.total:
        lines.append("  " + t(msg("a total, which grows with the size of a place: not compared with other places")))
    elif item.national is None or item.versus_national is None:
        lines.append("  " + t(msg("{national}: no row for {year}", national=NATIONAL, year=year)))
    else:
        lines.append(
            "  "
            + t(
                msg(
                    "{national} {value}: {verdict}",
                    national=NATIONAL,
                    value=n(item.national),
                    verdict=t(versus_national_text(item.versus_national)),
                )
            )
        )
    if item.total:
        pass
    elif item.peer_median is None or item.versus_peers is None:
        lines.append("  " + t(msg("comparable gemeenten: no row for {year}", year=year)))
    else:
        lines.append(
            "  "
            + t(
                msg(
                    "comparable gemeenten ({n}): median {median}, from {low} to {high}: {verdict}",
                    n=len(item.peers),
                    median=n(item.peer_median),
                    low=n(item.peer_low if item.peer_low is not None else item.peer_median),
                    high=n(item.peer_high if item.peer_high is not None else item.peer_median),
                    verdict=t(versus_peers_text(item.versus_peers)),
                )
            )
        )
    if item.trend is None or item.past_time is None or item.past_value is None:
        lines.append("  " + t(msg("over time: no earlier observation")))
    else:
        lines.append(
            "  "
            + t(
                msg(
                    "over time: {trend}",
                    trend=t(trend_text(item.trend, _year(item.past_time, language), n(item.past_value))),
                )
            )
        )
    return lines


def format_comparison(
    comparison: Comparison,
    data_file: str,
    labels: dict[str, str] | None = None,
    units: dict[str, str] | None = None,
    language: str = "nl",
) -> str:
    """Every indicator's comparison, after a heading naming the place, the data and the comparable gemeenten."""
    labels = labels or {}
    units = units or {}
    values = {"place": comparison.place, "national": NATIONAL, "data": data_file}
    if comparison.peers_given:
        head = msg(
            "{place} compared with {national}, with the comparable gemeenten {peers} and with its own past ({data})",
            peers=", ".join(comparison.peers),
            **values,
        )
    else:
        head = msg(
            "{place} compared with {national}, with the {n} other places in the data and with its own past ({data})",
            n=len(comparison.peers),
            **values,
        )
    lines = [translate(head, language)]
    for item in comparison.items:
        lines.append("")
        lines += comparison_lines(item, labels.get(item.node, item.node), units.get(item.node, ""), language)
    return "\n".join(lines)
