"""Traditional characters → simplified (OpenCC `t2s`), keeping every character where it was.

Some sites serve a traditional-character version of their pages (繁體). fazhi analyses them as
simplified, so one set of rules and dictionaries serves both, and records the conversion
(`reports.converted_from = 'traditional'`). The converted text has exactly as many characters as the
original, line by line, so every offset (`raw_start`, `raw_end`) indexes the original text too.

>>> c = to_simplified("澧浦鎮2023年度法治政府建設工作報告。現將相關情況匯報如下:")
>>> c.text, c.converted_from, c.n_changed
('澧浦镇2023年度法治政府建设工作报告。现将相关情况汇报如下:', 'traditional', 9)
>>> to_simplified("澧浦镇2023年度法治政府建设工作报告").converted_from is None
True

This module holds fazhi's one OpenCC converter (`t2s`); tokens, places and indicators convert
through it (`simplify`, `convert_same_length`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Share of Chinese characters that t2s changes above which a text is taken as written in traditional
# characters. Simplified reports change 0 (checked on the five embedded reports); a traditional copy
# of the same reports changes 25–37%. A simplified text quoting a few traditional names stays below.
TRADITIONAL_SHARE = 0.10
MIN_CHANGED = 5  # and at least this many characters
SAMPLE_CHARS = 200_000  # the decision reads at most this many characters (a page is far shorter)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NOT_CJK_HIGH_BYTES = bytes(b for b in range(256) if not 0x4E <= b <= 0x9F)  # see _count_cjk


@dataclass(frozen=True)
class Conversion:
    text: str
    converted_from: str | None  # 'traditional' when the text was converted, else None
    n_changed: int  # characters changed
    share: float  # share of Chinese characters changed (in the sample read for the decision)


@lru_cache(maxsize=1)
def t2s():
    """The process's one OpenCC `t2s` converter (built on first use: loading it takes a moment)."""
    import opencc

    return opencc.OpenCC("t2s")


# t2s converts line by line: no entry of its dictionaries holds a line break, so no phrase it matches
# spans one, and t2s(a + "\n" + b) == t2s(a) + "\n" + t2s(b) (tests/test_convert.py checks it). A report's
# lines come back many times (metadata reads the page's head, places and indicators its body,
# typology its problem items): the lines t2s has kept once are remembered, and only the others are
# converted. Same answers, fewer OpenCC calls (each one reads the dictionaries, cold after the tokeniser).
_KEPT_LINES: set[str] = set()  # lines (without their "\n") that t2s returns unchanged
_MAX_KEPT_LINES = 20_000  # forget them beyond this many (memory: about 6 MB of report lines at most)


def simplify(text: str) -> str:
    """Traditional → simplified characters, phrase by phrase (the length may change; see
    `convert_same_length` for a copy whose offsets index the original).

    >>> simplify("塘棲鎮法治政府建設")
    '塘栖镇法治政府建设'
    """
    if text in _KEPT_LINES:  # (a line break is never in the set: a text of several lines misses)
        return text
    lines = text.split("\n")
    todo = [i for i, line in enumerate(lines) if line not in _KEPT_LINES]
    if not todo:
        return text
    if len(todo) == len(lines):
        converted = t2s().convert(text)
        if converted == text:
            _keep(lines)
            return text
        out = converted.split("\n")
        if len(out) != len(lines):  # (never seen: a conversion that made or took a line break)
            return converted
    else:
        done = t2s().convert("\n".join(lines[i] for i in todo)).split("\n")
        if len(done) != len(todo):
            return t2s().convert(text)
        out = lines.copy()
        for i, line in zip(todo, done):
            out[i] = line
    _keep(line for line, conv in zip(lines, out) if line == conv)
    return "\n".join(out)


def _keep(lines) -> None:
    if len(_KEPT_LINES) > _MAX_KEPT_LINES:
        _KEPT_LINES.clear()
    _KEPT_LINES.update(lines)


def _count_cjk(text: str) -> int:
    """len(_CJK.findall(text)) without a list of matches: the characters U+4E00–U+9FFF are the UTF-16
    code units whose high byte is 0x4E–0x9F (a character outside the BMP gives two surrogates, 0xD8–0xDF).

    >>> _count_cjk("2024年法治𠀀")
    3
    """
    return len(text.encode("utf-16-be", "surrogatepass")[0::2].translate(None, _NOT_CJK_HIGH_BYTES))


def traditional_share(text: str) -> tuple[float, int]:
    """(share of Chinese characters that t2s would change, number changed), on a sample of the text."""
    sample = text[:SAMPLE_CHARS]
    n_cjk = _count_cjk(sample)
    if not n_cjk:
        return 0.0, 0
    converted = simplify(sample)  # (its kept lines remembered: later steps read them again)
    if converted == sample:  # a simplified text: nothing to count
        return 0.0, 0
    if len(converted) == len(sample):
        changed = sum(a != b for a, b in zip(sample, converted))
    else:  # a phrase changed length: count per character instead
        changed = sum(t2s().convert(ch) != ch for ch in sample if _CJK.match(ch))
    return changed / n_cjk, changed


def convert_same_length(text: str) -> str:
    """t2s, line by line; a line whose length t2s would change is converted character by character."""
    converter = t2s()
    out = []
    for line in text.splitlines(keepends=True):
        conv = converter.convert(line)
        if len(conv) != len(line):
            conv = "".join(c if len(c := converter.convert(ch)) == 1 else ch for ch in line)
        out.append(conv)
    return "".join(out)


def to_simplified(text: str, *, threshold: float = TRADITIONAL_SHARE) -> Conversion:
    """The text in simplified characters when it is written in traditional ones, else unchanged."""
    share, changed = traditional_share(text)
    if share < threshold or changed < MIN_CHANGED:
        return Conversion(text, None, 0, share)
    converted = convert_same_length(text)
    n_changed = sum(a != b for a, b in zip(text, converted))
    return Conversion(converted, "traditional", n_changed, share)
