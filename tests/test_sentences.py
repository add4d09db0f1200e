"""The one sentence splitter, against the five splitters it replaced (their regexes kept here as the
specification): every caller gets the sentences it got before."""

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fazhi_lib.sentences import pieces, sentence_spans, split_sentences

# texts made of the characters that matter: terminators (full-width and ASCII), line breaks,
# spaces, closing quotes, letters, digits and Chinese characters
TEXTS = st.text(alphabet="。！？；!?;\n \u3000”，、,一二法治年31aB_", max_size=40)


def scorecard_sentences_before(text):
    return [m.span() for m in re.finditer(r"[^。！？；!?;\n\w]*\w[^。！？；!?;\n]*[。！？；!?;]?", text)]


def reading_sentences_before(text):
    return [s.strip() for s in re.split(r"(?<=[。！？；!?;])|\n", text) if s and s.strip()]


def duplicate_sentences_before(text):
    text = re.sub(r"[^\S\n]+", "", unicodedata.normalize("NFKC", text))
    return {piece for piece in re.split(r"[。！？；!?;\n]", text) if len(piece) >= 8}


def indicator_spans_before(text, stops):
    spans, start = [], 0
    for m in re.finditer(f"[{re.escape(stops)}]", text):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "一、主要成效\n全年召开会议31次。审查合同5份;”\n无",
            ["一、主要成效", "全年召开会议31次。", "审查合同5份;", "无"],
        ),
        ("", []),
        ("。。\n\n", []),
        ("没有句号", ["没有句号"]),
    ],
)
def test_sentence_spans_by_hand(text, expected):
    assert [text[a:b] for a, b in sentence_spans(text)] == expected


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_the_same_sentences_as_each_splitter_before(text):
    from fazhi_lib.pipeline.assemble import _sentences

    assert sentence_spans(text) == scorecard_sentences_before(text)
    assert split_sentences(text) == reading_sentences_before(text)
    assert _sentences(text) == duplicate_sentences_before(text)
    assert pieces(text, "。！？!?\n") == indicator_spans_before(text, "。！？!?\n")


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_pieces_cover_the_text_once(text):
    spans = pieces(text, "。；\n")
    assert "".join(text[a:b] for a, b in spans) == text
    assert all(a < b for a, b in spans)
