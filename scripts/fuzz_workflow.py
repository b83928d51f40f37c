"""Fuzz the workflow canonicaliser and describer (`content.canonical`, `content.formats.workflow`).

    .venv/bin/python scripts/fuzz_workflow.py [--seconds 180] [--runs N] [--save-corpus] [--write-seeds]

Each input goes where an uploaded `.json` workflow goes: strict parsing (`parse_json`), the canonical bytes
(`canonical_workflow`) and the description (`describe_workflow`). The only error allowed is `FormatError`.
What is accepted must keep the module's promises: whatever `parse_json` accepts has a canonical form that
parses back to the same value, canonicalising is idempotent, and the description is JSON.
"""

import json

from fuzzing import JSON_TOKENS, run

from genip.content.canonical import canonical_json, parse_json
from genip.content.errors import FormatError
from genip.content.formats.workflow import canonical_workflow, describe_workflow

NAME = "workflow"
DICTIONARY = (
    *JSON_TOKENS,
    b'"nodes"',
    b'"links"',
    b'"type"',
    b'"class_type"',
    b'"inputs"',
    b'"widgets_values"',
    b'"ckpt_name"',
    b'"lora_name"',
    b'.safetensors"',
)


def test_one_input(data: bytes) -> None:
    """Parse, canonicalise and describe `data` as a workflow; only `FormatError` may come out."""
    try:
        document = parse_json(data)
    except FormatError:
        return
    canonical = canonical_json(document)  # everything parse_json accepts has a canonical form...
    if parse_json(canonical) != document:  # ...that reads back as the same value
        raise AssertionError(f"canonical form does not round-trip: {canonical[:200]!r}")
    try:
        workflow = canonical_workflow(data)
    except FormatError:  # a scalar: not a workflow
        if isinstance(document, dict | list):
            raise
        return
    if workflow != canonical or canonical_workflow(workflow) != workflow:
        raise AssertionError("canonical_workflow is not canonical_json, or not idempotent")
    canonical_json(describe_workflow(parse_json(workflow)))


def seed_inputs() -> dict[str, bytes]:
    """Both ComfyUI shapes, plain JSON, and the inputs the strict parser must refuse."""
    ui = {
        "last_node_id": 2,
        "nodes": [
            {"id": 1, "type": "CheckpointLoaderSimple", "pos": [10.5, -2e3], "widgets_values": ["sd15.ckpt"]},
            {"id": 2, "type": "KSampler", "widgets_values": {"seed": 7}},
        ],
        "links": [[1, 1, 0, 2, 0, "MODEL"]],
        "groups": [],
    }
    api = {
        "3": {"class_type": "KSampler", "inputs": {"seed": 156680208700286, "cfg": 8.0, "model": ["4", 0]}},
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5.safetensors"}},
        "5": {"class_type": "LoraLoader", "inputs": {"lora_name": "détail.safetensors"}},
    }
    return {
        "comfyui-ui.json": json.dumps(ui, indent=1).encode(),
        "comfyui-api.json": json.dumps(api, ensure_ascii=False).encode(),
        "array.json": b'[1, -0.0, 1e-7, 12345678901234567890, "\\u00e9\\ud83d\\ude00", null, true]',
        "bom.json": b'\xef\xbb\xbf{"b": 1, "a": [{}]}',
        "scalar.json": b'"just a string"',
        "duplicate-key.json": b'{"a": 1, "a": 2}',
        "nan.json": b'{"x": NaN}',
        "bad-utf8.json": b'{"x": "\xff"}',
        "truncated.json": b'{"nodes": [',
        "deep.json": b"[" * 64 + b"]" * 64,
    }


if __name__ == "__main__":
    run(NAME, test_one_input, seed_inputs, dictionary=DICTIONARY, description=__doc__)
