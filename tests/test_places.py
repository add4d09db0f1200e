"""Placing reports: province, prefecture, county, adcode, region, with the evidence that decided.

Expectations for the five embedded pages were checked by hand against data/raw/:
- 000 塘栖镇: no place in the title or metadata; the body says "塘栖镇作为临平区首个…" → 临平区 (330113 since 2021).
- 001 湖塘街道: the title is 绍兴市柯桥区湖塘街道办事处… → 柯桥区 330603.
- 002 云龙镇: the body says "编写并印制宁波市鄞州区云龙镇…" → 鄞州区 330212.
- 003 澧浦镇: 信息索引号 11330703736873621E/2024-139175, a 机关 credit code carrying 330703 (金华市金东区);
  the body's "金华市法治建设示范乡镇" agrees.
- 004 上社镇: no title, no metadata; the body names only 县委、县政府 → unknown.
"""

from __future__ import annotations

import os
import warnings

import pandas as pd
import pytest

from fazhi_lib import places as pl
from fazhi_lib.places import PlacesError, credit_code_ok, load_places_map, region_of, resolve_place

EMBEDDED = [
    # source_file, issuer, province, prefecture, county, adcode, source, evidence
    ("000_032c39149d571eae.txt", "塘栖镇", "浙江省", "杭州市", "临平区", "330113", "body", "塘栖镇作为临平区"),
    ("001_c1fce911fd59a85f.txt", "湖塘街道", "浙江省", "绍兴市", "柯桥区", "330603", "title", "绍兴市柯桥区"),
    ("002_c02b67eb7c1835e1.txt", "云龙镇", "浙江省", "宁波市", "鄞州区", "330212", "body", "宁波市鄞州区云龙镇"),
    ("003_b5d03fc9eddbbefd.txt", "澧浦镇", "浙江省", "金华市", "金东区", "330703", "credit_code", "11330703736873621E"),
]


@pytest.mark.parametrize("source_file, issuer, province, prefecture, county, adcode, source, evidence", EMBEDDED)
def test_embedded_reports_are_placed(
    corpus, raw_dir, source_file, issuer, province, prefecture, county, adcode, source, evidence
):
    row = corpus.reports.set_index("source_file").loc[source_file]
    assert row["issuer"] == issuer
    assert (row["province"], row["prefecture"], row["county"], row["adcode"]) == (province, prefecture, county, adcode)
    assert row["region"] == "east"
    assert (row["place_source"], row["place_evidence"]) == (source, evidence)
    # the evidence is an exact substring of the page
    assert evidence in (raw_dir / source_file).read_text(encoding="utf-8")


def test_embedded_township_without_evidence_stays_unknown(corpus):
    row = corpus.reports.set_index("source_file").loc["004_b15026bdeddbedce.txt"]
    assert row["issuer"] == "上社镇"
    assert row["place_source"] == "unknown"
    assert all(pd.isna(row[c]) for c in ("province", "prefecture", "county", "adcode", "region", "place_evidence"))
    note = row["place_note"]
    assert note.startswith("unplaced:")
    assert "县委、县政府" in note and "places map" in note
    assert "divisions of 2024 used for 2025" in note  # a 2025 report: the table ends in 2024


def test_filter_by_province_and_region(corpus):
    assert len(corpus.filter(provinces="浙江省").reports) == 4
    assert len(corpus.filter(regions=["east"]).reports) == 4
    assert corpus.filter(regions="west").reports.empty
    assert "region" in corpus.part_texts("problems").columns


# ---------------------------------------------------------------- varied pages (built from the glossary)
def place(
    title=None,
    *,
    issuer=None,
    issuer_full=None,
    level="township",
    year=2024,
    index_no=None,
    publisher=None,
    header=None,
    body=None,
    mapping=None,
):
    return resolve_place(
        title=title,
        issuer=issuer,
        issuer_full=issuer_full,
        index_no=index_no,
        publisher=publisher,
        header_text=header,
        body=body,
        report_year=year,
        level=level,
        mapping=mapping,
    )


