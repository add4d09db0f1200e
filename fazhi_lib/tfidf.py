"""Vectorising a part kind with TF-IDF: distinctive terms, similarity, near-duplicates, NMF topics.

Two units of analysis: `"part"` (the whole part of one kind per report, its heading line left out)
and `"item"` (each point of the part: the `problem_items` for problems; for other kinds the
sub-sections one level under the part heading). Tokens come from `fazhi_lib.tokens.tokenize`, the
issuer's own name is masked out of its text (it would otherwise be every report's most distinctive
"term"), and scikit-learn does the rest:

>>> docs = documents(corpus, part_kind="problems", unit="part")          # doctest: +SKIP
>>> model = fit_tfidf(docs)                                              # doctest: +SKIP
>>> top_terms(model, top_n=5)                                            # doctest: +SKIP
>>> similarity(model)                                                    # doctest: +SKIP
>>> topics(model, n_topics=3).words                                      # doctest: +SKIP

Every output is sorted deterministically (documents by report year, issuer, report id and item; ties
between equal scores by term), and NMF runs with a fixed seed, so two runs give identical tables.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import FazhiError, invalid
from .labels import report_labels
from .tokens import DEFAULT_STOPWORDS, Tokenizer
from .vocab import check_lang, kind_of, labels

UNITS = ("part", "item")
GROUP_COLUMNS = ("report_year", "level", "province", "region")
MAX_NGRAM = 3
DOC_COLUMNS = ["doc_id", "report_id", "item_order", "label", "issuer", "report_year", "level"]
# suffixes stripped from an issuer's name to find the short form used in the text (湖塘街道 → 湖塘)
_ISSUER_SUFFIX = re.compile(r"(街道办事处|人民政府|办事处|街道|镇|乡|区|县|市|省|自治区|自治州|自治县)$")


# ------------------------------------------------------------------------------------ documents
def issuer_names(report: dict | pd.Series) -> list[str]:
    """The names a report uses for its own issuer and region, longest first (masked before tokenising).

    >>> issuer_names({"issuer": "湖塘街道", "issuer_full": "绍兴市柯桥区湖塘街道办事处", "county": "柯桥区"})
    ['绍兴市柯桥区湖塘街道办事处', '湖塘街道', '柯桥区', '柯桥', '湖塘']
    """
    names = set()
    for col in ("issuer_full", "issuer", "prefecture", "county", "province"):
        value = report.get(col) if hasattr(report, "get") else None
        if isinstance(value, str) and len(value) >= 2:
            names.add(value)
            stem = _ISSUER_SUFFIX.sub("", value)
            if len(stem) >= 2 and col != "issuer_full":
                names.add(stem)
    return sorted(names, key=lambda s: (-len(s), s))


def _mask(text: str, names: list[str]) -> str:
    for name in names:
        text = text.replace(name, " ")
    return text


def _without_heading_line(text: str, heading: str | None) -> str:
    first, _, rest = text.partition("\n")
    if heading and heading in first:
        return rest
    return text


def _check_part_kind(part_kind: str) -> None:
    from .sections import PART_KINDS

    if part_kind not in PART_KINDS:
        raise invalid("part_kind", part_kind, PART_KINDS)


def _section_items(sections: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Sub-sections one level under each part of `kind`, each with its own sub-sections' text."""
    rows = []
    sel = sections[sections["kind"] == kind].sort_values(["report_id", "order"])
    for (rid, _part), group in sel.groupby(["report_id", "part_order"], sort=True):
        current = None
        for sec in group.itertuples(index=False):
            if sec.depth <= 1:
                continue
            if sec.depth == 2 or current is None:
                current = {"report_id": rid, "heading": sec.heading, "text": sec.text}
                rows.append(current)
            else:
                current["text"] += sec.text
    out = pd.DataFrame(rows, columns=["report_id", "heading", "text"])
    out["item_order"] = out.groupby("report_id").cumcount() + 1
    return out


