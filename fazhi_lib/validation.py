"""Validating the problem typology against human coders: sample, export, read back, score.

The step every content analysis needs before its numbers are published:

    sample = coding_sample(corpus, per_stratum=5, seed=2024)
    export_coding_sheet(sample, "coding.xlsx", coders=("coder_1", "coder_2"))
    # ... two people fill the coder columns in Excel, blind to the rules ...
    result = validate(corpus, read_coding_sheet("coding.xlsx"))
    result.scores      # per coder and category: precision, recall, F1 and kappa of the rules
    result.agreement   # per category: Cohen's kappa and Krippendorff's alpha between the coders
    result.problems    # rows that could not be read, with the reason (never dropped in silence)

What a coder writes in a coder cell: the item's categories, as the code (`staffing`), the English
name (`legality review`), the Chinese label (`队伍/人员力量不足`) or one half of it (`信访`), separated by
`;` `,` `、` `|` or line breaks (full-width forms too; traditional characters are fine). `无` / `none`
/ `其他` / `other` say "none of the typology's categories". A blank cell means "not coded".

Each item is a yes/no decision per category, for the rules and for each coder. Precision = share of
the rules' yes that the coder also says; recall = share of the coder's yes that the rules also say;
kappa = Cohen's κ of the two yes/no series; `(all)` pools every item × category decision (micro
average). Between coders: Cohen's κ per pair (averaged when there are more than two coders) and
Krippendorff's α (nominal; `krippendorff` package), per category and pooled.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .corpus import Corpus
from .errors import FazhiError, invalid
from .typology import categorise_items

STRATA = ("category", "report", "level", "report_year", "none")
SHEET = "coding"
KEY_COLUMNS = ["report_id", "item_order"]
SHEET_COLUMNS = [
    "sample_id",
    "report_id",
    "item_order",
    "issuer",
    "report_year",
    "heading",
    "text",
    "context",
]
SCORE_COLUMNS = [
    "coder",
    "category",
    "label",
    "n_items",
    "tp",
    "fp",
    "fn",
    "tn",
    "precision",
    "recall",
    "f1",
    "kappa",
]
AGREEMENT_COLUMNS = ["category", "label", "n_items", "n_coders", "kappa", "alpha"]
PROBLEM_COLUMNS = ["row", "column", "value", "reason"]
ALL = "(all)"
NONE_WORDS = {
    "无",
    "没有",
    "none",
    "no",
    "n/a",
    "na",
    "-",
    "—",
    "0",
    "其他",
    "其它",
    "other",
    "others",
}
# extra names coders use for a category (the glossary's English names where they differ from the code)
ALIASES = {
    "disputes_and_petitions": "disputes",
    "petitions": "disputes",
    "decision": "decision_making",
    "legal_advice": "legal_advisors",
    "legal_advisers": "legal_advisors",
    "staff": "staffing",
    "education": "legal_education",
    "uneven": "unevenness",
    "digitalisation": "digital",
    "digitalization": "digital",
    "review": "legality_review",
}
# separators between categories in one cell: 队伍/人员力量不足; 信访、执法规范性 | staffing, digital
_SEPARATORS = re.compile(r"[;；,，、|\n\r]+")
CONTEXT_CHARS = 80


# --------------------------------------------------------------------------------- categories
def _typology() -> list[tuple[str, str, str]]:
    from .typology import load_typology

    return [(c.code, c.label, c.description) for c in load_typology()]


def _norm(name: str) -> str:
    from .tokens import to_simplified

    name = to_simplified(unicodedata.normalize("NFKC", str(name))).strip().lower()
    return re.sub(r"[\s\-_]+", "_", name)


def category_names(
    categories: list[tuple[str, str, str]] | None = None, *, aliases: dict | None = None
) -> dict[str, str]:
    """Every accepted way of writing a category (normalised) → its code.

    >>> names = category_names()
    >>> names["legality_review"], names[_norm("队伍/人员力量不足")], names[_norm("信访")]
    ('legality_review', 'staffing', 'disputes')
    """
    cats = _typology() if categories is None else categories
    out: dict[str, str] = {}
    halves: dict[str, set[str]] = {}
    for code, label, _ in cats:
        out[_norm(code)] = code
        out[_norm(label)] = code
        for half in re.split(r"[/／]", label):
            if half.strip():
                halves.setdefault(_norm(half), set()).add(code)
    for half, codes in halves.items():
        if len(codes) == 1:
            out.setdefault(half, next(iter(codes)))
    known = {code for code, _, _ in cats}
    for alias, code in {**ALIASES, **(aliases or {})}.items():
        if code in known:
            out.setdefault(_norm(alias), code)
    return out


def parse_codes(cell, names: dict[str, str]) -> tuple[frozenset[str] | None, list[str]]:
    """A coder cell → (set of codes, unknown names). Blank → (None, []): not coded.

    >>> codes, unknown = parse_codes("信访；执法规范性；督查", category_names())
    >>> sorted(codes), unknown
    (['disputes', 'enforcement'], ['督查'])
    >>> parse_codes("无", category_names())
    (frozenset(), [])
    """
    if cell is None or (isinstance(cell, float) and math.isnan(cell)) or not str(cell).strip():
        return None, []
    codes, unknown = set(), []
    for piece in _SEPARATORS.split(str(cell)):
        if not piece.strip():
            continue
        key = _norm(piece)
        if key in NONE_WORDS:
            continue
        if key in names:
            codes.add(names[key])
        else:
            unknown.append(piece.strip())
    return frozenset(codes), unknown


# ------------------------------------------------------------------------------------ sampling
def _rules_table(corpus, rules: pd.DataFrame | None) -> pd.DataFrame:
    if rules is not None:
        return rules
    from .typology import item_categories

    return item_categories(corpus)


def coding_sample(
    corpus,
    *,
    per_stratum: int = 5,
    strata: str = "category",
    seed: int = 20240401,
    rules: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A stratified random sample of problem items to code by hand (deterministic for a seed).

    `strata`: `category` (the first category the rules give the item, `none` when no rule fires, so
    every category and the uncategorised are represented), `report`, `level`, `report_year`, or `none`
    (one stratum). From each stratum `per_stratum` items are drawn without replacement (all of them
    when fewer). The sample is then put in random order and numbered (`sample_id`), so coders do not
    see the strata. Columns: sample_id, report_id, item_order, issuer, report_year, heading, text,
    context (the report text around the item), stratum.
    """
    if strata not in STRATA:
        raise invalid("strata", strata, STRATA)
    if isinstance(per_stratum, bool) or not isinstance(per_stratum, (int, np.integer)) or per_stratum < 1:
        raise FazhiError(f"`per_stratum` = {per_stratum!r} is not valid; choose a whole number of 1 or more.")
    items = corpus.problem_items
    if items.empty:
        raise FazhiError("The corpus has no problem items to sample; check that the reports have a problems part.")
    reports = corpus.reports.set_index("report_id")
    items = items.sort_values(KEY_COLUMNS, kind="stable").reset_index(drop=True).copy()
    items["item_order"] = items["item_order"].astype(int)
    items["issuer"] = items["report_id"].map(reports["issuer"])
    items["report_year"] = items["report_id"].map(reports["report_year"])
    if strata == "category":
        cats = _rules_table(corpus, rules)
        order = {code: i for i, (code, _, _) in enumerate(_typology())}
        first = {}
        for r in cats.assign(_k=cats["category"].map(order).fillna(len(order))).sort_values("_k").itertuples():
            first.setdefault((r.report_id, int(r.item_order)), r.category)
        items["stratum"] = [first.get((r, o), "none") for r, o in zip(items["report_id"], items["item_order"])]
    elif strata == "report":
        items["stratum"] = items["report_id"]
    elif strata == "level":
        items["stratum"] = items["report_id"].map(reports["level"]).fillna("unknown")
    elif strata == "report_year":
        items["stratum"] = items["report_year"].astype("string").fillna("unknown")
    else:
        items["stratum"] = "all"
    rng = np.random.default_rng(seed)
    picked = []
    for _, group in sorted(items.groupby("stratum", sort=True), key=lambda kv: str(kv[0])):
        idx = rng.permutation(len(group))[:per_stratum]
        picked.append(group.iloc[sorted(idx)])
    sample = pd.concat(picked).reset_index(drop=True)
    sample = sample.iloc[rng.permutation(len(sample))].reset_index(drop=True)
    texts = dict(zip(corpus.texts["report_id"], corpus.texts["text"]))
    sample["context"] = [_context(texts.get(r.report_id, ""), r.start, r.end) for r in sample.itertuples()]
    sample.insert(0, "sample_id", range(1, len(sample) + 1))
    return sample[SHEET_COLUMNS + ["stratum"]]