VARIED = [
    # id, kwargs, expected (province, prefecture, county, adcode, source) — None adcode = unplaced
    (
        "renamed district, 2017 report",
        dict(title="杭州市余杭区塘栖镇2017年法治政府建设工作报告", issuer="塘栖镇", year=2017),
        ("浙江省", "杭州市", "余杭区", "330110", "title"),
    ),
    (
        "split-off district, 2024 report",
        dict(title="杭州市临平区塘栖镇2024年法治政府建设工作报告", issuer="塘栖镇", year=2024),
        ("浙江省", "杭州市", "临平区", "330113", "title"),
    ),
    (
        "district named before it existed",
        dict(title="临平区塘栖镇2017年法治政府建设工作报告", issuer="塘栖镇", year=2017),
        (None, None, None, None, "unknown"),
    ),
    (
        "county name shared by two provinces",
        dict(title="朝阳区人民政府2023年法治政府建设年度报告", issuer="朝阳区", level="county", year=2023),
        (None, None, None, None, "unknown"),
    ),
    (
        "shared name told apart by the body",
        dict(
            title="朝阳区人民政府2023年法治政府建设年度报告",
            issuer="朝阳区",
            level="county",
            year=2023,
            body="北京市朝阳区人民政府\n2024年3月1日",
        ),
        ("北京市", None, "朝阳区", "110105", "title"),
    ),
    (
        "shared name told apart by the credit code",
        dict(
            title="西湖区司法局2023年法治政府建设年度报告",
            issuer="司法局",
            level="department",
            year=2023,
            index_no="113301060024969291/2024-00012",
        ),
        ("浙江省", "杭州市", "西湖区", "330106", "title"),
    ),
    (
        "ministry",
        dict(
            title="应急管理部2023年法治政府建设年度报告",
            issuer="应急管理部",
            issuer_full="应急管理部",
            level="department",
            year=2023,
        ),
        ("全国", None, None, None, "issuer_full"),
    ),
    (
        "national commission",
        dict(
            title="国家发展和改革委员会2022年法治政府建设年度报告",
            issuer="国家发展和改革委员会",
            issuer_full="国家发展和改革委员会",
            level="department",
            year=2022,
        ),
        ("全国", None, None, None, "issuer_full"),
    ),
    (
        "central body's provincial branch",
        dict(
            title="国家税务总局浙江省税务局2023年法治政府建设年度报告",
            issuer="税务局",
            issuer_full="国家税务总局浙江省税务局",
            level="department",
            year=2023,
        ),
        ("浙江省", None, None, "330000", "title"),
    ),
    (
        "province department",
        dict(
            title="浙江省司法厅2023年度法治政府建设工作报告",
            issuer="司法厅",
            issuer_full="浙江省司法厅",
            level="department",
            year=2023,
        ),
        ("浙江省", None, None, "330000", "title"),
    ),
    (
        "province government",
        dict(title="浙江省人民政府关于2023年法治政府建设情况的报告", issuer="浙江省", level="province", year=2023),
        ("浙江省", None, None, "330000", "title"),
    ),
    (
        "city department",
        dict(
            title="杭州市司法局2022年法治政府建设年度报告",
            issuer="司法局",
            issuer_full="杭州市司法局",
            level="department",
            year=2022,
        ),
        ("浙江省", "杭州市", None, "330100", "title"),
    ),
    (
        "city government",
        dict(
            title="淮安市人民政府2023年法治政府建设年度报告",
            issuer="淮安市",
            level="city",
            year=2023,
            body="淮安市作为淮安市清江浦区的上级",
        ),
        ("江苏省", "淮安市", None, "320800", "title"),
    ),
    (
        "municipality township",
        dict(
            title="重庆市渝北区大盛镇人民政府2022年法治政府建设年度报告",
            issuer="大盛镇",
            issuer_full="重庆市渝北区大盛镇人民政府",
            year=2022,
        ),
        ("重庆市", None, "渝北区", "500112", "title"),
    ),
    (
        "county-level city under the province",
        dict(title="仙桃市人民政府2022年法治政府建设年度报告", issuer="仙桃市", level="city", year=2022),
        ("湖北省", None, "仙桃市", "429004", "title"),
    ),
    (
        "county-level city under a prefecture",
        dict(title="义乌市2023年法治政府建设年度报告", issuer="义乌市", level="county", year=2023),
        ("浙江省", "金华市", "义乌市", "330782", "title"),
    ),
    (
        "traditional characters",
        dict(title="寧波市鄞州區雲龍鎮2023年度法治政府建設工作報告", issuer="雲龍鎮", year=2023),
        ("浙江省", "宁波市", "鄞州区", "330212", "title"),
    ),
    (
        "traditional body",
        dict(
            title="2023年度雲龍鎮法治政府建設工作報告",
            issuer="雲龍鎮",
            year=2023,
            body="編寫並印製寧波市鄞州區雲龍鎮公共法律服務手冊",
        ),
        ("浙江省", "宁波市", "鄞州区", "330212", "body"),
    ),
    (  # t2s keeps 敍 and 衞, which traditional pages write for 叙 and 卫 (convert._KEPT_VARIANTS)
        "traditional form t2s keeps",
        dict(title="敍永縣人民政府關於2023年度法治政府建設情況的報告", issuer="敍永縣", level="county", year=2023),
        ("四川省", "泸州市", "叙永县", "510524", "title"),
    ),
    (
        "traditional form t2s keeps, a city",
        dict(title="中衞市2022年法治政府建設年度報告", issuer="中衞市", level="city", year=2022),
        ("宁夏回族自治区", "中卫市", None, "640500", "title"),
    ),
    (
        "site name in the page metadata",
        dict(
            title="塘栖镇2022年法治政府建设年度报告",
            issuer="塘栖镇",
            year=2022,
            header="杭州市临平区人民政府门户网站 > 政务公开 > 塘栖镇",
        ),
        ("浙江省", "杭州市", "临平区", "330113", "metadata"),
    ),
    (
        "publisher with the full chain",
        dict(
            title="大盛镇2022年法治政府建设年度报告", issuer="大盛镇", year=2022, publisher="重庆市渝北区大盛镇人民政府"
        ),
        ("重庆市", None, "渝北区", "500112", "metadata"),
    ),
    (
        "body: 位于",
        dict(
            title="XX镇2023年法治政府建设年度报告", issuer="上河镇", year=2023, body="上河镇位于江西省抚州市南城县东部"
        ),
        ("江西省", "抚州市", "南城县", "361021", "body"),
    ),
    (
        "body: 我镇地处",
        dict(
            title="上河镇2023年法治政府建设年度报告",
            issuer="上河镇",
            year=2023,
            body="我镇地处南城县东部,全镇面积120平方公里。",
        ),
        ("江西省", "抚州市", "南城县", "361021", "body"),
    ),
    (
        "body: other places are not the issuer's",
        dict(
            title="塘栖镇2023年法治政府建设年度报告",
            issuer="塘栖镇",
            year=2023,
            body="组织干部赴杭州市余杭区、宁波市鄞州区学习。浙江省“金口碑”",
        ),
        # the counties visited are not the issuer's; the page's place names locate only its province
        ("浙江省", None, None, "330000", "page_names"),
    ),
    (
        "page names: a cited case of another province as often as its own",
        dict(
            title="某镇2023年法治政府建设年度报告",
            issuer="某镇",
            year=2023,
            body="学习江苏省昆山市经验,推广江苏省经验。浙江省“金口碑”,全省第一。",
        ),
        (None, None, None, None, "unknown"),
    ),
    (
        "page names: the province named in the body",
        dict(
            title="",
            issuer=None,
            year=2022,
            body="2022年,全市坚持以习近平法治思想为指导,深入贯彻广东省委部署,助力广东高质量发展。",
        ),
        ("广东省", None, None, "440000", "page_names"),
    ),
    (
        "body: two counties for the issuer",
        dict(
            title="云龙镇2023年法治政府建设年度报告",
            issuer="云龙镇",
            year=2023,
            body="宁波市鄞州区云龙镇……大理白族自治州云龙县云龙镇",
        ),
        (None, None, None, None, "unknown"),
    ),
    (
        "title and credit code in two provinces",
        dict(
            title="杭州市临平区塘栖镇2022年法治政府建设年度报告",
            issuer="塘栖镇",
            year=2022,
            index_no="11320102MB12345677/2023-1",
        ),
        (None, None, None, None, "unknown"),
    ),
    (
        "credit code more specific than the title",
        dict(
            title="金华市澧浦镇2023年度法治政府建设工作报告",
            issuer="澧浦镇",
            year=2023,
            index_no="11330703736873621E/2024-139175",
        ),
        ("浙江省", "金华市", "金东区", "330703", "credit_code"),
    ),
    (
        "township name only",
        dict(
            title="城关镇2023年法治政府建设年度报告",
            issuer="城关镇",
            year=2023,
            body="城关镇在县委、县政府的坚强领导下",
        ),
        (None, None, None, None, "unknown"),
    ),
    (
        "no year: newest table",
        dict(title="绍兴市柯桥区湖塘街道办事处法治政府建设年度报告", issuer="湖塘街道", level="subdistrict", year=None),
        ("浙江省", "绍兴市", "柯桥区", "330603", "title"),
    ),
]


