"""convert.simplify remembers the lines t2s keeps and converts only the others: its answers must be
OpenCC's own, on simplified, traditional and mixed texts and on any slice of them (a slice can cut a
phrase: 乾隆 keeps 乾, 乾 alone becomes 干)."""

import functools
import random
from pathlib import Path

import opencc
import pytest

from fazhi_lib import convert

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
DEVSET = Path(__file__).resolve().parent.parent.parent / "shared" / "devset" / "reports"


@functools.lru_cache(maxsize=1)
def _own_converter():
    return opencc.OpenCC("t2s")  # a converter of its own: no memo in between


def _t2s(text: str) -> str:
    return _own_converter().convert(text)


# the characters t2s keeps that simplify folds (traditional pages write 濬縣, 中衞 for 浚县, 中卫)
_FOLD = str.maketrans("濬澂衞敍", "浚澄卫叙")


def _simplified(text: str) -> str:
    """What `convert.simplify` must give: OpenCC's t2s, then the fold."""
    return _t2s(text).translate(_FOLD)


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(RAW.glob("*.txt"))]
    if DEVSET.is_dir():
        texts += [p.read_text(encoding="utf-8", errors="replace") for p in sorted(DEVSET.glob("*"))[:20]]
    s2t = opencc.OpenCC("s2t")
    traditional = [s2t.convert(t) for t in texts[:5]]
    mixed = ["\n".join(s2t.convert(line) if k % 2 else line for k, line in enumerate(t.split("\n"))) for t in texts[:5]]
    return texts + traditional + mixed


@pytest.fixture
def fresh_memo():
    saved = set(convert._KEPT_LINES)
    convert._KEPT_LINES.clear()
    yield
    convert._KEPT_LINES.clear()
    convert._KEPT_LINES.update(saved)


def test_t2s_converts_line_by_line():
    """What the memo relies on: no phrase of t2s spans a line break."""
    texts = _texts()
    assert texts
    for text in texts:
        lines = text.split("\n")
        assert _t2s(text).split("\n") == [_t2s(line) for line in lines]


def test_simplify_equals_opencc_on_texts_and_slices(fresh_memo):
    rng = random.Random(22)
    for text in _texts():
        assert convert.simplify(text) == _simplified(text)
        assert convert.simplify(text) == _simplified(text)  # again, every kept line now remembered
        for _ in range(40):  # slices cutting lines anywhere, with their lines remembered
            a = rng.randrange(len(text) + 1)
            b = rng.randrange(a, min(len(text), a + rng.choice((5, 60, 3000))) + 1)
            assert convert.simplify(text[a:b]) == _simplified(text[a:b])


@pytest.mark.parametrize(
    "text", ["濬縣人民政府", "濬县", "中衞市\n中衞市", "敍永县\n法治政府建设", "法治政府建設\n澂江市"]
)
def test_the_characters_t2s_keeps_are_folded_whatever_is_remembered(fresh_memo, text):
    """The same answer with and without the lines remembered: a kept line never holds a variant."""
    expected = _simplified(text)
    assert expected != _t2s(text)  # (the fold matters here)
    assert convert.simplify(text) == expected
    assert convert.simplify(text) == expected
    for line in text.split("\n"):
        assert convert.simplify(line) == _simplified(line)
    assert convert.simplify(text) == expected
    assert convert.convert_same_length(text) == expected  # one character for one


def test_every_division_name_comes_back_from_its_traditional_forms():
    """OpenCC's s2t, s2hk and s2tw write a division's name as traditional pages do; simplify must give
    the name back (t2s alone gives 濬县 for 浚县, 中衞 for 中卫: the fold's characters are those)."""
    from fazhi_lib.places import _division_frame

    frame = _division_frame()
    columns = ["province_name", "city_name", "county_name", "province_short", "city_short"]
    names = sorted(set().union(*(frame[c].dropna().tolist() for c in columns)))
    assert len(names) > 4000
    for config in ("s2t", "s2hk", "s2tw"):
        written = opencc.OpenCC(config).convert("\n".join(names)).split("\n")
        back = dict(zip(names, convert.simplify("\n".join(written)).split("\n")))
        assert {n: b for n, b in back.items() if b != n} == {}, config


def test_a_kept_line_does_not_keep_its_pieces(fresh_memo):
    assert convert.simplify("乾隆年间\n其他") == _t2s("乾隆年间\n其他") == "乾隆年间\n其他"
    assert "乾隆年间" in convert._KEPT_LINES
    assert convert.simplify("乾") == _t2s("乾") == "干"  # a piece of a kept line is converted
    assert convert.simplify("乾隆年间\n乾") == "乾隆年间\n干"
    assert "乾" not in convert._KEPT_LINES


def test_only_kept_lines_are_remembered(fresh_memo):
    text = "法治政府建設\n法治政府建设\n"
    assert convert.simplify(text) == _t2s(text) == "法治政府建设\n法治政府建设\n"
    assert "法治政府建设" in convert._KEPT_LINES
    assert "法治政府建設" not in convert._KEPT_LINES
    assert convert.simplify("") == ""


def test_the_memory_of_kept_lines_is_bounded(fresh_memo, monkeypatch):
    monkeypatch.setattr(convert, "_MAX_KEPT_LINES", 20)
    for text in _texts()[:8]:
        assert convert.simplify(text) == _t2s(text)
        assert len(convert._KEPT_LINES) <= 20 + text.count("\n") + 1


def test_a_phrase_as_the_page_prints_it():
    original = "首頁 > 政務公開\n北京市朝陽區人民政府\n關(guān)於２０２２年法治政府建設情況的報告\n"
    converted = convert.to_simplified(original).text
    title = "北京市朝阳区人民政府关于2022年法治政府建设情况的报告"  # (as the metadata reader gives it)
    assert convert.as_printed(title, converted, original) == "北京市朝陽區人民政府關於2022年法治政府建設情況的報告"
    assert convert.as_printed("某县报告", converted, original) == "某县报告"  # not on the page: as it is


def test_a_traditional_page_keeps_its_title_as_printed(tmp_path):
    import fazhi_lib as fz

    page = "保定市人民政府關於2016年度法治政府建設情況的報告\n2016年，保定市堅持依法行政，全面推進法治政府建設。\n一、主要成效\n全年審查文件12件。"
    (tmp_path / "r.txt").write_text(page, encoding="utf-8")
    report = fz.build_corpus(tmp_path).reports.iloc[0]
    assert report["title"] == "保定市人民政府關於2016年度法治政府建設情況的報告"
    assert (report["issuer"], report["converted_from"]) == ("保定市", "traditional")  # the rest simplified
