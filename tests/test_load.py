"""Reading every format researchers collect (fazhi_lib/load.py, fazhi_lib/convert.py).

Expectations are the embedded reports themselves: a copy in another encoding or format must give
the same clean text as the original page in data/raw."""

import io
import zipfile

import opencc
import pytest
from messy import (
    REPORTS,
    docx_bytes,
    html_page,
    pdf_bytes,
    raw_bytes,
    raw_text,
    report_parts,
    scanned_pdf_bytes,
)

import fazhi_lib as fz
from fazhi_lib.clean import clean_page
from fazhi_lib.convert import to_simplified
from fazhi_lib.load import (
    LoadError,
    common_share,
    decode_bytes,
    detect_decode,
    read_bytes,
    read_document,
    rejoin_wrapped_lines,
    skip_reason,
)

PREFIXES = sorted(REPORTS)
S2TW = opencc.OpenCC("s2tw")


def squeeze(text: str) -> str:
    return "".join(text.split())


def clean_text(text: str) -> str:
    return clean_page(text).text


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    return {p: pdf_bytes(p) for p in ("003", "004")}


# ---------------------------------------------------------------- encodings
@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize(
    "encoding, expected, source",
    [
        ("utf-8", "utf-8", "valid UTF-8"),
        ("utf-8-sig", "utf-8-sig", "byte-order mark"),
        ("utf-16", "utf-16", "byte-order mark"),  # Windows Notepad's "Unicode": little-endian with a BOM
        ("utf-16-le", "utf-16-le", "charset-normalizer"),  # no BOM
        ("utf-16-be", "utf-16-be", "charset-normalizer"),
        ("gb18030", "gb18030", "charset-normalizer"),
    ],
)
def test_every_encoding_gives_the_same_text(prefix, encoding, expected, source):
    text = raw_text(prefix)
    d = detect_decode(text.encode(encoding))
    assert d.text == text
    assert (d.encoding, d.source) == (expected, source)


@pytest.mark.parametrize("prefix", ["002", "004"])  # the pages whose characters are all in GBK
def test_gbk_copy(prefix):
    text = raw_text(prefix)
    assert decode_bytes(text.encode("gbk")) == (text, "gb18030")  # GBK is read as its superset GB18030


def test_short_gbk_text_is_not_taken_for_big5():
    # charset-normalizer alone guesses big5hkscs for these 6 bytes; common characters decide
    assert decode_bytes("塘栖镇".encode("gbk")) == ("塘栖镇", "gb18030")
    assert common_share("塘栖镇") == 1.0 and common_share("攽ゝ淜") == 0.0


@pytest.mark.parametrize("prefix", PREFIXES)
def test_big5_traditional_page_is_read_and_converted(prefix):
    original = raw_text(prefix).replace("\xa0", " ").replace("•", "·")  # characters Big5 lacks
    traditional = S2TW.convert(original)
    doc = read_bytes(traditional.encode("big5"), path="繁體.txt")
    assert doc.encoding == "big5hkscs"
    assert doc.converted_from == "traditional"
    assert doc.original_text == traditional
    assert len(doc.text) == len(traditional)  # offsets index the original text too
    # t2s gives back the simplified page, except 著, which simplified text also uses (著作)
    differ = [(a, b) for a, b in zip(doc.text, original) if a != b]
    assert set(differ) <= {("著", "着")}
    assert any("traditional characters" in n for n in doc.notes)


@pytest.mark.parametrize("config", ["s2t", "s2tw", "s2hk", "s2twp"])
def test_t2s_keeps_every_character_in_place(config):
    for prefix in PREFIXES:
        traditional = opencc.OpenCC(config).convert(raw_text(prefix))
        converted = to_simplified(traditional)
        assert converted.converted_from == "traditional"
        assert len(converted.text) == len(traditional)
        assert [len(line) for line in converted.text.splitlines()] == [len(line) for line in traditional.splitlines()]


def test_simplified_reports_are_not_converted():
    for prefix in PREFIXES:
        c = to_simplified(raw_text(prefix))
        assert (c.converted_from, c.n_changed, c.share) == (None, 0, 0.0)


