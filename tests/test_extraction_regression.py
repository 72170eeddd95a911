"""Hand-annotated regression suite for :func:`fasciclf.features.extract`.

The cases live in ``tests/regression/extraction_cases.json``: short texts written
for this suite (never copied from real posts), each with the fields it is about
under ``expect`` and a ``note`` saying what it tests and which annotation
convention applies. Every (case, field) pair is its own test, with an id such as
``rc-001:laterality``.

Known failures are listed in ``tests/regression/known_failures.json`` as
``{"<case id>:<field>": "reason"}``. They run as strict xfails: they are visible
in every run and turn into a failure as soon as the extractor gets them right,
so the list has to be pruned instead of silently going stale.

Annotation conventions (see the notes of the cases that rely on them):

- ``duration_days``: day = 1, week = 7, month = 30, year = 365; "a couple of" = 2,
  "a few" / "several" = 3; "since childhood", "since I was young/a kid", "all my
  life", "a decade" = 3650; vague spans ("for ages", "a while") = None. The
  longest stated duration of the person's current symptoms counts (not how long
  they have taken a drug, not a relative's symptoms). Date-relative anchors such
  as "since last summer" carry a case-level ``tolerance`` (relative).
- ``episode_minutes``: the length of one attack; frequencies ("every 5 minutes")
  are neither episodes nor durations.
- ``symptoms``: uncertain mentions ("not sure if it's weakness") and resolved
  past symptoms ("it went away") are ``not_mentioned``, not ``absent``: only an
  explicit denial is ``absent``. If a concept has both a present and a denied
  mention, ``present`` wins. "burning" is both sensory and pain.
- ``body_sites``: "all over" / "everywhere" adds ``generalized`` and any region
  named alongside it stays listed.
- ``triggers``/``timing``: symptoms *after* exercise give both the ``exercise``
  trigger and the ``after_exercise`` timing; *during* exercise gives only the
  trigger.
"""

from __future__ import annotations

import json
import math
import numbers
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from fasciclf.features import extract
from fasciclf.features._types import (
    BODY_SITES,
    LATERALITIES,
    PROGRESSIONS,
    SEXES,
    SYMPTOM_STATUSES,
    SYMPTOMS,
    TIMINGS,
    TRIGGERS,
)

REGRESSION_DIR = Path(__file__).resolve().parent / "regression"
CASES: list[dict[str, Any]] = json.loads(
    (REGRESSION_DIR / "extraction_cases.json").read_text(encoding="utf-8")
)
KNOWN_FAILURES: dict[str, str] = json.loads(
    (REGRESSION_DIR / "known_failures.json").read_text(encoding="utf-8")
)

DEFAULT_TOLERANCE = 0.05
CASE_KEYS = {"id", "text", "expect", "note", "tolerance"}
REQUIRED_CASE_KEYS = {"id", "text", "expect", "note"}
FIELDS = (
    "body_sites",
    "laterality",
    "duration_days",
    "episode_minutes",
    "progression",
    "fluctuating",
    "onset_site",
    "spread",
    "symptoms",
    "triggers",
    "timing",
    "age",
    "sex",
    "writer",
    "family_history_includes",
    "historical_includes",
    "extra_present_includes",
    "extra_present_excludes",
)


@cache
def _extract(text: str):
    # Several fields of the same case share one extraction.
    return extract(text)


def _close(got: float | None, expected: float | None, tolerance: float) -> bool:
    if got is None or expected is None:
        return got is None and expected is None
    return math.isclose(float(got), float(expected), rel_tol=tolerance)


def _actual(features, field: str, expected: Any) -> Any:
    """The part of ``features`` that ``field`` is compared against."""
    if field in ("body_sites", "triggers", "timing"):
        return sorted(getattr(features, field))
    if field == "symptoms":
        return {name: features.symptoms.get(name) for name in expected}
    if field == "family_history_includes":
        return sorted(features.family_history)
    if field == "historical_includes":
        return sorted(features.historical)
    if field in ("extra_present_includes", "extra_present_excludes"):
        return sorted(features.extra_present)
    if field == "spread":
        return list(features.spread)
    return getattr(features, field)


