"""Titles, issuers, levels and dates across the genre (variants from GLOSSARY.md)."""

import pytest

from fazhi_lib.metadata import issuer_from_body, parse_date, parse_title

TITLES = [
    # title, issuer, level, report_year, province, prefecture, county
    ("塘栖镇法治政府建设年度报告(2024年度)", "塘栖镇", "township", 2024, None, None, None),
    ("绍兴市柯桥区湖塘街道办事处2024年法治政府建设年度报告", "湖塘街道", "subdistrict", 2024, None, "绍兴市", "柯桥区"),
    ("2023年度云龙镇法治政府建设工作报告", "云龙镇", "township", 2023, None, None, None),
    ("重庆市渝北区大盛镇人民政府2021年法治政府建设工作报告", "大盛镇", "township", 2021, "重庆市", None, "渝北区"),
    ("临平区人民政府关于2022年度法治政府建设情况的报告", "临平区", "county", 2022, None, None, "临平区"),
    ("淮安市人民政府2019年度法治政府建设工作报告", "淮安市", "city", 2019, None, "淮安市", None),
    ("浙江省人民政府关于2017年法治政府建设情况的报告", "浙江省", "province", 2017, "浙江省", None, None),
    ("金华市义乌市2020年法治政府建设年度报告", "义乌市", "county", 2020, None, "金华市", "义乌市"),
    ("杭州市司法局2023年度法治政府建设工作报告", "司法局", "department", 2023, None, "杭州市", None),
    ("应急管理部2023年法治政府建设年度报告", "应急管理部", "department", 2023, None, None, None),
    ("二〇一九年度沛县法治政府建设情况报告", "沛县", "county", 2019, None, None, "沛县"),
    ("城关镇2016年依法行政工作报告", "城关镇", "township", 2016, None, None, None),
]


@pytest.mark.parametrize("title, issuer, level, year, province, prefecture, county", TITLES)
def test_parse_title(title, issuer, level, year, province, prefecture, county):
    t = parse_title(title)
    assert (t.issuer, t.level, t.report_year) == (issuer, level, year)
    assert (t.province, t.prefecture, t.county) == (province, prefecture, county)


def test_title_without_issuer_keeps_year():
    t = parse_title("关于2024年度法治政府建设情况的报告")
    assert t.issuer is None and t.level == "unknown" and t.report_year == 2024


@pytest.mark.parametrize(
    "value, iso",
    [
        ("2025-03-21 09:39", "2025-03-21"),
        ("2024年2月22日", "2024-02-22"),
        ("2024/1/31", "2024-01-31"),
        ("2025121日", None),
        ("", None),
        (None, None),
        ("2024-13-01", None),
    ],
)
def test_parse_date(value, iso):
    assert parse_date(value) == iso


@pytest.mark.parametrize(
    "preamble, issuer",
    [
        ("2025年,上社镇在县委、县政府的坚强领导下,坚持", "上社镇"),
        ("今年以来,湖塘街道坚持以习近平新时代", "湖塘街道"),
        ("2024年,全镇上下坚持", None),
    ],
)
def test_issuer_from_body(preamble, issuer):
    assert issuer_from_body(preamble) == issuer
