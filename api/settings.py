"""Settings of the API, read from `GENIP_*` environment variables (pydantic-settings).

The database, data directory and IPFS node are the same variables the core reads (`DATABASE_URL` or
`GENIP_DATABASE_URL`, `GENIP_DATA_DIR`, `GENIP_IPFS_API`); the API's own knobs are `GENIP_API_*`.
"""

from pathlib import Path

from pydantic import AliasChoices, Field
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
    api_db_pool_size: int = Field(default=20, ge=1, description="Postgres connections kept per process.")
    api_web_dir: Path = Field(
        default_factory=lambda: Path(__file__).resolve().parents[1] / "web" / "dist",
        description="The built marketplace page served at `/` (`make setup` builds it into web/dist).",
    )
    api_check_schema: bool = Field(
        default=True, description="Refuse to start unless the database schema is at this code's revision."
    )

    @property
    def db_url(self) -> str:
        """`database_url`, else the embedded SQLite database in the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'genip.db'}"
