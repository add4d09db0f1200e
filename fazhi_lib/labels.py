"""One readable label per report for figures, tables and sentences: `issuer report_year`.

>>> import pandas as pd
>>> reports = pd.DataFrame({"report_id": ["a1b2c3d4", "e5f6a7b8", "c9d0e1f2"], "issuer": ["塘栖镇", None, "塘栖镇"],
...                         "report_year": [2024, 2023, 2024], "source_file": ["x.txt", "乙.html", "y.txt"]})
>>> report_labels(reports).tolist()
['塘栖镇 2024 (a1b2c3)', '乙.html 2023', '塘栖镇 2024 (c9d0e1)']
"""

from __future__ import annotations

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