def documents(corpus, *, part_kind: str = "problems", unit: str = "part", mask_issuer: bool = True) -> pd.DataFrame:
    """One row per document to compare: the part of `part_kind` per report, or each of its items.

    Columns: doc_id, report_id, item_order (<NA> for parts), label, issuer, report_year, level, any
    region columns the reports table has (province, prefecture, county, region), heading, text (as in
    the report), analysis_text (what is tokenised: `mask_issuer` blanks the issuer's own names, 塘栖镇
    and 塘栖, out of it).
    """
    _check_part_kind(part_kind)
    if unit not in UNITS:
        raise invalid("unit", unit, UNITS)
    reports = corpus.reports
    extra = [c for c in ("province", "prefecture", "county", "region") if c in reports.columns]
    columns = DOC_COLUMNS + extra + ["heading", "text", "analysis_text"]
    if reports.empty:
        return pd.DataFrame(columns=columns)
    if unit == "part":
        parts = corpus.parts
        parts = parts[parts["kind"] == part_kind].sort_values(["report_id", "part_order"]) if not parts.empty else parts
        rows = (
            [
                {
                    "report_id": rid,
                    "item_order": pd.NA,
                    "heading": "；".join(g["heading"].fillna("")),
                    "text": "\n".join(_without_heading_line(t, h) for t, h in zip(g["text"], g["heading"])),
                }
                for rid, g in parts.groupby("report_id", sort=True)
            ]
            if not parts.empty
            else []
        )
        units = pd.DataFrame(rows, columns=["report_id", "item_order", "heading", "text"])
    elif part_kind == "problems":
        items = corpus.problem_items
        units = (
            items[["report_id", "item_order", "heading", "text"]].copy()
            if not items.empty
            else pd.DataFrame(columns=["report_id", "item_order", "heading", "text"])
        )
    else:
        sections = corpus.sections
        units = (
            _section_items(sections, part_kind)
            if not sections.empty
            else pd.DataFrame(columns=["report_id", "item_order", "heading", "text"])
        )
    meta_cols = ["report_id", "issuer", "report_year", "level", *extra]
    meta = reports[[c for c in meta_cols if c in reports.columns]]
    out = units.merge(meta, on="report_id", how="inner")
    labels = report_labels(reports)
    out["item_order"] = out["item_order"].astype("Int64")
    out["label"] = [
        labels[r] if pd.isna(o) else f"{labels[r]} · {int(o)}" for r, o in zip(out["report_id"], out["item_order"])
    ]
    out["doc_id"] = [r if pd.isna(o) else f"{r}#{int(o)}" for r, o in zip(out["report_id"], out["item_order"])]
    out["analysis_text"] = out["text"]
    if mask_issuer and not out.empty:
        names = {r["report_id"]: issuer_names(r) for r in reports.to_dict("records")}
        out["analysis_text"] = [_mask(t, names.get(r, [])) for t, r in zip(out["text"], out["report_id"])]
    out = out.sort_values(["report_year", "issuer", "report_id", "item_order"], na_position="last", kind="stable")
    return out[columns].reset_index(drop=True)


def _analysed(docs: pd.DataFrame) -> str:
    """The column to tokenise: `analysis_text` (issuer names masked) when present, else `text`."""
    return "analysis_text" if "analysis_text" in docs.columns else "text"


def _check_group(docs: pd.DataFrame, by: str) -> None:
    available = [c for c in GROUP_COLUMNS if c in docs.columns]
    if by == "report":
        return
    if by not in available:
        msg = f"`group_by` = {by!r} is not valid; choose one of: {', '.join(['report', *available])}."
        if by in GROUP_COLUMNS:
            msg += f" (This corpus has no `{by}` column; rebuild it once the stage that adds `{by}` is installed.)"
        raise FazhiError(msg)


def group_documents(docs: pd.DataFrame, by: str) -> pd.DataFrame:
    """Documents joined per group (`report`, or a column such as report_year, level, province, region).

    Columns: doc_id and label (the group's value; missing values become '(unknown)'), n_docs,
    n_reports, text. Groups are sorted by their value.
    """
    _check_group(docs, by)
    if by == "report":
        keys = docs["label"].str.replace(r" · \d+$", "", regex=True)
    else:
        keys = docs[by].map(
            lambda v: (
                "(unknown)"
                if v is None or pd.isna(v)
                else str(int(v))
                if isinstance(v, (int, np.integer, float)) and float(v).is_integer()
                else str(v)
            )
        )
    grouped = docs.assign(_key=keys.values).groupby("_key", sort=True)
    out = pd.DataFrame(
        {
            "doc_id": list(grouped.groups),
            "label": list(grouped.groups),
            "n_docs": grouped.size().values,
            "n_reports": grouped["report_id"].nunique().values,
            "text": grouped["text"].agg("\n".join).values,
            "analysis_text": grouped[_analysed(docs)].agg("\n".join).values,
        }
    )
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------- parameters
@dataclass(frozen=True)
class TfidfParams:
    """Vectoriser settings. Defaults suit a few to a few thousand reports."""

    ngram_range: tuple[int, int] = (1, 1)
    min_df: int | float = 1
    max_df: int | float = 1.0
    sublinear_tf: bool = True
    stopwords: tuple[str, ...] = DEFAULT_STOPWORDS
    extra_stopwords: tuple[str, ...] = ()


