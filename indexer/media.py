"""Computes match hashes from image assets' media: the matching engine's off-chain second opinion.

The chain commits to a work's PDQ hash (`perceptualHash`) and to the sha256 of its bytes (`contentHash`); the
bytes themselves live sealed in the content store (`genip.storage.originals`: ciphertext only, the envelope
found by the media CID the metadata names, opened with the service keys). After the metadata step has filled
`media_cid`, this step reads the media of a bounded number of image assets through `read_original` (which
decrypts and checks them against the CID), checks the bytes' sha256 against the certificate's content hash (so
a hash here always describes the registered work, whatever the metadata claims), decodes them with the same
safe loader uploads go through, and stores pHash-256 (`genip.matching.perceptual.phash256`, kind `phash`), its
16x16 grey thumbnail (`genip.matching.thumbnails`, kind `thumb`, for the thumbnail stage) and its ORB
keypoints (`genip.matching.features`, kind `orb`, for the crop stage) in `match_hashes`. Status per asset
(`assets.media_status`):

* `pending` — not read yet (or its metadata is not filled yet);
* `ok` — hashed;
* `missing` — the media is not in the store (yet), not sealed yet, or no configured service key opens its
  envelope: retried after `retry_seconds`;
* `mismatch` — the bytes are not the registered work's (sha256 differs from the certificate): not hashed;
* `invalid` — not a decodable image within the size limits, or too flat to hash (PDQ quality below the
  engine's floor, where hashes of unrelated flat pictures collide).

What the file itself says (`file_facts`, issue #21). From the same verified bytes the step also derives what
must not be taken from the registrant's word:

* images: `genip.content.made_with.read_made_with` (C2PA signer, signature validity, whether the hard
  binding matches; A1111/ComfyUI tools and resources; never a prompt's text), stored as JSON for every image
  whose bytes match the certificate, decodable or not. The API shows these instead of the metadata's
  `genip.madeWith` claims (`api.made_with`). Cost, measured: 0.2-0.7 ms for a 200-400 KB PNG without
  credentials, 3.7 ms for a C2PA-signed 210 KB JPEG (signature and binding verified), beside 10-45 ms of
  hashing the same image;
* safetensors models (model-kind works, at most `model_batch` per call, files up to `max_model_bytes`):
  A1111's addnet hash, the sha256 of the file after its 8-byte length and JSON header, which
  `genip.resources` matches `Lora hashes` against. The original is streamed (`open_original`), never held
  whole: the whole file's sha256 (checked against the certificate) and the addnet hash are computed in one
  pass; only the header is buffered (at most the safetensors reader's `MAX_HEADER_BYTES`), then checked by
  that reader (`parse_header`). A model that is not a safetensors file (a `.ckpt`, anything else: seen from
  its first bytes, the rest left unread) or is larger than the limit is `invalid` here: nothing is derived,
  and its AutoV2 hash (a prefix of the certificate's sha256) still matches.

Rows are replaced per asset in one transaction with its status, so a crash never leaves half an asset's
hashes. Like the metadata step this is outside the chain data: a reorg that removes an asset removes its row,
and its old `match_hashes` and `file_facts` rows stop joining it (they carry the content hash; see
`MatchHash`, `FileFacts`); re-registered, the id is `pending` again and its rows are replaced.
"""

import hashlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final, Self

from sqlalchemy import Engine, delete, insert, or_, select, update

from genip.content.cid import parse_cid
from genip.content.errors import ContentError, FormatError
from genip.content.formats.safetensors import MAX_HEADER_BYTES, parse_header
from genip.db import models
from genip.matching.errors import MatchingError
from genip.rules import ContentStatus
from genip.settings import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, Settings
from genip.storage import ContentStore, StorageError
from genip.storage.originals import Keyring, envelope_of, open_original, read_original
from indexer.content_fields import MetadataFiller
from indexer.provenance import ProvenanceFinder
from indexer.retries import Retries

if TYPE_CHECKING:  # numpy and Pillow load with the first image (see `_hash`)
    from genip.content.look import ImageLook

__all__ = ["DEFAULT_MAX_MODEL_BYTES", "MediaHasher", "addnet_hash", "content_step"]

#: Largest model file whose addnet hash is computed (LoRAs are 10 MB-2 GB; a checkpoint beyond this is
#: matched by its AutoV2 hash, a prefix of the certificate's sha256, which is what A1111 writes for it).
DEFAULT_MAX_MODEL_BYTES: Final = 4 * 1024**3


