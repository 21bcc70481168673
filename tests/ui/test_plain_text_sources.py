"""Nothing reaches Streamlit's Markdown unescaped: every text given to an element or widget label that
renders Markdown must be made of the app's own texts, numbers and :mod:`simulator.app.plain_text` escapes.

A static check over ``simulator/app/``, so that a new page cannot forget it. A line that passes text known
to be safe in another way says why with a ``# plain-text: <why>`` comment.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

UI = Path(__file__).resolve().parents[2] / "simulator" / "app"

MARKDOWN_ELEMENTS = {
    "markdown",
    "caption",
    "info",
    "warning",
    "error",
    "success",
    "title",
    "header",
    "subheader",
    "write",
    "toast",
    "expander",
    "table",
}
LABELLED_WIDGETS = {
    "slider",
    "select_slider",
    "number_input",
    "selectbox",
    "multiselect",
    "radio",
    "toggle",
    "checkbox",
    "text_input",
    "text_area",
    "button",
    "download_button",
    "file_uploader",
    "segmented_control",
    "pills",
    "form_submit_button",
    "date_input",
    "color_picker",
}
MARKDOWN_OPTIONS = {"radio", "segmented_control", "pills", "select_slider"}  # their options render Markdown too
APP_TEXTS = {"tr", "tx", "_t", "t"}  # message keys of the app, in the reader's language
ESCAPES = {"markdown", "markdown_lines", "md", "error_text", "len", "int", "float", "format_code"}
NOT_STREAMLIT = {"plain_text", "fig", "table", "frame", "shown", "parts", "paths"}  # same-named methods


def _safe(node: ast.AST | None) -> bool:
    """Whether ``node`` can only produce the app's own text, numbers or escaped text."""
    if node is None or isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.JoinedStr):
        return all(_safe(v) for v in node.values)
    if isinstance(node, ast.FormattedValue):
        return node.format_spec is not None or _safe(node.value)  # a format spec: a number
    if isinstance(node, ast.BinOp):
        return _safe(node.left) and _safe(node.right)
    if isinstance(node, ast.IfExp):
        return _safe(node.body) and _safe(node.orelse)
    if isinstance(node, ast.Attribute) and node.attr == "__name__":
        return True  # a class name
    if isinstance(node, ast.Lambda):
        return _safe(node.body)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Dict):
        return all(_safe(v) for v in node.value.values)  # a choice among the app's own texts
    if isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in APP_TEXTS:
            return all(_safe(k.value) for k in node.keywords)
        if name == "join" and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Constant):
            arg = node.args[0] if node.args else None
            return isinstance(arg, ast.GeneratorExp | ast.ListComp) and _safe(arg.elt)
        return name in ESCAPES
    return False


def _calls(path: Path) -> list[tuple[int, str, ast.AST]]:
    """(line, what, text) for every Markdown text and label in one file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        method, receiver = node.func.attr, node.func.value
        if isinstance(receiver, ast.Name) and receiver.id in NOT_STREAMLIT:
            continue
        if method not in MARKDOWN_ELEMENTS | LABELLED_WIDGETS:
            continue
        texts = [("text", node.args[0])] if node.args else []
        texts += [(k.arg, k.value) for k in node.keywords if k.arg in ("label", "body", "help", "placeholder")]
        if method in MARKDOWN_OPTIONS:
            texts += [(k.arg, k.value) for k in node.keywords if k.arg == "format_func"]
        out += [(node.lineno, f"{method} {what}", text) for what, text in texts]
    return out


FILES = sorted(p for p in UI.rglob("*.py") if p.name != "plain_text.py")


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(UI)))
def test_every_markdown_text_is_the_apps_own_or_escaped(path: Path):
    lines = path.read_text(encoding="utf-8").splitlines()
    unsafe = [
        f"{path.name}:{line}: {what}: {ast.unparse(text)}"
        for line, what, text in _calls(path)
        if not _safe(text) and "# plain-text:" not in lines[line - 1]
    ]
    assert not unsafe, "escape with simulator.app.plain_text (or say why it is safe):\n" + "\n".join(unsafe)


def test_the_check_finds_unescaped_text():
    bad = ast.parse('st.warning(f"{problem}")\nst.slider(lever.label(lang), 0, 1)\nst.caption(tr("x", name=n))')
    assert [_safe(call.value.args[0]) for call in bad.body] == [False, False, False]
    good = ast.parse('st.warning(md(p))\nst.caption(f"{tr(\'db\')}: {md(w)} ({n:g})")\nst.title(tx("t"))')
    assert [_safe(call.value.args[0]) for call in good.body] == [True, True, True]
