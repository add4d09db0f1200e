"""Keyness, collocations, co-occurrence and dictionaries (fazhi_lib/reading.py).

Small texts whose cut is known (domain-dictionary terms: 执法监督, 合法性审查, 共享法庭) give counts,
PMI, G² and Jaccard values worked out by hand in the comments; the five embedded reports check that
the tools find what a reader finds.
"""

import math

import pandas as pd
import pytest

from fazhi_lib import FazhiError
from fazhi_lib import reading as rd

# four sentences / clauses:  执法监督 合法性审查 | 执法监督 合法性审查 | 共享法庭 执法监督 | 共享法庭 建设
SMALL = ["执法监督合法性审查。执法监督合法性审查。", "共享法庭执法监督。共享法庭建设。"]


# ----------------------------------------------------------------------------------- keyness
def test_g2_of_a_hand_computed_two_by_two_table():
    # term: 10 of 100 tokens in A, 5 of 200 in B → table [[10, 90], [5, 195]], N = 300
    # expected under independence: [[100·15/300, 100·285/300], [200·15/300, 200·285/300]] = [[5, 95], [10, 190]]
    by_hand = 2 * (10 * math.log(10 / 5) + 90 * math.log(90 / 95) + 5 * math.log(5 / 10) + 195 * math.log(195 / 190))
    assert by_hand == pytest.approx(7.32981, abs=1e-5)
    assert rd.log_likelihood([[10, 90], [5, 195]]) == pytest.approx(by_hand)
    table = rd.keyness_table({"执法": 10, "其他": 90}, {"执法": 5, "其他": 195}, min_count=1, correction="none")
    row = table.set_index("term").loc["执法"]
    assert row["g2"] == pytest.approx(by_hand, abs=1e-4)
    assert row["measure"] == "g2"
    # the default divides by Williams' q = 1 + (300/15 + 300/285 − 1)(300/100 + 300/200 − 1) / (6·300)
    q = 1 + (20 + 300 / 285 - 1) * (3 + 1.5 - 1) / 1800
    default = rd.keyness_table({"执法": 10, "其他": 90}, {"执法": 5, "其他": 195}, min_count=1)
    assert default.set_index("term").loc["执法", "g2"] == pytest.approx(by_hand / q, abs=1e-4)  # 7.0547
    assert default.loc[0, "measure"] == "g2 (Williams' correction)"
    assert row["log_ratio"] == pytest.approx(math.log2((10 / 100) / (5 / 200)))  # = 2: four times as frequent
    assert row["p_value"] == pytest.approx(0.006783, abs=1e-5)  # χ²(1) upper tail of 7.3298
    assert row["key_for"] == "a" and row["per_10k_a"] == 1000.0 and row["per_10k_b"] == 250.0


def test_keyness_sign_and_order():
    a = {"不足": 8, "法治": 10, "调解": 1, "建设": 5}  # 24 tokens
    b = {"不足": 1, "法治": 10, "调解": 12, "建设": 5}  # 28 tokens
    table = rd.keyness_table(a, b, min_count=1)
    assert table["term"].tolist()[0] == "不足"  # A's strongest first
    assert table["term"].tolist()[-1] == "调解"  # B's strongest last
    assert table.set_index("term").loc["不足", "g2"] > 0 and table.set_index("term").loc["调解", "g2"] < 0
    assert (table["g2"].diff().dropna() <= 0).all()  # sorted by signed G²
    assert dict(zip(table["term"], table["key_for"]))["调解"] == "b"
    # a term equally frequent relatively in both (法治: 10/24 vs 10/28 is not equal; 建设 neither): sign follows rates
    row = table.set_index("term").loc["法治"]
    assert (row["g2"] > 0) == (10 / 24 > 10 / 28)
    # swapping the groups flips every sign and reverses the order
    swapped = rd.keyness_table(b, a, min_count=1)
    assert swapped["term"].tolist() == table["term"].tolist()[::-1]
    assert swapped.set_index("term")["g2"].to_dict() == {t: -g for t, g in table.set_index("term")["g2"].items()}


def test_keyness_min_count_and_zero_count_log_ratio():
    table = rd.keyness_table({"甲": 3, "乙": 1}, {"乙": 4}, min_count=2)
    assert table["term"].tolist() == ["甲", "乙"]
    # 甲 never occurs in B: Hardie's log ratio counts the zero as 0.5
    assert table.set_index("term").loc["甲", "log_ratio"] == pytest.approx(math.log2((3 / 4) / (0.5 / 4)), abs=1e-4)
    assert rd.keyness_table({"甲": 1, "乙": 5}, {"乙": 4}, min_count=2)["term"].tolist() == ["乙"]


