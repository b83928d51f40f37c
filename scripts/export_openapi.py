"""Export the API's OpenAPI document into `web/openapi.json`, and the web page's types generated from it into
`web/src/generated/api.ts` (by `openapi-typescript`, pinned in web/package.json).

    python scripts/export_openapi.py           # write both (needs web/node_modules for the types)
    python scripts/export_openapi.py --json    # only the JSON document (no Node needed)

The app is built over an empty temporary data directory with the schema check off: describing the routes
needs no database, no deployment and no running server. Both outputs are committed, so that a fresh clone
builds the page offline; `tests/web/test_api_types.py` fails when either differs from a fresh export (run
`make web-types`, which runs this script, after changing a route or a schema in `api/`).
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
DOCUMENT = WEB / "openapi.json"
TYPES = WEB / "src" / "generated" / "api.ts"
GENERATOR = WEB / "node_modules" / "openapi-typescript" / "bin" / "cli.js"

__all__ = ["DOCUMENT", "GENERATOR", "TYPES", "document", "document_text", "generate_types", "main"]


def document() -> dict[str, Any]:
    """The app's OpenAPI document, as `GET /openapi.json` serves it."""
    from api.app import create_app
    from api.settings import ApiSettings

    with tempfile.TemporaryDirectory(prefix="genip-openapi-") as tmp:
        settings = ApiSettings(
            data_dir=Path(tmp),
            database_url=f"sqlite:///{Path(tmp) / 'genip.db'}",
            api_check_schema=False,
            api_web_dir=Path(tmp) / "web",
        )
        app = create_app(settings)
        try:
            return app.openapi()
        finally:
            app.state.status_service.close()
            app.state.engine.dispose()


def document_text() -> str:
    """`document()` as committed: indented, keys in the app's order, one trailing newline."""
    return json.dumps(document(), indent=1, ensure_ascii=False) + "\n"


def generate_types(source: Path, out: Path) -> None:
    """Run `openapi-typescript` on the document `source`, writing the TypeScript types to `out`."""
    if not GENERATOR.is_file():
        raise FileNotFoundError(f"{GENERATOR} is missing: run `npm install` in web/ (make setup)")
    subprocess.run(
        ["node", str(GENERATOR), str(source), "--output", str(out), "--default-non-nullable"],
        cwd=WEB,
        check=True,
    )


def main(argv: list[str] | None = None) -> int:
    """Write the document (and the types unless `--json`); return the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="write only web/openapi.json")
    args = parser.parse_args(argv)
    DOCUMENT.write_text(document_text(), encoding="utf-8")
    print(f"wrote {DOCUMENT.relative_to(ROOT)}")
    if not args.json:
        TYPES.parent.mkdir(parents=True, exist_ok=True)
        try:
            generate_types(DOCUMENT, TYPES)
        except (FileNotFoundError, subprocess.CalledProcessError) as exc:
            print(f"export_openapi: {exc}", file=sys.stderr)
            return 1
        print(f"wrote {TYPES.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
