"""Tables that are appended to (issue 22): a build into part files, and every rebuild after files were
added, edited or removed, reads back (`load_corpus`) exactly the tables a cold build gives; a rebuild
parses only what changed and rewrites only the parts that lost a file."""

import shutil
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from fazhi_lib import build_corpus
from fazhi_lib.cli import main as fazhi
from fazhi_lib.corpus import load_corpus, write_table
from fazhi_lib.parts import read_layout
from fazhi_lib.pipeline.cache import BuildCache
from fazhi_lib.pipeline.stream import build_into, cleanup_staging

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
pytestmark = pytest.mark.slow


def read_back(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables as the single-file layout read them back (each one Parquet file): the reference."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, df in tables.items():
            write_table(df, Path(tmp) / name, csv=False)
            out[name] = pd.read_parquet(Path(tmp) / f"{name}.parquet")
    return out


def assert_same(expected: dict, got: dict) -> None:
    assert sorted(expected) == sorted(got)
    for name in expected:
        pd.testing.assert_frame_equal(expected[name], got[name], check_exact=True, obj=name)


def streamed(raw: Path, out: Path, *, chunk: int = 4, compact: bool = False) -> BuildCache:
    """What `fazhi build RAW --out OUT` does, with small parts (`chunk` files each)."""
    cache = BuildCache(out / ".cache")
    try:
        corpus = build_into(raw, out, cache=cache, chunk=chunk, compact=compact)
        corpus.save(out, inputs=[raw])
    finally:
        cleanup_staging(out)
    return cache


@pytest.fixture(scope="module")
def varied(tmp_path_factory) -> Path:
    from table_bytes import make_varied

    raw = make_varied(tmp_path_factory.mktemp("varied"))
    shutil.copy(raw / "SYNTHETIC_000001.txt", raw / "2023" / "same_bytes.txt")  # a copy in another part
    return raw


def cold(raw: Path) -> dict:
    return read_back(build_corpus(raw).tables)


def test_a_cold_build_in_parts_reads_back_as_the_tables(varied, tmp_path):
    out = tmp_path / "out"
    streamed(varied, out, chunk=4)
    layout = read_layout(out)
    assert len(layout.parts) > 3  # several parts, of 4 files each
    assert_same(cold(varied), load_corpus(out).tables)


def test_rebuilds_after_adding_editing_removing_read_back_as_a_cold_build(varied, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(varied, raw)
    held_back = sorted(p for p in raw.glob("SYNTHETIC_*"))[-3:]
    aside = tmp_path / "aside"
    aside.mkdir()
    for p in held_back:
        shutil.move(p, aside / p.name)
    out = tmp_path / "out"
    streamed(raw, out)
    before = {p.name for p in read_layout(out).parts}

    for p in held_back:  # + k files
        shutil.move(aside / p.name, raw / p.name)
    cache = streamed(raw, out)
    assert sorted(cache.parsed) == sorted(p.name for p in held_back)  # only the new files parsed
    after = {p.name for p in read_layout(out).parts}
    assert before <= after  # no part of the last build rewritten: the new rows are a new part
    assert_same(cold(raw), load_corpus(out).tables)

    edited = sorted(raw.glob("SYNTHETIC_*"))[2]  # one file edited, one removed
    edited.write_text(edited.read_text(encoding="utf-8").replace("法治", "法制", 3), encoding="utf-8")
    (raw / "2023" / "002_gbk.txt").unlink()
    cache = streamed(raw, out)
    assert cache.parsed == [edited.name]
    assert_same(cold(raw), load_corpus(out).tables)

    # the originals of copies removed: a copy is counted now (its rows come back from the cache)
    log = load_corpus(out).parse_log
    dup = log[log["status"] == "duplicate"]
    originals = set(dup["messages"].str.extract(r"the same report text as ([^ ]+) \(")[0].dropna())
    assert originals
    for name in originals:
        (raw / name).unlink()
    streamed(raw, out)
    got = load_corpus(out)
    assert set(got.reports["source_file"]) & set(dup["source_file"])  # a copy that is counted now
    assert_same(cold(raw), got.tables)


def test_compacting_keeps_the_tables(varied, tmp_path):
    out = tmp_path / "out"
    streamed(varied, out, chunk=3)
    assert len(read_layout(out).parts) > 1
    streamed(varied, out, chunk=3, compact=True)
    assert len(read_layout(out).parts) == 1
    assert_same(cold(varied), load_corpus(out).tables)


def test_cli_rebuild_parses_only_new_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no data/places_map.csv here
    raw = tmp_path / "raw"
    raw.mkdir()
    files = sorted((ROOT / "data" / "raw").glob("*.txt"))
    for p in files[:3]:
        shutil.copy(p, raw / p.name)
    out = tmp_path / "out"
    assert fazhi(["build", str(raw), "--out", str(out), "--quiet"]) == 0
    for p in files[3:]:
        shutil.copy(p, raw / p.name)
    assert fazhi(["build", str(raw), "--out", str(out), "--quiet"]) == 0
    assert_same(cold(raw), load_corpus(out).tables)
    assert not list(tmp_path.glob(".out.staging-*"))  # the staging folder is gone
    assert fazhi(["build", str(raw), "--out", str(out), "--quiet", "--compact"]) == 0
    assert len(read_layout(out).parts) == 1
    assert_same(cold(raw), load_corpus(out).tables)


def test_rebuild_with_sketched_templating_reads_back_as_a_cold_build(varied, tmp_path, monkeypatch):
    """Above `EXACT_TEMPLATING_MAX` distinct problems texts the templating peer is found among sketched
    candidates: a rebuild computes the similarity columns afresh over the whole corpus (their TF-IDF
    weights are fitted on every problems part), so it still gives the cold build's values exactly."""
    from fazhi_lib import scorecard

    monkeypatch.setattr(scorecard, "EXACT_TEMPLATING_MAX", 4)  # the sketch on this small corpus
    raw = tmp_path / "raw"
    shutil.copytree(varied, raw)
    later = sorted(raw.glob("SYNTHETIC_*"))[-4:]
    aside = tmp_path / "aside"
    aside.mkdir()
    for p in later:
        shutil.move(p, aside / p.name)
    out = tmp_path / "out"
    streamed(raw, out)
    for p in later:
        shutil.move(aside / p.name, raw / p.name)
    streamed(raw, out)
    expected = cold(raw)
    assert expected["scorecard"]["template_similarity"].notna().sum() > 4
    assert_same(expected, load_corpus(out).tables)


def test_small_parts_are_merged(varied, tmp_path, monkeypatch):
    """Rebuilds after adding one file at a time leave one small part each: past MAX_SMALL_PARTS of them,
    a build merges them (the full-size parts are left as they are), with the same tables."""
    from fazhi_lib.pipeline import stream

    monkeypatch.setattr(stream, "MAX_SMALL_PARTS", 1)
    raw = tmp_path / "raw"
    shutil.copytree(varied, raw)
    later = sorted(raw.glob("SYNTHETIC_*"))[-2:]
    aside = tmp_path / "aside"
    aside.mkdir()
    for p in later:
        shutil.move(p, aside / p.name)
    out = tmp_path / "out"
    streamed(raw, out, chunk=8)
    big = {p.name for p in read_layout(out).parts if len(p.files) >= 2}
    shutil.move(aside / later[0].name, raw / later[0].name)
    streamed(raw, out, chunk=8)
    assert sum(len(p.files) == 1 for p in read_layout(out).parts) == 1  # one small part: kept
    shutil.move(aside / later[1].name, raw / later[1].name)
    streamed(raw, out, chunk=8)
    layout = read_layout(out)
    assert big <= {p.name for p in layout.parts}  # the full-size parts untouched
    assert sum(len(p.files) == 1 for p in layout.parts) == 0  # the two small ones merged
    assert_same(cold(raw), load_corpus(out).tables)


def test_a_table_no_file_gives_a_row_of_is_still_written(tmp_path):
    """Opening excerpts with no problems part: no problem items, no categories; the tables are there,
    empty, with their columns, as a researcher's script expects them."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for i, town in enumerate(["青山镇", "白水镇"]):
        (raw / f"{i}.txt").write_text(
            f"{town}2023年度法治政府建设情况报告\n2023年，{town}深入推进依法行政。\n"
            "一、主要举措和成效\n（一）完善制度。全年审查规范性文件12件。\n",
            encoding="utf-8",
        )
    assert fazhi(["build", str(raw), "--out", str(tmp_path / "out"), "--jobs", "1", "--no-cache"]) == 0
    corpus = load_corpus(tmp_path / "out")
    assert len(corpus.reports) == 2
    categories = corpus.tables["problem_item_categories"]
    assert categories.empty and list(categories.columns)[:3] == ["report_id", "item_order", "category"]
    assert corpus.tables["problem_items"].empty and "item_order" in corpus.tables["problem_items"].columns
