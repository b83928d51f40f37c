"""The general misspelling rules of policy v6 to v8, each with the misspellings it catches and the real words
and look-alikes it must leave alone (genip/checker/policy.py: `_anchored`, `_end_edit` with `_CUES`,
`Policy._respelled`, `_aligned` and `_named_aligned`; v8: `Policy._inflected_hits`, `_cued`, the rare
lexicon, other scripts matched as runs, mixed-script homoglyphs)."""

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


@pytest.mark.parametrize(
    ("prompt", "rule", "outcome"),
    [
        ("Burg aus Legosteinen, Spielzeugfotografie", "trademark.lego", Outcome.NEEDS_REVIEW),  # compound
        ("eine Pikachufigur auf dem Regal", "character.pikachu", Outcome.NEEDS_REVIEW),
        ("Disneyprinzessin im Ballsaal", "trademark.disney", Outcome.NEEDS_REVIEW),
        ("ett rymdskepp av Legoklossar", "trademark.lego", Outcome.NEEDS_REVIEW),
        ("a pile of Legos on the floor", "trademark.lego", Outcome.NEEDS_REVIEW),  # plural
        ("a pair of Nikes, product shot", "trademark.nike", Outcome.NEEDS_REVIEW),
        ("strój Batmana na manekinie", "character.batman", Outcome.NEEDS_REVIEW),  # Polish case forms
        ("Batmanowy pas z gadżetami", "character.batman", Outcome.NEEDS_REVIEW),
        ("smok nad zamkiem, w stylu Grega Rutkowskiego", "artist.greg-rutkowski", Outcome.FAIL),
        ("Disneyesque princess in a ballroom", "trademark.disney", Outcome.NEEDS_REVIEW),
        ("Disneyn prinsessa linnassa", "trademark.disney", Outcome.NEEDS_REVIEW),  # Finnish
        ("a cute babyyoda plush", "character.darth-vader", Outcome.NEEDS_REVIEW),
    ],
)
def test_names_with_endings_and_in_compounds_match(prompt: str, rule: str, outcome: Outcome) -> None:
    """A name's word plus an ending of some language or a compounded word reads as the name's word (v8);
    spelled exactly, it keeps the rule's outcome."""
    hits = {h.rule: h for h in POLICY.check(prompt, semantic=False).hits}
    assert rule in hits and hits[rule].outcome == outcome, hits


@pytest.mark.parametrize(
    "prompt",
    [
        "a marvelous sunset over the marina",
        "Marion in a red coat walking her dog",
        "marionette theatre, wooden puppets",
        "ironische Karikatur eines Politikers",  # "iron" + "ische": a common word
        "leather wallets on a table",
        "een vaderfiguur met zijn zoon",  # Dutch "vader" (father) in a Dutch prompt
        "Legolas-like elf archer in a forest",
        "a neologo for a startup, flat design",
        "hulking troll guarding a bridge, ink",
    ],
)
def test_common_words_that_start_like_a_name_pass(prompt: str) -> None:
    assert not _rules(prompt, semantic=False), POLICY.check(prompt, semantic=False).hits


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [
        ("elza ice queen in a blue gown", "character.elsa"),
        ("la reina Elssa de Frozzen cantando", "character.elsa"),
        ("Frozzen 2 poster, snow queen", "character.elsa"),
        ("Frozen 2 movie poster, two sisters", "character.elsa"),
        ("Elsa aus Frozen im Eispalast", "character.elsa"),
    ],
)
def test_cued_names_match_beside_their_words_for_review(prompt: str, rule: str) -> None:
    """ "Frozen" and "Elsa" are a common word and a first name: names only beside one of their words (v8)."""
    hits = {h.rule: h for h in POLICY.check(prompt, semantic=False).hits}
    assert rule in hits and hits[rule].outcome == Outcome.NEEDS_REVIEW


