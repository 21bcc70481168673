"""Write data/parkstad-observed.csv: real CBS figures for Parkstad, the other gemeenten and Nederland.

Every number comes from a CBS StatLine export stored in a public repository (the
machine that made the file had no access to the CBS open-data API); when online,
``scripts/refresh_cbs.py`` downloads the same series from CBS itself with
``cbsodata``. Nothing is estimated: a figure the exports do not hold is left out.

Sources (give their directory as the only argument; the files keep their names):

- ``Regionale_kerncijfers_Nederland_11122025_133649.csv``: CBS 70072ned
  (Regionale kerncijfers Nederland), 1-1-2025, every gemeente and Nederland:
  population and private households. From
  https://github.com/Swienn/ScientificDataAnalysisProject (commit 87339a8, ``Data/``).
- ``Inkomen_van_huishoudens__regio_11122025_135329.csv``: CBS StatLine "Inkomen van
  huishoudens; huishoudenskenmerken, regio", 2024 (preliminary), every gemeente and
  Nederland: median disposable household income (1 000 euro). Same repository.
- ``UrbanData-test.db``: CBS Kerncijfers wijken en buurten 2016-2020 (83487NED,
  83765NED, 84286NED, 84583NED, 84799NED), the row of gemeente Heerlen: population,
  households, dwelling stock, households with a low income, net labour
  participation. From https://github.com/trik-flip/Dashboard-Heerlen-UrbanData
  (commit 472688f). A KWB edition's time is its year (the population, household and
  dwelling counts are at 1 January of it); the income and labour fields of an edition
  describe an earlier year, as CBS's notes to each edition say, so their period
  names the edition.

Two more sets are written from constants below (no export file held them):

- **Labour, Limburg 2003-2021** (``LIMBURG_85230``): the rows of the province in CBS
  85230NED (Arbeidsdeelname; regionale indeling 2021) as the table page shows them in a
  stored copy of https://www.cbs.nl/nl-nl/cijfers/detail/85230NED?q=limburg: the
  population 15-75, the labour force, the employed and the unemployed, x 1 000. That
  page shows no percentages, so the unemployment rate (unemployed / labour force) and
  the net labour participation (employed / population 15-75) are computed from those
  counts and rounded to one decimal as CBS rounds them; the counts are rounded to
  thousands, so a computed rate may differ by 0.1 from the published one (2016: 5.4
  computed, 5.5 published). Where a published percentage was read (``PUBLISHED_LABOUR``:
  83524NED for 2016, with Zuid-Limburg and Nederland, and 85269NED for 2021) that row
  is written instead. No Parkstad or gemeente row of these tables was found offline.
- **Parkstad, 1-1-2025**: the population and the private households of the seven
  gemeenten (``simulator.io.import_cbs.PARKSTAD``) summed from the 70072ned rows, the place the model's nodes
  are for (region ``parkstad``), so that a monitor has a row of the node's own place.

Usage: ``python data/make_parkstad_observed.py SOURCES_DIR [OUT]``. With the full
exports it writes the shipped file again, byte for byte (``cmp`` it with
``data/parkstad-observed.csv``); the test suite runs it on excerpts
(``tests/fixtures/statline/``) and checks each row it makes against the file.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import sys
from pathlib import Path

from simulator.io.import_cbs import parkstad_rows, snapshot_row

SWIENN = "CBS StatLine export in https://github.com/Swienn/ScientificDataAnalysisProject @87339a8"
URBAN = "CBS StatLine export in https://github.com/trik-flip/Dashboard-Heerlen-UrbanData @472688f"
KERNCIJFERS = "Regionale_kerncijfers_Nederland_11122025_133649.csv"
INCOME = "Inkomen_van_huishoudens__regio_11122025_135329.csv"
URBAN_DB = "UrbanData-test.db"
KWB_TABLES = {2016: "83487NED", 2017: "83765NED", 2018: "84286NED", 2019: "84583NED", 2020: "84799NED"}
KWB_FIELDS = {  # node: (column of the export, whether it counts at 1 January of the edition's year)
    "population": ("Bevolking_Aantal_inwoners", True),
    "housing_demand": ("Bevolking_Particuliere_huishoudens_Huishoudens_totaal", True),
    "housing_stock": ("Wonen_Woningvoorraad", True),
    "low_income_households": ("Inkomen_Inkomen_van_huishoudens_Huishoudens_met_een_laag_inkomen", False),
    "employment_rate": ("Arbeid_Netto_arbeidsparticipatie", False),
}
COLUMNS = ["node", "time", "value", "place", "table", "period", "licence", "source"]
PAGE_85230 = "CBS StatLine table page https://www.cbs.nl/nl-nl/cijfers/detail/85230NED?q=limburg (stored copy)"
LIMBURG_85230 = {  # year: (population 15-75, labour force, employed, unemployed), x 1 000, Limburg (PV)
    2003: (867, 560, 531, 29),
    2004: (865, 561, 527, 34),
    2005: (862, 562, 526, 36),
    2006: (860, 561, 530, 31),
    2007: (858, 567, 540, 27),
    2008: (856, 575, 551, 24),
    2009: (856, 574, 545, 29),
    2010: (855, 569, 539, 31),
    2011: (854, 568, 540, 28),
    2012: (856, 574, 542, 32),
    2013: (858, 578, 537, 41),
    2014: (855, 569, 528, 41),
    2015: (850, 572, 534, 38),
    2016: (851, 570, 538, 31),
    2017: (853, 569, 542, 27),
    2018: (850, 573, 552, 21),
    2019: (849, 577, 559, 18),
    2020: (847, 573, 552, 22),
    2021: (843, 590, 567, 22),
}
PAGE_83524 = "CBS StatLine table page https://www.cbs.nl/nl-nl/cijfers/detail/83524NED?dl=4612 (stored copy)"
PAGE_85269 = "CBS StatLine table page https://cbs.nl/nl-nl/cijfers/detail/85269NED (stored copy)"
PUBLISHED_LABOUR = {  # (year, place): (unemployment %, net participation %, table, source), as published
    (2016, "Nederland"): (6.0, 65.8, "83524NED", PAGE_83524),
    (2016, "Limburg (PV)"): (5.5, 63.2, "83524NED", PAGE_83524),
    (2016, "Zuid-Limburg (CR)"): (5.9, 60.9, "83524NED", PAGE_83524),
    (2021, "Nederland"): (4.2, 70.4, "85269NED", PAGE_85269),
    (2021, "Limburg (PV)"): (3.8, 67.3, "85269NED", PAGE_85269),
}


def _number(text: str) -> float | None:
    text = text.strip()
    return float(text.replace(",", ".")) if text else None


def kerncijfers_rows(path: Path) -> list[dict[str, object]]:
    """Population and private households at 1-1-2025 (70072ned), every gemeente with figures and Nederland."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        header = next(reader)
        population = header.index("Bevolking/Bevolkingssamenstelling op 1 januari/Totale bevolking (aantal)")
        households = header.index(
            "Bevolking/Particuliere huishoudens/Particuliere huishoudens/Totaal particuliere huishoudens (aantal)"
        )
        rows: list[dict[str, object]] = []
        for line in reader:
            if line[0].strip() != "2025" or not line[population].strip():
                continue
            for node, index in (("population", population), ("housing_demand", households)):
                value = _number(line[index])
                if value is not None:
                    rows.append(snapshot_row(node, 2025, value, line[1], "70072ned", "1-1-2025", SWIENN))
        return rows


