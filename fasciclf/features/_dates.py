"""Time expressions: the packaged table and a token-level reader.

The table (``resources/time_expressions.json``) is a flat list of typed
records, validated like the lexicon: unknown keys or kinds are rejected with
the allowed values listed. :func:`find_time_expressions` matches the records
against lower-cased tokens (longest match first, one pass) and combines
neighbouring matches into :class:`TimeExpr` records: "three months later",
"last October", "early this year", "for the past two weeks", "now".
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from fasciclf.features._quantities import ORDINAL_WORDS
from fasciclf.features._resources import ResourceError

__all__ = [
    "TimeExpr",
    "TimeRecord",
    "TimeTable",
    "default_time_table",
    "find_time_expressions",
    "parse_time_table",
    "says_present",
    "since_before",
]

TIME_FILE = "time_expressions.json"
KINDS: tuple[str, ...] = (
    "month",
    "season",
    "holiday",
    "number",
    "unit",
    "after_unit",
    "before_unit",
    "qualifier",
    "position",
    "year_ref",
    "now",
    "since_always",
    "sequence",
    "spread",
    "fluctuation",
    "course",
    "frequency",
    "recurrence",
)
_TEXT_VALUES = {
    "after_unit": ("forward", "now"),
    "before_unit": ("forward", "now"),
    "sequence": ("start", "next", "same", "since", "soon"),
    "spread": ("spread", "travel"),
    "fluctuation": ("within_day",),
    # how the symptoms are now ("it's July and it's a bit better"): read only
    # in the sentence that gives the time of writing
    "course": ("improving", "worse"),
    # "now and then": read so that its words are neither the present nor a step
    "frequency": ("no_time",),
}
_KEYS = {"literal", "kind", "value", "guarded"}
# A guarded word ("may", "march", "fall") is a date only after one of these.
_TIME_PREPS = frozenset(
    "in by since until till around from during of through after before about last this "
    "early late mid next the - that".split()
)
# "it's may now", "now is march": a month said as the present
PRESENT_BEFORE = frozenset("'s is its it’s".split())
# ... but "'s" only after these: "the club's spring hikes" is a possessive
_IT = frozenset("it that now here there what which this".split())


def says_present(words: list[str], k: int) -> bool:
    """Whether token ``k`` ("it's", "is") names what follows as the present.

    >>> says_present("it 's may".split(), 1), says_present("the club 's spring".split(), 2)
    (True, False)
    """
    w = words[k]
    return w in PRESENT_BEFORE and (w != "'s" or (k > 0 and words[k - 1] in _IT))


def since_before(words: list[str], start: int, reach: int = 1) -> bool:
    """Whether "since" stands in the ``reach`` tokens before ``start``.

    >>> since_before("since lambing in march".split(), 3, reach=3)
    True
    >>> since_before("in march".split(), 1)
    False
    >>> since_before("since around last autumn".split(), 2)
    True
    """
    while start > 0 and words[start - 1] in _APPROXIMATE:
        start -= 1  # "since around last autumn", "since about March"
    return "since" in words[max(start - reach, 0) : start]


_APPROXIMATE = frozenset({"about", "around", "roughly", "maybe", "approximately", "circa"})


_DATE_KINDS = ("month", "season", "holiday")
# The kinds a date is read from (_dated): a set built once, not a tuple
# unpacked anew for every tag
_DATED_FROM = frozenset({"qualifier", "position", "year_ref", "year", *_DATE_KINDS})


@dataclass(frozen=True)
class TimeRecord:
    literal: str
    kind: str
    value: Any = None
    guarded: bool = False


@dataclass(frozen=True)
class TimeTable:
    """Validated records, indexed for a one-pass token reader.

    ``single`` maps one-token literals to their record; ``pairs`` maps the
    first two tokens of longer literals to them (longest first).
    """

    version: str
    records: tuple[TimeRecord, ...]
    single: dict[str, TimeRecord] = field(default_factory=dict, compare=False, repr=False)
    pairs: dict[tuple[str, str], list[tuple[tuple[str, ...], TimeRecord]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    firsts: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    # tokens that start a record alone: one-token literals and ordinal days
    lone: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    # tokens that start only pairs ("the", "and")
    pair_only: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    # what each word seen so far can start (see _StartKinds)
    start_kinds: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Built once here: the reader looks up every token of every text.
        for rec in self.records:
            toks = tuple(rec.literal.split(" "))
            if len(toks) == 1:
                self.single[toks[0]] = rec
            else:
                self.pairs.setdefault(toks[:2], []).append((toks, rec))
        for entries in self.pairs.values():
            entries.sort(key=lambda e: -len(e[0]))
        # "Sept.", "Oct.": spaCy keeps a month's abbreviation and its period as one token
        for lit, rec in list(self.single.items()):
            if rec.kind == "month":
                self.single.setdefault(lit + ".", rec)
        firsts = frozenset(self.single) | {p[0] for p in self.pairs}
        object.__setattr__(self, "firsts", firsts)  # frozen: set once, at construction
        lone = frozenset(self.single) | ORDINAL_WORDS.keys()
        object.__setattr__(self, "lone", lone)
        object.__setattr__(self, "pair_only", frozenset({p[0] for p in self.pairs} - lone))
        object.__setattr__(self, "start_kinds", _StartKinds(lone, self.pair_only))


_LONE, _PAIR_ONLY = 1, 2


class _StartKinds(dict):
    """What a word can start, remembered per word (most words recur): a record
    alone (:data:`_LONE`: a one-token literal, an ordinal day, a figure), only
    pairs (:data:`_PAIR_ONLY`), or nothing (0)."""

    limit = 200_000  # distinct words remembered before starting afresh

    def __init__(self, lone: frozenset[str], pair_only: frozenset[str]) -> None:
        super().__init__()
        self.lone, self.pair_only = lone, pair_only

    def __missing__(self, w: str) -> int:
        if len(self) >= self.limit:
            self.clear()
        kind = self[w] = (
            _LONE if w in self.lone or w[:1].isdigit() else _PAIR_ONLY if w in self.pair_only else 0
        )
        return kind


def _parse_record(i: int, raw: Any) -> TimeRecord:
    where = f"time expression record {i}"
    if not isinstance(raw, dict):
        raise ResourceError(f"{where}: expected an object, got {type(raw).__name__}")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ResourceError(
            f"{where}: unknown key(s) {', '.join(unknown)}; allowed keys are "
            f"{', '.join(sorted(_KEYS))}"
        )
    literal, kind = raw.get("literal"), raw.get("kind")
    if not isinstance(literal, str) or not literal.strip() or literal != literal.lower():
        raise ResourceError(
            f"{where}: literal must be a non-empty lower-case string, got {literal!r}"
        )
    if kind not in KINDS:
        raise ResourceError(
            f"{where}: kind={kind!r} is not allowed; expected one of {', '.join(KINDS)}"
        )
    value = raw.get("value")
    if kind in _TEXT_VALUES:
        if value not in _TEXT_VALUES[kind]:
            raise ResourceError(
                f"{where}: value={value!r} is not allowed for kind {kind}; expected one of "
                f"{', '.join(_TEXT_VALUES[kind])}"
            )
    elif kind != "now" and not isinstance(value, int | float):
        raise ResourceError(f"{where}: kind {kind} needs a numeric value, got {value!r}")
    guarded = raw.get("guarded", False)
    if not isinstance(guarded, bool):
        raise ResourceError(f"{where}: guarded must be true or false, got {guarded!r}")
    return TimeRecord(" ".join(literal.split()), kind, value, guarded)


def parse_time_table(data: dict[str, Any]) -> TimeTable:
    """Validate a time-expression table (as read from JSON).

    >>> parse_time_table({"records": [{"literal": "easter", "kind": "feast"}]})
    Traceback (most recent call last):
    ...
    fasciclf.features._resources.ResourceError: time expression record 0: kind='feast' ...
    """
    if not isinstance(data, dict) or not isinstance(data.get("records"), list):
        raise ResourceError("time expressions: expected an object with a 'records' list")
    records = tuple(_parse_record(i, r) for i, r in enumerate(data["records"]))
    seen: set[str] = set()
    for i, rec in enumerate(records):
        if rec.literal in seen:
            raise ResourceError(f"time expression record {i}: duplicate literal {rec.literal!r}")
        seen.add(rec.literal)
    return TimeTable(version=str(data.get("version", "0")), records=records)


@lru_cache(maxsize=1)
def default_time_table() -> TimeTable:
    """The table shipped with the package (parsed once per process)."""
    raw = resources.files("fasciclf.features").joinpath("resources", TIME_FILE).read_text("utf-8")
    return parse_time_table(json.loads(raw))


@dataclass(frozen=True)
class TimeExpr:
    """One time expression over tokens ``start:end``.

    ``kind`` is ``absolute`` (``month`` of the year as a float, ``year``,
    ``year_offset`` from the writing year, ``bare`` when nothing but the
    month or season was said, ``day`` of the month when written, ``value``
    month/season/holiday for what was named), ``now``,
    ``ago`` (``days`` before writing),
    ``after_prev`` (``days`` after the previous event), ``sequence``
    (``value`` start/next/same), ``spread``, ``fluctuation`` or ``course``
    (``value`` improving/worse).
    """

    kind: str
    start: int
    end: int
    month: float | None = None
    year: int | None = None
    year_offset: int | None = None
    days: float | None = None
    value: str | None = None
    bare: bool = False
    day: int | None = None
    header: bool = False  # a month heading a diary entry ("March. ...", "Early June:")
    # ``year_offset`` counts calendar years ("July last year", "early last
    # year"), not occurrences ("last July", "last summer": the most recent one)
    calendar: bool = False


def _of_a_month(words: list[str], i: int, single) -> bool:
    if i + 2 >= len(words) or words[i + 1] != "of":
        return False
    rec = single.get(words[i + 2])
    return rec is not None and rec.kind == "month"


def _tag_starts(words: list[str], table: TimeTable) -> list[int]:
    """The tokens that can start a record, in text order (most tokens are not).

    A token that only starts pairs ("the", "and": a third of all tokens) is
    one only before a second token of one of its pairs ("the day"). Every
    token that opens with a figure is one (the dates in figures are read
    from these, with no second pass).
    """
    # The kind of every token is looked up by map and the few that can start
    # picked by compress, both in C; only those few are then read in Python.
    kinds = list(map(table.start_kinds.__getitem__, words))
    pairs = table.pairs
    n = len(words)
    return [
        i
        for i in itertools.compress(range(n), kinds)
        if kinds[i] == _LONE or (i + 1 < n and (words[i], words[i + 1]) in pairs)
    ]


def _tag(
    words: list[str], table: TimeTable, starts: list[int] | None = None
) -> list[tuple[int, int, TimeRecord]]:
    single, pairs = table.single, table.pairs
    tags: list[tuple[int, int, TimeRecord]] = []
    n = len(words)
    done = 0
    for i in _tag_starts(words, table) if starts is None else starts:
        if i < done:
            continue
        w = words[i]
        # isascii: "¹" and "٣" are digits to str.isdigit but not to int()
        if w.isdigit():
            if w.isascii() and len(w) <= 4:
                year = len(w) == 4 and 1900 <= int(w) <= 2099
                if year or len(w) < 4:
                    tags.append((i, i + 1, TimeRecord(w, "year" if year else "number", int(w))))
            continue
        if w[-2:] in _ORDINAL_ENDS and w[:-2].isdigit() and w.isascii() and len(w) <= 4:
            # "12th nov", "2nd of August": a day, read only before a month
            tags.append((i, i + 1, TimeRecord(w, "ordinal", int(w[:-2]))))
            continue
        if w in ORDINAL_WORDS and _of_a_month(words, i, single):
            # "the first of July", "the third of May": a day, not "first" in the story
            tags.append((i, i + 1, TimeRecord(w, "ordinal", ORDINAL_WORDS[w])))
            continue
        for toks, rec in pairs.get((w, words[i + 1]), ()) if i + 1 < n else ():
            if tuple(words[i : i + len(toks)]) == toks:
                tags.append((i, i + len(toks), rec))
                done = i + len(toks)
                break
        else:
            if w in single:
                tags.append((i, i + 1, single[w]))
    return tags


def _guard_ok(words: list[str], start: int, tags, j: int) -> bool:
    prev = words[start - 1] if start else ""
    if prev in _TIME_PREPS or prev in PRESENT_BEFORE:
        return True
    if prev == "now" and start >= 2 and says_present(words, start - 2):
        return True  # "it's now May", "it is now March"
    if _heads_entry(words, start, tags[j][1]):
        return True  # "May. Chewing tires halfway through a sandwich."
    nxt = tags[j + 1] if j + 1 < len(tags) else None
    return nxt is not None and nxt[2].kind == "year" and nxt[0] <= tags[j][1] + 1


def _quantity(tags, j: int) -> tuple[float, int] | None:
    """Days of ``number? unit`` starting at tag ``j``, and the next tag index."""
    count = None
    s, e, rec = tags[j]
    if rec.kind == "number":
        if j + 1 >= len(tags) or tags[j + 1][2].kind != "unit" or tags[j + 1][0] > e + 1:
            return None
        count, j = float(rec.value), j + 1
        s, e, rec = tags[j]
    if rec.kind != "unit":
        return None
    if count is None:  # "months later": an unstated few
        count = 3.0 if rec.literal.endswith("s") else 1.0
    return count * float(rec.value), j + 1


def _date(words, tags, j: int) -> tuple[TimeExpr, int] | None:
    """``[qualifier] [position] month|season|holiday|year_ref [year]`` from tag ``j``."""
    start = tags[j][0]
    k, offset, position = _modifiers(tags, j)
    if k >= len(tags) or (k > j and tags[k][0] > tags[k - 1][1] + 1):
        return None
    s, e, rec = tags[k]
    month: float | None = None
    year: int | None = None
    calendar = False
    day = _day_before(words, tags, k) if k == j and rec.kind == "month" else None
    day_after = _day_after(words, tags, k) if rec.kind == "month" and day is None else None
    if day_after is not None:  # "Jan 10.": the American order of a diary's date
        day, e = day_after, tags[k + 1][1]
    if rec.kind in _DATE_KINDS:
        if rec.guarded and k == j and day is None and not _guard_ok(words, s, tags, k):
            return None
        month = _month_of(rec, day, position)
        if day is not None and day_after is None:  # "12 January": a diary's date, to the day
            start = tags[k - 1][0]
    elif rec.kind == "year_ref":
        offset, calendar = int(rec.value), True
        # "early this year" is about mid February, "late last year" October
        month = 1.0 + 12 * (position - 0.08) if position is not None else None
    elif rec.kind == "year":
        year = int(rec.value)
        month = 1.0 + 12 * (position - 0.08) if position is not None else None
    else:
        return None
    k += 2 if day_after is not None else 1
    nxt = tags[k][2].kind if k < len(tags) and tags[k][0] <= e + 1 else None
    if rec.kind != "year" and nxt == "year":
        year, e = int(tags[k][2].value), tags[k][1]
        k += 1
    elif rec.kind in _DATE_KINDS and offset is None and nxt == "year_ref":
        # "July last year", "the spring of this year": one date, not two
        offset, e, calendar = int(tags[k][2].value), tags[k][1], True
        k += 1
    elif rec.kind in _DATE_KINDS and offset is None and words[e : e + 2] == ["before", "last"]:
        # "the October before last", "the summer before last": the one before
        # the last, as "two summers ago" is
        offset, e = -2, e + 2
        k += 1 if k < len(tags) and tags[k][0] == e - 1 else 0
    bare = rec.kind in _DATE_KINDS and offset is None and year is None
    span = rec.kind if rec.kind in _DATE_KINDS else None  # what the date names
    # "March. ...", "Spring 2021. ...": a month, or a season with its year, heading an entry
    header = (
        (rec.kind == "month" or (rec.kind == "season" and year is not None))
        and day is None
        and _heads_entry(words, start, e)
    )
    return (
        TimeExpr(
            "absolute",
            start,
            e,
            month,
            year,
            offset,
            value=span,
            bare=bare,
            day=day,
            header=header,
            calendar=calendar,
        ),
        k,
    )


# A month that is a line or sentence of its own before an entry's text
# ("March. Eyelid drooping by closing time.", "Early June: caught a cold.")
_HEADER_AFTER = frozenset({".", ":", "-", "–", "—"})


def _heads_entry(words: list[str], start: int, end: int) -> bool:
    before = words[start - 1] if start else "\n"
    after = words[end] if end < len(words) else ""  # ``end`` is exclusive
    if after not in _HEADER_AFTER:
        return False
    if before == "," and start >= 2 and words[start - 2] == "now":
        start -= 2  # "Now, May: neck still weak": the last entry, named as the present
        before = words[start - 1] if start else "\n"
    return before.isspace() or before in (".", "!", "?", ":")


def _month_of(rec: TimeRecord, day: int | None, position: float | None) -> float:
    """The month (1.0 = 1 January) a month, season or holiday names."""
    base = float(rec.value)
    if day is not None:
        return base + (day - 1) / 31.0
    if rec.kind == "month":
        return base + (position if position is not None else 0.5)
    # a season spans three months; a holiday a few weeks at most ("the start
    # of Lent", "the end of the summer holidays")
    span = 3 if rec.kind == "season" else 1
    return base + ((position - 0.5) * span if position is not None else 0.0)


def _day_before(words, tags, k: int) -> int | None:
    """The day of the month written just before a month name ("5 May", "12th
    Nov", "the 3rd of March")."""
    if k == 0:
        return None
    ps, pe, prev = tags[k - 1]
    if prev.kind not in ("number", "ordinal") or not 1 <= int(prev.value) <= 31:
        return None
    if pe == tags[k][0] or (prev.kind == "ordinal" and pe + 1 == tags[k][0] and words[pe] == "of"):
        return int(prev.value)
    return None


def _modifiers(tags, j: int) -> tuple[int, int | None, float | None]:
    """The qualifier and position before a date ("last", "early"), and the next tag."""
    offset: int | None = None
    position: float | None = None
    k = j
    while (
        k < len(tags)
        and tags[k][2].kind in ("qualifier", "position")
        and (k == j or tags[k][0] <= tags[k - 1][1] + 1)
    ):
        rec = tags[k][2]
        if rec.kind == "qualifier":
            offset = int(rec.value)
        else:
            position = float(rec.value)
        k += 1
    return k, offset, position


def _day_after(words: list[str], tags, k: int) -> int | None:
    """The day written just after a month name, heading an entry or before a year.

    "Jan 10.", "Feb 21: worse", "March 3rd", "May 5, 2024"; not "in March 2
    of my fingers" or "since May 3 weeks".
    """
    if k + 1 >= len(tags):
        return None
    ns, ne, nxt = tags[k + 1]
    if nxt.kind not in ("number", "ordinal") or ns != tags[k][1] or not 1 <= int(nxt.value) <= 31:
        return None
    # "March 3rd it began": an ordinal is a day wherever the sentence goes on
    if nxt.kind != "ordinal" and ne < len(words) and words[ne] not in _DAY_ENDS:
        return None
    return int(nxt.value)


_ORDINAL_ENDS = frozenset({"st", "nd", "rd", "th"})
_DAY_ENDS = frozenset({".", ":", ",", "-", "–", "—", ";", "\n"}) | _ORDINAL_ENDS


def find_time_expressions(words: list[str], table: TimeTable | None = None) -> list[TimeExpr]:
    """Time expressions in lower-cased tokens, in text order.

    >>> words = "first my left foot , a few months later my right hand".split()
    >>> [(t.kind, t.days) for t in find_time_expressions(words)]
    [('sequence', None), ('after_prev', 90.0)]
    >>> [(t.kind, t.month) for t in find_time_expressions("by early march".split())]
    [('absolute', 3.2)]
    >>> [(t.kind, t.day) for t in find_time_expressions("on the first of july".split())]
    [('absolute', 1)]
    """
    table = table or default_time_table()
    # one pass finds where records can start; the figures among them are
    # where the dates in figures are
    starts = _tag_starts(words, table)
    figures = [i for i in starts if words[i][:1].isdigit()]
    numeric = numeric_dates(words, figures)
    out = _worded(words, table, numeric, starts)
    out = sorted([*out, *numeric], key=lambda t: t.start) if numeric else out
    later = _later_days(words, out, figures, table)
    return sorted([*out, *later], key=lambda t: t.start) if later else out


_ORDINAL_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)")


