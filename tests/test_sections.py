"""Headings at every depth and part kinds by meaning (variants from GLOSSARY.md)."""

import pytest

from fazhi_lib.sections import classify_part, parts_of, problem_items, segment

KINDS = [
    ("一、主要成效和举措", None, "achievements"),
    ("一、2025年法治建设主要工作及成效", 2025, "achievements"),
    ("二、存在的不足和原因", None, "problems"),
    ("二、2024年推进法治政府建设存在的不足和原因", 2024, "problems"),
    ("二、存在的短板", None, "problems"),
    ("三、第一责任人职责履行情况", None, "duty"),
    ("三、2024年党政主要负责人履行推进法治建设第一责任人职责,加强法治政府建设的有关情况", 2024, "duty"),
    ("四、2025年推进法治政府建设的主要安排", 2024, "plan"),
    ("三、下步对策措施", None, "plan"),
    ("三、2026年工作思路与计划", 2025, "plan"),
    ("三、2024年度主要工作", 2023, "plan"),  # next year's work is a plan, not achievements
    ("五、其他需要报告的情况", None, "other"),
    ("第二部分 存在的问题", None, "problems"),
    ("一、加强组织领导", None, None),
]


@pytest.mark.parametrize("heading, year, kind", KINDS)
def test_classify_part(heading, year, kind):
    assert classify_part(heading, report_year=year) == kind


def _kinds(text, year=2024):
    return [(s.depth, s.kind) for s in segment(text, report_year=year).sections if s.depth <= 1]


def test_parts_by_meaning_not_position():
    # no duty part, problems numbered 三, plan before other
    text = "前言。\n一、主要举措和成效\n正文。\n二、法治督察整改情况\n正文。\n三、存在的问题\n1.力量不足。\n四、下一步工作安排\n正文。"
    assert _kinds(text) == [(0, "preamble"), (1, "achievements"), (1, "achievements"), (1, "problems"), (1, "plan")]


def test_unnumbered_part_heading_and_part_numbering_reused_inside():
    text = "前言。\n一、主要举措和成效\n一、加强领导\n正文。\n二、依法决策\n正文。\n存在的不足和原因\n一是人员不足。二是意识不强。\n下一步工作打算\n正文。"
    seg = segment(text, report_year=2024)
    tops = [(s.heading, s.kind) for s in seg.sections if s.depth == 1]
    assert tops == [("主要举措和成效", "achievements"), ("存在的不足和原因", "problems"), ("下一步工作打算", "plan")]
    nested = [s.heading for s in seg.sections if s.depth == 2 and s.kind == "achievements"]
    assert nested == ["加强领导", "依法决策"]


def test_full_width_parentheses_and_arabic_items():
    text = "一、存在的问题\n（一）队伍建设\n1、人员不足。\n2、经费不足。\n（二）意识不强\n二、2025年工作计划\n正文。"
    seg = segment(text, report_year=2024)
    assert [(s.depth, s.marker) for s in seg.sections] == [
        (1, "一、"),
        (2, "（一）"),
        (3, "1、"),
        (3, "2、"),
        (2, "（二）"),
        (1, "二、"),
    ]
    part = [p for p in parts_of(text, seg.sections) if p.kind == "problems"][0]
    intro, items = problem_items(text, seg.sections, part)
    assert [i.heading for i in items] == ["队伍建设", "意识不强"]


def test_numbers_are_not_headings():
    text = "一、主要成效\n2.5万人次参与普法。\n2024年全年审查合同。"
    assert [s.marker for s in segment(text).sections] == ["一、"]


def test_problems_as_plain_paragraphs():
    text = "一、存在的不足\n我镇仍存在以下不足:\n人员力量不足,专业人员少。\n法治意识不强。\n二、下一步计划\n正文。"
    seg = segment(text, report_year=2024)
    part = [p for p in parts_of(text, seg.sections) if p.kind == "problems"][0]
    intro, items = problem_items(text, seg.sections, part)
    assert intro == "我镇仍存在以下不足:"
    assert [text[i.start : i.end] for i in items] == ["人员力量不足,专业人员少。", "法治意识不强。"]


def test_heading_number_skip_is_noted():
    text = "一、主要成效\n(一)甲\n(二)乙\n(四)丁"
    assert any("skip" in m for m in segment(text).messages)
