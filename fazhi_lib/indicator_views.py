"""Tables and figures for the indicator-trends notebook (notebooks/03_indicator_trends.ipynb).

Every function takes an `IndicatorSelection` (the corpus narrowed to some years, levels and
indicator codes) and returns a DataFrame or draws one figure; the notebook only calls them.

>>> sel = select_indicators(load_corpus("data/processed"), indicators=["disputes_resolved"])  # doctest: +SKIP
>>> coverage(sel)                                                                             # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .corpus import Corpus
from .errors import FazhiError, invalid
from .indicators import (
    LEVEL_KINDS,
    indicator_panel,
    indicator_rules,
    indicators_frame,
    indicators_stage,
)
from .labels import PLACE_FIELDS, issuer_bodies, issuer_labels, report_labels
from .provenance import with_citations
from .vocab import check_lang, label

# A point of the year figure compares the reports behind it; a figure across years is drawn only for an
# indicator × group with values in two or more report years, each resting on at least this many reports
# (else it would set one report against another and look like a trend). Other values are a table.
FIGURE_MIN_REPORTS = 2

GROUP_BY = ("level", "issuer", "province", "region", "prefecture", "county")
PART_ORDER = ("preamble", "achievements", "problems", "duty", "plan", "other", "closing")


@dataclass
class IndicatorSelection:
    """The corpus narrowed for the notebook, with its mentions and panel cells.

    `message` is '' when there is something to show, else one sentence saying why not.
    """

    corpus: Corpus
    codes: list[str]  # indicator codes selected, in lexicon order
    mentions: pd.DataFrame  # every mention of the selected reports, with issuer/year/level
    panel: pd.DataFrame  # indicator_panel rows of the selected reports and codes
    message: str = ""
    message_zh: str = ""

    @property
    def empty(self) -> bool:
        return bool(self.message)

    def sentence(self, lang: str = "zh") -> str:
        """Why there is nothing to show, or what is selected (one sentence in `lang`)."""
        check_lang(lang)
        if self.message:
            return self.message_zh if lang == "zh" else self.message
        m, n = self.mentions, len(self.corpus.reports)
        coded = int((m["indicator"] != "").sum())
        if lang == "zh":
            return f"选中 **{n} 份报告**，{len(self.codes)} 项指标；读出 {len(m)} 个带单位的数字，其中 {coded} 个归入指标。"
        return f"**{n} reports** selected; {len(self.codes)} indicator codes; {len(m)} numbers read, {coded} of them coded."


def corpus_indicators(corpus: Corpus) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The `indicators` and `indicator_panel` tables of a corpus: the built ones, or computed now when
    the corpus was built before the indicator stages existed."""
    ind = corpus.tables.get("indicators")
    if ind is None:
        rows = []
        sections = corpus.sections
        for rid, secs in sections.groupby("report_id", sort=True) if not sections.empty else []:
            doc = type("Doc", (), {"report_id": rid, "sections": secs.to_dict("records")})
            rows += indicators_stage(doc)["indicators"]
        ind = pd.DataFrame(rows)
    ind = indicators_frame(ind)
    panel = corpus.tables.get("indicator_panel")
    if panel is None or "indicator" not in panel.columns:  # not built, or saved empty without its columns
        panel = indicator_panel(ind, corpus.reports)
    return ind, panel


