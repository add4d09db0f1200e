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
   is `"rjieba"` (jieba-rs, same dictionary and domain terms, same Chinese tokens, ~20 × faster),
   and `engine="jieba"` selects pure jieba, the reference (both in `token_engines.py`);
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
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .convert import simplify
from .errors import FazhiError, invalid
from .rules import rule_folders, rule_path
from .token_engines import (  # noqa: F401  (DictEntry, JiebaEngine, … stay importable from here)
    DOMAIN_DICT_FILE,
    MIN_TERM_FREQ,
    DictEntry,
    Engine,
    JiebaEngine,
    RjiebaEngine,
    dict_digest,
    load_domain_dict,
    read_word_list,
)

STOPWORD_PREFIX = "stopwords_"
DEFAULT_STOPWORDS: tuple[str, ...] = ("general", "boilerplate")

# a token that is only a number:  2024  1,090  41.63%  2019—2023  1-2  十  三十  两万余
_NUMBER = re.compile(
    r"^[0-9０-９.,，．%％‰·:：/\-—–~～]+$"
    r"|^[〇零一二两三四五六七八九十百千万亿]+[余多几]?$"
)


# ----------------------------------------------------------------------------------- word lists
def stopword_lists() -> list[str]:
    """Names of the stopword lists available (package rules folder plus `FAZHI_RULES_DIR`).

    >>> stopword_lists()[:2]
    ['boilerplate', 'general']
    """
    names = {
        p.stem[len(STOPWORD_PREFIX) :]
        for folder in rule_folders()
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
        raise invalid("stopwords", name, available)
    path = rule_path(f"{STOPWORD_PREFIX}{name}.txt")
    return _read_cached(str(path), path.stat().st_mtime)


def _resolve_stopwords(stopwords: str | Iterable[str] | None, extra: Iterable[str]) -> frozenset[str]:
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
        raise FazhiError(
            f"`extra_stopwords` = {extra!r} is not valid; give a collection of words, e.g. ('试点', '样板')."
        )
    words |= set(extra)
    return frozenset(words)


# The default engine is jieba-rs with the same dictionary; "jieba" stays the reference.
_ENGINE_FACTORIES: dict[str, Callable[[], Engine]] = {"jieba": JiebaEngine, "rjieba": RjiebaEngine}
_ENGINES: dict[str, Engine] = {}
_DEFAULT = {"engine": "rjieba"}


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
        raise invalid("engine", name, available_engines())
    _DEFAULT["engine"] = name


def get_engine(name: str | None = None) -> Engine:
    """The engine called `name` (default: `default_engine()`), built once and kept."""
    name = name or _DEFAULT["engine"]
    if name not in _ENGINE_FACTORIES:
        raise invalid("engine", name, available_engines())
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


to_simplified = simplify  # traditional → simplified characters (convert.py's one OpenCC t2s)


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


def _filter(tokens: Iterable[str], stop: frozenset[str], keep_numbers: bool, min_len: int) -> list[str]:
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
        raise invalid("engine", name, available_engines())
    if isinstance(min_len, bool) or not isinstance(min_len, int) or min_len < 1:
        raise FazhiError(f"`min_len` = {min_len!r} is not valid; choose a whole number of 1 or more.")
    return TokenOptions(
        name,
        _resolve_stopwords(stopwords, extra_stopwords),
        bool(keep_numbers),
        min_len,
        bool(simplify),
    )


def _missing(text: object) -> bool:
    return (
        text is None or (isinstance(text, float) and math.isnan(text)) or (type(text).__name__ in ("NAType", "NaTType"))
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
