"""Saving a group's future into its workshop, and checking that what was stored is what was shown.

No Streamlit. A save is read back from the store before the app says "saved":
the stored text, notes and checksum must be the ones sent and, when the numbers
on screen are given, the stored future run on the workshop's model must give
those numbers. Anything else is reported as a difference, never as a success.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

import numpy as np

from simulator.app import future as fut
from simulator.errors import InputError, SimulatorError
from simulator.io.spec_files import ModelFile
from simulator.results import RunResult
from simulator.spec import ModelSpec, ScenarioSpec
from simulator.workshop.futures import check_future_yaml, model_file, run_version, scenario_yaml
from simulator.workshop.records import FutureVersion, Notes
from simulator.workshop.store import WorkshopStore

HEADER = {
    "nl": "# Een toekomst als scenariobestand (bwsim): ingrepen en eigen aannames.\n"
    "# Boven dit vak staat in zinnen wat erin staat; regels met # zijn commentaar.\n",
    "en": "# A future as a scenario file (bwsim): interventions and own assumptions.\n"
    "# The sentences above this box say what it holds; lines starting with # are comments.\n",
}
"""The comment that opens a future's text, in the reader's language (a start scenario's own,
English-only file comments are not carried over: its description says the same in both languages)."""

RTOL = 1e-9
"""Relative tolerance when the stored future's run is compared with the numbers on screen."""


def future_text(spec: ScenarioSpec, language: str = "nl") -> str:
    """The text of a future as a group saves it: :data:`HEADER` and the scenario as YAML."""
    return HEADER["en" if language == "en" else "nl"] + scenario_yaml(spec)


def save_id(group: str, future: str, text: str, notes: Notes, base: int) -> str:
    """The id of one click on save: the same content saved on top of the same version is
    the same save (a double click or a replayed rerun stores one version, not two)."""
    payload = json.dumps([group, future, text, asdict(notes), base], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def for_workshop(
    built: ScenarioSpec, model: ModelSpec, workshop_model: ModelFile
) -> tuple[ScenarioSpec | None, list[str]]:
    """The future built on ``model`` as a scenario on the workshop's model, and what cannot be said so.

    On the workshop's own model the future is itself. On an own model (edited in
    the assumptions table) its edits become overrides under the future's own
    (:func:`simulator.app.future.shared_scenario`); when some edit cannot be an override the
    scenario is None and the list names what cannot travel.
    """
    if model == workshop_model.spec:
        return built, []
    spec, lost = fut.shared_scenario(workshop_model.spec, model, built, built.model)
    if lost:
        return None, lost
    return spec.model_copy(update={"name": built.name, "title": built.title}), []


def same_numbers(stored: RunResult, shown: RunResult) -> bool:
    """True when two runs have the same nodes and times, and values within :data:`RTOL` of each
    node's largest magnitude (so rounding noise on a path through zero is not a difference)."""
    if list(stored.node_ids) != list(shown.node_ids) or stored.value.shape != shown.value.shape:
        return False
    scale = np.abs(shown.value).max(axis=0, initial=0.0)
    return bool(
        np.array_equal(stored.times, shown.times) and np.all(np.abs(stored.value - shown.value) <= RTOL * scale)
    )


@dataclass(frozen=True)
class SaveCheck:
    """A save and what its read-back found.

    Attributes
    ----------
    version : FutureVersion
        The version the store returned.
    differences : tuple of str
        Empty when the stored version is what was shown; else keys among ``missing``,
        ``text``, ``notes``, ``checksum``, ``run`` (it no longer runs), ``numbers``.
    """

    version: FutureVersion
    differences: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when what was stored is what was shown."""
        return not self.differences


def read_back(
    store: WorkshopStore, code: str, saved: FutureVersion, text: str, notes: Notes, shown: RunResult | None
) -> tuple[str, ...]:
    """How the stored ``saved`` differs from what was sent (and, given ``shown``, from those numbers)."""
    stored = next((v for v in store.history(code, saved.group, saved.future) if v.version == saved.version), None)
    if stored is None:
        return ("missing",)
    differences = [
        key
        for key, differs in (
            ("text", stored.scenario_yaml != text),
            ("notes", stored.notes != notes.checked()),
            ("checksum", not stored.intact),
        )
        if differs
    ]
    if shown is not None:
        try:
            run = run_version(stored, model_file(store.model_version(code, stored.model_id)))
        except (InputError, SimulatorError):
            return (*differences, "run")
        if not same_numbers(run, shown):
            differences.append("numbers")
    return tuple(differences)


def save_checked(
    store: WorkshopStore,
    code: str,
    group: str,
    future: str,
    text: str,
    notes: Notes,
    base: int = 0,
    shown: RunResult | None = None,
) -> SaveCheck:
    """Save ``text`` as a new version of the group's future, then read it back and compare.

    Parameters
    ----------
    base : int
        The version the group saw before saving (0 for a new future): with the
        content it makes the save's id, so a repeated click stores one version.
    shown : RunResult, optional
        The numbers on screen; the stored future, run on the workshop's model, must give them.

    Raises
    ------
    InputError
        From :meth:`WorkshopStore.save_future` (unknown code or group, bad names, invalid scenario).
    """
    saved = store.save_future(code, group, future, text, notes, save_id=save_id(group, future, text, notes, base))
    return SaveCheck(saved, read_back(store, code, saved, text, notes, shown))


def check_text(text: str, workshop_model: ModelFile, future: str = "future") -> ScenarioSpec:
    """The scenario in a future's text on the workshop's model (raises InputError like a save)."""
    return check_future_yaml(text, workshop_model, future).spec
