"""Text someone supplied (a group's name, a model's labels, an error quoting either), made safe to show.

Two renderers in the app interpret markup in strings they are given:

- Streamlit's Markdown (``st.markdown``, ``st.caption``, ``st.info/warning/error/success``,
  headers, and the labels of widgets, expanders and tabs): GitHub Markdown with images,
  links, autolinked URLs, ``:colour[...]`` and ``:emoji:`` directives and ``$`` maths;
- plotly's HTML subset (trace names and so the legend, titles, axis titles and tick
  labels, hover text, point text, annotations): ``<a href>``, ``<br>``, ``<b>``,
  ``<span style>`` and entities.

:func:`markdown` and :func:`plotly` escape a string for one of them so that it shows
exactly as typed. Text that goes to ``st.text``, ``st.code``, a data grid cell or the
option of a selectbox is shown as typed already and must not be escaped (the escapes
would show).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>~$|&])")
_LINE_START = re.compile(r"^(\s*)([#+\-=]|\d+[.)])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
_WORD_JOINER = "\u2060"  # invisible, zero width: breaks a pattern without showing
_TEXT_PATTERNS = re.compile(r"(?<=:)(?=[A-Za-z/+_\-])|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)


def markdown(text: object) -> str:
    """``text`` for a Streamlit element that renders Markdown: it shows as typed, nothing renders.

    Two kinds of markup are defused. What Markdown parses (images, links, HTML, emphasis,
    code, strike-through, ``$`` maths, ``&`` entities, a list or heading marker at the start)
    gets a backslash before the character that starts it (CommonMark shows an escaped
    character as itself). What Streamlit finds in the parsed text afterwards, where
    backslashes no longer count (URLs and e-mail addresses made links, ``:emoji:``,
    ``:material/icons:`` and ``:colour[...]`` directives), gets an invisible word joiner
    (U+2060) after a ``:`` followed by a letter or ``/``, between ``www`` and ``.``, and before
    ``@``. Line breaks become spaces.
    """
    flat = _LINE_BREAKS.sub(" ", str(text))
    escaped = _INLINE_SPECIAL.sub(r"\\\1", flat)
    escaped = _LINE_START.sub(lambda m: m.group(1) + _escape_marker(m.group(2)), escaped)
    return _TEXT_PATTERNS.sub(_WORD_JOINER, escaped)


def _escape_marker(marker: str) -> str:
    """A block marker at the start (``#``, ``-``, ``+``, ``=``, ``1.``, ``1)``) with its sign escaped."""
    return f"{marker[:-1]}\\{marker[-1]}"


def markdown_lines(lines: Sequence[object]) -> str:
    """Several texts as a Markdown bullet list, each escaped with :func:`markdown`."""
    return "\n".join(f"- {markdown(line)}" for line in lines)


def plotly(text: object) -> str:
    """``text`` for a plotly string (trace name, title, tick label, hover text, annotation).

    ``<``, ``>`` and ``&`` become entities (plotly splits tags first and decodes entities in
    the text between them, so they show as typed), and ``$`` becomes ``&#36;`` so that no
    part is typeset as TeX. Line breaks become spaces, as plotly shows them anyway.
    """
    escaped = html.escape(_LINE_BREAKS.sub(" ", str(text)), quote=False)
    return escaped.replace("$", "&#36;")