def _context(text: str, start, end, width: int = CONTEXT_CHARS) -> str:
    if not text or start is None or pd.isna(start):
        return ""
    start, end = int(start), int(end)
    before = text[max(0, start - width) : start].replace("\n", " ")
    after = text[end : end + width].replace("\n", " ")
    return f"{'…' if start > width else ''}{before}【本条】{after}{'…' if end + width < len(text) else ''}"


def export_coding_sheet(sample: pd.DataFrame, path: str | Path, *, coders=("coder_1", "coder_2")) -> Path:
    """Write the sample to an Excel workbook for coders.

    Sheet `coding`: the sample's columns without the stratum (coders work blind to the rules), then an
    empty column per coder and a `notes` column. Sheet `codebook`: the categories (code, Chinese
    label, description) and the words meaning "none". Sheet `about`: how to fill the sheet.
    """
    from openpyxl.styles import Alignment, Font

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise FazhiError(f"`path` = {str(path)!r} is not valid; give an Excel file name ending in .xlsx.")
    coders = [coders] if isinstance(coders, str) else list(coders)
    if not coders or len(set(coders)) != len(coders):
        raise FazhiError(
            f"`coders` = {coders!r} is not valid; give one or more distinct column names, e.g. ('coder_1', 'coder_2')."
        )
    sheet = sample[[c for c in SHEET_COLUMNS if c in sample.columns]].copy()
    for c in coders:
        sheet[c] = ""
    sheet["notes"] = ""
    codebook = pd.DataFrame(_typology(), columns=["code", "label", "description"])
    about = pd.DataFrame(
        {
            "how to code": [
                "Read `text` (and `context`, the report around it: 【本条】 marks where the item stands).",
                f"In your column ({', '.join(coders)}) write every category the item admits, separated by ; or 、",
                "Use the code (staffing), its English name or the Chinese label (队伍/人员力量不足) from the codebook.",
                "Write 无 (or none) when the item fits no category; leave the cell blank only if you did not code it.",
                "Do not change sample_id, report_id or item_order; other columns may be added (notes are ignored).",
            ]
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        sheet.to_excel(xl, sheet_name=SHEET, index=False)
        codebook.to_excel(xl, sheet_name="codebook", index=False)
        about.to_excel(xl, sheet_name="about", index=False)
        ws = xl.sheets[SHEET]
        widths = {"text": 60, "context": 60, "heading": 24, "report_id": 14, "notes": 20}
        for i, name in enumerate(sheet.columns, 1):
            letter = ws.cell(row=1, column=i).column_letter
            ws.column_dimensions[letter].width = widths.get(name, 22 if name in coders else 10)
            ws.cell(row=1, column=i).font = Font(bold=True)
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "B2"
        xl.sheets["codebook"].column_dimensions["B"].width = 20
        xl.sheets["codebook"].column_dimensions["C"].width = 80
        xl.sheets["about"].column_dimensions["A"].width = 110
    return path


# ------------------------------------------------------------------------------------ reading
@dataclass
class CodedSheet:
    """A filled coding sheet: one row per readable item, one column of code sets per coder."""

    codes: pd.DataFrame  # report_id, item_order, then per coder a frozenset of codes or None (not coded)
    coders: list[str]
    problems: pd.DataFrame  # row (as numbered in Excel), column, value, reason
    source: str = ""


def _is_blank(value) -> bool:
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and not value.strip())
        or value is pd.NA
    )


