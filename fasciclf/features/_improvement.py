"""Whether a word of getting better, where it is said, tells an improvement.

Part of the time-course stages (:mod:`fasciclf.features._course` reads the
lexicon's course phrases, :mod:`fasciclf.features._timeline` the course at
the time of writing). A course word said of something other than the
symptoms can hide a worsening: "I have less strength in it", "the weakness is
coming back", "his voice has faded", "the GP eased my mind", "the twitching
has gone away but the hand is no better". An improving course weighs
against the red flags for a worsening limb, so these must not read as one.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence

from fasciclf.features._tokens import SENTENCE_END
from fasciclf.features._types import Finding
from fasciclf.features._wordlists import default_wordlists

__all__ = ["improved_concepts", "told_as_loss"]

# Course words that, said of something else, tell no improvement: "less" and
# "fewer" of an ability or a doing ("less strength", "I walk less", "I can
# do less and less"); a sign that comes back ("the weakness is coming back")
# or a voice that fades; help or ease
# from a person or for the mind is no course ("my wife helps me", "the GP
# eased my mind"); and an improvement followed by "but ... no better" or
# "... worse" in its sentence is not the course.
_ABILITIES = frozenset(
    "strength grip power feeling sensation control energy movement use stamina balance "
    "things able".split()
)
_SUBJECTS = frozenset("i he she we".split())
_DOING = frozenset("do does did can could manage manages walk walks eat eats move use".split())
# "he talks about them less", "she mentions it less": the talk, not the symptoms
_TALKS = frozenset("talk talks talking mentions mention".split())
_RETURNING_SIGNS = frozenset(
    "weakness twitching twitches cramps cramp pain numbness tingling spasms symptoms "
    "slurring drooping".split()
)
_VOICE = frozenset({"voice", "speech", "words"})
# "the muscle by the thumb almost gone": a muscle that is going is wasting
_MUSCLE = frozenset("muscle muscles bulk flesh meat".split())
# an improving literal that ends in one of these ("almost gone", "pretty much
# gone", "has all gone", "virtually disappeared") tells wasting when said of a
# muscle: every adverb the time-expression table puts before them, not a copy
_GONE_WORDS = frozenset({"gone", "disappeared", "vanished"})
_HELPERS = default_wordlists()["helper_words"]
# "any advice on helping her", "thanks for helping me": help as a topic
_GOING_AWAY = frozenset({"going away", "gone away", "went away", "goes away"})
_MUSCLE_REACH = 10
# words that make the thing going away a symptom of the muscle, not the muscle
_MUSCLE_SYMPTOMS = ("twitch", "cramp", "spasm", "jump", "flicker", "pain", "ache", "knot")


def _wasting(literal: str, words: list[str], start: int) -> bool:
    """The muscle gone or going away: "the muscle above the knee is almost
    gone", "the meat between thumb and first finger is going away"."""
    said = literal.split()
    if said[-1] not in _GONE_WORDS and literal not in _GOING_AWAY:
        return False
    # "the flesh at the base of my thumb has virtually disappeared"
    before = words[max(start - _MUSCLE_REACH, 0) : start]
    ends = [k for k, w in enumerate(before) if w in SENTENCE_END or w == "\n"]
    if ends:  # in its own sentence: "my muscles ached. the pain has gone"
        before = before[ends[-1] + 1 :]
    at = [k for k, w in enumerate(before) if w in _MUSCLE]
    # "the muscle twitching is going away", "the muscle cramps have gone":
    # the symptom goes, not the muscle
    return bool(at) and not any(w.startswith(_MUSCLE_SYMPTOMS) for w in (*before[at[-1] :], *said))


