"""Who reports, read from what a real page gives: the title, the page metadata and the first sentences.

The rules are rules of the genre (GLOSSARY.md, "Real pages"), never lists of names:

- the page is read in a *reading form*: traditional characters converted to simplified and pinyin glosses
  injected after characters removed (應(yīng)急管理部 → 应急管理部); offsets of the clean body are not
  affected (this form is only read, never stored as the report text);
- a **title** names the report (X2024年法治政府建设年度报告, X关于2024年度…情况的报告); it may sit inline
  in a one-line page, be split over two lines (长春市人民政府关于 / 2023年度…的报告), follow a document
  number (宁政发〔2019〕35号《…》), a spam banner or a joint party committee (中共X省委 X省人民政府);
  a breadcrumb (您当前所在位置：首页>…) is never a title; the title kept is the title alone (`tidy_title`:
  [权威发布], 1、, X政发〔2019〕35号《…》, a date after it, | 标题:… | |, ….docx);
- the **first sentence** names the reporting body in subject position (2022年,X坚持…; 2023年,在市委、
  市政府的领导下,X…); the bodies it thanks (在区委、区政府的领导下) and the addressees before it
  (中共X县委、X县人民政府:) are never the issuer;
- an **abbreviation** (县政府, 市司法局, 省司法厅, 我市, 全省, 我局) gives the level; its place is
  completed from the division names on the page when they point to one division, else the issuer stays
  partial (司法局) or empty with a note: never a guess.

>>> read_name("宁夏回族自治区党委和政府").issuer, read_name("市司法局").level
('宁夏回族自治区', 'department')
>>> subject_of("2023年,在市委、市政府的坚强领导下,开福区应急管理局坚持以习近平新时代中国特色社会主义思想为指导")
'开福区应急管理局'
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .clean import _FULLWIDTH as _CLEAN_FULLWIDTH
from .convert import PINYIN_GLOSS as _PINYIN_GLOSS
from .convert import simplify
from .metadata import Title, parse_issuer
from .rules import load_rules

CJK = "\u4e00-\u9fff"
# 應(yīng)  學(xué)  發(fā): a pinyin syllable in brackets right after a character (`convert.PINYIN_GLOSS`)
# 2020 年 → 2020年;  海滨街 2020年 stays two tokens
_SPACED_YEAR = re.compile(r"(\d{4}) +(?=年)")


# full-width digits and the signs dates are written with (２０２２－０３－１０, ２０２２／３／１０, ２０２２．３．１０):
# read as ASCII: the clean text's full-width map (`clean.normalise_line`: digits, ％) and three signs
_FULLWIDTH_FORMS = {**_CLEAN_FULLWIDTH, **str.maketrans("－／．", "-/.")}
_FULLWIDTH_CHARS = "".join(map(chr, _FULLWIDTH_FORMS))  # (looked for one by one: `in` is 3 × a regex's speed)


def reading_form(text: str | None) -> str:
    """The text as fazhi reads it for metadata: full-width digits as ASCII, pinyin glosses removed,
    simplified characters.

    >>> reading_form("應(yīng)急管理部 2022 年"), reading_form("发布时间：２０２２－０３－１０")
    ('应急管理部 2022年', '发布时间：2022-03-10')
    """
    if not text:
        return ""
    if any(c in text for c in _FULLWIDTH_CHARS):
        text = text.translate(_FULLWIDTH_FORMS)
    if "(" in text or "（" in text:
        text = _PINYIN_GLOSS.sub("", text)
    if " 年" in text:  # (_SPACE_BEFORE_NIAN's test as a literal: far faster than the sub, or a search)
        text = _SPACED_YEAR.sub(r"\1", text)
    return simplify(text)


# a stray space between two characters (PDF exports, justified titles: 济南市市 中区, 沙园 街道办 事 处)
_CJK_SPACE = re.compile(rf"(?<=[{CJK}]) (?=[{CJK}])")
# the words of a body's name (and of the report phrase) a stray space can split, besides division names
_NAME_WORDS = (
    "街道办事处",
    "人民政府",
    "办事处",
    "委员会",
    "办公室",
    "街道",
    "法治政府建设",
    "法治政府",
    "依法行政",
    "法治建设",
    "工作报告",
    "情况报告",
    "年度报告",
)


def _names_rejoined(text: str) -> str:
    """`text` without the single spaces that split a division's name (any year's, three characters or
    more) or a word of a body's name (`_NAME_WORDS`): a space is dropped when the words around it, once
    joined, hold such a name running across it. Spaces between two names (浙江省 丽水市), between a label
    and a value, or in a joint title (中共X县委 X县人民政府) split none and stay.

    >>> _names_rejoined("济南市市 中区2024年度法治政府建设 情况报告"), _names_rejoined("沙园 街道办 事 处")
    ('济南市市中区2024年度法治政府建设 情况报告', '沙园 街道办事处')
    >>> _names_rejoined("中共松阳县委 松阳县人民政府关于"), _names_rejoined("浙江省 丽水市")
    ('中共松阳县委 松阳县人民政府关于', '浙江省 丽水市')
    >>> _names_rejoined("武汉市司法 局2022年度推进法治政府建设"), _names_rejoined("陵川县 教育局 2025年法治政府建设")
    ('武汉市司法局2022年度推进法治政府建设', '陵川县教育局 2025年法治政府建设')
    """
    spaces = [m.start() for m in _CJK_SPACE.finditer(text)]
    if not spaces:
        return text
    try:
        from .places import _name_starts, _name_years

        names, starts = _name_years(), _name_starts()
    except Exception:  # pragma: no cover - no division table installed
        names, starts = {}, {}
    drop = set()
    for p in spaces:  # the words around the space, without their own stray spaces, joined at `at`
        left, right = text[max(0, p - 8) : p], text[p + 1 : p + 9]
        if " " in left or " " in right:
            left, right = _CJK_SPACE.sub("", left), _CJK_SPACE.sub("", right)
        joined, at = left + right, len(left)
        if (
            any(w in joined and _runs_across(joined, w, at) for w in _NAME_WORDS)
            or any(joined[q + 1 : q + 2] and _name_across(joined, q, at, names, starts) for q in range(at))
            or _SUFFIX_SPLIT.match(right)
            or (_DEPT_AFTER_PLACE.match(right) and _ends_in_a_name(left, names))
        ):
            drop.add(p)
    return "".join(c for i, c in enumerate(text) if i not in drop) if drop else text


# a department's last character split from its name (武汉市司法 局2022年度…): it never opens a word before a year
_SUFFIX_SPLIT = re.compile(r"(?:局|厅|委|办)(?=\s*(?:(?:19|20)\d{2}|关于|[(（]))")
# a department's name after its division's (陵川县 教育局 2025年…): one name, spaced as a justified title prints it
_DEPT_AFTER_PLACE = re.compile(rf"[{CJK}]{{1,12}}?(?:局|厅|委员会|办公室)(?![{CJK}])")


def _ends_in_a_name(left: str, names) -> bool:
    """Whether `left` ends with a division's name (three characters or more)."""
    return any(left[k:] in names for k in range(max(0, len(left) - 8), len(left) - 2))


def rejoined_title(title: str) -> str:
    """A title line without the stray spaces that split its names (`_names_rejoined`)."""
    return _names_rejoined(title) if " " in title and len(title) <= _SPLIT_LINE_MAX else title


def _name_across(joined: str, q: int, at: int, names, starts) -> bool:
    """Whether a division name (three characters or more) starts at `q` of `joined` and ends after `at`."""
    for length in starts.get(joined[q : q + 2], ()):
        if q + length > at and joined[q : q + length] in names:
            return True
    return False


def _runs_across(joined: str, word: str, at: int) -> bool:
    """Whether an occurrence of `word` in `joined` starts before `at` and ends after it."""
    i = joined.find(word)
    while i >= 0:
        if i < at < i + len(word):
            return True
        i = joined.find(word, i + 1)
    return False


