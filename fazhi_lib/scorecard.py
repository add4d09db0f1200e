"""Report-quality scorecard: one row per report, seven measures the literature on these reports uses.

>>> card = scorecard(load_corpus("data/processed"))                        # doctest: +SKIP
>>> card.set_index("issuer").loc["塘栖镇", ["completeness", "timeliness", "days_before_deadline"]]  # doctest: +SKIP
completeness              1.0
timeliness            on_time
days_before_deadline       11

Each measure is defined in one sentence, with its source, in README.md ("Report-quality scorecard"):

- completeness: the share of the five mandated parts (achievements, problems, duty, plan, other) that
  the report has as top-level parts (`parts_present` / 5); `missing_parts`, and `empty_parts` for a
  part that is a heading with nothing under it;
- timeliness: the publication date against 1 April of the year after the report year
  (`on_time`, `late`; `unknown` when the page gives no publication date or the report no year);
- quantification density: numerals with a unit (measurements: counts, rates, money, areas, changes;
  not durations such as 满5年) per 1,000 characters of the clean text; reported zeros written without
  a numeral (全年无行政诉讼案件) are counted apart, in `n_reported_zeros`;
- candour: the problems part's length relative to the achievements part's, and the share of problem
  items that state a concrete fact (a number with a unit, or a worked example: 比如, 例如);
- templating: the highest cosine similarity of the problems part to any *other* issuer's problems part;
- stickiness: the cosine similarity of the problems part to the same issuer's previous report's;
- hard information: the share of sentences holding at least one numeral with a unit (as counted for the
  density).

Numerals with a unit come from the `indicators` table when the corpus has one with offsets (one row per
mention, `quant_source` = "indicators": rows of kind `duration` and reported zeros left out, see
`is_measurement`); otherwise from the small regular expression `QUANTITY` below (`quant_source` =
"regex"; it finds no reported zeros, so `n_reported_zeros` is then missing). Similarities are cosines of TF-IDF vectors of character 2–3-grams (the
numbers of scikit-learn's TfidfVectorizer, bit for bit, computed here with numpy and scipy), fitted on the
problems parts of the whole corpus, with the part's heading line, the issuer's own name and the digits
masked out. Written by `fazhi build` as table `scorecard` (`scorecard_stage`, a CORPUS_STAGE).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections import defaultdict
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from .labels import PLACE_FIELDS, issuer_places, report_labels
from .sections import PART_KINDS
from .sentences import SENTENCE_ENDS, sentence_spans

MANDATED_PARTS = PART_KINDS
# 《法治政府建设与责任落实督察工作规定》(2019) art. 24: reports are made public before 1 April of the next year.
DEADLINE_MONTH, DEADLINE_DAY = 4, 1
TIMELINESS = ("on_time", "late", "unknown")
NGRAM_RANGE = (2, 3)

SCORECARD_COLUMNS = [
    "report_id",
    "issuer",
    "report_year",
    "level",
    # completeness
    "parts_present",
    "completeness",
    "missing_parts",
    "empty_parts",
    # timeliness
    "publish_date",
    "deadline",
    "days_before_deadline",
    "timeliness",
    # quantification density, hard information
    "n_chars",
    "n_quantities",
    "quant_density",
    "n_reported_zeros",
    "n_sentences",
    "n_hard_sentences",
    "hard_info_share",
    "quant_source",
    # candour
    "achievements_chars",
    "problems_chars",
    "candour_ratio",
    "n_problem_items",
    "n_items_with_facts",
    "candour_fact_share",
    # templating, stickiness
    "template_similarity",
    "template_peer",
    "previous_report_id",
    "previous_year",
    "stickiness",
    "notes",
]
# The measures, in the order the notebooks show them (column → short label).
MEASURES = {
    "completeness": "completeness",
    "days_before_deadline": "days before 1 April",
    "quant_density": "numbers / 1,000 chars",
    "hard_info_share": "hard information",
    "candour_ratio": "problems / achievements",
    "candour_fact_share": "items with facts",
    "template_similarity": "templating",
    "stickiness": "stickiness",
}

# ------------------------------------------------------------------ numbers with a unit (fallback)
_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
# Units after a number. Counts, people, money, rates, areas. Not 年/月/日/号 (dates, years, document
# numbers) and not durations (满5年, 15分钟): they are not measurements of the work done.
_UNITS = (
    "个百分点|人次|件次|场次|户次|家次|批次|余人|万元|亿元|千元|平方公里|平方米|平米|课时|学时|"
    "件|起|宗|例|次|场|期|轮|堂|节|人|名|位|户|家|个|项|条|份|本|篇|册|张|套|支|所|座|处|批|类|"
    "元|亩|公顷|倍|%|‰"
)
# 1090件  1,090件  33.75万元  3万余人次  41.63%  92%以上  十余件  两万余人次  三起  两名律师  百分之百
QUANTITY = re.compile(
    # a number starts after no digit, '.', 第, nor a comma that itself follows a digit (inside 1,090)
    rf"(?<![\d.第])(?<!\d,)\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?(?:余|多)?(?:万|亿)?(?:余|多)?(?:{_UNITS})"
    rf"|(?<![\d.第])(?<!\d,)\d+(?:\.\d+)?(?:余|多)?(?:万|亿)?(?:余|多)?(?:{_UNITS})"
    # Chinese numerals (十名, 两名律师, 百余人次): not a lone 一 (一个/一次/一件事 are idioms), never with 个
    # (两个维护), not after 周/届 (周五轮流, 二十届八次全会), not in fixed terms (三项制度, 三位一体)
    rf"|(?<![{_CN_DIGITS}第周届])(?:[零〇一二两三四五六七八九十][{_CN_DIGITS}]+|[零〇二两三四五六七八九十]|[百千万](?=余|多))"
    rf"(?:余|多)?(?:{_UNITS.replace('|个|', '|')})(?!事|制度|一体|全会|流|合一)"
    r"|百分之[百\d十一二三四五六七八九点.]+"
)
# A worked example in a problem item: 比如,部分村社干部… / 例如 / 以某某案为例
EXAMPLE = re.compile(r"比如|例如|譬如|以[^,，。;；]{1,20}为例")
# A sentence ends at 。！？； (or their ASCII forms) or at a line break; one without a word character
# (a lone "”" after 。) is not a sentence. 全年召开会议31次。 / 审查合同5份; / 无
_TERMINATORS = SENTENCE_ENDS
# Once every terminator is a line break, a sentence is a line with a word character: this finds the
# lines without one (empty or "”"), in "\n" + text + "\n".
_BLANK_LINE = re.compile(r"\n[^\w\n]*(?=\n)")
_WORD = re.compile(r"\w")
# What the similarity measures see: CJK characters, letters and '#' for a run of digits.
_NON_WORD = re.compile(r"[^\w#]+")  # and '_' (dropped apart: a pattern that opens with a class is searched fast)
_DIGITS = re.compile(r"\d\d*(?:[.,]\d+)*")  # \d+(?:[.,]\d+)*, opening with a class for the same reason
# A character `_similarity_text` keeps: a word character but '_', or '#' (digits become '#')
_KEPT = re.compile(r"[^\W_]|#")


def quantities(text: str) -> list[tuple[int, int]]:
    """(start, end) of each numeral with a unit in `text` (the regex fallback).

    >>> text = "全镇机关干部77人,不足5%,聘用两名律师,出现3起案件。2024年"
    >>> [text[a:b] for a, b in quantities(text)]
    ['77人', '5%', '两名', '3起']
    >>> quantities("指标体系,29个")    # a number after a comma (not inside 1,090)
    [(5, 8)]
    """
    return [(m.start(), m.end()) for m in QUANTITY.finditer(text or "")]


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence holding at least one word character.

    >>> sentences("一、成效\\n全年召开会议31次。调解纠纷;无")
    [(0, 4), (5, 15), (15, 20), (20, 21)]
    """
    return sentence_spans(text or "")


