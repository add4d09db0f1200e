"""`fazhi export`: every export read back and compared with the tables it came from."""

import json

import numpy as np
import pandas as pd
import pytest

import fazhi_lib as fz
from fazhi_lib import export as ex
from fazhi_lib.cli import EXPORT_FORMATS, main
from fazhi_lib.codebook import load_codebook
from fazhi_lib.dfm import document_feature_matrix, read_dfm


@pytest.fixture(scope="module")
def exported(processed_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "export"
    result = ex.export(processed_dir, out)
    return fz.load_corpus(processed_dir), out, result


def _same_text(a, b):
    """Text as stored vs read back: missing text comes back empty in Stata, SPSS and Excel."""

    def norm(s):
        return ["" if (v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))) else str(v) for v in s]

    assert norm(a) == norm(b)


def _compare(table: str, original: pd.DataFrame, back: pd.DataFrame, renamed=None):
    renamed = renamed or {}
    book = load_codebook()
    assert len(back) == len(original)
    for col in original.columns:
        got = back[renamed.get(col, col)]
        kind = (book.column(table, col) or {}).get("type", "string")
        if kind in ("integer", "number"):
            if isinstance(got.dtype, pd.CategoricalDtype) or got.dtype == object:  # labelled integers
                codes = {v: k for k, v in book.values(table, col).items()}
                got = got.map(lambda v, codes=codes: codes.get(v, v))
            np.testing.assert_allclose(
                pd.to_numeric(got, errors="coerce").to_numpy(dtype=float),
                pd.to_numeric(original[col]).to_numpy(dtype=float),
                equal_nan=True,
            )
        elif kind == "boolean":
            want = original[col].map(lambda v: None if pd.isna(v) else str(bool(v)).lower())
            _same_text(
                want,
                got.map(lambda v: None if pd.isna(v) else str(v).lower().replace("1", "true").replace("0", "false")),
            )
        elif kind == "date":
            _same_text(original[col], got.map(lambda v: "" if pd.isna(v) else pd.Timestamp(v).date().isoformat()))
        else:
            _same_text(original[col], got)


def test_stata_files_read_back_with_labels(exported):
    corpus, out, result = exported
    for name, df in corpus.tables.items():
        path = out / "stata" / f"{name}.dta"
        with pd.io.stata.StataReader(path) as reader:
            back = reader.read()
            labels = reader.variable_labels()
        renamed = {c: f"{c}_" for c in df.columns if c in ex.STATA_RESERVED}
        _compare(name, df, back, renamed)
    with pd.io.stata.StataReader(out / "stata" / "reports.dta") as reader:
        back = reader.read(convert_categoricals=False)
        value_labels = reader.value_labels()
        labels = reader.variable_labels()
    assert labels["level"].startswith("层级")
    assert value_labels["level"][1] == "township"  # codes 1… in the codebook's order
    assert back["level"].dtype.kind in "iu"
    assert "dta: sections: renamed (reserved words): end → end_" in result.notes
    assert any("strL (whole, not cut)" in n and "texts" in n for n in result.notes)


def test_spss_files_read_back_with_labels(exported):
    pyreadstat = pytest.importorskip("pyreadstat")
    corpus, out, _ = exported
    for name, df in corpus.tables.items():
        back, meta = pyreadstat.read_sav(str(out / "spss" / f"{name}.sav"), apply_value_formats=True)
        _compare(name, df, back)
    _, meta = pyreadstat.read_sav(str(out / "spss" / "reports.sav"))
    assert meta.column_names_to_labels["level"].startswith("层级")
    assert meta.variable_value_labels["level"][1] == "township"


def test_excel_workbook_reads_back_ids_as_text(exported):
    import openpyxl

    corpus, out, _ = exported
    wb = openpyxl.load_workbook(out / ex.WORKBOOK, read_only=True)
    assert wb.sheetnames[:2] == ["about", "codebook"]
    assert set(wb.sheetnames[2:]) == set(corpus.tables)
    for name, df in corpus.tables.items():
        rows = list(wb[name].iter_rows(values_only=True))
        width = len(rows[0])  # read-only mode drops empty cells at the end of a row
        back = pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows[1:]], columns=rows[0])
        _compare(name, df, back)
    ws = wb["reports"]
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    cells = next(ws.iter_rows(min_row=2, max_row=2))
    cell = cells[header.index("report_id")]
    assert cell.data_type == "s" and cell.number_format == "@"


