"""Kinds know their formats: canonical text and workflows, safetensors headers, kind detection."""

import json
import struct
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import skimage.data
from PIL import Image

from genip.chain.types import WorkKind
from genip.content.canonical import canonical_json, normalize_text, parse_json, text_bytes
from genip.content.digest import digest_stream
from genip.content.errors import FormatError
from genip.content.formats import MAX_CANONICAL_BYTES, detect_kind, prepare_work
from genip.content.formats.safetensors import read_header, read_safetensors_info
from genip.content.formats.workflow import canonical_workflow, describe_workflow

# ── workflows ──

WORKFLOW_API: dict[str, Any] = {
    "3": {
        "class_type": "KSampler",
        "inputs": {"seed": 156680208700286, "steps": 20, "cfg": 8.0, "sampler_name": "euler",
                   "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]},
    },
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}},
    "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 1024, "height": 1024, "batch_size": 1}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "lighthouse, 北斎 style", "clip": ["4", 1]}},
    "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry", "clip": ["4", 1]}},
    "8": {"class_type": "LoraLoader", "inputs": {"lora_name": "ink.safetensors", "strength_model": 0.8}},
}  # fmt: skip


def _reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _reversed_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed_keys(item) for item in value]
    return value


def test_workflow_hash_ignores_key_order_and_whitespace(tmp_path: Path) -> None:
    compact = tmp_path / "compact.json"
    compact.write_text(json.dumps(WORKFLOW_API, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(_reversed_keys(WORKFLOW_API), indent=4) + "\r\n", encoding="utf-8")
    assert compact.read_bytes() != pretty.read_bytes()

    first, second = prepare_work(compact), prepare_work(pretty)
    assert first.kind is second.kind is WorkKind.WORKFLOW
    assert first.canonical == second.canonical
    with first.open() as a, second.open() as b:
        assert digest_stream(a) == digest_stream(b)
    assert first.canonical is not None
    assert first.canonical == canonical_json(WORKFLOW_API)
    assert first.canonical.startswith(
        b'{"3":{"class_type":"KSampler","inputs":{"cfg":8.0,"latent_image":["5",0],'
    )
    assert "北斎".encode() in first.canonical  # UTF-8, not \\u escapes


def test_a_changed_workflow_value_changes_the_hash() -> None:
    changed = json.loads(json.dumps(WORKFLOW_API))
    changed["3"]["inputs"]["steps"] = 21
    assert canonical_workflow(json.dumps(changed).encode()) != canonical_workflow(
        json.dumps(WORKFLOW_API).encode()
    )


def test_workflow_description_names_nodes_and_models() -> None:
    description = describe_workflow(WORKFLOW_API)
    assert description["format"] == "comfyui-api"
    assert description["nodeCount"] == 6
    assert "KSampler" in description["nodeTypes"]
    assert description["models"] == ["ink.safetensors", "sd_xl_base_1.0.safetensors"]
    ui = {
        "nodes": [
            {"id": 1, "type": "KSampler"},
            {"id": 2, "type": "CheckpointLoaderSimple", "widgets_values": ["dreamshaper.safetensors"]},
        ],
        "links": [],
    }
    assert describe_workflow(ui) == {
        "format": "comfyui-ui",
        "nodeCount": 2,
        "nodeTypes": ["CheckpointLoaderSimple", "KSampler"],
        "models": ["dreamshaper.safetensors"],
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"a": 1, "a": 2}', "duplicate JSON key"),
        (b'{"a": NaN}', "NaN is not allowed"),
        (b'{"a": ', "not valid JSON"),
        (b'{"a": "\xff"}', "not valid UTF-8"),
        (b'"just a string"', "JSON object or array"),
    ],
)
def test_invalid_workflows_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        canonical_workflow(data)


# ── text ──


def test_text_is_normalised_before_hashing(tmp_path: Path) -> None:
    nfc = "Caf\u00e9 au lait\nsecond line\n"
    variants = [
        nfc.encode(),
        "\ufeff".encode() + nfc.encode(),  # byte-order mark
        nfc.replace("\n", "\r\n").encode(),  # Windows line endings
        nfc.replace("\n", "\r").encode(),  # old Mac line endings
        "Cafe\u0301 au lait\nsecond line\n".encode(),  # decomposed é (NFD)
    ]
    canonical = {text_bytes(v) for v in variants}
    assert canonical == {nfc.encode()}
    path = tmp_path / "story.txt"
    path.write_bytes(variants[2])
    prepared = prepare_work(path)
    assert prepared.kind is WorkKind.TEXT
    assert prepared.canonical == nfc.encode()
    assert prepared.media_type == "text/plain; charset=utf-8"
    assert prepared.details == {"characters": len(nfc), "lines": 2}


