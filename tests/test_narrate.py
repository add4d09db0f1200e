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
    assert narrate.kwic_sentence(hits, "枫桥经验", 3, shown=2).endswith("部分出现 1 次。上表只显示前 2 处。")
    assert narrate.kwic_sentence(hits, "枫桥经验", 3, "en", shown=2).endswith(" Only the first 2 are shown above.")
    assert narrate.kwic_sentence(hits, "枫桥经验", 3, shown=3).endswith("部分出现 1 次。")  # all shown: nothing said


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


# ------------------------------------------------------------------ notebook 05 (close reading)
def test_explore_corpus_and_kwic_sentences():
    assert narrate.explore_corpus_sentence(REPORTS) == "**3 份报告**，来自 2 个发布机关，报告年度 [2023, 2024]。"
    assert narrate.explore_corpus_sentence(REPORTS.iloc[:0]).startswith("语料中没有报告")
    hits = pd.DataFrame(
        {"report_id": ["a", "a", "b"], "issuer": ["甲镇", "甲镇", "乙街道"], "part": ["problems", "problems", "plan"]}
    )
    assert narrate.kwic_reading_sentence(hits, "审查", 3, shown=2) == (
        "`审查` 出现 **3 次**，见于 3 份报告中的 2 份，最常出现在“存在的不足和原因”部分（2 次）；甲镇 使用最多（2 次）。"
        "上面只显示前 2 处。"
    )
    assert narrate.kwic_reading_sentence(hits, "审查", 3, "en") == (
        "`审查` occurs **3 times** in 2 of 3 reports, most often in the problems part (2 times); 甲镇 uses it most (2 times)."
    )
    assert narrate.kwic_reading_sentence(hits.iloc[:0], "a`b", 3, "en") == "`` a`b `` does not occur in these reports."


def test_keyness_sentence():
    key = pd.DataFrame(
        {
            "term": ["不足", "调解", "依法"],
            "key_for": ["a", "b", "b"],
            "g2": [47.25, -13.3, -2.0],
            "count_a": [13, 0, 1],
            "count_b": [0, 37, 5],
            "log_ratio": [7.1, -3.9, -1.0],
            "p_value": [1e-6, 2e-4, 0.2],
        }
    )
    key.attrs = {
        "stat": "g2",
        "group_a": "part=problems",
        "group_b": "rest",
        "reports_a": 5,
        "reports_b": 4,
        "tokens_a": 600,
        "tokens_b": 3000,
        "measure_label": "g2 (Williams' correction)",
    }
    zh = narrate.keyness_sentence(key)
    assert zh.startswith("A = `part=problems`（5 份报告，600 个词次），B = `rest`（4 份报告，3000 个词次）；")
    assert "统计量：G²（Williams 校正）。" in zh and "Williams' correction" not in zh
    assert "A 组最突出的词：**不足**（13 次对 0 次，G² = 47.2，对数比 +7.1）。B 组最突出的词：**调解**" in zh
    assert zh.endswith("3 个词中有 2 个 p < 0.001。")
    en = narrate.keyness_sentence(key.assign(p_value=float("nan")), "en")
    assert "Most key for B: **调解** (0 vs 37 times, G² = -13.3, log ratio -3.9)." in en
    assert "measure: G² " in en and "Williams" in en
    assert en.endswith("PMI is not a test: no p-values.")


