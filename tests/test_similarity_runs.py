"""The similarity measures' pieces that work a slice at a time (issue 22: scale) give the numbers of the
plain computation, bit for bit: n-grams numbered and counted in runs of whole texts, exact cosines of
pairs of rows, and the problems parts of a build read through the cache's per-part rows."""

import shutil
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fazhi_lib import scorecard as sc
from fazhi_lib.parts import read_layout
from fazhi_lib.pipeline import stream
from fazhi_lib.pipeline.cache import PART_ROWS_DIR, BuildCache
from fazhi_lib.pipeline.stream import build_into, cleanup_staging

ROOT = Path(__file__).resolve().parents[1]
TEXTS = st.lists(st.text(alphabet="法治政府建设#审查执法AB", min_size=0, max_size=30), min_size=1, max_size=12)


def plain_counts(texts):
    """(indptr, columns, counts, n_cols) by Python dicts: columns numbered by first appearance, reading
    text after text, in each its 2-grams then its 3-grams; each row in column order."""
    column: dict[str, int] = {}
    rows = []
    for text in texts:
        grams = [text[i : i + n] for n in range(2, 4) for i in range(len(text) - n + 1)]
        for g in grams:
            column.setdefault(g, len(column))
        rows.append(sorted(Counter(column[g] for g in grams).items()))
    indptr = np.cumsum([0, *map(len, rows)])
    columns = np.array([c for r in rows for c, _ in r], dtype=np.int64)
    counts = np.array([k for r in rows for _, k in r], dtype=np.int64)
    return indptr, columns, counts, len(column)


@settings(max_examples=60, deadline=None)
@given(TEXTS, st.sampled_from([1, 3, 7, 40, 1 << 18]))
def test_ngram_counts_in_runs_are_the_plain_counts(texts, run):
    saved, sc._SORT_RUN = sc._SORT_RUN, run  # runs of one text, a few, or all of them
    try:
        got = sc._char_ngram_counts([*texts, "法治"])
    finally:
        sc._SORT_RUN = saved
    want = plain_counts([*texts, "法治"])
    assert got[3] == want[3]
    for g, w in zip(got[:3], want[:3]):
        assert np.array_equal(g, w)


