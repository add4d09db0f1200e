"""`fazhi collect` against a local server on 127.0.0.1 that each test starts (never the internet).

Delays, timeouts and backoff are tiny here so that each test takes well under a few seconds; the
politeness figures at the real defaults are measured by bench/collect_bench.py.
"""

from __future__ import annotations

import _thread
import hashlib
import itertools
import signal
import threading
import time

import pandas as pd
import pytest

pytest.importorskip("pytest_httpserver")
from messy import html_page
from pytest_httpserver import HTTPServer
from werkzeug import Response

from fazhi_lib import build_corpus
from fazhi_lib.cli import main
from fazhi_lib.collect import (
    MANIFEST_COLUMNS,
    CollectError,
    CollectInterrupted,
    collect,
    file_name,
    read_addresses,
    read_manifest,
)

FAST = {"delay": 0.01, "timeout": 2.0, "retries": 2, "backoff": 0.0, "contact": "tester@example.org"}
ALLOW_ALL = "User-agent: *\nAllow: /\n"


@pytest.fixture
def site():
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    server.expect_request("/robots.txt").respond_with_data(ALLOW_ALL, content_type="text/plain")
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def gets(server, path: str) -> int:
    """How many requests for `path` the server received."""
    return sum(1 for req, _ in server.log if req.path == path)


def page(title: str, body: str = "") -> bytes:
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>".encode()


def in_turn(*responses):
    """A handler answering with each response in turn (the last one from then on)."""
    calls = iter(range(10**6))

    def handler(request):
        return responses[min(next(calls), len(responses) - 1)]

    return handler


def row(result, url: str) -> dict:
    m = result.manifest
    hit = m[m["url"] == url]
    assert len(hit) == 1, f"{url} has {len(hit)} manifest rows"
    return hit.iloc[0].to_dict()


# ---------------------------------------------------------------- politeness
def test_robots_disallow_is_refused_and_never_requested(site, tmp_path):
    site.clear()
    site.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n")
    site.expect_request("/private/a.html").respond_with_data(page("不应抓取"), content_type="text/html")
    site.expect_request("/public/b.html").respond_with_data(page("可以抓取"), content_type="text/html")
    urls = [site.url_for("/private/a.html"), site.url_for("/public/b.html")]
    result = collect(urls, tmp_path, **FAST)
    assert row(result, urls[0])["status"] == "refused_robots"
    assert "disallows" in row(result, urls[0])["error"]
    assert row(result, urls[1])["status"] == "saved"
    assert gets(site, "/private/a.html") == 0 and gets(site, "/robots.txt") == 1
    s = result.summary
    assert (s.requested, s.saved, s.refused, s.failed) == (2, 1, 1, 0) and s.balanced


