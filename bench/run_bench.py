"""fazhi's performance benchmark: `make bench` (or `.venv/bin/python bench/run_bench.py --n 10000`).

Prints one table of figures measured in this run, next to the targets of issue 6:

- build throughput (MB/s of raw file bytes, `fazhi build --jobs 1 --no-cache`, tokens included) and
  bare `jieba.lcut` (pure jieba, default mode, dictionary loading excluded) on the same text;
- the speed-up of 2 worker processes over 1 (cold builds, empty caches);
- an incremental rebuild after adding 1 % new files, as a fraction of the cold build (and an
  unchanged rebuild, which parses nothing; `bench/rebuild_bench.py` runs these rows alone, in a few
  minutes, the rebuild repeated from the same state);
- TF-IDF + NMF on the problems parts; `make reports` on the embedded corpus; peak memory;
- where one process spends its parsing time (cProfile over a sample), to show what to speed up;
- the per-report steps (read, core parse, every report stage) against bare `jieba.lcut` on the same
  reports, both as CPU time of one process in one run (`bench/per_report.py`): the ratio that the machine's
  other work moves least;
- the growth of the corpus-level stages of `fazhi build` (assembly, indicator panel, scorecard) from
  5,000 to 40,000 small files, as CPU seconds of the build's main process, and of the builds' peak
  memory (`bench/corpus_scale.py`; with `--n` below 10,000: n, 2n, 4n files), against issue 22's
  targets of 1.2 × linear and memory growing sub-linearly.

Corpora: the five embedded pages (`data/raw`) and a synthetic scale corpus generated from them into a
temporary `fazhi-bench-synthetic-*` folder (never `data/raw/`; see bench/synthetic.py), deleted at the
end unless `--keep`. Every build runs as its own `fazhi build` process, timed wall-clock from start to
exit (interpreter start and writing Parquet + CSV included); peak memory is that process's (and its
workers') maximum resident set size. Timings depend on what else runs on the machine.
"""

from __future__ import annotations

import argparse
import compileall
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus_scale  # noqa: E402  (bench/ is not a package: found through sys.path)
import per_report  # noqa: E402
from synthetic import write_corpus  # noqa: E402

FAZHI = [sys.executable, "-m", "fazhi_lib.cli"]
TARGETS = {
    "ratio": 4.0,  # build MB/s ÷ bare jieba.lcut MB/s, single process
    "speedup": 1.7,  # 2 processes over 1
    "incremental": 0.05,  # rebuild after +1 % files ÷ cold build
    "memory_gb": 2.0,  # peak memory of a 10,000-report build
    "reports_s": 90.0,  # make reports on the embedded corpus
    "linear": corpus_scale.LINEAR_TARGET,  # every corpus-level stage, growth from the first to the last size
}


LAST_STDERR = [""]
LAST_CPU = [0.0]  # CPU seconds (user + system) of the last command and its waited-for workers
PHASES: dict[str, dict[str, float]] = {}  # build label → seconds per phase
CODE: Path | None = None  # the snapshot of fazhi_lib every command of this run uses (see snapshot())


def snapshot(tmp: Path) -> Path:
    """Copy fazhi_lib into `tmp/code`: the build signature covers the package's code, so an edit made
    in the working tree during the run would otherwise invalidate the cache between two builds."""
    global CODE
    CODE = tmp / "code"
    shutil.copytree(ROOT / "fazhi_lib", CODE / "fazhi_lib", ignore=shutil.ignore_patterns("__pycache__"))
    # its bytecode, as an installed fazhi has it (pip compiles on install, and Python keeps what it
    # compiles): without it, under PYTHONDONTWRITEBYTECODE, every build process would compile fazhi_lib's
    # modules from source again (about 0.2 s CPU a process, a rebuild's as much as a cold one's)
    compileall.compile_dir(CODE / "fazhi_lib", quiet=1)
    return CODE


def _env() -> dict[str, str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    if CODE is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(CODE), *filter(None, [env.get("PYTHONPATH")])])
    return env


def run(cmd: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB of the process and its waited-for workers, exit code)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=CODE or ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env())
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    LAST_STDERR[0] = err
    LAST_CPU[0] = usage.ru_utime + usage.ru_stime
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        print(f"  ! {' '.join(map(str, cmd[2:]))} exited {proc.returncode}: {err.strip()[-400:]}", file=sys.stderr)
    rss_mb = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 2**20
    return wall, rss_mb, proc.returncode


