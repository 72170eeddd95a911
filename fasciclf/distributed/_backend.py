"""Run :func:`fasciclf.models.train` on a Dask cluster through joblib."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any


def _import_distributed():
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - dask is a test dependency
        raise ImportError(
            "fasciclf.distributed needs dask.distributed: pip install 'fasciclf[dask]'"
        ) from exc
    return distributed


@contextlib.contextmanager
def dask_backend(
    client: Any = None,
    *,
    n_jobs: int = -1,
    wait_for_workers_timeout: float = 10.0,
    **backend_params: Any,
) -> Iterator[Any]:
    """Send joblib work (``train``'s cross-validation and search) to a Dask cluster.

    Inside the block, every :class:`joblib.Parallel` call, including the
    candidate-by-fold fits of :func:`fasciclf.models.train` and the
    cross-validated calibration inside
    :meth:`~fasciclf.models.SymptomClassifier.fit`, runs as tasks on the
    cluster's workers. It is :func:`joblib.parallel_config` with
    ``backend="dask"``, with ``client`` made the current client first.

    The final refit of the chosen model runs in the calling process, so
    the returned model lives there. Results equal a single-process run:
    the same candidate wins and the CV metrics are identical; fitted
    probabilities agree to about 1e-12 (Dask workers run BLAS on one
    thread, which changes the order of floating-point sums).

    Parameters
    ----------
    client : distributed.Client, optional
        The cluster to use. Default: the current client
        (:func:`distributed.get_client`).
    n_jobs : int, default=-1
        Concurrent joblib tasks; ``-1`` is every worker thread of the cluster.
        Calls that pass their own ``n_jobs`` (``train(..., n_jobs=4)``)
        keep it; ``train``'s default ``n_jobs=None`` takes this one.
    wait_for_workers_timeout : float, default=10.0
        Seconds to wait for a worker when the cluster has none yet.
    **backend_params
        Passed to joblib's Dask backend (e.g. ``scatter=[texts]``).

    Yields
    ------
    distributed.Client
        The client in use.

    Raises
    ------
    RuntimeError
        If no client is given and none is running.

    Examples
    --------
    Without a running cluster the error says what to start:

    >>> try:
    ...     with dask_backend():
    ...         pass
    ... except RuntimeError as err:
    ...     print(str(err)[:58])
    dask_backend needs a distributed.Client; start one, e.g. c

    With a cluster (not run here)::

        from distributed import Client, LocalCluster
        from fasciclf.models import train
        with LocalCluster(n_workers=4, threads_per_worker=1) as cluster, Client(cluster) as client:
            with dask_backend(client):
                model = train(texts, labels)   # CV and search run on the workers
    """
    distributed = _import_distributed()
    import joblib

    if client is None:
        try:
            client = distributed.get_client()
        except ValueError:
            raise RuntimeError(
                "dask_backend needs a distributed.Client; start one, e.g. "
                "client = distributed.Client(distributed.LocalCluster(n_workers=2)), or pass "
                "client=... for an existing cluster"
            ) from None
    with (
        client.as_current(),
        joblib.parallel_config(
            backend="dask",
            n_jobs=n_jobs,
            client=client,
            wait_for_workers_timeout=wait_for_workers_timeout,
            **backend_params,
        ),
    ):
        yield client


__all__ = ["dask_backend"]
