"""The computed sentences of the rendered pages, in Chinese (default) or English.

A notebook displays these instead of building sentences inline, so each sentence is tested here in both
languages and every string from a report is escaped (`markup.md`).

>>> print(structure_sentence(["achievements", "problems", "plan"], {"achievements": 4000, "problems": 1000}))
报告包含 5 个法定部分中的 3 个，缺少：主要负责人履行第一责任人职责、其他。“存在的不足和原因”部分 1,000 字，是“主要举措和成效”部分（4,000 字）的 25%。
>>> print(structure_sentence(["achievements"], {"achievements": 10}, lang="en"))
It has 1 of the 5 mandated parts; missing: problems, duty of the principal leader, plans for next year, other. It has no problems part.
"""

from __future__ import annotations

import pandas as pd

from .errors import invalid
from .markup import md
from .sections import PART_KINDS
from .vocab import LANGS, label


def _check(lang: str) -> None:
    if lang not in LANGS:
        raise invalid("lang", lang, LANGS)


def _missing(v) -> bool:
    return v is None or (not isinstance(v, str) and pd.isna(v))


def structure_sentence(present: list[str], chars: dict[str, int], lang: str = "zh") -> str:
    """How many of the five mandated parts a report has, which are missing, and the problems part's
    length against the achievements part's."""
    _check(lang)
    missing = [k for k in PART_KINDS if k not in present]
    n = sum(k in present for k in PART_KINDS)
    ach, prob = int(chars.get("achievements") or 0), int(chars.get("problems") or 0)
    if lang == "zh":
        out = f"报告包含 5 个法定部分中的 {n} 个" + (
            f"，缺少：{'、'.join(label('part', k) for k in missing)}。" if missing else "。"
        )
        if ach and prob:
            out += (
                f"“{label('part', 'problems')}”部分 {prob:,} 字，是“{label('part', 'achievements')}”部分"
                f"（{ach:,} 字）的 {prob / ach:.0%}。"
            )
        elif not prob:
            out += "报告没有“存在的不足和原因”部分。"
        return out
    out = f"It has {n} of the 5 mandated parts" + (
        f"; missing: {', '.join(label('part', k, 'en') for k in missing)}." if missing else "."
    )
    if ach and prob:
        out += f" Its problems part has {prob:,} characters, {prob / ach:.0%} of the achievements part's {ach:,}."
    elif not prob:
        out += " It has no problems part."
    return out


def scorecard_sentence(mine: dict, peer_label: str | None = None, previous_label: str | None = None, lang="zh") -> str:
    """Timeliness, quantification, candour, templating and stickiness of one report (a scorecard row)."""
    _check(lang)
    t = mine.get("timeliness")
    days = mine.get("days_before_deadline")
    deadline = mine.get("deadline")
    zh = lang == "zh"
    if t == "on_time" and not _missing(days):
        when = (
            f"按时发布，早于截止日 {deadline} {int(days)} 天"
            if zh
            else f"on time, {int(days)} days before the {deadline} deadline"
        )
    elif t == "late" and not _missing(days):
        when = (
            f"逾期发布，晚于截止日 {deadline} {-int(days)} 天"
            if zh
            else f"late, {-int(days)} days after the {deadline} deadline"
        )
    else:
        note = md(mine.get("notes"), empty="页面没有发布日期" if zh else "no publication date")
        when = f"发布时间不明（{note}）" if zh else f"of unknown timeliness ({note})"
    nq, dens = int(mine.get("n_quantities") or 0), float(mine.get("quant_density") or 0)
    nh, ns = int(mine.get("n_hard_sentences") or 0), int(mine.get("n_sentences") or 0)
    ni, nf = int(mine.get("n_problem_items") or 0), int(mine.get("n_items_with_facts") or 0)
    sim, stick = mine.get("template_similarity"), mine.get("stickiness")
    if zh:
        out = f"{when}。全文有 {nq} 个带单位的数字（每千字 {dens:.1f} 个）；{ns} 句中有 {nh} 句含有数字。"
        out += f"{ni} 条问题中有 {nf} 条陈述了具体事实。" if ni else "报告没有列出问题条目。"
        if not _missing(sim):
            out += f"其“存在的不足和原因”部分与其他发布机关最相似的是 {md(peer_label)}（余弦相似度 {sim:.2f}）。"
        if not _missing(stick):
            out += f"与本机关上一份报告（{md(previous_label)}）的相似度为 {stick:.2f}。"
        return out
    out = f"Published {when}. {nq} numbers with a unit ({dens:.1f} per 1,000 characters); {nh} of {ns} sentences carry one. "
    out += f"{nf} of {ni} problem items state a concrete fact. " if ni else "No problem items. "
    if not _missing(sim):
        out += f"Its problems part is most alike another issuer's in {md(peer_label)}'s (cosine {sim:.2f}). "
    if not _missing(stick):
        out += f"Against its own previous report ({md(previous_label)}) the similarity is {stick:.2f}."
    return out.strip()


