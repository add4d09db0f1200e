"""Numbers with units in report text → mention rows, each with its indicator code and sentence.

Every number followed by a unit becomes a `Mention`: its value (万/亿 multiplied out, money in 元),
normalised unit, kind (count, rate, money, area, change, duration), approximation word, bound,
the text it was read from and its character offsets. Words near the number assign a canonical
indicator code from `rules/indicators.yaml`; a mention no rule matches keeps an empty code.
Numbers that are not measurements (hotlines, model names like 1+3+29+X, years, dates, ordinals,
document and index numbers) are dropped; the rules for all of this live in `rules/numbers.yaml`.

>>> [(m.indicator, m.value, m.unit) for m in extract_numbers("全年化解矛盾纠纷1132件,其中诉源纠纷503件。")]
[('disputes_resolved', 1132.0, '件'), ('', 503.0, '件')]
>>> extract_numbers("累计观看超10万人次。")[0].bound
'min'
>>> [(m.indicator, m.value) for m in extract_numbers("乡镇全年无行政诉讼案件、行政复议案件。")]
[('admin_litigation_cases', 0.0), ('admin_reconsideration_cases', 0.0)]
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from re import Pattern

import numpy as np
import pandas as pd

try:
    from re import _parser as _sre_parse  # Python 3.11+
except ImportError:  # Python 3.10
    import sre_parse as _sre_parse

from .convert import convert_same_length
from .labels import PLACE_FIELDS, issuer_bodies
from .rules import compiled, load_rules
from .sentences import pieces

KINDS = ("count", "rate", "money", "area", "change", "duration")

# Same-length normalisation so offsets in the normalised copy equal offsets in the input.
_FULLWIDTH = {ord("０") + i: ord("0") + i for i in range(10)} | {
    ord("％"): ord("%"),
    ord("．"): ord("."),
    ord("＋"): ord("+"),
    ord("－"): ord("-"),
    ord("／"): ord("/"),
    ord("："): ord(":"),
}
_SENTENCE_END = "。！？!?\n"
_CLAUSE_END = "，,；;。！？!?：:、\n"
_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"


@dataclass(frozen=True)
class Mention:
    """One number-with-unit in a text (or, with `include_traps`, a number that is not one)."""

    report_id: str
    section_kind: str
    mention_no: int  # 1..n in text order
    indicator: str  # canonical code from rules/indicators.yaml, '' when no rule matched
    label: str  # the code's Chinese label
    value: float | None  # 万/亿 multiplied out, money in 元; the low end of a range
    value_high: float | None  # the high end of a range (1—2个), else None
    unit: str  # normalised unit: 件, 人次, %, 元, 平方米, 年 …
    kind: str  # count, rate, money, area, change, duration ('' for a trap)
    approx: str  # the approximation word (余, 多, 近, 约, 左右) or ''
    bound: str  # 'min' (以上, 超, 逾), 'max' (不足, 以内) or ''
    sign: int | None  # +1 / -1 for a change, else None
    changed: str  # for a change: what changed (群众咨询量)
    parent_no: int | None  # mention_no of the total this sub-count belongs to (其中…)
    raw: str  # the matched text, == text[start:end]
    sentence: str  # the sentence holding the number
    start: int
    end: int
    trap: str = ""  # why this number is not an indicator (only with include_traps=True)


MENTION_COLUMNS = [f.name for f in fields(Mention)]


@dataclass(frozen=True)
class IndicatorRule:
    code: str
    label: str
    unit: str
    kinds: tuple[str, ...]
    units: tuple[str, ...]
    signals: tuple[Pattern, ...]
    after: tuple[Pattern, ...]
    context: tuple[Pattern, ...]
    description: str


@dataclass(frozen=True)
class NumberRules:
    """numbers.yaml compiled once."""

    token: Pattern
    token_start: Pattern  # the characters a token can begin with
    units: dict[str, tuple[str, str, float]]  # written → (unit, kind, factor)
    families: dict[str, int]
    unit_not_before: dict[str, str]  # written unit (or "*") → characters that cannot follow it
    per_units: tuple[str, ...]
    implicit_money: Pattern
    implicit_money_needs: tuple[str | Pattern, ...]  # what `implicit_money` needs (`_checks`)
    article_numerals: frozenset[str]
    approx_before: tuple[str, ...]  # longest first
    approx_not_after: dict[str, str]
    approx_inside: frozenset[str]
    approx_after: tuple[str, ...]
    min_before: tuple[str, ...]
    max_before: tuple[str, ...]
    min_after: tuple[str, ...]
    max_after: tuple[str, ...]
    bounds_before: tuple[str, ...]  # min_before + max_before, longest first
    change: Pattern
    # what a clause ends with when `change` can match it (…增长, …增幅达)
    change_endings: tuple[str, ...]
    comparison_tail: Pattern
    down_words: frozenset[str]
    zero: Pattern
    zero_heads: dict[str, str]
    zero_not_after: str
    zero_not_before: str
    zero_splitter: Pattern
    traps: tuple[tuple[str, Pattern], ...]
    trap_needs: tuple[tuple[str | Pattern, ...], ...]  # per trap: what a text must hold (`_checks`)
    trap_triggers: tuple[Pattern, dict[str, tuple[int, ...]], tuple[int, ...]]  # `_trap_triggers`
    hotlines: frozenset[str]
    quote_pairs: tuple[str, ...]
    max_name_chars: int
    max_title_chars: int
    # Gates of `_read_words_around`: the characters a word before a number (约, 超过, 同比增长) ends
    # with, and those a word after it (左右, 以上) begins with; None when a word is '' (no gate).
    words_before_end: frozenset[str] | None
    words_after_begin: frozenset[str] | None
    zero_openers: tuple[str, ...] | None  # the first characters of the negations (None: no gate)


# A pattern opening with a repeated class (\d+, \d{4}, [0-9A-Za-z]+) is searched position by position;
# written as one class then the repeat (\d\d*, \d\d{3}) the search skips to the characters of the class
# first (re's prefix scan): the same matches, 25-30% faster.
_REPEATED_FIRST = re.compile(r"^(\(\?<[!=](?:[^()\\]|\\.)*\))?(\\d|\[(?:[^\]\\]|\\.)+\])(?:(\+)|\{(\d+)(?:,(\d+))?\})")


def _one_then_repeat(pattern: str) -> str:
    r"""`pattern` with its opening repeat written as one class then the repeat (same matches).

    >>> _one_then_repeat(r"\d+(?=[一二])"), _one_then_repeat(r"(?<!\d)\d{1,2}:"), _one_then_repeat(r"第?\d+号")
    ('\\d\\d*(?=[一二])', '(?<!\\d)\\d\\d{0,1}:', '第?\\d+号')
    """
    m = _REPEATED_FIRST.match(pattern)
    if m is None:
        return pattern
    behind, cls, plus, low, high = m.groups()
    if plus:
        repeat = "*"
    elif int(low) < 1:
        return pattern
    else:
        repeat = f"{{{int(low) - 1}}}" if high is None else f"{{{int(low) - 1},{int(high) - 1}}}"
    return f"{behind or ''}{cls}{cls}{repeat}{pattern[m.end() :]}"


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# What a pattern needs. Scanning text with a pattern that opens with \d costs about as much as all
# the rest of the extraction, and most sections cannot hold most traps (no 号, no 月, no Latin
# letter): `_needs` reads from the parsed pattern the strings every match must find, so
# `_trap_spans` tries a pattern only on texts that hold them. It never changes an answer: a part
# it cannot read (\d, \s, [^…], a negative look-around, an ignore-case group) is simply left out.
_MAX_CHOICES = 64  # a clause with more strings than this is left out (checking it costs too much)
_REPEATS = tuple(getattr(_sre_parse, op) for op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
                 if hasattr(_sre_parse, op))  # fmt: skip


def _needs(pattern: Pattern) -> tuple[tuple[str, ...], ...]:
    """Clauses that every match of `pattern` satisfies: one of the strings of each clause occurs
    in the text searched (in the match, or where a look-ahead or look-behind looks).

    >>> _needs(re.compile(r"\\d{4}\\s*年\\s*\\d{1,2}\\s*月(份|底|初|末)?"))
    (('年',), ('月',))
    >>> _needs(re.compile(r"[(（]\\d{1,2}[)）]"))
    (('(', '（'), (')', '）'))
    """
    if pattern.flags & re.IGNORECASE:
        return ()
    try:
        clauses = _clauses(_sre_parse.parse(pattern.pattern, pattern.flags))
    except (re.error, AttributeError, TypeError, ValueError):  # not understood: tried on every text
        return ()
    clauses = {tuple(sorted(c)) for c in clauses}
    return tuple(sorted(clauses, key=lambda c: (len(c), -max(map(len, c)), c)))  # one string first


def _clauses(items) -> list[frozenset[str]]:
    """Clauses of a parsed sequence: a match holds at least one string of every clause."""
    out, run = [], ""
    for op, av in items:
        if op is _sre_parse.LITERAL:
            run += chr(av)  # consecutive characters: the whole run must occur
            continue
        if run:
            out.append(frozenset([run]))
            run = ""
        if op is _sre_parse.IN:
            chars = set()
            for item_op, item in av:
                if item_op is _sre_parse.LITERAL:
                    chars.add(chr(item))
                elif item_op is _sre_parse.RANGE and item[1] - item[0] < _MAX_CHOICES:
                    chars.update(map(chr, range(item[0], item[1] + 1)))
                else:  # \d, \s, [^…]: too many characters to check
                    chars = None
                    break
            if chars and len(chars) <= _MAX_CHOICES:
                out.append(frozenset(chars))
        elif op in _REPEATS:
            if av[0] >= 1:
                out += _clauses(av[2])
        elif op is _sre_parse.SUBPATTERN:
            if not av[1] & re.IGNORECASE:
                out += _clauses(av[3])
        elif op is _sre_parse.ASSERT:  # (?=…) (?<=…): what it looks at is in the text too
            out += _clauses(av[1])
        elif op is _sre_parse.BRANCH:  # each alternative gives its most telling clause
            picks = []
            for alternative in av[1]:
                found = _clauses(alternative)
                if not found:
                    picks = None
                    break
                picks.append(min(found, key=lambda c: (-min(map(len, c)), len(c))))
            union = frozenset().union(*picks) if picks else frozenset()
            if 0 < len(union) <= _MAX_CHOICES:
                out.append(union)
    if run:
        out.append(frozenset([run]))
    return out


def _key_string(pattern: Pattern) -> str:
    """The longest string every match of `pattern` holds ('' when `_needs` finds none).

    >>> _key_string(re.compile("(化解|调处|调解)(矛盾)?纠纷"))
    '纠纷'
    """
    return max((c[0] for c in _needs(pattern) if len(c) == 1), key=len, default="")


def _checks(needs: tuple[tuple[str, ...], ...]) -> tuple[str | Pattern, ...]:
    """`_needs` as checks for `_holds`: a clause of one string stays a string; a clause of several
    becomes a pattern finding any of them."""
    return tuple(c[0] if len(c) == 1 else _any_string(c) for c in needs)


def _trap_triggers(
    needs: list[tuple[tuple[str, ...], ...]],
) -> tuple[Pattern, dict[str, tuple[int, ...]], tuple[int, ...]]:
    """An index of the traps by a character each needs, so that `_trap_spans` looks at only the traps
    whose character is in the text: (a pattern finding any of those characters, character → the traps
    needing it, the traps needing no single character). For each trap, its smallest clause of `_needs`
    made of single characters (date: one of -/.年; code: a Latin letter)."""
    by_char: dict[str, list[int]] = {}
    always = []
    for i, clauses in enumerate(needs):
        chars = [c for c in clauses if c and all(len(w) == 1 for w in c)]
        if not chars:
            always.append(i)
            continue
        for ch in min(chars, key=len):
            by_char.setdefault(ch, []).append(i)
    finder = re.compile("[" + "".join(re.escape(ch) for ch in sorted(by_char)) + "]" if by_char else r"(?!x)x")
    return finder, {ch: tuple(ix) for ch, ix in by_char.items()}, tuple(always)


def _holds(text: str, checks: tuple[str | Pattern, ...]) -> bool:
    """True when `text` passes every check of `_checks`: each string occurs in it, each pattern
    is found in it."""
    for check in checks:
        if (check not in text) if check.__class__ is str else (check.search(text) is None):
            return False
    return True


@functools.lru_cache(maxsize=16)
def _any_of(chars: str) -> Pattern:
    """A pattern finding any one of `chars` ('' finds nothing)."""
    return re.compile(f"[{re.escape(chars)}]" if chars else r"(?!x)x")


def _compile_number_rules(raw: dict) -> NumberRules:
    units = {u["written"]: (u["unit"], u["kind"], float(u.get("factor", 1))) for u in raw["units"]}
    for written, (_, kind, _) in units.items():
        if kind not in KINDS:
            raise ValueError(
                f"`kind` = {kind!r} (unit {written!r} in numbers.yaml) is not valid; choose one of: {', '.join(KINDS)}."
            )
    digits = raw["chinese_digits"]
    chinese = rf"[{digits}]+(?:点[零〇一二两三四五六七八九]+)?"
    number = rf"(?:{_ARABIC}|{chinese})"
    dashes = re.escape(raw["range_dashes"])
    inside = "".join(raw["approx"]["inside"])
    per = _alternation(raw["per_units"])
    token = re.compile(
        rf"(?P<pct>百分之(?P<pctnum>[{digits}点]+))"
        rf"|(?P<num>{number})(?:\s*[{dashes}]\s*(?P<num2>{number}))?"
        rf"(?P<ap1>[{inside}])?(?P<mult>千万|万|亿)?(?P<ap2>[{inside}])?"
        rf"(?P<unit>{_alternation(units)})?(?:/(?P<per>{per}))?"
    )
    token_start = re.compile(rf"[百\d{digits}]")  # every token begins with one of these
    ch = raw["changes"]
    cmp_ = rf"(?P<cmp>{_alternation(ch['comparison'])})?"
    change = re.compile(
        rf"{cmp_}(?:(?P<verb>{_alternation(ch['up'] + ch['down'])})(?:{_alternation(ch['verb_linkers'])})?"
        rf"|(?P<noun>{_alternation(ch['up_nouns'] + ch['down_nouns'])})(?:{_alternation(ch['noun_linkers'])})?)$"
    )
    zr = raw["zeros"]
    heads = _alternation(zr["heads"])
    zero = re.compile(
        rf"(?P<neg>{_alternation(zr['negations'])})"
        rf"(?P<obj>[^，,。；;：:！？!?\n“”\"《》()（）\d]{{1,{int(zr['max_chars'])}}}?(?:{heads})"
        rf"(?:[{re.escape(zr['splitters'])}][^，,。；;：:！？!?\n“”\"《》()（）\d]{{1,{int(zr['max_chars'])}}}?(?:{heads}))*)"
        rf"(?!\s*[\d{digits}])"
    )
    families = {}
    for i, family in enumerate(raw.get("unit_families", [])):
        for unit in family:
            families[unit] = i
    ap = raw["approx"]
    bd = raw["bounds"]
    traps = tuple((t["name"], re.compile(_one_then_repeat(p))) for t in raw["traps"] for p in t["patterns"])
    change_endings = tuple(
        word + linker
        for words, linkers in (
            (ch["up"] + ch["down"], ch["verb_linkers"]),
            (ch["up_nouns"] + ch["down_nouns"], ch["noun_linkers"]),
        )
        for word in words
        for linker in ["", *linkers]
    )
    return NumberRules(
        token=token,
        token_start=token_start,
        units=units,
        families=families,
        unit_not_before={k: str(v) for k, v in (raw.get("unit_not_before") or {}).items()},
        per_units=tuple(raw["per_units"]),
        implicit_money=re.compile(raw["implicit_money_before"]),
        implicit_money_needs=_checks(_needs(re.compile(raw["implicit_money_before"]))),
        article_numerals=frozenset(raw.get("article_numerals", [])),
        approx_before=tuple(sorted(ap["before"], key=len, reverse=True)),
        approx_not_after=dict(ap.get("not_after", {})),
        approx_inside=frozenset(ap["inside"]),
        approx_after=tuple(ap["after"]),
        min_before=tuple(bd["min_before"]),
        max_before=tuple(bd["max_before"]),
        min_after=tuple(bd["min_after"]),
        max_after=tuple(bd["max_after"]),
        bounds_before=tuple(sorted(bd["min_before"] + bd["max_before"], key=len, reverse=True)),
        change=change,
        change_endings=change_endings,
        comparison_tail=re.compile(ch.get("comparison_tail") or r"(?!x)x"),
        down_words=frozenset(ch["down"] + ch["down_nouns"]),
        zero=zero,
        zero_heads=dict(zr["heads"]),
        zero_not_after=zr["not_after_negation"],
        zero_not_before=zr["not_before_negation"],
        zero_splitter=re.compile(f"[{re.escape(zr['splitters'])}]"),
        traps=traps,
        trap_needs=tuple(_checks(_needs(p)) for _, p in traps),
        trap_triggers=_trap_triggers([_needs(p) for _, p in traps]),
        hotlines=frozenset(str(h) for h in raw.get("hotlines", [])),
        quote_pairs=tuple(raw["quote_pairs"]),
        max_name_chars=int(raw["max_name_chars"]),
        max_title_chars=int(raw["max_title_chars"]),
        words_before_end=_edge_characters([*ap["before"], *bd["min_before"], *bd["max_before"], *change_endings], -1),
        words_after_begin=_edge_characters([*ap["after"], *bd["min_after"], *bd["max_after"]], 0),
        zero_openers=_openers(zr["negations"]),
    )


def _edge_characters(words: list[str], at: int) -> frozenset[str] | None:
    """The first (`at` 0) or last (-1) characters of `words`; None when one is '' (every text has it)."""
    return None if "" in words else frozenset(w[at] for w in words)


def _openers(words: list[str]) -> tuple[str, ...] | None:
    """The distinct first characters of `words`, or None when one is ''."""
    return None if "" in words else tuple(sorted({w[0] for w in words}))


def number_rules() -> NumberRules:
    """The compiled rules of numbers.yaml (recompiled when the file changes)."""
    return compiled(_compile_number_rules, load_rules("numbers"))


def _compile_lexicon(raw: dict) -> tuple[IndicatorRule, ...]:
    rules = []
    seen = set()
    for entry in raw["indicators"]:
        code = entry["code"]
        if code in seen:
            raise ValueError(f"`code` = {code!r} appears twice in indicators.yaml; codes must be unique.")
        seen.add(code)
        kinds = tuple(entry.get("kinds", ["count"]))
        for kind in kinds:
            if kind not in KINDS or kind == "change":
                valid = ", ".join(k for k in KINDS if k != "change")
                raise ValueError(f"`kinds` = {kind!r} (indicator {code!r}) is not valid; choose one of: {valid}.")
        rules.append(
            IndicatorRule(
                code=code,
                label=entry.get("label", ""),
                unit=entry.get("unit", ""),
                kinds=kinds,
                units=tuple(entry.get("units", [])),
                signals=tuple(re.compile(s) for s in entry.get("signals", [])),
                after=tuple(re.compile(s) for s in entry.get("after", [])),
                context=tuple(re.compile(s) for s in entry.get("context", [])),
                description=entry.get("description", ""),
            )
        )
    return tuple(rules)


def indicator_rules() -> tuple[IndicatorRule, ...]:
    """The compiled lexicon of indicators.yaml, in file order."""
    return compiled(_compile_lexicon, load_rules("indicators"))


def indicator_lexicon() -> pd.DataFrame:
    """The lexicon as a table: code, label, unit, kinds, signals, description."""
    return pd.DataFrame(
        [
            {
                "code": r.code,
                "label": r.label,
                "unit": r.unit,
                "kinds": ", ".join(r.kinds),
                "signals": " | ".join(p.pattern for p in r.signals),
                "description": r.description,
            }
            for r in indicator_rules()
        ]
    )


# ---------------------------------------------------------------------------------------------
# numerals


def parse_numeral(text: str) -> float:
    """Arabic, full-width or Chinese numeral → float.

    >>> parse_numeral("1,090"), parse_numeral("１０９０"), parse_numeral("两万"), parse_numeral("百")
    (1090.0, 1090.0, 20000.0, 100.0)
    """
    s = text.translate(_FULLWIDTH).replace(",", "").strip()
    if not s:
        raise ValueError("`text` = '' is not valid; choose one of: a numeral such as 1090 or 一千零九十.")
    if re.fullmatch(r"\d+(\.\d+)?", s):
        return float(s)
    if s[0] in "十百千万亿" and s[0] != "十":
        s = "一" + s
    value = _standard_numeral(s)
    if value is not None:
        return value
    import cn2an  # imported here: slow to import (~0.3 s), and only unusual numerals need it

    try:
        return float(cn2an.cn2an(s, "normal"))
    except (ValueError, KeyError) as err:
        raise ValueError(
            f"`text` = {text!r} is not valid; choose one of: a numeral such as 1090 or 一千零九十."
        ) from err


_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZEROS = frozenset("零〇")
_LAST_DIGIT_AFTER = frozenset(("", "十", *_ZEROS))  # what may stand before a numeral's last digit
_GROUP_DIGIT_AFTER = _LAST_DIGIT_AFTER | {"万", "亿"}  # … and before the last digit of a 万 or 亿 group


def _standard_numeral(s: str) -> float | None:
    """The value of a Chinese numeral in the standard form (一千零九十, 两万, 十二, 一亿零五百万), or None
    for any other form — colloquial (三万五, 一百五), digit by digit (二〇二三), decimals (一点五), anything
    not a numeral — which `parse_numeral` leaves to cn2an. Where this gives a value it is cn2an's
    ("normal" mode; tests/test_indicators.py compares the two on every number below 100,000 and more),
    without importing cn2an, which takes longer than the numbers of a hundred reports."""
    total = section = 0  # total: the 亿 and 万 groups done; section: the group being read
    digit = None  # a digit not yet multiplied by a unit
    last_small = 10_000  # units within a group must fall: 千 > 百 > 十
    last_big = 10**9  # and 亿 before 万
    previous = before_digit = ""
    zero_seen = False  # a 零 since the last unit
    for ch in s:
        if ch in _DIGITS:
            if digit is not None:
                return None  # two digits in a row: digit by digit (二〇二三) or not a numeral
            digit, before_digit = _DIGITS[ch], previous
        elif ch in _ZEROS:
            if digit is not None or previous in ("", "十") or previous in _ZEROS:
                return None  # 零 stands for a missing unit: never first, after 十 or after another 零
            zero_seen = True
        elif ch in _SMALL_UNITS:
            unit = _SMALL_UNITS[ch]
            if unit >= last_small or previous in _ZEROS or (zero_seen and unit * 10 >= last_small):
                return None  # units fall; a 零 stands for at least one unit left out (一百零一十 does not)
            if digit is None:
                if ch != "十" or previous != "":
                    return None  # a bare 百/千 inside a numeral; only a leading 十 (十二) stands alone
                digit = 1
            section += digit * unit
            digit, last_small, zero_seen = None, unit, False
        elif ch in "万亿":
            unit = 10_000 if ch == "万" else 100_000_000
            if unit >= last_big or previous in _ZEROS:
                return None
            if digit is not None and before_digit not in _GROUP_DIGIT_AFTER:
                return None  # 一百五万: a digit straight after 百/千 ends a group only colloquially
            section += digit or 0
            if section == 0:
                return None
            total = (total + section) * unit if ch == "亿" else total + section * unit
            section, digit, last_small, last_big, zero_seen = 0, None, 10_000, unit, False
        else:
            return None
        previous = ch
    if digit is not None:
        if before_digit not in _LAST_DIGIT_AFTER:
            return None  # a digit straight after 百/千/万/亿 (一百五, 三万五): colloquial
        section += digit
    elif previous in _ZEROS:
        return None  # a numeral does not end in 零
    if section and last_big == 100_000_000 and s[s.rindex("亿") + 1] not in _ZEROS:
        return None  # 亿 then less than 万 with no 零 straight after it (一亿八千): cn2an refuses it
    return float(total + section)


# the same numerals come back in every report
_numeral = functools.lru_cache(maxsize=4096)(parse_numeral)


# ---------------------------------------------------------------------------------------------
# spans


def _quote_spans(text: str, rules: NumberRules) -> list[tuple[int, int, str]]:
    """(start, end, kind) of quoted names and book titles: “1+3+29+X”  《…(2021—2025年)》"""
    out = []
    for pair in rules.quote_pairs:
        open_, close = pair[0], pair[1]
        limit = rules.max_title_chars if open_ == "《" else rules.max_name_chars
        pos = 0
        while True:
            i = text.find(open_, pos)
            if i < 0:
                break
            j = text.find(close, i + 1)
            newline = text.find("\n", i + 1)
            if j < 0 or (0 <= newline < j):
                pos = i + 1
                continue
            if j - i - 1 <= limit:
                out.append((i, j + 1, "name"))
            pos = j + 1
    return out


def _trap_spans(text: str, rules: NumberRules) -> list[tuple[int, int, str]]:
    """(start, end, name) of every trap match in `text`, pattern by pattern in rules order."""
    out = []
    finder, plan = _trap_plan(rules)
    traps = rules.traps
    for i, pending in plan(frozenset(finder.findall(text))):
        for check in pending:  # _holds, inline: the text lacks something every match needs (no 号 for 第5号)
            if (check not in text) if check.__class__ is str else (check.search(text) is None):
                break
        else:
            name, pattern = traps[i]
            for m in pattern.finditer(text):
                start, end = m.span()
                if end > start:
                    out.append((start, end, name))
    return out


# Which traps a text may hold, from the characters of their needs it holds. A trap runs on a text only
# when every clause of its `_needs` holds there: one scan finds which of the clauses' single characters
# the text holds (年, 月, -, 号, a Latin letter …), which decides most clauses at once; a clause none of
# whose characters is there is left to its longer strings (19|20, 12345, 星期), checked on the text.
# Which traps remain, and what each still needs checked, depends on those characters only: kept per set
# of characters (a few hundred sets over a corpus). The same traps run as with every clause checked in
# turn (`trap_needs`), in the same order: the same spans.
_TRAP_PLANS: dict[int, tuple] = {}  # id(rules) → (rules, (finder, plan))


def _trap_plan(rules: NumberRules) -> tuple[Pattern, Callable[[frozenset[str]], tuple]]:
    """(a pattern finding any single character of the traps' clauses, characters found → ((trap index,
    the checks left), …) in rules order), built once per compiled rules."""
    hit = _TRAP_PLANS.get(id(rules))
    if hit is None or hit[0] is not rules:
        hit = _TRAP_PLANS[id(rules)] = (rules, _compile_trap_plan(rules))
    return hit[1]


def _compile_trap_plan(rules: NumberRules) -> tuple[Pattern, Callable[[frozenset[str]], tuple]]:
    clauses = []  # per trap: ((its single characters, a check of its longer strings or None), …)
    for _, pattern in rules.traps:
        own = []
        for clause in _needs(pattern):
            longer = [w for w in clause if len(w) > 1]
            check = None if not longer else longer[0] if len(longer) == 1 else _any_string(longer)
            own.append((frozenset(w for w in clause if len(w) == 1), check))
        clauses.append(tuple(own))
    singles = sorted({c for own in clauses for chars, _ in own for c in chars})
    finder = re.compile("[" + "".join(map(re.escape, singles)) + "]" if singles else r"(?!x)x")

    @functools.lru_cache(maxsize=1024)
    def plan(found: frozenset[str]) -> tuple[tuple[int, tuple], ...]:
        out = []
        for i, own in enumerate(clauses):
            pending = []
            for chars, check in own:
                if chars & found:
                    continue  # one of its characters is in the text
                if check is None:
                    break  # none of its characters, no longer string: the trap cannot match
                pending.append(check)
            else:
                out.append((i, tuple(pending)))
        return tuple(out)

    return finder, plan


def _covering(spans: list[tuple[int, int, str]], start: int, end: int) -> str:
    for s, e, name in spans:
        if s < end and start < e:
            return name
    return ""


def _ends_with(text: str, words: tuple[str, ...]) -> str:
    """The first of `words` (given longest first) that `text` ends with, else ''."""
    if not text.endswith(words):
        return ""  # the usual case, in one call
    for w in words:
        if text.endswith(w):
            return w
    return ""


# ---------------------------------------------------------------------------------------------
# extraction


@dataclass(slots=True)
class _Draft:
    start: int
    end: int
    num_start: int
    value: float | None
    value_high: float | None
    unit: str
    kind: str
    approx: str
    bound: str
    sign: int | None = None
    changed: str = ""
    trap: str = ""
    zero_text: str = ""  # for reported zeros: the negated phrase with its head noun
    indicator: str = ""
    parent: _Draft | None = None


def extract_numbers(
    text: str,
    *,
    section_kind: str = "",
    report_id: str = "",
    offset: int = 0,
    include_traps: bool = False,
) -> list[Mention]:
    """Every number-with-unit in `text`, in text order, with its indicator code.

    `offset` is added to `start`/`end` (pass a section's start to get offsets into the whole
    text). Numbers that are not measurements are left out unless `include_traps=True`, which keeps
    them with `kind=''` and their reason in `trap` (year, date, hotline, model, ordinal, …).

    >>> m = extract_numbers("群众咨询量同比增长45%。")[0]
    >>> m.kind, m.value, m.sign, m.changed
    ('change', 45.0, 1, '群众咨询量')
    """
    if not isinstance(text, str):
        raise TypeError(f"`text` = {type(text).__name__} is not valid; choose one of: str.")
    rules, lexicon = number_rules(), _lexicon_table()
    shown, sentence_of = _read_text(_normalise(text), rules, lexicon, include_traps=include_traps)
    labels = _labels()
    number_of = {id(d): n for n, d in enumerate(shown, start=1)}
    out = []
    for d in shown:
        s, e = sentence_of(d.num_start)
        out.append(
            Mention(
                report_id=report_id,
                section_kind=section_kind,
                mention_no=number_of[id(d)],
                indicator=d.indicator,
                label=labels.get(d.indicator, ""),
                value=d.value,
                value_high=d.value_high,
                unit=d.unit,
                kind="" if d.trap else d.kind,
                approx=d.approx,
                bound=d.bound,
                sign=d.sign,
                changed=d.changed,
                parent_no=number_of[id(d.parent)] if d.parent is not None else None,
                raw=text[d.start : d.end],
                sentence=text[s:e].strip(),
                start=d.start + offset,
                end=d.end + offset,
                trap=d.trap,
            )
        )
    return out


def _read_text(
    norm: str, rules: NumberRules, lexicon: dict, *, include_traps: bool
) -> tuple[list[_Draft], Callable[[int], tuple[int, int]]]:
    """The numbers of one normalised text (`_normalise`), read, coded and linked, in text order
    (traps only with `include_traps`), and `sentence_of(pos)`: the (start, end) of the sentence
    holding `pos`. `lexicon` is `_lexicon_table()`. The trap and quote spans are found only when a
    number needs them."""
    spans = _Spans(norm, rules)
    drafts = _read_tokens(norm, rules, spans.traps, spans.quotes, reasons=include_traps)
    openers = rules.zero_openers
    if openers is None or _any_of("".join(openers)).search(norm):  # else no negation: no reported zero
        drafts += _read_zeros(norm, rules, spans.blocked)
    if not drafts or not (include_traps or any(not d.trap for d in drafts)):
        return [], _no_sentence  # (only traps, not shown: what follows codes and links the others)
    drafts.sort(key=_span_key)

    sentences = pieces(norm, _SENTENCE_END)
    sentence_starts = [s for s, _ in sentences]

    def sentence_of(pos: int) -> tuple[int, int]:
        return sentences[max(0, bisect.bisect_right(sentence_starts, pos) - 1)]

    starts = [d.start for d in drafts]  # sorted, as the drafts are
    ends = sorted([d.end for d in drafts])
    n, last_clause, clause_run = len(norm), _LAST_CLAUSE_END.match, _CLAUSE_RUN.match
    for d in drafts:
        if d.trap or d.kind == "change":
            continue  # changes never get a code: `changed` says what changed
        if d.zero_text:
            prefix, suffix = d.zero_text, ""
        else:
            i = bisect.bisect_right(ends, d.start)  # the last number ending before this one …
            j = bisect.bisect_left(starts, d.end)  # … and the first starting after it bound its clause
            floor = ends[i - 1] if i else 0
            m = last_clause(norm, floor, d.start)  # _clause_prefix and _clause_suffix, inline
            prefix = norm[m.end() if m is not None else floor : d.start]
            suffix = norm[d.end : clause_run(norm, d.end, starts[j] if j < len(starts) else n).end()]
        s, e = sentence_of(d.num_start)
        # a reported zero is about the thing it names: an entry's `context` words must be in that
        # phrase (全年未制定规范性文件 names documents made, not reviewed, whatever else the sentence says)
        context = d.zero_text if d.zero_text else norm[s:e]
        d.indicator = _assign(d, prefix, suffix, context, lexicon)

    kept = [d for d in drafts if not d.trap]
    _link_parts(norm, kept, sentence_of, rules)
    for d in kept:
        if d.parent is not None and d.parent.indicator == d.indicator:
            d.indicator = ""  # a breakdown never repeats its total's code
    return (drafts if include_traps else kept), sentence_of


def _span_key(d: _Draft) -> tuple[int, int]:
    return d.start, d.end


class _Spans:
    """The trap and quote spans of one text, each found on first use."""

    __slots__ = ("_quotes", "_traps", "rules", "text")

    def __init__(self, text: str, rules: NumberRules):
        self.text, self.rules, self._traps, self._quotes = text, rules, None, None

    def traps(self) -> list[tuple[int, int, str]]:
        if self._traps is None:
            self._traps = _trap_spans(self.text, self.rules)
        return self._traps

    def quotes(self) -> list[tuple[int, int, str]]:
        if self._quotes is None:
            self._quotes = _quote_spans(self.text, self.rules)
        return self._quotes

    def blocked(self) -> list[tuple[int, int, str]]:
        return self.traps() + self.quotes()


def _no_sentence(pos: int) -> tuple[int, int]:
    raise AssertionError("a text without numbers has no sentence to look up")


def _labels() -> dict[str, str]:
    """code → Chinese label, from the lexicon."""
    return compiled(_compile_labels, load_rules("indicators"))


def _compile_labels(raw: dict) -> dict[str, str]:
    return {r.code: r.label for r in indicator_rules()}


# Same-length normalisation, so offsets in the normalised copy are offsets in the input.
_FULLWIDTH_PAIRS = tuple((chr(wide), chr(narrow)) for wide, narrow in _FULLWIDTH.items())


def _normalise(text: str) -> str:
    """Full-width digits and signs as ASCII (１０９０％ → 1090%), traditional characters as
    simplified; the same length, so offsets into the copy are offsets into `text`."""
    for wide, narrow in _FULLWIDTH_PAIRS:
        if wide in text:  # str.replace per character: far faster than str.translate on Chinese text
            text = text.replace(wide, narrow)
    return _simplified(text)


def _simplified(text: str) -> str:
    """Traditional characters read as simplified (兩萬餘人次 → 两万余人次), same length so offsets hold;
    `raw` and `sentence` are still cut from the text as given."""
    if text.isascii():
        return text
    if _simplify_shared(text) == text:
        return text  # the usual case, in one call (t2s never matches a phrase across a line end)
    return convert_same_length(text)


def _simplify_shared(text: str) -> str:
    """`simplify`, through the per-process cache of places.py: the place stage has converted the same
    report text already (one OpenCC pass over a whole report saved)."""
    from .places import simplified

    return simplified(text)


# The clause around a number: from the last clause stop before it (greedy [\s\S]* backs off to it:
# 化解矛盾纠纷1132件,其中诉源纠纷|503件), to the first one after it.
_LAST_CLAUSE_END = re.compile(rf"[\s\S]*[{re.escape(_CLAUSE_END)}]")
_CLAUSE_RUN = re.compile(f"[^{re.escape(_CLAUSE_END)}]*")


def _clause_prefix(text: str, pos: int, floor: int) -> str:
    """The text before `pos` back to the last clause stop (not before `floor`)."""
    m = _LAST_CLAUSE_END.match(text, floor, pos)
    return text[m.end() if m is not None else floor : pos]


def _clause_suffix(text: str, pos: int, ceiling: int) -> str:
    """The text after `pos` up to the first clause stop (not after `ceiling`)."""
    return text[pos : _CLAUSE_RUN.match(text, pos, ceiling).end()]


def _read_tokens(text, rules: NumberRules, traps, quotes, *, reasons: bool = True) -> list[_Draft]:
    """Every number token of `text` as a draft; `traps()` and `quotes()` give the spans that make
    one a trap (computed on first use). With `reasons=False` a number that is a trap anyway (no
    unit, a year) is not looked up in them: it is left out all the same, only its reason differs."""
    drafts = []
    money_words = None  # 罚款, 金额 … somewhere in the text: looked at when a number needs it
    before, after = rules.words_before_end, rules.words_after_begin
    match, search, pos = rules.token.match, rules.token_start.search, 0
    # the token pattern is tried only where a token can begin (a digit or a Chinese numeral), not at
    # every character: far fewer tries than rules.token.finditer(text), the same tokens; the next
    # beginning is looked for after the token read (not at each of its digits)
    while (found := search(text, pos)) is not None:
        at = found.start()
        m = match(text, at)
        if m is None:
            pos = at + 1
            continue
        pos = end = m.end()
        pctnum, num, written = m.group("pctnum", "num", "unit")
        if num is None:  # 百分之…
            try:
                value = _numeral(pctnum)
            except ValueError:
                continue
            draft = _Draft(at, end, at, value, None, "%", "rate", "", "")
        elif (
            written is None
            and not num[0].isdigit()
            and not (
                money_words if money_words is not None else (money_words := _holds(text, rules.implicit_money_needs))
            )
        ):
            continue  # 一是, 统一: a Chinese numeral with no unit and no money word in the text (as _read_number)
        else:
            if money_words is None and written is None:  # (a unit written: needed only if it is cut off)
                money_words = _holds(text, rules.implicit_money_needs)
            draft = _read_number(text, m, rules, money_words=money_words)
            if draft is None:
                continue
        if reasons or (draft.unit and not draft.trap):
            draft.trap = _covering(traps(), draft.num_start, end) or draft.trap
            if not draft.trap:
                draft.trap = _covering(quotes(), draft.num_start, end)
        if not draft.trap and not draft.unit:
            draft.trap = _unitless_reason(num or "", rules)
        if not draft.trap and (
            before is None
            or after is None
            or (draft.start and text[draft.start - 1] in before)
            or text[draft.end : draft.end + 1] in after
        ):  # else no word before or after it can change it (the usual case)
            _read_words_around(text, draft, rules)
        drafts.append(draft)
    return drafts


_YEAR = re.compile(r"(19|20)\d{2}")  # 2024


def _unitless_reason(num: str, rules: NumberRules) -> str:
    if num in rules.hotlines:
        return "hotline"
    if _YEAR.fullmatch(num):
        return "year"
    return "no_unit"


_MULTIPLIERS = {"万": 1e4, "亿": 1e8, "千万": 1e7}


def _read_number(text: str, m: re.Match, rules: NumberRules, *, money_words: bool | None = True) -> _Draft | None:
    """The draft of one token, or None when it is no quantity. `money_words`: False when the text
    holds none of the words that make a bare number an amount (`implicit_money_before`), None when
    that is to be looked at (only a number without a unit needs it)."""
    num, num2, ap1, mult, ap2, written, per = m.group("num", "num2", "ap1", "mult", "ap2", "unit", "per")
    arabic = num[0].isdigit()
    if not arabic and num in rules.article_numerals and not (ap1 or ap2 or mult):
        return None  # 一项重要任务, 形成一条路线: an article, not a quantity
    end = m.end()
    if written:
        next_char = text[m.end("unit") : m.end("unit") + 1]
        blocked = rules.unit_not_before.get("*", "") + rules.unit_not_before.get(written, "")
        if next_char and next_char in blocked and not per:
            written, end = "", m.start("unit")  # 一次性, 周五轮流: part of another word
    else:
        written = ""
    money = False
    if (
        not written
        and not num2
        and (money_words if money_words is not None else _holds(text, rules.implicit_money_needs))
    ):
        prefix = text[max(0, m.start() - 12) : m.start()]
        prefix = prefix[: len(prefix) - len(_ends_with(prefix, rules.bounds_before))]
        money = bool(rules.implicit_money.search(prefix))
    if not arabic and not written and not money:
        return None  # 三中全会, 一是: a Chinese numeral with no unit is not a measurement
    try:
        value = _numeral(num)
        value_high = _numeral(num2) if num2 else None
    except ValueError:
        return None
    factor = _MULTIPLIERS.get(mult or "", 1.0)
    unit, kind = "", ""
    if written:
        unit, kind, unit_factor = rules.units[written]
        factor *= unit_factor
        if per:
            unit = f"{unit}/{per}"
    if factor != 1.0 or not value.is_integer():  # (a whole number as it is: round gives it back)
        value = round(value * factor, 6)  # 24.58万 → 245800.0, not 245799.99999999997
    if value_high is not None:
        value_high = round(value_high * factor, 6)
    approx = ap1 or ap2 or ""
    draft = _Draft(m.start(), end, m.start(), value, value_high, unit, kind, approx, "")
    four_digits = not arabic or len(num) == 4  # 2024年, 二〇二四年
    if kind == "duration" and written == "年" and not approx and four_digits and 1900 <= value <= 2100:
        draft.trap = "year_range" if num2 else "year"
    if money:
        draft.unit, draft.kind = "元", "money"  # 案件金额超过千万
    return draft


def _read_words_around(text: str, d: _Draft, rules: NumberRules) -> None:
    """Approximation, bound and change words before and after the number; widens the span."""
    start = d.start
    for _ in range(2):
        before = text[max(0, start - 4) : start]
        word = _ends_with(before, rules.approx_before)
        if word and not d.approx:
            prev = text[start - len(word) - 1 : start - len(word)]
            if prev and prev in rules.approx_not_after.get(word, ""):
                word = ""
            if word:
                d.approx, start = word, start - len(word)
                continue
        word = _ends_with(before, rules.bounds_before)
        if word and not d.bound:
            d.bound, start = ("min" if word in rules.min_before else "max"), start - len(word)
            continue
        break
    d.start = start
    after = text[d.end : d.end + 3]
    for words, field_, value in (
        (rules.approx_after, "approx", None),
        (rules.min_after, "bound", "min"),
        (rules.max_after, "bound", "max"),
    ):
        if not after.startswith(words):
            continue  # none of the group's words follows (the usual case), in one call
        for w in words:
            if after.startswith(w):
                setattr(d, field_, w if value is None else value)
                d.end += len(w)
                after = text[d.end : d.end + 3]
                break
    if not text.endswith(rules.change_endings, 0, d.start):
        return  # no change verb or noun right before the number (the usual case)
    clause = _clause_prefix(text, d.start, 0)
    change = rules.change.search(clause) if clause.endswith(rules.change_endings) else None
    if change:
        d.kind = "change"
        d.sign = -1 if (change.group("verb") or change.group("noun")) in rules.down_words else 1
        d.changed = rules.comparison_tail.sub("", clause[: change.start()]).strip()


def _read_zeros(text: str, rules: NumberRules, blocked) -> list[_Draft]:
    """全年无行政复议、行政诉讼案件发生 → two zero counts (行政复议案件, 行政诉讼案件).

    `blocked()` gives the spans (traps, quotes) a reported zero may not overlap."""
    drafts = []
    for m in rules.zero.finditer(text):
        neg = m.group("neg")
        obj_start = m.start("obj")
        if text[obj_start : obj_start + 1] in rules.zero_not_after:
            continue
        if neg == "无" and m.start() > 0 and text[m.start() - 1] in rules.zero_not_before:
            continue
        if _covering(blocked(), m.start(), m.end()):
            continue
        obj = m.group("obj")
        items, pos = [], 0
        for piece in rules.zero_splitter.split(obj):
            items.append((obj_start + pos, piece))
            pos += len(piece) + 1
        head = next(h for h in sorted(rules.zero_heads, key=len, reverse=True) if obj.endswith(h))
        for k, (item_start, piece) in enumerate(items):
            if not piece:
                continue
            start = m.start() if k == 0 else item_start
            named = piece if any(piece.endswith(h) for h in rules.zero_heads) else piece + head
            unit = rules.zero_heads[next(h for h in rules.zero_heads if named.endswith(h))]
            drafts.append(
                _Draft(start, item_start + len(piece), item_start, 0.0, None, unit, "count", "", "", zero_text=named)
            )
    return drafts


def _lexicon_table() -> dict[tuple[str, str], tuple]:
    """(kind, unit) → the lexicon entries a mention of that kind and unit can take (`_candidates`)."""
    return compiled(_compile_lexicon_table, load_rules("indicators"))


def _compile_lexicon_table(raw: dict) -> dict[tuple[str, str], tuple]:
    return {}  # filled by _candidates, one (kind, unit) at a time


def _candidates(table: dict, kind: str, unit: str) -> tuple:
    """The entries of the lexicon, in file order, that take `kind` and `unit`, each as (rule, its
    signals, the patterns tried right after the number), every pattern paired with a string all its
    matches hold (`_key_string`), so that most patterns are never run on a clause that lacks it; and
    two gates, patterns finding any signal key and any after-key (None when a key is '': no gate).
    A clause without a signal key has no signal of any entry: one search instead of one per pattern."""
    found = table.get((kind, unit))
    if found is None:
        entries = tuple(
            (
                rule,
                tuple((p, _key_string(p)) for p in rule.signals),
                tuple((p, _key_string(p)) for p in rule.signals + rule.after),
            )
            for rule in indicator_rules()
            if kind in rule.kinds and (not rule.units or unit in rule.units)
        )
        found = table[kind, unit] = (entries, _gate(k for _, s, _ in entries for _, k in s),
                                     _gate(k for _, _, t in entries for _, k in t))  # fmt: skip
    return found


def _gate(keys) -> Pattern | None:
    """A pattern finding any of `keys`, or None when one is '' (every text holds it)."""
    keys = set(keys)
    return None if "" in keys else _any_string(keys)


def _any_string(strings) -> Pattern:
    """A pattern finding any of `strings` (none: finding nothing)."""
    strings = sorted(strings, key=lambda s: (-len(s), s))
    return re.compile("|".join(map(re.escape, strings)) if strings else r"(?!x)x")


def _assign(d: _Draft, prefix: str, suffix: str, sentence: str, lexicon: dict) -> str:
    entries, signal_gate, tail_gate = _candidates(lexicon, d.kind, d.unit)
    signals_here = signal_gate is None or signal_gate.search(prefix) is not None
    tails_here = tail_gate is None or tail_gate.search(suffix) is not None
    if not signals_here and not tails_here:
        return ""  # no entry has a signal before or after this number (the usual case)
    best, best_distance = "", None
    for rule, signals, tails in entries:
        last = -1  # where the last signal before the number ends
        if signals_here:
            for p, key in signals:
                if key in prefix:
                    for m in p.finditer(prefix):
                        if m.end() > last:
                            last = m.end()
        if last >= 0:
            distance = len(prefix) - last
        elif not tails_here:
            continue
        else:
            for p, key in tails:
                if key in suffix and p.match(suffix):
                    distance = 10_000  # a signal right after the number counts only when none precedes
                    break
            else:
                continue
        if rule.context and not any(p.search(sentence) for p in rule.context):
            continue
        if best_distance is None or distance < best_distance:
            best, best_distance = rule.code, distance
    return best


def _compatible(a: _Draft, b: _Draft, rules: NumberRules) -> bool:
    if a.kind != b.kind or a.kind not in ("count", "money", "area"):
        return False
    if a.unit == b.unit:
        return True
    fa, fb = rules.families.get(a.unit), rules.families.get(b.unit)
    return fa is not None and fa == fb


_LIST_STOP = re.compile(r"[，,；;。！？!?：:\n]")


def _one_list(text: str, candidates: list[_Draft], qizhong: int) -> bool:
    """Whether `candidates` are one list (no clause stop between them) that 其中 (at `qizhong`) follows
    right after the last one: 阵地2处、民法典…4处、…5处,其中."""
    gaps = [text[a.end : b.start] for a, b in itertools.pairwise(candidates)]
    if any(_LIST_STOP.search(gap) for gap in gaps):
        return False
    return not text[candidates[-1].end : qizhong].strip(" ，,、")


def _link_parts(text: str, kept: list[_Draft], sentence_of, rules: NumberRules) -> None:
    """Sub-counts point to their total (`parent`):

    - 化解矛盾纠纷1132件,其中诉源纠纷503件、访源纠纷71件 — after 其中, the one compatible count
      before it in the sentence (or in the previous sentence when 其中 opens the sentence);
    - 参加2件行政诉讼案件审理(1件已驳回…,1件已完成…) — inside brackets, the count just before them.

    - 阵地2处、4处、2处、5处,其中新建2处 — after a list of compatible counts joined with no clause stop
      between them, the sub-count is a part of the listed things, whose total is not written: it
      points to the list's last count (the one 其中 follows), and must not exceed the list's sum.

    With two or more candidate totals that are not one list (审查合同5件,文件3件,其中…) or a sub-count
    larger than the total, nothing is linked: the total is not written.
    """
    if "其中" not in text and "(" not in text and "（" not in text:
        return  # neither 其中 nor a bracket: no sub-count here
    for i, child in enumerate(kept):
        if child.kind not in ("count", "money", "area") or child.value is None:
            continue
        s, _ = sentence_of(child.num_start)
        head = text[s : child.start]
        q = head.rfind("其中")
        candidates: list[_Draft] = []
        if q >= 0:
            q += s
            candidates = [p for p in kept[:i] if s <= p.start and p.end <= q]
            if not candidates and not text[s:q].strip(" ，,:：、\n") and s > 0:
                ps, pe = sentence_of(s - 1)
                candidates = [p for p in kept[:i] if ps <= p.start and p.end <= pe]
        else:
            open_ = max(head.rfind("("), head.rfind("（"))
            if open_ > max(head.rfind(")"), head.rfind("）")):
                open_ += s
                before = [p for p in kept[:i] if p.end <= open_]
                if before and not any(c in "，,；;。" for c in text[before[-1].end : open_]):
                    candidates = [before[-1]]
        candidates = [p for p in candidates if _compatible(p, child, rules)]
        if len(candidates) > 1 and q >= 0 and _one_list(text, candidates, q):
            if all(p.value is not None for p in candidates) and child.value <= sum(p.value for p in candidates):
                child.parent = candidates[-1]
            continue
        if len(candidates) == 1 and candidates[0].value is not None and child.value <= candidates[0].value:
            child.parent = candidates[0]


def mentions_frame(mentions: list[Mention]) -> pd.DataFrame:
    """Mentions → DataFrame with stable dtypes (empty input gives the same columns)."""
    frame = pd.DataFrame([asdict(m) for m in mentions], columns=MENTION_COLUMNS)
    for col in ("mention_no", "sign", "parent_no", "start", "end"):
        frame[col] = frame[col].astype("Int64")
    for col in ("value", "value_high"):
        frame[col] = frame[col].astype("Float64")
    return frame


def extract_indicators(
    text: str,
    *,
    section_kind: str = "",
    report_id: str = "",
    offset: int = 0,
    include_traps: bool = False,
) -> pd.DataFrame:
    """`extract_numbers` as a DataFrame, one row per mention.

    >>> extract_indicators("全年完成司法确认510件,诉前调解成功率41.63%。")[["indicator", "value", "unit"]].values.tolist()
    [['judicial_confirmations', 510.0, '件'], ['mediation_success_rate', 41.63, '%']]
    """
    return mentions_frame(
        extract_numbers(
            text,
            section_kind=section_kind,
            report_id=report_id,
            offset=offset,
            include_traps=include_traps,
        )
    )


# ---------------------------------------------------------------------------------------------
# build stages and the panel

INDICATOR_COLUMNS = [
    "report_id", "mention_no", "section_order", "section_kind", "indicator", "label", "value",
    "value_high", "unit", "kind", "approx", "bound", "sign", "changed", "parent_no", "raw",
    "sentence", "start", "end",
]  # fmt: skip
PANEL_COLUMNS = [
    "issuer", "province", "prefecture", "county", "report_year", "level", "indicator", "label", "unit", "value", "total", "approx", "bound",
    "n_mentions", "n_reports", "disagree", "values", "report_ids", "mention_refs",
]  # fmt: skip
PANEL_KEYS = ["issuer", *PLACE_FIELDS, "report_year", "indicator"]  # a cell: an issuer (name and place), a year
LEVEL_KINDS = ("count", "rate", "money", "area", "duration")  # kinds that report a level (not a change)


def indicators_stage(doc) -> dict[str, list[dict]]:
    """REPORT_STAGE of `fazhi build`: every number-with-unit of every section → table `indicators`.

    Offsets are into the report's clean text: `texts.text[start:end] == raw`. `mention_no` runs
    1..n over the whole report and `parent_no` refers to it.
    """
    rows: list[dict] = []
    rules, lexicon, labels = number_rules(), _lexicon_table(), _labels()
    sections = sorted(doc.sections, key=lambda r: r["order"])
    for sec, norm in zip(sections, _normalised_sections(getattr(doc, "text", None), sections)):
        shown, sentence_of = _read_text(norm, rules, lexicon, include_traps=False)
        text, offset, kind = sec["text"], sec["start"], sec.get("kind") or ""
        number_of = {id(d): n for n, d in enumerate(shown, start=len(rows) + 1)}
        for d in shown:
            s, e = sentence_of(d.num_start)
            rows.append(
                {
                    "report_id": doc.report_id,
                    "mention_no": number_of[id(d)],
                    "section_order": sec["order"],
                    "section_kind": kind,
                    "indicator": d.indicator,
                    "label": labels.get(d.indicator, ""),
                    "value": d.value,
                    "value_high": d.value_high,
                    "unit": d.unit,
                    "kind": d.kind,
                    "approx": d.approx,
                    "bound": d.bound,
                    "sign": d.sign,
                    "changed": d.changed,
                    "parent_no": number_of[id(d.parent)] if d.parent is not None else None,
                    "raw": text[d.start : d.end],
                    "sentence": text[s:e].strip(),
                    "start": d.start + offset,
                    "end": d.end + offset,
                }
            )  # fmt: skip  (the columns of INDICATOR_COLUMNS, in order)
    return {"indicators": rows}


def _normalised_sections(text: str | None, sections: list[dict]) -> list[str]:
    """Each section's text normalised (`_normalise`). When the sections are whole lines of the
    report's `text`, the text is normalised once and cut: the same characters, since normalising
    works character by character and line by line."""
    if isinstance(text, str) and all(_whole_lines(text, sec) for sec in sections):
        norm = _normalise(text)
        return [norm[sec["start"] : sec["end"]] for sec in sections]
    return [_normalise(sec["text"]) for sec in sections]


def _whole_lines(text: str, sec: dict) -> bool:
    start, end = sec.get("start"), sec.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start <= end <= len(text):
        return False
    own = sec["text"]  # text[start:end] == own, without copying the slice
    return ((start == 0 or text[start - 1] == "\n") and (end == len(text) or text[end - 1] == "\n")
            and isinstance(own, str) and len(own) == end - start and text.startswith(own, start))  # fmt: skip


def indicators_frame(table: pd.DataFrame | None) -> pd.DataFrame:
    """The `indicators` table with every column, stable dtypes and rows sorted (report, mention)."""
    if table is None or table.empty:  # (the columns of its own kept: a build's batch tags rows with their file)
        extra = [] if table is None else [c for c in table.columns if c not in INDICATOR_COLUMNS]
        table = pd.DataFrame(columns=INDICATOR_COLUMNS + extra)
    frame = table.copy(deep=False)  # columns are replaced below, never changed in place
    for col in INDICATOR_COLUMNS:
        if col not in frame.columns:
            frame[col] = pd.Series(dtype="object", index=frame.index)
    frame = frame[INDICATOR_COLUMNS + [c for c in frame.columns if c not in INDICATOR_COLUMNS]]
    for col in (*_INT_COLUMNS, *_FLOAT_COLUMNS, *_TEXT_COLUMNS):
        frame[col] = _tidy(frame[col], col)
    return frame.sort_values(["report_id", "mention_no"], kind="stable").reset_index(drop=True)


_INT_COLUMNS = ("mention_no", "section_order", "sign", "parent_no", "start", "end")
_FLOAT_COLUMNS = ("value", "value_high")
_TEXT_COLUMNS = ("report_id", "section_kind", "indicator", "label", "unit", "kind", "approx", "bound", "changed",
                 "raw", "sentence")  # fmt: skip


def _tidy(column: pd.Series, col: str) -> pd.Series:
    """Column `col` of `indicators` in its stable dtype (`indicators_frame`), row by row."""
    if col in _INT_COLUMNS:
        return pd.to_numeric(column).astype("Int64")
    if col in _FLOAT_COLUMNS:
        return pd.to_numeric(column).astype("Float64")
    return column.fillna("").astype(str) if col in _TEXT_COLUMNS else column


def _fmt(value) -> str:
    return f"{float(value):.10g}"


_BOUND_MARKS = {"min": "≥", "max": "≤"}


def _qualifier(approx: str, bound: str) -> str:
    """'≥' for a lower bound (92%以上), '≤' for an upper bound (不足5%), '~' for an approximation."""
    return _BOUND_MARKS.get(bound, "") + ("~" if approx else "")


def indicator_panel(indicators: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """Issuer × report_year × indicator, from the level mentions that carry a code.

    One row per cell: `n_mentions` (mentions that fed it), `n_reports` (reports they come from),
    `values` (every distinct value with its unit, '; '-separated; ≥ marks a lower bound such as
    92%以上, ≤ an upper bound, ~ an approximation such as 1300余次) and `disagree` (True when the
    mentions give more than one figure, or units that are not synonyms for the indicator: the same
    number in two units the indicator's lexicon entry lists, 40本执法证 and 40人, or two units of one
    family of `numbers.yaml`, agrees; sub-counts listed together, below, give one figure, their sum).

    Two figures, and which to cite:
    - `value` is the largest single figure the report writes (a total is usually larger than the
      sub-counts reported beside it), with its `unit`, `approx` and `bound`: a number that can be
      quoted verbatim from one sentence.
    - `total` is the report's total: the largest of `value` and of the sums of sub-counts it lists
      together — mentions of the same indicator next to each other in one sentence, joined by 、/和/及
      with no clause stop between them and none a sub-count (其中) of another: 建成村社级“共享法庭”29个、
      特色“共享法庭”2个 gives value 29, total 31. The same figure repeated in another sentence is never
      added. Cite `total` for "how many in all"; it equals `value` when nothing is listed in parts.

    Neither is a silent choice: filter on `disagree` and read `values` and `mention_refs`
    ('report_id#mention_no', the rows of `indicators`) before trusting a cell that disagrees.
    Changes (同比增长45%) are not levels and are left out. An issuer is its short name and its place
    (columns province, prefecture, county; `labels.issuer_places`): every county has a 司法局 and many
    provinces a 城关镇, and their figures are never one cell. A report without an issuer is keyed by
    its source file.

    >>> indicator_panel(corpus.indicators, corpus.reports)          # doctest: +SKIP
    """
    return _panel(indicators_frame(indicators), reports)


_PANEL_INPUTS = [
    "report_id",
    "mention_no",
    "indicator",
    "label",
    "value",
    "unit",
    "approx",
    "bound",
    "parent_no",
    "sentence",
    "raw",
    "start",
]
# What may stand between two listed sub-counts of one indicator (村社级“共享法庭”29个、特色“共享法庭”2个):
# anything but a clause stop.
_LIST_GAP = re.compile(r"[^，,；;。！？!?：:\n]*")


def _unit_synonyms() -> dict[str, list[frozenset[str]]]:
    """indicator code → the sets of units that count the same thing for it: the units its lexicon
    entry lists, then each unit family of numbers.yaml."""
    return compiled(_compile_unit_synonyms, load_rules("numbers"), load_rules("indicators"))


def _compile_unit_synonyms(numbers: dict, indicators: dict) -> dict[str, list[frozenset[str]]]:
    families = [frozenset(f) for f in numbers.get("unit_families", [])]
    out = {}
    for entry in indicators["indicators"]:
        listed = frozenset(entry.get("units") or [])
        out[entry["code"]] = ([listed] if len(listed) > 1 else []) + families
    return out


def _synonymous(units: set[str], groups: list[frozenset[str]]) -> bool:
    """Whether all `units` fall in one of `groups` (one unit is trivially synonymous with itself)."""
    return len(units) <= 1 or any(units <= g for g in groups)


def _listed_together(a_start, a_raw, b_start, b_raw, sentence) -> bool:
    """Whether mention b follows mention a in `sentence` with no clause stop between them."""
    gap = int(b_start) - int(a_start) - len(a_raw)
    if gap < 0 or not isinstance(sentence, str):
        return False
    at = sentence.find(a_raw)
    while at >= 0:
        b_at = at + len(a_raw) + gap
        if sentence[b_at : b_at + len(b_raw)] == b_raw:
            return _LIST_GAP.fullmatch(sentence, at + len(a_raw), b_at) is not None
        at = sentence.find(a_raw, at + 1)
    return False


def panel_rows(table) -> np.ndarray:
    """Rows of an Arrow `indicators` table that the panel reads (`_panel`: a coded level mention with
    a value), so that a build reading the table from its parts converts only those: a mask."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        value = pc.cast(table.column("value"), pa.float64())
        keep = pc.and_(
            pc.and_(pc.not_equal(table.column("indicator"), ""), pc.is_in(table.column("kind"), pa.array(LEVEL_KINDS))),
            pc.and_(pc.is_valid(value), pc.invert(pc.is_nan(value))),
        )
        return pc.fill_null(keep, False).to_numpy(zero_copy_only=False)
    except (pa.ArrowException, KeyError):  # (a column of another type: `_panel` sorts the rows out)
        return np.ones(table.num_rows, dtype=bool)


