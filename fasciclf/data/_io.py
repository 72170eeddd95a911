"""Reading labeled tables from CSV, TSV, JSON Lines and JSON files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from fasciclf.data._schema import LabeledDataError

_EXTENSIONS = (".csv", ".tsv", ".jsonl", ".json")


def read_table(path: str | os.PathLike[str], *, text_col: str = "text") -> pd.DataFrame:
    """Read a labeled table from ``.csv``, ``.tsv``, ``.jsonl`` or ``.json``.

    Files must be UTF-8 (a byte-order mark is tolerated). CSV and TSV cells
    are read as strings, never guessed as numbers or ``NaN``: an empty text
    stays ``""`` so that :func:`validate` can report it, and empty cells in
    other columns become ``None``. An ``alt_labels`` column written as text
    (``'["a", "b"]'``, ``"a|b"`` or ``"a;b"``) is parsed into lists.
    ``.json`` must hold a list of objects; ``.jsonl`` one object per line
    (blank lines are skipped).

    Parameters
    ----------
    path : str or path-like
        The file to read.
    text_col : str, default "text"
        Name of the text column, kept as string even when a cell is empty.

    Returns
    -------
    pandas.DataFrame
        One row per record, columns in file order.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    LabeledDataError
        For an unknown extension, a file that is not UTF-8, or an invalid
        JSON line (the message names the line number).

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
    line 2 is not valid JSON: Expecting value (column 10)
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _EXTENSIONS:
        raise LabeledDataError(
            f"cannot read {path}: unknown extension {path.suffix or '(none)'!r}; "
            f"expected one of {', '.join(_EXTENSIONS)}"
        )
    if not path.is_file():
        raise FileNotFoundError(f"no such labeled file: {path}")
    raw = path.read_bytes()
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LabeledDataError(
            f"{path} is not valid UTF-8 (byte {exc.start}: {raw[exc.start:exc.start + 4]!r}); "
            "re-save the file with UTF-8 encoding"
        ) from None
    if suffix in (".csv", ".tsv"):
        frame = _read_delimited(content, path, sep="," if suffix == ".csv" else "\t",
                                text_col=text_col)
    elif suffix == ".jsonl":
        frame = pd.DataFrame(_read_jsonl(content, path))
    else:
        frame = pd.DataFrame(_read_json(content, path))
    return _tidy(frame)


def _read_delimited(content: str, path: Path, *, sep: str, text_col: str) -> pd.DataFrame:
    import io

    try:
        frame = pd.read_csv(io.StringIO(content), sep=sep, dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        raise LabeledDataError(f"cannot parse {path}: {exc}") from None
    except pd.errors.EmptyDataError:
        raise LabeledDataError(f"{path} is empty: expected a header row") from None
    for col in frame.columns:
        if col != text_col:
            frame[col] = _object_column(frame[col], lambda v: None if v == "" else v)
    if "alt_labels" in frame.columns:
        frame["alt_labels"] = _object_column(frame["alt_labels"], _parse_alt_labels)
    if "gold" in frame.columns:
        frame["gold"] = _object_column(
            frame["gold"], lambda v: json.loads(v) if isinstance(v, str) else v
        )
    return frame


def _parse_alt_labels(value: Any) -> Any:
    if value is None:
        return []
    if not isinstance(value, str):
        return value
    value = value.strip()
    if value.startswith("["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value  # left as text: validate() reports it
    for sep in ("|", ";", ","):
        if sep in value:
            return [v.strip() for v in value.split(sep) if v.strip()]
    return [value] if value else []


def _read_jsonl(content: str, path: Path) -> list[dict[str, Any]]:
    records = []
    for lineno, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LabeledDataError(
                f"{path} line {lineno} is not valid JSON: {exc.msg} (column {exc.colno})"
            ) from None
        if not isinstance(record, dict):
            raise LabeledDataError(
                f"{path} line {lineno}: expected a JSON object, found {type(record).__name__}"
            )
        records.append(record)
    if not records:
        raise LabeledDataError(f"{path} holds no records")
    return records


def _read_json(content: str, path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise LabeledDataError(
            f"{path} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise LabeledDataError(
            f"{path}: expected a JSON list of objects, found {type(data).__name__}"
            + (" with non-object items" if isinstance(data, list) else "")
        )
    if not data:
        raise LabeledDataError(f"{path} holds no records")
    return data


def _object_column(values: pd.Series, func: Any) -> pd.Series:
    # Built element by element: Series.map on pandas' string dtype would turn
    # the None we return back into NaN.
    return pd.Series([func(v) for v in values], index=values.index, dtype=object,
                     name=values.name)


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    # Keys missing from some JSON records come back as NaN; None reads better,
    # keeps "not annotated" distinct from a float and serialises as null.
    for col in frame.columns:
        if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col].dtype):
            frame[col] = _object_column(frame[col], lambda v: None if _is_nan(v) else v)
    return frame


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and value != value
