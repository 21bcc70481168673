"""Workshop mode: groups build futures at the same time; the facilitator compares them.

Storage (SQLite in WAL mode by default, PostgreSQL given a URL) with the schema
migrated by the app itself; join codes; futures saved version by version; the
facilitator's comparison; export and import of a whole workshop.
"""

from simulator.workshop.codes import format_code, new_code, normalize_code
from simulator.workshop.records import FutureVersion, ModelVersion, Notes, Workshop, WorkshopSummary
from simulator.workshop.store import WorkshopStore

__all__ = [
    "FutureVersion",
    "ModelVersion",
    "Notes",
    "Workshop",
    "WorkshopStore",
    "WorkshopSummary",
    "format_code",
    "new_code",
    "normalize_code",
]
