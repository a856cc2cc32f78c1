"""The one way data reaches the map's HTML and scripts: as values, never as template source.

Why this module exists: branca's ``MacroElement.render`` wraps each macro's
output in ``Element(output)``, which compiles that *output* as a new Jinja2
template and renders it again with the page (folium's ``Popup`` does the
same).  Any article text in the output would be evaluated: ``{{7*7}}``
became ``49``, ``{{ lipsum.__globals__.os... }}`` ran code on the analyst's
machine and a lone ``{#`` crashed the run.  So:

- The map's own elements derive from :class:`SafeMacroElement`.  Its
  template is a fixed string in the code, compiled once in a sandboxed,
  autoescaping Jinja2 environment; data enters it only as values, through
  :func:`js_value` (the ``tojson`` filter) in scripts, or autoescaped in
  HTML; and its output is added to the page as :class:`Verbatim` text,
  which is never compiled again.
- Text handed to folium's own elements (``Popup``, ``Tooltip``, a
  ``FeatureGroup`` name that the layer control shows, ``GeoJson`` properties
  shown by a ``GeoJsonTooltip``) goes through :func:`html_text` first.  It
  is HTML-escaped (Leaflet inserts all of these as HTML), and the braces
  that could open a Jinja2 tag become character references, so folium's
  second pass finds nothing to evaluate.
- An HTML fragment built from parts (the legend) is rendered by
  :func:`render_html` from a fixed template in the same sandbox, with
  every value autoescaped.

Examples
--------
>>> html_text("{{7*7}} <b>")
'&#123;&#123;7*7&#125;&#125; &lt;b&gt;'
>>> print(js_value({"title": "</script>{{x}}"}))
{"title":"\\u003c/script\\u003e\\u007b{x}}"}
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
from functools import lru_cache
from typing import Any

import pandas as pd
from branca.element import Element, Figure, MacroElement
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

__all__ = ["SafeMacroElement", "Verbatim", "html_text", "js_value", "render_html", "template", "text_of"]

# Characters that end or interpolate the contexts folium puts text in, as
# HTML character references: braces (a Jinja2 tag), backtick, "$" and
# backslash (the JS template literals folium wraps popups and tooltips in).
_HTML_EXTRA = str.maketrans({"{": "&#123;", "}": "&#125;", "`": "&#96;", "$": "&#36;", "\\": "&#92;"})
# In JSON (where they only occur inside strings): what could end an inline
# <script> ("</script", "<!--"), start an HTML entity, or break a JS line.
_JS_EXTRA = (
    ("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"),
)
_JINJA_START = re.compile(r"\{(?=[{%#])")


def text_of(value: Any) -> str:
    """A cell as display text: ``''`` for missing values, lists joined with ``'; '``."""
    kind = type(value)
    if kind is str:  # the common cases first: this runs for every cell of big tables
        return value.strip()
    if value is None:
        return ""
    if kind is float:
        return "" if math.isnan(value) else str(value)
    if kind is int:
        return str(value)
    if isinstance(value, (list, tuple)):
        return "; ".join(text_of(v) for v in value if text_of(v))
    if isinstance(value, dt.date):  # pandas Timestamps are dates too (and NaT, not equal to itself)
        return value.isoformat()[:10] if value == value else ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value).strip()


def html_text(value: Any) -> str:
    """``value`` as text for any HTML slot of a folium element (popup, tooltip, layer name).

    HTML-escaped, with braces, backtick, ``$`` and backslash as character
    references: shown as the same characters, but inert both as HTML and as
    Jinja2 source when folium renders its output a second time.
    """
    return html.escape(text_of(value), quote=True).translate(_HTML_EXTRA)


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def js_value(obj: Any) -> Markup:
    """``obj`` as a JavaScript value (JSON) safe anywhere in an inline ``<script>``.

    No character of the result can end the script, open an HTML comment or
    a Jinja2 tag: ``<``, ``>``, ``&``, ``'``, the JS line separators and a
    ``{`` that would start ``{{``, ``{%`` or ``{#`` are ``\\u`` escapes (JSON
    syntax never puts one of those characters there, so every one is inside
    a string).  Marked safe for autoescaping.
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_json_default)
    for char, escape in _JS_EXTRA:  # str.replace: about 10x faster than translate on a big table
        if char in text:
            text = text.replace(char, escape)
    return Markup(_JINJA_START.sub(r"\\u007b", text))


@lru_cache(maxsize=1)
def _environment() -> SandboxedEnvironment:
    """The sandboxed, autoescaping environment every geomap template is compiled in."""
    env = SandboxedEnvironment(autoescape=True, trim_blocks=False, lstrip_blocks=False)
    env.filters["tojson"] = js_value
    return env


def template(source: str):
    """Compile a fixed template string of the code (never one built from data)."""
    return _environment().from_string(source)


def render_html(source_template: Any, **values: Any) -> str:
    """Render an HTML fragment from a fixed :func:`template`; every value is autoescaped."""
    return str(source_template.render(**values))


class Verbatim(Element):
    """Text added to the page as it is: never compiled or rendered as a template."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Verbatim"
        self.text = str(text)

    def render(self, **kwargs: Any) -> str:
        return self.text


class SafeMacroElement(MacroElement):
    """A map element whose fixed template is rendered once, with data only as values.

    Subclasses set ``_template = template('''{% macro script(this, kwargs) %}...''')``
    (``header``, ``html`` and ``script`` macros, as for branca's
    ``MacroElement``) and put data in attributes used as
    ``{{ this.x|tojson }}`` in scripts or ``{{ this.x }}`` (autoescaped) in
    HTML.  The template sees ``this.get_name()`` and ``this.parent_name``;
    the sandbox hides every ``_private`` attribute.
    """

    _template = template("")

    @property
    def parent_name(self) -> str:
        """The JS variable of the element this one was added to (the map, a layer)."""
        return self._parent.get_name() if self._parent is not None else ""

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError(f"{type(self).__name__} can only be rendered in a folium map (a branca Figure)")
        module = self._template.module
        for part in ("header", "html", "script"):
            macro = getattr(module, part, None)
            if macro is not None:
                getattr(figure, part).add_child(Verbatim(str(macro(self, kwargs))), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)