def test_traditional_report_offsets_trace_back_to_the_original(tmp_path):
    original = raw_text("003").replace("\xa0", " ").replace("•", "·")
    path = tmp_path / "澧浦鎮 2023年度法治政府建設工作報告.txt"
    path.write_bytes(S2TW.convert(original).encode("big5"))
    result = fz.parse_file(path, root=tmp_path)
    assert result.report["converted_from"] == "traditional"
    assert result.report["issuer"] == "澧浦镇" and result.report["report_year"] == 2023
    assert "written in traditional characters" in result.log["messages"]
    traditional = read_document(path).original_text
    t2s = opencc.OpenCC("t2s")
    for item in result.tables["problem_items"]:
        assert squeeze(t2s.convert(traditional[item["raw_start"] : item["raw_end"]])) == squeeze(item["text"])
    assert len(result.tables["problem_items"]) == 2


# ---------------------------------------------------------------- HTML
@pytest.mark.parametrize("layout", ["div", "table"])
@pytest.mark.parametrize("prefix", PREFIXES)
def test_saved_page_gives_the_reports_clean_text(prefix, layout):
    page = html_page(prefix, layout=layout)
    doc = read_bytes(page.encode("utf-8"), path="page.html")
    assert doc.format == "html"
    assert clean_text(doc.text) == clean_text(raw_text(prefix))
    for furniture in ("互动交流", "办事服务", "网站标识码", "版权所有", "分享到", "微博", "var nav", "text-indent"):
        assert furniture not in doc.text


def test_saved_page_metadata_and_title_are_read():
    page = html_page("002", charset="gb2312").encode("gb18030")
    doc = read_bytes(page, path="002 云龙镇.htm")
    assert (doc.encoding, doc.encoding_source) == ("gb18030", "declared in the page")
    result = fz.parse_text(doc.text, source_file="002.htm", fmt=doc.format, encoding=doc.encoding)
    r = result.report
    assert r["title"] == "2023年度云龙镇法治政府建设工作报告"
    assert (r["publish_date"], r["index_no"], r["publisher"]) == ("2024-02-22", "002971679/2024-116407", "云龙镇")


def test_page_declaring_the_wrong_charset_is_detected():
    page = html_page("003", charset="utf-8").encode("gb18030")  # says UTF-8, is GB18030
    doc = read_bytes(page, path="wrong.html")
    assert doc.encoding == "gb18030"
    assert clean_text(doc.text) == clean_text(raw_text("003"))


def test_page_title_comes_from_the_title_tag_when_the_body_has_none():
    body = "\n".join(f"<p>{line}</p>" for line in report_parts("003")[2])
    page = (
        f"<html><head><title>澧浦镇2023年度法治政府建设工作报告_金东区人民政府</title></head><body>{body}</body></html>"
    )
    result = fz.parse_text(read_bytes(page.encode(), path="p.html").text)
    assert result.report["title"] == "澧浦镇2023年度法治政府建设工作报告"


def test_html_saved_as_txt_and_xml_declaration():
    page = '<?xml version="1.0" encoding="utf-8"?>\n' + html_page("003")
    doc = read_bytes(page.encode("utf-8"), path="page.txt")
    assert doc.format == "html"
    assert any("not what its extension '.txt' says" in n for n in doc.notes)
    assert clean_text(doc.text) == clean_text(raw_text("003"))


def test_deeply_nested_page_does_not_overflow():
    def page(depth):
        body = "<div>" * depth + "".join(f"<p>{line}</p>" for line in report_parts("003")[2]) + "</div>" * depth
        return f"<html><body>{body}</body></html>".encode()

    doc = read_bytes(page(1500), path="deep.html")
    assert clean_text(doc.text) == clean_text("\n".join(report_parts("003")[2]))
    with pytest.raises(LoadError, match="nested more than 2,000 levels"):
        read_bytes(page(5000), path="deeper.html")


# ---------------------------------------------------------------- Word
@pytest.mark.parametrize("prefix", PREFIXES)
def test_docx_gives_the_reports_clean_text(prefix):
    doc = read_bytes(docx_bytes(prefix), path="report.docx")
    assert (doc.format, doc.encoding) == ("docx", None)
    assert clean_text(doc.text) == clean_text(raw_text(prefix))


