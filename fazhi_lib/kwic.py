"""Keyword in context: every occurrence of a word (or a regular expression) in the clean report texts.

>>> kwic(load_corpus("data/processed"), "枫桥经验", window=8)[["issuer", "part", "left", "match", "right"]]  # doctest: +SKIP
  issuer          part      left  match    right
0    云龙镇  achievements  ...坚持和发展新时代“  枫桥经验  ”,...

Offsets (`start`) index the clean text (`texts.text`), like every other table; `part` is the kind of
the section the match starts in (preamble, achievements, problems, duty, plan, other, closing). Matching
is done on simplified characters (pattern and text, OpenCC t2s, offsets unchanged), so 合法性审查 also
finds 合法性審查 on a page in traditional characters; `left`, `match` and `right` show the text as stored,
line breaks as spaces.

Several patterns at once, as quanteda's `kwic`: `kwic(corpus, ["枫桥经验", "合法性审查"])`; each row names
its `pattern`. `valuetype`: `fixed` (literal text, the default), `regex` (Python regular expression on
the characters) or `glob` (on tokens, quanteda's default: `审查*` matches every token beginning with
审查; words separated by spaces match consecutive tokens, `合法性 审查*`). Positions are given in
characters (`start`, `end`: texts.text[start:end] is the match) and in tokens (`from`, `to`: 1-based
positions of the first and last word token the match touches, in the shared tokeniser's cut of the
whole text without whitespace and punctuation — quanteda counts punctuation tokens too, so its
positions are larger after punctuation). `window_unit="tokens"` counts the window in tokens: `left`
and `right` are then the `window` tokens before and after, joined by spaces, as quanteda's `pre` and
`post`. `as_quanteda(table)` renames the columns to quanteda's: docname, from, to, pre, keyword, post,
pattern.
"""

from __future__ import annotations

import bisect
import functools
import re

import pandas as pd

from .errors import FazhiError, invalid
from .sections import SECTION_KINDS

KWIC_COLUMNS = [
    "report_id",
    "issuer",
    "report_year",
    "part",
    "pattern",
    "start",
    "end",
    "from",
    "to",
    "left",
    "match",
    "right",
]
VALUETYPES = ("fixed", "regex", "glob")
WINDOW_UNITS = ("chars", "tokens")
QUANTEDA_COLUMNS = {
    "report_id": "docname",
    "from": "from",
    "to": "to",
    "left": "pre",
    "match": "keyword",
    "right": "post",
    "pattern": "pattern",
}


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
        raise FazhiError(
            f"`pattern` = {pattern!r} is not a valid regular expression ({exc}); "
            "pass regex=False to search for the text as written."
        ) from None
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