def problems_sentence(items: pd.DataFrame, lang: str = "zh") -> str:
    """How many problem points a report lists and which categories they name."""
    _check(lang)
    zh = lang == "zh"
    if items.empty:
        return (
            "报告没有列出问题条目（没有问题部分，或该部分没有分条）。"
            if zh
            else ("The report has no problem items (no problems part, or a part without points).")
        )
    if "categories" not in items.columns:
        return f"共 {len(items)} 条。" if zh else f"{len(items)} points."
    cats = list(dict.fromkeys(c for cs in items["categories"] for c in str(cs).split("、") if c))
    named = md("、".join(cats), empty="无" if zh else "none matched")
    return f"共 {len(items)} 条；涉及的类别：{named}。" if zh else f"{len(items)} points; categories named: {named}."


def numbers_sentence(n: int, source: str, lang: str = "zh") -> str:
    """Where the numbers of a profile come from."""
    _check(lang)
    if lang == "zh":
        where = "`indicators` 表" if source == "indicators" else "上面的评分计数"
        return f"报告中前 {n} 个带单位的数字（来源：{where}）。" if n else "报告中没有带单位的数字。"
    where = "`indicators` table" if source == "indicators" else "scorecard count above"
    return f"The first {n} numbers with a unit (source: {where})." if n else "The report gives no number with a unit."


# ------------------------------------------------------------------ corpus statistics (01_corpus_statistics)
def selection_sentence(reports: pd.DataFrame, lang: str = "zh") -> str:
    """How many reports the filters keep, from how many issuers and years, how many parsed cleanly."""
    _check(lang)
    n = len(reports)
    issuers = int(reports["issuer"].nunique()) if n else 0
    years = sorted(reports["report_year"].dropna().astype(int).unique().tolist()) if n else []
    ok = int((reports["status"] == "ok").sum()) if n else 0
    if lang == "zh":
        return f"选中 {n} 份报告，来自 {issuers} 个发布机关；报告年度 {years}；{ok} 份解析无提示。"
    return f"{n} reports selected, from {issuers} issuers; report years {years}; {ok} parsed without warnings."


def counts_sentence(corpus, lang: str = "zh") -> str:
    """Reports per report year and level (`stats.report_counts`) and how many are placed in a region."""
    from .stats import report_counts

    _check(lang)
    zh = lang == "zh"
    reports = corpus.reports
    n = len(reports)
    if not n:
        return "没有报告符合所选条件：无可统计。" if zh else "No report matches the filters: nothing to count."
    sep = "、" if zh else ", "
    by_year, by_level = report_counts(corpus, "report_year"), report_counts(corpus, "level")
    years = sep.join(f"{md(y)} ({c})" for y, c in by_year.itertuples(index=False))
    levels = sep.join(f"{md(label('level', lv, lang))} ({c})" for lv, c in by_level.itertuples(index=False))
    placed = int((reports["region"].fillna("(unknown)") != "(unknown)").sum()) if "region" in reports else 0
    if zh:
        return f"报告年度：{years}。层级：{levels}。{n} 份报告中有 {placed} 份定位到地区。"
    return f"Report years: {years}. Levels: {levels}. {placed} of {n} reports are placed in a region."


def length_sentence(lengths: pd.DataFrame, shares: pd.DataFrame, reports: pd.DataFrame, lang: str = "zh") -> str:
    """Median length of a report, the problems and achievements parts' shares, reports without a duty part
    (`stats.length_summary`, `stats.part_composition(share=True)`)."""
    _check(lang)
    whole = lengths.set_index("part").loc["whole report"]
    prob, ach = shares["problems"], shares["achievements"]
    no_duty = int(reports["missing_parts"].fillna("").str.contains("duty").sum())
    n = len(reports)
    if lang == "zh":
        return (
            f"报告字数中位数为 {whole['median']:,}（{whole['min']:,}–{whole['max']:,}）。"
            f"“{label('part', 'problems')}”部分占全文的中位数为 {prob.median():.0%}（范围 {prob.min():.0%}–{prob.max():.0%}），"
            f"“{label('part', 'achievements')}”部分为 {ach.median():.0%}。"
            f"{n} 份报告中有 {no_duty} 份没有单独的“{label('part', 'duty')}”部分。"
        )
    return (
        f"A report has {whole['median']:,} characters at the median ({whole['min']:,}–{whole['max']:,}). "
        f"The problems part takes {prob.median():.0%} of a report at the median "
        f"(range {prob.min():.0%}–{prob.max():.0%}); the achievements part {ach.median():.0%}. "
        f"{no_duty} of {n} reports have no separate duty part."
    )