def _later_days(
    words: list[str], exprs: list[TimeExpr], figures: list[int], table: TimeTable
) -> list[TimeExpr]:
    """ "On 3 March my eyelid drooped. On the 9th I saw the optician": a day of
    the month told alone after a dated day is in that month (in the next one
    when it is smaller). ``figures`` are the positions of the tokens that open
    with a figure, the only ones such a day can be.

    >>> w = "on 3 march it drooped . on the 9th i saw her".split()
    >>> [(t.day, round(t.month, 2)) for t in find_time_expressions(w)]
    [(3, 3.06), (9, 3.26)]
    """
    dated = [e for e in exprs if e.kind == "absolute" and e.day is not None and e.month]
    if not dated:
        return []
    taken = {k for e in exprs for k in range(e.start, e.end)}
    out: list[TimeExpr] = []
    for i in figures:
        if not i or words[i - 1] != "the" or i in taken:
            continue
        m = _ORDINAL_DAY.fullmatch(words[i])
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if m is None or nxt == "of" or table.single.get(nxt) is not None:
            continue  # "the 9th of March", "the 9th March": the month reader's
        before = [e for e in dated if e.end <= i - 1]
        day = int(m.group(1))
        if not before or not 1 <= day <= _MONTH_DAYS_MAX:
            continue
        last = before[-1]
        base = int(last.month)
        month, year, offset = base, last.year, last.year_offset
        if day < (last.day or 1):
            month = base % 12 + 1
            if month == 1:
                year = None if year is None else year + 1
                offset = None if offset is None else offset + 1
        out.append(
            TimeExpr(
                "absolute",
                i - 1,
                i + 1,
                month=month + (day - 1) / 31.0,
                year=year,
                year_offset=offset,
                day=day,
            )
        )
    return out


