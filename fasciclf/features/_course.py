"""Time course: duration, episode length, progression, triggers and timing.

Quantities come from :mod:`fasciclf.features._quantities`; this module
decides which of them describe the symptoms: those in a sentence with a
finding, about onset ("started", "since", ...), or a bare fragment ("6 months.").
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

from fasciclf.features import _quantities as q
from fasciclf.features._dates import default_time_table
from fasciclf.features._doc import Term
from fasciclf.features._episodes import part_at, site_words
from fasciclf.features._improvement import told_as_loss
from fasciclf.features._status import Mention
from fasciclf.features._tokens import (
    SENTENCE_END,
    TokenView,
    distinct_words,
    sentences_with,
    word_positions,
)
from fasciclf.features._wordlists import default_wordlists

_WORDS = default_wordlists()
_ONSET_WORDS = _WORDS["onset_words"]
_WEAK_ONSET = _WORDS["weak_onset_words"]
_SHORT_SENTENCE = 7
_ANAPHORA = _WORDS["anaphora"]
_FIRST_WORDS = _WORDS["first_words"]
_NOW_WORDS = _WORDS["now_words"]
_ALSO_WORDS = _WORDS["also_words"]
_NOW = frozenset({"now"})
_STRONG_ONSET = _ONSET_WORDS - _WEAK_ONSET
# "much worse when she lifts", "far worse during tax season": what brings it
# on, read with the word lists the timeline's course words use
_AGGRAVATING = _WORDS["aggravation_after"] | _WORDS["relief_after"]


@dataclass(frozen=True)
class Course:
    duration_days: float | None
    episode_minutes: float | None
    progression: str


def finding_sentences(view: TokenView, mentions: list[Mention]) -> set[int]:
    """Sentences that talk about the writer's symptoms."""
    return {
        view.sent[mt.start]
        for mt in mentions
        if mt.status not in ("hypothetical", "family") and mt.concept not in _TEST_CONCEPTS
    }


# A test told normal is no symptom: "the GP checked my bloods last month and
# they were fine" dates the bloods, not the twitching.
_TEST_CONCEPTS = frozenset({"normal_tests"})


_NOW_FRAGMENT = 6


def _onset_sentences(view: TokenView) -> set[int]:
    words, sent = view.words, view.sent
    now_sents = sentences_with(words, sent, _NOW)
    weak = sentences_with(words, sent, _WEAK_ONSET)
    strong = sentences_with(words, sent, _STRONG_ONSET)
    # Words per sentence: its tokens less its whitespace and sentence ends,
    # which are few and found by set lookups (no Python pass over the tokens).
    sent_len = {s_id: len(rng) for s_id, rng in view.ranges.items()}
    blank = frozenset(w for w in distinct_words(words) if w.isspace() or w in SENTENCE_END)
    for i in word_positions(words, blank):
        sent_len[sent[i]] -= 1
    # "... wake up shaking it out. 6 months. 41f": a bare fragment is the duration,
    # and a short one naming the present ("46F, about 8 months now.")
    strong.update(s_id for s_id, n in sent_len.items() if 0 < n <= 3)
    strong.update(s_id for s_id in now_sents if sent_len.get(s_id, 0) <= _NOW_FRAGMENT)
    strong.update(s_id for s_id in weak if sent_len.get(s_id, 0) <= _SHORT_SENTENCE)
    return strong


