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

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# 2024年  2024年度  二〇二四年度
YEAR_RE = re.compile(r"(?<!\d)(20[1-4]\d)\s*年")
CN_YEAR_RE = re.compile(r"([二][〇○零Ｏ一][〇○零Ｏ一二三四五六七八九]{2})年")
# 2025-03-21  2025/3/21  2025.03.21  2025年3月21日
DATE_RE = re.compile(r"(20\d{2}|19\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")

# Administrative units in an issuer's name, outermost first.  绍兴市 柯桥区 湖塘街道办事处
_UNIT_RE = re.compile(
    r"[\u4e00-\u9fa5]{2,9}?(?:特别行政区|自治区|自治州|自治县|自治旗|街道办事处|街道|地区|省|盟|市|区|县|旗|镇|乡|苏木)"
    r"|[\u4e00-\u9fa5]{1,4}?州(?=人民政府|政府|党委|委|[\u4e00-\u9fa5]{0,12}(?:局|厅|委|办)|$)"  # 黔西南州, 巴州 (州 for 自治州)
    r"|[\u4e00-\u9fa5]{1,3}?街(?=办事处|人民政府|党工委|$)"  # 海滨街: a subdistrict in short
    r"|[\u4e00-\u9fa5]县"  # one-character counties: 沛县, 萧县
)
_GOV_SUFFIX = re.compile(r"(人民政府|政府|办事处|党委|党工委|工委)+$")
_DEPT_RE = re.compile(r"(局|委员会|委|办公室|办|厅|部|署|中心|院|队|处|站|所|会)$")
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
        known = _division_name_at(name, pos)  # 景德镇市, 清镇市: a real division name wins over the suffix rule
        m = _UNIT_RE.match(name, pos)
        if known and (not m or len(known) >= m.end() - pos or not _same_head(known, m.group(0))):
            units.append(known)
            pos += len(known)
            continue
        if not m or _NOT_IN_NAME.search(m.group(0)):
            break
        units.append(m.group(0))
        pos = m.end()
    return units, name[pos:]


# words no division name contains (real names that do are found in the division table first)
_NOT_IN_NAME = re.compile(r"法治|法制|依法|建设|工作|坚持|按照|根据|围绕|认真|深入|始终|政府|领导|报告|关于|年度|全面|[的在以与及、，,:：局厅委]")


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
        return "county" if parent and parent.endswith(("市", "自治州", "地区", "盟")) and parent not in MUNICIPALITIES else "city"
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
_PUB_LABEL = re.compile(
    r"(?<!成文)(?<!印发)(?<!成)(?:发布时间|发布日期|发文日期|公开日期|生成日期|更新时间|发表时间|发表日期|上传时间|录入时间|日期|时间)"
    r"\s*[:：]?\s*(?:\]\s*)?"
)
_ANY_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})(?!\d)日?"
    r"|(?P<d2>\d{1,2})\.(?P<m2>\d{1,2})\.(?P<y2>(?:19|20)\d{2})(?!\d)"
)
_WEEKDAY_CLOCK = re.compile(r"星期[一二三四五六日天]|周[一二三四五六日]")


class Metadata(NamedTuple):
    """What `read_metadata` finds; `warnings` name every field taken from weak evidence."""

    title: str | None
    issuer: str | None
    issuer_full: str | None
    issuer_source: str
    level: str
    province: str | None
    prefecture: str | None
    county: str | None
    report_year: int | None
    report_year_source: str
    publish_date: str | None
    written_date: str | None
    index_no: str | None
    publisher: str | None
    warnings: list
    notes: list


def labelled_date(text: str) -> str | None:
    """The first date written after a publication label, in any format; None without a label.

    >>> labelled_date("日期:2023-03-31 10:00 来源:区政府"), labelled_date("时间:2023年02月17日来源:市司法局")
    ('2023-03-31', '2023-02-17')
    >>> labelled_date("成文日期: 2022-03-29"), labelled_date("发布日期:25.02.2016"), labelled_date("2024-04-07")
    (None, '2016-02-25', None)
    """
    for lab in _PUB_LABEL.finditer(text):
        m = _ANY_DATE.match(text, lab.end())
        if not m:
            continue
        if _WEEKDAY_CLOCK.match(text[m.end() : m.end() + 4].strip()):
            continue  # a page clock (2019年12月3日星期二), not a publication date
        return _iso(m)
    return None