def test_docx_automatic_numbering_is_written_out():
    doc = read_bytes(docx_bytes("003", numbered_parts=True), path="report.docx")
    lines = doc.text.split("\n")
    assert "一、主要举措与成效" in lines and "二、存在的不足" in lines and "三、2024年度主要工作" in lines
    assert clean_text(doc.text) == clean_text(raw_text("003"))


def test_docx_tables_are_read_row_by_row():
    import docx

    d = docx.Document()
    d.add_paragraph("澧浦镇2023年度法治政府建设工作报告")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "指标", "数量"
    table.cell(1, 0).text, table.cell(1, 1).text = "合法性审查", "13次"
    d.add_paragraph("今年组织行政决策合法性审查13次。")
    buf = io.BytesIO()
    d.save(buf)
    doc = read_bytes(buf.getvalue(), path="t.docx")
    assert doc.text.split("\n") == [
        "澧浦镇2023年度法治政府建设工作报告",
        "指标 数量",
        "合法性审查 13次",
        "今年组织行政决策合法性审查13次。",
    ]


def test_damaged_docx_is_an_error():
    data = docx_bytes("003")
    with pytest.raises(LoadError, match="damaged"):
        read_bytes(data[: len(data) // 2], path="cut.docx")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "not word")
    with pytest.raises(LoadError, match="the .docx file is damaged or is not a Word document"):
        read_bytes(buf.getvalue(), path="fake.docx")
    with pytest.raises(LoadError, match="the file is a ZIP archive"):
        read_bytes(buf.getvalue(), path="reports.txt")


# ---------------------------------------------------------------- PDF
@pytest.mark.parametrize("prefix", ["003", "004"])
def test_pdf_text_layer_gives_the_reports_text(pdfs, prefix):
    doc = read_bytes(pdfs[prefix], path="report.pdf")
    assert (doc.format, doc.encoding, doc.warnings) == ("pdf", None, ())
    assert "- 1 -" not in doc.text  # page numbers dropped
    # lines the PDF wrapped are joined again; the words are exactly the page's
    assert squeeze(clean_text(doc.text)) == squeeze(clean_text(raw_text(prefix)))


def test_pdf_report_parses_like_its_original(pdfs, raw_dir):
    pdf = fz.parse_text(read_bytes(pdfs["004"], path="r.pdf").text).report
    txt = fz.parse_file(raw_dir / REPORTS["004"].name).report
    for column in ("issuer", "report_year", "level", "part_kinds", "n_problem_items"):
        assert pdf[column] == txt[column]


def test_scanned_pdf_is_an_error_not_a_guess():
    with pytest.raises(LoadError, match=r"no text layer \(2 pages: scanned images\?\).*OCR"):
        read_bytes(scanned_pdf_bytes(), path="scan.pdf")


def test_truncated_pdf_is_an_error(pdfs):
    with pytest.raises(LoadError, match="the PDF is damaged"):
        read_bytes(pdfs["003"][: len(pdfs["003"]) // 2], path="cut.pdf")


def test_rejoin_wrapped_lines():
    a = "全年审查合同四十三份，发现问题十二个，整改落实到位，群众满意度"  # full lines, wrapped mid-sentence
    b = "持续深化诉源治理，建成村社级共享法庭二十九个，化解纠纷一千余件"
    lines = [
        "一、主要成效",
        a,
        "达到百分之百。",
        b,
        b,
        "成效明显。",
        "二、存在的不足",
        "1.",
        "力量薄弱。",
        a + "。",
        "中共某某镇委员会",
    ]
    assert rejoin_wrapped_lines(lines) == [
        "一、主要成效",
        a + "达到百分之百。",
        b + b + "成效明显。",
        "二、存在的不足",
        "1.力量薄弱。",
        a + "。",
        "中共某某镇委员会",
    ]


# ---------------------------------------------------------------- which files, which formats
@pytest.mark.parametrize(
    "path, reason",
    [
        ("a.txt", None),
        ("2024/塘栖镇 年度报告.docx", None),
        (".DS_Store", "a hidden file; skipped"),
        ("word/~$栖镇报告.docx", "a Word lock file (~$…) left by an open document; skipped"),
        (".~lock.report.docx#", "a LibreOffice lock file; skipped"),
        ("Thumbs.db", "a Windows system file; skipped"),
        ("report.txt~", "an editor backup file (…~); skipped"),
        ("__MACOSX/._a.txt", "macOS archive metadata (__MACOSX folder); skipped"),
        (".ipynb_checkpoints/a-checkpoint.txt", "inside the hidden folder .ipynb_checkpoints; skipped"),
    ],
)
def test_skip_reason(path, reason):
    assert skip_reason(path) == reason


@pytest.mark.parametrize(
    "name, data, message",
    [
        (
            "old.doc",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
            "unsupported file type '.doc': an old Word .doc file; open it in Word",
        ),
        ("table.xlsx", b"PK\x03\x04", "unsupported file type '.xlsx': a spreadsheet"),
        ("README", b"hello", "unsupported file type '(none)'"),
        ("page.crdownload", b"<html>", "an unfinished browser download"),
    ],
)
def test_unsupported_files_say_what_to_do(tmp_path, name, data, message):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(LoadError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_document(tmp_path / name)


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("empty.txt", b"", "the file is empty (0 bytes)"),
        ("blank.txt", "\n \u3000\t\r\n".encode(), "only whitespace"),
        ("blank16.txt", "\n  \n".encode("utf-16"), "only whitespace"),
        ("junk.txt", bytes(range(256)) * 8, "binary data"),
        ("english.txt", b"Page not found. The requested URL was not found on this server. " * 5, "almost no Chinese"),
        ("error.pdf", "<html><body>404 页面不存在</body></html>".encode(), "not a real .pdf file"),
        ("pic.txt", b"\x89PNG\r\n\x1a\n" + bytes(100), "the file is an image"),
    ],
)
def test_unreadable_content_is_a_load_error(name, data, message):
    with pytest.raises(LoadError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_bytes(data, path=name)


@pytest.mark.parametrize(
    "text, kept",
    [
        # a research database's entry: a Chinese title over an English summary
        (
            "云南省人民政府关于2023年度法治政府建设情况的报告\nEnglish title (machine-translated)\n" + "Summary. " * 60,
            True,
        ),
        ("昆明市司法局2022年法治政府建设年度报告\n\nPublished 2023-02-01\n" + "The bureau reported. " * 30, True),
        # a title printed over two lines
        (
            "云南省人民政府关于2023年度法治政府建设\n情况的报告\nEnglish title (machine-translated)\n"
            + "Summary. " * 60,
            True,
        ),
        # the same in traditional characters (報告, 關於: the title pattern read on its simplified form)
        (
            "雲南省人民政府關於2023年度法治政府建設情況的報告\nEnglish title (machine-translated)\n" + "Summary. " * 60,
            True,
        ),
        ("昆明市司法局2022年法治政府建設年度報告\n\nPublished 2023-02-01\n" + "The bureau reported. " * 30, True),
        # an English page whose Chinese line is no report title, or a title line of mojibake
        ("网站首页\n" + "Page not found. The requested URL was not found. " * 10, False),
        ("Annual report on law-based government 2023\n" + "Summary. " * 60, False),
    ],
)
def test_a_chinese_report_title_over_another_language_is_kept_with_a_warning(text, kept):
    if kept:
        doc = read_bytes(text.encode("utf-8"), path="entry.txt")
        assert any("mostly in another language" in w for w in doc.warnings)
    else:
        with pytest.raises(LoadError, match="almost no Chinese"):
            read_bytes(text.encode("utf-8"), path="entry.txt")


def test_pdf_saved_as_txt_is_read_as_pdf(pdfs):
    doc = read_bytes(pdfs["003"], path="attachment.txt")
    assert doc.format == "pdf"
    assert any("is PDF, not what its extension '.txt' says" in n for n in doc.notes)


def test_limits_are_clear_errors(monkeypatch, tmp_path):
    monkeypatch.setenv("FAZHI_MAX_CHARS", "1000")
    with pytest.raises(LoadError, match=r"the text has 6,144 characters|characters, far more than an annual report"):
        read_bytes(raw_bytes("003"), path="a.txt")
    monkeypatch.setenv("FAZHI_MAX_BYTES", "100")
    (tmp_path / "a.txt").write_bytes(raw_bytes("003"))
    with pytest.raises(LoadError, match="more than fazhi reads"):
        read_document(tmp_path / "a.txt")
