"""A table's files do not depend on how its rows were stacked: the whole tables (reports, parse_log)
are stacked from batches, in another number of pieces with 1 worker than with 2, and Parquet's pages
follow the pieces of the Arrow columns it is given — a text column whose dictionary outgrows its page
fell back to plain encoding at another row, so the same rows gave other bytes (10,000 reports)."""

import pandas as pd
import pyarrow as pa

from fazhi_lib.parts import write_table


def test_the_same_rows_stacked_from_other_pieces_give_the_same_bytes(tmp_path):
    rows = [f"警告{i}" * 40 for i in range(10_000)]  # distinct long texts: a dictionary of more than 1 MB
    by_500 = pd.concat([pd.DataFrame({"w": rows[j : j + 500]}) for j in range(0, 10_000, 500)], ignore_index=True)
    by_1250 = pd.concat([pd.DataFrame({"w": rows[j : j + 1250]}) for j in range(0, 10_000, 1250)], ignore_index=True)
    chunks = {pa.Table.from_pandas(df).column(0).num_chunks for df in (by_500, by_1250)}
    write_table(by_500, tmp_path / "a")
    write_table(by_1250, tmp_path / "b")
    assert len(chunks) == 2 or chunks == {1}  # (stacked in pieces where pandas keeps Arrow's chunks)
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
