"""Schemathesis against the served OpenAPI with every check it has (`--checks all`), as an outside run would:
no input makes a server error, every response matches the schema (status code documented, content type,
headers and body as declared), every rule the API enforces is published (`negative_data_rejection`: what
the schema forbids is refused; `positive_data_acceptance`: what it allows is not refused with a 400/422),
`OPTIONS` and 405 answers carry a right `Allow` header (`unsupported_method`, `allow_header_conformance`),
and a missing required header is a 4xx (`missing_required_header`).

Run through schemathesis' own engine (the CLI's phases: examples, coverage and fuzzing, in positive and
negative modes) on the ASGI app of each database, bounded by `MAX_EXAMPLES` per operation and phase so each
database takes about half a minute (50 examples). Decisions on the checks:

- every registered check is on, including the auth and resource ones: `ignored_auth` and
  `object_level_authorization` have nothing to do (the schema declares no security scheme; the prompt routes
  authenticate by an EIP-712 signature in the body or query, which negative data covers), nor have
  `use_after_free` and `ensure_resource_availability` (no DELETE);
- `max_response_time` is bounded at `MAX_RESPONSE_SECONDS`, generous on purpose: the test runs on a loaded
  2-core machine next to other jobs, so it catches a stall (an upload or a match holding the loop), not a
  slow percentile (`scripts/bench_api.py` measures those);
- CIDs and cursors are published as exact patterns; an address's pattern cannot say that mixed case must be
  the EIP-55 checksum, so it is published with `format: eth-address` too, registered here as a generator
  of valid addresses (checksummed or lowercase), as a client library would;
- `positive_data_acceptance` also accepts 413, 415 and 422 where the refusal is about what no schema can
  describe: the bytes of an uploaded file (`POST /uploads`, `POST /match`: not a readable image, too many
  pixels) and whether two registered works are images that match (`GET /assets/{id}/copy-evidence`);
- the stateful phase is off: the API is read-only apart from uploads and prompt submissions, whose links
  (an upload's CID into `POST /metadata`) need a real file that generated data never is.
"""

import schemathesis
from eth_utils.address import to_checksum_address
from fastapi.testclient import TestClient
from hypothesis import strategies as st
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema

from api.app import create_app
from api.params import ADDRESS_FORMAT
from tests.api.conftest import settings_for
from tests.api.world import World

MAX_EXAMPLES = 50
MAX_RESPONSE_SECONDS = 10.0


#: Refusals of schema-valid requests that depend on what no schema describes (see the module docstring).
SEMANTIC_REFUSALS = [
    {"include-path": path, "include-method": method, "checks": {"positive_data_acceptance": {
        "expected-statuses": ["2xx", "3xx", 401, 403, 404, 409, 413, 415, 422, 429, "5xx"]}}}
    for method, path in (
        ("POST", "/uploads"), ("POST", "/match"), ("GET", "/assets/{asset_id}/copy-evidence")
    )
]  # fmt: skip

#: A schema-violating string field can be long enough that its JSON escapes pass the documented body limit
#: (`GENIP_API_MAX_JSON_BYTES`): then the refusal is the documented 413, before the schema is read.
BODY_LIMIT_REFUSALS = [
    {"include-path": "/prompts/{asset_id}", "include-method": "POST", "checks": {"negative_data_rejection": {
        "expected-statuses": [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429, "5xx"]}}}
]  # fmt: skip

_addresses = st.binary(min_size=20, max_size=20).flatmap(
    lambda raw: st.sampled_from([to_checksum_address(raw), "0x" + raw.hex()])
)
schemathesis.openapi.format(ADDRESS_FORMAT, _addresses)


def _config() -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "checks": {"enabled": True, "max_response_time": MAX_RESPONSE_SECONDS},
            "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "database": "none"},
            "phases": {"stateful": {"enabled": False}},
            "suppress-health-check": ["all"],
            "operations": SEMANTIC_REFUSALS + BODY_LIMIT_REFUSALS,
            "cache": {"enabled": False},  # no .schemathesis/ left in the tree
        }
    )


def test_no_input_makes_a_server_error_and_every_rule_is_published(world: World, db_url: str) -> None:
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json", create_app(settings_for(world, db_url)), config=_config()
    )
    labels = {result.ok().label for result in schema.get_all_operations()}
    # The read API, the page's config, uploads and metadata, and image matching (other routes may join).
    assert {"GET /assets", "GET /licenses/status", "POST /licenses/status", "GET /config", "POST /uploads",
            "POST /metadata", "POST /match"} <= labels, labels  # fmt: skip

    failures: set[str] = set()
    errors: list[str] = []
    checks_run: set[str] = set()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for nodes in event.recorder.checks.values():
                for node in nodes:
                    checks_run.add(node.name)
                    if node.status == Status.FAILURE and node.failure_info is not None:
                        failure = node.failure_info.failure
                        failures.add(
                            f"{event.label}: {node.name}: {failure.title}: {failure.message[:300]}\n"
                            f"{node.failure_info.code_sample}"
                        )
        elif isinstance(event, events.NonFatalError | events.FatalError):
            errors.append(f"{getattr(event, 'label', '')}: {getattr(event, 'value', event)!r}")
    assert not errors, "\n".join(errors)
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(sorted(failures))
    load_all_checks()
    assert {*CHECKS.get_all_names(), "max_response_time"} <= checks_run  # every check ran


def test_a_nul_in_the_search_text_is_not_a_server_error(api: TestClient) -> None:
    assert api.get("/assets", params={"q": "tides\x00"}).status_code == 200
    assert api.get("/assets", params={"base_model": "SDXL\x00"}).status_code == 200


def test_allow_names_every_method_of_the_path(api: TestClient) -> None:
    for path, allow in (("/licenses/status", "GET, POST"), ("/prompts/1", "GET, POST")):
        answer = api.options(path)
        assert answer.status_code == 405 and answer.headers["allow"] == allow, (path, answer.headers)
    assert api.delete("/assets/1").headers["allow"] == "GET"
