"""Corpus-level descriptive tables used by the overview notebook.

>>> part_composition(build_corpus("data/raw"))        # doctest: +SKIP
kind      preamble  achievements  problems  duty  plan  other  closing
塘栖镇 2024     ...
"""

from __future__ import annotations

import pandas as pd

from .corpus import Corpus
from .sections import SECTION_KINDS


def report_label(reports: pd.DataFrame) -> pd.Series:
    """'塘栖镇 2024' labels for figures: issuer (or file name) and report year."""
    issuer = reports["issuer"].fillna(reports["source_file"])
    year = reports["report_year"].astype("string").fillna("?")
    return issuer + " " + year


def part_composition(corpus: Corpus, *, share: bool = False) -> pd.DataFrame:
    """Characters per part kind for each report (rows: report label; columns: section kinds in order)."""
    parts = corpus.parts
    if parts.empty:
        return pd.DataFrame(columns=list(SECTION_KINDS))
    lengths = parts.assign(n=parts["text"].str.len()).pivot_table(
        index="report_id", columns="kind", values="n", aggfunc="sum", fill_value=0
    )
    lengths = lengths.reindex(columns=list(SECTION_KINDS), fill_value=0)
    labels = corpus.reports.set_index("report_id").pipe(lambda r: report_label(r.reset_index()).set_axis(r.index))
    lengths.index = [labels.get(rid, rid) for rid in lengths.index]
    lengths = lengths.sort_index()
    if share:
        lengths = lengths.div(lengths.sum(axis=1).replace(0, 1), axis=0)
    lengths.columns.name = "kind"
    return lengths


def plot_part_composition(composition: pd.DataFrame, *, ax=None, title: str = "各部分字数 (characters per part)"):
    """Stacked horizontal bars of `part_composition`."""
    import matplotlib.pyplot as plt

    from .plotting import setup_chinese_font

    setup_chinese_font()
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.5 * max(3, len(composition)) + 1))
    composition.plot.barh(stacked=True, ax=ax, colormap="tab10", width=0.7)
    ax.set_xlabel("characters" if composition.to_numpy().max() > 1 else "share of characters")
    ax.set_ylabel("")
    ax.set_title(title)
    ax.invert_yaxis()
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    return ax
