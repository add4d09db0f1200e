"""Reading tools: what sets two groups apart (keyness), which words travel together (collocations,
co-occurrence network), and how often a researcher's own categories of words occur (dictionaries).

Every count rests on the shared tokeniser (`fazhi_lib.tokens.tokenize`); the issuer's own name and
region are masked before tokenising (they would otherwise be every group's most "key" words).
Groups of texts are chosen with simple filters, the same ones `fazhi keyness --a … --b …` takes:

>>> corpus = load_corpus("data/processed")                                  # doctest: +SKIP
>>> keyness(corpus, "part=problems", "part=achievements").head(3)           # doctest: +SKIP
  term  count_a  count_b  ...    g2  p_value  log_ratio key_for
0   不足        9        0  ...  46.1  1.1e-11       6.06       a
>>> collocations(group_texts(corpus, "part=problems"), n=2, min_count=2)   # doctest: +SKIP
>>> graph = cooccurrence(group_texts(corpus, "part=achievements"))          # doctest: +SKIP
>>> dictionary_counts(corpus, "my_dictionary.yaml", by="part")              # doctest: +SKIP

Statistics (all on a 2×2 or 2×2×2 contingency table of observed counts):
- log-likelihood G² = 2 Σ O ln(O / E) (Dunning 1993), expected counts E under independence; for
  keyness the table is [term in A, other tokens in A; term in B, other tokens in B]. Keyness G² is
  signed: positive when the term is relatively more frequent in group A, and by default divided by
  Williams' correction factor, as quanteda documents; `measure="chi2" | "pmi" | "exact"` give the
  other keyness measures of quanteda's `textstat_keyness` (formulas and sources in `keyness_stats.py`).
  p-values from χ² with 1 df (no correction for the many terms tested: with thousands of terms,
  read p < 0.0001 as "key").
- log ratio (Hardie 2014): log2 of the ratio of relative frequencies, a zero count taken as 0.5;
  +1 means twice as frequent in A.
- PMI: log2 P(w1…wn) / (P(w1)…P(wn)).
- Co-occurrence: Jaccard (sentences with both / sentences with either; KH Coder's default), Dice,
  PMI or raw counts, named in the graph's `measure` attribute and on the figure.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import FazhiError, invalid
from .labels import report_labels
from .sentences import split_sentences
from .tokens import is_number, load_stopwords, to_simplified, tokenize_many

GROUP_KEYS = {
    # spec key → Corpus.filter keyword (several spellings accepted)
    "year": "years",
    "years": "years",
    "report_year": "years",
    "level": "levels",
    "levels": "levels",
    "province": "provinces",
    "provinces": "provinces",
    "region": "regions",
    "regions": "regions",
    "issuer": "issuers",
    "issuers": "issuers",
    "prefecture": "prefectures",
    "prefectures": "prefectures",
    "county": "counties",
    "counties": "counties",
    "report_id": "report_ids",
    "report_ids": "report_ids",
    "part": "part",
    "part_kind": "part",
    "kind": "part",
}
ALL_TEXT = "all"  # the `part` value of a whole report text
TEXT_COLUMNS = ["report_id", "issuer", "report_year", "level", "part", "text"]
KEYNESS_COLUMNS = [
    "term",
    "count_a",
    "count_b",
    "per_10k_a",
    "per_10k_b",
    "g2",
    "p_value",
    "log_ratio",
    "key_for",
]
COLLOCATION_COLUMNS = ["collocation", "n", "count", "pmi", "g2", "p_value"]
MEASURES = ("jaccard", "dice", "pmi", "count")
DICTIONARY_BY = ("report", "part")
DICTIONARY_COLUMNS = [
    "report_id",
    "issuer",
    "report_year",
    "part_order",
    "part",
    "category",
    "count",
    "n_chars",
    "per_10k_chars",
    "matched_terms",
]
# A clause: a run of word characters (CJK, letters, digits); punctuation and spaces separate clauses,
# so an n-gram never bridges 、，“” — in 党政办、综合执法队 no 党政办 综合执法队 bigram is counted.
_CLAUSE = re.compile(r"[^\W_]+")
# One condition of a group spec: year=2023,2024  part=problems  province=浙江省
_CONDITION = re.compile(r"^\s*(?P<key>[A-Za-z_]+)\s*(?:=|:)\s*(?P<value>.+?)\s*$")


# ------------------------------------------------------------------------------------ groups
@dataclass(frozen=True)
class Group:
    """A parsed group spec: Corpus.filter keywords plus a part kind (None = the whole text)."""

    filters: tuple[tuple[str, tuple], ...] = ()
    part: str | None = None
    rest: bool = False  # "rest": every report the other group's filters leave out
    label: str = ""


def parse_group(spec: str | Mapping | None) -> Group:
    """A group from a spec string or dict: conditions `key=value[,value]`, joined by `;` or `&`.

    >>> parse_group("year=2023,2024;part=problems")
    Group(filters=(('years', (2023, 2024)),), part='problems', rest=False, label='year=2023,2024;part=problems')
    >>> parse_group({"levels": "township"}).filters
    (('levels', ('township',)),)

    Keys: year, level, province, region, issuer, prefecture, county, report_id, part. The spec `rest`
    (alone, or with a part: `rest;part=problems`) means every report the other group's filters leave
    out. An empty spec or `all` means every report.
    """
    if isinstance(spec, Group):
        return spec
    if spec is None:
        return Group(label=ALL_TEXT)
    if isinstance(spec, Mapping):
        items = list(spec.items())
        label = ";".join(f"{k}={_as_text(v)}" for k, v in items)
    elif isinstance(spec, str):
        label = spec.strip()
        items = []
        for chunk in re.split(r"[;&]", spec):
            if not chunk.strip() or chunk.strip().lower() in (ALL_TEXT, "rest", "others"):
                if chunk.strip().lower() in ("rest", "others"):
                    items.append(("rest", True))
                continue
            m = _CONDITION.match(chunk)
            if not m:
                raise FazhiError(
                    f"`group` = {chunk.strip()!r} is not valid; write key=value, e.g. "
                    "year=2024, part=problems or level=township;year=2023,2024."
                )
            items.append((m["key"], [v.strip() for v in re.split(r"[,，、]", m["value"]) if v.strip()]))
    else:
        raise FazhiError(f"`group` = {spec!r} is not valid; give a string such as 'year=2024' or a dict.")
    filters: dict[str, tuple] = {}
    part, rest = None, False
    for key, value in items:
        if key == "rest":
            rest = bool(value)
            continue
        name = GROUP_KEYS.get(str(key).lower())
        if name is None:
            raise invalid("group key", key, sorted({k for k in GROUP_KEYS if not k.endswith("s")} | {"rest"}))
        values = tuple(value) if isinstance(value, (list, tuple)) else (value,)
        if name == "part":
            if len(values) != 1:
                raise FazhiError(f"`part` = {_as_text(value)!r} is not valid; give one part kind per group.")
            part = _check_part(str(values[0]))
            continue
        if name == "years":
            try:
                values = tuple(int(v) for v in values)
            except (TypeError, ValueError):
                raise FazhiError(
                    f"`year` = {_as_text(value)!r} is not valid; give a year such as 2024 or several: year=2023,2024."
                ) from None
        filters[name] = filters.get(name, ()) + tuple(values)
    return Group(tuple(sorted(filters.items())), part, rest, label or ALL_TEXT)


def _as_text(value) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    return str(value)


def _check_part(part: str | None) -> str | None:
    from .sections import SECTION_KINDS

    if part is None or part == ALL_TEXT:
        return None
    if part not in SECTION_KINDS:
        raise invalid("part_kind", part, SECTION_KINDS)
    return part


def group_texts(
    corpus,
    spec: str | Mapping | Group | None = None,
    *,
    part: str | None = None,
    other: str | Mapping | Group | None = None,
) -> pd.DataFrame:
    """The texts a group spec selects: one row per report (its `part`, or the whole clean text).

    Columns report_id, issuer, report_year, level, part, text; sorted by year, issuer, report id.
    `part` is the default part kind when the spec names none. `other` is the spec a `rest` group is
    the complement of (a `rest` naming no part reads the same part as `other`).
    """
    group = parse_group(spec)
    kind = group.part if group.part is not None else _check_part(part)
    if group.rest:
        if other is None:
            raise FazhiError("The group 'rest' needs the other group to be given, e.g. --a province=浙江省 --b rest.")
        other_group = parse_group(other)
        if group.part is None and other_group.part is not None:
            kind = other_group.part  # the rest of the reports, same part as the other group
        excluded = (
            set(corpus.filter(**_filter_kwargs(other_group)).reports["report_id"]) if other_group.filters else set()
        )
        keep = sorted(set(corpus.reports["report_id"]) - excluded)
        selected = corpus.filter(report_ids=keep, **_filter_kwargs(group))
    else:
        selected = corpus.filter(**_filter_kwargs(group))
    if kind is None:
        texts = selected.texts
        reports = selected.reports[["report_id", "issuer", "report_year", "level"]]
        out = reports.merge(texts[["report_id", "text"]], on="report_id", how="inner")
        out["part"] = ALL_TEXT
        out = out.sort_values(["report_year", "issuer", "report_id"], na_position="last")
    else:
        out = selected.part_texts(kind)
        out["part"] = kind
    return out[TEXT_COLUMNS].reset_index(drop=True)


def _filter_kwargs(group: Group) -> dict:
    return {name: list(values) for name, values in group.filters}


def _texts_of(texts) -> list[str]:
    if isinstance(texts, pd.DataFrame):
        if "text" not in texts.columns:
            raise FazhiError("The table of texts has no `text` column; pass `group_texts(...)` or a list of strings.")
        return [t for t in texts["text"].tolist() if isinstance(t, str)]
    if isinstance(texts, str):
        return [texts]
    return [t for t in texts if isinstance(t, str)]


def _masked_texts(texts, corpus=None) -> list[str]:
    """Texts with each report's own issuer and region names blanked (when the rows carry report ids)."""
    if not isinstance(texts, pd.DataFrame) or corpus is None or "report_id" not in texts.columns:
        return _texts_of(texts)
    from .tfidf import issuer_names

    names = {r["report_id"]: issuer_names(r) for r in corpus.reports.to_dict("records")}
    out = []
    for rid, text in zip(texts["report_id"], texts["text"]):
        if not isinstance(text, str):
            continue
        for name in names.get(rid, []):
            text = text.replace(name, " ")
        out.append(text)
    return out


