"""Robustness of image matching: recall per transform and false-positive rate, PDQ-256, pHash-256 and the
engine's rule (either hash within its distance).

Usage: `python scripts/bench_match_robustness.py [--quick] [--threshold T] [--phash-threshold T]
[--verdict-works N] [--verdicts-only]` (`--verdicts-only`: the verdict section alone, about a minute for
every work; the JSON line then holds the thresholds and `verdicts`).

**Works** ("registered" images): every image scikit-image ships offline (`skimage.data`; identical arrays
such as `cat`/`chelsea` counted once, the right view of `stereo_motorcycle` dropped), plus the tiles of a 2x2
grid over each (and of a 3x3 grid in the full run), so recall is measured over a few hundred works rather
than two dozen. Flat works (PDQ quality below the engine's floor, `GENIP_MATCH_MIN_QUALITY`, default 70)
are refused by the engine and left out of both figures; `--min-quality 50` shows what Meta's floor of 50
would give.

**Recall**: each work goes through the transform set (JPEG q50/75/95, resize 25/50/200 %, centred crop
5/10/20 % of width and height, rotation 90/180 and flips, rotation 2/5 degrees, brightness, contrast, gamma,
blur, text overlay, logo overlay, greyscale, 10 % white padding); a transformed copy is recalled when its hash
is within the threshold of the work's hash for one of the work's 8 rotations/flips (the engine queries the 8
variants of the upload; comparing against the 8 variants of the work is the same set of distances and
hashes each work 8 times instead of each of the many transformed copies).

**False positives**: every pair of works from *different* source images, at the same min-over-8-variants
distance, plus the 200 small `lfw_subset` patches (faces and non-faces) upscaled as further distinct works.
Tiles of the same source are not counted (a tile of a checkerboard is the next tile). With no false positive
over N pairs the rule of three bounds the rate below 3/N at 95 % confidence, which is how far it can be
measured with offline data; the table says which.

**Engine**: the matching engine's rule — a copy matches when its PDQ hash is within `--threshold` (default
`GENIP_MATCH_DISTANCE`), *or* its pHash-256 is within `--phash-threshold` (default
`GENIP_MATCH_PHASH_DISTANCE`) of the work's, *or* its 16x16 grey thumbnail correlates with the work's, or
with one of the work's centre views (`genip.matching.thumbnails.zoomed`, for centred crops), at
`--thumbnail-correlation` or more (default `GENIP_MATCH_THUMBNAIL_CORRELATION`), *or* the crop stage
(`genip.matching.features`: ORB keypoints, ratio test, RANSAC similarity) finds at least `MIN_INLIERS`
inliers against the work's keypoints; its false positives are the distinct pairs where any of the four does
(the crop stage is tried both ways). The goals are judged on the engine's rule.

**Verdicts** (issue #17; JSON key `verdicts`): does the verdict name the right work when other creators have
registered near-duplicates of it? A real SQLite registry in a temporary directory, built the way the indexer
leaves it (asset rows with the on-chain PDQ, the media step's pHash, thumbnail and keypoints, licences,
`ancestors`), then the indexer's provenance step (`indexer.provenance`). Per work (the sources in `--quick`,
every work otherwise; `--verdict-works N` caps it; one chain per tile position, so the works of a chain come
from distinct sources): its original by one creator, 1-3 near-duplicates registered later by other creators
(`COPY_TRANSFORMS`), for the derivative scenario and every other group of works a derivative registered under
a licence by another creator (a caption, a tint or a logo; before or after the copies), and a brand account
whose standard licence (commercial use) rotates over four scenarios: on the original, on the derivative, on a
copy only, or none. The brand's uploads (`UPLOAD_TRANSFORMS` of the original; of the derivative in its
scenario) go through what `genip match` does (`MatchEngine.match` → `provenance.cluster` → `verdict.weigh`,
use `commercial`) and are judged against the expected verdict and the work it rests on: licensed on the
original; licensed on the derivative; unlicensed on the original (copy only, or none). The same candidates
are judged by the old rule (`old_rule_verdict`: the first candidate alone) as the baseline. Uploads nothing
matched are recall misses (the tables above), counted apart.

Prints rich tables (recall per transform for both hashes and the engine at the thresholds, the distance
sweep, the verdicts per scenario and every wrong verdict), then one JSON line with the figures; progress bars
go to stderr.
"""

import argparse
import hashlib
import io
import json
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import skimage.data
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, track
from rich.table import Table
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from genip.content.fingerprint import pdq_dihedral, pdq_fingerprint, prepare_image
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.db.models import Ancestor, Asset, License, MatchHash, Provenance
from genip.matching.engine import Candidate, MatchConfig, MatchEngine
from genip.matching.errors import MatchingError
from genip.matching.features import MIN_INLIERS, extract, verify
from genip.matching.normalize import load_image
from genip.matching.perceptual import DIHEDRAL, phash256, phash_dihedral
from genip.matching.provenance import cluster
from genip.matching.status import database_status_lookup
from genip.matching.thumbnails import THUMB_SIDE, thumbnail, thumbnail_variants, unit_vectors, zoomed
from genip.matching.verdict import Decision, LicenceStatusLookup, Verdict, weigh
from genip.settings import Settings
from indexer.provenance import ProvenanceFinder

SOURCES = [
    "astronaut",
    "brick",
    "camera",
    "cat",
    "checkerboard",
    "chelsea",
    "clock",
    "coffee",
    "coins",
    "colorwheel",
    "grass",
    "gravel",
    "horse",
    "hubble_deep_field",
    "immunohistochemistry",
    "logo",
    "microaneurysms",
    "moon",
    "page",
    "retina",
    "rocket",
    "shepp_logan_phantom",
    "text",
    "binary_blobs",
    "cell",
    "stereo_motorcycle",
    "eagle",
    "human_mitosis",
    "lily",
    "kidney",
    "skin",
    "vortex",
]
#: The transform families the goals name (≥ 99 % recall), and the crop goal (≥ 90 %).
GOAL_FAMILIES = ("jpeg", "resize", "blur", "colour")


@dataclass
class Work:
    name: str
    source: str
    image: Image.Image


def _rgb(array: npt.NDArray[np.generic]) -> Image.Image:
    if array.dtype == bool:
        array = array.astype(np.uint8) * 255
    elif array.dtype != np.uint8:
        lo, hi = float(array.min()), float(array.max())
        array = ((array - lo) / (hi - lo or 1.0) * 255).astype(np.uint8)
    return prepare_image(Image.fromarray(array))


