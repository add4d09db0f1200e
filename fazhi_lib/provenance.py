"""Where each report came from: `source_url` and `retrieved_at` for the `reports` table, and a citation line.

Taken in this order (the first that knows wins; `url_source` says which):

1. `collect_manifest`: a `collect_manifest.csv` written by `fazhi collect` anywhere in the raw folder;
2. `urls_sheet`: the researcher's own mapping sheet (`fazhi build --urls FILE`, columns `file`, `url`
   and optionally `retrieved_at`);
3. what the saved page records itself: a browser's `<!-- saved from url=(0052)https://… -->`
   (`saved_from`), SingleFile's header comment with its `url:` and `saved date:` (`singlefile`),
   `<link rel="canonical">` (`canonical`) or `<meta property="og:url">` (`og_url`).

>>> page_provenance(b'<!-- saved from url=(0026)https://www.example.gov.cn/ --><html></html>')
Provenance(url='https://www.example.gov.cn/', retrieved_at=None, how='saved_from')
>>> citation({"issuer": "塘栖镇", "title": "塘栖镇2024年度法治政府建设工作报告", "report_year": 2024,
...           "source_url": "https://www.example.gov.cn/a.html", "retrieved_at": "2025-03-21T10:15:02+08:00"})
'塘栖镇. 塘栖镇2024年度法治政府建设工作报告[EB/OL]. [2025-03-21]. https://www.example.gov.cn/a.html.'

`add_provenance(tables, raw_dir)` is the one call a build makes; this module reads only file bytes
and CSV/Excel sheets (no code is loaded from anything it reads).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path, PurePosixPath
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

import pandas as pd

from .vocab import check_lang

MANIFEST_NAME = "collect_manifest.csv"
URL_COLUMNS = ["source_url", "retrieved_at", "url_source"]  # inserted after `source_file` in `reports`
URL_SOURCES = ("collect_manifest", "urls_sheet", "saved_from", "singlefile", "canonical", "og_url")
ATTACHMENT_SUFFIXES = (".pdf", ".docx", ".doc", ".wps", ".ofd")
HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")
_HEAD_BYTES = 262_144  # the part of a page read for its own provenance (comments and <head> sit at the top)


class Provenance(NamedTuple):
    url: str | None
    retrieved_at: str | None
    how: str


# <!-- saved from url=(0062)https://www.example.gov.cn/art/2025/3/21/art_1_1.html -->  (IE, Chrome, Edge)
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)\s*(\S+?)\s*-->", re.IGNORECASE)
# <!--\n Page saved with SingleFile \n url: https://… \n saved date: Fri Mar 21 2025 10:15:02 GMT+0800 (中国标准时间)\n-->
_SINGLEFILE = re.compile(r"<!--\s*Page saved with SingleFile(?P<body>.*?)-->", re.IGNORECASE | re.DOTALL)
_SF_URL = re.compile(r"^\s*url:\s*(\S+)\s*$", re.MULTILINE | re.IGNORECASE)
_SF_DATE = re.compile(r"^\s*saved date:\s*(.+?)\s*$", re.MULTILINE | re.IGNORECASE)
# Fri Mar 21 2025 10:15:02 GMT+0800 (中国标准时间): JavaScript's Date.toString(), which SingleFile writes
_JS_DATE = re.compile(r"\w{3} (\w{3}) (\d{1,2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT([+-]\d{4})")
_MAY_HAVE_URL = re.compile(r"canonical|og:url", re.IGNORECASE)  # parse the head only when it may say
_HEAD_END_BYTES = re.compile(rb"</head\s*>|<body[\s>]", re.IGNORECASE)
_MONTHS = {
    m: i
    for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)
}


# ---------------------------------------------------------------- what a page says about itself
def _decode_head(data: bytes, limit: int = _HEAD_BYTES) -> str:
    head = data[:limit]
    for codec in ("utf-8", "gb18030"):
        try:
            return head.decode(codec)
        except UnicodeDecodeError as exc:
            if len(data) > limit and exc.start >= len(head) - 4:  # a character cut by the limit
                try:
                    return head[: exc.start].decode(codec)
                except UnicodeDecodeError:
                    pass
    return head.decode("utf-8", "replace")


def _js_date(text: str) -> str | None:
    """'Fri Mar 21 2025 10:15:02 GMT+0800 (中国标准时间)' → '2025-03-21T10:15:02+08:00'; ISO dates pass through."""
    m = _JS_DATE.search(text)
    if m:
        mon, day, year, hh, mm, ss, off = m.groups()
        if mon in _MONTHS:
            return f"{year}-{_MONTHS[mon]:02d}-{int(day):02d}T{hh}:{mm}:{ss}{off[:3]}:{off[3:]}"
    try:
        return datetime.fromisoformat(text.strip()).isoformat()
    except ValueError:
        return None


def _http_url(url: str | None) -> str | None:
    url = (url or "").strip()
    return url if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc else None


def page_provenance(data: bytes) -> Provenance | None:
    """The address (and date) a saved page records about itself, or None.

    >>> page_provenance(b'<head><link rel="canonical" href="https://www.example.gov.cn/b.html"></head>').how
    'canonical'
    """
    end = _HEAD_END_BYTES.search(data, 0, 65_536)  # the comments and <head> that record the address come first
    text = _decode_head(data[: end.start()] if end else data, 65_536)
    m = _SAVED_FROM.search(text)
    if m and _http_url(m.group(1)):
        return Provenance(m.group(1), None, "saved_from")
    m = _SINGLEFILE.search(text)
    if m:
        u, d = _SF_URL.search(m.group("body")), _SF_DATE.search(m.group("body"))
        if u and _http_url(u.group(1)):
            return Provenance(u.group(1), _js_date(d.group(1)) if d else None, "singlefile")
    if "<" not in text or not _MAY_HAVE_URL.search(text):
        return None
    root = _parse_html(text)
    if root is None:
        return None
    for how, xpath, attr in (("canonical", "//link[@href]", "href"), ("og_url", "//meta[@content]", "content")):
        for el in root.xpath(xpath):
            key = (el.get("rel") if how == "canonical" else el.get("property") or el.get("name")) or ""
            wanted = "canonical" if how == "canonical" else "og:url"
            if wanted in key.lower().split() and _http_url(el.get(attr)):
                return Provenance(el.get(attr).strip(), None, how)
    return None


def _parse_html(text: str):
    import lxml.html
    from lxml.etree import ParserError

    try:
        return lxml.html.document_fromstring(text)
    except (ParserError, ValueError):
        return None


class Link(NamedTuple):
    url: str
    kind: str  # 'attachment' (a link to a .pdf/.docx/…) or 'embedded' (iframe/embed/object)
    text: str


def _is_attachment(url: str, text: str = "") -> bool:
    path = urlsplit(url).path.lower()
    return path.endswith(ATTACHMENT_SUFFIXES) or text.strip().lower().endswith(ATTACHMENT_SUFFIXES)


def page_links(data: bytes | str, base_url: str | None = None) -> list[Link]:
    """Links from a page to documents that may be its report: `<a>` to a .pdf/.docx/.doc/.wps/.ofd
    (by address or by link text, as download scripts name the file only in the text) and documents
    shown in an `<iframe>`, `<embed>` or `<object>`. Addresses are made absolute against `base_url`.

    >>> page_links('<p>附件:<a href="/f/report.pdf">2024年报告.pdf</a></p>', "https://example.gov.cn/a/b.html")
    [Link(url='https://example.gov.cn/f/report.pdf', kind='attachment', text='2024年报告.pdf')]
    """
    text = data if isinstance(data, str) else _decode_head(data if len(data) <= _HEAD_BYTES else data[:4_000_000])
    root = _parse_html(text) if "<" in text else None
    if root is None:
        return []
    out: dict[str, Link] = {}
    for el in root.iter("a", "iframe", "embed", "object"):
        href = el.get("data") if el.tag == "object" else el.get("href") if el.tag == "a" else el.get("src")
        href = (href or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        url = urljoin(base_url, href) if base_url else href
        label = " ".join((el.text_content() if el.tag == "a" else "").split())
        if el.tag == "a":
            if _is_attachment(url, label):
                out.setdefault(url, Link(url, "attachment", label))
        elif _is_attachment(url) or el.tag in ("embed", "object"):
            out.setdefault(url, Link(url, "embedded", label))
    return list(out.values())


# ---------------------------------------------------------------- the sheets
def read_sheet(path: str | Path, *, what: str) -> pd.DataFrame:
    """A CSV/TSV/Excel sheet as strings (empty cells ''), or a one-sentence FazhiError."""
    from .errors import FazhiError

    path = Path(path)
    if not path.is_file():
        raise FazhiError(f"The {what} {str(path)!r} does not exist; give the path of a CSV or Excel file.")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xls"):
            df = pd.read_excel(path, dtype=str)
        else:
            df = pd.read_csv(
                path, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep="\t" if suffix == ".tsv" else ","
            )
    except Exception as exc:  # noqa: BLE001 - any unreadable sheet becomes one sentence
        raise FazhiError(f"The {what} {str(path)!r} could not be read ({type(exc).__name__}: {exc}).") from None
    df.columns = [str(c).strip() for c in df.columns]
    return df.fillna("")


def read_url_sheet(path: str | Path) -> pd.DataFrame:
    """`--urls FILE`: columns `file` and `url` (any case), optionally `retrieved_at` → file, url, retrieved_at."""
    from .errors import FazhiError

    df = read_sheet(path, what="URL sheet")
    lower = {c.lower(): c for c in df.columns}
    missing = [c for c in ("file", "url") if c not in lower]
    if missing:
        raise FazhiError(
            f"The URL sheet {str(path)!r} has no `{missing[0]}` column; it needs the columns file and url "
            f"(and may have retrieved_at); its columns are: {', '.join(df.columns) or '(none)'}."
        )
    out = pd.DataFrame(
        {
            "file": df[lower["file"]].str.strip(),
            "url": df[lower["url"]].str.strip(),
            "retrieved_at": df[lower["retrieved_at"]].str.strip() if "retrieved_at" in lower else "",
        }
    )
    return out[(out["file"] != "") & (out["url"] != "")].reset_index(drop=True)


def manifest_rows(raw_dir: str | Path) -> pd.DataFrame:
    """Every `collect_manifest.csv` under `raw_dir`, its `file` column made relative to `raw_dir`
    (columns source_file, url, final_url, fetched_at, attachment_of, status)."""
    raw_dir = Path(raw_dir)
    frames = []
    for path in sorted(raw_dir.rglob(MANIFEST_NAME)):
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except Exception as exc:  # noqa: BLE001 - a damaged manifest is reported, the build goes on
            print(
                f"warning: {path} could not be read ({type(exc).__name__}: {exc}); its addresses are not used",
                file=sys.stderr,
            )
            continue
        if not {"url", "file"} <= set(df.columns):
            print(f"warning: {path} has no url and file columns; its addresses are not used", file=sys.stderr)
            continue
        folder = PurePosixPath(path.parent.relative_to(raw_dir).as_posix())
        df = df[df["file"] != ""]
        df = df.assign(source_file=[str(folder / f) if str(folder) != "." else f for f in df["file"]])
        frames.append(
            df.reindex(
                columns=["source_file", "url", "final_url", "fetched_at", "attachment_of", "status"], fill_value=""
            )
        )
    if not frames:
        return pd.DataFrame(columns=["source_file", "url", "final_url", "fetched_at", "attachment_of", "status"])
    return pd.concat(frames, ignore_index=True).drop_duplicates("source_file", keep="last")


# ---------------------------------------------------------------- the build step
def source_urls(
    raw_dir: str | Path, source_files: list[str], *, urls: str | Path | pd.DataFrame | None = None
) -> pd.DataFrame:
    """source_file, source_url, retrieved_at, url_source for each of `source_files` (None when unknown)."""
    raw_dir = Path(raw_dir)
    found: dict[str, tuple] = {}
    man = manifest_rows(raw_dir)
    for r in man.itertuples(index=False):
        url = r.final_url or r.url
        if _http_url(url):
            found.setdefault(r.source_file, (url, r.fetched_at or None, "collect_manifest"))
    if urls is not None:
        sheet = urls if isinstance(urls, pd.DataFrame) else read_url_sheet(urls)
        by_name: dict[str, list[str]] = {}
        for f in source_files:
            by_name.setdefault(PurePosixPath(f).name, []).append(f)
        unmatched = []
        for r in sheet.itertuples(index=False):
            key = r.file.replace("\\", "/")
            key = key.removeprefix("./")
            targets = [key] if key in source_files else by_name.get(PurePosixPath(key).name, [])
            if len(targets) != 1:
                unmatched.append(r.file)
                continue
            if not _http_url(r.url):
                unmatched.append(f"{r.file} (its url {r.url!r} is not an http(s) address)")
                continue
            found.setdefault(targets[0], (r.url, r.retrieved_at or None, "urls_sheet"))
        if unmatched:
            shown = ", ".join(unmatched[:5]) + (f" and {len(unmatched) - 5} more" if len(unmatched) > 5 else "")
            print(
                f"warning: {len(unmatched)} row{'s' if len(unmatched) != 1 else ''} of the URL sheet name no single "
                f"file of the folder: {shown}",
                file=sys.stderr,
            )
    rows = []
    for f in source_files:
        hit = found.get(f)
        if hit is None and f.lower().endswith(HTML_SUFFIXES):
            try:
                with open(raw_dir / f, "rb") as fh:
                    p = page_provenance(fh.read(65_536))
            except OSError:
                p = None
            hit = (p.url, p.retrieved_at, p.how) if p else None
        rows.append((f, *(hit or (None, None, None))))
    return pd.DataFrame(rows, columns=["source_file", *URL_COLUMNS])


def add_provenance(
    tables: Mapping[str, pd.DataFrame], raw_dir: str | Path, *, urls: str | Path | pd.DataFrame | None = None
) -> dict[str, pd.DataFrame]:
    """The build step: `reports` with `source_url`, `retrieved_at`, `url_source` after `source_file`;
    `parse_log` with, for each rejected page that only links to its report, the report's address.
    Returns the replaced tables (inputs are not mutated)."""
    out: dict[str, pd.DataFrame] = {}
    reports = tables.get("reports")
    if reports is not None:
        reports = reports.drop(columns=[c for c in URL_COLUMNS if c in reports.columns])
        files = reports["source_file"].astype(str).tolist() if len(reports) else []
        found = source_urls(raw_dir, files, urls=urls).drop_duplicates("source_file")
        merged = (
            reports.merge(found, on="source_file", how="left")
            if len(reports)
            else reports.assign(**{c: pd.Series(dtype="object") for c in URL_COLUMNS})
        )
        cols = list(reports.columns)
        at = cols.index("source_file") + 1 if "source_file" in cols else len(cols)
        merged = merged[cols[:at] + URL_COLUMNS + cols[at:]]
        for c in URL_COLUMNS:  # missing is None, as in the other text columns
            merged[c] = pd.Series(
                [v if isinstance(v, str) and v else None for v in merged[c]], index=merged.index, dtype="object"
            )
        out["reports"] = merged
    log = tables.get("parse_log")
    if log is not None and len(log):
        out["parse_log"] = explain_link_pages(log, raw_dir)
    return out


def explain_link_pages(parse_log: pd.DataFrame, raw_dir: str | Path) -> pd.DataFrame:
    """Rejected HTML pages whose report is an attachment or an embedded document: the link appended
    to the parse log's message (with the file `fazhi collect` saved it as, when it did)."""
    raw_dir = Path(raw_dir)
    rejected = parse_log[
        (parse_log["status"] == "error") & parse_log["source_file"].astype(str).str.lower().str.endswith(HTML_SUFFIXES)
    ]
    if rejected.empty:
        return parse_log
    man = manifest_rows(raw_dir)
    page_url = {r.source_file: (r.final_url or r.url) for r in man.itertuples(index=False)}
    saved_as = {}
    for r in man.itertuples(index=False):
        if r.attachment_of:
            saved_as[r.url] = r.source_file
            if r.final_url:
                saved_as[r.final_url] = r.source_file
    messages = parse_log["messages"].tolist()
    for i, source_file in zip(rejected.index, rejected["source_file"]):
        try:
            data = (raw_dir / source_file).read_bytes()
        except OSError:
            continue
        base = page_url.get(source_file)
        if not base:
            p = page_provenance(data)
            base = p.url if p else None
        links = page_links(data, base)
        if not links:
            continue
        said = []
        for link in links[:5]:
            what = "embedded in the page" if link.kind == "embedded" else "an attachment"
            where = f"; saved as {saved_as[link.url]}" if link.url in saved_as else ""
            said.append(f"{link.url} ({what}{where})")
        more = f" and {len(links) - 5} more" if len(links) > 5 else ""
        note = (
            "the page only links to its report: "
            + ", ".join(said)
            + more
            + (
                ""
                if any(link.url in saved_as for link in links)
                else "; `fazhi collect` saves such attachments beside their page"
            )
        )
        pos = parse_log.index.get_loc(i)
        messages[pos] = "; ".join(m for m in (messages[pos], note) if m)
    return parse_log.assign(messages=messages)


