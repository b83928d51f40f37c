"""Prompts sealed to the checker: an X25519 key pair whose private half only the checker process holds.

Creators (the CLI, the web page) seal a submission's payload to the checker's public key with libsodium's
sealed box (`crypto_box_seal`: an ephemeral X25519 key, XSalsa20-Poly1305; PyNaCl here, libsodium-wrappers in
the browser), so the API that relays and stores it holds ciphertext it cannot open. The public key is
published by the API (`GET /prompts/checker-key`, from `GENIP_CHECKER_PUBLIC_KEY`) and may be pinned on the
creator's side with the same setting. `key_id` (a hash prefix of the public key) travels with every
ciphertext, so a rotated key is detected by name instead of by a failed decryption.

The private key comes from `GENIP_CHECKER_KEY` or, better, a file named by `GENIP_CHECKER_KEY_FILE` (mode
0600, as `genip checker keygen --out` writes it): never the database, never a log line.
"""

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from genip.errors import ConfigError, GenIPError

__all__ = ["SEAL_OVERHEAD", "CheckerKey", "CheckerPublicKey", "SealError", "parse_key"]

#: Bytes a sealed box adds to its plaintext (ephemeral public key 32 + Poly1305 tag 16).
SEAL_OVERHEAD = 48


class SealError(GenIPError):
    """A sealed prompt could not be opened: sealed to another key, or altered."""


def parse_key(value: str, name: str) -> bytes:
    """32 bytes from 64 hex characters (optionally `0x`) or base64; ConfigError naming `name`, never the
    value."""
    text = value.strip()
    raw: bytes | None
    try:
        raw = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raw = None
    if raw is None or len(raw) != 32:
        raise ConfigError(f"{name} must be 32 bytes, as 64 hex characters or base64")
    return raw


@dataclass(frozen=True)
class CheckerPublicKey:
    """What creators seal to."""

    raw: bytes

    @classmethod
    def from_text(cls, value: str, name: str = "the checker's public key") -> "CheckerPublicKey":
        return cls(parse_key(value, name))

    @property
    def hex(self) -> str:
        return "0x" + self.raw.hex()

    @property
    def key_id(self) -> str:
        return hashlib.sha256(b"genip-checker-key" + self.raw).hexdigest()[:16]

    def seal(self, plaintext: bytes) -> bytes:
        return bytes(SealedBox(PublicKey(self.raw)).encrypt(plaintext))


@dataclass(frozen=True)
class CheckerKey:
    """The checker's private key (checker process only); kept out of `repr`."""

    raw: bytes = field(repr=False)

    @classmethod
    def generate(cls) -> "CheckerKey":
        return cls(bytes(PrivateKey.generate()))

    @classmethod
    def from_setting(cls, value: str | None, file: Path | None = None) -> "CheckerKey":
        """From `GENIP_CHECKER_KEY_FILE` (a file holding the key as hex), else `GENIP_CHECKER_KEY`."""
        if file is not None:
            try:
                text = file.read_text()
            except OSError as exc:
                raise ConfigError(f"GENIP_CHECKER_KEY_FILE {file} cannot be read ({exc.strerror})") from None
            return cls(parse_key(text, f"the key in {file}"))
        if not value:
            raise ConfigError(
                "no checker key: set GENIP_CHECKER_KEY_FILE (see `genip checker keygen`) or GENIP_CHECKER_KEY"
            )
        return cls(parse_key(value, "GENIP_CHECKER_KEY"))

    def write(self, path: Path) -> None:
        """Writes the key as hex to a new file only its owner can read."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(self.raw.hex() + "\n")

    @property
    def public_key(self) -> CheckerPublicKey:
        return CheckerPublicKey(bytes(PrivateKey(self.raw).public_key))

    def open(self, sealed: bytes, key_id: str) -> bytes:
        if key_id != self.public_key.key_id:
            mine = self.public_key.key_id
            raise SealError(f"sealed to checker key {key_id}, this checker holds key {mine}")
        try:
            return bytes(SealedBox(PrivateKey(self.raw)).decrypt(sealed))
        except (CryptoError, ValueError, TypeError):
            raise SealError("the sealed prompt does not open: altered, or not sealed to this key") from None