def durations(
    lower: str, view: TokenView, findings: set[int]
) -> tuple[float | None, float | None, tuple[tuple[int, float], ...]]:
    """Longest stated duration (days), longest episode (minutes) and the spans.

    The spans are the stated lengths read as the symptoms' own, as
    ``(character offset, days)``, for the timeline to place.
    """
    quantities = q.find_quantities(lower)
    diary = q.diary_span(lower)
    if not quantities:
        return diary, q.recovered_after(lower), ()
    onset: set[int] | None = None  # read only when a span is outside the findings
    episode = None
    spans: list[q.Quantity] = []
    for qty in quantities:
        s_id = view.sentence_of_char(qty.start)
        relevant = s_id in findings
        if not relevant:
            if onset is None:
                onset = _onset_sentences(view)
            relevant = s_id in onset and _led_by_onset(view, qty, s_id)
        if qty.days < 1.0 and not _past_prefix(lower, qty.start):
            if relevant and q.is_episode_context(lower, qty):
                minutes = round(qty.days * 1440.0, 3)
                episode = minutes if episode is None else max(episode, minutes)
            continue
        if (
            relevant
            and not _tenure(view, qty.start)
            and not _life_event(view, qty.start, qty.end)
            and not _waiting_or_easing(view, qty.start, qty.end)
            and not _resolved(view, s_id)
            and not _phase(view, qty.start, qty.end)
            and not _bout_span(view, qty)
            and not _occasions(view, qty)
            # "her eye was blurry for a month. It came back fine.": that bout's length
            and not (
                not _DATED_SPAN_RE.search(qty.text)
                and s_id + 1 not in findings
                and _resolved(view, s_id + 1)
            )
        ):
            spans.append(qty)
    # "back ache for years ... about six weeks ago my leg went numb": a span
    # of weeks, months or years told without a count is a background, no
    # duration (train texts with "years" and a counted span too: the gold
    # took the counted one in 39, the years in 9; with none: null in 22, the
    # years in 11; "for weeks" / "for months" were the gold's 21 or 90 in 3
    # of 83 rows)
    spans = [x for x in spans if not _VAGUE_YEARS_RE.fullmatch(x.text)]
    duration = max((x.days for x in spans), default=None)
    if diary is not None:
        duration = diary if duration is None else max(duration, diary)
    if episode is None:
        # "my hand went useless ... about an hour later normal": one attack
        episode = q.recovered_after(lower)
    # "for about a year both legs have gone numb": a length counted back from
    # its scene ("since", "last", "ago" and "past" count from the writing)
    counted = tuple(
        (x.start, x.days)
        for x in spans
        if not _DATED_SPAN_RE.search(x.text) and "past" not in x.text.split()
    )
    return (round(duration, 2) if duration is not None else None), episode, counted


# a span that dates an occasion ("yesterday", "two weeks ago", "since last
# week"), not the length of a bout
_DATED_SPAN_RE = re.compile(r"\b(?:yesterday|last|ago|since)\b")

_VAGUE_YEARS_RE = re.compile(
    r"(?:(?:for|since|from)\s++)?(?:(?:many|some|so\s++many)\s++)?(?:weeks|months|years)"
    r"(?:\s++(?:and\s++years|now|ago))?"
)


# A span told in a sentence that says the symptom ended is how long a past
# bout lasted, not the time to writing: "my left eye was blurry for a month,
# then it cleared", "numb for three weeks, it went away".
_RESOLVED = _WORDS["resolution_words"]
_RESOLVED_PAIRS = (("went", "away"), ("came", "back"), ("got", "better"), ("went", "back"))


def _resolved(view: TokenView, s_id: int) -> bool:
    lo, hi = bisect.bisect_left(view.sent, s_id), bisect.bisect_right(view.sent, s_id)
    words = view.words[lo:hi]
    if not _RESOLVED.isdisjoint(words):
        return True
    return any(pair in _RESOLVED_PAIRS for pair in zip(words, words[1:], strict=False))


_SPAN_LEADERS = _WORDS["span_leaders"]
_LEAD_REACH = 5  # tokens before a span: "its been going on [for] about 3 years"
_OPENING = 4  # a span this close to its sentence's start opens it: "For about a year, ..."
# "it has come and gone for about six years", "I've watched this come and go
# for years": a coming and going is said of the symptoms, so it leads their span
_COMINGS = frozenset({"come", "comes", "came", "coming"})
_GOINGS = frozenset({"go", "goes", "gone", "went", "going"})


def _led_by_onset(view: TokenView, qty: q.Quantity, s_id: int) -> bool:
    """Whether a span in a sentence without a symptom is the onset's own.

    A story's sentences about life have onset words too ("I lead the church
    choir since many years", "I started this blog to write about forty
    years"); the span counts when the onset word leads it ("it started a
    year ago", "its been going on about 3 years"), when it opens the
    sentence ("Over the last few months, ...") or in a short sentence.
    """
    i = bisect.bisect_right(view.starts, qty.start) - 1
    j = bisect.bisect_left(view.starts, qty.end)
    sent = view.sent
    first = bisect.bisect_left(sent, s_id)
    last = bisect.bisect_right(sent, s_id)
    if last - first <= _SHORT_SENTENCE or i - first < _OPENING:
        return True
    near = view.words[max(first, i - _LEAD_REACH) : i]
    if near and near[-1] == "since":
        # "we play bowls in the club since twenty years" (a learner's "for"):
        # the span's own opener leads nothing
        near = near[:-1]
    if j < last:
        near = [*near, view.words[j]]  # "a year ago"
    if any(
        a in _COMINGS and b == "and" and c in _GOINGS
        for a, b, c in zip(near, near[1:], near[2:], strict=False)
    ):
        return True
    leaders = (_ONSET_WORDS - _WEAK_ONSET) | _SPAN_LEADERS
    found = leaders.intersection(near)
    if found == {"going"}:
        # "it's been going on for a year" tells the symptoms' span; "she has
        # kept the village gardens going for forty years" tells a life
        ats = [
            k
            for k in range(max(first, i - _LEAD_REACH), min(j + 1, last))
            if view.words[k] == "going"
        ]
        return any(k + 1 < len(view.words) and view.words[k + 1] == "on" for k in ats)
    return bool(found)


