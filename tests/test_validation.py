"""Human-coding round trip (fazhi_lib/validation.py): sample → Excel → filled sheet → scores.

The hand-computed case uses two categories (a, b), six real problem items of the embedded corpus and
a rules table given directly, so every figure below can be checked on paper.
"""

import math

import pandas as pd
import pytest

from fazhi_lib import FazhiError
from fazhi_lib import validation as va
from fazhi_lib.typology import category_labels, item_categories

CATS = [("a", "甲类", "first"), ("b", "乙类", "second")]
#              item:  1      2        3     4      5      6
RULES = [{"a"}, {"a", "b"}, set(), {"b"}, {"a"}, set()]
CODER_1 = ["a", "a", "b", "b", "无", "none"]
CODER_2 = ["甲类", "甲类、乙类", "乙类", "无", "a", "无"]


def _keys(corpus, n=6):
    items = corpus.problem_items.sort_values(["report_id", "item_order"]).head(n)
    return list(zip(items["report_id"], items["item_order"].astype(int)))


def _rules_table(keys):
    rows = [{"report_id": r, "item_order": o, "category": c} for (r, o), cats in zip(keys, RULES) for c in sorted(cats)]
    return pd.DataFrame(rows)


def _sheet(keys, coder_1, coder_2, **extra):
    return pd.DataFrame(
        {
            "sample_id": range(1, len(keys) + 1),
            "report_id": [k[0] for k in keys],
            "item_order": [k[1] for k in keys],
            "coder_1": coder_1,
            "coder_2": coder_2,
            **extra,
        }
    )


def _rules_filled_sheet(corpus, path):
    """Export a sample, then fill both coder columns exactly as the rules coded (codes / Chinese labels)."""
    sample = va.coding_sample(corpus, per_stratum=2, seed=7)
    va.export_coding_sheet(sample, path)
    sheet = pd.read_excel(path, sheet_name="coding", dtype=object)
    cats = item_categories(corpus)
    by_item = {}
    for r in cats.itertuples():
        by_item.setdefault((r.report_id, int(r.item_order)), []).append(r.category)
    labels = category_labels()
    keys = list(zip(sheet["report_id"], sheet["item_order"].astype(int)))
    sheet["coder_1"] = ["; ".join(by_item.get(k, [])) or "none" for k in keys]
    sheet["coder_2"] = ["、".join(labels[c] for c in by_item.get(k, [])) or "无" for k in keys]
    return sheet


def test_sample_is_stratified_deterministic_and_blind(corpus):
    sample = va.coding_sample(corpus, per_stratum=1, seed=3)
    again = va.coding_sample(corpus, per_stratum=1, seed=3)
    pd.testing.assert_frame_equal(sample, again)
    assert not sample.equals(va.coding_sample(corpus, per_stratum=1, seed=4))
    cats = item_categories(corpus)
    first_categories = set(cats.groupby(["report_id", "item_order"]).head(1)["category"])
    # first category of every item in typology order; every stratum appears once
    assert sample["stratum"].is_unique and len(sample) == sample["stratum"].nunique()
    assert set(sample["stratum"]) <= first_categories | {"none"}
    assert sample["sample_id"].tolist() == list(range(1, len(sample) + 1))
    assert all("【本条】" in c for c in sample["context"])
    by_report = va.coding_sample(corpus, per_stratum=2, strata="report", seed=3)
    assert by_report.groupby("report_id").size().to_dict() == {r: 2 for r in corpus.reports["report_id"]}
    everything = va.coding_sample(corpus, per_stratum=100, strata="none")
    assert len(everything) == len(corpus.problem_items)
    with pytest.raises(FazhiError, match="`strata` = 'province' is not valid; choose one of: category, report"):
        va.coding_sample(corpus, strata="province")


