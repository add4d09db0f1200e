"""A list of addresses → a folder of saved report pages with a manifest (`fazhi collect`).

>>> result = collect("addresses.csv", "data/raw/2024", contact="me@example.edu")   # doctest: +SKIP
>>> print(result.summary.line())                                                    # doctest: +SKIP
3 requested: 2 saved, 0 not modified, 1 failed, 0 refused by robots.txt, 0 already saved; 1 attachment saved

Politely: robots.txt is honoured (and its Crawl-delay when longer than ours); one request at a time
per host with `delay` seconds between the end of one and the start of the next; at most
`concurrency` requests at once in all; a user agent naming fazhi and the researcher's contact.
Timeouts, connection errors, 429 and 5xx are retried with exponential backoff (tenacity), honouring
`Retry-After`; redirects are followed one hop at a time (each hop checked against robots.txt and
paced like any request) and recorded; a body larger than `max_bytes` is dropped.

Each page is saved byte for byte as the server sent it (never re-encoded), its declared charset
recorded. A page that is only a stub for its report (little text, a link to a .pdf/.docx/.doc/.wps/
.ofd, or the document in an iframe) has the attachment saved beside it, linked by `attachment_of`.
The manifest `collect_manifest.csv` is appended to as each page is saved, so a run interrupted
and started again fetches only what is missing; `refresh=True` asks again for what was saved, with
`If-None-Match` / `If-Modified-Since`, and a 304 keeps the saved copy.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import os
import re
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pandas as pd

from .provenance import ATTACHMENT_SUFFIXES, MANIFEST_NAME, page_links, read_sheet
from .version import __version__

MANIFEST_COLUMNS = [
    "url",
    "final_url",
    "status",
    "http_status",
    "fetched_at",
    "content_type",
    "charset",
    "bytes",
    "sha256",
    "file",
    "attachment_of",
    "redirects",
    "etag",
    "last_modified",
    "error",
]
STATUSES = ("saved", "not_modified", "failed", "refused_robots")
ATTACHMENT_MODES = ("stub", "all", "none")
RETRY_STATUSES = (429, 500, 502, 503, 504)
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
ROBOTS_MAX_BYTES = 512_000  # RFC 9309: crawlers may stop reading a robots.txt after 500 KiB
_CT_SUFFIX = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/msword": ".doc",
    "application/ofd": ".ofd",
    "application/vnd.ofd": ".ofd",
    "application/kswps": ".wps",
    "application/wps-office.wps": ".wps",
    "application/vnd.ms-works": ".wps",
}
_KNOWN_SUFFIXES = (".html", ".htm", ".txt", *ATTACHMENT_SUFFIXES)
_UNSAFE = re.compile(r"[^\w.\-]+")  # in saved file names: anything but letters, digits, _ . -
_CJK = re.compile(r"[\u3400-\u9fff]")


class CollectError(ValueError):
    """A one-sentence problem with the inputs of `collect` (raised before anything is fetched)."""


@dataclass(frozen=True)
class CollectOptions:
    """How politely and how persistently to fetch. Every number is configurable (`fazhi collect --help`)."""

    contact: str | None = None  # an e-mail or web address in the user agent, so a site can reach the researcher
    delay: float = 1.0  # seconds between the end of one request to a host and the start of the next
    concurrency: int = 8  # requests at once, all hosts together
    timeout: float = 30.0  # seconds to connect and between bytes received
    retries: int = 3  # further attempts after a timeout, a connection error, 429 or 5xx
    backoff: float = 2.0  # first wait before a retry (doubling each time, with jitter) when no Retry-After
    max_retry_after: float = 300.0  # a Retry-After longer than this is not waited for: the address fails
    max_bytes: int = 50_000_000  # a body larger than this is not saved
    max_redirects: int = 10
    refresh: bool = False  # ask again for saved pages, conditionally (ETag / Last-Modified)
    attachments: str = "stub"  # stub: follow a page's document links when the page is only a stub; all; none
    stub_chars: int = 1000  # a page with fewer Chinese characters of readable text than this is a stub
    max_attachments: int = 5  # document links followed per page

    @property
    def user_agent(self) -> str:
        who = f"+{self.contact}" if self.contact else "no contact given"
        return f"fazhi/{__version__} ({who}; research collection of published government reports)"

    def check(self) -> CollectOptions:
        if self.attachments not in ATTACHMENT_MODES:
            raise CollectError(
                f"`attachments` = {self.attachments!r} is not valid; choose one of: {', '.join(ATTACHMENT_MODES)}."
            )
        for name in ("delay", "timeout", "backoff", "max_retry_after"):
            if getattr(self, name) < 0:
                raise CollectError(f"`{name}` = {getattr(self, name)!r} is not valid; give a number of seconds ≥ 0.")
        for name in ("concurrency", "max_bytes"):
            if getattr(self, name) < 1:
                raise CollectError(f"`{name}` = {getattr(self, name)!r} is not valid; give a whole number ≥ 1.")
        if self.retries < 0 or self.max_redirects < 0:
            raise CollectError("`retries` and `max_redirects` must be whole numbers ≥ 0.")
        return self


@dataclass(frozen=True)
class CollectSummary:
    """requested = saved + not_modified + failed + refused + kept (addresses of the list);
    attachments are counted apart."""

    requested: int
    saved: int
    not_modified: int
    failed: int
    refused: int
    kept: int  # saved by an earlier run and not asked again (no `refresh`)
    attachments_saved: int = 0
    attachments_failed: int = 0
    interrupted: bool = False

    @property
    def balanced(self) -> bool:
        return self.requested == self.saved + self.not_modified + self.failed + self.refused + self.kept

    def line(self) -> str:
        s = (
            f"{self.requested} requested: {self.saved} saved, {self.not_modified} not modified, {self.failed} failed, "
            f"{self.refused} refused by robots.txt, {self.kept} already saved"
        )
        if self.attachments_saved or self.attachments_failed:
            n = self.attachments_saved
            s += f"; {n} attachment{'s' if n != 1 else ''} saved"
            s += f", {self.attachments_failed} failed" if self.attachments_failed else ""
        return s + ("; interrupted" if self.interrupted else "")


@dataclass
class CollectResult:
    manifest: pd.DataFrame
    summary: CollectSummary
    out_dir: Path
    requests: int = 0  # HTTP requests sent in this run (robots.txt, redirects and retries included)
    seconds: float = 0.0
    rows_now: set = field(default_factory=set)  # addresses asked for in this run (not kept from an earlier one)
    request_log: list = field(default_factory=list)  # (host, start, end) monotonic seconds of every request


# ---------------------------------------------------------------- the list of addresses
def read_addresses(source: str | Path | pd.DataFrame | list[str]) -> pd.DataFrame:
    """The addresses to fetch: a text file (one URL a line; blank lines and # comments skipped), a
    CSV/TSV/Excel sheet with a `url` column (its other columns travel into the manifest), a DataFrame
    or a list. Each address once, in the order given; surrounding spaces removed."""
    if isinstance(source, list):
        df = pd.DataFrame({"url": [str(u) for u in source]})
    elif isinstance(source, pd.DataFrame):
        df = source.astype(str)
    else:
        path = Path(source)
        if not path.is_file():
            raise CollectError(
                f"The address list {str(path)!r} does not exist; give a text file with one URL a line, "
                f"or a CSV/Excel sheet with a url column."
            )
        if path.suffix.lower() in (".csv", ".tsv", ".xlsx", ".xls"):
            df = read_sheet(path, what="address list")
        else:
            lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
            df = pd.DataFrame({"url": [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]})
    lower = {str(c).strip().lower(): c for c in df.columns}
    if "url" not in lower:
        raise CollectError(f"The address list has no `url` column; its columns are: {', '.join(map(str, df.columns))}.")
    df = df.rename(columns={lower["url"]: "url"})
    clash = [c for c in df.columns if c != "url" and c in MANIFEST_COLUMNS]
    if clash:
        raise CollectError(
            f"The address list's column {clash[0]!r} has the name of a manifest column; rename it "
            f"(manifest columns: {', '.join(MANIFEST_COLUMNS)})."
        )
    df = df.fillna("").astype(str)
    df["url"] = df["url"].str.strip()
    df = df[df["url"] != ""]
    return df.drop_duplicates("url").reset_index(drop=True)


# ---------------------------------------------------------------- small pieces
def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def host_key(url: str) -> str:
    """Requests are paced per host name (lower case, without port)."""
    return (urlsplit(url).hostname or "").lower()


def _origin(url: str) -> str:
    p = urlsplit(url)
    return f"{p.scheme}://{p.netloc}"


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: '120' or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _suffix(url: str, content_type: str, disposition: str, body: bytes) -> str:
    """The saved file's extension: the bytes' own signature, the server's file name, the content type, the address."""
    head = body[:8]
    if head.startswith(b"%PDF"):
        return ".pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: .doc, or .wps when named so
        named = (disposition + " " + urlsplit(url).path).lower()
        return ".wps" if ".wps" in named else ".doc"
    m = re.search(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)", disposition or "", re.IGNORECASE)
    if m:
        ext = Path(unquote(m.group(1)).strip()).suffix.lower()
        if ext in _KNOWN_SUFFIXES:
            return ".html" if ext == ".htm" else ext
    if head.startswith(b"PK"):
        return ".docx" if b"word/" in body[:200_000] else ".zip"
    ct = (content_type or "").split(";")[0].strip().lower()
    if ct in _CT_SUFFIX:
        return _CT_SUFFIX[ct]
    ext = Path(urlsplit(url).path).suffix.lower()
    if ext in _KNOWN_SUFFIXES:
        return ".html" if ext == ".htm" else ext
    if body.lstrip()[:1] == b"<":
        return ".html"
    return ".bin"


def file_name(url: str, suffix: str) -> str:
    """HOST/STEM-HASH.EXT: readable, stable for one address, unique across addresses.

    >>> file_name("https://www.example.gov.cn/art/2025/3/21/art_1229_123.html", ".html")
    'www.example.gov.cn/art_1229_123-4e6a59d04c.html'
    """
    p = urlsplit(url)
    stem = Path(unquote(p.path)).stem or "index"
    stem = _UNSAFE.sub("_", stem).strip("._")[:60] or "page"
    digest = hashlib.sha1(url.encode("utf-8")).hexdigest()[:10]
    host = _UNSAFE.sub("_", (p.hostname or "host").lower())
    return f"{host}/{stem}-{digest}{suffix}"


def readable_cjk(body: bytes) -> int:
    """Chinese characters in the readable text of a page (menus, scripts and footers left out)."""
    from .load import LoadError, detect_decode, html_to_text

    try:
        text = detect_decode(body).text
    except (LoadError, ValueError):
        return 0
    try:
        text, _ = html_to_text(text)
    except Exception:  # noqa: BLE001 - an odd page counts as no readable text
        return 0
    return len(_CJK.findall(text))


class _Retry(Exception):
    def __init__(self, status: int, retry_after: float | None):
        super().__init__(f"HTTP {status}")
        self.status, self.retry_after = status, retry_after


class _TooLarge(Exception):
    pass


@dataclass
class _Reply:
    status: int
    headers: dict
    body: bytes
    url: str
    charset: str | None


@dataclass
class _Host:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_at: float = 0.0  # monotonic time before which no request starts
    delay: float = 0.0


# ---------------------------------------------------------------- the collector
class _Collector:
    def __init__(self, opts: CollectOptions, out_dir: Path, previous: dict[str, dict], journal, client):
        self.opts, self.out_dir, self.previous, self.journal, self.client = opts, out_dir, previous, journal, client
        self.sem = asyncio.Semaphore(opts.concurrency)
        self.hosts: dict[str, _Host] = {}
        self.robots: dict[str, asyncio.Task] = {}
        self.rows: dict[str, dict] = {}  # url → manifest row of this run
        self.tasks: dict[str, asyncio.Task] = {}  # url → its fetch (an address asked for twice is fetched once)
        self.requests = 0
        self.log: list[tuple[str, float, float]] = []  # (host, start, end) of every request, for the benchmark

    def _host(self, url: str) -> _Host:
        key = host_key(url)
        if key not in self.hosts:
            self.hosts[key] = _Host(delay=self.opts.delay)
        return self.hosts[key]

    # one request, no retries, no redirects: paced per host, bounded in all, body size-limited
    async def _once(self, url: str, headers: dict, max_bytes: int) -> _Reply:
        host = self._host(url)
        loop = asyncio.get_running_loop()
        async with host.lock:
            wait = host.next_at - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            pause = host.delay
            start = loop.time()
            try:
                async with self.sem:
                    self.requests += 1
                    async with self.client.stream("GET", url, headers=headers) as resp:
                        if resp.status_code in RETRY_STATUSES:
                            ra = _retry_after(resp.headers.get("retry-after"))
                            if ra is not None:
                                pause = max(pause, ra)
                            raise _Retry(resp.status_code, ra)
                        length = resp.headers.get("content-length", "")
                        if length.isdigit() and int(length) > max_bytes:
                            raise _TooLarge(int(length))
                        body = bytearray()
                        async for chunk in resp.aiter_bytes():
                            body += chunk
                            if len(body) > max_bytes:
                                raise _TooLarge(len(body))
                        return _Reply(
                            resp.status_code, dict(resp.headers), bytes(body), str(resp.url), resp.charset_encoding
                        )
            finally:
                end = loop.time()
                self.log.append((host_key(url), start, end))
                host.next_at = max(host.next_at, end + pause)

    async def request(self, url: str, headers: dict | None = None, *, max_bytes: int | None = None) -> _Reply:
        """One address with retries (tenacity): timeouts, connection errors, 429, 5xx; Retry-After honoured."""
        import httpx
        from tenacity import (
            AsyncRetrying,
            retry_if_exception,
            stop_after_attempt,
            wait_random_exponential,
        )

        opts = self.opts
        backoff = wait_random_exponential(multiplier=opts.backoff, max=max(opts.backoff, 60))

        def retryable(exc: BaseException) -> bool:
            if isinstance(exc, _Retry):
                return exc.retry_after is None or exc.retry_after <= opts.max_retry_after
            return isinstance(exc, httpx.TransportError)

        def wait(state) -> float:
            exc = state.outcome.exception()
            if isinstance(exc, _Retry) and exc.retry_after is not None:
                return exc.retry_after  # the host's pacing waits for it too (next_at)
            return backoff(state)

        retrying = AsyncRetrying(
            stop=stop_after_attempt(opts.retries + 1), wait=wait, retry=retry_if_exception(retryable), reraise=True
        )
        async for attempt in retrying:
            with attempt:
                return await self._once(url, headers or {}, max_bytes or opts.max_bytes)
        raise AssertionError("unreachable")  # pragma: no cover

    # robots.txt, once per origin (RFC 9309: 4xx → no rules; 5xx or unreachable → nothing may be fetched)
    async def allowed(self, url: str) -> str | None:
        origin = _origin(url)
        if origin not in self.robots:
            self.robots[origin] = asyncio.ensure_future(self._robots(origin))
        parser, problem = await self.robots[origin]
        if problem:
            return problem
        if parser is not None and not parser.can_fetch(url, self.opts.user_agent):
            return f"robots.txt of {origin} disallows it for fazhi"
        return None

    async def _robots(self, origin: str):
        from protego import Protego

        url = origin + "/robots.txt"
        try:
            reply = await self._follow(url, {}, max_bytes=ROBOTS_MAX_BYTES, check_robots=False)
        except _TooLarge:
            return None, None
        except Exception as exc:  # noqa: BLE001
            return None, f"robots.txt of {origin} could not be read ({_reason(exc, self.opts)}); nothing fetched there"
        reply, _ = reply
        if reply.status >= 500:
            return None, f"robots.txt of {origin} answered HTTP {reply.status}; nothing fetched there (RFC 9309)"
        if reply.status >= 400 or reply.status in REDIRECT_STATUSES:
            return None, None
        parser = Protego.parse(reply.body.decode("utf-8", "replace"))
        crawl_delay = parser.crawl_delay(self.opts.user_agent)
        if crawl_delay:
            host = self._host(url)
            host.delay = max(host.delay, float(crawl_delay))
        return parser, None

    async def _follow(self, url: str, headers: dict, *, max_bytes: int | None = None, check_robots: bool = True):
        """Redirects one hop at a time → (last reply, [addresses redirected to])."""
        hops: list[str] = []
        while True:
            reply = await self.request(url, headers, max_bytes=max_bytes)
            location = reply.headers.get("location")
            if reply.status not in REDIRECT_STATUSES or not location:
                return reply, hops
            if len(hops) >= self.opts.max_redirects:
                raise _Redirects(f"more than {self.opts.max_redirects} redirects")
            url = urljoin(url, location)
            if urlsplit(url).scheme not in ("http", "https"):
                raise _Redirects(f"redirected to a non-http address {url}")
            hops.append(url)
            if check_robots:
                refused = await self.allowed(url)
                if refused:
                    raise _Refused(f"redirected to {url}: {refused}")

    # one address of the list (or an attachment): fetch, save, record, follow its attachments
    def fetch(self, url: str, extra: dict, *, attachment_of: str = "") -> asyncio.Task:
        if url not in self.tasks:
            self.tasks[url] = asyncio.ensure_future(self._fetch(url, extra, attachment_of))
        return self.tasks[url]

    async def _fetch(self, url: str, extra: dict, attachment_of: str) -> dict:
        prev = self.previous.get(url)
        row = {c: "" for c in MANIFEST_COLUMNS} | {k: v for k, v in (prev or {}).items() if k not in MANIFEST_COLUMNS}
        row |= extra | {"url": url, "attachment_of": attachment_of or (prev or {}).get("attachment_of", "")}
        have = prev if prev and prev.get("file") and self._intact(prev) else None
        if have and not self.opts.refresh:
            row = {**prev, **extra, "_kept": True}
            self.rows[url] = row
            if self.opts.attachments != "none" and have["file"].endswith(".html") and have.get("status") == "saved":
                # a run stopped between a page and its attachments: the missing attachments are fetched now
                body = (self.out_dir / have["file"]).read_bytes()
                await self._attachments(row, _Reply(200, {}, body, have.get("final_url") or url, None))
            return row
        headers = {}
        if have:
            if have.get("etag"):
                headers["If-None-Match"] = have["etag"]
            if have.get("last_modified"):
                headers["If-Modified-Since"] = have["last_modified"]
        row["fetched_at"] = _now()
        reply = None
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            row |= {"status": "failed", "error": "not an http(s) address"}
        elif refused := await self.allowed(url):
            row |= {"status": "refused_robots", "error": refused}
        else:
            try:
                reply, hops = await self._follow(url, headers)
                row |= {"final_url": reply.url, "http_status": str(reply.status), "redirects": " -> ".join(hops)}
            except _Refused as exc:
                row |= {"status": "refused_robots", "error": str(exc)}
            except Exception as exc:  # noqa: BLE001 - every failure becomes the row's error
                row |= {"status": "failed", "error": _reason(exc, self.opts)}
            row["fetched_at"] = _now()
        if reply is not None:
            if reply.status == 304 and have:
                row |= {
                    k: have.get(k, "")
                    for k in ("content_type", "charset", "bytes", "sha256", "file", "etag", "last_modified")
                }
                row |= {"status": "not_modified", "error": ""}
            elif 200 <= reply.status < 300:
                self._save(row, reply, have)
            else:
                row |= {"status": "failed", "error": f"HTTP {reply.status}"}
        if row["status"] == "failed" and have:  # a refresh that failed keeps the copy saved before
            row |= {
                k: have.get(k, "")
                for k in ("content_type", "charset", "bytes", "sha256", "file", "etag", "last_modified")
            }
            row["error"] += f"; the copy saved at {have.get('fetched_at')} is kept"
        self.rows[url] = row
        self._record(row)
        if row["status"] == "saved" and self.opts.attachments != "none":
            await self._attachments(row, reply)
        return row

    def _intact(self, prev: dict) -> bool:
        path = self.out_dir / prev["file"]
        return path.is_file() and (not prev.get("bytes") or str(path.stat().st_size) == str(prev["bytes"]))

    def _save(self, row: dict, reply: _Reply, have: dict | None) -> None:
        h = {k.lower(): v for k, v in reply.headers.items()}
        body = reply.body
        suffix = _suffix(reply.url, h.get("content-type", ""), h.get("content-disposition", ""), body)
        digest = hashlib.sha256(body).hexdigest()
        name = have["file"] if have and Path(have["file"]).suffix == suffix else file_name(row["url"], suffix)
        name = self._free_name(name, body, have)
        path = self.out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.part-{os.getpid()}")
        try:
            tmp.write_bytes(body)  # the bytes as sent: never decoded, never re-encoded
            os.replace(tmp, path)
        finally:
            if tmp.exists():
                tmp.unlink()
        row |= {
            "status": "saved",
            "content_type": h.get("content-type", ""),
            "charset": (reply.charset or "").lower(),
            "bytes": str(len(body)),
            "sha256": digest,
            "file": name,
            "etag": h.get("etag", ""),
            "last_modified": h.get("last-modified", ""),
            "error": "",
        }

    def _free_name(self, name: str, body: bytes, have: dict | None) -> str:
        """`name`, or NAME-2, NAME-3 … when a file of other bytes that this address did not save is there."""
        ours = {r.get("file") for r in self.previous.values()} | {r.get("file") for r in self.rows.values()}
        candidate, n = name, 1
        while True:
            path = self.out_dir / candidate
            if (
                not path.exists()
                or (have and candidate == have.get("file"))
                or (candidate not in ours and path.read_bytes() == body)
            ):
                return candidate
            n += 1
            stem, dot, ext = name.rpartition(".")
            candidate = f"{stem}-{n}.{ext}" if dot else f"{name}-{n}"

    async def _attachments(self, row: dict, reply: _Reply) -> None:
        if not row["file"].endswith(".html"):
            return
        links = page_links(reply.body, reply.url)
        if not links:
            return
        embedded = any(link.kind == "embedded" for link in links)
        if self.opts.attachments == "stub" and not embedded and readable_cjk(reply.body) >= self.opts.stub_chars:
            return
        wanted = [
            link
            for link in links
            if link.kind == "attachment" or link.url.lower().split("?")[0].endswith(ATTACHMENT_SUFFIXES)
        ][: self.opts.max_attachments]
        await asyncio.gather(*(self.fetch(link.url, {}, attachment_of=row["url"]) for link in wanted))

    def _record(self, row: dict) -> None:
        self.journal.writerow({k: row.get(k, "") for k in self.journal.fieldnames})
        self.journal.file.flush()


class _Refused(Exception):
    pass


class _Redirects(Exception):
    pass


def _reason(exc: BaseException, opts: CollectOptions) -> str:
    import httpx

    attempts = f"after {opts.retries + 1} attempt{'s' if opts.retries else ''}"
    if isinstance(exc, _TooLarge):
        return f"larger than the size limit of {opts.max_bytes:,} bytes ({exc.args[0]:,} bytes or more); not saved"
    if isinstance(exc, _Retry):
        if exc.retry_after is not None and exc.retry_after > opts.max_retry_after:
            return (
                f"HTTP {exc.status}: the server asks to retry after {exc.retry_after:.0f} s, longer than "
                f"max_retry_after ({opts.max_retry_after:.0f} s); try again later"
            )
        return f"HTTP {exc.status} {attempts}"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out {attempts} (timeout {opts.timeout:g} s)"
    if isinstance(exc, httpx.TransportError):
        return f"connection failed {attempts} ({type(exc).__name__}: {exc})"
    if isinstance(exc, (_Redirects, _Refused)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


# ---------------------------------------------------------------- the manifest file
def read_manifest(out_dir: str | Path) -> pd.DataFrame:
    """`collect_manifest.csv` of a folder (empty frame with the manifest columns when there is none)."""
    path = Path(out_dir) / MANIFEST_NAME
    if not path.is_file():
        return pd.DataFrame(columns=MANIFEST_COLUMNS)
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if not {"url", "status", "file"} <= set(df.columns):
        raise CollectError(
            f"{str(path)!r} is not a manifest written by `fazhi collect` (no url, status and file "
            f"columns); choose another --out folder."
        )
    return df.drop_duplicates("url", keep="last")  # the journal appends: the last row of an address wins


def _write_manifest(path: Path, columns: list[str], rows: list[dict]) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in columns})
    os.replace(tmp, path)


