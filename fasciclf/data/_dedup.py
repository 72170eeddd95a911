"""Near-duplicate detection by character 5-gram Jaccard similarity."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from fasciclf.data._validate import normalize_text

NGRAM = 5
# Rows of the left matrix multiplied at once: bounds the dense-ish
# intersection block (common 5-grams such as " the " make it dense).
_CHUNK = 512


def _shingles(text: str) -> list[str]:
    text = normalize_text(text)
    if len(text) < NGRAM:
        # A text shorter than one shingle is its own single shingle, so that
        # two identical very short texts still score 1.0.
        return [text] if text else []
    return list({text[i : i + NGRAM] for i in range(len(text) - NGRAM + 1)})


def near_duplicates(
    texts_a: Sequence[str],
    texts_b: Sequence[str] | None = None,
    *,
    threshold: float = 0.8,
) -> pd.DataFrame:
    """Pairs of texts whose character 5-gram Jaccard similarity is at least ``threshold``.

    Texts are compared after case and whitespace normalisation, as sets of
    overlapping 5-character shingles (spaces and punctuation included), via
    sparse binary matrix products: intersections come from ``A @ B.T`` and
    unions from the set sizes, in row chunks so memory stays bounded.

    Parameters
    ----------
    texts_a : sequence of str
        The texts to check.
    texts_b : sequence of str, optional
        A second collection. When given, pairs ``(i, j)`` relate
        ``texts_a[i]`` to ``texts_b[j]``; when omitted, ``texts_a`` is
        compared with itself and only pairs with ``i < j`` are returned.
    threshold : float, default 0.8
        Minimum Jaccard similarity, in ``(0, 1]``.

    Returns
    -------
    pandas.DataFrame
        Columns ``i``, ``j`` (positions) and ``jaccard``, sorted by
        decreasing similarity, then ``i``, then ``j``.

    Examples
    --------
    >>> a = ["My left calf has been twitching for three weeks, no weakness.",
    ...      "my left calf has been twitching for three weeks , no weakness",
    ...      "Numb thumb and index finger at night, shaking the hand helps."]
    >>> near_duplicates(a)
       i  j  jaccard
    0  0  1    0.839
    >>> near_duplicates(a[2:], ["Numb thumb and index finger at night; shaking the hand helps"])
       i  j  jaccard
    0  0  0    0.823
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")
    for name, texts in (("texts_a", texts_a), ("texts_b", texts_b)):
        if texts is None:
            continue
        if isinstance(texts, str):
            raise TypeError(f"{name} must be a sequence of strings, not a single string")
        bad = [i for i, t in enumerate(texts) if not isinstance(t, str)]
        if bad:
            raise TypeError(
                f"{name} must hold strings; position {bad[0]} is {type(texts[bad[0]]).__name__}"
            )
    same = texts_b is None
    texts_a = list(texts_a)
    texts_b = texts_a if same else list(texts_b)
    empty = pd.DataFrame(
        {
            "i": np.array([], dtype=np.int64),
            "j": np.array([], dtype=np.int64),
            "jaccard": np.array([], dtype=float),
        }
    )
    if not texts_a or not texts_b:
        return empty

    vectorizer = CountVectorizer(analyzer=_shingles, binary=True, dtype=np.int32)
    vectorizer.fit(texts_a if same else texts_a + texts_b)
    xa = vectorizer.transform(texts_a).tocsr()
    xb = xa if same else vectorizer.transform(texts_b).tocsr()
    size_a = np.asarray(xa.sum(axis=1)).ravel()
    size_b = np.asarray(xb.sum(axis=1)).ravel()
    xbt = xb.T.tocsc()

    rows, cols, scores = [], [], []
    for start in range(0, xa.shape[0], _CHUNK):
        inter = sp.coo_matrix(xa[start : start + _CHUNK] @ xbt)
        i = inter.row + start
        j = inter.col
        union = size_a[i] + size_b[j] - inter.data
        jac = np.divide(inter.data, union, out=np.zeros(len(union)), where=union > 0)
        keep = jac >= threshold - 1e-12
        if same:
            keep &= i < j
        rows.append(i[keep])
        cols.append(j[keep])
        scores.append(jac[keep])
    out = pd.DataFrame(
        {
            "i": np.concatenate(rows).astype(np.int64),
            "j": np.concatenate(cols).astype(np.int64),
            "jaccard": np.round(np.concatenate(scores), 3),
        }
    )
    return out.sort_values(["jaccard", "i", "j"], ascending=[False, True, True], ignore_index=True)