def select_indicators(
    corpus: Corpus,
    *,
    indicators=None,
    years=None,
    levels=None,
) -> IndicatorSelection:
    """Narrow the corpus to `years`, `levels` and indicator codes (empty or None: all).

    An unknown code raises `FazhiError` naming the valid ones; a selection with nothing to show is
    returned with `message` set to one sentence.
    """
    codes_all = [r.code for r in indicator_rules()]
    wanted = [indicators] if isinstance(indicators, str) else list(indicators or [])
    for code in wanted:
        if code not in codes_all:
            raise invalid("indicators", code, codes_all)
    codes = [c for c in codes_all if c in wanted] if wanted else codes_all
    selected = corpus.filter(years=list(years) if years else None, levels=list(levels) if levels else None)
    ind, panel = corpus_indicators(corpus)
    keep = set(selected.reports["report_id"]) if not selected.reports.empty else set()
    who = _who(selected.reports)
    mentions = ind[ind["report_id"].isin(keep)].merge(who, on="report_id", how="left")
    # a boolean mask even when the panel is empty (an empty object Series would select columns)
    panel = panel[panel["report_ids"].fillna("").map(lambda s: bool(set(s.split(",")) & keep)).astype(bool)]
    panel = panel[panel["indicator"].isin(codes)].reset_index(drop=True)
    message = message_zh = ""
    filters = ", ".join(
        f"{name} = {value}" for name, value in (("years", years), ("levels", levels), ("indicators", wanted)) if value
    )
    if not keep:
        message = f"No report matches the selection ({filters or 'no filters'}); widen `years` or `levels`."
        message_zh = f"没有报告符合所选条件（{filters or '未设条件'}）：请放宽 `years` 或 `levels`。"
    elif panel.empty:
        message = (
            f"None of the {len(keep)} selected reports reports a value for "
            f"{', '.join(wanted) if wanted else 'any indicator of the lexicon'}; choose other `indicators`."
        )
        message_zh = (
            f"所选 {len(keep)} 份报告都没有给出"
            f"{'、'.join(label('indicator', w) for w in wanted) if wanted else '指标词表中任何一项指标'}的数值：请换用其他 `indicators`。"
        )
    return IndicatorSelection(selected, codes, mentions.reset_index(drop=True), panel, message, message_zh)


def _who(reports: pd.DataFrame) -> pd.DataFrame:
    cols = ["report_id", "issuer", "report_year", "level"] + [c for c in GROUP_BY[2:] if c in reports.columns]
    if reports.empty:
        return pd.DataFrame(columns=cols + ["report"])
    who = reports[cols].copy()
    who["issuer"] = who["issuer"].fillna(reports["source_file"])
    who["report"] = report_labels(reports).to_numpy()
    return who


def _labels() -> dict[str, str]:
    return {r.code: r.label for r in indicator_rules()}


def indicator_name(code: str, lang: str | None = None) -> str:
    """'disputes_resolved 矛盾纠纷化解' for axis labels; with `lang`, the label alone (vocab)."""
    if lang is not None:
        return label("indicator", code, lang)
    return f"{code} {_labels().get(code, '')}".strip()


# ---------------------------------------------------------------------------------------------
# coverage


def coverage(sel: IndicatorSelection) -> pd.DataFrame:
    """Indicator × report: how many coded level mentions each report gives (0: not reported).

    Rows: the selected codes in lexicon order; columns: report labels ('塘栖镇 2024'), sorted.
    """
    reports = _who(sel.corpus.reports)
    columns = sorted(reports["report"]) if not reports.empty else []
    m = sel.mentions
    m = m[m["indicator"].isin(sel.codes) & m["kind"].isin(LEVEL_KINDS)]
    counts = m.groupby(["indicator", "report"]).size().unstack(fill_value=0) if not m.empty else pd.DataFrame()
    matrix = counts.reindex(index=sel.codes, columns=columns, fill_value=0).fillna(0).astype(int)
    matrix.index.name, matrix.columns.name = "indicator", "report"
    return matrix


