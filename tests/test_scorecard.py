"""The report-quality scorecard (fazhi_lib/scorecard.py), checked by hand against data/raw/.

Publication dates: 000 塘栖镇 "发布时间: 2025-03-21" (line 8), 001 湖塘街道 "发文日期: 2025-02-10", 002 云龙镇
"生成日期 2024-02-22", 003 澧浦镇 "发布时间: 2024-01-31", 004 上社镇 none. Parts: 塘栖镇 has all five headings
(五、其他需要报告的情况 with nothing under it), 湖塘街道 has no 其他 part, the other three have neither a duty
nor an other part.
"""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fazhi_lib import scorecard as sc
from fazhi_lib.corpus import Corpus


@pytest.fixture(scope="module")
def card(corpus):
    return sc.scorecard(corpus).set_index("issuer")


@pytest.mark.parametrize(
    "issuer, parts_present, completeness, missing, empty",
    [
        ("塘栖镇", 5, 1.0, "", "other"),
        ("湖塘街道", 4, 0.8, "other", ""),
        ("云龙镇", 3, 0.6, "duty,other", ""),
        ("澧浦镇", 3, 0.6, "duty,other", ""),
        ("上社镇", 3, 0.6, "duty,other", ""),
    ],
)
def test_completeness_hand_checked(card, issuer, parts_present, completeness, missing, empty):
    row = card.loc[issuer]
    assert (row["parts_present"], row["completeness"], row["missing_parts"], row["empty_parts"]) == (
        parts_present,
        completeness,
        missing,
        empty,
    )


@pytest.mark.parametrize(
    "issuer, publish_date, deadline, days, status",
    [
        ("塘栖镇", "2025-03-21", "2025-04-01", 11, "on_time"),
        ("湖塘街道", "2025-02-10", "2025-04-01", 50, "on_time"),
        ("云龙镇", "2024-02-22", "2024-04-01", 39, "on_time"),  # 2024 is a leap year: 7 + 29 + 3 days
        ("澧浦镇", "2024-01-31", "2024-04-01", 61, "on_time"),
        ("上社镇", None, "2026-04-01", None, "unknown"),  # no publication label on the page: unknown stays unknown
    ],
)
def test_timeliness_hand_checked(card, issuer, publish_date, deadline, days, status):
    row = card.loc[issuer]
    assert (None if pd.isna(row["publish_date"]) else row["publish_date"]) == publish_date
    assert row["deadline"] == deadline
    assert (None if pd.isna(row["days_before_deadline"]) else row["days_before_deadline"]) == days
    assert row["timeliness"] == status


@pytest.mark.parametrize(
    "year, published, expected",
    [
        (2024, "2025-03-31", ("2025-04-01", 1, "on_time", "")),
        (2024, "2025-04-01", ("2025-04-01", 0, "late", "")),  # "before 1 April": 1 April itself is late
        (2024, "2025-06-30", ("2025-04-01", -90, "late", "")),
        (2024, "2024-12-28", ("2025-04-01", 94, "on_time", "")),
        (2024, None, ("2025-04-01", None, "unknown", "no publication date on the page")),
        (None, "2025-03-01", (None, None, "unknown", "no report year")),
    ],
)
def test_timeliness_rule(year, published, expected):
    assert sc.timeliness(year, published) == expected


def test_timeliness_refuses_impossible_dates():
    _, days, status, note = sc.timeliness(2024, "2023-11-02")
    assert (days, status) == (None, "unknown") and "before the report year 2024 began" in note
    assert sc.timeliness(2024, "2025-13-40")[2] == "unknown"


@pytest.mark.parametrize(
    "issuer, n_items, with_facts",
    [
        # 云龙镇: (一) 全镇机关干部77人…; (二) 比如,部分村社干部…; (三) 聘用两名律师… 比如…; (四) none
        ("云龙镇", 4, 3),
        ("湖塘街道", 5, 1),  # 二是…目前街道仅2人具有法律执业资格证
        ("塘栖镇", 2, 1),  # 1. …出现3起行政纠错案件
        ("澧浦镇", 2, 0),
        ("上社镇", 4, 0),
    ],
)
def test_candour_items_with_facts_hand_checked(corpus, card, issuer, n_items, with_facts):
    row = card.loc[issuer]
    assert (row["n_problem_items"], row["n_items_with_facts"]) == (n_items, with_facts)
    assert row["candour_fact_share"] == pytest.approx(with_facts / n_items)
    # the same facts are found when the indicators table is absent (the regex fallback)
    tables = {k: v for k, v in corpus.tables.items() if k != "indicators"}
    fallback = sc.scorecard_from_tables(tables).set_index("issuer")
    assert fallback.loc[issuer, "quant_source"] == "regex"
    assert fallback.loc[issuer, "n_items_with_facts"] == with_facts


