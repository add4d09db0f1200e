"""source_url / retrieved_at: the collect manifest, the researcher's URL sheet, the page's own record;
the citation line; link-only pages explained in the parse log. Test pages are built here."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from conftest import RAW

from fazhi_lib import build_corpus, profile
from fazhi_lib.cli import main
from fazhi_lib.corpus import FazhiError
from fazhi_lib.provenance import (
    Link,
    Provenance,
    add_provenance,
    citation,
    page_links,
    page_provenance,
    read_url_sheet,
    source_urls,
)

SINGLEFILE = """<!DOCTYPE html> <html lang="zh-CN"><!--
 Page saved with SingleFile 
 url: https://www.example.gov.cn/art/2025/3/21/art_1_9.html 
 saved date: Fri Mar 21 2025 10:15:02 GMT+0800 (中国标准时间)
--><head><meta charset="utf-8"><title>报告</title></head><body></body></html>"""


@pytest.mark.parametrize(
    "page, expected",
    [
        (
            "<!DOCTYPE html>\n<!-- saved from url=(0047)https://www.example.gov.cn/col/col1/index.html -->\n<html></html>",
            Provenance("https://www.example.gov.cn/col/col1/index.html", None, "saved_from"),
        ),
        (
            SINGLEFILE,
            Provenance(
                "https://www.example.gov.cn/art/2025/3/21/art_1_9.html", "2025-03-21T10:15:02+08:00", "singlefile"
            ),
        ),
        (
            '<html><head><link rel="canonical" href="https://example.gov.cn/a.html"></head><body>x</body></html>',
            Provenance("https://example.gov.cn/a.html", None, "canonical"),
        ),
        (
            '<html><head><meta property="og:url" content="https://example.gov.cn/b.html"></head></html>',
            Provenance("https://example.gov.cn/b.html", None, "og_url"),
        ),
        # the canonical link wins over og:url; a relative canonical is no address
        (
            (
                '<html><head><meta property="og:url" content="https://e.gov.cn/og"><link rel="canonical" href="https://e.gov.cn/c">'
                "</head></html>"
            ),
            Provenance("https://e.gov.cn/c", None, "canonical"),
        ),
        ('<html><head><link rel="canonical" href="/relative.html"></head></html>', None),
        ("塘栖镇人民政府关于2024年度法治政府建设情况的报告", None),
        ('<html><head><link rel="stylesheet" href="https://e.gov.cn/s.css"></head></html>', None),
    ],
)
def test_page_provenance(page, expected):
    assert page_provenance(page.encode("utf-8")) == expected


def test_page_provenance_of_a_gbk_page():
    data = '<html><head><meta charset="gbk"><link rel="canonical" href="https://e.gov.cn/国.html"><title>报告</title>'.encode(
        "gbk"
    )
    assert page_provenance(data) == Provenance("https://e.gov.cn/国.html", None, "canonical")


@pytest.mark.parametrize(
    "html, links",
    [
        (
            '<p>附件：<a href="files/r.pdf">报告.pdf</a></p>',
            [Link("https://e.gov.cn/a/files/r.pdf", "attachment", "报告.pdf")],
        ),
        (
            '<a href="/down.jsp?id=7">2024年法治政府建设年度报告.docx</a>',
            [Link("https://e.gov.cn/down.jsp?id=7", "attachment", "2024年法治政府建设年度报告.docx")],
        ),
        (
            '<iframe src="/pdfjs/web/viewer.html?file=r.pdf"></iframe><embed src="/x/r.ofd">',
            [Link("https://e.gov.cn/x/r.ofd", "embedded", "")],
        ),
        ('<iframe src="/files/r.PDF"></iframe>', [Link("https://e.gov.cn/files/r.PDF", "embedded", "")]),
        ('<a href="/other.html">另一篇报告</a><a href="#top">顶部</a>', []),
    ],
)
def test_page_links(html, links):
    assert page_links(f"<html><body>{html}</body></html>".encode(), "https://e.gov.cn/a/page.html") == links


# ---------------------------------------------------------------- the three sources, in order
@pytest.fixture
def folder(tmp_path):
    raw = tmp_path / "raw"
    (raw / "batch").mkdir(parents=True)
    (raw / "batch" / "a.html").write_text(
        "<!-- saved from url=(0025)https://page.example/a --><html><body>a</body></html>", encoding="utf-8"
    )
    (raw / "b.html").write_text(
        '<html><head><link rel="canonical" href="https://page.example/b"></head></html>', encoding="utf-8"
    )
    (raw / "c.html").write_text(SINGLEFILE, encoding="utf-8")
    (raw / "d.txt").write_text("报告", encoding="utf-8")
    pd.DataFrame(
        {
            "url": ["https://list.example/a"],
            "final_url": ["https://final.example/a"],
            "status": ["saved"],
            "fetched_at": ["2025-03-21T10:00:00+08:00"],
            "file": ["a.html"],
            "attachment_of": [""],
        }
    ).to_csv(raw / "batch" / "collect_manifest.csv", index=False)
    sheet = tmp_path / "urls.csv"
    pd.DataFrame(
        {
            "file": ["batch/a.html", "b.html", "nowhere.html"],
            "url": ["https://sheet.example/a", "https://sheet.example/b", "https://sheet.example/x"],
            "retrieved_at": ["2024-01-01", "2024-01-02", ""],
        }
    ).to_csv(sheet, index=False)
    return raw, sheet


def test_manifest_then_sheet_then_page(folder, capsys):
    raw, sheet = folder
    files = ["b.html", "batch/a.html", "c.html", "d.txt"]
    got = source_urls(raw, files, urls=sheet).set_index("source_file")
    assert got.loc["batch/a.html"].tolist() == [
        "https://final.example/a",
        "2025-03-21T10:00:00+08:00",
        "collect_manifest",
    ]
    assert got.loc["b.html"].tolist() == ["https://sheet.example/b", "2024-01-02", "urls_sheet"]
    assert got.loc["c.html"].tolist() == [
        "https://www.example.gov.cn/art/2025/3/21/art_1_9.html",
        "2025-03-21T10:15:02+08:00",
        "singlefile",
    ]
    assert got.loc["d.txt"].isna().all()
    assert "1 row of the URL sheet name no single file of the folder: nowhere.html" in capsys.readouterr().err
    without_sheet = source_urls(raw, files).set_index("source_file")
    assert without_sheet.loc["b.html", "url_source"] == "canonical"


def test_sheet_file_may_be_a_unique_base_name(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "r.txt").write_text("x", encoding="utf-8")
    sheet = pd.DataFrame({"file": ["r.txt"], "url": ["https://e.gov.cn/r"], "retrieved_at": [""]})
    got = source_urls(tmp_path, ["sub/r.txt"], urls=sheet)
    assert got["source_url"].tolist() == ["https://e.gov.cn/r"] and got["retrieved_at"].isna().all()


@pytest.mark.parametrize(
    "frame, message",
    [
        ({"name": ["a.txt"], "url": ["https://e/"]}, "has no `file` column"),
        ({"file": ["a.txt"], "link": ["https://e/"]}, "has no `url` column"),
    ],
)
def test_url_sheet_errors(tmp_path, frame, message):
    path = tmp_path / "urls.csv"
    pd.DataFrame(frame).to_csv(path, index=False)
    with pytest.raises(FazhiError, match=message):
        read_url_sheet(path)
    with pytest.raises(FazhiError, match="does not exist"):
        read_url_sheet(tmp_path / "missing.xlsx")


def test_url_sheet_from_excel(tmp_path):
    path = tmp_path / "urls.xlsx"
    pd.DataFrame({"File": ["a.txt"], "URL": ["https://e.gov.cn/a"]}).to_excel(path, index=False)
    assert read_url_sheet(path).to_dict("records") == [
        {"file": "a.txt", "url": "https://e.gov.cn/a", "retrieved_at": ""}
    ]


def test_add_provenance_puts_the_columns_after_source_file_and_leaves_inputs_alone(folder):
    raw, _ = folder
    reports = pd.DataFrame({"report_id": ["r1", "r2"], "source_file": ["batch/a.html", "d.txt"], "title": ["甲", "乙"]})
    out = add_provenance({"reports": reports}, raw)["reports"]
    assert list(out.columns) == ["report_id", "source_file", "source_url", "retrieved_at", "url_source", "title"]
    assert out["source_url"].tolist() == ["https://final.example/a", None]
    assert list(reports.columns) == ["report_id", "source_file", "title"]


# ---------------------------------------------------------------- citation
@pytest.mark.parametrize(
    "row, line",
    [
        (
            {
                "issuer": "塘栖镇",
                "issuer_full": "余杭区塘栖镇人民政府",
                "title": "塘栖镇2024年度法治政府建设工作报告",
                "report_year": 2024,
                "publish_date": "2025-01-20",
                "source_url": "https://e.gov.cn/a.html",
                "retrieved_at": "2025-03-21T10:15:02+08:00",
            },
            "余杭区塘栖镇人民政府. 塘栖镇2024年度法治政府建设工作报告[EB/OL]. (2025-01-20)[2025-03-21]. https://e.gov.cn/a.html.",
        ),
        (
            {
                "issuer": "某县",
                "title": "关于法治政府建设情况的报告",
                "report_year": 2023.0,
                "source_url": "https://e.gov.cn/b",
                "retrieved_at": None,
                "publish_date": float("nan"),
            },
            "某县. 关于法治政府建设情况的报告(2023年度)[EB/OL]. https://e.gov.cn/b.",
        ),
        (
            {
                "issuer": None,
                "title": "X市2022年法治政府建设年度报告",
                "report_year": 2022,
                "source_url": None,
                "source_file": "x.html",
            },
            "X市2022年法治政府建设年度报告[EB/OL]. source address unknown (file x.html).",
        ),
        (
            {
                "issuer": "某镇",
                "title": "",
                "report_year": None,
                "source_url": "https://e/c",
                "retrieved_at": "2024-05-06",
            },
            "某镇. (untitled report)[EB/OL]. [2024-05-06]. https://e/c.",
        ),
    ],
)
def test_citation(row, line):
    assert citation(row) == line


# ---------------------------------------------------------------- in a build, and shown
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    names = sorted(p.name for p in RAW.glob("*.txt"))[:2]
    for name in names:
        shutil.copy(RAW / name, raw / name)
    sheet = raw.parent / "urls.csv"
    pd.DataFrame(
        {
            "file": [names[0]],
            "url": ["https://www.example.gov.cn/report.html"],
            "retrieved_at": ["2025-03-21T10:15:02+08:00"],
        }
    ).to_csv(sheet, index=False)
    out = raw.parent / "processed"
    assert main(["build", str(raw), "--out", str(out), "--urls", str(sheet), "--quiet", "--no-cache"]) == 0
    return names, sheet, out


def test_build_urls_sheet_puts_the_address_on_its_report(built):
    names, _, out = built
    from fazhi_lib import load_corpus

    reports = load_corpus(out).reports.set_index("source_file")
    assert reports.loc[names[0], "source_url"] == "https://www.example.gov.cn/report.html"
    assert reports.loc[names[0], "url_source"] == "urls_sheet"
    assert pd.isna(reports.loc[names[1], "source_url"]) and pd.isna(reports.loc[names[1], "retrieved_at"])
    csv = pd.read_csv(out / "reports.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert csv.set_index("source_file").loc[names[1], "source_url"] == ""  # empty when unknown


def test_build_with_a_broken_url_sheet_stops_with_one_sentence(tmp_path, capsys):
    bad = tmp_path / "urls.csv"
    pd.DataFrame({"path": ["a"], "url": ["https://e"]}).to_csv(bad, index=False)
    assert main(["build", str(RAW), "--out", str(tmp_path / "out"), "--urls", str(bad), "--quiet"]) == 2
    assert "has no `file` column" in capsys.readouterr().err


def test_profile_shows_the_citation_escaped(built):
    from fazhi_lib import load_corpus

    names, _, out = built
    corpus = load_corpus(out)
    rid = corpus.reports.set_index("source_file").loc[names[0], "report_id"]
    table = profile.metadata_table(corpus, rid).set_index("field")["value"]
    assert table["source address"] == "https://www.example.gov.cn/report.html"
    assert table["cite as"].endswith("[2025-03-21]. https://www.example.gov.cn/report.html.")
    reports = corpus.reports.copy()
    reports.loc[reports["report_id"] == rid, "title"] = "<script>alert(1)</script>报告"
    tables = {**corpus.tables, "reports": reports}
    html = profile.metadata_table(type(corpus)(tables), rid).to_html()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;报告" in html


def test_build_explains_a_page_that_only_links_to_its_report(tmp_path):
    (tmp_path / "stub.html").write_text(
        "<!-- saved from url=(0032)https://www.example.gov.cn/a/b.htm -->"
        "<html><head><title>关于2024年度法治政府建设情况的报告</title></head><body>"
        '<h1>关于2024年度法治政府建设情况的报告</h1><p>附件：<a href="../f/r.pdf">报告全文.pdf</a></p></body></html>',
        encoding="utf-8",
    )
    corpus = build_corpus(tmp_path)
    log = corpus.parse_log.set_index("source_file")
    assert log.loc["stub.html", "status"] == "error"
    assert (
        "the page only links to its report: https://www.example.gov.cn/f/r.pdf (an attachment); "
        "`fazhi collect` saves such attachments beside their page"
    ) in log.loc["stub.html", "messages"]


def test_citation_in_chinese_says_the_address_is_unknown_in_chinese():
    row = {
        "issuer": "某镇",
        "title": "某镇2024年法治政府建设年度报告",
        "publish_date": "2025-03-01",
        "source_file": "a.txt",
    }
    assert (
        citation(row, "zh") == "某镇. 某镇2024年法治政府建设年度报告[EB/OL]. (2025-03-01). 来源网址不详（文件 a.txt）."
    )
    assert (
        citation(row)
        == "某镇. 某镇2024年法治政府建设年度报告[EB/OL]. (2025-03-01). source address unknown (file a.txt)."
    )
    with_url = {**row, "source_url": "https://e/c"}
    assert (
        citation(with_url, "zh")
        == citation(with_url)
        == "某镇. 某镇2024年法治政府建设年度报告[EB/OL]. (2025-03-01). https://e/c."
    )
