"""Near copies are copies of ONE issuer's report: every county has a 司法局 and hundreds of towns are
城关镇, and two bodies of one short name may publish much the same text in one year (a provincial
template, a short page of boilerplate). `find_duplicates` takes a text most of whose sentences are in
another for a copy only when their place fields agree wherever both know them (as the scorecard tells
issuers apart); the same bytes or the same text are one report wherever the places point."""

from __future__ import annotations

import pytest

from fazhi_lib.pipeline.assemble import find_duplicates
from fazhi_lib.pipeline.result import FileResult

SENTENCES = [f"第{i}项工作按照年度计划全面推进并取得阶段成效。" for i in "一二三四五六七八九十"]
FULL = "\n".join(SENTENCES)
SHORTER = "\n".join(SENTENCES[:8])  # every sentence in FULL: a truncated copy


def result(name: str, text: str, place: tuple, *, sha: str | None = None) -> FileResult:
    province, prefecture, county = place
    report = {
        "sha256": sha or f"sha-{name}",
        "issuer": "司法局",
        "report_year": 2023,
        "province": province,
        "prefecture": prefecture,
        "county": county,
        "part_kinds": "",
        "format": "txt",
        "encoding": "utf-8",
        "converted_from": None,
    }
    return FileResult(name, report, {"texts": [{"text": text}]}, {"source_file": name, "status": "ok"})


HERE = ("湖北省", "武汉市", "江夏区")


@pytest.mark.parametrize(
    ("other", "copy"),
    [
        (HERE, True),  # the same county
        (("湖北省", "武汉市", None), True),  # the copy's county unknown (a truncated page): agrees
        ((None, None, None), True),  # no place known
        (("湖北省", "武汉市", "黄陂区"), False),  # another county's 司法局
        (("福建省", None, None), False),  # another province's
    ],
)
def test_a_shorter_text_is_a_copy_only_of_the_same_place(other, copy):
    got = find_duplicates([result("a.txt", FULL, HERE), result("b.txt", SHORTER, other)])
    if copy:
        assert list(got) == ["b.txt"] and got["b.txt"][0] == "a.txt"
        assert "shorter copy" in got["b.txt"][1]
    else:
        assert got == {}


def test_the_same_text_is_one_report_wherever_the_places_point():
    got = find_duplicates([result("a.txt", FULL, HERE), result("b.html", FULL, ("福建省", None, None))])
    assert list(got) == ["b.html"] and "the same report text" in got["b.html"][1]


def test_a_copy_joins_two_places_only_through_a_place_both_agree_with():
    # b (no county) is a copy of a and of c, but a and c are two counties: b goes with one of them
    # (the more complete copy is kept), and a and c both stay
    files = [
        result("a.txt", FULL, HERE),
        result("b.txt", SHORTER, ("湖北省", "武汉市", None)),
        result("c.txt", FULL + "\n第十一项工作稳步推进各项指标全面完成。", ("湖北省", "武汉市", "黄陂区")),
    ]
    got = find_duplicates(files)
    assert set(got) == {"b.txt"}
