"""The indicator panel read piece by piece as numbers (`indicators._panel_of`, issue 22) gives main's panel
(tests/panel_reference.py, kept verbatim) on randomised mention tables: NA years, reports without an
issuer (keyed by their file), several units, approximate and bound figures, sub-counts listed together,
a report_id twice in `reports`, mentions of no report, a report split over two pieces, and the
incremental rebuild of `stream._panel`."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from panel_reference import _panel as reference_panel
from panel_reference import reference_stage, stream_panel

from fazhi_lib.indicators import _panel, _panel_of, indicator_panel_stage, indicators_frame, panel_rows
from fazhi_lib.parts import Part, PartSet
from fazhi_lib.pipeline import stream

CODES = ["enforcement_certificates", "shared_courts", "disputes_resolved", "legal_education_reach", ""]
UNITS = ["个", "人", "本", "处", "件", "起", "%", "人次"]
COLUMNS = ["report_id", "mention_no", "indicator", "label", "value", "unit", "kind", "approx", "bound", "parent_no",
           "sentence", "raw", "start"]  # fmt: skip
SEPARATORS = ["、", "和", "及", "，", "。", "；", "村社级", "特色"]


def _mentions(rng: np.random.Generator, report_id: str) -> list[dict]:
    """One report's mentions: sentences of figures, some listed together (、/和/及), some sub-counts."""
    rows, offset, no = [], 0, 0
    for _ in range(rng.integers(0, 4)):
        code = str(rng.choice(CODES))
        sentence, spans = "", []
        for _ in range(rng.integers(1, 5)):
            value = float(rng.choice([0, 2, 7, 29, 29, 31, 1300, 0.5]))
            raw = f"{value:g}{rng.choice(UNITS)}"
            spans.append((len(sentence), raw, value))
            sentence += raw + str(rng.choice(SEPARATORS))
        for pos, raw, value in spans:
            no += 1
            unit = raw.lstrip("0123456789.")
            rows.append({
                "report_id": report_id, "mention_no": no, "indicator": code if rng.random() > 0.1 else str(rng.choice(CODES)),
                "label": {"": ""}.get(code, f"标签{code[:3]}"), "value": value if rng.random() > 0.05 else None,
                "unit": unit, "kind": str(rng.choice(["count", "count", "rate", "change"])),
                "approx": str(rng.choice(["", "", "余", "约"])), "bound": str(rng.choice(["", "", "min", "max"])),
                "parent_no": no - 1 if no > 1 and rng.random() < 0.15 else None,
                "sentence": sentence if rng.random() > 0.05 else sentence + "。", "raw": raw, "start": offset + pos,
            })  # fmt: skip
        offset += len(sentence) + 7
    return rows


def _corpus(seed: int, *, twice: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(raw `indicators` rows in report order, `reports`): some issuers and years missing or shared."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 14))
    reports = pd.DataFrame({
        "report_id": [f"r{k:02d}{rng.integers(0, 99):02d}" for k in range(n)],
        "issuer": [rng.choice(["甲镇", "乙街道", None, "丙乡"]) for _ in range(n)],
        "report_year": pd.array([rng.choice([2022, 2023, None]) for _ in range(n)], dtype="Int64"),
        "level": [rng.choice(["township", "subdistrict"]) for _ in range(n)],
        "source_file": [f"f{k:02d}.txt" for k in range(n)],
    })  # fmt: skip
    rows = [m for rid in reports["report_id"] for m in _mentions(rng, rid)]
    rows += _mentions(rng, "nobody")  # mentions of no report
    if twice:  # a report_id held by two rows of `reports` (merged twice: main's panel counts it twice)
        extra = reports.iloc[[0]].assign(issuer="丁镇", source_file="f99.txt")
        reports = pd.concat([reports, extra, reports.iloc[[1]]], ignore_index=True)
    ind = pd.DataFrame(rows, columns=COLUMNS)
    return ind, reports.sample(frac=1, random_state=seed).reset_index(drop=True)


def _by_report(ind: pd.DataFrame, rng: np.random.Generator) -> list[pd.DataFrame]:
    """The rows cut into pieces between reports (as parts hold whole files)."""
    ids = ind["report_id"].unique().tolist()
    cuts = sorted(rng.choice(len(ids) + 1, size=min(3, len(ids)), replace=False).tolist())
    groups = np.split(np.array(ids, dtype=object), cuts)
    return [ind[ind["report_id"].isin(g)] for g in groups if len(g)]


def _bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf)
    return buf.getvalue()