def vocabulary_sentence(n_tokens: int, n_terms: int, top: pd.DataFrame, n_reports: int, lang: str = "zh") -> str:
    """Tokens, distinct terms and the most frequent term (`stats.vocabulary`)."""
    _check(lang)
    if not n_tokens or top.empty:
        return "所选报告中没有词语。" if lang == "zh" else "The selected reports have no tokens."
    term, count, reach = md(top["term"].iloc[0]), int(top["count"].iloc[0]), int(top["reports"].iloc[0])
    everywhere = int((top["reports"] == n_reports).sum())
    if lang == "zh":
        return (
            f"共 {n_tokens:,} 个词次，{n_terms:,} 个不同的词语。最常见的是 **{term}**"
            f"（{count} 次，出现在 {n_reports} 份报告中的 {reach} 份）；前 {len(top)} 个词语中有 {everywhere} 个出现在每一份报告中。"
        )
    return (
        f"{n_tokens:,} tokens, {n_terms:,} distinct terms. The most frequent is **{term}** "
        f"({count} times, in {reach} of {n_reports} reports); "
        f"{everywhere} of the top {len(top)} terms occur in every report."
    )


def kwic_sentence(hits: pd.DataFrame, keyword: str, n_reports: int, lang: str = "zh") -> str:
    """How often a keyword occurs, in how many reports, and in which parts (`kwic.kwic`)."""
    _check(lang)
    kw = md(keyword)
    if hits.empty:
        if lang == "zh":
            return f"**{kw}** 没有出现在所选的 {n_reports} 份报告中。"
        return f"**{kw}** does not occur in the {n_reports} selected reports."
    by_part = hits["part"].value_counts()
    top_part, top_n, n_prob = by_part.index[0], int(by_part.iloc[0]), int(by_part.get("problems", 0))
    in_reports = int(hits["report_id"].nunique())
    if lang == "zh":
        prob = label("part", "problems")
        tail = f"；在“{prob}”部分出现 {n_prob} 次。" if n_prob else f"；从未出现在“{prob}”部分。"
        return (
            f"**{kw}** 出现 {len(hits)} 次，见于 {n_reports} 份报告中的 {in_reports} 份，"
            f"最常出现在“{md(label('part', top_part))}”部分（{top_n} 次）" + tail
        )
    tail = f"; {n_prob} times in a problems part." if n_prob else "; never in a problems part."
    return (
        f"**{kw}** occurs {len(hits)} times in {in_reports} of {n_reports} reports, "
        f"most often in the {md(label('part', top_part, 'en'))} part ({top_n} times)" + tail
    )


def scorecard_corpus_sentence(card: pd.DataFrame, lang: str = "zh") -> str:
    """Timeliness, completeness, quantification, templating and stickiness across a scorecard."""
    _check(lang)
    zh = lang == "zh"
    if card.empty:
        return "没有选中报告：没有评分。" if zh else "No reports selected: no scorecard."
    t = card["timeliness"].value_counts()
    n = len(card)
    on, late, unknown = int(t.get("on_time", 0)), int(t.get("late", 0)), int(t.get("unknown", 0))
    full, compl = int((card["parts_present"] == 5).sum()), card["completeness"].median()
    lo, hi, src = card["quant_density"].min(), card["quant_density"].max(), md(card["quant_source"].iloc[0])
    best = card.sort_values("template_similarity", ascending=False, na_position="last").iloc[0]
    peers = dict(zip(card["report_id"], card["issuer"]))
    sticky = int(card["stickiness"].notna().sum())
    has_peer = pd.notna(best["template_similarity"])
    if has_peer:
        who, peer = md(best["issuer"]), md(peers.get(best["template_peer"], best["template_peer"]))
        year, cos = md(best["report_year"]), best["template_similarity"]
    if zh:
        out = (
            f"{n} 份报告中有 {on} 份在次年 4 月 1 日前发布，{late} 份逾期，{unknown} 份不明（没有发布日期）。"
            f"{n} 份中有 {full} 份包含全部五个法定部分；完整性中位数为 {compl:.0%}。"
            f"量化程度为每千字 {lo:.1f} 至 {hi:.1f} 个数字（来源：{src}）。"
        )
        out += (
            f"模板化程度最高的“存在的不足和原因”部分属于 {who} {year}（与 {peer} 的余弦相似度 {cos:.2f}）。"
            if has_peer
            else "没有两个发布机关的问题部分可以比较。"
        )
        out += (
            f"{sticky} 份报告有同一机关的上一份报告，可以测量粘滞度。"
            if sticky
            else "所选报告中没有机关有两份报告，因此不测量粘滞度。"
        )
        return out
    out = (
        f"{on} of {n} reports were published before 1 April of the following year, "
        f"{late} late, {unknown} unknown (no publication date). "
        f"{full} of {n} have all five mandated parts; the median completeness is {compl:.0%}. "
        f"Quantification ranges from {lo:.1f} to {hi:.1f} numbers per 1,000 characters (source: {src}). "
    )
    out += (
        f"The most templated problems part is {who} {year}'s (cosine {cos:.2f} with {peer}). "
        if has_peer
        else "No two issuers' problems parts to compare. "
    )
    out += (
        f"{sticky} reports have a previous report of the same issuer to measure stickiness against."
        if sticky
        else "No issuer has two reports in the selection, so stickiness is not measured."
    )
    return out
