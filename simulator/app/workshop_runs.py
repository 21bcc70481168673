"""The facilitator's comparison, kept whole when one future fails in a way the library does not expect.

:func:`simulator.workshop.compare.compare_workshop` marks a future that cannot run for the reasons
it knows (invalid on the model, a run that blows up). A future whose saved text crashes the engine
in another way (it came from a crafted import or an older bwsim) must not take the others with it:
:func:`comparison` then runs each future on its own and marks the one that failed, with the reason.
No Streamlit here.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable

from simulator.errors import InputError
from simulator.workshop.compare import Comparison, compare_workshop
from simulator.workshop.futures import FutureRun, baseline_run, check_future_yaml, model_file, run_future
from simulator.workshop.records import FutureVersion, ModelVersion
from simulator.workshop.store import WorkshopStore

MAX_REASON_CHARS = 200

Describe = Callable[[FutureVersion, str], str]
"""Turns (the failed future, the reason) into the text shown for it, in the reader's language."""


def reason(exc: BaseException) -> str:
    """A short reason for people: the kind of error and the first line of its message (no traceback)."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 1] + "…"


def run_marked(version: FutureVersion, made_with: ModelVersion, current: ModelVersion, describe: Describe) -> FutureRun:
    """:func:`run_future`, or for a future that crashes it, a run without results that says why."""
    try:
        return run_future(version, made_with, current)
    except Exception as exc:  # noqa: BLE001 - any crash of one future is that future's problem
        traceback.print_exc()  # for the server log only
        return FutureRun(version, None, None, made_with.sha256 != current.sha256, (describe(version, reason(exc)),))


def comparison(store: WorkshopStore, code: str, describe: Describe) -> Comparison:
    """The workshop's futures side by side; a future that crashes is marked, the others are compared.

    Raises
    ------
    InputError
        As :func:`compare_workshop` (e.g. the workshop's current model does not validate).
    """
    try:
        return compare_workshop(store, code)
    except InputError:
        raise
    except Exception:  # noqa: BLE001 - some future crashed the library: run each one on its own
        traceback.print_exc()  # for the server log only
    current = store.current_model(code)
    models = {m.id: m for m in store.models(code)}
    runs = tuple(run_marked(v, models[v.model_id], current, describe) for v in store.latest(code))
    return Comparison(runs, model_file(current), baseline_run(current))


def analysable(comparison: Comparison) -> Comparison:
    """``comparison`` without the futures whose saved text crashes the scenario reader.

    The intervention table and the disputed links read every future's scenario again;
    a future that crashed its run would crash them too. One that is merely invalid on the
    current model stays (those tables skip it themselves).
    """
    kept = []
    for run in comparison.runs:
        try:
            check_future_yaml(run.version.scenario_yaml, comparison.model, run.version.future)
        except InputError:
            pass
        except Exception:  # noqa: BLE001 - the same crash as its run: leave this future out
            continue
        kept.append(run)
    if len(kept) == len(comparison.runs):
        return comparison
    return Comparison(tuple(kept), comparison.model, comparison.baseline)
