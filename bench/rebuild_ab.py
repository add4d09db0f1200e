"""Two versions of fazhi_lib side by side on the same +1 % rebuild (issue 22): for each `--code` folder a
cold build of n synthetic full-size reports (`--jobs 2`, kept), then rebuilds with n // 100 new files
(`--jobs 1`), the versions alternating, each from its kept state; per rebuild the CPU seconds of the
build process (user + system) and the build's own `cpu timings` phases, with the load average.

    .venv/bin/python bench/rebuild_ab.py --code /tmp/main-code --code . --n 10000 --repeat 4

A `--code` folder holds a `fazhi_lib/` (e.g. `git archive main fazhi_lib | tar -x -C /tmp/main-code`).
Every build runs in that folder with it first on PYTHONPATH. About 4 minutes at 10,000 reports.
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import write_corpus  # noqa: E402  (bench/ is not a package: found through sys.path)

ROOT = Path(__file__).resolve().parent.parent


def build(code: Path, raw: Path, out: Path, cache: Path, jobs: int) -> tuple[float, float, dict[str, float]]:
    """(wall s, CPU s of the build process and its workers, the build's `cpu timings` phases)."""
    env = {**os.environ, "PYTHONPATH": str(code), "PYTHONIOENCODING": "utf-8"}
    cmd = [sys.executable, "-m", "fazhi_lib.cli", "build", str(raw), "--out", str(out), "--cache", str(cache)]
    cmd += ["--jobs", str(jobs), "--quiet", "--timings"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=code, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-2000:])
    line = next((x for x in proc.stderr.splitlines() if x.startswith("cpu timings")), "")
    phases = {k.strip(): float(v) for k, v in re.findall(r"([a-z_ ]+?) ([\d.]+) s", line.split(":", 1)[-1])}
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), phases


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--code", type=Path, action="append", required=True, help="a folder holding fazhi_lib/")
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="fazhi-bench-synthetic-"))
    try:
        raw = write_corpus(args.n, folder=tmp / "scale", raw_dir=ROOT / "data" / "raw")
        extra = write_corpus(max(1, args.n // 100), folder=tmp / "extra", start=args.n, raw_dir=ROOT / "data" / "raw")
        codes = {}
        for k, code in enumerate(args.code):
            codes[k] = tmp / f"code-{k}"
            shutil.copytree(
                code.resolve() / "fazhi_lib", codes[k] / "fazhi_lib", ignore=shutil.ignore_patterns("__pycache__")
            )
            compileall.compile_dir(codes[k] / "fazhi_lib", quiet=1)  # as an installed fazhi has it
            out, cache = tmp / f"out-{k}", tmp / f"cache-{k}"
            wall, cpu, _ = build(codes[k], raw, out, cache, 2)
            print(f"cold {args.code[k]}: {wall:.1f} s, CPU {cpu:.1f} s", flush=True)
            for folder in (out, cache):
                shutil.copytree(folder, folder.with_name(folder.name + ".before"), symlinks=True)
        cpus: dict[int, list[float]] = {k: [] for k in codes}
        stage: dict[int, list[float]] = {k: [] for k in codes}
        for r in range(args.repeat):
            for k, code in codes.items():
                out, cache = tmp / f"out-{k}", tmp / f"cache-{k}"
                for f in sorted(extra.iterdir()):
                    shutil.copy2(f, raw / f.name)
                load = os.getloadavg()[0]
                wall, cpu, phases = build(code, raw, out, cache, 1)
                for f in extra.iterdir():
                    (raw / f.name).unlink()
                for folder in (out, cache):
                    shutil.rmtree(folder)
                    shutil.copytree(folder.with_name(folder.name + ".before"), folder, symlinks=True)
                cpus[k].append(cpu)
                stage[k].append(phases.get("stage scorecard_stage", float("nan")))
                print(
                    f"rebuild {r + 1} {args.code[k]}: {wall:.2f} s, CPU {cpu:.2f} s, load {load:.2f}, {phases}",
                    flush=True,
                )
        for k in codes:
            print(
                f"{args.code[k]}: median rebuild CPU {statistics.median(cpus[k]):.2f} s, "
                f"scorecard stage CPU {statistics.median(stage[k]):.2f} s"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
