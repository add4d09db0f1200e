"""Numbers with units → indicator mentions (fazhi_lib/indicators.py), the panel and the notebook views.

Expectations are checked by hand against the reports in data/raw; the gold lists in tests/gold/ were
written by reading the clean text, not from the extractor's output.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import yaml
from conftest import RAW, ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

import fazhi_lib as fz
from fazhi_lib import indicator_views as iv
from fazhi_lib.clean import clean_page
from fazhi_lib.indicators import extract_numbers, indicator_panel, parse_numeral
from fazhi_lib.load import read_document
from fazhi_lib.rules import load_rules

GOLD = sorted((ROOT / "tests" / "gold").glob("*.yaml"))
LEVEL_KINDS = {"count", "rate", "money", "area", "change"}


def one(text: str):
    found = extract_numbers(text)
    assert len(found) == 1, [(m.raw, m.kind) for m in found]
    return found[0]


# --------------------------------------------------------------------------- numeral forms
@pytest.mark.parametrize(
    "text, value, unit",
    [
        ("全年审查1090件", 1090, "件"),
        ("全年审查1,090件", 1090, "件"),
        ("全年审查１０９０件", 1090, "件"),  # full-width digits
        ("全年审查一千零九十件", 1090, "件"),
        ("受理信访三起", 3, "起"),
        ("解决企业经营风险十余件", 10, "件"),
        ("覆盖两万余人次", 20000, "人次"),
        ("受众百余人次", 100, "人次"),
        ("聘请十名行政执法监督员", 10, "名"),
        ("调解成功率百分之百", 100, "%"),
        ("调解成功率百分之九十五点五", 95.5, "%"),
        ("诉前调解成功率41.63%", 41.63, "%"),
        ("诉前调解成功率41.63％", 41.63, "%"),  # full-width percent sign
        ("群众法治素养测评合格率达89.5%", 89.5, "%"),
    ],
)
def test_numeral_forms(text, value, unit):
    m = one(text)
    assert (m.value, m.unit) == (pytest.approx(value), unit)
    assert m.raw in text


def test_traditional_characters_read_like_simplified():
    text = "全年化解矛盾糾紛兩萬餘件,覆蓋群眾3萬餘人次。"
    ms = extract_numbers(text)
    assert [(m.raw, m.value, m.unit, m.approx) for m in ms] == [
        ("兩萬餘件", 20000, "件", "余"),
        ("3萬餘人次", 30000, "人次", "余"),
    ]
    assert ms[0].indicator == "disputes_resolved"


def test_parse_numeral_and_its_error():
    assert parse_numeral("二〇二四") == 2024
    assert parse_numeral("两") == 2
    with pytest.raises(ValueError, match=r"`text` = '' is not valid; choose one of"):
        parse_numeral("")


@pytest.mark.parametrize(
    "text, value, unit, kind",
    [
        ("吸引群众参与3万余人次", 30000, "人次", "count"),
        ("累计罚款金额33.75万元", 337500, "元", "money"),
        ("涉及金额2124.9万元", 21249000, "元", "money"),
        ("涉及金额24.58万元", 245800, "元", "money"),  # no float noise (245799.99999999997)
        ("追讨工资150余万元", 1500000, "元", "money"),
        ("项目投资1.5亿元", 150000000, "元", "money"),
        ("面积约1.1万平方", 11000, "平方米", "area"),
        ("面积约4000平方米", 4000, "平方米", "area"),
        ("带动苗农增收3.5万元/户", 35000, "元/户", "money"),
    ],
)
def test_multipliers_and_units(text, value, unit, kind):
    m = one(text)
    assert (m.value, m.unit, m.kind) == (value, unit, kind)


def test_implicit_money_and_ranges():
    m = one("案件金额超过千万")
    assert (m.value, m.unit, m.kind, m.bound) == (10_000_000, "元", "money", "min")
    m = one("仅凭司法所和1-2个法律顾问")
    assert (m.value, m.value_high, m.unit) == (1, 2, "个")
    m = one("打造1—2个村级法治文化示范点位")
    assert (m.value, m.value_high) == (1, 2)


# --------------------------------------------------------------------------- approximations and bounds
@pytest.mark.parametrize(
    "text, approx, raw",
    [
        ("法律咨询等事项1300余次", "余", "1300余次"),
        ("受理10多件", "多", "10多件"),
        ("近3年来", "近", "近3年"),
        ("面积约4000平方米", "约", "约4000平方米"),
        ("参与500人左右", "左右", "500人左右"),
        ("指导修订村规民约2项", "", "2项"),  # 民约: not 约 'about'
        ("新签约5家企业", "", "5家"),
        ("最近3年", "", "3年"),
    ],
)
def test_approximations(text, approx, raw):
    m = one(text)
    assert (m.approx, m.raw) == (approx, raw)


@pytest.mark.parametrize(
    "text, bound, raw",
    [
        ("持证率已达到92%以上", "min", "92%以上"),
        ("累计观看超10万人次", "min", "超10万人次"),
        ("惠及逾200人", "min", "逾200人"),
        ("村集体收入超100万元", "min", "超100万元"),
        ("受过训练人员不足5%", "max", "不足5%"),
        ("3天以内办结", "max", "3天以内"),
        ("不超过3件", "max", "不超过3件"),
        ("办结1090件", "", "1090件"),
    ],
)
def test_bounds(text, bound, raw):
    m = one(text)
    assert (m.bound, m.raw) == (bound, raw)


# --------------------------------------------------------------------------- changes
@pytest.mark.parametrize(
    "text, kind, sign, changed",
    [
        ("群众咨询量同比增长45%", "change", 1, "群众咨询量"),
        ("重点领域纠纷发生率同比下降18%", "change", -1, "重点领域纠纷发生率"),
        ("法律需求响应效率提升60%", "change", 1, "法律需求响应效率"),
        ("行政诉讼案件较上年减少5件", "change", -1, "行政诉讼案件"),
        ("收案数增幅达12%", "change", 1, "收案数"),
        ("收案量较2022年增长15%", "change", 1, "收案量"),
        ("万人成讼率同比下降12.5个百分点", "change", -1, "万人成讼率"),
        ("满意率提升至95%", "rate", None, ""),  # a level reached, not a change
        ("人数虽有所提升达到5人", "count", None, ""),
    ],
)
def test_changes_are_not_levels(text, kind, sign, changed):
    m = one(text)
    assert (m.kind, m.sign, m.changed, m.indicator) == (kind, sign, changed, m.indicator if kind != "change" else "")


# --------------------------------------------------------------------------- zeros by negation
@pytest.mark.parametrize(
    "text, expected",
    [
        ("全年无行政诉讼案件。", [("admin_litigation_cases", "无行政诉讼案件")]),
        (
            "乡镇全年无行政诉讼案件、行政复议案件。",
            [("admin_litigation_cases", "无行政诉讼案件"), ("admin_reconsideration_cases", "行政复议案件")],
        ),
        (
            "全年无行政复议、行政诉讼案件发生。",
            [("admin_reconsideration_cases", "无行政复议"), ("admin_litigation_cases", "行政诉讼案件")],
        ),
        ("2024年虽未发生败诉案件,但出现3起行政纠错案件。", [("admin_litigation_losses", "未发生败诉案件")]),
        ("未发生群体性事件和民转刑案件。", [("", "未发生群体性事件"), ("", "民转刑案件")]),
    ],
)
def test_zero_by_negation(text, expected):
    zeros = [m for m in extract_numbers(text) if m.value == 0]
    assert [(m.indicator, m.raw) for m in zeros] == expected
    assert all(m.kind == "count" and text[m.start : m.end] == m.raw for m in zeros)


def test_documents_not_made_are_reported_zeros_without_the_review_code():
    [m] = extract_numbers("严格遵循合法性审查、备案的规范性文件管理流程,全年未制定规范性文件。")
    assert (m.raw, m.value, m.unit, m.indicator) == ("未制定规范性文件", 0, "件", "")
    # a review of normative documents is still a review
    assert one("全年审查规范性文件21件").indicator == "normative_document_reviews"


@pytest.mark.parametrize(
    "text, raw",
    [
        ("组建“178一起办”顾问团,即以党委政府为1个中心,7支力量共同参与", "1个"),
        ("坚持以经济建设为一个中心", "一个"),
    ],
)
def test_a_models_one_centre_is_not_a_count(text, raw):
    assert raw not in [m.raw for m in extract_numbers(text)]
    assert [m.raw for m in extract_numbers("建成公共法律服务中心1个")] == ["1个"]  # a centre built is a count


@pytest.mark.parametrize(
    "text", ["基层治理无法覆盖全域。", "查处无证经营案件5起。", "确保土地流转“零纠纷”。", "有无违法案件"]
)
def test_negation_words_that_are_not_zeros(text):
    assert not [m for m in extract_numbers(text) if m.value == 0]


# --------------------------------------------------------------------------- part-of
def test_part_of_qizhong():
    ms = extract_numbers("全年化解矛盾纠纷1132件,其中诉源纠纷503件、访源纠纷71件、警源纠纷558件。")
    assert [(m.raw, m.parent_no) for m in ms] == [("1132件", None), ("503件", 1), ("71件", 1), ("558件", 1)]
    assert ms[0].indicator == "disputes_resolved" and {m.indicator for m in ms[1:]} == {""}


def test_part_of_across_a_full_stop_and_other_codes_kept():
    text = (
        "全年开展全流程审查1090件,覆盖率达100%。其中,行政规范性文件审查2件,重大行政执法决定审查10件,"
        "其他事项审查1件,镇村合同审查1077件。"
    )
    ms = extract_numbers(text)
    total = next(m for m in ms if m.raw == "1090件")
    parts = [m for m in ms if m.parent_no == total.mention_no]
    assert [(m.raw, m.indicator) for m in parts] == [
        ("2件", "normative_document_reviews"),
        ("10件", ""),
        ("1件", ""),
        ("1077件", "contract_reviews"),
    ]
    assert total.indicator == "legality_reviews"


def test_part_of_in_brackets_and_ambiguous_totals():
    ms = extract_numbers("共参加2件行政诉讼案件审理(1件已驳回原告诉讼请求,1件已完成败诉风险案调撤)。")
    assert [m.parent_no for m in ms] == [None, 1, 1]
    # 其中 after a list of four kinds of sites: a part of the listed sites, pointing to the last one
    ms = extract_numbers(
        "共有宪法宣传教育阵地2处、民法典宣传教育阵地4处、青少年法治教育基地2处、其他法治阵地5处,其中新建2处。"
    )
    assert [(m.raw, m.parent_no) for m in ms] == [
        ("2处", None),
        ("4处", None),
        ("2处", None),
        ("5处", None),
        ("2处", 4),
    ]
    # counts in separate clauses are not one list: nothing is linked
    ms = extract_numbers("建成调解室2处,法治长廊4处,其中新建2处。")
    assert all(m.parent_no is None for m in ms)
    # a part larger than the listed things together is not a part of them
    assert extract_numbers("阵地2处、长廊4处,其中新建9处。")[2].parent_no is None
    # a sub-count larger than its total is not a part of it
    assert extract_numbers("收集意见10条,其中上报168条。")[1].parent_no is None


# --------------------------------------------------------------------------- traps
@pytest.mark.parametrize(
    "text, raw, reason",
    [
        ("受理答复8890诉求655件", "8890", "hotline"),
        ("规范运行“12345”政务服务便民热线", "12345", "hotline"),
        ("拨打12348法律服务热线", "12348", "hotline"),
        ("构建“1+3+29+X”调解工作模式", "29", "model"),
        ("组建“1+1+N”的法治队伍", "1", "model"),
        ("组建“178一起办”顾问团", "178", "model"),
        ("建成“15分钟公共法律服务圈”", "15分钟", "model"),
        ("持续优化15分钟公共法律服务圈", "15分钟", "model"),
        ("2024年,塘栖镇在镇委", "2024年", "year"),
        ("获评2019—2023年度全省政法系统先进个人", "2019—2023年", "year_range"),
        ("《法治政府建设实施纲要(2021-2025年)》", "2021-2025年", "year_range"),
        ("成文日期 2025-03-21", "2025", "date"),
        ("2025年1月21日", "2025", "date"),
        ("万人成讼率连续第四年下降", "四年", "ordinal"),
        ("万人成讼率连续第四年下降", "万人", "denominator"),
        ("依据〔2023〕5号文件", "5", "docno"),
        ("信息索引号 00258242-X/2025-74457", "00258242", "index"),
        ("1.健全法治领导机制", "1", "marker"),
        ("重大执法决定法制审核三项制度100%覆盖", "三项", "slogan"),
        ("增强“四个意识”、做到“两个维护”", "两个", "slogan"),
        ("千家万户", "千家", "idiom"),
        ("于每周周四、周五轮流值班", "五轮", None),  # weekday + 轮流: no unit, nothing at all
        ("排名位列全市前十", "前十", None),
        ("一项重要的政治任务", "一项", None),  # lone 一: an article
        ("贯彻党的二十大和二十届八次全会精神", "八次", "ordinal"),
    ],
)
def test_traps_are_never_counts(text, raw, reason):
    default = extract_numbers(text)
    start = text.index(raw)
    end = start + len(raw)
    overlapping = [m for m in default if m.start < end and start < m.end]
    assert not [m for m in overlapping if m.kind in LEVEL_KINDS or m.indicator], overlapping
    traps = [m for m in extract_numbers(text, include_traps=True) if m.start < end and start < m.end and m.trap]
    if reason is None:
        assert not traps
    else:
        assert traps and traps[0].trap == reason and traps[0].kind == "" and traps[0].indicator == ""


def test_hotline_numbers_with_a_unit_are_counts():
    m = one("由网格员常态化排查119个基层治理网格")
    assert (m.value, m.unit, m.kind) == (119, "个", "count")


def test_durations_are_not_counts():
    m = one("行政执法改革至今已满5年")
    assert (m.kind, m.value, m.unit, m.indicator) == ("duration", 5, "年", "")
    assert one("诉源治理考核连续四年全区第一").kind == "duration"


# --------------------------------------------------------------------------- fields and robustness
def test_offsets_sentence_and_report_fields():
    text = "一、主要成效\n全年化解矛盾纠纷1132件。完成司法确认510件,诉前调解成功率41.63%。"
    ms = extract_numbers(text, section_kind="achievements", report_id="abc", offset=100)
    assert [m.mention_no for m in ms] == [1, 2, 3]
    for m in ms:
        assert text[m.start - 100 : m.end - 100] == m.raw
        assert (m.report_id, m.section_kind) == ("abc", "achievements")
    assert ms[1].sentence == "完成司法确认510件,诉前调解成功率41.63%。"
    assert [m.label for m in ms] == ["矛盾纠纷化解", "司法确认", "调解成功率"]


def test_dataframe_has_every_column_even_when_empty():
    empty = fz.extract_indicators("没有数字。")
    assert list(empty.columns) == list(fz.extract_indicators("审查3件").columns) and empty.empty
    assert str(fz.extract_indicators("审查3件")["value"].dtype) == "Float64"


def test_bad_input_is_a_clear_error():
    with pytest.raises(TypeError, match=r"`text` = NoneType is not valid; choose one of: str"):
        extract_numbers(None)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="0123456789,.%万余约超以上件人次年元第“”+-—《》无案件其中、,。 一二三十百两\n", max_size=60))
def test_never_crashes_and_raw_is_the_span(text):
    for m in extract_numbers(text, include_traps=True):
        assert text[m.start : m.end] == m.raw
        assert m.kind in ("", "count", "rate", "money", "area", "change", "duration")


# --------------------------------------------------------------------------- the lexicon
LEXICON = load_rules("indicators")["indicators"]


@pytest.mark.parametrize(
    "code, example", [(e["code"], x) for e in LEXICON for x in e["examples"]], ids=lambda v: str(v)[:20]
)
def test_every_lexicon_entry_has_working_examples(code, example):
    found = extract_numbers(example)
    assert found and found[-1].indicator == code, [(m.raw, m.indicator) for m in found]


def test_lexicon_codes_are_snake_case_and_documented():
    table = fz.indicator_lexicon()
    assert table["code"].is_unique
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", c) for c in table["code"])
    assert (table["label"] != "").all() and (table["description"] != "").all()
    glossary = {
        "legality_reviews",
        "contract_reviews",
        "disputes_resolved",
        "admin_penalty_cases",
        "mediation_success_rate",
        "fines_yuan",
        "enforcement_certificate_rate",
        "national_demo_villages",
        "provincial_demo_villages",
    }
    assert glossary <= set(table["code"])


def test_a_bad_lexicon_gives_a_clear_error(tmp_path, monkeypatch):
    (tmp_path / "indicators.yaml").write_text(
        "indicators:\n  - {code: x, label: 甲, kinds: [counts], signals: ['甲']}\n", encoding="utf-8"
    )
    monkeypatch.setenv("FAZHI_RULES_DIR", str(tmp_path))
    with pytest.raises(ValueError, match=r"`kinds` = 'counts' \(indicator 'x'\) is not valid; choose one of: count"):
        extract_numbers("甲3件")


# --------------------------------------------------------------------------- gold lists
def _clean_text(report: str) -> str:
    return clean_page(read_document(RAW / report).text).text


COUNTS = ("tp", "fp", "fn", "found", "entries", "exact", "traps", "traps_ok", "reasons", "reasons_ok")


def _score(gold: dict) -> dict:
    """Match every gold entry to the extractor's mentions by overlapping span; count agreements."""
    text = _clean_text(gold["report"])
    mentions = extract_numbers(text)
    with_traps = extract_numbers(text, include_traps=True)
    by_no = {m.mention_no: m for m in mentions}
    s = {k: 0 for k in COUNTS} | {"errors": []}
    matched: set[int] = set()
    for e in gold["mentions"]:
        assert text.count(e["ctx"]) == 1, f"gold ctx {e['ctx']!r} must occur exactly once in {gold['report']}"
        start = text.index(e["ctx"]) + e["ctx"].index(e["raw"])
        end = start + len(e["raw"])
        hits = [m for m in mentions if m.start < end and start < m.end]
        matched.update(m.mention_no for m in hits)
        if "trap" in e:
            s["traps"] += 1
            ok = not [m for m in hits if m.kind in LEVEL_KINDS or m.indicator]
            s["traps_ok"] += ok
            if not ok:
                s["errors"].append(f"trap {e['raw']} ({e['trap']}) read as {[(m.raw, m.kind) for m in hits]}")
            reasons = [m.trap for m in with_traps if m.trap and m.start < end and start < m.end]
            if reasons:
                s["reasons"] += 1
                s["reasons_ok"] += reasons[0] == e["trap"]
            continue
        s["entries"] += 1
        want = e.get("indicator", "")
        m = hits[0] if len(hits) == 1 else None
        got = m.indicator if m else ""
        s["found"] += m is not None
        if want and got == want:
            s["tp"] += 1
        else:
            s["fn"] += bool(want)
            s["fp"] += bool(got)
            if want or got:
                s["errors"].append(f"{e['raw']} in {e['ctx']}: want {want!r}, got {got!r}")
        if m is not None:
            parent = by_no[m.parent_no].raw if m.parent_no else None
            reading = (m.value, m.unit, m.kind, m.approx, m.bound, m.value_high, parent)
            expected = (
                e["value"],
                e["unit"],
                e["kind"],
                e.get("approx", ""),
                e.get("bound", ""),
                e.get("value_high"),
                e.get("parent"),
            )
            s["exact"] += reading == expected
            if reading != expected:
                s["errors"].append(f"{e['raw']} in {e['ctx']}: want {expected}, got {reading}")
    extra = [m for m in mentions if m.mention_no not in matched]
    s["fp"] += sum(bool(m.indicator) for m in extra)
    s["errors"] += [f"not in the gold list: {m.raw} ({m.kind}, {m.indicator!r}) in {m.sentence[:30]}" for m in extra]
    return s