# ---------------------------------------------------------------- citing a report
def _blank(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value)) or str(value).strip() == ""


def _day(value) -> str | None:
    """'2025-03-21T10:15:02+08:00' (or an HTTP date, or a date) → '2025-03-21'."""
    if _blank(value):
        return None
    s = str(value).strip()
    try:
        return datetime.fromisoformat(s).date().isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(s).astimezone(timezone.utc).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return s[:10]


def citation(row: Mapping, lang: str = "en") -> str:
    """A citation line for one report row (GB/T 7714 style for an online document):
    issuer. title[EB/OL]. (published)[retrieved]. URL. — the report year is added after the title
    when the title does not state it; without an address the line says so (in `lang`) and names the file.

    >>> citation({"issuer": "某县", "title": None, "report_year": 2023, "source_file": "a.txt"})
    '某县. (2023年度报告)[EB/OL]. source address unknown (file a.txt).'
    >>> citation({"issuer": "某县", "title": None, "report_year": None, "source_file": "a.txt"}, "zh")
    '某县. (未署标题的报告)[EB/OL]. 来源网址不详（文件 a.txt）.'
    """
    check_lang(lang)
    zh = lang == "zh"
    issuer = None if _blank(row.get("issuer_full")) else str(row["issuer_full"]).strip()
    issuer = issuer or (None if _blank(row.get("issuer")) else str(row["issuer"]).strip())
    title = None if _blank(row.get("title")) else " ".join(str(row["title"]).split())
    year = None if _blank(row.get("report_year")) else int(float(row["report_year"]))
    head = f"{issuer}. " if issuer else ""
    if title:
        head += title + (f"({year}年度)" if year and str(year) not in title else "")
    else:
        head += f"({year}年度报告)" if year else ("(未署标题的报告)" if zh else "(untitled report)")
    head += "[EB/OL]."
    published, retrieved = _day(row.get("publish_date")), _day(row.get("retrieved_at"))
    dates = (f"({published})" if published else "") + (f"[{retrieved}]" if retrieved else "")
    url = None if _blank(row.get("source_url")) else str(row["source_url"]).strip()
    if url:
        return f"{head} {dates + '. ' if dates else ''}{url}."
    if zh:
        where = f"（文件 {row['source_file']}）" if not _blank(row.get("source_file")) else ""
        return f"{head} {dates + '. ' if dates else ''}来源网址不详{where}."
    where = f" (file {row['source_file']})" if not _blank(row.get("source_file")) else ""
    return f"{head} {dates + '. ' if dates else ''}source address unknown{where}."


def with_citations(table: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """`table` (with a `report_id` column) with a `citation` column from `reports` (a new frame)."""
    cite = pd.DataFrame(
        {"report_id": reports["report_id"], "citation": [citation(r) for r in reports.to_dict("records")]}
    )
    return table.merge(cite, on="report_id", how="left")
