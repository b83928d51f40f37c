"""Semantic matching of prompts against the policy's descriptors: paraphrases of protected artists,
characters and brands are caught and sent to review with the descriptor and score, clean and negative prompts
pass, `genip checker check` shows it all, and the benchmark keeps the figures the README reports."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from genip.checker.policy import DATA, Outcome, Policy, default_policy, model_data
from genip.checker.semantic import SemanticModel
from genip.checker.submissions import build_report
from genip.errors import ConfigError
from tests.cli.conftest import Genip
from tests.script_modules import load_script

ROOT = Path(__file__).resolve().parents[2]
PROMPTS = Path(__file__).parent / "data" / "prompts.jsonl"
BENCH = ROOT / "scripts" / "bench_prompt_policy.py"
WITCHER = "in the painterly style of the Polish fantasy illustrator known for the Witcher 3 cover"
POLICY = default_policy()


def _rows(category: str) -> list[dict[str, str]]:
    rows = [json.loads(line) for line in PROMPTS.read_text(encoding="utf-8").splitlines()]
    return [r for r in rows if r["category"] == category]


def test_the_witcher_paraphrase_goes_to_review_with_its_descriptor_and_score() -> None:
    result = POLICY.check(WITCHER)
    assert result.outcome == Outcome.NEEDS_REVIEW  # semantic hits never fail on their own
    (hit,) = result.hits
    assert (hit.rule, hit.kind, hit.outcome) == ("artist.greg-rutkowski", "semantic", Outcome.NEEDS_REVIEW)
    assert hit.descriptor == "Polish fantasy illustrator" and hit.score is not None and hit.score >= 0.8
    assert result.policy_version == 10


def test_a_name_outranks_a_description_of_the_same_rule() -> None:
    result = POLICY.check("Greg Rutkowski, the Polish fantasy illustrator")
    assert result.outcome == Outcome.FAIL
    assert [(h.rule, h.kind) for h in result.hits] == [("artist.greg-rutkowski", "name")]


CLEAN = [
    "a fantasy landscape, oil painting",
    "anime girl with long hair, cel shading",
    "fantasy art of a dragon, digital painting, highly detailed",
    "a dark knight on horseback in the fog",
    "a yellow bird on a branch, watercolor",
    "un paysage de montagne, peinture à l'huile",
    "ein Anime-Mädchen unter Kirschblüten",
    "un dragón sobre un castillo, arte fantástico",
    "桜の下の長い髪のアニメの少女",
    "a Polish village in winter, photograph",
]


@pytest.mark.parametrize("prompt", CLEAN)
def test_generic_styles_and_other_languages_pass(prompt: str) -> None:
    result = POLICY.check(prompt)
    assert result.outcome == Outcome.PASS, result.hits


HARD_CLEAN_SPLITS = ("fresh8", "fresh9", "fresh10", "fresh11", "fresh12", "fresh13", "tune8")
"""Splits whose clean prompts are not all passed: each holds its own figure (its benchmark test below)."""


def test_every_clean_prompt_of_the_labelled_set_passes() -> None:
    rows = [r for r in _rows("clean") if r["split"] not in HARD_CLEAN_SPLITS]
    assert len(rows) >= 600
    flagged = [r["id"] for r in rows if POLICY.check(r["prompt"]).outcome != Outcome.PASS]
    assert flagged == []


def test_names_and_descriptions_only_in_the_negative_prompt_pass() -> None:
    rows = _rows("negative")
    assert len(rows) >= 40
    flagged = [r["id"] for r in rows if POLICY.check(r["prompt"], r["negative"]).outcome != Outcome.PASS]
    # the negative prompts of fresh10 and fresh11 flagged are flagged for their positive prompts, close to a
    # descriptor ("cheerful mustached plumber in green overalls"); their figures are held by the tests below
    assert flagged == ["f10-neg-002", "f11-neg-002", "f11-neg-005"]
    assert POLICY.check(WITCHER, negative_prompt="blurry").outcome == Outcome.NEEDS_REVIEW
    assert POLICY.check("a knight", negative_prompt=WITCHER).outcome == Outcome.PASS


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [
        ("a disnay princess", "trademark.disney"),
        ("artgrem comic cover", "artist.artgerm"),
        ("mickie mouse dancing", "character.mickey-mouse"),
    ],
)
def test_inner_typos_on_mid_length_names_are_caught(prompt: str, rule: str) -> None:
    assert rule in {h.rule for h in POLICY.check(prompt, semantic=False).hits}


@pytest.mark.parametrize("prompt", ["a phone on a desk", "pixel art of a cat", "a portrait of Marcus"])
def test_edge_edits_on_mid_length_names_do_not_fire(prompt: str) -> None:
    assert POLICY.check(prompt).outcome == Outcome.PASS


def test_the_labelled_set_has_every_category_and_split() -> None:
    rows = [json.loads(line) for line in PROMPTS.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 300
    assert len({r["id"] for r in rows}) == len(rows)
    for category in ("name", "misspelling", "paraphrase", "negative", "clean"):
        assert {r["split"] for r in rows if r["category"] == category} >= {"tune", "test"}
    assert len({r["lang"] for r in rows if r["category"] == "clean"} - {"en"}) >= 3
    known = {rule.id for rule in POLICY.rules}
    assert all(r["rule"] in known for r in rows if r["expect"] == "flag")


def test_the_shipped_model_is_fitted_on_the_shipped_policy() -> None:
    shipped = json.loads((DATA / "semantic_model.json").read_text(encoding="utf-8"))
    assert shipped == model_data(), "run scripts/build_semantic_model.py"


def test_a_model_fitted_on_another_policy_version_is_refused() -> None:
    text = json.loads((DATA / "policy.json").read_text(encoding="utf-8"))
    text["version"] = 99
    policy = Policy.from_json(json.dumps(text), model=SemanticModel.shipped)
    with pytest.raises(ConfigError, match="build_semantic_model"):
        policy.check("a castle")


def test_policies_without_descriptors_fit_nothing_and_with_descriptors_fit_their_own() -> None:
    plain = Policy.from_json(
        '{"rules": [{"id": "x", "category": "t", "outcome": "fail", "names": ["Acme"]}]}'
    )
    assert plain.check("a coyote with rockets").outcome == Outcome.PASS
    own = Policy.from_json(
        '{"version": 1, "rules": [{"id": "x", "category": "t", "outcome": "fail", "names": ["Acme"],'
        ' "descriptors": ["coyote rocket skates"]}]}'
    )
    result = own.check("a coyote on rocket skates")
    assert result.outcome == Outcome.NEEDS_REVIEW and result.hits[0].descriptor == "coyote rocket skates"


def test_synonyms_let_a_paraphrase_use_its_own_words() -> None:
    (hit,) = POLICY.check("a chubby yellow rodent with red cheeks").hits  # the descriptors say "mouse"
    assert (hit.rule, hit.kind) == ("character.pikachu", "semantic")
    assert "rodent" in hit.matched.split() and "mouse" in (hit.descriptor or "")
    text = (
        '{"version": 1, "synonyms": %s, "rules": [{"id": "x", "category": "t", "outcome": "fail",'
        ' "names": ["Acme"], "descriptors": ["coyote rocket skates"]}]}'
    )
    assert Policy.from_json(text % '[["coyote", "jackal"]]').check("a jackal on rocket skates").hits
    assert not Policy.from_json(text % "[]").check("a jackal on rocket skates").hits


def test_a_model_of_another_format_version_is_refused() -> None:
    data = json.loads((DATA / "semantic_model.json").read_text(encoding="utf-8"))
    with pytest.raises(ConfigError, match="semantic model version 1"):
        SemanticModel(data | {"model_version": 1})


def test_the_report_names_the_policy_version_and_the_descriptor_but_no_prompt_words() -> None:
    report = build_report(31337, 8, "0x" + "00" * 32, POLICY.check(WITCHER))
    assert report["policy_version"] == 10
    assert report["rules"] == [
        {
            "rule": "artist.greg-rutkowski",
            "category": "living_artist",
            "outcome": "needs_review",
            "name": "Greg Rutkowski",
            "kind": "semantic",
            "descriptor": "Polish fantasy illustrator",
            "score": 1.0,
        }
    ]


def test_checker_check_prints_the_outcome_and_hits_with_scores(tmp_path: Path) -> None:
    genip = Genip(tmp_path / "data", tmp_path / "none.json")
    shown = genip("checker", "check", "--prompt", WITCHER + ", Mickey Mouse", "--json").json()
    assert shown["outcome"] == "needs_review" and shown["policy_version"] == 10
    by_rule = {h["rule"]: h for h in shown["hits"]}
    assert by_rule["artist.greg-rutkowski"]["kind"] == "semantic"
    assert by_rule["artist.greg-rutkowski"]["score"] >= 0.8
    assert by_rule["artist.greg-rutkowski"]["descriptor"] == "Polish fantasy illustrator"
    assert (
        by_rule["character.mickey-mouse"]["kind"] == "name"
        and "score" not in by_rule["character.mickey-mouse"]
    )
    negative = genip(
        "checker", "check", "--prompt", "a castle", "--negative", "greg rutkowski", "--json"
    ).json()
    assert negative == {"outcome": "pass", "policy_version": 10, "hits": []}
    table = genip("checker", "check", "--prompt", "gr3g rutkowsky castle").stdout
    assert "fail" in table and "artist.greg-rutkowski" in table


def test_genip_help_does_not_load_the_model() -> None:
    code = (
        "import sys; from typer.testing import CliRunner; from cli.main import app; "
        "r = CliRunner().invoke(app, ['checker', '--help']); assert r.exit_code == 0, r.output; "
        "assert 'genip.checker.semantic' not in sys.modules and 'genip.checker.policy' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def _bench(split: str, every: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(BENCH), "--split", split, "--every", str(every), "--rounds", "1"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    figures: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


_BENCH = load_script("bench_prompt_policy")


def _split_figures(split: str) -> dict[str, Any]:
    """The benchmark's figures for the semantic policy on one split (what `scripts/bench_prompt_policy.py
    --split SPLIT` prints under "semantic"), computed here by its own `evaluate` and `load_rows` on the policy
    this module has loaded: the benchmark's process, its timings and its names-only baseline are run once, by
    the slice test below, not once per split (that cost a minute of the suite)."""
    figures: dict[str, Any] = _BENCH.evaluate(POLICY, _BENCH.load_rows(split=split), semantic=True)
    return figures


def test_the_benchmark_on_a_slice_keeps_the_reported_figures() -> None:
    """Figures reported in the README (test half, policy v4): names, misspellings and paraphrases 100 %,
    clean and negative 0 % flagged; here on every other row of it (the slice gives the same), with a margin
    so that a descriptor edit that costs one row shows up in the benchmark, not here."""
    figures = _bench("test", 2)
    semantic, baseline = figures["semantic"], figures["baseline"]
    assert semantic["name"]["recall"] >= 0.97
    assert semantic["misspelling"]["recall"] >= 0.97
    assert semantic["paraphrase"]["recall"] >= 0.9
    assert semantic["paraphrase"]["recall"] > baseline["paraphrase"]["recall"] + 0.5
    assert semantic["clean"]["flagged_share"] <= 0.02
    assert semantic["negative"]["flagged_share"] <= 0.02
    assert figures["model_bytes"] > 0 and figures["names_semantic_ms_p50"] > 0


def test_the_benchmark_on_the_fresh_prompts_keeps_the_reported_figures() -> None:
    """The `fresh` prompts were written after the v2 model was frozen; v3's descriptors were written after
    they had been read, so they are no longer unseen (README): paraphrases 100 %, clean 0 % flagged."""
    semantic = _split_figures("fresh")
    assert semantic["paraphrase"]["recall"] >= 0.9
    assert semantic["clean"]["flagged_share"] == 0.0


def test_the_benchmark_on_the_fresh2_prompts_keeps_the_reported_figures() -> None:
    """The `fresh2` prompts were written by someone who never saw the checker and scored once against v3
    (paraphrases 82.7 %, misspellings 90.7 %, clean 2.5 % flagged). v4 was built after reading its misses
    (misspelling tiers, negating context, descriptors in more languages and CJK character pairs), so it is
    no longer unseen: paraphrases 97.5 %, misspellings 100 %, clean and negative 0 % (README), here with a
    margin of a row or two."""
    semantic = _split_figures("fresh2")
    assert semantic["paraphrase"]["recall"] >= 0.95
    assert semantic["misspelling"]["recall"] >= 0.98
    assert semantic["clean"]["flagged_share"] <= 0.0125
    assert semantic["negative"]["flagged_share"] == 0.0


def test_the_benchmark_on_the_fresh3_prompts_keeps_the_reported_figures() -> None:
    """The `fresh3` prompts were written by a third writer who never saw the checker, its data or the other
    labelled prompts, and scored once against the finished v4 (README): paraphrases 90.7 % (49 of 54,
    precision 98 %), misspellings 98.1 % (53 of 54: "pokemom"), clean and negative 0 % flagged. The
    look-alike tier then learnt the last letter of 7+ letter names ("pokemom"), so its misspellings are no
    longer unseen (100 %); its paraphrase misses were left unfitted until v5, whose knowledge descriptors
    (works, companions, places, creators' cities and platforms, in more languages) were written after they
    had been read: paraphrases 100 % (54 of 54), no longer unseen; here with a margin of two rows."""
    semantic = _split_figures("fresh3")
    assert semantic["paraphrase"]["recall"] >= 52 / 54
    assert semantic["misspelling"]["recall"] == 1.0
    assert semantic["clean"]["flagged_share"] == 0.0
    assert semantic["negative"]["flagged_share"] == 0.0


def test_the_benchmark_on_the_fresh4_prompts_keeps_the_reported_figures() -> None:
    """The `fresh4` prompts (a fourth writer, same blindness; 108 misspellings with the error spread over
    start, middle and end) scored once against v4 with the "pokemom" fix (README): paraphrases 87.0 % (47 of
    54), misspellings 95.4 % (103 of 108), clean and negative 0 % flagged. Neighbouring letters swapped at a
    short name's ends ("lwop", "wlpo", "loihs") then became look-alikes: misspellings 98.1 % (the misses left
    are "Ioish", a capital I for an l, and "Marbel"), no longer unseen. v5, written after reading its misses:
    paraphrases 100 % (54 of 54), misspellings 99.1 % (107 of 108: the homoglyph reading catches "Ioish";
    "Marbel" is left); here with a margin of two paraphrase rows. v6 reads a word the descriptors lack as
    the descriptor word that sounds the same, so "héroes de Marbel" meets "héroes de Marvel": 108 of 108."""
    semantic = _split_figures("fresh4")
    assert semantic["paraphrase"]["recall"] >= 52 / 54
    assert semantic["misspelling"]["recall"] == 1.0
    assert semantic["clean"]["flagged_share"] == 0.0
    assert semantic["negative"]["flagged_share"] == 0.0


def test_the_benchmark_on_the_fresh5_prompts_keeps_the_reported_figures() -> None:
    """The `fresh5` prompts (a fifth blind writer) scored once against the finished v5 (README): paraphrases
    95.1 % (77 of 81), misspellings 97.5 % (79 of 81), clean 1 of 70 flagged ("15th century" folded as
    leetspeak into a swapped "Sith"; numbers with an ordinal or unit suffix are digits since, so 0 of 70 now,
    no longer unseen), negatives 0 of 10. v6's general misspelling rules (tests/checker/test_misspellings.py)
    catch "Sam Yan" (one word exact, the other cut short): misspellings 80 of 81, the one left is "frozzen ice
    queen" (the film, not a name: its correct spelling passes too)."""
    semantic = _split_figures("fresh5")
    assert semantic["paraphrase"]["recall"] >= 77 / 81
    assert semantic["misspelling"]["recall"] >= 80 / 81
    assert semantic["clean"]["flagged_share"] == 0.0
    assert semantic["negative"]["flagged_share"] == 0.0


def test_the_benchmark_on_the_fresh6_prompts_keeps_the_reported_figures() -> None:
    """The `fresh6` prompts (a sixth blind writer: 162 misspellings in 11 languages, names in other scripts
    and Japanese romaji among them) scored once against the finished v6 (README): misspellings 95.1 % (154 of
    162; v5 93.8 % in the same run), paraphrases 85.2 % (46 of 54, v5 the same), clean 0 of 70 and negatives 0
    of 10 flagged. Misses: names written in Cyrillic, Hangul and Chinese characters, romaji ("Loisshu",
    "jiburi", "Harii Pottaa"), "Elza", "Naik", "Aifon"; paraphrases of WALL-E, Minnie, Miles Morales, Anna,
    the Disney castle, Iron Man, the Coca-Cola bottle and the Apple logo. No longer unseen: v7 was tuned on
    these kinds of misses (names curated in other scripts, spoken spellings read back, descriptors of what
    people say about each item), so it scores 162 of 162 and 54 of 54 here; only the next blind set measures
    it."""
    semantic = _split_figures("fresh6")
    assert semantic["misspelling"]["recall"] == 1.0
    assert semantic["paraphrase"]["recall"] == 1.0
    assert semantic["clean"]["flagged_share"] == 0.0
    assert semantic["negative"]["flagged_share"] == 0.0


def test_the_benchmark_on_the_fresh7_prompts_keeps_the_reported_figures() -> None:
    """The `fresh7` prompts (a seventh blind writer: 162 misspellings, 53 of them not in English, names in
    other scripts and Japanese name order among them; 81 paraphrases) scored once against the finished v7
    (README): misspellings 96.9 % (157 of 162; v6 90.7 % in the same run), paraphrases 82.7 % (67 of 81; v6
    79.0 %), clean 0 of 70 (v6 1) and negatives 0 of 10 flagged. Misses: "Espáiderman", "elza", "Elssa de
    Frozzen", "Frozzen 2", "Legosteinen"; paraphrases that name facts no descriptor holds (an NYT op-ed, "does
    arts", a Singapore illustrator of DC Bombshells, the green rage monster, the Oregon sports brand's
    tick...). No longer unseen: v8 was written after reading them (descriptors of facts in more languages,
    catchphrases as phrases; names with endings and in compounds, cued names, Spanish respellings), so it
    scores 162 of 162 and 81 of 81; `fresh8` measured it."""
    semantic = _split_figures("fresh7")
    assert semantic["misspelling"]["recall"] == 1.0
    assert semantic["paraphrase"]["recall"] == 1.0
    assert semantic["clean"]["flagged_share"] == 0.0
    assert semantic["negative"]["flagged_share"] == 0.0


def test_the_benchmark_on_the_fresh8_prompts_keeps_the_reported_figures() -> None:
    """The `fresh8` prompts (an eighth blind writer: 162 misspellings, 90 of them not in English, in 18
    languages and 9 scripts; 108 paraphrases, half not in English; 70 clean prompts with traps such as
    "Samyang ramen", "Nike of Samothrace", "Mario, il panettiere") scored once against the finished v8
    (README): misspellings 97.5 % (158 of 162; v7 93.2 % in the same run), paraphrases 90.7 % (98 of 108;
    v7 79.6 %), clean 4 of 70 = 5.7 % (v7 the same 4 of 70), negatives 0 of 10. Misses: four names written
    in Chinese, three of two characters (漫威, 耐克, WLOP's 王凌: the curated names start at three, since two
    characters so often sit inside ordinary words) and 苹果公司 (Apple Inc.); paraphrases resting on facts
    no descriptor holds (the class action against Stable Diffusion, the desk lamp that jumps, Snow White
    and The Lion King as the studio's works). Read afterwards, two of the clean flags were fixed as kinds:
    two typos on a joined name may not both fall in one short word ("spiderweb" is not "Spider-Gwen"), and
    "Samyang" beside ramen or a lens is the brand; left flagged for review: "Sarah Anderson, a nurse" (one
    letter from the artist) and "Mario, il panettiere" (Mario alone). A two-character Chinese name now counts
    before a cue (风格 style, 标志 logo, 公司 company...), so the misspellings score 162 of 162: no longer
    unseen."""
    semantic = _split_figures("fresh8")
    assert semantic["misspelling"]["recall"] == 1.0
    assert semantic["paraphrase"]["recall"] >= 98 / 108
    assert semantic["clean"]["flagged"] <= 1  # 2 before v9 made a bare "Mario" a cued name
    assert semantic["negative"]["flagged_share"] == 0.0


def test_the_benchmark_on_the_fresh9_prompts_keeps_the_reported_figures() -> None:
    """The `fresh9` prompts (a ninth blind writer: 162 misspellings, 86 of them not in English, in 18
    languages, most of those respelled inside other scripts; 108 paraphrases; 70 clean prompts, 47 of them
    look-alikes such as "James Dean", "Miyazaki prefecture", "watercolour tarot", "an Italian plumber") scored
    once against the finished v8 (README): misspellings 81.5 % (132 of 162; v7 73.5 % in the same run),
    paraphrases 92.6 % (100 of 108; v7 88.9 %), clean 10 of 70 = 14.3 % (v7 9), negatives 1 of 10 (v7 1).
    Misses: names respelled in kana, Chinese characters, Hangul and Cyrillic ("ピクサ", "皮卡秋", "피카추",
    "Бетмэн"), "Loiş", "Pikatsjoe". Read afterwards, v9 added as kinds the script sound keys
    (`genip.checker.scripts`), Turkish ş and Dutch tsj/oe read back, a common word that sounds different
    naming someone else ("James Dean"), the place Miyazaki, descriptors that are a name's common words as
    phrases ("hombre araña" was firing on "un hombre con una araña"): 152 of 162 (151 after a review made
    short Cyrillic respellings need a cue: "легко" is easy, not Lego), 100 of 108, 6 of 70 clean
    (generic styles close to a descriptor, "art germ", "Darth" as a cat's name; "Mario Rossi" passes since
    fresh10 made a bare "Mario" a cued name) and 0 of 10 negatives. No longer unseen."""
    semantic = _split_figures("fresh9")
    assert semantic["misspelling"]["recall"] >= 151 / 162
    assert semantic["paraphrase"]["recall"] >= 100 / 108
    assert semantic["clean"]["flagged"] <= 6
    assert semantic["negative"]["flagged_share"] == 0.0


def test_the_benchmark_on_the_fresh10_prompts_keeps_the_reported_figures() -> None:
    """The `fresh10` prompts (a tenth blind writer: 162 misspellings, 93 of them not in English, in 13
    languages; 108 paraphrases, 66 not in English; 70 clean prompts, 44 of them look-alikes such as
    "Maserati Ghibli", "Batman şehri" (the Turkish city), "Miyazaki mango", "Mario, anziano cuoco") scored
    once against v9 as first committed (README): misspellings 84.6 % (137 of 162; v8 76.5 % in the same run),
    paraphrases 91.7 % (99 of 108; v8 the same), clean 6 of 70 = 8.6 % (v8 6), negatives 1 of 10. Read
    afterwards and added as kinds: characters drawn like katakana read as those
    ("ディズ二ー"), a doubled l in Hangul ("지블리"), a Latin look-alike letter in a Cyrillic
    word read as Cyrillic (Amano with a Latin o), a long kana name one kana off
    ("グレッグ・ルトコウスキー"), Japanese names in kana
    ("みやざき はやお"), cued names in other scripts ("Эльза"), "Marvel" and a bare "Mario" as
    cued names, Polish j as the English y ("Disneja"), and the other meanings of Ghibli (the car, the wind),
    Batman (the city) and Miyazaki (the mango): 147 of 162 (after a review tightened the script readings
    against ordinary text), 99 of 108, 2 of 70 clean, 1 of 10 negatives (a
    "3d animated family of rabbits" close to the descriptor of The Incredibles). No longer unseen."""
    semantic = _split_figures("fresh10")
    assert semantic["misspelling"]["recall"] >= 147 / 162
    assert semantic["paraphrase"]["recall"] >= 99 / 108
    assert semantic["clean"]["flagged"] <= 2
    assert semantic["negative"]["flagged"] <= 1


def test_the_benchmark_on_the_fresh11_prompts_keeps_the_reported_figures() -> None:
    """The `fresh11` prompts (an eleventh blind writer, same brief: 162 misspellings, 83 of them not in
    English, in 15 languages, two with invisible characters; 108 paraphrases; 70 clean prompts, 48 of them
    look-alikes) scored once against the finished v9 (README), and not tuned on: misspellings 89.5 % (145
    of 162; v8 85.2 % in the same run), paraphrases 93.5 % (101 of 108; v8 the same), clean 3 of 70 = 4.3 %
    (v8 8 of 70), negatives 2 of 10 (v8 2; both for their positive prompts: "mustached plumber in green
    overalls", "hand painted anime background"). Misses: names respelled in other scripts beyond v9's
    readings ("ピカチウ", "比卡超", "제임스 쟌", "Хайао Миязаки", "刘斯坦利"), "Vlop", "Marwela"; paraphrases
    resting on facts (the third plaintiff, the studio Steve Jobs bought). Clean flagged: "ピカピカ" (shiny,
    and Pikachu's cry), an original ice queen in a crystal palace, "a kid named Sam does arts and crafts"."""
    semantic = _split_figures("fresh11")
    assert semantic["misspelling"]["recall"] >= 145 / 162
    assert semantic["paraphrase"]["recall"] >= 101 / 108
    assert semantic["clean"]["flagged"] <= 3
    assert semantic["negative"]["flagged"] <= 2


def test_the_benchmark_on_the_fresh12_prompts_keeps_the_reported_figures() -> None:
    """The `fresh12` prompts (a twelfth blind writer, same brief: 162 misspellings, 81 of them not in English,
    in 14 languages, 50 in Japanese, Russian, Chinese, Korean or Arabic script; 108 paraphrases, 54 not in
    English; 70 clean prompts, 46 of them look-alikes) scored once against v9 (README): misspellings 98.1 %
    (159 of 162; v8 the same in the same run), paraphrases 96.3 % (104 of 108; v8 the same), clean 3 of 70
    = 4.3 % (v8 6 of 70), negatives 0 of 10. Read afterwards (v10): Mario's official Chinese title
    "超级马力欧", the Turkish "Nayki" by a shoe word, a Polish case ending after an apostrophe ("Harry'ego
    Pottera"), the fruit-logo tech company; the clean ones flagged were "Arendal" (the Norwegian town
    Arendelle is named after), "Mickey, an Irish pub owner" (a bare Mickey beside a person's words, and
    "Irish" read with an l for the capital I, one letter off Loish) and "an abstract logo with a single curved
    swoosh line", which stays for review (a swoosh logo is the mark).
    After: 162 of 162, 105 of 108 (left: paraphrases in German, Korean and Turkish resting on facts: the
    Nashville watercolourist in the class action, the 2022 Dreambooth controversy, the Atlanta cola), 1 of 70,
    0 of 10. No longer unseen."""
    semantic = _split_figures("fresh12")
    assert semantic["misspelling"]["recall"] == 1.0
    assert semantic["paraphrase"]["recall"] >= 105 / 108
    assert semantic["clean"]["flagged"] <= 1
    assert semantic["negative"]["flagged"] == 0


def test_the_benchmark_on_the_fresh13_prompts_keeps_the_reported_figures() -> None:
    """The `fresh13` prompts (a thirteenth blind writer, told to invent what a checker author would not
    anticipate: 162 misspellings, 81 not in English, in 18 languages, Greek, Thai, Hebrew and Hindi script
    among them; 108 paraphrases, 54 not in English; 70 clean, 46 look-alikes) scored once against the finished
    v10 (README), its names not tuned on: misspellings 94.4 % (153 of 162; v9 the same in the same run),
    paraphrases 94.4 % (102 of 108; v9 the same), clean 3 of 70 = 4.3 % (v9 the same), negatives 0 of 10.
    Misses: names respelled in other scripts or inflected beyond the curated ones ("Κάρλα Όρτιζ",
    "ケリー・マカーナン", "세라 앤더슨", "ロイッシュ", "더블유엘오피", "天野嘉孝", "Legóból"), "Djibli",
    "Dart Wader"; paraphrases resting on facts (the Puerto Rican designer who sued, sent to review as
    Marvel for its "Doctor Strange"; the author of "Adulthood Is a Myth"; the Chinese webcomic author).
    Afterwards only unless words were added, for the three clean prompts flagged ("the Rutkowski family
    bakery", "Batman şehrinde", the Spanish "monje lego", a lay brother): clean 0 of 70."""
    semantic = _split_figures("fresh13")
    assert semantic["misspelling"]["recall"] >= 153 / 162
    assert semantic["paraphrase"]["recall"] >= 102 / 108
    assert semantic["clean"]["flagged"] == 0
    assert semantic["negative"]["flagged"] == 0


def test_the_benchmark_on_the_tune8_prompts_keeps_the_reported_figures() -> None:
    """The `tune8` prompts, written by v8's two tuners to find the shapes a next writer may use (202
    misspellings in 17 languages, 387 paraphrases in 12, 240 clean look-alikes) and tuned on: misspellings
    95.9 %, paraphrases 98.7 %, and 12 of 240 clean look-alikes sent to review (17 before one-word
    descriptors a name covers were dropped: "a hulking troll", "coke oven", "topolino di campagna"; 10 since
    v9 dropped the bare Spanish "reina de hielo", a descriptor no other language had bare); those left are
    titles of the items in other languages used for something else ("la reine des neiges" of Andersen's
    tale), catchphrases used in passing, "a green goblin". These are the hardest clean prompts of
    the set; the figure is held so a change that flags more of them is seen."""
    semantic = _split_figures("tune8")
    assert semantic["misspelling"]["recall"] >= 187 / 195
    assert semantic["paraphrase"]["recall"] >= 382 / 387
    assert semantic["clean"]["flagged"] <= 10


@pytest.mark.parametrize(
    ("prompt", "rule"),
    [
        ("portret in de stijl van de Nederlandse digitale kunstenares met golvend haar", "artist.loish"),
        (
            "Tarotkarte in Aquarell im Stil der Künstlerin aus Nashville, die Midjourney verklagt hat",
            "artist.kelly-mckernan",
        ),
        ("chica anime al estilo del youtuber canadiense copiado en un modelo LoRA", "artist.sam-yang"),
        ("le seigneur noir au casque noir et à la respiration mécanique", "character.darth-vader"),
        ("zapatillas con la palomita de la marca deportiva de Oregón", "trademark.nike"),
        (
            "portada de cómic del ilustrador de Singapur de las portadas variantes de DC Bombshells",
            "artist.artgerm",
        ),
        ("classic princess film in the style of the House of Mouse", "trademark.disney"),
        ("3d animated toys, Toy Story look", "style.pixar"),
        ("sneakers, just do it", "trademark.nike"),
    ],
)
def test_paraphrases_in_other_languages_and_catchphrases_are_caught(prompt: str, rule: str) -> None:
    result = POLICY.check(prompt)
    assert rule in {h.rule for h in result.hits}, result.hits


@pytest.mark.parametrize(
    "prompt",
    [
        "a bedtime story about a toy robot",  # "Toy Story" is a phrase, not two words anywhere
        "the death of a star, supernova",  # "Death Star"
        "a boy who lived in a lighthouse",  # "the boy who lived"
        "just do your best, poster",  # "Just Do It"
        "in the style of a Dutch Golden Age painter, still life",  # Dutch + painter is no one in particular
        "ein niederländischer Maler, Stillleben mit Blumen",
        "polski malarz w pracowni, obraz olejny",
        "a black panther in the jungle",
        "a god of thunder in Norse mythology, viking art",
        "un monstruo verde enfadado, dibujo infantil",
        "une souris dans une cuisine, illustration pour enfants",
        "eine Burg aus Bausteinen, Spielzeugfoto",
        "a house with a mouse at the door",
        "a wolf howls at a castle under the moon",
    ],
)
def test_common_words_of_titles_and_of_other_languages_alone_pass(prompt: str) -> None:
    result = POLICY.check(prompt)
    assert result.outcome == Outcome.PASS, result.hits


def test_a_quoted_descriptor_is_a_phrase_matched_word_for_word() -> None:
    text = (
        '{"version": 1, "rules": [{"id": "x", "category": "t", "outcome": "fail", "names": ["Acme"],'
        ' "descriptors": ["\\"road runner\\""]}]}'
    )
    policy = Policy.from_json(text)
    (hit,) = policy.check("a Road-Runner in the desert").hits
    assert (hit.descriptor, hit.score) == ("road runner", 1.0)
    assert policy.check("a runner on the road").outcome == Outcome.PASS


def test_synonym_groups_are_disjoint_and_hold_no_one_word_descriptor() -> None:
    """A word in two groups would be read as the first group only, and a group member that is a descriptor on
    its own ("Topolino" in the mouse group) would make every mouse that descriptor."""
    from genip.checker.folding import fold
    from genip.checker.semantic import content_words, synonym_map

    data = json.loads((DATA / "policy.json").read_text(encoding="utf-8"))
    heads: dict[str, str] = {}
    for group in data["synonyms"]:
        for word in group:
            stem = content_words(fold(word))
            assert len(stem) == 1, word
            assert heads.setdefault(stem[0], group[0]) == group[0], (word, heads[stem[0]], group[0])
    members = synonym_map(data["synonyms"])
    alone = {
        words[0]: text
        for rule in data["rules"]
        for text in rule["descriptors"]
        if len(words := content_words(fold(text))) == 1
    }
    assert not {w: alone[w] for w in members if w in alone}
