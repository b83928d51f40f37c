"""Licence terms: the shipped plain-language templates (`standard.md`, `extended.md`, `generation.md`) and
the on-chain `LicenseTerms` record built on them (`genip.terms.terms`)."""

from genip.terms.terms import (
    DEFAULT_EXTENDED_REV_SHARE_BPS,
    DEFAULT_GENERATION_REV_SHARE_BPS,
    GENERATION_KINDS,
    LicenseTerms,
    TermsDocument,
    Tier,
    encode_terms,
    extended_terms,
    generation_terms,
    standard_terms,
    template,
    terms_for,
    terms_hash,
    tier_refusal,
)

__all__ = [
    "DEFAULT_EXTENDED_REV_SHARE_BPS",
    "DEFAULT_GENERATION_REV_SHARE_BPS",
    "GENERATION_KINDS",
    "LicenseTerms",
    "TermsDocument",
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
