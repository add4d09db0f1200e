"""Near copies in one large issuer-and-year group (issue 22): CPU seconds of `find_duplicates` and × linear
as the group grows, this code against another revision's (`--ref`, default main) in the same run.

Nationally an issuer's short name repeats (every county has a 司法局, hundreds of towns are 城关镇), so
one (issuer, year) holds thousands of reports; bench/synthetic.py keeps such groups tiny. Here each
size is one group whose reports take sentences from a template (as county reports do) and have their
own, with copies (the same bytes, truncated, a few sentences changed) among them:

    .venv/bin/python bench/near_copies_scale.py                 # 500 1000 2000 4000, against main
    .venv/bin/python bench/near_copies_scale.py --sizes 500,1000 --ref none

Columns: `floor` is the least an exact search does (every sentence set made, each sentence counted),
whose × linear is the machine's (larger hash tables, fewer cache hits); `cold` is a build from the texts; `rebuild` a build where the group has not changed (the last
build's shares given; this code: the group settled, no text read; `--ref`: the shares of every pair measured);
`shares` the pairs the cache keeps. × linear: (seconds / seconds at the first size) / (size / first size).
The duplicates found are checked equal between the two revisions.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fazhi_lib.pipeline import assemble  # noqa: E402

_HAN = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]


def _sentence(rng: random.Random) -> str:
    return "".join(rng.choice(_HAN) for _ in range(rng.randint(10, 30)))


def group(size: int, *, seed: int = 0, issuer: str = "司法局", year: int = 2024) -> list:
    """`size` reports of one issuer and year: 15–35 of a 60-sentence template and 8–40 of their own;
    one in 30 an exact copy, a truncated copy or a copy with 1–3 sentences changed of an earlier one."""
    rng = random.Random(seed)
    template = [_sentence(rng) for _ in range(60)]
    bodies, records = [], []
    for i in range(size):
        name = f"{issuer}_{year}_{i:05d}.txt"
        sha = f"{seed:04d}{i:060d}"
        if bodies and rng.random() < 1 / 30:
            j = rng.randrange(len(bodies))
            how = rng.choice(["bytes", "truncated", "changed"])
            body = list(bodies[j])
            if how == "bytes":
                sha = records[j].report["sha256"]
            elif how == "truncated":
                body = body[: int(len(body) * rng.uniform(0.4, 0.9)) or 1]
            else:
                for k in rng.sample(range(len(body)), min(len(body), rng.randint(1, 3))):
                    body[k] = _sentence(rng)
        else:
            body = rng.sample(template, rng.randint(15, 35)) + [_sentence(rng) for _ in range(rng.randint(8, 40))]
            rng.shuffle(body)
        bodies.append(body)
        report = {
            "sha256": sha,
            "issuer": issuer,
            "report_year": year,
            "part_kinds": "achievements,problems,plan",
            "converted_from": None,
            "format": "txt",
            "encoding": "utf-8",
        }
        records.append(assemble._Stacked(name, report, "。".join(body) + "。"))
    return records


def revision(ref: str):
    """fazhi_lib.pipeline.assemble as it is at git revision `ref`, imported beside this one."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{ref}:fazhi_lib/pipeline/assemble.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    name = f"fazhi_lib.pipeline._assemble_{ref.replace('/', '_')}"
    spec = importlib.util.spec_from_loader(name, loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "fazhi_lib.pipeline"
    exec(compile(source, f"{ref}:assemble.py", "exec"), module.__dict__)
    sys.modules[name] = module
    return module


def cpu(fn):
    start = time.process_time()
    out = fn()
    return time.process_time() - start, out


def floor(records, repeat: int) -> float:
    """CPU seconds of the least an exact search does: every text's sentence set, each sentence counted
    (the least of `repeat` runs). Its × linear is the machine's (memory), not the method's."""
    texts = [r.tables["texts"][0]["text"] for r in records]

    def work():
        held = Counter()
        for text in texts:
            held.update(assemble._sentences(text))

    return min(cpu(work)[0] for _ in range(repeat))


def run(module, records, *, new: bool, repeat: int = 1) -> dict:
    """CPU seconds of a cold build and of a rebuild of the unchanged group, with `module`'s code (the
    least of `repeat` runs: the machine is shared)."""
    runs = [_run(module, records, new=new) for _ in range(repeat)]
    return {**runs[0], "cold": min(r["cold"] for r in runs), "rebuild": min(r["rebuild"] for r in runs)}


def _run(module, records, *, new: bool) -> dict:
    texts = {r.source_file: r.tables["texts"][0]["text"] for r in records}
    keys = {f: assemble.text_key(t) for f, t in texts.items()}
    lengths = {f: len(t) for f, t in texts.items()}
    shares: dict = {}
    cold, found = cpu(
        lambda: module.find_duplicates(records, text_of=texts, text_keys=keys, lengths=lengths, shares=shares)
    )
    kept = len(shares)
    unread = {}  # this code's rebuild reads no text of a settled group

    if new:
        settled = assemble.settled_groups(records, records, {r.source_file for r in records})

        def rebuild():
            assert not module.near_copy_candidates(records, settled=settled)
            return module.find_duplicates(
                records, text_of=unread, text_keys=keys, lengths=lengths, shares=shares, settled=settled
            )
    else:

        def rebuild():  # (the pairs never measured, being copies already, are texts to read)
            wanted = module.near_copy_candidates(records, shares)
            text_of = {f: texts[f] for f in wanted}
            return module.find_duplicates(records, text_of=text_of, text_keys=keys, lengths=lengths, shares=shares)

    again, found_again = cpu(rebuild)
    assert found_again == found
    return {"cold": cold, "rebuild": again, "shares": kept, "found": found}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,1000,2000,4000")
    parser.add_argument("--ref", default="main", help="git revision to compare with, or none")
    parser.add_argument("--repeat", type=int, default=3, help="runs of this code per size (the least taken)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    other = revision(args.ref) if args.ref != "none" else None
    print(
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; CPU seconds (× linear from {sizes[0]}; this code: least of {args.repeat} runs)"
    )
    header = f"{'size':>6} {'dups':>5} | {'floor':>6} {'×lin':>5} | {'cold':>8} {'×lin':>5} {'rebuild':>8} {'×lin':>5} {'shares':>8}"
    print(
        header + (f" | {args.ref}: {'cold':>8} {'×lin':>5} {'rebuild':>8} {'×lin':>5} {'shares':>8}" if other else "")
    )
    base: dict = {}
    for n in sizes:
        records = group(n)
        row = {"new": run(assemble, records, new=True, repeat=args.repeat)}
        if other is not None:
            row["ref"] = run(other, records, new=False)
            assert row["ref"]["found"] == row["new"]["found"], f"{n}: the duplicates differ from {args.ref}'s"
        least = floor(records, args.repeat)
        b = base.setdefault("floor", (n, least))
        cells = [f"{n:>6} {len(row['new']['found']):>5}", f"{least:6.2f} {least / b[1] / (n / b[0]):5.2f}"]
        for side in row:
            r = row[side]
            b = base.setdefault(side, (n, r["cold"], r["rebuild"]))
            lin = [(r[k] / max(b[i], 1e-9)) / (n / b[0]) for i, k in ((1, "cold"), (2, "rebuild"))]
            prefix = f"{args.ref}: " if side == "ref" else ""
            cells.append(f"{prefix}{r['cold']:8.2f} {lin[0]:5.2f} {r['rebuild']:8.3f} {lin[1]:5.2f} {r['shares']:>8}")
        print(" | ".join(cells), flush=True)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
