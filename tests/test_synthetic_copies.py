"""bench/synthetic.py: the small corpus holds the copies its docstring documents (one in every 1,000
files, of a file 500 before) and no other file that `fazhi build` takes for a copy; every file is read
with the issuer and year it was given (a stray year in a file once gave copies in a fixed year, whose
number grew faster than the corpus)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import synthetic  # noqa: E402

from fazhi_lib.pipeline import stages  # noqa: E402
from fazhi_lib.pipeline.assemble import find_duplicates  # noqa: E402
from fazhi_lib.pipeline.worker import parse_file  # noqa: E402

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"


def test_copy_of_is_one_in_every_thousand():
    got = {n: synthetic.copy_of(n) for n in range(5_000) if synthetic.copy_of(n)}
    assert got == {999: (499, "same bytes"), 1999: (1499, "truncated"), 2999: (2499, "same bytes"),
                   3999: (3499, "truncated"), 4999: (4499, "same bytes")}  # fmt: skip
    assert all(synthetic.copy_of(orig) is None for orig, _ in got.values())


def test_the_pool_names_no_year():
    found = synthetic.bases(RAW)
    pool = synthetic._sentences_of([b.text for b in found])
    assert pool and not any(synthetic._YEAR.search(x) for x in pool)


def test_full_size_corpus_has_no_copies_by_default(tmp_path):
    raw = synthetic.write_corpus(1_000, folder=tmp_path, raw_dir=RAW)
    text = (raw / "SYNTHETIC_000999.txt").read_text(encoding="utf-8")
    assert text.startswith(synthetic.MARK.format(n=999))
    assert "1000" not in (tmp_path / "README-SYNTHETIC.txt").read_text(encoding="utf-8")


@pytest.mark.slow
def test_small_corpus_copies_are_the_documented_ones(tmp_path, monkeypatch):
    monkeypatch.setattr(stages, "REPORT_STAGES", [])  # the parse alone: issuer, year, parts, text
    raw = synthetic.write_corpus(2_000, folder=tmp_path, raw_dir=RAW, small=True)
    assert (raw / "SYNTHETIC_000999.txt").read_bytes() == (raw / "SYNTHETIC_000499.txt").read_bytes()
    results = [parse_file(p, root=raw) for p in sorted(raw.glob("*.txt"))]
    names, found = synthetic._names(), synthetic.bases(RAW)
    for n, r in enumerate(results):  # each file read with the issuer and year it was given (a copy: its original's)
        assert r.report is not None, r.log
        given = synthetic.copy_of(n)[0] if synthetic.copy_of(n) else n
        stem, year = synthetic.issuer_year(given, names)
        assert (r.report["issuer"], r.report["report_year"]) == (stem + found[given % 5].suffix, year), n
    duplicates = find_duplicates(results)
    assert {k: v[0] for k, v in duplicates.items()} == {
        "SYNTHETIC_000999.txt": "SYNTHETIC_000499.txt",
        "SYNTHETIC_001999.txt": "SYNTHETIC_001499.txt",
    }
    assert "same file" in duplicates["SYNTHETIC_000999.txt"][1]
    assert "shorter copy" in duplicates["SYNTHETIC_001999.txt"][1]


def test_issuer_year_never_repeats_within_a_base():
    names = synthetic._names()
    seen = {(n % 5, *synthetic.issuer_year(n, names)) for n in range(0, 78_000, 7)}
    assert len(seen) == len(range(0, 78_000, 7))
