"""Scale-out on an existing engine: Dask for training and batch prediction.

Needs the ``dask`` extra (``pip install 'fasciclf[dask]'``).

- :func:`dask_backend`: run :func:`fasciclf.models.train`'s
  cross-validation and hyperparameter search on a Dask cluster through
  joblib's Dask backend.
- :func:`predict_dataframe`: batch prediction over a ``dask.dataframe``
  with ``map_partitions``, the model loaded once per worker
  (:func:`cached_model`).
- :func:`predict_partition`: the pandas-in, pandas-out worker function,
  reusable from Spark (``mapInPandas``) and Ray (``map_batches``).

Examples
--------
>>> import dask.dataframe as dd, pandas as pd
>>> from fasciclf.distributed import predict_dataframe
>>> ddf = dd.from_pandas(pd.DataFrame({"text": ["numb burning feet at night"] * 4}),
...                      npartitions=2)
>>> predict_dataframe(ddf).compute(scheduler="sync")["label"].tolist()
['peripheral_neuropathy', 'peripheral_neuropathy', 'peripheral_neuropathy', 'peripheral_neuropathy']
"""

from fasciclf.distributed._backend import dask_backend
from fasciclf.distributed._predict import (
    PREDICTION_COLUMNS,
    RED_FLAG_SEPARATOR,
    cached_model,
    predict_dataframe,
    predict_partition,
    predictions_to_frame,
)

__all__ = [
    "PREDICTION_COLUMNS",
    "RED_FLAG_SEPARATOR",
    "cached_model",
    "dask_backend",
    "predict_dataframe",
    "predict_partition",
    "predictions_to_frame",
]
