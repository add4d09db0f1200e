"""One report page's text → clean text, report metadata and sections: the rows of the core tables
for one report, before any build stage runs (`pipeline.worker.parse_text` adds the stages).

>>> page = parse_page("塘栖镇2024年法治政府建设年度报告\\n一、主要成效\\n全年召开会议3次。\\n二、存在的不足\\n一是队伍力量薄弱。")
>>> page.document.report["issuer"], page.document.report["report_year"], page.document.report["part_kinds"]
('塘栖镇', 2024, 'achievements,problems')
>>> [row["kind"] for row in page.tables["parts"]]
['achievements', 'problems']
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass

from .clean import clean_page, lost_indents, reflow_long_lines
from .meta_reader import read_metadata
from .metadata import DATE_RE, first_year
from .rules import load_rules
from .sections import PART_KINDS, parts_of, problem_items, segment

# the parts an annual report must have (the `other` kind is not one of them)
MANDATED_PARTS = ("achievements", "problems", "duty", "plan")


@dataclass
class Document:
    """One parsed report, as handed to the per-report stages in `stages.REPORT_STAGES`."""

    report_id: str
    report: dict
    text: str
    sections: list[dict]
    parts: list[dict]
    problem_items: list[dict]
    header_text: str = ""  # lines dropped before the body (breadcrumbs, metadata): evidence for stages


@dataclass
class ParsedPage:
    """What `parse_page` gives: the report for the stages, the rows of its tables, and the messages
    for the parse log (`warnings` make the report's status 'warning'; `notes` only inform)."""

    document: Document
    tables: dict[str, list[dict]]  # texts, sections, parts, problem_items, page_meta
    warnings: list[str]
    notes: list[str]


def parse_page(
    text: str, *, source_file: str = "", sha256: str = "", fmt: str = "txt", encoding: str = ""
) -> ParsedPage:
    """One decoded report page → clean text, metadata and sections, as rows of the core tables (no
    stage runs here: see `pipeline.worker.parse_text`). Never raises on odd content: problems become
    messages."""
    report_id = (sha256 or hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())[:12]
    warnings: list[str] = []
    notes: list[str] = []
    cruft_rules = load_rules("cruft")
    text, n_breaks = reflow_long_lines(text)  # a page that lost its line breaks (same length: offsets stay)
    if n_breaks:
        notes.append(f"a page of very long lines: read with {n_breaks} line breaks restored where white space stood")
    text, n_indents = lost_indents(text)  # ?? for a lost 　　 at a paragraph's start (same length)
    if n_indents:
        notes.append(f"{n_indents} paragraph indents printed as question marks (an encoding without 　) read as spaces")
    page = clean_page(text, rules=cruft_rules)
    notes.extend(m for m in page.messages if m.startswith("report printed twice"))
    warnings.extend(m for m in page.messages if not m.startswith("report printed twice"))

    # title, issuer, level, years and dates: meta_reader.read_metadata (order of trust and warnings there)
    md = read_metadata(
        text, page, cruft_rules, year_from_sections=lambda: _year_from_body(page.text, segment(page.text).sections)
    )
    warnings.extend(md.warnings)
    title, issuer, issuer_full, issuer_source, level = md.title, md.issuer, md.issuer_full, md.issuer_source, md.level
    province, prefecture, county = md.province, md.prefecture, md.county
    report_year, year_source, publisher = md.report_year, md.report_year_source, md.publisher
    seg = segment(page.text, report_year=report_year)
    secs = seg.sections
    warnings.extend(seg.messages)  # heading gaps, unnamed part headings: in reports.warnings too

    # parts, problem items
    parts = parts_of(page.text, secs)
    kinds_in_order = [p.kind for p in parts if p.kind in PART_KINDS]
    missing = [k for k in PART_KINDS if k not in kinds_in_order]
    items_rows: list[dict] = []
    intros: dict[int, str] = {}  # problems part → its intro (the text before its first point)
    for part in parts:
        if part.kind != "problems":
            continue
        intro, items = problem_items(page.text, secs, part)
        intros[id(part)] = intro
        for it in items:
            ra, rb = page.raw_span(it.start, it.end)
            items_rows.append(
                {
                    "report_id": report_id,
                    "item_order": len(items_rows) + 1,
                    "item_no": it.item_no,
                    "marker": it.marker,
                    "heading": it.heading,
                    "text": page.text[it.start : it.end],
                    "start": it.start,
                    "end": it.end,
                    "raw_start": ra,
                    "raw_end": rb,
                }
            )
    if "problems" not in kinds_in_order:
        warnings.append("no problems part found")
    elif not items_rows:
        warnings.append("the problems part has no points")
    if not page.text.strip():
        warnings.append("no report text left after removing page cruft")

    section_rows = []
    for s in secs:
        ra, rb = page.raw_span(s.start, s.end)
        section_rows.append(
            {
                "report_id": report_id,
                "order": s.order,
                "depth": s.depth,
                "number": s.number,
                "marker": s.marker,
                "heading": s.heading,
                "kind": s.kind,
                "part_order": s.part_order,
                "start": s.start,
                "end": s.end,
                "raw_start": ra,
                "raw_end": rb,
                "text": page.text[s.start : s.end],
            }
        )
    part_rows = []
    for p in parts:
        ra, rb = page.raw_span(p.start, p.end)
        intro = intros.get(id(p), p.intro)  # a problems part's intro from problem_items, found above
        part_rows.append(
            {
                "report_id": report_id,
                "part_order": p.part_order,
                "kind": p.kind,
                "heading": p.heading,
                "marker": p.marker,
                "intro": intro,
                "start": p.start,
                "end": p.end,
                "raw_start": ra,
                "raw_end": rb,
                "text": page.text[p.start : p.end],
            }
        )

    status = "warning" if warnings else "ok"
    report = {
        "report_id": report_id,
        "source_file": source_file,
        "sha256": sha256,
        "format": fmt,
        "encoding": encoding,
        "title": title,
        "issuer": issuer,
        "issuer_full": issuer_full,
        "issuer_source": issuer_source,
        "level": level,
        "province": province,
        "prefecture": prefecture,
        "county": county,
        "report_year": report_year,
        "report_year_source": year_source,
        "publish_date": md.publish_date,
        "written_date": md.written_date,
        "index_no": md.index_no,
        "publisher": publisher,
        "n_chars": len(page.text),
        "part_kinds": ",".join(kinds_in_order),
        "missing_parts": ",".join(missing),
        "n_problem_items": len(items_rows),
        "printed_twice": page.duplicate,
        "status": status,
        "warnings": "; ".join(warnings),
    }
    tables: dict[str, list[dict]] = {
        "texts": [{"report_id": report_id, "text": page.text}],
        "sections": section_rows,
        "parts": part_rows,
        "problem_items": items_rows,
        "page_meta": [
            {"report_id": report_id, "label": label, "value": value}
            for label, values in page.meta.items()
            for value in dict.fromkeys(values)
        ],
    }
    doc = Document(report_id, report, page.text, section_rows, part_rows, items_rows, page.header_text)
    return ParsedPage(doc, tables, warnings, notes)


def _year_from_body(text: str, secs) -> tuple[int | None, str]:
    """Report year when no title gives it: achievements/problems headings, the preamble, the plan heading − 1."""
    for s in secs:
        if s.depth == 1 and s.kind in ("achievements", "problems", "duty"):
            y = first_year(s.heading)
            if y:
                return y, "part_heading"
    for s in secs:
        if s.kind == "preamble":  # (a full date there, a byline's 2024年1月20日, dates the writing: no year)
            # (nor a range's or a cited document's: 根据《…纲要(2023—2027年)》 …)
            head = text[s.start : min(s.end, s.start + 200)]
            y = first_year(_RANGE_OR_CITED.sub("", DATE_RE.sub("", head))[:30])
            if y:
                return y, "preamble"
    for s in secs:
        if s.depth == 1 and s.kind == "plan":
            y = first_year(s.heading)
            if y:
                return y - 1, "plan_heading"
    # last: the year the achievements part names most for what was done in it (2025年度内累计办件…), none
    # of its ranges, "since" years (2023年以来) or plan years counted; the latest of years named alike
    years: Counter = Counter()
    for s in secs:
        if s.kind == "achievements":
            part = _RANGE_OR_SINCE.sub("", text[s.start : s.end])
            years.update(int(y) for y in _DONE_YEAR.findall(part))
    if years:
        top = max(years.values())
        return max(y for y, k in years.items() if k == top), "achievements_years"
    return None, ""


# a year in an achievements part (2025年度内累计办件…; not a date's, 2025年3月, nor a range's first), and what
# names years that are not the one reported on: ranges, "since", plans, targets, cited documents
_DONE_YEAR = re.compile(r"(?<!\d)(20[1-4]\d)\s*年(?:度)?(?![-—~至到\d])")
_RANGE_OR_CITED = re.compile(r"(?:19|20)\d{2}\s*[-—–~至到]+\s*(?:19|20)\d{2}\s*年?|《[^》]{0,60}》")
_RANGE_OR_SINCE = re.compile(
    _RANGE_OR_CITED.pattern + r"|(?:19|20)\d{2}\s*年(?:度)?(?:以来|前|底前|以前|要|将|计划|目标)"
)