def _read_table(path: Path, sheet: str | None) -> pd.DataFrame:
    if not path.is_file():
        raise FazhiError(f"The coding sheet {str(path)!r} does not exist; export one with `export_coding_sheet`.")
    if path.suffix.lower() == ".csv":
        return pd.read_csv(path, dtype=object, encoding="utf-8-sig")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise FazhiError(f"`coded_sheet` = {str(path)!r} is not valid; give an .xlsx or .csv file.")
    book = pd.ExcelFile(path, engine="openpyxl")
    name = sheet or (SHEET if SHEET in book.sheet_names else book.sheet_names[0])
    if name not in book.sheet_names:
        raise invalid("sheet", name, book.sheet_names)
    return pd.read_excel(book, sheet_name=name, dtype=object)


def read_coding_sheet(
    source,
    *,
    sheet: str | None = None,
    coders=None,
    aliases: dict | None = None,
    categories: list[tuple[str, str, str]] | None = None,
) -> CodedSheet:
    """Read a filled coding sheet (.xlsx or .csv, or a DataFrame) back.

    Tolerated: blank rows, extra columns, columns in another order, item numbers typed as 3.0, category
    names in Chinese or English, full-width separators. Coder columns are those named `coders`, else
    every column whose name starts with `coder` or `编码员`; a coder column left entirely empty is not
    used (noted). Listed in `problems`, never dropped in silence: a row without report_id/item_order,
    an item number that is not a whole number, the same item twice, a cell with a name that is no
    category (that coder's cell is not used), a row no coder filled.
    """
    where = "the sheet"
    if isinstance(source, pd.DataFrame):
        raw = source.copy()
    else:
        path = Path(source)
        where = str(path)
        raw = _read_table(path, sheet)
    raw.columns = [str(c).strip() for c in raw.columns]
    lower = {c.lower(): c for c in raw.columns}
    missing = [k for k in KEY_COLUMNS if k not in lower]
    if missing:
        raise FazhiError(
            f"{where}: no column {missing[0]!r}; the sheet needs report_id and item_order "
            "(as exported by `export_coding_sheet`)."
        )
    rid_col, ord_col = lower["report_id"], lower["item_order"]
    if coders is None:
        coder_cols = [c for c in raw.columns if c.lower().startswith("coder") or c.startswith("编码员")]
    else:
        coder_cols = [coders] if isinstance(coders, str) else list(coders)
        absent = [c for c in coder_cols if c not in raw.columns]
        if absent:
            raise invalid("coders", absent[0], [c for c in raw.columns])
    if not coder_cols:
        raise FazhiError(f"{where}: no coder column found; name coder columns coder_1, coder_2, … or pass `coders=`.")
    names = category_names(categories, aliases=aliases)
    problems = []
    used = []
    for c in coder_cols:
        if raw[c].map(_is_blank).all():
            problems.append({"row": None, "column": c, "value": "", "reason": "column is empty: coder not used"})
        else:
            used.append(c)
    rows, seen = [], {}
    for i, rec in enumerate(raw.to_dict("records")):
        excel_row = i + 2  # header is row 1
        if all(_is_blank(v) for v in rec.values()):
            continue  # a blank row
        rid, order = rec[rid_col], rec[ord_col]
        if _is_blank(rid) or _is_blank(order):
            problems.append(
                {
                    "row": excel_row,
                    "column": rid_col if _is_blank(rid) else ord_col,
                    "value": "",
                    "reason": "no report_id or item_order: the item cannot be identified",
                }
            )
            continue
        try:
            f = float(str(order).strip())
            if not f.is_integer():
                raise ValueError
            order = int(f)
        except ValueError:
            problems.append(
                {
                    "row": excel_row,
                    "column": ord_col,
                    "value": str(order),
                    "reason": "item_order is not a whole number",
                }
            )
            continue
        key = (str(rid).strip(), order)
        if key in seen:
            problems.append(
                {
                    "row": excel_row,
                    "column": rid_col,
                    "value": f"{key[0]} / {order}",
                    "reason": f"the same item as row {seen[key]}; the first row is used",
                }
            )
            continue
        seen[key] = excel_row
        out = {"report_id": key[0], "item_order": order, "row": excel_row}
        for c in used:
            codes, unknown = parse_codes(rec.get(c), names)
            if unknown:
                problems.append(
                    {
                        "row": excel_row,
                        "column": c,
                        "value": str(rec.get(c)),
                        "reason": f"not a category: {', '.join(unknown)} (cell not used)",
                    }
                )
                codes = None
            out[c] = codes
        if used and all(out[c] is None for c in used) and not any(p["row"] == excel_row for p in problems):
            problems.append(
                {
                    "row": excel_row,
                    "column": ", ".join(used),
                    "value": "",
                    "reason": "no coder filled this row",
                }
            )
        rows.append(out)
    codes = pd.DataFrame(rows, columns=["report_id", "item_order", "row", *used])
    return CodedSheet(codes, used, pd.DataFrame(problems, columns=PROBLEM_COLUMNS), where)