# ------------------------------------------------------------------------------ statistics
def _xlogy(o: float, e: float) -> float:
    return 0.0 if o == 0 else o * math.log(o / e)


def log_likelihood(table) -> float:
    """G² = 2 Σ O ln(O/E) of a contingency table (any shape), E from its margins under independence.

    >>> round(log_likelihood([[10, 90], [5, 195]]), 4)
    7.3298
    """
    obs = np.asarray(table, dtype=float)
    total = obs.sum()
    if total <= 0:
        return 0.0
    expected = np.ones_like(obs) * total
    for axis in range(obs.ndim):
        margin = obs.sum(axis=tuple(a for a in range(obs.ndim) if a != axis)) / total
        shape = [1] * obs.ndim
        shape[axis] = -1
        expected = expected * margin.reshape(shape)
    g2 = 2.0 * sum(_xlogy(float(o), float(e)) for o, e in zip(obs.ravel(), expected.ravel()))
    return max(g2, 0.0)


def log_ratio(a: float, total_a: float, b: float, total_b: float) -> float:
    """log2 of (a/total_a) / (b/total_b); a zero count counts as 0.5 (Hardie 2014).

    >>> log_ratio(10, 100, 5, 200)
    2.0
    """
    return math.log2((max(a, 0.5) / total_a) / (max(b, 0.5) / total_b))