# ---------------------------------------------------------------- names
_GOV_TAIL = re.compile(
    r"^(?:中共)?(?:党委|党工委|党组|委员会|委|工委)?(?:和|、|及|与)?(?:人民政府|政府|办事处|行政公署)?"
)
_DEPT_SUFFIX = "局|厅|部|署|委员会|办公室|办公厅|中心|委办(?!公)|委|办"
# the department part of a name: 司法局, 人力资源和社会保障局, 政务服务和数字化建设管理局, 政府办公室
_DEPT = re.compile(rf"[{CJK}]{{1,16}}?(?:总局|{_DEPT_SUFFIX})")
# words that begin the predicate: a name never contains them
_PREDICATE = re.compile(
    r"坚持|始终|认真|深入|全面|按照|紧紧|紧扣|紧密|围绕|聚焦|积极|持续|扎实|不断|切实|着力|大力|立足|牢牢|牢固|高度|"
    r"进一步|以习|以党|以法|在|把|将|对|为|法治政府|依法行政|工作|领导|带头|高举|深化|贯彻|落实|学习|推进|加强|严格|"
    r"统筹|主动|充分|努力|着眼|锚定|强化|推动|践行|忠实|各级|各地|各部门|各单位|各乡镇|各街道|"
    r"健全|完善|建立|成立|召开|压实|明确|制定|调整|发挥|配齐|配强|督促|召集|参加|出席|列席"
)
# abbreviations: 我市 全市 本县 市政府 县委、县政府 省司法厅 区政府办
_SELF = re.compile(r"^(?:我|本|全)(省|市|州|盟|县|区|旗|镇|乡|街道|街|局|厅|委|办|部|署|中心)")
# a subdistrict or town whose name starts with an abbreviation's character (县街街道办事处, 市桥街道): its own name,
# not a county's or city's office
_TOWN_AFTER_ABBR = re.compile(
    r"^[县市区][\u4e00-\u9fff]{1,3}?(?:街道办事处|街道办|街道|(?:镇|乡)(?!化|村)(?![\u4e00-\u9fff]{0,6}?(?:局|委员会|办|厅|中心)))"
)  # (not 市城乡建设局, 县城乡规划局: a city's or county's bureau of 城乡…)
_ABBR = re.compile(
    r"^(省|自治区|市|州|盟|县|区|旗|镇|乡|街道)(?=(?:委|党委|人民政府|政府|[\u4e00-\u9fff]{1,16}?(?:总局|"
    + _DEPT_SUFFIX
    + r")))"
)
_ABBR_LEVEL = {
    "省": "province",
    "自治区": "province",
    "市": "city",
    "州": "city",
    "盟": "city",
    "县": "county",
    "区": "county",
    "旗": "county",
    "镇": "township",
    "乡": "township",
    "街道": "subdistrict",
    "街": "subdistrict",
}
_DEPT_WORDS = ("局", "厅", "委", "办", "部", "署", "中心")
# 全市司法行政系统, 全县公安机关: a department's report speaking for its whole system
_SYSTEM = re.compile(rf"^全(省|市|州|盟|县|区|旗)([{CJK}]{{2,8}}?)(?:系统|机关(?!单位|事业|和|及|、))")
# (systems whose head is a 局 in a city or county and a 厅 in a province)
_SYSTEM_BUREAU = {
    "司法行政": "司法",
    "公安": "公安",
    "生态环境": "生态环境",
    "交通运输": "交通运输",
    "自然资源": "自然资源",
    "应急管理": "应急管理",
    "民政": "民政",
    "人力资源社会保障": "人力资源和社会保障",
    "人社": "人力资源和社会保障",
    "水利": "水利",
    "财政": "财政",
    "教育": "教育",
    "审计": "审计",
    "统计": "统计",
}
# a division's system named in a title (皮山县教育系统2022年度…报告, X市公安机关…): the bureau that heads it reports
_PLACE_SYSTEM = re.compile(
    rf"^(?!全)(?P<place>[{CJK}]{{1,12}}?(?:自治区|省|市|州|盟|县|区|旗))(?P<system>[{CJK}]{{2,8}}?)(?:系统|机关(?!单位|事业|和|及|、))"
)
_SHORT_STREET = re.compile(
    rf"([{CJK}]{{2,3}}街|[{CJK}]{{2,4}}州)(?=在|坚持|始终|深入|以|紧紧|认真|全面|高举|围绕|按照|聚焦|紧扣|牢牢|立足|持续"
    r"|积极|高度|党工委|(?:19|20)\d{2}\s*年|法治|依法)"
)
_BRANCH = re.compile(rf"[{CJK}]{{1,8}}?分局")
_NATIONAL_PREFIX = re.compile(load_rules("places")["national"]["prefix"])


class Name(NamedTuple):
    """A body named on the page: issuer (short), full name, level, and the place prefix of an abbreviation."""

    issuer: str | None
    issuer_full: str | None
    level: str
    abbreviation: str | None = None  # '市' in 市司法局, '县' in 县委、县政府, '我市'
    title: Title | None = None


def read_name(text: str) -> Name | None:
    """The body named at the start of `text` (a subject, a title's issuer part, a metadata value), or None.

    >>> read_name("山西省委、省政府坚持").issuer, read_name("宣城市公安局按照").issuer_full
    ('山西省', '宣城市公安局')
    >>> read_name("县委、县政府坚持以").level, read_name("我街认真贯彻").level, read_name("我局高度重视").issuer
    ('county', 'subdistrict', None)
    """
    s = re.sub(r"^[\s\-—·•|:：,，、]+", "", text or "")
    s = re.sub(r"^中共", "", s)
    if not s:
        return None
    m = _PLACE_SYSTEM.match(s)
    bureau = _SYSTEM_BUREAU.get(m.group("system")) if m else None
    if bureau:
        hall = "厅" if m.group("place").endswith(("省", "自治区")) else "局"
        return read_name(m.group("place") + bureau + hall + s[m.end() :])
    m = _SYSTEM.match(s)
    bureau = _SYSTEM_BUREAU.get(m.group(2)) if m else None
    if bureau:  # 全市司法行政系统, 全省公安机关: the bureau that heads the system speaks for it (市司法局)
        place = m.group(1)
        dept = bureau + ("厅" if place == "省" else "局")
        return Name(dept, place + dept, "department", place)
    if m and not re.search(r"各|行政|政法|党|人大|政协", m.group(2)):
        # 全市自然资源规划系统: a system whose bureau's name is not known here still speaks for a department
        return Name(None, None, "department", m.group(1))
    m = _SELF.match(s)
    if m:
        word = m.group(1)
        if word in _DEPT_WORDS:
            return Name(None, None, "department", m.group(0))
        return Name(None, None, _ABBR_LEVEL.get(word, "unknown"), m.group(0))
    m = _ABBR.match(s) if not _TOWN_AFTER_ABBR.match(s) else None
    if m:
        rest = s[m.end() :]
        dept = _department(rest)
        # (镇党委、镇政府 / 镇党委政府 / 街道党工委、办事处: the place's own party committee, no department)
        if dept and not re.match(r"(?:人民)?政府$|党(?:工)?委$", dept):
            return Name(dept, m.group(1) + dept, "department", m.group(1))
        return Name(None, None, _ABBR_LEVEL[m.group(1)], m.group(1))
    street = _SHORT_STREET.match(s)
    if street:  # 洛浦街在区委…  龙归街始终坚持…: a subdistrict named in short (X街, as Guangzhou's are); 伊犁州深入…
        s = street.group(1)
    central = _central_body(s) if _NATIONAL_PREFIX.match(s) else None
    if central:  # (国家市场监督管理总局 holds no 国家市)
        return Name(central, central, "department", None, None)
    t = parse_issuer(_name_prefix(s))
    if not t.issuer or t.level == "unknown":
        hall = _department(s)
        if hall and hall.endswith("厅") and not hall.endswith("办公厅") and len(hall) >= 3:
            # 司法厅坚持…: a 厅 with no place is a province's department (only provinces have 厅; the central
            # government's 办公厅 aside), its province completed from the page like 省司法厅's
            return Name(hall, "省" + hall, "department", "省")
        if hall and hall.endswith("局") and len(hall) >= 3 and _PREDICATE.match(s, len(hall)):
            # 2024年以来,教育局坚持…: a bureau with no place (the page's addressee, 县委、县政府:, speaks to its
            # government): a department; its place only from the page
            return Name(hall, hall, "department", None)
        short = _short_division(s)
        if short:
            return read_name(short)
        dept = _central_body(s)
        if dept and len(dept) >= 3:
            return Name(dept, dept, "department", None, None)
        return None
    if t.level == "department" and _PREDICATE.search(t.issuer):
        return None
    full = t.issuer_full or ""
    if full.endswith(("管理委员会", "管委会")) and s.startswith(full):
        # 湖南湘江新区管理委员会应急管理局, X新区管委会办公室: the zone's bureau or office reports (as a
        # government's 人民政府办公室 does)
        rest = s[len(full) :]
        dept = "办公室" if rest.startswith("办公室") else _department(rest)
        if dept and dept.endswith(("局", "办公室")):
            short = dept if dept.endswith("局") else ("管委会" if full.endswith("管委会") else "管理委员会") + dept
            t = t._replace(issuer=short, issuer_full=full + dept, level="department")
    return Name(t.issuer, t.issuer_full, t.level, None, t)


def _short_division(s: str) -> str | None:
    """A province or prefecture written short in subject position: '广东坚持…' → '广东省'."""
    from .places import division_table, table_years

    table = division_table(table_years()[1])
    for length in (3, 2):
        head = s[:length]
        divs = table.short.get(head, ())
        if len(divs) == 1 and _PREDICATE.match(s[length:]):
            return divs[0].name
    return None


def _central_body(s: str) -> str | None:
    """The central government body named at the start of `s`: a ministry (交通运输部, 审计署, 海关总署), or
    a body whose name opens as the central government's do (rules/places.yaml `national.prefix`: 国家统计局,
    中国气象局, 国务院国资委, 中国人民银行); its branch in a division (国家税务总局上海市税务局) whole.

    >>> _central_body("国家统计局坚持"), _central_body("国家税务总局上海市税务局2023年"), _central_body("统计局坚持")
    ('国家统计局', '国家税务总局上海市税务局', None)
    """
    from .metadata import split_units

    central = _NATIONAL_PREFIX.match(s)
    dept = _department(s)
    if central and not dept:
        bank = re.match(rf"[{CJK}]{{0,8}}?银行", s)  # 中国人民银行
        dept = bank.group(0) if bank and not _PREDICATE.search(bank.group(0)) else None
    if not dept or not (central or dept.endswith(("部", "署", "总局"))):
        return None
    units, rest = split_units(s[len(dept) :])
    branch = _department(rest) if units else None
    return dept + "".join(units) + branch if branch else dept


def _department(s: str) -> str | None:
    """The department name at the start of `s`: 司法局按照… → 司法局; None if a predicate comes first."""
    for m in _DEPT.finditer(s):
        cand = s[: m.end()]
        if _PREDICATE.search(cand):
            return None
        if cand.endswith("部") and s.startswith("门", m.end()):
            return None  # 地方部门, 有关部门: departments in general (a site's menu), no ministry called 地方部
        ext = re.match(r"公室|公厅|员会|会(?!议)", s[m.end() :])
        if ext and cand[-1] in "办委" and (ext.group(0) != "会" or cand[-1] == "委"):  # (管委会: 委员会 short)
            cand += ext.group(0)
        branch = _BRANCH.match(s, len(cand))  # 杭州市生态环境局西湖分局: the branch reports
        if branch and cand.endswith("局") and not _PREDICATE.search(branch.group(0)):
            cand += branch.group(0)
        if re.fullmatch(rf"[{CJK}]+", cand):
            # 人力资源和社会保障局 yes; 委员会 after 全面依法治县: not a department of its own
            return cand
        return None
    return None


