"""KH Coder's crosstab and correspondence analysis: coding categories × a report variable with χ² and
standardised residuals, and a map of terms × groups.

>>> corpus = load_corpus("data/processed")                                       # doctest: +SKIP
>>> table = category_crosstab(corpus, by="report_year")                          # doctest: +SKIP
>>> crosstab_wide(table)                                                         # doctest: +SKIP
>>> ca = correspondence_analysis(term_group_table(corpus, by="report_year"))     # doctest: +SKIP
>>> plot_ca(ca)                                                                  # doctest: +SKIP

**Crosstab.** Categories are not exclusive (a report can admit staffing *and* oversight problems), so
each category is tested on its own, as KH Coder does: the 2 × G table [units with the category, units
without] × groups. Per cell: `count`, `share` (count / units of the group), `expected` (under
independence), `residual` (Pearson, (O − E)/√E) and `adjusted_residual` (Haberman 1973, Biometrics
29(1):205–220: (O − E)/√(E (1 − row share)(1 − column share)), ≈ N(0, 1) under independence, R's
`chisq.test()$stdres`; |value| > 1.96 marks a cell at the 5 % level); per category `chi2` (Pearson,
no continuity correction, as KH Coder and R's chisq.test for tables larger than 2 × 2), `df` = G − 1
and `p_value`. Small expected counts (below 5) are counted in `n_small_expected`: read p with care.

**Correspondence analysis** (Benzécri; computed as in Greenacre 2007, *Correspondence Analysis in
Practice*, 2nd ed., ch. 'Computational theory', with numpy's SVD — a few lines, so the `prince`
package and its plotting dependencies are not needed): P = N / n, row and column masses r, c,
S = D_r^-½ (P − r cᵀ) D_c^-½ = U Σ Vᵀ; principal inertias λ_k = σ_k² (their sum is the total inertia
χ² / n); principal coordinates of rows F = D_r^-½ U Σ and columns G = D_c^-½ V Σ. Each axis's sign is
fixed so that its largest column coordinate (in absolute value) is positive: the same table always
gives the same map. The biplot (`plot_ca`) is the symmetric map of both in principal coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import vocab
from .errors import FazhiError, invalid
from .vocab import check_lang

UNITS = ("reports", "items")
CROSSTAB_COLUMNS = [
    "category",
    "category_label",
    "group",
    "n_units",
    "count",
    "share",
    "expected",
    "residual",
    "adjusted_residual",
    "chi2",
    "df",
    "p_value",
    "n_small_expected",
]


# ------------------------------------------------------------------------------ χ² of a table
@dataclass(frozen=True)
class ChiSquare:
    statistic: float
    df: int
    p_value: float
    expected: np.ndarray
    residuals: np.ndarray  # Pearson: (O − E) / √E
    adjusted_residuals: np.ndarray  # Haberman: (O − E) / √(E (1 − r_i/n)(1 − c_j/n))


def chi2_test(table) -> ChiSquare:
    """Pearson's χ² test of independence of an r × c table of counts (no continuity correction).

    >>> t = chi2_test([[762, 327, 468], [484, 239, 477]])   # Agresti (2007), gender × party
    >>> round(t.statistic, 2), t.df, [round(float(x), 2) for x in t.adjusted_residuals[0]]
    (30.07, 2, [4.5, 0.7, -5.32])
    """
    from scipy.stats import chi2

    obs = np.asarray(table, dtype=float)
    if obs.ndim != 2 or min(obs.shape) < 2:
        raise FazhiError(f"A χ² test needs a table of at least 2 × 2 counts, not shape {obs.shape}.")
    if (obs < 0).any():
        raise FazhiError("A χ² test needs counts of 0 or more; the table has a negative value.")
    n = obs.sum()
    rows, cols = obs.sum(axis=1), obs.sum(axis=0)
    expected = np.outer(rows, cols) / n if n > 0 else np.zeros_like(obs)
    with np.errstate(divide="ignore", invalid="ignore"):
        resid = (obs - expected) / np.sqrt(expected)
        adj = (obs - expected) / np.sqrt(expected * np.outer(1 - rows / n, 1 - cols / n))
        stat = float(np.nansum(np.where(expected > 0, (obs - expected) ** 2 / expected, 0.0)))
    df = (obs.shape[0] - 1) * (obs.shape[1] - 1)
    degenerate = n == 0 or (rows == 0).any() or (cols == 0).any()
    p = float("nan") if degenerate else float(chi2.sf(stat, df))
    return ChiSquare(float("nan") if degenerate else stat, df, p, expected, resid, adj)


# ------------------------------------------------------------------------------ category crosstab
def _report_variables(corpus) -> pd.DataFrame:
    reports = corpus.reports
    card = corpus.tables.get("scorecard")
    if card is not None and not card.empty:
        extra = [c for c in card.columns if c not in reports.columns]
        reports = reports.merge(card[["report_id", *extra]], on="report_id", how="left")
    return reports


def category_units(
    corpus, *, source: str | None = None, unit: str = "reports"
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """(units, coded, labels): every unit (report or problem item) with its report_id; the (unit,
    category) pairs found; category → label, in the categories' own order.

    `source`: None for the problem typology (rules/typology.yaml, on the problem items), or a
    researcher's dictionary (a YAML file or mapping, see `reading.load_dictionary`, counted on whole
    report texts; unit `reports` only)."""
    if unit not in UNITS:
        raise invalid("unit", unit, UNITS)
    if source is None:
        from .typology import category_labels, item_categories

        labels = category_labels()
        cats = item_categories(corpus)
        if unit == "reports":
            units = corpus.reports[["report_id"]].assign(unit_id=corpus.reports["report_id"])
            coded = cats[["report_id", "category"]].drop_duplicates().assign(unit_id=lambda d: d["report_id"])
        else:
            items = corpus.problem_items
            units = pd.DataFrame(
                {"report_id": items["report_id"], "unit_id": items["report_id"] + "#" + items["item_order"].astype(str)}
            )
            coded = cats[["report_id", "item_order", "category"]].drop_duplicates()
            coded = coded.assign(unit_id=coded["report_id"] + "#" + coded["item_order"].astype(str))
        return units, coded[["unit_id", "category"]], labels
    from .reading import dictionary_counts, load_dictionary

    if unit != "reports":
        raise FazhiError(
            "`unit` = 'items' is not valid with a dictionary; a dictionary is counted on "
            "whole reports: use unit='reports'."
        )
    dic = load_dictionary(source)
    counts = dictionary_counts(corpus, dic, by="report")
    units = corpus.reports[["report_id"]].assign(unit_id=corpus.reports["report_id"])
    found = counts[counts["count"] > 0]
    coded = pd.DataFrame({"unit_id": found["report_id"], "category": found["category"]})
    return units, coded, {name: name for name in dic.names}


def category_crosstab(
    corpus, *, by: str = "report_year", source=None, unit: str = "reports", min_units: int = 1
) -> pd.DataFrame:
    """Categories × the groups of report variable `by` (report_year, level, region, province, … or a
    scorecard column such as timeliness): one row per category and group, see the module docstring.

    Units whose `by` value is missing are left out (their number is in `attrs["n_missing"]`); groups
    with fewer than `min_units` units are left out too. Rows: categories in their own order, groups
    sorted."""
    from .reading import _check_positive_int

    _check_positive_int("min_units", min_units)
    variables = _report_variables(corpus)
    if by not in variables.columns:
        choices = [c for c in variables.columns if c not in ("text", "warnings", "sha256")]
        raise invalid("by", by, choices)
    units, coded, labels = category_units(corpus, source=source, unit=unit)
    units = units.merge(variables[["report_id", by]], on="report_id", how="left")
    missing = int(units[by].isna().sum() + (units[by].astype(str) == "").sum())
    units = units[units[by].notna() & (units[by].astype(str) != "")]
    sizes = units.groupby(by, sort=True).size()
    sizes = sizes[sizes >= min_units]
    units = units[units[by].isin(sizes.index)]
    groups = list(sizes.index)
    group_of = dict(zip(units["unit_id"], units[by]))
    coded = coded[coded["unit_id"].isin(group_of)]
    rows = []
    for cat, label in labels.items():
        with_cat = coded.loc[coded["category"] == cat, "unit_id"].map(group_of).value_counts()
        counts = np.array([int(with_cat.get(g, 0)) for g in groups], dtype=float)
        n_units = sizes.to_numpy(dtype=float)
        if len(groups) >= 2:
            test = chi2_test(np.vstack([counts, n_units - counts]))
            expected, resid, adj = test.expected[0], test.residuals[0], test.adjusted_residuals[0]
            stat, df, p = test.statistic, test.df, test.p_value
            small = int((test.expected < 5).sum())
        else:
            expected = resid = adj = np.full(len(groups), np.nan)
            stat, df, p, small = np.nan, 0, np.nan, 0
        for j, g in enumerate(groups):
            rows.append(
                {
                    "category": cat,
                    "category_label": label,
                    "group": g,
                    "n_units": int(n_units[j]),
                    "count": int(counts[j]),
                    "share": counts[j] / n_units[j] if n_units[j] else np.nan,
                    "expected": expected[j],
                    "residual": resid[j],
                    "adjusted_residual": adj[j],
                    "chi2": stat,
                    "df": df,
                    "p_value": p,
                    "n_small_expected": small,
                }
            )
    out = pd.DataFrame(rows, columns=CROSSTAB_COLUMNS)
    out.attrs.update(
        by=by,
        unit=unit,
        n_missing=missing,
        n_units=int(sizes.sum()),
        source="typology" if source is None else "dictionary",
    )
    return out


def crosstab_wide(table: pd.DataFrame, *, value: str = "count", lang: str | None = None) -> pd.DataFrame:
    """KH Coder's layout: one row per group (plus `total`), one column per category holding
    `count (share %)` (value="count") or the raw `value` column; then χ² and p rows. With `lang`, for a
    page: groups of a coded variable, `total`, `units`, the variable and (in English) the categories by
    their `vocab` labels."""
    if table.empty:
        return pd.DataFrame()
    cats = list(dict.fromkeys(table["category"]))
    groups = list(dict.fromkeys(table["group"]))
    label = dict(zip(table["category"], table["category_label"]))
    out = {}
    for cat in cats:
        sub = table[table["category"] == cat].set_index("group")
        if value == "count":
            col = [f"{int(sub.at[g, 'count'])} ({100 * sub.at[g, 'share']:.1f}%)" for g in groups]
            total = sub["count"].sum() / sub["n_units"].sum()
            col.append(f"{int(sub['count'].sum())} ({100 * total:.1f}%)")
            chi2, p = sub["chi2"].iloc[0], sub["p_value"].iloc[0]
            col += [f"{chi2:.3f}" if pd.notna(chi2) else "–", f"{p:.4f}" if pd.notna(p) else "–"]
        else:
            col = [sub.at[g, value] for g in groups] + [np.nan, sub["chi2"].iloc[0], sub["p_value"].iloc[0]]
        out[label[cat]] = col
    n = table.drop_duplicates("group").set_index("group")["n_units"]
    index = [str(g) for g in groups] + ["total", "χ²", "p"]
    frame = pd.DataFrame(out, index=index)
    frame.insert(0, "units", [int(n[g]) for g in groups] + [int(n.sum()), "", ""])
    by = table.attrs.get("by", "group")
    frame.index.name = by
    if lang is None:
        return frame
    check_lang(lang)
    kind = vocab.kind_of(by)
    frame.index = [*vocab.labels([str(g) for g in groups], kind, lang), vocab.label("column", "total", lang), "χ²", "p"]
    frame.index.name = vocab.label("column", by, lang)
    names = {label[c]: (label[c] if lang == "zh" else vocab.label("category", c, lang)) for c in cats}
    return frame.rename(columns={"units": vocab.label("column", "units", lang), **names})


def cells_table(table: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """The cells of `category_crosstab` for a page: category, group, reports in the group, reports naming
    the category, their share and the adjusted residual; with `lang`, groups of a coded variable (levels,
    regions …) and, in English, categories by their `vocab` labels."""
    out = table[["category_label", "group", "n_units", "count", "share", "adjusted_residual"]].reset_index(drop=True)
    if lang is not None:
        out["group"] = vocab.labels([str(g) for g in out["group"]], vocab.kind_of(table.attrs.get("by", "")), lang)
    if lang == "en":
        out["category_label"] = vocab.labels(list(table["category"]), "category", lang)
    return out


def significant_cells(table: pd.DataFrame, *, threshold: float = 1.96) -> pd.DataFrame:
    """Cells whose adjusted residual is beyond ±`threshold`, strongest first."""
    cells = table[table["adjusted_residual"].abs() > threshold]
    return cells.reindex(cells["adjusted_residual"].abs().sort_values(ascending=False).index).reset_index(drop=True)


# ------------------------------------------------------------------------------ correspondence analysis
@dataclass(frozen=True)
class CA:
    """Correspondence analysis of a table: principal inertias, their shares, principal coordinates."""

    eigenvalues: np.ndarray  # principal inertias λ_k
    total_inertia: float  # Σ λ_k = χ² / n
    row_coords: pd.DataFrame  # principal coordinates, columns dim1, dim2, …
    col_coords: pd.DataFrame
    row_masses: pd.Series
    col_masses: pd.Series

    @property
    def explained(self) -> np.ndarray:
        """Share of the total inertia on each axis."""
        return self.eigenvalues / self.total_inertia if self.total_inertia > 0 else self.eigenvalues * np.nan


def correspondence_analysis(table: pd.DataFrame, *, n_components: int = 2) -> CA:
    """Correspondence analysis of a table of counts (rows × columns, e.g. terms × years).

    Rows or columns that are all zero are dropped (they have no profile). See the module docstring.
    """
    from .reading import _check_positive_int

    _check_positive_int("n_components", n_components)
    if not isinstance(table, pd.DataFrame):
        table = pd.DataFrame(table)
    data = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0].astype(float)
    if data.shape[0] < 2 or data.shape[1] < 2:
        raise FazhiError(
            f"Correspondence analysis needs at least 2 rows and 2 columns with counts; "
            f"the table has {data.shape[0]} × {data.shape[1]}."
        )
    n = data.to_numpy().sum()
    p = data.to_numpy() / n
    r, c = p.sum(axis=1), p.sum(axis=0)
    s = (p - np.outer(r, c)) / np.sqrt(np.outer(r, c))
    u, sigma, vt = np.linalg.svd(s, full_matrices=False)
    k = min(n_components, len(sigma), min(data.shape) - 1)
    u, sigma, v = u[:, :k], sigma[:k], vt[:k].T
    for j in range(k):  # deterministic signs: the largest |column coordinate| is positive
        if v[np.argmax(np.abs(v[:, j])), j] < 0:
            u[:, j], v[:, j] = -u[:, j], -v[:, j]
    dims = [f"dim{j + 1}" for j in range(k)]
    rows = pd.DataFrame(u * sigma / np.sqrt(r)[:, None], index=data.index, columns=dims)
    cols = pd.DataFrame(v * sigma / np.sqrt(c)[:, None], index=data.columns, columns=dims)
    all_sigma = np.linalg.svd(s, compute_uv=False)
    return CA(
        sigma**2,
        float((all_sigma**2).sum()),
        rows,
        cols,
        pd.Series(r, index=data.index),
        pd.Series(c, index=data.columns),
    )


def term_group_table(
    corpus,
    *,
    by: str = "report_year",
    part: str | None = None,
    n_terms: int = 40,
    min_reports: int = 2,
    **token_options,
) -> pd.DataFrame:
    """Terms × groups of counts for correspondence analysis: the `n_terms` most frequent terms (in at
    least `min_reports` reports) of the chosen part (default: whole reports), tokens as `fz.tokenize`."""
    from .part_tokens import part_tokens
    from .reading import _check_positive_int

    _check_positive_int("n_terms", n_terms)
    _check_positive_int("min_reports", min_reports)
    variables = _report_variables(corpus)
    if by not in variables.columns:
        raise invalid("by", by, [c for c in variables.columns if c not in ("text", "warnings")])
    toks = part_tokens(corpus, kind=part, **token_options).merge(variables[["report_id", by]], on="report_id")
    toks = toks[toks[by].notna() & (toks[by].astype(str) != "")]
    long = toks[["report_id", by, "tokens"]].explode("tokens").dropna(subset=["tokens"])
    if long.empty:
        return pd.DataFrame()
    reach = long.groupby("tokens")["report_id"].nunique()
    freq = long["tokens"].value_counts()
    keep = [t for t in sorted(freq.index, key=lambda t: (-freq[t], t)) if reach[t] >= min_reports][:n_terms]
    long = long[long["tokens"].isin(keep)]
    table = pd.crosstab(long["tokens"], long[by]).reindex(keep)
    table.index.name, table.columns.name = "term", by
    return table


def plot_ca(ca: CA, *, title: str | None = None, max_labels: int | None = None, seed_order=None, lang: str = "zh"):
    """Symmetric biplot of a correspondence analysis: rows (terms) as grey points, columns (groups) as
    red triangles, Chinese labels placed so that no two overlap (a label that finds no free place
    within the axes is left out and listed in `fig.fazhi_hidden_labels`). Returns the Figure; the
    placed label boxes (display coordinates) are in `fig.fazhi_label_boxes`. Axes and the default title
    in `lang`; group labels of a coded variable (levels, regions …) as `vocab` labels them."""
    import matplotlib.pyplot as plt

    from .plotting import setup_chinese_font

    check_lang(lang)
    zh = lang == "zh"
    family = setup_chinese_font()
    if ca.row_coords.shape[1] < 2:
        raise FazhiError("The biplot needs two axes; the table has only one (add rows or columns).")
    fig, ax = plt.subplots(figsize=(8, 7))
    rows, cols = ca.row_coords.iloc[:, :2], ca.col_coords.iloc[:, :2]
    ax.scatter(rows["dim1"], rows["dim2"], s=12, color="#7f7f7f", zorder=2)
    ax.scatter(cols["dim1"], cols["dim2"], s=60, marker="^", color="#c0392b", zorder=3)
    ax.axhline(0, color="#cccccc", linewidth=0.8, zorder=1)
    ax.axvline(0, color="#cccccc", linewidth=0.8, zorder=1)
    share = ca.explained
    if zh:
        ax.set_xlabel(f"第一维（占惯量的 {100 * share[0]:.1f}%）")
        ax.set_ylabel(f"第二维（占惯量的 {100 * share[1]:.1f}%）")
        ax.set_title(title if title is not None else "对应分析（对称图）")
    else:
        ax.set_xlabel(f"dim 1 ({100 * share[0]:.1f}% of inertia)")
        ax.set_ylabel(f"dim 2 ({100 * share[1]:.1f}% of inertia)")
        ax.set_title(title if title is not None else "Correspondence analysis (symmetric map)")
    xs = np.concatenate([rows["dim1"], cols["dim1"]])
    ys = np.concatenate([rows["dim2"], cols["dim2"]])
    pad_x, pad_y = 0.15 * (np.ptp(xs) or 1), 0.15 * (np.ptp(ys) or 1)
    ax.set_xlim(xs.min() - pad_x, xs.max() + pad_x)
    ax.set_ylim(ys.min() - pad_y, ys.max() + pad_y)
    fig.tight_layout()
    # labels: groups first (few, important), then terms by mass (most frequent first)
    names = vocab.labels(list(cols.index), vocab.kind_of(str(cols.index.name)), lang)
    labels = [(str(name), x, y, True) for name, (x, y) in zip(names, cols.itertuples(index=False))]
    order = ca.row_masses.sort_values(ascending=False).index
    labels += [(str(i), rows.at[i, "dim1"], rows.at[i, "dim2"], False) for i in order]
    if max_labels is not None:
        labels = labels[: len(cols) + max_labels]
    boxes, hidden = place_labels(ax, labels, family=family)
    fig.fazhi_label_boxes = boxes
    fig.fazhi_hidden_labels = hidden
    return fig


def _overlaps(box, boxes) -> bool:
    x0, y0, x1, y1 = box
    return any(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in boxes)


def place_labels(ax, labels, *, family: str | None = None, fontsize: float = 9):
    """Greedy label placement without overlaps: each label tries positions on rings of growing
    radius around its point (display pixels) and takes the first whose box overlaps no placed label,
    no point marker and stays inside the axes; a leader line joins a label moved far from its point.
    Returns (boxes, hidden labels)."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    to_px = ax.transData.transform
    frame = ax.get_window_extent(renderer)
    points = [to_px((x, y)) for _, x, y, _ in labels]
    marker = 3.0  # half-size of a point's box (px) kept free of text
    taken = [(px - marker, py - marker, px + marker, py + marker) for px, py in points]
    placed, hidden = [], []
    angles = np.deg2rad(np.arange(0, 360, 30))
    for (text, x, y, is_group), (px, py) in zip(labels, points):
        probe = ax.text(
            0,
            0,
            text,
            fontsize=fontsize + (1 if is_group else 0),
            family=family,
            color="#c0392b" if is_group else "#333333",
            ha="center",
            va="center",
            fontweight="bold" if is_group else "normal",
            zorder=4,
        )
        ext = probe.get_window_extent(renderer)
        w, h = ext.width + 2, ext.height + 2
        spot = None
        for radius in [h * 0.75, *np.arange(h * 1.5, 12 * h, h * 0.75)]:
            for ang in angles:
                cx, cy = px + (radius + w / 2 * abs(np.cos(ang))) * np.cos(ang), py + radius * np.sin(ang)
                box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                inside = box[0] >= frame.x0 and box[2] <= frame.x1 and box[1] >= frame.y0 and box[3] <= frame.y1
                if inside and not _overlaps(box, taken):
                    spot = (cx, cy, box, radius)
                    break
            if spot:
                break
        if spot is None:
            probe.remove()
            hidden.append(text)
            continue
        cx, cy, box, radius = spot
        probe.set_position(ax.transData.inverted().transform((cx, cy)))
        if radius > 1.6 * h:
            ax.annotate(
                "",
                xy=(x, y),
                xytext=ax.transData.inverted().transform((cx, cy)),
                arrowprops={"arrowstyle": "-", "color": "#aaaaaa", "linewidth": 0.6},
                zorder=1,
            )
        taken.append(box)
        placed.append(box)
    return placed, hidden
