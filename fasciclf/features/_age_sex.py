"""Age and sex of the writer, or of the relative written about.

Regular expressions over the lower-cased text ("34F", "I'm a 43-year-old
woman", "my dad (67)"). Every whitespace run is matched possessively
(``\\s*+``, Python 3.11), so no pattern backtracks over a run: the time is
linear in the text length whatever the text.

Python's ``re`` tries a pattern that opens with ``\\b`` at every character,
which made this the costliest step of extraction. Every stated age contains a
number and every stated sex begins at "I am", at a number, at "age" or at the
start of the text, so the patterns are tried only there: near each number, or
at those places with ``Pattern.match`` (whose look-behinds still see the text
before the place, so the result is the one ``search`` would give).
"""

from __future__ import annotations

import re
from typing import NamedTuple


class _AgeRule(NamedTuple):
    """An age pattern and where it is worth trying."""

    pattern: re.Pattern[str]
    # Every match begins at the start of a run of digits or one character
    # earlier ("34 years old", "(45f"): tried only there (``_first_match``)
    # instead of searched through the whole window.
    opens_on_number: bool = False
    # Words one of which every match holds ("age 39", "a woman, 52", "she is
    # 70"; the whitespace of the text is single spaces then): a window without
    # any is not searched (``re`` would try the pattern at each character).
    needs: tuple[str, ...] = ()


def _rule(regex: str, *, on_number: bool = False, needs: tuple[str, ...] = ()) -> _AgeRule:
    return _AgeRule(re.compile(regex), on_number, needs)


