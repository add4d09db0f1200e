"""Metadata of real pages, family by family (issue 17): every case is a variant written from the genre
(GLOSSARY.md "Real pages"), not copied from the development set."""

from __future__ import annotations

import pytest

from fazhi_lib import issuer as iss
from fazhi_lib.meta_reader import labelled_date, opening_reports_a_year
from fazhi_lib.pipeline import parse_text

BODY = "一、主要举措和成效\n全年审查规范性文件12件。\n二、存在的不足和原因\n执法力量不足。\n三、下一年度工作安排\n继续推进。"


def meta(page: str) -> dict:
    r = parse_text(page).report
    return {
        k: r[k]
        for k in (
            "title",
            "issuer",
            "issuer_full",
            "issuer_source",
            "level",
            "report_year",
            "report_year_source",
            "publish_date",
            "written_date",
            "province",
            "warnings",
        )
    }


# ---------------------------------------------------------------- titles, split or inline, and what is not a title
TITLES = [
    (
        "one line",
        "平阳县司法局2023年度法治政府建设工作报告\n2023年,县司法局坚持依法行政。\n" + BODY,
        "司法局",
        "department",
        2023,
    ),
    (
        "split after 关于",
        "首页 > 政务公开 > 工作报告\n东营市人民政府关于\n2022年度法治政府建设情况的报告\n2022年,全市坚持。\n" + BODY,
        "东营市",
        "city",
        2022,
    ),
    (
        "split inside the report phrase",
        "余姚市人民政府关于2021年法治政府建设\n情况的报告\n2021年,全市坚持。\n" + BODY,
        "余姚市",
        "county",
        2021,
    ),
    (
        "split inside the report phrase, a department",
        "浙江省财政厅2019年法治政府建设\n工作情况\n2019年,我厅坚持。\n" + BODY,
        "财政厅",
        "department",
        2019,
    ),
    (
        "issuer above a title split inside its phrase",
        "\n上海市奉贤区人民政府\n关于2020年法治政府建设\n报告\n奉贤区坚持依法行政。\n" + BODY,
        "奉贤区",
        "county",
        2020,
    ),
    (
        "stray spaces inside the names",
        "东营市东 营区人民政 府关于2022年度法治 政府建设情况的报告\n2022年,全区坚持。\n" + BODY,
        "东营区",
        "county",
        2022,
    ),
    (
        "a stray space inside a subdistrict's name",
        "宁波市海曙区鼓楼街道办 事处2023年法治政府建设工作报告\n2023年,我街道坚持。\n" + BODY,
        "鼓楼街道",
        "subdistrict",
        2023,
    ),
    (
        "issuer on its own line above",
        "德清县交通运输局\n\n2024年法治政府建设工作年度报告\n2024年,我局坚持。\n" + BODY,
        "交通运输局",
        "department",
        2024,
    ),
    (
        "inline in a one-line page",
        "南浔镇 2021 年法治政府建设情况报告 2021 年,在区委领导下,南浔镇严格依法行政。" + BODY.replace("\n", " "),
        "南浔镇",
        "township",
        2021,
    ),
    (
        "issuer after the year",
        "关于2023年度宁波市海曙区法治政府建设情况的报告\n2023年,海曙区坚持。\n" + BODY,
        "海曙区",
        "county",
        2023,
    ),
    (
        "joint party and government title",
        "中共丽水市委 丽水市人民政府\n关于2024年法治政府建设情况的报告\n2024年,全市坚持。\n" + BODY,
        "丽水市",
        "city",
        2024,
    ),
    (
        "document number before the title",
        "衢政发〔2023〕9号《衢州市人民政府关于2022年度法治政府建设工作的报告》\n2022年,全市坚持。\n" + BODY,
        "衢州市",
        "city",
        2022,
    ),
    (
        "spam banner glued before the issuer",
        "澳门赌场官网@新桥街道2022年法治政府建设年度报告\n2022年,新桥街道坚持。\n" + BODY,
        "新桥街道",
        "subdistrict",
        2022,
    ),
    (
        "breadcrumb is never the title",
        "您当前所在位置：首页>信息公开>法治政府建设年度报告\n仙居县人民政府2023年法治政府建设年度报告\n2023年,仙居县坚持。\n"
        + BODY,
        "仙居县",
        "county",
        2023,
    ),
    (
        "a part heading is never the title",
        "2022年,文成县坚持以习近平法治思想为指导。\n一、2022年法治政府建设情况\n全年审查12件。\n二、存在的不足和原因\n不足。",
        "文成县",
        "county",
        2022,
    ),
]


@pytest.mark.parametrize(
    "lines, title, issuer",
    [
        (
            ["中共丽水市委 丽水市人民政府", "关于2024年法治政府建设情况的报告"],
            "中共丽水市委 丽水市人民政府关于2024年法治政府建设情况的报告",
            "丽水市",
        ),
        (
            ["中共松阳县新兴镇委员会 松阳县新兴镇人民政府", "关于2023年度法治政府建设工作情况的报告"],
            "中共松阳县新兴镇委员会 松阳县新兴镇人民政府关于2023年度法治政府建设工作情况的报告",
            "新兴镇",
        ),
        (
            ["澳门新葡京 新兴镇人民政府", "关于2023年度法治政府建设工作情况的报告"],  # a spam word is no part of it
            "新兴镇人民政府关于2023年度法治政府建设工作情况的报告",
            "新兴镇",
        ),
    ],
    ids=["city", "town", "spam before the government"],
)
def test_a_joint_title_printed_above_keeps_its_party_committee(lines, title, issuer):
    m = meta("\n".join(lines) + "\n2024年,坚持依法行政。\n" + BODY)
    assert (m["title"], m["issuer"]) == (title, issuer)


@pytest.mark.parametrize(
    "lines, title",
    [
        (["余姚市人民政府关于2021年法治政府建设", "情况的报告"], "余姚市人民政府关于2021年法治政府建设情况的报告"),
        (["浙江省财政厅2019年法治政府建设", "工作情况"], "浙江省财政厅2019年法治政府建设工作情况"),
        (["上海市奉贤区人民政府", "关于2020年法治政府建设", "报告"], "上海市奉贤区人民政府关于2020年法治政府建设报告"),
        (["洪塘街道2022年依法行政", "工作报告"], "洪塘街道2022年依法行政工作报告"),
        (  # under a metadata block whose subject is the phrase itself
            [
                "• 索引号",
                "• 主题分类",
                "  • 法治政府建设",
                "",
                "龙泉市人民政府关于2023年法治政府建设",
                "情况的报告",
                "",
                "发布日期:2024-02-20",
            ],
            "龙泉市人民政府关于2023年法治政府建设情况的报告",
        ),
    ],
    ids=["after 关于", "a department", "issuer above", "依法行政", "under a metadata block"],
)
def test_a_title_split_inside_its_report_phrase_is_joined(lines, title):
    m = meta("\n".join(lines) + "\n2024年,坚持依法行政。\n" + BODY)
    assert m["title"] == title
    assert m["issuer"] and title.startswith(m["issuer_full"] or m["issuer"])  # the issuer read from it


@pytest.mark.parametrize("case, page, issuer, level, year", TITLES, ids=[t[0] for t in TITLES])
def test_titles(case, page, issuer, level, year):
    m = meta(page)
    assert (m["issuer"], m["level"], m["report_year"]) == (issuer, level, year), m


# ---------------------------------------------------------------- the title itself: the page's cruft around it dropped
TITLE_ITSELF = [
    # case, first lines of the page, the title kept
    (
        "a site's tag in square brackets",
        "[权威发布]缙云县2019年法治政府建设情况报告\n\n2019年,缙云县坚持依法行政。\n",
        "缙云县2019年法治政府建设情况报告",
    ),
    (
        "a site's tag in 【】",
        "【转载】遂昌县人民政府关于2020年度法治政府建设情况的报告\n2020年,遂昌县坚持依法行政。\n",
        "遂昌县人民政府关于2020年度法治政府建设情况的报告",
    ),
    (
        "a document number before the title in 《》",
        "青政发〔2020〕12号《青田县人民政府关于2019年度法治政府建设工作的报告》\n"
        "《青田县人民政府关于2019年度法治政府建设工作的报告》\n青政发〔2020〕12号\n市人民政府:\n"
        "2019年是全面推进依法治县的关键一年。青田县各级政府坚持依法行政,全面推进法治政府建设各项工作,取得新的成效。\n",
        "青田县人民政府关于2019年度法治政府建设工作的报告",
    ),
    (
        "a date after the title",
        "贺村镇2021年度法治政府建设工作情况报告 2022-02-09\n\n2021年,在市委、市政府的领导下,贺村镇坚持依法行政。\n",
        "贺村镇2021年度法治政府建设工作情况报告",
    ),
    (
        "a labelled date and a clock after the title",
        "开化县司法局2022年法治政府建设年度报告 发布时间:2023-03-01 09:30\n2022年,县司法局坚持依法行政。\n",
        "开化县司法局2022年法治政府建设年度报告",
    ),
    (
        "the page's metadata glued after the title",
        "松阳县人民政府2021年度法治政府建设情况报告 2022-03-27 作者：县司法局 【字体: 打印\n"
        "2021年,松阳县坚持依法行政。\n",
        "松阳县人民政府2021年度法治政府建设情况报告",
    ),
    (
        "a metadata table's row with the field label",
        "| 索引号:000014349/2020-00101 | |\n| 发文机关:常山县教育局 | 主题词: |\n"
        "| 标题:常山县教育局2019年度法治政府建设情况报告 | |\n| 主题分类: | 发布日期:2020-01-06 |\n"
        "根据全县法治政府建设工作要求,县教育局深入推进教育系统法治建设,现将工作情况汇报如下:\n",
        "常山县教育局2019年度法治政府建设情况报告",
    ),
    (
        "an attachment's file name",
        "硖石街道2020年法治政府建设情况报告.docx\n2020年,在市委、市政府的领导下,硖石街道坚持依法行政。\n",
        "硖石街道2020年法治政府建设情况报告",
    ),
    (
        "list numbering before a title opening with its year",
        "1、2021年度庆元县法治政府建设情况报告\n2021年,庆元县坚持依法行政。\n",
        "2021年度庆元县法治政府建设情况报告",
    ),
    # the title's own words stay
    (
        "a plan cited in 《》 inside the title",
        "龙泉市人民政府关于《法治政府建设实施纲要（2015—2020年）》落实情况的报告\n2019年,龙泉市坚持依法行政。\n",
        "龙泉市人民政府关于《法治政府建设实施纲要（2015—2020年）》落实情况的报告",
    ),
    (
        "a bracketed year ending the title",
        "云和县法治政府建设年度报告（2021年）\n2021年,云和县坚持依法行政。\n",
        "云和县法治政府建设年度报告（2021年）",
    ),
    (
        "a joint party and government title on one line",
        "中共景宁县委 景宁县人民政府关于2022年法治政府建设情况的报告\n2022年,全县坚持依法行政。\n",
        "中共景宁县委 景宁县人民政府关于2022年法治政府建设情况的报告",
    ),
]


