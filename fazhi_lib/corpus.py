"""The corpus tables: the `Corpus` that holds them, writing them (`Corpus.save`, `write_table`,
`write_partitioned`), reading them back (`load_corpus`, `read_partitioned`), and the guards a notebook
puts at its top (`require_reports`, `select`). `fazhi_lib.pipeline.build_corpus` makes them.

>>> corpus = load_corpus("data/processed")                              # doctest: +SKIP
>>> corpus.reports[["issuer", "level", "report_year"]].head(2)          # doctest: +SKIP
>>> corpus.part_texts("problems")                                       # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .codebook import DATAPACKAGE, write_datapackage
from .errors import FazhiError, invalid
from .metadata import LEVELS
from .parts import write_table  # (one Parquet + CSV file: a whole table, or one part of a per-file table)
from .sections import SECTION_KINDS

# Column order of the core tables (the data dictionary in README.md explains each column).
REPORT_COLUMNS = [
    "report_id",
    "source_file",
    "sha256",
    "format",
    "encoding",
    "converted_from",
    "title",
    "issuer",
    "issuer_full",
    "issuer_source",
    "level",
    "province",
    "prefecture",
    "county",
    "report_year",
    "report_year_source",
    "publish_date",
    "written_date",
    "index_no",
    "publisher",
    "n_chars",
    "part_kinds",
    "missing_parts",
    "n_problem_items",
    "printed_twice",
    "status",
    "warnings",
]
SECTION_COLUMNS = [
    "report_id",
    "order",
    "depth",
    "number",
    "marker",
    "heading",
    "kind",
    "part_order",
    "start",
    "end",
    "raw_start",
    "raw_end",
    "text",
]
PART_COLUMNS = [
    "report_id",
    "part_order",
    "kind",
    "heading",
    "marker",
    "intro",
    "start",
    "end",
    "raw_start",
    "raw_end",
    "text",
]
ITEM_COLUMNS = [
    "report_id",
    "item_order",
    "item_no",
    "marker",
    "heading",
    "text",
    "start",
    "end",
    "raw_start",
    "raw_end",
]
LOG_COLUMNS = ["source_file", "report_id", "status", "messages"]
TEXT_COLUMNS = ["report_id", "text"]
CORE_TABLES = ("reports", "texts", "sections", "parts", "problem_items", "parse_log")
DATASET_DIRNAME = "dataset"  # write_partitioned: OUT/dataset/
PARTITION_COLUMN = "report_year"


# ---------------------------------------------------------------- the corpus
@dataclass
class Corpus:
    """The corpus tables. `tables` holds frames in memory; `store` (a `parts.PartSet`, from a build
    that streamed its rows to disk) holds per-file tables as part files, read on first use."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)
    store: object = None

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        store = self.__dict__.get("store")
        if store is not None and name in store.keys:
            tables[name] = store.read(name)
            return tables[name]
        if name in CORE_TABLES:
            return pd.DataFrame()
        raise AttributeError(f"Corpus has no table {name!r}; tables: {', '.join(sorted(tables))}")

    def materialise(self) -> Corpus:
        """Every table in memory (the stored parts read back)."""
        store = self.__dict__.get("store")
        if store is not None:
            for name in store.keys:
                if name not in self.tables:
                    self.tables[name] = store.read(name)
        return self

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={len(v)}" for k, v in sorted(self.tables.items()))
        return f"Corpus({sizes})"

    @property
    def empty(self) -> bool:
        return self.reports.empty

    def filter(
        self,
        *,
        years=None,
        levels=None,
        provinces=None,
        regions=None,
        issuers=None,
        prefectures=None,
        counties=None,
        report_ids=None,
    ) -> Corpus:
        """The same tables restricted to matching reports. Each filter takes one value or a list."""
        reports = self.reports
        mask = pd.Series(True, index=reports.index)

        def as_list(v):
            return [v] if isinstance(v, (str, int)) else list(v)

        if levels is not None:
            bad = [v for v in as_list(levels) if v not in LEVELS]
            if bad:
                raise invalid("levels", bad[0], LEVELS)
            mask &= reports["level"].isin(as_list(levels))
        if years is not None:
            try:
                wanted = [int(y) for y in as_list(years)]
            except (TypeError, ValueError):
                raise FazhiError(
                    f"`years` = {years!r} is not valid; give a year such as 2024 or a list of years."
                ) from None
            mask &= reports["report_year"].isin(wanted)
        for name, column, value in (
            ("provinces", "province", provinces),
            ("regions", "region", regions),
            ("issuers", "issuer", issuers),
            ("prefectures", "prefecture", prefectures),
            ("counties", "county", counties),
            ("report_ids", "report_id", report_ids),
        ):
            if value is None:
                continue
            if column not in reports.columns:
                raise FazhiError(
                    f"`{name}` cannot be used: the reports table has no `{column}` column (rebuild with `fazhi build`)."
                )
            mask &= reports[column].isin(as_list(value))
        keep = set(reports.loc[mask, "report_id"])
        tables = {}
        for name, df in self.tables.items():
            if "report_id" in df.columns and name != "parse_log":
                tables[name] = df[df["report_id"].isin(keep)].reset_index(drop=True)
            else:
                tables[name] = df
        return Corpus(tables, dict(self.manifest))

    def part_texts(self, kind: str = "problems") -> pd.DataFrame:
        """The text of one part kind across reports, one row per report (parts of the same kind joined)."""
        if kind not in SECTION_KINDS:
            raise invalid("part_kind", kind, SECTION_KINDS)
        parts = self.parts
        cols = ["report_id", "issuer", "report_year", "level"] + [
            c for c in ("province", "region") if c in self.reports.columns
        ]
        if parts.empty:
            return pd.DataFrame(columns=cols + ["text"])
        sel = parts[parts["kind"] == kind].sort_values(["report_id", "part_order"])
        joined = sel.groupby("report_id", sort=True)["text"].agg(lambda s: "".join(s)).reset_index()
        out = self.reports[cols].merge(joined, on="report_id", how="inner")
        return out.sort_values(["report_year", "issuer", "report_id"], na_position="last").reset_index(drop=True)

    def save(self, out_dir: str | Path, *, csv: bool = True, inputs=(), partitioned: bool = False) -> Path:
        """Write every table as Parquet and CSV (UTF-8 with BOM, for Excel), replacing the folder atomically.

        Per-file tables are written as part files (`OUT/<table>/part-NNNNN.parquet`, see `parts.py`):
        the parts of `store` are linked into the new folder, not copied or rewritten; tables in memory
        are written as one part. Whole tables (reports, parse_log, ...) are `OUT/<table>.parquet`.
        Only a folder fazhi wrote is replaced, and never one that is, holds or lies in an `inputs`
        folder (`outdir.check_output_dir`); `partitioned` adds `dataset/` (`write_partitioned`) inside
        the same swap. The manifest lists the files written.
        """
        from .outdir import replace_dir

        if partitioned:
            self.materialise()

        def write(tmp: Path) -> None:
            store, whole = _save_parts(self, tmp, csv=csv)
            for name, df in sorted(whole.items()):
                write_table(df, tmp / name, csv=csv)
            if partitioned:
                write_partitioned(self, tmp)
            files = [p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file()]
            files = sorted([*(f for f in files if not f.startswith(f"{DATASET_DIRNAME}/")), DATAPACKAGE])
            manifest = {**self.manifest, "files": files}
            if store is not None:
                manifest["layout"] = store.layout()
                manifest["tables"] = {
                    **{n: len(df) for n, df in whole.items()},
                    **{n: store.rows(n) for n in store.keys},
                }
            (tmp / "manifest.json").write_text(
                json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8"
            )
            _write_package(tmp, whole, store, csv=csv, manifest=manifest)  # the codebook travels with the data

        return replace_dir(out_dir, write, inputs=inputs)


