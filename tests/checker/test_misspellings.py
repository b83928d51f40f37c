"""The general misspelling rules of policy v6, each with the misspellings it catches and the real words and
look-alikes it must leave alone (genip/checker/policy.py: `_anchored`, `_end_edit` with `_CUES`,
`Policy._respelled`, `_aligned` and `_named_aligned`)."""

import pytest

from genip.checker.policy import Outcome, default_policy

POLICY = default_policy()


def _rules(prompt: str, *, semantic: bool = True) -> set[str]:
    return {h.rule for h in POLICY.check(prompt, semantic=semantic).hits}


def _assert_lookalike(prompt: str, rule: str) -> None:
    """`prompt` hits `rule` by name (no semantic model), and only as a look-alike, for review."""
    hits = [h for h in POLICY.check(prompt, semantic=False).hits if h.rule == rule]
    assert hits, POLICY.check(prompt, semantic=False).hits
    assert all(h.kind == "lookalike" for h in hits), hits


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [
        ("cute semi realistic girl, Sam Yan style", "artist.sam-yang"),  # last letter dropped, real words
        ("art by Sam Yanr, detailed", "artist.sam-yang"),  # last letter changed, not a real word
        ("Peter Parke swinging over the city", "character.spider-man"),
    ],
)
def test_one_exact_word_anchors_an_edit_in_the_other(prompt: str, rule: str) -> None:
    """A several-word name, one word spelled exactly, the one edit in another word that keeps its first
    letter and stops short or is not a real word: a look-alike for review, never a fail."""
    _assert_lookalike(prompt, rule)


@pytest.mark.parametrize(
    "prompt",
    ["cast iron mat on the stove", "a sam yam recipe card", "air mat by the pool", "poke bowl with salmon"],
)
def test_an_exact_word_beside_a_real_word_changed_is_not_a_name(prompt: str) -> None:
    assert POLICY.check(prompt).outcome == Outcome.PASS


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [
        ("Ghiblo style landscape", "style.ghibli"),
        ("art by Mickeu, detailed", "character.mickey-mouse"),
        ("Batma poster, dark city", "character.batman"),
        ("Gothan inspired skyline", "character.batman"),
        ("Pixa inspired sticker", "style.pixar"),
    ],
)
def test_an_end_edit_on_a_short_name_is_caught_with_a_cue(prompt: str, rule: str) -> None:
    result = POLICY.check(prompt, semantic=False)
    assert rule in {h.rule for h in result.hits}
    assert result.outcome == Outcome.NEEDS_REVIEW


@pytest.mark.parametrize(
    "prompt",
    [
        "Batma on a wooden table",  # no cue: the end of a short name is too weak alone
        "character like Gothan in a city",
        "pony style illustration",  # a real word
        "dart style logo",
        "yoshio style portrait",  # a letter added at the end is another name
        "nice style, clean lines",
        "Marion in the style of an old photo",
    ],
)
def test_an_end_edit_without_a_cue_or_on_a_real_word_passes(prompt: str) -> None:
    assert not _rules(prompt, semantic=False) - {"character.super-mario"} or prompt.startswith("yoshio")
    if not prompt.startswith("yoshio"):  # "yoshio" meets a descriptor of Yoshi semantically, as before v6
        assert POLICY.check(prompt).outcome == Outcome.PASS


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [
        ("héroes de Marbel, portada de cómic, estilo épico", "trademark.marvel"),  # b/v
        ("frozzen ice queen with a platinum braid", "character.elsa"),  # doubled letter
    ],
)
def test_a_descriptor_word_spelled_by_sound_reaches_the_model(prompt: str, rule: str) -> None:
    assert rule in _rules(prompt)


@pytest.mark.parametrize(
    "prompt",
    [
        "speedy and friends, cartoon",  # sounds like the one-word descriptor "Spidey": not respelled
        "a marble statue in a museum",
        "a frozen lake at dawn",
        "estilo wyzli, acuarela",
    ],
)
def test_respelling_leaves_one_word_descriptors_and_real_words_alone(prompt: str) -> None:
    assert POLICY.check(prompt).outcome == Outcome.PASS


