"""Batch prediction over partitioned data: Dask ``map_partitions`` and a per-process model cache.

The unit of work is :func:`predict_partition`, pandas in and pandas out,
with the model taken from :func:`cached_model` (loaded at most once per
process and file). :func:`predict_dataframe` maps it over a
``dask.dataframe``; the same function serves Spark's ``mapInPandas`` and
Ray's ``map_batches`` (see the README, "Scale-out and reliability").
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

PREDICTION_COLUMNS: tuple[str, ...] = (
    "label",
    "probability",
    "red_flags",
    "abstained",
    "abstain_reason",
)
"""Columns of :func:`predict_partition` and :func:`predict_dataframe`, in order.

``label`` (string; missing only for non-string input), ``probability``
(float, of the top label; NaN when there is no label), ``red_flags``
(string: the red-flag codes joined by ``","``, empty when none),
``abstained`` (bool) and ``abstain_reason`` (string or missing).
"""

RED_FLAG_SEPARATOR = ","

_lock = threading.Lock()
_models: dict[tuple[Any, ...], Any] = {}
_loads: dict[str, int] = {}


def _trust_key(trusted: bool | Iterable[str]) -> Any:
    if trusted is True or trusted is False or trusted is None:
        return bool(trusted)
    if isinstance(trusted, str):
        trusted = [trusted]
    return tuple(sorted(str(t).strip().lower() for t in trusted))


def cached_model(
    model_path: str | os.PathLike[str] | None = None,
    *,
    trusted: bool | Iterable[str] = False,
) -> Any:
    """The model for ``model_path``, loaded at most once per process (thread-safe).

    Workers of a cluster call this for every partition; only the first
    call in each worker process reads the file. A file that is replaced
    (new size or modification time) is loaded again.

    Parameters
    ----------
    model_path : path-like, optional
        A file written by :func:`fasciclf.models.save_model`, readable
        on every worker. ``None`` is the packaged default model
        (:func:`fasciclf.models.default_model`, itself cached per process).
    trusted : bool or iterable of str, default=False
        Passed to :func:`fasciclf.models.load_model`: joblib files need
        ``True`` or their SHA-256; skops files load without it.

    Returns
    -------
    fitted classifier

    Raises
    ------
    fasciclf.models.ModelIntegrityError
        If the file is refused (see :func:`fasciclf.models.load_model`).
    FileNotFoundError

    Examples
    --------
    >>> from fasciclf.models import default_model
    >>> cached_model() is default_model()
    True
    """
    if model_path is None:
        from fasciclf.models import default_model

        return default_model()
    path = Path(model_path).resolve()
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns, _trust_key(trusted))
    model = _models.get(key)
    if model is not None:
        return model
    with _lock:
        model = _models.get(key)
        if model is None:
            from fasciclf.models import load_model

            model = load_model(path, trusted=trusted)
            # Keep one model per file: a replaced file evicts its old version.
            for old in [k for k in _models if k[0] == key[0]]:
                del _models[old]
            _models[key] = model
            _loads[str(path)] = _loads.get(str(path), 0) + 1
        return model


def _cache_stats() -> dict[str, Any]:
    """Loads per file in this process, and the pid (for tests and benchmarks)."""
    with _lock:
        return {"pid": os.getpid(), "loads": dict(_loads)}


def _empty_frame(index: Any = None) -> Any:
    import pandas as pd

    return pd.DataFrame(
        {
            "label": pd.Series([], dtype="string"),
            "probability": pd.Series([], dtype="float64"),
            "red_flags": pd.Series([], dtype="string"),
            "abstained": pd.Series([], dtype="bool"),
            "abstain_reason": pd.Series([], dtype="string"),
        },
        index=index,
    )


def predictions_to_frame(predictions: Sequence[Any], index: Any = None) -> Any:
    """A :class:`pandas.DataFrame` of :data:`PREDICTION_COLUMNS` from Predictions.

    Examples
    --------
    >>> from fasciclf.models import predict_many
    >>> texts = ["My hand is getting weaker and the muscle is wasting.", None]
    >>> frame = predictions_to_frame(predict_many(texts))
    >>> frame.loc[1, "abstain_reason"], frame.loc[1, "label"], frame.loc[1, "red_flags"]
    ('invalid_input', <NA>, '')
    >>> frame["red_flags"].iloc[0]
    'progressive_weakness,wasting'
    """
    import numpy as np
    import pandas as pd

    if index is None:
        index = pd.RangeIndex(len(predictions))
    if len(predictions) == 0:
        return _empty_frame(index)
    top = [p.top_k[0][1] if p.top_k else np.nan for p in predictions]
    return pd.DataFrame(
        {
            "label": pd.array([p.label for p in predictions], dtype="string"),
            "probability": np.asarray(top, dtype="float64"),
            "red_flags": pd.array(
                [RED_FLAG_SEPARATOR.join(r.code for r in p.red_flags) for p in predictions],
                dtype="string",
            ),
            "abstained": np.asarray([bool(p.abstained) for p in predictions], dtype=bool),
            "abstain_reason": pd.array([p.abstain_reason for p in predictions], dtype="string"),
        },
        index=index,
    )


def predict_partition(
    frame: Any,
    *,
    text_col: str = "text",
    model_path: str | os.PathLike[str] | None = None,
    trusted: bool | Iterable[str] = False,
    batch_size: int = 1024,
    prefix: str = "",
) -> Any:
    """Predict one pandas partition: the worker side of :func:`predict_dataframe`.

    Also the body of a Spark ``mapInPandas`` function or a Ray
    ``map_batches`` callable. Rows whose text is not a string (missing
    values included) give ``abstain_reason="invalid_input"`` and no label;
    the other rows are unaffected.

    Parameters
    ----------
    frame : pandas.DataFrame or pandas.Series
        A frame with ``text_col``, or a Series of texts.
    text_col : str, default="text"
    model_path : path-like, optional
        See :func:`cached_model`; ``None`` is the packaged default model.
    trusted : bool or iterable of str, default=False
        See :func:`cached_model`.
    batch_size : int, default=1024
        Passed to :func:`fasciclf.models.predict_many`.
    prefix : str, default=""
        Put in front of every output column name (see :func:`predict_dataframe`).

    Returns
    -------
    pandas.DataFrame
        :data:`PREDICTION_COLUMNS` (each with ``prefix``), with the index of ``frame``.

    Examples
    --------
    >>> import pandas as pd
    >>> part = pd.DataFrame({"text": ["calf twitching for weeks, strength normal", ""]},
    ...                     index=[10, 11])
    >>> out = predict_partition(part)
    >>> list(out.columns) == list(PREDICTION_COLUMNS), out.index.tolist()
    (True, [10, 11])
    >>> out.loc[10, "label"], bool(out.loc[11, "abstained"]), out.loc[11, "abstain_reason"]
    ('benign_fasciculation', True, 'empty_text')
    """
    import pandas as pd

    if isinstance(frame, pd.Series):
        texts = frame
    else:
        if text_col not in frame.columns:
            raise KeyError(f"no {text_col!r} column; columns are {list(map(str, frame.columns))}")
        texts = frame[text_col]
    model = cached_model(model_path, trusted=trusted)
    from fasciclf.models import predict_many

    # Missing values (None, NaN, pd.NA) reach predict_many as they are and
    # become "invalid_input" rows naming their type.
    values = texts.astype(object).tolist()
    preds = predict_many(values, model=model, batch_size=batch_size)
    return _prefixed(predictions_to_frame(preds, index=frame.index), prefix)


def _prefixed(frame: Any, prefix: str) -> Any:
    if not isinstance(prefix, str):
        raise TypeError(f"prefix must be a str, got {type(prefix).__name__}")
    return frame.add_prefix(prefix) if prefix else frame


def predict_dataframe(
    ddf: Any,
    *,
    text_col: str = "text",
    model_path: str | os.PathLike[str] | None = None,
    trusted: bool | Iterable[str] = False,
    batch_size: int = 1024,
    prefix: str = "",
) -> Any:
    """Predict every row of a ``dask.dataframe`` with ``map_partitions``.

    Lazy: nothing runs until ``.compute()``, ``.to_parquet()`` and the
    like. Each worker process loads the model once (:func:`cached_model`)
    and predicts its partitions with :func:`fasciclf.models.predict_many`;
    the client only ships the path. Results equal ``predict_many`` over the
    same texts in one process.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame or dask.dataframe.Series
    text_col : str, default="text"
        Column holding the texts (ignored for a Series).
    model_path : path-like, optional
        A model file readable by every worker at this path (shared or
        copied storage). ``None`` is the packaged default model. The
        header is verified here first, so a damaged file fails before
        any task runs.
    trusted : bool or iterable of str, default=False
        For joblib files: ``True`` or their SHA-256 (see
        :func:`fasciclf.models.load_model`). Skops files need nothing.
    batch_size : int, default=1024
    prefix : str, default=""
        Put in front of every output column name, so the result joins onto
        a frame that already has a ``label`` (or ``probability``...) column:
        ``ddf.join(predict_dataframe(ddf, prefix="pred_"))`` adds
        ``pred_label``, ``pred_probability`` and so on.

    Returns
    -------
    dask.dataframe.DataFrame
        :data:`PREDICTION_COLUMNS` (each with ``prefix``), same partitions
        and index as ``ddf`` (join it back with ``ddf.join(result)``).

    Notes
    -----
    Dask's default ``dataframe.convert-string`` turns an object column into
    strings when the frame is made (``dd.from_pandas``), before this
    function sees it: a number such as 5 arrives as ``"5"`` and is
    predicted rather than refused as ``invalid_input`` (missing values stay
    missing and are refused). Build the frame under
    ``dask.config.set({"dataframe.convert-string": False})`` to keep
    non-strings apart; ``test_distributed.py`` checks both.

    Raises
    ------
    KeyError
        If ``text_col`` is not a column.
    fasciclf.models.ModelIntegrityError
        If the model file's header or digests do not check out.

    Examples
    --------
    Runs on any Dask scheduler; here the synchronous one, no cluster:

    >>> import dask.dataframe as dd, pandas as pd
    >>> texts = ["Calf twitching for weeks, strength normal.",
    ...          "My hand is getting weaker and the muscle is wasting.", None]
    >>> ddf = dd.from_pandas(pd.DataFrame({"text": texts}), npartitions=2)
    >>> out = predict_dataframe(ddf).compute(scheduler="sync")
    >>> out["red_flags"].tolist()
    ['', 'progressive_weakness,wasting', '']
    >>> out["abstain_reason"].tolist()
    [<NA>, <NA>, 'invalid_input']
    """
    import dask.dataframe as dd

    if isinstance(ddf, dd.Series):
        source = ddf
    else:
        if text_col not in ddf.columns:
            raise KeyError(f"no {text_col!r} column; columns are {list(map(str, ddf.columns))}")
        source = ddf[[text_col]]
    if model_path is not None:
        from fasciclf.models import read_header

        read_header(model_path)  # fail fast on the client: missing, foreign or damaged
        model_path = str(Path(model_path).resolve())
    return source.map_partitions(
        predict_partition,
        text_col=text_col,
        model_path=model_path,
        trusted=trusted,
        batch_size=batch_size,
        prefix=prefix,
        meta=_prefixed(_empty_frame(), prefix),
        enforce_metadata=False,
    )


__all__ = [
    "PREDICTION_COLUMNS",
    "RED_FLAG_SEPARATOR",
    "cached_model",
    "predict_dataframe",
    "predict_partition",
    "predictions_to_frame",
]
