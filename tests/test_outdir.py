"""Output safety (issue 15, Critical): `fazhi build --out` never deletes a researcher's files.

Each test is the attack as a researcher's typo makes it: a project folder with raw reports, a `.git`
and a draft paper, and an `--out` that points at the wrong place.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fazhi_lib import cli
from fazhi_lib.errors import FazhiError
from fazhi_lib.outdir import check_output_dir, output_lock, recover, replace_dir

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


@pytest.fixture
def project(tmp_path):
    """A researcher's project: data/raw with two reports, .git, a draft paper."""
    root = tmp_path / "project"
    raw = root / "data" / "raw"
    raw.mkdir(parents=True)
    for f in sorted(RAW.glob("*.txt"))[:2]:
        shutil.copy(f, raw / f.name)
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / "paper.docx").write_bytes(b"draft paper")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def build(raw, out, *extra) -> int:
    return cli.main(["build", str(raw), "--out", str(out), "--jobs", "1", "--quiet", *extra])


@pytest.mark.parametrize(
    "out, says",
    [
        ("data", "contains the input folder"),  # a typo for data/processed
        ("data/raw", "is the input folder"),  # --out equal to the input
        (".", "contains the input folder"),  # the project folder itself
        ("data/raw/tables", "lies inside the input folder"),  # tables would be read as reports next time
    ],
)
def test_out_that_is_contains_or_lies_in_the_input_is_refused(project, out, says, capsys, monkeypatch):
    monkeypatch.chdir(project)
    before = snapshot(project)
    assert build("data/raw", out) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1  # one sentence, no traceback
    assert snapshot(project) == before  # raw reports, .git and the paper untouched, nothing written


def test_out_at_a_folder_with_a_researchers_files_is_refused(project, tmp_path, capsys):
    raw = tmp_path / "raw"
    shutil.copytree(project / "data" / "raw", raw)
    before = snapshot(project)
    assert build(raw, project) == 2  # --out pointed at the project (no raw inside it)
    err = capsys.readouterr().err
    assert "already holds files fazhi did not write" in err and ".git" in err and "paper.docx" in err
    assert snapshot(project) == before


def test_out_that_is_a_file_is_one_sentence(project, capsys):
    target = project / "paper.docx"
    assert build(project / "data" / "raw", target) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert target.read_bytes() == b"draft paper"


def test_cache_inside_the_input_is_refused(project, capsys, monkeypatch):
    monkeypatch.chdir(project)
    before = snapshot(project)
    assert build("data/raw", "data/processed", "--cache", "data/raw/.c") == 2
    assert "`--cache`" in capsys.readouterr().err
    assert snapshot(project) == before


def test_a_folder_fazhi_wrote_is_replaced_and_only_its_files(project, monkeypatch):
    monkeypatch.chdir(project)
    assert build("data/raw", "data/processed") == 0
    manifest = json.loads(Path("data/processed/manifest.json").read_text(encoding="utf-8"))
    assert "reports.parquet" in manifest["files"] and "reports.csv" in manifest["files"]
    assert build("data/raw", "data/processed") == 0  # its own folder: rebuilt
    Path("data/processed/notes.txt").write_text("my notes")  # a researcher's file joins the folder
    assert build("data/raw", "data/processed") == 2  # ... so the folder is no longer replaced
    assert Path("data/processed/notes.txt").read_text() == "my notes"


def test_an_empty_folder_may_be_the_output(project, monkeypatch):
    monkeypatch.chdir(project)
    Path("out").mkdir()
    assert build("data/raw", "out") == 0
    assert Path("out/reports.parquet").is_file()


def test_corpus_save_refuses_a_foreign_folder_too(project):
    from fazhi_lib import build_corpus

    corpus = build_corpus(project / "data" / "raw")
    with pytest.raises(FazhiError, match="did not write"):
        corpus.save(project)
    with pytest.raises(FazhiError, match="is the input folder"):
        corpus.save(project / "data" / "raw", inputs=[project / "data" / "raw"])
    assert (project / "paper.docx").read_bytes() == b"draft paper"


def test_partitioned_dataset_is_written_inside_the_swap(project, monkeypatch):
    monkeypatch.chdir(project)
    assert build("data/raw", "data/processed", "--partition-by-year", "--no-cache") == 0
    assert Path("data/processed/dataset").is_dir()
    leftovers = [p.name for p in Path("data").iterdir() if p.name.startswith(".processed.") and p.is_dir()]
    assert leftovers == []


def test_a_second_build_on_the_same_output_is_refused_while_the_first_holds_the_lock(project, capsys, monkeypatch):
    monkeypatch.chdir(project)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent("""
        import sys, time
        from fazhi_lib.outdir import output_lock
        with output_lock("data/processed"):
            print("held", flush=True)
            time.sleep(30)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        assert build("data/raw", "data/processed") == 2
        assert "another fazhi build is writing" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    assert build("data/raw", "data/processed") == 0  # a dead holder's lock is no lock


def test_the_lock_is_reentrant_in_one_process(tmp_path):
    with output_lock(tmp_path / "out"), output_lock(tmp_path / "out"):
        pass


def write_v1(d: Path) -> None:
    (d / "manifest.json").write_text('{"fazhi_version": "x", "files": ["a.csv"]}')
    (d / "a.csv").write_text("v1")


def test_a_build_killed_between_the_two_renames_is_recovered(tmp_path):
    out = tmp_path / "processed"
    replace_dir(out, write_v1)
    os.replace(out, tmp_path / ".processed.old")  # the first rename happened, the second did not
    (tmp_path / ".processed.tmp-99999").mkdir()  # and an unfinished write of another killed build
    recover(out)
    assert (out / "a.csv").read_text() == "v1"
    assert not (tmp_path / ".processed.old").exists() and not (tmp_path / ".processed.tmp-99999").exists()


def test_a_failed_write_leaves_the_old_folder_in_place(tmp_path):
    out = tmp_path / "processed"
    replace_dir(out, write_v1)

    def broken(d: Path) -> None:
        (d / "a.csv").write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        replace_dir(out, broken)
    assert (out / "a.csv").read_text() == "v1"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".processed.tmp")] == []


def test_a_read_only_output_is_one_sentence(project, capsys, monkeypatch):
    monkeypatch.chdir(project)

    def full_disk(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("fazhi_lib.corpus.write_table", full_disk)
    assert build("data/raw", "data/processed", "--no-cache") == 2
    err = capsys.readouterr().err
    assert "could not write the tables" in err and "No space left" in err and "Traceback" not in err


def test_check_output_dir_accepts_a_new_folder(tmp_path):
    assert check_output_dir(tmp_path / "new", inputs=[tmp_path / "raw"]) == tmp_path / "new"


def test_an_output_beside_which_nothing_can_be_written_is_one_sentence(tmp_path, monkeypatch):
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == tmp_path else real_access(p, mode))
    with pytest.raises(FazhiError, match="cannot write in"):
        with output_lock(tmp_path / "out"):
            pass
