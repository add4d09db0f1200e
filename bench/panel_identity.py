"""The indicator panel of a built output folder computed by this fazhi_lib (`stream._panel`, cold) and by
main's code kept in tests/panel_reference.py: frames equal, Parquet bytes equal, and equal to the build's
own `indicator_panel.parquet`; prints the CPU seconds of each.

    .venv/bin/python bench/panel_identity.py OUT
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def _bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    import panel_reference as ref

    from fazhi_lib.indicators import indicator_panel_stage
    from fazhi_lib.parts import read_layout
    from fazhi_lib.pipeline import stream

    out = Path((argv or sys.argv[1:])[0])
    store, reports = read_layout(out), pd.read_parquet(out / "reports.parquet")
    t = time.process_time()
    new = stream._panel(indicator_panel_stage, store, reports, {})["indicator_panel"]
    t_new, t = time.process_time() - t, time.process_time()
    old = ref.stream_panel(ref.reference_stage, store, reports, {})["indicator_panel"]
    t_old = time.process_time() - t
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    assert _bytes(new) == _bytes(old), "Parquet bytes differ"
    pd.testing.assert_frame_equal(new, pd.read_parquet(out / "indicator_panel.parquet"), check_dtype=False)
    print(f"identical: {len(new)} rows; CPU s this {t_new:.2f}, main's {t_old:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