@pytest.mark.parametrize("case, head, title", TITLE_ITSELF, ids=[t[0] for t in TITLE_ITSELF])
def test_title_is_the_title_itself(case, head, title):
    assert meta(head + BODY)["title"] == title


@pytest.mark.parametrize(
    "printed, title",
    [
        ("【政务公开】某某县2019年法治政府建设工作报告", "某某县2019年法治政府建设工作报告"),
        ("题目：某某镇2019年度法治政府建设情况报告", "某某镇2019年度法治政府建设情况报告"),
        ("某某县司法局2019年法治政府建设年度报告2020/3/1", "某某县司法局2019年法治政府建设年度报告"),
        ("某某街道2019年法治政府建设情况.PDF", "某某街道2019年法治政府建设情况"),
        ("2. 某某乡2019年依法行政工作报告", "某某乡2019年依法行政工作报告"),
        ("某某区2019年度法治政府建设报告 发布时间：2020-03-01 浏览次数：120", "某某区2019年度法治政府建设报告"),
        (
            "某政办发〔2020〕5号 《某某市人民政府关于2019年法治政府建设情况的报告》",
            "某某市人民政府关于2019年法治政府建设情况的报告",
        ),
        # left as printed: a body named in the tag, a point before a digit, a year alone, 《》 inside
        ("【缙云县司法局】2019年法治政府建设工作报告", "【缙云县司法局】2019年法治政府建设工作报告"),
        ("【2019年度】某某县法治政府建设情况报告", "【2019年度】某某县法治政府建设情况报告"),
        ("1.2019年度某某县法治政府建设情况报告", "1.2019年度某某县法治政府建设情况报告"),
        ("某某县法治政府建设工作报告（2019年度）", "某某县法治政府建设工作报告（2019年度）"),
        (
            "某某县2019年法治政府建设情况报告（2020年3月26日在县人大常委会上）",
            "某某县2019年法治政府建设情况报告（2020年3月26日在县人大常委会上）",
        ),
        (
            "关于《法治政府建设实施纲要（2015—2020年）》落实情况的报告",
            "关于《法治政府建设实施纲要（2015—2020年）》落实情况的报告",
        ),
    ],
)
def test_tidy_title(printed, title):
    assert iss.tidy_title(printed) == title


# ---------------------------------------------------------------- the first sentence: subjects, addressees, bodies thanked
SUBJECTS = [
    ("plain subject", "2023年,嵊州市坚持以习近平法治思想为指导,全面推进。", "嵊州市", "county"),
    (
        "bodies thanked come first",
        "2023年,在市委、市政府的坚强领导下,在市司法局的指导下,柯城区应急管理局坚持依法行政。",
        "应急管理局",
        "department",
    ),
    (
        "party and government jointly",
        "2021年,云南省委、省政府坚持以习近平新时代中国特色社会主义思想为指导。",
        "云南省",
        "province",
    ),
    (
        "autonomous region with its party committee",
        "2022年,广西壮族自治区党委和政府全面贯彻法治思想。",
        "广西壮族自治区",
        "province",
    ),
    ("province written short", "2024年,福建坚持以习近平法治思想为指导。", "福建省", "province"),
    (
        "a ministry",
        "2020年,在党中央、国务院坚强领导下,生态环境部认真贯彻落实法治政府建设部署。",
        "生态环境部",
        "department",
    ),
    ("county-level city, not a prefecture", "2022年,瑞安市坚持依法行政。", "瑞安市", "county"),
    ("镇 inside a city name", "2022年,景德镇市坚持依法行政。", "景德镇市", "city"),
    ("government office", "2023年,瑞安市人民政府办公室坚持依法行政。", "人民政府办公室", "department"),
    (
        "a sentence on the year first",
        "2019年,是新中国成立70周年。永康市坚持以习近平新时代中国特色社会主义思想为指导,全面推进。",
        "永康市",
        "county",
    ),
    (
        "the year's place in a plan first, then the subject",
        "2021年是《法治政府建设实施纲要(2021-2025年)》的开局之年,临海市政府在台州市委、市政府的领导下,坚持依法行政。",
        "临海市",
        "county",
    ),
    (
        "the year was the subject's",
        "2016年,是象山县积极融入长三角一体化、加快转型的一年,全县坚持依法行政。",
        "象山县",
        "county",
    ),
    (
        "a year of two things, then two lead clauses",
        "2022年是党的二十大召开之年,也是实施“八五”普法规划承上启下的关键之年。在市委的坚强领导下,在市人大的监督下,"
        "宁海县各级政府及其部门坚持依法行政。",
        "宁海县",
        "county",
    ),
    ("a lead clause of what the year faced", "2023年,面对复杂严峻的形势,莲塘镇坚持依法行政。", "莲塘镇", "township"),
    ("今年来 for 今年以来", "今年来,莲塘镇坚持依法行政,全年审查合同43份。", "莲塘镇", "township"),
    ("过去的一年", "过去的一年,莲塘镇坚持依法行政,全年审查合同43份。", "莲塘镇", "township"),
    (
        "no year before the subject",
        "温岭市坚持以习近平新时代中国特色社会主义思想为指导,深入推进依法行政。",
        "温岭市",
        "county",
    ),
    (
        "a subdistrict named short (X街)",
        "2021年,在区委、区政府的领导下,石榴街坚持依法行政,全面推进。",
        "石榴街",
        "subdistrict",
    ),
    (
        "a lead clause of where the body stands, no year",
        "在全面建设社会主义现代化国家新征程上,青梅街道办事处坚持以习近平法治思想为根本遵循,深入贯彻中央战略部署,系统推进。",
        "青梅街道",
        "subdistrict",
    ),
    (
        "a province's areas and departments",
        "2018年,在党中央、国务院和省委的坚强领导下,湖南省各地各部门坚持依法行政。",
        "湖南省",
        "province",
    ),
    ("a province's regions and departments", "2018年,湖南省各地区各部门坚持依法行政。", "湖南省", "province"),
    (
        "a year of three things",
        "2024年是贯彻落实精神的关键之年,是实施规划的攻坚之年,也是石榴街道高质量发展的重要之年。石榴街道始终坚持依法行政。",
        "石榴街道",
        "subdistrict",
    ),
    (
        "an autonomous prefecture written short",
        "今年以来,黔东南州深入学习贯彻法治思想,推进依法行政。",
        "黔东南州",
        "city",
    ),
]


@pytest.mark.parametrize("case, body, issuer, level", SUBJECTS, ids=[s[0] for s in SUBJECTS])
def test_first_sentence_names_the_issuer(case, body, issuer, level):
    m = meta(body + "\n" + BODY)
    assert (m["issuer"], m["level"], m["issuer_source"]) == (issuer, level, "body"), m
    assert "taken from the body text" in m["warnings"] or "completed" in m["warnings"]


# bodies of the central government not named 部/署/总局, and branches of a vertical one (the places stage
# puts the former in 全国 and the latter in the division its name holds)
CENTRAL = ["国家统计局", "中国气象局", "国家医疗保障局", "中国人民银行", "中国证券监督管理委员会", "国务院国资委",
           "国家发展和改革委员会", "国家市场监督管理总局", "国家税务总局上海市税务局"]  # fmt: skip


@pytest.mark.parametrize("body", CENTRAL)
def test_a_central_government_body_is_a_department(body):
    for page in (f"{body}2023年法治政府建设情况报告\n2023年,我们坚持依法行政。\n", f"2023年,{body}坚持依法行政。"):
        m = meta(page + "\n" + BODY)
        assert (m["issuer"], m["issuer_full"], m["level"]) == (body, body, "department"), m


def test_central_bodies_are_placed_nationally_and_branches_where_they_sit(tmp_path):
    import fazhi_lib as fz

    for i, body in enumerate(CENTRAL):
        page = f"{body}2023年法治政府建设情况报告\n2023年,我们坚持依法行政,审查文件{i + 10}件。\n" + BODY
        (tmp_path / f"{i}.txt").write_text(page, encoding="utf-8")
    reports = fz.build_corpus(tmp_path).reports.set_index("issuer")
    assert reports["province"].to_dict() == {b: "上海市" if "上海" in b else "全国" for b in CENTRAL}


def test_a_management_committee_keeps_its_name():
    m = meta("东莞市松山湖管委会2023年法治政府建设情况报告\n2023年,我们坚持依法行政。\n" + BODY)
    assert (m["issuer"], m["issuer_full"], m["level"]) == ("松山湖管委会", "东莞市松山湖管委会", "department")


@pytest.mark.parametrize(
    "body", ["呼和浩特经济技术开发区管理委员会", "乌鲁木齐高新技术产业开发区", "郑州航空港经济综合实验区"]
)
def test_a_development_zone_keeps_its_whole_name(body):
    # (zone names run to 13 characters before 区: the first ones had been dropped, 和浩特经济技术开发区)
    m = meta(f"{body}2023年法治政府建设情况报告\n2023年,我们坚持依法行政。\n" + BODY)
    assert m["issuer_full"] == body, m


@pytest.mark.parametrize(
    "title, issuer, full",
    [
        ("杭州市生态环境局西湖分局2023年法治政府建设年度报告", "生态环境局西湖分局", "杭州市生态环境局西湖分局"),
        (
            "宁波市自然资源和规划局鄞州分局2023年法治政府建设年度报告",
            "自然资源和规划局鄞州分局",
            "宁波市自然资源和规划局鄞州分局",
        ),
    ],
)
def test_a_branch_bureau_is_the_issuer(title, issuer, full):
    m = meta(f"{title}\n2023年,我们坚持依法行政。\n" + BODY)
    assert (m["issuer"], m["issuer_full"], m["level"]) == (issuer, full, "department"), m


@pytest.mark.parametrize(
    "title, year",
    [
        ("某某县法治政府建设年度报告（2023）", 2023),  # a bracketed year without 年
        ("某某县2022年法治政府建设工作总结", 2022),  # a work summary is the year's report
        ("某某镇2022年法治政府建设工作总结和2023年工作计划", 2022),
    ],
)
def test_title_forms_that_name_the_report(title, year):
    m = meta(f"{title}\n我们坚持依法行政。\n" + BODY)
    assert (m["title"], m["issuer"], m["report_year"]) == (title, title[:3], year), m