def test_ngram_counts_with_empty_texts_opening_a_run():
    texts = ["", "法", "", "法治政府", "", "审查执法", "法治"]
    saved, sc._SORT_RUN = sc._SORT_RUN, 2  # the first run holds only texts without n-grams
    try:
        got = sc._char_ngram_counts(texts)
    finally:
        sc._SORT_RUN = saved
    want = plain_counts(texts)
    assert got[3] == want[3] and all(np.array_equal(g, w) for g, w in zip(got[:3], want[:3]))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.text(alphabet="法治政府建设#审查执法AB行政", min_size=1, max_size=40), min_size=2, max_size=30),
    st.data(),
)
def test_exact_cosines_are_the_sparse_products(docs, data):
    X = sc._char_tfidf([*docs, "法治政府"]).matrix  # (one text with n-grams at least)
    n = X.shape[0]
    full = (X @ X.T).toarray()
    wanted = defaultdict(set)
    for u, v in data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60)):
        wanted[u].add(v)
    saved, sc._PAIR_ENTRIES = sc._PAIR_ENTRIES, data.draw(st.sampled_from([1, 50, 1 << 20]))
    try:
        exact = sc._exact_cosines(X, wanted)
    finally:
        sc._PAIR_ENTRIES = saved
    for u, vs in wanted.items():
        for v in vs:
            assert exact[u, v] == full[u, v]  # bit for bit, either way round


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A build of the embedded pages and their synthetic copies into parts of 3 files, with its cache."""
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from synthetic import write_corpus

    folder = tmp_path_factory.mktemp("simil")
    raw = write_corpus(12, folder=folder, raw_dir=ROOT / "data" / "raw")
    out = folder / "out"
    cache = BuildCache(folder / "cache")
    try:
        corpus = build_into(raw, out, cache=cache, chunk=3)
        corpus.save(out, inputs=[raw])
    finally:
        cleanup_staging(out)
    return out, folder / "cache"


def _plain_read(store):
    return store.read("parts", columns=stream._PROBLEM_COLUMNS, filter_kind=stream._problems, sort=False)


def test_problem_parts_kept_by_part_are_the_parts_read_whole(built, monkeypatch):
    out, cache_dir = built
    store = read_layout(out)
    assert len(store.parts) > 1
    shutil.rmtree(cache_dir / PART_ROWS_DIR, ignore_errors=True)
    want = _plain_read(store)
    assert len(want) and (want["kind"] == "problems").all()
    first = stream._problem_parts(store, BuildCache(cache_dir))  # read from the parts, kept
    pd.testing.assert_frame_equal(first, want, check_exact=True)
    kept = BuildCache(cache_dir).part_rows(stream._PROBLEM_ROWS)
    assert set(kept) == {p.digest for p in store.parts}

    import pyarrow.parquet as pq

    def no_parquet(*a, **k):
        raise AssertionError("a kept part was read again")

    monkeypatch.setattr(pq, "read_table", no_parquet)
    again = stream._problem_parts(store, BuildCache(cache_dir))  # every part from the cache
    pd.testing.assert_frame_equal(again, want, check_exact=True)


def test_a_damaged_kept_part_is_read_again(built):
    out, cache_dir = built
    store = read_layout(out)
    cache = BuildCache(cache_dir)
    stream._problem_parts(store, cache)
    path = sorted(cache.part_rows(stream._PROBLEM_ROWS).values())[0]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    cache = BuildCache(cache_dir)
    got = stream._problem_parts(store, cache)
    pd.testing.assert_frame_equal(got, _plain_read(store), check_exact=True)
    assert any("damaged" in w for w in cache.warnings)


def test_kept_rows_of_parts_gone_from_the_output_are_removed(built):
    out, cache_dir = built
    store = read_layout(out)
    cache = BuildCache(cache_dir)
    stale = cache_dir / PART_ROWS_DIR / stream._PROBLEM_ROWS / f"{'0' * 64}-{'1' * 64}.arrow"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"old")
    stream._problem_parts(store, cache)
    assert not stale.exists()
    assert set(cache.part_rows(stream._PROBLEM_ROWS)) == {p.digest for p in store.parts}


def sklearn_equal(docs) -> bool:
    """Whether `_char_tfidf(docs)` holds scikit-learn's numbers bit for bit (columns mapped by n-gram)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    kw = dict(analyzer="char", ngram_range=sc.NGRAM_RANGE, lowercase=False)
    theirs = TfidfVectorizer(**kw, sublinear_tf=True, norm="l2").fit_transform(docs).toarray()
    vocabulary = TfidfVectorizer(**kw).fit(docs).vocabulary_
    first_seen: dict[str, int] = {}
    for text in dict.fromkeys(docs):
        for g in (text[i : i + n] for n in range(2, 4) for i in range(len(text) - n + 1)):
            first_seen.setdefault(g, len(first_seen))
    ours = sc._char_tfidf(docs)
    mine, dense = ours.matrix.toarray(), np.zeros_like(theirs)
    for i, row in enumerate(ours.rows):
        dense[i, [vocabulary[g] for g in first_seen]] = mine[row]
    return np.array_equal(dense, theirs)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.text(alphabet="法治政府建设#审查执法AB", min_size=0, max_size=30), min_size=1, max_size=12),
    st.sampled_from([1, 5, 23]),
)
def test_char_tfidf_weighted_a_few_rows_at_a_time_is_scikit_learns(docs, block):
    docs = [*docs, "法治", *docs[:2]]  # copies count in the document frequencies
    saved, sc._ROW_BLOCK = sc._ROW_BLOCK, block  # blocks of one row, or a few
    try:
        assert sklearn_equal(docs)
    finally:
        sc._ROW_BLOCK = saved