# ------------------------------------------------------------------------------------ scoring
def cohen_kappa(x, y) -> float:
    """Cohen's κ of two equally long label sequences; NaN when chance agreement is 1 (both constant).

    >>> cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0])
    0.5
    """
    x, y = list(x), list(y)
    n = len(x)
    if n == 0 or n != len(y):
        return float("nan")
    labels = sorted(set(x) | set(y), key=str)
    po = sum(a == b for a, b in zip(x, y)) / n
    pe = sum((x.count(v) / n) * (y.count(v) / n) for v in labels)
    if pe >= 1:
        return float("nan")
    return (po - pe) / (1 - pe)


def krippendorff_alpha(matrix) -> float:
    """Krippendorff's α (nominal) of a coders × units matrix (NaN = not coded); NaN when undefined."""
    import krippendorff

    data = np.asarray(matrix, dtype=float)
    values = data[~np.isnan(data)]
    if data.shape[0] < 2 or len(np.unique(values)) < 2:
        return float("nan")
    paired = (~np.isnan(data)).sum(axis=0) >= 2
    if not paired.any():
        return float("nan")
    return float(krippendorff.alpha(reliability_data=data[:, paired], level_of_measurement="nominal"))


def _ratio(num: float, den: float) -> float:
    return num / den if den else float("nan")


