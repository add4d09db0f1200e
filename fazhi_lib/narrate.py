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
from .labels import issuer_bodies, issuer_count, issuer_labels
from .markup import md, md_code
from .sections import PART_KINDS
from .vocab import check_lang, kind_of, label, labels

STATUSES = ("ok", "warning", "error", "duplicate", "skipped")  # parse_log.status


def _missing(v) -> bool:
    return v is None or (not isinstance(v, str) and pd.isna(v))


def structure_sentence(present: list[str], chars: dict[str, int], lang: str = "zh") -> str:
    """How many of the five mandated parts a report has, which are missing, and the problems part's
    length against the achievements part's."""
    check_lang(lang)
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
    check_lang(lang)
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
        when = (
            f"发布时间不明（{_unknown_timeliness(mine)}）"
            if zh
            else f"of unknown timeliness ({md(mine.get('notes'), empty='no publication date')})"
        )
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


def _unknown_timeliness(mine: dict) -> str:
    """Why a scorecard row's timeliness is unknown, in Chinese (`scorecard.timeliness` notes it in English)."""
    if _missing(mine.get("deadline")):
        return "报告没有年度"
    published = mine.get("publish_date")
    if _missing(published) or published == "":
        return "页面没有发布日期"
    return f"发布日期 {md(published)} 无法识别"


def problems_sentence(items: pd.DataFrame, lang: str = "zh") -> str:
    """How many problem points a report lists and which categories they name."""
    check_lang(lang)
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
    check_lang(lang)
    if lang == "zh":
        where = "`indicators` 表" if source == "indicators" else "上面的评分计数"
        return f"报告中前 {n} 个带单位的数字（来源：{where}）。" if n else "报告中没有带单位的数字。"
    where = "`indicators` table" if source == "indicators" else "scorecard count above"
    return f"The first {n} numbers with a unit (source: {where})." if n else "The report gives no number with a unit."


# ------------------------------------------------------------------ corpus statistics (01_corpus_statistics)
def selection_sentence(reports: pd.DataFrame, lang: str = "zh") -> str:
    """How many reports the filters keep, from how many issuers and years, how many parsed cleanly."""
    check_lang(lang)
    n = len(reports)
    issuers = issuer_count(reports) if n else 0  # (short name and place: the 司法局 of two counties are two)
    years = sorted(reports["report_year"].dropna().astype(int).unique().tolist()) if n else []
    ok = int((reports["status"] == "ok").sum()) if n else 0
    if lang == "zh":
        return f"选中 {n} 份报告，来自 {issuers} 个发布机关；报告年度 {years}；{ok} 份解析无提示。"
    return f"{n} reports selected, from {issuers} issuers; report years {years}; {ok} parsed without warnings."


def counts_sentence(corpus, lang: str = "zh") -> str:
    """Reports per report year and level (`stats.report_counts`) and how many are placed in a region."""
    from .stats import report_counts

    check_lang(lang)
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
    check_lang(lang)
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
    check_lang(lang)
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


def parse_log_sentence(parse_log: pd.DataFrame, lang: str = "zh") -> str:
    """How many input files parsed, with warnings, failed, were duplicates or skipped; in Chinese, that the
    parser's messages in the table are translated from the English the tables store (`messages.translate`)."""
    check_lang(lang)
    n = len(parse_log)
    if not n:
        return "解析记录为空：没有读入任何文件。" if lang == "zh" else "The parse log is empty: no file was read."
    counts = parse_log["status"].value_counts()
    zh = lang == "zh"
    shown = [*(s for s in STATUSES if s in counts), *(s for s in counts.index if s not in STATUSES)]
    parts = ("、" if zh else ", ").join(
        f"{md(label('status', s, lang))} {int(counts[s])}" + (" 个" if zh else "") for s in shown
    )
    if zh:
        return f"共 {n} 个输入文件：{parts}。“{label('column', 'messages')}”一栏是解析器记录的提示，由表中存储的英文译出（尚无译文的提示保留英文）。"
    return f"{n} input files, by status: {parts}."


def kwic_sentence(
    hits: pd.DataFrame, keyword: str, n_reports: int, lang: str = "zh", *, shown: int | None = None
) -> str:
    """How often a keyword occurs, in how many reports, and in which parts (`kwic.kwic`); with `shown`,
    says when the table above holds only the first `shown` lines."""
    check_lang(lang)
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
        cut = f"上表只显示前 {shown} 处。" if shown is not None and len(hits) > shown else ""
        return (
            f"**{kw}** 出现 {len(hits)} 次，见于 {n_reports} 份报告中的 {in_reports} 份，"
            f"最常出现在“{md(label('part', top_part))}”部分（{top_n} 次）" + tail + cut
        )
    tail = f"; {n_prob} times in a problems part." if n_prob else "; never in a problems part."
    cut = f" Only the first {shown} are shown above." if shown is not None and len(hits) > shown else ""
    return (
        f"**{kw}** occurs {len(hits)} times in {in_reports} of {n_reports} reports, "
        f"most often in the {md(label('part', top_part, 'en'))} part ({top_n} times)" + tail + cut
    )