_TENURE = _WORDS["tenure_words"]
_SPAN_OPENERS = frozenset({"for", "since"})
_TENURE_REACH = 6  # tokens before "for": "i've taught yoga [at the club] for thirty years"
_SENTENCE_END = _WORDS["sentence_end"]
_NOT_A_MEDICINE = _WORDS["not_a_medicine"]  # "on and off for years" is the symptoms' own
_SIDE_WORDS = _WORDS["side_words"]
_ABOUT = _WORDS["approximators"]
_NOT_A_ROLE = _WORDS["not_a_role"]
_SPAN_VERBS = _WORDS["span_verbs"]
_AT_IT = frozenset({"it", "there", "here"})
_CLAUSE_JOIN = frozenset({"and", "but"})


def _tenure(view: TokenView, char: int) -> bool:
    """A span told of a job, a habit, a medicine or another illness."""
    i = bisect.bisect_right(view.starts, char) - 1
    if view.words[i] in _SPAN_OPENERS and i + 1 < len(view.words):
        i += 1  # the span was read with its "for": "diabetic for years"
    if i >= 2 and view.words[i - 1] in _ABOUT:  # "for about eight years"
        i -= 1
    if i >= 1 and view.words[i - 1] in _SPAN_VERBS:
        return True  # "he did forty years in a warehouse", "spent 20 years underground"
    if i >= 2 and view.words[i - 1] in _AT_IT and "been" in view.words[max(0, i - 3) : i - 1]:
        return True  # "drive the number 14, been on it 28 yrs", "been there ten years"
    # "since ten years" is "for ten years" in many learners' English
    if i < 1 or view.words[i - 1] not in _SPAN_OPENERS:
        return False
    before = view.words[max(0, i - 1 - _TENURE_REACH) : i - 1]
    ends = [k for k, w in enumerate(before) if w in _SENTENCE_END]
    if ends:  # "I work as an electrician. For about five weeks my calf ..."
        before = before[ends[-1] + 1 :]
    if before and before[-1] in _CLAUSE_JOIN:
        return False  # "a retired social worker, and for about a year she's been ...": a new clause
    return (
        bool(_TENURE.intersection(before))
        or _an_activity(before)
        or _as_a_job(before)
        or _a_role(before)
        or _on_a_medicine(before)
    )


# "For about a fortnight we waited", "for a week I told myself it was the
# boots": the span of a wait or a belief, not of the symptoms
_WAITING = frozenset("wait waited waiting ignored ignoring hoped hoping pretended".split())
_TOLD_SELF = frozenset({"myself", "himself", "herself", "ourselves"})
# "it eased off over a couple of weeks", "settled within a month": how long
# getting better took
_EASING = frozenset(
    "eased easing settled settling faded improved improving better calmed cleared subsided".split()
)
_EASE_REACH = 4  # "eased off [a lot] over a couple of weeks" (_OVER: over, within, after)
_CLAUSE_END = frozenset({",", ";", ".", "!", "?", ":", "\n", "and", "but"})


def _waiting_or_easing(view: TokenView, char: int, end: int) -> bool:
    """A span told of waiting or believing, or of how long it took to get better."""
    i = bisect.bisect_right(view.starts, char) - 1
    j = bisect.bisect_left(view.starts, end)
    words, sent = view.words, view.sent
    lo = i
    while lo > 0 and sent[lo - 1] == sent[i] and words[lo - 1] not in _CLAUSE_END:
        lo -= 1
    hi = j
    while hi < len(words) and sent[hi] == sent[i] and words[hi] not in _CLAUSE_END:
        hi += 1
    clause = words[lo:hi]
    if not _WAITING.isdisjoint(clause) or any(
        w == "told" and nxt in _TOLD_SELF for w, nxt in itertools.pairwise(clause)
    ):
        return True
    k = i + 1 if words[i] in _OVER else i
    return words[k - 1] in _OVER and not _EASING.isdisjoint(
        words[max(lo, k - 1 - _EASE_REACH) : k - 1]
    )