def _chi2_sf(g2: float, df: int = 1) -> float:
    from scipy.stats import chi2

    return float(chi2.sf(g2, df))


def keyness_table(
    counts_a: Mapping[str, int],
    counts_b: Mapping[str, int],
    *,
    min_count: int = 2,
    measure: str = "g2",
    correction: str = "default",
) -> pd.DataFrame:
    """Keyness of every term from two token counts (see `keyness` for the columns).

    `measure`: g2 (log-likelihood; quanteda `lr`), chi2, pmi or exact (Fisher); `correction`:
    default (Williams for g2, Yates for chi2, as quanteda documents), williams, yates or none. The
    formulas and their sources are in `fazhi_lib/keyness_stats.py`.

    >>> table = keyness_table({"执法": 10, "其他": 90}, {"执法": 5, "其他": 195}, correction="none")
    >>> table.loc[0, "term"], float(table.loc[0, "g2"])
    ('执法', 7.3298)
    """
    from . import keyness_stats as kn

    _check_positive_int("min_count", min_count, minimum=1)
    m, corr = kn.resolve(measure, correction)
    total_a, total_b = sum(counts_a.values()), sum(counts_b.values())
    if total_a == 0 or total_b == 0:
        which = "A" if total_a == 0 else "B"
        raise FazhiError(f"Group {which} has no tokens; choose filters that select texts with words in them.")
    terms = sorted(t for t in set(counts_a) | set(counts_b) if counts_a.get(t, 0) + counts_b.get(t, 0) >= min_count)
    a = np.array([counts_a.get(t, 0) for t in terms], dtype=float)
    b = np.array([counts_b.get(t, 0) for t in terms], dtype=float)
    scored = kn.score(a, b, total_a - a, total_b - b, measure=m, correction=corr)
    stat_col = kn.STAT_COLUMN[m]
    stat = scored[stat_col].to_numpy()
    rel_a, rel_b = a / total_a, b / total_b
    sign = np.sign(rel_a - rel_b)
    out = pd.DataFrame(
        {
            "term": pd.Series(terms, dtype=object),
            "count_a": a.astype(int),
            "count_b": b.astype(int),
            "per_10k_a": np.round(1e4 * rel_a, 4),
            "per_10k_b": np.round(1e4 * rel_b, 4),
            stat_col: np.round(stat, 4) if m != "exact" else stat,
            "p_value": scored["p_value"].to_numpy(),
            "log_ratio": np.round(np.log2((np.maximum(a, 0.5) / total_a) / (np.maximum(b, 0.5) / total_b)), 4),
            "key_for": np.where(sign > 0, "a", np.where(sign < 0, "b", "")),
            "measure": kn.label(m, corr),
        },
        columns=[*KEYNESS_COLUMNS[:5], stat_col, *KEYNESS_COLUMNS[6:], "measure"],
    )
    with np.errstate(divide="ignore"):  # an odds ratio of 0 orders last, as -inf
        order = np.log(out[stat_col].astype(float)) if m == "exact" else out[stat_col]
    out = out.assign(_k=order).sort_values(["_k", "term"], ascending=[False, True], kind="stable")
    out = out.drop(columns="_k").reset_index(drop=True)
    out.attrs.update(
        tokens_a=total_a, tokens_b=total_b, measure=m, correction=corr, stat=stat_col, measure_label=kn.label(m, corr)
    )
    return out