def _matches(field: str, got: Any, expected: Any, tolerance: float) -> bool:
    if field in ("duration_days", "episode_minutes"):
        return _close(got, expected, tolerance)
    if field in ("family_history_includes", "historical_includes", "extra_present_includes"):
        return all(concept in got for concept in expected)
    if field == "extra_present_excludes":
        return not any(concept in got for concept in expected)
    return got == expected


def _params():
    for case in CASES:
        for field in case["expect"]:
            key = f"{case['id']}:{field}"
            marks = ()
            if key in KNOWN_FAILURES:
                marks = pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[key])
            yield pytest.param(case, field, id=key, marks=marks)


@pytest.mark.parametrize(("case", "field"), list(_params()))
def test_extraction_field(case: dict[str, Any], field: str) -> None:
    expected = case["expect"][field]
    features = _extract(case["text"])
    got = _actual(features, field, expected)
    tolerance = case.get("tolerance", DEFAULT_TOLERANCE)
    assert _matches(field, got, expected, tolerance), (
        f"{case['id']} {field}: expected {expected!r}, got {got!r}\n"
        f"  text: {case['text']!r}\n"
        f"  note: {case['note']}"
    )


# --------------------------------------------------------------------------- schema


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_sorted_vocab(errors: list[str], where: str, value: Any, vocab: tuple[str, ...]) -> None:
    if not isinstance(value, list):
        errors.append(f"{where}: expected a list, got {type(value).__name__}")
        return
    unknown = [v for v in value if v not in vocab]
    if unknown:
        errors.append(f"{where}: {unknown} not in {vocab}")
    if value != sorted(set(value)):
        errors.append(f"{where}: must be sorted and without duplicates, got {value}")


def _check_concepts(errors: list[str], where: str, value: Any) -> None:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v for v in value)
        or len(set(value)) != len(value)
    ):
        errors.append(
            f"{where}: expected a non-empty list of distinct concept names, got {value!r}"
        )


def _case_errors(case: Any) -> list[str]:
    if not isinstance(case, dict):
        return [f"case must be an object, got {type(case).__name__}"]
    where = case.get("id", "<no id>")
    errors: list[str] = []
    keys = set(case)
    if keys - CASE_KEYS:
        errors.append(f"{where}: unknown keys {sorted(keys - CASE_KEYS)}")
    if REQUIRED_CASE_KEYS - keys:
        errors.append(f"{where}: missing keys {sorted(REQUIRED_CASE_KEYS - keys)}")
        return errors
    _check_header(errors, where, case)
    expect = case["expect"]
    if not isinstance(expect, dict) or not expect:
        errors.append(f"{where}: expect must be a non-empty object")
        return errors
    unknown = set(expect) - set(FIELDS)
    if unknown:
        errors.append(f"{where}: unknown expect fields {sorted(unknown)}")
    for field, value in expect.items():
        check = _FIELD_CHECKS.get(field)
        if check is not None:
            check(errors, f"{where}.{field}", value)
    return errors


def _check_header(errors: list[str], where: str, case: dict) -> None:
    if not isinstance(case["id"], str) or not re.fullmatch(r"rc-\d{3,}", case["id"]):
        errors.append(f"{where}: id must look like 'rc-001'")
    for key in ("text", "note"):
        if not isinstance(case[key], str) or not case[key].strip():
            errors.append(f"{where}: {key} must be a non-empty string")
    if "tolerance" in case and not (_is_number(case["tolerance"]) and 0 < case["tolerance"] <= 1):
        errors.append(f"{where}: tolerance must be a number in (0, 1]")


def _check_choice(allowed: tuple[str, ...], nullable: bool = False):
    def check(errors: list[str], at: str, value: Any) -> None:
        if value not in allowed and not (nullable and value is None):
            errors.append(f"{at}: {value!r} not in {allowed}" + (" or null" if nullable else ""))

    return check


def _check_quantity(errors: list[str], at: str, value: Any) -> None:
    if value is not None and not (_is_number(value) and value >= 0):
        errors.append(f"{at}: expected null or a non-negative number, got {value!r}")