_HELP_AS_TOPIC = frozenset("on for in about".split())
# "he's coping better", "she's eating better": the person's days, not the
# symptoms ("sleeping better" is often the night pain or cramps easing)
_DAYS_OF = frozenset("coping copes coped eating eats".split())
# "tell me this gets better", "hoping it gets better": a wish, not a course
_WISHES = frozenset("please hope hoping hopefully pray praying wish wishing".split())
_WISH_REACH = 6
# "I need a better chair", "we bought a better mattress": a thing, not a course
_BETTER_THING = frozenset("a need needs buy bought some find found".split())
_KEEPS = frozenset("keeps kept keep keeping".split())
# "less scared", "she's a bit calmer": the person's mood, not the symptoms
_MOODS = default_wordlists()["mood_words"]
_PERSONS = frozenset("i i'm im he she he's she's we they".split())
_MIND = frozenset("mind minds worries worry fears nerves".split())
# "reading this group is helping", "writing it down helps": help for the writer
_TALK = frozenset("reading writing talking posting group forum thread".split())
# a part that stayed as it was: "the back is easier but the foot is the same",
# "the twitches are just as bad, but he's sleeping better"
_STILL_SAME = ("the same", "as bad", "unchanged", "no change", "no better", "not better")
# after a "but", a worse part too; before it, "it got worse, but now it's
# better" is the improvement itself (words as tokenized: "hasn't" is "has n't")
_STILL_BAD = (
    *_STILL_SAME, "worse", "weaker", "no stronger", "not any better", "no different", "is new",
    # "the pain's less, but my right foot slaps", "better but not normal":
    # a loss that stays
    "slaps", "drags", "dragging", "tripping", "not normal", "not right",
    *(f"{aux} {done}" for aux in ("has n't", "have n't", "has not", "have not", "not")
      for done in ("improved", "come back", "recovered")),
)  # fmt: skip
_OBJECTS = frozenset("me him her us them".split())
# "my grandson helps with the shopping": help given with a doing
_HELPED = _OBJECTS | {"with", "out"}
_CIRCUMSTANCES = default_wordlists()["circumstance_words"]
_CIRCUMSTANCE_REACH = 3
_CIRCUMSTANCE_BEFORE = 6
_WHEN = frozenset({"on", "at", "during"})
_SOME_DAYS = frozenset({"some days", "other days", "on good days", "good days"})


_AUX = frozenset("is was 's has had 'd been be started starting".split())
_PERSON_SUBJECTS = _SUBJECTS | frozenset("he's she's i'm".split())


def _gone_over(literal: str, after: list[str]) -> bool:
    """ "I've nearly gone over twice": nearly fallen, not nearly gone away."""
    return literal.endswith("gone") and after[:1] == ["over"]


def _a_condition(words: list[str], start: int, end: int) -> bool:
    """ "calmer on days she sleeps properly", "better on holiday": a condition;
    "some days loads, some days hardly any": day-to-day variation."""
    if (
        end < len(words)
        and words[end] in _WHEN
        and _CIRCUMSTANCES.intersection(words[end + 1 : end + 1 + _CIRCUMSTANCE_REACH])
    ):
        return True
    # "on a Sunday it's much better", "at weekends it's better"
    before = words[max(start - _CIRCUMSTANCE_BEFORE, 0) : start]
    for k, w in enumerate(before):
        if w in _CIRCUMSTANCES and _WHEN.intersection(before[max(k - 2, 0) : k]):
            return True
    return any(d in " ".join(words[max(start - 4, 0) : start]) for d in _SOME_DAYS)


def _less_of_a_doing(before: list[str], after: list[str]) -> bool:
    """ "less strength", "I walk less", "I can do less and less", "it makes it
    feel less like it's happening to him", "less scared", "he talks about
    them less": an ability, a doing, a mood or talk, not the symptoms."""
    return bool(
        _ABILITIES.intersection(after)
        or after[:1] == ["like"]
        or _MOODS.intersection(after[:1])
        or (len(before) >= 2 and before[-2] in _SUBJECTS)
        or (before and before[-1] in _DOING)
        or _TALKS.intersection(before)
    )


def _person_slows(before: list[str]) -> bool:
    """A person is what slows down: "he was slowing down", not "he says it's slowing down"."""
    k = len(before)
    while k and before[k - 1] in _AUX:
        k -= 1
    return bool(k) and before[k - 1] in _PERSON_SUBJECTS


def _of_something_else(
    literal: str, words: list[str], start: int, before: list[str], after: list[str]
) -> bool:
    """A comparative said of the person, a wish, a thing or a doing."""
    if literal in ("better", "less", "fewer", "calmer") and (
        _DAYS_OF.intersection(before[-2:]) or _MOODS.intersection(before)
    ):
        return True  # "she's coping better", "still scared but a bit less"
    if literal == "better" and (
        (before and before[-1] in _BETTER_THING)
        or _WISHES.intersection(words[max(start - _WISH_REACH, 0) : start])
    ):
        return True  # "I need a better chair", "please tell me this gets better"
    # "less strength", "I walk less", "less talk of ALS"
    return literal in ("less", "fewer", "less and less") and (
        after[:1] == ["talk"] or _less_of_a_doing(before, after)
    )