def keyness(
    corpus,
    group_a,
    group_b,
    *,
    part: str | None = None,
    min_count: int = 2,
    mask_issuer: bool = True,
    measure: str = "g2",
    correction: str = "default",
    **token_options,
) -> pd.DataFrame:
    """Terms that set group A apart from group B, on the shared tokeniser's tokens.

    `group_a`, `group_b`: specs for `parse_group` ("year=2024", "part=problems", "level=township",
    "rest"), dicts of `Corpus.filter` keywords, or tables from `group_texts`. `part` is the part kind
    used when a spec names none (default: the whole clean text). `token_options` go to `tokenize`.

    Columns: term, count_a, count_b, per_10k_a, per_10k_b (per 10,000 tokens of the group), the
    statistic named after `measure` — g2 (default, with Williams' correction), chi2 (Yates' correction
    when an expected count is below 5), pmi (natural log) or odds_ratio (`exact`: Fisher's test) —
    signed (> 0, or an odds ratio > 1, when relatively more frequent in A), p_value, log_ratio (log2 of
    the ratio of relative frequencies), key_for (`a`/`b`) and `measure` (the measure and correction,
    e.g. "g2 (Williams' correction)"). Sorted by the statistic (A's strongest first, B's strongest
    last), ties by term. `table.attrs` holds the groups' token totals and labels, `measure`,
    `correction` and `stat` (the statistic's column). Formulas and sources: `fazhi_lib/keyness_stats.py`.
    """
    texts_a = group_a if isinstance(group_a, pd.DataFrame) else group_texts(corpus, group_a, part=part, other=group_b)
    texts_b = group_b if isinstance(group_b, pd.DataFrame) else group_texts(corpus, group_b, part=part, other=group_a)
    for name, texts in (("A", texts_a), ("B", texts_b)):
        if texts.empty:
            raise FazhiError(
                f"Group {name} selects no texts; check its filters against the reports "
                "(e.g. the years and part kinds present)."
            )
    counts = []
    for texts in (texts_a, texts_b):
        docs = _masked_texts(texts, corpus if mask_issuer else None)
        counts.append(Counter(t for toks in tokenize_many(docs, **token_options) for t in toks))
    out = keyness_table(counts[0], counts[1], min_count=min_count, measure=measure, correction=correction)
    out.attrs.update(
        group_a=_label(group_a),
        group_b=_label(group_b),
        reports_a=int(texts_a["report_id"].nunique()) if "report_id" in texts_a else len(texts_a),
        reports_b=int(texts_b["report_id"].nunique()) if "report_id" in texts_b else len(texts_b),
    )
    return out


def _label(spec) -> str:
    if isinstance(spec, pd.DataFrame):
        return "texts"
    return parse_group(spec).label


