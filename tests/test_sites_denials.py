"""Sides, sites and denials as the gold reads them (GUIDELINE section 7).

Cases in ``regression/sites_denial_cases.json``, written for this suite;
each (case, field) pair is its own test. Symptom expectations list only the
symptoms the case is about.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fasciclf.features import extract
from fasciclf.features._denials import parse_denials
from fasciclf.features._resources import ResourceError, _read_packaged

CASES = json.loads(
    (Path(__file__).parent / "regression" / "sites_denial_cases.json").read_text("utf-8")
)
PAIRS = [(c, field) for c in CASES for field in c["expect"]]


@pytest.mark.parametrize(("case", "field"), PAIRS, ids=[f"{c['id']}:{f}" for c, f in PAIRS])
def test_case(case, field):
    got = extract(case["text"])
    want = case["expect"][field]
    if field == "symptoms":
        assert {k: got.symptoms[k] for k in want} == want, case["note"]
    elif field == "body_sites":
        assert sorted(got.body_sites) == sorted(want), case["note"]
    elif field == "extra_present_includes":
        assert want in got.extra_present, case["note"]
    else:
        assert getattr(got, field) == want, case["note"]


def test_case_ids_unique():
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("patch", "match"),
    [
        ({"functions": {"twitchiness": ["x"]}}, "'twitchiness' is not a symptom"),
        ({"window": 99}, "windows must be integers"),
        ({"colour": []}, "unknown key"),
        ({"results": {"tests": ["emg"]}}, "results: missing key"),
        (
            {
                "results": {
                    "tests": [],
                    "normal": [],
                    "normal_before": [],
                    "blockers": [],
                    "window": 40,
                }
            },
            "results: window must be",
        ),
    ],
)
def test_bad_denial_tables(patch, match):
    data = {**_read_packaged("denials.json"), **patch}
    with pytest.raises(ResourceError, match=match):
        parse_denials(data)


def test_missing_denial_key():
    data = _read_packaged("denials.json")
    del data["normal"]
    with pytest.raises(ResourceError, match="missing key.*normal"):
        parse_denials(data)


def test_tables_without_results_still_load():
    data = _read_packaged("denials.json")
    del data["results"]
    assert not parse_denials(data).tests


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("My calves twitch. EMG and NCS were normal.", True),
        ("My calves twitch. Bloods in August (thyroid and B12) were normal.", True),
        ("My calves twitch. The scan of my lower spine showed nothing.", True),
        ("My calves twitch. I had a normal MRI last year.", True),
        ("My calves twitch. Bloods showed low B12.", False),
        ("My calves twitch. Waiting for the bloods, hopefully normal.", False),
        ("My calves twitch. If the EMG is clean I will relax.", False),
        ("My calves twitch. It was not a normal scan.", False),
        ("My calves twitch. He did the EMG, full strength.", False),
    ],
)
def test_results_told_normal(text, read):
    """A test and a normal result word close together, nothing between that
    undoes it, is the normal_tests finding."""
    assert ("normal_tests" in extract(text).extra_present) is read


def test_a_normal_result_dates_no_symptom():
    # the bloods' month is not when the twitching began
    f = extract("My calves twitch. The doctor checked my bloods last month and they were fine.")
    assert "normal_tests" in f.extra_present
    assert f.duration_days is None
