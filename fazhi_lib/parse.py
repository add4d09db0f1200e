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
from dataclasses import dataclass

from .clean import clean_page
from .metadata import body_report_year, first_year, issuer_from_body, parse_date, parse_issuer, parse_title
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


def _first(meta: dict[str, list[str]], labels) -> str | None:
    for label in labels:
        for value in meta.get(label, []):
            if value and value.strip("-— "):
                return value.strip()
    return None

def parse_page(text: str, *, source_file: str = "", sha256: str = "", fmt: str = "txt", encoding: str = "") -> ParsedPage:
    """One decoded report page → clean text, metadata and sections, as rows of the core tables (no
    stage runs here: see `pipeline.worker.parse_text`). Never raises on odd content: problems become
    messages."""
    report_id = (sha256 or hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())[:12]
    warnings: list[str] = []
    notes: list[str] = []
    cruft_rules = load_rules("cruft")
    page = clean_page(text, rules=cruft_rules)
    notes.extend(m for m in page.messages if m.startswith("report printed twice"))
    warnings.extend(m for m in page.messages if not m.startswith("report printed twice"))
    labels = cruft_rules["metadata_labels"]

    # title and issuer
    title = page.title
    t = parse_title(title) if title else None
    issuer = issuer_full = None
    issuer_source = ""
    level = "unknown"
    province = prefecture = county = None
    if t and t.issuer:
        issuer, issuer_full, level = t.issuer, t.issuer_full, t.level
        province, prefecture, county = t.province, t.prefecture, t.county
        issuer_source = "title"
    publisher = _first(page.meta, labels["publisher"])
    if not issuer and publisher:
        p = parse_issuer(publisher)
        if p.issuer and p.level != "unknown":
            issuer, issuer_full, level = p.issuer, p.issuer_full, p.level
            province, prefecture, county = p.province, p.prefecture, p.county
            issuer_source = "publisher"
    if not title:
        warnings.append("no title found on the page")

    # years: title first, then the part headings, then the preamble
    report_year = t.report_year if t else None
    year_source = "title" if report_year else ""
    seg = segment(page.text, report_year=report_year)
    secs = seg.sections
    if report_year is None:
        report_year, year_source = _year_from_body(page.text, secs)
        if report_year:
            warnings.append(f"report year {report_year} taken from the {year_source.replace('_', ' ')} (no year in a title)")
            seg = segment(page.text, report_year=report_year)
            secs = seg.sections
        else:
            warnings.append("no report year found")
    preamble = next((page.text[s.start : s.end] for s in secs if s.kind == "preamble"), "")
    if not issuer:
        body_issuer = issuer_from_body(preamble or page.text[:300])
        if body_issuer:
            p = parse_issuer(body_issuer)
            issuer, issuer_full, level = p.issuer, p.issuer_full, p.level
            issuer_source = "body"
            warnings.append(f"issuer '{issuer}' taken from the body text (no title or publisher names it)")
        else:
            warnings.append("no issuer found")
    stated = body_report_year(preamble)
    if stated and report_year and stated != report_year and year_source == "title":
        warnings.append(f"the body says it reports on {stated}, the title says {report_year}; the title's year is kept")
    notes.extend(seg.messages)

    # parts, problem items
    parts = parts_of(page.text, secs)
    kinds_in_order = [p.kind for p in parts if p.kind in PART_KINDS]
    missing = [k for k in PART_KINDS if k not in kinds_in_order]
    items_rows: list[dict] = []
    for part in parts:
        if part.kind != "problems":
            continue
        intro, items = problem_items(page.text, secs, part)
        for it in items:
            ra, rb = page.raw_span(it.start, it.end)
            items_rows.append({
                "report_id": report_id, "item_order": len(items_rows) + 1, "item_no": it.item_no,
                "marker": it.marker, "heading": it.heading, "text": page.text[it.start : it.end],
                "start": it.start, "end": it.end, "raw_start": ra, "raw_end": rb,
            })
    if "problems" not in kinds_in_order:
        warnings.append("no problems part found")
    elif not items_rows:
        warnings.append("the problems part has no points")
    if not page.text.strip():
        warnings.append("no report text left after removing page cruft")

    section_rows = []
    for s in secs:
        ra, rb = page.raw_span(s.start, s.end)
        section_rows.append({
            "report_id": report_id, "order": s.order, "depth": s.depth, "number": s.number, "marker": s.marker,
            "heading": s.heading, "kind": s.kind, "part_order": s.part_order, "start": s.start, "end": s.end,
            "raw_start": ra, "raw_end": rb, "text": page.text[s.start : s.end],
        })
    part_rows = []
    for p in parts:
        ra, rb = page.raw_span(p.start, p.end)
        intro = p.intro
        if p.kind == "problems":
            intro = problem_items(page.text, secs, p)[0]
        part_rows.append({
            "report_id": report_id, "part_order": p.part_order, "kind": p.kind, "heading": p.heading,
            "marker": p.marker, "intro": intro, "start": p.start, "end": p.end, "raw_start": ra, "raw_end": rb,
            "text": page.text[p.start : p.end],
        })

    status = "warning" if warnings else "ok"
    report = {
        "report_id": report_id, "source_file": source_file, "sha256": sha256, "format": fmt, "encoding": encoding,
        "title": title, "issuer": issuer, "issuer_full": issuer_full, "issuer_source": issuer_source, "level": level,
        "province": province, "prefecture": prefecture, "county": county, "report_year": report_year,
        "report_year_source": year_source,
        "publish_date": parse_date(_first(page.meta, _publish_labels(cruft_rules))),
        "written_date": parse_date(_first(page.meta, labels["written_date"])),
        "index_no": _first(page.meta, labels["index_no"]), "publisher": publisher, "n_chars": len(page.text),
        "part_kinds": ",".join(kinds_in_order), "missing_parts": ",".join(missing),
        "n_problem_items": len(items_rows), "printed_twice": page.duplicate, "status": status,
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


def _publish_labels(rules: dict) -> list[str]:
    return rules.get("publish_date_priority") or rules["metadata_labels"]["publish_date"]


def _year_from_body(text: str, secs) -> tuple[int | None, str]:
    """Report year when no title gives it: achievements/problems headings, the preamble, the plan heading − 1."""
    for s in secs:
        if s.depth == 1 and s.kind in ("achievements", "problems", "duty"):
            y = first_year(s.heading)
            if y:
                return y, "part_heading"
    for s in secs:
        if s.kind == "preamble":
            y = first_year(text[s.start : min(s.end, s.start + 30)])
            if y:
                return y, "preamble"
    for s in secs:
        if s.depth == 1 and s.kind == "plan":
            y = first_year(s.heading)
            if y:
                return y - 1, "plan_heading"
    return None, ""
