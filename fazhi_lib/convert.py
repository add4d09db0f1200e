"""Traditional characters → simplified (OpenCC `t2s`), keeping every character where it was.

Some sites serve a traditional-character version of their pages (繁體). fazhi analyses them as
simplified, so one set of rules and dictionaries serves both, and records the conversion
(`reports.converted_from = 'traditional'`). The converted text has exactly as many characters as the
original, line by line, so every offset (`raw_start`, `raw_end`) indexes the original text too.

>>> c = to_simplified("澧浦鎮2023年度法治政府建設工作報告。現將相關情況匯報如下:")
>>> c.text, c.converted_from, c.n_changed
('澧浦镇2023年度法治政府建设工作报告。现将相关情况汇报如下:', 'traditional', 9)
>>> to_simplified("澧浦镇2023年度法治政府建设工作报告").converted_from is None
True

This module holds fazhi's one OpenCC converter (`t2s`); tokens, places and indicators convert
through it (`simplify`, `convert_same_length`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# Share of Chinese characters that t2s changes above which a text is taken as written in traditional
# characters. Simplified reports change 0 (checked on the five embedded reports); a traditional copy
# of the same reports changes 25–37%. A simplified text quoting a few traditional names stays below.
TRADITIONAL_SHARE = 0.10
MIN_CHANGED = 5  # and at least this many characters
SAMPLE_CHARS = 200_000  # the decision reads at most this many characters (a page is far shorter)
_CJK = re.compile(r"[\u4e00-\u9fff]")
# 應(yīng)急管理部: a pinyin gloss a mirror injects after a character (metadata and places read past it); the
# bracket first, the character before it checked behind it: the scan then skips to each bracket
_PINYIN_SYLLABLE = "[a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêńňǹḿ]{1,7}"
PINYIN_GLOSS = re.compile(rf"[(（](?<=[\u4e00-\u9fff][(（]){_PINYIN_SYLLABLE}[)）]")
_NOT_CJK_HIGH_BYTES = bytes(b for b in range(256) if not 0x4E <= b <= 0x9F)  # see _count_cjk


# Characters t2s keeps that traditional pages write for a simplified one: OpenCC's own s2t, s2hk and
# s2tw turn 浚县 into 濬縣, 澄江 into 澂江, 中卫 into 中衞, 叙永 into 敍永, and t2s gives back 濬县, 澂江,
# 中衞, 敍永, names the division table does not hold. They are folded after t2s (one character for one:
# offsets stay). tests/test_convert.py checks that with them every division name of the table comes
# back from its traditional forms.
_VARIANT_CHARS = "濬澂衞敍"
_KEPT_VARIANTS = str.maketrans(_VARIANT_CHARS, "浚澄卫叙")
_VARIANT = re.compile(f"[{_VARIANT_CHARS}]")


def _folded(converted: str) -> str:
    """t2s's output with the characters t2s keeps for a simplified one folded (`_KEPT_VARIANTS`)."""
    return converted.translate(_KEPT_VARIANTS)


@dataclass(frozen=True)
class Conversion:
    text: str
    converted_from: str | None  # 'traditional' when the text was converted, else None
    n_changed: int  # characters changed
    share: float  # share of Chinese characters changed (in the sample read for the decision)


@lru_cache(maxsize=1)
def t2s():
    """The process's one OpenCC `t2s` converter (built on first use: loading it takes a moment)."""
    import opencc

    return opencc.OpenCC("t2s")


# ---------------------------------------------------------------- would t2s change this text at all?
# Most reports are written in simplified characters, and t2s returns them as they are: converting them
# all, only to compare the result with the text, costs more than every other part of reading a file. So
# `t2s_keeps(text)` answers "t2s returns `text` unchanged" without converting, from the keys of t2s's own
# dictionaries (read from the installed OpenCC at first use).
#
# Why the answer is sound. t2s (its config, t2s.json) normalises the text with one dictionary, then
# converts it with a group of dictionaries; each stage cuts the text into segments, each segment either a
# key of a dictionary (the longest one that matches there) or a single character no key starts with, and
# writes each key as its value (an entry's first value: OpenCC's DictEntry::GetDefault) and each other
# character as itself. Any key a stage matches is a substring of the text. So when no key whose first
# value differs from it (in any of the dictionaries: which one a group consults first does not matter)
# occurs in the text, every segment is written as itself, whatever the segmentation: the stage returns the
# text unchanged, and so does the next. Those "changing" keys are checked in two scans: one character
# class holds every changing key of one character (漢 → 汉); a longer changing key that holds one of
# them occurs only where that character does, so the second scan needs only the longer keys made wholly
# of characters t2s keeps (藉口 → 借口, 瞭解 → 了解: about a hundred). Characters outside the Basic
# Multilingual Plane and lone surrogates (which OpenCC cannot even encode) are sent to OpenCC.
#
# When the dictionaries or the tool that reads them (`opencc_dict`, shipped with the opencc wheel) cannot
# be found, or t2s.json holds anything this reading does not know, there is no pretest and every text is
# converted, as before: slower, never another answer. tests/test_convert_pretest.py checks the answers
# against OpenCC's on every key of the dictionaries, on reports, and on random mixes.
_T2S_CONFIG_KEYS = {"name", "segmentation", "normalization", "conversion_chain"}
_DUMP_TIMEOUT = 60  # seconds for opencc_dict to write one dictionary as text (it takes milliseconds)


