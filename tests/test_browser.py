"""The rendered pages in a real browser (Debian's `chromium`, headless, network off): the index, one
profile and one analysis page load from the folder alone, their figures are embedded images that decode,
their long tables become sortable and searchable, and the browser requests nothing outside the file.
Skipped, with one line, where chromium is not installed (.ci/run installs it)."""

import base64
import html
import json
import re
import shutil
import subprocess

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
pytestmark = [
    pytest.mark.notebook,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)"),
]


@pytest.fixture(scope="module")
def rendered(processed_dir, tmp_path_factory):
    from fazhi_lib.report import render_all

    out = tmp_path_factory.mktemp("browser") / "reports"
    results = render_all(processed_dir, out_dir=out, only=["04", "05"], progress=None, workers=1)
    assert all(r.ok for r in results), [r.error for r in results]
    return out


def _load(page, tmp_path):
    """The DOM chromium builds from `page` with the network off, and every URL it asked for."""
    netlog = tmp_path / f"{page.stem}.netlog.json"
    proc = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            # the browser's own background traffic (updates, time, sync) is not the page's
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-features=OptimizationHints,MediaRouter,Translate,NetworkTimeServiceQuerying",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--host-resolver-rules=MAP * ~NOTFOUND",  # the network is off: no name resolves
            f"--log-net-log={netlog}",
            "--virtual-time-budget=3000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    # the page's own requests carry the file:// isolation key; the browser's background ones (accounts,
    # time) carry another and are not the page's doing
    events = json.loads(netlog.read_text(encoding="utf-8", errors="replace"))["events"] if netlog.exists() else []
    urls = {
        e["params"]["url"]
        for e in events
        if "url" in e.get("params", {}) and str(e["params"].get("network_isolation_key", "")).startswith("file://")
    }
    return proc.stdout, urls


def _outside(urls):
    return sorted(u for u in urls if not u.startswith(("file:", "data:", "about:", "chrome:", "blob:")))


def test_the_check_sees_a_page_that_fetches_from_the_network(tmp_path):
    page = tmp_path / "fetching.html"
    page.write_text('<html><body><img src="https://example.org/x.png"></body></html>', encoding="utf-8")
    _, urls = _load(page, tmp_path)
    assert _outside(urls) == ["https://example.org/x.png"]


def test_index_loads_offline_and_links_the_pages(rendered, tmp_path):
    dom, urls = _load(rendered / "index.html", tmp_path)
    assert "<h1>" in dom and "单篇报告概况" in dom  # Chinese by default
    links = re.findall(r'href="(profiles/[^"]+\.html)"', dom)
    assert links and all((rendered / link).is_file() for link in links)
    assert _outside(urls) == []


def test_report_page_loads_offline_with_figures_and_no_code(rendered, tmp_path):
    page = sorted((rendered / "profiles").glob("*.html"))[0]
    dom, urls = _load(page, tmp_path)
    assert _outside(urls) == [], "the page asked for something outside the file"
    assert 'class="fazhi-toc"' in dom  # a table of contents
    assert "jp-InputArea-editor" not in dom and 'class="highlight' not in dom  # no code by default
    assert "import fazhi_lib" not in dom
    images = re.findall(r'<img[^>]+src="([^"]+)"', dom)
    assert images, "the profile draws a figure"
    for src in images:
        assert src.startswith("data:image/png;base64,"), src[:60]
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<table" in dom and "报告的结构如何" in dom


# Run inside a copy of a page, after the page's own scripts: clicks the name of a column of numbers in the
# first long table twice and types in its search box, then writes what it saw into <pre id="probe">.
PROBE = """
(function () {
  var out = {errors: window.__errors, live: document.querySelectorAll("[data-fazhi-live]").length};
  var box = document.querySelector("[data-fazhi-live]");
  var table = box.querySelector("table"), body = table.tBodies[0];
  var heads = table.tHead.rows[table.tHead.rows.length - 1].cells;
  function column(c) {
    return Array.prototype.map.call(body.rows, function (r) { return r.cells[c].textContent.trim(); });
  }
  for (var c = 0; c < heads.length; c++) {
    if (column(c).every(function (t) { return t !== "" && isFinite(t); })) break;
  }
  out.col = c; out.before = column(c);
  heads[c].click(); out.asc = column(c); out.aria = heads[c].getAttribute("aria-sort");
  heads[c].click(); out.desc = column(c);
  heads[c].click(); out.back = column(c);
  var input = box.previousElementSibling.querySelector("input[type=search]");
  out.query = body.rows[body.rows.length - 1].cells[0].textContent.trim();
  input.value = out.query; input.dispatchEvent(new Event("input"));
  var visible = Array.prototype.filter.call(body.rows, function (r) { return !r.hidden; });
  out.shown = visible.map(function (r) { return r.textContent; });
  out.total = body.rows.length;
  out.count = box.previousElementSibling.textContent;
  input.value = "没有这一行 zzz"; input.dispatchEvent(new Event("input"));
  out.none = Array.prototype.filter.call(body.rows, function (r) { return !r.hidden; }).length;
  var pre = document.createElement("pre"); pre.id = "probe"; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
"""
ERRORS = (
    "<script>window.__errors = []; window.addEventListener('error', e => window.__errors.push(e.message));</script>"
)


