"""TF-IDF of the problems parts: documents, top terms, similarity, near-duplicates, topics, notebook."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from fazhi_lib import tfidf
from fazhi_lib.errors import FazhiError

LABELS = ["云龙镇 2023", "澧浦镇 2023", "塘栖镇 2024", "湖塘街道 2024", "上社镇 2025"]


@pytest.fixture(scope="module")
def parts(corpus):
    return tfidf.documents(corpus)


@pytest.fixture(scope="module")
def items(corpus):
    return tfidf.documents(corpus, unit="item")


@pytest.fixture(scope="module")
def model(parts):
    return tfidf.fit_tfidf(parts)


def test_part_documents_one_per_report_without_heading_and_issuer_name(parts):
    assert parts["label"].tolist() == LABELS  # sorted by report year, then issuer
    assert parts["item_order"].isna().all() and (parts["doc_id"] == parts["report_id"]).all()
    tangqi = parts.set_index("label").loc["塘栖镇 2024"]
    assert tangqi["text"].startswith("1.行政行为规范性不足")  # 二、存在的不足和原因 left out
    hutang = parts.set_index("label").loc["湖塘街道 2024"]
    assert "湖塘" in hutang["text"] and "湖塘" not in hutang["analysis_text"]


def test_item_documents_are_the_problem_items(corpus, items):
    assert len(items) == len(corpus.problem_items) == 17
    assert items["doc_id"].is_unique
    first = items.iloc[0]
    assert (first["label"], first["heading"]) == ("云龙镇 2023 · 1", "法治队伍力量相对薄弱")


def test_items_of_other_parts_are_the_sub_sections(corpus):
    plan = tfidf.documents(corpus, part_kind="plan", unit="item")
    hutang = plan[plan["label"].str.startswith("湖塘街道")]
    assert hutang["heading"].tolist() == [
        "持续规范决策流程",
        "持续推进行政执法大综合一体化改革",
        "持续深入法治宣传",
    ]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"part_kind": "problem"},
            "`part_kind` = 'problem' is not valid; choose one of: achievements, problems, duty, plan, other.",
        ),
        ({"unit": "items"}, "`unit` = 'items' is not valid; choose one of: part, item."),
    ],
)
def test_bad_document_options(corpus, kwargs, message):
    with pytest.raises(FazhiError) as err:
        tfidf.documents(corpus, **kwargs)
    assert str(err.value) == message


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"ngram_range": (2, 1)},
            "`ngram_range` = (2, 1) is not valid; choose (low, high) with 1 ≤ low ≤ high ≤ 3",
        ),
        ({"min_df": 0}, "`min_df` = 0 is not valid; choose a whole number of documents"),
        ({"min_df": 6}, "`min_df` = 6 is not valid; choose at most 5 (there are 5 documents)."),
        ({"max_df": 1.5}, "`max_df` = 1.5 is not valid"),
        (
            {"min_df": 3, "max_df": 0.4},
            "`max_df` = 0.4 keeps terms found in at most 2 of 5 documents, but `min_df` = 3",
        ),
    ],
)
def test_bad_vectoriser_parameters(parts, kwargs, message):
    with pytest.raises(FazhiError) as err:
        tfidf.fit_tfidf(parts, **kwargs)
    assert str(err.value).startswith(message)


def test_group_by_a_missing_column_names_the_available_ones(parts):
    with pytest.raises(FazhiError) as err:
        # as on a corpus built before the places stage existed
        tfidf.top_terms_by(parts.drop(columns=["province", "region"], errors="ignore"), "region")
    assert str(err.value) == (
        "`group_by` = 'region' is not valid; choose one of: report, report_year, level. "
        "(This corpus has no `region` column; rebuild it once the stage that adds `region` is installed.)"
    )


def test_hand_checked_top_terms(model):
    top = tfidf.top_terms(model, top_n=5)
    terms = top.groupby("label", sort=False)["term"].apply(list)
    # 塘栖镇's problems: 行政法治监督较为薄弱 (监督 six times), 行政争议 and 矛盾上行 in 征迁
    assert terms["塘栖镇 2024"][0] == "监督"
    assert {"行政争议", "矛盾"} <= set(terms["塘栖镇 2024"])
    # 上社镇: 法治与数字技术融合不足, 普法宣传实效性有待增强
    assert {"数字", "技术", "普法"} <= set(terms["上社镇 2025"])
    # 湖塘街道: four mentions of 合法性审查
    assert "合法性审查" in terms["湖塘街道 2024"]
    assert top.groupby("label")["rank"].max().eq(5).all()
    assert top.groupby("label")["score"].apply(lambda s: s.is_monotonic_decreasing).all()


def test_groups_by_level(parts):
    by_level = tfidf.top_terms_by(parts, "level", top_n=3)
    assert by_level["group"].unique().tolist() == ["subdistrict", "township"]
    assert by_level.drop_duplicates("group")["n_reports"].tolist() == [1, 4]


def test_similarity_matrix_is_symmetric_with_ones_on_the_diagonal(model):
    sim = tfidf.similarity(model)
    assert list(sim.index) == list(sim.columns) == LABELS
    values = sim.to_numpy()
    assert np.allclose(values, values.T)
    assert np.allclose(np.diag(values), 1.0)
    assert ((values >= 0) & (values <= 1)).all()
    order = tfidf.cluster_order(sim)
    assert sorted(order) == sorted(LABELS)
    assert tfidf.most_similar_pairs(sim, top_n=1)[["a", "b"]].values.tolist() == [["云龙镇 2023", "湖塘街道 2024"]]


def test_topics_are_identical_across_runs(parts):
    first = tfidf.topics(tfidf.fit_tfidf(parts), n_topics=3)
    second = tfidf.topics(tfidf.fit_tfidf(parts), n_topics=3)
    pd.testing.assert_frame_equal(first.words, second.words)
    pd.testing.assert_frame_equal(first.shares, second.shares)
    assert np.allclose(first.shares.sum(axis=1), 1.0)
    assert len(first.names) == 3 and first.names[0].startswith("T1 ")


def test_topic_count_is_validated(model):
    with pytest.raises(FazhiError) as err:
        tfidf.topics(model, n_topics=6)
    assert str(err.value).startswith("`n_topics` = 6 is not valid; choose a whole number from 1 to 5")


def test_topic_shares_by_group(model):
    found = tfidf.topics(model, n_topics=2)
    shares = tfidf.topic_shares_by(found, "report_year")
    assert shares.index.tolist() == ["2023", "2024", "2025"]
    assert np.allclose(shares.sum(axis=1), 1.0)


def test_copied_wording_is_found_and_the_five_reports_share_none(items):
    real = tfidf.near_duplicates(items, threshold=0.0, top_n=None)
    assert len(real) == tfidf.cross_report_pairs(items) == 112
    assert (real["similarity"] < 0.3).all()  # read side by side: no copied points
    top5 = tfidf.near_duplicates(items, threshold=0.0, top_n=5, block=4)  # small blocks: same answer
    pd.testing.assert_frame_equal(top5, real.head(5))
    assert (real["doc_id_a"].str[:12] != real["doc_id_b"].str[:12]).all()  # only across reports
    # a sixth report whose point copies 湖塘街道's third point with two words changed
    source = items[items["label"] == "湖塘街道 2024 · 3"].iloc[0]
    copy = source.copy()
    copy["report_id"], copy["doc_id"], copy["label"] = (
        "ffffffffffff",
        "ffffffffffff#1",
        "某镇 2024 · 1",
    )
    copy["text"] = copy["analysis_text"] = source["text"].replace("街道", "我镇").replace("各条线", "各部门")
    found = tfidf.near_duplicates(pd.concat([items, copy.to_frame().T], ignore_index=True), threshold=0.3)
    assert found.iloc[0][["label_a", "label_b"]].tolist() == ["湖塘街道 2024 · 3", "某镇 2024 · 1"]
    assert found.iloc[0]["similarity"] > 0.7 and len(found) == 1
    assert "合法性审查" in found.iloc[0]["shared"]


def test_problems_vocabulary_differs_from_achievements(corpus):
    vocab = tfidf.compare_vocabulary(corpus, top_n=10)
    problems = vocab[vocab["leans"] == "problems"]["term"].tolist()
    achievements = vocab[vocab["leans"] == "achievements"]["term"].tolist()
    assert {"不足", "不够", "有待"} <= set(problems[:5])
    assert "调解" in achievements[:3]
    assert (vocab.loc[vocab["leans"] == "problems", "log2_ratio"] > 0).all()


def test_not_enough_reports_explains(corpus):
    assert tfidf.not_enough(tfidf.documents(corpus)) is None
    one = tfidf.documents(corpus.filter(years=[2025]))
    assert (
        tfidf.not_enough(one)
        == "所选范围内只有 1 份报告有“存在的不足和原因”部分（上社镇 2025）；比较至少需要 2 份。请放宽筛选条件（years、levels）或向语料加入报告。"
    )
    assert tfidf.not_enough(one, lang="en") == (
        "Only 1 report (上社镇 2025) with a problems part in this selection; comparing needs at least 2. "
        "Widen the filters (years, levels) or add reports to the corpus."
    )
    none = tfidf.documents(corpus.filter(years=[2016]))
    assert tfidf.not_enough(none, lang="en").startswith("Only 0 reports with a problems part")


def test_topics_need_several_documents_per_topic():
    assert tfidf.DOCS_PER_TOPIC == 5
    assert tfidf.topics_refusal(15, 3) is None and tfidf.topics_refusal(10, 2, "en") is None
    assert tfidf.topics_refusal(14, 3).startswith("不做主题分析：14 个文档不足以支持 3 个主题")
    assert "here 15" in tfidf.topics_refusal(14, 3, "en")
    assert tfidf.topics_refusal(4, 1, "en").startswith("No topics: 4 documents are too few for 1 topics")


def test_figures_render_chinese_without_missing_glyphs(model, corpus, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from fazhi_lib import typology

    found = tfidf.topics(model, n_topics=2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figures = [
            tfidf.plot_similarity(tfidf.similarity(model), title="相似度"),
            tfidf.plot_topic_shares(found.shares, title="主题"),
            tfidf.plot_vocabulary(tfidf.compare_vocabulary(corpus, top_n=5), title="词汇"),
            typology.plot_category_matrix(typology.category_matrix(corpus), title="问题类型"),
        ]
        for i, fig in enumerate(figures):
            fig.savefig(tmp_path / f"{i}.png")
            plt.close(fig)
    missing = [str(w.message) for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    assert missing == []


# --------------------------------------------------------------------------------- notebook
NOTEBOOK = ROOT / "notebooks" / "02_problems_tfidf.ipynb"


def _run(processed_dir, tmp_path, **parameters):
    import papermill

    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters={"processed_dir": str(processed_dir), "lang": "en", **parameters},
        kernel_name="python3",
        cwd=str(NOTEBOOK.parent),
        progress_bar=False,
    )
    nb = json.loads(out.read_text(encoding="utf-8"))
    texts = []
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            texts.append("".join(o.get("text", "")))
            texts += ["".join(o.get("data", {}).get(k, "")) for k in ("text/markdown", "text/plain")]
    return "\n".join(texts), nb


def test_notebook_is_registered_with_its_parameters():
    from fazhi_lib.report import notebook_parameters, read_config

    declared = notebook_parameters(NOTEBOOK)
    assert list(declared)[:1] == ["processed_dir"]
    assert {"part_kind", "unit", "group_by", "n_topics", "top_n", "years", "levels"} <= set(declared)
    assert set(read_config(ROOT / "notebooks" / "reports.yaml")["02_problems_tfidf.ipynb"]) <= set(declared)


@pytest.mark.notebook
def test_notebook_runs_on_items_with_other_topics_and_grouping(processed_dir, tmp_path):
    text, nb = _run(processed_dir, tmp_path, unit="item", n_topics=2, group_by="report_year", top_n=5)
    assert "**17 documents** (items of the `problems` part) from 5 of 5 selected reports" in text
    assert "T2 " in text and "T3 " not in text
    assert "Grouped by `report_year`: 2023 (2 reports)" in text
    assert "17 of 17 problem items fall in at least one category" in text
    # how far to trust the categories: the hand-coded reference, scored with `validation`
    assert "On 65 hand-coded items (17 from the embedded reports, 48 constructed)" in text
    assert "On the 14 held-out items, written after the rules were last revised" in text
    assert "Rules against `coded`: precision" in text
    assert "None of the 112 cross-report pairs reaches 0.3" in text
    assert sum("image/png" in o.get("data", {}) for c in nb["cells"] for o in c.get("outputs", [])) == 4


@pytest.mark.notebook
def test_notebook_explains_when_the_filter_leaves_too_few_reports(processed_dir, tmp_path):
    text, nb = _run(processed_dir, tmp_path, years=[2025], levels=["township"])
    assert "**Nothing to compare.** Only 1 report (上社镇 2025) with a problems part in this selection" in text
    assert not any(o.get("output_type") == "error" for c in nb["cells"] for o in c.get("outputs", []))


def test_top_terms_wide_for_a_page_heads_group_columns_by_their_labels():
    long = pd.DataFrame(
        {"group": ["township", "township", "subdistrict"], "rank": [1, 2, 1], "term": ["审查", "执法", "调解"]}
    )
    assert list(tfidf.top_terms_wide(long, key="group").columns) == ["township", "subdistrict"]
    zh = tfidf.top_terms_wide(long, key="group", group_by="level", lang="zh")
    assert list(zh.columns) == ["乡镇", "街道"] and zh.loc[1, "乡镇"] == "审查"
    en = tfidf.top_terms_wide(long, key="group", group_by="level", lang="en")
    assert list(en.columns) == ["township", "subdistrict"]
    years = long.assign(group=["2023", "2023", "2024"])
    assert list(tfidf.top_terms_wide(years, key="group", group_by="report_year", lang="zh").columns) == ["2023", "2024"]
