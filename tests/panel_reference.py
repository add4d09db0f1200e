"""main's indicator panel (fazhi_lib/indicators.py `_panel`, `_cell_totals`; pipeline/stream.py `_panel`,
`_cell_keys`) before issue 22, kept verbatim as the plain reference the faster panel is checked against."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from fazhi_lib.indicators import (
    _BOUND_MARKS,
    _PANEL_INPUTS,
    LEVEL_KINDS,
    PANEL_COLUMNS,
    _fmt,
    _listed_together,
    _panel_dtypes,
    _synonymous,
    _unit_synonyms,
    indicators_frame,
    panel_rows,
)
from fazhi_lib.parts import PartSet

_PANEL_TEXT = ["report_id", "indicator", "label", "unit", "approx", "bound", "sentence", "raw"]


def reference_stage(tables: dict) -> dict:
    """main's `indicator_panel_stage`."""
    indicators = indicators_frame(tables.get("indicators"))
    return {"indicators": indicators, "indicator_panel": _panel(indicators, tables.get("reports"))}


def _cell_totals(ind: pd.DataFrame, cell: np.ndarray, n_cells: int) -> tuple[np.ndarray, np.ndarray]:
    """Per cell: the largest value or sum of sub-counts listed together (see `indicator_panel`), and
    how many different figures the cell's statements give (a list of sub-counts is one statement, of
    its sum; a sub-count introduced by 其中 is none). `ind` is sorted by cell, report_id, mention_no;
    `cell` its cell numbers."""
    value = ind["value"].to_numpy(dtype=float)
    part = ind["parent_no"].isna().to_numpy()  # a sub-count (其中) is inside its total already
    mention = ind["mention_no"].to_numpy(dtype=np.int64)
    report = pd.factorize(ind["report_id"])[0]
    candidate = np.zeros(len(ind), dtype=bool)  # row i joins the list of row i - 1
    if len(ind) > 1:
        candidate[1:] = ((cell[1:] == cell[:-1]) & (report[1:] == report[:-1])
                         & (mention[1:] == mention[:-1] + 1) & part[1:] & part[:-1])  # fmt: skip
    starts, raws, sents = ind["start"].tolist(), ind["raw"].tolist(), ind["sentence"].tolist()
    for i in np.flatnonzero(candidate).tolist():
        candidate[i] = sents[i] == sents[i - 1] and _listed_together(
            starts[i - 1], raws[i - 1], starts[i], raws[i], sents[i]
        )
    chain = np.cumsum(~candidate) - 1
    sums = np.bincount(chain, weights=np.where(part, value, 0.0))
    chain_cell = cell[np.r_[True, ~candidate[1:]]] if len(ind) else cell
    totals = np.full(n_cells, -np.inf)
    np.maximum.at(totals, cell, value)
    np.maximum.at(totals, chain_cell, sums)
    chain_part = np.bincount(chain, weights=part.astype(float)) > 0
    said = pd.DataFrame({"cell": chain_cell[chain_part], "sum": sums[chain_part]}).drop_duplicates()
    return totals, np.bincount(said["cell"].to_numpy(dtype=np.int64), minlength=n_cells)