def content_step(
    engine: Engine, chain_id: int, store: ContentStore, settings: Settings
) -> Callable[[], None]:
    """What runs after each indexing step: metadata of new assets, match hashes from their media, then
    which of them are possible copies (`indexer.provenance`)."""
    metadata = MetadataFiller(engine, chain_id, store)
    media = MediaHasher.from_settings(engine, chain_id, store, settings)  # creates the key file if absent
    provenance = ProvenanceFinder(engine, chain_id, settings)

    def fill() -> None:
        metadata.fill()
        media.fill()
        provenance.fill()

    return fill


class MediaHasher:
    def __init__(
        self,
        engine: Engine,
        chain_id: int,
        store: ContentStore,
        *,
        keyring: Keyring,
        batch: int = 50,
        model_batch: int = 4,
        max_model_bytes: int = DEFAULT_MAX_MODEL_BYTES,
        retry_seconds: float = 60,
        min_quality: int = 70,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_pixels: int = DEFAULT_MAX_PIXELS,
    ) -> None:
        self.engine = engine
        self.chain_id = chain_id
        self.store = store
        self.keyring = keyring
        self.batch = batch
        self.model_batch = model_batch
        self.max_model_bytes = max_model_bytes
        self.min_quality = min_quality
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        self._retries = Retries(retry_seconds)
        self._look: ImageLook | None = None

    @classmethod
    def from_settings(cls, engine: Engine, chain_id: int, store: ContentStore, settings: Settings) -> Self:
        """A hasher with the service keys, the matching engine's limits and quality floor from `settings`."""
        return cls(
            engine,
            chain_id,
            store,
            keyring=Keyring.from_settings(settings),
            min_quality=settings.match_min_quality,
            max_bytes=settings.match_max_bytes,
            max_pixels=settings.match_max_pixels,
        )

    def fill(self) -> int:
        """Hashes the media of up to `batch` image assets and reads up to `model_batch` model assets;
        returns how many were looked at."""
        statuses = self._retries.statuses()
        images = self._due("image", statuses, self.batch)
        for asset_id, media_cid, content_hash in images:
            self._look = None  # set by `_hash` once the image is decoded
            status, codes, made_with = self._hash(str(media_cid), content_hash)
            self._write(asset_id, content_hash, status, codes, {"made_with": made_with})
        models_ = self._due("model", statuses, self.model_batch)
        for asset_id, media_cid, content_hash in models_:
            self._look = None
            status, addnet = self._model(str(media_cid), content_hash)
            self._write(asset_id, content_hash, status, {}, {"addnet_hash": addnet})
        return len(images) + len(models_)

    def _due(self, kind: str, statuses: list[str], limit: int) -> list[Any]:
        """(asset id, media CID, content hash) of up to `limit` `kind` assets to read now."""
        a = models.Asset
        with self.engine.connect() as c:
            return list(
                c.execute(
                    select(a.asset_id, a.media_cid, a.content_hash)
                    .where(
                        a.chain_id == self.chain_id,
                        a.kind == kind,
                        a.metadata_status == ContentStatus.OK,
                        a.media_cid.is_not(None),
                        or_(*(a.media_status == s for s in statuses)),
                    )
                    .order_by(a.asset_id)
                    .limit(limit)
                ).all()
            )

    def _hash(self, media_cid: str, content_hash: str) -> tuple[str, dict[str, bytes], dict[str, Any] | None]:
        """(status, match hashes by kind, the made-with facts of the verified bytes or None)."""
        try:
            data = read_original(self.engine, self.store, self.keyring, media_cid)
        except StorageError:  # OriginalsError included: not sealed (yet), or a key is missing
            return ContentStatus.MISSING, {}, None
        except ContentError:  # a malformed CID in the metadata: nothing to fetch, ever
            return ContentStatus.INVALID, {}, None
        if "0x" + hashlib.sha256(data).hexdigest() != content_hash:
            return ContentStatus.MISMATCH, {}, None
        # The image stack (Pillow, numpy, PDQ, OpenCV, c2pa) loads with the first image, not with the indexer:
        # a caught-up `genip index --once` must start at once.
        from genip.content.fingerprint import pdq_fingerprint
        from genip.content.made_with import read_made_with
        from genip.matching.features import extract
        from genip.matching.normalize import load_image
        from genip.matching.perceptual import phash256
        from genip.matching.thumbnails import thumbnail

        made_with = read_made_with(data).to_json()  # bounded, never raises on hostile bytes
        try:
            image = load_image(data, max_bytes=self.max_bytes, max_pixels=self.max_pixels)
        except MatchingError:
            return ContentStatus.INVALID, {}, made_with
        from genip.content.look import image_look

        self._look = image_look(image, data)  # the shop's filters: orientation, size, dominant colour
        if pdq_fingerprint(image).quality < self.min_quality:
            return ContentStatus.INVALID, {}, made_with
        codes = {"phash": phash256(image), "thumb": thumbnail(image)}
        features = extract(image)
        if len(features) >= 4:  # fewer cannot fix a transform: nothing for the crop stage
            codes["orb"] = features.to_bytes()
        return ContentStatus.OK, codes, made_with

    def _model(self, media_cid: str, content_hash: str) -> tuple[str, str | None]:
        """(status, addnet hash or None) of a model asset's original, streamed (see the module)."""
        try:
            parse_cid(media_cid)
            envelope = envelope_of(self.engine, media_cid)
            if envelope is None:
                return ContentStatus.MISSING, None  # not sealed (yet)
            if envelope.size > self.max_model_bytes:
                return ContentStatus.INVALID, None
            blocks = open_original(self.engine, self.store, self.keyring, media_cid)
            whole, addnet = addnet_hash(blocks, size=envelope.size)
        except StorageError:
            return ContentStatus.MISSING, None
        except ContentError:
            return ContentStatus.INVALID, None
        if whole is not None and "0x" + whole != content_hash:
            return ContentStatus.MISMATCH, None
        if addnet is None:
            return ContentStatus.INVALID, None
        return ContentStatus.OK, addnet

    def _write(
        self,
        asset_id: int,
        content_hash: str,
        status: str,
        codes: dict[str, bytes],
        facts: dict[str, Any],
    ) -> None:
        a, m, f = models.Asset, models.MatchHash, models.FileFacts
        with self.engine.begin() as c:
            c.execute(delete(m).where(m.chain_id == self.chain_id, m.asset_id == asset_id))
            c.execute(delete(f).where(f.chain_id == self.chain_id, f.asset_id == asset_id))
            if codes:
                c.execute(
                    insert(m),
                    [
                        {
                            "chain_id": self.chain_id,
                            "asset_id": asset_id,
                            "content_hash": content_hash,
                            "kind": kind,
                            "code": code,
                        }
                        for kind, code in codes.items()
                    ],
                )
            if any(value is not None for value in facts.values()):
                c.execute(
                    insert(f).values(
                        chain_id=self.chain_id, asset_id=asset_id, content_hash=content_hash, **facts
                    )
                )
            c.execute(
                update(a)
                .where(a.chain_id == self.chain_id, a.asset_id == asset_id, a.content_hash == content_hash)
                .values(media_status=status, **_look_values(self._look))
            )


