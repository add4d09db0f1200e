"""Text → tokens: jieba with the field's dictionary, readable stopword lists, a cache by text content.

One entry point, `tokenize`, and its batch form `tokenize_many`:

>>> tokenize("2024年,切实强化合法性审查,推进共享法庭建设。")
['合法性审查', '共享法庭', '建设']

What happens to a text:
1. traditional characters become simplified (OpenCC t2s; 鎮 → 镇), so one dictionary serves both;
2. an *engine* cuts it into words. The default engine `"jieba"` is a `jieba.Tokenizer()` of its
   own (not jieba's global one) carrying `rules/domain_dict.txt`, so 合法性审查, 枫桥经验, 共享法庭
   stay whole. Engines are registered by name (`register_engine`): a faster engine giving the
   same tokens can be added and made the default without touching callers. It is: the default
   is `"rjieba"` (jieba-rs, same dictionary and domain terms, same Chinese tokens, ~20 × faster;
   `tokens_rjieba.py`), and `engine="jieba"` selects pure jieba, the reference;
3. the cut is cached by content (sha1 of engine signature + text), so tokenising a corpus twice
   costs one dictionary lookup per text the second time (`CACHE.hits` counts them);
4. filters drop what carries no topic: whitespace and punctuation, numbers (unless
   `keep_numbers=True`), tokens shorter than `min_len` (single characters by default) and the
   words of the stopword lists switched on (`rules/stopwords_<name>.txt`; shipped: `general`
   function words and report `boilerplate` such as 进一步, 不断, 切实, 深入).

Filters run after the cache, so switching stopword lists never re-cuts a text.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .rules import RULES_DIR, rule_path

DOMAIN_DICT_FILE = "domain_dict.txt"
STOPWORD_PREFIX = "stopwords_"
DEFAULT_STOPWORDS: tuple[str, ...] = ("general", "boilerplate")
# A dictionary term without a frequency gets the one jieba suggests for cutting it whole, but at
# least this much, so 矛盾纠纷 also wins against a neighbour word (化解矛盾纠纷 → 化解 / 矛盾纠纷).
MIN_TERM_FREQ = 1000

# a token that is only a number:  2024  1,090  41.63%  2019—2023  1-2  十  三十  两万余
_NUMBER = re.compile(
    r"^[0-9０-９.,，．%％‰·:：/\-—–~～]+$"
    r"|^[〇零一二两三四五六七八九十百千万亿]+[余多几]?$"
)
# a domain-dictionary line:  合法性审查 nz   /  枫桥经验 1000 nz  /  共享法庭
_DICT_LINE = re.compile(r"^(?P<word>\S+?)(?:\s+(?P<freq>\d+))?(?:\s+(?P<tag>[A-Za-z]+))?$")


def _bad_value(name: str, value: object, choices: Iterable[str]) -> ValueError:
    # imported late: corpus imports the build stages, which may use tokens
    from .corpus import invalid

    return invalid(name, value, choices)


def _error(message: str) -> ValueError:
    from .corpus import FazhiError

    return FazhiError(message)


# ----------------------------------------------------------------------------------- word lists
def read_word_list(path: str | Path) -> list[str]:
    """Lines of a word-list file, without blank lines and `#` comments, in file order."""
    words = []
    with open(path, encoding="utf-8-sig") as fh:
        for line in fh:
            line = line.split(" #", 1)[0].strip()  # whole-line and trailing ` # …` comments
            if line and not line.startswith("#"):
                words.append(line)
    return words


def stopword_lists() -> list[str]:
    """Names of the stopword lists available (package rules folder plus `FAZHI_RULES_DIR`).

    >>> stopword_lists()[:2]
    ['boilerplate', 'general']
    """
    import os

    folders = [RULES_DIR]
    if os.environ.get("FAZHI_RULES_DIR"):
        folders.append(Path(os.environ["FAZHI_RULES_DIR"]))
    names = {
        p.stem[len(STOPWORD_PREFIX) :]
        for folder in folders
        if folder.is_dir()
        for p in folder.glob(f"{STOPWORD_PREFIX}*.txt")
    }
    return sorted(names)


@functools.lru_cache(maxsize=64)
def _read_cached(path: str, mtime: float) -> frozenset[str]:
    return frozenset(read_word_list(path))


def load_stopwords(name: str) -> frozenset[str]:
    """The words of stopword list `name` (file `rules/stopwords_<name>.txt`).

    >>> "进一步" in load_stopwords("boilerplate")
    True
    """
    available = stopword_lists()
    if name not in available:
        raise _bad_value("stopwords", name, available)
    path = rule_path(f"{STOPWORD_PREFIX}{name}.txt")
    return _read_cached(str(path), path.stat().st_mtime)


def _resolve_stopwords(
    stopwords: str | Iterable[str] | None, extra: Iterable[str]
) -> frozenset[str]:
    if stopwords is None:
        names: tuple[str, ...] = ()
    elif isinstance(stopwords, str):
        names = (stopwords,)
    else:
        names = tuple(stopwords)
    words: set[str] = set()
    for name in names:
        words |= load_stopwords(name)
    if isinstance(extra, str):
        raise _error(
            f"`extra_stopwords` = {extra!r} is not valid; give a collection of words, e.g. ('试点', '样板')."
        )
    words |= set(extra)
    return frozenset(words)


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
            raise _error(f"{path}: line {n} {line!r} is not valid; write `word [freq] [tag]`.")
        freq = int(m["freq"]) if m["freq"] else None
        entries.append(DictEntry(m["word"], freq, m["tag"]))
    return entries


# -------------------------------------------------------------------------------------- engines
class Engine(Protocol):
    """What `tokenize` needs from an engine: a `signature` naming everything that changes its
    output (engine, version, dictionary), and `cut(text) -> list[str]` keeping every character."""

    signature: str

    def cut(self, text: str) -> list[str]: ...


def dict_digest(entries) -> str:
    """12 hex digits naming a domain dictionary's entries (word, freq, tag): part of engine signatures."""
    return hashlib.sha1("\n".join(f"{e.word} {e.freq} {e.tag}" for e in entries).encode()).hexdigest()[:12]


