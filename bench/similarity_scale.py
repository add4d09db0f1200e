"""The scorecard's similarity columns alone, timed in one process on the first N files of a built corpus,
for A/B runs of two versions of the code side by side (CPU seconds, `time.process_time`).

    .venv/bin/python bench/similarity_scale.py OUT --sizes 5000 10000 20000 40000
    .venv/bin/python bench/similarity_scale.py OUT --sizes 40000 --code /tmp/old --code .   # A/B, alternating
    .venv/bin/python bench/similarity_scale.py OUT --sizes 40000 --profile                   # cProfile, top 25

OUT is the output folder of a `fazhi build` (part files; e.g. of bench/corpus_scale.py's small corpus).
The first N files are the first N `source_file` names in sorted order, as bench/corpus_scale.py takes
them; their reports and problems parts are read as the build's scorecard phase reads them (the parts'
reading is timed apart, `read`). With several `--code` folders each size is run once per folder,
alternating, each in a fresh process, and the outputs are compared (`same`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = r"""
import gc, hashlib, json, sys, time
import numpy as np, pandas as pd
from fazhi_lib.parts import read_layout
from fazhi_lib.pipeline.stream import _problems
from fazhi_lib import scorecard as sc

out, n, profile = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
reports = pd.read_parquet(f"{out}/reports.parquet")
files = sorted(reports["source_file"].dropna().unique())[:n]
reports = reports[reports["source_file"].isin(set(files))].reset_index(drop=True)
store = read_layout(out)
t0 = time.process_time()
parts = store.read("parts", columns=["report_id", "part_order", "kind", "heading", "text"],
                   filter_kind=_problems, sort=False)
parts = parts[parts["report_id"].isin(set(reports["report_id"]))].reset_index(drop=True)
t_read = time.process_time() - t0
measures = pd.DataFrame({"report_id": sorted(reports["report_id"])})
for c in sc.REPORT_MEASURE_COLUMNS[1:]:
    measures[c] = pd.NA
if profile:
    import cProfile, pstats
    pr = cProfile.Profile(); pr.enable()
t0 = time.process_time()
card = sc.scorecard_with_similarity(measures, reports, parts)
t_sim = time.process_time() - t0
if profile:
    pr.disable(); pstats.Stats(pr, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
cols = sc.SIMILARITY_COLUMNS
digest = hashlib.sha256(card[cols].to_csv(index=False).encode()).hexdigest()[:16]
print(json.dumps({"n": n, "reports": len(reports), "problems": int(len(parts)), "read": t_read,
                  "similarity": t_sim, "digest": digest}))
"""


def run(out: Path, n: int, code: Path, *, profile: bool = False) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code), "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(out), str(n), "1" if profile else "0"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        raise RuntimeError(proc.stderr[-2000:])
    if profile:
        print(proc.stderr, file=sys.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--sizes", type=int, nargs="+", default=[5000, 10000, 20000, 40000])
    ap.add_argument("--code", type=Path, action="append", default=None)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args(argv)
    codes = [c.resolve() for c in (args.code or [ROOT])]
    for n in args.sizes:
        for _ in range(args.repeat):
            for code in codes:
                r = run(args.out, n, code, profile=args.profile)
                print(
                    f"{code.name or code}: n {r['n']:,} reports {r['reports']:,} problems {r['problems']:,} "
                    f"read {r['read']:.2f} s similarity {r['similarity']:.2f} s digest {r['digest']}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