def test_collocations_network_and_dictionary_sentences():
    import networkx as nx

    bigrams = pd.DataFrame({"collocation": ["法治政府 建设"], "count": [6], "pmi": [7.06], "g2": [58.5]})
    assert narrate.collocations_sentence(bigrams, bigrams.iloc[:0], 5, "problems") == (
        "5 份报告的“存在的不足和原因”部分中有 1 个二词组合和 0 个三词组合反复出现；最强的二词组合是 **法治政府 建设**（6 次，PMI 7.1，G² 58.5）。"
    )
    assert narrate.collocations_sentence(bigrams.iloc[:0], bigrams, 5, "problems", "en") == (
        "No pair of words occurs twice side by side in the problems parts."
    )
    g = nx.Graph(n_sentences=9)
    g.add_edge("法治", "建设")
    g.add_edge("法治", "依法")
    edges = pd.DataFrame({"term_a": ["法治"], "term_b": ["建设"], "count": [4], "weight": [0.5]})
    assert narrate.network_sentence(g, edges, 3) == (
        "9 个句子中有 3 个词语、2 条边。**法治** 连接的词语最多（2 个）；最强的一对是 **法治–建设**（共同出现在 4 个句子中，Jaccard 0.50）。"
    )
    assert narrate.network_sentence(nx.Graph(), None, 3, "en") == "No two terms share 3 sentences; nothing to draw."
    per_report = pd.DataFrame({"category": ["审查", "审查", "数字"], "count": [3, 1, 1], "n_chars": [1000, 1000, 2000]})
    per_part = pd.DataFrame({"category": ["审查", "数字"], "part": ["problems", "problems"], "count": [2, 5]})
    assert narrate.dictionary_sentence("d.yaml", per_report, per_part, "problems") == (
        "词典 `d.yaml`：**审查** 是最常见的类别（全部报告中每万字 20.0 次），**数字** 最少（5.0）。"
        "在“存在的不足和原因”部分中最常见的是 数字（5 处）。"
    )


def test_crosstab_ca_and_validation_sentences():
    cross = pd.DataFrame(
        {"category": ["c1", "c1", "c2"], "group": ["2023", "2024", "2023"], "n_small_expected": [1, 1, 0]}
    )
    cross.attrs["n_units"] = 5
    cells = pd.DataFrame(
        {
            "category_label": ["执法规范性"],
            "group": ["2023"],
            "count": [0],
            "n_units": [2],
            "share": [0.0],
            "adjusted_residual": [-2.24],
        }
    )
    assert narrate.crosstab_sentence(cross, cells, "report_year") == (
        "最强的单元格：报告年度 = 2023 中的 **执法规范性**：2 份报告中有 0 份（0%），调整残差 -2.24；1 个单元格超出 ±1.96。"
        "2 个类别中有 1 个的期望频数低于 5：请谨慎解读其 p 值。"
    )
    on_time = cells.assign(group=["on_time"])
    assert narrate.crosstab_sentence(cross, on_time, "timeliness").startswith(
        "最强的单元格：时效 = 按时 中的 **执法规范性**"
    )
    assert "in timeliness = on time:" in narrate.crosstab_sentence(cross, on_time, "timeliness", "en")
    assert narrate.crosstab_sentence(cross, cells.iloc[:0], "level", "en").startswith(
        "No category departs from independence at the 5 % level across the 2 groups of `level` (5 reports)."
    )
    terms = pd.DataFrame([[1, 2], [3, 4]])
    assert narrate.ca_sentence(terms, None, 0, "level") == (
        "`level` 只有 2 个组：二维图至少需要三个组（两个组只在一个轴上不同：见上面的交叉表）。"
    )
    ca = SimpleNamespace(
        row_coords=pd.DataFrame({"dim1": [0.1, -0.9, 0.5, 0.0]}, index=["甲", "乙", "丙", "丁"]),
        explained=[0.55, 0.45],
        total_inertia=0.1534,
    )
    assert narrate.ca_sentence(pd.DataFrame(index=range(4), columns=range(3)), ca, 2, "level", "en") == (
        "4 terms × 3 groups; the first axis holds 55% of the inertia (total 0.153), the second 45%. "
        "Terms furthest along the first axis: 乙, 丙, 甲. 2 labels found no free place and are not drawn."
    )
    assert narrate.ca_title("report_year") == "词语 × 报告年度：对应分析"
    sample = pd.DataFrame({"stratum": ["a", "a", "b"]})
    assert (
        narrate.coding_sample_sentence(sample, 7)
        == "未提供编码表：已准备好 3 条问题的分层样本（按第一个规则类别分为 2 层，随机种子 7），可导出。"
    )
    assert narrate.validation_summary("rules vs c: precision 1.00", "en") == "Rules vs c: precision 1.00"


