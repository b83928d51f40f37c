"""The web page's API types are generated from the API's OpenAPI document, never copied by hand: the committed
document (web/openapi.json) is the one the app describes now, and the committed types
(web/src/generated/api.ts) are what `openapi-typescript` makes of it. `python scripts/export_openapi.py`
rewrites both."""

import json
from pathlib import Path
from types import ModuleType

import pytest

from tests.script_modules import load_script


def _exporter() -> ModuleType:
    return load_script("export_openapi")


def test_the_committed_openapi_document_is_the_apps() -> None:
    exporter = _exporter()
    committed = exporter.DOCUMENT.read_text(encoding="utf-8")
    fresh = exporter.document_text()
    assert json.loads(committed) == json.loads(fresh), (
        "web/openapi.json differs from the app's OpenAPI document: run `make web-types`"
    )
    assert committed == fresh, "web/openapi.json is not formatted as exported: run `make web-types`"


def test_the_committed_types_are_generated_from_the_document(tmp_path: Path) -> None:
    exporter = _exporter()
    if not exporter.GENERATOR.is_file():
        pytest.skip("web/node_modules has no openapi-typescript: run `make setup`")
    out = tmp_path / "api.ts"
    exporter.generate_types(exporter.DOCUMENT, out)
    assert exporter.TYPES.read_text(encoding="utf-8") == out.read_text(encoding="utf-8"), (
        "web/src/generated/api.ts is not what web/openapi.json generates: run `make web-types`"
    )
