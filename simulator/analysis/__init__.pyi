from .loops import Loop, find_loops, loop_scores, loops_frame
from .scorecard import (
    SCORECARD_COLUMNS,
    Tolerance,
    distribution,
    scorecard,
    summary,
    verdicts,
)
from .stability import StabilityReport, check_stability, step_map
from .text import format_number, scorecard_table, sentence
from .tracing import incoming, link_effects, loop_parts, top_paths, trace_paths
from .tradeoffs import compare, tradeoffs

__all__ = [
    "SCORECARD_COLUMNS",
    "Loop",
    "StabilityReport",
    "Tolerance",
    "check_stability",
    "compare",
    "distribution",
    "find_loops",
    "format_number",
    "incoming",
    "link_effects",
    "loop_parts",
    "loop_scores",
    "loops_frame",
    "scorecard",
    "scorecard_table",
    "sentence",
    "step_map",
    "summary",
    "top_paths",
    "trace_paths",
    "tradeoffs",
    "verdicts",
]