def _quant_source_zh(source) -> str:
    """Where the scorecard's numbers come from (`quant_source`), in Chinese."""
    if source == "indicators":
        return f"{md_code('indicators')} 表"
    return "数字加单位的正则表达式" if source == "regex" else md(source)


def scorecard_corpus_sentence(card: pd.DataFrame, lang: str = "zh") -> str:
    """Timeliness, completeness, quantification, templating and stickiness across a scorecard."""
    check_lang(lang)
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
            f"量化程度为每千字 {lo:.1f} 至 {hi:.1f} 个数字（来源：{_quant_source_zh(card['quant_source'].iloc[0])}）。"
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


# ------------------------------------------------------------------ problems and TF-IDF (02_problems_tfidf)
def _part(kind: str, lang: str) -> str:
    return f"“{label('part', kind)}”" if lang == "zh" else md_code(kind)


def documents_sentence(model, docs: pd.DataFrame, n_reports: int, part_kind: str, unit: str, lang: str = "zh") -> str:
    """How many documents of which part were compared, from how many reports, with how many terms."""
    check_lang(lang)
    n_docs, from_reports, n_terms, dropped = (
        len(model.docs),
        docs["report_id"].nunique(),
        len(model.terms),
        len(model.dropped),
    )
    if lang == "zh":
        what = "每条问题" if unit == "item" else "每个部分"
        out = (
            f"**{n_docs} 个文档**（{_part(part_kind, lang)}部分，{what}为一个文档），来自所选 {n_reports} 份报告中的 "
            f"{from_reports} 份；去除停用词后有 {n_terms} 个不同的词语。"
        )
        return out + (f"{dropped} 个文档没有剩余词语，未纳入。" if dropped else "")
    out = (
        f"**{n_docs} documents** ({md(unit)}s of the {md_code(part_kind)} part) from {from_reports} of "
        f"{n_reports} selected reports, {n_terms} distinct terms after stopwords."
    )
    return out + (f" {dropped} documents had no term left and are left out." if dropped else "")


def nothing_to_compare(why_not: str, lang: str = "zh") -> str:
    """The refusal of `tfidf.not_enough`, headed."""
    check_lang(lang)
    return f"**无可比较。** {why_not}" if lang == "zh" else f"**Nothing to compare.** {why_not}"


def distinctive_sentence(by_report: pd.DataFrame, lang: str = "zh", *, shown: int = 8) -> str:
    """The three most distinctive terms of each report (`tfidf.top_terms_by(docs, "report")`)."""
    check_lang(lang)
    firsts = by_report[by_report["rank"] <= 3].groupby("group", sort=False)["term"].agg("、".join)
    zh = lang == "zh"
    listed = ("；" if zh else "; ").join(f"{md(g)}{'：' if zh else ': '}{md(t)}" for g, t in firsts.head(shown).items())
    rest = len(firsts) - shown
    if zh:
        return f"最有区分度的词语：{listed}" + (f"；另有 {rest} 份报告见上表。" if rest > 0 else "。")
    return f"Most distinctive terms: {listed}" + (f"; and {rest} more reports in the table above." if rest > 0 else ".")


def groups_sentence(by_group: pd.DataFrame, group_by: str, lang: str = "zh") -> str:
    """The first terms of each group (`tfidf.top_terms_by(docs, group_by)`)."""
    check_lang(lang)
    zh = lang == "zh"
    sizes = by_group.drop_duplicates("group").set_index("group")["n_reports"]
    by = md_code(group_by)
    if len(sizes) == 1:
        if zh:
            return f"按 {by} 分组：只有一组，其词语只按频次排序，没有可对比的组。"
        return f"Grouped by {by}: Only one group: its terms are ranked by frequency alone, nothing to contrast it with."

    kind = {"level": "level", "region": "region"}.get(group_by)

    def name(g):
        return md(label(kind, g, lang) if kind else g)

    def terms(g):
        return md("、".join(by_group.loc[by_group["group"] == g, "term"].head(3)))

    if zh:
        return f"按 {by} 分组：" + "；".join(f"{name(g)}（{n} 份报告）：{terms(g)}" for g, n in sizes.items())
    return f"Grouped by {by}: " + "; ".join(
        f"{name(g)} ({n} report{'s' if n != 1 else ''}): {terms(g)}" for g, n in sizes.items()
    )