@pytest.mark.parametrize(
    "prompt",
    [
        "a frozen lake at dawn, mist",
        "an ice queen statue in a frozen lake",  # "frozen" alone needs a film's word, not an ice one
        "frozen waterfall in winter",
        "Elsa, my grandmother, knitting by the window",
        "frozen yogurt with berries",
    ],
)
def test_cued_names_without_their_words_pass(prompt: str) -> None:
    assert "character.elsa" not in _rules(prompt, semantic=False)


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [("Pikach, digital fan art", "character.pikachu"), ("Hogwart castle at night", "character.harry-potter")],
)
def test_words_only_the_polish_or_dutch_lists_hold_do_not_shield_misspellings(prompt: str, rule: str) -> None:
    """ "pikach" and "hogwart" are forms in Polish's word list: common words only in a Polish prompt."""
    assert rule in _rules(prompt, semantic=False)


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [
        ("ο Μπάτμαν στη στέγη τη νύχτα", "character.batman"),  # noqa: RUF001
        ("باتمان على سطح المبنى ليلا", "character.batman"),
        ("وباتمان في المدينة", "character.batman"),  # a prefix joined to the name
        ("הארי פוטר עם שרביט", "character.harry-potter"),
        ("स्पाइडरमैन शहर के ऊपर", "character.spider-man"),
        ("डिज़्नी शैली की राजकुमारी", "trademark.disney"),  # the nukta folded away
        ("ปิกาจู ในทุ่งดอกไม้", "character.pikachu"),
        ("Людина-павук на даху", "character.spider-man"),
        ("Homem-Aranha no telhado", "character.spider-man"),
        ("soldados de la Guerra de las Galaxias", "character.darth-vader"),
    ],
)
def test_names_in_more_scripts_and_languages_match(prompt: str, rule: str) -> None:
    assert rule in _rules(prompt, semantic=False)


@pytest.mark.parametrize(
    "prompt",
    ["κάστρο στην πόλη τη νύχτα", "منظر ريفي جميل مع غيوم الصيف", "טירה על גבעה בשקיעה", "ทุ่งดอกไม้ สีน้ำ"],
)
def test_text_in_more_scripts_without_names_passes(prompt: str) -> None:
    assert not _rules(prompt, semantic=False)


@pytest.mark.parametrize(
    ("prompt", "rule", "outcome"),
    [
        ("\u0412\u0430tman on a rooftop", "character.batman", Outcome.NEEDS_REVIEW),  # Cyrillic ve and a
        ("P\u0456kachu in a field", "character.pikachu", Outcome.NEEDS_REVIEW),  # Cyrillic i
        ("\u039dike running shoes", "trademark.nike", Outcome.NEEDS_REVIEW),  # Greek capital nu
        ("portrait by Gr\u0435g Rutkowski", "artist.greg-rutkowski", Outcome.FAIL),  # Cyrillic e
    ],
)
def test_cyrillic_and_greek_look_alike_letters_inside_latin_words_are_read_as_latin(
    prompt: str, rule: str, outcome: Outcome
) -> None:
    hits = {h.rule: h for h in POLICY.check(prompt, semantic=False).hits}
    assert rule in hits and hits[rule].outcome == outcome


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [
        ("Espáiderman en la ciudad de noche", "character.spider-man"),  # prothetic e, ai
        ("Áyron Man en su taller", "trademark.marvel"),  # ay
    ],
)
def test_spanish_respellings_are_read_back(prompt: str, rule: str) -> None:
    _assert_lookalike(prompt, rule)


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [
        ("Amano Yoshitaka watercolor, pale knight", "artist.yoshitaka-amano"),
        ("Ortiz Karla style", "artist.karla-ortiz"),
    ],
)
def test_an_artists_two_word_name_matches_family_name_first(prompt: str, rule: str) -> None:
    hits = {h.rule: h for h in POLICY.check(prompt, semantic=False).hits}
    assert rule in hits and hits[rule].outcome == Outcome.FAIL


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [
        ("Grogu eating a cookie, cute", "character.darth-vader"),
        ("Boba Fet in green armor", "character.darth-vader"),
        ("Eevie sleeping on a pillow", "character.pikachu"),
        ("Buscando a Nemo, pez payaso", "style.pixar"),
        ("plakat Kraina Lodu, dwie siostry", "character.elsa"),
        ("Olaf the snowman in summer", "character.elsa"),
        ("a glass of Coke with ice cubes", "trademark.coca-cola"),
        ("Toy Story style toys on a bed, 3d render", "style.pixar"),
    ],
)
def test_franchise_and_translated_names_match(prompt: str, rule: str) -> None:
    assert rule in _rules(prompt, semantic=False)