def _chains(joins: np.ndarray, cell: np.ndarray, value: np.ndarray, part: np.ndarray, n_cells: int):
    """Per cell: the largest value or sum of sub-counts listed together (see `indicator_panel`), and
    how many different figures the cell's statements give (a list of sub-counts is one statement, of
    its sum; a sub-count introduced by 其中 is none). The rows are in cell order; `joins`: the row
    continues the list of the row before it (`_listed_rows`)."""
    chain = np.cumsum(~joins) - 1
    sums = np.bincount(chain, weights=np.where(part, value, 0.0))
    chain_cell = cell[~joins]
    totals = np.full(n_cells, -np.inf)
    np.maximum.at(totals, cell, value)
    np.maximum.at(totals, chain_cell, sums)
    said = np.bincount(chain, weights=part.astype(float)) > 0
    said_cell, said_sum = chain_cell[said], sums[said]
    order = np.lexsort((said_sum, said_cell))
    said_cell, said_sum = said_cell[order], said_sum[order]
    new = np.r_[True, (said_cell[1:] != said_cell[:-1]) | (said_sum[1:] != said_sum[:-1])]
    return totals, np.bincount(said_cell[new], minlength=n_cells)


_PANEL_LIST = ["sentence", "raw", "start"]  # columns read only of mentions that may be listed together


