"""Back-test of the Heerlen model on 2004-2025 (issue 17 item 9): the sector's history against what was observed.

Usage: ``python scripts/backtest.py [SCENARIO] [DATA]`` (defaults:
``scenarios/examples/backtest-2004-2024.yaml`` and ``data/parkstad-observed.csv``). Prints the
table that ``docs/heerlen-model.md`` ("Back-test 2004-2024") shows; ``tests/core/test_backtest.py``
checks that the page shows what this prints.

The scenario runs the growth of medtech(-logistics) jobs from 1,000 (2004) to 6,000 (2024) against a
Parkstad whose sector stayed at 1,000, at the modes. The model's baselines are today's observed levels
(they already hold twenty years of that growth), so levels of the past are not comparable; what is
compared is each series' **change since its first observed year**, observed against the model's
(baseline plus deviation). Where no series of the model's own place (Parkstad) was found, the nearest
one in the snapshot stands in, and the table says which (Limburg for the labour market, Heerlen for
the population). Per series:

- ``observed`` and ``model``: the change from the first to the last observed year (percentage points
  for rates, % for the population);
- ``share``: the model's change as a share of the observed one;
- ``RMSE``: root mean square of (model change - observed change) over the observed years;
- ``r``: the correlation of the two change paths over those years (undefined when either is constant).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "examples" / "backtest-2004-2024.yaml"
DATA = ROOT / "data" / "parkstad-observed.csv"
SERIES = (  # node, place of the observations, whether the change is relative (%), what stands in for what
    ("unemployment_rate", "Limburg (PV)", False, "the province"),
    ("employment_rate", "Limburg (PV)", False, "the province"),
    ("population", "Heerlen", True, "a third of Parkstad"),
)
NOT_OBSERVED = ("in_commuters", "cross_border_commuters", "jobs_total")
"""Nodes the back-test would compare but the snapshot has no series of (commuting, jobs located)."""


@dataclass(frozen=True)
class Fit:
    """One series of the back-test: observed and modelled change since the first observed year."""

    node: str
    place: str
    relative: bool
    stands_in: str
    years: tuple[int, ...]
    observed: tuple[float, ...]
    model: tuple[float, ...]

    @property
    def observed_change(self) -> float:
        return self.observed[-1]

    @property
    def model_change(self) -> float:
        return self.model[-1]

    @property
    def share(self) -> float:
        return self.model_change / self.observed_change if self.observed_change else math.nan

    @property
    def rmse(self) -> float:
        return float(np.sqrt(np.mean((np.array(self.model) - np.array(self.observed)) ** 2)))

    @property
    def correlation(self) -> float:
        model, observed = np.array(self.model), np.array(self.observed)
        if np.ptp(model) == 0 or np.ptp(observed) == 0:
            return math.nan
        return float(np.corrcoef(model, observed)[0, 1])


def fits(scenario: Path = SCENARIO, data: Path = DATA) -> list[Fit]:
    """Run the back-test scenario at the modes and compare it with the snapshot's series (see the module)."""
    from simulator.io.spec_files import load_scenario
    from simulator.observed import load_observed, place_key
    from simulator.scenario_run import prepare_scenario, run_deterministic

    loaded = load_scenario(scenario)
    result = run_deterministic(prepare_scenario(loaded.spec, loaded.model.spec, loaded.path))
    observed = load_observed(data, list(result.node_ids), None).table
    out = []
    for node, place, relative, stands_in in SERIES:
        rows = observed[(observed["node"] == node) & (observed["place"].map(place_key) == place_key(place))]
        rows = rows[(rows["time"] >= result.times[0]) & (rows["time"] <= result.times[-1])]
        years = [int(t) for t in rows["time"]]
        values = rows["value"].to_numpy(float)
        level = result.value[:, result.node_ids.index(node)]
        at = [level[int(np.argmin(np.abs(result.times - year)))] for year in years]
        if relative:
            obs = [100 * (v / values[0] - 1) for v in values]
            mod = [100 * (v / at[0] - 1) for v in at]
        else:
            obs = [v - values[0] for v in values]
            mod = [v - at[0] for v in at]
        out.append(Fit(node, place, relative, stands_in, tuple(years), tuple(obs), tuple(mod)))
    return out


def _number(value: float, digits: int = 2) -> str:
    return "–" if math.isnan(value) else f"{value:+.{digits}f}"


def table(results: list[Fit]) -> str:
    """The Markdown table of the back-test, as docs/heerlen-model.md shows it."""
    lines = [
        "| node (Parkstad in the model) | observed in | years (n) | observed change | model change "
        "| share | RMSE | r |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for fit in results:
        unit = "%" if fit.relative else " pp"
        lines.append(
            f"| {fit.node} | {fit.place} ({fit.stands_in}) | {fit.years[0]}–{fit.years[-1]} ({len(fit.years)}) "
            f"| {_number(fit.observed_change)}{unit} | {_number(fit.model_change)}{unit} "
            f"| {_number(fit.share)} | {fit.rmse:.2f}{unit} | {_number(fit.correlation)} |"
        )
    lines.append(f"| {', '.join(NOT_OBSERVED)} | no series in the snapshot | – | – | – | – | – | – |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    scenario = Path(argv[1]) if len(argv) > 1 else SCENARIO
    data = Path(argv[2]) if len(argv) > 2 else DATA
    print(table(fits(scenario, data)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
