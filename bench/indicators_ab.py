"""Indicator stage A/B against another checkout, interleaved report by report (less noisy than rounds).

`.venv/bin/python bench/indicators_ab.py --old /work/main [--n 100] [--rounds 5]`: for each report, the
place stage (untimed, as in a build), this checkout's `indicators_stage`, the place stage again, the other
checkout's; the order of the two swapped every report. CPU time (`time.process_time`), milliseconds per
report, and the ratio old ÷ new of the sums; checks both give the same rows.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from indicators_bench import documents, load_other  # noqa: E402
from synthetic import raw_folder  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", required=True)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--raw", default=None)
    args = ap.parse_args(argv)
    from fazhi_lib import indicators
    from fazhi_lib.places import place_stage

    new, old = indicators.indicators_stage, load_other(Path(args.old)).indicators_stage
    with raw_folder(args.raw, args.n) as raw:
        docs = documents(raw)
        if [new(d) for d in docs] != [old(d) for d in docs]:
            print("ROWS DIFFER between new and old", file=sys.stderr)
            return 1
        spent = {"new": 0.0, "old": 0.0}
        clock = time.process_time
        load0 = os.getloadavg()[0]
        for r in range(args.rounds):
            for k, doc in enumerate(docs):
                pair = (("new", new), ("old", old)) if (k + r) % 2 else (("old", old), ("new", new))
                for name, stage in pair:
                    place_stage(doc)
                    t0 = clock()
                    stage(doc)
                    spent[name] += clock() - t0
        load1 = os.getloadavg()[0]
        n = len(docs) * args.rounds
        print(
            f"indicators_stage, {len(docs)} reports × {args.rounds} rounds, interleaved, load {load0:.1f} → {load1:.1f}"
        )
        print(f"  new {spent['new'] * 1000 / n:.3f} ms/report, old {spent['old'] * 1000 / n:.3f}, "
              f"old ÷ new {spent['old'] / spent['new']:.3f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
