"""The indicator panel of a build reads only the rows it needs from the `indicators` parts
(`indicators.panel_rows`): the same panel as from every row."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from fazhi_lib.indicators import _panel, indicators_frame, panel_rows


def _mentions() -> pd.DataFrame:
    rows = [  # report, mention, indicator, kind, value, unit
        ("r1", 1, "mediation_cases", "count", 120.0, "件"),
        ("r1", 2, "mediation_cases", "count", 80.0, "起"),
        ("r1", 3, "", "count", 5.0, "个"),  # no code
        ("r1", 4, "mediation_cases", "change", 0.45, "%"),  # a change, not a level
        ("r2", 1, "mediation_cases", "count", None, "件"),  # no value
        ("r2", 2, "mediation_cases", "count", float("nan"), "件"),
        ("r2", 3, None, "count", 7.0, "件"),
        ("r2", 4, "mediation_cases", None, 9.0, "件"),
        ("r2", 5, "mediation_cases", "count", 30.0, "件"),
    ]
    df = pd.DataFrame(rows, columns=["report_id", "mention_no", "indicator", "kind", "value", "unit"])
    df["sentence"] = "调解案件120件、80起。"
    df["raw"] = df["value"].astype(str)
    df["start"] = 0
    return df


def test_panel_rows_keeps_the_coded_levels_with_a_value():
    mask = panel_rows(pa.Table.from_pandas(_mentions(), preserve_index=False))
    assert mask.tolist() == [True, True, False, False, False, False, False, False, True]


def test_the_panel_of_the_kept_rows_is_the_panel_of_every_row():
    df = _mentions()
    reports = pd.DataFrame(
        {
            "report_id": ["r1", "r2"],
            "issuer": ["甲镇", None],
            "report_year": [2024, 2024],
            "level": ["镇", "镇"],
            "source_file": ["a.txt", "b.txt"],
        }  # fmt: skip
    )
    every = _panel(indicators_frame(df), reports)
    kept = _panel(indicators_frame(df[panel_rows(pa.Table.from_pandas(df, preserve_index=False))]), reports)
    pd.testing.assert_frame_equal(every, kept)
    assert every["issuer"].tolist() == ["b.txt", "甲镇"] and every["n_mentions"].tolist() == [1, 2]


def test_panel_rows_keeps_every_row_of_a_table_it_cannot_read():
    assert panel_rows(pa.table({"report_id": ["r1", "r2"]})).tolist() == [True, True]


def test_a_filtered_read_of_parts_keeps_what_filtering_the_whole_table_keeps(tmp_path):
    """`read_table(filter_kind=…)` filters each part as it is read (its other rows let go at once):
    the same rows, in the same order, as filtering the table stacked from every part."""
    import pyarrow.parquet as pq

    from fazhi_lib.parts import Part, PartSet

    df = _mentions()
    (tmp_path / "indicators").mkdir()
    parts = []
    for k, piece in enumerate([df.iloc[5:], df.iloc[:2], df.iloc[2:5]]):  # r2's rows first: sorting matters
        pq.write_table(pa.Table.from_pandas(piece, preserve_index=False), tmp_path / "indicators" / f"p{k}.parquet")
        parts.append(Part(f"p{k}", [[f"f{k}.txt", "0" * 64]], {"indicators": [len(piece)]}, tmp_path))
    store = PartSet(parts, {"indicators": ["report_id", "mention_no"]})
    for sort in (False, True):
        every = store.read("indicators", sort=sort)
        kept = store.read("indicators", sort=sort, filter_kind=panel_rows)
        expected = every[panel_rows(pa.Table.from_pandas(every, preserve_index=False))].reset_index(drop=True)
        pd.testing.assert_frame_equal(kept, expected)
        assert len(kept) == 3
    assert store.read("indicators", filter_kind=panel_rows)["value"].tolist() == [120.0, 80.0, 30.0]
