"""Tables kept as part files: the layout `fazhi build` writes, so that a rebuild writes only the rows
of the files that changed.

A *per-file table* (texts, sections, parts, problem_items, tokens, indicators, ... : every table whose
rows each belong to one report) is a folder of part files, `OUT/<table>/part-<16 hex digits of its digest>.parquet` (and
`.csv`). The manifest (`OUT/manifest.json`, key `"layout"`) names the parts; each part holds the rows
of a list of files, each file's rows together and in the order the build made them:

    {"format": "fazhi-parts 1", "signature": <build signature>,
     "keys": {"sections": ["report_id", "order"], ...},           # the order the tables are read in
     "parts": [{"name": "part-3f9c0a1b2d4e5f60", "files": [[source_file, sha256], ...],
                "rows": {"sections": [12, 9, ...], ...},            # rows per file, per table
                "digest": <sha256 of the part's Parquet files>}]}

Every row of every part is live: a build that drops a file (removed, edited, now a copy of another
report) rewrites the parts that held it. *Whole tables* (reports, parse_log, indicator_panel,
scorecard and any table without a report_id) are one file each, `OUT/<table>.parquet`, rewritten by
every build: they are small.

`read_table` gives a per-file table back as ONE frame, in the order a build that held every file in
memory gives it (sorted by its keys; rows of one file in the order they were made): the rows are
never reordered when written, so a rebuild never moves the text columns; the reader pays for the sort.
"""

from __future__ import annotations

import csv as _csv
import hashlib
import io
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

LAYOUT_FORMAT = "fazhi-parts 1"
PART_PREFIX = "part-"
WHOLE_TABLES = ("reports", "parse_log", "indicator_panel", "scorecard")
SORT_KEYS = {
    "reports": ["source_file"],
    "parse_log": ["source_file"],
    "texts": ["report_id"],
    "sections": ["report_id", "order"],
    "parts": ["report_id", "part_order"],
    "problem_items": ["report_id", "item_order"],
    "indicators": ["report_id", "mention_no"],
}


def sort_keys(name: str, columns) -> list[str]:
    """The columns a table is sorted by (a table not named here: report_id)."""
    keys = SORT_KEYS.get(name) or ["report_id"]
    return [k for k in keys if k in columns]


@dataclass
class Part:
    """One part: the rows of `files` (source_file, sha256) in every per-file table, in `folder/<table>/
    <name>.parquet` (a folder written before: the output folder, or the build's staging folder)."""

    name: str
    files: list[list[str]]
    rows: dict[str, list[int]]
    folder: Path
    digest: str = ""
    csv: bool = False

    def path(self, table: str, suffix: str = ".parquet") -> Path:
        return self.folder / table / f"{self.name}{suffix}"

    def record(self) -> dict:
        return {"name": self.name, "files": self.files, "rows": self.rows, "digest": self.digest}

    def n_rows(self, table: str) -> int:
        return int(sum(self.rows.get(table, ())))


@dataclass
class PartSet:
    """The per-file tables of a corpus, as parts on disk (see the module doc)."""

    parts: list[Part] = field(default_factory=list)
    keys: dict[str, list[str]] = field(default_factory=dict)
    signature: str = ""

    @property
    def tables(self) -> list[str]:
        return sorted(self.keys)

    def rows(self, table: str) -> int:
        return sum(p.n_rows(table) for p in self.parts)

    def files(self) -> dict[str, str]:
        """source_file → sha256 of every file whose rows the parts hold."""
        return {f: s for p in self.parts for f, s in p.files}

    def layout(self) -> dict:
        return {
            "format": LAYOUT_FORMAT,
            "signature": self.signature,
            "keys": {k: list(v) for k, v in sorted(self.keys.items())},
            "parts": [p.record() for p in self.parts],
        }

    def read(self, table: str, columns: list[str] | None = None, *, sort: bool = True, filter_kind=None):
        return read_table(self, table, columns=columns, sort=sort, filter_kind=filter_kind)


