"""Per-file results → the corpus tables: stacked into one frame per table (`stack`, `combine`),
copies of one report found and kept once (`find_duplicates`), every table sorted (`assemble`), so
the tables are the same whatever order the files were parsed in.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter

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
    settled=frozenset(),
) -> dict[str, tuple[str, str]]:
    """source_file of each duplicate → (source_file of the copy kept, message naming it).

    Copies of one report are: the same bytes; the same clean text in another format or encoding
    (a .txt and an .html, GBK and UTF-8); or, for the same issuer and year, a text most of whose
    sentences are in the other's (a truncated copy, a traditional-character copy). The most complete
    copy is kept (most mandated parts, full length, original script, .txt before .html/.docx/.pdf,
    UTF-8 first, then the first file name).

    Within an issuer and year only the pairs that can reach NEAR_COPY_SHARE are compared (`_near_pairs`),
    so a group of thousands of reports (every county's 司法局) costs about its size, not its square;
    the copies found are those of comparing every pair.

    A build that does not hold every text in memory passes `text_of` (source_file → text, read on
    demand: only texts compared sentence by sentence are asked for), `text_keys` (`text_key` of each
    text) and `lengths` (its length). `shares` (by the two files' sha256) is what the last build kept
    and, on return, what the next one needs: the shares at or above NEAR_COPY_SHARE of files still
    present and those named in messages. The issuer-and-year groups in `settled` (`settled_groups`:
    the same files as in the last build) are not compared again: their copies are the pairs of
    `shares`, and their texts are not read (`near_copy_candidates`).
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
    by_issuer_year = _by_issuer_year(parsed)
    sentences: dict[str, set[str]] = {}
    named: set[tuple[str, str]] = set()  # the pairs whose share a message gives

    def contained(a: str, b: str) -> float:
        pair = tuple(sorted((sha_of[a], sha_of[b])))
        if all(pair) and pair in shares:
            return shares[pair]
        share = _contained(a, b, text_of, sentences)
        if all(pair):
            shares[pair] = share
        return share

    # the settled groups: the copies the last build found, from their shares
    settled_shas: dict[str, list[tuple]] = {}
    for key, group in by_issuer_year.items():
        if key in settled and len(group) > 1:
            for r in group:
                if sha_of[r.source_file]:
                    settled_shas.setdefault(sha_of[r.source_file], []).append((key, r))
    for (x, y), share in list(shares.items()):
        if share >= NEAR_COPY_SHARE and x in settled_shas and y in settled_shas:
            for key_a, a in settled_shas[x]:
                for key_b, b in settled_shas[y]:
                    if key_a == key_b and same_place(a.report, b.report):
                        union(a.source_file, b.source_file)
    for key, group in by_issuer_year.items():
        if key in settled or len(group) < 2:
            continue
        names = [r.source_file for r in group]
        # the copies within the group, apart from the rest of the corpus (`local`): the shares kept are
        # then enough to find them again when the group is settled, whatever happens to other groups
        local = list(range(len(group)))

        def local_root(i, local=local):
            while local[i] != i:
                local[i] = local[local[i]]
                i = local[i]
            return i

        for key_of in (lambda f: sha_of[f], lambda f: keys[f]):
            first_of: dict = {}
            for i, f in enumerate(names):
                k = key_of(f)
                if k:
                    local[local_root(i)] = local_root(first_of.setdefault(k, i))
        for name in names:
            if name not in sentences:
                sentences[name] = _sentences(text_of[name])
        for i, j in _near_pairs([sentences[f] for f in names]):
            if local_root(i) == local_root(j) or not same_place(group[i].report, group[j].report):
                continue
            if contained(names[i], names[j]) >= NEAR_COPY_SHARE:
                local[local_root(j)] = local_root(i)
                union(names[i], names[j])
        for name in names:  # (held for one group at a time: a message measures again the few it needs)
            sentences.pop(name, None)
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
                named.add(tuple(sorted((sha_of[m.source_file], sha_of[kept.source_file]))))
                shorter = length[m.source_file] < 0.95 * length[kept.source_file]
                msg = (
                    f"duplicate: {'a shorter' if shorter else 'another'} copy of the report in {kept.source_file} "
                    f"(same issuer {r['issuer']} and year {r['report_year']}; {share:.0%} of this copy's sentences are in it; "
                    f"this copy: {this}); the more complete copy is counted once"
                )
            out[m.source_file] = (kept.source_file, msg)
    # what the next build needs: the copies (a group settled then finds its own again) and the messages'
    # shares, not every pair measured (that many grows with the square of a group)
    present = set(sha_of.values())
    for pair in [p for p, s in shares.items() if p not in named and (s < NEAR_COPY_SHARE or not present.issuperset(p))]:
        del shares[pair]
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


def _by_issuer_year(records) -> dict[tuple, list]:
    """The parsed records with an issuer and a year, by (issuer, report_year), in their order."""
    out: dict = {}
    for r in records:
        if r.report is not None and r.report.get("issuer") and r.report.get("report_year"):
            out.setdefault((r.report["issuer"], r.report["report_year"]), []).append(r)
    return out


def _contained(a: str, b: str, text_of, cache: dict) -> float:
    """Share of the sentences of the shorter of texts a, b that are in the other."""
    for name in (a, b):
        if name not in cache:
            cache[name] = _sentences(text_of[name])
    sa, sb = cache[a], cache[b]
    small, big = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    return len(small & big) / len(small) if small else 0.0


def _needed(n: int) -> int:
    """The fewest sentences k of a set of n (n ≥ 1) for which `_contained` gives k / n >= NEAR_COPY_SHARE,
    found with the same float division (0.8 * n is not always exact).

    >>> [_needed(n) for n in (1, 4, 5, 9, 10)]
    [1, 4, 4, 8, 8]
    """
    k = min(n, math.ceil(n * NEAR_COPY_SHARE))
    while k > 0 and (k - 1) / n >= NEAR_COPY_SHARE:
        k -= 1
    while k / n < NEAR_COPY_SHARE:
        k += 1
    return k


_EXTRA = 3  # sentences looked up past the prefix, so that a candidate must hold more than one of them


def _near_pairs(sets: list[set[str]]):
    """The pairs (i, j) of `sets` where set j holds NEAR_COPY_SHARE of the sentences of set i, the
    smaller (of two of one size: the first), as `_contained` measures it; each pair once, by i.

    Prefix filtering (as in set-similarity joins): if the smaller set S (n sentences; of two sets of
    one size, the first) shares k ≥ `_needed(n)` sentences with B, B misses at most n − k of S's, so
    it holds at least e + 1 of any n − _needed(n) + 1 + e of them. S's rarest sentences (fewest sets
    holding them, ties by the sentence) are the ones looked up: its own ones, which no other set holds,
    rule every other set out at once, and a template's sentences, which every set holds, are looked
    up only for a set made mostly of them (then with the e further ones, so that few sets remain).
    """
    held = Counter()  # sentence → the sets holding it
    for s in sets:
        held.update(s)
    multi = {x for x, k in held.items() if k > 1}
    plans = []
    for i, s in enumerate(sets):
        n = len(s)
        if not n:
            continue
        prefix = n - _needed(n) + 1
        shared = s & multi
        own = n - len(shared)  # (the rarest of all: held by S alone)
        if own >= prefix:  # the prefix is S's own sentences: no other set can hold enough
            continue
        extra = min(n - prefix, _EXTRA)
        plans.append((i, n, extra, sorted(shared, key=lambda x: (held[x], x))[: prefix + extra - own]))
    if not plans:
        return
    looked_up = set().union(*(rarest for *_, rarest in plans))
    holders: dict[str, list[int]] = {x: [] for x in looked_up}
    for i, s in enumerate(sets):
        for x in s & looked_up:
            holders[x].append(i)
    arrays = {x: np.array(h) for x, h in holders.items()}
    sizes = np.array([len(s) for s in sets])
    for i, n, extra, rarest in plans:
        hits = np.concatenate([arrays[x] for x in rarest])
        if len(hits) * 8 < len(sets):  # (few: sorted; many, as a template's sentences give: counted)
            found, counts = np.unique(hits, return_counts=True)
        else:
            counts = np.bincount(hits, minlength=len(sets))
            found = np.flatnonzero(counts)
            counts = counts[found]
        m = sizes[found]
        needed, s = _needed(n), sets[i]
        for j in found[(counts > extra) & ((m > n) | ((m == n) & (found > i)))].tolist():
            if len(s & sets[j]) >= needed:
                yield i, j


def settled_groups(records, last_records, unchanged: set[str]) -> set[tuple]:
    """The (issuer, report_year) groups of `records` that the last build compared and that have not
    changed: every member and every member then is a file in `unchanged` (the same name and bytes as
    then; its parse, issuer and year included, is the same, the code being the same)."""
    now, then = _by_issuer_year(records), _by_issuer_year(last_records)
    touched = set()
    for groups in (now, then):  # (a file without a sha256 has no share kept: its group is compared again)
        touched |= {
            k for k, g in groups.items() if any(r.source_file not in unchanged or not r.report.get("sha256") for r in g)
        }
    return set(now) - touched


def near_copy_candidates(results, *, settled=frozenset()) -> set[str]:
    """The files whose text `find_duplicates` may compare sentence by sentence: the members of an
    issuer and year shared by another file, but for the `settled` groups (a pair of two places is
    never a copy, `same_place`, but the search for the pairs that share enough reads every member)."""
    return {
        r.source_file
        for key, group in _by_issuer_year(results).items()
        if len(group) > 1 and key not in settled
        for r in group
    }


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