def _check_df(name: str, value) -> None:
    ok = (isinstance(value, int) and not isinstance(value, bool) and value >= 1) or (
        isinstance(value, float) and 0 < value <= 1
    )
    if not ok:
        raise FazhiError(
            f"`{name}` = {value!r} is not valid; choose a whole number of documents (1 or more) "
            "or a share between 0 and 1 such as 0.8."
        )


def check_params(params: TfidfParams, n_docs: int) -> None:
    """Clear errors for settings that cannot work on `n_docs` documents."""
    ng = params.ngram_range
    if (
        not isinstance(ng, (tuple, list))
        or len(ng) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in ng)
        or not 1 <= ng[0] <= ng[1] <= MAX_NGRAM
    ):
        raise FazhiError(
            f"`ngram_range` = {ng!r} is not valid; choose (low, high) with 1 ≤ low ≤ high ≤ "
            f"{MAX_NGRAM}, e.g. (1, 1) for words or (1, 2) for words and word pairs."
        )
    _check_df("min_df", params.min_df)
    _check_df("max_df", params.max_df)
    lo = params.min_df if isinstance(params.min_df, int) else math.ceil(params.min_df * n_docs)
    hi = params.max_df if isinstance(params.max_df, int) else math.floor(params.max_df * n_docs)
    if isinstance(params.min_df, int) and params.min_df > n_docs:
        raise FazhiError(
            f"`min_df` = {params.min_df!r} is not valid; choose at most {n_docs} (there are {n_docs} documents)."
        )
    if hi < lo:
        raise FazhiError(
            f"`max_df` = {params.max_df!r} keeps terms found in at most {hi} of {n_docs} documents, "
            f"but `min_df` = {params.min_df!r} asks for at least {lo}; loosen one of them."
        )


def _check_top_n(top_n) -> None:
    if isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1:
        raise FazhiError(f"`top_n` = {top_n!r} is not valid; choose a whole number of 1 or more.")


# ------------------------------------------------------------------------------------- fitting
@dataclass
class TfidfModel:
    """A fitted TF-IDF: `docs` (rows with at least one term, in matrix order), `matrix` (sparse, rows
    L2-normalised), `terms` (sorted vocabulary), `dropped` (documents left with no term)."""

    docs: pd.DataFrame
    matrix: object
    terms: np.ndarray
    vectorizer: object
    params: TfidfParams
    dropped: pd.DataFrame = field(default_factory=pd.DataFrame)


