"""Diary entries headed by the day of the week.

"Monday. My right foot feels strange. / Wednesday. The foot slaps when I
walk. / Next Tuesday. The doctor tapped my knee.": a diary kept by weekday
names counts its days by them. Each heading is a step some days after the
heading before it: the days between the two weekdays, or between the two
days of the month when both headings give one ("wed 12 ... fri 28"). A
heading that counts days itself ("Two weeks later.") moves the weekday on
as well.

:func:`weekday_headings` returns the time expressions with the headings
added as ``after_prev`` records marked ``header``, which the story clock
counts like "two days later" told in the past (a diary is often written in
the present tense). A text with fewer than :data:`MIN_HEADINGS` weekday
headings is no such diary and its expressions are returned unchanged.
"""

from __future__ import annotations

import dataclasses

from fasciclf.features._dates import TimeExpr
from fasciclf.features._tokens import distinct_words, word_positions

__all__ = ["MIN_HEADINGS", "WEEKDAYS", "WED_PIECES", "weekday_headings"]

MIN_HEADINGS = 2
_WEEKDAY = {
    w: i
    for i, names in enumerate(
        (
            "mon monday",
            "tue tues tuesday",
            "wed weds wednesday",
            "thu thur thurs thursday",
            "fri friday",
            "sat saturday",
            "sun sunday",
        )
    )
    for w in names.split()
}
WEEKDAYS = frozenset(_WEEKDAY)
_WEDNESDAY = 2
# spaCy splits "Wed" like "we'd": "we" and "d" ("d." with its period)
_WED_TAIL = frozenset({"d", "d."})
WED_PIECES = _WED_TAIL | {"we"}
_DAY_WORDS = WEEKDAYS | _WED_TAIL  # not "we": nearly every text has it
# "Next Tuesday.", "The following Monday:" head an entry as a bare weekday does
_LEAD = frozenset({"next", "following", "the"})
_PART_OF_DAY = frozenset({"morning", "afternoon", "evening", "night", "am", "pm"})
_ENDS = frozenset({".", ":", "-", "–", "—", ","})
_ORDINAL = ("st", "nd", "rd", "th")
_MONTH_DAYS = 30  # a day of the month told smaller than the one before: the next month


def _day_of_month(word: str) -> int | None:
    """ "12" or "12th" as a day of the month, else None."""
    if word[-2:] in _ORDINAL:
        word = word[:-2]
    if word.isascii() and word.isdigit() and 1 <= int(word) <= 31:
        return int(word)
    return None


def _split_wed(words: list[str], i: int) -> bool:
    """ "Wed" split in two, ``i`` at its "d"."""
    return words[i] in _WED_TAIL and i > 0 and words[i - 1] == "we"


def _opens_line(words: list[str], start: int) -> bool:
    return start == 0 or "\n" in words[start - 1]


def _heading_at(words: list[str], i: int) -> tuple[int, int, int | None] | None:
    """Start, end and day of the month of a weekday heading at token ``i``."""
    start = i - 1 if _split_wed(words, i) else i
    while start and words[start - 1] in _LEAD and i - start < 2:
        start -= 1
    if not _opens_line(words, start):
        return None
    if words[i].endswith("."):
        return start, i + 1, None  # "Wed." is split "we", "d."
    k, day = i + 1, None
    if k < len(words) and (day := _day_of_month(words[k])) is not None:
        k += 1
        if k < len(words) and words[k].isalpha() and words[k] not in _PART_OF_DAY:
            k += 1  # the month: "mon 3 march."
    if k < len(words) and words[k] in _PART_OF_DAY:
        k += 1
    if k < len(words) and not (words[k] in _ENDS or "\n" in words[k]):
        return None  # "Monday was the worst day": a sentence, not a heading
    return start, k, day


def _counted_heading(words: list[str], e: TimeExpr) -> bool:
    """ "Two weeks later." on a line of its own counts days between entries."""
    return (
        e.kind == "after_prev"
        and bool(e.days)
        and _opens_line(words, e.start)
        and (e.end >= len(words) or words[e.end] in _ENDS or "\n" in words[e.end])
    )


