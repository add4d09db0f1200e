"""Near copies found with prefix filtering (issue 22: a group of one issuer and year, such as every
county's 司法局, holds thousands of reports nationally): the same duplicates and messages as comparing
every pair of one issuer and year (`pairwise_duplicates`, the rule as it was, kept here), and a
rebuild that reads no text of an unchanged group finds what a cold build finds."""

from __future__ import annotations

import hashlib
import math
import random
from pathlib import Path

import pandas as pd
import pytest

from fazhi_lib.corpus import load_corpus
from fazhi_lib.parse import MANDATED_PARTS
from fazhi_lib.pipeline.assemble import (
    _FORMAT_RANK,
    NEAR_COPY_SHARE,
    _near_pairs,
    _needed,
    _one_report,
    _sentences,
    _Stacked,
    find_duplicates,
    near_copy_candidates,
    same_place,
    settled_groups,
    text_key,
)
from fazhi_lib.pipeline.cache import BuildCache
from fazhi_lib.pipeline.stream import build_into, cleanup_staging


def pairwise_duplicates(results) -> dict[str, tuple[str, str]]:
    """find_duplicates before prefix filtering (every pair of an issuer and year and of one place
    compared), in memory."""
    parsed = [r for r in results if r.report is not None]
    text_of = {r.source_file: (r.tables.get("texts") or [{"text": ""}])[0]["text"] for r in parsed}
    keys = {r.source_file: text_key(text_of[r.source_file]) for r in parsed}
    length = {r.source_file: len(text_of[r.source_file]) for r in parsed}
    parent = {r.source_file: r.source_file for r in parsed}
    sets = {}

    def root(a):
        while parent[a] != a:
            a = parent[a]
        return a

    def union(a, b):
        parent[root(b)] = root(a)

    def contained(a, b):
        for name in (a, b):
            if name not in sets:
                sets[name] = _sentences(text_of[name])
        sa, sb = sets[a], sets[b]
        small, big = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
        return len(small & big) / len(small) if small else 0.0

    for key in (lambda r: r.report["sha256"] or None, lambda r: keys[r.source_file]):
        first: dict = {}
        for r in parsed:
            if key(r):
                union(first.setdefault(key(r), r.source_file), r.source_file)
    by_issuer_year: dict = {}
    for r in parsed:
        if r.report.get("issuer") and r.report.get("report_year"):
            by_issuer_year.setdefault((r.report["issuer"], r.report["report_year"]), []).append(r)
    for group in by_issuer_year.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if root(a.source_file) != root(b.source_file) and same_place(a.report, b.report):
                    if contained(a.source_file, b.source_file) >= NEAR_COPY_SHARE:
                        union(a.source_file, b.source_file)
    groups: dict = {}
    for r in parsed:
        groups.setdefault(root(r.source_file), []).append(r)
    out = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        longest = max(length[m.source_file] for m in members)

        def rank(m, longest=longest):
            rep = m.report
            found = {k for k in (rep.get("part_kinds") or "").split(",") if k in MANDATED_PARTS}
            return (
                -len(found),
                length[m.source_file] < 0.95 * longest,
                rep.get("converted_from") is not None,
                _FORMAT_RANK.get(rep.get("format"), 9),
                {"utf-8": 0, "utf-8-sig": 1}.get(rep.get("encoding"), 2),
                m.source_file,
            )

        kept_ones: list = []
        for m in sorted(members, key=rank):
            kept = next((k for k in kept_ones if _one_report(k, m, keys) or same_place(k.report, m.report)), None)
            if kept is None:
                kept_ones.append(m)
                continue
            k, r = kept.report, m.report
            this = (
                f"{r.get('format')}"
                + (f", {r['encoding']}" if r.get("encoding") else "")
                + (f", {r['converted_from']} characters" if r.get("converted_from") else "")
            )
            if r["sha256"] and r["sha256"] == k["sha256"]:
                msg = f"duplicate: the same file as {kept.source_file}; counted once"
            elif keys[m.source_file] == keys[kept.source_file]:
                msg = f"duplicate: the same report text as {kept.source_file} (this copy: {this}); counted once"
            else:
                share = contained(m.source_file, kept.source_file)
                shorter = length[m.source_file] < 0.95 * length[kept.source_file]
                msg = (
                    f"duplicate: {'a shorter' if shorter else 'another'} copy of the report in {kept.source_file} "
                    f"(same issuer {r['issuer']} and year {r['report_year']}; {share:.0%} of this copy's sentences are in it; "
                    f"this copy: {this}); the more complete copy is counted once"
                )
            out[m.source_file] = (kept.source_file, msg)
    return out


# ---------------------------------------------------------------- randomized groups
_HAN = [chr(c) for c in range(0x4E00, 0x4E00 + 400)]


