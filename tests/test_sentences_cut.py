"""The sentences `find_duplicates` compares (`assemble._sentences`), cut before their whitespace is
dropped: the same sets as dropping every whitespace character but line breaks first, on reports, on
development-set pages and on texts with every kind of whitespace and terminator strewn in."""

from __future__ import annotations

import random
import re
import sys
import unicodedata
from pathlib import Path

from fazhi_lib.pipeline.assemble import _SENTENCE_STOP, _sentences

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT.parent / "shared" / "devset" / "reports"
WHITESPACE = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]


def dropped_first(text: str) -> set[str]:
    """The rule as first written: whitespace but line breaks removed, then cut."""
    text = re.sub(r"[^\S\n]+", "", unicodedata.normalize("NFKC", text))
    return {s for s in _SENTENCE_STOP.split(text) if len(s) >= 8}


def test_whitespace_is_one_set_for_the_pattern_and_str_split():
    assert WHITESPACE == [chr(c) for c in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(c))]
    assert len(WHITESPACE) > 20  # \u3000 (ideographic space), \xa0, \u2028 … as well as ASCII


def test_sentences_cut_first_are_those_of_the_rule():
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "raw").glob("*.txt"))]
    if DEVSET.is_dir():
        texts += [p.read_text(encoding="utf-8", errors="replace") for p in sorted(DEVSET.glob("*"))[:60]]
    rng = random.Random(22)
    for _ in range(2000):
        chars = list(rng.choice(texts)[: rng.randint(0, 300)])
        for _ in range(rng.randint(0, 30)):
            chars.insert(rng.randrange(len(chars) + 1), rng.choice([*WHITESPACE, *"。！？；!?;\n", "  ", "\r\n"]))
        texts.append("".join(chars))
    assert sum(bool(dropped_first(t)) for t in texts) > 1000
    for text in texts:
        assert _sentences(text) == dropped_first(text)
