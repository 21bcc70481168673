"""Observed data: long CSV checked against a model, every problem naming its line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from simulator.errors import InputError
from simulator.observed import load_observed, observed_from_frame, observed_from_text

NODES = ["jobs", "income"]
HORIZON = (2020.0, 2030.0)


def _problems(text: str) -> list[str]:
    with pytest.raises(InputError) as info:
        observed_from_text(text, "obs.csv", NODES, HORIZON)
    return [str(p) for p in info.value.problems]


def test_reads_sorts_and_keeps_optional_columns():
    text = "node,time,value,region,source\nincome,2022,3.5,heerlen,CBS\njobs,2021,10,heerlen,LISA\njobs,2020,9,,\n"
    data = observed_from_text(text, "obs.csv", NODES, HORIZON)
    assert data.nodes == ["income", "jobs"]
    times, values = data.series("jobs")
    assert times.tolist() == [2020.0, 2021.0] and values.tolist() == [9.0, 10.0]
    assert data.table.loc[data.table["node"] == "income", "source"].item() == "CBS"
    assert len(data) == 3


def test_every_bad_row_is_reported_with_its_line():
    text = (
        "node,time,value\n"
        "jobs,2021,10\n"
        "jbos,2021,10\n"  # line 3: unknown node, with a hint
        "jobs,2040,10\n"  # line 4: outside horizon
        "jobs,2022,ten\n"  # line 5: non-numeric
        "jobs,2021,11\n"  # line 6: duplicate of line 2
        "income,soon,1\n"  # line 7: time not a number
        "income,2023,nan\n"
    )  # line 8: not finite
    problems = _problems(text)
    assert len(problems) == 6
    joined = "\n".join(problems)
    assert "obs.csv:3: row 2: unknown node 'jbos' (did you mean 'jobs'?)" in joined
    assert "obs.csv:4" in joined and "outside the horizon 2020-2030" in joined
    assert "obs.csv:5" in joined and "'ten' is not a finite number" in joined
    assert "obs.csv:6" in joined and "duplicate observation of 'jobs' at 2021" in joined and "line 2" in joined
    assert "obs.csv:7" in joined and "'soon' is not a number" in joined
    assert "obs.csv:8" in joined


def test_same_time_in_two_regions_is_not_a_duplicate():
    text = "node,time,value,region\njobs,2021,1,heerlen\njobs,2021,2,kerkrade\n"
    assert len(observed_from_text(text, "obs.csv", NODES, HORIZON)) == 2


@pytest.mark.parametrize(
    "text, expected",
    [
        ("node,year,value\njobs,2021,1\n", "missing column(s) time"),
        ("node,time,value,colour\njobs,2021,1,red\n", "unknown column(s) colour"),
        ("node,time,value\n", "no rows"),
        ("", "not a readable CSV"),
    ],
)
def test_bad_tables(text, expected):
    assert any(expected in p for p in _problems(text))


def test_file_reading(tmp_path):
    path = tmp_path / "obs.csv"
    path.write_text("# illustrative\nnode,time,value\njobs,2021,1\n", encoding="utf-8")
    data = load_observed(path, NODES, HORIZON)
    assert len(data) == 1 and len(data.sha256) == 64
    with pytest.raises(InputError, match="file not found"):
        load_observed(tmp_path / "missing.csv", NODES, HORIZON)
    (tmp_path / "latin1.csv").write_bytes("node,time,value\njobs,2021,1\u00e9\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"not UTF-8 text \(save the table as UTF-8 CSV \(in Excel: CSV UTF-8\)\)"):
        load_observed(tmp_path / "latin1.csv", NODES, HORIZON)


def test_frame_input():
    frame = pd.DataFrame({"node": ["jobs"], "time": [2025.5], "value": [1.25]})
    assert observed_from_frame(frame, NODES, HORIZON).series("jobs")[1].tolist() == [1.25]


def test_comment_lines_keep_line_numbers_right():
    text = "# illustrative data\nnode,time,value\n# a note\njobs,2021,1\njobs,2022,x\n"
    problems = _problems(text)
    assert problems == [
        "obs.csv:5: row 2: value 'x' is not a finite number (use a plain number with a decimal "
        "point, e.g. 6150.5; leave missing observations out)"
    ]


# --- Dutch Excel: ';' between fields, decimal commas, thousands dots ---------------------------------------------

DUTCH_EXCEL = (
    "node;time;value;region;source\r\n"
    "jobs;2025;100.038;parkstad;LISA\r\n"
    "jobs;2026;1.100.639,5;parkstad;LISA\r\n"
    'income;2025,25;5,41;parkstad;"CBS; StatLine"\r\n'
)


def test_dutch_excel_file_reads_commas_and_thousands_dots(tmp_path):
    path = tmp_path / "dutch.csv"
    path.write_bytes(b"\xef\xbb\xbf" + DUTCH_EXCEL.encode("utf-8"))  # "CSV UTF-8" of a Dutch Excel: BOM, CRLF
    data = load_observed(path, NODES, HORIZON)
    times, values = data.series("jobs")
    assert times.tolist() == [2025.0, 2026.0] and values.tolist() == [100038.0, 1100639.5]
    assert data.series("income")[0].tolist() == [2025.25] and data.series("income")[1].tolist() == [5.41]
    assert data.table.loc[data.table["node"] == "income", "source"].item() == "CBS; StatLine"
    assert data.table["line"].tolist() == [4, 2, 3]


def test_tab_separated_with_decimal_commas():
    data = observed_from_text("node\ttime\tvalue\njobs\t2021\t1.234,5\njobs\t2022\t7\n", "obs.tsv", NODES, HORIZON)
    assert data.series("jobs")[1].tolist() == [1234.5, 7.0]


def test_the_illustrative_data_saved_by_a_dutch_excel_reads_the_same(tmp_path):
    from pathlib import Path

    original = Path(__file__).parents[1] / "data" / "heerlen-observed-illustrative.csv"
    nodes = ["jobs_total", "in_commuters", "unemployment_rate"]
    frame = pd.read_csv(original, comment="#")
    dutch = tmp_path / "dutch.csv"
    dutch.write_text(frame.to_csv(sep=";", decimal=",", index=False), encoding="utf-8")
    expected = load_observed(original, nodes, (2025.0, 2050.0)).table
    got = load_observed(dutch, nodes, (2025.0, 2050.0)).table
    pd.testing.assert_frame_equal(got.drop(columns="line"), expected.drop(columns="line"))


def test_a_thousands_dot_alone_is_refused_not_guessed():
    # Before: read silently as 100.038 jobs. Nothing in the file says whether '.' is a decimal point.
    for text in (
        "node;time;value\njobs;2021;100.038\njobs;2022;100500\n",
        "node,time,value\njobs,2021,100.038\njobs,2022,100500\n",
    ):
        problems = _problems(text)
        assert len(problems) == 1
        assert problems[0].startswith("obs.csv:2: row 1: '100.038' can be read two ways")
        assert "100038 ('.' as thousands separator) or 100.038 ('.' as decimal mark)" in problems[0]
        assert "without thousands separators, e.g. 100038" in problems[0]
        assert "if 100.038 is meant, write 100.0380" in problems[0]
    problems = _problems('node;time;value\njobs;2021;"1,234"\n'.replace(";", ","))  # a quoted comma
    assert "1234 (',' as thousands separator) or 1.234 (',' as decimal mark)" in problems[0]
    assert len(observed_from_text("node,time,value\njobs,2021,100.0380\n", "obs.csv", NODES, HORIZON)) == 1


def test_a_decimal_elsewhere_in_the_file_decides():
    assert observed_from_text("node;time;value\njobs;2021;1.234\njobs;2022;0,5\n", "obs.csv", NODES, HORIZON).series(
        "jobs"
    )[1].tolist() == [1234.0, 0.5]
    assert observed_from_text("node,time,value\njobs,2021.5,1.234\n", "obs.csv", NODES, HORIZON).series("jobs")[
        1
    ].tolist() == [1.234]


def test_both_conventions_in_one_file_are_refused():
    problems = _problems("node;time;value\njobs;2021;5,41\njobs;2022;6150.5\n")
    assert problems == [
        "obs.csv:3: row 2: '6150.5' is written with a decimal point, but line 2 has '5,41' with a "
        "decimal comma (write every number of the file the same way: either decimal commas (Dutch "
        "Excel) or decimal points, without thousands separators)"
    ]


def test_a_header_that_does_not_split_names_the_separator():
    problems = _problems("node|time|value\njobs|2021|1\n")
    assert "missing column(s) node, time, value" in problems[0]
    assert "read with the comma (,) as separator" in problems[0]
    problems = _problems("node;year;value\njobs;2021;1\n")
    assert "missing column(s) time (read with the semicolon (;) as separator" in problems[0]


@pytest.mark.parametrize(
    "text, convention, expected",
    [
        ("1.234,5", "comma", 1234.5),
        ("1.234,5", "point", None),
        ("0,5", "comma", 0.5),
        ("-1,5E+03", "comma", -1500.0),
        ("1.5", "comma", None),
        ("0.123", "comma", None),
        ("1,234", "point", 1234.0),
        ("12,34", "point", None),
        ("2025.25", "point", 2025.25),
        ("100038", "comma", 100038.0),
        ("ten", "point", None),
    ],
)
def test_readings(text, convention, expected):
    from simulator.io.number_format import reading

    assert reading(text, convention) == expected


def test_a_file_saved_by_a_dutch_excel_reads_as_the_original_rounded():
    """tests/data/heerlen-observed-excel-nl.csv: rows of the illustrative data as a Dutch Excel saves them
    ("CSV UTF-8": BOM, CRLF, ';', number format #.##0,00, a quoted source with a ';')."""
    from pathlib import Path

    root = Path(__file__).parents[1]
    nodes = ["jobs_total", "in_commuters", "unemployment_rate"]
    data = load_observed(root / "tests" / "data" / "heerlen-observed-excel-nl.csv", nodes, (2025.0, 2050.0))
    original = pd.read_csv(root / "data" / "heerlen-observed-illustrative.csv", comment="#")
    for node in data.nodes:
        times, values = data.series(node)
        expected = original[original["node"] == node].head(4)
        assert times.tolist() == expected["time"].tolist()
        assert values.tolist() == expected["value"].round(2).tolist()
    assert set(data.table["source"]) == {"LISA; illustratief"}


def test_calibrate_refuses_an_ambiguous_file_and_writes_nothing(tmp_path):
    from typer.testing import CliRunner

    from simulator.cli.main import app

    root = Path(__file__).parents[1]
    data = tmp_path / "obs.csv"
    data.write_text("node;time;value\njobs_total;2026;100.038\njobs_total;2027;100500\n", encoding="utf-8")
    out = tmp_path / "fitted.yaml"
    result = CliRunner().invoke(
        app,
        ["calibrate", str(root / "scenarios" / "medtech-growth.yaml"), str(data), "--out", str(out), "--lang", "en"],
    )
    assert result.exit_code == 2
    assert f"{data}:2: row 1: '100.038' can be read two ways" in result.stderr
    dutch = CliRunner().invoke(
        app, ["calibrate", str(root / "scenarios" / "medtech-growth.yaml"), str(data), "--out", str(out)]
    )
    assert f"{data}:2: rij 1: '100.038' kan op twee manieren gelezen worden" in dutch.stderr
    assert "Traceback" not in result.output and not out.exists()