# ---------------------------------------------------------------- the entry point
def collect(
    addresses,
    out_dir: str | Path,
    *,
    progress: bool = False,
    options: CollectOptions | None = None,
    transport=None,
    **settings,
) -> CollectResult:
    """Fetch every address of `addresses` (see `read_addresses`) into `out_dir` (see the module doc).

    `settings` are fields of `CollectOptions` (contact=, delay=, concurrency=, timeout=, retries=, …).
    Never raises for an address that fails: its row in the manifest says why.
    """
    opts = replace(options or CollectOptions(), **settings).check()
    todo = read_addresses(addresses)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    previous_df = read_manifest(out_dir)
    previous = {r["url"]: r for r in previous_df.to_dict("records")}
    extra_cols = [c for c in dict.fromkeys([*previous_df.columns, *todo.columns]) if c not in MANIFEST_COLUMNS]
    columns = MANIFEST_COLUMNS + extra_cols
    path = out_dir / MANIFEST_NAME
    _write_manifest(path, columns, list(previous.values()))  # compact the journal before appending to it
    t0 = time.perf_counter()
    interrupted = False
    with open(path, "a", encoding="utf-8", newline="") as fh:
        journal = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        journal.file = fh
        try:
            collector = _run_sync(_run(opts, out_dir, previous, journal, todo, progress, transport))
        except KeyboardInterrupt:
            interrupted, collector = True, _LAST.get("collector")
        finally:
            _LAST.pop("collector", None)
    rows_now = collector.rows if collector else {}
    ordered: list[dict] = []
    seen: set[str] = set()
    attachments_of: dict[str, list[str]] = {}
    for url, r in {**previous, **rows_now}.items():
        if r.get("attachment_of"):
            attachments_of.setdefault(r["attachment_of"], []).append(url)
    merged = {**previous, **rows_now}

    def add(url: str) -> None:
        if url in seen or url not in merged:
            return
        seen.add(url)
        ordered.append(merged[url])
        for a in sorted(attachments_of.get(url, [])):
            add(a)

    for url in todo["url"]:
        add(url)
    for url in merged:  # rows of earlier runs with other lists are kept, never lost
        add(url)
    _write_manifest(path, columns, ordered)
    manifest = pd.DataFrame(ordered, columns=columns) if ordered else pd.DataFrame(columns=columns)
    summary = _summarise(todo["url"].tolist(), rows_now, interrupted)
    result = CollectResult(
        manifest,
        summary,
        out_dir,
        collector.requests if collector else 0,
        time.perf_counter() - t0,
        {u for u, r in rows_now.items() if not r.get("_kept")},
        collector.log if collector else [],
    )
    if interrupted:
        raise CollectInterrupted(result)
    return result