def _iso(m: re.Match) -> str | None:
    if m.group("y"):
        y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
    else:
        y, mo, d = int(m.group("y2")), int(m.group("m2")), int(m.group("d2"))
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _first_meta(meta: dict, labels) -> str | None:
    for label in labels:
        for value in meta.get(label, []):
            if value and value.strip("-— "):
                return value.strip()
    return None


# offices and sites that publish for a body without being it
_PUBLISHING_OFFICE = re.compile(r"办公室|办公厅|政府办|综合|政务公开|网站|门户|融媒体|新闻|网$|宣传|信息中心|科$|股$|处$")


def _header_lines(raw: str, limit: int = 4000) -> list[str]:
    from .issuer import reading_form

    return reading_form(raw[:limit]).splitlines()


def read_metadata(raw: str, page, rules: dict, *, year_from_sections=None) -> Metadata:
    """Title, issuer, level, year and dates of one page, each with its source and a warning when weak.

    `raw` is the decoded page, `page` its `clean.CleanPage`, `rules` the cruft rules (metadata labels);
    `year_from_sections(year)` may give (year, source) from part headings when nothing else does.
    """
    from . import issuer as iss

    labels = rules["metadata_labels"]
    warnings: list[str] = []
    notes: list[str] = []
    lines = _header_lines(raw)
    body = iss.reading_form(page.text[:3000])

    # ---- title: the cleaner's title if it names a report and is no breadcrumb, else one found anywhere
    found = iss.find_title(lines)
    title = page.title
    if title and iss._BREADCRUMB.search(title):
        title = None
    if found and (not title or (found.issuer_part and not _issuer_in(iss.reading_form(title)))):
        title = found.title
    elif title:
        title = iss.reading_form(title) if title != iss.reading_form(title) else title
    if not title:
        warnings.append("no title found on the page")

    # ---- issuer and level, in order of trust: title, page metadata, first sentences
    name, source, evidence = None, "", ""
    if title:
        n = iss.title_name(title)
        if n:
            name, source, evidence = n, "title", title
    publisher = _first_meta(page.meta, labels["publisher"])
    if name is None or name.issuer is None:
        for label_group in ("publisher", "source"):
            value = _first_meta(page.meta, labels.get(label_group, []))
            if not value:
                continue
            value = iss.reading_form(value)
            n = iss.read_name(value)
            if n and n.issuer and n.title is not None and not _PUBLISHING_OFFICE.search(value) \
                    and (n.level != "department" or n.title.province or n.title.prefecture or n.title.county):
                if name is None or _agrees(name, n):
                    name, source, evidence = n, "publisher", value
                    break
    if name is None or name.issuer is None:
        n, words = iss.body_name(body)
        if n and (name is None or _agrees(name, n) or n.issuer):
            if name is None or (n.issuer and _agrees(name, n)) or name.issuer is None and n.issuer:
                name, source, evidence = n, "body", words
    issuer = issuer_full = province = prefecture = county = None
    level = "unknown"
    if name is not None:
        level = name.level
        if name.title is not None:
            t = name.title
            issuer, issuer_full, province, prefecture, county = t.issuer, t.issuer_full, t.province, t.prefecture, t.county
        else:
            issuer, issuer_full = name.issuer, name.issuer_full
    year, year_source = None, ""

    # ---- report year: title, the body's own statements, part headings
    if title:
        year = first_year(_without_ranges(title))
        year_source = "title" if year else ""
    stated, how = iss.stated_year(body)
    if year is None and stated:
        year, year_source = stated, how
        warnings.append(f"report year {year} taken from the {'opening sentence' if how == 'opening' else 'body statement'} (no year in a title)")
    elif year and stated and stated != year and how == "statement":
        warnings.append(f"the body says it reports on {stated}, the title says {year}; the title's year is kept")
    if year is None and year_from_sections is not None:
        year, year_source = year_from_sections()
        if year:
            warnings.append(f"report year {year} taken from the {year_source.replace('_', ' ')} (no year in a title)")
    if year is None:
        warnings.append("no report year found")

    # ---- an abbreviation (市司法局, 县委、县政府, 我市) completed from the page's place names
    if name is not None and name.title is None and source:
        done = iss.complete_name(name, "\n".join([title or "", "\n".join(lines[:40]), body]), year)
        if done is not None:
            issuer, issuer_full, level = done.issuer, done.issuer_full, done.level
            province, prefecture, county = done.title.province, done.title.prefecture, done.title.county
            warnings.append(f"issuer '{issuer_full}' completed from the place names on the page ('{evidence[:20]}' in the {_SOURCE_WORD[source]})")
        elif issuer:
            warnings.append(f"issuer only partly named ('{evidence[:20]}' in the {_SOURCE_WORD[source]}): its place is not on the page")
        else:
            warnings.append(f"issuer not named: the {_SOURCE_WORD[source]} says '{evidence[:20]}' (level {level} kept)")
    elif source == "body":
        warnings.append(f"issuer '{issuer}' taken from the body text (no title or publisher names it)")
    elif source == "publisher":
        warnings.append(f"issuer '{issuer_full}' taken from the page metadata (no title names it)")
    if name is None:
        warnings.append("no issuer found")

    # ---- dates: the publication label in any form; 成文日期 stays written_date
    publish = parse_date(_first_meta(page.meta, rules.get("publish_date_priority") or labels["publish_date"]))
    if publish is None:
        header = "\n".join(ln for ln in lines[:40] if len(ln) <= 160)
        publish = labelled_date(header)
    if publish and year and publish < f"{year}-12-31" and publish[:4] <= str(year):
        if publish < f"{year}-01-01":
            warnings.append(f"publish date {publish} is before the report year {year} began: not kept")
            publish = None
        else:
            warnings.append(f"publish date {publish} is before the report year {year} ended")
    written = parse_date(_first_meta(page.meta, labels["written_date"]))
    if written is None:  # - [ 成文日期 ] 2026-02-12
        m = re.search(r"成文日期\s*[\]】]?\s*[:：]?\s*", "\n".join(lines[:40]))
        d = _ANY_DATE.match("\n".join(lines[:40]), m.end()) if m else None
        written = _iso(d) if d else None
    return Metadata(title, issuer, issuer_full, source, level, province, prefecture, county, year, year_source,
                    publish, written,
                    _first_meta(page.meta, labels["index_no"]), publisher, warnings, notes)


