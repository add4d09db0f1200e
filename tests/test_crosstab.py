"""KH Coder's crosstab (χ², residuals) and correspondence analysis, against published worked examples
and tables worked out by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from fazhi_lib import crosstab as ct
from fazhi_lib.corpus import Corpus, FazhiError


def test_chi2_and_residuals_of_a_tiny_table_by_hand():
    # [[10, 20], [30, 40]]: N = 100, rows 30/70, columns 40/60 → E = [[12, 18], [28, 42]]
    t = ct.chi2_test([[10, 20], [30, 40]])
    by_hand = 4 / 12 + 4 / 18 + 4 / 28 + 4 / 42  # Σ (O − E)² / E, every |O − E| = 2
    assert t.statistic == pytest.approx(by_hand) == pytest.approx(0.793651, abs=1e-6)
    assert t.df == 1
    assert t.residuals[0, 0] == pytest.approx(-2 / math.sqrt(12))
    # Haberman: (O − E) / √(E (1 − 30/100)(1 − 40/100)) = −2 / √(12 · 0.7 · 0.6)
    assert t.adjusted_residuals[0, 0] == pytest.approx(-2 / math.sqrt(12 * 0.7 * 0.6))


def test_chi2_on_agrestis_gender_by_party_example():
    # Agresti (2007), An Introduction to Categorical Data Analysis, 2nd ed., Tables 2.5 and 2.10
    # (also R's ?chisq.test): X² = 30.07, df = 2, p = 2.954e-07; standardised residuals 4.50, 0.70, −5.32
    t = ct.chi2_test([[762, 327, 468], [484, 239, 477]])
    assert t.statistic == pytest.approx(30.07, abs=0.005)
    assert t.df == 2 and t.p_value == pytest.approx(2.954e-07, rel=1e-3)
    assert np.round(t.adjusted_residuals, 2).tolist() == [[4.50, 0.70, -5.32], [-4.50, -0.70, 5.32]]


def test_correspondence_analysis_of_greenacres_smoking_table():
    # Greenacre (1984; 2007 ch. 'Computational theory'), staff groups × smoking: principal inertias
    # 0.074759, 0.010017, 0.000414 (87.8 %, 11.8 %, 0.5 %), total 0.085190 (also R's ca::ca(smoke))
    smoke = pd.DataFrame(
        [[4, 2, 3, 2], [4, 3, 7, 4], [25, 10, 12, 4], [18, 24, 33, 13], [10, 6, 7, 2]],
        index=["SM", "JM", "SE", "JE", "SC"],
        columns=["none", "light", "medium", "heavy"],
    )
    ca = ct.correspondence_analysis(smoke, n_components=3)
    assert np.round(ca.eigenvalues, 6).tolist() == [0.074759, 0.010017, 0.000414]
    assert ca.total_inertia == pytest.approx(0.085190, abs=1e-6)
    assert ca.total_inertia == pytest.approx(ct.chi2_test(smoke.to_numpy()).statistic / 193)  # χ²/n
    assert np.round(100 * ca.explained, 1).tolist() == [87.8, 11.8, 0.5]
    # principal row coordinates (up to the sign of each axis): SE −0.380595 / 0.010660, JM 0.258958 / 0.243305
    assert abs(ca.row_coords.at["SE", "dim1"]) == pytest.approx(0.380595, abs=1e-6)
    assert abs(ca.row_coords.at["JM", "dim2"]) == pytest.approx(0.243305, abs=1e-6)
    assert abs(ca.col_coords.at["none", "dim1"]) == pytest.approx(0.393308, abs=1e-6)
    # non-smokers and senior employees sit on the same side of axis 1
    assert np.sign(ca.row_coords.at["SE", "dim1"]) == np.sign(ca.col_coords.at["none", "dim1"])


def test_correspondence_analysis_needs_two_by_two():
    with pytest.raises(FazhiError, match="at least 2 rows and 2 columns"):
        ct.correspondence_analysis(pd.DataFrame([[1, 2]]))


def _tiny_corpus():
    """Four reports, two years; items coded by the typology: checked by hand below."""
    reports = pd.DataFrame(
        {
            "report_id": ["r1", "r2", "r3", "r4"],
            "issuer": ["甲镇", "乙镇", "丙镇", "丁镇"],
            "report_year": pd.array([2023, 2023, 2024, 2024], dtype="Int64"),
            "level": ["township"] * 4,
        }
    )
    items = pd.DataFrame(
        {"report_id": ["r1", "r1", "r2", "r3", "r4"], "item_order": [1, 2, 1, 1, 1], "text": ["a", "b", "c", "d", "e"]}
    )
    cats = pd.DataFrame(
        {
            "report_id": ["r1", "r1", "r2", "r3"],
            "item_order": [1, 2, 1, 1],
            "category": ["staffing", "staffing", "staffing", "oversight"],
            "category_label": ["队伍/人员力量不足", "队伍/人员力量不足", "队伍/人员力量不足", "监督薄弱"],
            "rule": ["x"] * 4,
            "matched": ["m"] * 4,
            "start": [0] * 4,
            "end": [1] * 4,
        }
    )
    return Corpus({"reports": reports, "problem_items": items, "problem_item_categories": cats})


def test_category_crosstab_by_hand():
    table = ct.category_crosstab(_tiny_corpus(), by="report_year")
    staffing = table[table["category"] == "staffing"].set_index("group")
    # reports with staffing: 2023: r1, r2 (2 of 2); 2024: none (0 of 2) → table [[2, 0], [0, 2]]
    assert staffing["count"].tolist() == [2, 0] and staffing["share"].tolist() == [1.0, 0.0]
    assert staffing["chi2"].iloc[0] == pytest.approx(4.0)  # E = 1 everywhere: Σ (±1)²/1
    assert staffing["df"].iloc[0] == 1 and staffing["n_small_expected"].iloc[0] == 4
    assert staffing.at[2023, "adjusted_residual"] == pytest.approx(1 / math.sqrt(1 * 0.5 * 0.5))  # 2.0
    # items as units: 2023 has 3 items (3 staffing), 2024 has 2 items (0 staffing)
    items = ct.category_crosstab(_tiny_corpus(), by="report_year", unit="items")
    s = items[items["category"] == "staffing"].set_index("group")
    assert s["n_units"].tolist() == [3, 2] and s["count"].tolist() == [3, 0]
    wide = ct.crosstab_wide(table)
    assert wide.loc["2023", "队伍/人员力量不足"] == "2 (100.0%)"
    assert wide.loc["total", "units"] == 4
    assert ct.significant_cells(table)["category"].tolist() == ["staffing", "staffing"]


def test_category_crosstab_errors():
    with pytest.raises(FazhiError, match="`by` = 'colour' is not valid"):
        ct.category_crosstab(_tiny_corpus(), by="colour")
    with pytest.raises(FazhiError, match="`unit` = 'words' is not valid"):
        ct.category_crosstab(_tiny_corpus(), unit="words")


def test_crosstab_and_ca_on_the_embedded_reports(corpus):
    table = ct.category_crosstab(corpus, by="report_year")
    assert table.attrs["n_units"] == 5 and sorted(table["group"].unique()) == [2023, 2024, 2025]
    shares = table.groupby("group")["n_units"].first().to_dict()
    assert shares == {2023: 2, 2024: 2, 2025: 1}
    terms = ct.term_group_table(corpus, by="report_year", n_terms=30)
    assert terms.shape == (30, 3) and (terms.sum(axis=1) > 0).all()
    ca = ct.correspondence_analysis(terms)
    assert ca.explained.sum() == pytest.approx(1.0)  # three groups: two axes hold all the inertia


def test_biplot_labels_do_not_overlap(corpus):
    import matplotlib.pyplot as plt

    ca = ct.correspondence_analysis(ct.term_group_table(corpus, by="report_year", n_terms=40))
    fig = ct.plot_ca(ca)
    boxes = fig.fazhi_label_boxes
    assert len(boxes) + len(fig.fazhi_hidden_labels) == 43
    assert len(fig.fazhi_hidden_labels) == 0
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
    # and the boxes really are the drawn texts: measure them again after drawing
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    drawn = [t.get_window_extent(r) for t in fig.axes[0].texts if t.get_text()]
    for i, a in enumerate(drawn):
        for b in drawn[i + 1 :]:
            assert not a.overlaps(b), (a, b)
    plt.close(fig)


def test_crosstab_for_a_page_labels_groups_totals_and_categories():
    corpus = _tiny_corpus()
    reports = corpus.reports.assign(level=["township", "township", "subdistrict", "subdistrict"])
    corpus = Corpus({**corpus.tables, "reports": reports})
    table = ct.category_crosstab(corpus, by="level")
    zh = ct.crosstab_wide(table, lang="zh")
    assert zh.index.name == "层级" and list(zh.index) == ["街道", "乡镇", "合计", "χ²", "p"]
    assert zh.loc["乡镇", "队伍/人员力量不足"] == "2 (100.0%)" and zh.loc["合计", "报告数"] == 4
    en = ct.crosstab_wide(table, lang="en")
    assert list(en.index) == ["subdistrict", "township", "total", "χ²", "p"] and "staffing" in en.columns
    assert ct.crosstab_wide(table).index.tolist()[:2] == ["subdistrict", "township"]  # codes without `lang`
    cells = ct.cells_table(table, "zh")
    assert set(cells["group"]) == {"乡镇", "街道"} and {"队伍/人员力量不足", "监督薄弱"} <= set(cells["category_label"])
    en_cells = ct.cells_table(table, "en")
    assert {"staffing", "oversight"} <= set(en_cells["category_label"]) and set(en_cells["group"]) == {
        "township",
        "subdistrict",
    }
    assert set(ct.cells_table(table)["group"]) == {"township", "subdistrict"}
    years = ct.cells_table(ct.category_crosstab(corpus, by="report_year"), "zh")
    assert set(years["group"]) == {"2023", "2024"}  # not a coded variable: the values as they are


def test_crosstab_wide_shows_a_missing_chi2_as_a_dash():
    table = ct.category_crosstab(_tiny_corpus(), by="level")  # one group: χ² cannot be computed
    wide = ct.crosstab_wide(table)
    assert "nan" not in wide.astype(str).to_numpy().ravel().tolist()
