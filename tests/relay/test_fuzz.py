"""Schemathesis on `/platform/registrations` *with* a platform key, on both backends (`tests/api/
test_openapi.py` runs every route, but without a key these answer 401 before reading anything): no input is a
server error, every answer is documented, what the schema allows is not refused."""

from pathlib import Path

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema
from sqlalchemy import Engine

from api.app import create_app
from api.settings import ApiSettings
from genip.platforms import add_platform

# Importing test_openapi registers the address format generator.
from tests.api import test_openapi  # noqa: F401
from tests.helpers import PLATFORM


def test_no_keyed_input_makes_a_server_error(engine: Engine, db_url: str, tmp_path: Path) -> None:
    key = add_platform(engine, 31337, "Fuzzed", PLATFORM.address).key
    config = SchemathesisConfig.from_dict(
        {
            "headers": {"Authorization": f"Bearer {key}"},
            "checks": {"enabled": True, "max_response_time": 10.0},
            "generation": {"mode": "all", "max-examples": 40, "database": "none"},
            "phases": {"stateful": {"enabled": False}},
            "suppress-health-check": ["all"],
            "cache": {"enabled": False},
        }
    )
    settings = ApiSettings(data_dir=tmp_path / "data", database_url=db_url, checker_public_key="11" * 32)
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(settings), config=config).include(
        path_regex="^/platform/registrations"
    )
    failures: set[str] = set()
    errors: list[str] = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for nodes in event.recorder.checks.values():
                for node in nodes:
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