def fit_tfidf(
    docs: pd.DataFrame,
    *,
    ngram_range: tuple[int, int] = (1, 1),
    min_df: float = 1,
    max_df: float = 1.0,
    sublinear_tf: bool = True,
    stopwords: tuple[str, ...] | None = DEFAULT_STOPWORDS,
    extra_stopwords=(),
    engine: str | None = None,
) -> TfidfModel:
    """TF-IDF of `docs["text"]` with fazhi's tokeniser (scikit-learn `TfidfVectorizer`, configured)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if "text" not in docs.columns:
        raise FazhiError("`docs` has no `text` column; make it with fazhi_lib.tfidf.documents(corpus).")
    column = _analysed(docs)
    params = TfidfParams(
        tuple(ngram_range) if isinstance(ngram_range, list) else ngram_range,
        min_df,
        max_df,
        bool(sublinear_tf),
        tuple(stopwords or ()),
        tuple(extra_stopwords),
    )
    n = len(docs)
    if n == 0:
        raise FazhiError("No documents to vectorise: the selection has no text of this part kind.")
    check_params(params, n)
    tokenizer = Tokenizer(engine=engine, stopwords=params.stopwords, extra_stopwords=params.extra_stopwords)
    vectorizer = TfidfVectorizer(
        tokenizer=tokenizer,
        token_pattern=None,
        lowercase=False,
        ngram_range=params.ngram_range,
        min_df=params.min_df,
        max_df=params.max_df,
        sublinear_tf=params.sublinear_tf,
        norm="l2",
        dtype=np.float64,
    )
    try:
        matrix = vectorizer.fit_transform(docs[column].fillna("").tolist())
    except ValueError as exc:
        if "empty vocabulary" in str(exc) or "After pruning" in str(exc):
            raise FazhiError(
                f"No term is left to compare ({n} documents): they contain only stopwords, numbers and "
                "punctuation, or `min_df`/`max_df` removed every term; loosen them."
            ) from None
        raise
    keep = np.asarray(matrix.getnnz(axis=1) > 0)
    dropped = docs.loc[~keep].reset_index(drop=True)
    return TfidfModel(
        docs.loc[keep].reset_index(drop=True),
        matrix[keep],
        vectorizer.get_feature_names_out(),
        vectorizer,
        params,
        dropped,
    )


def top_terms(model: TfidfModel, *, top_n: int = 10) -> pd.DataFrame:
    """The `top_n` highest-weighted terms of each document: doc_id, label, rank, term, score.

    Ties in score are broken by term so the table is the same on every run.
    """
    _check_top_n(top_n)
    rows = []
    matrix = model.matrix.tocsr()
    for i, (doc_id, label) in enumerate(zip(model.docs["doc_id"], model.docs["label"])):
        row = matrix.getrow(i)
        pairs = sorted(zip(row.data, model.terms[row.indices]), key=lambda p: (-p[0], p[1]))[:top_n]
        rows += [
            {"doc_id": doc_id, "label": label, "rank": r, "term": t, "score": round(float(s), 6)}
            for r, (s, t) in enumerate(pairs, 1)
        ]
    return pd.DataFrame(rows, columns=["doc_id", "label", "rank", "term", "score"])


def top_terms_by(docs: pd.DataFrame, by: str, *, top_n: int = 10, **tfidf_options) -> pd.DataFrame:
    """Top terms of each group: the group's documents are joined, and TF-IDF is fitted across the
    groups, so a term scores high when it is frequent in the group and rare in the others.

    With a single group the inverse document frequency is flat and the scores just rank frequency.
    Columns: group, rank, term, score, n_docs, n_reports.
    """
    grouped = group_documents(docs, by)
    if grouped.empty:
        return pd.DataFrame(columns=["group", "rank", "term", "score", "n_docs", "n_reports"])
    model = fit_tfidf(grouped, **tfidf_options)
    out = top_terms(model, top_n=top_n).rename(columns={"label": "group"}).drop(columns="doc_id")
    sizes = grouped.set_index("label")[["n_docs", "n_reports"]]
    return out.join(sizes, on="group")


def top_terms_wide(table: pd.DataFrame, *, key: str = "label", group_by: str | None = None, lang: str | None = None):
    """Long top-terms table → one column per document/group, ranks as rows (for display). With `lang`,
    groups of a coded column (`group_by` = level, region …) head their column by their label (`vocab`)."""
    if table.empty:
        return pd.DataFrame()
    order = list(dict.fromkeys(table[key]))
    wide = table.pivot(index="rank", columns=key, values="term")[order]
    if lang is not None and group_by is not None:
        wide.columns = labels(wide.columns, kind_of(group_by), lang)
    return wide


# ----------------------------------------------------------------------------------- similarity
def similarity(model: TfidfModel) -> pd.DataFrame:
    """Cosine similarity between documents (labels as index and columns): symmetric, 1 on the diagonal."""
    m = model.matrix
    sim = np.asarray((m @ m.T).todense(), dtype=float)
    sim = np.clip((sim + sim.T) / 2, 0.0, 1.0)
    np.fill_diagonal(sim, 1.0)
    labels = model.docs["label"].tolist()
    return pd.DataFrame(sim, index=pd.Index(labels, name="document"), columns=labels)


def cluster_order(sim: pd.DataFrame) -> list[str]:
    """Labels in the leaf order of an average-linkage clustering on 1 − similarity (deterministic)."""
    labels = list(sim.index)
    if len(labels) < 3:
        return labels
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    dist = squareform(np.clip(1.0 - sim.to_numpy(), 0.0, None), checks=False)
    return [labels[i] for i in leaves_list(linkage(dist, method="average", optimal_ordering=True))]


def off_diagonal(sim: pd.DataFrame) -> pd.Series:
    """Similarities of distinct pairs (upper triangle), indexed by (a, b)."""
    labels = list(sim.index)
    values = sim.to_numpy()
    pairs = [(labels[i], labels[j]) for i in range(len(labels)) for j in range(i + 1, len(labels))]
    data = [float(values[i, j]) for i in range(len(labels)) for j in range(i + 1, len(labels))]
    return pd.Series(
        data,
        index=pd.MultiIndex.from_tuples(pairs, names=["a", "b"]) if pairs else None,
        dtype=float,
    )


def most_similar_pairs(sim: pd.DataFrame, *, top_n: int = 5) -> pd.DataFrame:
    """The `top_n` most similar pairs of distinct documents: a, b, similarity (ties by label)."""
    labels = list(sim.index)
    values = sim.to_numpy()
    rows = [
        {"a": labels[i], "b": labels[j], "similarity": float(values[i, j])}
        for i in range(len(labels))
        for j in range(i + 1, len(labels))
    ]
    out = pd.DataFrame(rows, columns=["a", "b", "similarity"])
    return out.sort_values(["similarity", "a", "b"], ascending=[False, True, True]).head(top_n).reset_index(drop=True)


def near_duplicates(
    docs: pd.DataFrame,
    *,
    threshold: float = 0.3,
    top_n: int | None = 20,
    ngram_range: tuple[int, int] = (1, 2),
    stopwords: tuple[str, ...] = ("general",),
    across_reports: bool = True,
    block: int = 512,
) -> pd.DataFrame:
    """Pairs of documents (usually problem items) worded alike: templated or copied text.

    Word uni- and bigrams with only the general stopwords removed (boilerplate is what a template
    copies, so it stays), cosine ≥ `threshold`, pairs from different reports unless
    `across_reports=False`; the `top_n` most similar (all with `top_n=None`). Columns: label_a,
    label_b, similarity, shared (terms both use, heaviest first), heading_a, heading_b, text_a,
    text_b, doc_id_a, doc_id_b. Sorted by similarity, then labels. Similarities are computed
    `block` rows at a time, so memory stays small on a large corpus.
    """
    if not 0 <= threshold <= 1:
        raise FazhiError(f"`threshold` = {threshold!r} is not valid; choose a cosine similarity between 0 and 1.")
    if top_n is not None:
        _check_top_n(top_n)
    columns = ["label_a", "label_b", "similarity", "shared", "heading_a", "heading_b",
               "text_a", "text_b", "doc_id_a", "doc_id_b"]  # fmt: skip
    if len(docs) < 2:
        return pd.DataFrame(columns=columns)
    model = fit_tfidf(docs, ngram_range=ngram_range, stopwords=stopwords)
    m = model.matrix.tocsr()
    d = model.docs
    report = pd.factorize(d["report_id"])[0]
    found_i, found_j, found_s = [], [], []
    for i0 in range(0, m.shape[0], block):
        sim = (m[i0 : i0 + block] @ m.T).toarray()
        rows = np.arange(i0, i0 + sim.shape[0])[:, None]
        keep = (np.arange(m.shape[0])[None, :] > rows) & (sim >= threshold)
        if across_reports:
            keep &= report[None, :] != report[rows]
        i, j = np.nonzero(keep)
        found_i.append(i + i0)
        found_j.append(j)
        found_s.append(sim[i, j])
        if top_n is not None and sum(len(x) for x in found_s) > 4 * top_n:
            found_i, found_j, found_s = _keep_best(found_i, found_j, found_s, top_n)
    i, j, sims = (np.concatenate(x) if x else np.array([]) for x in (found_i, found_j, found_s))
    pairs = pd.DataFrame({"i": i.astype(int), "j": j.astype(int), "similarity": sims.round(6)})
    pairs["label_a"] = d["label"].to_numpy()[pairs["i"]]
    pairs["label_b"] = d["label"].to_numpy()[pairs["j"]]
    pairs = pairs.sort_values(["similarity", "label_a", "label_b"], ascending=[False, True, True])
    if top_n is not None:
        pairs = pairs.head(top_n)
    out = []
    for p in pairs.itertuples(index=False):
        both = m.getrow(p.i).multiply(m.getrow(p.j))
        order = sorted(zip(both.data, model.terms[both.indices]), key=lambda x: (-x[0], x[1]))
        out.append({
            "label_a": p.label_a, "label_b": p.label_b, "similarity": p.similarity,
            "shared": "、".join(t for _, t in order[:8]),
            "heading_a": d.at[p.i, "heading"], "heading_b": d.at[p.j, "heading"],
            "text_a": d.at[p.i, "text"], "text_b": d.at[p.j, "text"],
            "doc_id_a": d.at[p.i, "doc_id"], "doc_id_b": d.at[p.j, "doc_id"],
        })  # fmt: skip
    return pd.DataFrame(out, columns=columns).reset_index(drop=True)


def _keep_best(found_i, found_j, found_s, top_n):
    """Shrink the candidate pairs to the best `top_n` (ties at the cut all kept: deterministic)."""
    i, j, s = (np.concatenate(x) for x in (found_i, found_j, found_s))
    cut = np.sort(s)[::-1][top_n - 1]
    keep = s >= cut
    return [i[keep]], [j[keep]], [s[keep]]


def cross_report_pairs(docs: pd.DataFrame) -> int:
    """How many pairs of documents come from different reports (the pairs `near_duplicates` compares)."""
    sizes = docs.groupby("report_id").size()
    n = int(sizes.sum())
    return n * (n - 1) // 2 - int((sizes * (sizes - 1) // 2).sum())


# --------------------------------------------------------------------------------------- topics
@dataclass
class Topics:
    """NMF topics: `words` (topic, name, rank, term, weight), `shares` (documents × topics, rows sum
    to 1), `names` (T1 term/term/term …), the fitted `nmf` and the `model` it was fitted on."""

    words: pd.DataFrame
    shares: pd.DataFrame
    names: list[str]
    nmf: object
    model: TfidfModel


def topics(model: TfidfModel, *, n_topics: int = 3, top_n: int = 10, random_state: int = 0) -> Topics:
    """NMF topics of a fitted TF-IDF (nndsvda initialisation, fixed `random_state`: reproducible)."""
    from sklearn.decomposition import NMF

    n_docs, n_terms = model.matrix.shape
    limit = min(n_docs, n_terms)
    if isinstance(n_topics, bool) or not isinstance(n_topics, int) or not 1 <= n_topics <= limit:
        raise FazhiError(
            f"`n_topics` = {n_topics!r} is not valid; choose a whole number from 1 to {limit} "
            f"(there are {n_docs} documents and {n_terms} terms)."
        )
    _check_top_n(top_n)
    nmf = NMF(n_components=n_topics, init="nndsvda", random_state=random_state, max_iter=1000, tol=1e-5)
    w = nmf.fit_transform(model.matrix)
    h = nmf.components_
    rows, names = [], []
    for k in range(n_topics):
        order = sorted(range(n_terms), key=lambda j: (-h[k, j], model.terms[j]))[:top_n]
        words = [model.terms[j] for j in order if h[k, j] > 0]
        name = f"T{k + 1} " + "/".join(words[:3])
        names.append(name)
        rows += [
            {
                "topic": k + 1,
                "name": name,
                "rank": r,
                "term": model.terms[j],
                "weight": round(float(h[k, j]), 6),
            }
            for r, j in enumerate(order, 1)
            if h[k, j] > 0
        ]
    totals = w.sum(axis=1, keepdims=True)
    shares = np.divide(w, totals, out=np.zeros_like(w), where=totals > 0)
    share_df = pd.DataFrame(
        shares.round(6),
        index=pd.Index(model.docs["label"].tolist(), name="document"),
        columns=names,
    )
    return Topics(
        pd.DataFrame(rows, columns=["topic", "name", "rank", "term", "weight"]),
        share_df,
        names,
        nmf,
        model,
    )


def topic_shares_by(result: Topics, by: str) -> pd.DataFrame:
    """Mean topic share of the documents in each group (`report`, report_year, level, …)."""
    docs = result.model.docs
    _check_group(docs, by)
    if by == "report":
        keys = docs["label"].str.replace(r" · \d+$", "", regex=True)
    else:
        keys = docs[by].map(lambda v: "(unknown)" if v is None or pd.isna(v) else str(v))
    shares = result.shares.reset_index(drop=True).assign(**{by: keys.values})
    return shares.groupby(by, sort=True).mean()


def dominant_topics(result: Topics) -> pd.DataFrame:
    """Each document's largest topic and its share."""
    s = result.shares
    if s.empty:
        return pd.DataFrame(columns=["document", "topic", "share"])
    return pd.DataFrame(
        {"document": s.index, "topic": s.idxmax(axis=1).values, "share": s.max(axis=1).values}
    ).reset_index(drop=True)


