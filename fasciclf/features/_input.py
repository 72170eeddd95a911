"""The caller's text as the pipeline reads it, and the way back to its offsets.

Text arrives from web forms, phones and e-mail with characters that mean to a
reader what plainer ones mean, but that spaCy keeps as tokens of their own, so
that no phrase matches across them ("for\\xa0three\\xa0months" is four tokens
with two no-break spaces). :func:`read_as` rewrites them:

- no-break, thin and other Unicode spaces and tabs are spaces, and Unicode
  line and paragraph separators are line breaks;
- emoji and pictographs are spaces ("it's March 😟." ends its sentence as
  "it's March." does), and so are Markdown's emphasis and bullet marks
  ("my **left** hand is _weak_", as forum posts write);
- HTML character references (``&#39;``, ``&amp;``, ``&nbsp;``) are their
  characters (a scraped form: "can&#39;t" is "can't");
- a run of spaces between two words is one space;
- a lone surrogate (from a bad decode) is U+FFFD.

Every offset fasciclf returns still indexes the caller's text, and evidence
strings are the caller's characters (``text[start:end]``, lone surrogates
included): :func:`to_caller` maps them back. The
scan is one pass of linear-time regular expressions.
"""

from __future__ import annotations

import dataclasses
import html
import re

from fasciclf.features._types import SymptomFeatures

# One character each: replaced in place, so offsets need no map.
_AS_SPACE = re.compile(
    r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"  # spaces and tabs
    r"\u200d\ufe0f\u2600-\u27bf\U0001f000-\U0001faff"  # emoji, their joiner and selector
    r"*_]"  # Markdown emphasis and bullets: "my **left** hand", "* numb toes"
)
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Line and paragraph separators, vertical tab, form feed, next line: line breaks
_AS_LINE_BREAK = re.compile(r"[\v\f\x85\u2028\u2029]")


def _ascii_members(pattern: re.Pattern[str]) -> tuple[str, ...]:
    return tuple(c for c in map(chr, range(128)) if pattern.fullmatch(c))


# In ASCII text (most texts) a class above can match only its ASCII members
# ("\t", "*", "_" and "\v", "\f"; no surrogate is ASCII), which ``in`` finds
# faster than the class is scanned for.
_AS_SPACE_ASCII = _ascii_members(_AS_SPACE)
_AS_LINE_BREAK_ASCII = _ascii_members(_AS_LINE_BREAK)


def _has(
    text: str, pattern: re.Pattern[str], ascii_members: tuple[str, ...], is_ascii: bool
) -> bool:
    if is_ascii:
        return any(c in text for c in ascii_members)
    return pattern.search(text) is not None


# Several characters read as one: these need the offset map.
_SHRINK = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|amp|quot|apos|lt|gt|nbsp);"
    r"|(?<=\S) {2,}(?=\S)"
)


def read_as(text: str) -> tuple[str, list[int] | None]:
    """The text the pipeline reads, and where each of its characters came from.

    Returns ``(read, origin)``: ``origin[i]`` is the index in ``text`` of
    ``read[i]`` and ``origin[len(read)] == len(text)``; ``origin`` is
    ``None`` when ``read`` has the length of ``text`` (offsets are the same).

    >>> read_as("for\\xa0three months")
    ('for three months', None)
    >>> read, origin = read_as("I can&#39;t  grip")
    >>> read, origin[5], origin[6], origin[-1]
    ("I can't grip", 5, 10, 17)
    """
    # ASCII text stays ASCII: only spaces and line breaks are put in
    is_ascii = text.isascii()
    if not is_ascii and _LONE_SURROGATE.search(text):
        text = _LONE_SURROGATE.sub("\ufffd", text)
    if _has(text, _AS_SPACE, _AS_SPACE_ASCII, is_ascii):
        text = _AS_SPACE.sub(" ", text)
    if _has(text, _AS_LINE_BREAK, _AS_LINE_BREAK_ASCII, is_ascii):
        text = _AS_LINE_BREAK.sub("\n", text)
    if "&" not in text and "  " not in text:
        return text, None
    pieces: list[str] = []
    origin: list[int] = []
    done = 0
    for m in _SHRINK.finditer(text):
        pieces.append(text[done : m.start()])
        origin.extend(range(done, m.start()))
        got = " " if m.group()[0] == " " else html.unescape(m.group())
        got = _AS_SPACE.sub(" ", _LONE_SURROGATE.sub("\ufffd", got))
        pieces.append(got)
        origin.extend([m.start()] * len(got))
        done = m.end()
    if not done:
        return text, None
    pieces.append(text[done:])
    origin.extend(range(done, len(text) + 1))
    return "".join(pieces), origin


def to_caller(
    features: SymptomFeatures, original: str, origin: list[int] | None, truncated: bool
) -> SymptomFeatures:
    """``features`` read from :func:`read_as` text, with the caller's text,
    offsets and evidence strings.

    >>> from fasciclf.features import extract
    >>> f = extract("No weakness &amp; my calf twitches")
    >>> [(x.text, x.start) for x in f.findings]
    [('weakness', 3), ('twitches', 26)]
    """
    if features.text is original and not truncated:
        return features
    if origin is None and features.text == original[: len(features.text)]:
        return dataclasses.replace(features, text=original, truncated=truncated)

    def back(start: int, end: int) -> tuple[str, int, int]:
        if origin is not None:
            start, end = origin[start], origin[end]
        return original[start:end], start, end

    findings = []
    for f in features.findings:
        text, start, end = back(f.start, f.end)
        findings.append(dataclasses.replace(f, text=text, start=start, end=end))
    timeline = tuple(
        e if e.evidence is None else dataclasses.replace(e, evidence=back(*e.evidence[1:]))
        for e in features.timeline
    )
    return dataclasses.replace(
        features,
        text=original,
        truncated=truncated,
        findings=tuple(findings),
        timeline=timeline,
    )