def build(raw: Path, out: Path, *, jobs: int, cache: Path | None, label: str = "") -> tuple[float, float, int]:
    """One `fazhi build` process; its phases (`--timings`) are kept in PHASES[label]."""
    cmd = [*FAZHI, "build", str(raw), "--out", str(out), "--jobs", str(jobs), "--quiet", "--timings"]
    cmd += ["--cache", str(cache)] if cache else ["--no-cache"]
    wall, rss, rc = run(cmd)
    if label:
        line = next((x for x in LAST_STDERR[0].splitlines() if x.startswith("timings: ")), "")
        phases = {}
        for item in filter(None, line[len("timings: ") :].split(", ")):
            name, seconds, _ = item.rsplit(" ", 2)
            phases[name] = float(seconds)
        phases["start-up and exit"] = max(0.0, wall - sum(phases.values()))
        PHASES[label] = {"total": wall, **phases}
    return wall, rss, rc


def raw_bytes(raw: Path) -> int:
    return sum(p.stat().st_size for p in raw.rglob("*") if p.is_file())


def jieba_throughput(texts: list[str], *, min_seconds: float = 3.0) -> float:
    """MB/s of bare `jieba.lcut` (pure jieba, default mode, HMM on) over `texts`, dictionary loaded
    beforehand; the texts are cut again until `min_seconds` have passed."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    n_bytes, t0 = 0, time.perf_counter()
    while True:
        for t in texts:
            jieba.lcut(t)
        n_bytes += sum(len(t.encode("utf-8")) for t in texts)
        elapsed = time.perf_counter() - t0
        if elapsed >= min_seconds:
            return n_bytes / elapsed / 1e6


def sample_texts(raw: Path, max_bytes: int) -> list[str]:
    """An even sample of the corpus' files (every k-th), about `max_bytes` of them."""
    files = sorted(raw.glob("*.txt"))
    total = sum(p.stat().st_size for p in files)
    step = max(1, round(total / max_bytes))
    return [p.read_text(encoding="utf-8") for p in files[::step]]


def time_tfidf(out: Path) -> tuple[float, int]:
    """Seconds for documents → TF-IDF → NMF (4 topics) on the problems parts; number of documents."""
    code = (
        "import sys, time, json; t0 = time.perf_counter(); import fazhi_lib as fz; "
        "from fazhi_lib.tfidf import documents, fit_tfidf, topics; "
        f"c = fz.load_corpus({str(out)!r}); t1 = time.perf_counter(); docs = documents(c, part_kind='problems'); "
        "m = fit_tfidf(docs); topics(m, n_topics=4); "
        "print(json.dumps([time.perf_counter() - t1, len(docs)]))"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=CODE or ROOT, capture_output=True, text=True, env=_env(), check=False
    )
    if res.returncode != 0:
        print(f"  ! TF-IDF failed: {res.stderr.strip()[-400:]}", file=sys.stderr)
        return float("nan"), 0
    seconds, n_docs = json.loads(res.stdout.strip().splitlines()[-1])
    return seconds, n_docs


def profile_parse(raw: Path, n_files: int = 60) -> list[tuple[str, float]]:
    """Share of one process' parsing time per step, by cProfile over `n_files` files (after warm-up)."""
    import cProfile
    import pstats

    from fazhi_lib.pipeline import stages
    from fazhi_lib.pipeline.worker import parse_file, warm_up

    files = sorted(raw.glob("*.txt"))[:n_files]
    warm_up()
    for f in files:  # per-process caches filled (a division table per report year), as in a long build
        parse_file(f, root=raw)
    prof = cProfile.Profile()
    prof.enable()
    for f in files:
        parse_file(f, root=raw)
    prof.disable()
    stats = pstats.Stats(prof).stats  # (file, line, name) -> (cc, nc, tt, ct, callers)
    total = next(ct for (fn, _, name), (_, _, _, ct, _) in stats.items() if name == "parse_file")

    def cum(module: str, name: str) -> float:
        return sum(v[3] for (fn, _, nm), v in stats.items() if nm == name and fn.endswith(module))

    steps = [
        ("read + decode (load.py)", cum("load.py", "read_document")),
        ("clean page (clean.py)", cum("clean.py", "clean_page")),
        (
            "sections, parts, items (sections.py)",
            cum("sections.py", "segment") + cum("sections.py", "parts_of") + cum("sections.py", "problem_items"),
        ),
    ]
    for stage in stages.REPORT_STAGES:
        module = stage.__module__.rsplit(".", 1)[-1] + ".py"
        steps.append((f"stage {stage.__name__} ({module})", cum(module, stage.__name__)))
    return [(name, seconds / total) for name, seconds in steps]


