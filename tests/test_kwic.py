"""Keyword in context (fazhi_lib/kwic.py): positions, parts, context windows and errors.

The CLI and more hand counts are in test_kwic_cli.py. Expectations below were read off the clean texts
and checked against data/raw/: 云龙镇 writes 枫桥经验 once in its achievements (打造“枫桥经验”云龙样板) and
twice in its plan ((五)探索新时代“枫桥经验”的云龙路径 / 坚持发展新时代“枫桥经验”).
"""

import pandas as pd
import pytest

from fazhi_lib import FazhiError
from fazhi_lib.corpus import Corpus
from fazhi_lib.kwic import KWIC_COLUMNS, kwic


def test_parts_and_offsets_of_a_keyword(corpus):
    hits = kwic(corpus, "枫桥经验", window=5)
    yl = hits[hits["issuer"] == "云龙镇"]
    assert yl["part"].tolist() == ["achievements", "plan", "plan"]
    assert yl["left"].tolist()[0] == "伍,打造“" and yl["right"].tolist()[0] == "”云龙样板"
    text = corpus.texts.set_index("report_id").at[yl["report_id"].iloc[0], "text"]
    for start in yl["start"]:
        assert text[start : start + 4] == "枫桥经验"
    assert hits["report_year"].dtype == "Int64" and hits["start"].dtype == "int64"
    assert list(hits.columns) == KWIC_COLUMNS


def test_sorted_by_year_issuer_report_offset(corpus):
    hits = kwic(corpus, "法治", window=3)
    keys = list(zip(hits["report_year"], hits["issuer"], hits["report_id"], hits["start"]))
    assert keys == sorted(keys) and len(hits) > 100


def test_window_zero_and_regex_groups(corpus):
    hits = kwic(corpus, r"(\d+)起", regex=True, window=0)
    assert (hits["left"] == "").all() and (hits["right"] == "").all()
    assert hits["match"].str.fullmatch(r"\d+起").all()


def test_traditional_pattern_finds_simplified_text(corpus):
    assert len(kwic(corpus, "楓橋經驗")) == len(kwic(corpus, "枫桥经验")) == 8


def test_parts_table_used_when_no_sections():
    text = "前言。\n一、主要成效\n开展合法性审查。\n二、存在的不足\n合法性审查不够。"
    cut = text.index("二、")
    tiny = Corpus(
        {
            "reports": pd.DataFrame({"report_id": ["r"], "issuer": ["某镇"], "report_year": [2024]}),
            "texts": pd.DataFrame({"report_id": ["r"], "text": [text]}),
            "parts": pd.DataFrame(
                {
                    "report_id": ["r"] * 3,
                    "kind": ["preamble", "achievements", "problems"],
                    "start": [0, 4, cut],
                    "end": [4, cut, len(text)],
                }
            ),
        }
    )
    assert kwic(tiny, "合法性审查")["part"].tolist() == ["achievements", "problems"]
    assert kwic(tiny, "合法性审查", part="problems")["start"].tolist() == [text.rindex("合法性审查")]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"pattern": ""}, r"`pattern` = '' is not valid"),
        ({"pattern": "a*", "regex": True}, r"matches the empty string"),
        ({"pattern": "法治", "window": -1}, r"`window` = -1 is not valid"),
        ({"pattern": "法治", "window": 2.5}, r"`window` = 2.5 is not valid"),
        ({"pattern": "法治", "part": "plans"}, r"`part` = 'plans' is not valid; choose one of: preamble, achievements"),
    ],
)
def test_bad_arguments_are_clear_errors(corpus, kwargs, message):
    pattern = kwargs.pop("pattern")
    with pytest.raises(FazhiError, match=message):
        kwic(corpus, pattern, **kwargs)


def test_empty_corpus():
    assert kwic(Corpus({}), "法治").columns.tolist() == KWIC_COLUMNS


# ------------------------------------------------------------ several patterns, tokens, quanteda's shape
def test_several_patterns_each_row_names_its_pattern(corpus):
    from fazhi_lib.kwic import as_quanteda

    both = kwic(corpus, ["枫桥经验", "合法性审查"], window=5)
    one = kwic(corpus, "枫桥经验", window=5)
    other = kwic(corpus, "合法性审查", window=5)
    assert len(both) == len(one) + len(other)
    assert set(both["pattern"]) == {"枫桥经验", "合法性审查"}
    texts = corpus.texts.set_index("report_id")["text"]
    for row in both.itertuples():
        assert texts[row.report_id][row.start : row.end] == row.match
    q = as_quanteda(both)
    assert list(q.columns) == ["docname", "from", "to", "pre", "keyword", "post", "pattern"]


def test_token_positions_and_token_window():
    # 强化 合法性审查 , 开展 审查 。 → word tokens 1 强化, 2 合法性审查, 3 开展, 4 审查 (punctuation not counted)
    from fazhi_lib.kwic import token_spans

    text = "强化合法性审查,开展审查。"
    assert [(s, e, t) for s, e, t in token_spans(text)] == [
        (0, 2, "强化"),
        (2, 7, "合法性审查"),
        (8, 10, "开展"),
        (10, 12, "审查"),
    ]
    c = _one_report_corpus(text)
    hits = kwic(c, "审查", window=1, window_unit="tokens")
    assert hits[["start", "end", "from", "to"]].values.tolist() == [[5, 7, 2, 2], [10, 12, 4, 4]]
    assert hits["left"].tolist() == ["强化", "开展"]  # the one token before the token holding the match
    assert hits["right"].tolist() == ["开展", ""]
    chars = kwic(c, "合法性审查", window=2)
    assert chars.loc[0, "left"] == "强化" and chars.loc[0, "right"] == ",开"


def test_glob_matches_tokens():
    c = _one_report_corpus("强化合法性审查,开展审查。加强审查队伍建设。")
    hits = kwic(c, "*审查", valuetype="glob")
    assert hits["match"].tolist() == ["合法性审查", "审查", "审查"]
    two = kwic(c, "开展 审*", valuetype="glob")
    assert two["match"].tolist() == ["开展审查"] and two[["from", "to"]].values.tolist() == [[3, 4]]
    with pytest.raises(FazhiError, match="not only wildcards"):
        kwic(c, "*", valuetype="glob")
    with pytest.raises(FazhiError, match="`valuetype` = 'exact' is not valid; choose one of: fixed, regex, glob"):
        kwic(c, "审查", valuetype="exact")
    with pytest.raises(FazhiError, match="`window_unit` = 'words' is not valid"):
        kwic(c, "审查", window_unit="words")


def _one_report_corpus(text):
    import pandas as pd

    reports = pd.DataFrame({"report_id": ["r1"], "issuer": ["甲镇"], "report_year": [2024]})
    texts = pd.DataFrame({"report_id": ["r1"], "text": [text]})
    return Corpus({"reports": reports, "texts": texts})


def test_kwic_html_for_a_page_labels_headers_and_parts(corpus):
    from fazhi_lib.kwic import kwic_html

    hits = kwic(corpus, "枫桥经验", window=5)
    zh = kwic_html(hits, "zh").to_html()
    assert all(h in zh for h in ("发布机关", "报告年度", "部分", "前文", "命中", "后文"))
    assert "主要举措和成效" in zh and ">achievements<" not in zh and ">issuer<" not in zh
    assert "background-color: #fff3a3" in zh  # the match still highlighted under its Chinese header
    en = kwic_html(hits, "en").to_html()
    assert ">achievements<" in en and ">left<" in en
    assert ">achievements<" in kwic_html(hits).to_html()  # codes without `lang`