def test_exported_sheet_has_text_context_and_empty_coder_columns(corpus, tmp_path):
    sample = va.coding_sample(corpus, per_stratum=2, seed=7)
    path = va.export_coding_sheet(sample, tmp_path / "coding.xlsx", coders=("张", "李"))
    book = pd.ExcelFile(path)
    assert book.sheet_names == ["coding", "codebook", "about"]
    sheet = pd.read_excel(book, sheet_name="coding", dtype=object)
    assert list(sheet.columns) == va.SHEET_COLUMNS + ["张", "李", "notes"]
    assert "stratum" not in sheet.columns  # coders do not see what the rules said
    assert sheet["张"].isna().all() and sheet["text"].tolist() == sample["text"].tolist()
    assert "队伍/人员力量不足" in pd.read_excel(book, sheet_name="codebook")["label"].tolist()


def test_identical_sheet_gives_precision_recall_kappa_of_one(corpus, tmp_path):
    sheet = _rules_filled_sheet(corpus, tmp_path / "coding.xlsx")
    sheet.to_excel(tmp_path / "filled.xlsx", index=False, sheet_name="coding")
    result = va.validate(corpus, tmp_path / "filled.xlsx")
    pooled = result.scores[result.scores["category"] == va.ALL].set_index("coder")
    for coder in ("coder_1", "coder_2"):
        assert pooled.loc[coder, ["precision", "recall", "f1", "kappa"]].tolist() == [
            1.0,
            1.0,
            1.0,
            1.0,
        ]
    used = result.scores[(result.scores["tp"] > 0)]
    assert (used[["precision", "recall", "f1", "kappa"]] == 1.0).all().all()
    agree = result.agreement.set_index("category")
    assert agree.loc[va.ALL, "kappa"] == 1.0 and agree.loc[va.ALL, "alpha"] == 1.0
    assert result.problems.empty
    assert "precision 1.00, recall 1.00" in result.summary()


def test_known_disagreements_give_hand_computed_values(corpus):
    keys = _keys(corpus)
    coded = va.read_coding_sheet(_sheet(keys, CODER_1, CODER_2), categories=CATS)
    result = va.validate(corpus, coded, rules=_rules_table(keys), categories=CATS)
    s = result.scores.set_index(["coder", "category"])
    # rules vs coder_1, a: rules [1,1,0,0,1,0], coder [1,1,0,0,0,0] → tp 2, fp 1, fn 0, tn 3
    a = s.loc[("coder_1", "a")]
    assert (a["tp"], a["fp"], a["fn"], a["tn"]) == (2, 1, 0, 3)
    assert a["precision"] == pytest.approx(2 / 3) and a["recall"] == 1.0 and a["f1"] == pytest.approx(0.8)
    # po = 5/6, pe = (3/6)(2/6) + (3/6)(4/6) = 1/2 → κ = (5/6 − 1/2) / (1/2) = 2/3
    assert a["kappa"] == pytest.approx(2 / 3)
    # b: rules [0,1,0,1,0,0], coder [0,0,1,1,0,0] → tp 1, fp 1, fn 1; po = 4/6, pe = 5/9 → κ = 1/4
    b = s.loc[("coder_1", "b")]
    assert (b["precision"], b["recall"], b["f1"]) == (0.5, 0.5, 0.5) and b["kappa"] == pytest.approx(0.25)
    # pooled over 12 decisions: tp 3, fp 2, fn 1, tn 6 → P 3/5, R 3/4, F1 2/3,
    # po = 9/12, pe = (5/12)(4/12) + (7/12)(8/12) = 76/144 → κ = 32/68
    p = s.loc[("coder_1", va.ALL)]
    assert (p["tp"], p["fp"], p["fn"], p["tn"]) == (3, 2, 1, 6)
    assert p["precision"] == pytest.approx(0.6) and p["recall"] == pytest.approx(0.75)
    assert p["f1"] == pytest.approx(2 / 3) and p["kappa"] == pytest.approx(32 / 68)
    # coder_2 wrote Chinese labels; it agrees with the rules except item 3 (b) and item 4 (no b)
    c2 = s.loc[("coder_2", "b")]
    assert (c2["tp"], c2["fp"], c2["fn"], c2["tn"]) == (1, 1, 1, 3)
    assert s.loc[("coder_2", "a"), "f1"] == 1.0
    # between coders, a: [1,1,0,0,0,0] vs [1,1,0,0,1,0] → κ 2/3; Krippendorff's α from the coincidence
    # matrix o11 = 4, o00 = 6, o01 = o10 = 1 (n = 12, n1 = 5, n0 = 7): 1 − (2/12) / (2·5·7 / (12·11)) = 1 − 264/840
    g = result.agreement.set_index("category")
    assert g.loc["a", "kappa"] == pytest.approx(2 / 3)
    assert g.loc["a", "alpha"] == pytest.approx(1 - 264 / 840)
    assert g.loc["a", "n_items"] == 6 and g.loc["a", "n_coders"] == 2
    assert result.problems.empty


