"""Choosing among overlapping matches (anything with ``start`` and ``end``)."""

from __future__ import annotations

from operator import attrgetter
from typing import Any, TypeVar

M = TypeVar("M", bound=Any)


def drop_nested(matches: list[M]) -> list[M]:
    """Drop matches strictly inside a longer one; identical spans all stay.

    Sweep in (start, -end) order: a match is nested when an earlier match
    with a different span already reaches at least as far.

    >>> from collections import namedtuple
    >>> S = namedtuple("S", "start end")
    >>> drop_nested([S(0, 2), S(1, 2), S(0, 2), S(3, 4)])
    [S(start=0, end=2), S(start=0, end=2), S(start=3, end=4)]
    """
    order = sorted(matches, key=lambda m: (m.start, -m.end))
    keep: list[M] = []
    reach = -1  # furthest end among earlier matches with another span
    group_span: tuple[int, int] | None = None
    group_reach = -1
    for m in order:
        span = (m.start, m.end)
        if span != group_span:
            reach = max(reach, group_reach)
            group_span, group_reach = span, m.end
        if reach < m.end:
            keep.append(m)
    return sorted(keep, key=lambda m: (m.start, m.end))


def filter_longest(matches: list[M]) -> list[M]:
    """Greedy longest-first non-overlapping selection (like ``spacy.util.filter_spans``).

    >>> from collections import namedtuple
    >>> S = namedtuple("S", "start end")
    >>> filter_longest([S(0, 1), S(0, 2), S(1, 3)])
    [S(start=0, end=2)]
    """
    if len(matches) < 2:
        return list(matches)
    by_start = sorted(matches, key=_start)
    pairs = zip(by_start, by_start[1:], strict=False)
    if all(a.start < b.start and a.end <= b.start for a, b in pairs):
        # Most lists have no overlap: each match is chosen, and with distinct
        # starts the order by start is the one the selection ends with.
        return by_start
    chosen: list[M] = []
    taken = bytearray(max(m.end for m in matches))  # 1 = token already chosen
    for m in sorted(matches, key=lambda m: (-(m.end - m.start), m.start)):
        if taken.find(1, m.start, m.end) != -1:
            continue
        chosen.append(m)
        taken[m.start : m.end] = b"\x01" * (m.end - m.start)
    chosen.sort(key=_start)
    return chosen


_start = attrgetter("start")