def _sentence(rng: random.Random) -> str:
    return "".join(rng.choice(_HAN) for _ in range(rng.randint(8, 14)))


_PLACES = [(None, None, None), ("湖北省", None, None), ("湖北省", "武汉市", None), ("湖北省", "武汉市", "江夏区"),
           ("湖北省", "武汉市", "洪山区"), ("湖南省", "长沙市", "开福区")]  # fmt: skip


def _report(
    name, text, *, issuer, year, sha=None, parts="achievements,problems,plan", fmt="txt", enc="utf-8", place=None
):
    province, prefecture, county = place or (None, None, None)
    report = {
        "province": province,
        "prefecture": prefecture,
        "county": county,
        "sha256": sha if sha is not None else hashlib.sha256((name + text).encode()).hexdigest(),
        "issuer": issuer,
        "report_year": year,
        "part_kinds": parts,
        "converted_from": None,
        "format": fmt,
        "encoding": enc,
    }
    return _Stacked(name, report, text)


def _join(rng: random.Random, sentences: list[str]) -> str:
    return "".join(s + rng.choice("。。；！\n") for s in sentences)


def _place_of(record) -> tuple:
    return tuple(record.report[f] for f in ("province", "prefecture", "county"))


def random_corpus(seed: int, *, n_groups: int = 3, size: int = 40) -> list[_Stacked]:
    """Groups of one issuer and year: a template's sentences in most reports, their own sentences,
    and copies: the same bytes, the same text, truncated, a few sentences changed (shares at 4/5,
    8/10, 7/9 of the smaller set), equal-size sets; empty and short texts; reports without a year;
    places known in full, in part or not at all (a copy mostly of its original's place)."""
    rng = random.Random(seed)
    out: list[_Stacked] = []
    for g in range(n_groups):
        issuer, year = rng.choice(["司法局", "城关镇", "公安局"]) + str(g), 2020 + g % 3
        template = [_sentence(rng) for _ in range(30)]
        made: list[tuple[list[str], _Stacked]] = []
        for i in range(size):
            kind, place = rng.random(), rng.choice(_PLACES)
            name = f"g{g}_{i:03d}.txt"
            if made and kind < 0.35:
                orig, record = rng.choice(made)
                how = rng.choice(["bytes", "text", "truncated", "changed", "added", "near"])
                place = _place_of(record) if rng.random() < 0.7 else place  # (else maybe another place)
                if how == "bytes":
                    text, sha = record.tables["texts"][0]["text"], record.report["sha256"]
                    out.append(_report(name, text, issuer=issuer, year=year, sha=sha, place=place))
                    continue
                if how == "text":
                    body = list(orig)
                elif how == "truncated":
                    body = orig[: max(1, math.ceil(len(orig) * rng.choice([0.3, 0.6, 0.9])))]
                elif how == "changed":  # c of n sentences replaced: n - c of n shared
                    body = list(orig)
                    for k in rng.sample(range(len(body)), min(len(body), rng.choice([1, 2, 3]))):
                        body[k] = _sentence(rng)
                elif how == "added":  # the original is the smaller set
                    body = orig + [_sentence(rng) for _ in range(rng.randint(1, 20))]
                else:  # sizes where the share lands at or just under NEAR_COPY_SHARE
                    n, shared = rng.choice([(5, 4), (10, 8), (9, 7), (5, 3), (15, 12), (20, 15), (10, 9)])
                    body = orig[:shared] + [_sentence(rng) for _ in range(max(0, n - min(shared, len(orig))))]
                if rng.random() < 0.3:
                    rng.shuffle(body)
            elif kind < 0.4:
                body = [] if rng.random() < 0.5 else [_sentence(rng)[:5]]  # empty, or no sentence of 8+
            elif kind < 0.5:  # short: one to four sentences, template ones too
                body = rng.sample(template, rng.randint(0, 2)) + [_sentence(rng) for _ in range(rng.randint(1, 2))]
            else:  # template sentences and own ones (some reports mostly template)
                body = rng.sample(template, rng.randint(0, 24)) + [_sentence(rng) for _ in range(rng.randint(2, 25))]
            parts = rng.choice(["achievements,problems,plan", "achievements,problems", "problems"])
            fmt = rng.choice(["txt", "txt", "html", "pdf"])
            record = _report(name, _join(rng, body), issuer=issuer, year=year, parts=parts, fmt=fmt, place=place)
            made.append((body, record))
            out.append(record)
    orphan = out[0].tables["texts"][0]["text"]  # the same text, no year: a copy across groups
    out.append(_report("no_year.txt", orphan, issuer=out[0].report["issuer"], year=None))
    rng.shuffle(out)
    return out


def test_needed_is_the_float_comparison():
    for n in range(1, 3_001):
        assert _needed(n) == min(k for k in range(n + 1) if k / n >= NEAR_COPY_SHARE), n