def read_layout(out_dir: str | Path) -> PartSet | None:
    """The parts a build wrote into `out_dir` (from its manifest), or None (no layout, or not readable)."""
    out_dir = Path(out_dir)
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
        layout = manifest.get("layout")
        if not isinstance(layout, dict) or layout.get("format") != LAYOUT_FORMAT:
            return None
        parts = [
            Part(
                str(p["name"]),
                [[str(f), str(s)] for f, s in p["files"]],
                {str(t): [int(n) for n in c] for t, c in p["rows"].items()},
                out_dir,
                str(p.get("digest", "")),
            )
            for p in layout["parts"]
        ]
        keys = {str(t): [str(k) for k in v] for t, v in layout["keys"].items()}
        out = PartSet(parts, keys, str(layout.get("signature", "")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    for p in out.parts:
        p.csv = all(p.path(t, ".csv").is_file() for t in out.keys if p.n_rows(t) or p.path(t).is_file())
    return out


# ---------------------------------------------------------------- writing
def write_part(
    frames: dict[str, pd.DataFrame],
    files: list[list[str]],
    file_of: dict[str, np.ndarray],
    folder: Path,
    name: str | None = None,
    *,
    csv: bool,
) -> Part:
    """Write one part: `frames[table]` (rows grouped by file in the order of `files`; `file_of[table]`
    the source_file of each row) as `folder/<table>/<name>.parquet` (+ .csv). Without `name`, the part
    is named `part-` + the first 16 hex digits of its digest: the same rows give the same name."""
    position = {f: i for i, (f, _) in enumerate(files)}
    temp = name or f".writing-{os.getpid()}"
    rows = {}
    h = hashlib.sha256()
    for table, df in sorted(frames.items()):
        counts = np.bincount(
            np.fromiter((position[f] for f in file_of[table]), dtype=np.int64, count=len(file_of[table])),
            minlength=len(files),
        )
        rows[table] = counts.tolist()
        (folder / table).mkdir(parents=True, exist_ok=True)
        if isinstance(df, pd.DataFrame):
            write_table(df.reset_index(drop=True), folder / table / temp, csv=csv)
        else:  # an Arrow table, as `write_table` would make it from its frame (`_rewrite`, stream.py)
            write_arrow(df, folder / table / temp, csv=csv)
        h.update(table.encode() + b"\0" + _file_digest(folder / table / f"{temp}.parquet"))
    digest = h.hexdigest()
    if name is None:
        name = f"{PART_PREFIX}{digest[:16]}"
        for table in frames:
            for suffix in (".parquet", ".csv"):
                src = folder / table / f"{temp}{suffix}"
                if src.is_file():
                    os.replace(src, folder / table / f"{name}{suffix}")
    return Part(name, [list(f) for f in files], rows, folder, digest, csv)


def write_table(df: pd.DataFrame, stem: Path, *, csv: bool = True) -> None:
    """`stem.parquet` (snappy, as `DataFrame.to_parquet`) and `stem.csv` (UTF-8 with BOM, for Excel).

    Both are written from one Arrow table; the CSV by Arrow's writer (about 8 × faster than
    `DataFrame.to_csv` on these text-heavy tables): text cells are always quoted, so an empty text
    ("") and a missing value (nothing between the commas) stay apart; whole floats print as 3,
    booleans as true/false. `pd.read_csv(path, encoding="utf-8-sig")` reads it back.
    """
    import pyarrow as pa

    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):  # mixed objects in a column: pandas' own writers
        df.to_parquet(stem.with_suffix(".parquet"), index=False)
        if csv:
            df.to_csv(stem.with_suffix(".csv"), index=False, encoding="utf-8-sig")
        return
    write_arrow(table, stem, csv=csv)


def write_arrow(table, stem: Path, *, csv: bool = True) -> None:
    """`write_table`'s files from the Arrow table it makes of its frame (column names: its columns)."""
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    # one chunk a column: Parquet's pages follow the chunks of what it is given, so a table stacked from
    # batches (pandas' Arrow-backed strings keep their pieces) would otherwise give other bytes for the
    # same rows whenever it was stacked from other pieces (1 vs 2 workers at 10,000 reports)
    table = table.combine_chunks()
    pq.write_table(table, stem.with_suffix(".parquet"), compression="snappy")
    if csv:
        header = io.StringIO()
        _csv.writer(header, lineterminator="\n").writerow([str(c) for c in table.column_names])
        with open(stem.with_suffix(".csv"), "wb") as fh:
            fh.write(b"\xef\xbb\xbf" + header.getvalue().encode("utf-8"))
            pa_csv.write_csv(table, fh, pa_csv.WriteOptions(include_header=False))


def _file_digest(path: Path) -> bytes:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.digest()


def group_by_file(df: pd.DataFrame, file_col: str, files: list[str], keys: list[str]) -> pd.DataFrame:
    """`df` (with a column `file_col`) with the rows of each file together, files in the order of
    `files`, and within a file sorted by `keys` (stable: the order the rows were made among equals)."""
    rank = {f: i for i, f in enumerate(files)}
    index = df[[file_col, *keys]].reset_index(drop=True)
    index["_rank"] = np.fromiter((rank[f] for f in index[file_col]), dtype=np.int64, count=len(index))
    index = index.sort_values(["_rank", *keys], kind="stable")
    order = index.index.to_numpy()
    df = df.reset_index(drop=True)
    if len(order) and (order != np.arange(len(order))).any():
        df = df.take(order)
    return df.reset_index(drop=True)


def link_or_copy(src: Path, dst: Path) -> None:
    """`dst` as a hard link to `src` (no bytes copied), or a copy where links are not possible."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


# ---------------------------------------------------------------- reading
def read_part(part: Part, table: str, columns=None, filter_kind=None):
    """(the Arrow rows of `table` in one part, the mask `filter_kind` kept them by or None), or None when
    the part holds no file for the table (and the manifest no rows). `filter_kind(arrow table)` → mask:
    the rows kept, chosen part by part so the others are let go as each part is read (a filter judges
    each row on its own values: one part at a time keeps the same rows)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    n, path = part.n_rows(table), part.path(table)
    if not path.is_file():
        if n:
            raise FileNotFoundError(f"part {path} is missing")
        return None
    t = pq.read_table(path, columns=columns)
    if t.num_rows != n:
        raise ValueError(f"part {path} holds {t.num_rows} rows, the manifest {n}")
    if filter_kind is None:
        return t, None
    mask = np.asarray(filter_kind(t), dtype=bool)
    return t.filter(pa.array(mask)), mask


def stack_arrow(pieces: list):
    """Pieces of one table (Arrow, from parts) as one table: types promoted where a part's column is all
    missing, with the pandas metadata of `_pandas_meta`."""
    import pyarrow as pa

    if len(pieces) == 1:
        return pieces[0]
    meta = _pandas_meta(pieces)
    arrow = pa.concat_tables([t.replace_schema_metadata(None) for t in pieces], promote_options="permissive")
    return arrow if meta is None else arrow.replace_schema_metadata({b"pandas": meta})


def _arrow_parts(parts: PartSet, table: str, columns, filter_kind=None):
    """Each part's rows of `table` (Arrow; `read_part`) and the rank of each row's file."""
    pieces, ranks = [], []
    order = sorted({f for p in parts.parts for f, _ in p.files})
    rank_of = {f: i for i, f in enumerate(order)}
    for p in parts.parts:
        read = read_part(p, table, columns, filter_kind)
        if read is None:
            continue
        t, mask = read
        rank = np.repeat(np.array([rank_of[f] for f, _ in p.files], dtype=np.int64), p.rows.get(table, []))
        pieces.append(t)
        ranks.append(rank if mask is None else rank[mask])
    return pieces, ranks


def _pandas_meta(pieces) -> bytes | None:
    """The pandas metadata for the concatenated parts: each column's entry from the first part in
    which that column is not all missing (a part where it is all None says `empty`/object)."""
    import pyarrow as pa

    metas = []
    for t in pieces:
        raw = (t.schema.metadata or {}).get(b"pandas")
        metas.append(json.loads(raw) if raw else None)
    if not metas or metas[0] is None:
        return None
    base = metas[0]
    cols = []
    for entry in base.get("columns", []):
        name = entry.get("name")
        chosen = entry
        for t, m in zip(pieces, metas):
            if m is None or name not in t.schema.names:
                continue
            if t.schema.field(name).type != pa.null():
                chosen = next((c for c in m.get("columns", []) if c.get("name") == name), entry)
                break
        cols.append(chosen)
    return json.dumps({**base, "columns": cols}).encode()


def read_table(
    parts: PartSet, table: str, columns: list[str] | None = None, *, sort: bool = True, filter_kind=None
) -> pd.DataFrame:
    """A per-file table of `parts` as one frame: every part's rows, sorted by the table's keys (then
    by file name, then in the order they were made), as a build holding every file in memory makes it."""

    keys = parts.keys.get(table, ["report_id"])
    wanted = None if columns is None else list(dict.fromkeys([*columns, *keys]))
    pieces, ranks = _arrow_parts(parts, table, wanted, filter_kind)
    if not pieces:
        return pd.DataFrame(columns=columns or [])
    arrow = stack_arrow(pieces)
    rank = np.concatenate(ranks) if ranks else np.zeros(0, dtype=np.int64)
    df = arrow.to_pandas()
    if sort and len(df):
        index = df[[k for k in keys if k in df.columns]].reset_index(drop=True)
        index["_rank"] = rank
        order = index.sort_values([*[k for k in keys if k in df.columns], "_rank"], kind="stable").index.to_numpy()
        if (order != np.arange(len(order))).any():
            df = df.take(order)
        df = df.reset_index(drop=True)
    if columns is not None:
        df = df[[c for c in columns if c in df.columns]]
    return df