@pytest.mark.parametrize(
    "title, issuer, full",
    [
        ("关于宁海县2023年度法治政府建设情况的报告", "宁海县", "宁海县"),
        ("关于宁海县司法局2023年度法治政府建设工作情况的报告", "司法局", "宁海县司法局"),
        ("关于报送宁海县2023年度法治政府建设情况报告的函", "宁海县", "宁海县"),
    ],
)
def test_the_issuer_after_guanyu(title, issuer, full):
    m = meta(f"{title}\n我们坚持依法行政。\n" + BODY)
    assert (m["title"], m["issuer"], m["issuer_full"], m["report_year"]) == (title, issuer, full, 2023), m


@pytest.mark.parametrize(
    "title, issuer, full, level",
    [
        ("跃龙街道党工委、办事处关于2023年度法治政府建设情况的报告", "跃龙街道", "跃龙街道", "subdistrict"),
        ("中共跃龙镇委、跃龙镇人民政府关于2023年度法治政府建设情况的报告", "跃龙镇", "跃龙镇", "township"),
        # a merged body's second name in brackets
        (
            "宁海县卫生健康局（宁海县中医药管理局）2023年法治政府建设年度报告",
            "卫生健康局",
            "宁海县卫生健康局",
            "department",
        ),
        # 住房和城乡 is no township
        (
            "宁海县住房和城乡建设局2023年度法治政府建设情况报告",
            "住房和城乡建设局",
            "宁海县住房和城乡建设局",
            "department",
        ),
    ],
)
def test_joint_and_merged_bodies_in_a_title(title, issuer, full, level):
    m = meta(f"{title}\n我们坚持依法行政。\n" + BODY)
    assert (m["issuer"], m["issuer_full"], m["level"]) == (issuer, full, level), m


@pytest.mark.parametrize(
    "title, issuer, level",
    [
        ("延边州延吉市2023年法治政府建设情况报告", "延吉市", "county"),  # a prefecture's short form, then its city
        ("黔东南州凯里市人民政府2023年法治政府建设情况报告", "凯里市", "county"),
        ("广州市天河区人民政府林和街道办事处2023年法治政府建设情况报告", "林和街道", "subdistrict"),
        ("广州市天河区人民政府2023年法治政府建设情况报告", "天河区", "county"),
    ],
)
def test_chains_of_divisions_in_a_title(title, issuer, level):
    m = meta(f"{title}\n我们坚持依法行政。\n" + BODY)
    assert (m["issuer"], m["level"]) == (issuer, level), m


@pytest.mark.parametrize(
    "head, issuer, full",
    [
        ("2023年法治政府建设年度报告——宁海县司法局", "司法局", "宁海县司法局"),
        ("2023年度法治政府建设年度报告（宁海县司法局）", "司法局", "宁海县司法局"),
        ("2023年法治政府建设情况报告 宁海县应急管理局", "应急管理局", "宁海县应急管理局"),
        ("2023年度法治政府建设工作报告\n宁海县人民政府\n2024年1月20日", "宁海县", "宁海县人民政府"),  # a byline
    ],
)
def test_the_issuer_printed_after_the_title(head, issuer, full):
    m = meta(f"{head}\n我们坚持依法行政。\n" + BODY)
    assert (m["issuer"], m["issuer_full"], m["issuer_source"], m["report_year"]) == (issuer, full, "title", 2023), m


def test_an_addressee_below_the_title_is_no_byline():
    m = meta("2023年度法治政府建设工作报告\n县委、县政府:\n2023年,全县坚持依法行政。\n" + BODY)
    assert (m["issuer"], m["level"], m["issuer_source"]) == (None, "county", "body"), m


def test_a_full_date_under_the_title_is_no_report_year():
    body = BODY.replace("下一年度工作安排", "2024年工作安排")
    m = meta("某某县司法局法治政府建设年度报告\n2024年1月20日\n我们坚持依法行政。\n" + body)
    assert (m["report_year"], m["report_year_source"]) == (2023, "plan_heading"), m  # (the date had given 2024)


OWN = (
    "2023年,在区委、区政府的坚强领导下,我局坚持依法行政。\n一、主要举措和成效\n制定《宁波市鄞州区卫生健康局{doc}》。\n"
)


def test_our_bureau_named_by_its_own_documents():
    m = meta(OWN.format(doc="行政执法公示办法") + BODY)
    assert (m["issuer"], m["issuer_full"], m["level"]) == ("卫生健康局", "宁波市鄞州区卫生健康局", "department"), m


@pytest.mark.parametrize(
    "page",
    [
        OWN.replace("在区委、区政府的坚强领导下,", "").format(
            doc="行政执法公示办法》《宁波市卫生健康局关于…的通知"
        ),  # no leadership (no level to check) and two bureaus of its kind titled: which one is unknown
        OWN.replace("鄞州区卫生健康局", "卫生健康局").format(doc="关于…的通知"),  # the city bureau's document
    ],
)
def test_our_bureau_is_not_named_by_documents_of_another_level(page):
    m = meta(page + BODY)
    assert (m["issuer"], m["level"]) == (None, "department"), m


def test_our_bureau_with_no_level_to_check_is_named_by_the_one_bureau_of_its_kind_on_the_page():
    # …的工作部署,我局高度重视 (no leadership thanked, no level answered to): the one department of its kind
    # that the page titles with a full name is its own
    page = OWN.replace("在区委、区政府的坚强领导下,", "").format(doc="行政执法公示办法")
    m = meta(page + BODY)
    assert (m["issuer"], m["issuer_full"], m["level"]) == ("卫生健康局", "宁波市鄞州区卫生健康局", "department"), m


def test_our_bureau_titling_its_documents_by_an_abbreviation_is_completed_from_the_pages_places():
    # 在市委、市政府… 我局 + 《市生态环境局2023年度…目录》: the city's bureau, its city from the page (美丽宁波)
    page = (
        "2023年,我局按照市委、市政府的工作要求,坚持以建设美丽宁波为统领。\n一、主要举措和成效\n"
        "制定《市生态环境局2023年度重大行政决策事项目录》,落实《宁波市人民政府2023年度工作要点》。\n"
    )
    m = meta(page + BODY)
    assert (m["issuer_full"], m["level"], m["province"]) == ("宁波市生态环境局", "department", "浙江省"), m
    # a district's bureau citing the city's bureau: not its own; two bureaus so titled: which one is unknown
    assert meta(page.replace("市委、市政府", "区委、区政府") + BODY)["issuer"] is None
    assert meta(page.replace("落实《宁波市", "落实《市交通运输局关于…》《宁波市") + BODY)["issuer"] is None


def test_our_district_unknown_to_the_division_table_is_named_by_its_own_rule_of_law_plan():
    # 我区 of a new area (no division of the table): the one 区 whose rule-of-law plan the page cites by name
    page = (
        "根据《某某市2021年法治政府建设工作要点》和《滨江新区2021年法治政府建设工作要点》文件精神,现将我区2021年度"
        "法治政府建设工作情况报告如下:\n"
    )
    m = meta(page + BODY)
    assert (m["issuer"], m["level"]) == ("滨江新区", "county"), m
    # two such plans, or only the city's: not named
    assert meta(page.replace("《某某市", "《青山新区") + BODY)["issuer"] is None
    assert meta(page.replace("和《滨江新区2021年法治政府建设工作要点》", "") + BODY)["issuer"] is None


def test_our_bureau_of_a_municipality_answers_to_the_municipalitys_party_committee():
    # 市委、市政府 of 北京, 天津, 上海 or 重庆 are at the provinces' level: the municipality's bureau is named by
    # its own documents; a province's bureau cited by a city's (在市委…, 《湖北省…局关于…》) is still not its own
    page = (
        "2024年,在市委、市政府的坚强领导下,我局坚持依法行政。\n一、主要举措和成效\n印发《天津市文化和旅游局{doc}》。\n"
    )
    m = meta(page.format(doc="行政执法公示办法") + BODY)
    assert (m["issuer_full"], m["level"], m["province"]) == ("天津市文化和旅游局", "department", "天津市"), m
    m = meta(page.replace("天津市", "湖北省").format(doc="行政执法公示办法") + BODY)
    assert (m["issuer"], m["level"]) == (None, "department"), m


# the report's statement of itself (现将X2023年度…情况报告如下) names the body in full where the opening does not
STATED = [
    (
        "after the notice asking for reports",
        "根据市委依法治市办《关于做好2023年度法治政府建设情况报告工作的通知》,现将2023年度柳州市水利局法治政府建设"
        "工作情况报告如下:\n",
        "柳州市水利局",
    ),
    (
        "before an opening that says 我局",
        "根据《关于报送法治政府建设年度报告的通知》要求,现将南平市统计局2024年法治政府建设情况报告如下:\n"
        "2024年,在市委、市政府的领导下,我局坚持依法行政。\n",
        "南平市统计局",
    ),
    (
        "the report quoted by its title, the opening abbreviated",
        "现将《宜春市林业局2022年度法治政府建设情况报告》予以公布。\n2022年,市林业局在市委、市政府的领导下,坚持依法行政。\n",
        "宜春市林业局",
    ),
    (
        "a subdistrict named short",
        "2021年,全街坚持依法行政。现将莲花街2021年度法治政府建设工作情况报告如下:\n",
        "莲花街",
    ),
]


@pytest.mark.parametrize("case, head, full", STATED, ids=[s[0] for s in STATED])
def test_the_reports_statement_names_the_issuer(case, head, full):
    m = meta(head + BODY)
    assert (m["issuer_full"], m["title"]) == (full, None), m


def test_a_statement_without_a_name_names_no_issuer():
    m = meta("根据上级部署,现将有关情况报告如下:\n" + BODY)
    assert (m["issuer"], m["level"]) == (None, "unknown"), m


@pytest.mark.parametrize(
    "quoted",
    [
        "关于做好2023年度法治政府建设情况报告工作的通知",
        "关于规范报送2019年法治政府建设情况报告的通知",
        "法治政府建设情况报告工作实施方案",
    ],
)
def test_a_cited_notice_or_plan_is_no_title(quoted):
    assert iss.find_title([f"根据省依法行政领导小组办公室《{quoted}》要求,现将我局情况报告如下:"]) is None
    assert iss.find_title(["《荷塘区2023年法治政府建设年度报告》"]).title == "荷塘区2023年法治政府建设年度报告"


