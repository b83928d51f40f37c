"""Workflows (ComfyUI-style JSON graphs): canonical bytes and a short description.

A workflow is registered as its canonical JSON (`genip.content.canonical.canonical_json`: sorted keys, no
whitespace, UTF-8), so re-saving it with other key order or indentation does not make it a different work.
Everything in the document is kept, including the editor's layout (`pos`, `size`, groups): only the
serialisation is normalised, never the content.

Two ComfyUI shapes are recognised for the description: the editor ("UI") format, an object with `nodes` and
`links` lists, and the API ("prompt") format, an object mapping node ids to `{"class_type", "inputs"}`.
Any other JSON object or array is still accepted as a workflow of an unknown tool.
"""

from typing import Any, Final

from genip.content.canonical import canonical_json, parse_json
from genip.content.errors import FormatError

__all__ = ["canonical_workflow", "describe_workflow", "workflow_format"]

#: Inputs whose value names a model file a node loads.
MODEL_INPUTS: Final = frozenset(
    {"ckpt_name", "lora_name", "unet_name", "vae_name", "clip_name", "control_net_name", "model_name"}
)
_MAX_LISTED: Final = 50


def canonical_workflow(data: bytes) -> bytes:
    """The canonical bytes of a workflow file; `FormatError` if it is not a JSON object or array."""
    document = parse_json(data)
    if not isinstance(document, dict | list):
        raise FormatError("a workflow must be a JSON object or array")
    return canonical_json(document)


def workflow_format(document: Any) -> str:
    """`comfyui-ui`, `comfyui-api` or `json`, by the shape of the parsed document."""
    if isinstance(document, dict):
        if isinstance(document.get("nodes"), list) and isinstance(document.get("links"), list):
            return "comfyui-ui"
        if document and all(isinstance(v, dict) and "class_type" in v for v in document.values()):
            return "comfyui-api"
    return "json"


def describe_workflow(document: Any) -> dict[str, Any]:
    """Format, node count, node types and model files named by a parsed workflow (JSON-ready)."""
    kind = workflow_format(document)
    nodes: list[dict[str, Any]] = []
    if kind == "comfyui-ui":
        nodes = [n for n in document["nodes"] if isinstance(n, dict)]
        types = {str(n.get("type")) for n in nodes if n.get("type")}
        models = {
            value
            for n in nodes
            for value in _list(n.get("widgets_values"))
            if isinstance(value, str)
            and value.lower().endswith((".safetensors", ".ckpt", ".pt", ".pth", ".gguf"))
        }
    elif kind == "comfyui-api":
        nodes = list(document.values())
        types = {str(n["class_type"]) for n in nodes}
        models = {
            value
            for n in nodes
            if isinstance(n.get("inputs"), dict)
            for key, value in n["inputs"].items()
            if key in MODEL_INPUTS and isinstance(value, str)
        }
    else:
        types, models = set(), set()
    return {
        "format": kind,
        "nodeCount": len(nodes),
        "nodeTypes": sorted(types)[:_MAX_LISTED],
        "models": sorted(models)[:_MAX_LISTED],
    }


def _list(value: Any) -> list[Any]:
    """`value` if it is a list (newer ComfyUI front ends store some widget values as objects)."""
    return value if isinstance(value, list) else []
