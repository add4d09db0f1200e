"""Hand-checked expectations for the five embedded reports (read against data/raw by eye)."""

import pandas as pd
import pytest

import fazhi_lib as fz

# source file prefix → issuer, level, report_year, publish_date, written_date, index_no,
# top-level part kinds in order, number of problem items, problems part's first and last words
EXPECTED = [
    (
        "000",
        "塘栖镇",
        "township",
        2024,
        "2025-03-21",
        "2025-03-21",
        "001008001003040/2025-20657",
        ["achievements", "problems", "duty", "plan", "other"],
        2,
        "二、存在的不足和原因",
        "其他监督都往往形同虚设。",
    ),
    (
        "001",
        "湖塘街道",
        "subdistrict",
        2024,
        "2025-02-10",
        "2025-02-10",
        "00258242-X/2025-74457",
        ["achievements", "problems", "duty", "plan"],
        5,
        "二、2024年推进法治政府建设存在的不足和原因",
        "听取行业专家、法律顾问和社会公众意见。",
    ),
    (
        "002",
        "云龙镇",
        "township",
        2023,
        "2024-02-22",
        None,
        "002971679/2024-116407",
        ["achievements", "problems", "plan"],
        4,
        "二、存在的主要问题",
        "但真正让人大代表参与法治政府建设的举措还不多。",
    ),
    (
        "003",
        "澧浦镇",
        "township",
        2023,
        "2024-01-31",
        None,
        "11330703736873621E/2024-139175",
        ["achievements", "problems", "plan"],
        2,
        "二、存在的不足",
        "依法解决信访问题、化解社会矛盾的水平进一步提高。",
    ),
    (
        "004",
        "上社镇",
        "township",
        2025,
        None,
        None,
        None,
        ["achievements", "problems", "plan"],
        4,
        "二、存在的问题与不足",
        "服务频次和服务质量存在差异,基层法治服务供给的均衡性有待提升。",
    ),
]


def _report(corpus, prefix):
    rows = corpus.reports[corpus.reports["source_file"].str.startswith(prefix)]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.parametrize(
    "prefix, issuer, level, year, published, written, index_no, kinds, n_items, first, last", EXPECTED
)
def test_report_metadata(
    corpus, prefix, issuer, level, year, published, written, index_no, kinds, n_items, first, last
):
    r = _report(corpus, prefix)
    assert r["issuer"] == issuer
    assert r["level"] == level
    assert r["report_year"] == year
    assert (None if pd.isna(r["publish_date"]) else r["publish_date"]) == published
    assert (None if pd.isna(r["written_date"]) else r["written_date"]) == written
    assert (None if pd.isna(r["index_no"]) else r["index_no"]) == index_no


@pytest.mark.parametrize(
    "prefix, issuer, level, year, published, written, index_no, kinds, n_items, first, last", EXPECTED
)
def test_report_structure(
    corpus, prefix, issuer, level, year, published, written, index_no, kinds, n_items, first, last
):
    r = _report(corpus, prefix)
    parts = corpus.parts[corpus.parts["report_id"] == r["report_id"]]
    assert [k for k in parts["kind"] if k in fz.PART_KINDS] == kinds
    items = corpus.problem_items[corpus.problem_items["report_id"] == r["report_id"]]
    assert len(items) == n_items
    assert list(items["item_order"]) == list(range(1, n_items + 1))
    problems = parts[parts["kind"] == "problems"]["text"].iloc[0].strip()
    assert problems.startswith(first)
    assert problems.endswith(last)


def test_items_of_the_problems_part(corpus):
    items = corpus.problem_items.merge(corpus.reports[["report_id", "issuer"]])
    huta = items[items["issuer"] == "湖塘街道"]
    assert list(huta["item_no"]) == ["一", "二", "三", "四", "五"]
    assert huta["heading"].iloc[1] == "法制专业人员配备不足"
    # inline points inside one paragraph: 澧浦镇 …具体表现在:一是…;二是…
    lipu = items[items["issuer"] == "澧浦镇"]
    assert lipu["text"].iloc[0].startswith("一是基层法治工作力量相对薄弱")
    assert lipu["text"].iloc[1].startswith("二是运用法治思维")
    intro = corpus.parts.merge(corpus.reports[["report_id", "issuer"]]).query(
        "issuer == '澧浦镇' and kind == 'problems'"
    )
    assert intro["intro"].iloc[0].endswith("具体表现在:")
    # the intro sentence is not an item
    assert not items["text"].str.contains("仍存在一些问题和困难").any()


def test_report_printed_twice_comes_out_once(corpus):
    r = _report(corpus, "000")
    assert bool(r["printed_twice"])
    text = corpus.texts.set_index("report_id").loc[r["report_id"], "text"]
    assert text.count("2024年,塘栖镇在镇委、镇政府的正确领导下") == 1
    assert text.count("二、存在的不足和原因") == 1
    log = corpus.parse_log.set_index("source_file").loc[r["source_file"]]
    assert "report printed twice; second copy dropped" in log["messages"]


CRUFT = [
    "首页",
    "打印本页",
    "关闭窗口",
    "返回顶部",
    "分享到",
    "浏览次数",
    "访问次数",
    "扫一扫",
    "字体",
    "信息索引号",
    "发布机构",
    "发布时间",
    "公开方式",
    "组配分类",
    "主题分类",
    "成文日期",
    "当前页面",
    "政务公开 >>",
    ">政府建设",
]


@pytest.mark.parametrize("word", CRUFT)
def test_no_cruft_survives(corpus, word):
    assert not corpus.sections["text"].str.contains(word, regex=False).any()
    assert not corpus.texts["text"].str.contains(word, regex=False).any()


