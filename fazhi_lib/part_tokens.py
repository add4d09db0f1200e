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

import pandas as pd

from . import tokens as _tokens

TOKEN_COLUMNS = ["report_id", "part_order", "kind", "n_tokens", "tokens"]
_VERDICTS: dict[str, str] = {}  # token → keep / drop (punctuation) / split (holds whitespace)


def cut_for_table(text: str | None, *, engine: str | None = None) -> list[str]:
    """The engine's cut of `text` without whitespace and punctuation (numbers, stopwords kept).

    >>> cut_for_table("2024年,推进共享法庭建设。")
    ['2024', '年', '推进', '共享法庭', '建设']
    """
    if not text:
        return []
    # a private cache per call: a build must not keep every part's tokens in the process-wide cache
    raw = _tokens.cut(text, engine=engine, cache=_tokens.TokenCache())
    # each distinct token is judged once per process (a corpus has far fewer words than tokens)
    drop, split = set(), set()
    for tok in set(raw):
        verdict = _VERDICTS.get(tok)
        if verdict is None:
            if len(_VERDICTS) > 1_000_000:
                _VERDICTS.clear()
            pieces = tok.split()
            if len(pieces) != 1 or pieces[0] != tok:
                verdict = "split"  # whitespace never survives inside or around a stored token
            else:
                verdict = "drop" if _tokens.is_punctuation(tok) else "keep"
            _VERDICTS[tok] = verdict
        if verdict == "drop":
            drop.add(tok)
        elif verdict == "split":
            split.add(tok)
    if not split:
        return [t for t in raw if t not in drop]
    out = []
    for tok in raw:
        if tok in split:
            out.extend(p for p in tok.split() if not _tokens.is_punctuation(p))
        elif tok not in drop:
            out.append(tok)
    return out


def part_tokens_stage(doc) -> dict[str, list[dict]]:
    """REPORT_STAGE of `fazhi build`: one `tokens` row per part of the report."""
    rows = []
    for part in doc.parts:
        toks = cut_for_table(part.get("text"))
        rows.append({
            "report_id": doc.report_id, "part_order": part["part_order"], "kind": part["kind"],
            "n_tokens": len(toks), "tokens": " ".join(toks),
        })
    return {"tokens": rows}


def part_tokens(corpus, *, kind: str | None = None, **options) -> pd.DataFrame:
    """The stored tokens of each part, filtered like `tokenize(..., **options)`.

    Returns report_id, part_order, kind, tokens (a list per row), sorted by report and part. `kind`
    keeps one part kind. A corpus built before the `tokens` table existed is tokenised now.
    """
    from .sections import SECTION_KINDS

    if kind is not None and kind not in SECTION_KINDS:
        from .corpus import invalid

        raise invalid("part_kind", kind, SECTION_KINDS)
    opts = _tokens.token_options(**options)
    table = corpus.tables.get("tokens")
    if table is None or table.empty:
        parts = corpus.parts
        if parts.empty:
            return pd.DataFrame(columns=["report_id", "part_order", "kind", "tokens"])
        table = pd.DataFrame({
            "report_id": parts["report_id"], "part_order": parts["part_order"], "kind": parts["kind"],
            "tokens": [" ".join(cut_for_table(t, engine=opts.engine)) for t in parts["text"]],
        })
    if kind is not None:
        table = table[table["kind"] == kind]
    out = table[["report_id", "part_order", "kind"]].copy()
    out["tokens"] = [
        _tokens._filter(s.split(" ") if s else [], opts.stopwords, opts.keep_numbers, opts.min_len)
        for s in table["tokens"].fillna("")
    ]
    return out.sort_values(["report_id", "part_order"], kind="stable").reset_index(drop=True)
