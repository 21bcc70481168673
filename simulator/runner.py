"""Run scenarios with their uncertainty: the one way the CLI, the app, the workshop and the benchmarks run them.

The anchor is EMA Workbench's ``perform_experiments``: :func:`run_scenarios`
takes scenario files (or specs) and an :class:`Uncertainty`, and returns for
each scenario its deterministic result, its ensemble summary, its scorecard and
the warnings given before it ran (:class:`Runs`). Each scenario is prepared
once; a scenario with samples draws its sample once (:func:`simulator.sampling.draw`)
and simulates its members once: the stability check looks at that sample's
first members, and the scorecard's agreement shares come from the ensemble's
own runs (:attr:`simulator.ensemble.EnsembleSummary.members`).

Errors name files and keys, never a command-line flag: a front end maps them to
its own words (``bwsim run`` to ``--samples``, the app to its sliders).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from simulator.errors import InputError, Problem
from simulator.io.spec_files import ModelFile, ScenarioFile, load_model, load_scenario
from simulator.messages import msg
from simulator.results import RunResult, write_results_csv
from simulator.scenario_run import PreparedScenario, baseline_scenario, prepare_scenario, run_deterministic
from simulator.spec import ModelSpec, ScenarioSpec

if TYPE_CHECKING:
    import pandas as pd

    from simulator.ensemble import EnsembleSummary, Progress
    from simulator.sampling import ParameterSample

Scenario = str | Path | ScenarioFile | tuple[ScenarioSpec, ModelSpec]
"""A scenario to run: a file, a read file, or a spec with the model it runs on."""


@dataclass(frozen=True)
class Uncertainty:
    """How to sample a scenario's uncertain parameters; a field left None comes from the scenario's
    ``uncertainty`` block (or the defaults: seed 0, Latin hypercube).

    Attributes
    ----------
    samples : int or None
        Ensemble members; None: the scenario's block (no ensemble when it has none).
    seed : int or None
        Seed of the draws, 0 or more.
    method : {"lhs", "mc"} or None
    """

    samples: int | None = None
    seed: int | None = None
    method: str | None = None

    def resolve(self, spec: ScenarioSpec) -> Uncertainty | None:
        """The settings for ``spec``: these over its ``uncertainty`` block; None when it gets no ensemble."""
        block = spec.uncertainty
        if self.samples is not None:
            samples = self.samples
        elif block is not None:
            samples = block.samples
        else:
            return None
        return Uncertainty(
            samples,
            self.seed if self.seed is not None else (block.seed if block else 0),
            self.method or (block.method if block else "lhs"),
        )

    def resolved(self) -> tuple[int, int, str]:
        """``(samples, seed, method)`` of resolved settings (seed 0 and Latin hypercube where not set).

        Raises
        ------
        ValueError
            No sample size: settings that were not resolved for a scenario (a caller's bug).
        """
        if self.samples is None:
            raise ValueError("these ensemble settings have no sample size; resolve them for a scenario first")
        return self.samples, self.seed if self.seed is not None else 0, self.method or "lhs"

    def as_dict(self) -> dict[str, int | str]:
        """``{"samples", "seed", "method"}`` (resolved settings), as the manifest records them."""
        samples, seed, method = self.resolved()
        return {"samples": int(samples), "seed": int(seed), "method": str(method)}


@dataclass(frozen=True)
class ScenarioRun:
    """One scenario, run: what every front end shows.

    Attributes
    ----------
    prepared : PreparedScenario
    result : RunResult
        The deterministic run (central values).
    uncertainty : Uncertainty or None
        The resolved settings of its ensemble (None: no ensemble).
    ensemble : EnsembleSummary or None
    scorecard : pandas.DataFrame or None
        Against the baseline; with an ensemble, ``share_agree`` from its members.
    warnings : tuple of str
        Given before it ran.
    file : ScenarioFile or None
        The file it came from.
    sample : ParameterSample or None
        The ensemble's one draw.
    """

    prepared: PreparedScenario
    result: RunResult
    uncertainty: Uncertainty | None = None
    ensemble: EnsembleSummary | None = None
    scorecard: pd.DataFrame | None = None
    warnings: tuple[str, ...] = ()
    file: ScenarioFile | None = None
    sample: ParameterSample | None = None

    def scorecard_at(
        self, years: Sequence[float] | None = None, language: str = "nl", themes: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """The scorecard at ``years`` from this run (the ensemble's members at those years, nothing rerun).

        Raises
        ------
        ValueError
            With an ensemble that did not keep its members at those years (see ``member_times``).
        """
        from simulator.analysis.report import scenario_scorecard

        return scenario_scorecard(
            self.prepared, years, language=language, themes=themes, members=self.ensemble, central=self.result.delta
        )


@dataclass(frozen=True)
class Runs:
    """What :func:`run_scenarios` returns.

    Attributes
    ----------
    scenarios : tuple of ScenarioRun
        In the order given.
    results : tuple of RunResult
        The rows of ``results.csv`` in order: each model's baseline before its first scenario.
    """

    scenarios: tuple[ScenarioRun, ...]
    results: tuple[RunResult, ...] = field(default=())

    @property
    def warnings(self) -> list[str]:
        """Every scenario's warnings, in order."""
        return [w for run in self.scenarios for w in run.warnings]

    @property
    def ensembles(self) -> dict[str, Uncertainty]:
        """The resolved ensemble settings by scenario name."""
        return {r.prepared.name: r.uncertainty for r in self.scenarios if r.uncertainty is not None}

    def results_frame(self) -> pd.DataFrame:
        """The long table of ``results.csv``."""
        import pandas as pd

        return pd.concat([r.to_frame() for r in self.results], ignore_index=True)

    def write_results_csv(self, path: str | Path) -> None:
        """Write :meth:`results_frame` as ``results.csv`` (the same bytes as pandas', without pandas)."""
        write_results_csv(self.results, path)

    def ensemble_frame(self) -> pd.DataFrame | None:
        """The long table of ``ensemble.csv`` (None when no scenario has an ensemble)."""
        import pandas as pd

        bands = [r.ensemble.to_frame() for r in self.scenarios if r.ensemble is not None]
        return pd.concat(bands, ignore_index=True) if bands else None


def load_scenarios(paths: Sequence[str | Path]) -> list[ScenarioFile]:
    """Read every scenario, each model once; all problems of all files are reported together.

    Raises
    ------
    InputError
        Every problem of every file; also a model file given as a scenario, and
        scenario names that are not unique or are a baseline's.
    """
    from simulator.io.spec_files import model_beside, spec_from_document
    from simulator.io.yaml_file import read_yaml

    models: dict[Path, ModelFile] = {}
    loaded, problems = [], []
    for path in paths:
        try:
            doc = read_yaml(path)[0]
            if isinstance(doc.data, dict) and "nodes" in doc.data and "model" not in doc.data:
                raise InputError(
                    doc.problem(
                        (),
                        msg("this is a model file, not a scenario"),
                        msg(
                            "a run takes scenario files, which name their model "
                            "with model:; bwsim validate checks a model"
                        ),
                    )
                )
            spec = spec_from_document(doc, ScenarioSpec)
            model_path = model_beside(str(path), spec.model)  # as a person would write it
            key = model_path.resolve()
            if key not in models and model_path.is_file():
                models[key] = load_model(model_path)
            loaded.append(load_scenario(path, models.get(key)))
        except InputError as exc:
            problems.extend(exc.problems)
    problems.extend(name_problems(loaded))
    if problems:
        raise InputError(problems)
    return loaded


def name_problems(loaded: Sequence[ScenarioFile]) -> list[Problem]:
    """Scenario names label the rows of results.csv: each must be unique, and not a baseline's."""
    seen: dict[str, str] = {}
    problems = []
    for item in loaded:
        name = item.spec.name
        if name == "baseline" or name.startswith("baseline-"):
            problems.append(
                item.document.problem(
                    ("name",),
                    msg("'{name}' is the name of the baseline rows", name=name),
                    msg("give the scenario another name"),
                )
            )
        elif name in seen:
            problems.append(
                item.document.problem(
                    ("name",),
                    msg("scenario name '{name}' is also used by {file}", name=name, file=seen[name]),
                    msg("scenario names label the rows of results.csv; make them unique"),
                )
            )
        seen.setdefault(name, item.path)
    return problems


@dataclass(frozen=True)
class _Item:
    spec: ScenarioSpec
    model: ModelSpec
    path: str
    file: ScenarioFile | None

    @property
    def model_key(self) -> object:
        return self.file.model.path if self.file is not None else id(self.model)


def _items(scenarios: Sequence[Scenario]) -> list[_Item]:
    paths = [s for s in scenarios if isinstance(s, (str, Path))]
    files = iter(load_scenarios(paths)) if paths else iter(())
    items = []
    for s in scenarios:
        if isinstance(s, (str, Path)):
            s = next(files)
        if isinstance(s, ScenarioFile):
            items.append(_Item(s.spec, s.model.spec, s.path, s))
        else:
            items.append(_Item(s[0], s[1], "", None))
    return items


def scorecard_times(prepared: PreparedScenario, years: Sequence[float] | None = None) -> list[int]:
    """Time indices of the scorecard's years (default: decades and the horizon)."""
    from simulator.analysis.scorecard import default_years, time_indices

    cm = prepared.compiled
    years = default_years(cm.times[0], cm.times[-1]) if years is None else sorted(years)
    return time_indices(cm.times, years)


def check_uncertainty(
    prepared: PreparedScenario, settings: Uncertainty, file: ScenarioFile | None = None, parallel: int = 1
) -> list[Problem]:
    """What refuses an ensemble before anything is drawn: bad settings, lags whose draws fall below ``dt``,
    a design too large, work and memory above the budget (:mod:`simulator.budget`)."""
    from simulator.ensemble import check_ensemble_budget, sampled_lag_problems
    from simulator.sampling import check_sampling, design_problems

    where = file.path if file is not None else prepared.file
    samples, seed, method = settings.resolved()
    try:
        check_sampling(samples, seed, method, where)
    except InputError as exc:
        return list(exc.problems)
    problems = sampled_lag_problems(prepared, where, file.model if file is not None else None)
    problems += design_problems(prepared.model, samples, method, where)
    try:
        check_ensemble_budget(prepared, int(samples), parallel=parallel)
    except InputError as exc:
        problems += exc.problems
    return problems


def draw_sample(prepared: PreparedScenario, settings: Uncertainty) -> ParameterSample:
    """The scenario's one draw (:func:`simulator.sampling.draw` on the model as it runs)."""
    from simulator import sampling

    samples, seed, method = settings.resolved()
    return sampling.draw(prepared.model, int(samples), int(seed), method)


MemberTimes = Literal["scorecard", "all", "none"]


def run_prepared(
    prepared: PreparedScenario,
    uncertainty: Uncertainty | None = None,
    *,
    sample: ParameterSample | None = None,
    years: Sequence[float] | None = None,
    language: str = "nl",
    scorecard: bool = True,
    member_times: MemberTimes = "scorecard",
    executor: Executor | None = None,
    threads: int = 1,
    progress: Progress | None = None,
    warnings: Sequence[str] | None = None,
    file: ScenarioFile | None = None,
    themes: Sequence[str] | None = None,
    member_years: Sequence[float] = (),
) -> ScenarioRun:
    """Run one prepared scenario: deterministic, then (with ``uncertainty``) its ensemble, then its scorecard.

    Parameters
    ----------
    uncertainty : Uncertainty, optional
        Resolved settings (every field set); None: no ensemble.
    sample : ParameterSample, optional
        The scenario's draw when already made (:func:`draw_sample`); else drawn here, once.
    years : sequence of float, optional
        The scorecard's years (default: decades and the horizon).
    member_times : {"scorecard", "all", "none"}
        Times at which the first members' deviations are kept: the scorecard's
        years (none without a scorecard), or every time (the app's year slider
        scores any year from them).
    warnings : sequence of str, optional
        Warnings already given; else the run's warnings are found here.
    themes : sequence of str, optional
        Only these themes in the scorecard.
    member_years : sequence of float, optional
        Years at which the ensemble also keeps its first members (the reported
        time nearest each), e.g. the years of ambitions
        (:func:`simulator.analysis.ambitions.judge` reads them); inside the horizon.

    Raises
    ------
    InputError, NumericalError
        As :func:`simulator.ensemble.summarise_sample` and the scorecard.
    """
    if uncertainty is not None and sample is None:
        problems = check_uncertainty(prepared, uncertainty, file)
        if problems:
            raise InputError(problems)
        sample = draw_sample(prepared, uncertainty)
    if warnings is None:
        from simulator.analysis.run_warnings import run_warnings

        warnings = run_warnings(prepared, sample=sample)
    result = run_deterministic(prepared)
    summary = None
    if sample is not None:
        kept = "none" if member_times == "scorecard" and not scorecard else member_times
        summary = _ensemble(prepared, sample, years, kept, executor, threads, progress, member_years)
    run = ScenarioRun(prepared, result, uncertainty, summary, None, tuple(warnings), file, sample)
    if scorecard:
        run = replace(run, scorecard=run.scorecard_at(years, language, themes))
    return run


def _ensemble(
    prepared: PreparedScenario,
    sample: ParameterSample,
    years: Sequence[float] | None,
    member_times: MemberTimes,
    executor: Executor | None,
    threads: int,
    progress: Progress | None,
    member_years: Sequence[float] = (),
) -> EnsembleSummary:
    from simulator.analysis.report import MAX_MEMBERS
    from simulator.analysis.scorecard import time_indices
    from simulator.ensemble import summarise_sample

    times: Sequence[int] = ()
    if member_times == "all":
        times = range(prepared.compiled.times.size)
    elif member_times == "scorecard":
        times = scorecard_times(prepared, years)
    if member_years and member_times != "all":
        extra = time_indices(prepared.compiled.times, list(member_years), where="ambitions")
        times = sorted(set(times) | set(extra))
    return summarise_sample(
        prepared,
        sample,
        executor=executor,
        progress=progress,
        threads=threads,
        member_times=tuple(times),
        max_members=MAX_MEMBERS,
    )


def run_scenarios(
    scenarios: Sequence[Scenario],
    uncertainty: Uncertainty | None = None,
    *,
    years: Sequence[float] | None = None,
    language: str = "nl",
    scorecards: bool = True,
    baselines: bool = True,
    executor: Executor | None = None,
    threads: int = 1,
    progress: Callable[[str, int], Progress | None] | None = None,
    on_warnings: Callable[[list[str]], None] | None = None,
    member_years: Sequence[float] = (),
) -> Runs:
    """Run scenarios, each model's baseline, their ensembles and scorecards: ``perform_experiments`` for bwsim.

    Parameters
    ----------
    scenarios : sequence of Scenario
        Files (read together, every problem of every file reported at once), read
        files, or ``(ScenarioSpec, ModelSpec)`` pairs.
    uncertainty : Uncertainty, optional
        Over each scenario's ``uncertainty`` block; a scenario gets an ensemble
        when ``samples`` is given or its file has such a block.
    baselines : bool
        Also run each model's baseline (named ``baseline``, or ``baseline-MODEL``
        when the scenarios run on several models), on its first scenario's time.
    executor : concurrent.futures.Executor, optional
        Where ensemble chunks run (:func:`simulator.distributed.dask_executor`).
    progress : callable(scenario name, members) -> Progress or None, optional
        Makes the progress callback of each ensemble.
    on_warnings : callable(list of str), optional
        Called with every scenario's warnings before anything runs (so that an
        unstable loop is a warning, not a crash halfway).
    member_years : sequence of float, optional
        Years at which every ensemble also keeps its first members (as :func:`run_prepared`),
        e.g. the years of ambitions; inside every scenario's horizon.

    Raises
    ------
    InputError
        Every problem of the files and of their ensembles' settings, budgets and
        lags, before anything runs.
    NumericalError
        When a run or an ensemble member blows up.
    """
    from simulator.distributed import parallel_blocks

    items = _items(scenarios)
    prepared = [prepare_scenario(it.spec, it.model, it.path) for it in items]
    settings = [(uncertainty or Uncertainty()).resolve(it.spec) for it in items]
    problems = []
    for it, prep, chosen in zip(items, prepared, settings, strict=True):
        if chosen is not None:
            problems += check_uncertainty(prep, chosen, it.file, parallel_blocks(executor, threads))
    if problems:
        raise InputError(problems)
    samples = [
        None if chosen is None else draw_sample(prep, chosen) for prep, chosen in zip(prepared, settings, strict=True)
    ]
    from simulator.analysis.run_warnings import run_warnings

    warnings = [run_warnings(prep, sample=sample) for prep, sample in zip(prepared, samples, strict=True)]
    if on_warnings is not None:
        on_warnings([w for found in warnings for w in found])
    _check_tables(items)
    runs, results, done = [], [], set()
    several = len({it.model_key for it in items}) > 1
    for it, prep, chosen, sample, found in zip(items, prepared, settings, samples, warnings, strict=True):
        if baselines and it.model_key not in done:
            done.add(it.model_key)
            name = f"baseline-{it.model.name}" if several else "baseline"
            results.append(
                run_deterministic(prepare_scenario(baseline_scenario(it.model, it.spec.time, name), it.model, it.path))
            )
        run = run_prepared(
            prep,
            chosen,
            sample=sample,
            years=years,
            language=language,
            scorecard=scorecards,
            executor=executor,
            threads=threads,
            progress=progress(prep.name, sample.samples) if progress and sample is not None else None,
            warnings=found,
            file=it.file,
            member_years=member_years,
        )
        runs.append(run)
        results.append(run.result)
    return Runs(tuple(runs), tuple(results))


def _check_tables(items: Sequence[_Item]) -> None:
    """All rows of results.csv are held until written: their total against the budget, before any run."""
    from simulator.budget import check_tables

    runs = [(it.spec.time_on(it.model), it.model) for it in items]
    firsts = {it.model_key: it for it in reversed(items)}.values()
    runs += [(it.spec.time_on(it.model), it.model) for it in firsts]  # each model's baseline, on its first time
    cells = sum((time.n_steps + 1) * len(model.nodes) for time, model in runs)
    check_tables(cells, len(runs), ", ".join(it.path for it in items))
