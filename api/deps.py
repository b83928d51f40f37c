"""Dependencies: the settings, a database session per request, the content store and the chain state."""

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.queries.chain import ChainState, chain_state
from api.settings import ApiSettings
from genip.settings import Settings
from genip.storage import ContentStore, open_store

if TYPE_CHECKING:  # SQLAlchemy tables and cryptography load with the first upload or download
    from genip.storage.originals import Keyring, Originals

__all__ = [
    "ChainDep",
    "EngineDep",
    "SessionDep",
    "SettingsDep",
    "StoreDep",
    "content_store",
    "core_settings",
    "get_chain",
    "get_db",
    "get_settings",
    "originals_keyring",
    "originals_of",
    "uploads_dir",
]


async def get_settings(request: Request) -> ApiSettings:
    """The settings the app was built with (async: no thread hop for a attribute read)."""
    settings: ApiSettings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    """A session for one request, closed (and its connection returned to the pool) afterwards."""
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    with factory() as session:
        yield session


async def get_store(request: Request) -> ContentStore:
    """The content store media and metadata are served from."""
    store: ContentStore = request.app.state.store
    return store


async def get_engine(request: Request) -> Engine:
    """An autocommit engine for hot paths that run one statement on a connection of their own (no ORM
    session, no transaction round trips)."""
    engine: Engine = request.app.state.autocommit_engine
    return engine


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_db)]
StoreDep = Annotated[ContentStore, Depends(get_store)]


def get_chain(session: SessionDep, settings: SettingsDep) -> ChainState:
    """The indexed chain served and the block answers are true as of (read per request: stateless)."""
    return chain_state(session, settings.api_chain_id)


ChainDep = Annotated[ChainState, Depends(get_chain)]


def core_settings(request: Request) -> Settings:
    """Core settings: the app's own (`app.state.genip_settings`) when set, else from the environment."""
    settings = getattr(request.app.state, "genip_settings", None)
    return settings if isinstance(settings, Settings) else Settings()


def content_store(request: Request) -> ContentStore:
    store = getattr(request.app.state, "store", None)
    if store is not None:
        return store  # type: ignore[no-any-return]
    settings = core_settings(request)
    return open_store(settings.data_dir, settings.ipfs_api)


def uploads_dir(request: Request) -> Path:
    api_settings = getattr(request.app.state, "settings", None)
    data_dir: Path = getattr(api_settings, "data_dir", None) or core_settings(request).data_dir
    return data_dir / "uploads"


def originals_keyring(request: Request) -> "Keyring":
    """The service keys that wrap originals' data keys (`GENIP_ORIGINALS_KEYS`, else the data directory's
    key file, created on first use), loaded once per app (`app.state.originals_keyring`)."""
    from genip.storage.originals import Keyring

    keyring: Keyring | None = getattr(request.app.state, "originals_keyring", None)
    if keyring is None:
        keyring = Keyring.from_settings(core_settings(request))
        request.app.state.originals_keyring = keyring
    return keyring


def originals_of(request: Request) -> "Originals":
    """Sealed originals: ciphertext in the app's content store, envelopes in its database
    (`genip.storage.originals`); `.seal(path)` stores one, `.read(cid)` gives one back verified."""
    from genip.storage.originals import Originals

    return Originals(request.app.state.engine, content_store(request), originals_keyring(request))
