"""Fuzz the `.safetensors` header reader (`genip.content.formats.safetensors`) as an upload meets it.

    .venv/bin/python scripts/fuzz_safetensors.py [--seconds 180] [--runs N] [--save-corpus] [--write-seeds]

Each input is written to a `.safetensors` file and prepared as a MODEL work (`prepare_work`, which reads the
header and describes the model); so is the file made of the input as its header (the right length prefix,
then a small data section), so that mutated JSON reaches the tensor and metadata checks. The only error
allowed is `FormatError`; an accepted file's description must have a canonical JSON form (it goes into the
work's metadata) and its counts must be sane.
"""

import json
import struct

from fuzzing import JSON_TOKENS, run, scratch_file

from genip.chain.types import WorkKind
from genip.content.canonical import canonical_json
from genip.content.errors import FormatError
from genip.content.formats import prepare_work

NAME = "safetensors"


#: Bytes of the data section after a header made from the input.
DATA_SECTION = 64
DICTIONARY = (
    *JSON_TOKENS,
    b'"__metadata__"',
    b'"dtype"',
    b'"shape"',
    b'"data_offsets"',
    b'"ss_tag_frequency"',
    b'"modelspec.trigger_phrase"',
    b'"ss_base_model_version"',
    b"18446744073709551616",
)


def test_one_input(data: bytes) -> None:
    """Prepare `data` as a `.safetensors` file, then as the header of one; only `FormatError` may come out."""
    _prepare(data)
    _prepare(struct.pack("<Q", len(data)) + data + bytes(DATA_SECTION))


def _prepare(data: bytes) -> None:
    path = scratch_file("model.safetensors")
    path.write_bytes(data)
    try:
        work = prepare_work(path, WorkKind.MODEL)
    except FormatError:
        return
    details = work.details
    canonical_json(details)  # raises for a description the metadata could not hold
    if details["tensorCount"] < 0 or details["parameterCount"] < 0:
        raise AssertionError(f"negative counts in {details}")


def _file(header: dict[str, object], data: bytes = b"", *, pad: bytes = b"") -> bytes:
    raw = json.dumps(header, separators=(",", ":")).encode() + pad
    return struct.pack("<Q", len(raw)) + raw + data


def seed_inputs() -> dict[str, bytes]:
    """Small valid files (kohya, modelspec, no metadata) and the edge cases the reader must refuse."""
    kohya = {
        "__metadata__": {
            "ss_base_model_version": "sdxl_base_v1-0",
            "ss_sd_model_name": "sd_xl_base_1.0.safetensors",
            "ss_network_module": "networks.lora",
            "ss_network_dim": "8",
            "ss_tag_frequency": json.dumps({"10_cat": {"cat": 10, "orange": 4}, "5_dog": {"dog": 5}}),
        },
        "lora_up.weight": {"dtype": "F16", "shape": [2, 2], "data_offsets": [0, 8]},
        "lora_down.weight": {"dtype": "F16", "shape": [2], "data_offsets": [8, 12]},
    }
    modelspec = {
        "__metadata__": {"modelspec.architecture": "flux-1-dev", "modelspec.trigger_phrase": "ohwx, man"},
        "w": {"dtype": "BF16", "shape": [1, 3], "data_offsets": [0, 6]},
    }
    plain = {"t": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]}}
    return {
        "kohya.safetensors": _file(kohya, bytes(12)),
        "modelspec.safetensors": _file(modelspec, bytes(6), pad=b"   "),
        "plain.safetensors": _file(plain, bytes(4)),
        "empty-header.safetensors": _file({}),
        "zero-dims.safetensors": _file({"z": {"dtype": "U8", "shape": [0, 5], "data_offsets": [0, 0]}}),
        "bad-tags.safetensors": _file({"__metadata__": {"ss_tag_frequency": "{not json"}}),
        "offsets-past-end.safetensors": _file({"t": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}),
        "metadata-not-strings.safetensors": _file({"__metadata__": {"k": 1}}),
        "header-past-end.safetensors": struct.pack("<Q", 1000) + b"{}",
        "not-an-object.safetensors": struct.pack("<Q", 2) + b"[]",
        "short.safetensors": b"\x02\x00\x00",
        "kohya-header.json": json.dumps(kohya).encode(),
        "tensor-header.json": b'{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}',
    }


if __name__ == "__main__":
    run(NAME, test_one_input, seed_inputs, dictionary=DICTIONARY, description=__doc__)
