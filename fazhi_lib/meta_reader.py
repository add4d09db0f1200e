"""A real page's report metadata, in the genre's order of trust: `read_metadata`.

Title (however split, wherever it sits), page metadata naming a government body, the signature,
then the body's first sentences (`issuer.py` holds the rules for each); report year from the title,
the report's own statements, then part headings; the page's labelled publication date. Each field
taken from weak evidence leaves a warning, so a researcher can filter on it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from . import issuer as iss
from .issuer import reading_form, title_name
from .metadata import first_year, parse_date

_PUB_LABEL = re.compile(
    r"(?<!成文)(?<!印发)(?<!成)(?:发布时间|发布日期|发文日期|公开日期|公布日期|公布时间|生成日期|更新时间|发表时间|发表日期|上传时间|录入时间|日期|时间"
    r"|发布于|发表于|(?:发布|发表)(?=\s*[:：])"
    # a research database's English record of a report: Published / 2025-03-27
    r"|(?<![A-Za-z])(?:Published(?: on)?|Publication date|Date published|Release date|Date of publication)(?![A-Za-z]))"
    r"\s*[:：]?\s*(?:\]\s*)?(?:[(（]\s*)?"  # 发布日期(2024-03-08): the date in brackets after its label
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
    >>> labelled_date("发布于 2024-03-05 10:21"), labelled_date("发布:2024-03-05"), labelled_date("发布2024年工作要点")
    ('2024-03-05', '2024-03-05', None)
    >>> labelled_date("English title\\nPublished\\n2025-03-27\\nType"), labelled_date("Publication date: 2025-03-27")
    ('2025-03-27', '2025-03-27')
    >>> labelled_date("发布日期(2024-03-08)"), labelled_date("发布日期（2024年3月8日）")
    ('2024-03-08', '2024-03-08')
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
_PUBLISHING_OFFICE = re.compile(
    r"办公室|办公厅|政府办|综合|政务公开|网站|门户|融媒体|新闻|网$|宣传|信息中心|科$|股$|处$"
)


def _header_lines(raw: str, limit: int = 4000) -> list[str]:

    return reading_form(raw[:limit]).splitlines()


def read_metadata(raw: str, page, rules: dict, *, year_from_sections=None) -> Metadata:
    """Title, issuer, level, year and dates of one page, each with its source and a warning when weak.

    `raw` is the decoded page, `page` its `clean.CleanPage`, `rules` the cruft rules (metadata labels);
    `year_from_sections(year)` may give (year, source) from part headings when nothing else does.
    """

    labels = rules["metadata_labels"]
    warnings: list[str] = []
    notes: list[str] = []
    lines = _header_lines(raw)
    body = iss.reading_form(page.text[:3000])

    # ---- title: the cleaner's title if it names a report and is no breadcrumb, else one found anywhere;
    # either one without the page's cruft around it (tidy_title: tags, document numbers, dates, file names)
    found = iss.find_title(lines)
    title = page.title
    if title and iss._BREADCRUMB.search(title):
        title = None
    if title:
        title = iss.tidy_title(iss.rejoined_title(iss.reading_form(title))) or None
    printed = title  # the cleaner's title line (its year is read when the title taken has none)
    if found and (not title or (found.issuer_part and not _issuer_in(title))):
        title = found.title
    if not title:
        warnings.append("no title found on the page")

    # ---- issuer and level, in order of trust: title, page metadata, first sentences
    name, source, evidence = None, "", ""
    if title:
        n = iss.title_name(title)
        if n is None:  # the issuer printed after the title: …报告——X县司法局, …报告（X县司法局）, a byline below it
            n = iss.name_after_title(title, lines)
        if n:
            name, source, evidence = n, "title", title
            # (a brand glued in front of the body's name, which the page writes alone elsewhere)
            name = iss.glued_tail(n, lines) or name
    publisher = _first_meta(page.meta, labels["publisher"])
    if name is None or name.issuer is None:
        for label_group in ("publisher", "source"):
            value = _first_meta(page.meta, labels.get(label_group, []))
            if not value:
                continue
            value = iss.reading_form(value)
            n = iss.read_name(value)
            if (
                n
                and n.issuer
                and n.title is not None
                and not _PUBLISHING_OFFICE.search(value)
                and (n.level != "department" or n.title.province or n.title.prefecture or n.title.county)
            ):
                if name is None or _agrees(name, n):
                    name, source, evidence = n, "publisher", value
                    spoken = _government_it_publishes_for(n, body)
                    if spoken is not None:  # 来源: X县司法局 over 2023年,X县坚持…: the county's report
                        name, source, evidence = spoken[0], "body", spoken[1]
                    break
    if name is None or name.issuer is None:
        n, words = iss.body_name(body)
        if n and (name is None or _agrees(name, n) or n.issuer):
            if name is None or (n.issuer and _agrees(name, n)) or name.issuer is None and n.issuer:
                name, source, evidence = n, "body", words
    if name is None:  # an excerpt that starts at part one: 一、2017年上海市法治政府建设的主要工作和成效
        named = iss.heading_name(body) or iss.spoken_for(body)
        if named is not None:
            name, source, evidence = named[0], "body", named[1]
    issuer = issuer_full = province = prefecture = county = None
    level = "unknown"
    if name is not None:
        level = name.level
        if name.title is not None:
            t = name.title
            issuer, issuer_full, province, prefecture, county = (
                t.issuer,
                t.issuer_full,
                t.province,
                t.prefecture,
                t.county,
            )
        else:
            issuer, issuer_full = name.issuer, name.issuer_full
    year, year_source = None, ""

    # ---- report year: title, the body's own statements, part headings
    if title:
        # (【2023年度】X县…报告: the title found is read after the tag, the printed line holds its year)
        year = first_year(_without_ranges(title)) or (first_year(_without_ranges(printed)) if printed else None)
        if year is None and (bracketed := _BRACKETED_YEAR.search(title)):  # 法治政府建设年度报告（2023）
            year = int(bracketed.group(1))
        year_source = "title" if year else ""
    stated, how = iss.stated_year(body)
    if year is None and stated:
        year, year_source = stated, how
        warnings.append(
            f"report year {year} taken from the {'opening sentence' if how == 'opening' else 'body statement'} (no year in a title)"
        )
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
            warnings.append(
                f"issuer '{issuer_full}' completed from the place names on the page ('{evidence[:20]}' in the {_SOURCE_WORD[source]})"
            )
        elif issuer:
            warnings.append(
                f"issuer only partly named ('{evidence[:20]}' in the {_SOURCE_WORD[source]}): its place is not on the page"
            )
        else:
            warnings.append(f"issuer not named: the {_SOURCE_WORD[source]} says '{evidence[:20]}' (level {level} kept)")
    elif source == "body":
        warnings.append(f"issuer '{issuer}' taken from the body text (no title or publisher names it)")
    elif source == "publisher":
        warnings.append(f"issuer '{issuer_full}' taken from the page metadata (no title names it)")
    if name is None:
        warnings.append("no issuer found")

    # ---- dates: the publication label in any form; 成文日期 stays written_date
    # (a value in its reading form: 2023－02－16 with full-width dashes as 2023-02-16)
    publish = parse_date(
        iss.reading_form(_first_meta(page.meta, rules.get("publish_date_priority") or labels["publish_date"]))
    )
    if publish is None:
        header = "\n".join(ln for ln in lines[:40] if len(ln) <= 160)
        publish = labelled_date(header)
    if publish and year and publish < f"{year}-12-31" and publish[:4] <= str(year):
        if publish < f"{year}-01-01":
            warnings.append(f"publish date {publish} is before the report year {year} began: not kept")
            publish = None
        else:
            warnings.append(f"publish date {publish} is before the report year {year} ended")
    written = parse_date(iss.reading_form(_first_meta(page.meta, labels["written_date"])))
    if written is None:  # - [ 成文日期 ] 2026-02-12
        m = re.search(r"成文(?:日期|时间)\s*[\]】]?\s*[:：]?\s*", "\n".join(lines[:40]))
        d = _ANY_DATE.match("\n".join(lines[:40]), m.end()) if m else None
        written = _iso(d) if d else None
    return Metadata(
        title,
        issuer,
        issuer_full,
        source,
        level,
        province,
        prefecture,
        county,
        year,
        year_source,
        publish,
        written,
        _first_meta(page.meta, labels["index_no"]),
        publisher,
        warnings,
        notes,
    )


_SOURCE_WORD = {"title": "title", "publisher": "page metadata", "body": "first sentence"}
# a year in brackets without 年 at the end of a title: 某县法治政府建设年度报告（2023）
_BRACKETED_YEAR = re.compile(r"[(（【\[]\s*(20[1-4]\d)\s*[)）】\]]\s*$")
_RANGE = re.compile(r"(?:19|20)\d{2}\s*[-—–~至到]+\s*(?:19|20)\d{2}\s*年?")


def _without_ranges(text: str) -> str:
    return _RANGE.sub("", text)


def _issuer_in(title: str) -> bool:

    return title_name(title) is not None


_GOVERNMENT_LEVELS = {"county": "county", "city": "prefecture", "province": "province"}


def _government_it_publishes_for(publisher, body: str):
    """(the government, its words) when a department named as the page's publisher or source (X县司法局)
    publishes its government's report: the opening speaks as that government — named (2023年,X县坚持…)
    or abbreviated at the department's level (我县, 全区各级行政机关) — in the department's place; else
    None (我局坚持…, an opening that names another place or none: the department's own report).

    >>> pub = iss.read_name("叶城县司法局")
    >>> _government_it_publishes_for(pub, "2023年,在地委、行署的坚强领导下,叶城县坚持依法行政。")[0].issuer
    '叶城县'
    >>> _government_it_publishes_for(pub, "2023年,我县坚持依法行政。")[0].issuer
    '叶城县'
    >>> _government_it_publishes_for(pub, "2023年,我局坚持依法行政。") is None
    True
    """
    t = publisher.title
    if publisher.level != "department" or t is None:
        return None
    spoken, words = iss.body_name(body)
    field = _GOVERNMENT_LEVELS.get(spoken.level) if spoken is not None else None
    place = getattr(t, field) if field else None
    if not place:
        return None
    if spoken.title is not None:  # named: the department's own division
        return (spoken, words) if getattr(spoken.title, field) == place and spoken.issuer in place else None
    deepest = t.county or t.prefecture or t.province  # abbreviated: at the department's own level
    if place != deepest:
        return None
    n = iss.read_name(place)
    return (n, words) if n is not None and n.level == spoken.level else None


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
