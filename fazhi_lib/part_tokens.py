"""The `tokens` table: every part of every report cut into words once, at build time.

`fazhi build` runs `part_tokens_stage` on each report (in the worker processes, through the build
cache), so notebooks and analyses start from cut text instead of tokenising again:

>>> corpus = load_corpus("data/processed")                               # doctest: +SKIP
>>> part_tokens(corpus, kind="problems").iloc[0]["tokens"][:3]           # doctest: +SKIP
['法治', '建设', '推进']

Columns of `tokens`: report_id, part_order, kind, n_tokens, tokens. `tokens` is the engine's cut of the
part (simplified characters, default engine `tokens.default_engine()`, recorded in the manifest as
`token_engine`) with only whitespace and punctuation removed, joined by single spaces. Numbers and
stopwords are kept, so any `tokenize` options can be applied afterwards: `part_tokens(corpus,
stopwords=..., min_len=...)` gives exactly what `tokenize(part_text, ...)` gives, without cutting.
"""

from __future__ import annotations

from itertools import filterfalse

import pandas as pd

from . import tokens as _tokens
from .errors import invalid

TOKEN_COLUMNS = ["report_id", "part_order", "kind", "n_tokens", "tokens"]
# Each distinct token is judged once per process (a corpus has far fewer words than tokens), so the
# per-token work of a cut is a set lookup: whitespace and punctuation tokens are dropped, and a token
# holding whitespace (rare: 'a b') is replaced by its kept pieces. A token of letters and digits only
# (str.isalnum: every character of category L or N; most tokens) is kept as it is: never judged.
_JUDGED: set[str] = set()  # every other token judged so far
_DROPPED: set[str] = set()  # tokens with nothing to keep: '，', '\n', '——'
_SPLIT: dict[str, tuple[str, ...]] = {}  # tokens holding whitespace → their kept pieces
_MAX_JUDGED = 1_000_000  # forget the verdicts beyond this many distinct tokens (memory bound)


def cut_for_table(text: str | None, *, engine: str | None = None, simplified: bool = False) -> list[str]:
    """The engine's cut of `text` without whitespace and punctuation (numbers, stopwords kept).
    `simplified`: the caller knows `text` is in simplified characters already (t2s would keep it).

    >>> cut_for_table("2024年,推进共享法庭建设。")
    ['2024', '年', '推进', '共享法庭', '建设']
    """
    if not text:
        return []
    # the engine itself, not `tokens.cut`: a build must not keep every part's tokens in a cache
    raw = _tokens.get_engine(engine).cut(text if simplified else _tokens.to_simplified(text))
    if not _JUDGED.issuperset(filterfalse(str.isalnum, raw)):  # (a small set: few lookups miss the caches)
        _judge(list(filterfalse(str.isalnum, raw)))
    if _SPLIT and not _SPLIT.keys().isdisjoint(raw):
        out: list[str] = []
        for tok in raw:
            if tok in _SPLIT:
                out.extend(_SPLIT[tok])  # whitespace never survives inside or around a stored token
            elif tok not in _DROPPED:
                out.append(tok)
        return out
    return list(filterfalse(_DROPPED.__contains__, raw))  # [tok for tok in raw if tok not in _DROPPED], faster


def _judge(tokens: list[str]) -> None:
    if len(_JUDGED) > _MAX_JUDGED:
        _JUDGED.clear()
        _DROPPED.clear()
        _SPLIT.clear()
    for tok in set(tokens).difference(_JUDGED):
        kept = tuple(piece for piece in tok.split() if not _tokens.is_punctuation(piece))
        if not kept:
            _DROPPED.add(tok)
        elif kept != (tok,):
            _SPLIT[tok] = kept
        _JUDGED.add(tok)


def part_tokens_stage(doc) -> dict[str, list[dict]]:
    """REPORT_STAGE of `fazhi build`: one `tokens` row per part of the report."""
    rows = []
    text = getattr(doc, "text", None)
    plain = isinstance(text, str) and _keeps(text)
    for part in doc.parts:
        toks = cut_for_table(part.get("text"), simplified=plain and _whole_lines(text, part))
        rows.append(
            {
                "report_id": doc.report_id,
                "part_order": part["part_order"],
                "kind": part["kind"],
                "n_tokens": len(toks),
                "tokens": " ".join(toks),
            }
        )
    return {"tokens": rows}


def _keeps(text: str) -> bool:
    """Whether t2s keeps the report's text as it is (a report in simplified characters): found through
    the per-process cache of places.py, whose stage has converted this text already."""
    from .places import simplified

    return simplified(text) == text


def _whole_lines(text: str, part: dict) -> bool:
    """Whether the part is whole lines of the report's `text`. t2s converts line by line (no entry of its
    dictionaries holds a line break), so whole lines of a text t2s keeps are kept too: no conversion."""
    start, end, own = part.get("start"), part.get("end"), part.get("text")
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start <= end <= len(text):
        return False
    return ((start == 0 or text[start - 1] == "\n") and (end == len(text) or text[end - 1] == "\n" or text[end] == "\n")
            and text[start:end] == own)  # fmt: skip


def part_tokens(corpus, *, kind: str | None = None, **options) -> pd.DataFrame:
    """The stored tokens of each part, filtered like `tokenize(..., **options)`.

    Returns report_id, part_order, kind, tokens (a list per row), sorted by report and part. `kind`
    keeps one part kind. A corpus built before the `tokens` table existed is tokenised now.
    """
    from .sections import SECTION_KINDS

    if kind is not None and kind not in SECTION_KINDS:
        raise invalid("part_kind", kind, SECTION_KINDS)
    opts = _tokens.token_options(**options)
    table = corpus.tables.get("tokens")
    if table is None or table.empty:
        parts = corpus.parts
        if parts.empty:
            return pd.DataFrame(columns=["report_id", "part_order", "kind", "tokens"])
        table = pd.DataFrame(
            {
                "report_id": parts["report_id"],
                "part_order": parts["part_order"],
                "kind": parts["kind"],
                "tokens": [" ".join(cut_for_table(t, engine=opts.engine)) for t in parts["text"]],
            }
        )
    if kind is not None:
        table = table[table["kind"] == kind]
    out = table[["report_id", "part_order", "kind"]].copy()
    out["tokens"] = [
        _tokens._filter(s.split(" ") if s else [], opts.stopwords, opts.keep_numbers, opts.min_len)
        for s in table["tokens"].fillna("")
    ]
    return out.sort_values(["report_id", "part_order"], kind="stable").reset_index(drop=True)
