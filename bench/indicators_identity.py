"""Check that this checkout's indicator extraction gives exactly what another checkout's gives.

`.venv/bin/python bench/indicators_identity.py --old /work/main [--n 300] [--raw DIR ...]`

Loads the other checkout's `fazhi_lib/indicators.py` beside this one (`indicators_bench.load_other`) and
compares, report by report: the rows of `indicators_stage`, and `extract_numbers(..., include_traps=True)`
on every section text and on the whole text (every trap and its reason, not only the kept numbers). The
reports: `--n` synthetic ones (bench/synthetic.py), the same in traditional characters (OpenCC s2t), and
the files of each `--raw` folder. Also cut pieces of the texts (every line alone, and each text with its
characters' width changed: ASCII digits as full-width) are compared with `extract_numbers`. Prints the
number of reports, rows and mentions compared; exits 1 at the first difference.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from dataclasses import astuple
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from indicators_bench import load_other  # noqa: E402
from synthetic import write_corpus  # noqa: E402

_WIDE = str.maketrans({str(i): chr(0xFF10 + i) for i in range(10)} | {"%": "％", ".": "．"})


def _docs(paths: list[Path]) -> list:
    from fazhi_lib.load import LoadError, read_document
    from fazhi_lib.parse import parse_page
    from fazhi_lib.places import place_stage

    out = []
    for path in paths:
        try:
            loaded = read_document(path)
        except (LoadError, OSError):
            continue
        doc = parse_page(loaded.text, source_file=path.name, sha256=loaded.sha256).document
        place_stage(doc)
        out.append(doc)
    return out


def compare(new, old, docs: list, label: str, *, pieces: bool = True) -> int:
    n_rows = n_mentions = 0
    for doc in docs:
        a, b = new.indicators_stage(doc), old.indicators_stage(doc)
        if a != b:
            raise SystemExit(f"{label}: indicators_stage differs for {doc.report_id}")
        n_rows += len(a["indicators"])
        texts = [sec["text"] for sec in doc.sections] + [getattr(doc, "text", "") or ""]
        if pieces:
            texts += [line for line in texts[-1].split("\n") if line.strip()]
            texts += [texts[-1].translate(_WIDE)]
        for text in texts:
            x = [
                astuple(m)
                for m in new.extract_numbers(text, include_traps=True, report_id="r", section_kind="k", offset=3)
            ]
            y = [
                astuple(m)
                for m in old.extract_numbers(text, include_traps=True, report_id="r", section_kind="k", offset=3)
            ]
            if x != y:
                raise SystemExit(f"{label}: extract_numbers differs for {doc.report_id} on {text[:80]!r}")
            n_mentions += len(x)
    print(f"{label}: {len(docs)} reports, {n_rows} rows, {n_mentions} mentions (with traps): identical")
    return n_rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", required=True)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--raw", action="append", default=[])
    args = ap.parse_args(argv)
    from fazhi_lib import indicators
    from fazhi_lib.convert import t2s  # noqa: F401  (OpenCC is installed)

    old = load_other(Path(args.old))
    tmp = Path(tempfile.mkdtemp(prefix="fazhi-bench-synthetic-"))
    try:
        raw = write_corpus(args.n, folder=tmp, raw_dir=ROOT / "data" / "raw")
        paths = sorted(raw.glob("*.txt"))
        compare(indicators, old, _docs(paths), "synthetic")
        import opencc

        s2t = opencc.OpenCC("s2t")
        trad = tmp / "traditional"
        trad.mkdir()
        for path in paths[:100]:
            (trad / path.name).write_text(s2t.convert(path.read_text(encoding="utf-8")), encoding="utf-8")
        compare(indicators, old, _docs(sorted(trad.glob("*.txt"))), "synthetic, traditional")
        for folder in args.raw:
            compare(indicators, old, _docs(sorted(p for p in Path(folder).rglob("*") if p.is_file())), folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