def test_gold_lists_cover_every_number(capsys):
    """Every digit run and every Chinese numeral before a measure word is in a gold list (scope check)."""
    units = sorted((u["written"] for u in load_rules("numbers")["units"]), key=len, reverse=True)
    chinese = re.compile(
        "[二两三四五六七八九十百千万亿零〇][一二两三四五六七八九十百千万亿零〇]*[余多]?(?:" + "|".join(units) + ")"
    )
    for path in GOLD:
        gold = yaml.safe_load(path.read_text(encoding="utf-8"))
        text = _clean_text(gold["report"])
        covered = [False] * len(text)
        for e in gold["mentions"]:
            start = text.index(e["ctx"]) + e["ctx"].index(e["raw"])
            for i in range(start, start + len(e["raw"])):
                covered[i] = True
        missing = [
            (m.group(), text[max(0, m.start() - 8) : m.end() + 4])
            for p in (re.compile(r"\d+"), chinese)
            for m in p.finditer(text)
            if not any(covered[m.start() : m.end()])
        ]
        assert not missing, f"{path.name}: numbers missing from the gold list: {missing}"


def test_gold_precision_recall(capsys):
    assert len(GOLD) >= 2
    total = {k: 0 for k in COUNTS}
    lines, errors = [], []
    for path in GOLD:
        s = _score(yaml.safe_load(path.read_text(encoding="utf-8")))
        errors += [f"{path.stem[:3]}: {e}" for e in s.pop("errors")]
        for k in total:
            total[k] += s[k]
        lines.append(_line(path.stem, s))
    lines.append(_line("all", total))
    report = "\n".join(lines + ["disagreements:"] + (errors or ["none"]))
    with capsys.disabled():
        print("\nindicator gold lists\n" + report)
    precision = total["tp"] / max(1, total["tp"] + total["fp"])
    recall = total["tp"] / max(1, total["tp"] + total["fn"])
    assert precision >= 0.95 and recall >= 0.95, report
    assert total["traps_ok"] == total["traps"], report
    assert total["reasons_ok"] == total["reasons"], report
    assert total["found"] / total["entries"] >= 0.95 and total["exact"] / total["entries"] >= 0.95, report