# ------------------------------------------------------------------------ comparing two parts
def compare_vocabulary(
    corpus,
    *,
    kinds: tuple[str, str] = ("problems", "achievements"),
    top_n: int = 15,
    min_count: int = 2,
    stopwords: tuple[str, ...] = DEFAULT_STOPWORDS,
) -> pd.DataFrame:
    """Words that lean towards one part kind or the other (smoothed log2 ratio of relative frequencies).

    Counts are pooled over the reports that have both kinds. Columns: term, leans (the kind it is more
    typical of), count_<a>, count_<b>, reports_<a>, reports_<b> (in how many reports it appears there),
    log2_ratio (> 0: typical of the first kind). `top_n` terms for each side, strongest first.
    """
    a, b = kinds
    _check_part_kind(a)
    _check_part_kind(b)
    _check_top_n(top_n)
    docs_a = documents(corpus, part_kind=a, unit="part")
    docs_b = documents(corpus, part_kind=b, unit="part")
    both = sorted(set(docs_a["report_id"]) & set(docs_b["report_id"]))
    cols = [
        "term",
        "leans",
        f"count_{a}",
        f"count_{b}",
        f"reports_{a}",
        f"reports_{b}",
        "log2_ratio",
    ]
    if not both:
        return pd.DataFrame(columns=cols)
    tok = Tokenizer(stopwords=stopwords)
    counts = {}
    for kind, docs in ((a, docs_a), (b, docs_b)):
        sel = docs[docs["report_id"].isin(both)]
        per_doc = [tok(t) for t in sel["analysis_text"]]
        c = pd.Series([w for ws in per_doc for w in ws], dtype=object).value_counts()
        r = pd.Series([w for ws in per_doc for w in set(ws)], dtype=object).value_counts()
        counts[kind] = (c, r)
    vocab = sorted(set(counts[a][0].index) | set(counts[b][0].index))
    ca = counts[a][0].reindex(vocab, fill_value=0).astype(int)
    cb = counts[b][0].reindex(vocab, fill_value=0).astype(int)
    alpha, v = 0.5, len(vocab)
    ratio = np.log2((ca + alpha) / (ca.sum() + alpha * v)) - np.log2((cb + alpha) / (cb.sum() + alpha * v))
    table = pd.DataFrame(
        {
            "term": vocab,
            f"count_{a}": ca.values,
            f"count_{b}": cb.values,
            f"reports_{a}": counts[a][1].reindex(vocab, fill_value=0).astype(int).values,
            f"reports_{b}": counts[b][1].reindex(vocab, fill_value=0).astype(int).values,
            "log2_ratio": ratio.round(6).values,
        }
    )
    table = table[(table[f"count_{a}"] + table[f"count_{b}"]) >= min_count]
    table["leans"] = np.where(table["log2_ratio"] > 0, a, b)
    top_a = table[table["log2_ratio"] > 0].sort_values(["log2_ratio", "term"], ascending=[False, True]).head(top_n)
    top_b = table[table["log2_ratio"] < 0].sort_values(["log2_ratio", "term"], ascending=[True, True]).head(top_n)
    return pd.concat([top_a, top_b])[cols].reset_index(drop=True)