def test_keyness_on_the_five_reports_problems_vs_achievements(corpus):
    table = rd.keyness(corpus, "part=problems", "part=achievements")
    assert list(table.columns) == [*rd.KEYNESS_COLUMNS, "measure"]
    top = table[table["key_for"] == "a"].head(3)["term"].tolist()
    assert "不足" in top  # problems parts admit shortcomings: 不足 is the problems part's key word
    assert table.set_index("term").loc["不足", "count_b"] == 0
    assert table.attrs["reports_a"] == 5 and table.attrs["reports_b"] == 5
    assert table.attrs["tokens_a"] < table.attrs["tokens_b"]  # problems parts are short
    assert "调解" in table[table["key_for"] == "b"]["term"].tail(3).tolist()  # mediation: reported as an achievement


def test_keyness_masks_the_issuers_own_name(corpus):
    table = rd.keyness(corpus, "issuer=塘栖镇", "rest")
    assert "塘栖" not in set(table["term"]) and "塘栖镇" not in set(table["term"])
    unmasked = rd.keyness(corpus, "issuer=塘栖镇", "rest", mask_issuer=False)
    assert unmasked.iloc[0]["term"] in ("塘栖", "塘栖镇")


def test_keyness_groups_that_select_nothing_or_bad_keys(corpus):
    with pytest.raises(FazhiError, match="Group A selects no texts"):
        rd.keyness(corpus, "year=1999", "year=2023")
    with pytest.raises(FazhiError, match=r"`group key` = 'yaer' is not valid; choose one of: .*year"):
        rd.keyness(corpus, "yaer=2024", "year=2023")
    with pytest.raises(FazhiError, match=r"`part_kind` = 'problem' is not valid; choose one of: "):
        rd.keyness(corpus, "part=problem", "part=achievements")
    with pytest.raises(FazhiError, match="`year` = 'last' is not valid"):
        rd.parse_group("year=last")


@pytest.mark.parametrize(
    "spec, filters, part, rest",
    [
        ("year=2024", (("years", (2024,)),), None, False),
        ("year=2023,2024;part=problems", (("years", (2023, 2024)),), "problems", False),
        (
            "level=township & province=浙江省",
            (("levels", ("township",)), ("provinces", ("浙江省",))),
            None,
            False,
        ),
        ("part=achievements", (), "achievements", False),
        ("rest", (), None, True),
        ("", (), None, False),
        ({"years": [2023], "part": "plan"}, (("years", (2023,)),), "plan", False),
    ],
)
def test_parse_group(spec, filters, part, rest):
    g = rd.parse_group(spec)
    assert (g.filters, g.part, g.rest) == (filters, part, rest)


def test_group_texts_selects_reports_and_parts(corpus):
    texts = rd.group_texts(corpus, "year=2023")
    assert sorted(texts["issuer"]) == ["云龙镇", "澧浦镇"] and set(texts["part"]) == {"all"}
    problems = rd.group_texts(corpus, "level=township", part="problems")
    assert len(problems) == 4 and set(problems["part"]) == {"problems"}
    assert all(len(t) < 1500 for t in problems["text"])
    rest = rd.group_texts(corpus, "rest", other="year=2023")
    assert sorted(rest["issuer"]) == ["上社镇", "塘栖镇", "湖塘街道"]


# ------------------------------------------------------------------------------- collocations
def test_bigram_counts_pmi_and_g2_by_hand():
    table = rd.collocations(SMALL, n=2, min_count=1)
    # words: 执法监督 ×3, 合法性审查 ×2, 共享法庭 ×2, 建设 ×1 (8); bigrams: 执法监督 合法性审查 ×2,
    # 共享法庭 执法监督 ×1, 共享法庭 建设 ×1 (4)
    assert table["collocation"].tolist() == [
        "执法监督 合法性审查",
        "共享法庭 建设",
        "共享法庭 执法监督",
    ]
    top = table.iloc[0]
    assert top["count"] == 2
    assert top["pmi"] == pytest.approx(math.log2((2 / 4) / ((3 / 8) * (2 / 8))), abs=1e-4)
    # table [[2, 0], [0, 2]], every expected count 1 → G² = 2·(2 ln 2 + 2 ln 2)
    assert top["g2"] == pytest.approx(8 * math.log(2), abs=1e-4)
    second = table.iloc[1]
    assert second["pmi"] == pytest.approx(math.log2((1 / 4) / ((2 / 8) * (1 / 8))), abs=1e-4)  # = 3
    # 共享法庭 first twice, 建设 second once: [[1, 1], [0, 2]], expected [[.5, 1.5], [.5, 1.5]]
    assert second["g2"] == pytest.approx(2 * (math.log(2) + math.log(1 / 1.5) + 2 * math.log(2 / 1.5)), abs=1e-4)
    assert rd.collocations(SMALL, n=2, min_count=2)["collocation"].tolist() == ["执法监督 合法性审查"]