def test_candour_ratio_is_problems_over_achievements(corpus, card):
    parts = corpus.parts.merge(corpus.reports[["report_id", "issuer"]], on="report_id")
    lengths = parts.assign(n=parts["text"].str.len()).pivot_table(
        index="issuer", columns="kind", values="n", aggfunc="sum"
    )
    for issuer, row in card.iterrows():
        assert row["problems_chars"] == lengths.loc[issuer, "problems"]
        assert row["candour_ratio"] == pytest.approx(
            lengths.loc[issuer, "problems"] / lengths.loc[issuer, "achievements"], abs=1e-4
        )
    assert card.loc["云龙镇", "candour_ratio"] == pytest.approx(1165 / 2942, abs=1e-4)


def test_quantification_counts_measurements_from_the_indicators_table(corpus, card):
    ind = corpus.tables["indicators"]
    measured = ind[[sc.is_measurement(k, v, r) for k, v, r in zip(ind["kind"], ind["value"], ind["raw"])]]
    counts = measured.groupby("report_id").size()
    zeros = ind[[sc.is_reported_zero(v, r) for v, r in zip(ind["value"], ind["raw"])]].groupby("report_id").size()
    for _, row in card.iterrows():
        assert row["quant_source"] == "indicators"
        assert row["n_quantities"] == counts.get(row["report_id"], 0)
        assert row["n_reported_zeros"] == zeros.get(row["report_id"], 0)
        assert row["quant_density"] == pytest.approx(1000 * row["n_quantities"] / row["n_chars"], abs=1e-4)
        assert 0 <= row["n_hard_sentences"] <= row["n_sentences"]
    # 上社镇 writes two numerals with a unit (持证上岗率达100%, 打造1—2个…示范点位) and reports four
    # zeros in words (无行政复议、行政诉讼案件; 未发生群体性事件和民转刑案件; 未制定规范性文件): 2 per 3,952 characters
    assert (card.loc["上社镇", "n_quantities"], card.loc["上社镇", "n_reported_zeros"]) == (2, 5)
    assert card.loc["上社镇", "quant_density"] == pytest.approx(1000 * 2 / card.loc["上社镇", "n_chars"], abs=1e-4)
    # 塘栖镇's two durations (已满5年, 连续四年全区第一) are not measurements
    durations = ind[(ind["kind"] == "duration")].merge(corpus.reports[["report_id", "issuer"]])
    assert sorted(durations["raw"]) == ["5年", "四年"] and set(durations["issuer"]) == {"塘栖镇"}
    assert card.loc["塘栖镇", "n_quantities"] == (ind["report_id"] == card.loc["塘栖镇", "report_id"]).sum() - 2 - 1
    assert card["quant_density"].idxmin() == "上社镇" and card["quant_density"].idxmax() == "澧浦镇"


# A hand-made report: every figure below is worked out by hand from this text.
HAND = (
    "甲镇2024年法治政府建设年度报告\n"
    "发布时间:2025-03-21\n"
    "一、主要举措和成效\n"
    "全年审查合同12件,开展普法活动3场。执法改革已满5年。全年无行政诉讼案件。\n"
    "二、存在的不足和原因\n"
    "(一)执法人员不足\n"
    "全镇仅有执法人员2名。\n"
    "(二)普法实效有待提高\n"
    "比如宣传形式单一。\n"
    "(三)法治意识不强\n"
    "部分干部法治意识淡薄。\n"
    "三、下一年度工作安排\n"
    "继续推进法治建设。\n"
)
ACHIEVEMENTS = "一、主要举措和成效\n全年审查合同12件,开展普法活动3场。执法改革已满5年。全年无行政诉讼案件。\n"
PROBLEMS = (
    "二、存在的不足和原因\n(一)执法人员不足\n全镇仅有执法人员2名。\n(二)普法实效有待提高\n比如宣传形式单一。\n"
    "(三)法治意识不强\n部分干部法治意识淡薄。\n"
)
PLAN = "三、下一年度工作安排\n继续推进法治建设。"


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    import fazhi_lib as fz

    folder = tmp_path_factory.mktemp("hand")
    (folder / "hand.txt").write_text(HAND, encoding="utf-8")
    corpus = fz.build_corpus(folder)
    return corpus, sc.scorecard(corpus).iloc[0]


