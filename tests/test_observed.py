"""Observed data: long CSV checked against a model, every problem naming its line."""

from __future__ import annotations

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
    text = ("node,time,value\n"
            "jobs,2021,10\n"
            "jbos,2021,10\n"        # line 3: unknown node, with a hint
            "jobs,2040,10\n"        # line 4: outside horizon
            "jobs,2022,ten\n"       # line 5: non-numeric
            "jobs,2021,11\n"        # line 6: duplicate of line 2
            "income,soon,1\n"       # line 7: time not a number
            "income,2023,nan\n")    # line 8: not finite
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


@pytest.mark.parametrize("text, expected", [
    ("node,year,value\njobs,2021,1\n", "missing column(s) time"),
    ("node,time,value,colour\njobs,2021,1,red\n", "unknown column(s) colour"),
    ("node,time,value\n", "no rows"),
    ("", "not a readable CSV"),
])
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
    with pytest.raises(InputError, match="not UTF-8"):
        load_observed(tmp_path / "latin1.csv", NODES, HORIZON)


def test_frame_input():
    frame = pd.DataFrame({"node": ["jobs"], "time": [2025.5], "value": [1.25]})
    assert observed_from_frame(frame, NODES, HORIZON).series("jobs")[1].tolist() == [1.25]


def test_comment_lines_keep_line_numbers_right():
    text = "# illustrative data\nnode,time,value\n# a note\njobs,2021,1\njobs,2022,x\n"
    problems = _problems(text)
    assert problems == ["obs.csv:5: row 2: value 'x' is not a finite number (use a plain number with a decimal "
                        "point, e.g. 6150.5; leave missing observations out)"]
