"""Canonical byte forms, so that equal content always hashes (and is stored) the same.

- **Text** (`normalize_text`): decoded as strict UTF-8 (a leading byte-order mark is dropped), every line
  ending (`\\r\\n`, `\\r`) becomes `\\n`, then Unicode NFC. Nothing else changes: no trimming, no case
  folding, no trailing-newline fix-up. The canonical bytes are the UTF-8 encoding of the result.
- **JSON** (`canonical_json`): object keys sorted by code point, no whitespace (`,` and `:` separators),
  UTF-8 with non-ASCII characters written as themselves, numbers as Python prints them (integers exactly,
  floats in their shortest round-tripping form). NaN and infinities are refused, and so are duplicate keys
  when parsing (`parse_json`), since either would make "the same" document ambiguous.

`parse_json` accepts exactly the documents that have a canonical form, so whatever it returns can be
canonicalised and parsed back the same (`scripts/fuzz_workflow.py` checks it). Besides bad UTF-8, bad JSON
and duplicate keys it refuses: numbers that overflow to an
infinity (`1e999`: no `NaN` literal needed), integers longer than Python converts
(`sys.get_int_max_str_digits()`, 4300 digits, which `json` raised as a bare `ValueError`), and `\\uD800`-style
escapes of lone surrogates, which no UTF-8 text can hold.
"""

import json
import math
import re
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


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise FormatError(f"JSON number {text[:40]} is out of range")
    return value


#: A `\\u` escape of a surrogate code point (paired ones are joined by the decoder; lone ones stay).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_lone_surrogate(document: Any) -> bool:
    """Whether a string (key or value) anywhere in `document` holds a lone surrogate (no recursion: the
    document may be as deep as the parser allowed)."""
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def parse_json(data: bytes) -> Any:
    """Parse UTF-8 JSON strictly: `FormatError` for bad UTF-8, bad JSON, duplicate keys, NaN or Infinity
    (written or overflowing), integers too long to convert and lone surrogates (see the module docstring)."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise FormatError(f"JSON is not valid UTF-8 (byte {exc.start})") from None
    try:
        document = json.loads(
            text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant, parse_float=_finite
        )
    except json.JSONDecodeError as exc:
        raise FormatError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:  # nested past the recursion limit (`genip.recursion`): hostile, not a document
        raise FormatError("JSON nested too deeply") from None
    except ValueError as exc:  # an integer past `sys.get_int_max_str_digits()`
        raise FormatError(f"JSON number too long: {exc}") from None
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(document):
        raise FormatError("JSON string holds a lone surrogate (an escape no UTF-8 text can hold)")
    return document


def canonical_json(value: Any) -> bytes:
    """The canonical UTF-8 bytes of a JSON-compatible value (see the module docstring)."""
    try:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return text.encode("utf-8")
    except ValueError as exc:  # NaN/Infinity, or a lone surrogate (UnicodeEncodeError)
        raise FormatError(f"value has no canonical JSON form: {exc}") from None