def load_sources() -> dict[str, Image.Image]:
    images: dict[str, Image.Image] = {}
    seen: set[bytes] = set()
    for name in SOURCES:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                data = getattr(skimage.data, name)()
        except KeyboardInterrupt:
            raise
        except BaseException:  # not shipped offline (needs pooch + a download; under pytest: a skip)
            continue
        if isinstance(data, tuple):
            data = data[0]
        digest = np.ascontiguousarray(data).tobytes()[:1_000_000]
        if digest in seen:
            continue
        seen.add(digest)
        images[name] = _rgb(data)
    return images


def tiles(name: str, image: Image.Image, grid: int) -> list[Work]:
    w, h = image.size
    out = []
    for i in range(grid):
        for j in range(grid):
            box = (i * w // grid, j * h // grid, (i + 1) * w // grid, (j + 1) * h // grid)
            out.append(Work(f"{name}[{grid}x{grid}:{i},{j}]", name, image.crop(box)))
    return out


def lfw_works() -> list[Work]:
    patches = skimage.data.lfw_subset()
    return [
        Work(f"lfw[{k}]", f"lfw[{k}]", _rgb(p).resize((200, 200), Image.Resampling.BICUBIC))
        for k, p in enumerate(patches)
    ]


# ─────────────────────────────── transforms ───────────────────────────────


def _jpeg(q: int) -> Callable[[Image.Image], Image.Image]:
    def f(im: Image.Image) -> Image.Image:
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=q)
        return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")

    return f


def _resize(scale: float) -> Callable[[Image.Image], Image.Image]:
    def f(im: Image.Image) -> Image.Image:
        w, h = im.size
        return im.resize((max(8, round(w * scale)), max(8, round(h * scale))), Image.Resampling.BILINEAR)

    return f


def _crop(fraction: float) -> Callable[[Image.Image], Image.Image]:
    def f(im: Image.Image) -> Image.Image:
        w, h = im.size
        dx, dy = round(w * fraction / 2), round(h * fraction / 2)
        return im.crop((dx, dy, w - dx, h - dy))

    return f


def _rotate(degrees: float) -> Callable[[Image.Image], Image.Image]:
    return lambda im: im.rotate(degrees, Image.Resampling.BICUBIC, expand=False, fillcolor=(255, 255, 255))


def _gamma(g: float) -> Callable[[Image.Image], Image.Image]:
    table = [round(255 * (i / 255) ** g) for i in range(256)] * 3
    return lambda im: im.point(table)


