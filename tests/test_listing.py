"""The listing of the input folder, made cheaper for rebuilds (every file is listed and named again):
the same files, order, names and skip reasons as the plain path-by-path way."""

import os
from pathlib import Path, PurePosixPath

import pytest

from fazhi_lib.load import skip_reason, walk_input_folder
from fazhi_lib.pipeline.build import source_names

NAMES = [
    "a.txt",
    "2024/塘栖镇.html",
    "2024/~$塘栖镇报告.docx",
    "x/.~lock.a.docx#",
    "__MACOSX/._a.txt",
    "a/__MACOSX/b.txt",
    "a/__MACOSXy/b.txt",
    ".hidden/a.txt",
    "a/.git/b.txt",
    "a/b.c/d.txt",
    ".a.txt",
    "a/.b",
    "Thumbs.db",
    "a/DESKTOP.INI",
    "a/ehthumbs.db",
    "notes.txt~",
    "a~b.txt",
    "collect_manifest.csv",
    "a/collect_manifest.csv",
    "collect_manifest.csv.bak",
    "a\\b.txt",
    "",
    "a/b/",
    "./a.txt",
    "a//b.txt",
    "报告 2024 (1).txt",
]


@pytest.mark.parametrize("name", NAMES)
def test_skip_reason_of_a_name_is_that_of_its_path(name):
    assert skip_reason(name) == skip_reason(PurePosixPath(name) if name else Path(name))


def _walk_reference(raw_dir: Path) -> list[Path]:
    """The listing before it was made cheaper: os.walk, Path.is_file, sorted by relative name."""
    files = [Path(top) / n for top, _, names in os.walk(raw_dir) for n in names if (Path(top) / n).is_file()]
    return sorted(files, key=lambda p: p.relative_to(raw_dir).as_posix())


def _tree(root: Path) -> Path:
    raw = root / "raw"
    for rel in ["b.txt", "a.txt", "a b/c.txt", "a/z.txt", "a/b/y.txt", "a-b/x.txt", ".h/d.txt", "a/.e", "深/报告.txt"]:
        (raw / rel).parent.mkdir(parents=True, exist_ok=True)
        (raw / rel).write_text(rel, encoding="utf-8")
    outside = root / "outside"
    outside.mkdir()
    (outside / "o.txt").write_text("o", encoding="utf-8")
    (raw / "link-to-folder").symlink_to(outside, target_is_directory=True)  # not followed
    (raw / "link-to-file.txt").symlink_to(outside / "o.txt")  # a file: listed
    (raw / "broken.txt").symlink_to(root / "missing.txt")  # not a file
    (raw / "loop.txt").symlink_to(raw / "loop.txt")  # a link to itself: not a file, and no error
    os.mkfifo(raw / "a" / "fifo")  # not a file
    (raw / "empty").mkdir()
    return raw


def test_walk_lists_what_os_walk_and_is_file_list(tmp_path):
    raw = _tree(tmp_path)
    files, unreadable = walk_input_folder(raw)
    assert unreadable == []
    assert files == _walk_reference(raw)
    rel = [f.relative_to(raw).as_posix() for f in files]
    assert "link-to-file.txt" in rel and "broken.txt" not in rel and "a/fifo" not in rel and "loop.txt" not in rel
    assert not any(r.startswith("link-to-folder") for r in rel)
    assert rel == sorted(rel) and "a b/c.txt" in rel and ".h/d.txt" in rel


@pytest.mark.parametrize("form", ["relative", "relative/", "absolute", "dot"])
def test_source_names_are_relative_names_however_the_folder_is_given(tmp_path, monkeypatch, form):
    raw = _tree(tmp_path)
    monkeypatch.chdir(raw if form == "dot" else tmp_path)
    given = {"relative": "raw", "relative/": "raw/", "absolute": str(raw), "dot": "."}[form]
    files, _ = walk_input_folder(given)
    names = source_names(files, Path(given))
    assert list(names.values()) == [f.relative_to(Path(given)).as_posix() for f in files]
    assert names[files[0]] == ".h/d.txt" and "深/报告.txt" in names.values()
