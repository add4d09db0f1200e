"""Headings at every depth, the kind of each top-level part, and the points of the problems part.

Sections tile the clean body: every character belongs to exactly one section (the preamble before
the first heading, one section per heading, the closing signature block).

>>> secs = split_sections("前言。\\n一、主要成效\\n(一)加强领导\\n全年开会3次。\\n二、存在的不足和原因\\n一是队伍力量薄弱。")
>>> [(s.depth, s.marker, s.heading, s.kind) for s in secs]
[(0, None, '', 'preamble'), (1, '一、', '主要成效', 'achievements'), (2, '(一)', '加强领导', 'achievements'), (1, '二、', '存在的不足和原因', 'problems'), (2, '一是', '队伍力量薄弱', 'problems')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .metadata import YEAR_RE
from .rules import compiled, load_rules

PART_KINDS = ("achievements", "problems", "duty", "plan", "other")
SECTION_KINDS = ("preamble", *PART_KINDS, "closing")
_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_SENTENCE_PUNCT = re.compile(r"[。；;！？!?]")


@lru_cache(maxsize=4096)
def cn_number(num: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20, '7' → 7."""
    if num.isdecimal():
        try:
            return int(num)
        except ValueError:  # pragma: no cover - decimal digits always convert
            return None
    if num.isdigit():  # superscripts such as '¹' are digits but not numbers
        return None
    if not num or any(c not in _CN_NUM for c in num):
        return None
    if num == "十":
        return 10
    if num.startswith("十"):
        return 10 + _CN_NUM[num[1]]
    if len(num) == 2 and num.endswith("十"):
        return _CN_NUM[num[0]] * 10
    if len(num) == 3 and num[1] == "十":
        return _CN_NUM[num[0]] * 10 + _CN_NUM[num[2]]
    return _CN_NUM.get(num) if len(num) == 1 else None


@dataclass(frozen=True)
class Section:
    order: int
    depth: int  # 0 for preamble and closing, 1 for a top-level part, 2… for nested headings
    number: str | None  # as written: '一', '1'
    marker: str | None  # the numbering as written: '一、', '(一)', '1.', '一是'
    system: str | None  # numbering system name from headings.yaml
    heading: str  # the heading's first clause, without its marker
    kind: str  # the top-level part's kind, inherited by nested sections
    part_order: int  # 0 = preamble, 1… top-level parts in order, last+1 = closing
    start: int
    end: int


_SECTION_FIELDS = tuple(Section.__dataclass_fields__)


def _section(row: tuple, end: int) -> Section:
    """`Section(*row, end)` without the frozen dataclass's __init__ (a setattr per field, for every
    heading of every report): the same object, its fields set at once."""
    s = object.__new__(Section)
    s.__dict__.update(zip(_SECTION_FIELDS, (*row, end)))
    return s


@dataclass(frozen=True)
class Segmentation:
    sections: list[Section]
    messages: list[str] = field(default_factory=list)


class _Rules:
    def __init__(self, headings: dict, parts: dict):
        self.systems = [
            (s["name"], s["rank"], re.compile(s["pattern"]))
            for s in sorted(headings["systems"], key=lambda s: s["rank"])
        ]
        self.any_system = _joined([rx.pattern for _, _, rx in self.systems])
        self.system_of = {f"_{i}": i for i in range(len(self.systems))}
        self.inline = [(p["name"], re.compile(p["pattern"])) for p in headings["inline_points"]]
        self.heading_end = re.compile(headings["heading_end"])
        self.unnumbered_max = int(headings["unnumbered_max_chars"])
        self.kinds = [
            (k["kind"], re.compile(k["any"]), re.compile(k["not"]) if k.get("not") else None) for k in parts["kinds"]
        ]


# what a pattern cannot keep when joined with others: numbered group references and inline flags
_UNJOINABLE = re.compile(r"\\\d|\(\?\(|\(\?[aiLmsux]")
_NAMED_GROUP = re.compile(r"(?<!\\)\(\?P(<|=)(\w+)")


