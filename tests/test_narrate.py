"""The computed sentences of notebook 01 (corpus statistics), in Chinese and English, from hand-built tables."""

from types import SimpleNamespace

import pandas as pd
import pytest

from fazhi_lib import narrate
from fazhi_lib.errors import FazhiError

REPORTS = pd.DataFrame(
    {
        "report_id": ["a", "b", "c"],
        "issuer": ["甲镇", "乙街道", "甲镇"],
        "report_year": [2023, 2024, 2024],
        "level": ["township", "subdistrict", "township"],
        "region": ["east", None, "east"],
        "status": ["ok", "warning", "ok"],
        "missing_parts": ["duty,other", "", None],
    }
)


def test_selection_sentence():
    assert (
        narrate.selection_sentence(REPORTS)
        == "选中 3 份报告，来自 2 个发布机关；报告年度 [2023, 2024]；2 份解析无提示。"
    )
    assert narrate.selection_sentence(REPORTS, "en") == (
        "3 reports selected, from 2 issuers; report years [2023, 2024]; 2 parsed without warnings."
    )
    assert narrate.selection_sentence(REPORTS.iloc[:0], "en").startswith("0 reports selected, from 0 issuers")


def test_counts_sentence_labels_levels_and_counts_placed_reports():
    corpus = SimpleNamespace(reports=REPORTS)
    assert (
        narrate.counts_sentence(corpus)
        == "报告年度：2023 (1)、2024 (2)。层级：街道 (1)、乡镇 (2)。3 份报告中有 2 份定位到地区。"
    )
    assert narrate.counts_sentence(corpus, "en") == (
        "Report years: 2023 (1), 2024 (2). Levels: subdistrict (1), township (2). 2 of 3 reports are placed in a region."
    )
    empty = SimpleNamespace(reports=REPORTS.iloc[:0])
    assert narrate.counts_sentence(empty) == "没有报告符合所选条件：无可统计。"


def test_length_sentence():
    lengths = pd.DataFrame({"part": ["whole report"], "median": [4000], "min": [2000], "max": [6000]})
    shares = pd.DataFrame({"problems": [0.1, 0.2, 0.3], "achievements": [0.5, 0.6, 0.7]})
    zh = narrate.length_sentence(lengths, shares, REPORTS)
    assert zh.startswith(
        "报告字数中位数为 4,000（2,000–6,000）。“存在的不足和原因”部分占全文的中位数为 20%（范围 10%–30%）"
    )
    assert zh.endswith("3 份报告中有 1 份没有单独的“主要负责人履行第一责任人职责”部分。")
    assert narrate.length_sentence(lengths, shares, REPORTS, "en") == (
        "A report has 4,000 characters at the median (2,000–6,000). The problems part takes 20% of a report at the "
        "median (range 10%–30%); the achievements part 60%. 1 of 3 reports have no separate duty part."
    )


def test_vocabulary_sentence_escapes_the_term():
    top = pd.DataFrame({"term": ["法治*", "依法"], "count": [9, 4], "reports": [3, 2]})
    assert narrate.vocabulary_sentence(20, 7, top, 3) == (
        "共 20 个词次，7 个不同的词语。最常见的是 **法治\\***（9 次，出现在 3 份报告中的 3 份）；前 2 个词语中有 1 个出现在每一份报告中。"
    )
    assert narrate.vocabulary_sentence(20, 7, top, 3, "en") == (
        "20 tokens, 7 distinct terms. The most frequent is **法治\\*** (9 times, in 3 of 3 reports); "
        "1 of the top 2 terms occur in every report."
    )
    assert narrate.vocabulary_sentence(0, 0, top.iloc[:0], 3, "en") == "The selected reports have no tokens."


def test_kwic_sentence():
    hits = pd.DataFrame({"report_id": ["a", "a", "b"], "part": ["achievements", "achievements", "problems"]})
    assert narrate.kwic_sentence(hits, "枫桥经验", 3) == (
        "**枫桥经验** 出现 3 次，见于 3 份报告中的 2 份，最常出现在“主要举措和成效”部分（2 次）；在“存在的不足和原因”部分出现 1 次。"
    )
    assert narrate.kwic_sentence(hits.iloc[:2], "枫桥经验", 3, "en") == (
        "**枫桥经验** occurs 2 times in 1 of 3 reports, most often in the achievements part (2 times); "
        "never in a problems part."
    )
    assert narrate.kwic_sentence(hits.iloc[:0], "<b>x</b>", 3) == "**\\<b\\>x\\<\\/b\\>** 没有出现在所选的 3 份报告中。"