def test_robots_longest_match_and_wildcards(site, tmp_path):
    """RFC 9309: the most specific rule wins, `*` and `$` are patterns (urllib.robotparser reads them literally)."""
    site.clear()
    site.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /art/\nAllow: /art/*.html$\n")
    site.expect_request("/art/a.html").respond_with_data(page("甲"), content_type="text/html")
    urls = [site.url_for("/art/a.html"), site.url_for("/art/a.html.bak")]
    result = collect(urls, tmp_path, **FAST)
    assert [row(result, u)["status"] for u in urls] == ["saved", "refused_robots"]


def test_robots_txt_server_error_means_nothing_fetched_there(site, tmp_path):
    site.clear()
    site.expect_request("/robots.txt").respond_with_data("oops", status=500)
    site.expect_request("/a.html").respond_with_data(page("甲"), content_type="text/html")
    result = collect([site.url_for("/a.html")], tmp_path, **{**FAST, "retries": 0})
    r = row(result, site.url_for("/a.html"))
    assert r["status"] == "refused_robots" and "robots.txt" in r["error"]
    assert gets(site, "/a.html") == 0


def test_one_request_at_a_time_per_host_with_the_delay_between(site, tmp_path):
    for i in range(5):
        site.expect_request(f"/p{i}.html").respond_with_data(page(f"第{i}页"), content_type="text/html")
    urls = [site.url_for(f"/p{i}.html") for i in range(5)]
    result = collect(urls, tmp_path, **{**FAST, "delay": 0.15, "concurrency": 4})
    log = sorted(result.request_log, key=lambda t: t[1])
    assert len(log) == 6  # robots.txt + 5 pages, all to 127.0.0.1
    gaps = [b[1] - a[2] for a, b in itertools.pairwise(log)]  # next start − previous end
    assert min(gaps) >= 0.14, gaps
    assert {r["status"] for r in result.manifest.to_dict("records")} == {"saved"}


def test_user_agent_names_fazhi_and_the_contact(site, tmp_path):
    site.expect_request("/ua.html").respond_with_data(page("甲"), content_type="text/html")
    collect([site.url_for("/ua.html")], tmp_path, **FAST)
    agent = next(req.headers["User-Agent"] for req, _ in site.log if req.path == "/ua.html")
    assert agent.startswith("fazhi/") and "tester@example.org" in agent


# ---------------------------------------------------------------- retries, redirects, limits
def test_429_with_retry_after_is_waited_for(site, tmp_path):
    site.expect_request("/busy.html").respond_with_handler(
        in_turn(
            Response("slow down", status=429, headers={"Retry-After": "1"}),
            Response(page("终于"), content_type="text/html"),
        )
    )
    result = collect([site.url_for("/busy.html")], tmp_path, **FAST)
    r = row(result, site.url_for("/busy.html"))
    assert r["status"] == "saved" and r["http_status"] == "200"
    starts = sorted(s for host, s, _ in result.request_log)
    times = [b - a for a, b in itertools.pairwise(starts)]
    assert gets(site, "/busy.html") == 2
    assert max(times) >= 0.95  # the second attempt came after the second the server asked for


def test_503_then_success(site, tmp_path):
    site.expect_request("/flaky.html").respond_with_handler(
        in_turn(Response("down", status=503), Response(page("恢复"), content_type="text/html"))
    )
    result = collect([site.url_for("/flaky.html")], tmp_path, **FAST)
    assert row(result, site.url_for("/flaky.html"))["status"] == "saved"
    assert gets(site, "/flaky.html") == 2


def test_503_every_time_fails_after_the_retries(site, tmp_path):
    site.expect_request("/down.html").respond_with_data("down", status=503)
    result = collect([site.url_for("/down.html")], tmp_path, **FAST)
    r = row(result, site.url_for("/down.html"))
    assert r["status"] == "failed" and r["error"] == "HTTP 503 after 3 attempts" and r["file"] == ""
    assert gets(site, "/down.html") == 3


def test_a_404_is_not_retried(site, tmp_path):
    site.expect_request("/gone.html").respond_with_data("no", status=404)
    result = collect([site.url_for("/gone.html")], tmp_path, **FAST)
    assert row(result, site.url_for("/gone.html"))["error"] == "HTTP 404"
    assert gets(site, "/gone.html") == 1


def test_redirect_is_followed_and_recorded(site, tmp_path):
    site.expect_request("/old.html").respond_with_data("", status=301, headers={"Location": "/new/page.html"})
    site.expect_request("/new/page.html").respond_with_data(page("新址"), content_type="text/html; charset=utf-8")
    result = collect([site.url_for("/old.html")], tmp_path, **FAST)
    r = row(result, site.url_for("/old.html"))
    assert r["status"] == "saved" and r["final_url"] == site.url_for("/new/page.html")
    assert r["redirects"] == site.url_for("/new/page.html")
    assert (tmp_path / r["file"]).read_bytes() == page("新址")


def test_redirect_into_a_disallowed_path_is_refused(site, tmp_path):
    site.clear()
    site.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n")
    site.expect_request("/open.html").respond_with_data("", status=302, headers={"Location": "/private/x.html"})
    result = collect([site.url_for("/open.html")], tmp_path, **FAST)
    r = row(result, site.url_for("/open.html"))
    assert r["status"] == "refused_robots" and "redirected to" in r["error"]
    assert gets(site, "/private/x.html") == 0


def test_slow_response_past_the_timeout_fails_with_its_reason(site, tmp_path):
    arrived = []

    def slow(request):
        arrived.append(request.path)  # (the server logs a request only once it has answered)
        time.sleep(0.6)
        return Response(page("太慢"), content_type="text/html")

    site.expect_request("/slow.html").respond_with_handler(slow)
    t0 = time.perf_counter()
    result = collect([site.url_for("/slow.html")], tmp_path, **{**FAST, "timeout": 0.2, "retries": 1})
    r = row(result, site.url_for("/slow.html"))
    assert r["status"] == "failed" and r["error"] == "timed out after 2 attempts (timeout 0.2 s)"
    assert arrived == ["/slow.html", "/slow.html"]
    assert time.perf_counter() - t0 < 3


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
def test_oversized_body_is_not_saved(site, tmp_path, streamed):
    big = b"<html>" + b"x" * 5000 + b"</html>"
    if streamed:
        site.expect_request("/big.html").respond_with_handler(
            lambda req: Response((big[i : i + 512] for i in range(0, len(big), 512)), content_type="text/html")
        )
    else:
        site.expect_request("/big.html").respond_with_data(big, content_type="text/html")
    result = collect([site.url_for("/big.html")], tmp_path, **{**FAST, "max_bytes": 1000})
    r = row(result, site.url_for("/big.html"))
    assert r["status"] == "failed" and r["error"].startswith("larger than the size limit of 1,000 bytes")
    assert not list(tmp_path.glob("*/*.html"))
    assert gets(site, "/big.html") == 1  # not retried


