"""The model's feature columns follow the lexicon; default-model selection groups by writer."""

import json

import pytest

from fasciclf.features._featurizer import EXTRA_CONCEPTS, FEATURE_NAMES
from fasciclf.features._resources import default_lexicon, parse_lexicon
from fasciclf.models.build_default import writer_groups


def test_every_lexicon_extra_concept_is_a_column():
    extras = {r.value for r in default_lexicon().records if r.kind == "extra"}
    assert set(EXTRA_CONCEPTS) == extras
    assert len(EXTRA_CONCEPTS) == len(extras)  # each once
    for concept in ("dexterity_loss", "breathless", "fatigability", "weight_loss"):
        assert f"extra__{concept}" in FEATURE_NAMES


def test_feature_names_are_unique():
    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)


def test_a_lexicon_record_parses_into_the_extra_kind():
    # The derivation reads the parsed lexicon's records: the kind string it
    # filters on must be the one the parser keeps.
    lex = parse_lexicon(
        json.loads(
            '{"version": "t", "records": [{"kind": "extra", "value": "x", "terms": ["xx"]}]}'
        )
    )
    assert [(r.kind, r.value) for r in lex.records] == [("extra", "x")]


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        (["w1-0001", "w10-0002", "w11-3"], ["w1", "w10", "w11"]),
        (["chn-0001", "rd-1", ""], ["", "", ""]),
    ],
)
def test_writer_groups_read_the_id_prefix(ids, expected):
    assert writer_groups(ids) == expected