def _part_tables(tables: dict[str, pd.DataFrame]) -> list[str]:
    """The tables in memory that are written as parts: per-file tables (not `parts.WHOLE_TABLES`) whose
    every row names a report of `reports` (report_id, unique there)."""
    from .parts import WHOLE_TABLES

    reports = tables.get("reports")
    if reports is None or reports.empty or not {"report_id", "source_file", "sha256"} <= set(reports.columns):
        return []
    if reports["report_id"].isna().any() or not reports["report_id"].is_unique:
        return []
    ids = set(reports["report_id"])
    return [
        name
        for name, df in sorted(tables.items())
        if name not in WHOLE_TABLES and "report_id" in df.columns and len(df) and set(df["report_id"]) <= ids
    ]


def _save_parts(corpus: Corpus, tmp: Path, *, csv: bool):
    """Write the per-file tables into `tmp`: the parts of `corpus.store` linked (or copied), CSV
    copies added where a part has none and `csv` asks for them; else the per-file tables in memory as
    one part. Returns (the PartSet written, the whole tables to write)."""
    from .parts import PartSet, group_by_file, link_or_copy, sort_keys, write_part

    tables = dict(corpus.tables)
    store = corpus.__dict__.get("store")
    if store is not None:
        out = PartSet([], dict(store.keys), store.signature)
        for p in store.parts:
            for name in store.keys:
                if not p.path(name).is_file():
                    continue
                link_or_copy(p.path(name), tmp / name / f"{p.name}.parquet")
                if csv and p.path(name, ".csv").is_file():
                    link_or_copy(p.path(name, ".csv"), tmp / name / f"{p.name}.csv")
                elif csv:
                    write_table(pd.read_parquet(p.path(name)), tmp / name / p.name, csv=True)
                    (tmp / name / f"{p.name}.parquet").unlink()
                    link_or_copy(p.path(name), tmp / name / f"{p.name}.parquet")
            out.parts.append(type(p)(p.name, p.files, p.rows, tmp, p.digest, csv))
        return out, {n: df for n, df in tables.items() if n not in store.keys}
    names = _part_tables(tables)
    if not names:
        return None, tables
    reports = tables["reports"].sort_values("source_file", kind="stable")  # parts list files by name
    file_of_id = dict(zip(reports["report_id"], reports["source_file"]))
    files = [[f, s if isinstance(s, str) else ""] for f, s in zip(reports["source_file"], reports["sha256"])]
    order = [f for f, _ in files]
    frames, file_of = {}, {}
    for name in names:
        df = tables[name]
        keys = sort_keys(name, df.columns)
        with_file = df.assign(_file=df["report_id"].map(file_of_id))
        grouped = group_by_file(with_file, "_file", order, keys)
        file_of[name] = grouped["_file"].to_numpy()
        frames[name] = grouped.drop(columns="_file")
    out = PartSet([], {n: sort_keys(n, tables[n].columns) for n in names}, str(corpus.manifest.get("signature", "")))
    out.parts.append(write_part(frames, files, file_of, tmp, csv=csv))
    return out, {n: df for n, df in tables.items() if n not in names}