def tfidf_title(
    what: str, lang: str = "zh", *, part_kind: str = "problems", unit: str = "part", other: str = ""
) -> str:
    """Titles of notebook 02's figures: `similarity`, `topics`, `categories` or `vocabulary`."""
    check_lang(lang)
    zh = lang == "zh"
    part, unit_zh = label("part", part_kind, lang), ("条目" if unit == "item" else "部分")
    titles = {
        "similarity": f"{part}：余弦相似度（{unit_zh}）" if zh else f"{part_kind}: cosine similarity ({unit})",
        "topics": f"各{unit_zh}的主题占比" if zh else f"topic shares per {unit}",
        "categories": "各类别的问题条目数" if zh else "problem items per category",
        "vocabulary": f"{part}（右）与 {label('part', other, lang)}（左）"
        if zh
        else f"{part_kind} (right) vs {other} (left)",
    }
    if what not in titles:
        raise invalid("what", what, list(titles))
    return titles[what]


def too_many_sentence(n_docs: int, lang: str = "zh") -> str:
    check_lang(lang)
    if lang == "zh":
        return f"{n_docs} 个文档：热图过多难以阅读，请看下面的文档对。"
    return f"{n_docs} documents: too many for a readable heatmap; see the pairs below."


def pairs_sentence(pairs: pd.DataFrame, off: pd.Series, lang: str = "zh") -> str:
    """The most similar pair of documents and the spread of the similarities (`tfidf.most_similar_pairs`)."""
    check_lang(lang)
    best = pairs.iloc[0]
    a, b, cos = md(best["a"]), md(best["b"]), best["similarity"]
    if lang == "zh":
        return (
            f"最相似的一对是 **{a}** 与 **{b}**（余弦相似度 {cos:.2f}）；"
            f"两个不同文档之间相似度的中位数为 {off.median():.2f}，最低为 {off.min():.2f}。"
        )
    return (
        f"The most similar pair is **{a}** and **{b}** (cosine {cos:.2f}); "
        f"the median similarity between two different documents is {off.median():.2f}, the lowest {off.min():.2f}."
    )


def topics_sentence(dominant: pd.DataFrame, group_shares: pd.DataFrame, lang: str = "zh", *, shown: int = 12) -> str:
    """The largest topic overall and in each group (`tfidf.dominant_topics`, `tfidf.topic_shares_by`)."""
    check_lang(lang)
    counts = dominant["topic"].value_counts()
    rows = list(group_shares.head(shown).iterrows())
    if lang == "zh":
        per = "；".join(f"在 {md_code(g)} 中最大的是 {md(r.idxmax())}（{r.max():.0%}）" for g, r in rows)
        return f"**{md(counts.index[0])}** 是 {len(dominant)} 个文档中 {counts.iloc[0]} 个的最大主题；{per}。"
    per = "; ".join(f"in {md_code(g)} the largest is {md(r.idxmax())} ({r.max():.0%})" for g, r in rows)
    return f"**{md(counts.index[0])}** is the largest topic in {counts.iloc[0]} of {len(dominant)} documents; {per}."


def typology_sentence(categories: pd.DataFrame, n_items: int, matrix: pd.DataFrame, n_unmatched: int, lang="zh") -> str:
    """How many problem items fall in a category, the most frequent category, those never named, and the
    items no rule matches (`typology.item_categories`, `category_matrix`, `uncategorised_items`)."""
    check_lang(lang)
    zh = lang == "zh"
    if matrix.empty or matrix.shape[1] == 0:
        return (
            "所选范围内没有问题条目，无类型可显示。"
            if zh
            else "No problem items in this selection, so no typology to show."
        )
    totals = matrix.sum(axis=1).sort_values(ascending=False, kind="stable")
    n_in = categories[["report_id", "item_order"]].drop_duplicates().shape[0]
    first, n_first = md(totals.index[0]), int(totals.iloc[0])
    reach, n_reports = int((matrix.loc[totals.index[0]] > 0).sum()), matrix.shape[1]
    never = md("、".join(totals[totals == 0].index), empty="无" if zh else "none")
    if zh:
        return (
            f"{n_items} 条问题中有 {n_in} 条至少归入一个类别。最常见的是 **{first}**（{n_first} 条，见于 {n_reports} 份报告中的 "
            f"{reach} 份）；从未提及：{never}。{n_unmatched} 条没有匹配任何规则"
            + ("（可作为新规则的候选，列于下方）。" if n_unmatched else "。")
        )
    return (
        f"{n_in} of {n_items} problem items fall in at least one category. The most frequent is **{first}** "
        f"({n_first} items in {reach} of {n_reports} reports); never named: {never}. {n_unmatched} items match no rule"
        + (" (candidates for new rules, listed below)." if n_unmatched else ".")
    )


