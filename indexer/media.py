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

Rows are replaced per asset in one transaction with its status, so a crash never leaves half an asset's
hashes. Like the metadata step this is outside the chain data: a reorg that removes an asset removes its row,
and its old `match_hashes` rows stop joining it (they carry the content hash; see `MatchHash`).
"""

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Self

from sqlalchemy import Engine, delete, insert, or_, select, update

from genip.content.errors import ContentError
from genip.db import models
from genip.matching.errors import MatchingError
from genip.rules import ContentStatus
from genip.settings import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, Settings
from genip.storage import ContentStore, StorageError
from genip.storage.originals import Keyring, read_original
from indexer.content_fields import MetadataFiller
from indexer.provenance import ProvenanceFinder
from indexer.retries import Retries

if TYPE_CHECKING:  # numpy and Pillow load with the first image (see `_hash`)
    from genip.content.look import ImageLook

__all__ = ["MediaHasher", "content_step"]


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
        """Hashes the media of up to `batch` image assets; returns how many were looked at."""
        statuses = self._retries.statuses()
        a = models.Asset
        with self.engine.connect() as c:
            rows = c.execute(
                select(a.asset_id, a.media_cid, a.content_hash)
                .where(
                    a.chain_id == self.chain_id,
                    a.kind == "image",
                    a.metadata_status == ContentStatus.OK,
                    a.media_cid.is_not(None),
                    or_(*(a.media_status == s for s in statuses)),
                )
                .order_by(a.asset_id)
                .limit(self.batch)
            ).all()
        for asset_id, media_cid, content_hash in rows:
            self._look = None  # set by `_hash` once the image is decoded
            status, codes = self._hash(str(media_cid), content_hash)
            self._write(asset_id, content_hash, status, codes)
        return len(rows)

    def _hash(self, media_cid: str, content_hash: str) -> tuple[str, dict[str, bytes]]:
        try:
            data = read_original(self.engine, self.store, self.keyring, media_cid)
        except StorageError:  # OriginalsError included: not sealed (yet), or a key is missing
            return ContentStatus.MISSING, {}
        except ContentError:  # a malformed CID in the metadata: nothing to fetch, ever
            return ContentStatus.INVALID, {}
        if "0x" + hashlib.sha256(data).hexdigest() != content_hash:
            return ContentStatus.MISMATCH, {}
        # The image stack (Pillow, numpy, PDQ, OpenCV) loads with the first image, not with the indexer: a
        # caught-up `genip index --once` must start at once.
        from genip.content.fingerprint import pdq_fingerprint
        from genip.matching.features import extract
        from genip.matching.normalize import load_image
        from genip.matching.perceptual import phash256
        from genip.matching.thumbnails import thumbnail

        try:
            image = load_image(data, max_bytes=self.max_bytes, max_pixels=self.max_pixels)
        except MatchingError:
            return ContentStatus.INVALID, {}
        from genip.content.look import image_look

        self._look = image_look(image, data)  # the shop's filters: orientation, size, dominant colour
        if pdq_fingerprint(image).quality < self.min_quality:
            return ContentStatus.INVALID, {}
        codes = {"phash": phash256(image), "thumb": thumbnail(image)}
        features = extract(image)
        if len(features) >= 4:  # fewer cannot fix a transform: nothing for the crop stage
            codes["orb"] = features.to_bytes()
        return ContentStatus.OK, codes

    def _write(self, asset_id: int, content_hash: str, status: str, codes: dict[str, bytes]) -> None:
        a, m = models.Asset, models.MatchHash
        with self.engine.begin() as c:
            c.execute(delete(m).where(m.chain_id == self.chain_id, m.asset_id == asset_id))
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
            c.execute(
                update(a)
                .where(a.chain_id == self.chain_id, a.asset_id == asset_id, a.content_hash == content_hash)
                .values(media_status=status, **_look_values(self._look))
            )


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
