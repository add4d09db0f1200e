"""The page's own subset of the shipped CJK font (fazhi_lib/webfont.py): it holds exactly the page's CJK
characters, sits in the page once, keeps the page's bytes otherwise, and is the same for the same page.
The browser check (no boxes for Chinese text without a CJK font) is in test_browser.py."""

import base64
import io
import re

import pytest
from fontTools.ttLib import TTFont

from fazhi_lib import report as rp
from fazhi_lib import webfont

FACE = re.compile(r'@font-face \{ font-family: "fazhi-cjk";.*?base64,([A-Za-z0-9+/=]+)"\) format\("woff2"\); \}', re.S)
# written out here rather than taken from webfont.is_cjk: the test's own idea of a CJK character
CJK = re.compile(
    r"[\u2460-\u24ff\u2e80-\u9fff\uf900-\ufaff\ufe10-\ufe1f\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]"
)


def embedded(page: str) -> TTFont:
    """The font a page embeds, read back (there must be exactly one)."""
    faces = FACE.findall(page)
    assert len(faces) == 1, f"{len(faces)} @font-face rules"
    return TTFont(io.BytesIO(base64.b64decode(faces[0])))


def cmap_chars(font: TTFont) -> set[str]:
    return {chr(cp) for cp in font.getBestCmap()}


@pytest.mark.parametrize(
    "ch, cjk",
    [("法", True), ("㙟", True), ("，", True), ("。", True), ("①", True), ("Ａ", True), ("𠀋", True)]
    + [("a", False), ("·", False), ("—", False), ("“", False), ("…", False), ("é", False)],
)
def test_which_characters_count_as_cjk(ch, cjk):
    assert webfont.is_cjk(ch) is cjk


def test_the_subset_holds_exactly_the_pages_cjk_characters():
    page = (
        "<!doctype html><html><head><title>塘栖镇</title><style>p {}</style></head><body>"
        "<h1>法治政府建设年度报告（2024年度）</h1><p>共 3 行 &#x9F98; &amp; &lt;b&gt;①</p></body></html>"
    )
    out = webfont.with_font(page)
    font = embedded(out)
    expected = set(CJK.findall("塘栖镇法治政府建设年度报告（2024年度）共行龘①"))
    assert cmap_chars(font) == expected  # a character reference (&#x9F98; 龘) counts; nothing else is in
    assert font.flavor == "woff2" and "GSUB" not in font and "glyf" in font
    assert len(font.getGlyphOrder()) == len(expected) + 1  # and .notdef: no glyph the page does not show


def test_the_page_is_unchanged_but_for_one_style_element_in_its_head():
    page = (
        '<html lang="zh-CN"><head><meta charset="utf-8"><title>&lt;script&gt;</title></head>'
        "<body><p>&lt;/head&gt;&lt;script&gt;alert(1)&lt;/script&gt; 法治 &amp;amp; &#27861;</p></body></html>"
    )
    out = webfont.with_font(page)
    style = re.search(r"<style>\n@font-face.*?</style>\n", out, re.S)
    assert style and out.count("@font-face") == 1
    assert out.replace(style.group(0), "", 1) == page  # nothing unescaped, nothing moved
    assert out.index(style.group(0)) == page.index("</head>")  # in the <head>, after what it held
    assert webfont.with_font(page) == out  # the same page, the same bytes


def test_a_page_without_cjk_text_or_without_a_head_is_left_alone():
    english = "<html><head></head><body><p>Annual reports · 3 rows…</p></body></html>"
    assert webfont.with_font(english) == english
    headless = "<p>法治</p>"
    assert webfont.with_font(headless) == headless


def test_characters_the_font_does_not_have_are_left_out():
    chars = "法\U0002a6d6"  # an extension B ideograph Noto Sans SC does not draw
    have = cmap_chars(TTFont(io.BytesIO(webfont._font_bytes())))
    assert "法" in have and "\U0002a6d6" not in have
    font = TTFont(io.BytesIO(webfont.subset_font(chars)))
    assert cmap_chars(font) == {"法"}


def test_the_licence_travels_with_the_subset():
    names = TTFont(io.BytesIO(webfont.subset_font("法治")))["name"]
    assert "SIL Open Font License" in str(names.getDebugName(13))
    assert names.getDebugName(1) == "Noto Sans SC"


def test_the_stylesheet_lists_the_embedded_font_after_the_readers_cjk_fonts():
    body = re.search(r"body \{ font-family: ([^;]+);", rp.STYLESHEET).group(1).split(",")
    names = [n.strip().strip('"') for n in body]
    assert names.index("fazhi-cjk") > names.index("Microsoft YaHei")
    assert names.index("fazhi-cjk") < names.index("sans-serif")
    assert "fazhi-cjk" in re.search(r"code, pre \{ font-family: ([^;]+);", rp.STYLESHEET).group(1)


def test_the_index_embeds_the_characters_of_its_text_and_escapes_input(tmp_path, processed_dir):
    hostile = '<script>alert("镇")</script>'
    result = rp.RenderResult(
        "04_p.ipynb",
        None,
        tmp_path / "profiles" / "r1.html",
        {"report_id": "r1"},
        True,
        stem="profiles/r1",
        label=f"塘栖镇 2024 {hostile}",
        group="profile",
        rendered_at="2025-01-01T00:00:00+00:00",
    )
    rp.write_index([result], tmp_path, processed_dir)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert hostile not in page and "&lt;script&gt;alert(&quot;镇&quot;)&lt;/script&gt;" in page
    assert cmap_chars(embedded(page)) == set(CJK.findall(page)) >= set("塘栖镇单篇报告概况")
    assert page == rp.index_html(json_info(tmp_path)).replace("</head>", _style(page) + "</head>", 1)
    rp.write_index([result], tmp_path, processed_dir, embed_font=False)
    plain = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "@font-face" not in plain and "塘栖镇" in plain
    assert "embed" not in plain.lower()  # the index says nothing about the option


def json_info(folder):
    import json

    return json.loads((folder / "index.json").read_text(encoding="utf-8"))


def _style(page: str) -> str:
    return re.search(r"<style>\n@font-face.*?</style>\n", page, re.S).group(0)
