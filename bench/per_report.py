"""Per-report cost of each build step against bare `jieba.lcut`, measured in one run, in CPU time.

`.venv/bin/python bench/per_report.py` (`make bench-report`; part of `make bench`): generates
`--n` full-size synthetic reports (bench/synthetic.py, a temporary folder deleted at the end), warms
up every per-process structure (rules, division tables, the tokeniser's dictionary) with one untimed
pass, as a long build has them, then, `--rounds` times, parses every report step by step and cuts the
same text with bare `jieba.lcut` (pure jieba, default mode) right after, timing both by
`time.process_time()`: the CPU time of this process, which other work on a shared machine changes far
less than it changes wall-clock time (it still changes it: caches and memory bandwidth are shared).
Prints a table of milliseconds per report for each step (the median of the rounds and the best round)
and `per-report steps ÷ jieba.lcut` (how many times faster than jieba the build's per-file work is;
issue 22's target: ≥ 4). `--profile N` also prints the N functions with the most own time (cProfile).
Before each report the lines OpenCC has kept are forgotten (`convert._KEPT_LINES`), as for a report seen
for the first time. `--block N` runs the steps of N files before jieba cuts their N texts (a diagnostic:
how much jieba evicting the steps' data from the processor's caches between files costs them).

The steps are what `pipeline.worker.parse_file` runs for one file: reading and decoding, the core parse
(`parse.parse_page`: clean page, metadata, sections), then every report stage of
`pipeline.stages.REPORT_STAGES`. Assembling and writing the tables run once per build, not per report,
and are not counted here (`bench/run_bench.py` times whole builds).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import raw_folder  # noqa: E402

TARGET = 4.0  # issue 22: the single-process build at least 4 × bare jieba.lcut


def _steps():
    """[(label, function of a document)] for the report stages, in the order the build runs them."""
    from fazhi_lib.pipeline import stages

    return [(f"{s.__module__.rsplit('.', 1)[-1]} ({s.__name__})", s) for s in stages.REPORT_STAGES]


def _forget_contents() -> None:
    """Forget the lines t2s kept (`convert._KEPT_LINES`, a per-process memo keyed by text): the rounds
    parse the same reports again, which a build never does, so a report's lines must not speed up its
    next round. Emptied before every report, the lines reports share (boilerplate) are not counted
    either: the figure is for reports seen for the first time, with no line in common."""
    from fazhi_lib import convert

    getattr(convert, "_KEPT_LINES", set()).clear()  # (getattr: the script also times older versions)


def one_round(files: list[Path], root: Path, texts: list[str], *, block: int = 1) -> dict[str, float]:
    """CPU seconds of each step over all `files`, and of bare jieba.lcut over `texts` (their text): the
    steps of `block` files, then jieba on the same `block` texts (block 1, the default: each file's text
    cut right after its steps)."""
    import jieba

    from fazhi_lib.load import read_document
    from fazhi_lib.parse import parse_page

    steps = _steps()
    spent = {"read + decode": 0.0, "core parse": 0.0, **{label: 0.0 for label, _ in steps}, "jieba.lcut": 0.0}
    clock = time.process_time
    for at in range(0, len(files), block):
        for path in files[at : at + block]:
            _forget_contents()  # each report as if seen for the first time (this bench repeats them)
            t0 = clock()
            loaded = read_document(path)
            t1 = clock()
            page = parse_page(loaded.text, source_file=path.name, sha256=loaded.sha256)
            t2 = clock()
            spent["read + decode"] += t1 - t0
            spent["core parse"] += t2 - t1
            for label, stage in steps:
                t0 = clock()
                stage(page.document)
                spent[label] += clock() - t0
        for text in texts[at : at + block]:
            t0 = clock()  # jieba on the same texts right after: both halves of the ratio see the same machine
            jieba.lcut(text)
            spent["jieba.lcut"] += clock() - t0
    return spent


def measure(raw: Path, *, rounds: int = 5, n: int | None = None, block: int = 1) -> dict:
    """Per-report milliseconds of every step (median of `rounds`) and the ratio to bare jieba.lcut, over
    the first `n` reports of `raw` (all by default)."""
    import logging

    import jieba

    from fazhi_lib.pipeline.worker import parse_file, warm_up

    files = sorted(raw.glob("*.txt"))[:n]
    texts = [p.read_text(encoding="utf-8") for p in files]
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    warm_up()
    for path in files:  # per-process caches filled (a division table per report year), as in a long build
        parse_file(path, root=raw)
    runs = [one_round(files, raw, texts, block=block) for _ in range(rounds)]
    ms = {k: statistics.median(r[k] for r in runs) * 1000 / len(files) for k in runs[0]}
    best = {k: min(r[k] for r in runs) * 1000 / len(files) for k in runs[0]}  # the least disturbed round
    steps = sum(v for k, v in ms.items() if k != "jieba.lcut")
    ratios = [r["jieba.lcut"] / sum(v for k, v in r.items() if k != "jieba.lcut") for r in runs]
    return {
        "n": len(files),
        "rounds": rounds,
        "block": block,
        "kb_per_report": sum(len(t.encode("utf-8")) for t in texts) / len(files) / 1000,
        "ms": ms,
        "best_ms": best,
        "steps_ms": steps,
        "ratio": statistics.median(ratios),
        "ratio_range": (min(ratios), max(ratios)),
        "ratio_best": best["jieba.lcut"] / sum(v for k, v in best.items() if k != "jieba.lcut"),
    }


def profile(raw: Path, top: int) -> str:
    import cProfile
    import io
    import pstats

    from fazhi_lib.pipeline.worker import parse_file, warm_up

    files = sorted(raw.glob("*.txt"))
    warm_up()
    for path in files:
        parse_file(path, root=raw)
    prof = cProfile.Profile()
    prof.enable()
    for path in files:
        parse_file(path, root=raw)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def table(res: dict) -> list[str]:
    """Markdown rows: each step's CPU ms per report, median and best round, and the ratio to jieba."""
    best = res["best_ms"]
    lines = ["| step | ms per report (CPU), median | best round |", "|---|---|---|"]
    for k, v in res["ms"].items():
        if k != "jieba.lcut":
            lines.append(f"| {k} | {v:.2f} | {best[k]:.2f} |")
    best_steps = sum(v for k, v in best.items() if k != "jieba.lcut")
    lines.append(f"| **all per-report steps** | **{res['steps_ms']:.2f}** | {best_steps:.2f} |")
    lines.append(f"| bare `jieba.lcut` on the same texts | {res['ms']['jieba.lcut']:.2f} | {best['jieba.lcut']:.2f} |")
    lo, hi = res["ratio_range"]
    ok = "yes" if res["ratio"] >= TARGET else "**no**"
    lines.append(
        f"| **per-report steps ÷ jieba.lcut** (target ≥ {TARGET:g}; met: {ok}) | **{res['ratio']:.2f}** "
        f"({lo:.2f}–{hi:.2f} over the rounds) | {res['ratio_best']:.2f} |"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="full-size synthetic reports (default 200)")
    ap.add_argument("--rounds", type=int, default=5, help="timed passes over them (default 5; median and best shown)")
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="also print the N costliest functions")
    ap.add_argument("--raw", default=None, help="time these files instead of a synthetic corpus")
    ap.add_argument(
        "--block",
        type=int,
        default=1,
        help="files whose steps run before jieba cuts their texts (default 1: jieba right after each file; "
        "larger, each half runs with its own data in the processor's caches, as in a build or a jieba run)",
    )
    args = ap.parse_args(argv)
    with raw_folder(args.raw, args.n) as raw:
        load0 = os.getloadavg()[0]
        res = measure(raw, rounds=args.rounds, block=max(1, args.block))
        load1 = os.getloadavg()[0]
        print(
            f"\nper report, {res['n']} reports of {res['kb_per_report']:.1f} kB on average, CPU time "
            f"(time.process_time), median and best of {args.rounds} rounds; jieba after every "
            f"{'file' if res['block'] == 1 else str(res['block']) + ' files'}; {time.strftime('%Y-%m-%d')}, "
            f"load average {load0:.1f} → {load1:.1f}\n"
        )
        print("\n".join(table(res)))
        if args.profile:
            print(profile(raw, args.profile))
    return 0


if __name__ == "__main__":
    sys.exit(main())
