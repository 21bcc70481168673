"""``bwsim compare-places MODEL DATA --place P``: a place against Nederland, comparable gemeenten, its past."""

from __future__ import annotations

import difflib
from pathlib import Path

import typer

from simulator.analysis.compare_places import NATIONAL, compare_places
from simulator.analysis.compare_text import format_comparison
from simulator.analysis.text import node_labels, node_units
from simulator.cli.common import Lang, fail, language_option, reports_errors, say
from simulator.cli.flags import as_flags
from simulator.io.spec_files import is_scenario_document, load_model, load_scenario
from simulator.io.yaml_file import read_yaml
from simulator.messages import msg
from simulator.observed import load_observed
from simulator.spec import ModelSpec
from simulator.units import is_total


def _model(path: Path) -> ModelSpec:
    """The model of a model file, or of a scenario file (its model beside it)."""
    doc, _ = read_yaml(path)
    if is_scenario_document(doc):
        return load_scenario(path).model.spec
    return load_model(path).spec


@reports_errors
def compare_places_command(
    model: Path = typer.Argument(..., help="Model file, or a scenario file (its model is used): the directions."),
    data: Path = typer.Argument(..., help="Observed data with a place column (CSV), e.g. data/parkstad-observed.csv."),
    place: str | None = typer.Option(None, "--place", help="The place compared, e.g. heerlen."),
    compare: str | None = typer.Option(
        None,
        "--compare",
        help="Comparable gemeenten, separated by commas (default: every other place in the data).",
    ),
    indicator: list[str] | None = typer.Option(
        None, "--indicator", help="Only this indicator (a node id); may be given more than once."
    ),
    since: float | None = typer.Option(None, "--since", help="Year of the past the trend is read from."),
    threshold: float = typer.Option(
        1.0, "--threshold", help="Differences within this % of the reference count as about the same."
    ),
    language: Lang = language_option(),
) -> None:
    """Each indicator of a place next to the Dutch average, comparable gemeenten and its own past."""
    spec = _model(model)
    node_ids = [node.id for node in spec.nodes]
    unknown = [name for name in indicator or [] if name not in node_ids]
    if unknown:
        close = difflib.get_close_matches(unknown[0], node_ids, n=1, cutoff=0.5)
        fail(
            msg(
                "--indicator {name} is no node of {model} (did you mean '{close}'?)",
                name=unknown[0],
                model=str(model),
                close=close[0],
            )
            if close
            else msg("--indicator {name} is no node of {model}", name=unknown[0], model=str(model))
        )
    observed = load_observed(data, node_ids, None)
    places = list(dict.fromkeys(p for p in observed.table["place"] if p))
    if place is None:
        fail(
            msg(
                "give --place, one of the places of {data}: {places}",
                data=str(data),
                places=", ".join(p for p in places[:10] if p != NATIONAL) + (", ..." if len(places) > 10 else ""),
            )
        )
    peers = None if compare is None else [p.strip() for p in compare.split(",") if p.strip()]
    if peers is not None and not peers:
        fail(msg("--compare names no place; give gemeenten separated by commas, e.g. maastricht,venlo"))
    directions = {node.id: node.direction for node in spec.nodes}
    totals = {node.id for node in spec.nodes if is_total(node.unit)}
    with as_flags("threshold"):
        comparison = compare_places(
            observed, directions, place, peers, indicator or None, since, threshold / 100, totals
        )
    say(
        format_comparison(comparison, str(data), node_labels(spec, language), node_units(spec, language), language),
        language,
    )
