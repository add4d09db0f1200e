"""Corpus-level descriptive tables used by the overview notebook.

>>> part_composition(build_corpus("data/raw"))        # doctest: +SKIP
kind      preamble  achievements  problems  duty  plan  other  closing
塘栖镇 2024     ...
"""

from __future__ import annotations

import pandas as pd

from .corpus import Corpus
from .errors import invalid
from .labels import report_labels
from .sections import SECTION_KINDS


def part_composition(corpus: Corpus, *, share: bool = False) -> pd.DataFrame:
    """Characters per part kind for each report (rows: report label; columns: section kinds in order)."""
    parts = corpus.parts
    if parts.empty:
        return pd.DataFrame(columns=list(SECTION_KINDS))
    lengths = parts.assign(n=parts["text"].str.len()).pivot_table(
        index="report_id", columns="kind", values="n", aggfunc="sum", fill_value=0
    )
    lengths = lengths.reindex(columns=list(SECTION_KINDS), fill_value=0)
    labels = report_labels(corpus.reports)
    lengths.index = [labels.get(rid, rid) for rid in lengths.index]
    lengths = lengths.sort_index()
    if share:
        lengths = lengths.div(lengths.sum(axis=1).replace(0, 1), axis=0)
    lengths.columns.name = "kind"
    return lengths


def plot_part_composition(composition: pd.DataFrame, *, ax=None, title: str | None = None, lang: str = "zh"):
    """Stacked horizontal bars of `part_composition` (part names, axis and title in `lang`)."""
    import matplotlib.pyplot as plt

    from .plotting import setup_chinese_font
    from .vocab import label

    setup_chinese_font()
    zh = label("part", "achievements", lang) == "主要举措和成效"  # checks `lang` too
    if title is None:
        title = "各部分字数" if zh else "Characters per part"
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.5 * max(3, len(composition)) + 1))
    composition.rename(columns=lambda k: label("part", k, lang)).plot.barh(
        stacked=True, ax=ax, colormap="tab10", width=0.7
    )
    share = composition.to_numpy().max() <= 1
    ax.set_xlabel(("字数占比" if share else "字数") if zh else ("share of characters" if share else "characters"))
    ax.set_ylabel("")
    ax.set_title(title)
    ax.invert_yaxis()
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    return ax


# ---------------------------------------------------------------- corpus statistics (01_corpus_statistics)
def report_counts(corpus: Corpus, by: str) -> pd.DataFrame:
    """Reports per value of one `reports` column (report_year, level, region, province …), missing as '(unknown)'.

    >>> report_counts(corpus, "level")                                      # doctest: +SKIP
             level  reports
    0     township        4
    1  subdistrict        1
    """
    reports = corpus.reports
    if by not in reports.columns:
        raise invalid(
            "by", by, [c for c in ("report_year", "level", "region", "province", "prefecture") if c in reports.columns]
        )
    values = reports[by].astype("string").fillna("(unknown)")
    counts = values.value_counts().rename("reports").rename_axis(by).reset_index()
    return counts.sort_values([by], kind="stable").reset_index(drop=True)


def plot_report_counts(corpus: Corpus, by=("report_year", "level", "region"), *, title: str | None = None, lang="zh"):
    """One bar chart per column of `by` (columns the reports table lacks are skipped); labels in `lang`."""
    import matplotlib.pyplot as plt

    from .plotting import setup_chinese_font
    from .vocab import label, relabel

    setup_chinese_font()
    if title is None:
        title = "报告数量" if label("level", "county", lang) != "county" else "Reports"
    cols = [c for c in by if c in corpus.reports.columns]
    fig, axes = plt.subplots(1, len(cols), figsize=(3.2 * len(cols) + 1, 3), squeeze=False)
    for ax, col in zip(axes[0], cols):
        counts = relabel(report_counts(corpus, col), lang, columns=False)
        ax.bar(counts[col], counts["reports"], color="#4c72b0")
        ax.set_title(label("column", col, lang))
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.tick_params(axis="x", rotation=30)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def length_summary(corpus: Corpus) -> pd.DataFrame:
    """Characters per report (`whole report`) and per part kind: reports having it, median, min, max, total."""
    reports = corpus.reports
    rows = []
    if not reports.empty:
        n = reports["n_chars"].astype("float64")
        rows.append(
            {
                "part": "whole report",
                "reports": int(n.notna().sum()),
                "median": n.median(),
                "min": n.min(),
                "max": n.max(),
                "total": n.sum(),
            }
        )
    parts = corpus.parts
    if not parts.empty:
        per = parts.assign(n=parts["text"].fillna("").str.len()).groupby(["kind", "report_id"])["n"].sum()
        for kind in SECTION_KINDS:
            if kind in per.index.get_level_values(0):
                v = per.loc[kind].astype("float64")
                rows.append(
                    {
                        "part": kind,
                        "reports": len(v),
                        "median": v.median(),
                        "min": v.min(),
                        "max": v.max(),
                        "total": v.sum(),
                    }
                )
    out = pd.DataFrame(rows, columns=["part", "reports", "median", "min", "max", "total"])
    for c in ("median", "min", "max", "total"):
        out[c] = out[c].round(0).astype("Int64")
    return out


def vocabulary(corpus: Corpus, *, part: str | None = None, top_n: int = 20) -> tuple[int, int, pd.DataFrame]:
    """(tokens, distinct terms, top terms) of the corpus or of one part kind, after fazhi's stopwords.

    Tokens come from the `tokens` table written by `fazhi build` (`part_tokens`), else from
    `tokens.tokenize` on the part texts. Top terms: term, count, reports (how many use it), sorted by
    count then term.
    """
    from collections import Counter

    if part is not None and part not in SECTION_KINDS:
        raise invalid("part", part, SECTION_KINDS)
    if isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1:
        raise invalid("top_n", top_n, ["a whole number of 1 or more"])
    try:
        from .part_tokens import part_tokens

        toks = part_tokens(corpus, kind=part)
    except ImportError:  # a tree without the tokens table module: cut the part texts now
        from .tokens import tokenize_many

        parts = corpus.parts if part is None else corpus.parts[corpus.parts["kind"] == part]
        toks = pd.DataFrame({"report_id": parts["report_id"], "tokens": tokenize_many(parts["text"].tolist())})
    counts: Counter = Counter()
    reach: Counter = Counter()
    for _rid, group in toks.groupby("report_id", sort=True) if not toks.empty else []:
        seen = Counter(t for lst in group["tokens"] for t in lst)
        counts.update(seen)
        reach.update(seen.keys())
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top_n]
    table = pd.DataFrame(
        [{"term": t, "count": c, "reports": reach[t]} for t, c in top], columns=["term", "count", "reports"]
    )
    return sum(counts.values()), len(counts), table
