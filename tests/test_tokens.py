"""Tokeniser: domain terms whole, stopwords and numbers out, one cache by content, swappable engines."""

import pickle

import pytest

from fazhi_lib import tokens
from fazhi_lib.errors import FazhiError
from fazhi_lib.tokens import TokenCache, tokenize, tokenize_many


# sentences as they stand in the five embedded reports (data/raw)
@pytest.mark.parametrize(
    "sentence, term",
    [
        ("2.强化合法性审查。聚焦行政决策规范化", "合法性审查"),
        ("3.深化诉源治理实践。以“共享法庭”建设为突破口,", "共享法庭"),
        ("坚持和发展新时代“枫桥经验”,构建起多方协同", "枫桥经验"),
        ("法事项赋权试点的镇街,“大综合一体化”行政执法改革至", "大综合一体化"),
        ("三、第一责任人职责履行情况", "第一责任人"),
        ("纳入镇级干部年度绩效考核和述职述法核心指标", "述职述法"),
        ("培育法治带头人156人,法律明白人562人", "法律明白人"),
        ("巩固2个全国民主法治示范村、7个省级民主法治村", "民主法治示范村"),
        ("3.深化诉源治理实践。", "诉源治理"),
        ("参加法律职业资格考试,申请公职律师,目前全镇已有5名", "公职律师"),
        ("市级新锐调解员1名。全年化解矛盾纠纷1132件,其中", "矛盾纠纷"),
        ("强化行政执法证申领工作", "行政执法证"),
        ("仅凭人员配备较少的司法所和1-2个法律顾问难以实现", "法律顾问"),
    ],
)
def test_domain_terms_stay_whole_in_real_sentences(sentence, term):
    assert term in tokenize(sentence)


def test_every_dictionary_term_is_one_token_on_its_own():
    entries = tokens.load_domain_dict()
    assert len(entries) >= 200
    assert len({e.word for e in entries}) == len(entries), "duplicate dictionary terms"
    split = [e.word for e in entries if list(tokens.cut(e.word)) != [e.word]]
    assert split == []


def test_traditional_characters_are_cut_like_simplified():
    assert tokenize("塘棲鎮強化合法性審查,推進共享法庭建設") == tokenize("塘栖镇强化合法性审查,推进共享法庭建设")
    assert "合法性审查" in tokenize("強化合法性審查")


def test_stopwords_numbers_punctuation_and_single_characters_are_dropped():
    text = "2024年,我镇进一步切实深入推进合法性审查,不断强化共享法庭建设,全年化解矛盾纠纷1132件,调解成功率100%,覆盖两万余人次。"
    got = tokenize(text)
    assert got == ["合法性审查", "共享法庭", "建设", "化解", "矛盾纠纷", "调解成功率", "覆盖"]
    assert not any(ch.isdigit() for t in got for ch in t)
    with_boilerplate = tokenize(text, stopwords=("general",))
    assert {"进一步", "切实", "深入", "不断", "推进"} <= set(with_boilerplate)
    assert "1132" in tokenize(text, keep_numbers=True)
    assert any(len(t) == 1 for t in tokenize(text, min_len=1, stopwords=()))
    assert "试点" not in tokenize("开展试点工作", extra_stopwords=("试点",))


def test_stopword_lists_are_readable_files_of_single_words():
    assert tokens.stopword_lists() == ["boilerplate", "general"]
    for name in tokens.stopword_lists():
        words = tokens.load_stopwords(name)
        assert len(words) > 100
        assert all(w and " " not in w and "#" not in w for w in words)
    # the words that name a shortcoming are the object of study, not boilerplate
    assert not {"不足", "不够", "薄弱", "有待"} & tokens.load_stopwords("boilerplate")


