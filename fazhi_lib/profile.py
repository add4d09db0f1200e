"""One report on one page: the tables behind `notebooks/04_report_profile.ipynb`.

>>> corpus = load_corpus("data/processed")                              # doctest: +SKIP
>>> rid = resolve_report_id(corpus, "d71281716205")                      # doctest: +SKIP
>>> metadata_table(corpus, rid).set_index("field").loc["issuer", "value"]  # doctest: +SKIP
'塘栖镇'
"""

from __future__ import annotations

import pandas as pd

from .errors import FazhiError
from .labels import report_label  # noqa: F401  (profile.report_label: used by notebook 04)
from .markup import md, md_code
from .messages import translate
from .provenance import citation
from .scorecard import MEASURES, quantities, scorecard, sentences
from .sections import SECTION_KINDS
from .vocab import check_lang, label

METADATA_FIELDS = [
    ("title", "title"),
    ("issuer", "issuer"),
    ("issuer_full", "issuer (as named)"),
    ("level", "level"),
    ("province", "province"),
    ("prefecture", "prefecture"),
    ("county", "county"),
    ("region", "region"),
    ("report_year", "report year"),
    ("publish_date", "published"),
    ("written_date", "written"),
    ("publisher", "publisher"),
    ("index_no", "index number"),
    ("source_file", "source file"),
    ("source_url", "source address"),
    ("retrieved_at", "retrieved"),
    ("n_chars", "characters"),
    ("status", "parse status"),
    ("warnings", "warnings"),
]


def resolve_report_id(corpus, report_id: str | None) -> str:
    """`report_id` checked against the corpus; empty → the first report (by year, issuer, id)."""
    reports = corpus.reports
    if reports.empty:
        raise FazhiError("The corpus has no reports; run `fazhi build` first.")
    if not report_id:
        first = reports.sort_values(["report_year", "issuer", "report_id"], na_position="last", kind="stable")
        return str(first["report_id"].iloc[0])
    ids = reports["report_id"].tolist()
    if report_id in ids:
        return report_id
    matches = [i for i in ids if str(i).startswith(str(report_id))]
    if len(matches) == 1:
        return matches[0]
    shown = sorted(ids)[:12]
    more = f" (and {len(ids) - 12} more)" if len(ids) > 12 else ""
    raise FazhiError(f"`report_id` = {report_id!r} is not valid; choose one of: {', '.join(shown)}{more}.")


def heading_markdown(corpus, report_id: str, lang: str = "zh") -> str:
    """The profile's heading: '## issuer year', then the title, the id and the source file. Every string
    from the report is escaped (`markup.md`): a title or file name holding markup shows as text."""
    check_lang(lang)
    row = _row(corpus, report_id)
    year = row.get("report_year")
    year = "?" if year is None or pd.isna(year) else str(int(year))
    issuer = md(row.get("issuer"), empty=md(report_id))
    title = md(row.get("title"), empty="（页面上没有标题）" if lang == "zh" else "(no title on the page)")
    return f"## {issuer} {year}\n\n**{title}** · {md_code(report_id)} · {md(row.get('source_file'))}"


def _row(corpus, report_id: str) -> dict:
    return corpus.reports.set_index("report_id").loc[report_id].to_dict()


INDICATOR_COLUMNS = ("indicator", "label", "value", "unit", "raw", "sentence")  # key_numbers from `indicators`

# metadata fields whose value is a code, shown by its label (`vocab`)
_CODED_FIELDS = {"level": "level", "region": "region", "status": "status"}


def metadata_table(corpus, report_id: str, lang: str = "zh") -> pd.DataFrame:
    """field, value: what the page says about the report (missing fields left out), then a citation line.
    Level, region and parse status are given by their labels in `lang`, the parser's warnings in `lang`
    (`messages.translate`)."""
    check_lang(lang)
    row = _row(corpus, report_id)
    out = []
    for key, field in METADATA_FIELDS:
        value = row.get(key)
        if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
            continue
        if key in _CODED_FIELDS:
            shown = label(_CODED_FIELDS[key], value, lang)
        elif key == "warnings":  # stored in English: shown in `lang` (rules/messages.yaml)
            shown = translate(str(value), lang)
        else:
            shown = str(value)
        out.append({"field": field, "value": shown})
    # plain text: pandas escapes it when shown as HTML
    out.append({"field": "cite as", "value": citation(row, lang)})
    return pd.DataFrame(out, columns=["field", "value"])


def structure_table(corpus, report_id: str) -> pd.DataFrame:
    """The report's top-level parts: order, kind, heading, characters, share, sub-headings."""
    parts = corpus.parts[corpus.parts["report_id"] == report_id].sort_values("part_order")
    secs = corpus.sections[corpus.sections["report_id"] == report_id]
    sub = secs[secs["depth"] > 1].groupby("part_order").size() if not secs.empty else pd.Series(dtype="int64")
    n = parts["text"].fillna("").str.len()
    out = pd.DataFrame(
        {
            "part_order": parts["part_order"].astype(int),
            "kind": parts["kind"],
            "heading": parts["heading"].fillna(""),
            "characters": n.astype(int),
            "share": (n / max(int(n.sum()), 1)).round(3),
            "sub_headings": [int(sub.get(p, 0)) for p in parts["part_order"]],
        }
    )
    return out.reset_index(drop=True)


def part_lengths_vs_corpus(corpus, report_id: str) -> pd.DataFrame:
    """Characters per part kind: this report and the corpus median among reports having that part."""
    parts = corpus.parts
    per = parts.assign(n=parts["text"].fillna("").str.len()).groupby(["kind", "report_id"])["n"].sum()
    rows = []
    for kind in SECTION_KINDS:
        if kind not in per.index.get_level_values(0):
            continue
        v = per.loc[kind]
        rows.append({"part": kind, "this report": int(v.get(report_id, 0)), "corpus median": float(v.median())})
    return pd.DataFrame(rows, columns=["part", "this report", "corpus median"]).set_index("part")


