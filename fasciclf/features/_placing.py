"""Placing the steps of a story in time, relative to the time of writing.

The time of writing is known only from the text: a month said together with
"now" ("it's June now"). Each step is then dated by its own expression (a
month, "two weeks ago"), from its neighbours ("a few months later"), or
from the dated event told just before it; otherwise it stays ``None``. A
story that names no present is written at its last scene
(:func:`place_story`, the guideline's convention since stop 25).
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools

from fasciclf.features._dates import TimeExpr, says_present, since_before
from fasciclf.features._diary import WEEKDAYS
from fasciclf.features._episodes import Step, sentence_words
from fasciclf.features._tokens import word_positions
from fasciclf.features._wordlists import default_wordlists

__all__ = ["MONTH_DAYS", "months_before", "now_sentences", "place_steps", "writing_anchor"]

MONTH_DAYS = 30.4
DIARY_ENTRIES = 3  # dates to the day that make a text a diary
# "by then", "since then", "soon after": dated as the event told before them
# (the gap of "soon" is days, well inside the guideline's tolerance)
_FROM_PREVIOUS = frozenset({"same", "since", "soon"})
_EVENT_REACH = 40  # tokens: the date told in the same sentence or the one before
_SCENE_SENTENCES = 3  # the dated scene's sentence and the next three
_SINCE_REACH = 5  # tokens: "since lambing in March", "since the boat trip in May"
_ONSET_LINKS = default_wordlists()["onset_links"]


_YEAR_OPENS = 3  # tokens: "In 2023,", "Back in 2021"
_APPOSITION = 4  # tokens: "three years ago, the first summer"
_AGO = frozenset({"ago", "back"})


def offsets_from_named_events(
    exprs: list[TimeExpr], sent: list[int], words: list[str]
) -> list[TimeExpr]:
    """A span counted after a named event, in a sentence a date already places, goes.

    "It started in February, about six weeks after the flu": February dates
    the start, and the six weeks tell when the flu was; they are not six
    weeks on from February. Only "N after" followed by a named event (a
    determiner or possessive: "after the flu", "after my operation") goes;
    "six weeks after that" still counts on from the event told before it.
    """
    dated = {sent[e.start] for e in exprs if e.kind == "absolute"}
    if not dated:
        return exprs
    return [
        e
        for e in exprs
        if not (
            e.kind == "after_prev"
            and sent[e.start] in dated
            and words[e.end - 1] == "after"
            and e.end < len(words)
            and words[e.end] in _EVENT_LEADS
        )
    ]


_EVENT_LEADS = frozenset("the a an my his her our their your".split())


def years_told_before(exprs: list[TimeExpr], sent: list[int], words: list[str]) -> list[TimeExpr]:
    """A bare month or season takes the year named earlier in its sentence.

    "In 2023, the summer of my grandson's wedding, her leg got tired", "In
    2021 we moved, and in the spring my hand began to twitch": the summer
    and the spring of that year, not of the year of writing. Only a year
    named alone ("in 2023", not "March 2023") at the opening of its
    sentence lends itself. A counted time ago opening its sentence is the
    time of a bare season told as its apposition ("Three years ago, the first
    summer of the big contract, Alan's leg got tired"): the season goes. A
    year counted from the present opening the sentence ("Last year, in
    March, ...") gives a bare month told after it its year, and goes.
    """
    out: list[TimeExpr] = []
    year: tuple[int, int] | None = None  # (sentence, year)
    ago: tuple[int, int] | None = None  # (sentence, end)
    # "It began last year after the summer holidays, in September": a year
    # counted back from the present frames a bare month told after it (a bare
    # season is not framed: read so, it lost more than it gained)
    relative: tuple[int, TimeExpr] | None = None  # (sentence, the year told)
    framing: set[int] = set()  # starts of the relative years that framed a month
    for e in exprs:
        opens = bisect.bisect_left(sent, sent[e.start]) + _YEAR_OPENS > e.start
        # "the last days of February" is no time ago: it frames February
        if e.kind == "ago" and e.days and opens and words[e.end - 1] in _AGO:
            ago = (sent[e.start], e.end)
        elif (
            e.kind == "absolute"
            and e.bare
            and ago is not None
            and ago[0] == sent[e.start]
            and e.start - ago[1] <= _APPOSITION
        ):
            continue
        if (
            e.kind == "absolute"
            and e.year is not None
            and e.month is None
            # the year frames its sentence only when it opens it: "Ron retired
            # in 2019 but ... in mid October" is this October
            and opens
        ):
            year = (sent[e.start], e.year)
        elif e.kind == "absolute" and e.bare and year is not None and year[0] == sent[e.start]:
            e = dataclasses.replace(e, year=year[1], bare=False)
        elif (
            e.kind == "absolute"
            and e.calendar
            and e.year is None
            and e.month is None
            and e.year_offset is not None
            and opens
        ):
            relative = (sent[e.start], e)
        elif (
            e.kind == "absolute"
            and e.bare
            and e.value == "month"
            and relative is not None
            and relative[0] == sent[e.start]
        ):
            framed = relative[1]
            e = dataclasses.replace(e, year_offset=framed.year_offset, calendar=True, bare=False)
            framing.add(framed.start)
        out.append(e)
    return [e for e in out if e.start not in framing] if framing else out


def now_sentences(words: list[str], exprs: list[TimeExpr], sent: list[int]) -> set[int]:
    """Sentences said at the time of writing: "now", or "it's July"."""
    now_sents = {sent[e.start] for e in exprs if e.kind == "now"}
    now_sents.update(
        sent[e.start]
        for e in exprs
        if e.kind == "absolute"
        # "it's July", "It's October 2025", "(written 5 feb)", "dated 20 October"
        and (e.bare or (e.year is not None and e.month is not None and e.year_offset is None))
        and (_present_before(words, e.start) or _note_date(words, sent, e))
    )
    return now_sents


# a note's title: "Notes for Dr Shah, 14 November", "For the neurologist, 14
# January.", "Written 14 November, to take to the surgery."
_NOTE_OPENERS = frozenset("notes note for written diary letter update log".split())
_NOTE_TITLE = 14  # tokens at most
_DATE_AFTER = frozenset({",", ":", "-", "–", "—", "(", "written", "dated"})


def _note_date(words: list[str], sent: list[int], e: TimeExpr) -> bool:
    """A date in a note's title line is the day it was written.

    The first sentence of the text opens with a word such as "Notes" or
    "For", is short, and gives the date after a comma or "written on";
    "Notes for the appointment on 18 June" gives the appointment's day,
    which is still to come.
    """
    if sent[e.start] != 0 or e.month is None or e.year_offset is not None:
        return False
    first = next((w for w in words if w[:1].isalnum()), "")
    if first not in _NOTE_OPENERS or bisect.bisect_right(sent, 0) > _NOTE_TITLE:
        return False
    k = e.start - 1
    while k >= 0 and (words[k] in WEEKDAYS or words[k].isspace()):
        k -= 1  # "Notes for Dr Okafor, Tuesday 14th November"
    if k < 0:
        return False
    return words[k] in _DATE_AFTER or (
        words[k] == "on" and k > 0 and words[k - 1] in ("written", "up", "dated")
    )


_WRITTEN = frozenset({"written", "dated"})


def _present_before(words: list[str], start: int) -> bool:
    """ "It's July", "written 5 feb", "written tues 12th nov", "It's the week
    before Christmas", "it's nearly Easter": the date is the present."""
    if not start:
        return False
    if words[start - 1] in _WRITTEN or says_present(words, start - 1):
        return True
    if start > 1 and words[start - 1] in WEEKDAYS and words[start - 2] in ("written", "dated"):
        return True
    k = start - 1
    while k > 0 and start - k <= _NEAR_REACH and words[k] in _NEAR_WORDS:
        k -= 1
    # "it's the fall" (the accident) is no date: a bare "the" names nothing
    # near, but "it's the 20th of June" names a day
    between = set(words[k + 1 : start])
    return bool(between - {"the"} or words[start][:1].isdigit()) and says_present(words, k)


_NEAR_REACH = 3  # tokens between "it's" and the date: "the week before", "nearly"
_NEAR_WORDS = frozenset("the week weeks days before nearly almost just".split())


def _names_present(words: list[str], e: TimeExpr, nows: list[int]) -> bool:
    # "is January", "it's March now", "now, in May": the month is the present
    if e.start and says_present(words, e.start - 1):
        return True
    return any(-4 <= n - e.start <= e.end - e.start + 2 for n in nows)


def writing_anchor(
    exprs: list[TimeExpr],
    sent: list[int],
    now_sents: set[int],
    words: list[str],
    told: set[int] | None = None,
) -> tuple[float | None, int | None]:
    """Month and year of writing, from a date said in the same sentence as "now".

    A diary ("12 January. ... 9 February. ... 20 February.") is written as
    it goes: with no "now", its last dated entry is the time of writing; a
    line after its last entry that opens on an undated present and tells
    the symptoms ("These days it still comes in bursts") says that more
    time has passed, so the time of writing is unknown. ``told``: the
    sentences with a present symptom. A
    post with an update is written at the update: its own present ("EDIT:
    it's August now"), or the present before it moved on by the span the
    update opens with ("Update two months later:").

    >>> from fasciclf.features._dates import find_time_expressions
    >>> words = "it 's may now . \\n update two months later : worse .".split(" ")
    >>> exprs = find_time_expressions(words)
    >>> writing_anchor(exprs, [0] * 6 + [1] * 7, {0}, words)
    (7.47, None)
    """
    update = _update_start(words, sent, exprs)
    month, year = _writing_anchor(exprs, sent, now_sents, words, update, told or set())
    if update is None or month is None:
        return month, year
    if any(e.kind == "absolute" and e.start > update and sent[e.start] in now_sents for e in exprs):
        return month, year  # the update names its own present
    moved = next(
        (
            e.days
            for e in exprs
            if e.kind == "after_prev" and e.days and update < e.start <= update + _UPDATE_REACH
        ),
        None,
    )
    if moved is None:
        return month, year
    month += moved / MONTH_DAYS
    while month >= 13.0:
        month -= 12.0
        year = None if year is None else year + 1
    return round(month, 2), year


def _writing_anchor(
    exprs: list[TimeExpr],
    sent: list[int],
    now_sents: set[int],
    words: list[str],
    update: int | None,
    told: set[int],
) -> tuple[float | None, int | None]:
    said_now = [
        e
        for e in exprs
        if e.kind == "absolute"
        and sent[e.start] in now_sents
        and e.month is not None
        and e.year_offset in (None, 0)
    ]
    # "it's January now" names the present; "in November ... she holds the
    # phone with her left hand now" tells a past scene in the same sentence.
    nows = [e.start for e in exprs if e.kind == "now"]
    # a post with an update ("It's May now. ... EDIT: it's August now and
    # ...") is written at the update's present
    if update is not None:
        said_now = [e for e in said_now if e.start > update] or said_now
    # "it's mid-November" names the present more surely than a date near a
    # "now": "the GP on 3rd October, and now it's mid-November"
    for e in said_now:
        if _present_before(words, e.start) or _note_date(words, sent, e):
            return e.month, e.year
    entries = [e for e in exprs if e.kind == "absolute" and (e.day is not None or e.header)]
    if len(entries) >= DIARY_ENTRIES:
        # "11 July: twitching in the evenings now": a diary's "now" is its
        # entry's day; the diary is written up to its last entry, unless a
        # present is named after it ("March: three more. Now, end of April")
        later = [e for e in said_now if e.start > entries[-1].start]
        if not later and _runs_on_after(exprs, words, sent, entries[-1], told):
            return None, None
        last = later[-1] if later else entries[-1]
        return last.month, last.year
    for e in said_now:
        if _names_present(words, e, nows):
            return e.month, e.year
    if said_now:
        return said_now[-1].month, said_now[-1].year
    # "Now, in 2024, he trips on stairs", "now it is 2025": only the year
    years = [
        e
        for e in exprs
        if e.kind == "absolute"
        and e.month is None
        and e.year is not None
        and sent[e.start] in now_sents
        and _names_present(words, e, nows)
    ]
    return (None, years[-1].year) if years else (None, None)


def _runs_on_after(
    exprs: list[TimeExpr], words: list[str], sent: list[int], last: TimeExpr, told: set[int]
) -> bool:
    """A line after a diary's last entry opens on an undated present and the
    symptoms are told from there on: "now: still the odd cramp", "These days
    it still comes in bursts" (a "now" inside an entry is that entry's day;
    "Now we wait for the letter" tells no symptom)."""
    for e in exprs:
        if e.kind != "now" or e.start <= last.start:
            continue
        gap = itertools.takewhile(lambda w: not w.strip(), reversed(words[last.end : e.start]))
        if any("\n" in w for w in gap) and (
            any(s >= sent[e.start] for s in told) or _refers_back(words, sent, e.end)
        ):
            return True
    return False


_BACK = frozenset({"it", "they", "them"})


def _refers_back(words: list[str], sent: list[int], k: int) -> bool:
    """ "These days it still comes in bursts": the sentence goes on about the symptom."""
    hi = bisect.bisect_right(sent, sent[k - 1])
    return not _BACK.isdisjoint(words[k:hi])


_UPDATE_WORDS = frozenset({"edit", "update", "updated", "edited"})
_UPDATE_REACH = 3  # tokens from the update word to its span: "Update - two months later"


def _update_start(words: list[str], sent: list[int], exprs: list[TimeExpr]) -> int | None:
    """Where a post's update opens, or ``None``: "EDIT:", "Update -",
    "Update two months later:" opening a sentence (a line break ends one)."""
    spans = {e.start for e in exprs if e.kind == "after_prev"}
    for k in word_positions(words, _UPDATE_WORDS):  # few posts have one: found in C
        if k + 1 >= len(words):
            continue
        if k and sent[k] == sent[k - 1]:
            continue
        if words[k + 1] in (":", "-", "–") or spans.intersection(
            range(k + 1, k + 1 + _UPDATE_REACH)
        ):
            return k
    return None


def months_before(e: TimeExpr, w_month: float | None, w_year: int | None) -> float | None:
    """Months from the date ``e`` names to the time of writing, or None."""
    if w_month is None:
        # only the year of writing is known: "from 2021 ... now, in 2024"
        # counts whole years, from a year told without a month
        if w_year is None or e.year is None or e.month is not None or e.year > w_year:
            return None
        return 12.0 * (w_year - e.year)
    if e.calendar and e.year_offset is not None and e.year is None:
        # "July last year", "early last year", "this year": the calendar year
        # that many years before the writing year; a year named without a
        # month is its middle, or the middle of what has passed of this one
        if e.month is None:
            middle = (w_month + 1.0) / 2 if e.year_offset == 0 else 6.5
            return w_month - middle - 12 * e.year_offset
        diff = w_month - e.month - 12 * e.year_offset
        return diff if diff >= 0 else None  # "in December this year": still to come
    month = e.month if e.month is not None else 6.5
    if e.year is not None:
        return (w_year * 12 + w_month - e.year * 12 - month) if w_year is not None else None
    diff = (w_month - month) % 12
    if e.year_offset is not None and e.year_offset < 0:
        # "last October" said in October, "last fall" said in October: the
        # period is still the present one, so "last" means the year before
        inside = 1.5 if e.value == "season" else 0.5
        if e.month is None or diff < inside:
            diff += 12 * -e.year_offset if e.month is None else 12
        if e.month is not None:  # "two summers ago": the one before last summer
            diff += 12 * (-e.year_offset - 1)
    elif e.year_offset == 0 and w_month < month:
        return None  # "this autumn" when writing in spring: still to come
    return diff


def _date_from_event(
    steps: list[Step],
    exprs: list[TimeExpr],
    words: list[str],
    w_month: float | None,
    w_year: int | None,
    linked,
) -> None:
    """Date "six weeks later" from the dated event told just before it.

    "In January I had flu. About six weeks later the cramps began": the
    event has no finding, so it is no step, but it is the anchor. The
    story's first finding, undated, takes the event's date when ``linked``
    says its sentence ties the two to the event ("while I was recovering ...
    started"; "since lambing in March ... his hand became clumsy"). ``linked``
    is called with the step's token, the event's token and whether the two
    are within ``_EVENT_REACH`` tokens.
    """
    # "Seven weeks ago they took my thyroid out. Ten days after, my lips
    # tingled": a counted time ago dates its event as a month does ("some
    # months ago", "since I was a teenager" count nothing)
    dated = [e for e in exprs if e.kind == "absolute" or _counted_ago(words, e)]
    starts = [e.start for e in dated]

    def event_before(tok: int, e: TimeExpr | None) -> tuple[int, float] | None:
        k = bisect.bisect_left(starts, tok) - 1
        if k >= 0 and dated[k].kind == "ago":
            # only a counted step or "since then" runs from it: "retired two
            # years ago after a heart attack" tells one event
            counted = e is not None and (e.days or (e.kind == "sequence" and e.value == "since"))
            return (starts[k], dated[k].days) if counted else None
        months = months_before(dated[k], w_month, w_year) if k >= 0 else None
        return None if months is None else (starts[k], months * MONTH_DAYS)

    prev_start = -1
    for st in steps:
        e = st.expr
        if st.days is None and e is not None and _from_event(e):
            event = event_before(e.start, e)
            if event is not None and event[0] > prev_start:
                st.days = max(round(event[1], 1) - (e.days or 0.0), 0.0)
        elif st.days is None and e is None and st is steps[0]:
            event = event_before(st.start, None)
            if event is not None and linked(
                st.start, event[0], st.start - event[0] <= _EVENT_REACH
            ):
                st.days = round(event[1], 1)
        if e is not None:
            prev_start = e.start


def _counted_ago(words: list[str], e: TimeExpr) -> bool:
    return (
        e.kind == "ago"
        and bool(e.days)
        and words[e.end - 1] in ("ago", "back")
        and _counted(words, e)
    )


def _from_event(e: TimeExpr) -> bool:
    return e.kind == "after_prev" or (e.kind == "sequence" and e.value in _FROM_PREVIOUS)


def place_steps(
    steps: list[Step],
    w_month: float | None,
    w_year: int | None,
    exprs: list[TimeExpr],
    words: list[str],
    sent: list[int],
) -> None:
    """Set each step's days before writing, from its own date or its neighbours'.

    ``words`` and ``sent`` (sentence id per token) tell whether the story's
    first finding is tied to the event told just before it.
    """
    for st in steps:
        e = st.expr
        if e is None:
            continue
        if e.kind in ("now", "ago"):
            st.days = e.days
        elif e.kind == "absolute":
            months = months_before(e, w_month, w_year)
            st.days = None if months is None else round(months * MONTH_DAYS, 1)
    # No step is moved a year back for being told after a later month: a
    # month told out of order is far more often a flashback ("6 May ... back
    # in March ... 16 May") than a second year (train narratives: 14
    # durations won by dropping that rule, none lost; held-out +8)
    dated = [e.start for e in exprs if e.kind == "absolute"]
    for _ in range(2):
        _chain(steps, dated)
    _date_from_event(
        steps,
        exprs,
        words,
        w_month,
        w_year,
        # "It's July, and since lambing in March he has been going wrong. His
        # right hand became clumsy": a date opened by "since" starts the story
        lambda tok, event, near: (
            (
                near
                and (
                    bool(sentence_words(words, sent, tok) & _ONSET_LINKS)
                    or since_before(words, event, _SINCE_REACH)
                )
            )
            # "In the first week of February he shifted the boxes ... That evening
            # his back was so sore": the day of the sentence before, however long
            or (_same_day(words, sent, tok) and sent[tok] - sent[event] == 1)
            # "had a cold in march, spent a week in bed ... got up with a neck
            # like a plank": the first finding told in the past within a few
            # sentences of a dated scene told in the past happened in that
            # scene ("In 2019 I had surgery. My hand twitches" is a present state)
            or (
                sent[tok] - sent[event] <= _SCENE_SENTENCES
                and _told_in_past(words, sent, tok)
                and _told_in_past(words, sent, event)
            )
        ),
    )


_SAME_DAY = (
    ("that", "evening"),
    ("that", "night"),
    ("that", "day"),
    ("that", "afternoon"),
    ("that", "morning"),
    ("the", "next"),
    ("the", "same"),
    ("next", "morning"),
    ("next", "day"),
)


def _same_day(words: list[str], sent: list[int], tok: int) -> bool:
    """A sentence opening "That evening ...", "The next day ...": the day of the event before."""
    first = bisect.bisect_left(sent, sent[tok])
    return tuple(words[first : first + 2]) in _SAME_DAY


def _chain(steps: list[Step], dated: list[int]) -> None:
    """Date relative steps from their neighbours, forwards then backwards.

    "In April she started the statin. About 3 weeks later her thighs ached":
    a date told between two steps (``dated``, token starts of dates) is the
    event "later" counts from, not the step before it.
    """
    for prev, st in zip(steps, steps[1:], strict=False):
        e = st.expr
        if st.days is None and prev.days is not None and e is not None:
            after = prev.expr.start if prev.expr is not None else prev.start
            if e.kind == "after_prev" and bisect.bisect_right(dated, after) < bisect.bisect_left(
                dated, e.start
            ):
                continue  # dated from the event told just before it (_date_from_event)
            if e.kind == "after_prev":
                st.days = max(prev.days - (e.days or 0.0), 0.0)
            elif e.kind == "sequence" and e.value in _FROM_PREVIOUS:
                st.days = prev.days
    for prev, st in zip(reversed(steps[:-1]), reversed(steps[1:]), strict=True):
        e = st.expr
        if prev.days is None and st.days is not None and e is not None and e.kind == "after_prev":
            prev.days = st.days + (e.days or 0.0)


# A plan still to come is after the time of writing: "the scan is booked
# for March", "I'll see the neurologist in May".
_PLANS = default_wordlists()["plan_words"]
_PAST = default_wordlists()["past_verbs"]
# "eventually", "over time", "before long", "later on": a moment that cannot be placed
_VAGUE = frozenset("eventually over gradually little bit before later by".split())
# "over the summer", "through the winter": a stretch of the story, not a scene
_PERIOD = frozenset({"over", "through", "throughout", "during", "across"})
_SINCE_DATE_REACH = 4  # "since the end of March"
_BACK_MONTHS = 9.0  # a month up to three months back in the year is a look back
# A span from two dates named to the month is known only to about a month.
_MONTH_PRECISION = 15.0


def _plan_sentences(words: list[str], sent: list[int]) -> frozenset[int]:
    """Sentences that tell a plan still to come, read once per text."""
    out = set()
    for k in word_positions(words, _PLANS):  # few texts tell a plan: found in C
        w = words[k]
        if sent[k] in out:
            continue
        hi = bisect.bisect_right(sent, sent[k])
        # "the scan is booked for March" is still to come; "I rang my GP and
        # booked the earliest appointment" was done that day
        if w not in _BOOKED or not _FOR_WHEN.isdisjoint(words[k + 1 : min(k + 4, hi)]):
            out.add(sent[k])
    return frozenset(out)


_BOOKED = frozenset({"booked", "planned", "scheduled"})
_FOR_WHEN = frozenset({"for", "in", "on", "next", "till", "until"})


def _told_in_past(words: list[str], sent: list[int], tok: int) -> bool:
    """The sentence is told in the past: a step of the story, not a habit."""
    return any(
        w in _PAST or (len(w) > 4 and w.endswith("ed")) for w in sentence_words(words, sent, tok)
    )


def _counted(words: list[str], e: TimeExpr) -> bool:
    """ "two weeks later", "a month after that", "the next day": a counted step
    ("weeks later", "over the following weeks" are not)."""
    return any(w[:1].isdigit() or w in _COUNT_WORDS for w in words[e.start : e.end])


_COUNT_WORDS = frozenset(
    "a an one two three four five six seven eight nine ten eleven twelve twenty few couple "
    "several half day week fortnight month year wk yr mo".split()
)


def _next_morning(words: list[str], e: TimeExpr) -> bool:
    return e.kind == "sequence" and tuple(words[e.start : e.end]) == ("the", "next", "morning")


def _step_days(
    words: list[str], sent: list[int], e: TimeExpr, plans: frozenset[int]
) -> float | None:
    """Days a step of the story counts on from the one before, or None."""
    if e.header and e.kind == "after_prev":
        return e.days  # a diary's heading ("Wednesday."), often told in the present
    if _next_morning(words, e):
        days = 1.0
    elif e.kind == "after_prev" and e.days:
        days = e.days
    else:
        return None
    if (
        not _told_in_past(words, sent, e.start)
        or sent[e.start] in plans
        # "he forgot about it till the next day": a habit told in the past
        or (e.start and words[e.start - 1] in ("till", "until"))
    ):
        return None
    return days


def _runs_on(words: list[str], sent: list[int], e: TimeExpr) -> bool:
    """Time is said to have passed without saying how much: "now", "ever
    since", "eventually", "weeks later"."""
    if e.kind == "now" or (e.kind == "sequence" and e.value == "since"):
        return True
    if e.kind == "sequence" and e.value == "next" and words[e.start] in _VAGUE:
        return True
    return (
        e.kind == "after_prev"
        and not e.header
        and e.value != "weekday"  # "on Monday": a day told as a scene is counted
        and bool(e.days)
        # "within days", "days later": too short to matter against months
        and e.days > _FEW_DAYS
        and not _counted(words, e)
        and _told_in_past(words, sent, e.start)
    )


_FEW_DAYS = 7.0


def _told_back(before: TimeExpr, e: TimeExpr) -> bool:
    """ "since the end of January ... in March ... that cough from the winter":
    a month a little earlier in the year than the one told before it looks
    back; a next year is told further on ("at Christmas ... then in May")."""
    if e.year is not None and before.year is not None:
        return e.year * 12 + e.month < before.year * 12 + before.month
    return (e.month - before.month) % 12 > _BACK_MONTHS


def story_anchor(
    exprs: list[TimeExpr], words: list[str], sent: list[int], plans: frozenset[int] | None = None
) -> tuple[TimeExpr | None, float] | None:
    """The last scene of a story that names no present, as its time of writing.

    Returns the last date told (``None`` when the story tells no date) and
    the days counted on from it by the steps told after it ("the next day",
    "two days after that"); ``None`` when time is said to have passed since
    without saying how much ("now", "ever since", "eventually", "weeks
    later", "it's been like that since"). Plans still to come do not count.
    ``plans``: the sentences that tell a plan, when the caller read them already.

    >>> from fasciclf.features._dates import find_time_expressions
    >>> words = "in march my foot dropped . a week later my hand went .".split()
    >>> last, after = story_anchor(find_time_expressions(words), words, [0] * 5 + [1] * 7)
    >>> last.month, after
    (3.5, 7.0)
    """
    if plans is None:
        plans = _plan_sentences(words, sent)
    heads = [e.start for e in exprs if e.header and e.kind == "after_prev"]
    dated = [
        e
        for e in exprs
        if e.kind == "absolute"
        and e.month is not None
        # a weekday diary is dated by its entries ("mon 3 march."), not by a
        # date told inside one ("put on weight since christmas")
        and (not heads or e.day is not None or e.header)
        # "This September I'd been jogging": this year's month is a scene too
        # ("this spring", "this winter" are as often the present period)
        and (e.year_offset is None or (e.year_offset == 0 and e.value == "month"))
        and sent[e.start] not in plans
        # "back in March" told after May is a flashback, not the last scene
        and not (e.start and words[e.start - 1] in ("back", "earlier"))
    ]
    if dated and _PERIOD.intersection(words[max(dated[-1].start - 2, 0) : dated[-1].start]):
        return None  # "over the summer the muscle has flattened": no scene
    while len(dated) > 1 and _told_back(dated[-2], dated[-1]):
        dated.pop()
    last = dated[-1] if dated else None
    begin = last.start if last is not None else -1
    after = 0.0
    for e in exprs:
        if e.start <= begin:
            continue
        # "Wednesday. ... today the foot slaps": a diary's "today" is its entry's day
        if _runs_on(words, sent, e) and not (heads and e.kind == "now" and e.start > heads[0]):
            return None
        after += _step_days(words, sent, e, plans) or 0.0
    # "That was a while ago.": an uncounted "ago" runs on too
    # (the word tests in C first: most stories have neither word after the scene)
    rest = words[begin + 1 :]
    told_ago = {k for e in exprs if e.kind == "ago" for k in range(e.start, e.end)}
    if "ago" in rest and any(
        w == "ago" and k not in told_ago for k, w in enumerate(rest, begin + 1)
    ):
        return None
    # "it's been like that since.", "since I stopped it, it is better": the
    # story runs on from a scene it does not date ("since March" is a date)
    dates = [e.start for e in exprs if e.kind in ("absolute", "ago")]
    if "since" in rest and any(
        w == "since" and not any(0 < d - k <= _SINCE_DATE_REACH for d in dates)
        for k, w in enumerate(rest, begin + 1)
    ):
        return None
    return last, after


def place_story(
    steps: list[Step], exprs: list[TimeExpr], words: list[str], sent: list[int]
) -> bool:
    """Date the steps of a story that names no present from its last scene.

    The story is written at its last scene (:func:`story_anchor`): its last
    date, or its first step when it tells no date ("straight after the call
    my fingers tingled ... two days after that my calves twitched"), plus
    the days counted on from there. Nothing is dated unless the first step
    with a finding is. Returns whether the steps were dated.
    """
    first = next((st for st in steps if st.concepts or st.sites), None)
    if first is None:
        return False
    plans = _plan_sentences(words, sent)
    anchor = story_anchor(exprs, words, sent, plans)
    if anchor is None:
        return False
    last, after = anchor
    if last is not None:
        place_steps(steps, last.month, last.year, exprs, words, sent)
        base = last.start
    else:
        base = first.start
        after = sum(_step_days(words, sent, e, plans) or 0.0 for e in exprs if e.start > base)
        if not after:
            return False
    # days counted on since the last scene, up to each expression: every step
    # counts, also one that tells no finding ("sat. he fell asleep at 7pm.")
    later = [e for e in exprs if e.start > base]
    marks = [e.start for e in later]
    counts = list(
        itertools.accumulate((_step_days(words, sent, e, plans) or 0.0 for e in later), initial=0.0)
    )
    for st in steps:
        at = st.expr.start if st.expr is not None else st.start
        if last is None and st is first:
            st.days = after
        elif at < base:
            st.days = None if st.days is None else round(st.days + after, 1)
        else:
            counted = counts[bisect.bisect_right(marks, at)]
            st.days = max(round(after - counted, 1), 0.0)
    imprecise = (
        last is not None
        and last.day is None
        and first.expr is not None
        and first.expr is not last
        and first.expr.kind == "absolute"
        and first.expr.day is None
        and (first.days or 0.0) - after < _MONTH_PRECISION
    )
    if not first.days or imprecise:
        # the first finding undated, told at the last scene itself ("married
        # in June ... my calf twitches"), or in the same month as it
        for st in steps:
            st.days = None
        return False
    return True