def coverage_sentence(matrix: pd.DataFrame, lang: str = "zh") -> str:
    """One sentence computed from `coverage`."""
    check_lang(lang)
    zh = lang == "zh"
    if matrix.empty or matrix.shape[1] == 0:
        return (
            "没有选中报告，无法显示指标覆盖情况。"
            if zh
            else "No report is selected, so no indicator coverage can be shown."
        )
    reported = (matrix > 0).sum(axis=1)
    n = matrix.shape[1]
    used = int((reported > 0).sum())
    if used == 0:
        if zh:
            return f"所选 {len(matrix)} 项指标在 {n} 份报告中均未出现。"
        return f"None of the {len(matrix)} selected indicators is reported by any of the {n} reports."
    top = reported.sort_values(ascending=False, kind="stable")
    per_report = (matrix > 0).sum(axis=0)
    if zh:
        best = "、".join(f"{label('indicator', code)}（{int(k)}/{n} 份）" for code, k in top.head(3).items() if k > 0)
        return (
            f"{len(matrix)} 项指标中有 {used} 项至少在 {n} 份报告中的一份里出现；出现最广的是：{best}。"
            f"每份报告给出其中 {int(per_report.min())} 至 {int(per_report.max())} 项。"
        )
    best = ", ".join(f"{code} ({int(k)} of {n})" for code, k in top.head(3).items() if k > 0)
    return (
        f"{used} of {len(matrix)} indicators are reported by at least one of the {n} reports; "
        f"most widely reported: {best}. A report gives between {int(per_report.min())} and "
        f"{int(per_report.max())} of them."
    )