def t2s_keeps(text: str) -> bool:
    """True when t2s would return `text` unchanged; False when it may change it (or, without the
    dictionaries, when it cannot tell).

    >>> t2s_keeps("法治政府建设"), t2s_keeps("法治政府建設"), t2s_keeps("找借口"), t2s_keeps("找藉口")
    (True, False, True, False)
    """
    test = _pretest()
    return test is not None and test(text)


@lru_cache(maxsize=1)
def _pretest():
    """The function behind `t2s_keeps`, built once per process (about 40 ms), or None without the
    dictionaries."""
    tables = _changing_keys()
    if tables is None:
        return None
    chars, phrases, listed = tables
    # One class: every changing character of the BMP, listed, then every astral character and lone
    # surrogate as two ranges (sent to OpenCC: rare in reports, and listing the 900 astral keys makes re
    # test the class entry by entry, 100 times slower).
    bmp = sorted(c for c in chars if ord(c) <= 0xFFFF)
    changing_char = re.compile("[" + "".join(re.escape(c) for c in bmp) + "\ud800-\udfff\U00010000-\U0010ffff]").search
    changing_phrase = _phrase_pattern(phrases, listed).search if phrases else None

    def keeps(text: str) -> bool:
        if text.isascii():  # (no key of t2s is ASCII: _changing_keys checks it)
            return True
        if changing_char(text) is not None:
            return False
        return changing_phrase is None or changing_phrase(text) is None

    return keeps


def _phrase_pattern(phrases: set[str], listed: set[str] = frozenset()) -> re.Pattern:
    """One regex finding any of `phrases`, anchored on a few rare characters so a scan stops only there:
    each phrase is found from one of its characters, the characters before it checked behind (藉口: 藉
    then 口; 找藉口: 藉, 找藉 behind, then 口). The anchors are the characters the dictionaries `listed`
    (keys of one character, kept by default, another reading next: 藉 → 藉 借) where a phrase holds one,
    those in most phrases first: 沈 藉 覆 坏 瞭 哩 甦 衹, not 得 of 衹得."""
    todo = sorted(phrases)
    by_anchor: dict[str, list[str]] = {}
    while todo:
        counts: dict[str, int] = {}
        for p in todo:
            for c in set(p):
                counts[c] = counts.get(c, 0) + 1
        anchor = min(counts, key=lambda c: (c not in listed, -counts[c], c))
        alts = by_anchor.setdefault(anchor, [])
        for p in [p for p in todo if anchor in p]:
            i = p.index(anchor)
            behind = f"(?<={re.escape(p[: i + 1])})" if i else ""
            alts.append(behind + re.escape(p[i + 1 :]))
            todo.remove(p)
    return re.compile("|".join(f"{re.escape(a)}(?:{'|'.join(alts)})" for a, alts in by_anchor.items()))


def _changing_keys() -> tuple[set[str], set[str], set[str]] | None:
    """(changing keys of one character, longer changing keys made of characters t2s keeps, every key of
    one character) from the dictionaries t2s.json names, or None when they cannot be read."""
    try:
        config = Path(getattr(t2s(), "config", ""))
        if not config.is_file():  # (OpenCC found t2s somewhere of its own: not read here)
            return None
        spec = json.loads(config.read_text(encoding="utf-8"))
        if not isinstance(spec, dict) or set(spec) - _T2S_CONFIG_KEYS or "conversion_chain" not in spec:
            return None
        dicts = []
        for stage in [*spec.get("normalization", []), *spec["conversion_chain"]]:
            if not isinstance(stage, dict) or set(stage) != {"dict"}:
                return None
            dicts.extend(_dict_files(stage["dict"]))
        tables = _read_dicts(dicts, config.parent)
    except (OSError, ValueError, KeyError, TypeError, subprocess.SubprocessError):
        return None
    if tables is None:
        return None
    changing = {key for table in tables for key, first in table if first != key}
    if not changing or any(k.isascii() for k in changing):  # (t2s_keeps passes ASCII text at once)
        return None
    chars = {k for k in changing if len(k) == 1}
    phrases = {k for k in changing if len(k) > 1 and chars.isdisjoint(k)}
    listed = {key for table in tables for key, _ in table if len(key) == 1}
    return chars, phrases, listed


