"""Property-based tests of predict / predict_many on hostile input (hypothesis).

``tests/test_features_properties.py`` covers ``extract``; this file covers the
prediction layer: arbitrary Unicode (surrogates, control characters, combining
marks, right-to-left text, emoji), mixed types in batches, many short texts,
and one text over :data:`fasciclf.features.MAX_CHARS`.
"""

from __future__ import annotations

import json
import math
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fasciclf.features import MAX_CHARS, TextTruncatedWarning
from fasciclf.models import ABSTAIN_REASONS, Prediction, default_model, predict, predict_many

CLASSES = [str(c) for c in default_model().classes_]

# Vocabulary that reaches the rules (negation, sites, red flags), not only the tokenizer.
WORDS = st.sampled_from(
    (
        "no not but my left right both calf hands tongue twitching weak weaker wasting slurred "
        "speech numb cramps for 3 weeks getting worse could this be ALS ? . , I can't hold a "
        "pen falls foot drop swallowing"
    ).split()
    + ["\n"]
)
ODD = st.one_of(
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),  # lone surrogates
    st.characters(categories=["Cc", "Cf", "Zl", "Zp"]),  # controls, bidi marks, separators
    st.characters(categories=["Mn", "Me"]),  # combining marks
    st.characters(min_codepoint=0x0590, max_codepoint=0x06FF),  # Hebrew, Arabic
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji
    st.sampled_from(["\u202e", "\u200f", "\u200d", "\ufeff", "\x00", "\r\n", "\ufffd"]),
)
TEXTS = st.one_of(
    st.text(st.characters(codec=None), max_size=200),
    st.lists(st.one_of(WORDS, ODD, ODD.map(lambda c: c * 3)), max_size=50).map(" ".join),
    st.lists(st.one_of(WORDS, ODD), max_size=50).map("".join),
)
NON_STRINGS = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.binary(max_size=20),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
    st.just(b"calf twitching"),  # bytes of a real description
)
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BATCH = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _spans_point_at_words(text: str, spans) -> None:
    for start, end, claimed in spans:
        assert 0 <= start < end <= len(text), (start, end, len(text))
        assert text[start:end] == claimed
        assert claimed.strip(), "evidence must be words, not whitespace"


def _check(text: str, p: Prediction) -> None:
    assert isinstance(p, Prediction)
    assert p.label in CLASSES
    assert list(p.probabilities) == CLASSES
    probs = list(p.probabilities.values())
    assert all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in probs)
    assert math.isclose(sum(probs), 1.0, abs_tol=1e-9)
    assert p.top_k and p.top_k[0][0] == p.label
    assert [v for _, v in p.top_k] == sorted((v for _, v in p.top_k), reverse=True)
    assert p.abstained == (p.abstain_reason is not None)
    assert p.abstain_reason in (None, *ABSTAIN_REASONS)
    assert p.abstain_reason != "invalid_input" and p.error is None
    if not text.strip():
        assert p.abstain_reason == "empty_text"
    assert p.features is not None and p.features.text == text
    for flag in p.red_flags:
        _spans_point_at_words(text, flag.evidence)
    _spans_point_at_words(text, [(f.start, f.end, f.text) for f in p.features.findings])
    json.dumps(p.to_dict())  # JSON-safe whatever the input


@FAST
@given(TEXTS)
def test_predict_is_valid_on_any_text(text):
    _check(text, predict(text))


@FAST
@given(TEXTS)
def test_predict_is_deterministic(text):
    assert predict(text).to_dict() == predict(text).to_dict()


@FAST
@given(NON_STRINGS)
def test_predict_non_string_raises_type_error_naming_the_type(item):
    with pytest.raises(TypeError, match=f"got {type(item).__name__}$"):
        predict(item)


@BATCH
@given(st.lists(st.one_of(TEXTS, NON_STRINGS), max_size=25), st.integers(1, 8))
def test_predict_many_mixed_batches(items, batch_size):
    preds = predict_many(items, batch_size=batch_size)
    assert len(preds) == len(items)
    for item, p in zip(items, preds, strict=True):
        if isinstance(item, str):
            _check(item, p)
            _same_prediction(p, predict(item))
        else:
            # the row is kept, marked, and names what arrived; the others are unaffected
            assert p.abstained and p.abstain_reason == "invalid_input"
            assert p.label is None and p.probabilities == {} and p.top_k == ()
            assert p.error == f"expected text as str, got {type(item).__name__}"
            json.dumps(p.to_dict())
    # deterministic: the same call gives the same result, bit for bit
    again = predict_many(items, batch_size=batch_size)
    assert [p.to_dict() for p in again] == [p.to_dict() for p in preds]


def _same_prediction(a: Prediction, b: Prediction) -> None:
    # Rows classified in different batches may differ in the last bits of a
    # probability (BLAS blocking), never in anything else.
    assert (a.label, a.abstain_reason, a.red_flags) == (b.label, b.abstain_reason, b.red_flags)
    assert a.features == b.features
    for c in CLASSES:
        assert math.isclose(a.probabilities[c], b.probabilities[c], abs_tol=1e-12)


@BATCH
@given(st.lists(st.lists(WORDS, min_size=1, max_size=3).map(" ".join), min_size=50, max_size=300))
def test_many_short_texts(texts):
    preds = predict_many(iter(texts), batch_size=64)
    assert len(preds) == len(texts)
    for text, p in zip(texts, preds, strict=True):
        _check(text, p)
    # same text, same answer, wherever it sits in the batch
    first: dict[str, Prediction] = {}
    for text, p in zip(texts, preds, strict=True):
        _same_prediction(first.setdefault(text, p), p)


# A text over MAX_CHARS whose findings sit at both ends. The filler carries no
# lexicon words, so it stays fast (see benchmarks/pathological.py for worst cases).
_HEAD = "My right hand is getting weaker and the muscle is wasting. "
_LONG = _HEAD + "lorem ipsum dolor sit amet " * ((MAX_CHARS + 50_000) // 27) + "calf twitching"


def test_long_text_predict_truncates_with_warning_and_keeps_offsets():
    with pytest.warns(TextTruncatedWarning, match=f"MAX_CHARS={MAX_CHARS}"):
        p = predict(_LONG)
    _check(_LONG, p)
    assert p.features.truncated
    assert {"progressive_weakness", "wasting"} <= {r.code for r in p.red_flags}
    # the tail beyond the cap was not read
    assert all(f.end <= MAX_CHARS for f in p.features.findings)


def test_long_text_predict_many_flags_truncation():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TextTruncatedWarning)
        p, short = predict_many([_LONG, "calf twitching"])
    _check(_LONG, p)
    assert p.features.truncated and not short.features.truncated
    assert p.to_dict()["features"]["truncated"] is True


def test_long_text_predict_many_warns():
    with pytest.warns(TextTruncatedWarning, match="position 1"):
        preds = predict_many(["my calf twitches", _LONG])
    assert preds[1].features.truncated and not preds[0].features.truncated
