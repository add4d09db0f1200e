"""Chinese text that renders on a fresh machine: each page carries the CJK glyphs it uses.

The figures draw with Noto Sans SC, shipped inside the `zhplot` package (`plotting.font_files()`); the
text of a page is drawn by the reader's browser from the reader's fonts, and a machine without a CJK font
shows every Chinese character as a box. So each page embeds, as a `data:` URI, a subset of that same font
holding only the CJK and fullwidth characters the page holds (WOFF2), under the family name `fazhi-cjk`:

>>> page = '<html><head><style>…</style></head><body><h1>法治</h1></body></html>'
>>> page_characters(page)
'治法'
>>> with_font(page).count("@font-face")                                        # doctest: +SKIP
1

Where it sits in the font stack (`report.STYLESHEET`): after the CJK fonts a reader may have (Noto Sans
SC, PingFang SC, Microsoft YaHei, …) and before the generic `system-ui, sans-serif`. A browser picks a
font per character, down the list, so a reader with a CJK font sees the page in it (the native look, and
the embedded font is never decoded), and a reader without one gets the embedded glyphs instead of boxes.
Placed first, every reader would see the same font, at the price of replacing fonts readers chose and
that are hinted for their screens; the figures already use Noto Sans SC whatever the machine.

Same page, same bytes: the subset keeps the font's own timestamps and its options are fixed.
"""

from __future__ import annotations

import base64
import functools
import html
import io
from pathlib import Path

FAMILY = "fazhi-cjk"
# Tables a page does not need: layout rules (GSUB/GPOS: vertical forms, proportional widths; horizontal
# Chinese sets every glyph at its advance), vertical metrics and variation data. A fifth of the bytes.
_DROP = ("GSUB", "GPOS", "GDEF", "BASE", "STAT", "vhea", "vmtx", "VORG", "DSIG")


def is_cjk(ch: str) -> bool:
    """True for a character a Latin system font does not draw: CJK ideographs (with extensions and
    compatibility forms), radicals, CJK punctuation (、。「」), fullwidth forms (，：（）), enclosed
    numbers (①), kana and bopomofo.

    >>> [is_cjk(c) for c in "法，①a·"]
    [True, True, True, False, False]
    """
    cp = ord(ch)
    return (
        0x2E80 <= cp <= 0x9FFF  # radicals, CJK punctuation, kana, bopomofo, enclosed CJK, ext. A, ideographs
        or 0x2460 <= cp <= 0x24FF  # ①②③
        or 0xF900 <= cp <= 0xFAFF  # compatibility ideographs
        or 0xFE10 <= cp <= 0xFE1F  # vertical forms
        or 0xFE30 <= cp <= 0xFE4F  # compatibility forms
        or 0xFF00 <= cp <= 0xFFEF  # halfwidth and fullwidth forms
        or 0x20000 <= cp <= 0x3FFFF  # ideographs, extensions B–H
    )


def page_characters(page: str) -> str:
    """The CJK characters of an HTML page, each once, in code point order: its text, titles and the labels
    of its table script (显示 … 行); character references (&#27861;) count as the character."""
    return "".join(sorted({ch for ch in html.unescape(page) if is_cjk(ch)}))


@functools.cache
def _font_bytes() -> bytes:
    """The shipped Noto Sans SC Regular, read once per process (10 MB)."""
    from .plotting import font_files

    files = font_files()
    if not files:
        raise RuntimeError("No CJK font found in the zhplot package; reinstall with `pip install zhplot`.")
    regular = [f for f in files if Path(f).stem.lower().endswith("-regular")]
    return Path((regular or files)[0]).read_bytes()


def subset_font(chars: str) -> bytes:
    """WOFF2 bytes of the shipped font holding the glyphs of `chars` (those it has) and nothing else.

    >>> len(subset_font("法治")) < 3000                                          # doctest: +SKIP
    True
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(_font_bytes()), recalcTimestamp=False)  # the font's own dates: same bytes
    for tag in _DROP:
        if tag in font:
            del font[tag]  # before subsetting: not even decompiled (a third of the time)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = []
    options.drop_tables = [*options.drop_tables, *_DROP]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # names, version, licence (OFL) and its URL
    options.notdef_outline = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


def font_face(chars: str) -> str:
    """The @font-face rule of `fazhi-cjk` with the subset for `chars` inlined (base64)."""
    data = base64.b64encode(subset_font(chars)).decode("ascii")
    return (
        f'@font-face {{ font-family: "{FAMILY}"; font-style: normal; font-weight: 400; font-display: block;\n'
        f'  src: url("data:font/woff2;base64,{data}") format("woff2"); }}'
    )


def with_font(page: str) -> str:
    """`page` with a <style> holding the @font-face of its CJK characters at the end of its <head>; the
    page is otherwise unchanged (nothing in it is unescaped or rewritten). A page without CJK
    characters or without a <head> is returned as it is."""
    chars = page_characters(page)
    end = page.find("</head>")
    if not chars or end < 0:
        return page
    return f"{page[:end]}<style>\n{font_face(chars)}\n</style>\n{page[end:]}"
