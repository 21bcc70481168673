from . import codes, schema
from .codes import format_code, new_code, normalize_code
from .database import mask_database_url
from .records import FutureVersion, ModelVersion, Notes, Workshop, WorkshopSummary
from .store import WorkshopStore

__all__ = [
    "FutureVersion",
    "ModelVersion",
    "Notes",
    "Workshop",
    "WorkshopStore",
    "WorkshopSummary",
    "codes",
    "format_code",
    "mask_database_url",
    "new_code",
    "normalize_code",
    "schema",
]
