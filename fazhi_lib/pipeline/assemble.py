"""Per-file results → the corpus tables: stacked into one frame per table (`stack`, `combine`),
copies of one report found and kept once (`find_duplicates`), every table sorted (`assemble`), so
the tables are the same whatever order the files were parsed in.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np
import pandas as pd

from ..corpus import (
    ITEM_COLUMNS,
    LOG_COLUMNS,
    PART_COLUMNS,
    REPORT_COLUMNS,
    SECTION_COLUMNS,
    TEXT_COLUMNS,
    Corpus,
)
from ..parse import MANDATED_PARTS
from ..parts import sort_keys
from ..sentences import SENTENCE_ENDS
from .worker import FileResult


def _frame(rows: list[dict], columns: list[str] | None = None) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    if columns:
        for c in columns:
            if c not in df.columns:
                df[c] = pd.Series(dtype="object")
        df = df[columns + [c for c in df.columns if c not in columns]]
    return df


# ---------------------------------------------------------------- duplicates
_FORMAT_RANK = {"txt": 0, "html": 1, "docx": 2, "pdf": 3}
NEAR_COPY_SHARE = 0.8  # a copy: this share of the shorter text's sentences are in the longer one


def _compact(text: str) -> str:
    """The text as compared across formats: NFKC (full-width punctuation → ASCII), no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


_SENTENCE_STOP = re.compile(f"[{re.escape(SENTENCE_ENDS)}\n]")


def _sentences(text: str) -> set[str]:
    """The sentences (8+ characters, whitespace and terminators removed) of `text`: split at 。！？；
    and line breaks."""
    # cut first, then each piece without its whitespace: the same pieces as removing every whitespace
    # character but line breaks first (no terminator is whitespace, and str.split() drops the characters
    # a pattern's \s matches), a third less time than re.sub(r"[^\S\n]+", "", text) (a negated class)
    pieces = _SENTENCE_STOP.split(unicodedata.normalize("NFKC", text))
    return {s for s in map("".join, map(str.split, pieces)) if len(s) >= 8}


def text_key(text: str) -> str:
    """What copies of one report in two formats or encodings share: the sha256 of the compared text."""
    return hashlib.sha256(_compact(text).encode("utf-8", "surrogatepass")).hexdigest()


