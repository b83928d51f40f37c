"""The demo's works, written to files: images from scikit-image's bundled data, texts, a LoRA-like
`.safetensors` file, a ComfyUI workflow, and an image "generated" with that LoRA whose PNG metadata names it
by its AutoV2 hash (issue #21). Everything is generated offline; nothing is downloaded."""

import json
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from genip.chain.types import WorkKind

__all__ = ["SDXL_BASE_AUTOV2", "DemoWork", "derived_image", "generated_with_lora", "near_copy", "write_works"]


@dataclass(frozen=True)
class DemoWork:
    key: str
    path: Path
    kind: WorkKind
    title: str
    description: str
    prompt: str
    tags: tuple[str, ...]
    model: str | None = None


_IMAGES = [
    (
        "astronaut",
        "Orbit Portrait",
        "A studio portrait of an astronaut, rendered as a vintage colour print.",
        "portrait of an astronaut in a white spacesuit, flag behind, 1980s colour film, soft light",
        ("portrait", "space", "retro"),
    ),
    (
        "coffee",
        "Morning Cup",
        "A cup of coffee on a saucer, warm morning light, top-down.",
        "a cup of coffee on a blue saucer, top-down, warm morning light, product photography",
        ("food", "still life", "warm"),
    ),
    (
        "chelsea",
        "Tabby at Rest",
        "A tabby cat looking past the camera, shallow depth of field.",
        "a tabby cat resting, looking to the side, shallow depth of field, natural light",
        ("cat", "animal", "portrait"),
    ),
    (
        "rocket",
        "Launch Day",
        "A rocket on the launch pad under a clear sky.",
        "a rocket standing on a launch pad, clear blue sky, wide angle, documentary style",
        ("space", "rocket", "wide"),
    ),
    (
        "hubble_deep_field",
        "Deep Field Dreams",
        "Thousands of galaxies in a deep-space field.",
        "deep space field full of colourful galaxies, long exposure, scientific imaging",
        ("space", "galaxies", "poster"),
    ),
    (
        "immunohistochemistry",
        "Cell Garden",
        "Stained tissue that reads like an abstract garden.",
        "abstract microscopy of stained tissue, brown and blue, organic patterns",
        ("abstract", "science", "texture"),
    ),
    (
        "colorwheel",
        "Spectrum Study",
        "A colour wheel rendered as a clean graphic.",
        "a clean colour wheel graphic on white, full hue circle, flat design",
        ("graphic", "colour", "design"),
    ),
    (
        "camera",
        "The Photographer",
        "A black-and-white portrait of a photographer with a tripod camera.",
        "black and white photo of a man with a tripod camera in a park, 1990s press photo",
        ("portrait", "monochrome", "retro"),
    ),
]

_TEXTS = [
    (
        "haiku",
        "Tide Haiku",
        "Three lines about the sea returning.",
        "write a haiku about the tide coming back at night",
        "night tide returning\nthe moon pulls the dark water\nhome to the harbour\n",
        ("poetry", "sea"),
    ),
    (
        "story",
        "The Lighthouse Keeper's Last Log",
        "Opening of a short story.",
        "opening paragraph of a short story: a lighthouse keeper's final logbook entry, melancholic",
        "Day 4,017. The lamp burned true again tonight, though no ship came to see it. I have begun to "
        "suspect the sea has forgotten us, and I am not sure I mind. Tomorrow the relief boat comes, and "
        "with it the engineers who will make this light think for itself.\n",
        ("fiction", "sea", "story"),
    ),
]


def _safetensors(path: Path) -> None:
    """A tiny LoRA-style file: real safetensors layout (header + one small tensor), kohya-style metadata."""
    data = np.linspace(-1, 1, 64, dtype=np.float32).tobytes()
    header = {
        "lora_unet_down_blocks_0.alpha": {"dtype": "F32", "shape": [64], "data_offsets": [0, len(data)]},
        "__metadata__": {
            "ss_base_model_version": "sdxl_base_v1-0",
            "ss_sd_model_name": "sd_xl_base_1.0.safetensors",
            "ss_network_dim": "16",
            "ss_num_epochs": "10",
            "ss_tag_frequency": json.dumps({"retro_poster": {"retro poster": 40, "halftone": 25}}),
            "modelspec.title": "Retro Poster LoRA",
            "modelspec.trigger_phrase": "retro poster, halftone",
        },
    }
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + data)


def _workflow(path: Path) -> None:
    graph = {
        "3": {
            "class_type": "KSampler",
            "inputs": {"seed": 421337, "steps": 30, "cfg": 6.5, "model": ["4", 0]},
        },
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "retro poster, halftone", "clip": ["4", 1]}},
    }
    path.write_text(json.dumps(graph, indent=2))


