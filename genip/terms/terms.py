"""The on-chain `LicenseTerms` record: its ABI encoding, its hash, and the standard / extended / generation
presets.

`LicenseTerms` (and `Tier`) are the Python mirror of the Solidity struct in
`contracts/src/types/GenIPTypes.sol`, defined once in `genip.chain.types` and re-exported here:

    struct LicenseTerms { Tier tier; bool commercialUse; bool derivativesAllowed; bool transferable;
                          uint16 revShareBps; bytes32 documentHash; string documentUri; }

The hub addresses terms by `keccak256(abi.encode(terms))` (`LicensingHub.registerTerms`, `termsIdOf`);
`encode_terms` is that `abi.encode` (one dynamic tuple `(uint8,bool,bool,bool,uint16,bytes32,string)`, so
the encoding starts with the offset 0x20) and `terms_hash` its keccak256.

Presets use the templates shipped with the package: `documentHash` is the sha256 of the template's bytes
exactly as shipped, `documentUri` is `ipfs://<cid>` of those bytes (Kubo-compatible CID, so storing the
template in any Gen-IP store or on IPFS serves it under that URI).

- Standard: commercial use, no derivatives, no revenue share.
- Extended: commercial use, derivatives allowed, a revenue share (default 10 %) on each derivative; one
  licence registers one derivative.
- Generation: commercial use, derivatives allowed, a revenue share (default 10 %) on each derivative; one
  licence registers any number of derivatives until it expires (the hub never uses it up). For resources
  only: models, workflows and prompts (`GENERATION_KINDS`; `tier_refusal` says why another kind is refused:
  the contracts do not know a work's kind, so the CLI and the API refuse it off-chain).
Licence tokens are non-transferable unless asked for.
"""

from dataclasses import dataclass, field
from importlib.resources import files
from typing import Final

from eth_abi.abi import encode
from eth_hash.auto import keccak

from genip.chain.types import BPS, LicenseTerms, Tier, WorkKind
from genip.content.digest import ContentDigest, digest_bytes
from genip.errors import GenIPError

__all__ = [
    "DEFAULT_EXTENDED_REV_SHARE_BPS",
    "DEFAULT_GENERATION_REV_SHARE_BPS",
    "GENERATION_KINDS",
    "TERMS_ABI_TYPE",
    "LicenseTerms",
    "TermsDocument",
    "TermsError",
    "Tier",
    "encode_terms",
    "extended_terms",
    "generation_terms",
    "standard_terms",
    "template",
    "terms_for",
    "terms_hash",
    "tier_refusal",
]

#: ABI type of the `LicenseTerms` tuple.
TERMS_ABI_TYPE: Final = "(uint8,bool,bool,bool,uint16,bytes32,string)"
#: Revenue share of the extended preset: 10 %.
DEFAULT_EXTENDED_REV_SHARE_BPS: Final = 1_000
#: Revenue share of the generation preset: 10 % of every work generated with the resource.
DEFAULT_GENERATION_REV_SHARE_BPS: Final = 1_000
_TEMPLATES: Final = {
    Tier.STANDARD: "standard.md",
    Tier.EXTENDED: "extended.md",
    Tier.GENERATION: "generation.md",
}
#: The kinds of work a generation offer may be made on: the resources others generate with.
GENERATION_KINDS: Final = frozenset({WorkKind.MODEL, WorkKind.WORKFLOW, WorkKind.PROMPT})


class TermsError(GenIPError):
    """Licence terms are invalid (revenue share out of range, bad document hash)."""


@dataclass(frozen=True, slots=True)
class TermsDocument:
    """A licence terms document: its bytes, sha256 and CID (`uri` is `ipfs://<cid>`)."""

    data: bytes = field(repr=False)
    digest: ContentDigest

    @classmethod
    def from_bytes(cls, data: bytes) -> "TermsDocument":
        """A document from its exact bytes (what is hashed is what must be stored)."""
        return cls(data, digest_bytes(data))

    @property
    def sha256(self) -> bytes:
        """sha256 of the document: the terms' `documentHash`."""
        return self.digest.sha256

    @property
    def uri(self) -> str:
        """`ipfs://<cid>`: the terms' `documentUri`."""
        return f"ipfs://{self.digest.cid}"