def test_hand_made_report_is_read_as_written(hand):
    corpus, _ = hand
    assert corpus.texts["text"].iloc[0] == ACHIEVEMENTS + PROBLEMS + PLAN
    assert len(corpus.problem_items) == 3


def test_hand_made_completeness(hand):
    _, row = hand  # achievements, problems, plan of the five parts
    assert (row["parts_present"], row["completeness"], row["missing_parts"]) == (3, 3 / 5, "duty,other")


def test_hand_made_timeliness(hand):
    _, row = hand  # 2025-03-21 is 11 days before 2025-04-01
    assert (row["deadline"], row["days_before_deadline"], row["timeliness"]) == ("2025-04-01", 11, "on_time")


def test_hand_made_quantification_density(hand):
    _, row = hand
    # numerals with a unit: 12件, 3场, 2名; 已满5年 is a duration, 无行政诉讼案件 a reported zero
    n_chars = len(ACHIEVEMENTS + PROBLEMS + PLAN)
    assert (row["n_chars"], row["n_quantities"], row["n_reported_zeros"]) == (n_chars, 3, 1)
    assert row["quant_density"] == pytest.approx(1000 * 3 / n_chars, abs=1e-4)


def test_hand_made_hard_information(hand):
    _, row = hand
    # 13 sentences: 3 part headings, 3 item headings, 7 sentences of text; two hold a numeral with a
    # unit (…12件,…3场。 and 全镇仅有执法人员2名。)
    assert (row["n_sentences"], row["n_hard_sentences"]) == (13, 2)
    assert row["hard_info_share"] == pytest.approx(2 / 13, abs=1e-4)


def test_hand_made_candour(hand):
    _, row = hand
    assert (row["achievements_chars"], row["problems_chars"]) == (len(ACHIEVEMENTS), len(PROBLEMS))
    assert row["candour_ratio"] == pytest.approx(len(PROBLEMS) / len(ACHIEVEMENTS), abs=1e-4)
    # (一) states a number (2名), (二) a worked example (比如); (三) neither
    assert (row["n_problem_items"], row["n_items_with_facts"]) == (3, 2)
    assert row["candour_fact_share"] == pytest.approx(2 / 3, abs=1e-4)


def test_hand_made_similarity_needs_a_second_issuer(hand):
    _, row = hand  # one report: no other issuer to compare with, no previous report
    assert pd.isna(row["template_similarity"]) and pd.isna(row["stickiness"])


def test_hand_made_fallback_regex_gives_the_same_measurements(hand):
    corpus, _ = hand
    tables = {k: v for k, v in corpus.tables.items() if k not in ("indicators", "scorecard")}
    fallback = sc.scorecard_from_tables(tables).iloc[0]
    assert fallback["quant_source"] == "regex"
    assert (fallback["n_quantities"], fallback["n_hard_sentences"]) == (3, 2)
    assert pd.isna(fallback["n_reported_zeros"])  # the regex does not read zeros in words


@pytest.mark.parametrize(
    "text, found",
    [
        ("全镇机关干部77人,受过法学专业教育的不足5%", ["77人", "5%"]),
        ("化解矛盾纠纷1,132件,罚款33.75万元,覆盖3万余人次", ["1,132件", "33.75万元", "3万余人次"]),
        ("聘用两名律师,出现三起案件,受理十余件,受众百余人次", ["两名", "三起", "十余件", "百余人次"]),
        ("调解成功率百分之百,满意率92%以上", ["百分之百", "92%"]),
        # a number right after an ASCII comma (the comma of every embedded page) is read
        ("指标体系,29个村社,审查合同1,090件", ["29个", "1,090件"]),
        ("共受理,3起;办结,2件", ["3起", "2件"]),
        # not measurements: hotlines, model names, years, dates, ordinals, document numbers, durations, slogans
        ("拨打12345热线,推行1+3+29+X模式,2019—2023年度,2025年3月21日", []),
        ("连续第四年,〔2023〕5号,满5年,15分钟公共法律服务圈", []),
        ("做到两个维护,高效办成一件事,落实行政执法三项制度,三位一体审查,二十届八次全会,周五轮流值班", []),
    ],
)
def test_number_with_unit_expression(text, found):
    assert [text[a:b] for a, b in sc.quantities(text)] == found


