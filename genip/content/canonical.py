"""Canonical byte forms, so that equal content always hashes (and is stored) the same.

- **Text** (`normalize_text`): decoded as strict UTF-8 (a leading byte-order mark is dropped), every line
  ending (`\\r\\n`, `\\r`) becomes `\\n`, then Unicode NFC. Nothing else changes: no trimming, no case
  folding, no trailing-newline fix-up. The canonical bytes are the UTF-8 encoding of the result.
- **JSON** (`canonical_json`): object keys sorted by code point, no whitespace (`,` and `:` separators),
  UTF-8 with non-ASCII characters written as themselves, numbers as Python prints them (integers exactly,
  floats in their shortest round-tripping form). NaN and infinities are refused, and so are duplicate keys
  when parsing (`parse_json`), since either would make "the same" document ambiguous.
"""

import json
import unicodedata
from typing import Any

from genip.content.errors import FormatError

__all__ = ["canonical_json", "normalize_text", "parse_json", "text_bytes"]


def normalize_text(text: str) -> str:
    """`text` with `\\n` line endings, no leading BOM, in Unicode NFC."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def text_bytes(data: bytes) -> bytes:
    """The canonical bytes of a UTF-8 text file; `FormatError` if `data` is not valid UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(f"text is not valid UTF-8 (byte {exc.start})") from None
    return normalize_text(text).encode("utf-8")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise FormatError(f"duplicate JSON key {key[:80]!r}")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise FormatError(f"JSON value {name} is not allowed")


def parse_json(data: bytes) -> Any:
    """Parse UTF-8 JSON strictly: `FormatError` for bad UTF-8, bad JSON, duplicate keys, NaN or Infinity."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise FormatError(f"JSON is not valid UTF-8 (byte {exc.start})") from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise FormatError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:  # nested past the recursion limit (`genip.recursion`): hostile, not a document
        raise FormatError("JSON nested too deeply") from None


def canonical_json(value: Any) -> bytes:
    """The canonical UTF-8 bytes of a JSON-compatible value (see the module docstring)."""
    try:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return text.encode("utf-8")
    except ValueError as exc:  # NaN/Infinity, or a lone surrogate (UnicodeEncodeError)
        raise FormatError(f"value has no canonical JSON form: {exc}") from None
