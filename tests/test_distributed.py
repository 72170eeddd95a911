"""fasciclf.distributed on a real distributed.LocalCluster (2 worker processes).

Marked ``dask`` (deselect with ``-m "not dask"``) but run by default and in CI.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from fasciclf.data import load_labeled  # noqa: E402
from fasciclf.distributed import (  # noqa: E402
    PREDICTION_COLUMNS,
    dask_backend,
    predict_dataframe,
    predict_partition,
    predictions_to_frame,
)
from fasciclf.models import (  # noqa: E402
    ModelIntegrityError,
    UntrustedModelError,
    predict_many,
    save_model,
    train,
)

pytestmark = pytest.mark.dask

# pandas' string columns cannot hold lone surrogates, so none here (test_robustness has them).
EDGE_ROWS = ["", "   ", "What time does the pharmacy open?", "\u202ecalf twitch\u202c 😟 e\u0301"]


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        dashboard_address=":0",
        silence_logs=40,
    )
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


@pytest.fixture(scope="module")
def frame():
    test = load_labeled("test")
    texts = list(test["text"][:160]) + EDGE_ROWS + [None, np.nan]
    return pd.DataFrame({"id": range(len(texts)), "text": texts}).set_index("id")


@pytest.fixture(scope="module")
def small_train():
    df = load_labeled("train")
    # Two rows per label at least, a few hundred in all: seconds, not minutes.
    return df.groupby("label", group_keys=False).head(40)


def _expected(texts, model=None):
    return predictions_to_frame(predict_many(list(texts), model=model))


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(PREDICTION_COLUMNS)
    got = got.reset_index(drop=True)
    want = want.reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=0, atol=1e-12)


def test_predict_dataframe_on_cluster_equals_predict_many(client, frame):
    ddf = dd.from_pandas(frame, npartitions=6)
    result = predict_dataframe(ddf)
    assert result.npartitions == 6
    with distributed.get_task_stream(client) as tasks:
        out = result.compute()
    assert out.index.tolist() == frame.index.tolist()
    _same(out, _expected(frame["text"].astype(object)))
    invalid = out[out["abstain_reason"] == "invalid_input"]
    assert len(invalid) == 2 and invalid["label"].isna().all()
    assert out.loc[out["abstain_reason"] != "invalid_input", "probability"].between(0, 1).all()
    # the partitions really ran on both worker processes
    assert len({t["worker"] for t in tasks.data}) == 2


def test_model_file_loaded_once_per_worker(client, frame, small_train, tmp_path_factory):
    model = train(
        small_train["text"], small_train["label"], kind="text", cv=2, param_grid={"C": [1.0]}
    )
    path = save_model(model, tmp_path_factory.mktemp("dist") / "model.skops", format="skops")
    ddf = dd.from_pandas(frame, npartitions=8)
    out = predict_dataframe(ddf, model_path=path).compute()
    _same(out, _expected(frame["text"].astype(object), model=model))
    # a second pass over the same file reuses each worker's loaded model
    predict_dataframe(ddf, model_path=path).compute()

    from fasciclf.distributed._predict import _cache_stats

    stats = client.run(_cache_stats)
    loads = [s["loads"].get(str(path.resolve()), 0) for s in stats.values()]
    assert max(loads) == 1, stats  # 16 partitions, at most one load per worker process
    assert sum(loads) >= 1


def test_joblib_model_file_needs_trust_on_the_workers(client, small_train, tmp_path):
    model = train(
        small_train["text"], small_train["label"], kind="text", cv=2, param_grid={"C": [1.0]}
    )
    path = save_model(model, tmp_path / "model.joblib")
    ddf = dd.from_pandas(pd.DataFrame({"text": ["numb feet", "calf twitch"]}), npartitions=1)
    with pytest.raises(UntrustedModelError, match="refusing to load a joblib file"):
        predict_dataframe(ddf, model_path=path).compute()
    out = predict_dataframe(ddf, model_path=path, trusted=True).compute()
    assert out["label"].notna().all()


def test_bad_arguments_fail_on_the_client(client, tmp_path):
    ddf = dd.from_pandas(pd.DataFrame({"body": ["x"]}), npartitions=1)
    with pytest.raises(KeyError, match="no 'text' column; columns are \\['body'\\]"):
        predict_dataframe(ddf)
    assert predict_dataframe(ddf, text_col="body").compute()["label"].notna().all()
    bad = tmp_path / "model.joblib"
    bad.write_bytes(b"\x80\x04not a model")
    with pytest.raises(ModelIntegrityError, match="not a fasciclf model file"):
        predict_dataframe(ddf, text_col="body", model_path=bad)


def test_series_input_and_partition_function(client):
    s = pd.Series(["calf cramps at night", "tongue twitching and slurred speech"], name="t")
    out = predict_dataframe(dd.from_pandas(s, npartitions=2)).compute()
    _same(out, predict_partition(s))


def test_train_on_cluster_equals_single_process(client, small_train):
    kw = dict(kind="text", cv=3, param_grid={"C": [0.3, 1.0, 3.0]})
    texts, labels = list(small_train["text"]), list(small_train["label"])
    local = train(texts, labels, **kw)
    with distributed.get_task_stream(client) as tasks, dask_backend(client):
        remote = train(texts, labels, **kw)
    names = {t["key"].split("-")[0] for t in tasks.data}
    # GridSearchCV's fits and cross_val_predict's ran on the workers
    assert any("_fit_and_score" in n for n in names), names
    assert any("_fit_and_predict" in n for n in names), names
    assert remote.get_params() == local.get_params()
    assert remote.search_results_ == local.search_results_
    assert remote.cv_metrics_ == local.cv_metrics_
    probe = list(load_labeled("test")["text"][:50])
    assert (remote.predict(probe) == local.predict(probe)).all()
    # workers run BLAS on one thread: sums may differ in the last bits
    np.testing.assert_allclose(remote.predict_proba(probe), local.predict_proba(probe), atol=1e-9)


def test_dask_backend_uses_the_current_client(client):
    import joblib

    with dask_backend() as c:
        assert c is client
        n = joblib.Parallel()(joblib.delayed(abs)(-i) for i in range(4))
    assert n == [0, 1, 2, 3]


def test_prefix_makes_the_output_joinable_to_a_labelled_frame():
    labelled = pd.DataFrame(
        {"text": ["calf twitching for weeks", "numb burning feet"], "label": ["a", "b"]}
    )
    ddf = dd.from_pandas(labelled, npartitions=1)
    with pytest.raises(ValueError, match="columns overlap"):
        ddf.join(predict_dataframe(ddf)).compute(scheduler="sync")
    joined = ddf.join(predict_dataframe(ddf, prefix="pred_")).compute(scheduler="sync")
    assert joined["label"].tolist() == ["a", "b"]
    assert list(joined.columns[2:]) == [f"pred_{c}" for c in PREDICTION_COLUMNS]
    assert joined["pred_label"].notna().all()


def test_non_strings_stay_invalid_without_string_conversion():
    import dask

    values = ["calf twitching for weeks", 5, 3.5, None]
    with dask.config.set({"dataframe.convert-string": False}):
        ddf = dd.from_pandas(pd.DataFrame({"text": values}), npartitions=2)
        out = predict_dataframe(ddf).compute(scheduler="sync")
    assert out["abstain_reason"].tolist()[1:] == ["invalid_input"] * 3
    assert out["label"].iloc[0] is not pd.NA
