"""Encryption at rest for submitted prompts: AES-256-GCM with a key that lives only in settings.

The key comes from `GENIP_CHECKER_KEY` (32 bytes, hex or base64) — never from the database, so a copy of the
database reveals nothing. Every ciphertext is bound to where it belongs (chain, asset, commitment) as
associated data: moved to another row it fails to decrypt. `key_id` (a hash prefix of the key) is stored
beside each ciphertext so keys can be rotated.
"""

import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from genip.errors import ConfigError, GenIPError

__all__ = ["SealError", "Sealed", "Sealer"]


class SealError(GenIPError):
    """A sealed prompt could not be opened: wrong key, or the ciphertext was moved or altered."""


@dataclass(frozen=True, slots=True)
class Sealed:
    key_id: str
    nonce: str  # hex
    ciphertext: str  # base64


@dataclass(frozen=True)
class Sealer:
    key: bytes = field(repr=False)

    @classmethod
    def from_setting(cls, value: str | None) -> "Sealer":
        """Reads the key from `GENIP_CHECKER_KEY` (64 hex characters or base64 of 32 bytes)."""
        if not value:
            raise ConfigError("GENIP_CHECKER_KEY is not set: the prompt store needs a 32-byte key")
        raw: bytes | None = None
        try:
            raw = bytes.fromhex(value.removeprefix("0x"))
        except ValueError:
            try:
                raw = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raw = None
        if raw is None or len(raw) != 32:
            raise ConfigError("GENIP_CHECKER_KEY must be 32 bytes, as 64 hex characters or base64")
        return cls(raw)

    @staticmethod
    def new_key() -> str:
        """A fresh key in the setting's hex form (for operators: `genip checker keygen`)."""
        return secrets.token_bytes(32).hex()

    @property
    def key_id(self) -> str:
        return hashlib.sha256(b"genip-checker-key" + self.key).hexdigest()[:16]

    def seal(self, plaintext: bytes, context: bytes) -> Sealed:
        nonce = secrets.token_bytes(12)
        ciphertext = AESGCM(self.key).encrypt(nonce, plaintext, context)
        return Sealed(self.key_id, nonce.hex(), base64.b64encode(ciphertext).decode())

    def open(self, sealed: Sealed, context: bytes) -> bytes:
        if sealed.key_id != self.key_id:
            raise SealError(f"sealed with key {sealed.key_id}, this process holds key {self.key_id}")
        try:
            return AESGCM(self.key).decrypt(
                bytes.fromhex(sealed.nonce), base64.b64decode(sealed.ciphertext), context
            )
        except (InvalidTag, ValueError):
            raise SealError("the sealed prompt does not open: altered, or moved from another asset") from None
