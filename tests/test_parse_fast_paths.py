"""The per-report fast paths (issue 22) give what the plain code gives: lines split at once or one by
one, offsets kept as runs, heading systems matched by one joined regex, province short names found in
one scan, tokens of letters and digits never judged."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from fazhi_lib import clean, places, sections

PAGES = [
    "首页 > 政府信息公开\n发布时间: 2025-03-21 09:39\n一、主要成效\n全年审查１０９０件。",
    "  • 信息索引号:\n\n    11330703736873621E/2017-139175\n\u3000\u3000塘栖镇  2024 年  法治\t政府\n",
    "一、主要成效\r\n(一)加强领导\r\n全年开会3次。\r二、存在的不足\n一是队伍力量薄弱。",
    "第一行\x0c第二行\u2028第三行\x85  第 四 行  \n",
    "",
    "\n\n",
    "no newline at the end",
]


@pytest.mark.parametrize("page", PAGES)
def test_split_lines_at_once_is_line_by_line(page):
    normalised = clean._spaced(page.translate(clean._FULLWIDTH))
    assert clean.split_lines(page) == clean._split_lines_each(page, normalised)


@pytest.mark.parametrize("page", PAGES)
def test_offset_runs_give_each_characters_raw_offset(page):
    p = clean.clean_page(page)
    offsets = p.offsets
    assert len(offsets) == len(p.text)
    assert [p.offset(i) for i in range(len(p.text))] == offsets
    for ch, off in zip(p.text, offsets):
        if ch not in " \n":  # (a space stands for a run of whitespace; a line break for the line's end)
            assert page[off] == ch or clean.normalise_line(page[off]) == ch
    if p.text:
        assert p.raw_span(0, len(p.text)) == (offsets[0], offsets[-1] + 1)
        assert p.raw_span(3, 3) == (offsets[min(3, len(offsets) - 1)],) * 2
    else:
        assert p.raw_span(0, 0) == (0, 0)


def test_joined_heading_systems_match_as_the_first_system_that_matches():
    rules = sections._rules()
    assert rules.any_system is not None
    lines = [
        "一、主要成效",
        "(一)加强领导",
        "（2）完善制度",
        "1.强化监督",
        "12、健全",
        "一是队伍薄弱",
        "第三部分 计划",
        "2024年,全区",
        "",
    ]
    for line in lines:
        first = next(((n, m.group("num"), m.end()) for n, _, rx in rules.systems if (m := rx.match(line))), None)
        m = rules.any_system.match(line)
        i = rules.system_of[m.lastgroup] if m else None
        joined = (rules.systems[i][0], m.group(f"_{i}_num"), m.end()) if m else None
        assert joined == first, line


def test_patterns_that_cannot_be_joined_are_matched_one_by_one():
    assert sections._joined([r"^(?P<num>\d)(?P=num)", r"^x"]) is not None  # named references are renamed
    assert sections._joined([r"^(\d)\1", r"^x"]) is None  # a numbered reference is not
    assert sections._joined([r"(?i)^x", r"^y"]) is None  # nor an inline flag


def test_province_short_names_found_in_one_scan():
    shorts = (("广东", "440000"), ("内蒙古", "150000"), ("北京", "110000"), ("东", "x"))
    for text in ["广东省和内蒙古", "北京", "没有", "𠀀广东", "东广东"]:
        assert places._shorts_in(text, shorts) == [(s, c) for s, c in shorts if s in text]


def test_letters_and_digits_are_never_punctuation():
    # part_tokens keeps a str.isalnum token as it is without judging it: every character of such a
    # token is a letter or a digit (category L or N) in this Python's Unicode database
    odd = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isalnum() and unicodedata.category(c)[0] not in "LN"]
    assert odd == []