def _check_positive_int(name: str, value, *, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise FazhiError(f"`{name}` = {value!r} is not valid; choose a whole number of {minimum} or more.")


def plot_keyness(table: pd.DataFrame, *, top_n: int = 15, title: str | None = None, lang: str = "zh"):
    """Horizontal bars of the signed keyness statistic (its measure named on the axis, in `lang`) for the
    `top_n` key terms of each group. Returns the Figure."""
    import matplotlib.pyplot as plt

    from .plotting import setup_chinese_font
    from .vocab import check_lang, label

    check_lang(lang)
    zh = lang == "zh"
    setup_chinese_font()
    _check_positive_int("top_n", top_n)
    stat = table.attrs.get("stat", "g2")
    centre = 1.0 if stat == "odds_ratio" else 0.0
    top_a = table[table[stat] > centre].head(top_n)
    top_b = table[table[stat] < centre].sort_values([stat, "term"], ascending=[True, True]).head(top_n)
    shown = pd.concat([top_a, top_b.iloc[::-1]])
    fig, ax = plt.subplots(figsize=(7, 0.3 * max(len(shown), 4) + 1.2))
    if shown.empty:
        ax.text(0.5, 0.5, "没有关键词" if zh else "no key terms", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    colors = ["#c0392b" if g > centre else "#2c7fb8" for g in shown[stat]]
    values = np.log(shown[stat].astype(float)) if stat == "odds_ratio" else shown[stat]
    ax.barh(range(len(shown))[::-1], values, color=colors)
    ax.set_yticks(range(len(shown))[::-1], shown["term"])
    ax.axvline(0, color="black", linewidth=0.8)
    a, b = table.attrs.get("group_a", "A"), table.attrs.get("group_b", "B")
    what = label("measure", table.attrs.get("measure_label", "g2"), lang)
    if zh:
        what = f"ln {what}" if stat == "odds_ratio" else f"带符号的 {what}"
        ax.set_xlabel(f"{what}（→ A 组 {a}   |   ← B 组 {b}）")
        ax.set_title(title if title is not None else f"关键词：{a} 对 {b}")
    else:
        what = f"ln {what}" if stat == "odds_ratio" else f"signed {what}"
        ax.set_xlabel(f"{what}  (→ {a}   |   ← {b})")
        ax.set_title(title if title is not None else f"Keyness: {a} vs {b}")
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------ collocations
def sentences(text: str) -> list[str]:
    """Sentences of a clean text (ends: 。！？； and line breaks), stripped, empty ones dropped.

    >>> sentences("一是强化审查。二是规范执法；\\n三是")
    ['一是强化审查。', '二是规范执法；', '三是']
    """
    return split_sentences(text) if isinstance(text, str) else []


def _stopword_set(stopwords) -> frozenset[str]:
    if stopwords is None:
        return frozenset()
    names = (stopwords,) if isinstance(stopwords, str) else tuple(stopwords)
    words: set[str] = set()
    for name in names:
        words |= load_stopwords(name)
    return frozenset(words)


def _clause_tokens(texts: list[str], *, engine: str | None = None) -> list[list[str]]:
    """Every clause of every text cut into words (nothing dropped but punctuation), in order."""
    clauses = [c for t in texts for c in _CLAUSE.findall(t)]
    return tokenize_many(clauses, engine=engine, stopwords=(), min_len=1, keep_numbers=True)


def collocations(
    texts,
    *,
    n: int = 2,
    min_count: int = 3,
    stopwords=("general", "boilerplate"),
    min_len: int = 2,
    engine: str | None = None,
    corpus=None,
    top_n: int | None = None,
) -> pd.DataFrame:
    """Bigrams (n=2) or trigrams (n=3) of adjacent words with counts, PMI and log-likelihood G².

    Words are adjacent in the tokeniser's cut of one clause (punctuation breaks adjacency). An n-gram
    is kept when each of its words would survive `tokenize` (no stopword, number or single character)
    and it occurs at least `min_count` times. G² is that of the 2×2 (bigram) or 2×2×2 (trigram) table
    of positional counts (Dunning 1993, as NLTK's association measures). `texts`: a `group_texts`
    table (pass `corpus` to mask issuer names), or a list of strings.

    Columns: collocation (words joined by a space), n, count, pmi, g2, p_value; sorted by G², count,
    collocation.
    """
    if n not in (2, 3):
        raise invalid("n", n, (2, 3))
    _check_positive_int("min_count", min_count)
    stop = _stopword_set(stopwords)
    runs = _clause_tokens(_masked_texts(texts, corpus), engine=engine)

    def ok(tok: str) -> bool:
        return len(tok) >= min_len and tok not in stop and not is_number(tok)

    unigrams = Counter(t for run in runs for t in run)
    n_words = sum(unigrams.values())
    grams: Counter = Counter()
    for run in runs:
        for i in range(len(run) - n + 1):
            grams[tuple(run[i : i + n])] += 1
    n_grams = sum(grams.values())
    out = pd.DataFrame(columns=COLLOCATION_COLUMNS)
    if not n_grams:
        return out
    # positional margins: how often a word (or a pair) stands at given positions of an n-gram
    pos: list[Counter] = [Counter() for _ in range(n)]
    pairs: dict[tuple[int, int], Counter] = {(0, 1): Counter(), (0, 2): Counter(), (1, 2): Counter()} if n == 3 else {}
    for gram, c in grams.items():
        for i, w in enumerate(gram):
            pos[i][w] += c
        for (i, j), counter in pairs.items():
            counter[(gram[i], gram[j])] += c
    rows = []
    for gram, c in grams.items():
        if c < min_count or not all(ok(w) for w in gram):
            continue
        pmi = math.log2((c / n_grams) / math.prod(unigrams[w] / n_words for w in gram))
        table = _contingency(gram, c, n_grams, pos, pairs)
        g2 = log_likelihood(table)
        rows.append(
            {
                "collocation": " ".join(gram),
                "n": n,
                "count": c,
                "pmi": round(pmi, 4),
                "g2": round(g2, 4),
                "p_value": _chi2_sf(g2, 2**n - n - 1),
            }
        )
    if rows:
        out = pd.DataFrame(rows, columns=COLLOCATION_COLUMNS)
        out = out.sort_values(["g2", "count", "collocation"], ascending=[False, False, True], kind="stable")
        out = out.reset_index(drop=True)
    if top_n is not None:
        out = out.head(top_n)
    return out


def _contingency(gram, c, total, pos, pairs) -> np.ndarray:
    """The 2×2 (or 2×2×2) table of an n-gram: cell [i][j] = n-grams with/without w1 at 1, w2 at 2, …"""
    if len(gram) == 2:
        x, y = gram
        n_x, n_y = pos[0][x], pos[1][y]
        return np.array([[c, n_x - c], [n_y - c, total - n_x - n_y + c]], dtype=float)
    x, y, z = gram
    n_xy, n_xz, n_yz = pairs[(0, 1)][(x, y)], pairs[(0, 2)][(x, z)], pairs[(1, 2)][(y, z)]
    n_x, n_y, n_z = pos[0][x], pos[1][y], pos[2][z]
    t = np.zeros((2, 2, 2))
    t[0, 0, 0] = c
    t[0, 0, 1] = n_xy - c
    t[0, 1, 0] = n_xz - c
    t[1, 0, 0] = n_yz - c
    t[0, 1, 1] = n_x - n_xy - n_xz + c
    t[1, 0, 1] = n_y - n_xy - n_yz + c
    t[1, 1, 0] = n_z - n_xz - n_yz + c
    t[1, 1, 1] = total - t.sum()
    return t


# ------------------------------------------------------------------------- co-occurrence network
def cooccurrence(
    texts,
    *,
    measure: str = "jaccard",
    n_terms: int = 60,
    min_count: int = 3,
    min_cooccur: int = 2,
    n_edges: int = 60,
    corpus=None,
    **token_options,
):
    """A networkx Graph of terms that occur in the same sentences.

    Units are sentences (`sentences`); a term counts once per sentence. Nodes: the `n_terms` terms in
    most sentences (at least `min_count`), attribute `count` (sentences). Edges: pairs in at least
    `min_cooccur` sentences together, attributes `count` and `weight` (the association `measure`:
    jaccard = both/either, dice = 2·both/(a+b), pmi = log2 P(ab)/P(a)P(b), count = both); the
    `n_edges` strongest are kept (ties by count, then by the terms). Graph attributes: measure,
    n_sentences. Deterministic: nodes and edges are added in sorted order.
    """
    import networkx as nx

    if measure not in MEASURES:
        raise invalid("measure", measure, MEASURES)
    for name, value in (
        ("n_terms", n_terms),
        ("min_count", min_count),
        ("min_cooccur", min_cooccur),
        ("n_edges", n_edges),
    ):
        _check_positive_int(name, value)
    sents = [s for t in _masked_texts(texts, corpus) for s in sentences(t)]
    term_sets = [frozenset(toks) for toks in tokenize_many(sents, **token_options)]
    term_sets = [s for s in term_sets if s]
    df = Counter(t for s in term_sets for t in s)
    nodes = sorted((t for t, c in df.items() if c >= min_count), key=lambda t: (-df[t], t))[:n_terms]
    keep = set(nodes)
    pair_counts: Counter = Counter()
    for s in term_sets:
        ws = sorted(s & keep)
        for i in range(len(ws)):
            for j in range(i + 1, len(ws)):
                pair_counts[(ws[i], ws[j])] += 1
    total = len(term_sets)
    edges = []
    for (a, b), c in pair_counts.items():
        if c < min_cooccur:
            continue
        edges.append((a, b, c, round(association(c, df[a], df[b], total, measure), 6)))
    edges.sort(key=lambda e: (-e[3], -e[2], e[0], e[1]))
    edges = edges[:n_edges]
    g = nx.Graph(measure=measure, n_sentences=total)
    linked = sorted({e[0] for e in edges} | {e[1] for e in edges}, key=lambda t: (-df[t], t))
    for t in linked:
        g.add_node(t, count=df[t])
    for a, b, c, w in sorted(edges, key=lambda e: (e[0], e[1])):
        g.add_edge(a, b, count=c, weight=w)
    return g


def association(both: int, a: int, b: int, total: int, measure: str) -> float:
    """Association of two terms from sentence counts.

    >>> association(2, 4, 3, 10, "jaccard"), association(2, 4, 3, 10, "dice")
    (0.4, 0.5714285714285714)
    """
    if measure == "jaccard":
        return both / (a + b - both)
    if measure == "dice":
        return 2 * both / (a + b)
    if measure == "pmi":
        return math.log2(both * total / (a * b))
    if measure == "count":
        return float(both)
    raise invalid("measure", measure, MEASURES)


def edges_table(graph) -> pd.DataFrame:
    """The graph's edges as a table: term_a, term_b, count, weight, sorted strongest first."""
    rows = [
        {"term_a": a, "term_b": b, "count": d["count"], "weight": d["weight"]} for a, b, d in graph.edges(data=True)
    ]
    out = pd.DataFrame(rows, columns=["term_a", "term_b", "count", "weight"])
    return out.sort_values(["weight", "count", "term_a", "term_b"], ascending=[False, False, True, True]).reset_index(
        drop=True
    )


MIN_EDGE_COUNT = 3  # the notebook's edges: pairs in at least this many sentences (two is chance, 完全–尚未)


def plot_network(graph, *, title: str | None = None, seed: int = 7, lang: str = "zh"):
    """Draw a co-occurrence graph: node size ∝ sentences, edge width ∝ weight, colours = communities
    (greedy modularity, named in the legend by their most frequent terms), Chinese labels in the shipped
    font moved apart so that none overlaps another (adjustText). Returns the Figure; its
    `fazhi_labels` are the label Text objects."""
    import matplotlib.pyplot as plt
    import networkx as nx
    from adjustText import adjust_text
    from matplotlib.lines import Line2D

    from .plotting import setup_chinese_font
    from .vocab import LANGS

    if lang not in LANGS:
        raise invalid("lang", lang, LANGS)
    zh = lang == "zh"
    family = setup_chinese_font()
    fig, ax = plt.subplots(figsize=(9, 7.5))
    ax.set_axis_off()
    measure = graph.graph.get("measure", "")
    default = f"同句共现网络（边的权重：{measure}）" if zh else f"Co-occurrence in sentences (edge weight: {measure})"
    ax.set_title(title if title is not None else default)
    fig.fazhi_labels = []
    if graph.number_of_nodes() == 0:
        empty = "没有一对词语足够经常地同句出现" if zh else "no pair of terms occurs together often enough"
        ax.text(0.5, 0.5, empty, ha="center", va="center", transform=ax.transAxes)
        return fig
    pos = nx.spring_layout(graph, seed=seed, weight="weight")
    communities = nx.algorithms.community.greedy_modularity_communities(graph, weight="weight")
    communities = sorted(
        (sorted(c, key=lambda n: (-graph.nodes[n]["count"], n)) for c in communities), key=lambda c: (-len(c), c[0])
    )
    palette = plt.get_cmap("tab10")
    colour = {n: palette(i % 10) for i, com in enumerate(communities) for n in com}
    counts = np.array([graph.nodes[n]["count"] for n in graph.nodes])
    sizes = 200 + 900 * (counts - counts.min()) / max(counts.max() - counts.min(), 1)
    weights = np.array([d["weight"] for _, _, d in graph.edges(data=True)], dtype=float)
    span = max(weights.max() - weights.min(), 1e-9) if len(weights) else 1.0
    widths = 0.5 + 3.5 * (weights - (weights.min() if len(weights) else 0)) / span
    nx.draw_networkx_edges(graph, pos, ax=ax, width=widths, edge_color="#999999", alpha=0.7)
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=sizes, node_color=[colour[n] for n in graph.nodes], alpha=0.85)
    texts = [
        ax.text(x, y, n, fontsize=10, fontfamily=family, ha="center", va="center", zorder=5)
        for n, (x, y) in sorted(pos.items())
    ]
    xs, ys = zip(*pos.values())
    pad_x, pad_y = 0.15 * (max(xs) - min(xs) or 1), 0.12 * (max(ys) - min(ys) or 1)
    ax.set_xlim(min(xs) - pad_x, max(xs) + pad_x)
    ax.set_ylim(min(ys) - pad_y, max(ys) + pad_y)
    if len(texts) > 1:
        adjust_text(
            texts,
            ax=ax,
            expand=(1.15, 1.3),
            ensure_inside_axes=True,
            arrowprops={"arrowstyle": "-", "color": "#777777", "lw": 0.5},
        )
    fig.fazhi_labels = texts
    name = "群" if zh else "group"
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markersize=9,
            color=palette(i % 10),
            label=f"{name} {i + 1}：{'、'.join(com[:3])}" if zh else f"{name} {i + 1}: {', '.join(com[:3])}",
        )
        for i, com in enumerate(communities[:10])
    ]
    handles.append(
        Line2D([], [], color="#999999", lw=3, label="粗线：关联更强" if zh else "thicker line: stronger link")
    )
    handles.append(
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markersize=12,
            color="#bbbbbb",
            label="圆越大：所在句子越多" if zh else "larger circle: in more sentences",
        )
    )
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        frameon=False,
        fontsize=9,
        prop={"family": family, "size": 9},
    )
    fig.tight_layout()
    return fig


