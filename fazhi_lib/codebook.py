"""The codebook of the tables: one source (`rules/codebook.yaml`) for the Frictionless Data Package
written beside every build (`datapackage.json`), the README's data dictionary and the labels of
`fazhi export`.

>>> book = load_codebook()
>>> book.column("reports", "level")["values"]["township"]
'镇/乡'
>>> write_datapackage("data/processed", corpus.tables)          # doctest: +SKIP
PosixPath('data/processed/datapackage.json')

The Data Package follows the Frictionless specifications (Data Package v1 with Table Schema,
"tabular-data-package" profile, https://specs.frictionlessdata.io/): one resource per table (its CSV
file, or its Parquet file when the build wrote no CSV), each field with `type`, `description`,
`title` (the Chinese label), `constraints` (`enum` of the allowed values, `required`, `pattern`), and
the custom properties `unit` and `valueLabels` (code → Chinese label); `primaryKey` and
`foreignKeys` between tables. `frictionless validate data/processed/datapackage.json` checks the
tables against it (tests/test_codebook.py does).

`python -m fazhi_lib.codebook --readme docs/data-dictionary.md` rewrites the data dictionary from the
codebook (`make codebook`); `--check` only says whether it agrees.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .rules import load_rules

DATAPACKAGE = "datapackage.json"
TYPES = ("string", "integer", "number", "boolean", "date")
UNDOCUMENTED = "Not in the codebook (fazhi_lib/rules/codebook.yaml): document it there."
README_START = "<!-- codebook:start (generated from fazhi_lib/rules/codebook.yaml by `make codebook`; do not edit) -->"
README_END = "<!-- codebook:end -->"


@dataclass(frozen=True)
class Codebook:
    """The parsed codebook: table name → its entry (title, label, description, keys, columns)."""

    tables: dict
    offsets_note: str = ""

    def table(self, name: str) -> dict | None:
        return self.tables.get(name)

    def columns(self, name: str) -> list[dict]:
        return list((self.tables.get(name) or {}).get("columns", []))

    def column(self, table: str, name: str) -> dict | None:
        return next((c for c in self.columns(table) if c["name"] == name), None)

    def values(self, table: str, name: str) -> dict:
        """code → Chinese label of a column's allowed values ({} when any value is allowed), codes
        typed like the column (integers for an integer column)."""
        col = self.column(table, name) or {}
        values = col.get("values") or {}
        if col.get("type") == "integer":
            return {int(k): v for k, v in values.items()}
        return {str(k): v for k, v in values.items()}


def load_codebook() -> Codebook:
    """The codebook (`rules/codebook.yaml`, or the copy in `FAZHI_RULES_DIR`), checked for shape."""
    from .errors import FazhiError

    data = load_rules("codebook")
    tables = data.get("tables") if isinstance(data, dict) else None
    if not isinstance(tables, dict) or not tables:
        raise FazhiError("The codebook has no `tables:` mapping; see fazhi_lib/rules/codebook.yaml.")
    for tname, entry in tables.items():
        for col in entry.get("columns", []):
            if col.get("type") not in TYPES:
                raise FazhiError(
                    f"Codebook table {tname!r}, column {col.get('name')!r}: `type` = "
                    f"{col.get('type')!r} is not valid; choose one of: {', '.join(TYPES)}."
                )
    return Codebook(tables, " ".join(str(data.get("offsets_note", "")).split()))


# ------------------------------------------------------------------------------ data package
def infer_type(series: pd.Series) -> str:
    """The Table Schema type of an undocumented column, from its dtype."""
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    return "string"


def _field(book: Codebook, table: str, name: str, series: pd.Series | None) -> dict:
    col = book.column(table, name)
    if col is None:
        return {
            "name": name,
            "type": infer_type(series) if series is not None else "string",
            "description": UNDOCUMENTED,
        }
    field = {
        "name": name,
        "type": col["type"],
        "title": col.get("label", ""),
        "description": " ".join(str(col.get("description", "")).split()),
    }
    if col["type"] == "date":
        field["format"] = "default"  # ISO 8601: 2025-03-21
    constraints = {}
    if col.get("required"):
        constraints["required"] = True
    if col.get("pattern"):
        constraints["pattern"] = col["pattern"]
    values = book.values(table, name)
    if values:
        constraints["enum"] = list(values)
        field["valueLabels"] = {str(k): v for k, v in values.items()}
    if constraints:
        field["constraints"] = constraints
    if col.get("unit"):
        field["unit"] = col["unit"]
    return field


def table_schema(
    name: str, df: pd.DataFrame | None, *, present: set[str] | None = None, book: Codebook | None = None
) -> dict:
    """The Table Schema of one table: the codebook's fields for the columns `df` has (in its order),
    keys whose columns are all there, foreign keys to tables in `present`."""
    book = book or load_codebook()
    entry = book.table(name) or {}
    columns = list(df.columns) if df is not None else [c["name"] for c in book.columns(name)]
    schema: dict = {
        "fields": [_field(book, name, c, df[c] if df is not None else None) for c in columns],
        "missingValues": [""],
    }
    pk = entry.get("primary_key") or []
    if pk and set(pk) <= set(columns):
        schema["primaryKey"] = list(pk)
    fks = []
    for fk in entry.get("foreign_keys") or []:
        if set(fk["fields"]) <= set(columns) and (present is None or fk["table"] in present):
            fks.append(
                {"fields": list(fk["fields"]), "reference": {"resource": fk["table"], "fields": list(fk["reference"])}}
            )
    if fks:
        schema["foreignKeys"] = fks
    return schema


def datapackage(
    tables: dict[str, pd.DataFrame], *, csv: bool = True, manifest: dict | None = None, book: Codebook | None = None
) -> dict:
    """The Data Package descriptor of `tables` (a dict, deterministic: tables sorted by name)."""
    book = book or load_codebook()
    manifest = manifest or {}
    present = set(tables)
    resources = []
    for name in sorted(tables):
        entry = book.table(name) or {}
        df = tables[name]
        res = {"name": name, "profile": "tabular-data-resource"}
        if csv:
            res.update(
                path=f"{name}.csv",
                format="csv",
                mediatype="text/csv",
                encoding="utf-8-sig",
                dialect={"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True},
            )
        else:
            res.update(path=f"{name}.parquet", format="parquet")
        res["parquet"] = f"{name}.parquet"  # the same table as Parquet (custom property)
        res["title"] = entry.get("title", name)
        res["description"] = " ".join(str(entry.get("description", UNDOCUMENTED)).split())
        if entry.get("label"):
            res["label"] = entry["label"]
        res["rows"] = len(df)
        res["schema"] = table_schema(name, df, present=present, book=book)
        resources.append(res)
    package = {
        "profile": "tabular-data-package",
        "name": "fazhi-corpus",
        "title": "法治政府建设年度报告 corpus tables (fazhi)",
        "description": "Tables written by `fazhi build` from a folder of annual rule-of-law government reports. "
        + book.offsets_note,
        "fazhi_version": manifest.get("fazhi_version", ""),
        "input_fingerprint": manifest.get("input_fingerprint", ""),
        "resources": resources,
    }
    return package


def write_datapackage(
    out_dir: str | Path, tables: dict[str, pd.DataFrame], *, csv: bool | None = None, manifest: dict | None = None
) -> Path:
    """Write `out_dir/datapackage.json` describing `tables` (the folder `Corpus.save` wrote).

    `csv`: whether the resources point at the CSV files (default: when `out_dir/reports.csv` exists);
    `manifest`: the build's manifest (default: `out_dir/manifest.json` when present). Written to a
    temporary file and moved into place, so a reader never sees half a file."""
    out_dir = Path(out_dir)
    if manifest is None:
        path = out_dir / "manifest.json"
        manifest = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    paths = _part_paths(manifest)
    if csv is None:
        csv = (
            all((out_dir / (paths[name][0] if name in paths else name)).with_suffix(".csv").exists() for name in tables)
            if tables
            else True
        )
    package = datapackage(tables, csv=csv, manifest=manifest)
    for res in package["resources"]:  # a table kept as part files (fazhi_lib/parts.py): one path a part
        if res["name"] in paths:
            stems = paths[res["name"]]
            res["path"] = [f"{s}.csv" if csv else f"{s}.parquet" for s in stems]
            res["parquet"] = [f"{s}.parquet" for s in stems]
            res["rows"] = sum(
                sum(p["rows"][res["name"]]) for p in manifest["layout"]["parts"] if res["name"] in p["rows"]
            )
    text = json.dumps(package, ensure_ascii=False, indent=2) + "\n"
    target = out_dir / DATAPACKAGE
    tmp = out_dir / f".{DATAPACKAGE}.tmp-{os.getpid()}"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    return target


def _part_paths(manifest: dict) -> dict[str, list[str]]:
    """table → the stems (`texts/part-…`) of its part files, from the manifest's layout."""
    layout = manifest.get("layout") if isinstance(manifest, dict) else None
    if not isinstance(layout, dict):
        return {}
    out: dict[str, list[str]] = {}
    for table in layout.get("keys", {}):
        stems = [f"{table}/{p['name']}" for p in layout.get("parts", []) if table in p.get("rows", {})]
        if stems:
            out[table] = stems
    return out


