"""The formats the API enforces, defined once and published in its OpenAPI document.

Each is a JSON Schema `pattern`, exact for CIDs and cursors; an address's pattern cannot say that mixed case
must be its EIP-55 checksum, so addresses also carry `format: eth-address` (and the description says it),
for clients and test generators to know exactly which strings are accepted. The code that parses them
(`api.addresses.parse_address`, `genip.content.cid.parse_cid`, `api.queries.search.decode_cursor`) answers
400 for the rest. A value that does not even match the pattern is a 400 too (`format_error`, not FastAPI's
422), as the API always answered a malformed address, CID or cursor.
"""

from collections.abc import Sequence
from typing import Annotated, Any, Final

from fastapi import Path, Query
from pydantic import BeforeValidator, WithJsonSchema

__all__ = [
    "ADDRESS_DESCRIPTION",
    "ADDRESS_FORMAT",
    "ADDRESS_PATTERN",
    "CID_PATTERN",
    "CURSOR_PATTERN",
    "FORM_ADDRESS_PATTERN",
    "FORM_ADDRESS_SCHEMA",
    "OPTIONAL_ADDRESS_PATTERN",
    "AccountQuery",
    "AddressPath",
    "CidPath",
    "JsonInt",
    "address_schema",
    "format_error",
    "optional_value",
]

#: `0x` and 40 hex digits; mixed case must also be a valid EIP-55 checksum (the `eth-address` format).
ADDRESS_PATTERN: Final = r"^0x[0-9a-fA-F]{40}$"
ADDRESS_FORMAT: Final = "eth-address"
#: A form field: an address, or empty (surrounding blanks are ignored).
FORM_ADDRESS_PATTERN: Final = r"^\s*(0x[0-9a-fA-F]{40})?\s*$"
#: The published schema of an optional address form field (see `optional_value`).
FORM_ADDRESS_SCHEMA: Final = {"type": "string", "pattern": FORM_ADDRESS_PATTERN, "format": ADDRESS_FORMAT}
#: An optional address in a JSON body: empty is none.
OPTIONAL_ADDRESS_PATTERN: Final = "^$|" + ADDRESS_PATTERN
_ADDRESS_PATTERNS: Final = frozenset({ADDRESS_PATTERN, FORM_ADDRESS_PATTERN, OPTIONAL_ADDRESS_PATTERN})
#: A base32 CIDv1 of a sha2-256 raw or dag-pb block, canonical (the last character's padding bits zero).
CID_PATTERN: Final = r"^baf(kre|ybe)i[a-h][a-z2-7]{50}[aeimquy4]$"
#: A search cursor, as the previous page answered it: `o` and the offset of the next page (at most 10^9).
CURSOR_PATTERN: Final = r"^o(0|[1-9][0-9]{0,8}|1000000000)$"

ADDRESS_DESCRIPTION: Final = (
    "0x address: checksummed (EIP-55) or all lowercase; mixed case with a wrong checksum is a 400."
)


def _not_a_boolean(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("a boolean is not an integer")  # pydantic's lax mode would take true as 1
    return value


#: An integer in a JSON body: `true`/`false` are refused, as the schema's `type: integer` says.
JsonInt = Annotated[int, BeforeValidator(_not_a_boolean)]


def address_schema(description: str = ADDRESS_DESCRIPTION) -> dict[str, Any]:
    """Keyword arguments of a `Query`/`Path`/`Field` that takes an address."""
    return {
        "pattern": ADDRESS_PATTERN,
        "description": description,
        "json_schema_extra": {"format": ADDRESS_FORMAT},
    }


def optional_value(schema: dict[str, Any]) -> WithJsonSchema:
    """The published schema of an optional header or form field: the value's own, not `anyOf` with `null`
    (such a value is absent, never the text `null`)."""
    return WithJsonSchema(schema)


AddressPath = Annotated[str, Path(**address_schema())]
AccountQuery = Annotated[str, Query(**address_schema())]
CidPath = Annotated[
    str,
    Path(
        pattern=CID_PATTERN,
        description="CIDv1 (as Kubo `ipfs add --cid-version=1`): base32, sha2-256, raw or dag-pb.",
    ),
]


def _field(loc: Sequence[object]) -> str:
    """`items[0].account` from a validation error's location `("body", "items", 0, "account")`."""
    text = ""
    for part in loc[1:]:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".")


def _format_message(error: dict[str, Any]) -> str | None:
    if error.get("type") != "string_pattern_mismatch":
        return None
    pattern = (error.get("ctx") or {}).get("pattern")
    value = str(error.get("input", ""))
    field = _field(error.get("loc", ()))
    if pattern in _ADDRESS_PATTERNS:
        return f"{field} must be 0x followed by 40 hex digits, got {value[:64]!r}"
    if pattern == CID_PATTERN:
        return f"{value[:100]!r} is not a CID: a base32 CIDv1 (sha2-256, raw or dag-pb) is expected"
    if pattern == CURSOR_PATTERN:
        return f"cursor {value[:64]!r} is not a cursor this API issued"
    return None


def format_error(errors: Sequence[Any]) -> str | None:
    """The 400 detail of a request whose only validation errors are malformed addresses, CIDs or cursors;
    `None` when any other rule failed (FastAPI's 422)."""
    messages = [_format_message(error) if isinstance(error, dict) else None for error in errors]
    if not messages or None in messages:
        return None
    return "; ".join(m for m in messages if m is not None)
