"""An issuer is its short name and its place (`labels.issuer_places`): the indicator panel never puts two
bodies of one short name in one cell (every county has a 司法局, many provinces a 城关镇), a town whose page
names its place less fully joins its fuller reports only where that is the one place it can be, and the
per-issuer trends draw one line per body, named with its place where the name alone is ambiguous."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from panel_reference import _panel as reference_panel
from test_panel_reference import _corpus, _same, _store

import fazhi_lib as fz
from fazhi_lib import indicator_views as iv
from fazhi_lib.indicators import PANEL_KEYS, _panel, _panel_of, indicator_panel_stage, indicators_frame
from fazhi_lib.labels import PLACE_FIELDS, issuer_labels, issuer_places
from fazhi_lib.pipeline import stream

NINGBO = ("浙江省", "宁波市", "鄞州区")
JINHUA = ("浙江省", "金华市", "金东区")
ZHEJIANG = ("浙江省", None, None)
NOWHERE = (None, None, None)


def _reports(rows: list[tuple]) -> pd.DataFrame:
    """(issuer, level, place) rows as a reports table."""
    return pd.DataFrame(
        {
            "report_id": [f"r{k}" for k in range(len(rows))],
            "issuer": [r[0] for r in rows],
            "level": [r[1] for r in rows],
            **{f: [r[2][i] for r in rows] for i, f in enumerate(PLACE_FIELDS)},
            "report_year": pd.array([2022] * len(rows), dtype="Int64"),
            "source_file": [f"f{k}.txt" for k in range(len(rows))],
        }
    )


def _places(rows: list[tuple]) -> list[tuple]:
    got = issuer_places(_reports(rows))
    return [tuple(None if pd.isna(v) else v for v in row) for row in got[list(PLACE_FIELDS)].itertuples(index=False)]


def test_two_towns_of_one_name_stay_two():
    assert _places([("安宝镇", "township", NINGBO), ("安宝镇", "township", JINHUA)]) == [NINGBO, JINHUA]


def test_a_town_named_less_fully_joins_the_one_place_it_fits():
    rows = [("安宝镇", "township", NINGBO), ("安宝镇", "township", ZHEJIANG), ("安宝镇", "township", NOWHERE)]
    assert _places(rows) == [NINGBO, NINGBO, NINGBO]
    # a chain of fuller places: the fullest
    rows = [("安宝镇", "township", ZHEJIANG), ("安宝镇", "township", ("浙江省", "宁波市", None)), rows[0]]
    assert _places(rows) == [NINGBO, NINGBO, NINGBO]
    assert _places([("湖塘街道", "subdistrict", NOWHERE), ("湖塘街道", "subdistrict", NINGBO)]) == [NINGBO, NINGBO]


def test_a_town_that_fits_two_places_is_its_own_issuer():
    rows = [("安宝镇", "township", NINGBO), ("安宝镇", "township", JINHUA), ("安宝镇", "township", ZHEJIANG)]
    assert _places(rows) == [NINGBO, JINHUA, ZHEJIANG]
    rows = [("安宝镇", "township", NINGBO), ("安宝镇", "township", ("江苏省", None, None))]  # it contradicts
    assert _places(rows) == [NINGBO, ("江苏省", None, None)]


def test_only_towns_are_completed():
    city, district = ("浙江省", "杭州市", None), ("浙江省", "杭州市", "西湖区")
    # a city's 司法局 has no county: the district's 司法局 is another body
    assert _places([("司法局", "department", city), ("司法局", "department", district)]) == [city, district]
    assert _places([("临平区", "county", ZHEJIANG), ("临平区", "county", NINGBO)]) == [ZHEJIANG, NINGBO]
    # levels apart: a 镇 and a 街道 of one short name are never one issuer here (the names differ anyway)
    assert _places([("安宝", "township", NOWHERE), ("安宝", "subdistrict", NINGBO)]) == [NOWHERE, NINGBO]
    # no issuer, no place columns at all
    assert _places([(None, "township", NOWHERE), (None, "township", NINGBO)]) == [NOWHERE, NINGBO]
    bare = pd.DataFrame({"issuer": ["安宝镇"], "report_year": [2022]})
    assert issuer_places(bare).isna().all().all()
    assert issuer_places(_reports([])).empty


def _with_places(ind: pd.DataFrame, reports: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`reports` given places (some named less fully), and a twin of about half the reports with an
    issuer: the same short name and year in another place, its figures one more (merged, they would
    disagree)."""
    rng = np.random.default_rng(seed)
    choices = [NINGBO, JINHUA, ZHEJIANG, NOWHERE, ("浙江省", "宁波市", None)]
    picked = [choices[int(rng.choice(len(choices), p=[0.4, 0.4, 0.08, 0.06, 0.06]))] for _ in range(len(reports))]
    reports = reports.assign(**{f: [p[i] for p in picked] for i, f in enumerate(PLACE_FIELDS)})
    twins = reports[reports["issuer"].notna().to_numpy() & (rng.random(len(reports)) < 0.5)]
    twins = twins.drop_duplicates("report_id")
    twins = twins.assign(
        report_id=twins["report_id"] + "t",
        source_file=twins["source_file"] + ".t",
        province="江苏省",
        prefecture="苏州市",
        county=[rng.choice([None, "吴江区"]) for _ in range(len(twins))],
    )
    copies = ind[ind["report_id"].isin(twins["report_id"].str[:-1])]
    copies = copies.assign(report_id=copies["report_id"] + "t", value=copies["value"] + 1)
    return pd.concat([ind, copies], ignore_index=True), pd.concat([reports, twins], ignore_index=True)


