"""`fazhi export`: the built tables for Stata, SPSS, Excel and R, labelled from the codebook.

>>> result = export("data/processed", "data/processed/export")         # doctest: +SKIP
>>> print(result.summary())                                             # doctest: +SKIP

Writes into the export folder (default `PROCESSED/export`):
- `stata/<table>.dta` — Stata 14+ format (version 118: Unicode), variable labels (Chinese label and
  meaning, cut to Stata's 80 characters; the full text is in the codebook), columns with allowed values
  stored as integers 1…k with value labels whose text is the code (`level`: 1 = township, …),
  booleans as 0/1 labelled false/true, dates as Stata dates (%td), texts longer than 2,045 bytes as
  strL; columns whose names Stata reserves (`end`, `in`, …) renamed with a trailing underscore;
  missing text is empty (Stata has no missing string);
- `spss/<table>.sav` — the same labels (pyreadstat; zlib-compressed, readable by SPSS 21 or later,
  R's haven and pyreadstat: 5 × smaller than uncompressed on these text tables); a text longer than
  SPSS's 32,767 bytes is split into consecutive columns `text`, `text_2`, `text_3` … (join them to get
  the text back);
- `fazhi_tables.xlsx` — sheet `about` (what was changed, below), sheet `codebook`, then one sheet per
  table; every text cell is written as text (report ids and division codes stay text, a cell starting
  with `=` is never a formula); a text longer than Excel's 32,767 characters is split into
  continuation columns as for SPSS; control characters Excel cannot hold are replaced by U+FFFD and
  counted; a table longer than Excel's 1,048,575 data rows continues on a sheet `table (2)`;
- `parquet/<table>.parquet` — for R (`arrow::read_parquet`) and Python: dates as Arrow dates, each
  field's codebook description and Chinese label in its metadata;
- `dfm/` — a document–feature matrix (`dfm.py`): `dfm.mtx` (Matrix Market), `features.txt`,
  `docvars.csv`;
- `export_notes.md` — every renamed, split, encoded or replaced column, and the files written.

Nothing is cut in silence: every change to fit a format is listed in the notes and the `about` sheet.
fazhi only replaces files it wrote itself (listed in `export_manifest.json`); any other file in the
folder stops the export with its name.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .codebook import Codebook, load_codebook
from .errors import FazhiError, invalid

FORMATS = ("dta", "sav", "xlsx", "parquet", "dfm")
MANIFEST = "export_manifest.json"
WORKBOOK = "fazhi_tables.xlsx"
STATA_STR_MAX = 2045  # bytes of a Stata str# (version 117/118); longer texts become strL
STATA_LABEL_MAX = 80  # characters of a variable or data label
SPSS_STR_MAX = 32767  # bytes of an SPSS string
EXCEL_CELL_MAX = 32767  # characters (UTF-16 code units) of an Excel cell
EXCEL_ROWS_MAX = 1_048_575  # data rows of an Excel sheet (one row is the header)
# Names Stata (and pandas' Stata writer) reserve: a column so named gets a trailing underscore.
STATA_RESERVED = frozenset(
    [
        "aggregate",
        "array",
        "boolean",
        "break",
        "byte",
        "case",
        "catch",
        "class",
        "colvector",
        "complex",
        "const",
        "continue",
        "default",
        "delegate",
        "delete",
        "do",
        "double",
        "else",
        "eltypedef",
        "end",
        "enum",
        "explicit",
        "export",
        "external",
        "float",
        "for",
        "friend",
        "function",
        "global",
        "goto",
        "if",
        "inline",
        "int",
        "local",
        "long",
        "NULL",
        "pragma",
        "protected",
        "quad",
        "rowvector",
        "short",
        "typedef",
        "typename",
        "virtual",
        "_all",
        "_N",
        "_skip",
        "_b",
        "_pi",
        "str#",
        "in",
        "_pred",
        "strL",
        "_coef",
        "_rc",
        "using",
        "_cons",
        "_se",
        "with",
        "_n",
    ]
)
SPSS_RESERVED = frozenset(["ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"])
# Control characters an .xlsx cell cannot hold (as openpyxl's ILLEGAL_CHARACTERS_RE).
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ID_COLUMNS = ("report_id", "adcode", "sha256", "template_peer", "previous_report_id", "index_no")


@dataclass
class ExportResult:
    """What `export` wrote: files (path → bytes) and the notes on every change made to fit a format."""

    out_dir: Path
    files: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{len(self.files)} files -> {self.out_dir}"]
        lines += [f"  {name:40s} {size / 1024:10.1f} KiB" for name, size in sorted(self.files.items())]
        return "\n".join(lines)


# ------------------------------------------------------------------------------ helpers
def split_text(text: str, limit: int, *, unit: str = "chars") -> list[str]:
    """`text` cut into consecutive pieces of at most `limit` units (`chars`, `bytes` of UTF-8, or
    `utf16` code units), never inside a character; "".join(pieces) == text.

    >>> split_text("法治政府", 2)
    ['法治', '政府']
    >>> split_text("法治政府", 7, unit="bytes")
    ['法治', '政府']
    """
    if unit not in ("chars", "bytes", "utf16"):
        raise invalid("unit", unit, ("chars", "bytes", "utf16"))
    if unit == "chars":
        return [text[i : i + limit] for i in range(0, len(text), limit)] or [""]
    pieces, start, size = [], 0, 0
    for i, ch in enumerate(text):
        n = len(ch.encode("utf-8")) if unit == "bytes" else (2 if ord(ch) > 0xFFFF else 1)
        if size + n > limit:
            pieces.append(text[start:i])
            start, size = i, 0
        size += n
    pieces.append(text[start:])
    return pieces


def _measure(text: str, unit: str) -> int:
    if unit == "bytes":
        return len(text.encode("utf-8"))
    if unit == "utf16":
        return len(text.encode("utf-16-le")) // 2
    return len(text)


def split_long_texts(
    df: pd.DataFrame, limit: int, *, unit: str, table: str, notes: list[str], fmt: str
) -> pd.DataFrame:
    """Text columns with a value over `limit` → that column plus continuation columns `col_2`, …"""
    out = {}
    for col in df.columns:
        s = df[col]
        if not (pd.api.types.is_string_dtype(s) or s.dtype == object):
            out[col] = s
            continue
        values = [v if isinstance(v, str) else None for v in s]
        longest = max((_measure(v, unit) for v in values if v), default=0)
        if longest <= limit:
            out[col] = s
            continue
        pieces = [split_text(v, limit, unit=unit) if v else [v] for v in values]
        k = max(len(p) for p in pieces)
        names = [col] + [_free_name(f"{col}_{i}", set(df.columns) | set(out)) for i in range(2, k + 1)]
        for j, name in enumerate(names):
            out[name] = pd.Series(
                [p[j] if j < len(p) else ("" if p[0] is not None else None) for p in pieces],
                index=df.index,
                dtype=object,
            )
        n_long = sum(1 for p in pieces if len(p) > 1)
        notes.append(
            f"{fmt}: {table}.{col}: {n_long} value(s) longer than {limit:,} {unit} split into "
            f"{', '.join(names)} (join them in order to get the text back)"
        )
    return pd.DataFrame(out, index=df.index)


def _free_name(name: str, taken: set[str]) -> str:
    while name in taken:
        name += "_"
    return name


def _prepare_dir(out_dir: Path, targets: list[str]) -> dict:
    """Create `out_dir`; refuse when a target file exists that fazhi did not write."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / MANIFEST
    written = {}
    if path.exists():
        try:
            written = json.loads(path.read_text(encoding="utf-8")).get("files", {})
        except (ValueError, AttributeError):
            raise FazhiError(f"{path} is not an export manifest fazhi wrote; choose another --out folder.") from None
    for rel in targets:
        target = out_dir / rel
        if target.exists() and rel not in written:
            raise FazhiError(
                f"{target} exists and was not written by `fazhi export`; move it or choose "
                "another --out folder (fazhi never overwrites a file it did not write)."
            )
    return written


