"""Keyword in context (fazhi_lib/kwic.py) and the `fazhi kwic` / `fazhi keyness` commands.

Expected counts were taken by hand from the raw pages (`grep -o PHRASE data/raw/*.txt | wc -l`); the
塘栖镇 page (000_…) prints its whole report twice, so its raw counts are halved.
"""

import pandas as pd
import pytest

from fazhi_lib import FazhiError
from fazhi_lib.cli import main
from fazhi_lib.corpus import Corpus
from fazhi_lib.kwic import KWIC_COLUMNS, kwic, kwic_html


@pytest.mark.parametrize(
    "phrase, counts",
    [
        # raw page counts 6, 11, 8, 1, 3: 塘栖镇's 6 are 3 in each printed copy
        ("合法性审查", {"塘栖镇": 3, "湖塘街道": 11, "云龙镇": 8, "澧浦镇": 1, "上社镇": 3}),
        # 述职必述法 occurs only on the doubled 塘栖镇 page: raw lines 16, 20, 62 and again 95, 99, 141
        ("述职必述法", {"塘栖镇": 3}),
        ("枫桥经验", {"塘栖镇": 2, "湖塘街道": 1, "云龙镇": 3, "澧浦镇": 1, "上社镇": 1}),
    ],
)
def test_hand_counted_occurrences(corpus, phrase, counts):
    table = kwic(corpus, phrase)
    assert table.groupby("issuer").size().to_dict() == counts
    assert (table["match"] == phrase).all()
    texts = dict(zip(corpus.texts["report_id"], corpus.texts["text"]))
    for row in table.itertuples():
        assert texts[row.report_id][row.start : row.start + len(phrase)] == phrase


def test_columns_order_and_stability(corpus):
    table = kwic(corpus, "合法性审查", window=10)
    assert list(table.columns) == KWIC_COLUMNS
    keys = list(zip(table["report_year"], table["issuer"], table["report_id"], table["start"]))
    assert keys == sorted(keys)
    pd.testing.assert_frame_equal(table, kwic(corpus, "合法性审查", window=10))
    assert table["left"].str.len().max() == 10 and table["right"].str.len().max() == 10


def test_window_edges_at_text_start_and_end(corpus):
    texts = corpus.texts.merge(corpus.reports[["report_id", "issuer"]], on="report_id").set_index("issuer")["text"]
    text = texts["云龙镇"]
    assert text.startswith("2023年来") and text.endswith("公益活动。")
    first = kwic(corpus, "2023年来", window=6)
    first = first[first["issuer"] == "云龙镇"].iloc[0]
    assert first["start"] == 0 and first["left"] == "" and first["right"] == text[6:12]
    assert first["part"] == "preamble"
    last = kwic(corpus, "公益活动。", window=6)
    last = last[last["issuer"] == "云龙镇"].iloc[-1]
    assert last["right"] == "" and last["left"] == text[-11:-5] and last["start"] == len(text) - 5
    whole = kwic(corpus, "2023年来", window=10_000)
    assert whole[whole["issuer"] == "云龙镇"].iloc[0]["right"] == text[6:].replace("\n", " ")


def test_regex(corpus):
    # 塘栖镇: 审查1090件, 审查2件, 审查10件, 审查1件, 审查1077件 (each twice on the raw page)
    table = kwic(corpus, r"审查\d+件", regex=True)
    assert table["match"].tolist() == ["审查1090件", "审查2件", "审查10件", "审查1件", "审查1077件"]
    assert set(table["issuer"]) == {"塘栖镇"}
    # without regex=True the same string is looked up literally
    assert kwic(corpus, r"审查\d+件").empty
    with pytest.raises(FazhiError, match=r"`pattern` = '审查\(' is not a valid regular expression"):
        kwic(corpus, "审查(", regex=True)


def test_no_hits_is_an_empty_table_with_the_same_columns(corpus):
    table = kwic(corpus, "完全不会出现的短语")
    assert table.empty and list(table.columns) == KWIC_COLUMNS


def test_part_filter(corpus):
    problems = kwic(corpus, "合法性审查", part="problems")
    assert set(problems["part"]) == {"problems"}
    assert problems.groupby("issuer").size().to_dict() == {"云龙镇": 4, "湖塘街道": 4}
    every = kwic(corpus, "合法性审查")
    assert len(every[every["part"] == "problems"]) == len(problems)
    with pytest.raises(FazhiError, match=r"`part` = 'problem' is not valid; choose one of: .*problems"):
        kwic(corpus, "合法性审查", part="problem")


def test_traditional_page_found_by_simplified_pattern():
    text = "一、主要举措\n開展合法性審查工作。"
    tiny = Corpus(
        {
            "reports": pd.DataFrame({"report_id": ["r1"], "issuer": ["某鎮"], "report_year": [2024]}),
            "texts": pd.DataFrame({"report_id": ["r1"], "text": [text]}),
            "parts": pd.DataFrame({"report_id": ["r1"], "kind": ["achievements"], "start": [0], "end": [len(text)]}),
        }
    )
    row = kwic(tiny, "合法性审查", window=2).iloc[0]
    assert (row["left"], row["match"], row["right"], row["part"]) == (
        "開展",
        "合法性審查",
        "工作",
        "achievements",
    )