def undocumented(tables: dict[str, pd.DataFrame], *, book: Codebook | None = None) -> list[str]:
    """`table` or `table.column` names the tables have and the codebook lacks (empty: all documented)."""
    book = book or load_codebook()
    out = []
    for name in sorted(tables):
        if book.table(name) is None:
            out.append(name)
            continue
        out += [f"{name}.{c}" for c in tables[name].columns if book.column(name, c) is None]
    return out


# ------------------------------------------------------------------------------ README section
def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def markdown(book: Codebook | None = None) -> str:
    """The README's data dictionary: one table per table of the codebook (column, type, label,
    meaning with unit and allowed values), keys below each."""
    book = book or load_codebook()
    lines = [
        book.offsets_note,
        "",
        (
            "Every build also writes `datapackage.json` beside the tables: this dictionary as a Frictionless "
            "Data Package (types, Chinese labels, allowed values, units, primary and foreign keys), so the "
            "folder carries its own codebook."
        ),
        "",
    ]
    for name, entry in book.tables.items():
        head = f"**{name}** ({entry.get('label', '')}) — {_cell(entry.get('description', ''))}"
        lines += [head, "", "| column | type | 标签 | meaning |", "|---|---|---|---|"]
        for col in entry.get("columns", []):
            meaning = _cell(col.get("description", ""))
            if col.get("unit"):
                meaning += f" Unit: {_cell(col['unit'])}."
            values = book.values(name, col["name"])
            if values:
                meaning += " Values: " + ", ".join(f"`{k}` {_cell(v)}" for k, v in values.items()) + "."
            lines.append(f"| {col['name']} | {col['type']} | {_cell(col.get('label', ''))} | {meaning} |")
        keys = []
        if entry.get("primary_key"):
            keys.append("key: " + ", ".join(entry["primary_key"]))
        for fk in entry.get("foreign_keys") or []:
            keys.append(f"{', '.join(fk['fields'])} → {fk['table']}.{', '.join(fk['reference'])}")
        lines += ([""] + ["*" + "; ".join(keys) + "*"] if keys else []) + [""]
    return "\n".join(lines).rstrip() + "\n"