def _write_atomic(target: Path, write) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def _label(col: dict | None, name: str, limit: int = STATA_LABEL_MAX) -> str:
    if col is None:
        return name[:limit]
    text = f"{col.get('label', '')} {' '.join(str(col.get('description', '')).split())}".strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ------------------------------------------------------------------------------ labelled frames
@dataclass
class Labelled:
    """A table made ready for a labelled format: the frame, labels and the notes on what changed."""

    frame: pd.DataFrame
    variable_labels: dict[str, str]
    value_labels: dict[str, dict[int, str]]
    dates: list[str]


def labelled_frame(
    table: str,
    df: pd.DataFrame,
    book: Codebook,
    *,
    fmt: str,
    notes: list[str],
    reserved: frozenset[str] = frozenset(),
    case_insensitive: bool = False,
) -> Labelled:
    """Columns → plain numpy types with codes and value labels (see the module docstring)."""
    out, var_labels, val_labels, dates = {}, {}, {}, []
    taken = set()
    renamed = []
    for name in df.columns:
        col = book.column(table, name)
        ctype = col["type"] if col else None
        new = name
        if (new.upper() if case_insensitive else new) in reserved:
            new = _free_name(f"{name}_", set(df.columns) | taken)
            renamed.append(f"{name} → {new}")
        taken.add(new)
        s = df[name]
        values = book.values(table, name) if col else {}
        if ctype == "boolean" or pd.api.types.is_bool_dtype(s):
            x = s.astype("boolean")
            out[new] = x.astype("float64") if x.isna().any() else x.astype("int8")
            val_labels[new] = {0: "false", 1: "true"}
        elif values and ctype == "string":
            codes = {code: i for i, code in enumerate(values, start=1)}
            present = {v for v in s.dropna().unique() if v != ""}
            unknown = sorted(present - set(codes))
            if unknown:
                notes.append(
                    f"{fmt}: {table}.{name} kept as text: values outside the codebook "
                    f"({', '.join(map(str, unknown[:5]))})"
                )
                out[new] = s.astype(object).where(s.notna(), "").astype(str)
            else:
                mapped = s.map(lambda v, codes=codes: codes.get(v, np.nan) if isinstance(v, str) else np.nan)
                if mapped.notna().all():
                    mapped = mapped.astype("int16" if len(codes) > 100 else "int8")
                out[new] = mapped
                val_labels[new] = {i: code for code, i in codes.items()}
        elif ctype == "integer" or pd.api.types.is_integer_dtype(s):
            x = pd.to_numeric(s, errors="coerce")
            fits = x.dropna().abs().max() < 2_000_000_000 if x.notna().any() else True
            out[new] = x.astype("int32") if (x.notna().all() and fits) else x.astype("float64")
            if values:
                val_labels[new] = {int(k): v for k, v in values.items()}
        elif ctype == "number" or pd.api.types.is_numeric_dtype(s):
            out[new] = pd.to_numeric(s, errors="coerce").astype("float64")
        elif ctype == "date":
            parsed = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
            bad = s.notna() & (s.astype(object) != "") & parsed.isna()
            if bad.any():
                notes.append(f"{fmt}: {table}.{name} kept as text: {int(bad.sum())} value(s) are not ISO dates")
                out[new] = s.astype(object).where(s.notna(), "").astype(str)
            else:
                out[new] = parsed.astype("datetime64[ns]")
                dates.append(new)
        else:
            out[new] = s.astype(object).where(s.notna(), "").map(str)
        var_labels[new] = _label(col, name)
    if renamed:
        notes.append(f"{fmt}: {table}: renamed (reserved words): {', '.join(renamed)}")
    return Labelled(pd.DataFrame(out, index=df.index).reset_index(drop=True), var_labels, val_labels, dates)