# ------------------------------------------------- below the province, from the place names on the page
PAGE_PLACED = [
    (  # a mirror's gambling spam names 澳门 more often than the page names its own province
        "gambling spam naming Macau does not outvote the page",
        dict(title="2023年法治政府建设工作报告", issuer=None, level="department",
             body="澳门新葡京 澳门威尼斯人 澳门赌场官网 2023年,在清远市委、市政府领导下,我局坚持依法行政。"
                  "清远市司法局、广东省司法厅指导我局工作。"),
        ("广东省", "清远市", None, "441800", "page_names"),
    ),
    (
        "the Greater Bay Area and Hong Kong named in cooperation",
        dict(title="2023年法治政府建设工作报告", issuer=None, level="department",
             body="2023年,我局对接香港、澳门规则,推进粤港澳大湾区法治建设,香港律师来访。江门市司法局指导我局工作。"),
        ("广东省", "江门市", None, "440700", "page_names"),
    ),
    (
        "a subdistrict whose page names its district most",
        dict(title="澄江街道2023年法治政府建设工作报告", issuer="澄江街道", level="subdistrict",
             body="2023年,在区委、区政府的领导下,澄江街道坚持依法行政。台州市黄岩区司法局指导我街工作,"
                  "黄岩区普法考核我街第一。"),
        ("浙江省", "台州市", "黄岩区", "331003", "page_names"),
    ),
    (
        "a town's district named once, in the province only the page names",
        dict(title="城西镇2023年法治政府建设工作报告", issuer="城西镇",
             body="2023年,城西镇在台州市黄岩区委领导下坚持依法行政。"),
        ("浙江省", "台州市", "黄岩区", "331003", "page_names"),
    ),
    (
        "a town's page naming two districts of one city alike: the city",
        dict(title="城西镇2023年法治政府建设工作报告", issuer="城西镇",
             body="学习台州市黄岩区经验,推广台州市路桥区做法,台州市全市第一。"),
        ("浙江省", "台州市", None, "331000", "page_names"),
    ),
    (
        "a department's page naming a district most: its city only (a city's bureau names its districts)",
        dict(title="", issuer=None, level="department",
             body="2023年,我局坚持依法行政。指导台州市黄岩区、黄岩区各街道开展执法检查,黄岩区获评先进。"),
        ("浙江省", "台州市", None, "331000", "page_names"),
    ),
    (
        "a page naming two cities alike stays at the province",
        dict(title="城西镇2023年法治政府建设工作报告", issuer="城西镇",
             body="赴台州市、温州市学习,浙江省考核第一。"),
        ("浙江省", None, None, "330000", "page_names"),
    ),
    (
        "a district named most while another city is named as often as its own: the province",
        dict(title="城西镇2023年法治政府建设工作报告", issuer="城西镇",
             body="黄岩区委领导,黄岩区考核第一。赴温州市学习,温州市经验推广。"),
        ("浙江省", None, None, "330000", "page_names"),
    ),
    (
        "a department of a development zone whose title opens with its city's short name",
        dict(title="台州经开区司法局2023年法治政府建设工作报告", issuer=None, level="department",
             body="2023年,在工委、管委会领导下,我局坚持依法行政。"),
        ("浙江省", "台州市", None, "331000", "page_names"),
    ),
    (
        "the level of a province's own body is never placed below it",
        dict(title="", issuer=None, level="province",
             body="2023年,全省坚持依法行政。台州市黄岩区、台州市路桥区、台州市椒江区获评示范。"),
        ("浙江省", None, None, "330000", "page_names"),
    ),
]  # fmt: skip


