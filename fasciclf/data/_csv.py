"""CSV and TSV rows, streamed, with every swallowed or malformed row reported."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import IO, Any

from fasciclf.data._rows import _SURROGATE, InputError, Row, clean_id

# Larger than any text we read (features truncate at 100,000 characters), small
# enough that a runaway quoted field is reported instead of filling memory.
CSV_FIELD_LIMIT = 16 * 1024 * 1024


class _Lines:
    """Physical lines handed to ``csv.reader``, counted and kept per record."""

    def __init__(self, stream: Iterable[str]) -> None:
        self._stream = iter(stream)
        self.count = 0
        self.taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._stream)
        self.count += 1
        self.taken.append(line)
        return line


def _looks_like_row(line: str, n_fields: int, delimiter: str) -> bool:
    # A line inside a quoted field that has no quote of its own and splits into
    # exactly the header's fields is most likely a row the open quote swallowed.
    if n_fields < 2 or '"' in line or not line.strip():
        return False
    return len(line.rstrip("\r\n").split(delimiter)) == n_fields


def _swallowed(lines: _Lines, start: int, n_fields: int, delimiter: str) -> list[int]:
    """Line numbers taken into a quoted field, when any of them looks like a row.

    Then every line after the first is reported (the one closing the quote
    included), so no row disappears into a neighbour without a word.
    """
    inner = lines.taken[1:]
    if not any(_looks_like_row(line, n_fields, delimiter) for line in inner):
        return []
    return [start + 1 + i for i in range(len(inner))]


def _csv_header(reader: Any, path: str, text_col: str | None) -> list[str]:
    try:
        fieldnames = next(reader)
    except (StopIteration, csv.Error):
        fieldnames = None
    if not fieldnames or (text_col is not None and text_col not in fieldnames):
        cols = [clean_id(c) for c in fieldnames] if fieldnames else "(none: empty file)"
        what = text_col if text_col is not None else "header"
        raise InputError(
            f"no {what!r} column in {path}; columns are {cols}. "
            "Use --text-col to name the text column"
        )
    return fieldnames


def _csv_rows(
    f: IO[bytes], delimiter: str, path: str, text_col: str | None, id_col: str
) -> Iterator[Row]:
    # Undecodable bytes become lone surrogates (surrogateescape), which valid
    # UTF-8 never produces: exactly the affected rows are reported, and a
    # genuine U+FFFD in a text is left alone.
    stream = io.TextIOWrapper(f, encoding="utf-8-sig", errors="surrogateescape", newline="")
    lines = _Lines(stream)
    csv.field_size_limit(CSV_FIELD_LIMIT)
    # strict: an unclosed quote or text after a closing quote is an error, not
    # a silently merged row.
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    fieldnames = _csv_header(reader, path, text_col)
    while True:
        lines.taken = []
        start = lines.count + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            unclosed = "unexpected end of data" in str(exc)
            hint = ": an unclosed quote runs to the end of the file" if unclosed else ""
            yield Row(str(start), None, f"malformed CSV row ({exc}){hint}", start)
            yield from _not_read(_swallowed(lines, start, len(fieldnames), delimiter), start)
            continue
        swallowed = _swallowed(lines, start, len(fieldnames), delimiter)
        if swallowed:
            error = (
                f"malformed CSV row (the quote opened on line {start} closes on line "
                f"{swallowed[-1]}, taking in lines that look like rows of their own: "
                f"{', '.join(map(str, swallowed))}; fix the quote)"
            )
            yield Row(str(start), None, error, start)
            yield from _not_read(swallowed, start)
            continue
        yield _csv_row(values, fieldnames, start, text_col, id_col)


def _not_read(line_numbers: list[int], start: int) -> Iterator[Row]:
    for n in line_numbers:
        yield Row(
            str(n), None, f"line {n} not read: it is inside the quote opened on line {start}", n
        )


def _csv_row(
    values: list[str], fieldnames: list[str], start: int, text_col: str | None, id_col: str
) -> Row:
    if not values or not any(v.strip() for v in values):
        return Row(str(start), None, "empty line", start)
    raw = dict(zip(fieldnames, values, strict=False))
    record = {k: clean_id(v) for k, v in raw.items()}
    rid = clean_id(raw.get(id_col) or start)
    if len(values) > len(fieldnames):
        # csv would drop the extra fields: part of a text lost without a word.
        error = (
            f"the row has {len(values)} fields but the header {len(fieldnames)} "
            "(an unquoted delimiter in the text? quote the text)"
        )
        return Row(rid, None, error, start, record)
    checked = [text_col] if text_col is not None else list(raw)
    for col in checked:
        bad = _SURROGATE.search(raw.get(col) or "")
        if bad:
            byte = ord(bad.group()) - 0xDC00
            error = f"{col!r} is not valid UTF-8 (byte 0x{byte:02x} at character {bad.start()})"
            return Row(rid, None, error, start, record)
    if text_col is None:
        return Row(rid, None, None, start, record)
    text = raw.get(text_col)
    if text is None:
        error = f"missing {text_col!r} value (the row has {len(values)} fields)"
        return Row(rid, None, error, start, record)
    if not text.strip():
        return Row(rid, None, f"empty {text_col!r}", start, record)
    return Row(rid, text, None, start, record)
