"""The rebuild rows of the benchmark alone (`.venv/bin/python bench/rebuild_bench.py --n 10000`): a cold
build of n synthetic reports, a rebuild after +1 % new files, their ratio (issue 22's target: < 5 %),
each build's phases (`fazhi build --timings`) and the load average, in one run. About 3 minutes at
10,000 reports on 2 cores (the cold build is most of it); `make bench` runs the whole benchmark.

Every build is its own `fazhi build` process from a snapshot of fazhi_lib (run_bench.snapshot, its
bytecode compiled first, as an installed package has it), timed wall-clock from start to exit, with
its CPU seconds (user + system, workers included: less moved by the machine's other work than the
wall clock). The rebuild runs `--repeat` times from the same state (the output and cache folders
copied back before each), and the median is reported. `--jobs` is passed
to every build (default 1, as the benchmark's rows; 0 is `fazhi build`'s default).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
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
    ap.add_argument("--repeat", type=int, default=3, help="rebuilds from the same state; the median is kept")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (printed)")
    ap.add_argument("--json", default=None, help="also write the figures to this JSON file")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="fazhi-bench-synthetic-"))
    fig: dict = {"n": args.n, "cpus": os.cpu_count(), "load_avg_start": os.getloadavg()[0], "runs": {}}
    try:
        run_bench.snapshot(tmp)  # (compiled to bytecode, as an installed fazhi is)
        raw = write_corpus(args.n, folder=tmp / "scale")
        n_new = max(1, args.n // 100)
        extra = write_corpus(n_new, folder=tmp / "extra", start=args.n)
        for jobs in args.jobs:
            out, cache = tmp / f"out-j{jobs}", tmp / f"cache-j{jobs}"
            print(f"cold build, --jobs {jobs}, load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
            cold, _, rc = run_bench.build(raw, out, jobs=jobs, cache=cache, label=f"cold, --jobs {jobs}")
            cold_cpu, ok = run_bench.LAST_CPU[0], rc == 0
            for folder in (out, cache):
                shutil.copytree(folder, folder.with_name(folder.name + ".before"), symlinks=True)
            walls, cpus, loads = [], [], []
            for k in range(args.repeat):
                for f in sorted(extra.iterdir()):
                    shutil.copy2(f, raw / f.name)
                loads.append(os.getloadavg()[0])
                print(f"+1 % files ({n_new} new), --jobs {jobs}, rebuild {k + 1}", file=sys.stderr)
                label = f"+1 % files, --jobs {jobs}, rebuild {k + 1}"
                wall, _, rc = run_bench.build(raw, out, jobs=jobs, cache=cache, label=label)
                walls.append(wall)
                cpus.append(run_bench.LAST_CPU[0])
                ok = ok and rc == 0
                for f in extra.iterdir():  # back to the state before the rebuild
                    (raw / f.name).unlink()
                for folder in (out, cache):
                    shutil.rmtree(folder)
                    shutil.copytree(folder.with_name(folder.name + ".before"), folder, symlinks=True)
            wall, cpu = statistics.median(walls), statistics.median(cpus)
            fig["runs"][str(jobs)] = {
                "cold_s": cold,
                "cold_cpu_s": cold_cpu,
                "rebuild_s": walls,
                "rebuild_cpu_s": cpus,
                "load_avg": loads,
                "ratio": wall / cold,
                "cpu_ratio": cpu / cold_cpu,
                "ok": ok,
            }
        fig["load_avg_end"] = os.getloadavg()[0]
        fig["phases"] = run_bench.PHASES
    finally:
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print(
        f"rebuild after +1 % files, {args.n:,} synthetic reports, {fig['cpus']} cores, load average "
        f"{fig['load_avg_start']:.1f} at start, {fig['load_avg_end']:.1f} at end ({time.strftime('%Y-%m-%d')}); "
        f"median of {args.repeat} rebuilds"
    )
    print("| --jobs | cold, s (CPU s) | +1 % rebuilds, s | rebuild ÷ cold | CPU ÷ CPU | < 5 % |")
    print("|---|---|---|---|---|---|")
    for jobs, r in fig["runs"].items():
        met = "yes" if r["ratio"] < run_bench.TARGETS["incremental"] else "**no**"
        walls = " / ".join(f"{w:.2f}" for w in r["rebuild_s"])
        print(
            f"| {jobs} | {r['cold_s']:.1f} ({r['cold_cpu_s']:.1f}) | {walls} | {r['ratio']:.2%} | "
            f"{r['cpu_ratio']:.2%} | {met} |"
        )
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
