"""The one sentence splitter: where a text's sentences (or clauses) begin and end.

A sentence ends at 。！？； (or their ASCII forms !?;), its terminator kept, or at a line break, dropped:

>>> text = "一、成效\\n全年召开会议31次。调解纠纷;”\\n无"
>>> [text[a:b] for a, b in sentence_spans(text)]
['一、成效', '全年召开会议31次。', '调解纠纷;', '无']

A piece without a letter or digit (the "”" above) is not a sentence. `pieces` is the cut itself,
for any set of stops: the duplicate finder, the reading tools, the scorecard and the indicator
sentences all cut here.
"""

from __future__ import annotations

import functools
import re

SENTENCE_ENDS = "。！？；!?;"
_WORD = re.compile(r"\w")


@functools.lru_cache(maxsize=16)
def _any_of(stops: str) -> re.Pattern:
    return re.compile(f"[{re.escape(stops)}]" if stops else r"(?!x)x")


def pieces(text: str, stops: str) -> list[tuple[int, int]]:
    """(start, end) of the pieces of `text` that each end with one of `stops`, kept in the piece (the
    last piece may not end with one). Every character is in exactly one piece.

    >>> pieces("一是。二是;\\n三", "。;\\n")
    [(0, 3), (3, 6), (6, 7), (7, 8)]
    """
    ends = [m.end() for m in _any_of(stops).finditer(text)]
    spans = list(zip([0, *ends], ends))
    last = ends[-1] if ends else 0
    if last < len(text):
        spans.append((last, len(text)))
    return spans


def sentence_spans(text: str, *, ends: str = SENTENCE_ENDS) -> list[tuple[int, int]]:
    """(start, end) of each sentence holding at least one letter or digit (see the module example):
    cut after one of `ends` (kept) and at line breaks (dropped)."""
    if not text:
        return []
    return [(a, b - (text[b - 1] == "\n")) for a, b in pieces(text, ends + "\n") if _WORD.search(text, a, b)]


def split_sentences(text: str, *, ends: str = SENTENCE_ENDS) -> list[str]:
    """The sentences of `text`, each stripped of surrounding white space, empty ones dropped (a piece
    of punctuation alone is kept).

    >>> split_sentences("一是强化审查。二是规范执法；\\n三是")
    ['一是强化审查。', '二是规范执法；', '三是']
    """
    if not text:
        return []
    out = []
    for a, b in pieces(text, ends + "\n"):
        piece = text[a:b].strip()
        if piece:
            out.append(piece)
    return out
