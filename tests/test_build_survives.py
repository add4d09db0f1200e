"""Builds that finish (issue 15): a worker killed mid-build (SIGKILL, as the out-of-memory killer
does) costs at most the file it was parsing, never the build; workers end with the build and when
the main process dies; a file name that is not valid UTF-8 is kept, parsed and shown readably."""

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from fazhi_lib import build_corpus
from fazhi_lib.cli import main as fazhi
from fazhi_lib.pipeline import pool as pool_module
from fazhi_lib.pipeline import stages

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
VICTIM = sorted(p.name for p in RAW.iterdir())[2]
FIRST_DEATH = {"marker": None}  # with a marker path: die only while the marker does not exist


def killer_stage(doc):
    """A report stage that SIGKILLs the worker parsing VICTIM (the test's stand-in for running out of memory)."""
    if doc.report.get("source_file") == VICTIM and os.getpid() != PARENT[0]:
        marker = FIRST_DEATH["marker"]
        if marker is None or not os.path.exists(marker):
            if marker is not None:
                Path(marker).write_text("died once")
            os.kill(os.getpid(), signal.SIGKILL)
    return {}


PARENT = [os.getpid()]


@pytest.fixture(scope="module")
def cold():
    return build_corpus(RAW)


@pytest.fixture()
def killer(monkeypatch):
    PARENT[0] = os.getpid()  # never kill the test process itself
    monkeypatch.setattr(stages, "REPORT_STAGES", [*stages.REPORT_STAGES, killer_stage])
    monkeypatch.setattr(pool_module, "MAX_BATCH", 3)  # the victim shares its batch with other files
    FIRST_DEATH["marker"] = None
    yield
    FIRST_DEATH["marker"] = None


def test_a_file_that_kills_its_worker_twice_is_an_error_row(cold, killer):
    t0 = time.monotonic()
    corpus = build_corpus(RAW, jobs=2)
    assert time.monotonic() - t0 < 60
    log = corpus.parse_log.set_index("source_file")
    assert log.loc[VICTIM, "status"] == "error"
    assert log.loc[VICTIM, "messages"].startswith(
        "the worker parsing this file died: out of memory? (killed by SIGKILL"
    )
    others = cold.parse_log[cold.parse_log["source_file"] != VICTIM].reset_index(drop=True)
    assert corpus.parse_log[corpus.parse_log["source_file"] != VICTIM].reset_index(drop=True).equals(others)
    assert sorted(corpus.reports["source_file"]) == sorted(n for n in cold.reports["source_file"] if n != VICTIM)


def test_a_file_that_kills_its_worker_once_is_parsed_on_the_retry(cold, killer, tmp_path):
    FIRST_DEATH["marker"] = str(tmp_path / "died")
    corpus = build_corpus(RAW, jobs=2)
    assert (tmp_path / "died").exists()  # the first worker did die on it
    for name in cold.tables:
        assert corpus.tables[name].equals(cold.tables[name]), name