_SOURCE_WORD = {"title": "title", "publisher": "page metadata", "body": "first sentence"}
_RANGE = re.compile(r"(?:19|20)\d{2}\s*[-—–~至到]+\s*(?:19|20)\d{2}\s*年?")


def _without_ranges(text: str) -> str:
    return _RANGE.sub("", text)


def _issuer_in(title: str) -> bool:
    from .issuer import title_name

    return title_name(title) is not None


def _agrees(a, b) -> bool:
    """Two names of the same body at different precision (市司法局 / 沈阳市司法局; 县 / 清河县)."""
    if a.level != b.level:
        return False
    x, y = a.issuer or "", b.issuer or ""
    return not x or not y or x.endswith(y) or y.endswith(x)


_RULE_OF_LAW = re.compile(r"法治政府|依法行政|法治建设|法制建设|法治[\u4e00-\u9fff]{0,4}建设")


def opening_reports_a_year(report: dict, text: str) -> bool:
    """A page whose title or first sentences say it reports on a year's rule-of-law government
    construction is a report, even when only its opening survived.

    >>> opening_reports_a_year({"title": None, "report_year_source": "opening"},
    ...                        "2022年,X区坚持以习近平法治思想为指导,扎实推进法治政府建设。")
    True
    >>> opening_reports_a_year({"title": None, "report_year_source": ""}, "本网讯 3月5日,法治政府建设推进会召开。")
    False
    """
    if not _RULE_OF_LAW.search(text[:600]):
        return False
    return bool(report.get("title")) or report.get("report_year_source") in ("statement", "opening")
