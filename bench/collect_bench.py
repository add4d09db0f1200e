"""`fazhi collect` on 500 pages served by local slow servers: time, requests per host per second,
nothing fetched twice. `.venv/bin/python bench/collect_bench.py` (about a minute at the defaults).

Every address is on this machine: `--hosts` HTTP servers, one on each of 127.0.0.1, 127.0.0.2, …
(separate host names to fazhi, so it paces each apart), each answering every request after
`--latency` seconds, with an ETag. Nothing leaves the machine.

The run: `fazhi collect` in its own process is interrupted with Ctrl-C (SIGINT) once about half the
pages are saved, then started again (resume); then once more as it is (nothing to do), and once with
`--refresh` (every page answered 304). The servers log every request; the figures come from their
logs: requests per page across the runs, the busiest second per host, the shortest gap between two
requests to one host, the most requests one host had in flight at once.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>SYNTHETIC 第{n}号 测试页</title></head><body>
<h1>SYNTHETIC 测试页 {n}（基准测试生成，不是真实报告）</h1>
<p>{filler}</p></body></html>"""


class Log:
    def __init__(self):
        self.lock = threading.Lock()
        self.rows: list[tuple] = []  # (host, path, start, end, status)
        self.in_flight: Counter = Counter()
        self.max_in_flight: Counter = Counter()


def make_handler(log: Log, latency: float):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def do_GET(self):
            host = self.server.server_address[0]
            start = time.monotonic()
            with log.lock:
                log.in_flight[host] += 1
                log.max_in_flight[host] = max(log.max_in_flight[host], log.in_flight[host])
            try:
                time.sleep(latency)
                if self.path == "/robots.txt":
                    body, status, etag = b"User-agent: *\nDisallow: /private/\n", 200, None
                else:
                    n = int(hashlib.sha1(self.path.encode()).hexdigest()[:6], 16)
                    body = PAGE.format(n=n, filler="法治政府建设" * 200).encode("utf-8")
                    etag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'
                    status = 304 if self.headers.get("If-None-Match") == etag else 200
                self.send_response(status)
                if etag:
                    self.send_header("ETag", etag)
                if status == 200:
                    self.send_header("Content-Type", "text/html; charset=utf-8" if etag else "text/plain")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    self.send_header("Content-Length", "0")
                    self.end_headers()
            except (BrokenPipeError, ConnectionResetError):  # the client was stopped mid-answer (Ctrl-C)
                status = 0
            finally:
                with log.lock:
                    log.in_flight[host] -= 1
                    log.rows.append((host, self.path, start, time.monotonic(), status))

    return Handler


def run_collect(urls_file: Path, out: Path, args, *extra: str, interrupt_at: int | None = None) -> tuple[float, str]:
    cmd = [
        sys.executable,
        "-m",
        "fazhi_lib.cli",
        "collect",
        str(urls_file),
        "--out",
        str(out),
        "--quiet",
        "--delay",
        str(args.delay),
        "--concurrency",
        str(args.concurrency),
        "--contact",
        "bench@localhost",
        *extra,
    ]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if interrupt_at is not None:
        manifest = out / "collect_manifest.csv"
        while proc.poll() is None:
            if manifest.exists() and sum(1 for _ in manifest.open(encoding="utf-8-sig")) - 1 >= interrupt_at:
                proc.send_signal(signal.SIGINT)
                break
            time.sleep(0.05)
    stdout, stderr = proc.communicate()
    return time.perf_counter() - t0, (stdout + stderr).strip().splitlines()[-1]


