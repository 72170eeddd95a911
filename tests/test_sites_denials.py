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