# ------------------------------------------------------------------------------ enough to compare?
def not_enough(
    docs: pd.DataFrame, *, minimum_reports: int = 2, what: str = "problems part", lang: str = "zh"
) -> str | None:
    """None when `docs` can be compared; otherwise one sentence saying why not (for the notebook).
    `what` is a part code (`problems`) or, in English, a phrase ('problems part')."""
    from .vocab import LANGS, label

    if lang not in LANGS:
        raise invalid("lang", lang, LANGS)
    n_reports = docs["report_id"].nunique() if not docs.empty else 0
    if n_reports >= minimum_reports and len(docs) >= 2:
        return None
    names = "、".join(dict.fromkeys(docs["label"].str.replace(r" · \d+$", "", regex=True))) if n_reports else ""
    if lang == "zh":
        part = label("part", what.removesuffix(" part"))
        return (
            f"所选范围内只有 {n_reports} 份报告有“{part}”部分"
            + (f"（{names}）" if names else "")
            + f"；比较至少需要 {minimum_reports} 份。请放宽筛选条件（years、levels）或向语料加入报告。"
        )
    have = f"{n_reports} report{'s' if n_reports != 1 else ''}" + (f" ({names})" if names else "")
    return (
        f"Only {have} with a {what} in this selection; comparing needs at least {minimum_reports}. "
        "Widen the filters (years, levels) or add reports to the corpus."
    )