# ---------------------------------------------------------------- bytes and charsets
@pytest.mark.parametrize(
    "header, declared",
    [("text/html; charset=GBK", "gbk"), ("text/html", "")],
    ids=["charset-header", "no-charset-header"],
)
def test_gbk_page_saved_byte_for_byte_with_its_declared_charset(site, tmp_path, header, declared):
    body = html_page("000", charset="gbk").replace('<meta charset="gbk">', "").replace("©", "").encode("gbk")
    site.expect_request("/gbk.html").respond_with_data(body, content_type=header)
    result = collect([site.url_for("/gbk.html")], tmp_path, **FAST)
    r = row(result, site.url_for("/gbk.html"))
    saved = (tmp_path / r["file"]).read_bytes()
    assert saved == body  # never decoded, never re-encoded
    assert r["charset"] == declared and r["bytes"] == str(len(body))
    assert r["sha256"] == hashlib.sha256(body).hexdigest()
    assert r["content_type"] == header and r["file"].endswith(".html")
    assert r["fetched_at"][-6] in "+-"  # an ISO time with its zone, e.g. 2025-03-21T10:15:02+08:00


# ---------------------------------------------------------------- attachments
STUB = (
    "<html><head><title>关于2024年度法治政府建设情况的报告</title></head><body>"
    '<div class="nav"><a href="/">首页</a></div><h1>关于2024年度法治政府建设情况的报告</h1>'
    '<p>附件：<a href="/files/report.pdf">2024年度法治政府建设情况报告.pdf</a></p></body></html>'
)


def test_stub_page_has_its_pdf_attachment_saved_and_linked(site, tmp_path):
    pdf = b"%PDF-1.4\n% a test attachment\n"
    site.expect_request("/stub.html").respond_with_data(STUB.encode(), content_type="text/html; charset=utf-8")
    site.expect_request("/files/report.pdf").respond_with_data(pdf, content_type="application/octet-stream")
    result = collect([site.url_for("/stub.html")], tmp_path, **FAST)
    att = row(result, site.url_for("/files/report.pdf"))
    assert att["attachment_of"] == site.url_for("/stub.html") and att["status"] == "saved"
    assert att["file"].endswith(".pdf") and (tmp_path / att["file"]).read_bytes() == pdf
    assert list(result.manifest["url"]) == [site.url_for("/stub.html"), site.url_for("/files/report.pdf")]
    s = result.summary
    assert (s.requested, s.saved, s.attachments_saved) == (1, 1, 1) and "1 attachment saved" in s.line()


def test_a_full_report_page_does_not_pull_its_attachments_by_default(site, tmp_path):
    full = html_page("000").replace("</body>", '<a href="/files/copy.docx">全文下载.docx</a></body>')
    site.expect_request("/full.html").respond_with_data(full.encode(), content_type="text/html")
    site.expect_request("/files/copy.docx").respond_with_data(b"PK\x03\x04word/", content_type="application/msword")
    result = collect([site.url_for("/full.html")], tmp_path, **FAST)
    assert gets(site, "/files/copy.docx") == 0 and len(result.manifest) == 1
    result = collect([site.url_for("/full.html")], tmp_path / "all", **FAST, attachments="all")
    assert gets(site, "/files/copy.docx") == 1


def test_iframe_embedded_document_is_followed(site, tmp_path):
    body = '<html><body><h1>报告</h1><iframe src="/view/r.pdf"></iframe></body></html>'
    site.expect_request("/frame.html").respond_with_data(body, content_type="text/html")
    site.expect_request("/view/r.pdf").respond_with_data(b"%PDF-1.7\n", content_type="application/pdf")
    result = collect([site.url_for("/frame.html")], tmp_path, **FAST)
    assert row(result, site.url_for("/view/r.pdf"))["attachment_of"] == site.url_for("/frame.html")


