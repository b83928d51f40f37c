"""Policy v9: names respelled in other scripts (`genip.checker.scripts` keys, `_script_near` in
`genip.checker.policy`), names of someone else one letter away (`_someone_else`), and the Turkish and Dutch
spellings read back."""

import pytest

from genip.checker.policy import Outcome, default_policy
from genip.checker.scripts import arabic_key, cyrillic_key, han_readings, hangul_key, kana_key

POLICY = default_policy()


def test_each_script_key_folds_that_scripts_usual_slips_together() -> None:
    assert kana_key("ダースベーダー")[0] == kana_key("ダース・ベイダー")[0]  # long e written as ei or a bar
    assert kana_key("ぴかちゅう")[0] == kana_key("ピカチュウ")[0]  # hiragana for katakana
    assert kana_key("バッドマン")[0] == kana_key("バットマン")[0]  # a voiced kana, a large tsu
    assert kana_key("ピクセル")[0] != kana_key("ピクサー")[0]
    assert kana_key("ピクサー風") == ("ヒクサ風", (0, 1, 2, 4))  # each key character's place in the text
    assert cyrillic_key("бетмэн") == cyrillic_key("бэтмен")
    assert cyrillic_key("эльза") == cyrillic_key("эльса")
    assert cyrillic_key("легго") == cyrillic_key("лего")
    assert hangul_key("피카추") == hangul_key("피카츄")
    assert hangul_key("배트멘") == hangul_key("배트맨")
    assert hangul_key("피아노") != hangul_key("피카츄")[:3]
    assert arabic_key("ديزنى") == arabic_key("ديزني")
    assert not han_readings("秋").isdisjoint(han_readings("丘"))  # qiu
    assert not han_readings("普").isdisjoint(han_readings("卜"))  # pu and bu: aspiration ignored
    assert han_readings("猫").isdisjoint(han_readings("丘"))
    assert han_readings("﨑") == frozenset({"﨑"})  # a form the dictionary does not know stands for itself


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [
        ("ミッキマウスのイラスト", "character.mickey-mouse"),  # long-vowel bar dropped
        ("ぴかちゅうのぬいぐるみ、水彩", "character.pikachu"),  # in hiragana
        ("ピクサ風の3Dキャラクター", "style.pixar"),  # three characters, before a style cue
        ("デズニー風のお姫様", "trademark.disney"),
        ("皮卡邱在草地上", "character.pikachu"),  # a homophone character
        ("宫奇骏风格的森林", "artist.hayao-miyazaki"),
        ("宮﨑駿風の森", "artist.hayao-miyazaki"),  # an old form the dictionary does not know
        ("Гарри Потэр в школе магии", "character.harry-potter"),
        ("Бэтмэн на крыше", "character.batman"),
        ("배트멘 포스터, 어두운 도시", "character.batman"),
        ("قلعة ديزنى السحرية", "trademark.disney"),
        ("ディズ二ーランドの夜", "trademark.disney"),  # the character for two drawn for the katakana ni
        ("디즈니 말고 지블리 스타일 숲", "style.ghibli"),  # a doubled l in Hangul
        ("グレッグ・ルトコウスキー風の騎士", "artist.greg-rutkowski"),  # a long kana name one kana off
        ("みやざき はやお風の夏", "artist.hayao-miyazaki"),  # a Japanese name in hiragana
        ("Супер Марьо и грибы", "character.super-mario"),  # a soft sign before o
        ("Эльса и снеговик Олаф", "character.elsa"),  # a cued name in Cyrillic, beside a cue
    ],
)
def test_a_name_respelled_in_its_script_is_a_look_alike_for_review(prompt: str, rule: str) -> None:
    hits = [h for h in POLICY.check(prompt, semantic=False).hits if h.rule == rule]
    assert hits, POLICY.check(prompt, semantic=False).hits
    assert all(h.kind == "lookalike" and h.outcome == Outcome.NEEDS_REVIEW for h in hits), hits