@pytest.mark.parametrize("seed", range(6))
def test_the_pairs_at_the_share_are_those_of_every_pair(seed):
    rng = random.Random(seed)
    pool = [f"句子{i:06d}" for i in range(60)]
    sizes = [0, 1, 4, 5, 9, 10, 12, 20, 40]
    sets = [set(rng.sample(pool, rng.choice(sizes))) for _ in range(150)]
    sets += [set(rng.sample(sorted(s), max(0, len(s) - rng.randint(0, 3)))) for s in sets[:40]]  # near its copies
    found = list(_near_pairs(sets))
    expected = []
    for i, a in enumerate(sets):
        for j, b in enumerate(sets):
            small, big = (a, b) if len(a) <= len(b) else (b, a)
            smaller_first = len(a) < len(b) or (len(a) == len(b) and i < j)
            if smaller_first and small and len(small & big) / len(small) >= NEAR_COPY_SHARE:
                expected.append((i, j))
    assert sorted(found) == sorted(expected)
    assert len(found) > 40


@pytest.mark.parametrize("seed", range(12))
def test_the_same_duplicates_and_messages_as_every_pair(seed):
    corpus = random_corpus(seed)
    expected = pairwise_duplicates(corpus)
    assert any("copy of the report" in m for _, m in expected.values())  # near copies, not only exact ones
    assert find_duplicates(corpus) == expected


def test_a_large_group_of_one_template_compares_few_pairs(monkeypatch):
    from fazhi_lib.pipeline import assemble

    corpus = random_corpus(99, n_groups=1, size=600)
    measured = []
    real = assemble._contained
    monkeypatch.setattr(assemble, "_contained", lambda *a: measured.append(a[:2]) or real(*a))
    shares: dict = {}
    assert find_duplicates(corpus, shares=shares) == pairwise_duplicates(corpus)
    assert len(measured) < 10 * len(corpus)  # not the 180,000 pairs of the group
    assert len(shares) < len(corpus)  # the copies and messages kept, not every pair measured


def _texts_of(corpus, read: list):
    texts = {r.source_file: r.tables["texts"][0]["text"] for r in corpus}

    class Reading(dict):
        def __missing__(self, name):
            read.append(name)
            return texts[name]

    return Reading()


@pytest.mark.parametrize("seed", range(8))
def test_a_rebuild_from_the_shares_kept_finds_what_a_cold_build_finds(seed):
    rng = random.Random(seed)
    corpus = random_corpus(seed, n_groups=4, size=30)
    shares: dict = {}
    find_duplicates(corpus, shares=shares)
    for step in range(3):  # a file added, one removed, one changed; one group at a time or none
        before = list(corpus)
        groups = sorted({(r.report["issuer"], r.report["report_year"]) for r in corpus if r.report["report_year"]})
        issuer, year = rng.choice(groups)
        members = [r for r in corpus if (r.report["issuer"], r.report["report_year"]) == (issuer, year)]
        change = rng.choice(["add", "remove", "edit", "none"])
        if change == "add":  # a near copy of a member
            text = members[0].tables["texts"][0]["text"]
            corpus = corpus + [_report(f"new{step}.txt", text + "新增加的一个句子内容", issuer=issuer, year=year)]
        elif change == "remove":
            corpus = [r for r in corpus if r is not rng.choice(members)]
        elif change == "edit":
            victim = rng.choice(members)
            edited = _report(victim.source_file, victim.tables["texts"][0]["text"][:-9], issuer=issuer, year=year)
            corpus = [edited if r is victim else r for r in corpus]
        unchanged = {r.source_file for r in corpus if any(r is b for b in before)}
        settled = settled_groups(corpus, before, unchanged)
        assert len(settled) >= 3 - (change != "none")
        wanted = near_copy_candidates(corpus, settled=settled)
        assert not wanted & {r.source_file for r in corpus if (r.report["issuer"], r.report["report_year"]) in settled}
        read: list = []
        text_keys = {r.source_file: text_key(r.tables["texts"][0]["text"]) for r in corpus}
        lengths = {r.source_file: len(r.tables["texts"][0]["text"]) for r in corpus}
        text_of = _texts_of(corpus, read)
        got = find_duplicates(
            corpus, text_of=text_of, text_keys=text_keys, lengths=lengths, shares=shares, settled=settled
        )
        assert got == pairwise_duplicates(corpus), (step, change)
        assert set(read) <= wanted | {m for m, (k, _) in got.items()} | {k for k, _ in got.values()}


