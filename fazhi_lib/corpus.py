"""A folder of raw report pages → tidy tables (`build_corpus`), and back from disk (`load_corpus`).

>>> corpus = build_corpus("data/raw")
>>> corpus.reports[["issuer", "level", "report_year"]].head(2)      # doctest: +SKIP
>>> corpus.part_texts("problems")                                     # doctest: +SKIP
"""

from __future__ import annotations

import csv as _csv
import hashlib
import io
import json
import os
import re
import shutil
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import __version__
from . import stages as _stages
from .clean import clean_page
from .load import LoadError, read_document, skip_reason
from .metadata import LEVELS, body_report_year, first_year, issuer_from_body, parse_date, parse_issuer, parse_title
from .provenance import add_provenance
from .rules import load_rules
from .sections import PART_KINDS, SECTION_KINDS, parts_of, problem_items, segment

# Column order of the core tables (the data dictionary in README.md explains each column).
REPORT_COLUMNS = [
    "report_id", "source_file", "sha256", "format", "encoding", "converted_from", "title", "issuer", "issuer_full",
    "issuer_source", "level", "province", "prefecture", "county", "report_year", "report_year_source",
    "publish_date", "written_date", "index_no", "publisher", "n_chars", "part_kinds", "missing_parts",
    "n_problem_items", "printed_twice", "status", "warnings",
]
SECTION_COLUMNS = [
    "report_id", "order", "depth", "number", "marker", "heading", "kind", "part_order",
    "start", "end", "raw_start", "raw_end", "text",
]
PART_COLUMNS = ["report_id", "part_order", "kind", "heading", "marker", "intro", "start", "end", "raw_start", "raw_end", "text"]
ITEM_COLUMNS = ["report_id", "item_order", "item_no", "marker", "heading", "text", "start", "end", "raw_start", "raw_end"]
LOG_COLUMNS = ["source_file", "report_id", "status", "messages"]
TEXT_COLUMNS = ["report_id", "text"]
CORE_TABLES = ("reports", "texts", "sections", "parts", "problem_items", "parse_log")
SKIP_NAMES = (".DS_Store", "Thumbs.db", "desktop.ini")


class FazhiError(ValueError):
    """An error whose message is one plain sentence meant for the researcher."""


def invalid(name: str, value, choices) -> FazhiError:
    """`part_kind` = 'problem' is not valid; choose one of: achievements, problems, …"""
    return FazhiError(f"`{name}` = {value!r} is not valid; choose one of: {', '.join(map(str, choices))}.")


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
class FileResult:
    source_file: str
    report: dict | None
    tables: dict[str, list[dict]]
    log: dict


# ---------------------------------------------------------------- one file
def _first(meta: dict[str, list[str]], labels) -> str | None:
    for label in labels:
        for value in meta.get(label, []):
            if value and value.strip("-— "):
                return value.strip()
    return None


def parse_text(text: str, *, source_file: str = "", sha256: str = "", fmt: str = "txt", encoding: str = "") -> FileResult:
    """Parse one decoded report page. Never raises on odd content: problems become messages."""
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
    for stage in _stages.REPORT_STAGES:
        try:
            out = stage(doc)
        except Exception as exc:  # a stage's bug must not lose the report
            warnings.append(f"stage {stage.__name__} failed: {type(exc).__name__}: {exc}")
            continue
        for name, rows in (out or {}).items():
            if name == "report_updates":
                report.update(rows)
            else:
                tables.setdefault(name, []).extend(rows)
    report["status"] = "warning" if warnings else "ok"
    report["warnings"] = "; ".join(warnings)
    log = {"source_file": source_file, "report_id": report_id, "status": report["status"],
           "messages": "; ".join(warnings + notes)}
    return FileResult(source_file, report, tables, log)


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


