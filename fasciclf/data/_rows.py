"""One input row, its error type and the small helpers every reader shares."""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

_SURROGATE = re.compile("[\ud800-\udfff]")


class InputError(ValueError):
    """A file that cannot be read at all: missing, not a regular file, unknown format,
    unreadable, or without the text column."""


class Row(NamedTuple):
    """One input row: its id, its text or the reason it has none.

    ``line`` is the line number where the row starts (the header is line 1 of
    a CSV); ``id`` is the ``id_col`` value when present, else that line
    number; ``record`` holds every field of a parsed row.
    """

    id: str
    text: str | None
    error: str | None
    line: int
    record: dict[str, Any] | None = None


def clean_id(value: object) -> str:
    """Text safe to print: lone surrogates (undecodable bytes) become U+FFFD.

    >>> clean_id("a\\udce9"), clean_id(7)
    ('a\ufffd', '7')
    """
    return _SURROGATE.sub("\ufffd", str(value))


def parse_alt_labels(value: Any) -> list[str]:
    """Alternative labels from a list, a JSON list, or text split on ``|``, ``;`` or ``,``.

    The one parser for alternative labels (CSV cells, JSON values, CLI data).
    Missing values give ``[]``.

    >>> parse_alt_labels('["a", "b"]'), parse_alt_labels("a|b"), parse_alt_labels("a; b")
    (['a', 'b'], ['a', 'b'], ['a', 'b'])
    >>> parse_alt_labels(None), parse_alt_labels(float("nan")), parse_alt_labels(("x",))
    ([], [], ['x'])
    """
    if value is None or (isinstance(value, float) and value != value):
        return []
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    text = str(value).strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):
            parsed = None
        if isinstance(parsed, list):
            return [str(v) for v in parsed]
    for sep in ("|", ";", ","):
        if sep in text:
            return [v.strip() for v in text.split(sep) if v.strip()]
    return [text] if text else []
