"""A batch of files none of which states a number (short pages, a notice) gave no `indicators` rows, and
`fazhi build` stopped with KeyError: '_file' (the tidied empty table lost the column that tags rows
with their file). Such a folder builds, and a batch without numbers among others reads back as the
build from memory gives the tables."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from fazhi_lib.cli import main as fazhi
from fazhi_lib.corpus import load_corpus
from fazhi_lib.pipeline.cache import BuildCache
from fazhi_lib.pipeline.stream import build_into, cleanup_staging

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
PAGE = (
    "某镇2023年法治政府建设年度报告\n一、主要成效\n坚持依法行政。推进法治建设。\n二、存在的不足\n法治意识有待提高。\n"
)


def test_a_folder_without_any_number_builds(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "notice.txt").write_text(PAGE, encoding="utf-8")
    assert fazhi(["build", str(raw), "--out", str(tmp_path / "out"), "--quiet", "--jobs", "1"]) == 0
    corpus = load_corpus(tmp_path / "out")
    assert len(corpus.reports) == 1 and len(corpus.tables["indicators"]) == 0
    assert "1 read, 1 parsed" in capsys.readouterr().out


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_batch_without_numbers_among_others_reads_back_as_the_build_from_memory(tmp_path, jobs):
    from test_append import assert_same, cold

    raw = tmp_path / "raw"
    raw.mkdir()
    for p in sorted((ROOT / "data" / "raw").glob("*.txt"))[:3]:
        shutil.copy(p, raw / p.name)
    (raw / "zz_notice.txt").write_text(PAGE, encoding="utf-8")  # the last batch of one file: no number
    out = tmp_path / "out"
    try:
        build_into(raw, out, cache=BuildCache(out / ".cache"), chunk=1, jobs=jobs).save(out, inputs=[raw])
    finally:
        cleanup_staging(out)
    expected = cold(raw)
    got = load_corpus(out).tables
    assert len(got["indicators"]) > 0
    assert_same(expected, {name: got[name] for name in expected})