def _name_prefix(s: str) -> str:
    """The leading name of `s`: units, then a department or a government suffix, up to the predicate."""
    from .metadata import split_units

    units, rest = split_units(s)
    head = "".join(units)
    if not units:
        # a department with no place is a ministry (交通运输部, 审计署, 海关总署) or a body of the central
        # government (国家统计局, 中国气象局, 国务院国资委, 中国人民银行); others need a place
        return _central_body(s) or ""
    gov = _GOV_TAIL.match(rest)
    tail = gov.group(0) if gov else ""
    office = re.match(r"(?:人民)?政府(?:办公室|办公厅|办)", rest)
    if office:  # 遂宁市人民政府办公室, 南康区政府办: a department
        return head + office.group(0)
    if tail and ("政府" in tail or "办事处" in tail or "行政公署" in tail or tail.startswith(("党委", "委", "党工委"))):
        # 山西省委、省政府 → 山西省; 清河县人民政府 → 清河县人民政府
        return head + (
            tail if re.search(r"(人民政府|政府|办事处|行政公署)$", tail) and not re.search(r"[、和及与]", tail) else ""
        )
    dept = _department(rest)
    if dept and not _PREDICATE.search(dept):
        return head + dept
    return head


# ---------------------------------------------------------------- titles
# a year as a title or an opening writes it: 2023, 二〇二三, or masked by a copy that hides its digits
# (****年, 20**年: a tender site's copy): read as a year where the structure needs one, never as a value
_YEAR_WORD = r"(?:20\d{2}|[二][〇○零][〇○零一二三四五六七八九]{2}|[*＊]{4}|20[*＊]{2})"
# the words that make a line a report title:  …法治政府建设年度报告  …依法行政工作报告  …法治建设情况
_REPORT_PHRASE = re.compile(
    r"(?:法治政府(?:部门)?建设|法治政府|依法行政|法治建设|法制建设|法治[\u4e00-\u9fff]{0,4}建设)[^\s。；，,:：>|《]{0,16}?(?:报告|情况|总结(?!会))"
    r"(?:的报告|报告)?(?:[(（]\s*20\d{2}\s*年度?\s*[)）])?"
)
_YEAR_FRONT = re.compile(r"(?:关于)?" + _YEAR_WORD + r"年度?(?:度)?$")
_SEPARATORS = " \t\u3000>›»|:：《》【】[]<，,。；;“”\"'"
_BREADCRUMB = re.compile(r"首页|当前位置|所在位置|您的位置|[>›»]\s*\S+\s*[>›»]")
_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[(（][一二三四五六七八九十]{1,3}[)）]|第[一二三四五六七八九十]+部分)"
)
_BREADCRUMB_LINE = re.compile(r"(?:首页|当前位置|所在位置|您的位置|位置\s*[:：]).{0,40}[>›»]|[>›»].{1,30}[>›»]")
_DOC_NO = re.compile(r"[\u4e00-\u9fff]{1,6}[〔\[【(（]\s*20\d{2}\s*[〕\]】)）]\s*\d+\s*号")
_BODY_START = re.compile(r"^(?:" + _YEAR_WORD + r"\s*年|一年来|近年来|根据|按照|为|一、|第一部分)")


# what follows a report phrase inside 《》 when the quoted document is the notice or plan asking for
# reports, not a report: 《关于做好2023年度法治政府建设情况报告工作的通知》 《…情况报告的实施方案》
_CITED_DOCUMENT = re.compile(
    r"[^《》。，,]{0,12}?(?:通知|意见|方案|要点|办法|规定|细则|函|决定|纲要|规划|计划|要求|批复|指引|清单|制度)》"
)


_PHRASE_RUNS_ON = re.compile(r"(?:制度|工作要求|的要求|工作的通知|的通知|工作规定|规定)")
_QUOTED_BY = re.compile(r"(?:现将|特将|将|把|对|按照|根据|依据|印发|转发|贯彻|落实|学习)《$")


class FoundTitle(NamedTuple):
    title: str
    issuer_part: str  # what precedes 关于/the year/the report phrase in the title ('' if nothing)
    line: int  # index of the line (in the reading form's lines) holding the report phrase
    joined: bool  # the issuer came from an adjacent line


def find_title(lines: list[str], *, limit: int = 60) -> FoundTitle | None:
    """The report title among the first lines of a page (reading form), wherever it sits.

    >>> find_title(["首页 > 信息公开 > 法治政府建设", "长春市人民政府关于", "2023年度法治政府建设情况的报告"]).title
    '长春市人民政府关于2023年度法治政府建设情况的报告'
    >>> find_title(["海滨街 2020年法治政府建设情况报告 2020年,在区委领导下,海滨街严格依法行政"]).issuer_part
    '海滨街'
    """
    lines = _rejoin_split_phrases(lines, limit)
    best: FoundTitle | None = None
    for i, line in enumerate(lines[:limit]):
        s = line.strip()
        if not s:
            continue
        if "法治" not in s and "法制" not in s and "依法行政" not in s:  # no report phrase on the line: only the
            # stopping rules below can act, on a line that is no heading or breadcrumb (the tests cost most)
            stop = best is not None and i > best.line + 8
            body = best is None and i > 0 and len(s) >= 40 and "。" in s and _BODY_START.match(s)
            if (stop or body) and not (_HEADING.match(s) or _BREADCRUMB_LINE.search(s)):
                if stop:
                    break
                limit = min(limit, i + 4)
            continue
        if _HEADING.match(s) or _BREADCRUMB_LINE.search(s):
            continue
        for m in _REPORT_PHRASE.finditer(s):
            start, end = _segment(s, m.start(), m.end())
            seg = s[start:end]
            if _BREADCRUMB.search(s[max(0, start - 3) : start + 3]) or _BREADCRUMB.search(seg):
                continue
            before = s[:start]
            if before.endswith(("“", '"', "‘")) and "\u4e00" <= s[end : end + 1] <= "\u9fff":
                continue  # 提出“实行法治建设年度报告制度”: a longer quoted phrase in a sentence, no title
            if _PHRASE_RUNS_ON.match(s, end):
                continue  # 根据法治政府建设年度报告制度的要求,…: the phrase names a rule, in a sentence
            if before.endswith(("【", "[")) and s[end : end + 1] in ("】", "]") and s[end + 1 :].strip():
                continue  # 【省政府法治建设报告】X省人民政府关于…: a site's column tag before the title
            if before.endswith("《") and (_CITED_DOCUMENT.match(s, end) or _QUOTED_BY.search(before)):
                # 根据…《关于做好2023年度法治政府建设情况报告工作的通知》: the notice asking for reports;
                # 现将《X局2022年度…报告》予以公布: the report named in a sentence, no title printed
                continue
            # inside a sentence (现将…情况报告如下, 现将《X县2023年度…报告》予以公布): not a title
            if re.search(r"[。；]|[，,][^，,]{0,40}$", before) and not _is_separator_run(before):
                continue
            if re.search(
                r"(现将|特将|将|把|对|按照|根据|印发|转发|《)$", seg[:0] + before.rstrip()[-3:]
            ) and not before.endswith("《"):
                continue
            if re.match(r"(?:现|特)[将就对把]", seg):
                continue  # 现将本镇2023年度…情况报告如下: (on a line of its own) the statement, not a title
            seg = _strip_title_noise(seg)
            if not seg:
                continue
            issuer_part = _issuer_part(seg)
            joined = False
            if not issuer_part:
                prev = _previous_name(s[:start], lines, i)
                if prev:
                    (issuer_part, printed), joined = prev, True
                    seg = printed + seg
            cand = FoundTitle(seg, issuer_part, i, joined)
            if best is None:
                best = cand
            if issuer_part:
                return cand
            break
        if best is not None and i > best.line + 8:
            break
        if _BODY_START.match(s) and len(s) >= 40 and best is None and i > 0 and "。" in s:
            # the body has begun and no title came before it: titles only in the next few lines
            limit = min(limit, i + 4)
    return best


_REPORT_HINT = re.compile(r"法治|依法行政|法制")
_CONTINUATION_MAX = 24  # characters of a line that can end a title printed over two lines
_SPLIT_LINE_MAX = 80  # … and of the line it continues


def _rejoin_split_phrases(lines: list[str], limit: int) -> list[str]:
    """`lines` with the stray spaces that split the names of a title line dropped (`_names_rejoined`),
    and a title printed over two lines inside its report phrase joined on the first (the
    second left blank, so line numbers stay): 鲁山县人民政府关于2024年法治政府建设 / 情况的报告. Only when
    the first line holds no report phrase of its own, the second is short and no sentence, and the
    phrase found runs into it.

    >>> _rejoin_split_phrases(["X县人民政府关于2024年法治政府建设", "情况的报告", "2024年,X县坚持。"], 60)
    ['X县人民政府关于2024年法治政府建设情况的报告', '', '2024年,X县坚持。']
    """
    out = None
    for i in range(min(limit, len(lines))):  # stray spaces in a title's names (济南市市 中区, 法治 政府)
        s = lines[i]
        if " " in s and len(s) <= _SPLIT_LINE_MAX and _REPORT_HINT.search(s.replace(" ", "")):
            joined = _names_rejoined(s)
            if joined != s:
                out = list(lines) if out is None else out
                out[i] = joined
    lines = lines if out is None else out
    for i in range(min(limit, len(lines) - 1)):
        s = lines[i].strip()
        if not s or len(s) > _SPLIT_LINE_MAX or ("法治" not in s and "法制" not in s and "依法行政" not in s):
            continue  # (a paragraph is no title's first line)
        if _REPORT_PHRASE.search(s):
            continue
        nxt = lines[i + 1].strip()
        if not nxt or len(nxt) > _CONTINUATION_MAX or "。" in nxt or _HEADING.match(nxt) or _BODY_START.match(nxt):
            continue
        m = _REPORT_PHRASE.search(s + nxt)
        if m and m.end() > len(s):
            out = list(lines) if out is None else out
            out[i], out[i + 1] = s + nxt, ""
    return lines if out is None else out


def _is_separator_run(before: str) -> bool:
    return not before.strip(_SEPARATORS)


def _segment(s: str, a: int, b: int) -> tuple[int, int]:
    """Extend the report phrase [a, b) of line `s` left to the previous separator (keeping 关于 and a
    year) and right over a bracketed year: the title inside a longer line."""
    start = a
    while start > 0 and s[start - 1] not in _SEPARATORS:
        start -= 1
    return start, b


def _strip_title_noise(seg: str) -> str:
    seg = _DOC_NO.sub("", seg).strip(_SEPARATORS + "—-")
    seg = re.sub(r"^(?:标题|题目|名称)\s*[:：]?", "", seg)
    return tidy_title(seg)


