"""The parser's messages in the language of the page: the tables store them in English
(`parse_log.messages`, `reports.warnings`), a Chinese page shows them in Chinese.

The catalogue is `rules/messages.yaml`: for each message an English regular expression with named groups
and a Chinese template reusing them. A cell may hold several messages joined by "; " (a message may
itself contain "; "); each is translated, and what no entry matches is kept in English, whole.

>>> translate("no title found on the page; report year 2025 taken from the opening sentence (no year in a title)")
'页面上没有找到标题；报告年度 2025 取自开篇第一句（标题中没有年份）'
>>> translate("part heading '一、基本情况' names no part; taken as achievements")
'部分标题“一、基本情况”没有指明是哪一部分；按“主要举措和成效”处理'
>>> translate("no title found on the page; a message fazhi does not know yet")
'页面上没有找到标题；a message fazhi does not know yet'
>>> translate("no title found on the page", "en")
'no title found on the page'

The values inside (a file name, a line of the report) are put in as they are: the tables that show
them escape them (`vocab.view`), as they do the English.
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass

import pandas as pd

from .errors import invalid
from .rules import compiled, load_rules

LANGS = ("zh", "en")  # languages of the pages (`fazhi report --lang`); vocab.LANGS is this
SEPARATOR = "; "  # how the parser joins the messages of one file (pipeline/worker.py, parse.py)
ZH_SEPARATOR = "；"
MESSAGE_COLUMNS = ("messages", "warnings")  # parse_log.messages, reports.warnings
_MAX_PIECES = 8  # the most "; "-separated pieces one message spans (the longest has 4)


@dataclass(frozen=True, eq=False)  # hashed by identity: the cache of translations is keyed by the catalogue
class Entry:
    """One message of `rules/messages.yaml`: `pattern` matches the whole English message."""

    id: str
    pattern: re.Pattern
    zh: str
    terms: dict  # group → {English value: Chinese}


def _build(rules: dict) -> tuple[Entry, ...]:
    out = []
    for item in rules.get("messages") or []:
        pattern = re.compile(item["en"])
        fields = {f for _, f, _, _ in string.Formatter().parse(item["zh"]) if f}
        unknown = fields - set(pattern.groupindex)
        if unknown:
            raise ValueError(
                f"messages.yaml, entry {item['id']!r}: the template names no group of its pattern: {', '.join(sorted(unknown))}"
            )
        terms = dict(item.get("terms") or {})
        if set(terms) - set(pattern.groupindex):
            raise ValueError(
                f"messages.yaml, entry {item['id']!r}: `terms` names no group of its pattern: "
                f"{', '.join(sorted(set(terms) - set(pattern.groupindex)))}"
            )
        out.append(Entry(item["id"], pattern, item["zh"], terms))
    return tuple(out)


def catalogue() -> tuple[Entry, ...]:
    """The entries of `rules/messages.yaml` (an edited file is read again)."""
    return compiled(_build, load_rules("messages"))


def _fill(entry: Entry, m: re.Match) -> str | None:
    """The Chinese of one matched message, or None when a group's value has no Chinese (`terms`)."""
    values = {}
    for name, value in m.groupdict(default="").items():
        if value and name in entry.terms:
            value = entry.terms[name].get(value)
            if value is None:
                return None
        values[name] = value
    return entry.zh.format_map(values)


@functools.lru_cache(maxsize=65536)
def _translate_one(message: str, entries: tuple[Entry, ...]) -> str | None:
    for entry in entries:
        m = entry.pattern.fullmatch(message)
        if m:
            zh = _fill(entry, m)
            if zh is not None:
                return zh
    return None


def check_lang(lang: str) -> None:
    """The one check of a `lang` argument (`vocab.check_lang` is this)."""
    if lang not in LANGS:
        raise invalid("lang", lang, LANGS)


def translate_one(message: str, lang: str = "zh") -> str | None:
    """The translation of one whole message, or None when no entry of the catalogue matches it."""
    check_lang(lang)
    if lang == "en":
        return message
    return _translate_one(message, catalogue())


def translate(cell, lang: str = "zh"):
    """A cell of messages joined by "; " in `lang`: each message translated, the unknown ones kept in
    English; a value that is not text (missing) is returned as it is. In English, the cell unchanged."""
    check_lang(lang)
    if lang == "en" or not isinstance(cell, str) or not cell:
        return cell
    return _translate_cell(cell, catalogue())


@functools.lru_cache(maxsize=16384)
def _translate_cell(cell: str, entries: tuple[Entry, ...]) -> str:
    pieces = cell.split(SEPARATOR)
    n = len(pieces)
    # best[i]: (pieces covered by translated messages, messages) for pieces[i:], and the translations;
    # the most text translated wins, then the most messages (a message holding "; " spans pieces)
    best: list[tuple[tuple[int, int], list[str]]] = [((0, 0), [])] * (n + 1)
    for i in range(n - 1, -1, -1):
        options = [((best[i + 1][0][0], best[i + 1][0][1]), [pieces[i], *best[i + 1][1]])]
        for j in range(i + 1, min(n, i + _MAX_PIECES) + 1):
            zh = _translate_one(SEPARATOR.join(pieces[i:j]), entries)
            if zh is not None:
                covered, count = best[j][0]
                options.append(((covered + j - i, count + 1), [zh, *best[j][1]]))
        best[i] = max(options, key=lambda o: o[0])
    return ZH_SEPARATOR.join(best[0][1])


def localise(df: pd.DataFrame, lang: str = "zh", *, columns=MESSAGE_COLUMNS) -> pd.DataFrame:
    """A copy of `df` with its message columns (`messages`, `warnings`) in `lang` (`translate`)."""
    check_lang(lang)
    out = df.copy()
    if lang == "en":
        return out
    for col in columns:
        if col in out.columns:
            out[col] = [translate(v, lang) for v in out[col]]
    return out
