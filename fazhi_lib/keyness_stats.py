"""Keyness measures of a term's 2×2 table, as quanteda's `textstat_keyness` computes them, so that a
user cross-checking in R finds the same numbers (`reading.keyness` uses them).

The table of one term, quanteda's orientation (target = group A, reference = group B):

                 term    other tokens
    A (target)    a           c           a + c = tokens of A
    B (reference) b           d           b + d = tokens of B
    N = a + b + c + d;  E11 = (a + b)(a + c) / N, the count of the term in A expected under independence.

Every statistic is signed: positive when a > E11 (the term is relatively more frequent in A).

- `chi2` — Pearson's χ² = N (ad − bc)² / ((a+b)(c+d)(a+c)(b+d)); with Yates' continuity correction
  χ² = N (|ad − bc| − N/2)² / (…), applied, as quanteda does, only when an expected count is below 5
  and |ad − bc| ≥ N/2 (Yates 1934, J. R. Stat. Soc. Suppl. 1:217–235; quanteda `keyness_chi2_dt`).
  p from χ² with 1 df.
- `g2` (quanteda `lr`) — the log-likelihood ratio G² = 2 Σ O ln(O/E) (Dunning 1993, Computational
  Linguistics 19(1):61–74). Williams' correction divides it by
  q = 1 + (N/(a+b) + N/(c+d) − 1)(N/(a+c) + N/(b+d) − 1) / (6N)   (Williams 1976, Biometrika 63(1):33–37;
  Sokal & Rohlf, Biometry, the 2×2 G-test), with q = 1 when a cell is zero, as quanteda does.
  `correction="yates"` instead moves a, d and b, c by ½ towards independence under the same condition
  as for χ² (quanteda's code does this for `lr` when `correction = "default"`, although its
  documentation names Williams: pass correction="yates" to reproduce those numbers). p from χ², 1 df.
- `pmi` — pointwise mutual information of the term and group A, natural logarithm: ln(a / E11)
  (Church & Hanks 1990, Computational Linguistics 16(1):22–29; quanteda `keyness_pmi`, which adds 1e-9
  inside the logarithm so a = 0 gives ln(1e-9) ≈ −20.7; here too). No p-value: PMI is not a test.
- `exact` — Fisher's exact test (Fisher 1935, J. R. Stat. Soc. 98(1):39–82): the statistic is the
  conditional maximum-likelihood estimate of the odds ratio (ad/bc adjusted, as R's `fisher.test`
  and quanteda report it; > 1 when the term is relatively more frequent in A), p two-sided (scipy).

The measure and its correction are named in every output (`measure` column, `table.attrs`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .corpus import invalid

MEASURES = ("chi2", "g2", "pmi", "exact")
ALIASES = {"lr": "g2", "loglik": "g2", "log_likelihood": "g2", "fisher": "exact"}
CORRECTIONS = ("default", "williams", "yates", "none")
STAT_COLUMN = {"chi2": "chi2", "g2": "g2", "pmi": "pmi", "exact": "odds_ratio"}
EPSILON = 1e-9  # quanteda's offset for zero cells inside a logarithm


def resolve(measure: str, correction: str = "default") -> tuple[str, str]:
    """(measure, correction actually applied): `default` → yates for chi2, williams for g2, none else.

    >>> resolve("lr")
    ('g2', 'williams')
    """
    m = ALIASES.get(measure, measure)
    if m not in MEASURES:
        raise invalid("measure", measure, MEASURES + tuple(ALIASES))
    if correction not in CORRECTIONS:
        raise invalid("correction", correction, CORRECTIONS)
    if m in ("pmi", "exact"):
        return m, "none"
    if correction == "default":
        return m, "yates" if m == "chi2" else "williams"
    return m, correction


def label(measure: str, correction: str = "default") -> str:
    """The measure as named in outputs: `g2 (Williams' correction)`, `chi2 (Yates' correction)`, `pmi`."""
    m, c = resolve(measure, correction)
    names = {"williams": "Williams' correction", "yates": "Yates' correction when an expected count < 5"}
    return f"{m} ({names[c]})" if c in names else ("exact (Fisher; odds ratio)" if m == "exact" else m)


def _cells(a, b, c, d):
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    n = a + b + c + d
    return a, b, c, d, n


def _yates_applies(a, b, c, d, n, *, strict: bool):
    with np.errstate(divide="ignore", invalid="ignore"):
        small = (
            ((a + b) * (a + c) / n < 5)
            | ((a + b) * (b + d) / n < 5)
            | ((a + c) * (c + d) / n < 5)
            | ((c + d) * (b + d) / n < 5)
        )
    gap = np.abs(a * d - b * c)
    return small & ((gap > n / 2) if strict else (gap >= n / 2))


def williams_q(a, b, c, d) -> np.ndarray:
    """Williams' (1976) correction factor of a 2×2 table; 1 where a cell is zero (as quanteda).

    >>> round(float(williams_q(10, 5, 90, 195)), 6)
    1.038991
    """
    a, b, c, d, n = _cells(a, b, c, d)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = 1 + (n / (a + b) + n / (c + d) - 1) * (n / (a + c) + n / (b + d) - 1) / (6 * n)
    return np.where(a * b * c * d == 0, 1.0, q)


def chi2(a, b, c, d, *, correction: str = "yates") -> tuple[np.ndarray, np.ndarray]:
    """Signed Pearson χ² and p of 2×2 tables (vectorised), `correction` yates | williams | none."""
    from scipy.stats import chi2 as chi2_dist

    a, b, c, d, n = _cells(a, b, c, d)
    denom = (a + b) * (c + d) * (a + c) * (b + d)
    gap = np.abs(a * d - b * c)
    with np.errstate(divide="ignore", invalid="ignore"):
        e11 = (a + b) * (a + c) / n
        sign = np.where(a > e11, 1.0, -1.0)
        stat = n * gap**2 / denom
        if correction == "yates":
            stat = np.where(_yates_applies(a, b, c, d, n, strict=False), n * (gap - n / 2) ** 2 / denom, stat)
        elif correction == "williams":
            q = 1 + (n / (a + b) + n / (c + d) - 1) * (n / (a + c) + n / (b + d) - 1) / (6 * n)
            stat = stat / np.where(a * b * c * d == 0, 1.0, q)
    stat = np.nan_to_num(stat, nan=0.0)
    return sign * stat, chi2_dist.sf(stat, 1)


def g2(a, b, c, d, *, correction: str = "williams") -> tuple[np.ndarray, np.ndarray]:
    """Signed log-likelihood G² and p of 2×2 tables (vectorised), `correction` williams | yates | none."""
    from scipy.stats import chi2 as chi2_dist

    a, b, c, d, n = _cells(a, b, c, d)
    e11 = (a + b) * (a + c) / n
    sign = np.where(a > e11, 1.0, -1.0)
    q = williams_q(a, b, c, d) if correction == "williams" else 1.0
    if correction == "yates":
        applies = _yates_applies(a, b, c, d, n, strict=True)
        step = np.where(applies, np.where(a * d - b * c > 0, 0.5, -0.5), 0.0)
        a, d, b, c = a - step, d - step, b + step, c + step
    expected = ((a + c) * (a + b) / n, (b + d) * (a + b) / n, (a + c) * (c + d) / n, (b + d) * (c + d) / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = 2 * sum(np.where(o > 0, o * np.log(o / e), 0.0) for o, e in zip((a, b, c, d), expected))
    stat = np.maximum(np.nan_to_num(stat, nan=0.0), 0.0) / q
    return sign * stat, chi2_dist.sf(stat, 1)


def pmi(a, b, c, d) -> tuple[np.ndarray, np.ndarray]:
    """ln(a / E11 + 1e-9) (quanteda's PMI keyness) and NaN p-values (PMI is not a test)."""
    a, b, c, d, n = _cells(a, b, c, d)
    e11 = (a + b) * (a + c) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.log(a / e11 + EPSILON)
    return stat, np.full_like(stat, np.nan)


def exact(a, b, c, d) -> tuple[np.ndarray, np.ndarray]:
    """Fisher's exact test of each table: conditional MLE odds ratio (as R) and two-sided p.

    >>> or_, p = exact([3], [1], [1], [3])      # Fisher's tea-tasting table [[3, 1], [1, 3]]
    >>> round(float(or_[0]), 4), round(float(p[0]), 4)      # R's fisher.test: 6.408309, 0.4857
    (6.4083, 0.4857)
    """
    from scipy.stats import fisher_exact
    from scipy.stats.contingency import odds_ratio

    cache: dict = {}
    stats, ps = [], []
    for cell in zip(*(np.asarray(x, dtype=int).ravel() for x in (a, b, c, d))):
        if cell not in cache:
            ta, tb, tc, td = (int(v) for v in cell)
            table = [[ta, tc], [tb, td]]  # rows A, B; columns term, other
            p = float(fisher_exact(table)[1])
            try:
                est = float(odds_ratio(table, kind="conditional").statistic)
            except ValueError:
                est = np.nan
            cache[cell] = (est, p)
        stats.append(cache[cell][0])
        ps.append(cache[cell][1])
    return np.array(stats, dtype=float), np.array(ps, dtype=float)


def score(a, b, c, d, *, measure: str = "g2", correction: str = "default") -> pd.DataFrame:
    """The statistic (column named after the measure) and p_value of each 2×2 table."""
    m, corr = resolve(measure, correction)
    if m == "chi2":
        stat, p = chi2(a, b, c, d, correction=corr)
    elif m == "g2":
        stat, p = g2(a, b, c, d, correction=corr)
    elif m == "pmi":
        stat, p = pmi(a, b, c, d)
    else:
        stat, p = exact(a, b, c, d)
    return pd.DataFrame({STAT_COLUMN[m]: stat, "p_value": p})
