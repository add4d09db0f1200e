"""Tokenising engines: rjieba (the default) gives the same Chinese tokens as pure jieba, and the
build stores every part's tokens in the `tokens` table."""

import re

import pytest

from fazhi_lib import tokens
from fazhi_lib.part_tokens import cut_for_table, part_tokens
from fazhi_lib.tokens import cut, tokenize

CJK = re.compile(r"[\u3400-\u9fff]")


def chinese(toks):
    """The tokens holding a Chinese character (number and punctuation runs are cut differently)."""
    return [t for t in toks if CJK.search(t)]


def test_rjieba_is_the_default_and_jieba_stays_selectable():
    assert tokens.default_engine() == "rjieba"
    assert {"jieba", "rjieba"} <= set(tokens.available_engines())
    assert tokens.get_engine().signature.startswith("rjieba-")
    assert tokens.get_engine("jieba").signature.startswith("jieba-")
    # both carry the same domain dictionary: their signatures end with the same dictionary digest
    assert tokens.get_engine().signature.split("-dict")[1] == tokens.get_engine("jieba").signature.split("-dict")[1]


@pytest.mark.parametrize("engine", ["jieba", "rjieba"])
@pytest.mark.parametrize(
    "text, whole",
    [
        ("切实强化合法性审查", "合法性审查"),
        ("坚持和发展新时代枫桥经验", "新时代枫桥经验"),
        ("推进共享法庭建设", "共享法庭"),
    ],
)
def test_both_engines_keep_domain_terms_whole(engine, text, whole):
    assert whole in tokenize(text, engine=engine)


def test_same_chinese_tokens_on_every_embedded_report(corpus):
    """Every clean text and every part: the raw cuts agree on every token holding a Chinese
    character, and `tokenize` (which drops numbers and punctuation) agrees exactly."""
    texts = list(corpus.texts["text"]) + list(corpus.parts["text"])
    assert len(corpus.texts) == 5 and len(texts) > 20
    n_tokens = 0
    for text in texts:
        fast, slow = cut(text, engine="rjieba"), cut(text, engine="jieba")
        assert chinese(fast) == chinese(slow)
        assert tokenize(text, engine="rjieba") == tokenize(text, engine="jieba")
        assert tokenize(text, engine="rjieba", stopwords=None, min_len=1) == tokenize(
            text, engine="jieba", stopwords=None, min_len=1
        )
        n_tokens += len(chinese(fast))
    assert n_tokens > 10_000  # the comparison covered the whole corpus, not a sample


def test_engines_differ_only_inside_number_runs():
    """The documented difference, which the filters drop (002 has 1-2个法律顾问): 1-2 is one token for
    rjieba, three for jieba."""
    text = "组织1-2次法治培训"
    assert cut(text, engine="rjieba") == ("组织", "1-2", "次", "法治", "培训")
    assert cut(text, engine="jieba") == ("组织", "1", "-", "2", "次", "法治", "培训")
    assert tokenize(text, engine="rjieba") == tokenize(text, engine="jieba") == ["法治", "培训"]


def test_build_stores_the_tokens_of_every_part(corpus):
    table = corpus.tokens
    assert list(table.columns) == ["report_id", "part_order", "kind", "n_tokens", "tokens"]
    assert len(table) == len(corpus.parts)
    merged = corpus.parts.merge(table, on=["report_id", "part_order"], suffixes=("", "_t"))
    assert (merged["kind"] == merged["kind_t"]).all()
    for text, stored, n in zip(merged["text"], merged["tokens"], merged["n_tokens"]):
        assert stored.split(" ") == cut_for_table(text)
        assert len(stored.split(" ")) == n


def test_stored_tokens_filter_like_tokenize(corpus):
    """part_tokens(corpus, **options) gives what tokenize(part text, **options) gives, without cutting."""
    parts = corpus.parts.sort_values(["report_id", "part_order"]).reset_index(drop=True)
    for options in ({}, {"stopwords": None, "min_len": 1}, {"keep_numbers": True, "stopwords": ("general",)}):
        stored = part_tokens(corpus, **options)
        assert len(stored) == len(parts)
        for text, toks in zip(parts["text"], stored["tokens"]):
            assert toks == tokenize(text, **options)


def test_stored_tokens_of_one_kind(corpus):
    problems = part_tokens(corpus, kind="problems")
    assert set(problems["kind"]) == {"problems"}
    assert len(problems) == (corpus.parts["kind"] == "problems").sum()
    assert any("问题" in toks or "不足" in toks for toks in problems["tokens"])


def test_part_tokens_bad_kind_is_a_clear_error(corpus):
    with pytest.raises(ValueError, match=r"^`part_kind` = 'problem' is not valid; choose one of: "):
        part_tokens(corpus, kind="problem")


def test_part_tokens_of_a_corpus_built_without_the_table(corpus):
    from fazhi_lib.corpus import Corpus

    old = Corpus({k: v for k, v in corpus.tables.items() if k != "tokens"})
    assert part_tokens(old, kind="plan")["tokens"].tolist() == part_tokens(corpus, kind="plan")["tokens"].tolist()


def test_t2s_converts_line_by_line(raw_dir):
    """What part_tokens_stage relies on to skip converting parts of a report t2s keeps as it is: no entry of
    OpenCC's t2s dictionaries holds a line break, so a text converts as its lines do, one by one."""
    import opencc

    from fazhi_lib.convert import simplify

    s2t = opencc.OpenCC("s2t")
    for path in sorted(raw_dir.glob("*.txt")):
        traditional = s2t.convert(path.read_text(encoding="utf-8"))
        assert simplify(traditional) != traditional
        assert simplify(traditional) == "\n".join(simplify(line) for line in traditional.split("\n"))


def test_part_tokens_stage_converts_what_needs_it(raw_dir):
    """The stage gives each part the cut of its simplified text, whether the report is written in simplified
    characters (the parts are not converted again) or not (each part is)."""
    import opencc

    from fazhi_lib.parse import parse_page
    from fazhi_lib.part_tokens import part_tokens_stage

    s2t = opencc.OpenCC("s2t")
    text = sorted(raw_dir.glob("*.txt"))[0].read_text(encoding="utf-8")
    for page in (text, s2t.convert(text)):
        doc = parse_page(page).document
        rows = part_tokens_stage(doc)["tokens"]
        assert len(rows) == len(doc.parts) > 2
        assert [r["tokens"] for r in rows] == [" ".join(cut_for_table(p["text"])) for p in doc.parts]
