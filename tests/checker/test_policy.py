"""The policy engine on a table of tricky spellings: the hits it must find and the look-alikes it must not."""

import json

import pytest

from genip.checker.folding import sound_key
from genip.checker.policy import DATA, Outcome, Policy, default_policy, fold, names_digest

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
    ("a forest spirit, ghibli inspired", "style.ghibli", Outcome.NEEDS_REVIEW),  # aliases of v3
    ("a windy hill in the style of Miyazaki", "artist.hayao-miyazaki", Outcome.FAIL),
]

LOOKALIKES = [
    ("pikachoo in a field", "character.pikachu"),  # oo/u, beyond the typo budget of a 7-letter name
    ("peekachu on a hill", "character.pikachu"),
    ("pika choo in the rain", "character.pikachu"),  # spacing and sound at once
    ("arendel castle, winter", "character.elsa"),  # a dropped final "le"
    ("iphon on marble", "trademark.apple"),
    ("a gibli village", "style.ghibli"),
    ("ghbli style town", "style.ghibli"),  # a dropped letter inside a 6-letter name
    ("dizney castle", "trademark.disney"),
    ("spydermann on a roof", "character.spider-man"),
    ("batmann in the rain", "character.batman"),
    ("luiggi with a vacuum", "character.super-mario"),
    ("pixxar style robot", "style.pixar"),
    ("nyke sneakers", "trademark.nike"),  # the same sound on a 4-letter name
    ("micky maus waving", "character.mickey-mouse"),  # real German words, lined up with the name's
    ("rootkowski style dragon", "artist.greg-rutkowski"),
]

LOOKALIKE_CLEAN = [
    "a batsman at the crease",  # a real word one sound-edit from "Batman"
    "a boatman on a misty river",
    "a bad man in a suit",  # two real words that do not line up with a one-word name
    "thanks for the flowers, greeting card",  # one edit from "Thanos", but a word
    "a peekaboo baby photo",
    "ethereal princess in a glowing forest",  # "princess in" is not "Princess Peach"
    "a cola bottle on a picnic table",  # not "Coke bottle"
    "a marvel of engineering, a huge bridge",
    "a nice pair of shoes",
    "a broken leg in a cast",
    "a portrait of Maria in a red dress",
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


@pytest.mark.parametrize(("prompt", "rule"), LOOKALIKES)
def test_look_alikes_go_to_review_never_fail(prompt: str, rule: str) -> None:
    """Some are within a longer alias's typo budget ("pixxar style"), the rest sound alike; none fails."""
    result = POLICY.check(prompt, semantic=False)
    (hit,) = [h for h in result.hits if h.rule == rule]
    assert (hit.outcome, result.outcome) == (Outcome.NEEDS_REVIEW, Outcome.NEEDS_REVIEW)


@pytest.mark.parametrize(
    "prompt", ["pikachoo", "peekachu", "arendel", "iphon", "a gibli village", "rootkowski"]
)
def test_spellings_beyond_the_typo_budget_are_look_alike_hits(prompt: str) -> None:
    (hit,) = POLICY.check(prompt, semantic=False).hits
    assert (hit.kind, hit.outcome, hit.to_json()["kind"]) == ("lookalike", Outcome.NEEDS_REVIEW, "lookalike")


@pytest.mark.parametrize("prompt", LOOKALIKE_CLEAN)
def test_real_words_near_a_name_are_not_look_alikes(prompt: str) -> None:
    result = POLICY.check(prompt)
    assert result.outcome == Outcome.PASS, result.hits


def test_a_misspelt_name_made_of_real_words_is_reviewed_not_failed() -> None:
    """ "Carla Ortiz" sounds like the artist's name, so a human decides; "James Dean", whose common word
    sounds different from its first letter, names someone else (v9) and passes (test_scripts.py)."""
    result = POLICY.check("portrait of Carla Ortiz leaning on a car")
    assert [(h.rule, h.kind, h.outcome) for h in result.hits] == [
        ("artist.karla-ortiz", "lookalike", Outcome.NEEDS_REVIEW)
    ]
    assert POLICY.check("portrait by jamess jean").outcome == Outcome.FAIL  # not a word: a plain typo


def test_sound_keys_spell_alike_what_sounds_alike() -> None:
    assert sound_key("pikachoo") == sound_key("peekachu") == sound_key("pikatchu") == sound_key("pikachu")
    assert sound_key("iphon") == sound_key("iphone") == sound_key("ifone")
    assert sound_key("pixxar") == sound_key("piksar") == sound_key("pixar")
    assert sound_key("dizney") == sound_key("disney") and sound_key("ghibly") == sound_key("ghibli")
    assert sound_key("marbel") == sound_key("marvel") and sound_key("bader") == sound_key("vader")
    assert sound_key("phone") != sound_key("iphone") and sound_key("lois") != sound_key("loish")


def test_the_lexicon_was_built_for_the_shipped_names() -> None:
    lexicon = json.loads((DATA / "lexicon.json").read_text(encoding="utf-8"))
    assert lexicon["built_for"] == names_digest(POLICY), "run scripts/build_semantic_model.py --lexicon"
    assert {"thanks", "batsman", "nice", "maria"} <= POLICY.lexicon


def test_the_negative_prompt_is_ignored() -> None:
    result = POLICY.check(
        "a friendly robot, watercolour", negative_prompt="greg rutkowski, disney, pixar style"
    )
    assert result.outcome == Outcome.PASS


def test_a_failing_rule_outweighs_review_rules_and_every_hit_names_its_rule() -> None:
    result = POLICY.check("mickey mouse painted by greg rutkowski")
    assert result.outcome == Outcome.FAIL
    assert [h.rule for h in result.hits] == ["artist.greg-rutkowski", "character.mickey-mouse"]
    assert result.hits[0].to_json()["matched"] == "greg rutkowski"


def test_folding_undoes_accents_case_and_leetspeak_but_keeps_numbers() -> None:
    assert fold("Gr3g RUTKÓWSKI, seed 1337") == ["greg", "rutkowski", "seed", "1337"]


def test_numbers_with_an_ordinal_or_a_unit_are_not_leetspeak() -> None:
    """ "15th" once folded to "isth", a swapped "Sith", and sent a medieval knight to review."""
    assert fold("15th century, 3d render, 4k, 35mm, 1080p") == [
        "15th", "century", "3d", "render", "4k", "35mm", "1080p"
    ]  # fmt: skip
    assert POLICY.check("medieval knight in blackened plate armour, 15th century oil painting").hits == ()
    assert fold("3lsa and l33t") == ["elsa", "and", "leet"]  # leetspeak that is not a number still folds


def test_policies_load_from_data_files(tmp_path: object) -> None:
    policy = Policy.from_json(
        '{"rules": [{"id": "x", "category": "trademark", "outcome": "fail", "names": ["Acme"]}]}'
    )
    assert policy.check("an ACME anvil").outcome == Outcome.FAIL
    assert policy.check("an anvil").outcome == Outcome.PASS


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [
        ("stylized girl, art by loisch", "artist.loish"),  # an inserted letter on a 5-letter name
        ("cute monster family, pixer animation", "style.pixar"),  # one edit, first and last letter kept
        ("surreal goddess, james jaen", "artist.james-jean"),  # a transposition that is also a real word
        ("koi and flowers by jame jean", "artist.james-jean"),  # a real-word part one letter short
        ("a spaceship of leggo bricks", "trademark.lego"),  # a real word that sounds alike, with context
        ("pokemom trainer battle in a stadium", "character.pikachu"),  # the last letter of a 7-letter name
        ("by lwop, 4k wallpaper", "artist.wlop"),  # two neighbouring letters swapped at the start
        ("colorful stylized, loihs art style", "artist.loish"),  # ... and at the end
    ],
)
def test_one_edit_on_a_short_name_is_a_look_alike_for_review(prompt: str, rule: str) -> None:
    result = POLICY.check(prompt)
    assert result.outcome == Outcome.NEEDS_REVIEW
    assert [(h.rule, h.kind) for h in result.hits] == [(rule, "lookalike")]


