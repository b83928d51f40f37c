"""Gen-IP indexer: mirrors every event of the Gen-IP contracts into the database.

Shaped like Ponder: `config` (contracts, start block) → `events` (decoding) → `handlers` (one per event,
applied to an in-memory overlay of the rows a batch touches) → `store` (one transaction per batch: raw events,
derived rows, undo log, cursor) → `runner` (backfill in adaptive ranges, then live with reorg handling).

The indexer imports the core (`genip`) and never the API.
"""
