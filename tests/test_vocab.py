"""vocab.view: what a table on a page shows (labels, escaped text, line breaks, every row of a long table)."""

import pandas as pd

from fazhi_lib.vocab import SCROLL_ROWS, Scrolling, view


def test_text_cells_keep_their_line_breaks_and_are_escaped():
    html = view(pd.DataFrame({"sentence": ["（一）队伍薄弱\n全镇干部77人<script>"]})).to_html()
    assert "（一）队伍薄弱\n全镇干部77人&lt;script&gt;" in html and "<script>" not in html
    assert "\\n" not in html and "white-space: pre-line" in html
    assert "原句" in html  # the column label in Chinese


def test_a_long_table_is_shown_whole_in_a_scrolling_box():
    short = view(pd.DataFrame({"value": range(SCROLL_ROWS)}))
    assert not isinstance(short, Scrolling)
    long = view(pd.DataFrame({"value": range(67)}))
    html = long._repr_html_()
    assert isinstance(long, Scrolling) and 'class="fazhi-scroll"' in html and "overflow:auto" in html
    assert html.count("<tr>") == 68  # the header row and every one of the 67 rows: nothing cut


def test_clip_shortens_long_texts_only():
    html = view(pd.DataFrame({"term": ["短", "长" * 50]}), clip=10).to_html()
    assert "长" * 9 + "…" in html and "长" * 10 not in html and ">短<" in html


def test_statuses_directions_key_groups_and_booleans_are_labelled():
    from fazhi_lib.vocab import relabel

    table = pd.DataFrame(
        {
            "status": ["ok", "warning"],
            "direction": ["上升 up", "下降 down"],
            "key_for": ["a", "b"],
            "is_value": [True, False],
            "stratum": ["enforcement", "staffing"],
        }
    )
    zh = relabel(table)
    assert zh.to_dict("list") == {
        "解析状态": ["正常", "有提示"],
        "方向": ["上升", "下降"],
        "关键于": ["A 组", "B 组"],
        "取此值": ["是", "否"],
        "分层": ["执法规范性", "队伍/人员力量不足"],
    }
    en = relabel(table, "en")
    assert en["status"].tolist() == ["ok", "warning"] and en["is the value"].tolist() == ["yes", "no"]
    assert en["direction"].tolist() == ["up", "down"] and en["key for"].tolist() == ["group A", "group B"]


def test_labels_of_a_wide_table_header_follow_the_kind_of_the_column():
    from fazhi_lib.vocab import kind_of, labels

    assert labels(["township", "county", "(unknown)"], kind_of("level")) == ["乡镇", "县（市、区）", "（未知）"]
    assert labels([2023, "2024"], kind_of("report_year")) == [2023, "2024"]  # not a coded column: unchanged
    assert labels(["east"], kind_of("region"), "en") == ["east"]