# "I am", "I'm", "im" after a word boundary. The boundary is tested behind the
# "i" (``i(?<=\bi)``, the same test) so that the pattern opens on a literal:
# Python's ``re`` then jumps from one "i" of the text to the next instead of
# trying the pattern at every character (about five times faster). "my" below
# likewise.
_I_AM = r"i(?<=\bi)(?:\s*+am|'m|’m|m)"
_AGE_RULES = [
    _rule(
        _I_AM + r"\s++(?:a\s++|an\s++|now\s++|only\s++|just\s++)?(\d{1,2})\b"
        r"(?!\s*+(?:%|kg|lbs?|cm|weeks?|days?|months?|minutes?|hours?|mg|times))"
    ),
    _rule(
        r"\b(\d{1,3})\s*+-?\s*+(?:years?|yrs?|yr|y)\s*+-?\s*+(?:old|o\b)"
        r"(?!\s++(?:son|daughter|kid|child|boy|girl|baby|toddler|dog|cat|twins?|grandson|granddaughter)\b)",
        on_number=True,
    ),
    _rule(r"(?:^|[\s(,])(\d{2})\s*+/\s*+[fm](?=$|[\s),.;:!?])", on_number=True),
    _rule(r"\b(\d{1,2})\s*+(?:yo|y/o|y\.o\.?)\b", on_number=True),
    _rule(r"\b(?:age|aged)\s*+:?\s*+(\d{1,3})\b", needs=("age",)),
    _rule(r"(?:^|[\s(,])(\d{2})\s*+(?:f|m)(?=$|[\s),.;:!?])", on_number=True),
    _rule(r"(?:^|[\s(,])(?:f|m)\s*+/?\s*+(\d{2})(?=$|[\s),.;:!?])"),
    _rule(
        r"\b(?:male|female|man|woman|guy|girl|lady)\s*+,?\s*+(\d{2})\b",
        needs=("male", "man", "guy", "girl", "lady"),
    ),
    _rule(
        r"my(?<=\bmy)\s++(?:\w+\s++)?(?:husband|wife|mother|mom|mum|father|dad|son|daughter|sister|brother|"
        r"grandmother|grandma|grandfather|grandpa|partner|boyfriend|girlfriend|aunt|uncle|"
        r"friend|fiance|fiancee|nan|granny)\s*+(?:\(|,|-|is|who\s++is|aged)?\s*+(\d{1,3})\b"
        r"(?!\s*+(?:%|kg|lbs?|cm|weeks?|days?|months?|minutes?|hours?|times))"
    ),
    _rule(
        r"\b(?:he|she)\s++is\s++(\d{1,3})\b(?!\s*+(?:%|kg|lbs?|weeks?|days?|months?))",
        needs=(" is",),
    ),
    # "I'm Ron, 74, and I drove lorries"
    _rule(_I_AM + r"\s++[a-z]++\s*+,\s*+(\d{2})\s*+[,.;]"),
    # a post that opens on the age: "52, work on reception", "hi all, 64, went back"
    _rule(
        r"^\W{0,3}(?:(?:hi|hello|hey)(?:\s++(?:all|everyone))?\W{1,3})?(\d{2})"
        r"(?:\s*+,|\s++(?:here|and|n)\b|\s++years?\b(?!\s++ago))"
    ),
    _rule(
        r"\b(?:he's|she's)\s++(\d{1,3})\b(?!\s*+(?:%|kg|lbs?|weeks?|days?|months?))",
        needs=("he's",),
    ),
    # a learner's "I have 44 years", "a woman of 49 years"
    _rule(r"i(?<=\bi)\s++have\s++(\d{2})\s++years?\b(?!\s++(?:ago|of|now|since|with|in)\b)"),
    _rule(r"\b(?:man|woman|male|female|lady|guy|girl|boy)\s++of\s++(\d{2})\b"),
    # "I am taxi driver, 50 years.", "I am Brazilian, 38 years, I work": the years
    # after a short self-description and a comma, not of a job ("I am
    # electrician forty years", "for 20 years")
    _rule(
        _I_AM + r"\s++(?:[a-z'-]++\s++){0,4}[a-z'-]++\s*+,\s*+(\d{2})\s++years?\b"
        r"(?!\s++(?:ago|of|in|on|at|with|since|now|later|before|after|back|earlier|into)\b)"
    ),
    # "30, male." and "Typist, 40." or "Retired hairdresser, 62." opening a sentence
    _rule(r"(?:^|[\s(,.])(\d{2})\s*+,\s*+(?:male|female|man|woman)\b", on_number=True),
    _rule(
        r"(?:^|[.!?\n])\s*+(?!(?:in|on|at|since|for|by|of|about|from|after|before|until|and|but|so)\b)"
        r"[a-z][a-z-]*+(?:\s++[a-z-]++){0,2}\s*+,\s*+(\d{2})(?=\s*+[.,;]|\s++(?:this\s++year|here|and)\b)"
    ),
    # "put it down to being 52"
    _rule(
        r"\bbeing\s++(\d{2})\b(?!\s*+(?:%|kg|lbs?|cm|weeks?|days?|months?|minutes?|hours?|times|years?|miles|km)\b)"
    ),
]
_DECADE_RE = re.compile(
    r"\bin\s++(?:my|his|her)\s++(?:(early|mid|late)\s*+-?\s*+)?(\d0)\s*+'?s\b|"
    r"\bin\s++(?:my|his|her)\s++(?:(early|mid|late)\s*+-?\s*+)?"
    r"(twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b"
)
_DECADE_WORDS = {
    "twenties": 20,
    "thirties": 30,
    "forties": 40,
    "fifties": 50,
    "sixties": 60,
    "seventies": 70,
    "eighties": 80,
    "nineties": 90,
}

_F = r"(?:woman|female|girl|lady|mother|mom|mum|wife|grandmother|grandma|f)"
_M = r"(?:man|male|guy|boy|dude|gentleman|father|dad|husband|grandfather|grandpa|m)"
_AGE_TOKEN = r"\d{1,2}\s*+(?:-?\s*+(?:years?|yrs?|y)\s*+-?\s*+old|yo|y/o|y\.o\.?|/)?"


def _sex_patterns(word: str) -> re.Pattern[str]:
    return re.compile(
        # "I'm a 43-year-old woman", "I am 33 years old and female", "A 36-year-old man here"
        rf"\b(?:i\s*+am|i'm|i’m|im)\b[^.!?\n]{{0,30}}?(?<!my\s)(?<!our\s)\b{word}\b(?!['’]s)|"
        rf"^\s*+(?:an?\s++)?{_AGE_TOKEN}\s*+,?\s*+{word}\b|"
        # "34F", "41/F", "29 yo male", "55 y/o F", "(45, male)"
        rf"(?:^|[\s(,])\d{{2}}\s*+(?:yo|y/o|y\.o\.?|years?\s++old|/|,)?\s*+{word}(?=$|[\s),.;:!?/])|"
        # "Female, 52", "M 27", "Age 39, male"
        rf"\bage\s*+:?\s*+\d{{1,2}}\s*+,\s*+{word}\b|"
        rf"\b\d{{1,2}}\s*+-?\s*+year\s*+-?\s*+old\s++(?:\w+\s++)?{word}\b(?!['’]s)"
    )


