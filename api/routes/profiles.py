"""Creator profiles: `PUT /profiles/{address}` (wallet-signed), `GET /profiles/{address}` and a batch
`GET /profiles?address=…` for pages that show many creators at once (search cards).

A profile is what the address's wallet signed: an EIP-712 `ProfileUpdate(string action, address account,
string name, string bio, string avatarUrl, string links, bytes32 nonce, uint256 expiry)` in the Gen-IP domain
of the served chain (`api.wallet_auth`: one verifier, single-use nonces, short expiry), with `action` =
`"update profile"` and `links` the links joined by newlines. The signature covers every field, so nobody can
change a word of it; a replayed signature is refused (its nonce is spent), and the latest signed profile wins.

Limits: name 1-60 characters, bio up to 500, avatar URL and up to 5 links each an https URL of at most 300
characters; no control characters. Malformed input answers 422, a missing or bad signature 401.
"""

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Body, HTTPException, Query
from pydantic import BaseModel, Field, JsonValue, WithJsonSchema, field_validator
from sqlalchemy import select

from api.addresses import parse_address
from api.deps import ChainDep, SessionDep
from api.params import ADDRESS_FORMAT, ADDRESS_PATTERN, AddressPath, JsonInt
from api.schemas import ErrorBody
from api.wallet_auth import COMMON_FIELDS, WalletAuthError, parse_signed, verify_signed
from genip.db import models

__all__ = [
    "PROFILE_ACTION",
    "PROFILE_FIELDS",
    "PROFILE_TYPE",
    "ProfileIn",
    "ProfilePublic",
    "profile_message",
    "router",
]

router = APIRouter(prefix="/profiles", tags=["profiles"])

PROFILE_TYPE: Final = "ProfileUpdate"
PROFILE_ACTION: Final = "update profile"
PROFILE_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    COMMON_FIELDS[0],  # action
    COMMON_FIELDS[1],  # account
    ("name", "string"),
    ("bio", "string"),
    ("avatarUrl", "string"),
    ("links", "string"),
    COMMON_FIELDS[2],  # nonce
    COMMON_FIELDS[3],  # expiry
)
MAX_NAME: Final = 60
MAX_BIO: Final = 500
MAX_URL: Final = 300
MAX_LINKS: Final = 5
#: Most addresses one batch `GET /profiles` answers.
MAX_BATCH: Final = 100

#: What each text may hold, published in the schema and checked here with the same (Python) expressions, so
#: that the messages can say what is wrong. Values are stored exactly as signed (not trimmed or normalised).
#: (No `\s`: it means different characters in ECMA and Python regexes; the blanks are listed instead.)
_BLANK: Final = r"\x00-\x20\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
NAME_PATTERN: Final = rf"^[^\x00-\x1f\x7f]*[^{_BLANK}][^\x00-\x1f\x7f]*$"
BIO_PATTERN: Final = r"^[^\x00-\x08\x0b-\x1f\x7f]*$"
URL_PATTERN: Final = rf"^https://[^{_BLANK}/?#@:\[\]\\]+(:[0-9]{{1,5}})?([/?#][^{_BLANK}]*)?$"
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")


def _text(value: str, what: str, limit: int, pattern: str) -> str:
    if len(value) > limit:
        raise ValueError(f"{what} is longer than {limit} characters")
    if re.match(pattern, value) is None:
        if value.strip() == "" and pattern == NAME_PATTERN:
            raise ValueError(f"{what} is empty")
        raise ValueError(f"{what} holds control characters")
    return value


def _https(value: str, what: str) -> str:
    if len(value) > MAX_URL:
        raise ValueError(f"{what} is longer than {MAX_URL} characters")
    if re.match(URL_PATTERN, value) is None:
        if value.startswith("https://") and "@" in value.split("/", 3)[2]:
            raise ValueError(f"{what} must not carry a user name or password")
        raise ValueError(f"{what} must be an https:// URL")
    return value


def _schema(pattern: str, limit: int, **more: JsonValue) -> dict[str, JsonValue]:
    return {"pattern": pattern, "maxLength": limit, **more}