def told_as_loss(words: list[str], start: int, end: int, sent: list[int]) -> bool:
    """Whether the improving word at tokens ``start:end`` tells a loss or no course.

    >>> import spacy
    >>> from fasciclf.features._tokens import token_view
    >>> def check(text, phrase):
    ...     v = token_view(spacy.blank("en")(text))
    ...     k = len(phrase.split())
    ...     i = next(i for i in range(len(v.words)) if v.words[i : i + k] == phrase.split())
    ...     return told_as_loss(v.words, i, i + k, v.sent)
    >>> check("it's september and i have less strength in it", "less")
    True
    >>> check("it's september and the cramps are much less", "less")
    False
    >>> check("the gp eased my mind", "eased")
    True
    >>> check("the twitching has gone away but the hand is no better", "gone away")
    True
    >>> check("the twitching is calmer on days she sleeps properly", "calmer")
    True
    >>> check("the jumping is the same, but she sleeps a little better", "better")
    True
    >>> check("he was slowing down", "slowing down")
    True
    >>> check("he says its slowing down", "slowing down")
    False
    """
    literal = " ".join(words[start:end])
    after = words[end : end + 2]
    before = words[max(start - 4, 0) : start]
    if literal == "calmer" and _PERSONS.intersection(before):
        return True  # "since then she's a bit calmer": her mood
    if _of_something_else(literal, words, start, before, after):
        return True
    if literal in ("helps", "helped", "helping", "eased"):
        if (
            _MIND.intersection(after)
            or _TALK.intersection(before)
            or (
                (_HELPERS.intersection(before) or (before and before[-1] in _HELP_AS_TOPIC))
                and _HELPED.intersection(after[:1])
            )
        ):
            return True  # "my wife helps me", "the GP eased my mind", "advice on helping her"
    if literal == "coming back" and (
        _RETURNING_SIGNS.intersection(before) or (before and before[-1] in _KEEPS)
    ):
        return True  # "the weakness is coming back", "a cold sore that keeps coming back"
    if literal in ("faded", "fading") and _VOICE.intersection(before):
        return True  # "his voice has faded"
    if literal in ("slowing down", "slowed down", "slows down") and _person_slows(before):
        return True  # "he started to say he was slowing down": a person's decline
    if _wasting(literal, words, start) or _gone_over(literal, after):
        return True
    if _a_condition(words, start, end) or _no_course(literal, words, start, before, after):
        return True
    if literal == "quieter":
        return bool(_VOICE.intersection(before))  # "his voice is quieter"
    return _but_keeps(words, start, end, sent)


_BELIEF = frozenset("thought think hoped hoping assumed believed reckoned pretended".split())
_SELVES = frozenset({"myself", "himself", "herself", "ourselves", "themselves"})
_EVERY_SO = frozenset({"some", "other", "odd"})
_HABITS = frozenset(
    "coffee coffees caffeine tea teas alcohol booze wine beer beers sugar exercise gym "
    "training running work shifts hours screen stress energy drinks cigarettes".split()
)


def _no_course(
    literal: str, words: list[str], start: int, before: list[str], after: list[str]
) -> bool:
    """An improving word that tells no course of the symptoms.

    "it had settled into what it is now" (it stopped changing), "we told
    ourselves it had settled" (a belief), "she held the arm up because it
    eased it" (what relieves it), "some weeks more, some weeks less" (how it
    varies).
    """
    if literal in ("settled", "settling") and after[:1] == ["into"]:
        return True
    if _BELIEF.intersection(before) or any(
        w == "told" and nxt in _SELVES for w, nxt in zip(before, before[1:], strict=False)
    ):
        return True
    if before[-2:] == ["because", "it"]:
        return True
    if literal in ("less", "fewer") and after[:1] and after[0] in _HABITS:
        return True  # "less coffee, more sleep, same twitches": a change of habits
    return (
        literal == "less"
        and len(before) >= 2
        and before[-2] in _EVERY_SO
        and ("more" in words[max(start - 6, 0) : start])
    )


_BUT_REACH = 30  # tokens from the improving word to its "but"
_TAIL_REACH = 12  # tokens after "but": "but the hand is no better"


