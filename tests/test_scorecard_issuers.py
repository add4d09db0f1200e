"""The scorecard's issuer index (`scorecard._Issuers`) against the pairwise rule it replaces: two reports
are one issuer (never each other's template peer) when they have the same short name and no place field
that both know and that differs; the previous report is the same body's of the latest earlier year
(ties: the smallest report_id), the same body being the same short name and the same place as
`labels.issuer_places` gives it (as the indicator panel keys issuers)."""

from __future__ import annotations

import random

import pandas as pd
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
        if j != i
        and s["year"] is not None
        and s["year"] < r["year"]
        and s["issuer"] == r["issuer"]
        and s.get("body", s["place"]) == r.get("body", r["place"])
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
    # the previous report is of the same body: these five are five places, none earlier than another's
    assert [index.previous(i) for i in range(5)] == [None] * 5


def _scorecard_previous(rows: list[tuple]) -> dict[str, str | None]:
    """report_id → previous_report_id of a scorecard of (report_id, issuer, level, place, year) rows."""
    from fazhi_lib.scorecard import similarity_measures

    reports = pd.DataFrame(
        {
            "report_id": [r[0] for r in rows],
            "issuer": [r[1] for r in rows],
            "level": [r[2] for r in rows],
            **{f: [r[3][k] for r in rows] for k, f in enumerate(["province", "prefecture", "county"])},
            "report_year": [r[4] for r in rows],
        }
    )
    parts = pd.DataFrame(columns=["report_id", "kind", "part_order", "heading", "text"])
    card = similarity_measures(reports, parts).set_index("report_id")
    return {rid: (None if pd.isna(v) else v) for rid, v in card["previous_report_id"].items()}


def test_the_previous_report_is_of_the_same_body():
    city, district = ("浙江省", "杭州市", None), ("浙江省", "杭州市", "西湖区")
    town, province_only = ("浙江省", "宁波市", "鄞州区"), ("浙江省", None, None)
    got = _scorecard_previous(
        [
            ("j2022", "司法局", "department", district, 2022),
            ("j2023", "司法局", "department", city, 2023),  # the city's bureau: not the district's
            ("j2024", "司法局", "department", district, 2024),  # the district's: its own 2022, not the city's 2023
            ("t2022", "安宝镇", "township", town, 2022),
            ("t2023", "安宝镇", "township", province_only, 2023),  # named less fully: the one 安宝镇 it fits
            ("t2024", "安宝镇", "township", town, 2024),
        ]
    )
    assert got == {"j2022": None, "j2023": None, "j2024": "j2022", "t2022": None, "t2023": "t2022", "t2024": "t2023"}
    # a second 安宝镇 of 浙江省: the one named less fully could be either, and is a body of its own
    got = _scorecard_previous(
        [
            ("t2022", "安宝镇", "township", town, 2022),
            ("u2022", "安宝镇", "township", ("浙江省", "金华市", "金东区"), 2022),
            ("t2023", "安宝镇", "township", province_only, 2023),
            ("t2024", "安宝镇", "township", town, 2024),
        ]
    )
    assert got == {"t2022": None, "u2022": None, "t2023": None, "t2024": "t2022"}