# ---------------------------------------------------------------- resuming and refreshing
def test_interrupted_run_resumed_fetches_only_what_is_missing(site, tmp_path):
    n = 6
    fired = threading.Event()

    def handler(request):
        if request.path == "/p3.html" and not fired.is_set():
            fired.set()
            _thread.interrupt_main()  # Ctrl-C while this page is in flight
            time.sleep(0.5)
        return Response(page(request.path), content_type="text/html")

    for i in range(n):
        site.expect_request(f"/p{i}.html").respond_with_handler(handler)
    urls = [site.url_for(f"/p{i}.html") for i in range(n)]
    # Ctrl-C as a researcher's process has it: Python's own handler (in a long test run, something earlier
    # has been seen to leave SIGINT ignored in this process, and a simulated Ctrl-C then does nothing)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(CollectInterrupted) as stop:
            collect(urls, tmp_path, **FAST)
    finally:
        signal.signal(signal.SIGINT, previous)
    first = read_manifest(tmp_path)
    saved_first = set(first.loc[first["status"] == "saved", "url"])
    assert stop.value.result.summary.interrupted
    assert saved_first == set(urls[:3])  # pages 0-2 done, page 3 in flight, 4-5 not started
    before = {f"/p{i}.html": gets(site, f"/p{i}.html") for i in range(n)}

    result = collect(urls, tmp_path, **FAST)
    s = result.summary
    assert (s.requested, s.kept, s.saved, s.failed) == (6, 3, 3, 0) and s.balanced
    for i in range(n):
        path = f"/p{i}.html"
        assert gets(site, path) - before[path] == (0 if i < 3 else 1), path  # nothing saved is fetched twice
    assert set(result.manifest["status"]) == {"saved"} and len(result.manifest) == n
    assert all((tmp_path / f).is_file() for f in result.manifest["file"])
    assert not list(tmp_path.rglob(".*part*"))  # no half-written file left behind


def test_second_run_with_refresh_is_answered_304(site, tmp_path):
    etag = '"v1"'

    def handler(request):
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(
            page("不变"),
            content_type="text/html",
            headers={"ETag": etag, "Last-Modified": "Fri, 21 Mar 2025 02:00:00 GMT"},
        )

    site.expect_request("/same.html").respond_with_handler(handler)
    url = site.url_for("/same.html")
    first = row(collect([url], tmp_path, **FAST), url)
    again = collect([url], tmp_path, **FAST)  # a plain re-run asks nothing
    assert again.summary.kept == 1 and gets(site, "/same.html") == 1
    result = collect([url], tmp_path, **FAST, refresh=True)
    r = row(result, url)
    assert r["status"] == "not_modified" and r["file"] == first["file"] and r["sha256"] == first["sha256"]
    sent = [req for req, _ in site.log if req.path == "/same.html"][-1]
    assert sent.headers["If-None-Match"] == etag
    assert sent.headers["If-Modified-Since"] == "Fri, 21 Mar 2025 02:00:00 GMT"
    assert result.summary.not_modified == 1 and "1 not modified" in result.summary.line()
    assert (tmp_path / r["file"]).read_bytes() == page("不变")


def test_collect_works_inside_a_running_event_loop(site, tmp_path):
    """As from a Jupyter cell, where an event loop is already running."""
    import asyncio

    import fazhi_lib as fz

    site.expect_request("/nb.html").respond_with_data(page("甲"), content_type="text/html")

    async def cell():
        return fz.collect([site.url_for("/nb.html")], tmp_path, **FAST)

    assert asyncio.run(cell()).summary.saved == 1