def _joined(patterns: list[str]) -> re.Pattern | None:
    """One regex whose match at the start of a line is that of the first of `patterns` that matches
    there (alternatives are tried in order), the i-th one's groups renamed `_<i>_<name>`; None when
    the patterns cannot be joined (numbered references, inline flags)."""
    if not patterns or any(_UNJOINABLE.search(p) for p in patterns):
        return None
    alternatives = [
        f"(?P<_{i}>{_NAMED_GROUP.sub(lambda m, i=i: f'(?P{m[1]}_{i}_{m[2]}', p)})" for i, p in enumerate(patterns)
    ]
    try:
        return re.compile("|".join(alternatives))
    except re.error:
        return None


def _rules() -> _Rules:
    return compiled(_Rules, load_rules("headings"), load_rules("parts"))


def classify_part(heading: str, *, report_year: int | None = None) -> str | None:
    """The part kind a top-level heading names, or None when its meaning matches no kind.

    >>> classify_part("二、2024年推进法治政府建设存在的不足和原因", report_year=2024)
    'problems'
    >>> classify_part("三、2024年度主要工作", report_year=2023)
    'plan'
    """
    return _classify(_rules(), heading, report_year)


_PLAN_NOT = re.compile("不足|问题|短板")


def _classify(rules: _Rules, heading: str, report_year: int | None) -> str | None:
    years = [int(y) for y in YEAR_RE.findall(heading)]
    if report_year and report_year + 1 in years and not _PLAN_NOT.search(heading):
        return "plan"
    for kind, any_re, not_re in rules.kinds:
        if any_re.search(heading) and not (not_re and not_re.search(heading)):
            return kind
    return None


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


_COMMA = re.compile(r"[，,]")


def _heading_title(rest: str, end_re: re.Pattern) -> str:
    """The first clause: up to the first full stop; a long clause is cut at its first comma."""
    m = end_re.search(rest)
    title = (rest[: m.start()] if m else rest).strip()
    if len(title) > 30:
        comma = _COMMA.search(title, 4)
        if comma:
            title = title[: comma.start()]  # (searched from 4 on: its start counts from 0)
    return title[:80]


# signature and date lines of the closing block:  湖塘街道办事处   2025年1月21日   2025121日
_CLOSING_LINE = re.compile(
    r"^(20\d{2}\s*年?\s*\d{0,2}\s*月?\s*\d{0,2}\s*日?|\d{5,8}日|[二][〇○零][〇○零一二三四五六七八九]{2}年.{0,6}日"
    r"|[\u4e00-\u9fa5（）()]{2,30}(人民政府|办事处|工委|党委|党工委|委员会|政府|镇|街道|乡|局|办公室|委|厅|部)(（盖章）|\(盖章\))?)$"
)


_UNNUMBERED_PUNCT = re.compile(r"[，,：:。；;！？!?]")


def _current_kind(heads: list, text: str, paras: list, classify) -> str | None:
    """Kind of the last top-level heading found so far (for deciding on bare heading lines)."""
    for h in reversed(heads):
        if h[2] == 1:
            a, b = paras[h[0]]
            return classify(text[a:b])
    return None


def split_sections(text: str, *, report_year: int | None = None) -> list[Section]:
    return segment(text, report_year=report_year).sections


