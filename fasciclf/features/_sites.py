"""Body sites and sides: which sign each site and side word belongs to.

A side word ("left", "both") goes to the site it is written in, before or
after; a site goes to the sign it is part of ("tongue twitching"), else the
nearest sign in its clause, else in its sentence when the clause has no
subject of its own, else the previous present sign when the sentence says
the symptom spread ("it moved to my arm"). Lookups go through sorted
positions, so each site and side costs a bounded amount of work.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property

from fasciclf.features._doc import Term
from fasciclf.features._matches import filter_longest
from fasciclf.features._status import Mention
from fasciclf.features._tokens import (
    SENTENCE_END,
    TokenView,
    clause_ids,
    sentences_with,
    word_positions,
)
from fasciclf.features._wordlists import default_wordlists

_WORDS = default_wordlists()
_SPREAD_WORDS = _WORDS["spread_words"]
_LIST_WORDS = _WORDS["site_list_words"]
_LIST_PUNCT = frozenset(",.;:!-–—()…")
_THEN = frozenset({"then"})
_LIST_REACH = 2  # sentences back to the finding a list of sites belongs to
_SITE_PREPOSITIONS = _WORDS["site_prepositions"]
_SUBJECT_PRONOUNS = _WORDS["subject_pronouns"]
_MAX_SPAN = 16  # tokens: longer than any lexicon term


@dataclass
class Site:
    region: str
    start: int
    end: int
    bilateral: bool
    sides: set[str] = field(default_factory=set)


class _Positions:
    """Items sorted by start token, searched by a window of starts."""

    def __init__(self, items: list) -> None:
        self.items = items
        self.starts = [x.start for x in items]

    def between(self, lo: int, hi: int) -> list:
        """Items with ``lo <= start <= hi``, in order."""
        return self.items[bisect_left(self.starts, lo) : bisect_right(self.starts, hi)]

    def nearest(self, start: int, end: int) -> Mention | None:
        """The closest item to tokens ``start:end``; present ones win ties, then earlier ones."""
        items, starts = self.items, self.starts
        best, best_key = None, None
        p = bisect_left(starts, end)
        # after: distance grows with the index; only the first start can win
        q = p
        while q < len(items) and starts[q] == (starts[p] if p < len(items) else None):
            best, best_key = _better(items[q], q, start, end, best, best_key)
            q += 1
        # before or overlapping: stop once no earlier item can be as close
        q = p - 1
        while q >= 0:
            if best_key is not None and starts[q] + _MAX_SPAN < start - best_key[0]:
                break
            best, best_key = _better(items[q], q, start, end, best, best_key)
            q -= 1
        return best


def _better(mt, index, start, end, best, best_key):
    if mt.end <= start:
        d = start - mt.end
    elif mt.start >= end:
        d = mt.start - end
    else:
        d = 0
    # prefer present mentions on ties: "no weakness ... twitching in my calf"
    key = (d, 0 if mt.status == "present" else 1, index)
    if best_key is None or key < best_key:
        return mt, key
    return best, best_key


def _group(items: list, key) -> dict[int, _Positions]:
    groups: dict[int, list] = {}
    for x in items:
        groups.setdefault(key(x), []).append(x)
    return {k: _Positions(v) for k, v in groups.items()}


def find_sites(terms: list[Term], cues: list[tuple[Term, str]]) -> list[Site]:
    """Sites the writer has symptoms at (not "on my feet", not hypothetical ones)."""
    # token -> the furthest end of the exclusions covering it
    not_a_site: dict[int, int] = {}
    for t in terms:
        if t.kind == "site_exclude":
            # "on my feet", "turn my head", "phone in my hand": body words
            # that name no place where the writer has a symptom. A site term
            # reaching past the exclusion is kept: "the back of" takes "the
            # back" but not "back of the leg".
            for i in range(t.start, t.end):
                not_a_site[i] = max(not_a_site.get(i, -1), t.end)
    return [
        Site(t.value, t.start, t.end, t.bilateral)
        for t, status in cues
        if t.kind == "site"
        and status not in ("hypothetical", "family", "absent")
        and not_a_site.get(t.start, -1) < t.end
    ]


# "when I bump my elbow", "with his elbow bent", "the GP pressed on the inside
# of my elbow", "holding her wrists bent": a joint named for what is done to it
# is where a habit or a test sets the symptom off, not where the symptom is
_JOINTS = frozenset("elbow elbows wrist wrists".split())
_MANOEUVRES = frozenset(
    "bump bumps bumped bumping knock knocks knocked knocking catch catches caught catching "
    "bang bangs banged banging hit hits tap taps tapped tapping press presses pressed pressing "
    "lean leans leaned leant leaning prop props propped propping".split()
)
_HELD = frozenset("bent propped crooked flexed".split())
_MANOEUVRE_REACH = 5  # tokens before the joint: "pressed on the inside of my elbow"


def drop_manoeuvre_sites(view: TokenView, site_list: list[Site]) -> list[Site]:
    """The sites that are not a joint named for a manoeuvre.

    >>> from fasciclf.features import extract
    >>> bumped, aching = "when I bump my elbow", "my elbow aches"
    >>> [extract(f"My little finger is numb {how}.").body_sites for how in (bumped, aching)]
    [('hand',), ('arm', 'hand')]
    """
    words, sent = view.words, view.sent
    out = []
    for s in site_list:
        if words[s.end - 1] in _JOINTS:
            lo = max(s.start - _MANOEUVRE_REACH, 0)
            before = [w for k, w in enumerate(words[lo : s.start], lo) if sent[k] == sent[s.start]]
            after = words[s.end] if s.end < len(words) and sent[s.end] == sent[s.start] else ""
            if not _MANOEUVRES.isdisjoint(before) or after in _HELD:
                continue
        out.append(s)
    return out


_SIDE_LETTERS = {"l": "left", "r": "right"}
_TITLES = frozenset(
    {"dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "prof", "prof."}
)  # "Dr R Hand"


def _side_letters(view: TokenView, sites: list[Site]) -> None:
    """ "L calf", "R hand": a side's initial right before its site, as notes
    and quick posts write it ("l" or "r" alone is no side)."""
    for st in sites:
        letter = view.words[st.start - 1] if st.start else ""
        if letter in _SIDE_LETTERS and (st.start < 2 or view.words[st.start - 2] not in _TITLES):
            st.sides.add(_SIDE_LETTERS[letter])


def place_sides(
    view: TokenView, terms: list[Term], sites: list[Site], side_window: int
) -> list[tuple[str, int, int]]:
    """Give each side word to its site; return the sides no site took."""
    _side_letters(view, sites)
    sides = _side_terms(view, terms)
    if not sides:
        return []
    by_sent = _group(sites, lambda s: view.sent[s.start])
    free: list[tuple[str, int, int]] = []
    for m in sides:
        told = _the_other_one(view, m, sites)
        if told is not None:
            told.sides.add(m.value)
            continue
        near = by_sent.get(view.sent[m.start])
        if near is None:
            free.append((m.value, m.start, m.end))
            continue
        inside = next(
            (s for s in near.between(m.start - _MAX_SPAN, m.start) if m.end <= s.end), None
        )
        if inside is not None:
            inside.sides.add(m.value)
            continue
        # a side phrase that names its site: "each hand", "the other leg too"
        within = [s for s in near.between(m.start, m.end - 1) if s.end <= m.end]
        if within:
            within[0].sides.add(m.value)
            continue
        after = near.between(m.end, m.end + side_window - 1)
        if after:
            after[0].sides.add(m.value)
            # "left and right hands", "both my calves and thighs"
            for s in near.between(after[0].end + 1, after[0].end + 2):
                if s is not after[0]:
                    s.sides.add(m.value)
            continue
        before = [
            s for s in near.between(m.start - 3 - _MAX_SPAN, m.start) if 0 <= m.start - s.end <= 3
        ]
        if before:
            before[-1].sides.add(m.value)
            continue
        free.append((m.value, m.start, m.end))
    return free


def _side_terms(view: TokenView, terms: list[Term]) -> list[Term]:
    """The side words that name a side: not inside an exclusion ("right now",
    "with both hands") nor closing a clause as what remains ("a patch left.")."""
    excluded: set[int] = set()
    finding_starts = {t.start for t in terms if t.kind in _FINDING_KINDS}
    for t in terms:
        # "wakes up with both hands numb": the hands are what is numb, not
        # what she does something with ("opens jars with both hands")
        if t.kind == "side_exclude" and not (
            view.words[t.end - 1] in _HANDS and t.end in finding_starts
        ):
            excluded.update(range(t.start, t.end))
    return filter_longest(
        [
            t
            for t in terms
            if t.kind == "side"
            and not any(i in excluded for i in range(t.start, t.end))
            and not _no_side_at_clause_end(view.words, t)
        ]
    )


_FINDING_KINDS = frozenset({"symptom", "extra"})
_HANDS = frozenset({"hand", "hands"})


def _the_other_one(view: TokenView, m: Term, sites: list[Site]) -> Site | None:
    """ "my left calf has twitched, and lately the right one": the part told just
    before, on this side too. Not when the one is well ("the right one is
    fine", "the left one isn't affected")."""
    words, sent = view.words, view.sent
    if (
        m.end - m.start != 1
        or words[m.start] not in _BARE_SIDES
        or m.end >= len(words)
        or words[m.end] not in _ONES
        or not m.start
        or words[m.start - 1] not in _OWNER_WORDS
    ):
        return None
    for k in range(m.end + 1, min(m.end + 1 + _ONE_STATE_REACH, len(words))):
        if sent[k] != sent[m.start]:
            break
        if words[k] in _WELL_OR_NOT:
            return None
    k = bisect_left([st.start for st in sites], m.start)
    prev = sites[k - 1] if k else None
    other = "left" if words[m.start] == "right" else "right"
    if prev is None or sent[m.start] - sent[prev.start] > 1 or other not in prev.sides:
        return None
    return prev


_ONES = frozenset({"one", "ones"})
_OWNER_WORDS = frozenset("the my his her their your".split())
_ONE_STATE_REACH = 6
_WELL_OR_NOT = (
    frozenset(default_wordlists()["good_state_words"])
    # "the right one is full", "... is still round": the wasting is on one side
    | frozenset({"unaffected", "alright", "not", "n't", "never", "normal", "full", "round"})
    | frozenset({"rounded", "same", "bigger", "thicker"})
)


def _no_side_at_clause_end(words: list[str], t: Term) -> bool:
    """ "just a small numb patch left.", "something isn't right,": a bare left or
    right closing its clause after anything but a word that leads a side ("on
    the left.", "weaker than my right,", "than left.") is what remains or what is
    well, not a side."""
    if t.end - t.start != 1 or words[t.start] not in _BARE_SIDES:
        return False
    after = words[t.end] if t.end < len(words) else "."
    before = words[t.start - 1] if t.start else ""
    closes = after in SENTENCE_END or after in _CLAUSE_MARKS or "\n" in after
    return closes and before not in _SIDE_LEADS


_BARE_SIDES = frozenset({"left", "right"})
_CLAUSE_MARKS = frozenset({",", ":"})
_SIDE_LEADS = frozenset(
    "the my his her their your our on to and or than both 's each other".split()
)


class _SignIndex:
    """Sign mentions indexed by sentence and clause, to find the one a site describes."""

    def __init__(self, view: TokenView, mentions: list[Mention], sites: list[Site]) -> None:
        words, sent = view.words, view.sent
        self.view = view
        signs = [mt for mt in mentions if mt.is_sign]
        self.clause = clause_ids(words, sent)
        self.has_subject = {self.clause[i] for i in word_positions(words, _SUBJECT_PRONOUNS)}
        self.by_sent = _group(signs, lambda mt: sent[mt.start])
        self.by_clause = _group(signs, lambda mt: self.clause[mt.start])
        self.present = _Positions([mt for mt in signs if mt.status == "present"])
        self._sites = sites

    # The indexes below serve only sites no sign of their own sentence owns
    # (half the texts have none): built on first use.

    @cached_property
    def spread_sents(self) -> set[int]:
        return sentences_with(self.view.words, self.view.sent, _SPREAD_WORDS)

    @cached_property
    def list_sents(self) -> set[int]:
        return _site_lists(self.view, self._sites, set(self.by_sent))

    @cached_property
    def then_lists(self) -> dict[int, range]:
        site_toks = {i for st in self._sites for i in range(st.start, st.end)}
        return _then_lists(self.view, site_toks)

    def owner_of_site(self, s: Site) -> Mention | None:
        clause = self.clause[s.start]
        same = self.by_sent.get(self.view.sent[s.start])
        if same is not None:
            # A site inside a sign phrase ("tongue twitching") is already counted.
            inside = same.between(s.start - _MAX_SPAN, s.start)
            owner = next((mt for mt in inside if s.end <= mt.end), None)
            if owner is None and clause in self.by_clause:
                owner = self.by_clause[clause].nearest(s.start, s.end)
            if owner is None and clause not in self.has_subject:
                owner = same.nearest(s.start, s.end)
            if owner is not None:
                return owner
        s_id = self.view.sent[s.start]
        if s_id in self.spread_sents and _after_preposition(self.view, s.start):
            k = bisect_left(self.present.starts, s.start)
            return self.present.items[k - 1] if k else None
        if s_id in self.list_sents:
            # "Twitching since January. Calves, thighs, backs of my arms."
            k = bisect_left(self.present.starts, s.start)
            prev = self.present.items[k - 1] if k else None
            if prev is not None and s_id - self.view.sent[prev.start] <= _LIST_REACH:
                return prev
            # "His legs. He gets up out of the chair stiff and heavy as concrete":
            # a fragment naming a part heads the finding told right after it
            nxt = self.present.items[k] if k < len(self.present.items) else None
            if nxt is not None and self.view.sent[nxt.start] - s_id == 1:
                return nxt
        if same is None and s.start in self.then_lists.get(s_id, ()):
            # "... her eyelid flickering. then her calf. then her right bicep,
            # her stomach, her back, in the end it was all over": a "then"
            # list of parts tells where the symptom told before went
            k = bisect_left(self.present.starts, s.start)
            prev = self.present.items[k - 1] if k else None
            if prev is not None and s_id - self.view.sent[prev.start] <= _LIST_REACH:
                return prev
        return None

    def owner_of_side(self, start: int, end: int) -> Mention | None:
        group = self.by_clause.get(self.clause[start])
        return group.nearest(start, end) if group is not None else None


def attach_sites(view: TokenView, mentions: list[Mention], sites: list[Site], free_sides) -> None:
    """Add each site (with its sides) and each free side to the sign it describes."""
    for mt in mentions:
        if mt.site and mt.is_sign:
            mt.sites.add(mt.site)
    if not sites and not free_sides:
        return
    index = _SignIndex(view, mentions, sites)
    for s in sites:
        owner = index.owner_of_site(s)
        if owner is None:
            continue
        owner.sites.add(s.region)
        if s.sides:
            owner.sides.update(s.sides)
        elif s.bilateral:
            owner.sides.add("plural")
    for side, start, end in free_sides:
        owner = index.owner_of_side(start, end)
        if owner is not None:
            owner.free_sides.add(side)
    _drop_told_faces(mentions)


def _then_lists(view: TokenView, site_toks: set[int]) -> dict[int, range]:
    """Per sentence with a "then", the tokens a "then" list covers: from its
    first "then" to the first token that is no list word, part or "then".

    "the GP thought it might be my hip, then my back" lists guesses, not
    where the symptom went: its list is broken before the "then". Only
    sentences with a "then" are read, each once (a run of "calf, calf, ..."
    stays linear).
    """
    words, sent = view.words, view.sent
    ranges = view.sentence_ranges()
    out: dict[int, range] = {}
    # most letters have no "then": one set lookup
    for s_id in dict.fromkeys(sent[j] for j in word_positions(words, _THEN)):
        first_then = None
        end = ranges[s_id].stop
        for j in ranges[s_id]:
            w = words[j]
            if not (j in site_toks or w in _LIST_WORDS or w in _LIST_PUNCT or w.isspace()):
                end = j
                break
            if first_then is None and w in _THEN:
                first_then = j
        if first_then is not None:
            out[s_id] = range(first_then + 1, end)
    return out


_CHEWING = default_wordlists()["chewing_words"]
_HOLDING = frozenset(
    "hold holds holding held prop props propping propped support supports supporting".split()
)
# what a chin held up with a hand is: the jaw giving out while eating (a tiring
# jaw, as the guideline reads it: bulbar, fatigue and weakness), or the neck
_JAW_HELD = ("dysphagia", ("bulbar", "fatigue", "weakness"), "bulbar")
_HEAD_HELD = ("head_drop", ("weakness",), "neck")


def read_chin_support(view: TokenView, mentions: list[Mention]) -> None:
    """Read a chin held up with a hand by its sentence.

    In a sentence that tells chewing or the jaw ("had to hold my chin up
    with my hand to finish chewing") it is the jaw giving out; in any other
    ("I must hold my chin with the hand to look at the music", "at the table
    she props her chin on her hand") it is a head too heavy for the neck, as
    the guideline reads it. The lexicon lists the phrases under either
    concept; each mention's own sentence decides.

    >>> from fasciclf.features import extract
    >>> extract("I must hold my chin with the hand to look at the music.").body_sites
    ('neck',)
    >>> extract("The steak beat my jaw: I held my chin up to chew.").body_sites
    ('bulbar', 'head_face')
    """
    words, sent = view.words, view.sent
    chewing: dict[int, bool] = {}  # each sentence read once
    for mt in mentions:
        if mt.concept not in (_JAW_HELD[0], _HEAD_HELD[0]):
            continue
        said = words[mt.start : mt.end]
        if "chin" not in said or _HOLDING.isdisjoint(said):
            continue
        s_id = sent[mt.start]
        if s_id not in chewing:
            span = view.sentence_ranges()[s_id]
            chewing[s_id] = not _CHEWING.isdisjoint(words[span.start : span.stop])
        mt.concept, mt.also, mt.site = _JAW_HELD if chewing[s_id] else _HEAD_HELD


def _drop_told_faces(mentions: list[Mention]) -> None:
    # "like my tongue is too big for my mouth", "her chin on her fist", "eyes
    # streaming" when she chokes: the face in a bulbar sign's telling is no
    # site of its own; nor is the eye of "blurred vision in one eye"
    for mt in mentions:
        if mt.concept in _NO_FACE and mt.site != "head_face":
            # a tiring jaw is at the face too (the guideline: bulbar, head_face)
            if not (mt.concept == "dysphagia" and "fatigue" in mt.also):
                mt.sites.discard("head_face")
            # "I must hold my chin with the hand": the helping hand
            mt.sites.discard("hand")
            if mt.concept == "head_drop":
                mt.sites.discard("trunk")  # "the chin goes down to the chest"


def _site_lists(view: TokenView, sites: list[Site], sign_sents: set[int]) -> set[int]:
    """Sentences with no sign that only list body sites ("Calves, feet, thighs.")."""
    covered: dict[int, set[int]] = {}
    count: dict[int, int] = {}
    for s in sites:
        covered.setdefault(view.sent[s.start], set()).update(range(s.start, s.end))
        count[view.sent[s.start]] = count.get(view.sent[s.start], 0) + 1
    ranges = view.sentence_ranges()
    out = set()
    for s_id, toks in covered.items():
        if s_id in sign_sents:
            continue
        # "His eyelid went first, then the calves, then his forearms and
        # chest": a long list carries a word or two of its own; the count
        # stops at the first word over that slack (most sentences are no list)
        slack = _LIST_SLACK if count[s_id] >= _LONG_LIST else 0
        other = 0
        for i in ranges[s_id]:
            w = view.words[i]
            if i in toks or w in _LIST_WORDS or w in _LIST_PUNCT or w.isspace():
                continue
            other += 1
            if other > slack:
                break
        if other <= slack:
            out.add(s_id)
    return out


_NO_FACE = frozenset({"dysarthria", "dysphagia", "drooling", "bulbar", "head_drop", "vision"})
_LONG_LIST, _LIST_SLACK = 3, 4  # slack chosen on training rows (false sites flat up to 5)


def _after_preposition(view: TokenView, idx: int) -> bool:
    s_id = view.sent[idx]
    for back in range(1, 4):
        j = idx - back
        if j < 0 or view.sent[j] != s_id:
            break
        if view.words[j] in _SITE_PREPOSITIONS:
            return True
    return False


def side_of(sides: set[str]) -> str:
    """One laterality for a set of side words."""
    if "bilateral" in sides or {"left", "right"} <= sides:
        return "bilateral"
    if "left" in sides:
        return "left"
    if "right" in sides:
        return "right"
    return "unspecified"


# Findings of lost strength: the finding whose side decides when others are plural.
_MOTOR = frozenset({"weakness", "atrophy", "dexterity_loss", "function_loss", "foot_drop", "falls"})


_NO_SIDE = frozenset({"diplopia"})
# seen, not only felt: "my legs twitch all night" beside a right calf that wastes is both sides
_PLURAL_SIGNS = frozenset({"twitching"})


def laterality(present_signs: list[Mention], body_sites: list[str], sites: list[Site] = ()) -> str:
    """One side for the present findings, as the guideline (section 7) reads them.

    Paired parts in the plural ("my calves") are both sides, also next to a
    side named for another finding ("my left hand twitches, and my calves"),
    unless that side is a motor finding's and the plural ones are only felt
    ("my right hand is weak ... tingly hands when she panics" is right;
    "my right calf is smaller ... my legs twitch all night", seen, is both); a
    side named for one finding and nothing for the rest is that side; "all
    over" is both sides only when no side is written.

    >>> m = Mention("twitching", (), "symptom", 0, 1, sides={"left"})
    >>> p = Mention("cramps", (), "symptom", 2, 3, sides={"plural"})
    >>> laterality([m], []), laterality([m, p], []), laterality([m], ["generalized"])
    ('left', 'bilateral', 'left')
    >>> w = Mention("weakness", (), "symptom", 0, 1, sides={"right"})
    >>> s = Mention("sensory", (), "symptom", 2, 3, sides={"plural"})
    >>> laterality([w, s], [])
    'right'
    >>> t = Mention("twitching", (), "symptom", 2, 3, sides={"plural"}, sites={"leg"})
    >>> laterality([w, t], [])
    'bilateral'
    """
    # double vision is of both eyes by nature: it names no side
    present_signs = [mt for mt in present_signs if mt.concept not in _NO_SIDE]
    explicit: set[str] = set().union(*(mt.explicit_sides() for mt in present_signs))
    lat = side_of(explicit)
    if lat != "bilateral" and any("plural" in mt.sides for mt in present_signs):
        # a side named for a motor finding (the main one) is not undone by
        # plural words for a sensation or an ache: "her right hand is weak
        # ... she gets tingly hands when she panics" -> right
        sided_motor = any(mt.explicit_sides() and mt.concept in _MOTOR for mt in present_signs)
        plural_motor = any(
            "plural" in mt.sides
            and (
                mt.concept in _MOTOR
                # "all over" is both sides only when no side is written
                or (mt.concept in _PLURAL_SIGNS and mt.sites - {"generalized"})
            )
            for mt in present_signs
        )
        if lat == "unspecified" or not sided_motor or plural_motor:
            return "bilateral"
    if lat == "unspecified" and "generalized" in body_sites:
        return "bilateral"
    if lat == "unspecified":
        # "his right foot was flopping": a lay word the lexicon does not know
        # leaves the side with the body part; it counts where the findings are.
        lat = side_of(
            {side for s in sites if s.region in body_sites for side in s.sides} - {"plural"}
        )
    return lat
