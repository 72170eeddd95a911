"""predict from many threads and from forked processes; the default model loads once per process."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from fasciclf.data import load_labeled
from fasciclf.models import _persist, _predict, default_model, predict, predict_many

TEXTS = list(load_labeled("test")["text"][:64]) + [
    "",
    "My hand is getting weaker and the muscle is wasting.",
    "no weakness, no numbness, but my left calf twitches at night",
    "\u202eRTL\u202c 😟 e\u0301 \x00",
]


def _key(p) -> tuple:
    return (p.label, p.abstain_reason, tuple(sorted(p.probabilities.items())), p.red_flags)


@pytest.fixture(scope="module")
def sequential():
    return [_key(predict(t)) for t in TEXTS]


@pytest.fixture
def fast_switching():
    # Switch threads every few microseconds so that interleavings actually happen.
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


def test_predict_from_8_threads_equals_sequential(sequential, fast_switching):
    start = threading.Barrier(8)

    def work(offset: int) -> list[tuple[int, tuple]]:
        start.wait()
        # every thread walks the texts from a different place: maximal overlap
        order = [(offset * 7 + i) % len(TEXTS) for i in range(len(TEXTS))]
        return [(i, _key(predict(TEXTS[i]))) for i in order]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    for per_thread in results:
        assert len(per_thread) == len(TEXTS)
        for i, key in per_thread:
            assert key == sequential[i], TEXTS[i]


def test_predict_many_from_threads(sequential, fast_switching):
    def work(_: int) -> list[tuple]:
        return [_key(p) for p in predict_many(TEXTS, batch_size=1)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        for got in pool.map(work, range(4)):
            assert got == sequential  # batch_size=1 is predict's own path: bit-identical


def test_default_model_loads_once_per_process_under_threads(monkeypatch, fast_switching):
    calls = []
    real = _persist.load_model

    def counting(*args, **kwargs):
        calls.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(_persist, "load_model", counting)
    monkeypatch.setattr(_predict, "_default", None)
    start = threading.Barrier(8)

    def work(_: int):
        start.wait()
        predict("calf twitching")
        return default_model()

    with ThreadPoolExecutor(max_workers=8) as pool:
        models = list(pool.map(work, range(8)))
    assert len(calls) == 1
    assert all(m is models[0] for m in models)
    assert default_model() is models[0]
    assert len(calls) == 1


# ------------------------------------------------------------------ forked processes


def _predict_in_child(i: int) -> tuple[int, int, tuple]:
    return os.getpid(), i, _key(predict(TEXTS[i]))


def _child_loads(_: int) -> tuple[int, bool]:
    # _default is inherited from the parent on fork: nothing to reload
    before = _predict._default is not None
    predict("calf twitching")
    return os.getpid(), before


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="no fork on this platform"
)
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_predict_in_forked_workers(sequential):
    default_model()  # loaded in the parent, shared copy-on-write with the children
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        got = pool.map(_predict_in_child, range(len(TEXTS)), chunksize=4)
        inherited = pool.map(_child_loads, range(4))
    assert len({pid for pid, _, _ in got} - {os.getpid()}) >= 1
    for _, i, key in got:
        assert key == sequential[i], TEXTS[i]
    assert all(before for _, before in inherited)


def _fresh_child(conn) -> None:
    # A child forked before the parent loaded anything loads the model itself, once.
    loads = []
    real = _persist.load_model
    _persist.load_model = lambda *a, **k: loads.append(1) or real(*a, **k)
    first = default_model()
    out = [_key(predict(t)) for t in TEXTS[:8]]
    conn.send((len(loads), first is default_model(), out))
    conn.close()


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="no fork on this platform"
)
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_forked_child_without_a_loaded_model(monkeypatch, sequential):
    monkeypatch.setattr(_predict, "_default", None)
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_fresh_child, args=(child,))
    proc.start()
    assert parent.poll(120), "the forked child did not answer"
    loads, same, out = parent.recv()
    proc.join(30)
    assert proc.exitcode == 0
    assert loads == 1 and same
    assert out == sequential[:8]