def segment(text: str, *, report_year: int | None = None) -> Segmentation:
    """All sections of a clean body, with part kinds, plus plain-language notes on oddities."""
    rules = _rules()
    paras = _paragraphs(text)
    messages: list[str] = []
    kinds: dict[str, str | None] = {}  # heading → part kind: the same heading is asked about several times

    def classify(heading: str) -> str | None:
        if heading not in kinds:
            kinds[heading] = _classify(rules, heading, report_year)
        return kinds[heading]

    # 1. headings: (para index, system, rank, number, marker, title)
    heads = []
    systems, any_system = rules.systems, rules.any_system
    for idx, (a, b) in enumerate(paras):
        p = text[a:b]
        if not p.strip():
            continue
        head = None
        if any_system is not None:  # one regex: the first system that matches, or none
            m = any_system.match(p)
            if m:
                i = rules.system_of[m.lastgroup]  # (the alternative's own group closes last)
                head = (systems[i][0], systems[i][1], m.group(f"_{i}_num"), m.end())
        else:
            for name, rank, rx in systems:
                m = rx.match(p)
                if m:
                    head = (name, rank, m.group("num"), m.end())
                    break
        if head is not None:
            name, rank, num, end = head
            heads.append([idx, name, rank, num, p[:end].strip(), _heading_title(p[end:], rules.heading_end)])
            continue
        if len(p) <= rules.unnumbered_max and not _UNNUMBERED_PUNCT.search(p):
            kind = classify(p)
            # a bare line opens a part only when it names a part other than the one we are in
            if kind and kind != _current_kind(heads, text, paras, classify):
                heads.append([idx, "unnumbered", 1, None, None, p.strip()])

    # 2. closing block: trailing signature/date lines after the last heading
    closing_idx = len(paras)
    last_head = heads[-1][0] if heads else -1
    for idx in range(len(paras) - 1, last_head, -1):
        p = text[paras[idx][0] : paras[idx][1]].strip()
        if p and _CLOSING_LINE.match(p):
            closing_idx = idx
        elif p:
            break

    # 3. depth by a stack of ranks; a top-level marker that restarts without naming a part is nested
    stack: list[int] = []
    depths = []
    last_top_num = 0
    demoted = False
    for h in heads:
        rank = h[2]
        if rank == 1 and h[1] != "unnumbered":
            n = cn_number(h[3]) or 0
            kind = classify(h[5])
            if stack and kind is None and (n <= last_top_num or demoted):
                rank = 1.5  # 一、 reused inside a part: 一、主要成效 → 一、加强领导 二、依法决策 (above (一))
                h[2] = rank
                demoted = True
            else:
                last_top_num = n
                demoted = False
        while stack and stack[-1] >= rank:
            stack.pop()
        stack.append(rank)
        depths.append(len(stack))

    # 4. kinds of top-level parts, by meaning
    rows: list[tuple] = []  # the fields of each section up to `start`; `end` is the next one's start
    order = 0
    first_start = paras[heads[0][0]][0] if heads else (paras[closing_idx][0] if closing_idx < len(paras) else len(text))
    if first_start > 0:
        rows.append((order, 0, None, None, None, "", "preamble", 0, 0))
        order += 1
    part_order = 0
    current_kind = None
    expected: dict[tuple[int, str], int] = {}
    deepest = 0  # the greatest depth among the keys of `expected`
    for h, depth in zip(heads, depths):
        idx, system, rank, num, marker, title = h
        start = paras[idx][0]
        if depth == 1:
            part_order += 1
            kind = classify(text[paras[idx][0] : paras[idx][1]])
            if kind is None:
                kind = current_kind or "achievements"
                messages.append(f"part heading '{(marker or '') + title}' names no part; taken as {kind}")
            current_kind = kind
        # numbering continuity within a parent
        n = cn_number(num) if num else None
        key = (depth, system)
        if n is not None:
            want = expected.get(key, 1)
            if n != want and n > 1:
                messages.append(f"heading numbers skip: expected {want} before '{marker}{title[:12]}'")
            if deepest > depth:  # (numbering below this heading starts again)
                expected = {k: v for k, v in expected.items() if k[0] <= depth}
            expected[key] = n + 1
            deepest = depth
        rows.append((order, depth, num, marker, system, title, current_kind or "preamble", part_order, start))
        order += 1
    closing_start = paras[closing_idx][0] if closing_idx < len(paras) else None
    if closing_start is not None and closing_start < len(text):
        rows.append((order, 0, None, None, None, "", "closing", part_order + 1, closing_start))
    # ends: each section runs to the next one's start
    ends = [row[-1] for row in rows[1:]] + [len(text)]
    fixed = [_section(row, end) for row, end in zip(rows, ends)]
    if not fixed and text:
        fixed.append(Section(0, 0, None, None, None, "", "preamble", 0, 0, len(text)))
    return Segmentation(fixed, messages)


