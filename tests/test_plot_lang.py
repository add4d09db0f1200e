"""The figures of the library name their axes in the page's language (`lang`): Chinese by default, English
with lang="en", an unknown language refused in the one phrasing."""

import re

import matplotlib
import numpy as np
import pandas as pd
import pytest

from fazhi_lib import crosstab, profile, reading, tfidf, typology
from fazhi_lib.errors import FazhiError

matplotlib.use("Agg")

CJK = re.compile(r"[\u4e00-\u9fff]")


def _figure(obj):
    """The Figure of what a plot function returns (a Figure, or the Axes it drew on)."""
    from matplotlib.axes import Axes

    return obj.figure if isinstance(obj, Axes) else obj


def axis_texts(fig) -> list[str]:
    """Axis names, colour-bar names and titles of every axes of a figure (tick labels left out: those are
    the data's own words)."""
    fig = _figure(fig)
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [ax.get_xlabel(), ax.get_ylabel(), ax.get_title()]
    return [t for t in out if t]


SIM = pd.DataFrame(
    [[1.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 1.0]],
    index=["塘栖镇 2024", "湖塘街道 2024", "云龙镇 2023"],
    columns=["塘栖镇 2024", "湖塘街道 2024", "云龙镇 2023"],
)
SHARES = pd.DataFrame({"T1 审查/合法性": [0.7, 0.2], "T2 执法/队伍": [0.3, 0.8]}, index=["塘栖镇 2024", "云龙镇 2023"])
VOCAB = pd.DataFrame({"term": ["不足", "薄弱", "开展"], "log2_ratio": [3.0, 2.0, -2.5]})
MATRIX = pd.DataFrame(
    {"塘栖镇 2024": [2, 0], "云龙镇 2023": [1, 3]}, index=pd.Index(["执法规范性", "普法实效"], name="category")
)
KEY = pd.DataFrame(
    {
        "term": ["不足", "薄弱", "开展"],
        "count_a": [13, 6, 0],
        "count_b": [0, 1, 30],
        "g2": [47.2, 12.0, -13.3],
        "p_value": [1e-6, 1e-3, 2e-4],
        "key_for": ["a", "a", "b"],
    }
)
KEY.attrs = {"stat": "g2", "group_a": "part=problems", "group_b": "rest", "measure_label": "g2 (Williams' correction)"}
TERMS = pd.DataFrame(
    [[9, 1, 2], [1, 8, 2], [2, 2, 9], [5, 5, 1], [1, 3, 6]],
    index=pd.Index(["审查", "执法", "普法", "调解", "队伍"], name="term"),
    columns=pd.Index(["township", "subdistrict", "county"], name="level"),
)
LENGTHS = pd.DataFrame(
    {"this report": [3000, 800], "corpus median": [2500.0, 900.0]},
    index=pd.Index(["achievements", "problems"], name="part"),
)

# figure maker, a text every zh figure shows, the English text an en figure shows in its place
CASES = {
    "plot_similarity": (lambda lang: tfidf.plot_similarity(SIM, lang=lang), "余弦相似度", "cosine similarity"),
    "plot_similarity_flat": (
        lambda lang: tfidf.plot_similarity(SIM, cluster=False, lang=lang),
        "余弦相似度",
        "cosine similarity",
    ),
    "plot_topic_shares": (lambda lang: tfidf.plot_topic_shares(SHARES, lang=lang), "主题占比", "topic share"),
    "plot_vocabulary": (
        lambda lang: tfidf.plot_vocabulary(VOCAB, lang=lang),
        "相对频率之比的 log2 值",
        "log2 ratio of relative frequencies",
    ),
    "plot_category_matrix": (lambda lang: typology.plot_category_matrix(MATRIX, lang=lang), "问题条数", "items"),
    "plot_keyness": (lambda lang: reading.plot_keyness(KEY, lang=lang), "带符号的 G²（Williams 校正）", "signed G²"),
    "plot_ca": (lambda lang: crosstab.plot_ca(crosstab.correspondence_analysis(TERMS), lang=lang), "第一维", "dim 1"),
    "plot_part_lengths": (lambda lang: profile.plot_part_lengths(LENGTHS, lang=lang), "字数", "characters"),
}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.mark.parametrize("name", CASES)
def test_axes_in_chinese_by_default_and_in_english_on_request(name):
    make, zh_text, en_text = CASES[name]
    zh = axis_texts(make("zh"))
    assert any(zh_text in t for t in zh), zh
    assert not any(en_text in t for t in zh), zh
    # every axis name and title of a Chinese figure is written in Chinese (data values such as
    # `part=problems` may be quoted inside it)
    assert all(CJK.search(t) for t in zh), zh
    en = axis_texts(make("en"))
    assert any(en_text in t for t in en), en
    assert not any(zh_text in t for t in en), en


@pytest.mark.parametrize("name", CASES)
def test_an_unknown_language_is_refused(name):
    make = CASES[name][0]
    with pytest.raises(FazhiError, match=r"`lang` = 'fr' is not valid; choose one of: zh, en\."):
        make("fr")


def test_correspondence_map_names_groups_by_their_labels():
    fig = crosstab.plot_ca(crosstab.correspondence_analysis(TERMS), lang="zh")
    texts = {t.get_text() for ax in fig.axes for t in ax.texts}
    assert {"乡镇", "街道", "县（市、区）"} <= texts and not texts & {"township", "county"}
    fig = crosstab.plot_ca(crosstab.correspondence_analysis(TERMS), lang="en")
    assert {"township", "subdistrict", "county"} <= {t.get_text() for ax in fig.axes for t in ax.texts}


def test_keyness_without_key_terms_says_so_in_the_language():
    empty = KEY.assign(g2=np.zeros(3))
    empty.attrs = KEY.attrs
    for lang, text in (("zh", "没有关键词"), ("en", "no key terms")):
        fig = reading.plot_keyness(empty, lang=lang)
        assert text in [t.get_text() for ax in fig.axes for t in ax.texts]
