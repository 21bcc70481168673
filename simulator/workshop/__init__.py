"""Workshop mode: groups build futures at the same time; the facilitator compares them.

How a session runs::

    # the facilitator, on the machine that serves the app to the room
    export BWSIM_WORKSHOP_DB=~/cop-heerlen.sqlite          # or postgresql+psycopg://user:pw@host/db
    bwsim workshop create --name "CoP Heerlen" --model models/medtech-heerlen.yaml \\
        --scenario scenarios/medtech-growth.yaml --scenario scenarios/medtech-automation.yaml
    #   -> join code: HX4K-PR7T
    bwsim ui --address 0.0.0.0 --headless                # groups open the page "Workshop: groep"
    # ... groups join with the code and a group name, build, note and save futures ...
    bwsim workshop show HX4K-PR7T                        # who saved what, which versions
    bwsim workshop compare HX4K-PR7T --outcome jobs_total
    bwsim workshop export HX4K-PR7T --out cop-heerlen.json   # everything, every version
    bwsim workshop import cop-heerlen.json --db elsewhere.sqlite

The page "Workshop: begeleider" shows all groups' latest futures side by side
(scorecards, overlaid paths, interventions that differ, disputed links ranked by
their effect on a chosen outcome) and exports the workshop.

Modules: :mod:`codes` (join codes), :mod:`schema` (tables and migrations),
:mod:`database` (SQLite in WAL mode or PostgreSQL), :mod:`store` (workshops,
groups, versioned futures), :mod:`futures` (a future as scenario YAML, runs),
:mod:`compare` (the facilitator's comparison), :mod:`exchange` (export and
import), :mod:`view` (tables for the pages).

The names in ``__init__.pyi`` are imported on first use (``lazy_loader``), so that threads importing
different submodules at once cannot deadlock on this package.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