def test_sentences_split_at_chinese_stops():
    text = "一、主要成效\n全年召开会议31次。审查合同5份;无\n"
    assert [text[a:b] for a, b in sc.sentences(text)] == ["一、主要成效", "全年召开会议31次。", "审查合同5份;", "无"]


def _tiny(rows):
    """A corpus of reports each with an achievements and a problems part (text given per report)."""
    reports, parts, texts = [], [], []
    for rid, issuer, year, province, problems in rows:
        ach = "一、主要成效\n全年召开会议3次。"
        prob = f"二、存在的不足\n{problems}"
        text = ach + "\n" + prob
        reports.append(
            {
                "report_id": rid,
                "issuer": issuer,
                "issuer_full": issuer,
                "report_year": year,
                "level": "township",
                "province": province,
                "prefecture": None,
                "county": None,
                "publish_date": None,
                "n_chars": len(text),
            }
        )
        parts.append({"report_id": rid, "part_order": 1, "kind": "achievements", "heading": "主要成效", "text": ach})
        parts.append({"report_id": rid, "part_order": 2, "kind": "problems", "heading": "存在的不足", "text": prob})
        texts.append({"report_id": rid, "text": text})
    reports = pd.DataFrame(reports).astype({"report_year": "Int64"})
    return Corpus(
        {
            "reports": reports,
            "parts": pd.DataFrame(parts),
            "texts": pd.DataFrame(texts),
            "problem_items": pd.DataFrame(columns=["report_id", "item_order", "start", "end", "text"]),
        }
    )


TEMPLATE = "一是法治意识不强,运用法治思维解决问题的能力不足。二是执法队伍力量薄弱,专业人员配备不够。"
OTHER = "基层调解员老龄化严重,新型纠纷处理经验欠缺;数字平台建设滞后,数据共享不畅。"


def test_stickiness_and_templating_on_a_small_corpus():
    corpus = _tiny(
        [
            ("a2023", "甲镇", 2023, "浙江省", TEMPLATE),
            ("a2024", "甲镇", 2024, "浙江省", TEMPLATE),  # 甲镇 copied its own previous problems part
            (
                "b2024",
                "乙镇",
                2024,
                "浙江省",
                TEMPLATE.replace("法治意识", "依法行政意识"),
            ),  # a near copy by another issuer
            ("c2024", "丙镇", 2024, "浙江省", OTHER),
            ("d2024", "甲镇", 2024, "山西省", OTHER),  # same name, another province: another issuer
        ]
    )
    card = sc.scorecard(corpus).set_index("report_id")
    assert card.loc["a2024", "previous_report_id"] == "a2023" and card.loc["a2024", "previous_year"] == 2023
    assert card.loc["a2024", "stickiness"] == pytest.approx(1.0)
    assert pd.isna(card.loc["a2023", "stickiness"]) and pd.isna(card.loc["a2023", "previous_report_id"])
    assert pd.isna(card.loc["d2024", "previous_report_id"])  # 山西 甲镇 is not 浙江 甲镇
    # templating never compares an issuer with itself: 甲镇's best match is 乙镇's near copy, not its own 2023 text
    assert card.loc["a2024", "template_peer"] == "b2024"
    assert 0.6 < card.loc["a2024", "template_similarity"] < 1.0
    # the 山西 甲镇 does count as another issuer for 丙镇, whose text it shares
    assert card.loc["c2024", "template_peer"] == "d2024" and card.loc["c2024", "template_similarity"] == pytest.approx(
        1.0
    )


def test_similarity_needs_two_issuers():
    corpus = _tiny([("a2023", "甲镇", 2023, "浙江省", TEMPLATE)])
    card = sc.scorecard(corpus)
    assert card["template_similarity"].isna().all() and card["stickiness"].isna().all()


