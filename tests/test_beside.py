"""The indicator panel computed in a process of its own, beside the scorecard (issue 22: 2 processes
≥ 1.7 × 1): with worker processes, `build_into` forks a child for the panel after assembly
(`pipeline/beside.py`). The tables are the same files, byte for byte, as a build that computes the
panel in the main process; a child that fails or dies costs time, not the panel."""

import os
import shutil
import time
from pathlib import Path

import pytest
from synthetic import write_corpus

from fazhi_lib.pipeline import beside as beside_module
from fazhi_lib.pipeline import stream as stream_module
from fazhi_lib.pipeline.cache import BuildCache
from fazhi_lib.pipeline.stream import build_into, cleanup_staging

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not beside_module.can_fork(), reason="the panel runs beside only where processes fork"),
]


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    raw = write_corpus(9, folder=tmp_path_factory.mktemp("synthetic"))
    for p in sorted((ROOT / "data" / "raw").glob("*.txt")):
        shutil.copy(p, raw / p.name)
    return raw


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".cache" not in p.relative_to(folder).parts
    }


def build(raw: Path, out: Path, *, jobs: int):
    """(the tables' files, the corpus) of a cold build."""
    try:
        corpus = build_into(raw, out, jobs=jobs, cache=BuildCache(out / ".cache"), chunk=4)
        corpus.save(out, inputs=[raw])
    finally:
        cleanup_staging(out)
    return files_of(out), corpus


@pytest.fixture(scope="module")
def in_main(raw, tmp_path_factory):
    """The tables of a 2-process build with the panel computed in the main process (too few reports)."""
    files, corpus = build(raw, tmp_path_factory.mktemp("main") / "out", jobs=2)
    assert not getattr(corpus, "beside", None)  # 14 reports < MIN_REPORTS
    return files


def test_the_panel_beside_the_scorecard_gives_the_same_files(raw, in_main, tmp_path, monkeypatch):
    monkeypatch.setattr(beside_module, "MIN_REPORTS", 1)
    files, corpus = build(raw, tmp_path / "out", jobs=2)
    (wall, cpu, peak_mb, failed) = corpus.beside["stage indicator_panel_stage"]
    assert failed is None and wall > 0 and cpu > 0 and peak_mb > 50
    assert files.keys() == in_main.keys()
    assert [k for k in files if files[k] != in_main[k]] == []
    assert len(corpus.tables["indicator_panel"]) > 0


def test_one_process_never_forks(raw, in_main, tmp_path, monkeypatch):
    monkeypatch.setattr(beside_module, "MIN_REPORTS", 1)
    files, corpus = build(raw, tmp_path / "out", jobs=1)
    assert not getattr(corpus, "beside", None)
    assert files["indicator_panel.parquet"] == in_main["indicator_panel.parquet"]


@pytest.mark.parametrize("how", ["raises", "dies", "stalls"])
def test_a_child_that_fails_costs_time_not_the_panel(raw, in_main, tmp_path, monkeypatch, how):
    monkeypatch.setattr(beside_module, "MIN_REPORTS", 1)
    monkeypatch.setattr(beside_module, "STALL_SECONDS", 1.0)
    parent, real = os.getpid(), stream_module._run_stage

    def in_the_child_only(stage, *args, **kwargs):
        if os.getpid() != parent and stage.__name__ == "indicator_panel_stage":
            if how == "dies":
                os._exit(9)  # as the out-of-memory killer leaves it: no message
            if how == "stalls":
                time.sleep(120)  # as a child stuck on a lock would: alive, using no CPU
            raise MemoryError("no room")
        return real(stage, *args, **kwargs)

    monkeypatch.setattr(stream_module, "_run_stage", in_the_child_only)
    clock = time.monotonic()
    files, corpus = build(raw, tmp_path / "out", jobs=2)
    (_, _, _, failed) = corpus.beside["stage indicator_panel_stage"]
    assert (
        failed
        == {
            "raises": "MemoryError: no room",
            "dies": "the process died (9)",
            "stalls": "the process spent no CPU time for 1 s and was stopped",
        }[how]
    )
    assert time.monotonic() - clock < 60
    assert [k for k in files if files[k] != in_main[k]] == []
