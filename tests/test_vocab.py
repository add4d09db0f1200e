"""vocab.view: what a table on a page shows (labels, escaped text, line breaks, every row of a long table,
sortable and searchable in the rendered page)."""

import re

import lxml.html
import pandas as pd
import pytest

from fazhi_lib import report as rp
from fazhi_lib.kwic import kwic_html
from fazhi_lib.vocab import INTERACTIVE_ROWS, Interactive, view


def test_text_cells_keep_their_line_breaks_and_are_escaped():
    html = view(pd.DataFrame({"sentence": ["（一）队伍薄弱\n全镇干部77人<script>"]})).to_html()
    assert "（一）队伍薄弱\n全镇干部77人&lt;script&gt;" in html and "<script>" not in html
    assert "\\n" not in html and "white-space: pre-line" in html
    assert "原句" in html  # the column label in Chinese


def test_a_short_table_stays_a_plain_table():
    short = view(pd.DataFrame({"value": range(INTERACTIVE_ROWS)}))
    assert not isinstance(short, Interactive)
    html = short.to_html()
    assert "data-fazhi-sortable" not in html and "fazhi-scroll" not in html
    assert rp.with_table_assets(f"<html><body>{html}</body></html>") == f"<html><body>{html}</body></html>"


def test_a_long_table_is_shown_whole_and_marked_sortable():
    df = pd.DataFrame({"issuer": [f"某镇{i:02d}<b>" for i in range(67)], "value": [i * 1.5 for i in range(67)]})
    long = view(df, "en")
    html = long._repr_html_()
    assert isinstance(long, Interactive) and long.n_rows == 67
    box = lxml.html.fragment_fromstring(html)
    assert box.get("class") == "fazhi-scroll" and box.get("data-fazhi-sortable") is not None
    assert "overflow:auto" in box.get("style") and box.get("data-rows") == "67"
    rows = box.xpath(".//tbody/tr")
    assert len(rows) == 67  # nothing cut
    assert [r.xpath("td")[0].text_content() for r in rows] == [f"某镇{i:02d}<b>" for i in range(67)]  # text
    assert [th.text_content() for th in box.xpath(".//thead//th")] == ["issuer", "value"]  # labels in `lang`
    assert [th.text_content() for th in lxml.html.fragment_fromstring(view(df).to_html()).xpath(".//th")] == [
        "发布机关",
        "数值",
    ]
    assert "<b>" not in html and "0x" not in repr(long)


def test_a_table_id_is_the_same_for_the_same_content_and_differs_with_it():
    def ids(html):
        return set(re.findall(r'id="(T_[0-9a-f]+)"', html))

    df = pd.DataFrame({"value": range(30)})
    assert ids(view(df).to_html()) == ids(view(df.copy()).to_html()) and len(ids(view(df).to_html())) == 1
    assert ids(view(df).to_html()) != ids(view(df + 1).to_html())
    hits = pd.DataFrame(
        {"issuer": ["某县"] * 20, "report_year": [2024] * 20, "part": ["problems"] * 20}
        | {"left": ["左"] * 20, "match": ["审查"] * 20, "right": ["<i>右</i>"] * 20}
    )
    assert kwic_html(hits).to_html() == kwic_html(hits.copy()).to_html()  # no random Styler id
    assert isinstance(kwic_html(hits), Interactive) and not isinstance(kwic_html(hits.head(3)), Interactive)


@pytest.mark.parametrize("n_long", [0, 1, 3])
def test_the_table_script_is_inlined_once_per_page_with_a_long_table(n_long):
    tables = [view(pd.DataFrame({"value": range(40 + i)})).to_html() for i in range(n_long)]
    tables.append(view(pd.DataFrame({"value": range(3)})).to_html())
    page = rp.with_table_assets(f"<html><body>{''.join(tables)}</body></html>")
    assert page.count("<script>") == (1 if n_long else 0)
    assert page.count(rp.table_assets()) == (1 if n_long else 0)
    assert page.count('data-fazhi-sortable style="') == n_long  # every long table is marked
    assert "http" not in rp.table_assets() and " src=" not in rp.table_assets()  # nothing fetched
    # the script only reads and writes text: a cell never becomes markup through it
    assert "innerHTML" not in rp.table_assets() and "insertAdjacentHTML" not in rp.table_assets()
    assert page.endswith("</body></html>")


def test_a_cell_that_mentions_the_mark_does_not_bring_the_script():
    page = view(pd.DataFrame({"text": ["data-fazhi-sortable <div data-fazhi-sortable>"]})).to_html()
    assert rp.with_table_assets(f"<html><body>{page}</body></html>").count("<script>") == 0


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