def _write_package(tmp: Path, whole: dict, store, *, csv: bool, manifest: dict) -> None:
    """datapackage.json: a per-file table is one resource whose `path` lists its part files."""
    import pyarrow.parquet as pq

    frames = dict(whole)
    if store is not None:
        for name in store.keys:  # the schema from a part's (the rows are not read)
            first = next((p.path(name) for p in store.parts if p.path(name).is_file()), None)
            frames[name] = pq.read_schema(first).empty_table().to_pandas() if first else pd.DataFrame()
    write_datapackage(tmp, frames, csv=csv, manifest=manifest)


def input_fingerprint(reports_or_log: pd.DataFrame) -> str:
    """Hash of the raw inputs (file names and contents): the same folder gives the same fingerprint."""
    h = hashlib.sha256()
    for name, digest in sorted(zip(reports_or_log["source_file"], reports_or_log["sha256"])):
        h.update(f"{name}\t{digest}\n".encode())
    return h.hexdigest()[:16]


def load_corpus(processed_dir: str | Path = "data/processed") -> Corpus:
    """Read the tables written by `fazhi build` (Parquet) back into a `Corpus`."""
    from .parts import read_layout

    processed_dir = Path(processed_dir)
    if not (processed_dir / "reports.parquet").exists():
        raise FazhiError(
            f"No corpus tables in {str(processed_dir)!r}; run `fazhi build RAW_DIR --out {processed_dir}` first."
        )
    tables = {p.stem: pd.read_parquet(p) for p in sorted(processed_dir.glob("*.parquet"))}
    manifest_path = processed_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    store = read_layout(processed_dir) if "layout" in manifest else None
    if store is not None:
        for name in store.keys:  # the per-file tables, each read back as one table in key order
            tables[name] = store.read(name)
        tables = dict(sorted(tables.items()))
    return Corpus(tables, manifest)


