"""The per-report shortcuts of the indicator extraction give what the plain steps give
(fazhi_lib/indicators.py): the traps run on a text are those whose every clause holds there; the
numbers kept without trap reasons are those kept with them; the tokens read are those of
`rules.token.finditer`."""

import random
from pathlib import Path

from fazhi_lib import indicators
from fazhi_lib.indicators import _holds, number_rules

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT.parent / "shared" / "devset" / "reports"


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "raw").glob("*.txt"))]
    if DEVSET.is_dir():
        texts += [p.read_text(encoding="utf-8", errors="replace") for p in sorted(DEVSET.glob("*.txt"))[:30]]
    return texts


def _lines() -> list[str]:
    return [line for text in _texts() for line in text.splitlines() if line.strip()]


def _mixes(n: int, seed: int = 5) -> list[str]:
    """Short texts made of the strings the traps need (年, 号, 19, 12345, 星期, 分钟 …), digits and
    Chinese numerals: every combination of present and absent clauses comes up."""
    rules = number_rules()
    atoms = sorted({w for _, p in rules.traps for clause in indicators._needs(p) for w in clause})
    atoms += list("0123456789一二三十百万件人次个%") + ["2024年", "第3号", "1+3", "(1)", "\n"]
    rng = random.Random(seed)
    return ["".join(rng.choice(atoms) for _ in range(rng.randrange(1, 12))) for _ in range(n)]


def test_the_traps_run_are_those_whose_every_clause_holds():
    rules = number_rules()
    finder, plan = indicators._trap_plan(rules)
    texts = _lines() + _mixes(4000)
    seen = set()
    for text in texts:
        expected = [i for i, needs in enumerate(rules.trap_needs) if _holds(text, needs)]
        got = [i for i, pending in plan(frozenset(finder.findall(text))) if _holds(text, pending)]
        assert got == expected, text
        seen.add(tuple(expected))
    assert len(seen) > 50  # many different sets of traps: the mixes reach them


def test_trap_spans_equal_every_pattern_run_on_mixes():
    rules = number_rules()
    for text in _mixes(3000, seed=9):
        every = [(m.start(), m.end(), name) for name, p in rules.traps for m in p.finditer(text) if m.end() > m.start()]
        assert indicators._trap_spans(text, rules) == every, text


def test_the_plan_follows_the_rules_it_was_made_from():
    rules = number_rules()
    assert indicators._trap_plan(rules) is indicators._trap_plan(rules)
    other = indicators._compile_number_rules(indicators.load_rules("numbers"))
    assert other is not rules and indicators._trap_plan(other) is not indicators._trap_plan(rules)


def _key(m) -> tuple:
    return (m.start, m.end, m.value, m.value_high, m.unit, m.kind, m.indicator, m.approx, m.bound, m.sign, m.changed)


def test_numbers_kept_without_reasons_are_those_kept_with_them():
    """include_traps=False skips the trap reasons of numbers that are traps anyway and returns early
    when a text holds only traps: the numbers kept and their codes and links are the same."""
    n_kept = 0
    for text in _lines() + _mixes(1500, seed=11):
        plain = indicators.extract_numbers(text)
        full = indicators.extract_numbers(text, include_traps=True)
        kept = [m for m in full if not m.trap]
        assert [_key(m) for m in plain] == [_key(m) for m in kept], text
        parent = {m.mention_no: m.start for m in full}
        plain_parent = {m.mention_no: m.start for m in plain}
        assert [plain_parent.get(m.parent_no) for m in plain] == [parent.get(m.parent_no) for m in kept]
        n_kept += len(plain)
    assert n_kept > 200


def test_tokens_read_are_those_of_one_finditer():
    """_read_tokens looks for the next token after the one read: the tokens are those of
    rules.token.finditer (every token begins with a character of rules.token_start)."""
    rules = number_rules()
    for text in _lines() + _mixes(1500, seed=13):
        spans = indicators._Spans(text, rules)
        drafts = indicators._read_tokens(text, rules, spans.traps, spans.quotes, reasons=True)
        tokens = list(rules.token.finditer(text))
        got = {d.num_start for d in drafts if not d.zero_text}
        assert got <= {m.start() for m in tokens}, text
        # a token of Arabic digits always gives a draft (with reasons, traps are kept too)
        assert {m.start() for m in tokens if (m.group("num") or " ")[0].isdigit()} <= got, text


def test_whole_numbers_are_not_rounded_and_stay_floats():
    got = indicators.extract_numbers("化解纠纷1132件,调解成功率41.63%,涉案金额24.58万元。")
    assert [(m.value, type(m.value)) for m in got] == [(1132.0, float), (41.63, float), (245800.0, float)]
    rng = random.Random(1)  # what the shortcut relies on: round(x, 6) gives a whole float back
    wholes = [0.0, 1.0, 2.0**53, 2.0**60, 1e15, 1e22] + [
        float(rng.randrange(10**k)) for k in range(1, 17) for _ in range(50)
    ]
    assert all(round(x * 1.0, 6) == x and type(round(x, 6)) is float for x in wholes)