def _check_symptoms(errors: list[str], at: str, value: Any) -> None:
    if not isinstance(value, dict) or not value:
        errors.append(f"{at}: expected a non-empty object")
        return
    for name, status in value.items():
        if name not in SYMPTOMS:
            errors.append(f"{at}: {name!r} not in {SYMPTOMS}")
        if status not in SYMPTOM_STATUSES:
            errors.append(f"{at}.{name}: {status!r} not in {SYMPTOM_STATUSES}")


def _check_writer(errors: list[str], at: str, value: Any) -> None:
    # "self", "other" (someone unnamed) or a relation word's value
    if not (isinstance(value, str) and value.isalpha() and value.islower()):
        errors.append(f"{at}: expected 'self', 'other' or a relation in lower case, got {value!r}")


def _check_age(errors: list[str], at: str, value: Any) -> None:
    if value is not None and not (
        isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 120
    ):
        errors.append(f"{at}: expected null or an integer 0-120, got {value!r}")


_FIELD_CHECKS = {
    "body_sites": lambda e, at, v: _check_sorted_vocab(e, at, v, BODY_SITES),
    "triggers": lambda e, at, v: _check_sorted_vocab(e, at, v, TRIGGERS),
    "timing": lambda e, at, v: _check_sorted_vocab(e, at, v, TIMINGS),
    "laterality": _check_choice(LATERALITIES),
    "progression": _check_choice(PROGRESSIONS),
    "duration_days": _check_quantity,
    "episode_minutes": _check_quantity,
    "symptoms": _check_symptoms,
    "age": _check_age,
    "sex": _check_choice(SEXES, nullable=True),
    "writer": _check_writer,
    "family_history_includes": _check_concepts,
    "historical_includes": _check_concepts,
    "extra_present_includes": _check_concepts,
    "extra_present_excludes": _check_concepts,
}


def test_cases_schema() -> None:
    assert isinstance(CASES, list)
    errors = [error for case in CASES for error in _case_errors(case)]
    assert not errors, "\n".join(errors)


def test_case_ids_and_texts_unique() -> None:
    ids = [case["id"] for case in CASES]
    texts = [case["text"] for case in CASES]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    assert len(texts) == len(set(texts)), "duplicate case texts"


def test_suite_size() -> None:
    # The issue asks for at least 200 hand-annotated texts.
    assert len(CASES) >= 200


def test_vocabularies_covered() -> None:
    """Every vocabulary value is expected somewhere, so none goes untested."""
    seen: dict[str, set[str]] = {
        "body_sites": set(),
        "laterality": set(),
        "progression": set(),
        "triggers": set(),
        "timing": set(),
        "sex": set(),
        "symptom": set(),
        "status": set(),
    }
    for case in CASES:
        expect = case["expect"]
        seen["body_sites"].update(expect.get("body_sites", ()))
        seen["triggers"].update(expect.get("triggers", ()))
        seen["timing"].update(expect.get("timing", ()))
        for field, key in (
            ("laterality", "laterality"),
            ("progression", "progression"),
            ("sex", "sex"),
        ):
            if expect.get(field) is not None:
                seen[key].add(expect[field])
        for name, status in expect.get("symptoms", {}).items():
            seen["symptom"].add(name)
            seen["status"].add(status)
    for key, vocab in (
        ("body_sites", BODY_SITES),
        ("laterality", LATERALITIES),
        ("progression", PROGRESSIONS),
        ("triggers", TRIGGERS),
        ("timing", TIMINGS),
        ("sex", SEXES),
        ("symptom", SYMPTOMS),
        ("status", SYMPTOM_STATUSES),
    ):
        missing = set(vocab) - seen[key]
        assert not missing, f"no case expects {key} value(s) {sorted(missing)}"


def test_known_failures_refer_to_existing_cases() -> None:
    assert isinstance(KNOWN_FAILURES, dict)
    expects = {case["id"]: case["expect"] for case in CASES}
    stale = []
    for key, reason in KNOWN_FAILURES.items():
        case_id, _, field = key.partition(":")
        if case_id not in expects or field not in expects[case_id]:
            stale.append(key)
        assert isinstance(reason, str) and reason.strip(), (
            f"{key}: reason must be a non-empty string"
        )
    assert not stale, f"known_failures keys without a matching case field: {stale}"