def binary_scores(rules: list[bool], coder: list[bool]) -> dict:
    """tp, fp, fn, tn, precision, recall, f1 and kappa of the rules' yes/no against a coder's."""
    tp = sum(r and c for r, c in zip(rules, coder))
    fp = sum(r and not c for r, c in zip(rules, coder))
    fn = sum(c and not r for r, c in zip(rules, coder))
    tn = len(rules) - tp - fp - fn
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    if tp + fp + fn == 0:
        f1 = float("nan")
    else:
        f1 = 2 * tp / (2 * tp + fp + fn)
    return {
        "n_items": len(rules),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "kappa": cohen_kappa(rules, coder),
    }


@dataclass
class Validation:
    """The rules scored against the coders, the coders against each other, and the unreadable rows."""

    scores: pd.DataFrame
    agreement: pd.DataFrame
    problems: pd.DataFrame
    items: pd.DataFrame = field(default_factory=pd.DataFrame)  # per item: rules' codes and each coder's

    def summary(self) -> str:
        """One sentence with the pooled figures (for a notebook)."""
        parts = []
        pooled = self.scores[self.scores["category"] == ALL]
        for r in pooled.itertuples():
            parts.append(
                f"rules vs {r.coder}: precision {r.precision:.2f}, recall {r.recall:.2f}, "
                f"F1 {r.f1:.2f}, κ {r.kappa:.2f} on {r.n_items} items"
            )
        agree = self.agreement[self.agreement["category"] == ALL]
        if not agree.empty:
            a = agree.iloc[0]
            parts.append(f"between coders κ {a.kappa:.2f}, α {a.alpha:.2f}")
        n_bad = len(self.problems)
        parts.append(f"{n_bad} unreadable or uncoded row{'s' if n_bad != 1 else ''} listed")
        return "; ".join(parts) + "."