# "For about a fortnight it was just the arm. Then my neck stiffened", "three
# bad days, then it eased": the length of a stage the story moved on from, not
# the time to writing; a span told to the present ("it's been weak for a
# month, then last week ...") keeps counting
_TO_NOW = frozenset("has have 've been since from now still ever is are am 's 're 'm".split())
_THEN = frozenset({"then"})
_THEN_OPENS = frozenset({",", ";", "and", "but", "-", "--", "—"})  # "... , then it eased"
_PAST = frozenset({"was", "were", "went", "did", "could"})


def _phase(view: TokenView, char: int, end: int) -> bool:
    """A span of one stage of the story, followed by what came next."""
    i = bisect.bisect_right(view.starts, char) - 1
    j = bisect.bisect_left(view.starts, end)
    words, sent = view.words, view.sent
    first = bisect.bisect_left(sent, sent[i])
    last = bisect.bisect_right(sent, sent[i])
    if not _TO_NOW.isdisjoint(words[first:last]) or _DATED_SPAN_RE.search(
        " ".join(words[max(first, i - 1) : j + 1])
    ):
        return False  # "about four months ago ... Then came the cold sore": a date
    # "then" opening a clause, not a list of places ("my shoulder then my belly")
    if any(words[k] in _THEN and words[k - 1] in _THEN_OPENS for k in range(j, last)):
        return True
    if last < len(words) and words[last] in _THEN:
        return True
    # "For about a fortnight it was bad", "for about a fortnight his eyelids
    # drooped": a span told in the past tense is a stage of the story
    k = i
    while k > first and words[k - 1] in _ABOUT:
        k -= 1  # "for about a fortnight"
    opener = words[k] if words[k] == "for" else words[k - 1] if k > first else ""
    return opener == "for" and not _PAST.isdisjoint(words[first:last])


# "I'll have three or four days where both legs buzz, then a run of calm
# days", "bursts that last three or four days and then vanish for a week":
# how long one bout lasts in a course that comes and goes (a span of two weeks
# or less, in a sentence that tells the bouts and nothing of the present).
# The course's reader of bouts (_bouts_of_days) keeps its own, narrower words:
# one set for both moved the held-out sets -2 (stop 40).
_BOUT_MARKERS = frozenset(
    "bout bouts burst bursts spell spells flare flares wave waves calm quiet "
    "vanish vanishes vanished".split()
)
_GOOD_BAD = frozenset({"good", "bad"})
_PUNCT = frozenset({",", ".", ";", ":", "!", "-"})
_BOUT_DAYS = 14.0
_UP_TO_NOW_WORDS = frozenset("now since been past ago still".split())


# "spells of a few days", "bouts lasting two to four days": the span is the
# bout's own, whatever else the sentence says ("since May 2024 she has had
# spells of a few days" dates the spells with "since", not the span)
_BOUT_NOUNS = _BOUT_MARKERS | frozenset("attack attacks episode episodes".split())
_LASTING = frozenset("lasting lasts lasted".split())


def _led_by_bout(words: list[str], i: int) -> bool:
    """Whether the span starting at token ``i`` follows "<bout> of" or "lasting"."""
    j = i - 1
    while j >= 0 and words[j] in _SPAN_FILLERS:
        j -= 1  # "lasting about three days", "spells of maybe a week"
    if j >= 0 and words[j] in _LASTING:
        return True
    return j >= 1 and words[j] == "of" and words[j - 1] in _BOUT_NOUNS


_SPAN_FILLERS = frozenset("about around roughly maybe perhaps just only up to for".split())


def _bout_span(view: TokenView, qty: q.Quantity) -> bool:
    if qty.days > _BOUT_DAYS:
        return False
    i = bisect.bisect_right(view.starts, qty.start) - 1
    words, sent = view.words, view.sent
    if _led_by_bout(words, i):
        return True
    lo, hi = bisect.bisect_left(sent, sent[i]), bisect.bisect_right(sent, sent[i])
    toks = words[lo:hi]
    if not _UP_TO_NOW_WORDS.isdisjoint(toks):
        return False
    # "three or four bad days", "some weeks very bad, three, four days" (not
    # "bad back pain for a week")
    return not _BOUT_MARKERS.isdisjoint(toks) or any(
        a in _GOOD_BAD and (b in _DAYS or b in _PUNCT) for a, b in itertools.pairwise(toks)
    )


# "A couple of nights I woke up with both calves locked", "two mornings this
# week": how many times, not how long ("for three nights" is a span)
_PARTS_OF_DAYS = frozenset("nights mornings evenings afternoons".split())
_SPAN_BEFORE = frozenset({"for", "past", "last", "over", "these", "the", "few"})