@pytest.mark.parametrize(
    "prompt",
    [
        "pixel style illustration",  # two edits piled up in "pixar", a name on its own
        "marble style illustration",  # one sound and two letters from "marvel", beside an exact word
        "a diagonally striped scarf",
        "nikon camera, jeans, lousy weather, wallop",
        "froze, amanita, ghoul, pixel, bat, spider",
        "apple pie on a frozen lake",
        "yin and yang, anna and sam at the beach",
    ],
)
def test_common_words_near_names_pass(prompt: str) -> None:
    assert POLICY.check(prompt).outcome == Outcome.PASS, POLICY.check(prompt).hits


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [
        ("estilo Harry Potta, ilustración", "character.harry-potter"),  # no word of it is a name alone
        ("Hayao Myazaky landscape", "artist.hayao-miyazaki"),
        ("elegant vampire hunter, yoshikata amano", "artist.yoshitaka-amano"),  # two letters in 9
        ("micky maus waving", "character.mickey-mouse"),  # two words differ: together a guess
        ("gibly style forest", "style.ghibli"),
    ],
)
def test_spread_or_sounded_edits_still_match(prompt: str, rule: str) -> None:
    assert rule in _rules(prompt, semantic=False)


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [
        ("in the style of Spida-Man", "character.spider-man"),
        ("a poster of Avengas, cinematic", "trademark.marvel"),
        ("Hamione style portrait", "character.harry-potter"),
        ("im Stil von Calcifa", "style.ghibli"),
        ("Yoshee style portrait", "character.super-mario"),
        ("Jedee knight, glowing sword", "character.darth-vader"),
    ],
)
def test_non_rhotic_and_final_ee_spellings_sound_like_the_name(prompt: str, rule: str) -> None:
    """The sound key reads "er" before a consonant or at the end as "a" and a final "ee" as "i"."""
    _assert_lookalike(prompt, rule)


@pytest.mark.parametrize(
    "prompt",
    ["a cup of coffee and toffee", "a jubilee parade", "a spider on a web, macro", "a hermit crab on sand"],
)
def test_real_words_that_now_sound_alike_pass(prompt: str) -> None:
    assert POLICY.check(prompt).outcome == Outcome.PASS, POLICY.check(prompt).hits


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [
        ("в стиле Грега Рутковского", "artist.greg-rutkowski"),
        ("샘 양 스타일의 소녀", "artist.sam-yang"),
        ("詹姆斯·吉恩风格的插画", "artist.james-jean"),
        ("ピカチュウのイラスト", "character.pikachu"),
        ("костюм Человека-паука", "character.spider-man"),
    ],
)
def test_names_in_other_scripts_match_as_whole_names(prompt: str, rule: str) -> None:
    assert rule in _rules(prompt, semantic=False)


@pytest.mark.parametrize(
    "prompt",
    [
        "レゴリスに覆われた月面",
        "マリオネットを操る人形師",
        "портрет Марии",
        "浪漫威尼斯的运河",
        "快乐高兴的孩子们",
    ],
)
def test_names_in_other_scripts_do_not_fire_inside_other_words(prompt: str) -> None:
    assert POLICY.check(prompt).outcome == Outcome.PASS


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [
        ("poutoreeto, Loisshu fuu", "artist.loish"),
        ("jiburi fuu no fuukei", "style.ghibli"),
        ("Harii Pottaa to majo", "character.harry-potter"),
        ("un Aifon nuevo", "trademark.apple"),
        ("zapatillas Naik rojas", "trademark.nike"),
        ("Anna et Elza dans la neige", "character.elsa"),
        ("Anna y Elsa", "character.elsa"),
    ],
)
def test_spoken_spellings_are_read_back_for_review(prompt: str, rule: str) -> None:
    hits = {h.rule: h for h in POLICY.check(prompt, semantic=False).hits}
    assert rule in hits and hits[rule].outcome == Outcome.NEEDS_REVIEW


@pytest.mark.parametrize(
    "prompt",
    ["une idée qui suscite la curiosité", "ele regou as plantas", "Naik Road at dawn", "Anna y Maria"],
)
def test_spoken_readings_of_real_words_do_not_fire(prompt: str) -> None:
    assert POLICY.check(prompt).outcome == Outcome.PASS