# ---------------------------------------------------------------- what a build did, in one line
@dataclass(frozen=True)
class BuildSummary:
    """Counts of `parse_log` statuses. Every input file is counted once:
    read = parsed + rejected + duplicates + skipped (`with_warnings` is part of `parsed`)."""

    read: int
    parsed: int
    with_warnings: int
    rejected: int
    duplicates: int
    skipped: int

    @property
    def balanced(self) -> bool:
        return self.read == self.parsed + self.rejected + self.duplicates + self.skipped

    def line(self) -> str:
        """'12 read, 5 parsed, 2 with warnings, 4 rejected, 2 duplicates, 1 skipped'"""
        return (
            f"{self.read} read, {self.parsed} parsed, {self.with_warnings} with warnings, {self.rejected} rejected, "
            f"{self.duplicates} duplicates, {self.skipped} skipped"
        )


def summarise(parse_log: pd.DataFrame) -> BuildSummary:
    """The build summary of a parse log (statuses ok, warning, error, duplicate, skipped)."""
    counts = parse_log["status"].value_counts().to_dict() if len(parse_log) else {}
    unknown = set(counts) - {"ok", "warning", "error", "duplicate", "skipped"}
    if unknown:
        raise invalid("status", min(unknown), ["ok", "warning", "error", "duplicate", "skipped"])
    return BuildSummary(
        read=len(parse_log),
        parsed=counts.get("ok", 0) + counts.get("warning", 0),
        with_warnings=counts.get("warning", 0),
        rejected=counts.get("error", 0),
        duplicates=counts.get("duplicate", 0),
        skipped=counts.get("skipped", 0),
    )


# ---------------------------------------------------------------- one clear sentence for notebooks
def require_reports(corpus: Corpus, *, at_least: int = 1, what: str = "this analysis") -> Corpus:
    """`corpus` back when it holds at least `at_least` reports, else a `FazhiError` saying why in one
    sentence (for the top of a notebook, instead of a traceback from deep inside pandas).

    >>> require_reports(load_corpus("data/processed"), at_least=2, what="the similarity heatmap")  # doctest: +SKIP
    """
    n = len(corpus.reports)
    if n >= at_least:
        return corpus
    log = corpus.tables.get("parse_log")
    if n == 0 and (log is None or log.empty):
        raise FazhiError(
            "The corpus is empty: no input files were found; put report files in the input folder and "
            "run `fazhi build RAW_DIR --out DIR` again."
        )
    if n == 0 and len(log) and not (log["status"].isin(["ok", "warning"])).any():
        s = summarise(log)
        raise FazhiError(
            f"The corpus has no reports: of {s.read} files, {s.rejected} were rejected, {s.duplicates} were "
            f"duplicates and {s.skipped} were skipped (their reasons are in parse_log); add report files and "
            f"run `fazhi build` again."
        )
    raise FazhiError(
        f"{what[:1].upper() + what[1:]} needs at least {at_least} report{'s' if at_least != 1 else ''}; "
        f"the selection has {n}. Widen the selection (fewer filters) or add reports."
    )