def _line(name: str, s: dict) -> str:
    p = s["tp"] / max(1, s["tp"] + s["fp"])
    r = s["tp"] / max(1, s["tp"] + s["fn"])
    return (
        f"{name}: indicator precision {p:.3f} recall {r:.3f} (tp {s['tp']}, fp {s['fp']}, fn {s['fn']}); "
        f"numbers found {s['found']}/{s['entries']}, read exactly {s['exact']}/{s['entries']}; "
        f"traps never counts {s['traps_ok']}/{s['traps']}, reason named {s['reasons_ok']}/{s['reasons']}"
    )


# --------------------------------------------------------------------------- build tables
def test_indicators_table_offsets_into_clean_text(corpus):
    ind = corpus.tables["indicators"]
    assert list(ind.columns[:5]) == ["report_id", "mention_no", "section_order", "section_kind", "indicator"]
    texts = corpus.texts.set_index("report_id")["text"]
    assert all(texts[r][s:e] == raw for r, s, e, raw in zip(ind["report_id"], ind["start"], ind["end"], ind["raw"]))
    assert set(ind["kind"]) <= {"count", "rate", "money", "area", "change", "duration"}
    assert set(ind["section_kind"]) <= set(fz.SECTION_KINDS)
    assert set(ind["report_id"]) == set(corpus.reports["report_id"])
    # parent_no refers to a mention of the same report
    kids = ind[ind["parent_no"].notna()]
    keys = set(zip(ind["report_id"], ind["mention_no"]))
    assert len(kids) >= 6 and all((r, p) in keys for r, p in zip(kids["report_id"], kids["parent_no"]))


