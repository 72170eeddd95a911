"""Tests of the labeled corpus (data/labeled) and of fasciclf.data."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

from fasciclf.data import (
    LABELS,
    STYLES,
    VOICES,
    LabeledDataError,
    gold_problems,
    labeled_dir,
    length_band,
    load_gold,
    load_labeled,
    near_duplicates,
    normalize_text,
    read_table,
    update_datacard,
    validate,
)
from fasciclf.data import _load as load_module
from fasciclf.data._build import assign_split, build_corpus
from fasciclf.data._card import SHARE_TARGETS, shares
from fasciclf.data.card import main as card_main

LABELED = Path(__file__).resolve().parents[1] / "data" / "labeled"

# -- tiny literal corpora for the validation messages --------------------------

GOOD = pd.DataFrame(
    {
        "id": ["a1", "a2", "a3"],
        "text": [
            "calf twitching for a month, strength fine",
            "numb thumb and index finger at night",
            "my dad's hand is getting thinner and weaker",
        ],
        "label": ["benign_fasciculation", "peripheral_neuropathy", "possible_motor_neuron_disease"],
    }
)
MISSING_LABEL_COLUMN = GOOD.drop(columns="label")
UNKNOWN_LABEL = GOOD.assign(label=["benign_fasciculation", "carpal_tunnel", "other"])
EMPTY_TEXT = GOOD.assign(text=["calf twitching", "   ", "hand weaker"])
NON_STRING_TEXT = GOOD.assign(text=["calf twitching", 42, "hand weaker"])
DUPLICATE_ID = GOOD.assign(id=["a1", "a1", "a3"])
DUPLICATE_TEXT = GOOD.assign(text=["Calf twitching", "calf   twitching ", "hand weaker"])
TWO_SPLITS = GOOD.assign(
    text=["calf twitching", "Calf twitching", "hand weaker"], split=["train", "test", "train"]
)
CUSTOM = pd.DataFrame(
    {
        "text": ["shaky hands", "cramp at night", "tingly feet"],
        "label": ["tremor", "cramp", "neuropathy"],
    }
)
FULL_ROW = {
    "id": "z1",
    "text": "eyelid flickering for a week",
    "label": "benign_fasciculation",
    "label_confidence": "clear",
    "alt_labels": [],
    "age_band": "20-29",
    "sex": "female",
    "writer": "self",
    "style": "informal",
    "voice": "question",
    "split": "train",
}
GOLD_OK = {
    "body_sites": ["head_face"],
    "laterality": "unspecified",
    "duration_days": 7,
    "progression": "unknown",
    "symptoms": {
        "twitching": "present",
        "weakness": "not_mentioned",
        "atrophy": "not_mentioned",
        "cramps": "not_mentioned",
        "sensory": "not_mentioned",
        "pain": "not_mentioned",
        "bulbar": "not_mentioned",
        "fatigue": "not_mentioned",
    },
}
# Parts for a build on a temporary directory: b-0002 repeats b-0001 exactly,
# b-0003 nearly; c-0001 nearly repeats the challenge case.
PART_B = [
    {
        **FULL_ROW,
        "id": "b-0001",
        "text": "My left calf has been twitching for three weeks, "
        "no weakness at all, I can still run.",
    },
    {
        **FULL_ROW,
        "id": "b-0002",
        "text": "my left calf has been twitching for three weeks, "
        "no weakness at all, i can still run.",
    },
    {
        **FULL_ROW,
        "id": "b-0003",
        "text": "My left calf has been twitching for three weeks, "
        "no weakness at all, I can still run!!",
    },
    {
        **FULL_ROW,
        "id": "b-0004",
        "text": "Index and middle finger numb every night, shaking the hand helps.",
        "label": "peripheral_neuropathy",
    },
]
PART_C = [
    {
        **FULL_ROW,
        "id": "c-0001",
        "text": "By the evening my eyelid droops and I see double, fine in the morning.",
        "label": "neuromuscular_junction",
    },
    {
        **FULL_ROW,
        "id": "c-0002",
        "text": "Hands shake when I hold a cup, my mother had it too.",
        "label": "central_nervous_system",
    },
]
CHALLENGE_ROWS = [
    {
        **FULL_ROW,
        "id": "ch-0001",
        "split": "challenge",
        "text": "By the evening my eyelid droops and I see double, fine in the morning!",
        "label": "neuromuscular_junction",
    },
]


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    return load_labeled()


@pytest.fixture(scope="module")
def challenge() -> pd.DataFrame:
    return load_labeled(challenge=True)


# -- the corpus -----------------------------------------------------------------


def test_schema(corpus: pd.DataFrame, challenge: pd.DataFrame) -> None:
    expected = [
        "id",
        "text",
        "label",
        "label_confidence",
        "alt_labels",
        "age_band",
        "sex",
        "writer",
        "style",
        "voice",
        "split",
        "gold",
    ]
    assert corpus.columns.tolist()[: len(expected)] == expected
    assert challenge.columns.tolist()[: len(expected)] == expected
    for frame in (corpus, challenge):
        assert frame["id"].is_unique
        assert frame["id"].is_monotonic_increasing
        assert frame["text"].map(lambda t: isinstance(t, str) and t.strip() != "").all()
        assert frame["label"].isin(LABELS).all()
        assert frame["style"].isin(STYLES).all()
        assert frame["voice"].isin(VOICES).all()
        assert frame["alt_labels"].map(lambda a: isinstance(a, list)).all()
        ambiguous = frame["label_confidence"] == "ambiguous"
        assert (frame.loc[ambiguous, "alt_labels"].map(len) > 0).all()
        assert (frame.loc[~ambiguous, "alt_labels"].map(len) == 0).all()
    assert set(corpus["split"]) == {"train", "test"}
    assert set(corpus["id"]).isdisjoint(challenge["id"])


def test_corpus_file_is_sorted_utf8_jsonl() -> None:
    lines = (LABELED / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert ids == sorted(ids)


def test_label_counts(corpus: pd.DataFrame) -> None:
    counts = corpus["label"].value_counts()
    assert len(corpus) >= 1200
    for label in LABELS:
        assert counts.get(label, 0) >= 80, f"{label}: {counts.get(label, 0)} cases"
    assert counts["possible_motor_neuron_disease"] >= 120


@pytest.mark.parametrize(("key", "target"), [(k, t) for k, _, t in SHARE_TARGETS])
def test_variety_shares(corpus: pd.DataFrame, key: str, target: float) -> None:
    assert shares(corpus)[key] >= target


def test_every_label_has_every_length_and_some_relatives(corpus: pd.DataFrame) -> None:
    bands = corpus["text"].map(length_band)
    table = pd.crosstab(corpus["label"], bands)
    assert (table.reindex(columns=["terse", "medium", "long"], fill_value=0) > 0).all().all()
    relatives = corpus[corpus["writer"] != "self"]["label"].value_counts()
    assert set(relatives.index) == set(LABELS)


def test_ambiguous_cases_present(corpus: pd.DataFrame) -> None:
    share = (corpus["label_confidence"] == "ambiguous").mean()
    assert 0.05 <= share <= 0.30


def test_split_shares(corpus: pd.DataFrame) -> None:
    test = corpus["split"] == "test"
    assert test.mean() >= 0.20
    per_label = test.groupby(corpus["label"]).mean()
    assert per_label.between(0.20, 0.30).all(), per_label


def test_no_exact_duplicates_anywhere(corpus: pd.DataFrame, challenge: pd.DataFrame) -> None:
    norm = pd.concat([corpus["text"], challenge["text"]]).map(normalize_text)
    assert norm.is_unique


def test_no_near_duplicates_across_splits(corpus: pd.DataFrame) -> None:
    train = corpus.loc[corpus["split"] == "train", "text"].tolist()
    test = corpus.loc[corpus["split"] == "test", "text"].tolist()
    pairs = near_duplicates(train, test, threshold=0.8)
    assert pairs.empty, pairs.head()


def test_no_near_duplicates_within_corpus(corpus: pd.DataFrame) -> None:
    assert near_duplicates(corpus["text"].tolist(), threshold=0.8).empty


def test_no_near_duplicates_between_corpus_and_challenge(
    corpus: pd.DataFrame, challenge: pd.DataFrame
) -> None:
    pairs = near_duplicates(corpus["text"].tolist(), challenge["text"].tolist(), threshold=0.8)
    assert pairs.empty, pairs.head()
    assert near_duplicates(challenge["text"].tolist(), threshold=0.8).empty


def test_challenge_size(challenge: pd.DataFrame) -> None:
    assert len(challenge) >= 150
    assert set(challenge["split"]) == {"challenge"}


def test_selection_set_stands_apart(corpus: pd.DataFrame, challenge: pd.DataFrame) -> None:
    # the model-selection narratives: their own writers, no text shared with
    # the corpus (trained on) or the challenge set (measured on)
    selection = load_labeled(selection=True)
    assert len(selection) >= 100
    assert set(selection["split"]) == {"selection"}
    assert set(selection["voice"]) == {"narrative"}
    prefixes = set(selection["id"].str.split("-").str[0])
    assert prefixes.isdisjoint(set(corpus["id"].str.split("-").str[0]))
    assert prefixes.isdisjoint(set(challenge["id"].str.split("-").str[0]))
    others = corpus["text"].tolist() + challenge["text"].tolist()
    assert near_duplicates(selection["text"].tolist(), others, threshold=0.8).empty
    assert near_duplicates(selection["text"].tolist(), threshold=0.8).empty
    norm = pd.concat([corpus["text"], challenge["text"], selection["text"]]).map(normalize_text)
    assert norm.is_unique


def test_gold_annotations(corpus: pd.DataFrame) -> None:
    gold = load_gold()
    assert len(gold) >= 200
    assert gold["id"].isin(corpus["id"]).all()
    assert gold["label"].nunique() == len(LABELS)
    for row_id, annotation in zip(gold["id"], gold["gold"], strict=True):
        assert gold_problems(annotation) == [], row_id
    flat = load_gold(flatten=True)
    assert {"gold.body_sites", "gold.symptoms.twitching"} <= set(flat.columns)


def test_gold_vocabularies_match_features(monkeypatch) -> None:
    # Loaded by path: the contract lives in _types.py, and importing the
    # fasciclf.features package would pull in spaCy.
    import importlib.util

    from fasciclf.data import _schema

    path = Path(__file__).resolve().parents[1] / "fasciclf" / "features" / "_types.py"
    spec = importlib.util.spec_from_file_location("_fasciclf_types_contract", path)
    types = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while building
    monkeypatch.setitem(sys.modules, spec.name, types)
    spec.loader.exec_module(types)
    for name in (
        "BODY_SITES",
        "LATERALITIES",
        "PROGRESSIONS",
        "SYMPTOMS",
        "SYMPTOM_STATUSES",
        "SEXES",
    ):
        assert getattr(_schema, name) == getattr(types, name), name


def test_guideline_present() -> None:
    text = (LABELED / "GUIDELINE.md").read_text(encoding="utf-8")
    for label in LABELS:
        assert f"`{label}`" in text
    for needle in (
        "Decision rules",
        "label_confidence",
        "alt_labels",
        "body_sites",
        "Bell's palsy",
        "claudication",
        "Tremor",
        "myasthenia",
        "Anxiety tingling",
    ):
        assert needle.lower() in text.lower(), needle


def test_datacard_present_and_current() -> None:
    text = (LABELED / "DATACARD.md").read_text(encoding="utf-8")
    for needle in (
        "Provenance",
        "Known gaps",
        "Intended use",
        "Out-of-scope",
        "CC BY 4.0",
        "synthetic",
    ):
        assert needle.lower() in text.lower(), needle
    assert update_datacard(LABELED / "DATACARD.md", check=True), (
        "DATACARD.md tables are stale: run `python -m fasciclf.data.card`"
    )


def test_labeled_dir_finds_checkout() -> None:
    assert (labeled_dir() / "corpus.jsonl").is_file()


# -- load_labeled ------------------------------------------------------------------


def test_load_labeled_splits() -> None:
    train, test = load_labeled("train"), load_labeled("test")
    assert set(train["split"]) == {"train"} and set(test["split"]) == {"test"}
    assert set(train["id"]).isdisjoint(test["id"])


def test_load_labeled_bad_arguments() -> None:
    with pytest.raises(ValueError, match="split must be one of train, test or None, got 'dev'"):
        load_labeled("dev")
    with pytest.raises(ValueError, match="challenge set has no train/test split"):
        load_labeled("test", challenge=True)
    with pytest.raises(ValueError, match="selection set has no train/test split"):
        load_labeled("train", selection=True)
    with pytest.raises(ValueError, match="load one set at a time"):
        load_labeled(challenge=True, selection=True)


def test_load_labeled_prefers_installed_copy(tmp_path: Path, monkeypatch) -> None:
    installed = tmp_path / "_labeled"
    installed.mkdir()
    shutil.copy(LABELED / "corpus.jsonl", installed / "corpus.jsonl")
    lines = (installed / "corpus.jsonl").read_text(encoding="utf-8").splitlines()[:5]
    (installed / "corpus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(
        load_module,
        "_candidate_dirs",
        lambda: [("installed package data", installed), ("repository checkout", LABELED)],
    )
    assert len(load_labeled()) == 5


def test_load_labeled_not_found_names_locations(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(
        load_module,
        "_candidate_dirs",
        lambda: [
            ("installed package data", tmp_path / "a"),
            ("repository checkout", tmp_path / "b"),
        ],
    )
    with pytest.raises(
        FileNotFoundError,
        match=r"Looked in installed package data: .*a/corpus"
        r"\.jsonl; repository checkout: .*b/corpus\.jsonl",
    ):
        load_labeled()


# -- validate ------------------------------------------------------------------------


def test_validate_accepts_good_table() -> None:
    assert validate(GOOD) is GOOD


def test_validate_missing_column() -> None:
    with pytest.raises(
        LabeledDataError,
        match=r"missing column 'label'; expected columns "
        r"'text', 'label', found 'id', 'text'",
    ):
        validate(MISSING_LABEL_COLUMN)


def test_validate_unknown_label_lists_allowed() -> None:
    with pytest.raises(
        LabeledDataError,
        match=r"unknown label 'carpal_tunnel' in column 'label' "
        r"\(row a2\); allowed labels: benign_fasciculation, cervical_radiculopathy"
        r".*, other",
    ):
        validate(UNKNOWN_LABEL)


def test_validate_empty_text() -> None:
    with pytest.raises(LabeledDataError, match=r"empty or whitespace-only 'text' in row a2"):
        validate(EMPTY_TEXT)


def test_validate_non_string_text() -> None:
    with pytest.raises(
        LabeledDataError,
        match=r"non-string 'text' in row a2: expected str, "
        r"found int",
    ):
        validate(NON_STRING_TEXT)


def test_validate_duplicate_id() -> None:
    with pytest.raises(LabeledDataError, match=r"duplicate id 'a1' on 2 rows \(positions 0, 1\)"):
        validate(DUPLICATE_ID)


def test_validate_duplicate_text() -> None:
    with pytest.raises(
        LabeledDataError,
        match=r"duplicate text in rows a1, a2 \(after "
        r"case/whitespace normalisation\): 'calf twitching'",
    ):
        validate(DUPLICATE_TEXT)


def test_validate_text_in_two_splits() -> None:
    with pytest.raises(
        LabeledDataError,
        match=r"text in two splits \(test, train\) in rows "
        r"a1, a2",
    ):
        validate(TWO_SPLITS)


def test_validate_custom_label_set() -> None:
    assert len(validate(CUSTOM, labels=["tremor", "cramp", "neuropathy"])) == 3
    assert len(validate(CUSTOM, labels=None)) == 3
    with pytest.raises(LabeledDataError, match=r"allowed labels: tremor, cramp$"):
        validate(CUSTOM, labels=["tremor", "cramp"])


def test_validate_names_rows_by_position_without_ids() -> None:
    with pytest.raises(LabeledDataError, match=r"unknown label 'neuropathy' .*\(row 2\)"):
        validate(CUSTOM, labels=["tremor", "cramp"])


def test_validate_custom_column_names() -> None:
    mine = CUSTOM.rename(columns={"text": "message", "label": "dx"})
    assert len(validate(mine, labels=None, text_col="message", label_col="dx")) == 3


def test_validate_require_split() -> None:
    with pytest.raises(LabeledDataError, match=r"missing column 'split'"):
        validate(GOOD, require_split=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"label_confidence": "maybe"},
            r"invalid label_confidence 'maybe' in row z1: expected one of clear, ambiguous",
        ),
        (
            {"label_confidence": "ambiguous"},
            r"label_confidence 'ambiguous' with empty alt_labels in row z1",
        ),
        ({"alt_labels": ["other"]}, r"label_confidence 'clear' with non-empty alt_labels"),
        ({"alt_labels": "other"}, r"invalid alt_labels in row z1: expected a list"),
        (
            {"label_confidence": "ambiguous", "alt_labels": ["benign_fasciculation"]},
            r"alt_labels repeat the row's own label in row z1",
        ),
        (
            {"label_confidence": "ambiguous", "alt_labels": ["bfs"]},
            r"unknown alt_label 'bfs' in row z1; allowed labels: benign_fasciculation",
        ),
        ({"sex": "F"}, r"invalid sex 'F' in row z1: expected one of female, male or null"),
        ({"age_band": "25"}, r"invalid age_band '25' in row z1: expected one of 0-9, 10-19"),
        (
            {"writer": "My Mom"},
            r"invalid writer 'My Mom' in row z1: expected 'self' or a "
            r"lowercase relation",
        ),
        (
            {"style": "casual"},
            r"invalid style 'casual' in row z1: expected one of standard, "
            r"non_native, informal, clinical",
        ),
        ({"split": "dev"}, r"invalid split 'dev' in row z1: expected one of train, test"),
        (
            {"gold": {**GOLD_OK, "laterality": "both"}},
            r"invalid gold in row z1: laterality 'both' not in left, right, bilateral, unspecified",
        ),
        (
            {"gold": {**GOLD_OK, "body_sites": ["leg", "calf"]}},
            r"invalid gold in row z1: body_sites \['calf'\] not in head_face",
        ),
    ],
)
def test_validate_optional_columns(change: dict, message: str) -> None:
    frame = pd.DataFrame([{**FULL_ROW, **change}])
    with pytest.raises(LabeledDataError, match=message):
        validate(frame)


def test_validate_reports_all_problems_at_once() -> None:
    bad = GOOD.assign(id=["a1", "a1", "a3"], text=["x", "", "y"])
    with pytest.raises(LabeledDataError) as info:
        validate(bad)
    assert len(info.value.problems) == 2
    assert str(info.value).startswith("2 problems:")


def test_validate_rejects_wrong_type() -> None:
    with pytest.raises(TypeError, match="expects a pandas.DataFrame or a file path, got list"):
        validate([{"text": "x", "label": "other"}])


def test_validate_gold_ok() -> None:
    assert len(validate(pd.DataFrame([{**FULL_ROW, "gold": GOLD_OK}]))) == 1


# -- read_table ----------------------------------------------------------------------


def test_read_table_formats(tmp_path: Path) -> None:
    GOOD.to_csv(tmp_path / "t.csv", index=False)
    GOOD.to_csv(tmp_path / "t.tsv", index=False, sep="\t")
    GOOD.to_json(tmp_path / "t.jsonl", orient="records", lines=True, force_ascii=False)
    GOOD.to_json(tmp_path / "t.json", orient="records", force_ascii=False)
    for name in ("t.csv", "t.tsv", "t.jsonl", "t.json"):
        frame = validate(tmp_path / name)
        assert frame["text"].tolist() == GOOD["text"].tolist(), name


def test_read_table_csv_parses_alt_labels_and_keeps_empty_text(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text(
        "id,text,label,alt_labels,sex\n1,NA,other,a|b,\n2,,other,,male\n", encoding="utf-8"
    )
    frame = read_table(tmp_path / "a.csv")
    assert frame["text"].tolist() == ["NA", ""]
    assert frame["alt_labels"].tolist() == [["a", "b"], []]
    assert frame["sex"].tolist() == [None, "male"]


def test_read_table_unknown_extension(tmp_path: Path) -> None:
    (tmp_path / "data.xlsx").write_bytes(b"x")
    with pytest.raises(
        LabeledDataError,
        match=r"unknown extension '\.xlsx'; expected one of "
        r"\.csv, \.tsv, \.jsonl, \.json",
    ):
        read_table(tmp_path / "data.xlsx")


def test_read_table_bad_encoding(tmp_path: Path) -> None:
    (tmp_path / "latin.csv").write_bytes("text,label\ncaf\xe9 cramps,other\n".encode("latin-1"))
    with pytest.raises(LabeledDataError, match=r"latin\.csv line 2: 'text' is not valid UTF-8"):
        read_table(tmp_path / "latin.csv")


def test_read_table_bad_json_line(tmp_path: Path) -> None:
    (tmp_path / "x.jsonl").write_text(
        '{"text": "a", "label": "other"}\n\n{"text": "b",\n', encoding="utf-8"
    )
    with pytest.raises(LabeledDataError, match=r"x\.jsonl line 3: invalid JSON"):
        read_table(tmp_path / "x.jsonl")
    (tmp_path / "y.jsonl").write_text('["text"]\n', encoding="utf-8")
    with pytest.raises(LabeledDataError, match=r"line 1: expected a JSON object, got list"):
        read_table(tmp_path / "y.jsonl")


def test_read_table_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such labeled file"):
        read_table(tmp_path / "nope.csv")


# -- near duplicates, split and build ----------------------------------------------


def test_near_duplicates_within_and_between() -> None:
    texts = [r["text"] for r in PART_B]
    within = near_duplicates(texts)
    assert set(zip(within["i"], within["j"], strict=True)) == {(0, 1), (0, 2), (1, 2)}
    assert (within["i"] < within["j"]).all()
    between = near_duplicates(texts[3:], texts)
    assert between[["i", "j"]].values.tolist() == [[0, 3]]
    assert between["jaccard"].tolist() == [1.0]
    assert near_duplicates([], texts).empty
    with pytest.raises(ValueError, match="threshold must be in"):
        near_duplicates(texts, threshold=0)
    with pytest.raises(TypeError, match="position 1 is NoneType"):
        near_duplicates(["a", None])


def test_assign_split_is_deterministic_and_stratified() -> None:
    # texts share no 5-gram, so no two rows are grouped
    frame = pd.DataFrame(
        {
            "id": [f"s-{i:03d}" for i in range(40)],
            "text": [chr(0x4E00 + 7 * i) * 6 for i in range(40)],
            "label": ["a"] * 20 + ["b"] * 20,
        }
    )
    split = assign_split(frame)
    shuffled = assign_split(frame.sample(frac=1, random_state=3)).sort_index()
    assert split.equals(shuffled)
    assert (split == "test").groupby(frame["label"]).sum().tolist() == [5, 5]


def test_assign_split_keeps_earlier_splits() -> None:
    def frame(n: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "id": [f"s-{i:03d}" for i in range(n)],
                "text": [chr(0x4E00 + 7 * i) * 6 for i in range(n)],
                "label": ["a"] * n,
            }
        )

    old = assign_split(frame(40))
    grown = frame(80)
    kept = assign_split(grown, keep=dict(zip(grown["id"][:40], old, strict=True)))
    assert kept[:40].equals(old)
    assert (kept == "test").sum() == 20  # new rows fill the rest of the quota
    # a new text that joins a kept train row and a kept test row: the group
    # goes to train, so no earlier training row becomes a test row
    base = "my left calf twitches every evening after work and on weekends too"
    mixed = pd.DataFrame(
        {
            "id": ["g1", "g2", "g3"],
            "text": [base, base + " honestly", base + " sadly"],
            "label": ["a"] * 3,
        }
    )
    split = assign_split(mixed, keep={"g1": "test", "g2": "train"})
    assert split.tolist() == ["train", "train", "train"]


def test_assign_split_keeps_similar_texts_together() -> None:
    base = "my left calf twitches every evening after work and on weekends too"
    frame = pd.DataFrame(
        {
            "id": ["g1", "g2", "g3", "g4"],
            "text": [base, base + " honestly", "numb thumb", "sore neck"],
            "label": ["a", "a", "a", "a"],
        }
    )
    split = assign_split(frame, test_size=0.5)
    assert split.iloc[0] == split.iloc[1]


def test_build_corpus_on_parts(tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    # c before b on disk order does not matter: parts are sorted, rows sorted by id
    (parts / "w2.jsonl").write_text(
        "\n".join(json.dumps(r) for r in PART_C) + "\n", encoding="utf-8"
    )
    (parts / "w1.jsonl").write_text(
        "\n".join(json.dumps(r) for r in PART_B) + "\n", encoding="utf-8"
    )
    (tmp_path / "challenge.jsonl").write_text(
        json.dumps(CHALLENGE_ROWS[0]) + "\n", encoding="utf-8"
    )
    out = tmp_path / "corpus.jsonl"
    report = build_corpus(parts, out, tmp_path / "challenge.jsonl")
    assert report.exact_duplicates == [("b-0002", "b-0001")]
    assert [d[:2] for d in report.near_duplicates] == [("b-0003", "b-0001")]
    assert [d[:2] for d in report.challenge_overlaps] == [("c-0001", "ch-0001")]
    written = read_table(out)
    assert written["id"].tolist() == ["b-0001", "b-0004", "c-0002"]
    assert written["split"].isin(["train", "test"]).all()
    first = out.read_bytes()
    report = build_corpus(parts, out, tmp_path / "challenge.jsonl")
    assert out.read_bytes() == first
    assert report.kept_splits == 3 and report.moved == []


def test_build_rejects_duplicate_ids_across_parts(tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    for name in ("w1.jsonl", "w2.jsonl"):
        (parts / name).write_text(json.dumps(PART_B[0]) + "\n", encoding="utf-8")
    with pytest.raises(LabeledDataError, match=r"duplicate ids across parts: b-0001 \(w1\.jsonl\)"):
        build_corpus(parts, None, None)


# -- data card -----------------------------------------------------------------------


def test_card_check_detects_stale_tables(tmp_path: Path, capsys) -> None:
    for name in ("corpus.jsonl", "challenge.jsonl", "DATACARD.md"):
        shutil.copy(LABELED / name, tmp_path / name)
    card = tmp_path / "DATACARD.md"
    assert card_main(["--check", str(card)]) == 0
    text = card.read_text(encoding="utf-8")
    card.write_text(
        re.sub(r"\| \*\*total\*\* \| \d+", "| **total** | 1", text, count=1), encoding="utf-8"
    )
    assert card_main(["--check", str(card)]) == 1
    assert "stale" in capsys.readouterr().err
    assert card_main([str(card)]) == 0
    assert card.read_text(encoding="utf-8") == text
    card.write_text("no markers here\n", encoding="utf-8")
    assert card_main(["--check", str(card)]) == 2