# ------------------------------------------------------------------------------ writers
def _strl_pays(values: pd.Series) -> bool:
    """A text column goes to strL when it must (a value over 2,045 bytes) or when strL is smaller: a
    str# column is as wide as its longest value in every row, a strL costs its bytes plus about 24
    bytes a row."""
    sizes = [len(v.encode("utf-8")) for v in values]
    if not sizes:
        return False
    longest = max(sizes)
    return longest > STATA_STR_MAX or (longest > 244 and len(sizes) * longest > sum(sizes) + 24 * len(sizes))


def write_stata(table: str, df: pd.DataFrame, path: Path, book: Codebook, notes: list[str]) -> None:
    """One table as a Stata .dta (version 118): see the module docstring."""
    lab = labelled_frame(table, df, book, fmt="dta", notes=notes, reserved=STATA_RESERVED)
    frame = lab.frame
    strl = [
        c
        for c in frame.columns
        if (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])) and _strl_pays(frame[c])
    ]
    entry = book.table(table) or {}
    data_label = _label({"label": entry.get("label", ""), "description": entry.get("title", table)}, table)

    def write(tmp):
        frame.to_stata(
            tmp,
            write_index=False,
            version=118,
            variable_labels=lab.variable_labels,
            value_labels=lab.value_labels or None,
            convert_strl=strl,
            convert_dates={c: "td" for c in lab.dates},
            data_label=data_label,
        )

    _write_atomic(path, write)
    if strl:
        notes.append(f"dta: {table}: long texts stored as strL (whole, not cut): {', '.join(strl)}")