# ---------------------------------------------------------------- the title itself, without the page around it
# | 标题:X | |   | 标题:X | 发布日期:2022-01-06 |: a metadata table's row; its other cells are empty or labelled fields
_CELL = re.compile(r"\s*[|｜]\s*")
_FIELD = re.compile(rf"^[{CJK}]{{1,6}}\s*[:：]")
# 标题:X  题目：X  文件名称:X: the field's label (only with its colon: 名称 without one may begin a title)
_FIELD_LABEL = re.compile(
    r"^(?:文章标题|文件标题|信息标题|信息名称|文件名称|公文标题|公文名称|内容概述|标\s*题|题\s*目|名\s*称)\s*(?:[:：]\s*|\s+)"
)
# a site's name printed before or after the title: 长沙市政府门户网站-X, 秘书之家—…www.x.com X, X-规划计划-某某网站
_SITE_BEFORE = re.compile(
    r"^[-_|｜—\s]*[^-_|｜—\s《]{1,40}?(?:(?:网站|门户网|网|之家|平台)\s*[-_|｜—]+|(?:www\.)?[A-Za-z0-9-]+\.(?:com|cn|net|org)(?:\.cn)?)\s*"
)
_SITE_AFTER = re.compile(r"(?:(?<=报告|情况|总结)|(?<=[》）)]))\s*[-_|｜]+\s*[^-_|｜].*$")
# [权威发布]X  【转载】X  【政务公开】X: a site's tag before the title
_TAG = re.compile(r"^(?:\[\s*([^\[\]]{1,8}?)\s*\]|【\s*([^【】]{1,8}?)\s*】)\s*")
# 1、X  2. X: list numbering (1.2023年… is left alone: a point before a digit may belong to a number)
_LIST_NUMBER = re.compile(r"^\d{1,2}(?:、|[.．](?!\d))\s*")
# 宁政发〔2019〕35号 before the title (or after it), as the page prints the brackets
_DOC_NUMBER = r"[\u4e00-\u9fff]{1,8}[〔\[【(（]\s*(?:19|20)\d{2}\s*[〕\]】)）]\s*第?\s*\d{1,4}\s*号"
_LEADING_DOC_NUMBER = re.compile(rf"^{_DOC_NUMBER}\s*")
_TRAILING_DOC_NUMBER = re.compile(rf"\s*(?:{_DOC_NUMBER}|[(（]{_DOC_NUMBER}[)）])$")
# 《X》 as the whole title: the quotation marks of a document cited by its number
_QUOTED = re.compile(r"^《([^《》]+)》$")
# X 2023-02-09   X发布时间:2023年2月9日 10:30: a date (with its label or clock) after the title; a year
# alone (…报告（2021年）, …2021年度) is no date
_TRAILING_DATE = re.compile(
    r"\s*(?:(?:发布|更新|发文|公开|生成|上传)?(?:时间|日期)\s*[:：]?\s*)?"
    r"(?:19|20)\d{2}\s*(?:[-/.]|年)\s*\d{1,2}\s*(?:[-/.]|月)\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?$"
)
# X 发布时间:2023-03-01 来源:某某县司法局  X 2023-03-27 17:05 来源: 某某网 【字体:: the page's metadata glued after
# the title (cut where the title's report phrase ends: a label inside a title's bracket is no cut)
_TRAILING_META = re.compile(
    r"\s*(?:(?:19|20)\d{2}\s*(?:[-/.]|年)\s*\d{1,2}\s*(?:[-/.]|月)\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?\s*)?"
    r"(?:(?:发布|更新|发文|公开|生成|上传)?(?:时间|日期)|(?:信息|文章|稿件)?来源|浏览次数|访问次数|点击[数量率]|阅读[数量]|作者|字体|字号)"
    r"\s*[:：]"
)
# X.docx  X.pdf: an attachment's file name
_FILE_EXTENSION = re.compile(r"\s*[.．](?:docx?|wps|pdf|xlsx?|et|txt|rtf|odt|ofd|html?|zip|rar)$", re.IGNORECASE)


# a list bullet or separator left after the title with nothing behind it (…报告 -, …报告 •): the next item's
_TRAILING_BULLET = re.compile(r"\s+[-–·•|>]+$")


def tidy_title(title: str) -> str:
    """The title alone, without what the page prints around it: a metadata table's bars and its field
    label, a site's tag, list numbering, a document number (and the 《》 around the title it numbers),
    a date or clock or page metadata after it, an attachment's file extension. Words of the title itself stay: 《》 inside
    it, a bracketed year, the joint party committee of a joint title.

    >>> tidy_title("[权威发布]某某省2019年法治政府建设情况报告")
    '某某省2019年法治政府建设情况报告'
    >>> tidy_title("某政发〔2020〕3号《某某市人民政府关于2019年度法治政府建设工作的报告》")
    '某某市人民政府关于2019年度法治政府建设工作的报告'
    >>> tidy_title("| 标题:某某县司法局2019年度法治政府建设情况报告 | |")
    '某某县司法局2019年度法治政府建设情况报告'
    >>> tidy_title("某某街道2019年法治政府建设情况报告 2020-02-09 10:30")
    '某某街道2019年法治政府建设情况报告'
    >>> tidy_title("某某街道2019年法治政府建设情况工作报告 来源:本站 浏览次数:4257 字号:[大 中 小]")
    '某某街道2019年法治政府建设情况工作报告'
    >>> tidy_title("关于《法治政府建设实施纲要（2015—2020年）》落实情况的报告")
    '关于《法治政府建设实施纲要（2015—2020年）》落实情况的报告'
    >>> tidy_title("某某市政府门户网站-某某市2023年法治政府建设情况报告_足彩app哪个是正规的")
    '某某市2023年法治政府建设情况报告'
    >>> tidy_title("标      题 某某镇2025年度法治政府建设情况报告 - 规划计划 - 某某市政府门户网站")
    '某某镇2025年度法治政府建设情况报告'
    >>> tidy_title("某某乡人民政府2025年法治政府建设情况报告 -")
    '某某乡人民政府2025年法治政府建设情况报告'
    """
    s = title.strip()
    while True:
        before = s
        s = _title_cell(s)
        s = _FIELD_LABEL.sub("", s)
        tag = _TAG.match(s)
        if (
            tag
            and s[tag.end() :]
            and not _names_a_body(tag.group(1) or tag.group(2))
            and not _YEAR_IN.search(tag.group(0))
        ):
            s = s[tag.end() :]
        s = _LIST_NUMBER.sub("", s) or s
        site = _SITE_BEFORE.match(s)
        if site and _REPORT_HINT.search(s, site.end()):
            s = s[site.end() :]
        s = _SITE_AFTER.sub("", s) or s
        s = _without_trailing_meta(s)
        s = _TRAILING_DATE.sub("", s) or s
        s = _FILE_EXTENSION.sub("", s) or s
        s = _LEADING_DOC_NUMBER.sub("", s) or s
        s = _TRAILING_DOC_NUMBER.sub("", s) or s
        s = _TRAILING_BULLET.sub("", s) or s
        quoted = _QUOTED.match(s)
        if quoted:
            s = quoted.group(1).strip()
        s = s.strip()
        if s == before:
            return s


def _title_cell(s: str) -> str:
    """The cell holding the title in a row of a metadata table (| 标题:X | |); the line as it is when a
    second cell holds more than an empty or labelled field."""
    if "|" not in s and "｜" not in s:
        return s
    cells = [c for c in _CELL.split(s) if c]
    titled = [c for c in cells if _REPORT_PHRASE.search(c)]
    if len(titled) == 1 and all(c is titled[0] or _FIELD.match(c) for c in cells):
        return titled[0]
    return s.strip(" \t\u3000|｜")


def _without_trailing_meta(s: str) -> str:
    """`s` cut before page metadata that follows its report phrase (…年度报告 发布时间:2023-03-01 来源:…)."""
    ends = [m.end() for m in _REPORT_PHRASE.finditer(s)]
    meta = _TRAILING_META.search(s, ends[-1]) if ends else None  # (…情况工作报告 来源:本站: after more title words)
    return s[: meta.start()] if meta else s


# a tag holding the year ([2023年度]X县…报告) is kept: the year is read from it
_YEAR_IN = re.compile(r"(?:19|20)\d{2}")


def _names_a_body(tag: str) -> bool:
    """A tag that names a body ([某某县司法局]) is kept: the issuer rules read it."""
    n = read_name(tag)
    return n is not None and n.issuer is not None


def _issuer_part(seg: str) -> str:
    """'长春市人民政府关于2023年度…' → '长春市人民政府'; '2023年度法治政府…' → ''."""
    m = re.search(r"关于|" + _YEAR_WORD + r"\s*年|法治|依法行政|法制", seg)
    part = seg[: m.start()] if m else ""
    return part.strip(" ,，、")


# 中共海南省委  中共X县委员会  X镇党委  X街道党工委: a party committee printed before a joint title's government
_PARTY_COMMITTEE = re.compile(rf"^(?:中共[{CJK}]{{1,20}}(?:委员会|委)|[{CJK}]{{1,20}}(?:党委|党工委))$")


