"""The public face of a work: watermarked image previews, text excerpts, cards; never a prompt."""

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data as samples

from genip.chain.types import WorkKind
from genip.content.formats import prepare_work
from genip.content.preview import (
    EXCERPT_CHARS,
    PREVIEW_SIDE,
    card_of,
    derive_preview,
    excerpt_of,
    image_preview,
)
from tests.content.test_formats import KOHYA_METADATA, WORKFLOW_API, write_safetensors


def sample(name: str) -> np.ndarray:
    """A picture from scikit-image's bundled samples (`astronaut`, `coffee`, `camera`...)."""
    return np.asarray(getattr(samples, name)())


def _png(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array).save(out, format="PNG")
    return out.getvalue()


def _decoded(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        return image.convert("RGB")


@pytest.mark.parametrize(("width", "height"), [(2400, 1600), (900, 3000), (1024, 1024)])
def test_a_large_image_preview_is_at_most_1024_px_on_its_longer_side(width: int, height: int) -> None:
    big = Image.fromarray(sample("astronaut")).resize((width, height))
    preview = _decoded(image_preview(_png(np.asarray(big))))
    assert max(preview.size) == PREVIEW_SIDE
    assert abs(preview.width / preview.height - width / height) < 0.01  # aspect kept


def test_a_small_image_is_not_enlarged() -> None:
    preview = _decoded(image_preview(_png(sample("astronaut"))))  # 512 x 512
    assert preview.size == (512, 512)


def test_the_watermark_is_visible_in_the_pixels() -> None:
    source = sample("astronaut")
    preview = np.asarray(_decoded(image_preview(_png(source)))).astype(np.int16)
    plain = io.BytesIO()
    Image.fromarray(source).save(plain, format="JPEG", quality=82)  # the same resize and encoding, no mark
    unmarked = np.asarray(_decoded(plain.getvalue())).astype(np.int16)
    changed = np.abs(preview - unmarked).max(axis=2) > 24
    assert changed.mean() > 0.03  # the tiled text covers a visible share of the picture
    rows, cols = np.nonzero(changed)
    assert rows.min() < 128 and rows.max() > 384 and cols.min() < 128 and cols.max() > 384  # all over it


def test_a_flat_transparent_image_gets_a_watermark_too() -> None:
    clear = np.zeros((300, 400, 4), dtype=np.uint8)
    preview = np.asarray(_decoded(image_preview(_png(clear))))
    assert preview.size and preview.min() < 250  # not a blank white square: the mark's outline shows


def test_previews_are_deterministic() -> None:
    data = _png(sample("coffee"))
    assert image_preview(data) == image_preview(data)


def test_an_excerpt_stops_at_a_sentence_end() -> None:
    text = "The lighthouse keeper counted ships. " * 30
    excerpt = excerpt_of(text)
    assert len(excerpt) <= EXCERPT_CHARS + 2
    assert excerpt.endswith("ships. …")
    assert text.startswith(excerpt.removesuffix(" …"))


def test_an_excerpt_without_sentences_stops_at_a_word() -> None:
    text = "word " * 300
    excerpt = excerpt_of(text)
    assert excerpt.endswith("word…") and len(excerpt) <= EXCERPT_CHARS + 1


def test_a_short_text_is_its_own_excerpt() -> None:
    assert excerpt_of("  A short poem.\n") == "A short poem."


def test_a_model_card_names_base_model_and_trigger_words(tmp_path: Path) -> None:
    path = tmp_path / "inkwash.safetensors"
    write_safetensors(path, KOHYA_METADATA)
    prepared = prepare_work(path)
    preview = derive_preview(WorkKind.MODEL, path, prepared.details, size=path.stat().st_size)
    assert preview.image is None and preview.excerpt is None
    assert preview.card is not None
    assert preview.card["baseModel"] == "sdxl_base_v1-0"
    assert preview.card["triggerWords"][:2] == ["inkwash", "mountain"]
    assert preview.card["size"] == path.stat().st_size
    assert "training" not in preview.card  # the card is what a buyer needs, not every header field


def test_a_model_without_header_metadata_takes_the_creators_base_model() -> None:
    assert card_of(WorkKind.MODEL, {"format": "ckpt"}, model="SDXL 1.0") == {
        "format": "ckpt",
        "baseModel": "SDXL 1.0",
    }


def test_a_workflow_card_names_its_node_types(tmp_path: Path) -> None:
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(WORKFLOW_API))
    prepared = prepare_work(path)
    preview = derive_preview(WorkKind.WORKFLOW, prepared.canonical or b"", prepared.details)
    assert preview.card is not None
    assert "KSampler" in preview.card["nodeTypes"]
    assert preview.card["nodeCount"] == 6


def test_a_prompt_work_shows_no_word_of_its_prompt(tmp_path: Path) -> None:
    prompt = "A secret prompt: ink-wash heron at dawn, mist, gold leaf, by nobody in particular."
    path = tmp_path / "prompt.txt"
    path.write_text(prompt)
    prepared = prepare_work(path, WorkKind.PROMPT)
    preview = derive_preview(WorkKind.PROMPT, prepared.canonical or b"", prepared.details)
    assert preview.image is None and preview.excerpt is None
    assert preview.card == {"characters": len(prompt), "lines": 1}
    shown = json.dumps(preview.card)
    assert not any(word in shown for word in ("heron", "secret", "dawn"))


def test_a_text_preview_is_its_excerpt() -> None:
    text = ("It was the best of times. " * 40).encode()
    preview = derive_preview(WorkKind.TEXT, text, {})
    assert preview.excerpt is not None and preview.excerpt.startswith("It was the best of times.")
    assert len(preview.excerpt) < len(text)


def test_metadata_names_the_public_face_and_reads_it_back() -> None:
    from genip.content.digest import digest_bytes
    from genip.content.metadata import WorkMetadata

    original, preview = b"the original image bytes", digest_bytes(b"a watermarked preview").cid
    meta = WorkMetadata(
        name="Dawn",
        kind=WorkKind.IMAGE,
        content=digest_bytes(original),
        media_type="image/png",
        prompt_commitment=b"\x07" * 32,
        preview_cid=preview,
    )
    document = meta.to_json()
    assert document["image"] == f"ipfs://{preview}"  # the preview, not the original
    assert document["genip"]["content"]["cid"] == digest_bytes(original).cid  # still committed
    assert WorkMetadata.from_bytes(meta.to_bytes()) == meta
    card = WorkMetadata(
        name="LoRA",
        kind=WorkKind.MODEL,
        content=digest_bytes(b"weights"),
        media_type="application/octet-stream",
        prompt_commitment=b"\x07" * 32,
        card={"baseModel": "sdxl", "triggerWords": ["ink"]},
    )
    assert "image" not in card.to_json()
    assert WorkMetadata.from_bytes(card.to_bytes()).card == {"baseModel": "sdxl", "triggerWords": ["ink"]}
