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

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def markdown(text: object) -> str:
    """``text`` for a Streamlit element that renders Markdown: it shows as typed, nothing renders.

    Every ASCII punctuation character that Markdown, Streamlit's directives or HTML give a
    meaning is backslash-escaped (CommonMark shows an escaped character as itself), so no
    image is fetched, no link or HTML tag made, no URL or e-mail address autolinked (their
    ``:`` and ``.`` are escaped), no ``:emoji:``, colour or ``$`` maths; line breaks become spaces.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(text)))


def markdown_lines(lines: list[object] | tuple[object, ...]) -> str:
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
