"""Steps of a story: the findings told between two time expressions.

Part of the timeline stage (:mod:`fasciclf.features._timeline`). A sentence
is cut where a time expression or sequence marker starts ("First my left
foot got weak, | a few months later my right hand"); the present findings
and the body sites named in each piece form one step.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from functools import lru_cache

from fasciclf.features._dates import TimeExpr, says_present, since_before
from fasciclf.features._diary import WED_PIECES, WEEKDAYS
from fasciclf.features._types import SYMPTOMS

__all__ = [
    "ANAPHORA",
    "STEP_CONCEPTS",
    "Step",
    "find_steps",
    "part_at",
    "sentence_words",
    "site_words",
]

_EVENT_KINDS = ("absolute", "now", "ago", "after_prev", "sequence")
# A step told without a symptom word: "it started around Easter".
_ONSET_WORDS = frozenset(
    "started start starts began begin begins noticed appeared developed".split()
)
ANAPHORA = frozenset("it its this they these them that".split())
# Findings that make a step of the course; tests, causes and named conditions do not.
_SIGNS = frozenset(SYMPTOMS) | {
    "foot_drop",
    "falls",
    "ptosis",
    "facial_weakness",
    "diplopia",
    "tremor",
    "stiffness",
    "balance",
    "drooling",
    "respiratory",
    "slowness",
}


def _step_concepts() -> frozenset[str]:
    # Lexicon concepts that imply a symptom ("dexterity_loss" is weakness,
    # "dysphagia" is bulbar) are steps too, so new lay vocabulary needs no code.
    from fasciclf.features._resources import default_lexicon

    implied = {
        rec.value
        for rec in default_lexicon().records
        if rec.kind == "extra" and set(rec.also) & _SIGNS
    }
    return _SIGNS | implied


STEP_CONCEPTS = _step_concepts()


@dataclass
class Step:
    start: int
    expr: TimeExpr | None
    concepts: list[str]
    sites: list[str]
    days: float | None = None


def _piece_key(tok: int, sent: list[int], cuts: list[int], sent_first: dict[int, int]) -> int:
    # A piece runs from one time expression to the next in a sentence;
    # words before the first expression of a sentence belong to it. Pieces
    # of sentences without one are keyed -1 - sentence id.
    i = bisect.bisect_right(cuts, tok) - 1
    if i >= 0 and sent[cuts[i]] == sent[tok]:
        return cuts[i]
    return sent_first.get(sent[tok], -1 - sent[tok])


@lru_cache(maxsize=1)
def site_words() -> dict[str, str]:
    from fasciclf.features._resources import default_lexicon

    return {
        term: rec.value
        for rec in default_lexicon().records
        if rec.kind == "site"
        for term in rec.terms
        if " " not in term
    }


# words between a travel word and the body part it goes to: "moved to my left hand"
_PART_LEAD = frozenset(
    "to into up down my his her their your the a an both left right other upper lower whole "
    "opposite middle top back side front base tip tips outside inside edge of".split()
)


def part_at(words: list[str], k: int) -> bool:
    """A body part is named at ``k``, after lead words: "to my left hand", "both calves"."""
    while k < len(words) and words[k] in _PART_LEAD:
        k += 1
    return k < len(words) and words[k] in site_words()


def _place_sites(words, sent, steps: dict[int, Step], cuts, sent_first, sent_sites, sites) -> None:
    """Sites told in a later piece of a sentence belong to that piece's step.

    ``sites`` are the (token, region) of the site terms the sites stage
    kept (multi-word ones such as "shoulder blade" read as one, exclusions
    such as "the hair at the back" dropped); without them, single words.
    """
    if sites is None:
        table = site_words()
        sites = [(t, table[w]) for t, w in enumerate(words) if w in table]
    located: dict[int, list[str]] = {}
    for t, region in sites:
        if region not in sent_sites.get(sent[t], ()):
            continue
        key = _piece_key(t, sent, cuts, sent_first)
        located.setdefault(key, []).append(region)
    # a region no single word of the sentence names ("under my right shoulder
    # blade", a foot drop's foot) stays with the step whose finding told it
    placed: dict[int, set[str]] = {}
    for key, regions in located.items():
        placed.setdefault(_sentence_of_key(key, sent), set()).update(regions)
    for key, regions in located.items():
        if key not in steps:
            steps[key] = Step(key if key >= 0 else 0, None, [], [])
        own = placed[_sentence_of_key(key, sent)]
        kept = [r for r in steps[key].sites if r not in own]
        steps[key].sites = list(dict.fromkeys([*regions, *kept]))
    # a step with no site word of its own, in a sentence where another step
    # has them, keeps only the regions no word placed (the rest were told of
    # the other piece)
    for key, st in steps.items():
        s_id = _sentence_of_key(key, sent)
        if key not in located and s_id in placed:
            st.sites = [r for r in st.sites if r not in placed[s_id]]


def _sentence_of_key(key: int, sent: list[int]) -> int:
    return sent[key] if key >= 0 else -1 - key


def _present_after_since(words, sent, exprs) -> set[int]:
    """Starts of dates that name the present after a "since" date in their sentence.

    "Since the end of August, now it's early November, his hand is weak":
    November is when the text is written, not when the weakness began; the
    weakness belongs to the piece that "since" opens.
    """
    since_sents = {
        sent[e.start] for e in exprs if e.kind == "absolute" and since_before(words, e.start)
    }
    if not since_sents:
        return set()  # most stories date nothing with "since": nothing named after one
    named = {
        e.start
        for e in exprs
        if e.kind == "absolute"
        and e.start
        and says_present(words, e.start - 1)
        and sent[e.start] in since_sents
    }
    # and the "now" that introduces it: "now it's early November"
    return named | {
        e.start for e in exprs if e.kind == "now" and any(0 < d - e.start <= 3 for d in named)
    }


def _first_cuts(words, sent, cuts, by_start) -> dict[int, int]:
    """The first time word of each sentence, which dates the words before it."""
    sent_first: dict[int, int] = {}
    for c in cuts:
        sent_first.setdefault(sent[c], c)
    if sent and sent[-1] < _SHORT_MESSAGE:
        # in a short message the sequence is told inside a sentence
        for s_id, c in list(sent_first.items()):
            if _joins_after(words, by_start[c]):
                del sent_first[s_id]  # the words before it are a step of their own
    return sent_first


def find_steps(words, sent, exprs, findings, starts, sites=None) -> list[Step]:
    present = _present_after_since(words, sent, exprs)
    events = [e for e in exprs if e.kind in _EVENT_KINDS and e.start not in present]
    cuts = [e.start for e in events]
    by_start = {e.start: e for e in events}
    sent_first = _first_cuts(words, sent, cuts, by_start)
    keyed = _steps_of_findings(sent, findings, starts, cuts, sent_first, by_start)
    _place_sites(words, sent, keyed, cuts, sent_first, keyed.sent_sites, sites)
    _date_from_neighbours(keyed, cuts, by_start, words, sent)
    _date_from_heading(words, keyed, events, sent)
    for key, st in keyed.items():
        if st.expr is None and key >= 0:
            st.expr = by_start.get(key)
    first_told = min(
        (_sentence_of_key(k, sent) for k, st in keyed.items() if st.concepts), default=None
    )
    for e in events:  # "it started around Easter": a dated step without a symptom word
        if e.start in keyed:
            continue
        if e.kind == "sequence":
            # "In September she had a heavy cold. Since then:" and a list of
            # what followed: the list's first symptoms are that step's
            if _since_heading(words, sent, e, first_told):
                keyed[e.start] = Step(e.start, e, [], [])
            continue
        if _dated_onset(words, sent, e, first_told):
            keyed[e.start] = Step(e.start, e, [], [])
    _date_before_sequence(keyed, events, words, sent)
    return _merge_steps(sorted(keyed.values(), key=lambda s: s.start))


_JOINERS = frozenset({",", ";", "and", "but", "-", "–", "—"})
_SHORT_MESSAGE = 5  # sentences
_NEXT = frozenset({"next", "soon"})


def _joins_after(words: list[str], e: TimeExpr) -> bool:
    """ "sore stiff neck, now left arm weak", "back ache and then my leg went
    numb": a "now" or "then" after a comma or "and" starts a later step, so
    what the sentence told before it came first (the first time word of a
    sentence otherwise dates the words before it: "my calf twitched in March")."""
    return (
        (e.kind == "now" or (e.kind == "sequence" and e.value in _NEXT))
        and e.start > 0
        and words[e.start - 1] in _JOINERS
    )


_PERSONS = frozenset("i we he she you they".split())
# a complaint told before it has a name: "my feet are strange", "going wrong"
_VAGUE_COMPLAINT = frozenset(
    "strange weird odd funny wrong horrible awful terrible dreadful rubbish alarming "
    "worrying trouble".split()
)
# a decline told before its symptoms are named
_DECLINE = frozenset("downhill declining deteriorating deteriorated".split())


def _since_heading(words: list[str], sent: list[int], e: TimeExpr, first_told) -> bool:
    """ "Since then:", "Ever since.": a short sentence of its own right before the first symptom."""
    return (
        e.value == "since"
        and first_told is not None
        and sent[e.start] + 1 == first_told
        and _short(words, sent, e.start)
    )


def _dated_onset(words: list[str], sent: list[int], e: TimeExpr, first_told) -> bool:
    """Whether the sentence of ``e`` dates the onset though it names no symptom."""
    ws = sentence_words(words, sent, e.start)
    if _before_it(words, sent, e):
        return False  # "a water tablet in January, just before all this kicked off"
    # "this has been going on since May"; "Started in February." (short);
    # "Start was when we did the potato planting in April." right before
    # the first symptom is told
    return (
        bool(
            (since_before(words, e.start) or ws & _ONSET_WORDS)
            and (
                ws & ANAPHORA
                # "since last May his right foot has been doing something strange"
                or (ws & _VAGUE_COMPLAINT and not ws.isdisjoint(site_words()))
                or (ws & _ONSET_WORDS and _short(words, sent, e.start))
                or (
                    e.kind == "absolute"
                    and sent[e.start] + 1 == first_told
                    and _impersonal_onset(words, sent, e.start)
                )
            )
        )
        or _first_was(ws, e, words, sent, first_told)
        or _decline(ws, e, sent, first_told)
        or _noticed_part(ws, e, sent, first_told)
        or _scene_opening(words, sent, e, first_told)
    )


_BEFORE_REACH = 6  # tokens after the date: "in march, about 3 weeks before this"


def _before_it(words: list[str], sent: list[int], e: TimeExpr) -> bool:
    """The date is told as before the symptoms: "... in January, just before all this"."""
    hi = min(bisect.bisect_right(sent, sent[e.start]), e.end + _BEFORE_REACH)
    k = next((i for i in range(e.end, hi) if words[i] == "before"), None)
    # "before this", "before it started", "before all this kicked off"
    return k is not None and not _BEFORE_WHAT.isdisjoint(words[k + 1 : k + 3])


_BEFORE_WHAT = ANAPHORA | {"all"}


_SCENE_OPENERS = frozenset({("it", "was"), ("this", "was"), ("that", "was"), ("it", "began")})
_QUOTE_REACH = 3  # tokens of punctuation before "It was": an opening quote


def _scene_opening(words: list[str], sent: list[int], e, first_told) -> bool:
    """ "It was the week after my birthday in June. I saw my left calf going":
    a dated sentence that opens "It was" (a scene's date), right before the
    first symptom is told, dates it."""
    lo = bisect.bisect_left(sent, sent[e.start])
    stop = min(e.start, lo + _QUOTE_REACH)
    while lo < stop and not words[lo][:1].isalnum():
        lo += 1  # an opening quote: "\"It was the week after ..."
    return (
        e.kind == "absolute"
        and first_told is not None
        and sent[e.start] + 1 == first_told
        and tuple(words[lo : lo + 2]) in _SCENE_OPENERS
    )


# what a person is said to notice before it is described: "we noticed her voice"
_NOTICED = frozenset({"noticed", "notice", "noticing", "spotted"})
_FUNCTIONS = frozenset("voice speech talking walk walking gait balance writing handwriting".split())


def _noticed_part(ws: set[str], e, sent: list[int], first_told) -> bool:
    """ "Then in July we noticed her voice. It became slow, a bit like drunk":
    a dated sentence noticing a body part or a function, right before the
    first symptom is told, is its onset."""
    return (
        e.kind == "absolute"
        and first_told is not None
        and sent[e.start] + 1 == first_told
        and bool(ws & _NOTICED)
        and (bool(ws & _FUNCTIONS) or not ws.isdisjoint(site_words()))
    )


def _decline(ws: set[str], e, sent: list[int], first_told) -> bool:
    """ "Over the last year she's gone downhill. Her thighs ache ...": a dated
    decline told right before the first symptom is its onset."""
    return bool(ws & _DECLINE) and first_told is not None and sent[e.start] + 1 == first_told


def _first_was(ws: set[str], e, words: list[str], sent: list[int], first_told) -> bool:
    """ "First was last summer.": a short dated sentence right before the first symptom."""
    return (
        "first" in ws
        and e.kind == "absolute"
        and first_told is not None
        and sent[e.start] + 1 == first_told
        and _short(words, sent, e.start)
    )


def _impersonal_onset(words: list[str], sent: list[int], tok: int) -> bool:
    """An onset word in ``tok``'s sentence whose subject is no person.

    "Start was when we planted potatoes in April", "It all began in March":
    the thing began; "I started a new job in April" is the person's doing.
    """
    lo, hi = bisect.bisect_left(sent, sent[tok]), bisect.bisect_right(sent, sent[tok])
    return any(
        words[i] in _ONSET_WORDS and (i == lo or words[i - 1] not in _PERSONS)
        for i in range(lo, hi)
    )


def _date_before_sequence(
    keyed: dict[int, Step], events: list[TimeExpr], words: list[str], sent: list[int]
) -> None:
    """The story's date told just before its first symptom, when "after" ties
    the symptom to it.

    "In September I took up tennis again. After the matches I get cramps":
    the cramps began after September. Only a date in the same or the
    previous sentence counts, and only with "after" or "afterwards": with
    "then" or "first" the date told before is as often another complaint's
    (on hard held-out narratives it cost three durations for each one won).
    """
    first = min((st for st in keyed.values() if st.concepts), key=lambda s: s.start, default=None)
    if (
        first is None
        or first.expr is None
        or first.expr.kind != "sequence"
        or words[first.expr.start] not in _AFTER
    ):
        return
    lead = [
        e
        for e in events
        if e.kind in _DATED_KINDS
        and e.start < first.start
        and sent[first.start] - sent[e.start] <= 1
        and not _names_present(words, e.start)
    ]
    if not lead:
        return
    # the first date of the closest sentence: "started at the warehouse in
    # October for the Christmas rush. After three weeks ..." began in October
    closest = [e for e in lead if sent[e.start] == sent[lead[-1].start]][0]
    if closest.start not in keyed:
        keyed[closest.start] = Step(closest.start, closest, [], [])


_AFTER = frozenset({"after", "afterwards"})


def _entry_step(words: list[str], sent: list[int], tok: int) -> bool:
    return words[tok] == "then" or (
        words[tok] in _AFTER and (not tok or sent[tok - 1] != sent[tok])
    )


def _names_present(words: list[str], start: int) -> bool:
    # "and now, end of November, ...", "it's May": the time of writing
    before = words[max(start - 3, 0) : start]
    return "now" in before or (start > 0 and says_present(words, start - 1))


_DATED_KINDS = frozenset({"absolute", "ago"})


def _date_from_neighbours(
    keyed: _Keyed, cuts: list[int], by_start, words: list[str], sent: list[int]
) -> None:
    """A date in its own piece of a sentence dates the symptom told beside it.

    Before it: "In January, after a run of bad nights, her eyelid started
    twitching": the finding sits in the piece cut at "after", the date in a
    piece of its own with no finding; the step happened in January.

    After it, for the story's start only: "At first my left hand got weak in
    May", "I first noticed it in my calf two years ago": the step cut at
    "first" happened then, when no comma parts them ("First my thumb
    twitched, which I put down to carpal tunnel, as I'd had a numb hand
    years ago" is another clause). After "then", a date later in the
    sentence is as often a scene of the symptom's course ("Then came the
    burning, even in January") as its onset (training narratives and the
    challenge set: 3 durations lost for 2 won).

    Right after the finding, for a step its own piece had dated: "She joined
    a gym in March, so when her thighs began to ache in April we blamed the
    spin classes": the ache began in April, when at most
    ``_CLOSING_GAP`` words and no punctuation part the finding from the date.
    """
    for first, second in itertools.pairwise(cuts):
        if sent[first] != sent[second]:
            continue
        after, before = keyed.get(second), keyed.get(first)
        if (
            after is not None
            and first not in keyed
            and _after_sequence(after)
            and by_start[first].kind in _DATED_KINDS
        ):
            after.expr = by_start[first]
        if before is None or second in keyed:
            continue
        if (
            _after_sequence(before)
            and before.expr.value == "start"
            and by_start[second].kind in _DATED_KINDS
            and not _names_present(words, second)
            and "," not in words[first:second]
        ) or _closes_finding(keyed.last_tok.get(first), before, by_start[second], words):
            before.expr = by_start[second]


_CLOSING_GAP = 2  # tokens between a finding and the date that closes it: "ache in April"


def _closes_finding(last: int | None, st: Step, date: TimeExpr, words: list[str]) -> bool:
    """``date`` follows the finding ending at token ``last`` in one clause."""
    return (
        last is not None
        and st.expr is not None
        and st.expr.kind == "absolute"
        and date.kind == "absolute"
        and 0 <= date.start - last - 1 <= _CLOSING_GAP
        and all(w[:1].isalnum() for w in words[last + 1 : date.start])
    )


def _after_sequence(st: Step) -> bool:
    return st.expr is not None and st.expr.kind == "sequence"


_PUNCT = frozenset(".,:;!?-–—()")
_HEADING_MARKS = frozenset(":-–—")
_DAY_NAMES = WEEKDAYS | WED_PIECES


def _date_from_heading(words, keyed: dict[int, Step], events, sent: list[int]) -> None:
    """A date heading a diary entry ("12 January.", "12 October: ...") dates the entry.

    The first step told in the entry, if it has no time of its own (or only
    "now"), happened then.
    """
    per_sent: dict[int, list] = {}
    for e in events:
        if e.kind == "absolute" or (e.kind == "after_prev" and e.header):
            per_sent.setdefault(sent[e.start], []).append(e)
    if not per_sent:
        return

    def heads(s_id: int, e) -> bool:
        # the date opens its sentence (after a weekday name at most) and
        # either stands alone ("12 January.") or heads a line ("12 October:
        # Papa lifted ...", "mon 3 july - calves cramped")
        lo, hi = bisect.bisect_left(sent, s_id), bisect.bisect_right(sent, s_id)
        if not all(w.isspace() or w in _PUNCT or w in _DAY_NAMES for w in words[lo : e.start]):
            return False
        after = [w for w in words[e.end : hi] if not w.isspace()]
        # "2 Sept. Back from the physio": spaCy keeps the dot on the month
        # and the heading runs on into the entry's first sentence
        return (
            all(w in _PUNCT for w in after)
            or after[0] in _HEADING_MARKS
            or (e.day is not None and words[e.end - 1].endswith("."))
        )

    headings = [
        (s_id, es[0])
        for s_id, es in sorted(per_sent.items())
        if len(es) == 1 and heads(s_id, es[0])
    ]
    firsts = sorted((sent[k] if k >= 0 else -1 - k, k) for k in keyed)
    j = 0
    for n, (s_id, e) in enumerate(headings):
        until = headings[n + 1][0] if n + 1 < len(headings) else len(sent) + 1
        while j < len(firsts) and firsts[j][0] <= s_id:
            j += 1
        if j < len(firsts) and firsts[j][0] < until:
            st = keyed[firsts[j][1]]
            # "2 June. Now his forearm too.": the entry's "now" is its date
            # "2 January. ... with a pain in her buttock and then had to be
            # helped out": a "then" inside the entry is the entry's day too,
            # and so is an "after" opening a sentence ("Mon 6 Jan. After four
            # hours of marking"; "when he writes, after a few words" is a habit)
            if (
                st.expr is None
                or st.expr.kind == "now"
                or (st.expr.kind == "sequence" and _entry_step(words, sent, st.expr.start))
                # "January. ... The first time was after the 5k run": the
                # entry's first time is in the entry's month
                or (st.expr.kind == "sequence" and st.expr.value == "start")
            ):
                st.expr = e


class _Keyed(dict):
    """Steps by piece key, with the body sites read in each sentence."""

    sent_sites: dict[int, set[str]]
    last_tok: dict[int, int]  # the last token of a finding told in each piece


def _steps_of_findings(sent, findings, starts, cuts, sent_first, by_start) -> _Keyed:
    keyed = _Keyed()
    keyed.sent_sites = {}
    keyed.last_tok = {}
    for f in findings:
        if f.status != "present" or f.concept not in STEP_CONCEPTS:
            continue
        tok = max(bisect.bisect_right(starts, f.start) - 1, 0)
        key = _piece_key(tok, sent, cuts, sent_first)
        step = keyed.setdefault(key, Step(key if key >= 0 else tok, by_start.get(key), [], []))
        last = max(bisect.bisect_left(starts, f.end) - 1, tok)
        keyed.last_tok[key] = max(keyed.last_tok.get(key, last), last)
        step.concepts.append(f.concept)
        step.sites.extend(f.body_sites)
        keyed.sent_sites.setdefault(sent[tok], set()).update(f.body_sites)
    return keyed


def _merge_steps(ordered: list[Step]) -> list[Step]:
    merged: list[Step] = []
    for step in ordered:
        if not step.concepts and not step.sites and merged:
            # "My calf twitches. It started at Easter.": the time of the step told
            if merged[-1].expr is None:
                merged[-1].expr = step.expr
                continue
            step.concepts = list(merged[-1].concepts)
        if not step.concepts and step.sites and merged:  # "later my right hand": same symptom
            step.concepts = list(merged[-1].concepts)
        if step.expr is None and merged:  # told without a time: same step as before
            merged[-1].concepts.extend(step.concepts)
            merged[-1].sites.extend(step.sites)
        else:
            merged.append(step)
    return merged


_SHORT_STEP = 4  # word tokens: "Started in February."


def _short(words: list[str], sent: list[int], tok: int) -> bool:
    lo = bisect.bisect_left(sent, sent[tok])
    hi = bisect.bisect_right(sent, sent[tok])
    return sum(1 for w in words[lo:hi] if w[:1].isalnum()) <= _SHORT_STEP


def sentence_words(words: list[str], sent: list[int], tok: int) -> set[str]:
    lo = bisect.bisect_left(sent, sent[tok])
    hi = bisect.bisect_right(sent, sent[tok])
    return set(words[lo:hi])