def test_indicator_panel_same_number_in_synonymous_units_agrees(corpus):
    panel = corpus.tables["indicator_panel"].set_index(["issuer", "indicator"])
    # 云龙镇: 共有40本执法证人员 (achievements) and 通过行政执法证考试的40人 (problems): the same 40 people
    certs = panel.loc[("云龙镇", "enforcement_certificates")]
    assert (certs["value"], certs["total"], certs["disagree"], certs["values"]) == (40, 40, False, "40 人; 40 本")


def test_indicator_panel_total_sums_sub_counts_listed_together(corpus):
    panel = corpus.tables["indicator_panel"].set_index(["issuer", "indicator"])
    # 塘栖镇: 建成村社级“共享法庭”29个、特色“共享法庭”2个 — two kinds listed in one clause chain
    courts = panel.loc[("塘栖镇", "shared_courts")]
    assert (courts["value"], courts["total"], courts["disagree"]) == (29, 31, False)
    # the same total written twice (全年化解矛盾纠纷1132件 … 全年化解纠纷1132件) is not added
    disputes = panel.loc[("塘栖镇", "disputes_resolved")]
    assert (disputes["value"], disputes["total"]) == (1132, 1132)
    # 7 in the achievements, 8 in the plan: two statements, not parts of one list
    villages = panel.loc[("塘栖镇", "provincial_demo_villages")]
    assert (villages["total"], villages["disagree"]) == (8, True)
    assert (panel["total"] >= panel["value"]).all()