@pytest.mark.parametrize(
    "lead",
    [
        "2022年,我局认真落实上级和我区有关工作部署,坚持依法行政。",  # 我区: the district's bureau
        "2022年,我局全面贯彻落实省、市、区关于法治政府建设各项部署要求,坚持依法行政。",  # the lowest level named
        "2022年,我局坚决贯彻区委、区政府决策部署,坚持依法行政。",
    ],
)
def test_our_bureau_placed_by_the_levels_it_answers_to(lead):
    page = lead + "\n一、主要举措和成效\n制定《宁波市鄞州区卫生健康局行政执法公示办法》。\n"
    m = meta(page + BODY)
    assert (m["issuer"], m["issuer_full"], m["level"]) == ("卫生健康局", "宁波市鄞州区卫生健康局", "department"), m
    city = meta(
        page.replace("我区", "我市").replace("区委、区政府", "市委、市政府").replace("省、市、区", "省、市") + BODY
    )
    assert (city["issuer"], city["level"]) == (None, "department"), city  # a city bureau's report: not its document


def test_a_summary_meeting_is_no_report_title():
    assert meta("某某镇召开2022年度法治政府建设工作总结会\n会议由镇长主持。\n" + BODY)["title"] is None


@pytest.mark.parametrize(
    "page, issuer, full",
    [
        ("阿拉善盟行政公署2023年法治政府建设情况报告\n2023年,我们坚持依法行政。", "阿拉善盟", "阿拉善盟行政公署"),
        (
            "大兴安岭地区行政公署关于2023年法治政府建设情况的报告\n2023年,全区坚持依法行政。",
            "大兴安岭地区",
            "大兴安岭地区行政公署",
        ),
        ("2023年,锡林郭勒盟行政公署坚持依法行政。", "锡林郭勒盟", "锡林郭勒盟行政公署"),
    ],
)
def test_an_administrative_office_governs_its_league_or_prefecture(page, issuer, full):
    # 行政公署 is the government of a 盟 or 地区 (a city-level body), not one of its departments
    m = meta(page + "\n" + BODY)
    assert (m["issuer"], m["issuer_full"], m["level"]) == (issuer, full, "city"), m


def test_all_levels_and_departments_are_no_department():
    m = meta("2023年,宁海县各级各部门坚持依法行政。\n" + BODY)
    assert (m["issuer"], m["level"]) == ("宁海县", "county"), m


def test_a_heading_or_a_sentence_mid_paragraph_is_no_subject():
    m = meta("一、加强党的领导\n区政府常务会议审议通过12件规范性文件。全区坚持以习近平法治思想为指导。\n" + BODY)
    assert m["issuer_source"] != "body" or m["issuer"] is None


@pytest.mark.parametrize(
    "line",
    [
        "索 引 号:330000/2024-00012 发布机构:天台县司法局 发文日期:2024-02-01",
        "发 布 机 构：天台县司法局 发 布 日 期：2024-02-01",
    ],
    ids=["spaced index label", "every label spaced"],
)
def test_spaced_metadata_labels_are_read(line):
    """Labels spaced out as sites print them (索 引 号:) are labels: the publisher and the date read."""
    m = meta(line + "\n我局坚持依法行政,现将2023年度法治政府建设情况报告如下:\n" + BODY)
    assert (m["issuer"], m["level"], m["publish_date"]) == ("司法局", "department", "2024-02-01"), m
    assert m["issuer_full"] == "天台县司法局"


def test_addressee_is_never_the_issuer():
    m = meta("中共泰顺县委、泰顺县人民政府:\n2023年,泰顺县司法局坚持依法行政。\n" + BODY)
    assert (m["issuer"], m["issuer_full"], m["level"]) == ("司法局", "泰顺县司法局", "department")


# ---------------------------------------------------------------- abbreviations: completed from the page, or left partial
ABBREVIATIONS = [
    (
        "市 department completed from the title chain",
        "2023年,市司法局坚持依法行政。组织赴湖州市学习,湖州市全年审查12件,湖州市获评示范市。\n" + BODY,
        "湖州市司法局",
        "department",
    ),
    (
        "我区 in an autonomous region's report",
        "2023年,全区各级人民政府坚持依法行政,深入落实宁夏工作部署。\n" + BODY,
        "宁夏回族自治区",
        "province",
    ),
    (
        "县委、县政府 as the subject, after an addressee line, completed from the county the body names",
        "中共绍兴市委、绍兴市人民政府:\n2023年,县委、县政府坚持依法行政。印发《新昌县合法性审查办法》,新昌县全年审查12件。\n"
        + BODY,
        "新昌县",
        "county",
    ),
    (
        "an autonomous county cited in its short form keeps that form",
        "2023年,县政府坚持依法行政。印发《长阳县行政执法规范》,长阳县全年审查12件。\n" + BODY,
        "长阳县",
        "county",
    ),
    (
        "我街 completed from the page's own documents",
        "2022年,我街认真贯彻落实。制定《清波街2022年普法计划》《清波街议事规则》。\n" + BODY,
        "清波街",
        "subdistrict",
    ),
    (
        "我镇: a phrase before 党委 is no name, the document title is",
        "2023年,我镇认真贯彻落实。一是强化领导,二是镇党委统筹,及时召开镇党委会议。印发《梅林镇2023年普法计划》。\n"
        + BODY,
        "梅林镇",
        "township",
    ),
]


def test_two_towns_titled_alike_leave_the_abbreviation_partial():
    m = meta("2023年,我镇认真贯彻落实。转发《梅林镇普法计划》,学习《桃源镇议事规则》。\n" + BODY)
    assert (m["issuer"], m["level"]) == (None, "township"), m


@pytest.mark.parametrize("case, page, full, level", ABBREVIATIONS, ids=[a[0] for a in ABBREVIATIONS])
def test_abbreviations_completed_from_page_places(case, page, full, level):
    m = meta(page)
    assert (m["issuer_full"], m["level"]) == (full, level), m
    assert "completed from the place names" in m["warnings"]


def test_abbreviation_without_place_keeps_level_and_says_so():
    m = meta("2023年,我局坚持依法行政,全面推进法治政府建设。\n" + BODY)
    assert (m["issuer"], m["level"]) == (None, "department")
    assert "issuer not named" in m["warnings"]


def test_two_places_named_alike_leave_the_abbreviation_partial():
    m = meta("2023年,县司法局坚持依法行政。学习安吉县经验,推广德清县做法。\n" + BODY)
    assert (m["issuer"], m["issuer_full"], m["level"]) == ("司法局", "县司法局", "department")
    assert "only partly named" in m["warnings"]


@pytest.mark.parametrize(
    "text, level",
    [
        ("我市坚持", "city"),
        ("全县各级", "county"),
        ("本镇", "township"),
        ("县委、县政府坚持", "county"),
        ("省应急管理厅坚持", "department"),
        ("区政府办坚持", "department"),
        ("我街认真", "subdistrict"),
    ],
)
def test_abbreviation_levels(text, level):
    assert iss.read_name(text).level == level


# ---------------------------------------------------------------- metadata labels
def test_publishing_office_is_not_the_issuer_but_a_named_body_is():
    office = (
        "发布机构: 县政府办公室\n发布日期: 2024-03-01\n2023年法治政府建设年度报告\n2023年,全县坚持依法行政。\n" + BODY
    )
    assert meta(office)["issuer_source"] != "publisher"
    named = (
        "来源: 永康市市场监督管理局\n发布日期: 2024-03-01\n2023年法治政府建设年度报告\n2023年,我局坚持依法行政。\n"
        + BODY
    )
    m = meta(named)
    assert (m["issuer_full"], m["issuer_source"], m["level"]) == ("永康市市场监督管理局", "publisher", "department")


# ---------------------------------------------------------------- pinyin glosses, traditional pages
def test_reading_form_removes_glosses_and_converts():
    assert iss.reading_form("國務院應(yīng)急管理部發(fā)布") == "国务院应急管理部发布"


def test_traditional_page_reads_like_a_simplified_one():
    page = (
        "溫州市鹿城區人民政府2023年法治政府建設年度報告\n日期:2024-02-01 來源:鹿城區\n2023年,鹿城區堅持依法行政。\n"
        + BODY
    )
    m = meta(page)
    assert (m["issuer"], m["level"], m["report_year"], m["publish_date"]) == ("鹿城区", "county", 2023, "2024-02-01")
    assert m["province"] == "浙江省"


_FULL_WIDTH = str.maketrans("0123456789-/.", "０１２３４５６７８９－／．")


@pytest.mark.parametrize(
    "page",
    [
        "临安区司法局2021年法治政府建设年度报告\n发布时间：2022-01-20 09:30\n2021年,我局坚持依法行政。\n",
        "临安区司法局2021年法治政府建设年度报告\n发布日期 | 2022/01/20 |\n现将我局2021年度情况报告如下:\n",
        "成文日期：2022.01.18\n发布时间：2022.01.20\n关于2021年法治政府建设情况的报告\n2021年,临安区司法局坚持依法行政。\n",
        "临安區司法局2021年法治政府建設年度報告\n發佈時間：2022-01-20\n2021年,我局堅持依法行政。\n",
    ],
    ids=["labelled time", "table cell", "dots and a written date", "traditional"],
)
def test_full_width_digits_read_like_ascii_ones(page):
    """Pages typed with full-width digits and date signs (２０２２－０１－２０) give the same metadata."""
    ascii_, wide = meta(page + BODY), meta(page.translate(_FULL_WIDTH) + BODY)
    assert ascii_["report_year"] == 2021 and ascii_["publish_date"] == "2022-01-20"
    assert {k: wide[k] for k in ascii_ if k != "warnings"} == {k: ascii_[k] for k in ascii_ if k != "warnings"}


# ---------------------------------------------------------------- years
YEARS = [
    (
        "statement",
        "根据《法治政府建设实施纲要(2021—2025年)》,现将我镇2022年度法治政府建设情况报告如下:",
        2022,
        "statement",
    ),
    ("summary then statement", "认真总结我局2024年法治政府建设工作开展情况,现将相关情况报告如下:", 2024, "statement"),
    ("opening", "2019年,全县坚持依法行政。", 2019, "opening"),
    ("opening with 以来", "2021年以来,全区坚持依法行政。", 2021, "opening"),
    ("a plan year range is no report year", "依据《法治政府建设规划(2021-2025年)》推进工作。", None, ""),
    ("现就", "现就我镇2022年度法治政府建设情况报告如下:", 2022, "statement"),
    ("现对 … 总结如下", "结合街道实际推进法治建设。现对2023年所做工作总结如下:", 2023, "statement"),
]


@pytest.mark.parametrize("case, text, year, how", YEARS, ids=[y[0] for y in YEARS])
def test_stated_year(case, text, year, how):
    assert iss.stated_year(text) == (year, how)


def test_a_year_in_a_tag_before_the_title_is_the_title_year():
    m = meta("【2023年度】永嘉县法治政府建设情况报告\n2024年3月,县政府召开常务会议。\n" + BODY)
    assert (m["report_year"], m["issuer"]) == (2023, "永嘉县")