def no_reference_sentence(path: str, lang: str = "zh") -> str:
    check_lang(lang)
    if lang == "zh":
        return f"{md_code(path)} 处没有参照编码：传入 `reference_items` 以评估类型规则。"
    return f"No reference at {md_code(path)}: pass `reference_items` to score the typology."


def reference_sentence(table: pd.DataFrame, reference: pd.DataFrame, held, summary, lang: str = "zh") -> str:
    """How the typology's rules score against the hand-coded reference (a `validation.reference_table`
    with `_held_out` columns, indexed by category); `summary` is the `validation.Validation` (its pooled
    scores are written in `lang` by `validation_summary`) or its own English sentence."""
    check_lang(lang)
    pooled, n_embedded = table.loc["(all)"], int((reference["source"] == "embedded").sum())
    weakest = table.drop(index="(all)").sort_values(["f1", "recall"], kind="stable").iloc[0]
    n, n_held = len(reference), int(held.sum())
    agreed, rules, coded = int(pooled["agreed"]), int(pooled["rules"]), int(pooled["coded"])
    p, r, ph, rh = pooled["precision"], pooled["recall"], pooled["precision_held_out"], pooled["recall_held_out"]
    w_label, w_code, wp, wr = md(weakest["label"]), md(weakest.name), weakest["precision"], weakest["recall"]
    if lang == "zh":
        return (
            f"在 {n} 条人工编码的条目上（{n_embedded} 条来自内置报告，{n - n_embedded} 条为构造），规则给出的 {rules} 个标签中"
            f"有 {agreed} 个与编码者一致（精确率 {p:.2f}），编码者的 {coded} 个标签中规则找到 {agreed} 个（召回率 {r:.2f}）。"
            f"最弱的类别是 **{w_label}**（精确率 {wp:.2f}，召回率 {wr:.2f}）。在规则最后修订之后编写的 {n_held} 条留出条目上，"
            f"精确率为 {ph:.2f}，召回率为 {rh:.2f}：规则会漏掉没人为之写过规则的措辞，所以发布计数之前请阅读上面未归类的条目，"
            f"并对自己语料的样本进行编码评估（`validation.coding_sample`，笔记本 05）。"
            + (f"`validation` 的原话：{summary}" if isinstance(summary, str) else validation_summary(summary, lang))
        )
    return (
        f"On {n} hand-coded items ({n_embedded} from the embedded reports, {n - n_embedded} constructed), {agreed} of the "
        f"{rules} labels the rules give are the coder's too (precision {p:.2f}) and they find {agreed} of the coder's "
        f"{coded} (recall {r:.2f}). The weakest category is **{w_label}** ({w_code}: precision {wp:.2f}, recall "
        f"{wr:.2f}). On the {n_held} held-out items, written after the rules were last revised, precision is {ph:.2f} "
        f"and recall {rh:.2f}: the rules miss wordings nobody wrote a rule for, so read the uncategorised items above "
        f"and score a sample of your own corpus (`validation.coding_sample`, notebook 05) before publishing counts. "
        + (f"In `validation`'s words: {summary}" if isinstance(summary, str) else validation_summary(summary, lang))
    )


def alike_sentence(alike: pd.DataFrame, templated: int, pairs_compared: int, lang: str = "zh") -> str:
    """The most alike points of two reports and how many cross-report pairs reach 0.3 (`tfidf.near_duplicates`)."""
    check_lang(lang)
    zh = lang == "zh"
    if alike.empty:
        return (
            "该部分有分条的报告不足两份：没有可比较的条目对。"
            if zh
            else ("Fewer than two reports have points in this part: no pairs to compare.")
        )
    top = alike.iloc[0]
    a, ha, b, hb = md(top["label_a"]), md(top["heading_a"]), md(top["label_b"]), md(top["heading_b"])
    cos, shared = top["similarity"], md(top["shared"])
    if zh:
        out = f"措辞最相似的两条是 **{a}**（{ha}）与 **{b}**（{hb}），余弦相似度 {cos:.2f}，共有词语：{shared}。"
        if templated:
            return out + f"{pairs_compared} 对跨报告条目中有 {templated} 对达到 0.3：措辞相似到足以怀疑套用模板。"
        return out + f"{pairs_compared} 对跨报告条目中没有一对达到 0.3：没有抄用措辞的迹象。"
    out = f"The most alike points are **{a}** ({ha}) and **{b}** ({hb}), cosine {cos:.2f}, sharing {shared}. "
    if templated:
        return (
            out
            + f"{templated} of {pairs_compared} cross-report pairs reach 0.3: worded alike enough to suspect a template."
        )
    return out + f"None of the {pairs_compared} cross-report pairs reaches 0.3: no sign of copied wording."