def _sentence_counts(text: str, starts: list[int]) -> tuple[int, int]:
    """(sentences, sentences holding one of the sorted positions `starts`) of `text`: the counts of
    `sentences(text)` and of those containing a mention, in a few passes of string methods (a regex match
    per sentence costs more than the rest of the scorecard on a long report).

    >>> _sentence_counts("一、成效\\n全年召开会议31次。调解纠纷;无", [11, 17])
    (4, 2)
    """
    flat = text
    for stop in _TERMINATORS:
        flat = flat.replace(stop, "\n")  # a sentence is now a line (its terminator the line break after it)
    n_sentences = flat.count("\n") + 1 - len(_BLANK_LINE.findall("\n" + flat + "\n"))
    n_hard, end, size = 0, 0, len(text)
    for p in starts:
        if p < end:  # in the sentence of the mention before: counted (or not a sentence) already
            continue
        if p >= size:
            break
        stop = flat.find("\n", p)
        end = size if stop < 0 else stop + (text[stop] != "\n")  # a terminator belongs to its sentence
        n_hard += _in_sentence(text, flat, p)
    return n_sentences, n_hard


def _in_sentence(text: str, flat: str, p: int) -> bool:
    """Whether position `p` of `text` lies in one of `sentences(text)` (`flat`: `text` with its
    terminators made line breaks)."""
    if _WORD.match(text, p):  # a number's first digit, nearly always
        return True
    if text[p] == "\n":
        return False
    if flat[p] == "\n":  # a terminator: part of the sentence it closes, if there is one
        if p == 0 or flat[p - 1] == "\n":
            return False
        end = p
    else:
        end = flat.find("\n", p)
        end = len(text) if end < 0 else end
    return _WORD.search(text, flat.rfind("\n", 0, end) + 1, end) is not None


def timeliness(report_year, publish_date) -> tuple[str | None, int | None, str, str]:
    """(deadline, days before it, status, note) for a report on `report_year` published on `publish_date`.

    >>> timeliness(2024, "2025-03-21")
    ('2025-04-01', 11, 'on_time', '')
    >>> timeliness(2025, None)
    ('2026-04-01', None, 'unknown', 'no publication date on the page')
    """
    if report_year is None or pd.isna(report_year):
        return None, None, "unknown", "no report year"
    deadline = dt.date(int(report_year) + 1, DEADLINE_MONTH, DEADLINE_DAY)
    if publish_date is None or pd.isna(publish_date) or not str(publish_date).strip():
        return deadline.isoformat(), None, "unknown", "no publication date on the page"
    try:
        published = dt.date.fromisoformat(str(publish_date)[:10])
    except ValueError:
        return deadline.isoformat(), None, "unknown", f"publication date {publish_date!r} is not an ISO date"
    if published.year < int(report_year):
        return (
            deadline.isoformat(),
            None,
            "unknown",
            (f"published {published} before the report year {int(report_year)} began: check the page's date"),
        )
    days = (deadline - published).days
    return deadline.isoformat(), days, ("on_time" if days > 0 else "late"), ""


_timeliness = functools.lru_cache(maxsize=4096)(timeliness)  # reports share years and publication days


# ------------------------------------------------------------------ helpers
_REPORT_FIELDS = (
    "report_id",
    "issuer",
    "issuer_full",
    "report_year",
    "level",
    "publish_date",
    "province",
    "prefecture",
    "county",
)


def _records(reports: pd.DataFrame) -> list[dict]:
    """The rows of `reports` as dicts, only the fields the scorecard reads (a missing one reads as None)."""
    fields = [c for c in _REPORT_FIELDS if c in reports.columns]
    return [dict(zip(fields, row)) for row in zip(*(reports[c].tolist() for c in fields))]


def _place_key(row) -> tuple:
    return tuple(
        v if isinstance(v, str) or not pd.isna(v) else None
        for v in (row.get("province"), row.get("prefecture"), row.get("county"))
    )


def _same_issuer(a: dict, b: dict) -> bool:
    """Same short name and no place field that tells them apart (both known and different)."""
    if a["issuer"] is None or b["issuer"] is None or a["issuer"] != b["issuer"]:
        return False
    return all(x is None or y is None or x == y for x, y in zip(a["place"], b["place"]))


def _issuer_names(report: dict) -> list[str]:
    names = {str(report.get(k)) for k in ("issuer", "issuer_full") if isinstance(report.get(k), str) and report.get(k)}
    return sorted(names, key=len, reverse=True)


def _without_heading(part_text: str, heading: str | None) -> str:
    """The part from the end of its heading on (the heading found on the first line), or all of it."""
    text = part_text or ""
    return text[_body_start(text, heading) :]


def _body_start(text: str, heading: str | None) -> int:
    """Where the part's body starts: after the heading's first occurrence on the first line, else at 0."""
    end = text.find("\n")
    at = text.find(heading, 0, len(text) if end < 0 else end) if heading else -1
    return at + len(heading) if at >= 0 else 0


def _similarity_text(part_text: str, heading: str | None, names: list[str]) -> str:
    """The part without its heading line, issuer names masked, digits as '#', punctuation dropped."""
    text = _without_heading(part_text, heading)
    for name in names:
        text = text.replace(name, "")
    return "".join(map(_masked_line, text.split("\n")))


@functools.lru_cache(maxsize=1 << 14)
def _masked_line(line: str) -> str:
    """A line with digit runs as '#' and all but word characters and '#' dropped (cached: the lines of a
    template recur in every copy of it)."""
    return _NON_WORD.sub("", _DIGITS.sub("#", line)).replace("_", "")


def _has_body(part_text: str, heading: str | None) -> bool:
    """Whether `_similarity_text(part_text, heading, [])` is not empty: something under the heading."""
    text = part_text or ""
    return _KEPT.search(text, _body_start(text, heading)) is not None


_HEAD = 200  # characters of a part that `_part_facts` reads first


def _part_facts(parts: pd.DataFrame) -> tuple[list, list, list, list]:
    """report_id, kind, length and (for the mandated kinds) `_has_body` of each part with a report_id.
    Only the first _HEAD characters of a text leave the table, unless they cannot tell whether the part
    has a body (a first line longer than that, or nothing but punctuation in them)."""
    has_id = parts["report_id"].notna()
    known = parts if has_id.all() else parts[has_id]  # (a filter copies the texts: only when it drops rows)
    text = known["text"]
    if pd.api.types.is_string_dtype(text):
        lengths = text.str.len().fillna(0).astype("int64").tolist()
        heads = text.str.slice(0, _HEAD).tolist()
    else:  # not all strings: read them all
        heads = text.tolist()
        lengths = [len(t) if isinstance(t, str) else 0 for t in heads]
    kinds, headings = known["kind"].tolist(), known["heading"].tolist()
    bodies = []
    for j, (kind, heading, head, length) in enumerate(zip(kinds, headings, heads, lengths)):
        if kind not in MANDATED_PARTS:
            bodies.append(None)
            continue
        found = _head_has_body(head, heading, length)
        bodies.append(_has_body(text.iloc[j], heading) if found is None else found)
    return known["report_id"].tolist(), kinds, lengths, bodies


def _head_has_body(head, heading, length: int) -> bool | None:
    """`_has_body` of a part of `length` characters from its first _HEAD characters (`head`); None if
    they cannot tell."""
    if not isinstance(head, str) or (heading and not isinstance(heading, str)):
        return None
    if length <= len(head):  # the whole part
        return _has_body(head, heading)
    if "\n" in head:  # the first line, where the heading is looked for, is all there
        start = _body_start(head, heading)
    else:
        at = head.find(heading) if heading else 0
        if at < 0:
            return None
        start = at + len(heading) if heading else 0
    return True if _KEPT.search(head, start) else None


_NUMERAL_ZERO = re.compile(r"[0０零〇]")  # a zero written as a numeral: 败诉案件0件


def is_measurement(kind, value, raw) -> bool:
    """Whether an `indicators` row counts as a numeral with a unit for the scorecard: not a duration
    (满5年, 连续四年) and not a reported zero written without a numeral (全年无行政诉讼案件).

    >>> is_measurement("count", 1090.0, "1090件"), is_measurement("duration", 5.0, "5年")
    (True, False)
    >>> is_measurement("count", 0.0, "无行政诉讼案件"), is_measurement("count", 0.0, "0件")
    (False, True)
    """
    return kind != "duration" and not is_reported_zero(value, raw)