def write_spss(table: str, df: pd.DataFrame, path: Path, book: Codebook, notes: list[str]) -> None:
    """One table as an SPSS .sav (pyreadstat): labels as for Stata, long texts split."""
    import pyreadstat

    lab = labelled_frame(table, df, book, fmt="sav", notes=notes, reserved=SPSS_RESERVED, case_insensitive=True)
    frame = split_long_texts(lab.frame, SPSS_STR_MAX, unit="bytes", table=table, notes=notes, fmt="sav")
    labels = {c: lab.variable_labels.get(c, f"continuation of {c.rsplit('_', 1)[0]}") for c in frame.columns}
    formats = {c: "DATE10" for c in lab.dates}
    for c in lab.dates:  # pyreadstat writes datetime64 as datetimes; dates as date objects
        frame[c] = frame[c].map(lambda v: v.date() if pd.notna(v) else None)

    def write(tmp):
        pyreadstat.write_sav(
            frame,
            tmp,
            column_labels=labels,
            compress=True,
            variable_value_labels=lab.value_labels or None,
            variable_format=formats or None,
            file_label=_label({"label": (book.table(table) or {}).get("label", ""), "description": table}, table, 64),
        )

    _write_atomic(path, write)


def _excel_cell(ws, value, *, as_text: bool):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"  # never a formula, never a number
    if as_text:
        cell.number_format = "@"
    return cell


def write_excel(
    tables: dict[str, pd.DataFrame], path: Path, book: Codebook, notes: list[str], about: list[str]
) -> None:
    """One workbook: `about`, `codebook`, then one sheet per table (see the module docstring)."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    sheets = []  # (sheet name, header, rows) in order, built before writing: the notes go on `about`
    for name, df in tables.items():
        frame = split_long_texts(df, EXCEL_CELL_MAX, unit="utf16", table=name, notes=notes, fmt="xlsx")
        cols = list(frame.columns)
        text_cols = {c for c in cols if pd.api.types.is_string_dtype(frame[c]) or frame[c].dtype == object}
        for c in sorted(text_cols):
            bad = frame[c].map(lambda v: isinstance(v, str) and _ILLEGAL_XLSX.search(v) is not None)
            if bad.any():
                frame[c] = frame[c].map(lambda v: _ILLEGAL_XLSX.sub("\ufffd", v) if isinstance(v, str) else v)
                notes.append(f"xlsx: {name}.{c}: control characters replaced by U+FFFD in {int(bad.sum())} cell(s)")
        chunks = range(0, max(len(frame), 1), EXCEL_ROWS_MAX)
        for k, start in enumerate(chunks):
            sheet = name[:31] if k == 0 else f"{name[:25]} ({k + 1})"
            sheets.append((sheet, name, cols, text_cols, frame.iloc[start : start + EXCEL_ROWS_MAX]))
        if len(chunks) > 1:
            notes.append(f"xlsx: {name}: {len(frame):,} rows continue on {len(chunks)} sheets")
    ws = wb.create_sheet("about")
    for line in about + notes:
        ws.append([_excel_cell(ws, line, as_text=False)])
    ws = wb.create_sheet("codebook")
    ws.append(["table", "column", "type", "label", "description", "unit", "values"])
    for tname, entry in book.tables.items():
        for col in entry.get("columns", []):
            values = "; ".join(f"{k} = {v}" for k, v in book.values(tname, col["name"]).items())
            ws.append(
                [
                    _excel_cell(ws, str(v), as_text=False)
                    for v in (
                        tname,
                        col["name"],
                        col["type"],
                        col.get("label", ""),
                        " ".join(str(col.get("description", "")).split()),
                        col.get("unit", ""),
                        values,
                    )
                ]
            )
    for sheet, _name, cols, _text_cols, part in sheets:
        ws = wb.create_sheet(sheet)
        ws.append(cols)
        ids = {c for c in cols if c in _ID_COLUMNS or c.endswith("_id")}
        for row in part.itertuples(index=False, name=None):
            cells = []
            for c, v in zip(cols, row):
                if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
                    cells.append(None)
                elif isinstance(v, str):
                    cells.append(_excel_cell(ws, v, as_text=c in ids) if (c in ids or v.startswith("=")) else v)
                elif isinstance(v, (np.integer, np.floating, np.bool_)):
                    cells.append(v.item())
                else:
                    cells.append(v)
            ws.append(cells)
    _write_atomic(path, wb.save)


def write_parquet(table: str, df: pd.DataFrame, path: Path, book: Codebook) -> None:
    """One table as Parquet for R and Python: dates as Arrow dates, codebook text in field metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = df.copy()
    for c in frame.columns:
        col = book.column(table, c)
        if col and col["type"] == "date":
            parsed = pd.to_datetime(frame[c], format="%Y-%m-%d", errors="coerce")
            if not (frame[c].notna() & parsed.isna()).any():
                frame[c] = parsed.dt.date
    arrow = pa.Table.from_pandas(frame, preserve_index=False)
    fields = []
    for f in arrow.schema:
        col = book.column(table, f.name)
        meta = (
            {"description": " ".join(str(col.get("description", "")).split()), "label": col.get("label", "")}
            if col
            else {}
        )
        values = book.values(table, f.name) if col else {}
        if values:
            meta["values"] = json.dumps({str(k): v for k, v in values.items()}, ensure_ascii=False)
        fields.append(f.with_metadata({k: str(v) for k, v in meta.items()}))
    entry = book.table(table) or {}
    schema = pa.schema(
        fields, metadata={**(arrow.schema.metadata or {}), b"description": str(entry.get("description", "")).encode()}
    )
    _write_atomic(path, lambda tmp: pq.write_table(arrow.cast(schema), tmp, compression="zstd"))


