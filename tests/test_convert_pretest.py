"""convert.t2s_keeps says "t2s returns this text unchanged" without converting it: it must never say so of
a text OpenCC changes (checked against OpenCC itself on reports, on every key of t2s's dictionaries, on
traditional and mixed texts and on random mixes), it must say so of simplified reports (or it saves
nothing), and without the dictionaries or the tool that reads them every text is converted, as before."""

import functools
import random
from pathlib import Path

import opencc
import pytest

from fazhi_lib import convert

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
DEVSET = Path(__file__).resolve().parent.parent.parent / "shared" / "devset" / "reports"


@functools.lru_cache(maxsize=1)
def _own_converter():
    return opencc.OpenCC("t2s")  # a converter of its own: no memo, no pretest in between


def _t2s(text: str) -> str:
    return _own_converter().convert(text)


def _reports() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(RAW.glob("*.txt"))]


def _devset() -> list[str]:
    if not DEVSET.is_dir():
        return []
    return [p.read_text(encoding="utf-8", errors="replace") for p in sorted(DEVSET.glob("*.txt"))]


@functools.lru_cache(maxsize=1)
def _tables():
    tables = convert._changing_keys()
    assert tables is not None, "the opencc wheel's dictionaries could not be read"
    return tables


@functools.lru_cache(maxsize=1)
def _all_keys() -> list[str]:
    """Every key of every dictionary t2s.json names, read with the module's own reader."""
    import json

    config = Path(convert.t2s().config)
    spec = json.loads(config.read_text(encoding="utf-8"))
    dicts = [
        f
        for stage in [*spec.get("normalization", []), *spec["conversion_chain"]]
        for f in convert._dict_files(stage["dict"])
    ]
    return sorted({key for table in convert._read_dicts(dicts, config.parent) for key, _ in table})


def _sound(text: str) -> None:
    if convert.t2s_keeps(text):
        assert _t2s(text) == text, text[:80]


@pytest.fixture
def no_pretest(monkeypatch):
    """The module as on a system whose dictionaries cannot be read (restored afterwards)."""
    convert._pretest.cache_clear()
    monkeypatch.setattr(convert, "_opencc_dict", lambda: None)
    saved = set(convert._KEPT_LINES)
    convert._KEPT_LINES.clear()
    yield
    convert._pretest.cache_clear()
    convert._KEPT_LINES.clear()
    convert._KEPT_LINES.update(saved)


def test_the_pretest_is_built_from_the_installed_dictionaries():
    chars, phrases, listed = _tables()
    assert len(chars) > 4000 and "漢" in chars and "汉" not in chars
    assert "藉口" in phrases and "瞭解" in phrases  # longer keys of characters t2s keeps alone
    assert not any(chars.intersection(p) for p in phrases)
    assert convert._pretest() is not None


def test_every_changing_key_is_one_opencc_changes():
    """The first value is the one OpenCC writes: each key read as changing is changed by OpenCC."""
    chars, phrases, _ = _tables()
    assert [k for k in sorted(chars | phrases) if _t2s(k) == k] == []


def test_no_key_opencc_changes_passes_alone_or_in_context():
    keys = _all_keys()
    assert len(keys) > 5000
    for key in keys:
        for text in (key, f"法治政府{key}建设工作", f"{key}\n2024年"):
            _sound(text)
    changed = [k for k in keys if _t2s(k) != k]
    assert changed and not any(convert.t2s_keeps(k) for k in changed)


def test_simplified_reports_pass_and_traditional_ones_do_not():
    s2t = opencc.OpenCC("s2t")
    texts = _reports()
    assert texts
    for text in texts:
        assert convert.t2s_keeps(text) and _t2s(text) == text  # the embedded reports are simplified
        trad = s2t.convert(text)
        assert not convert.t2s_keeps(trad) and _t2s(trad) != trad


def test_the_pretest_agrees_with_opencc_on_reports_lines_and_slices():
    rng = random.Random(22)
    s2t = opencc.OpenCC("s2t")
    texts = _reports() + _devset()
    texts += [s2t.convert(t) for t in texts[:5]]
    texts += ["\n".join(s2t.convert(x) if k % 7 == 3 else x for k, x in enumerate(t.split("\n"))) for t in texts[:5]]
    for text in texts:
        _sound(text)
        for line in text.split("\n"):
            _sound(line)
            if convert.t2s_keeps(line) != (_t2s(line) == line):  # conservative only where a longer key
                assert any(c in _tables()[0] for c in line)  # keeps a changing character (乾隆 keeps 乾)
        for _ in range(30):
            a = rng.randrange(len(text) + 1)
            _sound(text[a : a + rng.choice((3, 40, 2000))])