_DIGIT_RE = re.compile(r"\d")
# "\d+" spelt so that it opens on the class: ``re`` then jumps from one digit
# to the next, where a pattern opening on a repeat is tried at every character
_DIGITS_RE = re.compile(r"\d\d*")


def _has_digit(text: str) -> bool:
    """Whether ``text`` has a digit. In ASCII text (most texts) the digits are
    "0" to "9", which ``in`` finds many times faster than ``re`` scans for one."""
    if text.isascii():
        return any(d in text for d in "0123456789")
    return _DIGIT_RE.search(text) is not None


# No age or sex pattern reads a run of more digits (a year like "2019" is
# never an age), and years are common in stories: they open no window.
_MAX_DIGITS = 3
_WORD_TAIL_RE = re.compile(r"\w*+")
# An age phrase reaches at most this far before its number ("my lovely
# 60-year-old husband, who is 67") and after it ("34 years old granddaughter").
_AGE_REACH = (80, 40)
_I_AM_RE = re.compile(_I_AM + r"\b")
_FEMALE_RE = _sex_patterns(_F)
_MALE_RE = _sex_patterns(_M)
_FIELD_SEX_RE = re.compile(r"\b(?:sex|gender)[ \t]*+[:=\-][ \t]*+(female|male|woman|man|f|m)\b")
_FEMALE_VALUES = frozenset({"female", "woman", "f"})
# "f 34" opening the text, or after a space, bracket, comma or full stop: the
# two are tried apart (``match`` at the start, then ``search``) because a
# pattern that opens on a character class is searched by a fast scan for it,
# where one that opens on "^|" is tried at every character.
_LEADING_SEX_AT_START_RE = re.compile(r"(female|male|f|m)\s*+[,/]?\s*+\d{2}\b")
_LEADING_SEX_RE = re.compile(r"[\s(,.](female|male|f|m)\s*+[,/]?\s*+\d{2}\b")
_FEMALE_CONTEXT_RE = re.compile(
    r"\b(?:pregnant|trimester|my\s++period|menopause|menopausal|postpartum|breastfeeding|"
    r"gave\s++birth|as\s++a\s++woman|as\s++a\s++mom|as\s++a\s++mum|my\s++husband\s++(?:says|noticed|thinks))\b"
)
_MALE_CONTEXT_RE = re.compile(r"\b(?:as\s++a\s++man|my\s++wife\s++(?:says|noticed|thinks))\b")
# One word of each context pattern must be in the text for it to match.
_FEMALE_CONTEXT_WORDS = (
    "pregnant", "trimester", "period", "menopaus", "postpartum", "breastfeeding",
    "birth", "woman", "mom", "mum", "husband",
)  # fmt: skip
_MALE_CONTEXT_WORDS = ("man", "wife")

RELATIVE_SEX = {
    "mother": "female",
    "wife": "female",
    "daughter": "female",
    "sister": "female",
    "grandmother": "female",
    "aunt": "female",
    "father": "male",
    "husband": "male",
    "son": "male",
    "brother": "male",
    "grandfather": "male",
    "uncle": "male",
    # by the word used, for relatives whose group has no single sex
    "girlfriend": "female",
    "boyfriend": "male",
    "fiancee": "female",
    "fiancée": "female",
    "mom": "female",
    "mum": "female",
    "dad": "male",
    "grandma": "female",
    "grandpa": "male",
}


def find_age(lower: str) -> int | None:
    """The first stated age in years, or None.

    >>> find_age("i'm a 43-year-old woman"), find_age("34f, calf twitching")
    (43, 34)
    >>> find_age("my dad (67)")
    67
    >>> find_age("twitching for 3 years") is None
    True
    """
    if not _has_digit(lower):
        return None  # every age pattern reads digits
    # A whitespace run reads like one space to every age pattern, and it
    # keeps each age phrase within _AGE_REACH of its number.
    lower = " ".join(lower.split())
    best: tuple[int, int] | None = None
    for start, end, numbers in _near_numbers(lower):
        # where a pattern opening on a number can begin (the window holds them)
        at_numbers = sorted({p for n in numbers for p in (n - 1, n) if p >= start})
        for pattern, opens_on_number, needs in _AGE_RULES:
            if opens_on_number:
                m = _first_match(pattern, lower, at_numbers, end)
            elif needs and all(lower.find(w, start, end) == -1 for w in needs):
                continue
            else:
                m = pattern.search(lower, start, end)
            if m and (best is None or m.start() < best[0]):
                value = int(m.group(1))
                if 1 <= value <= 110:
                    best = (m.start(), value)
        if best is not None:
            return best[1]  # later windows start later
    return None


