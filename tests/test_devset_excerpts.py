"""The development set's pages cut where their first part begins (一、…), as excerpts that start at part
one reach a collection (no title, no opening): what fazhi then says of the issuer and level must agree
with the labels nearly always; saying nothing is allowed. Hand-checked on the cut pages: 12 issuers
right, two levels wrong (a district's report that writes 我市 throughout; a justice bureau's report on
the city's rule-of-law work, read as the city's)."""

from __future__ import annotations

import re

import pytest
from devset_variants import DEVSET

import fazhi_lib as fz
from fazhi_lib.evaluate import evaluate_metadata


@pytest.fixture(scope="module")
def cut(tmp_path_factory):
    if not (DEVSET / "labels.tsv").is_file():
        pytest.skip("the development set ../shared/devset is not beside this checkout")
    folder = tmp_path_factory.mktemp("cut-at-part-one")
    for f in sorted((DEVSET / "reports").glob("*.txt")):
        text = f.read_text(encoding="utf-8")
        m = re.search(r"^\s*一[、.．]", text, re.M)
        if m and m.start() >= 50:  # (a page that starts at part one already is itself)
            (folder / f.name).write_text(text[m.start() :], encoding="utf-8")
    corpus = fz.build_corpus(folder)
    return corpus, evaluate_metadata(corpus, DEVSET / "labels.tsv")


def test_excerpts_from_part_one_are_rarely_given_a_wrong_issuer_or_level(cut):
    corpus, ev = cut
    reports = corpus.reports
    assert len(reports) >= 130  # (140 pages cut; copies of one report count once)
    dis = ev.disagreements
    stated = dis["got"].astype(str).str.len() > 0
    wrong_issuer = dis[(dis["field"] == "issuer") & stated & (dis["got"] != "not a report")]
    wrong_level = dis[(dis["field"] == "level") & stated & (dis["got"] != "not a report")]
    named = reports["issuer"].notna().sum()
    assert named - len(wrong_issuer) >= 12, (named, wrong_issuer)
    assert len(wrong_issuer) <= 2, wrong_issuer.to_string()
    assert len(wrong_level) <= 2, wrong_level.to_string()