_MONTH_DAYS_MAX = 31


def _worded(
    words: list[str], table: TimeTable, numeric: list[TimeExpr], starts: list[int] | None = None
) -> list[TimeExpr]:
    """The time expressions told in words (not on the tokens of ``numeric``)."""
    tags = _tag(words, table, starts)
    if numeric:
        taken = {k for d in numeric for k in range(d.start, d.end)}
        tags = [t for t in tags if t[0] not in taken]
    out: list[TimeExpr] = []
    j = 0
    while j < len(tags):
        s, e, rec = tags[j]
        if rec.kind in _DATED_FROM:
            found = _dated(words, tags, j)
        elif rec.kind in ("before_unit", "number", "unit"):
            found = _relative(words, tags, j)
        elif (
            rec.kind == "after_unit"
            and rec.value == "forward"
            # "on", "down the road" step forward only after a span ("two
            # months down the road"); bare, "he walks down the road"
            and rec.literal not in _SPAN_ONLY
        ):
            found = _forward(tags, j)
        elif rec.kind in ("now", "since_always"):
            found = (
                TimeExpr("now" if rec.kind == "now" else "ago", s, e, days=float(rec.value or 0.0)),
                j + 1,
            )
        elif rec.kind == "frequency":
            found = None, j + 1
        elif rec.kind in ("sequence", "spread", "fluctuation", "course"):
            keep = rec.literal != "first" or not _first_of_a_doing(words, e, table.single)
            found = (TimeExpr(rec.kind, s, e, value=rec.value) if keep else None), j + 1
        else:
            found = None
        if found is None:
            j += 1
        else:
            if found[0] is not None:
                out.append(found[0])
            j = found[1]
    return out


