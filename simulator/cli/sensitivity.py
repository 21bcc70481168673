"""``bwsim sensitivity SCENARIO --output NODE --year Y``: which uncertain links matter most."""

from __future__ import annotations

import json
import math

import typer

from simulator.analysis.run_warnings import run_warnings
from simulator.analysis.text import node_labels
from simulator.cli.calibrate import parameter_label
from simulator.cli.common import Lang, echo_warnings, language_option, reports_errors, say
from simulator.cli.flags import as_flags
from simulator.distributed import check_workers, dask_executor
from simulator.io.spec_files import load_scenario
from simulator.messages import localize_number, msg, translate
from simulator.scenario_run import prepare_scenario
from simulator.sensitivity import Indices, scenario_sensitivities, sensitivity_design


def _clean(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def indices_to_dict(indices: Indices, output: str, year: float) -> dict:
    """JSON-ready: the ranking at ``year`` and the main index over time, for one output."""
    ranking = indices.ranking(year)
    return {
        "output": output,
        "ranking": [
            {k: (_clean(v) if isinstance(v, float) else v) for k, v in row.items()}
            for row in ranking.to_dict(orient="records")
        ],
        "over_time": {
            "index": indices.main,
            "times": [float(t) for t in indices.times],
            "factors": list(indices.names),
            "values": [[_clean(float(x)) for x in row] for row in indices.values[indices.main]],
        },
    }


def format_indices(
    indices: Indices, output: str, year: float, top: int, labels: dict[str, str] | None = None, language: str = "en"
) -> str:
    """The ranking at ``year`` and the top factors' main index over time, in ``language``.

    ``labels`` (node id -> label) names the output and the factors' nodes; without it, ids are shown.
    """
    labels = labels or {}
    ranking = indices.ranking(year).head(top)

    def number(x: float) -> str:
        return localize_number(f"{x:.3f}", language) if math.isfinite(x) else translate(msg("n/a"), language)

    names = {name: parameter_label(name, labels, language) for name in indices.names}
    columns = list(indices.values)
    factor, rank = translate(msg("factor"), language), translate(msg("rank"), language)
    width = max([len(factor), *(len(names[n]) for n in ranking["factor"])])
    lines = [
        translate(
            msg(
                "{method} sensitivity of {output} (deviation) in {year:g}: {runs} runs, {n} uncertain parameters",
                method=indices.method,
                output=labels.get(output, output),
                year=year,
                runs=indices.n_runs,
                n=len(indices.names),
            ),
            language,
        ),
        "",
        f"  {rank:>4}  {factor:<{width}}" + "".join(f"{c:>9}" for c in columns),
    ]
    for row in ranking.itertuples(index=False):
        values = row._asdict()
        lines.append(
            f"  {values['rank']:>4}  {names[values['factor']]:<{width}}"
            + "".join(f"{number(float(values[c])):>9}" for c in columns)
        )
    k = int(abs(indices.times - year).argmin())
    if indices.variance[k] == 0:
        lines.append(
            translate(
                msg("\n(the output does not vary in {year:g}: no uncertain link reaches it yet)", year=year), language
            )
        )
    main = indices.values[indices.main]
    shown = list(ranking["factor"].head(min(top, 5)))
    width = max([width, 44])
    header = f"  {factor:<{width}}" + "".join(f"{localize_number(f'{t:g}', language):>9}" for t in indices.times)
    lines += ["", translate(msg("{index} over time (top {n}):", index=indices.main, n=len(shown)), language), header]
    for name in shown:
        j = indices.names.index(name)
        lines.append(
            f"  {names[name]:<{width}}" + "".join(f"{number(main[t, j]):>9}" for t in range(indices.times.size))
        )
    return "\n".join(lines)


@reports_errors
def sensitivity_command(
    scenario: str = typer.Argument(..., help="Scenario file (YAML)."),
    output: list[str] = typer.Option(
        ...,
        "--output",
        help="Node id of the outcome, e.g. life_satisfaction (repeatable: several outcomes from the same runs).",
    ),
    year: float = typer.Option(..., "--year", help="Year of interest, inside the scenario's horizon."),
    method: str = typer.Option("sobol", "--method", help="sobol (first and total order) or morris (screening)."),
    samples: int = typer.Option(1024, "--samples", help="Base samples N (Sobol: a power of 2; runs N(D+2))."),
    seed: int = typer.Option(0, "--seed", help="Seed of the samples."),
    top: int = typer.Option(15, "--top", help="Rows of the printed ranking."),
    workers: int | None = typer.Option(None, "--workers", help="Run on a local Dask cluster of N processes."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Run on an existing Dask cluster (scheduler address, e.g. tcp://host:8786)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    language: Lang = language_option(),
) -> None:
    """Global sensitivity (Sobol or Morris) of one outcome to every uncertain weight and lag."""
    check_workers(workers, scheduler)
    loaded = load_scenario(scenario)
    prepared = prepare_scenario(loaded.spec, loaded.model.spec, loaded.path)
    with as_flags("output", "year", "samples", "method"):
        drawn = sensitivity_design(prepared, output, year, method, samples, seed)  # type: ignore[arg-type]
        echo_warnings(run_warnings(prepared, members=(drawn.weights, drawn.lags)), language)
        with dask_executor(workers, scheduler) as executor:
            results = scenario_sensitivities(
                prepared,
                output,
                year,
                method,  # type: ignore[arg-type]
                samples,
                seed,
                executor=executor,
                drawn=drawn,
            )
    if as_json:
        first = next(iter(results.values()))
        typer.echo(
            json.dumps(
                {
                    "scenario": prepared.name,
                    "year": year,
                    "method": first.method,
                    "runs": first.n_runs,
                    "samples": samples,
                    "seed": seed,
                    "outputs": [indices_to_dict(ix, node, year) for node, ix in results.items()],
                },
                indent=2,
            )
        )
    else:
        labels = node_labels(prepared.model, language)
        say(
            "\n\n".join(format_indices(ix, node, year, top, labels, language) for node, ix in results.items()), language
        )
