"""Rate limits (`api.rate_limit`) over the real app on a fresh database: a client IP over its quota hears 429
with `Retry-After`, on the licence-status fast path too; a platform key gets its platform's higher quota; a
key that does not work is a 401, not a quota; health and the page's files never count; `X-Forwarded-For` is
believed from trusted proxies only; and two apps over one Redis share their counts."""

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from limits.storage import storage_from_string

from api.app import create_app
from api.rate_limit import ClientAddress
from api.settings import ApiSettings
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.platforms import add_platform

CHAIN = 31337
STATUS = "/licenses/status?asset=1&account=0x" + "ab" * 20 + "&use=display"
REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'genip.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def _settings(tmp_path: Path, url: str, **limits: Any) -> ApiSettings:
    (tmp_path / "page" / "static").mkdir(parents=True, exist_ok=True)
    return ApiSettings(
        data_dir=tmp_path,
        database_url=url,
        api_chain_id=CHAIN,
        api_web_dir=tmp_path / "page",
        api_rate_limit_exempt=[],  # the test client's peer is exempt by default
        **limits,
    )


@pytest.fixture
def client(tmp_path: Path, database: str) -> Iterator[TestClient]:
    quotas = {"api_rate_limit_per_ip": "3/minute", "api_rate_limit_per_key": "6/minute"}
    settings = _settings(tmp_path, database, **quotas)
    with TestClient(create_app(settings)) as c:
        yield c


def _key(database: str, name: str = "Lexica") -> str:
    engine = make_engine(database)
    try:
        return add_platform(engine, CHAIN, name, "0x" + "ab" * 20).key
    finally:
        engine.dispose()


def test_a_client_ip_over_its_quota_hears_429_with_retry_after(client: TestClient) -> None:
    for _ in range(10):  # never counted: probes and the page's files
        assert client.get("/health").status_code in (200, 503)
        assert client.get("/static/app.js").status_code == 404
    answers = [client.get(STATUS) for _ in range(3)]  # the fast path
    assert [a.status_code for a in answers] == [200, 200, 200]
    over = client.get(STATUS)
    assert over.status_code == 429
    assert 1 <= int(over.headers["retry-after"]) <= 60
    assert over.headers["ratelimit-limit"] == "3" and over.headers["ratelimit-remaining"] == "0"
    assert "3 per minute for this client IP" in over.json()["detail"]
    assert client.get("/assets").status_code == 429  # every read route shares the quota
    assert client.get("/health").status_code in (200, 503)


def test_a_platform_key_gets_the_higher_quota(client: TestClient, database: str) -> None:
    key = _key(database)
    for _ in range(3):
        assert client.get(STATUS).status_code == 200
    assert client.get(STATUS).status_code == 429  # the IP is spent ...
    bearer = {"Authorization": f"Bearer {key}"}
    assert [client.get(STATUS, headers=bearer).status_code for _ in range(6)] == [200] * 6  # ... the key not
    over = client.get("/assets", headers=bearer)
    assert over.status_code == 429 and "6 per minute for this API key" in over.json()["detail"]


def test_a_key_that_does_not_work_is_a_401_not_a_quota(client: TestClient, database: str) -> None:
    key = _key(database)
    for bad in (key[:-1] + ("x" if key[-1] != "x" else "y"), "gip_nonsense", ""):
        answer = client.get(STATUS, headers={"Authorization": f"Bearer {bad}"})
        assert answer.status_code == 401, bad
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert "not valid" in answer.json()["detail"]
    # Those three counted against the IP (guessing keys is limited too), none against the platform.
    assert client.get(STATUS, headers={"Authorization": "Basic abc"}).status_code == 429
    bearer = {"Authorization": f"Bearer {key}"}
    assert [client.get(STATUS, headers=bearer).status_code for _ in range(6)] == [200] * 6


