"""Building the pipeline and running it over texts."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import spacy
from spacy.language import Language

# importing the component modules registers their factories
from fasciclf.features import (  # noqa: F401
    _assembler,
    _context,
    _course_model,
    _function,
    _signs,
    _spelling,
    _terms,
)
from fasciclf.features._doc import TEXT_KEY, features_of
from fasciclf.features._input import read_as, to_caller
from fasciclf.features._tokens import make_doc
from fasciclf.features._types import SymptomFeatures

MAX_CHARS = 100_000
"""Texts longer than this are truncated (``SymptomFeatures.truncated`` is set).

A description of symptoms is rarely over a few thousand characters; the cap
bounds time and memory for pasted logs or hostile input (about 30 ms and a
few MB per capped text)."""


class TextTruncatedWarning(UserWarning):
    """Emitted when a text is longer than :data:`MAX_CHARS` and was cut."""


def build_nlp(*, spelling: bool = True, course_model: bool = False) -> Language:
    """Return a new fasciclf pipeline: ``spacy.blank("en")`` plus our components.

    No statistical model is loaded; the components read the lexicon and
    context rules shipped inside the package.

    Parameters
    ----------
    spelling : bool, default=True
        Read misspelt lexicon words as the words ("twiching", "weekness"; see
        :class:`~fasciclf.features._spelling.SpellingNormalizer`). Off, only
        the spellings the lexicon lists are read.
    course_model : bool, default=False
        Add ``fasciclf_course``: where the rules read no course, a linear
        model over the story's words decides it (see
        :class:`~fasciclf.features._course_model.CourseReader`, which says
        why it is off by default).

    >>> nlp = build_nlp()
    >>> nlp.pipe_names  # doctest: +NORMALIZE_WHITESPACE
    ['fasciclf_spelling', 'fasciclf_terms', 'fasciclf_function', 'fasciclf_signs',
     'fasciclf_context', 'fasciclf_features']
    >>> doc = nlp("No weakness, but my left calf twitches.")
    >>> doc._.fasciclf.symptoms["weakness"]
    'absent'
    """
    if not isinstance(spelling, bool):
        raise TypeError(f"spelling must be True or False, got {spelling!r}")
    if not isinstance(course_model, bool):
        raise TypeError(f"course_model must be True or False, got {course_model!r}")
    nlp = spacy.blank("en")
    if spelling:
        nlp.add_pipe("fasciclf_spelling")
    nlp.add_pipe("fasciclf_terms")
    nlp.add_pipe("fasciclf_function")
    nlp.add_pipe("fasciclf_signs")
    nlp.add_pipe("fasciclf_context")
    nlp.add_pipe("fasciclf_features")
    if course_model:
        nlp.add_pipe("fasciclf_course")
    return nlp


_DEFAULT_NLP: Language | None = None
_DEFAULT_LOCK = threading.Lock()
BUILD_COUNT = 0
"""How many times :func:`default_nlp` built the pipeline in this process (tests)."""


def default_nlp() -> Language:
    """The process-wide pipeline used by :func:`extract` (built once, lazily).

    A lock makes threads that start cold wait for one build instead of each
    building their own.
    """
    global _DEFAULT_NLP, BUILD_COUNT
    nlp = _DEFAULT_NLP
    if nlp is not None:
        return nlp
    with _DEFAULT_LOCK:
        if _DEFAULT_NLP is None:
            _DEFAULT_NLP = build_nlp()
            BUILD_COUNT += 1
        return _DEFAULT_NLP


def _check_text(text: Any) -> str:
    if not isinstance(text, str):
        raise TypeError(f"expected text as str, got {type(text).__name__}")
    return text


def truncate_text(text: str) -> str:
    """The part of ``text`` that fasciclf reads: at most :data:`MAX_CHARS` characters.

    Cut at the last space before the limit when there is one. Feature
    extraction and the classifier's n-gram features use the same cut, so
    training and prediction see the same text and cost stays bounded.

    >>> len(truncate_text("word " * 50_000)) <= MAX_CHARS
    True
    >>> truncate_text("short")
    'short'
    """
    if len(text) <= MAX_CHARS:
        return text
    cut = text.rfind(" ", 0, MAX_CHARS)
    return text[: cut if cut > MAX_CHARS // 2 else MAX_CHARS]


def _prepare(text: str) -> tuple[str, bool, list[int] | None]:
    truncated = False
    if len(text) > MAX_CHARS:
        text = truncate_text(text)
        truncated = True
    read, origin = read_as(text)
    return read, truncated, origin


def _finish(doc, original: str, truncated: bool, origin: list[int] | None) -> SymptomFeatures:
    feats = features_of(doc)
    if feats is None:  # pragma: no cover - the pipeline always sets it
        return SymptomFeatures(text=original, truncated=truncated)
    return to_caller(feats, original, origin, truncated)


def extract(text: str, *, nlp: Language | None = None) -> SymptomFeatures:
    """Read one description into :class:`SymptomFeatures`.

    Parameters
    ----------
    text : str
        Free text in the writer's own words. Empty text gives empty features.
    nlp : Language, optional
        A pipeline from :func:`build_nlp`; the shared default otherwise.

    Raises
    ------
    TypeError
        If ``text`` is not a string.

    Examples
    --------
    >>> f = extract("My calves have twitched for two or three months, no weakness.")
    >>> f.body_sites, f.laterality, f.duration_days
    (('leg',), 'bilateral', 75.0)
    >>> f.symptoms["twitching"], f.symptoms["weakness"]
    ('present', 'absent')
    """
    text = _check_text(text)
    prepared, truncated, origin = _prepare(text)
    if truncated:
        warnings.warn(
            f"text of {len(text)} characters truncated to {len(prepared)} (MAX_CHARS={MAX_CHARS})",
            TextTruncatedWarning,
            stacklevel=2,
        )
    nlp = nlp or default_nlp()
    doc = make_doc(nlp, prepared)
    doc.user_data[TEXT_KEY] = prepared
    return _finish(nlp(doc), text, truncated, origin)


def _extract_chunk(texts: list[str]) -> list[dict[str, Any]]:
    # Worker side of extract_many(n_jobs>1): plain dicts cross the process
    # boundary, never Docs (serialising Docs back costs more than parsing).
    return [f.to_dict() for f in _iter_features(texts, default_nlp(), 256)]


def _iter_features(
    texts: Iterable[str], nlp: Language, batch_size: int
) -> Iterator[SymptomFeatures]:
    originals: list[str] = []
    flags: list[bool] = []
    origins: list[list[int] | None] = []

    def prepared() -> Iterator:
        for text in texts:
            _check_text(text)
            p, truncated, origin = _prepare(text)
            if truncated:
                warnings.warn(
                    f"text at position {len(originals)} of {len(text)} characters truncated to "
                    f"{len(p)} (MAX_CHARS={MAX_CHARS})",
                    TextTruncatedWarning,
                    stacklevel=3,
                )
            originals.append(text)
            flags.append(truncated)
            origins.append(origin)
            doc = make_doc(nlp, p)
            doc.user_data[TEXT_KEY] = p
            yield doc

    for i, doc in enumerate(nlp.pipe(prepared(), batch_size=batch_size)):
        yield _finish(doc, originals[i], flags[i], origins[i])
        originals[i] = origins[i] = None  # type: ignore[call-overload]  # free memory when streaming


def extract_many(
    texts: Iterable[str],
    *,
    n_jobs: int = 1,
    batch_size: int = 256,
    nlp: Language | None = None,
) -> Iterator[SymptomFeatures]:
    """Extract features from many texts, yielding results in input order.

    Parameters
    ----------
    texts : iterable of str
        Streamed: only one batch is held in memory at a time when
        ``n_jobs == 1``.
    n_jobs : int
        Worker processes. ``1`` runs in this process with ``nlp.pipe``;
        more uses a process pool whose workers return plain dicts.
    batch_size : int
        Texts per ``nlp.pipe`` batch (and per worker task).

    Raises
    ------
    TypeError
        On the first item that is not a string (name of its type given).

    Examples
    --------
    >>> [f.symptoms["cramps"] for f in extract_many(["calf cramps at night", "no cramps"])]
    ['present', 'absent']
    """
    if not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
        raise ValueError(f"n_jobs must be a positive int or -1, got {n_jobs!r}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    if n_jobs == 1 or nlp is not None:
        yield from _iter_features(texts, nlp or default_nlp(), batch_size)
        return
    import os

    workers = os.cpu_count() or 1 if n_jobs == -1 else n_jobs
    chunks: list[list[str]] = []
    chunk: list[str] = []
    for text in texts:
        _check_text(text)
        chunk.append(text)
        if len(chunk) >= batch_size:
            chunks.append(chunk)
            chunk = []
    if chunk:
        chunks.append(chunk)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for chunk_texts, dicts in zip(chunks, pool.map(_extract_chunk, chunks), strict=True):
            for text, d in zip(chunk_texts, dicts, strict=True):
                yield SymptomFeatures.from_dict(d, text=text)
