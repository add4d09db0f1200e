"""One readable label per report for figures, tables and sentences: `issuer report_year`.

>>> import pandas as pd
>>> reports = pd.DataFrame({"report_id": ["a1b2c3d4", "e5f6a7b8", "c9d0e1f2"], "issuer": ["塘栖镇", None, "塘栖镇"],
...                         "report_year": [2024, 2023, 2024], "source_file": ["x.txt", "乙.html", "y.txt"]})
>>> report_labels(reports).tolist()
['塘栖镇 2024 (a1b2c3)', '乙.html 2023', '塘栖镇 2024 (c9d0e1)']
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def report_labels(reports: pd.DataFrame) -> pd.Series:
    """report_id → a short label, `issuer report_year` (塘栖镇 2024), unique within the table.

    No issuer: the source file's name, else the report id; no year: the name alone. Labels that would
    repeat get the report id's first 6 characters.
    """
    if reports.empty:
        return pd.Series(dtype=object)
    missing = pd.Series(None, index=reports.index, dtype=object)
    issuer = reports["issuer"] if "issuer" in reports else missing
    source = reports["source_file"] if "source_file" in reports else missing
    year = reports["report_year"] if "report_year" in reports else missing
    labels = []
    for rid, iss, src, yr in zip(reports["report_id"], issuer, source, year):
        name = iss if isinstance(iss, str) and iss else src if isinstance(src, str) and src else str(rid)
        labels.append(f"{name} {int(yr)}" if yr is not None and not pd.isna(yr) else name)
    out = pd.Series(labels, index=reports["report_id"].values)
    dup = out.duplicated(keep=False)
    out[dup] = [f"{lab} ({str(rid)[:6]})" for lab, rid in zip(out[dup], out.index[dup])]
    return out


def report_label(corpus, report_id) -> str:
    """The label of one report of `corpus` (`report_labels`); the id itself when the corpus lacks it."""
    if report_id is None or pd.isna(report_id):
        return str(report_id)
    return report_labels(corpus.reports).get(report_id, str(report_id))


# ------------------------------------------------------------------ which issuer, across reports
PLACE_FIELDS = ("province", "prefecture", "county")
# levels whose body always sits below a county or a prefecture: a place field missing in one report of
# such an issuer is a gap in what the page says, never the body's tier (a city's 司法局 has no county; a
# town always has one, or a prefecture that has no counties)
_COMPLETED_LEVELS = frozenset({"township", "subdistrict"})


def _known(v) -> str | None:
    return v if isinstance(v, str) and v else None


def _known_column(column: pd.Series) -> np.ndarray:
    """`_known` of each value, column-wise: a text, else None (missing, empty, or not a text)."""
    values = column.to_numpy(dtype=object, na_value=None)
    text = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))
    return np.where(text & (values != ""), values, None)


def issuer_places(reports: pd.DataFrame) -> pd.DataFrame:
    """The place of each report's issuer (columns province, prefecture, county; None where unknown), as
    the indicator panel and per-issuer trends key issuers: a short name (塘栖镇, 司法局) is held by many
    bodies across the country, so an issuer is its short name *and* its place.

    A report's place is its own place fields, except for a town or subdistrict whose page names its
    place less fully than another report of the same short name and level does: its missing fields are
    completed from that fuller place when exactly one of the fullest places that agree with what it
    knows exists (塘栖镇 of 浙江省 with one 塘栖镇 of 浙江省杭州市临平区 in the table → the latter). With two
    (two 城关镇 of one province), nothing is completed and the report is an issuer of its own. Other
    levels are never completed: a city's 司法局 has no county, and a district's 司法局 in the same city
    is another body.

    >>> reports = pd.DataFrame({"issuer": ["安宝镇", "安宝镇", "安宝镇", "司法局", "司法局"],
    ...     "level": ["township"] * 3 + ["department"] * 2,
    ...     "province": ["浙江省", "浙江省", "浙江省", "浙江省", "浙江省"],
    ...     "prefecture": ["宁波市", None, "金华市", "杭州市", "杭州市"],
    ...     "county": ["鄞州区", None, "金东区", None, "西湖区"]})
    >>> issuer_places(reports).fillna("-").values.tolist()  # 浙江省's 安宝镇 fits two: left as it is
    [['浙江省', '宁波市', '鄞州区'], ['浙江省', '-', '-'], ['浙江省', '金华市', '金东区'], ['浙江省', '杭州市', '-'], ['浙江省', '杭州市', '西湖区']]
    """
    frame = pd.DataFrame(
        {f: _known_column(reports[f]) if f in reports.columns else [None] * len(reports) for f in PLACE_FIELDS},
        index=reports.index,
        dtype=object,
    )
    if not {"issuer", "level"} <= set(reports.columns) or frame.empty:
        return frame
    issuer = pd.Series(_known_column(reports["issuer"]), index=reports.index, dtype=object)
    towns = (issuer.notna() & reports["level"].isin(_COMPLETED_LEVELS)).to_numpy(dtype=bool)
    if not towns.any():
        return frame
    # the distinct (issuer, level, place) of towns, then each row of a town with a field missing
    who = pd.DataFrame({"issuer": issuer[towns], "level": reports["level"][towns], **frame[towns]})
    held: dict[tuple, set[tuple]] = {}  # (issuer, level) → its distinct places
    for issuer_, level, *place in who.drop_duplicates().itertuples(index=False, name=None):
        held.setdefault((issuer_, level), set()).add(tuple(place))
    completed: dict[tuple, tuple] = {}  # (issuer, level, place) → the place it is completed to
    for (issuer_, level), found in held.items():
        if len(found) < 2:
            continue
        for place in found:
            if all(place):
                continue
            fits = [p for p in found if all(a is None or a == b for a, b in zip(place, p))]  # itself among them
            # one fullest place (every fitting place is it or coarser) or none: the place knowing most
            # fields is the only one it can be
            top = max(fits, key=lambda p: sum(v is not None for v in p))
            if top != place and all(q == top or _finer(top, q) for q in fits):
                completed[issuer_, level, place] = top
    if completed:
        rows = np.flatnonzero(towns & frame.isna().any(axis=1).to_numpy(dtype=bool))
        keys = zip(issuer.to_numpy(dtype=object)[rows], reports["level"].to_numpy(dtype=object)[rows],
                   *(frame[f].to_numpy(dtype=object)[rows] for f in PLACE_FIELDS))  # fmt: skip
        for row, (issuer_, level, *place) in zip(rows.tolist(), keys):
            got = completed.get((issuer_, level, tuple(place)))
            if got is not None:
                for f, v in zip(PLACE_FIELDS, got):
                    frame.iat[row, frame.columns.get_loc(f)] = v
    return frame


def issuer_bodies(reports: pd.DataFrame) -> pd.DataFrame:
    """Which body each report is by: its issuer (the source file where it has none) and the place of
    that issuer (`issuer_places`), columns issuer, province, prefecture, county, on the reports' index."""
    fallback = reports["source_file"] if "source_file" in reports.columns else reports.get("report_id")
    issuer = reports["issuer"].fillna(fallback) if "issuer" in reports.columns else fallback
    return issuer_places(reports).assign(issuer=issuer.to_numpy(dtype=object))[["issuer", *PLACE_FIELDS]]