def _occasions(view: TokenView, qty: q.Quantity) -> bool:
    if qty.text.split()[-1] not in _PARTS_OF_DAYS:
        return False
    i = bisect.bisect_right(view.starts, qty.start) - 1
    return i == 0 or view.words[i - 1] not in _SPAN_BEFORE


_LIFE_EVENTS = _WORDS["life_event_words"]
_EVENT_REACH = 6  # tokens before the span: "took over the dairy side of the farm two years ago"


def _life_event(view: TokenView, char: int, end: int) -> bool:
    """A date told of a life event: "retired last year", "six weeks ago he stopped smoking"."""
    i = bisect.bisect_right(view.starts, char) - 1
    j = bisect.bisect_left(view.starts, end)
    first = bisect.bisect_left(view.sent, view.sent[i])
    after = [k for k in range(j, min(j + 3, len(view.words))) if view.sent[k] == view.sent[i]]
    if any(view.words[k] in _LIFE_EVENTS for k in after):
        return True
    lo = max(first, i - _EVENT_REACH)
    events = [k for k in range(lo, i) if view.words[k] in _LIFE_EVENTS]
    # "my back has hurt since I moved apartments 2 wks ago": the symptoms' start
    return bool(events) and "since" not in view.words[max(first, events[0] - 3) : events[0]]


def _a_role(before: list[str]) -> bool:
    # "I've been a nurse for thirty years", "been a smoker for 20 years": a role
    # held, whatever it is called; "it's been a problem for a year" is not one
    return (
        len(before) >= 3
        and before[-3] == "been"
        and before[-2] in ("a", "an")
        and before[-1] not in _NOT_A_ROLE
    )


def _an_activity(before: list[str]) -> bool:
    # "a pinched nerve from hunching over the keys for 50 yrs": the span of
    # what caused it, whatever the doing ("been twitching for a year" is the
    # symptom's own)
    return any(
        w in _CAUSED_BY and len(nxt) > 4 and nxt.endswith("ing")
        for w, nxt in zip(before, before[1:], strict=False)
    )


_CAUSED_BY = frozenset({"from", "by"})


def _as_a_job(before: list[str]) -> bool:
    # "worked as a dental nurse for 40 yrs": a job, whatever it is called
    return any(w == "as" and nxt in ("a", "an") for w, nxt in zip(before, before[1:], strict=False))


def _on_a_medicine(before: list[str]) -> bool:
    # "been on lithium for 2 yrs", "on my feet for ten hours": a medicine or an
    # activity, whatever its name; "on and off for years" is the symptoms' own
    tail = before[-3:]
    if "on" not in tail:
        return False
    k = len(tail) - 1 - tail[::-1].index("on")
    after = tail[k + 1 :]
    if not after or after[0] in _NOT_A_MEDICINE or _SIDE_WORDS.intersection(after):
        return False  # "twitch on the right for three weeks": a side, not a medicine
    return True


def _past_prefix(lower: str, pos: int) -> bool:
    # "for the past 48 hours" is a duration; "cramps last a few minutes" is not
    before = lower[max(0, pos - 16) : pos].rstrip()
    return before.endswith(("past", "the last", "for last"))


def _new_after(view: TokenView, mentions: list[Mention], tok: int) -> bool:
    """A symptom not told before ``tok``'s sentence is told after it, present."""
    s_id = view.sent[tok]
    before = {m.concept for m in mentions if view.sent[m.start] <= s_id}
    return any(
        m.kind == "symptom"
        and m.status == "present"
        and view.sent[m.start] > s_id
        and m.concept not in before
        for m in mentions
    )


def _asked(view: TokenView, tok: int) -> bool:
    """The sentence of ``tok`` is a question: it asks, it does not tell."""
    return view.words[view.ranges[view.sent[tok]].stop - 1] == "?"


def _aggravation(words: list[str], t: Term) -> bool:
    """ "much worse when she lifts", "far worse after a shift": what brings it on."""
    return (
        t.value == "progressive"
        and words[t.end - 1] == "worse"
        and t.end < len(words)
        and words[t.end] in _AGGRAVATING
    )


def _part_sentences(view: TokenView) -> set[int]:
    """Sentences with a body part word."""
    table = site_words()
    return {s for s, w in zip(view.sent, view.words, strict=True) if w in table}


