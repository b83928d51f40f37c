"""Python mirrors of the contracts' enums and structs (`contracts/src/types/GenIPTypes.sol`, `Work`).

Structs convert to the tuples web3 encodes with `as_tuple()`; enum values are the Solidity ordinals.
"""

from dataclasses import dataclass
from enum import IntEnum

__all__ = [
    "AI_KINDS",
    "BPS",
    "UNLIMITED_WORKS",
    "CheckOutcome",
    "DisputeStatus",
    "LicenseTerms",
    "LicenseUse",
    "RevenueSource",
    "Standing",
    "Tier",
    "Work",
    "WorkKind",
]

#: Basis-point denominator of fees, revenue shares and royalty stacks.
BPS = 10_000


class WorkKind(IntEnum):
    """What kind of work a certificate is for."""

    IMAGE = 0
    TEXT = 1
    MODEL = 2
    WORKFLOW = 3
    PROMPT = 4
    OTHER = 5


#: Kinds whose works are AI output made from a prompt: registering them requires the prompt (`genip.works`;
#: the web page reads it from `GET /config`).
AI_KINDS = frozenset({WorkKind.IMAGE, WorkKind.TEXT})


class Tier(IntEnum):
    """Licence tier: Standard (commercial use), Extended (build your own IP on it: one derivative per licence)
    or Generation (generate works with a model, workflow or prompt: the licence registers any number of
    derivatives until it expires)."""

    STANDARD = 0
    EXTENDED = 1
    GENERATION = 2


class CheckOutcome(IntEnum):
    """Outcome of the off-chain prompt check."""

    UNCHECKED = 0
    PASSED = 1
    FAILED = 2


class LicenseUse(IntEnum):
    """What `licenseStatus` is asked about."""

    DISPLAY = 0
    COMMERCIAL = 1
    DERIVATIVE = 2


class DisputeStatus(IntEnum):
    """State of one dispute in the court (`IDisputeCourt.Dispute.status`)."""

    NONE = 0
    OPEN = 1
    CLEARED = 2
    UPHELD = 3


class Standing(IntEnum):
    """An asset's standing in the hub (`standingOf`): anything but CLEAR stops sales and derivatives."""

    CLEAR = 0
    DISPUTED = 1
    UPHELD = 2
    TAINTED = 3


#: `maxWorks` of a platform authorisation without a count limit (`type(uint32).max`).
UNLIMITED_WORKS = 2**32 - 1


class RevenueSource(IntEnum):
    """Where a revenue payment came from."""

    LICENSE_SALE = 0
    DIRECT = 1
    ROYALTY = 2


@dataclass(frozen=True, slots=True)
class Work:
    """`IGenIPRegistry.Work`: what a creator registers (and signs, for `registerFor`)."""

    kind: WorkKind
    content_hash: bytes
    perceptual_hash: bytes
    prompt_commitment: bytes
    metadata_cid: str

    def as_tuple(self) -> tuple[int, bytes, bytes, bytes, str]:
        """ABI tuple `(uint8,bytes32,bytes32,bytes32,string)`."""
        return (
            int(self.kind),
            self.content_hash,
            self.perceptual_hash,
            self.prompt_commitment,
            self.metadata_cid,
        )


@dataclass(frozen=True, slots=True)
class LicenseTerms:
    """`LicenseTerms`: the terms an offer sells, addressed on-chain by `keccak256(abi.encode(terms))`."""

    tier: Tier
    commercial_use: bool
    derivatives_allowed: bool
    transferable: bool
    rev_share_bps: int
    document_hash: bytes
    document_uri: str

    def as_tuple(self) -> tuple[int, bool, bool, bool, int, bytes, str]:
        """ABI tuple `(uint8,bool,bool,bool,uint16,bytes32,string)`."""
        return (
            int(self.tier),
            self.commercial_use,
            self.derivatives_allowed,
            self.transferable,
            self.rev_share_bps,
            self.document_hash,
            self.document_uri,
        )
