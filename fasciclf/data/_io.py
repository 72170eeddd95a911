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
import json
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from fasciclf.data._csv import _csv_rows
from fasciclf.data._rows import InputError, Row, clean_id, parse_alt_labels
from fasciclf.data._table import read_table

__all__ = ["InputError", "Row", "clean_id", "iter_rows", "parse_alt_labels", "read_table"]

ROW_FORMATS = (".txt", ".csv", ".tsv", ".jsonl", ".ndjson", ".json")


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