def _previous_name(before: str, lines: list[str], i: int) -> tuple[str, str] | None:
    """The issuer printed before a title that lacks one: the same line's previous token, or the nearest
    non-empty line above (长春市人民政府关于 / 2023年度…; 广元市人力资源和社会保障局 / 2023年…报告), with the
    words it is printed with before the title (its 关于 included)."""
    tokens = [t for t in re.split(r"[\s|]+", before) if t]
    cands = [(tokens[-1], None)] if tokens else []
    j = i - 1
    while j >= 0 and len(cands) < 3 and i - j <= 8:
        t = lines[j].strip()
        if t and not re.search(r"[:：]", t):  # a metadata line (来源: X) is not part of the title
            joint = " " in t and all(map(_PARTY_COMMITTEE.match, t.split()[:-1]))
            cands.append((t.split()[-1] if " " in t and len(t) > 20 and not joint else t, j))
        j -= 1
    for c, at in cands:
        c = c.strip(_SEPARATORS)
        # kept in the title as printed: 关于 (长春市人民政府关于 / 2023年度…), and 关于 with the year
        # (南京市人民政府关于2020年度 / 法治政府建设情况的报告)
        front = _YEAR_FRONT.search(c) or re.search(r"关于$", c)
        about = front.group(0) if front and front.start() else ""
        c = c[: len(c) - len(about)]
        if not c or len(c.split()[-1]) > 30 or re.search(r"[。；，,]", c):
            continue
        # 中共海南省委 海南省人民政府: the government, the last part, is the issuer; the party committee
        # stays in the title as printed (anything else before it, a spam word, does not), also on a line
        # of its own above the government's (中共X镇委员会 / X镇人民政府 / 关于…的报告)
        parts = c.split()
        c = parts[-1]
        printed = " ".join(parts) if len(parts) > 1 and all(map(_PARTY_COMMITTEE.match, parts[:-1])) else c
        n = read_name(c)
        if n and n.issuer and n.level != "unknown" and len(n.issuer_full or "") >= len(c) - 4:
            above = _line_above(lines, at) if at is not None and printed == c else ""
            if _PARTY_COMMITTEE.match(above):
                printed = above + " " + printed
            return c, printed + about
    return None


def _line_above(lines: list[str], i: int) -> str:
    """The nearest non-empty line above line `i`, stripped ('' when there is none)."""
    for j in range(i - 1, max(-1, i - 3), -1):
        if lines[j].strip():
            return lines[j].strip()
    return ""


def title_name(title: str) -> Name | None:
    """The issuer of a title found by `find_title`: the last body named before 关于/the year.

    >>> title_name("中共海南省委 海南省人民政府关于2022年法治政府建设情况的报告").issuer
    '海南省'
    >>> title_name("威廉希尔中文 沙园街道办事处2020年法治政府建设年度报告").issuer
    '沙园街道'
    >>> title_name("关于某某县2023年度法治政府建设情况的报告").issuer_full
    '某某县'
    """
    part = _issuer_part(title)
    if not part:
        m = re.match(
            r"^(?:关于)?" + _YEAR_WORD + r"\s*年度?(?P<name>.+?)(?:法治|依法行政|法制)",
            title,
        ) or re.match(  # 关于X县2023年度法治政府建设情况的报告: the issuer after 关于
            r"^关于(?:报送|呈报|上报)?(?P<name>[^\s\d*＊]{2,40}?)" + _YEAR_WORD + r"\s*年",
            title,
        )
        part = m.group("name") if m else ""
    if not part:
        return None
    tokens = [t for t in re.split(r"\s+", part) if t]
    for tok in reversed(tokens):  # the last token next to the report phrase: spam and party committees come first
        n = read_name(tok)
        if n and n.level != "unknown" and (n.issuer or n.abbreviation):
            full = n.issuer_full or ""
            # a spam word glued in front (皇冠…@木渎镇) is read from the right; a name at the token's start
            # with more words after it is none (X街道党工委、办事处; X局（Y局）)
            glued = n.title is not None and len(full) < len(tok) - 6 and not tok.removeprefix("中共").startswith(full)
            if not glued:
                return n
        tail = _tail_name(tok)
        if tail:
            return tail
    return None


def glued_tail(name: Name, lines: list[str]) -> Name | None:
    """The body's own name when a title's issuer is junk glued in front of it (皇冠体育投注鸡鸣乡人民政府2025年…报告,
    bt365备用网站双城区2021年度…报告: a hijacked copy's brand in place of the division's name): the page writes
    the issuer only in copies of the title (short lines naming the report) and writes a tail of it, a
    name of the same level, elsewhere (鸡鸣乡坚持…). That tail's name; None otherwise, and for a name the page
    repeats or whose place the division table knows.

    >>> glued_tail(title_name("澳门赌场鸡鸣乡人民政府2025年法治政府建设情况报告"),
    ...            ["澳门赌场鸡鸣乡人民政府2025年法治政府建设情况报告", "2025年,鸡鸣乡坚持…"]).issuer
    '鸡鸣乡'
    >>> glued_tail(title_name("新华镇2025年法治政府建设情况报告"), ["新华镇2025年法治政府建设情况报告", "2025年,新华镇坚持…"])
    """
    short = name.issuer
    t = name.title
    if not short or len(short) < 5 or (t is not None and (t.province or t.prefecture)):
        return None
    copies, rest = [], []
    for line in lines:
        (copies if short in line else rest).append(line)
    if any(len(line.strip()) > 60 or not _REPORT_PHRASE.search(line) for line in copies):
        return None  # written again in a sentence or a label: the page's own name
    others = "\n".join(rest)
    for k in range(1, len(short) - 2):  # the longest tail first, at least three characters
        tail = short[k:]
        # written alone (2025年,鸡鸣乡…), not inside another name (保障局 of 县医疗保障局)
        if tail in others and re.search(rf"(?<![{CJK}]){re.escape(tail)}", others):
            n = read_name(tail)
            if n is not None and n.issuer == tail and n.level == name.level:
                return n
    return None


def name_after_title(title: str, lines: list[str]) -> Name | None:
    """The body a title names after its report phrase (2023年法治政府建设年度报告——X县司法局; …报告（X县司法局）;
    …报告 X县应急管理局), on the line right below it (a byline: X县人民政府, maybe with its date under it),
    or on the line above the title printed again as the document's heading, when the words there are a
    body's name and nothing else; None otherwise.

    >>> name_after_title("2023年度法治政府建设工作报告", ["2023年度法治政府建设工作报告", "某某县人民政府", "2024年1月20日"]).issuer
    '某某县'
    >>> name_after_title("2021年法治政府建设工作报告", ["2021年法治政府建设工作报告", "发布日期:2022-03-31", "某某镇人民政府", "",
    ...                  "2021年法治政府建设工作报告"]).issuer
    '某某镇'
    """
    ends = [m.end() for m in _REPORT_PHRASE.finditer(title)]
    candidates = [title[ends[-1] :]] if ends else []
    at = next((i for i, line in enumerate(lines) if line.strip() and line.strip() in title), None)
    if at is not None:  # the title's last line, then the next non-empty one
        while at + 1 < len(lines) and lines[at + 1].strip() and lines[at + 1].strip() in title:
            at += 1
        below = next((line.strip() for line in lines[at + 1 : at + 3] if line.strip()), "")
        candidates.append(below)
        # the title printed again lower down as the document's own heading, its body's name on the line
        # above (the page's title line bare: 2021年…报告 … X镇人民政府 / 2021年…报告)
        repeats = [i for i, line in enumerate(lines) if i > at + 1 and len(line.strip()) >= 8 and line.strip() in title]
        candidates += [_line_above(lines, i) for i in repeats[:2]]
    for words in candidates:
        words = words.strip(" \t\u3000—-－·:：()（）[]【】")
        if not (2 <= len(words) <= 40) or re.search(r"[。，,；;:：]|\d", words):
            continue
        n = read_name(words)
        full = (n.issuer_full or "") if n else ""
        if n and n.issuer and n.level != "unknown" and full and words.removeprefix("中共").startswith(full):
            if len(words) - len(full) <= len("人民政府"):  # (its name and at most its government word)
                return n
    return None


def _tail_name(tok: str) -> Name | None:
    """The body name ending a token with junk in front: '…官网@木渎镇' → 木渎镇."""
    for k in range(1, max(1, len(tok) - 1)):
        n = read_name(tok[k:])
        if n and n.issuer and n.level != "unknown" and (n.issuer_full or "") == tok[k:]:
            return n
    return None


# ---------------------------------------------------------------- the first sentences
# what a body does first in an opening without a year: X坚持以习近平…, X全面学习贯彻习近平…, X认真落实党中央…,
# X认真梳理总结2025年度…
_OPENING_VERB = (
    r"(?:始终)?(?:坚持)?以习近平|(?:全面|深入|认真)(?:学习)?贯彻(?:落实)?(?:习近平|党的)"
    r"|(?:全面|深入|认真)(?:贯彻)?落实(?:党中央|中央|省委|市委|州委|县委|区委)"
    r"|认真(?:梳理)?总结(?:19|20)\d{2}\s*年"
    r"|在[^\n。；，,]{2,40}?(?:坚强|正确|有力)?领导下\s*[,，]"  # 根据…要求,X镇在区委、区政府的正确领导下,坚持…
)
_SUBJECT_BEFORE_VERB = re.compile(rf"[^\n。，,；]{{2,24}}?(?={_OPENING_VERB})")
_OPENING = re.compile(
    # (年,X坚持…: a copy that strips digits drops the year's; read as a year of no value, as ****年)
    r"(?:^|\n)\s*(?:(?:[^。\n\d]{4,60}。\s*)?[(（]?(?:" + _YEAR_WORD + r"\s*)?年(?:度)?"
    # 2018年是…之年。一年来,X   2022年,是…之年。X坚持   2021年是《纲要》的开局之年,X政府在…
    # 2020年是…收官之年,也是《纲要》收官之年。在…领导下,X…
    r"(?:以来|来|\s*[,，]?\s*是[^。]{0,60}?(?:。(?:[^。,，]{0,6}来)?|之年\s*[,，](?:\s*(?:也|更|还)?是[^。]{0,80}?(?:之年|一年)\s*[。,，])*(?:(?<=。)[^。,，\n]{1,6}来)?))?"
    r"|一年来|一年以来|近年来|今年以来|今年来|过去一年|过去的一年"
    # X坚持以习近平…思想为指导 opening a paragraph with no year before it, a lead clause allowed before X
    # (在全面建设社会主义现代化国家新征程上,X坚持以习近平…)
    # (X全面学习贯彻习近平法治思想…, X深入贯彻落实习近平…: the same opening with another verb; 根据…要求,X认真
    # 梳理总结2025年度…情况,现报告如下: a preface naming its body)
    # a paragraph opening with a lead clause (在县委、县政府的坚强领导下, 根据…要求, 为…精神,): its subject next
    r"|(?=(?:在|根据|按照|为(?!了))[^\n。；]{2,120}?(?:领导下|指导下|要求|部署|精神)\s*[,，])"
    r"|(?=(?:(?:在|按照|根据|围绕|面对|为)[^\n。；]{0,120}?[,，])?[^\n。，,；]{2,24}?"
    r"(?:" + _OPENING_VERB + r")))\s*[,，、]?\s*"
)
# clauses before the subject: 在市委、市政府的坚强领导下,  按照省、市法治建设工作部署,
_LEAD_CLAUSE = re.compile(
    r"(?:在[^。；，,]{1,40}?(?:上|中)(?=\s*[,，])"  # 在全面建设社会主义现代化国家新征程上, (first: no clause to run on)
    r"|(?:在|按照|根据|围绕|面对|紧扣|以|为(?!了))[^。；]{0,90}?(?:领导下|指导下|监督下|支持下|关心下|带领下|部署|要求|下|为指导|精神)"
    r"|得益于[^。；，,]{1,90}(?=\s*[,，])"  # 得益于县委、县政府的坚强领导和…的坚实引领, (thanks to …)
    r"|面对[^。；，,]{1,40})\s*[,，]\s*"  # 面对复杂严峻的形势,
)


