"""What the indexer indexes and how: built from a deployment and settings, passed in (never global)."""

from dataclasses import dataclass, field

from genip.chain.deployment import Deployment

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
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def contracts(self) -> tuple[str, str, str, str]:
        """The indexed addresses, in `indexer.events.contract_events` argument order."""
        return (self.registry, self.hub, self.license_token, self.court)

    @classmethod
    def from_deployment(
        cls, deployment: Deployment, rpc_urls: tuple[str, ...] = (), **overrides: object
    ) -> "IndexerConfig":
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