def test_a_range_or_a_cited_document_at_the_start_gives_no_preamble_year():
    m = meta("根据中共中央《全面深化法治领域改革纲要(2023—2027年)》,结合街道实际,扎实推进法治建设。\n" + BODY)
    assert m["report_year"] is None, m
    m = meta("依照《规划(2021—2025年)》和2023年市、区部署,街道扎实推进法治建设。\n" + BODY)
    assert m["report_year"] == 2023, m


def test_title_year_wins_over_a_range_in_the_title():
    m = meta(
        "苍南县法治政府建设实施纲要(2021—2025年)落实情况暨2023年法治政府建设年度报告\n2023年,苍南县坚持。\n" + BODY
    )
    assert m["report_year"] == 2023


def test_the_year_the_achievements_part_names_most_when_nothing_else_does():
    # an excerpt that starts at part one, no title, no opening year: the years of what was done count,
    # not a range, a "since", a plan's target or a cited document's year
    page = (
        "一、上一年度推进法治政府建设的主要举措和成效\n(一)优化政务服务\n街道持续推进2021年以来的窗口改革,落实"
        "《法治政府建设实施纲要(2021-2025年)》,力争2025年底前全面完成。2023年度内累计办件10790件,"
        "2023年共审查合同43份。\n二、存在的不足\n执法力量不足。"
    )
    m = meta(page)
    assert (m["report_year"], m["title"]) == (2023, None), m
    assert "report year 2023 taken from the achievements years" in m["warnings"]


# ---------------------------------------------------------------- dates
DATES = [
    ("日期:2024-03-05 09:00", "2024-03-05"),
    ("时间：2024年3月5日", "2024-03-05"),
    ("发布日期 2024/3/5", "2024-03-05"),
    ("更新时间: 2024.03.05", "2024-03-05"),
    ("发文日期:05.03.2024", "2024-03-05"),
    ("- [ 发布日期 ] 2024-03-05", "2024-03-05"),
    ("发布于 2024-03-05 10:21", "2024-03-05"),
    ("作者:张三 发表于2024-03-05", "2024-03-05"),
    ("发布：2024-03-05", "2024-03-05"),
    ("发布2024年工作要点", None),
    ("Published\n2024-03-05", "2024-03-05"),  # a research database's English record of the report
    ("Publication date: 2024-03-05", "2024-03-05"),
    ("Unpublished 2024-03-05", None),
    ("成文日期: 2024-03-01", None),
    ("印发日期：2024-03-01", None),
    ("2024-03-05 来源: 本网", None),
    ("时间:2019年12月3日星期二", None),
    ("https://x.gov.cn/art/2024/3/5/art_1.html", None),
]


@pytest.mark.parametrize("text, date", DATES, ids=[d[0] for d in DATES])
def test_publication_label_forms(text, date):
    assert labelled_date(text) == date


def test_written_date_stays_written_and_early_dates_are_flagged():
    m = meta("成文日期: 2024-01-20\n日期:2024-01-25\n黄岩区2023年法治政府建设年度报告\n2023年,黄岩区坚持。\n" + BODY)
    assert (m["written_date"], m["publish_date"]) == ("2024-01-20", "2024-01-25")
    early = meta("日期:2023-06-01\n黄岩区2023年法治政府建设年度报告\n2023年,黄岩区坚持。\n" + BODY)
    assert early["publish_date"] == "2023-06-01" and "before the report year 2023 ended" in early["warnings"]
    before = meta("日期:2022-06-01\n黄岩区2023年法治政府建设年度报告\n2023年,黄岩区坚持。\n" + BODY)
    assert before["publish_date"] is None and "not kept" in before["warnings"]


# ---------------------------------------------------------------- accepting what only an opening shows
@pytest.mark.parametrize(
    "report, text, ok",
    [
        ({"title": "X镇2023年法治政府建设年度报告"}, "2023年,X镇推进法治政府建设。", True),
        (
            {"title": None, "report_year_source": "opening"},
            "2023年,X县坚持以习近平法治思想为指导,推进法治政府建设。",
            True,
        ),
        ({"title": None, "report_year_source": "preamble"}, "X镇召开2024年度法治建设工作推进会。", False),
        ({"title": None, "report_year_source": "opening"}, "2023年,X县召开经济工作会议。", False),
    ],
)
def test_opening_reports_a_year(report, text, ok):
    assert opening_reports_a_year(report, text) is ok


def test_opening_only_page_is_a_report_with_its_metadata():
    page = "2024年,临海市坚持以习近平法治思想为指导,扎实推进法治政府建设,各项工作取得新成效。"
    r = parse_text(page)
    from fazhi_lib.pipeline.worker import not_a_report

    assert not_a_report(r) is None
    assert (r.report["issuer"], r.report["level"], r.report["report_year"]) == ("临海市", "county", 2024)


def test_a_motto_before_the_opening_year():
    # 法治是…的保证。2022年,在…领导下,全县… : the year and the subject follow a general sentence
    page = (
        "法治是治国理政的基本方式,更是推动发展的保证。2022年,在市委、市政府和县委的坚强领导下,全县法治政府建设"
        "工作以习近平法治思想为指引,制定《永登县法治政府建设实施方案》《2022年永登县法治政府建设工作要点》,扎实推进。在全省“法治甘肃”满意度调查中,全县排名"
        "第二。\n坚持高位推动 法治政府建设责任不断强化\n"
        "县委、县政府高度重视法治建设。"
    )
    r = parse_text(page)
    from fazhi_lib.pipeline.worker import not_a_report

    assert not_a_report(r) is None
    m = r.report
    assert (m["report_year"], m["report_year_source"], m["issuer"], m["level"]) == (2022, "opening", "永登县", "county")
    # a dated sentence is no motto: 3月5日,… is a news item's lead
    assert iss.stated_year("本网讯 3月5日,推进会召开。2022年,全县推进。") == (None, "")


def test_a_part_heading_names_the_issuer_of_an_excerpt_starting_at_part_one():
    page = "一、2017年厦门市法治政府建设的主要工作和成效\n(一)建立领导体制\n市政府成立领导小组。\n二、存在的问题\n执法力量不足。"
    m = meta(page)
    assert (m["issuer"], m["level"], m["report_year"]) == ("厦门市", "city", 2017), m
    # a heading that names no body in full names nothing
    assert meta(page.replace("厦门市", "全市"))["issuer"] is None


@pytest.mark.parametrize(
    "words, level",
    [
        ("乡党委坚持将学习列入计划,组织全乡干部职工集中学习6次。", "township"),
        ("镇党委、政府高度重视,本镇干部全员参训。", "township"),
        ("全街获得示范窗口称号1个,累计办件10790件。", "subdistrict"),
        ("街道党工委把法治建设摆上重要议程,每季度研究一次。", "subdistrict"),
        ("2021年来,街道按照实施方案的要求推进。二是街道建立会商机制。", "subdistrict"),
        ("我局高度重视法治建设,局党组每季度研究一次。", "department"),
        ("局党组坚持带头学法,全局干部职工参加考试。", "department"),
    ],
)
def test_an_excerpt_naming_nobody_keeps_the_level_its_own_words_give(words, level):
    # an excerpt that starts at part one and never names its body: a town's, a subdistrict's or a bureau's
    # own words for itself still give the level (the name stays empty: nothing on the page completes it)
    page = "一、工作开展情况\n(一)深入学习法治思想\n一是紧扣学习主题。" + words + "\n二、存在的问题\n执法力量不足。"
    m = meta(page)
    assert (m["issuer"], m["level"]) == (None, level), m


def test_a_town_spoken_for_keeps_its_level_and_no_phrase_becomes_its_name():
    # 2023年度乡镇…: 度乡镇 is no town (度 belongs to the year, 乡镇 means townships in general); on a page that
    # names no body, phrases before 党委 or a verb (每年镇党委, 组织全乡, 一是抓住街道) are not taken for its name
    page = "2023年度乡镇法治政府建设情况报告\n区政府:\n现将本镇2023年度法治政府建设工作的主要情况报告如下:\n" + BODY
    m = meta(page)
    assert (m["title"], m["issuer"], m["level"]) == ("2023年度乡镇法治政府建设情况报告", None, "township"), m
    m = meta(page.replace("现将本镇", "每年镇党委研究两次,组织全乡干部学法。现将本镇"))
    assert (m["issuer"], m["level"]) == (None, "township"), m
    # (the statement on a line of its own is no title: 现将本镇…报告如下)
    m = meta("区政府:\n现将本镇2023年度法治政府建设工作的主要情况报告如下:\n" + BODY)
    assert (m["title"], m["issuer"], m["level"]) == (None, None, "township"), m


@pytest.mark.parametrize(
    "words",
    [
        "县委指导各乡镇党委、街道党工委落实责任,健全镇(街道)法治建设工作机制。",  # a county's words for its towns
        "本单位高度重视,各部门协同推进。",  # 本单位: any body's
        "我局指导全镇干部职工学法。",  # a bureau's words and a town's: unsure whose report
        "健全乡镇(街道)法治机制,完全街头巷尾覆盖。",  # 健全, 完全: no 全镇, 全街
        "指导各乡镇(街道)按照要求推进,乡镇、街道建立台账。",  # 街道 among a county's towns: no subject of its own
    ],
)
def test_words_that_are_not_a_bodys_own_give_no_level(words):
    page = "一、工作开展情况\n(一)深入学习法治思想\n一是紧扣学习主题。" + words + "\n二、存在的问题\n执法力量不足。"
    assert meta(page)["level"] == "unknown", meta(page)


def test_our_bureau_in_the_statement_after_a_cited_notice():
    m = meta(
        "根据省依法行政领导小组办公室《关于规范报送2019年法治政府建设情况报告的通知》要求,现将我局2019年度法治政府"
        "建设情况报告如下:\n" + BODY
    )
    assert (m["issuer"], m["level"], m["report_year"], m["title"]) == (None, "department", 2019, None), m


def test_a_county_written_short_in_the_opening_is_completed_by_its_full_name_on_the_page():
    page = "2023 年,瑞昌坚持以习近平法治思想为指导,推进依法行政。\n一、主要举措和成效\n印发《中共瑞昌市委全面依法治市委员会工作要点》。\n"
    m = meta(page + BODY)
    assert (m["issuer"], m["level"]) == ("瑞昌市", "county"), m
    # the short form alone, or a full form the division table does not know, names nothing
    assert meta(page.replace("《中共瑞昌市委", "《中共") + BODY)["issuer"] is None
    assert meta(page.replace("瑞昌", "全力") + BODY)["issuer"] is None