def test_analysis_page_loads_offline_with_sortable_tables_figures_and_no_code(rendered, tmp_path):
    page = rendered / "05_explore.html"
    text = page.read_text(encoding="utf-8")
    n_long = text.count("data-fazhi-sortable=")
    assert n_long >= 1, "the explore page of the sample corpus has long tables"
    assert text.count("<script>") == 1, "the table script once, however many long tables"
    dom, urls = _load(page, tmp_path)
    assert _outside(urls) == [], "the page asked for something outside the file"
    assert dom.count('data-fazhi-live=""') == n_long  # every long table was taken up by the script
    assert dom.count('class="fazhi-tools"') == n_long and dom.count('type="search"') == n_long
    assert dom.count('aria-sort="none"') > n_long  # column names to click
    assert "jp-InputArea-editor" not in dom and 'class="highlight' not in dom and "import fazhi_lib" not in dom
    images = re.findall(r'<img[^>]+src="([^"]+)"', dom)
    assert images, "the explore page draws figures"
    for src in images:
        assert src.startswith("data:image/png;base64,"), src[:60]
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"

    # the same page, clicked and searched in the browser
    probed = tmp_path / "probed.html"
    head = text.index("<head>") + len("<head>")
    end = text.rindex("</body>")
    probed.write_text(text[:head] + ERRORS + text[head:end] + f"<script>{PROBE}</script>" + text[end:], "utf-8")
    dom, urls = _load(probed, tmp_path)
    assert _outside(urls) == []
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, "the probe did not run: " + dom[-500:]
    out = json.loads(html.unescape(found.group(1)))
    assert out["errors"] == [] and out["live"] == n_long
    numbers = [float(v) for v in out["before"]]
    assert out["aria"] == "ascending" and [float(v) for v in out["asc"]] == sorted(numbers)
    assert [float(v) for v in out["desc"]] == sorted(numbers, reverse=True)
    assert out["back"] == out["before"]  # a third click: the order the page was written in
    assert out["shown"] and all(out["query"] in row for row in out["shown"]) and out["none"] == 0
    assert f"{len(out['shown'])} / {out['total']}" in out["count"]


def test_rendered_files_name_no_absolute_path_and_keep_chinese_parameters(rendered):
    from conftest import ROOT

    for path in [*rendered.rglob("*.html"), *rendered.rglob("*.ipynb"), rendered / "index.json"]:
        text = path.read_text(encoding="utf-8")
        assert str(ROOT) not in text, path
        assert str(rendered) not in text, path
        assert not re.search(r"\\u[4-9][0-9a-f]{3}", text), path  # no \u escape of a Chinese character
    info = json.loads((rendered / "index.json").read_text(encoding="utf-8"))
    assert not info["data_dir"].startswith("/")
    assert re.search(r"\(UTC[+-]\d\d:\d\d\)", (rendered / "index.html").read_text(encoding="utf-8"))


