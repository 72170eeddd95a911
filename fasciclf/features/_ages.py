"""Ages told as points of a story: "at 78", "the year he turned 77", "his 76th birthday".

People who tell a long illness often count it by their own ages rather than by
dates ("At 60 her hands started to tremble. By 62 she was shuffling"). Each
such age is a step of the story, in the order told. It dates nothing: the
guideline gives a symptom dated only by an age no duration.
"""

from __future__ import annotations

import re

from fasciclf.features._dates import TimeExpr
from fasciclf.features._tokens import word_positions

__all__ = ["age_steps"]

# Ages that step a story on ("at 78 his foot went numb", "the year he turned
# 77", "just after his 76th birthday", "when she was 60"): steps in order,
# with no date (the guideline: a symptom dated only by an age has no duration)
_AGE_LEADS = frozenset({"at", "by", "aged", "age", "turned", "turning", "hit", "reached"})
_AGE_WAS = frozenset({"was", "were", "turned", "hit", "reached"})
_AGE_WHO = frozenset({"i", "he", "she", "we", "they"})
_AGE_WORDS = {
    w: 10 * (i + 2)
    for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())
}
_AGE_ORDINALS = frozenset(
    "eighteenth twenty-first thirtieth fortieth fiftieth sixtieth seventieth eightieth "
    "ninetieth".split()
)
# "at 60 mph", "by 30 percent", "at 18:30", "at 40 minutes in"
_NOT_AN_AGE = frozenset(
    "mph km kph miles metres meters feet foot kg kilos pounds lbs stone percent % degrees "
    "minutes minute mins hours hour seconds secs times o'clock am pm a.m. p.m. : . - / , "
    "quid bpm reps kilometres kilometers".split()
)
_AGE_MIN, _AGE_MAX = 16, 105
_TRIGGERS = _AGE_LEADS | _AGE_WHO | {"birthday"}
_COUNTING = frozenset({"count", "counts", "counted", "counting", "numbers"})
_COUNT_REACH = 10


def _age_value(word: str) -> int | None:
    if word.isdigit():
        n = int(word)
        return n if _AGE_MIN <= n <= _AGE_MAX else None
    return _AGE_WORDS.get(word)


def age_steps(words: list[str], told: list[TimeExpr] | None = None) -> list[TimeExpr]:
    """Ages told as points of the story, as ``sequence`` steps (``value`` ``"next"``).

    ``told`` are time expressions already read; their tokens are no age.

    >>> w = "the year he turned 77 the ache began . at 78 his foot went numb".split()
    >>> [(t.kind, t.value, w[t.start:t.end]) for t in age_steps(w)]
    [('sequence', 'next', ['turned', '77']), ('sequence', 'next', ['at', '78'])]
    >>> age_steps("it happens at 60 mph on the motorway".split())
    []
    """
    at = word_positions(words, _TRIGGERS)
    if not at:
        return []  # most texts tell no age: one set intersection, in C
    taken = {k for t in told or () for k in range(t.start, t.end)}
    found = (_age_at(words, k) for k in at if k not in taken and k + 1 not in taken)
    # "when he turned 60" is read once, by its "when"
    kept: list[TimeExpr] = []
    for t in sorted((t for t in found if t is not None), key=lambda t: (t.start, -t.end)):
        if not kept or t.start >= kept[-1].end:
            kept.append(t)
    return kept


def _age_at(words: list[str], k: int) -> TimeExpr | None:
    """The age step opened by the trigger word at ``k``, if it is one."""
    w, n = words[k], len(words)
    if w in _AGE_LEADS:
        if k + 1 >= n or _age_value(words[k + 1]) is None:
            return None
        if k + 2 < n and words[k + 2] in _NOT_AN_AGE:
            return None  # "at 60 mph", "by 30 percent"
        if not _COUNTING.isdisjoint(words[max(k - _COUNT_REACH, 0) : k]):
            return None  # "count out loud to fifty, by forty he sounded ...": a count
        if w == "by" and not words[k + 1].isdigit():
            return None
        return TimeExpr("sequence", k, k + 2, value="next")
    if w in _AGE_WHO:
        # "when I was 40", "when she turned sixty"
        if not (0 < k and k + 2 < n and words[k - 1] == "when" and words[k + 1] in _AGE_WAS):
            return None
        if _age_value(words[k + 2]) is None or (k + 3 < n and words[k + 3] in _NOT_AN_AGE):
            return None
        return TimeExpr("sequence", k - 1, k + 3, value="next")
    # "his 76th birthday", "her sixtieth birthday"
    before = words[k - 1] if k else ""
    if before in _AGE_ORDINALS or _ORDINAL_AGE.fullmatch(before):
        return TimeExpr("sequence", k - 1, k + 1, value="next")
    return None


_ORDINAL_AGE = re.compile(r"(?:1[6-9]|[2-9]\d|10[0-5])(?:st|nd|rd|th)")