class CollectInterrupted(KeyboardInterrupt):
    """Ctrl-C during `collect`: the manifest holds what was done; `.result` has the counts so far."""

    def __init__(self, result: CollectResult):
        super().__init__("interrupted")
        self.result = result


_LAST: dict = {}  # the running collector, so an interrupted run can still write its manifest


def _run_sync(coroutine):
    """asyncio.run, also from inside a running event loop (a Jupyter cell): then in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _summarise(urls: list[str], rows: dict[str, dict], interrupted: bool) -> CollectSummary:
    counts = dict.fromkeys(["saved", "not_modified", "failed", "refused_robots", "kept"], 0)
    for url in urls:
        r = rows.get(url)
        if r is None:
            continue
        counts["kept" if r.get("_kept") else r["status"]] += 1
    att = [r for u, r in rows.items() if r.get("attachment_of") and u not in set(urls) and not r.get("_kept")]
    return CollectSummary(
        requested=len(urls) if not interrupted else sum(counts.values()),
        saved=counts["saved"],
        not_modified=counts["not_modified"],
        failed=counts["failed"],
        refused=counts["refused_robots"],
        kept=counts["kept"],
        attachments_saved=sum(r["status"] == "saved" for r in att),
        attachments_failed=sum(r["status"] != "saved" for r in att),
        interrupted=interrupted,
    )


async def _run(opts, out_dir, previous, journal, todo: pd.DataFrame, progress: bool, transport):
    import httpx
    from tqdm import tqdm

    timeout = httpx.Timeout(opts.timeout)
    limits = httpx.Limits(max_connections=opts.concurrency, max_keepalive_connections=opts.concurrency)
    async with httpx.AsyncClient(
        headers={"User-Agent": opts.user_agent},
        timeout=timeout,
        limits=limits,
        follow_redirects=False,
        transport=transport,
        trust_env=False,
    ) as client:
        collector = _Collector(opts, out_dir, previous, journal, client)
        _LAST["collector"] = collector
        extras = todo.set_index("url").to_dict("index") if len(todo.columns) > 1 else {}
        by_host: dict[str, list[str]] = {}
        for url in todo["url"]:
            by_host.setdefault(host_key(url), []).append(url)
        bar = tqdm(total=len(todo), unit="page", disable=not progress, file=sys.stderr, desc="collect")

        async def worker(urls: list[str]) -> None:  # one per host: its addresses in list order
            for url in urls:
                await collector.fetch(url, extras.get(url, {}))
                bar.update(1)

        try:
            await asyncio.gather(*(worker(urls) for urls in by_host.values()))
            await asyncio.gather(*collector.tasks.values())  # attachments still running
        finally:
            bar.close()
        return collector