def fmt(x: float, digits: int = 2) -> str:
    return "n/a" if math.isnan(x) else f"{x:.{digits}f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000, help="reports in the synthetic scale corpus (default 10000)")
    ap.add_argument("--jieba-mb", type=float, default=2.0, help="MB of the scale corpus cut by bare jieba (a sample)")
    ap.add_argument("--skip-reports", action="store_true", help="do not time `make reports`")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (printed)")
    ap.add_argument("--json", default=None, help="also write the figures to this JSON file")
    ap.add_argument(
        "--scale-sizes",
        type=int,
        nargs="*",
        default=None,
        help="small-file corpus sizes for the corpus-level stages' growth (default 5000 10000 20000 40000; "
        "with --n below 10000: n, 2n, 4n; none: skip)",
    )
    ap.add_argument(
        "--per-report-n", type=int, default=200, help="reports timed step by step against jieba.lcut (default 200)"
    )
    args = ap.parse_args(argv)
    if args.scale_sizes is None:
        args.scale_sizes = list(corpus_scale.SIZES) if args.n >= 10_000 else [args.n, 2 * args.n, 4 * args.n]

    tmp = Path(tempfile.mkdtemp(prefix="fazhi-bench-synthetic-"))
    rows: list[tuple[str, str, str, str, str]] = []  # measure, corpus, value, target, met
    fig: dict = {
        "n": args.n,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_avg_start": os.getloadavg()[0],
    }

    def met(ok: bool) -> str:
        return "yes" if ok else "**no**"

    try:
        print(
            f"fazhi benchmark: {args.n} synthetic reports in {tmp} (marked synthetic), {os.cpu_count()} cores, "
            f"load average {os.getloadavg()[0]:.1f} at start",
            file=sys.stderr,
        )
        emb_raw = ROOT / "data" / "raw"
        snapshot(tmp)
        t0 = time.perf_counter()
        raw = write_corpus(args.n, folder=tmp / "scale")
        fig["generate_s"] = time.perf_counter() - t0

        # ---- embedded five
        emb_mb = raw_bytes(emb_raw) / 1e6
        wall, _, _ = build(emb_raw, tmp / "emb", jobs=1, cache=None)
        emb_jieba = jieba_throughput([p.read_text(encoding="utf-8") for p in sorted(emb_raw.glob("*.txt"))])
        fig.update(emb_build_s=wall, emb_build_mbs=emb_mb / wall, emb_jieba_mbs=emb_jieba)
        rows.append(
            (
                "build, 1 process (tokens included), MB/s",
                "embedded 5",
                fmt(emb_mb / wall),
                "",
                f"{emb_mb * 1000:.0f} kB in {wall:.1f} s",
            )
        )
        rows.append(("bare `jieba.lcut`, MB/s", "embedded 5", fmt(emb_jieba), "", ""))
        ratio = emb_mb / wall / emb_jieba
        rows.append(
            ("build ÷ jieba.lcut", "embedded 5", fmt(ratio), "≥ 4 (on scale corpus)", "start-up dominates 5 files")
        )

        # ---- scale corpus
        mb = raw_bytes(raw) / 1e6
        print(f"  scale corpus: {mb:.1f} MB; cutting a {args.jieba_mb} MB sample with jieba", file=sys.stderr)
        jieba_mbs = jieba_throughput(sample_texts(raw, int(args.jieba_mb * 1e6)))
        print("  cold build, 1 process", file=sys.stderr)
        t1, rss1, rc1 = build(raw, tmp / "out1", jobs=1, cache=tmp / "cache1", label="cold, 1 process")
        print("  cold build, 2 processes", file=sys.stderr)
        t2, rss2, rc2 = build(raw, tmp / "out2", jobs=2, cache=tmp / "cache2", label="cold, 2 processes")
        same = rc1 == rc2 == 0 and _same_tables(tmp / "out1", tmp / "out2")
        print("  unchanged rebuild, then +1 % new files", file=sys.stderr)
        t_warm, _, _ = build(raw, tmp / "out1", jobs=1, cache=tmp / "cache1", label="unchanged, 1 process")
        n_new = max(1, args.n // 100)
        write_corpus(n_new, folder=tmp / "scale", start=args.n)
        t_inc1, _, _ = build(raw, tmp / "out1", jobs=1, cache=tmp / "cache1", label="+1 % files, 1 process")
        t_inc2, _, _ = build(raw, tmp / "out2", jobs=2, cache=tmp / "cache2", label="+1 % files, 2 processes")
        print("  TF-IDF + NMF on the problems parts", file=sys.stderr)
        tf_s, tf_docs = time_tfidf(tmp / "out1")
        tf_emb_s, tf_emb_docs = time_tfidf(tmp / "emb")
        shares = profile_parse(raw)
        print("  per-report steps against jieba.lcut, CPU time (bench/per_report.py)", file=sys.stderr)
        per = per_report.measure(raw, n=args.per_report_n)

        build_mbs = mb / t1
        fig.update(
            scale_mb=mb,
            jieba_mbs=jieba_mbs,
            cold1_s=t1,
            cold2_s=t2,
            rss1_mb=rss1,
            rss2_mb=rss2,
            build_mbs=build_mbs,
            ratio=build_mbs / jieba_mbs,
            speedup=t1 / t2,
            same_tables=same,
            unchanged_s=t_warm,
            incremental1_s=t_inc1,
            incremental2_s=t_inc2,
            n_new=n_new,
            tfidf_s=tf_s,
            tfidf_docs=tf_docs,
            tfidf_emb_s=tf_emb_s,
            parse_shares=shares,
            per_report=per,
        )
        label = f"synthetic {args.n:,}"
        rows += [
            ("build, 1 process (tokens included), MB/s", label, fmt(build_mbs), "", f"{mb:.1f} MB in {t1:.1f} s"),
            ("bare `jieba.lcut`, MB/s", label, fmt(jieba_mbs), "", f"{args.jieba_mb:g} MB even sample"),
            (
                "**build ÷ jieba.lcut**",
                label,
                fmt(build_mbs / jieba_mbs),
                "≥ 4",
                met(build_mbs / jieba_mbs >= TARGETS["ratio"]),
            ),
            (
                "**per-report steps ÷ jieba.lcut, CPU time**",
                f"synthetic, first {per['n']}",
                fmt(per["ratio"]),
                "≥ 4",
                met(per["ratio"] >= TARGETS["ratio"])
                + f" ({per['steps_ms']:.1f} ms against {per['ms']['jieba.lcut']:.1f} ms)",
            ),
            ("build, 2 processes, s", label, fmt(t2, 1), "", f"tables byte-identical to 1 process: {same}"),
            ("**speed-up, 2 processes over 1**", label, fmt(t1 / t2), "≥ 1.7", met(t1 / t2 >= TARGETS["speedup"])),
            ("rebuild, nothing changed (1 process), s", label, fmt(t_warm, 1), "", f"{t_warm / t1:.1%} of cold"),
            (
                f"**rebuild after +1 % files ({n_new} new), 1 process ÷ cold**",
                label,
                f"{t_inc1 / t1:.1%}",
                "< 5 %",
                met(t_inc1 / t1 < TARGETS["incremental"]) + f" ({t_inc1:.1f} s)",
            ),
            (
                "rebuild after +1 % files, 2 processes ÷ cold",
                label,
                f"{t_inc2 / t2:.1%}",
                "< 5 %",
                met(t_inc2 / t2 < TARGETS["incremental"]) + f" ({t_inc2:.1f} s)",
            ),
            ("TF-IDF + NMF (4 topics), problems parts, s", label, fmt(tf_s, 1), "", f"{tf_docs:,} documents"),
            (
                "TF-IDF + NMF (4 topics), problems parts, s",
                "embedded 5",
                fmt(tf_emb_s, 2),
                "",
                f"{tf_emb_docs} documents",
            ),
            (
                "**peak memory, build 1 process, GB**",
                label,
                fmt(rss1 / 1024),
                "< 2 (10,000 reports)",
                met(rss1 / 1024 < TARGETS["memory_gb"]) if args.n >= 10_000 else "n < 10,000: not the target size",
            ),
            ("peak memory, build 2 processes (largest process), GB", label, fmt(rss2 / 1024), "", ""),
        ]

        # ---- make reports on the embedded corpus
        if not args.skip_reports:
            print("  make reports (embedded corpus)", file=sys.stderr)
            # what `make reports` runs (fazhi report), with the tables and the output in the temp folder
            wall_r, _, rc = run(
                [
                    *FAZHI,
                    "report",
                    "--data",
                    str(tmp / "emb"),
                    "--out",
                    str(tmp / "reports"),
                    "--notebooks",
                    str(ROOT / "notebooks"),
                ]
            )
            fig.update(reports_s=wall_r, reports_rc=rc)
            rows.append(
                (
                    "**`make reports`, s**",
                    "embedded 5",
                    fmt(wall_r, 1),
                    "< 90",
                    met(wall_r < TARGETS["reports_s"]) + ("" if rc == 0 else f" (exit {rc}: a notebook failed)"),
                )
            )
        # ---- corpus-level stages: growth with the corpus (small files, bench/corpus_scale.py)
        if args.scale_sizes:
            sizes = sorted(args.scale_sizes)
            print(f"  corpus-level stages on {', '.join(f'{n:,}' for n in sizes)} small files", file=sys.stderr)
            scale = corpus_scale.scaling(
                sizes, folder=tmp / "small", log=lambda m: print(m, file=sys.stderr), code=CODE
            )
            fig["corpus_scale"] = scale
            first, last = scale[0], scale[-1]
            for stage in [k for k in first if k not in ("n", "reports", "peak_mb")]:
                growth = (last[stage] / first[stage]) / (last["n"] / first["n"])
                rows.append(
                    (
                        f"**{stage}: growth ÷ linear, {first['n']:,} → {last['n']:,} files**",
                        "synthetic small",
                        fmt(growth),
                        f"≤ {TARGETS['linear']:g}",
                        met(growth <= TARGETS["linear"]) + " (" + " / ".join(f"{r[stage]:.1f}" for r in scale) + " s)",
                    )
                )
            if all("peak_mb" in r for r in scale):  # issue 22: memory growing sub-linearly with the corpus
                growth = (last["peak_mb"] / first["peak_mb"]) / (last["n"] / first["n"])
                rows.append(
                    (
                        f"**peak memory: growth ÷ linear, {first['n']:,} → {last['n']:,} files**",
                        "synthetic small",
                        fmt(growth),
                        "< 1 (sub-linear)",
                        met(growth < 1) + " (" + " / ".join(f"{r['peak_mb'] / 1024:.2f}" for r in scale) + " GB)",
                    )
                )
        fig["load_avg_end"] = os.getloadavg()[0]
    finally:
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print(
        f"\nfazhi benchmark — {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {fig['load_avg_start']:.1f} → {fig['load_avg_end']:.1f}\n"
    )
    print("| measure | corpus | value | target | met / note |")
    print("|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print(
        "\nwhere one process spends its parsing time (cProfile, 60 synthetic files; tokens are in stage part_tokens_stage):\n"
    )
    print("| step | share |")
    print("|---|---|")
    for name, share in fig.get("parse_shares", []):
        print(f"| {name} | {share:.0%} |")
    if fig.get("per_report"):
        per = fig["per_report"]
        print(
            f"\nper report, CPU time of this process (time.process_time; {per['n']} synthetic reports of "
            f"{per['kb_per_report']:.1f} kB, median and best of {per['rounds']} rounds; bench/per_report.py):\n"
        )
        print("\n".join(per_report.table(per)))
    if PHASES:
        names = list(dict.fromkeys(k for phases in PHASES.values() for k in phases))
        print(
            "\nwhere each build of the synthetic corpus spends its time, seconds (`fazhi build --timings`; "
            "`files` = read + parse + report stages + tokens, or cache loads; with 2 processes and "
            "1,000+ reports the indicator panel is computed in a process of its own beside the scorecard, "
            "and its column is the time the build waited for it: pipeline/beside.py):\n"
        )
        print("| build | " + " | ".join(names) + " |")
        print("|---|" + "---|" * len(names))
        for label, phases in PHASES.items():
            print(f"| {label} | " + " | ".join(fmt(phases.get(n, float("nan")), 1) for n in names) + " |")
        fig["phases"] = PHASES
    if fig.get("corpus_scale"):
        print(
            "\ncorpus-level stages by corpus size (small synthetic files, CPU seconds of the build's main process, "
            f"the least of {corpus_scale.REPEAT} builds of each size; `× linear` = growth in time ÷ growth in files, "
            "first to last size; bench/corpus_scale.py):\n"
        )
        print("\n".join(corpus_scale.table(fig["corpus_scale"])))
    if args.json:
        Path(args.json).write_text(json.dumps(fig, indent=2, default=str), encoding="utf-8")
    return 0


def _same_tables(a: Path, b: Path) -> bool:
    """Every file the two builds wrote (whole tables, part files, manifest), byte for byte; caches aside."""

    def files(root: Path) -> list[str]:
        return sorted(
            p.relative_to(root).as_posix()
            for p in root.rglob("*")
            if p.is_file() and ".cache" not in p.relative_to(root).parts
        )

    names = files(a)
    if names != files(b):
        return False
    return all((a / f).read_bytes() == (b / f).read_bytes() for f in names)


if __name__ == "__main__":
    sys.exit(main())