def test_parquet_for_r_has_codebook_metadata(exported):
    import pyarrow.parquet as pq

    corpus, out, _ = exported
    for name, df in corpus.tables.items():
        back = pd.read_parquet(out / "parquet" / f"{name}.parquet")
        _compare(name, df, back)
    schema = pq.read_schema(out / "parquet" / "reports.parquet")
    assert schema.field("level").metadata[b"label"].decode() == "层级"
    assert str(schema.field("publish_date").type) == "date32[day]"


def test_dfm_reads_back_and_counts_the_tokens(exported):
    corpus, out, _ = exported
    m = read_dfm(out / "dfm")
    fresh = document_feature_matrix(corpus)
    assert m.features == fresh.features
    assert (m.matrix != fresh.matrix).nnz == 0
    assert m.docvars["report_id"].tolist() == fresh.docvars["report_id"].tolist()
    # row sums are the token counts `part_tokens` gives for each report
    from fazhi_lib.part_tokens import part_tokens

    toks = part_tokens(corpus)
    per_report = toks.groupby("report_id")["tokens"].agg(lambda s: sum(len(t) for t in s))
    assert np.asarray(m.matrix.sum(axis=1)).ravel().tolist() == [per_report[r] for r in m.docvars["report_id"]]


def test_long_texts_are_split_never_cut():
    df = pd.DataFrame({"report_id": ["000000000001"], "text": ["法" * 20 + "治" * 5]})
    notes = []
    out = ex.split_long_texts(df, 21, unit="chars", table="texts", notes=notes, fmt="xlsx")
    assert list(out.columns) == ["report_id", "text", "text_2"]
    assert out.loc[0, "text"] + out.loc[0, "text_2"] == df.loc[0, "text"]
    assert notes and "split into text, text_2" in notes[0]
    # bytes: a character is never cut in half
    assert ex.split_text("法治政府a", 7, unit="bytes") == ["法治", "政府a"]
    assert ex.split_text("𠀀a", 2, unit="utf16") == ["𠀀", "a"]


def test_excel_keeps_formulas_as_text_and_replaces_control_characters(tmp_path):
    import openpyxl

    table = pd.DataFrame({"report_id": ["012345678901"], "text": ['=HYPERLINK("x")'], "heading": ["a\x0bb"]})
    notes = []
    ex.write_excel({"texts": table}, tmp_path / "t.xlsx", load_codebook(), notes, ["about"])
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["texts"]
    assert ws["A2"].value == "012345678901" and ws["A2"].data_type == "s"
    assert ws["B2"].value == '=HYPERLINK("x")' and ws["B2"].data_type == "s"
    assert ws["C2"].value == "a\ufffdb"
    assert notes == ["xlsx: texts.heading: control characters replaced by U+FFFD in 1 cell(s)"]


def test_export_never_overwrites_a_file_it_did_not_write(processed_dir, tmp_path):
    out = tmp_path / "export"
    (out / "stata").mkdir(parents=True)
    (out / "stata" / "reports.dta").write_text("mine")
    with pytest.raises(fz.FazhiError, match="was not written by `fazhi export`"):
        ex.export(processed_dir, out, formats=["dta"])
    assert (out / "stata" / "reports.dta").read_text() == "mine"
    # a second export over its own files is fine
    ex.export(processed_dir, tmp_path / "again", formats=["parquet"], tables=["reports"])
    ex.export(processed_dir, tmp_path / "again", formats=["parquet"], tables=["reports"])
    manifest = json.loads((tmp_path / "again" / ex.MANIFEST).read_text())
    assert sorted(manifest["files"]) == ["export_notes.md", "parquet/reports.parquet"]


def test_bad_arguments(processed_dir, tmp_path):
    with pytest.raises(fz.FazhiError, match="`format` = 'csv' is not valid; choose one of: dta, sav"):
        ex.export(processed_dir, tmp_path, formats=["csv"])
    with pytest.raises(fz.FazhiError, match="`table` = 'nope' is not valid"):
        ex.export(processed_dir, tmp_path, tables=["nope"])


def test_export_command(processed_dir, tmp_path, capsys):
    assert EXPORT_FORMATS == ex.FORMATS
    assert (
        main(
            [
                "export",
                "--data",
                str(processed_dir),
                "--out",
                str(tmp_path / "e"),
                "--formats",
                "dta",
                "--tables",
                "reports",
            ]
        )
        == 0
    )
    assert "stata/reports.dta" in capsys.readouterr().out
    assert main(["export", "--data", str(tmp_path / "none")]) == 2
