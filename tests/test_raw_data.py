"""The embedded raw corpus is never edited: its bytes match the checksum manifest."""

import hashlib

from conftest import RAW, ROOT


def test_raw_files_match_manifest():
    manifest = (ROOT / "data" / "raw_manifest.sha256").read_text().split("\n")
    expected = dict(reversed(line.split("  ", 1)) for line in manifest if line.strip())
    actual = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in RAW.iterdir() if p.is_file()}
    assert actual == expected
    assert len(actual) == 5
