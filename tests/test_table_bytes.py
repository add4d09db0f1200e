"""The tables of two fixed corpora, byte for byte, against the digests written by the build before the
refactor that gave each concern one home (see tests/table_bytes.py; write them again only after a change
that means to change the tables)."""

import json
import os

import pytest
from table_bytes import CORPORA, FIXTURE, corpus_digests

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("which", CORPORA)
def test_tables_are_byte_identical_to_the_reference(which, tmp_path, monkeypatch):
    for name in [k for k in os.environ if k.startswith("FAZHI_")]:
        monkeypatch.delenv(name)  # the reference was built with no rules override and no places map
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))[which]
    got = corpus_digests(which, tmp_path)
    assert sorted(got) == sorted(expected), "the build writes another set of tables"
    changed = {
        name: ("dtypes " if got[name]["dtypes"] != expected[name]["dtypes"] else "") + "bytes"
        for name in expected
        if got[name] != expected[name]
    }
    assert not changed, f"tables differ from the reference build: {changed}"
