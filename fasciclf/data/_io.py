"""The one input reader: rows of txt, CSV, TSV and JSON Lines files, streamed.

:func:`iter_rows` is used by the command line (``extract``, ``predict``,
``evaluate``, ``train``) and, through :func:`read_table`, by data loading.
It reads one row at a time (flat memory on any file size, stdin included)
and turns every problem with a row into a per-row error, so one bad row
never loses the others. Only a file that cannot be read at all raises
:class:`InputError`.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

from fasciclf.data._schema import LabeledDataError

ROW_FORMATS = (".txt", ".csv", ".tsv", ".jsonl", ".ndjson", ".json")
TABLE_FORMATS = (".csv", ".tsv", ".jsonl", ".json")
# Larger than any text we read (features truncate at 100,000 characters), small
# enough that a runaway quoted field is reported instead of filling memory.
CSV_FIELD_LIMIT = 16 * 1024 * 1024
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


# ---------------------------------------------------------------------- opening


def _check_path(path: str, formats: tuple[str, ...]) -> str:
    p = Path(path)
    suffix = p.suffix.lower()
    try:
        mode = os.stat(p).st_mode
    except FileNotFoundError:
        raise InputError(f"input file not found: {path}") from None
    except PermissionError:
        raise InputError(f"permission denied: cannot read {path}") from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{path} is a directory, not a file: give a file inside it")
    if stat.S_ISFIFO(mode):
        raise InputError(
            f"{path} is a named pipe (FIFO), not a regular file; to stream rows, "
            "pipe them to --input - instead"
        )
    if not stat.S_ISREG(mode):
        raise InputError(f"{path} is not a regular file (a device or socket)")
    if suffix not in formats:
        raise InputError(
            f"unsupported input format {suffix or '(none)'!r} for {path}; "
            f"expected {', '.join(formats)}"
        )
    return suffix


def _open(path: str) -> IO[bytes]:
    try:
        return open(path, "rb")  # noqa: SIM115 - closed by the generator that reads it
    except PermissionError:
        raise InputError(f"permission denied: cannot read {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None


def iter_rows(
    path: str | os.PathLike[str],
    *,
    text_col: str | None = "text",
    id_col: str = "id",
    stdin: IO[bytes] | None = None,
) -> Iterator[Row]:
    r"""Stream the rows of an input file, each with its text or its error.

    ``.txt`` (one text per line), ``.csv``, ``.tsv`` and ``.jsonl``; ``-``
    reads text lines from stdin. Rows are read one at a time. A row that
    cannot be used (bad UTF-8, bad JSON, a JSON number or nesting Python
    refuses, malformed CSV, empty line, missing, null, non-string or empty
    text) comes back with ``error`` set and the other rows are unaffected.
    A CSV quote left open swallows no row silently: each line read into the
    quoted field that looks like a row of its own is reported by number.

    Parameters
    ----------
    path : str or path-like
        The file, or ``"-"`` for stdin.
    text_col : str or None, default "text"
        Column (CSV) or key (JSONL) holding the text. ``None`` reads records
        without checking a text (as :func:`read_table` does).
    id_col : str, default "id"
        Column or key used as the row id when present.
    stdin : binary file, optional
        What ``"-"`` reads (default ``sys.stdin.buffer``).

    Yields
    ------
    Row

    Raises
    ------
    InputError
        For a missing file, a directory, a FIFO, permission denied, an
        unknown format or no ``text_col`` (CSV header, or any JSON object:
        raised after the rows were yielded).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "in.jsonl"
    >>> _ = f.write_bytes(b'{"id": "a", "text": "calf twitch"}\n\nnot json\n'
    ...                   b'{"text": null}\n{"text": "numb feet"}\n')
    >>> for row in iter_rows(f):
    ...     print(row.id, row.text, row.error)
    a calf twitch None
    2 None empty line
    3 None invalid JSON (Expecting value)
    4 None 'text' is null
    5 numb feet None
    """
    path = os.fspath(path)
    if path == "-":
        source = stdin if stdin is not None else sys.stdin.buffer
        yield from _line_rows(source, ".txt", path, text_col, id_col)
        return
    suffix = _check_path(path, ROW_FORMATS)
    with _open(path) as f:
        if suffix in (".csv", ".tsv"):
            yield from _csv_rows(f, "\t" if suffix == ".tsv" else ",", path, text_col, id_col)
        elif suffix == ".json":
            yield from _json_rows(f, path, text_col, id_col)
        else:
            yield from _line_rows(f, suffix, path, text_col, id_col)


# -------------------------------------------------------------- txt and JSONL


def _text_error(obj: dict[str, Any], text_col: str) -> str | None:
    if text_col not in obj:
        return f"missing {text_col!r} key"
    text = obj[text_col]
    if text is None:
        return f"{text_col!r} is null"
    if not isinstance(text, str):
        return f"{text_col!r} must be a string, got {type(text).__name__}"
    if not text.strip():
        return f"empty {text_col!r}"
    return None


def _parse_json_line(line: str) -> tuple[Any, str | None]:
    try:
        return json.loads(line), None
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON ({exc.msg})"
    except ValueError as exc:  # e.g. an integer over Python's 4,300-digit limit
        return None, f"invalid JSON ({str(exc).split(';')[0]})"
    except RecursionError:
        return None, "invalid JSON (nested too deeply)"


def _line_rows(
    f: IO[bytes], suffix: str, path: str, text_col: str | None, id_col: str
) -> Iterator[Row]:
    has_key, keys_seen, n_objects = False, [], 0
    for n, raw in enumerate(f, start=1):
        if n == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[3:]  # a byte-order mark (Windows editors) is not part of row 1
        try:
            line = raw.decode("utf-8").rstrip("\n").rstrip("\r")
        except UnicodeDecodeError as exc:
            yield Row(str(n), None, f"not valid UTF-8 ({exc.reason} at byte {exc.start})", n)
            continue
        if not line.strip():
            yield Row(str(n), None, "empty line", n)
            continue
        if suffix == ".txt":
            yield Row(str(n), line, None, n, {"text": line})
            continue
        obj, error = _parse_json_line(line)
        if error is None and not isinstance(obj, dict):
            error = f"expected a JSON object, got {type(obj).__name__}"
        if error is not None:
            yield Row(str(n), None, error, n)
            continue
        n_objects += 1
        if not keys_seen:
            keys_seen = [clean_id(k) for k in obj]
        has_key = has_key or (text_col is not None and text_col in obj)
        yield _object_row(obj, n, text_col, id_col)
    if text_col is not None and n_objects and not has_key:
        # Not a few bad rows: the wrong key for the whole file (a usage error).
        raise InputError(
            f"no {text_col!r} key in any JSON object of {path}; the first has keys "
            f"{keys_seen}. Use --text-col to name the text key"
        )


def _object_row(obj: dict[str, Any], n: int, text_col: str | None, id_col: str) -> Row:
    rid = clean_id(obj[id_col]) if obj.get(id_col) is not None else str(n)
    error = None if text_col is None else _text_error(obj, text_col)
    text = None if text_col is None or error else obj[text_col]
    return Row(rid, text, error, n, obj)


def _json_rows(f: IO[bytes], path: str, text_col: str | None, id_col: str) -> Iterator[Row]:
    # A JSON array cannot be streamed with the standard library: it is read
    # whole, then checked object by object (row number = position, from 1).
    try:
        data = json.loads(f.read().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not valid UTF-8 (byte {exc.start})") from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{path} is not valid JSON: {str(exc)[:200]}") from None
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a JSON list of objects, found {type(data).__name__}")
    for n, obj in enumerate(data, start=1):
        if not isinstance(obj, dict):
            yield Row(str(n), None, f"expected a JSON object, got {type(obj).__name__}", n)
        else:
            yield _object_row(obj, n, text_col, id_col)


# -------------------------------------------------------------------------- CSV


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


# ------------------------------------------------------------------ DataFrames


def read_table(path: str | os.PathLike[str], *, text_col: str = "text") -> Any:
    """Read a labeled table from ``.csv``, ``.tsv``, ``.jsonl`` or ``.json``.

    A thin wrapper over :func:`iter_rows` for code that wants a DataFrame.
    Files must be UTF-8 (a byte-order mark is tolerated). CSV and TSV cells
    are read as strings, never guessed as numbers or ``NaN``: an empty text
    stays ``""`` so that :func:`validate` can report it, and empty cells in
    other columns become ``None``. An ``alt_labels`` column written as text
    is parsed by :func:`parse_alt_labels`. ``.json`` must hold a list of
    objects; ``.jsonl`` one object per line (blank lines are skipped).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    LabeledDataError
        For an unknown extension or a row that cannot be parsed (the message
        names the line and the problem).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "mine.csv").write_text("text,label\\nmy calf twitches,benign\\n",
    ...                                   encoding="utf-8")
    >>> read_table(tmp / "mine.csv")
                   text   label
    0  my calf twitches  benign
    >>> _ = (tmp / "bad.jsonl").write_text('{"text": "a"}\\n{"text": \\n', encoding="utf-8")
    >>> try:
    ...     read_table(tmp / "bad.jsonl")
    ... except LabeledDataError as err:
    ...     print(str(err).split("bad.jsonl ")[1])
    line 2: invalid JSON (Expecting value)
    """
    import pandas as pd

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_FORMATS:
        raise LabeledDataError(
            f"cannot read {path}: unknown extension {path.suffix or '(none)'!r}; "
            f"expected one of {', '.join(TABLE_FORMATS)}"
        )
    if not path.exists():
        raise FileNotFoundError(f"no such labeled file: {path}")
    try:
        records = _row_records(path)
    except InputError as exc:
        raise LabeledDataError(str(exc)) from None
    if not records:
        raise LabeledDataError(f"{path} holds no records")
    frame = pd.DataFrame(records)
    if suffix in (".csv", ".tsv"):
        _tidy_delimited(frame, text_col)
    return _tidy(frame)


def _row_records(path: Path) -> list[dict[str, Any]]:
    records, problems = [], []
    for row in iter_rows(path, text_col=None):
        if row.error == "empty line":
            continue
        if row.error is not None:
            problems.append(f"line {row.line}: {row.error}")
        else:
            records.append(row.record)
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise LabeledDataError(f"{path} {'; '.join(problems[:5])}{more}")
    return records


def _tidy_delimited(frame: Any, text_col: str) -> None:
    for col in frame.columns:
        if col != text_col:
            frame[col] = _object_column(frame[col], lambda v: None if v == "" else v)
    if "alt_labels" in frame.columns:
        frame["alt_labels"] = _object_column(frame["alt_labels"], _alt_cell)
    if "gold" in frame.columns:
        frame["gold"] = _object_column(frame["gold"], _gold_cell)


def _alt_cell(value: Any) -> Any:
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and text.startswith("["):
        try:
            json.loads(text)
        except (ValueError, RecursionError):
            return value  # left as text: validate() reports it
    return parse_alt_labels(value)


def _gold_cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        return value  # left as text: validate() reports it


def _object_column(values: Any, func: Any) -> Any:
    import pandas as pd

    # Built element by element: Series.map on pandas' string dtype would turn
    # the None we return back into NaN.
    return pd.Series([func(v) for v in values], index=values.index, dtype=object, name=values.name)


def _tidy(frame: Any) -> Any:
    import pandas as pd

    # Keys missing from some JSON records come back as NaN; None reads better,
    # keeps "not annotated" distinct from a float and serialises as null.
    for col in frame.columns:
        if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col].dtype):
            frame[col] = _object_column(frame[col], lambda v: None if _is_nan(v) else v)
    return frame


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and value != value
