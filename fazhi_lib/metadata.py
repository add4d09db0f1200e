"""Title, issuer, level, years and dates of one report.

>>> parse_title("塘栖镇法治政府建设年度报告(2024年度)")
Title(issuer='塘栖镇', issuer_full='塘栖镇', level='township', report_year=2024, province=None, prefecture=None, county=None)
>>> parse_title("绍兴市柯桥区湖塘街道办事处2024年法治政府建设年度报告").prefecture
'绍兴市'
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

LEVELS = ("township", "subdistrict", "county", "city", "province", "department", "unknown")
MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")

_CN_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "Ｏ": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
# 2024年  2024年度  二〇二四年度
YEAR_RE = re.compile(r"(?<!\d)(20[1-4]\d)\s*年")
CN_YEAR_RE = re.compile(r"([二][〇○零Ｏ一][〇○零Ｏ一二三四五六七八九]{2})年")
# 2025-03-21  2025/3/21  2025.03.21  2025年3月21日
DATE_RE = re.compile(r"(20\d{2}|19\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")

# Administrative units in an issuer's name, outermost first.  绍兴市 柯桥区 湖塘街道办事处
_UNIT_RE = re.compile(
    r"(?!各)"  # (各地区各部门, 各县区: every unit, none named)
    r"[\u4e00-\u9fa5]{2,12}?(?:特别行政区|自治区|自治州|自治县|自治旗|街道办事处|街道|地区|省|盟|市|区|县|旗|镇|乡|苏木)"
    r"|[\u4e00-\u9fa5]{1,4}?州(?=人民政府|政府|党委|委|[\u4e00-\u9fa5]{0,12}(?:局|厅|委|办)|$)"  # 黔西南州, 巴州 (州 for 自治州)
    r"|[\u4e00-\u9fa5]{1,3}?街(?=办事处|人民政府|党工委|$)"  # 海滨街: a subdistrict in short
    r"|[\u4e00-\u9fa5]县"  # one-character counties: 沛县, 萧县
)
_GOV_SUFFIX = re.compile(r"(人民政府|政府|办事处|行政公署|党委|党工委|工委)+$")
_DEPT_RE = re.compile(r"(局|委员会|委|办公室|办|厅|部|署|中心|院|队|处|站|所|会)$")
# a development zone or new area, governed by a management committee (管委会) rather than a 人民政府
_ZONE = re.compile(r"(?:新区|开发区|高新区|园区|度假区|试验区|实验区|示范区|保税区|合作区|风景名胜区|景区)$")
# Words that end a title's issuer part: 塘栖镇|法治政府建设年度报告   关于|2024年度…
_TITLE_TAIL = re.compile(r"(关于|20\d{2}|[二][〇○零]|[(（]|法治|依法行政|法制|全面依法|推进|年度|工作报告)")


class Title(NamedTuple):
    issuer: str | None
    issuer_full: str | None
    level: str
    report_year: int | None
    province: str | None
    prefecture: str | None
    county: str | None


def cn_year(text: str) -> int | None:
    """二〇二四 → 2024."""
    try:
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    except KeyError:
        return None


def first_year(text: str) -> int | None:
    """The first report-like year named in `text` (Arabic or Chinese numerals)."""
    hits = [(m.start(), int(m.group(1))) for m in YEAR_RE.finditer(text)]
    hits += [(m.start(), cn_year(m.group(1))) for m in CN_YEAR_RE.finditer(text)]
    hits = [h for h in hits if h[1]]
    return min(hits)[1] if hits else None


def parse_date(text: str | None) -> str | None:
    """ISO date from a metadata value; None when it is not a full date.

    >>> parse_date("2025-03-21 09:39"), parse_date("2024年2月22日"), parse_date("2025121日")
    ('2025-03-21', '2024-02-22', None)
    """
    if not text:
        return None
    m = DATE_RE.search(text)
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def split_units(name: str) -> tuple[list[str], str]:
    """Administrative units at the start of a name and the rest.

    >>> split_units("绍兴市柯桥区湖塘街道办事处")
    (['绍兴市', '柯桥区', '湖塘街道办事处'], '')
    >>> split_units("杭州市司法局")
    (['杭州市'], '司法局')
    """
    units, pos = [], 0
    while pos < len(name):
        short = _prefecture_short_at(name, pos)  # 延边州延吉市: 延边州, then 延吉市
        if short:
            units.append(short)
            pos += len(short)
            continue
        known = _division_name_at(name, pos)  # 景德镇市, 清镇市: a real division name wins over the suffix rule
        m = _UNIT_RE.match(name, pos)
        if known and (not m or len(known) >= m.end() - pos or not _same_head(known, m.group(0))):
            units.append(known)
            pos += len(known)
            continue
        if not m or _NOT_IN_NAME.search(m.group(0)):
            # 广州市天河区人民政府林和街道办事处: a subdistrict or town office under its district's government
            below = _UNIT_RE.match(name, pos + 4) if units and name.startswith("人民政府", pos) else None
            if (
                below
                and below.group(0).endswith(("街道办事处", "街道", "镇", "乡"))
                and not _NOT_IN_NAME.search(below.group(0))
            ):
                pos += 4
                continue
            break
        units.append(m.group(0))
        pos = m.end()
    return units, name[pos:]


# words no division name contains (real names that do are found in the division table first)
_NOT_IN_NAME = re.compile(
    r"法治|法制|依法|建设|工作|坚持|按照|根据|围绕|认真|深入|始终|政府|领导|报告|关于|年度|全面|积极|融入|推进|加快|推动|持续"
    r"|住房|和城乡|[的在以与及、，,:：局厅委]"  # (住房和城乡建设局: 住房和城乡 is no township)
)


def _prefecture_short_at(name: str, pos: int) -> str | None:
    """An autonomous prefecture's short form (延边州, 黔东南州: the division table knows them) starting at
    `pos` with another unit right after it, which the suffix rule would read as one (延边州延吉市)."""
    for length in (4, 3):
        s = name[pos : pos + length]
        if len(s) == length and s.endswith("州") and _UNIT_RE.match(name, pos + length) and division_depths(s) == {2}:
            return s
    return None


def _same_head(known: str, matched: str) -> bool:
    return matched.startswith(known) or known.startswith(matched)


def _division_name_at(name: str, pos: int) -> str | None:
    """The longest division name of any year (three characters or more) starting at `pos` that is
    followed by a unit, a government or department word, or nothing."""
    try:
        from .places import _name_starts, _name_years
    except Exception:  # pragma: no cover - no division table installed
        return None
    names = _name_years()
    for length in _name_starts().get(name[pos : pos + 2], ()):
        s = name[pos : pos + length]
        if len(s) == length and s in names:
            return s
    return None


@functools.lru_cache(maxsize=4096)
def division_depths(name: str) -> frozenset[int]:
    """Depths (1 province, 2 prefecture, 3 county) of the divisions called `name` in the latest table."""
    try:
        from .places import division_table, table_years

        table = division_table(table_years()[1])
    except Exception:  # pragma: no cover
        return frozenset()
    return frozenset(d.depth for d in table.full.get(name, ()))


def _unit_level(unit: str, parent: str | None) -> str:
    if unit.endswith(("街道办事处", "街道", "街")):
        return "subdistrict"
    depths = division_depths(unit) if len(unit) >= 3 else frozenset()
    if len(depths) == 1 and not (parent and parent.endswith(("市", "州", "盟")) and parent not in MUNICIPALITIES):
        return {1: "province", 2: "city", 3: "county"}[next(iter(depths))]  # 清镇市 is a county-level city
    if unit.endswith(("镇", "乡", "苏木")):
        return "township"
    if unit.endswith(("省", "自治区", "特别行政区")) or unit in MUNICIPALITIES:
        return "province"
    if unit.endswith(("区", "县", "旗", "自治县", "自治旗")):
        return "county"
    if unit.endswith(("州", "地区", "盟")):
        return "city"
    if unit.endswith("市"):
        # a 市 under another 市/州 is a county-level city (金华市义乌市)
        return (
            "county"
            if parent and parent.endswith(("市", "州", "地区", "盟")) and parent not in MUNICIPALITIES
            else "city"
        )
    return "unknown"


def parse_issuer(name: str) -> Title:
    """Issuer, level and region fields from an issuing body's name.

    >>> parse_issuer("重庆市渝北区大盛镇人民政府")[:3]
    ('大盛镇', '重庆市渝北区大盛镇人民政府', 'township')
    """
    full = name.strip()
    core = _GOV_SUFFIX.sub("", full) or full
    units, rest = split_units(core)
    province = prefecture = county = None
    parent = None
    levels = []
    for unit in units:
        lvl = _unit_level(unit, parent)
        levels.append(lvl)
        parent = unit
    for unit, lvl in zip(units, levels):
        if lvl == "province":
            province = unit
        elif lvl == "city":
            prefecture = unit
        elif lvl == "county":
            county = unit
    if rest in ("管委会", "管理委员会") and units and _ZONE.search(units[-1]):
        # 唐山高新区管委会, X新区管理委员会: the zone's own government, at the level of the zone (as X新区 alone);
        # its bureaus and office (X新区管委会应急管理局, …管委会办公室) are departments (issuer.read_name)
        return Title(units[-1] + rest, full, levels[-1], None, province, prefecture, county)
    if rest and _DEPT_RE.search(rest):
        return Title(rest, full, "department", None, province, prefecture, county)
    if not units:
        return Title(core or None, full or None, "unknown", None, None, None, None)
    last, lvl = units[-1], levels[-1]
    short = re.sub(r"办事处$", "", last)
    if short.endswith("街") and lvl == "subdistrict":
        short = short
    # region fields include the issuer's own unit: a county's report has county = itself
    return Title(short, full, lvl, None, province, prefecture, county)


def parse_title(title: str) -> Title:
    """Issuer, level, report year and region fields from a report title."""
    title = title.strip()
    year = first_year(title)
    m = _TITLE_TAIL.search(title)
    name = title[: m.start()] if m else ""
    if not name:
        # 2023年度云龙镇法治政府建设工作报告: the issuer follows the year
        after = re.sub(r"^(关于)?(20\d{2}|[二][〇○零][〇○零一二三四五六七八九]{2})\s*年度?", "", title)
        m2 = _TITLE_TAIL.search(after)
        name = after[: m2.start()] if m2 else ""
    if not name:
        return Title(None, None, "unknown", year, None, None, None)
    parsed = parse_issuer(name)
    return parsed._replace(report_year=year)


# ---------------------------------------------------------------- issuer from the body
# 2025年,上社镇在县委、县政府的坚强领导下   — the first named township/subdistrict/county in the preamble
_BODY_ISSUER = re.compile(
    r"(?:^|[，,。；;：:\s年来])(?P<name>[\u4e00-\u9fa5]{2,5}?(?:街道|镇|乡))(?=在|坚持|深入|以|紧紧|认真|全面|始终|高举|围绕|按照|聚焦|紧扣|牢牢|立足|持续|积极|法治|党委|党工委|人民政府|办事处)"
)


def issuer_from_body(preamble: str) -> str | None:
    """The issuer named at the start of the preamble (used only when the title and page lack one).

    >>> issuer_from_body("2025年,上社镇在县委、县政府的坚强领导下")
    '上社镇'
    """
    m = _BODY_ISSUER.search(preamble[:300])
    return m.group("name") if m else None


# 现将我街道2023年度法治政府建设情况报告如下
_BODY_YEAR = re.compile(r"现将.{0,20}?(20\d{2})\s*年度?.{0,30}?(报告|汇报)如下")


def body_report_year(preamble: str) -> int | None:
    m = _BODY_YEAR.search(preamble)
    return int(m.group(1)) if m else None


# ---------------------------------------------------------------- everything the page says about itself
# a publication label and its date, in any of the page's forms; 成文日期 is never one of them