# "12/03/2024", "12.03.24", "20/05", "3/12": day and month in an order the
# text itself must settle; "2024-03-12" (split "2024", "-", "03", "-", "12")
_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.])(\d{1,2})(?:\2(\d{4}|\d{2}))?")
# a day and month alone ("20/05") is a date only after these, after "it
# is" or opening a line ("on 20/05", "since 3/12", "it's 6/15"): "pain is
# 7/10" is a score
_NUMERIC_DATE_LEADS = frozenset(
    "on since by from until till around about at before after now today".split()
)
_IT_IS = frozenset({"is", "'s", "was"})


def numeric_dates(words: list[str], figures: list[int] | None = None) -> list[TimeExpr]:
    """Dates written in figures, as absolute time expressions.

    The order of day and month is the text's: a day over 12 in any date
    settles it ("20/05/2024" is day first, so "12/03/2024" is 12 March);
    dates whose order nothing settles are not read. A year-first date
    ("2024-03-12") is always year, month, day. ``figures``, when the caller
    knows them, are the positions of the tokens that open with a figure.

    >>> w = "on 12/03/2024 it began . by 20/05/2024 worse".split()
    >>> [(d.month, d.day, d.year) for d in numeric_dates(w)]
    [(3.35, 12, 2024), (5.61, 20, 2024)]
    >>> [d.day for d in numeric_dates("on 12/03/2024 it began".split())]
    []
    >>> [(d.month, d.day) for d in numeric_dates("2024 - 03 - 12 : calf".split())]
    [(3.35, 12)]
    >>> numeric_dates("pain is 7/10 since 20/05".split())[0].day
    20
    """
    found = _figures(words, figures)
    if not found:
        return []
    day_first = any(a > 12 >= b for _, _, a, b, _ in found)
    month_first = any(b > 12 >= a for _, _, a, b, _ in found)
    out = []
    for start, end, a, b, year in found:
        iso = end - start == 5
        if iso or (day_first and not month_first) or a > 12 >= b:
            day, month = a, b
        elif (month_first and not day_first) or b > 12 >= a:
            day, month = b, a
        else:
            continue  # nothing in the text settles the order
        if not (1 <= month <= 12 and 1 <= day <= 31) or (
            year is not None and not 1900 <= year <= 2099
        ):
            continue
        out.append(
            TimeExpr(
                "absolute",
                start,
                end,
                round(month + (day - 1) / 31.0, 2),
                year,
                value="month",
                bare=year is None,
                day=day,
                header=_heads_entry(words, start, end),
            )
        )
    return out