def parse_file(path: str | Path, *, root: str | Path | None = None) -> FileResult:
    """Parse one input file. A file that is skipped, cannot be read or is not an annual report becomes a
    `skipped` or `error` row of the parse log with its reason; nothing raises."""
    path = Path(path)
    source_file = path.relative_to(root).as_posix() if root else path.name
    reason = skip_reason(source_file)
    if reason:
        return _log_only(source_file, None, "skipped", reason)
    try:
        loaded = read_document(path)
    except (LoadError, OSError) as exc:
        digest = ""
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            pass
        message = str(exc) if isinstance(exc, LoadError) else f"the file could not be read ({exc.strerror or exc})"
        return _log_only(source_file, digest[:12] or None, "error", message)
    try:
        result = parse_text(loaded.text, source_file=source_file, sha256=loaded.sha256, fmt=loaded.format,
                            encoding=loaded.encoding)
    except Exception as exc:  # noqa: BLE001 - a bug on odd content must not stop the build or lose the file
        return _log_only(source_file, loaded.sha256[:12], "error",
                         f"could not be parsed ({type(exc).__name__}: {exc}); this is a fazhi bug: please report it with the file")
    report = result.report
    report["converted_from"] = loaded.converted_from
    reason = not_a_report(result)
    if reason:
        return _log_only(source_file, report["report_id"], "error", reason)
    if loaded.warnings:
        report["warnings"] = "; ".join([*loaded.warnings, *([report["warnings"]] if report["warnings"] else [])])
        report["status"] = result.log["status"] = "warning"
    result.log["messages"] = "; ".join(m for m in (*loaded.warnings, *loaded.notes, result.log["messages"]) if m)
    return result


def _log_only(source_file: str, report_id: str | None, status: str, message: str) -> FileResult:
    return FileResult(source_file, None, {}, {"source_file": source_file, "report_id": report_id, "status": status,
                                              "messages": message})


MANDATED_PARTS = ("achievements", "problems", "duty", "plan")
_REPORT_WORDS = re.compile(r"法治|依法行政|法制")


def not_a_report(result: FileResult) -> str | None:
    """Why a parsed page is not an annual rule-of-law report (a news item, an error page), or None.

    A report has two of the mandated parts (achievements, problems, duty, plan); or one of them and a
    title naming a rule-of-law report or 法治/依法行政 near its start; or such a title and 1,000+
    characters (a report whose parts could not be recognised is kept, with warnings).
    """
    r = result.report
    text = result.tables["texts"][0]["text"] if result.tables.get("texts") else ""
    found = {k for k in (r.get("part_kinds") or "").split(",") if k in MANDATED_PARTS}
    titled = bool(r.get("title"))
    if len(found) >= 2 or (found and (titled or _REPORT_WORDS.search(text[:500]))) or (titled and len(text) >= 1000):
        return None
    snippet = " ".join(text.split())[:30]
    if not text.strip():
        return "not an annual report: no text is left once the page's menus, metadata and links are removed"
    return (
        f"not an annual rule-of-law report (no title naming one, {'only the ' + ', '.join(sorted(found)) + ' part' if found else 'no achievements/problems/plan parts'}; "
        f"{len(text):,} characters beginning '{snippet}'): a news item, an error page or another document; not counted"
    )


def list_input_files(raw_dir: str | Path) -> list[Path]:
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FazhiError(f"The input folder {str(raw_dir)!r} does not exist; give the folder that holds the report files.")
    return sorted((p for p in raw_dir.rglob("*") if p.is_file()), key=lambda p: p.relative_to(raw_dir).as_posix())


