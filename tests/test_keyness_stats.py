"""Keyness measures (fazhi_lib/keyness_stats.py), each against values worked out by hand on a tiny
table or a published worked example. Table orientation as quanteda: a = term in A, b = term in B,
c = other tokens in A, d = other tokens in B."""

import math

import numpy as np
import pytest

from fazhi_lib import keyness_stats as kn
from fazhi_lib import reading as rd
from fazhi_lib.corpus import FazhiError

# term: 10 of 100 tokens in A, 5 of 200 in B  →  a, b, c, d = 10, 5, 90, 195; N = 300; E11 = 15·100/300 = 5
A, B, C, D = 10, 5, 90, 195


def test_chi2_by_hand_without_and_with_yates():
    # N (ad − bc)² / ((a+b)(c+d)(a+c)(b+d)) = 300 · 1500² / (15 · 285 · 100 · 200) = 7.894737
    stat, p = kn.chi2(A, B, C, D, correction="none")
    assert float(stat) == pytest.approx(300 * 1500**2 / (15 * 285 * 100 * 200)) == pytest.approx(7.894737, abs=1e-6)
    assert float(p) == pytest.approx(0.004958, abs=1e-6)  # χ²(1) upper tail
    # no expected count is below 5 here (the smallest, E11, is exactly 5): Yates does not apply
    assert float(kn.chi2(A, B, C, D, correction="yates")[0]) == pytest.approx(7.894737, abs=1e-6)
    # a, b, c, d = 4, 1, 96, 199: E11 = 5 · 100/300 = 1.67 < 5 and |ad − bc| = 700 ≥ N/2 = 150 → Yates:
    # 300 (700 − 150)² / (5 · 295 · 100 · 200) = 3.076271 (R: chisq.test(matrix(c(4, 1, 96, 199), 2)))
    assert float(kn.chi2(4, 1, 96, 199, correction="yates")[0]) == pytest.approx(3.076271, abs=1e-6)
    assert float(kn.chi2(4, 1, 96, 199, correction="none")[0]) == pytest.approx(300 * 700**2 / (5 * 295 * 100 * 200))


def test_g2_by_hand_with_williams_yates_and_none():
    by_hand = 2 * (10 * math.log(10 / 5) + 90 * math.log(90 / 95) + 5 * math.log(5 / 10) + 195 * math.log(195 / 190))
    assert float(kn.g2(A, B, C, D, correction="none")[0]) == pytest.approx(by_hand)  # 7.329812
    # Williams: q = 1 + (N/(a+b) + N/(c+d) − 1)(N/(a+c) + N/(b+d) − 1)/(6N) = 1 + (20 + 1.052632 − 1)(3 + 1.5 − 1)/1800
    q = 1 + (20 + 300 / 285 - 1) * (3 + 1.5 - 1) / 1800
    assert q == pytest.approx(1.038991, abs=1e-6)
    stat, _ = kn.g2(A, B, C, D)  # Williams is the default
    assert float(stat) == pytest.approx(by_hand / q) == pytest.approx(7.054739, abs=1e-6)
    # quanteda keeps q = 1 when a cell is zero
    assert float(kn.williams_q(3, 0, 97, 200)) == 1.0
    # Yates for G² (quanteda's code for lr under "default"): 4, 1, 96, 199 → 3.5, 1.5, 96.5, 198.5
    a, b, c, d = 3.5, 1.5, 96.5, 198.5
    e = (5 * 100 / 300, 5 * 200 / 300, 295 * 100 / 300, 295 * 200 / 300)
    yates = 2 * sum(o * math.log(o / x) for o, x in zip((a, b, c, d), e))
    assert float(kn.g2(4, 1, 96, 199, correction="yates")[0]) == pytest.approx(yates)
    # the sign says which group uses the term more
    assert float(kn.g2(B, A, D, C)[0]) == pytest.approx(-by_hand / q)


def test_pmi_by_hand():
    stat, p = kn.pmi(A, B, C, D)  # ln(a / E11) = ln(10 / 5)
    assert float(stat) == pytest.approx(math.log(2), abs=1e-8)
    assert np.isnan(p).all()
    assert float(kn.pmi(0, 5, 100, 195)[0]) == pytest.approx(math.log(1e-9))  # quanteda's offset


def test_fisher_exact_on_the_tea_tasting_table():
    # Fisher's lady tasting tea, R's fisher.test(TeaTasting): odds ratio 6.408309, p = 0.4857 (two-sided)
    odds, p = kn.exact([3], [1], [1], [3])
    assert odds[0] == pytest.approx(6.408309, rel=1e-5)  # R stops its root search at a coarser tolerance
    assert p[0] == pytest.approx(0.4857, abs=1e-4)
    # by hand: P(table) = C(4,3)C(4,1)/C(8,4) = 16/70; tables as extreme or more: 3/1, 1/3, 4/0, 0/4
    assert p[0] == pytest.approx((16 + 16 + 1 + 1) / 70)


@pytest.mark.parametrize(
    "measure, correction, column, label",
    [
        ("g2", "default", "g2", "g2 (Williams' correction)"),
        ("lr", "none", "g2", "g2"),
        ("chi2", "default", "chi2", "chi2 (Yates' correction when an expected count < 5)"),
        ("pmi", "default", "pmi", "pmi"),
        ("exact", "default", "odds_ratio", "exact (Fisher; odds ratio)"),
    ],
)
def test_keyness_table_names_its_measure(measure, correction, column, label):
    table = rd.keyness_table(
        {"执法": 10, "其他": 90}, {"执法": 5, "其他": 195}, min_count=1, measure=measure, correction=correction
    )
    assert column in table.columns and (table["measure"] == label).all()
    assert table.attrs["stat"] == column and table.attrs["measure_label"] == label
    assert table.loc[0, "term"] == "执法"  # the term relatively more frequent in A comes first


def test_bad_measure_and_correction():
    with pytest.raises(FazhiError, match="`measure` = 'tfidf' is not valid; choose one of: chi2, g2, pmi, exact"):
        kn.resolve("tfidf")
    with pytest.raises(FazhiError, match="`correction` = 'bonferroni' is not valid"):
        kn.resolve("g2", "bonferroni")