# ---------------------------------------------------------------- through the streamed build (fazhi build)
def _page(issuer: str, sentences: list[str]) -> str:
    third = len(sentences) // 3
    body = ["。".join(sentences[i * third : (i + 1) * third if i < 2 else None]) + "。" for i in range(3)]
    return (
        f"{issuer}法治政府建设年度报告(2024年度)\n\n2024年,{issuer}坚持以法治思想为指引推进工作。全年办理行政复议案件12件。\n"
        f"一、主要成效\n{body[0]}\n二、存在问题\n{body[1]}\n三、下一步计划\n{body[2]}\n"
    )


def _build(raw: Path, out: Path, cache: Path | None) -> None:
    try:
        corpus = build_into(raw, out, cache=BuildCache(cache) if cache else None, chunk=4)
        corpus.save(out, inputs=[raw])
    finally:
        cleanup_staging(out)


@pytest.mark.slow
def test_fazhi_build_rebuild_equals_a_cold_build(tmp_path, monkeypatch):
    rng = random.Random(7)
    raw = tmp_path / "raw"
    raw.mkdir()
    template = [_sentence(rng) for _ in range(12)]
    first: dict[str, list[str]] = {}
    for issuer in ("城关镇", "塘栖镇", "三河镇"):
        bodies = []
        for i in range(9):
            body = rng.sample(template, 6) + [_sentence(rng) for _ in range(6)]
            if i in (4, 5):  # a chain: 2 of 12 sentences changed from the one before (10/12 shared), 8/12 from 3
                body = list(bodies[-1])
                body[2 * i - 8 : 2 * i - 6] = [_sentence(rng), _sentence(rng)]
            if i == 8:  # a truncated copy
                body = bodies[1][:-3]
            if issuer == "三河镇" and i in (1, 2):  # 1 of 12 changed each time: 0, 1 and 2 all copies
                body = list(bodies[-1])
                body[i] = _sentence(rng)
            bodies.append(body)
            (raw / f"{issuer}_{i}.txt").write_text(_page(issuer, body), encoding="utf-8")
        first[issuer] = bodies[0]
    out, cache = tmp_path / "out", tmp_path / "cache"
    _build(raw, out, cache)
    assert set(load_corpus(out).parse_log.query("status == 'duplicate'")["source_file"]) == {
        f"{issuer}_{i}.txt" for issuer in ("城关镇", "塘栖镇", "三河镇") for i in (4, 5, 8)
    } | {"三河镇_1.txt", "三河镇_2.txt"}
    (raw / "城关镇_9.txt").write_text(_page("城关镇", first["城关镇"][:-1]), encoding="utf-8")  # a new copy
    (raw / "城关镇_4.txt").unlink()  # the middle of the chain gone: 3 and 5 are not copies any more
    (raw / "三河镇_0.txt").unlink()  # 1 and 2 were found copies through 0: still copies
    from fazhi_lib.pipeline import stream

    settled = []
    real = stream.settled_groups
    monkeypatch.setattr(stream, "settled_groups", lambda *a: settled.append(real(*a)) or settled[-1])
    _build(raw, out, cache)
    assert settled == [{("塘栖镇", 2024)}]  # its texts not read: its copies from the shares kept
    _build(raw, tmp_path / "cold", None)
    a, b = load_corpus(out), load_corpus(tmp_path / "cold")
    assert sorted(a.tables) == sorted(b.tables)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])
    assert set(a.parse_log.query("status == 'duplicate'")["source_file"]) == {
        "城关镇_8.txt", "城关镇_9.txt", "塘栖镇_4.txt", "塘栖镇_5.txt", "塘栖镇_8.txt", "三河镇_2.txt", "三河镇_4.txt", "三河镇_5.txt", "三河镇_8.txt"
    }  # fmt: skip


def test_a_group_that_lost_a_file_is_compared_again():
    rng = random.Random(3)
    a = [_sentence(rng) for _ in range(12)]
    b = a[:1] + [_sentence(rng)] + a[2:]  # 11/12 of a
    c = b[:2] + [_sentence(rng)] + b[3:]  # 11/12 of b, 10/12 of a: found through a, never measured with b
    corpus = [_report(f"{n}.txt", _join(rng, body), issuer="三河镇", year=2024) for n, body in zip("abc", (a, b, c))]
    corpus += [_report(f"z{i}.txt", _join(rng, [_sentence(rng) for _ in range(9)]), issuer="三河镇", year=2024) for i in range(3)]  # fmt: skip
    shares: dict = {}
    assert set(find_duplicates(corpus, shares=shares)) == {"b.txt", "c.txt"}
    left = corpus[1:]  # a removed
    settled = settled_groups(left, corpus, {r.source_file for r in left})
    assert settled == set()
    assert find_duplicates(left, shares=dict(shares), settled=settled) == pairwise_duplicates(left)
    assert set(pairwise_duplicates(left)) == {"c.txt"}
    assert find_duplicates(left, shares=dict(shares), settled={("三河镇", 2024)}) == {}  # what settling it would miss
