"""The codebook (rules/codebook.yaml): complete for the tables a build writes, in step with the code's
own lists of values and with the README, and written as a Frictionless Data Package that validates."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from fazhi_lib import codebook
from fazhi_lib.codebook import load_codebook

ROOT = Path(__file__).resolve().parents[1]


def test_every_table_and_column_of_a_build_is_documented(corpus):
    assert codebook.undocumented(corpus.tables) == []
    # and the check can fail: an extra column is reported
    tables = dict(corpus.tables, reports=corpus.reports.assign(new_measure=1))
    assert codebook.undocumented(tables) == ["reports.new_measure"]


def test_allowed_values_agree_with_the_code():
    from fazhi_lib.indicators import KINDS
    from fazhi_lib.metadata import LEVELS
    from fazhi_lib.places import PLACE_SOURCES, REGIONS
    from fazhi_lib.scorecard import TIMELINESS
    from fazhi_lib.sections import SECTION_KINDS
    from fazhi_lib.typology import category_labels

    book = load_codebook()
    assert list(book.values("reports", "level")) == list(LEVELS)
    assert set(book.values("sections", "kind")) == set(SECTION_KINDS)
    assert set(book.values("reports", "region")) == set(REGIONS)
    assert set(book.values("reports", "place_source")) == set(PLACE_SOURCES)
    assert set(book.values("indicators", "kind")) == set(KINDS)
    assert set(book.values("scorecard", "timeliness")) == set(TIMELINESS)
    typology = category_labels()
    assert book.values("problem_item_categories", "category") == typology
    assert book.values("indicators", "sign") == {-1: "下降", 1: "增长"}


def test_readme_data_dictionary_is_generated_from_the_codebook():
    # the data dictionary lives in docs/data-dictionary.md (linked from the README's table of contents)
    readme = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert codebook.render_readme(readme) == readme, "run `make codebook`"
    section = codebook.readme_section(readme)
    for name, entry in load_codebook().tables.items():
        assert f"**{name}**" in section
        for col in entry["columns"]:
            assert f"| {col['name']} | {col['type']} |" in section


def test_datapackage_fields_follow_the_tables(corpus):
    package = codebook.datapackage(corpus.tables)
    by_name = {r["name"]: r for r in package["resources"]}
    assert set(by_name) == set(corpus.tables)
    reports = by_name["reports"]
    assert [f["name"] for f in reports["schema"]["fields"]] == list(corpus.reports.columns)
    level = next(f for f in reports["schema"]["fields"] if f["name"] == "level")
    assert level["title"] == "层级" and level["constraints"]["enum"][0] == "township"
    assert reports["schema"]["primaryKey"] == ["report_id"]
    fks = by_name["indicators"]["schema"]["foreignKeys"]
    assert {
        "fields": ["report_id", "section_order"],
        "reference": {"resource": "sections", "fields": ["report_id", "order"]},
    } in fks
    # a foreign key to a table that is not there is left out
    only = codebook.datapackage({"texts": corpus.texts})
    assert "foreignKeys" not in only["resources"][0]["schema"]


@pytest.fixture(scope="module")
def package_dir(processed_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("pkg") / "processed"
    shutil.copytree(processed_dir, out, ignore=shutil.ignore_patterns(".cache"))
    import fazhi_lib as fz

    codebook.write_datapackage(out, fz.load_corpus(out).tables)
    return out


def _validate(path):
    frictionless = pytest.importorskip("frictionless")
    return frictionless.validate(str(path))


def test_datapackage_validates_with_frictionless(package_dir):
    report = _validate(package_dir / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


@pytest.mark.parametrize(
    "table, column, value, error",
    [
        ("reports", "level", "village", "constraint-error"),  # not an allowed value
        ("reports", "report_id", "NOT-AN-ID", "constraint-error"),  # pattern
        ("sections", "report_id", "ffffffffffff", "foreign-key"),  # points at no report
        ("reports", "n_chars", "many", "type-error"),  # not an integer
    ],
)
def test_frictionless_catches_a_broken_table(package_dir, tmp_path, table, column, value, error):
    broken = tmp_path / "broken"
    shutil.copytree(package_dir, broken)
    package = json.loads((broken / "datapackage.json").read_text(encoding="utf-8"))
    path = next(r["path"] for r in package["resources"] if r["name"] == table)
    path = broken / (path[0] if isinstance(path, list) else path)  # a table in parts: its first part
    df = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    df.loc[0, column] = value
    df.to_csv(path, index=False, encoding="utf-8-sig")
    report = _validate(broken / "datapackage.json")
    assert not report.valid
    assert error in {e[0] for e in report.flatten(["type"])}


def test_build_writes_the_datapackage(tmp_path):
    from fazhi_lib.cli import main

    out = tmp_path / "processed"
    assert main(["build", str(ROOT / "data" / "raw"), "--out", str(out), "--quiet", "--no-cache"]) == 0
    package = (out / "datapackage.json").read_text(encoding="utf-8")
    assert '"name": "reports"' in package and '"title": "层级"' in package