def _figures(
    words: list[str], figures: list[int] | None = None
) -> list[tuple[int, int, int, int, int | None]]:
    """(start, end, first number, second number, year) of each date in figures;
    a year-first date gives (day, month) in that order.

    ``figures``, when known, are the positions of the tokens that open with a
    figure, in order (the only ones a date can start at)."""
    found: list[tuple[int, int, int, int, int | None]] = []
    for i in range(len(words)) if figures is None else figures:
        w = words[i]
        if not w[:1].isdigit():
            continue
        m = _NUMERIC_DATE.fullmatch(w)
        if m:
            if m.group(4) is None and not (
                m.group(2) == "/"
                and i
                and (
                    words[i - 1] in _NUMERIC_DATE_LEADS
                    or "\n" in words[i - 1]
                    or (words[i - 1] in _IT_IS and words[i - 2 : i - 1] == ["it"])
                )
            ):
                continue  # "12.5", "7/10": no date without a year or a lead
            year = int(m.group(4)) if m.group(4) else None
            if year is not None and year < 100:
                year += 2000
            found.append((i, i + 1, int(m.group(1)), int(m.group(3)), year))
        elif (
            len(w) == 4
            and w.isdigit()
            and words[i + 1 : i + 2] == ["-"]
            and words[i + 3 : i + 4] == ["-"]
            and i + 4 < len(words)
            and words[i + 2].isdigit()
            and words[i + 4].isdigit()
        ):
            # year first: month, then day, whatever the text's order
            found.append((i, i + 5, int(words[i + 4]), int(words[i + 2]), int(w)))
    return found