def _short_numbers(lower: str) -> list[re.Match[str]]:
    """The numbers an age or sex pattern can read: runs of at most three digits."""
    return [m for m in _DIGITS_RE.finditer(lower) if m.end() - m.start() <= _MAX_DIGITS]


def _near_numbers(lower: str) -> list[tuple[int, int, list[int]]]:
    """Windows of ``lower`` around its numbers (merged when they overlap),
    each with the starts of the numbers it was opened for."""
    before, after = _AGE_REACH
    windows: list[tuple[int, int, list[int]]] = []
    for m in _short_numbers(lower):
        start = max(0, m.start() - before)
        # never cut a word or number in two: "... 2019" cut to "... 20" would end in an age
        end = _WORD_TAIL_RE.match(lower, min(len(lower), m.end() + after)).end()
        if windows and start <= windows[-1][1]:
            first, _, numbers = windows[-1]
            numbers.append(m.start())
            windows[-1] = (first, end, numbers)
        else:
            windows.append((start, end, [m.start()]))
    return windows


def find_sex(lower: str) -> str | None:
    """Sex stated by the writer about themself, or None.

    >>> find_sex("i'm a 43-year-old woman"), find_sex("27m here"), find_sex("my legs twitch")
    ('female', 'male', None)
    >>> find_sex("female, 52. numbness"), find_sex("29 yo male, twitching"), find_sex("41/f with")
    ('female', 'male', 'female')
    >>> find_sex("age: 34\\nsex: f\\nsymptoms: twitching"), find_sex("gender - male")
    ('female', 'male')
    """
    hits: list[tuple[int, str]] = []
    i_am = [m.start() for m in _I_AM_RE.finditer(lower)]
    has_digit = _has_digit(lower)
    # every stated-sex pattern reads an age or "I am": skip them when neither is there
    if i_am or has_digit:
        starts = _sex_starts(lower, i_am, has_digit)
        for sex, pattern in (("female", _FEMALE_RE), ("male", _MALE_RE)):
            m = _first_match(pattern, lower, starts)
            if m:
                hits.append((m.start(), sex))
    if has_digit:  # "f 34", "male, 52": these read an age
        m = _LEADING_SEX_AT_START_RE.match(lower) or _LEADING_SEX_RE.search(lower)
        if m:
            hits.append((m.start(), "female" if m.group(1) in ("female", "f") else "male"))
    if "sex" in lower or "gender" in lower:
        m = _FIELD_SEX_RE.search(lower)  # a form: "Sex: F", "Gender - male"
        if m:
            hits.append((m.start(), "female" if m.group(1) in _FEMALE_VALUES else "male"))
    if hits:
        return min(hits)[1]
    if any(w in lower for w in _FEMALE_CONTEXT_WORDS) and _FEMALE_CONTEXT_RE.search(lower):
        return "female"
    if any(w in lower for w in _MALE_CONTEXT_WORDS) and _MALE_CONTEXT_RE.search(lower):
        return "male"
    return None


def _sex_starts(lower: str, i_am: list[int], has_digit: bool = True) -> list[int]:
    """Every place a stated-sex pattern can begin, in text order.

    "I am ...", the start of the text, a number or the separator before it
    ("34f", "(45, male)"), and "age" ("age 39, male"). ``has_digit`` False
    says the text has no number (none is looked for).
    """
    starts = {0, *i_am}
    for m in _short_numbers(lower) if has_digit else ():
        starts.update((m.start(), max(0, m.start() - 1)))
    i = lower.find("age")
    while i != -1:
        starts.add(i)
        i = lower.find("age", i + 1)
    return sorted(starts)


def _first_match(
    pattern: re.Pattern[str], lower: str, starts: list[int], end: int | None = None
) -> re.Match | None:
    """The first match of ``pattern`` in ``lower[:end]``, what ``search``
    finds, when every match begins at one of ``starts`` (in text order)."""
    end = len(lower) if end is None else end
    for start in starts:
        m = pattern.match(lower, start, end)
        if m:
            return m
    return None


