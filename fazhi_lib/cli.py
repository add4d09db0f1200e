"""Command line: `fazhi build`, `fazhi report` (and the subcommands later issues add)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def cmd_build(args: argparse.Namespace) -> int:
    from .errors import FazhiError
    from .outdir import check_output_dir, output_lock

    t0 = time.perf_counter()

    try:
        _check_raw_dir(args.raw_dir)  # issue 19: an empty input folder is an error, not a silent success
        check_output_dir(args.out, inputs=[args.raw_dir])  # before anything is written (the cache lives in OUT)
        if args.cache:
            check_output_dir(args.cache, inputs=[args.raw_dir], option="--cache", own_only=False)
        with output_lock(args.out):  # held until the tables are saved: one build per output folder
            return _build_and_save(args, t0)
    except FazhiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the lock beside --out cannot be made: a read-only or full disk, no permission
        where = exc.filename or args.out
        print(
            f"error: could not write {where}: {exc.strerror or exc}; nothing was replaced "
            "(choose an --out on a disk you may write to).",
            file=sys.stderr,
        )
        return 2


def _build_and_save(args: argparse.Namespace, t0: float) -> int:
    import gc

    from .pipeline.stream import build_into, cleanup_staging

    # what is alive now (the imported modules: pandas, pyarrow, fazhi_lib) lives until the process ends:
    # kept out of the collector's full passes, which went over it again and again (0.2 s CPU of a rebuild)
    gc.freeze()
    try:
        return _build_save(args, t0, build_into)
    finally:
        cleanup_staging(args.out)  # the parts staged beside --out: linked into it, or not wanted


def _build_save(args: argparse.Namespace, t0: float, build_into) -> int:
    from .errors import FazhiError

    try:
        _use_places_map(args.places_map)
        cache = _build_cache(args)
        if args.urls:
            from .provenance import read_url_sheet

            read_url_sheet(args.urls)  # a broken sheet stops the build before parsing, with its reason
        corpus = build_into(
            args.raw_dir,
            args.out,
            jobs=args.jobs,
            progress=not args.quiet,
            cache=cache,
            dask=args.dask,
            urls=args.urls,
            csv=not args.no_csv,
            compact=args.compact,
        )
    except (FazhiError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the part files staged beside --out: a read-only or full disk
        print(
            f"error: could not write the tables to {args.out}: {exc.strerror or exc} ({type(exc).__name__}); "
            "nothing was replaced.",
            file=sys.stderr,
        )
        return 2
    clock = time.perf_counter()
    try:
        corpus.save(args.out, csv=not args.no_csv, inputs=[args.raw_dir], partitioned=args.partition_by_year)
    except FazhiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a read-only or full disk: one sentence, not a traceback
        print(
            f"error: could not write the tables to {args.out}: {exc.strerror or exc} ({type(exc).__name__}); "
            "nothing was replaced.",
            file=sys.stderr,
        )
        return 2
    if args.timings:
        phases = {**getattr(corpus, "timings", {}), "save": time.perf_counter() - clock}
        print("timings: " + ", ".join(f"{k} {v:.2f} s" for k, v in phases.items()), file=sys.stderr)
        cpu = getattr(corpus, "cpu_timings", {})
        if cpu:  # CPU seconds of the main process (workers' parsing not included)
            print("cpu timings: " + ", ".join(f"{k} {v:.2f} s" for k, v in cpu.items()), file=sys.stderr)
        for name, (wall, cpu, peak, failed) in getattr(corpus, "beside", {}).items():  # (pipeline/beside.py)
            print(
                f"in a process of its own, beside the next stage: {name} {wall:.2f} s, CPU {cpu:.2f} s, "
                f"peak memory {peak:.0f} MB (pages shared with the main process included)"
                + (f" (failed there: {failed}; computed in the main process)" if failed else ""),
                file=sys.stderr,
            )
        peak = getattr(corpus, "peak_mb", {})
        if peak:  # the main process's peak memory at the end of each phase
            print("peak memory: " + ", ".join(f"{k} {v:.0f} MB" for k, v in peak.items()), file=sys.stderr)
    if cache is not None and args.cache is None:
        cache.prune()  # OUT/.cache serves this build only: drop entries of removed or changed files
    from .corpus import summarise

    log = corpus.parse_log
    summary = summarise(log)  # read = parsed + rejected + duplicates + skipped
    print(
        f"{summary.line()} "
        f"-> {args.out} ({time.perf_counter() - t0:.1f} s{'; ' + cache.summary() if cache is not None else ''})"
    )
    shown = log[log["status"].isin(["warning", "error", "duplicate"])]
    for status, name, messages in zip(shown["status"], shown["source_file"], shown["messages"]):
        print(f"  {status:9s} {name}: {messages}")
    if summary.read and not summary.parsed:  # issue 19: say it when no report was read
        print(
            f"warning: no file of {args.raw_dir} could be read as a report; the tables hold 0 reports", file=sys.stderr
        )
    n_files = corpus.manifest.get("n_files", summary.read)
    if not summary.balanced or summary.read != n_files:  # never expected: say so loudly rather than lose a file
        print(
            f"error: {n_files} input files but the parse log accounts for {summary.read}; please report this",
            file=sys.stderr,
        )
        return 3
    if args.strict and summary.rejected:
        print(f"--strict: {summary.rejected} file{'s' if summary.rejected != 1 else ''} rejected", file=sys.stderr)
        return 1
    return 0


def _check_raw_dir(raw_dir: str) -> None:
    """One sentence for an input folder that is missing, a file, or holds no file at all (hidden files
    aside): `fazhi build` would otherwise write empty tables and exit 0."""
    from .errors import FazhiError

    path = Path(raw_dir)
    if not path.exists():
        raise FazhiError(f"The input folder {raw_dir!r} does not exist; give the folder of report files.")
    if not path.is_dir():
        raise FazhiError(f"The input {raw_dir!r} is a file, not a folder; give the folder that holds it.")
    if not any(p.is_file() and not p.name.startswith(".") for p in path.rglob("*")):
        raise FazhiError(
            f"The input folder {raw_dir!r} holds no files; put the report pages (.html, .txt, .pdf, .docx …) "
            "there, or give another folder."
        )


def cmd_collect(args: argparse.Namespace) -> int:
    from .collect import CollectError, CollectInterrupted, collect
    from .errors import FazhiError

    t0 = time.perf_counter()
    if not args.contact:
        print(
            "note: no --contact given; sites cannot tell whom to ask about these requests "
            "(set --contact or FAZHI_CONTACT)",
            file=sys.stderr,
        )
    try:
        result = collect(
            args.addresses,
            args.out,
            progress=not args.quiet,
            contact=args.contact,
            delay=args.delay,
            concurrency=args.concurrency,
            timeout=args.timeout,
            retries=args.retries,
            max_bytes=args.max_bytes,
            max_retry_after=args.max_retry_after,
            attachments=args.attachments,
            refresh=args.refresh,
        )
    except (CollectError, FazhiError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except CollectInterrupted as stop:
        print(
            f"{stop.result.summary.line()} -> {args.out}/collect_manifest.csv; run the same command again "
            f"to fetch the rest",
            file=sys.stderr,
        )
        return 130
    s = result.summary
    print(f"{s.line()} -> {args.out} ({time.perf_counter() - t0:.1f} s, {result.requests} HTTP requests)")
    m = result.manifest
    for _, row in m[m["status"].isin(["failed", "refused_robots"]) & m["url"].isin(result.rows_now)].iterrows():
        print(f"  {row['status']:14s} {row['url']}: {row['error']}")
    return 0


def _build_cache(args: argparse.Namespace):
    """--cache DIR, else OUT/.cache; None with --no-cache."""
    from .pipeline.cache import CACHE_DIRNAME, BuildCache

    if args.no_cache:
        return None
    return BuildCache(Path(args.cache) if args.cache else Path(args.out) / CACHE_DIRNAME)


def _use_places_map(path: str | None) -> None:
    """--places-map FILE, else data/places_map.csv when present: checked now, read by the place stage."""
    from .places import PLACES_MAP_ENV, load_places_map

    if path is None and Path("data/places_map.csv").is_file():
        path = "data/places_map.csv"
    if path:
        load_places_map(path)  # a broken map stops the build with its reason
        os.environ[PLACES_MAP_ENV] = str(Path(path).resolve())
    else:
        os.environ.pop(PLACES_MAP_ENV, None)


def cmd_places(args: argparse.Namespace) -> int:
    from .corpus import load_corpus
    from .errors import FazhiError
    from .places import places_report

    try:
        print(places_report(load_corpus(args.data)))
    except FazhiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .corpus import load_corpus
    from .errors import FazhiError
    from .evaluate import evaluate_metadata, province_precision, read_labels

    try:
        labels = read_labels(args.labels)
        corpus = load_corpus(args.data)
        result = evaluate_metadata(corpus, labels)
    except FazhiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Metadata of {len(corpus.reports)} reports against {len(labels)} hand labels ({args.labels})")
    print(result)
    if "province" in labels.columns:
        right, given = province_precision(corpus, labels)
        if given:
            print(f"province precision: {right}/{given} = {right / given:.3f} of the provinces fazhi states")
    if args.out:
        out = Path(args.out)
        if out.suffix.lower() == ".xlsx":
            result.disagreements.to_excel(out, index=False)
        else:
            result.disagreements.to_csv(out, index=False, encoding="utf-8-sig")
        print(f"disagreements written to {out}")
    return 0


def _project_defaults(args: argparse.Namespace) -> None:
    """`fazhi report` run from inside the project (e.g. from notebooks/): options left at their defaults
    point at the project folder's notebooks/, data/processed and reports/ rather than at nothing."""
    if args.notebooks != "notebooks" or Path("notebooks").is_dir():
        return
    for root in [Path.cwd(), *Path.cwd().parents, Path(__file__).resolve().parents[1]]:
        if (root / "notebooks" / "reports.yaml").is_file():
            break
    else:
        return
    args.notebooks = str(root / "notebooks")
    if args.data == "data/processed":
        args.data = str(root / "data" / "processed")
    if args.out == "reports":
        args.out = str(root / "reports")
    if not args.quiet and not args.list:
        print(f"note: using the project folder {root} (notebooks/, data/processed, reports/)", file=sys.stderr)