def test_scorecard_corpus_sentence():
    card = pd.DataFrame(
        {
            "report_id": ["a", "b", "c"],
            "issuer": ["甲镇", "乙街道", "甲镇"],
            "report_year": [2023, 2024, 2024],
            "timeliness": ["on_time", "late", "unknown"],
            "parts_present": [5, 4, 3],
            "completeness": [1.0, 0.8, 0.6],
            "quant_density": [1.25, 3.0, 9.5],
            "quant_source": ["indicators"] * 3,
            "template_similarity": [0.2, 0.35, None],
            "template_peer": ["b", "a", None],
            "stickiness": [None, None, 0.5],
        }
    )
    zh = narrate.scorecard_corpus_sentence(card)
    assert zh.startswith(
        "3 份报告中有 1 份在次年 4 月 1 日前发布，1 份逾期，1 份不明（没有发布日期）。3 份中有 1 份包含全部五个法定部分；完整性中位数为 80%。"
    )
    assert "每千字 1.2 至 9.5 个数字" in zh and "属于 乙街道 2024（与 甲镇 的余弦相似度 0.35）" in zh
    assert zh.endswith("1 份报告有同一机关的上一份报告，可以测量粘滞度。")
    en = narrate.scorecard_corpus_sentence(card, "en")
    assert "The most templated problems part is 乙街道 2024's (cosine 0.35 with 甲镇)." in en
    alone = card.assign(template_similarity=None, stickiness=None)
    assert "没有两个发布机关的问题部分可以比较。" in narrate.scorecard_corpus_sentence(alone)
    assert en.startswith("1 of 3 reports were published before 1 April")
    assert narrate.scorecard_corpus_sentence(card.iloc[:0], "en") == "No reports selected: no scorecard."


def test_an_unknown_language_is_refused():
    with pytest.raises(FazhiError, match=r"`lang` = 'fr' is not valid; choose one of: zh, en"):
        narrate.selection_sentence(REPORTS, "fr")


# ------------------------------------------------------------------ notebook 02 (problems, TF-IDF)
def test_documents_sentence_and_refusal():
    model = SimpleNamespace(docs=[1, 2, 3], terms=list("abcd"), dropped=[9])
    docs = pd.DataFrame({"report_id": ["a", "a", "b", "b"]})
    assert narrate.documents_sentence(model, docs, 3, "problems", "item") == (
        "**3 个文档**（“存在的不足和原因”部分，每条问题为一个文档），来自所选 3 份报告中的 2 份；去除停用词后有 4 个不同的词语。"
        "1 个文档没有剩余词语，未纳入。"
    )
    assert narrate.documents_sentence(model, docs, 3, "problems", "item", "en") == (
        "**3 documents** (items of the `problems` part) from 2 of 3 selected reports, 4 distinct terms after stopwords. "
        "1 documents had no term left and are left out."
    )
    assert narrate.nothing_to_compare("x", "en") == "**Nothing to compare.** x"


def test_distinctive_and_group_sentences_label_levels():
    by = pd.DataFrame(
        {
            "group": ["township"] * 4 + ["county"],
            "rank": [1, 2, 3, 4, 1],
            "term": ["监督", "参与", "能力", "第四", "普法"],
            "n_reports": [2, 2, 2, 2, 1],
        }
    )
    assert (
        narrate.distinctive_sentence(by, shown=1)
        == "最有区分度的词语：township：监督、参与、能力；另有 1 份报告见上表。"
    )
    assert narrate.distinctive_sentence(by, "en") == "Most distinctive terms: township: 监督、参与、能力; county: 普法."
    assert (
        narrate.groups_sentence(by, "level")
        == "按 `level` 分组：乡镇（2 份报告）：监督、参与、能力；县（市、区）（1 份报告）：普法"
    )
    assert narrate.groups_sentence(by, "level", "en") == (
        "Grouped by `level`: township (2 reports): 监督、参与、能力; county (1 report): 普法"
    )
    assert narrate.groups_sentence(by.iloc[:4], "level").startswith("按 `level` 分组：只有一组")