class JiebaEngine:
    """A private `jieba.Tokenizer()` loaded with the domain dictionary (lazy: built on first cut)."""

    def __init__(self, dict_path: str | Path | None = None, *, hmm: bool = True):
        import jieba

        self.dict_path = Path(dict_path) if dict_path is not None else rule_path(DOMAIN_DICT_FILE)
        self.entries = load_domain_dict(self.dict_path)
        self.hmm = hmm
        self.signature = f"jieba-{jieba.__version__}-hmm{int(hmm)}-dict{dict_digest(self.entries)}"
        self._tokenizer = None
        self.calls = 0

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

    def cut(self, text: str) -> list[str]:
        if self._tokenizer is None:
            self._tokenizer = self._build()
        self.calls += 1
        return self._tokenizer.lcut(text, HMM=self.hmm)


_ENGINE_FACTORIES: dict[str, Callable[[], Engine]] = {"jieba": JiebaEngine}
_ENGINES: dict[str, Engine] = {}
_DEFAULT = {"engine": "jieba"}


def register_engine(name: str, factory: Callable[[], Engine], *, default: bool = False) -> None:
    """Make `factory()` available as `tokenize(..., engine=name)`; `default=True` also makes it
    the engine used when none is named. The engine is built on first use."""
    _ENGINE_FACTORIES[name] = factory
    _ENGINES.pop(name, None)
    if default:
        _DEFAULT["engine"] = name


def available_engines() -> list[str]:
    return sorted(_ENGINE_FACTORIES)


def default_engine() -> str:
    return _DEFAULT["engine"]


def set_default_engine(name: str) -> None:
    if name not in _ENGINE_FACTORIES:
        raise _bad_value("engine", name, available_engines())
    _DEFAULT["engine"] = name