def cmd_report(args: argparse.Namespace) -> int:
    from .errors import FazhiError
    from .report import list_notebooks, render_all

    _project_defaults(args)
    try:
        if args.list:
            print(list_notebooks(args.notebooks, args.config))
            return 0
        results = render_all(
            args.data,
            out_dir=args.out,
            notebook_dir=args.notebooks,
            config=args.config,
            only=args.only,
            cli_params=[tuple(p) for p in args.param or []],
            kernel=args.kernel,
            timeout=args.timeout or None,
            workers=args.jobs or min(os.cpu_count() or 1, 4),
            progress=None if args.quiet else print,
            show_code=args.show_code,
            lang=args.lang,
            embed_font=not args.no_embed_font,
        )
    except FazhiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    failed = [r for r in results if not r.ok]
    if args.quiet:
        print(f"{len(results) - len(failed)} of {len(results)} rendered into {args.out}/ (index.html)")
    for r in failed:
        print(f"FAILED {r.label + ' (' + r.notebook + ')' if r.label else r.notebook}: {r.error}", file=sys.stderr)
    return 1 if failed else 0


def cmd_kwic(args: argparse.Namespace) -> int:
    from .corpus import load_corpus
    from .errors import FazhiError
    from .kwic import kwic
    from .reading import text_table, write_table

    try:
        table = kwic(load_corpus(args.data), args.pattern, window=args.window, part=args.part, regex=args.regex)
        if args.out:
            print(f"{len(table)} occurrences of '{args.pattern}' -> {write_table(table, args.out)}")
            return 0
    except (FazhiError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    n = table["report_id"].nunique()
    print(f"{len(table)} occurrences of '{args.pattern}' in {n} report{'s' if n != 1 else ''}")
    if not table.empty:
        shown = table[["issuer", "report_year", "part", "start", "left", "match", "right"]]
        print(text_table(shown, right=("left",)))
    return 0


def cmd_keyness(args: argparse.Namespace) -> int:
    from .corpus import load_corpus
    from .errors import FazhiError
    from .reading import keyness, text_table, write_table

    try:
        table = keyness(
            load_corpus(args.data),
            ";".join(args.a),
            ";".join(args.b or ["rest"]),
            part=args.part,
            min_count=args.min_count,
            measure=args.measure,
            correction=args.correction,
        )
        if args.out:
            print(f"{len(table)} terms -> {write_table(table, args.out)}")
            return 0
    except (FazhiError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    a, b = table.attrs["group_a"], table.attrs["group_b"]
    print(
        f"A = {a} ({table.attrs['reports_a']} reports, {table.attrs['tokens_a']} tokens); "
        f"B = {b} ({table.attrs['reports_b']} reports, {table.attrs['tokens_b']} tokens); "
        f"measure: {table.attrs['measure_label']}"
    )
    for side, name in (("a", a), ("b", b)):
        rows = table[table["key_for"] == side]  # strongest A first; B's statistic is signed, most negative strongest
        rows = rows.head(args.top) if side == "a" else rows.sort_values([table.attrs["stat"], "term"]).head(args.top)
        print(f"\nkey for {side.upper()} ({name}), strongest first:")
        print(text_table(rows) if not rows.empty else "  (none)")
    return 0


EXPORT_FORMATS = ("dta", "sav", "xlsx", "parquet", "dfm")  # = export.FORMATS (kept here: `fazhi --help` stays light)


def cmd_export(args: argparse.Namespace) -> int:
    from .errors import FazhiError
    from .export import export

    try:
        result = export(args.data, args.out, formats=args.formats, tables=args.tables, dfm_by=args.dfm_by)
    except (FazhiError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(result.summary())
    for note in result.notes:
        print(f"  note: {note}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(prog="fazhi", description="Tables and notebooks for 法治政府建设年度报告.")
    parser.add_argument("--version", action="version", version=f"fazhi {__version__} (Python {sys.version.split()[0]})")
    sub = parser.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="parse a folder of report files into tables")
    b.add_argument("raw_dir", nargs="?", default="data/raw", help="folder of raw report files (default data/raw)")
    b.add_argument("--out", default="data/processed", help="output folder for the tables (default data/processed)")
    b.add_argument("--jobs", type=int, default=0, help="worker processes (default 0: all cores)")
    b.add_argument(
        "--cache",
        default=None,
        metavar="DIR",
        help="keep parsed files here, keyed by content and fazhi version (default OUT/.cache)",
    )
    b.add_argument("--no-cache", action="store_true", help="parse every file again; keep no cache")
    b.add_argument(
        "--dask",
        default=None,
        metavar="ADDRESS",
        help="parse on a Dask cluster: a scheduler address (tcp://host:8786) or 'local' "
        "(a LocalCluster of --jobs workers)",
    )
    b.add_argument(
        "--partition-by-year",
        action="store_true",
        help="also write OUT/dataset/<table>/report_year=YYYY/ Parquet datasets (large corpora)",
    )
    b.add_argument("--no-csv", action="store_true", help="write Parquet only (large corpora)")
    b.add_argument(
        "--compact",
        action="store_true",
        help="rewrite each per-file table as one part file (a build merges small parts on its own)",
    )
    b.add_argument("--timings", action="store_true", help="print the seconds each build phase took (stderr)")
    b.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 if any file was rejected (could not be read, or is not an annual report)",
    )
    b.add_argument("--quiet", action="store_true", help="no progress display")
    b.add_argument(
        "--places-map",
        default=None,
        metavar="FILE",
        help="CSV issuer,adcode[,province,prefecture,county,note] placing reports by hand "
        "(default data/places_map.csv when present)",
    )
    b.add_argument(
        "--urls",
        default=None,
        metavar="FILE",
        help="CSV/Excel sheet with file and url (and optionally retrieved_at) columns: each report's "
        "source address, where no collect_manifest.csv gives it",
    )
    b.set_defaults(func=cmd_build)

    c = sub.add_parser("collect", help="download report pages from a list of addresses, politely and resumably")
    c.add_argument(
        "addresses",
        help="text file with one URL a line, or a CSV/Excel sheet with a url column "
        "(its other columns are copied into the manifest)",
    )
    c.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="folder to save into, e.g. data/raw/2024 (collect_manifest.csv is written there)",
    )
    c.add_argument(
        "--contact",
        default=os.environ.get("FAZHI_CONTACT"),
        metavar="EMAIL_OR_URL",
        help="how a site can reach you, sent in the user agent (default $FAZHI_CONTACT)",
    )
    c.add_argument(
        "--delay",
        type=float,
        default=1.0,
        help="seconds between requests to one host (default 1; robots.txt's Crawl-delay wins when longer)",
    )
    c.add_argument("--concurrency", type=int, default=8, help="requests at once over all hosts (default 8)")
    c.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a connection or data (default 30)")
    c.add_argument(
        "--retries",
        type=int,
        default=3,
        help="further attempts after a timeout, a connection error, 429 or 5xx (default 3)",
    )
    c.add_argument("--max-bytes", type=int, default=50_000_000, help="largest body saved (default 50000000)")
    c.add_argument(
        "--max-retry-after", type=float, default=300.0, help="longest Retry-After waited for, in seconds (default 300)"
    )
    c.add_argument(
        "--attachments",
        default="stub",
        choices=["stub", "all", "none"],
        help="follow a page's .pdf/.docx/.doc/.wps/.ofd links: when the page is a stub (default), always, never",
    )
    c.add_argument(
        "--refresh",
        action="store_true",
        help="ask again for pages saved by an earlier run (conditionally: If-None-Match / If-Modified-Since)",
    )
    c.add_argument("--quiet", action="store_true", help="no progress bar")
    c.set_defaults(func=cmd_collect)

    pl = sub.add_parser("places", help="print where the reports come from: placed at each level, by source, unplaced")
    pl.add_argument("--data", default="data/processed", help="folder of tables written by `fazhi build`")
    pl.set_defaults(func=cmd_places)

    ev = sub.add_parser("evaluate", help="score issuer, level, years, dates and places against your own hand labels")
    ev.add_argument(
        "labels",
        help="TSV, CSV or Excel sheet: file + any of issuer, level, report_year, publish_date, "
        "written_date, province, prefecture, county",
    )
    ev.add_argument("--data", default="data/processed", help="folder of tables written by `fazhi build`")
    ev.add_argument("--out", default=None, metavar="FILE", help="write the disagreements to FILE.csv or FILE.xlsx")
    ev.set_defaults(func=cmd_evaluate)

    r = sub.add_parser("report", help="render the notebooks into reports/ (executed .ipynb + HTML + index.html)")
    r.add_argument("--data", default="data/processed", help="folder of tables written by `fazhi build`")
    r.add_argument("--out", default="reports", help="output folder (default reports)")
    r.add_argument("--notebooks", default="notebooks", help="folder of the notebooks (default notebooks)")
    r.add_argument("--config", default=None, help="parameters YAML (default NOTEBOOKS/reports.yaml)")
    r.add_argument(
        "--only",
        nargs="+",
        metavar="NOTEBOOK",
        help="render only these notebooks (file name, stem, or a unique prefix such as 01)",
    )
    r.add_argument(
        "-p",
        "--param",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="override a parameter of every chosen notebook that declares NAME (NOTEBOOK:NAME for one "
        "notebook); VALUE is read as YAML: -p years '[2023, 2024]'",
    )
    r.add_argument(
        "--kernel",
        default="python3",
        help="python3 (default): ipykernel in this interpreter; or the name of an installed kernelspec",
    )
    r.add_argument(
        "--jobs",
        type=int,
        default=0,
        help="notebooks rendered at once, one kernel each (default 0: the number of cores, at most 4)",
    )
    r.add_argument("--timeout", type=int, default=600, help="seconds one cell may run (0: no limit; default 600)")
    r.add_argument("--list", action="store_true", help="list the notebooks and the parameters they declare, then stop")
    r.add_argument("--quiet", action="store_true", help="no progress display")
    r.add_argument(
        "--lang",
        default=None,
        choices=("zh", "en"),
        help="language of the pages' prose, labels and figures (default zh, Chinese)",
    )
    r.add_argument(
        "--show-code",
        action="store_true",
        help="keep the Python code in the HTML pages (default: hidden; the .ipynb files always keep it)",
    )
    r.add_argument(
        "--no-embed-font",
        action="store_true",
        help="do not embed in each page the CJK glyphs it uses (about 50 KB a profile): smaller pages for "
        "thousands of profiles, whose Chinese text then needs a CJK font on the reader's machine",
    )
    r.set_defaults(func=cmd_report)

    k = sub.add_parser("kwic", help="every occurrence of a word or pattern in context (keyword in context)")
    k.add_argument("pattern", help="the text to find (or a regular expression with --regex)")
    k.add_argument("--data", default="data/processed", help="folder of tables written by `fazhi build`")
    k.add_argument("--window", type=int, default=20, help="characters of context on each side (default 20)")
    k.add_argument("--part", default=None, help="only this part kind (achievements, problems, duty, plan, other)")
    k.add_argument("--regex", action="store_true", help="read PATTERN as a regular expression")
    k.add_argument("--out", default=None, metavar="FILE", help="write the table to FILE.csv or FILE.xlsx")
    k.set_defaults(func=cmd_kwic)

    ky = sub.add_parser("keyness", help="words that set group A apart from group B (log-likelihood G², log ratio)")
    ky.add_argument(
        "--a",
        action="append",
        required=True,
        metavar="KEY=VALUE",
        help="group A as filters: year=2024, level=township, province=浙江省, part=problems (repeatable)",
    )
    ky.add_argument(
        "--b",
        action="append",
        metavar="KEY=VALUE",
        help="group B the same way, or `rest` (default): every report group A leaves out",
    )
    ky.add_argument("--data", default="data/processed", help="folder of tables written by `fazhi build`")
    ky.add_argument("--part", default=None, help="part kind for groups that name none (default: whole text)")
    ky.add_argument("--min-count", type=int, default=2, help="minimum count of a term in A and B together (default 2)")
    ky.add_argument(
        "--measure",
        default="g2",
        help="g2 (log-likelihood, default), chi2, pmi or exact (Fisher's exact test); named in every output",
    )
    ky.add_argument(
        "--correction",
        default="default",
        help="default (Williams' for g2, Yates' for chi2), williams, yates or none",
    )
    ky.add_argument("--top", type=int, default=15, help="terms printed for each group (default 15)")
    ky.add_argument("--out", default=None, metavar="FILE", help="write the whole table to FILE.csv or FILE.xlsx")
    ky.set_defaults(func=cmd_keyness)

    ex = sub.add_parser(
        "export",
        help="the tables for Stata (.dta), SPSS (.sav), Excel and R (Parquet), "
        "labelled from the codebook, plus a document-feature matrix",
    )
    ex.add_argument("--data", default="data/processed", help="folder of tables written by `fazhi build`")
    ex.add_argument("--out", default=None, help="output folder (default DATA/export)")
    ex.add_argument(
        "--formats",
        nargs="+",
        choices=EXPORT_FORMATS,
        default=list(EXPORT_FORMATS),
        help="formats to write (default: all): " + ", ".join(EXPORT_FORMATS),
    )
    ex.add_argument("--tables", nargs="+", default=None, metavar="TABLE", help="only these tables (default: all)")
    ex.add_argument(
        "--dfm-by",
        choices=("report", "part"),
        default="report",
        help="documents of the document-feature matrix (default report)",
    )
    ex.set_defaults(func=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