def test_sections_tile_the_clean_text(corpus):
    for rid, text in corpus.texts.set_index("report_id")["text"].items():
        secs = corpus.sections[corpus.sections["report_id"] == rid].sort_values("order")
        assert secs["start"].iloc[0] == 0
        assert secs["end"].iloc[-1] == len(text)
        assert (secs["start"].iloc[1:].to_numpy() == secs["end"].iloc[:-1].to_numpy()).all()
        assert "".join(secs["text"]) == text


def test_offsets_trace_back_to_the_raw_file(corpus, raw_dir):
    for _, r in corpus.reports.iterrows():
        raw = (raw_dir / r["source_file"]).read_text(encoding="utf-8")
        items = corpus.problem_items[corpus.problem_items["report_id"] == r["report_id"]]
        squeeze = lambda t: "".join(t.split())  # noqa: E731 - the clean text differs only in whitespace
        for _, it in items.iterrows():
            assert squeeze(raw[it["raw_start"] : it["raw_end"]]) == squeeze(it["text"])
        secs = corpus.sections[corpus.sections["report_id"] == r["report_id"]]
        for _, s in secs[secs["depth"] > 0].iterrows():
            assert raw[s["raw_start"] :].startswith(s["text"].split("\n")[0])


def test_closing_signature_is_its_own_section(corpus):
    r = _report(corpus, "001")
    secs = corpus.sections[corpus.sections["report_id"] == r["report_id"]]
    closing = secs[secs["kind"] == "closing"]["text"].iloc[0]
    assert closing == "中共湖塘街道工委\n湖塘街道办事处\n2025121日"


def test_every_file_is_logged(corpus, raw_dir):
    assert sorted(corpus.parse_log["source_file"]) == sorted(p.name for p in raw_dir.iterdir())
    assert set(corpus.parse_log["status"]) <= {"ok", "warning"}


def test_save_and_load_round_trip(corpus, processed_dir):
    loaded = fz.load_corpus(processed_dir)
    pd.testing.assert_frame_equal(loaded.reports, corpus.reports)
    pd.testing.assert_frame_equal(loaded.problem_items, corpus.problem_items)
    csv = (processed_dir / "reports.csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM for Excel
    assert "湖塘街道" in csv.decode("utf-8-sig")


def test_build_is_deterministic(corpus, raw_dir):
    again = fz.build_corpus(raw_dir)
    for name in ("reports", "sections", "parts", "problem_items", "parse_log"):
        pd.testing.assert_frame_equal(again.tables[name], corpus.tables[name])


def test_filters_and_part_texts(corpus):
    sub = corpus.filter(years=2023)
    assert sorted(sub.reports["issuer"]) == ["云龙镇", "澧浦镇"]
    assert set(sub.sections["report_id"]) == set(sub.reports["report_id"])
    assert len(corpus.filter(levels="subdistrict").reports) == 1
    problems = corpus.part_texts("problems")
    assert len(problems) == 5 and problems["text"].str.contains("存在").all()
    with pytest.raises(
        fz.FazhiError, match=r"`part_kind` = 'problem' is not valid; choose one of: preamble, achievements"
    ):
        corpus.part_texts("problem")
    with pytest.raises(fz.FazhiError, match="`levels` = 'town' is not valid"):
        corpus.filter(levels="town")
    assert corpus.filter(years=1999).empty


def test_unreadable_file_is_logged_not_lost(tmp_path, raw_dir):
    (tmp_path / "a.txt").write_bytes((raw_dir / "003_b5d03fc9eddbbefd.txt").read_bytes())
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "junk.txt").write_bytes(bytes(range(128, 256)) * 4)
    (tmp_path / "copy.txt").write_bytes((raw_dir / "003_b5d03fc9eddbbefd.txt").read_bytes())
    c = fz.build_corpus(tmp_path)
    log = c.parse_log.set_index("source_file")["status"].to_dict()
    assert log == {"a.txt": "ok", "copy.txt": "duplicate", "empty.txt": "error", "junk.txt": "error"}
    assert len(c.reports) == 1


@pytest.mark.parametrize(
    "name, reason",
    [
        ("~$a.docx", "a Word lock file (~$…) left by an open document; skipped"),
        (".DS_Store", "a hidden file; skipped"),
        ("Thumbs.db", "a Windows system file; skipped"),
        (".git/x.txt", "inside the hidden folder .git; skipped"),
    ],
)
def test_a_build_and_parse_file_skip_by_one_rule(tmp_path, name, reason):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"junk")
    log = fz.build_corpus(tmp_path).parse_log
    assert log[["source_file", "status", "messages"]].values.tolist() == [[name, "skipped", reason]]
    assert fz.parse_file(path, root=tmp_path).log == log.iloc[0].to_dict() | {"report_id": None}


def test_load_corpus_missing_folder_says_what_to_do(tmp_path):
    with pytest.raises(fz.FazhiError, match="run `fazhi build"):
        fz.load_corpus(tmp_path / "nothing")


def test_heading_gaps_reach_the_reports_warnings(corpus):
    # 云龙镇 numbers its achievements (一)(二)(四): the gap is a warning on the report, not only in parse_log
    reports = corpus.reports.set_index("source_file")
    row = reports.loc["002_c02b67eb7c1835e1.txt"]
    assert "heading numbers skip: expected 3 before '(四)" in row["warnings"] and row["status"] == "warning"
    log = corpus.parse_log.set_index("source_file")
    assert "heading numbers skip" in log.loc["002_c02b67eb7c1835e1.txt", "messages"]
