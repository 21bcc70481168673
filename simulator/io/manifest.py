"""What makes a run reproducible, written beside its results (``manifest.json``)."""

from __future__ import annotations

import json
import platform
import sys
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def build_manifest(command: list[str], inputs: list[dict[str, Any]], **settings: Any) -> dict[str, Any]:
    """A JSON-ready record: bwsim and library versions, inputs with their SHA-256, settings."""
    return {
        "bwsim_version": _version("bwsim"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "libraries": {name: _version(name) for name in ("numpy", "scipy", "pandas", "pydantic")},
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "inputs": inputs,
        "settings": settings,
    }


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """Write ``manifest`` as indented JSON."""
    Path(path).write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")
