"""Durations and episode lengths from free text.

Regular expressions over the lower-cased text: these quantities have a
small closed grammar ("two or three months", "3 wks", "3 wks") that token
patterns would only make slower. Conversions follow the annotation
convention in ``data/labeled/GUIDELINE.md``: a couple = 2, a few = 3,
several = 3, a month = 30 days, a year = 365 days, a range is its mean.
Every whitespace run is matched possessively (``\\s*+``, ``\\s++``; Python
3.11), so no pattern backtracks over a run ("1" and 2,000 spaces took 32 s
when three adjacent ``\\s*`` could share it): the time is linear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER_WORDS = {
    "a": 1.0,
    "an": 1.0,
    "one": 1.0,
    "two": 2.0,
    "three": 3.0,
    "four": 4.0,
    "five": 5.0,
    "six": 6.0,
    "seven": 7.0,
    "eight": 8.0,
    "nine": 9.0,
    "ten": 10.0,
    "eleven": 11.0,
    "twelve": 12.0,
    "thirteen": 13.0,
    "fourteen": 14.0,
    "fifteen": 15.0,
    "sixteen": 16.0,
    "seventeen": 17.0,
    "eighteen": 18.0,
    "nineteen": 19.0,
    "twenty": 20.0,
    "thirty": 30.0,
    "forty": 40.0,
    "fifty": 50.0,
    "sixty": 60.0,
    "ninety": 90.0,
    "couple": 2.0,
    "a couple": 2.0,
    "a couple of": 2.0,
    "couple of": 2.0,
    "a few": 3.0,
    "few": 3.0,
    "several": 3.0,
    "a number of": 3.0,  # the guideline's several
    "a half": 0.5,
    "half a": 0.5,
    "half an": 0.5,
    "many": 5.0,
}
# Unit spelling prefix -> days (checked in order: "mi" before "mo", "mth" is month).
_UNIT_PREFIX_DAYS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("sec",), 1 / 86400),
    (("min",), 1 / 1440),
    (("hr", "hour"), 1 / 24),
    (("day", "night"), 1.0),
    (("wk", "week"), 7.0),
    (("fortnight",), 14.0),
    (("mo", "mth"), 30.0),
    (("yr", "year"), 365.0),
    (("decade",), 3650.0),
)
_NUM = (
    r"(?:\d+(?:[.,]\d+)?|a\s++couple(?:\s++of)?|couple(?:\s++of)?|a\s++few|few|several|many|"
    r"a\s++number\s++of|"
    r"half\s++an?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|"
    r"fifty|sixty|ninety)"
)
_UNIT = (
    r"(?P<unit>secs?|seconds?|mins?|minutes?|hrs?|hours?|days?|nights?|wks?|weeks?|fortnights?|"
    r"months?|mos|mths?|yrs?|years?|decades?)"
)
# The lookahead holds the first letters of the ``_NUM`` alternatives: at the
# many word boundaries where no number starts (every word end, most word
# starts) it fails at once instead of trying each alternative in turn.
_QTY_RE = re.compile(
    rf"\b(?=[\dacefhmnost])(?P<num>{_NUM})(?:\s*+(?:-|–|to|or)\s*+(?P<num2>{_NUM}))?"
    rf"(?P<andhalf>\s++and\s++a\s++half)?\s*+-?\s*+{_UNIT}\b(?P<andhalf2>\s++and\s++a\s++half)?"
)
# "for years", "for months": no number, a rough but stated duration.
# Every alternative opens with a word boundary, shared in front; the
# lookahead holds their first letters (fails at once at most boundaries).
_BARE_RE = re.compile(
    r"\b(?=[fopldtsiyh])(?:"
    r"(?:for|over|past|last)\s++(?:many\s++|some\s++)?(?P<unit>weeks|months|years|decades)\b|"
    r"(?:for|over|in|during|throughout)\s++the\s++(?:past|last)\s++(?P<unit1>week|month|year|decade)\b|"
    r"(?P<yesterday>since\s++yesterday|yesterday|last\s++night|the\s++day\s++before\s++yesterday)\b|"
    r"(?:since\s++)?last\s++(?P<last>week|month)\b|"
    r"(?P<half>half\s++(?:a\s++)?year)\b"
    r")"
)
_LIFELONG_RE = re.compile(
    r"\b(?:since\s++(?:i\s++was\s++(?:very\s++|really\s++|quite\s++)?(?:young|little|small|a\s++kid|a\s++child|"
    r"a\s++boy|a\s++girl|a\s++teen(?:ager)?|in\s++(?:school|high\s++school|college))|(?:early\s++)?"
    r"childhood|birth|forever|my\s++teens|he\s++was\s++(?:young|little|a\s++kid|a\s++child)|"
    r"she\s++was\s++(?:young|little|a\s++kid|a\s++child))|all\s++(?:of\s++)?my\s++life|"
    r"(?:my|his|her)\s++(?:whole|entire)\s++life|as\s++long\s++as\s++i\s++(?:can\s++)?remember|"
    r"since\s++forever)\b"
)
_SINCE_SEASON_RE = re.compile(
    r"\b(?:since|from|in|during)?\s*+last\s++(?P<season>summer|winter|spring|fall|autumn|year|"
    r"christmas|easter)\b|\bsince\s++(?P<since>christmas|easter|new\s++year'?s?|the\s++new\s++year|"
    r"the\s++start\s++of\s++the\s++year|the\s++beginning\s++of\s++the\s++year|january|february|march|"
    r"april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|"
    r"sep|sept|oct|nov|dec|the\s++summer|the\s++winter|the\s++spring|the\s++fall|the\s++autumn)\b"
)
# A word each pattern cannot match without: a text with none of them skips
# the pattern (Python's ``re`` tries a pattern opening with ``\\b`` at every
# character, the costliest part of reading durations).
_QTY_WORDS = ("sec", "min", "hr", "hour", "day", "night", "wk", "week", "fortnight", "month",
              "mos", "mth", "yr", "year", "decade")  # fmt: skip
_BARE_WORDS = ("week", "month", "year", "decade", "yesterday", "night")
# The bare spans need more than one of these words (see _may_be_bare).
_BARE_PLURALS = ("weeks", "months", "years", "decades")
_BARE_LEADS = ("past", "last", "half", "yesterday")
# A lifelong span names life ("all my life"), remembering ("as long as I can
# remember") or, after "since", one of these (all of them in "childhood").
_LIFELONG_WORDS = ("life", "remember")
_SINCE_WHEN_WORDS = ("young", "little", "small", "kid", "child", "boy", "girl", "teen", "school",
                     "college", "birth", "forever")  # fmt: skip
# A season counts only after "last", as one of these (_SEASON_DAYS): "since
# March" and "last spring" match the pattern but are no span.
_SEASON_SPAN_WORDS = ("year", "christmas", "easter")


def _may_match(lower: str, words: tuple[str, ...]) -> bool:
    # a loop, not any() over a generator: asked five times per text
    for w in words:
        if w in lower:
            return True
    return False


def _may_be_bare(lower: str) -> bool:
    """Whether ``lower`` has the words a ``_BARE_RE`` match needs.

    A unit word (or "yesterday", "last night") is not enough, and in most
    texts alone: the unit is plural ("for years"), comes after "past" or
    "last" ("over the past month", "last week"), or is a "half year".
    """
    if not _may_match(lower, _BARE_WORDS):
        return False
    return _may_match(lower, _BARE_PLURALS) or _may_match(lower, _BARE_LEADS)


def _may_be_lifelong(lower: str) -> bool:
    if _may_match(lower, _LIFELONG_WORDS):
        return True
    return "since" in lower and _may_match(lower, _SINCE_WHEN_WORDS)


_TIMES_SPAN_RE = re.compile(r"\bx(?= ?\d{1,2}\s?(?:days?|wks?|weeks?|months?|mths?|yrs?|years?)\b)")
# What _TIMES_SPAN_RE needs, found fast (a literal start): an "x" is in one
# text of three ("next", "relax"), one before a number in few
_X_DIGIT_RE = re.compile(r"x ?\d")
# Clinical shorthand for weeks: "2/52" (two weeks), "6/52 history". No month
# or score is out of 52, so the form is never a date.
_WEEKS_NOTATION_RE = re.compile(r"\b(\d{1,2})\s*+/\s*+52\b")


# "last year", "since last Christmas"; a season alone ("last spring") is no span
_SEASON_DAYS = {
    "year": 365.0,
    "christmas": 300.0,
    "easter": 300.0,
}
_FEASTS = frozenset({"christmas", "easter"})
_SKIP_BEFORE_RE = re.compile(
    r"(?:every|each|per|once|twice|times|x|in\s++the\s++next|within|next|after|"
    r"in|than|about\s++every)\s*+$"
)
_AGO_OR_DURATION_BEFORE_RE = re.compile(
    r"(?:for|lasts?|lasting|lasted|takes?|took|since|over|past|last|about|around|almost|nearly|roughly|approximately|"
    r"approx\.?|~|maybe|like|the|already|some|at\s++least|more\s++than|over\s++the\s++(?:past|last)|"
    r"in\s++the\s++(?:past|last)|close\s++to|getting\s++on\s++for|coming\s++up\s++to|"
    r"going\s++on|(?:the\s++)?best\s++part\s++of|the\s++better\s++part\s++of)\s*+$"
)
_AGE_BEFORE_RE = re.compile(
    r"\b(?:i\s*+am|i'm|i’m|im|aged?|he\s++is|she\s++is|he's|she's|is|was|turned|turning|"
    r"i\s++have|he\s++has|she\s++has|"
    r"(?<!part\s)of|am)\s++(?:a\s++|an\s++|now\s++|only\s++|just\s++|almost\s++|nearly\s++)?$"
)
_AGE_AFTER_RE = re.compile(r"^\s*+-?\s*+(?:old|of\s++age|pregnant)\b")
# "my mother 72 years have diabetes", "my daughter, 14 years": an age after a person
_PERSON_AGE_BEFORE_RE = re.compile(
    r"\b(?:mother|father|mum|mom|dad|son|daughter|wife|husband|brother|sister|grandma|"
    r"grandmother|grandad|grandpa|grandfather|friend|boy|girl|man|woman|child|kid|aunt|"
    r"uncle|cousin|niece|nephew|partner)\s*+,?\s*+(?:is\s++|aged?\s++)?$"
)
_RATE_AFTER_RE = re.compile(r"^\s*+(?:a|an|per|each|every)\s++(?:day|week|fortnight|month|year)\b")
_A_SPAN_AFTER_RE = re.compile(r"\s*+(?:ago|now|and\s++a\s++half|or\s++(?:so|two|more))")
_A_OR_AND_BEFORE_RE = re.compile(r"(?:a|and)\s*+$")
# "a week after the antibiotics", "a few weeks later", "a week into the cast":
# the gap between two events of the story, not how long the symptoms have lasted
# "in" counts only before a comma or a person ("few weeks in, his heel
# started", time into a new doing): "two weeks in: physio says ..." may be
# either, so a bare "in" and "on" are not here
_INTERVAL_AFTER_RE = re.compile(
    r"^\s*+(?:or\s++(?:so|two|three|more)\s++)?(?:after|later|afterwards?|into)\b"
    r"|^\s*+in\b\s*+(?:,|(?:his|her|my|their|our|i|he|she|we|they)\b)"
)
# "one day I dropped the kettle", "he rang me one night": an occasion, not a span
_OCCASION_UNITS = ("day", "night")
# ... unless the span is stated as one: "pain for a week after moving furniture",
# "now, two days later"
_SPAN_BEFORE_RE = re.compile(
    r"\b(?:for|since|now|been|lasted)\W*+(?:about|around|almost|nearly|roughly|maybe|some|over)?\s*+$"
)
_BARE_DAYS = {"weeks": 21.0, "months": 90.0, "years": 1095.0, "decades": 7300.0}
_EPISODE_CUE_RE = re.compile(
    r"\b(?:lasts?|lasting|lasted|takes?|for|about|around|each|every\s++time|at\s++a\s++time|"
    r"bouts?|episodes?|attacks?|spells?|then|goes\s++away|go\s++away|resolves?|passes|"
    r"up\s++to|only)\b"
)


@dataclass(frozen=True)
class Quantity:
    """A stated time span with its character offsets."""

    days: float
    start: int
    end: int
    text: str


def _number(word: str) -> float | None:
    word = re.sub(r"\s++", " ", word.strip())
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word]
    try:
        return float(word.replace(",", "."))
    except ValueError:
        return None


def _unit(unit: str) -> float:
    u = unit.lower()
    for prefixes, days in _UNIT_PREFIX_DAYS:
        if u.startswith(prefixes):
            return days
    return 1.0


def find_quantities(lower: str) -> list[Quantity]:
    """All time spans stated in ``lower`` (already lower-cased), in days.

    Frequencies ("twice a day", "every 2 days") and ages ("22 years old")
    are not time spans and are skipped.

    >>> [q.days for q in find_quantities("for two or three months, 3 wks, 22 years old")]
    [75.0, 21.0]
    >>> [round(q.days * 1440) for q in find_quantities("it lasts about ten minutes")]
    [10]
    >>> [q.days for q in find_quantities("2/52 of left l4 radicular pain")]
    [14.0]
    >>> [q.days for q in find_quantities("fasciculations l calf x6 wks")]
    [42.0]
    """
    out = []
    if _X_DIGIT_RE.search(lower):
        # clinical shorthand "calf x6 wks": the "x" is "for"; one character for
        # one keeps every offset
        lower = _TIMES_SPAN_RE.sub(" ", lower)
    if _may_match(lower, _QTY_WORDS):
        out += _numbered(lower)
    if _may_be_bare(lower):
        out += _bare(lower)
    if _may_be_lifelong(lower):
        lifelong = _LIFELONG_RE.finditer(lower)
        out += [Quantity(3650.0, m.start(), m.end(), m.group()) for m in lifelong]
    if "last" in lower and _may_match(lower, _SEASON_SPAN_WORDS):
        out += _since_season(lower)
    if "52" in lower and "/" in lower:
        notation = _WEEKS_NOTATION_RE.finditer(lower)
        out += [Quantity(7.0 * int(m.group(1)), m.start(), m.end(), m.group()) for m in notation]
    out.sort(key=lambda q: q.start)
    return out


# "Day 1. ... Day 20. ...", "Week 1: ... Week 6: ...", "First week: ... Fourth
# week: ...": a diary counted from its first heading.
_DIARY_NUMBERED_RE = re.compile(
    r"(?:^|[\n.!?])[ \t]*+(day|week|wk|month)[ \t]++"
    r"(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b"
)
_DIARY_ORDINAL_RE = re.compile(
    r"(?:^|[\n.!?])[ \t]*+(first|second|third|fourth|fifth|sixth|seventh|eighth)[ \t]++"
    r"(day|week|month)\b"
)
ORDINAL_WORDS = {
    w: i
    for i, w in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
        "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth "
        "twentieth".split(),
        start=1,
    )
} | {"thirtieth": 30}
"""Ordinal words and their numbers: diary headings ("fourth week") and days
of the month ("the third of May", :mod:`fasciclf.features._dates`)."""
_DIARY_UNIT_DAYS = {"day": 1.0, "week": 7.0, "wk": 7.0, "month": 30.0}
_DIARY_FIRSTS = ("day 1", "week 1", "wk 1", "month 1", "first day", "first week", "first month",
                 "day one", "week one", "wk one", "month one")  # fmt: skip


def diary_span(lower: str) -> float | None:
    """Days covered by a diary's counted headings, or ``None``.

    At least two headings of one unit, counted upwards, from the first
    ("Day 1", "Week 1", "First week"): the last one is the time of writing.

    >>> diary_span("day 1. my wrist hurts. day 5. still sore. day 20. bit better")
    20.0
    >>> diary_span("week 1. legs ache at night. week 6. doctor on thursday.")
    42.0
    >>> diary_span("wk 1. calves twitching. wk 4. gp. wk 6. settling.")
    42.0
    >>> diary_span("week one: his hand shakes. week two: tiny writing. week four: slow.")
    28.0
    >>> diary_span("first week: the shoulder aches. fourth week: the gym made it worse.")
    28.0
    >>> diary_span("on day 3 of the holiday my calf twitched") is None
    True
    """
    heads: dict[str, list[int]] = {}
    # a diary's first heading is number one: a cheap test before the regexes
    if any(first in lower for first in _DIARY_FIRSTS):
        for m in _DIARY_NUMBERED_RE.finditer(lower):
            count = m.group(2)
            heads.setdefault(m.group(1), []).append(int(_NUMBER_WORDS.get(count) or count))
        for m in _DIARY_ORDINAL_RE.finditer(lower):
            heads.setdefault(m.group(2), []).append(ORDINAL_WORDS[m.group(1)])
    spans = [
        counts[-1] * _DIARY_UNIT_DAYS[unit]
        for unit, counts in heads.items()
        if len(counts) >= 2 and counts[0] <= 1 and counts == sorted(counts)
    ]
    return max(spans, default=None)


def _since_season(lower: str) -> list[Quantity]:
    out = []
    for m in _SINCE_SEASON_RE.finditer(lower):
        if not m.group("season"):
            # "since March" with no present date is no span (the guideline);
            # the timeline dates it when the text says when "now" is
            continue
        if m.group("season") not in _SEASON_DAYS:
            # "last spring" is no span by itself: the gold dates it only from
            # a month, a holiday or a named present; the timeline does that
            continue
        if m.group("season") in _FEASTS and not m.group().lstrip().startswith(("since", "from")):
            # "around last Christmas my hands went numb" is a date, not a span:
            # the timeline dates it when the text names the present
            continue
        days = _SEASON_DAYS[m.group("season")]
        out.append(Quantity(days, m.start(), m.end(), m.group().strip()))
    return out


def _is_not_a_span(lower: str, m: re.Match[str]) -> bool:
    """Ages ("22 years old"), rates ("twice a day", "every 2 weeks") and gaps ("a week later")."""
    before = lower[max(0, m.start() - 25) : m.start()]
    after = lower[m.end() : m.end() + 20]
    if _AGE_AFTER_RE.match(after):
        return True
    if _RATE_AFTER_RE.match(after):
        return True  # "three nights a week", "two days per month": a rate
    if _INTERVAL_AFTER_RE.match(after) and not _SPAN_BEFORE_RE.search(before):
        return True
    if (
        m.group("num") == "one"
        and m.group("unit").startswith(_OCCASION_UNITS)
        and not _SPAN_BEFORE_RE.search(before)
        and not _AGO_OR_DURATION_BEFORE_RE.search(before)
        and not _A_SPAN_AFTER_RE.match(after)
    ):
        return True
    if m.group("unit").startswith(("y", "Y")) and (
        _AGE_BEFORE_RE.search(before)
        or (_PERSON_AGE_BEFORE_RE.search(before) and not _A_SPAN_AFTER_RE.match(after))
    ):
        # "I am 34 years woman", "my brother aged 47 years": an age
        return True
    stated = _AGO_OR_DURATION_BEFORE_RE.search(before)
    if _SKIP_BEFORE_RE.search(before) and not stated:
        # "twice a day", "every 2 weeks", "in two weeks" (future): not a span.
        return True
    # "four coffees a day", "twice a week": a rate, not a span.
    return m.group("num") in ("a", "an") and not (stated or _A_SPAN_AFTER_RE.match(after))


def _numbered(lower: str) -> list[Quantity]:
    out = []
    for m in _QTY_RE.finditer(lower):
        if _is_not_a_span(lower, m):
            continue
        n1 = _number(m.group("num"))
        if n1 is None:
            continue
        n2 = _number(m.group("num2")) if m.group("num2") else None
        value = (n1 + n2) / 2 if n2 is not None and n2 >= n1 else n1
        if m.group("andhalf") or m.group("andhalf2"):
            value += 0.5
        out.append(Quantity(value * _unit(m.group("unit")), m.start(), m.end(), m.group()))
    return out


def _bare(lower: str) -> list[Quantity]:
    out = []
    for m in _BARE_RE.finditer(lower):
        if m.group("yesterday"):
            days = 2.0 if "before" in m.group("yesterday") else 1.0
        elif m.group("last"):
            days = _unit(m.group("last"))
        elif m.group("half"):
            if _A_OR_AND_BEFORE_RE.search(lower[max(0, m.start() - 5) : m.start()]):
                continue  # "a year and a half" / "half a year" are parsed above
            days = 182.5
        elif m.group("unit1"):
            days = _unit(m.group("unit1"))
        else:
            days = _BARE_DAYS[m.group("unit")]
        out.append(Quantity(days, m.start(), m.end(), m.group()))
    return out


# The lookahead holds the first letters of the alternatives (see _QTY_RE).
_RECOVERED_RE = re.compile(
    r"\b(?=[\daoth])(?:(an?|one|two|three|half\s++an|\d{1,2})\s++(minutes?|mins?|hours?|hrs?)\s++later"
    r"|after\s++(an?|one|two|three|half\s++an|\d{1,2})\s++(minutes?|mins?|hours?|hrs?))"
    r"[\s,]++(?:[a-z']++\s++){0,3}?(?:back\s++(?:to\s++)?)?(?:normal|fine|ok|okay|gone)\b"
)
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3}
# Words of _RECOVERED_RE: a unit ("min", "hour", "hr") and an end ("normal",
# "fine", "ok", "okay", "gone"), one of each in any match
_RECOVERED_UNITS = ("min", "hour", "hr")
_RECOVERED_ENDS = ("normal", "fine", "ok", "gone")


def recovered_after(lower: str) -> float | None:
    """Minutes after which an attack was over: "about an hour later normal",
    "after one hour everything was back to normal" (longest, or None).

    >>> recovered_after("my hand went useless. about an hour later normal.")
    60.0
    >>> recovered_after("two hours later i was at the gp") is None
    True
    """
    if "later" not in lower and "after" not in lower:
        return None
    if not (_may_match(lower, _RECOVERED_UNITS) and _may_match(lower, _RECOVERED_ENDS)):
        return None  # half the texts with "later" or "after"
    best = None
    for m in _RECOVERED_RE.finditer(lower):
        num = m.group(1) or m.group(3)
        unit = m.group(2) or m.group(4)
        n = 0.5 if num.startswith("half") else _COUNTS.get(num) or float(num)
        minutes = n * (60.0 if unit.startswith("h") else 1.0)
        best = minutes if best is None else max(best, minutes)
    return best


def is_episode_context(lower: str, q: Quantity) -> bool:
    """Whether a sub-day quantity describes one attack ("lasts ten minutes")."""
    window = lower[max(0, q.start - 40) : min(len(lower), q.end + 40)]
    return bool(_EPISODE_CUE_RE.search(window))