# after the relation: "(45", ", 45", "is 45", "'s 29" ("my sister's 29"), "who's 59",
# a learner's "has 67 years"
_REL_AGE_RE = re.compile(
    r"^(?:['’]s\b)?\W{0,3}(?:\(|,|-|is|who\s++is|who['’]s|aged|age)?\s*+(\d{1,3})\b"
    r"(?!\s*+(?:%|kg|lbs?|cm|weeks?|days?|months?|minutes?|hours?|times))"
    r"|^\W{0,3}has\s++(\d{2})\s++years?\b(?!\s++ago)"
)
_REL_AGE_BEFORE_RE = re.compile(
    r"\b(\d{1,3})\s*+-?\s*+(?:years?|yrs?|y)\s*+-?\s*+old\s++(?:\w+\s++)?$"
)
_REL_SEX_NEAR_RE = re.compile(r"^[^.!?]{0,12}\b(female|male)\b")
_THIRD_PERSON_AGE_RE = re.compile(
    r"\b(?:he|she)\s++is\s++(\d{1,3})\b|\b(?:he's|she's|he’s|she’s|hes|shes)\s++(\d{1,3})\b"
    r"(?!\s*+(?:%|kg|lbs?|weeks?|days?|months?|minutes?|hours?|miles|km))"
    # a learner's "she has 67 years"
    r"|\b(?:he|she)\s++has\s++(\d{2})\s++years?\b(?!\s++ago)"
)
# "Maureen is 75", "Claire, 57, a head chef", "Ellie's 29,", "Kat, who is 34 and":
# a capitalised name and an age closed by punctuation (not "In March, 12 of
# us"); "our kev (65, ...)".
_NAMED_AGE_RE = re.compile(
    r"\b[A-Z][a-z]++(?:\s++is|,|['’]s|,\s++who\s++is|,\s++who['’]s)\s++(\d{1,2})(?=[,.;)]|\s++(?:and|years?|yrs?)\b)"
    r"|\b[A-Za-z]++\s*+\(\s*+(\d{1,2})\s*+[,)]"
)


def third_person_age(lower: str) -> int | None:
    """An age told in the third person ("she's 56", "he is 70"), or None.

    >>> third_person_age("she's 56 and drives a cab"), third_person_age("he's 5 weeks in")
    (56, None)
    """
    if not _has_digit(lower):
        return None  # the pattern reads digits; a test for one is many times faster
    m = _THIRD_PERSON_AGE_RE.search(lower)
    return int(m.group(1) or m.group(2) or m.group(3)) if m else None


_APPOSITION_AGE_RE = re.compile(
    r"^\W{0,3}(?:a|an)\s++(\d{1,2})\s*+-?\s*+(?:years?|yrs?)\s*+-?\s*+old\b"
)


def apposition_age(after: str) -> int | None:
    """The age an apposition gives a relation: ", a 12-year-old boy" (which
    :func:`find_age` leaves alone, as it does "my 12-year-old son").

    >>> apposition_age(", a 12-year-old boy, trips"), apposition_age(" has a 3 year old dog")
    (12, None)
    """
    m = _APPOSITION_AGE_RE.search(after)
    return int(m.group(1)) if m else None


def relative_age_after(lower: str, pos: int) -> int | None:
    """The age told right after ``pos`` ("(45", ", 45", "is 45"), or None.

    >>> relative_age_after("my wife pat is 67, drove a taxi", 11)
    67
    """
    m = _REL_AGE_RE.search(lower[pos : pos + 40])
    return int(m.group(1) or m.group(2)) if m else None


# an age right after these is the teller's: "told by Dorothy, 91", "I am Walter, 84"
_TELLER_ENDS = (" by", "i am", "i'm", "i’m", "name is", "this is")


def named_age(text: str) -> int | None:
    """An age told beside a name, for someone other than the writer, or None.

    >>> named_age("Sam is 31 and went back to university"), named_age("our kev (65, cleaner)")
    (31, 65)
    >>> named_age("In March, 12 of us went") is None, named_age("told by Dorothy, 91, about")
    (True, None)
    """
    if not _has_digit(text):
        return None  # the pattern reads digits; a test for one is many times faster
    for m in _NAMED_AGE_RE.finditer(text):
        if text[max(0, m.start() - 12) : m.start()].lower().rstrip().endswith(_TELLER_ENDS):
            continue  # "told by Dorothy, 91", "I am Walter, 84": the teller's age
        return int(m.group(1) or m.group(2))
    return None