def label_overlaps(fig) -> list[tuple[str, str]]:
    """Pairs of network labels (`plot_network`'s `fazhi_labels`) whose drawn boxes overlap."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in getattr(fig, "fazhi_labels", [])]
    return [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1 :] if box_a.overlaps(box_b)]


# ------------------------------------------------------------------------------ dictionaries
@dataclass(frozen=True)
class Dictionary:
    """A researcher's dictionary: category → terms (file order kept)."""

    categories: tuple[tuple[str, tuple[str, ...]], ...]
    source: str = ""

    def __iter__(self):
        return iter(self.categories)

    @property
    def names(self) -> list[str]:
        return [c for c, _ in self.categories]


def load_dictionary(source: str | Path | Mapping) -> Dictionary:
    """Read a dictionary: a YAML mapping category → list of terms (optionally under `categories:`).

    ```yaml
    数字法治: [数字化, 信息化, 大数据, 线上]
    基层治理:
      - 枫桥经验
      - 村规民约
    ```
    Terms are literal strings matched in the simplified text; a category may also be written as
    `{terms: [...], label: ...}`. Bad files give one sentence naming the problem.
    """
    import yaml

    where = "the dictionary"
    if isinstance(source, Mapping):
        data = source
    else:
        path = Path(source)
        where = str(path)
        if not path.is_file():
            raise FazhiError(
                f"The dictionary file {str(path)!r} does not exist; give a YAML file of category: [term, term, …]."
            )
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        except yaml.YAMLError as exc:
            raise FazhiError(f"{where} is not valid YAML ({str(exc).splitlines()[0]}).") from None
    if isinstance(data, Mapping) and isinstance(data.get("categories"), Mapping):
        data = data["categories"]
    if not isinstance(data, Mapping) or not data:
        raise FazhiError(f"{where}: expected a mapping of category: [term, term, …].")
    cats = []
    for name, terms in data.items():
        if isinstance(terms, Mapping):
            terms = terms.get("terms")
        if isinstance(terms, str):
            terms = [terms]
        if not isinstance(terms, list) or not terms:
            raise FazhiError(f"{where}: category {name!r} needs a list of terms.")
        bad = [t for t in terms if not isinstance(t, (str, int)) or not str(t).strip()]
        if bad:
            raise FazhiError(f"{where}: term {bad[0]!r} of category {name!r} is not valid; write each term as text.")
        clean = tuple(dict.fromkeys(to_simplified(str(t).strip()) for t in terms))
        cats.append((str(name), clean))
    return Dictionary(tuple(cats), where)


