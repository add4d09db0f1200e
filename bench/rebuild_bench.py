"""The rebuild rows of the benchmark alone (`.venv/bin/python bench/rebuild_bench.py --n 10000`): a cold
build of n synthetic reports, a rebuild after +1 % new files, their ratio (issue 22's target: < 5 %),
each build's phases (`fazhi build --timings`) and the load average, in one run. About 2–3 minutes at
10,000 reports on 2 cores (the cold build is most of it); `make bench` runs the whole benchmark.

Every build is its own `fazhi build` process from a snapshot of fazhi_lib (run_bench.snapshot), timed
wall-clock from start to exit; `--jobs` is passed to every build (default 1, as the benchmark's rows).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run_bench  # noqa: E402  (bench/ is not a package: found through sys.path)
from synthetic import write_corpus  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000, help="reports in the synthetic corpus (default 10000)")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1], help="--jobs of the builds (default 1; e.g. 1 0)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (printed)")
    ap.add_argument("--json", default=None, help="also write the figures to this JSON file")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="fazhi-bench-synthetic-"))
    fig: dict = {"n": args.n, "cpus": os.cpu_count(), "load_avg_start": os.getloadavg()[0], "runs": {}}
    try:
        run_bench.snapshot(tmp)
        raw = write_corpus(args.n, folder=tmp / "scale")
        n_new = max(1, args.n // 100)
        extra = write_corpus(n_new, folder=tmp / "extra", start=args.n)
        for jobs in args.jobs:
            out, cache = tmp / f"out-j{jobs}", tmp / f"cache-j{jobs}"
            print(f"cold build, --jobs {jobs}, load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
            cold, _, rc1 = run_bench.build(raw, out, jobs=jobs, cache=cache, label=f"cold, --jobs {jobs}")
            for f in sorted(extra.iterdir()):
                shutil.copy2(f, raw / f.name)
            print(f"+1 % files ({n_new} new), --jobs {jobs}", file=sys.stderr)
            inc, _, rc2 = run_bench.build(raw, out, jobs=jobs, cache=cache, label=f"+1 % files, --jobs {jobs}")
            for f in extra.iterdir():  # the next --jobs starts from the same corpus
                (raw / f.name).unlink()
            fig["runs"][str(jobs)] = {"cold_s": cold, "rebuild_s": inc, "ratio": inc / cold, "ok": rc1 == rc2 == 0}
        fig["load_avg_end"] = os.getloadavg()[0]
        fig["phases"] = run_bench.PHASES
    finally:
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print(
        f"rebuild after +1 % files, {args.n:,} synthetic reports, {fig['cpus']} cores, load average "
        f"{fig['load_avg_start']:.1f} at start, {fig['load_avg_end']:.1f} at end ({time.strftime('%Y-%m-%d')})"
    )
    print("| --jobs | cold, s | +1 % rebuild, s | rebuild ÷ cold | < 5 % |")
    print("|---|---|---|---|---|")
    for jobs, r in fig["runs"].items():
        met = "yes" if r["ratio"] < run_bench.TARGETS["incremental"] else "**no**"
        print(f"| {jobs} | {r['cold_s']:.1f} | {r['rebuild_s']:.2f} | {r['ratio']:.2%} | {met} |")
    names = list(dict.fromkeys(k for p in run_bench.PHASES.values() for k in p))
    print("\n| build | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for label, p in run_bench.PHASES.items():
        print(f"| {label} | " + " | ".join(f"{p.get(k, 0.0):.2f}" for k in names) + " |")
    if args.json:
        Path(args.json).write_text(json.dumps(fig, indent=1), encoding="utf-8")
    return 0 if all(r["ok"] for r in fig["runs"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
