"""The sign reader: part + state pairs, blockers, its JSON table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from fasciclf.features import build_nlp
from fasciclf.features._doc import read_terms
from fasciclf.features._resources import ResourceError
from fasciclf.features._signs import (
    SIGNS_FILE,
    SignReader,
    default_sign_table,
    parse_sign_table,
    sign_table_to_json,
)

CASES = json.loads((Path(__file__).parent / "regression" / "sign_cases.json").read_text("utf-8"))[
    "cases"
]


def _present(nlp, text: str) -> set[str]:
    doc = nlp(text)
    return {f.concept for f in doc._.fasciclf.findings if f.status == "present"}


@pytest.fixture(scope="module")
def full():
    return build_nlp()


@pytest.fixture(scope="module")
def without_signs():
    nlp = build_nlp()
    nlp.remove_pipe("fasciclf_signs")
    return nlp


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_sign_case(case, full):
    present = _present(full, case["text"])
    assert set(case.get("present", ())) <= present, present
    assert not set(case.get("not_present", ())) & present, present


@pytest.mark.parametrize("case", [c for c in CASES if c.get("present")], ids=lambda c: c["id"])
def test_each_case_needs_the_reader(case, without_signs):
    # every non-guard case is read only because of this component
    present = _present(without_signs, case["text"])
    assert not set(case["present"]) <= present, f"{case['id']} passes without fasciclf_signs"


def _nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("fasciclf_terms")
    nlp.add_pipe("fasciclf_signs")
    return nlp


def test_pair_is_one_match_with_the_record_concept_and_site():
    doc = _nlp()("by supper her eyelids had dropped")
    pairs = [t for t in read_terms(doc) if t.key.startswith("G")]
    assert [(t.value, t.site, doc[t.start : t.end].text) for t in pairs] == [
        ("ptosis", "head_face", "eyelids had dropped")
    ]


def test_either_order_but_not_across_a_sentence():
    nlp = _nlp()
    assert [t.value for t in read_terms(nlp("a drooped eyelid")) if t.key.startswith("G")] == [
        "ptosis"
    ]
    assert not [t for t in read_terms(nlp("my eyelid. Sags")) if t.key.startswith("G")]


def test_needs_the_term_matcher_first():
    nlp = spacy.blank("en")
    nlp.add_pipe("fasciclf_signs")
    with pytest.raises(ValueError, match="after 'fasciclf_terms'"):
        nlp("her eyelids sag")


def _record(**change):
    rec = {
        "kind": "extra",
        "value": "ptosis",
        "site": "head_face",
        "also": [],
        "window": 3,
        "parts": ["eyelid"],
        "states": ["sags"],
    }
    rec.update(change)
    return rec


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"colour": "red"}, r"unknown keys \['colour'\]"),
        ({"records": []}, "'records' must be a non-empty list"),
        ({"blockers": []}, "'blockers' must be a non-empty list"),
        ({"records": [_record(value="weakness")]}, "kind:value must be one of"),
        ({"records": [_record(kind="symptom")]}, "kind:value must be one of"),
        ({"records": [_record(site="wrist")]}, "site must be null or one of"),
        ({"records": [_record(also=["grip"])]}, "also must list symptoms"),
        ({"records": [_record(window=9)]}, r"'window' must be an integer in \[0, 6\]"),
        ({"records": [_record(window=True)]}, "'window' must be an integer"),
        ({"records": [_record(parts=[""])]}, "'parts' must be a non-empty list"),
    ],
)
def test_bad_tables_are_rejected(change, match):
    data = sign_table_to_json(default_sign_table())
    data.update(change)
    with pytest.raises(ResourceError, match=match):
        parse_sign_table(data)


def test_table_round_trips_and_travels_with_the_pipeline(tmp_path):
    table = default_sign_table()
    assert parse_sign_table(sign_table_to_json(table)) == table
    nlp = _nlp()
    nlp.to_disk(tmp_path / "p")
    assert (tmp_path / "p" / "fasciclf_signs" / SIGNS_FILE).exists()
    reader = nlp.get_pipe("fasciclf_signs")
    reader.to_disk(tmp_path / "q", exclude=["signs"])
    assert not (tmp_path / "q" / SIGNS_FILE).exists()
    smaller = sign_table_to_json(table)
    smaller["records"] = smaller["records"][:1]
    other = SignReader(nlp, table=parse_sign_table(smaller))
    other.from_bytes(reader.to_bytes())
    assert other.table == table
    loaded = spacy.load(tmp_path / "p")
    assert loaded.pipe_names == ["fasciclf_terms", "fasciclf_signs"]
    assert any(t.value == "ptosis" for t in read_terms(loaded("her eyelids sag")))