def test_validation_summary_is_composed_in_the_language():
    scores = pd.DataFrame(
        {"coder": ["甲", "甲"], "category": ["a", "(all)"], "precision": [1.0, 0.9], "recall": [1.0, 0.75]}
    ).assign(f1=[1.0, 0.82], kappa=[1.0, 0.7], n_items=[12, 12])
    agreement = pd.DataFrame({"category": ["(all)"], "kappa": [0.61], "alpha": [0.6]})
    result = SimpleNamespace(scores=scores, agreement=agreement, problems=pd.DataFrame({"row": [3]}))
    assert narrate.validation_summary(result) == (
        "规则与编码者 `甲` 相比：精确率、召回率、F1、κ 依次为 0.90、0.75、0.82、0.70（12 条）；"
        "编码者之间 κ 0.61、α 0.60；1 行无法读取或未编码，已列出。"
    )
    assert narrate.validation_summary(result, "en") == (
        "Rules against `甲`: precision 0.90, recall 0.75, F1 0.82, κ 0.70 on 12 items; "
        "between coders κ 0.61, α 0.60; 1 unreadable or uncoded row listed."
    )


def test_parse_log_sentence_counts_statuses_by_their_labels():
    log = pd.DataFrame({"status": ["ok", "warning", "warning", "error"], "messages": ["", "x", "y", "z"]})
    assert narrate.parse_log_sentence(log) == (
        "共 4 个输入文件：正常 1 个、有提示 2 个、未解析 1 个。“提示”一栏是解析器记录的提示，由表中存储的英文译出（尚无译文的提示保留英文）。"
    )
    assert narrate.parse_log_sentence(log, "en") == "4 input files, by status: ok 1, warning 2, error 1."
    assert narrate.parse_log_sentence(log.iloc[:0]) == "解析记录为空：没有读入任何文件。"


@pytest.mark.parametrize(
    "row, why",
    [
        ({"deadline": None, "publish_date": None}, "报告没有年度"),
        ({"deadline": "2025-04-01", "publish_date": None}, "页面没有发布日期"),
        ({"deadline": "2025-04-01", "publish_date": "三月"}, "发布日期 三月 无法识别"),
    ],
)
def test_unknown_timeliness_is_explained_in_chinese(row, why):
    mine = {"timeliness": "unknown", "notes": "no publication date on the page", **row}
    zh = narrate.scorecard_sentence(mine)
    assert zh.startswith(f"发布时间不明（{why}）。") and "publication" not in zh
    assert "of unknown timeliness (no publication date on the page)" in narrate.scorecard_sentence(mine, lang="en")


def test_reference_sentence_names_the_weakest_category_by_its_label_and_scores_in_the_language():
    cols = ["label", "agreed", "rules", "coded", "precision", "recall", "f1", "precision_held_out", "recall_held_out"]
    table = pd.DataFrame(
        [["（全部）", 8, 9, 10, 0.89, 0.8, 0.84, 0.5, 0.5], ["合法性审查", 2, 3, 3, 0.67, 0.67, 0.67, 0.5, 0.5]],
        index=pd.Index(["(all)", "legality_review"], name="category"),
        columns=cols,
    )
    reference = pd.DataFrame({"source": ["embedded", "constructed", "constructed"]})
    held = pd.Series([False, False, True])
    result = SimpleNamespace(
        scores=pd.DataFrame(
            {"coder": ["coded"], "category": ["(all)"], "precision": [0.89], "recall": [0.8], "f1": [0.84]}
        ).assign(kappa=[0.8], n_items=[3]),
        agreement=pd.DataFrame(columns=["category"]),
        problems=pd.DataFrame(),
    )
    zh = narrate.reference_sentence(table, reference, held, result)
    assert "最弱的类别是 **合法性审查**（精确率 0.67，召回率 0.67）" in zh and "legality_review" not in zh
    assert zh.endswith(
        "规则与编码者 `coded` 相比：精确率、召回率、F1、κ 依次为 0.89、0.80、0.84、0.80（3 条）；0 行无法读取或未编码，已列出。"
    )
    en = narrate.reference_sentence(table, reference, held, result, "en")
    assert "(legality\\_review: precision 0.67" in en and en.endswith("0 unreadable or uncoded rows listed.")
