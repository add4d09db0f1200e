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