def test_text_keeps_everything_but_encoding_details() -> None:
    assert normalize_text("  spaced  \n\n") == "  spaced  \n\n"
    assert text_bytes(b"Tab\tand trailing space ") == b"Tab\tand trailing space "


def test_text_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("café".encode("latin-1"))
    with pytest.raises(FormatError, match="not valid UTF-8"):
        prepare_work(path)


def test_oversized_text_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as out:
        out.truncate(MAX_CANONICAL_BYTES + 1)  # sparse: nothing is really written
    with pytest.raises(FormatError, match="limited to"):
        prepare_work(path)


def test_parse_json_is_strict() -> None:
    assert parse_json(b'\xef\xbb\xbf{"b": [1, 2.5, "x"]}') == {"b": [1, 2.5, "x"]}
    with pytest.raises(FormatError):
        parse_json(b'{"a": Infinity}')


# ── safetensors ──

KOHYA_METADATA = {
    "ss_base_model_version": "sdxl_base_v1-0",
    "ss_sd_model_name": "sd_xl_base_1.0.safetensors",
    "ss_output_name": "inkwash_style",
    "ss_network_module": "networks.lora",
    "ss_network_dim": "32",
    "ss_network_alpha": "16",
    "ss_num_train_images": "120",
    "ss_num_epochs": "10",
    "ss_learning_rate": "0.0001",
    "ss_training_started_at": "1718000000.5",
    "ss_resolution": "(1024, 1024)",
    "ss_seed": "",
    "ss_tag_frequency": json.dumps(
        {
            "10_inkwash": {"inkwash": 120, "mountain": 40, " river": 35, "1girl": 3},
            "5_extra": {"mountain": 10, "boat": 20},
        }
    ),
}


def write_safetensors(
    path: Path, metadata: dict[str, str] | None, *, data_size: int = 96, sparse_extra: int = 0
) -> None:
    """A real safetensors file: two float32 tensors, optional metadata, optional sparse padding."""
    header: dict[str, Any] = {
        "lora_unet.down.weight": {"dtype": "F32", "shape": [4, 4], "data_offsets": [0, 64]},
        "lora_unet.up.weight": {"dtype": "F16", "shape": [4, 4], "data_offsets": [64, 96]},
    }
    if metadata is not None:
        header["__metadata__"] = metadata
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)  # the reference writer pads the header with spaces
    with path.open("wb") as out:
        out.write(struct.pack("<Q", len(raw)) + raw)
        out.write(np.arange(16, dtype=np.float32).tobytes() + np.ones(16, dtype=np.float16).tobytes())
        out.write(b"\0" * (data_size - 96))
        if sparse_extra:
            out.truncate(out.tell() + sparse_extra)


def test_safetensors_metadata_is_read_from_the_header(tmp_path: Path) -> None:
    path = tmp_path / "inkwash.safetensors"
    write_safetensors(path, KOHYA_METADATA)
    info = read_safetensors_info(path)
    assert info.tensor_count == 2
    assert info.parameter_count == 32
    assert info.dtypes == ("F16", "F32")
    assert info.base_model == "sdxl_base_v1-0"
    assert info.model_name == "sd_xl_base_1.0.safetensors"
    assert info.title == "inkwash_style"
    assert info.trigger_words == ("inkwash", "mountain", "river", "boat", "1girl")
    assert info.training["ss_network_dim"] == "32"
    assert info.training["ss_num_epochs"] == "10"
    assert "ss_seed" not in info.training  # empty values are left out
    prepared = prepare_work(path)
    assert prepared.kind is WorkKind.MODEL
    assert prepared.canonical is None  # a model is hashed as it is
    assert prepared.details["baseModel"] == "sdxl_base_v1-0"
    assert prepared.details["triggerWords"][:2] == ["inkwash", "mountain"]