@functools.lru_cache(maxsize=512)
def token_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, token) of every word token of `text` (the shared tokeniser's cut of the simplified
    text, whitespace and punctuation left out); offsets index `text`.

    >>> [t for _, _, t in token_spans("强化合法性审查,开展审查。")]
    ['强化', '合法性审查', '开展', '审查']
    """
    from .tokens import cut, is_punctuation

    simple = _simplified(text)
    spans, pos = [], 0
    for tok in cut(simple, simplify=False):
        start, pos = pos, pos + len(tok)
        if tok.strip() and not is_punctuation(tok):
            spans.append((start, pos, tok))
    if pos != len(text):  # an engine that does not keep every character: find each token instead
        spans, pos = [], 0
        for tok in cut(simple, simplify=False):
            at = simple.find(tok, pos)
            if at < 0:
                continue
            pos = at + len(tok)
            if tok.strip() and not is_punctuation(tok):
                spans.append((at, pos, tok))
    return tuple(spans)


def _glob_matches(spans, globs: list[str]):
    """(start, end) of each run of consecutive tokens matching `globs` one by one."""
    from fnmatch import fnmatchcase

    n = len(globs)
    for i in range(len(spans) - n + 1):
        if all(fnmatchcase(spans[i + k][2], g) for k, g in enumerate(globs)):
            yield spans[i][0], spans[i + n - 1][1]


def _patterns(pattern, valuetype: str) -> list[tuple[str, object]]:
    items = (
        [pattern] if isinstance(pattern, str) else list(pattern) if isinstance(pattern, (list, tuple)) else [pattern]
    )
    if not items:
        raise FazhiError("`pattern` = [] is not valid; give a non-empty word or regular expression.")
    out = []
    for p in dict.fromkeys(items):
        if valuetype == "glob":
            if not isinstance(p, str) or not p.strip() or not p.strip().strip("*?"):
                raise FazhiError(f"`pattern` = {p!r} is not valid; give a glob such as 审查* (not only wildcards).")
            from .tokens import to_simplified

            out.append((p, [to_simplified(g) for g in p.split()]))
        else:
            out.append((p, _compile(p, valuetype == "regex")))
    return out


def kwic(
    corpus,
    pattern,
    *,
    window: int = 20,
    part: str | None = None,
    regex: bool = False,
    valuetype: str | None = None,
    window_unit: str = "chars",
) -> pd.DataFrame:
    """One row per occurrence of each pattern: report_id, issuer, report_year, part, pattern, start,
    end, from, to, left, match, right.

    `pattern`: one pattern or a list; `valuetype`: fixed (default), regex or glob (see the module
    docstring; `regex=True` is `valuetype="regex"`); `window`: context on each side, in characters
    (line breaks shown as spaces) or, with `window_unit="tokens"`, in tokens; `part`: keep matches in
    one section kind only. Rows are sorted by report year, issuer, report_id, offset and pattern
    order (stable: the same corpus gives the same table).
    """
    if isinstance(window, bool) or not isinstance(window, int) or window < 0:
        raise FazhiError(f"`window` = {window!r} is not valid; give a whole number of characters, 0 or more.")
    if part is not None and part not in SECTION_KINDS:
        raise invalid("part", part, SECTION_KINDS)
    valuetype = valuetype or ("regex" if regex else "fixed")
    if valuetype not in VALUETYPES:
        raise invalid("valuetype", valuetype, VALUETYPES)
    if window_unit not in WINDOW_UNITS:
        raise invalid("window_unit", window_unit, WINDOW_UNITS)
    compiled = _patterns(pattern, valuetype)
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
        spans = tok_starts = tok_ends = None
        for k, (label, rx) in enumerate(compiled):
            if valuetype == "glob":
                spans = spans if spans is not None else token_spans(text)
                found = list(_glob_matches(spans, rx))
            else:
                found = [(m.start(), m.end()) for m in rx.finditer(_simplified(text)) if m.end() > m.start()]
            for a, b in found:
                i = bisect.bisect_right(starts, a) - 1
                kind = kinds[i] if i >= 0 else None
                if part is not None and kind != part:
                    continue
                if spans is None or tok_starts is None:
                    spans = spans if spans is not None else token_spans(text)
                    tok_starts, tok_ends = [st for st, _, _ in spans], [e for _, e, _ in spans]
                first = bisect.bisect_right(tok_ends, a)  # first token ending after the match starts
                last = max(first, bisect.bisect_left(tok_starts, b) - 1)  # last token starting before its end
                if window_unit == "chars":
                    left = text[max(0, a - window) : a].replace("\n", " ")
                    right = text[b : b + window].replace("\n", " ")
                else:
                    left = " ".join(t for _, _, t in spans[max(0, first - window) : first])
                    right = " ".join(t for _, _, t in spans[last + 1 : last + 1 + window])
                rows.append(
                    {
                        "report_id": rid,
                        "issuer": meta.at[rid, "issuer"],
                        "report_year": meta.at[rid, "report_year"],
                        "part": kind,
                        "pattern": label,
                        "start": a,
                        "end": b,
                        "from": first + 1 if first < len(spans) else pd.NA,
                        "to": last + 1 if last < len(spans) else pd.NA,
                        "left": left,
                        "match": text[a:b],
                        "right": right,
                        "_k": k,
                    }
                )
    out = pd.DataFrame(rows, columns=[*KWIC_COLUMNS, "_k"])
    if out.empty:
        return out.drop(columns="_k")
    out["report_year"] = out["report_year"].astype("Int64")
    for c in ("start", "end"):
        out[c] = out[c].astype("int64")
    for c in ("from", "to"):
        out[c] = out[c].astype("Int64")
    out = out.sort_values(["report_year", "issuer", "report_id", "start", "_k"], na_position="last", kind="stable")
    return out.drop(columns="_k").reset_index(drop=True)


def as_quanteda(table: pd.DataFrame) -> pd.DataFrame:
    """A `kwic` table in quanteda's shape: docname, from, to, pre, keyword, post, pattern."""
    return table.rename(columns=QUANTEDA_COLUMNS)[list(QUANTEDA_COLUMNS.values())]


SHOWN_LINES = 200  # keyword-in-context lines a rendered page shows (sortable and searchable); the sentence says so


def kwic_html(table: pd.DataFrame, lang: str | None = None):
    """The table for a notebook: issuer, year, part, then left / match / right aligned, the match
    highlighted; with `lang`, headers and parts by their `vocab` labels; more than
    `vocab.INTERACTIVE_ROWS` lines are shown whole, sortable and searchable (`vocab.Interactive`)."""
    from .vocab import content_uid, interactive_if_long

    hidden = ("report_id", "start", "end", "from", "to")
    shown = table[[c for c in KWIC_COLUMNS if c not in hidden and c in table.columns]].reset_index(drop=True)
    left, match = "left", "match"
    if lang is not None:
        from .vocab import label, relabel

        shown = relabel(shown, lang)  # parts and headers by their labels
        left, match = label("column", "left", lang), label("column", "match", lang)
    # format(escape="html"): a Styler writes cell values as they are; report text must show as text
    styler = (
        shown.style.set_uuid(content_uid(shown))
        .hide(axis="index")
        .format(escape="html")
        .format_index(escape="html", axis=1)
        .set_properties(subset=[left], **{"text-align": "right"})
        .set_properties(subset=[match], **{"background-color": "#fff3a3", "font-weight": "bold"})
    )
    return interactive_if_long(styler, len(shown))