def per_host_figures(runs: list[list[tuple]]) -> dict[str, dict]:
    """Per host over the runs (each a list of logged requests): requests per second while the host was
    being fetched (the pause between two runs left out), busiest second, shortest gap."""
    out: dict[str, dict] = {}
    for rows in runs:
        by_host = defaultdict(list)
        for host, _path, start, end, _status in rows:
            by_host[host].append((start, end))
        for host, spans in by_host.items():
            spans.sort()
            starts = [s for s, _ in spans]
            gaps = [b[0] - a[1] for a, b in itertools.pairwise(spans)]
            busiest = max(sum(1 for t in starts if s <= t < s + 1.0) for s in starts)
            h = out.setdefault(host, {"intervals": 0, "seconds": 0.0, "busiest_second": 0, "min_gap": float("inf")})
            h["intervals"] += len(starts) - 1
            h["seconds"] += starts[-1] - starts[0]
            h["busiest_second"] = max(h["busiest_second"], busiest)
            h["min_gap"] = min([h["min_gap"], *gaps])
    for h in out.values():
        h["rate"] = h["intervals"] / h["seconds"] if h["seconds"] else 0.0
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=500)
    ap.add_argument("--hosts", type=int, default=10)
    ap.add_argument("--delay", type=float, default=1.0, help="fazhi collect --delay (default 1, fazhi's default)")
    ap.add_argument("--latency", type=float, default=0.05, help="seconds each server waits before answering")
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()

    log = Log()
    servers = []
    for i in range(args.hosts):
        server = ThreadingHTTPServer((f"127.0.0.{i + 1}", 0), make_handler(log, args.latency))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    urls = [
        f"http://127.0.0.{i % args.hosts + 1}:{servers[i % args.hosts].server_address[1]}/art/{i // args.hosts}"
        f"/page_{i}.html"
        for i in range(args.pages)
    ]
    with tempfile.TemporaryDirectory(prefix="fazhi-bench-collect-") as tmp:
        urls_file = Path(tmp) / "urls.txt"
        urls_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
        out = Path(tmp) / "raw"

        t_first, line_first = run_collect(urls_file, out, args, interrupt_at=args.pages // 2)
        with out.joinpath("collect_manifest.csv").open(encoding="utf-8-sig") as fh:
            saved_first = {r["url"] for r in csv.DictReader(fh) if r["status"] == "saved"}
        mark = len(log.rows)
        t_resume, line_resume = run_collect(urls_file, out, args)
        rows_fetch = list(log.rows)
        mark2 = len(log.rows)
        t_again, line_again = run_collect(urls_file, out, args)
        mark3 = len(log.rows)
        t_refresh, line_refresh = run_collect(urls_file, out, args, "--refresh")
        refresh_rows = log.rows[mark3:]

        page_gets = Counter(p for h, p, s, e, st in rows_fetch if p != "/robots.txt")
        resumed_saved = sum(
            1
            for h, p, s, e, st in log.rows[mark:mark2]
            if p != "/robots.txt" and any(u.endswith(p) and u.split("/")[2].split(":")[0] == h for u in saved_first)
        )
        with out.joinpath("collect_manifest.csv").open(encoding="utf-8-sig") as fh:
            manifest = list(csv.DictReader(fh))
        files_ok = sum(1 for r in manifest if r["file"] and (out / r["file"]).is_file())

    hosts = per_host_figures([rows_fetch[:mark], rows_fetch[mark:]])
    print(
        f"fazhi collect: {args.pages} pages on {args.hosts} local hosts (127.0.0.1-{args.hosts}), each answering "
        f"after {args.latency * 1000:.0f} ms; --delay {args.delay:g} s, --concurrency {args.concurrency}; "
        f"{os.cpu_count()} cores"
    )
    print(f"  run 1, Ctrl-C after ~{args.pages // 2} saved : {t_first:6.1f} s  {line_first}")
    print(f"  run 2, resumed                   : {t_resume:6.1f} s  {line_resume}")
    print(
        f"  fetch total (run 1 + run 2)       : {t_first + t_resume:6.1f} s for {args.pages} pages "
        f"({args.pages / (t_first + t_resume):.1f} pages/s over all hosts)"
    )
    print(f"  run 3, as it is                  : {t_again:6.1f} s  {line_again}  (requests: {mark3 - mark2})")
    print(
        f"  run 4, --refresh                 : {t_refresh:6.1f} s  {line_refresh}  "
        f"(304 answers: {sum(1 for r in refresh_rows if r[4] == 304)})"
    )
    print(
        f"  manifest rows {len(manifest)}, files on disk {files_ok}; pages saved in run 1 and requested again "
        f"in run 2: {resumed_saved}"
    )
    twice = {p: n for p, n in page_gets.items() if n > 1}
    print(
        f"  pages requested more than once in runs 1-2: {len(twice)} "
        f"(in flight at the Ctrl-C, never saved: {', '.join(sorted(twice)) or 'none'})"
    )
    rates = [h["rate"] for h in hosts.values()]
    print(
        f"  per host (runs 1-2, while fetching): requests/s mean {sum(rates) / len(rates):.2f} (max {max(rates):.2f}); busiest "
        f"second {max(h['busiest_second'] for h in hosts.values())} requests; shortest gap between two requests "
        f"{min(h['min_gap'] for h in hosts.values()):.3f} s; most in flight at once "
        f"{max(log.max_in_flight.values())}"
    )
    for server in servers:
        server.shutdown()
    ok = resumed_saved == 0 and files_ok == args.pages and max(log.max_in_flight.values()) == 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