def _panel(ind: pd.DataFrame, reports: pd.DataFrame | None) -> pd.DataFrame:
    """`indicator_panel` of an `indicators_frame`, for all cells at once: the mentions are sorted
    cell by cell, and each cell's figures are reductions over its run of rows (numpy `reduceat`)."""
    coded_levels = (ind["indicator"] != "") & ind["kind"].isin(LEVEL_KINDS) & ind["value"].notna()
    ind = ind.loc[coded_levels, _PANEL_INPUTS]
    if ind.empty or reports is None or reports.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in PANEL_COLUMNS}).pipe(_panel_dtypes)
    # text columns as Python strings: the merge and sorts below move pointers, not the strings' bytes
    ind = ind.assign(
        **{c: pd.Series(ind[c].to_numpy(dtype=object), index=ind.index, dtype=object) for c in _PANEL_TEXT}
    )
    who = reports[["report_id", "issuer", "report_year", "level", "source_file"]].copy()
    who["issuer"] = who["issuer"].fillna(who["source_file"])
    ind = ind.merge(who.drop(columns="source_file"), on="report_id", how="inner")
    keys = ["issuer", "report_year", "indicator"]
    ind["cell"] = ind.groupby(keys, sort=True, dropna=False).ngroup()
    ind = ind.sort_values(["cell", "report_id", "mention_no"], kind="stable", ignore_index=True)

    cell = ind["cell"].to_numpy()
    starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])  # each cell's first row
    ends = np.r_[starts[1:], len(cell)]
    cell_of = np.repeat(np.arange(len(starts)), ends - starts)  # row → its cell's number
    value = ind["value"].to_numpy(dtype=float)
    unit, unit_names = pd.factorize(ind["unit"], sort=True)  # codes that sort as the units do
    bound = pd.factorize(ind["bound"])[0]
    best = np.maximum.reduceat(value, starts)
    at_top = value == best[cell_of]
    top = np.minimum.reduceat(np.where(at_top, np.arange(len(value)), len(value)), starts)  # 1st row giving it
    # approx: '' when some mention gives the top value without 余/约; bound: kept when they all agree
    exact = np.logical_or.reduceat(at_top & (ind["approx"] == "").to_numpy(bool), starts)
    one_bound = ~np.logical_or.reduceat(at_top & (bound != bound[top][cell_of]), starts)

    report = pd.factorize(ind["report_id"])[0]
    new_report = np.r_[True, report[1:] != report[:-1]]
    new_report[starts] = True
    ids = ind["report_id"][new_report].tolist()  # each cell's reports, once each, sorted
    id_ends = np.cumsum(np.add.reduceat(new_report, starts))
    id_starts = np.r_[0, id_ends[:-1]]
    refs = (ind["report_id"] + "#" + ind["mention_no"].astype(str)).tolist()

    # each cell's distinct (value, unit, ≥/≤/~), sorted as Python sorts these tuples
    mark, mark_names = pd.factorize(  # as _qualifier
        ind["bound"].map(_BOUND_MARKS).fillna("") + np.where(ind["approx"] != "", "~", ""), sort=True
    )
    distinct = pd.DataFrame({"cell": cell_of, "value": value, "unit": unit, "mark": mark})
    distinct = distinct.drop_duplicates().sort_values(["cell", "value", "unit", "mark"], kind="stable")
    unit_names, mark_names = unit_names.tolist(), mark_names.tolist()
    shown = [f"{mark_names[q]}{_fmt(v)} {unit_names[u]}"
             for v, u, q in zip(*(distinct[c].tolist() for c in ("value", "unit", "mark")))]  # fmt: skip
    shown_ends = np.cumsum(np.bincount(distinct["cell"], minlength=len(starts)))
    shown_starts = np.r_[0, shown_ends[:-1]]
    # units that are not synonyms for the indicator (the same number as 40本 and 40人 agrees)
    synonyms = _unit_synonyms()
    cell_units = distinct.drop_duplicates(["cell", "unit"])  # (in cell order)
    odd_units = np.zeros(len(starts), dtype=bool)
    codes = ind["indicator"].to_numpy(dtype=object)[starts]
    unit_cell, unit_code = cell_units["cell"].to_numpy(), cell_units["unit"].tolist()
    unit_ends = np.cumsum(np.bincount(unit_cell, minlength=len(starts)))
    for c in np.flatnonzero(np.diff(np.r_[0, unit_ends]) > 1).tolist():  # cells of more than one unit
        names = {unit_names[u] for u in unit_code[unit_ends[c - 1] if c else 0 : unit_ends[c]]}
        odd_units[c] = not _synonymous(names, synonyms.get(codes[c], []))
    totals, n_figures = _cell_totals(ind, cell, len(starts))

    first = ind.iloc[starts]
    at = ind.iloc[top]
    text = functools.partial(pd.Series, dtype=object)  # Python strings, as _panel_dtypes makes them
    panel = pd.DataFrame({
        "issuer": text(first["issuer"].to_numpy(dtype=object)),
        "report_year": first["report_year"].to_numpy(),
        "level": text(first["level"].to_numpy(dtype=object)),
        "indicator": text(first["indicator"].to_numpy(dtype=object)),
        "label": text(first["label"].to_numpy(dtype=object)),
        "unit": text(at["unit"].to_numpy(dtype=object)),
        "value": best,
        "total": totals,
        "approx": text(np.where(exact, "", at["approx"].to_numpy(dtype=object))),
        "bound": text(np.where(one_bound, at["bound"].to_numpy(dtype=object), "")),
        "n_mentions": ends - starts,
        "n_reports": id_ends - id_starts,
        "disagree": (n_figures > 1) | odd_units,
        "values": text(["; ".join(shown[a:b]) for a, b in zip(shown_starts, shown_ends)]),
        "report_ids": text([",".join(ids[a:b]) for a, b in zip(id_starts, id_ends)]),
        "mention_refs": text(["; ".join(refs[a:b]) for a, b in zip(starts, ends)]),
    }, columns=PANEL_COLUMNS).pipe(_panel_dtypes)  # fmt: skip
    return panel.sort_values(keys, kind="stable", na_position="last").reset_index(drop=True)