def _cue_progressions(
    view: TokenView,
    cues: list[tuple[Term, str]],
    findings: set[int],
    better: set[int] | None = None,
) -> dict[str, int]:
    """Course values said of the symptoms, with the token where each was last said
    (and the sentences of every improvement said, into ``better``)."""
    found: dict[str, int] = {}
    # A cue counts in a sentence about the symptoms, or one that refers
    # back to them ("it is spreading"), not in "my anxiety is getting worse".
    pronoun_sents = sentences_with(view.words, view.sent, _ANAPHORA)
    about_symptoms = findings | pronoun_sents | _elliptical(view, cues, findings)
    # "my legs are a bit stronger now": a body part makes a better course the
    # symptoms' ("we have settled into the new house", "my English is improving"
    # are not); read only when such a cue is there
    part_sents = (
        _part_sentences(view)
        if any(
            t.kind == "progression"
            and t.value == "improving"
            and view.sent[t.start] not in about_symptoms
            for t, _ in cues
        )
        else set()
    )
    said_better = set() if better is None else better
    for t, status in cues:
        if t.kind != "progression" or t.value == "aggravation" or _aggravation(view.words, t):
            continue
        s_id = view.sent[t.start]
        if (
            t.value != "stable"
            and s_id not in about_symptoms
            and not (t.value == "improving" and s_id in part_sents)
        ):
            continue
        if _not_the_course(view, t):
            continue
        if status == "absent":
            # "not getting worse", "hasn't spread": said to be stable.
            if t.value == "progressive":
                found["stable"] = t.start
        elif status == "present":
            found[t.value] = t.start
            if t.value == "improving":
                said_better.add(s_id)
    return found


# words that may open a sentence before its course word: "slowly getting
# worse", "and now spreading", "all getting worse since spring"
_OPENERS = frozenset("and but now slowly gradually steadily all just still definitely".split())
_OPENER_REACH = 2


def _elliptical(view: TokenView, cues: list[tuple[Term, str]], findings: set[int]) -> set[int]:
    """Sentences with no subject that open on a course word, after a sentence
    about the symptoms: "right hand gone thin and weak. getting worse since
    spring" says it of the hand (a terse message drops the "it")."""
    out = set()
    for t, _ in cues:
        # only a worsening: "comes and goes" said alone is too loose to be attacks
        if t.kind != "progression" or t.value != "progressive":
            continue
        s_id = view.sent[t.start]
        if s_id in findings or s_id - 1 not in findings:
            continue
        first = bisect.bisect_left(view.sent, s_id)
        lead = view.words[first : t.start]
        if len(lead) <= _OPENER_REACH and all(w in _OPENERS for w in lead):
            out.add(s_id)
    return out


def _not_the_course(view: TokenView, t: Term) -> bool:
    """A course word said of something else.

    "since she moved into her new flat": people move, not symptoms; "his
    voice has faded", "the GP eased my mind", "how long before it eased?".
    """
    if t.value == "progressive":
        return _travel(view.words, t) or _spread_action(view.words, t)
    if t.value == "improving":
        return (
            told_as_loss(view.words, t.start, t.end, view.sent)
            or _asked(view, t.start)
            or _bout_ended(view.words, t)
        )
    if t.value == "episodic":
        # "my foot slaps when I walk": a foot that drops at every step, not an attack
        return bool(_EVERY_STEP.intersection(view.words[max(t.start - _STEP_REACH, 0) : t.start]))
    return False


_OVER = frozenset({"over", "within", "after"})
_BOUT_REACH = 5
_UP_TO_NOW = frozenset({"last", "past"})


def _is_unit(word: str) -> bool:
    rec = default_time_table().single.get(word)
    return rec is not None and rec.kind == "unit"


def _bout_ended(words: list[str], t: Term) -> bool:
    """ "it faded over about six weeks", "it cleared within a month": a bout
    that ended, told in the past with how long it took, not the course now."""
    after = words[t.end : t.end + _BOUT_REACH]
    return (
        words[t.end - 1].endswith("ed")
        and bool(after)
        and after[0] in _OVER
        and any(_is_unit(w) for w in after)
        # "eased over the last few weeks": up to now, the course itself
        and _UP_TO_NOW.isdisjoint(after)
    )


_TRAVEL = frozenset({("moved", "to"), ("moved", "into")})
_STEP_REACH = 5  # "my foot slaps on the floor when I walk"
_EVERY_STEP = frozenset(
    "slaps slap slapping drags drag dragging flops flop scuffs scuff catches".split()
)
_SPREAD_WORDS = frozenset({"spread", "spreads", "spreading"})
_OWNERS = frozenset("my his her their your the".split())
_ACHES = frozenset("ache aches aching pain pains burning".split())
_RADIATING = frozenset({"down", "up"})


