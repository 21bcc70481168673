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

from simulator.io.import_cbs import snapshot_row

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


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__)
        return 2
    sources = Path(argv[1])
    out = Path(argv[2]) if len(argv) == 3 else Path(__file__).with_name("parkstad-observed.csv")
    rows = kerncijfers_rows(sources / KERNCIJFERS) + income_rows(sources / INCOME) + kwb_rows(sources / URBAN_DB)
    rows.sort(key=lambda r: (str(r["node"]), str(r["place"]) != "Nederland", str(r["place"]), int(str(r["time"]))))
    buffer = io.StringIO()
    buffer.write(
        "# Real CBS figures (licence CC BY 4.0), made by data/make_parkstad_observed.py from CBS StatLine\n"
        "# exports in public repositories (see each row's source); refreshed from CBS by scripts/refresh_cbs.py.\n"
    )
    writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    out.write_text(buffer.getvalue(), encoding="utf-8")
    print(f"{out}: {len(rows)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