def vocabulary_contrast_sentence(vocab: pd.DataFrame, part_kind: str, other: str, lang: str = "zh") -> str:
    """Words leaning to one part or the other (`tfidf.compare_vocabulary`)."""
    check_lang(lang)
    p, o = _part(part_kind, lang), _part(other, lang)
    if vocab.empty:
        if lang == "zh":
            return f"所选范围内没有同时具有{p}部分和{o}部分的报告。"
        return f"No report in the selection has both a {p} and an {o} part."
    mine, theirs = vocab[vocab["leans"] == part_kind], vocab[vocab["leans"] == other]
    w_mine, w_theirs = md("、".join(mine["term"].head(6))), md("、".join(theirs["term"].head(6)))
    never = int((mine[f"count_{other}"] == 0).sum())
    if lang == "zh":
        return (
            f"{p}部分的典型词语：{w_mine}；{o}部分的典型词语：{w_theirs}。"
            f"上面列出的 {len(mine)} 个{p}词语中有 {never} 个从未出现在{o}部分。"
        )
    return (
        f"Words typical of {p}: {w_mine}; of {o}: {w_theirs}. "
        f"{never} of the {len(mine)} {p} words shown never occur in {o}."
    )


# ------------------------------------------------------------------ report profile (04_report_profile)
def no_report_to_profile(lang: str = "zh") -> str:
    """What a profile page says when the corpus holds no report.

    >>> no_report_to_profile("en")
    'The corpus holds no report: nothing to profile.'
    """
    check_lang(lang)
    return "语料中没有报告：没有可介绍的报告。" if lang == "zh" else "The corpus holds no report: nothing to profile."


# ------------------------------------------------------------------ close reading (05_explore)
def explore_corpus_sentence(reports: pd.DataFrame, lang: str = "zh") -> str:
    """How many reports, issuers and report years the corpus holds (or that it holds none)."""
    check_lang(lang)
    zh = lang == "zh"
    if reports.empty:
        if zh:
            return "语料中没有报告：无可阅读、计数或比较的内容（以下各节留空）。"
        return "The corpus holds no report: nothing to read, count or compare (each section below is left empty)."
    n, issuers = len(reports), issuer_count(reports)
    years = sorted(reports["report_year"].dropna().astype(int).unique().tolist())
    if zh:
        return f"**{n} 份报告**，来自 {issuers} 个发布机关，报告年度 {years}。"
    return f"**{n} reports** from {issuers} issuers, report years {years}."


def _body_names(hits: pd.DataFrame, reports: pd.DataFrame | None) -> pd.Series:
    """The issuer of each hit: its short name, or with `reports`, its body's name (`issuer_labels`)."""
    if reports is None or reports.empty or "report_id" not in reports.columns:
        return hits["issuer"]
    names = pd.Series(
        issuer_labels(issuer_bodies(reports)).to_numpy(dtype=object), index=reports["report_id"].to_numpy()
    )
    names = names[~names.index.duplicated()]
    return hits["report_id"].map(names).fillna(hits["issuer"]).rename("issuer")


def kwic_reading_sentence(
    hits: pd.DataFrame,
    pattern: str,
    n_reports: int,
    lang: str = "zh",
    *,
    shown: int | None = None,
    reports: pd.DataFrame | None = None,
) -> str:
    """How often `pattern` occurs, in how many reports, most often in which part and by which issuer.
    With `reports` (the corpus's), an issuer is a body, named with its place where its short name is
    held by several (`labels.issuer_labels`: the 司法局 of two counties are not one user of the pattern)."""
    check_lang(lang)
    zh, pat = lang == "zh", md_code(pattern)
    if hits.empty:
        return f"{pat} 没有出现在这些报告中。" if zh else f"{pat} does not occur in these reports."
    by_part = hits["part"].value_counts()
    by_issuer = hits.groupby(_body_names(hits, reports)).size().sort_values(ascending=False, kind="stable")
    n, in_reports = len(hits), hits["report_id"].nunique()
    part, n_part = md(label("part", by_part.index[0], lang)), by_part.iloc[0]
    issuer, n_issuer = md(by_issuer.index[0]), by_issuer.iloc[0]
    if zh:
        return (
            f"{pat} 出现 **{n} 次**，见于 {n_reports} 份报告中的 {in_reports} 份，最常出现在“{part}”部分（{n_part} 次）；"
            f"{issuer} 使用最多（{n_issuer} 次）。"
            + (f"上面只显示前 {shown} 处。" if shown is not None and n > shown else "")
        )
    return (
        f"{pat} occurs **{n} times** in {in_reports} of {n_reports} reports, most often in the {part} part "
        f"({n_part} times); {issuer} uses it most ({n_issuer} times)."
        + (f" Only the first {shown} are shown above." if shown is not None and n > shown else "")
    )


