"""Builders of the messy inputs researchers collect, made from the five embedded reports with the
project's own dependencies: re-encoded copies, a saved web page, a Word and a PDF attachment, a scan,
and junk. Used by test_load.py, test_bad_input.py and test_properties.py."""

from __future__ import annotations

import functools
import html
import io
import random
from pathlib import Path

from fazhi_lib.clean import clean_page

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
REPORTS = {p.name[:3]: p for p in sorted(RAW.glob("*.txt"))}


def raw_text(prefix: str) -> str:
    return REPORTS[prefix].read_text(encoding="utf-8")


def raw_bytes(prefix: str) -> bytes:
    return REPORTS[prefix].read_bytes()


def report_parts(prefix: str) -> tuple[dict[str, list[str]], str | None, list[str]]:
    """(metadata label → values, title, body paragraphs) of an embedded report, as the cleaner reads it."""
    page = clean_page(raw_text(prefix))
    return page.meta, page.title, page.text.split("\n")


def html_page(prefix: str, *, charset: str = "utf-8", layout: str = "div") -> str:
    """A saved government web page: navigation, breadcrumb, metadata table, title, the report's
    paragraphs, share links and a footer. `layout='table'`: an old site laid out in one table with
    the report's lines separated by <br>."""
    meta, title, body = report_parts(prefix)
    rows = "".join(
        f"<tr><td>{html.escape(label)}：</td><td>{html.escape(values[0])}</td></tr>"
        for label, values in meta.items()
        if values and label not in ("浏览次数", "访问次数", "字体")
    )
    head = (
        f'<head><meta charset="{charset}"><title>{html.escape(title or "")}_某某区人民政府</title>'
        '<script>var nav = "首页 政务公开";</script><style>p{text-indent:2em}</style></head>'
    )
    nav = (
        '<div class="header"><ul class="nav"><li><a href="/">首页</a></li><li>政务公开</li><li>互动交流</li>'
        "<li>办事服务</li></ul></div>"
    )
    crumb = '<div class="position">当前位置：<a href="/">首页</a> &gt; 政务公开 &gt; 法治政府建设年度报告</div>'
    footer = (
        '<div class="footer"><p>主办单位：某某区人民政府办公室　网站标识码：3301000001</p>'
        "<p>浙ICP备12345678号　版权所有 © 2025</p></div>"
    )
    if layout == "table":
        inner = "<br>\n".join(html.escape(p) for p in body)
        return (
            f"<html>{head}<body><table width=1000><tr><td>{nav}</td></tr><tr><td>{crumb}</td></tr>"
            f"<tr><td><table>{rows}</table></td></tr>"
            f"<tr><td align=center><b>{html.escape(title or '')}</b></td></tr>"
            f"<tr><td><font size=3>{inner}</font></td></tr><tr><td>{footer}</td></tr></table></body></html>"
        )
    paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in body)
    return (
        f"<!DOCTYPE html><html>{head}<body>{nav}{crumb}<table class='xxgk'>{rows}</table>"
        f"<div class='article'><h1>{html.escape(title or '')}</h1>"
        f"<div class='info'>发布时间：{html.escape((meta.get('发布时间') or [''])[0])}　浏览次数：<span>57</span></div>"
        f"<div class='content' id='zoom'>{paragraphs}</div>"
        f"<div class='bdsharebuttonbox'>分享到：<a>微信</a><a>微博</a></div>"
        f"<div>【打印本页】【关闭窗口】</div></div>{footer}</body></html>"
    )


@functools.cache
def docx_bytes(prefix: str, *, numbered_parts: bool = False) -> bytes:
    """A Word attachment: the title and the report's paragraphs (python-docx). With `numbered_parts`,
    the top-level part headings lose their written '一、' and get Word's automatic numbering instead."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    _, title, body = report_parts(prefix)
    document = docx.Document()
    if title:
        document.add_paragraph(title).alignment = WD_ALIGN_PARAGRAPH.CENTER
    num_id = None
    if numbered_parts:
        numbering = document.part.numbering_part.element
        numbering.append(
            parse_xml(
                f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
                '<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>'
            )
        )
        numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
        num_id = "90"
    for line in body:
        if num_id and len(line) > 2 and line[0] in "一二三四五六七八九" and line[1] == "、":
            p = document.add_paragraph(line[2:])
            p._p.get_or_add_pPr().append(
                parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>')
            )
        else:
            document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _font_path() -> str:
    import zhplot

    return str(Path(zhplot.__file__).parent / "fonts" / "NotoSansSC-Regular.ttf")


@functools.cache  # embedding the font takes a second: one PDF per report per session
def pdf_bytes(prefix: str) -> bytes:
    """A PDF attachment with a text layer (fpdf2, Noto Sans SC from zhplot embedded): the title, the
    paragraphs wrapped to the page width, and a page number '- N -' in each footer."""
    from fpdf import FPDF

    _, title, body = report_parts(prefix)

    class Doc(FPDF):
        def footer(self):
            self.set_y(-15)
            self.cell(0, 10, f"- {self.page_no()} -", align="C")

    pdf = Doc()
    pdf.add_font("noto", fname=_font_path())
    pdf.set_font("noto", size=11)
    pdf.add_page()
    if title:
        pdf.multi_cell(0, 8, title, align="C", new_x="LMARGIN", new_y="NEXT")
    for line in body:
        pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def scanned_pdf_bytes(pages: int = 2) -> bytes:
    """A PDF of page images without a text layer, as a scanner makes."""
    from fpdf import FPDF
    from PIL import Image

    rng = random.Random(7)
    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
        img = Image.new("L", (300, 400), 255)
        for _ in range(3000):
            img.putpixel((rng.randrange(300), rng.randrange(400)), 0)
        pdf.image(img, x=10, y=10, w=180)
    return bytes(pdf.output())


def truncated(prefix: str, *, before: str = "二、") -> str:
    """The raw page cut off just before its problems part (a download that stopped)."""
    text = raw_text(prefix)
    lines = text.split("\n")
    cut = next(i for i, line in enumerate(lines) if line.strip().startswith(before))
    return "\n".join(lines[:cut]) + "\n"


ERROR_PAGE = """<html><head><meta charset="utf-8"><title>404 页面不存在</title></head>
<body><div class="header"><ul class="nav"><li>首页</li><li>政务公开</li></ul></div>
<div class="err"><h2>抱歉，您访问的页面不存在或已被删除！</h2><p>请检查您输入的网址是否正确，或返回首页继续浏览。</p>
<p>5秒后自动跳转到网站首页</p></div><div class="footer">版权所有：某某区人民政府</div></body></html>"""

NEWS_ITEM = """首页 > 新闻动态 > 乡镇动态
塘栖镇召开2024年度法治建设工作推进会
发布时间: 2024-06-12 10:20 浏览次数:
6月11日，塘栖镇召开2024年度法治建设工作推进会，镇党委书记出席会议并讲话。会议传达学习了上级关于法治政府建设的工作部署，通报了上半年全镇法治建设工作开展情况。
会议强调，要深入学习贯彻习近平法治思想，压紧压实法治建设第一责任人职责，扎实做好合法性审查、行政执法监督、矛盾纠纷化解等工作。
镇领导班子成员、各村（社区）书记、镇各部门负责人参加会议。
"""


def random_bytes(n: int = 4096, *, seed: int = 5) -> bytes:
    return random.Random(seed).randbytes(n)