@pytest.mark.parametrize(
    "prompt",
    [
        "ミツキちゃんの写真、桜",  # Mitsuki, a given name: three kana with no style cue
        "ひまりおはよう、朝の絵",  # hiragana around a name's sounds, across words
        "ピクセルアートの街",
        "レコードプレーヤーのある部屋",
        "семь дней в деревне",  # three letters of a key that are a Russian word
        "Марвин и его собака",  # noqa: RUF001
        "피아노 치는 소녀",
        "浪漫的秋天丘陵",  # the characters of 皮卡丘's sounds, not in a row
        "一二三の数字、工場の入口",  # characters drawn like katakana, with no katakana beside them
        "Эльза Петрова, портрет маслом",  # a cued name in Cyrillic with none of its words
        "天野喜美子の肖像",  # four characters of which three are an artist's
        # found by a review of v9 (each went to review before it was fixed):
        "我爱的是你",  # every character a reading of Disney's: none of them its own
        "穿着红色衣服的模特",
        "沿着小路一起散步",
        "攻击军队",
        "冰雪起源",  # two characters of Frozen's title replaced by others of the same sound
        "耐磨运动鞋",
        "詹姆斯·迪恩的照片",  # James Dean
        "легко и быстро",  # easy, not Lego
        "Мини-юбка и сапоги",
        "Девятый вал и море",
        "ни на йоту",
        "モンスターホテルのイラスト",  # one kana from "monster ball": a short name, no one-off
        "ねこのえをおしえたい",  # hiragana inside a verb
        "비치 공주 드레스",  # beach princess
        "거울왕국의 공주",  # mirror kingdom
    ],
)
def test_ordinary_words_in_those_scripts_stay_clean(prompt: str) -> None:
    assert POLICY.check(prompt, semantic=False).outcome == Outcome.PASS, POLICY.check(prompt).hits


@pytest.mark.parametrize(
    "prompt",
    [
        "a pair of blue jeans, James Dean vibes, 1950s photo",  # another person, and a reversed-name trap
        "James Dean leaning on a car",
    ],
)
def test_a_common_word_that_sounds_different_names_someone_else(prompt: str) -> None:
    assert POLICY.check(prompt, semantic=False).outcome == Outcome.PASS, POLICY.check(prompt).hits


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [
        ("Carla Ortiz style portrait", "artist.karla-ortiz"),  # one sound with Karla
        ("Jean James painting", "artist.james-jean"),  # family name first, exact
        ("Loiş tarzı dijital resim", "artist.loish"),  # noqa: RUF001 (Turkish ş is sh)
        ("Pikatsjoe op een surfplank", "character.pikachu"),  # Dutch tsj and oe
    ],
)
def test_respellings_by_sound_still_hit(prompt: str, rule: str) -> None:
    assert rule in {h.rule for h in POLICY.check(prompt, semantic=False).hits}


@pytest.mark.parametrize(
    "prompt",
    [
        "Maserati Ghibli on a coastal road, sunset",  # the car
        "Libyan desert during a ghibli wind, sandstorm",  # the wind
        "Batman şehri, Dicle nehri, drone fotoğrafı",  # noqa: RUF001 (the Turkish city on the Tigris)
        "Miyazaki mango on a white plate",
        "Mario, a fisherman in Sicily, portrait",  # a first name alone is the character only beside a cue
        "a marvel of engineering, steel bridge",
    ],
)
def test_a_bare_word_with_another_meaning_passes(prompt: str) -> None:
    assert POLICY.check(prompt, semantic=False).outcome == Outcome.PASS, POLICY.check(prompt).hits


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [
        ("Mario jumping on a goomba, pixel art", "character.super-mario"),
        ("Super Mario in a forest", "character.super-mario"),
        ("Marvel logo on a comic cover", "trademark.marvel"),
        ("m a r v e l intro with comic pages", "trademark.marvel"),  # spelled out, beside a cue
        ("Ghibli style meadow", "style.ghibli"),
        ("księżniczka w stylu Disneja, zamek", "trademark.disney"),  # Polish j for the English y
    ],
)
def test_the_same_words_beside_a_cue_still_hit(prompt: str, rule: str) -> None:
    assert rule in {h.rule for h in POLICY.check(prompt, semantic=False).hits}


def test_the_review_s_regressions_hold() -> None:
    """A Polish inflected name with a j stays the exact name; a voiced first sound is still the name's."""
    hits = POLICY.check("Portret w stylu Jamesa Jeana", semantic=False).hits
    assert [(h.rule, h.outcome) for h in hits] == [("artist.james-jean", Outcome.FAIL)]
    assert "character.harry-potter" in {h.rule for h in POLICY.check("Harry Botter with a wand").hits}
    assert POLICY.check("Lois\u0327 tarzı resim", semantic=False).outcome == Outcome.FAIL  # noqa: RUF001


def test_a_latin_look_alike_letter_inside_a_cyrillic_word_reads_as_cyrillic() -> None:
    hits = POLICY.check("в стиле Рутковскoго, дракон", semantic=False).hits  # noqa: RUF001 (a Latin o)
    assert [(h.rule, h.kind, h.outcome) for h in hits] == [("artist.greg-rutkowski", "name", Outcome.FAIL)]


def test_a_place_named_like_the_artist_is_the_place() -> None:
    assert POLICY.check("Miyazaki prefecture coastline at dawn, drone photo").outcome == Outcome.PASS
    assert "artist.hayao-miyazaki" in {h.rule for h in POLICY.check("forest spirit, Miyazaki style").hits}