@pytest.mark.parametrize(
    "opening, issuer, full",
    [
        ("2022年,全市司法行政系统在市委、市政府的正确领导下,坚持依法行政。", "司法局", "赣州市司法局"),
        ("2022年,全市公安机关坚持以习近平法治思想为指导,推进执法规范化。", "公安局", "赣州市公安局"),
    ],
)
def test_a_bureau_speaking_for_its_system(opening, issuer, full):
    m = meta(opening + "\n一、主要举措和成效\n为赣州市高质量发展提供保障,赣州市群众满意度提升。\n" + BODY)
    assert (m["issuer"], m["issuer_full"], m["level"]) == (issuer, full, "department"), m
    # a county's officials (全县各级机关) are the county's, not a department's
    assert meta("2022年,全县各级机关坚持依法行政。\n" + BODY)["level"] == "county"


def test_our_city_completed_from_its_rule_of_law_campaign():
    # 法治绍兴 names the city by its short name: 全市 is 绍兴市 (the full name, not the short one, is the issuer)
    m = meta("2022年,全市坚持以习近平法治思想为指导,研究部署法治绍兴、法治政府建设工作,深入实施法治绍兴行动。\n" + BODY)
    assert (m["issuer"], m["level"], m["province"]) == ("绍兴市", "city", "浙江省"), m


@pytest.mark.parametrize("label", ["成文日期", "成文时间"])
def test_written_date_labels(label):
    m = meta(
        f"- 索 引 号:370481/2026-00251\n- {label}:2026年01月21日\n- 发文时间:2026年01月22日\n石门镇2025年度法治政府建设情况报告\n"
        + BODY
    )
    assert (m["written_date"], m["publish_date"]) == ("2026-01-21", "2026-01-22"), m


def test_a_verb_before_the_towns_party_committee_is_no_town_name():
    # 健全镇党委书记带头履行…: the town's party committee after a verb, not a town called 健全镇
    page = (
        "2023年,我镇坚持依法行政。\n一、主要举措\n成立了领导小组,健全镇党委书记带头履行第一责任人职责制度,"
        "镇党委理论学习中心组学法4次。\n"
    )
    m = meta(page + BODY)
    assert (m["issuer"], m["level"]) == (None, "township"), m


@pytest.mark.parametrize(
    "printed",
    [
        "石门市政府门户网站-石门市2023年法治政府建设情况报告",  # the site's name before it
        "石门市2023年法治政府建设情况报告_足彩app哪个是正规的",  # spam after it
        "石门市2023年法治政府建设情况报告 - 规划计划 - 石门市政府门户网站",  # the column and the site after it
        "文秘之家—全网资源每日更新www.wenmizj.com石门市2023年法治政府建设情况报告",  # a site and its address
        "标      题 石门市2023年法治政府建设情况报告",  # a spaced field label without a colon
        "信息名称:    石门市2023年法治政府建设情况报告",
        "内容概述: 石门市2023年法治政府建设情况报告",
    ],
)
def test_a_site_name_or_field_label_around_the_title_is_dropped(printed):
    assert iss.tidy_title(printed) == "石门市2023年法治政府建设情况报告"
    # a byline after 报告—— and a range in 《》 inside the title stay
    assert iss.tidy_title("石门市2023年法治政府建设年度报告——石门市司法局").endswith("——石门市司法局")
    assert iss.tidy_title("关于《法治政府建设实施纲要(2015-2020年)》落实情况的报告").startswith("关于《")


@pytest.mark.parametrize(
    "lines, title, issuer",
    [
        (  # the party committee, the government and the title's words on three lines
            ["中共石门县龙潭镇委员会", "石门县龙潭镇人民政府", "关于2025年法治政府建设情况的报告", "县委、县政府:"],
            "中共石门县龙潭镇委员会 石门县龙潭镇人民政府关于2025年法治政府建设情况的报告",
            "龙潭镇",
        ),
        (  # split before the report phrase, the year on the first line
            ["石门市人民政府关于2020年度", "法治政府建设情况的报告", "石政发〔2021〕8号"],
            "石门市人民政府关于2020年度法治政府建设情况的报告",
            "石门市",
        ),
        (  # a column tag that is itself a report phrase
            ["【市政府法治建设报告】石门市人民政府关于2021年度推进法治政府建设情况的报告"],
            "石门市人民政府关于2021年度推进法治政府建设情况的报告",
            "石门市",
        ),
    ],
    ids=["three lines", "year on the first line", "column tag"],
)
def test_titles_printed_over_lines_or_under_a_tag(lines, title, issuer):
    m = meta("\n".join(lines) + "\n2024年,坚持依法行政。\n" + BODY)
    assert (m["title"].replace(" ", ""), m["issuer"]) == (title.replace(" ", ""), issuer), m


def test_a_report_phrase_inside_a_longer_quoted_phrase_is_no_title():
    page = "根据《纲要》提出“实行法治建设年度报告制度”,2023年,石榴街道扎实推进法治建设。\n" + BODY
    assert meta(page)["title"] is None


def test_our_county_completed_from_its_rule_of_law_campaign():
    # 县政府 + 法治武义建设 (a county's campaign under its short name): 武义县, where the table knows one
    page = "2022年以来,在市委市政府和县委的坚强领导下,县政府坚持依法行政,法治武义建设再上台阶。\n" + BODY
    m = meta(page)
    assert (m["issuer"], m["level"], m["province"]) == ("武义县", "county", "浙江省"), m
    assert meta(page.replace("法治武义建设", "平安武义建设"))["issuer"] is None  # only the rule-of-law campaign
    # the campaign may cite the county with its 县: a county of one character always (法治沛县), or any
    m = meta(page.replace("法治武义建设", "平安沛县、法治沛县建设"))
    assert (m["issuer"], m["level"], m["province"]) == ("沛县", "county", "江苏省"), m
    assert meta(page.replace("法治武义建设", "法治武义县建设"))["issuer"] == "武义县"


def test_the_statement_gives_the_level_of_an_abbreviated_issuer():
    m = meta("根据《督察工作规定》要求,现将省政府2024年度法治政府建设情况报告如下。\n" + BODY)
    assert m["level"] == "province", m
    m = meta("根据法治政府建设年度报告制度的要求,现将我局2022年度法治政府建设工作报告如下:\n" + BODY)
    assert (m["title"], m["level"]) == (None, "department"), m  # 根据…报告制度: a rule in a sentence, no title


def test_a_clause_of_cause_after_the_year_is_no_subject():
    # 2025年,因X区交通运输执法权整体上收,我局…: the district is why, the bureau reports
    m = meta(
        "在区委区政府的正确领导下,我局深入学习贯彻习近平法治思想。\n2025年,因云溪区交通运输综合行政执法权整体上收,"
        "我局调整工作思路。\n" + BODY
    )
    assert (m["issuer"], m["level"]) == (None, "department"), m


@pytest.mark.parametrize(
    "named",
    [
        "一、主要举措\n石榴镇深入贯彻落实全面依法治国战略,健全依法决策机制。\n",  # a paragraph's subject
        "一、主要举措\n开展行政执法。2022年石榴镇组织开展行政执法检查20次。\n",  # a sentence's, after its year
        "一、主要举措\n加强学习,石榴镇委中心组专题学法4次。\n",  # the town's party committee
    ],
    ids=["paragraph subject", "sentence subject after a year", "town party committee"],
)
def test_our_town_completed_from_the_town_the_page_names(named):
    # 我镇 with no document titled by the town: the one town the page puts in subject position (or whose
    # party committee it names) is the issuer
    page = "2022年,我镇坚持依法行政,现就我镇2022年度法治政府建设情况报告如下:\n" + named + BODY
    m = meta(page)
    assert (m["issuer"], m["level"]) == ("石榴镇", "township"), m


@pytest.mark.parametrize(
    "named",
    [
        "石榴镇深入推进依法行政。\n樱桃镇深入推进依法行政。\n",  # two towns as often: no way to know
        "特色小镇建设稳步推进。\n城乡统筹坚持依法推进。\n",  # words that end in 镇/乡 are no town
        "镇党委坚持依法决策,城镇委托第三方评估。\n",  # 城镇委托 is no town's committee
    ],
    ids=["two towns", "words ending in 镇 or 乡", "entrusted by the town"],
)
def test_our_town_is_not_completed_by_a_guess(named):
    page = "2022年,我镇坚持依法行政,现就我镇2022年度法治政府建设情况报告如下:\n一、主要举措\n" + named + BODY
    m = meta(page)
    assert (m["issuer"], m["level"]) == (None, "township"), m


@pytest.mark.parametrize(
    "addressee, speaks, plan, issuer",
    [
        ("国务院:", "为全省经济社会发展提供法治保障", "陕西省法治政府建设实施方案", "陕西省"),
        ("党中央、国务院:", "省委、省政府高度重视法治政府建设", "陕西省法治政府建设实施方案", "陕西省"),
        ("国务院:", "为全市经济社会发展提供法治保障", "天津市法治政府建设实施方案", "天津市"),
        ("国务院:", "为全区经济社会发展提供法治保障", "广西壮族自治区法治政府建设实施方案", "广西壮族自治区"),
    ],
    ids=["province", "party centre and State Council", "municipality", "autonomous region"],
)
def test_a_report_to_the_state_council_is_a_provinces(addressee, speaks, plan, issuer):
    # a report addressed to 国务院 with no subject in its opening: the province it speaks of (全省, 省委、省政府),
    # named by the page's places
    opening = f"2019年,按照党中央、国务院的部署,全面落实《{plan}》各项任务,{speaks}。现将有关情况报告如下:\n"
    m = meta(addressee + "\n" + opening + BODY)
    assert (m["issuer"], m["level"]) == (issuer, "province"), m
    assert meta(opening + BODY)["level"] == "unknown"  # no addressee: no level
    assert meta("市委、市政府:\n" + opening + BODY)["level"] == "unknown"  # addressed to a city: not a province


def test_the_issuer_above_the_title_printed_again_as_the_documents_heading():
    # the page's title line is bare; the document below prints its body's name above the same title
    head = (
        "当前位置: 政府机构 >> 信息公开 >> 正文\n\n2021年法治政府建设工作情况报告\n\n  • 索引号:1495410037/qsz1/2022-00021\n"
        "  • 发文字号:\n  • 发文机构:qsz1\n  • 名 称:2021年法治政府建设工作情况报告\n  • 公文时效:\n  • 发布日期:2022-03-31\n\n\n"
        "{above}\n\n2021年法治政府建设工作情况报告\n\n\n2021年我镇深入贯彻落实上级部门关于法治政府建设的要求。\n"
    )
    m = meta(head.format(above="石门市龙潭区青石镇人民政府") + BODY)
    assert (m["issuer"], m["level"]) == ("青石镇", "township"), m
    m = meta(head.format(above="政策文件") + BODY)  # no body's name above the heading: none
    assert m["issuer"] is None, m