@pytest.mark.parametrize("case, kwargs, expected", VARIED + PAGE_PLACED, ids=[c[0] for c in VARIED + PAGE_PLACED])
def test_varied_pages(case, kwargs, expected):
    kwargs = dict(kwargs)
    title = kwargs.pop("title")
    p = place(title, **kwargs)
    assert (p.province, p.prefecture, p.county, p.adcode, p.place_source) == expected, p.place_note
    if p.place_source == "unknown":
        assert p.place_note.startswith("unplaced: ")
    elif p.place_source not in ("mapping",):
        page = " ".join(str(v) for v in kwargs.values() if isinstance(v, str)) + " " + title
        assert p.place_evidence in page  # exact substring of what the page says
    if p.place_source == "page_names" and (p.county or p.prefecture):  # below the province: it says so
        assert "from the place names on the page" in p.place_note and "province only" not in p.place_note


def test_pinyin_glosses_do_not_hide_a_place():
    """A mirror that glosses characters (宁(níng)波市) is placed as the page without them."""
    plain = dict(issuer="云龙镇", year=2023, body="编写并印制宁波市鄞州区云龙镇公共法律服务手册")
    glossed = dict(plain, body="编写并印制宁(níng)波市鄞(yín)州区云龙镇公共法律服务手册")
    want = ("浙江省", "宁波市", "鄞州区", "330212", "body")
    for kwargs in (plain, glossed):
        p = place("2023年度云龙镇法治政府建设工作报告", **kwargs)
        assert (p.province, p.prefecture, p.county, p.adcode, p.place_source) == want, p.place_note