def get_engine(name: str | None = None) -> Engine:
    """The engine called `name` (default: `default_engine()`), built once and kept."""
    name = name or _DEFAULT["engine"]
    if name not in _ENGINE_FACTORIES:
        raise _bad_value("engine", name, available_engines())
    if name not in _ENGINES:
        _ENGINES[name] = _ENGINE_FACTORIES[name]()
    return _ENGINES[name]


def reset_engines() -> None:
    """Forget built engines (after editing the domain dictionary in a running session)."""
    _ENGINES.clear()


# ---------------------------------------------------------------------------------------- cache
class TokenCache:
    """Cut tokens by content: key = sha1(engine signature + simplify flag + text).

    `hits` and `misses` count lookups; `save`/`load` persist the cache (`.parquet` or JSON)."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[str, ...]] = {}
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(text: str, signature: str, *, simplify: bool = True) -> str:
        h = hashlib.sha1(f"{signature}\x1f{int(simplify)}\x1f".encode())
        h.update(text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def get(self, key: str) -> tuple[str, ...] | None:
        found = self._data.get(key)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, key: str, tokens: Sequence[str]) -> None:
        self._data[key] = tuple(tokens)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: str) -> bool:
        return key in self._data

    def clear(self) -> None:
        self._data.clear()
        self.hits = self.misses = 0

    def save(self, path: str | Path) -> Path:
        """Write every entry, sorted by key: `.parquet` (columns key, tokens) or JSON otherwise."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._data)
        if path.suffix == ".parquet":
            import pandas as pd

            frame = pd.DataFrame({"key": keys, "tokens": [list(self._data[k]) for k in keys]})
            frame.to_parquet(path, index=False)
        else:
            with open(path, "w", encoding="utf-8") as fh:
                json.dump({k: list(self._data[k]) for k in keys}, fh, ensure_ascii=False)
        return path

    def load(self, path: str | Path) -> int:
        """Merge the entries saved at `path`; returns how many were read."""
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"token cache {path} does not exist; write one with .save().")
        if path.suffix == ".parquet":
            import pandas as pd

            frame = pd.read_parquet(path)
            items = zip(frame["key"], frame["tokens"])
        else:
            with open(path, encoding="utf-8") as fh:
                items = json.load(fh).items()
        n = 0
        for key, tokens in items:
            self._data[str(key)] = tuple(str(t) for t in tokens)
            n += 1
        return n


CACHE = TokenCache()


@functools.lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified characters (OpenCC t2s).

    >>> to_simplified("塘棲鎮法治政府建設")
    '塘栖镇法治政府建设'
    """
    return _t2s().convert(text)


def cut(
    text: str, *, engine: str | None = None, simplify: bool = True, cache: TokenCache | None = None
) -> tuple[str, ...]:
    """The engine's raw cut of `text` (every token, nothing filtered), through the cache."""
    eng = get_engine(engine)
    cache = CACHE if cache is None else cache
    key = TokenCache.key(text, eng.signature, simplify=simplify)
    found = cache.get(key)
    if found is None:
        found = tuple(eng.cut(to_simplified(text) if simplify else text))
        cache.put(key, found)
    return found


# -------------------------------------------------------------------------------------- filters
def is_number(token: str) -> bool:
    """A token that is only a number (digits, percentages, ranges, Chinese numerals).

    >>> [is_number(t) for t in ("2024", "41.63%", "两万", "执法")]
    [True, True, True, False]
    """
    return bool(_NUMBER.match(token))


def is_punctuation(token: str) -> bool:
    """True when no character is a letter or digit (punctuation, symbols, spaces)."""
    return not any(unicodedata.category(ch)[0] in "LN" for ch in token)


def _filter(
    tokens: Iterable[str], stop: frozenset[str], keep_numbers: bool, min_len: int
) -> list[str]:
    out = []
    for tok in tokens:
        tok = tok.strip()
        if not tok or is_punctuation(tok):
            continue
        if is_number(tok):
            if keep_numbers:
                out.append(tok)
            continue
        if len(tok) < min_len or tok in stop:
            continue
        out.append(tok)
    return out


