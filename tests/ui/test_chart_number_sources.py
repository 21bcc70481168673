"""Every chart the app draws shows Dutch (or English) numbers: no SI suffixes (``111k``) and no dotted
decimals on a Dutch axis. A static check over ``simulator/app/``: each figure given to ``st.plotly_chart``
goes through :func:`simulator.app.numbers.localize_figure` (directly, or through
:func:`simulator.app.policy_note.for_note`, which calls it), or one of its lines says why it needs none
with a ``# numbers: <why>`` comment.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

UI = Path(__file__).resolve().parents[2] / "simulator" / "app"
LOCALIZING = {"localize_figure", "for_note"}


def _calls(tree: ast.AST) -> set[str]:
    return {
        n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", "")
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
    }


def _localized_names(function: ast.AST) -> set[str]:
    """Names assigned from a localizing call in this function (``fig = policy_note.for_note(...)``)."""
    names = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and _calls(node.value) & LOCALIZING:
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _chart_calls() -> list[tuple[Path, int, ast.Call, set[str]]]:
    found = []
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
            localized = _localized_names(function)
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "plotly_chart"
                ):
                    found.append((path, node.lineno, node, localized))
    return found


def test_the_check_sees_the_apps_charts():
    assert len(_chart_calls()) >= 15


@pytest.mark.parametrize("where", _chart_calls(), ids=lambda w: f"{w[0].name}:{w[1]}")
def test_every_chart_shows_localized_numbers(where):
    path, line, call, localized = where
    source = path.read_text(encoding="utf-8").splitlines()
    if any("# numbers:" in text for text in source[line - 1 : call.end_lineno]):
        return
    figure = call.args[0]
    ok = bool(_calls(figure) & LOCALIZING) or (isinstance(figure, ast.Name) and figure.id in localized)
    assert ok, (
        f"{path.relative_to(UI.parent)}:{line}: st.plotly_chart gets a figure that does not go through "
        "numbers.localize_figure (an axis would show '111k' or '0.25' to a Dutch reader)"
    )
