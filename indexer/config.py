"""What the indexer indexes and how: built from a deployment and settings, passed in (never global).

Every program that runs the indexer (`genip index`, `genip demo`) builds its configuration with
`IndexerConfig.from_settings`; tests and benchmarks that need a special case build one by hand.
"""

from dataclasses import dataclass, field

from genip.chain.deployment import Deployment
from genip.settings import Settings

__all__ = ["IndexerConfig"]


@dataclass(frozen=True)
class IndexerConfig:
    """Everything the indexer needs to know about the chain and its own pacing.

    `confirmations` blocks behind the head are left unindexed (0 on anvil). Blocks at or below the chain's
    `finalized` block (or `head - reorg_window` where the chain has no such tag) are final: they are indexed
    in large ranges without undo entries. Newer blocks are indexed with their headers checked and undo entries
    kept, so a reorg among them rolls back cleanly; a reorg reaching below them stops the indexer.
    """

    chain_id: int
    rpc_urls: tuple[str, ...]
    registry: str
    hub: str
    license_token: str
    court: str
    start_block: int
    end_block: int | None = None  # stop once this block is indexed (re-indexing a window, benchmarks)
    confirmations: int = 0
    reorg_window: int = 64
    use_finalized_tag: bool = True
    initial_range: int = 1  # ranges double from one block while answers are small and fast
    max_range: int = 500_000
    target_logs: int = 10_000  # grow ranges while responses stay under this many logs (bounds memory)
    batch_events: int = 10_000  # backfill: consecutive ranges join one commit until it holds this many
    fetch_process: bool = True  # backfill on Postgres: fetch and decode in a forked process (indexer.fetcher)
    live_max_blocks: int = 50
    poll_interval: float = 1.0
    status_interval: float = 10.0
    rpc_timeout: float = 30.0
    db_outage_limit: float = 600.0  # seconds of a transient database fault waited out before stopping
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def contracts(self) -> tuple[str, str, str, str]:
        """The indexed addresses, in `indexer.events.contract_events` argument order."""
        return (self.registry, self.hub, self.license_token, self.court)

    @classmethod
    def from_settings(
        cls, settings: Settings, deployment: Deployment, **overrides: object
    ) -> "IndexerConfig":
        """The configuration the indexer runs with: the deployment's chain, contracts and first block, and
        from the settings the RPC URL (`GENIP_RPC_URL`, else the deployment's) with its fail-over URLs
        (`GENIP_RPC_FALLBACK_URLS`), `GENIP_CONFIRMATIONS`, `GENIP_REORG_WINDOW` and the range cap
        (`GENIP_INDEX_MAX_RANGE`, which also caps the live ranges)."""
        chosen: dict[str, object] = {
            "confirmations": settings.confirmations,
            "reorg_window": settings.reorg_window,
            "max_range": settings.index_max_range,
            "live_max_blocks": min(cls.live_max_blocks, settings.index_max_range),
        }
        return cls.from_deployment(
            deployment, settings.rpc_urls(deployment.rpc_url), **{**chosen, **overrides}
        )

    @classmethod
    def from_deployment(
        cls, deployment: Deployment, rpc_urls: tuple[str, ...] = (), **overrides: object
    ) -> "IndexerConfig":
        """The deployment's chain, contracts and first block, with the defaults (or `overrides`) for the
        rest: for tests and tools; programs use `from_settings`."""
        return cls(
            chain_id=deployment.chain_id,
            rpc_urls=rpc_urls or (deployment.rpc_url,),
            registry=deployment.registry,
            hub=deployment.hub,
            license_token=deployment.license_token,
            court=deployment.court,
            start_block=deployment.deploy_block,
            **overrides,  # type: ignore[arg-type]
        )
