"""`/health` and `/metrics`."""

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from tests.api.world import World


def test_health_reports_the_cursor_and_lag(api: TestClient, world: World) -> None:
    body = api.get("/health").json()
    head = world.client.w3.eth.block_number
    assert body["status"] == "ok" and body["database"] is True
    assert body["chains"][0]["block_number"] == head and body["chains"][0]["lag"] == 0
    assert body["chains"][0]["last_error"] is None


def test_health_is_503_when_the_database_is_unreachable(world: World) -> None:
    settings = ApiSettings(
        data_dir=world.data_dir,
        database_url="postgresql://nobody@127.0.0.1:1/none?connect_timeout=1",
        api_check_schema=False,
    )
    with TestClient(create_app(settings)) as client:
        r = client.get("/health")
        assert r.status_code == 503 and r.json()["database"] is False
        assert client.get("/assets").status_code == 503


def test_metrics_count_requests_by_route(api: TestClient, world: World) -> None:
    api.get(f"/assets/{world.ids.root}")
    text = api.get("/metrics").text
    assert 'genip_api_requests_total{method="GET",route="/assets/{asset_id}",status="200"}' in text
    assert "genip_api_request_seconds_bucket" in text
