"""Settings of the API, read from `GENIP_*` environment variables (pydantic-settings).

The database, data directory and IPFS node are the same variables the core reads (`DATABASE_URL` or
`GENIP_DATABASE_URL`, `GENIP_DATA_DIR`, `GENIP_IPFS_API`); the API's own knobs are `GENIP_API_*`.
"""

import json
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["ApiSettings"]

#: A browser's `Origin`: scheme, host and optional port, nothing else (no path, no trailing slash).
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


class ApiSettings(BaseSettings):
    """Where the API reads from and how it answers. Build one where the program starts and pass it down."""

    model_config = SettingsConfigDict(env_prefix="GENIP_", frozen=True)

    data_dir: Path = Field(
        default_factory=lambda: Path.cwd() / ".genip",
        description="Local data (the embedded SQLite database and content store). Default `./.genip`.",
    )
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "GENIP_DATABASE_URL"),
        description="Database the indexer fills; default SQLite `<data_dir>/genip.db`.",
    )
    ipfs_api: str | None = Field(default=None, description="Kubo RPC API; unset uses the embedded store.")
    api_chain_id: int | None = Field(
        default=None, description="Chain to serve; default the lowest chain id the indexer has a cursor for."
    )
    api_host: str = Field(default="127.0.0.1", description="Interface `genip serve` binds.")
    api_port: int = Field(default=8000, ge=0, le=65_535, description="Port `genip serve` binds.")
    api_status_max_age: int = Field(
        default=5, ge=0, description="Seconds clients and proxies may reuse a licence-status answer."
    )
    api_status_cursor_ttl: float = Field(
        default=0.1,
        ge=0,
        le=5,
        description="Seconds a process reuses the indexer cursor it last read for licence status (ETag/304 "
        "and cached answers); 0 reads it on every request.",
    )
    api_status_cache_size: int = Field(
        default=10_000,
        ge=0,
        description="Licence-status answers a process keeps for the current cursor (0: none).",
    )
    api_search_cache_size: int = Field(
        default=2_048,
        ge=0,
        description="Search answers a process keeps for the current cursor and search version (0: none; "
        "`api.search_fast`).",
    )
    api_search_facet_table: bool = Field(
        default=True,
        description="Count search facets from the trigger-kept facet table and live offers on the asset row "
        "(migration 0021); false counts them by scanning the matching assets and their offers, as before "
        "(the same-run baseline of `scripts/bench_api.py`).",
    )
    api_search_state_ttl: float = Field(
        default=0.1,
        ge=0,
        le=5,
        description="Seconds a process reuses the indexed state (cursor and search version) it last read for "
        "search answers from bytes (`api.search_fast`); 0 reads it on every request.",
    )
    api_status_db_connections: int = Field(
        default=8,
        ge=1,
        description="Postgres connections per process for single licence-status questions (async, prepared); "
        "a few per core do best, more only add contention.",
    )
    api_db_pool_size: int = Field(default=20, ge=1, description="Postgres connections kept per process.")
    api_web_dir: Path = Field(
        default_factory=lambda: Path(__file__).resolve().parents[1] / "web" / "dist",
        description="The built marketplace page served at `/` (`make setup` builds it into web/dist).",
    )
    checker_public_key: str | None = Field(
        default=None,
        description="GENIP_CHECKER_PUBLIC_KEY: the checker's X25519 public key (hex or base64), published at "
        "`/prompts/checker-key` for creators to seal their prompts to. Unset: prompt submissions answer 503. "
        "The API never holds the checker's private or signing key.",
    )
    checker_review_url: str | None = Field(
        default=None,
        description="GENIP_CHECKER_REVIEW_URL: where the checker serves its review page (`genip checker "
        "review serve`), an http(s) URL published in `/config` so the page links checker accounts to it. The "
        "page is the checker's own, on another origin: the API never sees a prompt. Unset: no link. "
        "`genip demo` sets it.",
    )
    api_check_schema: bool = Field(
        default=True, description="Refuse to start unless the database schema is at this code's revision."
    )
    api_max_json_bytes: int = Field(
        default=2 * 1024 * 1024,
        ge=1024,
        description="Largest JSON request body (413 above; `api.body_limits`).",
    )
    api_max_json_depth: int = Field(
        default=64,
        ge=4,
        description="Deepest nesting of arrays and objects in a JSON request body (400 deeper; the API's own "
        "bodies nest at most 4 deep).",
    )
    api_cpu_workers: int | None = Field(
        default=None,
        ge=1,
        description="Threads running CPU-bound work of a request (upload hashing and fingerprints, image "
        "decoding) off the event loop (`api.cpu`); default the CPU count, at most 4.",
    )
    upload_wallet_daily_count: int = Field(
        default=100,
        ge=0,
        description="Uploads a wallet may sign in any 24 hours (`POST /uploads` and examples).",
    )
    upload_wallet_daily_bytes: int = Field(
        default=1024 * 1024 * 1024, ge=0, description="Bytes a wallet may upload in any 24 hours (1 GiB)."
    )
    upload_platform_daily_count: int = Field(
        default=50_000, ge=0, description="Uploads a platform's API key may make in any 24 hours."
    )
    upload_platform_daily_bytes: int = Field(
        default=200 * 1024 * 1024 * 1024,
        ge=0,
        description="Bytes a platform may upload in any 24 hours (200 GiB).",
    )
    faucet_key: SecretStr | None = Field(
        default=None,
        description="GENIP_FAUCET_KEY: demo only. The private key of a funded dev account; set, "
        "`POST /faucet` sends new wallets a little test ETH (and demo gUSD) on a local development chain. "
        "`genip demo` sets it; never printed or logged.",
    )
    faucet_interval: float = Field(
        default=3600.0, ge=0, description="Seconds before the faucet serves the same address again."
    )

    api_webhook_private_urls: bool = Field(
        default=False,
        description="Let platforms subscribe webhook URLs on private addresses (this host, a LAN, cloud "
        "metadata). Off: `POST /webhooks` refuses them (422), so a platform key cannot make the delivery "
        "worker call into the operator's network. On for a local setup (the demo, tests).",
    )

    api_cors_origins: Annotated[list[str], NoDecode] = Field(
        default=["*"],
        description="Origins whose pages may call the public reads from the browser (`api.cors`: licence "
        "status, certificates, badges, media, `/sdk/genip.js`), comma-separated or a JSON list of "
        "`scheme://host[:port]`; `*` (default) any page; empty: no CORS headers. Never with credentials.",
    )

    # --- platform accounts: rate limits (`api.rate_limit`) ---
    api_rate_limit_enabled: bool = Field(
        default=True,
        description="Rate-limit requests per client IP, with a higher quota per platform API key (429 with "
        "`Retry-After` over quota). False: no limits.",
    )
    api_rate_limit_per_ip: str = Field(
        default="100/second;3000/minute",
        description="Quota of a client IP without an API key, as `limits` strings joined by ';' "
        "(e.g. `60/second;1000/minute`).",
    )
    api_rate_limit_per_key: str = Field(
        default="1000/second;60000/minute",
        description="Quota of a platform (every key of it together) sending `Authorization: Bearer gip_…`.",
    )
    api_rate_limit_storage: str = Field(
        default="memory://",
        description="Where counts are kept: `memory://` (this process only) or `redis://host:port/db` "
        "(shared by every API process using it).",
    )
    api_rate_limit_prefix: str = Field(
        default="genip-rl", description="Prefix of the counters' keys in Redis (one per deployment)."
    )
    api_rate_limit_exempt: list[str] = Field(
        default=["127.0.0.1", "::1", "testclient"],
        description="Client IPs or networks never limited: by default this host's own tools (and the test "
        "client's peer name). A reverse proxy on this host must be in `api_trusted_proxies` so its "
        "clients are told apart (else they all share its address, exempt by default).",
    )
    api_trusted_proxies: list[str] = Field(
        default=[],
        description="Peers (IPs or networks) whose `X-Forwarded-For` names the client; others' is ignored.",
    )

    @field_validator("api_rate_limit_per_ip", "api_rate_limit_per_key")
    @classmethod
    def _limits(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError as exc:
            raise ValueError(f"not a rate limit like 60/second;1000/minute: {exc}") from None
        return value

    @field_validator("api_rate_limit_exempt", "api_trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        import ipaddress

        for item in value:
            if item == "testclient":
                continue
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"not an IP address or network: {item[:60]!r}") from None
        return value

    @field_validator("api_cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    return json.loads(text)
                except ValueError:
                    raise ValueError("not a JSON list of origins") from None
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("api_cors_origins")
    @classmethod
    def _origin_list(cls, value: list[str]) -> list[str]:
        if "*" in value and len(value) > 1:
            raise ValueError("`*` already allows every origin: give it alone")
        for origin in value:
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise ValueError(f"not an origin like https://platform.example[:port]: {origin[:80]!r}")
        return value

    @field_validator("checker_review_url")
    @classmethod
    def _review_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        from urllib.parse import urlsplit

        value = value.strip()
        try:
            parts = urlsplit(value)
        except ValueError:
            parts = None
        # the page puts it in a link's href: nothing but http(s) to a host (never `javascript:`)
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or " " in value:
            raise ValueError(f"not an http(s) URL like http://127.0.0.1:8790/: {value[:80]!r}")
        return value

    @field_validator("api_rate_limit_storage")
    @classmethod
    def _storage(cls, value: str) -> str:
        scheme = value.removeprefix("async+").split("://", 1)[0]
        if "://" not in value or scheme not in ("memory", "redis", "rediss", "redis+unix"):
            raise ValueError("the rate-limit storage is memory:// or a redis:// URL")
        return value

    @property
    def db_url(self) -> str:
        """`database_url`, else the embedded SQLite database in the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'genip.db'}"