def keyness_sentence(key: pd.DataFrame, lang: str = "zh") -> str:
    """The two groups, the measure, the most key term of each side and how many terms reach p < 0.001
    (`reading.keyness`)."""
    check_lang(lang)
    zh, a = lang == "zh", key.attrs
    stat = a["stat"]
    key_a, key_b = key[key["key_for"] == "a"], key[key["key_for"] == "b"].sort_values([stat, "term"])
    measure, stat_name = md(label("measure", a["measure_label"], lang)), label("column", stat, lang)
    if zh:
        line = (
            f"A = {md_code(a['group_a'])}（{a['reports_a']} 份报告，{a['tokens_a']} 个词次），"
            f"B = {md_code(a['group_b'])}（{a['reports_b']} 份报告，{a['tokens_b']} 个词次）；统计量：{measure}。"
        )
    else:
        line = (
            f"A = {md_code(a['group_a'])} ({a['reports_a']} reports, {a['tokens_a']} tokens), "
            f"B = {md_code(a['group_b'])} ({a['reports_b']} reports, {a['tokens_b']} tokens); measure: {measure}. "
        )
    for name, side in (("A", key_a), ("B", key_b)):
        if not side.empty:
            t = side.iloc[0]
            if zh:
                line += (
                    f"{name} 组最突出的词：**{md(t['term'])}**（{t['count_a']} 次对 {t['count_b']} 次，{stat_name} = {t[stat]:.3g}，"
                    f"对数比 {t['log_ratio']:+.1f}）。"
                )
            else:
                line += (
                    f"Most key for {name}: **{md(t['term'])}** ({t['count_a']} vs {t['count_b']} times, {stat_name} = {t[stat]:.3g}, "
                    f"log ratio {t['log_ratio']:+.1f}). "
                )
    strong = int((key["p_value"] < 0.001).sum())
    if key["p_value"].notna().any():
        return line + (
            f"{len(key)} 个词中有 {strong} 个 p < 0.001。" if zh else f"{strong} of {len(key)} terms have p < 0.001."
        )
    return line + ("PMI 不是检验：没有 p 值。" if zh else "PMI is not a test: no p-values.")


def collocations_sentence(
    bigrams: pd.DataFrame, trigrams: pd.DataFrame, n_texts: int, part_kind: str, lang="zh"
) -> str:
    """How many word pairs and triples recur in a part, and the strongest pair (`reading.collocations`)."""
    check_lang(lang)
    zh, part = lang == "zh", label("part", part_kind, lang)
    if bigrams.empty:
        return (
            f"“{part}”部分中没有两个词相邻出现两次。"
            if zh
            else f"No pair of words occurs twice side by side in the {part} parts."
        )
    top = bigrams.iloc[0]
    c, pmi, g2 = md(top["collocation"]), top["pmi"], top["g2"]
    if zh:
        return (
            f"{n_texts} 份报告的“{part}”部分中有 {len(bigrams)} 个二词组合和 {len(trigrams)} 个三词组合反复出现；"
            f"最强的二词组合是 **{c}**（{top['count']} 次，PMI {pmi:.1f}，G² {g2:.1f}）。"
        )
    return (
        f"{len(bigrams)} word pairs and {len(trigrams)} triples recur in the {part} parts of {n_texts} reports; "
        f"the strongest pair is **{c}** ({top['count']} times, PMI {pmi:.1f}, G² {g2:.1f})."
    )


def network_title(part_kind: str, lang: str = "zh") -> str:
    check_lang(lang)
    if lang == "zh":
        return f"{label('part', part_kind)}：同句共现的词语（边权：Jaccard）"
    return f"{part_kind}: terms in the same sentences (edge weight: Jaccard)"