def select(corpus: Corpus, *, at_least: int = 1, **filters) -> Corpus:
    """`corpus.filter(**filters)` that must keep at least `at_least` reports; otherwise one sentence
    naming the values the corpus has. Empty filters (None, [], '') select everything.

    >>> select(corpus, years=[1999])                                        # doctest: +SKIP
    FazhiError: `years` = [1999] selects no report; choose among: 2023, 2024, 2025.
    """
    active = {k: v for k, v in filters.items() if v not in (None, [], (), "")}
    out = corpus.filter(**active) if active else corpus
    if len(out.reports) >= at_least:
        return out
    columns = {
        "years": "report_year",
        "levels": "level",
        "provinces": "province",
        "regions": "region",
        "issuers": "issuer",
        "prefectures": "prefecture",
        "counties": "county",
        "report_ids": "report_id",
    }
    if len(corpus.reports) < at_least:
        require_reports(corpus, at_least=at_least)
    for name, value in active.items():
        col = columns.get(name)
        if col in corpus.reports.columns and len(corpus.filter(**{name: value}).reports) < at_least:
            present = sorted({str(v) for v in corpus.reports[col].dropna()})
            raise FazhiError(
                f"`{name}` = {value!r} selects {'no report' if at_least == 1 else f'fewer than {at_least} reports'}; "
                f"choose among: {', '.join(present)}."
            )
    together = " and ".join(f"`{k}` = {v!r}" for k, v in active.items())
    raise FazhiError(
        f"{together} together select {len(out.reports)} report{'s' if len(out.reports) != 1 else ''}; "
        f"at least {at_least} needed. Drop one of the filters."
    )


# ---------------------------------------------------------------- partitioned Parquet datasets
def _with_year(name: str, df: pd.DataFrame, years: pd.DataFrame) -> pd.DataFrame | None:
    if name == "parse_log" or "report_id" not in df.columns:
        return None
    if PARTITION_COLUMN in df.columns:
        return df
    return df.merge(years, on="report_id", how="left", sort=False)


def write_partitioned(corpus: Corpus, out_dir: str | Path) -> Path:
    """Write every table of `corpus` under `OUT/dataset/`: tables with a report_id as Parquet datasets
    partitioned by report_year (`dataset/parts/report_year=2024/part-0.parquet`), the others as one
    file each (`dataset/parse_log.parquet`). Read them with `read_partitioned`."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    root = Path(out_dir) / DATASET_DIRNAME
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    reports = corpus.reports
    years = reports[["report_id", PARTITION_COLUMN]] if not reports.empty else None
    partitioning = ds.partitioning(pa.schema([(PARTITION_COLUMN, pa.int64())]), flavor="hive")
    for name, df in sorted(corpus.tables.items()):
        table = _with_year(name, df, years) if years is not None else None
        if table is None:
            df.to_parquet(root / f"{name}.parquet", index=False)
            continue
        table = table.copy()
        table[PARTITION_COLUMN] = table[PARTITION_COLUMN].astype("Int64")
        ds.write_dataset(
            pa.Table.from_pandas(table, preserve_index=False),
            root / name,
            format="parquet",
            partitioning=partitioning,
            basename_template="part-{i}.parquet",
            existing_data_behavior="overwrite_or_ignore",
            use_threads=False,
        )
    return root


def read_partitioned(out_dir: str | Path, name: str, *, years=None) -> pd.DataFrame:
    """One table from `OUT/dataset/`, optionally only some report years (only those files are read).

    >>> read_partitioned("data/processed", "parts", years=[2023, 2024])     # doctest: +SKIP
    """
    import pyarrow.dataset as ds

    root = Path(out_dir) / DATASET_DIRNAME
    single = root / f"{name}.parquet"
    if single.exists():
        return pd.read_parquet(single)
    if not (root / name).is_dir():
        available = sorted(p.stem for p in root.glob("*")) if root.is_dir() else []
        if not available:
            raise FazhiError(f"No partitioned tables in {str(root)!r}; build with `fazhi build --partition-by-year`.")
        raise FazhiError(f"`name` = {name!r} is not valid; choose one of: {', '.join(available)}.")
    dataset = ds.dataset(root / name, format="parquet", partitioning="hive")
    expr = None
    if years is not None:
        wanted = [int(y) for y in ([years] if isinstance(years, (int, str)) else years)]
        expr = ds.field(PARTITION_COLUMN).isin(wanted)
    table = dataset.to_table(filter=expr)
    df = table.to_pandas()
    if PARTITION_COLUMN in df.columns:
        df[PARTITION_COLUMN] = df[PARTITION_COLUMN].astype("Int64")
    return df
