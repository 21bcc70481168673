from .compiler import CompiledModel, compile_model
from .engine import simulate
from .errors import InputError, NumericalError, Problem, SimulatorError
from .io.spec_files import load_model, load_scenario
from .results import RunResult
from .runner import Uncertainty, run_scenarios
from .scenario_run import PreparedScenario, prepare_scenario, run_deterministic, run_scenario
from .spec import ModelSpec, ScenarioSpec

__version__: str

__all__ = [
    "CompiledModel",
    "InputError",
    "ModelSpec",
    "NumericalError",
    "PreparedScenario",
    "Problem",
    "RunResult",
    "ScenarioSpec",
    "SimulatorError",
    "Uncertainty",
    "__version__",
    "compile_model",
    "load_model",
    "load_scenario",
    "prepare_scenario",
    "run_deterministic",
    "run_scenario",
    "run_scenarios",
    "simulate",
]