class ProfileIn(BaseModel):
    """A profile and the wallet's signature over it (`ProfileUpdate`, see the module description)."""

    name: str = Field(
        description=f"Shown instead of the address: 1-{MAX_NAME} characters, not only spaces, one line.",
        json_schema_extra=_schema(NAME_PATTERN, MAX_NAME, minLength=1),
    )
    bio: str = Field(
        default="",
        description=f"Up to {MAX_BIO} characters (line breaks allowed).",
        json_schema_extra=_schema(BIO_PATTERN, MAX_BIO),
    )
    avatar_url: Annotated[str, WithJsonSchema({"type": "string", **_schema(URL_PATTERN, MAX_URL)})] | None = (
        Field(default=None, description=f"https:// image URL of at most {MAX_URL} characters, or null.")
    )
    links: list[Annotated[str, WithJsonSchema({"type": "string", **_schema(URL_PATTERN, MAX_URL)})]] = Field(
        default_factory=list, max_length=MAX_LINKS, description=f"Up to {MAX_LINKS} https:// URLs."
    )
    nonce: str = Field(pattern=r"^0x[0-9a-fA-F]{64}$", description="32 random bytes, 0x-hex, used once.")
    expiry: JsonInt = Field(
        ge=0,
        le=10**11,  # exact as a JSON number (2**63 is not: clients would round it)
        description="Unix seconds (wall clock) the signature lapses at.",
    )
    signature: str = Field(
        pattern=r"^(0x)?[0-9a-fA-F]{130}$", description="eth_signTypedData_v4 of the ProfileUpdate message."
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _text(value, "the name", MAX_NAME, NAME_PATTERN)

    @field_validator("bio")
    @classmethod
    def _bio(cls, value: str) -> str:
        return _text(value, "the bio", MAX_BIO, BIO_PATTERN)

    @field_validator("avatar_url")
    @classmethod
    def _avatar(cls, value: str | None) -> str | None:
        return None if value is None else _https(value, "the avatar URL")

    @field_validator("links")
    @classmethod
    def _links(cls, value: list[str]) -> list[str]:
        return [_https(link, f"link {i + 1}") for i, link in enumerate(value)]


class ProfilePublic(BaseModel):
    """A creator's profile as their wallet signed it."""

    address: str
    name: str
    bio: str
    avatar_url: str | None
    links: list[str]
    updated_at: datetime
    chain_id: int = Field(description="The chain whose Gen-IP domain the signature was made in.")
    nonce: str
    expiry: int
    signature: str = Field(description="Anyone can re-check it: the ProfileUpdate message of these fields.")


def profile_message(account: str, profile: ProfileIn) -> dict[str, Any]:
    """The `ProfileUpdate` message `account` signs for `profile` (its nonce and expiry included)."""
    return {
        "action": PROFILE_ACTION,
        "account": account,
        "name": profile.name,
        "bio": profile.bio,
        "avatarUrl": profile.avatar_url or "",
        "links": "\n".join(profile.links),
        "nonce": profile.nonce,
        "expiry": profile.expiry,
    }


def _public(row: models.Profile) -> ProfilePublic:
    return ProfilePublic(
        address=row.account,
        name=row.name,
        bio=row.bio,
        avatar_url=row.avatar_url,
        links=list(row.links or []),
        updated_at=row.updated_at.replace(tzinfo=row.updated_at.tzinfo or UTC),  # SQLite drops the zone
        chain_id=row.chain_id,
        nonce=row.nonce,
        expiry=row.expiry,
        signature=row.signature,
    )


@router.get(
    "",
    response_model=list[ProfilePublic],
    summary="The profiles of several addresses (those that have one)",
    responses={400: {"model": ErrorBody, "description": "A malformed address."}},
)
def get_profiles(
    session: SessionDep,
    address: Annotated[
        list[Annotated[str, Field(pattern=ADDRESS_PATTERN, json_schema_extra={"format": ADDRESS_FORMAT})]],
        Query(max_length=MAX_BATCH, description=f"Up to {MAX_BATCH} addresses (repeat the key)."),
    ] = [],  # noqa: B006 (FastAPI copies defaults)
) -> list[ProfilePublic]:
    """Profiles of the given addresses, in no particular order; addresses without one are left out."""
    accounts = {parse_address(a.strip()) for a in address if a.strip()}
    if not accounts:
        return []
    rows = session.scalars(select(models.Profile).where(models.Profile.account.in_(accounts)))
    return [_public(row) for row in rows]


@router.get(
    "/{address}",
    response_model=ProfilePublic,
    summary="A creator's profile",
    responses={
        400: {"model": ErrorBody, "description": "A malformed address."},
        404: {"model": ErrorBody, "description": "The address has no profile."},
    },
)
def get_profile(address: AddressPath, session: SessionDep) -> ProfilePublic:
    """The profile the address's wallet last signed."""
    account = parse_address(address.strip())
    row = session.get(models.Profile, account)
    if row is None:
        raise HTTPException(404, f"{account} has no profile")
    return _public(row)


@router.put(
    "/{address}",
    response_model=ProfilePublic,
    summary="Create or replace a profile (signed by the address's wallet)",
    responses={
        400: {"model": ErrorBody, "description": "A malformed address."},
        401: {"model": ErrorBody, "description": "No valid, fresh, unused signature of this address."},
        422: {"description": "A field too long, empty, with control characters, or a URL that is not https."},
    },
)
def put_profile(
    address: AddressPath, profile: Annotated[ProfileIn, Body()], session: SessionDep, state: ChainDep
) -> ProfilePublic:
    """Checks the `ProfileUpdate` signature (the address's, unexpired, nonce unused), stores the profile."""
    account = parse_address(address.strip())
    try:
        signed = parse_signed(account, profile.nonce, str(profile.expiry), profile.signature)
        verify_signed(
            session,
            chain_id=state.chain_id,
            primary_type=PROFILE_TYPE,
            fields=PROFILE_FIELDS,
            message=profile_message(account, profile),
            signature=signed.signature,
        )
    except WalletAuthError as exc:
        raise HTTPException(401, str(exc)) from None
    row = session.get(models.Profile, account) or models.Profile(account=account)
    row.name, row.bio, row.avatar_url, row.links = (
        profile.name,
        profile.bio,
        profile.avatar_url,
        profile.links,
    )
    row.chain_id, row.nonce, row.expiry, row.signature = (
        state.chain_id,
        signed.nonce,
        signed.expiry,
        signed.signature,
    )
    row.updated_at = datetime.now(UTC)
    session.add(row)
    session.commit()
    return _public(row)
