"""Robustness of image matching: recall per transform and false-positive rate, PDQ-256, pHash-256 and the
engine's rule (either hash within its distance).

Usage: `python scripts/bench_match_robustness.py [--quick] [--threshold T] [--phash-threshold T]`

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
`GENIP_MATCH_PHASH_DISTANCE`) of the work's, *or* its 16x16 grey thumbnail correlates with the work's at
`--thumbnail-correlation` or more (default `GENIP_MATCH_THUMBNAIL_CORRELATION`; `genip.matching.thumbnails`),
*or* the crop stage (`genip.matching.features`: ORB keypoints, ratio test, RANSAC similarity) finds at least
`MIN_INLIERS` inliers against the work's keypoints; its false positives are the distinct pairs where any of
the four does (the crop stage is tried both ways). The goals are judged on the engine's rule.

Prints rich tables (recall per transform for both hashes and the engine at the thresholds, the distance
sweep), then one JSON line with the figures.
"""

import argparse
import io
import json
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import skimage.data
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps
from rich.console import Console
from rich.table import Table

from genip.content.fingerprint import pdq_dihedral, pdq_fingerprint, prepare_image
from genip.matching.features import MIN_INLIERS, extract, verify
from genip.matching.perceptual import DIHEDRAL, phash256, phash_dihedral
from genip.matching.thumbnails import thumbnail, thumbnail_variants, unit_vectors
from genip.settings import Settings

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


# ─────────────────────────────── hashing ───────────────────────────────


def _bits(h: bytes) -> npt.NDArray[np.uint8]:
    return np.unpackbits(np.frombuffer(h, dtype=np.uint8))


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

    # Recall: transformed copies of each work vs that work's 8 variants.
    hashers: dict[str, Callable[[Image.Image], bytes]] = {"pdq": pdq256, "phash": phash256}
    transform_d: dict[str, dict[str, npt.NDArray[np.int64]]] = {h: {} for h in hashers}
    features = [extract(w.image) for w in kept]
    # Thumbnails: each work's 8 rotations/flips (n, 8, 256) against one vector per copy.
    thumbs = np.stack([unit_vectors(thumbnail_variants(w.image, DIHEDRAL))[0] for w in kept])
    correlation: dict[str, npt.NDArray[np.float32]] = {}
    inliers: dict[str, npt.NDArray[np.int64]] = {}
    for tname, (_family, fn) in TRANSFORMS.items():
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

    # Thumbnail correlation of every pair (best of the 8 variants, either way round).
    thumb_full = np.einsum("ivd,jd->ijv", thumbs, thumbs[:, 0]).max(axis=2)
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
            for i, j in zip(rows, cols, strict=True)
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
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