def _dict_files(d: dict) -> list[tuple[str, str]]:
    """[(type, file)] of a dictionary spec of t2s.json, a group's members in order."""
    if d.get("type") == "group":
        return [f for member in d["dicts"] for f in _dict_files(member)]
    if d.get("type") not in ("ocd2", "ocd", "text"):
        raise ValueError(f"dictionary type {d.get('type')!r}")
    return [(d["type"], d["file"])]


def _read_dicts(dicts: list[tuple[str, str]], folder: Path) -> list[list[tuple[str, str]]] | None:
    """Each dictionary as [(key, first value)]: text files read as they are, binary ones written out
    as text by `opencc_dict` (all at once: a few milliseconds each)."""
    paths = [(kind, folder / name) for kind, name in dicts]
    if not all(path.is_file() for _, path in paths):
        return None
    tool = _opencc_dict()
    if tool is None and any(kind != "text" for kind, _ in paths):
        return None
    with tempfile.TemporaryDirectory(prefix="fazhi-opencc-") as tmp:
        texts, procs = [], []
        for i, (kind, path) in enumerate(paths):
            if kind == "text":
                texts.append(path)
                continue
            out = Path(tmp) / f"{i}.txt"
            texts.append(out)
            cmd = [tool, "-i", str(path), "-o", str(out), "-f", kind, "-t", "text"]
            procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        if any(p.wait(timeout=_DUMP_TIMEOUT) != 0 for p in procs):
            return None
        return [_read_text_dict(path) for path in texts]


def _read_text_dict(path: Path) -> list[tuple[str, str]]:
    """[(key, first value)] of an OpenCC text dictionary: one entry a line, `key<TAB>value value …`."""
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line:
            continue
        key, tab, values = line.partition("\t")
        if not tab or not key:
            raise ValueError(f"not a dictionary line: {line!r}")
        entries.append((key, values.split(" ", 1)[0]))
    return entries


def _opencc_dict() -> str | None:
    """The `opencc_dict` tool of the installed opencc (its wheel ships one), else one on the PATH."""
    import opencc

    name = "opencc_dict.exe" if os.name == "nt" else "opencc_dict"
    shipped = Path(opencc.__file__).parent / "clib" / "bin" / name
    return str(shipped) if shipped.is_file() else shutil.which("opencc_dict")


# t2s converts line by line: no entry of its dictionaries holds a line break, so no phrase it matches
# spans one, and t2s(a + "\n" + b) == t2s(a) + "\n" + t2s(b) (tests/test_convert.py checks it). A report's
# lines come back many times (metadata reads the page's head, places and indicators its body,
# typology its problem items): the lines t2s has kept once are remembered, and only the others are
# converted. Same answers, fewer OpenCC calls (each one reads the dictionaries, cold after the tokeniser).
_KEPT_LINES: set[str] = set()  # lines (without their "\n") that t2s returns unchanged
_MAX_KEPT_LINES = 20_000  # forget them beyond this many (memory: about 6 MB of report lines at most)


def simplify(text: str) -> str:
    """Traditional → simplified characters, phrase by phrase (the length may change; see
    `convert_same_length` for a copy whose offsets index the original): OpenCC's t2s, then the
    characters it keeps for a simplified one folded (`_KEPT_VARIANTS`: 濬縣 → 浚县).

    >>> simplify("塘棲鎮法治政府建設")
    '塘栖镇法治政府建设'
    """
    if text in _KEPT_LINES:  # (a line break is never in the set: a text of several lines misses)
        return text
    lines = text.split("\n")
    todo = [i for i, line in enumerate(lines) if line not in _KEPT_LINES]
    if not todo:
        return text
    rest = text if len(todo) == len(lines) else "\n".join(lines[i] for i in todo)
    if t2s_keeps(rest) and not _VARIANT.search(rest):
        _keep(lines[i] for i in todo)  # (no changing key in them: none in any one line)
        return text
    if len(todo) == len(lines):
        converted = _folded(t2s().convert(text))
        if converted == text:
            _keep(lines)
            return text
        out = converted.split("\n")
        if len(out) != len(lines):  # (never seen: a conversion that made or took a line break)
            return converted
    else:
        done = _folded(t2s().convert("\n".join(lines[i] for i in todo))).split("\n")
        if len(done) != len(todo):
            return _folded(t2s().convert(text))
        out = lines.copy()
        for i, line in zip(todo, done):
            out[i] = line
    _keep(line for line, conv in zip(lines, out) if line == conv)
    return "\n".join(out)