_SECTION = re.compile(re.escape(README_START) + r".*?" + re.escape(README_END), re.DOTALL)


def readme_section(readme_text: str) -> str | None:
    """The generated part of a README (between the markers), or None when it has no markers."""
    m = _SECTION.search(readme_text)
    return m.group(0) if m else None


def render_readme(readme_text: str, book: Codebook | None = None) -> str:
    """The README with its data dictionary regenerated from the codebook."""
    from .errors import FazhiError

    block = f"{README_START}\n{markdown(book)}{README_END}"
    if readme_section(readme_text) is None:
        raise FazhiError(
            "The README has no codebook markers; add the lines "
            f"{README_START!r} and {README_END!r} where the data dictionary goes."
        )
    return _SECTION.sub(lambda _: block, readme_text, count=1)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m fazhi_lib.codebook", description="Regenerate (or check) the README's data dictionary."
    )
    parser.add_argument("--readme", default="docs/data-dictionary.md")
    parser.add_argument("--check", action="store_true", help="exit 1 if the README disagrees with the codebook")
    args = parser.parse_args(argv)
    path = Path(args.readme)
    text = path.read_text(encoding="utf-8")
    new = render_readme(text)
    if args.check:
        if new != text:
            print(f"{path}: the data dictionary differs from the codebook; run `make codebook`.", file=sys.stderr)
            return 1
        print(f"{path}: the data dictionary agrees with the codebook.")
        return 0
    if new != text:
        path.write_text(new, encoding="utf-8")
        print(f"{path}: data dictionary regenerated from the codebook.")
    else:
        print(f"{path}: already up to date.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