@dataclass(frozen=True)
class TokenOptions:
    """Validated options of `tokenize` (hashable: usable as a cache or grouping key)."""

    engine: str
    stopwords: frozenset[str]
    keep_numbers: bool
    min_len: int
    simplify: bool


def token_options(
    *,
    engine: str | None = None,
    stopwords: str | Iterable[str] | None = DEFAULT_STOPWORDS,
    extra_stopwords: Iterable[str] = (),
    keep_numbers: bool = False,
    min_len: int = 2,
    simplify: bool = True,
) -> TokenOptions:
    """Check the options once (clear errors) and resolve stopword list names to words."""
    name = engine or default_engine()
    if name not in _ENGINE_FACTORIES:
        raise _bad_value("engine", name, available_engines())
    if isinstance(min_len, bool) or not isinstance(min_len, int) or min_len < 1:
        raise _error(f"`min_len` = {min_len!r} is not valid; choose a whole number of 1 or more.")
    return TokenOptions(
        name,
        _resolve_stopwords(stopwords, extra_stopwords),
        bool(keep_numbers),
        min_len,
        bool(simplify),
    )


def _missing(text: object) -> bool:
    return (
        text is None
        or (isinstance(text, float) and math.isnan(text))
        or (type(text).__name__ in ("NAType", "NaTType"))
    )


def _tokenize(text: object, opts: TokenOptions, cache: TokenCache | None) -> list[str]:
    if _missing(text):
        return []
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a string, not {type(text).__name__}: {text!r:.60}")
    raw = cut(text, engine=opts.engine, simplify=opts.simplify, cache=cache)
    return _filter(raw, opts.stopwords, opts.keep_numbers, opts.min_len)


def tokenize(
    text: str,
    *,
    engine: str | None = None,
    stopwords: str | Iterable[str] | None = DEFAULT_STOPWORDS,
    extra_stopwords: Iterable[str] = (),
    keep_numbers: bool = False,
    min_len: int = 2,
    simplify: bool = True,
    cache: TokenCache | None = None,
) -> list[str]:
    """Tokens of `text` for analysis (see the module docstring for the steps).

    `stopwords` names lists (`stopword_lists()`), `None` or `()` for none; `extra_stopwords` adds
    words of your own. Missing text (None/NaN) gives `[]`.

    >>> tokenize("二是法制专业人员配备不足", stopwords=())
    ['二是', '法制', '专业', '人员配备', '不足']
    >>> tokenize("二是法制专业人员配备不足")
    ['法制', '专业', '人员配备', '不足']
    """
    opts = token_options(
        engine=engine,
        stopwords=stopwords,
        extra_stopwords=extra_stopwords,
        keep_numbers=keep_numbers,
        min_len=min_len,
        simplify=simplify,
    )
    return _tokenize(text, opts, cache)


def tokenize_many(texts: Iterable[str], **options) -> list[list[str]]:
    """`tokenize` over many texts (options checked once); one token list per text, in order."""
    cache = options.pop("cache", None)
    opts = token_options(**options)
    return [_tokenize(t, opts, cache) for t in texts]


class Tokenizer:
    """`tokenize` with fixed options, as a picklable callable (for scikit-learn's `tokenizer=`).

    >>> Tokenizer(stopwords=("general",))("进一步强化合法性审查")
    ['进一步', '强化', '合法性审查']
    """

    def __init__(self, **options):
        self.cache = options.pop("cache", None)
        self.options = token_options(**options)

    def __call__(self, text: str) -> list[str]:
        return _tokenize(text, self.options, self.cache)

    def __getstate__(self):
        return {"options": self.options}  # the cache stays behind: CACHE of the receiving process

    def __setstate__(self, state):
        self.options, self.cache = state["options"], None

    def __repr__(self) -> str:
        return f"Tokenizer(engine={self.options.engine!r}, min_len={self.options.min_len})"


# The default engine: jieba-rs with the same dictionary (tokens_rjieba.py); "jieba" stays the reference.
from .tokens_rjieba import RjiebaEngine  # noqa: E402  (it imports names defined above)

register_engine("rjieba", RjiebaEngine, default=True)
