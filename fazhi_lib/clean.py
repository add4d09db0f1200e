"""Raw page text → clean report body, with page cruft and a second printed copy removed.

The clean body is the report's own paragraphs joined by '\\n'. Nothing inside a kept line is
changed except whitespace (runs collapsed to one space, ends stripped) and full-width digits and
percent signs (１０９０％ → 1090%). `CleanPage.offsets[i]` is the offset in the decoded raw text of
clean character `i`, so every span of the clean body can be traced back to the raw file.

>>> page = clean_page("首页 > 政府信息公开\\n发布时间: 2025-03-21 09:39\\n一、主要成效\\n全年审查１０９０件。")
>>> page.text
'一、主要成效\\n全年审查1090件。'
>>> page.meta["发布时间"]
['2025-03-21 09:39']
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate, repeat
from typing import NamedTuple

from .rules import compiled, load_rules

_FULLWIDTH = {ord("０") + i: ord("0") + i for i in range(10)} | {ord("％"): ord("%")}
_FULLWIDTH_CHARS = "".join(map(chr, _FULLWIDTH))
_WS_CHARS = " \t\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff"  # collapsed to one space
_WS = re.compile(f"[{_WS_CHARS}]+")
_SPACE_RUN = re.compile(" {2,}")
# list bullets that scraped metadata tables put in front of a label:  • 信息索引号:
_BULLET_CHARS = "•·●▪■◆◇-*"
_BULLET = re.compile(r"^[•·●▪■◆◇\-\*]+\s*")
# a title names the report:  塘栖镇法治政府建设年度报告(2024年度)   关于2024年度法治政府建设情况的报告
TITLE_RE = re.compile(r"(法治|依法行政|法制).{0,20}(报告|情况|总结(?!会))|(报告|情况|总结).{0,4}$")
TITLE_HINT = re.compile(r"法治|依法行政|法制")
_TITLE_WORD = re.compile(r"报告|情况|总结(?!会)")  # (…法治政府建设工作总结: a report; …总结会: news)
_SENTENCE_PUNCT = re.compile(r"[。；;！？!?]")
_DEFAULT_HEADING = re.compile(
    r"^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]{1,3}[、.．]|[(（][一二三四五六七八九十]{1,3}[)）])"
)


# ---------------------------------------------------------------- indents lost to an encoding
# A page converted through an encoding that has no ideographic space (a Big5 gateway, a GBK mirror) prints
# each paragraph's indent 　　 as ?? (???一、2017年…, ??2020年,我州…): read as the spaces they were, so
# headings and openings are seen. Only at a line's start and before a character a paragraph opens with
# (a character, a digit, a bracket, a bullet): ?。ㄒ唬 (mojibake of （一）) and a question mark in a sentence stay.
_LOST_INDENT = re.compile(r"^[?？]{1,4}(?=[^\s?？。，,、；;：:！!）)」』】”])", re.M)


def lost_indents(raw: str) -> tuple[str, int]:
    """(`raw` with the question marks standing for a paragraph's indent turned into spaces, how many lines).
    Same length: offsets stay.

    >>> lost_indents("??一、主要成效\\n??2020年,我州坚持依法行政。\\n?。ㄒ唬┩七M")
    ('  一、主要成效\\n  2020年,我州坚持依法行政。\\n?。ㄒ唬┩七M', 2)
    """
    if "?" not in raw and "？" not in raw:
        return raw, 0
    n = 0

    def spaces(m: re.Match) -> str:
        nonlocal n
        n += 1
        return " " * len(m.group(0))

    return _LOST_INDENT.sub(spaces, raw), n


# ---------------------------------------------------------------- pages that lost their line breaks
# A page scraped without its line breaks (a mirror's one-line page, text taken from HTML with spaces
# between the paragraphs) holds its menus, title, metadata and paragraphs on one long line; line rules
# (cruft, titles, headings) then see one line. In a line this long, a run of white space is taken for a
# line break where one plainly was: after a sentence, before a part heading, a metadata label, a report
# title standing between spaces or a report's opening (2022年,… 根据《…》), after a report title and
# after a part heading's own words. The run becomes "\n" and spaces (the same length: offsets stay).
# The development set with every line break turned into a space (150 pages): accepted 120 → 146 of
# 150, issuer 108 → 138, report year 118 → 144, publication date 102 → 144, province 103 → 127; the
# pages as they are: unchanged (two of them, real one-line pages, are reflowed to the same metadata).
REFLOW_MIN_CHARS = 400  # a line at least this long …
REFLOW_MIN_BREAKS = 2  # … with at least this many such places is read as several lines
_REFLOW_HEADING = (
    r"(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]{1,3}[、．]|[(（][一二三四五六七八九十]{1,3}[)）])"
)
_REFLOW_LABEL = (
    r"(?:(?:发布|更新|发文|公开|成文|生成|印发)(?:时间|日期)|日期|时间|(?:信息|文章|稿件)?来源|索引号|发文字号|文号"
    r"|发布机构|发文机关|浏览次数|访问次数|点击(?:数|量|率)|作者|字号|【字体)\s*[:：]"
)
_REFLOW_BREAK = re.compile(
    rf"(?<=[。！？；!?])[ \t\u3000\u00a0]+(?=\S)"  # after a sentence
    # after a page's date or clock (发布日期: 2026-02-13 2025坚持…; 发布时间 2022-06-01 09:12 本年度报告…)
    rf"|(?:(?<=\d{{4}}-\d{{2}}-\d{{2}})|(?<=\d{{4}}/\d{{2}}/\d{{2}})|(?<=\d{{2}}:\d{{2}}))[ \t\u3000\u00a0]+(?!\d{{1,2}}:\d{{2}})(?=\S)"
    # before a publication label printed without its colon, its date after it (发布时间 2022-06-01)
    rf"|[ \t\u3000\u00a0]+(?=(?:发布|更新|发文|公开|成文|生成)(?:时间|日期)[ \t\u3000\u00a0]+(?:19|20)\d{{2}}[-/.年])"
    rf"|[ \t\u3000\u00a0]+(?={_REFLOW_HEADING}|{_REFLOW_LABEL})"  # before a part heading or a metadata label
    rf"|(?<=报告|情况|总结)[ \t\u3000\u00a0]+(?=(?:19|20)\d{{2}}\s*年|[一二三四五六七八九十]{{1,3}}、|[\u4e00-\u9fff]{{2,}}[:：])"
    # before a report title standing alone between spaces (…> 政府文件 X县人民政府关于2022年度…情况的报告)
    rf"|[ \t\u3000\u00a0]+(?=[^\s]{{0,40}}(?:法治|依法行政|法制)[^\s。，,]{{0,30}}(?:报告|情况|总结)(?:\s|$))"
    # … and before the body's name printed on its own line above such a title (… X镇人民政府 关于2021年度…报告)
    rf"|[ \t\u3000\u00a0]+(?=[\u4e00-\u9fff]{{2,30}}(?:人民政府|政府|办事处|委员会|局|厅)[ \t\u3000\u00a0]+"
    rf"[^\s]{{0,40}}(?:法治|依法行政|法制)[^\s。，,]{{0,30}}(?:报告|情况|总结)(?:\s|$))"
    # before an addressee (中共X县委、X县人民政府:) and a report's opening: 2022年,… 一年来,… 根据《…》…
    rf"|[ \t\u3000\u00a0]+(?=[\u4e00-\u9fff、]{{2,30}}(?:委|人民政府|政府|常委会|委员会)[:：](?:\s|$))"
    rf"|[ \t\u3000\u00a0]+(?=(?:(?:19|20)\d{{2}}\s*年(?:度|以来)?|一年来|近年来)[,，]|(?:根据|按照|依据)《)"
)


# 一、主要成效 全年…: the white space after a part heading's own words (no punctuation in them)
_REFLOW_HEADING_WORDS = re.compile(rf"{_REFLOW_HEADING}[^\s。；;，,:：!?！？]{{1,30}}([ \t\u3000\u00a0]+)(?=\S)")


def reflow_long_lines(raw: str) -> tuple[str, int]:
    """(`raw` with the white space where a line break was in its long lines turned into one, how many
    were): see REFLOW_MIN_CHARS. Lines of ordinary length, and long ones with fewer such places, stay.
    A part heading's own words end its line too (一、主要成效 全年… → 一、主要成效 / 全年…).

    >>> page = ("首页 > 政务公开 某县2023年法治政府建设情况报告 发布时间:2024-02-01 2023年,某县坚持依法行政。"
    ...         + " 一、主要成效 " + "全年审查文件12件。 " * 100 + "二、存在的不足 执法力量不足。")
    >>> flowed, n = reflow_long_lines(page)
    >>> n, len(flowed) == len(page), flowed.splitlines()[:4]
    (106, True, ['首页 > 政务公开', '某县2023年法治政府建设情况报告', '发布时间:2024-02-01', '2023年,某县坚持依法行政。'])
    """
    if len(raw) < REFLOW_MIN_CHARS:
        return raw, 0
    lines = raw.splitlines(keepends=True)
    if not any(len(line) >= REFLOW_MIN_CHARS and _white_space_runs(line) for line in lines):
        return raw, 0  # (most pages: no line long enough with white space enough; no regex run)
    out, total = [], 0
    for line in lines:
        if len(line) >= REFLOW_MIN_CHARS and _white_space_runs(line):
            spans = [m.span() for m in _REFLOW_BREAK.finditer(line)]
            if len(spans) >= REFLOW_MIN_BREAKS:
                starts = [0] + [b for _, b in spans]
                spans += [m.span(1) for a in starts if (m := _REFLOW_HEADING_WORDS.match(line, a))]
                parts, at = [], 0
                for a, b in sorted(set(spans)):
                    if a < at:  # (one run found twice, or inside another)
                        continue
                    parts += [line[at:a], "\n" + " " * (b - a - 1)]
                    at = b
                    total += 1
                line = "".join(parts) + line[at:]
        out.append(line)
    return "".join(out), total


def _white_space_runs(line: str) -> bool:
    """Whether `line` holds white space enough for REFLOW_MIN_BREAKS breaks (counted in C: cheap)."""
    return line.count(" ") + line.count("\u3000") + line.count("\t") + line.count("\u00a0") >= REFLOW_MIN_BREAKS


class Line(NamedTuple):  # a tuple: built for every line of every page, several times faster than a dataclass
    raw_start: int  # offset of the first character of the line in the raw text
    raw: str  # the line as in the raw text, without its newline
    stripped: str  # whitespace and bullets stripped


@dataclass
class CleanPage:
    text: str
    # the raw offset of each clean character, as runs: from clean character `clean_starts[k]` on, the
    # characters are consecutive raw characters starting at `raw_starts[k]` (`offsets` lists them one by one)
    clean_starts: list[int]
    raw_starts: list[int]
    title: str | None = None
    title_raw_start: int | None = None
    meta: dict[str, list[str]] = field(default_factory=dict)  # label → values, in page order
    header_text: str = ""  # every line dropped before the body (breadcrumbs, metadata): evidence
    dropped: Counter = field(default_factory=Counter)  # rule name → number of lines dropped
    duplicate: bool = False
    messages: list[str] = field(default_factory=list)

    @property
    def offsets(self) -> list[int]:
        """The offset in the raw text of each clean character."""
        out: list[int] = []
        ends = [*self.clean_starts[1:], len(self.text)]
        for a, b, r in zip(self.clean_starts, ends, self.raw_starts):
            out.extend(range(r, r + b - a))
        return out

    def offset(self, i: int) -> int:
        """`offsets[i]` without the list."""
        n = len(self.text)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("clean offset out of range")
        k = bisect_right(self.clean_starts, i) - 1
        return self.raw_starts[k] + i - self.clean_starts[k]

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw-text offsets of the clean span [start, end)."""
        if not self.text:
            return (0, 0)
        if 0 <= start < end <= len(self.text):  # (a span of the text: two look-ups in the runs, inline)
            cs, rs = self.clean_starts, self.raw_starts
            k = bisect_right(cs, start) - 1
            j = bisect_right(cs, end - 1, k) - 1
            return (rs[k] + start - cs[k], rs[j] + end - cs[j])
        if end <= start:
            pos = self.offset(min(start, len(self.text) - 1))
            return (pos, pos)
        return (self.offset(start), self.offset(end - 1) + 1)


def normalise_line(text: str) -> str:
    """Whitespace runs → one space, ends stripped, full-width digits → ASCII.

    >>> normalise_line("\\u3000 覆盖群众２０００人次 ")
    '覆盖群众2000人次'
    """
    if _has_fullwidth(text):
        text = text.translate(_FULLWIDTH)
    return _WS.sub(" ", text).strip()


def _has_fullwidth(text: str) -> bool:
    # str.translate looks every character up in a dict: skip it when there is nothing to translate
    return any(c in text for c in _FULLWIDTH_CHARS)


def _spaced(text: str, chars: str = _WS_CHARS) -> str:
    """`text` with each of `chars` replaced by a space (same length: offsets unchanged). str.replace per
    character present is much faster than a regex or translate() stepping through every character."""
    for c in chars:
        if c != " " and c in text:
            text = text.replace(c, " ")
    return text


def split_lines(raw: str) -> list[Line]:
    """The lines of `raw`: where each starts, its raw text, its normalised text (`normalise_line`, and
    list bullets stripped)."""
    return list(map(tuple.__new__, repeat(Line), zip(*_split_columns(raw))))  # Line(…) for each, in C


def _split_columns(raw: str) -> tuple[list[int], list[str], list[str]]:
    """`split_lines` as three lists (raw starts, raw lines, stripped lines): no object a line."""
    # normalise_line on every line at once (_WS.sub(" ", ·) is: every whitespace character → a space, then
    # runs of spaces → one). No whitespace _WS collapses is a line break, so the normalised text has the
    # raw text's lines (and its line breaks, which strip() removes).
    normalised = _spaced(raw.translate(_FULLWIDTH) if _has_fullwidth(raw) else raw)
    if "\r" in raw or any(c in raw for c in _ODD_BREAKS):
        lines = _split_lines_each(raw, normalised)
        return [ln.raw_start for ln in lines], [ln.raw for ln in lines], [ln.stripped for ln in lines]
    # every line ends in "\n" (the last one may not): splitlines() without the ends gives each line's raw
    # text, and a line starts one character after the end of the one before
    raws = raw.splitlines()
    norms = list(map(str.strip, normalised.splitlines()))
    if "  " in normalised:  # runs of spaces never cross a line: collapsed line by line, where there are any
        norms = [_SPACE_RUN.sub(" ", n) if "  " in n else n for n in norms]
    for i, n in enumerate(norms):
        if n and n[0] in _BULLET_CHARS:
            norms[i] = _BULLET.sub("", n)
    starts = list(accumulate(map(len, raws), lambda pos, n: pos + n + 1, initial=0))
    if len(starts) > len(raws):
        starts.pop()  # (the start after the last line)
    return starts, raws, norms


# line breaks other than "\n" and "\r" that splitlines() splits at (the loader turns them into "\n")
_ODD_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _split_lines_each(raw: str, normalised: str) -> list[Line]:
    """`split_lines` for a text with "\r" or another line break than "\n": line by line."""
    if "  " in normalised:
        normalised = _SPACE_RUN.sub(" ", normalised)
    lines, pos = [], 0
    for chunk, norm in zip(raw.splitlines(keepends=True), normalised.splitlines()):
        norm = norm.strip()
        if norm[:1] in _BULLET_CHARS:
            norm = _BULLET.sub("", norm)
        lines.append(Line(pos, chunk.rstrip("\r\n"), norm))
        pos += len(chunk)
    return lines


_CELL_MARKS = frozenset("|｜[［【")
_CELL_SEPARATORS = re.compile(r"\s*[|｜\[\]［］【】]\s*")


class _MetaParser:
    """Reads `label: value` pairs from metadata lines.  索引号: 00258242-X/2025-74457 公开方式: 主动公开"""

    # page controls that share a metadata line (浏览次数: 35 字体:[ 大 中 小 ]): read so that the line is
    # known as metadata, never kept as a pair (they say nothing about the report)
    PAGE_CONTROLS = frozenset({"浏览次数", "访问次数", "阅读次数", "点击数", "字体"})

    def __init__(self, rules: dict):
        # the labels a page's metadata block carries: the only pairs kept in `CleanPage.meta`
        self.metadata = frozenset(lab for group in rules["metadata_labels"].values() for lab in group)
        labels = sorted(self.metadata | self.PAGE_CONTROLS, key=len, reverse=True)
        # a label spaced out as sites print them (索 引 号:, 发 布 日 期:) is the label
        alternation = "|".join("[ \u3000]?".join(map(re.escape, lab)) for lab in labels)
        # a label at line start or after a space, followed by a colon, a space or the end of the line
        self.label_re = re.compile(rf"(?:^|(?<=\s))(?P<label>{alternation})\s*(?:[:：]\s*|\s+|$)")
        # a line that holds pairs starts with a label: its first character is a label's first
        self.first_chars = frozenset(lab[0] for lab in labels) if all(labels) else None

    def parse(self, line: str) -> list[tuple[str, str]] | None:
        """Pairs if the whole line is label/value pairs, else None."""
        if line[:1] in _CELL_MARKS and len(line) <= 160:
            # a metadata table's row as a page copies it: | 成文日期 | 2026-02-14 | 发布日期 | 2026-02-14 |,
            # [ 发布机构 ] X镇人民政府 [ 有效性 ]: its cells are the pairs
            line = _CELL_SEPARATORS.sub(" ", line).strip()
        if len(line) > 160 or (self.first_chars is not None and line[:1] not in self.first_chars):
            return None  # most lines: no label's first character at the start (a set lookup, not a regex)
        if not self.label_re.match(line):
            return None
        matches = list(self.label_re.finditer(line))
        pairs = []
        for i, m in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
            pairs.append((re.sub(r"[ \u3000]", "", m.group("label")), line[m.end() : end].strip()))
        return pairs

    def glued(self, line: str) -> tuple[str, list[tuple[str, str]]] | None:
        """(the title, the pairs) of a report title with the page's metadata glued on after a space
        (X县2022年法治政府建设情况报告 发布时间:2023-02-09 来源:本站), else None."""
        for m in self.label_re.finditer(line):
            head = line[: m.start()].strip()
            if m.start() and looks_like_title(head):
                pairs = self.parse(line[m.start() :])
                return (head, pairs) if pairs is not None else None
        return None


# what a pattern cannot keep when joined with others: group references (\1, (?P=num), (?(1)…)) and flags
_UNJOINABLE = re.compile(r"\\\d|\(\?P=|\(\?\(|\(\?[aiLmsux]")


def _meta_parser(rules: dict) -> _MetaParser:
    return compiled(_MetaParser, rules)


def _compiled_cruft(rules: dict) -> list[tuple[str, re.Pattern]]:
    return _cruft_rules(rules)[0]


def _cruft_rules(rules: dict) -> tuple[list[tuple[str, re.Pattern]], re.Pattern | None]:
    """The cruft rules compiled, and one regex that matches a line when any of them does (None when
    the patterns cannot be joined)."""
    return compiled(_compile_cruft, rules)


def _compile_cruft(rules: dict) -> tuple[list[tuple[str, re.Pattern]], re.Pattern | None]:
    patterns = [r["pattern"] for r in rules["anywhere"]]
    each = [(r["name"], re.compile(r["pattern"])) for r in rules["anywhere"]]
    joined = None
    if patterns and not any(_UNJOINABLE.search(p) for p in patterns):
        try:
            joined = re.compile("|".join(f"(?:{p})" for p in patterns))
        except re.error:
            joined = None
    return each, joined


def looks_like_title(line: str) -> bool:
    """A short line naming a rule-of-law report, with no sentence punctuation."""
    return (
        4 <= len(line) <= 90
        and not _SENTENCE_PUNCT.search(line)
        and bool(TITLE_HINT.search(line))
        and bool(_TITLE_WORD.search(line))
        and not line.endswith((":", "：", "，", ","))
    )


def _looks_like_body_start(line: str, heading_re: re.Pattern) -> bool:
    return bool(heading_re.match(line)) or len(line) >= 60 or bool(_SENTENCE_PUNCT.search(line))


# the name of the site a page's browser title ends with: …报告_公开目录_X区人民政府门户网站, …报告 - X市人民政府网,
# …报告_其他_X市人民政府
_SITE_SUFFIX = re.compile(
    r"(?:[_|｜]|\s[-－—]\s?)(?:[^_|｜]{1,12}[_|｜])?\s*(?P<site>[\u4e00-\u9fff]{2,24}?(?:人民政府|政府)(?:门户)?(?:网站|网)?)\s*$"
)


def clean_page(raw: str, *, rules: dict | None = None, heading_re: re.Pattern | None = None) -> CleanPage:
    """Strip page cruft and a second printed copy from a decoded page; keep offsets."""
    rules = rules or load_rules("cruft")
    if heading_re is None:
        heading_re = _DEFAULT_HEADING
    parser = _meta_parser(rules)
    cruft, any_cruft = _cruft_rules(rules)
    starts, raws, stripped = _split_columns(raw)

    meta: dict[str, list[str]] = {}
    dropped: Counter = Counter()
    kind: list[str] = []  # per line: 'blank', 'cruft', 'meta', 'title', 'content'
    pending_label: str | None = None
    body_started = False
    body_start = len(stripped)  # the line the body starts on
    title_idx: list[int] = []
    header_parts: list[str] = []

    for i, s in enumerate(stripped):
        if not s:
            kind.append("blank")
            continue
        if pending_label is not None:
            label = pending_label
            pending_label = None
            if len(s) <= 60 and parser.parse(s) is None and not looks_like_title(s) and not heading_re.match(s):
                meta.setdefault(label, []).append(s)
                kind.append("meta")
                dropped["metadata"] += 1
                if not body_started:
                    header_parts.append(s)
                continue
        pairs = parser.parse(s)
        if pairs is not None:
            for label, value in pairs:
                if value and label in parser.metadata:
                    meta.setdefault(label, []).append(value)
            if len(pairs) == 1 and not pairs[0][1] and pairs[0][0] in parser.metadata:
                pending_label = pairs[0][0]
            kind.append("meta")
            dropped["metadata"] += 1
            if not body_started:
                header_parts.append(s)
            continue
        rule = None
        if any_cruft is None or any_cruft.match(s):  # one regex first: most lines match no rule
            rule = next((name for name, rx in cruft if rx.match(s)), None)
        if rule:
            kind.append("cruft")
            dropped[rule] += 1
            if not body_started:
                header_parts.append(s)
            continue
        if not body_started and len(s) > 20 and TITLE_HINT.search(s) and (glued := parser.glued(s)):
            stripped[i] = s = glued[0]  # the title, read as a title line; its metadata as a metadata line's
            for label, value in glued[1]:
                if value and label in parser.metadata:
                    meta.setdefault(label, []).append(value)
            dropped["metadata"] += 1
        if not body_started and not _looks_like_body_start(s, heading_re):
            # a short line before the body: the title (possibly split over two lines) or a stray line
            kind.append("header")
            continue
        if not body_started:
            body_start = len(kind)
        body_started = True
        kind.append("content")

    # The title: header lines that name the report; a title split over consecutive lines is joined.
    header_idx = [i for i, k in enumerate(kind) if k == "header"]
    title, title_raw_start = None, None
    groups: list[list[int]] = []
    for i in header_idx:
        if groups and all(kind[j] == "blank" for j in range(groups[-1][-1] + 1, i)) and i - groups[-1][-1] <= 2:
            groups[-1].append(i)
        else:
            groups.append([i])
    # a single line naming the report wins over a joined one, unless neither of two lines names it alone
    # (…法治政府建设 / 情况的报告: a title split inside its phrase): then the first printed wins; a subtitle
    # (——…) comes last
    pairs = [g[k : k + 2] for g in groups for k in range(len(g) - 1)]
    split = [p for p in pairs if not looks_like_title(stripped[p[0]]) and not looks_like_title(stripped[p[1]])]
    candidates = sorted([[i] for i in header_idx] + split) + [p for p in pairs if p not in split]
    candidates.sort(key=lambda group: stripped[group[0]].startswith(("—", "－－", "--")))  # (stable)
    for group in candidates:
        joined = "".join(stripped[i] for i in group)
        if looks_like_title(joined):
            title = joined
            title_raw_start = starts[group[0]]
            title_idx = group
            break
    messages: list[str] = []
    for i in header_idx:
        if i in title_idx:
            kind[i] = "title"
        elif title and looks_like_title(stripped[i]):
            kind[i] = "title_repeat"  # a second title-like line (page title and document title)
            dropped["title_repeated"] += 1
            messages.append(f"a second title line before the body dropped: {stripped[i][:40]}")
        else:
            kind[i] = "content"  # never drop words we do not recognise: they stay in the preamble
            messages.append(f"unrecognised line before the report body kept in the preamble: {stripped[i][:40]}")

    # A site's name after the title line (…报告_公开目录_上海市宝山区人民政府门户网站: the browser title of the
    # page) is the site's, not the report's: dropped from the title, kept as evidence of the place
    for i in header_idx:
        if kind[i] in ("title", "title_repeat") and (site := _SITE_SUFFIX.search(stripped[i])):
            header_parts.append(site.group("site"))

    # A title line repeated later (the page printed twice, or a footer) is not body text.
    if title:
        for i, k in enumerate(kind):
            if k == "content" and stripped[i] == title:
                kind[i] = "title_repeat"
                dropped["title_repeated"] += 1

    # The whole report printed twice: the first substantial paragraph of the body comes back, followed by
    # the same text (a line before the body, such as a site banner the page repeats further down, is no anchor)
    content = [i for i, k in enumerate(kind) if k == "content"]
    duplicate = False
    anchor = next((n for n, i in enumerate(content) if i >= body_start and len(stripped[i]) >= 20), None)
    if anchor is not None:
        first = stripped[content[anchor]]
        for n in range(anchor + 1, len(content)):
            if stripped[content[n]] != first:
                continue
            first_copy = [stripped[i] for i in content[anchor:n]]
            second_copy = [stripped[i] for i in content[n:]]
            overlap = min(len(second_copy), len(first_copy))
            same = sum(a == b for a, b in zip(first_copy, second_copy))
            # a second copy: most of its paragraphs repeat the first copy's, in the same order, and it is no
            # longer than the first but for a line or a quarter (a footer): a lead paragraph and heading shown
            # twice and then the rest of the report is no copy
            if overlap < 2 or same < 0.6 * overlap or second_copy[1] != first_copy[1]:
                continue
            if len(second_copy) > len(first_copy) + max(1, len(first_copy) // 4):
                continue
            duplicate = True
            differ = sum(a != b for a, b in zip(first_copy, second_copy)) + abs(len(first_copy) - len(second_copy))
            for i in content[n:]:
                kind[i] = "second_copy"
            cut = content[n]
            for i in range(cut, len(kind)):  # metadata of the second copy is cruft, not more metadata
                if kind[i] == "content":
                    kind[i] = "second_copy"
            dropped["second_copy"] = len(second_copy)
            if differ:
                messages.append(
                    f"report printed twice; second copy dropped (the copies differ in {differ} paragraphs; the first is kept)"
                )
            else:
                messages.append("report printed twice; second copy dropped")
            break

    # Assemble the clean body with the raw offset of each character (as runs: see CleanPage)
    out: list[str] = []
    clean_starts: list[int] = []
    raw_starts: list[int] = []
    spaced = _spaced(raw)  # whitespace found by splitting at spaces
    at = 0  # length of the body so far
    for start, line, k in zip(starts, raws, kind):
        if k == "content":
            piece = spaced[start : start + len(line)]
            if " " in piece:
                at = _append_normalised(piece, start, out, clean_starts, raw_starts, at)
            elif piece:  # (no whitespace: the line as it is; its "\n" follows the run before it)
                if out:
                    out.append("\n")
                    at += 1
                clean_starts.append(at)
                raw_starts.append(start)
                out.append(piece)
                at += len(piece)
    text = "".join(out)
    if _has_fullwidth(text):
        text = text.translate(_FULLWIDTH)  # one character for one: offsets unchanged
    return CleanPage(
        text=text,
        clean_starts=clean_starts,
        raw_starts=raw_starts,
        title=title,
        title_raw_start=title_raw_start,
        meta=meta,
        header_text="\n".join(header_parts),
        dropped=dropped,
        duplicate=duplicate,
        messages=messages,
    )


def _normalise_with_offsets(raw_line: str, raw_start: int) -> tuple[str, list[int]]:
    """`normalise_line` that also returns the raw offset of each output character.

    A run of whitespace inside the line becomes one space at the offset of the run's last character.
    """
    out: list[str] = []
    clean_starts: list[int] = []
    raw_starts: list[int] = []
    n = _append_normalised(_spaced(raw_line, _WS_CHARS + "\r\n"), raw_start, out, clean_starts, raw_starts, 0)
    piece = "".join(out)
    ends = [*clean_starts[1:], n]
    offs = [o for a, b, r in zip(clean_starts, ends, raw_starts) for o in range(r, r + b - a)]
    return (piece.translate(_FULLWIDTH) if _has_fullwidth(piece) else piece), offs


def _append_normalised(
    spaced_line: str, raw_start: int, out: list[str], clean_starts: list[int], raw_starts: list[int], at: int
) -> int:
    """`_normalise_with_offsets` appending to the clean body being assembled (`at` characters so far;
    the new length returned): the line's pieces to `out` (full-width digits not yet translated), the
    runs of their raw offsets to `clean_starts`/`raw_starts` (see CleanPage), and a '\\n' before the line
    when `out` already holds one (at the offset after the character before it: no new run).
    `spaced_line` is the raw line with every whitespace character a space (`_spaced`); the characters
    between spaces are the raw line's. A line of whitespace appends nothing."""
    pos, started = 0, False
    for piece in spaced_line.split(" "):  # the stretches between whitespace characters, one step each
        if piece:  # raw_line[pos : pos + len(piece)] is kept
            if started:  # after whitespace: one space, at the offset of the last whitespace character
                out.append(" ")
                clean_starts.append(at)
                raw_starts.append(raw_start + pos - 1)  # (the piece follows it in the raw text: one run)
                at += 1
            else:
                if out:
                    out.append("\n")
                    at += 1
                clean_starts.append(at)
                raw_starts.append(raw_start + pos)
            started = True
            out.append(piece)
            at += len(piece)
        pos += len(piece) + 1
    return at
