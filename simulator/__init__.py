"""bwsim: a brede-welvaart scenario simulator.

The public namespace is small on purpose; see the README for a tour.
"""

from importlib.metadata import PackageNotFoundError, version

from simulator.compiler import CompiledModel, compile_model
from simulator.engine import simulate
from simulator.errors import InputError, NumericalError, Problem, SimulatorError
from simulator.io.spec_files import load_model, load_scenario
from simulator.results import RunResult
from simulator.scenario_run import PreparedScenario, prepare_scenario, run_deterministic, run_scenario
from simulator.spec import ModelSpec, ScenarioSpec

try:
    __version__ = version("bwsim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "CompiledModel", "InputError", "ModelSpec", "NumericalError", "PreparedScenario", "Problem",
    "RunResult", "ScenarioSpec", "SimulatorError", "__version__", "compile_model", "load_model",
    "load_scenario", "prepare_scenario", "run_deterministic", "run_scenario", "simulate",
]
