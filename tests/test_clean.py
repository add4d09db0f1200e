"""Cleaning: page cruft out, metadata read, duplicate copy out, words untouched, offsets kept."""

import pytest

from fazhi_lib.clean import clean_page, normalise_line
from fazhi_lib.load import decode_bytes

PAGE = """首页 > 政府信息公开 > 法治政府建设年度报告
• 信息索引号:

  11330703736873621E/2024-139175

• 发布机构:

  澧浦镇
发布时间： 2024-01-31 15:51   浏览次数：128  字体:[ 大 中 小 ]
澧浦镇2023年度法治政府
建设工作报告
今年以来，澧浦镇坚持以习近平新时代中国特色社会主义思想为指导，全年审查合同４３份。
一、主要举措与成效
一是强化统筹。组织合法性审查１３次。
【打印本页】 【关闭窗口】
扫一扫在手机打开当前页
"""


def test_cruft_metadata_and_split_title():
    page = clean_page(PAGE)
    assert page.title == "澧浦镇2023年度法治政府建设工作报告"  # split over two lines, joined
    assert page.meta["信息索引号"] == ["11330703736873621E/2024-139175"]
    assert page.meta["发布机构"] == ["澧浦镇"]
    assert page.meta["发布时间"] == ["2024-01-31 15:51"]
    assert page.text.split("\n") == [
        "今年以来，澧浦镇坚持以习近平新时代中国特色社会主义思想为指导，全年审查合同43份。",
        "一、主要举措与成效",
        "一是强化统筹。组织合法性审查13次。",
    ]
    assert "breadcrumb" in page.dropped and "qr_prompt" in page.dropped


def test_offsets_point_into_the_raw_text():
    page = clean_page(PAGE)
    i = page.text.index("合法性审查")
    assert PAGE[page.offsets[i] : page.offsets[i] + 5] == "合法性审查"
    a, b = page.raw_span(i, i + 5)
    assert PAGE[a:b] == "合法性审查"


def test_duplicate_copy_dropped_and_differences_reported():
    body = "2024年,某镇在县委领导下推进法治建设取得成效。\n一、主要成效\n全年化解纠纷10件。\n二、存在的不足\n一是力量薄弱。"
    page = clean_page(body + "\n【打印本页】\n" + body)
    assert page.duplicate and page.text == body
    changed = body.replace("10件", "12件")
    page = clean_page(body + "\n" + changed)
    assert page.text == body
    assert any("differ in 1 paragraphs" in m for m in page.messages)


def test_repeated_sentence_is_not_a_duplicate_copy():
    text = "这是一段足够长的正文第一段落内容而且超过二十个字。\n一、成效\n这是一段足够长的正文第一段落内容而且超过二十个字。\n二、存在的问题"
    page = clean_page(text)
    assert not page.duplicate and page.text == text


BODY = "2022年,某县坚持依法行政,全年审查文件12件。\n一、主要成效\n全年化解纠纷10件。\n二、存在的不足\n一是力量薄弱。"


def test_a_site_banner_repeated_further_down_keeps_the_body():
    # a mirror repeats its two banner lines below the title: before, the first long banner line was taken
    # for the report's first paragraph, so everything after its repeat was dropped as a "second copy"
    banner = "某某市某某区人民政府门户网站欢迎您访问本站\n无障碍 简体| 繁体"
    page = clean_page(f"{banner}\n某县2022年法治政府建设情况报告\n{banner}\n{BODY}")
    assert not page.duplicate
    assert page.text.endswith(BODY) and page.title == "某县2022年法治政府建设情况报告"


def test_a_lead_shown_twice_is_no_second_copy():
    lead = "2022年,某县坚持依法行政,推进法治政府建设取得明显成效。\n一、主要成效"
    rest = "全年化解纠纷10件。\n二、存在的不足\n一是力量薄弱。\n三、下一步工作\n一是加强队伍建设。"
    page = clean_page(f"{lead}\n{lead}\n{rest}")
    assert not page.duplicate and page.text.endswith(rest)


def test_a_page_clock_is_cruft_and_gives_no_year():
    from fazhi_lib.parse import parse_page

    for clock in ("某某市人民政府 2018年12月3日星期二", "今天是:2018-12-03 周二 10:21", "2018年12月6日 (星期四)"):
        page = clean_page(f"{clock}\n您现在的位置:首页 > 政务公开\n{BODY}")
        assert page.dropped["page_clock"] == 1 and page.dropped["breadcrumb"] == 1
        assert page.text == BODY
        report = parse_page(f"{clock}\n您当前所在的位置:首页\n{BODY}").document.report
        assert report["report_year"] == 2022  # (the clock's 2018 had been taken from the preamble)
    assert not clean_page("会议于2022年3月5日星期六召开,研究法治政府建设工作。\n" + BODY).dropped


def test_metadata_glued_to_the_title_line():
    title = "某县2022年法治政府建设情况工作报告"
    page = clean_page(f"{title}  发布时间:2023-02-09  来源:本站  浏览次数:1234  字号:[大 中 小]\n{BODY}")
    assert page.title == title and page.text == BODY
    assert page.meta == {"发布时间": ["2023-02-09"], "来源": ["本站"]}