def find_duplicates(
    results: list[FileResult],
    *,
    text_of=None,
    text_keys: dict[str, str] | None = None,
    lengths: dict[str, int] | None = None,
    shares: dict[tuple[str, str], float] | None = None,
) -> dict[str, tuple[str, str]]:
    """source_file of each duplicate → (source_file of the copy kept, message naming it).

    Copies of one report are: the same bytes; the same clean text in another format or encoding
    (a .txt and an .html, GBK and UTF-8); or, for the same issuer and year, a text most of whose
    sentences are in the other's (a truncated copy, a traditional-character copy). The most complete
    copy is kept (most mandated parts, full length, original script, .txt before .html/.docx/.pdf,
    UTF-8 first, then the first file name).

    A build that does not hold every text in memory passes `text_of` (source_file → text, read on
    demand: only texts compared sentence by sentence are asked for), `text_keys` (`text_key` of each
    text) and `lengths` (its length); `shares` keeps the sentence shares measured (by the two files'
    sha256), so that a rebuild compares only pairs it has not seen.
    """
    parsed = [r for r in results if r.report is not None]
    if text_of is None:
        text_of = {r.source_file: (r.tables.get("texts") or [{"text": ""}])[0]["text"] for r in parsed}
    keys = text_keys if text_keys is not None else {r.source_file: text_key(text_of[r.source_file]) for r in parsed}
    length = lengths if lengths is not None else {r.source_file: len(text_of[r.source_file]) for r in parsed}
    shares = shares if shares is not None else {}
    sha_of = {r.source_file: r.report.get("sha256") or "" for r in parsed}
    parent = {r.source_file: r.source_file for r in parsed}

    def root(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a, b):
        parent[root(b)] = root(a)

    for key in (lambda r: r.report["sha256"] or None, lambda r: keys[r.source_file]):
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

    def contained(a: str, b: str) -> float:
        pair = tuple(sorted((sha_of[a], sha_of[b])))
        if all(pair) and pair in shares:
            return shares[pair]
        share = _contained(a, b, text_of, sentences)
        if all(pair):
            shares[pair] = share
        return share

    for group in by_issuer_year.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if root(a.source_file) == root(b.source_file) or not same_place(a.report, b.report):
                    continue
                if contained(a.source_file, b.source_file) >= NEAR_COPY_SHARE:
                    union(a.source_file, b.source_file)
    groups: dict[str, list[FileResult]] = {}
    for r in parsed:
        groups.setdefault(root(r.source_file), []).append(r)
    out: dict[str, tuple[str, str]] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        longest = max(length[m.source_file] for m in members)

        def rank(m, longest=longest):
            rep = m.report
            found = {k for k in (rep.get("part_kinds") or "").split(",") if k in MANDATED_PARTS}
            return (
                -len(found),
                length[m.source_file] < 0.95 * longest,
                rep.get("converted_from") is not None,
                _FORMAT_RANK.get(rep.get("format"), 9),
                {"utf-8": 0, "utf-8-sig": 1}.get(rep.get("encoding"), 2),
                m.source_file,
            )

        # the most complete copy is kept; a near copy joined to it through a file of unknown place but
        # itself of another place (another county's 司法局) is another report: kept too, with its copies
        kept_ones: list = []
        for m in sorted(members, key=rank):
            kept = next((k for k in kept_ones if _one_report(k, m, keys) or same_place(k.report, m.report)), None)
            if kept is None:
                kept_ones.append(m)
                continue
            k, r = kept.report, m.report
            this = (
                f"{r.get('format')}"
                + (f", {r['encoding']}" if r.get("encoding") else "")
                + (f", {r['converted_from']} characters" if r.get("converted_from") else "")
            )
            if r["sha256"] and r["sha256"] == k["sha256"]:
                msg = f"duplicate: the same file as {kept.source_file}; counted once"
            elif keys[m.source_file] == keys[kept.source_file]:
                msg = f"duplicate: the same report text as {kept.source_file} (this copy: {this}); counted once"
            else:
                share = contained(m.source_file, kept.source_file)
                shorter = length[m.source_file] < 0.95 * length[kept.source_file]
                msg = (
                    f"duplicate: {'a shorter' if shorter else 'another'} copy of the report in {kept.source_file} "
                    f"(same issuer {r['issuer']} and year {r['report_year']}; {share:.0%} of this copy's sentences are in it; "
                    f"this copy: {this}); the more complete copy is counted once"
                )
            out[m.source_file] = (kept.source_file, msg)
    return out


_PLACE_FIELDS = ("province", "prefecture", "county")


def same_place(a: dict, b: dict) -> bool:
    """Whether two reports' places can be one: no place field that both know and that differs (as
    `scorecard._same_issuer` tells issuers of one short name apart)."""
    for field in _PLACE_FIELDS:
        x, y = _plain(a.get(field)), _plain(b.get(field))
        if x is not None and y is not None and x != y:
            return False
    return True


def _one_report(a, b, keys: dict) -> bool:
    """The same bytes or the same text: one report, wherever its place fields point."""
    return (
        bool(a.report.get("sha256"))
        and a.report.get("sha256") == b.report.get("sha256")
        or (keys[a.source_file] == keys[b.source_file])
    )


def _contained(a: str, b: str, text_of, cache: dict) -> float:
    """Share of the sentences of the shorter of texts a, b that are in the other."""
    for name in (a, b):
        if name not in cache:
            cache[name] = _sentences(text_of[name])
    sa, sb = cache[a], cache[b]
    small, big = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    return len(small & big) / len(small) if small else 0.0


def near_copy_candidates(results, shares: dict) -> set[str]:
    """The files whose text `find_duplicates` may compare sentence by sentence: members of an issuer
    and year shared by another file of the same place (`same_place`), where some such pair's share is
    not in `shares`."""
    by_issuer_year: dict = {}
    for r in results:
        if r.report is not None and r.report.get("issuer") and r.report.get("report_year"):
            by_issuer_year.setdefault((r.report["issuer"], r.report["report_year"]), []).append(r)
    out = set()
    for group in by_issuer_year.values():
        if len(group) < 2:
            continue
        shas = [r.report.get("sha256") or "" for r in group]
        for i in range(len(group)):
            for j in range(i + 1, len(group)):
                if not same_place(group[i].report, group[j].report):
                    continue
                pair = tuple(sorted((shas[i], shas[j])))
                if not all(pair) or pair not in shares:
                    out.add(group[i].source_file)
                    out.add(group[j].source_file)
    return out