def test_panel_total_on_a_hand_made_text():
    text = "甲镇建成村级共享法庭12个、特色共享法庭3个。全镇共享法庭12个运行良好。今年新增共享法庭1个,累计共享法庭15个。"
    ms = extract_numbers(text)
    ind = fz.indicators.mentions_frame(ms).assign(report_id="r")
    reports = pd.DataFrame(
        {"report_id": ["r"], "issuer": ["甲镇"], "report_year": [2024], "level": ["township"], "source_file": ["r.txt"]}
    )
    [row] = indicator_panel(ind, reports).to_dict("records")
    # 12 + 3 listed together = 15; 1 and 15 are separate clauses; 15 is also written once
    assert (row["value"], row["total"], row["disagree"]) == (15, 15, True)
    assert row["values"] == "1 个; 3 个; 12 个; 15 个"


def test_indicator_panel_flags_disagreement(corpus):
    panel = corpus.tables["indicator_panel"].set_index(["issuer", "indicator"])
    disputes = panel.loc[("塘栖镇", "disputes_resolved")]
    assert (disputes["value"], disputes["n_mentions"], disputes["disagree"]) == (1132, 2, False)
    villages = panel.loc[("塘栖镇", "provincial_demo_villages")]  # 7 in the achievements, 8 in the plan
    assert (villages["value"], villages["disagree"], villages["values"]) == (8, True, "7 个; 8 个")
    fines = panel.loc[("云龙镇", "fines_yuan")]
    assert fines["disagree"] and fines["values"] == "337500 元; 540000 元; 626320 元"
    rate = panel.loc[("湖塘街道", "enforcement_certificate_rate")]
    assert (rate["value"], rate["bound"], rate["values"]) == (92, "min", "≥92 %")
    assert panel.loc[("云龙镇", "admin_litigation_cases"), "value"] == 0  # a reported zero
    assert corpus.tables["indicator_panel"]["report_year"].dtype == "Int64"