def _cell_keys(reports: pd.DataFrame) -> pd.DataFrame:
    """report_id and the (issuer, report_year) of its indicator-panel cells (issuer: else the file)."""
    issuer = reports["issuer"].where(reports["issuer"].notna(), reports["source_file"])
    years = [None if pd.isna(y) else int(y) for y in reports["report_year"]]
    return pd.DataFrame({"report_id": reports["report_id"].tolist(), "key": list(zip(issuer.tolist(), years))})


def stream_panel(stage, store: PartSet, reports: pd.DataFrame, last: dict) -> dict:
    """The indicator panel: its cells (issuer × year × indicator) are each a function of the mentions
    of the reports of one issuer and year, so only the cells of an issuer and year that gained or lost
    a report are computed again (from those reports' `indicators` rows); the others are the last
    build's rows. Without a last build: every cell."""
    # the columns the panel reads, in the order of the parts (the panel sorts by report and mention)
    wanted = list(dict.fromkeys([*_PANEL_INPUTS, "kind", "value"]))
    if "indicators" not in store.keys:
        return {"indicator_panel": stage({"indicators": None, "reports": reports})["indicator_panel"]}
    if "indicator_panel" not in last or "reports" not in last or not set(reports.columns) >= {"issuer", "report_year"}:
        indicators = store.read("indicators", columns=wanted, sort=False, filter_kind=panel_rows)
        return {"indicator_panel": stage({"indicators": indicators, "reports": reports})["indicator_panel"]}
    now, before = _cell_keys(reports), _cell_keys(last["reports"])
    pairs_now, pairs_before = set(zip(now["report_id"], now["key"])), set(zip(before["report_id"], before["key"]))
    touched = {key for _, key in pairs_now ^ pairs_before}
    ids = set(now.loc[now["key"].isin(touched), "report_id"]) if touched else set()
    files = set(reports.loc[reports["report_id"].isin(ids), "source_file"])
    sub = PartSet([p for p in store.parts if any(f in files for f, _ in p.files)], store.keys, store.signature)
    indicators = sub.read("indicators", columns=wanted, sort=False, filter_kind=panel_rows) if sub.parts else None
    if indicators is not None and len(indicators):
        indicators = indicators[indicators["report_id"].isin(ids)].reset_index(drop=True)
    fresh = stage({"indicators": indicators, "reports": reports})["indicator_panel"]
    old = last["indicator_panel"]
    old_keys = list(zip(old["issuer"].tolist(), [None if pd.isna(y) else int(y) for y in old["report_year"]]))
    old = old[[k not in touched for k in old_keys]]
    panel = pd.concat([old, fresh], ignore_index=True) if len(old) else fresh
    panel = _panel_dtypes(panel[list(fresh.columns)])
    keys = ["issuer", "report_year", "indicator"]
    return {"indicator_panel": panel.sort_values(keys, kind="stable", na_position="last").reset_index(drop=True)}