def addnet_hash(
    blocks: Iterator[bytes], *, size: int, max_header_bytes: int = MAX_HEADER_BYTES
) -> tuple[str | None, str | None]:
    """(sha256 of the whole stream, A1111's addnet hash) of a `size`-byte safetensors file streamed as
    `blocks`, both hex; the addnet hash is None when the bytes are not a safetensors file (its header checked
    by `genip.content.formats.safetensors.parse_header`). A stream that shows it is not one from its first
    bytes is left unread (closed): the whole hash is then None too. Only the header is buffered."""
    whole, rest = hashlib.sha256(), hashlib.sha256()
    head = bytearray()  # the 8-byte length, then the header
    start: int | None = None  # where the tensor data begins (8 + header length)
    opened = False  # the header's first non-space byte was seen (and is "{")
    try:
        for block in blocks:
            whole.update(block)
            view = memoryview(block)
            while view:
                wanted = 8 if start is None else start
                if len(head) < wanted:
                    taken = wanted - len(head)
                    head += view[:taken]
                    view = view[taken:]
                    if start is None and len(head) == 8:
                        length = int.from_bytes(head, "little")
                        if length > max_header_bytes or 8 + length > size:
                            return None, None
                        start = 8 + length
                    if not opened and len(head) > 8:  # its first bytes: a JSON object or not?
                        first = bytes(head[8:72]).lstrip(b" ")[:1]
                        if first and first != b"{":
                            return None, None
                        opened = first == b"{"
                    continue
                rest.update(view)
                break
    finally:
        close = getattr(blocks, "close", None)
        if close is not None:
            close()  # a generator left early releases the sealed file now
    if start is None or len(head) < start:
        return whole.hexdigest(), None
    try:
        parse_header(bytes(head[8:]), data_size=size - start, name="the original")
    except (FormatError, ValueError, RecursionError):
        return whole.hexdigest(), None
    return whole.hexdigest(), rest.hexdigest()


def _look_values(look: "ImageLook | None") -> dict[str, object]:
    """The asset row's look columns (all null when the image could not be decoded)."""
    if look is None:
        return dict.fromkeys(("image_width", "image_height", "orientation", "size_class", "colour"))
    return {
        "image_width": look.width,
        "image_height": look.height,
        "orientation": look.orientation.value,
        "size_class": look.size_class.value,
        "colour": look.colour,
    }
