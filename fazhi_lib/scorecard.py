"""Report-quality scorecard: one row per report, seven measures the literature on these reports uses.

>>> card = scorecard(load_corpus("data/processed"))                        # doctest: +SKIP
>>> card.set_index("issuer").loc["塘栖镇", ["completeness", "timeliness", "days_before_deadline"]]  # doctest: +SKIP
completeness              1.0
timeliness            on_time
days_before_deadline       11

Each measure is defined in one sentence, with its source, in README.md ("Report-quality scorecard"):

- completeness: the share of the five mandated parts (achievements, problems, duty, plan, other) that
  the report has as top-level parts (`parts_present` / 5); `missing_parts`, and `empty_parts` for a
  part that is a heading with nothing under it;
- timeliness: the publication date against 1 April of the year after the report year
  (`on_time`, `late`; `unknown` when the page gives no publication date or the report no year);
- quantification density: numbers with a unit per 1,000 characters of the clean text;
- candour: the problems part's length relative to the achievements part's, and the share of problem
  items that state a concrete fact (a number with a unit, or a worked example: 比如, 例如);
- templating: the highest cosine similarity of the problems part to any *other* issuer's problems part;
- stickiness: the cosine similarity of the problems part to the same issuer's previous report's;
- hard information: the share of sentences holding at least one number with a unit.

Numbers with a unit come from the `indicators` table when the corpus has one with offsets (one row per
mention, `quant_source` = "indicators"); otherwise from the small regular expression `QUANTITY` below
(`quant_source` = "regex"). Similarities are cosines of TF-IDF vectors of character 2–3-grams
(scikit-learn), fitted on the problems parts of the whole corpus, with the part's heading line, the
issuer's own name and the digits masked out. Written by `fazhi build` as table `scorecard`
(`scorecard_stage`, a CORPUS_STAGE).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

import numpy as np
import pandas as pd

from .sections import PART_KINDS

MANDATED_PARTS = PART_KINDS
# 《法治政府建设与责任落实督察工作规定》(2019) art. 24: reports are made public before 1 April of the next year.
DEADLINE_MONTH, DEADLINE_DAY = 4, 1
TIMELINESS = ("on_time", "late", "unknown")
NGRAM_RANGE = (2, 3)

SCORECARD_COLUMNS = [
    "report_id", "issuer", "report_year", "level",
    # completeness
    "parts_present", "completeness", "missing_parts", "empty_parts",
    # timeliness
    "publish_date", "deadline", "days_before_deadline", "timeliness",
    # quantification density, hard information
    "n_chars", "n_quantities", "quant_density", "n_sentences", "n_hard_sentences", "hard_info_share",
    "quant_source",
    # candour
    "achievements_chars", "problems_chars", "candour_ratio", "n_problem_items", "n_items_with_facts",
    "candour_fact_share",
    # templating, stickiness
    "template_similarity", "template_peer", "previous_report_id", "previous_year", "stickiness",
    "notes",
]
# The measures, in the order the notebooks show them (column → short label).
MEASURES = {
    "completeness": "completeness",
    "days_before_deadline": "days before 1 April",
    "quant_density": "numbers / 1,000 chars",
    "hard_info_share": "hard information",
    "candour_ratio": "problems / achievements",
    "candour_fact_share": "items with facts",
    "template_similarity": "templating",
    "stickiness": "stickiness",
}

# ------------------------------------------------------------------ numbers with a unit (fallback)
_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
# Units after a number. Counts, people, money, rates, areas. Not 年/月/日/号 (dates, years, document
# numbers) and not durations (满5年, 15分钟): they are not measurements of the work done.
_UNITS = (
    "个百分点|人次|件次|场次|户次|家次|批次|余人|万元|亿元|千元|平方公里|平方米|平米|课时|学时|"
    "件|起|宗|例|次|场|期|轮|堂|节|人|名|位|户|家|个|项|条|份|本|篇|册|张|套|支|所|座|处|批|类|"
    "元|亩|公顷|倍|%|‰"
)
# 1090件  1,090件  33.75万元  3万余人次  41.63%  92%以上  十余件  两万余人次  三起  两名律师  百分之百
QUANTITY = re.compile(
    rf"(?<![\d.,第])\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?(?:余|多)?(?:万|亿)?(?:余|多)?(?:{_UNITS})"
    rf"|(?<![\d.,第])\d+(?:\.\d+)?(?:余|多)?(?:万|亿)?(?:余|多)?(?:{_UNITS})"
    # Chinese numerals (十名, 两名律师, 百余人次): not a lone 一 (一个/一次/一件事 are idioms), never with 个
    # (两个维护), not after 周/届 (周五轮流, 二十届八次全会), not in fixed terms (三项制度, 三位一体)
    rf"|(?<![{_CN_DIGITS}第周届])(?:[零〇一二两三四五六七八九十][{_CN_DIGITS}]+|[零〇二两三四五六七八九十]|[百千万](?=余|多))"
    rf"(?:余|多)?(?:{_UNITS.replace('|个|', '|')})(?!事|制度|一体|全会|流|合一)"
    r"|百分之[百\d十一二三四五六七八九点.]+"
)
# A worked example in a problem item: 比如,部分村社干部… / 例如 / 以某某案为例
EXAMPLE = re.compile(r"比如|例如|譬如|以[^,，。;；]{1,20}为例")
# A sentence ends at 。！？； (or their ASCII forms) or at a line break.
_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?")
# What the similarity measures see: CJK characters, letters and '#' for a run of digits.
_NON_WORD = re.compile(r"[^\w#]|_", re.UNICODE)
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")


def quantities(text: str) -> list[tuple[int, int]]:
    """(start, end) of each number with a unit in `text` (the regex fallback).

    >>> [m for m in quantities("全镇机关干部77人,不足5%,聘用两名律师,出现3起案件。2024年")]
    [(6, 9), (12, 14), (18, 20), (24, 26)]
    """
    return [(m.start(), m.end()) for m in QUANTITY.finditer(text or "")]


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence holding at least one word character.

    >>> sentences("一、成效\\n全年召开会议31次。调解纠纷;无")
    [(0, 4), (5, 15), (15, 20), (20, 21)]
    """
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text or "") if re.search(r"\w", m.group())]


