"""Write the synthetic places model: the Heerlen model's structure in every gemeente (issue 13 item 7).

Run by hand (the output is generated, not committed):

    .venv/bin/python benchmarks/make_gemeenten_model.py OUT_DIR            # 342 gemeenten
    .venv/bin/python benchmarks/make_gemeenten_model.py OUT_DIR --gemeenten 5 --seed 1

It writes to ``OUT_DIR``:

- ``model.yaml``: ``models/medtech-heerlen.yaml`` with ``dimensions: {gemeente: [...]}``
  and every node ``over: [gemeente]`` (49 nodes x 342 gemeenten = 16,758 element
  nodes); the model's groups (its own dimensions, the nodes over them and their links)
  are left out, so the benchmark measures the same structure as before them; every
  link is element to element, except the link ``residents_employed ->
  employment_rate``, which becomes a commuting matrix (``commuting.csv``):
  a job in gemeente r held by a resident of the region raises the employment rate
  where its worker lives, in r itself or in one of r's nearest neighbours;
- ``commuting.csv``: that matrix (rows: where the job is; columns: where the
  worker lives), each row's cells the link's central weight (0.000266 pp per person)
  times the share of the row's jobs filled from that gemeente;
- ``scenario.yaml``: the Medlands ramp (600 medtech jobs a year, 2025-2030) in
  the first gemeente only, so that the effect reaches its neighbours through
  the matrix.

The gemeenten are synthetic (ids ``gm0001`` ...): seeded random points in the
unit square, each linked to its ``--neighbours`` nearest (default 4). The own
share of new jobs is drawn between 0.55 and 0.8; the rest is split over the
neighbours in proportion to 1 / distance. Deterministic for a given seed.
Baselines, bounds and every other link are the Heerlen model's, the same in
every gemeente (the structure is the point here, not the numbers); the
reality checks (``checks:``) look at the first gemeente.
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
HEERLEN = ROOT / "models" / "medtech-heerlen.yaml"
COMMUTING_LINK = ("residents_employed", "employment_rate")
"""The link that becomes the commuting matrix."""
DEFAULT_GEMEENTEN = 342


def gemeente_ids(n: int) -> list[str]:
    """Synthetic gemeente ids ``gm0001`` ... ``gmNNNN``."""
    return [f"gm{i:04d}" for i in range(1, n + 1)]


def commuting_shares(n: int, neighbours: int, seed: int) -> np.ndarray:
    """Shares (n, n): row r, column c is the share of r's new jobs filled by residents of c (rows sum to 1)."""
    rng = np.random.default_rng(seed)
    points = rng.random((n, 2))
    own = rng.uniform(0.55, 0.8, size=n)
    shares = np.zeros((n, n))
    k = min(neighbours, n - 1)
    for r in range(n):
        shares[r, r] = own[r] if k else 1.0
        if not k:
            continue
        distance = np.hypot(*(points - points[r]).T)
        distance[r] = np.inf
        near = np.argsort(distance, kind="stable")[:k]
        closeness = 1.0 / distance[near]
        shares[r, near] = (1.0 - own[r]) * closeness / closeness.sum()
    return shares


def _model_data(ids: list[str]) -> dict:
    data = yaml.safe_load(HEERLEN.read_text(encoding="utf-8"))
    data["name"] = f"gemeenten-{len(ids)}"
    data["title"] = {
        "nl": f"Synthetisch model over {len(ids)} gemeenten (Heerlen-structuur)",
        "en": f"Synthetic model over {len(ids)} gemeenten (the Heerlen structure)",
    }
    data.pop("description", None)
    grouped = {node["id"] for node in data["nodes"] if "over" in node}  # the groups: not part of the benchmark
    data["nodes"] = [node for node in data["nodes"] if node["id"] not in grouped]
    data.pop("dimensions", None)  # the groups' dimensions; gemeente goes last, as before them
    data["dimensions"] = {"gemeente": ids}
    for node in data["nodes"]:
        node["over"] = ["gemeente"]
    links = []
    for link in data["links"]:
        if link["to"].partition("[")[0] in grouped or link["from"].partition("[")[0] in grouped:
            continue
        if (link["from"], link["to"]) == COMMUTING_LINK:
            link = copy.deepcopy(link)
            link.pop("weight")
            link["matrix"] = "commuting.csv"
            link["evidence"] = {
                "strength": "expert",
                "note": "synthetic commuting: rows where the job is, columns where the worker lives",
            }
        links.append(link)
    data["links"] = links
    for check in data.get("checks", []):  # the reality checks: in the first gemeente
        check["node"] = f"{check['node']}[{ids[0]}]"
    return data


def central_weight() -> float:
    """The Heerlen model's central weight of the commuting link (pp per person)."""
    data = yaml.safe_load(HEERLEN.read_text(encoding="utf-8"))
    link = next(lk for lk in data["links"] if (lk["from"], lk["to"]) == COMMUTING_LINK)
    weight = link["weight"]
    return float(weight["mode"] if isinstance(weight, dict) else weight)


def write_model(out: Path, n: int = DEFAULT_GEMEENTEN, neighbours: int = 4, seed: int = 0) -> Path:
    """Write ``model.yaml``, ``commuting.csv`` and ``scenario.yaml`` into ``out``; return the model's path."""
    out.mkdir(parents=True, exist_ok=True)
    ids = gemeente_ids(n)
    cells = commuting_shares(n, neighbours, seed) * central_weight()
    lines = [
        "# synthetic commuting matrix (bwsim benchmarks/make_gemeenten_model.py); pp per person",
        ",".join(["job \\ worker", *ids]),
    ]
    lines += [",".join([g, *(repr(float(x)) for x in row)]) for g, row in zip(ids, cells, strict=True)]
    (out / "commuting.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    model = out / "model.yaml"
    model.write_text(yaml.safe_dump(_model_data(ids), sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
    scenario = {
        "name": f"gemeenten-{n}-medtech-growth",
        "model": "model.yaml",
        "title": {"nl": f"Medtech-groei in {ids[0]}", "en": f"Medtech growth in {ids[0]}"},
        "time": {"start": 2025, "end": 2050, "dt": 0.25},
        "interventions": [
            {"node": f"medtech_jobs[{ids[0]}]", "shape": "ramp", "slope": 600, "start": 2025, "end": 2030}
        ],
    }
    (out / "scenario.yaml").write_text(yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--gemeenten", type=int, default=DEFAULT_GEMEENTEN)
    parser.add_argument("--neighbours", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(write_model(args.out, args.gemeenten, args.neighbours, args.seed))


if __name__ == "__main__":
    main()
