"""A newcomer's first hour: each mistake is one sentence and a non-zero exit, before anything renders."""

import ast
import subprocess
import sys

import pytest
from conftest import ROOT

from fazhi_lib import report as rp
from fazhi_lib.cli import main
from fazhi_lib.errors import FazhiError


@pytest.mark.parametrize("text", ["枫桥经验", "a'b\"c", "行\n政", "审查 #x", "\\u67ab", ""])
def test_parameters_are_written_as_python_literals_with_chinese_intact(text):
    translator = rp._translator()
    written = translator.translate(text)
    assert ast.literal_eval(written) == text
    assert "\\u" not in written.replace("\\\\u", "")  # no \u escape (a literal backslash-u stays doubled)
    assert ast.literal_eval(translator.translate(["枫桥经验", 2024])) == ["枫桥经验", 2024]


def _run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(
    "param, sentence",
    [
        (
            ["-p", "n_topics", "abc"],
            "`n_topics` = 'abc' is not valid for 02_problems_tfidf.ipynb: it must be a whole number",
        ),
        (["-p", "top_n", "1.5"], "`top_n` = 1.5 is not valid for"),
        (["-p", "years", "[1999]"], "`years` = [1999] selects no report"),
        (["-p", "years", "abc"], "`years` = ['abc'] is not valid: give report years"),
        (["-p", "levels", "town"], "`levels` = 'town' is not valid; choose one of: township"),
        (["-p", "part_kind", "problem"], "`part_kind` = 'problem' is not valid; choose one of: achievements"),
        (["-p", "regex", "maybe"], "`regex` = 'maybe' is not valid for 05_explore.ipynb: it must be true or false"),
        (["--only", "09"], "`notebook` = '09' is not valid; choose one of: 01_corpus_statistics.ipynb"),
    ],
)
def test_bad_report_options_are_one_sentence_before_anything_renders(processed_dir, tmp_path, capsys, param, sentence):
    out = tmp_path / "reports"
    code, _, err = _run(["report", "--data", str(processed_dir), "--out", str(out), *param], capsys)
    assert code == 2
    assert err.startswith("error: ") and sentence in err, err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()  # nothing rendered, nothing written


def test_report_out_pointing_at_a_file(processed_dir, tmp_path, capsys):
    target = tmp_path / "afile"
    target.write_text("x", encoding="utf-8")
    code, _, err = _run(["report", "--data", str(processed_dir), "--out", str(target)], capsys)
    assert code == 2 and "is a file, not a folder" in err and target.read_text(encoding="utf-8") == "x"


@pytest.mark.parametrize("make", ["empty", "missing", "hidden_only"])
def test_build_refuses_an_input_folder_without_files(tmp_path, capsys, make):
    raw = tmp_path / "raw"
    if make != "missing":
        raw.mkdir()
    if make == "hidden_only":
        (raw / ".DS_Store").write_bytes(b"\0")
    code, _, err = _run(["build", str(raw), "--out", str(tmp_path / "out"), "--quiet"], capsys)
    assert code == 2 and err.startswith("error: The input folder") and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.startswith("fazhi ")


def test_python_dash_m_runs_the_command_line():
    done = subprocess.run(
        [sys.executable, "-m", "fazhi_lib", "--version"], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0 and done.stdout.startswith("fazhi ")


def test_report_finds_the_project_from_its_notebooks_folder(monkeypatch, capsys):
    monkeypatch.chdir(ROOT / "notebooks")
    code, out, _ = _run(["report", "--list"], capsys)
    assert code == 0 and "01_corpus_statistics.ipynb" in out


def test_report_from_a_folder_outside_any_project_is_one_sentence(tmp_path):
    with pytest.raises(FazhiError, match="No notebooks folder at"):
        rp.render_all(tmp_path, notebook_dir=tmp_path / "notebooks", out_dir=tmp_path / "r", progress=None)


def test_times_on_shared_pages_carry_their_zone():
    assert rp.when("2025-03-01T09:30:00+08:00") == "2025-03-01 09:30 (UTC+08:00)"
    assert rp.when("2025-03-01T01:30:00+00:00") == "2025-03-01 01:30 (UTC+00:00)"
    assert rp.when("2025-03-01T01:30:00-05:30") == "2025-03-01 01:30 (UTC-05:30)"
