"""Schemathesis against the served OpenAPI: no input makes a server error, and every response matches the
schema (status code documented, content type and body as declared). Bounded examples keep it under a minute.

Driven through hypothesis directly (each operation's strategy) rather than schemathesis' pytest plugin, whose
lazy fixtures do not run under this pytest version.
"""

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from api.app import create_app
from tests.api.conftest import settings_for
from tests.api.world import World

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
EXAMPLES = 40


def test_no_input_makes_a_server_error_and_responses_match_the_schema(world: World, db_url: str) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(settings_for(world, db_url)))
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = {operation.label for operation in operations}
    # The read API, the page's config, uploads and metadata, and image matching (other routes may join).
    assert {"GET /assets", "GET /licenses/status", "POST /licenses/status", "GET /config", "POST /uploads",
            "POST /metadata", "POST /match"} <= labels, labels  # fmt: skip

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=CHECKS)

        check()


def test_a_nul_in_the_search_text_is_not_a_server_error(api: TestClient) -> None:
    assert api.get("/assets", params={"q": "tides\x00"}).status_code == 200