FILE_COLUMN = "_file"  # in the stacked frames: the source file a row came from (dropped from the tables)
_CORE_COLUMNS = {
    "reports": REPORT_COLUMNS,
    "parse_log": LOG_COLUMNS,
    "texts": TEXT_COLUMNS,
    "sections": SECTION_COLUMNS,
    "parts": PART_COLUMNS,
    "problem_items": ITEM_COLUMNS,
}


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
_DUPLICATE_FIELDS = (
    "sha256",
    "issuer",
    "report_year",
    "part_kinds",
    "converted_from",
    "format",
    "encoding",
    "province",
    "prefecture",
    "county",
    FILE_COLUMN,
)


class _Stacked:
    """What `find_duplicates` reads of a file, taken from the stacked frames."""

    __slots__ = ("source_file", "report", "tables")

    def __init__(self, source_file: str, report: dict, text: str):
        self.source_file, self.report, self.tables = source_file, report, {"texts": [{"text": text}]}


def stacked_reports(reports: pd.DataFrame, text_by_file: dict | None = None) -> list[_Stacked]:
    """What `find_duplicates` reads of each report of a stacked `reports` frame, in file order."""
    reports_all = reports.sort_values(FILE_COLUMN, kind="stable")
    text_by_file = text_by_file or {}
    stacked = []
    fields = [c for c in _DUPLICATE_FIELDS if c in reports_all.columns]
    columns = [[_plain(v) for v in reports_all[c].tolist()] for c in fields]  # (column by column: fast)
    for row in zip(*columns):
        rep = dict(zip(fields, row))
        if isinstance(rep.get("report_year"), float):
            rep["report_year"] = int(rep["report_year"])
        stacked.append(_Stacked(rep[FILE_COLUMN], rep, text_by_file.get(rep[FILE_COLUMN], "")))
    return stacked


def assemble(results: list[FileResult] | dict[str, pd.DataFrame], duplicates: dict | None = None) -> Corpus:
    """Per-file results (or their stacked frames, see `stack`) → tables: rows sorted; copies of one
    report kept once (see `find_duplicates`; `duplicates`: its answer, when the caller found them)."""
    frames = results if isinstance(results, dict) else stack(results)
    if duplicates is None:
        texts_all = frames["texts"]
        duplicates = find_duplicates(
            stacked_reports(frames["reports"], dict(zip(texts_all[FILE_COLUMN], texts_all["text"])))
        )
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
        keys = sort_keys(name, df.columns)  # (the part files' keys: one home, parts.SORT_KEYS)
        out[name] = _sorted(df, keys, drop=duplicates.keys() if duplicates and name != "parse_log" else ())
    out["reports"]["report_year"] = out["reports"]["report_year"].astype("Int64")
    out["reports"]["printed_twice"] = out["reports"]["printed_twice"].astype("boolean")
    return Corpus(out)


def _sorted(df: pd.DataFrame, keys: list[str], drop=()) -> pd.DataFrame:
    """`df` without the rows of the files in `drop`, in file order, then sorted by `keys` (both sorts
    stable), without FILE_COLUMN. The order is found on the key columns alone and the rows taken once
    (or not at all when they are in order already): copying the text columns costs more than sorting."""
    df = df.reset_index(drop=True)
    index = df[[FILE_COLUMN, *(k for k in keys if k != FILE_COLUMN)]]
    if len(drop):
        index = index[~index[FILE_COLUMN].isin(drop)]
    if len(index):
        index = index.sort_values(FILE_COLUMN, kind="stable")  # rows in file order, as the files were read
        if keys:
            index = index.sort_values(keys, kind="stable")
    rows = index.index.to_numpy()
    if len(rows) != len(df) or (rows != np.arange(len(df))).any():
        df = df.take(rows)
    return df.drop(columns=FILE_COLUMN).reset_index(drop=True)
