"""The build cache holds data, never code (issue 15): a planted pickle is never loaded, a damaged
entry is parsed again (with a warning) instead of changing a table, and a cache that cannot be
written is a warning, not an abort."""

import errno
import os
import pickle
import shutil
from pathlib import Path

import pytest
from synthetic import write_corpus

from fazhi_lib import build_corpus
from fazhi_lib.cli import main as fazhi
from fazhi_lib.pipeline import cache as cache_module
from fazhi_lib.pipeline.cache import ROWS_SNAPSHOT_NAME, SNAPSHOT_DIR, SNAPSHOT_NAME, STAT_NAME, BuildCache, file_sha256

N = 4


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """N synthetic reports, their cold tables (no cache) and a cache a build filled."""
    folder = tmp_path_factory.mktemp("safety")
    raw = write_corpus(N, folder=folder)
    cold = build_corpus(raw)
    build_corpus(raw, cache=folder / "cache")
    return raw, folder / "cache", cold


@pytest.fixture()
def raw(template, tmp_path) -> Path:
    shutil.copytree(template[1], tmp_path / "cache")
    return Path(shutil.copytree(template[0], tmp_path / "raw"))


def same_tables(a, b) -> None:
    assert sorted(a.tables) == sorted(b.tables)
    for name in a.tables:
        assert a.tables[name].equals(b.tables[name]), name


