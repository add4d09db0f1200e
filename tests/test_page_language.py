"""Chinese pages show no English code: every page rendered in Chinese is searched for the codes of
vocab's label table (levels, parts, regions, statuses, columns, indicators, categories …) and their
English labels, as visible text outside code and outside the columns that show text as written."""

import re

import lxml.html
import pytest

from fazhi_lib import vocab


def english_words() -> dict[str, str]:
    """word → where it comes from ('level:township'): each code of the label table and its English label
    where the Chinese label differs and the word has at least two letters (one-letter codes such as the
    columns `a`, `b` and `n` would match any stray letter)."""
    out = {}
    for kind in vocab.kinds():
        for code, (zh, en) in vocab.table(kind).items():
            for word in (code, en):
                if word != zh and len(re.findall(r"[A-Za-z]", word)) >= 2:
                    out.setdefault(word, f"{kind}:{code}")
    return out


def _pattern(words) -> re.Pattern:
    alternatives = sorted((re.escape(w) for w in words), key=len, reverse=True)
    return re.compile(r"(?<![A-Za-z0-9_])(?:" + "|".join(alternatives) + r")(?![A-Za-z0-9_])")


ENGLISH = english_words()
ENGLISH_RE = _pattern(ENGLISH)
# headers (in Chinese) of columns that show text as written: a report's words, file names. The parser's
# messages (提示, and the profile's 解析提示 row) are checked: a Chinese page shows them in Chinese.
RAW_HEADERS = {vocab.label("column", c) for c in vocab.RAW_TEXT_COLUMNS}


def visible_text(html: str) -> str:
    """The text a reader sees, without code (inputs, `code`, `pre`), scripts, styles, and the cells of
    columns that show text as written."""
    doc = lxml.html.document_fromstring(html)
    for el in doc.xpath("//script|//style|//code|//pre|//*[contains(@class, 'jp-InputArea')]"):
        el.drop_tree()
    for table in doc.xpath("//table"):
        header_rows = table.xpath("./thead/tr")
        headers = [c.text_content().strip() for c in header_rows[-1].xpath("./th|./td")] if header_rows else []
        raw = {i for i, h in enumerate(headers) if h in RAW_HEADERS}
        for row in table.xpath("./tbody/tr|./tr"):
            cells = row.xpath("./th|./td")
            for cell in [c for i, c in enumerate(cells) if i in raw and len(cells) == len(headers)]:
                cell.drop_tree()
    return re.sub(r"\s+", " ", doc.text_content())


def english_on_page(html: str) -> list[str]:
    """'township (level:township) in “… 层级 township 省份 …”' for each English code or label shown."""
    text = visible_text(html)
    return [
        f"{m.group()} ({ENGLISH[m.group()]}) in “…{text[max(0, m.start() - 30) : m.end() + 30]}…”"
        for m in ENGLISH_RE.finditer(text)
    ]


# ------------------------------------------------------------------ the checker itself
def test_forbidden_words_come_from_the_label_table():
    assert ENGLISH["township"] == "level:township" and "on_time" in ENGLISH and "on time" in ENGLISH
    assert "enforcement" in ENGLISH  # a category code from rules/typology.yaml
    assert "legality_reviews" in ENGLISH and "legality reviews" in ENGLISH  # an indicator, from the rules
    assert "PMI" not in ENGLISH and "n" not in ENGLISH  # the same in both languages / too short


def test_checker_finds_codes_in_text_and_messages_and_skips_code_and_raw_columns():
    page = (
        "<html><body><p>层级 township，类别 enforcement。</p><p><code>level = township</code></p>"
        "<table><thead><tr><th>解析状态</th><th>提示</th><th>原句</th></tr></thead>"
        "<tbody><tr><td>ok</td><td>部分标题“一、概况”；taken as achievements</td><td>the county plan</td></tr></tbody></table>"
        "<table><thead><tr><th>项目</th><th>数值</th></tr></thead>"
        "<tbody><tr><td>解析提示</td><td>层级 township kept</td></tr>"
        "<tr><td>层级</td><td>subdistrict</td></tr></tbody></table></body></html>"
    )
    found = [f.split(" ")[0] for f in english_on_page(page)]
    assert found == ["township", "enforcement", "ok", "achievements", "township", "subdistrict"]


def test_checker_passes_a_clean_page():
    assert english_on_page("<p>层级 乡镇；<code>fazhi report --lang en</code>；TF-IDF、NMF、PMI。</p>") == []


# ------------------------------------------------------------------ every page, rendered in Chinese
@pytest.fixture(scope="module")
def zh_pages(processed_dir, tmp_path_factory):
    from fazhi_lib.report import render_all

    out = tmp_path_factory.mktemp("zh_pages")
    results = render_all(processed_dir, out_dir=out, progress=None, workers=2)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    pages = [out / r.html for r in results] + [out / "index.html"]
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in pages}


@pytest.mark.notebook
def test_chinese_pages_show_no_english_code(zh_pages):
    assert any(name.startswith("profiles/") for name in zh_pages) and "index.html" in zh_pages and len(zh_pages) >= 6
    found = {name: english_on_page(html) for name, html in zh_pages.items()}
    assert not any(found.values()), {k: v[:5] for k, v in found.items() if v}


@pytest.mark.notebook
def test_chinese_pages_label_the_stored_parser_messages(zh_pages):
    page = zh_pages["01_corpus_statistics.html"]
    assert "“提示”一栏是解析器记录的提示，由表中存储的英文译出（尚无译文的提示保留英文）" in page
    assert "有提示" in page and "正常" in page  # statuses by their labels