# ---------------------------------------------------------------- the corpus
@dataclass
class Corpus:
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        if name in CORE_TABLES:
            return pd.DataFrame()
        raise AttributeError(f"Corpus has no table {name!r}; tables: {', '.join(sorted(tables))}")

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={len(v)}" for k, v in sorted(self.tables.items()))
        return f"Corpus({sizes})"

    @property
    def empty(self) -> bool:
        return self.reports.empty

    def filter(self, *, years=None, levels=None, provinces=None, regions=None, issuers=None,
               prefectures=None, counties=None, report_ids=None) -> "Corpus":
        """The same tables restricted to matching reports. Each filter takes one value or a list."""
        reports = self.reports
        mask = pd.Series(True, index=reports.index)

        def as_list(v):
            return [v] if isinstance(v, (str, int)) else list(v)

        if levels is not None:
            bad = [v for v in as_list(levels) if v not in LEVELS]
            if bad:
                raise invalid("levels", bad[0], LEVELS)
            mask &= reports["level"].isin(as_list(levels))
        if years is not None:
            try:
                wanted = [int(y) for y in as_list(years)]
            except (TypeError, ValueError):
                raise FazhiError(f"`years` = {years!r} is not valid; give a year such as 2024 or a list of years.") from None
            mask &= reports["report_year"].isin(wanted)
        for name, column, value in (("provinces", "province", provinces), ("regions", "region", regions),
                                    ("issuers", "issuer", issuers), ("prefectures", "prefecture", prefectures),
                                    ("counties", "county", counties), ("report_ids", "report_id", report_ids)):
            if value is None:
                continue
            if column not in reports.columns:
                raise FazhiError(f"`{name}` cannot be used: the reports table has no `{column}` column (rebuild with `fazhi build`).")
            mask &= reports[column].isin(as_list(value))
        keep = set(reports.loc[mask, "report_id"])
        tables = {}
        for name, df in self.tables.items():
            if "report_id" in df.columns and name != "parse_log":
                tables[name] = df[df["report_id"].isin(keep)].reset_index(drop=True)
            else:
                tables[name] = df
        return Corpus(tables, dict(self.manifest))

    def part_texts(self, kind: str = "problems") -> pd.DataFrame:
        """The text of one part kind across reports, one row per report (parts of the same kind joined)."""
        if kind not in SECTION_KINDS:
            raise invalid("part_kind", kind, SECTION_KINDS)
        parts = self.parts
        cols = ["report_id", "issuer", "report_year", "level"] + [c for c in ("province", "region") if c in self.reports.columns]
        if parts.empty:
            return pd.DataFrame(columns=cols + ["text"])
        sel = parts[parts["kind"] == kind].sort_values(["report_id", "part_order"])
        joined = sel.groupby("report_id", sort=True)["text"].agg(lambda s: "".join(s)).reset_index()
        out = self.reports[cols].merge(joined, on="report_id", how="inner")
        return out.sort_values(["report_year", "issuer", "report_id"], na_position="last").reset_index(drop=True)

    def save(self, out_dir: str | Path, *, csv: bool = True) -> Path:
        """Write every table as Parquet and CSV (UTF-8 with BOM, for Excel), replacing the folder atomically."""
        out_dir = Path(out_dir)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = out_dir.with_name(f".{out_dir.name}.tmp-{os.getpid()}")
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir()
        for name, df in sorted(self.tables.items()):
            write_table(df, tmp / name, csv=csv)
        (tmp / "manifest.json").write_text(json.dumps(self.manifest, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        if out_dir.exists():
            if (out_dir / ".cache").is_dir():  # the build cache (cache.py) outlives the tables
                os.replace(out_dir / ".cache", tmp / ".cache")
            os.replace(out_dir, old)
        os.replace(tmp, out_dir)
        if old.exists():
            shutil.rmtree(old)
        return out_dir


def write_table(df: pd.DataFrame, stem: Path, *, csv: bool = True) -> None:
    """`stem.parquet` (snappy, as `DataFrame.to_parquet`) and `stem.csv` (UTF-8 with BOM, for Excel).

    Both are written from one Arrow table; the CSV by Arrow's writer (about 8 × faster than
    `DataFrame.to_csv` on these text-heavy tables): text cells are always quoted, so an empty text
    ("") and a missing value (nothing between the commas) stay apart; whole floats print as 3,
    booleans as true/false. `pd.read_csv(path, encoding="utf-8-sig")` reads it back.
    """
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):  # mixed objects in a column: pandas' own writers
        df.to_parquet(stem.with_suffix(".parquet"), index=False)
        if csv:
            df.to_csv(stem.with_suffix(".csv"), index=False, encoding="utf-8-sig")
        return
    pq.write_table(table, stem.with_suffix(".parquet"), compression="snappy")
    if csv:
        header = io.StringIO()
        _csv.writer(header, lineterminator="\n").writerow([str(c) for c in df.columns])
        with open(stem.with_suffix(".csv"), "wb") as fh:
            fh.write(b"\xef\xbb\xbf" + header.getvalue().encode("utf-8"))
            pa_csv.write_csv(table, fh, pa_csv.WriteOptions(include_header=False))


def _frame(rows: list[dict], columns: list[str] | None = None) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    if columns:
        for c in columns:
            if c not in df.columns:
                df[c] = pd.Series(dtype="object")
        df = df[columns + [c for c in df.columns if c not in columns]]
    return df


def input_fingerprint(reports_or_log: pd.DataFrame) -> str:
    """Hash of the raw inputs (file names and contents): the same folder gives the same fingerprint."""
    h = hashlib.sha256()
    for name, digest in sorted(zip(reports_or_log["source_file"], reports_or_log["sha256"])):
        h.update(f"{name}\t{digest}\n".encode())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------- duplicates
_FORMAT_RANK = {"txt": 0, "html": 1, "docx": 2, "pdf": 3}
_SENTENCE_SPLIT = re.compile(r"[。！？；!?;\n]")
NEAR_COPY_SHARE = 0.8  # a copy: this share of the shorter text's sentences are in the longer one


def _compact(text: str) -> str:
    """The text as compared across formats: NFKC (full-width punctuation → ASCII), no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


_SPACE_NOT_NEWLINE = re.compile(r"[^\S\n]+")  # the whitespace str.split() drops, line breaks kept


def _sentences(text: str) -> set[str]:
    """The sentences (8+ characters, whitespace removed) of `text`: split at 。！？； and line breaks."""
    pieces = _SENTENCE_SPLIT.split(_SPACE_NOT_NEWLINE.sub("", unicodedata.normalize("NFKC", text)))
    return {piece for piece in pieces if len(piece) >= 8}


def find_duplicates(results: list[FileResult]) -> dict[str, tuple[str, str]]:
    """source_file of each duplicate → (source_file of the copy kept, message naming it).

    Copies of one report are: the same bytes; the same clean text in another format or encoding
    (a .txt and an .html, GBK and UTF-8); or, for the same issuer and year, a text most of whose
    sentences are in the other's (a truncated copy, a traditional-character copy). The most complete
    copy is kept (most mandated parts, full length, original script, .txt before .html/.docx/.pdf,
    UTF-8 first, then the first file name).
    """
    parsed = [r for r in results if r.report is not None]
    text_of = {r.source_file: (r.tables.get("texts") or [{"text": ""}])[0]["text"] for r in parsed}
    parent = {r.source_file: r.source_file for r in parsed}

    def root(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a, b):
        parent[root(b)] = root(a)

    for key in (lambda r: r.report["sha256"] or None, lambda r: hashlib.sha256(_compact(text_of[r.source_file]).encode()).hexdigest()):
        first: dict = {}
        for r in parsed:
            k = key(r)
            if k:
                union(first.setdefault(k, r.source_file), r.source_file)
    by_issuer_year: dict = {}
    for r in parsed:
        if r.report.get("issuer") and r.report.get("report_year"):
            by_issuer_year.setdefault((r.report["issuer"], r.report["report_year"]), []).append(r)
    sentences: dict[str, set[str]] = {}
    for group in by_issuer_year.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if root(a.source_file) == root(b.source_file):
                    continue
                if _contained(a.source_file, b.source_file, text_of, sentences) >= NEAR_COPY_SHARE:
                    union(a.source_file, b.source_file)
    groups: dict[str, list[FileResult]] = {}
    for r in parsed:
        groups.setdefault(root(r.source_file), []).append(r)
    out: dict[str, tuple[str, str]] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        longest = max(len(text_of[m.source_file]) for m in members)

        def rank(m, longest=longest):
            rep = m.report
            found = {k for k in (rep.get("part_kinds") or "").split(",") if k in MANDATED_PARTS}
            return (-len(found), len(text_of[m.source_file]) < 0.95 * longest, rep.get("converted_from") is not None,
                    _FORMAT_RANK.get(rep.get("format"), 9), {"utf-8": 0, "utf-8-sig": 1}.get(rep.get("encoding"), 2),
                    m.source_file)

        kept = min(members, key=rank)
        for m in members:
            if m is kept:
                continue
            k, r = kept.report, m.report
            this = f"{r.get('format')}" + (f", {r['encoding']}" if r.get("encoding") else "") + (
                f", {r['converted_from']} characters" if r.get("converted_from") else "")
            if r["sha256"] and r["sha256"] == k["sha256"]:
                msg = f"duplicate: the same file as {kept.source_file}; counted once"
            elif _compact(text_of[m.source_file]) == _compact(text_of[kept.source_file]):
                msg = f"duplicate: the same report text as {kept.source_file} (this copy: {this}); counted once"
            else:
                share = _contained(m.source_file, kept.source_file, text_of, sentences)
                shorter = len(text_of[m.source_file]) < 0.95 * len(text_of[kept.source_file])
                msg = (f"duplicate: {'a shorter' if shorter else 'another'} copy of the report in {kept.source_file} "
                       f"(same issuer {r['issuer']} and year {r['report_year']}; {share:.0%} of this copy's sentences are in it; "
                       f"this copy: {this}); the more complete copy is counted once")
            out[m.source_file] = (kept.source_file, msg)
    return out


def _contained(a: str, b: str, text_of: dict, cache: dict) -> float:
    """Share of the sentences of the shorter of texts a, b that are in the other."""
    for name in (a, b):
        if name not in cache:
            cache[name] = _sentences(text_of[name])
    sa, sb = cache[a], cache[b]
    small, big = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    return len(small & big) / len(small) if small else 0.0


STACK_CHUNK = 500  # per-file results stacked into frames at a time during a build
FILE_COLUMN = "_file"  # in the stacked frames: the source file a row came from (dropped from the tables)
_CORE_COLUMNS = {"reports": REPORT_COLUMNS, "parse_log": LOG_COLUMNS, "texts": TEXT_COLUMNS,
                 "sections": SECTION_COLUMNS, "parts": PART_COLUMNS, "problem_items": ITEM_COLUMNS}
_SORT_KEYS = {"reports": ["source_file"], "parse_log": ["source_file"], "texts": ["report_id"],
              "sections": ["report_id", "order"], "parts": ["report_id", "part_order"],
              "problem_items": ["report_id", "item_order"]}


def stack(results: list[FileResult]) -> dict[str, pd.DataFrame]:
    """Per-file results → one frame per table, every row tagged with its file in `_file` (before the
    copies of one report are resolved). `parse_log` has a row per file, `reports` one per parsed file.
    These frames are what the build cache's snapshot keeps (cache.py), so that a rebuild after adding
    files only stacks the new files' rows onto the snapshot's."""
    rows: dict[str, list[dict]] = {"reports": [], "parse_log": []}
    files: dict[str, list[str]] = {"reports": [], "parse_log": []}
    for r in results:
        rows["parse_log"].append(r.log)
        files["parse_log"].append(r.source_file)
        if r.report is None:
            continue
        rows["reports"].append(r.report)
        files["reports"].append(r.source_file)
        for name, table_rows in r.tables.items():
            rows.setdefault(name, []).extend(table_rows)
            files.setdefault(name, []).extend([r.source_file] * len(table_rows))
    for name in _CORE_COLUMNS:
        rows.setdefault(name, [])
        files.setdefault(name, [])
    frames = {}
    for name, table_rows in rows.items():
        df = _frame(table_rows, _CORE_COLUMNS.get(name))
        df[FILE_COLUMN] = pd.Series(files[name], dtype="object", index=df.index)
        frames[name] = df
    return frames


def combine(parts: list[dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """Stacked frames of several batches of files → one set, with the dtypes one stack of all their
    rows would have (object columns are inferred again from their values), rows in file order."""
    parts = [p for p in parts if p]
    names = sorted({name for p in parts for name in p})
    out = {}
    for name in names:
        pieces = [p[name] for p in parts if name in p]
        filled = [df for df in pieces if len(df)]
        if not filled:
            out[name] = pieces[0]
            continue
        df = pd.concat(filled, ignore_index=True) if len(filled) > 1 else filled[0]
        for col in df.columns:
            if col != FILE_COLUMN and df[col].dtype == object:
                df[col] = pd.Series(df[col].tolist(), index=df.index, name=col)
        out[name] = df
    return out


def _plain(value):
    """A cell of a frame as the per-file dict held it: missing values (NaN, NA) back to None."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value


# what find_duplicates reads of a report
_DUPLICATE_FIELDS = ("sha256", "issuer", "report_year", "part_kinds", "converted_from", "format", "encoding", FILE_COLUMN)


class _Stacked:
    """What `find_duplicates` reads of a file, taken from the stacked frames."""

    __slots__ = ("source_file", "report", "tables")

    def __init__(self, source_file: str, report: dict, text: str):
        self.source_file, self.report, self.tables = source_file, report, {"texts": [{"text": text}]}


def assemble(results: list[FileResult] | dict[str, pd.DataFrame]) -> Corpus:
    """Per-file results (or their stacked frames, see `stack`) → tables: rows sorted; copies of one
    report kept once (see `find_duplicates`)."""
    frames = results if isinstance(results, dict) else stack(results)
    reports_all, texts_all = frames["reports"].sort_values(FILE_COLUMN, kind="stable"), frames["texts"]
    text_by_file = dict(zip(texts_all[FILE_COLUMN], texts_all["text"]))
    stacked = []
    for rep in reports_all[[c for c in _DUPLICATE_FIELDS if c in reports_all.columns]].to_dict("records"):
        rep = {k: _plain(v) for k, v in rep.items()}
        if isinstance(rep.get("report_year"), float):
            rep["report_year"] = int(rep["report_year"])
        stacked.append(_Stacked(rep[FILE_COLUMN], rep, text_by_file.get(rep[FILE_COLUMN], "")))
    duplicates = find_duplicates(stacked)
    copies: dict[str, list[str]] = {}
    for name, (kept, _) in duplicates.items():
        copies.setdefault(kept, []).append(name)

    logs = frames["parse_log"]
    if duplicates or copies:
        logs = logs.copy()
        status, messages = logs["status"].tolist(), logs["messages"].tolist()
        for i, source_file in enumerate(logs[FILE_COLUMN]):
            if source_file in duplicates:
                status[i], messages[i] = "duplicate", duplicates[source_file][1]
            elif source_file in copies:  # the copy kept
                also = f"also saved as {', '.join(sorted(copies[source_file]))} (duplicates, not counted)"
                messages[i] = "; ".join(m for m in (messages[i], also) if m)
        logs["status"] = pd.Series(status, index=logs.index)
        logs["messages"] = pd.Series(messages, index=logs.index)
    out = {}
    for name, df in {**frames, "parse_log": logs}.items():
        if duplicates and name != "parse_log":
            df = df[~df[FILE_COLUMN].isin(duplicates.keys())]
        if len(df):
            df = df.sort_values(FILE_COLUMN, kind="stable")  # rows in file order, as the files were read
        out[name] = df.drop(columns=FILE_COLUMN).reset_index(drop=True)
    out["reports"]["report_year"] = out["reports"]["report_year"].astype("Int64")
    out["reports"]["printed_twice"] = out["reports"]["printed_twice"].astype("boolean")
    for name, df in out.items():
        keys = _SORT_KEYS.get(name) or [c for c in ("report_id",) if c in df.columns]
        if keys and not df.empty:
            out[name] = df.sort_values(keys, kind="stable").reset_index(drop=True)
    return Corpus(out)


def build_corpus(raw_dir: str | Path = "data/raw", *, jobs: int = 1, progress: bool = False,
                 cache=None, dask: str | None = None, urls: str | Path | None = None) -> Corpus:
    """Parse every file under `raw_dir` into the corpus tables. Unreadable files are logged, never dropped.

    `jobs`: worker processes (0: all cores); `cache`: a `cache.BuildCache` or its folder, so files
    parsed by an earlier build are not parsed again; `dask`: a scheduler address or "local" to parse
    on a Dask cluster (`distributed.py`). The tables are the same whatever runs the parsing.
    `urls`: a sheet of file, url (see `provenance.py`) giving source addresses no collect manifest gives.
    """
    raw_dir = Path(raw_dir)
    files = list_input_files(raw_dir)
    results: list[FileResult] = []
    skipped = []
    todo = []
    for f in files:
        if f.name in SKIP_NAMES or f.name.startswith((".", "~$")):
            skipped.append(FileResult(f.relative_to(raw_dir).as_posix(), None, {},
                                      {"source_file": f.relative_to(raw_dir).as_posix(), "report_id": None,
                                       "status": "skipped", "messages": "hidden or temporary file; skipped"}))
        else:
            todo.append(f)
    from .cache import BuildCache
    from .parallel import parse_files

    if cache is not None and not isinstance(cache, BuildCache):
        cache = BuildCache(cache)
    clock = time.perf_counter()
    timings = {}  # seconds per phase, for `fazhi build --timings` and bench/run_bench.py
    snapshot = cache.load_snapshot() if cache is not None else None
    served_files = snapshot["files"] if snapshot else None  # source file -> sha256 the snapshot holds
    stacked, pending = [], []

    def sink(result: FileResult) -> None:  # stack every STACK_CHUNK results: bounded memory
        pending.append(result)
        if len(pending) >= STACK_CHUNK:
            stacked.append(stack(pending))
            pending.clear()

    results = parse_files(todo, raw_dir, jobs=jobs, progress=progress, cache=cache, dask=dask,
                          snapshot_files=served_files, sink=sink)
    timings["files"], clock = time.perf_counter() - clock, time.perf_counter()
    served = {r for r in results if isinstance(r, str)}  # rows held by the snapshot
    parts = [{name: df[df[FILE_COLUMN].isin(served)] for name, df in snapshot["frames"].items()}] if served else []
    parts += [*stacked, stack(pending + skipped)]
    stacked = pending = None
    results = skipped = snapshot = None  # the rows now live in the frames: let the per-file copies go
    frames = combine(parts)
    parts = None
    if cache is not None and (cache.misses or cache.entries != served_files):
        cache.save_snapshot(frames)  # (an unchanged corpus keeps the snapshot it was served from)
    corpus = assemble(frames)
    frames = None
    corpus.tables.update(add_provenance(corpus.tables, raw_dir, urls=urls))  # source_url, retrieved_at
    timings["assemble"], clock = time.perf_counter() - clock, time.perf_counter()
    for stage in _stages.CORPUS_STAGES:
        try:
            corpus.tables.update(stage(corpus.tables) or {})
        except Exception as exc:
            print(f"warning: corpus stage {stage.__name__} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        timings[f"stage {stage.__name__}"], clock = time.perf_counter() - clock, time.perf_counter()
    corpus.timings = timings
    reports = corpus.reports
    corpus.manifest = {
        "fazhi_version": __version__,
        "input_fingerprint": input_fingerprint(reports) if not reports.empty else "",
        "n_files": len(files),
        "tables": {name: len(df) for name, df in sorted(corpus.tables.items())},
        "token_engine": _token_engine_signature(),
    }
    return corpus


def _token_engine_signature() -> str:
    from .tokens import get_engine

    return get_engine().signature


def load_corpus(processed_dir: str | Path = "data/processed") -> Corpus:
    """Read the tables written by `fazhi build` (Parquet) back into a `Corpus`."""
    processed_dir = Path(processed_dir)
    if not (processed_dir / "reports.parquet").exists():
        raise FazhiError(
            f"No corpus tables in {str(processed_dir)!r}; run `fazhi build RAW_DIR --out {processed_dir}` first."
        )
    tables = {p.stem: pd.read_parquet(p) for p in sorted(processed_dir.glob("*.parquet"))}
    manifest_path = processed_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    return Corpus(tables, manifest)


# ---------------------------------------------------------------- what a build did, in one line
@dataclass(frozen=True)
class BuildSummary:
    """Counts of `parse_log` statuses. Every input file is counted once:
    read = parsed + rejected + duplicates + skipped (`with_warnings` is part of `parsed`)."""

    read: int
    parsed: int
    with_warnings: int
    rejected: int
    duplicates: int
    skipped: int

    @property
    def balanced(self) -> bool:
        return self.read == self.parsed + self.rejected + self.duplicates + self.skipped

    def line(self) -> str:
        """'12 read, 5 parsed, 2 with warnings, 4 rejected, 2 duplicates, 1 skipped'"""
        return (f"{self.read} read, {self.parsed} parsed, {self.with_warnings} with warnings, {self.rejected} rejected, "
                f"{self.duplicates} duplicates, {self.skipped} skipped")


def summarise(parse_log: pd.DataFrame) -> BuildSummary:
    """The build summary of a parse log (statuses ok, warning, error, duplicate, skipped)."""
    counts = parse_log["status"].value_counts().to_dict() if len(parse_log) else {}
    unknown = set(counts) - {"ok", "warning", "error", "duplicate", "skipped"}
    if unknown:
        raise invalid("status", min(unknown), ["ok", "warning", "error", "duplicate", "skipped"])
    return BuildSummary(
        read=len(parse_log), parsed=counts.get("ok", 0) + counts.get("warning", 0), with_warnings=counts.get("warning", 0),
        rejected=counts.get("error", 0), duplicates=counts.get("duplicate", 0), skipped=counts.get("skipped", 0),
    )


# ---------------------------------------------------------------- one clear sentence for notebooks
def require_reports(corpus: Corpus, *, at_least: int = 1, what: str = "this analysis") -> Corpus:
    """`corpus` back when it holds at least `at_least` reports, else a `FazhiError` saying why in one
    sentence (for the top of a notebook, instead of a traceback from deep inside pandas).

    >>> require_reports(load_corpus("data/processed"), at_least=2, what="the similarity heatmap")  # doctest: +SKIP
    """
    n = len(corpus.reports)
    if n >= at_least:
        return corpus
    log = corpus.tables.get("parse_log")
    if n == 0 and (log is None or log.empty):
        raise FazhiError("The corpus is empty: no input files were found; put report files in the input folder and "
                         "run `fazhi build RAW_DIR --out DIR` again.")
    if n == 0 and len(log) and not (log["status"].isin(["ok", "warning"])).any():
        s = summarise(log)
        raise FazhiError(f"The corpus has no reports: of {s.read} files, {s.rejected} were rejected, {s.duplicates} were "
                         f"duplicates and {s.skipped} were skipped (their reasons are in parse_log); add report files and "
                         f"run `fazhi build` again.")
    raise FazhiError(f"{what[:1].upper() + what[1:]} needs at least {at_least} report{'s' if at_least != 1 else ''}; "
                     f"the selection has {n}. Widen the selection (fewer filters) or add reports.")


def select(corpus: Corpus, *, at_least: int = 1, **filters) -> Corpus:
    """`corpus.filter(**filters)` that must keep at least `at_least` reports; otherwise one sentence
    naming the values the corpus has. Empty filters (None, [], '') select everything.

    >>> select(corpus, years=[1999])                                        # doctest: +SKIP
    FazhiError: `years` = [1999] selects no report; choose among: 2023, 2024, 2025.
    """
    active = {k: v for k, v in filters.items() if v not in (None, [], (), "")}
    out = corpus.filter(**active) if active else corpus
    if len(out.reports) >= at_least:
        return out
    columns = {"years": "report_year", "levels": "level", "provinces": "province", "regions": "region",
               "issuers": "issuer", "prefectures": "prefecture", "counties": "county", "report_ids": "report_id"}
    if len(corpus.reports) < at_least:
        require_reports(corpus, at_least=at_least)
    for name, value in active.items():
        col = columns.get(name)
        if col in corpus.reports.columns and len(corpus.filter(**{name: value}).reports) < at_least:
            present = sorted({str(v) for v in corpus.reports[col].dropna()})
            raise FazhiError(f"`{name}` = {value!r} selects {'no report' if at_least == 1 else f'fewer than {at_least} reports'}; "
                             f"choose among: {', '.join(present)}.")
    together = " and ".join(f"`{k}` = {v!r}" for k, v in active.items())
    raise FazhiError(f"{together} together select {len(out.reports)} report{'s' if len(out.reports) != 1 else ''}; "
                     f"at least {at_least} needed. Drop one of the filters.")