@pytest.mark.parametrize(
    "opening, full",
    [
        (  # a second lead clause that shares the first one's 在
            "2021年,在市委、市政府的坚强领导下,省农业农村厅的正确指导下,石门市农业农村局全面贯彻落实法治政府建设各项要求。",
            "石门市农业农村局",
        ),
        (  # no year before the subject, another verb than 坚持以
            "青海省农牧厅全面学习贯彻习近平法治思想,确保各项工作在法治框架下运行。",
            "青海省农牧厅",
        ),
        (  # a 厅 with no place is a province's, named by the page (法治湖南)
            "2021年,司法厅坚持以习近平新时代中国特色社会主义思想为指导,为建设更高水平的平安湖南、法治湖南提供有力保障。",
            "湖南省司法厅",
        ),
    ],
    ids=["shared lead clause", "opening without a year", "a hall without its province"],
)
def test_openings_of_provincial_and_city_departments(opening, full):
    m = meta(opening + "\n" + BODY)
    assert (m["issuer_full"], m["level"]) == (full, "department"), m


def test_an_office_of_the_central_government_is_no_provincial_hall():
    m = meta("2021年,办公厅坚持以习近平新时代中国特色社会主义思想为指导,法治湖南建设扎实推进。\n" + BODY)
    assert m["issuer_full"] != "湖南省办公厅", m


def test_a_law_database_record_of_a_report():
    # 【制定机关】 names the issuer, 【公布日期】 is the publication date (2022.02.25), 【施行日期】 is not
    page = (
        "2021年度法治政府部门建设情况报告\n文章属性\n【制定机关】石门市交通运输局\n【公布日期】2022.02.25\n【字 号】\n"
        "【施行日期】2022.03.01\n【效力等级】地方规范性文件\n正文\n按照省、市法治政府建设有关要求,现将我局法治政府部门建设工作情况报告如下:\n"
    )
    m = meta(page + BODY)
    assert (m["issuer_full"], m["publish_date"]) == ("石门市交通运输局", "2022-02-25"), m
    m = meta(page.replace("【公布日期】2022.02.25\n", "") + BODY)
    assert m["publish_date"] is None, m


@pytest.mark.parametrize(
    "title, full",
    [
        ("石门县编委办2023年法治政府建设年度报告", "石门县编委办"),  # a committee's office (委办) is the body
        ("石门市发改委办公室2023年法治政府建设年度报告", "石门市发改委"),  # the commission, its office aside
    ],
    ids=["committee office", "commission's office"],
)
def test_a_committees_office_keeps_its_name(title, full):
    m = meta(title + "\n2023年,坚持依法行政。\n" + BODY)
    assert m["issuer_full"] == full, m


def test_a_clause_of_thanks_is_no_subject():
    # 得益于县委、县政府的坚强领导…,我乡…: the county thanked is not the issuer (it had become a county 得益于县)
    m = meta(
        "2024年,得益于县委、县政府的坚强领导和县委全面依法治县委员会的坚实引领,我乡积极作为,坚定遵循习近平法治思想。\n"
        + BODY
    )
    assert (m["issuer"], m["level"]) == (None, "township"), m


def test_a_preface_that_names_its_body_and_year():
    # 根据…要求,X认真梳理总结2025年度…情况,现报告如下。: the body and the year of the report, no opening year
    m = meta(
        "根据中共中央办公厅、国务院办公厅《法治政府建设与责任落实督察工作规定》要求,区财政局认真梳理总结2025年度"
        "法治政府建设情况,现报告如下。\n" + BODY
    )
    assert (m["issuer_full"], m["level"], m["report_year"]) == ("区财政局", "department", 2025), m


@pytest.mark.parametrize(
    "excerpt, issuer, level",
    [
        (  # a city's report from part one: 我市, the city named in a document title
            "一、主要做法和成效\n(一)加强组织领导\n1.落实第一责任。按照《六盘水市贯彻〈规定〉实施办法》要求,各级党委将法治建设"
            "纳入年度计划,全区统一推进。\n2.加强学习。通过市委常委会会议深入学习,我市法治建设成效明显。\n",
            "六盘水市",
            "city",
        ),
        (  # an autonomous region's: 我区 with no district on the page is the region
            "一、深入学习践行习近平法治思想,全力推进我区法治政府建设\n自治区党委、政府坚持法治宁夏、法治政府一体建设。\n",
            "宁夏回族自治区",
            "province",
        ),
    ],
    ids=["city", "autonomous region"],
)
def test_an_excerpt_naming_nobody_is_placed_by_the_division_it_speaks_for(excerpt, issuer, level):
    m = meta(excerpt + BODY)
    assert (m["issuer"], m["level"]) == (issuer, level), m


@pytest.mark.parametrize(
    "excerpt",
    [
        "一、主要做法\n我局坚持依法行政,我市法治建设成效明显,六盘水市…\n",  # a department's words: its name is not given
        "一、主要做法\n本镇坚持依法行政,我县法治建设成效明显,六盘水市…\n",  # a town's: no table completes it
        "一、主要做法\n全市坚持依法行政,六盘水市法治建设成效明显。\n",  # 全市 alone: a city's or its departments'
    ],
    ids=["department", "town", "no 我X"],
)
def test_an_excerpt_naming_nobody_keeps_no_issuer_without_a_clear_voice(excerpt):
    m = meta(excerpt + BODY)
    assert m["issuer"] is None, m


def test_a_preposition_before_the_towns_committee_is_no_town_name():
    # 定期向镇党委汇报: the town's party committee after 向, not a town called 定期向镇
    m = meta("2023年,我镇坚持依法行政,定期向镇党委汇报法治建设情况,取得成效。\n" + BODY)
    assert (m["issuer"], m["level"]) == (None, "township"), m
    m = meta("2023年,我镇坚持依法行政,,向阳镇党委定期听取法治建设汇报。\n" + BODY)  # 向 opening a name stays
    assert m["issuer"] == "向阳镇", m


def test_an_excerpt_starting_at_the_first_task_of_the_outline_is_a_report():
    # 一、关於履行政府職能 (the 纲要's first task, a traditional copy) with only the achievements part: a report
    from fazhi_lib.pipeline.worker import not_a_report

    page = (
        "一、關於履行政府職能\n(一)深入推進「放管服」改革。印發《關於推進政府職能轉變的分工方案》,對21項行政審批事項進行清單管理。"
        "編訂14類29項審批事項的辦事指南,規範審批流程。\n(二)加強市場監管。清理妨礙公平競爭的各種規定。\n"
    )
    assert not_a_report(parse_text(page)) is None
    # the same part under a heading that names no task of the outline: a news item or another document
    assert not_a_report(parse_text(page.replace("關於履行政府職能", "關於市場監管工作"))) is not None


@pytest.mark.parametrize(
    "title, full",
    [
        ("石门县司法 局2022年度推进法治政府建设 情况报告", "石门县司法局"),  # a department's last character split off
        ("石门县 教育局 2025年法治政府建 设 年度报告", "石门县教育局"),  # the department spaced from its county
        ("2021年常德市 石 门县人民政府法 治政府建 设工 作报告", "石门县"),  # a county's name and the report words split
    ],
    ids=["suffix split", "department after its county", "names and words split"],
)
def test_a_justified_titles_stray_spaces_split_no_name(title, full):
    m = meta(title + "\n2022年,坚持依法行政。\n" + BODY)
    assert m["issuer_full"].replace("人民政府", "") == full, m


@pytest.mark.parametrize(
    "opening, full, level",
    [
        (
            "2023年,在市委、市政府的坚强领导下,石门县坚持依法行政,现将石门县2023年度法治政府建设工作报告如下:",
            "石门县",
            "county",
        ),
        ("2024年,我县坚持以习近平法治思想为指导,推动全县法治政府建设实现新发展。", "石门县", "county"),
        ("2024年,我局坚持以习近平法治思想为指导,推动司法行政工作实现新发展。", "石门县司法局", "department"),
        ("2024年,常德市坚持以习近平法治思想为指导,推动法治政府建设实现新发展。", "石门县司法局", "department"),
    ],
    ids=["the county named", "the county abbreviated", "the bureau's own report", "another place named"],
)
def test_a_justice_bureau_publishing_its_countys_report(opening, full, level):
    # 来源: X县司法局 with no title: the bureau publishes; the opening says whose report it is (GLOSSARY: 信息来源
    # may be 区司法局, not the issuer)
    m = meta("来源:石门县司法局 作者: 发布时间 2025年01月17日 点击数:\n\n" + opening + "\n" + BODY)
    assert (m["issuer_full"].replace("人民政府", ""), m["level"]) == (full, level), m


@pytest.mark.parametrize(
    "page, full, level",
    [
        # a tender site's copy masks every digit of the body (****年): the opening still names its body
        ("****年,石门县坚持以习近平法治思想为指导,深入推进依法行政。\n", "石门县", "county"),
        ("****年,在县委的坚强领导下,蒙泉镇认真贯彻落实法治政府建设部署。\n", "蒙泉镇", "township"),
        # and so does a title whose year is masked
        ("关于常德市石门县20**年度法治政府建设情况的报告\n全年工作平稳。\n", "常德市石门县", "county"),
    ],
    ids=["opening", "opening after a lead clause", "title"],
)
def test_a_masked_year_still_frames_the_issuer(page, full, level):
    m = meta(page + BODY)
    assert (m["issuer_full"].replace("人民政府", ""), m["level"]) == (full, level), m
    assert m["report_year"] is None  # (a masked year is read as none)


@pytest.mark.parametrize(
    "title, issuer",
    [
        ("澳门赌场鸡鸣乡人民政府2025年法治政府建设情况报告", "鸡鸣乡"),  # a brand glued on the township's name
        ("bt365备用网站双城区2021年度法治政府建设情况报告", "双城区"),  # on a district's
    ],
)
def test_a_brand_glued_before_the_issuer_in_the_title_is_dropped(title, issuer):
    # a hijacked copy: the place's name in the title replaced by a gambling brand; the body writes its own name
    m = meta(f"{title}\n2025年,{issuer}坚持以习近平法治思想为指导,推进依法行政。\n{BODY}")
    assert m["issuer"] == issuer, m


@pytest.mark.parametrize(
    "title, body, issuer",
    [
        # the body repeats the title's name in a sentence: kept as printed (新华乡 in it is no tail to prefer)
        ("滨湖新华乡2025年法治政府建设情况报告", "2025年,滨湖新华乡坚持依法行政,新华乡各村同步推进。", "滨湖新华乡"),
        # a chain the division table knows is no junk, whatever the body writes
        ("广州市海珠区沙园街道2022年法治政府建设年度报告", "2022年,沙园街道坚持依法行政。", "沙园街道"),
        # the body writes no tail of it: nothing to prefer
        ("澳门赌场鸡鸣乡人民政府2025年法治政府建设情况报告", "2025年,我乡坚持依法行政。", "澳门赌场鸡鸣乡"),
    ],
    ids=["repeated", "a known chain", "no tail written"],
)
def test_a_titles_issuer_is_kept_unless_junk_is_glued_before_a_name_the_page_writes(title, body, issuer):
    m = meta(f"{title}\n{body}\n{BODY}")
    assert m["issuer"] == issuer, m


