"""Gen-IP core: the shared domain code used by the CLI, the indexer and the API."""

__version__ = "0.1.0"