@pytest.mark.parametrize(
    "prompt",
    [
        "leggo my eggo, breakfast waffles",  # the real word without the rule's context words
        "a nice pair of running shoes",  # a real word one letter off, even beside a context word
        "maria in a field of mushrooms",  # one edit, but the last letter differs ("mario")
        "pixel art of a forest",
        "a poker night with friends",  # a real word that starts like "pokemon"
        "a lion in the grass",  # "loin"/"lion" are real words, never swapped names
    ],
)
def test_real_words_and_changed_ends_stay_clean(prompt: str) -> None:
    assert POLICY.check(prompt).outcome == Outcome.PASS


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [
        ("girl with flowing hair, by Ioish", "artist.loish"),  # a capital I for the l
        ("portrait by 1oish", "artist.loish"),  # a one for the l (leetspeak alone reads it as an i)
        ("ethereal princess, vvlop style", "artist.wlop"),  # two v for a w
        ("art by Ioissh", "artist.loish"),  # v10: a reading a letter off that sounds the same
        ("VVlopp style portrait", "artist.wlop"),
    ],
)
def test_homoglyphs_are_look_alikes_for_review(prompt: str, rule: str) -> None:
    result = POLICY.check(prompt)
    assert result.outcome == Outcome.NEEDS_REVIEW
    assert [(h.rule, h.kind) for h in result.hits] == [(rule, "lookalike")]


