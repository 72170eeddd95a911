"""``read_table``: a labeled file as a DataFrame, on top of the one reader."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fasciclf.data._rows import InputError, parse_alt_labels
from fasciclf.data._schema import LabeledDataError

TABLE_FORMATS = (".csv", ".tsv", ".jsonl", ".json")


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
    from fasciclf.data._io import iter_rows  # _io re-exports read_table: import here

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
