"""Templating against its definition on a corpus of one common short name (issue 22: a national
collection holds hundreds of 城关镇, some without place fields): each report's `template_similarity` is
the highest cosine of its problems part to a report of ANOTHER issuer (same short name and no known
place field that differs = one issuer), and `template_peer` the first such report in report_id order.
The scorecard finds the docs to leave out once per (issuer, place); the reference compares every pair."""

from __future__ import annotations

import random
from collections import defaultdict

import numpy as np
import pytest
from test_scorecard import _tiny  # tests/ is on sys.path (rootdir conftest)

from fazhi_lib import scorecard as sc
from fazhi_lib.sentences import SENTENCE_ENDS, pieces


def _national(corpus, seed: int, n: int = 160):
    """`n` reports, most named 城关镇, of a few provinces or none; problems parts drawn from a small pool
    of texts, so that copies (one distinct text, many reports) cross issuers and stay within them."""
    pool = []
    for text in corpus.tables["parts"]["text"]:
        pool += [text[a:b] for a, b in pieces(text, SENTENCE_ENDS + "\n") if b - a >= 12]
    rng = random.Random(seed)
    texts = ["".join(rng.sample(pool, rng.randint(2, 5))) for _ in range(50)]
    rows = []
    for i in range(n):
        name = rng.choice(["城关镇"] * 6 + ["新城街道", "和平乡"])
        province = rng.choice(["浙江省", "湖南省", "四川省", None])
        rows.append((f"r{i:04d}", name, rng.randint(2020, 2023), province, rng.choice(texts)))
    return _tiny(rows)


def _by_definition(corpus) -> dict[str, tuple[float, str]]:
    """report_id → (template_similarity, template_peer) from the cosines of every pair of docs."""
    reports, parts = corpus.tables["reports"], corpus.tables["parts"]
    recs = sc._records(reports)
    for r in recs:
        r["issuer"] = r["issuer"] if isinstance(r.get("issuer"), str) else None
        r["place"] = sc._place_key(r)
    probs = parts[parts["kind"] == "problems"].sort_values(["report_id", "part_order"])
    text_of = dict(zip(probs["report_id"], probs["text"]))
    heading_of = dict(zip(probs["report_id"], probs["heading"]))
    index = {r["report_id"]: i for i, r in enumerate(recs)}
    ids = sorted(rid for rid in text_of if rid in index)
    docs = [sc._similarity_text(text_of[rid], heading_of[rid], sc._issuer_names(recs[index[rid]])) for rid in ids]
    vectors = sc._char_tfidf(docs)
    full = (vectors.matrix @ vectors.matrix.T).toarray()  # the cosines `_exact_cosines` gives, bit for bit
    recs_of = defaultdict(list)
    for i, r in enumerate(recs):
        recs_of[r["report_id"]].append(i)
    out = {}
    for k, rid in enumerate(ids):
        me = recs[index[rid]]
        others = [
            j
            for j in range(len(ids))
            if j != k and not (me["issuer"] and any(sc._same_issuer(me, recs[i]) for i in recs_of[ids[j]]))
        ]
        values = [full[vectors.rows[k], vectors.rows[j]] for j in others]
        best = max(values)
        out[rid] = (round(float(best), 4), ids[min(j for j, x in zip(others, values) if x == best)])
    return out


@pytest.mark.parametrize("seed", range(4))
def test_template_peers_of_a_common_name_are_those_of_every_pair(corpus, seed):
    national = _national(corpus, seed)
    card = sc.scorecard(national).set_index("report_id")
    expected = _by_definition(national)
    assert len(expected) == len(card) == 160
    got = {rid: (float(card.at[rid, "template_similarity"]), card.at[rid, "template_peer"]) for rid in expected}
    assert got == expected
    # the case at stake: reports whose best match is a copy held by their own issuer, skipped for another
    issuer_of = dict(zip(national.tables["reports"]["report_id"], national.tables["reports"]["issuer"]))
    assert sum(issuer_of[peer] == issuer_of[rid] for rid, (_, peer) in got.items()) > 20  # 城关镇 of another place
    assert any(value < 1.0 for value, _ in got.values())
    assert np.isfinite([v for v, _ in got.values()]).all()