def test_exempt_clients_are_not_counted_but_hear_401_for_a_bad_key(tmp_path: Path, database: str) -> None:
    settings = _settings(tmp_path, database, api_rate_limit_per_ip="1/minute").model_copy(
        update={"api_rate_limit_exempt": ["testclient"]}
    )
    with TestClient(create_app(settings)) as c:
        assert {c.get(STATUS).status_code for _ in range(5)} == {200}
        assert c.get("/assets", headers={"Authorization": "Bearer gip_nonsense"}).status_code == 401
        assert c.get(STATUS, headers={"Authorization": f"Bearer {_key(database)}"}).status_code == 200


def test_limits_can_be_switched_off(tmp_path: Path, database: str) -> None:
    settings = _settings(tmp_path, database, api_rate_limit_per_ip="1/minute", api_rate_limit_enabled=False)
    with TestClient(create_app(settings)) as c:
        assert {c.get(STATUS).status_code for _ in range(5)} == {200}


def test_settings_refuse_bad_limits() -> None:
    with pytest.raises(ValueError, match="not a rate limit"):
        ApiSettings(api_rate_limit_per_ip="lots")
    with pytest.raises(ValueError, match="not an IP address"):
        ApiSettings(api_trusted_proxies=["proxy.local"])
    with pytest.raises(ValueError, match="memory:// or a redis"):
        ApiSettings(api_rate_limit_storage="memcached://127.0.0.1")


def _scope(peer: str, forwarded: str | None = None) -> dict[str, Any]:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return {"client": (peer, 5000), "headers": headers}


def test_x_forwarded_for_is_believed_from_trusted_proxies_only() -> None:
    clients = ClientAddress(trusted=["10.0.0.0/8"], exempt=["127.0.0.1"])
    assert clients.of(_scope("203.0.113.9", "198.51.100.1")) == "203.0.113.9"  # not a proxy: its own IP
    assert clients.of(_scope("10.0.0.2", "198.51.100.1")) == "198.51.100.1"
    # A client may send any X-Forwarded-For: the hop the trusted proxy saw is the last untrusted one.
    assert clients.of(_scope("10.0.0.2", "1.2.3.4, 198.51.100.1, 10.0.0.3")) == "198.51.100.1"
    assert clients.of(_scope("10.0.0.2", "garbage")) == "10.0.0.2"
    assert clients.of(_scope("10.0.0.2")) == "10.0.0.2"
    assert (
        clients.exempt("127.0.0.1") and clients.exempt("::ffff:127.0.0.1") and not clients.exempt("10.0.0.2")
    )


def _reset_redis(prefix: str) -> None:
    async def reset() -> None:
        await storage_from_string(f"async+{REDIS}", key_prefix=prefix).reset()

    asyncio.run(reset())


def test_two_apps_over_one_redis_share_the_quota(tmp_path: Path, database: str) -> None:
    prefix = f"genip-test-{uuid.uuid4().hex}"
    settings = _settings(
        tmp_path,
        database,
        api_rate_limit_per_ip="4/minute",
        api_rate_limit_storage=REDIS,
        api_rate_limit_prefix=prefix,
    )
    try:
        with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
            assert [one.get(STATUS).status_code, two.get(STATUS).status_code] == [200, 200]
            assert [one.get(STATUS).status_code, two.get(STATUS).status_code] == [200, 200]
            assert one.get(STATUS).status_code == 429 and two.get(STATUS).status_code == 429
        other = settings.model_copy(update={"api_rate_limit_prefix": prefix + "-other"})
        with TestClient(create_app(other)) as three:  # another prefix, other counts
            assert three.get(STATUS).status_code == 200
    finally:
        _reset_redis(prefix)
        _reset_redis(prefix + "-other")


def test_an_unreachable_redis_lets_requests_through(tmp_path: Path, database: str) -> None:
    settings = _settings(
        tmp_path, database, api_rate_limit_per_ip="1/minute", api_rate_limit_storage="redis://127.0.0.1:1/0"
    )
    with TestClient(create_app(settings)) as c:
        assert [c.get(STATUS).status_code for _ in range(3)] == [200, 200, 200]
