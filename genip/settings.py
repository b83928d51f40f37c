"""Settings of the Gen-IP core, read from `GENIP_*` environment variables.

Build one `Settings` where a program starts (the CLI callback, the API's dependency, a test fixture) and pass
it down; nothing in the core reads a global instance.
"""

from pathlib import Path
from typing import Final

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_KEY_ENV", "DEFAULT_MAX_BYTES", "DEFAULT_MAX_PIXELS", "Settings"]

#: Environment variable holding the deployer's private key for `genip deploy`.
DEFAULT_KEY_ENV = "GENIP_PRIVATE_KEY"


#: The caps every image decoder applies (`/match`, `/uploads`, the indexer's media step, `genip register`):
#: the defaults of `match_max_bytes` and `match_max_pixels`. 25 MiB covers camera JPEGs and large PNG renders;
#: 64 megapixels is an 8000x8000 render, about 192 MB decoded as RGB.
DEFAULT_MAX_BYTES: Final = 25 * 1024 * 1024
DEFAULT_MAX_PIXELS: Final = 64_000_000


class Settings(BaseSettings):
    """Where Gen-IP keeps its data and which chain it talks to.

    Every field can be set from the environment as `GENIP_<FIELD>`, e.g. `GENIP_RPC_URL`.
    """

    model_config = SettingsConfigDict(env_prefix="GENIP_", frozen=True)

    data_dir: Path = Field(
        default_factory=lambda: Path.cwd() / ".genip",
        description="Local data: deployment files, databases, stored media. Default `./.genip`.",
    )
    rpc_url: str | None = Field(
        default=None,
        description="JSON-RPC endpoint of the chain; unset means `genip chain up` starts a local anvil.",
    )
    deployment_file: Path | None = Field(
        default=None,
        description="Deployment file to read; default `<data_dir>/deployments/current.json`.",
    )
    fee_bps: int = Field(default=250, ge=0, le=10_000, description="Platform fee in basis points.")
    fee_recipient: str | None = Field(
        default=None, description="Receiver of the platform fee; default the deployer."
    )
    anvil_bin: Path | None = Field(
        default=None, description="anvil executable; default `node_modules/.bin/anvil` of the repository."
    )
    key_env: str = Field(
        default=DEFAULT_KEY_ENV, description="Environment variable holding the deployer's private key."
    )

    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "GENIP_DATABASE_URL"),
        description="Database of indexer and API (`DATABASE_URL`); default SQLite `<data_dir>/genip.db`.",
    )
    rpc_fallback_urls: str = Field(
        default="",
        description="Comma-separated RPC URLs the indexer fails over to when `rpc_url` does not answer.",
    )
    confirmations: int = Field(default=0, ge=0, description="Blocks behind the head the indexer stays.")
    reorg_window: int = Field(
        default=64, ge=1, description="Blocks kept for reorg rollback on chains without a `finalized` tag."
    )

    ipfs_api: str | None = Field(
        default=None, description="Kubo RPC API (e.g. http://127.0.0.1:5001); unset uses the embedded store."
    )
    keystore_scrypt_n: int = Field(
        default=1 << 18,
        ge=2,
        description="scrypt cost of new keystore files (geth's 2^18); tests use 4096 (`--lightkdf`).",
    )
    checker_key: SecretStr | None = Field(
        default=None,
        description="The checker's X25519 private key (32 bytes, hex or base64) that opens sealed prompts: "
        "the checker process only; prefer `checker_key_file`.",
    )
    checker_key_file: Path | None = Field(
        default=None,
        description="File holding the checker's private key (`genip checker keygen --out`, mode 0600); wins "
        "over `checker_key`.",
    )
    checker_public_key: str | None = Field(
        default=None,
        description="The checker's public key (hex or base64) the CLI seals prompts to; unset: the API's "
        "`/prompts/checker-key`. Set, it pins the key: a different one from the API is refused.",
    )
    originals_keys: SecretStr | None = Field(
        default=None,
        description="Service keys that wrap the data keys of sealed originals: comma-separated Fernet keys, "
        "newest first (`genip originals rotate` rewraps with the first). Unset: a key file "
        "`<data_dir>/originals.key` (mode 0600), created on first use.",
    )
    index_max_range: int = Field(
        default=500_000, ge=1, description="Most blocks the indexer asks `eth_getLogs` for at once."
    )

    match_distance: int = Field(
        default=48,
        ge=0,
        le=128,
        description="Most PDQ bits an upload may differ from a registered image and still match it "
        "(chosen from scripts/bench_match_robustness.py; see README 'Image matching').",
    )
    match_phash_distance: int = Field(
        default=44,
        ge=0,
        le=128,
        description="Most pHash-256 bits an upload may differ from a registered image's media hash and still "
        "match it (the second opinion; chosen from scripts/bench_match_robustness.py).",
    )
    match_thumbnail_correlation: float = Field(
        default=0.98,
        ge=0.0,
        le=1.0,
        description="Least correlation of 16x16 grey thumbnails at which an upload no hash matched still "
        "matches a registered image (survives brightness and contrast changes; chosen from "
        "scripts/bench_match_robustness.py).",
    )
    match_thumbnails: bool = Field(
        default=True,
        description="Run the thumbnail stage (it reads three 1 KiB vectors per stored image per lookup: "
        "~33 ms at 100 000 images, ~1 s at 1 000 000, so very large registries may turn it off).",
    )
    match_every_stage: bool = Field(
        default=True,
        description="Run the thumbnail and crop stages even when a hash matched, so the verdict weighs a "
        "work only they find (a crop of a licensed derivative); false runs a stage only when the ones before "
        "it found nothing: hash-matched uploads answer in well under a millisecond, at the cost of such "
        "verdicts (scripts/bench_match_robustness.py).",
    )
    match_crops: bool = Field(
        default=True,
        description="Also look for uploads that are crops of registered images (ORB keypoints; it scans "
        "every stored keypoint, so large registries may turn it off).",
    )
    match_min_quality: int = Field(
        default=70, ge=0, le=100, description="Uploads whose PDQ quality is below this are refused as flat."
    )
    match_max_bytes: int = Field(
        default=DEFAULT_MAX_BYTES,
        ge=1,
        description="Largest image file accepted (bytes), by `/match`, `/uploads` and the indexer's media "
        "step.",
    )
    match_max_pixels: int = Field(
        default=DEFAULT_MAX_PIXELS,
        ge=1,
        description="Most pixels an image may announce (decompression-bomb cap), one cap for every image "
        "decoded: `/match`, `/uploads`, the indexer's media step (and `genip register`, at this default).",
    )

    @property
    def db_url(self) -> str:
        """`database_url`, else the embedded SQLite database in the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'genip.db'}"

    def rpc_urls(self, default: str) -> tuple[str, ...]:
        """The RPC URL to use (`rpc_url`, else `default`) followed by the fail-over URLs."""
        fallbacks = [u.strip() for u in self.rpc_fallback_urls.split(",") if u.strip()]
        return (self.rpc_url or default, *fallbacks)

    @property
    def deployments_dir(self) -> Path:
        """Folder of the per-chain deployment files."""
        return self.data_dir / "deployments"

    def deployment_path(self) -> Path:
        """The deployment file every reader uses: `deployment_file`, else `current.json`."""
        return self.deployment_file or self.deployments_dir / "current.json"