def test_pairs_and_topics_sentences():
    pairs = pd.DataFrame({"a": ["甲镇 2023"], "b": ["乙镇 2024"], "similarity": [0.456]})
    off = pd.Series([0.1, 0.2, 0.456])
    assert narrate.pairs_sentence(pairs, off) == (
        "最相似的一对是 **甲镇 2023** 与 **乙镇 2024**（余弦相似度 0.46）；两个不同文档之间相似度的中位数为 0.20，最低为 0.10。"
    )
    assert "the lowest 0.10." in narrate.pairs_sentence(pairs, off, "en")
    dominant = pd.DataFrame({"topic": ["T1 监督", "T1 监督", "T2 普法"]})
    shares = pd.DataFrame({"T1 监督": [0.7, 0.2], "T2 普法": [0.3, 0.8]}, index=["township", "county"])
    assert narrate.topics_sentence(dominant, shares) == (
        "**T1 监督** 是 3 个文档中 2 个的最大主题；在 `township` 中最大的是 T1 监督（70%）；在 `county` 中最大的是 T2 普法（80%）。"
    )
    assert narrate.topics_sentence(dominant, shares, "en").startswith(
        "**T1 监督** is the largest topic in 2 of 3 documents"
    )


def test_typology_sentence():
    matrix = pd.DataFrame({"r1": [2, 0, 0], "r2": [1, 1, 0]}, index=["监督薄弱", "普法实效", "决策科学性"])
    categories = pd.DataFrame({"report_id": ["r1", "r1", "r2", "r2"], "item_order": [1, 1, 1, 2]})
    assert narrate.typology_sentence(categories, 4, matrix, 1) == (
        "4 条问题中有 3 条至少归入一个类别。最常见的是 **监督薄弱**（3 条，见于 2 份报告中的 2 份）；从未提及：决策科学性。"
        "1 条没有匹配任何规则（可作为新规则的候选，列于下方）。"
    )
    assert narrate.typology_sentence(categories, 4, matrix, 0, "en") == (
        "3 of 4 problem items fall in at least one category. The most frequent is **监督薄弱** (3 items in 2 of 2 "
        "reports); never named: 决策科学性. 0 items match no rule."
    )
    assert (
        narrate.typology_sentence(categories.iloc[:0], 0, pd.DataFrame(), 0) == "所选范围内没有问题条目，无类型可显示。"
    )


def test_alike_and_vocabulary_contrast_sentences():
    alike = pd.DataFrame(
        {
            "label_a": ["甲 · 1"],
            "heading_a": ["一是<b>"],
            "label_b": ["乙 · 2"],
            "heading_b": ["二是"],
            "similarity": [0.35],
            "shared": ["力量、薄弱"],
        }
    )
    zh = narrate.alike_sentence(alike, 2, 10)
    assert zh == (
        "措辞最相似的两条是 **甲 · 1**（一是\\<b\\>）与 **乙 · 2**（二是），余弦相似度 0.35，共有词语：力量、薄弱。"
        "10 对跨报告条目中有 2 对达到 0.3：措辞相似到足以怀疑套用模板。"
    )
    assert narrate.alike_sentence(alike, 0, 10, "en").endswith(
        "None of the 10 cross-report pairs reaches 0.3: no sign of copied wording."
    )
    vocab = pd.DataFrame(
        {
            "term": ["不足", "有待", "调解"],
            "leans": ["problems", "problems", "achievements"],
            "count_achievements": [0, 3, 9],
        }
    )
    assert narrate.vocabulary_contrast_sentence(vocab, "problems", "achievements") == (
        "“存在的不足和原因”部分的典型词语：不足、有待；“主要举措和成效”部分的典型词语：调解。"
        "上面列出的 2 个“存在的不足和原因”词语中有 1 个从未出现在“主要举措和成效”部分。"
    )
    assert narrate.vocabulary_contrast_sentence(vocab, "problems", "achievements", "en") == (
        "Words typical of `problems`: 不足、有待; of `achievements`: 调解. 1 of the 2 `problems` words shown never occur in `achievements`."
    )
    assert narrate.vocabulary_contrast_sentence(vocab.iloc[:0], "problems", "achievements").startswith(
        "所选范围内没有同时具有"
    )


def test_figure_titles():
    assert (
        narrate.tfidf_title("similarity", part_kind="problems", unit="item") == "存在的不足和原因：余弦相似度（条目）"
    )
    assert narrate.tfidf_title("vocabulary", "en", part_kind="problems", other="achievements") == (
        "problems (right) vs achievements (left)"
    )
    with pytest.raises(FazhiError, match="`what` = 'pie' is not valid"):
        narrate.tfidf_title("pie")