def _same(new: pd.DataFrame, old: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    assert _bytes(new) == _bytes(old)


@pytest.mark.parametrize("seed", range(40))
def test_the_panel_is_mains_panel(seed):
    ind, reports = _corpus(seed, twice=seed % 5 == 4)
    old = reference_panel(indicators_frame(ind), reports)
    _same(_panel(indicators_frame(ind), reports), old)
    pieces = _by_report(ind, np.random.default_rng(seed))
    _same(_panel_of(lambda: pieces, reports), old)  # raw pieces, tidied one by one
    if seed % 3 == 0 and len(ind) > 3:  # a report's rows in two pieces: read again as one
        _same(_panel_of(lambda: [ind.iloc[: len(ind) // 2], ind.iloc[len(ind) // 2 :]], reports), old)


def test_the_random_tables_hold_the_cases_they_are_for():
    """(so that the comparison above can fail where it matters)"""
    panels = [reference_panel(indicators_frame(ind), reports) for ind, reports in map(_corpus, range(40))]
    panel = pd.concat(panels, ignore_index=True)
    assert panel["report_year"].isna().any() and panel["issuer"].str.endswith(".txt").any()
    assert (panel["total"] > panel["value"]).sum() > 5  # sub-counts listed together
    assert panel["disagree"].sum() > 20 and (~panel["disagree"] & panel["values"].str.contains(";")).any()
    assert panel["values"].str.contains("≥|≤|~").any() and (panel["approx"] != "").any()
    assert (panel["bound"] != "").any() and (panel["n_reports"] > 1).any()


def test_a_report_split_over_pieces_is_read_again_as_one():
    ind, reports = _corpus(3)
    calls = []

    def frames():
        calls.append(1)
        return [ind.iloc[:5], ind.iloc[5:]]

    _same(_panel_of(frames, reports), reference_panel(indicators_frame(ind), reports))
    assert len(calls) == 2
    calls.clear()
    _panel_of(lambda: calls.append(1) or _by_report(ind, np.random.default_rng(1)), reports)
    assert len(calls) == 1  # whole reports: each piece read once


def test_the_panel_of_nothing():
    ind, reports = _corpus(1)
    _same(_panel_of(lambda: [], reports), reference_panel(indicators_frame(None), reports))
    _same(_panel_of(lambda: [ind], reports.iloc[:0]), reference_panel(indicators_frame(ind), reports.iloc[:0]))
    _same(_panel_of(lambda: [ind.iloc[:0]], reports), reference_panel(indicators_frame(ind.iloc[:0]), reports))


def _store(tmp_path, ind: pd.DataFrame, reports: pd.DataFrame, name: str) -> PartSet:
    """`ind` written as parts of a few files each (their reports' rows), as a build lays them out."""
    folder = tmp_path / name
    (folder / "indicators").mkdir(parents=True)
    parts = []
    files = reports.drop_duplicates("report_id")[["report_id", "source_file"]].sort_values("source_file")
    for k, chunk in enumerate(np.array_split(files.to_numpy(), 3)):
        rows = ind[ind["report_id"].isin(chunk[:, 0])]
        pq.write_table(pa.Table.from_pandas(rows, preserve_index=False), folder / "indicators" / f"p{k}.parquet")
        counts = [int((rows["report_id"] == rid).sum()) for rid in chunk[:, 0]]
        parts.append(Part(f"p{k}", [[f, "0" * 64] for f in chunk[:, 1]], {"indicators": counts}, folder))
    return PartSet(parts, {"indicators": ["report_id", "mention_no"]})


@pytest.mark.parametrize("seed", range(12))
def test_a_build_and_a_rebuild_give_mains_panel(tmp_path, seed):
    """Cold (every part) and incremental (`last`: the cells of issuer-years that gained or lost a report
    are computed again): the panel of main's `stream._panel`, and the rebuild's equals a cold build's."""
    ind, reports = _corpus(seed)
    ind = indicators_frame(ind)  # (a build's parts hold tidied rows)
    store = _store(tmp_path, ind, reports, "a")
    cold = stream._panel(indicator_panel_stage, store, reports, {})["indicator_panel"]
    _same(cold, stream_panel(reference_stage, store, reports, {})["indicator_panel"])
    # the next build: a report's year changed, one report gone, one new
    rng = np.random.default_rng(seed + 100)
    now = reports.copy()
    now.loc[0, "report_year"] = pd.NA if pd.notna(now.loc[0, "report_year"]) else 2024
    now = now.drop(index=len(now) - 1)
    new_id = "rnew"
    now = pd.concat([now, pd.DataFrame({"report_id": [new_id], "issuer": [now.loc[1, "issuer"]],
                                        "report_year": pd.array([now.loc[1, "report_year"]], dtype="Int64"),
                                        "level": ["township"], "source_file": ["fnew.txt"]})], ignore_index=True)  # fmt: skip
    now_ind = pd.concat(
        [ind, indicators_frame(pd.DataFrame(_mentions(rng, new_id), columns=COLUMNS))], ignore_index=True
    )
    now_ind = now_ind[now_ind["report_id"].isin(now["report_id"])]
    store = _store(tmp_path, now_ind, now, "b")
    last = {"indicator_panel": cold, "reports": reports}
    again = stream._panel(indicator_panel_stage, store, now, last)["indicator_panel"]
    _same(again, stream_panel(reference_stage, store, now, last)["indicator_panel"])
    _same(again, stream._panel(indicator_panel_stage, store, now, {})["indicator_panel"])


def test_the_filtered_read_keeps_what_the_panel_reads():
    ind, reports = _corpus(7)
    kept = ind[panel_rows(pa.Table.from_pandas(ind, preserve_index=False))]
    _same(_panel_of(lambda: [kept], reports), _panel_of(lambda: [ind], reports))


def test_a_build_reads_the_indicators_parts_one_at_a_time(tmp_path, monkeypatch):
    """No whole `indicators` table is stacked for the panel (`read_table`): each part is read and let go."""
    import fazhi_lib.parts

    ind, reports = _corpus(5)
    store = _store(tmp_path, indicators_frame(ind), reports, "a")
    expected = stream_panel(reference_stage, store, reports, {})["indicator_panel"]
    read = []

    def read_part(part, *args, **kwargs):
        read.append(part.name)
        return real(part, *args, **kwargs)

    def whole(*args, **kwargs):
        raise AssertionError("the whole table read")

    real = fazhi_lib.parts.read_part
    monkeypatch.setattr(fazhi_lib.parts, "read_part", read_part)
    monkeypatch.setattr(fazhi_lib.parts, "read_table", whole)
    _same(stream._panel(indicator_panel_stage, store, reports, {})["indicator_panel"], expected)
    assert read == ["p0", "p1", "p2"]