def income_rows(path: Path) -> list[dict[str, object]]:
    """Median disposable household income 2024* in euro a year, every gemeente and Nederland.

    The export quotes its fields unevenly (doubled quotes, some lines wrapped); no field holds a quote or a
    semicolon, so the quotes are dropped and each line is split at its semicolons.
    """
    text = path.read_text(encoding="utf-8-sig")
    reader = iter([line.replace('"', "").split(";") for line in text.splitlines() if line.strip()])
    header = next(reader)
    median = header.index("Inkomen/Mediaan besteedbaar inkomen (1 000 euro)")
    rows = []
    for line in reader:
        if len(line) <= median or line[1] != "Particuliere huishoudens" or line[2] != "2024*":
            continue
        value = _number(line[median])
        if value is not None:
            table = "StatLine: Inkomen van huishoudens; huishoudenskenmerken, regio"
            rows.append(snapshot_row("disposable_income", 2024, round(1000 * value), line[3], table, "2024*", SWIENN))
    return rows


def kwb_rows(path: Path) -> list[dict[str, object]]:
    """Heerlen's gemeente row in the Kerncijfers wijken en buurten editions 2016-2020."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = []
    try:
        for year, table in KWB_TABLES.items():
            cursor = connection.execute(f'SELECT * FROM "Kerncijfers_wijken_en_buurten_{year}_pp"')
            names = [d[0] for d in cursor.description]
            for record in cursor:
                row = dict(zip(names, record, strict=True))
                if str(row[names[0]]).strip() != "Heerlen":
                    continue
                for node, (column, january) in KWB_FIELDS.items():
                    value = row.get(column)
                    if value is None or value == "":
                        continue
                    period = f"1-1-{year}" if january else f"KWB-uitgave {year}"
                    rows.append(snapshot_row(node, year, float(value), "Heerlen", table, period, URBAN))
                break
    finally:
        connection.close()
    return rows


def labour_rows() -> list[dict[str, object]]:
    """Unemployment rate and net labour participation (%): Limburg 2003-2021, and the published rows."""
    rows = []
    for (year, place), (unemployed, employed, table, source) in PUBLISHED_LABOUR.items():
        rows.append(snapshot_row("unemployment_rate", year, unemployed, place, table, str(year), source))
        rows.append(snapshot_row("employment_rate", year, employed, place, table, str(year), source))
    computed = "; computed from the table's counts (x 1 000): "
    for year, (population, labour_force, employed, unemployed) in LIMBURG_85230.items():
        if (year, "Limburg (PV)") in PUBLISHED_LABOUR:
            continue
        for node, value, how in (
            ("unemployment_rate", 100 * unemployed / labour_force, "unemployed / labour force"),
            ("employment_rate", 100 * employed / population, "employed / population 15-75"),
        ):
            rows.append(
                snapshot_row(
                    node, year, round(value, 1), "Limburg (PV)", "85230NED", str(year), PAGE_85230 + computed + how
                )
            )
    return rows


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__)
        return 2
    sources = Path(argv[1])
    out = Path(argv[2]) if len(argv) == 3 else Path(__file__).with_name("parkstad-observed.csv")
    kerncijfers = kerncijfers_rows(sources / KERNCIJFERS)
    rows = kerncijfers + parkstad_rows(kerncijfers, SWIENN)
    rows += income_rows(sources / INCOME) + kwb_rows(sources / URBAN_DB) + labour_rows()
    rows.sort(key=lambda r: (str(r["node"]), str(r["place"]) != "Nederland", str(r["place"]), int(str(r["time"]))))
    buffer = io.StringIO()
    buffer.write(
        "# Real CBS figures (licence CC BY 4.0), made by data/make_parkstad_observed.py from CBS StatLine\n"
        "# exports in public repositories and stored copies of StatLine table pages (see each row's source);\n"
        "# refreshed from CBS by scripts/refresh_cbs.py.\n"
    )
    writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    out.write_text(buffer.getvalue(), encoding="utf-8")
    print(f"{out}: {len(rows)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
