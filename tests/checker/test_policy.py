"""The policy engine on a table of tricky spellings: the hits it must find and the look-alikes it must not."""

import pytest

from genip.checker.policy import Outcome, Policy, default_policy, fold

POLICY = default_policy()

HITS = [
    ("a castle at dusk, by Greg Rutkowski", "artist.greg-rutkowski", Outcome.FAIL),
    ("castle, GREG RUTKOWSKI, trending", "artist.greg-rutkowski", Outcome.FAIL),
    ("castle in the style of greg-rutkowski", "artist.greg-rutkowski", Outcome.FAIL),
    ("castle, g r e g  r u t k o w s k i", "artist.greg-rutkowski", Outcome.FAIL),
    ("castle, GregRutkowski", "artist.greg-rutkowski", Outcome.FAIL),
    ("castle, gr3g rutk0wsk1", "artist.greg-rutkowski", Outcome.FAIL),
    ("castle, greg rutkowsky", "artist.greg-rutkowski", Outcome.FAIL),  # one typo on a long name
    ("castle, gerg rutkowksi", "artist.greg-rutkowski", Outcome.FAIL),  # two transpositions, 13 letters
    ("portrait by Kärla Órtiz", "artist.karla-ortiz", Outcome.FAIL),  # accents
    ("girl, loish style", "artist.loish", Outcome.FAIL),
    ("samdoesarts style portrait", "artist.sam-yang", Outcome.FAIL),
    ("a forest spirit, Studio Ghibli", "style.ghibli", Outcome.NEEDS_REVIEW),
    ("p1k4chu on a skateboard", "character.pikachu", Outcome.NEEDS_REVIEW),
    ("Pokémon trainer", "character.pikachu", Outcome.NEEDS_REVIEW),
    ("spider man swinging over the city", "character.spider-man", Outcome.NEEDS_REVIEW),
    ("Spider-Man, comic cover", "character.spider-man", Outcome.NEEDS_REVIEW),
    ("a can of coca cola on ice", "trademark.coca-cola", Outcome.NEEDS_REVIEW),
    ("a LEGO city", "trademark.lego", Outcome.NEEDS_REVIEW),
]

CLEAN = [
    "a scenario with a marionette",  # contains "mario" inside words
    "a spider on a man's shoulder",  # not the character: words not adjacent
    "a phone on a wooden table",  # not "iPhone": short names must be exact
    "hotel santa monica at night",  # "elsa" hides across "hotel santa"
    "gregarious crowd at a rutabaga market",
    "the legolas-like elf, oil painting",  # "lego" inside a word
    "seed 421337, 30 steps, cfg 6.5",  # numbers are not leetspeak
    "a kidney-shaped pool",  # two edits from "Disney" on a short name
    "a bat flying over a mango",
]


@pytest.mark.parametrize(("prompt", "rule", "outcome"), HITS)
def test_protected_names_are_found_however_they_are_written(prompt: str, rule: str, outcome: Outcome) -> None:
    result = POLICY.check(prompt)
    assert rule in {h.rule for h in result.hits}, result
    assert result.outcome == outcome


@pytest.mark.parametrize("prompt", CLEAN)
def test_look_alikes_do_not_fire(prompt: str) -> None:
    result = POLICY.check(prompt)
    assert result.outcome == Outcome.PASS, result.hits


def test_the_negative_prompt_is_ignored() -> None:
    result = POLICY.check(
        "a friendly robot, watercolour", negative_prompt="greg rutkowski, disney, pixar style"
    )
    assert result.outcome == Outcome.PASS


def test_a_failing_rule_outweighs_review_rules_and_every_hit_names_its_rule() -> None:
    result = POLICY.check("mickey mouse painted by greg rutkowski")
    assert result.outcome == Outcome.FAIL
    assert [h.rule for h in result.hits] == ["artist.greg-rutkowski", "character.mickey-mouse"]
    assert result.to_json()["hits"][0]["matched"] == "greg rutkowski"


def test_folding_undoes_accents_case_and_leetspeak_but_keeps_numbers() -> None:
    assert fold("Gr3g RUTKÓWSKI, seed 1337") == ["greg", "rutkowski", "seed", "1337"]


def test_policies_load_from_data_files(tmp_path: object) -> None:
    policy = Policy.from_json(
        '{"rules": [{"id": "x", "category": "trademark", "outcome": "fail", "names": ["Acme"]}]}'
    )
    assert policy.check("an ACME anvil").outcome == Outcome.FAIL
    assert policy.check("an anvil").outcome == Outcome.PASS