def test_collocations_do_not_bridge_punctuation_or_keep_stopwords():
    # 、 separates clauses: no 执法监督 合法性审查 bigram; 意识 不 强: single characters are not collocates
    assert rd.collocations(["执法监督、合法性审查。"] * 3, n=2, min_count=1).empty
    table = rd.collocations(["依法行政意识不强。"] * 3, n=2, min_count=1)
    assert table["collocation"].tolist() == ["依法行政 意识"]


def test_trigrams_and_bad_n():
    table = rd.collocations(["共享法庭执法监督合法性审查。"] * 2, n=3, min_count=2)
    assert table["collocation"].tolist() == ["共享法庭 执法监督 合法性审查"]
    assert table.iloc[0]["count"] == 2 and table.iloc[0]["n"] == 3
    with pytest.raises(FazhiError, match=r"`n` = 4 is not valid; choose one of: 2, 3\."):
        rd.collocations(SMALL, n=4)


def test_collocations_on_the_five_reports(corpus):
    table = rd.collocations(rd.group_texts(corpus, "part=achievements"), n=2, min_count=3, corpus=corpus)
    assert list(table.columns) == rd.COLLOCATION_COLUMNS
    assert (table["count"] >= 3).all()
    assert "法治政府 建设" in table.head(5)["collocation"].tolist()
    assert table.equals(rd.collocations(rd.group_texts(corpus, "part=achievements"), n=2, min_count=3, corpus=corpus))


# ------------------------------------------------------------------------------ co-occurrence
def test_cooccurrence_jaccard_by_hand():
    g = rd.cooccurrence(SMALL, min_count=2, min_cooccur=1)
    # sentences with: 执法监督 3, 合法性审查 2, 共享法庭 2, 建设 1 (below min_count)
    assert dict(g.nodes(data="count")) == {"执法监督": 3, "合法性审查": 2, "共享法庭": 2}
    assert g.graph == {"measure": "jaccard", "n_sentences": 4}
    assert g["合法性审查"]["执法监督"]["weight"] == pytest.approx(2 / (2 + 3 - 2))
    assert g["共享法庭"]["执法监督"]["weight"] == pytest.approx(1 / (2 + 3 - 1))
    assert not g.has_edge("合法性审查", "共享法庭")
    assert list(rd.cooccurrence(SMALL, min_count=2, min_cooccur=2).edges) == [("执法监督", "合法性审查")]
    pmi = rd.cooccurrence(SMALL, min_count=2, min_cooccur=2, measure="pmi")
    assert pmi["合法性审查"]["执法监督"]["weight"] == pytest.approx(math.log2(2 * 4 / (2 * 3)), abs=1e-6)
    with pytest.raises(
        FazhiError,
        match="`measure` = 'cosine' is not valid; choose one of: jaccard, dice, pmi, count.",
    ):
        rd.cooccurrence(SMALL, measure="cosine")


def test_cooccurrence_network_on_the_five_reports_and_figure(corpus):
    texts = rd.group_texts(corpus)
    g = rd.cooccurrence(texts, corpus=corpus, n_edges=40)
    assert g.number_of_edges() == 40
    edges = rd.edges_table(g)
    assert (edges.iloc[0]["term_a"], edges.iloc[0]["term_b"]) == ("建设", "法治政府")
    assert ("化解", "矛盾纠纷") in set(zip(edges["term_a"], edges["term_b"]))
    again = rd.edges_table(rd.cooccurrence(texts, corpus=corpus, n_edges=40))
    pd.testing.assert_frame_equal(edges, again)
    fig = rd.plot_network(g)
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert "法治政府" in labels and "jaccard" in fig.axes[0].get_title()
    assert fig.axes[0].texts[0].get_fontname() == "Noto Sans SC"


def test_keyness_figure(corpus):
    fig = rd.plot_keyness(rd.keyness(corpus, "part=problems", "part=achievements"), top_n=5)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(ticks) == 10 and ticks[0] == "不足"


