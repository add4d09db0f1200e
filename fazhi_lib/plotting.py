"""Figures with Chinese text that renders on a fresh machine (no system CJK font needed).

The font is Noto Sans SC, shipped inside the `zhplot` package (SIL Open Font License 1.1), registered
with matplotlib by file path so no font cache or system install is involved.

>>> setup_chinese_font()   # doctest: +SKIP
'Noto Sans SC'
"""

from __future__ import annotations

import functools
from pathlib import Path

from matplotlib import font_manager


def font_files() -> list[Path]:
    """The CJK font files fazhi ships through its dependencies."""
    import zhplot

    root = Path(zhplot.__file__).resolve().parent / "fonts"
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in (".ttf", ".otf", ".ttc"))


@functools.cache
def setup_chinese_font() -> str:
    """Register the shipped CJK font and make it matplotlib's default; returns the family name."""
    files = font_files()
    if not files:
        raise RuntimeError("No CJK font found in the zhplot package; reinstall with `pip install zhplot`.")
    families = []
    for f in files:
        font_manager.fontManager.addfont(str(f))
        families.append(font_manager.FontProperties(fname=str(f)).get_name())
    family = families[0]
    import matplotlib.pyplot as plt

    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.sans-serif"] = [family, *plt.rcParams["font.sans-serif"]]
    plt.rcParams["axes.unicode_minus"] = False
    plt.rcParams["svg.fonttype"] = "none"
    return family