def test_year_matters_for_the_same_district():
    old = place("杭州市余杭区塘栖镇2017年法治政府建设工作报告", issuer="塘栖镇", year=2017)
    new = place("杭州市余杭区塘栖镇2024年法治政府建设工作报告", issuer="塘栖镇", year=2024)
    assert old.adcode == new.adcode == "330110"  # 余杭区 still exists after the split
    stale = place("临平区塘栖镇2017年法治政府建设工作报告", issuer="塘栖镇", year=2017)
    assert "临平区 is a division only in 2021–2024, not in 2017" in stale.place_note


def test_name_of_the_publication_year_is_accepted_with_a_note():
    p = place("临平区人民政府2020年法治政府建设工作报告", issuer="临平区", level="county", year=2020)
    assert p.adcode == "330113"
    assert "names are those of 2021, the year of publication" in p.place_note


def test_ambiguity_reason_lists_the_candidates():
    p = place("朝阳区人民政府2023年法治政府建设年度报告", issuer="朝阳区", level="county", year=2023)
    assert "北京市朝阳区 (110105)" in p.place_note and "吉林省长春市朝阳区 (220104)" in p.place_note


def test_shared_name_within_one_province_is_placed_at_the_province():
    # 城区 is a district of 阳泉市 and of 晋城市 (山西) and of 汕尾市 (广东): with 山西省 named, only the province is sure
    p = place("山西省城区2022年法治政府建设年度报告", issuer="城区", level="county", year=2022)
    assert (p.province, p.prefecture, p.county, p.adcode) == ("山西省", None, None, "140000")
    assert "140302" in p.place_note and "140502" in p.place_note


def test_a_county_name_shared_in_one_province_is_told_by_the_city_the_page_names():
    # 市中区 is a district of 济南市 and of 枣庄市 (山东); the body names 济南市: that one (before: the province)
    body = "2023年,市中区在济南市委、市政府的坚强领导下,坚持依法行政。"
    p = place("市中区2023年法治政府建设情况报告", issuer="市中区", level="county", year=2023, body=body)
    assert (p.province, p.prefecture, p.county, p.adcode) == ("山东省", "济南市", "市中区", "370103")
    # both cities named alike: the province only
    both = body + "学习枣庄市经验。"
    p = place("市中区2023年法治政府建设情况报告", issuer="市中区", level="county", year=2023, body=both)
    assert (p.province, p.prefecture, p.county) == ("山东省", None, None)


def test_disagreement_inside_one_province_keeps_the_more_trusted_source():
    p = place(
        "杭州市临平区塘栖镇2024年法治政府建设年度报告", issuer="塘栖镇", year=2024, body="杭州市余杭区塘栖镇人民政府"
    )
    assert (p.adcode, p.place_source) == ("330113", "title")
    assert "disagreeing evidence: the body names '杭州市余杭区塘栖镇'" in p.place_note


def test_stale_credit_code_places_only_the_province():
    # 330104 (江干区) was merged away in 2021: a body registered before then keeps the old code
    p = place(
        "某某街道2023年法治政府建设年度报告",
        issuer="某某街道",
        level="subdistrict",
        year=2023,
        index_no="11330104MB0000000G/2024-1",
    )
    assert (p.province, p.county, p.adcode, p.place_source) == ("浙江省", None, "330000", "credit_code")
    assert "not in 2023" in p.place_note


def test_national_credit_code():
    p = place(
        "XX2023年法治政府建设年度报告",
        issuer=None,
        level="unknown",
        year=2023,
        index_no="11100000000013127D/2024-00001",
    )
    assert (p.province, p.region, p.place_source) == ("全国", "national", "credit_code")


def test_level_caps_how_deep_other_sources_go():
    # a city's own report is placed at the prefecture even if its page metadata names a district
    p = place(
        "淮安市人民政府2023年法治政府建设年度报告",
        issuer="淮安市",
        level="city",
        year=2023,
        header="淮安市清江浦区人民政府",
    )
    assert (p.prefecture, p.county, p.adcode) == ("淮安市", None, "320800")


