"""The ERC-721 metadata JSON of a work, stored by CID like the work itself (its CID is `metadataCid`).

Shape (keys shown in the canonical, sorted order they are written in):

    {
      "animation_url": "ipfs://<work cid>",     # non-image kinds (text, model, workflow, prompt, other)
      "attributes": [{"trait_type": "Kind", "value": "image"}, ...],   # marketplace traits
      "description": "...",
      "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
      "genip": {
        "content": {"cid", "mediaType", "sha256": "0x...", "size", "uri": "ipfs://..."},
        "creator": "0xChecksummed" | null,
        "details": {...},                        # what the kind's format says (see `content.formats`)
        "kind": "image",
        "madeWith": {...},                       # if the file says how it was made (`content.made_with`)
        "declaredNotDerivedFrom": [{"assetId": 7, "reason": "..."}],  # if the creator declared any
        "model": "..." | null, "tool": "..." | null,
        "parents": [{"assetId": 1, "licenseId": 2}],
        "perceptualHash": {"algorithm": "pdq" | "simhash64", "quality": 100 | null, "value": "0x..."} | null,
        "preview": {"card": {...} | null, "cid": "<preview cid>" | null, "excerpt": "..." | null,
                    "examples": ["<example preview cid>", ...]},  # if any; examples only when given
        "promptCommitment": "0x...",
        "tags": ["..."],
        "version": 1
      },
      "image": "ipfs://<preview cid>",          # the public face (`content.preview`); for metadata
                                                # written before previews, an image's own CID
      "name": "..."
    }

`name`, `description`, `image` / `animation_url` and `attributes` are the ERC-721 / OpenSea fields; the
`genip` object repeats what the certificate commits to (sha256, perceptual hash, prompt commitment) so the
JSON alone is enough to check a work. `digitalSourceType` is the IPTC term for media made by a trained model.

The public face (`genip.preview`, `genip.content.preview`): an image's watermarked preview (`cid`, and `image`
points at it), a text's `excerpt`, a model's / workflow's / prompt's `card`, and a prompt-kind work's
`examples`: the CIDs of its example outputs' watermarked previews (`image` points at the first; the
examples themselves are not originals of the work and are not stored). The original stays committed by
sha256 and CID but is sealed at rest (`genip.storage.originals`) and never served from `ipfs://`.

The JSON is written canonically (`canonical.canonical_json`), so the same description always has the same
CID, and it must fit in one raw IPFS block (at most 256 KiB): then its CID is `bafkrei...` and carries the
sha256 of the JSON. `WorkMetadata.to_bytes` raises `MetadataTooLargeError` otherwise.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from eth_utils.address import is_address, to_checksum_address

from genip.chain.types import WorkKind
from genip.content.canonical import canonical_json, parse_json
from genip.content.cid import CHUNK_SIZE, parse_cid
from genip.content.digest import ContentDigest
from genip.content.errors import ContentError, FormatError, MetadataTooLargeError
from genip.content.preview import MAX_EXAMPLES

__all__ = [
    "DIGITAL_SOURCE_TYPE",
    "MAX_METADATA_BYTES",
    "MAX_NOT_DERIVED_FROM",
    "MAX_REASON",
    "METADATA_VERSION",
    "NotDerivedFrom",
    "ParentLink",
    "PerceptualHash",
    "WorkMetadata",
]

#: IPTC NewsCodes digital source type of media created by a trained algorithmic model.
DIGITAL_SOURCE_TYPE: Final = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
#: Largest canonical metadata JSON: one Kubo chunk, so the JSON is a single raw block.
MAX_METADATA_BYTES: Final = CHUNK_SIZE
#: Version of the `genip` object.
METADATA_VERSION: Final = 1
#: Limits on free-form fields, to keep metadata small and display-safe.
MAX_NAME: Final = 200
MAX_TAGS: Final = 32
MAX_TAG: Final = 64
#: Declarations "not derived from" a work a file names as a resource (`genip.resources`), and their reasons.
MAX_NOT_DERIVED_FROM: Final = 16
MAX_REASON: Final = 280


@dataclass(frozen=True, slots=True)
class ParentLink:
    """A parent of a derivative work: the parent asset and the licence the derivative was made under."""

    asset_id: int
    license_id: int


@dataclass(frozen=True, slots=True)
class NotDerivedFrom:
    """The creator's declaration that the work is not derived from registered work `asset_id`, which its file
    names as a resource (`genip.resources`), and why: recorded in the metadata and shown publicly."""

    asset_id: int
    reason: str

    def __post_init__(self) -> None:
        if isinstance(self.asset_id, bool) or not isinstance(self.asset_id, int) or self.asset_id < 1:
            raise ContentError(f"a declaration names an asset id (1 or more), not {self.asset_id!r}")
        reason = self.reason.strip() if isinstance(self.reason, str) else ""
        if not 1 <= len(reason) <= MAX_REASON:
            raise ContentError(
                f"the reason for not being derived from asset {self.asset_id} must have 1 to {MAX_REASON} "
                "characters"
            )
        object.__setattr__(self, "reason", reason)


@dataclass(frozen=True, slots=True)
class PerceptualHash:
    """The perceptual fingerprint committed on-chain: algorithm (`pdq`, `simhash64`), bytes32, quality."""

    algorithm: str
    value: bytes
    quality: int | None = None


@dataclass(frozen=True, slots=True)
class WorkMetadata:
    """Everything the metadata JSON of one work says; `to_bytes()` is what gets stored and addressed."""

    name: str
    kind: WorkKind
    content: ContentDigest
    media_type: str
    prompt_commitment: bytes
    description: str = ""
    perceptual_hash: PerceptualHash | None = None
    model: str | None = None
    tool: str | None = None
    parents: tuple[ParentLink, ...] = ()
    tags: tuple[str, ...] = ()
    creator: str | None = None
    preview_cid: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    excerpt: str | None = None
    card: Mapping[str, Any] | None = None
    examples: tuple[str, ...] = ()  # preview CIDs of a prompt-kind work's example outputs
    made_with: Mapping[str, Any] | None = None  # what the file says of how it was made (`content.made_with`)
    not_derived_from: tuple[NotDerivedFrom, ...] = ()  # declared, for resources the file names

    def __post_init__(self) -> None:
        name = self.name.strip()
        if not name or len(name) > MAX_NAME:
            raise ContentError(f"a work's name must have 1 to {MAX_NAME} characters")
        object.__setattr__(self, "name", name)
        if len(self.content.sha256) != 32 or len(self.prompt_commitment) != 32:
            raise ContentError("sha256 and prompt commitment must be 32 bytes each")
        if self.prompt_commitment == bytes(32):
            raise ContentError("the prompt commitment must not be zero (the registry refuses it)")
        if self.perceptual_hash is not None and len(self.perceptual_hash.value) != 32:
            raise ContentError("the perceptual hash must be 32 bytes")
        parse_cid(self.content.cid)
        if self.preview_cid is not None:
            parse_cid(self.preview_cid)
        if len(self.examples) > MAX_EXAMPLES:
            raise ContentError(f"at most {MAX_EXAMPLES} example outputs")
        for example in self.examples:
            parse_cid(example)
        if self.examples and self.kind is not WorkKind.PROMPT:
            raise ContentError("only prompt-kind works carry example outputs")
        tags = tuple(dict.fromkeys(tag.strip() for tag in self.tags if tag.strip()))
        if len(tags) > MAX_TAGS or any(len(tag) > MAX_TAG for tag in tags):
            raise ContentError(f"at most {MAX_TAGS} tags of at most {MAX_TAG} characters each")
        object.__setattr__(self, "tags", tags)
        if len(self.not_derived_from) > MAX_NOT_DERIVED_FROM:
            raise ContentError(
                f"at most {MAX_NOT_DERIVED_FROM} declarations of not being derived from a work"
            )
        declared = [d.asset_id for d in self.not_derived_from]
        if len(set(declared)) != len(declared):
            raise ContentError("each work is declared not derived from at most once")
        if set(declared) & {p.asset_id for p in self.parents}:
            raise ContentError("a work cannot be both a parent and declared not derived from")
        if self.creator is not None:
            if not is_address(self.creator):
                raise ContentError(f"creator {self.creator[:64]!r} is not an address")
            object.__setattr__(self, "creator", to_checksum_address(self.creator))

    def to_json(self) -> dict[str, Any]:
        """The metadata as a JSON-ready dict (see the module docstring)."""
        kind = self.kind.name.lower()
        uri = f"ipfs://{self.content.cid}"
        document: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "attributes": self._attributes(kind),
            "digitalSourceType": DIGITAL_SOURCE_TYPE,
            "genip": {
                "version": METADATA_VERSION,
                "kind": kind,
                "content": {
                    "cid": self.content.cid,
                    "uri": uri,
                    "sha256": self.content.sha256_hex,
                    "size": self.content.size,
                    "mediaType": self.media_type,
                },
                "perceptualHash": None
                if self.perceptual_hash is None
                else {
                    "algorithm": self.perceptual_hash.algorithm,
                    "value": "0x" + self.perceptual_hash.value.hex(),
                    "quality": self.perceptual_hash.quality,
                },
                "promptCommitment": "0x" + self.prompt_commitment.hex(),
                "model": self.model,
                "tool": self.tool,
                "parents": [{"assetId": p.asset_id, "licenseId": p.license_id} for p in self.parents],
                "tags": list(self.tags),
                "creator": self.creator,
                "details": dict(self.details),
            },
        }
        if self.preview_cid is not None or self.excerpt is not None or self.card is not None or self.examples:
            document["genip"]["preview"] = {
                "cid": self.preview_cid,
                "excerpt": self.excerpt,
                "card": None if self.card is None else dict(self.card),
            }
            if self.examples:  # only then: metadata without examples keeps its bytes
                document["genip"]["preview"]["examples"] = list(self.examples)
        if self.made_with is not None:  # only then: metadata of files that say nothing keeps its bytes
            document["genip"]["madeWith"] = dict(self.made_with)
        if self.not_derived_from:  # only then, likewise
            document["genip"]["declaredNotDerivedFrom"] = [
                {"assetId": d.asset_id, "reason": d.reason} for d in self.not_derived_from
            ]
        if self.kind is not WorkKind.IMAGE:
            document["animation_url"] = uri
        if self.preview_cid is not None:
            document["image"] = f"ipfs://{self.preview_cid}"
        elif self.examples:  # a prompt-kind work's face: its first example output's preview
            document["image"] = f"ipfs://{self.examples[0]}"
        elif self.kind is WorkKind.IMAGE:
            document["image"] = uri
        return document

    def to_bytes(self) -> bytes:
        """Canonical JSON bytes; `MetadataTooLargeError` when above `MAX_METADATA_BYTES`."""
        data = canonical_json(self.to_json())
        if len(data) > MAX_METADATA_BYTES:
            raise MetadataTooLargeError(len(data), MAX_METADATA_BYTES)
        return data

    @classmethod
    def from_bytes(cls, data: bytes) -> "WorkMetadata":
        """Read metadata written by `to_bytes` back; `FormatError` if it is not Gen-IP metadata.

        Every field must have the JSON type `to_json` writes (a string where it writes a string, ...): the
        bytes come from anyone who registers a work, and the indexer copies these fields into typed columns.
        """
        document = parse_json(data)
        try:
            g = document["genip"]
            if g["version"] != METADATA_VERSION:
                raise FormatError(f"unsupported Gen-IP metadata version {g['version']!r}")
            c, ph = g["content"], g["perceptualHash"]
            size = _typed(c["size"], int, "size")
            if size < 0:
                raise ValueError(f"size {size} is negative")
            return cls(
                name=_typed(document["name"], str, "name"),
                description=_typed(document.get("description", ""), str, "description"),
                kind=WorkKind[_typed(g["kind"], str, "kind").upper()],
                content=ContentDigest(_bytes32(c["sha256"]), _typed(c["cid"], str, "cid"), size),
                media_type=_typed(c["mediaType"], str, "mediaType"),
                prompt_commitment=_bytes32(g["promptCommitment"]),
                perceptual_hash=None
                if ph is None
                else PerceptualHash(
                    _typed(ph["algorithm"], str, "algorithm"),
                    _bytes32(ph["value"]),
                    _typed(ph.get("quality"), int | None, "quality"),
                ),
                model=_typed(g.get("model"), str | None, "model"),
                tool=_typed(g.get("tool"), str | None, "tool"),
                parents=tuple(
                    ParentLink(_typed(p["assetId"], int, "assetId"), _typed(p["licenseId"], int, "licenseId"))
                    for p in _typed(g.get("parents", []), list, "parents")
                ),
                tags=tuple(_typed(tag, str, "tag") for tag in _typed(g.get("tags", []), list, "tags")),
                creator=_typed(g.get("creator"), str | None, "creator"),
                preview_cid=_preview(document),
                details=_typed(g.get("details", {}), dict, "details"),
                excerpt=_typed(_face(g).get("excerpt"), str | None, "excerpt"),
                card=_typed(_face(g).get("card"), dict | None, "card"),
                examples=tuple(
                    _typed(cid, str, "example cid")
                    for cid in _typed(_face(g).get("examples", []), list, "examples")
                ),
                made_with=made if isinstance(made := g.get("madeWith"), dict) else None,  # evidence only
                not_derived_from=tuple(
                    NotDerivedFrom(_typed(d["assetId"], int, "assetId"), _typed(d["reason"], str, "reason"))
                    for d in _typed(g.get("declaredNotDerivedFrom", []), list, "declaredNotDerivedFrom")
                ),
            )
        except FormatError:
            raise
        except (ContentError, KeyError, TypeError, ValueError, AttributeError) as exc:
            # ContentError: the fields' own checks (name, CIDs, tags, creator) refuse what was read
            raise FormatError(f"not Gen-IP work metadata: {exc!r}") from None

    def _attributes(self, kind: str) -> list[dict[str, Any]]:
        attributes: list[dict[str, Any]] = [{"trait_type": "Kind", "value": kind}]
        if self.model:
            attributes.append({"trait_type": "Model", "value": self.model})
        if self.tool:
            attributes.append({"trait_type": "Tool", "value": self.tool})
        attributes.append({"trait_type": "Digital source type", "value": "trainedAlgorithmicMedia"})
        if self.parents:
            attributes.append({"trait_type": "Derivative of", "value": len(self.parents)})
        attributes.extend({"trait_type": "Tag", "value": tag} for tag in self.tags)
        return attributes


def _typed(value: Any, kind: Any, name: str) -> Any:
    """`value` if it is an instance of `kind` (a type or a union), else `TypeError`. No field holds a boolean,
    so `true` is not taken for the integer 1."""
    if isinstance(value, bool) or not isinstance(value, kind):
        raise TypeError(f"{name} is a JSON {type(value).__name__}, not what Gen-IP metadata holds there")
    return value


def _bytes32(text: str) -> bytes:
    value = bytes.fromhex(_typed(text, str, "bytes32").removeprefix("0x"))
    if len(value) != 32:
        raise ValueError(f"expected 32 bytes, got {len(value)}")
    return value


def _face(g: dict[str, Any]) -> dict[str, Any]:
    face = g.get("preview") or {}
    return _typed(face, dict, "preview")  # type: ignore[no-any-return]


def _preview(document: dict[str, Any]) -> str | None:
    face = _face(document["genip"])
    if "cid" in face:
        return _typed(face["cid"], str | None, "preview cid")  # type: ignore[no-any-return]
    image = document.get("image")
    if document.get("animation_url") and isinstance(image, str) and image.startswith("ipfs://"):
        return image.removeprefix("ipfs://")
    return None