def test_a_title_split_inside_its_phrase_wins_over_a_later_line():
    # the first printed title, split (neither line names the report alone), over the second printing
    # below it and over a subtitle (——…) that names the report in one line
    page = clean_page(
        "中共某县县委 某县人民政府关于2024年法治政府建设\n情况的报告\n发布时间:2025-03-28\n"
        f"中共某县县委  某县人民政府\n关于2024年法治政府建设情况的报告\n{BODY}"
    )
    assert page.title == "中共某县县委 某县人民政府关于2024年法治政府建设情况的报告"
    page = clean_page(
        f"某省2017年法治政府建设\n情况报告\n\n——法治政府建设进入新阶段暨某省2017年法治政府建设情况报告\n{BODY}"
    )
    assert page.title == "某省2017年法治政府建设情况报告"
    page = clean_page(f"某某网站\n某县2022年法治政府建设情况报告\n{BODY}")  # a line and a title: the title alone
    assert page.title == "某县2022年法治政府建设情况报告"


def test_unrecognised_header_line_is_kept_not_dropped():
    page = clean_page("某某网站\n塘栖镇法治政府建设年度报告(2024年度)\n2024年,塘栖镇坚持依法行政,取得明显成效。")
    assert page.text.startswith("某某网站")
    assert any("unrecognised line" in m for m in page.messages)


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("  全年审查１０９０件，覆盖率达１００％。 ", "全年审查1090件，覆盖率达100%。"),
        ("法治带头\u3000\u3000人156人", "法治带头 人156人"),
        ("\t(一)党建引领法治建设 深化基层依法治理", "(一)党建引领法治建设 深化基层依法治理"),
    ],
)
def test_normalise_line(raw, clean):
    assert normalise_line(raw) == clean


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_decode(encoding):
    text = "澧浦镇2023年度法治政府建设工作报告"
    decoded, used = decode_bytes(text.encode(encoding))
    assert decoded == text


def test_page_controls_are_not_kept_as_metadata_pairs():
    page = clean_page(
        "发布机构:甲镇 字体:[ 大 中 小 ]\n浏览次数: 35\n发布时间: 2025-03-21\n一、主要成效\n全年召开会议3次。"
    )
    assert page.meta == {"发布机构": ["甲镇"], "发布时间": ["2025-03-21"]}
    assert "字体" not in page.text and "浏览次数" not in page.text


def test_embedded_page_meta_has_only_metadata_labels(corpus):
    from fazhi_lib.rules import load_rules

    labels = {lab for group in load_rules("cruft")["metadata_labels"].values() for lab in group}
    assert set(corpus.page_meta["label"]) <= labels
    assert "字体" not in set(corpus.page_meta["label"])  # 澧浦镇's font control 字体 = [ ]


def test_indents_printed_as_question_marks_are_spaces():
    # a page converted through an encoding without 　 prints a paragraph's indent as ??: the heading and
    # the opening are read; mojibake (?。ㄒ唬) and a question mark inside a sentence are left as they are
    from fazhi_lib.clean import lost_indents
    from fazhi_lib.pipeline import parse_text

    raw = "??一、2017年厦门市法治政府建设的主要工作和成效\n??(一)建立领导体制\n??1.市政府成立领导小组。\n?。ㄒ唬┩七M\n为什么??不查\n"
    flowed, n = lost_indents(raw)
    assert (len(flowed), n) == (len(raw), 3)
    assert flowed.splitlines()[3:] == ["?。ㄒ唬┩七M", "为什么??不查"]
    r = parse_text(raw.replace("?。ㄒ唬┩七M\n", "") + "??二、存在的问题\n??执法力量不足。\n")
    assert (r.report["issuer"], r.report["report_year"]) == ("厦门市", 2017)
    assert [s["kind"] for s in r.tables["sections"] if s["depth"] == 1] == ["achievements", "problems"]


@pytest.mark.parametrize(
    "rows",
    [
        "| 索 引 号 | 11500230008689762A/2026-00004 | 主题分类 | |\n| 成文日期 | 2026-02-12 | 发布日期 | 2026-02-14 |\n"
        "| 发文单位 | 石门镇人民政府 | 发布机构 | 石门镇人民政府 |\n",
        "[ 索引号 ] 11500230008689762A/2026-00004 [ 发布机构 ] 石门镇人民政府\n[ 成文日期 ] 2026-02-12 [ 发布日期 ] 2026-02-14\n",
        "【发布日期】2026-02-14 【成文日期】2026-02-12\n",
    ],
)
def test_a_metadata_tables_rows_are_read_cell_by_cell(rows):
    # a page's metadata table copied as text: | label | value | label | value |, [ label ] value, 【label】value
    from fazhi_lib.pipeline import parse_text

    page = "石门镇2025年法治政府建设情况报告\n" + rows + "2025年,石门镇坚持依法行政。\n一、主要成效\n全年审查合同43份。"
    r = parse_text(page).report
    assert (r["publish_date"], r["written_date"], r["title"]) == (
        "2026-02-14",
        "2026-02-12",
        "石门镇2025年法治政府建设情况报告",
    ), r
    assert "unrecognised line" not in (r["warnings"] or ""), r["warnings"]  # the rows are metadata, not kept text