def test_bad_rows_are_listed_not_dropped(corpus, tmp_path):
    keys = _keys(corpus)
    sheet = _sheet(keys, CODER_1, CODER_2, notes=["", "看不懂", "", "", "", ""], extra=list("xyzuvw"))
    bad = pd.DataFrame(
        [
            {
                "sample_id": 7,
                "report_id": None,
                "item_order": 3,
                "coder_1": "a",
                "coder_2": "a",
            },  # no report id
            {
                "sample_id": 8,
                "report_id": keys[0][0],
                "item_order": "三",
                "coder_1": "a",
                "coder_2": "a",
            },
            {
                "sample_id": 9,
                "report_id": "000000000000",
                "item_order": 1,
                "coder_1": "a",
                "coder_2": "a",
            },
            {
                "sample_id": 10,
                "report_id": keys[1][0],
                "item_order": keys[1][1],
                "coder_1": "b",
                "coder_2": "b",
            },  # duplicate
            {},  # a blank row: tolerated, not listed
            {
                "sample_id": 11,
                "report_id": keys[2][0],
                "item_order": keys[2][1],
            },  # uncoded, and a duplicate of row 4
        ]
    )
    sheet.loc[3, "coder_2"] = "甲类; 丙类"  # an unknown category name
    full = pd.concat([sheet, bad], ignore_index=True)
    full.to_excel(tmp_path / "filled.xlsx", index=False, sheet_name="coding")
    result = va.validate(corpus, tmp_path / "filled.xlsx", rules=_rules_table(keys), categories=CATS)
    reasons = dict(zip(result.problems["row"], result.problems["reason"]))
    assert reasons[5].startswith("not a category: 丙类")  # Excel row 5 = the 4th item
    assert reasons[8].startswith("no report_id or item_order")
    assert reasons[9] == "item_order is not a whole number"
    assert reasons[10].startswith("not a problem item of this corpus")
    assert reasons[11] == "the same item as row 3; the first row is used"
    assert reasons[13] == "the same item as row 4; the first row is used"
    assert 12 not in reasons  # the blank row
    assert len(result.problems) == 6
    # coder_2's unreadable cell is not used: 5 items for coder_2, 6 for coder_1
    pooled = result.scores[result.scores["category"] == va.ALL].set_index("coder")["n_items"].to_dict()
    assert pooled == {"coder_1": 6, "coder_2": 5}


def test_uncoded_row_and_empty_coder_column(corpus):
    keys = _keys(corpus, 3)
    sheet = _sheet(keys, ["a", None, "b"], [None, None, None])
    coded = va.read_coding_sheet(sheet, categories=CATS)
    assert coded.coders == ["coder_1"]
    reasons = coded.problems["reason"].tolist()
    assert reasons == ["column is empty: coder not used", "no coder filled this row"]
    assert coded.problems["row"].tolist()[1] == 3


