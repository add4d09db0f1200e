"""Templating on large corpora (issue 22): above `EXACT_TEMPLATING_MAX` distinct problems texts the
best peer is looked for among sketched candidates, not all pairs. The tests lower the threshold and
compare the sketched measures with the exact ones on the same corpus."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest
from test_scorecard import OTHER, TEMPLATE, _tiny  # tests/ is on sys.path (rootdir conftest)

from fazhi_lib import scorecard as sc
from fazhi_lib.sentences import SENTENCE_ENDS, pieces


def test_sketched_templating_keeps_the_rules_of_the_exact_one(monkeypatch):
    rows = [
        ("a2023", "甲镇", 2023, "浙江省", TEMPLATE),
        ("a2024", "甲镇", 2024, "浙江省", TEMPLATE),
        ("b2024", "乙镇", 2024, "浙江省", TEMPLATE.replace("法治意识", "依法行政意识")),
        ("c2024", "丙镇", 2024, "浙江省", OTHER),
        ("d2024", "甲镇", 2024, "山西省", OTHER),
    ]
    exact = sc.scorecard(_tiny(rows)).set_index("report_id")
    monkeypatch.setattr(sc, "EXACT_TEMPLATING_MAX", 0)
    sketched = sc.scorecard(_tiny(rows)).set_index("report_id")
    assert sketched.loc["a2024", "template_peer"] == "b2024"  # never its own issuer's 2023 copy
    assert sketched.loc["c2024", "template_peer"] == "d2024"  # another province's 甲镇 is another issuer
    cols = ["template_similarity", "template_peer", "stickiness", "previous_report_id"]
    pd.testing.assert_frame_equal(sketched[cols], exact[cols])


def _generated(corpus, n: int = 400, seed: int = 7):
    """`n` reports whose problems parts are 3–7 sentences drawn from the embedded reports' parts; a
    third are near copies of an earlier one (a sentence swapped), as templates spread."""
    pool = []
    for text in corpus.tables["parts"]["text"]:
        pool += [text[a:b] for a, b in pieces(text, SENTENCE_ENDS + "\n") if b - a >= 12]
    rng = random.Random(seed)
    names = [a + b + "镇" for a in "安宝昌成丰福广和华嘉" for b in "建江金锦康乐林龙明宁"]
    rows, texts = [], []
    for i in range(n):
        if texts and rng.random() < 0.35:
            said = list(rng.choice(texts))
            said[rng.randrange(len(said))] = rng.choice(pool)
        else:
            said = rng.sample(pool, rng.randint(3, 7))
        texts.append(said)
        rows.append((f"r{i:04d}", rng.choice(names), rng.randint(2018, 2024), "浙江省", "".join(said)))
    return _tiny(rows)


@pytest.fixture(scope="module")
def both(corpus):
    big = _generated(corpus)
    exact = sc.scorecard(big).set_index("report_id")
    saved = sc.EXACT_TEMPLATING_MAX
    sc.EXACT_TEMPLATING_MAX = 0
    try:
        sketched = sc.scorecard(big).set_index("report_id")
    finally:
        sc.EXACT_TEMPLATING_MAX = saved
    return exact, sketched


def test_sketched_values_are_exact_cosines_never_above_the_true_best(both):
    exact, sketched = both
    assert exact.index.equals(sketched.index)
    e = exact["template_similarity"].astype(float).to_numpy()
    s = sketched["template_similarity"].astype(float).to_numpy()
    assert not np.isnan(s).any()
    assert (s <= e).all()  # the best of a subset of the peers, each cosine computed exactly
    same = s == e
    assert same.mean() >= 0.95, f"sketched templating equal to the exact one for only {same.mean():.0%} of reports"
    # a template is found: where the exact best peer shares half the weight or more, the sketch finds it
    near = e >= 0.5
    assert (s[near] == e[near]).all()
    assert (e - s).max() < 0.1


def test_sketched_stickiness_and_previous_reports_are_the_exact_ones(both):
    exact, sketched = both
    cols = ["stickiness", "previous_report_id", "previous_year"]
    pd.testing.assert_frame_equal(sketched[cols], exact[cols])


def test_sketched_peer_gives_the_value_reported(both):
    _, sketched = both
    rows = sketched.dropna(subset=["template_peer"])
    assert len(rows) == len(sketched)
    assert (rows.index != rows["template_peer"]).all()


def test_sketch_neighbours_pair_near_copies():
    from scipy import sparse

    base = sparse.random(200, 3000, density=0.02, random_state=1, format="csr")
    noise = sparse.random(200, 3000, density=0.002, random_state=2, format="csr")
    X = sparse.vstack([base, base + noise]).tocsr()  # row i + 200 is a near copy of row i
    X = sparse.diags(1 / np.sqrt(X.multiply(X).sum(axis=1).A.ravel())) @ X
    near = sc._sketch_neighbours(X.tocsr())
    found = [i + 200 in near[i] for i in range(200)]
    assert np.mean(found) >= 0.99


def _neighbours_in_one_sort(X) -> list[list[int]]:
    """`_sketch_neighbours` as first written: every pair of every rotation's window collected, then one
    sort of them all (a cost per pair that grew with the corpus); the blocked search must give the same."""
    words = sc._signatures(X)
    n_rows, n_bytes = words.shape
    pairs = set()
    for r in range(sc.SKETCH_ROTATIONS):
        order = np.lexsort(np.roll(words, -(r * n_bytes // sc.SKETCH_ROTATIONS), axis=1).T[::-1]).tolist()
        for d in range(1, sc.SKETCH_WINDOW + 1):
            pairs |= {(min(a, b), max(a, b)) for a, b in zip(order[:-d], order[d:])}
    bits = np.unpackbits(words, axis=1).astype(int)
    ranked = [[] for _ in range(n_rows)]
    for a, b in pairs:
        d = int((bits[a] != bits[b]).sum())
        ranked[a].append((d, b))
        ranked[b].append((d, a))
    return [[p for _, p in sorted(r)[: sc.SKETCH_PEERS]] for r in ranked]


@pytest.mark.parametrize("block", [1, 7, 2048])
def test_sketch_neighbours_in_blocks_are_those_of_one_sort(block):
    from scipy import sparse

    base = sparse.random(60, 400, density=0.05, random_state=3, format="csr")
    noise = sparse.random(60, 400, density=0.01, random_state=4, format="csr")
    X = sparse.vstack([base, base + noise, base[:20]]).tocsr()  # near copies, and exact ones (equal signatures)
    X = (sparse.diags(1 / np.sqrt(X.multiply(X).sum(axis=1).A.ravel())) @ X).tocsr()
    expected = _neighbours_in_one_sort(X)
    assert sc._sketch_neighbours(X, block=block) == expected
    assert all(len(p) == sc.SKETCH_PEERS for p in expected)  # the window holds more than the peers kept


def test_previous_report_of_an_issuer_with_many_reports():
    # ten years of one 甲镇 (the lookup path, more than 8 reports of one name and place), two reports in 2020
    rows = [(f"a{y}", "甲镇", y, "浙江省", TEMPLATE + f"第{y}年。") for y in range(2015, 2025)]
    rows += [("a2020b", "甲镇", 2020, "浙江省", OTHER), ("a2019z", "甲镇", 2019, "浙江省", OTHER)]
    rows += [("b2024", "乙镇", 2024, "浙江省", OTHER)]
    card = sc.scorecard(_tiny(rows)).set_index("report_id")
    assert pd.isna(card.loc["a2015", "previous_report_id"])
    assert card.loc["a2016", "previous_report_id"] == "a2015"
    assert card.loc["a2021", "previous_report_id"] == "a2020"  # of the two 2020 reports, the smaller id
    assert card.loc["a2020b", "previous_report_id"] == "a2019"  # a2019 < a2019z
    assert card.loc["a2024", "previous_year"] == 2023
    assert pd.isna(card.loc["b2024", "previous_report_id"])
