"""Assignments for the thirteenth batch: 4 writers x 30 rows (23 narratives, 7 questions)."""

import json
import random

LABELS = (
    ["possible_motor_neuron_disease"] * 6
    + ["benign_fasciculation"] * 6
    + ["neuromuscular_junction"] * 4
    + ["cervical_radiculopathy"] * 3
    + ["peripheral_neuropathy"] * 3
    + ["lumbosacral_radiculopathy"] * 2
    + ["central_nervous_system"] * 2
    + ["metabolic_systemic"] * 2
    + ["other"] * 2
)
JOBS = [
    "bus driver",
    "primary teacher",
    "dental nurse",
    "roofer",
    "accountant",
    "care worker",
    "chef",
    "farmer",
    "hairdresser",
    "software tester",
    "postman",
    "librarian",
    "electrician",
    "cleaner",
    "shop manager",
    "retired miner",
    "student nurse",
    "taxi driver",
    "warehouse picker",
    "physio receptionist",
    "vicar",
    "baker",
    "lorry driver",
    "florist",
    "call-centre worker",
    "plasterer",
    "music teacher",
    "retired nurse",
    "police call handler",
    "school cook",
    "gardener",
    "seamstress",
    "barista",
    "security guard",
    "architect",
]
TELLERS = [
    "self",
    "self",
    "self",
    "wife",
    "husband",
    "partner",
    "daughter",
    "son",
    "mother",
    "father",
    "sister",
    "brother",
    "friend",
    "granddaughter",
    "neighbour",
]
FORMS_N = [
    "a blog post about how it started",
    "a forum post telling the story so far",
    "a relative's account",
    "an as-told-to piece",
    "a long message to a friend",
    "a diary kept for the neurologist, with dated entries",
    "a speech-to-text voice note, run-on",
    "a reply in a support group thread",
]
FORMS_Q = [
    "a letter to a GP",
    "an online 'ask a doctor' question",
    "a patient portal message",
    "a forum question",
]
COURSE = [
    "worse and spreading to a new place",
    "a new symptom joining an old one",
    "attacks of minutes to hours that pass",
    "unchanged for months (said so)",
    "better by the time of writing",
    "not told at all",
    "bouts of days that clear, with good weeks between",
    "spread once, then the same",
    "worse as each day goes on",
    "one side first, the other side months later",
]
TIME = [
    "named months and seasons",
    "holidays and family events (a wedding, Christmas, a funeral)",
    "calendar years",
    "sequence words only (first, then, later, by then)",
    "the person's ages ('at 61', 'the year she turned 50')",
    "school terms, shifts or work seasons",
    "a stated span mixed with dates",
    "a few dated diary entries",
]
PRESENT = [
    "the present month named ('it's October now')",
    "only 'now' or 'these days'",
    "the present not named",
]
SIDES = [
    "one side named once, then 'it'",
    "plural parts ('my hands', 'both calves')",
    "one side, later the other side",
    "no side at all",
    "a side for one finding and both for another",
    "left and right for different findings",
]
DENIALS = [
    "a short list ('no pain, no numbness')",
    "a reassurance ('my balance is fine')",
    "a doctor's finding reported",
    "an answer to a question ('Numbness? None.')",
    "a denial across two sentences",
    "nothing denied",
]
LENGTH_N = ["120-170 words", "170-230 words", "230-290 words"]
LENGTH_Q = ["50-80 words", "80-130 words"]
AGES = {"20-29": 25, "30-39": 35, "40-49": 45, "50-59": 55, "60-69": 65, "70-79": 75, "80-89": 83}
out = {}
for w, seed in zip(["w165", "w166", "w167", "w168"], [4601, 4602, 4603, 4604], strict=True):
    rng = random.Random(seed)
    labels = LABELS[:]
    rng.shuffle(labels)
    voices = ["narrative"] * 23 + ["question"] * 7
    rng.shuffle(voices)
    rows = []
    for i, (lab, v) in enumerate(zip(labels, voices, strict=True), 1):
        band = rng.choice(list(AGES))
        if lab == "possible_motor_neuron_disease":
            band = rng.choice(["40-49", "50-59", "60-69", "70-79", "60-69"])
        rows.append(
            {
                "id": f"{w}-{i:04d}",
                "label": lab,
                "voice": v,
                "age_band": band,
                "sex": rng.choice(["female", "male"]),
                "job": rng.choice(JOBS),
                "teller": rng.choice(TELLERS),
                "form": rng.choice(FORMS_N if v == "narrative" else FORMS_Q),
                "length": rng.choice(LENGTH_N if v == "narrative" else LENGTH_Q),
                "course": rng.choice(COURSE),
                "time_told": rng.choice(TIME),
                "present": rng.choice(PRESENT),
                "sides": rng.choice(SIDES),
                "denials": rng.choice(DENIALS),
            }
        )
    out[w] = rows
    json.dump(rows, open(f"assign_{w}.json", "w"), indent=1)
print({w: len(r) for w, r in out.items()})