def validate(
    corpus,
    coded: CodedSheet | str | Path,
    *,
    rules: pd.DataFrame | None = None,
    categories: list[tuple[str, str, str]] | None = None,
) -> Validation:
    """Score the rules' categories (`problem_item_categories`, or `rules`) against each coder.

    Items of the sheet that are not problem items of `corpus` are added to `problems`. Returns a
    `Validation` with `scores` (coder, category, label, n_items, tp, fp, fn, tn, precision, recall,
    f1, kappa; one `(all)` row per coder pooling every decision), `agreement` (category, label,
    n_items coded by two or more coders, n_coders, kappa, alpha) and `problems`.
    """
    if not isinstance(coded, CodedSheet):
        coded = read_coding_sheet(coded, categories=categories)
    cats = _typology() if categories is None else categories
    table = _rules_table(corpus, rules)
    by_item: dict[tuple[str, int], set[str]] = {}
    for r, o, c in zip(table["report_id"], table["item_order"], table["category"]):
        by_item.setdefault((r, int(o)), set()).add(c)
    known = set(zip(corpus.problem_items["report_id"], corpus.problem_items["item_order"].astype(int)))
    problems = [coded.problems]
    codes = coded.codes
    if not codes.empty:
        in_corpus = [(r, int(o)) in known for r, o in zip(codes["report_id"], codes["item_order"])]
        extra = codes.loc[[not k for k in in_corpus]]
        if not extra.empty:
            problems.append(
                pd.DataFrame(
                    {
                        "row": extra["row"],
                        "column": "report_id",
                        "value": [f"{r} / {o}" for r, o in zip(extra["report_id"], extra["item_order"])],
                        "reason": "not a problem item of this corpus (rebuilt? another corpus?); row not used",
                    }
                )
            )
        codes = codes.loc[in_corpus].reset_index(drop=True)
    items = codes[["report_id", "item_order"]].copy()
    items["rules"] = [
        frozenset(by_item.get((r, int(o)), set())) for r, o in zip(codes["report_id"], codes["item_order"])
    ]
    for c in coded.coders:
        items[c] = codes[c]
    score_rows = []
    for coder in coded.coders:
        done = items[items[coder].notna()]
        pooled_r, pooled_c = [], []
        for code, label, _ in cats:
            r = [code in s for s in done["rules"]]
            c = [code in s for s in done[coder]]
            pooled_r += r
            pooled_c += c
            score_rows.append({"coder": coder, "category": code, "label": label, **binary_scores(r, c)})
        score_rows.append({"coder": coder, "category": ALL, "label": "全部", **binary_scores(pooled_r, pooled_c)})
        score_rows[-1]["n_items"] = len(done)
    agreement_rows = []
    if len(coded.coders) >= 2:
        pooled = {c: [] for c in coded.coders}
        for code, label, _ in list(cats) + [(ALL, "全部", "")]:
            if code == ALL:
                series = pooled
            else:
                series = {
                    c: [
                        np.nan if s is None or (isinstance(s, float) and math.isnan(s)) else float(code in s)
                        for s in items[c]
                    ]
                    for c in coded.coders
                }
                for c in coded.coders:
                    pooled[c] += series[c]
            matrix = np.array([series[c] for c in coded.coders], dtype=float)
            both = (~np.isnan(matrix)).sum(axis=0) >= 2
            kappas = []
            for a, b in itertools.combinations(range(len(coded.coders)), 2):
                ok = ~np.isnan(matrix[a]) & ~np.isnan(matrix[b])
                if ok.any():
                    kappas.append(cohen_kappa(matrix[a][ok].tolist(), matrix[b][ok].tolist()))
            kappa = float(np.mean(kappas)) if kappas and not any(math.isnan(k) for k in kappas) else float("nan")
            n_units = int(both.sum()) if code != ALL else int(both.sum() / max(len(cats), 1))
            agreement_rows.append(
                {
                    "category": code,
                    "label": label,
                    "n_items": n_units,
                    "n_coders": len(coded.coders),
                    "kappa": kappa,
                    "alpha": krippendorff_alpha(matrix),
                }
            )
    problems_df = (
        pd.concat([p for p in problems if not p.empty], ignore_index=True)
        if any(not p.empty for p in problems)
        else pd.DataFrame(columns=PROBLEM_COLUMNS)
    )
    if not problems_df.empty:
        problems_df = problems_df.sort_values("row", na_position="first", kind="stable").reset_index(drop=True)
    items["rules"] = items["rules"].map(_show)
    for c in coded.coders:
        items[c] = items[c].map(_show)
    return Validation(
        pd.DataFrame(score_rows, columns=SCORE_COLUMNS),
        pd.DataFrame(agreement_rows, columns=AGREEMENT_COLUMNS),
        problems_df,
        items,
    )


