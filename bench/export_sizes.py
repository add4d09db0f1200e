"""Size and time of each `fazhi export` format for a built folder (figures for the README / reports).

.venv/bin/python bench/export_sizes.py data/processed /tmp/export-sizes
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fazhi_lib.export import FORMATS, export  # noqa: E402


def main(processed: str, out: str) -> None:
    tables = sum(p.stat().st_size for p in Path(processed).glob("*.parquet"))
    print(f"{'tables (parquet)':18s} {tables / 1e6:9.2f} MB")
    for fmt in FORMATS:
        clock = time.perf_counter()
        result = export(processed, Path(out) / fmt, formats=[fmt])
        size = sum(v for k, v in result.files.items() if k != "export_notes.md")
        print(f"{fmt:18s} {size / 1e6:9.2f} MB {time.perf_counter() - clock:7.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