@pytest.mark.parametrize(
    "cell, codes",
    [
        ("staffing", {"staffing"}),
        ("Legality Review", {"legality_review"}),
        ("decision-making；digital", {"decision_making", "digital"}),
        ("队伍/人员力量不足、信访", {"staffing", "disputes"}),
        ("數字化", {"digital"}),  # traditional characters
        ("disputes and petitions", {"disputes"}),
        ("其他", set()),
        ("  ", None),
    ],
)
def test_category_names_in_chinese_or_english(cell, codes):
    found, unknown = va.parse_codes(cell, va.category_names())
    assert unknown == []
    assert found == (frozenset(codes) if codes is not None else None)


def test_kappa_and_alpha_helpers():
    assert va.cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0]) == pytest.approx(0.5)
    assert math.isnan(va.cohen_kappa([0, 0], [0, 0]))  # no variation: κ undefined
    assert math.isnan(va.krippendorff_alpha([[1, 1], [1, 1]]))
    # Krippendorff (2011) example, nominal, 2 coders 10 units → α = 0.095
    c1 = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    c2 = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert va.krippendorff_alpha([c1, c2]) == pytest.approx(0.095, abs=1e-3)


def test_missing_sheet_or_columns(tmp_path, corpus):
    with pytest.raises(FazhiError, match="does not exist"):
        va.read_coding_sheet(tmp_path / "nope.xlsx")
    with pytest.raises(FazhiError, match="no column 'item_order'"):
        va.read_coding_sheet(pd.DataFrame({"report_id": ["x"], "coder_1": ["a"]}))
    with pytest.raises(FazhiError, match="no coder column found"):
        va.read_coding_sheet(pd.DataFrame({"report_id": ["x"], "item_order": [1]}))


@pytest.mark.notebook
def test_explore_notebook_runs_with_a_coded_sheet_and_own_dictionary(corpus, processed_dir, tmp_path):
    import json

    import papermill
    from conftest import ROOT

    sheet = _rules_filled_sheet(corpus, tmp_path / "coding.xlsx")
    sheet.to_excel(tmp_path / "filled.xlsx", index=False, sheet_name="coding")
    (tmp_path / "dict.yaml").write_text("枫桥: [枫桥经验]\n审查: [合法性审查, 审查]\n", encoding="utf-8")
    out = tmp_path / "explore.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "05_explore.ipynb"),
        str(out),
        parameters={
            "processed_dir": str(processed_dir),
            "pattern": "枫桥经验",
            "group_a": "year=2024",
            "group_b": "rest",
            "part_kind": "achievements",
            "dictionary_file": str(tmp_path / "dict.yaml"),
            "coded_sheet": str(tmp_path / "filled.xlsx"),
            "keyness_measure": "chi2",
            "crosstab_by": "level",
            "lang": "en",
        },
        kernel_name="python3",
        cwd=str(ROOT / "notebooks"),
        progress_bar=False,
    )
    nb = json.loads(out.read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    text = "".join("".join(o.get("data", {}).get("text/markdown", "")) + "".join(o.get("text", "")) for o in outputs)
    html = "".join("".join(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert "`枫桥经验` occurs **8 times** in 5 of 5 reports" in text
    assert "background-color: #fff3a3" in html  # the highlighted KWIC table
    assert "A = `year=2024` (2 reports" in text and "B = `rest` (3 reports" in text
    assert "Dictionary `" in text and "dict.yaml`" in text
    assert "Rules against `coder_1`: precision 1.00, recall 1.00, F1 1.00, κ 1.00" in text
    assert "measure: χ² " in text and "Yates" in text  # the measure by its label (escaped as Markdown)
    # crosstab by level: 4 township reports and 1 subdistrict; two groups give no two-axis map
    from fazhi_lib import crosstab

    cells = crosstab.significant_cells(crosstab.category_crosstab(corpus, by="level"))
    if cells.empty:
        assert "No category departs from independence at the 5 % level across the 2 groups of `level`" in text
    else:
        assert f"Strongest cell: **{cells.iloc[0]['category_label']}** in level = {cells.iloc[0]['group']}" in text
    assert "a two-axis map needs at least three" in text
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2  # keyness bars, network
