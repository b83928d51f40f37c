"""Read a `.safetensors` file's header (never its tensors) and pull out what describes the model.

Layout: 8 bytes little-endian header length N, then N bytes of UTF-8 JSON, then the tensor data. The JSON maps
tensor names to `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets into the data section) and may
hold `"__metadata__"`, a string-to-string map where trainers record what the model is:

- kohya-ss `sd-scripts` (most LoRAs): `ss_base_model_version`, `ss_sd_model_name`, `ss_network_module`,
  `ss_network_dim`, `ss_tag_frequency` (a JSON string: dataset folder -> {tag: count}), `ss_num_epochs`, ...
- the Stability AI model spec: `modelspec.architecture`, `modelspec.title`, `modelspec.trigger_phrase`, ...

Only the header is read: `read_header` seeks nothing and reads 8 + N bytes. Headers larger than
`MAX_HEADER_BYTES` (100 MB, the limit of the reference `safetensors` library) are refused before reading,
as are headers that claim more bytes than the file has, so a hostile file cannot make us allocate much.
A tensor whose element count (the product of its shape) passes `MAX_ELEMENTS` is refused as the reference
library refuses it (a `usize` overflow): unchecked, a header of a few MB of `[18446744073709551615, ...]`
shapes made the parameter count a multiplication of million-digit numbers (36 s for 1.7 MB of header, and
quadratic beyond; found while writing `scripts/fuzz_safetensors.py`).
"""

import json
import math
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from genip.content.canonical import parse_json
from genip.content.errors import FormatError

__all__ = [
    "MAX_ELEMENTS",
    "MAX_HEADER_BYTES",
    "SafetensorsInfo",
    "parse_header",
    "read_header",
    "read_safetensors_info",
]

#: Largest header accepted (bytes of JSON after the 8-byte length).
MAX_HEADER_BYTES: Final = 100_000_000
#: Most elements one tensor may have (the reference library's `usize`, checked dimension by dimension).
MAX_ELEMENTS: Final = 2**64 - 1
#: Trigger words kept from `ss_tag_frequency`.
TOP_TAGS: Final = 10

_BASE_MODEL_KEYS: Final = ("ss_base_model_version", "modelspec.architecture", "ss_sd_model_name")
_TRAINING_KEYS: Final = (
    "ss_training_started_at",
    "ss_training_finished_at",
    "ss_num_train_images",
    "ss_num_reg_images",
    "ss_num_epochs",
    "ss_epoch",
    "ss_max_train_steps",
    "ss_steps",
    "ss_learning_rate",
    "ss_unet_lr",
    "ss_text_encoder_lr",
    "ss_lr_scheduler",
    "ss_optimizer",
    "ss_network_module",
    "ss_network_dim",
    "ss_network_alpha",
    "ss_resolution",
    "ss_mixed_precision",
    "ss_seed",
    "ss_training_comment",
    "modelspec.resolution",
    "modelspec.date",
)


@dataclass(frozen=True, slots=True)
class SafetensorsInfo:
    """What a safetensors header says about a model (all strings as found; nothing is loaded).

    `base_model` is the first of `ss_base_model_version`, `modelspec.architecture`, `ss_sd_model_name`;
    `trigger_words` come from `modelspec.trigger_phrase` (split on commas) or else the most frequent
    `ss_tag_frequency` tags; `training` holds the kohya / modelspec training fields that are present.
    """

    header_size: int
    tensor_count: int
    parameter_count: int
    dtypes: tuple[str, ...]
    metadata: dict[str, str] = field(repr=False)
    base_model: str | None
    model_name: str | None
    title: str | None
    trigger_words: tuple[str, ...]
    training: dict[str, str]

    def summary(self) -> dict[str, Any]:
        """A JSON-ready description for the work's metadata (the full `__metadata__` map is left out)."""
        return {
            "format": "safetensors",
            "tensorCount": self.tensor_count,
            "parameterCount": self.parameter_count,
            "dtypes": list(self.dtypes),
            "baseModel": self.base_model,
            "modelName": self.model_name,
            "title": self.title,
            "triggerWords": list(self.trigger_words),
            "training": dict(self.training),
        }


def read_header(path: Path, *, max_header_bytes: int = MAX_HEADER_BYTES) -> dict[str, Any]:
    """The parsed JSON header of the safetensors file at `path`; `FormatError` if it is not one."""
    return _read_header(path, max_header_bytes)[1]