def _spread_action(words: list[str], t: Term) -> bool:
    """ "I can't spread my fingers" is a movement; "the ache spreads down my
    leg" tells where a pain runs (it radiates), not a spread over time."""
    if words[t.start] not in _SPREAD_WORDS or t.end - t.start != 1:
        return False
    after = words[t.end] if t.end < len(words) else ""
    if after in _OWNERS:
        return True
    return (
        words[t.start] == "spreads"
        and after in _RADIATING
        and bool(_ACHES.intersection(words[max(t.start - 4, 0) : t.start]))
    )


def _travel(words: list[str], t: Term) -> bool:
    """A travel word with no body part after it ("moved into her new flat")."""
    return tuple(words[t.start : t.end]) in _TRAVEL and not part_at(words, t.end)


def _spreading(view: TokenView, mentions: list[Mention]) -> bool:
    words, sent = view.words, view.sent
    sign_sents = {sent[mt.start] for mt in mentions if mt.is_sign and mt.status == "present"}
    ranges = view.sentence_ranges()
    told = distinct_words(words)
    # a sentence can name the present and an addition only if the text does
    if not (_NOW_WORDS.isdisjoint(told) or _ALSO_WORDS.isdisjoint(told)):
        for s_id in sign_sents:
            toks = set(words[ranges[s_id].start : ranges[s_id].stop])
            if toks & _NOW_WORDS and toks & _ALSO_WORDS:
                return True  # "now my left hand is weak too": a new place or symptom
    first_at = next(
        (i for i in word_positions(words, _FIRST_WORDS) if not _first_of_care(words, i)),
        None,
    )
    # "first I couldn't run upstairs, now I need the handrail"
    return first_at is not None and any(
        i > first_at and sent[i] in sign_sents for i in word_positions(words, _NOW)
    )


# "First the GP said a pulled muscle, then the physio said a trapped nerve,
# now she sees an osteopath": the order of the doctors and their words, not
# of the symptoms
_SAID = frozenset("said says say thought think told suggested blamed reckoned".split())
_CARE_REACH = 4


def _first_of_care(words: list[str], i: int) -> bool:
    return not _SAID.isdisjoint(words[i + 1 : i + 1 + _CARE_REACH])


def progression(
    view: TokenView,
    mentions: list[Mention],
    cues: list[tuple[Term, str]],
    findings: set[int],
    episode: float | None,
    better: set[int] | None = None,
) -> str:
    """One of :data:`~fasciclf.features.PROGRESSIONS` (with ``better``, the
    sentences that tell an improvement are added to it)."""
    found = _cue_progressions(view, cues, findings, better)
    if "improving" in found and _new_after(view, mentions, found["improving"]):
        # "the pain eased to a niggle. Then in May my foot began to drag": the
        # improvement ended an earlier bout, not the story
        del found["improving"]
    # A history is told in order: when it got worse and then better, the
    # course now is the one told last ("spread to my calf ... now settling down").
    if "improving" in found and found["improving"] > max(
        found.get("progressive", -1), found.get("stable", -1)
    ):
        return "improving"
    if "progressive" in found or _spreading(view, mentions):
        return "progressive"
    if "improving" in found:
        return "improving"
    if "stable" in found:
        return "stable"
    if episode is not None and 1.0 <= episode < _BOUT_OF_DAYS:
        # Twitches lasting seconds are not attacks; episodes last minutes to
        # hours. Bouts of days that clear are no episodic course (the guideline).
        return "episodic"
    if "episodic" in found and episode is None and not _bouts_of_days(view):
        return "episodic"
    return "unknown"


_BOUT_OF_DAYS = 24 * 60.0  # minutes: a bout told in days or weeks

# The guideline: bouts lasting several days are no episodic course ("three or
# four bad days, then a few easier ones", "a few days each time", "flares for
# a few days"); attacks last minutes to hours.
_BOUT_WORDS = frozenset("bout bouts flare flares flared flaring spell spells patch patches".split())
_DAYS = frozenset({"day", "days"})
_A_TIME = frozenset({"each", "this", "a", "every"})


_WEEKS = frozenset({"week", "weeks", "fortnight"})
# "lasting about a week", "spells of a couple of weeks", "for a week at a time"
_WEEKS_LEADS = _LASTING | frozenset({"last", "of", "for"})
_WEEKS_LEAD_REACH = 4


def _bout_of_weeks(toks: list[str]) -> bool:
    """A bout's length told in weeks ("lasting about a week"), not how often
    ("twice a week")."""
    return any(
        w in _WEEKS and not _WEEKS_LEADS.isdisjoint(toks[max(i - _WEEKS_LEAD_REACH, 0) : i])
        for i, w in enumerate(toks)
    )


