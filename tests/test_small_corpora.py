"""Notebooks on corpora of zero, one and two reports: they render and say what they cannot show."""

import shutil

import pytest
from conftest import RAW
from test_page_language import english_on_page

import fazhi_lib as fz
from fazhi_lib.report import render_all


@pytest.fixture(scope="module", params=[0, 1, 2], ids=lambda n: f"{n}_reports")
def small_tables(request, tmp_path_factory):
    n = request.param
    raw = tmp_path_factory.mktemp(f"raw{n}")
    for path in sorted(RAW.iterdir())[:n]:
        shutil.copy(path, raw / path.name)
    if n == 0:
        (raw / "not_a_report.txt").write_text("这不是一份报告。", encoding="utf-8")  # rejected: 0 reports
    out = tmp_path_factory.mktemp(f"processed{n}") / "processed"
    fz.build_corpus(raw).save(out)
    return n, out


@pytest.mark.notebook
def test_profile_notebook_renders_and_says_what_it_cannot_show(small_tables, tmp_path):
    n, data = small_tables
    results = render_all(data, out_dir=tmp_path / "reports", only=["04"], progress=None)
    assert [r.ok for r in results] == [True] * n, [r.error for r in results]
    assert (tmp_path / "reports" / "index.html").is_file()
    for r in results:
        page = (tmp_path / "reports" / r.html).read_text(encoding="utf-8")
        assert "报告包含 5 个法定部分中的" in page
        assert english_on_page(page) == []  # no English code on a Chinese page
        if n == 1:
            assert "语料中位数" in page  # the corpus is the report itself: the median column is still there


# what each analysis page must say when the corpus cannot carry a figure (0, 1 or 2 reports; the two
# smallest embedded reports have one report year each, so no issuer has a trend)
CANNOT = {
    "03": {
        0: "没有报告符合所选条件",
        1: "趋势至少需要同一机关的两个年度",
        2: "趋势至少需要同一机关的两个年度",
    },
    "02": {0: "比较至少需要 2 份", 1: "比较至少需要 2 份", 2: "不做主题分析："},
    "05": {0: "语料中没有报告"},
}


@pytest.mark.notebook
@pytest.mark.parametrize("notebook", ["01", "02", "03", "05"])
def test_analysis_notebooks_render_on_small_corpora(small_tables, notebook, tmp_path):
    n, data = small_tables
    results = render_all(data, out_dir=tmp_path / "reports", only=[notebook], progress=None)
    assert [r.ok for r in results] == [True], [r.error for r in results]
    page = (tmp_path / "reports" / results[0].html).read_text(encoding="utf-8")
    assert "Traceback" not in page and "Error" not in page
    assert english_on_page(page) == []  # what a page says it cannot show is said in Chinese too
    expected = CANNOT.get(notebook, {}).get(n)
    if expected:
        assert expected in page