def _term_pattern(terms: Iterable[str]) -> re.Pattern:
    # longest first: in one category 合法性审查 wins over 审查, and each character counts once
    return re.compile("|".join(re.escape(t) for t in sorted(terms, key=lambda t: (-len(t), t))))


def count_terms(text: str, dictionary: Dictionary) -> dict[str, Counter]:
    """category → Counter of the terms found in `text` (simplified; longest term first, no overlaps).

    >>> dict(count_terms("强化合法性审查,开展审查。", load_dictionary({"审查": ["审查", "合法性审查"]}))["审查"])
    {'合法性审查': 1, '审查': 1}
    """
    simple = to_simplified(text) if isinstance(text, str) else ""
    return {name: Counter(m.group(0) for m in _term_pattern(terms).finditer(simple)) for name, terms in dictionary}


def dictionary_counts(corpus, dictionary, *, by: str = "report") -> pd.DataFrame:
    """Counts of a dictionary's categories per report (whole clean text) or per part.

    Columns: report_id, issuer, report_year, part_order (-1 for a whole report), part (kind or `all`),
    category, count, n_chars (characters of the text counted), per_10k_chars, matched_terms (the terms
    found with their counts, most frequent first: `合法性审查×3; 审查×1`). Every category appears for
    every unit (zeros kept). Sorted by year, issuer, report id, part order, then category file order.
    """
    if by not in DICTIONARY_BY:
        raise invalid("by", by, DICTIONARY_BY)
    dic = dictionary if isinstance(dictionary, Dictionary) else load_dictionary(dictionary)
    reports = corpus.reports[["report_id", "issuer", "report_year"]]
    if by == "report":
        units = corpus.texts[["report_id", "text"]].assign(part_order=-1, part=ALL_TEXT)
    else:
        units = corpus.parts[["report_id", "part_order", "kind", "text"]].rename(columns={"kind": "part"})
    units = reports.merge(units, on="report_id", how="inner")
    order = {name: i for i, name in enumerate(dic.names)}
    rows = []
    for u in units.to_dict("records"):
        text = u["text"] if isinstance(u["text"], str) else ""
        found = count_terms(text, dic)
        for name in dic.names:
            c = found[name]
            total = sum(c.values())
            rows.append(
                {
                    "report_id": u["report_id"],
                    "issuer": u["issuer"],
                    "report_year": u["report_year"],
                    "part_order": int(u["part_order"]),
                    "part": u["part"],
                    "category": name,
                    "count": total,
                    "n_chars": len(text),
                    "per_10k_chars": round(1e4 * total / len(text), 3) if text else np.nan,
                    "matched_terms": "; ".join(
                        f"{t}×{k}" for t, k in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))
                    ),
                }
            )
    out = pd.DataFrame(rows, columns=DICTIONARY_COLUMNS)
    if out.empty:
        return out
    out["_k"] = out["category"].map(order)
    out = out.sort_values(
        ["report_year", "issuer", "report_id", "part_order", "_k"],
        na_position="last",
        kind="stable",
    )
    return out.drop(columns="_k").reset_index(drop=True)