def timeliness(report_year, publish_date) -> tuple[str | None, int | None, str, str]:
    """(deadline, days before it, status, note) for a report on `report_year` published on `publish_date`.

    >>> timeliness(2024, "2025-03-21")
    ('2025-04-01', 11, 'on_time', '')
    >>> timeliness(2025, None)
    ('2026-04-01', None, 'unknown', 'no publication date on the page')
    """
    if report_year is None or pd.isna(report_year):
        return None, None, "unknown", "no report year"
    deadline = dt.date(int(report_year) + 1, DEADLINE_MONTH, DEADLINE_DAY)
    if publish_date is None or pd.isna(publish_date) or not str(publish_date).strip():
        return deadline.isoformat(), None, "unknown", "no publication date on the page"
    try:
        published = dt.date.fromisoformat(str(publish_date)[:10])
    except ValueError:
        return deadline.isoformat(), None, "unknown", f"publication date {publish_date!r} is not an ISO date"
    if published.year < int(report_year):
        return deadline.isoformat(), None, "unknown", (
            f"published {published} before the report year {int(report_year)} began: check the page's date")
    days = (deadline - published).days
    return deadline.isoformat(), days, ("on_time" if days > 0 else "late"), ""


# ------------------------------------------------------------------ helpers
def _place_key(row) -> tuple:
    return tuple(None if pd.isna(row.get(c)) else row.get(c) for c in ("province", "prefecture", "county"))


def _same_issuer(a: dict, b: dict) -> bool:
    """Same short name and no place field that tells them apart (both known and different)."""
    if a["issuer"] is None or b["issuer"] is None or a["issuer"] != b["issuer"]:
        return False
    return all(x is None or y is None or x == y for x, y in zip(a["place"], b["place"]))


def _issuer_names(report: dict) -> list[str]:
    names = {str(report.get(k)) for k in ("issuer", "issuer_full") if isinstance(report.get(k), str) and report.get(k)}
    return sorted(names, key=len, reverse=True)


def _similarity_text(part_text: str, heading: str | None, names: list[str]) -> str:
    """The part without its heading line, issuer names masked, digits as '#', punctuation dropped."""
    text = part_text or ""
    first, sep, rest = text.partition("\n")
    at = first.find(heading) if heading else -1
    if at >= 0:
        text = first[at + len(heading):] + sep + rest
    for name in names:
        text = text.replace(name, "")
    return _NON_WORD.sub("", _DIGITS.sub("#", text))