def test_the_cli_build_completes_and_names_the_file(killer, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert fazhi(["build", str(RAW), "--out", str(tmp_path / "out"), "--jobs", "2", "--quiet", "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert f"error     {VICTIM}: the worker parsing this file died: out of memory?" in out


def test_a_file_over_the_time_limit_is_stopped_and_logged(monkeypatch):
    def slow_stage(doc):
        if doc.report.get("source_file") == VICTIM and os.getpid() != PARENT[0]:
            time.sleep(60)
        return {}

    PARENT[0] = os.getpid()
    monkeypatch.setattr(stages, "REPORT_STAGES", [*stages.REPORT_STAGES, slow_stage])
    results = dict(
        (b, r)
        for b, r in pool_module.run_pool([[(str(p), str(RAW)) for p in sorted(RAW.iterdir())]], 2, {}, file_timeout=3)
    )
    rows = {r.source_file: r.log for r in results[0]}
    assert rows[VICTIM]["status"] == "error" and "took more than 3 s" in rows[VICTIM]["messages"]
    assert all(row["status"] != "error" for name, row in rows.items() if name != VICTIM)


WORKERS_OF_A_KILLED_BUILD = textwrap.dedent(
    """
    import os, sys, time
    from fazhi_lib.pipeline import pool, stages

    def hang(doc):
        time.sleep(120)
        return {}

    stages.REPORT_STAGES.append(hang)
    raw = sys.argv[1]
    tasks = [[(os.path.join(raw, n), raw)] for n in sorted(os.listdir(raw))]
    for _ in pool.run_pool(tasks, 2, {}):
        pass
    """
)


def _children(pid: int) -> list[int]:
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            out.append(int(status.parent.name))
    return out


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the process table from /proc (Linux)")
def test_workers_end_when_the_main_process_is_killed(tmp_path):
    script = tmp_path / "build.py"
    script.write_text(WORKERS_OF_A_KILLED_BUILD)
    main = subprocess.Popen([sys.executable, str(script), str(RAW)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while len(_children(main.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        workers = _children(main.pid)
        assert len(workers) == 2, "the pool did not start its workers"
        main.kill()  # only the main process, as `kill -9 PID` does
        main.wait()
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{w}").exists() and _state(w) != "Z" for w in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [w for w in workers if Path(f"/proc/{w}").exists() and _state(w) != "Z"] == []
    finally:
        if main.poll() is None:
            main.kill()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


# ---------------------------------------------------------------- file names that are not UTF-8
GBK_NAME = b"\xb1\xa8\xb8\xe6.txt"  # 报告.txt in GBK, as an unzipped GBK archive leaves it
BAD_NAME = b"x\xff\xfe.txt"  # no encoding reads these bytes
GBK_FOLDER = b"\xd6\xd0"  # 中


@pytest.fixture()
def odd_names(tmp_path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    files = sorted(RAW.iterdir())
    shutil.copy(files[0], raw / files[0].name)
    shutil.copy(files[1], os.fsdecode(os.fsencode(raw) + b"/" + GBK_NAME))
    shutil.copy(files[2], os.fsdecode(os.fsencode(raw) + b"/" + BAD_NAME))
    os.mkdir(os.fsdecode(os.fsencode(raw) + b"/" + GBK_FOLDER))
    shutil.copy(files[3], os.fsdecode(os.fsencode(raw) + b"/" + GBK_FOLDER + b"/" + GBK_NAME))
    shutil.copy(files[4], raw / "报告.txt")  # the same readable name as the GBK file's, in UTF-8
    return raw


@pytest.mark.parametrize("jobs", [1, 2])
def test_file_names_that_are_not_utf8_are_parsed_and_written(odd_names, tmp_path, monkeypatch, capsys, jobs):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    assert fazhi(["build", str(odd_names), "--out", str(out), "--jobs", str(jobs), "--quiet"]) == 0
    import pandas as pd

    log = pd.read_csv(out / "parse_log.csv", encoding="utf-8-sig").set_index("source_file")
    # every file a row; the GBK names read as GB18030 unless that clashes with a real name
    assert sorted(log.index) == sorted(
        ["000_032c39149d571eae.txt", "\\xb1\\xa8\\xb8\\xe6.txt", "x\\xff\\xfe.txt", "中/报告.txt", "报告.txt"]
    )
    assert set(log["status"]) <= {"ok", "warning"}
    assert (
        "the file name is not valid UTF-8 (bytes b'\\xd6\\xd0/\\xb1\\xa8\\xb8\\xe6.txt')"
        in log.loc["中/报告.txt", "messages"]
    )
    assert len(pd.read_parquet(out / "reports.parquet")) == 5
    # the second build is served by the cache, keyed by the same names
    assert fazhi(["build", str(odd_names), "--out", str(out), "--jobs", str(jobs), "--quiet"]) == 0
    assert "cache: 5 reused, 0 parsed" in capsys.readouterr().out


def test_an_output_folder_that_cannot_be_written_is_one_sentence(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert fazhi(["build", str(RAW), "--out", str(blocker / "out"), "--jobs", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: could not write ") and "nothing was replaced" in err
    assert "Traceback" not in err and err.count("\n") == 1