def test_issuer_name_and_digits_do_not_make_reports_alike():
    a = "甲镇" + TEMPLATE + "审查合同1077件。"
    b = "乙镇" + TEMPLATE + "审查合同12件。"
    corpus = _tiny([("a", "甲镇", 2024, "浙江省", a), ("b", "乙镇", 2024, "浙江省", b)])
    assert sc.scorecard(corpus)["template_similarity"].tolist() == [pytest.approx(1.0)] * 2


def test_table_written_by_the_build_is_sorted_and_deterministic(corpus):
    stored = corpus.tables["scorecard"]
    assert list(stored.columns) == sc.SCORECARD_COLUMNS
    assert stored["report_id"].tolist() == sorted(corpus.reports["report_id"])
    again = sc.scorecard_from_tables(corpus.tables)
    pd.testing.assert_frame_equal(stored.reset_index(drop=True), again)


def test_filtered_corpus_keeps_whole_corpus_templating(corpus):
    one = sc.scorecard(corpus.filter(levels="subdistrict"))
    assert one["issuer"].tolist() == ["湖塘街道"]
    whole = sc.scorecard(corpus).set_index("issuer")
    assert one["template_similarity"].iloc[0] == whole.loc["湖塘街道", "template_similarity"]


def test_empty_corpus_gives_an_empty_table():
    assert list(sc.scorecard_from_tables({}).columns) == sc.SCORECARD_COLUMNS


# ---------------------------------------------------------------- the TF-IDF of the similarity measures
def _sklearn_equal(docs):
    """Whether `_char_tfidf(docs)` holds scikit-learn's TfidfVectorizer numbers, bit for bit."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    ours = sc._char_tfidf(docs)
    theirs = (
        TfidfVectorizer(analyzer="char", ngram_range=sc.NGRAM_RANGE, lowercase=False, sublinear_tf=True, norm="l2")
        .fit_transform(docs)
        .toarray()
    )
    vocabulary = TfidfVectorizer(analyzer="char", ngram_range=sc.NGRAM_RANGE, lowercase=False).fit(docs).vocabulary_
    first_seen = {}  # our columns: n-grams numbered in order of first appearance over the distinct texts
    for text in dict.fromkeys(docs):
        for n in range(sc.NGRAM_RANGE[0], sc.NGRAM_RANGE[1] + 1):
            for i in range(len(text) - n + 1):
                first_seen.setdefault(text[i : i + n], len(first_seen))
    to_theirs = np.array([vocabulary[g] for g in first_seen])
    dense = np.zeros_like(theirs)
    mine = ours.matrix.toarray()
    for i, row in enumerate(ours.rows):
        dense[i, to_theirs] = mine[row]
    return np.array_equal(dense, theirs)


def test_char_tfidf_is_scikit_learns_on_the_embedded_problems_parts(corpus):
    parts = corpus.parts[corpus.parts["kind"] == "problems"]
    docs = [sc._similarity_text(t, h, []) for t, h in zip(parts["text"], parts["heading"])]
    docs = [d for d in docs if d]
    assert len(docs) >= 5
    assert _sklearn_equal(docs + docs[:2])  # copies count in the document frequencies


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="法治政府建设#审查执法AB", min_size=2, max_size=30), min_size=1, max_size=8))
def test_char_tfidf_is_scikit_learns_on_any_texts(docs):
    assert _sklearn_equal(docs)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="法治政府建设#审查执法AB", min_size=0, max_size=30), min_size=1, max_size=12))
def test_char_tfidf_is_scikit_learns_when_sorted_a_few_texts_at_a_time(docs):
    # the n-grams are cut, numbered and sorted a run of whole texts at a time (about `_SORT_RUN` n-grams):
    # here a run is shorter than most texts, so every text is a run of its own, or a few short ones together
    saved, sc._SORT_RUN = sc._SORT_RUN, 7
    try:
        assert _sklearn_equal([*docs, "法治"])  # empty and one-character texts have no n-gram: runs of none
    finally:
        sc._SORT_RUN = saved


def test_docstring_examples_of_the_modules_of_issue_18_hold():
    import doctest

    from fazhi_lib import indicator_views, indicators, scorecard, typology

    for module in (scorecard, typology, indicators, indicator_views):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, f"{module.__name__}: {result.failed} docstring examples fail"
    assert doctest.testmod(scorecard).attempted >= 10
