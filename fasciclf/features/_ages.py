"""Ages told as points of a story: "at 78", "the year he turned 77", "his 76th birthday".

People who tell a long illness often count it by their own ages rather than by
dates ("At 60 her hands started to tremble. By 62 she was shuffling"). Each
such age is a step of the story, in the order told. It dates nothing: the
guideline gives a symptom dated only by an age no duration.
"""

from __future__ import annotations

import re

from fasciclf.features._dates import TimeExpr

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
_COUNTING = frozenset({"count", "counts", "counted", "counting", "numbers"})
_COUNT_REACH = 10


def _age_value(word: str) -> int | None:
    if word.isdigit():
        n = int(word)
        return n if _AGE_MIN <= n <= _AGE_MAX else None
    return _AGE_WORDS.get(word)


def age_steps(words: list[str], told: list[TimeExpr] | None = None) -> list[TimeExpr]:
    """Ages told as points of the story, as ``sequence`` steps (``value`` ``"next"``).

    >>> w = "the year he turned 77 the ache began . at 78 his foot went numb".split()
    >>> [(t.kind, t.value, w[t.start:t.end]) for t in age_steps(w)]
    [('sequence', 'next', ['turned', '77']), ('sequence', 'next', ['at', '78'])]
    >>> age_steps("it happens at 60 mph on the motorway".split())
    []
    """
    taken = {k for t in told or () for k in range(t.start, t.end)}
    out = []
    n = len(words)
    for k, w in enumerate(words):
        if k in taken:
            continue
        if w in _AGE_LEADS and k + 1 < n and _age_value(words[k + 1]) is not None:
            nxt = words[k + 2] if k + 2 < n else ""
            if nxt in _NOT_AN_AGE or k + 1 in taken:
                continue
            # "count out loud to fifty, by forty he sounded ...": a count
            if not _COUNTING.isdisjoint(words[max(k - _COUNT_REACH, 0) : k]):
                continue
            if w == "by" and not words[k + 1].isdigit():
                continue
            # "turned 60" needs no "when": "at 60" and "by 62" do need the age
            # to stand alone ("by 30 percent" is caught above)
            out.append(TimeExpr("sequence", k, k + 2, value="next"))
        elif (
            w in _AGE_WHO
            and k + 2 < n
            and words[k + 1] in _AGE_WAS
            and _age_value(words[k + 2]) is not None
            and k > 0
            and words[k - 1] == "when"
            and (k + 3 >= n or words[k + 3] not in _NOT_AN_AGE)
        ):
            out.append(TimeExpr("sequence", k - 1, k + 3, value="next"))
        elif (
            w == "birthday"
            and k > 0
            and (words[k - 1] in _AGE_ORDINALS or _ORDINAL_AGE.fullmatch(words[k - 1]))
        ):
            out.append(TimeExpr("sequence", k - 1, k + 1, value="next"))
    # "when he turned 60" is read once, by its "when"
    out.sort(key=lambda t: (t.start, -t.end))
    kept: list[TimeExpr] = []
    for t in out:
        if kept and t.start < kept[-1].end:
            continue
        kept.append(t)
    return kept


_ORDINAL_AGE = re.compile(r"(?:1[6-9]|[2-9]\d|10[0-5])(?:st|nd|rd|th)")
