"""profile: the tables of a report's page (notebook 04) in Chinese (default) and English."""

import pytest

from fazhi_lib import profile


@pytest.fixture(scope="module")
def tangqi(corpus):
    reports = corpus.reports
    return reports.loc[reports["issuer"] == "塘栖镇", "report_id"].iloc[0]


def test_metadata_shows_level_region_and_status_by_their_labels(corpus, tangqi):
    zh = profile.metadata_table(corpus, tangqi).set_index("field")["value"]
    assert (zh["level"], zh["region"], zh["parse status"]) == ("乡镇", "东部", "正常")
    assert zh["cite as"].endswith("来源网址不详（文件 000_032c39149d571eae.txt）.")
    en = profile.metadata_table(corpus, tangqi, "en").set_index("field")["value"]
    assert (en["level"], en["region"], en["parse status"]) == ("township", "east", "ok")
    assert en["cite as"].endswith("source address unknown (file 000_032c39149d571eae.txt).")


def test_scorecard_rank_and_timeliness_in_the_language(corpus, tangqi):
    zh = profile.scorecard_table(corpus, tangqi).set_index("measure")
    n = len(corpus.reports)
    assert zh.loc["completeness", "rank"].startswith("第 ") and zh.loc["completeness", "rank"].endswith(f" / 共 {n}")
    assert zh.loc["timeliness", "this report"] == "按时"
    assert (
        zh.loc["timeliness", "corpus median"].startswith(f"{n} 份中 ")
        and zh.loc["timeliness", "rank"] == "截止日 2025-04-01"
    )
    en = profile.scorecard_table(corpus, tangqi, "en").set_index("measure")
    assert en.loc["completeness", "rank"].endswith(f" of {n}") and en.loc["timeliness", "this report"] == "on time"
    assert en.loc["timeliness", "rank"] == "deadline 2025-04-01"


def test_heading_of_a_report_without_a_title_says_so_in_the_language(corpus):
    reports = corpus.reports
    untitled = reports.loc[reports["title"].isna() | (reports["title"] == ""), "report_id"]
    assert len(untitled), "the embedded corpus has a page without a title (上社镇)"
    assert "（页面上没有标题）" in profile.heading_markdown(corpus, untitled.iloc[0])
    assert "(no title on the page)" in profile.heading_markdown(corpus, untitled.iloc[0], "en")


def test_problem_items_name_categories_in_the_language(corpus, tangqi):
    zh = profile.problem_items_table(corpus, tangqi)
    en = profile.problem_items_table(corpus, tangqi, "en")
    assert "执法规范性" in "、".join(zh["categories"]) and "enforcement" in "、".join(en["categories"])
    assert not any(c.isascii() and c for c in zh["categories"])


def test_numbers_on_a_chinese_page_name_the_indicator_once(corpus, tangqi):
    zh, source = profile.key_numbers(corpus, tangqi, top_n=5, lang="zh")
    assert source == "indicators" and "label" not in zh.columns and "indicator" in zh.columns
    en, _ = profile.key_numbers(corpus, tangqi, top_n=5, lang="en")
    assert list(en.columns) == list(profile.INDICATOR_COLUMNS)
    assert list(profile.key_numbers(corpus, tangqi, top_n=5)[0].columns) == list(profile.INDICATOR_COLUMNS)
