"""The timeline stage: time expressions, episodes and the fields derived from them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from fasciclf.features import SymptomFeatures, extract
from fasciclf.features._dates import default_time_table, find_time_expressions, parse_time_table
from fasciclf.features._resources import ResourceError
from fasciclf.features._timeline import apply_timeline
from fasciclf.features._types import Episode

CASES = json.loads(
    (Path(__file__).parent / "regression" / "timeline_cases.json").read_text("utf-8")
)["cases"]


def _words(text: str) -> list[str]:
    return [t.lower_ for t in spacy.blank("en")(text)]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_timeline_case(case):
    f = extract(case["text"])
    for name, expected in case["expect"].items():
        got = getattr(f, name)
        if isinstance(got, tuple):
            got = list(got)
        if isinstance(expected, int | float) and got is not None and not isinstance(got, bool):
            assert abs(got - expected) <= 0.1 * max(expected, 1), (name, got, expected)
        else:
            assert got == expected, (name, got, expected)
    if "days" in case:
        days = [e.days_before_writing for e in f.timeline]
        assert len(days) == len(case["days"]), days
        for got, expected in zip(days, case["days"], strict=True):
            if expected is None:
                assert got is None
            else:
                assert got is not None and abs(got - expected) <= 0.1 * max(expected, 10)


def test_cases_have_three_dated_events_somewhere():
    dated = [c for c in CASES if sum(d is not None for d in c.get("days", [])) >= 3]
    assert len(dated) >= 3


def test_packaged_literals_are_spacy_tokens():
    nlp = spacy.blank("en")
    for rec in default_time_table().records:
        assert " ".join(t.lower_ for t in nlp(rec.literal)) == rec.literal, rec.literal


@pytest.mark.parametrize(
    ("record", "match"),
    [
        ({"literal": "easter", "kind": "feast"}, "kind='feast' is not allowed; expected one of"),
        ({"literal": "easter", "kind": "holiday", "value": 4, "colour": 1}, "unknown key.*colour"),
        ({"literal": "then", "kind": "sequence", "value": "maybe"}, "expected one of start"),
        ({"literal": "Easter", "kind": "holiday", "value": 4}, "lower-case"),
        ({"literal": "easter", "kind": "holiday", "value": "april"}, "numeric value"),
    ],
)
def test_bad_records_are_rejected(record, match):
    with pytest.raises(ResourceError, match=match):
        parse_time_table({"records": [record]})


def test_duplicate_literal_rejected():
    rec = {"literal": "now", "kind": "now"}
    with pytest.raises(ResourceError, match="duplicate literal 'now'"):
        parse_time_table({"records": [rec, rec]})


@pytest.mark.parametrize(
    ("text", "kind", "days"),
    [
        ("three weeks ago", "ago", 21.0),
        ("a couple of months later", "after_prev", 60.0),
        ("over the next few months", "after_prev", 90.0),
        ("for the past 2 weeks", "ago", 14.0),
        ("since childhood", "ago", 3650.0),
        ("last week", "ago", 7.0),
    ],
)
def test_relative_expressions(text, kind, days):
    (expr,) = find_time_expressions(_words(text))
    assert (expr.kind, expr.days) == (kind, days)


@pytest.mark.parametrize(
    ("text", "month", "year", "offset"),
    [
        ("in mid-june 2015", 6.5, 2015, None),
        ("last october", 10.5, None, -1),
        ("by early march", 3.2, None, None),
        ("around christmas", 12.8, None, None),
        ("in the fall", 10.0, None, None),
    ],
)
def test_dates(text, month, year, offset):
    exprs = [e for e in find_time_expressions(_words(text)) if e.kind == "absolute"]
    assert len(exprs) == 1
    assert (exprs[0].month, exprs[0].year, exprs[0].year_offset) == (month, year, offset)


@pytest.mark.parametrize("text", ["i may go", "things march on", "i fall a lot"])
def test_guarded_words_are_not_dates(text):
    assert [e for e in find_time_expressions(_words(text)) if e.kind == "absolute"] == []


def test_reader_is_linear_in_length():
    # growth ratio, not time: expressions found scale with the text
    unit = _words("In March my calf twitched. Two months later my hand was weak. ")
    small = find_time_expressions(unit * 50)
    large = find_time_expressions(unit * 500)
    assert len(large) == 10 * len(small)


def test_round_trip_and_html_escape():
    f = extract("Around Easter my <b>calf</b> twitched. Now, in June, my hand is weak too.")
    assert f.timeline and f.timeline[0].evidence[0] == "Easter"
    back = SymptomFeatures.from_dict(json.loads(f.to_json()), text=f.text)
    assert back.timeline == f.timeline
    assert (back.onset_site, back.spread, back.fluctuating) == (
        f.onset_site,
        f.spread,
        f.fluctuating,
    )
    page = f._repr_html_()
    assert "timeline" in page and "<b>calf" not in page


def test_apply_timeline_keeps_stated_duration_and_empty_doc():
    nlp = spacy.blank("en")
    f = extract("My calves have twitched for two months. Now my hand is weak too.")
    assert apply_timeline(f, nlp(f.text)).duration_days == f.duration_days == 60.0
    empty = SymptomFeatures()
    assert apply_timeline(empty, nlp("")) is empty


def test_episode_from_dict_rejects_missing_order():
    with pytest.raises(KeyError, match="order"):
        Episode.from_dict({"concepts": []})


@pytest.mark.parametrize(
    "text",
    [
        # relief, not course: what eases a symptom says nothing of how it has gone
        "My grandmother is 80 and still gardens every morning. Since the winter her right "
        "hand has gone numb at night. Her friend said it was arthritis. The nurse said maybe "
        "a trapped nerve at the wrist. She still does her crossword. She still bakes on "
        "Sundays. She worries about her sister. Nothing helps the numbness at night, and it "
        "is better if she sleeps with the arm straight.",
        # a closing question is not a statement of the course
        "My left calf has twitched since May. It jumps in the evening. The GP found nothing. "
        "My strength is fine. I still run. I still cycle. I sleep badly. Does it get better?",
        # a short letter has no story whose end is its present
        "My eyelids droop by the evening and I see double. In the morning it is better.",
    ],
)
def test_closing_statements_that_are_not_a_course(text):
    assert extract(text).progression != "improving"


def test_a_headache_told_beside_the_story_is_no_region_it_spread_to():
    f = extract(
        "In March my left calf started twitching. By May my arms were twitching too. "
        "I also get headaches most afternoons."
    )
    assert "head_face" in f.body_sites  # the headache is still a site with pain
    assert f.onset_site == "leg"
    assert f.spread == ("leg", "arm")


def test_a_headache_told_later_is_no_growth_of_the_course():
    text = (
        "In March my left calf started twitching, the same spot every evening. "
        "In June I started getting headaches in the afternoons."
    )
    assert extract(text).progression != "progressive"


@pytest.mark.parametrize(
    ("text", "fatigable"),
    [
        ("In the evening my arms won't stay up. By 4 o'clock holding the phone is hard.", True),
        ("By teatime her eyelid droops and she can't keep it up.", True),
        ("My right hand is weak when I wake up and by lunchtime it is much better.", False),
        ("His grip is weak first thing and it eases as the day goes on.", False),
    ],
)
def test_within_day_course_direction_decides_fatigability(text: str, fatigable: bool) -> None:
    # worse later in the day is fatigability (myasthenia); weak on waking and
    # better later is the other way round (a nerve root compressed at night)
    assert ("fatigability" in extract(text).extra_present) is fatigable