class Payload:
    """Unpickling this writes `marker`: what a planted pickle could do instead (run anything)."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').write('code ran')",))


def test_planted_pickles_are_never_loaded(template, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    raw, out = template[0], tmp_path / "processed"
    assert fazhi(["build", str(raw), "--out", str(out), "--jobs", "1", "--quiet"]) == 0
    marker = tmp_path / "MARKER"
    payload = pickle.dumps(Payload(marker))
    pickle.loads(payload)  # the payload works: unpickling it writes the marker …
    assert marker.exists()
    marker.unlink()
    cache = out / ".cache"
    planted = BuildCache(cache)
    (cache / "snapshot.pickle").write_bytes(payload)  # … planted where older caches kept pickles,
    for name in (SNAPSHOT_NAME, ROWS_SNAPSHOT_NAME, STAT_NAME):  # in place of the snapshots, the stat index
        (cache / name).write_bytes(payload)  # and of every entry,
    for f in sorted(raw.iterdir()):
        key = planted.key(f.name, file_sha256(f))
        for suffix in (".pkl", ".json"):  # under the keys a build computes
            (cache / key[:2]).mkdir(exist_ok=True)
            (cache / key[:2] / f"{key}{suffix}").write_bytes(payload)
    capsys.readouterr()
    assert fazhi(["build", str(raw), "--out", str(out), "--jobs", "1", "--quiet"]) == 0
    assert not marker.exists()  # … and the build ran none of it
    captured = capsys.readouterr()
    assert f"cache: 0 reused, {N} parsed ({N} damaged entries parsed again)" in captured.out
    assert f"{ROWS_SNAPSHOT_NAME} is damaged" in captured.err  # (the snapshot `fazhi build` reads)
    assert (cache / "snapshot.pickle").read_bytes() == payload  # not fazhi's file: left alone


def flip_a_bit_of_the_text(path: Path) -> None:
    """Flip the low bit of a UTF-8 continuation byte in the report text: still valid UTF-8 and valid
    JSON, so without a checksum the entry would silently give another character."""
    data = bytearray(path.read_bytes())
    at = data.index(b'"text":"', data.index(b"\n")) + len(b'"text":"')
    while data[at] < 0x80:
        at += 1
    data[at + 2] ^= 0x01  # the third byte of a 3-byte character
    path.write_bytes(bytes(data))


def test_a_flipped_bit_in_an_entry_is_parsed_again_not_used(template, raw, tmp_path, capsys):
    (tmp_path / "cache" / SNAPSHOT_NAME).unlink()  # the entries are read
    target = sorted(raw.iterdir())[1]
    cache = BuildCache(tmp_path / "cache")
    entry = cache._path(cache.key(target.name, file_sha256(target)))
    flip_a_bit_of_the_text(entry)
    warm = build_corpus(raw, cache=cache)
    assert cache.damaged == [target.name] and cache.parsed == [target.name]
    assert (cache.hits, cache.misses) == (N - 1, 1)
    assert f"entry for {target.name} is damaged (its checksum does not match its content)" in capsys.readouterr().err
    same_tables(template[2], warm)
    again = BuildCache(tmp_path / "cache")  # the entry was written again, whole
    build_corpus(raw, cache=again)
    assert (again.hits, again.damaged) == (N, [])


def test_a_flipped_bit_in_the_snapshot_falls_back_to_the_entries(template, raw, tmp_path, capsys):
    tables = sorted((tmp_path / "cache" / SNAPSHOT_DIR).glob("*.arrow"), key=lambda p: p.stat().st_size)
    data = bytearray(tables[-1].read_bytes())  # the largest table
    data[len(data) // 2] ^= 0x04
    tables[-1].write_bytes(bytes(data))
    cache = BuildCache(tmp_path / "cache")
    warm = build_corpus(raw, cache=cache)
    assert "the build cache's snapshot is damaged" in capsys.readouterr().err
    assert (cache.hits, cache.misses) == (N, 0)  # every file from its entry
    same_tables(template[2], warm)


def test_another_signature_is_not_read_past_the_header(template, raw, tmp_path, monkeypatch):
    cache = BuildCache(tmp_path / "cache", signature="another fazhi")
    monkeypatch.setattr(cache_module, "decode_table", lambda data: pytest.fail("a table of another build was read"))
    monkeypatch.setattr(cache_module, "_sha256", lambda data: pytest.fail("a body of another build was read"))
    assert cache.load_snapshot() is None
    entry = next((tmp_path / "cache").glob("??/*.json"))
    assert cache_module.decode_entry(entry.read_bytes(), "another fazhi") is None


@pytest.mark.parametrize(
    "fault",
    [errno.EROFS, errno.ENOSPC],
    ids=["read-only file system", "disk full"],
)
def test_a_cache_that_cannot_be_written_is_a_warning(template, tmp_path, monkeypatch, capsys, fault):
    def refuse(path, data):
        raise OSError(fault, os.strerror(fault), str(path))

    monkeypatch.setattr(cache_module, "_write_atomic", refuse)
    cache = BuildCache(tmp_path / "cache")
    warm = build_corpus(template[0], cache=cache)
    same_tables(template[2], warm)
    err = capsys.readouterr().err
    assert err.count("warning: could not write") == 1  # once, not once a file
    assert os.strerror(fault) in err and "the build goes on" in err
    assert cache.stored == 0 and not cache.writable


def test_cli_build_with_an_unwritable_cache_folder_completes(template, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder's parent should be")
    out = tmp_path / "processed"
    cmd = ["build", str(template[0]), "--out", str(out), "--cache", str(blocker / "cache"), "--jobs", "1", "--quiet"]
    assert fazhi(cmd) == 0
    captured = capsys.readouterr()
    assert "warning: could not write a parsed file to the build cache" in captured.err
    assert (out / "reports.parquet").is_file()
    if os.geteuid() != 0:  # root writes into a read-only folder anyway
        ro = tmp_path / "ro-cache"
        ro.mkdir()
        ro.chmod(0o555)
        cmd[cmd.index("--cache") + 1] = str(ro)
        assert fazhi(cmd) == 0
        assert "could not write" in capsys.readouterr().err


def test_stale_temporary_files_of_a_killed_build_are_removed(template, raw, tmp_path):
    cache = BuildCache(tmp_path / "cache")
    dead = os.fork()
    if dead == 0:  # a child that exits at once: a process id no longer running
        os._exit(0)
    os.waitpid(dead, 0)
    stale = tmp_path / "cache" / "ab" / f"{'0' * 64}.json.{dead}.tmp"
    stale.parent.mkdir(exist_ok=True)
    stale.write_bytes(b"half an entry")
    live = tmp_path / "cache" / f"{SNAPSHOT_NAME}.{os.getppid()}.tmp"  # a running process's: kept
    live.write_bytes(b"being written")
    build_corpus(raw, cache=cache)
    cache.prune()
    assert not stale.exists() and live.exists()
