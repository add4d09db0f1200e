"""Keyword in context: every occurrence of a word (or a regular expression) in the clean report texts.

>>> kwic(load_corpus("data/processed"), "枫桥经验", window=8)[["issuer", "part", "left", "match", "right"]]  # doctest: +SKIP
  issuer          part      left  match    right
0    云龙镇  achievements  ...坚持和发展新时代“  枫桥经验  ”,...

Offsets (`start`) index the clean text (`texts.text`), like every other table; `part` is the kind of
the section the match starts in (preamble, achievements, problems, duty, plan, other, closing). Matching
is done on simplified characters (pattern and text, OpenCC t2s, offsets unchanged), so 合法性审查 also
finds 合法性審查 on a page in traditional characters; `left`, `match` and `right` show the text as stored,
line breaks as spaces.
"""

from __future__ import annotations

import bisect
import functools
import re

import pandas as pd

from .errors import FazhiError, invalid
from .sections import SECTION_KINDS

KWIC_COLUMNS = ["report_id", "issuer", "report_year", "part", "start", "left", "match", "right"]


def _compile(pattern: str, regex: bool) -> re.Pattern:
    if not isinstance(pattern, str) or not pattern:
        raise FazhiError(f"`pattern` = {pattern!r} is not valid; give a non-empty word or regular expression.")
    from .tokens import to_simplified

    pattern = to_simplified(pattern)
    if not regex:
        return re.compile(re.escape(pattern))
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise FazhiError(f"`pattern` = {pattern!r} is not a valid regular expression ({exc}); "
                         "pass regex=False to search for the text as written.") from None
    if compiled.match(""):
        raise FazhiError(f"`pattern` = {pattern!r} is not valid; it matches the empty string everywhere.")
    return compiled


@functools.lru_cache(maxsize=4096)
def _simplified(text: str) -> str:
    """The text in simplified characters when t2s keeps its length (offsets stay valid), else as is."""
    from .tokens import to_simplified

    simple = to_simplified(text)
    return simple if len(simple) == len(text) else text


def _part_bounds(corpus) -> dict[str, tuple[list[int], list[str]]]:
    """report_id → (start offsets, kinds) of its sections (or, lacking those, its parts)."""
    table = corpus.sections
    if table.empty or not {"start", "kind"} <= set(table.columns):
        table = corpus.parts
    if table.empty or not {"start", "kind"} <= set(table.columns):
        return {}
    bounds = {}
    for rid, g in table.sort_values(["report_id", "start"], kind="stable").groupby("report_id", sort=False):
        bounds[rid] = (g["start"].astype(int).tolist(), g["kind"].tolist())
    return bounds


def kwic(corpus, pattern: str, *, window: int = 20, part: str | None = None, regex: bool = False) -> pd.DataFrame:
    """One row per occurrence of `pattern`: report_id, issuer, report_year, part, start, left, match, right.

    `window`: characters of context on each side (line breaks shown as spaces); `part`: keep matches in
    one section kind only; `regex`: treat `pattern` as a Python regular expression. Rows are sorted by
    report year, issuer, report_id and offset (stable: the same corpus gives the same table).
    """
    if isinstance(window, bool) or not isinstance(window, int) or window < 0:
        raise FazhiError(f"`window` = {window!r} is not valid; give a whole number of characters, 0 or more.")
    if part is not None and part not in SECTION_KINDS:
        raise invalid("part", part, SECTION_KINDS)
    rx = _compile(pattern, regex)
    reports = corpus.reports
    texts = corpus.texts
    if reports.empty or texts.empty:
        return pd.DataFrame(columns=KWIC_COLUMNS)
    meta = reports.set_index("report_id")[["issuer", "report_year"]]
    bounds = _part_bounds(corpus)

    rows = []
    for rid, text in zip(texts["report_id"], texts["text"]):
        if rid not in meta.index or not isinstance(text, str):
            continue
        starts, kinds = bounds.get(rid, ([], []))
        for m in rx.finditer(_simplified(text)):
            if m.end() == m.start():
                continue
            i = bisect.bisect_right(starts, m.start()) - 1
            kind = kinds[i] if i >= 0 else None
            if part is not None and kind != part:
                continue
            left = text[max(0, m.start() - window) : m.start()]
            right = text[m.end() : m.end() + window]
            rows.append({
                "report_id": rid, "issuer": meta.at[rid, "issuer"], "report_year": meta.at[rid, "report_year"],
                "part": kind, "start": m.start(), "left": left.replace("\n", " "),
                "match": text[m.start() : m.end()], "right": right.replace("\n", " "),
            })
    out = pd.DataFrame(rows, columns=KWIC_COLUMNS)
    if out.empty:
        return out
    out["report_year"] = out["report_year"].astype("Int64")
    out["start"] = out["start"].astype("int64")
    return out.sort_values(["report_year", "issuer", "report_id", "start"], na_position="last",
                           kind="stable").reset_index(drop=True)


def kwic_html(table: pd.DataFrame):
    """The table for a notebook: issuer, year, part, then left / match / right aligned, the match highlighted."""
    shown = table[[c for c in KWIC_COLUMNS if c not in ("report_id", "start")]].reset_index(drop=True)
    # format(escape="html"): a Styler writes cell values as they are; report text must show as text
    return (shown.style.hide(axis="index").format(escape="html")
            .set_properties(subset=["left"], **{"text-align": "right"})
            .set_properties(subset=["match"], **{"background-color": "#fff3a3", "font-weight": "bold"}))