# NMF topics are fitted only on at least this many documents per topic: with fewer, a "topic" is little
# more than one document's words and the shares describe the documents, not themes running through them.
DOCS_PER_TOPIC = 5


def topics_refusal(n_docs: int, n_topics: int, lang: str = "zh") -> str | None:
    """None when `n_docs` documents can carry `n_topics` NMF topics (at least `DOCS_PER_TOPIC` per
    topic); otherwise one sentence saying why no topics are fitted and what would allow them.

    >>> topics_refusal(15, 3) is None
    True
    >>> print(topics_refusal(5, 3, "en"))
    No topics: 5 documents are too few for 3 topics (fazhi fits NMF only with at least 5 documents per topic, here 15). Use `unit = "item"` (each point of the part is a document), fewer `n_topics`, or a larger corpus.
    """
    from .vocab import LANGS

    if lang not in LANGS:
        raise invalid("lang", lang, LANGS)
    need = DOCS_PER_TOPIC * max(1, int(n_topics))
    if n_docs >= need:
        return None
    if lang == "zh":
        return (
            f"不做主题分析：{n_docs} 个文档不足以支持 {n_topics} 个主题（fazhi 只在每个主题至少有 "
            f'{DOCS_PER_TOPIC} 个文档时才拟合 NMF，这里需要 {need} 个）。可改用 `unit = "item"`（问题部分的每一条为一个文档）、'
            "减少 `n_topics`，或扩大语料。"
        )
    return (
        f"No topics: {n_docs} documents are too few for {n_topics} topics (fazhi fits NMF only with at least "
        f'{DOCS_PER_TOPIC} documents per topic, here {need}). Use `unit = "item"` (each point of the part is a '
        "document), fewer `n_topics`, or a larger corpus."
    )