def template(tier: Tier) -> TermsDocument:
    """The plain-language template shipped for `tier`."""
    return TermsDocument.from_bytes(files("genip.terms").joinpath(_TEMPLATES[tier]).read_bytes())


def encode_terms(terms: LicenseTerms) -> bytes:
    """`abi.encode(terms)` as Solidity computes it for the struct."""
    _check(terms)
    return encode([TERMS_ABI_TYPE], [terms.as_tuple()])


def terms_hash(terms: LicenseTerms) -> bytes:
    """`keccak256(abi.encode(terms))`: the key `LicensingHub.termsIdOf` looks terms up by."""
    return bytes(keccak(encode_terms(terms)))


def terms_for(
    tier: Tier,
    *,
    rev_share_bps: int | None = None,
    transferable: bool = False,
    document: TermsDocument | None = None,
) -> LicenseTerms:
    """Terms of `tier` on `document` (the shipped template when `None`).

    Standard terms carry no revenue share (`rev_share_bps` must be 0 or `None`); extended and generation
    terms allow derivatives and default to a 10 % share.
    """
    document = document or template(tier)
    if tier is Tier.STANDARD:
        if rev_share_bps:
            raise TermsError("standard terms allow no derivatives, so they carry no revenue share")
        share = 0
    else:
        share = DEFAULT_EXTENDED_REV_SHARE_BPS if rev_share_bps is None else rev_share_bps
    terms = LicenseTerms(
        tier=tier,
        commercial_use=True,
        derivatives_allowed=tier is not Tier.STANDARD,
        transferable=transferable,
        rev_share_bps=share,
        document_hash=document.sha256,
        document_uri=document.uri,
    )
    _check(terms)
    return terms


def standard_terms(*, transferable: bool = False, document: TermsDocument | None = None) -> LicenseTerms:
    """The standard preset: commercial use, no derivatives, no revenue share."""
    return terms_for(Tier.STANDARD, transferable=transferable, document=document)


def extended_terms(
    *,
    rev_share_bps: int = DEFAULT_EXTENDED_REV_SHARE_BPS,
    transferable: bool = False,
    document: TermsDocument | None = None,
) -> LicenseTerms:
    """The extended preset: commercial use, derivatives, `rev_share_bps` of each derivative's revenue."""
    return terms_for(Tier.EXTENDED, rev_share_bps=rev_share_bps, transferable=transferable, document=document)


def generation_terms(
    *,
    rev_share_bps: int = DEFAULT_GENERATION_REV_SHARE_BPS,
    transferable: bool = False,
    document: TermsDocument | None = None,
) -> LicenseTerms:
    """The generation preset: commercial use, derivatives, `rev_share_bps` of each derivative's revenue, the
    licence reusable for any number of derivatives (offered on models, workflows and prompts only)."""
    return terms_for(
        Tier.GENERATION, rev_share_bps=rev_share_bps, transferable=transferable, document=document
    )


def tier_refusal(tier: Tier, kind: WorkKind) -> str | None:
    """Why an offer of `tier` cannot be made on a work of `kind`, in words, or None when it can: a generation
    licence is for the resources others generate with (`GENERATION_KINDS`). The contracts do not store a
    work's kind, so this rule is applied off-chain (CLI, API, web page through `GET /config`)."""
    if tier is Tier.GENERATION and kind not in GENERATION_KINDS:
        return (
            f"a generation licence is for models, workflows and prompts, not {_a(kind.name.lower())}: "
            "offer a standard or extended licence on it"
        )
    return None


def _a(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def _check(terms: LicenseTerms) -> None:
    if not 0 <= terms.rev_share_bps <= BPS:
        raise TermsError(f"revenue share {terms.rev_share_bps} bps is outside 0..{BPS}")
    if len(terms.document_hash) != 32:
        raise TermsError(f"documentHash has {len(terms.document_hash)} bytes, not 32")