def test_panel_of_nothing_has_the_columns():
    empty = indicator_panel(pd.DataFrame(), pd.DataFrame())
    assert empty.empty and "disagree" in empty.columns and "mention_refs" in empty.columns


# --------------------------------------------------------------------------- notebook views
def test_views_on_the_embedded_corpus(corpus):
    sel = iv.select_indicators(corpus, indicators=["disputes_resolved", "satisfaction_rate"])
    assert sel.message == "" and sel.codes == ["disputes_resolved", "satisfaction_rate"]
    cov = iv.coverage(sel)
    assert cov.loc["disputes_resolved", "塘栖镇 2024"] == 2 and cov.loc["satisfaction_rate", "澧浦镇 2023"] == 2
    assert "2 of 2 indicators are reported" in iv.coverage_sentence(cov, "en")
    assert iv.coverage_sentence(cov).startswith("2 项指标中有 2 项至少在")
    points = iv.values_by_year(sel, group_by="level", min_reports_per_point=2)
    township_2024 = points[
        (points["indicator"] == "disputes_resolved") & (points["report_year"] == 2024) & (points["group"] == "township")
    ]
    assert township_2024["median"].tolist() == [1132] and not township_2024["drawn"].any()
    assert "left out" in iv.values_sentence(points, min_reports_per_point=2, lang="en")
    assert "未列出" in iv.values_sentence(points, min_reports_per_point=2)
    prov = iv.provenance(sel)
    assert (prov["sentence"].str.len() > 0).all() and prov["is_value"].any()
    assert prov["citation"].str.contains("[EB/OL]", regex=False).all()
    assert iv.trend_sentence(sel, iv.issuer_trends(sel), "en").startswith("No issuer has reports for two or more years")
    assert iv.trend_sentence(sel, iv.issuer_trends(sel)).startswith("所选范围内没有一个发布机关有两个以上年度的报告")
    # figures plot the report's total, not its largest single figure: 塘栖镇 lists 29 + 2 shared courts
    courts = iv.values_by_year(iv.select_indicators(corpus, indicators=["shared_courts"]), group_by="issuer")
    tangqi = courts[courts["group"] == "塘栖镇"]
    assert tangqi[["median", "low", "high"]].iloc[0].tolist() == [31.0, 31.0, 31.0]
    changes = iv.reported_changes(iv.select_indicators(corpus))
    assert changes["changed"].tolist() == ["群众咨询量", "法律需求响应效率", "重点领域纠纷发生率"]
    density = iv.quantification_density(sel)
    achievements = density[(density["report"] == "塘栖镇 2024") & (density["part"] == "achievements")]
    assert achievements["n_numbers"].iloc[0] > 40 and achievements["per_1000"].iloc[0] > 10


