"""The CBS series of ``data/parkstad-observed.csv``, downloaded from the CBS open-data API with ``cbsodata``.

The same series as the snapshot (see ``data/make_parkstad_observed.py``), in the
same rows (node, time, value, place, table, period, licence, source):

- 70072ned (Regionale kerncijfers Nederland), 1-1-2025, every gemeente and
  Nederland: population, private households;
- the newest "Inkomen van huishoudens; huishoudenskenmerken, regio" table, 2024,
  every gemeente and Nederland: median disposable income of private households
  (1 000 euro, written in euro);
- Kerncijfers wijken en buurten 2016-2020 (83487NED, 83765NED, 84286NED, 84583NED,
  84799NED), gemeente Heerlen: population, households, dwelling stock, households
  with a low income, net labour participation.

Columns are found by their CBS title (``DataProperties``), never by a guessed key.
The client is passed in (the ``cbsodata`` module, or a stand-in in tests), so this
module does no I/O of its own beyond what the client does. Everything is
downloaded before anything is returned: a failure leaves nothing half made.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from simulator.errors import InputError, Problem
from simulator.messages import msg

API = "https://opendata.cbs.nl/ODataApi/odata"
LICENCE = "CC BY 4.0"
SOURCE = "CBS open data (cbsodata), " + API
KERNCIJFERS = "70072ned"
INCOME_TITLE = "Inkomen van huishoudens; huishoudenskenmerken, regio"
KWB_TABLES = {2016: "83487NED", 2017: "83765NED", 2018: "84286NED", 2019: "84583NED", 2020: "84799NED"}
KWB_FIELDS = {  # node: (CBS title of the column, whether it counts at 1 January of the edition's year)
    "population": ("Aantal inwoners", True),
    "housing_demand": ("Huishoudens totaal", True),
    "housing_stock": ("Woningvoorraad", True),
    "low_income_households": ("Huishoudens met een laag inkomen", False),
    "employment_rate": ("Netto arbeidsparticipatie", False),
}
HEERLEN = "GM0917"
Row = dict[str, object]


def _keys_by_title(client: Any, table: str) -> dict[str, str]:
    """Column title -> key of a table (its DataProperties), first key for a repeated title."""
    keys: dict[str, str] = {}
    for prop in client.get_meta(table, "DataProperties"):
        title = str(prop.get("Title", "")).strip()
        if prop.get("Key") and title:
            keys.setdefault(title, str(prop["Key"]))
    return keys


def _key(keys: dict[str, str], title: str, table: str) -> str:
    if title not in keys:
        raise InputError(
            Problem(
                f"{API}/{table}",
                title,
                msg("CBS table {table} has no column '{title}'", table=table, title=title),
                msg("CBS may have renamed it: update simulator/io/import_cbs.py"),
            )
        )
    return keys[title]


def snapshot_row(node: str, time: int, value: float, place: str, table: str, period: str, source: str = SOURCE) -> Row:
    """One row of the snapshot's format (``data/parkstad-observed.csv``): a whole number written without ``.0``,
    the place stripped, the CBS licence; ``source`` says where the figure was read."""
    number: object = int(value) if float(value).is_integer() else value
    return {
        "node": node,
        "time": time,
        "value": number,
        "place": place.strip(),
        "table": table,
        "period": period,
        "licence": LICENCE,
        "source": source,
    }


def kerncijfers_rows(client: Any) -> list[Row]:
    """Population and private households at 1-1-2025, every gemeente and Nederland (70072ned)."""
    keys = _keys_by_title(client, KERNCIJFERS)
    population = _key(keys, "Totale bevolking", KERNCIJFERS)
    households = _key(keys, "Totaal particuliere huishoudens", KERNCIJFERS)
    data = client.get_data(
        KERNCIJFERS,
        filters="Perioden eq '2025JJ00' and (startswith(RegioS,'GM') or startswith(RegioS,'NL'))",
        select=["RegioS", "Perioden", population, households],
    )
    rows = []
    for record in data:
        for node, key in (("population", population), ("housing_demand", households)):
            if record.get(key) is not None:
                rows.append(
                    snapshot_row(node, 2025, float(record[key]), str(record["RegioS"]), KERNCIJFERS, "1-1-2025")
                )
    return rows


def income_table(client: Any) -> str:
    """The id of the newest table titled "Inkomen van huishoudens; huishoudenskenmerken, regio (...)"."""
    tables = [
        t for t in client.get_table_list() if str(t.get("Title", "")).startswith(INCOME_TITLE) and t.get("Identifier")
    ]
    if not tables:
        raise InputError(
            Problem(
                API,
                INCOME_TITLE,
                msg("no CBS table is titled '{title}'", title=INCOME_TITLE),
                msg("CBS may have renamed it: update simulator/io/import_cbs.py"),
            )
        )
    return str(max(tables, key=lambda t: str(t.get("Modified", "")))["Identifier"])


def income_rows(client: Any) -> list[Row]:
    """Median disposable household income 2024 (euro a year), every gemeente and Nederland."""
    table = income_table(client)
    keys = _keys_by_title(client, table)
    median = _key(keys, "Mediaan besteedbaar inkomen", table)
    data = client.get_data(
        table, filters="startswith(Perioden,'2024') and (startswith(RegioS,'GM') or startswith(RegioS,'NL'))"
    )
    rows = []
    for record in data:
        population = str(record.get("Populatie", ""))
        characteristic = str(record.get("KenmerkenVanHuishoudens", ""))
        if characteristic.strip() != "Particuliere huishoudens" or "incl. studenten" not in population:
            continue
        if record.get(median) is not None:
            period = str(record["Perioden"]).strip()
            rows.append(
                snapshot_row(
                    "disposable_income", 2024, round(1000 * float(record[median])), str(record["RegioS"]), table, period
                )
            )
    return rows


def kwb_rows(client: Any) -> list[Row]:
    """Gemeente Heerlen in the Kerncijfers wijken en buurten editions 2016-2020."""
    rows = []
    for year, table in KWB_TABLES.items():
        keys = _keys_by_title(client, table)
        present = {node: (keys[title], january) for node, (title, january) in KWB_FIELDS.items() if title in keys}
        data = client.get_data(table, filters=f"startswith(WijkenEnBuurten,'{HEERLEN}')")
        for record in data[:1]:
            for node, (key, january) in present.items():
                if record.get(key) is not None:
                    period = f"1-1-{year}" if january else f"KWB-uitgave {year}"
                    rows.append(snapshot_row(node, year, float(record[key]), "Heerlen", table, period))
    return rows


PARKSTAD = ("Heerlen", "Kerkrade", "Landgraaf", "Brunssum", "Voerendaal", "Simpelveld", "Beekdaelen")
"""The seven gemeenten of Parkstad Limburg since 2019 (the region ``parkstad`` of the Heerlen model)."""


def parkstad_rows(kerncijfers: list[Row], source: str = SOURCE) -> list[Row]:
    """Population and private households of Parkstad at 1-1-2025: the sum of its seven gemeenten's 70072ned rows.

    A node with a row missing for any of the seven gets no Parkstad row (a partial sum would be wrong)."""
    rows = []
    for node in ("population", "housing_demand"):
        values = {str(r["place"]): float(str(r["value"])) for r in kerncijfers if r["node"] == node}
        if all(place in values for place in PARKSTAD):
            total = sum(values[place] for place in PARKSTAD)
            summed = f"{source}; sum of the rows of {', '.join(PARKSTAD)}"
            rows.append(snapshot_row(node, 2025, total, "Parkstad", KERNCIJFERS, "1-1-2025", summed))
    return rows


def _kerncijfers_and_parkstad(client: Any) -> list[Row]:
    rows = kerncijfers_rows(client)
    return rows + parkstad_rows(rows)


def cbs_rows(client: Any, steps: tuple[Callable[[Any], list[Row]], ...] | None = None) -> list[Row]:
    """Every row of the snapshot, downloaded; sorted as the snapshot is (node, Nederland first, place, time).

    Raises
    ------
    InputError
        A table or column CBS no longer has (naming it). Network errors are the client's own.
    """
    rows: list[Row] = []
    for step in steps or (_kerncijfers_and_parkstad, income_rows, kwb_rows):
        rows += step(client)
    rows.sort(key=lambda r: (str(r["node"]), str(r["place"]) != "Nederland", str(r["place"]), int(str(r["time"]))))
    return rows


def is_offline_error(exc: BaseException) -> bool:
    """True for the errors of a machine without access to the API (no network, no DNS, refused, timed out)."""
    names = {type(e).__name__ for e in _chain(exc)}
    text = " ".join(str(e) for e in _chain(exc))
    return bool(
        names & {"ConnectionError", "Timeout", "ConnectTimeout", "ReadTimeout", "URLError", "gaierror", "OSError"}
        or re.search(r"Name or service not known|Temporary failure|Connection refused|timed out", text)
    )


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def missing_client_text() -> str:
    """What to say when the ``cbsodata`` package is not installed."""
    return msg(
        "the package cbsodata is not installed, so the CBS open-data API cannot be read; nothing was written "
        "(install it with: pip install cbsodata)"
    )


def offline_text(reason: str, out: str) -> str:
    """What to say when the CBS open-data API cannot be reached."""
    return msg(
        "the CBS open-data API ({api}) cannot be reached: {reason}; nothing was written and {out} is as it was "
        "(run again when online)",
        api=API,
        reason=reason,
        out=out,
    )


def written_text(out: str, rows: int) -> str:
    """What to say when the refreshed file is written."""
    return msg("{out}: {rows} rows from the CBS open-data API", out=out, rows=rows)