def _mention_spans(tables: dict[str, pd.DataFrame], texts: dict[str, str]) -> tuple[dict[str, list], str]:
    """report_id → sorted (start, end) of numbers with a unit, and the source used."""
    ind = tables.get("indicators")
    if ind is not None and {"report_id", "start", "end"} <= set(ind.columns):
        spans: dict[str, list] = defaultdict(list)
        for rid, start, end in ind[["report_id", "start", "end"]].itertuples(index=False):
            if pd.notna(start) and pd.notna(end):
                spans[rid].append((int(start), int(end)))
        return {rid: sorted(spans.get(rid, [])) for rid in texts}, "indicators"
    return {rid: quantities(text) for rid, text in texts.items()}, "regex"


def _count_containing(spans: list[tuple[int, int]], starts: list[int]) -> int:
    """How many spans hold at least one of the (sorted) positions `starts`."""
    import bisect

    n = 0
    for a, b in spans:
        i = bisect.bisect_left(starts, a)
        if i < len(starts) and starts[i] < b:
            n += 1
    return n


# ------------------------------------------------------------------ similarity measures
def similarity_measures(reports: pd.DataFrame, parts: pd.DataFrame, *, chunk: int = 512) -> pd.DataFrame:
    """Templating (max cosine to another issuer's problems part) and stickiness (cosine to the same
    issuer's previous report's problems part), one row per report.

    Columns: report_id, template_similarity, template_peer, previous_report_id, previous_year, stickiness.
    Reports without a problems part get missing values; so do all reports when fewer than two issuers
    have one. Computed in chunks of `chunk` rows, so memory stays small on large corpora.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    cols = ["report_id", "template_similarity", "template_peer", "previous_report_id", "previous_year", "stickiness"]
    recs = []
    for r in reports.to_dict("records"):
        recs.append({
            "report_id": r["report_id"], "issuer": r.get("issuer") if isinstance(r.get("issuer"), str) else None,
            "place": _place_key(r), "year": None if pd.isna(r.get("report_year")) else int(r["report_year"]),
            "names": _issuer_names(r),
        })
    out = pd.DataFrame({"report_id": [r["report_id"] for r in recs]})
    for c in cols[1:]:
        out[c] = pd.Series([pd.NA] * len(out), dtype="object")
    if not recs:
        return out[cols]

    probs = parts[parts["kind"] == "problems"].sort_values(["report_id", "part_order"]) if not parts.empty else parts
    by_report: dict[str, str] = {}
    for rid, group in probs.groupby("report_id", sort=True) if not probs.empty else []:
        by_report[rid] = "".join(str(t or "") for t in group["text"])  # heading lines stripped below
    heading = {rid: str(h or "") for rid, h in probs.drop_duplicates("report_id")[["report_id", "heading"]].itertuples(index=False)} \
        if not probs.empty else {}
    index = {r["report_id"]: i for i, r in enumerate(recs)}

    # previous report of the same issuer (most recent earlier year; ties → smallest report_id)
    by_name: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(recs):
        if r["issuer"]:
            by_name[r["issuer"]].append(i)
    previous: dict[int, int] = {}
    for i, r in enumerate(recs):
        if not r["issuer"] or r["year"] is None:
            continue
        earlier = [j for j in by_name[r["issuer"]] if j != i and recs[j]["year"] is not None
                   and recs[j]["year"] < r["year"] and _same_issuer(r, recs[j])]
        if earlier:
            previous[i] = min(earlier, key=lambda j: (-recs[j]["year"], recs[j]["report_id"]))

    docs_ids = [rid for rid in sorted(by_report) if rid in index]
    docs = [_similarity_text(by_report[rid], heading.get(rid), recs[index[rid]]["names"]) for rid in docs_ids]
    keep = [k for k, d in enumerate(docs) if d]
    docs_ids, docs = [docs_ids[k] for k in keep], [docs[k] for k in keep]
    prev_col = out["previous_report_id"].copy()
    prev_year = out["previous_year"].copy()
    for i, j in previous.items():
        prev_col.iloc[i] = recs[j]["report_id"]
        prev_year.iloc[i] = recs[j]["year"]
    out["previous_report_id"], out["previous_year"] = prev_col, prev_year
    if len(docs) < 2:
        return out[cols]

    vec = TfidfVectorizer(analyzer="char", ngram_range=NGRAM_RANGE, lowercase=False, sublinear_tf=True, norm="l2")
    X = vec.fit_transform(docs)
    row_of = {rid: k for k, rid in enumerate(docs_ids)}
    tmpl = out["template_similarity"].copy()
    peer = out["template_peer"].copy()
    for lo in range(0, len(docs_ids), chunk):
        hi = min(lo + chunk, len(docs_ids))
        sims = (X[lo:hi] @ X.T).toarray()
        for a in range(hi - lo):
            k = lo + a
            me = recs[index[docs_ids[k]]]
            row = sims[a]
            row[k] = -1.0
            if me["issuer"]:
                for j in by_name[me["issuer"]]:
                    other = recs[j]["report_id"]
                    if other in row_of and _same_issuer(me, recs[j]):
                        row[row_of[other]] = -1.0
            best = int(np.argmax(row))
            if row[best] >= 0:
                tmpl.iloc[index[docs_ids[k]]] = round(float(row[best]), 4)
                peer.iloc[index[docs_ids[k]]] = docs_ids[best]
    out["template_similarity"], out["template_peer"] = tmpl, peer
    stick = out["stickiness"].copy()
    for i, j in previous.items():
        a, b = recs[i]["report_id"], recs[j]["report_id"]
        if a in row_of and b in row_of:
            stick.iloc[i] = round(float((X[row_of[a]] @ X[row_of[b]].T).toarray()[0, 0]), 4)
    out["stickiness"] = stick
    return out[cols]


# ------------------------------------------------------------------ the table
def scorecard_from_tables(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The scorecard of every report in `tables` (the corpus tables), sorted by report_id."""
    reports = tables.get("reports", pd.DataFrame())
    if reports is None or reports.empty:
        return pd.DataFrame(columns=SCORECARD_COLUMNS)
    reports = reports.sort_values("report_id", kind="stable").reset_index(drop=True)
    parts = tables.get("parts", pd.DataFrame(columns=["report_id", "kind", "part_order", "heading", "text"]))
    items = tables.get("problem_items", pd.DataFrame(columns=["report_id", "start", "end"]))
    texts_df = tables.get("texts", pd.DataFrame(columns=["report_id", "text"]))
    texts = {rid: str(t or "") for rid, t in zip(texts_df["report_id"], texts_df["text"])}
    texts = {rid: texts.get(rid, "") for rid in reports["report_id"]}
    spans, source = _mention_spans(tables, texts)

    part_groups = {rid: g for rid, g in parts.groupby("report_id", sort=False)} if not parts.empty else {}
    item_groups = {rid: g for rid, g in items.groupby("report_id", sort=False)} if not items.empty else {}
    sims = similarity_measures(reports, parts).set_index("report_id")

    rows = []
    for r in reports.to_dict("records"):
        rid = r["report_id"]
        text = texts[rid]
        notes = []
        g = part_groups.get(rid)
        kinds = set(g["kind"]) if g is not None else set()
        present = [k for k in MANDATED_PARTS if k in kinds]
        empty = []
        if g is not None:
            for k in present:
                body = "".join(_similarity_text(t, h, []) for t, h in zip(g.loc[g["kind"] == k, "text"],
                                                                         g.loc[g["kind"] == k, "heading"]))
                if not body:
                    empty.append(k)
        lengths = {k: int(g.loc[g["kind"] == k, "text"].fillna("").str.len().sum()) if g is not None else 0
                   for k in ("achievements", "problems")}
        deadline, days, status, note = timeliness(r.get("report_year"), r.get("publish_date"))
        if note:
            notes.append(note)

        mention_starts = sorted(a for a, _ in spans.get(rid, []))
        sents = sentences(text)
        n_hard = _count_containing(sents, mention_starts)
        it = item_groups.get(rid)
        n_items = 0 if it is None else len(it)
        n_facts = 0
        if it is not None:
            for start, end in zip(it["start"], it["end"]):
                start, end = int(start), int(end)
                has_number = _count_containing([(start, end)], mention_starts) > 0
                if has_number or EXAMPLE.search(text[start:end]):
                    n_facts += 1
        if "achievements" in kinds and lengths["achievements"]:
            ratio = round(lengths["problems"] / lengths["achievements"], 4)
        else:
            ratio = pd.NA
            notes.append("no achievements part: no candour ratio")
        s = sims.loc[rid] if rid in sims.index else None
        n_chars = len(text)
        rows.append({
            "report_id": rid, "issuer": r.get("issuer"), "report_year": r.get("report_year"), "level": r.get("level"),
            "parts_present": len(present), "completeness": round(len(present) / len(MANDATED_PARTS), 4),
            "missing_parts": ",".join(k for k in MANDATED_PARTS if k not in kinds), "empty_parts": ",".join(empty),
            "publish_date": r.get("publish_date") if isinstance(r.get("publish_date"), str) else None,
            "deadline": deadline, "days_before_deadline": days, "timeliness": status,
            "n_chars": n_chars, "n_quantities": len(mention_starts),
            "quant_density": round(1000 * len(mention_starts) / n_chars, 4) if n_chars else pd.NA,
            "n_sentences": len(sents), "n_hard_sentences": n_hard,
            "hard_info_share": round(n_hard / len(sents), 4) if sents else pd.NA,
            "quant_source": source,
            "achievements_chars": lengths["achievements"], "problems_chars": lengths["problems"], "candour_ratio": ratio,
            "n_problem_items": n_items, "n_items_with_facts": n_facts,
            "candour_fact_share": round(n_facts / n_items, 4) if n_items else pd.NA,
            "template_similarity": None if s is None else s["template_similarity"],
            "template_peer": None if s is None else s["template_peer"],
            "previous_report_id": None if s is None else s["previous_report_id"],
            "previous_year": None if s is None else s["previous_year"],
            "stickiness": None if s is None else s["stickiness"],
            "notes": "; ".join(notes),
        })
    card = pd.DataFrame(rows, columns=SCORECARD_COLUMNS)
    for c in ("report_year", "days_before_deadline", "previous_year"):
        card[c] = pd.to_numeric(card[c], errors="coerce").astype("Int64")
    for c in ("completeness", "quant_density", "hard_info_share", "candour_ratio", "candour_fact_share",
              "template_similarity", "stickiness"):
        card[c] = pd.to_numeric(card[c], errors="coerce").astype("Float64")
    for c in ("template_peer", "previous_report_id", "publish_date", "deadline"):
        card[c] = card[c].astype("string")
    return card