def is_reported_zero(value, raw) -> bool:
    """A zero the report states in words, with no numeral written (未发生败诉案件).

    >>> is_reported_zero(0.0, "未发生败诉案件"), is_reported_zero(0.0, "0件"), is_reported_zero(3.0, "3起")
    (True, False, False)
    """
    try:
        zero = value is not None and not pd.isna(value) and float(value) == 0
    except (TypeError, ValueError):
        return False
    return zero and not _NUMERAL_ZERO.search(str(raw or ""))


def _reported_zeros(tables: dict[str, pd.DataFrame], texts: dict[str, str]) -> dict[str, int] | None:
    """report_id → reported zeros in the `indicators` table; None without that table."""
    ind = tables.get("indicators")
    if ind is None or not {"report_id", "value", "raw"} <= set(ind.columns):
        return None
    known = ind[ind["report_id"].notna()]
    zeros = [is_reported_zero(v, r) for v, r in zip(known["value"].tolist(), known["raw"].tolist())]
    counts = known.loc[zeros, "report_id"].value_counts()
    return {rid: int(counts.get(rid, 0)) for rid in texts}


def _mention_starts(tables: dict[str, pd.DataFrame], texts: dict[str, str]) -> tuple[dict[str, list[int]], str]:
    """report_id → sorted start offsets of the numerals with a unit (one per mention, `is_measurement`),
    and the source used."""
    ind = tables.get("indicators")
    if ind is not None and {"report_id", "start", "end"} <= set(ind.columns):
        known = ind[ind["report_id"].notna() & ind["start"].notna() & ind["end"].notna()]
        if {"kind", "value", "raw"} <= set(known.columns):
            keep = [
                is_measurement(k, v, r)
                for k, v, r in zip(known["kind"].tolist(), known["value"].tolist(), known["raw"].tolist())
            ]
            known = known.loc[keep]
        codes, rids = pd.factorize(known["report_id"])
        starts = known["start"].to_numpy(dtype=np.int64)
        starts = starts[np.lexsort((starts, codes))].tolist()  # by report, then start
        ends = np.cumsum(np.bincount(codes, minlength=len(rids))).tolist()
        by_report = {rid: starts[a:b] for rid, a, b in zip(rids, [0, *ends[:-1]], ends)}
        return {rid: by_report.get(rid, []) for rid in texts}, "indicators"
    return {rid: [a for a, _ in quantities(text)] for rid, text in texts.items()}, "regex"


# ------------------------------------------------------------------ similarity measures
_SORT_RUN = 1 << 18  # n-grams cut, numbered and sorted together (whole texts), `_char_ngram_counts`