@pytest.mark.parametrize(
    "code, ok",
    [
        ("11330703736873621E", True),
        ("11330703736873621F", False),
        ("1133070373687362", False),
    ],
)
def test_credit_code_check_character(code, ok):
    assert credit_code_ok(code) is ok


@pytest.mark.parametrize(
    "province, region",
    [
        ("浙江省", "east"),
        ("北京市", "east"),
        ("山西省", "central"),
        ("内蒙古自治区", "west"),
        ("重庆市", "west"),
        ("黑龙江省", "northeast"),
        ("全国", "national"),
        ("香港特别行政区", None),
        (None, None),
    ],
)
def test_region_of(province, region):
    assert region_of(province) == region


# ---------------------------------------------------------------- the places map
def write_map(tmp_path, text: str):
    path = tmp_path / "places_map.csv"
    path.write_text(text, encoding="utf-8-sig")
    return path


def test_mapping_overrides_everything(tmp_path):
    m = load_places_map(write_map(tmp_path, "issuer,adcode,note\n湖塘街道,330602,checked on the district site\n"))
    p = place(
        "绍兴市柯桥区湖塘街道办事处2024年法治政府建设年度报告",
        issuer="湖塘街道",
        issuer_full="绍兴市柯桥区湖塘街道办事处",
        level="subdistrict",
        mapping=m,
    )
    assert (p.county, p.adcode, p.place_source) == ("越城区", "330602", "mapping")
    assert p.place_evidence == "places_map.csv line 2: 湖塘街道"
    assert "checked on the district site" in p.place_note


def test_mapping_by_names_and_traditional_issuer(tmp_path):
    m = load_places_map(write_map(tmp_path, "issuer,province,prefecture,county\n上社镇,山西省,阳泉市,盂县\n"))
    p = place(None, issuer="上社鎮", year=2025, mapping=m)
    assert (p.province, p.prefecture, p.county, p.adcode) == ("山西省", "阳泉市", "盂县", "140322")


def test_mapping_with_an_ambiguous_name_asks_for_the_adcode(tmp_path):
    m = load_places_map(write_map(tmp_path, "issuer,county\n某街道,朝阳区\n"))
    p = place(None, issuer="某街道", year=2023, mapping=m)
    assert p.place_source == "unknown" and "give its adcode" in p.place_note


def test_mapping_to_national(tmp_path):
    m = load_places_map(write_map(tmp_path, "issuer,province\n某某委员会,全国\n"))
    p = place(None, issuer="某某委员会", level="department", year=2023, mapping=m)
    assert (p.province, p.region, p.place_source) == ("全国", "national", "mapping")


@pytest.mark.parametrize(
    "text, message",
    [
        ("name,adcode\nx,330113\n", "no `issuer` column"),
        ("issuer,adcod\nx,330113\n", "`column` = 'adcod' is not valid"),
        ("issuer,adcode\nx,33011\n", "`adcode` = '33011' is not valid"),
        ("issuer,adcode\nx,\n", "gives neither an adcode"),
        ("issuer,adcode\nx,330113\nx,330110\n", "places x differently"),
    ],
)
def test_bad_places_map_gives_a_clear_error(tmp_path, text, message):
    with pytest.raises(PlacesError, match=message):
        load_places_map(write_map(tmp_path, text))


def test_missing_places_map(tmp_path):
    with pytest.raises(PlacesError, match="does not exist"):
        load_places_map(tmp_path / "nope.csv")


# ---------------------------------------------------------------- fazhi places, fazhi build --places-map
def test_places_report_lists_levels_sources_and_unplaced(corpus):
    text = pl.places_report(corpus)
    assert "Places of 5 reports" in text
    assert "county              4    80%" in text
    assert "unplaced            1    20%" in text
    assert "By source: title 1, credit_code 1, body 2, unknown 1" in text
    assert "004_b15026bdeddbedce.txt  上社镇  2025  unplaced:" in text


def test_places_report_needs_the_place_columns():
    from fazhi_lib.errors import FazhiError

    with pytest.raises(FazhiError, match="no place columns"):
        pl.places_report(pd.DataFrame({"report_id": ["a"]}))


