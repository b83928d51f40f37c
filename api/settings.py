"""Settings of the API, read from `GENIP_*` environment variables (pydantic-settings).

The database, data directory and IPFS node are the same variables the core reads (`DATABASE_URL` or
`GENIP_DATABASE_URL`, `GENIP_DATA_DIR`, `GENIP_IPFS_API`); the API's own knobs are `GENIP_API_*`.
"""

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ApiSettings"]


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
        "`api.queries.search.SearchCache`).",
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
    faucet_key: SecretStr | None = Field(
        default=None,
        description="GENIP_FAUCET_KEY: demo only. The private key of a funded dev account; set, "
        "`POST /faucet` sends new wallets a little test ETH (and demo gUSD) on a local development chain. "
        "`genip demo` sets it; never printed or logged.",
    )
    faucet_interval: float = Field(
        default=3600.0, ge=0, description="Seconds before the faucet serves the same address again."
    )

    @property
    def db_url(self) -> str:
        """`database_url`, else the embedded SQLite database in the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'genip.db'}"