def test_year_values_are_a_table_unless_two_years_each_rest_on_two_reports():
    # by hand: disputes_resolved has township 2023 (2 reports) and 2024 (2 reports): comparable;
    # satisfaction_rate has township 2023 (2 reports) but 2024 (1 report): a table only
    points = pd.DataFrame(
        [
            ("disputes_resolved", "township", 2023, 2, 500.0, 400.0, 600.0, "件", True),
            ("disputes_resolved", "township", 2024, 2, 800.0, 700.0, 900.0, "件", True),
            ("satisfaction_rate", "township", 2023, 2, 95.0, 90.0, 100.0, "%", True),
            ("satisfaction_rate", "township", 2024, 1, 98.5, 98.5, 98.5, "%", True),
        ],
        columns=["indicator", "group", "report_year", "n_reports", "median", "low", "high", "units", "drawn"],
    )
    comparable = iv.comparable_points(points)
    assert comparable["indicator"].unique().tolist() == ["disputes_resolved"] and len(comparable) == 2
    assert iv.comparable_points(points.assign(n_reports=1)).empty
    table = iv.value_table(points)
    assert table.columns.tolist() == ["指标", "乡镇 2023", "乡镇 2024"]
    row = table.set_index("指标").loc["满意率"]
    assert row["乡镇 2023"] == "95 %（2 份：90–100）" and row["乡镇 2024"] == "98.5 %"
    en = iv.value_table(points, "en")
    assert en.columns.tolist() == ["indicator", "township 2023", "township 2024"]
    assert en.iloc[0, 1] == "500 件 (2 reports: 400–600)"
    assert "下图只画这些指标" in iv.values_sentence(points, comparable=comparable)
    assert "Only 1 indicators" in iv.values_sentence(points, comparable=comparable, lang="en")
    none = iv.comparable_points(points.assign(n_reports=1))
    assert "不画图" in iv.values_sentence(points, comparable=none)
    assert "values are a table, not a figure" in iv.values_sentence(points, comparable=none, lang="en")
    with pytest.raises(fz.FazhiError, match="`lang` = 'fr' is not valid"):
        iv.value_table(points, "fr")


