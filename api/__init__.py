"""Gen-IP HTTP API: search, lineage, licence status, accounts, media — read-only over the indexed database.

The app is built by `api.app.create_app(settings)`; it imports the `genip` core, never the indexer, holds no
keys and sends no transactions.
"""

from api.app import create_app
from api.settings import ApiSettings

__all__ = ["ApiSettings", "create_app"]