@dataclass(frozen=True)
class Part:
    part_order: int
    kind: str
    heading: str
    marker: str | None
    intro: str
    start: int
    end: int


def parts_of(text: str, sections: list[Section]) -> list[Part]:
    """One row per top-level part (plus preamble and closing), each spanning its sub-sections."""
    out = []
    tops = [s for s in sections if s.depth <= 1]
    first_child: dict[int, int] = {}  # part_order → start of its first sub-section (one pass, not one a part)
    for c in sections:
        if c.depth > 1 and c.part_order not in first_child:
            first_child[c.part_order] = c.start
    for i, s in enumerate(tops):
        end = tops[i + 1].start if i + 1 < len(tops) else len(text)
        child_start = first_child.get(s.part_order)
        heading_end = text.find("\n", s.start, end)
        body_start = heading_end + 1 if (s.depth == 1 and heading_end != -1) else (end if s.depth == 1 else s.start)
        intro = text[body_start:child_start].strip() if child_start is not None else ""
        out.append(Part(s.part_order, s.kind, s.heading, s.marker, intro, s.start, end))
    return out


@dataclass(frozen=True)
class Item:
    item_order: int
    item_no: str | None
    marker: str | None
    heading: str
    start: int
    end: int


def _trimmed(text: str, a: int, b: int) -> tuple[int, int]:
    while b > a and text[b - 1] in " \n":
        b -= 1
    while a < b and text[a] in " \n":
        a += 1
    return a, b


def problem_items(text: str, sections: list[Section], part: Part) -> tuple[str, list[Item]]:
    """The points of one part (the problems part): (intro, items).

    Points are the part's direct sub-headings; without them, inline points (一是…二是…) inside the
    paragraphs; without those, the paragraphs after an introductory sentence.
    """
    rules = _rules()
    children = [s for s in sections if s.part_order == part.part_order and s.depth == 2]
    heading_line_end = text.find("\n", part.start, part.end)
    body_start = heading_line_end + 1 if heading_line_end != -1 else part.end
    items: list[Item] = []
    if children:
        intro = text[body_start : children[0].start].strip()
        for i, c in enumerate(children):
            end = children[i + 1].start if i + 1 < len(children) else part.end
            a, b = _trimmed(text, c.start, end)
            items.append(Item(i + 1, c.number, c.marker, c.heading, a, b))
        return intro, items
    body = text[body_start : part.end]
    best = None
    for name, rx in rules.inline:
        hits = list(rx.finditer(body))
        nums = [cn_number(m.group("num")) for m in hits]
        # keep the run 1, 2, 3… from the first point
        run = []
        for m, n in zip(hits, nums):
            if n == len(run) + 1:
                run.append(m)
        if len(run) >= 2 and (best is None or len(run) > len(best[1])):
            best = (name, run)
    if best:
        run = best[1]
        intro = body[: run[0].start()].strip()
        for i, m in enumerate(run):
            a = body_start + m.start()
            b = body_start + (run[i + 1].start() if i + 1 < len(run) else len(body))
            a, b = _trimmed(text, a, b)
            marker = m.group(0)
            rest = text[a + len(marker) : b]
            items.append(Item(i + 1, m.group("num"), marker, _heading_title(rest, rules.heading_end)[:40], a, b))
        return intro, items
    paras = [(body_start + a, body_start + b) for a, b in _paragraphs(body) if body[a:b].strip()]
    intro = ""
    if paras and (len(paras) > 1 or re.search(r"[:：]$", text[paras[0][0] : paras[0][1]].strip())):
        first = text[paras[0][0] : paras[0][1]].strip()
        if re.search(r"[:：]$|如下|表现在|主要是|以下", first):
            intro = first
            paras = paras[1:]
    for i, (a, b) in enumerate(paras):
        a, b = _trimmed(text, a, b)
        items.append(Item(i + 1, None, None, _heading_title(text[a:b], rules.heading_end)[:40], a, b))
    return intro, items