def subject_of(text: str) -> str | None:
    """The subject of the report's opening sentence (what follows the year and any 在…领导下 clause).

    >>> subject_of("2022年,管城回族区法治政府建设工作在市委、市政府正确领导下")
    '管城回族区'
    """
    return _subject(text)[1] or None


def _subject(text: str) -> tuple[Name | None, str]:
    """The opening sentence's subject as a Name and the words it stands in (县委、县政府 → county '县')."""
    for m in _OPENING.finditer(text[:600]):
        shi = m.group(0).find("是")  # 2016年,是X积极融入…的一年: the year was X's, X the subject
        if shi >= 0:
            after = text[m.start() + shi + 1 : m.start() + shi + 41]
            n = read_name(after)
            if n is not None and n.issuer:
                return n, _surface(after, n)
        pos = _past_lead_clauses(text, m.end())
        n = (
            None
            if _CLAUSE_WORD.match(text, pos) or _STATEMENT_WORD.match(text, pos)
            else read_name(text[pos : pos + 40])
        )
        if not m.group(0).strip() and (n is None or not n.issuer):
            # an opening without a year whose lead clauses are not followed by a body's name: the body is the
            # words right before its verb
            verb = _SUBJECT_BEFORE_VERB.search(text, pos, pos + 200)
            if verb and not _CLAUSE_WORD.match(text, verb.start()):
                pos = verb.start()
                n = None if _STATEMENT_WORD.match(text, pos) else read_name(text[pos : pos + 40])
        if _CLAUSE_WORD.match(text, pos) or _STATEMENT_WORD.match(text, pos):
            continue  # 2025年,因云溪区交通运输执法权整体上收,我局…: a clause of cause, not the subject (现将…: the statement)
        if text.startswith("是", pos):  # (2015年,是X… with no sentence end near: the same)
            pos += 1
            n = read_name(text[pos : pos + 40])
        if n is not None:
            return n, _surface(text[pos : pos + 40], n)
    return None, ""


_CLAUSE_WORD = re.compile(r"因|由于|随着|鉴于|经过|通过|为了|就")
_STATEMENT_WORD = re.compile(r"现[将就对把]")  # the report's statement of itself (`_stated_name`)


# a further clause that shares the first one's 在 (在市委、市政府的坚强领导下,省农业农村厅的正确指导下,X…)
_NEXT_LEAD_CLAUSE = re.compile(r"[^。；，,在\n]{2,30}?(?:领导|指导|监督|支持|关心|带领)下\s*[,，]\s*")


def _past_lead_clauses(text: str, pos: int) -> int:
    """Where the subject starts after at most three lead clauses from `pos` (在市委领导下, 按照…部署, …;
    after the first, one that shares its 在: 省农业农村厅的正确指导下,)."""
    for k in range(3):
        lead = _LEAD_CLAUSE.match(text, pos) or (_NEXT_LEAD_CLAUSE.match(text, pos) if k else None)
        if not lead:
            break
        pos = lead.end()
    return pos


def _surface(s: str, n: Name) -> str:
    if n.issuer_full and s.startswith(n.issuer_full):
        return n.issuer_full
    if n.issuer and n.issuer in s[: len(n.issuer) + 12]:
        return s[: s.index(n.issuer) + len(n.issuer)]
    return n.abbreviation or (n.issuer or "")


# a line of a site's menu: a few characters, no punctuation (公开内容, 政府信息, 地方部门)
_MENU_WORDS = re.compile(rf"[{CJK}]{{1,6}}")
# an addressee line before the body: 中共嘉善县委、嘉善县人民政府:   省人民政府:
ADDRESSEE = re.compile(rf"^[{CJK}、，, ]{{2,40}}(?:委|政府|办公室|办公厅|厅|局)[:：]\s*$")


def body_name(text: str) -> tuple[Name | None, str]:
    """The reporting body named in the first sentences: (name, the words it came from).

    Addressee lines (中共X县委、X县人民政府:) are skipped; a name inside 在…领导下 is skipped.
    """
    lines = [
        ln
        for ln in text.splitlines()[:40]
        if ln.strip() and not ADDRESSEE.match(ln.strip()) and not _MENU_WORDS.fullmatch(ln.strip())
    ][:12]  # (a site's menu kept before the body, 公开内容 / 政策 / 地方部门 …, is no opening)
    joined = "\n".join(lines)
    name, subj = _subject(joined)
    if name is None or name.issuer is None or name.abbreviation:
        # (我局坚持…, 市文化旅游局在…, no subject: the report's own statement may name the body in full;
        # with no subject at all, its abbreviation gives the level: 现将省政府2024年度…报告如下)
        stated = _stated_name(joined[:1500], full=name is not None)
        if stated is not None and (name is None or stated[0].level == name.level):
            return stated
    if subj:
        return name, subj
    short = _short_subject(joined, text)
    if short is not None:
        return short
    # 我局高度重视  我街认真贯彻  全市法治政府建设工作坚持: a self-reference in the first sentence
    head = re.split(r"。", joined, maxsplit=1)[0][:200]
    for m in re.finditer(r"(?:^|[,，\s]|现[将就对把])((?:我|本)(?:省|市|州|县|区|旗|镇|乡|街道|街|局|厅|委|办))", head):
        n = read_name(m.group(1))
        if n:
            return n, m.group(1)
    return _to_state_council(text)


# a report addressed to the State Council (国务院: or 党中央、国务院: above the body) is a province's,
# a municipality's or an autonomous region's: the words it speaks of its own division with say which
_STATE_COUNCIL = re.compile(r"^\s*(?:中共中央|党中央)?[、，, ]?国务院\s*[:：]\s*$", re.M)
_PROVINCE_SELF = re.compile(
    r"(?:全|我)(省|市)|(省|市)委[、,，和]\2(?:人民)?政府|(?:全|我)(区)|自治(区)(?:党委|人民政府|政府)"
)


def _to_state_council(text: str) -> tuple[Name | None, str]:
    """(province level, the words) for a report addressed to 国务院 whose opening speaks of 全省, 省委、省政府
    (全市 of a municipality, 全区 of an autonomous region), else (None, ''): its name is then completed
    from the page's place names like any abbreviation.

    >>> _to_state_council("国务院:\\n2018年,按照党中央、国务院的部署,…为全省经济高质量发展提供保障。")[0].level
    'province'
    """
    if "国务院" not in text[:200] or not _STATE_COUNCIL.search(text[:200]):
        return None, ""
    body = _STATE_COUNCIL.sub("", text[:200], count=1) + text[200:1000]
    m = _PROVINCE_SELF.search(body)
    if not m:
        return None, ""
    word = "全" + next(g for g in m.groups() if g)
    return Name(None, None, "province", word), m.group(0)


# a county or city written short as the opening's subject (2023年,邹城坚持…), completed only by the page's
# own full name for it (《中共邹城市委…》, 在邹城市举办): the short form alone could be anything
_SHORT_SUBJECT = re.compile(rf"[{CJK}]{{2,3}}?(?={_PREDICATE.pattern})")


def _short_subject(joined: str, text: str) -> tuple[Name, str] | None:
    """(name, words) of a body the opening names short, when the page writes one county-level or city
    name that opens with those words, or None.

    >>> _short_subject("2023年,邹城坚持依法行政。", "…印发《中共邹城市委全面依法治市委员会…》")[0].issuer_full
    '邹城市'
    """
    for m in _OPENING.finditer(joined[:600]):
        short = _SHORT_SUBJECT.match(joined, _past_lead_clauses(joined, m.end()))
        if not short:
            continue
        words = short.group(0)
        full = {
            f.group(0) for f in re.finditer(rf"{re.escape(words)}(?:市|县|区|旗)(?![{CJK}]?(?:路|街|镇|乡|村))", text)
        }
        from .places import division_table, table_years

        known = division_table(table_years()[1]).full
        names = [n for n in map(read_name, sorted(full)) if n is not None and n.level in ("county", "city")]
        names = [n for n in names if n.issuer and n.issuer in known]
        if len(names) == 1:
            return names[0], words
        return None
    return None


# the body named in the report's statement of itself: 现将2023年度枣庄市教育局法治政府建设工作情况报告如下
# 现将江门市农业农村局2024年法治政府建设情况报告如下  现将《X局2025年度法治政府建设情况报告》予以公布
_STATED_NAME = re.compile(
    r"现[将就对把]\s*《?(?:关于)?(?:(?:19|20)\d{2}\s*年度?)?(?P<name>[^。，,；：:《》\s\d]{2,30}?)"
    r"(?:关于)?(?:(?:19|20)\d{2}\s*年度?)?(?:推进|开展|全面)?(?:法治|依法行政|法制)"
)


def _stated_name(text: str, full: bool = True) -> tuple[Name, str] | None:
    """(name, words) of the body the report's own statement names in full (现将X局2024年法治…报告如下), or
    None; with `full` False, an abbreviation too (现将省政府2024年度…: level province, its name to complete).

    >>> _stated_name("根据《…通知》,现将2023年度枣庄市教育局法治政府建设工作情况报告如下。")[0].issuer_full
    '枣庄市教育局'
    """
    if "现" not in text:
        return None
    for m in _STATED_NAME.finditer(text):
        words = m.group("name")
        n = _named_in_full(words) or (None if full or not _STATED_ABBREVIATION.fullmatch(words) else read_name(words))
        if n is not None:
            return n, words
    return None