def _forward(tags, j: int) -> tuple[TimeExpr, int]:
    """ "after a week" is dated from the event before it; "later", "after that" is a step."""
    s, e, rec = tags[j]
    q = _quantity(tags, j + 1) if rec.literal == "after" and j + 1 < len(tags) else None
    if q is not None and tags[j + 1][0] == e:
        return TimeExpr("after_prev", s, tags[q[1] - 1][1], days=q[0]), q[1]
    return TimeExpr("sequence", s, e, value="next"), j + 1


_SPAN_ONLY = frozenset({"on", "in ,", "down the road", "down the line"})
_FEW = frozenset("few couple two three four".split())
_TIMES = frozenset({"time", "times"})
_TIME_OF_DAY_AFTER = frozenset({"in", "every", "and", "too", "for", "next", ",", "."})


def _first_of_a_doing(words: list[str], end: int, single: dict | None = None) -> bool:
    """ "the first few steps", "the first two fingers", "first thing in the
    morning": the start of a walk, a hand's fingers or the day, not the
    story's first step ("the first few weeks", "the first thing was" are).

    >>> _first_of_a_doing("the first few steps".split(), 2)
    True
    >>> _first_of_a_doing("the first few weeks".split(), 2)
    False
    >>> _first_of_a_doing("first thing in the morning".split(), 1)
    True
    """
    single = default_time_table().single if single is None else single
    nxt = words[end : end + 3]
    if not nxt:
        return False
    if nxt[0] == "thing":
        return len(nxt) > 1 and nxt[1] in _TIME_OF_DAY_AFTER
    if nxt[0] not in _FEW:
        return False
    rest = [w for w in nxt[1:] if w != "of"]
    if not rest or rest[0] in _TIMES:
        return False
    unit = single.get(rest[0])
    return unit is None or unit.kind != "unit"  # "the first few weeks" is a period