# ------------------------------------------------------------------------------- dictionaries
def test_dictionary_counts_longest_term_first_and_per_10k(tmp_path):
    path = tmp_path / "dict.yaml"
    path.write_text("审查:\n  - 审查\n  - 合法性审查\n调解: [调解]\n", encoding="utf-8")
    dic = rd.load_dictionary(path)
    assert dic.names == ["审查", "调解"]
    found = rd.count_terms("强化合法性审查,开展审查。", dic)
    assert dict(found["审查"]) == {"合法性审查": 1, "审查": 1} and not found["调解"]
    # traditional characters are matched in simplified form
    assert dict(rd.count_terms("開展合法性審查", dic)["审查"]) == {"合法性审查": 1}


def test_dictionary_counts_on_the_five_reports(corpus):
    dic = {"审查": ["合法性审查"], "枫桥": ["枫桥经验"]}
    per_report = rd.dictionary_counts(corpus, dic)
    assert list(per_report.columns) == rd.DICTIONARY_COLUMNS
    assert len(per_report) == 5 * 2  # zeros kept
    texts = dict(zip(corpus.texts["report_id"], corpus.texts["text"]))
    for row in per_report.itertuples():
        term = dic[row.category][0]
        assert row.count == texts[row.report_id].count(term)  # counted by hand with str.count
        assert row.n_chars == len(texts[row.report_id])
        assert row.per_10k_chars == pytest.approx(1e4 * row.count / row.n_chars, abs=1e-3)
        assert row.matched_terms == (f"{term}×{row.count}" if row.count else "")
    tangqi = per_report[(per_report["issuer"] == "塘栖镇") & (per_report["category"] == "审查")].iloc[0]
    assert tangqi["count"] == 3  # the page prints the body twice; the clean text holds it once
    per_part = rd.dictionary_counts(corpus, dic, by="part")
    assert (
        per_part.groupby(["report_id", "category"])["count"].sum().to_dict()
        == per_report.set_index(["report_id", "category"])["count"].to_dict()
    )
    assert set(per_part["part"]) >= {"achievements", "problems", "preamble"}


def test_example_dictionary_file_loads():
    from fazhi_lib.rules import RULES_DIR

    dic = rd.load_dictionary(RULES_DIR / "example_dictionary.yaml")
    assert "审查与决策" in dic.names and "合法性审查" in dict(dic.categories)["审查与决策"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("- 合法性审查\n", "expected a mapping of category"),
        ("审查: []\n", "category '审查' needs a list of terms"),
        ("审查: [合法性审查, null]\n", "term None of category '审查' is not valid"),
        ("审查: [合法性审查\n", "is not valid YAML"),
    ],
)
def test_bad_dictionary_files(tmp_path, content, message):
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FazhiError, match=message):
        rd.load_dictionary(path)
    with pytest.raises(FazhiError, match="does not exist"):
        rd.load_dictionary(tmp_path / "missing.yaml")


def test_network_edges_pass_a_minimum_count_and_labels_do_not_overlap(corpus):
    part_texts = rd.group_texts(corpus, part="problems")
    loose = rd.cooccurrence(part_texts, corpus=corpus, min_count=2, min_cooccur=2)
    strict = rd.cooccurrence(part_texts, corpus=corpus, min_count=rd.MIN_EDGE_COUNT, min_cooccur=rd.MIN_EDGE_COUNT)
    # by hand: 完全 and 尚未 stand together (尚未完全…) in exactly two sentences of the problems parts
    assert loose.has_edge("完全", "尚未") and loose.edges["完全", "尚未"]["count"] == 2
    assert rd.edges_table(loose).iloc[0][["term_a", "term_b"]].tolist() == ["完全", "尚未"]  # led before
    assert not strict.has_node("完全") and (rd.edges_table(strict)["count"] >= 3).all()
    assert 0 < strict.number_of_edges() < loose.number_of_edges()
    for graph in (loose, strict):
        fig = rd.plot_network(graph)
        assert len(fig.fazhi_labels) == graph.number_of_nodes()
        assert rd.label_overlaps(fig) == []
        legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        assert legend[0].startswith("群 1：") and "粗线：关联更强" in legend
    en = rd.plot_network(strict, lang="en")
    assert en.axes[0].get_legend().get_texts()[0].get_text().startswith("group 1: ")
    assert rd.plot_network(rd.cooccurrence(part_texts[:0], corpus=corpus)).fazhi_labels == []


def test_dictionary_matrix_for_a_page_names_its_category_column(corpus):
    counts = rd.dictionary_counts(corpus, {"审查": ["合法性审查"], "调解": ["调解"]})
    assert rd.dictionary_matrix(counts).index.name == "category"
    zh = rd.dictionary_matrix(counts, lang="zh")
    assert zh.index.name == "类别" and zh.columns.name is None and list(zh.index) == ["审查", "调解"]
    assert rd.dictionary_matrix(counts, lang="en").index.name == "category"
