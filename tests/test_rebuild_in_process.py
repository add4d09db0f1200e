"""A rebuild that parses a few small new files with --jobs 0 (fazhi chooses) parses them in its own
process, without starting worker processes (issue 22: their start-up cost more than the parsing);
--jobs N, a cold build, or new files past the limits keep the workers. The tables are the same."""

import shutil
from pathlib import Path

import pytest

from fazhi_lib.corpus import load_corpus
from fazhi_lib.pipeline import build as build_module
from fazhi_lib.pipeline import pool as pool_module
from fazhi_lib.pipeline.build import few_and_small
from fazhi_lib.pipeline.cache import BuildCache
from fazhi_lib.pipeline.stream import build_into, cleanup_staging

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"


@pytest.fixture()
def pools(monkeypatch):
    """The worker pools started (each a list of the batches given), on a machine of 2 cores."""
    started = []
    real = pool_module.run_pool_finishing  # what every pool runs (build.parse_files' and stream's)

    def counting(work, jobs, env, **kw):
        started.append(work)
        return real(work, jobs, env, **kw)

    monkeypatch.setattr(pool_module, "run_pool_finishing", counting)
    monkeypatch.setattr(pool_module, "default_jobs", lambda: 2)
    return started


def build(raw: Path, out: Path, *, jobs: int) -> None:
    try:
        corpus = build_into(raw, out, jobs=jobs, cache=BuildCache(out / ".cache"), chunk=2)
        corpus.save(out, inputs=[raw])
    finally:
        cleanup_staging(out)


def two_step(tmp_path: Path, *, jobs: int, pools: list) -> tuple[int, int]:
    """Pools started by a cold build of 3 of the embedded files, then by a rebuild adding the other 2."""
    raw = tmp_path / "raw"
    raw.mkdir()
    names = sorted(p.name for p in RAW.iterdir())
    for name in names[:3]:
        shutil.copy(RAW / name, raw / name)
    build(raw, tmp_path / "out", jobs=jobs)
    cold = len(pools)
    for name in names[3:]:
        shutil.copy(RAW / name, raw / name)
    build(raw, tmp_path / "out", jobs=jobs)
    return cold, len(pools) - cold


def test_a_rebuild_with_a_few_new_files_parses_them_here(tmp_path, pools):
    cold, rebuild = two_step(tmp_path, jobs=0, pools=pools)
    assert (cold, rebuild) == (1, 0)  # the cold build used workers; the rebuild none
    reference = tmp_path / "reference"
    build(RAW, reference, jobs=1)
    expected, got = load_corpus(reference).tables, load_corpus(tmp_path / "out").tables
    assert sorted(expected) == sorted(got)
    for name in expected:
        assert expected[name].equals(got[name]), name


def test_jobs_given_keeps_the_workers(tmp_path, pools):
    assert two_step(tmp_path, jobs=2, pools=pools) == (1, 1)


def test_a_rebuild_past_the_limits_uses_workers(tmp_path, pools, monkeypatch):
    monkeypatch.setattr(build_module, "IN_PROCESS_MAX_FILES", 1)  # 2 new files: more than the limit
    assert two_step(tmp_path, jobs=0, pools=pools) == (1, 1)


def test_few_and_small(tmp_path, monkeypatch):
    small, big = tmp_path / "small.txt", tmp_path / "big.txt"
    small.write_bytes(b"x" * 10)
    big.write_bytes(b"x" * 2000)
    monkeypatch.setattr(build_module, "IN_PROCESS_MAX_BYTES", 1000)
    assert few_and_small([small, small])
    assert not few_and_small([small, big])
    assert not few_and_small([tmp_path / "gone.txt"])
    monkeypatch.setattr(build_module, "IN_PROCESS_MAX_FILES", 1)
    assert not few_and_small([small, small])