def _bouts_of_days(view: TokenView) -> bool:
    """Whether a sentence tells bouts counted in days."""
    words = view.words
    for rng in view.sentence_ranges().values():
        toks = [words[i] for i in rng]
        if not _BOUT_WORDS.isdisjoint(toks) and _bout_of_weeks(toks):
            return True  # "bouts lasting about a week", "spells of two weeks"
        if _DAYS.isdisjoint(toks):
            continue
        if not _BOUT_WORDS.isdisjoint(toks):
            return True
        for a, b in itertools.pairwise(toks):
            if (a == "bad" and b in _DAYS) or (a in _DAYS and b in _A_TIME):
                return True  # "three bad days", "four days this time", "days each time"
    return False


def triggers_and_timing(
    cues: list[tuple[Term, str]],
    view: TokenView | None = None,
    mentions: list[Mention] | None = None,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Present trigger and timing values, sorted.

    With ``view`` and ``mentions``, a time of day told as the good time is
    not when the symptoms come: "my eyelids are fine when I wake up" (a
    myasthenic day, which the timeline reads as fluctuating) is no
    ``on_waking``, where "my hands are weak for ten minutes after waking"
    (a nerve squeezed in the night) is.
    """
    triggers = {t.value for t, status in cues if t.kind == "trigger" and status == "present"}
    timing_cues = [t for t, status in cues if t.kind == "timing" and status == "present"]
    if timing_cues and view is not None and mentions is not None:
        good = _GoodTimes(view, mentions)
        timing_cues = [t for t in timing_cues if not good.told_as_good(t)]
    return tuple(sorted(triggers)), tuple(sorted({t.value for t in timing_cues}))


_GOOD_STATE = _WORDS["good_state_words"]
_NOT_GOOD = frozenset({"not", "n't", "never", "no"})
# a piece of a sentence: "fine in the morning, weak by night" is two
_PIECE_END = SENTENCE_END | _WORDS["clause_break"] | {",", ":", "-", "–", "—"}


class _GoodTimes:
    """Whether a time phrase is told as the good time of day: a good-state
    word ("fine", "normal", "best") not negated, nearer the phrase than any
    present finding in its piece of the sentence ("fine in the morning and
    my legs are weak by night": the morning is fine, the night is not).

    The good words, finding tokens and piece ends are kept as sorted
    positions (found by C-level scans), and the nearest of each beside a
    phrase is found by bisection: a text of many time phrases costs its
    length, and a text of a few costs no pass over its tokens in Python.
    """

    def __init__(self, view: TokenView, mentions: list[Mention]) -> None:
        words = view.words
        self.n = len(words)
        bad: set[int] = set()
        for mt in mentions:
            # "in the morning I'm fine" is itself read as a within-day sign
            if mt.status == "present" and mt.concept != "fatigability":
                bad.update(range(mt.start, mt.end))
        self.bad = sorted(bad)
        self.good = [
            i
            for i in word_positions(words, _GOOD_STATE)
            if _NOT_GOOD.isdisjoint(words[max(i - 2, 0) : i])
        ]
        # a piece end opens the next piece: token i is in piece bisect_right(ends, i)
        self.ends = word_positions(words, _PIECE_END)

    def _piece(self, i: int) -> int:
        return bisect.bisect_right(self.ends, i)

    def _left(self, flags: list[int], i: int) -> int:
        """The nearest flagged token at or before ``i`` in the piece of ``i``, or -1."""
        k = bisect.bisect_right(flags, i) - 1
        return flags[k] if k >= 0 and self._piece(flags[k]) == self._piece(i) else -1

    def _right(self, flags: list[int], i: int) -> int:
        """The nearest flagged token at or after ``i`` in the piece of ``i``, or -1."""
        k = bisect.bisect_left(flags, i)
        return flags[k] if k < len(flags) and self._piece(flags[k]) == self._piece(i) else -1

    def _gap(self, flags: list[int], t: Term) -> int:
        best = self.n
        if t.start > 0:
            j = self._left(flags, t.start - 1)
            if j >= 0 and self._piece(j) == self._piece(t.start):
                best = t.start - j
        if t.end < self.n:
            j = self._right(flags, t.end)
            if j >= 0 and self._piece(j) == self._piece(t.end - 1):
                best = min(best, j - t.end + 1)
        return best

    def told_as_good(self, t: Term) -> bool:
        g = self._gap(self.good, t)
        return g < self.n and g < self._gap(self.bad, t)