# Run inside a copy of a page once its fonts are loaded: draws each distinct CJK character of the page's
# visible text (and of its search boxes' placeholders) on a canvas, in the page's font stack, in the embedded
# font alone and in the bare `sans-serif`, and writes what it saw into <pre id="fontprobe">. A missing glyph
# is drawn as the same box whatever the character: n characters drawn as n different pictures have glyphs.
FONT_PROBE = """
(function () {
  function draw(ctx, ch, family) {
    ctx.clearRect(0, 0, 48, 48);
    ctx.font = "40px " + family;
    ctx.fillText(ch, 2, 40);
    var data = ctx.getImageData(0, 0, 48, 48).data, h = 2166136261;
    for (var i = 3; i < data.length; i += 4) h = Math.imul(h ^ data[i], 16777619) >>> 0;
    return h;
  }
  function probe() {
    var text = document.body.innerText;
    Array.prototype.forEach.call(document.querySelectorAll("input[placeholder]"), function (el) {
      text += el.placeholder;
    });
    var seen = {}, chars = [];
    Array.from(text).forEach(function (c) {
      if (/[\\u2e80-\\u9fff\\uf900-\\ufaff\\uff00-\\uffef]/.test(c) && !seen[c]) { seen[c] = 1; chars.push(c); }
    });
    var canvas = document.createElement("canvas");
    canvas.width = canvas.height = 48;
    var ctx = canvas.getContext("2d", {willReadFrequently: true});
    var family = getComputedStyle(document.body).fontFamily;
    var page = {}, bare = {}, own = 0;
    chars.forEach(function (c) {
      var h = draw(ctx, c, family);
      page[h] = 1;
      if (h === draw(ctx, c, '"fazhi-cjk"')) own++;
      bare[draw(ctx, c, "sans-serif")] = 1;
    });
    ctx.font = "16px " + family;
    var width = ctx.measureText(chars.join("")).width;
    ctx.font = "16px sans-serif";
    var out = {
      status: document.fonts.status,
      faces: Array.from(document.fonts).filter(function (f) { return f.family.replace(/"/g, "") === "fazhi-cjk"; })
        .map(function (f) { return f.status; }),
      family: family, chars: chars.join(""), distinct: Object.keys(page).length, own: own,
      distinct_bare: Object.keys(bare).length, width: width, width_bare: ctx.measureText(chars.join("")).width
    };
    var pre = document.createElement("pre"); pre.id = "fontprobe"; pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  }
  document.fonts.ready.then(function () { return document.fonts.load('40px "fazhi-cjk"', "法"); }).then(probe, probe);
})();
"""
EMBEDDED = re.compile(r"<style>\n@font-face \{ font-family: \"fazhi-cjk\";.*?</style>\n", re.S)


def _no_cjk_font_installed():
    """True where fontconfig knows no Chinese font (a fresh machine; this test machine)."""
    fc = shutil.which("fc-list")
    return fc is not None and not subprocess.run([fc, ":lang=zh"], capture_output=True, text=True).stdout.strip()


def _font_probe(text, path, tmp_path):
    end = text.rindex("</body>")
    path.write_text(text[:end] + f"<script>{FONT_PROBE}</script>" + text[end:], "utf-8")
    dom, urls = _load(path, tmp_path)
    assert _outside(urls) == []
    found = re.search(r'<pre id="fontprobe">(.*?)</pre>', dom, re.S)
    assert found, "the font probe did not run: " + dom[-500:]
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.parametrize("which", ["index.html", "profile", "05_explore.html"])
def test_chinese_text_is_drawn_with_glyphs_not_boxes(rendered, tmp_path, which):
    from fazhi_lib.webfont import page_characters

    page = sorted((rendered / "profiles").glob("*.html"))[0] if which == "profile" else rendered / which
    text = page.read_text(encoding="utf-8")
    assert len(EMBEDDED.findall(text)) == 1
    out = _font_probe(text, tmp_path / "probed.html", tmp_path)
    assert out["status"] == "loaded" and out["faces"] == ["loaded"]  # the embedded font decoded
    assert "fazhi-cjk" in out["family"]
    chars = out["chars"]
    assert len(chars) > 100 and set(chars) <= set(page_characters(text))  # every character shown is embedded
    if which == "05_explore.html":
        assert set("在本表中搜索共显示行点击列名排序") <= set(chars)  # the table script's labels, drawn too
    assert out["distinct"] == len(chars), "some Chinese characters are drawn as the same box"
    if _no_cjk_font_installed():
        assert out["own"] == len(chars)  # drawn with the embedded font: the reader has no other
        assert out["width"] != out["width_bare"]
        # the same page without the embedded font: every character the same box (the check can fail)
        bare = _font_probe(EMBEDDED.sub("", text, count=1), tmp_path / "bare.html", tmp_path)
        assert bare["chars"] == chars and bare["faces"] == [] and bare["distinct"] == 1
        assert bare["distinct_bare"] == 1