def _keep(lines) -> None:
    if len(_KEPT_LINES) > _MAX_KEPT_LINES:
        _KEPT_LINES.clear()
    _KEPT_LINES.update(lines)


def _count_cjk(text: str) -> int:
    """len(_CJK.findall(text)) without a list of matches: the characters U+4E00–U+9FFF are the UTF-16
    code units whose high byte is 0x4E–0x9F (a character outside the BMP gives two surrogates, 0xD8–0xDF).

    >>> _count_cjk("2024年法治𠀀")
    3
    """
    return len(text.encode("utf-16-be", "surrogatepass")[0::2].translate(None, _NOT_CJK_HIGH_BYTES))


def traditional_share(text: str) -> tuple[float, int]:
    """(share of Chinese characters that t2s would change, number changed), on a sample of the text."""
    sample = text[:SAMPLE_CHARS]
    converted = simplify(sample)  # (its kept lines remembered: later steps read them again)
    if converted == sample:  # a simplified text: nothing to count (the count is the slower part)
        return 0.0, 0
    n_cjk = _count_cjk(sample)
    if not n_cjk:
        return 0.0, 0
    if len(converted) == len(sample):
        changed = sum(a != b for a, b in zip(sample, converted))
    else:  # a phrase changed length: count per character instead
        changed = sum(t2s().convert(ch) != ch for ch in sample if _CJK.match(ch))
    return changed / n_cjk, changed


def convert_same_length(text: str) -> str:
    """t2s, line by line; a line whose length t2s would change is converted character by character."""
    converter = t2s()
    out = []
    for line in text.splitlines(keepends=True):
        conv = converter.convert(line)
        if len(conv) != len(line):
            conv = "".join(c if len(c := converter.convert(ch)) == 1 else ch for ch in line)
        out.append(_folded(conv))
    return "".join(out)


def to_simplified(text: str, *, threshold: float = TRADITIONAL_SHARE) -> Conversion:
    """The text in simplified characters when it is written in traditional ones, else unchanged."""
    share, changed = traditional_share(text)
    if share < threshold or changed < MIN_CHANGED:
        return Conversion(text, None, 0, share)
    converted = convert_same_length(text)
    n_changed = sum(a != b for a, b in zip(text, converted))
    return Conversion(converted, "traditional", n_changed, share)


# what may stand between two characters of a phrase as the page prints it: white space (a title split
# over lines, stray spaces) and a mirror's pinyin glosses (關(guān)于)
_BETWEEN = rf"(?:\s|[(（]{_PINYIN_SYLLABLE}[)）])*"
_FULL_WIDTH_OF = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}  # ASCII → its full-width form


def as_printed(phrase: str, converted: str, original: str) -> str:
    """`phrase`, read from `converted` (`original` t2s-converted, the same length), in the characters the
    page prints it with: 北京市朝陽區人民政府… for 北京市朝阳区人民政府… on a traditional page. White space
    in the phrase stays as in the phrase; white space and glosses between its characters on the page are
    left out, as they are in the phrase. The phrase itself when the page does not hold it so.

    >>> as_printed("朝阳区人民政府关于", "朝阳区人民\\n政府关于", "朝陽區人民\\n政府關於")
    '朝陽區人民政府關於'
    """
    chars = [c for c in phrase if not c.isspace()]
    if not chars or len(converted) != len(original):
        return phrase
    pattern = _BETWEEN.join(f"[{re.escape(c)}{re.escape(_FULL_WIDTH_OF.get(c, c))}]" for c in chars)
    m = re.search(pattern, converted)
    if m is None:
        return phrase
    printed, at = [], m.start()
    for c in phrase:
        if c.isspace():
            printed.append(c)
            continue
        while converted[at] not in (c, _FULL_WIDTH_OF.get(c, c)):  # (white space or a gloss between)
            at += 1
        printed.append(c if c.isascii() else original[at])
        at += 1
    return "".join(printed)