_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_TEENS = ("thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_ORDINAL_UNITS = (
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
)
_NUMBER_WORD_RE = re.compile(
    r"\b(?:("
    + "|".join(_TENS)
    + r")(?:[- ](?:("
    + "|".join(_UNITS)
    + r")|("
    + "|".join(_ORDINAL_UNITS)
    + r"))\b)?|("
    + "|".join(t[:-1] + "ieth" for t in _TENS)
    + r")|("
    + "|".join(_TEENS)
    + r"))\b"
)


# every number word above holds one of these ("forty", "fortieth"; "eighteen")
_NUMBER_STEMS = ("twent", "thirt", "fort", "fift", "sixt", "sevent", "eight", "ninet", "teen")


def spell_numbers(lower: str) -> str:
    """``lower`` with the number words of an age in figures, right-aligned in
    the space the words took, so that every offset into it still holds.

    People tell ages in words ("she is seventy-one", "at my fifty-ninth
    birthday"); the age patterns read figures.

    >>> spell_numbers("he is seventy-one and fit")
    'he is          71 and fit'
    >>> spell_numbers("my fifty-ninth birthday").split()
    ['my', '59th', 'birthday']
    """
    if not any(word in lower for word in _NUMBER_STEMS):
        return lower  # a scan for each stem in C is many times faster than the pattern
    return _NUMBER_WORD_RE.sub(_figures, lower)


def _figures(m: re.Match[str]) -> str:
    tens, unit, ordinal, tieth, teen = m.groups()
    if tens is not None:
        value = 10 * (_TENS.index(tens) + 2)
        value += _UNITS.index(unit) + 1 if unit else 0
        value += _ORDINAL_UNITS.index(ordinal) + 1 if ordinal else 0
        figure = f"{value}th" if ordinal else str(value)
    elif tieth is not None:
        figure = f"{10 * (_TENS.index(tieth[:-4] + 'y') + 2)}th"
    else:
        figure = str(_TEENS.index(teen) + 13)
    return figure.rjust(len(m.group(0)))


# The age reached at a dated point of the story, read when nothing states the
# age now: "the year I turned 53", "Tom turned 28 in March", "at my 59th
# birthday dinner". The last one told is the nearest to the time of writing.
_TURNED_RE = re.compile(
    r"\b([a-z]++)\s++(?:just\s++|had\s++|has\s++)?turned\s++(\d{2})\b"
    r"|\b(my|his|her)\s++(\d{2})(?:st|nd|rd|th)?\s++birthday\b"
)


_NOT_PEOPLE = frozenset(
    {"it", "that", "this", "which", "what", "there", "they", "we", "you", "weather"}
)


def story_age(lower: str, selves: bool) -> int | None:
    """The last age the story says was reached ("I turned 53"), of the
    writer when ``selves`` is true, else of someone else, or None.

    >>> story_age("the year i turned 53 ... at my 54th birthday dinner", True)
    54
    >>> story_age("the year he turned 47", True) is None, story_age("tom turned 28", False)
    (True, 28)
    """
    if "turned" not in lower and "birthday" not in lower:
        return None
    age = None
    for m in _TURNED_RE.finditer(lower):
        who = m.group(1) or m.group(3)
        if who in _NOT_PEOPLE:
            continue  # "it turned 30 degrees"
        if (who in ("i", "my")) == selves:
            age = int(m.group(2) or m.group(4))
    return age


def find_relative_age_sex(lower: str, start: int, end: int) -> tuple[int | None, str | None]:
    """Age and stated sex of the relative mentioned at ``lower[start:end]``.

    >>> find_relative_age_sex("my father, who is 72, has weak legs", 3, 9)
    (72, None)
    >>> find_relative_age_sex("my partner (45, male) has tongue twitching", 3, 10)
    (45, 'male')
    """
    after = lower[end : end + 40]
    age = relative_age_after(lower, end)
    if age is None:
        m = _REL_AGE_BEFORE_RE.search(lower[max(0, start - 30) : start])
        if m:
            age = int(m.group(1))
    if age is None:
        age = third_person_age(lower)
    sex = None
    m = _REL_SEX_NEAR_RE.search(after)
    if m:
        sex = m.group(1)
    if age is not None and not 1 <= age <= 110:
        age = None
    return age, sex