def network_sentence(graph, edges: pd.DataFrame | None, min_edge_count: int, lang: str = "zh") -> str:
    """Size of a co-occurrence network, its best-linked term and its strongest pair (`reading.cooccurrence`,
    `reading.edges_table`)."""
    check_lang(lang)
    zh = lang == "zh"
    if graph.number_of_edges() == 0:
        return (
            f"没有两个词语共同出现在 {min_edge_count} 个句子中；无可绘制。"
            if zh
            else f"No two terms share {min_edge_count} sentences; nothing to draw."
        )
    term, degree = sorted(graph.degree, key=lambda kv: (-kv[1], kv[0]))[0]
    e = edges.iloc[0]
    nodes, n_edges, n_sent = graph.number_of_nodes(), graph.number_of_edges(), graph.graph["n_sentences"]
    pair, count, w = f"{md(e['term_a'])}–{md(e['term_b'])}", e["count"], e["weight"]
    if zh:
        return (
            f"{n_sent} 个句子中有 {nodes} 个词语、{n_edges} 条边。**{md(term)}** 连接的词语最多（{degree} 个）；"
            f"最强的一对是 **{pair}**（共同出现在 {count} 个句子中，Jaccard {w:.2f}）。"
        )
    return (
        f"{nodes} terms, {n_edges} edges over {n_sent} sentences. **{md(term)}** is linked to the most terms ({degree}); "
        f"the strongest pair is **{pair}** (together in {count} sentences, Jaccard {w:.2f})."
    )


def dictionary_sentence(
    source: str, per_report: pd.DataFrame, per_part: pd.DataFrame, part_kind: str, lang="zh"
) -> str:
    """The most frequent and rarest dictionary category, and the most frequent in one part kind
    (`reading.dictionary_counts` per report and per part)."""
    check_lang(lang)
    totals = per_report.groupby("category", sort=False)[["count", "n_chars"]].sum()
    rate = (1e4 * totals["count"] / totals["n_chars"]).sort_values(ascending=False)
    in_part = per_part[per_part["part"] == part_kind].groupby("category", sort=False)["count"].sum()
    first, last, src = md(rate.index[0]), md(rate.index[-1]), md_code(source)
    part = label("part", part_kind, lang)
    if lang == "zh":
        out = f"词典 {src}：**{first}** 是最常见的类别（全部报告中每万字 {rate.iloc[0]:.1f} 次），**{last}** 最少（{rate.iloc[-1]:.1f}）。"
        if in_part.empty:
            return out
        return out + f"在“{part}”部分中最常见的是 {md(in_part.idxmax())}（{in_part.max()} 处）。"
    out = (
        f"Dictionary {src}: **{first}** is the most frequent category ({rate.iloc[0]:.1f} per 10,000 characters over "
        f"all reports), **{last}** the rarest ({rate.iloc[-1]:.1f}). "
    )
    if in_part.empty:
        return out.strip()
    return out + f"In the {part} parts the most frequent is {md(in_part.idxmax())} ({in_part.max()} matches)."


def crosstab_sentence(cross: pd.DataFrame, cells: pd.DataFrame, crosstab_by: str, lang: str = "zh") -> str:
    """The strongest cell of the category crosstab (or that none departs from independence) and the
    categories with small expected counts (`crosstab.category_crosstab`, `crosstab.significant_cells`)."""
    check_lang(lang)
    zh, by = lang == "zh", md_code(crosstab_by)
    tested = cross.drop_duplicates("category")
    small = int((tested["n_small_expected"] > 0).sum())
    if cells.empty:
        n_groups, n_units = cross["group"].nunique(), cross.attrs["n_units"]
        text = (
            f"在 {by} 的 {n_groups} 个组之间（{n_units} 份报告），没有类别在 5% 水平上偏离独立。"
            if zh
            else f"No category departs from independence at the 5 % level across the {n_groups} groups of {by} ({n_units} reports). "
        )
    else:
        top = cells.iloc[0]
        cat, group = md(top["category_label"]), md(labels([str(top["group"])], kind_of(crosstab_by), lang)[0])
        share, res = 100 * top["share"], top["adjusted_residual"]
        if zh:
            text = (
                f"最强的单元格：{md(label('column', crosstab_by))} = {group} 中的 **{cat}**：{top['n_units']} 份报告中有 {top['count']} 份"
                f"（{share:.0f}%），调整残差 {res:+.2f}；{len(cells)} 个单元格超出 ±1.96。"
            )
        else:
            text = (
                f"Strongest cell: **{cat}** in {md(crosstab_by)} = {group}: {top['count']} of {top['n_units']} reports "
                f"({share:.0f}%), adjusted residual {res:+.2f}; {len(cells)} cells are beyond ±1.96. "
            )
    if small:
        text += (
            f"{len(tested)} 个类别中有 {small} 个的期望频数低于 5：请谨慎解读其 p 值。"
            if zh
            else f"{small} of {len(tested)} categories have expected counts below 5: read their p-values with care."
        )
    return text.strip()


