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