def _text(im: Image.Image) -> Image.Image:
    out = im.copy()
    w, h = out.size
    size = max(10, h // 12)
    try:
        font: ImageFont.FreeTypeFont | ImageFont.ImageFont = ImageFont.load_default(size)
    except TypeError:
        font = ImageFont.load_default()
    ImageDraw.Draw(out).text((w // 20, h - 2 * size), "© Gen-IP sample 2026", fill=(255, 255, 0), font=font)
    return out


_LOGO = prepare_image(Image.fromarray(skimage.data.logo()))


def _logo(im: Image.Image) -> Image.Image:
    out = im.copy()
    w, h = out.size
    side = max(8, min(w, h) // 5)
    out.paste(_LOGO.resize((side, side)), (w - side - w // 40, h // 40))
    return out


def _pad(im: Image.Image) -> Image.Image:
    w, h = im.size
    return ImageOps.expand(im, border=(round(w * 0.05), round(h * 0.05)), fill=(255, 255, 255))


TRANSFORMS: dict[str, tuple[str, Callable[[Image.Image], Image.Image]]] = {
    "jpeg q50": ("jpeg", _jpeg(50)),
    "jpeg q75": ("jpeg", _jpeg(75)),
    "jpeg q95": ("jpeg", _jpeg(95)),
    "resize 25%": ("resize", _resize(0.25)),
    "resize 50%": ("resize", _resize(0.5)),
    "resize 200%": ("resize", _resize(2.0)),
    "crop 5%": ("crop5", _crop(0.05)),
    "crop 10%": ("crop10", _crop(0.10)),
    "crop 20%": ("crop20", _crop(0.20)),
    "rotate 90": ("dihedral", lambda im: im.transpose(Image.Transpose.ROTATE_90)),
    "rotate 180": ("dihedral", lambda im: im.transpose(Image.Transpose.ROTATE_180)),
    "flip horizontal": ("dihedral", lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT)),
    "flip vertical": ("dihedral", lambda im: im.transpose(Image.Transpose.FLIP_TOP_BOTTOM)),
    "rotate 2°": ("small rotation", _rotate(2)),
    "rotate 5°": ("small rotation", _rotate(5)),
    "brightness +30%": ("colour", lambda im: ImageEnhance.Brightness(im).enhance(1.3)),
    "brightness -30%": ("colour", lambda im: ImageEnhance.Brightness(im).enhance(0.7)),
    "contrast -30%": ("colour", lambda im: ImageEnhance.Contrast(im).enhance(0.7)),
    "contrast +30%": ("colour", lambda im: ImageEnhance.Contrast(im).enhance(1.3)),
    "gamma 0.7": ("colour", _gamma(0.7)),
    "gamma 1.4": ("colour", _gamma(1.4)),
    "greyscale": ("colour", lambda im: im.convert("L").convert("RGB")),
    "blur r=1": ("blur", lambda im: im.filter(ImageFilter.GaussianBlur(1))),
    "blur r=2": ("blur", lambda im: im.filter(ImageFilter.GaussianBlur(2))),
    "text overlay": ("overlay", _text),
    "logo overlay": ("overlay", _logo),
    "padding 10%": ("padding", _pad),
}


# ─────────────────────────────── verdicts ───────────────────────────────
#
# The verdict over every candidate (`genip.matching.verdict.weigh`) on a real SQLite registry: originals,
# near-duplicates registered later by other creators, registered derivatives, a brand's licences, the
# indexer's provenance step, then uploads matched and judged as `genip match` does (match → cluster → weigh).

#: Licence scenarios, rotated over the works: the brand holds a standard (commercial) licence on the original,
#: on a registered derivative (and uploads the derivative), on one of the copies only, or nothing.
SCENARIOS = ("original", "derivative", "copy", "none")
#: Near-duplicates other creators register (1-3 per work, rotated): transforms the engine matches.
COPY_TRANSFORMS = ("resize 50%", "jpeg q75", "crop 5%", "brightness +30%", "contrast -30%", "gamma 0.7")
#: What the brand posts: transforms of the original (of the derivative in the derivative scenario).
UPLOAD_TRANSFORMS = ("jpeg q75", "resize 50%", "crop 5%", "brightness +30%")
CREATOR = "0x" + "a1" * 20  # registers every original
COPIERS = ("0x" + "b1" * 20, "0x" + "c1" * 20, "0x" + "d1" * 20)  # register the near-duplicates
DERIVER = "0x" + "e1" * 20  # registers derivatives under an extended licence on the original
BRAND = "0x" + "f1" * 20  # the account whose uploads are judged
ZERO_ADDRESS = "0x" + "00" * 20


def _tint(im: Image.Image) -> Image.Image:
    return Image.blend(im, Image.new("RGB", im.size, (255, 120, 0)), 0.25)


#: A derivative's visible edit (rotated).
DERIVATIVE_EDITS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "caption": _text,
    "tint": _tint,
    "logo": _logo,
}


@dataclass(frozen=True)
class VerdictPlan:
    """One work of the verdict benchmark: what is registered around it and what the brand holds."""

    work: Work
    chain_id: int  # one chain per tile position: the works on a chain come from distinct sources
    scenario: str
    copies: tuple[str, ...]  # transforms registered as near-duplicates, in registration order
    licensed_copy: int | None  # scenario "copy": which copy the brand's licence is on
    derivative: str | None  # the derivative's edit, when one is registered
    derivative_late: bool  # registered after the copies (else between the original and the copies)


@dataclass(frozen=True)
class VerdictCase:
    """One upload: the verdict expected, the new rule's and the old rule's, each as (verdict, the asset it
    rests on); `new` is ("no match", None) when the engine matched nothing (a recall miss, not a verdict)."""

    work: str
    scenario: str
    upload: str
    expected: tuple[str, int]
    new: tuple[str, int | None]
    old: tuple[str, int | None]
    candidates: str = ""  # the weighed candidates (or why nothing matched), for the list of wrong cases
    why: str = ""  # what went wrong, when the new rule is wrong

    @property
    def matched(self) -> bool:
        return self.new[0] != NO_MATCH

    @property
    def new_correct(self) -> bool:
        return self.new == self.expected

    @property
    def old_correct(self) -> bool:
        return self.old == self.expected

    @property
    def old_verdict_correct(self) -> bool:
        return self.old[0] == self.expected[0]


NO_MATCH = "no match"


def verdict_plans(works: list[Work], limit: int | None = None) -> list[VerdictPlan]:
    """The works' plans, sources first, then each tile position (one chain per position, so the works of a
    chain come from distinct sources); scenarios, copy counts (1-3), copy transforms, derivative edits and
    whether the derivative comes before or after the copies rotate over them."""
    position: dict[str, int] = {}
    placed: list[tuple[int, int, Work]] = []
    for order, work in enumerate(works):
        placed.append((position.get(work.source, 0), order, work))
        position[work.source] = position.get(work.source, 0) + 1
    plans: list[VerdictPlan] = []
    for k, (chain, _order, work) in enumerate(sorted(placed, key=lambda p: p[:2])[:limit]):
        scenario = SCENARIOS[k % len(SCENARIOS)]
        turn = k // len(SCENARIOS)
        copies = tuple(COPY_TRANSFORMS[(k + j) % len(COPY_TRANSFORMS)] for j in range(1 + turn % 3))
        edits = list(DERIVATIVE_EDITS)
        derivative = edits[turn % len(edits)] if scenario == "derivative" or turn % 2 == 1 else None
        plans.append(
            VerdictPlan(
                work=work,
                chain_id=1 + chain,
                scenario=scenario,
                copies=copies,
                licensed_copy=turn % len(copies) if scenario == "copy" else None,
                derivative=derivative,
                derivative_late=derivative is not None and (turn // 2) % 2 == 1,
            )
        )
    return plans


def old_rule_verdict(
    candidates: list[Candidate], *, account: str, lookup: LicenceStatusLookup, use: str
) -> tuple[str, int | None]:
    """THE OLD RULE (before #17), kept as the baseline: the verdict of the first candidate alone — licensed
    iff the account holds a licence on `candidates[0]`, else unlicensed, resting on it."""
    if not candidates:
        return NO_MATCH, None
    first = candidates[0]
    status = lookup(chain_id=first.chain_id, asset_id=first.asset_id, account=account, use=use)
    return (Verdict.LICENSED if status.licensed else Verdict.UNLICENSED).value, first.asset_id


def _png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def _upload_bytes(im: Image.Image) -> bytes:
    """As posted on a platform: JPEG q90."""
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


@dataclass
class _Chain:
    """The rows of one chain, added work by work in registration order (asset ids follow blocks)."""

    chain_id: int
    assets: list[Asset] = field(default_factory=list)
    hashes: list[MatchHash] = field(default_factory=list)
    licences: list[License] = field(default_factory=list)
    ancestors: list[Ancestor] = field(default_factory=list)

    def register(
        self, image: Image.Image, creator: str, block: int, settings: Settings, *, derivative: bool = False
    ) -> int:
        """An indexed image asset whose media step ran: the on-chain PDQ registration computes and the codes
        the media step stores (`indexer.media.MediaHasher`; a work below the quality floor gets none)."""
        asset_id = len(self.assets) + 1
        data = _png(image)
        content_hash = "0x" + hashlib.sha256(data).hexdigest()
        decoded = load_image(data, max_bytes=settings.match_max_bytes, max_pixels=settings.match_max_pixels)
        fingerprint = pdq_fingerprint(decoded)
        status = "ok" if fingerprint.quality >= settings.match_min_quality else "invalid"
        self.assets.append(
            Asset(
                chain_id=self.chain_id,
                asset_id=asset_id,
                creator=creator,
                owner=creator,
                registrar=creator,
                kind="image",
                content_hash=content_hash,
                perceptual_hash="0x" + fingerprint.hex,
                prompt_commitment="0x" + "00" * 32,
                metadata_cid=f"bafy-meta-{self.chain_id}-{asset_id}",
                block_number=block,
                tx_hash="0x" + f"{self.chain_id:032x}{asset_id:032x}",
                registered_at=1_700_000_000 + 2 * block,
                is_derivative=derivative,
                depth=1 if derivative else 0,
                metadata_status="ok",
                media_cid=f"bafy-media-{self.chain_id}-{asset_id}",
                media_type="image/png",
                media_status=status,
            )
        )
        if status == "ok":
            codes = {"phash": phash256(decoded), "thumb": thumbnail(decoded)}
            features = extract(decoded)
            if len(features) >= 4:
                codes["orb"] = features.to_bytes()
            self.hashes += [
                MatchHash(
                    chain_id=self.chain_id, asset_id=asset_id, content_hash=content_hash, kind=kind, code=code
                )
                for kind, code in codes.items()
            ]
        return asset_id

    def licence(self, asset_id: int, holder: str, block: int, *, used_for: int | None = None) -> None:
        """A held, perpetual licence token: standard (commercial use), or extended and `used_for` a
        derivative."""
        license_id = len(self.licences) + 1
        self.licences.append(
            License(
                chain_id=self.chain_id,
                license_id=license_id,
                asset_id=asset_id,
                offer_id=1,
                holder=holder,
                buyer=holder,
                currency=ZERO_ADDRESS,
                price=10**16,
                expires_at=0,
                tier="standard" if used_for is None else "extended",
                commercial_use=True,
                derivatives_allowed=used_for is not None,
                transferable=True,
                rev_share_bps=0 if used_for is None else 1_000,
                used_for_derivative=used_for,
                block_number=block,
                tx_hash="0x" + f"{self.chain_id:032x}{license_id:032x}",
                purchased_at=1_700_000_000 + 2 * block,
            )
        )


@dataclass
class _Registered:
    """A plan's asset ids once registered, and the derivative's pixels (what its uploads are made from)."""

    plan: VerdictPlan
    original: int
    copies: list[int]
    derivative: int | None
    derivative_image: Image.Image | None

    def name(self, asset_id: int) -> str:
        """O (the original), C1.. (copies, in registration order), D (the derivative)."""
        if asset_id == self.original:
            return "O"
        if asset_id == self.derivative:
            return "D"
        return f"C{self.copies.index(asset_id) + 1}" if asset_id in self.copies else "?"


def _register_work(chain: _Chain, plan: VerdictPlan, base: int, settings: Settings) -> _Registered:
    """The original (block `base`), its derivative (before or after the copies, under an extended licence,
    with its `ancestors` row), its copies, and the brand's licence."""
    image = plan.work.image
    original = chain.register(image, CREATOR, base, settings)
    edited = DERIVATIVE_EDITS[plan.derivative](image) if plan.derivative is not None else None
    derivative: int | None = None

    def derive(edit: Image.Image, block: int) -> int:
        chain.licence(original, DERIVER, block, used_for=len(chain.assets) + 1)
        asset_id = chain.register(edit, DERIVER, block, settings, derivative=True)
        chain.ancestors.append(
            Ancestor(chain_id=chain.chain_id, asset_id=asset_id, ancestor_id=original, share_bps=1_000)
        )
        return asset_id

    if edited is not None and not plan.derivative_late:
        derivative = derive(edited, base + 1)
    copies = [
        chain.register(TRANSFORMS[t][1](image), COPIERS[j], base + 2 + j, settings)
        for j, t in enumerate(plan.copies)
    ]
    if edited is not None and plan.derivative_late:
        derivative = derive(edited, base + 10)
    held = {
        "original": original,
        "derivative": derivative,
        "copy": None if plan.licensed_copy is None else copies[plan.licensed_copy],
    }.get(plan.scenario)
    if held is not None:
        chain.licence(held, BRAND, base + 20)
    return _Registered(plan, original, copies, derivative, edited)


def _expected(r: _Registered) -> tuple[str, int]:
    """Licence on the original: licensed on it; on the derivative (uploading the derivative): licensed on
    the derivative; on a copy only, or none: unlicensed, resting on the original."""
    if r.plan.scenario == "original":
        return Verdict.LICENSED.value, r.original
    if r.plan.scenario == "derivative":
        assert r.derivative is not None
        return Verdict.LICENSED.value, r.derivative
    return Verdict.UNLICENSED.value, r.original


def _weighed(decision: Decision, r: _Registered) -> str:
    """The candidates as the verdict weighed them, each named as in the plan."""
    parts = []
    for w in decision.weighed:
        role = f"copy of {r.name(w.copy_of)}" if w.copy_of is not None else w.role.value
        held = ", licensed" if w.licensed else ""
        parts.append(f"{r.name(w.asset_id)} #{w.asset_id} {role} ({w.candidate.method}{held})")
    return "; ".join(parts)


#: Why the new rule gave a wrong verdict (`_why`), as the list of wrong cases names it.
CAUSES = {
    "derivative recorded as a copy": "the derivative, registered after a copy of its ancestor, was recorded "
    "as a possible copy of that copy, so the licence on it does not count",
    "derivative not matched": "the upload of the derivative matched its original or copies, not the "
    "derivative itself",
    "rests on the derivative": "an upload of the original rests on a derivative that matched it first (or "
    "alone): the rule follows copies to their original, not derivatives to their ancestor",
    "copy not recorded": "a copy the provenance step did not record as a copy counts as an original",
    "other": "none of the above",
}


def _why(decision: Decision, r: _Registered) -> str:
    """What led the new rule astray (a key of `CAUSES`), in terms of what was registered."""
    weighed = {w.asset_id: w for w in decision.weighed}
    derivative = weighed.get(r.derivative) if r.derivative is not None else None
    rests = None if decision.rests_on is None else decision.rests_on.asset_id
    if derivative is not None and derivative.copy_of is not None:
        return "derivative recorded as a copy"
    if r.plan.scenario == "derivative" and derivative is None:
        return "derivative not matched"
    if rests is not None and rests == r.derivative:
        return "rests on the derivative"
    if any(c in weighed and weighed[c].copy_of is None for c in r.copies):
        return "copy not recorded"
    return "other"


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def _judge(
    r: _Registered, upload: str, matcher: MatchEngine, db: Engine, lookup: LicenceStatusLookup
) -> VerdictCase:
    """One upload of the brand, matched and judged as `genip match` does, and by the old rule."""
    plan = r.plan
    source = r.derivative_image if plan.scenario == "derivative" else plan.work.image
    assert source is not None
    expected = _expected(r)
    try:
        candidates = matcher.match(_upload_bytes(TRANSFORMS[upload][1](source)), refresh=False)
    except MatchingError as exc:  # refused (too flat): a recall miss like no match
        missed = (NO_MATCH, None)
        return VerdictCase(plan.work.name, plan.scenario, upload, expected, missed, missed, str(exc))
    if not candidates:
        missed = (NO_MATCH, None)
        return VerdictCase(plan.work.name, plan.scenario, upload, expected, missed, missed)
    with db.connect() as connection:
        lineage, originals = cluster(connection, candidates)
    decision = weigh(
        candidates, lineage=lineage, originals=originals, account=BRAND, lookup=lookup, use="commercial"
    )
    new = (decision.verdict.value, None if decision.rests_on is None else decision.rests_on.asset_id)
    old = old_rule_verdict(candidates, account=BRAND, lookup=lookup, use="commercial")
    why = "" if new == expected else _why(decision, r)
    return VerdictCase(plan.work.name, plan.scenario, upload, expected, new, old, _weighed(decision, r), why)


def run_verdicts(plans: list[VerdictPlan], settings: Settings, directory: Path) -> dict[str, Any]:
    """Registers the plans' works in a SQLite database under `directory`, runs the indexer's provenance step
    over them, then matches the brand's uploads and judges each with the new rule and the old one; the
    figures (`print_verdicts` shows them)."""
    started = time.monotonic()
    db = make_engine(f"sqlite:///{directory / 'verdicts.db'}")
    upgrade(db)
    chains: dict[int, _Chain] = {}
    registered: list[_Registered] = []
    with _progress() as progress:
        task = progress.add_task("verdicts: registering", total=len(plans))
        for plan in plans:
            chain = chains.setdefault(plan.chain_id, _Chain(plan.chain_id))
            base = 100 * (1 + sum(r.plan.chain_id == plan.chain_id for r in registered))
            registered.append(_register_work(chain, plan, base, settings))
            progress.advance(task)
    with Session(db) as session:
        for chain in chains.values():
            session.add_all(chain.assets)
            session.flush()
            session.add_all([*chain.hashes, *chain.licences, *chain.ancestors])
        session.commit()

    assets = sum(len(c.assets) for c in chains.values())
    with _progress() as progress:
        task = progress.add_task("verdicts: provenance step", total=assets)
        for chain_id in chains:
            finder = ProvenanceFinder(db, chain_id, settings)
            while checked := finder.fill():
                progress.advance(task, checked)
    with db.connect() as connection:
        recorded = {
            (int(c), int(a)): None if o is None else int(o)
            for c, a, o in connection.execute(
                select(Provenance.chain_id, Provenance.asset_id, Provenance.original_id)
            )
        }

    lookup = database_status_lookup(db)
    config = MatchConfig.from_settings(settings)
    matchers = {chain_id: MatchEngine(db, chain_id=chain_id, config=config) for chain_id in chains}
    cases: list[VerdictCase] = []
    with _progress() as progress:
        task = progress.add_task("verdicts: uploads", total=len(registered) * len(UPLOAD_TRANSFORMS))
        for r in registered:
            for upload in UPLOAD_TRANSFORMS:
                cases.append(_judge(r, upload, matchers[r.plan.chain_id], db, lookup))
                progress.advance(task)
    db.dispose()

    derivatives = [(r, r.derivative) for r in registered if r.derivative is not None]

    def tally(plans: list[VerdictPlan]) -> dict[str, int]:
        names = {p.work.name for p in plans}
        mine = [c for c in cases if c.work in names]
        matched = [c for c in mine if c.matched]
        return {
            "works": len(plans),
            "cases": len(matched),
            "no_match": len(mine) - len(matched),
            "new_correct": sum(c.new_correct for c in matched),
            "old_correct": sum(c.old_correct for c in matched),
            "old_verdict_correct": sum(c.old_verdict_correct for c in matched),
        }

    scenarios = {s: tally([r.plan for r in registered if r.plan.scenario == s]) for s in SCENARIOS}
    derived = [r.plan for r in registered if r.plan.scenario == "derivative"]
    derivative_order = {
        "before the copies": tally([p for p in derived if not p.derivative_late]),
        "after the copies": tally([p for p in derived if p.derivative_late]),
    }
    matched = [c for c in cases if c.matched]
    n = max(len(matched), 1)
    return {
        "works": len(registered),
        "chains": len(chains),
        "assets": assets,
        "uploads": len(cases),
        "cases": len(matched),
        "no_match": len(cases) - len(matched),
        "new_correct": round(sum(c.new_correct for c in matched) / n, 4),
        "old_correct": round(sum(c.old_correct for c in matched) / n, 4),
        "old_verdict_correct": round(sum(c.old_verdict_correct for c in matched) / n, 4),
        "scenarios": scenarios,
        "derivative_order": derivative_order,
        "copies": sum(len(r.copies) for r in registered),
        "copies_recorded": sum(
            recorded.get((r.plan.chain_id, c)) == r.original for r in registered for c in r.copies
        ),
        "copies_not_recorded": [
            {
                "work": r.plan.work.name,
                "copy": r.plan.copies[k],
                "recorded_as_copy_of": None if (o := recorded.get((r.plan.chain_id, c))) is None else o,
            }
            for r in registered
            for k, c in enumerate(r.copies)
            if recorded.get((r.plan.chain_id, c)) != r.original
        ],
        "derivatives": len(derivatives),
        "derivatives_late": sum(r.plan.derivative_late for r, _ in derivatives),
        "derivatives_recorded_as_copies": sum(
            recorded.get((r.plan.chain_id, d)) is not None for r, d in derivatives
        ),
        "causes": {
            cause: sum(c.why == cause for c in matched if not c.new_correct)
            for cause in CAUSES
            if any(c.why == cause for c in matched if not c.new_correct)
        },
        "wrong": [
            {
                "work": c.work,
                "scenario": c.scenario,
                "upload": c.upload,
                "expected": f"{c.expected[0]} #{c.expected[1]}",
                "got": f"{c.new[0]} #{c.new[1]}",
                "why": c.why,
                "candidates": c.candidates,
            }
            for c in matched
            if not c.new_correct
        ],
        "no_matches": [
            {
                "work": c.work,
                "scenario": c.scenario,
                "upload": c.upload,
                "why": c.candidates or "no candidate",
            }
            for c in cases
            if not c.matched
        ],
        "seconds": round(time.monotonic() - started, 1),
    }


def print_verdicts(console: Console, figures: dict[str, Any]) -> None:
    """The verdict benchmark's table, the provenance step's figures and every wrong case of the new rule."""
    table = Table(
        title=f"verdicts: {figures['works']} works on {figures['chains']} chain(s), {figures['assets']} "
        "registered images; new rule (every candidate) vs old (the first alone)"
    )
    table.add_column("licence on", no_wrap=True)
    table.add_column("works", justify="right")
    table.add_column("matched", justify="right")
    table.add_column("no match", justify="right")
    table.add_column("new rule", justify="right")
    table.add_column("old rule", justify="right")
    table.add_column("old: verdict only", justify="right")
    rows = list(figures["scenarios"].items())
    rows.append(("all", {k: sum(row[k] for _, row in rows) for k in rows[0][1]}))
    rows += [(f"↳ {k.replace('the ', '')}", row) for k, row in figures["derivative_order"].items()]
    for name, row in rows:
        cases = max(row["cases"], 1)
        table.add_row(
            name,
            str(row["works"]),
            str(row["cases"]),
            str(row["no_match"]),
            f"{row['new_correct'] / cases:.1%}",
            f"{row['old_correct'] / cases:.1%}",
            f"{row['old_verdict_correct'] / cases:.1%}",
        )
    console.print(table)
    console.print(
        "Per rule: the share of matched uploads given the expected verdict resting on the expected work "
        "(licence on the original → licensed on it; on the derivative, uploading the derivative → licensed "
        "on the derivative; on a copy only, or none → unlicensed on the original); old: verdict only ignores "
        "the work. ↳ the derivative scenario by when the derivative was registered. Uploads (JPEG q90): "
        f"{', '.join(UPLOAD_TRANSFORMS)}; an upload nothing matched is a recall miss, not a verdict."
    )
    console.print(
        f"provenance step: {figures['copies_recorded']}/{figures['copies']} copies recorded as possible "
        f"copies of their original; {figures['derivatives_recorded_as_copies']}/{figures['derivatives']} "
        f"derivatives recorded as possible copies ({figures['derivatives_late']} registered after the "
        f"copies); {figures['seconds']:.0f} s"
    )
    for miss in figures["copies_not_recorded"]:
        console.print(
            f"copy not recorded: {miss['work']}, its {miss['copy']} copy (recorded as a copy of: "
            f"{'nothing' if miss['recorded_as_copy_of'] is None else '#' + str(miss['recorded_as_copy_of'])})"
        )
    if figures["wrong"]:
        causes = Table(title=f"why the new rule was wrong ({len(figures['wrong'])} cases)")
        causes.add_column("cause")
        causes.add_column("cases", justify="right")
        causes.add_column("what happened")
        for cause, count in figures["causes"].items():
            causes.add_row(cause, str(count), CAUSES[cause])
        console.print(causes)
        console.print(
            "wrong verdicts of the new rule (with the weighed candidates in JSON `verdicts.wrong`):"
        )
        for w in figures["wrong"]:
            console.print(
                f"  {w['work']} (licence on {w['scenario']}), {w['upload']}: expected {w['expected']}, got "
                f"{w['got']}: {w['why']}"
            )
    for miss in figures["no_matches"]:
        console.print(f"no match: {miss['work']} ({miss['scenario']}), {miss['upload']}: {miss['why']}")


# ─────────────────────────────── hashing ───────────────────────────────


def _bits(h: bytes) -> npt.NDArray[np.uint8]:
    return np.unpackbits(np.frombuffer(h, dtype=np.uint8))


def _turned(views: list[bytes]) -> list[bytes]:
    """Each 16x16 thumbnail of `views` in its 8 rotations/flips."""
    out = []
    for view in views:
        small = Image.frombytes("L", (THUMB_SIDE, THUMB_SIDE), view)
        out += [(small if m is None else small.transpose(m)).tobytes() for m in DIHEDRAL]
    return out


def pdq256(im: Image.Image) -> bytes:
    return pdq_fingerprint(im).hash


def distances(variants: npt.NDArray[np.uint8], hashes: npt.NDArray[np.uint8]) -> npt.NDArray[np.int64]:
    """min over variants of the distance: variants (n, 8, 256 bits), hashes (m, 256 bits) → (n, m)."""
    v = variants.astype(np.int32)
    h = hashes.astype(np.int32)
    # distance = popcount(a xor b) = sum(a) + sum(b) - 2 a·b, per variant
    dots = np.einsum("nvk,mk->nvm", v, h)
    d = v.sum(axis=2)[:, :, None] + h.sum(axis=1)[None, None, :] - 2 * dots
    return d.min(axis=1).astype(np.int64)


def robustness(
    console: Console,
    kept: list[Work],
    refused: list[str],
    variants: dict[str, npt.NDArray[np.uint8]],
    bases: dict[str, npt.NDArray[np.uint8]],
    *,
    threshold: int,
    phash_threshold: int,
    min_quality: int,
    min_correlation: float,
    started: float,
) -> dict[str, Any]:
    """Recall per transform and false positives over `kept` (the tables and the JSON figures before the
    verdict section)."""
    recall_works = [k for k, w in enumerate(kept) if not w.name.startswith("lfw")]

    # Recall: transformed copies of each work vs that work's 8 variants.
    hashers: dict[str, Callable[[Image.Image], bytes]] = {"pdq": pdq256, "phash": phash256}
    transform_d: dict[str, dict[str, npt.NDArray[np.int64]]] = {h: {} for h in hashers}
    features = [extract(w.image) for w in kept]
    # Thumbnails as the engine compares them: the upload's 8 rotations/flips against each work's thumbnail
    # and its centre views (`zoomed`, computed from the stored 16x16 thumbnail). Turning commutes with the
    # centred views, so each work's views in their 8 rotations/flips (n, 8 * views, 256) go against one
    # vector per copy: the same correlations.
    stored_views = [zoomed(thumbnail(w.image)) for w in kept]
    thumbs = np.stack([unit_vectors(_turned(v))[0] for v in stored_views])
    views = np.stack([unit_vectors(v)[0] for v in stored_views])  # (n, views, 256): as the engine stores them
    queries = np.stack([unit_vectors(thumbnail_variants(w.image, DIHEDRAL))[0] for w in kept])
    correlation: dict[str, npt.NDArray[np.float32]] = {}
    inliers: dict[str, npt.NDArray[np.int64]] = {}
    for tname, (_family, fn) in track(
        TRANSFORMS.items(), description="recall per transform", console=Console(stderr=True), transient=True
    ):
        copies = [fn(kept[k].image) for k in recall_works]
        for hname, hasher in hashers.items():
            q = np.stack([_bits(hasher(c)) for c in copies])
            v = variants[hname][recall_works]
            d = np.einsum("nvk,nk->nv", v.astype(np.int32), q.astype(np.int32))
            dist = v.sum(axis=2) + q.sum(axis=1)[:, None] - 2 * d
            transform_d[hname][tname] = dist.min(axis=1).astype(np.int64)
        copy_thumbs = unit_vectors([thumbnail(c) for c in copies])[0]
        correlation[tname] = np.einsum("nvd,nd->nv", thumbs[recall_works], copy_thumbs).max(axis=1)
        # The crop stage: ORB inliers of the copy against the work's keypoints.
        inliers[tname] = np.array(
            [verify(extract(c), features[k]) for c, k in zip(copies, recall_works, strict=True)]
        )

    # False positives: all pairs of works from different sources (min over 8 variants).
    src = np.array([w.source for w in kept])
    different = src[:, None] != src[None, :]
    upper = np.triu(np.ones_like(different), k=1).astype(bool)
    pair_mask = different & upper
    pairs = int(pair_mask.sum())
    pair_d: dict[str, npt.NDArray[np.int64]] = {}
    nearest: dict[str, tuple[int, str, str]] = {}
    for hname in hashers:
        full = distances(variants[hname], bases[hname])
        sym = np.minimum(full, full.T)  # a pair matches if either side's query finds the other
        pair_d[hname] = sym[pair_mask]
        i, j = np.unravel_index(np.where(pair_mask, sym, 10_000).argmin(), sym.shape)
        nearest[hname] = (int(sym[i, j]), kept[i].name, kept[j].name)

    # Thumbnail correlation of every pair (best of the upload's 8 variants against the other's views, either
    # way round).
    thumb_full = np.einsum("ivd,jzd->ijvz", queries, views).max(axis=(2, 3))
    pair_corr = np.maximum(thumb_full, thumb_full.T)[pair_mask]

    def recall(hname: str, tname: str, t: int) -> float:
        return float((transform_d[hname][tname] <= t).mean())

    def fpr(hname: str, t: int) -> float:
        return float((pair_d[hname] <= t).sum() / max(pairs, 1))

    # The crop stage on every distinct pair, both ways (either work may be the upload).
    rows, cols = np.nonzero(pair_mask)
    pair_inliers = np.array(
        [
            max(verify(features[i], features[j]), verify(features[j], features[i]))
            for i, j in track(
                zip(rows, cols, strict=True),
                total=len(rows),
                description="crop stage on distinct pairs",
                console=Console(stderr=True),
                transient=True,
            )
        ]
    )
    worst = int(pair_inliers.argmax()) if len(pair_inliers) else 0

    def engine_recall(tname: str) -> float:
        d = transform_d
        hashed = (d["pdq"][tname] <= threshold) | (d["phash"][tname] <= phash_threshold)
        return float(
            (hashed | (correlation[tname] >= min_correlation) | (inliers[tname] >= MIN_INLIERS)).mean()
        )

    hashed_fp = (pair_d["pdq"] <= threshold) | (pair_d["phash"] <= phash_threshold)
    thumb_fp = int((pair_corr >= min_correlation).sum())
    engine_fp = int((hashed_fp | (pair_corr >= min_correlation) | (pair_inliers >= MIN_INLIERS)).sum())

    # Tables.
    table = Table(
        title=f"recall at PDQ ≤ {threshold}, pHash ≤ {phash_threshold} ({len(recall_works)} works each)"
    )
    table.add_column("transform")
    table.add_column("family")
    table.add_column("PDQ recall", justify="right")
    table.add_column("pHash-256 recall", justify="right")
    table.add_column(f"thumbnail ≥ {min_correlation}", justify="right")
    table.add_column("ORB crop stage", justify="right")
    table.add_column("engine recall", justify="right")
    table.add_column("PDQ median d", justify="right")
    for tname, (family, _fn) in TRANSFORMS.items():
        table.add_row(
            tname,
            family,
            f"{recall('pdq', tname, threshold):.1%}",
            f"{recall('phash', tname, phash_threshold):.1%}",
            f"{float((correlation[tname] >= min_correlation).mean()):.1%}",
            f"{float((inliers[tname] >= MIN_INLIERS).mean()):.1%}",
            f"{engine_recall(tname):.1%}",
            f"{int(np.median(transform_d['pdq'][tname]))}",
        )
    console.print(table)

    sweep = Table(
        title=f"distance sweep: family recall and false-positive rate over {pairs:,} distinct pairs"
    )
    sweep.add_column("d ≤")
    for hname in hashers:
        for col in ("jpeg/resize/blur/colour min", "crop 10%", "FP pairs", "FPR"):
            sweep.add_column(f"{hname} {col}", justify="right")
    goal_transforms = [t for t, (f, _) in TRANSFORMS.items() if f in GOAL_FAMILIES]
    sweep_rows = {}
    for t in range(24, 81, 4):
        cells = [str(t)]
        row = {}
        for hname in hashers:
            goal = min(recall(hname, x, t) for x in goal_transforms)
            crop10 = recall(hname, "crop 10%", t)
            fp = int((pair_d[hname] <= t).sum())
            cells += [f"{goal:.1%}", f"{crop10:.1%}", str(fp), f"{fp / pairs:.1e}"]
            row[hname] = {"goal_min_recall": goal, "crop10": crop10, "fp": fp}
        sweep_rows[t] = row
        sweep.add_row(*cells)
    console.print(sweep)

    bound = 3 / pairs
    for hname in hashers:
        d, a, b = nearest[hname]
        console.print(f"{hname}: closest distinct pair d={d} ({a} vs {b})")
    console.print(
        f"{len(kept)} works kept ({len(refused)} refused as flat, quality < {min_quality}: "
        f"{', '.join(refused[:8])}"
        f"{'…' if len(refused) > 8 else ''}); {pairs:,} distinct pairs: a zero count bounds the FPR below "
        f"{bound:.1e} (95 %); {time.monotonic() - started:.0f} s"
    )

    console.print(
        f"thumbnails: {thumb_fp} distinct pair(s) correlate at ≥ {min_correlation}; sweep "
        + ", ".join(f"≥ {c}: {int((pair_corr >= c).sum())}" for c in (0.95, 0.96, 0.97, 0.98, 0.99))
    )
    console.print(
        f"engine (PDQ ≤ {threshold}, pHash ≤ {phash_threshold}, thumbnail ≥ {min_correlation} or ≥ "
        f"{MIN_INLIERS} ORB inliers): {engine_fp} "
        f"false positive pair(s) of {pairs:,}; most inliers between distinct works: "
        f"{int(pair_inliers.max()) if len(pair_inliers) else 0} "
        f"({kept[rows[worst]].name} vs {kept[cols[worst]].name})"
        if len(pair_inliers)
        else "no distinct pairs"
    )
    per_transform = {t: round(recall("pdq", t, threshold), 4) for t in TRANSFORMS}
    engine = {t: round(engine_recall(t), 4) for t in TRANSFORMS}
    result = {
        "threshold": threshold,
        "phash_threshold": phash_threshold,
        "min_quality": min_quality,
        "works": len(recall_works),
        "distinct_pairs": pairs,
        "fpr_measurable_to": bound,
        "pdq": {
            "recall": per_transform,
            "fpr": fpr("pdq", threshold),
            "closest_distinct": nearest["pdq"][0],
        },
        "phash": {
            "recall": {t: round(recall("phash", t, phash_threshold), 4) for t in TRANSFORMS},
            "fpr": fpr("phash", phash_threshold),
            "closest_distinct": nearest["phash"][0],
        },
        "thumbnail": {
            "min_correlation": min_correlation,
            "recall": {t: round(float((correlation[t] >= min_correlation).mean()), 4) for t in TRANSFORMS},
            "fp": thumb_fp,
            "fp_sweep": {str(c): int((pair_corr >= c).sum()) for c in (0.95, 0.96, 0.97, 0.98, 0.99)},
        },
        "engine": {
            "recall": engine,
            "fpr": engine_fp / max(pairs, 1),
            "crop_stage_recall": {t: round(float((inliers[t] >= MIN_INLIERS).mean()), 4) for t in TRANSFORMS},
            "max_distinct_inliers": int(pair_inliers.max()) if len(pair_inliers) else 0,
            "inlier_sweep": {
                m: {
                    "crop10": round(float((inliers["crop 10%"] >= m).mean()), 4),
                    "fp": int((pair_inliers >= m).sum()),
                }
                for m in (10, 12, 15, 18, 20, 25, 30)
            },
        },
        "goals": {
            "goal_families_min_recall": min(engine[t] for t in goal_transforms),
            "crop10": engine["crop 10%"],
            "fpr_le_1e-4": engine_fp / max(pairs, 1) <= 1e-4,
        },
        "seconds": round(time.monotonic() - started, 1),
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer works (2x2 tiles only, no lfw): < 1 min")
    parser.add_argument("--threshold", type=int, default=None, help="distance to report (default: settings)")
    parser.add_argument("--min-quality", type=int, default=None, help="PDQ quality floor (default: settings)")
    parser.add_argument(
        "--phash-threshold", type=int, default=None, help="pHash distance of the engine (default: settings)"
    )
    parser.add_argument(
        "--thumbnail-correlation", type=float, default=None, help="thumbnail stage (default: settings)"
    )
    parser.add_argument(
        "--verdicts-only",
        action="store_true",
        help="only the verdict section (no recall, no false-positive pairs)",
    )
    parser.add_argument(
        "--verdict-works",
        type=int,
        default=None,
        help="works in the verdict section (default: the sources in --quick, every work otherwise)",
    )
    args = parser.parse_args()
    settings = Settings()
    threshold = args.threshold if args.threshold is not None else settings.match_distance
    min_quality = args.min_quality if args.min_quality is not None else settings.match_min_quality
    phash_threshold = (
        args.phash_threshold if args.phash_threshold is not None else settings.match_phash_distance
    )
    min_correlation = (
        args.thumbnail_correlation
        if args.thumbnail_correlation is not None
        else settings.match_thumbnail_correlation
    )
    console = Console()
    started = time.monotonic()

    sources = load_sources()
    works: list[Work] = [Work(n, n, im) for n, im in sources.items()]
    for name, im in sources.items():
        works += tiles(name, im, 2)
        if not args.quick:
            works += tiles(name, im, 3)
    distinct_extra = [] if args.quick else lfw_works()

    # Registered side: PDQ (with quality) and pHash, 8 variants each.
    kept: list[Work] = []
    refused: list[str] = []
    pdq_var, ph_var, pdq_base, ph_base = [], [], [], []
    for work in [*works, *distinct_extra]:
        hashes, quality = pdq_dihedral(work.image)
        if quality < min_quality:
            refused.append(work.name)
            continue
        kept.append(work)
        pdq_var.append(np.stack([_bits(h) for h in hashes]))
        ph = phash_dihedral(work.image)
        ph_var.append(np.stack([_bits(h) for h in ph]))
        pdq_base.append(_bits(hashes[0]))
        ph_base.append(_bits(ph[0]))
    variants = {"pdq": np.stack(pdq_var), "phash": np.stack(ph_var)}
    bases = {"pdq": np.stack(pdq_base), "phash": np.stack(ph_base)}
    recall_works = [k for k, w in enumerate(kept) if not w.name.startswith("lfw")]

    if args.verdicts_only:
        result: dict[str, Any] = {
            "threshold": threshold,
            "phash_threshold": phash_threshold,
            "min_quality": min_quality,
            "works": len(recall_works),
        }
    else:
        result = robustness(
            console,
            kept,
            refused,
            variants,
            bases,
            threshold=threshold,
            phash_threshold=phash_threshold,
            min_quality=min_quality,
            min_correlation=min_correlation,
            started=started,
        )

    # Verdicts: registered copies, derivatives and licences; the new rule against the old one.
    verdict_settings = settings.model_copy(
        update={
            "match_distance": threshold,
            "match_phash_distance": phash_threshold,
            "match_thumbnail_correlation": min_correlation,
            "match_min_quality": min_quality,
        }
    )
    section = [kept[k] for k in recall_works]
    if args.quick and args.verdict_works is None:
        section = [w for w in section if w.name == w.source]
    plans = verdict_plans(section, args.verdict_works)
    with tempfile.TemporaryDirectory(prefix="genip-verdicts-") as directory:
        verdicts = run_verdicts(plans, verdict_settings, Path(directory))
    print_verdicts(console, verdicts)
    result["verdicts"] = verdicts
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