# 省政府, 县人民政府, 市生态环境局: an abbreviation the statement may name its body by
_STATED_ABBREVIATION = re.compile(rf"[省市州盟县区旗](?:(?:人民)?政府|[{CJK}]{{1,12}}(?:局|厅|委))")


def _named_in_full(words: str) -> Name | None:
    """The body `words` name when they are its name and nothing more (a government's 人民政府 allowed)."""
    n = read_name(words)
    if n is None or n.issuer is None:
        return None
    return (
        n if re.sub(r"(?:人民政府|政府|办事处)$", "", words) in (n.issuer, n.issuer_full, _surface(words, n)) else None
    )


# a part heading that names the body: 一、2017年上海市法治政府建设的主要工作和成效 (an excerpt that starts at part one)
_HEADING_NAME = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．]|第一部分)\s*(?:(?:19|20)\d{2}\s*年度?)?"
    rf"(?P<name>[{CJK}]{{2,30}}?)(?:(?:19|20)\d{{2}}\s*年度?)?(?:法治政府|依法行政|法治建设)"
)


def heading_name(text: str) -> tuple[Name, str] | None:
    """(name, words) of a body named in full by one of the first part headings, or None.

    >>> heading_name("一、2017年上海市法治政府建设的主要工作和成效\\n(一)加强领导")[0].issuer
    '上海市'
    """
    for line in text.splitlines()[:8]:
        m = _HEADING_NAME.match(line)
        if not m:
            continue
        n = _named_in_full(m.group("name"))
        if n is not None and n.title is not None:
            return n, m.group("name")
    return None


# the division a report speaks for when it names nobody (an excerpt that starts at part one): 我市, 本县, 我区;
# a department's own words (我局, 局党组) mean a department, whose name these do not give
_SPOKEN_FOR = re.compile(r"(?:我|本)(省|市|州|盟|县|区|旗|镇|乡|街道|街)(?![委政长级直属])")
_DEPARTMENT_SELF = re.compile(
    r"(?:我|本)(?:局|委|办|厅|中心|单位|部门)|[局厅委]党(?:组|委)"
    r"|全局(?=干部|职工|执法|上下|实现|通过|共|党员)"  # 全局执法人员持证…: the whole bureau (not 服务全局)
)
# the words only a department uses for itself (本单位, 本部门: any body's)
_HALL_SELF = re.compile(r"(?:我|本)(局|厅|委|办)(?![镇乡区县市村])|(局|厅|委)党组|全(局)(?=干部|职工|执法|上下|党员)")
# a town's or subdistrict's words for itself: 全镇, 全乡 (not 全乡镇), 全街, 镇党委、政府, 街道党工委 (not
# 乡镇党委, 各镇党委, 乡镇党委、街道党工委: a county's words for its towns)
_TOWN_SELF = re.compile(
    r"(?<![健完安齐保周成两])全(街道|街|镇|乡)(?![镇区巷头委政长级直属])"  # (健全镇(街道)…机制: 健全, a verb)
    r"|(?<![乡各])(镇|乡)党委(?!员)"
    r"|(?<![各、和及与])(街道)党工委"
    # 街道 alone as a sentence's or clause's subject (2021年来,街道按照…, 街道建立…): the subdistrict's own
    rf"|(?:^|(?<=[。；;,，\n])|(?<=[一二三四五六七八九十]是))(街道)(?=(?:{_PREDICATE.pattern})|按照|建立|制定|组织|开展|印发)"
)


def spoken_for(text: str) -> tuple[Name, str] | None:
    """(level, the words) of the body the first paragraphs speak for, when the report names no body at all:

    - a department's own words for itself (我局, 局党组, 全局干部) and no town's: a department;
    - else 我X/本X, and a town's or subdistrict's words for itself (全镇, 乡党委, 全街, 街道党工委): the lowest
      such division, since a report speaks of higher ones as 全省 or 省委, never as 我省 (我市 in a city's,
      我区 in an autonomous region's or a district's: the page's places decide, as for any abbreviation);
      a township and a subdistrict both spoken for: None.

    A department's name is completed as any abbreviation's (`complete_name`: from its own documents), a
    division's from the page's places; a town's or subdistrict's is not (the level only); the level stays
    when the name is not found.

    >>> spoken_for("一、主要做法\\n各级党委将法治建设纳入我市年度计划,全区推进,我市成效明显。")[0].level
    'city'
    >>> spoken_for("一、工作开展情况\\n乡党委坚持将学习列入计划,组织全乡干部职工学习。")[0].level
    'township'
    >>> spoken_for("(一)加强组织领导。我局高度重视法治建设,为推动全区工作创造环境。")[0].level
    'department'
    """
    head = text[:1500]
    hall = _HALL_SELF.search(head)
    said: dict[str, str] = {}  # word (市, 镇, 街 …) → the first words that say it
    for m in sorted([*_SPOKEN_FOR.finditer(head), *_TOWN_SELF.finditer(head)], key=lambda m: m.start()):
        said.setdefault(next(g for g in m.groups() if g), m.group(0))
    words = set(said)
    if hall is not None:
        if any(w in ("镇", "乡", "街道", "街") for w in words):
            return None  # a town's words and a bureau's: unsure whose report
        word = next(g for g in hall.groups() if g)
        return Name(None, None, "department", "我" + word), hall.group(0)
    if _DEPARTMENT_SELF.search(head) or not words:
        return None  # (本单位, 本部门: any body's words)
    depth = {w: _PREFIX_DEPTH.get(w, 4) for w in words}  # (a town or subdistrict below every county)
    lowest = max(words, key=depth.__getitem__)
    if depth[lowest] == 4:
        levels = {"subdistrict" if w.startswith("街") else "township" for w in words if depth[w] == 4}
        if len(levels) != 1:
            return None
        spoken = next(v for w, v in said.items() if depth[w] == 4)  # (`said` is in text order: the first)
        # the level only: on a page that names no body, the phrases before 党委 or a verb that
        # `_local_name` would take for the town's name are too often not one (一是抓住街道, 组织全乡)
        return Name(None, None, next(iter(levels)), None), spoken
    spoken = said[lowest]
    n = read_name("我" + lowest)
    return (n, spoken) if n is not None else None


# ---------------------------------------------------------------- years stated in the body
_YEAR = r"(20[1-4]\d)"
_STATED = [
    # 现将…2022年…情况报告如下  予以公开  现报告如下  现就我镇2022年度…  现对2023年所做工作总结如下
    re.compile(
        rf"现[将就对把][^。]{{0,40}}?(?<![\d—\-–~至到])(?:{_YEAR})\s*年度?(?![\d—\-–~至到])[^。]{{0,40}}?(?:报告|汇报|公开|公布|总结)"
    ),
    # 认真总结我局2024年法治政府建设工作开展情况,现将相关情况报告如下
    re.compile(
        rf"(?<![\d—\-–~至到])(?:{_YEAR})\s*年度?[^。；《》]{{0,40}}?(?:情况|工作)[,，]\s*现(?:将[^。]{{0,30}}?)?(?:报告|汇报)如下"
    ),
    # 2022年,X坚持…   2024年以来,  2018年是…  (the opening of the first paragraph, a motto before it allowed:
    # 法治是安邦治国的基石,更是…的保证。2022年,在市委…领导下,全县…)
    re.compile(rf"^[\s(（]*(?:[^。\n\d]{{4,60}}。\s*)?{_YEAR}\s*年(?:度)?(?:以来|来|是|,|，|、|\s)", re.M),
]


def stated_year(text: str) -> tuple[int | None, str]:
    """The report year the body states, and how ('statement', 'opening'); never from a year range
    (纲要(2021—2025年)), a plan or a cited document.

    >>> stated_year("根据《纲要(2021—2025年)》要求,现将我局2022年度法治政府建设情况报告如下")
    (2022, 'statement')
    """
    head = text[:1500]
    m = _STATED[0].search(head)
    if m:
        return int(m.group(1)), "statement"
    lines = [ln for ln in head.splitlines()[:8] if not ADDRESSEE.match(ln.strip())]
    m = _STATED[1].search(head) if "现" in head else None  # (it holds 现: a literal first is far faster)
    if m:
        return int(m.group(1)), "statement"
    m = _STATED[2].search("\n".join(lines))
    if m:
        return int(m.group(1)), "opening"
    return None, ""


# ---------------------------------------------------------------- abbreviations completed from the page
_ABBR_DEPTH = {"province": 1, "city": 2, "county": 3}
_PREFIX_DEPTH = {"省": 1, "自治区": 1, "市": 2, "州": 2, "盟": 2, "县": 3, "区": 3, "旗": 3}