def write_works(folder: Path) -> list[DemoWork]:
    """Writes the demo works into `folder` and describes them."""
    import skimage.data

    folder.mkdir(parents=True, exist_ok=True)
    works = []
    for name, title, description, prompt, image_tags in _IMAGES:
        path = folder / f"{name}.png"
        Image.fromarray(getattr(skimage.data, name)()).convert("RGB").save(path)
        works.append(
            DemoWork(name, path, WorkKind.IMAGE, title, description, prompt, image_tags, "sdxl-base-1.0")
        )
    for key, title, description, prompt, text, tags in _TEXTS:
        path = folder / f"{key}.txt"
        path.write_text(text, encoding="utf-8")
        works.append(DemoWork(key, path, WorkKind.TEXT, title, description, prompt, tags, "gpt-class LLM"))
    lora = folder / "retro-poster-lora.safetensors"
    _safetensors(lora)
    works.append(
        DemoWork(
            "lora",
            lora,
            WorkKind.MODEL,
            "Retro Poster LoRA",
            "A LoRA for halftone retro posters (SDXL).",
            "trained on 40 retro poster studies; trigger: retro poster, halftone",
            ("lora", "sdxl", "retro"),
        )
    )
    flow = folder / "poster-workflow.json"
    _workflow(flow)
    works.append(
        DemoWork(
            "workflow",
            flow,
            WorkKind.WORKFLOW,
            "Poster Pipeline",
            "A ComfyUI graph using the poster LoRA.",
            "sdxl + retro poster lora, 30 steps, cfg 6.5",
            ("workflow", "comfyui"),
        )
    )
    return works


def derived_image(source: Path, target: Path, *, hue_shift: int) -> Path:
    """A derivative image: the source recoloured and framed (a real new work, not a near-copy)."""
    with Image.open(source) as image:
        hsv = np.array(image.convert("RGB").convert("HSV"), dtype=np.int16)
    hsv[..., 0] = (hsv[..., 0] + hue_shift) % 256
    out = Image.fromarray(hsv.astype(np.uint8), "HSV").convert("RGB")
    framed = Image.new("RGB", (out.width + 80, out.height + 80), (250, 236, 210))
    framed.paste(out, (40, 40))
    framed.save(target)
    return target


def near_copy(source: Path, target: Path) -> Path:
    """A copycat's "new" work: the source mirrored and slightly brightened (new bytes, same picture), the kind
    of copy the dispute court exists for."""
    with Image.open(source) as image:
        pixels = np.array(image.convert("RGB"), dtype=np.int16)[:, ::-1]
    Image.fromarray(np.clip(pixels + 6, 0, 255).astype(np.uint8), "RGB").save(target)
    return target


#: AutoV2 hash (first 10 hex digits of the file's sha256) of Stability AI's `sd_xl_base_1.0.safetensors`, as
#: A1111 writes it: a checkpoint nobody registered in the demo, reported as "not registered here".
SDXL_BASE_AUTOV2 = "31e35c80fc"


def generated_with_lora(lora: Path, target: Path) -> DemoWork:
    """An image "generated" with the LoRA at `lora`: a posterised, four-colour moonscape (from
    scikit-image's data) saved as a PNG whose `parameters` text chunk is what A1111 with the Civitai helper
    writes: the prompt, the sampler settings, `Lora hashes` (A1111's own addnet hash: sha256 of the tensors
    after the safetensors header, 12 digits, matched only once the indexer has computed the LoRA's from its
    sealed original, see `genip.resources`) and the `Hashes` JSON naming the checkpoint and the LoRA by their
    AutoV2 hashes (the first 10 hex digits of each file's sha256), which names the registered LoRA as soon as
    it is indexed. Deterministic: the same bytes on every run."""
    import hashlib

    import skimage.data
    from PIL import ImageFilter, PngImagePlugin

    data = lora.read_bytes()
    autov2 = hashlib.sha256(data).hexdigest()[:10]
    (header,) = struct.unpack("<Q", data[:8])
    addnet = hashlib.sha256(data[8 + header :]).hexdigest()[:12]
    prompt = "retro poster, halftone, craters on the surface of the moon, navy and orange, bold shapes"
    palette = np.array([(22, 33, 62), (31, 94, 110), (233, 128, 52), (246, 226, 190)], dtype=np.uint8)
    moon = skimage.data.moon()  # type: ignore[no-untyped-call]  # 512 x 512 grey
    moon = np.asarray(Image.fromarray(moon).filter(ImageFilter.GaussianBlur(3)))
    levels = np.digitize(moon, np.quantile(moon, [0.25, 0.5, 0.75]))  # four bands, like a screen print
    info = PngImagePlugin.PngInfo()
    info.add_text(
        "parameters",
        f"{prompt}\nNegative prompt: blurry, text, watermark\n"
        "Steps: 30, Sampler: DPM++ 2M Karras, CFG scale: 6.5, Seed: 421337, Size: 512x512, "
        f"Model hash: {SDXL_BASE_AUTOV2}, Model: sd_xl_base_1.0, "
        f'Lora hashes: "retro_poster: {addnet}", '
        f'Hashes: {{"model": "{SDXL_BASE_AUTOV2}", "lora:retro_poster": "{autov2}"}}, Version: v1.10.1',
    )
    Image.fromarray(palette[levels], "RGB").save(target, "PNG", pnginfo=info)
    return DemoWork(
        "moon-poster",
        target,
        WorkKind.IMAGE,
        "Moon Craters, Retro Poster",
        "Dex's screen-print moonscape, generated with Cleo's Retro Poster LoRA under a generation licence.",
        prompt,
        ("poster", "retro", "moon"),
        "sdxl-base-1.0",
    )