def _finer(q: tuple, p: tuple) -> bool:
    """Whether place q knows every field p knows, the same, and more."""
    return q != p and all(a is None or a == b for a, b in zip(p, q))


def issuer_label(issuer: str, place: tuple, *, with_place: bool, province: bool = False) -> str:
    """An issuer's name for a figure or a table: 安宝镇, or with its place when the short name is held by
    more than one place in what is shown: 宁波市鄞州区安宝镇 (the province is left out when the prefecture
    is known, unless `province`; a place not known at all reads 安宝镇（地点不详）).

    >>> issuer_label("安宝镇", ("浙江省", "宁波市", "鄞州区"), with_place=True)
    '宁波市鄞州区安宝镇'
    >>> issuer_label("安宝镇", ("浙江省", None, None), with_place=True)
    '浙江省安宝镇'
    >>> issuer_label("安宝镇", (None, None, None), with_place=True)
    '安宝镇（地点不详）'
    """
    if not with_place:
        return issuer
    prov, prefecture, county = (_known(v) for v in place)
    prefix = "".join(v for v in ((prov if province or not prefecture else None), prefecture, county) if v)
    if not prefix:
        return f"{issuer}（地点不详）"
    return issuer if issuer.startswith(prefix) else prefix + issuer


def issuer_labels(frame: pd.DataFrame) -> pd.Series:
    """`issuer_label` of each row of a table with issuer, province, prefecture and county (the indicator
    panel, per-issuer trends): the place added wherever one short name has several places in `frame`."""
    if frame.empty:
        return pd.Series(dtype=object, index=frame.index)
    issuers = frame["issuer"].astype(object).tolist()
    places = list(zip(*[frame[f].tolist() if f in frame.columns else [None] * len(frame) for f in PLACE_FIELDS]))
    places = [tuple(_known(v) for v in p) for p in places]
    held: dict[str, set[tuple]] = {}
    for issuer, place in zip(issuers, places):
        held.setdefault(issuer, set()).add(place)
    labels = [issuer_label(str(i), p, with_place=len(held[i]) > 1) for i, p in zip(issuers, places)]
    named: dict[str, set[tuple]] = {}
    for lab, i, p in zip(labels, issuers, places):
        named.setdefault(lab, set()).add((i, p))
    labels = [  # two places one label (one lacks the province): the province written out
        issuer_label(str(i), p, with_place=True, province=True) if len(named[lab]) > 1 else lab
        for lab, i, p in zip(labels, issuers, places)
    ]
    return pd.Series(labels, index=frame.index, dtype=object)


def issuer_count(reports: pd.DataFrame) -> int:
    """How many issuers the reports come from: distinct (short name, place as `issuer_places` gives it)
    among the reports with an issuer, so the 司法局 of two counties are two.

    >>> issuer_count(pd.DataFrame({"issuer": ["司法局", "司法局", "塘栖镇", None], "level": ["department"] * 4,
    ...     "province": ["浙江省"] * 4, "prefecture": ["杭州市", "宁波市", "杭州市", None]}))
    3
    """
    if reports.empty or "issuer" not in reports.columns:
        return 0
    places = issuer_places(reports)
    named = pd.Series(_known_column(reports["issuer"]), index=reports.index).notna().to_numpy(dtype=bool)
    bodies = places[named].assign(issuer=reports["issuer"][named].to_numpy(dtype=object))
    return len(bodies.drop_duplicates())
