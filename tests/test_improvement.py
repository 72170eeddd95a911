"""Words of getting better that tell no improvement (``told_as_loss``)."""

from __future__ import annotations

import pytest
import spacy

from fasciclf.features._improvement import told_as_loss
from fasciclf.features._tokens import token_view

NLP = spacy.blank("en")


def _told_as_loss(text: str, phrase: str) -> bool:
    view = token_view(NLP(text))
    k = len(phrase.split())
    i = next(i for i in range(len(view.words)) if view.words[i : i + k] == phrase.split())
    return told_as_loss(view.words, i, i + k, view.sent)


@pytest.mark.parametrize(
    ("text", "phrase", "loss"),
    [
        ("he has a cold sore that keeps coming back", "coming back", True),
        ("the weakness is coming back", "coming back", True),
        ("the feeling in my hand is coming back", "coming back", False),
        ("my granddaughter helped me with the costume", "helped", True),
        ("any advice on helping her believe the gp", "helping", True),
        ("the splint helped a lot", "helped", False),
        ("reading this group is helping and scaring me", "helping", True),
        ("the muscle above the knee is almost gone", "almost gone", True),
        ("the twitching is almost gone", "almost gone", False),
        ("he started to say he was slowing down", "slowing down", True),
        ("the twitching is slowing down", "slowing down", False),
        ("writing it makes it feel less like it is happening to him", "less", True),
        # the person's mood, not the symptoms
        ("since then she is a bit calmer", "calmer", True),
        ("the twitching is calmer now", "calmer", False),
        ("still doing zumba, less scared", "less", True),
        ("the cramps are less now", "less", False),
    ],
)
def test_told_as_loss(text: str, phrase: str, loss: bool) -> None:
    assert _told_as_loss(text, phrase) is loss


@pytest.mark.parametrize(
    ("text", "improved"),
    [
        # the twitch got better, the hand did not
        (
            "My right hand has got weaker and I can't do up buttons. "
            "The twitching has calmed down a lot though.",
            ("twitching",),
        ),
        # a sentence with no symptom speaks of the last one told
        ("I kept dropping cups in the spring. It has got much better since the physio.", None),
        # an ability told as back is the strength back
        ("The cramps in my hand stopped me writing. It's improved and I can write again.", None),
        # the person told as better is better in all of it
        (
            "Getting off the sofa was a struggle and my thighs ached. "
            "The GP stopped the statin. It's October and I'm loads better.",
            None,
        ),
    ],
)
def test_improved_names_what_got_better(text: str, improved: tuple[str, ...] | None) -> None:
    from fasciclf.features import extract

    f = extract(text)
    assert f.progression == "improving"
    if improved is not None:
        assert f.improved == improved
    else:
        assert {"weakness", "function_loss", "dexterity_loss"} & set(f.improved)


def test_improved_is_empty_unless_the_course_improves() -> None:
    from fasciclf.features import extract

    f = extract("My hand is getting weaker and the twitching has spread to my arm.")
    assert f.progression == "progressive"
    assert f.improved == ()
