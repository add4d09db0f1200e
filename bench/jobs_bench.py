"""The speed-up of 2 worker processes over 1 alone (`.venv/bin/python bench/jobs_bench.py --n 2000`):
cold builds of n synthetic reports with `--jobs 1` and `--jobs 2`, alternating, each from an empty
cache (as `bench/run_bench.py`'s row; `--no-cache` without one), `--repeat` times; the medians, their
ratio (issue 22's target: ≥ 1.7), the CPU seconds of the build's main process alone and of the whole
build (workers included), and the load average before each build.

On a machine shared with other work the wall clock says little about 2 workers against 1, so the
script also gives a CPU-time estimate of the speed-up on 2 idle cores: the 1-process build's CPU
seconds over the 2-worker build's critical path, taken as the main process's CPU seconds outside the
parsing phase (start-up, listing, corpus stages, saving: one process) plus half of everything done
while parsing (the workers' CPU seconds and the main process's in that phase, on 2 cores). It assumes
the two workers end together and that no worker waits on the main process (which the old code did:
a worker's send blocks while the main process writes a batch), so it flatters the old code.

`--code DIR …` compares fazhi_lib folders (e.g. a copy of main's and this tree's) in the same run, one
build of each in turn (A/B alternating), so that the machine's other work weighs on both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import write_corpus  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# the build in this process, its own CPU seconds (RUSAGE_SELF: the workers are not counted) on stderr
RUNNER = (
    "import resource, sys\n"
    "from fazhi_lib.cli import main\n"
    "try:\n"
    "    rc = main(sys.argv[1:])\n"
    "finally:\n"
    "    u = resource.getrusage(resource.RUSAGE_SELF)\n"
    "    print(f'main cpu: {u.ru_utime + u.ru_stime:.3f}', file=sys.stderr)\n"
    "sys.exit(rc)\n"
)


def build(code: Path, raw: Path, out: Path, *, jobs: int, cache: Path | None) -> dict:
    """One cold `fazhi build` process of the fazhi_lib in `code`: wall, main-process and total CPU seconds."""
    for folder in (out, cache):
        if folder is not None and folder.exists():
            shutil.rmtree(folder)
    cmd = [sys.executable, "-c", RUNNER, "build", str(raw), "--out", str(out), "--jobs", str(jobs), "--quiet"]
    cmd += ["--timings"]
    cmd += ["--cache", str(cache)] if cache else ["--no-cache"]
    env = {**os.environ, "PYTHONPATH": str(code), "PYTHONIOENCODING": "utf-8"}
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"build failed: {err[-800:]}")
    main_cpu = float(next(x for x in err.splitlines() if x.startswith("main cpu: ")).split()[-1])
    line = next((x for x in err.splitlines() if x.startswith("cpu timings: ")), "")
    phases = dict(item.rsplit(" ", 2)[:2] for item in filter(None, line[len("cpu timings: ") :].split(", ")))
    files_cpu = float(phases.get("files", 0.0))  # the main process's CPU seconds while the files were parsed
    cpu = usage.ru_utime + usage.ru_stime
    critical = (main_cpu - files_cpu) + (cpu - main_cpu + files_cpu) / 2 if jobs == 2 else cpu
    return {"wall": wall, "main_cpu": main_cpu, "cpu": cpu, "files_cpu": files_cpu, "critical": critical, "load": load}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="reports in the synthetic corpus (default 2000)")
    ap.add_argument("--repeat", type=int, default=3, help="builds of each kind; the median is kept (default 3)")
    ap.add_argument(
        "--code", nargs="*", default=None, help="folders holding a fazhi_lib to compare (default: this tree)"
    )
    ap.add_argument("--no-cache", action="store_true", help="build with --no-cache (default: an empty cache)")
    ap.add_argument("--json", default=None, help="also write the figures to this JSON file")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="fazhi-bench-synthetic-"))
    try:
        codes = []
        for i, folder in enumerate(args.code or [str(ROOT)]):  # snapshots: edits during the run change nothing
            dst = tmp / f"code{i}"
            shutil.copytree(Path(folder) / "fazhi_lib", dst / "fazhi_lib", ignore=shutil.ignore_patterns("__pycache__"))
            codes.append((folder, dst))
        raw = write_corpus(args.n, folder=tmp / "scale", raw_dir=ROOT / "data" / "raw")
        runs: dict[str, list[dict]] = {}
        for k in range(args.repeat):
            for label, code in codes:
                for jobs in (1, 2):
                    cache = None if args.no_cache else tmp / "cache"
                    r = build(code, raw, tmp / "out", jobs=jobs, cache=cache)
                    runs.setdefault(f"{label} --jobs {jobs}", []).append(r)
                    print(
                        f"[{k + 1}] {label} --jobs {jobs}: {r['wall']:.2f} s, main CPU {r['main_cpu']:.2f} s, "
                        f"of which while parsing {r['files_cpu']:.2f} s, CPU {r['cpu']:.2f} s (load {r['load']:.2f})",
                        file=sys.stderr,
                    )
        summary = {}
        for label, _ in codes:
            med = {
                j: {
                    m: statistics.median(r[m] for r in runs[f"{label} --jobs {j}"])
                    for m in ("wall", "main_cpu", "cpu", "files_cpu", "critical")
                }
                for j in (1, 2)
            }
            summary[label] = {
                "median": med,
                "speedup": med[1]["wall"] / med[2]["wall"],
                "estimate": med[1]["cpu"] / med[2]["critical"],
            }
            print(
                f"{label}: --jobs 1 {med[1]['wall']:.2f} s (main CPU {med[1]['main_cpu']:.2f}, CPU {med[1]['cpu']:.2f}); "
                f"--jobs 2 {med[2]['wall']:.2f} s (main CPU {med[2]['main_cpu']:.2f}, CPU {med[2]['cpu']:.2f}); "
                f"speed-up {summary[label]['speedup']:.2f}; on 2 idle cores, estimated from CPU time: "
                f"{summary[label]['estimate']:.2f}"
            )
        print(f"load average at the end: {os.getloadavg()[0]:.2f}")
        if args.json:
            Path(args.json).write_text(json.dumps({"runs": runs, "summary": summary}, indent=1), encoding="utf-8")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
