"""PDFs exported from Word, read by layout (load.py, pdfplumber): the title on a line of its own, running
headers, footers and page numbers out, paragraphs whole across line and page breaks, two sub-headings set
side by side kept apart; pypdf reads the file when pdfplumber fails (issue 15)."""

import io

import pytest
from messy import _font_path

from fazhi_lib import load
from fazhi_lib.load import read_bytes

TITLE = "某某县人民政府关于2024年度法治政府建设工作情况和下一步工作安排的报告"  # wraps onto two lines at 20 pt
RUNNING_HEADER = "某某县人民政府办公室文件"
STUDY = "全年组织领导干部学法四次，开展法治讲座十二场，覆盖干部职工一千二百余人次，领导干部述法实现全覆盖。"
BODY = [
    ("heading", "一、主要成效"),
    (
        "para",
        (
            "2024年，我县坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻习近平法治思想，全面落实"
            "法治政府建设实施纲要，各项工作取得明显成效。全年审查规范性文件四十三件，纠正问题十二个。"
        ),
    ),
    ("side by side", ("（一）依法履职", "（二）规范执法")),
    *[("para", f"第{n}项，" + STUDY * 2) for n in "一二三"],
    (
        "para",
        "".join(f"第{i}批次审查合同{7 * i}份，提出意见{3 * i}条。" for i in range(1, 40)),
    ),  # runs over the page break
    ("heading", "二、存在的不足"),
    ("para", "基层法治力量仍然薄弱，部分乡镇合法性审查人员不足，行政执法人员的法律素养有待进一步提高。"),
]


def word_like_pdf() -> bytes:
    """A report as Word exports it to PDF: a large centred title, 14 pt headings, 12 pt paragraphs with a
    two-character first-line indent, a running header and a '— N —' page number on every page."""
    from fpdf import FPDF

    class Doc(FPDF):
        def header(self):
            self.set_font("noto", size=9)
            self.set_y(8)
            self.cell(0, 6, RUNNING_HEADER, align="C")
            self.set_y(25)

        def footer(self):
            self.set_y(-15)
            self.set_font("noto", size=10)
            self.cell(0, 10, f"— {self.page_no()} —", align="C")

    pdf = Doc(format="A4")
    pdf.add_font("noto", fname=_font_path())
    pdf.set_auto_page_break(True, margin=25)
    pdf.add_page()
    pdf.set_font("noto", size=20)
    pdf.multi_cell(0, 11, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for kind, text in BODY:
        if kind == "heading":
            pdf.set_font("noto", size=14)
            pdf.multi_cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")
        elif kind == "side by side":
            pdf.set_font("noto", size=12)
            pdf.cell(95, 8, text[0])
            pdf.cell(0, 8, text[1], new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font("noto", size=12)
            pdf.set_x(pdf.l_margin + 2 * 12 * 25.4 / 72)  # first-line indent: two characters
            pdf.write(8, text)
            pdf.ln(8)
    return bytes(pdf.output())


def expected_lines() -> list[str]:
    out = [TITLE]
    for kind, text in BODY:
        out += list(text) if kind == "side by side" else [text]
    return out


@pytest.fixture(scope="module")
def pdf() -> bytes:
    data = word_like_pdf()
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as doc:  # the fixture is what it claims to be
        assert len(doc.pages) >= 2
        first, second = doc.pages[0].extract_text().splitlines(), doc.pages[1].extract_text().splitlines()
    assert first[1] + first[2] == TITLE  # the title wraps on the page
    assert first[0] == second[0] == RUNNING_HEADER and first[-1] == "— 1 —"
    assert "批次" in second[1] and not second[1].startswith("第") and "批次" in first[-2]  # a paragraph runs over
    return data


def test_word_pdf_reads_as_title_headings_and_whole_paragraphs(pdf):
    doc = read_bytes(pdf, path="report.pdf")
    assert doc.text.split("\n") == expected_lines()
    assert RUNNING_HEADER not in doc.text and "—" not in doc.text
    assert (doc.warnings, doc.notes) == ((), ())


def test_pypdf_alone_glues_what_the_layout_reader_keeps_apart(pdf):
    """The same file through the fallback reader: the differences the layout reader exists for."""
    import pypdf

    text, _, _ = load._read_pdf_pypdf(list(pypdf.PdfReader(io.BytesIO(pdf)).pages), {})
    lines = text.split("\n")
    assert lines != expected_lines()
    assert RUNNING_HEADER in lines or "（一）依法履职 （二）规范执法" in lines


def test_pypdf_reads_the_file_when_pdfplumber_fails(pdf, monkeypatch):
    def broken(data):
        raise RuntimeError("pdfminer could not parse the page tree")

    monkeypatch.setattr(load, "_read_pdf_layout", broken)
    doc = read_bytes(pdf, path="report.pdf")
    assert "PDF read by pypdf (pdfplumber failed: RuntimeError)" in doc.notes[0]
    squeezed = "".join(doc.text.split()).replace(RUNNING_HEADER, "")  # 2 pages: too few for pypdf's rule
    assert squeezed.startswith(TITLE) and squeezed.endswith(BODY[-1][1])
    for _kind, text in BODY:
        assert "".join(text) in squeezed, text


def test_bare_page_numbers_and_repeated_footers_are_furniture_lines_in_the_body_are_not():
    line = load._PdfLine
    h = 800.0
    pages = [
        [
            line("某某县人民政府", 200, 400, 20, 30, 9, p),
            line(f"第{p}页 共3页", 250, 350, 770, 780, 9, p),
            line("正文第一行，讲述工作。", 50, 500, 100, 112, 12, p),
            line(str(p), 290, 300, 400, 412, 12, p),
        ]
        for p in (1, 2, 3)
    ]
    dropped = load._furniture(pages, [h, h, h])
    kept = {(p, i) for p in range(3) for i in range(4)} - dropped
    assert kept == {(p, 2) for p in range(3)}