def plot_coverage(matrix: pd.DataFrame, *, ax=None, title: str | None = None, lang: str | None = None):
    """Heatmap of `coverage` (blank cells: the report gives no value); with `lang`, indicators by label."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from .plotting import setup_chinese_font

    setup_chinese_font()
    if title is None:
        title = {"en": "mentions per report"}.get(lang or "", "哪些报告报告了哪些指标（每份报告的提及次数）")
    shown = matrix.rename(index=lambda c: indicator_name(c, lang))
    if ax is None:
        _, ax = plt.subplots(figsize=(2 + 1.1 * max(3, shown.shape[1]), 1 + 0.35 * max(3, len(shown))))
    sns.heatmap(
        shown.where(shown > 0),
        annot=True,
        fmt=".0f",
        cmap="Blues",
        cbar=False,
        linewidths=0.5,
        linecolor="#dddddd",
        ax=ax,
        mask=shown == 0,
    )
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=30)
    return ax


# ---------------------------------------------------------------------------------------------
# values by year


def _group_values(sel: IndicatorSelection, group_by: str) -> pd.DataFrame:
    if group_by not in GROUP_BY:
        raise invalid("group_by", group_by, GROUP_BY)
    reports = sel.corpus.reports
    if group_by not in reports.columns:
        raise FazhiError(
            f"`group_by` = {group_by!r} cannot be used: the reports table has no `{group_by}` column "
            f"(rebuild with `fazhi build`)."
        )
    panel = sel.panel.copy()
    first_report = panel["report_ids"].str.split(",").str[0]
    groups = reports.set_index("report_id")[group_by] if not reports.empty else pd.Series(dtype=object)
    panel["group"] = first_report.map(groups).fillna("(unknown)").astype(str)
    if group_by == "issuer":  # the issuer's name, with its place where one name has several
        panel["group"] = issuer_labels(_with_places(panel)).astype(str)
    return panel


def cited_value(panel: pd.DataFrame) -> pd.Series:
    """The figure to cite for each panel cell: the report's `total` (its largest figure, or the sum of the
    sub-counts it lists when that is larger), else `value` (tables built before `total` existed).

    >>> cited_value(pd.DataFrame({"value": [29.0, 40.0], "total": [31.0, None]})).tolist()
    [31.0, 40.0]
    """
    value = panel["value"].astype(float)
    return panel["total"].astype(float).fillna(value) if "total" in panel.columns else value


def values_by_year(sel: IndicatorSelection, *, group_by: str = "level", min_reports_per_point: int = 1) -> pd.DataFrame:
    """One point per indicator × group × report year: the median of the cells' totals (`cited_value`).

    Columns: indicator, group, report_year, n_reports, median, low, high, units, drawn (False when
    fewer than `min_reports_per_point` reports feed the point: such points are not plotted).
    """
    if int(min_reports_per_point) < 1:
        raise FazhiError(
            f"`min_reports_per_point` = {min_reports_per_point!r} is not valid; choose a whole number of 1 or more."
        )
    columns = ["indicator", "group", "report_year", "n_reports", "median", "low", "high", "units", "drawn"]
    panel = _group_values(sel, group_by)
    panel = panel[panel["report_year"].notna()]
    if panel.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for (code, group, year), cell in panel.groupby(["indicator", "group", "report_year"], sort=True):
        values = cited_value(cell)
        n = int(cell["report_ids"].str.split(",").explode().nunique())
        rows.append(
            {
                "indicator": code,
                "group": group,
                "report_year": int(year),
                "n_reports": n,
                "median": float(values.median()),
                "low": float(values.min()),
                "high": float(values.max()),
                "units": "/".join(sorted(set(cell["unit"]))),
                "drawn": n >= int(min_reports_per_point),
            }
        )
    out = pd.DataFrame(rows, columns=columns)
    order = {c: i for i, c in enumerate(sel.codes)}
    return out.sort_values(
        ["indicator", "group", "report_year"], key=lambda s: s.map(order) if s.name == "indicator" else s, kind="stable"
    ).reset_index(drop=True)


def comparable_points(points: pd.DataFrame, *, min_reports: int = FIGURE_MIN_REPORTS) -> pd.DataFrame:
    """The drawn points an across-year figure can honestly show: those of an indicator × group with points
    in two or more report years, each resting on at least `min_reports` reports (`FIGURE_MIN_REPORTS`)."""
    if points.empty:
        return points
    ok = points[points["drawn"] & (points["n_reports"] >= int(min_reports))]
    years = ok.groupby(["indicator", "group"])["report_year"].transform("nunique")
    return ok[years >= 2].reset_index(drop=True)


def _number(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}".rstrip("0").rstrip(".")


def value_table(points: pd.DataFrame, lang: str = "zh", *, group_by: str = "level") -> pd.DataFrame:
    """The values as a table, one row per indicator and one column per group × report year: the honest
    display when most points rest on one report. A cell reads '1,132 件'; with several reports
    '187 件/份（2 份：43–331）' (median, reports, range). Empty cell: no value."""
    check_lang(lang)
    first = label("column", "indicator", lang)
    if points.empty:
        return pd.DataFrame(columns=[first])
    kind = "level" if group_by == "level" else "region" if group_by == "region" else None
    rows: dict[str, dict[str, str]] = {}
    columns: list[tuple] = []
    for p in points[points["drawn"]].itertuples(index=False):
        group = label(kind, p.group, lang) if kind else str(p.group)
        col = (p.report_year, group)
        if col not in columns:
            columns.append(col)
        cell = f"{_number(p.median)} {p.units}"
        if p.n_reports > 1:
            spread = f"{_number(p.low)}–{_number(p.high)}"
            cell += f"（{p.n_reports} 份：{spread}）" if lang == "zh" else f" ({p.n_reports} reports: {spread})"
        rows.setdefault(label("indicator", p.indicator, lang), {})[f"{group} {p.report_year}"] = cell
    names = [f"{g} {y}" for y, g in sorted(columns, key=lambda c: (c[0], c[1]))]
    out = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=names).fillna("")
    return out.rename_axis(first).reset_index()


def values_sentence(
    points: pd.DataFrame,
    *,
    min_reports_per_point: int = 1,
    comparable: pd.DataFrame | None = None,
    lang: str = "zh",
) -> str:
    """What the values can show: how many points, and whether a figure across years is drawn (see
    `comparable_points`) or why the values are a table instead."""
    check_lang(lang)
    zh = lang == "zh"
    if points.empty:
        return "所选范围内没有可显示的指标数值。" if zh else "No indicator value to plot in this selection."
    drawn = points[points["drawn"]]
    hidden = len(points) - len(drawn)
    years = sorted(points["report_year"].unique())
    single = int((drawn["n_reports"] == 1).sum())
    if zh:
        text = (
            f"{drawn['indicator'].nunique()} 项指标在报告年度 {'、'.join(map(str, years))} 共有 {len(drawn)} 个数值点，"
            f"其中 {single} 个只来自一份报告"
        )
        if hidden:
            text += f"；另有 {hidden} 个数值点的报告少于 {min_reports_per_point} 份，未列出"
    else:
        text = (
            f"{len(drawn)} of {len(points)} year points are shown for {drawn['indicator'].nunique()} indicators "
            f"across report years {', '.join(map(str, years))}; {single} of them rest on a single report"
        )
        if hidden:
            text += f"; {hidden} rest on fewer than {min_reports_per_point} reports and are left out"
    if comparable is None:
        return text + ("。" if zh else ".")
    n = comparable["indicator"].nunique() if not comparable.empty else 0
    if zh:
        if n:
            return (
                text
                + f"。只有 {n} 项指标在两个以上年度各有至少 {FIGURE_MIN_REPORTS} 份报告，下图只画这些指标；全部数值见表。"
            )
        return text + (
            f"。没有一项指标在两个年度各有至少 {FIGURE_MIN_REPORTS} 份报告：跨年度的图只会把一份报告和另一份报告相比，"
            "看起来却像趋势，所以这里只列表，不画图。"
        )
    if n:
        return text + (
            f". Only {n} indicators have at least {FIGURE_MIN_REPORTS} reports in each of two or more years: the "
            "figure draws those; the table gives every value."
        )
    return text + (
        f". No indicator has at least {FIGURE_MIN_REPORTS} reports in each of two years: a figure across years "
        "would set one report against another and look like a trend, so the values are a table, not a figure."
    )


def plot_values_by_year(points: pd.DataFrame, *, ncols: int = 3, lang: str | None = None):
    """Small multiples: one panel per indicator, median value by report year, one colour per group
    (whiskers span the lowest and highest value of the point's reports). Points are not joined by
    lines: different reports stand behind different years, so a line would suggest a trend."""
    import matplotlib.pyplot as plt

    from .plotting import setup_chinese_font

    setup_chinese_font()
    drawn = points[points["drawn"]]
    codes = list(dict.fromkeys(drawn["indicator"]))
    if not codes:
        return None
    ncols = max(1, min(ncols, len(codes)))
    nrows = -(-len(codes) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3.0 * nrows), squeeze=False)
    groups = sorted(drawn["group"].unique())
    colours = {g: plt.get_cmap("tab10")(i % 10) for i, g in enumerate(groups)}
    shift = {g: (i - (len(groups) - 1) / 2) * 0.12 for i, g in enumerate(groups)}
    for ax, code in zip(axes.flat, codes):
        sub = drawn[drawn["indicator"] == code]
        for group, g in sub.groupby("group", sort=True):
            g = g.sort_values("report_year")
            x = g["report_year"] + shift[group]
            ax.errorbar(
                x,
                g["median"],
                yerr=[g["median"] - g["low"], g["high"] - g["median"]],
                marker="o",
                linestyle="none",
                capsize=3,
                color=colours[group],
            )
            for xi, y, n in zip(x, g["median"], g["n_reports"]):
                ax.annotate(f"n={n}", (xi, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
        ax.set_title(indicator_name(code, lang), fontsize=9)
        ax.set_ylabel("/".join(sorted({u for units in sub["units"] for u in units.split("/")})), fontsize=8)
        ax.set_xticks(sorted(sub["report_year"].unique()))
        ax.margins(x=0.3)
    for ax in list(axes.flat)[len(codes) :]:
        ax.set_visible(False)
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], marker="o", linestyle="none", color=colours[g], label=label("level", g, lang or "zh"))
        for g in groups
    ]
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.legend(handles=handles, loc="upper center", ncol=min(6, len(groups)), frameon=False)
    return fig


# ---------------------------------------------------------------------------------------------
# per-issuer trends


def issuer_trends(sel: IndicatorSelection) -> pd.DataFrame:
    """Panel cells of issuers that report an indicator in two or more report years. An issuer is its
    short name and its place (`labels.issuer_places`): two towns named 安宝镇 are two lines, each
    labelled with its place (`issuer_label`: 宁波市鄞州区安宝镇) wherever the name alone is ambiguous."""
    panel = sel.panel[sel.panel["report_year"].notna()]
    if panel.empty:
        return panel.iloc[0:0].assign(issuer_label=pd.Series(dtype=object))
    panel = _with_places(panel)
    keys = ["issuer", *PLACE_FIELDS]
    years = panel.groupby([*keys, "indicator"], dropna=False)["report_year"].transform("nunique")
    trends = panel[years >= 2]
    trends = trends.assign(issuer_label=issuer_labels(trends))
    return trends.sort_values(["issuer_label", "indicator", "report_year"], kind="stable").reset_index(drop=True)


def _with_places(panel: pd.DataFrame) -> pd.DataFrame:
    """The panel with its place columns (None in a panel built before it had them)."""
    missing = [f for f in PLACE_FIELDS if f not in panel.columns]
    return panel.assign(**{f: pd.Series(None, index=panel.index, dtype=object) for f in missing}) if missing else panel


def _years_per_issuer(reports: pd.DataFrame) -> pd.Series:
    """Report years per issuer (short name and place, `labels.issuer_bodies`; no issuer: the file)."""
    who = issuer_bodies(reports).fillna("").assign(year=reports["report_year"].to_numpy())
    return who.groupby(["issuer", *PLACE_FIELDS])["year"].nunique()


def trend_sentence(sel: IndicatorSelection, trends: pd.DataFrame, lang: str = "zh") -> str:
    """Whether any issuer has two or more report years (a trend needs them), and what is drawn."""
    check_lang(lang)
    zh = lang == "zh"
    reports = sel.corpus.reports
    if reports.empty:
        return (
            "没有选中报告，没有发布机关的趋势。" if zh else "No report is selected, so there are no per-issuer trends."
        )
    per_issuer = _years_per_issuer(reports)
    if trends.empty:
        multi = int((per_issuer >= 2).sum())
        if multi == 0:
            if zh:
                return (
                    f"所选范围内没有一个发布机关有两个以上年度的报告（{len(per_issuer)} 个发布机关，各只有一个报告年度），"
                    "趋势至少需要同一机关的两个年度，所以不画趋势线；各年度的数值见上表。"
                )
            return (
                f"No issuer has reports for two or more years in this selection ({len(per_issuer)} issuers, "
                f"each with one report year), so there are no per-issuer trend lines."
            )
        if zh:
            return (
                f"{multi} 个发布机关有两个以上年度的报告，但没有一个在其中两个年度报告同一项所选指标，所以不画趋势线。"
            )
        return (
            f"{multi} issuers have reports for two or more years, but none reports the same selected "
            f"indicator in two of them, so there are no per-issuer trend lines."
        )
    if zh:
        return (
            f"{trends['issuer_label'].nunique()} 个发布机关在两个以上年度报告了 {trends['indicator'].nunique()} 项指标"
            f"（共 {len(trends)} 个数值）；只有一个年度的机关不画线。"
        )
    return (
        f"{trends['issuer_label'].nunique()} issuers report {trends['indicator'].nunique()} indicators in two or more "
        f"years ({len(trends)} values in all); issuers with one year are not drawn."
    )


def plot_issuer_trends(trends: pd.DataFrame, *, ncols: int = 3, lang: str | None = None):
    """One panel per indicator, one line per issuer across report years (each report's total, `cited_value`)."""
    import matplotlib.pyplot as plt

    from .plotting import setup_chinese_font

    setup_chinese_font()
    codes = list(dict.fromkeys(trends["indicator"]))
    if not codes:
        return None
    ncols = max(1, min(ncols, len(codes)))
    nrows = -(-len(codes) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3.0 * nrows), squeeze=False)
    for ax, code in zip(axes.flat, codes):
        by = "issuer_label" if "issuer_label" in trends.columns else "issuer"  # (a place where names repeat)
        for issuer, g in trends[trends["indicator"] == code].groupby(by, sort=True):
            g = g.sort_values("report_year")
            ax.plot(g["report_year"].astype(int), cited_value(g), marker="o", label=issuer)
        ax.set_title(indicator_name(code, lang), fontsize=9)
        ax.set_xticks(sorted(trends.loc[trends["indicator"] == code, "report_year"].astype(int).unique()))
        ax.legend(fontsize=7, frameon=False)
    for ax in list(axes.flat)[len(codes) :]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------
# reported changes, density, provenance


def reported_changes(sel: IndicatorSelection) -> pd.DataFrame:
    """The changes the reports themselves state (同比增长45%, 下降18%): what changed, which way, by how much."""
    columns = [
        "issuer",
        "report_year",
        "changed",
        "direction",
        "value",
        "unit",
        "raw",
        "sentence",
        "report_id",
        "mention_no",
    ]
    m = sel.mentions[sel.mentions["kind"] == "change"]
    if m.empty:
        return pd.DataFrame(columns=columns)
    out = m.assign(direction=m["sign"].map({1: "上升 up", -1: "下降 down"}).fillna(""))
    return out[columns].sort_values(["report_year", "issuer", "mention_no"]).reset_index(drop=True)


def changes_sentence(changes: pd.DataFrame, lang: str = "zh") -> str:
    check_lang(lang)
    if changes.empty:
        if lang == "zh":
            return "所选报告没有陈述变化（如“同比增长45%”）。"
        return "No selected report states a change (such as 同比增长45%)."
    up = int((changes["direction"] == "上升 up").sum())
    n = changes["report_id"].nunique()
    if lang == "zh":
        return (
            f"{n} 份报告陈述了 {len(changes)} 处变化：上升 {up} 处，下降 {len(changes) - up} 处。"
            "它们比较的是语料未必包含的更早时期，所以只列出，不作为水平值画图。"
        )
    return (
        f"{len(changes)} stated change{'s' if len(changes) != 1 else ''} in {n} report{'s' if n != 1 else ''}: "
        f"{up} up, {len(changes) - up} down. They compare with an earlier period the corpus may not hold, so "
        f"they are listed here, not plotted as levels."
    )


def quantification_density(sel: IndicatorSelection) -> pd.DataFrame:
    """Numbers per 1,000 characters for each report × part kind (every measured mention, coded or not).

    Columns: report, report_id, part, n_numbers, n_chars, per_1000.
    """
    columns = ["report", "report_id", "part", "n_numbers", "n_chars", "per_1000"]
    sections = sel.corpus.sections
    if sections.empty:
        return pd.DataFrame(columns=columns)
    chars = (
        sections.assign(n_chars=sections["end"] - sections["start"])
        .groupby(["report_id", "kind"], as_index=False)["n_chars"]
        .sum()
        .rename(columns={"kind": "part"})
    )
    m = sel.mentions
    counts = m.groupby(["report_id", "section_kind"]).size().rename("n_numbers").reset_index()
    counts = counts.rename(columns={"section_kind": "part"})
    out = chars.merge(counts, on=["report_id", "part"], how="left").fillna({"n_numbers": 0})
    out["n_numbers"] = out["n_numbers"].astype(int)
    out["per_1000"] = (1000 * out["n_numbers"] / out["n_chars"].where(out["n_chars"] > 0)).round(2)
    out = out.merge(_who(sel.corpus.reports)[["report_id", "report"]], on="report_id", how="left")
    out["order"] = out["part"].map({p: i for i, p in enumerate(PART_ORDER)})
    return out.sort_values(["report", "order"])[columns].reset_index(drop=True)


def density_sentence(density: pd.DataFrame, lang: str = "zh") -> str:
    check_lang(lang)
    zh = lang == "zh"
    if density.empty:
        return (
            "没有选中报告，无法计算数字密度。"
            if zh
            else "No report is selected, so quantification density cannot be computed."
        )
    by_part = density.groupby("part")["per_1000"].median().dropna()
    by_part = by_part.reindex([p for p in PART_ORDER if p in by_part.index])
    top = by_part.idxmax()
    if zh:
        parts = "，".join(f"{label('part', p)} {v:.1f}" for p, v in by_part.items())
        return (
            f"各部分每千字数字个数的中位数：{parts}。“{label('part', top)}”部分数字最密；"
            f"{density['report_id'].nunique()} 份报告共 {int(density['n_numbers'].sum())} 个数字。"
        )
    parts = ", ".join(f"{p} {v:.1f}" for p, v in by_part.items())
    return (
        f"Median numbers per 1,000 characters by part: {parts}. The {top} part is the most quantified; "
        f"{int(density['n_numbers'].sum())} numbers in {density['report_id'].nunique()} reports."
    )


def plot_density(density: pd.DataFrame, *, ax=None, title: str | None = None, lang: str | None = None):
    """Heatmap: reports × parts, numbers per 1,000 characters."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from .plotting import setup_chinese_font

    setup_chinese_font()
    wide = density.pivot_table(index="report", columns="part", values="per_1000", aggfunc="first")
    wide = wide.reindex(columns=[p for p in PART_ORDER if p in wide.columns])
    if title is None:
        title = "numbers per 1,000 characters" if lang == "en" else "每千字数字个数"
    if lang is not None:
        wide.columns = [label("part", p, lang) for p in wide.columns]
    if ax is None:
        _, ax = plt.subplots(figsize=(1.5 + 1.1 * max(3, wide.shape[1]), 1 + 0.45 * max(3, len(wide))))
    sns.heatmap(wide, annot=True, fmt=".1f", cmap="Greens", cbar=False, linewidths=0.5, ax=ax)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title)
    return ax


def provenance(sel: IndicatorSelection, *, points: pd.DataFrame | None = None, group_by: str = "level") -> pd.DataFrame:
    """The source sentence of every plotted value: one row per mention feeding a drawn panel cell
    (all cells of the selection when `points` is None; else those behind the drawn `values_by_year`
    points made with the same `group_by`).

    `is_value` is True for the mention(s) whose value is the cell's `value`; offsets are into
    `texts.text` of the report; `citation` cites the report (`provenance.citation`).
    """
    columns = [
        "issuer",
        "report_year",
        "indicator",
        "value",
        "unit",
        "is_value",
        "disagree",
        "raw",
        "sentence",
        "section_kind",
        "report_id",
        "mention_no",
        "start",
        "end",
    ]
    panel = sel.panel
    if points is not None:
        drawn = points[points["drawn"]][["indicator", "group", "report_year"]].drop_duplicates()
        panel = _group_values(sel, group_by).merge(
            drawn.astype({"report_year": "Int64"}), on=["indicator", "group", "report_year"], how="inner"
        )
    if panel.empty:
        return pd.DataFrame(columns=[*columns, "citation"])
    refs = panel.assign(ref=panel["mention_refs"].str.split("; ")).explode("ref")
    refs[["report_id", "mention_no"]] = refs["ref"].str.split("#", expand=True)
    refs["mention_no"] = refs["mention_no"].astype(int)
    refs = refs.rename(columns={"value": "cell_value", "unit": "cell_unit"})
    m = sel.mentions.astype({"mention_no": int})
    out = refs.merge(
        m[["report_id", "mention_no", "value", "unit", "raw", "sentence", "section_kind", "start", "end"]],
        on=["report_id", "mention_no"],
        how="left",
    )
    out["is_value"] = (out["value"].astype(float) == out["cell_value"].astype(float)) & (
        out["unit"] == out["cell_unit"]
    )
    order = {c: i for i, c in enumerate(sel.codes)}
    out = out.sort_values(
        ["indicator", "report_year", "issuer", "mention_no"],
        key=lambda s: s.map(order) if s.name == "indicator" else s,
        kind="stable",
    )
    return with_citations(out[columns], sel.corpus.reports).reset_index(drop=True)  # + citation (provenance.py)


def provenance_sentence(sources: pd.DataFrame, lang: str = "zh") -> str:
    """How many mentions from how many reports stand behind the values shown."""
    check_lang(lang)
    n = sources["report_id"].nunique() if not sources.empty else 0
    if lang == "zh":
        return f"上面的数值来自 {n} 份报告中的 {len(sources)} 处提及。" if n else "没有可追溯的数值。"
    return f"{len(sources)} mentions from {n} reports feed the values above." if n else "No value to trace."
