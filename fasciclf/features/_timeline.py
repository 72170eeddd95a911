"""The time course read as a clinician reads a history.

A self-contained stage: it takes the lower-cased tokens of a text (with their
offsets) and the :class:`Finding` records of the earlier stages, and returns
the story as ordered :class:`Episode` records, each dated relative to the
time of writing when the text allows it. Duration, progression, onset site,
spread and within-day fluctuation are then derived from that story
(:func:`apply_timeline`).

Sentences are cut where a time expression or sequence marker starts
("First my left foot got weak, | a few months later my right hand"); the
findings in each piece form one step. A month or season is placed only from
clues in the text (a month said together with "now"); never from today's date.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
from dataclasses import dataclass

from fasciclf.features._ages import age_steps
from fasciclf.features._dates import TimeExpr, TimeTable, find_time_expressions
from fasciclf.features._diary import MIN_HEADINGS, weekday_headings
from fasciclf.features._episodes import (
    ANAPHORA,
    STEP_CONCEPTS,
    find_steps,
    part_at,
    sentence_words,
    site_words,
)
from fasciclf.features._improvement import improved_concepts, told_as_loss
from fasciclf.features._placing import (
    DIARY_ENTRIES,
    now_sentences,
    offsets_from_named_events,
    place_steps,
    place_story,
    writing_anchor,
    years_told_before,
)
from fasciclf.features._tokens import (
    SENTENCE_END,
    first_position,
    sentence_ids,
    sentences_with,
    token_view,
    word_positions,
)
from fasciclf.features._types import Episode, Finding, SymptomFeatures
from fasciclf.features._wordlists import default_wordlists

__all__ = ["Timeline", "apply_timeline", "read_timeline"]

# How many closing statements tell the course at the time of writing: the
# end of a story is its present (chosen on the training narratives: 2 and 3
# read improvement equally; 3 also reaches a last line after a sign-off).
CLOSING_SENTENCES = 3
# ... and only in a story: a letter shorter than this has no end that is its present
STORY_SENTENCES = 8
SHORT_STORY = 5
# "worried it will spread", "hasn't spread": a feared or denied course is no cue.
_NOT_SO = frozenset(
    "will might could may would gonna worried afraid scared fear fearing if not n't no never nor "
    "hasn't hasnt haven't havent didn't didnt won't wont".split()
)


_TIRING = frozenset(
    "weakness fatigue fatigability heaviness ptosis diplopia bulbar dysarthria dysphagia "
    "head_drop facial_weakness function_loss dexterity_loss foot_drop falls".split()
)


@dataclass(frozen=True)
class Timeline:
    """What the stage read: the steps and the cues for the derived fields."""

    episodes: tuple[Episode, ...]
    spread_cue: bool
    fluctuating: bool
    now_course: str | None = None
    # The same, told in a sentence about the symptoms: what it takes to undo
    # a worsening ("weaker by July ... we have settled into the new house now").
    now_course_told: str | None = None
    # The story dates its start: two steps dated apart, or its first step
    # dated (by a calendar anchor, or "two weeks ago" said of one finding).
    start_dated: bool = False
    # A worse course told at a dated or sequenced point of the story.
    worse_told: bool = False
    # A within-day course of a tiring symptom that goes the fatigable way.
    worse_later: bool = False
    # The steps are dated from the story's last scene, not from a named present.
    story_clock: bool = False
    # The sentence of the first finding names a day or two back ("Yesterday
    # afternoon her left arm went weak"): that day opens the story.
    news_opens_story: bool = False
    # The sentences that give an improving course at the time of writing.
    now_course_at: frozenset[int] = frozenset()
    # A doing taken up, left off or changed at a dated step after the first
    # finding, or at two such steps: the body's course told through habits.
    habit_changed: bool = False


def _sentence_of(f: Finding, starts: list[int], sent: list[int]) -> int:
    """Sentence id of the token where finding ``f`` starts."""
    return sent[max(bisect.bisect_right(starts, f.start) - 1, 0)]


def _closing_sentences(
    sent: list[int], about_symptoms: set[int], questions: set[int], k: int = CLOSING_SENTENCES
) -> set[int]:
    """The last ``k`` statements of the story that are about the symptoms.

    A history is told in order, so where it ends is the time of writing
    ("... splint helping a bit" as the last diary entry). Questions are left
    out: "does anyone get better?" says nothing of the course.
    """
    told = [s for s in dict.fromkeys(sent) if s not in questions]
    if len(told) < SHORT_STORY:
        return set()  # a short letter has no story whose end is its present
    if len(told) < STORY_SENTENCES:
        k = 1  # a short story ends in its present: "... shes on tablets and its settling."
    return {s for s in told[-k:] if s in about_symptoms}


# "better when I put ice on it", "nothing helps", "less if I stretch": what
# relieves a symptom, not how its course has gone.
_RELIEF_AFTER = default_wordlists()["relief_after"]
_RELIEF_BEFORE = default_wordlists()["relief_before"]
# time expressions that place a sentence in the story
_STORY_TIME = frozenset({"absolute", "after_prev", "ago", "sequence"})
_AGGRAVATION_AFTER = default_wordlists()["aggravation_after"]
_DAY_START = default_wordlists()["day_start_words"]
_GOOD_STATE = default_wordlists()["good_state_words"]
_NOT = frozenset({"not", "n't", "never", "no"})
_HABIT_NOT_SO = _NOT_SO - {"would"}
_LIST_OR = frozenset({"or", "nor"})
# how far back a denial or fear reaches a course word: "not ... worse";
# "it doesn't get better with rest or worse in the evening" (a list) further
_DENIAL_REACH, _LIST_DENIAL_REACH = 4, 10
_NOW_NOT_SO_REACH = 3
_PART_REACH = 4  # "my left leg is going the same way"
_NO_TROUBLE = frozenset({"problem", "problems", "trouble", "bother"})
# "By evening her lid sagged. The telly split in two. The GP said screens.
# In the mornings she is fine.": the good morning is told a little later
_MORNING_AFTER = 5
_EVERY = frozenset({"every", "each"})
_DAY_END = frozenset({"evening", "evenings", "night", "nights", "afternoon", "afternoons"})
_NO_TROUBLE_REACH = 4  # tokens before the morning word: "no problem in the morning"


def _denial_reach(words: list[str], start: int) -> int:
    """First token that may deny or fear the course word at ``start``."""
    if _LIST_OR.intersection(words[max(start - 3, 0) : start]):
        return max(start - _LIST_DENIAL_REACH, 0)
    return max(start - _DENIAL_REACH, 0)


def _spread_said(words, sent, e: TimeExpr, said_of_symptoms, finding_sents: set[int]) -> bool:
    """A spread word said of the symptoms.

    A travel word ("moved to", "went to", "reached") is said of people as
    often as of symptoms ("since moving to London", "went to the GP"): it
    counts only when a body part is what it goes to ("it went to my
    shoulder", "moved into the other hand").
    """
    if e.value == "travel" and not part_at(words, e.end):
        return False
    parts = site_words()
    # "now my left leg is going the same way": a body part going the way of
    # the symptoms is said of them
    part_before = {
        sent[k]
        for k in range(max(e.start - _PART_REACH, 0), e.start)
        if words[k] in parts and sent[k] == sent[e.start]
    }
    return said_of_symptoms(e, finding_sents | part_before)


def _feared(
    words: list[str], start: int, not_so: frozenset[str] = _NOT_SO, reach: int | None = None
) -> bool:
    """The course word at ``start`` is denied, feared or still to come.

    "not getting worse", "worried it will spread", "I'm scared it's going to
    get worse": none of them is the course of the symptoms. ``reach``: how
    many tokens back to look (a denial's reach by default).
    """
    first = _denial_reach(words, start) if reach is None else max(start - reach, 0)
    window = words[first:start]
    if not_so.intersection(window):
        return True
    return any(w == "going" and nxt == "to" for w, nxt in itertools.pairwise(window))


_ONE_SIDE = frozenset({"left", "right"})
_QUESTION_MARK = frozenset({"?"})
_BOTH_REACH = 4  # "then, a few weeks on, both hands"
_STEP_KINDS = frozenset({"sequence", "after_prev", "absolute", "now"})


def _later_step(e: TimeExpr) -> bool:
    """A time expression that moves the story on ("then", "in June", "now"), not its start."""
    return e.kind in _STEP_KINDS and not (e.kind == "sequence" and e.value == "start")


def _both_later(words: list[str], sent: list[int], exprs: list[TimeExpr]) -> bool:
    """A later step of the story names both of a pair after one side was told:
    "first my right calf, then both calves": the other side joined."""
    one_side = first_position(words, _ONE_SIDE)
    for e in exprs:
        if not _later_step(e) or one_side is None or one_side > e.start:
            continue  # one side told before both
        for k in range(e.end, min(e.end + _BOTH_REACH, len(words))):
            if sent[k] != sent[e.start]:
                break
            if words[k] == "both" and part_at(words, k + 1):
                return True
    return False


_OPPOSITE = {"left": "right", "right": "left"}  # the sides of _ONE_SIDE
# wandering twitches and cramps ("my left calf last week, now the right one")
# are the guideline's open question, not a spread
_WANDERING = frozenset({"twitching", "cramps"})


def _other_side_later(
    words: list[str], sent: list[int], exprs: list[TimeExpr], told_in: list[tuple[Finding, int]]
) -> bool:
    """A later step of the story names the other side after one side was told:
    "my left hand went weak in March; in June my right hand went too", "first
    my left hand, then my right hand" (one hand, then the other: the
    guideline's spread, in the same region)."""
    sides = word_positions(words, _ONE_SIDE)
    if not sides:
        return False  # most texts name no side: one set intersection, in C
    # the first side told with a symptom that is no wandering twitch
    told = {s_id for f, s_id in told_in if f.status == "present" and f.concept not in _WANDERING}
    first = next((k for k in sides if sent[k] in told and _region_at(words, k + 1)), None)
    if first is None:
        return False
    other = _OPPOSITE[words[first]]
    # the same region on the other side: an eye that blurred and cleared,
    # then the other leg, are attacks in two places, not one spreading
    region = _region_at(words, first + 1)
    for e in exprs:
        if e.start <= first or not _later_step(e):
            continue
        # the other side told right after the step ("in June my right hand
        # went too", "then my right hand"), not "my right hand is still fine"
        for k in range(e.end, min(e.end + _OTHER_SIDE_REACH, len(words) - 1)):
            if sent[k] != sent[e.start]:
                break
            if words[k] == other and _region_at(words, k + 1) == region:
                rest = words[k : bisect.bisect_right(sent, sent[k])]
                # "now I use my right hand for everything": the good side
                if _SIDE_FINE.isdisjoint(rest) and _SIDE_USED.isdisjoint(words[e.end : k]):
                    return True
    return False


# "too", "also", "as well": a symptom or a place added to the ones told
_ADDED = frozenset({"too", "also", "well"})
# "too" that ends its clause adds ("my thighs were twitching too."); "too
# weak to lift the kettle" is a degree
_CLAUSE_END = SENTENCE_END | frozenset({",", ";", ":", "-", "and", "but", "now", "by"})
_GOT_BETTER = frozenset("better easier eased gone settled settles fine normal".split())


def _added_later(
    words: list[str], sent: list[int], exprs: list[TimeExpr], told_in: list[tuple[Finding, int]]
) -> bool:
    """A later step of the story adds a symptom or a place to the ones told
    before: "My left calf started in March. By the summer my thighs were
    twitching too", "in April my fingertips went numb as well", "These days
    it's his thighs as well" (the guideline's "now also": a new site or
    symptom added over time). Without a step ("my calves twitch, my thighs
    too") the places are told together, not one after the other."""
    adds = [k for k in word_positions(words, _ADDED) if _adds(words, k)]
    if not adds:
        return False  # most texts add nothing: one set intersection, in C
    by_sent: dict[int, set[str]] = {}
    for f, s_id in told_in:
        if f.status == "present":
            by_sent.setdefault(s_id, set()).add(f.concept)
    if not by_sent:
        return False
    first = min(by_sent)
    steps = {sent[e.start] for e in exprs if _later_step(e)}
    parts = site_words()
    # the body parts and symptoms told before each sentence, gathered as the
    # sentences are met in order: one pass over the text, however many adds
    parts_before: set[str] = set()
    told_before: set[str] = set()
    read_to, s_done = 0, first
    for s in sorted({sent[k] for k in adds if sent[k] > first and sent[k] in steps}):
        lo = bisect.bisect_left(sent, s, read_to)
        parts_before.update(words[read_to:lo])
        read_to = lo
        for s_id in range(s_done, s):
            told_before |= by_sent.get(s_id, set())
        s_done = s
        ws = sentence_words(words, sent, lo)
        if not _GOT_BETTER.isdisjoint(ws):
            continue  # "by May the right one was fine too"
        # what is added is new: a body part not named before, or a symptom
        # not told before ("the lads have noticed the shake too" adds people)
        new_part = bool((ws & parts.keys()) - parts_before)
        concepts = by_sent.get(s, set())
        # a symptom told in the sentence, or one referred back to at a new
        # place ("now it's my thighs as well")
        if (concepts and (new_part or concepts - told_before)) or (new_part and ws & ANAPHORA):
            return True
    return False


def _adds(words: list[str], k: int) -> bool:
    """Whether the word at ``k`` adds: "as well", "too" ending its clause, "also"."""
    if words[k] == "well":
        return k > 0 and words[k - 1] == "as"
    if words[k] == "too":
        return k + 1 >= len(words) or words[k + 1] in _CLAUSE_END
    return True


def _region_at(words: list[str], k: int) -> str | None:
    """The region of the body part named at ``k`` ("hand" for "hand", "leg" for "calf")."""
    return site_words().get(words[k]) if k < len(words) else None


_OTHER_SIDE_REACH = 4  # "then, a few weeks on, my right hand"
_SIDE_FINE = frozenset("fine normal ok okay strong not n't no never still unaffected good".split())
_SIDE_USED = frozenset(
    "use uses used using with switched switch favour favor favours favors".split()
)


def _relief(words: list[str], e: TimeExpr) -> bool:
    after = words[e.end : e.end + 2]
    before = words[max(e.start - 2, 0) : e.start]
    if e.value == "worse" and after and after[0] in _AGGRAVATION_AFTER:
        return True  # "worse at night", "worse after a shift": what brings it on
    if e.value == "improving" and _after_rest(words, e):
        return True  # "after a proper rest I'm nearly back to normal": fatigability
    if e.value == "improving" and "ice" in words[max(e.start - _ICE_REACH, 0) : e.start]:
        return True  # "an ice pack on the eyelid for two minutes and it was better": a test
    return bool(_RELIEF_AFTER.intersection(after) or _RELIEF_BEFORE.intersection(before))


_REST = default_wordlists()["rest_words"]
_REST_REACH = 6
_ICE_REACH = 12


def _after_rest(words: list[str], e: TimeExpr) -> bool:
    """A rest told with "after" near a word of getting better ("better after a lie down")."""
    lo, hi = max(e.start - _REST_REACH, 0), min(e.end + _REST_REACH, len(words))
    for k in range(lo, hi):
        if words[k] in _REST and "after" in words[max(k - 3, 0) : k]:
            return not SENTENCE_END.intersection(words[min(k, e.start) : max(k, e.end)])
    return False


_COMPARISON_REACH = 4  # "less full than the right", "a bit worse than the left one"
_OTHER_SIDE = frozenset({"left", "right", "other", "others"})


def _side_comparison(words: list[str], sent: list[int], e: TimeExpr) -> bool:
    """The course word compares one side with the other ("my left calf looks
    less full than the right"), not the symptoms now with before."""
    hi = min(bisect.bisect_right(sent, sent[e.start]), e.end + _COMPARISON_REACH)
    k = next((i for i in range(e.end, hi) if words[i] == "than"), None)
    return k is not None and not _OTHER_SIDE.isdisjoint(words[k + 1 : k + 4])


def _now_course(
    words: list[str],
    exprs: list[TimeExpr],
    sent: list[int],
    now_sents: set[int],
    about: set[int] | None,
) -> tuple[str | None, int | None]:
    """How the symptoms are at the time of writing, and the sentence that gives it.

    With ``about``, only a sentence about the symptoms or a short one ("Much
    better now.") tells it: "we have settled into the new house now" does not.
    """
    said = [
        (sent[e.start], e.value)
        for e in exprs
        if e.kind == "course"
        and sent[e.start] in now_sents
        and (about is None or sent[e.start] in about or _short_sentence(words, sent, e.start))
        # "it's now May and it's worse", "it might be a bit better": the
        # present is told close to its course word
        and not _feared(words, e.start, reach=_NOW_NOT_SO_REACH)
        and not _relief(words, e)
        and not (e.value == "improving" and told_as_loss(words, e.start, e.end, sent))
        and not (e.value == "improving" and _side_comparison(words, sent, e))
    ]
    # the story's last word on its course is the present: "by July it was
    # weaker ... it's now September and the arm is better"
    last = max((s for s, _ in said), default=None)
    values = {v for s, v in said if s == last}
    return (values.pop(), last) if len(values) == 1 else (None, None)


def _undated_now(st) -> bool:
    return st.expr is not None and st.expr.kind == "now" and not st.days


def read_timeline(
    words: list[str],
    starts: list[int],
    ends: list[int],
    text: str,
    findings: tuple[Finding, ...],
    *,
    table: TimeTable | None = None,
    sent: list[int] | None = None,
    spans: tuple[tuple[int, float], ...] = (),
    sites: tuple[tuple[int, str], ...] | None = None,
) -> Timeline:
    """Read the ordered steps of the story from tokens and findings.

    Parameters
    ----------
    words : list of str
        Lower-cased tokens; ``starts`` and ``ends`` are their character offsets.
    text : str
        The text the offsets index (for the evidence strings).
    findings : tuple of Finding
        Output of the earlier stages; only ``present`` ones make steps.
    sent : list of int, optional
        Sentence index per token; split at . ! ? ; and line breaks otherwise.
    spans : tuple of (int, float), optional
        Stated lengths of the symptoms (character offset, days) that count
        back from their scene ("for about a year").
    sites : tuple of (int, str), optional
        Token and region of each site term the sites stage kept; without
        them, body-part words are read one by one.
    """
    if sent is None:
        sent = sentence_ids(words)
    exprs = find_time_expressions(words, table)
    ages = age_steps(words, exprs)
    if ages:
        exprs = sorted([*exprs, *ages], key=lambda t: t.start)
    exprs = years_told_before(weekday_headings(words, exprs), sent, words)
    exprs = offsets_from_named_events(exprs, sent, words)
    exprs = [
        e for e in exprs if not _after_a_doing(words, e) and not _compared_with(words, sent, e)
    ]
    steps = find_steps(words, sent, exprs, findings, starts, sites)
    now_sents = now_sentences(words, exprs, sent)
    # the sentence of each finding, found once for the many sets below
    told_in = [(f, _sentence_of(f, starts, sent)) for f in findings]
    finding_sents = {s_id for f, s_id in told_in if f.status == "present"}
    w_month, w_year = writing_anchor(exprs, sent, now_sents, words, finding_sents)
    place_steps(steps, w_month, w_year, exprs, words, sent)
    # a story told up to a last scene that names no present is written then
    # "he keeps a tissue in his hand now ... At the christening in August I
    # watched his tongue": an undated "now" told before the last scene is the
    # present of a story written at that scene (one told after it still
    # leaves the time unknown: story_anchor)
    told_now = [st.days for st in steps]
    story_clock = (
        w_month is None
        and all(st.days is None or _undated_now(st) for st in steps)
        and place_story(steps, exprs, words, sent)
    )
    if not story_clock:
        for st, days in zip(steps, told_now, strict=True):
            st.days = days
    _span_back(steps, spans, words, starts, sent)
    episodes = tuple(
        Episode(
            order=i,
            concepts=tuple(dict.fromkeys(st.concepts)),
            body_sites=tuple(dict.fromkeys(st.sites)),
            days_before_writing=st.days,
            evidence=None
            if st.expr is None
            else (
                text[starts[st.expr.start] : ends[st.expr.end - 1]],
                starts[st.expr.start],
                ends[st.expr.end - 1],
            ),
        )
        for i, st in enumerate(steps)
    )
    anaphora_sents = sentences_with(words, sent, ANAPHORA)
    # "She hasn't had a cramp since Easter": a symptom of the story denied at
    # its end tells how it is now
    present = {f.concept for f in findings if f.status == "present"}
    gone_sents = {s_id for f, s_id in told_in if f.status == "absent" and f.concept in present}

    # "twitches more in the evening" is no fatigability: a within-day course
    # counts in a sentence about a loss of strength, the eyes or speech
    tiring_sents = {s_id for f, s_id in told_in if f.status == "present" and f.concept in _TIRING}

    def said_of_symptoms(e: TimeExpr, about: set[int], not_so: frozenset[str] = _NOT_SO) -> bool:
        # in a sentence about the symptoms, or one that refers back ("it
        # spread"), and not feared or denied ("worried it will spread")
        return (
            sent[e.start] in about or bool(sentence_words(words, sent, e.start) & ANAPHORA)
        ) and not _feared(words, e.start, not_so)

    def cue(kind: str) -> bool:
        if kind == "spread":
            return any(
                e.kind == kind and _spread_said(words, sent, e, said_of_symptoms, finding_sents)
                for e in exprs
            )
        if kind != "fluctuation":
            return any(e.kind == kind and said_of_symptoms(e, finding_sents) for e in exprs)
        # a within-day course is told of a tiring symptom or right after it
        # ("chewing tires him. Always worse in the evening"); "would" tells a
        # habit in a story ("her eyelids would droop by teatime")
        about = tiring_sents | {s + 1 for s in tiring_sents}
        return any(e.kind == kind and said_of_symptoms(e, about, _HABIT_NOT_SO) for e in exprs)

    # "by the summer it was worse", "since July my grip is weaker": a worse
    # course told at a point of the story (not "worse at night")
    story_sents = {sent[e.start] for e in exprs if e.kind in _STORY_TIME}
    worse_told = any(
        e.kind == "course"
        and e.value == "worse"
        and sent[e.start] in story_sents
        and said_of_symptoms(e, finding_sents)
        and not _relief(words, e)
        for e in exprs
    )
    dated = [st for st in steps if st.days and (st.concepts or st.sites)]
    # A relative date in a step naming several findings may belong to the
    # last one only: "twitching for a year, and cramps for the last month".
    start_dated = len({round(st.days) for st in dated}) > 1 or bool(
        dated
        and dated[0] is steps[0]
        and (
            dated[0].expr is None  # dated by the event told just before it
            or dated[0].expr.kind == "absolute"
            or len(set(dated[0].concepts)) == 1
        )
    )
    # "Has anyone's weakness improved after the operation?" asks, it does not tell
    questions = sentences_with(words, sent, _QUESTION_MARK)
    course_sents = (
        now_sents
        | _after_bare_now(words, sent, now_sents)
        | _closing_sentences(sent, finding_sents | anaphora_sents | gone_sents, questions)
        | _last_entry(exprs, sent)
    ) - questions
    about = {s_id for _, s_id in told_in} | anaphora_sents
    now_course, now_at = _now_course(words, exprs, sent, course_sents, None)
    now_told, told_at = _now_course(words, exprs, sent, course_sents, about)
    return Timeline(
        episodes,
        story_clock=story_clock,
        start_dated=start_dated,
        spread_cue=cue("spread")
        or _both_later(words, sent, exprs)
        or _other_side_later(words, sent, exprs, told_in)
        or _added_later(words, sent, exprs, told_in),
        worse_told=worse_told,
        fluctuating=cue("fluctuation")
        or _fine_by_morning(words, sent, tiring_sents)
        or _fatigable_told(findings, starts, sent, tiring_sents)
        or _evening_signs(findings, starts, sent, words),
        now_course=now_course,
        now_course_told=now_told,
        now_course_at=frozenset(
            k for v, k in ((now_course, now_at), (now_told, told_at)) if v == "improving"
        ),
        news_opens_story=_news_opens_story(findings, starts, sent, words),
        habit_changed=_habit_changed(words, sent, exprs, finding_sents),
        worse_later=_worse_later(
            words,
            exprs,
            sent,
            {
                s_id
                for f, s_id in told_in
                if f.status == "present" and f.concept in _FATIGABLE_SIGNS
            },
        ),
    )


# Tiredness and heaviness worse by evening are no sign of myasthenia
_FATIGABLE_SIGNS = _TIRING - {"fatigue", "heaviness"}
# "better as the day goes on", "wears off by lunchtime": the day ends better
_DAY_ENDS_BETTER = frozenset({"better", "eases", "loosens"})
_WEARS = frozenset({"wears", "wore", "wearing"})
_LATER_BETTER = frozenset(
    "better fine normal easier eases eased gone ok okay settles settled".split()
)
_LATER_WORSE = frozenset("worse weaker harder heavier droops drops tired".split())


def _worse_later(
    words: list[str], exprs: list[TimeExpr], sent: list[int], tiring: set[int]
) -> bool:
    """A within-day course told of a tiring symptom that is worse with use or
    later in the day ("by 4 o'clock my arms drop", "fine in the morning"),
    not better as the day goes on ("weak on waking, by lunchtime much better").
    """
    about = tiring | {s + 1 for s in tiring}
    for e in exprs:
        if e.kind != "fluctuation" or sent[e.start] not in about:
            continue
        literal = words[e.start : e.end]
        ends_better = _DAY_ENDS_BETTER.intersection(literal) and "day" in literal
        if ends_better or literal[0] in _WEARS:
            continue
        hi = bisect.bisect_right(sent, sent[e.start])
        rest = set(words[e.end : hi])
        if rest & _LATER_BETTER and not rest & _LATER_WORSE:
            continue  # "by lunchtime it's much better"
        return True
    return False


_BARE_NOW_TOKENS = 6
_SHORT_COURSE_TOKENS = 4


def _short_sentence(words: list[str], sent: list[int], tok: int) -> bool:
    lo, hi = bisect.bisect_left(sent, sent[tok]), bisect.bisect_right(sent, sent[tok])
    return sum(1 for w in words[lo:hi] if w[:1].isalnum()) <= _SHORT_COURSE_TOKENS


def _after_bare_now(words: list[str], sent: list[int], now_sents: set[int]) -> set[int]:
    """The sentence after one that only names the present.

    "It's September now. The cramps have gone.": the date stands alone and
    the next sentence tells how things are at that date.
    """
    out = set()
    for s in now_sents:
        lo, hi = bisect.bisect_left(sent, s), bisect.bisect_right(sent, s)
        if sum(1 for w in words[lo:hi] if w[:1].isalnum()) <= _BARE_NOW_TOKENS:
            out.add(s + 1)
    return out


def _last_entry(exprs: list[TimeExpr], sent: list[int]) -> set[int]:
    """Sentences of a diary's last entry: the time of writing ("11 mar - mostly better")."""
    entries = [e for e in exprs if e.kind == "absolute" and (e.day is not None or e.header)]
    weekdays = [e for e in exprs if e.kind == "after_prev" and e.header]
    if len(weekdays) >= MIN_HEADINGS:  # "Friday. Better today."
        entries = sorted(entries + weekdays, key=lambda e: e.start)
    elif len(entries) < DIARY_ENTRIES:
        return set()
    return set(range(sent[entries[-1].start], sent[-1] + 1))


def _fatigable_told(findings, starts: list[int], sent: list[int], tiring: set[int]) -> bool:
    """A sign of fatigability ("better after a rest", "by teatime") told of a
    tiring symptom, in its sentence or the next: a within-day course."""
    about = tiring | {s + 1 for s in tiring}
    return any(
        f.status == "present"
        and f.concept == "fatigability"
        and _sentence_of(f, starts, sent) in about
        for f in findings
    )


# the eyelids, the eyes, speech and chewing: told with the evening they are
# a within-day course ("eyes droop evenings", "she sees double in the
# evening"); a twitch, a cramp or heavy legs in the evening are only timing
_EVENING_SIGNS = frozenset({"ptosis", "diplopia", "dysarthria", "dysphagia"})
_EVENING = frozenset({"evening", "evenings", "afternoon", "afternoons"})


def _same_all_day(span: list[str]) -> bool:
    """ "in morning and evening it is same": a day end named to say it does not vary."""
    return "same" in span and not _DAY_END.isdisjoint(span)


# "morning and evening the same", "all day, evenings too": the evening named
# to say it does not vary ("always worse by the evening" does vary)
_ALL_DAY = (("all", "day"), ("all", "the", "time"))
_ALL_DAY_REACH = 5


def _unvarying(words: list[str], sent: list[int], s_id: int) -> bool:
    lo, hi = bisect.bisect_left(sent, s_id), bisect.bisect_right(sent, s_id)
    if _same_all_day(words[lo:hi]):
        return True
    for k in range(lo, hi):
        if words[k] in _EVENING:
            near = words[max(lo, k - _ALL_DAY_REACH) : k]
            if any(tuple(near[j : j + len(p)]) == p for p in _ALL_DAY for j in range(len(near))):
                return True
    return False


def _evening_signs(findings, starts: list[int], sent: list[int], words: list[str]) -> bool:
    """An eye, speech or chewing sign told in a sentence with the evening (not
    one that says it is the same morning and evening)."""
    evening = sentences_with(words, sent, _EVENING)
    evening = {s for s in evening if not _unvarying(words, sent, s)}
    return bool(evening) and any(
        f.status == "present"
        and f.concept in _EVENING_SIGNS
        and _sentence_of(f, starts, sent) in evening
        for f in findings
    )


@dataclass(frozen=True)
class _Day:
    """What a sentence holds for :func:`_fine_by_morning`, read once per sentence."""

    lo: int
    goods: list[int]  # positions of good-state words
    negated: list[int]  # prefix counts of those told with a "not" just before
    no_trouble: list[int]  # positions of "problem" after "no"
    same_all_day: bool  # "in morning and evening it is same"

    @classmethod
    def read(cls, words: list[str], lo: int, hi: int) -> _Day:
        # "when she says good morning to me": a greeting, not a good morning
        goods = [
            j
            for j in range(lo, hi)
            if words[j] in _GOOD_STATE
            and not (words[j] == "good" and j + 1 < hi and words[j + 1] in _DAY_START)
        ]
        flags = [bool(_NOT.intersection(words[max(j - 2, 0) : j])) for j in goods]
        span = words[lo:hi]
        return cls(
            lo,
            goods,
            [0, *itertools.accumulate(flags)],
            [j for j in range(lo + 1, hi) if words[j] in _NO_TROUBLE and words[j - 1] == "no"],
            _same_all_day(span),
        )


def _fine_by_morning(words: list[str], sent: list[int], tiring: set[int]) -> bool:
    """The day starts well in a sentence about a loss of strength, the eyes or
    speech, or in one of the few sentences after one: "By the evening my eyelid droops.
    In the morning it is open again, I am fine" (a within-day course).

    Each sentence is read once (:class:`_Day`), so a long sentence with many
    morning words costs no more than its length.
    """
    if not tiring:
        return False
    days: dict[int, _Day] = {}
    for i in word_positions(words, _DAY_START):
        s_id = sent[i]
        if not tiring.intersection(range(s_id - _MORNING_AFTER, s_id + 1)):
            continue
        if "even" in words[max(i - 3, 0) : i]:
            continue  # "now even in the morning the words are blurred": no good start
        if s_id not in days:
            lo, hi = bisect.bisect_left(sent, s_id), bisect.bisect_right(sent, s_id)
            days[s_id] = _Day.read(words, lo, hi)
        day = days[s_id]
        if day.same_all_day:
            continue  # "in morning and evening it is same"
        # "Arms and legs are fine, I still walk to the shop every morning": a
        # habit, unless the good state is told of it ("Every morning she is good")
        habit = i > 0 and words[i - 1] in _EVERY
        a = bisect.bisect_left(day.goods, i if habit else day.lo)
        count, negated = len(day.goods) - a, day.negated[-1] - day.negated[a]
        # "a little better in the morning but not normal anymore": a fixed loss
        if count and not negated:
            return True
        # "In the morning no problem.", "At breakfast he reads aloud no problem"
        # (not "no problem with the eyes" told well before the morning)
        k = bisect.bisect_left(day.no_trouble, max(day.lo + 1, i - _NO_TROUBLE_REACH))
        if k < len(day.no_trouble):
            return True
    return False


def _derive(features: SymptomFeatures, tl: Timeline) -> dict:
    regions: list[str] = []
    spread: list[str] = []
    sites = set(features.body_sites)  # the course runs over the sites read for the text
    # a headache told beside the story is no region it spread to (only when
    # there is a headache: a pain with no site is no headache)
    head_ache_only = any(
        f.status == "present" and "head_face" in f.body_sites and f.concept == "pain"
        for f in features.findings
    ) and not any(
        f.status == "present" and "head_face" in f.body_sites and f.concept != "pain"
        for f in features.findings
    )
    for ep in tl.episodes:
        regions.extend(r for r in ep.body_sites if r not in regions and r in sites)
        spread.extend(
            r
            for r in ep.body_sites
            if r not in spread and r in sites and not (head_ache_only and r == "head_face")
        )
    # "now" alone dates nothing: a duration needs a step placed before writing
    known = [
        ep.days_before_writing
        for ep in tl.episodes
        if ep.days_before_writing and (ep.concepts or ep.body_sites)
    ]
    known += _lead_dates(tl.episodes)
    duration = features.duration_days
    if tl.story_clock and duration is not None:
        known = []  # a stated span ("for six weeks") reaches the present itself
    if known:
        # A dated start beats a stated figure (in narratives often a job's
        # tenure, an age or another illness); a lone "last week" only adds to
        # a stated onset: "twitching for a year, cramps since last week".
        onset = round(max(known), 2)
        duration = onset if duration is None or tl.start_dated else max(duration, onset)
    told = [ep for ep in tl.episodes if ep.concepts or ep.body_sites]
    if (
        duration is not None
        and duration <= _LATEST_NEWS
        and len(told) > 1
        and told[0].days_before_writing is None
        and not tl.news_opens_story
    ):
        # "a week after I finished them my calf started flickering, then my
        # thigh, ... and last night one in my cheek": the story began at an
        # undated first step; a day or two back is its latest news
        duration = None
    progression = features.progression
    worsening = progression == "progressive" or tl.worse_told
    now_course = tl.now_course_told if worsening else tl.now_course
    if now_course == "improving" and progression != "improving":
        # worse, then treated, now better: the course a clinician records is now
        progression = "improving"
    elif tl.fluctuating and progression != "improving":
        # the guideline: fatigable symptoms that vary within the day are
        # episodic, even when new regions join or get worse over the months
        progression = "episodic"
    elif (now_course == "worse" or tl.worse_told) and (
        progression in ("unknown", "stable")
        # attacks that pass ("she has to stop and sit on the wall"), told as
        # getting worse over the months, are a worsening course; a drooping
        # lid or double vision that comes and goes stays episodic
        or (progression == "episodic" and _FATIGABLE.isdisjoint(features.extra_present))
    ):
        progression = "progressive"  # "it's now May and it's worse"
    elif (
        progression in ("unknown", "stable", "episodic")
        # attacks told with their length ("lasted twenty minutes") stay attacks
        # when each one strikes somewhere new: a TIA's hand, then its face
        and not (progression == "episodic" and features.episode_minutes is not None)
        and (tl.spread_cue or _grows(tl.episodes, _HEAD if head_ache_only else frozenset()))
    ):
        progression = "progressive"
    elif progression == "unknown" and tl.habit_changed:
        progression = "progressive"  # the course told through what changed
    extra = features.extra_present
    if tl.worse_later and "fatigability" not in extra:
        # a weakness, the eyes or speech worse later in the day ("by 4 o'clock
        # my arms drop") is fatigability; weak on waking and better by
        # lunchtime is the other way round (a nerve root at night)
        extra = tuple(sorted((*extra, "fatigability")))
    return {
        "extra_present": extra,
        "timeline": tl.episodes,
        "onset_site": regions[0] if regions else None,
        "spread": tuple(spread) if len(spread) > 1 else (),
        "fluctuating": tl.fluctuating,
        "duration_days": duration,
        "progression": progression,
    }


_LATEST_NEWS = 2.0  # days: "last night", "yesterday", "this morning"
_NEWS_WORDS = frozenset({"yesterday", "today", "tonight"})
_NEWS_PAIRS = frozenset({("last", "night"), ("this", "morning")})
_NEWS_PAIR_FIRSTS = frozenset(first for first, _ in _NEWS_PAIRS)


def _news_opens_story(findings, starts: list[int], sent: list[int], words: list[str]) -> bool:
    """ "Yesterday afternoon her left arm suddenly went weak ...": the day or two
    back is the story's own start, told in the sentence of its first finding."""
    present = [f for f in findings if f.status == "present"]
    if not present:
        return False
    here = _sentence_of(min(present, key=lambda f: f.start), starts, sent)
    lo, hi = bisect.bisect_left(sent, here), bisect.bisect_right(sent, here)
    told = words[lo:hi]
    return (
        not _NEWS_WORDS.isdisjoint(told)
        or (
            not _NEWS_PAIR_FIRSTS.isdisjoint(told)  # a test in C before the pairs
            and any(pair in _NEWS_PAIRS for pair in zip(told, told[1:], strict=False))
        )
    )


def _lead_dates(episodes: tuple[Episode, ...]) -> list[float]:
    """Dates told before the first symptom when that symptom is undated.

    "It started in May, a few weeks after the wedding. First my calves
    twitched, then ...": the story opens with its date, and the symptoms
    told after it in sequence began then, not at the next date told.
    """
    lead: list[float] = []
    for ep in episodes:
        if ep.concepts or ep.body_sites:
            return lead if ep.days_before_writing is None else []
        if ep.days_before_writing:
            lead.append(ep.days_before_writing)
    return []


_HEAD = frozenset({"head_face"})
_FATIGABLE = frozenset({"ptosis", "diplopia", "fatigability"})


_EXERTION = default_wordlists()["exertion_after"]
_EVERY_AFTER = frozenset({"every", "each", "any", "long", "big", "busy", "hard", "full"})
_THAT_AFTER = frozenset({"that", "this", "which", "then", "it"})
_EXERTION_REACH = 4


def _compared_with(words: list[str], sent: list[int], e: TimeExpr) -> bool:
    """ "no worse than they had been at Christmas", "weaker than in March",
    "compared with last summer": a date a comparison looks back to, not the
    scene the sentence tells (which is "At Easter lunch" before it)."""
    if e.kind != "absolute":
        return False
    lo = max(0, e.start - _COMPARED_REACH)
    return any(
        sent[j] == sent[e.start]
        and (words[j] == "than" or (words[j] == "compared" and words[j + 1] in ("to", "with")))
        for j in range(lo, e.start)
    )


_COMPARED_REACH = 5  # tokens: "than they had been at Christmas"


def _after_a_doing(words: list[str], e: TimeExpr) -> bool:
    """ "calves jumping after her evening walk", "heavy after the long shift",
    "after every leg day", "after a long day on the trimmer": what brings the
    symptom on, not a step of the story ("after that", "a week after the
    wedding" stay steps)."""
    if words[e.start] != "after" or e.kind not in ("sequence", "after_prev"):
        return False
    follow = words[e.start + 1 : e.start + 1 + _EXERTION_REACH]
    if not follow or follow[0] in _THAT_AFTER:
        return False
    return follow[0] in _EVERY_AFTER or not _EXERTION.isdisjoint(follow)


_HABIT_START = default_wordlists()["habit_start_words"]
_HABIT_STOP = default_wordlists()["habit_stop_words"]
_HABIT_SWITCH = default_wordlists()["habit_switch_words"]
_HABIT_NOT = default_wordlists()["habit_not_objects"]
_HABIT_PAIRS = frozenset({("gave", "up"), ("gives", "up"), ("took", "to"), ("takes", "to")})
_HABIT_FIRSTS = _HABIT_START | _HABIT_STOP | _HABIT_SWITCH | {"gave", "gives", "took", "takes"}
_HABIT_STEPS = 2


def _habit_step(words: list[str], i: int) -> bool:
    """ "started using both hands", "stopped running for the bus", "gave up
    the allotment", "swapped his lace-ups": a doing changed, not a remedy or
    the worry ("started googling", "stopped the coffee")."""
    w = words[i]
    nxt = words[i + 1] if i + 1 < len(words) else ""
    after = words[i + 2] if i + 2 < len(words) else ""
    if (w, nxt) in _HABIT_PAIRS:
        return after not in _HABIT_NOT
    if nxt in _HABIT_NOT or after in _HABIT_NOT:
        return False
    if w in _HABIT_START:
        return nxt.endswith("ing") or nxt == "to"
    if w in _HABIT_STOP:
        return nxt.endswith("ing")
    return w in _HABIT_SWITCH


def _habit_changed(
    words: list[str], sent: list[int], exprs: list[TimeExpr], finding_sents: set[int]
) -> bool:
    """A doing changed at a dated or sequenced step after the first finding,
    or at two steps: "back in March she stopped running for the bus ... in
    October she started taking the lift". People tell a worsening body
    through what they give up or do another way; a remedy or the worry
    ("started googling", "gave up caffeine") is no step."""
    stepped = {sent[e.start] for e in exprs if e.kind in _STORY_TIME or e.kind == "now"}
    if not stepped:
        return False
    changed = {
        sent[i]
        for i in word_positions(words, _HABIT_FIRSTS)
        if sent[i] in stepped and _habit_step(words, i)
    }
    first = min(finding_sents, default=None)
    return len(changed) >= _HABIT_STEPS or (
        first is not None and any(s_id > first for s_id in changed)
    )


_LOSSES = frozenset({"dexterity_loss", "function_loss"})
_LOSS_STEPS = 2


def _grows(episodes: tuple[Episode, ...], ignore: frozenset[str] = frozenset()) -> bool:
    """A later step adds a symptom or a region not in the earlier ones.

    Regions in ``ignore`` (a headache's ``head_face``) add nothing.
    """
    seen_c: set[str] = set()
    seen_r: set[str] = set()
    # "at Christmas he couldn't do the little screw ... in January he stopped
    # doing his own cuffs": each told step losing another everyday task is a
    # worsening, in the same hand too
    losses = [
        ep for ep in episodes if ep.evidence is not None and _LOSSES.intersection(ep.concepts)
    ]
    if len(losses) >= _LOSS_STEPS:
        return True
    for i, ep in enumerate(episodes):
        concepts = set(ep.concepts)
        regions = set(ep.body_sites) - ignore
        if ignore and concepts <= {"pain"} and not regions:
            continue  # a step that is only the headache
        if (
            i
            and ep.evidence is not None
            and (concepts - seen_c or regions - seen_r)
            and (seen_c or seen_r)
        ):
            return True
        seen_c.update(concepts)
        seen_r.update(regions)
    return False


_PERFECT = frozenset({"have", "has", "'ve", "been"})


def _span_back(steps, spans, words: list[str], starts: list[int], sent: list[int]) -> None:
    """A stated length told in a diary's first entry reaches back from it.

    "12 March. For about a year both legs have gone numb when I walk": the
    legs went numb a year before that entry, not on its day.
    """
    first = next((st for st in steps if st.concepts), None)
    if (
        first is None
        or not first.days
        or not spans
        # only a diary's entry, written on its day ("in March her hand was
        # numb for a week" is that bout's length; "two years back" counts
        # from the writing itself)
        or first.expr is None
        or not first.expr.header
        and (first.expr.kind != "absolute" or first.expr.day is None)
    ):
        return
    here = sent[first.start]
    # told in the perfect ("have gone numb for about a year", "been noticing
    # for a few weeks"): a length up to the entry, not a job's or a bout's
    lo, hi = bisect.bisect_left(sent, here), bisect.bisect_right(sent, here)
    if _PERFECT.isdisjoint(words[lo:hi]):
        return
    told = [
        d
        for c, d in spans
        if sent[k := max(bisect.bisect_right(starts, c) - 1, 0)] == here
        and "for" in words[max(k - 2, 0) : k + 1]  # "for (about) a year"
    ]
    if told:
        first.days = round(first.days + max(told), 1)


def apply_timeline(
    features: SymptomFeatures,
    doc,
    view=None,
    *,
    spans: tuple[tuple[int, float], ...] = (),
    sites: tuple[tuple[int, str], ...] | None = None,
    better: frozenset[int] = frozenset(),
) -> SymptomFeatures:
    """Return ``features`` with the timeline and the fields derived from it.

    Parameters
    ----------
    features : SymptomFeatures
        What the earlier stages read (its ``findings`` and ``text`` are used).
    doc : spacy.tokens.Doc
        The Doc the features were read from (its tokens only).
    view : tuple, optional
        ``(words, sentence_ids, starts, ends)`` when the pipeline already has
        them (lower-cased tokens, sentence index per token, offsets); read
        from ``doc`` otherwise.
    spans : tuple of (int, float), optional
        The stated lengths the duration stage read as the symptoms' own
        (character offset, days); a diary's first entry counts back by them.
    sites : tuple of (int, str), optional
        Token and region of the site terms the sites stage kept (see
        :func:`read_timeline`).
    better : frozenset of int, optional
        Sentences in which the course stage read an improvement; with the
        sentence that gives an improving present, their findings make
        ``improved``.

    Examples
    --------
    >>> import spacy
    >>> from fasciclf.features import extract
    >>> nlp = spacy.blank("en")
    >>> text = "First my left foot got weak, a few months later my right hand."
    >>> f = apply_timeline(extract(text), nlp(text))
    >>> f.onset_site, f.spread, f.progression
    ('foot', ('foot', 'hand'), 'progressive')
    """
    if not len(doc) or not any(
        f.status == "present" and f.concept in STEP_CONCEPTS for f in features.findings
    ):
        return features  # no symptom, no course to read
    if view is None:
        tv = token_view(doc)
        view = (tv.words, tv.sent, tv.starts, tv.ends)
    words, sent, starts, ends = view
    text = features.text or doc.text
    tl = read_timeline(
        words, starts, ends, text, features.findings, sent=sent, spans=spans, sites=sites
    )
    derived = _derive(features, tl)
    if derived.get("progression", features.progression) == "improving":
        told = set(tl.now_course_at)
        if features.progression == "improving":
            told |= better
        derived["improved"] = improved_concepts(
            features.findings,
            lambda f: _sentence_of(f, starts, sent),
            told,
            words,
            sent,
            STEP_CONCEPTS,
        )
    return dataclasses.replace(features, **derived)
