"""CPU time of the indicator stage alone, this checkout's against another's, alternating in one process.

`.venv/bin/python bench/indicators_bench.py [--old /work/main] [--n 100] [--rounds 7] [--profile 30]`

Parses `--n` full-size synthetic reports (bench/synthetic.py, a temporary folder deleted at the end)
once, runs the place stage on each (as the build does before the indicator stage: it fills the
per-process cache of simplified texts the indicator stage reads), then, `--rounds` times, times
`indicators_stage` over every report with `time.process_time()`: this checkout's, and, with `--old`,
the `fazhi_lib/indicators.py` of another checkout loaded beside it, alternating round by round, so that
both see the same machine. Also checks that both give the same rows. `--profile N` prints the N
functions with the most own time in this checkout's stage (cProfile).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import raw_folder  # noqa: E402


def load_other(checkout: Path):
    """`fazhi_lib/indicators.py` of another checkout, as a module of this checkout's package (its
    relative imports read this checkout's modules)."""
    spec = importlib.util.spec_from_file_location(
        "fazhi_lib._indicators_other", checkout / "fazhi_lib" / "indicators.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def documents(raw: Path) -> list:
    """Every report of `raw` parsed, with the place stage run on it."""
    from fazhi_lib.load import read_document
    from fazhi_lib.parse import parse_page
    from fazhi_lib.places import place_stage

    docs = []
    for path in sorted(raw.glob("*.txt")):
        loaded = read_document(path)
        doc = parse_page(loaded.text, source_file=path.name, sha256=loaded.sha256).document
        place_stage(doc)
        docs.append(doc)
    return docs


def one_round(stage, docs: list) -> float:
    from fazhi_lib.places import place_stage

    spent = 0.0
    clock = time.process_time
    for doc in docs:
        place_stage(doc)  # untimed: as in a build, the report's simplified text is in the cache
        t0 = clock()
        stage(doc)
        spent += clock() - t0
    return spent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--old", default=None, help="another checkout whose indicators.py is timed alternately")
    ap.add_argument("--raw", default=None, help="time these files instead of a synthetic corpus")
    ap.add_argument("--profile", type=int, default=0, metavar="N")
    args = ap.parse_args(argv)
    from fazhi_lib import indicators

    stages = {"new": indicators.indicators_stage}
    if args.old:
        stages["old"] = load_other(Path(args.old)).indicators_stage
    with raw_folder(args.raw, args.n) as raw:
        docs = documents(raw)
        for name, stage in stages.items():  # warm up; and the same rows from both
            rows = [stage(doc) for doc in docs]
            if name == "new":
                first = rows
            elif rows != first:
                print("ROWS DIFFER between new and old", file=sys.stderr)
                return 1
        load0 = os.getloadavg()[0]
        spent = {name: [] for name in stages}
        for _ in range(args.rounds):
            for name, stage in stages.items():
                spent[name].append(one_round(stage, docs) * 1000 / len(docs))
        load1 = os.getloadavg()[0]
        print(f"indicators_stage, {len(docs)} reports, CPU ms per report, {args.rounds} rounds, "
              f"load {load0:.1f} → {load1:.1f}")  # fmt: skip
        for name, values in spent.items():
            print(f"  {name}: median {statistics.median(values):.3f}  best {min(values):.3f}")
        if "old" in spent:
            ratios = [o / n for o, n in zip(spent["old"], spent["new"])]
            print(f"  old ÷ new: median {statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f})")
        if args.profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
            for doc in docs:
                indicators.indicators_stage(doc)
            prof.disable()
            pstats.Stats(prof).sort_stats("tottime").print_stats(args.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