def test_a_stopword_list_of_ones_own_via_rules_dir(tmp_path, monkeypatch):
    (tmp_path / "stopwords_mine.txt").write_text("# my list\n试点\n样板\n", encoding="utf-8")
    monkeypatch.setenv("FAZHI_RULES_DIR", str(tmp_path))
    assert "mine" in tokens.stopword_lists()
    text = "选定试点,打造样板"
    assert {"试点", "样板"} <= set(tokenize(text, stopwords=()))
    assert not {"试点", "样板"} & set(tokenize(text, stopwords=("mine",)))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"stopwords": ("genral",)},
            "`stopwords` = 'genral' is not valid; choose one of: boilerplate, general.",
        ),
        ({"engine": "hanlp"}, "`engine` = 'hanlp' is not valid; choose one of: jieba, rjieba."),
        ({"min_len": 0}, "`min_len` = 0 is not valid; choose a whole number of 1 or more."),
    ],
)
def test_bad_options_give_clear_errors(kwargs, message):
    with pytest.raises(FazhiError) as err:
        tokenize("合法性审查", **kwargs)
    assert str(err.value) == message


def test_missing_text_is_empty_and_wrong_types_are_refused():
    assert tokenize(None) == [] and tokenize(float("nan")) == [] and tokenize("") == []
    with pytest.raises(TypeError, match="must be a string"):
        tokenize(123)


def test_second_pass_over_the_corpus_costs_nothing(corpus, monkeypatch):
    texts = corpus.texts["text"].tolist() + corpus.problem_items["text"].tolist()
    cache = TokenCache()
    first = tokenize_many(texts, cache=cache)
    assert (cache.hits, cache.misses, len(cache)) == (0, len(texts), len(texts))

    def no_cutting(text):
        raise AssertionError("the engine was called on a cached text")

    monkeypatch.setattr(tokens.get_engine(), "cut", no_cutting)
    second = tokenize_many(texts, cache=cache)
    assert second == first
    assert (cache.hits, cache.misses) == (len(texts), len(texts))
    # other stopword settings reuse the same cut
    assert tokenize_many(texts, cache=cache, stopwords=()) != first
    assert cache.misses == len(texts)


@pytest.mark.parametrize("suffix", [".parquet", ".json"])
def test_cache_persists_and_loads(corpus, tmp_path, monkeypatch, suffix):
    texts = corpus.problem_items["text"].tolist()
    cache = TokenCache()
    expected = tokenize_many(texts, cache=cache)
    path = cache.save(tmp_path / f"tokens{suffix}")
    fresh = TokenCache()
    assert fresh.load(path) == len(set(texts))
    monkeypatch.setattr(tokens.get_engine(), "cut", lambda text: pytest.fail("cut called"))
    assert tokenize_many(texts, cache=fresh) == expected
    assert fresh.misses == 0


def test_cache_key_depends_on_text_engine_and_simplification():
    k = TokenCache.key
    assert k("合法性审查", "jieba-x") == k("合法性审查", "jieba-x")
    assert (
        len(
            {
                k("合法性审查", "jieba-x"),
                k("合法性审查 ", "jieba-x"),
                k("合法性审查", "rjieba-x"),
                k("合法性审查", "jieba-x", simplify=False),
            }
        )
        == 4
    )


class WhitespaceEngine:
    signature = "whitespace-1"

    def cut(self, text):
        return text.split()


def test_engines_can_be_registered_and_made_default():
    before = tokens.default_engine()
    try:
        tokens.register_engine("whitespace", WhitespaceEngine)
        assert "whitespace" in tokens.available_engines()
        assert tokenize("合法性 审查 的", engine="whitespace") == ["合法性", "审查"]
        tokens.set_default_engine("whitespace")
        assert tokenize("共享法庭 建设") == ["共享法庭", "建设"]
    finally:
        tokens.set_default_engine(before)
        tokens._ENGINE_FACTORIES.pop("whitespace", None)
        tokens._ENGINES.pop("whitespace", None)
    assert tokenize("共享法庭建设") == ["共享法庭", "建设"]


def test_tokenizer_callable_pickles_with_its_options():
    tok = tokens.Tokenizer(stopwords=("general",))
    again = pickle.loads(pickle.dumps(tok))
    assert again("进一步强化合法性审查") == tok("进一步强化合法性审查") == ["进一步", "强化", "合法性审查"]


def test_own_jieba_instance_leaves_the_global_one_alone():
    import jieba

    tokenize("合法性审查")
    assert tokens.get_engine()._tokenizer is not jieba.dt
    assert "共享法庭" not in jieba.dt.FREQ
