"""Input strings made safe for the Markdown and HTML fazhi renders.

A report's title, issuer, file name and text come from files a researcher collected: a file named
`<img src=x onerror=…>.txt` or a title holding `<script>` must show as that text, never become markup in
the HTML pages `fazhi report` writes (which researchers share). Every such string that a notebook puts
into `Markdown(...)` goes through `md` (or `md_code` for a code span); `fazhi report` also renders
Markdown outputs with raw HTML escaped and `javascript:` links disabled (`safe_markdown`), so a string
that slipped through still shows as text.

>>> print(md("<img src=x onerror=alert(1)>"))
\\<img src\\=x onerror\\=alert\\(1\\)\\>
>>> md(float("nan")), md(None, empty="(no title on the page)")
('–', '(no title on the page)')
>>> md_code("a`b")
'`` a`b ``'
"""

from __future__ import annotations

import math
import re

# Every ASCII punctuation character: CommonMark lets a backslash escape each one, and a backslash-escaped
# character is always literal text (never the start of a tag, an entity, emphasis, a link or a list).
_PUNCT = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def _missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value)) if not isinstance(value, (str, bytes)) else False
    except (TypeError, ValueError, ImportError):
        return False


def md(value, *, empty: str = "–") -> str:
    """`value` as literal Markdown text: every ASCII punctuation mark backslash-escaped, line breaks
    as spaces. A missing value (None, NaN, pandas NA) or an empty string gives `empty` (not escaped:
    it is fazhi's own text)."""
    if _missing(value):
        return empty
    text = str(value)
    if not text.strip():
        return empty
    return _PUNCT.sub(r"\\\1", _LINE_BREAKS.sub(" ", text))


def md_code(value, *, empty: str = "–") -> str:
    """`value` as a Markdown code span (shown in a monospace font, nothing inside it is markup)."""
    if _missing(value):
        return empty
    text = _LINE_BREAKS.sub(" ", str(value))
    if not text:
        return empty
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def safe_markdown(text: str) -> str:
    """Markdown → HTML with raw HTML shown as text and `javascript:`/`data:` links disabled: how
    `fazhi report` renders the Markdown a notebook displays (its own Markdown cells are rendered as usual)."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    renderer = IPythonRenderer(escape=True, allow_harmful_protocols=False)
    return MarkdownWithMath(renderer=renderer).render(text)