def plot_part_lengths(table: pd.DataFrame, *, title: str | None = None, lang: str = "zh"):
    """Grouped bars of `part_lengths_vs_corpus`: parts, series, axis and title in `lang`."""
    import matplotlib.pyplot as plt

    from .plotting import setup_chinese_font

    check_lang(lang)
    setup_chinese_font()
    zh = lang == "zh"
    shown = table.rename(index=lambda k: label("part", k, lang), columns=lambda c: label("column", c, lang))
    fig, ax = plt.subplots(figsize=(7, 2.8))
    shown.plot.bar(ax=ax, color=["#4c72b0", "#c9c9c9"], width=0.75, rot=20)
    ax.tick_params(axis="x", labelsize=9)
    ax.set_xlabel("")
    ax.set_ylabel("字数" if zh else "characters")
    ax.set_title(title if title is not None else ("各部分字数" if zh else "characters per part"))
    ax.legend(frameon=False)
    fig.tight_layout()
    return ax


def _fmt(col: str, v) -> str:
    if v is None or pd.isna(v):
        return "–"
    if col in ("days_before_deadline",):
        return f"{v:.0f}"
    if col in ("quant_density",):
        return f"{v:.1f}"
    return f"{v:.2f}"


def _rank(rank: int, n: int, lang: str) -> str:
    """'第 2 / 共 5' (zh) or '2 of 5' (en)."""
    return f"第 {rank} / 共 {n}" if lang == "zh" else f"{rank} of {n}"


def scorecard_table(corpus, report_id: str, lang: str = "zh") -> pd.DataFrame:
    """measure, this report, corpus median, rank (1 = highest among the reports that have a value);
    the rank and the timeliness row are written in `lang`."""
    check_lang(lang)
    zh = lang == "zh"
    card = scorecard(corpus)
    me = card[card["report_id"] == report_id]
    rows = []
    for col, measure in MEASURES.items():
        values = pd.to_numeric(card[col], errors="coerce").astype("float64")
        mine = float(values[me.index[0]]) if not me.empty and pd.notna(values[me.index[0]]) else None
        rank = int((values > mine).sum()) + 1 if mine is not None else None
        rows.append(
            {
                "measure": measure,
                "this report": _fmt(col, mine),
                "corpus median": _fmt(col, values.median()),
                "rank": _rank(rank, int(values.notna().sum()), lang) if rank else "–",
            }
        )
    if not me.empty:
        r = me.iloc[0]
        share = int((card["timeliness"] == "on_time").sum())
        rows.insert(
            2,
            {
                "measure": "timeliness",
                "this report": label("timeliness", r["timeliness"], lang),
                "corpus median": f"{len(card)} 份中 {share} 份按时" if zh else f"{share} of {len(card)} on time",
                "rank": f"截止日 {r['deadline']}" if zh else f"deadline {r['deadline']}",
            },
        )
    return pd.DataFrame(rows, columns=["measure", "this report", "corpus median", "rank"])


def key_numbers(corpus, report_id: str, *, top_n: int = 15, lang: str | None = None) -> tuple[pd.DataFrame, str]:
    """The report's numbers with a unit, with their sentence, and where they come from.

    From the `indicators` table when the corpus has one (coded indicators first), else the
    scorecard's number-with-unit expression. Returns (table, source). With lang="zh" the `label` column
    is left out: a Chinese page names the indicator by that label already (`vocab`).
    """
    ind = corpus.tables.get("indicators")
    if ind is not None and not ind.empty and "report_id" in ind.columns:
        mine = ind[ind["report_id"] == report_id].copy()
        shown = ("indicator", "value", "unit", "raw", "sentence") if lang == "zh" else INDICATOR_COLUMNS
        cols = [c for c in shown if c in mine.columns]
        if "indicator" in mine.columns:
            mine = mine.assign(_coded=mine["indicator"].fillna("").eq("")).sort_values(
                ["_coded", "start" if "start" in mine.columns else cols[0]], kind="stable"
            )
        return mine[cols].head(top_n).reset_index(drop=True), "indicators"
    text = corpus.texts.set_index("report_id").at[report_id, "text"]
    sents = sentences(text)
    rows = []
    for a, b in quantities(text):
        sent = next((text[s:e] for s, e in sents if s <= a < e), "")
        rows.append({"raw": text[a:b], "sentence": sent.strip()})
    return pd.DataFrame(rows, columns=["raw", "sentence"]).head(top_n), "regex"


def problem_items_table(corpus, report_id: str, lang: str = "zh") -> pd.DataFrame:
    """The problems part's points, with their categories (`problem_item_categories`, labelled in `lang`)
    when the build wrote them."""
    check_lang(lang)
    items = corpus.problem_items
    mine = items[items["report_id"] == report_id].sort_values("item_order")
    out = mine[["item_order", "heading"]].copy()
    cats = corpus.tables.get("problem_item_categories")
    if cats is not None and not cats.empty:
        if "category" in cats.columns:
            names = cats.assign(_name=[label("category", c, lang) for c in cats["category"]])
        else:
            names = cats.assign(_name=cats["category_label"])
        joined = (
            names[names["report_id"] == report_id]
            .groupby("item_order")["_name"]
            .agg(lambda s: "、".join(dict.fromkeys(s)))
        )
        out["categories"] = [joined.get(i, "") for i in out["item_order"]]
    out["characters"] = mine["text"].fillna("").str.len().to_numpy()
    return out.reset_index(drop=True)
