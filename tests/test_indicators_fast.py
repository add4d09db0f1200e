"""The faster forms of the indicator rules find what the rules as written find (fazhi_lib/indicators.py)."""

import re
from pathlib import Path

from fazhi_lib import indicators
from fazhi_lib.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT.parent / "shared" / "devset" / "reports"


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "raw").glob("*.txt"))]
    if DEVSET.is_dir():
        texts += [p.read_text(encoding="utf-8", errors="replace") for p in sorted(DEVSET.glob("*"))[:40]]
    # the shapes the traps are about, next to one another
    texts.append("2025-03-21 2025年1月21日 3月底 09:39 00258242-X/2025-74457 1+3+29+X 178一起办 5G AAA3 12345热线")
    return texts


def test_trap_patterns_rewritten_find_the_same_spans():
    written = [p for t in load_rules("numbers")["traps"] for p in t["patterns"]]
    rewritten = [indicators._one_then_repeat(p) for p in written]
    assert sum(a != b for a, b in zip(written, rewritten)) >= 8  # the \d+ / \d{4} openings are rewritten
    assert [p.pattern for _, p in indicators.number_rules().traps] == rewritten
    for a, b in zip(written, rewritten):
        ra, rb = re.compile(a), re.compile(b)
        for text in _texts():
            assert [m.span() for m in ra.finditer(text)] == [m.span() for m in rb.finditer(text)], (a, b)


def test_one_then_repeat_leaves_other_patterns_alone():
    for p in (r"第?\d+号", r"(周|星期)[一二]", r"\d{0,2}年", r"[万千百]人"):
        assert indicators._one_then_repeat(p) == p
    assert indicators._one_then_repeat(r"[0-9A-Za-z]+(\s*[-/]\s*[0-9A-Za-z]+){2,}") == (
        r"[0-9A-Za-z][0-9A-Za-z]*(\s*[-/]\s*[0-9A-Za-z]+){2,}"
    )


def _all_trap_spans(text: str, rules) -> list[tuple[int, int, str]]:
    """Every trap pattern over the whole text, in rules order: what `_trap_spans` must give."""
    return [(m.start(), m.end(), name) for name, p in rules.traps for m in p.finditer(text) if m.end() > m.start()]


def test_trap_spans_by_trigger_characters_equal_every_pattern_run():
    rules = indicators.number_rules()
    finder, by_char, always = rules.trap_triggers
    assert by_char and len(always) < len(rules.traps) // 2  # most traps are indexed by a character
    n_lines = 0
    for text in _texts():
        for line in text.splitlines():  # sections are short: lines give many texts lacking most triggers
            n_lines += 1
            assert indicators._trap_spans(line, rules) == _all_trap_spans(line, rules), line
        assert indicators._trap_spans(text, rules) == _all_trap_spans(text, rules)
    assert n_lines > 100


def _clause_prefix_loop(text: str, pos: int, floor: int) -> str:
    i = pos
    while i > floor and text[i - 1] not in indicators._CLAUSE_END:
        i -= 1
    return text[i:pos]


def _clause_suffix_loop(text: str, pos: int, ceiling: int) -> str:
    i = pos
    while i < ceiling and text[i] not in indicators._CLAUSE_END:
        i += 1
    return text[pos:i]


def test_clause_edges_by_one_regex_call_equal_the_character_walk():
    texts = _texts()[:12] + ["，", "1件,2件；", "", "化解矛盾纠纷1132件,其中诉源纠纷503件、访源纠纷71件\n"]
    for text in texts:
        text = text[:400]
        for pos in range(0, len(text) + 1, 3):
            for floor in (0, pos // 2, pos):
                assert indicators._clause_prefix(text, pos, floor) == _clause_prefix_loop(text, pos, floor)
            for ceiling in (pos, (pos + len(text)) // 2, len(text)):
                assert indicators._clause_suffix(text, pos, ceiling) == _clause_suffix_loop(text, pos, ceiling)


def test_words_around_are_read_whenever_one_could_change_the_number():
    """The gate of `_read_tokens` (the characters that end a word before a number or begin one after
    it) skips only numbers that `_read_words_around` leaves as they are."""
    rules = indicators.number_rules()
    before, after = rules.words_before_end, rules.words_after_begin
    assert "约" in before and "长" in before and "以" in after  # 约5人 同比增长5% 5人以上
    seen = changed = 0
    for text in _texts() + ["同比增长45%,约300人,5人以上,不足5%,增幅达12%,500人左右,超10万人次"]:
        norm = indicators._normalise(text)
        for m in rules.token.finditer(norm):
            if m.group("num") is None or not m.group("num")[0].isdigit():
                continue
            d = indicators._Draft(m.start(), m.end(), m.start(), 1.0, None, "件", "count", "", "")
            gated = (d.start and norm[d.start - 1] in before) or norm[d.end : d.end + 1] in after
            copy = indicators._Draft(d.start, d.end, d.num_start, 1.0, None, "件", "count", "", "")
            indicators._read_words_around(norm, copy, rules)
            seen += 1
            if copy != d:
                changed += 1
                assert gated, (norm[max(0, d.start - 6) : d.end + 4], copy)
    assert seen > 500 and changed >= 7


def test_texts_without_a_negation_opener_hold_no_reported_zero():
    rules = indicators.number_rules()
    assert rules.zero_openers == ("无", "未", "没")
    for text in _texts() + ["全年无行政诉讼案件", "未发生行政复议案件"]:
        norm = indicators._normalise(text)
        for line in norm.split("\n"):
            if not any(ch in line for ch in rules.zero_openers):
                assert rules.zero.search(line) is None


def test_standard_numerals_read_without_cn2an_give_cn2an_values():
    """`_standard_numeral` reads the standard forms itself (cn2an takes ~0.3 s to import in every build
    process); where it gives a value, that value is cn2an's, and it leaves every other form to cn2an."""
    import itertools
    import random

    import cn2an

    def cn2an_value(text):
        try:
            return float(cn2an.cn2an(text, "normal"))
        except (ValueError, KeyError):
            return None

    rng = random.Random(0)
    numbers = [*range(1, 20_001), *(rng.randrange(10**12) for _ in range(3_000))]
    standard = {cn2an.an2cn(n) for n in numbers}
    standard |= {t.replace("二", "两") for t in standard}
    alphabet = "一二两三五九零〇十百千万亿点"
    odd = {"".join(t) for k in range(1, 5) for t in itertools.product(alphabet, repeat=k)}
    read = 0
    for text in sorted(standard | odd):
        value = indicators._standard_numeral(text)
        if value is not None:
            read += 1
            assert value == cn2an_value(text), text
    # every standard numeral up to 20,000 is read without cn2an (cn2an refuses a few of its own large
    # an2cn outputs, 九百四十四亿八千零八十三, and so does the fast path)
    assert all(indicators._standard_numeral(cn2an.an2cn(n)) == n for n in range(1, 20_001))
    assert read > 30_000
    # colloquial and digit-by-digit forms go to cn2an, which reads them its own way
    for text, value in [("三万五", 35_000), ("一百五", 150), ("二〇二三", 2023), ("一点五", 1.5), ("零", 0)]:
        assert indicators._standard_numeral(text) is None
        assert indicators.parse_numeral(text) == value