def test_views_issuer_trend_and_empty_selections(corpus):
    reports = corpus.reports.copy()
    other = reports["issuer"] == "澧浦镇"  # pretend one issuer reported twice: the same name and place
    reports.loc[other, ["issuer", "province", "prefecture", "county"]] = ["塘栖镇", "浙江省", "杭州市", "临平区"]
    tables = {k: v for k, v in corpus.tables.items() if k != "indicator_panel"}
    tables["reports"] = reports
    sel = iv.select_indicators(fz.Corpus(tables), indicators=["disputes_resolved"])
    trends = iv.issuer_trends(sel)
    assert trends[["issuer", "report_year", "value"]].values.tolist() == [["塘栖镇", 2023, 553], ["塘栖镇", 2024, 1132]]
    assert iv.trend_sentence(sel, trends, "en").startswith("1 issuers report 1 indicators")
    assert iv.trend_sentence(sel, trends).startswith("1 个发布机关在两个以上年度报告了 1 项指标")
    none = iv.select_indicators(corpus, years=[2024], levels=["county"])
    assert none.empty and none.message.startswith("No report matches the selection")
    with pytest.raises(fz.FazhiError, match=r"`indicators` = 'disputes' is not valid; choose one of: legality_reviews"):
        iv.select_indicators(corpus, indicators=["disputes"])
    with pytest.raises(fz.FazhiError, match=r"`group_by` = 'town' is not valid"):
        iv.values_by_year(iv.select_indicators(corpus), group_by="town")


@pytest.mark.notebook
def test_trend_notebook_runs_with_non_default_parameters(processed_dir, tmp_path):
    import papermill

    out = tmp_path / "trends.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "03_indicator_trends.ipynb"),
        str(out),
        parameters={
            "processed_dir": str(processed_dir),
            "indicators": ["disputes_resolved", "satisfaction_rate"],
            "group_by": "issuer",
            "years": [2023, 2024],
            "levels": ["township"],
            "min_reports_per_point": 1,
            "lang": "en",
        },
        kernel_name="python3",
        cwd=str(ROOT / "notebooks"),
        progress_bar=False,
    )
    nb = json.loads(out.read_text(encoding="utf-8"))
    text = "".join(
        "".join(o.get("text", "")) + json.dumps(o.get("data", {}), ensure_ascii=False)
        for c in nb["cells"]
        for o in c.get("outputs", [])
    )
    assert "2 of 2 indicators are reported by at least one of the 3 reports" in text
    assert "No issuer has reports for two or more years" in text
    assert "全年化解矛盾纠纷1132件" in text  # the provenance table shows the source sentence


@pytest.mark.notebook
def test_trend_notebook_says_so_when_nothing_is_selected(processed_dir, tmp_path):
    import papermill

    out = tmp_path / "trends_empty.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "03_indicator_trends.ipynb"),
        str(out),
        parameters={"processed_dir": str(processed_dir), "levels": ["county"], "lang": "en"},
        kernel_name="python3",
        cwd=str(ROOT / "notebooks"),
        progress_bar=False,
    )
    nb = json.loads(out.read_text(encoding="utf-8"))
    text = "".join(json.dumps(o, ensure_ascii=False) for c in nb["cells"] for o in c.get("outputs", []))
    assert (
        "No report matches the selection (levels = [&#x27;county&#x27;])" in text
        or "No report matches the selection (levels = ['county'])" in text
    )
