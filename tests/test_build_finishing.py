"""Batches written by the worker that parsed them (issue 22: 2 workers ≥ 1.7 × 1 process): with
`--jobs 2`, every whole batch but the last is parsed, stacked and written as a part by one worker
(`stream.finish_batch`), its cache entries too, so the main process never receives its rows. The
files written are the same, byte for byte, as with `--jobs 1`; the cache holds the same entries; a
worker killed in such a batch costs at most its file (the batch is parsed again, plainly)."""

import os
import shutil
import signal
from pathlib import Path

import pytest
from synthetic import write_corpus

from fazhi_lib.pipeline import pool as pool_module
from fazhi_lib.pipeline import stages
from fazhi_lib.pipeline import stream as stream_module
from fazhi_lib.pipeline.cache import BuildCache
from fazhi_lib.pipeline.stream import build_into, cleanup_staging

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 3  # files a part holds here: 18 files, 6 batches


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    raw = write_corpus(13, folder=tmp_path_factory.mktemp("synthetic"))
    for p in sorted((ROOT / "data" / "raw").glob("*.txt")):
        shutil.copy(p, raw / p.name)
    return raw


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def build(raw: Path, out: Path, *, jobs: int) -> tuple[dict[str, bytes], dict[str, bytes], BuildCache]:
    """(the tables' files, the cache's entries, the cache) of a cold build with small parts."""
    cache = BuildCache(out / ".cache")
    try:
        build_into(raw, out, jobs=jobs, cache=cache, chunk=CHUNK).save(out, inputs=[raw])
    finally:
        cleanup_staging(out)
    tables = {k: v for k, v in files_of(out).items() if not k.startswith(".cache/")}
    entries = {k: v for k, v in files_of(out / ".cache").items() if k.endswith(".json") and "/" in k}
    return tables, entries, cache


@pytest.fixture(scope="module")
def one_process(raw, tmp_path_factory):
    return build(raw, tmp_path_factory.mktemp("one") / "out", jobs=1)


@pytest.fixture()
def flushed(monkeypatch) -> list[int]:
    """The batches the main process stacked and wrote itself."""
    seen = []
    real = stream_module._Batches.flush

    def counting(self, b, results):
        seen.append(b)
        return real(self, b, results)

    monkeypatch.setattr(stream_module._Batches, "flush", counting)
    return seen


def test_two_workers_write_the_same_files_and_the_main_process_few_batches(raw, one_process, tmp_path, flushed):
    tables, entries, cache = build(raw, tmp_path / "out", jobs=2)
    one_tables, one_entries, one_cache = one_process
    assert tables == one_tables  # every part file, whole table, CSV and the manifest
    assert entries == one_entries  # the workers wrote the same cache entries
    assert (cache.stored, cache.misses, cache.entries) == (one_cache.stored, one_cache.misses, one_cache.entries)
    assert cache.stored == 18
    # 6 whole batches: the workers finished 5; the last is parsed in small jobs and written here
    assert len(set(flushed)) == 1


def test_a_worker_killed_in_a_batch_it_would_write_costs_at_most_its_file(raw, one_process, tmp_path, monkeypatch):
    victim = "SYNTHETIC_000005.txt"  # the second file of the fourth batch, which a worker parses whole
    marker = tmp_path / "died"
    parent = os.getpid()

    def killer(doc):
        if doc.report.get("source_file") == victim and os.getpid() != parent and not marker.exists():
            marker.write_text("died once")
            os.kill(os.getpid(), signal.SIGKILL)
        return {}

    monkeypatch.setattr(stages, "REPORT_STAGES", [*stages.REPORT_STAGES, killer])
    # (the stage is part of the build signature: the reference is built with it, in this process)
    one_tables, one_entries, _ = build(raw, tmp_path / "one", jobs=1)
    assert not marker.exists()
    tables, entries, _ = build(raw, tmp_path / "out", jobs=2)
    assert marker.exists()  # the worker did die on it, after parsing the batch's first file
    assert tables == one_tables  # the batch was parsed again: nothing lost, nothing changed
    assert entries == one_entries


def test_a_batch_whose_writing_fails_in_the_worker_is_written_here(raw, one_process, tmp_path, monkeypatch, flushed):
    monkeypatch.setattr(stream_module, "finish_batch", _failing)
    tables, _, _ = build(raw, tmp_path / "out", jobs=2)
    assert tables == one_process[0]
    assert len(set(flushed)) == 6  # every batch, here


def test_finishing_workers_send_one_marker_per_file(raw):
    """run_pool_finishing: a finished batch's results are markers naming its files, in order."""
    tasks = [(str(p), str(raw), p.name) for p in sorted(raw.glob("SYNTHETIC_00000[0-3].txt"))]
    out = list(pool_module.run_pool_finishing([tasks[:2], tasks[2:]], 2, {}, finish={0: (_count_rows, None)}))
    by_batch = {b: (results, done) for b, results, done in out}
    assert [r.source_file for r in by_batch[0][0]] == ["SYNTHETIC_000000.txt", "SYNTHETIC_000001.txt"]
    assert by_batch[0][1] == {"SYNTHETIC_000000.txt": True, "SYNTHETIC_000001.txt": True}
    assert by_batch[1][1] is None and all(r.report is not None for r in by_batch[1][0])


def _failing(spec, results):
    raise RuntimeError("disk full, say")


def _count_rows(spec, results):
    return {r.source_file: bool(r.tables.get("texts")) for r in results}


def test_a_build_served_from_the_cache_writes_each_batch_as_it_completes(raw, tmp_path, monkeypatch):
    """Files found in the cache go into their batch as they are read, so a batch the cache completes
    is written and let go at once (held until every entry was read, a build of 10,000 small files
    served from the cache peaked at 3.1 GB against 1.2 GB)."""
    from fazhi_lib.pipeline.cache import ROWS_SNAPSHOT_NAME

    cache_dir = tmp_path / "cache"
    build_into(raw, tmp_path / "first", jobs=1, cache=BuildCache(cache_dir), chunk=CHUNK).save(
        tmp_path / "first", inputs=[raw]
    )
    (cache_dir / ROWS_SNAPSHOT_NAME).unlink(missing_ok=True)  # every file through the batches, from entries
    read, read_at_flush = [], []
    real_get, real_flush = BuildCache.get, stream_module._Batches.flush

    def get(self, *args, **kwargs):
        result = real_get(self, *args, **kwargs)
        read.append(result is not None)
        return result

    def flush(self, b, results):
        read_at_flush.append(len(read))
        return real_flush(self, b, results)

    monkeypatch.setattr(BuildCache, "get", get)
    monkeypatch.setattr(stream_module._Batches, "flush", flush)
    cache = BuildCache(cache_dir)
    try:
        build_into(raw, tmp_path / "out", jobs=2, cache=cache, chunk=CHUNK).save(tmp_path / "out", inputs=[raw])
    finally:
        cleanup_staging(tmp_path / "out")
    assert all(read) and len(read) == 18  # every file from the cache
    assert read_at_flush == [3, 6, 9, 12, 15, 18]  # each batch written once its 3 files were read