# ------------------------------------------------------------------------------ the command
def _targets(names: list[str], formats) -> list[str]:
    out = []
    for fmt in formats:
        if fmt == "dta":
            out += [f"stata/{n}.dta" for n in names]
        elif fmt == "sav":
            out += [f"spss/{n}.sav" for n in names]
        elif fmt == "xlsx":
            out.append(WORKBOOK)
        elif fmt == "parquet":
            out += [f"parquet/{n}.parquet" for n in names]
        elif fmt == "dfm":
            from .dfm import DFM_FILES

            out += [f"dfm/{f}" for f in DFM_FILES]
    return out + ["export_notes.md"]


def export(
    processed_dir: str | Path = "data/processed",
    out_dir: str | Path | None = None,
    *,
    formats=FORMATS,
    tables=None,
    dfm_by: str = "report",
) -> ExportResult:
    """Export the tables `fazhi build` wrote in `processed_dir` (see the module docstring).

    `formats`: any of dta, sav, xlsx, parquet, dfm; `tables`: names of tables (default: all);
    `dfm_by`: documents of the matrix, `report` or `part`."""
    from .corpus import load_corpus

    formats = [formats] if isinstance(formats, str) else list(formats)
    for fmt in formats:
        if fmt not in FORMATS:
            raise invalid("format", fmt, FORMATS)
    corpus = load_corpus(processed_dir)
    names = sorted(corpus.tables)
    if tables is not None:
        tables = [tables] if isinstance(tables, str) else list(tables)
        for t in tables:
            if t not in corpus.tables:
                raise invalid("table", t, names)
        names = [n for n in names if n in tables]
    out_dir = Path(out_dir) if out_dir is not None else Path(processed_dir) / "export"
    targets = _targets(names, formats)
    _prepare_dir(out_dir, targets)
    book = load_codebook()
    result = ExportResult(out_dir)
    notes = result.notes
    for fmt in formats:
        if fmt == "dta":
            for n in names:
                write_stata(n, corpus.tables[n], out_dir / "stata" / f"{n}.dta", book, notes)
        elif fmt == "sav":
            for n in names:
                write_spss(n, corpus.tables[n], out_dir / "spss" / f"{n}.sav", book, notes)
        elif fmt == "parquet":
            for n in names:
                write_parquet(n, corpus.tables[n], out_dir / "parquet" / f"{n}.parquet", book)
        elif fmt == "dfm":
            from .dfm import document_feature_matrix, write_dfm

            write_dfm(document_feature_matrix(corpus, by=dfm_by), out_dir / "dfm")
    about = [
        (
            f"fazhi export of {Path(processed_dir)} (fazhi {corpus.manifest.get('fazhi_version', '')}, "
            f"input {corpus.manifest.get('input_fingerprint', '')[:12]})"
        ),
        "Column meanings: sheet `codebook` (and datapackage.json beside the tables).",
        "Every change made to fit Excel, Stata or SPSS is listed below; nothing was cut.",
    ]
    if "xlsx" in formats:
        write_excel({n: corpus.tables[n] for n in names}, out_dir / WORKBOOK, book, notes, about)
    body = "# fazhi export notes\n\n" + "\n".join(f"- {line}" for line in about + (notes or ["no changes were needed"]))
    _write_atomic(out_dir / "export_notes.md", lambda tmp: Path(tmp).write_text(body + "\n", encoding="utf-8"))
    for rel in targets:
        if (out_dir / rel).exists():
            result.files[rel] = (out_dir / rel).stat().st_size
    manifest = {"files": result.files, "formats": formats, "tables": names}
    _write_atomic(
        out_dir / MANIFEST,
        lambda tmp: Path(tmp).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        ),
    )
    return result
