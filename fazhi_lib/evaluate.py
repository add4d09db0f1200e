"""Score the reports table against a researcher's own hand labels (`fazhi evaluate`).

Before citing any grouping fazhi makes (levels, years, provinces), check the extraction on a sample you
labelled yourself: a TSV, CSV or Excel sheet with a `file` column (the file name as in `source_file`, or
its end) and any of these columns: issuer, level, report_year, publish_date, written_date, province,
prefecture, county. Optional columns `issuer_in_text` / `place_in_text` (yes/no) limit the issuer and
place fields to rows whose text names them.

How values are compared:
- **issuer** leniently: spaces ignored; 人民政府/政府/办事处/行政公署/委员会 at the end dropped; a match when one
  form ends with the other (湖塘街道 ~ 绍兴市柯桥区湖塘街道办事处; 司法局 ~ 武汉市司法局), compared
  with both `issuer` and `issuer_full`; a joint party-and-government label (中共X县委 X县人民政府) is
  compared by its government part.
- **level** exactly, with `national_department` read as `department`.
- **years and dates** as text: 2024, 2024.0 and Excel dates (2025-03-21 00:00:00, 45737) agree.
- **province** by its name without 省/市/自治区 (广西壮族自治区 ~ 广西); prefecture and county exactly
  after the same trimming.
A blank label is "rightly missing" for dates (fazhi must leave it empty too) and not scored for the
other fields. Unknown files and unreadable rows are reported, never dropped silently.

>>> same_issuer("湖塘街道", "绍兴市柯桥区湖塘街道办事处"), same_issuer("中共海南省委 海南省人民政府", "海南省")
(True, True)
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

FIELDS = ("issuer", "level", "report_year", "publish_date", "written_date", "province", "prefecture", "county")
EMPTY_IS_ANSWER = ("publish_date", "written_date")  # a blank label means: fazhi must find none
_MISSING = {"", "nan", "nat", "none", "<na>", "unknown", "null"}


@dataclass
class Evaluation:
    """Accuracy per field (`scores`), every disagreement (`disagreements`) and the rows not scored."""

    scores: pd.DataFrame
    disagreements: pd.DataFrame
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"{'field':14s} {'right':>6s} {'scored':>7s} {'accuracy':>9s}"]
        for r in self.scores.itertuples(index=False):
            acc = "-" if r.scored == 0 else f"{r.accuracy:.3f}"
            lines.append(f"{r.field:14s} {r.right:6d} {r.scored:7d} {acc:>9s}")
        if self.problems:
            lines.append("Rows not scored:")
            lines += [f"  {p}" for p in self.problems]
        if len(self.disagreements):
            lines.append(f"Disagreements ({len(self.disagreements)}):")
            for r in self.disagreements.itertuples(index=False):
                lines.append(f"  {r.file}  {r.field}: label {r.label!r}, got {r.got!r}  [{r.evidence}]")
        return "\n".join(lines)


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and pd.isna(v):
        return ""
    if isinstance(v, (pd.Timestamp, _dt.datetime, _dt.date)):
        return v.strftime("%Y-%m-%d")
    s = str(v).strip()
    return "" if s.lower() in _MISSING else s


def norm_year(v) -> str:
    s = _text(v)
    m = re.fullmatch(r"(\d{4})(?:\.0+)?", s)
    return m.group(1) if m else s


def norm_date(v) -> str:
    """'2025-03-21', '2025/3/21', '2025年3月21日', '2025-03-21 00:00:00', Excel serial 45737 → '2025-03-21'."""
    s = _text(v)
    if not s:
        return ""
    if re.fullmatch(r"\d{5}(?:\.0+)?", s):  # an Excel serial day number
        return (_dt.date(1899, 12, 30) + _dt.timedelta(days=int(float(s)))).isoformat()
    m = re.match(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", s)
    if m:
        y, mo, d = map(int, m.groups())
        try:
            return _dt.date(y, mo, d).isoformat()
        except ValueError:
            return s
    return s


def _short_issuer(x: str) -> str:
    x = re.sub(r"\s+", "", x)
    return re.sub(r"(人民政府|政府|办事处|行政公署|委员会)$", "", x)


def same_issuer(label: str, *got: str | None) -> bool:
    """Lenient issuer comparison (see the module docstring)."""
    label = _text(label)
    if not label:
        return False
    forms = [label]
    if re.search(r"^中共|党委|委\s", label):  # joint party-and-government: the government part
        parts = [p for p in re.split(r"[\s、]+", label) if p]
        forms += [p for p in parts if not p.startswith("中共")]
    for g in got:
        g = _short_issuer(_text(g))
        if not g:
            continue
        for f in forms:
            f = _short_issuer(f)
            if f and (g.endswith(f) or f.endswith(g)):
                return True
    return False


def _place_name(x) -> str:
    return re.sub(r"(壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市)$", "", _text(x))


def read_labels(path: str | Path) -> pd.DataFrame:
    """A labels sheet (TSV, CSV or Excel) as text columns; a clear error when it cannot be used."""
    from .errors import FazhiError

    path = Path(path)
    if not path.is_file():
        raise FazhiError(
            f"The labels sheet {str(path)!r} does not exist; give a TSV, CSV or Excel file with a `file` column."
        )
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            df = pd.read_excel(path, dtype=object)
        else:
            sep = "\t" if suffix in (".tsv", ".tab") else None
            df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig", engine="python")
    except Exception as exc:  # noqa: BLE001 - any reader error becomes one sentence
        raise FazhiError(f"The labels sheet {path.name} could not be read ({type(exc).__name__}: {exc}).") from None
    df.columns = [str(c).strip() for c in df.columns]
    if "file" not in df.columns:
        raise FazhiError(
            f"The labels sheet {path.name} has no `file` column; its columns are: {', '.join(df.columns)}."
        )
    if not any(f in df.columns for f in FIELDS):
        raise FazhiError(f"The labels sheet {path.name} labels none of the fields; give one of: {', '.join(FIELDS)}.")
    return df


def evaluate_metadata(corpus, labels) -> Evaluation:
    """Accuracy of the reports table against hand labels (a DataFrame or a path to a sheet).

    `corpus` is a `Corpus` (its reports and parse log are used) or a reports DataFrame.
    """
    if not isinstance(labels, pd.DataFrame):
        labels = read_labels(labels)
    reports = corpus if isinstance(corpus, pd.DataFrame) else corpus.reports
    log = None if isinstance(corpus, pd.DataFrame) else getattr(corpus, "parse_log", None)
    fields = [f for f in FIELDS if f in labels.columns]
    tally = {f: [0, 0] for f in ["accepted", *fields]}
    rows, problems = [], []
    sources = reports["source_file"].astype(str).tolist() if len(reports) else []
    logged = log["source_file"].astype(str).tolist() if log is not None and len(log) else []
    for i, lab in enumerate(labels.to_dict("records"), start=2):
        name = _text(lab.get("file"))
        if not name:
            problems.append(f"row {i}: no file name")
            continue
        hits = [k for k, s in enumerate(sources) if s == name or s.endswith("/" + name) or s.endswith(name)]
        tally["accepted"][1] += 1
        if not hits:
            in_log = [s for s in logged if s == name or s.endswith(name)]
            if not in_log:
                problems.append(f"row {i}: {name!r} is not among the built files")
                tally["accepted"][1] -= 1
                continue
            msg = log.loc[log["source_file"].astype(str) == in_log[0], "messages"].iloc[0]
            rows.append(
                {
                    "file": name,
                    "field": "accepted",
                    "label": "report",
                    "got": "not a report",
                    "evidence": str(msg)[:160],
                }
            )
            rep = pd.Series(dtype=object)  # a rejected report: every labelled field counts as not found
        else:
            tally["accepted"][0] += 1
            rep = reports.iloc[hits[0]]
        for f in fields:
            label = lab.get(f)
            flag = {
                "issuer": "issuer_in_text",
                "province": "place_in_text",
                "prefecture": "place_in_text",
                "county": "place_in_text",
            }.get(f)
            if flag and flag in lab and _text(lab.get(flag)).lower() in ("no", "n", "false", "0"):
                continue
            ok, want, got = _compare(f, label, rep)
            if ok is None:
                continue
            tally[f][1] += 1
            tally[f][0] += ok
            if not ok:
                rows.append({"file": name, "field": f, "label": want, "got": got, "evidence": _evidence(f, rep)})
    scores = pd.DataFrame(
        [
            {"field": f, "right": a, "scored": n, "accuracy": (a / n) if n else float("nan")}
            for f, (a, n) in tally.items()
        ]
    )
    dis = pd.DataFrame(rows, columns=["file", "field", "label", "got", "evidence"])
    return Evaluation(scores, dis, problems)


def _compare(f: str, label, rep) -> tuple[bool | None, str, str]:
    if f == "issuer":
        want = _text(label)
        if not want:
            return None, "", ""
        got = _text(rep.get("issuer_full")) or _text(rep.get("issuer"))
        return same_issuer(want, rep.get("issuer"), rep.get("issuer_full")), want, got
    if f == "level":
        want = {"national_department": "department"}.get(_text(label), _text(label))
        if not want:
            return None, "", ""
        got = _text(rep.get("level"))
        return got == want, want, got
    if f == "report_year":
        want, got = norm_year(label), norm_year(rep.get("report_year"))
        return (None, "", "") if not want else (got == want, want, got)
    if f in EMPTY_IS_ANSWER:
        want, got = norm_date(label), norm_date(rep.get(f))
        return got == want, want, got
    want = _text(label)
    if not want:
        return None, "", ""
    got = _text(rep.get(f))
    return _place_name(got) == _place_name(want), want, got


def _evidence(f: str, rep) -> str:
    if f in ("issuer", "level"):
        return f"issuer_source={_text(rep.get('issuer_source')) or '-'}; title={_text(rep.get('title'))[:40] or '-'}"
    if f == "report_year":
        return f"report_year_source={_text(rep.get('report_year_source')) or '-'}"
    if f in ("province", "prefecture", "county"):
        return f"{_text(rep.get('place_source'))}: {_text(rep.get('place_evidence'))[:30]} {_text(rep.get('place_note'))[:100]}".strip()
    warnings = [w for w in _text(rep.get("warnings")).split("; ") if "date" in w]
    return "; ".join(warnings) or f"publisher={_text(rep.get('publisher')) or '-'}"


def province_precision(corpus, labels) -> tuple[int, int]:
    """(right, given): of the reports given a province (other than 全国) and labelled with one, how many
    are right: the precision a researcher can expect of a province fazhi states."""
    if not isinstance(labels, pd.DataFrame):
        labels = read_labels(labels)
    reports = corpus if isinstance(corpus, pd.DataFrame) else corpus.reports
    right = given = 0
    for lab in labels.to_dict("records"):
        name, want = _text(lab.get("file")), _text(lab.get("province"))
        hit = reports[reports["source_file"].astype(str).str.endswith(name)] if name else reports.iloc[0:0]
        if not want or len(hit) != 1:
            continue
        got = _text(hit.iloc[0].get("province"))
        if got and got != "全国":
            given += 1
            right += _place_name(got) == _place_name(want)
    return right, given
