"""Comparing phrases of policy texts: normalised forms and how alike two phrases are."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from policykg.text.markdown import plain_text

#: Words that rewordings add or drop without changing what a phrase names.
FUNCTION_WORDS = frozenset("a an the that which this these those like such as e.g. for example including".split())

_IZE = re.compile(r"(?<=\w\w)iz(?=(?:e|es|ed|ing|ation|ations|er|ers)\b)")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": "", "\u201d": "", '"': "", "\u00a0": " "})


def normalise(phrase: str) -> str:
    """A phrase as compared: links as their words, no quotes, one space, lower case, -ise, no end punctuation."""
    text = plain_text(phrase).replace("<br>", " ").translate(_QUOTES)
    text = re.sub(r"^\s*[*\-]\s+", "", text)
    text = " ".join(text.split()).casefold()
    return _IZE.sub("is", text).strip(" .,;:'")


def content_words(phrase: str) -> str:
    """A normalised phrase without its function words ('that', 'like', 'such as' …)."""
    return " ".join(w for w in phrase.split() if w.strip(",;()") not in FUNCTION_WORDS)


@lru_cache(maxsize=65536)
def similarity(a: str, b: str, floor: float = 0.0) -> float:
    """How alike two normalised phrases are (0–1): the better of the whole phrases and their content words.

    Pairs that cannot reach `floor` (by difflib's cheap upper bounds) count as 0, which keeps lookups fast; the
    content words are compared only when their upper bound beats the whole phrases' ratio (the result is the same).
    """
    if a == b:
        return 1.0
    if a == b:
        return 1.0
    best = 0.0
    for x, y in ((a, b), (content_words(a), content_words(b))):
        matcher = SequenceMatcher(None, x, y, autojunk=False)
        if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor or (best and matcher.quick_ratio() <= best):
            continue
        best = max(best, matcher.ratio())
    return best