def ca_title(crosstab_by: str, lang: str = "zh") -> str:
    check_lang(lang)
    by = label("column", crosstab_by, lang)
    return f"词语 × {by}：对应分析" if lang == "zh" else f"Terms × {crosstab_by}: correspondence analysis"


def ca_sentence(terms: pd.DataFrame, ca, hidden: int, crosstab_by: str, lang: str = "zh") -> str:
    """What a correspondence-analysis map shows (`crosstab.correspondence_analysis`), or why there is none."""
    check_lang(lang)
    zh, by = lang == "zh", md_code(crosstab_by)
    if ca is None:
        if zh:
            return f"{by} 只有 {terms.shape[1]} 个组：二维图至少需要三个组（两个组只在一个轴上不同：见上面的交叉表）。"
        return (
            f"{terms.shape[1]} group(s) of {by}: a two-axis map needs at least three "
            "(two groups differ along one axis only: see the crosstab above)."
        )
    far = ("、" if zh else ", ").join(md(t) for t in ca.row_coords["dim1"].abs().sort_values(ascending=False).index[:3])
    e1, e2, total = 100 * ca.explained[0], 100 * ca.explained[1], ca.total_inertia
    if zh:
        return (
            f"{terms.shape[0]} 个词语 × {terms.shape[1]} 个组；第一轴占惯量的 {e1:.0f}%（总惯量 {total:.3f}），第二轴占 {e2:.0f}%。"
            f"沿第一轴最远的词语：{far}。" + (f"{hidden} 个标签找不到空位，未绘出。" if hidden else "")
        )
    return (
        f"{terms.shape[0]} terms × {terms.shape[1]} groups; the first axis holds {e1:.0f}% of the inertia "
        f"(total {total:.3f}), the second {e2:.0f}%. Terms furthest along the first axis: {far}. "
        + (f"{hidden} labels found no free place and are not drawn." if hidden else "")
    ).strip()


def coding_sample_sentence(sample: pd.DataFrame, seed: int, lang: str = "zh") -> str:
    """What the stratified coding sample holds (`validation.coding_sample`)."""
    check_lang(lang)
    n, strata = len(sample), sample["stratum"].nunique() if len(sample) else 0
    if lang == "zh":
        return f"未提供编码表：已准备好 {n} 条问题的分层样本（按第一个规则类别分为 {strata} 层，随机种子 {seed}），可导出。"
    return (
        f"No coded sheet given: a stratified sample of {n} problem items "
        f"({strata} strata by first rule category, seed {seed}) is ready to export."
    )


def validation_summary(result, lang: str = "zh") -> str:
    """The pooled scores of a `validation.Validation` in `lang`: for each coder, the rules' precision,
    recall, F1 and κ over all categories; the coders' agreement with each other; rows that could not be
    read. (Given `Validation.summary()`'s English sentence instead, it is passed on, introduced in `lang`.)"""
    check_lang(lang)
    zh = lang == "zh"
    if isinstance(result, str):
        return f"`validation` 的结果：{result}" if zh else result[:1].upper() + result[1:]
    from .validation import ALL

    parts = []
    for r in result.scores[result.scores["category"] == ALL].itertuples():
        coder = md_code(r.coder)
        scores = f"{r.precision:.2f}、{r.recall:.2f}、{r.f1:.2f}、{r.kappa:.2f}" if zh else ""
        parts.append(
            f"规则与编码者 {coder} 相比：精确率、召回率、F1、κ 依次为 {scores}（{int(r.n_items)} 条）"
            if zh
            else f"rules against {coder}: precision {r.precision:.2f}, recall {r.recall:.2f}, "
            f"F1 {r.f1:.2f}, κ {r.kappa:.2f} on {int(r.n_items)} items"
        )
    agree = result.agreement[result.agreement["category"] == ALL]
    if not agree.empty:
        a = agree.iloc[0]
        parts.append(
            f"编码者之间 κ {a.kappa:.2f}、α {a.alpha:.2f}" if zh else f"between coders κ {a.kappa:.2f}, α {a.alpha:.2f}"
        )
    n_bad = len(result.problems)
    parts.append(
        f"{n_bad} 行无法读取或未编码，已列出"
        if zh
        else f"{n_bad} unreadable or uncoded row{'s' if n_bad != 1 else ''} listed"
    )
    out = ("；" if zh else "; ").join(parts)
    return out + "。" if zh else out[:1].upper() + out[1:] + "."