# ---------------------------------------------------------------- the address list
def test_sheet_columns_travel_into_the_manifest_and_bad_addresses_fail(site, tmp_path):
    site.expect_request("/a.html").respond_with_data(page("甲"), content_type="text/html")
    sheet = tmp_path / "addresses.csv"
    pd.DataFrame(
        {
            "URL": [site.url_for("/a.html"), "ftp://example.org/x", site.url_for("/a.html")],
            "province": ["浙江省", "江苏省", "浙江省"],
        }
    ).to_csv(sheet, index=False)
    result = collect(sheet, tmp_path / "out", **FAST)
    m = result.manifest
    assert list(m.columns) == MANIFEST_COLUMNS + ["province"]
    assert list(m["province"]) == ["浙江省", "江苏省"]  # the repeated address once
    assert row(result, "ftp://example.org/x")["error"] == "not an http(s) address"
    written = pd.read_csv(
        tmp_path / "out" / "collect_manifest.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    assert written.to_dict("records") == m.to_dict("records")


@pytest.mark.parametrize(
    "columns, message",
    [
        ({"address": ["http://a"]}, "has no `url` column"),
        ({"url": ["http://a"], "status": ["x"]}, "has the name of a manifest column"),
    ],
)
def test_address_sheet_errors_are_one_sentence(tmp_path, columns, message):
    path = tmp_path / "list.csv"
    pd.DataFrame(columns).to_csv(path, index=False)
    with pytest.raises(CollectError, match=message):
        read_addresses(path)


def test_text_list_skips_blanks_and_comments(tmp_path):
    path = tmp_path / "urls.txt"
    path.write_text("# 2024 reports\nhttp://a.example/1.html\n\n  http://a.example/2.html  \n", encoding="utf-8")
    assert read_addresses(path)["url"].tolist() == ["http://a.example/1.html", "http://a.example/2.html"]


def test_invalid_option_names_the_choices(tmp_path):
    with pytest.raises(CollectError, match=r"`attachments` = 'some' is not valid; choose one of: stub, all, none\."):
        collect(["http://127.0.0.1:9/"], tmp_path, attachments="some")


def test_file_names_are_stable_and_distinct():
    a = file_name("https://www.example.gov.cn/art/2025/3/21/art_1.html", ".html")
    assert a == file_name("https://www.example.gov.cn/art/2025/3/21/art_1.html", ".html")
    assert a != file_name("https://www.example.gov.cn/art/2024/3/21/art_1.html", ".html")
    assert a.startswith("www.example.gov.cn/art_1-") and a.endswith(".html")


# ---------------------------------------------------------------- collect, then build
def test_build_on_the_collected_folder_puts_each_url_on_its_report(site, tmp_path, capsys):
    gbk = html_page("001", charset="gbk").replace('<meta charset="gbk">', "").replace("©", "").encode("gbk")
    site.expect_request("/r/a.html").respond_with_data(
        html_page("000").encode(), content_type="text/html; charset=utf-8"
    )
    site.expect_request("/r/b.html").respond_with_data(gbk, content_type="text/html")
    site.expect_request("/r/old").respond_with_data("", status=302, headers={"Location": "/r/c.html"})
    site.expect_request("/r/c.html").respond_with_data(html_page("002").encode(), content_type="text/html")
    site.expect_request("/stub.html").respond_with_data(STUB.encode(), content_type="text/html")
    site.expect_request("/files/report.pdf").respond_with_data(b"%PDF-1.4\n", content_type="application/pdf")
    urls = [site.url_for(p) for p in ("/r/a.html", "/r/b.html", "/r/old", "/stub.html")]
    list_file = tmp_path / "urls.txt"
    list_file.write_text("\n".join(urls), encoding="utf-8")
    out = tmp_path / "raw" / "batch1"
    code = main(
        [
            "collect",
            str(list_file),
            "--out",
            str(out),
            "--delay",
            "0.01",
            "--timeout",
            "2",
            "--quiet",
            "--contact",
            "tester@example.org",
        ]
    )
    assert code == 0
    assert (
        "4 requested: 4 saved, 0 not modified, 0 failed, 0 refused by robots.txt, 0 already saved; "
        "1 attachment saved -> "
    ) in capsys.readouterr().out
    manifest = read_manifest(out)
    corpus = build_corpus(tmp_path / "raw")
    reports = corpus.reports.set_index("source_file")
    assert list(corpus.reports.columns[:4]) == ["report_id", "source_file", "source_url", "retrieved_at"]
    for url, final in [(urls[0], urls[0]), (urls[1], urls[1]), (urls[2], site.url_for("/r/c.html"))]:
        m = manifest[manifest["url"] == url].iloc[0]
        rep = reports.loc[f"batch1/{m['file']}"]
        assert rep["source_url"] == final and rep["retrieved_at"] == m["fetched_at"]
        assert rep["url_source"] == "collect_manifest"
    gbk_report = reports.loc[f"batch1/{manifest.loc[manifest['url'] == urls[1], 'file'].iloc[0]}"]
    assert gbk_report["encoding"] == "gb18030" and "法治" in gbk_report["title"]
    log = corpus.parse_log.set_index("source_file")
    assert log.loc["batch1/collect_manifest.csv", "status"] == "skipped"
    stub_file = manifest.loc[manifest["url"] == urls[3], "file"].iloc[0]
    pdf_file = manifest.loc[manifest["attachment_of"] == urls[3], "file"].iloc[0]
    message = log.loc[f"batch1/{stub_file}", "messages"]
    assert log.loc[f"batch1/{stub_file}", "status"] == "error"
    assert f"{site.url_for('/files/report.pdf')} (an attachment; saved as batch1/{pdf_file})" in message
