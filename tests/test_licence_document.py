"""`genip.licence_document`: the PDF read back with pypdf (facts exact, text folded to Latin-1, the shipped
terms text when the record names it), and `rules.licence_renewable`."""

import dataclasses
import io

from pypdf import PdfReader

from genip import rules
from genip.licence_document import LicenceFacts, expiry_words, latin1, licence_pdf, price_words
from genip.terms import Tier, template

FACTS = LicenceFacts(
    license_id=42,
    chain_id=31337,
    asset_id=7,
    title="Tid\u00e9s \u2013 \u201cnight\u201d \u732b",  # an en dash, curly quotes, a CJK character
    kind="image",
    content_sha256="0x" + "ab" * 32,
    media_cid="bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
    creator="0x" + "11" * 20,
    licensor="0x" + "22" * 20,
    licensee="0x" + "33" * 20,
    buyer="0x" + "44" * 20,
    offer_id=3,
    tier="extended",
    commercial_use=True,
    derivatives_allowed=True,
    transferable=False,
    rev_share_bps=1050,
    document_hash="0x" + template(Tier.EXTENDED).sha256.hex(),
    document_uri=template(Tier.EXTENDED).uri,
    price=236_437_500_000_000_000,
    currency="0x" + "00" * 20,
    currency_symbol="ETH",
    currency_decimals=18,
    tx_hash="0x" + "cd" * 32,
    block_number=1234,
    purchased_at=1_796_652_000,
    expires_at=1_796_652_000 + 30 * 86_400,
    renounced=False,
    used_for_derivative=None,
    as_of_block=1300,
    verify_url="https://genip.example/licenses/42",
    page_url="https://genip.example/#/work/7",
)


def _text(facts: LicenceFacts) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(licence_pdf(facts))).pages)


def test_every_fact_is_in_the_pdf() -> None:
    text = _text(FACTS)
    for line in (
        "Gen-IP licence #42",
        "Licence id 42",
        f"Licensor {FACTS.licensor}",
        f"Creator {FACTS.creator}",  # differs from the licensor: named too
        f"Licensee {FACTS.licensee}",
        f"Bought by {FACTS.buyer}",  # paid for someone else
        "Certificate #7 on chain 31337",
        f"Content sha256 {FACTS.content_sha256}",
        f"Media CID {FACTS.media_cid}",
        "Price paid 0.2364375 ETH (236437500000000000 base units)",
        f"Transaction {FACTS.tx_hash}",
        "Block 1234",
        "Purchased 2026-12-07 14:00 UTC",
        "Expires 2027-01-06 14:00 UTC",
        "Revenue share 10.5 % of each derivative's revenue",
        "Licence (API) https://genip.example/licenses/42",
        "Work page https://genip.example/#/work/7",
        "Gen-IP Extended Licence, version 1",  # the shipped text the document hash names
        "Revenue share on derivatives",
    ):
        assert line in text, line
    assert 'Title Tidés - "night" ?' in text  # folded to Latin-1: dash and quotes as ASCII, CJK as ?


def test_the_same_facts_give_the_same_bytes() -> None:
    assert licence_pdf(FACTS) == licence_pdf(FACTS)


def test_another_terms_document_is_named_not_quoted_and_renouncing_is_said() -> None:
    other = dataclasses.replace(FACTS, document_hash="0x" + "01" * 32, renounced=True, expires_at=0)
    text = _text(other)
    assert "points to a terms document this server does not ship" in text
    assert "Gen-IP Extended Licence, version 1" not in text
    assert "renounced (burned) by its holder" in text and "Expires never expires (perpetual)" in text


def test_words() -> None:
    assert latin1("a—b … ≤ é") == "a-b ... <= é"
    assert latin1("Ŝ") == "S" and latin1("漢") == "?"
    assert price_words(0, 18, "ETH") == "free (0)"
    assert price_words(1, 6, "gUSD") == "0.000001 gUSD (1 base units)"
    assert expiry_words(0) == "never expires (perpetual)"


def test_a_licence_is_renewable_before_its_end_while_its_offer_sells() -> None:
    now = 1_000
    assert rules.licence_renewable(2_000, now, renounced=False, offer_purchasable=True)
    assert not rules.licence_renewable(0, now, renounced=False, offer_purchasable=True)  # perpetual
    assert not rules.licence_renewable(500, now, renounced=False, offer_purchasable=True)  # expired
    assert not rules.licence_renewable(2_000, now, renounced=True, offer_purchasable=True)
    assert not rules.licence_renewable(2_000, now, renounced=False, offer_purchasable=False)


def test_a_generation_licence_is_never_said_to_be_unused() -> None:
    """A generation licence is never marked used, however many works it registered."""
    generation = dataclasses.replace(
        FACTS,
        tier="generation",
        document_hash="0x" + template(Tier.GENERATION).sha256.hex(),
        document_uri=template(Tier.GENERATION).uri,
    )
    text = " ".join(_text(generation).split())
    assert "no derivative yet" not in text
    assert "Used for any number of generated works: a generation licence is never used up" in text
    assert "Used for no derivative yet" in " ".join(_text(FACTS).split())  # an unused extended one