def scorecard_stage(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """CORPUS_STAGE of `fazhi build`: writes table `scorecard`."""
    return {"scorecard": scorecard_from_tables(tables)}


def scorecard(corpus) -> pd.DataFrame:
    """The scorecard of the corpus's reports: the stored `scorecard` table when the build wrote one
    (templating measured against the whole built corpus), else computed now; sorted by year and issuer."""
    stored = corpus.tables.get("scorecard")
    ids = set(corpus.reports["report_id"]) if not corpus.reports.empty else set()
    if stored is not None and set(SCORECARD_COLUMNS) <= set(stored.columns) and ids <= set(stored["report_id"]):
        card = stored[stored["report_id"].isin(ids)]
    else:
        card = scorecard_from_tables(corpus.tables)
    return card.sort_values(["report_year", "issuer", "report_id"], na_position="last", kind="stable").reset_index(drop=True)


def scorecard_summary(card: pd.DataFrame) -> pd.DataFrame:
    """The measures side by side, one row per report labelled '塘栖镇 2024' (for display)."""
    from .stats import report_label

    shown = card.set_index(report_label(card.assign(source_file=card["report_id"])))
    digits = {"completeness": 2, "days_before_deadline": 0, "quant_density": 1}
    table = shown[list(MEASURES)].round({c: digits.get(c, 2) for c in MEASURES}).rename(columns=MEASURES)
    table.insert(2, "timeliness", shown["timeliness"])
    table.index.name = "report"
    return table


def plot_scorecard(card: pd.DataFrame, *, ax=None, title: str = "报告质量评分 (report-quality scorecard)"):
    """Heatmap of the measures, each scaled 0–1 across the reports shown; cells carry the raw values."""
    import matplotlib.pyplot as plt

    from .plotting import setup_chinese_font

    setup_chinese_font()
    table = scorecard_summary(card).drop(columns="timeliness")
    values = table.astype("float64")
    lo, hi = values.min(), values.max()
    scaled = (values - lo) / (hi - lo).replace(0, 1)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.1 * values.shape[1] + 2, 0.45 * max(3, len(values)) + 1.5))
    ax.imshow(scaled.fillna(-0.1).to_numpy(), cmap="Blues", vmin=-0.1, vmax=1.4, aspect="auto")
    for (i, j), v in np.ndenumerate(values.to_numpy()):
        ax.text(j, i, "–" if np.isnan(v) else (f"{v:.0f}" if abs(v) >= 10 else f"{v:.2f}"),
                ha="center", va="center", fontsize=8)
    ax.set_xticks(range(values.shape[1]), values.columns, rotation=35, ha="right")
    ax.set_yticks(range(len(values)), values.index)
    ax.set_title(title)
    return ax
