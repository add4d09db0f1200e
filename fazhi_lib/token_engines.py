"""The tokenising engines behind `tokens.tokenize`: jieba and jieba-rs, each carrying the domain dictionary.

Both engines are private tokenisers (not the libraries' global ones) loaded with jieba's own
dictionary and model plus `rules/domain_dict.txt`, so 合法性审查, 枫桥经验, 共享法庭 stay whole. A term
without a frequency gets the one the engine suggests for cutting it whole, at least `MIN_TERM_FREQ`.

- `RjiebaEngine` (`"rjieba"`, the default): jieba-rs (Rust), the same Chinese-word tokens as pure
  jieba about 20-30 × faster (a build tokenises every part of every report);
- `JiebaEngine` (`"jieba"`): pure jieba, the reference.

>>> from fazhi_lib.tokens import tokenize
>>> tokenize("推进共享法庭建设", engine="rjieba") == tokenize("推进共享法庭建设", engine="jieba")
True

The two may suggest frequencies differing by one (float rounding) and may split runs of digits and
punctuation differently (2024年 vs 2024 / 年), which the token filters drop;
`tests/test_tokens_engines.py` checks that the Chinese tokens are the same on every embedded report.
An engine's `signature` names everything that changes its output (engine, version, HMM, dictionary):
the token cache and the build cache key on it.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Protocol

from .errors import FazhiError
from .rules import rule_path

DOMAIN_DICT_FILE = "domain_dict.txt"
# A dictionary term without a frequency gets the one jieba suggests for cutting it whole, but at
# least this much, so 矛盾纠纷 also wins against a neighbour word (化解矛盾纠纷 → 化解 / 矛盾纠纷).
MIN_TERM_FREQ = 1000
# a domain-dictionary line:  合法性审查 nz   /  枫桥经验 1000 nz  /  共享法庭
_DICT_LINE = re.compile(r"^(?P<word>\S+?)(?:\s+(?P<freq>\d+))?(?:\s+(?P<tag>[A-Za-z]+))?$")


def read_word_list(path: str | Path) -> list[str]:
    """Lines of a word-list file, without blank lines and `#` comments, in file order."""
    words = []
    with open(path, encoding="utf-8-sig") as fh:
        for line in fh:
            line = line.split(" #", 1)[0].strip()  # whole-line and trailing ` # …` comments
            if line and not line.startswith("#"):
                words.append(line)
    return words


@dataclass(frozen=True)
class DictEntry:
    word: str
    freq: int | None
    tag: str | None


def load_domain_dict(path: str | Path | None = None) -> list[DictEntry]:
    """Entries of the domain dictionary (jieba user-dict format, `#` comments allowed).

    >>> any(e.word == "枫桥经验" for e in load_domain_dict())
    True
    """
    path = Path(path) if path is not None else rule_path(DOMAIN_DICT_FILE)
    entries = []
    for n, line in enumerate(read_word_list(path), 1):
        m = _DICT_LINE.match(line)
        if not m:
            raise FazhiError(f"{path}: line {n} {line!r} is not valid; write `word [freq] [tag]`.")
        freq = int(m["freq"]) if m["freq"] else None
        entries.append(DictEntry(m["word"], freq, m["tag"]))
    return entries


def dict_digest(entries) -> str:
    """12 hex digits naming a domain dictionary's entries (word, freq, tag): part of engine signatures."""
    return hashlib.sha1("\n".join(f"{e.word} {e.freq} {e.tag}" for e in entries).encode()).hexdigest()[:12]


class Engine(Protocol):
    """What `tokenize` needs from an engine: a `signature` naming everything that changes its
    output (engine, version, dictionary), and `cut(text) -> list[str]` keeping every character."""

    signature: str

    def cut(self, text: str) -> list[str]: ...


class _DictionaryEngine:
    """What both engines share: the domain dictionary's entries, the signature, and a tokeniser of
    their own built on the first cut (so a worker process pays for it once, when it needs it)."""

    name = ""

    def __init__(self, dict_path: str | Path | None = None, *, hmm: bool = True):
        self.dict_path = Path(dict_path) if dict_path is not None else rule_path(DOMAIN_DICT_FILE)
        self.entries = load_domain_dict(self.dict_path)
        self.hmm = hmm
        # the same dictionary digest for both engines, so their signatures differ only by engine
        self.signature = f"{self.name}-{self._version()}-hmm{int(hmm)}-dict{dict_digest(self.entries)}"
        self._tokenizer = None
        self.calls = 0

    def _version(self) -> str:
        raise NotImplementedError

    def _build(self):
        raise NotImplementedError

    def _cut(self, text: str) -> list[str]:
        raise NotImplementedError

    def cut(self, text: str) -> list[str]:
        if self._tokenizer is None:
            self._tokenizer = self._build()
        self.calls += 1
        return self._cut(text)


class JiebaEngine(_DictionaryEngine):
    """A private `jieba.Tokenizer()` loaded with the domain dictionary (building takes about 1.5 s)."""

    name = "jieba"

    def _version(self) -> str:
        import jieba

        return jieba.__version__

    def _build(self):
        import jieba

        tokenizer = jieba.Tokenizer()
        logger = logging.getLogger("jieba")
        level = logger.level
        logger.setLevel(logging.WARNING)  # jieba logs its dictionary loading at DEBUG to stderr
        try:
            tokenizer.initialize()
        finally:
            logger.setLevel(level)
        for e in self.entries:
            freq = e.freq or max(tokenizer.suggest_freq(e.word, False), MIN_TERM_FREQ)
            tokenizer.add_word(e.word, freq, e.tag)
        return tokenizer

    def _cut(self, text: str) -> list[str]:
        return self._tokenizer.lcut(text, HMM=self.hmm)


class RjiebaEngine(_DictionaryEngine):
    """An own `rjieba.Jieba()` carrying the domain dictionary (building takes about 0.1 s)."""

    name = "rjieba"

    def _version(self) -> str:
        try:
            return version("rjieba")
        except PackageNotFoundError:  # pragma: no cover - a build without metadata
            return "unknown"

    def _build(self):
        import rjieba

        tokenizer = rjieba.Jieba()  # its own instance: rjieba's module-level one stays untouched
        for e in self.entries:
            freq = e.freq or max(tokenizer.suggest_freq(e.word), MIN_TERM_FREQ)
            tokenizer.add_word(e.word, freq, e.tag)
        return tokenizer

    def _cut(self, text: str) -> list[str]:
        return self._tokenizer.cut(text, self.hmm)
