"""The build cache: counted, not timed. Unchanged files are not parsed again; a changed file is;
a new fazhi version, an edited rule file or a different places map invalidates every entry."""

import shutil
from pathlib import Path

import pytest
from synthetic import write_corpus

import fazhi_lib
from fazhi_lib import build_corpus
from fazhi_lib import version as version_module
from fazhi_lib.cli import main as fazhi
from fazhi_lib.pipeline import build as build_module
from fazhi_lib.pipeline import worker as worker_module
from fazhi_lib.pipeline.cache import SNAPSHOT_NAME, BuildCache, build_signature

ROOT = Path(__file__).resolve().parents[1]

N = 8


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """N synthetic reports (bench/synthetic.py), their tables and a cache filled by a cold build."""
    folder = tmp_path_factory.mktemp("synthetic")
    raw = write_corpus(N, folder=folder)
    cache = BuildCache(folder / "cache")
    cold = build_corpus(raw, cache=cache)
    assert (cache.hits, cache.misses, cache.stored) == (0, N, N)
    assert sorted(cache.parsed) == sorted(p.name for p in raw.iterdir())
    return raw, folder / "cache", cold


@pytest.fixture()
def raw(template, tmp_path) -> Path:
    """A fresh copy of the reports, and of the filled cache in tmp_path/cache, for each test to change."""
    shutil.copytree(template[1], tmp_path / "cache")
    return Path(shutil.copytree(template[0], tmp_path / "synthetic" / "raw"))


def same_tables(a, b) -> None:
    assert sorted(a.tables) == sorted(b.tables)
    for name in a.tables:
        assert a.tables[name].equals(b.tables[name]), name


def no_parsing(*args, **kwargs):
    raise AssertionError("parse_file was called: the cache should have served this file")


def test_second_build_parses_nothing(template, raw, tmp_path, monkeypatch):
    cold = template[2]
    monkeypatch.setattr(worker_module, "parse_file", no_parsing)  # a parse would now fail the test
    second = BuildCache(tmp_path / "cache")
    warm = build_corpus(raw, cache=second)
    assert (second.hits, second.misses, second.parsed, second.stored) == (N, 0, [], 0)
    same_tables(cold, warm)
    assert cold.manifest == warm.manifest


def test_changing_one_file_reparses_exactly_that_file(raw, tmp_path):
    target = sorted(raw.iterdir())[3]
    target.write_text(target.read_text(encoding="utf-8").replace("法治", "法制", 1), encoding="utf-8")
    cache = BuildCache(tmp_path / "cache")
    warm = build_corpus(raw, cache=cache)
    assert cache.parsed == [target.name]
    assert (cache.hits, cache.misses) == (N - 1, 1)
    same_tables(warm, build_corpus(raw))  # the same tables as a build without cache


def test_added_and_removed_files(raw, tmp_path):
    write_corpus(2, folder=raw.parent, start=N)
    removed = min(raw.iterdir())
    removed.unlink()
    cache = BuildCache(tmp_path / "cache")
    warm = build_corpus(raw, cache=cache)
    assert sorted(cache.parsed) == [f"SYNTHETIC_{N:06d}.txt", f"SYNTHETIC_{N + 1:06d}.txt"]
    assert removed.name not in set(warm.parse_log["source_file"])
    same_tables(warm, build_corpus(raw))  # snapshot rows + new rows = the tables of a cold build
    assert cache.prune() == 1  # the removed file's entry
    assert len(list((tmp_path / "cache").glob("??/*.json"))) == N + 1


def test_an_added_copy_is_a_duplicate_as_in_a_cold_build(raw, tmp_path):
    first = min(raw.iterdir())
    (raw / "zz_copy.txt").write_bytes(first.read_bytes())  # the same report saved twice
    cache = BuildCache(tmp_path / "cache")
    warm = build_corpus(raw, cache=cache)
    assert cache.parsed == ["zz_copy.txt"]
    log = warm.parse_log.set_index("source_file")
    assert log.loc["zz_copy.txt", "status"] == "duplicate"
    assert "also saved as zz_copy.txt" in log.loc[first.name, "messages"]
    same_tables(warm, build_corpus(raw))