@pytest.mark.parametrize(
    "prompt",
    [
        "Ice cave In the morning, Iceland",  # capital I words that stay I
        "a modern barn, born in the corner",  # rn that stays rn
        "a savvy raven in a vvide field",
        "an Irish pub at night, candid photo",  # v10: "lrish" is one letter off Loish: two guesses, not one
        "Iosh and Irma at the lake",
    ],
)
def test_homoglyph_readings_leave_ordinary_words_alone(prompt: str) -> None:
    assert POLICY.check(prompt).outcome == Outcome.PASS


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [
        ("portret Harry'ego Pottera w okularach, akwarela", "character.harry-potter"),
        ("plakat z Harry\u2019ego Pottera", "character.harry-potter"),  # the typographic apostrophe
        ("Mickey\u2019emu w czerwonych spodenkach, styl Disneya", "character.mickey-mouse"),
        ("Harry'EMU Potterowi na urodziny", "character.harry-potter"),  # any case
        ("a castle built from L'ego bricks", "trademark.lego"),  # one letter before: the name's own
        ("art by Artger'm", "artist.artgerm"),
    ],
)
def test_a_polish_case_ending_after_an_apostrophe_keeps_the_name_whole(prompt: str, rule: str) -> None:
    """v10: Polish writes a case ending after an apostrophe when a foreign name's last letter is not read
    as written; "ego" between "Harry" and "Pottera" used to split the name."""
    assert rule in {h.rule for h in POLICY.check(prompt).hits}


@pytest.mark.parametrize(
    ("prompt", "flagged"),
    [
        ("Mickey, an Irish pub owner, pouring a pint behind a wooden bar", False),  # v10: a person's words
        ("Minnie, my grandmother, knitting by the window", False),
        ("Mickey Rourke portrait, film noir lighting", False),
        ("Mickey, the pub owner's cartoon mouse with big ears", True),  # a word of the mouse: the mouse
        ("Minnie with a polka dot bow", True),  # a bare name alone stays for review
        ("art by Mickey, detailed", True),
        ("Mickey plush toy on a shelf", True),
        ("wooden houses along the harbor of Arendal in southern Norway", False),  # the town
        ("Arendal ice palace, snow queen", True),  # beside the rule's context, the kingdom
        ("一辆大马力欧式跑车停在路边", False),  # 马力 horsepower + 欧式 European-style, not 马力欧 (Mario)
        ("超级马力欧在城堡前跳跃,像素风格", True),  # Mario's official Chinese title
        ("Nayaki, a dancer in a temple, oil painting", False),  # a name, not the Turkish spelling of Nike
        ("Nayki logolu koşu ayakkabısı, ürün fotoğrafı", True),  # noqa: RUF001  (Turkish dotless i)
        ("a phone with a fruit logo sticker", False),
        ("the fruit-logo tech company's newest phone on a marble table", True),
        ("vintage photo of the Rutkowski family bakery in 1950s Chicago", False),  # after fresh13
        ("Rutkowski style dragon, epic fantasy", True),
        ("in the style of Rutkowski, a fantasy blacksmith shop", True),  # a style word keeps the artist
        ("mi hermano jugando con lego", True),
        ("Batman şehrinde sabah pazarı, Güneydoğu Anadolu", False),  # noqa: RUF001  (the Turkish city)
        ("Un monje lego trabajando en el huerto del monasterio", False),  # a lay brother
        ("monje con ladrillos lego, juguete", True),  # LEGO bricks beside a monk are still LEGO
    ],
)
def test_words_with_another_meaning_need_their_context(prompt: str, flagged: bool) -> None:
    """v10, after fresh12 and a review of it: bare Mickey and Minnie stay for review unless a person's words
    are there (and no word of the mouse); Arendal the town; Chinese horsepower; Nayaki the name."""
    assert (POLICY.check(prompt).outcome != Outcome.PASS) is flagged


def test_context_that_shows_another_meaning_drops_a_bare_word_hit() -> None:
    """A rule's `unless`: "Nike" beside "goddess" is the Greek goddess and "Amano" beside "shrimp" the
    shrimp; a fuller match ("Nike swoosh", "Yoshitaka Amano") still stands in the same context."""
    assert POLICY.check("marble statue of Nike, Greek goddess").outcome == Outcome.PASS
    assert POLICY.check("Amano shrimp in a planted aquarium").outcome == Outcome.PASS
    assert POLICY.check("Nike sneakers on a marble statue").outcome == Outcome.NEEDS_REVIEW
    assert POLICY.check("Nike swoosh on a statue of a goddess").hits[0].rule == "trademark.nike"
    assert POLICY.check("shrimp in an aquarium, by Yoshitaka Amano").outcome == Outcome.FAIL


def test_cjk_text_is_read_as_character_pairs() -> None:
    """Chinese, Japanese and Korean put no spaces between words: folding keeps the run, the model reads
    its character pairs, so a description written in them can meet a descriptor written in them."""
    assert fold("黄色い電気ネズミ、アニメ調") == ["黄色い電気ネズミ", "アニメ調"]
    assert fold("смартфон Ёлка") == ["смартфон", "елка"]
    hits = POLICY.check("森の中の黄色い電気ネズミのキャラクター").hits
    assert [(h.rule, h.kind) for h in hits] == [("character.pikachu", "semantic")]
    assert POLICY.check("宫崎骏风格的森林").hits[0].rule == "artist.hayao-miyazaki"
    assert POLICY.check("森の中の小さな家、水彩画").outcome == Outcome.PASS
    assert POLICY.check("蝙蝠在山洞里飞").outcome == Outcome.PASS  # bats in a cave, not the bat-man