def test_cli_places_and_places_map(tmp_path, raw_dir, capsys, monkeypatch):
    from fazhi_lib import cli

    monkeypatch.delenv(pl.PLACES_MAP_ENV, raising=False)
    path = write_map(tmp_path, "issuer,adcode\n上社镇,140322\n")
    out = tmp_path / "processed"
    assert cli.main(["build", str(raw_dir), "--out", str(out), "--quiet", "--places-map", str(path)]) == 0
    capsys.readouterr()
    assert cli.main(["places", "--data", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "county              5   100%" in printed and "mapping 1" in printed
    bad = write_map(tmp_path, "issuer,adcod\nx,1\n")
    assert cli.main(["build", str(raw_dir), "--out", str(out), "--quiet", "--places-map", str(bad)]) == 2
    assert "`column` = 'adcod' is not valid" in capsys.readouterr().err
    # the CLI set the variable itself, unseen by monkeypatch (which found it unset): clear it here
    os.environ.pop(pl.PLACES_MAP_ENV, None)


# ---------------------------------------------------------------- the tile grid
def test_tiles_cover_every_province_once():
    tiles = pl.province_tiles()
    assert len(tiles) == 34 and tiles["province"].notna().all()
    assert not tiles.duplicated(["row", "col"]).any()
    assert set(tiles["province"]) == {d.name for d in pl.division_table(2024).by_code.values() if d.depth == 1}


def test_tile_grid_renders_chinese_labels_without_missing_glyphs(corpus, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = corpus.reports["province"].value_counts()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = pl.plot_province_tiles({**counts.to_dict(), "全国": 1}, title="报告数量（按省份）")
        fig.savefig(tmp_path / "tiles.png", dpi=60)
    plt.close(fig)
    glyphs = [str(w.message) for w in caught if "Glyph" in str(w.message) or "missing from" in str(w.message)]
    assert glyphs == []
    assert (tmp_path / "tiles.png").stat().st_size > 5000
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "浙江\n4" in texts and "新疆" in texts and "全国: 1" in texts


def test_tile_grid_rejects_an_unknown_province():
    with pytest.raises(PlacesError, match="`province` = '江浙省' is not valid"):
        pl.plot_province_tiles({"江浙省": 1})


# ---------------------------------------------------------------- autonomous divisions cited in their short form
@pytest.mark.parametrize(
    "title, issuer, level, province, prefecture, county",
    [
        ("恩施州人民政府2023年法治政府建设情况报告", "恩施州", "city", "湖北省", "恩施土家族苗族自治州", None),
        ("延边州2022年法治政府建设工作报告", "延边州", "city", "吉林省", "延边朝鲜族自治州", None),
        ("峨边县2023年法治政府建设工作报告", "峨边县", "county", "四川省", "乐山市", "峨边彝族自治县"),
        ("长阳县人民政府2024年度法治政府建设情况报告", "长阳县", "county", "湖北省", "宜昌市", "长阳土家族自治县"),
    ],
)
def test_autonomous_divisions_are_placed_from_their_short_form(title, issuer, level, province, prefecture, county):
    p = resolve_place(title=title, issuer=issuer, report_year=2023, level=level)
    assert (p.province, p.prefecture, p.county) == (province, prefecture, county)
    assert p.place_evidence in title  # the words of the page, not the official name


def test_a_short_form_is_not_added_over_a_real_name():
    d = pl.Division("1", 3, "甲乙土家族自治县", "湖北省", "420000", "湖北", None, None)
    real = pl.Division("2", 3, "甲乙县", "湖南省", "430000", "湖南", None, None)
    table = {d.name: [d], real.name: [real]}
    pl.autonomous_short_forms(table, ["土家"])
    assert table["甲乙县"] == [real]


def _chains_char_by_char(text: str, table) -> list[list[tuple[int, int, str]]]:
    """The scan `find_chains` replaced, kept as the reference: at each character, the longest name of
    the table starting there (full names before short ones), then on after it."""
    names = {**{k: True for k in table.short}, **{k: False for k in table.full}}
    longest = max(map(len, names))
    chains, current, i = [], [], 0
    while i < len(text):
        hit = next(
            (
                (i, i + n, text[i : i + n])
                for n in range(longest, 1, -1)
                if text[i : i + n] in names and i + n <= len(text)
            ),
            None,
        )
        if hit is None:
            i += 1
            continue
        if (
            hit[1] - hit[0] == 2
            and not names[hit[2]]
            and i
            and "\u4e00" <= text[i - 1] <= "\u9fff"
            and text[i - 1] not in pl._BEFORE_SHORT_NAME
        ):
            i = hit[1]  # a two-character name ending a longer word (提高县, 主城区): no mention
            continue
        if current and current[-1][1] != hit[0]:
            chains.append(current)
            current = []
        if names[hit[2]] and text[max(0, i - 2) : i] == "法治":
            hit = (*hit, False)  # 法治东莞: a short name that counts
        current.append(hit)
        i = hit[1]
    if current:
        chains.append(current)
    out = []
    for chain in chains:
        while chain and names[chain[-1][2]] and len(chain[-1]) == 3:  # a short name ends no chain
            chain = chain[:-1]
        chain = [c[:3] for c in chain]
        if chain:
            out.append(chain)
    return out


@pytest.mark.parametrize("year", [2016, 2024])
def test_find_chains_equals_the_character_by_character_scan(raw_dir, year):
    """One automaton pass finds the same chains as trying every character, on the embedded reports and on
    texts made to be hard: names inside names, a short name before a full one, names running into each
    other, a character outside the BMP before them."""
    table = pl.division_table(year)
    texts = [pl.simplified(p.read_text(encoding="utf-8")) for p in sorted(raw_dir.glob("*.txt"))]
    texts += [
        "浙江省杭州市临平区塘栖镇,浙江经验,杭州西湖",
        "𠀀宁波市鄞州区云龙镇宁波市江北区宁波",
        "吉林省吉林市长春市朝阳区朝阳市内蒙古自治区呼和浩特市新城区",
        "广东广州市白云区广州",
        "提高县交通运输依法行政水平,奋力实现郁南县;主城区、老城区;江苏省沛县;在沛县;大同市城区",
        "紧扣《法治东莞建设规划》,建设法治甘肃、平安东莞,东莞经验,浙江杭州临平区",
        "".join(sorted(table.full))[:3000],
    ]
    for text in texts:
        got = [[(m.start, m.end, m.name) for m in chain] for chain in pl.find_chains(text, table)]
        assert got == _chains_char_by_char(text, table)


def test_an_autonomous_county_cited_as_its_stem_and_自治县():
    """镇宁自治县, 长阳自治县: the ethnic names dropped but 自治 kept, as official writing cites them."""
    p = place("长阳自治县2023年法治政府建设情况报告", issuer="长阳自治县", level="county", year=2023)
    assert (p.province, p.prefecture, p.county, p.place_source) == ("湖北省", "宜昌市", "长阳土家族自治县", "title")
    p = place("恩施自治州2023年法治政府建设情况报告", issuer="恩施自治州", level="city", year=2023)
    assert (p.province, p.prefecture, p.county) == ("湖北省", "恩施土家族苗族自治州", None)


def test_a_two_character_county_inside_a_longer_word_is_no_place():
    # 提高县交通运输依法行政水平 holds 高县 (a county of Sichuan), 要求和县委 holds 和县 (Anhui), 主城区 holds 城区:
    # a two-character name counts only after a division, a preposition or a list's mark, or alone
    table = pl.division_table(2022)
    names = lambda t: [[m.name for m in c] for c in pl.find_chains(t, table)]  # noqa: E731
    assert names("提高县交通运输依法行政水平,奋力实现郁南县") == [["郁南县"]]
    assert names("按照文件要求和县委依法治县办部署") == []
    assert names("江苏省沛县;在沛县召开;大同市城区;中共沛县县委") == [
        ["江苏省", "沛县"],
        ["沛县"],
        ["大同市", "城区"],
        ["沛县"],
    ]


def test_the_short_name_of_a_places_rule_of_law_campaign_is_a_place():
    # 法治东莞建设规划, 建设法治甘肃: the short name after 法治 names the place (平安东莞, 东莞经验 do not)
    table = pl.division_table(2022)
    names = lambda t: [[m.name for m in c] for c in pl.find_chains(t, table)]  # noqa: E731
    assert names("紧扣《法治东莞建设规划(2021—2025年)》的要求") == [["东莞"]]
    assert names("建设平安东莞,推广东莞经验") == []


def test_places_of_partners_do_not_place_a_page():
    # a Chongqing district's bureau working with Sichuan's (川渝): the places it works with are not its own
    body = (
        "2023年,区市场监管局坚持依法行政。一是加强跨区域执法协作。向四川省各市区市场监督管理部门移送案件线索11件,"
        "协助四川省市场监督管理部门查办案件5件,与四川省广安市联合执法查办案件1件,与四川省成都市新都区、成华区"
        "市场监督管理局共同发布典型案例。"
    )
    votes, _ = pl.page_province_votes([body], pl.division_table(2023))
    assert votes == {}
    # named otherwise, the same places count (and a short name after 与, 宪法与浙江, is no partner)
    votes, _ = pl.page_province_votes(["四川省广安市市场监督管理局开展“宪法与浙江”宣传。"], pl.division_table(2023))
    assert set(votes) == {"510000", "330000"}