def _dated(words, tags, j: int) -> tuple[TimeExpr, int] | None:
    s, e, rec = tags[j]
    if rec.kind == "qualifier" and j + 1 < len(tags) and tags[j + 1][2].kind == "unit":
        q = _quantity(tags, j + 1)  # "last week"
        if q and tags[j + 1][0] == e:
            return TimeExpr("ago", s, tags[q[1] - 1][1], days=q[0]), q[1]
    found = _date(words, tags, j)
    # a bare number like 2015 is a year only after a time word ("in 2015")
    if found is not None and (
        found[0].year is None
        or rec.kind != "year"
        or s == 0
        or words[s - 1] in _TIME_PREPS
        # "now it is 2025", "it's 2024 now": the year of writing
        or (s > 1 and words[s - 1] in ("is", "'s") and words[s - 2] == "it")
    ):
        return found
    return None


def _recurrence(tags, j: int) -> tuple[TimeExpr, int] | None:
    """ "two summers ago", "three Christmases back": that occurrence of the season.

    The most recent one is "last summer"; each one more is a year further
    back (:func:`~fasciclf.features._placing.months_before`).
    """
    if j + 2 >= len(tags) or tags[j][2].kind != "number":
        return None
    (_, e, num), (s2, e2, rec), (s3, e3, ago) = tags[j], tags[j + 1], tags[j + 2]
    if (
        rec.kind != "recurrence"
        or s2 != e
        or s3 != e2
        or ago.kind != "after_unit"
        or ago.value != "now"
        or not 1 <= int(num.value) <= 30
    ):
        return None
    expr = TimeExpr(
        "absolute", tags[j][0], e3, float(rec.value), None, -int(num.value), value="season"
    )
    return expr, j + 3


