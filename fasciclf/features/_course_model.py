"""The course read by a linear model over the story's words and the rules' reading.

The rules read progression from cue phrases and from the timeline. People
tell the course as life ("she gave up the allotment, then the stairs"),
and on the held-out narratives the rules' reading was right for about
three texts in four. This stage weighs the whole story's words (unigrams
and bigrams within a sentence, tf-idf) together with the rules' reading in
a multinomial logistic regression trained on the gold of the corpus's train
split. Its class fills in a ``progression`` the rules left ``unknown`` (or,
with ``overrule=True``, replaces any). The stage is optional, not in the
default pipeline: :class:`CourseReader` says why.

The model is a reviewed-size JSON resource (``course_model.json``: the
terms with their idf and one weight per class, the weights of the rules'
reading, the intercepts), built by ``python -m fasciclf.features.build_course_model``;
nothing is unpickled and nothing is downloaded. Scoring is the fitted
scikit-learn model's own arithmetic (sublinear tf times idf, l2-normalised,
dotted with the weights), written out so that one text costs a few dozen
dictionary lookups rather than a vectorizer call.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from fasciclf.features._doc import FEATURES_KEY, BatchedPipe, features_of, remember
from fasciclf.features._resources import ResourceError, _read_packaged
from fasciclf.features._serialize import JsonResourceMixin
from fasciclf.features._tokens import SENTENCE_END, token_view
from fasciclf.features._types import PROGRESSIONS, SymptomFeatures

__all__ = [
    "COURSE_MODEL_FILE",
    "CourseModel",
    "CourseReader",
    "course_terms",
    "default_course_model",
]

COURSE_MODEL_FILE = "course_model.json"
_KEYS = {"version", "description", "classes", "intercept", "rule", "terms", "training"}


@lru_cache(maxsize=65536)
def _is_word(w: str) -> bool:
    return any(c.isalnum() for c in w)


def course_terms(words: Sequence[str], sent: Sequence[int] | None = None) -> list[str]:
    """Unigrams and bigrams of a text's words, the model's vocabulary units.

    Words are the lower-cased tokens with a letter or a digit; a bigram
    never crosses a sentence end, so "better. My" pairs nothing.

    >>> course_terms(["it", "got", "worse", ".", "now", "both"])
    ['it', 'got', 'worse', 'now', 'both', 'it got', 'got worse', 'now both']
    """
    pairs = list(_word_pairs(words, sent))
    return [w for _, w in pairs] + [f"{p} {w}" for p, w in pairs if p is not None]


def _word_pairs(
    words: Sequence[str], sent: Sequence[int] | None
) -> Iterator[tuple[str | None, str]]:
    """Each word with the word before it in its sentence (``None`` at a sentence's start)."""
    prev: str | None = None
    prev_sent = None
    for k, w in enumerate(words):
        s = sent[k] if sent is not None else None
        if w in SENTENCE_END:
            prev = None
            continue
        if not _is_word(w):
            continue
        yield (prev if s == prev_sent else None), w
        prev, prev_sent = w, s


@dataclass(frozen=True)
class CourseModel:
    """A fitted multinomial logistic regression over tf-idf terms and the rules' reading.

    Parameters
    ----------
    classes : tuple of str
        The progression values, in the order of every weight vector.
    intercept : tuple of float
        One per class.
    rule : dict
        The rules' progression reading -> its weight per class.
    terms : dict
        Term -> ``(idf, weights per class)``.
    version, description : str
    training : dict
        How the weights were fitted (data, rows, settings, cross-validated
        accuracy), for the reader of the file.

    Examples
    --------
    >>> m = CourseModel(
    ...     classes=PROGRESSIONS,
    ...     intercept=(0.0,) * 5,
    ...     rule={p: (0.0,) * 5 for p in PROGRESSIONS},
    ...     terms={"worse": (1.0, (2.0, 0.0, 0.0, 0.0, 0.0))},
    ... )
    >>> m.predict(["it", "got", "worse"], "unknown")
    'progressive'
    """

    classes: tuple[str, ...]
    intercept: tuple[float, ...]
    rule: dict[str, tuple[float, ...]]
    terms: dict[str, tuple[float, tuple[float, ...]]]
    version: str = "1.0.0"
    description: str = ""
    training: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        # The words that start a known bigram, with its second words: a text's
        # bigrams are spelt out only where one can be known (most are not).
        seconds: dict[str, set[str]] = {}
        for t in self.terms:
            first, _, second = t.partition(" ")
            if second:
                seconds.setdefault(first, set()).add(second)
        object.__setattr__(self, "_seconds", {w: frozenset(s) for w, s in seconds.items()})
        # the weights as one matrix (a row per term) for a single product per text
        object.__setattr__(self, "_index", {t: i for i, t in enumerate(self.terms)})
        object.__setattr__(
            self, "_idf", np.array([idf for idf, _ in self.terms.values()], dtype=np.float64)
        )
        object.__setattr__(
            self,
            "_weights",
            np.array([w for _, w in self.terms.values()], dtype=np.float64).reshape(
                len(self.terms), len(self.classes)
            ),
        )
        object.__setattr__(
            self, "_base", {r: np.add(self.intercept, w) for r, w in self.rule.items()}
        )

    def known_terms(self, words: Sequence[str], sent: Sequence[int] | None = None) -> list[str]:
        """The terms of :func:`course_terms` that the model knows, in one pass."""
        known = self.terms
        seconds: dict[str, frozenset[str]] = self._seconds  # type: ignore[attr-defined]
        out = [w for w in words if w in known]
        out += [f"{p} {w}" for p, w in _word_pairs(words, sent) if w in seconds.get(p, ())]
        return out

    def scores(self, terms: Iterable[str], rule: str) -> list[float]:
        """Decision values per class (the fitted model's ``decision_function``).

        ``terms`` may hold terms the model does not know; they weigh nothing.
        """
        index: dict[str, int] = self._index  # type: ignore[attr-defined]
        counts: dict[int, int] = {}
        for t in terms:
            i = index.get(t)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        base = self._base.get(rule)  # type: ignore[attr-defined]
        if base is None:
            base = np.asarray(self.intercept, dtype=np.float64)
        if not counts:
            return [float(x) for x in base]
        rows = np.fromiter(counts, dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        v = (1.0 + np.log(tf)) * self._idf[rows]  # type: ignore[attr-defined]
        norm = float(np.sqrt(v @ v)) or 1.0
        total = (v @ self._weights[rows]) / norm  # type: ignore[attr-defined]
        return [float(x) for x in base + total]

    def predict(self, words: Sequence[str], rule: str, sent: Sequence[int] | None = None) -> str:
        """The progression of a text given its words and the rules' reading."""
        s = self.scores(self.known_terms(words, sent), rule)
        return self.classes[max(range(len(s)), key=s.__getitem__)]

    def to_json(self) -> dict[str, Any]:
        """The model as the JSON mapping :func:`parse_course_model` reads."""
        return {
            "version": self.version,
            "description": self.description,
            "training": self.training,
            "classes": list(self.classes),
            "intercept": list(self.intercept),
            "rule": {r: list(w) for r, w in self.rule.items()},
            "terms": {t: [idf, list(w)] for t, (idf, w) in self.terms.items()},
        }


def _vector(value: Any, n: int, where: str) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) != n:
        raise ResourceError(f"{COURSE_MODEL_FILE}: {where} must be a list of {n} numbers")
    out = []
    for x in value:
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
            raise ResourceError(f"{COURSE_MODEL_FILE}: {where} must hold finite numbers, got {x!r}")
        out.append(float(x))
    return tuple(out)


def parse_course_model(data: Any) -> CourseModel:
    """Validate the JSON of a course model and build it.

    >>> parse_course_model({"classes": ["progressive"]})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    fasciclf.features._resources.ResourceError: course_model.json: 'classes' must be ...
    """
    if not isinstance(data, dict):
        raise ResourceError(
            f"{COURSE_MODEL_FILE}: expected a JSON object, got {type(data).__name__}"
        )
    unknown = set(data) - _KEYS
    if unknown:
        raise ResourceError(
            f"{COURSE_MODEL_FILE}: unknown keys {sorted(unknown)}; allowed: {sorted(_KEYS)}"
        )
    classes = data.get("classes")
    if not isinstance(classes, list) or sorted(classes) != sorted(PROGRESSIONS):
        raise ResourceError(
            f"{COURSE_MODEL_FILE}: 'classes' must be the progression values "
            f"{list(PROGRESSIONS)} in some order, got {classes!r}"
        )
    missing = {"intercept", "rule", "terms"} - set(data)
    if missing:
        raise ResourceError(f"{COURSE_MODEL_FILE}: missing keys {sorted(missing)}")
    k = len(classes)
    rule = data["rule"]
    if not isinstance(rule, dict) or set(rule) - set(PROGRESSIONS):
        raise ResourceError(
            f"{COURSE_MODEL_FILE}: 'rule' must map progression values to weights, "
            f"got keys {sorted(rule) if isinstance(rule, dict) else type(rule).__name__}"
        )
    terms = data["terms"]
    if not isinstance(terms, dict) or not terms:
        raise ResourceError(f"{COURSE_MODEL_FILE}: 'terms' must be a non-empty object")
    parsed: dict[str, tuple[float, tuple[float, ...]]] = {}
    for t, entry in terms.items():
        if not isinstance(entry, list) or len(entry) != 2:
            raise ResourceError(f"{COURSE_MODEL_FILE}: term {t!r} must be [idf, [weights]]")
        idf = _vector([entry[0]], 1, f"the idf of {t!r}")[0]
        parsed[t] = (idf, _vector(entry[1], k, f"the weights of {t!r}"))
    training = data.get("training", {})
    return CourseModel(
        classes=tuple(classes),
        intercept=_vector(data["intercept"], k, "'intercept'"),
        rule={r: _vector(w, k, f"the weights of rule reading {r!r}") for r, w in rule.items()},
        terms=parsed,
        version=str(data.get("version", "1.0.0")),
        description=str(data.get("description", "")),
        training=training if isinstance(training, dict) else {},
    )


@lru_cache(maxsize=1)
def default_course_model() -> CourseModel:
    """The packaged ``course_model.json``, parsed once."""
    return parse_course_model(_read_packaged(COURSE_MODEL_FILE))


def reread(
    features: SymptomFeatures,
    words: Sequence[str],
    sent: Sequence[int],
    model: CourseModel,
    *,
    overrule: bool = False,
) -> SymptomFeatures:
    """``features`` with the model's progression (and what depends on it).

    Unless ``overrule``, only a course the rules left ``unknown`` is read.
    """
    if not features.text.strip() or (features.progression != "unknown" and not overrule):
        return features
    progression = model.predict(words, features.progression, sent)
    if progression == features.progression:
        return features
    # ``improved`` names what got better in an improving course only
    improved = features.improved if progression == "improving" else ()
    return dataclasses.replace(features, progression=progression, improved=improved)


class CourseReader(BatchedPipe, JsonResourceMixin):
    """spaCy component: the progression read by :class:`CourseModel`.

    Runs after ``fasciclf_features``. Where the rules found no cue of the
    course (``progression`` ``unknown``), it reads the course from the
    story's words; with ``overrule=True`` its reading replaces the rules'
    everywhere. It owns its model and serialises it with the pipeline.

    Not in the default pipeline (``build_nlp(course_model=True)`` adds
    it). Trained on the written corpus's gold, it reads the written
    held-out sets better (progression, challenge narratives 0.767 -> 0.791,
    the 240 unseen hidden-clue narratives 0.717 -> 0.833), but on the real
    development texts it moved nothing the right way: questions 0.711 =
    0.711, narratives 0.688 -> 0.656, and a classifier trained on its
    features read two real narratives fewer. Allowed to overrule the rules,
    it read real questions far worse (0.711 -> 0.500: attacks the rules had
    read became ``unknown``): what it learns from written gold does not
    carry over to real text (README, extraction).

    Parameters
    ----------
    nlp : Language
    name : str
    model : CourseModel, optional
        Defaults to the packaged ``course_model.json``.
    overrule : bool, default=False
        Let the model replace a course the rules read.

    Examples
    --------
    >>> from fasciclf.features import build_nlp
    >>> nlp = build_nlp(course_model=True)
    >>> nlp.pipe_names[-1]
    'fasciclf_course'
    >>> nlp("First my left foot got weak, a few months later my right hand.")._.fasciclf.progression
    'progressive'
    """

    resource_key = "course_model"
    resource_file = COURSE_MODEL_FILE

    def __init__(
        self,
        nlp: Language,
        name: str = "fasciclf_course",
        *,
        model: CourseModel | None = None,
        overrule: bool = False,
    ) -> None:
        if not isinstance(overrule, bool):
            raise TypeError(f"overrule must be True or False, got {overrule!r}")
        self.nlp = nlp
        self.name = name
        self.model = model or default_course_model()
        self.overrule = overrule

    def __call__(self, doc: Doc) -> Doc:
        features = features_of(doc)
        if features is None:
            raise ValueError(
                f"{self.name} reads the features of 'fasciclf_features': add it after that "
                f"component (pipeline: {self.nlp.pipe_names})"
            )
        view = token_view(doc)
        new = reread(features, view.words, view.sent, self.model, overrule=self.overrule)
        if new is not features:
            doc.user_data[FEATURES_KEY] = new.to_dict()
            remember(doc, FEATURES_KEY, new)
        return doc

    def resource_json(self) -> dict[str, Any]:
        return self.model.to_json()

    def load_resource(self, data: dict[str, Any]) -> None:
        self.model = parse_course_model(data)


@Language.factory(
    "fasciclf_course",
    assigns=["doc._.fasciclf"],
    requires=["doc._.fasciclf"],
    default_config={"overrule": False},
)
def make_course(nlp: Language, name: str, overrule: bool) -> CourseReader:
    """Factory for :class:`CourseReader`."""
    return CourseReader(nlp, name, overrule=overrule)