def test_html_highlights_the_match(corpus):
    html = kwic_html(kwic(corpus, "枫桥经验")).to_html()
    assert "枫桥经验" in html and "background-color: #fff3a3" in html
    assert "report_id" not in html


# ------------------------------------------------------------------------------------ commands
def test_kwic_command_prints_an_aligned_table(processed_dir, capsys):
    assert main(["kwic", "枫桥经验", "--data", str(processed_dir), "--window", "6"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "8 occurrences of '枫桥经验' in 5 reports"
    rows = out[2:]
    assert len(rows) == 8
    from fazhi_lib.reading import display_width

    # the matches line up: same display column in every row
    columns = {display_width(r[: r.index("枫桥经验")]) for r in rows}
    assert len(columns) == 1


def test_kwic_command_writes_csv_and_xlsx(processed_dir, corpus, tmp_path, capsys):
    assert (
        main(
            [
                "kwic",
                r"\d+件",
                "--regex",
                "--part",
                "problems",
                "--data",
                str(processed_dir),
                "--out",
                str(tmp_path / "hits.csv"),
            ]
        )
        == 0
    )
    back = pd.read_csv(tmp_path / "hits.csv", encoding="utf-8-sig")
    assert len(back) == len(kwic(corpus, r"\d+件", regex=True, part="problems"))
    assert main(["kwic", "枫桥经验", "--data", str(processed_dir), "--out", str(tmp_path / "hits.xlsx")]) == 0
    assert pd.read_excel(tmp_path / "hits.xlsx")["match"].tolist() == ["枫桥经验"] * 8
    assert main(["kwic", "枫桥经验", "--data", str(processed_dir), "--out", str(tmp_path / "hits.txt")]) == 2
    assert "`out` = 'hits.txt' is not valid; choose one of: FILE.csv, FILE.xlsx." in capsys.readouterr().err
    assert main(["kwic", "x", "--data", str(tmp_path / "nothing")]) == 2
    assert "No corpus tables" in capsys.readouterr().err


def test_keyness_command(processed_dir, tmp_path, capsys):
    assert (
        main(
            [
                "keyness",
                "--a",
                "part=problems",
                "--b",
                "part=achievements",
                "--data",
                str(processed_dir),
                "--top",
                "3",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("A = part=problems (5 reports") and "B = part=achievements (5 reports" in out[0]
    i = out.index("key for A (part=problems), strongest first:")
    assert out[i + 2].split()[0] == "不足"
    assert "key for B (part=achievements), strongest first:" in out
    # groups as repeated filters; B defaults to the rest
    assert (
        main(
            [
                "keyness",
                "--a",
                "year=2024",
                "--a",
                "part=problems",
                "--data",
                str(processed_dir),
                "--out",
                str(tmp_path / "k.csv"),
            ]
        )
        == 0
    )
    table = pd.read_csv(tmp_path / "k.csv", encoding="utf-8-sig")
    assert list(table.columns)[:3] == ["term", "count_a", "count_b"]
    assert main(["keyness", "--a", "yaer=2024", "--data", str(processed_dir)]) == 2
    assert "`group key` = 'yaer' is not valid" in capsys.readouterr().err


def test_keyness_command_measure(processed_dir, tmp_path, capsys):
    args = ["keyness", "--a", "part=problems", "--b", "part=achievements", "--data", str(processed_dir)]
    assert main([*args, "--top", "3"]) == 0
    g2_lines = capsys.readouterr().out.splitlines()
    assert g2_lines[0].endswith("measure: g2 (Williams' correction)")
    assert main([*args, "--measure", "chi2", "--correction", "none", "--out", str(tmp_path / "c.csv")]) == 0
    capsys.readouterr()
    table = pd.read_csv(tmp_path / "c.csv", encoding="utf-8-sig")
    assert "chi2" in table.columns and "g2" not in table.columns
    assert set(table["measure"]) == {"chi2"}
    assert main([*args, "--measure", "exact", "--top", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("measure: exact (Fisher; odds ratio)")
    i = out.index("key for B (part=achievements), strongest first:")
    assert main([*args, "--measure", "exact", "--out", str(tmp_path / "e.csv")]) == 0
    capsys.readouterr()
    exact = pd.read_csv(tmp_path / "e.csv", encoding="utf-8-sig")
    first_b = out[i + 2].split()[0]
    row = exact[exact["term"] == first_b].iloc[0]
    assert row["key_for"] == "b" and row["odds_ratio"] == exact.loc[exact["key_for"] == "b", "odds_ratio"].min()
    assert main([*args, "--measure", "tfidf"]) == 2
    assert "`measure` = 'tfidf' is not valid" in capsys.readouterr().err