def _but_keeps(words: list[str], start: int, end: int, sent: list[int]) -> bool:
    """A "but" in the sentence sets the improving word against a part that
    stayed bad ("gone away but the hand is no better") or the same ("just as
    bad, but he's sleeping better")."""
    # "the twitching has gone away but the hand is no better": the clause
    # after the next "but" of the sentence, in a bounded window (a long
    # sentence is read once per improving word, so its whole rest is not)
    hi = bisect.bisect_right(sent, sent[start])
    near = words[end : min(hi, end + _BUT_REACH)]
    if "but" in near:
        k = end + near.index("but") + 1
        tail = " ".join(words[k : min(hi, k + _TAIL_REACH)])
        # "a little better but now pain goes down the leg": a new part
        return words[k : k + 1] == ["now"] or any(
            bad in tail.split() or bad in tail for bad in _STILL_BAD
        )
    # "the twitches are just as bad, but he's sleeping better": the clause
    # before a "but" that leads to the improving word
    lo = bisect.bisect_left(sent, sent[start])
    head = words[max(lo, start - _BUT_REACH) : start]
    if "but" in head:
        k = len(head) - 1 - head[::-1].index("but")
        told = " ".join(head[max(0, k - _TAIL_REACH) : k])
        return any(same in told for same in _STILL_SAME)
    return False


# words that tell strength coming back where no finding is named: "my legs
# are a bit stronger now", "the grip is back"
_STRENGTH = frozenset("stronger strength strong grip power".split())
# an ability told as back: "he can get up off the sofa without his hands",
# "I can write again", "able to do up buttons", "back at work": the function
# got better
_ABLE = frozenset({"can", "could", "able", "again"})
_NOT_ABLE = frozenset({"n't", "nt", "not", "unable", "no"})
# the person told as better ("I'm loads better", "she is much better", "he
# feels better"): the whole of it, the weakness included
_PERSON = frozenset({"i", "im", "he", "she", "they", "we"})
_BE = frozenset("m 'm am is 's was are 're feel feels feeling felt".split())
_BETTER = frozenset("better improved improving normal".split())
# "back at work", "back on the bike", "back under sinks": a doing taken up again
_BACK_TO = frozenset("to at on in under".split())
_PERSON_REACH = 4


def _person_better(words: list[str]) -> bool:
    for k, w in enumerate(words):
        if w in _BETTER:
            lead = words[max(k - _PERSON_REACH, 0) : k]
            if not _PERSON.isdisjoint(lead) and not _BE.isdisjoint(lead):
                return True
    return False


def _ability_back(words: list[str]) -> bool:
    return any(
        (w in _ABLE and _NOT_ABLE.isdisjoint(words[k + 1 : k + 3]))
        or (w == "back" and words[k + 1 : k + 2] and words[k + 1] in _BACK_TO)
        for k, w in enumerate(words)
    )


def improved_concepts(
    findings: Sequence[Finding],
    sentence_of: Callable[[Finding], int],
    sentences: Iterable[int],
    words: list[str],
    sent: list[int],
    signs: frozenset[str],
) -> tuple[str, ...]:
    """The symptom concepts told in the sentences that say the course got better.

    A sentence that names no symptom ("It has got a lot better since the
    physio.") speaks of the last one told before it; a person told as
    better ("I'm loads better") is better in all of them; an ability told
    as back ("I can write again") is the strength back. Kept apart from the
    course value because the red-flag tool's factor against (an improving
    course) is about the weakness: "I can't do up buttons any more. The
    twitching has calmed down though." tells a twitch that got better, not
    a hand.

    >>> from fasciclf.features._types import Finding
    >>> fs = [Finding("dexterity_loss", "present", "buttons", 0, 1),
    ...       Finding("twitching", "present", "twitching", 2, 3)]
    >>> where = {0: 0, 2: 1}
    >>> signs = frozenset({"dexterity_loss", "twitching", "weakness"})
    >>> words = "buttons . twitching calmer . much better now".split()
    >>> sent = [0, 0, 1, 1, 1, 2, 2, 2]
    >>> improved_concepts(fs, lambda f: where[f.start], [1], words, sent, signs)
    ('twitching',)
    >>> improved_concepts(fs, lambda f: where[f.start], [2], words, sent, signs)
    ('twitching',)
    """
    told: dict[int, set[str]] = {}
    for f in findings:
        if f.status == "present" and f.concept in signs:
            told.setdefault(sentence_of(f), set()).add(f.concept)
    out: set[str] = set()
    for s_id in set(sentences):
        lo, hi = bisect.bisect_left(sent, s_id), bisect.bisect_right(sent, s_id)
        said = words[lo:hi]
        if _person_better(said):
            return tuple(sorted(set().union(*told.values())))
        if s_id in told:
            out |= told[s_id]
        else:
            earlier = [k for k in told if k < s_id]
            if earlier:
                out |= told[max(earlier)]
        if not _STRENGTH.isdisjoint(said) or _ability_back(said):
            out.add("weakness")
    return tuple(sorted(out))