class _Numbers:
    """Numbers for the strings of one column, the same in every piece of the table (numbered as met)."""

    def __init__(self):
        self.number: dict[str, int] = {}

    def of(self, column: pd.Series) -> np.ndarray:
        local, uniques = pd.factorize(column)
        known = [self.number.setdefault(u, len(self.number)) for u in uniques.tolist()]
        return np.asarray(known, dtype=np.int32)[local]

    def names(self) -> np.ndarray:
        return np.array(list(self.number), dtype=object)

    def ranks(self) -> np.ndarray:
        """Each number's place among the strings sorted (as Python sorts them)."""
        names = list(self.number)
        ranks = np.empty(len(names), dtype=np.int64)
        ranks[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
        return ranks


@dataclass
class _Reports:
    """The `reports` rows a mention joins (as `merge(on="report_id")` pairs them) and their cell keys."""

    frame: pd.DataFrame
    ids: pd.Index  # each report_id once
    rows: np.ndarray  # rows of `frame`, grouped by report_id (in `ids` order)
    first: np.ndarray  # report_id → its first place in `rows`
    count: np.ndarray  # report_id → how many rows of `frame` hold it
    rank: np.ndarray  # row → its report_id's place among the report_ids sorted
    issuer_year: np.ndarray  # row → a number for its (issuer, else the file; its place; report_year)
    places: pd.DataFrame  # row → the place of its issuer (`labels.issuer_bodies`)

    @classmethod
    def of(cls, reports: pd.DataFrame) -> _Reports:
        code, ids = pd.factorize(reports["report_id"])
        rows = np.argsort(code, kind="stable")
        rows = rows[code[rows] >= 0]
        count = np.bincount(code[code >= 0], minlength=len(ids))
        who = issuer_bodies(reports).reset_index(drop=True).assign(year=reports["report_year"].to_numpy())
        return cls(
            frame=reports,
            ids=pd.Index(ids),
            rows=rows,
            first=np.cumsum(count) - count,
            count=count,
            rank=pd.factorize(reports["report_id"], sort=True)[0],
            issuer_year=who.groupby(["issuer", *PLACE_FIELDS, "year"], sort=False, dropna=False).ngroup().to_numpy(),
            places=who[list(PLACE_FIELDS)],
        )


def _coded_levels(frame: pd.DataFrame) -> np.ndarray:
    """The rows of a piece of `indicators` (raw) that the panel reads: coded level mentions with a value."""
    keep = (_tidied(frame, "indicator") != "").to_numpy(bool) & _tidied(frame, "kind").isin(LEVEL_KINDS).to_numpy(bool)
    return keep & _tidied(frame, "value").notna().to_numpy(bool)


def _piece_rows(frame: pd.DataFrame, keep: np.ndarray, who: _Reports, allowed: np.ndarray | None):
    """The panel's mentions in one piece of `indicators` (raw; `keep`: `_coded_levels`): (rows of
    `frame`, each paired with a row of reports like an inner merge, so a report_id held twice in
    `reports` gives its rows twice; those reports' rows; their report_id numbers)."""
    group = np.full(len(frame), -1, dtype=np.int64)
    group[keep] = who.ids.get_indexer(_tidied(frame, "report_id", np.flatnonzero(keep)))
    if allowed is not None:  # only the mentions of some reports (their raw report_id among theirs)
        ok = group >= 0
        ok[ok] = allowed[group[ok]]
        group[~ok | frame["report_id"].isna().to_numpy(bool)] = -1
    rows = np.flatnonzero(group >= 0)
    group = group[rows]
    n = who.count[group]
    if (n == 1).all():
        return rows, who.rows[who.first[group]], group
    within = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    return np.repeat(rows, n), who.rows[np.repeat(who.first[group], n) + within], np.repeat(group, n)


def _tidied(frame: pd.DataFrame, col: str, rows: np.ndarray | None = None) -> pd.Series:
    """Column `col` of `frame` (rows `rows`) as `indicators_frame` makes it."""
    column = frame[col] if col in frame.columns else pd.Series(dtype="object", index=frame.index)
    return _tidy(column if rows is None else column.iloc[rows], col)


def _listed_rows(frame: pd.DataFrame, rows, report, issuer_year, code, mention, part) -> np.ndarray:
    """Which of one piece's panel mentions (`rows` of `frame`) continue a list of sub-counts begun by the
    mention before them in cell order: the one just before it in the report, of the same indicator and
    cell, neither a sub-count (其中), in the same sentence with no clause stop between them. Every
    mention of a report is in the piece, so the one before it in the piece is the one before it in the
    panel's order (report_id, mention_no, then the order read)."""
    joins = np.zeros(len(rows), dtype=bool)
    if len(rows) < 2:
        return joins
    order = np.lexsort((np.arange(len(rows)), mention, code, issuer_year, report))
    r, k, c, m, p = report[order], issuer_year[order], code[order], mention[order], part[order]
    maybe = 1 + np.flatnonzero(
        (r[1:] == r[:-1]) & (k[1:] == k[:-1]) & (c[1:] == c[:-1]) & (m[1:] == m[:-1] + 1) & p[1:] & p[:-1]
    )
    if not len(maybe):
        return joins
    after, before = order[maybe], order[maybe - 1]
    both = np.r_[before, after]
    sents, raws, starts = (_tidied(frame, col, rows[both]).tolist() for col in _PANEL_LIST)
    n = len(maybe)
    for i in range(n):
        j = n + i
        joins[after[i]] = sents[j] == sents[i] and _listed_together(starts[i], raws[i], starts[j], raws[j], sents[j])
    return joins


def _panel_of(frames: Callable, reports: pd.DataFrame | None, *, only=None) -> pd.DataFrame:
    """`indicator_panel` of the `indicators` table given piece by piece (`frames()` → raw frames, in
    the table's order; `only`: the report_ids whose mentions count), reading each piece's mentions into
    numbers and letting the rest go, so nothing holds the whole table. A report's mentions lie in one
    piece (one file's rows in one part); if not, the pieces are read again as one."""
    if reports is None or reports.empty:
        return _empty_panel()
    who = allowed = None  # (read from `reports` once a piece has a mention for the panel)
    names = {c: _Numbers() for c in ("indicator", "label", "unit", "approx", "bound")}
    got = {c: [] for c in ("row", "report", "mention", "value", "part", "joins", *names)}
    pieces_of = []  # each piece's report_id numbers
    for frame in frames():
        keep = _coded_levels(frame)
        if not keep.any():
            continue
        if who is None:
            who = _Reports.of(reports)
            allowed = None if only is None else who.ids.isin(list(only))
        rows, row, group = _piece_rows(frame, keep, who, allowed)
        if not len(rows):
            continue
        pieces_of.append(np.unique(group))
        got["row"].append(row)
        got["report"].append(who.rank[row])
        got["mention"].append(_tidied(frame, "mention_no", rows).to_numpy(dtype=np.int64))
        got["value"].append(_tidied(frame, "value", rows).to_numpy(dtype=float))
        got["part"].append(_tidied(frame, "parent_no", rows).isna().to_numpy(bool))
        for c, numbers in names.items():
            got[c].append(numbers.of(_tidied(frame, c, rows)))
        now = {c: v[-1] for c, v in got.items() if v}
        got["joins"].append(
            _listed_rows(
                frame, rows, now["report"], who.issuer_year[row], now["indicator"], now["mention"], now["part"]
            )
        )
    split = len(pieces_of) > 1 and np.bincount(np.concatenate(pieces_of)).max() > 1
    if split:  # a report's mentions in two pieces: its lists are read from the whole table
        return _panel_of(lambda: [pd.concat(list(frames()), ignore_index=True)], reports, only=only)
    if not got["row"]:
        return _empty_panel()
    m = {c: np.concatenate(v) for c, v in got.items()}
    return _panel_table(m, who, names)


def _panel_table(m: dict, who: _Reports, names: dict) -> pd.DataFrame:
    """The panel's rows from its mentions as numbers (`_panel_of`): the mentions are sorted cell by
    cell, each cell's figures are reductions over its run of rows (numpy `reduceat`), and strings are
    made for the cells only."""
    import pyarrow as pa
    import pyarrow.compute as pc

    # cell order: (issuer and year, indicator), then report_id, mention_no, the order read (a stable sort)
    cell_key = who.issuer_year[m["row"]].astype(np.int64) * len(names["indicator"].number) + m["indicator"]
    order = np.lexsort((m["mention"], m["report"], cell_key))
    m = {c: v[order] for c, v in m.items()}
    cell_key = cell_key[order]
    starts = np.flatnonzero(np.r_[True, cell_key[1:] != cell_key[:-1]])  # each cell's first row
    cell = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(cell_key)]))
    ends = np.r_[starts[1:], len(cell)]
    n_cells = len(starts)
    value = m["value"]
    best = np.maximum.reduceat(value, starts)
    at_top = value == best[cell]
    top = np.minimum.reduceat(np.where(at_top, np.arange(len(value)), len(value)), starts)  # 1st row giving it
    # approx: '' when some mention gives the top value without 余/约; bound: kept when they all agree
    approx_names, bound_names = names["approx"].names(), names["bound"].names()
    exact = np.logical_or.reduceat(at_top & (approx_names == "")[m["approx"]], starts)
    one_bound = ~np.logical_or.reduceat(at_top & (m["bound"] != m["bound"][top][cell]), starts)

    new_report = np.r_[True, m["report"][1:] != m["report"][:-1]]
    new_report[starts] = True
    id_ends = np.cumsum(np.add.reduceat(new_report, starts))
    report_id = pa.array(who.frame["report_id"].to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
    report_id = report_id.take(pa.array(m["row"]))
    refs = pc.binary_join_element_wise(
        report_id, pc.cast(pa.array(m["mention"]), pa.large_string()), pa.scalar("#", pa.large_string())
    )

    # each cell's distinct (value, unit, ≥/≤/~), sorted as Python sorts these tuples
    unit_names = names["unit"].names()
    marks = [_qualifier(a, b) for a, b in itertools.product(approx_names.tolist(), bound_names.tolist())]
    mark_names, mark = np.unique(np.array(marks, dtype=object), return_inverse=True)
    mark = mark.reshape(len(approx_names), len(bound_names))[m["approx"], m["bound"]]
    unit = names["unit"].ranks()[m["unit"]]
    by = np.lexsort((np.arange(len(cell)), mark, unit, value, cell))
    same = np.r_[False, (cell[by][1:] == cell[by][:-1]) & (value[by][1:] == value[by][:-1])
                 & (unit[by][1:] == unit[by][:-1]) & (mark[by][1:] == mark[by][:-1])]  # fmt: skip
    shown_rows = by[~same]
    shown_cell = cell[shown_rows]
    # each distinct (value as bits, unit, mark) written once
    bits = value[shown_rows].view(np.int64)
    key = np.lexsort((mark[shown_rows], unit[shown_rows], bits))
    kb, ku, km = bits[key], unit[shown_rows][key], mark[shown_rows][key]
    first = np.r_[True, (kb[1:] != kb[:-1]) | (ku[1:] != ku[:-1]) | (km[1:] != km[:-1])]
    which = np.empty(len(key), dtype=np.int64)
    which[key] = np.cumsum(first) - 1
    unit_sorted = np.array(sorted(names["unit"].number), dtype=object)
    texts = [f"{mark_names[q]}{_fmt(v)} {unit_sorted[u]}"
             for v, u, q in zip(kb[first].view(float).tolist(), ku[first].tolist(), km[first].tolist())]  # fmt: skip
    shown = pa.array(texts, type=pa.large_string()).take(pa.array(which))
    shown_ends = np.cumsum(np.bincount(shown_cell, minlength=n_cells))

    # units that are not synonyms for the indicator (the same number as 40本 and 40人 agrees)
    synonyms = _unit_synonyms()
    codes = names["indicator"].names()[m["indicator"][starts]]
    cell_units = np.unique(shown_cell * (len(unit_names) + 1) + unit[shown_rows])
    unit_cell, unit_rank = cell_units // (len(unit_names) + 1), cell_units % (len(unit_names) + 1)
    n_units = np.bincount(unit_cell, minlength=n_cells)
    unit_ends = np.cumsum(n_units)
    odd_units = np.zeros(n_cells, dtype=bool)
    for c in np.flatnonzero(n_units > 1).tolist():  # cells of more than one unit
        found = {unit_sorted[u] for u in unit_rank[unit_ends[c] - n_units[c] : unit_ends[c]].tolist()}
        odd_units[c] = not _synonymous(found, synonyms.get(codes[c], []))
    joins = m["joins"].copy()
    joins[starts] = False  # (never set: a list is of one cell)
    totals, n_figures = _chains(joins, cell, value, m["part"], n_cells)

    def joined(values, ends, sep: str) -> np.ndarray:
        offsets = pa.array(np.r_[0, ends].astype(np.int64))
        lists = pa.LargeListArray.from_arrays(offsets, values)
        return pc.binary_join(lists, pa.scalar(sep, pa.large_string())).to_numpy(zero_copy_only=False)

    first_row = m["row"][starts]
    issuer = who.frame["issuer"].fillna(who.frame["source_file"])
    text = functools.partial(pd.Series, dtype=object)  # Python strings, as _panel_dtypes makes them
    panel = pd.DataFrame({
        "issuer": text(issuer.to_numpy(dtype=object)[first_row]),
        **{f: text(who.places[f].to_numpy(dtype=object)[first_row]) for f in PLACE_FIELDS},
        "report_year": who.frame["report_year"].iloc[first_row].to_numpy(),
        "level": text(who.frame["level"].to_numpy(dtype=object)[first_row]),
        "indicator": text(codes),
        "label": text(names["label"].names()[m["label"][starts]]),
        "unit": text(unit_names[m["unit"][top]]),
        "value": best,
        "total": totals,
        "approx": text(np.where(exact, "", approx_names[m["approx"][top]])),
        "bound": text(np.where(one_bound, bound_names[m["bound"][top]], "")),
        "n_mentions": ends - starts,
        "n_reports": np.diff(np.r_[0, id_ends]),
        "disagree": (n_figures > 1) | odd_units,
        "values": text(joined(shown, shown_ends, "; ")),
        "report_ids": text(joined(report_id.filter(pa.array(new_report)), id_ends, ",")),
        "mention_refs": text(joined(refs, ends, "; ")),
    }, columns=PANEL_COLUMNS).pipe(_panel_dtypes)  # fmt: skip
    return panel.sort_values(PANEL_KEYS, kind="stable", na_position="last").reset_index(drop=True)


def _empty_panel() -> pd.DataFrame:
    return _panel_dtypes(pd.DataFrame({c: pd.Series(dtype="object") for c in PANEL_COLUMNS}))


def _panel(ind: pd.DataFrame, reports: pd.DataFrame | None) -> pd.DataFrame:
    """`indicator_panel` of an `indicators_frame` (`_panel_of`, the table as one piece)."""
    return _panel_of(lambda: [ind], reports)


def _panel_dtypes(panel: pd.DataFrame) -> pd.DataFrame:
    panel = panel.copy()
    panel["report_year"] = pd.to_numeric(panel["report_year"]).astype("Int64")
    panel["value"] = pd.to_numeric(panel["value"]).astype("Float64")
    panel["total"] = pd.to_numeric(panel["total"]).astype("Float64")
    for col in ("n_mentions", "n_reports"):
        panel[col] = pd.to_numeric(panel[col]).astype("Int64")
    panel["disagree"] = panel["disagree"].astype("boolean")
    for col in ("issuer", *PLACE_FIELDS, "level", "indicator", "label", "unit", "approx", "bound", "values",
                "report_ids", "mention_refs"):  # fmt: skip
        panel[col] = panel[col].astype("object")
    return panel


def indicator_panel_stage(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """CORPUS_STAGE of `fazhi build`: the `indicators` table tidied and the `indicator_panel`."""
    indicators = indicators_frame(tables.get("indicators"))
    return {"indicators": indicators, "indicator_panel": _panel(indicators, tables.get("reports"))}