@pytest.mark.parametrize("seed", range(25))
def test_the_panel_is_the_panel_of_each_issuer_apart(seed):
    """The panel of a corpus with places is, cell for cell, main's panel (tests/panel_reference.py, which
    keys by short name) of each issuer (name and place) taken alone, its place columns added."""
    ind, reports = _with_places(*_corpus(seed, twice=seed % 5 == 4), seed)
    ind = indicators_frame(ind)
    places = issuer_places(reports)
    key = reports["issuer"].fillna(reports["source_file"]).astype(str) + "|" + places.fillna("-").agg("|".join, axis=1)
    expected = []
    for k in sorted(set(key)):
        rows = reports[key == k]
        cells = reference_panel(ind[ind["report_id"].isin(rows["report_id"])], rows)
        place = places[key == k].iloc[0]
        expected.append(cells.assign(**{f: [place[f]] * len(cells) for f in PLACE_FIELDS}))
    got = _panel(ind, reports)
    expected = [e for e in expected if len(e)]
    if not expected:
        assert got.empty
        return
    expected = pd.concat(expected, ignore_index=True)
    expected = expected[got.columns].astype(got.dtypes.to_dict())
    expected = expected.sort_values(PANEL_KEYS, kind="stable", na_position="last").reset_index(drop=True)
    _same(got, expected)
    _same(_panel_of(lambda: [ind.iloc[: len(ind) // 2], ind.iloc[len(ind) // 2 :]], reports), got)


def test_the_random_places_hold_the_cases_they_are_for():
    """(so that the comparison above can fail where it matters: one short name and year in two places;
    places completed from a fuller one)"""
    found = joined = 0
    for seed in range(25):
        ind, reports = _with_places(*_corpus(seed), seed)
        panel = _panel(indicators_frame(ind), reports)
        found += int((panel.groupby(["issuer", "report_year", "indicator"]).size() > 1).sum())
        completed = issuer_places(reports).fillna("-") != reports[list(PLACE_FIELDS)].fillna("-")
        joined += int(completed.any(axis=1).sum())
    assert found > 30 and joined > 10


def test_two_bodies_of_one_name_are_two_cells():
    reports = _reports([("司法局", "department", ("浙江省", "杭州市", None)), ("司法局", "department", NINGBO)])
    ind = indicators_frame(
        pd.DataFrame(
            {
                "report_id": ["r0", "r1"],
                "mention_no": [1, 1],
                "indicator": ["disputes_resolved"] * 2,
                "label": ["矛盾纠纷化解"] * 2,
                "value": [553.0, 1132.0],
                "unit": ["件", "件"],
                "kind": ["count", "count"],
                "sentence": ["化解矛盾纠纷553件", "化解矛盾纠纷1132件"],
                "raw": ["553件", "1132件"],
                "start": [6, 6],
            }
        )
    )
    panel = _panel(ind, reports)
    assert panel[["issuer", "prefecture", "county", "value"]].fillna("-").values.tolist() == [
        ["司法局", "宁波市", "鄞州区", 1132.0],
        ["司法局", "杭州市", "-", 553.0],
    ]
    assert not panel["disagree"].any() and (panel["n_reports"] == 1).all()


def test_a_rebuild_moves_the_cells_a_new_place_makes_ambiguous(tmp_path):
    """A town named only by its province joins its one fuller place; a report of a second place of that
    name makes it an issuer of its own: the rebuild moves the older report's cells, as a cold build has them."""
    ind, reports = _corpus(7)
    ind = indicators_frame(ind)
    named = reports["issuer"].notna()
    first = reports.index[named][0]
    name = reports.loc[first, "issuer"]
    reports = reports.assign(**{f: [None] * len(reports) for f in PLACE_FIELDS})
    same = reports["issuer"] == name
    for f, v in zip(PLACE_FIELDS, NINGBO):
        reports.loc[same, f] = v
    reports.loc[first, "county"] = reports.loc[first, "prefecture"] = None  # named less fully
    store = _store(tmp_path, ind, reports, "a")
    before = stream._panel(indicator_panel_stage, store, reports, {})["indicator_panel"]
    assert issuer_places(reports).loc[first, "county"] == "鄞州区"
    new = reports.loc[[first]].assign(report_id="rnew", source_file="fnew.txt", prefecture="金华市", county="金东区")
    now = pd.concat([reports, new], ignore_index=True)
    assert pd.isna(issuer_places(now).loc[first, "county"])  # ambiguous now
    store_now = _store(tmp_path, ind, now, "b")
    last = {"indicator_panel": before, "reports": reports}
    _same(
        stream._panel(indicator_panel_stage, store_now, now, last)["indicator_panel"],
        stream._panel(indicator_panel_stage, store_now, now, {})["indicator_panel"],
    )


def test_an_older_panel_without_places_is_computed_again(tmp_path):
    ind, reports = _corpus(2)
    ind = indicators_frame(ind)
    store = _store(tmp_path, ind, reports, "a")
    cold = stream._panel(indicator_panel_stage, store, reports, {})["indicator_panel"]
    old = cold.drop(columns=list(PLACE_FIELDS)).iloc[:1]  # (as a fazhi before places saved it)
    _same(stream._panel(indicator_panel_stage, store, reports, {"indicator_panel": old, "reports": reports})[
        "indicator_panel"], cold)  # fmt: skip


def test_issuer_labels_name_the_place_only_where_the_name_repeats():
    frame = pd.DataFrame(
        {
            "issuer": ["安宝镇", "安宝镇", "安宝镇", "塘栖镇", "司法局"],
            "province": ["浙江省", "浙江省", None, "浙江省", None],
            "prefecture": ["宁波市", "金华市", None, "杭州市", None],
            "county": ["鄞州区", "金东区", None, "临平区", None],
        }
    )
    assert issuer_labels(frame).tolist() == [
        "宁波市鄞州区安宝镇",
        "金华市金东区安宝镇",
        "安宝镇（地点不详）",
        "塘栖镇",
        "司法局",
    ]
    # one label for two places (one lacks the province): the province written out
    frame = pd.DataFrame(
        {
            "issuer": ["安宝镇", "安宝镇"],
            "province": ["浙江省", None],
            "prefecture": ["宁波市"] * 2,
            "county": [None] * 2,
        }
    )
    assert issuer_labels(frame).tolist() == ["浙江省宁波市安宝镇", "宁波市安宝镇"]


def test_trends_draw_one_line_per_body(corpus):
    """Two towns renamed alike: in two places, two issuers each with one year (no trend); in one
    place, one issuer with two years."""
    reports = corpus.reports.copy()
    tables = {k: v for k, v in corpus.tables.items() if k != "indicator_panel"}
    reports.loc[reports["issuer"] == "澧浦镇", "issuer"] = "塘栖镇"  # 金华 and 杭州: two towns
    tables["reports"] = reports
    sel = iv.select_indicators(fz.Corpus(tables), indicators=["disputes_resolved"])
    trends = iv.issuer_trends(sel)
    assert trends.empty and "issuer_label" in trends.columns
    assert "No issuer has reports for two or more years" in iv.trend_sentence(sel, trends, "en")
    panel = sel.panel[sel.panel["issuer"] == "塘栖镇"]
    assert sorted(panel["prefecture"].tolist()) == ["杭州市", "金华市"]
    groups = iv._group_values(sel, "issuer")
    assert sorted(groups.loc[groups["issuer"] == "塘栖镇", "group"]) == ["杭州市临平区塘栖镇", "金华市金东区塘栖镇"]


def _completed_by_definition(rows: list[tuple]) -> list[tuple]:
    """The rule as written: a town's place with a field missing becomes the one fullest place (no place
    of its name and level is finer) among the places of its name and level that agree with what it knows."""
    out = []
    for issuer, level, place in rows:
        if issuer is None or level not in ("township", "subdistrict") or all(place):
            out.append(place)
            continue
        found = {p for i, lv, p in rows if i == issuer and lv == level}
        fits = [p for p in found if all(a is None or a == b for a, b in zip(place, p))]
        finer = lambda q, p: q != p and all(a is None or a == b for a, b in zip(p, q))  # noqa: E731
        fullest = [p for p in fits if not any(finer(q, p) for q in fits)]
        out.append(fullest[0] if len(fullest) == 1 else place)
    return out


@pytest.mark.parametrize("seed", range(30))
def test_issuer_places_follow_the_rule_as_written(seed):
    rng = np.random.default_rng(seed)
    provinces, prefectures, counties = ["浙江省", "湖南省", None], ["甲市", "乙市", None], ["一县", "二县", None]
    rows = []
    for _ in range(int(rng.integers(5, 60))):
        place = (str(rng.choice(provinces[:2])) if rng.random() < 0.8 else None,
                 str(rng.choice(prefectures[:2])) if rng.random() < 0.7 else None,
                 str(rng.choice(counties[:2])) if rng.random() < 0.6 else None)  # fmt: skip
        rows.append(
            (rng.choice(["城关镇", "新城街道", None]), str(rng.choice(["township", "subdistrict", "county"])), place)
        )
    assert _places(rows) == _completed_by_definition(rows)


def test_the_corpus_pages_count_bodies_not_short_names():
    from fazhi_lib import narrate

    reports = _reports([("司法局", "department", ("浙江省", "杭州市", None)), ("司法局", "department", NINGBO),
                        ("安宝镇", "township", NINGBO), ("安宝镇", "township", ZHEJIANG)])  # fmt: skip
    reports = reports.assign(status="ok")
    assert "来自 3 个发布机关" in narrate.selection_sentence(reports)  # two 司法局; one 安宝镇 (completed)
    assert "from 3 issuers" in narrate.selection_sentence(reports, "en")


def test_the_reading_sentence_names_bodies():
    from fazhi_lib import narrate

    reports = _reports([("司法局", "department", ("浙江省", "杭州市", None)), ("司法局", "department", NINGBO),
                        ("安宝镇", "township", NINGBO)])  # fmt: skip
    hits = pd.DataFrame({"report_id": ["r0", "r1", "r1", "r2", "r2"], "part": ["problems"] * 5})
    hits = hits.merge(reports[["report_id", "issuer"]], on="report_id")
    # by short name the two 司法局 are one user of the pattern (3 hits); they are two bodies
    assert "司法局 uses it most (3 times)" in narrate.kwic_reading_sentence(hits, "审查", 3, "en")
    got = narrate.kwic_reading_sentence(hits, "审查", 3, "en", reports=reports)
    assert "宁波市鄞州区司法局 uses it most (2 times)" in got  # (a tie with 安宝镇: names in code-point order)
    hits = hits[hits["report_id"] != "r2"]
    got = narrate.kwic_reading_sentence(hits, "审查", 3, "en", reports=reports)
    assert "宁波市鄞州区司法局 uses it most (2 times)" in got
