"""The function-loss reader: frame + activity pairs, blockers, its JSON table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from fasciclf.features import extract
from fasciclf.features._doc import read_terms
from fasciclf.features._function import (
    FUNCTION_FILE,
    FunctionReader,
    default_function_table,
    function_table_to_json,
    parse_function_table,
)
from fasciclf.features._resources import ResourceError

CASES = json.loads(
    (Path(__file__).parent / "regression" / "function_cases.json").read_text("utf-8")
)["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_function_case(case):
    f = extract(case["text"])
    assert f.symptoms["weakness"] == case["weakness"], f.findings
    if "bulbar" in case:
        assert f.symptoms["bulbar"] == case["bulbar"], f.findings
    assert set(case["sites"]) <= set(f.body_sites)
    assert not set(case.get("absent_sites", ())) & set(f.body_sites)


def _nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("fasciclf_terms")
    nlp.add_pipe("fasciclf_function")
    return nlp


def test_pair_is_one_match_with_the_activity_site():
    doc = _nlp()("my hand is slow with the pen")
    extra = [t for t in read_terms(doc) if t.kind == "extra"]
    assert [(t.value, t.site, doc[t.start : t.end].text) for t in extra] == [
        ("dexterity_loss", "hand", "slow with the pen")
    ]


def test_a_phrase_the_lexicon_lists_whole_is_not_counted_twice():
    doc = _nlp()("I can't stand on tiptoe")
    foot = [t for t in read_terms(doc) if t.value == "foot_drop"]
    assert len(foot) == 1


def test_needs_the_term_matcher_first():
    nlp = spacy.blank("en")
    nlp.add_pipe("fasciclf_function")
    with pytest.raises(ValueError, match="after 'fasciclf_terms'"):
        nlp("I can't open jars")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"window": 0}, r"'window' must be an integer in \[1, 12\]"),
        ({"window": True}, "'window' must be an integer"),
        ({"frames": []}, "'frames' must be a non-empty list"),
        ({"colour": "red"}, r"unknown keys \['colour'\]"),
        (
            {"activities": [{"value": "grip", "site": "hand", "also": [], "terms": ["jar"]}]},
            "value must be one of",
        ),
        (
            {
                "activities": [
                    {"value": "dexterity_loss", "site": "wrist", "also": [], "terms": ["x"]}
                ]
            },
            "site must be one of",
        ),
        (
            {
                "activities": [
                    {"value": "dexterity_loss", "site": "hand", "also": ["grip"], "terms": ["x"]}
                ]
            },
            "also must list symptoms",
        ),
    ],
)
def test_bad_tables_are_rejected(change, match):
    data = function_table_to_json(default_function_table())
    data.update(change)
    with pytest.raises(ResourceError, match=match):
        parse_function_table(data)


def test_table_round_trips_and_travels_with_the_pipeline(tmp_path):
    table = default_function_table()
    assert parse_function_table(function_table_to_json(table)) == table
    nlp = _nlp()
    nlp.to_disk(tmp_path / "p")
    assert (tmp_path / "p" / "fasciclf_function" / FUNCTION_FILE).exists()
    reader = nlp.get_pipe("fasciclf_function")
    reader.to_disk(tmp_path / "q", exclude=["function_loss"])
    assert not (tmp_path / "q" / FUNCTION_FILE).exists()
    smaller = function_table_to_json(table)
    smaller["activities"] = smaller["activities"][:1]
    other = FunctionReader(nlp, table=parse_function_table(smaller))
    other.from_bytes(reader.to_bytes())
    assert other.table == table
    loaded = spacy.load(tmp_path / "p")
    assert loaded.pipe_names == ["fasciclf_terms", "fasciclf_function"]
    assert any(t.value == "dexterity_loss" for t in read_terms(loaded("I can't open jars")))


def test_a_table_without_handover_frames_still_loads_and_reads():
    # tables saved before the handover keys existed load, and read no handover
    data = function_table_to_json(default_function_table())
    for key in ("handover_frames", "handover_blockers", "examiners"):
        data.pop(key)
    table = parse_function_table(data)
    assert table.handover_frames == ()
    nlp = spacy.blank("en")
    nlp.add_pipe("fasciclf_terms")
    reader = nlp.add_pipe("fasciclf_function")
    reader.set_table(table)
    assert not [t for t in read_terms(nlp("she asks me to do up her zip")) if t.kind == "extra"]
    reader.set_table(default_function_table())
    assert [
        t.value for t in read_terms(nlp("she asks me to do up her zip")) if t.kind == "extra"
    ] == ["dexterity_loss"]


def test_handover_lists_must_be_lists_of_strings():
    data = function_table_to_json(default_function_table())
    data["examiners"] = "gp"
    with pytest.raises(ResourceError, match="examiners"):
        parse_function_table(data)