def test_the_snapshot_serves_unchanged_files_without_reading_entries(template, raw, tmp_path, monkeypatch):
    for entry in (tmp_path / "cache").glob("??/*.json"):
        entry.unlink()  # only the snapshot is left
    monkeypatch.setattr(worker_module, "parse_file", no_parsing)
    cache = BuildCache(tmp_path / "cache")
    same_tables(template[2], build_corpus(raw, cache=cache))
    assert (cache.hits, cache.misses) == (N, 0)


def test_a_version_change_invalidates(raw, tmp_path, monkeypatch):
    monkeypatch.setattr(version_module, "__version__", "99.0.0")
    cache = BuildCache(tmp_path / "cache")
    build_corpus(raw, cache=cache)
    assert (cache.hits, cache.misses) == (0, N)


def test_editing_a_rule_file_invalidates(raw, tmp_path, monkeypatch):
    rules = tmp_path / "my_rules"
    rules.mkdir()
    shutil.copy(fazhi_lib.rules.RULES_DIR / "stopwords_general.txt", rules)
    monkeypatch.setenv("FAZHI_RULES_DIR", str(rules))
    before = build_signature()
    with open(rules / "stopwords_general.txt", "a", encoding="utf-8") as fh:
        fh.write("\n样板\n")
    assert build_signature() != before
    cache = BuildCache(tmp_path / "cache")
    build_corpus(raw, cache=cache)
    assert (cache.hits, cache.misses) == (0, N)


def test_a_torn_cache_entry_is_parsed_again(template, raw, tmp_path):
    cold = template[2]
    entry = min((tmp_path / "cache").glob("??/*.json"))
    entry.write_bytes(entry.read_bytes()[:100])  # e.g. a disk filled up mid-write
    snapshot = tmp_path / "cache" / SNAPSHOT_NAME
    snapshot.write_bytes(snapshot.read_bytes()[:100])  # the snapshot too: entries are the fallback
    cache = BuildCache(tmp_path / "cache")
    warm = build_corpus(raw, cache=cache)
    assert (cache.hits, cache.misses) == (N - 1, 1)
    same_tables(cold, warm)


def test_unreadable_files_are_cached_as_errors(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(ROOT / "data" / "raw" / "003_b5d03fc9eddbbefd.txt", raw)
    (raw / "scan.pdf").write_bytes(b"%PDF-1.4 not text")
    (raw / "empty.txt").write_bytes(b"")
    cold = build_corpus(raw, cache=tmp_path / "cache")
    cache = BuildCache(tmp_path / "cache")
    warm = build_corpus(raw, cache=cache)
    assert cache.misses == 0 and cache.hits == 3
    same_tables(cold, warm)
    assert set(warm.parse_log["status"]) >= {"error"}


def test_cli_keeps_its_cache_in_out_and_reports_it(raw, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no data/places_map.csv here: the same signature as the library's builds
    out = tmp_path / "processed"
    assert fazhi(["build", str(raw), "--out", str(out), "--jobs", "1", "--quiet"]) == 0
    assert f"cache: 0 reused, {N} parsed" in capsys.readouterr().out
    assert len(list((out / ".cache").glob("??/*.json"))) == N
    first = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert fazhi(["build", str(raw), "--out", str(out), "--jobs", "1", "--quiet"]) == 0
    assert f"cache: {N} reused, 0 parsed" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == first  # byte for byte


def test_cli_no_cache_and_cache_dir(raw, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "processed"
    assert fazhi(["build", str(raw), "--out", str(out), "--no-cache", "--jobs", "1", "--quiet"]) == 0
    assert not (out / ".cache").exists()
    assert "cache:" not in capsys.readouterr().out
    # --cache DIR: the cache the library filled serves the command line too
    assert (
        fazhi(["build", str(raw), "--out", str(out), "--cache", str(tmp_path / "cache"), "--jobs", "1", "--quiet"]) == 0
    )
    assert f"cache: {N} reused, 0 parsed" in capsys.readouterr().out
    assert not (out / ".cache").exists()


def test_stacking_in_chunks_gives_the_same_tables(template, raw, monkeypatch):
    monkeypatch.setattr(build_module, "STACK_CHUNK", 3)  # N files stacked 3 at a time, then combined
    same_tables(template[2], build_corpus(raw))
