"""Every table of two `fazhi build` outputs equal (`pandas.testing.assert_frame_equal`), read back by
`fazhi_lib.load_corpus`; also every CSV file byte for byte.

`.venv/bin/python bench/compare_builds.py OUT_A OUT_B`: prints each table's rows and exits 1 at the first
difference.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    from fazhi_lib import load_corpus

    a_dir, b_dir = map(Path, (argv or sys.argv[1:])[:2])
    a, b = load_corpus(a_dir), load_corpus(b_dir)
    names = sorted(a.tables)
    if names != sorted(b.tables):
        print(f"different tables: {names} vs {sorted(b.tables)}")
        return 1
    for name in names:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])
        print(f"{name}: {len(a.tables[name])} rows equal")
    csvs = sorted(p.name for p in a_dir.glob("*.csv"))
    for name in csvs:
        if (a_dir / name).read_bytes() != (b_dir / name).read_bytes():
            print(f"{name}: bytes differ")
            return 1
    print(f"{len(names)} tables equal; {len(csvs)} CSV files byte-identical")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