def _relative(words, tags, j: int) -> tuple[TimeExpr | None, int] | None:
    """ "within two weeks", "for the past month", "three months later", "a year ago"."""
    s, e, rec = tags[j]
    if rec.kind == "before_unit":
        if j + 1 >= len(tags) or tags[j + 1][0] > e + 1:
            return None
        q = _quantity(tags, j + 1)
        if q is None:
            return None
        if s and words[s - 1] == "on":
            return None, q[1]  # "on the last day she stood up": an occasion
        kind = "after_prev" if rec.value == "forward" else "ago"
        return TimeExpr(kind, s, tags[q[1] - 1][1], days=q[0]), q[1]
    counted = _recurrence(tags, j)
    if counted is not None:
        return counted
    q = _quantity(tags, j)
    if q is None:
        return None
    nxt = tags[q[1]] if q[1] < len(tags) else None
    if nxt is not None and nxt[2].kind == "after_unit" and nxt[0] == tags[q[1] - 1][1]:
        kind = "after_prev" if nxt[2].value == "forward" else "ago"
        if kind == "ago" and tags[j][2].kind == "unit":
            # "years ago I sprained my ankle": nothing counted, no place on the clock
            return None, q[1] + 1
        return TimeExpr(kind, s, nxt[1], days=q[0]), q[1] + 1
    return None, q[1]  # a stated duration: read by the quantity stage
