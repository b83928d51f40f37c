"""The generation tier off-chain (issue #21 part 2): its shipped template, its preset, the kinds it may be
offered on, and the licence rule that keeps a generation licence usable for any number of derivatives."""

import hashlib
import unicodedata
from dataclasses import dataclass
from importlib.resources import files

import pytest

from genip import rules
from genip.chain.types import WorkKind
from genip.content.cid import sha256_of_raw_cid
from genip.terms import (
    DEFAULT_GENERATION_REV_SHARE_BPS,
    GENERATION_KINDS,
    Tier,
    generation_terms,
    template,
    terms_for,
    tier_refusal,
)


def test_the_generation_template_ships_like_the_others() -> None:
    data = files("genip.terms").joinpath("generation.md").read_bytes()
    text = data.decode("utf-8")
    assert unicodedata.normalize("NFC", text) == text and "\r" not in text and text.endswith("\n")
    for heading in ("What you are granted", "What you may not do", "Attribution", "AI disclosure",
                    "Revenue share on derivatives", "When the licence ends", "No warranty"):  # fmt: skip
        assert heading in text
    assert "any number of Derivatives" in text and "models, workflows and prompts" in text
    document = template(Tier.GENERATION)
    assert document.sha256 == hashlib.sha256(data).digest()
    assert sha256_of_raw_cid(document.uri.removeprefix("ipfs://")) == document.sha256  # one raw block


def test_the_generation_preset() -> None:
    terms = generation_terms()
    assert (terms.tier, terms.commercial_use, terms.derivatives_allowed, terms.rev_share_bps) == (
        Tier.GENERATION, True, True, DEFAULT_GENERATION_REV_SHARE_BPS,
    )  # fmt: skip
    assert int(terms.tier) == 2 and terms.document_hash == template(Tier.GENERATION).sha256
    assert terms_for(Tier.GENERATION, rev_share_bps=2_500).rev_share_bps == 2_500


@pytest.mark.parametrize("kind", list(WorkKind))
def test_a_generation_offer_is_for_models_workflows_and_prompts_only(kind: WorkKind) -> None:
    refusal = tier_refusal(Tier.GENERATION, kind)
    if kind in (WorkKind.MODEL, WorkKind.WORKFLOW, WorkKind.PROMPT):
        assert refusal is None and kind in GENERATION_KINDS
    else:
        assert refusal is not None
        assert refusal.startswith("a generation licence is for models, workflows and prompts, not a")
    assert tier_refusal(Tier.EXTENDED, kind) is None and tier_refusal(Tier.STANDARD, kind) is None
    assert tier_refusal(Tier.GENERATION, WorkKind.IMAGE) == (
        "a generation licence is for models, workflows and prompts, not an image: offer a standard or "
        "extended licence on it"
    )


@dataclass(frozen=True)
class Licence:
    tier: str
    expires_at: int = 0
    commercial_use: bool = True
    derivatives_allowed: bool = True
    used_for_derivative: int | None = None


def test_a_generation_licence_stays_fit_for_derivatives_an_extended_one_is_used_up() -> None:
    # The hub emits no LicenseUsed for a generation licence, so its indexed row never records a use.
    assert rules.licence_reusable("generation") and not rules.licence_reusable("extended")
    generation = Licence("generation")
    assert rules.licence_fits(generation, rules.Use.DERIVATIVE)
    assert not rules.licence_fits(Licence("extended", used_for_derivative=7), rules.Use.DERIVATIVE)
    assert rules.DERIVATIVE_TIERS == ("generation", "extended")
