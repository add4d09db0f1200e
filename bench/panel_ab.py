"""Two versions of fazhi_lib side by side on the indicator panel stage alone (issue 22): for each built
output folder (`--out`, e.g. 5,000 and 40,000 files) and each `--code` folder, `stream._panel` as a
cold build runs it (every part read), each run a fresh process (warmed on one part first: imports,
rules), the versions alternating; per run the
CPU seconds (user, system) and minor page faults of the stage, then medians, × linear from the first
`--out` (CPU per report over the first's), and the load average.

    .venv/bin/python bench/panel_ab.py --code /tmp/main-code --code . --out OUT5K --out OUT40K --repeat 5

A `--code` folder holds a `fazhi_lib/` (e.g. `git archive main fazhi_lib | tar -x -C /tmp/main-code`);
each run has it first on PYTHONPATH.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = """
import gc, json, resource, sys
import pandas as pd
from fazhi_lib.indicators import indicator_panel_stage
from fazhi_lib.parts import read_layout
from fazhi_lib.pipeline import stream
out = sys.argv[1]
store, reports = read_layout(out), pd.read_parquet(f"{out}/reports.parquet")
one = type(store)(store.parts[:1], store.keys, store.signature)
stream._panel(indicator_panel_stage, one, reports, {})  # warm: imports, rules, first calls (a build has made them)
gc.collect()
r0 = resource.getrusage(resource.RUSAGE_SELF)
panel = stream._panel(indicator_panel_stage, store, reports, {})["indicator_panel"]
r1 = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"user": r1.ru_utime - r0.ru_utime, "sys": r1.ru_stime - r0.ru_stime,
                  "minflt": r1.ru_minflt - r0.ru_minflt, "rows": len(panel), "reports": len(reports)}))
"""


def run(code: Path, out: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code), "PYTHONDONTWRITEBYTECODE": "1"}
    cmd = [sys.executable, "-c", CHILD, str(out.resolve())]  # (run in `code`: -c puts the working folder first)
    done = subprocess.run(cmd, env=env, cwd=code, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", action="append", type=Path, required=True)
    parser.add_argument("--out", action="append", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    runs = {(c, o): [] for c in args.code for o in args.out}
    for i in range(args.repeat):
        for o in args.out:
            for c in args.code if i % 2 == 0 else args.code[::-1]:  # alternating which goes first
                runs[c, o].append(run(c.resolve(), o))
        print(f"round {i + 1}: load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    for c in args.code:
        print(f"\n{c}")
        base = None
        for o in args.out:
            rs = runs[c, o]
            med = {k: statistics.median(r[k] for r in rs) for k in ("user", "sys", "minflt")}
            total = statistics.median(r["user"] + r["sys"] for r in rs)
            per = total / rs[0]["reports"]
            base = base or per
            print(
                f"  {rs[0]['reports']:>6} reports: user {med['user']:.2f}  sys {med['sys']:.2f}  total {total:.2f} s"
                f"  (min {min(r['user'] + r['sys'] for r in rs):.2f}, max {max(r['user'] + r['sys'] for r in rs):.2f})"
                f"  minflt {med['minflt']:.0f}  × linear {per / base:.2f}  panel rows {rs[0]['rows']}"
            )


if __name__ == "__main__":
    main()
