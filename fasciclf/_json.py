"""JSON-safe conversion shared by model headers and evaluation reports."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def to_jsonable(obj: Any) -> Any:
    """Plain JSON types only: NumPy scalars unwrapped, tuples as lists, NaN as None.

    Anything else becomes its ``repr`` so that writing never fails.

    >>> import numpy as np
    >>> to_jsonable({"a": np.float64("nan"), "b": (np.int64(2), True), 3: np.array([0.5])})
    {'a': None, 'b': [2, True], '3': [0.5]}
    """
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if hasattr(obj, "tolist") and hasattr(obj, "ndim"):  # NumPy arrays and scalars
        obj = obj.tolist()
        if isinstance(obj, list):
            return [to_jsonable(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    return repr(obj)