def dictionary_matrix(counts: pd.DataFrame, *, value: str = "per_10k_chars", lang: str | None = None):
    """`dictionary_counts(by="report")` → category × report (`issuer report_year`) of `value`; with
    `lang`, the category column named for a page (类别)."""
    if counts.empty:
        return pd.DataFrame()
    reports = counts.drop_duplicates("report_id")[["report_id", "issuer", "report_year"]]
    labels = report_labels(reports)
    data = counts[counts["part"] == ALL_TEXT] if (counts["part"] == ALL_TEXT).any() else counts
    table = data.assign(label=data["report_id"].map(labels)).pivot_table(
        index="category", columns="label", values=value, aggfunc="sum", sort=False
    )
    table = table[[labels[r] for r in reports["report_id"] if labels[r] in table.columns]]
    if lang is not None:
        from .vocab import label

        table.index.name, table.columns.name = label("column", "category", lang), None
    return table


# ------------------------------------------------------------------------------ terminal tables
def display_width(text: str) -> int:
    """Columns a string takes in a terminal: CJK (wide and full-width) characters take two.

    >>> display_width("合法性审查 ok")
    13
    """
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def _pad(text: str, width: int, *, right: bool = False) -> str:
    fill = " " * max(width - display_width(text), 0)
    return fill + text if right else text + fill


def text_table(table: pd.DataFrame, *, right: Iterable[str] = (), floats: int = 3) -> str:
    """A DataFrame as aligned plain text for the terminal (CJK-aware widths; `right` columns and
    numbers right-aligned; floats with `floats` decimals, p-values in scientific notation)."""
    right = set(right)
    cols = list(table.columns)
    cells = []
    for row in table.itertuples(index=False):
        out = []
        for col, v in zip(cols, row):
            if v is None or (isinstance(v, float) and math.isnan(v)):
                out.append("")
            elif isinstance(v, (float, np.floating)):
                out.append(f"{v:.2e}" if col.startswith("p_") else f"{v:.{floats}f}")
            else:
                out.append(str(v).replace("\n", " "))
        cells.append(out)
    numeric = {c for c in cols if pd.api.types.is_numeric_dtype(table[c])}
    widths = [max([display_width(c)] + [display_width(r[i]) for r in cells]) for i, c in enumerate(cols)]
    lines = ["  ".join(_pad(c, w, right=c in right or c in numeric) for c, w in zip(cols, widths)).rstrip()]
    for r in cells:
        lines.append(
            "  ".join(_pad(v, w, right=c in right or c in numeric) for v, c, w in zip(r, cols, widths)).rstrip()
        )
    return "\n".join(lines)


def write_table(table: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as .csv (UTF-8 with BOM, for Excel) or .xlsx, chosen by the file name."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise invalid("out", path.name, ("FILE.csv", "FILE.xlsx"))
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        table.to_csv(path, index=False, encoding="utf-8-sig")
    else:
        table.to_excel(path, index=False)
    return path