def _char_ngram_counts(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(indptr, columns, counts, number of columns): the character n-gram counts (n in NGRAM_RANGE) of
    each of `texts` as the rows of a CSR matrix, each row in column order. Columns are numbered in order of
    first appearance, reading text after text and in each its 2-grams left to right, then its 3-grams (as
    scikit-learn's CountVectorizer numbers them before sorting its vocabulary). An n-gram is counted as one
    integer, its code points + 1 in 21 bits each, so the corpus is counted by hash tables and sorts
    instead of a Python string per n-gram.

    The texts are read in runs of about _SORT_RUN n-grams (whole texts): a run's n-grams are numbered
    by first appearance in the run, then the runs' distinct n-grams, run after run, by first appearance
    over them all, which is the order of numbering every n-gram at once; the tables and sorts stay small
    enough for the processor's caches however large the corpus (one table of every n-gram did not).
    """
    low, high = NGRAM_RANGE
    assert 21 * high < 64, "n-grams are packed into 64-bit integers"
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    per_text = sum(np.maximum(lengths - n + 1, 0) for n in range(low, high + 1))  # n-grams of each text
    ends = np.cumsum(per_text)
    if not len(texts) or not ends[-1]:
        empty = np.zeros(0, dtype=np.int32)
        return np.zeros(len(texts) + 1, dtype=np.int64), empty, empty, 0
    bounds = [0, *(np.flatnonzero(np.diff(ends // _SORT_RUN)) + 1).tolist(), len(texts)]
    runs = list(zip(bounds[:-1], bounds[1:]))
    codes, uniques = [], []
    for lo, hi in runs:
        code, unique = pd.factorize(_ngram_keys(texts[lo:hi], lengths[lo:hi]))  # by first appearance in the run
        codes.append(code.astype(np.int32))
        uniques.append(unique)
    column_of = pd.factorize(np.concatenate(uniques))[0]  # by first appearance over all texts
    n_cols = int(column_of.max()) + 1
    column_type = np.int32 if n_cols < 2**31 else np.int64  # (half the memory: a build's largest arrays)
    columns, counts, sizes, at = [], [], [], 0
    for (lo, hi), code, unique in zip(runs, codes, uniques):
        cells = column_of[at : at + len(unique)][code]  # each n-gram's column, then text × column
        at += len(unique)
        cells += np.repeat(np.arange(hi - lo) * n_cols, per_text[lo:hi])
        cells.sort()  # the cells of one text in column order
        first = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]]) if len(cells) else cells
        counts.append(np.diff(np.r_[first, len(cells)]).astype(np.int32))
        cells = cells[first]
        columns.append((cells % n_cols).astype(column_type))
        sizes.append(np.bincount(cells // n_cols, minlength=hi - lo))
    indptr = np.concatenate(([0], np.cumsum(np.concatenate(sizes))))
    return indptr, np.concatenate(columns), np.concatenate(counts), n_cols


def _ngram_keys(texts: list[str], lengths: np.ndarray) -> np.ndarray:
    """Every n-gram of `texts` (their `lengths`) packed in an integer, in reading order: text after text,
    in each its 2-grams left to right, then its 3-grams."""
    low, high = NGRAM_RANGE
    utf32 = "".join(texts).encode("utf-32-le", "surrogatepass")
    codes = np.frombuffer(utf32, dtype=np.uint32).astype(np.int64) + 1
    starts = np.cumsum(lengths) - lengths
    per_n = [np.maximum(lengths - n + 1, 0) for n in range(low, high + 1)]  # n-grams of each text, per n
    per_text = sum(per_n)
    keys = np.empty(int(per_text.sum()), dtype=np.int64)
    offset = np.cumsum(per_text) - per_text
    for n, count in zip(range(low, high + 1), per_n):
        i = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)  # position in its text
        at = np.repeat(starts, count) + i
        key = codes[at]
        for j in range(1, n):
            key = (key << 21) | codes[at + j]
        keys[np.repeat(offset, count) + i] = key
        offset = offset + count
    return keys


_ROW_BLOCK = 1 << 20  # entries of the rows weighted and normalised together, `_char_tfidf`


def _row_entries(indptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The positions of the entries of `rows` in a CSR matrix with `indptr`, row after row."""
    sizes = indptr[rows + 1] - indptr[rows]
    return np.repeat(indptr[rows] - (np.cumsum(sizes) - sizes), sizes) + np.arange(int(sizes.sum()))


class _Vectors(NamedTuple):
    """TF-IDF vectors of the distinct texts of some docs (`_char_tfidf`)."""

    matrix: Any  # CSR, one unit row per distinct text: scikit-learn's numbers
    rows: list[int]  # the row of each doc
    weights: np.ndarray  # matrix.data before the division by the row norms
    counts: np.ndarray  # the n-gram counts behind them
    norms: np.ndarray  # each row's norm


def _char_tfidf(docs: list[str]) -> _Vectors:
    """TF-IDF vectors of the character 2–3-grams of the distinct texts in `docs`, one row per distinct
    text in order of first appearance, and the row of each of `docs`.

    The numbers are scikit-learn's `TfidfVectorizer(analyzer="char", ngram_range=NGRAM_RANGE,
    lowercase=False, sublinear_tf=True, norm="l2").fit_transform(docs)`, bit for bit, stored in the same
    order within each row: columns are numbered in order of first appearance, as scikit-learn counts them
    before renaming them alphabetically (which moves no value, so every sum below adds the same numbers in
    the same order). Copies of a text count in the document frequencies but are vectorised once. The texts
    hold no white space (`_similarity_text` drops it), so scikit-learn's white-space folding changes nothing.
    Costs a scipy import instead of scikit-learn's (about 2 s).
    """
    from scipy import sparse

    row_of_text: dict[str, int] = {}
    rows = [row_of_text.setdefault(d, len(row_of_text)) for d in docs]
    indptr, columns, counts, n_cols = _char_ngram_counts(list(row_of_text))
    if not n_cols:
        raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
    n_rows = len(row_of_text)
    lengths = np.diff(indptr)
    # document frequencies: each distinct text once, then its other copies (sums of whole numbers: exact
    # in any order, so the same numbers as summing every doc's)
    extra = np.bincount(rows, minlength=n_rows) - 1
    df = np.bincount(columns, minlength=n_cols).astype(np.float64)
    if extra.any():
        multi = np.flatnonzero(extra)
        at = _row_entries(indptr, multi)
        df += np.bincount(
            columns[at], weights=np.repeat(extra[multi], lengths[multi]).astype(np.float64), minlength=n_cols
        )
    df += 1.0
    idf = np.full(n_cols, len(docs) + 1, dtype=np.float64)  # smooth idf: log((n + 1) / (df + 1)) + 1
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    weights = counts.astype(np.float64)
    np.log(weights, out=weights)  # sublinear tf: 1 + log(count)
    weights += 1.0
    # Then a block of rows at a time, in place where they can be (arrays the size of the corpus, fresh
    # pages each, cost more per entry the larger they were): × idf; the L2 norms summed entry by entry in
    # row order, as scikit-learn's loop does (numpy's sum would pair them), by scipy's product of a
    # one-column matrix of the squares with [1], which adds each row's terms one after the other from 0;
    # the rows divided by them.
    index_type = np.int32 if indptr[-1] < 2**31 else np.int64
    unit, norms, ones = np.empty_like(weights), np.empty(n_rows), np.ones(1)
    bounds = [0, *(np.flatnonzero(np.diff(indptr[1:] // _ROW_BLOCK)) + 1).tolist(), n_rows]
    zeros = np.zeros(int(np.diff(indptr[bounds]).max()), dtype=index_type)
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        start, end = indptr[lo], indptr[hi]
        w = weights[start:end]
        w *= idf[columns[start:end]]
        squares = sparse.csr_matrix(
            (w * w, zeros[: end - start], (indptr[lo : hi + 1] - start).astype(index_type)), shape=(hi - lo, 1)
        )
        block = np.sqrt(squares @ ones)
        block[block == 0] = 1.0
        norms[lo:hi] = block
        np.divide(w, np.repeat(block, lengths[lo:hi]), out=unit[start:end])
    matrix = sparse.csr_matrix(
        (unit, columns.astype(index_type, copy=False), indptr.astype(index_type)), shape=(n_rows, n_cols)
    )
    return _Vectors(matrix, rows, weights, counts, norms)


class _Issuers:
    """Which reports share an issuer (`_same_issuer`), found without comparing every pair of a short name.

    A short name such as 城关镇 is held by hundreds of towns, each with reports of several years, and a
    report's place fields may be missing; comparing every pair of one name grows with the square of the
    corpus. Two reports of one short name are the same issuer when their place tuples agree on every
    field both know. A tuple s is found from a tuple t by its known fields K(s): s is the same issuer as t
    exactly when s and t agree on K(s) ∩ K(t), so each s is filed under (K(s), J, s's values on J) for
    every J ⊆ K(s), and t looks up (K, K ∩ K(t), t's values on K ∩ K(t)) for each of the 8 possible K.
    The previous report (`previous`) is stricter: of the same body, one (short name, place as
    `labels.issuer_places` gives it) — a lookup, no comparison.
    """

    def __init__(self, recs: list[dict]):
        self.recs = recs
        self.by_place: dict[tuple, list[int]] = defaultdict(list)  # (issuer, place) → its reports, in order
        self.by_body: dict[tuple, list[int]] = defaultdict(list)  # (issuer, its place as issuer_places has it)
        for i, r in enumerate(recs):
            if r["issuer"]:
                self.by_place[r["issuer"], r["place"]].append(i)
                self.by_body[r["issuer"], r.get("body", r["place"])].append(i)
        self.filed: dict[tuple, list[tuple]] = defaultdict(list)  # (issuer, K, J, values on J) → places
        for issuer, place in self.by_place:
            known = _KNOWN[place[0] is not None, place[1] is not None, place[2] is not None]
            for J in _SUBSETS[known]:
                self.filed[issuer, known, J, tuple([place[f] for f in J])].append(place)
        self._same: dict[tuple, list[tuple]] = {}
        self._years: dict[tuple, tuple[list[int], list[int]]] = {}

    def places(self, issuer: str, place: tuple) -> list[tuple]:
        """The place tuples of `issuer`'s reports that are the same issuer as one at `place`."""
        key = (issuer, place)
        if key not in self._same:
            found = []
            for K, J in _LOOKUPS[place[0] is not None, place[1] is not None, place[2] is not None]:
                found += self.filed.get((issuer, K, J, tuple([place[f] for f in J])), ())
            self._same[key] = found
        return self._same[key]

    def same(self, i: int) -> list[int]:
        """The reports with the same issuer as report i (i among them); none when it has no issuer."""
        r = self.recs[i]
        if not r["issuer"]:
            return []
        return [j for place in self.places(r["issuer"], r["place"]) for j in self.by_place[r["issuer"], place]]

    def previous(self, i: int) -> int | None:
        """The report of the same body of the latest year before report i's (ties: the smallest
        report_id), or None. The same body: the same short name and the same place as
        `labels.issuer_places` gives it (`body`; else the place as it is), as the indicator panel keys
        issuers, not any place that agrees: a city's 司法局 (no county) and a district's are two bodies."""
        r = self.recs[i]
        if not r["issuer"] or r["year"] is None:
            return None
        years, reports = self._yearly(r["issuer"], r.get("body", r["place"]))
        at = bisect.bisect_left(years, r["year"])
        return reports[at - 1] if at else None

    def _yearly(self, issuer: str, body: tuple) -> tuple[list[int], list[int]]:
        """(the years of the reports of this body, sorted; the report of each: the smallest report_id
        of that year)."""
        key = (issuer, body)
        if key not in self._years:
            best: dict[int, int] = {}
            for j in self.by_body[key]:
                y = self.recs[j]["year"]
                if y is not None and (y not in best or self.recs[j]["report_id"] < self.recs[best[y]]["report_id"]):
                    best[y] = j
            years = sorted(best)
            self._years[key] = (years, [best[y] for y in years])
        return self._years[key]


def _subsets(fields: tuple) -> list[tuple]:
    return [tuple(f for b, f in enumerate(fields) if mask >> b & 1) for mask in range(1 << len(fields))]


_ALL_FIELD_SETS = _subsets((0, 1, 2))  # the known fields a place tuple (province, prefecture, county) can have
_SUBSETS = {K: _subsets(K) for K in _ALL_FIELD_SETS}
# (is each field known) → the known fields; → (K, K ∩ the known fields) of each lookup (`_Issuers.places`)
_KNOWN = {tuple(f in K for f in range(3)): K for K in _ALL_FIELD_SETS}
_LOOKUPS = {flags: [(K, tuple(f for f in K if flags[f])) for K in _ALL_FIELD_SETS] for flags in _KNOWN}


def _similarity_columns(recs: list[dict], parts: pd.DataFrame, *, chunk: int = 512) -> dict[str, list]:
    """`similarity_measures`' columns as lists in the order of `recs` (`_records` of the reports)."""
    n = len(recs)
    cols = {c: [pd.NA] * n for c in SIMILARITY_COLUMNS[1:]}
    for r in recs:
        r["issuer"] = r.get("issuer") if isinstance(r.get("issuer"), str) else None
        r["place"] = _place_key(r)
        r["year"] = None if pd.isna(r.get("report_year")) else int(r["report_year"])
        r["names"] = _issuer_names(r)
    if not recs:
        return cols
    # the body a report is by, for its previous report (`_Issuers.previous`)
    who = pd.DataFrame({"issuer": [r["issuer"] for r in recs], "level": [r.get("level") for r in recs]})
    who[list(PLACE_FIELDS)] = pd.DataFrame([r["place"] for r in recs], columns=list(PLACE_FIELDS), dtype=object)
    for r, body in zip(recs, issuer_places(who).itertuples(index=False, name=None)):
        r["body"] = tuple(None if v is None or v != v else v for v in body)

    if parts.empty:
        probs = parts
    else:  # the order found on the key columns, the rows (with their texts) taken once
        wanted = (parts["kind"] == "problems").fillna(False).to_numpy(dtype=bool)
        keys = parts[["report_id", "part_order"]].reset_index(drop=True)[wanted]
        probs = parts.iloc[keys.sort_values(["report_id", "part_order"]).index.to_numpy()]
    by_report: dict[str, list[str]] = {}
    heading: dict[str, str] = {}
    if not probs.empty:
        probs = probs[probs["report_id"].notna()]
        for rid, h, t in zip(probs["report_id"].tolist(), probs["heading"].tolist(), probs["text"].tolist()):
            if rid in by_report:
                by_report[rid].append(str(t or ""))
            else:
                by_report[rid], heading[rid] = [str(t or "")], str(h or "")  # heading lines stripped below
    index = {r["report_id"]: i for i, r in enumerate(recs)}

    # previous report of the same issuer (most recent earlier year; ties → smallest report_id)
    issuers = _Issuers(recs)
    previous: dict[int, int] = {}
    for i in range(n):
        j = issuers.previous(i)
        if j is not None:
            previous[i] = j
    for i, j in previous.items():
        cols["previous_report_id"][i], cols["previous_year"][i] = recs[j]["report_id"], recs[j]["year"]

    docs_ids = [rid for rid in sorted(by_report) if rid in index]
    docs = [_similarity_text("".join(by_report[rid]), heading[rid], recs[index[rid]]["names"]) for rid in docs_ids]
    keep = [k for k, d in enumerate(docs) if d]
    docs_ids, docs = [docs_ids[k] for k in keep], [docs[k] for k in keep]
    if len(docs) < 2:
        return cols

    vectors = _char_tfidf(docs)
    row_of = vectors.rows  # row_of[k]: the distinct text of doc k; copies share every value
    members: list[list[int]] = [[] for _ in range(vectors.matrix.shape[0])]
    for k, u in enumerate(row_of):
        members[u].append(k)  # members[u][0] grows with u: rows are numbered by first appearance
    doc_of = {rid: k for k, rid in enumerate(docs_ids)}
    rec = [index[rid] for rid in docs_ids]  # doc → report
    recs_of: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(recs):
        recs_of[r["report_id"]].append(i)

    def left_out(k: int, j: int) -> bool:
        """Whether doc j is doc k itself or a doc of the same issuer (never a template peer of k)."""
        me = recs[rec[k]]
        return j == k or bool(me["issuer"]) and any(_same_issuer(me, recs[i]) for i in recs_of[docs_ids[j]])

    # Pass 1: approximate cosines name, for each doc, the few distinct texts that can hold its best peer
    # (the highest cosine and any within rounding of it); pass 2 computes those cosines, and the
    # stickiness pairs, exactly as the sparse product X @ X.T does, and picks the earliest best doc.
    wanted: dict[int, set[int]] = defaultdict(set)  # row → rows whose exact cosine to it is needed
    sticky = []
    for i, j in previous.items():
        a, b = recs[i]["report_id"], recs[j]["report_id"]
        if a in doc_of and b in doc_of:
            u, v = row_of[doc_of[a]], row_of[doc_of[b]]
            wanted[u].add(v)
            sticky.append((i, u, v))
    picks = []  # (row, [(candidate row, its earliest doc not left out)], the reports this choice is for)
    if vectors.matrix.shape[0] > EXACT_TEMPLATING_MAX:
        _sketched_peers(vectors, members, rec, recs, issuers, doc_of, left_out, wanted, picks)
        blocks = ()
    else:
        tolerance, blocks = _approx_cosines(vectors, chunk=chunk)
    # the docs left out for a doc of an issuer are those of `issuers.same`, a function of (issuer, place):
    # found once per such pair (a common short name with missing place fields joins hundreds of docs,
    # and rebuilding the set for each of its docs grew with the square of the corpus)
    exclusions: dict[tuple, _Exclusion] = {}
    for lo, block in blocks:
        for u, row in enumerate(block, start=lo):
            near = [(v, members[v][0]) for v in np.flatnonzero(row >= row.max() - tolerance).tolist()]
            usual = []  # the docs none of whose candidates is left out: all share `near`
            for k in members[u]:
                if not any(left_out(k, j) for _, j in near):
                    usual.append(rec[k])
                    continue
                me = recs[rec[k]]
                key = (me["issuer"], me["place"]) if me["issuer"] else None
                excluded = exclusions.get(key) if key else None
                if excluded is None or k not in excluded.docs:
                    out = {k}
                    if key:
                        out |= {
                            doc_of[recs[j]["report_id"]] for j in issuers.same(rec[k]) if recs[j]["report_id"] in doc_of
                        }
                    excluded = _Exclusion.of(out, members, row_of)
                    if key and key not in exclusions:
                        exclusions[key] = excluded
                cands = excluded.candidates(row, members, tolerance)
                wanted[u].update(v for v, _ in cands)
                picks.append((u, cands, [rec[k]]))
            if usual:
                wanted[u].update(v for v, _ in near)
                picks.append((u, near, usual))

    exact = _exact_cosines(vectors.matrix, wanted)
    for i, u, v in sticky:
        cols["stickiness"][i] = round(float(exact[u, v]), 4)
    for u, cands, reports in picks:
        if cands:
            values = [exact[u, v] for v, _ in cands]
            best = max(values)
            peer = docs_ids[min(j for (_, j), x in zip(cands, values) if x == best)]
            for i in reports:
                cols["template_similarity"][i], cols["template_peer"][i] = round(float(best), 4), peer
    return cols


def _sketched_peers(vectors, members, rec, recs, issuers, doc_of, left_out, wanted, picks) -> None:
    """Templating peers of a large corpus (more than EXACT_TEMPLATING_MAX distinct problems texts):
    each doc's candidate rows are its own text's and the SKETCH_PEERS nearest by `_sketch_neighbours`;
    among them, the doc's best peer is picked on exact cosines, as in the exact path. Fills `wanted`
    and `picks` as the exact path does."""
    near = _sketch_neighbours(vectors.matrix)
    same: dict[tuple, frozenset[int]] = {}  # (issuer, place) → the docs of that issuer
    for u, vs in enumerate(near):
        rows = [u, *vs]
        wanted[u].update(rows)
        for k in members[u]:
            me = recs[rec[k]]
            out: frozenset[int] = frozenset()
            if me["issuer"]:
                key = (me["issuer"], me["place"])
                if key not in same:
                    same[key] = frozenset(
                        doc_of[recs[j]["report_id"]] for j in issuers.same(rec[k]) if recs[j]["report_id"] in doc_of
                    )
                out = same[key]
            cands = []
            for v in rows:
                earliest = next((j for j in members[v] if j != k and j not in out), None)
                if earliest is not None:
                    cands.append((v, earliest))
            picks.append((u, cands, [rec[k]]))


# Templating on large corpora: above this many distinct problems texts, the best peer of each is looked
# for among candidates found by random-hyperplane sketches (`_sketch_neighbours`) instead of all pairs
# (whose cost grows with the square of the corpus); values are exact cosines of the peers found.
EXACT_TEMPLATING_MAX = 3000
SKETCH_BITS = 256  # random hyperplanes per text (signature bits; a multiple of 64: compared as 64-bit words)
SKETCH_ROTATIONS = 32  # sorts of the signatures, each starting at another byte
SKETCH_WINDOW = 8  # neighbours taken on each side in each sort
SKETCH_PEERS = 16  # candidates per text kept (fewest differing bits), cosines then computed exactly
SKETCH_SEED = 22


def _sketch_neighbours(X, *, block: int = 2048) -> list[list[int]]:
    """For each row of the unit-row matrix `X`, up to SKETCH_PEERS other rows likely to have the highest
    cosines to it (Charikar's random-hyperplane signatures, sorted neighbourhoods; Manku et al. 2007).

    Row u gets a SKETCH_BITS-bit signature, bit i = [X_u · g_i > 0] for Gaussian g_i (seeded: the same
    rows give the same candidates). Two rows at angle θ differ in each bit with probability θ / π, so the
    number of differing bits estimates their cosine (cos(π · d / SKETCH_BITS), standard error about
    0.05 at cosine 0.9). The signatures are sorted SKETCH_ROTATIONS times, each time read from another
    byte on, and every row is paired with the SKETCH_WINDOW rows on each side: rows with long common
    prefixes, the most similar ones, sit together. Of those pairs, each row keeps the SKETCH_PEERS with
    the fewest differing bits (ties: the lower row). Cost: linear in the rows (times the rotations and
    window), plus one sort per rotation; the pairs are ranked `block` rows at a time, never all at once.
    """
    assert SKETCH_BITS % 64 == 0, "signatures are compared as 64-bit words"
    n_rows = X.shape[0]
    words = _signatures(X)
    n_bytes = words.shape[1]
    # Each rotation's order of the rows, and each row's place in it. A signature read from byte `start`
    # on is compared as SKETCH_BITS // 64 big-endian 64-bit words: the same order as byte by byte.
    orders = np.empty((SKETCH_ROTATIONS, n_rows), dtype=np.int64)
    places = np.empty((SKETCH_ROTATIONS, n_rows), dtype=np.int64)
    for r in range(SKETCH_ROTATIONS):
        start = r * n_bytes // SKETCH_ROTATIONS
        keys = np.ascontiguousarray(np.roll(words, -start, axis=1)).view(">u8").astype(np.uint64)
        order = np.lexsort(keys.T[::-1])  # stable: equal signatures keep the row order
        orders[r] = order
        places[r, order] = np.arange(n_rows)
    steps = np.array([d for d in range(1, SKETCH_WINDOW + 1) for d in (-d, d)], dtype=np.int64)
    packed = words.view(np.uint64)
    out: list[list[int]] = []
    for lo in range(0, n_rows, block):
        hi = min(lo + block, n_rows)
        at = places[:, lo:hi].T[:, :, None] + steps  # row × rotation × step → place in that rotation's order
        inside = (at >= 0) & (at < n_rows)
        peers = orders[np.arange(SKETCH_ROTATIONS)[None, :, None], np.clip(at, 0, n_rows - 1)]
        peers = peers.reshape(hi - lo, -1)
        differ = _bits_differing(packed[lo:hi, None, :], packed[peers]).astype(np.int64)
        sentinel = (SKETCH_BITS + 1) * n_rows  # above every (differing bits, row) key
        key = np.where(inside.reshape(hi - lo, -1), differ * n_rows + peers, sentinel)
        key.sort(axis=1)
        fresh = np.ones(key.shape, dtype=bool)  # a pair met in several rotations counts once
        fresh[:, 1:] = key[:, 1:] != key[:, :-1]
        fresh &= key < sentinel
        keep = fresh & (np.cumsum(fresh, axis=1) <= SKETCH_PEERS)
        for row, k in zip(key, keep):
            out.append((row[k] % n_rows).tolist())
    return out


def _signatures(X) -> np.ndarray:
    """The SKETCH_BITS-bit signature of each row of `X`, a byte per 8 bits (bit i: [X_u · g_i > 0])."""
    n_rows, n_cols = X.shape
    rng = np.random.default_rng(SKETCH_SEED)
    words = np.zeros((n_rows, SKETCH_BITS // 8), dtype=np.uint8)
    for lo in range(0, SKETCH_BITS, 32):
        g = rng.standard_normal((n_cols, 32), dtype=np.float32)
        bits = np.asarray(X @ g) > 0
        words[:, lo // 8 : lo // 8 + 4] = np.packbits(bits, axis=1)
    return words


def _bits_differing(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The number of bits in which the 64-bit words of `a` and `b` differ, summed over the last axis."""
    if hasattr(np, "bitwise_count"):  # numpy 2
        return np.bitwise_count(a ^ b).sum(axis=-1, dtype=np.int64)
    return np.unpackbits((a ^ b).view(np.uint8), axis=-1).sum(axis=-1, dtype=np.int64)  # pragma: no cover


class _Exclusion(NamedTuple):
    """A set of docs left out as template peers, as the rows of distinct texts see it."""

    docs: set[int] | frozenset[int]
    gone: np.ndarray  # the distinct texts all of whose docs are left out
    first: dict[int, int]  # a distinct text some of whose docs are left out → its earliest doc kept

    @classmethod
    def of(cls, out: set[int], members: list[list[int]], row_of: list[int]) -> _Exclusion:
        gone, first = [], {}
        for v in {row_of[j] for j in out}:
            earliest = next((j for j in members[v] if j not in out), None)
            if earliest is None:
                gone.append(v)
            else:
                first[v] = earliest
        return cls(out, np.array(gone, dtype=np.int64), first)

    def candidates(self, row: np.ndarray, members: list[list[int]], tolerance: float) -> list[tuple[int, int]]:
        """(row, earliest doc) of every distinct text within `tolerance` of the highest approximate
        cosine in `row` once these docs are left out; empty when every doc is left out."""
        values = row.copy()
        values[self.gone] = -np.inf
        top = values.max()
        if top == -np.inf:
            return []
        first = self.first
        return [(v, first.get(v, members[v][0])) for v in np.flatnonzero(values >= top - tolerance).tolist()]


def _approx_cosines(vectors: _Vectors, *, chunk: int = 512):
    """(tolerance, blocks): `blocks` yields (first row, the cosines of rows first … first + chunk - 1 to
    every row), fast rather than exact; no value is more than tolerance / 2 from the exact one.

    Each row w (before its division by its norm) is written c + r, c being the weights its family of
    near-copies shares (or 0): copies of one template with a few changes, such as paragraphs in another
    order, keep only the changes in r, so w·w' = c·c' + c·r' + r·c' + r·r' is cheap. r·r' runs as a dense
    product over the n-grams a quarter of the rows have in r and a sparse one over the rest. The rounding
    error of a sum of m terms is at most m·2⁻⁵³ times the sum of their sizes, (|c| + |r|)(|c'| + |r'|)
    here: `tolerance` is 16 times that bound for the largest rows.
    """
    from scipy import sparse

    X, weights, norms = vectors.matrix, vectors.weights, vectors.norms
    n_rows, n_cols = X.shape
    cols = X.indices
    entry_row = np.repeat(np.arange(n_rows), np.diff(X.indptr))
    W = sparse.csr_matrix((weights, cols, X.indptr), shape=X.shape)
    centers = [np.zeros(n_cols)]  # center 0: none
    family = np.zeros(n_rows, dtype=np.int64)
    left = np.ones(n_rows, dtype=bool)
    while len(centers) < 9 and left.sum() >= max(2, n_rows // 32) and len(centers) * n_cols <= 2**24:
        c = _shared_weights(vectors, entry_row, left)
        cc = float(c @ c)
        joins = left & (2 * (W @ c) > cc)  # |w − c| < |w|
        if not cc or not joins.any():
            break
        family[joins] = len(centers)
        centers.append(c)
        left &= ~joins
    C = np.array(centers)

    # r = w − c: w's entries less c (exactly 0 at the shared count: dropped), and −c where w lacks the n-gram
    values = weights - C[family[entry_row], cols]
    keep = values != 0
    r_rows, r_cols, r_values = [entry_row[keep]], [cols[keep]], [values[keep]]
    for f in range(1, len(C)):
        support, members = np.flatnonzero(C[f]), np.flatnonzero(family == f)
        place, member = np.full(n_cols, -1), np.full(n_rows, -1)
        place[support], member[members] = np.arange(len(support)), np.arange(len(members))
        has = np.zeros((len(members), len(support)), dtype=bool)
        inside = (member[entry_row] >= 0) & (place[cols] >= 0)
        has[member[entry_row[inside]], place[cols[inside]]] = True
        i, j = np.nonzero(~has)
        r_rows.append(members[i])
        r_cols.append(support[j])
        r_values.append(-C[f, support[j]])
    R = sparse.csr_matrix((np.concatenate(r_values), (np.concatenate(r_rows), np.concatenate(r_cols))), shape=X.shape)
    CR = np.asarray(R @ C.T)  # CR[v, f] = r_v · c_f
    CC = C @ C.T
    size = (np.sqrt(np.diag(CC))[family] + np.sqrt(np.asarray(R.multiply(R).sum(axis=1)).ravel())) / norms
    terms = n_cols + 2 * int(np.diff(X.indptr).max()) + 10
    tolerance = 16 * terms * 2.0**-53 * max(1.0, float(size.max())) ** 2

    df = np.bincount(R.indices, minlength=n_cols)
    dense = np.flatnonzero(4 * df > n_rows)
    dense = dense[np.argsort(-df[dense], kind="stable")][: max(1, 2**25 // n_rows)]  # at most 256 MB
    Rd = R[:, dense].toarray()
    Rs = R[:, np.setdiff1d(np.arange(n_cols), dense)].tocsr()
    RsT = Rs.T.tocsr()
    one_hot = np.eye(len(C))[family]
    by_family = np.hstack([one_hot, CR])  # c·c' + c·r' + r·c' = by_family @ to_family
    to_family = np.vstack([CC @ one_hot.T + CR.T, one_hot.T])
    scale = 1.0 / norms

    def blocks():
        for lo in range(0, n_rows, chunk):
            hi = min(lo + chunk, n_rows)
            block = by_family[lo:hi] @ to_family
            if dense.size:
                block += Rd[lo:hi] @ Rd.T
            block += (Rs[lo:hi] @ RsT).toarray()
            block *= scale[lo:hi, None]
            block *= scale
            yield lo, block

    return tolerance, blocks()


def _shared_weights(vectors: _Vectors, entry_row: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Per n-gram, the weight of the count that more of the `rows` (a mask) have than lack the n-gram;
    0 where there is none (a family's template)."""
    n_rows, n_cols = int(rows.sum()), vectors.matrix.shape[1]
    chosen = rows[entry_row]
    cols, counts, weights = vectors.matrix.indices[chosen], vectors.counts[chosen], vectors.weights[chosen]
    df = np.bincount(cols, minlength=n_cols)
    common = np.flatnonzero(2 * df > n_rows)
    slot = np.full(n_cols, len(common))  # the n-grams of at most half the rows share one last slot
    slot[common] = np.arange(len(common))
    tally = np.bincount(slot[cols] * 64 + np.minimum(counts, 63), minlength=64 * (len(common) + 1))
    tally = tally.reshape(-1, 64)  # n-gram × count → rows
    tally[:, 63] = 0  # counts from 63 up are not told apart: never the shared one
    mode = tally.argmax(axis=1)
    shared = tally[np.arange(len(tally)), mode] > n_rows - np.append(df[common], n_rows)
    shared[-1] = False
    at_mode = shared[slot[cols]] & (counts == mode[slot[cols]])
    c = np.zeros(n_cols)
    c[cols[at_mode]] = weights[at_mode]
    return c


_PAIR_ENTRIES = 1 << 20  # entries of the rows compared at once, `_exact_cosines`


def _exact_cosines(X, wanted: dict[int, set[int]]) -> dict[tuple[int, int], float]:
    """(u, v) → the cosine of rows u and v of `X` for each v in wanted[u], bit for bit as `X @ X.T` has it:
    scipy's sparse product adds the terms of row u in column order, and so do the element-wise product
    of the two rows and its sum with a vector of ones used here (or the product of row u with all rows,
    when many are wanted). Row v's terms are the same products in the same (column) order, so (u, v) and
    (v, u) are computed once; the pairs are taken in row order, about _PAIR_ENTRIES entries at a time."""
    exact: dict[tuple[int, int], float] = {}
    XT = None
    pairs = []
    for u, vs in wanted.items():
        if len(vs) > 64:
            XT = X.T.tocsr() if XT is None else XT
            row = (X[u] @ XT).toarray().ravel()
            exact.update(((u, v), float(row[v])) for v in vs)
        else:
            pairs += [(u, v) if u <= v else (v, u) for v in vs]
    if pairs:
        n_rows = X.shape[0]
        keys = np.unique(np.array(pairs, dtype=np.int64) @ np.array([n_rows, 1]))  # (u ≤ v), in row order
        us, vs = keys // n_rows, keys % n_rows
        sizes = np.diff(X.indptr)
        ends = np.cumsum(sizes[us] + sizes[vs])
        bounds = [0, *(np.flatnonzero(np.diff(ends // _PAIR_ENTRIES)) + 1).tolist(), len(keys)]
        ones = np.ones(X.shape[1])
        sums = np.empty(len(keys))
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            products = X[us[lo:hi]].multiply(X[vs[lo:hi]]).tocsr()
            products.sort_indices()  # column order (scipy keeps it already)
            sums[lo:hi] = products @ ones
        for u, v, x in zip(us.tolist(), vs.tolist(), sums.tolist()):
            exact[u, v] = exact[v, u] = x
    return exact


SIMILARITY_COLUMNS = [
    "report_id",
    "template_similarity",
    "template_peer",
    "previous_report_id",
    "previous_year",
    "stickiness",
]


def similarity_measures(reports: pd.DataFrame, parts: pd.DataFrame, *, chunk: int = 512) -> pd.DataFrame:
    """Templating (max cosine to another issuer's problems part) and stickiness (cosine to the same
    issuer's previous report's problems part), one row per report.

    Columns: report_id, template_similarity, template_peer, previous_report_id, previous_year, stickiness.
    Reports without a problems part get missing values; so do all reports when fewer than two issuers
    have one. Identical problems texts (after masking) are vectorised and compared once, the distinct ones
    in chunks of `chunk` rows, so memory stays small on large corpora.
    """
    recs = _records(reports)
    cols = _similarity_columns(recs, parts, chunk=chunk)
    out = pd.DataFrame({"report_id": [r["report_id"] for r in recs]})
    for c in SIMILARITY_COLUMNS[1:]:
        out[c] = pd.Series(cols[c], dtype="object")
    return out[SIMILARITY_COLUMNS]


# ------------------------------------------------------------------ the table
REPORT_MEASURE_COLUMNS = [c for c in SCORECARD_COLUMNS if c not in SIMILARITY_COLUMNS[1:]]
_INT_COLUMNS = ("report_year", "days_before_deadline", "previous_year", "n_reported_zeros")
_FLOAT_COLUMNS = (
    "completeness",
    "quant_density",
    "hard_info_share",
    "candour_ratio",
    "candour_fact_share",
    "template_similarity",
    "stickiness",
)
_STRING_COLUMNS = ("template_peer", "previous_report_id", "publish_date", "deadline")


def _typed(card: pd.DataFrame) -> pd.DataFrame:
    """The scorecard's dtypes, column by column (each value converted on its own: typing parts of the
    rows apart and stacking them gives what typing them together gives)."""
    for c in _INT_COLUMNS:
        if c in card.columns:
            card[c] = pd.to_numeric(card[c], errors="coerce").astype("Int64")
    for c in _FLOAT_COLUMNS:
        if c in card.columns:
            card[c] = pd.to_numeric(card[c], errors="coerce").astype("Float64")
    for c in _STRING_COLUMNS:
        if c in card.columns:
            card[c] = card[c].astype("string")
    return card


def report_measures(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The measures of each report of `tables` that read only that report's rows (every column but
    the similarity ones), sorted by report_id, typed. A build computes them per batch of files
    (`pipeline/build.py`) and keeps them for the files a rebuild does not parse again."""
    reports = tables.get("reports", pd.DataFrame())
    if reports is None or reports.empty:
        return _typed(pd.DataFrame(columns=REPORT_MEASURE_COLUMNS))
    reports = reports.sort_values("report_id", kind="stable").reset_index(drop=True)
    parts = tables.get("parts", pd.DataFrame(columns=["report_id", "kind", "part_order", "heading", "text"]))
    items = tables.get("problem_items", pd.DataFrame(columns=["report_id", "start", "end"]))
    texts_df = tables.get("texts", pd.DataFrame(columns=["report_id", "text"]))
    texts = {rid: str(t or "") for rid, t in zip(texts_df["report_id"].tolist(), texts_df["text"].tolist())}
    recs = _records(reports)
    texts = {r["report_id"]: texts.get(r["report_id"], "") for r in recs}
    starts_of, source = _mention_starts(tables, texts)
    zeros_of = _reported_zeros(tables, texts) if source == "indicators" else None

    part_rows: dict[str, list[tuple]] = defaultdict(list)  # report_id → (kind, length, has a body) of its parts
    if not parts.empty:
        for rid, *row in zip(*_part_facts(parts)):
            part_rows[rid].append(row)
    item_rows: dict[str, list[tuple]] = defaultdict(list)  # report_id → (start, end) of its problem items
    if not items.empty:
        known = items[items["report_id"].notna()]
        for rid, *row in zip(*(known[c].tolist() for c in ("report_id", "start", "end"))):
            item_rows[rid].append(row)

    rows = []
    for r in recs:
        rid = r["report_id"]
        text = texts[rid]
        notes = []
        kinds, with_body, lengths = set(), set(), {"achievements": 0, "problems": 0}
        for kind, length, has_body in part_rows.get(rid, ()):
            kinds.add(kind)
            if has_body:
                with_body.add(kind)
            if kind in lengths:
                lengths[kind] += length
        present = [k for k in MANDATED_PARTS if k in kinds]
        empty = [k for k in present if k not in with_body]
        deadline, days, status, note = _timeliness(r.get("report_year"), r.get("publish_date"))
        if note:
            notes.append(note)

        mention_starts = starts_of.get(rid, [])
        n_sents, n_hard = _sentence_counts(text, mention_starts)
        it = item_rows.get(rid, ())
        n_facts = 0
        for start, end in it:
            start, end = int(start), int(end)
            j = bisect.bisect_left(mention_starts, start)
            if (j < len(mention_starts) and mention_starts[j] < end) or EXAMPLE.search(text[start:end]):
                n_facts += 1
        if "achievements" in kinds and lengths["achievements"]:
            ratio = round(lengths["problems"] / lengths["achievements"], 4)
        else:
            ratio = pd.NA
            notes.append("no achievements part: no candour ratio")
        n_chars, n_items, n_quant = len(text), len(it), len(mention_starts)
        rows.append(
            (
                rid,
                r.get("issuer"),
                r.get("report_year"),
                r.get("level"),
                len(present),
                round(len(present) / len(MANDATED_PARTS), 4),
                ",".join(k for k in MANDATED_PARTS if k not in kinds),
                ",".join(empty),
                r.get("publish_date") if isinstance(r.get("publish_date"), str) else None,
                deadline,
                days,
                status,
                n_chars,
                n_quant,
                round(1000 * n_quant / n_chars, 4) if n_chars else pd.NA,
                zeros_of.get(rid, 0) if zeros_of is not None else pd.NA,
                n_sents,
                n_hard,
                round(n_hard / n_sents, 4) if n_sents else pd.NA,
                source,
                lengths["achievements"],
                lengths["problems"],
                ratio,
                n_items,
                n_facts,
                round(n_facts / n_items, 4) if n_items else pd.NA,
                "; ".join(notes),
            )
        )
    return _typed(pd.DataFrame(rows, columns=REPORT_MEASURE_COLUMNS))


def scorecard_with_similarity(
    measures: pd.DataFrame, reports: pd.DataFrame, problem_parts: pd.DataFrame
) -> pd.DataFrame:
    """The scorecard: `measures` (`report_measures` of every report of `reports`, in report_id order)
    with the similarity columns, which compare each report with the whole corpus and so are computed
    afresh (`problem_parts`: the parts table, or only its problems parts)."""
    reports = reports.sort_values("report_id", kind="stable").reset_index(drop=True)
    recs = _records(reports)
    if list(measures["report_id"]) != [r["report_id"] for r in recs]:
        raise ValueError("the per-report measures do not match the reports")
    sims = _similarity_columns([dict(r) for r in recs], problem_parts)
    card = measures.reset_index(drop=True).copy()
    for c in SIMILARITY_COLUMNS[1:]:
        card[c] = pd.Series(sims[c], dtype="object", index=card.index)
    return _typed(card[SCORECARD_COLUMNS])


def scorecard_from_tables(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The scorecard of every report in `tables` (the corpus tables), sorted by report_id."""
    reports = tables.get("reports", pd.DataFrame())
    if reports is None or reports.empty:
        return pd.DataFrame(columns=SCORECARD_COLUMNS)
    parts = tables.get("parts", pd.DataFrame(columns=["report_id", "kind", "part_order", "heading", "text"]))
    return scorecard_with_similarity(report_measures(tables), reports, parts)


def scorecard_stage(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """CORPUS_STAGE of `fazhi build`: writes table `scorecard`."""
    return {"scorecard": scorecard_from_tables(tables)}


def scorecard(corpus) -> pd.DataFrame:
    """The scorecard of the corpus's reports: the stored `scorecard` table when the build wrote one
    (templating measured against the whole built corpus), else computed now; sorted by year and issuer."""
    stored = corpus.tables.get("scorecard")
    ids = set(corpus.reports["report_id"]) if not corpus.reports.empty else set()
    if stored is not None and set(SCORECARD_COLUMNS) <= set(stored.columns) and ids <= set(stored["report_id"]):
        card = stored[stored["report_id"].isin(ids)]
    else:
        card = scorecard_from_tables(corpus.tables)
    return card.sort_values(["report_year", "issuer", "report_id"], na_position="last", kind="stable").reset_index(
        drop=True
    )


def scorecard_summary(card: pd.DataFrame) -> pd.DataFrame:
    """The measures side by side, one row per report labelled '塘栖镇 2024' (for display)."""
    shown = card.set_index(report_labels(card).to_numpy())
    digits = {"completeness": 2, "days_before_deadline": 0, "quant_density": 1}
    table = shown[list(MEASURES)].round({c: digits.get(c, 2) for c in MEASURES}).rename(columns=MEASURES)
    table.insert(2, "timeliness", shown["timeliness"])
    table.index.name = "report"
    return table


def scorecard_table(card: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """`scorecard_summary` for `vocab.view`: the report label as a column, measures and timeliness in `lang`."""
    from .vocab import label, relabel

    table = scorecard_summary(card).reset_index()
    table = relabel(table, lang, columns=False)
    return table.rename(
        columns=lambda c: label("measure", c, lang) if c in MEASURES.values() else label("column", c, lang)
    )


def plot_scorecard(card: pd.DataFrame, *, ax=None, title: str | None = None, lang: str = "zh"):
    """Heatmap of the measures, each scaled 0–1 across the reports shown; cells carry the raw values."""
    import matplotlib.pyplot as plt

    from .plotting import setup_chinese_font
    from .vocab import label

    setup_chinese_font()
    if title is None:
        title = "报告质量评分" if label("timeliness", "late", lang) == "逾期" else "Report-quality scorecard"
    table = scorecard_summary(card).drop(columns="timeliness")
    table = table.rename(columns=lambda c: label("measure", c, lang))
    values = table.astype("float64")
    lo, hi = values.min(), values.max()
    scaled = (values - lo) / (hi - lo).replace(0, 1)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.1 * values.shape[1] + 2, 0.45 * max(3, len(values)) + 1.5))
    ax.imshow(scaled.fillna(-0.1).to_numpy(), cmap="Blues", vmin=-0.1, vmax=1.4, aspect="auto")
    for (i, j), v in np.ndenumerate(values.to_numpy()):
        ax.text(
            j,
            i,
            "–" if np.isnan(v) else (f"{v:.0f}" if abs(v) >= 10 else f"{v:.2f}"),
            ha="center",
            va="center",
            fontsize=8,
        )
    ax.set_xticks(range(values.shape[1]), values.columns, rotation=35, ha="right")
    ax.set_yticks(range(len(values)), values.index)
    ax.set_title(title)
    return ax
