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