def _show(codes) -> str | None:
    if codes is None or (isinstance(codes, float) and math.isnan(codes)):
        return None
    return ";".join(sorted(codes)) if codes else "无"


# ---------------------------------------------------------------- the typology's own reference
def check_reference(reference: pd.DataFrame, *, categories=None):
    """The typology's rules scored against a hand-coded reference (`read_reference`), with the
    project's `validation.validate`: a `Validation` whose `scores` hold per category (and pooled,
    `(all)`) the items, tp, fp, fn, precision, recall, F1 and κ of the rules against the coding, and
    whose `items` show each item's codes by the rules and by the coder (`coded`). `categories`: score
    another typology (`parse_typology` of an edited or earlier rule file) on the same items."""
    items = pd.DataFrame(
        {
            "report_id": reference["source"] + "/" + reference["report"],
            "item_order": reference["item_order"].astype(int),
            "heading": reference["heading"],
            "text": reference["text"],
            "start": None,
        }
    )
    sheet = read_coding_sheet(
        items[["report_id", "item_order"]].assign(coded=reference["coded"].values), coders="coded"
    )
    rules = categorise_items(items, categories=categories)
    return validate(Corpus({"problem_items": items}), sheet, rules=rules)


def reference_table(result) -> pd.DataFrame:
    """Per category: items coded, items the rules gave, agreed, precision, recall and F1 (from
    `check_reference`), one row per category in file order and a last `(all)` row."""
    scores = result.scores
    table = pd.DataFrame(
        {
            "category": scores["category"],
            "label": scores["label"],
            "coded": scores["tp"] + scores["fn"],
            "rules": scores["tp"] + scores["fp"],
            "agreed": scores["tp"],
            "precision": scores["precision"].round(2),
            "recall": scores["recall"].round(2),
            "f1": scores["f1"].round(2),
        }
    )
    return table.reset_index(drop=True)
