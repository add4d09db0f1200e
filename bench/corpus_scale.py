"""How the corpus-level stages of `fazhi build` grow with the corpus: assembly (with the search for
copies of one report), then every `stages.CORPUS_STAGES` stage, timed on the first 5,000, 10,000,
20,000 and 40,000 files of one small-file synthetic corpus (bench/synthetic.py, `small=True`).

    .venv/bin/python bench/corpus_scale.py                 # 5,000 … 40,000 (about 10 min on 2 cores)
    .venv/bin/python bench/corpus_scale.py --sizes 1000 2000 4000

The files are parsed once, in worker processes, with the report stages that no corpus stage reads
(`part_tokens_stage`, `categorise_problem_items`) left out to keep the run short; the stacked per-file
rows are then cut to the first N files, so every size is timed on rows parsed the same way. A stage
is linear when its seconds per report stay the same: `× linear` is (t_N / t_first) ÷ (N / N_first),
t being the CPU seconds of the process (see `time_stages`).
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd  # noqa: E402
from synthetic import write_corpus  # noqa: E402

SIZES = (5_000, 10_000, 20_000, 40_000)
LINEAR_TARGET = 1.2  # issue 22: every corpus-level stage within 1.2 × of linear from 5,000 to 40,000
SKIPPED_STAGES = ("part_tokens_stage", "categorise_problem_items")  # read by no corpus stage


def _init() -> None:
    from fazhi_lib.pipeline import stages

    stages.REPORT_STAGES[:] = [s for s in stages.REPORT_STAGES if s.__name__ not in SKIPPED_STAGES]


def _parse_chunk(batch: list[tuple[str, str]]):
    from fazhi_lib.pipeline.assemble import stack
    from fazhi_lib.pipeline.worker import parse_batch

    return stack(parse_batch(batch))


def parse_frames(raw: Path, jobs: int) -> dict:
    """The stacked frames (`assemble.stack`) of every file under `raw`, in file order."""
    from fazhi_lib.pipeline.assemble import combine

    files = sorted(raw.glob("*.txt"))
    tasks = [[(str(f), str(raw)) for f in files[i : i + 250]] for i in range(0, len(files), 250)]
    if jobs > 1:
        ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
        with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init) as pool:
            parts = list(pool.map(_parse_chunk, tasks))
    else:
        _init()
        parts = [_parse_chunk(t) for t in tasks]
    return combine(parts)


def time_stages(frames: dict, n: int) -> dict[str, float]:
    """CPU seconds of this process for assembly and for each corpus stage on the first `n` files' rows
    (CPU, not wall-clock, time: on a machine shared with other work, the wall-clock time of a long step
    grows with what else runs, not with what the step does)."""
    from fazhi_lib.pipeline import stages
    from fazhi_lib.pipeline.assemble import FILE_COLUMN, assemble

    files = frames["parse_log"][FILE_COLUMN].sort_values(kind="stable").tolist()[:n]
    keep = set(files)
    sub = {name: df[df[FILE_COLUMN].isin(keep)].reset_index(drop=True) for name, df in frames.items()}
    out = {}
    t0 = time.process_time()
    corpus = assemble(sub)
    out["assemble (with copies found)"] = time.process_time() - t0
    for stage in stages.CORPUS_STAGES:
        t0 = time.process_time()
        corpus.tables.update(stage(corpus.tables) or {})
        out[stage.__name__] = time.process_time() - t0
    out["reports"] = len(corpus.reports)
    return out


def scaling(
    sizes=SIZES, *, jobs: int = 2, folder: Path | None = None, log=print, exact: bool = False, reuse: bool = False
) -> list[dict]:
    """[{n, reports, stage: seconds, …}] for each size; the small corpus is written (or reused) in `folder`.
    `exact`: templating compares all pairs at every size (as before issue 22), for comparison.
    `reuse`: keep the parsed rows in `folder/frames` (Parquet) and read them back next time."""
    tmp = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="fazhi-bench-synthetic-"))
    raw = tmp / "raw"
    have = len(list(raw.glob("*.txt"))) if raw.is_dir() else 0
    if have < max(sizes):
        log(f"  writing {max(sizes) - have:,} small synthetic files into {raw}")
        write_corpus(max(sizes) - have, folder=tmp, start=have, small=True)
    t0 = time.perf_counter()
    saved = tmp / "frames" / str(max(sizes))
    larger = sorted((p for p in (tmp / "frames").glob("*") if p.name.isdigit() and int(p.name) >= max(sizes)),
                    key=lambda p: int(p.name)) if reuse else []  # fmt: skip
    if larger:
        saved = larger[0]  # the rows of more files: time_stages takes the first n
    if reuse and saved.is_dir():
        frames = {p.stem: pd.read_parquet(p) for p in sorted(saved.glob("*.parquet"))}
        log(f"  read the parsed rows of {saved.name} files back from {saved}")
    else:
        log(f"  parsing {max(sizes):,} small files ({jobs} processes)")
        frames = parse_frames(raw, jobs)
        log(f"  parsed in {time.perf_counter() - t0:.0f} s")
        if reuse:
            saved.mkdir(parents=True, exist_ok=True)
            for name, df in frames.items():
                df.to_parquet(saved / f"{name}.parquet")
    if exact:
        from fazhi_lib import scorecard

        scorecard.EXACT_TEMPLATING_MAX = float("inf")
    rows = []
    for n in sizes:
        times = time_stages(frames, n)
        rows.append({"n": n, **times})
        log(f"  {n:,}: " + ", ".join(f"{k} {v:.2f}" for k, v in times.items()))
    if folder is None:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def table(rows: list[dict]) -> list[str]:
    """Markdown lines: seconds per stage per size, and each stage's ratio to linear."""
    stage_names = [k for k in rows[0] if k not in ("n", "reports")]
    first = rows[0]
    lines = ["| stage | " + " | ".join(f"{r['n']:,} files, CPU s" for r in rows) + " | × linear, last size |"]
    lines.append("|---|" + "---|" * (len(rows) + 1))
    for s in stage_names:
        grow = (rows[-1][s] / first[s]) / (rows[-1]["n"] / first["n"]) if first[s] > 0 else float("nan")
        lines.append(f"| {s} | " + " | ".join(f"{r[s]:.2f}" for r in rows) + f" | {grow:.2f} |")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--folder", type=Path, default=None, help="write (or reuse) the small corpus here; kept")
    ap.add_argument("--reuse", action="store_true", help="keep the parsed rows in FOLDER/frames and reuse them")
    ap.add_argument("--exact", action="store_true", help="templating over all pairs at every size (before issue 22)")
    args = ap.parse_args(argv)
    rows = scaling(
        sorted(args.sizes),
        jobs=args.jobs,
        folder=args.folder,
        exact=args.exact,
        reuse=args.reuse and args.folder is not None,
        log=lambda m: print(m, file=sys.stderr),
    )
    print("\n".join(table(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