@pytest.mark.parametrize(
    "prompt",
    [
        "a toy store window display with wooden toys",  # "Toy Story" is cued: a film's word, not a toy
        "a toy story for kids, wooden blocks",
        "Olaf, a Norwegian fisherman, portrait",
        "Anna, a young baker, holding a loaf of bread",
        "coke oven at a steel plant, industrial photo",
        "topolino di campagna in un campo di grano",  # a little mouse
    ],
)
def test_cued_franchise_names_without_their_words_pass(prompt: str) -> None:
    assert not _rules(prompt, semantic=False), POLICY.check(prompt, semantic=False).hits


@pytest.mark.parametrize(
    "prompt",
    [
        "coke oven at a steel plant, industrial photo",
        "topolino di campagna in un campo di grano",
        "a hulking troll guarding a bridge",
        "Laputa, the flying island from Gulliver's Travels, engraving",
    ],
)
def test_no_one_word_descriptor_takes_a_word_a_name_rule_already_weighs(prompt: str) -> None:
    assert not _rules(prompt), POLICY.check(prompt).hits


def test_topolino_beside_its_words_is_mickey() -> None:
    assert "character.mickey-mouse" in _rules("Topolino con Minnie al parco, stile cartone animato")


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [
        ("mikeymause cartoon, vintage", "character.mickey-mouse"),  # one typo in each word
        ("spiderrgwenn swinging over the city", "character.spider-man"),
        ("harrypoterr at the castle", "character.harry-potter"),
    ],
)
def test_two_typos_spread_over_a_joined_name_still_match(prompt: str, rule: str) -> None:
    assert rule in _rules(prompt, semantic=False)


@pytest.mark.parametrize(
    "prompt",
    [
        "spiderweb halloween decorations on a porch, jack-o-lanterns",  # "web" is two edits from "gwen"
        "a spiderweb covered in morning dew, macro photo",
    ],
)
def test_two_typos_in_one_short_word_of_a_joined_name_pass(prompt: str) -> None:
    assert not _rules(prompt, semantic=False), POLICY.check(prompt, semantic=False).hits


@pytest.mark.parametrize(
    ("prompt", "flagged"),
    [
        ("a bowl of spicy Samyang ramen with a soft boiled egg, food photography", False),
        ("milky way over the desert, shot on Samyang 14mm f2.8 lens", False),
        ("samyang style portrait, soft shading", True),
        ("portrait of a girl by Sam Yang, ramen shop background", True),  # the artist's name as written
    ],
)
def test_samyang_beside_ramen_or_a_lens_is_the_brand(prompt: str, flagged: bool) -> None:
    hits = {h.rule: h for h in POLICY.check(prompt, semantic=False).hits}
    assert ("artist.sam-yang" in hits) is flagged
    if flagged:
        assert hits["artist.sam-yang"].outcome == Outcome.FAIL


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [
        ("漫威风格的超级英雄", "trademark.marvel"),  # Marvel style
        ("耐克标志的运动鞋", "trademark.nike"),  # Nike logo
        ("王凌风格 唯美古风少女", "artist.wlop"),
        ("米奇风格的卡通老鼠", "character.mickey-mouse"),
        ("苹果公司的标志", "trademark.apple"),
    ],
)
def test_a_two_character_chinese_name_counts_before_a_cue(prompt: str, rule: str) -> None:
    assert rule in _rules(prompt, semantic=False)


@pytest.mark.parametrize(
    "prompt",
    [
        "浪漫威尼斯的夜晚",  # romantic Venice: 漫威 inside two words
        "忍耐克服困难",  # endure and overcome: 耐克
        "玉米奇怪的形状",  # corn's strange shape: 米奇
        "王凌是我的同学",  # a classmate called Wang Ling
    ],
)
def test_a_two_character_chinese_name_inside_ordinary_words_passes(prompt: str) -> None:
    assert not POLICY.check(prompt).hits, POLICY.check(prompt).hits