@pytest.mark.parametrize(
    "opening, issuer, level",
    [
        # a subdistrict whose name starts with 县 is no county's office (县街街道办事处)
        (
            "在市委、市政府的正确领导下,县街街道办事处严格按照上级部署,推进依法行政。现将县街街道办事处2021年度法治政府建设"
            "工作情况简要报告如下:",
            "县街街道",
            "subdistrict",
        ),
        # a bureau with no place as the opening's subject, below an addressee: a department
        ("县委、县政府:\n2024年以来,教育局坚持以习近平法治思想为指引,推进依法治教。", "教育局", "department"),
        # 2022年是…之年,也是…的重要一年,X…
        (
            "2022年是党的二十大召开之年,也是滨江开启新征程的重要一年,滨江市体育局坚持以习近平法治思想为指导。",
            "体育局",
            "department",
        ),
        # a paragraph-start subject whose first verb is 认真落实党中央…
        (
            "省交通运输厅认真落实党中央国务院和省委省政府关于法治建设的决策部署,推动法治交通建设。",
            "交通运输厅",
            "department",
        ),
        # 为…精神, then another clause, then the body (镇党委政府: the town's, not a department)
        (
            "为贯彻落实党的二十届全会精神,县委、县政府关于年度工作要点的文件精神,镇党委政府坚持以习近平法治思想为指导。",
            None,
            "township",
        ),
        ("2024年,镇党委、镇政府坚持以习近平法治思想为指导,推进依法行政。", None, "township"),
    ],
    ids=["县街街道", "a bare bureau", "the important year", "认真落实党中央", "为 … 精神", "镇党委、镇政府"],
)
def test_openings_of_departments_and_towns(opening, issuer, level):
    m = meta(opening + "\n" + BODY)
    assert (m["issuer"], m["level"]) == (issuer, level), m


def test_a_titles_issuer_is_kept_when_its_tail_is_only_inside_another_name():
    # 新华乡 is a tail of 滨湖新华乡 but stands only inside 大新华乡 (another township): no name of its own
    title = "滨湖新华乡2025年法治政府建设情况报告"
    n = iss.glued_tail(iss.title_name(title), [title, "2025年,我乡与大新华乡共建调解中心。"])
    assert n is None


@pytest.mark.parametrize(
    "opening, issuer, level",
    [
        # no year: 根据…要求, then the body acting under its leaders (X镇在区委、区政府的正确领导下,坚持…)
        (
            "根据《2022年某某区法治政府建设工作要点》的要求,蒙泉镇在区委、区政府的正确领导下,坚持问题导向,依法履职。",
            "蒙泉镇",
            "township",
        ),
        # 是…之年,是…之年。一年来, then two 在…下 clauses before the body
        (
            "2024年,是实施规划的关键之年,是推进各项改革的攻坚之年。一年来,在上级的关心关怀下,在市委的坚强领导下,"
            "滨江市法治政府建设工作坚持以习近平法治思想为指导。",
            "滨江市",
            "city",
        ),
        # a copy that strips digits: 年,X坚持… (the year lost, not the body)
        (
            "年,石门县坚持以习近平新时代中国特色社会主义思想为指导,全面落实《法治政府建设实施纲要(—年)》。",
            "石门县",
            "county",
        ),
    ],
    ids=["under its leaders", "one year on", "digits stripped"],
)
def test_more_openings_name_their_body(opening, issuer, level):
    m = meta(opening + "\n" + BODY)
    assert (m["issuer"], m["level"]) == (issuer, level), m


def test_a_site_name_after_the_title_places_a_town():
    # the browser title of the page: …报告_公开目录_<the district's portal>; the town is placed in that district
    page = (
        "2025年度蒙泉镇法治政府建设情况报告_公开目录_杭州市西湖区人民政府门户网站\n\n2025年度蒙泉镇法治政府建设情况报告\n"
        "2025年,蒙泉镇在区委、区政府的坚强领导下,坚持以习近平法治思想为指导。\n" + BODY
    )
    r = parse_text(page).report
    assert (r["title"], r["issuer"], r["province"], r["prefecture"], r["county"]) == (
        "2025年度蒙泉镇法治政府建设情况报告",
        "蒙泉镇",
        "浙江省",
        "杭州市",
        "西湖区",
    ), r


@pytest.mark.parametrize(
    "opening, issuer, level",
    [
        # no year, no lead clause: X以习近平…为指导 / X深入学习贯彻党的…精神 open like X坚持以习近平…
        ("蒙泉镇以习近平新时代中国特色社会主义思想为指导,扎实推进法治政府建设。", "蒙泉镇", "township"),
        ("石门县司法局深入学习贯彻党的二十大精神,扎实推进依法行政。", "司法局", "department"),
        # a paragraph opening with a lead clause: whatever the body then does, it is the subject
        ("在县委、县政府的坚强领导下,蒙泉镇深入推进依法行政,扎实推进各项工作。", "蒙泉镇", "township"),
        ("为深入贯彻落实党的二十大精神,石门县紧紧围绕法治政府建设目标,扎实推进各项工作。", "石门县", "county"),
    ],
    ids=["以习近平…为指导", "学习贯彻党的", "after 在…领导下", "after 为…精神"],
)
def test_openings_without_a_year(opening, issuer, level):
    m = meta(opening + "\n" + BODY)
    assert (m["issuer"], m["level"]) == (issuer, level), m


def test_a_lead_clause_before_the_reports_statement_names_no_subject():
    # 根据…要求,现将X…报告如下: the statement names X (`_stated_name`), not a subject called 现将X
    m = meta("根据上级要求,现将石门县统计局2024年法治政府建设情况报告如下:\n" + BODY)
    assert m["issuer_full"] == "石门县统计局", m


@pytest.mark.parametrize(
    "title, full",
    [
        ("皮山县教育系统2022年度法治政府建设工作报告", "皮山县教育局"),  # the system of a county: its bureau reports
        ("某某市公安机关2023年法治政府建设情况报告", "某某市公安局"),
        ("广东省司法行政系统2023年法治政府建设情况报告", "广东省司法厅"),  # a province's system: its 厅
    ],
)
def test_a_divisions_system_in_a_title_is_its_bureaus_report(title, full):
    m = meta(f"{title}\n2023年,坚持依法行政。\n{BODY}")
    assert (m["issuer_full"], m["level"]) == (full, "department"), m


def test_a_sites_menu_before_the_title_names_no_ministry_and_hides_no_opening():
    # a portal's menu kept above the report (…政府网站 / 年度报表 / 地方部门 / 链接): 地方部门 is departments in
    # general, not a ministry called 地方部 placed in 全国; and the opening below it still gives the level
    menu = "\n\n".join(["法定主动", "公开内容", "政策", "试点领域", "信息公开", "政府信息", "公开年报", "依申请", "公开",
                        "政府网站", "年度报表", "地方部门", "链接"])  # fmt: skip
    page = (
        menu + "\n\n2019年度法治政府建设工作情况报告\n发布日期:2020-12-15\n\n市委、市政府:\n"
        "2019年,在区委的正确领导下,在区人大及其常委会的监督下,全区坚持以习近平新时代中国特色社会主义思想为指导。\n"
        + BODY
    )
    m = meta(page)
    assert (m["title"], m["issuer"], m["level"]) == ("2019年度法治政府建设工作情况报告", None, "county"), m
    assert iss.read_name("地方部门链接") is None
    assert iss.read_name("交通运输部坚持").issuer == "交通运输部"  # (a ministry still is one)


@pytest.mark.parametrize(
    "page, full, level",
    [
        # a zone's bureau: the 管委会 is where it sits, the bureau reports
        (
            "滨江新区管理委员会应急管理局2022年度法治政府建设工作总结\n2022年,坚持依法行政。\n",
            "滨江新区管理委员会应急管理局",
            "department",
        ),
        # the zone's own management committee: its government, at the zone's level (as 滨江新区 alone)
        ("滨江新区管委会2022年度法治政府建设工作报告\n2022年,坚持依法行政。\n", "滨江新区管委会", "county"),
        ("滨江新区管理委员会2022年度法治政府建设工作报告\n2022年,坚持依法行政。\n", "滨江新区管理委员会", "county"),
        (
            "北京市城市管理委员会2022年度法治政府建设工作报告\n2022年,坚持依法行政。\n",
            "北京市城市管理委员会",
            "department",
        ),
        # the zone's office, as a government's 人民政府办公室 (not the zone's 管委会, nor a 办公会议 of it)
        (
            "滨江新区管委会办公室2022年度法治政府建设工作报告\n2022年,坚持依法行政。\n",
            "滨江新区管委会办公室",
            "department",
        ),
        (
            "滨江新区管委会办公会议审议通过2022年度法治政府建设工作报告\n2022年,坚持依法行政。\n",
            "滨江新区管委会",
            "county",
        ),
        # a system whose bureau's name is not known here still speaks for a department, not for the city
        (
            "2022年,全市自然资源规划系统以习近平法治思想为统领,深入贯彻落实部、省、市法治建设决策部署。\n",
            None,
            "department",
        ),
        ("2022年,全市各级行政机关坚持以习近平法治思想为指导。\n", None, "city"),  # (every body of the city: its own)
    ],
    ids=[
        "a zone's bureau",
        "the zone",
        "the zone, 管理委员会",
        "a city's committee",
        "the zone's office",
        "a meeting of the zone",
        "an unknown system",
        "全市各级行政机关",
    ],
)
def test_zones_bureaus_and_systems(page, full, level):
    m = meta(page + BODY)
    assert (m["issuer_full"], m["level"]) == (full, level), m


@pytest.mark.parametrize(
    "words, issuer, full, abbreviation",
    [
        ("县街街道办事处严格按照", "县街街道", "县街街道办事处", None),  # a subdistrict whose name starts with 县
        ("市城乡建设局坚持", "城乡建设局", "市城乡建设局", "市"),  # the city's bureau of 城乡建设, no town 市城乡
        ("县城乡规划局坚持", "城乡规划局", "县城乡规划局", "县"),
    ],
)
def test_a_town_after_an_abbreviations_character_and_a_bureau_of_城乡(words, issuer, full, abbreviation):
    n = iss.read_name(words)
    assert (n.issuer, n.issuer_full, n.abbreviation) == (issuer, full, abbreviation), n
