"""Licence terms: shipped templates, presets, and the encoding and hash the hub computes."""

import hashlib
import unicodedata
from importlib.resources import files

import pytest
from eth_hash.auto import keccak

from genip.chain.client import GenIPClient
from genip.chain.tx import send
from genip.content.cid import sha256_of_raw_cid
from genip.terms import (
    DEFAULT_EXTENDED_REV_SHARE_BPS,
    LicenseTerms,
    TermsDocument,
    Tier,
    encode_terms,
    extended_terms,
    standard_terms,
    template,
    terms_for,
    terms_hash,
)
from genip.terms.terms import TermsError
from tests.helpers import CREATOR


@pytest.mark.parametrize(("tier", "name"), [(Tier.STANDARD, "standard.md"), (Tier.EXTENDED, "extended.md")])
def test_templates_ship_as_clean_utf8_text(tier: Tier, name: str) -> None:
    data = files("genip.terms").joinpath(name).read_bytes()
    text = data.decode("utf-8")
    assert unicodedata.normalize("NFC", text) == text and "\r" not in text and text.endswith("\n")
    for heading in ("What you are granted", "What you may not do", "Attribution", "AI disclosure",
                    "When the licence ends", "No warranty"):  # fmt: skip
        assert heading in text
    document = template(tier)
    assert document.data == data
    assert document.sha256 == hashlib.sha256(data).digest()
    # The template fits one raw block, so its URI alone proves the document hash.
    assert sha256_of_raw_cid(document.uri.removeprefix("ipfs://")) == document.sha256


def test_only_the_extended_template_grants_derivatives_and_revenue_share() -> None:
    extended = template(Tier.EXTENDED).data.decode()
    standard = template(Tier.STANDARD).data.decode()
    assert "Revenue share on derivatives" in extended and "revShareBps" in extended
    assert "needs an Extended Licence" in standard


def test_presets() -> None:
    standard = standard_terms()
    assert (standard.tier, standard.commercial_use, standard.derivatives_allowed, standard.rev_share_bps) == (
        Tier.STANDARD, True, False, 0,
    )  # fmt: skip
    assert standard.document_hash == template(Tier.STANDARD).sha256
    assert standard.document_uri == template(Tier.STANDARD).uri
    extended = extended_terms()
    assert extended.derivatives_allowed and extended.rev_share_bps == DEFAULT_EXTENDED_REV_SHARE_BPS == 1_000
    assert extended.document_hash == template(Tier.EXTENDED).sha256
    assert not extended.transferable and extended_terms(transferable=True).transferable
    custom = TermsDocument.from_bytes(b"# Our own terms\n")
    own = terms_for(Tier.EXTENDED, rev_share_bps=2_500, document=custom)
    assert (own.rev_share_bps, own.document_hash, own.document_uri) == (2_500, custom.sha256, custom.uri)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: terms_for(Tier.STANDARD, rev_share_bps=500), "no revenue share"),
        (lambda: extended_terms(rev_share_bps=10_001), "outside 0..10000"),
        (lambda: encode_terms(LicenseTerms(Tier.STANDARD, True, False, False, 0, b"\x01", "x")), "not 32"),
    ],
)
def test_invalid_terms_are_refused(make: object, message: str) -> None:
    with pytest.raises(TermsError, match=message):
        make()  # type: ignore[operator]


def test_the_encoding_layout_by_hand() -> None:
    """`abi.encode(terms)` of a struct with a string: an offset to the tuple, seven head words, the string."""
    terms = LicenseTerms(Tier.EXTENDED, True, True, False, 1234, bytes.fromhex("ab" * 32), "ipfs://x")
    words = [
        "20",  # the struct is dynamic (it holds a string): abi.encode starts with its offset
        "01",  # tier = Extended
        "01",  # commercialUse
        "01",  # derivativesAllowed
        "00",  # transferable
        "04d2",  # revShareBps = 1234
        "ab" * 32,  # documentHash
        "e0",  # offset of documentUri inside the tuple: 7 words * 32 bytes
        "08",  # length of "ipfs://x"
    ]
    expected = b"".join(bytes.fromhex(word.rjust(64, "0")) for word in words)
    expected += b"ipfs://x".ljust(32, b"\0")
    assert encode_terms(terms) == expected
    assert terms_hash(terms) == keccak(expected)


def test_the_hub_computes_the_same_terms_hash(client: GenIPClient) -> None:
    """Non-circular check: Solidity's `keccak256(abi.encode(terms))` finds the terms under our hash."""
    hub = client.hub
    for terms in (standard_terms(), extended_terms(rev_share_bps=777, transferable=True)):
        assert hub.functions.termsIdOf(terms_hash(terms)).call() == 0
        receipt = send(
            client.w3, CREATOR, hub.functions.registerTerms(terms.as_tuple()), action="registerTerms"
        )
        (event,) = hub.events.TermsRegistered().process_receipt(receipt)
        assert bytes(event["args"]["termsHash"]) == terms_hash(terms)
        assert hub.functions.termsIdOf(terms_hash(terms)).call() == event["args"]["termsId"] > 0
