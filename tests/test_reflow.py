"""Pages that lost their line breaks (a mirror's one-line page, text taken from HTML with spaces between
paragraphs) read like the page with them (`clean.reflow_long_lines`): variants written from the genre,
not copied from the development set."""

from __future__ import annotations

import pytest

from fazhi_lib.clean import reflow_long_lines
from fazhi_lib.pipeline import parse_text

FIELDS = ("title", "issuer", "level", "report_year", "publish_date", "province", "prefecture", "county")

LINES = [
    "您当前的位置:首页 > 政务公开 > 法定主动公开内容 > 其他文件",
    "龙游县人民政府关于2023年度法治政府建设情况的报告",
    "发布日期: 2024-01-26 09:12",
    "浏览次数:",
    "中共龙游县委:",
    "2023年,县政府坚持以习近平法治思想为指导,深入推进依法行政。现将有关情况报告如下:",
    "一、主要举措和成效",
    "(一)加强党对法治政府建设的领导。" + "县政府常务会议专题学法6次,审议通过规范性文件12件。" * 8,
    "(二)严格规范公正文明执法。" + "全年办理行政执法案件1320件,行政复议纠错率下降。" * 8,
    "二、存在的不足和原因",
    "一是执法力量不足。二是基层法治人才缺乏。" * 3,
    "三、2024年工作安排",
    "继续深入推进法治政府建设。" * 4,
]


def _report(page: str) -> dict:
    r = parse_text(page).report
    return {k: r[k] for k in (*FIELDS, "part_kinds")}


@pytest.mark.parametrize(
    "space", [" ", "  ", "\u3000", " \u3000 "], ids=["space", "two spaces", "ideographic", "mixed"]
)
def test_a_page_without_line_breaks_reads_like_the_page(space):
    page = "\n".join(LINES) + "\n"
    flat = space.join(LINES) + "\n"
    assert "\n" not in flat[:-1]
    flowed, n = reflow_long_lines(flat)
    assert n >= 8 and len(flowed) == len(flat)
    assert [line.strip() for line in flowed.splitlines()] == LINES  # every break back where it was
    want, got = _report(page), _report(flat)
    assert want["issuer"] == "龙游县" and want["publish_date"] == "2024-01-26" and "problems" in want["part_kinds"]
    assert got == want


def test_ordinary_pages_stay_as_they_are():
    page = "\n".join(LINES) + "\n"
    assert reflow_long_lines(page) == (page, 0)  # no line long enough
    long_paragraph = "全年审查文件12件。 " * 30  # a long line with spaces after its sentences …
    assert reflow_long_lines(long_paragraph[:300]) == (long_paragraph[:300], 0)  # … too short to be a page
    few = "全年审查文件12件,持续推进依法行政" * 30 + "。 一、主要成效" + "继续推进" * 20
    assert reflow_long_lines(few) == (few, 0)  # fewer than REFLOW_MIN_BREAKS (2) places
    # two places are enough: an excerpt's three line breaks printed as spaces (addressee: opening。 一、…)
    two = (
        "江苏省某市人民政府: 2023年,某市坚持依法行政"
        + ",持续推进法治政府建设" * 40
        + "。 一、主要成效"
        + "继续推进" * 20
    )
    flowed, n = reflow_long_lines(two)
    assert n == 2 and flowed.splitlines()[1].startswith("2023年") and flowed.splitlines()[2].startswith("一、")
    numbers = "2023 年审查文件 12 件,办理案件 1320 件," * 20  # spaces inside sentences are no breaks
    assert reflow_long_lines(numbers) == (numbers, 0)


def test_a_body_printed_above_its_title_keeps_its_own_line():
    # …> 年报 X镇人民政府 关于2021年度…的报告 日期:…: the body's name goes on its own line above the title,
    # as on the page, so that the title keeps its issuer (it had stayed glued to the breadcrumb)
    lines = [
        "您当前的位置:首页 >政务公开 >法治政府建设年报",
        "石门县龙潭镇人民政府",
        "关于2021年度法治政府建设情况的报告",
        "日期:2022-03-31",
        *LINES[5:],
    ]
    flat = " ".join(lines) + "\n"
    flowed, _ = reflow_long_lines(flat)
    assert [line.strip() for line in flowed.splitlines()[:4]] == lines[:4]
    assert _report(flat)["issuer"] == "龙潭镇"


@pytest.mark.parametrize(
    "head",
    [
        "石门县2023年度法治政府建设情况报告 索引号 发布机构 县政府 公开类别 主动公开 发布时间 2024-01-26",  # no colon
        "通知公告 石门县2023年度法治政府建设情况报告 来源: 石门县人民政府 发布日期: 2024-01-26",  # the body after it
    ],
    ids=["label without its colon", "date before the body"],
)
def test_a_one_line_pages_publication_date(head):
    # the date ends its line (…发布日期: 2024-01-26 2023坚持…), a label without its colon starts one
    opening = (
        " 2023坚持以习近平法治思想为指导" + ",深入推进依法行政,全面提升政府工作人员法治思维和依法行政能力" * 12 + "。 "
    )
    flat = head + opening + " ".join(LINES[6:]) + "\n"
    r = _report(flat)
    assert (r["publish_date"], r["title"]) == ("2024-01-26", "石门县2023年度法治政府建设情况报告"), r
