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
import re
from dataclasses import asdict, dataclass, fields
from re import Pattern

import pandas as pd

from .rules import load_rules

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
    units: dict[str, tuple[str, str, float]]  # written → (unit, kind, factor)
    families: dict[str, int]
    unit_not_before: dict[str, str]  # written unit (or "*") → characters that cannot follow it
    per_units: tuple[str, ...]
    implicit_money: Pattern
    article_numerals: frozenset[str]
    approx_before: tuple[str, ...]
    approx_not_after: dict[str, str]
    approx_inside: frozenset[str]
    approx_after: tuple[str, ...]
    min_before: tuple[str, ...]
    max_before: tuple[str, ...]
    min_after: tuple[str, ...]
    max_after: tuple[str, ...]
    change: Pattern
    comparison_tail: Pattern
    down_words: frozenset[str]
    zero: Pattern
    zero_heads: dict[str, str]
    zero_not_after: str
    zero_not_before: str
    zero_splitter: Pattern
    traps: tuple[tuple[str, Pattern], ...]
    hotlines: frozenset[str]
    quote_pairs: tuple[str, ...]
    max_name_chars: int
    max_title_chars: int


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@functools.lru_cache(maxsize=8)
def _compile_number_rules(key: int) -> NumberRules:
    raw = load_rules("numbers")
    units = {u["written"]: (u["unit"], u["kind"], float(u.get("factor", 1))) for u in raw["units"]}
    for written, (_, kind, _) in units.items():
        if kind not in KINDS:
            raise ValueError(
                f"`kind` = {kind!r} (unit {written!r} in numbers.yaml) is not valid; "
                f"choose one of: {', '.join(KINDS)}."
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
    return NumberRules(
        token=token,
        units=units,
        families=families,
        unit_not_before={k: str(v) for k, v in (raw.get("unit_not_before") or {}).items()},
        per_units=tuple(raw["per_units"]),
        implicit_money=re.compile(raw["implicit_money_before"]),
        article_numerals=frozenset(raw.get("article_numerals", [])),
        approx_before=tuple(sorted(ap["before"], key=len, reverse=True)),
        approx_not_after=dict(ap.get("not_after", {})),
        approx_inside=frozenset(ap["inside"]),
        approx_after=tuple(ap["after"]),
        min_before=tuple(bd["min_before"]),
        max_before=tuple(bd["max_before"]),
        min_after=tuple(bd["min_after"]),
        max_after=tuple(bd["max_after"]),
        change=change,
        comparison_tail=re.compile(ch.get("comparison_tail") or r"(?!x)x"),
        down_words=frozenset(ch["down"] + ch["down_nouns"]),
        zero=zero,
        zero_heads=dict(zr["heads"]),
        zero_not_after=zr["not_after_negation"],
        zero_not_before=zr["not_before_negation"],
        zero_splitter=re.compile(f"[{re.escape(zr['splitters'])}]"),
        traps=tuple((t["name"], re.compile(p)) for t in raw["traps"] for p in t["patterns"]),
        hotlines=frozenset(str(h) for h in raw.get("hotlines", [])),
        quote_pairs=tuple(raw["quote_pairs"]),
        max_name_chars=int(raw["max_name_chars"]),
        max_title_chars=int(raw["max_title_chars"]),
    )


def number_rules() -> NumberRules:
    """The compiled rules of numbers.yaml (recompiled when the file changes)."""
    return _compile_number_rules(id(load_rules("numbers")))


@functools.lru_cache(maxsize=8)
def _compile_lexicon(key: int) -> tuple[IndicatorRule, ...]:
    rules = []
    seen = set()
    for entry in load_rules("indicators")["indicators"]:
        code = entry["code"]
        if code in seen:
            raise ValueError(f"`code` = {code!r} appears twice in indicators.yaml; codes must be unique.")
        seen.add(code)
        kinds = tuple(entry.get("kinds", ["count"]))
        for kind in kinds:
            if kind not in KINDS or kind == "change":
                valid = ", ".join(k for k in KINDS if k != "change")
                raise ValueError(
                    f"`kinds` = {kind!r} (indicator {code!r}) is not valid; choose one of: {valid}."
                )
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
    return _compile_lexicon(id(load_rules("indicators")))


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
    import cn2an  # imported here: it is slow to import and only Chinese numerals need it

    if s[0] in "十百千万亿" and s[0] != "十":
        s = "一" + s
    try:
        return float(cn2an.cn2an(s, "normal"))
    except (ValueError, KeyError) as err:
        raise ValueError(f"`text` = {text!r} is not valid; choose one of: a numeral such as 1090 or 一千零九十.") from err


# ---------------------------------------------------------------------------------------------
# spans


def _spans(text: str, stops: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for i, ch in enumerate(text):
        if ch in stops:
            spans.append((start, i + 1))
            start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    return spans


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
    out = []
    for name, pattern in rules.traps:
        for m in pattern.finditer(text):
            if m.end() > m.start():
                out.append((m.start(), m.end(), name))
    return out


def _covering(spans: list[tuple[int, int, str]], start: int, end: int) -> str:
    for s, e, name in spans:
        if s < end and start < e:
            return name
    return ""


def _ends_with(text: str, words) -> str:
    for w in sorted(words, key=len, reverse=True):
        if text.endswith(w):
            return w
    return ""


# ---------------------------------------------------------------------------------------------
# extraction


@dataclass
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
    rules = number_rules()
    lexicon = indicator_rules()
    norm = _simplified(text.translate(_FULLWIDTH))
    traps = _trap_spans(norm, rules)
    quotes = _quote_spans(norm, rules)
    drafts = _read_tokens(norm, rules, traps, quotes)
    drafts += _read_zeros(norm, rules, traps + quotes)
    drafts.sort(key=lambda d: (d.start, d.end))

    sentences = _spans(norm, _SENTENCE_END)
    sentence_starts = [s for s, _ in sentences]

    def sentence_of(pos: int) -> tuple[int, int]:
        return sentences[max(0, bisect.bisect_right(sentence_starts, pos) - 1)]

    for d in drafts:
        if d.trap or d.kind == "change":
            continue  # changes never get a code: `changed` says what changed
        if d.zero_text:
            prefix, suffix = d.zero_text, ""
        else:
            prev_end = max((p.end for p in drafts if p.end <= d.start), default=0)
            next_start = min((p.start for p in drafts if p.start >= d.end), default=len(norm))
            prefix = _clause_prefix(norm, d.start, prev_end)
            suffix = _clause_suffix(norm, d.end, next_start)
        s, e = sentence_of(d.num_start)
        d.indicator = _assign(d, prefix, suffix, norm[s:e], lexicon)

    kept = [d for d in drafts if not d.trap]
    _link_parts(norm, kept, sentence_of, rules)
    for d in kept:
        if d.parent is not None and d.parent.indicator == d.indicator:
            d.indicator = ""  # a breakdown never repeats its total's code

    labels = {r.code: r.label for r in lexicon}
    shown = drafts if include_traps else kept
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


def _simplified(text: str) -> str:
    """Traditional characters read as simplified (兩萬餘人次 → 两万余人次), same length so offsets hold;
    `raw` and `sentence` are still cut from the text as given."""
    if text.isascii():
        return text
    from .convert import _convert_same_length

    return _convert_same_length(text)


def _clause_prefix(text: str, pos: int, floor: int) -> str:
    i = pos
    while i > floor and text[i - 1] not in _CLAUSE_END:
        i -= 1
    return text[i:pos]


def _clause_suffix(text: str, pos: int, ceiling: int) -> str:
    i = pos
    while i < ceiling and text[i] not in _CLAUSE_END:
        i += 1
    return text[pos:i]


def _read_tokens(text, rules: NumberRules, traps, quotes) -> list[_Draft]:
    drafts = []
    for m in rules.token.finditer(text):
        if m.group("pct"):
            try:
                value = parse_numeral(m.group("pctnum"))
            except ValueError:
                continue
            draft = _Draft(m.start(), m.end(), m.start(), value, None, "%", "rate", "", "")
        else:
            draft = _read_number(text, m, rules)
            if draft is None:
                continue
        draft.trap = _covering(traps, draft.num_start, m.end()) or draft.trap
        if not draft.trap:
            draft.trap = _covering(quotes, draft.num_start, m.end())
        if not draft.trap and not draft.unit:
            draft.trap = _unitless_reason(m.group("num") or "", rules)
        if not draft.trap:
            _read_words_around(text, draft, rules)
        drafts.append(draft)
    return drafts


def _unitless_reason(num: str, rules: NumberRules) -> str:
    if num in rules.hotlines:
        return "hotline"
    if re.fullmatch(r"(19|20)\d{2}", num):
        return "year"
    return "no_unit"


def _read_number(text: str, m: re.Match, rules: NumberRules) -> _Draft | None:
    num, num2 = m.group("num"), m.group("num2")
    arabic = num[0].isdigit()
    written = m.group("unit") or ""
    end = m.end()
    next_char = text[m.end("unit") : m.end("unit") + 1] if written else ""
    blocked = rules.unit_not_before.get("*", "") + rules.unit_not_before.get(written, "")
    if next_char and next_char in blocked and not m.group("per"):
        written, end = "", m.start("unit")  # 一次性, 周五轮流: part of another word
    quantified = bool(m.group("ap1") or m.group("ap2") or m.group("mult"))
    if not arabic and num in rules.article_numerals and not quantified:
        return None  # 一项重要任务, 形成一条路线: an article, not a quantity
    money_words = False
    if not written and not num2:
        prefix = text[max(0, m.start() - 12) : m.start()]
        prefix = prefix[: len(prefix) - len(_ends_with(prefix, rules.min_before + rules.max_before))]
        money_words = bool(rules.implicit_money.search(prefix))
    if not arabic and not written and not money_words:
        return None  # 三中全会, 一是: a Chinese numeral with no unit is not a measurement
    try:
        value = parse_numeral(num)
        value_high = parse_numeral(num2) if num2 else None
    except ValueError:
        return None
    factor = {"万": 1e4, "亿": 1e8, "千万": 1e7}.get(m.group("mult") or "", 1.0)
    unit, kind = "", ""
    if written:
        unit, kind, unit_factor = rules.units[written]
        factor *= unit_factor
        if m.group("per"):
            unit = f"{unit}/{m.group('per')}"
    value = round(value * factor, 6)  # 24.58万 → 245800.0, not 245799.99999999997
    if value_high is not None:
        value_high = round(value_high * factor, 6)
    approx = m.group("ap1") or m.group("ap2") or ""
    draft = _Draft(m.start(), end, m.start(), value, value_high, unit, kind, approx, "")
    four_digits = not arabic or len(num) == 4  # 2024年, 二〇二四年
    if kind == "duration" and written == "年" and not approx and four_digits and 1900 <= value <= 2100:
        draft.trap = "year_range" if num2 else "year"
    if money_words:
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
        word = _ends_with(before, rules.min_before + rules.max_before)
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
        for w in words:
            if after.startswith(w):
                setattr(d, field_, w if value is None else value)
                d.end += len(w)
                after = text[d.end : d.end + 3]
                break
    clause = _clause_prefix(text, d.start, 0)
    change = rules.change.search(clause)
    if change:
        d.kind = "change"
        d.sign = -1 if (change.group("verb") or change.group("noun")) in rules.down_words else 1
        d.changed = rules.comparison_tail.sub("", clause[: change.start()]).strip()


def _read_zeros(text: str, rules: NumberRules, blocked) -> list[_Draft]:
    """全年无行政复议、行政诉讼案件发生 → two zero counts (行政复议案件, 行政诉讼案件)."""
    drafts = []
    for m in rules.zero.finditer(text):
        neg = m.group("neg")
        obj_start = m.start("obj")
        if text[obj_start : obj_start + 1] in rules.zero_not_after:
            continue
        if neg == "无" and m.start() > 0 and text[m.start() - 1] in rules.zero_not_before:
            continue
        if _covering(blocked, m.start(), m.end()):
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


def _assign(d: _Draft, prefix: str, suffix: str, sentence: str, lexicon) -> str:
    best, best_distance = "", None
    for rule in lexicon:
        if d.kind not in rule.kinds or (rule.units and d.unit not in rule.units):
            continue
        if rule.context and not any(p.search(sentence) for p in rule.context):
            continue
        ends = [m.end() for p in rule.signals for m in p.finditer(prefix)]
        if ends:
            distance = len(prefix) - max(ends)
        elif any(p.match(suffix) for p in rule.signals + rule.after):
            distance = 10_000  # a signal right after the number counts only when none precedes
        else:
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


def _link_parts(text: str, kept: list[_Draft], sentence_of, rules: NumberRules) -> None:
    """Sub-counts point to their total (`parent`):

    - 化解矛盾纠纷1132件,其中诉源纠纷503件、访源纠纷71件 — after 其中, the one compatible count
      before it in the sentence (or in the previous sentence when 其中 opens the sentence);
    - 参加2件行政诉讼案件审理(1件已驳回…,1件已完成…) — inside brackets, the count just before them.

    With two or more candidate totals (阵地2处、4处…,其中新建2处) or a sub-count larger than the
    total, nothing is linked: the total is not written.
    """
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
    "issuer", "report_year", "level", "indicator", "label", "unit", "value", "approx", "bound",
    "n_mentions", "n_reports", "disagree", "values", "report_ids", "mention_refs",
]  # fmt: skip
LEVEL_KINDS = ("count", "rate", "money", "area", "duration")  # kinds that report a level (not a change)


def indicators_stage(doc) -> dict[str, list[dict]]:
    """REPORT_STAGE of `fazhi build`: every number-with-unit of every section → table `indicators`.

    Offsets are into the report's clean text: `texts.text[start:end] == raw`. `mention_no` runs
    1..n over the whole report and `parent_no` refers to it.
    """
    rows: list[dict] = []
    for sec in sorted(doc.sections, key=lambda r: r["order"]):
        base = len(rows)
        mentions = extract_numbers(
            sec["text"], section_kind=sec.get("kind") or "", report_id=doc.report_id, offset=sec["start"]
        )
        for m in mentions:
            row = asdict(m)
            row["mention_no"] += base
            if row["parent_no"] is not None:
                row["parent_no"] += base
            row["section_order"] = sec["order"]
            rows.append({c: row[c] for c in INDICATOR_COLUMNS})
    return {"indicators": rows}


def indicators_frame(table: pd.DataFrame | None) -> pd.DataFrame:
    """The `indicators` table with every column, stable dtypes and rows sorted (report, mention)."""
    if table is None or table.empty:
        table = pd.DataFrame(columns=INDICATOR_COLUMNS)
    frame = table.copy()
    for col in INDICATOR_COLUMNS:
        if col not in frame.columns:
            frame[col] = pd.Series(dtype="object", index=frame.index)
    frame = frame[INDICATOR_COLUMNS + [c for c in frame.columns if c not in INDICATOR_COLUMNS]]
    for col in ("mention_no", "section_order", "sign", "parent_no", "start", "end"):
        frame[col] = pd.to_numeric(frame[col]).astype("Int64")
    for col in ("value", "value_high"):
        frame[col] = pd.to_numeric(frame[col]).astype("Float64")
    text_cols = ("report_id", "section_kind", "indicator", "label", "unit", "kind", "approx", "bound",
                 "changed", "raw", "sentence")  # fmt: skip
    for col in text_cols:
        frame[col] = frame[col].fillna("").astype(str)
    return frame.sort_values(["report_id", "mention_no"], kind="stable").reset_index(drop=True)


def _fmt(value) -> str:
    return f"{float(value):.10g}"


def _qualifier(approx: str, bound: str) -> str:
    """'≥' for a lower bound (92%以上), '≤' for an upper bound (不足5%), '~' for an approximation."""
    return {"min": "≥", "max": "≤"}.get(bound, "") + ("~" if approx else "")


def indicator_panel(indicators: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """Issuer × report_year × indicator, from the level mentions that carry a code.

    One row per cell: `n_mentions` (mentions that fed it), `n_reports` (reports they come from),
    `values` (every distinct value with its unit, '; '-separated; ≥ marks a lower bound such as
    92%以上, ≤ an upper bound, ~ an approximation such as 1300余次) and `disagree` (True when the
    mentions give more than one value or unit). `value` is the largest reported value — totals are
    usually larger than the sub-counts reported beside them — with its `unit`, `approx` and `bound`;
    it is never a silent choice: filter on `disagree` and read `values` and `mention_refs`
    ('report_id#mention_no', the rows of `indicators`) before trusting a cell that disagrees.
    Changes (同比增长45%) are not levels and are left out. A report without an issuer is keyed by
    its source file.

    >>> indicator_panel(corpus.indicators, corpus.reports)          # doctest: +SKIP
    """
    ind = indicators_frame(indicators)
    ind = ind[(ind["indicator"] != "") & ind["kind"].isin(LEVEL_KINDS) & ind["value"].notna()]
    if ind.empty or reports is None or reports.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in PANEL_COLUMNS}).pipe(_panel_dtypes)
    who = reports[["report_id", "issuer", "report_year", "level", "source_file"]].copy()
    who["issuer"] = who["issuer"].fillna(who["source_file"])
    ind = ind.merge(who.drop(columns="source_file"), on="report_id", how="inner")
    rows = []
    keys = ["issuer", "report_year", "indicator"]
    for (issuer, year, code), cell in ind.groupby(keys, sort=True, dropna=False):
        cell = cell.sort_values(["report_id", "mention_no"])
        distinct = sorted({(float(v), u, _qualifier(a, b)) for v, u, a, b in
                           zip(cell["value"], cell["unit"], cell["approx"], cell["bound"])})
        top = cell.loc[cell["value"].astype(float).idxmax()]
        at_top = cell[cell["value"].astype(float) == float(top["value"])]
        rows.append({
            "issuer": issuer,
            "report_year": year,
            "level": cell["level"].iloc[0],
            "indicator": code,
            "label": cell["label"].iloc[0],
            "unit": top["unit"],
            "value": float(top["value"]),
            "approx": "" if (at_top["approx"] == "").any() else top["approx"],
            "bound": top["bound"] if at_top["bound"].nunique() == 1 else "",
            "n_mentions": len(cell),
            "n_reports": cell["report_id"].nunique(),
            "disagree": len({(v, u) for v, u, _ in distinct}) > 1,
            "values": "; ".join(f"{q}{_fmt(v)} {u}" for v, u, q in distinct),
            "report_ids": ",".join(sorted(cell["report_id"].unique())),
            "mention_refs": "; ".join(f"{r}#{n}" for r, n in zip(cell["report_id"], cell["mention_no"])),
        })
    panel = pd.DataFrame(rows, columns=PANEL_COLUMNS).pipe(_panel_dtypes)
    return panel.sort_values(keys, kind="stable", na_position="last").reset_index(drop=True)


def _panel_dtypes(panel: pd.DataFrame) -> pd.DataFrame:
    panel = panel.copy()
    panel["report_year"] = pd.to_numeric(panel["report_year"]).astype("Int64")
    panel["value"] = pd.to_numeric(panel["value"]).astype("Float64")
    for col in ("n_mentions", "n_reports"):
        panel[col] = pd.to_numeric(panel[col]).astype("Int64")
    panel["disagree"] = panel["disagree"].astype("boolean")
    for col in ("issuer", "level", "indicator", "label", "unit", "approx", "bound", "values",
                "report_ids", "mention_refs"):  # fmt: skip
        panel[col] = panel[col].astype("object")
    return panel


def indicator_panel_stage(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """CORPUS_STAGE of `fazhi build`: the `indicators` table tidied and the `indicator_panel`."""
    indicators = indicators_frame(tables.get("indicators"))
    return {"indicators": indicators, "indicator_panel": indicator_panel(indicators, tables.get("reports"))}