def test_modelspec_fields_and_trigger_phrase_win(tmp_path: Path) -> None:
    path = tmp_path / "spec.safetensors"
    write_safetensors(
        path,
        {
            "modelspec.architecture": "stable-diffusion-xl-v1-base/lora",
            "modelspec.title": "Ink Wash",
            "modelspec.trigger_phrase": "inkwash style, sumi-e",
            "modelspec.date": "2024-06-10",
            "ss_tag_frequency": KOHYA_METADATA["ss_tag_frequency"],
        },
    )
    info = read_safetensors_info(path)
    assert info.base_model == "stable-diffusion-xl-v1-base/lora"
    assert info.title == "Ink Wash"
    assert info.trigger_words == ("inkwash style", "sumi-e")
    assert info.training == {"modelspec.date": "2024-06-10"}


def test_a_safetensors_file_without_metadata(tmp_path: Path) -> None:
    path = tmp_path / "bare.safetensors"
    write_safetensors(path, None)
    info = read_safetensors_info(path)
    assert (info.base_model, info.trigger_words, info.training) == (None, (), {})


def test_only_the_header_is_read_not_the_tensors(tmp_path: Path) -> None:
    path = tmp_path / "checkpoint.safetensors"
    write_safetensors(path, KOHYA_METADATA, sparse_extra=2 * 1024**3)  # a 2 GiB (sparse) data section
    assert path.stat().st_size > 2 * 1024**3
    tracemalloc.start()
    try:
        read_safetensors_info(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024


def test_an_oversized_header_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "hostile.safetensors"
    path.write_bytes(struct.pack("<Q", 200_000_000) + b"{}")
    with pytest.raises(FormatError, match="exceeds"):
        read_header(path)
    with pytest.raises(FormatError, match="exceeds"):
        read_header(tmp_path / "hostile.safetensors", max_header_bytes=1)


def _framed(header: bytes) -> bytes:
    return struct.pack("<Q", len(header)) + header


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x01\x02", "too short"),
        (struct.pack("<Q", 100) + b"{}", "past the end"),
        (struct.pack("<Q", 4) + b"[12]", "not a JSON object"),
        (struct.pack("<Q", 2) + b"{}", None),
        (_framed(b'{"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}'), "invalid"),  # no data
        (_framed(b'{"t": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 0]}}'), "invalid"),
        (_framed(b'{"__metadata__": {"a": 1}}'), "strings to strings"),
    ],
)
def test_malformed_safetensors_are_refused(tmp_path: Path, content: bytes, message: str | None) -> None:
    path = tmp_path / "bad.safetensors"
    path.write_bytes(content)
    if message is None:
        assert read_safetensors_info(path).tensor_count == 0
    else:
        with pytest.raises(FormatError, match=message):
            read_safetensors_info(path)


# ── kind detection and images ──


def test_kinds_are_detected_from_the_file(tmp_path: Path) -> None:
    image = tmp_path / "astronaut.png"
    Image.fromarray(skimage.data.astronaut()).save(image)
    workflow = tmp_path / "graph.json"
    workflow.write_text(json.dumps(WORKFLOW_API))
    other_json = tmp_path / "config.json"
    other_json.write_text('{"not": "a graph"}')
    story = tmp_path / "story.md"
    story.write_text("# Title\n")
    blob = tmp_path / "clip.mp4"
    blob.write_bytes(b"\0\0\0\x18ftypmp42")
    assert detect_kind(image) is WorkKind.IMAGE
    assert detect_kind(workflow) is WorkKind.WORKFLOW
    assert detect_kind(other_json) is WorkKind.OTHER
    assert detect_kind(story) is WorkKind.TEXT
    assert detect_kind(blob) is WorkKind.OTHER
    assert detect_kind(tmp_path / "lora.safetensors") is WorkKind.MODEL

    prepared = prepare_work(image)
    assert prepared.canonical is None
    assert prepared.media_type == "image/png"
    assert prepared.details == {"format": "PNG", "width": 512, "height": 512}
    with prepared.open() as stream:
        assert stream.read() == image.read_bytes()  # images are hashed as they are
    assert prepare_work(story).media_type == "text/markdown; charset=utf-8"
    assert prepare_work(blob).details == {"format": "mp4"}


def test_a_file_that_is_not_an_image_is_refused_as_one(tmp_path: Path) -> None:
    path = tmp_path / "fake.png"
    path.write_bytes(b"not an image")
    with pytest.raises(FormatError, match="not an image"):
        prepare_work(path)
