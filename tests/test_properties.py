"""Properties that hold for any input (hypothesis): cleaning is idempotent and keeps offsets,
segmentation never drops or doubles text, the number readers and the cleaner never raise on arbitrary
Unicode, reading arbitrary bytes fails only with a LoadError, and a GBK copy of a report gives the
same tables as its UTF-8 original."""

import itertools

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from messy import REPORTS, raw_text

import fazhi_lib as fz
from fazhi_lib.clean import _FULLWIDTH, clean_page, normalise_line
from fazhi_lib.convert import to_simplified
from fazhi_lib.load import LoadError, html_to_text, read_bytes, rejoin_wrapped_lines
from fazhi_lib.metadata import first_year, parse_date, parse_issuer, parse_title
from fazhi_lib.sections import cn_number, parts_of, problem_items, segment

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

REAL_LINES = sorted({line for p in REPORTS for line in raw_text(p).split("\n")})
ODD_LINES = [
    "",
    "   ",
    "\u3000\u3000",
    "首页",
    "发布时间: 2025-03-21 09:39 浏览次数:",
    "信息索引号:",
    "一、",
    "二、存在的不足",
    "(一)",
    "1.",
    "一是",
    "2024年",
    "中共某某镇委员会",
    "2025年1月21日",
    "塘栖镇法治政府建设年度报告(2024年度)",
]
# the cleaner reads text from `read_document`: decoded bytes (no lone surrogates) whose only line break
# is \n (it turns \f, \u2028 … into \n)
OTHER_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
line = st.one_of(
    st.sampled_from(REAL_LINES),
    st.sampled_from(ODD_LINES),
    st.text(st.characters(codec="utf-8", blacklist_characters="\n" + OTHER_BREAKS), max_size=60),
)
page = st.lists(line, max_size=40).map("\n".join)
# pages made of the reports' own lines, in any order: long enough for an encoding to be recognised
CJK_LINES = [x for x in REAL_LINES if sum("\u4e00" <= c <= "\u9fff" for c in x) >= 10]
real_page = st.lists(st.sampled_from(CJK_LINES), min_size=3, max_size=30).map("\n".join)


# ---------------------------------------------------------------- cleaning
@FAST
@given(page)
@example(raw_text("000"))
def test_cleaning_is_idempotent(raw):
    once = clean_page(raw).text
    assert clean_page(once).text == once


@FAST
@given(page)
def test_clean_offsets_point_at_the_same_characters(raw):
    p = clean_page(raw)
    assert len(p.offsets) == len(p.text)
    assert all(a < b for a, b in itertools.pairwise(p.offsets))
    for ch, off in zip(p.text, p.offsets):
        if ch not in " \n":
            assert raw[off].translate(_FULLWIDTH) == ch


@FAST
@given(st.text())
def test_cleaner_and_number_readers_never_raise(text):
    clean_page(text)
    normalise_line(text)
    first_year(text)
    parse_date(text)
    parse_title(text)
    parse_issuer(text)
    cn_number(text)
    fz.tokens.is_number(text)
    to_simplified(text)
    rejoin_wrapped_lines(text.split("\n"))


def test_indicator_extractor_never_raises():
    indicators = pytest.importorskip("fazhi_lib.indicators")
    extract = getattr(indicators, "extract_numbers", None) or getattr(indicators, "extract_indicators", None)
    if extract is None:
        pytest.skip("fazhi_lib.indicators has no extract_numbers/extract_indicators")

    @FAST
    @given(st.text())
    def run(text):
        extract(text)

    run()


# ---------------------------------------------------------------- segmentation
def _check_tiling(text: str) -> None:
    secs = segment(text).sections
    if not text:
        return
    assert secs[0].start == 0 and secs[-1].end == len(text)
    assert all(a.end == b.start for a, b in itertools.pairwise(secs))
    assert all(s.start <= s.end for s in secs)
    assert "".join(text[s.start : s.end] for s in secs) == text
    parts = parts_of(text, secs)
    assert "".join(text[p.start : p.end] for p in parts) == text
    for part in parts:
        if part.kind != "problems":
            continue
        _, items = problem_items(text, secs, part)
        assert all(part.start <= it.start <= it.end <= part.end for it in items)
        assert all(a.end <= b.start for a, b in itertools.pairwise(items))


@FAST
@given(page)
def test_segmentation_never_drops_or_doubles_text(raw):
    _check_tiling(clean_page(raw).text)


@FAST
@given(st.text())
def test_segmentation_of_arbitrary_text_tiles(text):
    _check_tiling(text)


@SLOW
@given(page)
def test_parse_text_never_raises(raw):
    result = fz.parse_text(raw)
    assert result.log["status"] in ("ok", "warning")


# ---------------------------------------------------------------- reading
def test_other_line_breaks_become_newlines():
    doc = read_bytes(
        "一、主要成效\x0c全年审查合同43份。\u2028二、存在的不足\r\n力量薄弱。".encode("utf-8"), path="a.txt"
    )
    assert doc.text == "一、主要成效\n全年审查合同43份。\n二、存在的不足\r\n力量薄弱。"


@FAST
@given(st.binary(max_size=3000), st.sampled_from(["a.txt", "a.html", "a.docx", "a.pdf"]))
def test_reading_arbitrary_bytes_fails_only_with_a_load_error(data, name):
    try:
        doc = read_bytes(data, path=name)
    except LoadError as exc:
        assert str(exc)
    else:
        assert doc.text.strip()


@FAST
@given(st.text())
def test_html_reader_fails_only_with_a_load_error(text):
    try:
        html_to_text(text)
    except LoadError:
        pass


@FAST
@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF) | st.sampled_from("\n ，。")))
def test_conversion_keeps_every_character_in_place(text):
    c = to_simplified(text, threshold=0.0)
    assert len(c.text) == len(text)
    assert [len(x) for x in c.text.splitlines()] == [len(x) for x in text.splitlines()]


# ---------------------------------------------------------------- GBK copies give the same tables
ID_COLUMNS = {"report_id", "sha256", "source_file", "encoding"}


def _tables(result) -> dict[str, pd.DataFrame]:
    out = {"reports": pd.DataFrame([{k: v for k, v in result.report.items() if k not in ID_COLUMNS}])}
    for name, rows in sorted(result.tables.items()):
        out[name] = pd.DataFrame(rows).drop(columns=[c for c in ID_COLUMNS if rows and c in rows[0]])
    return out


def _same_tables(a, b) -> None:
    ta, tb = _tables(a), _tables(b)
    assert ta.keys() == tb.keys()
    for name in ta:
        pd.testing.assert_frame_equal(ta[name], tb[name], obj=name)


@pytest.mark.parametrize(
    "prefix, encoding", [(p, "gb18030") for p in sorted(REPORTS)] + [("002", "gbk"), ("004", "gbk")]
)
def test_gbk_copy_gives_the_same_tables(tmp_path, raw_dir, prefix, encoding):
    copy = tmp_path / f"{prefix} {encoding}.txt"
    copy.write_bytes(raw_text(prefix).encode(encoding))
    original = fz.parse_file(raw_dir / REPORTS[prefix].name)
    gbk = fz.parse_file(copy)
    assert gbk.report["encoding"] == "gb18030"
    _same_tables(gbk, original)


@SLOW
@given(real_page)
def test_gbk_copy_of_any_page_gives_the_same_tables(raw):
    data = raw.encode("gb18030")
    doc = read_bytes(data, path="page.txt")
    assert doc.text == raw
    _same_tables(fz.parse_text(doc.text), fz.parse_text(raw))