def complete_name(name: Name, page_text: str, year: int | None) -> Name | None:
    """An abbreviation's full name when the page's place names point to exactly one division of its
    kind (市司法局 + 沈阳市 named on the page → 沈阳市司法局); None when they do not (never a guess).

    A 市 can be a prefecture-level or a county-level city; 区 a district or (我区 in an autonomous
    region's report) the region itself: the names on the page decide, and a conflict leaves it None.
    """
    from .places import division_table, find_chains, simplified, table_years

    if not name.abbreviation:
        return None
    word = name.abbreviation.lstrip("我本全")
    if name.level in ("township", "subdistrict"):
        return _local_name(name, page_text)
    if name.level == "department" and word in _DEPT_WORDS:  # 我局, 本委: from the page's own documents
        return _own_department(word, page_text)
    if name.level == "department":
        depth = _PREFIX_DEPTH.get(word)
    else:
        depth = _ABBR_DEPTH.get(name.level)
    if depth is None:
        return None
    first, last = table_years()
    table = division_table(min(max(year or last, first), last))
    counts: dict[str, int] = {}
    divs: dict[str, object] = {}
    cited: dict[str, str] = {}
    simple = simplified(page_text)
    for chain in find_chains(simple, table):
        for mention in chain:
            if mention.short:
                continue
            for d in mention.divisions:
                if d.depth == depth and (
                    word not in ("市", "县", "区", "旗", "州", "盟", "省", "自治区")
                    or d.name.endswith(word)
                    or (word == "区" and d.name.endswith("自治区"))
                ):
                    counts[d.name] = counts.get(d.name, 0) + 1
                    divs[d.name] = d
                    # as the page writes it (长阳县 for 长阳土家族自治县); a short name (法治宁波) by its full name
                    cited.setdefault(d.name, mention.name if mention.name in table.full else d.name)
    if word == "区" and not counts:
        # 全区/我区 in an autonomous region's report is the region (GLOSSARY: 区)
        regions = {
            d.name
            for d in table.by_code.values()
            if d.depth == 1 and d.name.endswith("自治区") and (d.name in simple or d.province_short in simple)
        }
        if len(regions) == 1:
            n = read_name(next(iter(regions)) + (name.issuer or ""))
            return n if n is not None and n.title is not None else None
    if not counts and depth == 3 and word in ("县", "区", "市", "旗"):
        # 法治武义建设: a county's rule-of-law campaign under its short name, when the table knows one such
        # county (the short form of a county is not a place name elsewhere: too many words are one)
        for m in re.finditer(rf"法治([{CJK}]{{2,3}}?)(?:建设|[”、，,。])", simple):
            # (法治盂县建设, 法治武义县建设: a campaign may cite the county with its 县)
            stem = m.group(1)
            county = stem if stem.endswith(word) else stem + word
            found = [d for d in table.full.get(county, ()) if d.depth == 3]
            if len(found) == 1:
                counts[found[0].name] = counts.get(found[0].name, 0) + 1
                divs[found[0].name] = found[0]
                cited.setdefault(found[0].name, found[0].name)
    if not counts and name.level != "department" and word in ("县", "区", "市", "旗"):
        # a body the division table does not know (a new area: 我区 + 《赣州蓉江新区2021年法治政府建设工作要点》):
        # the one body of its kind whose own rule-of-law plan or report the page cites by name
        own = {m.group("name") for m in _OWN_PLAN.finditer(simple) if m.group("name").endswith(word)}
        plans = [
            n for n in map(read_name, sorted(own)) if n is not None and n.title is not None and n.level == name.level
        ]
        return plans[0] if len(plans) == 1 else None
    if not counts:
        return None
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if len(ranked) > 1 and ranked[0][1] < 2 * ranked[1][1]:
        return None  # two divisions of the kind named about as often: no way to know
    place = cited[ranked[0][0]]
    full = place + (name.issuer or "") if name.level == "department" else place
    n = read_name(full)
    if n is None or n.title is None:
        return None
    return n


# a division's own rule-of-law plan or report cited by name: 《赣州蓉江新区2021年法治政府建设工作要点》
_OWN_PLAN = re.compile(
    rf"《(?:中共)?(?P<name>[{CJK}]{{2,12}}?)(?:人民政府)?(?:关于)?(?:(?:19|20)\d{{2}}\s*年度?)?(?:法治政府建设|依法行政)"
)


# a document titled with its author's name: 《龙岩市永定区卫生健康局关于…》; the leadership a body thanks,
# which says its level: 在区委、区政府的坚强领导下 (a district's department)
_DOCUMENT = re.compile(rf"《(?P<name>[{CJK}]{{2,24}}?(?:局|厅|委员会|委|办公室|办))")
_LEADERS = re.compile(r"在(?:中共)?([省市州盟县区旗])委[、,，和及]\1(?:人民)?政府")
_OWN_LEVEL = re.compile(
    r"我([省市州盟县区旗])(?![委政长])|([省市州盟县区旗])委[、,，和及]?\2(?:人民)?政府|[省市]、(?:[市州]、)?([市州县区旗])(?:委|政府|关于|有关|的)"
)
_LEADER_DEPTH = {"省": 1, "市": 2, "州": 2, "盟": 2, "县": 3, "区": 3, "旗": 3}


def _own_department(word: str, page_text: str) -> Name | None:
    """我局/本局 completed from the documents the page titles with a department's full name (《X市Y区Z局
    关于…》), when one name dominates and its place is at the level of the leadership the report thanks
    (在区委、区政府的领导下: a district's; a city bureau's document cited by a district bureau is not its
    own), or the level it answers to. With no level to check at all, only a department that is the one of
    its kind the page titles in full; with a level and no full name, the one department at that level the
    page titles by an abbreviation (《市生态环境局…》), completed from the page's places. Else None.

    >>> _own_department("局", "在区委、区政府的领导下,我局坚持依法行政。印发《宁波市鄞州区卫生健康局关于…的通知》。").issuer_full
    '宁波市鄞州区卫生健康局'
    """
    head = page_text[:3000]
    leaders = {_LEADER_DEPTH[m.group(1)] for m in _LEADERS.finditer(head)}
    if not leaders:
        # no leadership thanked: the lowest level the report speaks for or answers to (江门市和我区有关工作部署,
        # 贯彻落实省、市、区关于…部署, 区委、区政府决策部署): a body never answers to a lower one
        levels = {_LEADER_DEPTH[m.group(m.lastindex)] for m in _OWN_LEVEL.finditer(head)}
        leaders = {max(levels)} if levels else set()
    if len(leaders) > 1:
        return None
    # no level to check at all (…的工作部署,我局高度重视; 现将我局…如下): only one department of its kind
    # titled with a full name on the whole page, taken as its own (印发《X市医疗保障局关于…》)
    depth = leaders.pop() if leaders else None
    counts: dict[str, int] = {}
    names: dict[str, Name] = {}
    short: dict[str, Name] = {}  # 《市生态环境局2023年度…目录》: its own documents titled by an abbreviation
    for m in _DOCUMENT.finditer(page_text):
        n = read_name(m.group("name"))
        t = n.title if n is not None else None
        if n is None or n.level != "department" or not (n.issuer or "").endswith(word):
            continue
        if t is None:
            if depth is not None and _LEADER_DEPTH.get(n.abbreviation or "") == depth:
                short[n.issuer_full] = n
            continue
        place_depth = 3 if t.county else 2 if t.prefecture else 1 if t.province else 0
        # (市委、市政府 of 北京, 天津, 上海, 重庆: a municipality's, at the provinces' level)
        if (
            depth is None
            or place_depth == depth
            or (depth == 2 and place_depth == 1 and (t.province or "").endswith("市"))
        ):
            counts[n.issuer_full] = counts.get(n.issuer_full, 0) + 1
            names[n.issuer_full] = n
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if not ranked and len(short) == 1:
        # (在市委、市政府…, 我局 + 《市生态环境局…》: the city's bureau of that name, its city from the page's
        # places as for any abbreviation)
        return complete_name(next(iter(short.values())), page_text, None)
    if not ranked or (len(ranked) > 1 and (depth is None or ranked[0][1] < 2 * ranked[1][1])):
        return None
    return names[ranked[0][0]]


_LOCAL = re.compile(
    rf"《(?P<name>[{CJK}]{{2,4}}?(?:街道|街(?!道)|镇|乡))"
    rf"|(?:^|[\s,，。、])(?P<name2>[{CJK}]{{2,4}}?(?:街道|街(?!道)|镇|乡))(?=办事处|人民政府|党工委|党委|委(?!托|派|屈))"
)
# a preposition before the town's own body (定期向镇党委汇报, 对镇政府…): a phrase, not a town called 定期向镇
_TO_THE_TOWN = re.compile(r"[向对在由经给跟同把被将为到至从往赴](?:街道|街|镇|乡)$")
# a town or subdistrict as the subject of a sentence or paragraph (东里镇深入贯彻…, 2022年增福镇组织开展…):
# read only when the page names none of its own documents or bodies
_LOCAL_SUBJECT = re.compile(
    rf"(?:^|[。！？；\n])[ \t　]*(?:(?:19|20)\d{{2}}\s*年(?:度|以来)?+[,，]?\s*)?"  # (度 never in a name: 2023年度乡镇…)
    rf"(?P<name>[{CJK}]{{2,4}}?(?:街道|镇|乡))(?=(?:{_PREDICATE.pattern})|组织|开展|印发|出台|制定)",
    re.M,
)


def _local_name(name: Name, page_text: str) -> Name | None:
    """我街/我镇/全镇 completed from the township or subdistrict names the page gives to its own
    documents and bodies (制定《X街2020年…》, X镇人民政府, X镇委党校), when one name dominates; failing those,
    from the names it puts in subject position at the start of a sentence (东里镇深入贯彻…). The titles
    of its documents are read first: a name before 党工委/办事处 may be a phrase (二是街道党工委, 及时召开街道党工委会议),
    a document title opens with its author's name.

    >>> _local_name(read_name("我街认真贯彻"), "一是…。二是街道党工委带头,制定《珠吉街2022年学习计划》。").issuer
    '珠吉街'
    >>> _local_name(read_name("我镇坚持"), "我镇坚持依法行政。\\n东里镇深入贯彻落实…").issuer
    '东里镇'
    """
    want = ("街道", "街") if name.level == "subdistrict" else ("镇", "乡")
    titled: dict[str, int] = {}
    counts: dict[str, int] = {}
    for m in _LOCAL.finditer(page_text):
        n = m.group("name") or m.group("name2")
        if n.endswith(want) and not _PREDICATE.search(n) and not _TO_THE_TOWN.search(n):
            into = titled if m.group("name") else counts
            into[n] = into.get(n, 0) + 1
    counts = titled or counts
    if not counts:
        for m in _LOCAL_SUBJECT.finditer(page_text):
            n = m.group("name")
            suffix = next((w for w in want if n.endswith(w)), "")
            # (a name of two characters or more before 镇: 特色小镇, 城乡 and 各镇 are words)
            if (
                suffix
                and len(n) - len(suffix) >= 2
                and not re.match(r"[各全我本该每]", n)
                and "乡镇" not in n  # (乡镇: townships in general)
                and not _PREDICATE.search(n)
            ):
                counts[n] = counts.get(n, 0) + 1
    if not counts:
        return None
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if len(ranked) > 1 and ranked[0][1] < 2 * ranked[1][1]:
        return None
    n = read_name(ranked[0][0])
    return n if n is not None and n.title is not None and n.level == name.level else None