def _read_header(path: Path, max_header_bytes: int) -> tuple[int, dict[str, Any]]:
    """(header length N, parsed header) of `path`, after the checks in the module docstring."""
    with path.open("rb") as stream:
        prefix = stream.read(8)
        if len(prefix) != 8:
            raise FormatError(f"{path.name}: too short for a safetensors file")
        (length,) = struct.unpack("<Q", prefix)
        if length > max_header_bytes:
            raise FormatError(f"{path.name}: safetensors header of {length} bytes exceeds {max_header_bytes}")
        file_size = path.stat().st_size
        if 8 + length > file_size:
            raise FormatError(f"{path.name}: header length {length} runs past the end of the file")
        raw = stream.read(length)
    return int(length), parse_header(raw, data_size=file_size - 8 - length, name=path.name)


def parse_header(raw: bytes, *, data_size: int, name: str = "safetensors") -> dict[str, Any]:
    """The checked JSON header from its `raw` bytes (the N bytes after the length), for a data section of
    `data_size` bytes; `FormatError` if it is not one. `read_header` reads the file; the indexer's media step
    (which streams sealed originals and never has a path) calls this with the bytes it buffered."""
    if not raw.lstrip(b" ").startswith(b"{"):
        raise FormatError(f"{name}: safetensors header is not a JSON object")
    header = parse_json(raw)
    if not isinstance(header, dict):
        raise FormatError(f"{name}: safetensors header is not a JSON object")
    _check_tensors(name, header, data_size=data_size)
    return header


def read_safetensors_info(path: Path, *, max_header_bytes: int = MAX_HEADER_BYTES) -> SafetensorsInfo:
    """Read the header of `path` and describe the model (see `SafetensorsInfo`)."""
    length, header = _read_header(path, max_header_bytes)
    raw_meta = header.get("__metadata__", {})
    if not isinstance(raw_meta, dict) or not all(isinstance(v, str) for v in raw_meta.values()):
        raise FormatError(f"{path.name}: __metadata__ must map strings to strings")
    metadata: dict[str, str] = raw_meta
    tensors = {name: spec for name, spec in header.items() if name != "__metadata__"}
    parameters = sum(math.prod(spec["shape"]) for spec in tensors.values())
    return SafetensorsInfo(
        header_size=length,
        tensor_count=len(tensors),
        parameter_count=parameters,
        dtypes=tuple(sorted({str(spec["dtype"]) for spec in tensors.values()})),
        metadata=metadata,
        base_model=_first(metadata, _BASE_MODEL_KEYS),
        model_name=_first(metadata, ("ss_sd_model_name", "ss_output_name")),
        title=_first(metadata, ("modelspec.title", "ss_output_name")),
        trigger_words=_trigger_words(metadata),
        training={key: metadata[key] for key in _TRAINING_KEYS if metadata.get(key, "").strip()},
    )


def _check_tensors(name: str, header: dict[str, Any], *, data_size: int) -> None:
    """Each tensor entry has a dtype, an integer shape and offsets inside the data section."""
    for tensor, spec in header.items():
        if tensor == "__metadata__":
            continue
        if not isinstance(spec, dict):
            raise FormatError(f"{name}: tensor {tensor[:80]!r} is not described by an object")
        shape, offsets = spec.get("shape"), spec.get("data_offsets")
        if (
            not isinstance(spec.get("dtype"), str)
            or not isinstance(shape, list)
            or not all(isinstance(d, int) and d >= 0 for d in shape)
            or not isinstance(offsets, list)
            or len(offsets) != 2
            or not all(isinstance(o, int) for o in offsets)
            or not 0 <= offsets[0] <= offsets[1] <= data_size
        ):
            raise FormatError(f"{name}: tensor {tensor[:80]!r} has an invalid dtype, shape or data_offsets")
        elements = 1
        for dimension in shape:
            elements *= dimension
            if elements > MAX_ELEMENTS:
                raise FormatError(f"{name}: tensor {tensor[:80]!r} has more than {MAX_ELEMENTS} elements")


def _first(metadata: dict[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = metadata.get(key, "").strip()
        if value and value.lower() != "none":
            return value
    return None


def _trigger_words(metadata: dict[str, str]) -> tuple[str, ...]:
    """`modelspec.trigger_phrase` split on commas, else the `TOP_TAGS` most frequent training tags."""
    phrase = metadata.get("modelspec.trigger_phrase", "")
    if phrase.strip():
        return tuple(dict.fromkeys(word.strip() for word in phrase.split(",") if word.strip()))
    try:
        frequency = json.loads(metadata.get("ss_tag_frequency", "{}"))
    except (ValueError, RecursionError):  # not JSON, an integer too long to convert, nested too deeply
        return ()
    counts: dict[str, int] = {}
    if isinstance(frequency, dict):
        for tags in frequency.values():
            if not isinstance(tags, dict):
                continue
            for tag, count in tags.items():
                if isinstance(tag, str) and tag.strip() and isinstance(count, int):
                    counts[tag.strip()] = counts.get(tag.strip(), 0) + count
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(tag for tag, _ in ranked[:TOP_TAGS])