def test_devset_pages_pass_the_pretest_as_opencc_keeps_them():
    pages = _devset()
    if not pages:
        pytest.skip("../shared/devset is absent")
    kept = [p for p in pages if _t2s(p) == p]
    assert sum(convert.t2s_keeps(p) for p in kept) >= 0.9 * len(kept)


def test_random_mixes_against_a_plain_search_of_the_keys():
    chars, phrases, _ = _tables()
    changing = sorted(chars | {k for k in _all_keys() if len(k) > 1 and _t2s(k) != k})
    rng = random.Random(7)
    plain = list("法治政府建设工作报告年度推进依法行政覆盖破坏了解口得") + ["2024", "\n", " ", "，"]
    odd = ["\U00020000", "\U0002a6a5", "\uf900", "\ufa0e", "①", "Ａ", "\x00", "乾隆"]
    pool_changing = sorted(chars)[:: max(1, len(chars) // 300)] + sorted(phrases)
    for n in range(3000):
        parts = [rng.choice(plain) for _ in range(rng.randrange(1, 30))]
        if n % 3 == 0:
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(pool_changing))
        if n % 5 == 0:
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(odd))
        text = "".join(parts)
        _sound(text)
        if text.isascii() or all(ord(c) <= 0xFFFF for c in text):
            assert convert.t2s_keeps(text) == (not any(k in text for k in changing)), text


def test_the_phrase_pattern_finds_exactly_the_phrases():
    phrases = {"藉口", "找藉口", "以免藉口", "反覆", "反反覆覆", "覆信", "一目瞭然", "衹得", "打坏"}
    search = convert._phrase_pattern(phrases, {"藉", "覆", "瞭", "衹", "坏"}).search
    rng = random.Random(3)
    alphabet = "藉口找以免反覆信一目瞭然衹得打坏"
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 8)))
        assert (search(text) is not None) == any(p in text for p in phrases), text


def test_lone_surrogates_and_astral_characters_go_to_opencc():
    assert not convert.t2s_keeps("法治\ud800")  # OpenCC cannot encode it: it raises, as before
    assert not convert.t2s_keeps("法治\U00020000")
    with pytest.raises(UnicodeEncodeError):
        convert.simplify("法治\ud800")


def test_without_the_tool_every_text_is_converted(no_pretest):
    assert convert._pretest() is None
    assert not convert.t2s_keeps("法治政府建设")
    for text in _reports()[:2]:
        trad = opencc.OpenCC("s2t").convert(text)
        assert convert.simplify(text) == _t2s(text) == text
        assert convert.simplify(trad) == _t2s(trad)
        assert convert.to_simplified(trad).converted_from == "traditional"


@pytest.mark.parametrize(
    "edit",
    [
        lambda spec: spec.update(postprocess=[]),  # a stage this reading does not know
        lambda spec: spec["conversion_chain"][0]["dict"].update(type="mystery"),
        lambda spec: spec["conversion_chain"][0]["dict"]["dicts"][0].update(file="missing.ocd2"),
    ],
)
def test_a_config_it_does_not_know_means_no_pretest(no_pretest, monkeypatch, tmp_path, edit):
    import json
    import shutil

    monkeypatch.undo()  # the tool back: only the config differs
    config = Path(convert.t2s().config)
    for f in config.parent.glob("*.ocd2"):
        shutil.copy(f, tmp_path / f.name)
    spec = json.loads(config.read_text(encoding="utf-8"))
    edit(spec)
    (tmp_path / "t2s.json").write_text(json.dumps(spec), encoding="utf-8")

    class Converter:
        config = str(tmp_path / "t2s.json")

    monkeypatch.setattr(convert, "t2s", lambda: Converter())
    assert convert._changing_keys() is None
    # and the same copy unedited is read: the test can fail
    (tmp_path / "t2s.json").write_text(config.read_text(encoding="utf-8"), encoding="utf-8")
    assert convert._changing_keys() == _tables()
