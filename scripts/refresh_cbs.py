"""Refresh data/parkstad-observed.csv from the CBS open-data API (``cbsodata``), the same series as the snapshot.

Usage: ``python scripts/refresh_cbs.py [--out FILE] [--lang nl|en]``.

Offline (or without ``cbsodata``) it says so in Dutch (``--lang en``: English),
exits with status 2 and writes nothing: the file is replaced only after every
table was downloaded. The series and their CBS tables: ``simulator/io/import_cbs.py``.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path
from typing import Any

from simulator.errors import InputError, error_text
from simulator.io.import_cbs import (
    cbs_rows,
    is_offline_error,
    missing_client_text,
    offline_text,
    written_text,
)
from simulator.messages import translate

EXIT_BAD_INPUT = 2
COLUMNS = ["node", "time", "value", "place", "table", "period", "licence", "source"]
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "data" / "parkstad-observed.csv"
HEADER = (
    "# Real CBS figures (licence CC BY 4.0), downloaded from the CBS open-data API by scripts/refresh_cbs.py;\n"
    "# the offline snapshot is made by data/make_parkstad_observed.py from StatLine exports.\n"
)


def _text(rows: list[dict[str, object]]) -> str:
    buffer = io.StringIO()
    buffer.write(HEADER)
    writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def main(argv: list[str] | None = None, client: Any = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--lang", choices=["nl", "en"], default="nl")
    args = parser.parse_args(argv)

    def say(text: str, err: bool = False) -> None:
        line = translate(text, args.lang)
        print("bwsim: " + line if err else line, file=sys.stderr if err else sys.stdout)

    if client is None:
        try:
            import cbsodata as client  # type: ignore[import-not-found,no-redef]
        except ImportError:
            say(missing_client_text(), err=True)
            return EXIT_BAD_INPUT
    try:
        rows = cbs_rows(client)
    except InputError as exc:
        say(error_text(exc, args.lang), err=True)
        return EXIT_BAD_INPUT
    except Exception as exc:
        if not is_offline_error(exc):
            raise
        say(offline_text(str(exc) or type(exc).__name__, str(args.out)), err=True)
        return EXIT_BAD_INPUT
    out: Path = args.out
    staging = out.with_name(f".{out.name}.partial")
    staging.write_text(_text(rows), encoding="utf-8")
    staging.replace(out)
    say(written_text(str(out), len(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
