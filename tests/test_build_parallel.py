"""Parallel and distributed builds: the same tables, byte for byte, with 1 worker, 2 workers and a
Dask local cluster of 2 workers; partitioned Parquet datasets; clear errors for bad settings."""

import shutil
from pathlib import Path

import pandas as pd
import pytest
from synthetic import write_corpus

from fazhi_lib import build_corpus
from fazhi_lib.cli import main as fazhi
from fazhi_lib.corpus import read_partitioned, write_partitioned
from fazhi_lib.errors import FazhiError
from fazhi_lib.pipeline.pool import batches, check_jobs

ROOT = Path(__file__).resolve().parents[1]

N_SYNTHETIC = 10


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    """Synthetic reports plus every kind of odd file: the rows of rejected, duplicate and skipped files
    must come out the same too."""
    raw = write_corpus(N_SYNTHETIC, folder=tmp_path_factory.mktemp("synthetic"))
    for p in sorted((ROOT / "data" / "raw").glob("*.txt")):
        shutil.copy(p, raw / p.name)
    sub = raw / "2023"
    sub.mkdir()
    shutil.copy(ROOT / "data" / "raw" / "003_b5d03fc9eddbbefd.txt", sub / "copy.txt")  # a duplicate
    gbk = (ROOT / "data" / "raw" / "001_c1fce911fd59a85f.txt").read_text(encoding="utf-8")
    (sub / "gbk.txt").write_bytes(gbk.replace("湖塘", "安昌").encode("gb18030"))
    (raw / "empty.txt").write_bytes(b"")
    (raw / "scan.pdf").write_bytes(b"%PDF-1.4")
    (raw / ".DS_Store").write_bytes(b"\0\1")
    return raw


def files_of(out: Path) -> dict[str, bytes]:
    """Every file a build wrote (tables, part files of per-file tables, manifest), the cache aside."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".cache" not in p.relative_to(out).parts
    }


def saved(corpus, out: Path) -> dict[str, bytes]:
    corpus.save(out)
    return files_of(out)


@pytest.fixture(scope="module")
def corpus(raw):
    return build_corpus(raw, jobs=1)


@pytest.fixture(scope="module")
def one_worker(corpus, tmp_path_factory) -> dict[str, bytes]:
    files = saved(corpus, tmp_path_factory.mktemp("j1") / "out")
    assert {"reports.parquet", "reports.csv", "manifest.json"} <= set(files)
    assert any(f.startswith("tokens/part-") and f.endswith(".parquet") for f in files)
    return files


def test_two_workers_give_the_same_bytes(raw, one_worker, tmp_path, monkeypatch):
    """`fazhi build --jobs 2`, cold and then from its cache: the files of a 1-worker build."""
    monkeypatch.chdir(tmp_path)  # no data/places_map.csv here
    out = tmp_path / "out"
    for _ in range(2):
        assert fazhi(["build", str(raw), "--out", str(out), "--jobs", "2", "--quiet"]) == 0
        assert files_of(out) == one_worker


def test_dask_local_cluster_gives_the_same_bytes(raw, one_worker, tmp_path):
    pytest.importorskip("distributed")
    assert saved(build_corpus(raw, jobs=2, dask="local"), tmp_path / "dask") == one_worker


def test_the_corpus_is_complete(corpus):
    """Guard for the comparisons above: they compared a full corpus, odd files included."""
    log = corpus.parse_log
    assert len(log) == N_SYNTHETIC + 5 + 5  # .DS_Store is logged as skipped
    assert {"ok", "warning", "error", "duplicate", "skipped"} <= set(log["status"])
    assert len(corpus.reports) == N_SYNTHETIC + 5 + 1  # the GBK file is a new report
    assert set(corpus.tokens["report_id"]) == set(corpus.reports["report_id"])


def test_partitioned_dataset(corpus, tmp_path):
    root = write_partitioned(corpus, tmp_path)
    years = sorted(int(y) for y in corpus.reports["report_year"].dropna().unique())
    assert sorted(p.name for p in (root / "parts").iterdir()) == [f"report_year={y}" for y in years]
    assert (root / "parse_log.parquet").exists()  # no report year: one file
    year = years[len(years) // 2]
    parts = read_partitioned(tmp_path, "parts", years=[year])
    ids = corpus.reports.loc[corpus.reports["report_year"] == year, "report_id"]
    expected = corpus.parts[corpus.parts["report_id"].isin(ids)]
    assert set(parts["report_year"]) == {year}
    cols = ["report_id", "part_order", "kind", "text"]
    pd.testing.assert_frame_equal(
        parts[cols].sort_values(cols[:2]).reset_index(drop=True),
        expected[cols].sort_values(cols[:2]).reset_index(drop=True),
        check_dtype=False,
    )
    assert len(read_partitioned(tmp_path, "tokens")) == len(corpus.tokens)


def test_partitioned_dataset_bad_name(raw, tmp_path):
    write_partitioned(build_corpus(raw / "2023"), tmp_path)
    with pytest.raises(FazhiError, match=r"^`name` = 'part' is not valid; choose one of: .*parts"):
        read_partitioned(tmp_path, "part")


@pytest.mark.parametrize("jobs", [-1, 1.5, "2", True])
def test_bad_jobs_is_a_clear_error(jobs):
    with pytest.raises(FazhiError, match=r"^`jobs` = .* is not valid; choose a whole number of 1 or more"):
        check_jobs(jobs)


def test_jobs_zero_means_all_cores():
    assert check_jobs(0) >= 1 and check_jobs(None) == check_jobs(0)


@pytest.mark.parametrize("n, jobs", [(0, 2), (1, 2), (7, 2), (100, 2), (1000, 4), (5, 1)])
def test_batches_cover_every_file_once_in_order(n, jobs):
    items = list(range(n))
    out = batches(items, jobs)
    assert [i for b in out for i in b] == items
    assert all(1 <= len(b) <= 32 for b in out)


def test_dask_reads_the_files_local_mode_reads(tmp_path):
    """A report reached through a symbolic link to a file outside the input folder, and a file name
    that is not UTF-8: the Dask workers read both, as a local build does."""
    pytest.importorskip("distributed")
    import os

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    files = sorted((ROOT / "data" / "raw").iterdir())
    shutil.copy(files[0], outside / "real.txt")
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "linked.txt").symlink_to(outside / "real.txt")
    shutil.copy(files[1], raw / files[1].name)
    shutil.copy(files[2], os.fsdecode(os.fsencode(raw) + b"/\xb1\xa8\xb8\xe6.txt"))
    local = build_corpus(raw, jobs=1)
    assert sorted(local.reports["source_file"]) == sorted(["linked.txt", files[1].name, "报告.txt"])
    assert saved(build_corpus(raw, jobs=2, dask="local"), tmp_path / "dask") == saved(local, tmp_path / "local")