# ------------------------------------------------------------------------------------- figures
def plot_similarity(sim: pd.DataFrame, *, cluster: bool = True, title: str | None = None, lang: str = "zh"):
    """Heatmap of a similarity matrix; with `cluster`, rows and columns in clustering order with
    dendrograms (seaborn clustermap); the colour bar named in `lang`. Returns the matplotlib Figure."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from .plotting import setup_chinese_font

    check_lang(lang)
    setup_chinese_font()
    bar = {"label": "余弦相似度" if lang == "zh" else "cosine similarity"}
    n = len(sim)
    annot = n <= 12
    size = max(4.0, min(14.0, 0.5 * n + 3))
    if cluster and n >= 3:
        from scipy.cluster.hierarchy import linkage
        from scipy.spatial.distance import squareform

        z = linkage(
            squareform(np.clip(1 - sim.to_numpy(), 0, None), checks=False),
            method="average",
            optimal_ordering=True,
        )
        grid = sns.clustermap(
            sim,
            row_linkage=z,
            col_linkage=z,
            vmin=0,
            vmax=1,
            cmap="viridis",
            annot=annot,
            fmt=".2f",
            figsize=(size, size),
            cbar_kws=bar,
        )
        if title:
            grid.figure.suptitle(title, y=1.02)
        return grid.figure
    fig, ax = plt.subplots(figsize=(size, size * 0.85))
    sns.heatmap(
        sim,
        vmin=0,
        vmax=1,
        cmap="viridis",
        annot=annot,
        fmt=".2f",
        ax=ax,
        cbar_kws=bar,
    )
    ax.set_title(title or "")
    fig.tight_layout()
    return fig


def plot_topic_shares(shares: pd.DataFrame, *, title: str = "", lang: str = "zh"):
    """Stacked horizontal bars: each row's topic shares (axis named in `lang`)."""
    import matplotlib.pyplot as plt

    from .plotting import setup_chinese_font

    check_lang(lang)
    setup_chinese_font()
    fig, ax = plt.subplots(figsize=(9, max(2.5, 0.35 * len(shares) + 1.5)))
    shares.iloc[::-1].plot.barh(stacked=True, ax=ax, width=0.8, colormap="tab10")
    ax.set_xlim(0, 1)
    ax.set_xlabel("主题占比" if lang == "zh" else "topic share")
    ax.set_ylabel("")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
    fig.tight_layout()
    return fig


def plot_vocabulary(comparison: pd.DataFrame, *, title: str = "", lang: str = "zh"):
    """Diverging bars of `compare_vocabulary`: terms typical of the first kind to the right (axis in `lang`)."""
    import matplotlib.pyplot as plt

    from .plotting import setup_chinese_font

    check_lang(lang)
    setup_chinese_font()
    data = comparison.sort_values("log2_ratio")
    fig, ax = plt.subplots(figsize=(7, max(3.0, 0.28 * len(data) + 1)))
    colors = np.where(data["log2_ratio"] > 0, "#c0392b", "#2471a3")
    ax.barh(data["term"], data["log2_ratio"], color=colors)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("相对频率之比的 log2 值" if lang == "zh" else "log2 ratio of relative frequencies")
    ax.set_title(title)
    fig.tight_layout()
    return fig
