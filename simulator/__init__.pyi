from .compiler import CompiledModel, compile_model
from .engine import simulate
from .errors import InputError, NumericalError, Problem, SimulatorError
from .io.spec_files import load_model, load_scenario
from .results import RunResult
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
    "__version__",
    "compile_model",
    "load_model",
    "load_scenario",
    "prepare_scenario",
    "run_deterministic",
    "run_scenario",
    "simulate",
]
