"""The scorecard's issuer index (`scorecard._Issuers`) against the pairwise rule it replaces: two reports
are one issuer when they have the same short name and no place field that both know and that differs;
the previous report is the same issuer's of the latest earlier year (ties: the smallest report_id)."""

from __future__ import annotations

import random

import pytest

from fazhi_lib.scorecard import _Issuers, _same_issuer


def _recs(seed: int, n: int) -> list[dict]:
    rng = random.Random(seed)
    names = ["城关镇", "新城街道", "和平乡", "东风镇", ""]
    provinces, prefectures, counties = ["浙江省", "湖南省", "四川省"], ["甲市", "乙市"], ["一县", "二县", "三县"]
    recs = []
    for i in range(n):
        place = (
            rng.choice([*provinces, None]),
            rng.choice([*prefectures, None, None]),
            rng.choice([*counties, None]),
        )
        recs.append(
            {
                "report_id": f"{rng.randrange(10**6):06d}-{i}",
                "issuer": rng.choice([*names, None]) or None if rng.random() < 0.1 else rng.choice(names),
                "place": place,
                "year": rng.choice([2018, 2019, 2020, 2021, 2022, None]),
            }
        )
    return recs


def _pairwise_previous(recs: list[dict], i: int):
    r = recs[i]
    if not r["issuer"] or r["year"] is None:
        return None
    earlier = [
        j
        for j, s in enumerate(recs)
        if j != i and s["year"] is not None and s["year"] < r["year"] and _same_issuer(r, s) and s["issuer"]
    ]
    return min(earlier, key=lambda j: (-recs[j]["year"], recs[j]["report_id"])) if earlier else None


@pytest.mark.parametrize("seed", range(12))
def test_same_issuer_and_previous_match_the_pairwise_rule(seed):
    recs = _recs(seed, 300)
    index = _Issuers(recs)
    for i, r in enumerate(recs):
        expected = [j for j, s in enumerate(recs) if r["issuer"] and s["issuer"] and _same_issuer(r, s)]
        assert sorted(index.same(i)) == expected
        assert index.previous(i) == _pairwise_previous(recs, i)


def test_a_missing_field_joins_every_place_that_agrees_on_the_others():
    recs = [
        {"report_id": "a", "issuer": "城关镇", "place": ("浙江省", "甲市", "一县"), "year": 2020},
        {"report_id": "b", "issuer": "城关镇", "place": ("浙江省", "甲市", "二县"), "year": 2021},
        {"report_id": "c", "issuer": "城关镇", "place": ("浙江省", None, None), "year": 2022},
        {"report_id": "d", "issuer": "城关镇", "place": ("湖南省", None, "一县"), "year": 2023},
        {"report_id": "e", "issuer": "城关镇", "place": (None, None, "一县"), "year": 2024},
    ]
    index = _Issuers(recs)
    assert sorted(index.same(0)) == [0, 2, 4]  # not b (another county), not d (another province)
    assert sorted(index.same(4)) == [0, 2, 3, 4]
    assert index.previous(2) == 1  # b (2021) is later than a (2020); both in 浙江省
    assert index.previous(1) is None  # a is another county
    assert index.previous(4) == 3  # d (2023): 一县 of 湖南省 agrees with e's one known field
