"""Brede-welvaart analysis of runs: scorecard, feedback loops, stability, causal tracing, trade-offs.

Every function here takes specs and arrays and returns plain dataclasses or
pandas tables with stable column names; nothing prints or reads files.
"""

from simulator.analysis.loops import Loop, find_loops, loop_scores, loops_frame
from simulator.analysis.scorecard import (
    SCORECARD_COLUMNS,
    Tolerance,
    distribution,
    scorecard,
    summary,
    verdicts,
)
from simulator.analysis.stability import StabilityReport, check_stability, step_map
from simulator.analysis.text import format_number, scorecard_table, sentence
from simulator.analysis.tracing import incoming, link_effects, loop_parts, top_paths, trace_paths
from simulator.analysis.tradeoffs import compare, tradeoffs

__all__ = [
    "SCORECARD_COLUMNS", "Loop", "StabilityReport", "Tolerance", "check_stability", "compare", "distribution",
    "find_loops", "format_number", "incoming", "link_effects", "loop_parts", "loop_scores", "loops_frame",
    "scorecard", "scorecard_table", "sentence", "step_map", "summary", "top_paths", "trace_paths", "tradeoffs",
    "verdicts",
]