def weekday_headings(words: list[str], exprs: list[TimeExpr]) -> list[TimeExpr]:
    """The time expressions with a weekday diary's headings added, in text order.

    >>> words = "monday . calves twitch .\\n wednesday . worse .\\n".split(" ")
    >>> [(e.kind, e.days, e.header) for e in weekday_headings(words, [])]
    [('after_prev', 0.0, True), ('after_prev', 2.0, True)]
    >>> weekday_headings("on monday my calves twitched".split(), [])
    []
    """
    if _DAY_WORDS.isdisjoint(distinct_words(words)):
        return exprs  # most texts name no weekday: a few set lookups
    # "Next Tuesday.": the heading takes over the "next" the table read as a step
    taken = {k for e in exprs if e.kind != "sequence" for k in range(e.start, e.end)}
    heads = [
        (i, h)
        for i in word_positions(words, _DAY_WORDS)
        if (words[i] in _WEEKDAY or _split_wed(words, i))
        and (h := _heading_at(words, i)) is not None
    ]
    if len(heads) < MIN_HEADINGS:
        return _told_weekdays(words, exprs)
    counted = {e.start: e for e in exprs if _counted_heading(words, e)}
    added: list[TimeExpr] = []
    weekday = day = None
    marks = sorted([(h[0], i, h) for i, h in heads] + [(s, None, None) for s in counted])
    for at, i, h in marks:
        if i is None:  # "Two weeks later.": the weekday moves on with it
            e = counted[at]
            added.append(dataclasses.replace(e, header=True))
            if weekday is not None:
                weekday = (weekday + round(e.days)) % 7
            day = None
            continue
        start, end, mday = h
        now = _WEEKDAY.get(words[i], _WEDNESDAY)
        if weekday is None:
            gap = 0.0
        elif mday is not None and day is not None and (mday - day) % 7 == (now - weekday) % 7:
            gap = float(mday - day if mday > day else mday - day + _MONTH_DAYS)
        else:
            gap = float((now - weekday) % 7 or 7)
        weekday, day = now, mday
        if any(k in taken for k in range(start, end)):
            continue  # "mon 3 march.": a date to the day already
        added.append(TimeExpr("after_prev", start, end, days=gap, header=True))
    # the headings replace what the table read on their tokens ("next", a
    # counted "Two weeks later." now marked as a heading)
    spans = {k for e in added for k in range(e.start, e.end)}
    kept = [e for e in exprs if e.start not in spans]
    return sorted(kept + added, key=lambda e: e.start)


# "on Sunday evening ... on Monday morning", "By Friday she couldn't stand",
# "Come Sunday it was still there": a weekday told as a scene of the story
_SCENE_LEAD = frozenset("on by come until till from following next was".split())
_OWN_STEP = frozenset({"then", "that"})
# "... got over it. tuesday it was up to my ankles": a weekday opening a clause,
# told of the person or the symptom
_CLAUSE_LEAD = frozenset({",", ".", ";", "and"})
_SCENE_SUBJECT = frozenset("i he she it we they my his her the".split())
# "every Friday", "most Friday evenings", "last Tuesday", "Good Friday": a
# habit, a day counted from writing or a holiday, no scene
_NOT_A_SCENE = frozenset("every each most last this good ash palm easter super".split())
_HABIT_AFTER = frozenset({"evenings", "nights", "mornings", "afternoons", "lunches"})


def _scene_at(words: list[str], i: int) -> int | None:
    """Start of a weekday told as a scene at token ``i``, or None."""
    start = i - 1 if i and words[i - 1] == "the" else i
    lead = words[start - 1] if start else ""
    nxt = words[i + 1] if i + 1 < len(words) else ""
    opens_clause = (not start or lead in _CLAUSE_LEAD) and nxt in _SCENE_SUBJECT
    if opens_clause:
        return start
    if lead in _OWN_STEP:
        return start  # "then monday": the "then" is a step of its own
    if lead not in _SCENE_LEAD or (start >= 2 and words[start - 2] in _NOT_A_SCENE):
        return None
    if nxt in _HABIT_AFTER:
        return None
    return start - 1


def _told_weekdays(words: list[str], exprs: list[TimeExpr]) -> list[TimeExpr]:
    """Weekdays told as the scenes of a story of days, when it names no month.

    "On Sunday evening her ear ached. On Monday morning her face had fallen":
    the second scene is a day after the first. A story dated by months or
    seasons is left to its dates.

    >>> words = "on friday i saw double . come sunday it was still there".split()
    >>> [(e.kind, e.days) for e in weekday_headings(words, [])]
    [('after_prev', 0.0), ('after_prev', 2.0)]
    """
    if any(e.kind == "absolute" for e in exprs):
        return exprs
    taken = {k for e in exprs for k in range(e.start, e.end)}
    scenes = [
        (start, i)
        for i, w in enumerate(words)
        if w in _WEEKDAY
        and (start := _scene_at(words, i)) is not None
        and not any(k in taken for k in range(start, i + 1))
    ]
    if len(scenes) < MIN_HEADINGS:
        return exprs
    added: list[TimeExpr] = []
    weekday = None
    for start, i in scenes:
        now = _WEEKDAY[words[i]]
        gap = 0.0 if weekday is None else float((now - weekday) % 7 or 7)
        weekday = now
        added.append(TimeExpr("after_prev", start, i + 1, days=gap, value="weekday"))
    return sorted(exprs + added, key=lambda e: e.start)
