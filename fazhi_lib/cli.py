"""Command line: `fazhi build`, `fazhi report` (and the subcommands later issues add)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def cmd_build(args: argparse.Namespace) -> int:
    from .corpus import FazhiError, build_corpus

    t0 = time.perf_counter()
    try:
        _use_places_map(args.places_map)
        corpus = build_corpus(args.raw_dir, jobs=args.jobs, progress=not args.quiet)
    except (FazhiError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    corpus.save(args.out)
    log = corpus.parse_log
    counts = log["status"].value_counts().to_dict() if not log.empty else {}
    n_read = len(log)
    parsed = counts.get("ok", 0) + counts.get("warning", 0)
    print(
        f"{n_read} read, {parsed} parsed, {counts.get('warning', 0)} with warnings, {counts.get('error', 0)} rejected, "
        f"{counts.get('duplicate', 0)} duplicates, {counts.get('skipped', 0)} skipped "
        f"-> {args.out} ({time.perf_counter() - t0:.1f} s)"
    )
    for _, row in log[log["status"].isin(["warning", "error"])].iterrows():
        print(f"  {row['status']:8s} {row['source_file']}: {row['messages']}")
    if args.strict and counts.get("error", 0):
        return 1
    return 0


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
    from .corpus import FazhiError, load_corpus
    from .places import places_report

    try:
        print(places_report(load_corpus(args.data)))
    except FazhiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    import yaml

    from .corpus import FazhiError
    from .report import render_all

    overrides = {}
    for name, value in args.param or []:
        overrides[name] = yaml.safe_load(value)
    try:
        results = render_all(args.data, out_dir=args.out, notebook_dir=args.notebooks, config=args.config,
                             only=args.only, overrides=overrides)
    except FazhiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    failed = [r for r in results if not r.ok]
    print(f"{len(results) - len(failed)} of {len(results)} notebooks rendered into {args.out}/ (index.html)")
    for r in failed:
        print(f"  FAILED {r.notebook}: {r.error}", file=sys.stderr)
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fazhi", description="Tables and notebooks for 法治政府建设年度报告.")
    sub = parser.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="parse a folder of report files into tables")
    b.add_argument("raw_dir", nargs="?", default="data/raw", help="folder of raw report files (default data/raw)")
    b.add_argument("--out", default="data/processed", help="output folder for the tables (default data/processed)")
    b.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    b.add_argument("--strict", action="store_true", help="exit non-zero if any file could not be parsed")
    b.add_argument("--quiet", action="store_true", help="no progress display")
    b.add_argument("--places-map", default=None, metavar="FILE",
                   help="CSV issuer,adcode[,province,prefecture,county,note] placing reports by hand "
                        "(default data/places_map.csv when present)")
    b.set_defaults(func=cmd_build)

    pl = sub.add_parser("places", help="print where the reports come from: placed at each level, by source, unplaced")
    pl.add_argument("--data", default="data/processed", help="folder of tables written by `fazhi build`")
    pl.set_defaults(func=cmd_places)

    r = sub.add_parser("report", help="render the notebooks into reports/ (executed .ipynb + HTML)")
    r.add_argument("--data", default="data/processed", help="folder of tables written by `fazhi build`")
    r.add_argument("--out", default="reports", help="output folder (default reports)")
    r.add_argument("--notebooks", default="notebooks", help="folder of the notebooks (default notebooks)")
    r.add_argument("--config", default=None, help="parameters YAML (default NOTEBOOKS/reports.yaml)")
    r.add_argument("--only", nargs="+", help="render only these notebooks")
    r.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="override a parameter; VALUE is read as YAML (lists, numbers)")
    r.set_defaults(func=cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
